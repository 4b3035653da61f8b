"""The check "Is dit toeval?" (is this chance?): the page's choices run again over several seeds, each action
alone and all together, beside the baseline with the same seed, so each effect gets an interval instead of one
number that may be chance."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from samenkracht.analysis.compare import t_interval
from samenkracht.app.choices import SEEDS, OwnAction, make_config, own_labels
from samenkracht.app.texts import PAGE_INDICATORS
from samenkracht.sim.model import CareNetworkModel
from samenkracht.sim.time import WEEKS_PER_YEAR

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


def chance_check(
    size: int,
    years: int,
    seed: int,
    gemeente: str,
    levels: dict[str, float],
    own: tuple[OwnAction, ...],
    progress: Callable[[float], None] | None = None,
    n_seeds: int = CHANCE_SEEDS,
) -> ChanceResult:
    """Run the baseline and every arm for each seed (the same residents and chance per seed, so the difference
    is the actions'), and reduce each arm's differences to a mean and an interval."""
    arms = arms_for(levels, own)
    seeds = seeds_for(seed, n_seeds)
    differences: dict[str, dict[str, list[float]]] = {a.name: {c: [] for c in PAGE_INDICATORS} for a in arms}
    total, done = len(seeds) * (len(arms) + 1), 0
    for s in seeds:
        runs = []
        for arm_levels, arm_own in [({}, ()), *[(a.levels, a.own) for a in arms]]:
            model = CareNetworkModel(make_config(size, years, s, arm_levels, arm_own, gemeente))
            model.run()
            runs.append(_last_year(model))
            done += 1
            if progress is not None:
                progress(done / total)
        baseline = runs[0]
        for arm, values in zip(arms, runs[1:], strict=True):
            for c in PAGE_INDICATORS:
                differences[arm.name][c].append(values[c] - baseline[c])
    effects = {
        arm: {c: (lambda m: (m[0], m[2], m[3]))(t_interval(v)) for c, v in columns.items()}
        for arm, columns in differences.items()
    }
    return ChanceResult(seeds, years, arms, effects)
