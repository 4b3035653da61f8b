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

from samenkracht.sim.mechanisms.base import Mechanism
from samenkracht.sim.params import param
from samenkracht.sim.state import row_total
from samenkracht.sim.tolerances import at_least_hours, some_hours

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
        u_self, u_net, u_prof, u_shop = rng.random((4, s.n))
        has_need = s.severity > 0
        # An indicated resident's need is in the caseload already; a supported carer is being helped already.
        need_at_risk = ~s.indicated & (
            at_least_hours(row_total(s.unmet), p.min_unmet) | (has_need & (s.loneliness >= p.lonely_at_risk))
        )
        carer_at_risk = (
            some_hours(s.given) & (s.burden >= self.heavy_threshold) & (s.support_weeks == 0) & (s.respite_weeks == 0)
        )
        at_risk = s.alive & ~s.referred & (need_at_risk | carer_at_risk)
        p_self = p.self_referral * (1.0 - 0.7 * s.loneliness / 11.0)
        p_net = p.network_signal * np.minimum(s.contact, 3.0)
        # Professionals see the residents they assess or care for, and the carers they met at an assessment.
        seen = s.indicated | some_hours(s.received_formal) | s.known
        p_shop = world.levers.shop_signal[s.wijk] * s.shops_locally
        noticed_by = {
            "self": u_self < p_self,
            "network": u_net < p_net,
            "professional": seen & (u_prof < p.professional_signal),
            "shopkeeper": u_shop < p_shop,
        }
        noticed = np.zeros(s.n, dtype=bool)
        first = {}  # residents first noticed through each channel (a channel above takes the credit)
        for channel, hit in noticed_by.items():
            new = at_risk & hit & ~noticed
            first[channel] = int(new.sum())
            noticed |= new
        s.referred |= noticed
        s.referred_week[noticed] = world.week
        s.known |= noticed
        c = world.counters
        c.signals_self += first["self"]
        c.signals_network += first["network"]
        c.signals_professional += first["professional"]
        c.signals_shopkeeper += first["shopkeeper"]
