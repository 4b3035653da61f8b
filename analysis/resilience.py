"""Resilience of the social base after a shock: how far the headline indicators fall and how long they take to recover.

The shocked run is compared with the same run without the shock (same seed:
common random numbers make the two identical until the shock). For each
indicator: its level before the shock (mean of the 26 weeks before it), the
worst 13-week mean gap to the unshocked run after the shock (the fall, in the
indicator's unit and relative to the level), and the recovery time: weeks from
the start of the shock until the 13-week mean gap is back within a tolerance
(two standard deviations of the weekly values before the shock, at least 1% of
the level) and stays there for 13 weeks. Without an unshocked run the level
before the shock serves as the reference.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: indicator → +1 when higher is better, -1 when lower is better.
RESILIENCE_INDICATORS: dict[str, int] = {
    "carrying_capacity": +1,
    "heavily_burdened_share": -1,
    "unmet_hours": -1,
    "isolated_share": -1,
    "severely_lonely_share": -1,
}
WINDOW = 13
BEFORE = 26


def resilience(
    weekly: pd.DataFrame,
    shock_week: int,
    reference: pd.DataFrame | None = None,
    indicators: dict[str, int] | None = None,
) -> pd.DataFrame:
    """One row per indicator: level, worst, fall, fall_relative, worst_week, recovery_weeks (NaN: not recovered)."""
    indicators = indicators or RESILIENCE_INDICATORS
    rows = []
    weeks = weekly["week"].to_numpy()
    for column, better in indicators.items():
        values = weekly[column].to_numpy(dtype=float)
        before = values[(weeks >= shock_week - BEFORE) & (weeks < shock_week)]
        if before.size == 0:
            continue
        level = float(before.mean())
        tolerance = max(2 * float(before.std()), 0.01 * abs(level))
        baseline = reference[column].to_numpy(dtype=float) if reference is not None else np.full(values.size, level)
        smooth = pd.Series(values - baseline).rolling(WINDOW, min_periods=1).mean().to_numpy()
        after = weeks >= shock_week
        gap = better * smooth  # negative: worse than without the shock
        worst_i = int(np.flatnonzero(after)[np.argmin(gap[after])]) if after.any() else None
        worst = level + float(smooth[worst_i]) if worst_i is not None else level
        recovery = float("nan")
        if worst_i is not None:
            ok = np.abs(smooth) <= tolerance
            for i in range(worst_i, len(values) - WINDOW + 1):
                if ok[i : i + WINDOW].all():
                    recovery = float(weeks[i] - shock_week)
                    break
        fall = better * (level - worst)
        rows.append(
            {
                "indicator": column,
                "level_before": level,
                "worst": worst,
                "fall": max(0.0, fall),
                "fall_relative": max(0.0, fall) / abs(level) if level else 0.0,
                "worst_week": int(weeks[worst_i]) if worst_i is not None else None,
                "recovery_weeks": recovery,
                "recovered": bool(np.isfinite(recovery)),
            }
        )
    return pd.DataFrame(rows)


def yearly_trend(summary: pd.DataFrame, column: str = "carrying_capacity") -> float:
    """Least-squares slope of a yearly indicator, in its unit per year (0 with fewer than two years)."""
    if len(summary) < 2:
        return 0.0
    return float(np.polyfit(summary["year"].to_numpy(dtype=float), summary[column].to_numpy(dtype=float), 1)[0])
