"""The world the mechanisms act on: everything they read and write, and nothing else.

A mechanism's ``step`` takes a :class:`World`: the residents' state arrays,
the ties, the levers, the random streams, the week, the event counters, this
week's flows from one mechanism to the next, and the few agents that act in
their own right (professionals, shops, the municipality). The model
(sim/model.py) builds the world and steps the mechanisms over it; no mechanism
sees the model. The world's attributes carry the names the model shows users
(``model.state`` is ``model.world.state``).
"""

from __future__ import annotations

import copy
from collections import defaultdict
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from samenkracht.sim.levers import Levers
from samenkracht.sim.ties import TIE_KINDS
from samenkracht.sim.time import WEEKS_PER_YEAR

if TYPE_CHECKING:
    from samenkracht.sim.config import SimConfig
    from samenkracht.sim.network import Ties
    from samenkracht.sim.rng import Streams
    from samenkracht.sim.state import State


class Professional(Protocol):
    """A professional as the mechanisms see one (the Mesa agent samenkracht.sim.agents.Professional)."""

    kind: str  #: "wijkteam" or "home_care"
    wijk: int
    fte: float
    hours: float  #: working hours this week
    quadrant_hours: np.ndarray  #: this week's hours over the four quadrants

    def step(self) -> None: ...


class Shopkeeper(Protocol):
    """A local shop as the mechanisms and actions see one (samenkracht.sim.agents.Shopkeeper)."""

    wijk: int


class Municipality(Protocol):
    """The municipality as the mechanisms see it (samenkracht.sim.agents.Municipality)."""

    spent: float  #: euros spent since the start

    def apply_actions(self, world: World) -> dict[str, float]: ...


@dataclass
class Counters:
    """Events counted since the end of the burn-in; the weekly indicator row reports each as this week's count."""

    dropouts: int = 0  #: overburdened carers who stopped caring
    carer_illnesses: int = 0  #: overburdened carers who fell ill
    volunteer_matches: int = 0  #: residents who received help from a matched volunteer
    volunteer_dropouts: int = 0  #: volunteers who stopped
    assessments: int = 0  #: referred residents assessed by the wijkteam
    mobilisations: int = 0  #: networks mobilised by the wijkteam (social model)
    carers_supported: int = 0  #: carers taken on for support by the wijkteam
    deaths: int = 0
    signals_shopkeeper: int = 0  #: residents at risk first noticed by a linked shopkeeper
    carers_supported_by_action: int = 0  #: carers taken on by the carer_support action
    networks_strengthened: int = 0  #: networks mapped and mobilised by the network-strengthening action
    respite_hours: float = 0.0  #: respite hours given to heavily burdened carers
    volunteer_match_failures: int = 0  #: residents known to the wijkteam whose volunteer match failed
    births: int = 0
    need_onsets: int = 0  #: residents whose care need started
    left_home: int = 0  #: young adults who set up their own household
    households_moved: int = 0  #: households that moved away (an arriving household took their places)
    residents_moved: int = 0  #: residents of those households
    couples_formed: int = 0  #: adults living alone who moved in with a partner
    ties_lost: int = 0  #: ties weakened below the threshold and lost
    ties_formed: int = 0  #: weak ties formed at shared places
    bridging_ties_formed: int = 0  #: of those, ties between two wijken
    friendships_formed: int = 0  #: acquaintance or neighbour ties grown into friendships
    volunteers_joined: int = 0  #: residents who enrolled as volunteers
    signals_self: int = 0  #: residents at risk who asked for help themselves
    signals_network: int = 0  #: residents at risk first noticed by family, friends or neighbours
    signals_professional: int = 0  #: residents at risk first noticed by a professional who already sees them
    reassessments: int = 0  #: of the assessments, residents assessed before within the review interval
    reviews: int = 0  #: indications reviewed by the wijkteam at their review date
    indications_closed: int = 0  #: indications closed because the need ended (at once, or found at a review)
    referrals_turned_away: int = 0  #: referrals turned away because the wijkteam's queue was full
    carers_known: int = 0  #: carers who became known to the wijkteam at the assessment of the one they care for
    support_declined: int = 0  #: known carers offered an action's support (conversations, respite) who declined
    formal_personal_hours: float = 0.0  #: hours of formal personal care given (wijkverpleging, Zvw)
    formal_practical_hours: float = 0.0  #: hours of formal household help given (Wmo)
    wijkteam_cost_eur: float = 0.0  #: the wijkteam's cost (Wmo)
    carer_ill_weeks: float = 0.0  #: weeks of carers of working age ill from overburden (one a carer a week)
    wlz_admissions: int = 0  #: residents admitted to a care home (Wlz)
    wlz_resident_weeks: float = 0.0  #: weeks lived in a care home (Wlz) by residents of the municipality
    wlz_cost_eur: float = 0.0  #: cost of the Wlz care of residents in a care home

    def __getitem__(self, name: str) -> int | float:
        """A counter by name; only the declared counters exist."""
        return getattr(self, _counter(name))

    def __setitem__(self, name: str, value: int | float) -> None:
        setattr(self, _counter(name), value)

    def since(self, earlier: Counters) -> dict[str, int | float]:
        """Each counter's events since ``earlier`` (a copy taken then), by counter name."""
        return {name: getattr(self, name) - getattr(earlier, name) for name in COUNTER_NAMES}


#: The counters, in the order of their columns in the weekly indicator row.
COUNTER_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Counters))


def _counter(name: str) -> str:
    if name not in COUNTER_NAMES:
        raise KeyError(f"no counter {name!r}; the counters are the fields of Counters")
    return name


@dataclass
class Flows:
    """This week's results that one mechanism hands to another (the wijkteam's new-tie rate to next week's contact)."""

    helped_ties: np.ndarray  #: per tie slot: informal care flowed over it this week (allocation → contact, wijkteam)
    hours_by_tie_kind: np.ndarray  #: informal hours given over each kind of tie (allocation → indicators)
    alone: np.ndarray  #: per resident: gives care to someone who has no other informal helper (allocation → burden)
    by_layer: dict[str, np.ndarray] = field(default_factory=dict)  #: hours by kind of care given by each layer
    volunteer_hours: float = 0.0  #: hours given by matched volunteers (allocation → indicators)
    relatives_elsewhere_hours: float = 0.0  #: hours given from a distance by adult children living elsewhere
    formal_personal: float = 0.0  #: formal personal-care hours given (allocation → municipality)
    formal_practical: float = 0.0  #: formal practical-help hours given (allocation → municipality)
    extra_ties_w: np.ndarray | float = 0.0  #: weak ties a week per wijk from collective work (wijkteam → contact)
    formal_cost_eur: float = 0.0  #: this week's cost of formal care (municipality → indicators)
    municipal_cost_eur: float = 0.0  #: this week's cost to the municipality (municipality → indicators)
    action_cost_eur: dict[str, float] = field(default_factory=dict)  #: this week's cost by action label
    budget_level: float = 1.0  #: level the budget cap lets actions run at (Municipality → indicators)
    wait_weeks_mean: float = 0.0  #: mean weeks residents in the intake queue have waited so far (wijkteam → ...)

    @classmethod
    def empty(cls, n: int) -> Flows:
        """The flows before the first week: nothing given, over no tie."""
        return cls(np.zeros(0, bool), np.zeros(len(TIE_KINDS)), np.zeros(n, dtype=bool))


class World:
    """The state, ties, levers, random streams, week, counters and flows the mechanisms work on."""

    def __init__(self, config: SimConfig, state: State, ties: Ties, wijk_names: list[str], streams: Streams) -> None:
        self.config = config
        self.state = state
        self.ties = ties
        self.streams = streams
        self.wijk_names = wijk_names
        self.n_wijken = len(wijk_names)
        self.levers = Levers(self.n_wijken)
        self.week = 0
        self.counters = Counters()
        self.counters_at_week_start = Counters()
        self.flows = Flows.empty(state.n)
        self.capacity_factor = 1.0  #: share of professional hours available this week (shocks lower it)
        self.contact_factor = 1.0  #: factor on every tie's chance of contact this week (shocks lower it)
        self.next_person_id = state.n  #: the person id the next newcomer gets
        self.next_household = int(state.household.max(initial=-1)) + 1  #: the next new household's index
        self.care_home_ages = np.zeros(0)  #: ages of the municipality's residents in care homes (sim/mechanisms/wlz.py)
        self.adults_by_age: Any = None  #: the adults by age, kept between a week's newcomers (sim/residents.py)
        # The agents that act in their own right, set by the model once they exist.
        self.municipality: Municipality | None = None
        self.shopkeepers: list[Shopkeeper] = []
        self.set_professionals([])
        # The record: weekly rows, yearly figures, per-wijk rows and this year's per-wijk sums behind them.
        self.rows: list[dict[str, Any]] = []
        self.yearly: dict[int, dict[str, float]] = {}
        self.wijk_rows: list[dict[str, Any]] = []
        self.wijk_sums: dict[str, np.ndarray] = defaultdict(float)
        self.wijk_weeks = 0

    @property
    def year(self) -> int:
        """Simulated year of the current week, from 0."""
        return self.week // WEEKS_PER_YEAR

    def is_last_week_of_year(self) -> bool:
        """Whether this week closes a recorded year."""
        return self.week >= 0 and (self.week + 1) % WEEKS_PER_YEAR == 0

    def begin_week(self) -> None:
        """Remember the counters at the start of the week, for the week's counts."""
        self.counters_at_week_start = copy.copy(self.counters)

    def set_professionals(self, professionals: list[Professional]) -> None:
        """Take the professionals' wijken, kinds and hours (at the start, and after professionals change)."""
        self.professional_list = professionals
        self.wijkteam_workers = [a for a in professionals if a.kind == "wijkteam"]
        self._prof_wijk = np.array([a.wijk for a in professionals], dtype=np.int64)
        self._prof_home = np.array([a.kind == "home_care" for a in professionals], dtype=bool)
        self._prof_hours = np.array([a.hours for a in professionals], dtype=float)

    def helped_ties(self) -> np.ndarray:
        """Mask over the tie slots: ties over which informal care flowed this week (the allocation's record;
        ties formed since carried none)."""
        ties, helped = self.ties, self.flows.helped_ties
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
        for a in self.wijkteam_workers:
            out[a.wijk] += a.quadrant_hours
        return out

    def record(self, row: dict[str, Any], per_wijk: dict[str, np.ndarray]) -> None:
        """Keep a week's indicator row and add its per-wijk figures to the year's sums (not during burn-in)."""
        if self.week < 0:
            return
        self.rows.append(row)
        for key, values in per_wijk.items():
            self.wijk_sums[key] = self.wijk_sums[key] + values
        self.wijk_weeks += 1
