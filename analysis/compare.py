"""Comparing scenarios over many seeds: running the paired runs, and the statistics of the comparison.

Every scenario runs with the same seeds. The model's random streams are keyed
by seed, mechanism and week (common random numbers), so at one seed two
scenarios start from the same population and draw the same numbers wherever
their actions did not change anything: the per-seed difference from the
reference is the effect of the actions, not noise. The statistics:

- each scenario's mean over seeds with a t-based 95% interval;
- the paired difference from the reference: per-seed differences, their mean
  and t interval;
- for comparison, the interval the difference would have with independent
  seeds (Welch's interval on the same values), and the *narrowing factor*,
  the unpaired width divided by the paired width;
- cost per unit of effect: extra municipal spending a year divided by the
  improvement, where the improvement's interval excludes zero and cost and
  effect move the usual way (more cost for a better effect, or less cost
  for a worse one); otherwise a verdict in words (cheaper and better, more
  expensive and worse);
- where the hours come from: the paired difference of the hours each layer of
  care gives (household, family and friends, neighbours, volunteers,
  professionals) and of the unmet hours.

Years in this module count from 1 (year 1 is the first simulated year;
summary.csv's ``year`` column counts from 0).
"""

from __future__ import annotations

import dataclasses
import logging
import math
import shutil
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from scipy import stats

from samenkracht.analysis import cost_benefit
from samenkracht.sim import indicator_table
from samenkracht.sim.config import SimConfig
from samenkracht.sim.errors import InputError
from samenkracht.sim.mechanisms.allocation import LAYERS
from samenkracht.sim.time import WEEKS_PER_YEAR
from samenkracht.tools.outputs import is_complete, write_atomic

#: The indicators every comparison reports (yearly values from summary.csv).
HEADLINE_INDICATORS: tuple[str, ...] = (
    "carrying_capacity",
    "heavily_burdened_share",
    "burden_mean",
    "unmet_hours",
    "isolated_share",
    "severely_lonely_share",
    "informal_hours",
    "formal_hours",
    "municipal_cost_eur",
    "formal_cost_eur",
)
#: Indicators per wijk (from wijken.parquet), for ``per_wijk``.
WIJK_INDICATORS: tuple[str, ...] = (
    "carrying_capacity",
    "heavily_burdened_share",
    "burden_mean",
    "unmet_hours",
    "isolated_share",
    "severely_lonely_share",
)
#: The hours by layer of the onion and the hours no one gives: where an action's effect on care comes from.
LAYER_INDICATORS: tuple[str, ...] = (*(f"{layer}_hours" for layer in LAYERS), "unmet_hours")
#: What cost and effect together say, for each arm and effect (``verdict`` of :func:`cost_per_effect`).
VERDICTS: tuple[str, ...] = (
    "cheaper_and_better",
    "cost_per_effect",
    "saving_per_effect",
    "costlier_and_worse",
    "no_effect",
)
#: The money that buys an effect: the municipality's yearly spending on actions.
COST_INDICATOR = "municipal_cost_eur"
LEVEL = 0.95


@dataclass(frozen=True)
class Effect:
    """An indicator that cost per effect is reported for, and the unit its improvement is counted in."""

    indicator: str
    scale: float  # multiply a difference by this to get the unit (100: share → percentage points)
    unit: str  # "pp" (percentage points) or "hours_per_week"


EFFECTS: tuple[Effect, ...] = (
    Effect("heavily_burdened_share", 100.0, "pp"),
    Effect("unmet_hours", 1.0, "hours_per_week"),
    Effect("isolated_share", 100.0, "pp"),
    Effect("severely_lonely_share", 100.0, "pp"),
    Effect("carrying_capacity", 100.0, "pp"),
)


# -- statistics ------------------------------------------------------------------------------------------------------


def t_interval(values: Sequence[float] | np.ndarray, level: float = LEVEL) -> tuple[float, float, float, float]:
    """Mean, standard deviation and t-based interval (low, high) of the mean of ``values``.

    With fewer than two values the interval is undefined (NaN). Values that
    are all equal give an interval of zero width.
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = x.size
    if n == 0:
        return math.nan, math.nan, math.nan, math.nan
    mean = float(x.mean())
    if n < 2:
        return mean, math.nan, math.nan, math.nan
    sd = float(x.std(ddof=1))
    half = float(stats.t.ppf(0.5 + level / 2, n - 1)) * sd / math.sqrt(n)
    return mean, sd, mean - half, mean + half


def welch_interval(a: np.ndarray, b: np.ndarray, level: float = LEVEL) -> tuple[float, float]:
    """Interval of mean(a) − mean(b) as if a and b came from independent seeds (Welch's t interval)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.size < 2 or b.size < 2:
        return math.nan, math.nan
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    diff = float(a.mean() - b.mean())
    se = math.sqrt(va + vb)
    if se == 0:
        return diff, diff
    df = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    half = float(stats.t.ppf(0.5 + level / 2, df)) * se
    return diff - half, diff + half


def _width_ratio(unpaired: float, paired: float) -> float:
    if math.isnan(unpaired) or math.isnan(paired):
        return math.nan
    if paired == 0:
        return math.inf if unpaired > 0 else math.nan
    return unpaired / paired


def levels(frame: pd.DataFrame, indicators: Sequence[str], by: Sequence[str] = ("year",)) -> pd.DataFrame:
    """Each arm's mean over seeds and 95% interval, per ``by`` group and indicator (long table)."""
    rows = []
    keys = ["arm", *by]
    for key, group in frame.groupby(keys, sort=False):
        for indicator in indicators:
            mean, sd, lo, hi = t_interval(group[indicator].to_numpy(float))
            rows.append(
                {
                    **dict(zip(keys, key)),
                    "indicator": indicator,
                    "n": int(group[indicator].notna().sum()),
                    "mean": mean,
                    "sd": sd,
                    "ci_low": lo,
                    "ci_high": hi,
                }
            )
    return pd.DataFrame(rows, columns=[*keys, "indicator", "n", "mean", "sd", "ci_low", "ci_high"])


def differences(
    frame: pd.DataFrame, reference: str, indicators: Sequence[str], by: Sequence[str] = ("year",)
) -> pd.DataFrame:
    """Paired differences of every other arm from ``reference``: seeds matched, per ``by`` group and indicator.

    Columns: ``n_pairs``; ``mean``, ``ci_low``, ``ci_high`` of the per-seed
    differences (arm − reference); ``unpaired_ci_low``/``unpaired_ci_high``,
    the interval with independent seeds; ``narrowing``, unpaired width ÷
    paired width (∞ when the paired interval has zero width).
    """
    keys = ["seed", *by]
    ref = frame[frame["arm"] == reference].set_index(keys)[list(indicators)]
    rows = []
    for arm in [a for a in frame["arm"].unique() if a != reference]:
        own = frame[frame["arm"] == arm].set_index(keys)[list(indicators)]
        joined = own.join(ref.add_suffix("__ref"), how="inner")
        for key, group in joined.groupby(level=list(by), sort=True):
            key = key if isinstance(key, tuple) else (key,)
            for indicator in indicators:
                pair = group[[indicator, f"{indicator}__ref"]].dropna()
                x, r = pair[indicator].to_numpy(float), pair[f"{indicator}__ref"].to_numpy(float)
                mean, sd, lo, hi = t_interval(x - r)
                u_lo, u_hi = welch_interval(x, r)
                rows.append(
                    {
                        "arm": arm,
                        "reference": reference,
                        **dict(zip(by, key)),
                        "indicator": indicator,
                        "n_pairs": len(pair),
                        "mean": mean,
                        "sd": sd,
                        "ci_low": lo,
                        "ci_high": hi,
                        "unpaired_ci_low": u_lo,
                        "unpaired_ci_high": u_hi,
                        "narrowing": _width_ratio(u_hi - u_lo, hi - lo),
                    }
                )
    columns = [
        "arm",
        "reference",
        *by,
        "indicator",
        "n_pairs",
        "mean",
        "sd",
        "ci_low",
        "ci_high",
        "unpaired_ci_low",
        "unpaired_ci_high",
        "narrowing",
    ]
    return pd.DataFrame(rows, columns=columns)


def verdict(status: str, extra_cost: float) -> str:
    """What an effect and its extra cost say together (one of :data:`VERDICTS`).

    A better effect for less (or no more) money is "cheaper_and_better" and a
    worse one for more money "costlier_and_worse": no cost per effect is
    given for those, a negative number there would read as a price.
    "cost_per_effect" (more money, better effect) and "saving_per_effect"
    (less money, worse effect: what is saved per unit given up) are the two
    cases where a cost per unit means something. Without a significant effect
    the verdict is "no_effect".
    """
    if status == "improvement":
        return "cost_per_effect" if extra_cost > 0 else "cheaper_and_better"
    if status == "worse":
        return "saving_per_effect" if extra_cost < 0 else "costlier_and_worse"
    return "no_effect"


def cost_per_effect(diffs: pd.DataFrame, years: Sequence[int]) -> pd.DataFrame:
    """Extra municipal spending a year per unit of improvement, for each arm, chosen year and effect indicator.

    ``status`` is "improvement" when the improvement's 95% interval lies above
    zero, "worse" when it lies below zero, and "no_effect" otherwise;
    ``verdict`` combines it with the sign of the extra cost (:func:`verdict`).
    ``cost_per_unit_eur`` (extra cost ÷ improvement, a positive number) is
    given only for the verdicts "cost_per_effect" (€ paid per unit gained) and
    "saving_per_effect" (€ saved per unit lost).
    """
    rows = []
    d = diffs[diffs["year"].isin(years)].set_index(["arm", "year", "indicator"])
    for (arm, year), _ in diffs[diffs["year"].isin(years)].groupby(["arm", "year"], sort=False):
        cost = d.loc[(arm, year, COST_INDICATOR)] if (arm, year, COST_INDICATOR) in d.index else None
        for effect in EFFECTS:
            if (arm, year, effect.indicator) not in d.index:
                continue
            row = d.loc[(arm, year, effect.indicator)]
            sign = effect.scale if indicator_table.indicator(effect.indicator).better == "higher" else -effect.scale
            improvement = sign * row["mean"] + 0.0  # + 0.0: no negative zero
            lo, hi = sorted((sign * row["ci_low"] + 0.0, sign * row["ci_high"] + 0.0))
            if lo > 0:
                status = "improvement"
            elif hi < 0:
                status = "worse"
            else:
                status = "no_effect"
            extra = float(cost["mean"]) if cost is not None else math.nan
            said = verdict(status, extra)
            rows.append(
                {
                    "arm": arm,
                    "reference": row["reference"],
                    "year": year,
                    "effect": effect.indicator,
                    "unit": effect.unit,
                    "improvement": improvement,
                    "improvement_ci_low": lo,
                    "improvement_ci_high": hi,
                    "extra_cost_eur_per_year": extra,
                    "extra_cost_ci_low": float(cost["ci_low"]) if cost is not None else math.nan,
                    "extra_cost_ci_high": float(cost["ci_high"]) if cost is not None else math.nan,
                    "cost_per_unit_eur": (
                        extra / improvement if said in ("cost_per_effect", "saving_per_effect") else math.nan
                    ),
                    "status": status,
                    "verdict": said,
                }
            )
    columns = [
        "arm",
        "reference",
        "year",
        "effect",
        "unit",
        "improvement",
        "improvement_ci_low",
        "improvement_ci_high",
        "extra_cost_eur_per_year",
        "extra_cost_ci_low",
        "extra_cost_ci_high",
        "cost_per_unit_eur",
        "status",
        "verdict",
    ]
    return pd.DataFrame(rows, columns=columns)


@dataclass
class Comparison:
    """Everything a comparison report shows; each table is long-format, one number per row and column."""

    arms: list[str]
    reference: str
    at_years: list[int]
    levels: pd.DataFrame  # every year: arm, year, indicator, n, mean, sd, ci_low, ci_high
    differences: pd.DataFrame  # every year, see differences()
    cost: pd.DataFrame  # chosen years, see cost_per_effect()
    setup: dict[str, Any]
    wijk_levels: pd.DataFrame | None = None
    wijk_differences: pd.DataFrame | None = None
    layers: pd.DataFrame | None = None  # every year: paired differences of LAYER_INDICATORS, see differences()
    cost_benefit: pd.DataFrame | None = None  # by payer, per year and over the run (analysis/cost_benefit.py)

    def at(self, table: pd.DataFrame) -> pd.DataFrame:
        """Rows of ``table`` at the chosen years."""
        return table[table["year"].isin(self.at_years)].reset_index(drop=True)

    def narrowing_median(self, year: int) -> float:
        """Median narrowing factor over arms and indicators at ``year`` (how much CRN narrows the intervals);
        NaN when no paired interval has a nonzero width."""
        values = self.differences.loc[self.differences["year"] == year, "narrowing"].to_numpy(float)
        values = values[np.isfinite(values)]  # ∞: a paired interval of zero width (no effect at all), left out
        return float(np.median(values)) if values.size else math.nan


def pick_years(frame: pd.DataFrame, at_years: Sequence[int] | None) -> list[int]:
    """The chosen years, checked against the data; default: the middle year and the last (common to all arms)."""
    last = int(frame.groupby("arm")["year"].max().min())
    if at_years:
        bad = [y for y in at_years if not 1 <= y <= last]
        if bad:
            raise InputError(f"at_years: {', '.join(map(str, bad))} not simulated; give years from 1 to {last}.")
        return sorted({int(y) for y in at_years})
    return sorted({max(1, last // 2), last})


def compare(
    frame: pd.DataFrame,
    arms: Sequence[str],
    reference: str,
    at_years: Sequence[int] | None = None,
    wijken: pd.DataFrame | None = None,
    setup: dict[str, Any] | None = None,
) -> Comparison:
    """Compare ``arms`` with ``reference``.

    ``frame`` has a row per run per year (years from 1) with columns ``arm``,
    ``seed``, ``year`` and the headline indicators; ``wijken`` likewise per
    wijk (column ``wijk_name``), for the per-wijk tables.
    """
    frame = frame[frame["arm"].isin(arms)]
    years = pick_years(frame, at_years)
    indicators = [c for c in HEADLINE_INDICATORS if c in frame.columns]
    level = levels(frame, indicators)
    level["arm"] = pd.Categorical(level["arm"], categories=list(arms), ordered=True)
    level = level.sort_values(["arm", "year"], kind="stable").reset_index(drop=True)
    level["arm"] = level["arm"].astype(str)
    diffs = differences(frame, reference, indicators)
    order = {a: i for i, a in enumerate(arms)}
    diffs = diffs.sort_values(
        ["arm", "year"], key=lambda s: s.map(order) if s.name == "arm" else s, kind="stable"
    ).reset_index(drop=True)
    cmp = Comparison(list(arms), reference, years, level, diffs, cost_per_effect(diffs, years), dict(setup or {}))
    layer_columns = [c for c in LAYER_INDICATORS if c in frame.columns]
    if layer_columns:
        layer_diffs = differences(frame, reference, layer_columns)
        cmp.layers = layer_diffs.sort_values(
            ["arm", "year"], key=lambda s: s.map(order) if s.name == "arm" else s, kind="stable"
        ).reset_index(drop=True)
    cmp.cost_benefit = cost_benefit.for_comparison(frame, arms, reference, cmp.setup.get("prices"))
    if wijken is not None and not wijken.empty:
        wijken = wijken[wijken["arm"].isin(arms)]
        wind = [c for c in WIJK_INDICATORS if c in wijken.columns]
        cmp.wijk_levels = levels(wijken, wind, by=("year", "wijk_name"))
        cmp.wijk_differences = differences(wijken, reference, wind, by=("year", "wijk_name"))
    return cmp


# -- running the paired runs -----------------------------------------------------------------------------------------


@dataclass
class RunSpec:
    """One run of a comparison: an arm (a scenario) at one seed, and where it goes."""

    arm: str
    scenario: str
    seed: int
    run_dir: Path
    config: SimConfig
    overrides: list[str]  # as in .hydra/overrides.yaml: scenario=…, seed=…, then the user's
    config_yaml: str


def arm_labels(scenarios: Sequence[str]) -> list[str]:
    """Labels for the scenarios in order; a scenario named twice (an A/A check) gets '_2', '_3'."""
    seen: dict[str, int] = {}
    labels = []
    for name in scenarios:
        seen[name] = seen.get(name, 0) + 1
        labels.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return labels


def compose_scenario(scenario: str, overrides: Sequence[str], conf_dir: Path) -> tuple[Any, SimConfig]:
    """Compose the configuration of one scenario with the user's overrides (Hydra's compose API)."""
    from samenkracht.tools.config_store import to_sim_config
    from samenkracht.tools.overrides import compose

    cfg = compose([f"scenario={scenario}", *overrides], conf_dir)  # a bad override: the message `samenkracht` gives
    return cfg, to_sim_config(cfg)


def plan_runs(
    scenarios: Sequence[str], seeds: Sequence[int], overrides: Sequence[str], out_dir: Path, conf_dir: Path
) -> list[RunSpec]:
    """Every (scenario, seed) run of a comparison, composed and checked; runs already in ``out_dir`` are checked
    to have been made with the same settings (else InputError: the directory belongs to another comparison)."""
    from omegaconf import OmegaConf

    composed: dict[str, tuple[Any, SimConfig]] = {}
    specs = []
    for arm, scenario in zip(arm_labels(scenarios), scenarios):
        if scenario not in composed:
            composed[scenario] = compose_scenario(scenario, overrides, conf_dir)
        cfg, config = composed[scenario]
        for seed in seeds:
            run_dir = out_dir / "runs" / arm / f"seed_{seed}"
            run_overrides = [f"scenario={scenario}", f"seed={seed}", *overrides]
            seeded = OmegaConf.create(OmegaConf.to_container(cfg))
            seeded.seed = seed
            spec = RunSpec(
                arm,
                scenario,
                seed,
                run_dir,
                dataclasses.replace(config, seed=seed),
                run_overrides,
                OmegaConf.to_yaml(seeded),
            )
            if is_complete(run_dir):
                done = run_dir / ".hydra" / "overrides.yaml"
                before = yaml.safe_load(done.read_text()) if done.is_file() else None
                if before != run_overrides:
                    raise InputError(
                        f"{run_dir} holds a finished run made with other settings ({' '.join(before or [])}); "
                        f"choose another out= or remove {out_dir / 'runs'}."
                    )
            specs.append(spec)
    return specs


def execute_run(spec: RunSpec, on_week: Callable[[], None] | None = None) -> str | None:
    """Run one simulation into ``spec.run_dir`` (Hydra-like layout); return None, or the error's text.

    ``on_week`` is called after every simulated week (for progress).
    """
    from samenkracht.tools.outputs import simulate

    logging.getLogger("MESA").setLevel(logging.WARNING)
    run_dir = spec.run_dir
    if run_dir.exists():  # an unfinished earlier attempt (a finished one is never redone)
        shutil.rmtree(run_dir)
    hydra_dir = run_dir / ".hydra"
    write_atomic(hydra_dir / "config.yaml", lambda p: p.write_text(spec.config_yaml))
    write_atomic(hydra_dir / "overrides.yaml", lambda p: p.write_text(yaml.safe_dump(spec.overrides)))
    try:
        simulate(spec.config, run_dir, plots=False, on_week=on_week)
    except Exception:  # noqa: BLE001 (a failed run is reported and kept apart; the others go on)
        text = traceback.format_exc()
        write_atomic(run_dir / "error.txt", lambda p: p.write_text(text))
        return text.strip().splitlines()[-1]
    return None


def run_all(
    specs: Sequence[RunSpec], jobs: int = 1, label: str = "runs", launcher: Any = None, folder: Path | None = None
) -> dict[Path, str]:
    """Run every spec whose directory is not complete, ``jobs`` at a time; return failures (run_dir → error).

    With a ``launcher`` (:class:`samenkracht.tools.launchers.Launcher`) the runs are one job array of that launcher
    (SLURM or submitit-local), its logs in ``folder``.

    Each run's numbers depend only on its configuration and seed, so the
    results do not depend on ``jobs`` or on the order runs finish in.
    """
    from samenkracht.tools.progress import Progress

    todo = [s for s in specs if not is_complete(s.run_dir)]
    failures: dict[Path, str] = {}
    with Progress(len(todo), label) as progress:
        if launcher is not None:
            for i, error, failure in launcher.map(execute_run, todo, folder, "samenkracht-compare"):
                if error or failure is not None:
                    failures[todo[i].run_dir] = error or f"{type(failure).__name__}: {str(failure).strip()[:500]}"
                progress.advance()
        elif jobs <= 1 or len(todo) <= 1:
            for spec in todo:
                weeks = max(1, spec.config.years * WEEKS_PER_YEAR)
                done_before = progress.done
                error = execute_run(spec, on_week=lambda step=1 / weeks: progress.advance(step))
                if error:
                    failures[spec.run_dir] = error
                progress.advance(done_before + 1 - progress.done)  # exactly one run more, whatever was counted
        else:
            import multiprocessing

            context = multiprocessing.get_context("spawn")  # no state inherited from this process
            with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
                futures = {pool.submit(execute_run, spec): spec for spec in todo}
                for future in as_completed(futures):
                    error = future.result()
                    if error:
                        failures[futures[future].run_dir] = error
                    progress.advance()
    return failures
