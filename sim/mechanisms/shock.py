"""Shocks: a configurable disturbance, to measure how far the social base falls and how fast it recovers.

Kinds: ``professionals_leave`` — a share of all professionals' hours is lost
from the start week, stays lost for ``duration_weeks`` and is then hired back
linearly over ``recovery_weeks``; ``lost_contact`` — a season in which every
tie's chance of contact falls by ``size`` (as in a pandemic), for
``duration_weeks``. The mechanism only sets two factors on the world that the
wijkteam, home care and contact read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from samenkracht.sim.errors import InputError
from samenkracht.sim.mechanisms.base import Mechanism
from samenkracht.sim.params import param
from samenkracht.sim.time import WEEKS_PER_YEAR

if TYPE_CHECKING:
    from samenkracht.sim.world import World

SHOCK_KINDS = ("none", "professionals_leave", "lost_contact")


@dataclass
class ShockParams:
    """One shock: what, when, how large, how long."""

    kind: str = param("none", doc="none, professionals_leave or lost_contact")
    start_year: int = param(5, unit="year", lo=0, hi=200, doc="simulated year in whose first week the shock starts")
    size: float = param(0.2, unit="share", lo=0, hi=1, doc="share of professional hours lost, or of contact lost")
    duration_weeks: int = param(26, unit="weeks", lo=1, hi=1040, doc="how long the full shock lasts")
    recovery_weeks: int = param(
        WEEKS_PER_YEAR,
        unit="weeks",
        lo=0,
        hi=1040,
        doc="weeks over which lost professionals are hired back (after the duration)",
    )

    def check(self, prefix: str) -> None:
        if self.kind not in SHOCK_KINDS:
            raise InputError(f"{prefix}kind={self.kind!r} is not a shock kind; give one of: {', '.join(SHOCK_KINDS)}.")

    def start_week(self) -> int | None:
        """The first week of the shock, or None without a shock."""
        return None if self.kind == "none" else self.start_year * WEEKS_PER_YEAR


class Shock(Mechanism):
    """Sets this week's professional-capacity and contact factors."""

    name = "shock"

    def __init__(self, params: ShockParams) -> None:
        self.params = params

    def step(self, world: World) -> None:
        p = self.params
        world.capacity_factor = 1.0
        world.contact_factor = 1.0
        start = p.start_week()
        if start is None or world.week < start:
            return
        t = world.week - start
        if p.kind == "professionals_leave":
            if t < p.duration_weeks:
                lost = p.size
            elif t < p.duration_weeks + p.recovery_weeks:
                lost = p.size * (1 - (t - p.duration_weeks + 1) / (p.recovery_weeks + 1))
            else:
                lost = 0.0
            world.capacity_factor = 1.0 - lost
        elif p.kind == "lost_contact" and t < p.duration_weeks:
            world.contact_factor = 1.0 - p.size
