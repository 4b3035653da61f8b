"""The `samenkracht-optimise` command: the mix of municipal actions that does most for a budget a year.

    samenkracht-optimise budget_eur_per_year=150000 objective=carrying_capacity trials=60 seeds=4 \\
        population=amstelveen population.size=800 years=10 jobs=2

Each action chosen from (``actions=``, default every action of the registry that has a level, and every action
of the chosen scenario) gets a level: 0 (not bought), or a multiple of the ready-made setting in steps of
:data:`LEVEL_STEP` up to :data:`LEVEL_MAX` (the levels of the students' page); an action composed in a scenario
file is bought as written or not at all. Optuna's TPE sampler proposes mixes; every mix is run over ``seeds=``
seeds paired with the reference (the scenario without the chosen actions) on common random numbers, and its
effect on each indicator is the mean over the run's years of the per-seed differences. A mix whose actions
cost more than the budget in any year of any seed is infeasible (Optuna's constraints): the
sampler learns from it, and it is never reported as the answer. ``pareto=true`` searches the front of cost
against effect instead (multi-objective TPE). The best mixes are then run again on fresh seeds (the winner's
curse: the best of many noisy estimates is too good), and the report gives those intervals and what each
action of the recommended mix contributes (the mix without it, on the same fresh seeds).

The search resumes: its Optuna study is stored in ``out_dir/optuna.db`` (SQLite) under a name fixed by the
settings, and each trial's sampler seed follows from ``sampler_seed`` and the trial's place in the search, and
trials are told to the study a round (``batch=``) at a time; so a search that is stopped, however, and started
again with the same command proposes the same trials as one that ran through. The model's runs are kept in
``out_dir/runs/`` (one yearly summary per configuration and seed), so a repeated mix or a resumed round costs
nothing. Bad input ends with ``samenkracht-optimise: error: ...``, exit status 2, and nothing written.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import math
import shlex
import sys
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from samenkracht.analysis.texts import LANGUAGES
from samenkracht.sim.errors import InputError
from samenkracht.tools.studies import other_studies, resume_study

if TYPE_CHECKING:  # the heavy modules are imported where used, so that --help answers at once
    import pandas as pd

    from samenkracht.sim.config import SimConfig

PROG = "samenkracht-optimise"
#: The objectives: an indicator of the yearly summary (its direction from sim/indicator_table.py), or the net
#: social benefit of the cost-benefit table (samenkracht.analysis.cost_benefit).
OBJECTIVES = ("carrying_capacity", "heavily_burdened_share", "unmet_hours", "isolated_share", "net_social_benefit")
NSB = "net_social_benefit"
OWN_KEYS = (
    "budget_eur_per_year",
    "objective",
    "actions",
    "seeds",
    "fresh_seeds",
    "trials",
    "batch",
    "jobs",
    "pareto",
    "wijken",
    "out_dir",
    "lang",
    "sampler_seed",
)
#: Levels of a ready-made action: multiples of its ready-made setting (the students' page offers 0.25–4).
LEVEL_STEP, LEVEL_MAX = 0.25, 4.0
#: Trials the sampler draws at random before it models the good and the bad mixes (Optuna's default).
N_STARTUP = 10
#: Best mixes of a single-objective search that are re-evaluated on fresh seeds; most points of a front.
RECHECK, FRONT_MAX = 3, 8
#: A proposal whose price alone is over the budget is not run and does not count as a mix tried; the search
#: stops after ASK_FACTOR × trials proposals in all.
ASK_FACTOR = 20
PRICED_OUT = "over_budget_by_price"
#: The user attribute of a trial that holds its place in the search, its status and its row of trials.parquet.
RESULT = "result"
DEFAULT_SEEDS, DEFAULT_FRESH, DEFAULT_TRIALS = 4, 8, 40

USAGE = f"""\
usage: {PROG} budget_eur_per_year=EUR [objective=NAME] [actions=A,B,...] [seeds=N] [trials=N]
                            [fresh_seeds=N] [pareto=true] [wijken=true] [jobs=N] [batch=N]
                            [sampler_seed=N] [out_dir=DIR] [lang=nl|en] [MODEL OVERRIDES ...]

Searches the mix of municipal actions (each at a level) that does most for a budget a year, each mix run
over paired seeds against the reference (the scenario without the chosen actions), and reports the best
mixes re-evaluated on fresh seeds.

  budget_eur_per_year=EUR   the most the chosen actions may cost a year, more than the reference (required)
  objective=NAME            {", ".join(OBJECTIVES)}
                            (default carrying_capacity; the direction is the indicator's: higher or lower)
  actions=A,B               actions to choose from: the registry's, and the labels of the chosen scenario's
                            actions (composed ones too); default all of them
  seeds=N                   seeds 1..N each mix is paired with the reference on (default {DEFAULT_SEEDS})
  trials=N                  different mixes tried (default {DEFAULT_TRIALS}); a larger N on the same out_dir
                            goes on (proposals over the budget by their price are not run and not counted)
  fresh_seeds=N             fresh seeds the best mixes are re-evaluated on (default {DEFAULT_FRESH})
  pareto=true               the front of cost against effect instead of the best mix within the budget
  wijken=true               choose the wijken of each action too
  jobs=N                    model runs at once in separate processes (default 1); results do not depend on it
  batch=N                   trials proposed at once (default 1); the trials depend on it
  sampler_seed=N            seed of the sampler (default 1)
  out_dir=DIR               where the results go (default outputs/optimise/DATE_TIME); run the same command
                            with the same out_dir to resume an interrupted search
  lang=nl|en                language of report.html (default nl)
  hydra/launcher=slurm [hydra.launcher.KEY=VALUE ...]
                            send the model runs to a SLURM cluster (or submitit_local), as samenkracht-compare

Any other key=value is a model override, as for `samenkracht` (population=amstelveen years=10
population.size=800, scenario=NAME for the reference scenario).
"""


@dataclass
class Options:
    """The command's own settings (model overrides are kept apart)."""

    budget: float | None = None
    objective: str = "carrying_capacity"
    actions: list[str] | None = None
    seeds: int = DEFAULT_SEEDS
    fresh_seeds: int = DEFAULT_FRESH
    trials: int = DEFAULT_TRIALS
    batch: int = 1
    jobs: int = 1
    pareto: bool = False
    wijken: bool = False
    out_dir: Path | None = None
    lang: str = "nl"
    sampler_seed: int = 1


def fail(message: str, status: int = 2) -> None:
    """Print a user-facing error and exit."""
    print(f"{PROG}: error: {message}", file=sys.stderr)
    sys.exit(status)


def _budget(text: str) -> float:
    try:
        value = float(text.replace("_", ""))
    except ValueError:
        raise InputError(f"budget_eur_per_year={text}: give euros a year, a number above 0 (e.g. 150000).") from None
    if not math.isfinite(value) or value <= 0:
        raise InputError(f"budget_eur_per_year={text}: the budget must be above 0 euros a year (e.g. 150000).")
    return value


def parse_args(argv: Sequence[str]) -> tuple[Options, list[str]]:
    """Split ``argv`` into the command's own options and the model overrides; check the options."""
    from samenkracht.analysis.collect import parse_bool
    from samenkracht.analysis.compare_cli import _int, _items
    from samenkracht.tools.overrides import HYDRA_FLAGS

    opts, overrides = Options(), []
    for arg in argv:
        key, eq, value = arg.partition("=")
        if arg in HYDRA_FLAGS or key in HYDRA_FLAGS:
            raise InputError(f"'{arg}': {PROG} runs the mixes and seeds itself; Hydra flags are not used here.")
        if not eq:
            raise InputError(f"'{arg}' is not an option: write key=value (for example budget_eur_per_year=150000).")
        if key == "budget_eur_per_year":
            opts.budget = _budget(value)
        elif key == "objective":
            if value not in OBJECTIVES:
                raise InputError(f"objective={value}: no such objective. Objectives: {', '.join(OBJECTIVES)}.")
            opts.objective = value
        elif key == "actions":
            opts.actions = _items(value)
            if not opts.actions:
                raise InputError("actions: give one or more actions, e.g. actions=respite_care,buurthulp.")
        elif key in ("seeds", "fresh_seeds", "trials", "batch", "jobs"):
            setattr(opts, key, _int(key, value, 1))
        elif key == "sampler_seed":
            opts.sampler_seed = _int(key, value, 0)
        elif key in ("pareto", "wijken"):
            setattr(opts, key, parse_bool(key, value))
        elif key == "out_dir":
            opts.out_dir = Path(value)
        elif key == "lang":
            if value not in LANGUAGES:
                raise InputError(f"lang={value}: give lang=nl (Dutch, the default) or lang=en (English).")
            opts.lang = value
        elif key.lstrip("+~") == "seed":
            raise InputError(f"'{arg}': {PROG} runs many seeds; write seeds=N (seeds 1..N).")
        elif key.lstrip("+~").split(".")[0] == "hydra" and not key.lstrip("+~").startswith("hydra.searchpath"):
            raise InputError(f"'{arg}': Hydra's own settings do not apply here; {PROG} writes into out_dir=DIR.")
        else:
            overrides.append(arg)
    if opts.budget is None:
        raise InputError("give the budget: budget_eur_per_year=EUR, what the chosen actions may cost a year.")
    return opts, overrides


# -- what is searched ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """An action the search may buy: its label in the scenario, its ready-made or composed entry, and its levels."""

    label: str
    action: str  #: the registry's name, or "composed"
    base: dict[str, Any]  #: the scenario's entry (empty: the registry's defaults)
    top: float  #: the highest level searched (0: not affordable at any level)
    step: float

    @property
    def composed(self) -> bool:
        from samenkracht.sim.actions import COMPOSED_KIND

        return self.action == COMPOSED_KIND

    def title(self, lang: str) -> str:
        from samenkracht.sim.actions import registry

        if self.composed:
            return str(self.base.get("title", self.label))
        labels = registry()[self.action].labels
        return labels[lang].title if lang in labels else self.label

    def entry(self, level: float, wijken: Sequence[str] | None = None) -> dict[str, Any]:
        """The scenario entry at ``level`` (× the ready-made setting; a composed action as written)."""
        entry = dict(self.base) if self.composed else level_entry(self.action, self.base, level)
        if wijken is not None:
            entry["wijken"] = list(wijken)
        return entry


def level_entry(action: str, base: dict[str, Any], level: float) -> dict[str, Any]:
    """A ready-made action's scenario entry at ``level``: the parameters its page choice scales (sim/actions.py,
    Choice) multiplied from ``base``'s values (else the registry defaults), each clipped to its range."""
    from samenkracht.sim.actions import registry

    cls = registry()[action]
    choice = cls.choice
    assert choice is not None, action
    fields = {f.name: f for f in dataclasses.fields(cls.Params)}
    entry: dict[str, Any] = {"start_year": 0, **choice.fixed, **base}
    if action != base.get("action", action):
        entry["action"] = base["action"]
    for key in choice.scaled:
        f = fields[key]
        start = entry.get(key, f.default)
        value = 1.0 + (start - 1.0) * level if choice.extra_only else start * level
        lo, hi = f.metadata.get("lo"), f.metadata.get("hi")
        value = value if hi is None else min(value, hi)
        value = value if lo is None else max(value, lo)
        entry[key] = type(f.default)(value) if isinstance(f.default, int) else float(value)
    return entry


@dataclass(frozen=True)
class Mix:
    """One mix of actions: each candidate's level, and (with wijken=true) its wijken."""

    levels: dict[str, float]
    wijken: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def bought(self) -> list[str]:
        """The labels of the actions the mix buys (level above 0, and some wijk)."""
        return [a for a, lv in self.levels.items() if lv > 0 and (a not in self.wijken or self.wijken[a])]

    def key(self) -> tuple:
        """What tells two mixes apart: the levels and wijken of what they buy."""
        return tuple((a, self.levels[a], self.wijken.get(a)) for a in sorted(self.bought()))

    def without(self, label: str) -> Mix:
        return Mix({**self.levels, label: 0.0}, dict(self.wijken))


@dataclass
class Plan:
    """A checked search: what to vary, what to run, and where the results go."""

    opts: Options
    overrides: list[str]
    reference: SimConfig  #: the reference scenario (the chosen actions left out), seed unset
    background: dict[str, Any]  #: the scenario's actions that are not searched (in every run)
    candidates: list[Candidate]
    wijk_names: list[str]
    seeds: list[int]
    fresh: list[int]
    out_dir: Path
    fingerprint: str
    settings: dict[str, Any]
    nsb: Callable[..., float] | None
    world: Any = None  #: a reference world (first seed, after the burn-in) to price mixes before running them

    @property
    def study_name(self) -> str:
        return "optimise-" + self.fingerprint.removeprefix("sha256:")[:16]

    def within(self, cost: float) -> bool:
        """Whether ``cost`` (€ a year) fits the budget (up to rounding of the sums of weekly costs)."""
        return cost <= self.opts.budget * (1 + 1e-9)

    @property
    def maximise(self) -> bool:
        from samenkracht.sim.indicator_table import indicator

        return self.opts.objective == NSB or indicator(self.opts.objective).better == "higher"

    def config(self, mix: Mix) -> SimConfig:
        """The model configuration of ``mix`` (seed unset)."""
        actions = dict(self.background)
        for c in self.candidates:
            if c.label in mix.bought():
                actions[c.label] = c.entry(mix.levels[c.label], mix.wijken.get(c.label))
        scenario = dataclasses.replace(self.reference.scenario, actions=actions)
        return dataclasses.replace(self.reference, scenario=scenario)

    def cost_estimate(self, mix: Mix) -> float:
        """What the mix's actions cost a year in the reference world (first seed, after the burn-in), in €."""
        from samenkracht.sim.actions import build_actions

        entries = {c.label: c.entry(mix.levels[c.label], mix.wijken.get(c.label)) for c in self.candidates}
        chosen = {label: entries[label] for label in mix.bought()}
        if not chosen:
            return 0.0
        scenario = dataclasses.replace(self.reference.scenario, actions=chosen)
        built = build_actions(scenario, self.wijk_names)
        return float(sum(max(0.0, a.yearly_cost(self.world)) for a in built))


def _load_nsb(objective: str) -> Callable[..., float] | None:
    """The cost-benefit module's net social benefit, if it is installed; refuse objective=net_social_benefit
    without it."""
    try:
        from samenkracht.analysis.cost_benefit import net_social_benefit
    except ImportError:
        if objective == NSB:
            raise InputError(
                "objective=net_social_benefit needs samenkracht.analysis.cost_benefit.net_social_benefit (the "
                "social cost-benefit table of issue 17), which this installation does not have yet. Choose another "
                f"objective: {', '.join(o for o in OBJECTIVES if o != NSB)}."
            ) from None
        return None
    return net_social_benefit


def _candidates(opts: Options, scenario_actions: dict[str, Any]) -> tuple[list[tuple[str, str, dict]], dict]:
    """(label, action, base entry) of every action to choose from, and the scenario's other actions."""
    from samenkracht.sim.actions import COMPOSED_KIND, registry

    ready = {name: cls for name, cls in registry().items() if cls.choice is not None}
    offered: dict[str, tuple[str, dict]] = {name: (name, {}) for name in ready}
    for label, entry in scenario_actions.items():
        entry = dict(entry or {})
        if entry.get("kind") == COMPOSED_KIND:
            offered[str(label)] = (COMPOSED_KIND, entry)
        elif str(entry.get("action", label)) in ready:
            offered[str(label)] = (str(entry.get("action", label)), entry)
    wanted = opts.actions or list(offered)
    unknown = [a for a in wanted if a not in offered]
    if unknown:
        raise InputError(
            f"actions: no such action {', '.join(map(repr, unknown))}. Actions to choose from: "
            f"{', '.join(offered)} (the registry's actions with a level, and the chosen scenario's actions)."
        )
    if len(set(wanted)) != len(wanted):
        raise InputError(f"actions={','.join(wanted)}: an action is named twice.")
    chosen = [(label, *offered[label]) for label in wanted]
    background = {k: v for k, v in scenario_actions.items() if str(k) not in wanted}
    return chosen, background


def _fingerprint(settings: dict[str, Any]) -> str:
    text = json.dumps(settings, sort_keys=True, default=str)
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def prepare(opts: Options, overrides: list[str], argv: Sequence[str]) -> Plan:
    """Check everything and build the plan; raise InputError naming the first problem. Writes nothing."""
    from samenkracht.analysis.compare_cli import _check_overrides
    from samenkracht.sim.model import CareNetworkModel
    from samenkracht.tools.outputs import config_hash
    from samenkracht.tools.overrides import compose_check

    nsb = _load_nsb(opts.objective)
    overrides = _check_overrides(overrides, PROG, OWN_KEYS)
    base = compose_check(overrides)
    assert base is not None  # parse_args refuses Hydra flags
    if base.years < 1:
        raise InputError(f"years={base.years}: a search needs at least one simulated year.")
    chosen, background = _candidates(opts, dict(base.scenario.actions or {}))
    reference = dataclasses.replace(base, scenario=dataclasses.replace(base.scenario, actions=dict(background)))
    seeds = list(range(1, opts.seeds + 1))
    fresh = list(range(opts.seeds + 1, opts.seeds + 1 + opts.fresh_seeds))
    world = CareNetworkModel(dataclasses.replace(reference, seed=seeds[0])).world
    plan = Plan(opts, overrides, reference, background, [], list(world.wijk_names), seeds, fresh, Path(), "", {}, nsb)
    plan.world = world
    candidates = []
    for label, action, entry in chosen:
        probe = Candidate(label, action, entry, 1.0, 1.0 if action == "composed" else LEVEL_STEP)
        plan.candidates = [probe]
        try:
            cost = plan.cost_estimate(Mix({label: 1.0}))
        except InputError as err:
            raise InputError(f"actions: {label}: {err}") from None
        if probe.composed:
            top = 1.0 if plan.within(cost) else 0.0
        elif cost <= 0:
            top = LEVEL_MAX
        else:
            top = min(LEVEL_MAX, math.floor(opts.budget / cost / LEVEL_STEP + 1e-9) * LEVEL_STEP)
        candidates.append(dataclasses.replace(probe, top=top))
    plan.candidates = candidates
    if not any(c.top > 0 for c in candidates):
        raise InputError(
            f"budget_eur_per_year={opts.budget:g}: no action fits the budget at its lowest level "
            f"({', '.join(c.label for c in candidates)}); give a larger budget."
        )
    plan.settings = {
        "objective": opts.objective,
        "budget_eur_per_year": opts.budget,
        "pareto": opts.pareto,
        "wijken": opts.wijken,
        "batch": opts.batch,
        "sampler_seed": opts.sampler_seed,
        "seeds": seeds,
        "candidates": [[c.label, c.action, c.base, c.top, c.step] for c in candidates],
        "background": background,
        "reference_config_hash": config_hash(dataclasses.replace(reference, seed=0)),
    }
    plan.fingerprint = _fingerprint(plan.settings)
    plan.out_dir = opts.out_dir or Path("outputs") / "optimise" / dt.datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
    _check_out_dir(plan)
    plan.settings.update({"overrides": overrides, "command": shlex.join([PROG, *argv])})
    return plan


def _check_out_dir(plan: Plan) -> None:
    """Refuse an out_dir that holds a search with other settings."""
    out = plan.out_dir
    if out.exists() and not out.is_dir():
        raise InputError(f"out_dir={out} is a file; give a directory.")
    saved = out / "optimise.json"
    if saved.is_file():
        try:
            earlier = json.loads(saved.read_text()).get("settings", {})
        except (OSError, ValueError):
            earlier = {}
        differ = [k for k in plan.settings if earlier.get(k) != json.loads(json.dumps(plan.settings[k], default=str))]
        if differ:
            raise InputError(
                f"out_dir={out} holds a search with other settings ({', '.join(differ)} differ); choose another "
                f"out_dir, or remove that one. (Only trials=, fresh_seeds=, jobs= and lang= may change on resume.)"
            )
    other = other_studies(out / "optuna.db", plan.study_name)
    if other:
        raise InputError(
            f"out_dir={out}: its optuna.db holds another search ({', '.join(other)}); choose another out_dir, "
            f"or remove that one."
        )


# -- running mixes ---------------------------------------------------------------------------------------------------


def _run_one(task: tuple[SimConfig, Path]) -> Path:
    """Run one configuration and keep its yearly summary in ``path`` (the cache of the search)."""
    import logging

    from samenkracht.tools.outputs import write_atomic
    from samenkracht.tools.sensitivity import _yearly

    config, path = task
    logging.getLogger("MESA").setLevel(logging.WARNING)
    summary = _yearly(config)
    write_atomic(path, lambda p: summary.to_parquet(p, index=False))
    return path


class Runner:
    """Runs configurations at seeds (in-process, in ``jobs`` processes, or through a launcher) and keeps every
    yearly summary in ``out_dir/runs/``: the reference runs once per seed, a repeated mix not at all."""

    def __init__(self, out_dir: Path, jobs: int, launcher: Any = None) -> None:
        self.folder = out_dir / "runs"
        self.jobs, self.launcher, self.out_dir = jobs, launcher, out_dir
        self._pool: Any = None
        self._memory: dict[Path, pd.DataFrame] = {}
        self.runs_done = 0

    def path(self, config: SimConfig) -> Path:
        from samenkracht.tools.outputs import config_hash

        return self.folder / f"{config_hash(config).removeprefix('sha256:')[:24]}.parquet"

    def summaries(self, configs: Sequence[SimConfig]) -> list[pd.DataFrame]:
        """Each configuration's yearly summary (run now where not kept from before)."""
        import pandas as pd

        paths = [self.path(c) for c in configs]
        todo = {p: c for p, c in zip(paths, configs) if p not in self._memory and not p.is_file()}
        tasks = [(c, p) for p, c in todo.items()]
        if self.launcher is not None and tasks:
            failed = [
                f"{type(err).__name__}: {str(err).strip()[:300]}"
                for _, _, err in self.launcher.map(_run_one, tasks, self.out_dir / ".submitit", PROG)
                if err is not None
            ]
            if failed:
                raise RuntimeError(f"{len(failed)} model run(s) failed: {failed[0]}")
        elif self.jobs > 1 and len(tasks) > 1:
            if self._pool is None:
                import multiprocessing
                from concurrent.futures import ProcessPoolExecutor

                self._pool = ProcessPoolExecutor(self.jobs, mp_context=multiprocessing.get_context("spawn"))
            list(self._pool.map(_run_one, tasks))
        else:
            for task in tasks:
                _run_one(task)
        self.runs_done += len(tasks)
        for p in paths:
            if p not in self._memory:
                self._memory[p] = pd.read_parquet(p)
        return [self._memory[p] for p in paths]

    def close(self, cancel: bool = False) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=not cancel, cancel_futures=cancel)
            self._pool = None


def evaluate(plan: Plan, runner: Runner, mixes: Sequence[Mix], seeds: Sequence[int]) -> list[pd.DataFrame]:
    """Each mix's per-seed paired effects (analysis/optimise_report.py: per_seed) over ``seeds``."""
    from samenkracht.analysis.optimise_report import per_seed

    refs = [dataclasses.replace(plan.reference, seed=s) for s in seeds]
    configs = [dataclasses.replace(plan.config(m), seed=s) for m in mixes for s in seeds]
    found = runner.summaries([*refs, *configs])
    ref, rest = found[: len(seeds)], found[len(seeds) :]
    out = []
    for i, mix in enumerate(mixes):
        own = rest[i * len(seeds) : (i + 1) * len(seeds)]
        out.append(per_seed(own, ref, list(seeds), mix.bought(), plan.nsb))
    return out


# -- the search ------------------------------------------------------------------------------------------------------


def _distributions(plan: Plan) -> dict[str, Any]:
    from optuna.distributions import CategoricalDistribution, FloatDistribution

    out: dict[str, Any] = {}
    for c in plan.candidates:
        if c.top > 0:
            out[f"level.{c.label}"] = FloatDistribution(0.0, c.top, step=c.step)
        if plan.opts.wijken:
            for w in plan.wijk_names:
                out[f"wijk.{c.label}.{w}"] = CategoricalDistribution([False, True])
    return out


def mix_of(plan: Plan, params: dict[str, Any]) -> Mix:
    """The mix a trial's parameters stand for; an action at level 0, or (with wijken=true) in no wijk, is not
    bought: its level is 0 and it has no wijken."""
    levels = {c.label: float(params.get(f"level.{c.label}", 0.0)) for c in plan.candidates}
    if not plan.opts.wijken:
        return Mix(levels)
    wijken = {c.label: tuple(w for w in plan.wijk_names if params.get(f"wijk.{c.label}.{w}")) for c in plan.candidates}
    for label in levels:
        if not (levels[label] > 0 and wijken[label]):
            levels[label], wijken[label] = 0.0, ()
    return Mix(levels, wijken)


def _sampler(plan: Plan, index: int) -> Any:
    """The sampler of the trial at place ``index`` in the search: its seed follows from sampler_seed and index."""
    import numpy as np
    from optuna.samplers import TPESampler

    seed = int(np.random.SeedSequence([plan.opts.sampler_seed, index]).generate_state(1)[0])
    return TPESampler(seed=seed, n_startup_trials=N_STARTUP, multivariate=True)


def open_study(plan: Plan) -> Any:
    import optuna

    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    directions = ["maximize" if plan.maximise else "minimize"]
    if plan.opts.pareto:
        directions = ["minimize", *directions]
    # A round a stopped search had started is asked again, the same, in the next round.
    return resume_study(plan.out_dir / "optuna.db", plan.study_name, _sampler(plan, 0), directions)


def finished(study: Any) -> list[Any]:
    """The study's finished trials, in their order in the search."""
    import optuna

    done = [t for t in study.get_trials(deepcopy=False) if t.state == optuna.trial.TrialState.COMPLETE]
    return sorted(done, key=lambda t: t.user_attrs[RESULT]["index"])


def search(plan: Plan, runner: Runner) -> Any:
    """Run the trials that are missing, a round of ``batch`` at a time; return the study."""
    from samenkracht.analysis.optimise_report import blank, indicator_names, summarise
    from samenkracht.tools.progress import Progress

    opts = plan.opts
    names = indicator_names(plan.nsb is not None)
    study = open_study(plan)
    distributions = _distributions(plan)
    done = finished(study)
    seen = {mix_of(plan, t.params).key() for t in done if t.user_attrs[RESULT]["status"] != PRICED_OUT}
    index, tried = len(done), len(seen)
    if index:
        print(f"{PROG}: resuming: {tried} mix(es) already tried in {plan.out_dir}", flush=True)
    with Progress(max(0, opts.trials - tried), f"{PROG}: mixes tried") as progress:
        while tried < opts.trials and index < opts.trials * ASK_FACTOR:
            size = min(opts.batch, opts.trials - tried)
            asked = []
            for k in range(index, index + size):
                study.sampler = _sampler(plan, k)
                trial = study.ask(distributions)
                asked.append((k, trial, mix_of(plan, trial.params)))
            estimates = [plan.cost_estimate(mix) for _, _, mix in asked]
            to_run = [mix for (_, _, mix), est in zip(asked, estimates) if plan.within(est) and mix.bought()]
            effects = dict(zip(map(id, to_run), evaluate(plan, runner, to_run, plan.seeds)))
            for (k, trial, mix), estimate in zip(asked, estimates):
                if id(mix) in effects:
                    row = summarise(effects[id(mix)])
                    status = "within_budget" if plan.within(row["cost_peak_eur"]) else "over_budget"
                elif not mix.bought():
                    row, status = blank(names, 0.0, 0.0), "within_budget"  # nothing bought: the reference itself
                else:
                    row, status = blank(names, math.nan, estimate), PRICED_OUT
                result = {"index": k, "status": status, "repeat": mix.key() in seen, "cost_estimate_eur": estimate}
                trial.set_user_attr(RESULT, {**result, **row})  # one attribute: one write to the database
                trial.set_constraint("budget", float(row["cost_peak_eur"]) - opts.budget * (1 + 1e-9))
                goal = row[f"{opts.objective}_mean"]
                goal = 0.0 if math.isnan(goal) else goal  # priced out, never run: the constraint ranks it
                study.tell(trial, [row["cost_eur_per_year"], goal] if opts.pareto else goal)
                if status != PRICED_OUT and mix.key() not in seen:
                    seen.add(mix.key())
                    tried += 1
                    progress.advance()
            index += size
            write_trials(plan, study)
    if tried < opts.trials:
        print(
            f"{PROG}: warning: stopped after {index} proposals, of which only {tried} were different mixes that fit "
            f"the budget by their price; give a larger budget, fewer actions or fewer trials.",
            file=sys.stderr,
        )
    return study


def trials_frame(plan: Plan, study: Any) -> pd.DataFrame:
    """One row per finished trial: its levels (and wijken), cost, and every indicator's paired effect."""
    import pandas as pd

    from samenkracht.analysis.optimise_report import indicator_names

    rows = []
    for t in finished(study):
        mix = mix_of(plan, t.params)
        result = t.user_attrs[RESULT]
        row: dict[str, Any] = {"trial": result["index"], "status": result["status"]}
        row["within_budget"] = row["status"] == "within_budget"
        row.update({f"level_{a}": lv for a, lv in mix.levels.items()})
        if plan.opts.wijken:
            row.update({f"wijken_{a}": ",".join(w) for a, w in mix.wijken.items()})
        row["repeat"] = result["repeat"]
        for key in ("cost_estimate_eur", "cost_eur_per_year", "cost_peak_eur", "n_seeds"):
            row[key] = result[key]
        for name in indicator_names(plan.nsb is not None):
            row.update({f"{name}_{part}": result[f"{name}_{part}"] for part in ("mean", "ci_low", "ci_high")})
        rows.append(row)
    return pd.DataFrame(rows)


def write_trials(plan: Plan, study: Any) -> pd.DataFrame:
    from samenkracht.tools.outputs import write_atomic

    frame = trials_frame(plan, study)
    write_atomic(plan.out_dir / "trials.parquet", lambda p: frame.to_parquet(p, index=False))
    return frame


# -- the answer ------------------------------------------------------------------------------------------------------


def recommend(plan: Plan, runner: Runner, trials: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Re-evaluate the best mixes on fresh seeds; return (recommended mixes, contributions of the answer's actions).

    Single objective: the best ``RECHECK`` distinct mixes within the budget, in the search's order; with
    pareto=true: up to ``FRONT_MAX`` points of the front. The answer is the first (the search's best; with a
    front, the one with the best effect) that stays within the budget on the fresh seeds too.
    """
    import pandas as pd

    from samenkracht.analysis.optimise_report import contributions, pareto_front, summarise

    goal = f"{plan.opts.objective}_mean"
    level_cols = [f"level_{c.label}" for c in plan.candidates]
    mix_cols = level_cols + [c for c in trials.columns if c.startswith("wijken_")]
    ok = trials[trials["within_budget"]].drop_duplicates(mix_cols)
    if plan.opts.pareto:
        picked = pareto_front(ok, "cost_eur_per_year", goal, plan.maximise)
        if len(picked) > FRONT_MAX:
            spots = [round(i * (len(picked) - 1) / (FRONT_MAX - 1)) for i in range(FRONT_MAX)]
            picked = picked.iloc[sorted(set(spots))]
        picked = picked.sort_values(goal, ascending=not plan.maximise, kind="stable")
    else:
        order = [goal, "cost_eur_per_year", "trial"]
        picked = ok.sort_values(order, ascending=[not plan.maximise, True, True], kind="stable").head(RECHECK)
    mixes = [mix_of(plan, _params(plan, row)) for _, row in picked.iterrows()]
    fresh = evaluate(plan, runner, mixes, plan.fresh)
    rows = []
    for rank, ((_, row), per) in enumerate(zip(picked.iterrows(), fresh), start=1):
        again = summarise(per)
        rows.append(
            {
                "rank": rank,
                "trial": int(row["trial"]),
                **{c: row[c] for c in mix_cols},
                "search_objective_mean": row[goal],
                "search_objective_ci_low": row[f"{plan.opts.objective}_ci_low"],
                "search_objective_ci_high": row[f"{plan.opts.objective}_ci_high"],
                **{f"fresh_{k}": v for k, v in again.items()},
                "within_budget_fresh": plan.within(again["cost_peak_eur"]),
            }
        )
    recommended = pd.DataFrame(rows, columns=None if rows else ["rank", "trial", "within_budget_fresh"])
    recommended["answer"] = False
    answer = recommended.index[recommended["within_budget_fresh"].astype(bool)]
    parts = pd.DataFrame()
    if len(answer):
        recommended.loc[answer[0], "answer"] = True
        best = mixes[answer[0]]
        dropped = [best.without(a) for a in best.bought()]
        parts = contributions(best.bought(), fresh[answer[0]], evaluate(plan, runner, dropped, plan.fresh), best)
    return recommended, parts


def _params(plan: Plan, row: pd.Series) -> dict[str, Any]:
    params: dict[str, Any] = {f"level.{c.label}": row[f"level_{c.label}"] for c in plan.candidates}
    if plan.opts.wijken:
        for c in plan.candidates:
            chosen = set(str(row[f"wijken_{c.label}"]).split(",")) - {""}
            params.update({f"wijk.{c.label}.{w}": w in chosen for w in plan.wijk_names})
    return params


def run(plan: Plan, launcher: Any = None) -> Path:
    """Search, re-evaluate and write every output; return the report's path."""
    from samenkracht.analysis.optimise_report import indicator_names, pareto_front, plot_pareto, write_report
    from samenkracht.tools.outputs import git_revision, package_versions, write_atomic

    opts, out = plan.opts, plan.out_dir
    out.mkdir(parents=True, exist_ok=True)
    info = {"fingerprint": plan.fingerprint, "study_name": plan.study_name, "settings": plan.settings}
    write_atomic(out / "optimise.json", lambda p: p.write_text(json.dumps(info, indent=2, default=str) + "\n"))
    _print_plan(plan)
    runner = Runner(out, opts.jobs, launcher)
    try:
        study = search(plan, runner)
        trials = write_trials(plan, study)
        print(f"{PROG}: re-evaluating the best mixes on {len(plan.fresh)} fresh seeds", flush=True)
        recommended, parts = recommend(plan, runner, trials)
    except BaseException:
        runner.close(cancel=True)
        raise
    runner.close()
    goal = f"{opts.objective}_mean"
    front = pareto_front(trials[trials["within_budget"]], "cost_eur_per_year", goal, plan.maximise)
    write_atomic(out / "pareto.csv", lambda p: front.to_csv(p, index=False))
    write_atomic(out / "recommended.csv", lambda p: recommended.to_csv(p, index=False))
    write_atomic(out / "contributions.csv", lambda p: parts.to_csv(p, index=False))
    png = plot_pareto(trials, front, goal, opts.budget, plan.maximise, opts.lang)
    write_atomic(out / "pareto.png", lambda p: p.write_bytes(png))
    setup = {
        **plan.settings,
        "titles": {c.label: c.title(opts.lang) for c in plan.candidates},
        "maximise": plan.maximise,
        "indicators": indicator_names(plan.nsb is not None),
        "fresh_seeds": plan.fresh,
        "trials": int((trials["status"] != PRICED_OUT).sum() - trials["repeat"].sum()),
        "proposals": len(trials),
        "priced_out": int((trials["status"] == PRICED_OUT).sum()),
        "population": plan.reference.population.size,
        "years": plan.reference.years,
        "reference": plan.reference.scenario.name,
        "git": git_revision(Path(__file__).resolve().parent),
        "created": dt.datetime.now().isoformat(timespec="seconds"),
    }
    path = write_report(out, trials, front, recommended, parts, setup, png, opts.lang)
    info.update({"complete": True, "versions": package_versions(), "model_runs_this_time": runner.runs_done})
    write_atomic(out / "optimise.json", lambda p: p.write_text(json.dumps(info, indent=2, default=str) + "\n"))
    _print_answer(plan, recommended)
    print(f"Report: {path}")
    return path


def _print_plan(plan: Plan) -> None:
    opts, ref = plan.opts, plan.reference
    what = "the front of cost against" if opts.pareto else ("maximise" if plan.maximise else "minimise")
    bought = [f"{c.label} (0–{c.top:g})" for c in plan.candidates if c.top > 0]
    skipped = [c.label for c in plan.candidates if c.top == 0]
    print(
        f"{PROG}: {what} {opts.objective} within €{opts.budget:,.0f} a year; {opts.trials} trials × "
        f"{len(plan.seeds)} seeds paired with '{ref.scenario.name}' ({ref.population.size:,} residents, {ref.years} "
        f"year{'s' if ref.years != 1 else ''}); into {plan.out_dir}",
        flush=True,
    )
    print(f"  actions and levels: {', '.join(bought)}", flush=True)
    if skipped:
        print(f"  over the budget at their lowest level (left out): {', '.join(skipped)}", flush=True)


def _print_answer(plan: Plan, recommended: pd.DataFrame) -> None:
    from samenkracht.analysis.optimise_report import effect_text, interval_text

    answer = recommended[recommended["answer"]] if len(recommended) else recommended
    if answer.empty:
        print(f"{PROG}: no mix stayed within the budget on the fresh seeds; see report.html.")
        return
    row = answer.iloc[0]
    obj = plan.opts.objective
    levels = [f"{c.label}={row[f'level_{c.label}']:g}" for c in plan.candidates if row[f"level_{c.label}"] > 0]
    fresh = effect_text(row[f"fresh_{obj}_mean"], obj, "en")
    band = interval_text(row[f"fresh_{obj}_ci_low"], row[f"fresh_{obj}_ci_high"], obj, "en")
    print(
        f"Best mix (trial {int(row['trial'])}): {', '.join(levels) or 'no actions'}; the actions cost "
        f"€{row['fresh_cost_eur_per_year']:,.0f} a year; {obj} {fresh} (95% interval {band} on {len(plan.fresh)} "
        f"fresh seeds; {effect_text(row['search_objective_mean'], obj, 'en')} in the search)"
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the `samenkracht-optimise` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if any(a in ("-h", "--help") for a in argv):
        print(USAGE, end="")
        return
    import logging

    from samenkracht.tools import launchers

    logging.getLogger("MESA").setLevel(logging.WARNING)
    try:
        launcher, own_argv = launchers.for_tool(argv, PROG)
        opts, overrides = parse_args(own_argv)
        plan = prepare(opts, overrides, argv)
    except InputError as err:
        fail(str(err))
    try:
        run(plan, launcher)
    except KeyboardInterrupt:
        print(
            f"\n{PROG}: interrupted; the finished trials are kept in {plan.out_dir / 'optuna.db'}. Run the same "
            f"command again to go on where it stopped.",
            file=sys.stderr,
        )
        sys.exit(130)


if __name__ == "__main__":
    main()
