"""The exported summary: a PNG of the plots and a short text of the chosen actions and their effects.

Both go into one ZIP for the browser's download and, as separate files, into
``outputs/app/DATE_TIME_SCENARIO/`` (or ``$SAMENKRACHT_APP_OUTPUTS``), so
students can paste them into their written answer.
"""

from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from samenkracht.analysis.formatting import number, percent
from samenkracht.app.figures import indicator_figure, png_bytes
from samenkracht.app.texts import ACTION_TEXT, PAGE_INDICATORS, TEXT, chosen_actions
from samenkracht.sim.indicator_table import indicator
from samenkracht.sim.time import WEEKS_PER_YEAR
from samenkracht.tools.outputs import write_atomic

if TYPE_CHECKING:
    from samenkracht.app.run import PairedRun

#: Environment variable naming the folder exports are saved in (default: outputs/app under the working directory).
OUTPUTS_ENV = "SAMENKRACHT_APP_OUTPUTS"


@dataclass
class Effect:
    """One indicator over the summarised weeks: mean in the students' municipality and in the baseline."""

    column: str
    chosen: float
    baseline: float

    @property
    def difference(self) -> float:
        return self.chosen - self.baseline


def effects(run: PairedRun) -> tuple[list[Effect], int]:
    """The headline indicators averaged over the last simulated year (or the weeks so far, if fewer), and the
    number of weeks averaged."""
    rows, base = list(run.rows), list(run.baseline_rows)
    weeks = min(len(rows), len(base), WEEKS_PER_YEAR)
    if weeks == 0:
        return [], 0
    out = []
    for column in PAGE_INDICATORS:
        chosen = float(np.mean([r[column] for r in rows[-weeks:]]))
        baseline = float(np.mean([r[column] for r in base[-weeks:]]))
        out.append(Effect(column, chosen, baseline))
    return out, weeks


def period_text(run: PairedRun, weeks: int, lang: str) -> str:
    """Words for the weeks the effects average over."""
    t = TEXT[lang]
    done = len(run.rows)
    if weeks < WEEKS_PER_YEAR:
        return t["weeks_so_far"].format(weeks=weeks)
    if done % WEEKS_PER_YEAR == 0:
        return t["last_year"].format(year=done // WEEKS_PER_YEAR)
    return t["last_weeks"].format(weeks=WEEKS_PER_YEAR, year=done // WEEKS_PER_YEAR + 1, week=done % WEEKS_PER_YEAR)


def format_level(value: float, column: str, lang: str) -> str:
    """An indicator's value in its unit: shares as percentages, hours as whole hours."""
    if indicator(column).percent:
        return percent(value, 1, lang)
    return f"{number(value, 0, lang)} {indicator(column).label(lang).unit}"


def format_difference(effect: Effect, lang: str) -> str:
    """The difference with its sign and unit, and whether it is better or worse."""
    t = TEXT[lang]
    entry = indicator(effect.column)
    lower_is_better = entry.better == "lower"
    d = effect.difference
    if entry.percent:
        size = number(abs(100 * d), 1, lang)
        unit = t["points"]
        tiny = abs(100 * d) < 0.05
    else:
        size = number(abs(d), 0, lang)
        unit = entry.label(lang).unit
        tiny = abs(d) < 0.5
    if tiny:
        return t["same"]
    verdict = t["better"] if (d < 0) == lower_is_better else t["worse"]
    return f"{'+' if d > 0 else '−'}{size} {unit}, {verdict}"


def summary_text(run: PairedRun, lang: str, when: datetime | None = None) -> str:
    """The short text of the chosen actions and their effects, in ``lang``."""
    t = TEXT[lang]
    when = when or datetime.now()
    lines = [
        t["s_title"],
        "",
        t["s_setup"].format(
            size=number(run.size, 0, lang),
            wijken=run.chosen.n_wijken,
            weeks=len(run.rows),
            years=number(len(run.rows) / WEEKS_PER_YEAR, 1, lang),
            seed=run.seed,
        ),
        "",
    ]
    if run.levels:
        lines.append(t["s_actions"])
        costs = run.action_costs()
        values = run.main_values()
        for name, level in run.levels.items():
            title, partner, main, unit = ACTION_TEXT[lang][name]
            value = values[name]
            lines.append(
                t["s_action_line"].format(
                    title=title,
                    partner=partner,
                    level=level,
                    main=main,
                    value=number(value, 2 if value < 10 else 0, lang),
                    unit=unit,
                    cost=number(costs.get(name, 0.0), 0, lang),
                )
            )
        total = sum(costs.values())
        lines.append(f"{t['cost']}: € {number(total, 0, lang)} {t['per_year']}")
    else:
        lines.append(f"{t['actions_on']}: {t['no_actions']}")
    lines.append("")
    found, weeks = effects(run)
    if not found:
        lines.append(t["not_run"])
    else:
        lines.append(t["s_effects"].format(period=period_text(run, weeks, lang)))
        for e in found:
            name = indicator(e.column).label(lang).name
            lines.append(
                f"- {name}: {format_level(e.baseline, e.column, lang)} → {format_level(e.chosen, e.column, lang)} "
                f"({format_difference(e, lang)})"
            )
        lines += ["", t["s_caveat"]]
    lines += ["", t["s_made"].format(when=when.strftime("%Y-%m-%d %H:%M"))]
    return "\n".join(lines) + "\n"


def summary_png(run: PairedRun, lang: str) -> bytes:
    """The plots as a PNG, titled with the municipality and the chosen actions."""
    t = TEXT[lang]
    actions = chosen_actions(run.levels, lang)
    title = f"{number(run.size, 0, lang)} {t['size'].lower()} · {t['actions_on'].lower()}: {actions}"
    return png_bytes(indicator_figure(run, lang, dpi=110, title=title))


def outputs_root() -> Path:
    """Folder that exports are saved in."""
    return Path(os.environ.get(OUTPUTS_ENV) or Path.cwd() / "outputs" / "app")


def export_summary(run: PairedRun, lang: str, root: Path | None = None) -> tuple[bytes, Path]:
    """Make the summary, save its PNG and text in a new folder under ``root``; return (ZIP of both, folder)."""
    t = TEXT[lang]
    now = datetime.now()
    text = summary_text(run, lang, now).encode("utf-8")
    png = summary_png(run, lang)
    folder = (root or outputs_root()) / f"{now:%Y-%m-%d_%H-%M-%S-%f}_{run.config.scenario.name[:60]}"
    folder.mkdir(parents=True, exist_ok=True)
    write_atomic(folder / t["file_png"], lambda p: p.write_bytes(png))
    write_atomic(folder / t["file_txt"], lambda p: p.write_bytes(text))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(t["file_png"], png)
        z.writestr(t["file_txt"], text)
    return buffer.getvalue(), folder
