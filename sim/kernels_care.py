"""Compiled loops (numba) for the care side of the week: relatives here and elsewhere, allocation, burden,
signalling, the wijkteam and the indicators.

As in sim/kernels.py (whose lazy ``njit`` wrapper compiles each kernel at its
first call and caches it on disk), every kernel gives exactly the result of
the numpy expressions it replaces: counts are counts, and floating-point sums
accumulate in index order, as ``np.bincount`` does. Kernels do no
transcendental arithmetic (``exp``, ``log``, ``power``), whose numpy results
depend on the CPU's SIMD kernels: those stay in numpy. tests/test_regression.py
and tests/test_kernels_care.py check it.

Each kernel is compiled by sim/kernels.py's ``njit``: cached, and running without the GIL.
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
    marks,
):  # pragma: no cover - compiled
    """The allocation's per-resident set-up, one pass: who can help; their ability to care outside the household
    (from full at ``full_age`` to none at ``none_age``, none with a need heavier than ``outside_max_severity``);
    each resident's total need and whether it is more than ``eps``; per household, the need and last week's
    unmet hours; the need in the (kind, resident) layout (``transposed(need)``), the hours still to give; and the
    residents the allocation's later steps look at, each in order. ``marks`` = (cares_away, parent_need_away,
    cares_in_law, cares_grand, grand_need_away, children_near, children_far, referred, indicated, volunteer).
    As the numpy version::

        can_help = alive & (age >= min_helper_age) & (cooldown == 0) & ~ill & (severity <= helper_max_severity)
        ability = clip((none_age - age) / max(none_age - full_age, 1e-9), 0, 1) * (severity <= outside_max_severity)
        need_total = need[:, 0] + need[:, 1] + need[:, 2]
        hh_need = bincount(household, need_total);  hh_unmet = bincount(household, row_total(unmet))
        away = flatnonzero(((cares_away & parent_need_away) | cares_in_law | (cares_grand & grand_need_away))
                           & can_help)            # who takes part in caring for a (grand)parent elsewhere
        kids = flatnonzero(needs & ((children_near > 0) | (children_far > 0)))   # with adult children elsewhere
        known = flatnonzero(alive & (referred | indicated))                       # known to the wijkteam
        vol = flatnonzero(alive & volunteer & (cooldown == 0) & ~ill)             # volunteers available
        indicated_alive = flatnonzero(alive & indicated)
    """
    cares_away, parent_need_away, cares_in_law, cares_grand, grand_need_away = (
        marks[0],
        marks[1],
        marks[2],
        marks[3],
        marks[4],
    )
    children_near, children_far, referred, indicated, volunteer = marks[5], marks[6], marks[7], marks[8], marks[9]
    n = age.shape[0]
    can_help = np.empty(n, np.bool_)
    ability = np.empty(n)
    need_total = np.empty(n)
    needs = np.empty(n, np.bool_)
    remaining = np.empty((3, n))
    away, kids, known, vol, ind = (
        np.empty(n, np.int64),
        np.empty(n, np.int64),
        np.empty(n, np.int64),
        np.empty(n, np.int64),
        np.empty(n, np.int64),
    )
    n_away = n_kids = n_known = n_vol = n_ind = 0
    n_hh = 0
    for i in range(n):
        if household[i] + 1 > n_hh:
            n_hh = household[i] + 1
    hh_need = np.zeros(n_hh)
    hh_unmet = np.zeros(n_hh)
    span = max(none_age - full_age, 1e-9)
    for i in range(n):
        sev = severity[i]
        helps = (
            alive[i] and age[i] >= min_helper_age and cooldown[i] == 0 and not ill[i] and (sev <= helper_max_severity)
        )
        can_help[i] = helps
        x = (none_age - age[i]) / span
        if x < 0.0:
            x = 0.0
        elif x > 1.0:
            x = 1.0
        ability[i] = x * (1.0 if sev <= outside_max_severity else 0.0)
        a, b, c = need[i, 0], need[i, 1], need[i, 2]
        remaining[0, i] = a
        remaining[1, i] = b
        remaining[2, i] = c
        t = a + b + c
        need_total[i] = t
        has_need = t > eps
        needs[i] = has_need
        h = household[i]
        hh_need[h] += t
        hh_unmet[h] += unmet[i, 0] + unmet[i, 1] + unmet[i, 2]
        # The sets: few residents are in them, so branches seldom taken.
        if helps and (
            (cares_away[i] and parent_need_away[i]) or cares_in_law[i] or (cares_grand[i] and grand_need_away[i])
        ):
            away[n_away] = i
            n_away += 1
        if has_need and (children_near[i] > 0 or children_far[i] > 0):
            kids[n_kids] = i
            n_kids += 1
        if alive[i]:
            if referred[i] or indicated[i]:
                known[n_known] = i
                n_known += 1
            if volunteer[i] and cooldown[i] == 0 and not ill[i]:
                vol[n_vol] = i
                n_vol += 1
            if indicated[i]:
                ind[n_ind] = i
                n_ind += 1
    sets = (away[:n_away].copy(), kids[:n_kids].copy(), known[:n_known].copy(), vol[:n_vol].copy(), ind[:n_ind].copy())
    return can_help, ability, need_total, needs, hh_need, hh_unmet, remaining, sets


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
        # Branch-free below (the tests fall either way, unpredictably): a count adds its test, a sum adds its value
        # where the test holds and +0.0 elsewhere, which leaves it as it was (sums start at +0.0).
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
        ties = active[i]
        isolated = adult & (ties <= isolated_max_ties)
        severe = adult & (loneliness[i] >= severely_lonely)
        counts[1] += adult
        out[1, w] += 1.0 if adult else 0.0
        counts[11] += ties if adult else 0
        counts[5] += isolated
        out[9, w] += 1.0 if isolated else 0.0
        counts[6] += adult & (loneliness[i] >= lonely)
        counts[7] += severe
        out[10, w] += 1.0 if severe else 0.0
        b = burden[i]
        heavily = is_carer & (b >= heavy)
        counts[2] += is_carer
        out[6, w] += 1.0 if is_carer else 0.0
        out[7, w] += b if is_carer else 0.0
        counts[3] += heavily
        out[8, w] += 1.0 if heavily else 0.0
        counts[4] += is_carer & (b >= over)
        counts[8] += severity[i] > 0
        counts[9] += volunteer[i]
        counts[10] += neighbour_helper[i]
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
def burden_update(alive, burden, carers, target, adapt_rate, support_weeks, cooldown, ill, over_threshold):
    # pragma: no cover - compiled
    """Burden moves towards this week's target (``target`` for the carers ``carers``, ascending; 0 for the rest);
    support and cooldown count down. In place, as the numpy version (sim/mechanisms/burden.py spells it out);
    returns the carers now overburdened and the ill (both ascending), for ``burden_events``."""
    n = alive.shape[0]
    k = carers.shape[0]
    over = np.empty(k, np.int64)
    n_over = 0
    sick = np.empty(n, np.int64)
    n_sick = 0
    j = 0
    for i in range(n):
        t = 0.0
        caring = j < k and carers[j] == i
        if caring:
            t = target[j]
            j += 1
        b = burden[i] + adapt_rate * (t - burden[i])
        if not alive[i]:
            b = 0.0
        burden[i] = b
        sw = support_weeks[i] - 1
        support_weeks[i] = sw if sw > 0 else 0
        cd = cooldown[i] - 1
        cooldown[i] = cd if cd > 0 else 0
        if caring and b >= over_threshold:
            over[n_over] = i
            n_over += 1
        if ill[i]:
            sick[n_sick] = i
            n_sick += 1
    return over[:n_over].copy(), sick[:n_sick].copy()


@njit(cache=True)
def burden_events(
    over,
    sick,
    u_drop,
    u_ill,
    u_recover,
    alive,
    cooldown,
    ill,
    severity,
    age,
    dropout_rate,
    illness_rate,
    recovery_chance,
    cooldown_weeks,
    illness_severity,
    working_age_end,
):  # pragma: no cover - compiled
    """After ``burden_update``: the overburdened carers ``over`` drop out (``u_drop`` < the rate) or else fall ill
    (``u_ill``); the ill ``sick`` (before this week) who did not fall ill again recover (``u_recover``); the draws
    are those of each of them, in the order of the lists. In place; returns (dropouts, illnesses, ill residents
    of working age alive), as the numpy version (sim/mechanisms/burden.py spells it out)."""
    drops = 0
    falls = 0
    ill_working = 0
    a, b = 0, 0  # the two lists walked together, in slot order (a slot may be in both)
    k_over, k_sick = over.shape[0], sick.shape[0]
    while a < k_over or b < k_sick:
        i = over[a] if a < k_over else sick[b]
        if b < k_sick and sick[b] < i:
            i = sick[b]
        falls_ill = False
        if a < k_over and over[a] == i:
            if u_drop[a] < dropout_rate:
                cooldown[i] = cooldown_weeks
                drops += 1
            elif u_ill[a] < illness_rate:
                cooldown[i] = cooldown_weeks
                ill[i] = True
                severity[i] = max(severity[i], illness_severity)
                falls_ill = True
                falls += 1
            a += 1
        if b < k_sick and sick[b] == i:
            if not falls_ill and u_recover[b] < recovery_chance:
                ill[i] = False
                severity[i] = 0.0
            b += 1
        if alive[i] and ill[i] and age[i] >= 18 and age[i] < working_age_end:
            ill_working += 1
    return drops, falls, ill_working


@njit(cache=True)
def signal_risks(
    alive,
    referred,
    indicated,
    severity,
    unmet,
    loneliness,
    given,
    burden,
    support_weeks,
    respite_weeks,
    min_unmet,
    lonely_at_risk,
    heavy,
    eps,
):  # pragma: no cover - compiled
    """The living residents at risk and not referred already, ascending (sim/mechanisms/signalling.py spells out
    who is at risk): a need (unmet, or severe loneliness with a need) without an indication, or a heavily burdened
    carer not supported already."""
    n = alive.shape[0]
    out = np.empty(n, np.int64)
    k = 0
    for i in range(n):
        if not alive[i] or referred[i]:
            continue
        need_at_risk = not indicated[i] and (
            (unmet[i, 0] + unmet[i, 1] + unmet[i, 2] >= min_unmet - eps)
            or (severity[i] > 0 and loneliness[i] >= lonely_at_risk)
        )
        carer_at_risk = given[i] > eps and burden[i] >= heavy and support_weeks[i] == 0 and respite_weeks[i] == 0
        if need_at_risk or carer_at_risk:
            out[k] = i
            k += 1
    return out[:k].copy()


@njit(cache=True)
def signals(
    at_risk,
    u,
    indicated,
    known,
    loneliness,
    contact,
    received_formal,
    shop_signal,
    wijk,
    shops_locally,
    self_referral,
    network_signal,
    professional_signal,
    eps,
):  # pragma: no cover - compiled
    """Of the residents ``at_risk`` (``signal_risks``), those noticed this week; ``u[:, j]`` holds the draws of
    the channels (self, network, professional, shopkeeper) for ``at_risk[j]``. Returns the slots noticed, in
    order, and the count first noticed through each channel."""
    k = at_risk.shape[0]
    noticed = np.empty(k, np.int64)
    c = 0
    first = np.zeros(4, np.int64)
    for j in range(k):
        i = at_risk[j]
        seen = indicated[i] or received_formal[i] > eps or known[i]
        if u[0, j] < self_referral * (1.0 - 0.7 * loneliness[i] / 11.0):
            first[0] += 1
        elif u[1, j] < network_signal * min(contact[i], 3.0):
            first[1] += 1
        elif seen and u[2, j] < professional_signal:
            first[2] += 1
        elif u[3, j] < shop_signal[wijk[i]] * (1.0 if shops_locally[i] else 0.0):
            first[3] += 1
        else:
            continue
        noticed[c] = i
        c += 1
    return noticed[:c].copy(), first


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
def parents_elsewhere_care(
    idx, own, whose, cares_in_law, parents_near, capacity, ability, used, stretch, hours, threshold, eps, n
):  # pragma: no cover - compiled
    """The hours the residents ``idx`` give a parent or grandparent elsewhere (``own``: their own parent; else their
    partner's, if they care for a parent-in-law, else a grandparent; ``whose``: whose parent it is), within their
    capacity for care outside the household, at least ``threshold`` or nothing; ``used`` in place; returns the hours
    per slot (``n``) and the residents who gave to a parent and to other family. ``hours``: to a parent near, far,
    to a grandparent. As the numpy version::

        is_parent = own | cares_in_law[idx]
        want = where(is_parent, where(parents_near[whose] > 0, near, far), grandparent)
        g = minimum(want, maximum(0, capacity[idx] * stretch * ability[idx] - used[idx]))
        g[~at_least_hours(g, threshold)] = 0;  out[idx] = g;  used[idx] += g
    """
    out = np.zeros(n)
    k = idx.shape[0]
    to_parent = np.empty(k, np.int64)
    to_other = np.empty(k, np.int64)
    a = b = 0
    for j in range(k):
        i = idx[j]
        is_parent = own[j] or cares_in_law[i]
        if is_parent:
            want = hours[0] if parents_near[whose[j]] > 0 else hours[1]
        else:
            want = hours[2]
        c = capacity[i] * stretch * ability[i] - used[i]
        c = 0.0 if 0.0 >= c else c
        g = want if want <= c else c
        if not (g >= threshold - eps):
            g = 0.0
        out[i] = g
        used[i] += g
        if g > eps:
            if is_parent:
                to_parent[a] = i
                a += 1
            else:
                to_other[b] = i
                b += 1
    return out, to_parent[:a].copy(), to_other[:b].copy()


@njit(cache=True)
def volunteer_matches(
    known, vol, wijk, n_wijk, u_known, success_bonus, success, capacity, given, share, remaining, kinds, eps
):  # pragma: no cover - compiled
    """Volunteers matched to the residents ``known`` (ascending; ``care_setup``), pooled per wijk, in place in
    ``remaining``; returns the hours each resident got (all residents), the hours given of each of the two kinds
    ``kinds`` (a row each, over ``known``), the matches made and the matches failed; ``u_known`` holds the known
    residents' draws. As the numpy version::

        w = wijk[known];  ok = u_known < clip(success + success_bonus[w], 0, 1)
        wanted = remaining[kinds[0], known] + remaining[kinds[1], known];  asking = ok & (wanted > eps)
        vol_cap = maximum(0, capacity[vol] − given[vol]) · share, 0 where not more than eps
        cap_w = bincount(wijk[vol], vol_cap, n_wijk);  demand_w = bincount(w, where(asking, wanted, 0), n_wijk)
        frac = where(asking, minimum(1, cap_w / maximum(demand_w, 1e-12))[w], 0)
        for each kind k:  g = remaining[k, known] · frac;  remaining[k, known] −= g;  got[known] += g
        matches = sum(asking & (got[known] > eps));  failures = sum(~ok & (wanted > eps))
    """
    k = known.shape[0]
    cap_w = np.zeros(n_wijk)
    for b in range(vol.shape[0]):
        i = vol[b]
        c = capacity[i] - given[i]
        c = (0.0 if 0.0 >= c else c) * share  # a capacity of -0.0 or NaN is 0.0 below, as in numpy
        cap_w[wijk[i]] += c if c > eps else 0.0
    demand_w = np.zeros(n_wijk)
    asking = np.empty(k, np.bool_)
    failures = 0
    row_a, row_b = remaining[kinds[0]], remaining[kinds[1]]
    for a in range(k):
        i = known[a]
        w = wijk[i]
        p = success + success_bonus[w]
        p = 0.0 if p < 0.0 else (1.0 if p > 1.0 else p)
        ok = u_known[a] < p
        wanted = row_a[i] + row_b[i]
        asks = ok and wanted > eps
        asking[a] = asks
        demand_w[w] += wanted if asks else 0.0
        failures += (not ok) and wanted > eps
    frac_w = np.empty(n_wijk)
    for w in range(n_wijk):
        d = demand_w[w]
        x = cap_w[w] / (d if d >= 1e-12 else 1e-12)
        frac_w[w] = x if x < 1.0 else 1.0
    got = np.zeros(wijk.shape[0])
    g = np.empty((2, k))
    matches = 0
    for a in range(k):
        i = known[a]
        f = frac_w[wijk[i]] if asking[a] else 0.0
        x = row_a[i] * f
        row_a[i] -= x
        g[0, a] = x
        y = row_b[i] * f
        row_b[i] -= y
        g[1, a] = y
        t = (got[i] + x) + y
        got[i] = t
        matches += asking[a] and t > eps
    return got, g, matches, failures


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
def formal_care(remaining, got, cap_w, idx, wijk, shares, kinds):  # pragma: no cover - compiled
    """Formal care for the residents ``idx`` (ascending; ``wijk`` theirs) within each wijk's hours ``cap_w``, kind by
    kind of ``kinds`` (in order), up to ``shares`` of each one's remaining need of that kind, in place in
    ``remaining`` and ``got``; returns the hours left per wijk and the hours given, a row per kind. As::

        demand = remaining[k, idx] * share;  demand_w = bincount(wijk, demand, n_wijk)
        g = demand * minimum(1, cap_w / maximum(demand_w, 1e-12))[wijk]
        remaining[k, idx] -= g;  cap_w = maximum(0, cap_w - bincount(wijk, g, n_wijk));  got[idx] += g
    """
    n_wijk, k = cap_w.shape[0], idx.shape[0]
    cap = cap_w.copy()
    given = np.empty((kinds.shape[0], k))
    demand_w = np.empty(n_wijk)
    frac = np.empty(n_wijk)
    for c in range(kinds.shape[0]):
        row, share, g = remaining[kinds[c]], shares[c], given[c]
        demand_w[:] = 0.0
        for j in range(k):
            d = row[idx[j]] * share
            g[j] = d
            demand_w[wijk[j]] += d
        for w in range(n_wijk):
            x = cap[w] / (demand_w[w] if demand_w[w] >= 1e-12 else 1e-12)
            frac[w] = x if x < 1.0 else 1.0
            demand_w[w] = 0.0  # from here the hours given in the wijk
        for j in range(k):
            x = g[j] * frac[wijk[j]]
            g[j] = x
            row[idx[j]] -= x
            demand_w[wijk[j]] += x
            got[idx[j]] += x
        for w in range(n_wijk):
            x = cap[w] - demand_w[w]
            cap[w] = x if x > 0.0 else 0.0
    return cap, given


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
    for j in range(k):  # a tie read at its first half-edge and cleared (its second finds 0.0 and leaves it)
        e = eid[j]
        if per_tie[e] > eps:
            helped[e] = True
        per_tie[e] = 0.0
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
    bitmap of the ids present (:func:`stage_local_index` with one stage)."""
    uniq, _, inverse = stage_local_index(ids, np.array([0, ids.shape[0]], np.int64), n)
    return uniq, inverse


@njit(cache=True)
def stage_local_index(ids, bounds, n):  # pragma: no cover - compiled
    """``np.unique(ids[a:b], return_inverse=True)`` for each stage ``a, b = bounds[s], bounds[s + 1]`` of the
    non-negative ids below ``n``, by a bitmap of the stage's ids: the work is in proportion to the ids and to
    ``n / 64``, not to ``n``. Each id's position is the number of the stage's ids present below it (the bits set
    before its own: the popcounts of the words below, and of its own word below it). Returns the distinct ids of
    every stage, ascending, one stage after another (stage ``s``'s are ``uniq[ubounds[s]:ubounds[s + 1]]``),
    ``ubounds``, and each id's position among its stage's distinct ids."""

    def popcount(x):  # the number of bits set in a 64-bit word
        x = x - ((x >> np.uint64(1)) & np.uint64(0x5555555555555555))
        x = (x & np.uint64(0x3333333333333333)) + ((x >> np.uint64(2)) & np.uint64(0x3333333333333333))
        x = (x + (x >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
        return np.int64((x * np.uint64(0x0101010101010101)) >> np.uint64(56))

    n_words = (n >> 6) + 1
    n_stages = bounds.shape[0] - 1
    words = np.zeros(n_words, np.uint64)  # all 0 between stages
    rank = np.empty(n_words + 1, np.int64)
    inverse = np.empty(ids.shape[0], np.int64)
    uniq = np.empty(ids.shape[0], np.int64)
    ubounds = np.zeros(n_stages + 1, np.int64)
    for s in range(n_stages):
        a, b = bounds[s], bounds[s + 1]
        for j in range(a, b):
            x = ids[j]
            words[x >> 6] |= np.uint64(1) << np.uint64(x & 63)
        rank[0] = 0
        for w in range(n_words):
            rank[w + 1] = rank[w] + popcount(words[w])
        base = ubounds[s]
        for j in range(a, b):
            x = ids[j]
            below = words[x >> 6] & ((np.uint64(1) << np.uint64(x & 63)) - np.uint64(1))
            q = rank[x >> 6] + popcount(below)
            inverse[j] = q
            uniq[base + q] = x  # every position is some id's
        ubounds[s + 1] = base + rank[n_words]
        for j in range(a, b):
            words[ids[j] >> 6] = np.uint64(0)
    return uniq[: ubounds[n_stages]].copy(), ubounds, inverse


@njit(cache=True)
def care_stage(
    stage,
    care_kinds,
    rec,
    hlp,
    kind,
    strength,
    weight,
    tie_left,
    rec_ids,
    rec_l,
    hlp_ids,
    hlp_l,
    given,
    remaining,
    used,
    household_hours,
    hours_by_tie_kind,
    helped_other,
    last_helped_neighbour,
    week,
    need,
    mobilised,
    willing,
    capacity,
    ability,
    household,
    hh_need,
    hh_unmet,
    personal,
    personal_tie,
    params,
    eps,
    rel_eps,
):  # pragma: no cover - compiled
    """One informal stage of the allocation (``allocation.STAGES``; ``stage`` 0 household, 1 family, 2 friends,
    3 neighbours), in place, over its half-edges (``rec``, ``hlp``: recipients and helpers; ``rec_ids``/``rec_l``
    and ``hlp_ids``/``hlp_l``: the stage's recipients and helpers and each half-edge's position among them, as
    ``np.unique(…, return_inverse=True)``); returns the hours given of each kind in ``care_kinds``, a row each
    (``weight`` is ``strength ** concentration``, numpy's; ``given`` receives the hours over each half-edge).

    ``params``: household stretch, pressure stretch, household minimum hours, family stretch, ask threshold
    (friends or neighbours), mobilised ask threshold, own share (friends or neighbours), min hours, min
    commitment. The numpy version, step by step (same operations, same order)::

        friends, neighbours:  weight = weight · (strength ≥ where(mobilised[rec], mobilised_thr, thr)) · willing[hlp]
        household:  hh = household[hlp_ids]
                    stretch = hh_stretch + pressure_stretch · hh_unmet[hh] / max(hh_need[hh], 1e-9)
                    cap = max(capacity[hlp_ids] · stretch, hh_min_hours)
        otherwise:  cap = capacity[hlp_ids] · (family_stretch, or 1 for neighbours) · ability[hlp_ids]
        cap_left = max(0, cap − used[hlp_ids]), 0 where not more than eps;  start_cap = cap_left
        for each kind k:  w = weight (· personal_tie[kind] for personal care, kind ``personal``)
            rem = remaining[k, rec_ids]
            friends, neighbours:  ask = min(rem, where(mobilised[rec_ids], 1, own_share) · need[rec_ids, k]),
                0 where not more than eps;  g = spread_care(ask, …);  rem = (rem − ask) + ask
            otherwise:  g = spread_care(rem, cap_left, rec_l, hlp_l, w, tie_left, min_hours)
            remaining[k, rec_ids] = rem;  layer_given += g
        outside the household, crumbs = (layer_given > eps) & ~(layer_given ≥ min_commitment − eps); if any:
            for each kind, back = where(crumbs, g, 0): remaining[k, rec_ids] += bincount(rec_l, back);  g −= back
            cap_left = min(cap_left + bincount(hlp_l, where(crumbs, layer_given, 0)), start_cap)
            layer_given[crumbs] = 0
        used[hlp_ids] += start_cap − cap_left  (household: household_hours[hlp_ids] = start_cap − cap_left)
        given[:] = layer_given;  hours_by_tie_kind += bincount(kind, layer_given)
        friends, neighbours: helped_other[hlp[gave]] = True (neighbours: last_helped_neighbour[hlp[gave]] = week)

    ``spread_care`` gives one kind of care over the half-edges in up to two rounds, each as the numpy version::

        w = weight · (cap_left[hlp] > eps) · (tie_left > eps) · (remaining[rec] > eps)
        rowsum = bincount(rec, w);  ideal = remaining[rec] · w / rowsum[rec];  offer = min(ideal, tie_left)
        offer = offer if (offer ≥ min_hours − eps or remaining[rec] ≤ min_hours + eps
                          or 2w ≥ rowsum[rec]·(1 − rel_eps)) else 0
        asked = bincount(hlp, offer);  scale = min(1, cap_left / max(asked, 1e-12));  g = offer · scale[hlp]
        given += g;  tie_left −= g;  remaining −= bincount(rec, g);  cap_left −= bincount(hlp, g);  clip both at 0

    (no second round when nothing was asked or every request was met as asked).

    Only the half-edges whose weight can be live are visited: a weight of 0 stays 0 (weights are finite, as
    ``strength`` is in [0, 1]), and since hours given are never negative, capacity, what is left of a tie and
    what is still to give only fall within a stage. So each kind's first round reads the stage's half-edges of
    weight not 0 whose helper and tie have something left, its second round only the first round's live ones, in
    their order: every sum gets the same terms in the same order, the others would add nothing.
    """

    def pass_offers(remaining, tie_left, rec, hlp, min_hours, live, n_live, wl, offer, ideal, rowsum, asked):
        """spread_care's offers over the live half-edges ``live[:n_live]`` (weights ``wl``), ``asked`` per helper."""
        for t in range(n_live):
            j = live[t]
            wj = wl[t]
            r = rec[j]
            rem = remaining[r]
            idl = rem * wj / rowsum[r]
            o = min(idl, tie_left[j])
            if not (o >= min_hours - eps or rem <= min_hours + eps or wj * 2 >= rowsum[r] * (1.0 - rel_eps)):
                o = 0.0
            ideal[t] = idl
            offer[t] = o
            asked[hlp[j]] += o

    def pass_give(
        remaining, cap_left, tie_left, rec, hlp, given, live, n_live, offer, ideal, rowsum, asked, got_r, got_h, first
    ):
        """spread_care's hours given over the live half-edges, then what is left to give and each helper's capacity,
        clipped at 0; returns the largest shortfall of a request (ideal − given). ``rowsum``, ``asked``, ``got_r``
        and ``got_h`` are left all 0.0. Clipping a value once more changes nothing, nor does subtracting 0.0 from
        a capacity (never -0.0 or below 0): after the first round only the live half-edges' ends are clipped."""
        short = -np.inf
        for t in range(n_live):
            j = live[t]
            h = hlp[j]
            scale = min(1.0, cap_left[h] / max(asked[h], 1e-12))
            g = offer[t] * scale
            given[j] += g
            tie_left[j] -= g
            got_r[rec[j]] += g
            got_h[h] += g
            if ideal[t] - g > short:
                short = ideal[t] - g
        if first:  # every recipient, as the numpy version clips them all
            for r in range(remaining.shape[0]):
                x = remaining[r] - got_r[r]
                remaining[r] = x if x > 0.0 else 0.0
                got_r[r] = 0.0
                rowsum[r] = 0.0
        else:
            for t in range(n_live):
                r = rec[live[t]]
                x = remaining[r] - got_r[r]
                remaining[r] = x if x > 0.0 else 0.0
                got_r[r] = 0.0
                rowsum[r] = 0.0
        for t in range(n_live):
            h = hlp[live[t]]
            x = cap_left[h] - got_h[h]
            cap_left[h] = x if x > 0.0 else 0.0
            got_h[h] = 0.0
            asked[h] = 0.0
        return short

    hh_stretch, pressure_stretch, hh_min_hours, family_stretch = params[0], params[1], params[2], params[3]
    threshold, mobilised_threshold, own_share, min_hours, min_commitment = (
        params[4],
        params[5],
        params[6],
        params[7],
        params[8],
    )
    k = rec.shape[0]
    n_rec, n_hlp = rec_ids.shape[0], hlp_ids.shape[0]
    outside = stage != 0
    asks_own = stage == 2 or stage == 3
    # The half-edges whose weight is not 0 (``cand``, ascending) and their weights (``w_c``): the others give nothing.
    # The recipients' and helpers' marks are read once each, into the stage's own index space (few, in cache).
    mob_l = np.empty(n_rec if asks_own else 0, np.bool_)
    for q in range(mob_l.shape[0]):
        mob_l[q] = mobilised[rec_ids[q]]
    will_l = np.empty(n_hlp if asks_own else 0, np.bool_)
    for q in range(will_l.shape[0]):
        will_l[q] = willing[hlp_ids[q]]
    cand = np.empty(k, np.int64)
    w_c = np.empty(k)
    n_cand = 0
    for j in range(k):
        x = weight[j]
        if asks_own:
            thr = mobilised_threshold if mob_l[rec_l[j]] else threshold
            x = x * (1.0 if strength[j] >= thr else 0.0) * (1.0 if will_l[hlp_l[j]] else 0.0)
        if x != 0.0:
            cand[n_cand] = j
            w_c[n_cand] = x
            n_cand += 1
    cap_left = np.empty(n_hlp)
    for q in range(n_hlp):
        i = hlp_ids[q]
        if stage == 0:
            hn = hh_need[household[i]]
            stretch = hh_stretch + pressure_stretch * (hh_unmet[household[i]] / (hn if hn >= 1e-9 else 1e-9))
            c = capacity[i] * stretch
            c = c if c >= hh_min_hours else hh_min_hours
        else:
            c = capacity[i] * (family_stretch if stage != 3 else 1.0) * ability[i]
        x = c - used[i]
        x = 0.0 if 0.0 >= x else x
        cap_left[q] = x if x > eps else 0.0
    start_cap = cap_left.copy()
    # spread_care's work space: per live half-edge (``live``, ascending) its weight, offer and ideal share; per
    # recipient and helper the sums of a round, all 0.0 between rounds.
    live, w_l, offer, ideal = np.empty(n_cand, np.int64), np.empty(n_cand), np.empty(n_cand), np.empty(n_cand)
    rowsum, got_r = np.zeros(n_rec), np.zeros(n_rec)
    asked, got_h = np.zeros(n_hlp), np.zeros(n_hlp)
    g_by_kind = np.zeros((care_kinds.shape[0], k))
    rem = np.empty(n_rec)
    ask = np.empty(n_rec)
    for c_i in range(care_kinds.shape[0]):
        kk = care_kinds[c_i]
        row = remaining[kk]
        for q in range(n_rec):
            rem[q] = row[rec_ids[q]]
        g = g_by_kind[c_i]
        if asks_own:
            for q in range(n_rec):
                i = rec_ids[q]
                a = (1.0 if mob_l[q] else own_share) * need[i, kk]
                a = rem[q] if rem[q] <= a else a
                ask[q] = a if a > eps else 0.0
            kept = rem - ask
            to_give = ask
        else:
            to_give = rem
        # The first round's weights: the candidates' (times the tie's personal mark for personal care) where the
        # helper, the tie and the request have something left. Candidates whose helper or tie has nothing left are
        # dropped for the kinds that follow too (capacity and what is left of a tie only fall within the stage).
        n_live = 0
        kept_c = 0
        for t in range(n_cand):
            j = cand[t]
            c1 = cap_left[hlp_l[j]] > eps
            c2 = tie_left[j] > eps
            x = w_c[t]
            w_j = x if kk != personal else x * (1.0 if personal_tie[kind[j]] else 0.0)
            wj = w_j * c1 * c2 * (to_give[rec_l[j]] > eps)
            if c1 and c2:
                cand[kept_c] = j
                w_c[kept_c] = x
                kept_c += 1
            if wj != 0.0:
                live[n_live] = j
                w_l[n_live] = wj
                rowsum[rec_l[j]] += wj
                n_live += 1
        n_cand = kept_c
        for rnd in range(2):
            if rnd == 1:  # the second round reads only the first round's live half-edges (the others stay dead)
                n_first, n_live = n_live, 0
                for t in range(n_first):
                    j = live[t]
                    wj = w_l[t] * (cap_left[hlp_l[j]] > eps) * (tie_left[j] > eps) * (to_give[rec_l[j]] > eps)
                    if wj != 0.0:
                        live[n_live] = j
                        w_l[n_live] = wj
                        rowsum[rec_l[j]] += wj
                        n_live += 1
            if n_live == 0:
                break
            pass_offers(to_give, tie_left, rec_l, hlp_l, min_hours, live, n_live, w_l, offer, ideal, rowsum, asked)
            first = rnd == 0
            short = pass_give(
                to_give,
                cap_left,
                tie_left,
                rec_l,
                hlp_l,
                g,
                live,
                n_live,
                offer,
                ideal,
                rowsum,
                asked,
                got_r,
                got_h,
                first,
            )
            if short < eps:
                break
        if asks_own:
            for q in range(n_rec):
                row[rec_ids[q]] = kept[q] + ask[q]
        else:
            for q in range(n_rec):
                row[rec_ids[q]] = rem[q]
    layer_given = np.empty(k)
    for j in range(k):
        x = 0.0
        for c_i in range(care_kinds.shape[0]):
            x += g_by_kind[c_i, j]
        layer_given[j] = x
    if outside:
        crumbs = np.empty(k, np.bool_)
        any_crumbs = False
        for j in range(k):
            x = layer_given[j]
            crumbs[j] = x > eps and not (x >= min_commitment - eps)
            any_crumbs = any_crumbs or crumbs[j]
        if any_crumbs:
            back = np.zeros(n_rec)
            for c_i in range(care_kinds.shape[0]):
                g = g_by_kind[c_i]
                back[:] = 0.0
                for j in range(k):
                    if crumbs[j]:  # bincount adds 0.0 for the others: a sum from 0.0 is unchanged by it
                        back[rec_l[j]] += g[j]
                        g[j] -= g[j]
                row = remaining[care_kinds[c_i]]
                for q in range(n_rec):
                    row[rec_ids[q]] += back[q]
            back_h = np.zeros(n_hlp)
            for j in range(k):
                if crumbs[j]:
                    back_h[hlp_l[j]] += layer_given[j]
                    layer_given[j] = 0.0
            for q in range(n_hlp):
                x = cap_left[q] + back_h[q]
                cap_left[q] = x if x <= start_cap[q] else start_cap[q]
    for q in range(n_hlp):
        i = hlp_ids[q]
        d = start_cap[q] - cap_left[q]
        used[i] += d
        if stage == 0:
            household_hours[i] = d
    by_kind = np.zeros(hours_by_tie_kind.shape[0])
    for j in range(k):
        x = layer_given[j]
        given[j] = x
        by_kind[kind[j]] += x
        if asks_own and x > eps:
            helped_other[hlp[j]] = True
            if stage == 3:
                last_helped_neighbour[hlp[j]] = week
    for t in range(by_kind.shape[0]):
        hours_by_tie_kind[t] += by_kind[t]
    return g_by_kind
