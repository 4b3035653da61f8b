"""Writing a run's outputs: indicator tables, per-wijk table, manifest and plot, each file atomically.

Every file is written under a temporary name in the run directory and moved
into place with ``os.replace``, so no file is ever half-written under its
final name. ``manifest.json`` is written last: a run directory with a
manifest is complete. A run marks its directory ``INCOMPLETE`` when it starts
and removes the mark after the manifest; a rerun into the same directory (a
resumed sweep) skips a complete run of the same configuration and clears the
leftovers of an unfinished one.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import platform
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from samenkracht.sim.indicator_table import WEEKLY_COLUMNS, indicator

if TYPE_CHECKING:
    from samenkracht.sim.config import SimConfig
    from samenkracht.sim.model import CareNetworkModel

MANIFEST = "manifest.json"
#: Present while a run is under way, and left behind by a run that was killed or failed.
INCOMPLETE = "INCOMPLETE"
#: Every file :func:`write_run` may write: what :func:`clear_unfinished` removes (Hydra's .hydra/ and logs stay).
RUN_FILES = ("indicators.parquet", "summary.csv", "wijken.parquet", "resilience.csv", "headline.png", "graph.graphml")


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success move it onto ``path``, on failure delete it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_atomic(path: Path, writer: Callable[[Path], Any]) -> None:
    """Call ``writer(tmp_path)`` and move the result onto ``path``."""
    with atomic_path(path) as tmp:
        writer(tmp)


def weekly_frame(model: CareNetworkModel) -> pd.DataFrame:
    """The weekly indicator table, the contract columns first."""
    df = pd.DataFrame(model.rows)
    rest = [c for c in df.columns if c not in WEEKLY_COLUMNS]
    return df[[*WEEKLY_COLUMNS, *rest]] if len(df) else pd.DataFrame(columns=list(WEEKLY_COLUMNS))


def yearly_summary(weekly: pd.DataFrame, yearly_extra: dict[int, dict[str, float]]) -> pd.DataFrame:
    """One row per simulated year: each weekly column reduced as the indicator table says (the mean of levels
    and shares, the sum of money and event counts), then the figures measured at the year's end."""
    if weekly.empty:
        return pd.DataFrame(columns=["year"])
    yearly = {c: indicator(c).yearly for c in weekly.columns}
    summed = [c for c in weekly.columns if yearly[c] == "sum"]
    averaged = [c for c in weekly.columns if yearly[c] == "mean"]
    grouped = weekly.groupby("year")
    out = grouped[averaged].mean().join(grouped[summed].sum())
    out.insert(0, "weeks", grouped.size())
    extra = pd.DataFrame.from_dict(yearly_extra, orient="index")
    if not extra.empty:
        out = out.join(extra)
    return out.reset_index()


def git_revision(start: Path) -> str:
    """The git commit of the code, with '-dirty' when there are uncommitted changes; 'unknown' outside git."""
    try:
        rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=start, capture_output=True, text=True, timeout=10)
        if rev.returncode != 0:
            return "unknown"
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=start,
            capture_output=True,
            text=True,
            timeout=10,
        )
        return rev.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def package_versions() -> dict[str, str]:
    """Versions of Python and the packages that shape a run's numbers."""
    versions = {"python": platform.python_version()}
    for name in (
        "samenkracht",
        "mesa",
        "numpy",
        "scipy",
        "networkx",
        "pandas",
        "pyarrow",
        "hydra-core",
        "omegaconf",
        "matplotlib",
    ):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def write_run(
    model: CareNetworkModel,
    out_dir: Path,
    wall_time_s: float,
    plots: bool = True,
    unshocked: pd.DataFrame | None = None,
) -> tuple[dict[str, Any], pd.DataFrame]:
    """Write every output of a finished run into ``out_dir``; return the manifest and the yearly summary.

    ``unshocked`` is the weekly table of the same run without its shock, the
    reference for the resilience figures.
    """
    out_dir = Path(out_dir)
    weekly = weekly_frame(model)
    summary = yearly_summary(weekly, model.yearly)
    wijken = pd.DataFrame(model.wijk_rows)
    write_atomic(out_dir / "indicators.parquet", lambda p: weekly.to_parquet(p, index=False))
    write_atomic(out_dir / "summary.csv", lambda p: summary.to_csv(p, index=False, float_format="%.6g"))
    write_atomic(out_dir / "wijken.parquet", lambda p: wijken.to_parquet(p, index=False))
    files = ["indicators.parquet", "summary.csv", "wijken.parquet"]
    from samenkracht.analysis.resilience import resilience, yearly_trend

    shock_week = model.config.shock.start_week()
    res = None
    if shock_week is not None and not weekly.empty and weekly["week"].max() >= shock_week:
        res = resilience(weekly, shock_week, unshocked)
        write_atomic(out_dir / "resilience.csv", lambda p: res.to_csv(p, index=False, float_format="%.6g"))
        files.append("resilience.csv")
    if plots and not weekly.empty:
        from samenkracht.analysis.plots import plot_headline

        write_atomic(out_dir / "headline.png", lambda p: plot_headline(weekly, p, title=model.config.scenario.name))
        files.append("headline.png")
    if model.config.output.graph:
        from samenkracht.sim.graph_io import write_graphml

        write_graphml(model.graph, out_dir / "graph.graphml")
        files.append("graph.graphml")
    manifest = {
        "complete": True,
        "config_hash": config_hash(model.config),
        "scenario": model.config.scenario.name,
        "seed": model.config.seed,
        "years": model.config.years,
        "weeks": model.week,
        "population_size": model.config.population.size,
        "wijken": model.wijk_names,
        "agents_at_start": model.agent_counts_at_start,
        "agents_at_end": model.agent_counts(),
        "wall_time_s": round(wall_time_s, 3),
        "budget_capped_years": [y + 1 for y in model.municipality.capped_years],
        "carrying_capacity_trend_per_year": yearly_trend(summary) if len(summary) else 0.0,
        "shock": None
        if shock_week is None
        else {
            "kind": model.config.shock.kind,
            "start_week": shock_week,
            "resilience": [] if res is None else res.to_dict(orient="records"),
        },
        "versions": package_versions(),
        "git_revision": git_revision(Path(__file__).resolve().parent),
        "files": files,
    }
    write_atomic(out_dir / MANIFEST, lambda p: p.write_text(json.dumps(manifest, indent=2) + "\n"))
    with contextlib.suppress(FileNotFoundError):
        (out_dir / INCOMPLETE).unlink()
    return manifest, summary


def simulate(
    config: SimConfig,
    out_dir: Path,
    plots: bool = True,
    on_week: Callable[[], None] | None = None,
) -> tuple[CareNetworkModel, dict[str, Any], pd.DataFrame]:
    """Run one configured simulation into ``out_dir``: marked incomplete until its manifest is written.

    With a shock, the same configuration is also run without it (the same
    seed, so the same draws until the shock) as the reference for recovery.
    ``on_week`` is called after every simulated week (progress). Returns the
    model, its manifest and its yearly summary.
    """
    from samenkracht.sim.mechanisms.shock import ShockParams
    from samenkracht.sim.model import CareNetworkModel

    mark_incomplete(out_dir)
    start = time.perf_counter()
    model = CareNetworkModel(config)
    model.run(on_week=on_week)
    unshocked = None
    if config.shock.start_week() is not None:
        twin = CareNetworkModel(dataclasses.replace(config, shock=ShockParams()))
        twin.run()
        unshocked = weekly_frame(twin)
    manifest, summary = write_run(model, Path(out_dir), time.perf_counter() - start, plots=plots, unshocked=unshocked)
    return model, manifest, summary


def is_complete(run_dir: Path) -> bool:
    """Whether a run directory holds a finished run (its manifest was written)."""
    return (Path(run_dir) / MANIFEST).is_file()


def config_hash(config: SimConfig) -> str:
    """A fingerprint of a run's validated configuration, the same in every process and on every machine.

    Two configurations that differ in any setting (seed included) differ in
    hash; the way a setting was given (YAML file, override, default) does not
    matter. A graph file counts by its path, not its content.
    """
    text = json.dumps(dataclasses.asdict(config), sort_keys=True, separators=(",", ":"), default=str)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def completed_run(run_dir: Path, digest: str) -> dict[str, Any] | None:
    """The manifest of a complete run of the configuration with hash ``digest`` in ``run_dir``, else None."""
    try:
        manifest = json.loads((Path(run_dir) / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
    if isinstance(manifest, dict) and manifest.get("complete") is True and manifest.get("config_hash") == digest:
        return manifest
    return None


def clear_unfinished(run_dir: Path) -> list[str]:
    """Remove a run's outputs (manifest first, then the rest and temporary files) from ``run_dir``; return their names.

    Only files this module writes are touched, so Hydra's ``.hydra/`` and the
    job's log stay, and so does anything else in a directory given by hand.
    """
    run_dir = Path(run_dir)
    names = [MANIFEST, *RUN_FILES]
    paths = [run_dir / name for name in names]
    paths += sorted(p for name in names for p in run_dir.glob(f".{name}.*.tmp"))
    removed = []
    for path in paths:
        try:
            path.unlink()
        except (FileNotFoundError, IsADirectoryError):
            continue
        removed.append(path.name)
    return removed


def mark_incomplete(run_dir: Path) -> None:
    """Mark ``run_dir`` as holding a run under way; :func:`write_run` removes the mark after the manifest."""
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    started = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    (run_dir / INCOMPLETE).write_text(
        f"A run started here at {started} (process {os.getpid()} on {platform.node()}) and has not finished.\n"
        "It is complete once manifest.json exists; run the same command again to finish it.\n"
    )
