"""Care demand: each resident with a care need asks for hours a week of personal care, practical help and company.

Hours grow with the severity of the need; company is asked more by lonely
residents. Carers who fell ill from overburden have a need of their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from samenkracht.sim.kernels_care import care_demand
from samenkracht.sim.mechanisms.base import Mechanism
from samenkracht.sim.params import param

if TYPE_CHECKING:
    from samenkracht.sim.world import World


@dataclass
class DemandParams:
    """Hours asked per week at the heaviest need (severity 1)."""

    personal_max: float = param(
        16.0,
        unit="hours a week",
        lo=0,
        hi=168,
        doc="personal care asked at severity 1 (none below severity 0.35)",
        source="SCP 2017: intensive care recipients receive 10–20 hours a week",
    )
    personal_threshold: float = param(
        0.35, unit="severity", lo=0, hi=1, doc="severity above which personal care is needed"
    )
    practical_base: float = param(
        1.5, unit="hours a week", lo=0, hi=40, doc="practical help asked at the lightest need"
    )
    practical_max: float = param(7.0, unit="hours a week", lo=0, hi=80, doc="practical help asked at severity 1")
    company_base: float = param(1.0, unit="hours a week", lo=0, hi=40, doc="company asked at the lightest need")
    company_max: float = param(4.0, unit="hours a week", lo=0, hi=80, doc="company asked at severity 1")
    company_loneliness: float = param(
        2.0, unit="hours a week", lo=0, hi=40, doc="extra company asked by a severely lonely resident with a need"
    )


class CareDemand(Mechanism):
    """Turns severity into hours asked this week, by kind of care."""

    name = "demand"

    def __init__(self, params: DemandParams) -> None:
        self.params = params

    def step(self, world: World) -> None:
        s, p = world.state, self.params
        # One compiled pass over the residents, in place (sim/kernels_care.py spells out the arithmetic).
        hours = (
            p.personal_max,
            p.personal_threshold,
            p.practical_base,
            p.practical_max,
            p.company_base,
            p.company_max,
            p.company_loneliness,
        )
        care_demand(s.alive, s.severity, s.loneliness, s.need, np.array(hours, dtype=float))
