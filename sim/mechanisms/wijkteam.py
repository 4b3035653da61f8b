"""The wijkteam and home care: professionals of limited capacity assess referred residents, give
formal care (medical model) or mobilise the resident's network (social model), and support carers.

Wijkteam time is split over the four quadrants of the netwerkkwadrant
(Hospers 2021): the resident's own network, the institutional rules for that
resident (assessment, an arrangement), the wijk's collective network, and the
policy table. Home-care capacity per wijk is what the allocation's
professional layer may give.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from samenkracht.sim.errors import InputError
from samenkracht.sim.mechanisms.base import Mechanism
from samenkracht.sim.params import param
from samenkracht.sim.tolerances import some_hours

if TYPE_CHECKING:
    from samenkracht.sim.world import World

QUADRANTS: tuple[str, ...] = ("own_network", "institutional", "collective", "policy")


@dataclass
class WijkteamParams:
    """Size and way of working of the wijkteam and home care."""

    fte_per_1000: float = param(
        0.6,
        unit="FTE per 1,000 residents",
        lo=0,
        hi=20,
        doc="wijkteam workers",
        source="Movisie/Divosa: sociale wijkteams of roughly 1 FTE per 1,500–2,000 residents",
    )
    hours_per_fte: float = param(32.0, unit="hours a week", lo=1, hi=60, doc="working hours of a professional")
    quadrant_mix: list[float] = param(
        [0.4, 0.3, 0.2, 0.1],
        unit="share of time",
        lo=0,
        hi=1,
        doc="wijkteam time over own network, institutional, collective, policy (netwerkkwadrant, Hospers 2021)",
    )
    social_model_share: float = param(
        0.4,
        unit="share",
        lo=0,
        hi=1,
        doc="share of assessed cases handled in the social model (mobilise the network)",
        source="Hospers 2021: professionals often fall back into the medical model",
    )
    intake_hours: float = param(3.0, unit="hours per case", lo=0.1, hi=100, doc="assessing a referred resident")
    mobilise_hours: float = param(
        6.0, unit="hours per case", lo=0.1, hi=100, doc="mapping and mobilising a resident's network"
    )
    support_hours: float = param(5.0, unit="hours per carer", lo=0.1, hi=100, doc="supporting an overburdened carer")
    support_weeks: int = param(26, unit="weeks", lo=0, hi=520, doc="how long support relieves a carer")
    collective_ties_per_hour: float = param(
        0.05, unit="ties per hour", lo=0, hi=10, doc="weak ties formed per hour of collective-network work"
    )
    home_care_fte_per_1000: float = param(
        8.0,
        unit="FTE per 1,000 residents",
        lo=0,
        hi=100,
        doc="home-care professionals (wijkverpleging, Wmo household help)",
        source="calibrated so that about three quarters of care at home is informal (SCP Kerncijfers 2016)",
    )
    home_care_direct_share: float = param(
        0.8, unit="share", lo=0, hi=1, doc="share of home-care hours spent at clients"
    )

    def check(self, prefix: str) -> None:
        if len(self.quadrant_mix) != 4 or not 0.99 <= sum(self.quadrant_mix) <= 1.01:
            raise InputError(
                f"{prefix}quadrant_mix must be 4 shares adding up to 1 "
                "(own_network, institutional, collective, policy); "
                f"got {list(self.quadrant_mix)}."
            )


class Wijkteam(Mechanism):
    """Professionals act within capacity: assessment, formal-care arrangements, network mobilisation, carer support."""

    name = "wijkteam"

    def __init__(self, params: WijkteamParams) -> None:
        self.params = params

    def step(self, world: World) -> None:
        s, p = world.state, self.params
        rng = world.streams.this_week(self.name, world.week)
        u_order, u_model = rng.random((2, s.n))
        u_round = rng.random((3, world.n_wijken))
        for professional in world.professional_list:  # a few dozen agents plan their week
            professional.step()
        hours = world.quadrant_hours_by_wijk()  # (wijken, 4)
        social = np.clip(p.social_model_share + world.levers.social_model_bonus, 0, 1)

        queue = s.alive & s.referred
        has_need = queue & (s.severity > 0)
        carers = queue & ~has_need & some_hours(s.given)
        # Assessment (institutional quadrant): first come in random order, within each wijk's hours.
        seen = first_k_per_wijk(has_need, s.wijk, u_order, hours[:, 1] / p.intake_hours + u_round[0])
        s.indicated |= seen
        # Social model: the network is mobilised (own-network quadrant), as far as hours allow.
        wants_mobilising = seen & (u_model < social[s.wijk])
        mobilised = first_k_per_wijk(
            wants_mobilising, s.wijk, u_order, hours[:, 0] * 0.6 / p.mobilise_hours + u_round[1]
        )
        s.mobilised |= mobilised
        # Carer support (own-network quadrant).
        supported = first_k_per_wijk(carers, s.wijk, u_order, hours[:, 0] * 0.4 / p.support_hours + u_round[2])
        s.support_weeks[supported] = p.support_weeks
        s.referred &= ~(seen | supported)
        s.referred[~s.alive] = False
        world.flows.extra_ties_w = hours[:, 2] * p.collective_ties_per_hour
        world.counters.assessments += int(seen.sum())
        world.counters.mobilisations += int(mobilised.sum())
        world.counters.carers_supported += int(supported.sum())


def first_k_per_wijk(mask: np.ndarray, wijk: np.ndarray, order_key: np.ndarray, k_w: np.ndarray) -> np.ndarray:
    """Select from ``mask`` in each wijk the first ``floor(k_w)`` entries in key order.

    Callers add a uniform draw to a fractional capacity, so that 2.4 cases a week
    means 2 or 3 cases, 2.4 on average.
    """
    idx = np.flatnonzero(mask)
    out = np.zeros(mask.shape[0], dtype=bool)
    if idx.size == 0:
        return out
    order = idx[np.lexsort((order_key[idx], wijk[idx]))]
    w = wijk[order]
    start = np.searchsorted(w, w, side="left")
    rank = np.arange(order.size) - start
    out[order[rank < np.floor(k_w[w])]] = True
    return out
