"""The compiled kernels that make the weekly allocation and the replacement of residents follow the active set
(sim/kernels_care.py) give bit for bit what the plain numpy expressions they replaced gave."""

import numpy as np
import pytest

from samenkracht.sim import kernels_care as K


@pytest.fixture(params=[0, 1, 2, 3])
def rng(request):
    return np.random.default_rng(request.param)


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


@pytest.mark.parametrize("n", [1, 63, 64, 65, 5000])
def test_stage_local_index_equals_np_unique_stage_by_stage(rng, n):
    """Each stage's distinct ids and each id's position among them, as ``np.unique`` of the stage's ids (int32 ids,
    as the half-edges hold them; stages empty, of one id, of many)."""
    sizes = [0, 3, 0, 1, int(rng.integers(0, 4 * n)), 2 * n, 0]
    bounds = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    ids = rng.integers(0, n, bounds[-1]).astype(np.int32)
    if ids.size:
        ids[-1] = n - 1  # the last id, in the last word
    uniq, ubounds, inverse = K.stage_local_index(ids, bounds, n)
    assert uniq.dtype == np.int64 and inverse.dtype == np.int64 and ubounds.shape == bounds.shape
    assert ubounds[0] == 0 and ubounds[-1] == uniq.size
    for s in range(len(sizes)):
        expected_uniq, expected_inverse = np.unique(ids[bounds[s] : bounds[s + 1]], return_inverse=True)
        np.testing.assert_array_equal(uniq[ubounds[s] : ubounds[s + 1]], expected_uniq)
        np.testing.assert_array_equal(inverse[bounds[s] : bounds[s + 1]], expected_inverse)


@pytest.mark.parametrize("n, m", [(1, 0), (50, 1), (500, 3000), (4000, 20000)])
def test_care_half_edges_equal_the_numpy_version(rng, n, m):
    """The care half-edges grouped by stage: as the mask of those that can carry care, then the stable sort by
    stage (the half-edges of kinds without a stage left out), then the tie kinds and strengths gathered."""
    from conftest import random_tie_ends

    from samenkracht.sim.kernels import care_half_edges

    u, v = random_tie_ends(rng, n, m)
    extra = rng.integers(0, m, m // 7) if m else np.zeros(0, np.int64)  # ties added since, appended in a block
    rec = np.concatenate([u, v, u[extra], v[extra]])
    hlp = np.concatenate([v, u, v[extra], u[extra]])
    eid = np.concatenate([np.arange(m), np.arange(m), extra, extra])
    kind = rng.integers(0, 7, m).astype(np.int8)
    strength = np.where(rng.random(m) < 0.1, 0.0, rng.random(m))
    alive = rng.random(m) < 0.9
    stage_of_kind = np.array([0, 2, 4, 5, 5, -1, -1])
    for share in (0.0, 0.2, 1.0):
        needs, can_help = rng.random(n) < share, rng.random(n) < 0.7
        live = np.flatnonzero(needs[rec] & can_help[hlp] & alive[eid])
        stage = stage_of_kind[kind[eid[live]]]
        order = live[np.argsort(np.where(stage < 0, 6, stage), kind="stable")][: int((stage >= 0).sum())]
        got = care_half_edges(rec, hlp, eid, needs, can_help, alive, kind, stage_of_kind, 6, strength)
        expected = (rec[order], hlp[order], eid[order], kind[eid[order]], strength[eid[order]])
        for a, b in zip(got, expected):
            assert a.dtype == b.dtype
            np.testing.assert_array_equal(a, b)
        counts = np.bincount(stage[stage >= 0], minlength=6)
        np.testing.assert_array_equal(got[5], np.concatenate([[0], np.cumsum(counts)]))


def _spread_numpy(remaining, cap_left, rec, hlp, weight, tie_left, min_hours, rounds=2):
    """allocation.spread_care as it was before the kernels."""
    from samenkracht.sim.tolerances import HOURS_EPS, SHARE_EPS

    n, n_helpers = remaining.shape[0], cap_left.shape[0]
    given = np.zeros(rec.shape[0])
    for _ in range(rounds):
        w = weight * (cap_left[hlp] > HOURS_EPS) * (tie_left > HOURS_EPS) * (remaining[rec] > HOURS_EPS)
        live = np.flatnonzero(w)
        if live.size == 0:
            break
        r, h, wl = rec[live], hlp[live], w[live]
        rowsum = np.bincount(r, wl, n)
        ideal = remaining[r] * wl / rowsum[r]
        offer = np.minimum(ideal, tie_left[live])
        ok = (
            (offer >= min_hours - HOURS_EPS)
            | (remaining[r] <= min_hours + HOURS_EPS)
            | (wl * 2 >= rowsum[r] * (1 - SHARE_EPS))
        )
        offer = np.where(ok, offer, 0.0)
        asked = np.bincount(h, offer, n_helpers)
        scale = np.minimum(1.0, cap_left / np.maximum(asked, 1e-12))
        g = offer * scale[h]
        given[live] += g
        tie_left[live] -= g
        np.subtract(remaining, np.bincount(r, g, n), out=remaining)
        np.subtract(cap_left, np.bincount(h, g, n_helpers), out=cap_left)
        np.maximum(remaining, 0.0, out=remaining)
        np.maximum(cap_left, 0.0, out=cap_left)
        if (ideal - g).max() < HOURS_EPS:
            break
    return given


def _stage_numpy(stage, care_kinds, rec, hlp, kind_l, strength, tie_cap, w, prm, personal_tie):
    """An informal stage of the allocation as the numpy code of LayeredAllocation.step before care_stage; ``w``
    holds the world's arrays (changed in place), ``prm`` care_stage's parameters."""
    from samenkracht.sim.tolerances import at_least_hours, some_hours

    hh_stretch, pressure_stretch, hh_min, family_stretch, thr, mob_thr, own_share, min_hours, min_commitment = prm
    remaining, used = w["remaining"], w["used"]
    weight = strength**3.0
    if stage in ("friends", "neighbours"):
        threshold = np.where(w["mobilised"][rec], mob_thr, thr)
        weight = weight * (strength >= threshold) * w["willing"][hlp]
    rec_ids, rec_l = np.unique(rec, return_inverse=True)
    hlp_ids, hlp_l = np.unique(hlp, return_inverse=True)
    if stage == "household":
        hh = w["household"][hlp_ids]
        pressure = w["hh_unmet"][hh] / np.maximum(w["hh_need"][hh], 1e-9)
        stretch = hh_stretch + pressure_stretch * pressure
        cap = np.maximum(w["capacity"][hlp_ids] * stretch, hh_min)
    else:
        factor = family_stretch if stage != "neighbours" else 1.0
        cap = w["capacity"][hlp_ids] * factor * w["ability"][hlp_ids]
    cap_left = np.maximum(0.0, cap - used[hlp_ids])
    cap_left[~some_hours(cap_left)] = 0.0
    start_cap = cap_left.copy()
    layer_given = np.zeros(rec.size)
    by_kind_given = []
    for k in care_kinds:
        w_k = weight if k != 0 else weight * personal_tie[kind_l]
        rem = remaining[k, rec_ids]
        if stage in ("friends", "neighbours"):
            part = np.where(w["mobilised"][rec_ids], 1.0, own_share)
            ask = np.minimum(rem, part * w["need"][rec_ids, k])
            ask[~some_hours(ask)] = 0.0
            kept = rem - ask
            g = _spread_numpy(ask, cap_left, rec_l, hlp_l, w_k, tie_cap, min_hours)
            rem = kept + ask
        else:
            g = _spread_numpy(rem, cap_left, rec_l, hlp_l, w_k, tie_cap, min_hours)
        remaining[k, rec_ids] = rem
        layer_given += g
        by_kind_given.append(g)
    if stage != "household":
        crumbs = some_hours(layer_given) & ~at_least_hours(layer_given, min_commitment)
        if crumbs.any():
            for k, g in zip(care_kinds, by_kind_given):
                back = np.where(crumbs, g, 0.0)
                remaining[k, rec_ids] += np.bincount(rec_l, back, rec_ids.size)
                g -= back
            cap_left += np.bincount(hlp_l, np.where(crumbs, layer_given, 0.0), hlp_ids.size)
            cap_left = np.minimum(cap_left, start_cap)
            layer_given[crumbs] = 0.0
    used[hlp_ids] += start_cap - cap_left
    if stage == "household":
        w["household_hours"][hlp_ids] = start_cap - cap_left
    w["hours_by_tie_kind"] += np.bincount(kind_l, layer_given, 7)
    gave = some_hours(layer_given)
    if stage in ("friends", "neighbours"):
        w["helped_other"][hlp[gave]] = True
    if stage == "neighbours":
        w["last_helped_neighbour"][hlp[gave]] = 9
    return layer_given, by_kind_given


def _same_bits(a, b):
    """The same dtype, shape and bytes (so -0.0 is not 0.0)."""
    a, b = np.asarray(a), np.asarray(b)
    assert a.dtype == b.dtype and a.shape == b.shape
    assert np.ascontiguousarray(a).tobytes() == np.ascontiguousarray(b).tobytes()


@pytest.mark.parametrize(
    "n, k, case",
    [
        (1, 0, ""),
        (5, 3, ""),
        (300, 40, ""),
        (300, 2000, ""),
        (3000, 6000, ""),
        (200, 6000, ""),  # many half-edges per recipient and helper: second rounds, exhausted helpers and ties
        (300, 2000, "no need"),
        (300, 2000, "no capacity"),
        (300, 2000, "no strength"),
    ],
)
def test_care_stage_equals_the_numpy_version(rng, n, k, case):
    from samenkracht.sim.mechanisms.allocation import _STAGE_CODE, STAGES
    from samenkracht.sim.tolerances import HOURS_EPS, SHARE_EPS

    personal_tie = np.array([True, True, False, False, False, False, False])
    tie_cap_of_kind = np.array([np.inf, np.inf, 2.8, 2.0, 2.0, np.inf, np.inf])
    need = rng.random((n, 3)) * rng.choice([0.0, 2.0, 15.0], (n, 3)) * (case != "no need")
    world = {
        "remaining": np.ascontiguousarray(need.T) * rng.choice([1.0, 0.5, 0.0], (3, n)),
        "used": rng.random(n) * rng.choice([0.0, 1.0, 30.0], n),
        "household_hours": np.zeros(n),
        "hours_by_tie_kind": rng.random(7),
        "helped_other": rng.random(n) < 0.1,
        "last_helped_neighbour": np.full(n, -999, np.int32),
        "need": need,
        "mobilised": rng.random(n) < 0.2,
        "willing": rng.random(n) < 0.5,
        "capacity": rng.random(n) * rng.choice([0.0, 3.0, 12.0], n) * (case != "no capacity"),
        "ability": np.clip(rng.random(n) * 1.5, 0, 1) * (rng.random(n) < 0.8),
        "household": rng.integers(0, max(1, n // 2), n),
    }
    world["hh_need"] = np.bincount(world["household"], need.sum(axis=1))
    world["hh_unmet"] = np.bincount(world["household"], world["remaining"].sum(axis=0) * 0.3)
    gave_any = False
    for stage, _, _, care_kinds in STAGES:
        if stage not in _STAGE_CODE:
            continue
        prm = np.array([2.5, 1.0, 12.0, 1.5, 0.45 if stage == "friends" else 0.35, 0.05, 0.285, 0.5, 0.55])
        rec, hlp = rng.integers(0, n, k), rng.integers(0, n, k)
        kind_l = rng.integers(0, 7, k)
        strength = np.where(rng.random(k) < 0.1, 0.0, rng.random(k)) * (case != "no strength")
        tie_cap = tie_cap_of_kind[kind_l] * rng.choice([1.0, 0.3], k)
        expected, got = {a: b.copy() for a, b in world.items()}, {a: b.copy() for a, b in world.items()}
        tie_left_expected, tie_left_got = tie_cap.copy(), tie_cap.copy()
        layer_given, by_kind = _stage_numpy(
            stage, care_kinds, rec, hlp, kind_l, strength, tie_left_expected, expected, prm, personal_tie
        )
        rec_ids, rec_l = np.unique(rec, return_inverse=True)
        hlp_ids, hlp_l = np.unique(hlp, return_inverse=True)
        given = np.full(k, np.nan)
        g_by_kind = K.care_stage(
            _STAGE_CODE[stage],
            np.asarray(care_kinds, np.int64),
            rec,
            hlp,
            kind_l,
            strength,
            strength**3.0,
            tie_left_got,
            rec_ids,
            rec_l,
            hlp_ids,
            hlp_l,
            given,
            got["remaining"],
            got["used"],
            got["household_hours"],
            got["hours_by_tie_kind"],
            got["helped_other"],
            got["last_helped_neighbour"],
            9,
            need,
            got["mobilised"],
            got["willing"],
            got["capacity"],
            got["ability"],
            got["household"],
            got["hh_need"],
            got["hh_unmet"],
            0,
            personal_tie,
            prm,
            HOURS_EPS,
            SHARE_EPS,
        )
        _same_bits(given, layer_given)
        _same_bits(tie_left_got, tie_left_expected)
        assert g_by_kind.shape == (len(care_kinds), k)
        for row, g in zip(g_by_kind, by_kind):
            _same_bits(row, g)
        for name in world:
            _same_bits(got[name], expected[name])
        gave_any |= bool((layer_given > 0).any())
    assert gave_any or k < 100 or case


@pytest.mark.parametrize("n, k", [(1, 0), (40, 30), (500, 4000)])
def test_mark_relations_leaves_out_usual_care_as_the_numpy_version(rng, n, k):
    """Help over a household tie counts only where the helper's household hours are more than usual care: as
    marking the half-edges of ``gave & ((kind != household) | some_hours(household_hours[hlp] - usual))``."""
    from samenkracht.sim.kernels import mark_relations
    from samenkracht.sim.ties import GENERATION_GAP_YEARS, REL_CODE, REL_FLIP, RELATION_OF_KIN
    from samenkracht.sim.tolerances import HOURS_EPS, some_hours

    m = max(k, 1)
    rec, hlp, eid = rng.integers(0, n, k), rng.integers(0, n, k), rng.integers(0, m, k)
    tie_u = np.where(rng.random(m) < 0.5, rng.integers(0, n, m), 0)
    tie_rel = rng.integers(0, len(REL_FLIP), m).astype(np.int8)
    kind = rng.integers(0, 7, k).astype(np.int8)
    gave = rng.random(k) < 0.6
    household_hours = rng.choice([0.0, 8.1, 8.1 + HOURS_EPS / 2, 8.1 + 2 * HOURS_EPS, 20.0], n)
    age = rng.uniform(0, 100, n)
    flip, rel_of = np.asarray(REL_FLIP, np.int8), np.asarray(RELATION_OF_KIN, np.int8)
    fixed = (tie_u, tie_rel, flip, rel_of, age)
    got, expected = np.zeros(n, np.uint8), np.zeros(n, np.uint8)
    tail = (REL_CODE["household_member"], GENERATION_GAP_YEARS)
    mark_relations(rec, hlp, eid, gave, kind, (0, household_hours, 8.1, HOURS_EPS), *fixed, got, *tail)
    counted = gave & ((kind != 0) | some_hours(household_hours[hlp] - 8.1))
    never_usual = (np.full(k, 1, np.int8), (0, household_hours, 8.1, HOURS_EPS))
    mark_relations(rec, hlp, eid, counted, *never_usual, *fixed, expected, *tail)
    np.testing.assert_array_equal(got, expected)
    if k > 100:
        assert got.any() and (counted != gave).any()


def test_formal_care_equals_the_numpy_version(rng):
    """Formal care within each wijk's hours, kind by kind, as the allocation's numpy version gave it."""
    for n, k, n_wijk in ((1, 0, 3), (40, 7, 2), (3000, 900, 14), (3000, 3000, 1)):
        remaining = np.where(rng.random((3, n)) < 0.3, 0.0, rng.random((3, n)) * 6)
        got = np.where(rng.random(n) < 0.5, 0.0, rng.random(n))
        idx = np.sort(rng.choice(n, k, replace=False))
        wijk = rng.integers(0, n_wijk, n)[idx]
        cap_w = rng.random(n_wijk) * rng.choice([0.0, 1.0, 50.0, 1e4], n_wijk)
        for kinds, shares in (([0, 1], [0.6, 1.0]), ([0], [0.6]), ([1], [1.0]), ([], [])):
            rem_e, got_e, cap_e, given_e = remaining.copy(), got.copy(), cap_w.copy(), []
            for kk, share in zip(kinds, shares):
                demand = rem_e[kk, idx] * share
                demand_w = np.bincount(wijk, demand, n_wijk)
                g = demand * np.minimum(1.0, cap_e / np.maximum(demand_w, 1e-12))[wijk]
                rem_e[kk, idx] -= g
                cap_e = np.maximum(0.0, cap_e - np.bincount(wijk, g, n_wijk))
                got_e[idx] += g
                given_e.append(g)
            rem_g, got_g = remaining.copy(), got.copy()
            cap_g, given_g = K.formal_care(
                rem_g, got_g, cap_w, idx, wijk, np.array(shares, np.float64), np.array(kinds, np.int64)
            )
            np.testing.assert_array_equal(cap_g, cap_e)
            np.testing.assert_array_equal(rem_g, rem_e)
            np.testing.assert_array_equal(got_g, got_e)
            assert given_g.shape == (len(kinds), k)
            for a, b in zip(given_g, given_e):
                np.testing.assert_array_equal(a, b)


def test_parents_elsewhere_care_equals_the_numpy_version(rng):
    """The hours residents give a parent or grandparent elsewhere, as the allocation's numpy version gave them."""
    from samenkracht.sim.tolerances import HOURS_EPS, at_least_hours, some_hours

    for n, k in ((1, 0), (30, 5), (4000, 1200), (4000, 4000)):
        idx = np.sort(rng.choice(n, k, replace=False))
        own = rng.random(k) < 0.6
        whose = np.where(own, idx, rng.integers(0, n, k))
        in_law, near = rng.random(n) < 0.3, rng.integers(0, 3, n)
        capacity = np.where(rng.random(n) < 0.2, 0.0, rng.random(n) * 20)
        ability = np.where(rng.random(n) < 0.3, rng.choice([0.0, 1.0], n), rng.random(n))
        used = np.where(rng.random(n) < 0.5, 0.0, rng.random(n) * 15)
        for hours, threshold in (([4.0, 2.0, 1.5], 0.55), ([4, 2, 1], 1.0), ([0.5, 0.25, 3.0], 0.25)):
            is_parent = own | in_law[idx]
            want = np.where(is_parent, np.where(near[whose] > 0, hours[0], hours[1]), hours[2])
            g = np.minimum(want, np.maximum(0.0, capacity[idx] * 1.5 * ability[idx] - used[idx]))
            g[~at_least_hours(g, threshold)] = 0.0
            expected, used_e = np.zeros(n), used.copy()
            expected[idx] = g
            used_e[idx] += g
            used_g = used.copy()
            out, to_parent, to_other = K.parents_elsewhere_care(
                idx,
                own,
                whose,
                in_law,
                near,
                capacity,
                ability,
                used_g,
                1.5,
                np.array(hours, np.float64),
                float(threshold),
                HOURS_EPS,
                n,
            )
            np.testing.assert_array_equal(out, expected)
            np.testing.assert_array_equal(used_g, used_e)
            np.testing.assert_array_equal(to_parent, idx[is_parent & some_hours(g)])
            np.testing.assert_array_equal(to_other, idx[~is_parent & some_hours(g)])


def _volunteers_numpy(known, vol, wijk, n_wijk, u_match, bonus, success, capacity, given, share, remaining):
    """LayeredAllocation._volunteers as it was before volunteer_matches (practical help and company)."""
    from samenkracht.sim.tolerances import some_hours

    w_known = wijk[known]
    ok = u_match[known] < np.clip(success + bonus[w_known], 0, 1)
    wanted = remaining[1, known] + remaining[2, known]
    asking = ok & some_hours(wanted)
    vol_cap = np.maximum(0.0, capacity[vol] - given[vol]) * share
    vol_cap[~some_hours(vol_cap)] = 0.0
    cap_w = np.bincount(wijk[vol], vol_cap, n_wijk)
    demand_w = np.bincount(w_known, np.where(asking, wanted, 0.0), n_wijk)
    frac = np.where(asking, np.minimum(1.0, cap_w / np.maximum(demand_w, 1e-12))[w_known], 0.0)
    got, rows = np.zeros(wijk.size), []
    for k in (1, 2):
        g = remaining[k, known] * frac
        remaining[k, known] -= g
        rows.append(g)
        got[known] += g
    return got, rows, int((asking & some_hours(got[known])).sum()), int((~ok & some_hours(wanted)).sum())


@pytest.mark.parametrize("n, n_wijk", [(1, 1), (60, 3), (5000, 12)])
def test_volunteer_matches_equal_the_numpy_version(rng, n, n_wijk):
    from samenkracht.sim.tolerances import HOURS_EPS

    for case in ("", "no volunteers", "no one known", "little capacity", "no need"):
        wijk = rng.integers(0, n_wijk, n)
        known = np.flatnonzero(rng.random(n) < (0.0 if case == "no one known" else 0.3))
        vol = np.flatnonzero(rng.random(n) < (0.0 if case == "no volunteers" else 0.1))
        u_match = rng.random(n)
        bonus = rng.choice([-0.7, 0.0, 0.2, 0.6], n_wijk)
        capacity = rng.random(n) * rng.choice([0.0, 0.5, 10.0], n) * (0.01 if case == "little capacity" else 1.0)
        given = np.where(rng.random(n) < 0.5, 0.0, capacity * rng.choice([0.5, 1.0, 1.5], n))
        remaining = np.where(rng.random((3, n)) < 0.4, 0.0, rng.random((3, n)) * 8) * (case != "no need")
        remaining[:, rng.random(n) < 0.05] = HOURS_EPS * 0.4
        rem_e, rem_g = remaining.copy(), remaining.copy()
        args = (bonus, 0.6, capacity, given, 0.6)
        got_e, rows_e, matches_e, failures_e = _volunteers_numpy(known, vol, wijk, n_wijk, u_match, *args, rem_e)
        got, rows, matches, failures = K.volunteer_matches(
            known, vol, wijk, n_wijk, u_match[known], *args, rem_g, np.array([1, 2], np.int64), HOURS_EPS
        )
        _same_bits(got, got_e)
        _same_bits(rem_g, rem_e)
        assert rows.shape == (2, known.size)
        for a, b in zip(rows, rows_e):
            _same_bits(a, b)
        assert (matches, failures) == (matches_e, failures_e)
        if n > 1000 and not case:
            assert matches > 0 and failures > 0 and 0 < (rows > 0).mean() < 1
