"""Tests for samenkracht.sim.graph_io: reading a user's GraphML social graph, and writing one."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from samenkracht.sim import graph_io
from samenkracht.sim.errors import InputError
from samenkracht.sim.graph_io import LoadedGraph, load_graphml, write_graphml
from samenkracht.sim.ties import DEFAULT_STRENGTH, KIND_CODE, TIE_KINDS

GRAPHML_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
"""


def _write(tmp_path: Path, graph: nx.Graph, name: str = "net.graphml") -> Path:
    path = tmp_path / name
    nx.write_graphml(graph, path)
    return path


def _write_text(tmp_path: Path, text: str, name: str = "net.graphml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _refused(path: Path | str) -> str:
    with pytest.raises(InputError) as info:
        load_graphml(path)
    message = str(info.value)
    assert message.startswith("network.graph_file: ")
    return message


def _good_graph() -> nx.Graph:
    g = nx.Graph()
    g.add_node("anna", age=34, wijk=2, household="h-b")
    g.add_node("bram", age=36, wijk=0, household="h-b")
    g.add_node("cor", age=81.5, wijk=1, household="h-a")
    g.add_node("dina", age=7, wijk=2, household="h-b")
    g.add_edge("anna", "bram", kind="household", strength=0.95)
    g.add_edge("cor", "anna", kind="family")  # no strength: default for family
    g.add_edge("dina", "cor", kind="neighbour", strength=0)
    return g


def _edge_set(loaded: LoadedGraph) -> set[tuple[str, str, str, float]]:
    ids = loaded.node_ids
    return {
        (ids[a], ids[b], TIE_KINDS[k], float(s)) for a, b, k, s in zip(loaded.u, loaded.v, loaded.kind, loaded.strength)
    }


# ----------------------------------------------------------------------------- good files


def test_good_file_round_trips_ids_attributes_and_edges(tmp_path):
    loaded = load_graphml(_write(tmp_path, _good_graph()))

    assert loaded.node_ids == ["anna", "bram", "cor", "dina"]
    assert loaded.age.dtype == np.float64
    np.testing.assert_array_equal(loaded.age, [34.0, 36.0, 81.5, 7.0])
    assert loaded.wijk.dtype == np.int64
    np.testing.assert_array_equal(loaded.wijk, [2, 0, 1, 2])  # ints 0..2 map to themselves
    assert loaded.wijk_names == ["0", "1", "2"]
    assert loaded.household.dtype == np.int64
    np.testing.assert_array_equal(loaded.household, [1, 1, 0, 1])  # h-a -> 0, h-b -> 1

    assert loaded.u.dtype == np.int64 and loaded.v.dtype == np.int64
    assert loaded.kind.dtype == np.int8 and loaded.strength.dtype == np.float64
    assert np.all(loaded.u < loaded.v)
    assert _edge_set(loaded) == {
        ("anna", "bram", "household", 0.95),
        ("anna", "cor", "family", DEFAULT_STRENGTH["family"]),
        ("cor", "dina", "neighbour", 0.0),
    }


def test_edges_are_sorted_by_endpoint_indices(tmp_path):
    loaded = load_graphml(_write(tmp_path, _good_graph()))
    pairs = list(zip(loaded.u.tolist(), loaded.v.tolist()))
    assert pairs == sorted(pairs)


def test_missing_strength_uses_default_of_each_kind(tmp_path):
    g = nx.Graph()
    g.add_nodes_from(str(i) for i in range(len(TIE_KINDS) + 1))
    for i, kind in enumerate(TIE_KINDS):
        g.add_edge(str(i), str(i + 1), kind=kind)
    loaded = load_graphml(_write(tmp_path, g))
    for k, s in zip(loaded.kind, loaded.strength):
        assert s == DEFAULT_STRENGTH[TIE_KINDS[k]]
    assert sorted(loaded.kind.tolist()) == sorted(KIND_CODE.values())


def test_graph_without_node_attributes_gives_none_arrays(tmp_path):
    g = nx.Graph()
    g.add_edge("x", "y", kind="friend")
    g.add_node("z")  # isolated residents are fine
    loaded = load_graphml(_write(tmp_path, g))
    assert loaded.node_ids == ["x", "y", "z"]
    assert loaded.age is None
    assert loaded.wijk is None and loaded.wijk_names is None
    assert loaded.household is None
    assert loaded.kind.tolist() == [KIND_CODE["friend"]]


def test_graph_with_nodes_but_no_edges_loads_empty_edge_arrays(tmp_path):
    g = nx.Graph()
    g.add_nodes_from(["a", "b"])
    loaded = load_graphml(_write(tmp_path, g))
    assert loaded.u.shape == loaded.v.shape == loaded.kind.shape == loaded.strength.shape == (0,)
    assert loaded.u.dtype == np.int64 and loaded.kind.dtype == np.int8


def test_string_wijk_labels_map_in_sorted_order(tmp_path):
    g = nx.Graph()
    g.add_node("a", wijk="Zuid")
    g.add_node("b", wijk="Centrum")
    g.add_node("c", wijk="Noord")
    g.add_node("d", wijk="Centrum")
    loaded = load_graphml(_write(tmp_path, g))
    assert loaded.wijk_names == ["Centrum", "Noord", "Zuid"]
    np.testing.assert_array_equal(loaded.wijk, [2, 0, 1, 0])


def test_integer_wijk_labels_sort_numerically_not_as_text(tmp_path):
    g = nx.Graph()
    for i, label in enumerate([10, 2, 1, 10, 2]):
        g.add_node(f"n{i}", wijk=label)
    loaded = load_graphml(_write(tmp_path, g))
    assert loaded.wijk_names == ["1", "2", "10"]
    np.testing.assert_array_equal(loaded.wijk, [2, 1, 0, 2, 1])


def test_numeric_strings_are_accepted_for_age_and_integer_wijk(tmp_path):
    g = nx.Graph()
    g.add_node("a", age="34", wijk="3", household="7")
    g.add_node("b", age=" 61.5 ", wijk="12", household="7")
    loaded = load_graphml(_write(tmp_path, g))
    np.testing.assert_array_equal(loaded.age, [34.0, 61.5])
    assert loaded.wijk_names == ["3", "12"]
    np.testing.assert_array_equal(loaded.wijk, [0, 1])
    np.testing.assert_array_equal(loaded.household, [0, 0])


def test_float_typed_integer_wijk_labels_behave_like_ints(tmp_path):
    g = nx.Graph()
    g.add_node("a", wijk=1.0)
    g.add_node("b", wijk=0.0)
    loaded = load_graphml(_write(tmp_path, g))
    assert loaded.wijk_names == ["0", "1"]
    np.testing.assert_array_equal(loaded.wijk, [1, 0])


def test_household_labels_map_to_dense_indices(tmp_path):
    g = nx.Graph()
    for i, label in enumerate([500, 17, 500, 3]):
        g.add_node(f"p{i}", household=label)
    loaded = load_graphml(_write(tmp_path, g))
    np.testing.assert_array_equal(loaded.household, [2, 1, 2, 0])


def test_directed_graph_is_read_as_undirected(tmp_path):
    g = nx.DiGraph()
    g.add_nodes_from(["a", "b", "c"])
    g.add_edge("c", "a", kind="friend", strength=0.4)
    g.add_edge("a", "b", kind="family")
    g.add_edge("b", "a", kind="family")  # same tie both ways: one undirected tie
    loaded = load_graphml(_write(tmp_path, g))
    assert np.all(loaded.u < loaded.v)
    assert _edge_set(loaded) == {
        ("a", "c", "friend", 0.4),
        ("a", "b", "family", DEFAULT_STRENGTH["family"]),
    }


def test_hand_written_file_with_key_types_and_defaults(tmp_path):
    path = _write_text(
        tmp_path,
        GRAPHML_HEAD
        + """  <key id="k_age" for="node" attr.name="age" attr.type="string"/>
  <key id="k_wijk" for="node" attr.name="wijk" attr.type="int"/>
  <key id="k_kind" for="edge" attr.name="kind" attr.type="string">
    <default>acquaintance</default>
  </key>
  <key id="k_s" for="edge" attr.name="strength" attr.type="double"/>
  <graph edgedefault="undirected">
    <node id="n1"><data key="k_age">70</data><data key="k_wijk">1</data></node>
    <node id="n0"><data key="k_age">12.5</data><data key="k_wijk">0</data></node>
    <edge source="n1" target="n0"/>
    <edge source="n0" target="n2"><data key="k_kind">friend</data><data key="k_s">0.7</data></edge>
    <node id="n2"><data key="k_age">40</data><data key="k_wijk">1</data></node>
  </graph>
</graphml>
""",
    )
    loaded = load_graphml(path)
    assert loaded.node_ids == ["n1", "n0", "n2"]
    np.testing.assert_array_equal(loaded.age, [70.0, 12.5, 40.0])
    np.testing.assert_array_equal(loaded.wijk, [1, 0, 1])
    assert _edge_set(loaded) == {
        ("n1", "n0", "acquaintance", DEFAULT_STRENGTH["acquaintance"]),
        ("n0", "n2", "friend", 0.7),
    }


def test_path_may_be_a_string_or_a_pathlike(tmp_path):
    path = _write(tmp_path, _good_graph())
    assert load_graphml(str(path)).node_ids == load_graphml(path).node_ids


# ----------------------------------------------------------------------------- file problems


def test_missing_file_is_refused_with_how_to_give_the_path(tmp_path):
    missing = tmp_path / "nope.graphml"
    message = _refused(missing)
    assert str(missing) in message
    assert "does not exist" in message
    assert "relative to the directory you run from" in message


def test_missing_relative_path_says_where_it_looked(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    message = _refused("nope.graphml")
    assert "does not exist" in message
    assert str(tmp_path / "nope.graphml") in message


def test_directory_is_refused(tmp_path):
    message = _refused(tmp_path)
    assert str(tmp_path) in message
    assert "is a directory" in message


def test_unreadable_file_is_refused(tmp_path, monkeypatch):
    path = _write(tmp_path, _good_graph())

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(graph_io, "open", denied, raising=False)
    message = _refused(path)
    assert str(path) in message
    assert "cannot be read" in message and "Permission denied" in message


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read any file")
def test_file_without_read_permission_is_refused(tmp_path):
    path = _write(tmp_path, _good_graph())
    path.chmod(0)
    try:
        assert "cannot be read" in _refused(path)
    finally:
        path.chmod(stat.S_IRUSR | stat.S_IWUSR)


def test_file_that_is_not_xml_is_refused_as_not_graphml(tmp_path):
    path = _write_text(tmp_path, "name,age\nanna,34\n", name="people.csv")
    message = _refused(path)
    assert str(path) in message
    assert "is not a valid GraphML file" in message


def test_empty_file_is_refused_as_not_graphml(tmp_path):
    path = _write_text(tmp_path, "")
    assert "is not a valid GraphML file" in _refused(path)


def test_truncated_graphml_is_refused_as_not_graphml(tmp_path):
    text = "\n".join(nx.generate_graphml(_good_graph()))
    path = _write_text(tmp_path, text[: len(text) // 2])
    assert "is not a valid GraphML file" in _refused(path)


def test_xml_that_is_not_graphml_is_refused(tmp_path):
    path = _write_text(tmp_path, '<?xml version="1.0"?>\n<html><body>hi</body></html>\n')
    assert "is not a valid GraphML file" in _refused(path)


def test_data_with_undeclared_key_is_refused_as_not_graphml(tmp_path):
    path = _write_text(
        tmp_path,
        GRAPHML_HEAD
        + """  <graph edgedefault="undirected">
    <node id="a"><data key="nokey">1</data></node>
  </graph>
</graphml>
""",
    )
    message = _refused(path)
    assert "is not a valid GraphML file" in message
    assert "nokey" in message


def test_value_that_does_not_match_its_key_type_is_refused_as_not_graphml(tmp_path):
    path = _write_text(
        tmp_path,
        GRAPHML_HEAD
        + """  <key id="k_age" for="node" attr.name="age" attr.type="int"/>
  <graph edgedefault="undirected">
    <node id="a"><data key="k_age">old</data></node>
  </graph>
</graphml>
""",
    )
    assert "is not a valid GraphML file" in _refused(path)


# ----------------------------------------------------------------------------- structure problems


def test_graph_without_nodes_is_refused(tmp_path):
    path = _write(tmp_path, nx.Graph())
    message = _refused(path)
    assert "no nodes" in message


def test_parallel_edges_are_refused_naming_the_pair(tmp_path):
    path = _write_text(
        tmp_path,
        GRAPHML_HEAD
        + """  <key id="k" for="edge" attr.name="kind" attr.type="string"/>
  <graph edgedefault="undirected">
    <node id="a"/><node id="b"/>
    <edge source="a" target="b"><data key="k">friend</data></edge>
    <edge source="a" target="b"><data key="k">family</data></edge>
  </graph>
</graphml>
""",
    )
    message = _refused(path)
    assert "parallel edges" in message
    assert "'a'" in message and "'b'" in message
    assert "keep one edge per pair" in message


def test_parallel_edges_written_by_networkx_multigraph_are_refused(tmp_path):
    g = nx.MultiGraph()
    g.add_edge("p", "q", kind="friend")
    g.add_edge("q", "p", kind="neighbour")
    message = _refused(_write(tmp_path, g))
    assert "parallel edges" in message and "'p'" in message and "'q'" in message


def test_directed_edges_both_ways_with_different_kinds_are_refused(tmp_path):
    g = nx.DiGraph()
    g.add_edge("a", "b", kind="friend")
    g.add_edge("b", "a", kind="family")
    message = _refused(_write(tmp_path, g))
    assert "both ways" in message and "'a'" in message and "'b'" in message
    assert "keep one edge per pair" in message


def test_self_loop_is_refused_naming_the_node(tmp_path):
    g = nx.Graph()
    g.add_edge("a", "b", kind="friend")
    g.add_edge("loopy", "loopy", kind="friend")
    message = _refused(_write(tmp_path, g))
    assert "self-loop" in message and "'loopy'" in message


# ----------------------------------------------------------------------------- edge attribute problems


def test_edge_without_kind_is_refused_naming_the_edge_and_allowed_kinds(tmp_path):
    g = nx.Graph()
    g.add_edge("a", "b", kind="friend")
    g.add_edge("b", "c", strength=0.5)
    message = _refused(_write(tmp_path, g))
    assert "('b', 'c')" in message
    assert "no 'kind'" in message
    assert "allowed" in message
    assert all(kind in message for kind in TIE_KINDS)


def test_edge_with_unknown_kind_is_refused_naming_allowed_kinds(tmp_path):
    g = nx.Graph()
    g.add_edge("a", "b", kind="frend")
    message = _refused(_write(tmp_path, g))
    assert "('a', 'b')" in message
    assert "'frend'" in message
    assert "allowed" in message
    assert all(kind in message for kind in TIE_KINDS)


def test_edge_with_numeric_kind_is_refused(tmp_path):
    g = nx.Graph()
    g.add_edge("a", "b", kind=2)
    message = _refused(_write(tmp_path, g))
    assert "kind 2" in message and "allowed" in message


def test_edge_with_non_numeric_strength_is_refused_naming_the_edge(tmp_path):
    g = nx.Graph()
    g.add_edge("a", "b", kind="friend", strength="strong")
    message = _refused(_write(tmp_path, g))
    assert "('a', 'b')" in message
    assert "'strong'" in message and "not a number" in message


@pytest.mark.parametrize("bad", [1.5, -0.1])
def test_edge_with_strength_outside_zero_one_is_refused_naming_the_edge(tmp_path, bad):
    g = nx.Graph()
    g.add_edge("a", "b", kind="friend", strength=bad)
    message = _refused(_write(tmp_path, g))
    assert "('a', 'b')" in message
    assert "outside 0..1" in message


def test_edge_with_nan_strength_is_refused(tmp_path):
    g = nx.Graph()
    g.add_edge("a", "b", kind="friend", strength=float("nan"))
    assert "not a number" in _refused(_write(tmp_path, g))


def test_numeric_string_strength_is_accepted(tmp_path):
    g = nx.Graph()
    g.add_edge("a", "b", kind="friend", strength="0.25")
    loaded = load_graphml(_write(tmp_path, g))
    assert loaded.strength.tolist() == [0.25]


# ----------------------------------------------------------------------------- node attribute problems


@pytest.mark.parametrize("attribute", ["age", "wijk", "household"])
def test_node_attribute_on_some_nodes_only_is_refused_naming_a_node_without_it(tmp_path, attribute):
    g = nx.Graph()
    g.add_node("has", **{attribute: 3})
    g.add_node("lacks")
    g.add_node("has2", **{attribute: 4})
    message = _refused(_write(tmp_path, g))
    assert "'lacks'" in message
    assert f"either every node has '{attribute}' or none" in message


def test_age_that_is_not_a_number_is_refused_naming_the_node(tmp_path):
    g = nx.Graph()
    g.add_node("a", age="34")
    g.add_node("b", age="old")
    message = _refused(_write(tmp_path, g))
    assert "'b'" in message and "'old'" in message and "not a number" in message


@pytest.mark.parametrize("bad", [-1, 111, 250.0])
def test_age_outside_zero_to_110_is_refused_naming_the_node(tmp_path, bad):
    g = nx.Graph()
    g.add_node("ok", age=50)
    g.add_node("ancient", age=bad)
    message = _refused(_write(tmp_path, g))
    assert "'ancient'" in message and "outside 0..110" in message


def test_age_at_the_range_bounds_is_accepted(tmp_path):
    g = nx.Graph()
    g.add_node("newborn", age=0)
    g.add_node("oldest", age=110)
    np.testing.assert_array_equal(load_graphml(_write(tmp_path, g)).age, [0.0, 110.0])


def test_boolean_age_is_refused(tmp_path):
    g = nx.Graph()
    g.add_node("a", age=True)
    assert "not a number" in _refused(_write(tmp_path, g))


def test_empty_wijk_label_is_refused_naming_the_node(tmp_path):
    g = nx.Graph()
    g.add_node("a", wijk="Centrum")
    g.add_node("b", wijk="  ")
    message = _refused(_write(tmp_path, g))
    assert "'b'" in message and "'wijk'" in message


# ----------------------------------------------------------------------------- writing


def test_write_graphml_round_trips_through_load(tmp_path):
    path = tmp_path / "out.graphml"
    write_graphml(_good_graph(), path)
    loaded = load_graphml(path)
    assert loaded.node_ids == ["anna", "bram", "cor", "dina"]
    assert _edge_set(loaded) == _edge_set(load_graphml(_write(tmp_path, _good_graph())))


def test_write_graphml_replaces_existing_file_and_leaves_no_temp_files(tmp_path):
    path = tmp_path / "out.graphml"
    path.write_text("old contents", encoding="utf-8")
    g = nx.Graph()
    g.add_node("x", age=np.float64(40.0), wijk=np.int64(1))
    g.add_edge("x", "y", kind="friend", strength=np.float64(0.5))
    write_graphml(g, str(path))
    assert os.listdir(tmp_path) == ["out.graphml"]
    assert nx.read_graphml(path).nodes["x"]["age"] == 40.0


def test_write_graphml_failure_keeps_old_file_and_removes_temp_file(tmp_path):
    path = tmp_path / "out.graphml"
    path.write_text("old contents", encoding="utf-8")
    g = nx.Graph()
    g.add_node("x", weird=object())  # not writable as GraphML
    with pytest.raises(Exception):  # noqa: B017 (networkx raises its own or a TypeError)
        write_graphml(g, path)
    assert path.read_text(encoding="utf-8") == "old contents"
    assert os.listdir(tmp_path) == ["out.graphml"]
