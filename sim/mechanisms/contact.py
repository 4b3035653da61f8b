"""Contact, ties and loneliness: ties strengthen with contact and weaken without; shared places
(community centres, shops, buurthulp) form new weak ties, some bridging wijken; loneliness follows contact.

Loneliness is a 0–11 score in the manner of the De Jong Gierveld scale: each
resident has a personal baseline, and moves towards it plus a term that rises
when their weekly contact falls below the municipality's typical contact.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from samenkracht.sim.errors import InputError
from samenkracht.sim.kernels_care import loneliness_step, smooth_contact
from samenkracht.sim.kernels_social import adults_by_wijk, contact_week, first_accepted
from samenkracht.sim.mechanisms.base import Mechanism
from samenkracht.sim.params import JOINT_CALIBRATION, param
from samenkracht.sim.population import draw_lonely_baseline
from samenkracht.sim.ties import KIND_CODE, TIE_KINDS

if TYPE_CHECKING:
    from samenkracht.sim.world import World

_WEAK_KINDS = np.array([k in ("acquaintance", "neighbour") for k in TIE_KINDS])
_NO_OUTREACH = np.zeros(0)


def _pick_in_wijk(
    rng: np.random.Generator,
    people: np.ndarray,
    wijk: np.ndarray,
    want: np.ndarray,
    top: float,
    outreach: np.ndarray,
    loneliness: np.ndarray,
    tries: int = 64,
) -> np.ndarray:
    """``population.pick_in_wijk`` with the attendance weight of each of ``people`` (1 + outreach[wijk] ·
    loneliness ÷ 11; 1 for all when ``outreach`` is empty) and its largest value ``top`` given instead of an
    array of weights: the same draws, in the same order, and the same choice (sim/kernels_social.py)."""
    if want.size == 0:
        return np.empty(0, np.int64)
    cand = rng.integers(0, people.size, (want.size, tries))
    u_accept = rng.random(cand.shape)
    return first_accepted(people, wijk, cand, want, u_accept, float(top), outreach, loneliness)


@dataclass
class ContactParams:
    """Tie dynamics, tie formation and loneliness."""

    contact_prob: list[float] = param(
        [1.0, 0.45, 0.45, 0.4, 0.3, 0.6, 0.3],
        unit="probability a week at strength 1",
        lo=0,
        hi=1,
        doc="chance of contact over a tie in a week, per tie kind (household, family, friend, neighbour, "
        "acquaintance, volunteer, professional); scaled by 0.3 + 0.7·strength",
    )
    grow: float = param(
        0.03, unit="per contact", lo=0, hi=1, doc="strength gained per week with contact: s += grow·(1 − s)"
    )
    decay: float = param(0.012, unit="per week", lo=0, hi=1, doc="strength lost per week without contact: s −= decay·s")
    floor_household: float = param(0.5, unit="strength", lo=0, hi=1, doc="household ties never weaken below this")
    floor_family: float = param(0.15, unit="strength", lo=0, hi=1, doc="family ties never weaken below this")
    remove_below: float = param(0.03, unit="strength", lo=0, hi=1, doc="other ties weaker than this are lost")
    new_ties_per_1000: float = param(
        2.5,
        unit="ties a week per 1,000 residents",
        lo=0,
        hi=1000,
        doc="weak ties formed at shared places (community centre, shops, clubs) without municipal action",
    )
    neighbour_share: float = param(
        0.3,
        unit="share",
        lo=0,
        hi=1,
        doc="share of new ties within a wijk that are neighbour ties (the rest acquaintances)",
    )
    friend_strength: float = param(
        0.5, unit="strength", lo=0, hi=1, doc="an acquaintance or neighbour tie this strong becomes a friendship"
    )
    bridging_share: float = param(0.15, unit="share", lo=0, hi=1, doc="share of new weak ties that link two wijken")
    new_tie_strength: float = param(0.25, unit="strength", lo=0, hi=1, doc="strength of a newly formed weak tie")
    lonely_mean: float = param(
        2.36,
        unit="score (0–11)",
        lo=-11,
        hi=11,
        doc="mean of the personal loneliness baseline (normal, clipped to 0–11)",
        source="Gezondheidsmonitor 2020: 47% lonely, 11% severely lonely (18+); " + JOINT_CALIBRATION,
    )
    lonely_sd: float = param(5.4, unit="score (0–11)", lo=0, hi=20, doc="spread of the personal loneliness baseline")
    lonely_age_75: float = param(1.0, unit="score", lo=-11, hi=11, doc="extra baseline loneliness at age 75 and over")
    contact_weight: float = param(
        1.5, unit="score per halving of contact", lo=0, hi=11, doc="loneliness added when weekly contact halves"
    )
    adapt_rate: float = param(
        0.05, unit="per week", lo=0, hi=1, doc="share of the gap to the target loneliness closed each week"
    )
    contact_smoothing: float = param(
        0.2, unit="per week", lo=0, hi=1, doc="weight of this week's contact in the smoothed contact"
    )

    def check(self, prefix: str) -> None:
        if len(self.contact_prob) != len(TIE_KINDS):
            raise InputError(
                f"{prefix}contact_prob has {len(self.contact_prob)} values; give {len(TIE_KINDS)}, "
                f"one per tie kind: {', '.join(TIE_KINDS)}."
            )


class ContactAndLoneliness(Mechanism):
    """Weekly contact over ties, tie strength, new weak ties, and loneliness."""

    name = "contact"

    def __init__(self, params: ContactParams) -> None:
        self.params = params
        self.contact_ref = 1.0

    def start(self, world: World) -> None:
        """Draw personal loneliness baselines and start contact at its expected value."""
        s = world.state
        rng = world.streams["contact.init"]
        s.lonely_base[:] = draw_lonely_baseline(self.params, rng, s.age)
        s.contact[:] = self._expected_contact(world)
        adults = s.adults()
        self.contact_ref = float(np.median(s.contact[adults])) if adults.any() else 1.0
        s.loneliness[:] = self._target(s)

    def settle(self, world: World) -> None:
        """At the end of the burn-in: take today's median contact as the reference and let loneliness follow."""
        s = world.state
        adults = s.adults()
        if adults.any():
            self.contact_ref = float(np.median(s.contact[adults]))
        s.loneliness[:] = np.where(s.alive, self._target(s), 0.0)

    def _prob(self, world: World) -> np.ndarray:
        ties = world.ties
        base = np.asarray(self.params.contact_prob)[ties.kind]
        return np.clip(base * (0.3 + 0.7 * ties.strength) * world.contact_factor, 0, 1) * ties.alive

    def _expected_contact(self, world: World) -> np.ndarray:
        ties, n = world.ties, world.state.n
        w = self._prob(world) * ties.strength
        return np.bincount(ties.u, w, n) + np.bincount(ties.v, w, n)

    def _target(self, s) -> np.ndarray:
        halvings = np.log2(self.contact_ref + 0.05) - np.log2(s.contact + 0.05)
        return np.clip(s.lonely_base + self.params.contact_weight * halvings, 0.0, 11.0)

    def step(self, world: World) -> None:
        s, p, ties = world.state, self.params, world.ties
        rng = world.streams.weekly(self.name, world.week)
        u_contact = rng.random(ties.m)
        helped = world.helped_ties()
        floor = np.zeros(len(TIE_KINDS))
        floor[KIND_CODE["household"]] = p.floor_household
        floor[KIND_CODE["family"]] = p.floor_family
        weekly_u, weekly_v = np.zeros(s.n), np.zeros(s.n)
        # One compiled pass over the ties (sim/kernels_social.py): contact, strength, lost ties, new friendships.
        lost, befriended = contact_week(
            ties.u,
            ties.v,
            ties.kind,
            ties.strength,
            ties.alive,
            s.alive,
            u_contact,
            np.asarray(p.contact_prob, dtype=float),
            float(world.contact_factor),
            helped,
            p.grow,
            p.decay,
            floor,
            p.remove_below,
            _WEAK_KINDS,
            p.friend_strength,
            KIND_CODE["friend"],
            weekly_u,
            weekly_v,
        )
        smooth_contact(s.contact, weekly_u, weekly_v, float(p.contact_smoothing))  # compiled, in place
        world.counters.ties_lost += int(lost)
        world.counters.friendships_formed += int(befriended)

        self._new_weak_ties(world, rng)
        # Loneliness moves towards its target (as ``_target``; numpy's logarithms, the rest compiled, in place).
        log_ref = np.log2(self.contact_ref + 0.05)
        log_contact = np.log2(s.contact + 0.05)
        loneliness_step(
            s.loneliness, s.lonely_base, log_ref, log_contact, float(p.contact_weight), float(p.adapt_rate), s.alive
        )

    def _new_weak_ties(self, world: World, rng: np.random.Generator) -> None:
        """Weak ties formed at shared places; municipal actions raise the rate per wijk."""
        s, p = world.state, self.params
        outreach = world.levers.outreach
        # One compiled pass over the residents: the adults, their wijken, their number per wijk, their top weight.
        adults, wijk_adults, pop_w, top = adults_by_wijk(s.alive, s.age, s.wijk, world.n_wijken, outreach, s.loneliness)
        if adults.size < 2:
            return
        rate_w = p.new_ties_per_1000 / 1000.0 * world.levers.tie_formation_factor
        k_w = rng.poisson(rate_w * pop_w + world.flows.extra_ties_w)
        total = int(k_w.sum())
        if total == 0:
            return
        # Attendance favours residents with few contacts only where centres reach out (levers): the weight
        # 1 + outreach · loneliness ÷ 11, computed for the candidates drawn only.
        wijk_of = np.repeat(np.arange(world.n_wijken), k_w)
        a = _pick_in_wijk(rng, adults, wijk_adults, wijk_of, top, outreach, s.loneliness)
        bridging = rng.random(total) < p.bridging_share + world.levers.bridging_bonus[wijk_of]
        other = np.where(bridging, rng.integers(0, world.n_wijken, total), wijk_of)
        b = _pick_in_wijk(rng, adults, wijk_adults, other, 1.0, _NO_OUTREACH, s.loneliness)
        ok = (a >= 0) & (b >= 0) & (a != b)
        before = world.ties.m
        kind = np.where(
            (wijk_of == other) & (rng.random(total) < p.neighbour_share),
            KIND_CODE["neighbour"],
            KIND_CODE["acquaintance"],
        )
        lever = world.levers.new_tie_strength[wijk_of]
        strength = np.where(np.isnan(lever), p.new_tie_strength, lever)
        world.ties.add(a[ok], b[ok], kind[ok], strength[ok])
        made = world.ties.m - before
        world.counters.ties_formed += made
        world.counters.bridging_ties_formed += int((ok & (wijk_of != other)).sum()) if made else 0
