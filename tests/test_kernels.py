"""The compiled kernels (sim/kernels.py) give bit for bit what the numpy expressions they replaced gave."""

import numpy as np
import pytest
from conftest import random_tie_ends

from samenkracht.sim import kernels as K


@pytest.fixture(params=[0, 1, 2])
def ties(request):
    rng = np.random.default_rng(request.param)
    n, m = 500, 3000
    u, v = random_tie_ends(rng, n, m)
    return {
        "rng": rng,
        "n": n,
        "m": m,
        "u": u,
        "v": v,
        "kind": rng.integers(0, 7, m).astype(np.int8),
        "strength": np.where(rng.random(m) < 0.1, 0.0, rng.random(m)),
        "alive": rng.random(m) < 0.9,
        "resident_alive": rng.random(n) < 0.95,
        "wijk": rng.integers(0, 6, n).astype(np.int32),
    }


def test_active_ties_equal_the_numpy_version(ties):
    t = ties
    active = t["alive"] & (t["strength"] >= 0.3)
    expected = np.bincount(t["u"][active], minlength=t["n"]) + np.bincount(t["v"][active], minlength=t["n"])
    bridging = active & (t["wijk"][t["u"]] != t["wijk"][t["v"]])
    got, n_bridging, n_living = K.active_ties(t["u"], t["v"], t["alive"], t["strength"], 0.3, t["wijk"], t["n"])
    assert np.array_equal(got, expected)
    assert (n_bridging, n_living) == (int(bridging.sum()), int(t["alive"].sum()))


def test_sums_by_group_and_unique_inverse_equal_numpy(ties):
    t, rng = ties, ties["rng"]
    values = rng.random((4, t["n"])) * 10
    masks = rng.random((4, t["n"])) < 0.6
    sums = K.sums_by_group(t["wijk"], 6, values, masks)
    for f in range(4):
        assert np.array_equal(sums[f], np.bincount(t["wijk"][masks[f]], values[f][masks[f]], 6))
    ids = rng.integers(0, t["n"], 200)
    uniq, inverse = K.unique_inverse(ids, t["n"])
    expected_uniq, expected_inverse = np.unique(ids, return_inverse=True)
    assert np.array_equal(uniq, expected_uniq) and np.array_equal(inverse, expected_inverse)


def test_mark_relations_names_whom_each_helper_helped():
    from samenkracht.sim.ties import GENERATION_GAP_YEARS as GAP
    from samenkracht.sim.ties import REL_CODE, REL_FLIP, RELATION_OF_KIN, RELATIONS
    from samenkracht.sim.tolerances import HOURS_EPS

    age = np.array([80.0, 50.0, 48.0, 20.0, 52.0])
    # helper 1 helps: their parent 0 (family), their partner 2 (household), their child 3 (household);
    # helper 4 helps their sibling 1 (family) and, without giving anything, friend 0.
    # Ties (u, v, relation of u towards v): the recorded relation decides, read from the recipient's end.
    tie_u = np.array([0, 1, 1, 1, 0])
    tie_rel = np.array(
        [REL_CODE["parent"], REL_CODE["partner"], REL_CODE["parent"], REL_CODE["sibling"], REL_CODE["none"]], np.int8
    )
    rec = np.array([0, 2, 3, 1, 0])
    hlp = np.array([1, 1, 1, 4, 4])
    eid = np.arange(5)
    gave = np.array([True, True, True, True, False])
    bits = np.zeros(5, np.uint8)
    flip, rel_of = np.asarray(REL_FLIP, np.int8), np.asarray(RELATION_OF_KIN, np.int8)
    hh_member = REL_CODE["household_member"]
    not_usual = (np.ones(5, np.int8), (0, np.zeros(5), 8.0, HOURS_EPS))  # no tie of kind 0 (none is usual care)
    K.mark_relations(rec, hlp, eid, gave, *not_usual, tie_u, tie_rel, flip, rel_of, age, bits, hh_member, GAP)

    def named(b):
        return {r for i, r in enumerate(RELATIONS) if b & (1 << i)}

    assert named(bits[1]) == {"parent", "partner", "child"}
    assert named(bits[4]) == {"other_family"}
    assert bits[0] == bits[2] == bits[3] == 0
    # Where the relation is unknown (a loaded graph gave only the kind), the age gap decides.
    unknown = np.array([REL_CODE["family_member"], hh_member, hh_member, REL_CODE["family_member"], 0], np.int8)
    bits[:] = 0
    K.mark_relations(rec, hlp, eid, gave, *not_usual, tie_u, unknown, flip, rel_of, age, bits, hh_member, GAP)
    assert named(bits[1]) == {"parent", "partner", "child"}
    assert named(bits[4]) == {"other_family"}
