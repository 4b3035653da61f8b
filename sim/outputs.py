"""Writing a run's outputs: indicator tables, per-wijk table, manifest and plot, each file atomically.

Every file is written under a temporary name in the run directory and moved
into place with ``os.replace``, so no file is ever half-written under its
final name. ``manifest.json`` is written last: a run directory with a
manifest is complete.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from sim.mechanisms.indicators import WEEKLY_COLUMNS

if TYPE_CHECKING:
    from sim.model import CareNetworkModel

MANIFEST = "manifest.json"
#: Weekly columns summed (not averaged) into the yearly summary: money and counts of events.
SUMMED = ("_eur", "dropouts", "carer_illnesses", "volunteer_matches", "volunteer_dropouts", "assessments",
          "mobilisations", "carers_supported", "deaths", "signals_shopkeeper", "carers_supported_by_action",
          "networks_strengthened", "respite_hours", "volunteer_match_failures", "births")


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
    """One row per simulated year: means of weekly levels and shares, sums of money and event counts."""
    if weekly.empty:
        return pd.DataFrame(columns=["year"])
    summed = [c for c in weekly.columns if c.endswith(SUMMED)]
    averaged = [c for c in weekly.columns if c not in summed and c not in ("week", "year")]
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
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=start,
                               capture_output=True, text=True, timeout=10)
        return rev.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def package_versions() -> dict[str, str]:
    """Versions of Python and the packages that shape a run's numbers."""
    versions = {"python": platform.python_version()}
    for name in ("samenkracht", "mesa", "numpy", "scipy", "networkx", "pandas", "pyarrow", "hydra-core", "omegaconf",
                 "matplotlib"):
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
) -> dict[str, Any]:
    """Write every output of a finished run into ``out_dir``; return the manifest.

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
    from analysis.resilience import resilience, yearly_trend

    shock_week = model.config.shock.start_week()
    res = None
    if shock_week is not None and not weekly.empty and weekly["week"].max() >= shock_week:
        res = resilience(weekly, shock_week, unshocked)
        write_atomic(out_dir / "resilience.csv", lambda p: res.to_csv(p, index=False, float_format="%.6g"))
        files.append("resilience.csv")
    if plots and not weekly.empty:
        from analysis.plots import plot_headline

        write_atomic(out_dir / "headline.png", lambda p: plot_headline(weekly, p, title=model.config.scenario.name))
        files.append("headline.png")
    if model.config.output.graph:
        from sim.graph_io import write_graphml

        write_graphml(model.graph, out_dir / "graph.graphml")
        files.append("graph.graphml")
    manifest = {
        "complete": True,
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
        "shock": None if shock_week is None else {
            "kind": model.config.shock.kind,
            "start_week": shock_week,
            "resilience": [] if res is None else res.to_dict(orient="records"),
        },
        "versions": package_versions(),
        "git_revision": git_revision(Path(__file__).resolve().parent),
        "files": files,
    }
    write_atomic(out_dir / MANIFEST, lambda p: p.write_text(json.dumps(manifest, indent=2) + "\n"))
    return manifest


def is_complete(run_dir: Path) -> bool:
    """Whether a run directory holds a finished run (its manifest was written)."""
    return (Path(run_dir) / MANIFEST).is_file()
