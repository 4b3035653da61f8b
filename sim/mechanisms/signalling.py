"""Signalling: residents at risk and overburdened carers are noticed — by themselves, their network,
professionals they already see, or linked shopkeepers — and referred to the wijkteam.

At risk: an unmet need, severe loneliness with a need, or a heavily burdened
carer. Each channel notices with its own weekly chance; isolated residents
have few channels, which is why signalling points in shops matter.

Residents the wijkteam already has in its caseload are not referred again:
an indicated resident's need is followed by the indication's review, not by a
new referral, and a carer who is being supported (by the wijkteam, by respite)
is not referred as a carer at risk. A noticed resident becomes known to the
wijkteam and joins its intake queue with the week of the referral.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from samenkracht.sim.kernels_care import signal_risks, signals
from samenkracht.sim.kernels_draws import uniforms_at
from samenkracht.sim.mechanisms.base import Mechanism
from samenkracht.sim.params import param
from samenkracht.sim.tolerances import HOURS_EPS

if TYPE_CHECKING:
    from samenkracht.sim.world import World


@dataclass
class SignallingParams:
    """Weekly chances that a resident at risk is noticed, by channel."""

    self_referral: float = param(
        0.02, unit="per week", lo=0, hi=1, doc="a resident at risk asks for help themselves (lonely residents less)"
    )
    network_signal: float = param(
        0.03,
        unit="per week at contact 1",
        lo=0,
        hi=1,
        doc="family, friends or neighbours notice and refer; rises with contact",
    )
    professional_signal: float = param(
        0.15,
        unit="per week",
        lo=0,
        hi=1,
        doc="a professional who already sees the resident or the person they care for notices",
    )
    min_unmet: float = param(0.5, unit="hours a week", lo=0, hi=168, doc="unmet need that puts a resident at risk")
    lonely_at_risk: float = param(
        9.0, unit="score (0–11)", lo=0, hi=11, doc="loneliness at which a resident with a need is at risk"
    )


class Signalling(Mechanism):
    """Notices residents and carers at risk and refers them."""

    name = "signalling"

    def __init__(self, params: SignallingParams, heavy_threshold: float) -> None:
        self.params = params
        self.heavy_threshold = heavy_threshold

    def step(self, world: World) -> None:
        s, p = world.state, self.params
        rng = world.streams.weekly(self.name, world.week)
        # At risk: an unmet need, or severe loneliness with a need, unless indicated already (an indicated
        # resident's need is in the caseload); or a heavily burdened carer not supported already. Noticed: by
        # themselves (lonely residents ask less), their network (more with more contact), a professional who sees
        # them already (they assess or care for them, or met them as carers at an assessment), or a linked
        # shopkeeper in their wijk; the first channel that notices takes the credit. Compiled passes
        # (sim/kernels_care.py).
        at_risk = signal_risks(
            s.alive,
            s.referred,
            s.indicated,
            s.severity,
            s.unmet,
            s.loneliness,
            s.given,
            s.burden,
            s.support_weeks,
            s.respite_weeks,
            float(p.min_unmet),
            float(p.lonely_at_risk),
            float(self.heavy_threshold),
            HOURS_EPS,
        )
        # The draws of the channels, rng.random((4, n)) (self, network, professional, shopkeeper): read only for
        # those at risk, the same numbers (sim/kernels_draws.py).
        rows = np.arange(4, dtype=np.int64)[:, None] * s.n
        u = uniforms_at(rng, 4 * s.n, (rows + at_risk).ravel()).reshape(4, at_risk.size)
        noticed, first = signals(
            at_risk,
            u,
            s.indicated,
            s.known,
            s.loneliness,
            s.contact,
            s.received_formal,
            world.levers.shop_signal,
            s.wijk,
            s.shops_locally,
            float(p.self_referral),
            float(p.network_signal),
            float(p.professional_signal),
            HOURS_EPS,
        )
        s.referred[noticed] = True
        s.referred_week[noticed] = world.week
        s.known[noticed] = True
        c = world.counters
        c.signals_self += int(first[0])
        c.signals_network += int(first[1])
        c.signals_professional += int(first[2])
        c.signals_shopkeeper += int(first[3])
