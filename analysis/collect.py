"""Gathering finished runs into one tidy table: a row per run per simulated year, overridden parameters as columns.

Any folder tree is searched; a run directory is one with ``manifest.json``
(written last, so it marks a complete run). Directories that look like runs
but have no manifest (a job that failed or was interrupted) are skipped with a
warning. Hydra's ``on_multirun_end`` is not used: one failed job skips it, so
the run directories are the only reliable record of a sweep.

The table's columns: ``run_dir``, ``scenario``, ``seed``, ``population_size``,
``years``, ``git_revision`` (from the manifest), then every parameter
overridden on the command line (from ``.hydra/overrides.yaml``, one column per
key, e.g. ``population.size``), then ``summary.csv``'s columns (``year``
counts from 0, as in summary.csv). pandas, polars and DuckDB read the Parquet
file directly.
"""

from __future__ import annotations

import json
import math
import os
import sys
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from samenkracht.sim.errors import InputError
from samenkracht.tools.outputs import INCOMPLETE, MANIFEST, RUN_FILES, write_atomic

#: Columns every collected row starts with, taken from the run's manifest (plus its directory).
RUN_COLUMNS: tuple[str, ...] = ("run_dir", "scenario", "seed", "population_size", "years", "git_revision")
#: Files whose presence without a manifest marks a run that started but did not finish (cli.log: Hydra's job log).
_RUN_MARKERS = (INCOMPLETE, *RUN_FILES, "cli.log")
#: Run directory → its identification (:func:`_run_info`) and overrides (:func:`read_overrides`), read once.
RunIds = dict[Path, tuple[dict[str, Any], dict[str, Any]]]


class IncompleteRunWarning(UserWarning):
    """A run directory without manifest.json (unfinished or failed) was skipped."""


def find_run_dirs(paths: Iterable[Path | str]) -> list[Path]:
    """Complete run directories under ``paths`` (each a run directory or any tree holding some), sorted.

    Incomplete run directories are skipped with an :class:`IncompleteRunWarning`.
    Raises InputError for a path that does not exist.
    """
    found: dict[Path, None] = {}
    for path in paths:
        root = Path(path)
        if not root.is_dir():
            raise InputError(f"{root}: no such directory (give a run directory or a folder holding runs).")
        for current, dirnames, filenames in os.walk(root):
            here = Path(current)
            if MANIFEST in filenames:
                found.setdefault(here.resolve(), None)
                dirnames[:] = []
                continue
            if ".hydra" in dirnames or any(name in filenames for name in _RUN_MARKERS):
                warnings.warn(
                    f"skipped {here}: no {MANIFEST}, so the run did not finish", IncompleteRunWarning, stacklevel=2
                )
                dirnames[:] = []
                continue
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
    return sorted(found)


def read_overrides(run_dir: Path) -> dict[str, Any]:
    """The parameters overridden for a run (``.hydra/overrides.yaml``), key → typed value; {} when absent.

    Lists and mappings become JSON text, so that every value fits a Parquet column.
    """
    path = Path(run_dir) / ".hydra" / "overrides.yaml"
    if not path.is_file():
        return {}
    lines = yaml.safe_load(path.read_text()) or []
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parser = OverridesParser.create()
    out: dict[str, Any] = {}
    for line in lines:
        line = str(line)
        try:
            override = parser.parse_overrides([line])[0]
        except Exception:  # noqa: BLE001 (not Hydra syntax after all: keep the text)
            key, _, value = line.partition("=")
            out[key.lstrip("+~")] = value
            continue
        if override.is_delete():
            continue
        value = override.value()
        if isinstance(value, (list, dict)):
            value = json.dumps(value)
        out[override.key_or_group] = value
    return out


def _manifest(run_dir: Path) -> dict[str, Any]:
    return json.loads((run_dir / MANIFEST).read_text())


def _run_info(run_dir: Path) -> dict[str, Any]:
    m = _manifest(run_dir)
    return {
        "run_dir": str(run_dir),
        "scenario": m.get("scenario"),
        "seed": m.get("seed"),
        "population_size": m.get("population_size"),
        "years": m.get("years"),
        "git_revision": m.get("git_revision", "unknown"),
    }


def _read_table(run_dir: Path, name: str) -> pd.DataFrame | None:
    path = run_dir / name
    if not path.is_file():
        warnings.warn(f"skipped {run_dir}: it has a manifest but no {name}", IncompleteRunWarning, stacklevel=3)
        return None
    return pd.read_csv(path) if name.endswith(".csv") else pd.read_parquet(path)


def _gather(
    run_dirs: Sequence[Path], table: str, progress_label: str | None, ids: RunIds | None = None
) -> pd.DataFrame:
    """Rows of ``table`` of every run, each with its run's identification and overrides in front.

    ``ids`` caches each run's identification, so gathering a second table of the same runs reads no manifest
    or overrides.yaml again.
    """
    from samenkracht.tools.progress import Progress

    ids = {} if ids is None else ids
    frames: list[pd.DataFrame] = []
    all_keys: dict[str, None] = {}
    with Progress(len(run_dirs), progress_label or "", enabled=bool(progress_label)) as progress:
        for run_dir in run_dirs:
            rows = _read_table(run_dir, table)
            progress.advance()
            if rows is None:
                continue
            if run_dir not in ids:
                ids[run_dir] = (_run_info(run_dir), read_overrides(run_dir))
            info, read = ids[run_dir]
            overrides = {
                k: v for k, v in read.items() if k not in info and k not in rows.columns and not k.startswith("hydra.")
            }
            all_keys.update(dict.fromkeys(overrides))
            front = pd.DataFrame({**info, **overrides}, index=rows.index)
            frames.append(pd.concat([front, rows], axis=1))
    if not frames:
        return pd.DataFrame(columns=list(RUN_COLUMNS))
    df = pd.concat(frames, ignore_index=True)
    keys = sorted(all_keys)
    rest = [c for c in df.columns if c not in RUN_COLUMNS and c not in keys]
    df = df[[*RUN_COLUMNS, *keys, *rest]]
    for key in keys:
        df[key] = _uniform(df[key])
    df.attrs["override_columns"] = keys
    return df


def _uniform(column: pd.Series) -> pd.Series:
    """One Parquet type per override column: numbers stay numbers, booleans booleans, anything mixed becomes text."""
    values = [v for v in column if v is not None and not (isinstance(v, float) and math.isnan(v))]
    if all(isinstance(v, bool) for v in values):
        return column.astype("boolean")
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return pd.to_numeric(column)
    return column.map(lambda v: None if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)).astype(
        "string"
    )


def collect(paths: Iterable[Path | str], progress_label: str | None = None, ids: RunIds | None = None) -> pd.DataFrame:
    """The tidy table of every complete run under ``paths``: one row per run per year (from summary.csv).

    Pass the same ``ids`` dict to a later :func:`collect_wijken` of these runs to read their identification once.
    """
    return _gather(find_run_dirs(paths), "summary.csv", progress_label, ids)


def collect_runs(
    run_dirs: Sequence[Path | str], progress_label: str | None = None, ids: RunIds | None = None
) -> pd.DataFrame:
    """Like :func:`collect`, for a known list of run directories (each must be complete)."""
    return _gather([Path(d).resolve() for d in run_dirs], "summary.csv", progress_label, ids)


def collect_wijken(run_dirs: Sequence[Path | str], ids: RunIds | None = None) -> pd.DataFrame:
    """The per-wijk table of the given run directories: one row per run per year per wijk (from wijken.parquet)."""
    return _gather([Path(d).resolve() for d in run_dirs], "wijken.parquet", None, ids)


def write_dataset(df: pd.DataFrame, path: Path | str) -> Path:
    """Write the tidy table as one Parquet file, atomically; return its path."""
    path = Path(path)
    write_atomic(path, lambda p: df.to_parquet(p, index=False))
    return path


USAGE = """\
usage: samenkracht-collect PATH [PATH ...] [out=FILE] [wijken=true]

Collects every finished run under the PATHs (run or multirun directories, any
folder tree) into one tidy Parquet file: a row per run per simulated year,
with scenario, seed, run_dir and every overridden parameter as columns.
Runs without manifest.json (unfinished or failed) are skipped with a warning.

  out=FILE       where to write (default: PATH/runs.parquet, the first PATH)
  wijken=true    also write the per-wijk table beside it (FILE stem + _wijken.parquet)
"""


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the `samenkracht-collect` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or any(a in ("-h", "--help") for a in argv):
        print(USAGE, end="")
        if not argv:
            sys.exit(2)
        return
    paths, out, wijken = [], None, False
    try:
        for arg in argv:
            key, eq, value = arg.partition("=")
            if eq and key == "out":
                out = Path(value)
            elif eq and key == "wijken":
                wijken = parse_bool(key, value)
            elif eq and not Path(arg).exists():
                raise InputError(f"unknown option '{key}'. Options: out=FILE, wijken=true; anything else is a PATH.")
            else:
                paths.append(Path(arg))
        if not paths:
            raise InputError("give at least one run or multirun directory.")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", IncompleteRunWarning)
            run_dirs, ids = find_run_dirs(paths), {}
            df = _gather(run_dirs, "summary.csv", "samenkracht-collect: runs read", ids)
            wijk_df = collect_wijken(run_dirs, ids) if wijken else None
        for w in caught:
            print(f"samenkracht-collect: warning: {w.message}", file=sys.stderr)
        if df.empty:
            raise InputError(f"no finished runs (directories with {MANIFEST}) under {', '.join(map(str, paths))}.")
    except InputError as err:
        print(f"samenkracht-collect: error: {err}", file=sys.stderr)
        sys.exit(2)
    out = out or paths[0] / "runs.parquet"
    write_dataset(df, out)
    print(f"{df['run_dir'].nunique()} runs, {len(df)} rows (a row per run per year) -> {out}")
    if wijk_df is not None:
        wijk_out = out.with_name(out.stem + "_wijken.parquet")
        write_dataset(wijk_df, wijk_out)
        print(f"per wijk: {len(wijk_df)} rows -> {wijk_out}")


def parse_bool(key: str, value: str) -> bool:
    """A yes/no command-line value (true/false, yes/no, 1/0, on/off), or an InputError naming the key."""
    low = value.strip().lower()
    if low in ("true", "yes", "1", "on"):
        return True
    if low in ("false", "no", "0", "off"):
        return False
    raise InputError(f"{key}={value}: give true or false.")


if __name__ == "__main__":
    main()
