"""Compiled loops (numba) for the care side of the week: relatives here and elsewhere, allocation, burden,
signalling, the wijkteam and the indicators.

As in sim/kernels.py (whose lazy ``njit`` wrapper compiles each kernel at its
first call and caches it on disk), every kernel gives exactly the result of
the numpy expressions it replaces: counts are counts, and floating-point sums
accumulate in index order, as ``np.bincount`` does. Kernels do no
transcendental arithmetic (``exp``, ``log``, ``power``), whose numpy results
depend on the CPU's SIMD kernels: those stay in numpy. tests/test_regression.py
and tests/test_kernels_care.py check it.
"""

from __future__ import annotations

import numpy as np

from samenkracht.sim.kernels import njit


@njit(cache=True)
def kin_here(
    u, v, alive, rel, age, pos, k, parent_code, child_code, partner_code, grandparent_code, grandchild_code
):  # pragma: no cover - compiled
    """For the ``k`` residents with a position ``pos`` (-1: not one of them), from the living ties recorded here:
    their parents, their adult children (18 or over) and their grandparents living here, and the partner ties
    between two of them (any kind), as positions in tie order (lower end, higher end)."""
    parents = np.zeros(k, np.int64)
    children = np.zeros(k, np.int64)
    grand = np.zeros(k, np.int64)
    pa = np.empty(16, np.int64)
    pb = np.empty(16, np.int64)
    n_pairs = 0
    mark = pos >= 0  # compact, so that the test of every tie's ends stays in cache
    for i in range(u.shape[0]):
        a, b = u[i], v[i]
        if not ((mark[a] or mark[b]) and alive[i]):  # few ties touch them: a branch seldom taken
            continue
        r = rel[i]
        pu, pv = pos[a], pos[b]
        if r == parent_code:  # u is v's parent
            if pv >= 0:
                parents[pv] += 1
            if pu >= 0 and age[b] >= 18:
                children[pu] += 1
        elif r == child_code:  # v is u's parent
            if pu >= 0:
                parents[pu] += 1
            if pv >= 0 and age[a] >= 18:
                children[pv] += 1
        elif r == partner_code:
            if pu >= 0 and pv >= 0:
                if n_pairs == pa.shape[0]:
                    pa = np.concatenate((pa, np.empty(n_pairs, np.int64)))
                    pb = np.concatenate((pb, np.empty(n_pairs, np.int64)))
                pa[n_pairs] = pu
                pb[n_pairs] = pv
                n_pairs += 1
        elif r == grandparent_code:  # u is v's grandparent: v has a grandparent here
            if pv >= 0:
                grand[pv] += 1
        elif r == grandchild_code:
            if pu >= 0:
                grand[pu] += 1
    return parents, children, grand, pa[:n_pairs].copy(), pb[:n_pairs].copy()


@njit(cache=True)
def care_setup(
    alive,
    age,
    cooldown,
    ill,
    severity,
    need,
    unmet,
    household,
    min_helper_age,
    helper_max_severity,
    full_age,
    none_age,
    outside_max_severity,
    eps,
):  # pragma: no cover - compiled
    """The allocation's per-resident set-up, one pass: who can help; their ability to care outside the household
    (from full at ``full_age`` to none at ``none_age``, none with a need heavier than ``outside_max_severity``);
    each resident's total need and whether it is more than ``eps``; per household, the need and last week's
    unmet hours. As the numpy version::

        can_help = alive & (age >= min_helper_age) & (cooldown == 0) & ~ill & (severity <= helper_max_severity)
        ability = clip((none_age - age) / max(none_age - full_age, 1e-9), 0, 1) * (severity <= outside_max_severity)
        need_total = need[:, 0] + need[:, 1] + need[:, 2]
        hh_need = bincount(household, need_total);  hh_unmet = bincount(household, row_total(unmet))
    """
    n = age.shape[0]
    can_help = np.empty(n, np.bool_)
    ability = np.empty(n)
    need_total = np.empty(n)
    needs = np.empty(n, np.bool_)
    n_hh = 0
    for i in range(n):
        if household[i] + 1 > n_hh:
            n_hh = household[i] + 1
    hh_need = np.zeros(n_hh)
    hh_unmet = np.zeros(n_hh)
    span = max(none_age - full_age, 1e-9)
    for i in range(n):
        sev = severity[i]
        can_help[i] = (
            alive[i] and age[i] >= min_helper_age and cooldown[i] == 0 and not ill[i] and (sev <= helper_max_severity)
        )
        x = (none_age - age[i]) / span
        if x < 0.0:
            x = 0.0
        elif x > 1.0:
            x = 1.0
        ability[i] = x * (1.0 if sev <= outside_max_severity else 0.0)
        t = need[i, 0] + need[i, 1] + need[i, 2]
        need_total[i] = t
        needs[i] = t > eps
        h = household[i]
        hh_need[h] += t
        hh_unmet[h] += unmet[i, 0] + unmet[i, 1] + unmet[i, 2]
    return can_help, ability, need_total, needs, hh_need, hh_unmet


@njit(cache=True)
def local_index(ids, scratch):  # pragma: no cover - compiled
    """``np.unique(ids, return_inverse=True)`` for ids below ``scratch.size``: the distinct ids in ascending order
    and each id's position among them. ``scratch`` (all -1, one entry per id) is used and left all -1, so the work
    is in proportion to ``ids`` (for a few ids; for many, ``sim.kernels.unique_inverse``'s bitmap is faster)."""
    k = ids.shape[0]
    first = np.empty(k, np.int64)
    count = 0
    for j in range(k):
        x = ids[j]
        if scratch[x] < 0:
            scratch[x] = count
            first[count] = x
            count += 1
    uniq = np.sort(first[:count])
    for q in range(count):
        scratch[uniq[q]] = q
    inverse = np.empty(k, np.int64)
    for j in range(k):
        inverse[j] = scratch[ids[j]]
    for q in range(count):
        scratch[uniq[q]] = -1
    return uniq, inverse


@njit(cache=True)
def care_given(need_total, remaining, formal, used, household_hours, usual_care_hours, eps):  # pragma: no cover
    """Informal care received and care given, per resident, after the informal layers. As::

    received = maximum(0, need_total - remaining.sum(axis=0) - formal)    # the rows added in order
    usual = ~(household_hours - usual_care_hours > eps)
    care = used - where(usual, household_hours, 0);  care[~(care > eps)] = 0
    """
    n = need_total.shape[0]
    received = np.empty(n)
    care = np.empty(n)
    for i in range(n):
        x = need_total[i] - (remaining[0, i] + remaining[1, i] + remaining[2, i]) - formal[i]
        received[i] = x if x > 0.0 else 0.0  # np.maximum(0, x): 0 for x <= 0 (and -0.0 is 0 as well)
        hh = household_hours[i]
        c = used[i] - (0.0 if (hh - usual_care_hours > eps) else hh)
        care[i] = c if c > eps else 0.0
    return received, care


def care_over_ties(rec, hlp, eid, given, n, m, eps):
    """From the hours given over the care half-edges: which gave (more than ``eps``), each recipient's number of
    helpers, the helpers who give to someone with no other informal helper, and the ties over which care flowed
    (the hours of a tie's two half-edges added in order, as ``bincount(eid, given, m) > eps``)."""
    return care_over_ties_in(rec, hlp, eid, given, n, m, eps, np.zeros(m))


@njit(cache=True)
def indicator_pass(
    alive,
    age,
    carer,
    burden,
    loneliness,
    severity,
    volunteer,
    neighbour_helper,
    need,
    received_informal,
    received_formal,
    unmet,
    active,
    wijk,
    n_wijken,
    heavy,
    over,
    isolated_max_ties,
    lonely,
    severely_lonely,
):  # pragma: no cover - compiled
    """The week's counts and per-wijk sums of the indicators, one pass over the residents.

    Returns the masks of adults and carers; the counts (residents, adults, carers, heavily burdened, overburdened,
    isolated, lonely, severely lonely, care recipients, volunteers, neighbour helpers, active ties of adults); and
    per wijk, in the rows of ``Indicators.PER_WIJK``, the sums over the residents in each row's set (counts as
    floats, hours and burden added in resident order, as ``sim.kernels.sums_by_group`` does: a resident outside a
    row's set adds nothing, which is what adding 0.0 does).
    """
    n = alive.shape[0]
    adults = np.zeros(n, np.bool_)
    carers = np.zeros(n, np.bool_)
    counts = np.zeros(12, np.int64)
    out = np.zeros((11, n_wijken))
    for i in range(n):
        if not alive[i]:
            continue
        w = wijk[i]
        adult = age[i] >= 18.0
        is_carer = carer[i]
        adults[i] = adult
        carers[i] = is_carer
        counts[0] += 1
        out[0, w] += 1.0
        out[2, w] += need[i, 0] + need[i, 1] + need[i, 2]
        out[3, w] += received_informal[i]
        out[4, w] += received_formal[i]
        out[5, w] += unmet[i, 0] + unmet[i, 1] + unmet[i, 2]
        if adult:
            counts[1] += 1
            out[1, w] += 1.0
            counts[11] += active[i]
            if active[i] <= isolated_max_ties:
                counts[5] += 1
                out[9, w] += 1.0
            if loneliness[i] >= lonely:
                counts[6] += 1
            if loneliness[i] >= severely_lonely:
                counts[7] += 1
                out[10, w] += 1.0
        if is_carer:
            counts[2] += 1
            out[6, w] += 1.0
            out[7, w] += burden[i]
            if burden[i] >= heavy:
                counts[3] += 1
                out[8, w] += 1.0
            if burden[i] >= over:
                counts[4] += 1
        if severity[i] > 0:
            counts[8] += 1
        if volunteer[i]:
            counts[9] += 1
        if neighbour_helper[i]:
            counts[10] += 1
    return adults, carers, counts, out


@njit(cache=True)
def burden_strain(
    alive, given, respite, capacity, caring_weeks, weeks_long, alone, support_weeks, eps, weights
):  # pragma: no cover - compiled
    """Who cares this week (alive, giving more than ``eps`` hours) and, for them, the strain of caring; as::

        caring = alive & (given > eps)
        strain = hours_weight · min((given − respite) / max(capacity, 0.5), 4)
                 + duration_weight · min(caring_weeks / weeks_long, 1) + alone_weight · alone
                 − support_relief · (support_weeks > 0)

    ``weights`` = (hours, duration, alone, support relief). Returns the carers' slots and their strain.
    """
    n = alive.shape[0]
    idx = np.empty(n, np.int64)
    k = 0
    for i in range(n):
        if given[i] > eps and alive[i]:
            idx[k] = i
            k += 1
    strain = np.empty(k)
    hw, dw, aw, relief = weights[0], weights[1], weights[2], weights[3]
    for j in range(k):
        i = idx[j]
        ratio = (given[i] - respite[i]) / max(capacity[i], 0.5)
        x = hw * min(ratio, 4.0) + dw * min(caring_weeks[i] / weeks_long, 1.0) + aw * (1.0 if alone[i] else 0.0)
        strain[j] = x - relief * (1.0 if support_weeks[i] > 0 else 0.0)
    return idx[:k].copy(), strain


@njit(cache=True)
def burden_update(
    alive,
    burden,
    carers,
    target,
    adapt_rate,
    support_weeks,
    cooldown,
    ill,
    severity,
    age,
    u_drop,
    u_ill,
    u_recover,
    over_threshold,
    dropout_rate,
    illness_rate,
    recovery_chance,
    cooldown_weeks,
    illness_severity,
    working_age_end,
):  # pragma: no cover - compiled
    """Burden moves towards this week's target (``target`` for the carers ``carers``, 0 for the rest); support and
    cooldown count down; the overburdened drop out or fall ill; the ill recover. In place, as the numpy version
    (sim/mechanisms/burden.py spells it out); returns (dropouts, illnesses, ill carers of working age)."""
    n = alive.shape[0]
    caring = np.zeros(n, np.bool_)
    tgt = np.zeros(n)
    for j in range(carers.shape[0]):
        caring[carers[j]] = True
        tgt[carers[j]] = target[j]
    drops = 0
    falls = 0
    ill_working = 0
    for i in range(n):
        b = burden[i] + adapt_rate * (tgt[i] - burden[i])
        if not alive[i]:
            b = 0.0
        burden[i] = b
        sw = support_weeks[i] - 1
        support_weeks[i] = sw if sw > 0 else 0
        cd = cooldown[i] - 1
        cooldown[i] = cd if cd > 0 else 0
        falls_ill = False
        if caring[i] and b >= over_threshold:
            if u_drop[i] < dropout_rate:
                cooldown[i] = cooldown_weeks
                drops += 1
            elif u_ill[i] < illness_rate:
                cooldown[i] = cooldown_weeks
                ill[i] = True
                severity[i] = max(severity[i], illness_severity)
                falls_ill = True
                falls += 1
        if ill[i] and not falls_ill and u_recover[i] < recovery_chance:
            ill[i] = False
            severity[i] = 0.0
        if alive[i] and ill[i] and age[i] >= 18 and age[i] < working_age_end:
            ill_working += 1
    return drops, falls, ill_working


@njit(cache=True)
def signals(
    alive,
    referred,
    indicated,
    known,
    severity,
    unmet,
    loneliness,
    given,
    burden,
    support_weeks,
    respite_weeks,
    contact,
    received_formal,
    shop_signal,
    wijk,
    shops_locally,
    u,
    min_unmet,
    lonely_at_risk,
    heavy,
    self_referral,
    network_signal,
    professional_signal,
    eps,
):  # pragma: no cover - compiled
    """The residents at risk noticed this week (sim/mechanisms/signalling.py spells out who is at risk and the
    chance of each channel); ``u`` holds the draws of the channels (self, network, professional, shopkeeper).
    Returns the slots noticed, in order, and the count first noticed through each channel."""
    n = alive.shape[0]
    noticed = np.empty(n, np.int64)
    k = 0
    first = np.zeros(4, np.int64)
    for i in range(n):
        if not alive[i] or referred[i]:
            continue
        need_at_risk = not indicated[i] and (
            (unmet[i, 0] + unmet[i, 1] + unmet[i, 2] >= min_unmet - eps)
            or (severity[i] > 0 and loneliness[i] >= lonely_at_risk)
        )
        carer_at_risk = given[i] > eps and burden[i] >= heavy and support_weeks[i] == 0 and respite_weeks[i] == 0
        if not (need_at_risk or carer_at_risk):
            continue
        seen = indicated[i] or received_formal[i] > eps or known[i]
        if u[0, i] < self_referral * (1.0 - 0.7 * loneliness[i] / 11.0):
            first[0] += 1
        elif u[1, i] < network_signal * min(contact[i], 3.0):
            first[1] += 1
        elif seen and u[2, i] < professional_signal:
            first[2] += 1
        elif u[3, i] < shop_signal[wijk[i]] * (1.0 if shops_locally[i] else 0.0):
            first[3] += 1
        else:
            continue
        noticed[k] = i
        k += 1
    return noticed[:k].copy(), first


@njit(cache=True)
def volunteer_turnover(
    volunteer,
    alive,
    willing,
    age,
    severity,
    wijk,
    dropout_factor,
    recruitment,
    u_drop,
    u_join,
    dropout_rate,
    weeks_per_year,
    join_rate,
    max_age,
):  # pragma: no cover - compiled
    """Volunteers stop (their weekly chance, a heavier need than 0.3, or death) and willing adults up to
    ``max_age`` without a need join, in place; returns (living volunteers who stopped, residents who joined)."""
    stopped = 0
    joined = 0
    for i in range(alive.shape[0]):
        if volunteer[i]:
            if (
                (u_drop[i] < dropout_rate * dropout_factor[wijk[i]] / weeks_per_year)
                or severity[i] > 0.3
                or (not alive[i])
            ):
                volunteer[i] = False
                stopped += alive[i]
        # whoever is not a volunteer now (one who stopped this week too) may join
        if not volunteer[i] and alive[i] and willing[i] and age[i] >= 18 and age[i] <= max_age and severity[i] <= 0:
            if u_join[i] < join_rate + recruitment[wijk[i]] / weeks_per_year:
                volunteer[i] = True
                joined += 1
    return stopped, joined


@njit(cache=True)
def care_demand(alive, severity, loneliness, need, hours):  # pragma: no cover - compiled
    """Hours asked this week by kind of care, in place in ``need`` (n, 3); ``hours`` = (personal_max,
    personal_threshold, practical_base, practical_max, company_base, company_max, company_loneliness). As::

        sev = where(alive, severity, 0);  has = sev > 0
        personal = where(has, personal_max · clip((sev − threshold) / (1 − threshold + 1e-12), 0, 1), 0)
        practical = where(has, practical_base + (practical_max − practical_base) · sev, 0)
        company = where(has, company_base + (company_max − company_base) · sev + company_loneliness · lonely / 11, 0)
    """
    pmax, thr, pb, pm, cb, cm, cl = hours[0], hours[1], hours[2], hours[3], hours[4], hours[5], hours[6]
    span = 1 - thr + 1e-12
    for i in range(alive.shape[0]):
        sev = severity[i] if alive[i] else 0.0
        if sev > 0:
            x = (sev - thr) / span
            if x < 0.0:
                x = 0.0
            elif x > 1.0:
                x = 1.0
            need[i, 0] = pmax * x
            need[i, 1] = pb + (pm - pb) * sev
            need[i, 2] = cb + (cm - cb) * sev + cl * loneliness[i] / 11.0
        else:
            need[i, 0] = 0.0
            need[i, 1] = 0.0
            need[i, 2] = 0.0


@njit(cache=True)
def transposed(a):  # pragma: no cover - compiled
    """The transposed copy of a 2-d array, C-contiguous: ``np.ascontiguousarray(a.T)``. For the (3, residents)
    allocation arrays back to (residents, 3) it is about twice as fast as numpy's strided copy."""
    n, k = a.shape
    out = np.empty((k, n))
    for i in range(n):
        for j in range(k):
            out[j, i] = a[i, j]
    return out


@njit(cache=True)
def by_age_band(age, band_of_year, values):  # pragma: no cover - compiled
    """``values[band_of_year[clip(age, 0, 255).astype(int64)]]``: the value of each age's band, from the band of
    each whole year of age (``sim.population.age_band(np.arange(256))``)."""
    out = np.empty(age.shape[0], values.dtype)
    for i in range(age.shape[0]):
        a = age[i]
        if a < 0.0:
            a = 0.0
        elif a > 255.0:
            a = 255.0
        out[i] = values[band_of_year[np.int64(a)]]
    return out


@njit(cache=True)
def group_order(group, n_groups):  # pragma: no cover - compiled
    """A stable counting sort: the indices of ``group`` (values 0..n_groups-1; -1 counts as a last group) in group
    order, each group's in index order, and where each group starts (n_groups + 2 bounds)."""
    counts = np.zeros(n_groups + 1, np.int64)
    for j in range(group.shape[0]):
        g = group[j]
        counts[g if g >= 0 else n_groups] += 1
    start = np.zeros(n_groups + 2, np.int64)
    for g in range(n_groups + 1):
        start[g + 1] = start[g] + counts[g]
    fill = start[:-1].copy()
    order = np.empty(group.shape[0], np.int64)
    for j in range(group.shape[0]):
        g = group[j]
        g = g if g >= 0 else n_groups
        order[fill[g]] = j
        fill[g] += 1
    return order, start


@njit(cache=True)
def caseload_open(indicated, severity, review_week, alive, week):  # pragma: no cover - compiled
    """Indications whose need ended close (in place: not indicated, no review date); returns how many closed and
    the slots whose review is due (alive, indicated, review date reached), in order."""
    n = alive.shape[0]
    due = np.empty(n, np.int64)
    k = 0
    closed = 0
    for i in range(n):
        if indicated[i] and severity[i] <= 0:
            indicated[i] = False
            review_week[i] = -999
            closed += 1
        if indicated[i] and alive[i] and review_week[i] <= week:
            due[k] = i
            k += 1
    return closed, due[:k].copy()


@njit(cache=True)
def caseload_queue(alive, referred, severity, indicated, given, eps):  # pragma: no cover - compiled
    """The intake queue by what it waits for, in order: residents with a need not indicated (intake), the others
    still caring (carers), and the rest (moot: need ended and no longer caring while waiting)."""
    n = alive.shape[0]
    intake = np.empty(n, np.int64)
    carers = np.empty(n, np.int64)
    moot = np.empty(n, np.int64)
    a = b = c = 0
    for i in range(n):
        if alive[i] and referred[i]:
            if severity[i] > 0 and not indicated[i]:
                intake[a] = i
                a += 1
            elif given[i] > eps:
                carers[b] = i
                b += 1
            else:
                moot[c] = i
                c += 1
    return intake[:a].copy(), carers[:b].copy(), moot[:c].copy()


@njit(cache=True)
def elsewhere_carers(cares_away, parent_need_away, cares_in_law, cares_grand, grand_need_away, can_help):
    # pragma: no cover - compiled
    """Slots of the residents who can help and take part in caring for a parent (their own, or their partner's)
    or a grandparent elsewhere who needs care, in order."""
    n = can_help.shape[0]
    idx = np.empty(n, np.int64)
    k = 0
    for i in range(n):  # few: a branch that is seldom taken is cheaper than writing every slot
        if ((cares_away[i] and parent_need_away[i]) or cares_in_law[i] or (cares_grand[i] and grand_need_away[i])) and (
            can_help[i]
        ):
            idx[k] = i
            k += 1
    return idx[:k].copy()


@njit(cache=True)
def with_children_elsewhere(needs, children_near, children_far):  # pragma: no cover - compiled
    """Slots of the residents with a need who have adult children living elsewhere, in order."""
    n = needs.shape[0]
    idx = np.empty(n, np.int64)
    k = 0
    for i in range(n):
        if needs[i] and (children_near[i] > 0 or children_far[i] > 0):
            idx[k] = i
            k += 1
    return idx[:k].copy()


@njit(cache=True)
def volunteer_sets(alive, referred, indicated, volunteer, cooldown, ill):  # pragma: no cover - compiled
    """Slots of the residents known to the wijkteam (referred or indicated) and of the volunteers available this
    week (not cooling down, not ill), in order."""
    n = alive.shape[0]
    known = np.empty(n, np.int64)
    vol = np.empty(n, np.int64)
    a = b = 0
    for i in range(n):
        if alive[i]:
            if referred[i] or indicated[i]:
                known[a] = i
                a += 1
            if volunteer[i] and cooldown[i] == 0 and not ill[i]:
                vol[b] = i
                b += 1
    return known[:a].copy(), vol[:b].copy()


@njit(cache=True)
def care_record(care, caring_weeks, last_gave, gave_this_year, week, eps):  # pragma: no cover - compiled
    """In place: consecutive weeks of caring (reset when not caring), the week care was last given and this year's
    mark, for the residents who give more than ``eps`` hours of care."""
    for i in range(care.shape[0]):
        if care[i] > eps:
            caring_weeks[i] += 1
            last_gave[i] = week
            gave_this_year[i] = True
        else:
            caring_weeks[i] = 0


@njit(cache=True)
def smooth_contact(contact, weekly_u, weekly_v, smoothing):  # pragma: no cover - compiled
    """In place: ``contact += smoothing · ((weekly_u + weekly_v) − contact)``."""
    for i in range(contact.shape[0]):
        contact[i] += smoothing * ((weekly_u[i] + weekly_v[i]) - contact[i])


@njit(cache=True)
def loneliness_step(loneliness, lonely_base, log_ref, log_contact, weight, adapt_rate, alive):  # pragma: no cover
    """In place: loneliness moves ``adapt_rate`` of the way to its target, clip(base + weight · (log_ref −
    log_contact), 0, 11), and is 0 in empty slots (the logarithms are numpy's, computed before)."""
    for i in range(loneliness.shape[0]):
        t = lonely_base[i] + weight * (log_ref - log_contact[i])
        if t < 0.0:
            t = 0.0
        elif t > 11.0:
            t = 11.0
        x = loneliness[i] + adapt_rate * (t - loneliness[i])
        loneliness[i] = x if alive[i] else 0.0


#: The de Bruijn sequence B(2, 6), and the index of the one bit set in a 64-bit word ``x`` by the top six bits of
#: ``x * _DEBRUIJN`` (wrapping): how the bits set in a word are read out, lowest first.
_DEBRUIJN = np.uint64(0x022FDD63CC95386D)
_DEBRUIJN_INDEX = np.zeros(64, np.int64)
for _b in range(64):
    _DEBRUIJN_INDEX[(((1 << _b) * 0x022FDD63CC95386D) & 0xFFFFFFFFFFFFFFFF) >> 58] = _b
del _b


@njit(cache=True)
def set_bits(words):  # pragma: no cover - compiled
    """The positions of the bits set in a bitmap of 64-bit words (bit ``i`` of word ``w`` is ``64·w + i``),
    ascending, read out word by word (the lowest bit set found by the de Bruijn sequence)."""
    total = 0
    for w in range(words.shape[0]):
        x = words[w]
        while x:
            x &= x - np.uint64(1)
            total += 1
    found = np.empty(total, np.int64)
    k = 0
    for w in range(words.shape[0]):
        x = words[w]
        base = w << 6
        while x:
            low = x & (~x + np.uint64(1))  # the lowest bit set
            found[k] = base + _DEBRUIJN_INDEX[np.int64((low * _DEBRUIJN) >> np.uint64(58))]
            x ^= low
            k += 1
    return found


@njit(cache=True)
def _ties_touching(ptr, index, indexed, u, v, alive, people, n_nodes):  # pragma: no cover - compiled
    """:func:`ties_touching_sorted`'s pass: the ties found, sorted (few), or a bitmap of them (many)."""
    m = u.shape[0]
    n_indexed = ptr.shape[0] - 1
    count = 0
    for p in people:
        if p < n_indexed:
            count += ptr[p + 1] - ptr[p]
    tail = m - indexed
    mark = np.zeros(n_nodes if tail > 0 else 0, np.bool_)
    if tail > 0:
        for p in people:
            mark[p] = True
    if (count + tail) * 8 < (m >> 6) + 1:  # few: collect and sort
        out = np.empty(count + tail, np.int64)
        k = 0
        for p in people:
            if p < n_indexed:
                for j in range(ptr[p], ptr[p + 1]):
                    t = index[j]
                    if alive[t]:
                        out[k] = t
                        k += 1
        for t in range(indexed, m):
            if alive[t] and (mark[u[t]] or mark[v[t]]):
                out[k] = t
                k += 1
        found = np.sort(out[:k])
        keep = 0
        for j in range(k):  # a tie between two of the people (or one of them twice) was found twice
            if j == 0 or found[j] != found[j - 1]:
                found[keep] = found[j]
                keep += 1
        return found[:keep].copy(), np.zeros(0, np.uint64)
    words = np.zeros((m >> 6) + 1, np.uint64)
    for p in people:
        if p < n_indexed:
            for j in range(ptr[p], ptr[p + 1]):
                t = index[j]
                if alive[t]:
                    words[t >> 6] |= np.uint64(1) << np.uint64(t & 63)
    for t in range(indexed, m):
        if alive[t] and (mark[u[t]] or mark[v[t]]):
            words[t >> 6] |= np.uint64(1) << np.uint64(t & 63)
    return np.zeros(0, np.int64), words


def ties_touching_sorted(ptr, index, indexed, u, v, alive, people, n_nodes):
    """The living ties with an end among ``people``, ascending, as
    ``flatnonzero(alive & (mark[u] | mark[v]))``; ties below ``indexed`` found through the index (``ptr``,
    ``index``), those added since by a scan of them (the mask of ``people`` only then).

    When many ties are found they are put in order by a bitmap over the ties read out word by word, instead of a
    sort of the ties found (each found once or twice); when few, by the sort."""
    found, words = _ties_touching(ptr, index, indexed, u, v, alive, people, n_nodes)
    return set_bits(words) if words.size else found


@njit(cache=True)
def care_over_ties_in(rec, hlp, eid, given, n, m, eps, per_tie):  # pragma: no cover - compiled
    """What :func:`care_over_ties` returns, with the hours per tie added up in ``per_tie`` (at least ``m`` long,
    all 0.0, and left all 0.0): the hours of a tie's half-edges are added to 0.0 in their order, and only the ties
    of the half-edges are touched, so the allocation keeps one work space over the weeks."""
    k = rec.shape[0]
    gave = np.empty(k, np.bool_)
    helpers_of = np.zeros(n, np.int64)
    for j in range(k):
        g = given[j] > eps
        gave[j] = g
        if g:
            helpers_of[rec[j]] += 1
    alone = np.zeros(n, np.bool_)
    for j in range(k):
        if gave[j] and helpers_of[rec[j]] == 1:
            alone[hlp[j]] = True
        per_tie[eid[j]] += given[j]
    helped = np.zeros(m, np.bool_)  # only the ties of care half-edges can have carried care
    for j in range(k):
        e = eid[j]
        helped[e] = per_tie[e] > eps
    for j in range(k):
        per_tie[eid[j]] = 0.0
    return gave, helpers_of, alone, helped


@njit(cache=True)
def alive_by_group(group, alive, n_groups):  # pragma: no cover - compiled
    """``np.bincount(group[alive], minlength=n_groups)`` in one pass: the living residents of each group."""
    top = n_groups
    for i in range(group.shape[0]):
        if alive[i] and group[i] + 1 > top:
            top = group[i] + 1
    out = np.zeros(top, np.int64)
    for i in range(group.shape[0]):
        if alive[i]:
            out[group[i]] += 1
    return out


def unique_inverse_bits(ids, n):
    """``np.unique(ids, return_inverse=True)`` for non-negative ids below ``n`` (``kernels.unique_inverse``), by a
    bitmap of the ids present read out word by word: the work is in proportion to the ids and to ``n / 64``, not
    to ``n``. Each id's position is the number of ids present below it (the bits set before its own)."""
    words, inverse = _id_bitmap(ids, n)
    return set_bits(words), inverse


@njit(cache=True)
def _id_bitmap(ids, n):  # pragma: no cover - compiled
    """:func:`unique_inverse_bits`'s pass: the bitmap of the ids present, and each id's rank among them."""

    def popcount(x):  # the number of bits set in a 64-bit word
        x = x - ((x >> np.uint64(1)) & np.uint64(0x5555555555555555))
        x = (x & np.uint64(0x3333333333333333)) + ((x >> np.uint64(2)) & np.uint64(0x3333333333333333))
        x = (x + (x >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
        return np.int64((x * np.uint64(0x0101010101010101)) >> np.uint64(56))

    n_words = (n >> 6) + 1
    words = np.zeros(n_words, np.uint64)
    for j in range(ids.shape[0]):
        x = ids[j]
        words[x >> 6] |= np.uint64(1) << np.uint64(x & 63)
    rank = np.empty(n_words + 1, np.int64)
    rank[0] = 0
    for w in range(n_words):
        rank[w + 1] = rank[w] + popcount(words[w])
    inverse = np.empty(ids.shape[0], np.int64)
    for j in range(ids.shape[0]):
        x = ids[j]
        below = words[x >> 6] & ((np.uint64(1) << np.uint64(x & 63)) - np.uint64(1))
        inverse[j] = rank[x >> 6] + popcount(below)
    return words, inverse
