"""The page's two pictures: the social network now, and the headline indicators beside the baseline.

Both are matplotlib Figures made without pyplot (nothing global to leak), so
the page and the export draw the same picture.
"""

from __future__ import annotations

import io
import textwrap
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from samenkracht.app.texts import PAGE_INDICATORS, TEXT
from samenkracht.sim.indicator_table import indicator
from samenkracht.sim.ties import KIND_CODE
from samenkracht.sim.time import WEEKS_PER_YEAR

if TYPE_CHECKING:
    from samenkracht.app.run import PairedRun

#: Weeks in the moving mean of the plotted lines (a quarter: weekly values of a small municipality are noisy).
SMOOTH_WEEKS = 13

_FAMILY_CODES = [KIND_CODE[k] for k in ("household", "family")]
_HELP_CODES = [KIND_CODE[k] for k in ("volunteer", "professional")]
_COLOUR_SCALE = {"burden": ("YlOrRd", 10.0), "loneliness": ("PuBu", 11.0)}
_SCENARIO_COLOUR, _BASELINE_COLOUR = "#d95f02", "0.45"


def png_bytes(figure: Figure) -> bytes:
    """A figure as PNG bytes."""
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def network_figure(run: PairedRun, colour_by: str, lang: str, dpi: int = 80) -> Figure:
    """The social graph as it is now: one dot per resident, coloured by carer burden or loneliness.

    Informal carers are triangles and volunteers squares; ties are grey lines,
    darker for family, green for volunteer and professional ties.
    """
    t = TEXT[lang]
    model = run.chosen
    s, ties = model.state, model.ties
    # From the arrays, not through a networkx graph of the whole municipality (a quarter of a redraw's time):
    # the living residents that have a place in the drawing, and the living ties between two of them.
    slots, places = run.layout_arrays()
    where = np.full((s.n, 2), np.nan)
    where[slots] = places
    drawn = np.zeros(s.n, dtype=bool)
    drawn[slots] = True
    drawn &= s.alive
    fig = Figure(figsize=(6.2, 6.0), dpi=dpi)
    ax = fig.add_axes((0.0, 0.13, 0.86, 0.82))
    ax.set_axis_off()
    ax.set_aspect("equal")

    shown = np.flatnonzero(ties.alive & drawn[ties.u] & drawn[ties.v])
    kind = ties.kind[shown]
    family, help_ = np.isin(kind, _FAMILY_CODES), np.isin(kind, _HELP_CODES)
    for part, colour, width, alpha in (
        (~family & ~help_, "0.7", 0.4, 0.35),
        (family, "0.35", 0.6, 0.5),
        (help_, "#1b9e77", 1.2, 0.9),
    ):
        if part.any():
            tie = shown[part]
            segments = np.stack([where[ties.u[tie]], where[ties.v[tie]]], axis=1)
            ax.add_collection(LineCollection(segments, colors=colour, linewidths=width, alpha=alpha, zorder=1))

    nodes = np.flatnonzero(drawn)
    xy = where[nodes]
    cmap, vmax = _COLOUR_SCALE[colour_by]
    values = (s.burden if colour_by == "burden" else s.loneliness)[nodes]
    carer = s.carer[nodes]
    volunteer = s.volunteer[nodes] & ~carer
    plain = ~carer & ~volunteer
    scatter = None
    # Burden is a carer's: other residents are grey when colouring by burden.
    coloured = carer if colour_by == "burden" else np.ones(nodes.size, dtype=bool)
    for mask, marker, size, edge in ((plain, "o", 14, "0.5"), (volunteer, "s", 30, "#1b9e77"), (carer, "^", 46, "k")):
        for with_colour in (False, True):
            part = mask & (coloured == with_colour)
            if not part.any():
                continue
            colour = {"c": values[part], "cmap": cmap, "vmin": 0, "vmax": vmax} if with_colour else {"color": "0.85"}
            drawn = ax.scatter(
                xy[part, 0], xy[part, 1], s=size, marker=marker, edgecolors=edge, linewidths=0.5, zorder=3, **colour
            )
            if with_colour:
                scatter = drawn
    if xy.size:
        pad = 0.08
        ax.set_xlim(xy[:, 0].min() - pad, xy[:, 0].max() + pad)
        ax.set_ylim(xy[:, 1].min() - pad, xy[:, 1].max() + pad)
    if scatter is not None:
        cax = fig.add_axes((0.88, 0.2, 0.03, 0.65))
        bar = fig.colorbar(scatter, cax=cax)
        bar.set_label(t[colour_by], fontsize=9)
        bar.ax.tick_params(labelsize=8)
    legend = [
        Line2D([], [], marker="o", linestyle="", color="0.6", label=t["resident"]),
        Line2D([], [], marker="^", linestyle="", color="0.6", markeredgecolor="k", label=t["carer"]),
        Line2D([], [], marker="s", linestyle="", color="0.6", markeredgecolor="#1b9e77", label=t["volunteer"]),
        Line2D([], [], color="0.35", label=t["family_tie"]),
        Line2D([], [], color="0.7", label=t["weak_tie"]),
        Line2D([], [], color="#1b9e77", label=t["help_tie"]),
    ]
    fig.legend(handles=legend, loc="lower left", ncol=3, fontsize=8, frameon=False, bbox_to_anchor=(0.01, 0.0))
    if run.drawn_wijken < model.n_wijken:
        fig.suptitle(
            t["network_sample"].format(shown=nodes.size, total=int(s.alive.sum()), wijken=run.drawn_wijken),
            fontsize=9,
            y=0.99,
        )
    return fig


def _smoothed(rows: list[dict], column: str) -> tuple[np.ndarray, np.ndarray]:
    """(years, trailing 13-week mean of ``column``), percentages in % points."""
    if not rows:
        return np.zeros(0), np.zeros(0)
    values = np.array([r[column] for r in rows], dtype=float)
    if indicator(column).percent:
        values = values * 100.0
    cumulative = np.concatenate([[0.0], np.cumsum(values)])
    idx = np.arange(1, values.size + 1)
    start = np.maximum(0, idx - SMOOTH_WEEKS)
    mean = (cumulative[idx] - cumulative[start]) / (idx - start)
    weeks = np.array([r["week"] for r in rows], dtype=float)
    return (weeks + 1) / WEEKS_PER_YEAR, mean


def indicator_figure(run: PairedRun, lang: str, dpi: int = 80, title: str = "") -> Figure:
    """Four panels — heavily burdened carers, isolation, unmet need, carrying capacity — for the students'
    municipality beside the baseline, as moving means over a quarter, against simulated years."""
    t = TEXT[lang]
    fig = Figure(figsize=(7.6, 6.0), dpi=dpi)
    axes = fig.subplots(2, 2, sharex=True)
    rows, base = list(run.rows), list(run.baseline_rows)
    for ax, column in zip(axes.flat, PAGE_INDICATORS, strict=True):
        words = indicator(column).label(lang)
        bx, by = _smoothed(base, column)
        sx, sy = _smoothed(rows, column)
        ax.plot(bx, by, color=_BASELINE_COLOUR, linewidth=1.6, linestyle="--", label=t["baseline"])
        ax.plot(sx, sy, color=_SCENARIO_COLOUR, linewidth=2.0, label=t["scenario"])
        ax.set_title(words.name, fontsize=10)
        ax.set_ylabel(words.unit, fontsize=8)
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
        ax.set_xlim(0, run.years)
        ax.set_ylim(bottom=0)
        if column == "carrying_capacity":
            ax.set_ylim(0, 100)
    for ax in axes[-1]:
        ax.set_xlabel(t["years_axis"], fontsize=8)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=2, fontsize=9, frameon=False)
    top = 0.95
    if title:
        title = textwrap.fill(title, 100)
        fig.suptitle(title, fontsize=10)
        top = 0.91 - 0.03 * title.count("\n")
    # Fixed margins: tight_layout would cost more than drawing the figure, at every frame.
    fig.subplots_adjust(left=0.09, right=0.98, bottom=0.15, top=top, wspace=0.25, hspace=0.22)
    return fig
