"""The compiled kernels that make the weekly allocation and the replacement of residents follow the active set
(sim/kernels_care.py) give bit for bit what the plain numpy expressions they replaced gave."""

import numpy as np
import pytest
from conftest import random_tie_ends

from samenkracht.sim import kernels_care as K
from samenkracht.sim.network import Ties
from samenkracht.sim.ties import KIND_CODE, REL_CODE


@pytest.fixture(params=[0, 1, 2, 3])
def rng(request):
    return np.random.default_rng(request.param)


def test_changed_slots_equals_flatnonzero_of_the_changes(rng):
    n = 3000
    old_age = np.round(rng.uniform(0, 100, n), 2)
    old_alive = rng.random(n) < 0.9
    for share in (0.0, 0.001, 0.01, 0.3, 1.0):
        age, alive = old_age.copy(), old_alive.copy()
        hit = rng.random(n) < share
        age[hit] += rng.choice([0.0, 1 / 52, -0.0], hit.sum())  # adding 0 (or -0) changes nothing
        flip = rng.random(n) < share / 2
        alive[flip] = ~alive[flip]
        if share == 0.3:
            age[:3] = np.nan  # NaN differs from everything, itself included
            old_age[:1] = np.nan
        expected = np.flatnonzero((age != old_age) | (alive != old_alive))
        for limit in (n, n // 64, 5, 0):
            got = K.changed_slots(age, alive, old_age, old_alive, limit)
            assert got.dtype == np.int64
            if expected.size <= limit:
                np.testing.assert_array_equal(got, expected)
            else:  # it stops early: more than the limit, the first of them
                assert got.size == limit + 1
                np.testing.assert_array_equal(got, expected[: limit + 1])


def test_partners_of_people_equals_household_partners_of_them(rng):
    n, m = 500, 3000
    u, v = random_tie_ends(rng, n, m)
    keep = u != v
    u, v = u[keep], v[keep]
    m = u.size
    kind = np.where(rng.random(m) < 0.5, KIND_CODE["household"], rng.integers(0, 7, m)).astype(np.int8)
    rel = np.where(rng.random(m) < 0.5, REL_CODE["partner"], rng.integers(0, 11, m)).astype(np.int8)
    ties = Ties(u, v, kind, rng.random(m), rel)
    ties.alive[rng.random(m) < 0.1] = False  # some removed: touching leaves them out, as the numpy version
    # the numpy version (kernels_social.household_partners): the last write wins, the v side after the u side
    live = ties.alive & (ties.rel == REL_CODE["partner"]) & (ties.kind == KIND_CODE["household"])
    partner = np.full(n, -1, np.int64)
    partner[ties.u[live]] = ties.v[live]
    partner[ties.v[live]] = ties.u[live]
    scratch = np.full(n, -1, np.int64)
    for size in (0, 1, 7, 60, n):
        people = np.sort(rng.choice(n, size, replace=False))
        got = K.partners_of_people(
            people,
            ties.touching(people),
            ties.u,
            ties.v,
            ties.rel,
            ties.kind,
            REL_CODE["partner"],
            KIND_CODE["household"],
            scratch,
        )
        np.testing.assert_array_equal(got, partner[people])
        assert (scratch == -1).all()  # left as found
    assert (partner >= 0).sum() > 50  # the test saw many partners
