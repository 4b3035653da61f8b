"""Layered allocation of care, the Wmo "onion": household → family and friends → neighbours and
acquaintances → volunteers → professionals; what no one gives is unmet.

Each layer gives only the kinds of care its ties allow (neighbours and
volunteers give no personal care) and only within its helpers' capacity.
Within an informal layer a resident's request is spread over their ties in
proportion to tie strength; a helper asked for more than they can give scales
every answer down. Hours are conserved by construction:
asked = given informally + given formally + unmet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from samenkracht.sim.kernels import care_half_edges, mark_relations, spread_round, unique_inverse
from samenkracht.sim.mechanisms.base import Mechanism
from samenkracht.sim.params import param
from samenkracht.sim.state import COMPANY, PERSONAL, PRACTICAL, row_total
from samenkracht.sim.ties import GENERATION_GAP_YEARS, KIND_CODE, TIE_KINDS
from samenkracht.sim.tolerances import HOURS_EPS, SHARE_EPS, some_hours

if TYPE_CHECKING:
    from samenkracht.sim.world import World

#: The informal layers in order: name, tie kinds, care kinds they may give.
INFORMAL_LAYERS: tuple[tuple[str, tuple[str, ...], tuple[int, ...]], ...] = (
    ("household", ("household",), (PERSONAL, PRACTICAL, COMPANY)),
    ("family_friends", ("family", "friend"), (PERSONAL, PRACTICAL, COMPANY)),
    ("neighbours", ("neighbour", "acquaintance"), (PRACTICAL, COMPANY)),
)
LAYERS: tuple[str, ...] = ("household", "family_friends", "neighbours", "volunteers", "professionals")
_PERSONAL_TIE_KINDS = np.array([k in ("household", "family") for k in TIE_KINDS])
#: The informal layer of each tie kind (-1: volunteer and professional ties carry no informal care).
_LAYER_OF_KIND = np.array(
    [next((i for i, (_, kinds, _) in enumerate(INFORMAL_LAYERS) if k in kinds), -1) for k in TIE_KINDS]
)


@dataclass
class AllocationParams:
    """Who may give what, and how much."""

    household_stretch: float = param(
        2.5,
        unit="× capacity",
        lo=0,
        hi=20,
        doc="how far a resident stretches their capacity for their own household",
        source="SCP 2017: partners give the most hours, often far beyond their free time",
    )
    pressure_stretch: float = param(
        1.0,
        unit="× capacity",
        lo=0,
        hi=20,
        doc="extra stretch of household members when their household's need went unmet last week "
        "(at a fully unmet need): carers step in when no one else does",
        source="SCP 2017: carers of people with unmet formal care give more hours and report more burden",
    )
    family_stretch: float = param(1.5, unit="× capacity", lo=0, hi=20, doc="stretch of capacity for family and friends")
    family_weight: float = param(
        5.0, unit="×", lo=0, hi=20, doc="weight of a family tie against a friendship of equal strength when asking"
    )
    concentration: float = param(
        3.0,
        unit="exponent",
        lo=0,
        hi=10,
        doc="requests go to ties in proportion to strength to this power: help concentrates on the closest ties",
        source="calibrated to the share of adults who give care in a year (SCP 2017: about a third)",
    )
    min_hours: float = param(
        0.5,
        unit="hours a week",
        lo=0,
        hi=40,
        doc="smallest request put to one tie; smaller shares go to stronger ties",
    )
    friend_tie_cap: float = param(2.0, unit="hours a week", lo=0, hi=168, doc="most a friend gives over one tie")
    neighbour_tie_cap: float = param(
        2.0, unit="hours a week", lo=0, hi=168, doc="most a neighbour or acquaintance gives over one tie"
    )
    ask_threshold: float = param(
        0.35,
        unit="tie strength",
        lo=0,
        hi=1,
        doc="residents ask neighbours and acquaintances only over ties at least this strong",
        source="Tonkens 2010 and Linders 2010: people hesitate to ask weak ties ('unused help mountain')",
    )
    friend_ask_threshold: float = param(
        0.45,
        unit="tie strength",
        lo=0,
        hi=1,
        doc="residents ask friends for care only over friendships at least this strong",
        source="assumption; known gap: at the defaults about two thirds of carers help a friend or neighbour in a "
        "year, SCP 2017 reports about a quarter to a third (see docs/ODD.md, Choices and limitations)",
    )
    mobilised_ask_threshold: float = param(
        0.05, unit="tie strength", lo=0, hi=1, doc="the same threshold once a professional has mobilised the network"
    )
    helper_max_severity: float = param(
        0.5, unit="severity", lo=0, hi=1, doc="residents with a heavier need of their own do not help"
    )
    min_helper_age: float = param(16.0, unit="years", lo=0, hi=100, doc="youngest age at which residents help")
    volunteer_capacity_share: float = param(
        0.6, unit="share", lo=0, hi=1, doc="share of a volunteer's capacity available for matched requests"
    )
    volunteer_match_success: float = param(
        0.6,
        unit="probability",
        lo=0,
        hi=1,
        doc="chance that a volunteer match for a known resident succeeds",
        source="Movisie: buurthulp matches often fail without coordination and backup",
    )
    formal_needs_indication: bool = param(True, doc="formal care only for residents assessed by the wijkteam")
    takeover_share: float = param(
        0.6,
        unit="share",
        lo=0,
        hi=1,
        doc="share of personal care and practical help professionals take over, before the network, for residents "
        "assessed in the medical model (not mobilised)",
        source="Hospers 2021: the medical model takes care over; calibrated to three quarters of care at home informal",
    )


def spread_care(
    remaining: np.ndarray,
    cap_left: np.ndarray,
    rec: np.ndarray,
    hlp: np.ndarray,
    weight: np.ndarray,
    tie_left: np.ndarray,
    min_hours: float = 0.0,
    rounds: int = 2,
) -> np.ndarray:
    """Give one kind of care over half-edges; return the hours given over each half-edge.

    ``remaining`` (per recipient) and ``cap_left`` (per helper) and ``tie_left``
    (per half-edge) are reduced in place.
    """
    n, n_helpers = remaining.shape[0], cap_left.shape[0]
    given = np.zeros(rec.shape[0])
    for _ in range(rounds):
        # Each request is spread over the live ties in proportion to weight; crumbs below min_hours go unasked
        # this round unless they are all that is left; helpers asked for more than they can give scale every
        # answer down. One compiled pass (sim/kernels.py, which spells out the arithmetic).
        short = spread_round(
            remaining, cap_left, rec, hlp, weight, tie_left, given, min_hours, n, n_helpers, HOURS_EPS, SHARE_EPS
        )
        if short < HOURS_EPS:
            break  # nothing was asked, or every request was met as asked: another round would find nothing to do
    return given


class LayeredAllocation(Mechanism):
    """Allocates this week's asked hours over the layers of the onion."""

    name = "allocation"

    def __init__(self, params: AllocationParams) -> None:
        self.params = params

    def step(self, world: World) -> None:
        s, p, ties = world.state, self.params, world.ties
        n = s.n
        rng = world.streams.weekly(self.name, world.week)
        u_match = rng.random(n)
        remaining = np.ascontiguousarray(s.need.T)  # (kind, resident): each kind's row contiguous
        flows = world.flows
        by_layer = {name: np.zeros(3) for name in LAYERS}
        self._by_layer = by_layer
        formal_cap = world.formal_capacity_by_wijk().astype(float)
        formal = np.zeros(n)
        if p.takeover_share > 0:
            taken_over = s.alive & s.indicated & ~s.mobilised
            formal_cap = self._professionals(world, remaining, formal, formal_cap, taken_over, p.takeover_share)
        can_help = (
            s.alive & (s.age >= p.min_helper_age) & (s.cooldown == 0) & ~s.ill & (s.severity <= p.helper_max_severity)
        )
        used = np.zeros(n)
        rec_h, hlp_h, eid_h = ties.half_edges()
        # Only half-edges towards residents with a need, from residents who can help, carry care.
        need_total = row_total(s.need)
        rec_all, hlp_all, eid_all = care_half_edges(rec_h, hlp_h, eid_h, some_hours(need_total), can_help, ties.alive)
        kind_all = ties.kind[eid_all]
        layer_all = _LAYER_OF_KIND[kind_all]
        he_given = np.zeros(rec_all.shape[0])
        hours_by_tie_kind = np.zeros(len(TIE_KINDS))
        helped_other = np.zeros(n, dtype=bool)
        neighbour_help = np.zeros(n, dtype=bool)
        threshold = np.where(s.mobilised, p.mobilised_ask_threshold, p.ask_threshold)
        caps = {"household": p.household_stretch, "family_friends": p.family_stretch, "neighbours": 1.0}
        # Pressure: the share of the household's need that went unmet last week.
        n_hh = int(s.household.max()) + 1
        hh_need = np.bincount(s.household, need_total, n_hh)
        hh_unmet = np.bincount(s.household, row_total(s.unmet), n_hh)
        pressure = (hh_unmet / np.maximum(hh_need, 1e-9))[s.household]

        for i, (layer, _, care_kinds) in enumerate(INFORMAL_LAYERS):
            sel_idx = np.flatnonzero(layer_all == i)
            rec, hlp, kind_l = rec_all[sel_idx], hlp_all[sel_idx], kind_all[sel_idx]
            strength = ties.strength[eid_all[sel_idx]]
            weight = strength**p.concentration
            if layer == "family_friends":
                is_family = kind_l == KIND_CODE["family"]
                friend_threshold = np.where(s.mobilised[rec], p.mobilised_ask_threshold, p.friend_ask_threshold)
                asked = is_family | (strength >= friend_threshold)
                weight = np.where(is_family, weight * p.family_weight, weight) * asked
            if layer == "neighbours":
                weight = weight * (strength >= threshold[rec]) * s.willing[hlp]
            tie_cap = np.full(rec.size, np.inf)
            tie_cap[kind_l == KIND_CODE["friend"]] = p.friend_tie_cap
            tie_cap[(kind_l == KIND_CODE["neighbour"]) | (kind_l == KIND_CODE["acquaintance"])] = p.neighbour_tie_cap
            # Work in the layer's own index space: its recipients and its helpers only.
            rec_ids, rec_l = unique_inverse(rec, n)
            hlp_ids, hlp_l = unique_inverse(hlp, n)
            stretch = caps[layer] + (p.pressure_stretch * pressure[hlp_ids] if layer == "household" else 0.0)
            cap_left = np.maximum(0.0, s.capacity[hlp_ids] * stretch - used[hlp_ids])
            start_cap = cap_left.copy()
            layer_given = np.zeros(rec.size)
            for k in care_kinds:
                w_k = weight if k != PERSONAL else weight * _PERSONAL_TIE_KINDS[kind_l]
                rem = remaining[k, rec_ids]
                g = spread_care(rem, cap_left, rec_l, hlp_l, w_k, tie_cap, p.min_hours)
                remaining[k, rec_ids] = rem
                by_layer[layer][k] += g.sum()
                layer_given += g
            used[hlp_ids] += start_cap - cap_left
            he_given[sel_idx] += layer_given
            hours_by_tie_kind += np.bincount(kind_l, layer_given, len(TIE_KINDS))
            gave = some_hours(layer_given)
            if layer != "household":
                helped_other[hlp[gave & (kind_l != KIND_CODE["family"])]] = True
            if layer == "neighbours":
                neighbour_help[hlp[gave]] = True

        informal_received = np.maximum(0.0, need_total - remaining.sum(axis=0) - formal)
        # How many informal helpers each recipient has, to know who cares alone.
        gave_he = some_hours(he_given)
        helpers_of = np.bincount(rec_all[gave_he], minlength=n)
        s.given = used
        flows.alone = self._caring_alone(rec_all, hlp_all, gave_he, helpers_of, n)
        flows.helped_ties = some_hours(np.bincount(eid_all, he_given, ties.m))
        flows.hours_by_tie_kind = hours_by_tie_kind

        vol_given = self._volunteers(world, remaining, u_match, by_layer)
        eligible = s.alive & (s.indicated if p.formal_needs_indication else True)
        self._professionals(world, remaining, formal, formal_cap, eligible, 1.0)
        flows.formal_personal = float(by_layer["professionals"][PERSONAL])
        flows.formal_practical = float(by_layer["professionals"][PRACTICAL])

        s.received_informal = informal_received + vol_given
        s.received_formal = formal
        s.unmet = remaining.T.copy()
        caring = some_hours(used)
        s.caring_weeks = np.where(caring, s.caring_weeks + 1, 0).astype(np.int32)
        s.last_gave[caring] = world.week
        s.gave_this_year |= caring
        s.helped_friend_or_neighbour |= helped_other
        # Whom each helper helped (partner, parent, child, other family, friend or neighbour), for the calibration.
        mark_relations(
            rec_all,
            hlp_all,
            kind_all,
            gave_he,
            s.age,
            s.helped_relations,
            KIND_CODE["household"],
            KIND_CODE["family"],
            GENERATION_GAP_YEARS,
        )
        s.last_helped_neighbour[neighbour_help] = world.week
        flows.by_layer = by_layer

    @staticmethod
    def _caring_alone(rec, hlp, gave_he, helpers_of, n) -> np.ndarray:
        """Helpers who give to a resident who has no other informal helper."""
        alone_he = gave_he & (helpers_of[rec] == 1)
        return np.bincount(hlp[alone_he], minlength=n) > 0

    def _volunteers(self, world: World, remaining: np.ndarray, u_match: np.ndarray, by_layer) -> np.ndarray:
        """Volunteers matched by a coordinator to residents known to the wijkteam, pooled per wijk.

        Volunteer hours are informal help but not mantelzorg: they do not count
        towards a volunteer's burden or carer role.
        """
        s, p = world.state, self.params
        n_wijk = world.n_wijken
        known = np.flatnonzero(s.alive & (s.referred | s.indicated))
        w_known = s.wijk[known]
        success = u_match[known] < np.clip(p.volunteer_match_success + world.levers.match_success_bonus[w_known], 0, 1)
        wanted = remaining[PRACTICAL, known] + remaining[COMPANY, known]
        asking = success & some_hours(wanted)
        vol = np.flatnonzero(s.alive & s.volunteer & (s.cooldown == 0) & ~s.ill)
        vol_cap = np.maximum(0.0, s.capacity[vol] - s.given[vol]) * p.volunteer_capacity_share
        vol_cap[~some_hours(vol_cap)] = 0.0  # dust of capacity is no capacity
        cap_w = np.bincount(s.wijk[vol], vol_cap, n_wijk)
        demand_w = np.bincount(w_known, np.where(asking, wanted, 0.0), n_wijk)
        frac = np.where(asking, np.minimum(1.0, cap_w / np.maximum(demand_w, 1e-12))[w_known], 0.0)
        got = np.zeros(s.n)
        for k in (PRACTICAL, COMPANY):
            g = remaining[k, known] * frac
            remaining[k, known] -= g
            by_layer["volunteers"][k] += g.sum()
            got[known] += g
        world.counters.volunteer_matches += int((asking & some_hours(got[known])).sum())
        world.counters.volunteer_match_failures += int((~success & some_hours(wanted)).sum())
        world.flows.volunteer_hours = float(got.sum())
        return got

    def _professionals(
        self,
        world: World,
        remaining: np.ndarray,
        got: np.ndarray,
        cap_w: np.ndarray,
        eligible: np.ndarray,
        share: float,
    ) -> np.ndarray:
        """Formal care for eligible residents within the home-care hours of their wijk, personal care first.

        Gives up to ``share`` of each eligible resident's remaining personal and
        practical need; adds to ``got``; returns the hours left per wijk.
        """
        n_wijk = world.n_wijken
        idx = np.flatnonzero(eligible)
        wijk = world.state.wijk[idx]
        for k in (PERSONAL, PRACTICAL):
            demand = remaining[k, idx] * share
            demand_w = np.bincount(wijk, demand, n_wijk)
            g = demand * np.minimum(1.0, cap_w / np.maximum(demand_w, 1e-12))[wijk]
            remaining[k, idx] -= g
            cap_w = np.maximum(0.0, cap_w - np.bincount(wijk, g, n_wijk))
            self._by_layer["professionals"][k] += g.sum()
            got[idx] += g
        return cap_w
