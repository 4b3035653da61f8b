"""Compiled loops (numba) for the demography's weekly step and the changes it makes to who lives here.

A week has few events (a handful of deaths, moves, births and couples per
10,000 residents), but each of them used to cost passes over all residents and
all ties: masks of the ties touching a few people, stable sorts of all adults by
age. Here the ties touching a set of people are found through an index of each
resident's ties (``tie_index``, rebuilt when the ties have grown by a share
since), residents of about a wanted age through buckets of whole years
(``age_buckets``, one pass, then a sort of the few buckets asked for), and the
per-resident hazards of the week in one loop each. Every kernel gives exactly
what the numpy expression it replaces gave (same elements, same order, same
floating-point operations in the same order): tests/test_kernels_demography.py
checks each against its numpy version, tests/test_regression.py the whole.

Each kernel is compiled by sim/kernels.py's ``njit``: cached, and running without the GIL.
"""

from __future__ import annotations

import numpy as np

from samenkracht.sim.kernels import njit

#: Buckets of whole years of age (ages from 255 on share the last one, as ``population.age_band`` does).
N_AGE_BUCKETS = 256


@njit(cache=True)
def tie_index(u, v, n_nodes):  # pragma: no cover - compiled
    """Each node's ties, ascending: ``ties[ptr[p]:ptr[p + 1]]`` are the ties with an end ``p`` (a counting sort)."""
    m = u.shape[0]
    ptr = np.zeros(n_nodes + 1, np.int64)
    for i in range(m):
        ptr[u[i] + 1] += 1
        ptr[v[i] + 1] += 1
    for p in range(n_nodes):
        ptr[p + 1] += ptr[p]
    fill = ptr[:-1].copy()
    ties = np.empty(2 * m, np.int64)
    for i in range(m):
        a, b = u[i], v[i]
        ties[fill[a]] = i
        fill[a] += 1
        ties[fill[b]] = i
        fill[b] += 1
    return ptr, ties


@njit(cache=True)
def ties_listed(ptr, index, head, nxt, alive, people, m):  # pragma: no cover - compiled
    """The living ties (of ``m``) with an end among ``people``: those of the index (``tie_index``'s ``ptr``,
    ``index``) and those added since, in each node's list (``head``, ``nxt``: see :func:`append_ties`). Few are
    returned sorted, without repeats (a tie between two of the people is found twice); many as a bitmap of the
    ties (``kernels_care.set_bits`` reads it out in order), with an empty array of ties."""
    n_indexed = ptr.shape[0] - 1
    n_head = head.shape[0]
    count = 0
    for p in people:
        if p < n_indexed:
            count += ptr[p + 1] - ptr[p]
        if p < n_head:
            h = head[p]
            while h >= 0:
                count += 1
                h = nxt[h]
    few = count * 8 < (m >> 6) + 1
    out = np.empty(count if few else 0, np.int64)
    words = np.zeros(0 if few else (m >> 6) + 1, np.uint64)

    def note(t, k):  # a living tie is kept in ``out`` (few) or marked in ``words`` (many); returns the count kept
        if alive[t]:
            if few:
                out[k] = t
                return k + 1
            words[t >> 6] |= np.uint64(1) << np.uint64(t & 63)
        return k

    k = 0
    for p in people:
        if p < n_indexed:
            for j in range(ptr[p], ptr[p + 1]):
                k = note(index[j], k)
        if p < n_head:
            h = head[p]
            while h >= 0:
                k = note(h >> 1, k)
                h = nxt[h]
    if not few:
        return out, words
    found = np.sort(out[:k])
    keep = 0
    for j in range(k):
        if j == 0 or found[j] != found[j - 1]:
            found[keep] = found[j]
            keep += 1
    return found[:keep].copy(), words


@njit(cache=True)
def age_buckets(age, alive, min_age):  # pragma: no cover - compiled
    """The living residents aged ``min_age`` or over, by whole year of age: ``members[ptr[b]:ptr[b + 1]]`` are
    those of bucket ``b`` (ages ``b`` to ``b + 1``; from 255 on, all in the last), in slot order; each slot's
    bucket (``N_AGE_BUCKETS``: not one of them); and all of them, ascending (what :func:`aged` gives for
    ``min_age`` to ``inf``)."""
    n = age.shape[0]
    top = N_AGE_BUCKETS - 1
    bucket = np.empty(n, np.int16)
    for i in range(n):  # no store depends on an earlier step: this loop is vectorised
        a = age[i]
        b = 0 if a < 0.0 else (top if a >= top else int(a))  # whole years, as age_band takes them
        bucket[i] = b if (alive[i] & (a >= min_age)) else N_AGE_BUCKETS
    ptr = np.zeros(N_AGE_BUCKETS + 2, np.int64)  # one more bucket at the end: the others, left out
    for i in range(n):  # counted apart (in the same loop, the counts made the bucket loop five times slower)
        ptr[bucket[i] + 1] += 1
    for b in range(N_AGE_BUCKETS + 1):
        ptr[b + 1] += ptr[b]
    fill = ptr[:-1].copy()
    members = np.empty(n, np.int64)
    adults = np.empty(ptr[N_AGE_BUCKETS], np.int64)
    k = 0
    for i in range(n):
        b = bucket[i]
        members[fill[b]] = i
        fill[b] += 1
        if b < N_AGE_BUCKETS:
            adults[k] = i
            k += 1
    return members[: ptr[N_AGE_BUCKETS]], ptr[: N_AGE_BUCKETS + 1], bucket, adults


@njit(cache=True)
def adults_and_changes(age, alive, old_age, old_alive, min_age, limit):  # pragma: no cover - compiled
    """In one pass: the living residents aged ``min_age`` or over, ascending (what :func:`aged` gives for
    ``min_age`` to ``inf``), and the slots whose age or life differs from ``old_age``, ``old_alive``
    (``flatnonzero((age != old_age) | (alive != old_alive))``), of which only the first ``limit + 1`` are kept
    (the caller only needs to know there are more than ``limit``)."""
    n = age.shape[0]
    adults = np.empty(n, np.int64)
    changed = np.empty(min(n, limit + 1), np.int64)
    k = 0
    c = 0
    for i in range(n):
        a = age[i]
        live = alive[i]
        adults[k] = i  # branch-free: overwritten unless the test holds
        k += live & (a >= min_age)
        if c <= limit and (a != old_age[i] or live != old_alive[i]):
            changed[c] = i
            c += 1
    return adults[:k], changed[:c].copy()


@njit(cache=True)
def buckets_now(age, alive, min_age, ptr, bucket, changed):  # pragma: no cover - compiled
    """The bucket starts of :func:`age_buckets` as they are now that the slots ``changed`` (since it was built)
    have other ages or lives, and the bucket each of those is in now."""
    top = N_AGE_BUCKETS - 1
    count = np.zeros(N_AGE_BUCKETS + 1, np.int64)
    for b in range(N_AGE_BUCKETS):
        count[b] = ptr[b + 1] - ptr[b]
    now = np.empty(changed.shape[0], np.int64)
    for j in range(changed.shape[0]):
        i = changed[j]
        count[bucket[i]] -= 1
        a = age[i]
        b = 0 if a < 0.0 else (top if a >= top else int(a))
        b = b if (alive[i] & (a >= min_age)) else N_AGE_BUCKETS
        now[j] = b
        count[b] += 1
    start = np.zeros(N_AGE_BUCKETS + 1, np.int64)
    for b in range(N_AGE_BUCKETS):
        start[b + 1] = start[b] + count[b]
    return start, now


@njit(cache=True)
def pick_by_age(
    age, members, ptr, changed, start, changed_bucket, first_bucket, want, jitter
):  # pragma: no cover - compiled
    """For each wanted age, the resident ``jitter`` places from it in the pool sorted by age (stably, by slot):

        pool = the residents of buckets from ``first_bucket`` on, sorted by (age, slot)
        pool[clip(searchsorted(age[pool], want) + jitter, 0, pool.size - 1)]

    The buckets are those of :func:`age_buckets` (``members``, ``ptr``) but for the slots ``changed`` since,
    which are in the buckets ``changed_bucket`` now (``start``: the buckets' starts now, :func:`buckets_now`).
    Nothing is sorted: the place of the wanted age is the residents of the buckets below plus those of its own
    bucket who are younger (a count), and the one picked, a few places from it, is found by keeping the few
    nearest residents on the wanted side, in the order (age, slot).
    """
    top = N_AGE_BUCKETS - 1
    stale = np.zeros(age.shape[0], np.bool_)
    for i in changed:
        stale[i] = True
    base = start[first_bucket]
    size = start[N_AGE_BUCKETS] - base
    out = np.empty(want.shape[0], np.int64)
    for q in range(want.shape[0]):
        w = want[q]
        b = 0 if w < 0.0 else (top if w >= top else int(w))  # the bucket of the wanted age
        if b < first_bucket:
            b = first_bucket
        below = 0
        for j in range(ptr[b], ptr[b + 1]):
            i = members[j]
            below += (age[i] < w) & (not stale[i])
        for j in range(changed.shape[0]):
            below += (changed_bucket[j] == b) & (age[changed[j]] < w)
        pos = start[b] - base + below + jitter[q]
        if pos < 0:
            pos = 0
        if pos > size - 1:
            pos = size - 1
        at = base + pos
        lo_b, hi_b = first_bucket, top
        while lo_b < hi_b:  # the last bucket that starts at or before ``at``: the one that holds it
            mid = (lo_b + hi_b + 1) // 2
            if start[mid] <= at:
                lo_b = mid
            else:
                hi_b = mid - 1
        c = lo_b
        # ``at`` is ``offset`` places above the first resident of bucket c aged ``pivot`` or more (below: negative).
        if c == b:
            pivot, offset = w, at - (start[b] + below)
        elif c > b:
            pivot, offset = -np.inf, at - start[c]
        else:
            pivot, offset = np.inf, at - start[c + 1]
        up = offset >= 0
        k = offset + 1 if up else -offset  # keep the k nearest on that side of the pivot, by (age, slot)
        keep_age = np.empty(k)
        keep_id = np.empty(k, np.int64)
        held = 0
        n_index = ptr[c + 1] - ptr[c]
        for j in range(n_index + changed.shape[0]):
            if j < n_index:
                i = members[ptr[c] + j]
                if stale[i]:
                    continue
            else:
                if changed_bucket[j - n_index] != c:
                    continue
                i = changed[j - n_index]
            a = age[i]
            if (a >= pivot) != up:
                continue
            # Insert (a, i) where it belongs: smallest first when going up, largest first when going down.
            h = held
            while h > 0:
                ha, hi_ = keep_age[h - 1], keep_id[h - 1]
                before = (a < ha or (a == ha and i < hi_)) if up else (a > ha or (a == ha and i > hi_))
                if not before:
                    break
                h -= 1
            if h < k:
                last = held if held < k else k - 1
                for g in range(last, h, -1):
                    keep_age[g], keep_id[g] = keep_age[g - 1], keep_id[g - 1]
                keep_age[h], keep_id[h] = a, i
                if held < k:
                    held += 1
        out[q] = keep_id[k - 1]
    return out


#: Empty place of a key table (keys of tied pairs, ``lo · 2³² + hi``, are never negative).
EMPTY_KEY = -1


@njit(cache=True)
def key_table(keys, table):  # pragma: no cover - compiled
    """Makes ``table`` (its size a power of two; any contents, overwritten) an open-addressing hash set holding
    ``keys``; returns how many distinct keys it holds. The caller passes last year's table again when its size
    still fits: filling memory already in use costs a sixth to a third of the time of a new table's first touch."""
    size = table.shape[0]
    table[:] = EMPTY_KEY
    mask = np.uint64(size - 1)
    held = 0
    for key in keys:
        h = np.int64((np.uint64(key) * np.uint64(11400714819323198485)) >> np.uint64(29) & mask)
        while table[h] != EMPTY_KEY and table[h] != key:
            h = (h + 1) & (size - 1)
        if table[h] == EMPTY_KEY:
            table[h] = key
            held += 1
    return held


@njit(cache=True)
def new_pairs(u, v, table):  # pragma: no cover - compiled
    """Of the pairs (u, v), in order, those to tie: not a node with itself, not tied before (in ``table``), not
    an earlier pair of this call; their keys go into ``table`` (with room for all of them). Returns the pairs'
    lower and higher ends and the positions of those to tie."""
    k = u.shape[0]
    size = table.shape[0]
    mask = np.uint64(size - 1)
    lo = np.empty(k, np.int64)
    hi = np.empty(k, np.int64)
    keep = np.empty(k, np.int64)
    kept = 0
    for i in range(k):
        a, b = u[i], v[i]
        if a > b:
            a, b = b, a
        lo[i], hi[i] = a, b
        if a == b:
            continue
        key = a * (1 << 32) + b
        h = np.int64((np.uint64(key) * np.uint64(11400714819323198485)) >> np.uint64(29) & mask)
        while table[h] != EMPTY_KEY and table[h] != key:
            h = (h + 1) & (size - 1)
        if table[h] == EMPTY_KEY:
            table[h] = key
            keep[kept] = i
            kept += 1
    return lo, hi, keep[:kept].copy()


@njit(cache=True)
def append_ties(
    u,
    v,
    lo,
    hi,
    keep,
    kind,
    strength,
    rel,
    has_rel,
    unknown_rel,
    flip,
    bu,
    bv,
    bkind,
    bstrength,
    balive,
    brel,
    m,
    rec,
    hlp,
    eid,
    h,
    partner_code,
    partners,
    p,
    head,
    nxt,
):  # pragma: no cover - compiled
    """Write the pairs kept by :func:`new_pairs` (``keep``) as ties at slots ``m`` on of the tie buffers (``bu``,
    ``bv``, ``bkind``, ``bstrength``, ``balive``, ``brel``): ends ``lo``, ``hi``, kind and strength, alive, and the
    relation read from the lower end (``rel`` given from ``u`` to ``v`` when ``has_rel``, flipped where ``u > v``;
    else ``unknown_rel[kind]``); their half-edges at ``h`` on of ``rec``, ``hlp``, ``eid`` (the lower ends as
    recipients, then the higher ones), unless those are empty; and the slots recording ``partner_code`` and their
    ends as columns ``p`` on of ``partners``. Each new tie ``t`` is put at the head of the lists of the ties added
    since the index of ties was built of its two ends (``head``: each node's first entry; entry ``2t`` for the
    lower end, ``2t + 1`` for the higher, ``nxt``: the next entry, -1 ends a list). Returns one above the highest
    end and the number of partner columns then."""
    k = keep.shape[0]
    top = 0
    for j in range(k):
        i = keep[j]
        t = m + j
        a, b = lo[i], hi[i]
        bu[t] = a
        bv[t] = b
        bkind[t] = kind[i]
        bstrength[t] = strength[i]
        balive[t] = True
        if has_rel:
            r = rel[i] if u[i] <= v[i] else flip[rel[i]]
        else:
            r = unknown_rel[kind[i]]
        brel[t] = r
        if b + 1 > top:
            top = b + 1
        nxt[2 * t] = head[a]
        head[a] = 2 * t
        nxt[2 * t + 1] = head[b]
        head[b] = 2 * t + 1
        if r == partner_code:
            partners[0, p] = t
            partners[1, p] = a
            partners[2, p] = b
            p += 1
    if rec.shape[0] > 0:
        for j in range(k):
            i = keep[j]
            rec[h + j] = lo[i]
            rec[h + k + j] = hi[i]
            hlp[h + j] = hi[i]
            hlp[h + k + j] = lo[i]
            eid[h + j] = m + j
            eid[h + k + j] = m + j
    return top, p


@njit(cache=True)
def grow_older(age, alive, dt, leave_home_age, household, n_households, adult_age):  # pragma: no cover - compiled
    """Age the living residents by ``dt`` years, in place, and count them by household index below
    ``n_households`` after ageing (as :func:`household_counts`), in one pass; return those who reached
    ``leave_home_age`` this week (``age >= leave_home_age > age - dt`` after ageing), and the residents and
    the adults (``adult_age`` or over) of each household."""
    n = age.shape[0]
    out = np.empty(n, np.int64)
    size = np.zeros(n_households, np.int32)
    adults = np.zeros(n_households, np.int32)
    k = 0
    for i in range(n):  # branch-free: out[k] is overwritten unless the test holds
        live = alive[i]
        a = age[i] + dt if live else age[i]
        age[i] = a
        out[k] = i
        k += live & (a >= leave_home_age) & (a - dt < leave_home_age)
        h = household[i]
        size[h] += live
        adults[h] += live & (a >= adult_age)
    return out[:k], size, adults


@njit(cache=True)
def household_counts(household, alive, age, n_households, adult_age):  # pragma: no cover - compiled
    """Per household index below ``n_households``: its living residents, and how many of them are adults."""
    n = household.shape[0]
    size = np.zeros(n_households, np.int32)
    adults = np.zeros(n_households, np.int32)
    for i in range(n):
        live = alive[i]
        size[household[i]] += live
        adults[household[i]] += live & (age[i] >= adult_age)
    return size, adults


@njit(cache=True)
def alone_and_drawn(alive, age, household, size, lo_age, hi_age, at, u, chance):  # pragma: no cover - compiled
    """Of the residents ``at`` (ascending; ``u``: a draw for each), the living ones aged ``lo_age``–``hi_age``
    living alone (``size``, by household, 1) whose draw falls below ``chance``: with ``u_all[at] = u``,
    ``flatnonzero(alive & (age >= lo_age) & (age <= hi_age) & (size[household] == 1) & (u_all < chance))``
    when ``at`` holds all those aged ``lo_age``–``hi_age`` (and any others)."""
    out = np.empty(at.shape[0], np.int64)
    k = 0
    for j in range(at.shape[0]):
        i = at[j]
        a = age[i]
        if alive[i] & (a >= lo_age) & (a <= hi_age) & (u[j] < chance):  # rare: then look up the household
            out[k] = i
            k += size[household[i]] == 1
    return out[:k]


@njit(cache=True)
def leaving_and_moving(
    alive, age, household, size, n_adults, band_of_year, leave_chance, leave_at, u_leave, move_rate, u_move, weeks
):  # pragma: no cover - compiled
    """The living adults living alone (``size``, by household, 1) whose draw to leave falls below their age
    band's ``leave_chance``; and the adults whose draw ``u_move`` falls below their household's yearly move rate
    (by their age band) divided by the adults in it (``n_adults``, by household), over ``weeks``: ``adult &
    (u_move < move_rate[band] / max(n_adults[household], 1) / weeks)``. The draws to leave are those of the
    residents ``leave_at`` (ascending, ``u_leave``: one each); with ``u_all[leave_at] = u_leave`` the leavers are
    ``flatnonzero(alive & (size[household] == 1) & (age >= 18) & (u_all < leave_chance[band]))`` when
    ``leave_at`` holds every living adult of a band with a chance above 0 (and any others)."""
    n = age.shape[0]
    leave = np.empty(leave_at.shape[0], np.int64)
    move = np.empty(n, np.int64)
    n_leave = 0
    n_move = 0
    for j in range(leave_at.shape[0]):
        i = leave_at[j]
        a = age[i]
        if not (alive[i] & (a >= 18.0)):
            continue
        band = band_of_year[int(0.0 if a < 0.0 else (255.0 if a > 255.0 else a))]  # age_band
        if u_leave[j] < leave_chance[band]:  # rare: then look up the household
            leave[n_leave] = i
            n_leave += size[household[i]] == 1
    for i in range(n):
        a = age[i]
        if not (alive[i] & (a >= 18.0)):
            continue
        band = band_of_year[int(0.0 if a < 0.0 else (255.0 if a > 255.0 else a))]  # age_band
        # A household's rate is at most its band's (one adult), and rounding keeps that order: only those
        # below the band's chance can be below their own, so only they look up their household (rare).
        if u_move[i] < move_rate[band] / weeks:
            rate = move_rate[band] / max(n_adults[household[i]], 1)
            move[n_move] = i
            n_move += u_move[i] < rate / weeks
    return leave[:n_leave], move[:n_move]


@njit(cache=True)
def first_in_wijk(people, wijk, cand, want):  # pragma: no cover - compiled
    """``population.pick_in_wijk`` without weights, from its draws ``cand`` (indices into ``people``, a row for
    each wanted wijk ``want[row]``): the first candidate of each row who lives in the wanted wijk (``wijk`` is by
    slot), -1 if none; only the candidates' wijken are read."""
    rows, tries = cand.shape
    out = np.full(rows, -1, np.int64)
    for r in range(rows):
        for c in range(tries):
            p = people[cand[r, c]]
            if wijk[p] == want[r]:
                out[r] = p
                break
    return out


@njit(cache=True)
def living_in(household, alive, chosen):  # pragma: no cover - compiled
    """The living residents of the households marked in ``chosen`` (by household index), ascending:
    ``flatnonzero(alive & chosen[household])``."""
    n = household.shape[0]
    out = np.empty(n, np.int64)
    k = 0
    for i in range(n):
        if alive[i] and chosen[household[i]]:
            out[k] = i
            k += 1
    return out[:k].copy()


@njit(cache=True)
def death_hazard(
    gompertz, alive, severity, age, band_of_year, need_factor, home_base, home_raised, weeks
):  # pragma: no cover - compiled
    """This week's ``-hazard / weeks`` of each slot (``1 - exp`` of it is the chance of death), and each
    age band's mean multiplier (the care homes' part of its sums given: ``home_base``, ``home_raised``).

    ``gompertz`` is each slot's life-table hazard; a resident with a need has ``need_factor`` times it, scaled
    by the band's mean multiplier. The band sums run in slot order, as ``np.bincount`` over the living does, and
    the care homes' sums are added to them afterwards, as the numpy version did.
    """
    n = age.shape[0]
    n_bands = home_base.shape[0]
    base = np.zeros(n_bands)
    raised = np.zeros(n_bands)
    band = np.empty(n, np.int64)
    factor = np.empty(n)
    for i in range(n):
        a = age[i]
        b = band_of_year[int(0.0 if a < 0.0 else (255.0 if a > 255.0 else a))]
        band[i] = b
        live = alive[i]
        f = need_factor if (live & (severity[i] > 0)) else 1.0
        factor[i] = f
        if live:
            base[b] += gompertz[i]
            raised[b] += gompertz[i] * f
    mean_factor = np.empty(n_bands)
    for b in range(n_bands):
        total = base[b] + home_base[b]
        mean_factor[b] = (raised[b] + home_raised[b]) / total if total > 0 else 1.0
    out = np.empty(n)
    for i in range(n):
        out[i] = -(gompertz[i] * (factor[i] / mean_factor[band[i]])) / weeks
    return out, mean_factor


@njit(cache=True)
def aged(alive, age, lo, hi, hi_included):  # pragma: no cover - compiled
    """The living residents aged ``lo`` to ``hi`` (``hi`` itself included or not), ascending."""
    n = age.shape[0]
    out = np.empty(n, np.int64)
    k = 0
    for i in range(n):  # branch-free: out[k] is overwritten unless the test holds
        a = age[i]
        out[k] = i
        k += alive[i] & (a >= lo) & ((a <= hi) if hi_included else (a < hi))
    return out[:k]


@njit(cache=True)
def in_need(alive, age, severity, min_age, threshold):  # pragma: no cover - compiled
    """The living residents aged ``min_age`` or over whose need is at least ``threshold``, ascending."""
    n = age.shape[0]
    out = np.empty(n, np.int64)
    k = 0
    for i in range(n):  # branch-free: out[k] is overwritten unless the test holds
        out[k] = i
        k += alive[i] & (age[i] >= min_age) & (severity[i] >= threshold)
    return out[:k]


@njit(cache=True)
def need_week(
    alive,
    age,
    severity,
    loneliness,
    ill,
    band_of_year,
    prevalence,
    recovery,
    onset_lonely,
    two_progression,
    u_onset,
    u_recover,
    u_prog,
    weeks,
):  # pragma: no cover - compiled
    """Onset, recovery and progression of care needs for a week, in place; returns the residents whose need
    starts (their severity is drawn by the caller).

    Onset at ``recovery · p / (1 − p)`` a year for the age band's prevalence ``p``, times ``1 + onset_lonely ·
    loneliness / 11``; an ongoing need (of one not ill) ends at ``recovery`` a year, or grows by
    ``two_progression · u / weeks``, to at most 1 — the numpy version's operations, in its order. ``u_onset``
    has a draw for each slot; ``u_recover`` and ``u_prog`` one for each resident with a need (living, severity
    above 0: ``in_need(alive, age, severity, -inf, 5e-324)``), in slot order.
    """
    n = age.shape[0]
    starts = np.empty(n, np.int64)
    k = 0
    j = 0  # the residents with a need so far: the index into u_recover and u_prog
    recover_chance = recovery / weeks
    for i in range(n):
        if not alive[i]:
            continue
        sev = severity[i]
        if sev <= 0:
            a = age[i]
            prev = prevalence[band_of_year[int(0.0 if a < 0.0 else (255.0 if a > 255.0 else a))]]
            rate = recovery * prev / (1.0 - prev)
            rate *= 1.0 + onset_lonely * (loneliness[i] / 11.0)
            if u_onset[i] < rate / weeks:
                starts[k] = i
                k += 1
        else:
            if j >= u_recover.shape[0]:
                raise ValueError("need_week: more residents with a need than draws for them")
            if not ill[i] and u_recover[j] < recover_chance:
                severity[i] = 0.0
            else:
                severity[i] = min(1.0, sev + two_progression * u_prog[j] / weeks)
            j += 1
    return starts[:k]
