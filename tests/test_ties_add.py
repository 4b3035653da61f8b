"""``Ties.add`` (one compiled pass, ``kernels_demography.append_ties``) gives exactly what its numpy version gave:
the same tie arrays, half-edges, partner ties and index of nodes, after any sequence of additions; and
``Ties.touching`` (``kernels_demography.ties_listed``) finds what a mask over all ties finds, all along."""

import numpy as np
import pytest

from samenkracht.sim.network import Ties, default_rel, oriented
from samenkracht.sim.ties import REL_CODE


class NumpyTies(Ties):
    """Ties whose ``add`` is the numpy version the compiled pass replaced."""

    def add(self, u, v, kind, strength, rel=None):
        pairs = self._reserve(u, v)  # the key table and the room for the ties, as Ties.add
        if pairs is None:
            return
        lo, hi, keep = pairs
        k, m = keep.size, self._m
        rel = default_rel(kind) if rel is None else oriented(u, v, rel)
        for name, values in zip(self._FIELDS, (lo[keep], hi[keep], kind[keep], strength[keep], True, rel[keep])):
            self._buf[name][m : m + k] = values
        self._m = m + k
        self._views()
        self._nodes = max(self._nodes, int(hi[keep].max()) + 1)
        partner = np.flatnonzero(rel[keep] == REL_CODE["partner"])
        if partner.size:
            p, q = self._n_partner, self._n_partner + partner.size
            if q > self._partner_buf.shape[1]:
                grown = np.empty((3, max(16, 2 * q)), np.int64)
                grown[:, :p] = self._partner_buf[:, :p]
                self._partner_buf = grown
            self._partner_buf[:, p:q] = [m + partner, self.u[m + partner], self.v[m + partner]]
            self._n_partner = q
        if self._half_buf is not None:
            rec, hlp, eid = self._half_buf
            h = self._half_m
            new_idx = np.arange(m, m + k)
            rec[h : h + 2 * k] = np.concatenate([lo[keep], hi[keep]])
            hlp[h : h + 2 * k] = np.concatenate([hi[keep], lo[keep]])
            eid[h : h + 2 * k] = np.concatenate([new_idx, new_idx])
            self._half_m = h + 2 * k


def _same(a: Ties, b: Ties) -> None:
    for name in Ties._FIELDS:
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype
        np.testing.assert_array_equal(x, y)
    for x, y in zip(a.partner_ties(), b.partner_ties()):
        np.testing.assert_array_equal(x, y)
    assert a._nodes == b._nodes and a._n_keys == b._n_keys and a._half_m == b._half_m
    assert (a._half_buf is None) == (b._half_buf is None)
    if a._half_buf is not None:
        for x, y in zip(a.half_edges(), b.half_edges()):
            np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("m0", [0, 1, 400])
def test_add_equals_the_numpy_version(seed, m0):
    rng = np.random.default_rng(seed)
    n = 200
    codes = np.array([0, REL_CODE["partner"], REL_CODE["parent"], REL_CODE["child"]], np.int8)
    made = []
    for cls in (Ties, NumpyTies):
        r = np.random.default_rng(seed)
        u, v = r.integers(0, n, m0), r.integers(0, n, m0)
        made.append(cls(u, v, r.integers(0, 7, m0).astype(np.int8), r.random(m0), r.choice(codes, m0)))
    new, old = made
    _same(new, old)
    for step in range(40):
        k = int(rng.choice([0, 1, 3, 50, 300]))
        u, v = rng.integers(0, n + 30, k), rng.integers(0, n + 30, k)
        kind = rng.integers(0, 7, k).astype(rng.choice([np.int8, np.int64]))
        strength = rng.random(k)
        rel = rng.choice(codes, k) if rng.random() < 0.5 else None
        for t in (new, old):
            if step == 5:
                t.half_edges()
            if step == 25:
                t.alive[: t.m // 2] = False
                t.compact()
            t.add(u, v, kind, strength, rel)
        _same(new, old)
        for k in (1, 4, 80):  # the ties of a few residents, through the index and the lists of ties added since
            people = rng.integers(0, n + 40, k)
            mark = np.zeros(n + 40, bool)
            mark[people] = True
            np.testing.assert_array_equal(new.touching(people), np.flatnonzero(new.alive & (mark[new.u] | mark[new.v])))
        if step == 15:
            new.half_edges()
            old.half_edges()


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("n", [1000, 40000])  # many ties a resident, and few
def test_ties_listed_equals_the_numpy_version(seed, n):
    from conftest import random_tie_ends

    from samenkracht.sim.kernels_care import set_bits
    from samenkracht.sim.kernels_demography import tie_index, ties_listed

    rng = np.random.default_rng(seed)
    m = 20000
    u, v = random_tie_ends(rng, n, m)
    lo, hi = np.minimum(u, v), np.maximum(u, v)
    alive = rng.random(m) < 0.85
    for indexed in (m, m - 30, m - 3000, 0):  # the ties added since the index was built are in lists by node
        nodes = int(hi[:indexed].max()) + 1 if indexed else 0  # the index covers the nodes of the ties it holds
        ptr, index = tie_index(lo[:indexed], hi[:indexed], nodes)
        head, nxt = np.full(n + int(rng.integers(0, 5)), -1, np.int64), np.empty(2 * m, np.int64)
        for t in range(indexed, m):  # as append_ties links them
            for e, end in ((2 * t, lo[t]), (2 * t + 1, hi[t])):
                nxt[e], head[end] = head[end], e
        for size in (1, 3, 40, 300, 1000):  # few ties found (sorted) and many (read out of a bitmap)
            people = rng.choice(n, size, replace=size > 500)  # unsorted, with repeats when many
            mark = np.zeros(n, bool)
            mark[people] = True
            expected = np.flatnonzero(alive & (mark[lo] | mark[hi]))
            found, words = ties_listed(ptr, index, head, nxt, alive, people, m)
            got = set_bits(words) if words.size else found
            assert got.dtype == np.int64
            np.testing.assert_array_equal(got, expected)
