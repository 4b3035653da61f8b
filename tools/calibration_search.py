"""A joint calibration search: a few parameters at once, against every target, with Optuna.

``samenkracht-calibrate search=KEY:LO:HI[,KEY:LO:HI...] trials=N out_dir=DIR`` searches the listed parameters
(each within its range) for the values that bring every target of the targets files inside its range at each
of the ``search_years`` (default 3; ``search_years=3,20`` checks year 3 and year 20 of the same runs). The loss
of a trial sums, over targets and measured years, the squared distance outside the range in units of the range's
width, plus a small pull (one hundredth) towards the middle of each range so that of two settings that are both
inside, the one with room to spare wins. No parameter is tuned to one target: every trial is judged on all.

The study lives in ``DIR/calibration.db`` (Optuna's SQLite storage) under a name made from the settings, so an
interrupted search resumes where it stopped (run the same command again); a directory holding a study with other
settings is refused. The first trial is the configuration as given (the defaults unless overridden), so the
search starts from today's model. ``DIR/calibration_trials.csv`` (one row per trial: values, loss, targets
outside, each target's simulated mean per measured year) and ``DIR/best_overrides.txt`` (the best trial's values
as overrides for ``samenkracht``) are rewritten atomically after every trial.
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from samenkracht.sim.errors import InputError
from samenkracht.tools.calibration import (
    Result,
    Target,
    format_table,
    measure,
    run_records,
    seeds_of,
    verdict,
)
from samenkracht.tools.outputs import write_atomic
from samenkracht.tools.studies import other_studies, resume_study

if TYPE_CHECKING:
    from samenkracht.sim.config import SimConfig

#: Weight of the pull towards the middle of each range, against 1 for a whole range width outside it.
CENTRE_WEIGHT = 0.01
STORAGE = "calibration.db"
TRIALS_FILE = "calibration_trials.csv"
BEST_FILE = "best_overrides.txt"


@dataclass(frozen=True)
class SearchParam:
    """One searched parameter: its override key and the interval searched."""

    key: str
    lo: float
    hi: float
    integer: bool = False
    #: for one element of a list parameter (``allocation.outside_care_ages.0``): the list as configured
    in_list: tuple[float, ...] | None = None

    def override(self, value: float) -> str:
        """The override that sets this parameter to ``value`` (a whole list, for an element of one)."""
        text = _value_text(value, self.integer)
        if self.in_list is None:
            return f"{self.key}={text}"
        head, index = self.key.rsplit(".", 1)
        items = [repr(float(v)) for v in self.in_list]
        items[int(index)] = text
        return f"{head}=[{','.join(items)}]"


def parse_search(text: str) -> list[SearchParam]:
    """``KEY:LO:HI,KEY:LO:HI`` → search parameters (checked for form only; :func:`check_search` checks keys)."""
    out = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        bits = part.split(":")
        if len(bits) != 3:
            raise InputError(
                f"search={text}: '{part}' is not KEY:LO:HI; write for example "
                "search=allocation.friend_share:0.1:0.3,contact.lonely_age_75:0:2."
            )
        key, lo_text, hi_text = bits
        try:
            lo, hi = float(lo_text), float(hi_text)
        except ValueError:
            raise InputError(f"search: '{part}': LO and HI must be numbers (for example {key}:0.1:0.3).") from None
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise InputError(f"search: '{part}': give LO < HI, both finite.")
        out.append(SearchParam(key, lo, hi))
    if not out:
        raise InputError("search= needs at least one KEY:LO:HI, for example search=allocation.friend_share:0.1:0.3.")
    keys = [p.key for p in out]
    if len(set(keys)) != len(keys):
        raise InputError(
            f"search: a parameter is listed twice: {', '.join(sorted(k for k in keys if keys.count(k) > 1))}."
        )
    return out


def check_search(params: list[SearchParam], overrides: list[str], compose: Any) -> list[SearchParam]:
    """Refuse keys that are not number parameters of the model, and intervals outside a parameter's own range
    (by composing the configuration at both ends, as the command line would). Returns the parameters with
    ``integer`` set for whole-number ones."""
    from omegaconf import OmegaConf

    from samenkracht.sim.config import SimConfig
    from samenkracht.tools.overrides import check_key

    checked = []
    config = OmegaConf.structured(compose(overrides))
    for p in params:
        head, _, last = p.key.rpartition(".")
        element = last.isdigit() and head != ""
        name = head if element else p.key
        check_key(SimConfig, name)
        if any(o.split("=", 1)[0] == name for o in overrides):
            raise InputError(f"search: {name} is also given as an override; give it in one place only.")
        value = OmegaConf.select(config, name)
        in_list = None
        if element:
            listed = OmegaConf.to_container(value) if OmegaConf.is_list(value) else None
            if listed is None or int(last) >= len(listed):
                raise InputError(
                    f"search: {p.key}: {name} is not a list with an element {last} "
                    f"(it is {value!r}); count a list's elements from 0, as in allocation.outside_care_ages.0."
                )
            in_list = tuple(float(v) for v in listed)
            value = listed[int(last)]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise InputError(
                f"search: {p.key} is {type(value).__name__} ({value!r}), not a number parameter; search parameters "
                "with one number, or one element of a list of numbers (demography.move_rate.2)."
            )
        q = replace(p, integer=isinstance(value, int) and in_list is None, in_list=in_list)
        for end in (p.lo, p.hi):
            compose([*overrides, q.override(end)])  # raises InputError when out of range
        checked.append(q)
    lists = [p.key.rsplit(".", 1)[0] for p in checked if p.in_list is not None]
    if len(set(lists)) != len(lists):
        raise InputError("search: give at most one element of each list parameter.")
    return checked


def _value_text(value: float, integer: bool) -> str:
    return str(int(round(value))) if integer else repr(float(value))


def loss_of(results: dict[int, list[Result]]) -> tuple[float, int]:
    """The trial's loss and its number of (target, year) pairs outside their ranges."""
    loss, outside = 0.0, 0
    for year_results in results.values():
        for r in year_results:
            t, m = r.target, r.mean
            width = t.hi - t.lo
            if math.isnan(m):
                loss += 100.0
                outside += 1
                continue
            gap = max(t.lo - m, m - t.hi, 0.0) / width
            outside += gap > 0
            loss += gap**2 + CENTRE_WEIGHT * ((m - (t.lo + t.hi) / 2) / (width / 2)) ** 2
    return loss, outside


def evaluate(config: SimConfig, targets: list[Target], seeds: int, years: list[int]) -> dict[int, list[Result]]:
    """Run the configuration over ``seeds`` seeds; each target's values at each measured year."""
    results = {y: [Result(t) for t in targets] for y in years}
    for seed in seeds_of(config, seeds):
        records = run_records(replace(config, seed=seed), years)
        for year, record in records.items():
            for r in results[year]:
                r.values.append(measure(record, r.target))
    return results


def study_name(settings: dict[str, Any]) -> str:
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:12]
    return f"calibration-{digest}"


def search(
    params: list[SearchParam],
    overrides: list[str],
    targets: list[Target],
    target_paths: list[Path],
    seeds: int,
    years: list[int],
    trials: int,
    out_dir: Path,
    compose: Any,
    out=None,
    err=None,
) -> int:
    """Run (or resume) the search; print the best trial's calibration table. Exit status as the command's."""
    import optuna

    out = out or sys.stdout
    err = err or sys.stderr
    base = compose(overrides)
    settings = {
        "search": [(p.key, p.lo, p.hi) for p in params],
        "overrides": sorted(overrides),
        "targets": [str(p) for p in target_paths],
        "seeds": seeds,
        "years": years,
        "seed": base.seed,
    }
    name = study_name(settings)
    others = other_studies(out_dir / STORAGE, name)
    if others:
        raise InputError(
            f"out_dir={out_dir} holds a calibration search with other settings ({', '.join(others)}); "
            "give a new out_dir, or the same settings to resume it."
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    sampler = optuna.samplers.TPESampler(seed=base.seed, n_startup_trials=min(8, max(1, trials // 3)))
    study = resume_study(out_dir / STORAGE, name, sampler, ["minimize"])
    study.set_user_attr("settings", settings)
    done = len(study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)))
    if done == 0 and not study.get_trials(deepcopy=False):
        study.enqueue_trial({p.key: _current(base, p) for p in params}, skip_if_exists=True)
    if done:
        print(f"resuming {name} in {out_dir}: {done} of {trials} trials done", file=err)

    def objective(trial: optuna.Trial) -> float:
        values = {
            p.key: trial.suggest_int(p.key, int(p.lo), int(p.hi))
            if p.integer
            else trial.suggest_float(p.key, p.lo, p.hi)
            for p in params
        }
        config = compose([*overrides, *(p.override(values[p.key]) for p in params)])
        results = evaluate(config, targets, seeds, years)
        loss, outside = loss_of(results)
        trial.set_user_attr("outside", outside)
        trial.set_user_attr("values", {f"{y}|{r.target.name}": r.values for y, rs in results.items() for r in rs})
        shown = ", ".join(f"{k}={v:.4g}" for k, v in values.items())
        print(f"trial {trial.number + 1}/{trials}: loss {loss:.4f}, {outside} outside  ({shown})", file=err, flush=True)
        return loss

    remaining = trials - done
    if remaining > 0:
        study.optimize(objective, n_trials=remaining, callbacks=[lambda s, _t: _write_outputs(s, params, out_dir)])
    _write_outputs(study, params, out_dir)
    best = study.best_trial
    print(f"Best of {len(study.trials)} trials (trial {best.number + 1}): loss {best.value:.4f}", file=out)
    print("Overrides: " + " ".join(_best_overrides(best, params)), file=out)
    config = compose([*overrides, *_best_overrides(best, params)])
    results = _results_from(best, targets, years)
    for year in years:
        print(f"\nYear {year} ({config.population.size:,} residents, mean over {seeds} seeds):", file=out)
        print(format_table(results[year]), file=out)
        print(verdict(results[year]), file=out)
    return 0 if best.user_attrs.get("outside", 1) == 0 else 1


def _current(config: SimConfig, p: SearchParam) -> float:
    from omegaconf import OmegaConf

    if p.in_list is not None:
        return p.in_list[int(p.key.rsplit(".", 1)[1])]
    return OmegaConf.select(OmegaConf.structured(config), p.key)


def _best_overrides(trial: Any, params: list[SearchParam]) -> list[str]:
    return [p.override(trial.params[p.key]) for p in params]


def _results_from(trial: Any, targets: list[Target], years: list[int]) -> dict[int, list[Result]]:
    """The results of a stored trial, as measured when it ran."""
    values = trial.user_attrs["values"]
    return {y: [Result(t, list(values[f"{y}|{t.name}"])) for t in targets] for y in years}


def _write_outputs(study: Any, params: list[SearchParam], out_dir: Path) -> None:
    import pandas as pd

    rows = []
    for t in study.trials:
        if t.state.name != "COMPLETE":
            continue
        row: dict[str, Any] = {"trial": t.number + 1, **{p.key: t.params.get(p.key) for p in params}}
        row["loss"] = t.value
        row["outside"] = t.user_attrs.get("outside")
        row.update({k: float(np.mean(v)) for k, v in t.user_attrs.get("values", {}).items()})
        rows.append(row)
    if not rows:
        return
    frame = pd.DataFrame(rows)
    write_atomic(out_dir / TRIALS_FILE, lambda p: frame.to_csv(p, index=False))
    best = study.best_trial
    text = " ".join(_best_overrides(best, params)) + "\n"
    write_atomic(out_dir / BEST_FILE, lambda p: Path(p).write_text(text, encoding="utf-8"))


def parse_years(text: str) -> list[int]:
    try:
        years = sorted({int(y) for y in text.split(",") if y.strip()})
    except ValueError:
        years = []
    if not years or years[0] < 1 or years[-1] > 200:
        raise InputError(f"search_years={text}: give whole years from 1 to 200 separated by commas (for example 3,20).")
    return years


__all__ = ["SearchParam", "check_search", "evaluate", "loss_of", "parse_search", "parse_years", "search"]
