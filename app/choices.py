"""What students can choose on the page, and how their choices become a run's configuration.

Each registered municipal action that declares a page choice is offered as a
switch and a level. The level multiplies the action's main parameter (and,
where the cost follows another parameter, that one too), starting from the
defaults of the action registry: level 1 is the ready-made scenario of that
action (conf/scenario/ACTION.yaml). Students may add up to three actions of
their own (OwnAction), composed from the levers a scenario file may compose
(``kind: composed``), and run everything in the municipality of now or of 2013
(conf/gemeente/).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from samenkracht.sim.actions import COMPOSED_KIND, PARTNERS, build_actions, registry
from samenkracht.sim.config import ScenarioConfig, SimConfig
from samenkracht.sim.levers import composable_levers
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
#: The municipality settings the page offers (conf/gemeente/NAME.yaml), the present first (the default).
GEMEENTEN: tuple[str, ...] = ("gemeente_nu", "gemeente_2013")
GEMEENTE_DEFAULT = GEMEENTEN[0]
GEMEENTE_DIR = Path(__file__).resolve().parent.parent / "conf" / "gemeente"
#: Most own actions a page holds, and most effects (levers) one own action pulls.
MAX_OWN, MAX_EFFECTS = 3, 3
#: The levers an own action may pull, in the order of their declaration (their words: sim/levers.py).
EFFECTS: tuple[str, ...] = tuple(composable_levers())
#: Cost a year per 1,000 residents the page's slider offers, in €.
OWN_COST_MAX, OWN_COST_STEP = 20_000, 100


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
        """The scenario entry for this action at ``level`` (× the ready-made setting), clipped to each range: the
        levels samenkracht-optimise searches over (samenkracht.tools.optimise.level_entry)."""
        from samenkracht.tools.optimise import level_entry

        return level_entry(self.name, {}, level)

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


@dataclass(frozen=True)
class OwnAction:
    """An action a student invents on the page: a name, a partner, one to three effects and a cost.

    ``effects`` are (lever, strength) pairs in each lever's strength unit; the
    action runs from the first simulated year in every wijk, as an action
    composed in a scenario file (``kind: composed``).
    """

    title: str
    partner: str
    effects: tuple[tuple[str, float], ...]
    eur_per_year_per_1000: float
    on: bool = True

    def entry(self) -> dict[str, Any]:
        """The action's scenario entry."""
        return {
            "kind": COMPOSED_KIND,
            "title": self.title,
            "partner": self.partner,
            "start_year": 0,
            "effects": {lever: float(strength) for lever, strength in self.effects},
            "eur_per_year_per_1000": float(self.eur_per_year_per_1000),
        }

    def check(self) -> None:
        """Raise ValueError naming what is wrong with the action as a student gave it."""
        if not self.title.strip():
            raise ValueError("give the action a name")
        if self.partner not in PARTNERS:
            raise ValueError(f"partner {self.partner!r}: choose one of {', '.join(PARTNERS)}")
        levers = [lever for lever, _ in self.effects]
        if not 1 <= len(levers) <= MAX_EFFECTS or len(set(levers)) != len(levers):
            raise ValueError(f"choose one to {MAX_EFFECTS} different effects")
        build_actions(ScenarioConfig(actions={"own": self.entry()}), None)


def own_labels(own: tuple[OwnAction, ...]) -> list[str]:
    """Scenario labels for own actions: their names as lower-case words joined by _, made unique."""
    labels: list[str] = []
    for i, action in enumerate(own):
        plain = unicodedata.normalize("NFKD", action.title).encode("ascii", "ignore").decode()
        label = re.sub(r"[^a-z0-9]+", "_", plain.lower()).strip("_")[:40] or f"eigen_actie_{i + 1}"
        if not label[0].isalpha():
            label = f"eigen_{label}"
        base, n = label, 2
        while label in labels or label in registry():
            label, n = f"{base}_{n}", n + 1
        labels.append(label)
    return labels


def gemeente_settings(name: str) -> dict[str, Any]:
    """The parameters a municipality setting (conf/gemeente/NAME.yaml) sets, as nested mappings."""
    if name not in GEMEENTEN:
        raise ValueError(f"gemeente {name!r}: choose one of {', '.join(GEMEENTEN)}")
    return yaml.safe_load((GEMEENTE_DIR / f"{name}.yaml").read_text(encoding="utf-8")) or {}


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


def scenario_actions(levels: dict[str, float], own: tuple[OwnAction, ...] = ()) -> dict[str, dict[str, Any]]:
    """Label → scenario entry of every action switched on: the ready-made ones at their levels, then own ones."""
    actions = {name: CHOICE_BY_NAME[name].settings(level) for name, level in levels.items()}
    for label, action in zip(own_labels(own), own, strict=True):
        if action.on:
            actions[label] = action.entry()
    return actions


def make_config(
    size: int,
    years: int,
    seed: int,
    levels: dict[str, float],
    own: tuple[OwnAction, ...] = (),
    gemeente: str = GEMEENTE_DEFAULT,
) -> SimConfig:
    """The run's configuration: a municipality of ``size`` residents, set as ``gemeente``, with the chosen actions
    (and the own actions switched on) from year 0."""
    from omegaconf import OmegaConf

    actions = scenario_actions(levels, own)
    name = "+".join(actions) if actions else "baseline"
    config = SimConfig(
        seed=int(seed),
        years=int(years),
        burn_in_weeks=BURN_IN_WEEKS,
        population=PopulationParams(size=int(size), wijken=wijken_for(int(size))),
        scenario=ScenarioConfig(name=name[:120], description="chosen on the page", actions=actions),
    )
    settings = gemeente_settings(gemeente)
    if settings:
        config = OmegaConf.to_object(OmegaConf.merge(OmegaConf.structured(config), settings))
    build_actions(config.scenario, [f"wijk_{i + 1}" for i in range(config.population.wijken)])
    return config
