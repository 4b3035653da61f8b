"""Levers: the per-wijk settings through which municipal actions reach the weekly mechanisms.

Every lever starts neutral (the baseline); the municipality's active actions
set them each week. Mechanisms read levers, never actions, so one mechanism
stays one module whatever actions exist. Each lever is declared once, with
:func:`lever`: its neutral value, unit, meaning and the part of the model that
reads it; resetting and the lever table in docs/ODD.md read that declaration.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np


def lever(neutral: float | bool, *, unit: str, doc: str, read_by: str, columns: int = 0) -> Any:
    """Declare a lever: an array over wijken (``columns`` > 0: a row of that many values per wijk) that is
    ``neutral`` in the baseline; ``read_by`` names the mechanism or the action's weekly step that reads it."""
    meta = {"neutral": neutral, "unit": unit, "doc": doc, "read_by": read_by, "columns": columns}
    return dataclasses.field(init=False, repr=False, metadata=meta)


@dataclass
class Levers:
    """Per-wijk settings, each an array over wijken (index = wijk)."""

    n_wijken: int
    shop_signal: np.ndarray = lever(
        0.0,
        unit="chance a week",
        read_by="signalling",
        doc="chance a linked shopkeeper notices a local shopper at risk",
    )
    match_success_bonus: np.ndarray = lever(
        0.0, unit="probability", read_by="allocation", doc="added to the buurthulp match success chance"
    )
    volunteer_dropout_factor: np.ndarray = lever(
        1.0, unit="×", read_by="volunteering", doc="factor on volunteers' yearly dropout rate"
    )
    volunteer_recruitment: np.ndarray = lever(
        0.0,
        unit="share of willing adults a year",
        read_by="volunteering",
        doc="extra share of willing adults recruited as volunteers",
    )
    tie_formation_factor: np.ndarray = lever(
        1.0, unit="× baseline", read_by="contact", doc="factor on the rate of new weak ties at shared places"
    )
    outreach: np.ndarray = lever(
        0.0, unit="weight", read_by="contact", doc="how much shared places reach lonely residents (0 = not at all)"
    )
    social_model_bonus: np.ndarray = lever(
        0.0, unit="share", read_by="wijkteam", doc="added to the wijkteam's social-model share"
    )
    wijkteam_fte_factor: np.ndarray = lever(
        1.0, unit="×", read_by="wijkteam (professionals' week)", doc="factor on wijkteam capacity"
    )
    respite_hours: np.ndarray = lever(
        0.0, unit="hours a week", read_by="burden", doc="respite hours available to heavily burdened carers"
    )
    support_capacity: np.ndarray = lever(
        0.0, unit="carers a week", read_by="carer_support (its weekly step)", doc="extra carer-support conversations"
    )
    mobilise_capacity: np.ndarray = lever(
        0.0,
        unit="residents a week",
        read_by="network_strengthening (its weekly step)",
        doc="extra network mobilisations",
    )
    mobilise_tie_boost: np.ndarray = lever(
        0.0,
        unit="strength",
        read_by="network_strengthening (its weekly step)",
        doc="strength added to the outside ties of a mobilised resident",
    )
    bridging_bonus: np.ndarray = lever(
        0.0, unit="share", read_by="contact", doc="extra share of new ties that bridge wijken"
    )
    new_tie_strength: np.ndarray = lever(
        np.nan, unit="strength", read_by="contact", doc="strength of new weak ties (NaN: the contact parameter)"
    )
    respite_max_per_carer: np.ndarray = lever(
        0.0, unit="hours a week", read_by="burden", doc="most respite hours one carer gets"
    )
    support_relief_weeks: np.ndarray = lever(
        0.0, unit="weeks", read_by="carer_support (its weekly step)", doc="weeks of relief from carer support"
    )
    support_mobilises: np.ndarray = lever(
        False,
        unit="yes/no",
        read_by="carer_support (its weekly step)",
        doc="carer support brings in secondary helpers",
    )
    quadrant_mix: np.ndarray = lever(
        np.nan,
        unit="shares",
        columns=4,
        read_by="wijkteam (professionals' week)",
        doc="wijkteam time over own network, institutional, collective, policy (NaN: the wijkteam parameter)",
    )

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Set every lever back to its neutral (baseline) value."""
        for name, neutral, columns in _NEUTRAL:
            setattr(self, name, np.full((self.n_wijken, columns) if columns else self.n_wijken, neutral))


def iter_levers() -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield (name, declaration) for every lever, in declaration order."""
    for f in dataclasses.fields(Levers):
        if "neutral" in f.metadata:
            yield f.name, dict(f.metadata)


#: (name, neutral value, columns) of every lever, read once from the declarations for the weekly reset.
_NEUTRAL: tuple[tuple[str, Any, int], ...] = tuple((name, m["neutral"], m["columns"]) for name, m in iter_levers())
