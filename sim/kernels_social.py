"""Compiled loops (numba) for the social side of the week: contact over ties, relatives elsewhere, the Wlz route.

As in sim/kernels_care.py, every kernel gives exactly what the numpy
expression (or the earlier kernel) it replaces gave: the same elements in the
same order, the same floating-point operations in the same order, and no
transcendental arithmetic (``exp``, ``log``, ``power`` stay in numpy, whose
results depend on the CPU's SIMD kernels). tests/test_kernels_social.py checks
each against its numpy version, tests/test_regression.py the whole.

Each kernel is compiled by sim/kernels.py's ``njit``: cached, and running without the GIL.
"""

from __future__ import annotations

import numpy as np

from samenkracht.sim.kernels import njit


@njit(cache=True)
def household_partners(tie, tie_u, tie_v, alive, kind, household_code, n):  # pragma: no cover - compiled
    """Each slot's partner in their household (-1: none): ``partner[u[live]] = v[live]; partner[v[live]] =
    u[live]`` for the living partner ties of the household kind (the last write wins), from the tie slots
    ``tie`` that record partners (ascending: every one of them; ``Ties.partner_ties``) and their ends."""
    out = np.full(n, -1, np.int64)
    k = tie.shape[0]
    live = np.empty(k, np.bool_)
    for j in range(k):
        i = tie[j]
        live[j] = (kind[i] == household_code) & alive[i]
        if live[j]:
            out[tie_u[j]] = tie_v[j]
    for j in range(k):  # a write from the v side comes after every write from the u side
        if live[j]:
            out[tie_v[j]] = tie_u[j]
    return out


@njit(cache=True)
def contact_week(
    u,
    v,
    kind,
    strength,
    alive,
    resident_alive,
    u_contact,
    base_prob,
    factor,
    helped,
    grow,
    decay,
    floor,
    remove_below,
    weak,
    friend_strength,
    friend_code,
    weekly_u,
    weekly_v,
):  # pragma: no cover - compiled
    """One week of contact over every tie, in place; returns (ties lost, friendships formed).

    For each tie: contact with chance clip(base·(0.3 + 0.7·strength)·factor, 0, 1) (or always when care flowed
    over it: ``helped``, empty if none); the strength of the ties met is added to their ends' weekly contact
    (``weekly_u``, ``weekly_v``: zeros on entry); strength grows with contact and decays without, never below the
    kind's floor; ties below ``remove_below`` without a floor are lost; weak ties that grew to ``friend_strength``
    become friendships. The outcome of each tie's draw is chosen by selects instead of branches (the draws fall
    either way, so a branch on them is mispredicted half the time)."""
    lost = 0
    befriended = 0
    has_helped = helped.shape[0] > 0
    minus_decay = -decay
    for i in range(u.shape[0]):
        a, b, k = u[i], v[i], kind[i]
        s = strength[i]
        live = alive[i]
        p = base_prob[k] * (0.3 + 0.7 * s) * factor
        p = 0.0 if p < 0.0 else (1.0 if p > 1.0 else p)
        p = p if live else 0.0
        by_care = helped[i] if has_helped else False  # the same branch every tie
        met = live & ((u_contact[i] < p) | by_care) & resident_alive[a] & resident_alive[b]
        # Both outcomes first, then a select: a branch on ``met`` would be mispredicted half the time. A tie not
        # met adds +0.0, which leaves every sum as it was (they start at +0.0, so none is ever -0.0).
        add = s if met else 0.0
        weekly_u[a] += add
        weekly_v[b] += add
        s_met = s + grow * (1.0 - s)
        s_not = s + minus_decay * s
        s = s_met if met else s_not
        f = floor[k]
        lo = f if live else 0.0
        s = lo if lo > s else s
        gone = live & (s < remove_below) & (f == 0.0)
        s = 0.0 if gone else s
        live = live & (not gone)
        lost += gone
        strength[i] = s
        alive[i] = live
        turn = live & weak[k] & (s >= friend_strength)
        kind[i] = friend_code if turn else k
        befriended += turn
    return lost, befriended


@njit(cache=True)
def carers_of(people, touch, u, v, kind, given, burden, cooldown, eps, household_code, family_code):
    # pragma: no cover - compiled
    """For each of ``people`` (distinct slots; ``touch``: the living ties with an end among them, ascending):
    the highest burden among the other ends of their ties who gave more than ``eps`` hours last week (0 if none),
    and whether the other end of a household or family tie of theirs is cooling down (``cooldown > 0``).

    As the numpy version: a tie's person is its ``u`` end if that is one of ``people``, else its ``v`` end (a tie
    between two of them counts for ``u`` only); the highest burden as ``np.maximum.at`` takes it from 0."""
    k = people.shape[0]
    top = np.zeros(k)
    collapsed = np.zeros(k, np.bool_)
    n = given.shape[0]
    pos = np.full(n, -1, np.int64)  # each slot's place among ``people`` (-1: not one of them)
    for j in range(k):
        pos[people[j]] = j
    for t in touch:
        a, b = u[t], v[t]
        j = pos[a]
        if j >= 0:
            other = b
        else:
            other = a
            j = pos[b]
        if given[other] > eps:
            x = burden[other]
            c = top[j]
            top[j] = c if (c >= x or c != c) else x  # np.maximum: the first unless the second is larger or NaN
        if (kind[t] == household_code or kind[t] == family_code) and cooldown[other] > 0:
            collapsed[j] = True
    return top, collapsed


@njit(cache=True)
def adults_by_wijk(alive, age, wijk, n_wijken, outreach, loneliness):  # pragma: no cover - compiled
    """In one pass: the living residents aged 18 or over (ascending), their wijken, their number in each wijk
    (``np.bincount``), and the largest attendance weight among them, ``max(1 + outreach[wijk] · (loneliness ÷
    11))`` (NaN if any is NaN, as ``np.max``; 1.0 if there are none)."""
    n = alive.shape[0]
    adults = np.empty(n, np.int64)
    k = 0
    for i in range(n):  # branch-free: adults[k] is overwritten unless the test holds
        adults[k] = i
        k += alive[i] & (age[i] >= 18.0)
    adults = adults[:k].copy()
    wijk_adults = np.empty(k, wijk.dtype)
    pop = np.zeros(n_wijken, np.int64)
    top = 1.0
    for j in range(k):
        i = adults[j]
        w = wijk[i]
        wijk_adults[j] = w
        pop[w] += 1
        x = 1.0 + outreach[w] * (loneliness[i] / 11.0)
        if j == 0:
            top = x
        elif x > top or x != x:  # a NaN stays: nothing is larger than it, and it is not equal to itself
            top = x
    return adults, wijk_adults, pop, top


@njit(cache=True)
def first_accepted(people, wijk_people, cand, want, u_accept, top, outreach, loneliness):  # pragma: no cover
    """``population.pick_in_wijk``'s choice from its draws: for each row, the first candidate ``cand[row, c]``
    (an index into ``people``) in the wanted wijk ``want[row]`` with ``u_accept[row, c] · top < weight``, its
    weight ``1 + outreach[wijk] · (loneliness ÷ 11)`` computed for that candidate only (or 1 for all when
    ``outreach`` is empty); -1 if none."""
    rows, tries = cand.shape
    out = np.full(rows, -1, np.int64)
    flat = outreach.shape[0] == 0
    for r in range(rows):
        for c in range(tries):
            j = cand[r, c]
            w = wijk_people[j]
            if w != want[r]:
                continue
            weight = 1.0 if flat else 1.0 + outreach[w] * (loneliness[people[j]] / 11.0)
            if u_accept[r, c] * top < weight:
                out[r] = people[j]
                break
    return out


@njit(cache=True)
def need_turns(stay_well, needs, count, u_onset, u_end, dies, recovery, weeks):  # pragma: no cover - compiled
    """Where a group of relatives elsewhere starts to need care and where that need ends, from the chance that
    none of them needs it (``stay_well``: (1 − prevalence) ** count, numpy's power, computed before):

    p_any = 1 − stay_well; onset = recovery · p_any ÷ max(1 − p_any, 1e-9); it starts where there was no need,
    there are relatives and ``u_onset < onset ÷ weeks``; it ends where there was a need and no relative is
    left, ``u_end < recovery ÷ weeks`` or one died — the numpy version's operations, in its order."""
    n = stay_well.shape[0]
    starts = np.empty(n, np.bool_)
    ends = np.empty(n, np.bool_)
    end_chance = recovery / weeks
    for i in range(n):
        p_any = 1.0 - stay_well[i]
        rest = 1.0 - p_any
        den = rest if (rest >= 1e-9 or rest != rest) else 1e-9  # np.maximum(rest, 1e-9), NaN kept
        onset = recovery * p_any / den
        c = count[i]
        starts[i] = (not needs[i]) & (c > 0) & (u_onset[i] < onset / weeks)
        ends[i] = needs[i] & ((c == 0) | (u_end[i] < end_chance) | dies[i])
    return starts, ends


@njit(cache=True)
def with_relatives(alive, near, far, two, age, gap, generations):  # pragma: no cover - compiled
    """The living residents with relatives elsewhere of a generation (``near + far`` of them if ``two``, else
    ``near``), ascending; those relatives' age (``age + generations · gap``) and their number (int64)."""
    n = alive.shape[0]
    have = np.empty(n, np.int64)
    k = 0
    for i in range(n):  # branch-free: have[k] is overwritten unless the test holds
        c = (near[i] + far[i]) if two else near[i]
        have[k] = i
        k += alive[i] & (c > 0)
    have = have[:k].copy()
    rel_age = np.empty(k)
    count = np.empty(k, np.int64)
    for j in range(k):
        i = have[j]
        rel_age[j] = age[i] + generations * gap[i]
        count[j] = (near[i] + far[i]) if two else near[i]
    return have, rel_age, count


@njit(cache=True)
def death_exponent(hazard, raised, have, factor, count, weeks):  # pragma: no cover - compiled
    """``-h · count ÷ weeks`` with ``h = hazard · factor`` where ``raised[have]`` (``raised`` empty: none is),
    the exponent of the chance that none of ``count`` relatives dies this week (``np.exp`` is numpy's)."""
    k = have.shape[0]
    out = np.empty(k)
    some = raised.shape[0] > 0
    for j in range(k):
        h = hazard[j]
        if some and raised[have[j]]:
            h = h * factor
        out[j] = -h * count[j] / weeks
    return out


@njit(cache=True)
def relatives_die(u_die, survive, have, near, far, two, need):  # pragma: no cover - compiled
    """In place: where ``u_die < 1 − survive`` one relative dies (the near one first if ``two``); returns where
    one died, how many are left (int64) and whether they needed care (``need[have]``, before this week)."""
    k = have.shape[0]
    dies = np.empty(k, np.bool_)
    count = np.empty(k, np.int64)
    needs = np.empty(k, np.bool_)
    for j in range(k):
        i = have[j]
        d = u_die[j] < 1.0 - survive[j]
        dies[j] = d
        if d:
            if two and not (near[i] > 0):
                far[i] -= 1
            else:
                near[i] -= 1
        count[j] = (near[i] + far[i]) if two else near[i]
        needs[j] = need[i]
    return dies, count, needs


@njit(cache=True)
def apply_need_turns(have, starts, ends, u_take, uptake, need, cares):  # pragma: no cover - compiled
    """In place: a need that starts is marked and a resident takes part in the care where ``u_take < uptake``;
    a need that ends clears both (``starts`` and ``ends`` are disjoint: one needs a need, the other none)."""
    for j in range(have.shape[0]):
        i = have[j]
        if starts[j]:
            need[i] = True
            cares[i] = u_take[j] < uptake
        elif ends[j]:
            need[i] = False
            cares[i] = False


@njit(cache=True)
def carers_become_known(helped, u, v, seen, given, known, eps):  # pragma: no cover - compiled
    """In place: the other ends of the ties that carried care (``helped``: their slots, ascending; ties formed
    since carried none) with an end among the assessed ``seen`` who gave more than ``eps`` hours become known, then
    the assessed too; returns how many became known as carers (distinct slots, not known before).

    As the numpy version: ``other = concat(v[assessed[u]], u[assessed[v]])`` over the helped ties, kept where
    ``given > eps`` and not ``known`` (before this call); ``known[other] = True``; ``known |= assessed``; the
    count ``unique(other).size``. A slot counts once: once it is marked known, later ties to it find it known."""
    n = known.shape[0]
    assessed = np.zeros(n, np.bool_)
    for j in range(seen.shape[0]):
        assessed[seen[j]] = True
    count = 0
    for i in helped:
        if i >= u.shape[0]:
            break
        a, b = u[i], v[i]
        if assessed[a] and given[b] > eps and not known[b]:
            known[b] = True
            count += 1
        if assessed[b] and given[a] > eps and not known[a]:
            known[a] = True
            count += 1
    for j in range(seen.shape[0]):
        known[seen[j]] = True
    return count


@njit(cache=True)
def caseload_close(referred, alive, referred_week, severity, indicated, week):  # pragma: no cover - compiled
    """In place, after the week's intake: ``referred &= alive``; ``referred_week[~referred] = -999``; returns the
    sum and the number of the weeks waited (``week + 1 − referred_week``) of those still waiting with a need and
    no indication (whole numbers: their sum is exact, so sum ÷ number is what ``np.mean`` gives)."""
    total = 0
    count = 0
    for i in range(referred.shape[0]):
        r = referred[i] and alive[i]
        referred[i] = r
        if not r:
            referred_week[i] = -999
        elif severity[i] > 0 and not indicated[i]:
            total += week + 1 - referred_week[i]
            count += 1
    return total, count
