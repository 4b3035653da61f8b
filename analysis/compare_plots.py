"""Plots of a scenario comparison: indicators over the years with 95% bands, a panel per indicator (or per wijk).

Made to be read on paper: large type, and every scenario has its own line
style and marker as well as its own colour (Okabe–Ito, safe for colour-blind
readers), so the lines stay apart in grey print.
"""

from __future__ import annotations

import io
import math
import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import Formatter, MaxNLocator

from samenkracht.analysis.compare import Comparison
from samenkracht.analysis.formatting import number
from samenkracht.analysis.texts import TEXT
from samenkracht.sim.indicator_table import is_percent, label

COLOURS = ("#000000", "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1, 1, 1)), (0, (8, 2)), (0, (1, 1)))
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
STYLE = {
    "font.size": 14,
    "axes.titlesize": 14,
    "axes.labelsize": 13,
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
    "legend.fontsize": 13,
    "axes.titleweight": "bold",
    "lines.linewidth": 2.2,
    "lines.markersize": 6,
}


def _style(i: int) -> dict:
    return {
        "color": COLOURS[i % len(COLOURS)],
        "linestyle": LINESTYLES[i % len(LINESTYLES)],
        "marker": MARKERS[i % len(MARKERS)],
    }


class _UnitFormatter(Formatter):
    """Tick labels in an indicator's display unit (shares in %, differences of shares in points), with the
    language's decimal sign and as few decimals as show every tick exactly."""

    def __init__(self, indicator: str, lang: str, diff: bool) -> None:
        self.scale = 100.0 if is_percent(indicator) else 1.0
        self.suffix = "%" if is_percent(indicator) and not diff else ""
        self.lang, self.diff, self.decimals = lang, diff, 0

    def set_locs(self, locs) -> None:
        ticks = np.asarray(locs, dtype=float) * self.scale
        tol = 1e-9 * max(1.0, float(np.abs(ticks).max(initial=0)))
        self.decimals = next((d for d in range(5) if np.allclose(np.round(ticks, d), ticks, rtol=0, atol=tol)), 4)

    def __call__(self, y: float, pos: int | None = None) -> str:
        return number(y * self.scale, self.decimals, self.lang, sign=self.diff) + self.suffix


def _format_y(ax: plt.Axes, indicator: str, lang: str, diff: bool) -> None:
    ax.yaxis.set_major_formatter(_UnitFormatter(indicator, lang, diff))


def _png(fig: plt.Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    return buf.getvalue()


def _band(
    ax: plt.Axes, years: np.ndarray, mean: np.ndarray, lo: np.ndarray, hi: np.ndarray, i: int, label: str
) -> None:
    style = _style(i)
    ax.fill_between(years, lo, hi, color=style["color"], alpha=0.15, linewidth=0)
    ax.plot(years, lo, color=style["color"], linewidth=0.7, alpha=0.6)
    ax.plot(years, hi, color=style["color"], linewidth=0.7, alpha=0.6)
    ax.plot(years, mean, label=label, markevery=max(1, len(years) // 10), **style)


def _grid(n: int, ncols: int, height: float, sharey: bool = False) -> tuple[plt.Figure, np.ndarray]:
    rows = math.ceil(n / ncols)
    fig, axes = plt.subplots(rows, ncols, figsize=(10, height * rows), squeeze=False, sharey=sharey)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, axes


def _finish(fig: plt.Figure, axes: np.ndarray, handles_from: plt.Axes, n: int, lang: str, title: str = "") -> None:
    """Axis labels and grid on every panel; the legend (and a title) in a band across the top."""
    handles, labels = handles_from.get_legend_handles_labels()
    for ax in axes.flat[:n]:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.35)
        ax.set_xlabel(TEXT[lang]["year_axis"])
    height = fig.get_figheight()
    legend_rows = math.ceil(len(labels) / 3)
    header = 0.15 + 0.4 * legend_rows + (0.5 if title else 0.0)  # inches
    top = 1 - header / height
    fig.tight_layout(rect=(0, 0, 1, top))
    if title:
        fig.suptitle(title, y=1 - 0.1 / height, va="top", fontsize=15, fontweight="bold")
    fig.legend(
        handles,
        labels,
        loc="upper center",
        ncol=min(3, len(labels)),
        frameon=False,
        bbox_to_anchor=(0.5, 1 - (0.6 if title else 0.1) / height),
    )


def plot_indicators(cmp: Comparison, lang: str = "nl", diff: bool = False) -> bytes:
    """A panel per indicator: each scenario's mean over seeds per year with its 95% band, or with ``diff`` each
    scenario's mean paired difference from the reference with its band. Returns PNG bytes."""
    table = cmp.differences if diff else cmp.levels
    indicators = list(table["indicator"].unique())
    with plt.rc_context(STYLE):
        fig, axes = _grid(len(indicators), 2, 3.3)
        for ax, indicator in zip(axes.flat, indicators):
            rows = table[table["indicator"] == indicator]
            if diff:
                ax.axhline(0, color="0.3", linewidth=1.2)
            for i, arm in enumerate(cmp.arms):
                if diff and arm == cmp.reference:
                    continue
                r = rows[rows["arm"] == arm].sort_values("year")
                _band(
                    ax,
                    r["year"].to_numpy(),
                    r["mean"].to_numpy(),
                    r["ci_low"].to_numpy(),
                    r["ci_high"].to_numpy(),
                    i,
                    f"{arm} − {cmp.reference}" if diff else arm,
                )
            words = label(indicator, lang)
            ax.set_title(words.name)
            if diff:
                ax.set_ylabel(TEXT[lang]["pp"] if is_percent(indicator) else words.yearly_unit)
            else:
                ax.set_ylabel(textwrap.fill(words.yearly_unit, 24))
            _format_y(ax, indicator, lang, diff=diff)
        _finish(fig, axes, axes.flat[0], len(indicators), lang)
        return _png(fig)


def plot_wijk(cmp: Comparison, indicator: str, lang: str = "nl") -> bytes:
    """A panel per wijk: each scenario's mean of one indicator per year, with its 95% band."""
    table = cmp.wijk_levels
    assert table is not None
    rows = table[table["indicator"] == indicator]
    wijken = list(pd.unique(rows["wijk_name"]))
    with plt.rc_context(STYLE):
        fig, axes = _grid(len(wijken), 2, 3.0, sharey=True)  # one scale, so wijken compare at a glance
        for ax, wijk in zip(axes.flat, wijken):
            for i, arm in enumerate(cmp.arms):
                r = rows[(rows["arm"] == arm) & (rows["wijk_name"] == wijk)].sort_values("year")
                _band(
                    ax,
                    r["year"].to_numpy(),
                    r["mean"].to_numpy(),
                    r["ci_low"].to_numpy(),
                    r["ci_high"].to_numpy(),
                    i,
                    arm,
                )
            ax.set_title(str(wijk))
            _format_y(ax, indicator, lang, diff=False)
        words = label(indicator, lang)
        _finish(fig, axes, axes.flat[0], len(wijken), lang, title=f"{words.name} ({words.yearly_unit})")
        return _png(fig)
