"""The compiled kernels of the care side (sim/kernels_care.py) give bit for bit what the numpy expressions they
replaced gave (as they were in sim/mechanisms/)."""

import numpy as np
import pytest
from conftest import random_tie_ends

from samenkracht.sim import kernels_care as K
from samenkracht.sim import kernels_social as KS
from samenkracht.sim.kernels import unique_inverse
from samenkracht.sim.population import age_band
from samenkracht.sim.state import row_total
from samenkracht.sim.ties import KIND_CODE, REL_CODE
from samenkracht.sim.tolerances import HOURS_EPS


@pytest.fixture(params=[0, 1, 2])
def world(request):
    """Random residents and ties, with the dust and edge values the kernels must treat as numpy does."""
    rng = np.random.default_rng(request.param)
    n, m = 600, 4000
    u, v = random_tie_ends(rng, n, m)
    need = np.where(rng.random((n, 3)) < 0.7, 0.0, rng.random((n, 3)) * 10)
    need[:5] = [[HOURS_EPS / 3, 0, 0], [0, 0, HOURS_EPS], [1e-7, 1e-7, 1e-7], [0, 0, 0], [1, 2, 3]]
    return {
        "rng": rng,
        "n": n,
        "m": m,
        "u": u,
        "v": v,
        "kind": rng.integers(0, 7, m).astype(np.int8),
        "rel": rng.integers(0, 11, m).astype(np.int8),
        "tie_alive": rng.random(m) < 0.9,
        "alive": rng.random(n) < 0.95,
        "age": np.round(rng.uniform(0, 100, n), 1),
        "severity": np.where(rng.random(n) < 0.6, 0.0, rng.random(n)),
        "need": need,
        "unmet": need * (rng.random((n, 3)) < 0.3),
        "household": np.sort(rng.integers(0, n // 2, n)),
        "wijk": rng.integers(0, 6, n).astype(np.int32),
        "cooldown": np.where(rng.random(n) < 0.1, rng.integers(1, 20, n), 0).astype(np.int32),
        "ill": rng.random(n) < 0.05,
        "flag": lambda p=0.3: rng.random(n) < p,
    }


def test_partners_and_relatives_here_equal_the_numpy_versions(world):
    t = world
    live = np.flatnonzero(t["tie_alive"] & (t["rel"] == REL_CODE["partner"]) & (t["kind"] == KIND_CODE["household"]))
    expected = np.full(t["n"], -1, np.int64)
    expected[t["u"][live]] = t["v"][live]
    expected[t["v"][live]] = t["u"][live]
    tie = np.flatnonzero(t["rel"] == REL_CODE["partner"])
    got = KS.household_partners(
        tie, t["u"][tie], t["v"][tie], t["tie_alive"], t["kind"], KIND_CODE["household"], t["n"]
    )
    assert np.array_equal(got, expected) and (got >= 0).any()
    # local_kin_counts and the partner and grandparent passes of RelativesElsewhere._draw, for some residents
    idx = np.flatnonzero(t["flag"](0.4))
    pos = np.full(t["n"], -1, np.int64)
    pos[idx] = np.arange(idx.size)
    live, rel, age, u, v = t["tie_alive"], t["rel"], t["age"], t["u"], t["v"]
    u_par, v_par = live & (rel == REL_CODE["parent"]), live & (rel == REL_CODE["child"])
    parents = np.bincount(v[u_par], minlength=t["n"]) + np.bincount(u[v_par], minlength=t["n"])
    children = np.bincount(u[u_par & (age[v] >= 18)], minlength=t["n"]) + np.bincount(
        v[v_par & (age[u] >= 18)], minlength=t["n"]
    )
    part = live & (rel == REL_CODE["partner"])
    both = (pos[u[part]] >= 0) & (pos[v[part]] >= 0)
    gp = live & ((rel == REL_CODE["grandparent"]) | (rel == REL_CODE["grandchild"]))
    grand = np.bincount(np.where(rel[gp] == REL_CODE["grandparent"], v[gp], u[gp]), minlength=t["n"])
    codes = [REL_CODE[r] for r in ("parent", "child", "partner", "grandparent", "grandchild")]
    p, c, g, pa, pb = K.kin_here(u, v, live, rel, age, pos, idx.size, *codes)
    assert np.array_equal(p, parents[idx]) and np.array_equal(c, children[idx]) and np.array_equal(g, grand[idx])
    assert np.array_equal(pa, pos[u[part][both]]) and np.array_equal(pb, pos[v[part][both]]) and pa.size > 0


def test_allocation_set_up_and_results_equal_the_numpy_versions(world):
    t, flag = world, world["flag"]
    alive, age, sev = t["alive"], t["age"], t["severity"]
    f = [flag() for _ in range(8)]
    near = np.where(flag(), 1, 0).astype(np.int8)
    far = np.where(flag(), 2, 0).astype(np.int8)
    marks = (f[0], f[1], f[2], f[3], f[4], near, far, f[5], f[6], f[7])
    can_help, ability, need_total, needs, hh_need, hh_unmet, need_t, sets = K.care_setup(
        alive,
        age,
        t["cooldown"],
        t["ill"],
        sev,
        t["need"],
        t["unmet"],
        t["household"],
        16.0,
        0.5,
        75.0,
        90.0,
        0.2,
        HOURS_EPS,
        marks,
    )
    # the residents the allocation's later steps look at, in order
    away, kids, known, vol, indicated = sets
    assert np.array_equal(away, np.flatnonzero(((f[0] & f[1]) | f[2] | (f[3] & f[4])) & can_help)) and away.size
    assert np.array_equal(kids, np.flatnonzero(needs & ((near > 0) | (far > 0)))) and kids.size
    assert np.array_equal(known, np.flatnonzero(alive & (f[5] | f[6]))) and known.size
    assert np.array_equal(vol, np.flatnonzero(alive & f[7] & (t["cooldown"] == 0) & ~t["ill"])) and vol.size
    assert np.array_equal(indicated, np.flatnonzero(alive & f[6])) and indicated.size
    assert all(a.dtype == np.int64 for a in sets)
    assert np.array_equal(can_help, alive & (age >= 16) & (t["cooldown"] == 0) & ~t["ill"] & (sev <= 0.5))
    assert np.array_equal(ability, np.clip((90.0 - age) / 15.0, 0.0, 1.0) * (sev <= 0.2))
    assert np.array_equal(need_total, row_total(t["need"])) and np.array_equal(needs, row_total(t["need"]) > HOURS_EPS)
    n_hh = int(t["household"].max()) + 1
    assert np.array_equal(hh_need, np.bincount(t["household"], row_total(t["need"]), n_hh))
    assert np.array_equal(hh_unmet, np.bincount(t["household"], row_total(t["unmet"]), n_hh))
    assert np.array_equal(need_t, t["need"].T) and need_t.flags.c_contiguous
    # informal care received and care given after the informal layers
    remaining = np.ascontiguousarray(t["unmet"].T)
    formal = t["need"][:, 0] * flag(0.2) * 0.5
    used = t["rng"].random(t["n"]) * 10 * flag()
    household_hours = np.where(flag(), np.minimum(used, t["rng"].choice([8.0, 8.0 + 1e-7, 3.0], t["n"])), 0.0)
    received, care = K.care_given(need_total, remaining, formal, used, household_hours, 8.0, HOURS_EPS)
    assert np.array_equal(received, np.maximum(0.0, need_total - remaining.sum(axis=0) - formal))
    expected = used - np.where(~(household_hours - 8.0 > HOURS_EPS), household_hours, 0.0)
    expected[~(expected > HOURS_EPS)] = 0.0
    assert np.array_equal(care, expected)
    assert np.array_equal(K.transposed(remaining), remaining.T.copy()) and K.transposed(remaining).flags.c_contiguous


def test_allocation_index_kernels_equal_numpy(world):
    t, rng = world, world["rng"]
    # stage index spaces: np.unique with inverse, by a bitmap
    for size in (0, 1, 7, 300):
        ids = rng.integers(0, t["n"], size)
        uniq, _, inverse = K.stage_local_index(ids, np.array([0, size], np.int64), t["n"])
        expected_uniq, expected_inverse = np.unique(ids, return_inverse=True)
        assert np.array_equal(uniq, expected_uniq) and np.array_equal(inverse, expected_inverse)
        assert all(np.array_equal(a, b) for a, b in zip(unique_inverse(ids, t["n"]), (uniq, inverse)))
    # care over the half-edges: who gave, helpers per recipient, caring alone, ties that carried care
    k = 900
    rec, hlp, eid = rng.integers(0, t["n"], k), rng.integers(0, t["n"], k), rng.integers(0, t["m"], k)
    given = np.where(rng.random(k) < 0.5, 0.0, rng.random(k) * 3)
    given[:3] = [HOURS_EPS, HOURS_EPS * 2, 1e-9]
    gave, helpers_of, alone, helped = K.care_over_ties(rec, hlp, eid, given, t["n"], t["m"], HOURS_EPS)
    assert np.array_equal(gave, given > HOURS_EPS)
    assert np.array_equal(helpers_of, np.bincount(rec[gave], minlength=t["n"]))
    assert np.array_equal(alone, np.bincount(hlp[gave & (helpers_of[rec] == 1)], minlength=t["n"]) > 0)
    assert np.array_equal(helped, np.bincount(eid, given, t["m"]) > HOURS_EPS) and helped.any()


def test_index_passes_and_the_carers_record_equal_numpy(world):
    t, flag = world, world["flag"]
    care = np.where(flag(0.5), t["rng"].random(t["n"]) * 5, 0.0)
    care[:2] = [HOURS_EPS, 2 * HOURS_EPS]
    weeks, last, year = t["cooldown"].copy(), np.full(t["n"], -999, np.int32), flag(0.1)
    caring = care > HOURS_EPS
    expected = (np.where(caring, weeks + 1, 0).astype(np.int32), np.where(caring, 17, last), year | caring)
    K.care_record(care, weeks, last, year, 17, HOURS_EPS)
    assert all(np.array_equal(a, b) for a, b in zip((weeks, last, year), expected))


def test_burden_kernels_equal_the_numpy_version(world):
    t, rng, flag = world, world["rng"], world["flag"]
    n = t["n"]
    given = np.where(flag(0.5), rng.random(n) * 30, 0.0)
    given[:2] = [HOURS_EPS, 2 * HOURS_EPS]
    respite = np.where(flag(0.1), np.minimum(given, 4.0), 0.0)
    capacity, caring_weeks = rng.random(n) * 20, rng.integers(0, 400, n).astype(np.int32)
    alone, support = flag(), np.where(flag(0.2), 3, 0).astype(np.int32)
    burden = np.where(flag(0.5), rng.random(n) * 10, 0.0)
    burden[2:4] = [8.0, 7.999999]
    cooldown, ill, severity = t["cooldown"].copy(), t["ill"].copy(), t["severity"].copy()
    u_drop, u_ill, u_recover = rng.random((3, n)) ** 4  # small draws, so that some drop out and fall ill
    # the numpy version, as it was in sim/mechanisms/burden.py
    caring = t["alive"] & (given > HOURS_EPS)
    ratio = (given - respite) / np.maximum(capacity, 0.5)
    strain = 3.0 * np.minimum(ratio, 4.0) + 1.5 * np.minimum(caring_weeks / 156, 1.0) + 1.5 * alone
    strain = strain - 3.0 * (support > 0)
    target = np.where(caring, 10.0 * (1.0 - np.exp(-np.maximum(strain, 0.0) / 5.0)), 0.0)
    b = burden + 0.08 * (target - burden)
    b[~t["alive"]] = 0.0
    sw, cd = np.maximum(0, support - 1).astype(np.int32), np.maximum(0, cooldown - 1).astype(np.int32)
    over = caring & (b >= 8.0)
    both = np.flatnonzero(over)[:3]  # overburdened and ill already: one falls ill again, two recover
    ill[both], u_drop[both], u_ill[both], u_recover[both] = True, 1.0, [0.0, 1.0, 1.0], 0.0
    drops = over & (u_drop < 0.02)
    falls = over & ~drops & (u_ill < 0.004)
    cd[drops | falls] = 26
    ill2, sev2 = ill.copy(), severity.copy()
    ill2[falls] = True
    sev2[falls] = np.maximum(sev2[falls], 0.45)
    recovers = ill2 & ~falls & (u_recover < 2.0 / 52)
    ill2[recovers] = False
    sev2[recovers] = 0.0
    ill_working = int((t["alive"] & ill2 & (t["age"] >= 18) & (t["age"] < 67)).sum())
    # the kernels, with numpy's exp between them
    weights = np.array([3.0, 1.5, 1.5, 3.0])
    carers, strain_c = K.burden_strain(
        t["alive"], given, respite, capacity, caring_weeks, 156.0, alone, support, HOURS_EPS, weights
    )
    assert np.array_equal(carers, np.flatnonzero(caring)) and np.array_equal(strain_c, strain[caring])
    target_c = 10.0 * (1.0 - np.exp(-np.maximum(strain_c, 0.0) / 5.0))
    ill_before = ill.copy()
    got_over, sick = K.burden_update(t["alive"], burden, carers, target_c, 0.08, support, cooldown, ill, 8.0)
    assert np.array_equal(got_over, np.flatnonzero(over)) and np.array_equal(sick, np.flatnonzero(ill_before))
    assert np.intersect1d(got_over, sick).size > 0  # some overburdened carers are ill already
    got = K.burden_events(
        got_over, sick, u_drop[got_over], u_ill[got_over], u_recover[sick], t["alive"], cooldown, ill, severity,
        t["age"], 0.02, 0.004, 2.0 / 52, 26, 0.45, 67.0,
    )  # fmt: skip
    assert got == (int(drops.sum()), int(falls.sum()), ill_working) and drops.any() and falls.any()
    for a, e in ((burden, b), (support, sw), (cooldown, cd), (ill, ill2), (severity, sev2)):
        assert np.array_equal(a, e)


def test_signals_and_volunteer_turnover_equal_the_numpy_versions(world):
    t, rng, flag = world, world["rng"], world["flag"]
    n, alive = t["n"], t["alive"]
    referred, indicated, known = flag(0.1), flag(0.2), flag(0.2)
    loneliness, contact = rng.random(n) * 11, rng.random(n) * 4
    given, burden = np.where(flag(0.5), rng.random(n) * 10, 0.0), rng.random(n) * 10
    support, respite = np.where(flag(0.2), 3, 0).astype(np.int32), np.where(flag(0.1), 2, 0).astype(np.int32)
    received_formal, shops, shop_signal = np.where(flag(0.2), 1.0, 0.0), flag(0.5), rng.random(6) * 0.3
    u = rng.random((4, n)) ** 3
    # the numpy version, as it was in sim/mechanisms/signalling.py
    need_at_risk = ~indicated & ((row_total(t["unmet"]) >= 0.5 - HOURS_EPS) | ((t["severity"] > 0) & (loneliness >= 9)))
    carer_at_risk = (given > HOURS_EPS) & (burden >= 6.8) & (support == 0) & (respite == 0)
    at_risk = alive & ~referred & (need_at_risk | carer_at_risk)
    seen = indicated | (received_formal > HOURS_EPS) | known
    hits = [
        u[0] < 0.02 * (1.0 - 0.7 * loneliness / 11.0),
        u[1] < 0.03 * np.minimum(contact, 3.0),
        seen & (u[2] < 0.15),
        u[3] < shop_signal[t["wijk"]] * shops,
    ]
    noticed, first = np.zeros(n, bool), []
    for hit in hits:
        new = at_risk & hit & ~noticed
        first.append(int(new.sum()))
        noticed |= new
    got_at_risk = K.signal_risks(
        alive, referred, indicated, t["severity"], t["unmet"], loneliness, given, burden, support, respite, 0.5, 9.0,
        6.8, HOURS_EPS,
    )  # fmt: skip
    assert np.array_equal(got_at_risk, np.flatnonzero(at_risk))
    got, got_first = K.signals(
        got_at_risk, u[:, got_at_risk], indicated, known, loneliness, contact, received_formal, shop_signal,
        t["wijk"], shops, 0.02, 0.03, 0.15, HOURS_EPS,
    )  # fmt: skip
    assert np.array_equal(got, np.flatnonzero(noticed)) and list(got_first) == first and min(first) > 0
    none = np.empty(0, np.int64)
    assert [x.size for x in K.signals(none, u[:, none], indicated, known, loneliness, contact, received_formal,
                                     shop_signal, t["wijk"], shops, 0.02, 0.03, 0.15, HOURS_EPS)] == [0, 4]  # fmt: skip
    # volunteers stop and join (sim/mechanisms/volunteering.py, as it was)
    volunteer, willing = flag(0.2), flag(0.6)
    factor, recruit = rng.random(6) * 2, rng.random(6) * 0.5
    u_drop, u_join = rng.random((2, n)) ** 3
    eligible = volunteer & alive & willing & (t["age"] >= 18) & (t["age"] <= 80) & (t["severity"] <= 0)
    u_drop[np.flatnonzero(eligible)[:2]] = u_join[np.flatnonzero(eligible)[:2]] = 0.0  # stop, and join again
    stops = volunteer & ((u_drop < 0.3 * factor[t["wijk"]] / 52) | (t["severity"] > 0.3) | ~alive)
    after = volunteer & ~stops
    pool = alive & willing & (t["age"] >= 18) & (t["age"] <= 80) & (t["severity"] <= 0) & ~after
    joins = pool & (u_join < 0.01 + recruit[t["wijk"]] / 52)
    counts = K.volunteer_turnover(
        volunteer,
        alive,
        willing,
        t["age"],
        t["severity"],
        t["wijk"],
        factor,
        recruit,
        u_drop,
        u_join,
        0.3,
        52.0,
        0.01,
        80.0,
    )
    assert counts == (int((stops & alive).sum()), int(joins.sum())) and np.array_equal(volunteer, after | joins)
    assert (stops & joins).any()  # a volunteer who stops may join again the same week


def test_demand_indicators_and_age_bands_equal_numpy(world):
    t, rng, flag = world, world["rng"], world["flag"]
    n, alive, sev = t["n"], t["alive"], t["severity"]
    loneliness = rng.random(n) * 11
    need = np.full((n, 3), 7.0)
    K.care_demand(alive, sev, loneliness, need, np.array([16.0, 0.35, 1.5, 7.0, 1.0, 4.0, 2.0]))
    s = np.where(alive, sev, 0.0)
    has = s > 0
    expected = np.stack(
        [
            np.where(has, 16.0 * np.clip((s - 0.35) / (1 - 0.35 + 1e-12), 0, 1), 0.0),
            np.where(has, 1.5 + (7.0 - 1.5) * s, 0.0),
            np.where(has, 1.0 + (4.0 - 1.0) * s + 2.0 * loneliness / 11.0, 0.0),
        ],
        axis=1,
    )
    assert np.array_equal(need, expected)
    # the indicators' counts and per-wijk sums (sim/mechanisms/indicators.py, as it was)
    carer, burden, active = flag(0.2), rng.random(n) * 10, rng.integers(0, 5, n)
    volunteer, helper = flag(0.05), flag(0.05)
    edge = np.flatnonzero(alive & (t["age"] >= 18))[:4]  # at the thresholds, which count as reaching them
    carer[edge], burden[edge], loneliness[edge], active[edge] = True, [6.8, 6.8, 8.0, 8.0], [3.0, 9.0, 3.0, 9.0], 1
    informal, formal = rng.random(n) * 5 * alive, rng.random(n) * 2 * alive
    adults, carers = alive & (t["age"] >= 18.0), alive & carer
    isolated, severe = adults & (active <= 1), adults & (loneliness >= 9.0)
    fields = [
        (np.ones(n), alive), (np.ones(n), adults), (row_total(t["need"]), alive), (informal, alive),
        (formal, alive), (row_total(t["unmet"]), alive), (np.ones(n), carers), (burden, carers),
        (np.ones(n), carers & (burden >= 6.8)), (np.ones(n), isolated), (np.ones(n), severe),
    ]  # fmt: skip
    got_adults, got_carers, counts, sums = K.indicator_pass(
        alive, t["age"], carer, burden, loneliness, sev, volunteer, helper, t["need"], informal, formal, t["unmet"],
        active, t["wijk"], 6, 6.8, 8.0, 1, 3.0, 9.0,
    )  # fmt: skip
    assert np.array_equal(got_adults, adults) and np.array_equal(got_carers, carers)
    for row, (values, mask) in zip(sums, fields):
        assert np.array_equal(row, np.bincount(t["wijk"], values * mask, 6))
    expected_counts = [
        alive.sum(), adults.sum(), carers.sum(), (carers & (burden >= 6.8)).sum(), (carers & (burden >= 8.0)).sum(),
        isolated.sum(), (adults & (loneliness >= 3.0)).sum(), severe.sum(), (alive & (sev > 0)).sum(),
        (alive & volunteer).sum(), (alive & helper).sum(), active[adults].sum(),
    ]  # fmt: skip
    assert list(counts) == [int(c) for c in expected_counts]
    assert float(counts[11]) / counts[1] == float(active[adults].mean())
    # prevalence by age band
    ages = np.concatenate([rng.uniform(-5, 300, 1000), [0.0, 17.999999, 18.0, 255.0, 255.5]])
    band_of_year = age_band(np.arange(256))
    values = rng.random(int(band_of_year.max()) + 1)
    assert np.array_equal(K.by_age_band(ages, band_of_year, values), values[age_band(ages)])


def test_caseload_kernels_equal_the_numpy_version(world):
    t, flag = world, world["flag"]
    n, alive, sev = t["n"], t["alive"], t["severity"]
    indicated, referred = flag(0.3), flag(0.2)
    review_week = np.where(indicated, t["rng"].integers(0, 40, n), -999).astype(np.int32)
    given = np.where(flag(0.4), 2.0, 0.0)
    ind2, rw2 = indicated.copy(), review_week.copy()
    ended = ind2 & (sev <= 0)
    ind2[ended] = False
    rw2[ended] = -999
    due = alive & ind2 & (rw2 <= 20)
    closed, got_due = K.caseload_open(indicated, sev, review_week, alive, 20)
    assert closed == int(ended.sum()) > 0 and np.array_equal(got_due, np.flatnonzero(due)) and got_due.size
    assert np.array_equal(indicated, ind2) and np.array_equal(review_week, rw2)
    queue = alive & referred
    intake = queue & (sev > 0) & ~indicated
    carers = queue & ~intake & (given > HOURS_EPS)
    moot = queue & ~intake & ~carers
    got = K.caseload_queue(alive, referred, sev, indicated, given, HOURS_EPS)
    assert all(np.array_equal(g, np.flatnonzero(e)) and g.size for g, e in zip(got, (intake, carers, moot)))
