"""Volunteering: willing residents enrol with buurthulp or a welfare organisation, and drop out again.

Volunteers drop out faster without a professional as backup (achterwacht);
municipal actions set the per-wijk dropout factor and extra recruitment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from samenkracht.sim.kernels_care import volunteer_turnover
from samenkracht.sim.mechanisms.base import Mechanism
from samenkracht.sim.params import param
from samenkracht.sim.time import WEEKS_PER_YEAR

if TYPE_CHECKING:
    from samenkracht.sim.world import World


@dataclass
class VolunteerParams:
    """Enrolment and dropout of volunteers."""

    share: float = param(
        0.04,
        unit="share of willing adults",
        lo=0,
        hi=1,
        doc="willing adults enrolled as care volunteers at the start",
        source="CBS: about 6% of adults do volunteer work in care and welfare; fewer take on individual matches",
    )
    dropout_rate: float = param(0.3, unit="per year", lo=0, hi=WEEKS_PER_YEAR, doc="rate at which volunteers stop")
    max_age: float = param(80.0, unit="years", lo=18, hi=110, doc="oldest age at which residents volunteer")


class Volunteering(Mechanism):
    """Enrols and loses volunteers; recruitment replaces dropouts at the configured share."""

    name = "volunteering"

    def __init__(self, params: VolunteerParams) -> None:
        self.params = params

    def start(self, world: World) -> None:
        """Enrol the share of willing adults who volunteer at the start."""
        s = world.state
        rng = world.streams["volunteering.init"]
        pool = self._pool(world)
        s.volunteer[:] = pool & (rng.random(s.n) < self.params.share)

    def _pool(self, world: World):
        s = world.state
        return s.alive & s.willing & (s.age >= 18) & (s.age <= self.params.max_age) & (s.severity <= 0)

    def step(self, world: World) -> None:
        s, p = world.state, self.params
        rng = world.streams.weekly(self.name, world.week)
        u_drop, u_join = rng.random((2, s.n))
        # Recruitment keeps the baseline share; actions recruit more. One compiled pass (sim/kernels_care.py):
        # volunteers stop (their chance, a heavier need, death); then the willing who are not volunteers may join.
        join_rate = p.share * p.dropout_rate / WEEKS_PER_YEAR / max(1e-9, 1.0 - p.share)
        stopped, joined = volunteer_turnover(
            s.volunteer,
            s.alive,
            s.willing,
            s.age,
            s.severity,
            s.wijk,
            world.levers.volunteer_dropout_factor,
            world.levers.volunteer_recruitment,
            u_drop,
            u_join,
            float(p.dropout_rate),
            float(WEEKS_PER_YEAR),
            float(join_rate),
            float(p.max_age),
        )
        world.counters.volunteer_dropouts += int(stopped)
        world.counters.volunteers_joined += int(joined)
