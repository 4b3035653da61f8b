"""The `samenkracht-sensitivity` command: Morris screening and Sobol indices of chosen indicators over parameter ranges.

    samenkracht-sensitivity params=wijkteam.fte_per_1000:0.2:1.5,burden.dropout_rate:0:0.1 \\
        indicators=carrying_capacity,unmet_hours method=morris population.size=2000 years=5 jobs=2

The settings of the analysis (conf/sensitivity.yaml, schema :class:`SensitivityConfig`)
and the model's overrides (as for `samenkracht`, applied to every run) share one
command line. Each design point runs the model once per seed; its output is each
indicator's mean over the chosen simulated year, averaged over the seeds. Bad
input ends with a message naming the problem, exit status 2, and nothing written.
The analysis resumes: started again with the same ``out_dir``, it runs only the
design points that are missing.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from samenkracht.sim.config import SimConfig
from samenkracht.sim.errors import InputError
from samenkracht.sim.indicator_table import indicator
from samenkracht.sim.params import param, validate
from samenkracht.tools.config_store import register_configs
from samenkracht.tools.overrides import CONF_DIR

PROG = "samenkracht-sensitivity"
METHODS = ("morris", "sobol", "both")
#: Model settings that cannot be varied: the seeds are the analysis's own, and the horizon fixes the output year.
FIXED_KEYS = {
    "seed": "the seeds are set with seeds=N (runs per design point) and the model's seed=S (the first)",
    "years": "the horizon is the same for every run: set it with years=N",
    "burn_in_weeks": "the burn-in is the same for every run: set it with burn_in_weeks=N",
}
CHECKPOINT_EVERY_S = 20.0

USAGE = f"""usage: {PROG} [KEY=VALUE ...]

Morris screening and Sobol indices (SALib) of the model's indicators over parameter ranges.

Analysis settings (defaults in conf/sensitivity.yaml):
  params=KEY:LO:HI[,KEY:LO:HI...]   parameters to vary (dotted config keys) and their ranges
  indicators=NAME[,NAME...]         indicators of the yearly summary (summary.csv columns)
  method=morris|sobol|both          which analyses to run
  at_year=N                         simulated year whose mean is the output (0 = first, -1 = last)
  morris.trajectories=R morris.levels=P   Morris design: R x (parameters + 1) points
  sobol.n=N sobol.calc_second_order=BOOL  Sobol design: N x (parameters + 2) points (N a power of 2)
  seeds=K                           runs per design point (seeds S..S+K-1, S the model's seed)
  sample_seed=N                     seed of the design and of the bootstrap intervals
  jobs=N                            runs at once in separate processes (0 = one per core)
  out_dir=PATH                      where the results go; the same out_dir resumes an interrupted analysis
  plots=BOOL                        write the bar plots
  hydra/launcher=slurm [hydra.launcher.KEY=VALUE ...]
                                    run the design points as a SLURM job array (or submitit_local),
                                    with the settings of samenkracht -m (partition, account, ...)

Model settings, as for `samenkracht` (applied to every run), e.g. population.size=2000 years=5 scenario=buurthulp.

Example:
  {PROG} params=wijkteam.fte_per_1000:0.2:1.5,burden.dropout_rate:0:0.1 indicators=carrying_capacity \\
      method=morris morris.trajectories=10 population.size=2000 years=5 jobs=2
"""


@dataclass
class MorrisSettings:
    """The Morris design: trajectories through a grid over the parameter ranges."""

    trajectories: int = param(10, lo=2, hi=100_000, doc="trajectories r; the design has r × (parameters + 1) points")
    levels: int = param(4, lo=2, hi=100, doc="grid levels p over each range (an even number)")


@dataclass
class SobolSettings:
    """The Sobol design (Saltelli's scheme on a scrambled Sobol' sequence)."""

    n: int = param(64, lo=2, hi=2**20, doc="base sample size N, a power of 2; N × (parameters + 2) points")
    calc_second_order: bool = param(False, doc="also estimate pairwise indices (N × (2 × parameters + 2) points)")


@dataclass
class SensitivityConfig:
    """Settings of a sensitivity analysis: what to vary, what to measure, and how many runs."""

    method: str = param("both", doc="morris, sobol or both")
    params: dict[str, list[float]] = param({}, doc="dotted config key → [lo, hi], the range it is varied over")
    indicators: list[str] = param(
        ["carrying_capacity", "heavily_burdened_share", "unmet_hours"], doc="columns of the yearly summary to analyse"
    )
    at_year: int = param(-1, unit="year", lo=-200, hi=199, doc="simulated year whose mean is the output; -1 = the last")
    seeds: int = param(1, lo=1, hi=10_000, doc="runs per design point (common seeds S, S+1, …); outputs are their mean")
    sample_seed: int = param(1, lo=0, hi=2**32 - 1, doc="seed of the design and of the bootstrap intervals")
    jobs: int = param(1, lo=0, hi=1024, doc="runs at once in separate processes; 0 = one per core")
    out_dir: str = param("outputs/sensitivity", doc="directory of the results")
    plots: bool = param(True, doc="write the bar plots (morris.png, sobol.png)")
    model: list[str] = param(
        [], doc="model overrides for every run (as for samenkracht); the command line's come after"
    )
    morris: MorrisSettings = field(default_factory=MorrisSettings)
    sobol: SobolSettings = field(default_factory=SobolSettings)

    def check(self, prefix: str) -> None:
        if self.method not in METHODS:
            raise InputError(f"method={self.method}: choose one of {', '.join(METHODS)}.")
        if not self.params:
            raise InputError(
                "no parameters to vary: give params=KEY:LO:HI[,KEY:LO:HI...] "
                "(for example params=wijkteam.fte_per_1000:0.2:1.5,burden.dropout_rate:0:0.1)."
            )
        for key, bounds in self.params.items():
            lo, hi = (float(b) for b in bounds)
            if not (np.isfinite(lo) and np.isfinite(hi)) or lo >= hi:
                raise InputError(f"params: the range of {key} must have lo < hi, got lo={lo:g}, hi={hi:g}.")
        if not self.indicators:
            raise InputError(
                "no indicators to analyse: give indicators=NAME[,NAME...] (for example indicators=unmet_hours)."
            )
        n = self.sobol.n
        if self.method in ("sobol", "both") and n & (n - 1):
            raise InputError(f"sobol.n={n} is not a power of 2 (Sobol' sequences need one): try {1 << n.bit_length()}.")
        if self.morris.levels % 2:
            raise InputError(
                f"morris.levels={self.morris.levels} is odd: Morris designs need an even number of levels."
            )


@dataclass(frozen=True)
class Plan:
    """Everything a validated analysis needs to run."""

    settings: SensitivityConfig
    base: dict[str, Any]  #: the model configuration every run starts from, as plain data
    model_overrides: list[str]
    integer: dict[str, bool]  #: per parameter: rounded to whole numbers (an integer setting)
    seeds: list[int]
    out_dir: Path
    fingerprint: str


# -- the command line ------------------------------------------------------------------------------------------------


def _split(argv: Sequence[str]) -> tuple[list[str], list[str], dict[str, str]]:
    """Sort the arguments into analysis overrides, model overrides, and the two list-valued shorthands."""
    from samenkracht.tools.overrides import config_groups

    own_keys = {f.name for f in dataclasses.fields(SensitivityConfig)}
    model_keys = ({f.name for f in dataclasses.fields(SimConfig)} | set(config_groups(CONF_DIR))) - {"hydra"}
    own, model, lists = [], [], {}
    for arg in argv:
        if "=" not in arg:
            raise InputError(
                f"'{arg}' is not a setting: write key=value (for example population.size=2000 "
                f"or params=burden.dropout_rate:0:0.1); {PROG} --help lists the settings."
            )
        key = arg.split("=", 1)[0].lstrip("+~")
        top = key.split(".")[0].split("/")[0]
        if top in ("params", "indicators") and key == top:
            lists[top] = arg.split("=", 1)[1]
        elif top == "indicators":  # indicators.lonely_threshold=...: the model's indicator definitions
            model.append(arg)
        elif top in own_keys:
            own.append(arg)
        elif top in model_keys:
            model.append(arg)
        elif top == "hydra":
            raise InputError(f"{key}: Hydra's settings do not apply to {PROG}; the results go to out_dir=PATH.")
        else:
            import difflib

            close = difflib.get_close_matches(top, sorted(own_keys | model_keys), n=1)
            hint = f" Did you mean '{key.replace(top, close[0], 1)}'?" if close else ""
            raise InputError(
                f"unknown key '{key}'.{hint} Analysis settings: {', '.join(sorted(own_keys))}. "
                f"Model settings: {', '.join(sorted(model_keys))}."
            )
    return own, model, lists


def _parse_params(text: str) -> dict[str, list[float]]:
    """``KEY:LO:HI,KEY:LO:HI`` (or Hydra's ``{KEY: [LO, HI], ...}``) as a dict of ranges."""
    text = text.strip()
    if text.startswith("{"):
        parsed = _hydra_value("params", text)
        if not isinstance(parsed, dict):
            raise InputError(f"params={text}: write KEY:LO:HI[,KEY:LO:HI...].")
        return {str(k): v for k, v in parsed.items()}
    out = {}
    for item in filter(None, (s.strip() for s in text.strip("[]").split(","))):
        parts = item.split(":")
        if len(parts) != 3:
            raise InputError(f"params: '{item}' is not KEY:LO:HI (for example burden.dropout_rate:0:0.1).")
        key, lo, hi = parts
        try:
            out[key.strip()] = [float(lo), float(hi)]
        except ValueError:
            raise InputError(f"params: '{item}': the range must be two numbers, as in {key}:0:0.1.") from None
    return out


def _range(key: str, bounds: Any) -> list[float]:
    """A parameter's [lo, hi] as floats (YAML and Hydra give whole numbers as int)."""
    if not isinstance(bounds, (list, tuple)) or len(bounds) != 2:
        raise InputError(f"params: {key} needs a range [lo, hi] (on the command line {key}:LO:HI), got {bounds!r}.")
    try:
        return [float(b) for b in bounds]
    except (TypeError, ValueError):
        raise InputError(f"params: the range of {key} must be two numbers, got {list(bounds)!r}.") from None


def _parse_list(name: str, text: str) -> list[str]:
    text = text.strip()
    if text.startswith("["):
        parsed = _hydra_value(name, text)
        return [str(v) for v in parsed]
    return [s.strip() for s in text.split(",") if s.strip()]


def _hydra_value(name: str, text: str) -> Any:
    from hydra.core.override_parser.overrides_parser import OverridesParser

    from samenkracht.tools.overrides import first_lines

    try:
        return OverridesParser.create().parse_override(f"{name}={text}").value()
    except Exception as err:
        raise InputError(f"{name}={text}: {first_lines(err)}") from None


def _compose_settings(own: list[str], lists: dict[str, str]) -> SensitivityConfig:
    from omegaconf import OmegaConf

    from samenkracht.tools.overrides import check_key, compose, first_lines

    for arg in own:
        check_key(SensitivityConfig, arg.split("=", 1)[0].lstrip("+~"))
    cfg = compose(own, CONF_DIR, config_name="sensitivity")
    try:
        container = OmegaConf.to_container(cfg, resolve=True)
    except Exception as err:  # noqa: BLE001 (an interpolation that does not resolve)
        raise InputError(first_lines(err)) from None
    if "params" in lists:
        container["params"] = _parse_params(lists["params"])
    container["params"] = {key: _range(key, bounds) for key, bounds in (container.get("params") or {}).items()}
    if "indicators" in lists:
        container["indicators"] = _parse_list("indicators", lists["indicators"])
    try:
        settings = OmegaConf.to_object(OmegaConf.merge(OmegaConf.structured(SensitivityConfig), container))
    except Exception as err:
        raise InputError(first_lines(err)) from None
    validate(settings)
    return settings


def _check_param(base: dict[str, Any], key: str, bounds: list[float]) -> bool:
    """Check that ``key`` is a numeric model setting with a valid range at both ends; return whether it is integer."""
    from samenkracht.tools.overrides import check_key

    if key in FIXED_KEYS:
        raise InputError(f"params: {key} cannot be varied: {FIXED_KEYS[key]}.")
    try:
        check_key(SimConfig, key)
    except InputError as err:
        raise InputError(f"params: {err}") from None
    node: Any = base
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            raise InputError(
                f"params: {key} is not set in the model's configuration (a scenario action's parameter "
                "needs the action in the scenario: choose the scenario with scenario=NAME)."
            )
        node = node[part]
    if isinstance(node, bool) or not (node is None or isinstance(node, (int, float))):
        raise InputError(f"params: {key} is not a number (it is {node!r}); only numeric settings can be varied.")
    integer = isinstance(node, int)
    for end in bounds:
        _model_config(base, {key: round(end) if integer else float(end)})
    return integer


def _model_config(base: dict[str, Any], values: dict[str, float]) -> SimConfig:
    """The validated model configuration of one design point."""
    from omegaconf import OmegaConf

    from samenkracht.tools.config_store import to_sim_config

    cfg = OmegaConf.create(base)
    for key, value in values.items():
        OmegaConf.update(cfg, key, value, merge=False)
    try:
        return to_sim_config(cfg)
    except InputError as err:
        settings = ", ".join(f"{k}={v:g}" for k, v in values.items())
        raise InputError(f"params: at {settings}: {err}") from None


def _yearly(config: SimConfig) -> pd.DataFrame:
    from samenkracht.sim.model import CareNetworkModel
    from samenkracht.tools.outputs import weekly_frame, yearly_summary

    model = CareNetworkModel(config)
    model.run()
    return yearly_summary(weekly_frame(model), model.yearly)


def prepare(argv: Sequence[str]) -> Plan:
    """Check every setting and build the plan; raise InputError naming the first problem. Writes nothing."""
    from samenkracht.tools.outputs import config_hash
    from samenkracht.tools.overrides import compose_check, open_actions, precheck

    register_configs()
    register_sensitivity_config()
    own, model_args, lists = _split(argv)
    settings = _compose_settings(own, lists)
    model_overrides = open_actions([*settings.model, *model_args])
    precheck(model_overrides, CONF_DIR, SimConfig)
    base_config = compose_check(model_overrides, CONF_DIR)
    assert base_config is not None  # no Hydra flags here: _split refuses anything but key=value
    if base_config.years < 1:
        raise InputError(f"years={base_config.years}: a sensitivity analysis needs at least one simulated year.")
    years = base_config.years
    if not -years <= settings.at_year < years:
        raise InputError(
            f"at_year={settings.at_year} is outside the {years} simulated year(s): "
            f"give 0 to {years - 1}, or -1 for the last."
        )
    base = dataclasses.asdict(base_config)
    integer = {key: _check_param(base, key, bounds) for key, bounds in settings.params.items()}
    probe = _yearly(_model_config(base, {"years": 1, "burn_in_weeks": 0}))
    known = [c for c in probe.columns if indicator(c).yearly not in ("key", "weeks")]  # not the bookkeeping
    unknown = [name for name in settings.indicators if name not in known]
    if unknown:
        import difflib

        hints = [
            f"'{n}' (did you mean '{m[0]}'?)" if (m := difflib.get_close_matches(n, known, n=1)) else f"'{n}'"
            for n in unknown
        ]
        raise InputError(f"unknown indicator {', '.join(hints)}. Indicators: {', '.join(known)}.")
    seeds = [base_config.seed + i for i in range(settings.seeds)]
    what = dataclasses.asdict(settings)
    for volatile in ("jobs", "out_dir", "plots", "model"):
        what.pop(volatile)
    what["model_config_hash"] = config_hash(base_config)
    fingerprint = "sha256:" + hashlib.sha256(json.dumps(what, sort_keys=True, default=str).encode()).hexdigest()
    return Plan(settings, base, model_overrides, integer, seeds, Path(settings.out_dir), fingerprint)


def register_sensitivity_config() -> None:
    """Register the schema that conf/sensitivity.yaml starts from."""
    from hydra.core.config_store import ConfigStore

    ConfigStore.instance().store(name="sensitivity_schema", node=SensitivityConfig)


# -- running the design ---------------------------------------------------------------------------------------------


def designs(plan: Plan) -> dict[str, np.ndarray]:
    """The design of each chosen method: one row per design point, one column per parameter."""
    from samenkracht.analysis.sensitivity import morris_design, problem, sobol_design

    s = plan.settings
    prob = problem(s.params)
    out = {}
    if s.method in ("morris", "both"):
        out["morris"] = morris_design(prob, s.morris.trajectories, s.morris.levels, s.sample_seed)
    if s.method in ("sobol", "both"):
        out["sobol"] = sobol_design(prob, s.sobol.n, s.sobol.calc_second_order, s.sample_seed)
    return out


def point_values(plan: Plan, row: np.ndarray) -> dict[str, float]:
    """The model settings of one design point (integer settings rounded)."""
    return {key: (int(round(v)) if plan.integer[key] else float(v)) for key, v in zip(plan.settings.params, row)}


def evaluate(
    base: dict[str, Any], values: dict[str, float], seeds: list[int], indicators: list[str], at_year: int
) -> list[dict[str, float]]:
    """Run one design point once per seed; return one row per seed with each indicator's mean over ``at_year``."""
    logging.getLogger("MESA").setLevel(logging.WARNING)
    config = _model_config(base, values)
    rows = []
    for seed in seeds:
        summary = _yearly(dataclasses.replace(config, seed=seed))
        year = summary.iloc[at_year]
        rows.append({"seed": seed, **{name: float(year[name]) for name in indicators}})
    return rows


def _evaluate_task(args: tuple) -> tuple[tuple[str, int], list[dict[str, float]]]:
    key, base, values, seeds, indicators, at_year = args
    return key, evaluate(base, values, seeds, indicators, at_year)


def _rows(method: str, sample: int, values: dict[str, float], runs: list[dict]) -> list[dict]:
    return [{"method": method, "sample": sample, **values, **run} for run in runs]


def _load_done(plan: Plan) -> pd.DataFrame | None:
    """Rows of an earlier, interrupted run of the same analysis in ``out_dir``; refuse a different analysis there."""
    plan_file = plan.out_dir / "plan.json"
    if not plan_file.is_file():
        return None
    try:
        earlier = json.loads(plan_file.read_text())
    except (OSError, ValueError):
        earlier = {}
    if earlier.get("fingerprint") != plan.fingerprint:
        raise InputError(
            f"out_dir={plan.out_dir} holds a different analysis (other parameters, ranges, model "
            "settings or design): choose another out_dir, or remove that one."
        )
    for name in ("samples.parquet", "samples.partial.parquet"):
        path = plan.out_dir / name
        if path.is_file():
            return pd.read_parquet(path)
    return None


def run(plan: Plan, launcher: Any = None) -> dict[str, pd.DataFrame]:
    """Run every missing design point; write samples.parquet, the indices, the plots and the ranking; return indices.

    With a ``launcher`` (:class:`samenkracht.tools.launchers.Launcher`) the design points are one job array of it.
    """
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from multiprocessing import get_context

    from samenkracht.tools.outputs import package_versions, write_atomic
    from samenkracht.tools.progress import Progress

    s = plan.settings
    start = time.perf_counter()
    done = _load_done(plan)
    plan.out_dir.mkdir(parents=True, exist_ok=True)
    write_atomic(
        plan.out_dir / "plan.json",
        lambda p: p.write_text(
            json.dumps(
                {
                    "fingerprint": plan.fingerprint,
                    "settings": dataclasses.asdict(s),
                    "model_overrides": plan.model_overrides,
                    "seeds": plan.seeds,
                },
                indent=2,
                default=str,
            )
            + "\n"
        ),
    )
    write_atomic(
        plan.out_dir / "model_config.json", lambda p: p.write_text(json.dumps(plan.base, indent=2, default=str) + "\n")
    )
    design = designs(plan)
    rows: dict[tuple[str, int], list[dict]] = {}
    if done is not None:
        for (method, sample), group in done.groupby(["method", "sample"]):
            if sorted(group["seed"]) == plan.seeds:
                rows[(method, int(sample))] = group.to_dict(orient="records")
    tasks = []
    for method, x in design.items():
        for i, row in enumerate(x):
            if (method, i) not in rows:
                tasks.append(
                    (
                        (method, i),
                        plan.base,
                        point_values(plan, row),
                        plan.seeds,
                        list(s.indicators),
                        plan.settings.at_year,
                    )
                )
    total = sum(len(x) for x in design.values())
    jobs = s.jobs or os.cpu_count() or 1
    jobs = max(1, min(jobs, len(tasks)))
    _print_plan(plan, design, total, len(tasks), jobs if launcher is None else launcher.describe())

    last_checkpoint = time.monotonic()

    def keep(key: tuple[str, int], runs: list[dict]) -> None:
        nonlocal last_checkpoint
        method, i = key
        rows[key] = _rows(method, i, point_values(plan, design[method][i]), runs)
        if time.monotonic() - last_checkpoint > CHECKPOINT_EVERY_S:
            _write_samples(plan.out_dir / "samples.partial.parquet", rows)
            last_checkpoint = time.monotonic()

    try:
        with Progress(len(tasks), "sensitivity runs") as progress:
            if launcher is not None:
                failed = []
                for i, result, failure in launcher.map(_evaluate_task, tasks, plan.out_dir / ".submitit", PROG):
                    if failure is None:
                        keep(*result)
                    else:
                        failed.append(f"{tasks[i][0]}: {type(failure).__name__}: {str(failure).strip()[:300]}")
                    progress.advance()
                if failed:
                    _write_samples(plan.out_dir / "samples.partial.parquet", rows)
                    print("\n".join(f"{PROG}: design point failed: {f}" for f in failed), file=sys.stderr)
                    print(
                        f"{PROG}: {len(failed)} of {len(tasks)} design points failed (logs in "
                        f"{plan.out_dir / '.submitit'}); run the same command again to retry them.",
                        file=sys.stderr,
                    )
                    raise SystemExit(1)
            elif jobs == 1:
                for task in tasks:
                    keep(*_evaluate_task(task))
                    progress.advance()
            else:
                with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn")) as pool:
                    futures = [pool.submit(_evaluate_task, task) for task in tasks]
                    try:
                        for future in as_completed(futures):
                            keep(*future.result())
                            progress.advance()
                    except BaseException:
                        pool.shutdown(wait=False, cancel_futures=True)
                        raise
    except KeyboardInterrupt:
        _write_samples(plan.out_dir / "samples.partial.parquet", rows)
        print(
            f"\ninterrupted: {len(rows)} of {total} design points done. Run the same command with "
            f"out_dir={plan.out_dir} to finish.",
            file=sys.stderr,
        )
        raise SystemExit(130) from None

    samples = _write_samples(plan.out_dir / "samples.parquet", rows)
    (plan.out_dir / "samples.partial.parquet").unlink(missing_ok=True)
    indices = analyse(plan, design, samples)
    wall = time.perf_counter() - start
    write_atomic(
        plan.out_dir / "sensitivity.json",
        lambda p: p.write_text(
            json.dumps(
                {
                    "complete": True,
                    "fingerprint": plan.fingerprint,
                    "design_points": total,
                    "runs": total * len(plan.seeds),
                    "wall_time_s": round(wall, 3),
                    "versions": package_versions(),
                    "files": sorted(
                        p.name for p in plan.out_dir.iterdir() if p.is_file() and not p.name.startswith(".")
                    ),
                },
                indent=2,
            )
            + "\n"
        ),
    )
    print(f"Outputs: {plan.out_dir}")
    return indices


def _write_samples(path: Path, rows: dict[tuple[str, int], list[dict]]) -> pd.DataFrame:
    from samenkracht.tools.outputs import write_atomic

    ordered = [r for key in sorted(rows) for r in rows[key]]
    df = pd.DataFrame(ordered)
    write_atomic(path, lambda p: df.to_parquet(p, index=False))
    return df


def analyse(plan: Plan, design: dict[str, np.ndarray], samples: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Compute, write, plot and print the indices of each method from the runs in ``samples``."""
    from samenkracht.analysis.sensitivity import (
        morris_indices,
        plot_morris,
        plot_sobol,
        problem,
        ranking_text,
        sobol_indices,
    )
    from samenkracht.tools.outputs import write_atomic

    s = plan.settings
    prob = problem(s.params)
    means = samples.groupby(["method", "sample"])[list(s.indicators)].mean()
    indices: dict[str, pd.DataFrame] = {}
    for method, x in design.items():
        y = means.loc[method].reindex(range(len(x)))
        outputs = {name: y[name].to_numpy() for name in s.indicators}
        if method == "morris":
            df = morris_indices(prob, x, outputs, s.morris.levels, s.sample_seed)
        else:
            df, pairs = sobol_indices(prob, outputs, s.sobol.calc_second_order, s.sample_seed)
            if pairs is not None:
                write_atomic(
                    plan.out_dir / "indices_sobol_second_order.csv",
                    lambda p, d=pairs: d.to_csv(p, index=False, float_format="%.6g"),
                )
        indices[method] = df
        write_atomic(
            plan.out_dir / f"indices_{method}.csv", lambda p, d=df: d.to_csv(p, index=False, float_format="%.6g")
        )
        if s.plots:
            plot = plot_morris if method == "morris" else plot_sobol
            write_atomic(plan.out_dir / f"{method}.png", lambda p, d=df, f=plot: f(d, p))
    at = plan.settings.at_year
    year = f"year {at + 1}" if at >= 0 else ("the last year" if at == -1 else f"year {at} from the end")
    header = {
        "morris": f"Morris screening ({s.morris.trajectories} trajectories, {s.morris.levels} levels; means over "
        f"{year}): parameters by mu*, the mean absolute effect over the range",
        "sobol": f"Sobol indices (N={s.sobol.n}; means over {year}): parameters by ST, "
        "the total-order share of variance",
    }
    text = ranking_text(indices.get("morris"), indices.get("sobol"), header)
    write_atomic(plan.out_dir / "ranking.txt", lambda p: p.write_text(text + "\n"))
    print(text)
    return indices


def _print_plan(plan: Plan, design: dict[str, np.ndarray], total: int, todo: int, jobs: int | str) -> None:
    base = plan.base
    parts = [f"{m}: {len(x)} design points" for m, x in design.items()]
    seeds = f"{len(plan.seeds)} seed{'s' if len(plan.seeds) > 1 else ''}"
    print(f"Sensitivity analysis of {', '.join(plan.settings.indicators)} over {', '.join(plan.settings.params)}")
    print(
        f"  {'; '.join(parts)}; × {seeds} = {total * len(plan.seeds)} runs of {base['population']['size']:,} "
        f"residents over {base['years']} year(s)"
    )
    if todo < total:
        print(f"  resuming: {total - todo} design points already done in {plan.out_dir}")
    if todo:
        print(
            f"  running {todo} design points, " + (f"{jobs} at a time" if isinstance(jobs, int) else f"through {jobs}")
        )


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the `samenkracht-sensitivity` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if any(a in ("-h", "--help") for a in argv):
        print(USAGE)
        return
    from samenkracht.tools import launchers

    try:
        launcher, argv = launchers.for_tool(argv, PROG)  # hydra/launcher=slurm hydra.launcher.KEY=VALUE
        plan = prepare(argv)
        run(plan, launcher)
    except InputError as err:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
