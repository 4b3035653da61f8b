"""Typed parameters with units, ranges and sources, and the range check that runs before a model is built.

Every parameter of every mechanism is declared with :func:`param`, so that its
unit, allowed range, meaning and the source of its default live in one place:
the range check, the error messages and the parameter table in docs/ODD.md all
read them from there.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator
from typing import Any

from samenkracht.sim.errors import InputError

#: The ``source`` words of a parameter calibrated in the joint searches of docs/ODD.md §3.4.
JOINT_CALIBRATION = "calibrated jointly with others against both targets files at years 3 and 20 (docs/ODD.md §3.4)"


def param(
    default: Any,
    *,
    unit: str = "",
    lo: float | None = None,
    hi: float | None = None,
    doc: str = "",
    source: str = "modelling assumption",
) -> Any:
    """Declare a dataclass field with its unit, inclusive range [lo, hi], meaning and source."""
    meta = {"unit": unit, "lo": lo, "hi": hi, "doc": doc, "source": source}
    if isinstance(default, (list, dict)):
        value = default
        return dataclasses.field(default_factory=lambda: type(value)(value), metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


def _num(x: float) -> str:
    return f"{int(x):,}" if float(x).is_integer() and abs(x) < 1e15 else f"{x:g}"


def _describe_range(lo: float | None, hi: float | None) -> str:
    if lo is not None and hi is not None:
        return f"a number from {_num(lo)} to {_num(hi)}"
    if lo is not None:
        return f"a number of at least {_num(lo)}"
    return f"a number of at most {_num(hi)}"


def _check_number(value: Any, key: str, lo: float | None, hi: float | None) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return
    if isinstance(value, float) and not math.isfinite(value):
        raise InputError(f"{key}={value} is not a finite number; give {_describe_range(lo, hi)}.")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise InputError(f"{key}={value} is out of range: give {_describe_range(lo, hi)}.")


def validate(obj: Any, prefix: str = "") -> None:
    """Check every declared range in a tree of parameter dataclasses; raise InputError naming the key.

    Lists of numbers are checked element by element against the field's range.
    A dataclass may add cross-field checks in a ``check()`` method.
    """
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        key = f"{prefix}{f.name}"
        if dataclasses.is_dataclass(value):
            validate(value, key + ".")
            continue
        lo, hi = f.metadata.get("lo"), f.metadata.get("hi")
        if lo is None and hi is None:
            continue
        if isinstance(value, (list, tuple)):
            for i, item in enumerate(value):
                _check_number(item, f"{key}[{i}]", lo, hi)
        else:
            _check_number(value, key, lo, hi)
    check = getattr(obj, "check", None)
    if callable(check):
        check(prefix)


def iter_params(obj_or_cls: Any, prefix: str = "") -> Iterator[tuple[str, Any, dict[str, Any]]]:
    """Yield (dotted key, default, metadata) for every leaf parameter, for documentation."""
    cls = obj_or_cls if isinstance(obj_or_cls, type) else type(obj_or_cls)
    instance = cls()
    for f in dataclasses.fields(cls):
        value = getattr(instance, f.name)
        key = f"{prefix}{f.name}"
        if dataclasses.is_dataclass(value):
            yield from iter_params(type(value), key + ".")
        else:
            yield key, value, dict(f.metadata)
