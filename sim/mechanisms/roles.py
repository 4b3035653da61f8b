"""Roles: keeps the Mesa role agents (informal carers, neighbours, volunteers) in step with the role arrays.

A resident is an informal carer while they gave informal care in the last
``carer_window`` weeks, and a neighbour while they helped over a neighbour or
acquaintance tie in that window. Only residents whose role changed this week are
touched, so the cost follows the churn, not the population.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from samenkracht.sim.params import param
from samenkracht.sim.time import WEEKS_PER_YEAR

if TYPE_CHECKING:
    from samenkracht.sim.model import CareNetworkModel


@dataclass
class RoleParams:
    """When a resident counts as being in a role."""

    carer_window: int = param(
        4, unit="weeks", lo=1, hi=WEEKS_PER_YEAR,
        doc="a carer (or neighbour helper) is someone who gave informal care (over a neighbour tie) in this many last weeks",
    )


class RoleSync:
    """Updates the role arrays each week; creates and removes role agents when the agents are looked at.

    The arrays are the truth. The Mesa role agents follow them lazily: the
    model brings them in step whenever ``model.agents`` or
    ``model.agents_by_type`` is read (by a user, the DataCollector, SolaraViz
    or the manifest), touching only residents whose role changed.
    """

    name = "roles"
    #: Role arrays of the state and the names of their agent classes in samenkracht.sim.agents (imported when agents are made).
    ROLES = (("carer", "InformalCarer"), ("neighbour_helper", "Neighbour"), ("volunteer", "Volunteer"))

    def __init__(self, params: RoleParams) -> None:
        self.params = params
        self._agents: dict[str, dict[int, object]] = {role: {} for role, _ in self.ROLES}
        self._has: dict[str, np.ndarray] = {}
        self._syncing = False

    def step(self, model: CareNetworkModel) -> None:
        s = model.state
        window = self.params.carer_window
        s.carer = s.alive & (model.week - s.last_gave < window)
        s.neighbour_helper = s.alive & (model.week - s.last_helped_neighbour < window)

    def sync(self, model: CareNetworkModel) -> None:
        """Create and remove role agents so they match the role arrays."""
        if self._syncing:
            return
        from samenkracht.sim import agents as agent_classes

        self._syncing = True
        try:
            s = model.state
            for role, class_name in self.ROLES:
                cls = getattr(agent_classes, class_name)
                now = getattr(s, role) & s.alive
                had = self._has.get(role)
                if had is None:
                    had = np.zeros(s.n, dtype=bool)
                agents = self._agents[role]
                for slot in np.flatnonzero(had & ~now):
                    agents.pop(int(slot)).remove()
                for slot in np.flatnonzero(now & ~had):
                    agents[int(slot)] = cls(model, int(slot))
                self._has[role] = now.copy()
        finally:
            self._syncing = False

    def drop_slots(self, slots: np.ndarray) -> None:
        """Remove every role agent of the given slots (a resident left)."""
        for role, _ in self.ROLES:
            has = self._has.get(role)
            for slot in slots:
                agent = self._agents[role].pop(int(slot), None)
                if agent is not None:
                    agent.remove()
                if has is not None:
                    has[int(slot)] = False
