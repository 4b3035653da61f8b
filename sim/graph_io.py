"""Loading a user's own social graph from GraphML (and writing one).

A graph file describes the residents (nodes) and their ties (edges):

* every edge carries ``kind``, one of :data:`samenkracht.sim.ties.TIE_KINDS`, and may carry
  ``strength`` (a number in [0, 1]; without it the kind's
  :data:`samenkracht.sim.ties.DEFAULT_STRENGTH` is used);
* a ``household`` or ``family`` edge may carry ``relation``, the relation of
  the edge's source node towards its target (``partner``, ``parent``, ``child``,
  ``sibling``, ``parent_in_law``, ``child_in_law``, ``grandparent``,
  ``grandchild``: :data:`samenkracht.sim.ties.KIN_RELATIONS`); the graph export
  writes it the same way. An edge that gives only the kind keeps it as it is:
  its relation is unknown, and whom a carer helps over it is inferred from the
  age gap (a parent or child at 15 years or more);
* nodes may carry ``age`` (years, 0..110), ``wijk`` (neighbourhood label) and
  ``household`` (household label). Each of these is all-or-none: either every
  node has it or no node has it.

Directed graphs are read as undirected. Parallel edges and self-loops are
refused. Every problem raises :class:`samenkracht.sim.errors.InputError` with a message
that starts with the config key ``network.graph_file`` and says how to fix it.
"""

from __future__ import annotations

import math
import os
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np

from samenkracht.sim.errors import InputError
from samenkracht.sim.ties import DEFAULT_STRENGTH, KIN_RELATIONS, KIND_CODE, REL_CODE, REL_FLIP, TIE_KINDS

__all__ = ["LoadedGraph", "load_graphml", "write_graphml"]

#: Config key that names the graph file; every error message starts with it.
CONFIG_KEY = "network.graph_file"
#: Accepted range of the node attribute ``age`` (years, inclusive).
AGE_MIN, AGE_MAX = 0.0, 110.0

_ALLOWED_KINDS = ", ".join(TIE_KINDS)
_INTEGER_LABEL = re.compile(r"[+-]?\d+")
_MISSING = object()


@dataclass(frozen=True)
class LoadedGraph:
    """A social graph read from a file, as arrays indexed by resident.

    Resident ``i`` is the node with id ``node_ids[i]``. Edges are undirected,
    stored once with ``u < v``, sorted by ``(u, v)``.
    """

    node_ids: list[str]  # the file's node ids, in file order; resident index i is node_ids[i]
    age: np.ndarray | None  # float64 years per resident, or None if no node carries 'age'
    wijk: np.ndarray | None  # int64 wijk index 0..W-1 per resident, or None if no node carries 'wijk'
    wijk_names: list[str] | None  # original wijk labels (string form) in index order
    household: np.ndarray | None  # int64 household index 0..H-1 per resident, or None
    u: np.ndarray  # int64, edge endpoint (resident index), u < v
    v: np.ndarray  # int64
    kind: np.ndarray  # int8 code into samenkracht.sim.ties.TIE_KINDS
    strength: np.ndarray  # float64 in [0, 1]
    rel: np.ndarray | None = None  # int8 code into KIN_RELATIONS, read from u to v; unknown kin where not given


# --------------------------------------------------------------------------- loading


def load_graphml(path: str | os.PathLike) -> LoadedGraph:
    """Read a GraphML file into a :class:`LoadedGraph`.

    Raises :class:`InputError` (message starting ``network.graph_file:``) for a
    missing or unreadable file, a file that is not GraphML, and any content
    problem (no nodes, parallel edges, self-loops, bad or missing ``kind``,
    bad ``strength``, bad or partly missing ``age``/``wijk``/``household``).
    """
    shown = os.fspath(path)
    if isinstance(shown, bytes):
        shown = os.fsdecode(shown)
    graph = _read_file(shown)

    if graph.number_of_nodes() == 0:
        raise _error(
            shown,
            "contains no nodes. Add the residents as <node> elements (one per "
            "resident), or point network.graph_file at another file.",
        )

    node_default: Mapping[str, Any] = graph.graph.get("node_default") or {}
    edge_default: Mapping[str, Any] = graph.graph.get("edge_default") or {}

    node_ids = [str(n) for n in graph.nodes]
    index: dict[Hashable, int] = {n: i for i, n in enumerate(graph.nodes)}

    _refuse_self_loops(shown, graph)
    if graph.is_multigraph():
        graph = _refuse_parallel_edges(shown, graph)

    age = _node_age(shown, graph, node_default)
    wijk, wijk_names = _node_labels(shown, graph, node_default, "wijk", "neighbourhood")
    household, _ = _node_labels(shown, graph, node_default, "household", "household")

    u, v, kind, strength, rel = _edges(shown, graph, index, edge_default)

    return LoadedGraph(
        node_ids=node_ids,
        age=age,
        wijk=wijk,
        wijk_names=wijk_names,
        household=household,
        u=u,
        v=v,
        kind=kind,
        strength=strength,
        rel=rel,
    )


def _error(shown: str, text: str) -> InputError:
    return InputError(f"{CONFIG_KEY}: {shown} {text}")


def _read_file(shown: str) -> nx.Graph:
    """Open and parse the file, turning every failure into an InputError."""
    if not os.path.exists(shown):
        where = "" if os.path.isabs(shown) else f" (looked for {os.path.abspath(shown)})"
        raise _error(
            shown,
            f"does not exist{where}. Give the path of a GraphML file (absolute, "
            "or relative to the directory you run from).",
        )
    if os.path.isdir(shown):
        raise _error(
            shown,
            "is a directory, not a file. Give the path of a GraphML file inside it (for example .../network.graphml).",
        )
    if not os.path.isfile(shown):
        raise _error(shown, "is not a regular file. Give the path of a GraphML file.")
    try:
        handle = open(shown, "rb")
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise _error(
            shown,
            f"cannot be read: {reason}. Check the file's permissions, or copy it "
            "somewhere you can read and point network.graph_file there.",
        ) from exc

    with handle:
        try:
            graph = nx.read_graphml(handle)
        except (
            ET.ParseError,
            nx.NetworkXError,
            KeyError,
            ValueError,
            TypeError,
            AttributeError,
            IndexError,
            OSError,
        ) as exc:
            raise _error(
                shown,
                f"is not a valid GraphML file: {_parser_message(exc)}. Export the "
                "network as GraphML (for example with networkx.write_graphml, "
                "Gephi or yEd) and check that the XML is complete.",
            ) from exc
    return graph


def _parser_message(exc: BaseException) -> str:
    if isinstance(exc, (ET.ParseError, nx.NetworkXError)):
        text = str(exc)
    else:
        text = f"{type(exc).__name__}: {exc}"
    return text.rstrip(".") or type(exc).__name__


def _refuse_self_loops(shown: str, graph: nx.Graph) -> None:
    for a, _b, *_ in nx.selfloop_edges(graph):
        raise _error(
            shown,
            f"has a self-loop on node {str(a)!r} (an edge from the node to "
            "itself). Remove that edge: a resident cannot be tied to themselves.",
        )


def _refuse_parallel_edges(shown: str, graph: nx.Graph) -> nx.Graph:
    """Refuse a multigraph with parallel edges; return a simple graph otherwise."""
    for a, neighbours in graph.adj.items():
        for b, keyed in neighbours.items():
            if len(keyed) > 1:
                raise _error(
                    shown,
                    f"has parallel edges between {str(a)!r} and {str(b)!r} "
                    f"({len(keyed)} edges); keep one edge per pair (merge them "
                    "into one edge with the kind and strength you want).",
                )
    # Only reached for a file read with a multigraph flag but no actual parallel edges.
    return nx.DiGraph(graph) if graph.is_directed() else nx.Graph(graph)


# --------------------------------------------------------------------------- nodes


def _as_number(value: Any) -> float | None:
    """The value as a float, or None if it is not a number (bools and NaN are not)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return None if math.isnan(number) else number


def _node_values(shown: str, graph: nx.Graph, default: Mapping[str, Any], name: str) -> list[Any] | None:
    """The attribute's value on every node (file order), None if no node has it.

    A GraphML key default counts as a value for nodes without the attribute.
    """
    fallback = default.get(name, _MISSING)
    values: list[Any] = []
    missing: Hashable | None = None
    present: Hashable | None = None
    for node, data in graph.nodes(data=True):
        value = data.get(name, fallback)
        if value is _MISSING:
            if missing is None:
                missing = node
        else:
            if present is None:
                present = node
        values.append(value)
    if present is None:
        return None
    if missing is not None:
        raise _error(
            shown,
            f"node {str(missing)!r} has no {name!r}, but other nodes do (for "
            f"example {str(present)!r}): either every node has {name!r} or none. "
            f"Add {name!r} to node {str(missing)!r} (and any other node without "
            f"it), or remove {name!r} from all nodes.",
        )
    return values


def _node_age(shown: str, graph: nx.Graph, default: Mapping[str, Any]) -> np.ndarray | None:
    values = _node_values(shown, graph, default, "age")
    if values is None:
        return None
    age = np.empty(len(values), dtype=np.float64)
    for i, (node, value) in enumerate(zip(graph.nodes, values)):
        number = _as_number(value)
        if number is None:
            raise _error(
                shown,
                f"node {str(node)!r} has age {value!r}, which is not a number. "
                f"Give 'age' in years as a number from {AGE_MIN:g} to {AGE_MAX:g}.",
            )
        if not AGE_MIN <= number <= AGE_MAX:
            raise _error(
                shown,
                f"node {str(node)!r} has age {value!r}, outside {AGE_MIN:g}..{AGE_MAX:g}. "
                f"Give 'age' in years as a number from {AGE_MIN:g} to {AGE_MAX:g}.",
            )
        age[i] = number
    return age


def _label(value: Any) -> str | None:
    """The string form of a wijk/household label, None if it cannot be one."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        number = float(value)
        if math.isnan(number) or math.isinf(number):
            return None
        return str(int(number)) if number.is_integer() else repr(number)
    return str(value).strip()


def _sorted_labels(labels: Iterable[str]) -> list[str]:
    """Distinct labels in index order: numeric order if all are integers, else string order."""
    distinct = set(labels)
    if all(_INTEGER_LABEL.fullmatch(label) for label in distinct):
        return sorted(distinct, key=lambda label: (int(label), label))
    return sorted(distinct)


def _node_labels(
    shown: str, graph: nx.Graph, default: Mapping[str, Any], name: str, what: str
) -> tuple[np.ndarray | None, list[str] | None]:
    values = _node_values(shown, graph, default, name)
    if values is None:
        return None, None
    labels: list[str] = []
    for node, value in zip(graph.nodes, values):
        label = _label(value)
        if not label:
            raise _error(
                shown,
                f"node {str(node)!r} has an empty or unusable {name!r} ({value!r}). "
                f"Give every node a {what} label (a number or a name) in {name!r}.",
            )
        labels.append(label)
    names = _sorted_labels(labels)
    code = {label: i for i, label in enumerate(names)}
    indices = np.fromiter((code[label] for label in labels), dtype=np.int64, count=len(labels))
    return indices, names


# --------------------------------------------------------------------------- edges


def _edge_kind(shown: str, a: Hashable, b: Hashable, value: Any) -> int:
    if value is _MISSING:
        raise _error(
            shown,
            f"edge ({str(a)!r}, {str(b)!r}) has no 'kind'. Give every edge a "
            f"'kind'; allowed kinds are: {_ALLOWED_KINDS}.",
        )
    code = KIND_CODE.get(value.strip()) if isinstance(value, str) else None
    if code is None:
        raise _error(
            shown,
            f"edge ({str(a)!r}, {str(b)!r}) has kind {value!r}, which is not a tie "
            f"kind. Set 'kind' to one of the allowed kinds: {_ALLOWED_KINDS}.",
        )
    return code


def _edge_strength(shown: str, a: Hashable, b: Hashable, value: Any, kind: int) -> float:
    if value is _MISSING:
        return DEFAULT_STRENGTH[TIE_KINDS[kind]]
    number = _as_number(value)
    if number is None:
        raise _error(
            shown,
            f"edge ({str(a)!r}, {str(b)!r}) has strength {value!r}, which is not a "
            "number. Give 'strength' as a number from 0 to 1, or leave it out to "
            "use the default strength of the edge's kind.",
        )
    if not 0.0 <= number <= 1.0:
        raise _error(
            shown,
            f"edge ({str(a)!r}, {str(b)!r}) has strength {value!r}, outside 0..1. "
            "Give 'strength' as a number from 0 to 1, or leave it out to use the "
            "default strength of the edge's kind.",
        )
    return number


def _edges(
    shown: str, graph: nx.Graph, index: Mapping[Hashable, int], default: Mapping[str, Any]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Validated edge arrays (u < v, sorted) and each edge's relation read from u to v; a directed graph is read
    as undirected.

    In a directed graph, a pair with edges both ways counts as one tie when
    both edges give the same kind and strength, and is refused otherwise.
    """
    kind_default = default.get("kind", _MISSING)
    strength_default = default.get("strength", _MISSING)
    directed = graph.is_directed()

    def parse(a: Hashable, b: Hashable, data: Mapping[str, Any]) -> tuple[int, float]:
        kind = _edge_kind(shown, a, b, data.get("kind", kind_default))
        strength = _edge_strength(shown, a, b, data.get("strength", strength_default), kind)
        return kind, strength

    m = graph.number_of_edges()
    u = np.empty(m, dtype=np.int64)
    v = np.empty(m, dtype=np.int64)
    kinds = np.empty(m, dtype=np.int8)
    strengths = np.empty(m, dtype=np.float64)
    rels = np.empty(m, dtype=np.int8)
    n = 0
    for a, b, data in graph.edges(data=True):
        kind, strength = parse(a, b, data)
        rel = _edge_relation(shown, a, b, data.get("relation", default.get("relation")), kind)
        i, j = index[a], index[b]
        if directed and graph.has_edge(b, a):
            back = parse(b, a, graph.edges[b, a])
            if back != (kind, strength):
                raise _error(
                    shown,
                    f"has edges both ways between {str(a)!r} and {str(b)!r} with "
                    f"different kind or strength ({TIE_KINDS[kind]} {strength:g} vs "
                    f"{TIE_KINDS[back[0]]} {back[1]:g}). Ties are read as undirected: "
                    "keep one edge per pair.",
                )
            if i > j:  # the b -> a edge stands for the pair
                continue
        if i > j:
            i, j = j, i
            rel = REL_FLIP[rel]
        u[n], v[n], kinds[n], strengths[n], rels[n] = i, j, kind, strength, rel
        n += 1

    u, v, kinds, strengths, rels = u[:n], v[:n], kinds[:n], strengths[:n], rels[:n]
    order = np.lexsort((v, u))
    return u[order], v[order], kinds[order], strengths[order], rels[order]


_GIVEN_RELATIONS = [r for r in KIN_RELATIONS if r not in ("none", "household_member", "family_member")]


def _edge_relation(shown: str, a: Hashable, b: Hashable, value: Any, kind: int) -> int:
    """The relation code of an edge (from a to b): as given, or unknown kin (none for other kinds)."""
    is_kin = TIE_KINDS[kind] in ("household", "family")
    if value is None or value == "":
        return REL_CODE[f"{TIE_KINDS[kind]}_member"] if is_kin else REL_CODE["none"]
    if not is_kin:
        raise _error(
            shown,
            f"edge ({str(a)!r}, {str(b)!r}) of kind {TIE_KINDS[kind]!r} has a 'relation'; only household and "
            "family edges carry one. Remove it, or make the edge a family tie.",
        )
    if value not in _GIVEN_RELATIONS:
        raise _error(
            shown,
            f"edge ({str(a)!r}, {str(b)!r}) has relation {value!r}. Give one of: {', '.join(_GIVEN_RELATIONS)} "
            "(of the edge's source towards its target), or leave it out.",
        )
    return REL_CODE[value]


# --------------------------------------------------------------------------- writing


def write_graphml(graph: nx.Graph, path: str | os.PathLike) -> None:
    """Write ``graph`` as GraphML to ``path`` atomically.

    The graph is written to a temporary file in the same folder, which then
    replaces ``path`` in one step, so readers never see a half-written file.
    The folder must exist.
    """
    target = os.fspath(path)
    if isinstance(target, bytes):
        target = os.fsdecode(target)
    folder, name = os.path.split(os.path.abspath(target))
    temp = os.path.join(folder, f".{name}.{uuid.uuid4().hex}.tmp")
    # 0o666 so the finished file gets the usual permissions under the umask.
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            nx.write_graphml(graph, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass
        raise
