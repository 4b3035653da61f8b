"""Carer burden: builds with hours relative to capacity, duration and caring alone; falls with
support and respite. Overburdened carers may stop caring or fall ill and need care themselves.

Burden is a score from 0 to 10 that moves each week part of the way towards
the strain of this week's caring. "Heavily burdened" is its top band (SCP's
"zwaar belast"); "overburdened" is the band above, where dropout and illness
start (the cascade that can break a social base).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from samenkracht.sim.errors import InputError
from samenkracht.sim.kernels_care import burden_events, burden_strain, burden_update
from samenkracht.sim.kernels_draws import uniforms_at
from samenkracht.sim.mechanisms.base import Mechanism
from samenkracht.sim.params import JOINT_CALIBRATION, param
from samenkracht.sim.time import WEEKS_PER_YEAR
from samenkracht.sim.tolerances import HOURS_EPS, some_hours

if TYPE_CHECKING:
    from samenkracht.sim.world import World

#: Age at which paid work ends (the AOW age, about 67): ill carers below it lose paid work.
WORKING_AGE_END = 67.0


@dataclass
class BurdenParams:
    """How caring turns into burden, and burden into dropout and illness."""

    adapt_rate: float = param(
        0.08, unit="per week", lo=0, hi=1, doc="share of the gap to this week's strain closed each week"
    )
    hours_weight: float = param(
        3.0, unit="strain per (hours ÷ capacity)", lo=0, hi=50, doc="strain from hours given relative to one's capacity"
    )
    duration_weight: float = param(1.5, unit="strain after 3 years", lo=0, hi=50, doc="strain from caring long")
    alone_weight: float = param(1.5, unit="strain", lo=0, hi=50, doc="strain from being a recipient's only helper")
    strain_scale: float = param(5.0, unit="strain", lo=0.1, hi=100, doc="burden target = 10·(1 − exp(−strain ÷ scale))")
    support_relief: float = param(3.0, unit="strain", lo=0, hi=50, doc="strain taken away while a carer is supported")
    heavy_threshold: float = param(
        6.6,
        unit="burden (0–10)",
        lo=0,
        hi=10,
        doc="heavily burdened at or above this score",
        source="SCP: 'zwaar belast' is the top band of the burden scale (about 9% of carers); the threshold anchors "
        "the abstract score to that share; " + JOINT_CALIBRATION,
    )
    over_threshold: float = param(8.0, unit="burden (0–10)", lo=0, hi=10, doc="overburdened at or above this score")
    dropout_rate: float = param(
        0.02, unit="per week", lo=0, hi=1, doc="chance an overburdened carer stops caring in a week"
    )
    illness_rate: float = param(
        0.004, unit="per week", lo=0, hi=1, doc="chance an overburdened carer falls ill and needs care in a week"
    )
    illness_severity: float = param(0.45, unit="severity", lo=0, hi=1, doc="care need of a carer who falls ill")
    illness_recovery_rate: float = param(
        2.0, unit="per year", lo=0, hi=WEEKS_PER_YEAR, doc="rate at which ill carers recover"
    )
    cooldown_weeks: int = param(26, unit="weeks", lo=0, hi=1040, doc="weeks a dropped-out carer gives no care")

    def check(self, prefix: str) -> None:
        if self.over_threshold < self.heavy_threshold:
            raise InputError(
                f"{prefix}over_threshold ({self.over_threshold}) is below {prefix}heavy_threshold "
                f"({self.heavy_threshold}); overburdened must be the band above heavily burdened."
            )


class CarerBurden(Mechanism):
    """Updates burden, then lets the overburdened drop out or fall ill."""

    name = "burden"

    def __init__(self, params: BurdenParams) -> None:
        self.params = params

    def _respite(self, world: World) -> np.ndarray:
        """Respite hours this week per carer: each wijk's hours shared among the carers who took up respite
        (the respite_care action's step decides who, ``State.respite_weeks``).

        Respite takes over hours the carer would give, so it relieves strain as
        fewer hours would; the cared-for resident's care is unchanged.
        """
        s, levers = world.state, world.levers
        hours = np.zeros(s.n)
        if not levers.respite_hours.any():
            return hours
        heavy = np.flatnonzero(s.respite_weeks > 0)  # users of respite (few), those of them alive and caring
        heavy = heavy[s.alive[heavy] & some_hours(s.given[heavy])]
        w = s.wijk[heavy]
        count = np.bincount(w, minlength=world.n_wijken)
        each = np.minimum(levers.respite_max_per_carer, levers.respite_hours / np.maximum(count, 1))
        hours[heavy] = np.minimum(each[w], s.given[heavy])
        return hours

    def step(self, world: World) -> None:
        s, p = world.state, self.params
        rng = world.streams.weekly(self.name, world.week)
        respite = self._respite(world) if world.levers.respite_hours.any() else None
        # The carers this week and their strain (compiled, sim/kernels_care.py): hours given relative to capacity
        # (respite takes over hours the carer would give, so it relieves strain as fewer hours would), caring long,
        # caring alone; support relieves it.
        carers, strain = burden_strain(
            s.alive,
            s.given,
            respite if respite is not None else np.zeros(s.n),
            s.capacity,
            s.caring_weeks,
            float(3 * WEEKS_PER_YEAR),
            world.flows.alone,
            s.support_weeks,
            HOURS_EPS,
            np.array([p.hours_weight, p.duration_weight, p.alone_weight, p.support_relief], dtype=float),
        )
        target = 10.0 * (1.0 - np.exp(-np.maximum(strain, 0.0) / p.strain_scale))  # numpy's exp, as before
        # Burden moves towards the target (none for those not caring); support and cooldown count down (compiled,
        # in place); then the overburdened drop out or fall ill and the ill recover, with their draws of
        # rng.random((3, n)) (drop out, fall ill, recover), read for them only: the same numbers
        # (sim/kernels_draws.py).
        over, sick = burden_update(
            s.alive,
            s.burden,
            carers,
            target,
            float(p.adapt_rate),
            s.support_weeks,
            s.cooldown,
            s.ill,
            float(p.over_threshold),
        )
        u = uniforms_at(rng, 3 * s.n, np.concatenate([over, s.n + over, 2 * s.n + sick]))
        drops, falls_ill, ill_working = burden_events(
            over,
            sick,
            u[: over.size],
            u[over.size : 2 * over.size],
            u[2 * over.size :],
            s.alive,
            s.cooldown,
            s.ill,
            s.severity,
            s.age,
            float(p.dropout_rate),
            float(p.illness_rate),
            float(p.illness_recovery_rate / WEEKS_PER_YEAR),
            int(p.cooldown_weeks),
            float(p.illness_severity),
            WORKING_AGE_END,
        )
        world.counters.dropouts += int(drops)
        world.counters.respite_hours += float(respite.sum()) if respite is not None else 0.0
        world.counters.carer_illnesses += int(falls_ill)
        world.counters.carer_ill_weeks += int(ill_working)
