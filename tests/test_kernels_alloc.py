"""The compiled kernels that make the weekly allocation and the replacement of residents follow the active set
(sim/kernels_care.py) give bit for bit what the plain numpy expressions they replaced gave."""

import numpy as np
import pytest

from samenkracht.sim import kernels_care as K


@pytest.fixture(params=[0, 1, 2, 3])
def rng(request):
    return np.random.default_rng(request.param)


@pytest.mark.parametrize("n", [1000, 40000])  # many ties a resident, and few
def test_ties_touching_sorted_equals_the_numpy_version(rng, n):
    from conftest import random_tie_ends

    from samenkracht.sim.kernels_demography import tie_index

    m = 20000
    u, v = random_tie_ends(rng, n, m)
    alive = rng.random(m) < 0.85
    for indexed in (m, m - 30, m - 3000, 0):  # the ties added since the index was built are scanned
        nodes = int(v[:indexed].max()) + 1 if indexed else 0  # the index covers the nodes of the ties it holds
        ptr, index = tie_index(u[:indexed], v[:indexed], nodes)
        for size in (1, 3, 40, 300, 1000):  # few ties found (sorted) and many (read out of a bitmap)
            people = rng.choice(n, size, replace=size > 500)  # unsorted, with repeats when many
            mark = np.zeros(n, bool)
            mark[people] = True
            expected = np.flatnonzero(alive & (mark[u] | mark[v]))
            got = K.ties_touching_sorted(ptr, index, indexed, u, v, alive, people, n)
            assert got.dtype == np.int64
            np.testing.assert_array_equal(got, expected)


def test_care_over_ties_in_equals_care_over_ties_and_the_numpy_version(rng):
    from samenkracht.sim.tolerances import HOURS_EPS

    n, m = 700, 5000
    per_tie = np.zeros(m + 37)  # the work space, longer than the ties
    for _ in range(3):  # one work space for several calls, as the allocation keeps it
        k = int(rng.integers(0, 3000))
        eid = np.sort(rng.integers(0, m, k))  # a tie's two half-edges, or one
        rec, hlp = rng.integers(0, n, k), rng.integers(0, n, k)
        given = np.where(rng.random(k) < 0.5, 0.0, rng.random(k) * 3)
        given[rng.random(k) < 0.05] = HOURS_EPS * rng.choice([0.3, 0.6, 1.0, 1.5], 1)
        got = K.care_over_ties_in(rec, hlp, eid, given, n, m, HOURS_EPS, per_tie)
        expected = K.care_over_ties(rec, hlp, eid, given, n, m, HOURS_EPS)
        for a, b in zip(got, expected):
            assert a.dtype == b.dtype and a.shape == b.shape
            np.testing.assert_array_equal(a, b)
        # the numpy version of the ties that carried care: the hours of a tie's half-edges added in order
        np.testing.assert_array_equal(got[3], np.bincount(eid, given, m) > HOURS_EPS)
        assert (per_tie == 0.0).all() and not np.signbit(per_tie).any()  # left as found


def test_alive_by_group_equals_bincount(rng):
    for n, n_groups in ((0, 3), (1, 1), (500, 9), (5000, 40)):
        group = rng.integers(0, n_groups, n).astype(np.int32)
        alive = rng.random(n) < 0.9
        for limit in (n_groups, max(1, n_groups - 3)):  # the groups present above the minimum length too
            got = K.alive_by_group(group, alive, limit)
            expected = np.bincount(group[alive], minlength=limit)
            assert got.dtype == expected.dtype
            np.testing.assert_array_equal(got, expected)


def test_unique_inverse_bits_equals_np_unique(rng):
    from samenkracht.sim.kernels import unique_inverse

    for n, k in ((1, 0), (1, 5), (64, 200), (65, 3), (1000, 50), (5000, 20000), (4096, 4096)):
        ids = rng.integers(0, n, k)
        if k:
            ids[0] = n - 1  # the last id, in the last word
        uniq, inverse = K.unique_inverse_bits(ids, n)
        expected_uniq, expected_inverse = np.unique(ids, return_inverse=True)
        assert uniq.dtype == expected_uniq.dtype and inverse.dtype == np.int64
        np.testing.assert_array_equal(uniq, expected_uniq)
        np.testing.assert_array_equal(inverse, expected_inverse)
        for a, b in zip((uniq, inverse), unique_inverse(ids, n)):
            np.testing.assert_array_equal(a, b)
