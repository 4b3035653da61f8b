"""The six kinds of agent of the design card, as Mesa agents, plus the places the municipality links to.

Residents and their roles (informal carer, neighbour, volunteer) are thin
views on the state arrays: reading an attribute reads the array, so
``model.agents``, AgentSets, the DataCollector and SolaraViz all work, while
the weekly mechanisms act on all residents at once (a resident's weekly acts
are the vectorised mechanisms listed in ``CareNetworkModel.mechanisms``).
These view agents are made when agents are looked at (``model.agents``,
``model.agents_by_type``, ``model.resident_at``), for the residents living in
the slots at that moment, so the weekly step pays nothing for them.
Professionals, the municipality, shopkeepers and community centres are few,
and are ordinary Mesa agents that act in their own ``step``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

from samenkracht.sim.state import CARE_KINDS
from samenkracht.sim.time import WEEKS_PER_YEAR

_log = logging.getLogger("samenkracht")

if TYPE_CHECKING:
    from samenkracht.sim.model import CareNetworkModel
    from samenkracht.sim.world import World


class Resident(mesa.Agent):
    """A resident of the municipality: a view on slot ``slot`` of the state arrays."""

    def __init__(self, model: CareNetworkModel, slot: int) -> None:
        super().__init__(model)
        self.slot = int(slot)
        self.person_id = int(model.state.person_id[slot])

    def _get(self, name: str) -> Any:
        return getattr(self.model.state, name)[self.slot]

    age = property(lambda self: float(self._get("age")), doc="age in years")
    wijk = property(lambda self: int(self._get("wijk")), doc="wijk index")
    household = property(lambda self: int(self._get("household")), doc="household index")
    loneliness = property(lambda self: float(self._get("loneliness")), doc="loneliness score, 0–11")
    burden = property(lambda self: float(self._get("burden")), doc="carer burden, 0–10")
    capacity = property(lambda self: float(self._get("capacity")), doc="hours a week they can give to others")
    hours_given = property(lambda self: float(self._get("given")), doc="informal hours given last week")
    severity = property(lambda self: float(self._get("severity")), doc="severity of their care need, 0 = none")
    is_carer = property(lambda self: bool(self._get("carer")))
    is_volunteer = property(lambda self: bool(self._get("volunteer")))

    @property
    def need(self) -> dict[str, float]:
        """Hours a week asked, by kind of care."""
        return dict(zip(CARE_KINDS, self.model.state.need[self.slot].tolist()))

    @property
    def unmet(self) -> float:
        """Hours of last week's need that nobody gave."""
        return float(self.model.state.unmet[self.slot].sum())

    def ties(self) -> list[tuple[int, str, float]]:
        """This resident's ties as (other slot, kind, strength)."""
        from samenkracht.sim.ties import TIE_KINDS

        t = self.model.ties
        mine = t.alive & ((t.u == self.slot) | (t.v == self.slot))
        other = np.where(t.u[mine] == self.slot, t.v[mine], t.u[mine])
        return [(int(o), TIE_KINDS[k], float(s)) for o, k, s in zip(other, t.kind[mine], t.strength[mine])]


class _RoleView(mesa.Agent):
    """A role a resident has taken up, tied to their slot; created and removed as the role starts and ends."""

    def __init__(self, model: CareNetworkModel, slot: int) -> None:
        super().__init__(model)
        self.slot = int(slot)

    @property
    def resident(self) -> Resident:
        """The resident in this role."""
        return self.model.resident_at(self.slot)

    age = property(lambda self: float(self.model.state.age[self.slot]))
    wijk = property(lambda self: int(self.model.state.wijk[self.slot]))


class InformalCarer(_RoleView):
    """A mantelzorger: a resident who gave informal care in the last weeks (allocation and burden act for them)."""

    burden = property(lambda self: float(self.model.state.burden[self.slot]), doc="burden, 0–10")
    hours_given = property(lambda self: float(self.model.state.given[self.slot]), doc="hours given last week")
    caring_weeks = property(lambda self: int(self.model.state.caring_weeks[self.slot]))


class Neighbour(_RoleView):
    """A resident who helps someone over a neighbour or acquaintance tie (the allocation's neighbour layer)."""

    hours_given = property(lambda self: float(self.model.state.given[self.slot]))


class Volunteer(_RoleView):
    """A resident enrolled with buurthulp or a welfare organisation. Acts through the allocation's volunteer layer."""

    capacity = property(lambda self: float(self.model.state.capacity[self.slot]))


class Professional(mesa.Agent):
    """A wijkteam worker or home-care professional with weekly hours, working in one wijk."""

    def __init__(self, model: CareNetworkModel, kind: str, wijk: int, fte: float = 1.0) -> None:
        super().__init__(model)
        self.kind = kind  #: "wijkteam" or "home_care"
        self.wijk = int(wijk)
        self.fte = float(fte)
        self.quadrant_hours = np.zeros(4)  #: this week's hours over own network, institutional, collective, policy

    @property
    def hours(self) -> float:
        """Working hours this week."""
        return self.fte * self.model.config.wijkteam.hours_per_fte

    def step(self) -> None:
        """Plan the week: a wijkteam worker splits time over the netwerkkwadrant; home care gives direct hours."""
        params, levers = self.model.config.wijkteam, self.model.levers
        if self.kind == "wijkteam":
            factor = levers.wijkteam_fte_factor[self.wijk]
            mix = levers.quadrant_mix[self.wijk]
            mix = np.asarray(params.quadrant_mix) if np.isnan(mix).any() else mix
            self.quadrant_hours = mix * self.hours * factor * self.model.capacity_factor
        else:
            self.quadrant_hours = np.zeros(4)


class Municipality(mesa.Agent):
    """The municipality: a yearly budget and a portfolio of scheduled actions."""

    def __init__(self, model: CareNetworkModel, name: str, actions: list, budget_eur_per_year: float | None) -> None:
        super().__init__(model)
        self.name = name
        self.actions = actions
        self.budget_eur_per_year = budget_eur_per_year
        self.spent = 0.0  #: euros spent since the start
        self.capped_years: list[int] = []  #: years in which the budget cap scaled actions down

    def apply_actions(self, world: World) -> dict[str, float]:
        """Set the levers of this week's active actions; return this week's cost per action label (€).

        When the active actions cost more a year than the budget cap, every
        action runs at the same reduced level (budget ÷ cost), and so costs.
        """
        active = [a for a in self.actions if a.active(world)]
        yearly = {a.label: a.yearly_cost(world) for a in active}
        spending = sum(c for c in yearly.values() if c > 0)
        level = 1.0
        if self.budget_eur_per_year is not None and spending > self.budget_eur_per_year:
            level = self.budget_eur_per_year / spending
            if world.year not in self.capped_years:
                self.capped_years.append(world.year)
                _log.warning(
                    "year %d: actions cost €%s a year, over the budget of €%s: every action scaled down to %.0f%%",
                    world.year + 1,
                    f"{spending:,.0f}",
                    f"{self.budget_eur_per_year:,.0f}",
                    level * 100,
                )
        for action in active:
            action.set_levers(world, level)
        world.flows.budget_level = level
        costs = {a.label: 0.0 for a in self.actions}
        for label, cost in yearly.items():
            costs[label] = (cost * level if cost > 0 else cost) / WEEKS_PER_YEAR
        return costs


class Shopkeeper(mesa.Agent):
    """A local shop; when linked by the municipality it is a signalling point for residents at risk."""

    def __init__(self, model: CareNetworkModel, wijk: int) -> None:
        super().__init__(model)
        self.wijk = int(wijk)

    @property
    def linked(self) -> bool:
        """Whether this shop is a signalling point this week."""
        return bool(self.model.levers.shop_signal[self.wijk] > 0)


class CommunityCentre(mesa.Agent):
    """A wijk's community centre, where weak ties form (more with municipal activities)."""

    def __init__(self, model: CareNetworkModel, wijk: int) -> None:
        super().__init__(model)
        self.wijk = int(wijk)

    @property
    def activity(self) -> float:
        """Rate of tie formation relative to the baseline."""
        return float(self.model.levers.tie_formation_factor[self.wijk])


#: The role arrays of the state and the agent classes that show them.
ROLES: tuple[tuple[str, type[_RoleView]], ...] = (
    ("carer", InformalCarer),
    ("neighbour_helper", Neighbour),
    ("volunteer", Volunteer),
)


class AgentViews:
    """The Resident and role agents, brought in step with the state arrays whenever agents are looked at.

    The arrays are the truth and the weekly step never touches these agents.
    Each view remembers the ``person_id`` it shows; a slot whose occupant (or
    role) changed since the last look gets a new agent, and its old one is
    removed. So residents who move or die, and roles that start or end, cost
    no agent bookkeeping until someone looks: the cost follows the churn since
    the last look, not the population.
    """

    def __init__(self, model: CareNetworkModel) -> None:
        self.model = model
        n = model.state.n
        self.residents: dict[int, Resident] = {}
        self._resident_of = np.full(n, -1, dtype=np.int64)  #: person shown by each slot's Resident (-1: none)
        self._roles: dict[str, dict[int, _RoleView]] = {role: {} for role, _ in ROLES}
        self._role_of = {role: np.full(n, -1, dtype=np.int64) for role, _ in ROLES}
        self._syncing = False

    def sync(self) -> None:
        """Bring the Resident and the role agents in step with the state."""
        self.sync_residents()
        self.sync_roles()

    def sync_residents(self) -> None:
        """Give every living slot whose occupant changed a new Resident agent (the old one is removed)."""
        s = self.model.state
        shown = np.where(s.alive, s.person_id, -1)
        stale = np.flatnonzero(self._resident_of != shown)
        if stale.size == 0:
            return
        for slot in stale.tolist():
            old = self.residents.pop(slot, None)
            if old is not None:
                old.remove()
        living = stale[s.alive[stale]]
        if living.size:
            for agent in Resident.create_agents(self.model, living.size, slot=living):
                self.residents[agent.slot] = agent
        self._resident_of[stale] = shown[stale]

    def sync_roles(self) -> None:
        """Create and remove role agents so they match the role arrays (and the slots' occupants)."""
        if self._syncing:
            return
        self._syncing = True
        try:
            s = self.model.state
            for role, cls in ROLES:
                shown = np.where(getattr(s, role) & s.alive, s.person_id, -1)
                was = self._role_of[role]
                changed = np.flatnonzero(was != shown)
                agents = self._roles[role]
                for slot in changed[was[changed] >= 0].tolist():
                    agents.pop(slot).remove()
                for slot in changed[shown[changed] >= 0].tolist():
                    agents[slot] = cls(self.model, slot)
                was[changed] = shown[changed]
        finally:
            self._syncing = False


AGENT_KINDS: dict[str, type[mesa.Agent]] = {
    "residents": Resident,
    "informal_carers": InformalCarer,
    "neighbours": Neighbour,
    "volunteers": Volunteer,
    "professionals": Professional,
    "municipality": Municipality,
    "shopkeepers": Shopkeeper,
    "community_centres": CommunityCentre,
}
