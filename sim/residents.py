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

from samenkracht.sim.kernels import remove_touching
from samenkracht.sim.population import draw_capacity, draw_lonely_baseline, pick_in_wijk
from samenkracht.sim.ties import KIND_CODE

if TYPE_CHECKING:
    from samenkracht.sim.world import World

#: Strength of the household tie between partners and to a newborn.
_HOUSEHOLD_STRENGTH = 0.9
#: Ties a newcomer makes in their wijk: kind, number, strength.
_NEWCOMER_TIES: tuple[tuple[str, int, float], ...] = (("neighbour", 2, 0.3), ("acquaintance", 2, 0.2))


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
    pop_w = np.bincount(s.wijk[s.alive], minlength=world.n_wijken).astype(float)
    s.wijk[slots] = rng.choice(world.n_wijken, size=k, p=pop_w / pop_w.sum())
    _new_people(world, slots, ages, rng)
    s.alive[slots] = True
    arriving = slots if arrive is None else slots[arrive]
    if arriving.size:
        tie_newcomers(world, arriving, rng)


def move_households(world: World, households: np.ndarray) -> None:
    """Households move away; an arriving household of the same ages takes their slots.

    Every tie of the movers outside their household is lost (family that
    moves away no longer gives care); the arrivals keep their household ties,
    start with no care need, and meet a few neighbours and acquaintances.
    """
    s, ties = world.state, world.ties
    slots = np.flatnonzero(s.alive & np.isin(s.household, households))
    if slots.size == 0:
        return
    rng = world.streams["demography.arrivals"]
    moving = np.zeros(s.n, dtype=bool)
    moving[slots] = True
    remove_touching(ties.u, ties.v, ties.alive, ties.strength, ties.kind, moving, KIND_CODE["household"])
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
        tie_newcomers(world, adults, rng)
    world.counters.households_moved += int(np.unique(household).size)
    world.counters.residents_moved += int(slots.size)


def leave_home(world: World, slots: np.ndarray) -> None:
    """Young adults set up their own household in the same wijk; household ties to those left become family ties."""
    if slots.size == 0:
        return
    s, ties = world.state, world.ties
    s.household[slots] = _new_households(world, slots.size)
    leaver = np.zeros(s.n, dtype=bool)
    leaver[slots] = True
    moved = ties.alive & (ties.kind == KIND_CODE["household"]) & (leaver[ties.u] | leaver[ties.v])
    ties.kind[moved] = KIND_CODE["family"]
    world.counters.left_home += int(slots.size)


def move_in_together(world: World, a: np.ndarray, b: np.ndarray) -> None:
    """Residents ``b`` move into the households of residents ``a`` as partners."""
    if a.size == 0:
        return
    s = world.state
    s.household[b] = s.household[a]
    world.ties.add(a, b, np.full(a.size, KIND_CODE["household"]), np.full(a.size, _HOUSEHOLD_STRENGTH))
    world.counters.couples_formed += int(a.size)


def place_births(world: World, slots: np.ndarray) -> None:
    """Newborns (already in ``slots``, aged 0) join the household of a parent aged 25–42."""
    if slots.size == 0:
        return
    s = world.state
    rng = world.streams["demography.births"]
    parents_pool = np.flatnonzero(s.alive & (s.age >= 25) & (s.age <= 42))
    if parents_pool.size == 0:
        return  # no parents: the newborns stay in households of their own
    parents = parents_pool[rng.integers(0, parents_pool.size, slots.size)]
    s.household[slots] = s.household[parents]
    s.wijk[slots] = s.wijk[parents]
    s.willing[slots] = False
    # Tie each newborn to everyone else in their household (a sibling born the same week included).
    in_home = np.flatnonzero(s.alive & np.isin(s.household, s.household[slots]))
    baby = slots[np.argsort(s.household[slots], kind="stable")]
    baby_hh = s.household[baby]
    pos = np.searchsorted(baby_hh, s.household[in_home])
    a, b = baby[np.minimum(pos, baby.size - 1)], in_home
    ok = a != b
    k = int(ok.sum())
    world.ties.add(a[ok], b[ok], np.full(k, KIND_CODE["household"]), np.full(k, _HOUSEHOLD_STRENGTH))
    world.counters.births += int(slots.size)


def tie_newcomers(world: World, slots: np.ndarray, rng: np.random.Generator) -> None:
    """A newcomer meets a few neighbours and acquaintances in their wijk (drawn among adults of that wijk)."""
    s = world.state
    adults = np.flatnonzero(s.adults())
    if adults.size == 0:
        return
    for kind, count, strength in _NEWCOMER_TIES:
        a = np.repeat(slots, count)
        b = pick_in_wijk(rng, adults, s.wijk[adults], None, s.wijk[a], tries=32)
        ok = b >= 0
        k = int(ok.sum())
        world.ties.add(a[ok], b[ok], np.full(k, KIND_CODE[kind]), np.full(k, strength))


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
