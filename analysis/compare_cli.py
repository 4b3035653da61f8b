"""The `samenkracht-compare` command: run scenarios over paired seeds (or read finished runs) and write the report.

    samenkracht-compare scenarios=baseline,respite_care seeds=20 population.size=5000 years=10
    samenkracht-compare runs=multirun/2026-11-23/10-00-00 lang=en

Its own keys are listed in USAGE; every other argument is a model override,
checked as `samenkracht` checks it and applied to every scenario. Bad input
ends with ``samenkracht-compare: error: ...`` and exit status 2.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import math
import shlex
import sys
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from samenkracht.analysis.texts import LANGUAGES
from samenkracht.sim.errors import InputError

if TYPE_CHECKING:  # pandas and the analysis modules are imported where used, so that --help answers at once
    import pandas as pd

PROG = "samenkracht-compare"
OWN_KEYS = ("scenarios", "seeds", "at_years", "lang", "runs", "out", "per_wijk", "jobs")
DEFAULT_SEEDS = 20

USAGE = f"""\
usage: {PROG} scenarios=A,B[,C...] [seeds=N|seeds=[1,2,3]] [at_years=[5,10]] [lang=nl|en]
                           [out=DIR] [per_wijk=true] [jobs=N] [MODEL OVERRIDES ...]
       {PROG} runs=PATH[,PATH] [scenarios=A,B] [seeds=[...]] [at_years=...] [lang=...] [out=DIR]

Runs each scenario over the same seeds (common random numbers) and writes a
comparison report (report.html, CSV tables) into out=DIR.

  scenarios=A,B   scenarios to compare (files in conf/scenario/); the first is the reference
  seeds=N         seeds 1..N (default {DEFAULT_SEEDS}), or seeds=[7,8,9]
  at_years=[5,10] years in the tables (from 1; default: the middle and the last year)
  lang=nl|en      language of the report (default nl)
  runs=PATH       read finished run or multirun directories instead of running
  out=DIR         output directory (default outputs/compare/DATE_TIME); rerun with the
                  same out= to resume: finished runs are not redone
  per_wijk=true   also tables and plots per wijk
  jobs=N          runs in parallel processes (default 1); results do not depend on it
  hydra/launcher=slurm [hydra.launcher.KEY=VALUE ...]
                  send the runs to a SLURM cluster (or submitit_local) as one job array,
                  with the settings of samenkracht -m (partition, account, timeout_min, ...)

Any other key=value is a model override, as for `samenkracht` (e.g. population.size=5000 years=10).
"""


@dataclass
class Options:
    """The command's own settings (model overrides are kept apart)."""

    scenarios: list[str] | None = None
    seeds: list[int] | None = None
    seeds_count: bool = False
    at_years: list[int] | None = None
    lang: str = "nl"
    runs: list[Path] = field(default_factory=list)
    out: Path | None = None
    per_wijk: bool = False
    jobs: int = 1


def fail(message: str, status: int = 2) -> None:
    """Print a user-facing error and exit."""
    print(f"{PROG}: error: {message}", file=sys.stderr)
    sys.exit(status)


def _items(value: str) -> list[str]:
    text = value.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    return [item.strip().strip("'\"") for item in text.split(",") if item.strip()]


def _int(key: str, text: str, lo: int) -> int:
    try:
        number = int(text)
    except ValueError:
        raise InputError(f"{key}: '{text}' is not a whole number.") from None
    if number < lo:
        raise InputError(f"{key}: {number} is too small; give {lo} or more.")
    return number


def parse_args(argv: Sequence[str]) -> tuple[Options, list[str]]:
    """Split ``argv`` into the command's own options and the model overrides; check the options."""
    from samenkracht.analysis.collect import parse_bool
    from samenkracht.tools.overrides import HYDRA_FLAGS

    opts, overrides = Options(), []
    for arg in argv:
        key, eq, value = arg.partition("=")
        if arg in HYDRA_FLAGS or key in HYDRA_FLAGS:
            raise InputError(f"'{arg}': {PROG} runs the seeds and scenarios itself; Hydra flags are not used here.")
        if not eq:
            raise InputError(
                f"'{arg}' is not an option: write key=value (for example scenarios=baseline,respite_care)."
            )
        if key == "scenarios":
            opts.scenarios = _items(value)
        elif key == "seeds":
            items = _items(value)
            if value.strip().startswith("[") or len(items) > 1:
                opts.seeds = [_int("seeds", s, 0) for s in items]
                if len(set(opts.seeds)) != len(opts.seeds):
                    raise InputError(f"seeds={value}: a seed is named twice.")
                if len(opts.seeds) < 2:
                    raise InputError(f"seeds={value}: give at least 2 seeds; intervals need two or more.")
            else:
                count = _int("seeds", value, 0)
                if count < 2:
                    raise InputError(f"seeds={value}: give at least 2 seeds; intervals need two or more.")
                opts.seeds, opts.seeds_count = list(range(1, count + 1)), True
        elif key == "at_years":
            opts.at_years = [_int("at_years", y, 1) for y in _items(value)]
            if not opts.at_years:
                raise InputError("at_years: give one or more years, e.g. at_years=[5,10].")
        elif key == "lang":
            if value not in LANGUAGES:
                raise InputError(f"lang={value}: give lang=nl (Dutch, the default) or lang=en (English).")
            opts.lang = value
        elif key == "runs":
            opts.runs = [Path(p) for p in _items(value)]
            if not opts.runs:
                raise InputError("runs: give one or more run or multirun directories.")
        elif key == "out":
            opts.out = Path(value)
        elif key == "per_wijk":
            opts.per_wijk = parse_bool(key, value)
        elif key == "jobs":
            opts.jobs = _int("jobs", value, 1)
        elif key.lstrip("+~") == "scenario":
            raise InputError(f"'{arg}': {PROG} compares several scenarios; write scenarios=baseline,{value or 'NAME'}.")
        elif key.lstrip("+~").split(".")[0] == "hydra":
            raise InputError(f"'{arg}': Hydra's own settings do not apply here; {PROG} writes into out=DIR.")
        elif key.lstrip("+~") == "seed":
            raise InputError(f"'{arg}': {PROG} runs many seeds; write seeds=N (seeds 1..N) or seeds=[{value},...].")
        else:
            overrides.append(arg)
    return opts, overrides


def _check_overrides(overrides: list[str], prog: str = PROG, own_keys: Sequence[str] = OWN_KEYS) -> list[str]:
    """Check the model overrides as `samenkracht` does; an unknown key close to one of ``prog``'s own options gets
    that option as a hint (samenkracht-optimise shares this check)."""
    from samenkracht.sim.config import SimConfig
    from samenkracht.tools.config_store import register_configs
    from samenkracht.tools.overrides import open_actions, precheck
    from samenkracht.tools.run import CONF_DIR

    register_configs()
    overrides = open_actions(overrides)
    try:
        precheck(overrides, Path(CONF_DIR), SimConfig)
    except InputError as err:
        key = str(err).split("'")[1] if "'" in str(err) else ""
        close = difflib.get_close_matches(key, own_keys, n=1)
        hint = f" Did you mean {prog}'s option '{close[0]}'?" if close and "." not in key else ""
        raise InputError(f"{err}{hint} ({prog}'s own options: {', '.join(own_keys)}.)") from None
    return overrides


def _default_out() -> Path:
    return Path("outputs") / "compare" / dt.datetime.now().strftime("%Y-%m-%d_%H-%M-%S")


def _with_years(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame["year"] = frame["year"].astype(int) + 1  # summary.csv counts from 0; the report from 1
    return frame


def _runs_setup(frame: pd.DataFrame) -> dict[str, Any]:
    runs = frame.drop_duplicates("run_dir")
    return {
        "seeds": sorted(int(s) for s in runs["seed"].unique()),
        "population": sorted(int(p) for p in runs["population_size"].dropna().unique()),
        "years": sorted(int(y) for y in runs["years"].dropna().unique()),
        "git": sorted(str(g) for g in runs["git_revision"].unique()),
        "created": dt.datetime.now().isoformat(timespec="seconds"),
    }


# -- running ---------------------------------------------------------------------------------------------------------


def from_running(opts: Options, overrides: list[str], argv: Sequence[str], launcher: Any = None):
    """Run every scenario at every seed (resuming in ``out``); return (frame, wijken, arms, reference, setup, out)."""
    from samenkracht.analysis.collect import collect_runs, collect_wijken, write_dataset
    from samenkracht.analysis.compare import arm_labels, plan_runs, run_all
    from samenkracht.tools.outputs import is_complete
    from samenkracht.tools.overrides import config_groups
    from samenkracht.tools.run import CONF_DIR

    overrides = _check_overrides(overrides)
    available = config_groups(Path(CONF_DIR)).get("scenario", [])
    if not opts.scenarios:
        raise InputError(
            f"give the scenarios to compare, e.g. scenarios=baseline,respite_care (the first is the "
            f"reference). Available: {', '.join(available)}."
        )
    unknown = [s for s in opts.scenarios if s not in available]
    if unknown:
        raise InputError(
            f"scenarios: no such scenario {', '.join(map(repr, unknown))}. Available: "
            f"{', '.join(available)} (files in {Path(CONF_DIR, 'scenario')}/)."
        )
    if len(opts.scenarios) < 2:
        raise InputError(
            f"scenarios={','.join(opts.scenarios)}: give at least two scenarios, e.g. "
            f"scenarios=baseline,{opts.scenarios[0]} (the first is the reference)."
        )
    seeds = opts.seeds or list(range(1, DEFAULT_SEEDS + 1))
    out = opts.out or _default_out()
    specs = plan_runs(opts.scenarios, seeds, overrides, out, Path(CONF_DIR))
    years = specs[0].config.years
    if years < 1:
        raise InputError(f"years={years}: a comparison needs at least one simulated year.")
    if opts.at_years and max(opts.at_years) > years:
        raise InputError(f"at_years: {max(opts.at_years)} is beyond the {years} simulated years.")
    arms = arm_labels(opts.scenarios)
    done = sum(1 for s in specs if is_complete(s.run_dir))
    print(
        f"{PROG}: {len(specs)} runs ({len(arms)} scenarios × {len(seeds)} seeds, "
        f"{specs[0].config.population.size:,} residents, {years} year{'s' if years != 1 else ''}) in {out / 'runs'}"
        + (f"; {done} already done" if done else ""),
        flush=True,
    )
    failures = run_all(specs, opts.jobs, label=f"{PROG}: runs done", launcher=launcher, folder=out / ".submitit")
    if failures:
        for run_dir, error in failures.items():
            print(f"{PROG}: run failed: {run_dir}: {error} (traceback in {run_dir / 'error.txt'})", file=sys.stderr)
        fail(
            f"{len(failures)} of {len(specs)} runs failed; no report written. Rerun the same command to retry "
            f"them (finished runs are kept).",
            status=1,
        )
    arm_of = {str(s.run_dir.resolve()): s.arm for s in specs}
    ids: dict = {}  # each run's identification, read once for both tables
    frame = collect_runs([s.run_dir for s in specs], ids=ids)
    frame.insert(1, "arm", frame["run_dir"].map(arm_of))
    write_dataset(frame, out / "runs.parquet")
    wijken = None
    if opts.per_wijk:
        wijken = collect_wijken([s.run_dir for s in specs], ids)
        wijken.insert(1, "arm", wijken["run_dir"].map(arm_of))
        wijken = _with_years(wijken)
    setup = _runs_setup(frame)
    setup.update(
        {
            "descriptions": {s.arm: s.config.scenario.description for s in specs},
            "prices": asdict(specs[0].config.costs),  # the reference's prices, for the cost-benefit view
            "overrides": overrides,
            "command": shlex.join([PROG, *argv]),
        }
    )
    return _with_years(frame), wijken, arms, arms[0], setup, out


# -- reading finished runs -------------------------------------------------------------------------------------------


def label_arms(frame: pd.DataFrame, override_columns: Sequence[str]) -> pd.Series:
    """A label per row: the scenario, plus the settings that differ between runs of that scenario (a sweep)."""
    keys = [c for c in (*override_columns, "population_size", "years") if c in frame.columns]
    runs = frame.drop_duplicates("run_dir")
    labels: dict[str, str] = {}
    for scenario, group in runs.groupby("scenario", sort=False):
        varying = [k for k in keys if group[k].astype("string").nunique(dropna=False) > 1]
        for _, run in group.iterrows():
            extra = ", ".join(f"{k}={run[k]}" for k in varying)
            labels[run["run_dir"]] = f"{scenario} [{extra}]" if extra else str(scenario)
    return frame["run_dir"].map(labels)


def _description(run_dir: str) -> str | dict[str, str]:
    """The scenario's description a run was made with: one text, or a text per language."""
    import yaml

    path = Path(run_dir) / ".hydra" / "config.yaml"
    try:
        cfg = yaml.safe_load(path.read_text()) or {}
        text = (cfg.get("scenario") or {}).get("description") or ""
        return {str(k): str(v) for k, v in text.items()} if isinstance(text, dict) else str(text)
    except (OSError, yaml.YAMLError, AttributeError):
        return ""


def from_runs(opts: Options, overrides: list[str]):
    """Read finished runs; return (frame, wijken, arms, reference, setup, out)."""
    import pandas as pd

    from samenkracht.analysis.collect import IncompleteRunWarning, collect, collect_wijken
    from samenkracht.analysis.cost_benefit import prices_of_run

    if overrides:
        raise InputError(
            f"model overrides ({' '.join(overrides)}) apply only when running; with runs= each run "
            f"keeps the settings it was made with."
        )
    if opts.seeds_count:
        raise InputError("with runs=, pick seeds as a list (seeds=[1,2,3]) or leave seeds out to use them all.")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", IncompleteRunWarning)
        ids: dict = {}  # each run's identification, read once for both tables
        frame = collect(opts.runs, progress_label=f"{PROG}: runs read", ids=ids)
    for w in caught:
        print(f"{PROG}: warning: {w.message}", file=sys.stderr)
    if frame.empty:
        raise InputError(f"no finished runs (directories with manifest.json) under {', '.join(map(str, opts.runs))}.")
    override_columns = frame.attrs.get("override_columns", [])
    frame.insert(1, "arm", label_arms(frame, override_columns))
    if opts.seeds:
        frame = frame[frame["seed"].isin(opts.seeds)]
    # A scenario with the same settings run twice at one seed (as scenarios=baseline,baseline does) is a second
    # arm, named as the command names it: in the order the runs are found, the second gets '_2'.
    runs = frame.drop_duplicates("run_dir")
    repeat = runs.groupby(["arm", "seed"], sort=False).cumcount()
    suffix = dict(zip(runs["run_dir"], repeat.map(lambda k: "" if k == 0 else f"_{k + 1}")))
    frame["arm"] = frame["arm"] + frame["run_dir"].map(suffix)
    found = list(pd.unique(frame["arm"]))
    if opts.scenarios:
        arms = []
        for name in opts.scenarios:
            matches = [a for a in found if a == name] or [a for a in found if a.split(" [")[0] == name]
            if not matches:
                raise InputError(f"scenarios: no runs of '{name}' found. Found: {', '.join(found)}.")
            arms += [a for a in matches if a not in arms]
    else:
        reference = "baseline" if "baseline" in found else found[0]
        arms = [reference, *[a for a in found if a != reference]]
    if len(arms) < 2:
        raise InputError(f"only one scenario found ({', '.join(arms)}); a comparison needs two or more.")
    ref_seeds = set(frame.loc[frame["arm"] == arms[0], "seed"])
    for arm in arms[1:]:
        shared = ref_seeds & set(frame.loc[frame["arm"] == arm, "seed"])
        if len(shared) < 2:
            raise InputError(
                f"'{arm}' and the reference '{arms[0]}' share {len(shared)} seed(s); paired "
                f"differences need at least 2 seeds run in both."
            )
    frame = frame[frame["arm"].isin(arms)]
    wijken = None
    if opts.per_wijk:
        run_dirs = list(pd.unique(frame["run_dir"]))
        wijken = collect_wijken(run_dirs, ids)
        wijken.insert(1, "arm", wijken["run_dir"].map(dict(zip(frame["run_dir"], frame["arm"]))))
        wijken = _with_years(wijken)
    setup = _runs_setup(frame)
    first = frame.drop_duplicates("arm").set_index("arm")["run_dir"]
    setup.update({"descriptions": {a: _description(first[a]) for a in arms}, "runs_from": [str(p) for p in opts.runs]})
    setup["prices"] = prices_of_run(first[arms[0]])  # the reference's prices, for the cost-benefit view
    return _with_years(frame), wijken, arms, arms[0], setup, opts.out or _default_out()


# -- the command -----------------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the `samenkracht-compare` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if any(a in ("-h", "--help") for a in argv):
        print(USAGE, end="")
        return
    import logging

    from samenkracht.analysis.compare import compare
    from samenkracht.analysis.report import write_report
    from samenkracht.tools.outputs import git_revision, write_atomic

    logging.getLogger("MESA").setLevel(logging.WARNING)
    from samenkracht.tools import launchers

    try:
        launcher, own_argv = launchers.for_tool(argv, PROG)  # hydra/launcher=slurm hydra.launcher.KEY=VALUE
        opts, overrides = parse_args(own_argv)
        if opts.runs:
            if launcher is not None:
                raise InputError(f"{launcher.describe()}: with runs= nothing is run; leave the launcher out.")
            frame, wijken, arms, reference, setup, out = from_runs(opts, overrides)
        else:
            frame, wijken, arms, reference, setup, out = from_running(opts, overrides, argv, launcher)
        cmp = compare(frame, arms, reference, opts.at_years, wijken=wijken, setup=setup)
    except InputError as err:
        fail(str(err))
    except KeyboardInterrupt:
        print(
            f"\n{PROG}: interrupted; finished runs are kept. Run the same command with out=... to resume.",
            file=sys.stderr,
        )
        sys.exit(130)
    path = write_report(cmp, out, opts.lang, opts.per_wijk)
    settings = {
        "arms": arms,
        "reference": reference,
        "at_years": cmp.at_years,
        "lang": opts.lang,
        "per_wijk": opts.per_wijk,
        "git_revision": git_revision(Path(__file__).resolve().parent),
        **setup,
    }
    write_atomic(out / "compare.json", lambda p: p.write_text(json.dumps(settings, indent=2, default=str) + "\n"))
    factor = cmp.narrowing_median(cmp.at_years[-1])
    narrower = (
        f"; paired intervals are {factor:.1f} times narrower than with independent seeds (median, "
        f"year {cmp.at_years[-1]})"
        if not math.isnan(factor)
        else ""
    )
    print(f"Compared {', '.join(arms[1:])} with {reference} over {len(setup['seeds'])} seeds{narrower}.")
    print(f"Report: {path}")


if __name__ == "__main__":
    main()
