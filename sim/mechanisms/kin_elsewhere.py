"""Relatives who live elsewhere: the adult children and parents of residents who live outside the municipality.

They are not simulated as residents. Each resident carries counts of their
adult children and living parents outside the municipality, by distance band
(near: within visiting distance; far), drawn when the resident arrives (at the
start, at birth, on moving in) from the Dutch figures on family size,
survival and the distance between parents and adult children, less the
relatives who live in the municipality (their ties are recorded). Weekly:

* parents elsewhere age with their child, die (the model's mortality at their
  age) and come to need care (the model's prevalence of care need at their
  age); when a parent elsewhere starts to need care, each of their children
  here takes part in caring with a set chance (siblings share the care);
* the hours those residents give (fewer at a distance) are given in the
  allocation: they count as giving care and as burden, not as local need;
* adult children elsewhere help their parents here from a distance (the
  allocation's layer ``relatives elsewhere``: fewer hours, fewer kinds of care).

When a household moves out of the municipality, its ties to relatives who stay
become relatives elsewhere (sim/residents.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from samenkracht.sim.errors import InputError
from samenkracht.sim.kernels_care import by_age_band, kin_here
from samenkracht.sim.kernels_social import (
    apply_need_turns,
    death_exponent,
    household_partners,
    need_turns,
    relatives_die,
    with_relatives,
)
from samenkracht.sim.mechanisms.base import Mechanism
from samenkracht.sim.mechanisms.demography import yearly_hazard
from samenkracht.sim.params import JOINT_CALIBRATION, param
from samenkracht.sim.population import age_band
from samenkracht.sim.ties import KIND_CODE, REL_CODE
from samenkracht.sim.time import WEEKS_PER_YEAR

if TYPE_CHECKING:
    from samenkracht.sim.world import World

_CBS_DISTANCE = (
    "CBS 2016, 'Alleenstaande ouders wonen het dichtst bij hun moeder' (distance of adults to their mother on "
    "1 January 2014): about half of adult children live within about 5 km of their mother; Mulder, Michielin and "
    "Latten 2008, 'Afstand tot ouders en verhuisgedrag' (CBS Bevolkingstrends): adult children seldom move "
    "towards their parents"
)


@dataclass
class KinParams:
    """Relatives outside the municipality: how many, how far, and the care that crosses the border."""

    with_graph_file: bool = param(
        False,
        doc="give the residents of a loaded graph file relatives elsewhere too (off: the file is the whole network)",
    )
    childless_share: float = param(
        0.18,
        unit="share",
        lo=0,
        hi=1,
        doc="share of residents who have no children",
        source="CBS: about one in five women born around 1960–1970 remained childless (approximate)",
    )
    children_mean: float = param(
        2.2,
        unit="children",
        lo=1,
        hi=8,
        doc="mean number of children of those who have children",
        source="CBS: Dutch mothers have on average a little over two children (approximate)",
    )
    parent_gap: list[float] = param(
        [27.0, 34.0],
        unit="years",
        lo=18,
        hi=45,
        doc="range of the age difference to one's parents (drawn uniformly; both parents taken as of one age)",
        source="CBS: mean age of mothers at a birth about 30–31, of fathers about 33",
    )
    near_share: float = param(
        0.6,
        unit="share",
        lo=0,
        hi=1,
        doc="share of relatives elsewhere who live near (within visiting distance, about 20 km); the rest far",
        source=_CBS_DISTANCE + "; the 20 km band boundary and the share beyond the municipal border are a modelling "
        "assumption",
    )
    care_uptake: float = param(
        0.66,
        unit="share",
        lo=0,
        hi=1,
        doc="chance that a child takes part in the care of a parent who comes to need it (siblings share the care); "
        "also the share of a child elsewhere's hours that reach a parent here",
        source="modelling assumption; SCP, Voor elkaar? 2017: about 4 in 10 carers help a parent or parent-in-law; "
        + JOINT_CALIBRATION,
    )
    in_law_uptake: float = param(
        0.26,
        unit="share",
        lo=0,
        hi=1,
        doc="chance that the partner of a resident whose parent elsewhere comes to need care takes part as well "
        "(care for a parent-in-law)",
        source="modelling assumption; SCP, Voor elkaar? 2017: parents and parents-in-law together are the most "
        "common recipients; " + JOINT_CALIBRATION,
    )
    grandchild_uptake: float = param(
        0.6,
        unit="share",
        lo=0,
        hi=1,
        doc="chance that a grandchild takes part in the care of a grandparent elsewhere who comes to need it",
        source="modelling assumption; SCP, Voor elkaar? 2017: young carers most often help a (grand)parent; "
        + JOINT_CALIBRATION,
    )
    hours_to_grandparent: float = param(
        2.0,
        unit="hours a week",
        lo=0,
        hi=40,
        doc="hours a week a grandchild gives to a grandparent elsewhere who needs care",
        source="modelling assumption",
    )
    newcomer_parent_here: float = param(
        0.5,
        unit="share",
        lo=0,
        hi=1,
        doc="share of adult newcomers under 65 who move to a municipality where a parent lives (tied as that "
        "parent's child)",
        source="modelling assumption, calibrated by hand to keep the family ties of residents 75+ steady over 20 "
        "years; Mulder, Michielin and Latten 2008 (CBS Bevolkingstrends): adult children move towards their "
        "parents more often when they have young children",
    )
    older_newcomer_child_here: float = param(
        0.5,
        unit="share",
        lo=0,
        hi=1,
        doc="share of newcomers aged 65 or over who move near an adult child living in the municipality",
        source="modelling assumption; Mulder et al. 2008: older parents move towards their children, at high age "
        "and after widowhood",
    )
    hours_to_parent: list[float] = param(
        [4.0, 2.0],
        unit="hours a week, near and far",
        lo=0,
        hi=40,
        doc="hours a week a resident gives to a parent elsewhere who needs care, near and far",
        source="modelling assumption; SCP Voor elkaar? 2017: children who care for a parent give a few hours a week, "
        "those who live far fewer",
    )
    help_near: list[float] = param(
        [0.5, 0.75, 0.75],
        unit="hours a week by kind (personal, practical, company)",
        lo=0,
        hi=40,
        doc="hours a week an adult child living near but outside the municipality gives a parent here who needs care",
        source="modelling assumption: help from a distance is mostly practical help and company",
    )
    help_far: list[float] = param(
        [0.0, 0.5, 0.5],
        unit="hours a week by kind (personal, practical, company)",
        lo=0,
        hi=40,
        doc="the same for an adult child living far: no personal care; arranging things and company by phone or visit",
        source="modelling assumption (fewer kinds of care, fewer hours at a distance)",
    )

    def check(self, prefix: str) -> None:
        if len(self.parent_gap) != 2 or self.parent_gap[0] > self.parent_gap[1]:
            raise InputError(f"{prefix}parent_gap must be [least, most] years, for example [27, 34].")
        if len(self.hours_to_parent) != 2:
            raise InputError(f"{prefix}hours_to_parent must be [near, far] hours a week, for example [4, 2].")
        for name in ("help_near", "help_far"):
            if len(getattr(self, name)) != 3:
                raise InputError(f"{prefix}{name} must give 3 hours a week: personal care, practical help, company.")


def local_kin_counts(world: World) -> tuple[np.ndarray, np.ndarray]:
    """Per resident slot: parents living in the municipality, and adult children living in it (recorded ties)."""
    s, t = world.state, world.ties
    live = t.alive
    n = s.n
    u_par = live & (t.rel == REL_CODE["parent"])  # u is v's parent
    v_par = live & (t.rel == REL_CODE["child"])  # v is u's parent
    parents = np.bincount(t.v[u_par], minlength=n) + np.bincount(t.u[v_par], minlength=n)
    adult_kid_u = u_par & (s.age[t.v] >= 18)
    adult_kid_v = v_par & (s.age[t.u] >= 18)
    children = np.bincount(t.u[adult_kid_u], minlength=n) + np.bincount(t.v[adult_kid_v], minlength=n)
    return parents[:n], children[:n]


def partners_here(world: World) -> np.ndarray:
    """Each slot's partner in their household (-1: none), from the recorded relations (a pass over the ties
    that record partners only)."""
    t = world.ties
    return household_partners(*t.partner_ties(), t.alive, t.kind, KIND_CODE["household"], world.state.n)


def survival(params_demography, age_from: np.ndarray, age_to: np.ndarray, trend: float = 1.0) -> np.ndarray:
    """Chance of surviving from ``age_from`` to ``age_to`` under the model's Gompertz mortality."""
    a, b = params_demography.mortality_a * trend, params_demography.mortality_b
    return np.exp(-(a / b) * (np.exp(b * age_to) - np.exp(b * age_from)))


#: No resident's relatives die at a raised rate (``death_exponent``).
_NONE_RAISED = np.zeros(0, bool)
#: The age band of each whole year of age 0..255 (sim.population.age_band's table).
_BAND_OF_YEAR = age_band(np.arange(256))


def _prevalence(dem, age: np.ndarray) -> np.ndarray:
    """The model's prevalence of care need at each age (by age band): one compiled table lookup."""
    return by_age_band(np.asarray(age, dtype=float), _BAND_OF_YEAR, np.asarray(dem.need_prevalence, dtype=float))


def _need_turns(dem, needs, count, age, u_onset, u_end, dies) -> tuple[np.ndarray, np.ndarray]:
    """Where a group of ``count`` relatives elsewhere of these ages starts to need care (any of them, at the
    model's prevalence by age and recovery rate) and where that need ends (recovery, or no relative left)."""
    # 1 − prevalence by age band (the same subtraction, made on the table), numpy's power, then one compiled pass.
    stay = by_age_band(np.asarray(age, dtype=float), _BAND_OF_YEAR, 1.0 - np.asarray(dem.need_prevalence, dtype=float))
    return need_turns(stay**count, needs, count, u_onset, u_end, dies, float(dem.recovery_rate), float(WEEKS_PER_YEAR))


class RelativesElsewhere(Mechanism):
    """Draws the relatives elsewhere of newcomers; ages, kills and falls ill the parents elsewhere."""

    name = "kin_elsewhere"

    def __init__(self, params: KinParams) -> None:
        self.params = params

    def start(self, world: World) -> None:
        self.on = not world.config.network.graph_file or self.params.with_graph_file
        if self.on:
            self._draw(world, np.flatnonzero(world.state.alive & ~world.state.kin_drawn), "kin_elsewhere.init")

    def step(self, world: World) -> None:
        s, p = world.state, self.params
        if not getattr(self, "on", True):
            return
        new = np.flatnonzero(s.alive & ~s.kin_drawn)
        if new.size:
            self._draw(world, new, None)
        dem = world.config.demography
        rng = world.streams.weekly(self.name, world.week)
        self._grandparents(world, rng)
        # Compiled passes (sim/kernels_social.py) between numpy's exp and power, in the numpy version's order.
        have, page, count = with_relatives(s.alive, s.parents_near, s.parents_far, True, s.age, s.parent_gap, 1.0)
        if have.size == 0:
            return
        u_die, u_onset, u_end, u_take = rng.random((4, have.size))
        hazard = yearly_hazard(dem, page, world.week)
        # One draw per resident: a parent dies with the chance that any of them dies; the nearer one first goes.
        survive = np.exp(
            death_exponent(hazard, s.parent_need_away, have, dem.need_mortality_factor, count, float(WEEKS_PER_YEAR))
        )
        dies, count, needs = relatives_die(
            u_die, survive, have, s.parents_near, s.parents_far, True, s.parent_need_away
        )
        starts, ends = _need_turns(dem, needs, count, page, u_onset, u_end, dies)
        apply_need_turns(have, starts, ends, u_take, float(p.care_uptake), s.parent_need_away, s.cares_away)
        # Partners take part in the care of their parent-in-law elsewhere, while it lasts and they are partners.
        partner = partners_here(world)
        u_law = rng.random(have.size)
        joins = partner[have[starts]]
        joins = joins[(joins >= 0) & (u_law[starts] < p.in_law_uptake)]
        s.cares_in_law[joins] = True
        cur = np.flatnonzero(s.cares_in_law)
        their = partner[cur]
        s.cares_in_law[cur[(their < 0) | ~s.parent_need_away[np.maximum(their, 0)]]] = False

    def _grandparents(self, world: World, rng: np.random.Generator) -> None:
        """Grandparents elsewhere (a generation above the parents) die and come to need care; a grandchild here
        takes part in their care with a set chance."""
        s, p, dem = world.state, self.params, world.config.demography
        have, gage, count = with_relatives(s.alive, s.grandparents, s.grandparents, False, s.age, s.parent_gap, 2.0)
        if have.size == 0:
            return
        u_die, u_onset, u_end, u_take = rng.random((4, have.size))
        hazard = yearly_hazard(dem, gage, world.week)
        survive = np.exp(death_exponent(hazard, _NONE_RAISED, have, 1.0, count, float(WEEKS_PER_YEAR)))
        dies, count, needs = relatives_die(
            u_die, survive, have, s.grandparents, s.grandparents, False, s.grand_need_away
        )
        starts, ends = _need_turns(dem, needs, count, gage, u_onset, u_end, dies)
        apply_need_turns(have, starts, ends, u_take, float(p.grandchild_uptake), s.grand_need_away, s.cares_grand)

    def _draw(self, world: World, idx: np.ndarray, stream: str | None) -> None:
        """Relatives elsewhere of the residents in ``idx``: those they have, less those who live here."""
        s, p = world.state, self.params
        rng = world.streams[stream] if stream else world.streams.weekly(self.name + ".arrivals", world.week)
        dem = world.config.demography
        k = idx.size
        age = s.age[idx]
        # The relatives of these residents who live here (one compiled pass over their ties, in tie order).
        t = world.ties
        pos = np.full(s.n, -1, np.int64)
        pos[idx] = np.arange(k)
        tt = t.touching(idx)
        local_parents, local_children, local_grand, pair_a, pair_b = kin_here(
            t.u[tt],
            t.v[tt],
            t.alive[tt],
            t.rel[tt],
            s.age,
            pos,
            k,
            REL_CODE["parent"],
            REL_CODE["child"],
            REL_CODE["partner"],
            REL_CODE["grandparent"],
            REL_CODE["grandchild"],
        )
        gap = rng.uniform(p.parent_gap[0], p.parent_gap[1], k)
        alive_share = survival(dem, gap, age + gap)
        parents = np.maximum(0, rng.binomial(2, np.clip(alive_share, 0, 1)) - local_parents)
        # Children: none, or 1 + Poisson(mean − 1); those born at least 18 years ago are adults.
        has = rng.random(k) >= p.childless_share
        born = np.where(has, 1 + rng.poisson(p.children_mean - 1.0, k), 0)
        adult_share = np.clip((age - 18.0 - 24.0) / 14.0, 0.0, 1.0)
        children = np.maximum(0, rng.binomial(born, adult_share) - local_children)
        # Partners share their children: the lower slot's draw stands for both when both are drawn now.
        children[pair_b] = children[pair_a]
        near_c = rng.binomial(children, p.near_share)
        near_p = rng.binomial(parents, p.near_share)
        s.children_near[idx] = np.minimum(near_c, 100)
        s.children_far[idx] = np.minimum(children - near_c, 100)
        s.parents_near[idx] = near_p
        s.parents_far[idx] = parents - near_p
        s.parent_gap[idx] = gap
        # Parents elsewhere who need care now, at the model's prevalence for their age.
        count = parents.astype(np.int64)
        prev = _prevalence(dem, age + gap)
        needs = (count > 0) & (rng.random(k) < 1.0 - (1.0 - prev) ** count)
        s.parent_need_away[idx] = needs
        s.cares_away[idx] = needs & (rng.random(k) < p.care_uptake)
        # Grandparents: the parents' parents, one generation further up, less those who live here.
        g_alive = survival(dem, 2.0 * gap, age + 2.0 * gap)
        grand = np.maximum(0, rng.binomial(4, np.clip(g_alive, 0, 1)) - local_grand)
        s.grandparents[idx] = grand
        g_prev = _prevalence(dem, age + 2.0 * gap)
        g_needs = (grand > 0) & (rng.random(k) < 1.0 - (1.0 - g_prev) ** grand)
        s.grand_need_away[idx] = g_needs
        s.cares_grand[idx] = g_needs & (rng.random(k) < p.grandchild_uptake)
        s.kin_drawn[idx] = True
        if stream:  # at the start: partners of those caring now take part at the same rate as later
            partner = partners_here(world)
            mate = partner[idx]
            joins = (mate >= 0) & (rng.random(k) < p.in_law_uptake)
            s.cares_in_law[mate[joins & s.parent_need_away[np.maximum(mate, 0)]]] = True
