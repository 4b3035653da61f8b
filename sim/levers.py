"""Levers: the per-wijk settings through which municipal actions reach the weekly mechanisms.

Every lever starts neutral (the baseline); the municipality's active actions
set them each week. Mechanisms read levers, never actions, so one mechanism
stays one module whatever actions exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Levers:
    """Per-wijk settings, each an array over wijken (index = wijk)."""

    n_wijken: int
    shop_signal: np.ndarray = field(init=False)  #: weekly chance a linked shopkeeper notices a local shopper at risk
    match_success_bonus: np.ndarray = field(init=False)  #: added to the buurthulp match success chance
    volunteer_dropout_factor: np.ndarray = field(init=False)  #: × volunteers' yearly dropout rate
    volunteer_recruitment: np.ndarray = field(init=False)  #: extra share of willing adults recruited as volunteers
    tie_formation_factor: np.ndarray = field(init=False)  #: × rate of new weak ties at shared places
    outreach: np.ndarray = field(init=False)  #: how much shared places reach lonely residents (0 = not at all)
    social_model_bonus: np.ndarray = field(init=False)  #: added to the wijkteam's social-model share
    wijkteam_fte_factor: np.ndarray = field(init=False)  #: × wijkteam capacity
    respite_hours: np.ndarray = field(init=False)  #: respite hours a week available to heavily burdened carers
    support_capacity: np.ndarray = field(init=False)  #: extra carer-support conversations a week
    mobilise_capacity: np.ndarray = field(init=False)  #: extra network mobilisations a week
    mobilise_tie_boost: np.ndarray = field(init=False)  #: strength added to the outside ties of a mobilised resident
    bridging_bonus: np.ndarray = field(init=False)  #: extra share of new ties that bridge wijken
    new_tie_strength: np.ndarray = field(init=False)  #: strength of new weak ties (NaN: the contact parameter)
    respite_max_per_carer: np.ndarray = field(init=False)  #: most respite hours a week for one carer
    support_relief_weeks: np.ndarray = field(init=False)  #: weeks of relief from carer support
    support_mobilises: np.ndarray = field(init=False)  #: carer support brings in secondary helpers
    quadrant_mix: np.ndarray = field(init=False)  #: (wijken, 4) wijkteam time shares (NaN: the wijkteam parameter)

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Set every lever back to its neutral (baseline) value."""
        n = self.n_wijken
        for name, neutral in (
            ("shop_signal", 0.0),
            ("match_success_bonus", 0.0),
            ("volunteer_dropout_factor", 1.0),
            ("volunteer_recruitment", 0.0),
            ("tie_formation_factor", 1.0),
            ("outreach", 0.0),
            ("social_model_bonus", 0.0),
            ("wijkteam_fte_factor", 1.0),
            ("respite_hours", 0.0),
            ("support_capacity", 0.0),
            ("mobilise_capacity", 0.0),
            ("mobilise_tie_boost", 0.0),
            ("bridging_bonus", 0.0),
            ("new_tie_strength", np.nan),
            ("respite_max_per_carer", 0.0),
            ("support_relief_weeks", 0.0),
        ):
            setattr(self, name, np.full(n, neutral))
        self.support_mobilises = np.zeros(n, dtype=bool)
        self.quadrant_mix = np.full((n, 4), np.nan)
