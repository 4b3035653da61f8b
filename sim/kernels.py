"""Compiled loops over the tie arrays (numba), for the passes that numpy would make many times over.

A week touches every tie a few times: contact and strength, the
half-edges that can carry care, active ties for the indicators, ties lost when
residents leave. In numpy each of those is a chain of temporary arrays, each a
full pass over memory; here each is one loop. Every kernel does the same
floating-point operations in the same order as the numpy expression it
replaces (sums accumulate in index order, as ``np.bincount`` does), so results
are bit-for-bit those of the numpy version: tests/test_regression.py checks it.
Compiled code is cached on disk (``cache=True``), so only the first run on a
machine pays the compile time; numba itself is imported at a kernel's first
call, so reading the configuration (``--help``, checks of bad input) does not
pay for it.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

#: Held while a kernel's numba dispatcher is made, so that a run's first call and the page server's loading thread
#: (tools/precompile.py, load_in_background) never make two dispatchers for one kernel.
_MAKING = threading.Lock()

#: Every kernel made by ``njit`` below, in the order their modules were imported (``tools/precompile.py``
#: compiles them ahead of a first run).
KERNELS: list[Callable[..., Any]] = []


def njit(cache: bool = True) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``numba.njit(cache=..., nogil=True)``, compiled at the first call (numba is imported then, not with this
    module). A kernel lets go of the GIL while it runs (it touches no Python object), so a second model stepped in
    another thread, as the page's baseline twin is while the students' run plays, runs its Python in the meantime.
    numba's cache knows a kernel by its code and its file's time stamp, not by these options: after changing them,
    change every file of kernels too (their docstrings say how they are compiled), or old caches keep the old code.

    The kernel's ``dispatcher(create=True)`` gives its numba dispatcher (made then if ``create``; None if not
    made yet and not ``create``), for compiling it ahead for given argument types."""

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        compiled: Callable[..., Any] | None = None

        def dispatcher(create: bool = True) -> Any:
            nonlocal compiled
            if compiled is None and create:
                with _MAKING:
                    if compiled is None:
                        import numba

                        compiled = numba.njit(cache=cache, nogil=True)(fn)
            return compiled

        @functools.wraps(fn)
        def call(*args: Any) -> Any:
            if compiled is None:
                dispatcher()
            return compiled(*args)

        call.dispatcher = dispatcher  # type: ignore[attr-defined]
        KERNELS.append(call)
        return call

    return decorate


@njit(cache=True)
def active_ties(u, v, alive, strength, threshold, wijk, n):  # pragma: no cover - compiled
    """Active ties (alive, at least ``threshold`` strong) per resident slot; active ties between wijken; living ties."""
    active = np.zeros(n, np.int64)
    bridging = 0
    living = 0
    for i in range(u.shape[0]):  # counts, so branch-free adds give the same result in any order
        a, b = u[i], v[i]
        on = alive[i] & (strength[i] >= threshold)
        living += alive[i]
        active[a] += on
        active[b] += on
        bridging += on & (wijk[a] != wijk[b])
    return active, bridging, living


@njit(cache=True)
def care_half_edges(rec, hlp, eid, needs, can_help, alive, kind, stage_of_kind, n_stages, strength):
    # pragma: no cover - compiled
    """The half-edges that can carry care this week (towards a resident with a need, from one who can help, over a
    living tie whose kind has an informal stage, ``stage_of_kind[kind] >= 0``), grouped by stage, each stage's in
    their order (a stable counting sort): their recipients, helpers, tie indices, tie kinds and tie strengths, and
    where each stage starts (``n_stages + 1`` bounds)."""
    m = rec.shape[0]
    r_t = np.empty(m, rec.dtype)
    h_t = np.empty(m, hlp.dtype)
    e_t = np.empty(m, eid.dtype)
    st_t = np.empty(m, np.int64)
    counts = np.zeros(n_stages, np.int64)
    k = 0
    for i in range(m):  # few residents have a need: the first test rejects most half-edges
        if needs[rec[i]] and can_help[hlp[i]] and alive[eid[i]]:
            e = eid[i]
            st = stage_of_kind[kind[e]]
            if st >= 0:
                r_t[k] = rec[i]
                h_t[k] = hlp[i]
                e_t[k] = e
                st_t[k] = st
                counts[st] += 1
                k += 1
    bounds = np.zeros(n_stages + 1, np.int64)
    for g in range(n_stages):
        bounds[g + 1] = bounds[g] + counts[g]
    fill = bounds[:-1].copy()
    r_out = np.empty(k, rec.dtype)
    h_out = np.empty(k, hlp.dtype)
    e_out = np.empty(k, eid.dtype)
    k_out = np.empty(k, kind.dtype)
    s_out = np.empty(k, strength.dtype)
    for q in range(k):  # the found half-edges, compact, in their order: each to its stage's next place
        j = fill[st_t[q]]
        fill[st_t[q]] += 1
        e = e_t[q]
        r_out[j] = r_t[q]
        h_out[j] = h_t[q]
        e_out[j] = e
        k_out[j] = kind[e]
        s_out[j] = strength[e]
    return r_out, h_out, e_out, k_out, s_out, bounds


@njit(cache=True)
def mark_relations(
    rec, hlp, eid, gave, kind, usual, tie_u, tie_rel, flip, relation_of_kin, age, bits, household_member, gap
):  # pragma: no cover - compiled
    """Set, in place, the bit of each relation (sim.ties.RELATIONS) a helper helped over a half-edge that gave care
    (``gave``) and was not usual care: ``usual`` is (the household tie kind, each helper's hours for their household,
    the hours of usual care, the hours tolerance), and help over a household tie is usual care unless the helper's
    hours for their household are more than the usual care hours (``some_hours(hours − usual)``).

    The relation is the one recorded on the tie (``tie_rel``, read from the tie's end ``tie_u``; ``flip`` reads
    it from the other end), mapped by ``relation_of_kin`` to the bit of whom the helper helped. Where the
    recorded relation is unknown (a loaded graph that gives only the kind; ``relation_of_kin`` is -1) it is
    inferred from the age gap: a recipient at least ``gap`` years older is a parent (bit 1), one as much younger
    a child (bit 2); otherwise a household member (``household_member``) is a partner (bit 0) and a relative
    outside the household other family (bit 3).
    """
    household_kind, household_hours, usual_hours, eps = usual
    for j in range(rec.shape[0]):
        if gave[j] and (kind[j] != household_kind or household_hours[hlp[j]] - usual_hours > eps):
            e = eid[j]
            r = tie_rel[e]
            if tie_u[e] != rec[j]:
                r = flip[r]  # the recipient's relation towards the helper
            code = relation_of_kin[r]
            if code < 0:
                d = age[rec[j]] - age[hlp[j]]
                if d >= gap:
                    code = 1
                elif d <= -gap:
                    code = 2
                elif r == household_member:
                    code = 0
                else:
                    code = 3
            bits[hlp[j]] |= np.uint8(1 << code)


@njit(cache=True)
def sums_by_group(group, n_groups, values, masks):  # pragma: no cover - compiled
    """Per group, the sum of each row of ``values`` over the residents where the matching row of ``masks`` is true.

    ``values`` and ``masks`` are (fields, residents); sums accumulate in resident order, as ``np.bincount`` does.
    """
    out = np.zeros((values.shape[0], n_groups))
    for f in range(values.shape[0]):
        row, mask, acc = values[f], masks[f], out[f]
        for i in range(group.shape[0]):
            # Branch-free: adding 0.0 where the mask is false leaves a sum unchanged, bit for bit.
            acc[group[i]] += row[i] * mask[i]
    return out


def unique_inverse(ids: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(ids, return_inverse=True)`` for non-negative ids below ``n``, by a bitmap instead of a sort."""
    present = np.zeros(n, np.bool_)
    present[ids] = True
    uniq = np.flatnonzero(present)
    position = np.empty(n, np.int64)
    position[uniq] = np.arange(uniq.size)
    return uniq, position[ids]
