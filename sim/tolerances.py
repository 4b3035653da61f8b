"""Tolerances: one per unit, below which an amount counts as zero.

Floating-point results may differ in their last bits between machines (numpy
picks SIMD kernels for ``exp``, ``log`` and ``power`` by CPU, and their results
differ by an ulp or so). No decision may rest on that dust: every comparison
that decides something (who asks, who gives, who counts as a carer, who is at
risk) compares against these tolerances, so the same seed gives the same
counts on every CPU. Amounts below a tolerance are zero: they are not asked
for, not handed on to the next layer, and make no one a carer.
"""

from __future__ import annotations

import numpy as np

#: Hours a week (care asked, given, unmet; capacity). A millionth of an hour a week is 3.6 ms.
HOURS_EPS: float = 1e-6
#: Dimensionless shares and ratios of weights, compared relative to their size.
SHARE_EPS: float = 1e-9


def some_hours(hours: np.ndarray | float) -> np.ndarray | bool:
    """Where an amount of hours is more than dust."""
    return np.asarray(hours) > HOURS_EPS


def at_least_hours(hours: np.ndarray | float, threshold: float) -> np.ndarray | bool:
    """Where an amount of hours reaches ``threshold``, counting an amount within dust of it as reaching it."""
    return np.asarray(hours) >= threshold - HOURS_EPS
