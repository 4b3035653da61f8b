"""Layered allocation of care, the Wmo "onion": household → family and friends → neighbours and
acquaintances → volunteers → professionals; what no one gives is unmet.

Each layer gives only the kinds of care its ties allow (neighbours and
volunteers give no personal care) and only within its helpers' capacity.
Within an informal layer a resident's request is spread over their ties in
proportion to tie strength; a helper asked for more than they can give scales
every answer down. Hours are conserved by construction:
asked = given informally + given formally + unmet.

Substitution between formal and informal care depends on the kind of care:
home care gives an indicated resident a share of their personal care before
the network is asked (formal personal care complements the network), and
after the network it gives what the network left; so for practical help, and
for the rest of personal care, each hour the network actually gives replaces
an hour of formal care. Nothing but the hours given decides this: how the
network came to give them (mobilised or not) does not enter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from samenkracht.sim.kernels import care_half_edges, mark_relations
from samenkracht.sim.kernels_care import (
    care_given,
    care_over_ties_in,
    care_record,
    care_setup,
    care_stage,
    formal_care,
    parents_elsewhere_care,
    stage_local_index,
    transposed,
    volunteer_matches,
)
from samenkracht.sim.kernels_draws import Uniforms
from samenkracht.sim.mechanisms.base import Mechanism
from samenkracht.sim.mechanisms.kin_elsewhere import partners_here
from samenkracht.sim.params import JOINT_CALIBRATION, param
from samenkracht.sim.state import COMPANY, PERSONAL, PRACTICAL
from samenkracht.sim.ties import (
    GENERATION_GAP_YEARS,
    KIND_CODE,
    REL_CODE,
    REL_FLIP,
    RELATION_OF_KIN,
    RELATIONS,
    TIE_KINDS,
)
from samenkracht.sim.tolerances import HOURS_EPS, SHARE_EPS, some_hours

if TYPE_CHECKING:
    from samenkracht.sim.world import World

#: The informal stages in order: name, the layer whose hours they are, tie kinds, care kinds they may give.
#: Residents' care for parents elsewhere uses their capacity but meets no local need (it is not in a layer).
STAGES: tuple[tuple[str, str, tuple[str, ...], tuple[int, ...]], ...] = (
    ("household", "household", ("household",), (PERSONAL, PRACTICAL, COMPANY)),
    ("parents_elsewhere", "", (), ()),
    ("family", "family_friends", ("family",), (PERSONAL, PRACTICAL, COMPANY)),
    ("relatives_elsewhere", "family_friends", (), (PERSONAL, PRACTICAL, COMPANY)),
    ("friends", "family_friends", ("friend",), (PRACTICAL, COMPANY)),
    ("neighbours", "neighbours", ("neighbour", "acquaintance"), (PRACTICAL, COMPANY)),
)
#: The informal layers (as reported), in order.
INFORMAL_LAYERS: tuple[str, ...] = ("household", "family_friends", "neighbours")
LAYERS: tuple[str, ...] = ("household", "family_friends", "neighbours", "volunteers", "professionals")
_PERSONAL_TIE_KINDS = np.array([k in ("household", "family") for k in TIE_KINDS])
#: The informal stage of each tie kind (-1: volunteer and professional ties carry no informal care).
_STAGE_OF_KIND = np.array([next((i for i, (_, _, kinds, _) in enumerate(STAGES) if k in kinds), -1) for k in TIE_KINDS])
#: care_stage's code of each informal stage that gives over local ties.
_STAGE_CODE = {"household": 0, "family": 1, "friends": 2, "neighbours": 3}
_REL_FLIP = np.asarray(REL_FLIP, dtype=np.int8)
_RELATION_OF_KIN = np.asarray(RELATION_OF_KIN, dtype=np.int8)


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
    household_min_hours: float = param(
        12.0,
        unit="hours a week",
        lo=0,
        hi=168,
        doc="a partner or co-resident child can give their household at least this much, whatever their free time",
        source="SCP, Voor elkaar? 2017 and Mantelzorg in Nederland: partners and co-resident children give the most "
        "intensive care, often more than 20 hours a week; modelling assumption for the figure",
    )
    usual_care_hours: float = param(
        8.1,
        unit="hours a week",
        lo=0,
        hi=40,
        doc="help a household member gives the household's residents in need up to this is usual care "
        "(gebruikelijke zorg), not mantelzorg: informal care given, but it makes the helper no carer and bears no "
        "burden; help beyond it counts as care, all of it",
        source="CIZ, Protocol gebruikelijke zorg (Wlz/Wmo): partners and parents are expected to take over usual "
        "household tasks and care; SCP counts as mantelzorg only the help beyond it; the figure is a modelling "
        "assumption, " + JOINT_CALIBRATION,
    )
    min_commitment: float = param(
        0.55,
        unit="hours a week",
        lo=0,
        hi=40,
        doc="someone outside the household who takes on a request gives at least this much a week over the tie, "
        "or nothing (no crumbs)",
        source="modelling assumption; SCP counts as informal help giving help regularly or for a longer time; "
        + JOINT_CALIBRATION,
    )
    outside_care_ages: list[float] = param(
        [75.0, 90.0],
        unit="years",
        lo=0,
        hi=120,
        doc="ability to care outside one's household falls linearly from full at the first age to none at the "
        "second: the oldest rarely care for anyone but a partner",
        source="SCP 2017: about 6% of carers are 75 or older, most of them caring for a partner; modelling "
        "assumption for the shape; the first age " + JOINT_CALIBRATION,
    )
    outside_max_severity: float = param(
        0.2,
        unit="severity",
        lo=0,
        hi=1,
        doc="residents with a need of their own heavier than this care for no one outside their household",
        source="modelling assumption (one's own health limits caring: SCP 2017)",
    )
    friend_share: float = param(
        0.285,
        unit="share",
        lo=0,
        hi=1,
        doc="friends are asked for at most this share of a resident's practical help and company (their own part, "
        "not the family's overflow; a mobilised network asks them for all that is left)",
        source="modelling assumption; SCP 2015: somewhat more than one in five carers helps a friend, neighbour or "
        "acquaintance; " + JOINT_CALIBRATION,
    )
    neighbour_share: float = param(
        0.15,
        unit="share",
        lo=0,
        hi=1,
        doc="the same for neighbours and acquaintances (errands and small practical help, company)",
        source="modelling assumption (Linders 2010: neighbours help with small, short tasks)",
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
    friend_tie_cap: float = param(
        2.8,
        unit="hours a week",
        lo=0,
        hi=168,
        doc="most a friend gives over one tie",
        source="modelling assumption (Linders 2010: friends and neighbours help with small, short tasks); "
        + JOINT_CALIBRATION,
    )
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
        source="modelling assumption (Tonkens 2010: people hesitate to ask for help outside the family)",
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
        doc="share of an indicated resident's personal care (washing, dressing, nursing) that home care gives before "
        "the network is asked, whatever the network could give and however the wijkteam works: formal personal care "
        "complements the network rather than standing in for it; 0 switches this formal-first rule off (then formal "
        "care only fills what the network leaves)",
        source="Bonsang 2009 (J Health Econ 28): informal care complements formal nursing and personal care; SCP, "
        "Informele hulp: wie doet er wat? (2019) and Voor elkaar? (2017): informal helpers mostly give company, "
        "household help and errands, far fewer give personal care and nursing, which professionals mostly give; the "
        "share is calibrated by hand to about three quarters of care at home being informal (SCP Kerncijfers 2016)",
    )
    practical_takeover_share: float = param(
        0.0,
        unit="share",
        lo=0,
        hi=1,
        doc="the same for practical help (household help, errands): none by default, so formal household help fills "
        "only what the network leaves and each hour the network gives replaces an hour of it",
        source="Bonsang 2009; Bolin, Lindgren and Lundborg 2008 (Health Economics 17): informal care substitutes for "
        "formal domestic help; CIZ/Wmo protocol gebruikelijke zorg: household help is indicated for what the "
        "household and network cannot do",
    )


class LayeredAllocation(Mechanism):
    """Allocates this week's asked hours over the layers of the onion."""

    name = "allocation"

    def __init__(self, params: AllocationParams) -> None:
        self.params = params
        self._per_tie = np.zeros(0)  # care_over_ties_in's work space: all 0.0 between calls

    def step(self, world: World) -> None:
        s, p, ties = world.state, self.params, world.ties
        n = s.n
        # The most a helper gives over one tie in a week, by tie kind (household and family: no cap).
        self._tie_cap = np.full(len(TIE_KINDS), np.inf)
        self._tie_cap[KIND_CODE["friend"]] = p.friend_tie_cap
        self._tie_cap[[KIND_CODE["neighbour"], KIND_CODE["acquaintance"]]] = p.neighbour_tie_cap
        rng = world.streams.weekly(self.name, world.week)
        u_match = Uniforms(rng, n)  # rng.random(n), read only at the residents known to the wijkteam
        # Who can help; their ability to care outside their household (it falls with age towards none, none with a
        # need of one's own); each resident's need; per household, the need and last week's unmet hours (for the
        # pressure on household members); the need in the (kind, resident) layout, each kind's row contiguous, as the
        # hours still to give; and the residents the later steps look at: one compiled pass (sim/kernels_care.py).
        a_full, a_none = p.outside_care_ages
        can_help, ability, need_total, needs, hh_need, hh_unmet, remaining, sets = care_setup(
            s.alive,
            s.age,
            s.cooldown,
            s.ill,
            s.severity,
            s.need,
            s.unmet,
            s.household,
            float(p.min_helper_age),
            float(p.helper_max_severity),
            float(a_full),
            float(a_none),
            float(p.outside_max_severity),
            HOURS_EPS,
            (
                s.cares_away,
                s.parent_need_away,
                s.cares_in_law,
                s.cares_grand,
                s.grand_need_away,
                s.children_near,
                s.children_far,
                s.referred,
                s.indicated,
                s.volunteer,
            ),
        )
        # Who cares for a (grand)parent elsewhere, who has adult children elsewhere, who is known to the wijkteam,
        # the volunteers available, the living indicated residents: each in slot order.
        carers_away, with_kids_away, known, volunteers, indicated = sets
        flows = world.flows
        by_layer = {name: np.zeros(3) for name in LAYERS}
        self._by_layer = by_layer
        formal_cap = world.formal_capacity_by_wijk().astype(float)
        formal = np.zeros(n)
        # Formal first, by kind of care and for every indicated resident alike: home care gives its share of the
        # personal care (and of practical help, if set) before the network is asked. The rest of formal care, after
        # the network (below), is what the network leaves: there each hour the network gives replaces an hour of it.
        takeover = {PERSONAL: p.takeover_share, PRACTICAL: p.practical_takeover_share}
        if p.takeover_share > 0 or p.practical_takeover_share > 0:
            formal_cap = self._professionals(world, remaining, formal, formal_cap, indicated, takeover)
        used = np.zeros(n)
        rec_h, hlp_h, eid_h = ties.half_edges()
        # Only half-edges towards residents with a need, from residents who can help, carry care.
        # They come grouped by stage (each stage's in their order), with their tie's kind and strength; ties of
        # volunteers and professionals carry no informal care and are left out. A tie's two half-edges are in one
        # stage, in their order, so the hours of a tie add up in the same order as over all half-edges.
        rec_s, hlp_s, eid_s, kind_s, strength_s, bounds = care_half_edges(
            rec_h, hlp_h, eid_h, needs, can_help, ties.alive, ties.kind, _STAGE_OF_KIND, len(STAGES), ties.strength
        )
        tie_cap_s = self._tie_cap[kind_s]
        # Each stage's recipients and helpers, and each half-edge's position among its stage's, as
        # ``np.unique(…, return_inverse=True)`` stage by stage: one compiled pass each (sim/kernels_care.py).
        rec_ids_s, rec_ub, rec_l_s = stage_local_index(rec_s, bounds, n)
        hlp_ids_s, hlp_ub, hlp_l_s = stage_local_index(hlp_s, bounds, n)
        given_s = np.zeros(rec_s.size)
        hours_by_tie_kind = np.zeros(len(TIE_KINDS))
        # Each stage's parameters for care_stage: household stretch, pressure stretch, household minimum hours,
        # family stretch, ask threshold, mobilised ask threshold, own share, min hours, min commitment.
        base = [p.household_stretch, p.pressure_stretch, p.household_min_hours, p.family_stretch]
        tail = [p.min_hours, p.min_commitment]
        self._stage_params = {
            stage: np.array(base + [threshold, p.mobilised_ask_threshold, share] + tail, np.float64)
            for stage, threshold, share in (
                ("household", 0.0, 0.0),
                ("family", 0.0, 0.0),
                ("friends", p.friend_ask_threshold, p.friend_share),
                ("neighbours", p.ask_threshold, p.neighbour_share),
            )
        }
        household_hours = np.zeros(n)

        for i, (stage, layer, _, care_kinds) in enumerate(STAGES):
            if stage == "parents_elsewhere":
                given_away = self._to_parents_elsewhere(world, carers_away, ability, used)
                continue
            if stage == "relatives_elsewhere":
                self._from_relatives_elsewhere(world, remaining, with_kids_away, by_layer, hours_by_tie_kind)
                continue
            sel = slice(bounds[i], bounds[i + 1])
            rec, hlp, strength = rec_s[sel], hlp_s[sel], strength_s[sel]
            # Work in the stage's own index space: its recipients and its helpers only.
            rec_ids, rec_l = rec_ids_s[rec_ub[i] : rec_ub[i + 1]], rec_l_s[sel]
            hlp_ids, hlp_l = hlp_ids_s[hlp_ub[i] : hlp_ub[i + 1]], hlp_l_s[sel]
            # The rest of the stage, one compiled pass (sim/kernels_care.py spells out the numpy version): weights
            # (the power is numpy's), capacities, each kind of care spread over the ties, no crumbs outside the
            # household, the hours used, given over each half-edge and by tie kind, who helped a friend or neighbour.
            g_by_kind = care_stage(
                _STAGE_CODE[stage],
                np.asarray(care_kinds, np.int64),
                rec,
                hlp,
                kind_s[sel],
                strength,
                strength**p.concentration,
                tie_cap_s[sel],
                rec_ids,
                rec_l,
                hlp_ids,
                hlp_l,
                given_s[sel],
                remaining,
                used,
                household_hours,
                hours_by_tie_kind,
                s.helped_friend_or_neighbour,
                s.last_helped_neighbour,
                world.week,
                s.need,
                s.mobilised,
                s.willing,
                s.capacity,
                ability,
                s.household,
                hh_need,
                hh_unmet,
                PERSONAL,
                _PERSONAL_TIE_KINDS,
                self._stage_params[stage],
                HOURS_EPS,
                SHARE_EPS,
            )
            for row, k in zip(g_by_kind, care_kinds):
                by_layer[layer][k] += row.sum()  # numpy's sum (pairwise), as before

        # Care given: household help counts once it goes beyond usual care (then all of it); below, it takes
        # capacity but makes no one a carer. One compiled pass (sim/kernels_care.py).
        informal_received, care = care_given(
            need_total, remaining, formal, used, household_hours, float(p.usual_care_hours), HOURS_EPS
        )
        s.given = care
        s.given_away = given_away
        # Who gave over which tie; how many informal helpers each recipient has, to know who cares alone.
        if self._per_tie.shape[0] < ties.m:
            self._per_tie = np.zeros(2 * ties.m)
        gave_he, _, flows.alone, flows.helped_ties = care_over_ties_in(
            rec_s, hlp_s, eid_s, given_s, n, ties.m, HOURS_EPS, self._per_tie
        )
        flows.hours_by_tie_kind = hours_by_tie_kind

        vol_given = self._volunteers(world, remaining, u_match.at(known), known, volunteers, by_layer)
        eligible = (
            indicated if p.formal_needs_indication else np.flatnonzero(s.alive)
        )  # indicated: as before the network
        self._professionals(world, remaining, formal, formal_cap, eligible, {PERSONAL: 1.0, PRACTICAL: 1.0})
        flows.formal_personal = float(by_layer["professionals"][PERSONAL])
        flows.formal_practical = float(by_layer["professionals"][PRACTICAL])

        s.received_informal = informal_received + vol_given
        s.received_formal = formal
        s.unmet = transposed(remaining)
        care_record(care, s.caring_weeks, s.last_gave, s.gave_this_year, world.week, HOURS_EPS)  # compiled, in place
        # Whom each helper helped (partner, parent, child, other family, friend or neighbour), for the calibration:
        # the relation recorded on the tie (inferred from the age gap only where a loaded graph gives none).
        mark_relations(
            rec_s,
            hlp_s,
            eid_s,
            gave_he,
            kind_s,
            # usual care within the household is not care for a partner, child or parent
            (KIND_CODE["household"], household_hours, float(p.usual_care_hours), HOURS_EPS),
            ties.u,
            ties.rel,
            _REL_FLIP,
            _RELATION_OF_KIN,
            s.age,
            s.helped_relations,
            REL_CODE["household_member"],
            GENERATION_GAP_YEARS,
        )
        if given_away.any():
            s.helped_relations[self._away_parent] |= np.uint8(1 << RELATIONS.index("parent"))
            s.helped_relations[self._away_other] |= np.uint8(1 << RELATIONS.index("other_family"))
        flows.by_layer = by_layer

    def _to_parents_elsewhere(self, world: World, idx: np.ndarray, ability: np.ndarray, used: np.ndarray) -> np.ndarray:
        """Residents who take part in caring for a parent elsewhere (``idx``: those who can help, in order) give
        their hours (near or far), within their capacity for care outside the household, at least the minimum or
        nothing; returns the hours per slot."""
        s, p = world.state, self.params
        kin = world.config.kin
        if idx.size == 0:
            self._away_parent = self._away_other = idx
            return np.zeros(s.n)
        # The band of the parent cared for: one's own, else the partner's (a parent-in-law).
        own = s.cares_away[idx] & s.parent_need_away[idx]
        whose = idx if own.all() else np.where(own, idx, np.maximum(partners_here(world)[idx], 0))
        # The hours, within capacity, at least the minimum or nothing: one compiled pass (sim/kernels_care.py).
        out, self._away_parent, self._away_other = parents_elsewhere_care(
            idx,
            own,
            whose,
            s.cares_in_law,
            s.parents_near,
            s.capacity,
            ability,
            used,
            float(p.family_stretch),
            np.array([*kin.hours_to_parent, kin.hours_to_grandparent], np.float64),
            float(min(p.min_commitment, float(np.min(kin.hours_to_parent)), kin.hours_to_grandparent)),
            HOURS_EPS,
            s.n,
        )
        return out

    def _from_relatives_elsewhere(
        self, world: World, remaining: np.ndarray, idx: np.ndarray, by_layer, hours_by_tie_kind
    ) -> None:
        """Adult children living elsewhere help their parents here from a distance (``idx``: the residents with a
        need who have adult children elsewhere, in order): by distance band, fewer hours and fewer kinds of care;
        family hours, in the layer of family and friends."""
        s, kin = world.state, world.config.kin
        if idx.size == 0:
            return
        near = s.children_near[idx].astype(float) * kin.care_uptake
        far = s.children_far[idx].astype(float) * kin.care_uptake
        total = 0.0
        for k in (PERSONAL, PRACTICAL, COMPANY):
            offer = near * kin.help_near[k] + far * kin.help_far[k]
            g = np.minimum(remaining[k, idx], offer)
            g[~some_hours(g)] = 0.0
            remaining[k, idx] -= g
            by_layer["family_friends"][k] += g.sum()
            total += g.sum()
        hours_by_tie_kind[KIND_CODE["family"]] += total
        world.flows.relatives_elsewhere_hours = float(total)

    def _volunteers(
        self, world: World, remaining: np.ndarray, u_known: np.ndarray, known: np.ndarray, vol: np.ndarray, by_layer
    ) -> np.ndarray:
        """Volunteers (``vol``, those available) matched by a coordinator to residents known to the wijkteam
        (``known``, their draws ``u_known``), pooled per wijk.

        Volunteer hours are informal help but not mantelzorg: they do not count
        towards a volunteer's burden or carer role.
        """
        s, p = world.state, self.params
        # The matches, pooled per wijk: one compiled pass (sim/kernels_care.py spells out the numpy version); the
        # hours given summed by numpy (pairwise), as before.
        got, given, matches, failures = volunteer_matches(
            known,
            vol,
            s.wijk,
            world.n_wijken,
            u_known,
            world.levers.match_success_bonus,
            float(p.volunteer_match_success),
            s.capacity,
            s.given,
            float(p.volunteer_capacity_share),
            remaining,
            np.array([PRACTICAL, COMPANY], np.int64),
            HOURS_EPS,
        )
        for k, g in zip((PRACTICAL, COMPANY), given):
            by_layer["volunteers"][k] += g.sum()
        world.counters.volunteer_matches += int(matches)
        world.counters.volunteer_match_failures += int(failures)
        world.flows.volunteer_hours = float(got.sum())
        return got

    def _professionals(
        self,
        world: World,
        remaining: np.ndarray,
        got: np.ndarray,
        cap_w: np.ndarray,
        idx: np.ndarray,
        shares: dict[int, float],
    ) -> np.ndarray:
        """Formal care for eligible residents within the home-care hours of their wijk, personal care first.

        Gives up to ``shares[kind]`` of each eligible resident's (slots ``idx``, ascending) remaining need
        of that kind (personal care, practical help); adds to ``got``; returns
        the hours left per wijk.
        """
        kinds = [k for k in (PERSONAL, PRACTICAL) if shares[k] > 0]
        # One compiled pass a kind (sim/kernels_care.py); the hours given summed by numpy (pairwise), as before.
        cap_w, given = formal_care(
            remaining,
            got,
            cap_w,
            idx,
            world.state.wijk[idx],
            np.array([shares[k] for k in kinds], np.float64),
            np.array(kinds, np.int64),
        )
        for k, g in zip(kinds, given):
            self._by_layer["professionals"][k] += g.sum()
        return cap_w
