"""Plots of a run's headline indicators over the simulated years."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import PercentFormatter  # noqa: E402

from samenkracht.sim.indicator_table import indicator  # noqa: E402
from samenkracht.sim.time import WEEKS_PER_YEAR  # noqa: E402

#: The indicators of the panels of the headline plot (titles and units from the indicator table, in English).
HEADLINE_PANELS: tuple[str, ...] = (
    "carrying_capacity",
    "heavily_burdened_share",
    "unmet_hours",
    "isolated_share",
    "severely_lonely_share",
    "municipal_cost_eur",
)


def plot_headline(weekly: pd.DataFrame, path: Path, title: str = "") -> None:
    """Six panels of headline indicators against simulated years; weekly values with a 13-week mean."""
    fig, axes = plt.subplots(2, 3, figsize=(13, 7), sharex=True)
    years = weekly["week"] / WEEKS_PER_YEAR
    for ax, column in zip(axes.flat, HEADLINE_PANELS):
        entry = indicator(column)
        ax.plot(years, weekly[column], color="0.75", linewidth=0.8, label="weekly")
        ax.plot(years, weekly[column].rolling(13, min_periods=1).mean(), color="C0", linewidth=2, label="13-week mean")
        ax.set_title(entry.en.name, fontsize=11)
        ax.set_ylabel(entry.en.unit)
        ax.grid(alpha=0.3)
        if entry.percent:
            ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0))
            ax.set_ylim(bottom=0)
    for ax in axes[-1]:
        ax.set_xlabel("simulated years")
    axes.flat[0].legend(loc="lower left", fontsize=8)
    fig.suptitle(f"Samenkracht — {title}" if title else "Samenkracht", fontsize=13)
    fig.tight_layout()
    fig.savefig(path, dpi=110, format="png")
    plt.close(fig)
