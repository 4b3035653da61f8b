"""The care-network model: a synthetic (or loaded) municipality stepped week by week through the mechanisms.

The model builds the world the mechanisms act on (sim/world.py: state, ties,
levers, random streams, the week, counters and flows) and the Mesa agents, and
its step is the list ``self.mechanisms``, in the order of docs/ODD.md. What
mechanisms use, the model shows under the same names: ``model.state`` is
``model.world.state``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mesa
import numpy as np

from samenkracht.sim.actions import build_actions
from samenkracht.sim.agents import (
    AGENT_KINDS,
    AgentViews,
    CommunityCentre,
    Municipality,
    Professional,
    Resident,
    Shopkeeper,
)
from samenkracht.sim.config import SimConfig
from samenkracht.sim.graph_io import load_graphml
from samenkracht.sim.mechanisms.allocation import LayeredAllocation
from samenkracht.sim.mechanisms.base import Mechanism
from samenkracht.sim.mechanisms.burden import CarerBurden
from samenkracht.sim.mechanisms.contact import ContactAndLoneliness
from samenkracht.sim.mechanisms.demand import CareDemand
from samenkracht.sim.mechanisms.demography import Demography
from samenkracht.sim.mechanisms.indicators import Indicators
from samenkracht.sim.mechanisms.kin_elsewhere import RelativesElsewhere
from samenkracht.sim.mechanisms.municipality import MunicipalActions
from samenkracht.sim.mechanisms.roles import RoleSync
from samenkracht.sim.mechanisms.shock import Shock
from samenkracht.sim.mechanisms.signalling import Signalling
from samenkracht.sim.mechanisms.volunteering import Volunteering
from samenkracht.sim.mechanisms.wijkteam import Wijkteam
from samenkracht.sim.mechanisms.wlz import WlzRoute
from samenkracht.sim.mechanisms.year_end import YearEnd
from samenkracht.sim.network import Ties, build_ties, to_networkx
from samenkracht.sim.params import validate
from samenkracht.sim.population import build_residents, draw_ages, make_state
from samenkracht.sim.rng import Streams
from samenkracht.sim.ties import KIND_CODE
from samenkracht.sim.time import WEEKS_PER_YEAR
from samenkracht.sim.world import Counters, World

#: The world's parts that the model shows under the same names.
WORLD_PARTS = (
    "config", "state", "ties", "levers", "streams", "week", "year", "counters", "flows", "n_wijken", "wijk_names",
    "municipality", "rows", "wijk_rows", "yearly", "capacity_factor", "contact_factor", "wijkteam_workers",
    "shopkeepers",
)  # fmt: skip


class _OfWorld:
    """A model attribute that is the world's attribute of the same name."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, model: Any, owner: type | None = None) -> Any:
        return self if model is None else getattr(model.world, self.name)

    def __set__(self, model: Any, value: Any) -> None:
        setattr(model.world, self.name, value)


class CareNetworkModel(mesa.Model):
    """A municipality's formal–informal care network, one step per week."""

    def __init__(self, config: SimConfig | None = None) -> None:
        config = config if config is not None else SimConfig()
        validate(config)
        super().__init__(rng=config.seed)
        self.world, self.node_ids = _build_world(config)  # node_ids: the graph file's id of each slot
        self.mechanisms: list[Mechanism] = [  # one week, in order:
            Shock(config.shock),  # this week's professional hours and contact, when a shock is configured
            Demography(config.demography),  # ageing, couples, leaving home, moves, deaths, births, care needs
            RelativesElsewhere(config.kin),  # relatives outside the municipality: drawn, ageing, needing care
            WlzRoute(config.wlz, config.demography, config.costs.wlz_eur_per_week),  # into a care home (Wlz)
            CareDemand(config.demand),  # hours asked, by kind of care
            Volunteering(config.volunteers),  # volunteers drop out and enrol
            LayeredAllocation(config.allocation),  # the onion: household → … → professionals; the rest unmet
            CarerBurden(config.burden),  # burden; dropout and illness of the overburdened
            ContactAndLoneliness(config.contact),  # contact over ties, tie strength, new weak ties, loneliness
            Signalling(config.signalling, config.burden.heavy_threshold),  # those at risk noticed and referred
            Wijkteam(config.wijkteam),  # assessment, network mobilisation, carer support, collective work
            MunicipalActions(config.costs),  # levers of this week's actions; costs
            RoleSync(config.roles),  # carer and neighbour-helper roles
            Indicators(config.indicators, config.burden.heavy_threshold, config.burden.over_threshold),
            YearEnd(),  # after a year's last week: yearly and per-wijk figures; the year's marks cleared
        ]
        for mechanism in self.mechanisms:
            mechanism.start(self.world)
        self._create_agents()
        self._burn_in(config.burn_in_weeks)
        self.agent_counts_at_start = self.agent_counts()

    def _create_agents(self) -> None:
        cfg, world = self.config, self.world
        self._views = AgentViews(self)
        pop_w = np.bincount(self.state.wijk, minlength=self.n_wijken)
        staffing = (("wijkteam", cfg.wijkteam.fte_per_1000), ("home_care", cfg.wijkteam.home_care_fte_per_1000))
        for kind, per_1000 in staffing:
            for w in range(self.n_wijken):
                fte = per_1000 * pop_w[w] / 1000.0
                whole = int(fte)
                for _ in range(whole):
                    Professional(self, kind, w, 1.0)
                if fte - whole > 1e-9:
                    Professional(self, kind, w, fte - whole)
        for w in range(self.n_wijken):
            CommunityCentre(self, w)
            per_1000 = cfg.population.shops_per_1000
            for _ in range(max(1, round(per_1000 * pop_w[w] / 1000.0)) if per_1000 > 0 else 0):
                Shopkeeper(self, w)
        actions = build_actions(cfg.scenario, self.wijk_names)
        world.municipality = Municipality(self, cfg.scenario.name, actions, cfg.scenario.budget_eur_per_year)
        world.shopkeepers = list(self._agents_of(Shopkeeper))
        self.refresh_professionals()

    def _burn_in(self, weeks: int) -> None:
        """Step through weeks -weeks … -1 unrecorded, so week 0 starts from a settled state."""
        # Carers at the start have cared for a while already (SCP: many for years); only carers keep this history.
        self.state.caring_weeks[:] = self.streams["burden.init"].integers(0, 4 * WEEKS_PER_YEAR, self.state.n)
        self.week = -weeks
        while self.week < 0:
            self.step()
        for mechanism in self.mechanisms:
            mechanism.settle(self.world)
        self.counters = Counters()
        self.world.counters_at_week_start = Counters()
        self.municipality.spent = 0.0

    # -- the agent kinds, for users and tests -------------------------------------------------------

    @property
    def agents(self):
        """All agents, the resident and role agents brought in step with the state arrays first."""
        self._views.sync()
        return super().agents

    @property
    def agents_by_type(self):
        """Agents by class, the resident and role agents brought in step with the state arrays first."""
        self._views.sync()
        return super().agents_by_type

    def _agents_of(self, cls: type) -> mesa.agent.AgentSet:
        """The agents of one of the few-in-number kinds (professionals, shops, ...), without syncing residents."""
        return super().agents_by_type.get(cls, mesa.agent.AgentSet([], random=self.random))

    @property
    def professionals(self) -> mesa.agent.AgentSet:
        """All professionals (wijkteam and home care)."""
        return self._agents_of(Professional)

    def resident_at(self, slot: int) -> Resident:
        """The Resident agent living in a slot."""
        self._views.sync_residents()
        return self._views.residents[int(slot)]

    def agent_counts(self) -> dict[str, int]:
        """Number of agents of each kind, by the names of samenkracht.sim.agents.AGENT_KINDS; the resident count is
        that of the living slots, what ``len(model.agents_by_type[Resident])`` gives once the Resident agents are
        made (tests/test_model.py checks both); counting does not make them."""
        self._views.sync_roles()
        by_type = super().agents_by_type
        counts = {name: len(by_type[cls]) if cls in by_type else 0 for name, cls in AGENT_KINDS.items()}
        counts["residents"] = int(self.state.alive.sum())
        return counts

    def refresh_professionals(self) -> None:
        """Re-read the professionals' wijken, kinds and hours (after professionals are added or removed)."""
        self.world.set_professionals(list(self.professionals))

    # -- the weekly step ---------------------------------------------------------------------------

    def step(self) -> None:
        """One week: every mechanism in order, the year's close last."""
        self.world.begin_week()
        for mechanism in self.mechanisms:
            mechanism.step(self.world)
        self.week += 1

    def run(self, weeks: int | None = None, on_week: Callable[[], None] | None = None) -> None:
        """Run for ``weeks`` weeks (default: the configured years); ``on_week`` is called after each (progress)."""
        total = self.config.years * WEEKS_PER_YEAR if weeks is None else weeks
        for _ in range(total):
            self.step()
            if on_week is not None:
                on_week()

    @property
    def graph(self):
        """The social graph as a networkx Graph (kind, strength, kin relation on edges), from the tie arrays now."""
        s = self.state
        return to_networkx(self.ties, s.alive, {"age": s.age, "wijk": s.wijk, "household": s.household})


def _build_world(cfg: SimConfig) -> tuple[World, list[str] | None]:
    """The residents and their ties, drawn (or loaded from the configured graph file), as a world at week 0;
    and the graph file's node ids by slot (None for a synthetic municipality)."""
    streams = Streams(cfg.seed)
    rng = streams["population"]
    if cfg.network.graph_file:
        loaded = load_graphml(cfg.network.graph_file)
        n = len(loaded.node_ids)
        age = loaded.age if loaded.age is not None else draw_ages(cfg.population, n, rng)
        if loaded.wijk is not None:
            wijk = loaded.wijk.astype(np.int32)
            wijk_names = list(loaded.wijk_names or [str(i) for i in range(int(wijk.max()) + 1)])
        else:
            wijk = rng.integers(0, cfg.population.wijken, n).astype(np.int32)
            wijk_names = [f"wijk_{i + 1}" for i in range(cfg.population.wijken)]
        household = loaded.household if loaded.household is not None else _households_from_ties(n, loaded)
        state = make_state(cfg.population, age, wijk, household, rng)
        ties = Ties(loaded.u, loaded.v, loaded.kind, loaded.strength, loaded.rel)
        node_ids = loaded.node_ids
    else:
        state = build_residents(cfg.population, rng)
        wijk_names = [f"wijk_{i + 1}" for i in range(cfg.population.wijken)]
        ties = build_ties(cfg.network, state.age, state.wijk, state.household, streams["network"])
        node_ids = None
    return World(cfg, state, ties, wijk_names, streams), node_ids


def _households_from_ties(n: int, loaded: Any) -> np.ndarray:
    """Households as the connected components of household ties (everyone else alone)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    hh = loaded.kind == KIND_CODE["household"]
    adj = coo_matrix((np.ones(int(hh.sum())), (loaded.u[hh], loaded.v[hh])), shape=(n, n))
    _, labels = connected_components(adj, directed=False)
    return labels.astype(np.int64)


# The world's parts, shown under the model's names (wijkteam_workers and shopkeepers: lists of those agents).
for _part in WORLD_PARTS:
    setattr(CareNetworkModel, _part, _OfWorld(_part))
