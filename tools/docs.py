"""The parameter, action and lever tables of docs/ODD.md and README.md, generated from their declarations
(param() fields, the registered actions, lever() fields).

``python -m samenkracht.tools.docs`` rewrites the parts of those files between the markers
below; ``python -m samenkracht.tools.docs --check`` exits 1 if any part is out of date.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from samenkracht.sim.actions import Action, pulled_by, registry
from samenkracht.sim.config import SimConfig
from samenkracht.sim.levers import iter_levers, strength_unit
from samenkracht.sim.params import iter_params
from samenkracht.tools.outputs import write_atomic

START, END = "<!-- params:start -->", "<!-- params:end -->"
ACTIONS_START, ACTIONS_END = "<!-- actions:start -->", "<!-- actions:end -->"
LEVERS_START, LEVERS_END = "<!-- levers:start -->", "<!-- levers:end -->"
ROOT = Path(__file__).resolve().parent.parent
ODD_PATH = ROOT / "docs" / "ODD.md"
README_PATH = ROOT / "README.md"
STALE_MESSAGE = "docs/ODD.md parameter table is out of date: run `python -m samenkracht.tools.docs`"
_TOP_LEVEL = "run"  # heading for the leaves of SimConfig itself (seed, years)


def _number(x: Any) -> str:
    """A number as written in the table: integers exactly, floats in short form."""
    return str(x) if isinstance(x, int) and not isinstance(x, bool) else f"{x:g}"


def _default(value: Any) -> str:
    """A default as a Hydra override would spell it; lists compactly on one line."""
    if value is None:
        text = "null"
    elif isinstance(value, bool):
        text = str(value).lower()
    elif isinstance(value, (int, float)):
        text = _number(value)
    elif isinstance(value, str):
        text = repr(value) if value == "" else value
    elif isinstance(value, (list, tuple)):
        text = "[" + ", ".join(_default(v) for v in value) + "]"
    else:
        text = str(value)
    return text


def _range(lo: float | None, hi: float | None) -> str:
    """The inclusive range [lo, hi]: ``0–1``, ``≥ 0``, ``≤ 10``, or empty."""
    if lo is not None and hi is not None:
        return f"{_number(lo)}–{_number(hi)}"
    if lo is not None:
        return f"≥ {_number(lo)}"
    if hi is not None:
        return f"≤ {_number(hi)}"
    return ""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


HEADER = "| key | default | unit | range | meaning | source |\n| --- | --- | --- | --- | --- | --- |"


def _row(key: str, value: Any, meta: dict[str, Any]) -> str:
    """One parameter's table row: key, default, unit, range, meaning, source."""
    cells = [
        f"`{key}`",
        f"`{_default(value)}`",
        meta.get("unit", ""),
        _range(meta.get("lo"), meta.get("hi")),
        meta.get("doc", ""),
        meta.get("source", ""),
    ]
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def parameter_table() -> str:
    """Markdown tables of every SimConfig parameter, one per top-level section, in declaration order."""
    sections: dict[str, list[str]] = {}
    for key, value, meta in iter_params(SimConfig):
        section = key.split(".", 1)[0] if "." in key else _TOP_LEVEL
        sections.setdefault(section, []).append(_row(key, value, meta))
    return "\n".join(f"### {section}\n\n{HEADER}\n" + "\n".join(rows) + "\n" for section, rows in sections.items())


def actions_table() -> str:
    """Markdown tables of every registered municipal action's parameters, one per action."""
    schedule = (
        "| `start_year` | `0` | year | ≥ 0 | first simulated year the action runs (0 = the first) | scenario choice |\n"
        "| `end_year` | `null` | year | > start_year | year from which it no longer runs; null = to the end "
        "| scenario choice |\n"
        "| `wijken` | `all` | names or indices | | wijken it is limited to, e.g. `[wijk_1, 3]` | scenario choice |"
    )
    parts = []
    for name, cls in registry().items():
        doc = " ".join((cls.__doc__ or "").split())
        levers = ", ".join(f"`{lever}`" for lever in cls.pulls) or "none"
        doc += f" Levers: {levers}."
        if cls.step.__func__ is not Action.step.__func__:
            doc += " Its own weekly step: " + " ".join((cls.step.__doc__ or "").split("\n\n")[0].split())
        rows = [schedule, *(_row(key, value, meta) for key, value, meta in iter_params(cls.Params))]
        parts.append(f"#### `{name}`\n\n{doc}\n\n{HEADER}\n" + "\n".join(rows) + "\n")
    return "\n".join(parts)


def levers_table() -> str:
    """A Markdown table of every lever: its neutral value and unit, what it does in plain Dutch and English, what
    reads it, which actions pull it, and the strength and range an action composed in a scenario file may give it."""
    pulled = pulled_by()
    rows = [
        "| lever | neutral | unit | what it does (nl / en) | read by | pulled by | composed: strength, range |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, meta in iter_levers():
        neutral = _default(meta["neutral"]) + (f" × {meta['columns']}" if meta["columns"] else "")
        actions = ", ".join(f"`{a}`" for a in pulled[name]) or "no ready-made action"
        if meta["combine"] is None:
            composed = "not composable"
        else:
            composed = f"{strength_unit(meta)}, {_range(meta['lo'], meta['hi'])} (e.g. {_number(meta['suggested'])})"
            if meta["companions"]:
                composed += "; comes with " + ", ".join(f"`{c}` ≥ {_number(v)}" for c, v in meta["companions"].items())
        words = f"{meta['nl']} / *{meta['en']}*. {meta['doc'][0].upper()}{meta['doc'][1:]}."
        cells = [f"`{name}`", f"`{neutral}`", meta["unit"], words, meta["read_by"], actions, composed]
        rows.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(rows) + "\n"


def _replace(text: str, start_marker: str, end_marker: str, body: str, where: str) -> str:
    start, end = text.find(start_marker), text.find(end_marker)
    if start < 0 or end < start:
        raise ValueError(f"{where} must contain {start_marker} followed by {end_marker}")
    note = "<!-- generated by `python -m samenkracht.tools.docs` from the param() declarations; do not edit by hand -->"
    return f"{text[: start + len(start_marker)]}\n{note}\n\n{body}\n{text[end:]}"


def render(text: str, path: Path = ODD_PATH) -> str:
    """``text`` with every marked part present replaced by its generated table."""
    out = text
    if START in text or path == ODD_PATH:
        out = _replace(out, START, END, parameter_table(), path.name)
    if ACTIONS_START in text:
        out = _replace(out, ACTIONS_START, ACTIONS_END, actions_table(), path.name)
    if LEVERS_START in text:
        out = _replace(out, LEVERS_START, LEVERS_END, levers_table(), path.name)
    return out


def is_current(path: Path = ODD_PATH) -> bool:
    """Whether the tables in ``path`` are what ``render`` would write."""
    text = path.read_text(encoding="utf-8")
    return render(text, path) == text


def write(path: Path = ODD_PATH) -> None:
    """Rewrite the tables in ``path`` atomically, keeping its permissions; leave it untouched when they are current."""
    old = path.read_text(encoding="utf-8")
    new = render(old, path)
    if new == old:
        return
    mode = path.stat().st_mode & 0o777
    write_atomic(path, lambda p: p.write_text(new, encoding="utf-8", newline="\n"))
    os.chmod(path, mode)


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m samenkracht.tools.docs [--check]``."""
    parser = argparse.ArgumentParser(prog="python -m samenkracht.tools.docs", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/ODD.md's table is out of date")
    args = parser.parse_args(argv)
    paths = (ODD_PATH, README_PATH)
    if args.check:
        stale = [p for p in paths if not is_current(p)]
        for p in stale:
            print(STALE_MESSAGE.replace("docs/ODD.md", str(p.relative_to(ROOT))), file=sys.stderr)
        return 1 if stale else 0
    for p in paths:
        write(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
