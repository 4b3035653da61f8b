"""Roles: who is an informal carer and who a neighbour helper this week.

A resident is an informal carer while they gave informal care in the last
``carer_window`` weeks, and a neighbour while they helped over a neighbour or
acquaintance tie in that window.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from samenkracht.sim.mechanisms.base import Mechanism
from samenkracht.sim.params import param
from samenkracht.sim.time import WEEKS_PER_YEAR

if TYPE_CHECKING:
    from samenkracht.sim.world import World


@dataclass
class RoleParams:
    """When a resident counts as being in a role."""

    carer_window: int = param(
        4,
        unit="weeks",
        lo=1,
        hi=WEEKS_PER_YEAR,
        doc="a carer (neighbour helper) gave informal care (over a neighbour tie) in this many last weeks",
    )


class RoleSync(Mechanism):
    """Updates the carer and neighbour-helper role arrays each week.

    The arrays are the truth; the Mesa role agents follow them when agents are
    looked at (``AgentViews`` in sim/agents.py).
    """

    name = "roles"

    def __init__(self, params: RoleParams) -> None:
        self.params = params

    def step(self, world: World) -> None:
        s = world.state
        window = self.params.carer_window
        s.carer = s.alive & (world.week - s.last_gave < window)
        s.neighbour_helper = s.alive & (world.week - s.last_helped_neighbour < window)
