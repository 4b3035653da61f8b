"""The compiled kernels of the social side (sim/kernels_social.py) give bit for bit what the numpy expressions they
replaced gave."""

import numpy as np
import pytest
from conftest import random_tie_ends

from samenkracht.sim import kernels_care as KC
from samenkracht.sim import kernels_social as K
from samenkracht.sim.ties import KIND_CODE, REL_CODE
from samenkracht.sim.tolerances import HOURS_EPS


@pytest.fixture(params=[0, 1, 2])
def world(request):
    """Random residents and ties."""
    rng = np.random.default_rng(request.param)
    n, m = 600, 4000
    u, v = random_tie_ends(rng, n, m)
    return {
        "rng": rng,
        "n": n,
        "m": m,
        "u": u,
        "v": v,
        "kind": rng.integers(0, 7, m).astype(np.int8),
        "rel": rng.integers(0, 11, m).astype(np.int8),
        "strength": np.where(rng.random(m) < 0.1, 0.0, rng.random(m)),
        "tie_alive": rng.random(m) < 0.9,
        "alive": rng.random(n) < 0.95,
    }


def bits(a: np.ndarray) -> bytes:
    return np.ascontiguousarray(a).tobytes()


def test_household_partners_equal_the_numpy_version(world):
    t = world
    # many partner ties, so that some slots have several (the last write wins, the v side after the u side)
    rel = np.where(t["rng"].random(t["m"]) < 0.3, REL_CODE["partner"], t["rel"]).astype(np.int8)
    kind = np.where(t["rng"].random(t["m"]) < 0.5, KIND_CODE["household"], t["kind"]).astype(np.int8)
    live = np.flatnonzero(t["tie_alive"] & (rel == REL_CODE["partner"]) & (kind == KIND_CODE["household"]))
    expected = np.full(t["n"], -1, np.int64)
    expected[t["u"][live]] = t["v"][live]
    expected[t["v"][live]] = t["u"][live]
    tie = np.flatnonzero(rel == REL_CODE["partner"])
    got = K.household_partners(tie, t["u"][tie], t["v"][tie], t["tie_alive"], kind, KIND_CODE["household"], t["n"])
    assert got.dtype == expected.dtype and np.array_equal(got, expected)
    none = np.zeros(0, np.int64)
    empty = K.household_partners(none, none, none, t["tie_alive"], kind, KIND_CODE["household"], t["n"])
    assert np.array_equal(empty, np.full(t["n"], -1))
    assert np.bincount(t["u"][live]).max() > 1 and (got >= 0).sum() > 100  # the test exercises repeated writes


@pytest.mark.parametrize("with_helped", [True, False])
def test_contact_week_equals_the_numpy_version(world, with_helped):
    t, rng = world, world["rng"]
    base = rng.random(7) * 1.5  # some probabilities above 1, clipped
    u_contact = rng.random(t["m"])
    helped = rng.random(t["m"]) < 0.05 if with_helped else np.zeros(0, bool)
    resident_alive = t["alive"]
    floor = np.array([0.5, 0.15, 0, 0, 0, 0, 0.0])
    weak = np.array([False, False, False, True, True, False, False])
    grow, decay, remove_below, friend_strength, factor = 0.03, 0.012, 0.03, 0.5, 0.8
    # the numpy version, as it was in sim/mechanisms/contact.py, with each end's weekly sum apart
    st, alive, kind = t["strength"].copy(), t["tie_alive"].copy(), t["kind"].copy()
    prob = np.clip(base[kind] * (0.3 + 0.7 * st) * factor, 0, 1) * alive
    met = alive & ((u_contact < prob) | (helped if with_helped else False))
    met &= resident_alive[t["u"]] & resident_alive[t["v"]]
    w = np.where(met, st, 0.0)
    weekly_u, weekly_v = np.bincount(t["u"], w, t["n"]), np.bincount(t["v"], w, t["n"])
    st += np.where(met, grow * (1.0 - st), -decay * st)
    np.maximum(st, floor[kind] * alive, out=st)
    lost = alive & (st < remove_below) & (floor[kind] == 0)
    alive &= ~lost
    st[lost] = 0.0
    befriended = alive & weak[kind] & (st >= friend_strength)
    kind[befriended] = 2
    st2, alive2, kind2 = t["strength"].copy(), t["tie_alive"].copy(), t["kind"].copy()
    wu, wv = np.zeros(t["n"]), np.zeros(t["n"])
    counts = K.contact_week(
        t["u"],
        t["v"],
        kind2,
        st2,
        alive2,
        resident_alive,
        u_contact,
        base,
        factor,
        helped,
        grow,
        decay,
        floor,
        remove_below,
        weak,
        friend_strength,
        2,
        wu,
        wv,
    )
    assert np.array_equal(st, st2) and np.array_equal(alive, alive2) and np.array_equal(kind, kind2)
    assert np.array_equal(weekly_u, wu) and np.array_equal(weekly_v, wv)
    assert counts == (int(lost.sum()), int(befriended.sum()))
    assert int(lost.sum()) > 0 and int(befriended.sum()) > 0 and met.any() and not met.all()


def test_carers_of_equals_the_numpy_version(world):
    t, rng = world, world["rng"]
    n = t["n"]
    eligible = np.sort(rng.choice(n, 80, replace=False))
    given = np.where(rng.random(n) < 0.5, rng.random(n) * 20, 0.0)
    given[:20] = [1e-6, 2e-6, 1e-7, 0.0] * 5  # dust at and around the tolerance
    burden = np.round(rng.random(n) * 10, 1)  # ties in burden between carers
    cooldown = np.where(rng.random(n) < 0.1, rng.integers(1, 20, n), 0).astype(np.int32)
    # the numpy version, as it was in sim/mechanisms/wlz.py
    mark = np.zeros(n, dtype=bool)
    mark[eligible] = True
    touch = np.flatnonzero(t["tie_alive"] & (mark[t["u"]] | mark[t["v"]]))
    u, v = t["u"][touch], t["v"][touch]
    person = np.where(mark[u], u, v)
    other = np.where(mark[u], v, u)
    caring = given[other] > 1e-6
    top = np.zeros(n)
    np.maximum.at(top, person[caring], burden[other[caring]])
    kin = np.isin(t["kind"][touch], (KIND_CODE["household"], KIND_CODE["family"]))
    fallen = kin & (cooldown[other] > 0)
    collapsed = np.zeros(n, dtype=bool)
    collapsed[person[fallen]] = True
    got_top, got_collapsed = K.carers_of(
        eligible,
        touch,
        t["u"],
        t["v"],
        t["kind"],
        given,
        burden,
        cooldown,
        1e-6,
        KIND_CODE["household"],
        KIND_CODE["family"],
    )
    assert bits(got_top) == bits(top[eligible]) and np.array_equal(got_collapsed, collapsed[eligible])
    assert (got_top > 0).sum() > 10 and got_collapsed.any() and not got_collapsed.all()
    assert (mark[u] & mark[v]).any()  # ties between two eligible residents count for their lower end


@pytest.mark.parametrize("reach", ["none", "some", "nan"])
def test_adults_by_wijk_and_first_accepted_equal_pick_in_wijk(world, reach):
    from samenkracht.sim.population import pick_in_wijk

    t, rng = world, world["rng"]
    n, n_wijken = t["n"], 6
    age = np.round(rng.uniform(0, 90, n), 1)
    age[:3] = [18.0, np.nextafter(18.0, 0), 17.9]
    wijk = rng.integers(0, n_wijken, n).astype(np.int32)
    loneliness = np.round(rng.uniform(0, 11, n), 2)
    outreach = {"none": np.zeros(n_wijken), "some": np.array([0, 0.5, 1.0, 0, 2.0, 0.25])}.get(reach)
    if reach == "nan":
        outreach = np.array([0, 0.5, np.nan, 0, 2.0, 0.25])
    # the numpy version, as it was in sim/mechanisms/contact.py
    adults = np.flatnonzero(t["alive"] & (age >= 18.0))
    wijk_adults = wijk[adults]
    pop_w = np.bincount(wijk_adults, minlength=n_wijken)
    weight = 1.0 + outreach[wijk_adults] * (loneliness[adults] / 11.0)
    got = K.adults_by_wijk(t["alive"], age, wijk, n_wijken, outreach, loneliness)
    assert np.array_equal(got[0], adults) and got[0].dtype == adults.dtype
    assert np.array_equal(got[1], wijk_adults) and got[1].dtype == wijk_adults.dtype
    assert np.array_equal(got[2], pop_w) and got[2].dtype == pop_w.dtype
    assert bits(np.float64(got[3])) == bits(np.float64(weight.max()))
    # the choice, from the same draws
    want = rng.integers(0, n_wijken + 1, 300)  # a wijk without residents as well: no one found (-1)
    for weights, reach_of, top in ((weight, outreach, got[3]), (np.ones(adults.size), np.zeros(0), 1.0)):
        seed = int(rng.integers(1 << 30))
        expected = pick_in_wijk(np.random.default_rng(seed), adults, wijk_adults, weights, want, tries=8)
        draws = np.random.default_rng(seed)
        cand = draws.integers(0, adults.size, (want.size, 8))
        u_accept = draws.random(cand.shape)
        picked = K.first_accepted(adults, wijk_adults, cand, want, u_accept, top, reach_of, loneliness)
        assert np.array_equal(picked, expected) and picked.dtype == expected.dtype
        if reach != "nan" or top == 1.0:  # with a NaN weight no one is accepted, as in pick_in_wijk
            assert (expected >= 0).any() and (expected < 0).sum() >= (want == n_wijken).sum() > 0


def test_need_turns_equals_the_numpy_version(world):
    from samenkracht.sim.population import age_band

    rng, n = world["rng"], 5000
    age = np.round(rng.uniform(-5, 300, n), 1)  # beyond the table at both ends as well
    bands = int(age_band(np.arange(256)).max()) + 1
    prevalence = np.array([0.01, 0.02, 0.05, 0.1, 0.2, 0.4, 1.0 - 1e-12, 1.0])[:bands]
    count = rng.integers(0, 5, n)
    needs, dies = rng.random(n) < 0.3, rng.random(n) < 0.05
    u_onset, u_end = rng.random(n) * 0.02, rng.random(n) * 0.02
    recovery, weeks = 0.5, 52
    # the numpy version, as it was in sim/mechanisms/kin_elsewhere.py
    prev = prevalence[age_band(np.arange(256))][np.clip(age, 0, 255).astype(np.int64)]
    p_any = 1.0 - (1.0 - prev) ** count
    onset = recovery * p_any / np.maximum(1.0 - p_any, 1e-9)
    starts = ~needs & (count > 0) & (u_onset < onset / weeks)
    ends = needs & ((count == 0) | (u_end < recovery / weeks) | dies)
    stay = KC.by_age_band(age, age_band(np.arange(256)), 1.0 - prevalence)
    assert bits(stay) == bits(1.0 - prev)
    got = K.need_turns(stay**count, needs, count, u_onset, u_end, dies, recovery, float(weeks))
    assert np.array_equal(got[0], starts) and np.array_equal(got[1], ends)
    assert starts.sum() > 10 and ends.sum() > 10 and (p_any >= 1.0 - 1e-9).any()  # the floor 1e-9 is reached


@pytest.mark.parametrize("generation", ["parents", "grandparents"])
def test_relatives_elsewhere_kernels_equal_the_numpy_version(world, generation):
    rng, n = world["rng"], 3000
    two = generation == "parents"
    alive = rng.random(n) < 0.95
    age = np.round(rng.uniform(0, 100, n), 1)
    gap = rng.uniform(27, 34, n)
    near = rng.integers(0, 3 if two else 5, n).astype(np.int8)
    far = rng.integers(0, 3, n).astype(np.int8) if two else near
    need = rng.random(n) < 0.3
    cares = rng.random(n) < 0.5
    generations, factor, uptake = (1.0, 1.7, 0.64) if two else (2.0, 1.0, 0.25)
    hazard_of = lambda a: 3e-5 * np.exp(0.1 * a)  # noqa: E731 - the Gompertz hazard, numpy's exp
    # the numpy version, as it was in sim/mechanisms/kin_elsewhere.py
    e_near, e_need, e_cares = near.copy(), need.copy(), cares.copy()
    e_far = far.copy() if two else e_near
    total = (e_near + e_far) if two else e_near
    have = np.flatnonzero(alive & (total > 0))
    u_die, u_take = rng.random((2, have.size))
    u_die *= 0.02  # some deaths
    page = age[have] + gap[have] if two else age[have] + 2.0 * gap[have]
    hazard = hazard_of(page)
    if two:
        hazard = np.where(e_need[have], hazard * factor, hazard)
    count = (e_near[have] + e_far[have]).astype(np.int64) if two else e_near[have].astype(np.int64)
    expo = -hazard * count / 52
    dies = u_die < 1.0 - np.exp(expo)
    d = have[dies]
    if two:
        near_first = e_near[d] > 0
        e_near[d[near_first]] -= 1
        e_far[d[~near_first]] -= 1
    else:
        e_near[d] -= 1
    count = (e_near[have] + e_far[have]).astype(np.int64) if two else e_near[have].astype(np.int64)
    needs = e_need[have]
    starts = ~needs & (count > 0) & (rng.random(have.size) < 0.5)
    ends = needs & ((count == 0) | (rng.random(have.size) < 0.5) | dies)
    e_need[have[starts]] = True
    e_cares[have[starts]] = u_take[starts] < uptake
    e_need[have[ends]] = False
    e_cares[have[ends]] = False
    # the kernels
    g_near = near.copy()
    g_far = far.copy() if two else g_near
    g_need, g_cares = need.copy(), cares.copy()
    g_have, g_page, g_count = K.with_relatives(alive, g_near, g_far, two, age, gap, generations)
    assert np.array_equal(g_have, have) and bits(g_page) == bits(page)
    raised = g_need if two else np.zeros(0, bool)
    exponent = K.death_exponent(hazard_of(g_page), raised, g_have, factor, g_count, 52.0)
    assert bits(exponent) == bits(expo)
    g_dies, g_count, g_needs = K.relatives_die(u_die, np.exp(exponent), g_have, g_near, g_far, two, g_need)
    assert np.array_equal(g_dies, dies) and np.array_equal(g_count, count) and g_count.dtype == count.dtype
    assert np.array_equal(g_needs, needs)
    assert np.array_equal(g_near, e_near) and np.array_equal(g_far, e_far) and g_near.dtype == np.int8
    K.apply_need_turns(g_have, starts, ends, u_take, uptake, g_need, g_cares)
    assert np.array_equal(g_need, e_need) and np.array_equal(g_cares, e_cares)
    assert dies.sum() > 10 and starts.any() and ends.any()
    if two:
        assert (dies & (near[have] == 0)).any() and (dies & (near[have] > 0)).any()  # both sides lose a parent


@pytest.mark.parametrize("n_seen", [0, 1, 40])
def test_carers_become_known_equals_the_numpy_version(world, n_seen):
    t, rng = world, world["rng"]
    n, m = t["n"], t["m"]
    helped = rng.random(m - 7) < 0.3  # ties formed since the allocation carried none
    seen = np.sort(rng.choice(n, n_seen, replace=False)).astype(np.int64)
    given = np.where(rng.random(n) < 0.6, rng.random(n) * 5, 0.0)
    known = rng.random(n) < 0.2
    # the numpy version, as it was in Wijkteam._carers_become_known
    assessed = np.zeros(n, bool)
    assessed[seen] = True
    h = np.flatnonzero(np.concatenate([helped, np.zeros(m - helped.size, bool)]))
    u, v = t["u"][h], t["v"][h]
    other = np.concatenate([v[assessed[u]], u[assessed[v]]])
    given[other[:2]], given[other[2:4]] = HOURS_EPS, 2 * HOURS_EPS  # dust does not count, a little more does
    other = other[(given[other] > HOURS_EPS) & ~known[other]]
    expected = known.copy()
    expected[other] = True
    expected |= assessed
    got = K.carers_become_known(np.flatnonzero(helped), t["u"], t["v"], seen, given, known, HOURS_EPS)
    assert got == np.unique(other).size and np.array_equal(known, expected)
    if n_seen == 40:
        assert got > 0


@pytest.mark.parametrize("n", [0, 1, 500])
def test_caseload_close_equals_the_numpy_version(n):
    rng = np.random.default_rng(n)
    referred, alive, indicated = rng.random(n) < 0.4, rng.random(n) < 0.9, rng.random(n) < 0.3
    severity = np.where(rng.random(n) < 0.5, rng.random(n), 0.0)
    referred_week = np.where(referred, rng.integers(-60, 30, n), -999).astype(np.int32)
    week = 31
    r, rw = referred & alive, referred_week.copy()
    rw[~r] = -999
    waiting = r & (severity > 0) & ~indicated
    expected = float((week + 1 - rw[waiting]).mean()) if waiting.any() else 0.0
    total, count = K.caseload_close(referred, alive, referred_week, severity, indicated, week)
    assert np.array_equal(referred, r) and bits(referred_week) == bits(rw)
    assert bits(np.float64(float(total) / count if count else 0.0)) == bits(np.float64(expected))
    assert count == waiting.sum() and (n < 500 or count > 0)
