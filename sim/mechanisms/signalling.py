"""Signalling: residents at risk and overburdened carers are noticed — by themselves, their network,
professionals they already see, or linked shopkeepers — and referred to the wijkteam.

At risk: an unmet need, severe loneliness with a need, or a heavily burdened
carer. Each channel notices with its own weekly chance; isolated residents
have few channels, which is why signalling points in shops matter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from samenkracht.sim.params import param
from samenkracht.sim.state import row_total
from samenkracht.sim.tolerances import at_least_hours, some_hours

if TYPE_CHECKING:
    from samenkracht.sim.model import CareNetworkModel


@dataclass
class SignallingParams:
    """Weekly chances that a resident at risk is noticed, by channel."""

    self_referral: float = param(
        0.02, unit="per week", lo=0, hi=1, doc="a resident at risk asks for help themselves (lonely residents less)"
    )
    network_signal: float = param(
        0.03, unit="per week at contact 1", lo=0, hi=1, doc="family, friends or neighbours notice and refer; rises with contact"
    )
    professional_signal: float = param(
        0.15, unit="per week", lo=0, hi=1, doc="a professional who already sees the resident or the person they care for notices"
    )
    min_unmet: float = param(0.5, unit="hours a week", lo=0, hi=168, doc="unmet need that puts a resident at risk")
    lonely_at_risk: float = param(9.0, unit="score (0–11)", lo=0, hi=11, doc="loneliness at which a resident with a need is at risk")


class Signalling:
    """Notices residents and carers at risk and refers them."""

    name = "signalling"

    def __init__(self, params: SignallingParams, heavy_threshold: float) -> None:
        self.params = params
        self.heavy_threshold = heavy_threshold

    def step(self, model: CareNetworkModel) -> None:
        s, p = model.state, self.params
        rng = model.streams.weekly(self.name, model.week)
        u_self, u_net, u_prof, u_shop = rng.random((4, s.n))
        has_need = s.severity > 0
        at_risk = s.alive & (
            at_least_hours(row_total(s.unmet), p.min_unmet)
            | (has_need & (s.loneliness >= p.lonely_at_risk))
            | (some_hours(s.given) & (s.burden >= self.heavy_threshold))
        )
        at_risk &= ~s.referred
        p_self = p.self_referral * (1.0 - 0.7 * s.loneliness / 11.0)
        p_net = p.network_signal * np.minimum(s.contact, 3.0)
        seen = s.indicated | some_hours(s.received_formal)
        p_shop = model.levers.shop_signal[s.wijk] * s.shops_locally
        noticed_by = {
            "self": u_self < p_self,
            "network": u_net < p_net,
            "professional": seen & (u_prof < p.professional_signal),
            "shopkeeper": u_shop < p_shop,
        }
        noticed = np.zeros(s.n, dtype=bool)
        for channel, hit in noticed_by.items():
            new = at_risk & hit & ~noticed
            model.counters[f"signals_{channel}"] += int(new.sum())
            noticed |= new
        s.referred |= noticed
        model.flows["noticed"] = noticed
