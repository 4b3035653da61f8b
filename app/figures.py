"""The page's two pictures: the social network now, and the headline indicators beside the baseline.

Both are matplotlib Figures made without pyplot (nothing global to leak), so
the page and the export draw the same picture.
"""

from __future__ import annotations

import io
import textwrap
import threading
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.cm import ScalarMappable
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from PIL import Image

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
    fig, ax, title = _network_frame(run, colour_by, lang, dpi)
    _, words = _network_artists(ax, run, colour_by, lang)
    title.set_text(words)
    return fig


def _network_frame(run: PairedRun, colour_by: str, lang: str, dpi: int, animated: bool = False):
    """The network figure without residents and ties: its axes (their range the whole layout's, so it stays as
    residents come and go), colour bar and legend; and the title text (empty; ``animated``: left out of a full
    draw, as NetworkChart draws it itself)."""
    t = TEXT[lang]
    fig = Figure(figsize=(6.2, 6.0), dpi=dpi)
    ax = fig.add_axes((0.0, 0.13, 0.86, 0.82))
    ax.set_axis_off()
    ax.set_aspect("equal")
    _, places = run.layout_arrays()
    if places.size:
        pad = 0.08
        ax.set_xlim(places[:, 0].min() - pad, places[:, 0].max() + pad)
        ax.set_ylim(places[:, 1].min() - pad, places[:, 1].max() + pad)
    cmap, vmax = _COLOUR_SCALE[colour_by]
    cax = fig.add_axes((0.88, 0.2, 0.03, 0.65))
    bar = fig.colorbar(ScalarMappable(Normalize(0, vmax), cmap), cax=cax)
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
    title = fig.suptitle("", fontsize=9, y=0.99)
    title.set_animated(animated)
    return fig, ax, title


def _network_artists(ax: Axes, run: PairedRun, colour_by: str, lang: str, animated: bool = False):
    """The residents and ties as they are now, added to ``ax`` (lines, then dots: ``animated``, left out of a full
    draw); and the title's words (those of a drawing of the first wijken only, else none)."""
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
    artists = []
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
            lines = LineCollection(segments, colors=colour, linewidths=width, alpha=alpha, zorder=1)
            lines.set_animated(animated)
            artists.append(ax.add_collection(lines, autolim=False))

    nodes = np.flatnonzero(drawn)
    xy = where[nodes]
    cmap, vmax = _COLOUR_SCALE[colour_by]
    values = (s.burden if colour_by == "burden" else s.loneliness)[nodes]
    carer = s.carer[nodes]
    volunteer = s.volunteer[nodes] & ~carer
    plain = ~carer & ~volunteer
    # Burden is a carer's: other residents are grey when colouring by burden.
    coloured = carer if colour_by == "burden" else np.ones(nodes.size, dtype=bool)
    for mask, marker, size, edge in ((plain, "o", 14, "0.5"), (volunteer, "s", 30, "#1b9e77"), (carer, "^", 46, "k")):
        for with_colour in (False, True):
            part = mask & (coloured == with_colour)
            if not part.any():
                continue
            colour = {"c": values[part], "cmap": cmap, "vmin": 0, "vmax": vmax} if with_colour else {"color": "0.85"}
            dots = ax.scatter(
                xy[part, 0],
                xy[part, 1],
                s=size,
                marker=marker,
                edgecolors=edge,
                linewidths=0.5,
                zorder=3,
                animated=animated,
                **colour,
            )
            artists.append(dots)
    words = ""
    if run.drawn_wijken < model.n_wijken:
        t = TEXT[lang]
        words = t["network_sample"].format(shown=nodes.size, total=int(s.alive.sum()), wijken=run.drawn_wijken)
    return artists, words


class _KeptChart:
    """A figure kept from one redraw to the next, its fixed part drawn once (``_background``); a redraw puts what
    changed on a copy of it and encodes the PNG (``_png``)."""

    def __init__(self, figure: Figure) -> None:
        self.figure = figure
        self._canvas = FigureCanvasAgg(figure)
        self._background: Any = None
        self._lock = threading.Lock()  # one redraw at a time: a page session may redraw from two threads
        self.full_draws = 0  #: times the fixed part was drawn (the first redraw, and each change of it)

    def _start(self, fixed_changed: bool) -> None:
        """Draw the fixed part (animated artists are left out) if it changed or was never drawn, else restore it."""
        if fixed_changed or self._background is None:
            self._canvas.draw()
            self._background = self._canvas.copy_from_bbox(self.figure.bbox)
            self.full_draws += 1
        else:
            self._canvas.restore_region(self._background)

    def _png(self) -> bytes:
        out = io.BytesIO()
        Image.fromarray(np.asarray(self._canvas.buffer_rgba())).save(out, format="png")
        return out.getvalue()


class NetworkChart(_KeptChart):
    """The page's network figure for one run, colouring and language, kept from one redraw to the next.

    Its axes, colour bar and legend are drawn once; a redraw draws the residents and ties as they are now on a
    copy of them (about 60 ms at 2,000 residents, against 140 ms for a new figure). The picture is
    ``network_figure``'s.
    """

    def __init__(self, run: PairedRun, colour_by: str, lang: str, dpi: int = 80) -> None:
        figure, self._ax, self._title = _network_frame(run, colour_by, lang, dpi, animated=True)
        super().__init__(figure)
        self.run, self.colour_by, self.lang = run, colour_by, lang
        self._artists: list[Any] = []

    def png(self) -> bytes:
        """The network as it is now, as PNG bytes."""
        with self._lock:
            old, self._artists = self._artists, []
            for artist in old:
                artist.remove()
            # The residents and ties read while no step is under way (a redraw from another thread than the play's).
            try:
                with self.run.lock.reading():
                    artists, words = _network_artists(self._ax, self.run, self.colour_by, self.lang, animated=True)
            except Exception:  # none of this redraw's residents or ties stays behind to spoil the next one
                for artist in list(self._ax.collections):
                    artist.remove()
                raise
            self._artists = artists
            self._title.set_text(words)
            self._start(False)
            for artist in self._artists:
                self._ax.draw_artist(artist)
            self.figure.draw_artist(self._title)
            return self._png()


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
    return _indicator_panels(run, lang, dpi, title)[0]


def panel_top(column: str, *lines: np.ndarray) -> float:
    """The top of a panel's y-axis (its bottom is 0): 100 for carrying capacity (a percentage of all that is
    asked), else the first of 1, 2, 2.5 and 5 × 10ᵏ at or above 5% over the highest value drawn (1 while there is
    none). A run that grows within it keeps its axis, so the page redraws only the lines."""
    if column == "carrying_capacity":
        return 100.0
    peak = max((float(np.max(y)) for y in lines if y.size), default=0.0)
    if not np.isfinite(peak) or peak <= 0:
        return 1.0
    want = 1.05 * peak
    scale = 10.0 ** np.floor(np.log10(want))
    return next(f * scale for f in (1.0, 2.0, 2.5, 5.0, 10.0) if f * scale >= want * (1 - 1e-12))


_Panel = tuple[Axes, str, Line2D, Line2D]  # an axis, its indicator, the baseline's line and the scenario's


def _indicator_panels(
    run: PairedRun, lang: str, dpi: int, title: str, animated: bool = False
) -> tuple[Figure, list[_Panel]]:
    """The indicator figure and its panels; ``animated`` lines are left out of a full draw (IndicatorChart draws
    them itself)."""
    t = TEXT[lang]
    fig = Figure(figsize=(7.6, 6.0), dpi=dpi)
    axes = fig.subplots(2, 2, sharex=True)
    rows, base = run.rows_now()
    panels: list[_Panel] = []
    for ax, column in zip(axes.flat, PAGE_INDICATORS, strict=True):
        words = indicator(column).label(lang)
        bx, by = _smoothed(base, column)
        sx, sy = _smoothed(rows, column)
        (b_line,) = ax.plot(
            bx, by, color=_BASELINE_COLOUR, linewidth=1.6, linestyle="--", label=t["baseline"], animated=animated
        )
        (s_line,) = ax.plot(sx, sy, color=_SCENARIO_COLOUR, linewidth=2.0, label=t["scenario"], animated=animated)
        ax.set_title(words.name, fontsize=10)
        ax.set_ylabel(words.unit, fontsize=8)
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
        ax.set_xlim(0, run.years)
        ax.set_ylim(0, panel_top(column, by, sy))
        panels.append((ax, column, b_line, s_line))
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
    return fig, panels


class IndicatorChart(_KeptChart):
    """The page's indicator figure for one run and language, kept from one redraw to the next.

    Making and drawing the figure anew costs about 0.2 s at every redraw, nearly all of it axes, ticks and
    text, which stay the same while a run grows within its axes (``panel_top``). So the chart draws them once
    and keeps that picture; a redraw puts the lines' new data on a copy of it and encodes the PNG (about 20 ms).
    Axes and text are drawn again only when a panel's axis grows. The picture is ``indicator_figure``'s, with
    the lines drawn over the axes' frame rather than under it.
    """

    def __init__(self, run: PairedRun, lang: str, dpi: int = 80) -> None:
        figure, self._panels = _indicator_panels(run, lang, dpi, "", animated=True)
        super().__init__(figure)
        self.run = run

    def png(self) -> bytes:
        """The chart as it is now, as PNG bytes."""
        with self._lock:
            rows, base = self.run.rows_now()
            grown = False
            for ax, column, b_line, s_line in self._panels:
                bx, by = _smoothed(base, column)
                sx, sy = _smoothed(rows, column)
                b_line.set_data(bx, by)
                s_line.set_data(sx, sy)
                top = panel_top(column, by, sy)
                if ax.get_ylim() != (0.0, top):
                    ax.set_ylim(0, top)
                    grown = True
            self._start(grown)
            for ax, _, b_line, s_line in self._panels:
                ax.draw_artist(b_line)
                ax.draw_artist(s_line)
            return self._png()
