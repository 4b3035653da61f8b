"""The care-network model: a synthetic (or loaded) municipality stepped week by week through the mechanisms.

The weekly step is the list in ``self.mechanisms``, in the order of
docs/ODD.md: demography, care demand, volunteering, layered allocation,
carer burden, contact and loneliness, signalling, wijkteam, the municipality's
actions, roles, indicators.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any

import mesa
import numpy as np

from samenkracht.sim.agents import CommunityCentre, Municipality, Professional, Resident, Shopkeeper
from samenkracht.sim.config import SimConfig
from samenkracht.sim.graph_io import load_graphml
from samenkracht.sim.kernels import remove_touching
from samenkracht.sim.levers import Levers
from samenkracht.sim.mechanisms.allocation import LayeredAllocation
from samenkracht.sim.mechanisms.burden import CarerBurden
from samenkracht.sim.mechanisms.contact import ContactAndLoneliness
from samenkracht.sim.mechanisms.demand import CareDemand
from samenkracht.sim.mechanisms.demography import Demography
from samenkracht.sim.mechanisms.indicators import Indicators
from samenkracht.sim.mechanisms.municipality import MunicipalActions
from samenkracht.sim.mechanisms.roles import RoleSync
from samenkracht.sim.mechanisms.shock import Shock
from samenkracht.sim.mechanisms.signalling import Signalling
from samenkracht.sim.mechanisms.volunteering import Volunteering
from samenkracht.sim.mechanisms.wijkteam import Wijkteam
from samenkracht.sim.network import Ties, build_ties, to_networkx
from samenkracht.sim.params import validate
from samenkracht.sim.population import build_residents, draw_ages, draw_capacity, make_state, pick_in_wijk
from samenkracht.sim.rng import Streams
from samenkracht.sim.time import WEEKS_PER_YEAR
from samenkracht.sim.ties import KIND_CODE


class CareNetworkModel(mesa.Model):
    """A municipality's formal–informal care network, one step per week."""

    def __init__(self, config: SimConfig | None = None) -> None:
        config = config if config is not None else SimConfig()
        validate(config)
        super().__init__(rng=config.seed)
        self.config = config
        self.streams = Streams(config.seed)
        self.week = 0
        self.flows: dict[str, Any] = {}
        self.counters: Counter[str] = Counter()
        self.counters_at_week_start: Counter[str] = Counter()
        self.rows: list[dict[str, Any]] = []
        self.wijk_rows: list[dict[str, Any]] = []
        self._wijk_acc: dict[str, np.ndarray] = defaultdict(float)
        self._wijk_weeks = 0
        self.yearly: dict[int, dict[str, float]] = {}

        self._build_world()
        self.levers = Levers(self.n_wijken)
        demography = Demography(config.demography)
        self.contact = ContactAndLoneliness(config.contact)
        volunteering = Volunteering(config.volunteers)
        self.roles = RoleSync(config.roles)
        self.capacity_factor = 1.0  #: share of professional hours available this week (shocks lower it)
        self.contact_factor = 1.0  #: factor on every tie's chance of contact this week (shocks lower it)
        self.mechanisms = [
            Shock(config.shock),
            demography,
            CareDemand(config.demand),
            volunteering,
            LayeredAllocation(config.allocation),
            CarerBurden(config.burden),
            self.contact,
            Signalling(config.signalling, config.burden.heavy_threshold),
            Wijkteam(config.wijkteam),
            MunicipalActions(config.costs),
            self.roles,
            Indicators(config.indicators, config.burden.heavy_threshold, config.burden.over_threshold),
        ]
        demography.init_needs(self)
        self.contact.init_loneliness(self)
        volunteering.init_volunteers(self)
        self._create_agents()
        self._burn_in(config.burn_in_weeks)
        self.agent_counts_at_start = self.agent_counts()

    # -- construction -------------------------------------------------------------------------

    def _build_world(self) -> None:
        cfg = self.config
        rng = self.streams["population"]
        if cfg.network.graph_file:
            loaded = load_graphml(cfg.network.graph_file)
            n = len(loaded.node_ids)
            age = loaded.age if loaded.age is not None else draw_ages(cfg.population, n, rng)
            if loaded.wijk is not None:
                wijk = loaded.wijk.astype(np.int32)
                self.wijk_names = list(loaded.wijk_names or [str(i) for i in range(int(wijk.max()) + 1)])
            else:
                wijk = rng.integers(0, cfg.population.wijken, n).astype(np.int32)
                self.wijk_names = [f"wijk_{i + 1}" for i in range(cfg.population.wijken)]
            household = loaded.household if loaded.household is not None else _households_from_ties(n, loaded)
            self.state = make_state(cfg.population, age, wijk, household, rng)
            self.ties = Ties(loaded.u, loaded.v, loaded.kind, loaded.strength)
            self.node_ids = loaded.node_ids
        else:
            self.state = build_residents(cfg.population, rng)
            self.wijk_names = [f"wijk_{i + 1}" for i in range(cfg.population.wijken)]
            s = self.state
            self.ties = build_ties(cfg.network, s.age, s.wijk, s.household, self.streams["network"])
            self.node_ids = None
        self.n_wijken = len(self.wijk_names)
        self._next_person_id = self.state.n
        self._next_household = int(self.state.household.max(initial=-1)) + 1

    def _create_agents(self) -> None:
        cfg, s = self.config, self.state
        # Resident agents are made when agents are looked at (see _sync_residents): a slot marked stale gets
        # a new Resident for the person living in it now.
        self._residents: dict[int, Resident] = {}
        self._resident_stale = np.ones(s.n, dtype=bool)
        pop_w = np.bincount(s.wijk, minlength=self.n_wijken)
        for kind, per_1000 in (("wijkteam", cfg.wijkteam.fte_per_1000), ("home_care", cfg.wijkteam.home_care_fte_per_1000)):
            for w in range(self.n_wijken):
                fte = per_1000 * pop_w[w] / 1000.0
                whole = int(fte)
                for _ in range(whole):
                    Professional(self, kind, w, 1.0)
                if fte - whole > 1e-9:
                    Professional(self, kind, w, fte - whole)
        for w in range(self.n_wijken):
            CommunityCentre(self, w)
            for _ in range(max(1, round(cfg.population.shops_per_1000 * pop_w[w] / 1000.0)) if cfg.population.shops_per_1000 > 0 else 0):
                Shopkeeper(self, w)
        from samenkracht.scenarios.registry import build_actions

        actions = build_actions(cfg.scenario, self.wijk_names)
        self.municipality = Municipality(self, cfg.scenario.name, actions, cfg.scenario.budget_eur_per_year)
        self.refresh_professionals()
        self.roles.step(self)

    def _burn_in(self, weeks: int) -> None:
        """Step through weeks -weeks … -1 unrecorded, so week 0 starts from a settled state."""
        # Carers at the start have cared for a while already (SCP: many for years); only carers keep this history.
        rng = self.streams["burden.init"]
        self.state.caring_weeks[:] = rng.integers(0, 4 * WEEKS_PER_YEAR, self.state.n)
        self.week = -weeks
        while self.week < 0:
            self.step()
        self.contact.settle(self)
        self.counters.clear()
        self.counters_at_week_start = Counter()
        self.municipality.spent = 0.0

    # -- the agent kinds, for users and tests -------------------------------------------------------

    @property
    def agents(self):
        """All agents, the resident and role agents brought in step with the state arrays first."""
        self._sync_residents()
        self.roles.sync(self)
        return super().agents

    @property
    def agents_by_type(self):
        """Agents by class, the resident and role agents brought in step with the state arrays first."""
        self._sync_residents()
        self.roles.sync(self)
        return super().agents_by_type

    def _sync_residents(self) -> None:
        """Give every stale slot (new at the start, or taken over by a newcomer since) a new Resident agent.

        The arrays are the truth and the weekly step never touches agents, so
        residents who move or die cost no agent bookkeeping until someone looks:
        the cost follows the churn since the last look, not the population.
        """
        stale = np.flatnonzero(self._resident_stale)
        if stale.size == 0:
            return
        for slot in stale.tolist():
            old = self._residents.pop(slot, None)
            if old is not None:
                old.remove()
        living = stale[self.state.alive[stale]]
        if living.size:
            for agent in Resident.create_agents(self, living.size, slot=living):
                self._residents[agent.slot] = agent
        self._resident_stale[stale] = False

    def _agents_of(self, cls: type) -> mesa.agent.AgentSet:
        """The agents of one of the few-in-number kinds (professionals, shops, ...), without syncing residents."""
        return super().agents_by_type.get(cls, mesa.agent.AgentSet([], random=self.random))

    @property
    def professionals(self) -> mesa.agent.AgentSet:
        """All professionals (wijkteam and home care)."""
        return self._agents_of(Professional)

    @property
    def wijkteam_workers(self) -> list[Professional]:
        """The wijkteam's professionals."""
        return self._wijkteam

    @property
    def shopkeepers(self) -> list[Shopkeeper]:
        """All local shops."""
        return list(self._agents_of(Shopkeeper))

    def resident_at(self, slot: int) -> Resident:
        """The Resident agent living in a slot."""
        self._sync_residents()
        return self._residents[int(slot)]

    def agent_counts(self) -> dict[str, int]:
        """Number of agents of each kind, by the names of samenkracht.sim.agents.AGENT_KINDS.

        The resident count is that of the living slots, which is what
        ``len(model.agents_by_type[Resident])`` gives once the Resident agents
        are made (tests/test_model.py checks both); counting does not make them.
        """
        from samenkracht.sim.agents import AGENT_KINDS

        self.roles.sync(self)
        by_type = super().agents_by_type
        counts = {name: len(by_type[cls]) if cls in by_type else 0 for name, cls in AGENT_KINDS.items()}
        counts["residents"] = int(self.state.alive.sum())
        return counts

    def refresh_professionals(self) -> None:
        """Re-read the professionals' wijken, kinds and hours (after professionals are added or removed)."""
        profs = list(self.professionals)
        self._prof_wijk = np.array([a.wijk for a in profs], dtype=np.int64)
        self._prof_home = np.array([a.kind == "home_care" for a in profs], dtype=bool)
        self._prof_hours = np.array([a.hours for a in profs], dtype=float)
        self._wijkteam = [a for a in profs if a.kind == "wijkteam"]
        self.professional_list = profs

    def helped_ties(self) -> np.ndarray:
        """Mask over the tie slots: ties over which informal care flowed this week (the allocation's record;
        ties formed since carried none)."""
        ties = self.ties
        helped = self.flows.get("helped_ties", np.zeros(0, bool))
        if helped.size == ties.m:
            return helped
        return np.concatenate([helped, np.zeros(max(0, ties.m - helped.size), bool)])[: ties.m]

    def formal_capacity_by_wijk(self) -> np.ndarray:
        """Home-care hours at clients available this week, per wijk."""
        home = self._prof_home
        hours = self._prof_hours[home] * self.config.wijkteam.home_care_direct_share * self.capacity_factor
        return np.bincount(self._prof_wijk[home], hours, self.n_wijken)

    def quadrant_hours_by_wijk(self) -> np.ndarray:
        """Wijkteam hours this week per wijk over the four quadrants, shape (wijken, 4)."""
        out = np.zeros((self.n_wijken, 4))
        for a in self._wijkteam:
            out[a.wijk] += a.quadrant_hours
        return out

    # -- the weekly step ---------------------------------------------------------------------------

    @property
    def year(self) -> int:
        """Simulated year of the current week, from 0."""
        return self.week // WEEKS_PER_YEAR

    def step(self) -> None:
        """One week: every mechanism in order."""
        self.counters_at_week_start = self.counters.copy()
        for mechanism in self.mechanisms:
            mechanism.step(self)
        if self.week == -1:
            self._reset_year()
        elif self.week >= 0 and (self.week + 1) % WEEKS_PER_YEAR == 0:
            self._close_year()
        self.week += 1

    def run(self, weeks: int | None = None, on_week: Callable[[], None] | None = None) -> None:
        """Run for ``weeks`` weeks (default: the configured years); ``on_week`` is called after each (progress)."""
        total = self.config.years * WEEKS_PER_YEAR if weeks is None else weeks
        for _ in range(total):
            self.step()
            if on_week is not None:
                on_week()

    def record(self, row: dict[str, Any], per_wijk: dict[str, np.ndarray]) -> None:
        """Keep a week's indicator row and add its per-wijk figures to the year's sums (not during burn-in)."""
        if self.week < 0:
            return
        self.rows.append(row)
        for key, values in per_wijk.items():
            self._wijk_acc[key] = self._wijk_acc[key] + values
        self._wijk_weeks += 1

    def _close_year(self) -> None:
        s = self.state
        adults = s.adults()
        n_adults = max(1, int(adults.sum()))
        gave = adults & s.gave_this_year
        self.yearly[self.year] = {
            "gave_care_share": float(gave.sum() / n_adults),
            "friends_neighbours_carer_share": float((gave & s.helped_friend_or_neighbour).sum() / max(1, int(gave.sum()))),
        }
        weeks = max(1, self._wijk_weeks)
        acc = {k: v / weeks for k, v in self._wijk_acc.items()}
        for w in range(self.n_wijken):
            def share(a: str, b: str) -> float:
                return float(acc[a][w] / acc[b][w]) if acc[b][w] > 0 else 0.0

            self.wijk_rows.append(
                {
                    "year": self.year,
                    "wijk": w,
                    "wijk_name": self.wijk_names[w],
                    "residents": float(acc["residents"][w]),
                    "need_hours": float(acc["need_hours"][w]),
                    "informal_hours": float(acc["informal_hours"][w]),
                    "formal_hours": float(acc["formal_hours"][w]),
                    "unmet_hours": float(acc["unmet_hours"][w]),
                    "carrying_capacity": share("informal_hours", "need_hours"),
                    "carers": float(acc["carers"][w]),
                    "burden_mean": share("burden_sum", "carers"),
                    "heavily_burdened_share": share("heavily_burdened", "carers"),
                    "isolated_share": share("isolated", "adults"),
                    "severely_lonely_share": share("severely_lonely", "adults"),
                }
            )
        self._reset_year()

    def _reset_year(self) -> None:
        s = self.state
        self._wijk_acc = defaultdict(float)
        self._wijk_weeks = 0
        s.gave_this_year[:] = False
        s.helped_friend_or_neighbour[:] = False
        s.helped_relations[:] = 0
        self.ties.compact()

    # -- demography's hook -----------------------------------------------------------------------

    def replace_residents(self, slots: np.ndarray, ages: np.ndarray, arrive: np.ndarray | None = None) -> None:
        """Residents in ``slots`` leave (death); newcomers of the given ages take their places.

        Newcomers who ``arrive`` from elsewhere (a mask over ``slots``; all by
        default) meet a few neighbours and acquaintances.
        """
        if slots.size == 0:
            return
        s = self.state
        rng = self.streams["demography.newcomers"]
        self.ties.remove_residents(slots)
        self.roles.drop_slots(slots)
        self._resident_stale[slots] = True
        s.reset_slots(slots)
        k = slots.size
        s.age[slots] = ages
        s.household[slots] = self._next_household + np.arange(k)
        self._next_household += k
        pop_w = np.bincount(s.wijk[s.alive], minlength=self.n_wijken).astype(float)
        s.wijk[slots] = rng.choice(self.n_wijken, size=k, p=pop_w / pop_w.sum())
        self._new_people(slots, ages, rng)
        s.alive[slots] = True
        arriving = slots if arrive is None else slots[arrive]
        if arriving.size:
            self._tie_newcomers(arriving, rng)

    def _new_people(self, slots: np.ndarray, ages: np.ndarray, rng: np.random.Generator) -> None:
        """New person ids for the people now in ``slots`` (of the given ages), and their drawn traits:
        helping capacity, willingness to help, shopping locally, loneliness baseline."""
        s, pop = self.state, self.config.population
        k = slots.size
        s.person_id[slots] = self._next_person_id + np.arange(k)
        self._next_person_id += k
        s.capacity[slots] = draw_capacity(pop, ages, rng)
        s.willing[slots] = rng.random(k) < pop.willing_share
        s.shops_locally[slots] = rng.random(k) < pop.shops_locally_share
        s.lonely_base[slots] = self.contact.draw_baseline(rng, ages)
        s.loneliness[slots] = np.clip(s.lonely_base[slots], 0, 11)

    def leave_home(self, slots: np.ndarray) -> None:
        """Young adults set up their own household in the same wijk; household ties to those left become family ties."""
        if slots.size == 0:
            return
        s, ties = self.state, self.ties
        s.household[slots] = self._next_household + np.arange(slots.size)
        self._next_household += slots.size
        leaver = np.zeros(s.n, dtype=bool)
        leaver[slots] = True
        moved = ties.alive & (ties.kind == KIND_CODE["household"]) & (leaver[ties.u] | leaver[ties.v])
        ties.kind[moved] = KIND_CODE["family"]
        self.counters["left_home"] += int(slots.size)

    def move_households(self, households: np.ndarray) -> None:
        """Households move away; an arriving household of the same ages takes their slots.

        Every tie of the movers outside their household is lost (family that
        moves away no longer gives care); the arrivals keep their household ties,
        start with no care need, and meet a few neighbours and acquaintances.
        """
        s, ties = self.state, self.ties
        slots = np.flatnonzero(s.alive & np.isin(s.household, households))
        if slots.size == 0:
            return
        rng = self.streams["demography.arrivals"]
        moving = np.zeros(s.n, dtype=bool)
        moving[slots] = True
        remove_touching(ties.u, ties.v, ties.alive, ties.strength, ties.kind, moving, KIND_CODE["household"])
        self.roles.drop_slots(slots)
        self._resident_stale[slots] = True
        ages, household = s.age[slots].copy(), s.household[slots].copy()
        s.reset_slots(slots)
        s.age[slots] = ages
        _, new_hh = np.unique(household, return_inverse=True)
        s.household[slots] = self._next_household + new_hh
        self._next_household += int(new_hh.max()) + 1
        self._new_people(slots, ages, rng)
        s.willing[slots] &= ages >= 18
        adults = slots[ages >= 18]
        if adults.size:
            self._tie_newcomers(adults, rng)
        self.counters["households_moved"] += int(np.unique(household).size)
        self.counters["residents_moved"] += int(slots.size)

    def move_in_together(self, a: np.ndarray, b: np.ndarray) -> None:
        """Residents ``b`` move into the households of residents ``a`` as partners."""
        if a.size == 0:
            return
        s = self.state
        s.household[b] = s.household[a]
        self.ties.add(a, b, np.full(a.size, KIND_CODE["household"]), np.full(a.size, 0.9))
        self.counters["couples_formed"] += int(a.size)

    def place_births(self, slots: np.ndarray) -> None:
        """Newborns (already in ``slots``, aged 0) join the household of a parent aged 25–42."""
        if slots.size == 0:
            return
        s = self.state
        rng = self.streams["demography.births"]
        parents_pool = np.flatnonzero(s.alive & (s.age >= 25) & (s.age <= 42))
        if parents_pool.size == 0:
            return  # no parents: the newborns stay in households of their own
        parents = parents_pool[rng.integers(0, parents_pool.size, slots.size)]
        s.household[slots] = s.household[parents]
        s.wijk[slots] = s.wijk[parents]
        s.willing[slots] = False
        # Tie each newborn to everyone else in their household (a sibling born the same week included).
        in_home = np.flatnonzero(s.alive & np.isin(s.household, s.household[slots]))
        baby = slots[np.argsort(s.household[slots], kind="stable")]
        baby_hh = s.household[baby]
        pos = np.searchsorted(baby_hh, s.household[in_home])
        a, b = baby[np.minimum(pos, baby.size - 1)], in_home
        ok = a != b
        self.ties.add(a[ok], b[ok], np.full(int(ok.sum()), KIND_CODE["household"]), np.full(int(ok.sum()), 0.9))
        self.counters["births"] += int(slots.size)

    def _tie_newcomers(self, slots: np.ndarray, rng: np.random.Generator) -> None:
        """A newcomer meets a few neighbours and acquaintances in their wijk (drawn among adults of that wijk)."""
        s = self.state
        adults = np.flatnonzero(s.adults())
        if adults.size == 0:
            return
        for kind, count, strength in (("neighbour", 2, 0.3), ("acquaintance", 2, 0.2)):
            a = np.repeat(slots, count)
            b = pick_in_wijk(rng, adults, s.wijk[adults], None, s.wijk[a], tries=32)
            ok = b >= 0
            k = int(ok.sum())
            self.ties.add(a[ok], b[ok], np.full(k, KIND_CODE[kind]), np.full(k, strength))

    # -- the graph ---------------------------------------------------------------------------------

    @property
    def graph(self):
        """The social graph as a networkx Graph, built from the tie arrays as they are now."""
        s = self.state
        return to_networkx(self.ties, s.alive, {"age": s.age, "wijk": s.wijk, "household": s.household})


def _households_from_ties(n: int, loaded: Any) -> np.ndarray:
    """Households as the connected components of household ties (everyone else alone)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    hh = loaded.kind == KIND_CODE["household"]
    adj = coo_matrix((np.ones(int(hh.sum())), (loaded.u[hh], loaded.v[hh])), shape=(n, n))
    _, labels = connected_components(adj, directed=False)
    return labels.astype(np.int64)
