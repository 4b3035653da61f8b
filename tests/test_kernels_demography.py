"""The demography's compiled loops (sim/kernels_demography.py) give exactly what the numpy versions they replaced
gave: the same elements in the same order, the same floats."""

import numpy as np
import pytest

from samenkracht.sim import kernels_demography as K
from samenkracht.sim.network import Ties
from samenkracht.sim.population import BAND_OF_YEAR, age_band


@pytest.fixture(params=[0, 1, 2])
def rng(request):
    return np.random.default_rng(request.param)


def _ages(rng, n):
    """Ages with many exact repeats (newborns of one week, twins) as well as distinct ones."""
    age = rng.uniform(0, 100, n)
    repeat = rng.random(n) < 0.2
    age[repeat] = rng.choice([18.0, 42.0, 30.5, 0.0, 22.0, 22.99, 64.0, 65.0, 80.25], int(repeat.sum()))
    return age


@pytest.mark.parametrize("n", [0, 1, 3000])
def test_age_buckets_equal_a_stable_sort_by_whole_years(rng, n):
    age = _ages(rng, n)
    age[: n // 10] = rng.choice([-1.0, 17.999, 254.9, 255.0, 300.0], n // 10)  # the edges, some out of range
    alive = rng.random(n) < 0.95
    members, ptr, bucket, adults = K.age_buckets(age, alive, 18.0)
    expected_bucket = np.where(alive & (age >= 18.0), np.clip(age, 0, 255).astype(np.int64), K.N_AGE_BUCKETS)
    np.testing.assert_array_equal(bucket, expected_bucket)
    assert bucket.dtype == np.int16 and members.dtype == ptr.dtype == adults.dtype == np.int64
    order = np.argsort(expected_bucket, kind="stable")
    np.testing.assert_array_equal(members, order[: int((expected_bucket < K.N_AGE_BUCKETS).sum())])
    counts = np.bincount(expected_bucket, minlength=K.N_AGE_BUCKETS + 1)[: K.N_AGE_BUCKETS]
    np.testing.assert_array_equal(ptr, np.concatenate([[0], np.cumsum(counts)]))
    np.testing.assert_array_equal(adults, np.flatnonzero(alive & (age >= 18.0)))


@pytest.mark.parametrize("changes", [0, 1, 40])
def test_pick_by_age_equals_a_stable_sort_and_search(rng, changes):
    n = 3000
    age = _ages(rng, n)
    alive = rng.random(n) < 0.95
    members, ptr, bucket, adults = K.age_buckets(age, alive, 18.0)
    np.testing.assert_array_equal(adults, K.aged(alive, age, 18.0, np.inf, True))
    np.testing.assert_array_equal(adults, np.flatnonzero(alive & (age >= 18.0)))
    # Slots that changed since the buckets were made (newcomers: other ages; a few lives ended or began).
    changed = np.unique(rng.integers(0, n, changes))
    age[changed] = np.where(rng.random(changed.size) < 0.5, rng.uniform(0, 100, changed.size), 42.0)
    alive[changed[: changed.size // 4]] ^= True
    start, now = K.buckets_now(age, alive, 18.0, ptr, bucket, changed)
    for first, lo in ((18, 18.0), (42, 42.0)):
        pool = np.flatnonzero(alive & (age >= lo))
        pool = pool[np.argsort(age[pool], kind="stable")]
        assert start[-1] - start[first] == pool.size
        want = np.concatenate([rng.uniform(-10, 130, 400), age[pool][:50], [18.0, 42.0, 41.9999, 255.5, 300.0]])
        jitter = rng.integers(-3, 4, want.size)
        expected = pool[np.clip(np.searchsorted(age[pool], want) + jitter, 0, pool.size - 1)]
        got = K.pick_by_age(age, members, ptr, changed, start, now, first, want, jitter)
        assert np.array_equal(got, expected)


def test_ties_touching_equals_a_mask_over_all_ties(rng):
    n, m = 400, 3000
    u, v = rng.integers(0, n, m), rng.integers(0, n, m)
    ties = Ties(u, v, rng.integers(0, 7, m).astype(np.int8), rng.random(m))
    ties.alive[rng.random(ties.m) < 0.1] = False
    for extra in (0, 50, 2000):  # ties added after the index was built are found too
        a, b = rng.integers(0, n + 20, extra), rng.integers(0, n + 20, extra)
        ties.add(a, b, np.full(extra, 2), np.full(extra, 0.5))
        for k in (1, 5, 60):
            people = rng.integers(0, n + 20, k)
            mark = np.zeros(n + 20, bool)
            mark[people] = True
            lo, hi = ties.u, ties.v
            expected = np.flatnonzero(ties.alive & (mark[lo] | mark[hi]))
            assert np.array_equal(ties.touching(people), expected)


def test_adding_ties_keeps_one_tie_per_pair_in_the_order_given(rng):
    n = 300
    u, v = rng.integers(0, n, 500), rng.integers(0, n, 500)
    ties = Ties(u, v, np.zeros(500, np.int8), np.full(500, 0.5))
    seen = {(int(a), int(b)) for a, b in zip(ties.u, ties.v)}
    for _ in range(30):  # the numpy version: keep pairs not tied yet, not with oneself, the first of repeats
        k = int(rng.integers(0, 200))
        a, b = rng.integers(0, n, k), rng.integers(0, n, k)
        want = []
        for x, y in zip(np.minimum(a, b).tolist(), np.maximum(a, b).tolist()):
            if x != y and (x, y) not in seen:
                seen.add((x, y))
                want.append((x, y))
        before = ties.m
        ties.add(a, b, np.full(k, 3), np.full(k, 0.3))
        assert list(zip(ties.u[before:].tolist(), ties.v[before:].tolist())) == want


def test_a_reused_key_table_holds_exactly_the_new_keys(rng):
    """The table of before a compaction is filled again in place: what it held before must not stay in it."""
    size = 1 << 12
    table = np.empty(size, np.int64)
    old = rng.integers(0, 10**9, 1500)
    K.key_table(old, table)
    keys = np.concatenate([rng.integers(0, 10**9, 1200), old[:300], old[:50]])  # some kept, some twice
    held = K.key_table(keys, table)
    fresh = np.empty(size, np.int64)
    assert held == K.key_table(keys, fresh) == np.unique(keys).size
    assert np.array_equal(table, fresh)  # the same places: nothing of before is left
    assert set(table[table != K.EMPTY_KEY].tolist()) == set(keys.tolist())


def test_death_hazard_equals_the_numpy_version(rng):
    n = 5000
    age, alive = _ages(rng, n), rng.random(n) < 0.97
    severity = np.where(rng.random(n) < 0.2, rng.random(n), 0.0)
    gompertz = 1.7e-5 * np.exp(0.1 * age)
    home_ages = rng.uniform(80, 100, 60)
    home_band, home_hazard = age_band(home_ages), 1.7e-5 * np.exp(0.1 * home_ages)
    home_base = np.bincount(home_band, weights=home_hazard, minlength=7)
    home_raised = np.bincount(home_band, weights=home_hazard * 3.0, minlength=7)
    # numpy, as sim/mechanisms/demography.py had it
    band = age_band(age)
    factor = np.where(alive & (severity > 0), 2.0, 1.0)
    live = np.flatnonzero(alive)
    base = np.bincount(band[live], weights=gompertz[live], minlength=7) + home_base
    raised = np.bincount(band[live], weights=(gompertz * factor)[live], minlength=7) + home_raised
    mean_factor = np.where(base > 0, raised / np.where(base > 0, base, 1.0), 1.0)
    expected = -(gompertz * (factor / mean_factor[band])) / 52
    got, got_mean = K.death_hazard(gompertz, alive, severity, age, BAND_OF_YEAR, 2.0, home_base, home_raised, 52)
    assert np.array_equal(got, expected) and np.array_equal(got_mean, mean_factor)


def test_need_week_equals_the_numpy_version(rng):
    n = 5000
    age, alive = _ages(rng, n), rng.random(n) < 0.97
    severity = np.where(rng.random(n) < 0.3, rng.random(n), 0.0)
    loneliness, ill = rng.uniform(0, 11, n), rng.random(n) < 0.1
    u_onset, u_recover, u_prog = rng.random(n), rng.random(n), rng.random(n)
    prevalence = np.array([0.015, 0.022, 0.03, 0.06, 0.12, 0.28, 0.55])
    rr, lof, prog = 0.3, 0.6, 0.08
    # numpy, as sim/mechanisms/demography.py had it (the severity of those whose need starts is set afterwards)
    sev = severity.copy()
    p = prevalence[age_band(age)]
    onset_rate = rr * p / (1.0 - p)
    onset_rate *= 1.0 + lof * (loneliness / 11.0)
    starts = alive & (sev <= 0) & (u_onset < onset_rate / 52)
    ongoing = alive & (sev > 0) & ~starts
    recovers = ongoing & ~ill & (u_recover < rr / 52)
    sev[recovers] = 0.0
    grows = ongoing & ~recovers
    sev[grows] = np.minimum(1.0, sev[grows] + 2 * prog * u_prog[grows] / 52)
    # The kernel reads the draws to recover and progress of those with a need only (in slot order).
    need_at = K.in_need(alive, age, severity, -np.inf, float(np.nextafter(0.0, 1.0)))
    assert np.array_equal(need_at, np.flatnonzero(alive & (severity > 0)))
    got_sev = severity.copy()
    got = K.need_week(
        alive,
        age,
        got_sev,
        loneliness,
        ill,
        BAND_OF_YEAR,
        prevalence,
        rr,
        lof,
        2 * prog,
        u_onset,
        u_recover[need_at],
        u_prog[need_at],
        52,
    )
    assert np.array_equal(got, np.flatnonzero(starts)) and np.array_equal(got_sev, sev)
    assert starts.any() and recovers.any() and grows.any()
    with pytest.raises(ValueError):  # fewer draws than residents with a need
        K.need_week(
            alive,
            age,
            severity.copy(),
            loneliness,
            ill,
            BAND_OF_YEAR,
            prevalence,
            rr,
            lof,
            2 * prog,
            u_onset,
            u_recover[need_at[:-1]],
            u_prog[need_at[:-1]],
            52,
        )
    nobody = np.zeros(n)  # nobody with a need: no draws for them
    got = K.need_week(
        alive,
        age,
        nobody,
        loneliness,
        ill,
        BAND_OF_YEAR,
        prevalence,
        rr,
        lof,
        2 * prog,
        u_onset,
        np.empty(0),
        np.empty(0),
        52,
    )
    assert np.array_equal(got, np.flatnonzero(alive & (u_onset < onset_rate / 52)))


def test_selections_equal_their_masks(rng):
    n = 5000
    age, alive = _ages(rng, n), rng.random(n) < 0.97
    household = rng.integers(0, 2000, n)
    u = rng.random(n)
    size = np.bincount(household[alive], minlength=2000)
    adults = np.bincount(household[alive & (age >= 18)], minlength=2000)
    got_size, got_adults = K.household_counts(household, alive, age, 2000, 18.0)
    assert np.array_equal(got_size, size) and np.array_equal(got_adults, adults)
    alone = alive & (age >= 22) & (age <= 65) & (size[household] == 1) & (u < 0.3)
    # Only the draws of those aged 22–65 are read (all of them; or a superset, all slots).
    in_range = K.aged(alive, age, 22.0, 65.0, True)
    got = K.alone_and_drawn(alive, age, household, got_size, 22.0, 65.0, in_range, u[in_range], 0.3)
    assert np.array_equal(got, np.flatnonzero(alone))
    got = K.alone_and_drawn(alive, age, household, got_size, 22.0, 65.0, np.arange(n), u, 0.3)
    assert np.array_equal(got, np.flatnonzero(alone))
    none = np.empty(0, np.int64)
    assert K.alone_and_drawn(alive, age, household, got_size, 22.0, 65.0, none, np.empty(0), 0.3).size == 0
    assert np.array_equal(K.aged(alive, age, 15.0, 50.0, False), np.flatnonzero(alive & (age >= 15) & (age < 50)))
    assert np.array_equal(K.aged(alive, age, 25.0, 42.0, True), np.flatnonzero(alive & (age >= 25) & (age <= 42)))
    severity = rng.random(n)
    eligible = np.flatnonzero(alive & (age >= 65) & (severity >= 0.6))
    assert np.array_equal(K.in_need(alive, age, severity, 65.0, 0.6), eligible)
    assert alone.any() and eligible.size  # the test exercises every selection


_MOVE_RATE = np.array([0.0, 0.08, 0.045, 0.015, 0.01, 0.01, 0.015])


@pytest.mark.parametrize("n", [0, 1, 7, 5000])
def test_the_fused_weekly_passes_equal_the_numpy_version(rng, n):
    age, alive = _ages(rng, n), rng.random(n) < 0.97
    n_households = max(1, n // 2)
    household = rng.integers(0, n_households, n)
    # Ageing and counting by household (after ageing) in one pass.
    older, expected_age = age.copy(), age.copy()
    expected_age[alive] += 1.0 / 52
    leaving = np.flatnonzero(alive & (expected_age >= 23.0) & (expected_age - 1.0 / 52 < 23.0))
    size = np.bincount(household[alive], minlength=n_households + n)
    adults = np.bincount(household[alive & (expected_age >= 18)], minlength=n_households + n)
    got_leaving, got_size, got_adults = K.grow_older(older, alive, 1.0 / 52, 23.0, household, n_households + n, 18.0)
    np.testing.assert_array_equal(got_leaving, leaving)
    np.testing.assert_array_equal(older, expected_age)
    np.testing.assert_array_equal(got_size, size)
    np.testing.assert_array_equal(got_adults, adults)
    # Who leaves living alone, and who draws their household's move.
    age = older
    leave_rate = np.array([0.0, 0.06, 0.02, 0.005, 1e-6, 0.0, 0.0]) * 50
    band = age_band(age)
    may_leave = np.flatnonzero(alive & (age >= 18) & ((leave_rate / 52)[band] > 0))
    u_leave, u_move = rng.random(n), rng.random(n) / 100
    leaves = alive & (age >= 18) & (size[household] == 1) & (u_leave < (leave_rate / 52)[age_band(age)])
    rate = _MOVE_RATE[age_band(age)] / np.maximum(adults[household], 1)
    drawn = alive & (age >= 18) & (u_move < rate / 52)
    # The draws to leave are read for the adults of bands with a chance only (or for all slots: the same).
    for at in (may_leave, np.arange(n)):
        got_leaves, got_drawn = K.leaving_and_moving(
            alive,
            age,
            household,
            got_size,
            got_adults,
            BAND_OF_YEAR,
            leave_rate / 52,
            at,
            u_leave[at],
            _MOVE_RATE,
            u_move,
            52,
        )
        np.testing.assert_array_equal(got_leaves, np.flatnonzero(leaves))
        np.testing.assert_array_equal(got_drawn, np.flatnonzero(drawn))
    # The residents of some households.
    chosen = rng.random(n_households) < 0.1
    np.testing.assert_array_equal(K.living_in(household, alive, chosen), np.flatnonzero(alive & chosen[household]))
    if n == 5000:  # the test exercises every selection
        assert leaving.size and leaves.any() and drawn.any() and chosen[household].any()


def test_partner_ties_and_partners_here_equal_a_pass_over_all_ties(rng):
    from types import SimpleNamespace

    from samenkracht.sim.mechanisms.kin_elsewhere import partners_here
    from samenkracht.sim.ties import KIND_CODE, REL_CODE

    n, m = 300, 1000
    for m0 in (0, m):
        u, v = rng.integers(0, n, m0), rng.integers(0, n, m0)
        rel = rng.choice([0, REL_CODE["partner"], REL_CODE["parent"]], m0).astype(np.int8)
        ties = Ties(u, v, rng.integers(0, 2, m0).astype(np.int8), rng.random(m0), rel)
        world = SimpleNamespace(ties=ties, state=SimpleNamespace(n=n))
        for step in range(4):
            extra = (0, 3, 200, 50)[step]
            rel = rng.choice([0, REL_CODE["partner"]], extra).astype(np.int8)
            ties.add(rng.integers(0, n, extra), rng.integers(0, n, extra), np.full(extra, 0), np.full(extra, 0.9), rel)
            ties.alive[rng.random(ties.m) < 0.05] = False
            ties.kind[rng.random(ties.m) < 0.05] = KIND_CODE["family"]  # partners who leave home together
            if step == 2:
                ties.compact()
            tie, tie_u, tie_v = ties.partner_ties()
            np.testing.assert_array_equal(tie, np.flatnonzero(ties.rel == REL_CODE["partner"]))
            np.testing.assert_array_equal(tie_u, ties.u[tie])
            np.testing.assert_array_equal(tie_v, ties.v[tie])
            live = np.flatnonzero(
                ties.alive & (ties.rel == REL_CODE["partner"]) & (ties.kind == KIND_CODE["household"])
            )
            expected = np.full(n, -1, np.int64)
            expected[ties.u[live]] = ties.v[live]
            expected[ties.v[live]] = ties.u[live]
            np.testing.assert_array_equal(partners_here(world), expected)
        assert (expected >= 0).any()


@pytest.mark.parametrize("k", [0, 1, 300])
def test_first_in_wijk_equals_pick_in_wijk_without_weights(rng, k):
    from samenkracht.sim.population import pick_in_wijk

    n = 2000
    wijk = rng.integers(0, 12, n)
    people = np.flatnonzero(rng.random(n) < 0.7)
    want = rng.integers(0, 13, k)  # wijk 12 has no one: -1
    seed = int(rng.integers(1 << 30))
    for tries in (1, 32):
        expected = pick_in_wijk(np.random.default_rng(seed), people, wijk[people], None, want, tries=tries)
        cand = np.random.default_rng(seed).integers(0, people.size, (k, tries))
        np.testing.assert_array_equal(K.first_in_wijk(people, wijk, cand, want), expected)
    if k == 300:
        assert (expected == -1).any() and (expected >= 0).any()


@pytest.mark.parametrize("n", [0, 1, 3000])
def test_adults_and_changes_equal_aged_and_flatnonzero_of_the_changes(rng, n):
    old_age = np.round(rng.uniform(0, 100, n), 2)
    old_alive = rng.random(n) < 0.9
    for share in (0.0, 0.001, 0.01, 0.3, 1.0):
        age, alive = old_age.copy(), old_alive.copy()
        hit = rng.random(n) < share
        age[hit] += rng.choice([0.0, 1 / 52, -0.0], hit.sum())  # adding 0 (or -0) changes nothing
        flip = rng.random(n) < share / 2
        alive[flip] = ~alive[flip]
        if share == 0.3 and n > 3:
            age[:3] = np.nan  # NaN differs from everything, itself included
            old_age[:1] = np.nan
        expected = np.flatnonzero((age != old_age) | (alive != old_alive))
        for limit in (n, n // 64, 5, 0):
            adults, got = K.adults_and_changes(age, alive, old_age, old_alive, 18.0, limit)
            np.testing.assert_array_equal(adults, K.aged(alive, age, 18.0, np.inf, True))
            np.testing.assert_array_equal(adults, np.flatnonzero(alive & (age >= 18.0)))
            assert got.dtype == np.int64
            if expected.size <= limit:
                np.testing.assert_array_equal(got, expected)
            else:  # it stops early: more than the limit, the first of them
                assert got.size == limit + 1
                np.testing.assert_array_equal(got, expected[: limit + 1])
