"""The check "Is dit toeval?" (is this chance?): the page's choices run again over several seeds, each action
alone and all together, beside the baseline with the same seed, so each effect gets an interval instead of one
number that may be chance."""

from __future__ import annotations

import multiprocessing
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass

import numpy as np

from samenkracht.analysis.compare import t_interval
from samenkracht.app.choices import SEEDS, OwnAction, make_config, own_labels
from samenkracht.app.texts import PAGE_INDICATORS
from samenkracht.sim.model import CareNetworkModel
from samenkracht.sim.time import WEEKS_PER_YEAR
from samenkracht.tools.precompile import usable_cores

#: Seeds of a chance check: the page's own seed and the next ones the page offers.
CHANCE_SEEDS = 5
#: The arm of all chosen actions together.
TOGETHER = "together"


@dataclass(frozen=True)
class Arm:
    """One setting of a chance check: a name (an action's label, or TOGETHER) and its actions."""

    name: str
    levels: dict[str, float]
    own: tuple[OwnAction, ...]


@dataclass(frozen=True)
class ChanceResult:
    """Per arm and headline indicator, the paired difference from the baseline over the last simulated year:
    (mean over seeds, low, high of its 95% t-interval), and the seeds it ran."""

    seeds: tuple[int, ...]
    years: int
    arms: tuple[Arm, ...]
    effects: dict[str, dict[str, tuple[float, float, float]]]


class ChanceCheckAbandoned(Exception):
    """A chance check stopped because ``keep_going()`` turned false (the page started another check or moved on):
    ``done`` runs had finished and ``cancelled`` had not started; those running finish in their worker."""

    def __init__(self, done: int, cancelled: int) -> None:
        super().__init__(f"chance check abandoned after {done} runs; {cancelled} not started were cancelled")
        self.done = done
        self.cancelled = cancelled


def arms_for(levels: dict[str, float], own: tuple[OwnAction, ...]) -> tuple[Arm, ...]:
    """All chosen actions together (when more than one), then each alone: ready-made ones, then own ones."""
    own_on = tuple(a for a in own if a.on)
    arms = [Arm(name, {name: level}, ()) for name, level in levels.items()]
    arms += [Arm(label, {}, (a,)) for label, a in zip(own_labels(own_on), own_on, strict=True)]
    if len(arms) > 1:
        arms.insert(0, Arm(TOGETHER, dict(levels), own_on))
    return tuple(arms)


def seeds_for(seed: int, n: int = CHANCE_SEEDS) -> tuple[int, ...]:
    """The page's seed, then the next seeds the page offers."""
    return (seed, *[s for s in SEEDS if s != seed][: n - 1])


def _last_year(model: CareNetworkModel) -> dict[str, float]:
    rows = model.rows[-WEEKS_PER_YEAR:]
    return {c: float(np.mean([r[c] for r in rows])) for c in PAGE_INDICATORS}


def _run_last_year(
    size: int, years: int, seed: int, levels: dict[str, float], own: tuple[OwnAction, ...], gemeente: str
) -> dict[str, float]:
    """One run of a chance check (in this process or a worker): its headline indicators over the last year."""
    model = CareNetworkModel(make_config(size, years, seed, levels, own, gemeente))
    model.run()
    return _last_year(model)


#: Runs of chance checks whose results are kept in this process (the last used). A run is known by its settings,
#: seed and actions and gives the same numbers in any process, so a check takes from here every run an earlier
#: one made: the baselines of its seeds, and, when the students add an action, each earlier action alone.
RESULTS_KEPT = 2000
_RESULTS: OrderedDict[tuple, dict[str, float]] = OrderedDict()
_RESULTS_LOCK = threading.Lock()


def _run_key(
    size: int, years: int, seed: int, levels: dict[str, float], own: tuple[OwnAction, ...], gemeente: str
) -> tuple:
    return (int(size), int(years), int(seed), str(gemeente), tuple(sorted(levels.items())), tuple(own))


def _kept_result(key: tuple) -> dict[str, float] | None:
    with _RESULTS_LOCK:
        found = _RESULTS.get(key)
        if found is not None:
            _RESULTS.move_to_end(key)
        return dict(found) if found is not None else None


def _keep_result(key: tuple, result: dict[str, float]) -> None:
    with _RESULTS_LOCK:
        _RESULTS[key] = dict(result)
        _RESULTS.move_to_end(key)
        while len(_RESULTS) > RESULTS_KEPT:
            _RESULTS.popitem(last=False)


def forget_chance_results() -> None:
    """Drop the kept results of chance-check runs (tests)."""
    with _RESULTS_LOCK:
        _RESULTS.clear()


#: Most worker processes a chance check uses (each holds a model of the page's size: about 250 MB at 2,000).
MAX_CHANCE_JOBS = 4


def chance_jobs(n_runs: int) -> int:
    """Processes for ``n_runs`` runs: one per core this process may use, at most MAX_CHANCE_JOBS and ``n_runs``."""
    return max(1, min(usable_cores(), MAX_CHANCE_JOBS, n_runs))


def chance_check(
    size: int,
    years: int,
    seed: int,
    gemeente: str,
    levels: dict[str, float],
    own: tuple[OwnAction, ...],
    progress: Callable[[float], None] | None = None,
    n_seeds: int = CHANCE_SEEDS,
    jobs: int | None = None,
    keep_going: Callable[[], bool] | None = None,
) -> ChanceResult:
    """Run the baseline and every arm for each seed (the same residents and chance per seed, so the difference
    is the actions'), and reduce each arm's differences to a mean and an interval.

    The runs go to ``jobs`` worker processes at once (default :func:`chance_jobs`: one per core, up to
    MAX_CHANCE_JOBS); each run is the same whichever process makes it, and the differences are taken in the
    order of the seeds, so the result is the same for any ``jobs``. ``jobs=1`` runs them one by one here.

    A run an earlier check in this process made is not made again (its result is kept: ``RESULTS_KEPT``), nor
    counted in the processes started for the rest.

    ``keep_going`` is asked after every run: once it is false, the runs not yet started are cancelled and
    ChanceCheckAbandoned is raised. A run that fails cancels those not started too, and its error is raised at
    once, without waiting for the rest."""
    arms = arms_for(levels, own)
    seeds = seeds_for(seed, n_seeds)
    settings = [({}, ()), *[(a.levels, a.own) for a in arms]]  # the baseline first
    specs = [(s, arm_levels, arm_own) for s in seeds for arm_levels, arm_own in settings]
    keys = [_run_key(size, years, s, arm_levels, arm_own, gemeente) for s, arm_levels, arm_own in specs]
    results: list[dict[str, float] | None] = [_kept_result(key) for key in keys]  # runs an earlier check made
    todo = [i for i, r in enumerate(results) if r is None]
    jobs = chance_jobs(len(todo)) if jobs is None else max(1, int(jobs))
    done = len(specs) - len(todo)
    if progress is not None and done:
        progress(done / len(specs))

    def finished() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done / len(specs))

    def abandoned() -> bool:
        return keep_going is not None and not keep_going()

    if jobs == 1 or not todo:
        for i in todo:
            s, arm_levels, arm_own = specs[i]
            results[i] = _run_last_year(size, years, s, arm_levels, arm_own, gemeente)
            _keep_result(keys[i], results[i])
            finished()
            if abandoned() and done < len(specs):
                raise ChanceCheckAbandoned(done, len(specs) - done)
    else:  # fresh worker processes for each check ("spawn": nothing inherited), ended with it, memory and all
        pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"))
        try:
            futures = {
                pool.submit(_run_last_year, size, years, specs[i][0], specs[i][1], specs[i][2], gemeente): i
                for i in todo
            }
            for future in as_completed(futures):
                i = futures[future]
                results[i] = future.result()
                _keep_result(keys[i], results[i])
                finished()
                if abandoned() and done < len(specs):
                    cancelled = sum(f.cancel() for f in futures)
                    raise ChanceCheckAbandoned(done, cancelled)
        except BaseException:
            # Not the pool's own exit, which waits for every run submitted: cancel those not started and go.
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
    differences: dict[str, dict[str, list[float]]] = {a.name: {c: [] for c in PAGE_INDICATORS} for a in arms}
    per_seed = len(settings)
    for k in range(len(seeds)):
        baseline, *runs = results[k * per_seed : (k + 1) * per_seed]
        for arm, values in zip(arms, runs, strict=True):
            for c in PAGE_INDICATORS:
                differences[arm.name][c].append(values[c] - baseline[c])
    effects = {
        arm: {c: (lambda m: (m[0], m[2], m[3]))(t_interval(v)) for c, v in columns.items()}
        for arm, columns in differences.items()
    }
    return ChanceResult(seeds, years, arms, effects)
