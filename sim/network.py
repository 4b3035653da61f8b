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

from samenkracht.sim.kernels_care import set_bits
from samenkracht.sim.kernels_demography import EMPTY_KEY, append_ties, key_table, new_pairs, tie_index, ties_listed
from samenkracht.sim.params import param
from samenkracht.sim.population import PARENT_AGE_AT_BIRTH, PARENT_GAP_RANGE
from samenkracht.sim.ties import DEFAULT_STRENGTH, KIN_RELATIONS, KIND_CODE, REL_CODE, REL_FLIP, TIE_KINDS

_DEFAULT_STRENGTH_BY_CODE = np.array([DEFAULT_STRENGTH[k] for k in TIE_KINDS])
_REL_FLIP = np.asarray(REL_FLIP, dtype=np.int8)
#: The relation a tie of each kind records when none is given: kin of unknown relation, or none.
_UNKNOWN_REL_OF_KIND = np.array([REL_CODE.get(f"{k}_member", 0) for k in TIE_KINDS], dtype=np.int8)
#: What ``Ties.add`` passes to ``append_ties`` for no relations given, and for no half-edges kept.
_NO_REL = np.zeros(0, np.int8)
_NO_HALF = (np.zeros(0, np.int64),) * 3


def default_rel(kind: np.ndarray) -> np.ndarray:
    """The relation recorded for ties of these kinds when none is known (kin of unknown relation, or none)."""
    return _UNKNOWN_REL_OF_KIND[np.asarray(kind, dtype=np.int64)]


def oriented(u: np.ndarray, v: np.ndarray, rel: np.ndarray) -> np.ndarray:
    """The relations of ties given from ``u`` to ``v``, read from the lower end (as ``Ties`` stores them)."""
    rel = np.asarray(rel, dtype=np.int8)
    return np.where(u <= v, rel, _REL_FLIP[rel]).astype(np.int8)


@dataclass
class NetworkParams:
    """How the synthetic social graph is built (ignored where a graph file is given)."""

    graph_file: str = param("", doc="GraphML file with your own social graph; empty builds a synthetic one")
    children_in_municipality: float = param(
        0.6,
        unit="adult children per household 42+",
        lo=0,
        hi=6,
        doc="mean number of adult children living in the municipality (outside the home), per household whose "
        "oldest member is 42 or over; partners share them; the rest of their children live elsewhere "
        "(sim/mechanisms/kin_elsewhere.py)",
        source="CBS 2016, 'Alleenstaande ouders wonen het dichtst bij hun moeder' (1 January 2014): about half of "
        "adult children live within about 5 km of their mother, most of the rest further; about 2 children per "
        "parent: of a mid-sized municipality's older residents, somewhat less than one adult child lives in the same "
        "municipality (modelling assumption for the share inside the municipal border)",
    )
    siblings: float = param(
        0.25,
        unit="ties per adult",
        lo=0,
        hi=5,
        doc="mean number of sibling ties between adults of similar age whose parents do not live in the "
        "municipality (siblings who share parents here are tied through them)",
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

    The arrays live in buffers that grow by doubling, and the pairs already
    tied are a hash table, so adding a few ties a week costs in proportion to
    the ties added, not to all ties. An index of each resident's ties (rebuilt
    when the ties have grown by a share since) finds the ties of a few
    residents (``touching``) without a pass over all ties.
    """

    _FIELDS = ("u", "v", "kind", "strength", "alive", "rel")

    def __init__(
        self, u: np.ndarray, v: np.ndarray, kind: np.ndarray, strength: np.ndarray, rel: np.ndarray | None = None
    ) -> None:
        """Ties between ``u`` and ``v``; ``rel`` (codes of samenkracht.sim.ties.KIN_RELATIONS) is read from ``u``
        to ``v`` (u is v's parent: "parent"); without it kin ties record an unknown relation."""
        lo, hi = np.minimum(u, v), np.maximum(u, v)
        rel = default_rel(kind) if rel is None else oriented(u, v, rel)
        self._set(lo.astype(np.int64), hi.astype(np.int64), kind.astype(np.int8), strength.astype(np.float64), rel)

    def _set(self, u: np.ndarray, v: np.ndarray, kind: np.ndarray, strength: np.ndarray, rel: np.ndarray) -> None:
        m = u.shape[0]
        cap = max(16, 2 * m)
        self._buf = {
            "u": np.zeros(cap, np.int64),
            "v": np.zeros(cap, np.int64),
            "kind": np.zeros(cap, np.int8),
            "strength": np.zeros(cap, np.float64),
            "alive": np.zeros(cap, bool),
            "rel": np.zeros(cap, np.int8),
        }
        for name, values in zip(self._FIELDS, (u, v, kind, strength, np.ones(m, bool), rel)):
            self._buf[name][:m] = values
        self._m = m
        self._views()
        self._table_keys(self._key(self.u, self.v), m)
        self._half_buf: list[np.ndarray] | None = None
        self._half_m = 0
        self._nodes = int(v.max()) + 1 if m else 0  #: above every node id of a tie (v >= u)
        self._index: tuple[np.ndarray, np.ndarray] | None = None  #: each node's ties (``touching``)
        self._indexed = 0  #: ties below this are in the index; those added since are in lists by node:
        #: each node's first entry (entry 2t: tie t's lower end, 2t + 1: its higher end; -1: none) and the next
        self._head = np.full(max(16, 2 * self._nodes), -1, np.int64)
        self._next = np.empty(2 * cap, np.int64)
        #: The tie slots recording partners (ascending; ``rel``, ``u`` and ``v`` of a slot never change) and their
        #: ends, in rows of a buffer that grows.
        partner = np.flatnonzero(rel == REL_CODE["partner"])
        self._partner_buf = np.stack([partner, u[partner], v[partner]]).astype(np.int64)
        self._n_partner = partner.size

    def _views(self) -> None:
        for name in self._FIELDS:
            setattr(self, name, self._buf[name][: self._m])

    @staticmethod
    def _key(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        return lo.astype(np.int64) * (1 << 32) + hi.astype(np.int64)

    def _table_keys(self, keys: np.ndarray, more: int) -> None:
        """The set of tied pairs (``_key``; a pair stays in it after its tie is lost, until compaction), as a hash
        table with room for ``more`` further keys."""
        size = 64
        while size < 2 * (keys.size + more):
            size *= 2
        table = getattr(self, "_keys", None)  # the table of before compaction, if its size still fits
        if table is None or table.size != size:
            table = np.empty(size, np.int64)
        self._n_keys = key_table(keys, table)
        self._keys = table

    @property
    def m(self) -> int:
        """Number of tie slots (living and removed)."""
        return self._m

    def half_edges(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(recipient, helper, tie index) for both directions of every tie slot, int32 (the allocation's weekly
        scan of them for the half-edges that can carry care reads half the memory of int64)."""
        if self._half_buf is None:
            idx = np.arange(self.m)
            cap = 2 * self._buf["u"].shape[0]
            rec, hlp, eid = np.zeros(cap, np.int32), np.zeros(cap, np.int32), np.zeros(cap, np.int32)
            rec[: 2 * self.m] = np.concatenate([self.u, self.v])
            hlp[: 2 * self.m] = np.concatenate([self.v, self.u])
            eid[: 2 * self.m] = np.concatenate([idx, idx])
            self._half_buf = [rec, hlp, eid]
            self._half_m = 2 * self.m
        k = self._half_m
        rec, hlp, eid = self._half_buf
        return rec[:k], hlp[:k], eid[:k]

    def add(
        self, u: np.ndarray, v: np.ndarray, kind: np.ndarray, strength: np.ndarray, rel: np.ndarray | None = None
    ) -> None:
        """Append ties between pairs not tied yet (a pair whose tie was lost stays untied until compaction);
        ``rel``, read from ``u`` to ``v``, as for the constructor."""
        pairs = self._reserve(u, v)
        if pairs is None:
            return
        lo, hi, keep = pairs
        k, m = keep.size, self._m
        p = self._n_partner
        if p + k > self._partner_buf.shape[1]:  # room for each new tie to be a partner tie
            grown = np.empty((3, max(16, 2 * (p + k))), np.int64)
            grown[:, :p] = self._partner_buf[:, :p]
            self._partner_buf = grown
        half = self._half_buf if self._half_buf is not None else _NO_HALF
        top = int(hi.max()) + 1
        if top > self._head.shape[0]:
            head = np.full(max(2 * self._head.shape[0], top), -1, np.int64)
            head[: self._head.shape[0]] = self._head
            self._head = head
        # Written in one compiled pass: the ties, their half-edges, the partner ties among them.
        top, self._n_partner = append_ties(
            u,
            v,
            lo,
            hi,
            keep,
            kind,
            strength,
            _NO_REL if rel is None else np.asarray(rel, dtype=np.int8),
            rel is not None,
            _UNKNOWN_REL_OF_KIND,
            _REL_FLIP,
            *(self._buf[name] for name in self._FIELDS),
            m,
            *half,
            self._half_m,
            REL_CODE["partner"],
            self._partner_buf,
            p,
            self._head,
            self._next,
        )
        self._m = m + k
        self._views()
        self._nodes = max(self._nodes, top)
        if self._half_buf is not None:
            self._half_m += 2 * k

    def _reserve(self, u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """The pairs of ``u``, ``v`` to tie (not one with itself, not tied before, not an earlier pair of the same
        call: ``new_pairs``' lower ends, higher ends and the positions kept), entered in the key table, with room
        made for their ties; None when there are none."""
        if u.size == 0:
            return None
        if 2 * (self._n_keys + u.size) > self._keys.size:
            held = self._keys[self._keys != EMPTY_KEY]
            self._table_keys(held, max(held.size, u.size))
        lo, hi, keep = new_pairs(u, v, self._keys)
        k = keep.size
        if k == 0:
            return None
        self._n_keys += k
        if self._m + k > self._buf["u"].shape[0]:
            self._grow_to(self._m + k)
        return lo, hi, keep

    def partner_ties(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The tie slots that record partners (of any kind, living or lost), ascending, and their ends: what
        ``tie = np.flatnonzero(rel == REL_CODE["partner"])`` and ``u[tie]``, ``v[tie]`` give, kept up to date as
        ties are added (the ends side by side, so a pass over them does not read the whole tie arrays)."""
        tie, u, v = self._partner_buf[:, : self._n_partner]
        return tie, u, v

    def _grow_to(self, needed: int) -> None:
        cap = self._buf["u"].shape[0]
        while cap < needed:
            cap *= 2
        for name in self._FIELDS:
            old = self._buf[name]
            new = np.zeros(cap, old.dtype)
            new[: old.shape[0]] = old
            self._buf[name] = new
        grown = np.empty(2 * cap, np.int64)
        grown[: self._next.shape[0]] = self._next
        self._next = grown
        self._half_buf = None
        self._views()

    def touching(self, people: np.ndarray) -> np.ndarray:
        """The living ties with an end among ``people`` (resident slots), ascending: what
        ``np.flatnonzero(alive & (mark[u] | mark[v]))`` gives for the mask ``mark`` of ``people``, found through
        an index of each resident's ties instead of a pass over all ties."""
        people = np.asarray(people, dtype=np.int64)
        m = self._m
        if people.size == 0 or m == 0:
            return np.empty(0, np.int64)
        if self._index is None or m - self._indexed > max(1024, m // 4):
            self._index = tie_index(self.u, self.v, self._nodes)
            self._indexed = m
            self._head.fill(-1)  # no ties added since
        ptr, index = self._index
        found, words = ties_listed(ptr, index, self._head, self._next, self.alive, people, m)
        return set_bits(words) if words.size else found

    def remove_residents(self, idx: np.ndarray) -> None:
        """Remove every tie of the given resident slots (death, moving out)."""
        gone = self.touching(idx)
        self.alive[gone] = False
        self.strength[gone] = 0.0

    def compact(self) -> None:
        """Drop removed ties from the arrays."""
        if self.alive.all():
            return
        keep = self.alive.copy()
        self._set(self.u[keep], self.v[keep], self.kind[keep], self.strength[keep], self.rel[keep])

    def count_by_kind(self) -> dict[str, int]:
        """Number of living ties of each kind."""
        counts = np.bincount(self.kind[self.alive], minlength=len(TIE_KINDS))
        return {name: int(c) for name, c in zip(TIE_KINDS, counts)}

    def count_by_relation(self) -> dict[str, int]:
        """Number of living kin ties of each recorded relation (``none`` counts the ties that are not kin)."""
        counts = np.bincount(self.rel[self.alive], minlength=len(KIN_RELATIONS))
        return {name: int(c) for name, c in zip(KIN_RELATIONS, counts)}

    def relation_from(self, tie: np.ndarray, end: np.ndarray) -> np.ndarray:
        """The relation of ``end`` (one end of each tie) towards the tie's other end: "parent" if ``end`` is the
        other's parent."""
        rel = self.rel[tie]
        return np.where(self.u[tie] == end, rel, _REL_FLIP[rel]).astype(np.int8)


def to_networkx(ties: Ties, alive: np.ndarray, node_attrs: dict[str, np.ndarray] | None = None) -> nx.Graph:
    """Build the networkx graph of living residents and ties, with 'kind' and 'strength' on every edge."""
    graph = nx.Graph()
    nodes = np.flatnonzero(alive)
    attrs = node_attrs or {}
    graph.add_nodes_from((int(i), {name: values[i].item() for name, values in attrs.items()}) for i in nodes)
    live = np.flatnonzero(ties.alive)

    def edge(k: int, s: float, r: int) -> dict:
        data = {"kind": TIE_KINDS[k], "strength": float(s)}
        if KIN_RELATIONS[r] not in ("none", "household_member", "family_member"):
            data["relation"] = KIN_RELATIONS[r]  # of the lower node id towards the higher one
        return data

    graph.add_edges_from(
        (int(a), int(b), edge(k, s, r))
        for a, b, k, s, r in zip(ties.u[live], ties.v[live], ties.kind[live], ties.strength[live], ties.rel[live])
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

    Kin ties are built by :func:`build_kin` with their relations; friends and
    acquaintances are drawn among people of similar age and the same wijk (with a
    share of friendships bridging wijken); neighbours live in adjacent households
    of the same street order.
    """
    n = age.size
    adult = age >= 18
    us, vs, ks = [], [], []

    def put(a: np.ndarray, b: np.ndarray, kind: str) -> None:
        us.append(a)
        vs.append(b)
        ks.append(np.full(a.size, KIND_CODE[kind], dtype=np.int8))
        rels.append(np.zeros(a.size, dtype=np.int8))

    # Kin: household members, adult children living elsewhere in the municipality, in-laws, grandchildren and
    # siblings, each with its relation recorded.
    ku, kv, kk, kr = build_kin(params, age, household, rng)
    us.append(ku)
    vs.append(kv)
    ks.append(kk)
    rels = [kr]

    adults = np.flatnonzero(adult)
    if adults.size >= 2:
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

    u = np.concatenate(us)
    v = np.concatenate(vs)
    kind = np.concatenate(ks)
    rel = oriented(u, v, np.concatenate(rels))
    lo, hi = np.minimum(u, v), np.maximum(u, v)
    keep = lo != hi
    lo, hi, kind, rel = lo[keep], hi[keep], kind[keep], rel[keep]
    # One tie per pair: the closest kind (lowest code) wins, with its relation.
    if hi.size and int(hi.max()) < 1 << 27:  # one stable sort of (lo, hi, kind) packed in an int64: lexsort's order
        order = np.argsort((lo.astype(np.int64) << 27 | hi) << 3 | kind, kind="stable")
    else:
        order = np.lexsort((kind, hi, lo))
    lo, hi, kind, rel = lo[order], hi[order], kind[order], rel[order]
    first = np.ones(lo.size, dtype=bool)
    first[1:] = (lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1])
    lo, hi, kind, rel = lo[first], hi[first], kind[first], rel[first]
    spread = params.strength_spread
    strength = _DEFAULT_STRENGTH_BY_CODE[kind] * rng.uniform(1 - spread, 1 + spread, kind.size)
    return Ties(lo, hi, kind, np.clip(strength, 0.01, 1.0), rel)


def _pairs_within_groups(members: np.ndarray, group: np.ndarray, max_size: int = 12):
    """Every pair of ``members`` that share a ``group`` value (groups are small: at most ``max_size`` apart)."""
    order = np.argsort(group, kind="stable")
    m, g = members[order], group[order]
    a_out, b_out = [], []
    for lag in range(1, max_size):
        same = g[lag:] == g[:-lag]
        a_out.append(m[:-lag][same])
        b_out.append(m[lag:][same])
    return np.concatenate(a_out), np.concatenate(b_out)


def _join(left_key: np.ndarray, right_key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (i, j) with ``left_key[i] == right_key[j]`` (an inner join of two key arrays)."""
    order = np.argsort(right_key, kind="stable")
    rk = right_key[order]
    start = np.searchsorted(rk, left_key, side="left")
    stop = np.searchsorted(rk, left_key, side="right")
    count = stop - start
    i = np.repeat(np.arange(left_key.size), count)
    offset = np.arange(i.size) - np.repeat(np.cumsum(count) - count, count)
    j = order[np.repeat(start, count) + offset]
    return i, j


def partners_of(n: int, u: np.ndarray, v: np.ndarray, rel: np.ndarray) -> np.ndarray:
    """Each slot's partner (-1: none) from ties with relation partner."""
    partner = np.full(n, -1, np.int64)
    p = rel == REL_CODE["partner"]
    partner[u[p]] = v[p]
    partner[v[p]] = u[p]
    return partner


def build_kin(
    params: NetworkParams, age: np.ndarray, household: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The kin ties of a synthetic municipality, as (u, v, kind, relation of u towards v).

    Households: two adults are partners, an adult and a child under 18 parent and child (the population puts
    children with parents 18–45 years older), two children siblings. Outside the home: each household whose
    oldest member is 42 or over has a Poisson number of adult children living in the municipality, found among
    the adults of about the right age (18–45 years younger) who have no parents here yet; both partners are their
    parents; the child's partner becomes a child-in-law, the child's children grandchildren, and children of the
    same parents siblings. Most relatives live outside the municipality (sim/mechanisms/kin_elsewhere.py).
    """
    n = age.size
    adult = age >= 18
    out_u, out_v, out_k, out_r = [], [], [], []

    def put(a, b, kind: str, rel: str) -> None:
        out_u.append(a)
        out_v.append(b)
        out_k.append(np.full(a.size, KIND_CODE[kind], np.int8))
        out_r.append(np.full(a.size, REL_CODE[rel], np.int8))

    a, b = _pairs_within_groups(np.arange(n), household, 8)
    both = adult[a] & adult[b]
    put(a[both], b[both], "household", "partner")
    gap = age[a] - age[b]
    fits = (np.abs(gap) >= PARENT_GAP_RANGE[0]) & (np.abs(gap) <= PARENT_GAP_RANGE[1])
    a_par = adult[a] & ~adult[b] & fits
    put(a[a_par], b[a_par], "household", "parent")
    b_par = ~adult[a] & adult[b] & fits
    put(b[b_par], a[b_par], "household", "parent")
    other = (adult[a] ^ adult[b]) & ~fits  # a step-parent of unusual age: a household member of unknown relation
    put(a[other], b[other], "household", "household_member")
    minors = ~adult[a] & ~adult[b]
    put(a[minors], b[minors], "household", "sibling")
    partner = np.full(n, -1, np.int64)
    partner[a[both]] = b[both]
    partner[b[both]] = a[both]
    # Children at home, as (parent, child): for the grandchildren below.
    home_parent = np.concatenate([a[a_par], b[b_par]])
    home_child = np.concatenate([b[a_par], a[b_par]])

    adults = np.flatnonzero(adult)
    if adults.size < 2:
        return _cat(out_u, out_v, out_k, out_r)
    by_age = adults[np.argsort(age[adults], kind="stable")]
    sorted_age = age[by_age]
    # One "head" per household of elders (the partner with the lower slot stands for both).
    heads = adults[(age[adults] >= 42) & ((partner[adults] < 0) | (adults < partner[adults]))]
    k = rng.poisson(params.children_in_municipality, heads.size)
    head = np.repeat(heads, k)
    lo_gap, hi_gap = PARENT_AGE_AT_BIRTH
    child_age = age[head] - rng.uniform(lo_gap, hi_gap, head.size)
    pos = np.clip(np.searchsorted(sorted_age, child_age) + rng.integers(-3, 4, head.size), 0, by_age.size - 1)
    child = by_age[pos]
    gap = age[head] - age[child]
    ok = (household[child] != household[head]) & (gap >= PARENT_GAP_RANGE[0]) & (gap <= PARENT_GAP_RANGE[1])
    head, child = head[ok], child[ok]
    _, first = np.unique(child, return_index=True)  # one set of parents per child
    first.sort()
    head, child = head[first], child[first]
    # Both partners of the head are parents, where the age gap allows.
    p2 = partner[head]
    has2 = p2 >= 0
    gap2 = np.where(has2, age[np.maximum(p2, 0)] - age[child], 0.0)
    has2 &= (gap2 >= PARENT_GAP_RANGE[0]) & (gap2 <= PARENT_GAP_RANGE[1])
    par = np.concatenate([head, p2[has2]])
    kid = np.concatenate([child, child[has2]])
    put(par, kid, "family", "parent")
    # In-laws: the child's partner.
    cp = partner[kid]
    il = cp >= 0
    put(par[il], cp[il], "family", "parent_in_law")
    # Grandchildren: the child's children at home.
    i, j = _join(kid, home_parent)
    put(par[i], home_child[j], "family", "grandparent")
    # Siblings: children of the same parents (those living elsewhere here, and those still at home).
    fam = np.concatenate([household[head], household[home_parent]])
    sib = np.concatenate([child, home_child])
    fam = np.unique(np.stack([fam, sib]), axis=1)
    sa, sb = _pairs_within_groups(fam[1], fam[0], 12)
    away = household[sa] != household[sb]  # siblings at home together are tied as household already
    put(sa[away], sb[away], "family", "sibling")
    # Siblings whose parents live elsewhere: adults of similar age.
    a, b = _pairs_from_sorted(by_age, np.zeros(n, dtype=np.int64), params.siblings, 15, rng)
    ok = household[a] != household[b]
    put(a[ok], b[ok], "family", "sibling")
    return _cat(out_u, out_v, out_k, out_r)


def _cat(*parts: list[np.ndarray]) -> tuple[np.ndarray, ...]:
    dtypes = (np.int64, np.int64, np.int8, np.int8)
    return tuple(np.concatenate(p).astype(d) if p else np.empty(0, d) for p, d in zip(parts, dtypes))
