"""The regression baseline: the yearly summary of one small fixed run, kept in tests/baseline.json.

Speed work must change no result. ``tests/test_regression.py`` runs
``BASELINE_CONFIG`` afresh and compares its yearly summary with the stored
file; when a model change is *meant* to change results, rewrite the file with

    python -m samenkracht.tools.regression --update        (or: make update-baseline)

and commit it with the change. ``python -m samenkracht.tools.regression`` without
``--update`` compares and lists the differences.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from samenkracht.sim.config import SimConfig

#: The fixed run: command-line overrides on the default configuration (conf/config.yaml), as for `samenkracht`.
BASELINE_CONFIG: dict[str, Any] = {"population.size": 2000, "years": 3, "seed": 12345}
BASELINE_PATH = Path(__file__).resolve().parent.parent / "tests" / "baseline.json"
UPDATE_COMMAND = "python -m samenkracht.tools.regression --update   (or: make update-baseline)"
#: Counts (columns whose every stored figure is an integer) must match exactly; every other figure to a relative
#: REL_TOL: numpy's SIMD exp/log/power may differ in the last bits between CPUs, a count may not.
REL_TOL = 1e-9
ABS_TOL = 1e-12


def compose_config(overrides: Sequence[str]) -> SimConfig:
    """The validated configuration `samenkracht` would run with these command-line overrides."""
    from samenkracht.tools.config_store import to_sim_config
    from samenkracht.tools.overrides import compose

    return to_sim_config(compose(list(overrides)))


def simd_extensions() -> dict[str, Any]:
    """The SIMD extensions numpy runs with on this machine (as ``numpy.show_runtime()`` reports them)."""
    import numpy as np
    from numpy._core._multiarray_umath import __cpu_baseline__, __cpu_dispatch__, __cpu_features__

    return {
        "numpy": np.__version__,
        "baseline": list(__cpu_baseline__),
        "found": [f for f in __cpu_dispatch__ if __cpu_features__.get(f)],
    }


def _stored(value: Any) -> Any:
    """A summary figure as stored (``tolist()`` has made it a Python number): NaN as None, the rest as it is."""
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def compute(config: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run the baseline configuration afresh; return its yearly summary, column by column, as stored in the file."""
    from samenkracht.sim.model import CareNetworkModel
    from samenkracht.tools.outputs import weekly_frame, yearly_summary

    overrides = BASELINE_CONFIG if config is None else config
    logging.getLogger("MESA").setLevel(logging.WARNING)
    model = CareNetworkModel(compose_config([f"{k}={v}" for k, v in overrides.items()]))
    model.run()
    summary = yearly_summary(weekly_frame(model), model.yearly)
    return {
        "about": "Yearly summary (summary.csv columns) of a fixed run: counts compare exactly, other figures to a "
        f"relative {REL_TOL:g}. Update with: {UPDATE_COMMAND}",
        "config": dict(overrides),
        "written_on": simd_extensions(),
        "summary": {str(col): [_stored(v) for v in summary[col].tolist()] for col in summary.columns},
    }


def load(path: Path = BASELINE_PATH) -> dict[str, Any]:
    """The stored baseline."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _is_count(values: list[Any]) -> bool:
    return bool(values) and all(isinstance(v, int) and not isinstance(v, bool) for v in values)


def _same(a: Any, b: Any, count: bool) -> bool:
    if count or a is None or b is None or isinstance(a, str) or isinstance(b, str):
        return a == b
    return math.isclose(float(a), float(b), rel_tol=REL_TOL, abs_tol=ABS_TOL)


def describe_machine(extensions: dict[str, Any] | None) -> str:
    """One line naming a machine's numpy and SIMD extensions, as stored in a baseline."""
    if not extensions:
        return "unknown (the baseline file does not say)"
    return (
        f"numpy {extensions.get('numpy', '?')}, baseline {' '.join(extensions.get('baseline', [])) or '-'}, "
        f"found {' '.join(extensions.get('found', [])) or '-'}"
    )


def differences(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """What differs between two baselines, one line per column (empty when they agree)."""
    out = []
    if expected.get("config") != actual.get("config"):
        out.append(f"config: stored {expected.get('config')}, now {actual.get('config')}")
    old, new = expected.get("summary", {}), actual.get("summary", {})
    if missing := [c for c in old if c not in new]:
        out.append(f"columns no longer produced: {', '.join(missing)}")
    if added := [c for c in new if c not in old]:
        out.append(f"new columns, not in the baseline: {', '.join(added)}")
    for col in (c for c in old if c in new):
        a, b = old[col], new[col]
        if len(a) != len(b):
            out.append(f"{col}: {len(a)} years stored, {len(b)} now")
            continue
        count = _is_count(a) and _is_count(b)
        bad = [(year, x, y) for year, (x, y) in enumerate(zip(a, b)) if not _same(x, y, count)]
        if bad:
            shown = "; ".join(f"year {year}: {x!r} → {y!r}" for year, x, y in bad[:3])
            more = f" (and {len(bad) - 3} more years)" if len(bad) > 3 else ""
            out.append(f"{col}{' (a count: must match exactly)' if count else ''}: {shown}{more}")
    if out and expected.get("written_on") != actual.get("written_on"):
        out.append(f"stored on: {describe_machine(expected.get('written_on'))}")
        out.append(f"run on:    {describe_machine(actual.get('written_on'))}")
    return out


def write(baseline: dict[str, Any], path: Path = BASELINE_PATH) -> None:
    """Write the baseline file atomically (a temporary file moved into place)."""
    from samenkracht.tools.outputs import write_atomic

    # One line per column, so a changed figure shows as a one-line diff under version control.
    head = {k: v for k, v in baseline.items() if k != "summary"}
    lines = [f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}," for k, v in head.items()]
    columns = [f"    {json.dumps(col)}: {json.dumps(values)}" for col, values in baseline["summary"].items()]
    text = "{\n" + "\n".join(lines) + '\n  "summary": {\n' + ",\n".join(columns) + "\n  }\n}\n"
    json.loads(text)  # a malformed file must never be written
    write_atomic(Path(path), lambda tmp: tmp.write_text(text, encoding="utf-8"))


def main(argv: Sequence[str] | None = None) -> int:
    """Compare a fresh run with the stored baseline (exit 1 on a difference), or rewrite it with --update."""
    parser = argparse.ArgumentParser(prog="python -m samenkracht.tools.regression", description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="rewrite the baseline file from a fresh run")
    parser.add_argument("--path", type=Path, default=BASELINE_PATH, help="baseline file (default: %(default)s)")
    args = parser.parse_args(argv)
    fresh = compute()
    if args.update:
        old = load(args.path) if args.path.exists() else None
        write(fresh, args.path)
        changed = differences(old, fresh) if old is not None else ["(new file)"]
        print(
            f"Wrote {args.path} ({len(fresh['summary'])} columns × "
            f"{len(next(iter(fresh['summary'].values()), []))} years)."
        )
        if changed:
            print("Changed from the previous baseline:\n  " + "\n  ".join(changed))
        else:
            print("No change from the previous baseline.")
        return 0
    if not args.path.exists():
        print(f"No baseline at {args.path}; create it with: {UPDATE_COMMAND}", file=sys.stderr)
        return 1
    diff = differences(load(args.path), fresh)
    if diff:
        print("The run differs from the regression baseline:\n  " + "\n  ".join(diff), file=sys.stderr)
        print(f"If the change is intended, update the baseline with: {UPDATE_COMMAND}", file=sys.stderr)
        return 1
    print(f"Same as the regression baseline ({args.path}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
