"""Social ties: the edge arrays the weekly mechanisms work on, and the networkx graph kept in step with them.

Ties are stored as parallel arrays (endpoints, kind, strength). Each weekly
mechanism works on these arrays (numpy bincount over half-edges, which is a
sparse matrix–vector product); ``to_networkx`` builds the networkx graph for
analysis, drawing and GraphML export whenever it is asked for.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np

from samenkracht.sim.kernels import remove_touching
from samenkracht.sim.params import param
from samenkracht.sim.ties import DEFAULT_STRENGTH, KIND_CODE, TIE_KINDS

_DEFAULT_STRENGTH_BY_CODE = np.array([DEFAULT_STRENGTH[k] for k in TIE_KINDS])


@dataclass
class NetworkParams:
    """How the synthetic social graph is built (ignored where a graph file is given)."""

    graph_file: str = param("", doc="GraphML file with your own social graph; empty builds a synthetic one")
    children_in_municipality: float = param(
        0.8,
        unit="adult children per resident 42+",
        lo=0,
        hi=6,
        doc="mean number of adult children living in the municipality, per resident aged 42 or over",
        source="CBS: about half of adult children live within 10 km of their parents; 2 children on average",
    )
    siblings: float = param(
        0.4, unit="ties per adult", lo=0, hi=5, doc="mean number of sibling ties in the municipality"
    )
    friends: float = param(3.0, unit="ties per adult", lo=0, hi=20, doc="mean number of friends")
    friends_other_wijk: float = param(
        0.35, unit="share", lo=0, hi=1, doc="share of friendships that bridge to another wijk"
    )
    neighbours: float = param(2.0, unit="ties per adult", lo=0, hi=20, doc="mean number of neighbour ties")
    acquaintances: float = param(3.0, unit="ties per adult", lo=0, hi=30, doc="mean number of acquaintance ties")
    strength_spread: float = param(
        0.4,
        unit="relative",
        lo=0,
        hi=1,
        doc="initial strength varies uniformly by ± this fraction around the kind's default",
    )


class Ties:
    """Undirected ties as arrays; removed ties are compacted away once a year.

    The arrays live in buffers that grow by doubling, so adding a few ties a
    week costs in proportion to the ties added, not to all ties.
    """

    _FIELDS = ("u", "v", "kind", "strength", "alive")

    def __init__(self, u: np.ndarray, v: np.ndarray, kind: np.ndarray, strength: np.ndarray) -> None:
        lo, hi = np.minimum(u, v), np.maximum(u, v)
        self._set(lo.astype(np.int64), hi.astype(np.int64), kind.astype(np.int8), strength.astype(np.float64))

    def _set(self, u: np.ndarray, v: np.ndarray, kind: np.ndarray, strength: np.ndarray) -> None:
        m = u.shape[0]
        cap = max(16, 2 * m)
        self._buf = {
            "u": np.zeros(cap, np.int64),
            "v": np.zeros(cap, np.int64),
            "kind": np.zeros(cap, np.int8),
            "strength": np.zeros(cap, np.float64),
            "alive": np.zeros(cap, bool),
        }
        for name, values in zip(self._FIELDS, (u, v, kind, strength, np.ones(m, bool))):
            self._buf[name][:m] = values
        self._m = m
        self._views()
        self._keys: set[int] = set(self._key(self.u, self.v).tolist())
        self._half_buf: list[np.ndarray] | None = None
        self._half_m = 0

    def _views(self) -> None:
        for name in self._FIELDS:
            setattr(self, name, self._buf[name][: self._m])

    @staticmethod
    def _key(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        return lo.astype(np.int64) * (1 << 32) + hi.astype(np.int64)

    @property
    def m(self) -> int:
        """Number of tie slots (living and removed)."""
        return self._m

    def half_edges(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(recipient, helper, tie index) for both directions of every tie slot."""
        if self._half_buf is None:
            idx = np.arange(self.m)
            cap = 2 * self._buf["u"].shape[0]
            rec, hlp, eid = np.zeros(cap, np.int64), np.zeros(cap, np.int64), np.zeros(cap, np.int64)
            rec[: 2 * self.m] = np.concatenate([self.u, self.v])
            hlp[: 2 * self.m] = np.concatenate([self.v, self.u])
            eid[: 2 * self.m] = np.concatenate([idx, idx])
            self._half_buf = [rec, hlp, eid]
            self._half_m = 2 * self.m
        k = self._half_m
        rec, hlp, eid = self._half_buf
        return rec[:k], hlp[:k], eid[:k]

    def add(self, u: np.ndarray, v: np.ndarray, kind: np.ndarray, strength: np.ndarray) -> None:
        """Append ties between pairs not tied yet (a pair whose tie was lost stays untied until compaction)."""
        if u.size == 0:
            return
        lo, hi = np.minimum(u, v), np.maximum(u, v)
        keep = lo != hi
        key_new = self._key(lo, hi)
        keys = self._keys
        keep &= np.fromiter((k not in keys for k in key_new.tolist()), bool, key_new.size)
        _, first = np.unique(key_new, return_index=True)
        once = np.zeros(keep.shape, dtype=bool)
        once[first] = True
        keep &= once
        k = int(keep.sum())
        if k == 0:
            return
        m = self._m
        if m + k > self._buf["u"].shape[0]:
            self._grow_to(m + k)
        for name, values in zip(self._FIELDS, (lo[keep], hi[keep], kind[keep], strength[keep], True)):
            self._buf[name][m : m + k] = values
        self._m = m + k
        self._views()
        keys.update(key_new[keep].tolist())
        if self._half_buf is not None:
            rec, hlp, eid = self._half_buf
            h = self._half_m
            new_idx = np.arange(m, m + k)
            rec[h : h + 2 * k] = np.concatenate([lo[keep], hi[keep]])
            hlp[h : h + 2 * k] = np.concatenate([hi[keep], lo[keep]])
            eid[h : h + 2 * k] = np.concatenate([new_idx, new_idx])
            self._half_m = h + 2 * k

    def _grow_to(self, needed: int) -> None:
        cap = self._buf["u"].shape[0]
        while cap < needed:
            cap *= 2
        for name in self._FIELDS:
            old = self._buf[name]
            new = np.zeros(cap, old.dtype)
            new[: old.shape[0]] = old
            self._buf[name] = new
        self._half_buf = None
        self._views()

    def remove_residents(self, idx: np.ndarray) -> None:
        """Remove every tie of the given resident slots (death, moving out)."""
        if idx.size == 0 or self.m == 0:
            return
        gone = np.zeros(max(int(self.v.max()), int(idx.max())) + 1, dtype=bool)  # v >= u: v.max() is the largest end
        gone[idx] = True
        remove_touching(self.u, self.v, self.alive, self.strength, self.kind, gone, -1)

    def compact(self) -> None:
        """Drop removed ties from the arrays."""
        if self.alive.all():
            return
        keep = self.alive.copy()
        self._set(self.u[keep], self.v[keep], self.kind[keep], self.strength[keep])

    def count_by_kind(self) -> dict[str, int]:
        """Number of living ties of each kind."""
        counts = np.bincount(self.kind[self.alive], minlength=len(TIE_KINDS))
        return {name: int(c) for name, c in zip(TIE_KINDS, counts)}


def to_networkx(ties: Ties, alive: np.ndarray, node_attrs: dict[str, np.ndarray] | None = None) -> nx.Graph:
    """Build the networkx graph of living residents and ties, with 'kind' and 'strength' on every edge."""
    graph = nx.Graph()
    nodes = np.flatnonzero(alive)
    attrs = node_attrs or {}
    graph.add_nodes_from((int(i), {name: values[i].item() for name, values in attrs.items()}) for i in nodes)
    live = np.flatnonzero(ties.alive)
    graph.add_edges_from(
        (int(a), int(b), {"kind": TIE_KINDS[k], "strength": float(s)})
        for a, b, k, s in zip(ties.u[live], ties.v[live], ties.kind[live], ties.strength[live])
    )
    return graph


def _pairs_from_sorted(
    order: np.ndarray, group: np.ndarray, mean_ties: float, max_offset: int, rng: np.random.Generator
):
    """Tie each resident in ``order`` to others near it in that order (homophily), within the same group."""
    n = order.size
    if n < 2 or mean_ties <= 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    per = rng.poisson(mean_ties / 2.0, n)  # each tie has two ends
    src_pos = np.repeat(np.arange(n), per)
    offset = rng.integers(1, max_offset + 1, src_pos.size) * rng.choice([-1, 1], src_pos.size)
    dst_pos = np.clip(src_pos + offset, 0, n - 1)
    a, b = order[src_pos], order[dst_pos]
    same = (group[a] == group[b]) & (a != b)
    return a[same], b[same]


def build_ties(
    params: NetworkParams,
    age: np.ndarray,
    wijk: np.ndarray,
    household: np.ndarray,
    rng: np.random.Generator,
) -> Ties:
    """Build a synthetic social graph: household, family, friend, neighbour and acquaintance ties.

    Friends and acquaintances are drawn among people of similar age and the same
    wijk (with a share of friendships bridging wijken); neighbours live in
    adjacent households of the same street order; family ties link older
    residents to adult children about 24–36 years younger and adults to siblings.
    """
    n = age.size
    adult = age >= 18
    us, vs, ks = [], [], []

    def put(a: np.ndarray, b: np.ndarray, kind: str) -> None:
        us.append(a)
        vs.append(b)
        ks.append(np.full(a.size, KIND_CODE[kind], dtype=np.int8))

    # Household: everyone tied to everyone in their household (households are small).
    order = np.argsort(household, kind="stable")
    hh_sorted = household[order]
    for lag in range(1, 8):
        same = hh_sorted[lag:] == hh_sorted[:-lag]
        put(order[lag:][same], order[:-lag][same], "household")

    adults = np.flatnonzero(adult)
    if adults.size >= 2:
        # Family: adult children of older residents, and siblings of similar age.
        by_age = adults[np.argsort(age[adults], kind="stable")]
        sorted_age = age[by_age]
        elders = adults[age[adults] >= 42]
        k = rng.poisson(params.children_in_municipality, elders.size)
        parent = np.repeat(elders, k)
        child_age = age[parent] - rng.uniform(24, 36, parent.size)
        pos = np.clip(np.searchsorted(sorted_age, child_age) + rng.integers(-3, 4, parent.size), 0, by_age.size - 1)
        child = by_age[pos]
        ok = (household[child] != household[parent]) & (age[child] >= 18)
        put(parent[ok], child[ok], "family")
        a, b = _pairs_from_sorted(by_age, np.zeros(n, dtype=np.int64), params.siblings, 15, rng)
        ok = household[a] != household[b]
        put(a[ok], b[ok], "family")

        # Friends: similar age, mostly in the same wijk.
        noisy_age = age + rng.normal(0, 4, n)
        local = adults[np.lexsort((noisy_age[adults], wijk[adults]))]
        a, b = _pairs_from_sorted(local, wijk, params.friends * (1 - params.friends_other_wijk), 6, rng)
        put(a, b, "friend")
        glob = adults[np.argsort(noisy_age[adults], kind="stable")]
        a, b = _pairs_from_sorted(
            glob, np.zeros(n, dtype=np.int64), params.friends * params.friends_other_wijk, 20, rng
        )
        put(a, b, "friend")

        # Neighbours: adults in nearby households along the wijk's street order.
        street = rng.permutation(int(household.max()) + 1)
        along = adults[np.lexsort((street[household[adults]], wijk[adults]))]
        a, b = _pairs_from_sorted(along, wijk, params.neighbours, 4, rng)
        ok = household[a] != household[b]
        put(a[ok], b[ok], "neighbour")

        # Acquaintances: anyone in the same wijk.
        shuffled = adults[np.lexsort((rng.random(adults.size), wijk[adults]))]
        a, b = _pairs_from_sorted(shuffled, wijk, params.acquaintances, 40, rng)
        put(a, b, "acquaintance")

    u = np.concatenate(us) if us else np.empty(0, np.int64)
    v = np.concatenate(vs) if vs else np.empty(0, np.int64)
    kind = np.concatenate(ks) if ks else np.empty(0, np.int8)
    lo, hi = np.minimum(u, v), np.maximum(u, v)
    keep = lo != hi
    lo, hi, kind = lo[keep], hi[keep], kind[keep]
    # One tie per pair: the closest kind (lowest code) wins.
    order = np.lexsort((kind, hi, lo))
    lo, hi, kind = lo[order], hi[order], kind[order]
    first = np.ones(lo.size, dtype=bool)
    first[1:] = (lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1])
    lo, hi, kind = lo[first], hi[first], kind[first]
    spread = params.strength_spread
    strength = _DEFAULT_STRENGTH_BY_CODE[kind] * rng.uniform(1 - spread, 1 + spread, kind.size)
    return Ties(lo, hi, kind, np.clip(strength, 0.01, 1.0))
