"""Plots of a run's headline indicators over the simulated years."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

#: (column, title, axis label) of the panels of the headline plot.
HEADLINE_PANELS: tuple[tuple[str, str, str], ...] = (
    ("carrying_capacity", "Carrying capacity of the social base", "share of need met informally"),
    ("heavily_burdened_share", "Heavily burdened carers", "share of carers"),
    ("unmet_hours", "Unmet care need", "hours a week"),
    ("isolated_share", "Socially isolated adults", "share of adults"),
    ("severely_lonely_share", "Severely lonely adults", "share of adults"),
    ("municipal_cost_eur", "Municipal spending", "€ a week"),
)


def plot_headline(weekly: pd.DataFrame, path: Path, title: str = "") -> None:
    """Six panels of headline indicators against simulated years; weekly values with a 13-week mean."""
    fig, axes = plt.subplots(2, 3, figsize=(13, 7), sharex=True)
    years = weekly["week"] / 52.0
    for ax, (column, panel_title, label) in zip(axes.flat, HEADLINE_PANELS):
        ax.plot(years, weekly[column], color="0.75", linewidth=0.8, label="weekly")
        ax.plot(years, weekly[column].rolling(13, min_periods=1).mean(), color="C0", linewidth=2, label="13-week mean")
        ax.set_title(panel_title, fontsize=11)
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        if column.endswith("_share") or column == "carrying_capacity":
            ax.set_ylim(bottom=0)
    for ax in axes[-1]:
        ax.set_xlabel("simulated years")
    axes.flat[0].legend(loc="lower left", fontsize=8)
    fig.suptitle(f"Samenkracht — {title}" if title else "Samenkracht", fontsize=13)
    fig.tight_layout()
    fig.savefig(path, dpi=110, format="png")
    plt.close(fig)
