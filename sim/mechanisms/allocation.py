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

from sim.params import param
from sim.state import CARE_KINDS, COMPANY, PERSONAL, PRACTICAL
from sim.ties import KIND_CODE, TIE_KINDS

if TYPE_CHECKING:
    from sim.model import CareNetworkModel

#: The informal layers in order: name, tie kinds, care kinds they may give.
INFORMAL_LAYERS: tuple[tuple[str, tuple[str, ...], tuple[int, ...]], ...] = (
    ("household", ("household",), (PERSONAL, PRACTICAL, COMPANY)),
    ("family_friends", ("family", "friend"), (PERSONAL, PRACTICAL, COMPANY)),
    ("neighbours", ("neighbour", "acquaintance"), (PRACTICAL, COMPANY)),
)
LAYERS: tuple[str, ...] = ("household", "family_friends", "neighbours", "volunteers", "professionals")
_PERSONAL_TIE_KINDS = np.array([k in ("household", "family") for k in TIE_KINDS])


@dataclass
class AllocationParams:
    """Who may give what, and how much."""

    household_stretch: float = param(
        2.5, unit="× capacity", lo=0, hi=20, doc="how far a resident stretches their capacity for their own household",
        source="SCP 2017: partners give the most hours, often far beyond their free time",
    )
    family_stretch: float = param(1.5, unit="× capacity", lo=0, hi=20, doc="stretch of capacity for family and friends")
    family_weight: float = param(
        2.0, unit="×", lo=0, hi=20, doc="weight of a family tie against a friendship of equal strength when asking"
    )
    friend_tie_cap: float = param(3.0, unit="hours a week", lo=0, hi=168, doc="most a friend gives over one tie")
    neighbour_tie_cap: float = param(2.0, unit="hours a week", lo=0, hi=168, doc="most a neighbour or acquaintance gives over one tie")
    ask_threshold: float = param(
        0.35, unit="tie strength", lo=0, hi=1, doc="residents ask neighbours and acquaintances only over ties at least this strong",
        source="Tonkens 2010 and Linders 2010: people hesitate to ask weak ties ('unused help mountain')",
    )
    mobilised_ask_threshold: float = param(
        0.05, unit="tie strength", lo=0, hi=1, doc="the same threshold once a professional has mobilised the network"
    )
    helper_max_severity: float = param(0.5, unit="severity", lo=0, hi=1, doc="residents with a heavier need of their own do not help")
    min_helper_age: float = param(16.0, unit="years", lo=0, hi=100, doc="youngest age at which residents help")
    volunteer_capacity_share: float = param(
        0.6, unit="share", lo=0, hi=1, doc="share of a volunteer's capacity available for matched requests"
    )
    volunteer_match_success: float = param(
        0.6, unit="probability", lo=0, hi=1, doc="chance that a volunteer match for a known resident succeeds",
        source="Movisie: buurthulp matches often fail without coordination and backup",
    )
    formal_needs_indication: bool = param(True, doc="formal care only for residents assessed by the wijkteam")


def _spread(
    remaining: np.ndarray,
    cap_left: np.ndarray,
    rec: np.ndarray,
    hlp: np.ndarray,
    weight: np.ndarray,
    tie_left: np.ndarray,
    rounds: int = 2,
) -> np.ndarray:
    """Give one kind of care over half-edges; return the hours given over each half-edge.

    ``remaining`` (per recipient) and ``cap_left`` (per helper) and ``tie_left``
    (per half-edge) are reduced in place.
    """
    n = remaining.shape[0]
    given = np.zeros(rec.shape[0])
    for _ in range(rounds):
        w = weight * (cap_left[hlp] > 1e-9) * (tie_left > 1e-9) * (remaining[rec] > 1e-9)
        live = np.flatnonzero(w)
        if live.size == 0:
            break
        r, h, wl = rec[live], hlp[live], w[live]
        rowsum = np.bincount(r, wl, n)
        offer = np.minimum(remaining[r] * wl / rowsum[r], tie_left[live])
        asked = np.bincount(h, offer, n)
        scale = np.minimum(1.0, cap_left / np.maximum(asked, 1e-12))
        g = offer * scale[h]
        given[live] += g
        tie_left[live] -= g
        np.subtract(remaining, np.bincount(r, g, n), out=remaining)
        np.subtract(cap_left, np.bincount(h, g, n), out=cap_left)
        np.maximum(remaining, 0.0, out=remaining)
        np.maximum(cap_left, 0.0, out=cap_left)
    return given


class LayeredAllocation:
    """Allocates this week's asked hours over the layers of the onion."""

    name = "allocation"

    def __init__(self, params: AllocationParams) -> None:
        self.params = params

    def step(self, model: CareNetworkModel) -> None:
        s, p, ties = model.state, self.params, model.ties
        n = s.n
        rng = model.streams.weekly(self.name, model.week)
        u_match = rng.random(n)
        remaining = s.need.copy()
        flows = model.flows
        flows["need"] = s.need.sum(axis=0)
        by_layer = {name: np.zeros(3) for name in LAYERS}

        can_help = (
            s.alive & (s.age >= p.min_helper_age) & (s.cooldown == 0) & ~s.ill & (s.severity <= p.helper_max_severity)
        )
        used = np.zeros(n)
        rec_h, hlp_h, eid_h = ties.half_edges()
        # Only half-edges towards residents with a need, from residents who can help, carry care.
        need_total = s.need.sum(axis=1)
        live = np.flatnonzero((need_total[rec_h] > 0) & can_help[hlp_h] & ties.alive[eid_h])
        rec_all, hlp_all, eid_all = rec_h[live], hlp_h[live], eid_h[live]
        kind_all = ties.kind[eid_all]
        layer_of_kind = np.full(len(TIE_KINDS), -1)
        for i, (_, kinds, _) in enumerate(INFORMAL_LAYERS):
            layer_of_kind[[KIND_CODE[k] for k in kinds]] = i
        layer_all = layer_of_kind[kind_all]
        he_given = np.zeros(rec_all.shape[0])
        hours_by_tie_kind = np.zeros(len(TIE_KINDS))
        helped_other = np.zeros(n, dtype=bool)
        neighbour_help = np.zeros(n, dtype=bool)
        threshold = np.where(s.mobilised, p.mobilised_ask_threshold, p.ask_threshold)
        caps = {"household": p.household_stretch, "family_friends": p.family_stretch, "neighbours": 1.0}

        for i, (layer, _, care_kinds) in enumerate(INFORMAL_LAYERS):
            sel_idx = np.flatnonzero(layer_all == i)
            rec, hlp, kind_l = rec_all[sel_idx], hlp_all[sel_idx], kind_all[sel_idx]
            strength = ties.strength[eid_all[sel_idx]]
            weight = strength.copy()
            if layer == "family_friends":
                weight = np.where(kind_l == KIND_CODE["family"], weight * p.family_weight, weight)
            if layer == "neighbours":
                weight = weight * (strength >= threshold[rec]) * s.willing[hlp]
            tie_cap = np.full(rec.size, np.inf)
            tie_cap[kind_l == KIND_CODE["friend"]] = p.friend_tie_cap
            tie_cap[(kind_l == KIND_CODE["neighbour"]) | (kind_l == KIND_CODE["acquaintance"])] = p.neighbour_tie_cap
            cap_left = np.maximum(0.0, s.capacity * caps[layer] - used) * can_help
            start_cap = cap_left.copy()
            layer_given = np.zeros(rec.size)
            for k in care_kinds:
                w_k = weight if k != PERSONAL else weight * _PERSONAL_TIE_KINDS[kind_l]
                g = _spread(remaining[:, k], cap_left, rec, hlp, w_k, tie_cap)
                by_layer[layer][k] += g.sum()
                layer_given += g
            used += start_cap - cap_left
            he_given[sel_idx] += layer_given
            hours_by_tie_kind += np.bincount(kind_l, layer_given, len(TIE_KINDS))
            gave = layer_given > 0
            if layer != "household":
                helped_other[hlp[gave & (kind_l != KIND_CODE["family"])]] = True
            if layer == "neighbours":
                neighbour_help[hlp[gave]] = True

        informal_received = s.need.sum(axis=1) - remaining.sum(axis=1)
        # How many informal helpers each recipient has, to know who cares alone.
        gave_he = he_given > 0
        helpers_of = np.bincount(rec_all[gave_he], minlength=n)
        s.given = used
        flows["alone"] = self._caring_alone(rec_all, hlp_all, gave_he, helpers_of, n)
        flows["helped_ties"] = np.bincount(eid_all, he_given, ties.m) > 0
        flows["hours_by_tie_kind"] = hours_by_tie_kind

        vol_given = self._volunteers(model, remaining, u_match, by_layer)
        formal = self._professionals(model, remaining, by_layer)

        s.received_informal = informal_received + vol_given
        s.received_formal = formal
        s.unmet = remaining
        caring = used > 1e-9
        s.caring_weeks = np.where(caring, s.caring_weeks + 1, 0).astype(np.int32)
        s.last_gave[caring] = model.week
        s.gave_this_year |= caring
        s.helped_friend_or_neighbour |= helped_other
        s.neighbour_helper = neighbour_help
        flows["by_layer"] = by_layer
        flows["unmet"] = remaining.sum(axis=0)

    @staticmethod
    def _caring_alone(rec, hlp, gave_he, helpers_of, n) -> np.ndarray:
        """Helpers who give to a resident who has no other informal helper."""
        alone_he = gave_he & (helpers_of[rec] == 1)
        return np.bincount(hlp[alone_he], minlength=n) > 0

    def _volunteers(self, model: CareNetworkModel, remaining: np.ndarray, u_match: np.ndarray, by_layer) -> np.ndarray:
        """Volunteers matched by a coordinator to residents known to the wijkteam, pooled per wijk."""
        s, p = model.state, self.params
        n_wijk = model.n_wijken
        known = s.alive & (s.referred | s.indicated)
        success = u_match < np.clip(p.volunteer_match_success + model.levers.match_success_bonus[s.wijk], 0, 1)
        asking = known & success & (remaining[:, PRACTICAL] + remaining[:, COMPANY] > 0)
        vol = s.alive & s.volunteer & (s.cooldown == 0) & ~s.ill
        vol_cap_each = np.where(vol, np.maximum(0.0, s.capacity - s.given) * p.volunteer_capacity_share, 0.0)
        cap_w = np.bincount(s.wijk, vol_cap_each, n_wijk)
        demand_each = np.where(asking, remaining[:, PRACTICAL] + remaining[:, COMPANY], 0.0)
        demand_w = np.bincount(s.wijk, demand_each, n_wijk)
        frac_w = np.minimum(1.0, cap_w / np.maximum(demand_w, 1e-12))
        frac = np.where(asking, frac_w[s.wijk], 0.0)
        got = np.zeros(s.n)
        for k in (PRACTICAL, COMPANY):
            g = remaining[:, k] * frac
            remaining[:, k] -= g
            by_layer["volunteers"][k] += g.sum()
            got += g
        used_w = np.bincount(s.wijk, got, n_wijk)
        share = np.where(vol, vol_cap_each / np.maximum(cap_w[s.wijk], 1e-12), 0.0)
        s.given = s.given + share * used_w[s.wijk]
        model.counters["volunteer_matches"] += int((asking & (got > 0)).sum())
        model.counters["volunteer_match_failures"] += int((known & ~success & (s.need[:, PRACTICAL] > 0)).sum())
        model.flows["volunteer_hours"] = float(got.sum())
        return got

    def _professionals(self, model: CareNetworkModel, remaining: np.ndarray, by_layer) -> np.ndarray:
        """Formal care for assessed residents within the home-care capacity of their wijk: personal care first."""
        s, p = model.state, self.params
        n_wijk = model.n_wijken
        eligible = s.alive & (s.indicated if p.formal_needs_indication else np.ones(s.n, dtype=bool))
        cap_w = model.formal_capacity_by_wijk().astype(float)
        got = np.zeros(s.n)
        for k in (PERSONAL, PRACTICAL):
            demand_each = np.where(eligible, remaining[:, k], 0.0)
            demand_w = np.bincount(s.wijk, demand_each, n_wijk)
            frac_w = np.minimum(1.0, cap_w / np.maximum(demand_w, 1e-12))
            g = demand_each * frac_w[s.wijk]
            remaining[:, k] -= g
            cap_w = np.maximum(0.0, cap_w - np.bincount(s.wijk, g, n_wijk))
            by_layer["professionals"][k] += g.sum()
            model.flows[f"formal_{CARE_KINDS[k]}"] = float(g.sum())
            got += g
        return got
