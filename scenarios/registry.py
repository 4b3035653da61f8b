"""The registry of municipal actions: scenario files name actions from here, never Python callables.

Each action has a name, a typed parameter dataclass (units, ranges, defaults),
a schedule (start and end year, wijken) and a yearly cost model. A scenario's
action entries are checked against this registry before a run starts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from samenkracht.sim.errors import InputError

#: name -> action class; filled by scenarios/actions.py through @register.
ACTIONS: dict[str, type] = {}



def register(name: str) -> Callable[[type], type]:
    """Class decorator adding an action to the registry under ``name``."""

    def put(cls: type) -> type:
        cls.action_name = name
        ACTIONS[name] = cls
        return cls

    return put


def _refuse_code(entry: Any, where: str) -> None:
    """Refuse any way of naming a Python callable inside a scenario."""
    from samenkracht.scenarios import actions as _  # noqa: F401  (fills ACTIONS, named in the message)

    if isinstance(entry, Mapping):
        for key, value in entry.items():
            if str(key) in ("_target_", "_partial_", "_args_", "_recursive_", "_convert_"):
                raise InputError(
                    f"{where}.{key}: a scenario may not name Python code. Name an action from the registry "
                    f"instead (known actions: {', '.join(sorted(ACTIONS)) or 'none'})."
                )
            _refuse_code(value, f"{where}.{key}")
    elif isinstance(entry, Sequence) and not isinstance(entry, str):
        for i, value in enumerate(entry):
            _refuse_code(value, f"{where}[{i}]")


def build_actions(scenario: Any, wijk_names: Sequence[str] | None) -> list[Any]:
    """Check a scenario's actions against the registry and build them, in the order the scenario lists them.

    ``scenario.actions`` maps a label to an entry; the entry's ``action`` names
    the registered action (the label itself when absent), so one action can be
    used twice under two labels (say, with different wijken). Without
    ``wijk_names`` (checking a configuration before the municipality is built)
    the wijken are checked only for their form; the actions built then are for
    checking, not for running.
    """
    from samenkracht.scenarios import actions as _  # noqa: F401  (fills ACTIONS)

    entries = scenario.actions or {}
    _refuse_code(entries, "scenario.actions")  # anywhere: in a label, an entry, a parameter, a list
    if not isinstance(entries, Mapping):
        raise InputError(
            "scenario.actions must map a label to an action's settings, for example "
            "'respite_care: {hours_per_1000: 30}'. Known actions: " + ", ".join(sorted(ACTIONS)) + "."
        )
    built = []
    for label, entry in entries.items():
        where = f"scenario.actions.{label}"
        if entry is None:
            entry = {}
        if not isinstance(entry, Mapping):
            raise InputError(f"{where} must be a mapping of the action's settings (or empty for its defaults).")
        name = str(entry.get("action", label))
        cls = ACTIONS.get(name)
        if cls is None:
            raise InputError(
                f"{where}: unknown action '{name}'. Known actions: {', '.join(sorted(ACTIONS))}. "
                f"(Name the action with 'action: NAME' when the label is not an action's name.)"
            )
        built.append(cls.from_entry(str(label), dict(entry), where, None if wijk_names is None else list(wijk_names)))
    return built
