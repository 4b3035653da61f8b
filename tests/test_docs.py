"""The model description stays in step with the code: the ODD parameter table is current, every parameter is documented."""

from __future__ import annotations

from sim.config import SimConfig
from sim.docs import END, ODD_PATH, START, STALE_MESSAGE, is_current, parameter_table, render
from sim.params import iter_params


def test_odd_parameter_table_is_current() -> None:
    assert is_current(ODD_PATH), STALE_MESSAGE


def test_every_parameter_has_a_doc_string() -> None:
    undocumented = [key for key, _, meta in iter_params(SimConfig) if not str(meta.get("doc", "")).strip()]
    assert not undocumented, f"parameters without doc=: {', '.join(undocumented)}"


def test_parameter_table_lists_every_parameter_by_override_path() -> None:
    table = parameter_table()
    for key, _, _ in iter_params(SimConfig):
        assert f"| `{key}` |" in table


def test_render_replaces_only_the_marked_section() -> None:
    text = f"before\n{START}\nold table\n{END}\nafter\n"
    out = render(text)
    assert out.startswith(f"before\n{START}\n") and out.endswith(f"{END}\nafter\n")
    assert "old table" not in out and "`burden.heavy_threshold`" in out
    assert render(out) == out


def test_readme_and_odd_list_every_action_parameter_with_unit_default_and_source() -> None:
    from scenarios import actions as _  # noqa: F401
    from scenarios.registry import ACTIONS
    from sim.docs import README_PATH

    assert is_current(README_PATH), "README.md action tables are out of date: run `python -m sim.docs`"
    for path in (ODD_PATH, README_PATH):
        text = path.read_text(encoding="utf-8")
        for name, cls in ACTIONS.items():
            assert f"#### `{name}`" in text, (path.name, name)
            for key, _, meta in iter_params(cls.Params):
                assert f"| `{key}` |" in text, (path.name, name, key)
                assert meta.get("unit") is not None and str(meta.get("doc", "")).strip(), (name, key)
