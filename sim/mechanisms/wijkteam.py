"""The wijkteam and home care: professionals of limited capacity assess referred residents, give
formal care (medical model) or mobilise the resident's network (social model), and support carers.

Wijkteam time is split over the four quadrants of the netwerkkwadrant
(Hospers 2021): the resident's own network, the institutional rules for that
resident (assessment, an arrangement), the wijk's collective network, and the
policy table. Home-care capacity per wijk is what the allocation's
professional layer may give.

The caseload works as in practice (docs/ODD.md, "The wijkteam's caseload"):
referred residents wait in an intake queue, first come first served; the
queue holds at most ``max_wait_weeks`` weeks of the wijk's intake capacity,
and referrals beyond that are turned away (the resident may be noticed
again later). An intake indicates a resident with a need; the carers who
help that resident become known to the wijkteam (the kitchen-table
conversation includes the mantelzorger). An indication closes when the need
ends (the provider reports the end of care; death and moving close it with
the slot) and is reviewed every ``review_weeks`` while it lasts; a resident
with an indication is not referred and assessed again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from samenkracht.sim.errors import InputError
from samenkracht.sim.kernels_care import caseload_open, caseload_queue
from samenkracht.sim.kernels_draws import Uniforms
from samenkracht.sim.kernels_social import carers_become_known, caseload_close
from samenkracht.sim.mechanisms.base import Mechanism
from samenkracht.sim.params import param
from samenkracht.sim.time import WEEKS_PER_YEAR
from samenkracht.sim.tolerances import HOURS_EPS

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
    review_weeks: int = param(
        WEEKS_PER_YEAR,
        unit="weeks",
        lo=1,
        hi=520,
        doc="an indication is reviewed this many weeks after it was given or last reviewed, and renewed while "
        "the need lasts",
        source="Wmo 2015 practice: a decision (beschikking) is granted for a period and reviewed (heronderzoek), "
        "commonly after a year (VNG Modelverordening maatschappelijke ondersteuning); the figure is a modelling "
        "assumption",
    )
    review_hours: float = param(1.0, unit="hours per case", lo=0, hi=100, doc="reviewing an indication")
    max_wait_weeks: float = param(
        13.0,
        unit="weeks of intake capacity",
        lo=1,
        hi=520,
        doc="the intake queue holds at most this many weeks of the wijk's intake capacity; newer referrals beyond "
        "it are turned away",
        source="Wmo 2015 art. 2.3.2: the assessment (onderzoek) within six weeks of a request; waiting lists longer "
        "than that are common; the figure is a modelling assumption",
    )
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
        s, p, week = world.state, self.params, world.week
        rng = world.streams.this_week(self.name, world.week)
        # rng.random((2, n)), the order among equal keys and the social model, read where used (sim/kernels_draws.py:
        # the same numbers): u_order at a slot, u_model at n + the slot.
        draws = Uniforms(rng, 2 * s.n)
        u_round = rng.random((4, world.n_wijken))
        # The wijkteam's workers (a few dozen agents) plan their week over the quadrants. Home-care professionals
        # plan no quadrant hours (theirs stay zero): their direct hours are the allocation's formal capacity, read
        # from their hours, so their step is not needed here (at Amstelveen's size they are some 750 agents).
        for professional in world.wijkteam_workers:
            professional.step()
        hours = world.quadrant_hours_by_wijk()  # (wijken, 4)
        social = np.clip(p.social_model_share + world.levers.social_model_bonus, 0, 1)
        c = world.counters

        # An indication closes when the need ends: the provider reports the end of care (compiled, in place).
        closed, due = caseload_open(s.indicated, s.severity, s.review_week, s.alive, week)
        c.indications_closed += int(closed)
        # Reviews that are due come first in the institutional quadrant; the rest of its hours go to intake.
        review_capacity = hours[:, 1] / max(p.review_hours, 1e-9) + u_round[3]
        reviewed = first_k_of(due, s.wijk, s.review_week[due] + draws.at(due), review_capacity)
        s.review_week[reviewed] = week + p.review_weeks
        intake_capacity = hours[:, 1] / p.intake_hours  # assessments a week per wijk
        left = np.maximum(0.0, hours[:, 1] - np.bincount(s.wijk[reviewed], minlength=world.n_wijken) * p.review_hours)

        # The queue: residents with a need to assess, carers (no need of their own, still caring), and the moot
        # (need ended and no longer caring while waiting: nothing to assess).
        intake, carers, moot = caseload_queue(s.alive, s.referred, s.severity, s.indicated, s.given, HOURS_EPS)
        # Assessment (institutional quadrant): first come, first served, within each wijk's hours.
        key_intake = s.referred_week[intake] + draws.at(intake)
        seen = first_k_of(intake, s.wijk, key_intake, left / p.intake_hours + u_round[0])
        c.reassessments += int((week - s.assessed_week[seen] < p.review_weeks).sum())
        n_seen = int(seen.size)
        s.indicated[seen] = True
        s.assessed_week[seen] = week
        s.review_week[seen] = week + p.review_weeks
        if n_seen:  # the carers who helped them this week become known (compiled: the ties that carried care)
            c.carers_known += int(
                carers_become_known(
                    np.flatnonzero(world.flows.helped_ties),
                    world.ties.u,
                    world.ties.v,
                    seen,
                    s.given,
                    s.known,
                    HOURS_EPS,
                )
            )
        # Social model: an assessment or review makes a case a social-model case; the case's network is mobilised
        # (own-network quadrant) when the hours allow, oldest assessment first.
        decided = np.concatenate([seen, reviewed])
        ascending = np.sort(decided)
        u_model = draws.at(s.n + ascending)[np.searchsorted(ascending, decided)]
        s.social_case[decided] = u_model < social[s.wijk[decided]]
        wants_mobilising = np.flatnonzero(s.alive & s.indicated & s.social_case & ~s.mobilised)
        mobilised = first_k_of(
            wants_mobilising,
            s.wijk,
            s.assessed_week[wants_mobilising] + draws.at(wants_mobilising),
            hours[:, 0] * 0.6 / p.mobilise_hours + u_round[1],
        )
        s.mobilised[mobilised] = True
        # Carer support (own-network quadrant), first come, first served.
        support_capacity = hours[:, 0] * 0.4 / p.support_hours
        key_carers = s.referred_week[carers] + draws.at(carers)
        supported = first_k_of(carers, s.wijk, key_carers, support_capacity + u_round[2])
        s.support_weeks[supported] = p.support_weeks
        # The queues hold at most max_wait_weeks of capacity: the newest referrals beyond are turned away.
        waiting_intake = _without(intake, seen, s.n)
        waiting_carers = _without(carers, supported, s.n)
        kept_intake = first_k_of(
            waiting_intake,
            s.wijk,
            s.referred_week[waiting_intake] + draws.at(waiting_intake),
            intake_capacity * p.max_wait_weeks,
        )
        kept_carers = first_k_of(
            waiting_carers,
            s.wijk,
            s.referred_week[waiting_carers] + draws.at(waiting_carers),
            support_capacity * p.max_wait_weeks,
        )
        turned_away = np.concatenate(
            [_without(waiting_intake, kept_intake, s.n), _without(waiting_carers, kept_carers, s.n)]
        )
        for done in (seen, supported, moot, turned_away):
            s.referred[done] = False
        # The dead leave the queue; the mean wait of those with a need still waiting (one compiled pass).
        waited, n_waiting = caseload_close(s.referred, s.alive, s.referred_week, s.severity, s.indicated, week)
        world.flows.wait_weeks_mean = float(waited) / int(n_waiting) if n_waiting else 0.0
        world.flows.extra_ties_w = hours[:, 2] * p.collective_ties_per_hour
        c.assessments += n_seen
        c.reviews += int(reviewed.size)
        c.referrals_turned_away += int(turned_away.size)
        c.mobilisations += int(mobilised.size)
        c.carers_supported += int(supported.size)


def first_k_of(idx: np.ndarray, wijk: np.ndarray, key: np.ndarray, k_w: np.ndarray) -> np.ndarray:
    """Select from the candidates ``idx`` (in ascending order) with their keys ``key``, in each wijk, the first
    ``floor(k_w)`` in key order (equal keys in the order of ``idx``): the slots selected, in wijk and key order."""
    if idx.size == 0:
        return idx
    order = np.lexsort((key, wijk[idx]))
    w = wijk[idx[order]]
    start = np.searchsorted(w, w, side="left")
    rank = np.arange(order.size) - start
    return idx[order[rank < np.floor(k_w[w])]]


def _without(idx: np.ndarray, drop: np.ndarray, n: int) -> np.ndarray:
    """The slots of ``idx`` not in ``drop``, in the order of ``idx``."""
    if drop.size == 0:
        return idx
    out = np.ones(n, dtype=bool)
    out[drop] = False
    return idx[out[idx]]


def offer_within_capacity(
    cand: np.ndarray, accepts: np.ndarray, wijk: np.ndarray, key: np.ndarray, k_w: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Offer a service to the candidates ``cand`` (slots, ascending) in the order of their keys ``key``, per wijk,
    until ``floor(k_w)`` of them have taken it up (callers add a uniform draw to a fractional capacity, so that 2.4
    cases a week means 2 or 3 cases, 2.4 on average).

    ``accepts`` says which candidates would take it up when offered. Returns (taken, offered), slots in ascending
    order: those taken on, and everyone offered, that is every candidate up to the last one taken on in a wijk whose
    capacity is filled, and every candidate in a wijk whose capacity is not.
    """
    w = wijk[cand]
    willing = np.flatnonzero(accepts)
    sel = first_k_of(willing, w, key[willing], k_w)  # positions in ``cand``
    n_w = k_w.shape[0]
    full = np.bincount(w[sel], minlength=n_w) >= np.floor(k_w)
    last = np.full(n_w, -np.inf)
    np.maximum.at(last, w[sel], key[sel])
    taken = np.zeros(cand.shape[0], dtype=bool)
    taken[sel] = True
    return cand[taken], cand[key <= np.where(full, last, np.inf)[w]]


def offer_drawn(
    rng: np.random.Generator, cand: np.ndarray, wijk: np.ndarray, uptake: np.ndarray, k_w: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``offer_within_capacity`` with the week's draws ``u_accept, u_order = rng.random((2, n))`` (n residents):
    a candidate takes it up if ``u_accept`` is below its wijk's ``uptake``, and is offered it in ``u_order`` order;
    only the candidates' draws are read (sim/kernels_draws.py: the same numbers)."""
    n = wijk.shape[0]
    u = Uniforms(rng, 2 * n).at(np.concatenate([cand, cand + n]))
    k = cand.shape[0]
    return offer_within_capacity(cand, u[:k] < uptake[wijk[cand]], wijk, u[k:], k_w)
