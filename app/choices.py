"""What students can choose on the page, and how their choices become a run's configuration.

Each registered municipal action that declares a page choice is offered as a
switch and a level. The level multiplies the action's main parameter (and,
where the cost follows another parameter, that one too), starting from the
defaults of the action registry: level 1 is the ready-made scenario of that
action (conf/scenario/ACTION.yaml).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from samenkracht.sim.actions import build_actions, registry
from samenkracht.sim.config import ScenarioConfig, SimConfig
from samenkracht.sim.population import PopulationParams

#: Municipality sizes the page offers (residents).
SIZES: tuple[int, ...] = (100, 200, 300, 400, 600, 800, 1000, 1500, 2000)
SIZE_DEFAULT = 400
#: Simulated years the page offers.
YEARS: tuple[int, ...] = (1, 2, 3, 5, 10, 15, 20)
YEARS_DEFAULT = 10
#: Seeds the page offers (a few, to see how much chance alone moves the lines).
SEEDS: tuple[int, ...] = (42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
SEED_DEFAULT = 42
#: Levels the page offers (× the ready-made setting).
LEVELS: tuple[float, ...] = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0)
LEVEL_MIN, LEVEL_MAX = LEVELS[0], LEVELS[-1]
#: Weeks simulated before the plotted years start: half a year settles burden and ties (0.1 s at 400 residents).
BURN_IN_WEEKS = 26


@dataclass(frozen=True)
class ActionChoice:
    """One action as offered on the page.

    ``scaled`` names the parameters the level multiplies, the main one first;
    ``fixed`` are settings that come with switching the action on. For the
    wijkteam, the level multiplies the extra capacity (``fte_factor`` − 1).
    """

    name: str
    scaled: tuple[str, ...]
    fixed: dict[str, Any] = field(default_factory=dict)
    extra_only: bool = False

    def settings(self, level: float) -> dict[str, Any]:
        """The scenario entry for this action at ``level`` (× the ready-made setting), clipped to each range."""
        fields = {f.name: f for f in dataclasses.fields(registry()[self.name].Params)}
        entry: dict[str, Any] = {"start_year": 0, **self.fixed}
        for key in self.scaled:
            f = fields[key]
            base = self.fixed.get(key, f.default)
            value = 1.0 + (base - 1.0) * level if self.extra_only else base * level
            lo, hi = f.metadata.get("lo"), f.metadata.get("hi")
            if hi is not None:
                value = min(value, hi)
            if lo is not None:
                value = max(value, lo)
            entry[key] = type(f.default)(value) if isinstance(f.default, int) else float(value)
        return entry

    def main_value(self, level: float) -> float:
        """Value of the main parameter at ``level``."""
        return float(self.settings(level)[self.scaled[0]])


def _offered() -> tuple[ActionChoice, ...]:
    """Every registered action that declares a page choice, in the order of its declared position."""
    offered = [(cls.choice.position, name, cls.choice) for name, cls in registry().items() if cls.choice is not None]
    return tuple(ActionChoice(name, tuple(c.scaled), dict(c.fixed), c.extra_only) for _, name, c in sorted(offered))


#: The actions on the page, in the order the students see them.
CHOICES: tuple[ActionChoice, ...] = _offered()
CHOICE_BY_NAME: dict[str, ActionChoice] = {c.name: c for c in CHOICES}


def wijken_for(size: int) -> int:
    """Number of wijken of a page municipality: about 100 residents each, 2 to 8."""
    return max(2, min(8, round(size / 100)))


def parse_choices(choices: dict[str, Any]) -> dict[str, float]:
    """Action name → level for every action switched on, from the page's keyword arguments.

    The page passes ``ACTION=True/False`` and ``ACTION_level=x`` for each action;
    an unknown key is refused, so a renamed action cannot be dropped silently.
    """
    known = {c.name for c in CHOICES} | {f"{c.name}_level" for c in CHOICES}
    unknown = sorted(set(choices) - known)
    if unknown:
        raise ValueError(f"unknown choice(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    chosen = {}
    for c in CHOICES:
        if choices.get(c.name, False):
            level = float(choices.get(f"{c.name}_level", 1.0))
            if not LEVEL_MIN <= level <= LEVEL_MAX:
                raise ValueError(f"{c.name}_level={level}: give a level from {LEVEL_MIN} to {LEVEL_MAX}")
            chosen[c.name] = level
    return chosen


def make_config(size: int, years: int, seed: int, levels: dict[str, float]) -> SimConfig:
    """The run's configuration: a municipality of ``size`` residents with the chosen actions from year 0."""
    actions = {name: CHOICE_BY_NAME[name].settings(level) for name, level in levels.items()}
    name = "+".join(levels) if levels else "baseline"
    config = SimConfig(
        seed=int(seed),
        years=int(years),
        burn_in_weeks=BURN_IN_WEEKS,
        population=PopulationParams(size=int(size), wijken=wijken_for(int(size))),
        scenario=ScenarioConfig(name=name, description="chosen on the page", actions=actions),
    )
    build_actions(config.scenario, [f"wijk_{i + 1}" for i in range(config.population.wijken)])
    return config
