"""Municipal actions as the model sees them: the Action base class, the registry that finds every installed action,
and the building of a scenario's actions from its configuration.

An action is one module. It declares its parameters (a dataclass of
:func:`~samenkracht.sim.params.param` fields), the levers it pulls
(sim/levers.py) and how, optionally its own weekly step, its yearly cost, its
choice on the students' page and its labels. The module's name is the action's
name. The registry imports every module of each package named in the entry-point
group ``samenkracht.actions`` (the project's own: samenkracht.scenarios.actions),
so a new file in such a package is a new action; the model package itself names
no action. Scenario files name actions from the registry, never Python callables,
or compose an action from documented levers (``kind: composed``, ComposedAction).
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import pkgutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from types import ModuleType
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

import numpy as np

from samenkracht.sim.errors import InputError
from samenkracht.sim.kernels_care import alive_by_group
from samenkracht.sim.levers import composable_levers, iter_levers, strength_unit
from samenkracht.sim.params import validate

if TYPE_CHECKING:
    from samenkracht.sim.world import World

#: The entry-point group whose entries name packages (or modules) of actions.
ENTRY_POINT_GROUP = "samenkracht.actions"
_SCHEDULE = ("action", "start_year", "end_year", "wijken")
#: The partners a composed action names: whom the municipality works with (the four of the students' assignment).
PARTNERS: dict[str, dict[str, str]] = {
    "zorg_welzijn": {"nl": "zorg- en welzijnsorganisaties", "en": "care and welfare organisations"},
    "winkeliers": {"nl": "winkeliers", "en": "shopkeepers"},
    "buurtcentrum": {"nl": "het buurtcentrum", "en": "the community centre"},
    "burgerinitiatief": {"nl": "burgerinitiatieven", "en": "citizen initiatives"},
}
#: The keys of a composed action's scenario entry besides its schedule.
_COMPOSED = ("kind", "partner", "title", "description", "effects", "eur_per_year_per_1000", "eur_per_year")
COMPOSED_KIND = "composed"
_CODE_KEYS = ("_target_", "_partial_", "_args_", "_recursive_", "_convert_")


class Label(NamedTuple):
    """An action's words on the page and in its summary, in one language."""

    title: str  #: what the action is ("Respite care (respijtzorg)")
    partner: str  #: whom the municipality works with ("care providers")
    main: str  #: the name of the parameter the page's level multiplies ("respite hours")
    unit: str  #: that parameter's unit ("hours a week per 1,000 residents")


@dataclass(frozen=True)
class Choice:
    """How the students' page offers an action: a switch, and a level that multiplies some parameters.

    ``scaled`` names the parameters the level multiplies, the main one first
    (level 1 is the action's defaults, with ``fixed`` applied); ``fixed`` are
    settings that come with switching the action on; with ``extra_only`` the
    level multiplies only what exceeds 1 (a capacity factor's extra). The page
    lists actions by ``position``, then by name.
    """

    scaled: tuple[str, ...]
    fixed: Mapping[str, Any] = field(default_factory=dict)
    extra_only: bool = False
    position: int = 100


class Action:
    """A scheduled municipal action limited to some wijken.

    A subclass declares ``Params`` (its parameters), ``pulls`` (the levers its
    ``set_levers`` changes), ``yearly_cost``, ``set_levers``, and for the page
    ``choice`` and ``labels`` (language code → Label); it may add its own
    weekly ``step``.
    """

    action_name: ClassVar[str]  #: the name scenarios use: the name of the action's module
    Params: ClassVar[type]
    pulls: ClassVar[tuple[str, ...]] = ()
    choice: ClassVar[Choice | None] = None
    labels: ClassVar[Mapping[str, Label]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "action_name" not in cls.__dict__:
            cls.action_name = cls.__module__.rsplit(".", 1)[-1]

    def __init__(self, label: str, params: Any, start_year: int, end_year: int | None, wijk_mask: np.ndarray) -> None:
        self.label = label
        self.params = params
        self.start_year = start_year
        self.end_year = end_year
        self.wijk_mask = wijk_mask

    @classmethod
    def from_entry(cls, label: str, entry: dict[str, Any], where: str, wijk_names: list[str] | None) -> Action:
        """Check a scenario entry against this action's parameters and build the action."""
        fields = {f.name: f for f in dataclasses.fields(cls.Params)}
        unknown = [k for k in entry if k not in fields and k not in _SCHEDULE]
        if unknown:
            raise InputError(
                f"{where}.{unknown[0]}: unknown parameter of action '{cls.action_name}'. "
                f"Known: {', '.join([*_SCHEDULE[1:], *fields])}."
            )
        values = {}
        for name, f in fields.items():
            if name in entry:
                values[name] = _coerce(entry[name], f, f"{where}.{name}")
        params = cls.Params(**values)
        validate(params, f"{where}.")
        return cls(label, params, *_schedule(entry, where, wijk_names))

    def active(self, world: World) -> bool:
        """Whether the action runs this week (never during the burn-in)."""
        year = world.year
        return world.week >= 0 and self.start_year <= year and (self.end_year is None or year < self.end_year)

    def yearly_cost(self, world: World) -> float:
        """Euros a year at full level."""
        raise NotImplementedError

    def set_levers(self, world: World, level: float) -> None:
        """Set this week's levers at ``level`` (1 = as configured; lower when the budget cap scales actions down)."""
        raise NotImplementedError

    @classmethod
    def step(cls, world: World) -> None:
        """The action's own weekly work, if it has any beyond its levers.

        The municipality runs it once a week for every kind of action in its
        portfolio, however many entries of the kind the scenario has, before it
        sets this week's levers: the step works with the levers its entries set
        the week before, pooled per wijk.
        """

    def stepping_kinds(self) -> tuple[type[Action], ...]:
        """The kinds of action whose weekly ``step`` this action needs: its own."""
        return (type(self),)

    def per_1000(self, world: World, rate: float) -> np.ndarray:
        """A rate per 1,000 residents as an amount for each wijk the action covers (in wijk order)."""
        s = world.state
        residents = alive_by_group(s.wijk, s.alive, world.n_wijken).astype(float)  # one compiled pass
        return rate * residents[self.wijk_mask] / 1000.0


@dataclass(frozen=True)
class ComposedParams:
    """What an action composed in a scenario file is and does: its words, its levers and its cost."""

    title: str
    partner: str
    description: str
    effects: Mapping[str, float]  #: lever → strength, in the lever's strength unit (lever_ranges)
    eur_per_year_per_1000: float  #: € a year per 1,000 residents of the wijken it covers
    eur_per_year: float  #: € a year in all, on top


class ComposedAction(Action):
    """An action composed in a scenario file, without code: it pulls documented levers at given strengths.

    Each strength combines with the other actions' pull of the same lever as
    the lever declares (sim/levers.py); a lever that needs a companion setting
    (the most respite hours per carer, say) gets the ready-made one. It is
    scheduled, limited to wijken, costed and capped by the budget like every
    action, and the weekly steps of the ready-made actions that read its
    levers run with it.
    """

    action_name = COMPOSED_KIND
    Params = ComposedParams

    def __init__(self, label: str, params: Any, start_year: int, end_year: int | None, wijk_mask: np.ndarray) -> None:
        super().__init__(label, params, start_year, end_year, wijk_mask)
        self.pulls = tuple(params.effects)
        self.labels = {lang: Label(params.title, PARTNERS[params.partner][lang], "", "") for lang in ("nl", "en")}

    @classmethod
    def from_entry(cls, label: str, entry: dict[str, Any], where: str, wijk_names: list[str] | None) -> Action:
        """Check a composed entry (its levers, their strengths, its partner and cost) and build the action."""
        unknown = [k for k in entry if k not in _COMPOSED and k not in _SCHEDULE[1:]]
        if unknown:
            raise InputError(
                f"{where}.{unknown[0]}: unknown setting of a composed action. "
                f"Known: {', '.join([*_COMPOSED, *_SCHEDULE[1:]])}. {lever_ranges()}"
            )
        partner = entry.get("partner")
        if partner not in PARTNERS:
            raise InputError(f"{where}.partner={partner!r}: give the partner, one of {', '.join(PARTNERS)}.")
        effects = entry.get("effects")
        if not isinstance(effects, Mapping) or not effects:
            raise InputError(
                f"{where}.effects: give what the action does, as lever: strength (for example "
                f"'effects: {{tie_formation_factor: 1.3}}'). {lever_ranges()}"
            )
        levers = composable_levers()
        strengths = {}
        for name, value in effects.items():
            meta = levers.get(str(name))
            if meta is None:
                raise InputError(f"{where}.effects.{name}: not a lever a composed action can pull. {lever_ranges()}")
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise InputError(f"{where}.effects.{name}={value!r} is not a number. {lever_ranges()}")
            if not meta["lo"] <= value <= meta["hi"]:
                raise InputError(
                    f"{where}.effects.{name}={value:g} is outside its range "
                    f"{meta['lo']:g}–{meta['hi']:g} ({strength_unit(meta)}). {lever_ranges()}"
                )
            strengths[str(name)] = float(value)
        if "eur_per_year_per_1000" not in entry and "eur_per_year" not in entry:
            raise InputError(
                f"{where}: give the action's cost, eur_per_year_per_1000 (€ a year per 1,000 residents of its "
                f"wijken) or eur_per_year (€ a year in all); 0 when it costs nothing. {lever_ranges()}"
            )
        costs = {}
        for key in ("eur_per_year_per_1000", "eur_per_year"):
            value = entry.get(key, 0.0)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1e9:
                raise InputError(f"{where}.{key}={value!r}: give euros a year, a number from 0 to 1e9.")
            costs[key] = float(value)
        title = entry.get("title", label)
        description = entry.get("description", "")
        if not isinstance(title, str) or not isinstance(description, str):
            raise InputError(f"{where}: title and description are text.")
        params = ComposedParams(str(title), str(partner), description, strengths, **costs)
        start, end, mask = _schedule(entry, where, wijk_names)
        return cls(label, params, start, end, mask)

    def yearly_cost(self, world: World) -> float:
        p = self.params
        return float(self.per_1000(world, p.eur_per_year_per_1000).sum() + p.eur_per_year)

    def set_levers(self, world: World, level: float) -> None:
        m, lv = self.wijk_mask, world.levers
        levers = composable_levers()
        for name, strength in self.params.effects.items():
            meta = levers[name]
            values = getattr(lv, name)
            amount = self.per_1000(world, strength) if meta["per_1000"] else strength
            match meta["combine"]:
                case "add":
                    values[m] += amount * level
                case "extra":
                    values[m] += (amount - 1.0) * level
                case "factor":
                    values[m] *= 1.0 + (amount - 1.0) * level
                case "chance":
                    values[m] = 1 - (1 - values[m]) * (1 - amount * level)
            for companion, value in meta["companions"].items():
                if companion not in self.params.effects:
                    array = getattr(lv, companion)
                    array[m] = np.maximum(array[m], value)

    def stepping_kinds(self) -> tuple[type[Action], ...]:
        """The ready-made actions whose own weekly step reads a lever this action pulls."""
        pulled = set(self.params.effects)
        for name in self.params.effects:
            pulled |= set(composable_levers()[name]["companions"])
        return tuple(
            cls
            for cls in registry().values()
            if cls.step.__func__ is not Action.step.__func__ and pulled & set(cls.pulls)
        )


def lever_ranges() -> str:
    """The levers a composed action may pull, with their strength unit and range, as one sentence."""
    items = [
        f"{name} ({strength_unit(meta)}, {meta['lo']:g}–{meta['hi']:g})" for name, meta in composable_levers().items()
    ]
    return "Levers (strength in the lever's unit, range; see the lever table in docs/ODD.md): " + "; ".join(items) + "."


@functools.cache
def registry() -> dict[str, type[Action]]:
    """Every installed action by name, in name order: the actions of every module of the packages the
    ``samenkracht.actions`` entry points name. Found once per process."""
    found: dict[str, type[Action]] = {}
    for point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda p: p.name):
        for module in _modules(point.load()):
            classes = [
                obj
                for obj in vars(module).values()
                if isinstance(obj, type) and issubclass(obj, Action) and obj.__module__ == module.__name__
            ]
            if len(classes) != 1:
                raise InputError(
                    f"{module.__name__}: an action module defines exactly one Action subclass, found {len(classes)}."
                )
            cls = classes[0]
            _check_declaration(cls)
            other = found.get(cls.action_name)
            if other is not None and other is not cls:
                raise InputError(
                    f"action '{cls.action_name}' is defined twice: in {other.__module__} and {cls.__module__}."
                )
            found[cls.action_name] = cls
    if not found:
        raise InputError(
            f"no municipal actions are installed (entry-point group '{ENTRY_POINT_GROUP}'): "
            "install the project with `pip install -e .` (or `make venv`)."
        )
    return dict(sorted(found.items()))


def _modules(package: ModuleType) -> list[ModuleType]:
    """The modules of an actions package (a module named alone is its own list)."""
    if not hasattr(package, "__path__"):
        return [package]
    names = sorted(info.name for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."))
    return [importlib.import_module(name) for name in names if not name.rsplit(".", 1)[-1].startswith("_")]


def _check_declaration(cls: type[Action]) -> None:
    """Refuse an action that pulls an undeclared lever or lets the page scale an unknown parameter."""
    levers = {name for name, _ in iter_levers()}
    unknown = [name for name in cls.pulls if name not in levers]
    if unknown:
        raise InputError(
            f"action '{cls.action_name}' pulls unknown lever(s) {', '.join(unknown)}; "
            f"levers: {', '.join(sorted(levers))}."
        )
    if cls.choice is not None:
        fields = {f.name for f in dataclasses.fields(cls.Params)}
        bad = [name for name in (*cls.choice.scaled, *cls.choice.fixed) if name not in fields]
        if bad or not cls.choice.scaled:
            raise InputError(
                f"action '{cls.action_name}': its page choice names unknown parameter(s) "
                f"{', '.join(bad) or '(none scaled)'}; parameters: {', '.join(sorted(fields))}."
            )


def pulled_by() -> dict[str, list[str]]:
    """Lever → the names of the actions that pull it, for every lever (in declaration order)."""
    actions = registry()
    return {name: [a for a, cls in actions.items() if name in cls.pulls] for name, _ in iter_levers()}


def _refuse_code(entry: Any, where: str) -> None:
    """Refuse any way of naming a Python callable inside a scenario."""
    if isinstance(entry, Mapping):
        for key, value in entry.items():
            if str(key) in _CODE_KEYS:
                raise InputError(
                    f"{where}.{key}: a scenario may not name Python code. Name an action from the registry "
                    f"instead (known actions: {', '.join(registry())})."
                )
            _refuse_code(value, f"{where}.{key}")
    elif isinstance(entry, Sequence) and not isinstance(entry, str):
        for i, value in enumerate(entry):
            _refuse_code(value, f"{where}[{i}]")


def build_actions(scenario: Any, wijk_names: Sequence[str] | None) -> list[Action]:
    """Check a scenario's actions against the registry and build them, in the order the scenario lists them.

    ``scenario.actions`` maps a label to an entry; the entry's ``action`` names
    the registered action (the label itself when absent), so one action can be
    used twice under two labels (say, with different wijken); an entry with
    ``kind: composed`` is an action composed from levers (ComposedAction). Without
    ``wijk_names`` (checking a configuration before the municipality is built)
    the wijken are checked only for their form; the actions built then are for
    checking, not for running.
    """
    entries = scenario.actions or {}
    _refuse_code(entries, "scenario.actions")  # anywhere: in a label, an entry, a parameter, a list
    actions = registry()
    if not isinstance(entries, Mapping):
        raise InputError(
            "scenario.actions must map a label to an action's settings, for example "
            "'respite_care: {hours_per_1000: 30}'. Known actions: " + ", ".join(actions) + "."
        )
    built = []
    for label, entry in entries.items():
        where = f"scenario.actions.{label}"
        if entry is None:
            entry = {}
        if not isinstance(entry, Mapping):
            raise InputError(f"{where} must be a mapping of the action's settings (or empty for its defaults).")
        kind = entry.get("kind")
        if kind is not None:
            if kind != COMPOSED_KIND or "action" in entry:
                raise InputError(
                    f"{where}.kind={kind!r}: 'kind: composed' composes an action from levers (without 'action'); "
                    f"leave kind out to use a registered action ({', '.join(actions)})."
                )
            wijken = None if wijk_names is None else list(wijk_names)
            built.append(ComposedAction.from_entry(str(label), dict(entry), where, wijken))
            continue
        name = str(entry.get("action", label))
        cls = actions.get(name)
        if cls is None:
            raise InputError(
                f"{where}: unknown action '{name}'. Known actions: {', '.join(actions)}. "
                f"(Name the action with 'action: NAME' when the label is not an action's name.)"
            )
        built.append(cls.from_entry(str(label), dict(entry), where, None if wijk_names is None else list(wijk_names)))
    return built


def _coerce(value: Any, f: dataclasses.Field, where: str) -> Any:
    kind = type(f.default) if f.default is not dataclasses.MISSING else None
    try:
        if kind is bool:
            if isinstance(value, bool):
                return value
            raise ValueError
        if kind is int:
            if isinstance(value, bool) or float(value) != int(float(value)):
                raise ValueError
            return int(value)
        if kind is float:
            if isinstance(value, bool):
                raise ValueError
            return float(value)
    except (TypeError, ValueError):
        raise InputError(f"{where}={value!r} is not a {kind.__name__}.") from None
    return value


def _schedule(entry: Mapping[str, Any], where: str, wijk_names: list[str] | None) -> tuple[int, int | None, np.ndarray]:
    """An entry's start year, end year (None: no end) and wijk mask."""
    start = _year(entry.get("start_year", 0), f"{where}.start_year")
    end = entry.get("end_year")
    end = None if end is None else _year(end, f"{where}.end_year")
    if end is not None and end <= start:
        raise InputError(f"{where}.end_year={end} must be after start_year={start} (or null for no end).")
    return start, end, _wijk_mask(entry.get("wijken"), f"{where}.wijken", wijk_names)


def _year(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InputError(f"{where}={value!r}: give a whole number of years from 0 (the first simulated year).")
    return value


def _wijk_mask(wijken: Any, where: str, names: list[str] | None) -> np.ndarray:
    """The wijken an action covers, as a mask over ``names``. Without names (the configuration is checked before
    the municipality exists) only the form of the setting is checked, and the mask is empty."""
    if wijken is None or wijken == "all":
        return np.ones(0 if names is None else len(names), dtype=bool)
    if not isinstance(wijken, (list, tuple)) or not wijken:
        example = names[0] if names else "wijk_1"
        raise InputError(f"{where}: give 'all' or a list of wijken (names such as '{example}', or indices from 0).")
    if names is None:
        return np.zeros(0, dtype=bool)
    mask = np.zeros(len(names), dtype=bool)
    for w in wijken:
        if isinstance(w, int) and not isinstance(w, bool) and 0 <= w < len(names):
            mask[w] = True
        elif isinstance(w, str) and w in names:
            mask[names.index(w)] = True
        else:
            raise InputError(
                f"{where}: unknown wijk {w!r}. Wijken: {', '.join(repr(n) for n in names)} "
                f"(or indices 0–{len(names) - 1})."
            )
    return mask
