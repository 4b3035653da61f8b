"""Changes to who lives in the municipality: deaths and newcomers, households moving, children leaving
home, couples, births, and tying newcomers into the social graph.

Demography decides who dies, moves, leaves home, pairs up or is born; these
functions carry it out on the world's state and ties. The number of slots is
fixed: a newcomer takes over a freed slot, with a new ``person_id`` and the
state declared to reset (``State.reset_slots``); the Mesa views on a slot
follow the change of ``person_id`` when agents are next looked at.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from samenkracht.sim.kernels_care import alive_by_group
from samenkracht.sim.kernels_demography import (
    adults_and_changes,
    age_buckets,
    aged,
    buckets_now,
    first_in_wijk,
    living_in,
    pick_by_age,
)
from samenkracht.sim.population import PARENT_AGE_AT_BIRTH, draw_capacity, draw_lonely_baseline
from samenkracht.sim.ties import KIND_CODE, REL_CODE, REL_FLIP

if TYPE_CHECKING:
    from samenkracht.sim.world import World

#: Strength of the household tie between partners and to a newborn.
_HOUSEHOLD_STRENGTH = 0.9
#: Ties a newcomer makes in their wijk: kind, number, strength.
_NEWCOMER_TIES: tuple[tuple[str, int, float], ...] = (("neighbour", 2, 0.3), ("acquaintance", 2, 0.2))
#: Strength of a new family tie (a grandchild, an in-law, a parent a newcomer moves near).
_FAMILY_STRENGTH = 0.6


def _kin(world: World, a: np.ndarray, b: np.ndarray, kind: str, rel: str) -> None:
    """Tie ``a`` to ``b`` as kin, ``a`` being ``b``'s ``rel``."""
    k = a.size
    if k:
        strength = _HOUSEHOLD_STRENGTH if kind == "household" else _FAMILY_STRENGTH
        world.ties.add(a, b, np.full(k, KIND_CODE[kind]), np.full(k, strength), np.full(k, REL_CODE[rel], np.int8))


def kin_of(world: World, people: np.ndarray, rel: str) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (person, relative) over living ties where the relative is the person's ``rel`` ("parent": the
    relative is the person's parent)."""
    t = world.ties
    if people.size == 0 or t.m == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    mark = np.zeros(world.state.n, bool)
    mark[people] = True
    code = REL_CODE[rel]
    flip = REL_FLIP[code]
    tie = t.touching(people)
    tu, tv, trel = t.u[tie], t.v[tie], t.rel[tie]
    # rel is read from u to v: v is u's <rel> where rel(v→u) = code, that is rel(u→v) = flip(code).
    on_u = mark[tu] & (trel == flip)
    on_v = mark[tv] & (trel == code)
    return np.concatenate([tu[on_u], tv[on_v]]), np.concatenate([tv[on_u], tu[on_v]])


def replace(world: World, slots: np.ndarray, ages: np.ndarray, arrive: np.ndarray | None = None) -> None:
    """Residents in ``slots`` leave (death); newcomers of the given ages take their places.

    Newcomers who ``arrive`` from elsewhere (a mask over ``slots``; all by
    default) meet a few neighbours and acquaintances.
    """
    if slots.size == 0:
        return
    s = world.state
    rng = world.streams["demography.newcomers"]
    world.ties.remove_residents(slots)
    s.reset_slots(slots)
    k = slots.size
    s.age[slots] = ages
    s.household[slots] = _new_households(world, k)
    pop_w = alive_by_group(s.wijk, s.alive, world.n_wijken).astype(float)  # one compiled pass
    s.wijk[slots] = rng.choice(world.n_wijken, size=k, p=pop_w / pop_w.sum())
    _new_people(world, slots, ages, rng)
    s.alive[slots] = True
    arriving = slots if arrive is None else slots[arrive]
    if arriving.size:
        _tie_arrivals(world, arriving, arriving[s.age[arriving] >= 18], rng)


def move_households(world: World, households: np.ndarray) -> None:
    """Households move away; an arriving household of the same ages takes their slots.

    Every tie of the movers outside their household is lost (family that
    moves away no longer gives care); the arrivals keep their household ties,
    start with no care need, and meet a few neighbours and acquaintances.
    """
    s, ties = world.state, world.ties
    if households.size == 0:
        return
    in_move = np.zeros(households_bound(world), dtype=bool)
    in_move[households] = True
    slots = living_in(s.household, s.alive, in_move)
    if slots.size == 0:
        return
    rng = world.streams["demography.arrivals"]
    moving = np.zeros(s.n, dtype=bool)
    moving[slots] = True
    relatives_move_away(world, slots, rng)
    # Every tie of theirs goes but the household ties among them.
    tie = ties.touching(slots)
    gone = tie[~(moving[ties.u[tie]] & moving[ties.v[tie]] & (ties.kind[tie] == KIND_CODE["household"]))]
    ties.alive[gone] = False
    ties.strength[gone] = 0.0
    ages, household = s.age[slots].copy(), s.household[slots].copy()
    s.reset_slots(slots)
    s.age[slots] = ages
    _, new_hh = np.unique(household, return_inverse=True)
    s.household[slots] = world.next_household + new_hh
    world.next_household += int(new_hh.max()) + 1
    _new_people(world, slots, ages, rng)
    s.willing[slots] &= ages >= 18
    adults = slots[ages >= 18]
    if adults.size:
        _tie_arrivals(world, adults, adults, rng)
    world.counters.households_moved += int(np.unique(household).size)
    world.counters.residents_moved += int(slots.size)


def leave_home(world: World, slots: np.ndarray) -> None:
    """Young adults set up their own household in the same wijk; household ties to those left become family ties."""
    if slots.size == 0:
        return
    s, ties = world.state, world.ties
    s.household[slots] = _new_households(world, slots.size)
    tie = ties.touching(slots)
    moved = tie[ties.kind[tie] == KIND_CODE["household"]]
    ties.kind[moved] = KIND_CODE["family"]
    world.counters.left_home += int(slots.size)


def move_in_together(world: World, a: np.ndarray, b: np.ndarray) -> None:
    """Residents ``b`` move into the households of residents ``a`` as partners."""
    if a.size == 0:
        return
    s = world.state
    s.household[b] = s.household[a]
    _kin(world, a, b, "household", "partner")
    # Each partner's parents here become the other's parents-in-law.
    for x, y in ((a, b), (b, a)):
        person, parent = kin_of(world, x, "parent")
        pos = np.searchsorted(x, person, sorter=np.argsort(x, kind="stable"))
        other = y[np.argsort(x, kind="stable")][pos] if person.size else person
        _kin(world, parent, other, "family", "parent_in_law")
    world.counters.couples_formed += int(a.size)


def place_births(world: World, slots: np.ndarray) -> None:
    """Newborns (already in ``slots``, aged 0) join the household of a parent aged 25–42."""
    if slots.size == 0:
        return
    s = world.state
    rng = world.streams["demography.births"]
    parents_pool = aged(s.alive, s.age, 25.0, 42.0, True)
    if parents_pool.size == 0:
        return  # no parents: the newborns stay in households of their own
    parents = parents_pool[rng.integers(0, parents_pool.size, slots.size)]
    s.household[slots] = s.household[parents]
    s.wijk[slots] = s.wijk[parents]
    s.willing[slots] = False
    # Tie each newborn to everyone else in their household (a sibling born the same week included).
    in_births = np.zeros(households_bound(world), dtype=bool)
    in_births[s.household[slots]] = True
    in_home = living_in(s.household, s.alive, in_births)
    baby = slots[np.argsort(s.household[slots], kind="stable")]
    baby_hh = s.household[baby]
    pos = np.searchsorted(baby_hh, s.household[in_home])
    a, b = baby[np.minimum(pos, baby.size - 1)], in_home
    ok = a != b
    a, b = a[ok], b[ok]
    # The newborn's relation to each housemate: a child of the adults 18–45 years older, a sibling of the others.
    gap = s.age[b] - s.age[a]
    is_parent = (s.age[b] >= 18) & (gap >= 18) & (gap <= 45)
    _kin(world, b[is_parent], a[is_parent], "household", "parent")
    sib = ~is_parent & (gap < 18)
    _kin(world, b[sib], a[sib], "household", "sibling")
    _kin(world, b[~is_parent & ~sib], a[~is_parent & ~sib], "household", "household_member")
    # The parents' parents here become grandparents.
    parent_of_baby, baby_of = b[is_parent], a[is_parent]
    person, grand = kin_of(world, np.unique(parent_of_baby), "parent")
    if person.size:
        order = np.argsort(parent_of_baby, kind="stable")
        lo = np.searchsorted(parent_of_baby[order], person, side="left")
        hi = np.searchsorted(parent_of_baby[order], person, side="right")
        count = hi - lo
        rows = np.repeat(np.arange(person.size), count)
        offset = np.arange(rows.size) - np.repeat(np.cumsum(count) - count, count)
        _kin(world, grand[rows], baby_of[order][np.repeat(lo, count) + offset], "family", "grandparent")
    world.counters.births += int(slots.size)


def _tie_arrivals(world: World, slots: np.ndarray, adult_slots: np.ndarray, rng: np.random.Generator) -> None:
    """The newcomers in ``slots`` meet neighbours and acquaintances; the adults among them (``adult_slots``) may
    have a parent or child here. The adults here are found once for both (:func:`_adults_by_age`)."""
    adults, by_age = _adults_by_age(world)
    tie_newcomers(world, slots, rng, adults)
    tie_to_parent_here(world, adult_slots, rng, by_age)


def tie_newcomers(world: World, slots: np.ndarray, rng: np.random.Generator, adults: np.ndarray) -> None:
    """A newcomer meets a few neighbours and acquaintances in their wijk (drawn among ``adults``, the living
    residents aged 18 or over, ascending, of that wijk)."""
    s = world.state
    if adults.size == 0:
        return
    # Each kind's candidates drawn in turn, as pick_in_wijk draws them (32 tries each); the first candidate in
    # the newcomer's wijk is met (one compiled pass for all kinds, reading only the candidates' wijken). Each
    # kind's ties are added by a call of their own, as before (the half-edges follow the order of the calls).
    cand = [rng.integers(0, adults.size, (slots.size * count, 32)) for _, count, _ in _NEWCOMER_TIES]
    a = np.concatenate([np.repeat(slots, count) for _, count, _ in _NEWCOMER_TIES])
    b = first_in_wijk(adults, s.wijk, np.concatenate(cand), s.wijk[a])
    end = 0
    for (kind, _, strength), c in zip(_NEWCOMER_TIES, cand, strict=True):
        start, end = end, end + c.shape[0]
        ok = start + np.flatnonzero(b[start:end] >= 0)
        world.ties.add(a[ok], b[ok], np.full(ok.size, KIND_CODE[kind]), np.full(ok.size, strength))


def tie_to_parent_here(
    world: World,
    slots: np.ndarray,
    rng: np.random.Generator,
    by_age: tuple[AdultsByAge, np.ndarray, np.ndarray, np.ndarray],
) -> None:
    """Some adult newcomers move near a parent: they are tied as the child of a resident 24–38 years older (and of
    that resident's partner); some older newcomers move near an adult child here. The rest of their family lives
    elsewhere (their relatives elsewhere are drawn by sim/mechanisms/kin_elsewhere.py)."""
    s, kin = world.state, world.config.kin
    u = rng.random(slots.size)
    old = s.age[slots] >= 65
    # Older newcomers move near an adult child here: tie them as the parent of an adult of the right age.
    near_child = slots[old & (u < kin.older_newcomer_child_here)]
    movers = slots[~old & (u < kin.newcomer_parent_here)]
    if near_child.size == 0 and movers.size == 0:
        return
    # The adults by age (stably, by slot), in buckets of whole years: the adults aged 42 and over are the
    # buckets from 42 on. Picking "the one ``jitter`` places from the wanted age in the sorted pool" from them
    # gives what a stable sort of the pool and a search in it gave.
    index, changed, start, now = by_age
    if near_child.size and start[-1] > 0:
        want = s.age[near_child] - rng.uniform(PARENT_AGE_AT_BIRTH[0], PARENT_AGE_AT_BIRTH[1], near_child.size)
        jitter = rng.integers(-3, 4, near_child.size)
        kid = pick_by_age(s.age, index.members, index.ptr, changed, start, now, 18, want, jitter)
        gap = s.age[near_child] - s.age[kid]
        ok = (gap >= 18) & (gap <= 45) & (s.household[kid] != s.household[near_child])
        _kin(world, near_child[ok], kid[ok], "family", "parent")
    if movers.size == 0 or start[-1] == start[42]:
        return
    want = s.age[movers] + rng.uniform(PARENT_AGE_AT_BIRTH[0], PARENT_AGE_AT_BIRTH[1], movers.size)
    jitter = rng.integers(-3, 4, movers.size)
    parent = pick_by_age(s.age, index.members, index.ptr, changed, start, now, 42, want, jitter)
    gap = s.age[parent] - s.age[movers]
    ok = (gap >= 18) & (gap <= 45) & (s.household[parent] != s.household[movers])
    parent, movers = parent[ok], movers[ok]
    _kin(world, parent, movers, "family", "parent")
    person, partner = kin_of(world, parent, "partner")
    if person.size:
        order = np.argsort(parent, kind="stable")
        pos = np.searchsorted(parent[order], person)
        child = movers[order][pos]
        gap = s.age[partner] - s.age[child]
        fits = (gap >= 18) & (gap <= 45)
        _kin(world, partner[fits], child[fits], "family", "parent")


class AdultsByAge:
    """The adults (living, 18 or over) in buckets of whole years of age, as they were when it was built in week
    ``week`` (``kernels_demography.age_buckets``), with the ages and lives it was built from, and the adults then
    (ascending)."""

    def __init__(self, age: np.ndarray, alive: np.ndarray, week: int) -> None:
        self.members, self.ptr, self.bucket, self.adults = age_buckets(age, alive, 18.0)
        self.age, self.alive = age.copy(), alive.copy()
        self.week = week


def _adults_by_age(
    world: World,
) -> tuple[np.ndarray, tuple[AdultsByAge, np.ndarray, np.ndarray, np.ndarray]]:
    """The adults here (living, 18 or over, ascending); and the world's index of adults by age, the slots whose
    age or life changed since it was built, the buckets' starts now and the bucket each changed slot is in now.
    Between two weekly ageings only the few slots that newcomers took change, so the index built at the first
    call of a week serves the others; it is rebuilt when many slots changed (every slot ages each week), and
    without looking at the first call of a week. (Picks from the index give the same residents whether it is
    rebuilt or kept with its changes: ``pick_by_age``.)"""
    s = world.state
    index = world.adults_by_age
    if index is not None and index.age.shape == s.age.shape and index.week == world.week:
        # One compiled pass for the adults and the changed slots (it stops counting the changes once there are
        # too many: then the index is rebuilt below).
        adults, changed = adults_and_changes(s.age, s.alive, index.age, index.alive, 18.0, s.n // 64)
        if changed.size <= s.n // 64:
            start, now = buckets_now(s.age, s.alive, 18.0, index.ptr, index.bucket, changed)
            return adults, (index, changed, start, now)
    index = world.adults_by_age = AdultsByAge(s.age, s.alive, world.week)
    none = np.empty(0, np.int64)
    return index.adults, (index, none, index.ptr, none)


def relatives_move_away(world: World, slots: np.ndarray, rng: np.random.Generator) -> None:
    """Residents whose child or parent moves out of the municipality (those in ``slots``: whole households, or
    residents living alone who leave) keep them as relatives elsewhere."""
    s, t = world.state, world.ties
    near_share = world.config.kin.near_share
    moving = np.zeros(s.n, dtype=bool)
    moving[slots] = True
    tie = t.touching(slots)
    tie = tie[moving[t.u[tie]] ^ moving[t.v[tie]]]
    if tie.size == 0:
        return
    stay = np.where(moving[t.u[tie]], t.v[tie], t.u[tie])
    rel = t.relation_from(tie, stay)  # the stayer's relation towards the one who moves
    near = rng.random(tie.size) < near_share
    for code, near_arr, far_arr in (
        (REL_CODE["parent"], s.children_near, s.children_far),
        (REL_CODE["child"], s.parents_near, s.parents_far),
    ):
        hit = rel == code
        np.add.at(near_arr, stay[hit & near], 1)
        np.add.at(far_arr, stay[hit & ~near], 1)
    # A parent who moves away keeps their age gap to the child who stays.
    child = stay[rel == REL_CODE["child"]]
    mover = np.where(moving[t.u[tie]], t.u[tie], t.v[tie])[rel == REL_CODE["child"]]
    s.parent_gap[child] = s.age[mover] - s.age[child]


def households_bound(world: World) -> int:
    """Above every household index in use (new households take ``world.next_household`` and up)."""
    return max(world.next_household, int(world.state.household.max(initial=-1)) + 1)


def _new_households(world: World, k: int) -> np.ndarray:
    """Indices for ``k`` new households of one person each."""
    out = world.next_household + np.arange(k)
    world.next_household += k
    return out


def _new_people(world: World, slots: np.ndarray, ages: np.ndarray, rng: np.random.Generator) -> None:
    """New person ids for the people now in ``slots`` (of the given ages), and their drawn traits:
    helping capacity, willingness to help, shopping locally, loneliness baseline."""
    s, pop = world.state, world.config.population
    k = slots.size
    s.person_id[slots] = world.next_person_id + np.arange(k)
    world.next_person_id += k
    s.capacity[slots] = draw_capacity(pop, ages, rng)
    s.willing[slots] = rng.random(k) < pop.willing_share
    s.shops_locally[slots] = rng.random(k) < pop.shops_locally_share
    s.lonely_base[slots] = draw_lonely_baseline(world.config.contact, rng, ages)
    s.loneliness[slots] = np.clip(s.lonely_base[slots], 0, 11)
