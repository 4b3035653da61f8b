"""The model description stays in step with the code: the ODD tables are current, every parameter is documented."""

from __future__ import annotations

from typing import Any

from omegaconf import DictConfig, ListConfig, OmegaConf

from samenkracht.sim.actions import registry
from samenkracht.sim.config import SimConfig
from samenkracht.sim.levers import iter_levers
from samenkracht.sim.params import iter_params
from samenkracht.tools.docs import END, LEVERS_END, LEVERS_START, ODD_PATH, STALE_MESSAGE, START, is_current, render

ACTIONS = registry()


def _is_number(value: Any) -> bool:
    if isinstance(value, (list, tuple)):
        return bool(value) and all(_is_number(v) for v in value)
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _leaves(cfg: Any, prefix: str = "") -> dict[str, Any]:
    """Every leaf of a Hydra config by its override path, read from the config itself (not from the docs code)."""
    out: dict[str, Any] = {}
    for key in cfg:
        value = cfg[key]
        path = f"{prefix}{key}"
        if isinstance(value, DictConfig) and len(value):
            out.update(_leaves(value, path + "."))
        else:
            out[path] = OmegaConf.to_container(value) if isinstance(value, (DictConfig, ListConfig)) else value
    return out


def _odd_rows() -> dict[str, list[str]]:
    """The rows of the parameter tables in docs/ODD.md as written in the file: key -> cells."""
    text = ODD_PATH.read_text(encoding="utf-8")
    section = text[text.index(START) : text.index(END)]
    rows = {}
    for line in section.splitlines():
        if line.startswith("| `"):
            cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
            rows[cells[0].strip("`")] = cells
    return rows


def test_odd_parameter_table_is_current() -> None:
    assert is_current(ODD_PATH), STALE_MESSAGE


def test_every_parameter_has_a_doc_string() -> None:
    undocumented = [key for key, _, meta in iter_params(SimConfig) if not str(meta.get("doc", "")).strip()]
    assert not undocumented, f"parameters without doc=: {', '.join(undocumented)}"


def test_every_number_parameter_has_a_unit_and_a_source() -> None:
    declared = [(key, value, meta) for key, value, meta in iter_params(SimConfig)]
    for name, cls in ACTIONS.items():
        declared += [(f"{name}.{key}", value, meta) for key, value, meta in iter_params(cls.Params)]
    missing = [
        key
        for key, value, meta in declared
        if _is_number(value) and not (str(meta.get("unit", "")).strip() and str(meta.get("source", "")).strip())
    ]
    assert not missing, f"number parameters without a unit or a source: {', '.join(missing)}"


def test_odd_parameter_table_lists_every_configuration_key_with_its_default() -> None:
    """The table in docs/ODD.md, as written, against the configuration Hydra composes (OmegaConf's own leaves)."""
    config = _leaves(OmegaConf.structured(SimConfig))
    rows = _odd_rows()
    assert sorted(rows) == sorted(config), (
        f"in the configuration, not in docs/ODD.md: {sorted(set(config) - set(rows))}; "
        f"in docs/ODD.md, not in the configuration: {sorted(set(rows) - set(config))}"
    )
    for key, value in config.items():
        written = rows[key][1].strip("`")
        parsed = OmegaConf.create({"x": None if written == "null" else OmegaConf.create(f"x: {written}").x}).x
        if isinstance(parsed, ListConfig):
            parsed = OmegaConf.to_container(parsed)
        if _is_number(value):
            ok = value == parsed or (isinstance(value, float) and abs(float(parsed) - value) <= 1e-6 * abs(value))
        else:
            ok = value == parsed or str(value) == str(parsed) or (value == "" and written == "''")
        assert ok, f"docs/ODD.md gives {key} the default {written}; the configuration has {value!r}"


def test_render_replaces_only_the_marked_section() -> None:
    text = f"before\n{START}\nold table\n{END}\nafter\n"
    out = render(text)
    assert out.startswith(f"before\n{START}\n") and out.endswith(f"{END}\nafter\n")
    assert "old table" not in out and "`burden.heavy_threshold`" in out
    assert render(out) == out


def test_readme_and_odd_list_every_action_parameter_with_unit_default_and_source() -> None:
    from samenkracht.tools.docs import README_PATH

    assert is_current(README_PATH), "README.md action tables are out of date: run `python -m samenkracht.tools.docs`"
    for path in (ODD_PATH, README_PATH):
        text = path.read_text(encoding="utf-8")
        for name, cls in ACTIONS.items():
            assert f"#### `{name}`" in text, (path.name, name)
            for key, value, meta in iter_params(cls.Params):
                assert f"| `{key}` |" in text, (path.name, name, key)
                assert str(meta.get("doc", "")).strip(), (name, key)
                assert not _is_number(value) or str(meta.get("unit", "")).strip(), (name, key)


def test_odd_lever_table_lists_every_lever_with_its_neutral_value_and_the_actions_that_pull_it() -> None:
    text = ODD_PATH.read_text(encoding="utf-8")
    rows = {}
    for line in text[text.index(LEVERS_START) : text.index(LEVERS_END)].splitlines():
        if line.startswith("| `"):
            cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
            rows[cells[0].strip("`")] = cells
    levers = dict(iter_levers())
    assert list(rows) == list(levers)
    for name, meta in levers.items():
        assert rows[name][1].startswith(f"`{str(meta['neutral']).lower()}") or rows[name][1].startswith(
            f"`{meta['neutral']:g}"
        ), (name, rows[name][1])
        assert meta["unit"] and meta["doc"] and meta["read_by"], name
        pulling = {a for a, cls in ACTIONS.items() if name in cls.pulls}
        assert {c.strip("`") for c in rows[name][5].split(", ")} - {"no ready-made action"} == pulling, name
        assert meta["nl"] in rows[name][3] and meta["en"] in rows[name][3], name
        if meta["combine"] is None:
            assert rows[name][6] == "not composable", name
        else:
            assert f"{meta['lo']:g}–{meta['hi']:g}" in rows[name][6], name
