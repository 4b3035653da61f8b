"""The exported summary: a PNG of the plots, a short text of the chosen actions and their effects, and the
choices as a scenario file.

All three go into one ZIP for the browser's download and, as separate files,
into ``outputs/app/DATE_TIME_SCENARIO/`` (or ``$SAMENKRACHT_APP_OUTPUTS``), so
students can paste them into their written answer. The scenario file
(``scenario/pagina_keuzes.yaml``) sets the seed, size, years and municipality
setting too, so ``samenkracht hydra.searchpath=[file://FOLDER] scenario=pagina_keuzes``
runs the page's municipality to the same numbers.
"""

from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import yaml

from samenkracht.analysis.formatting import number, percent
from samenkracht.app.chance import TOGETHER
from samenkracht.app.choices import gemeente_settings, own_labels, scenario_actions
from samenkracht.app.figures import indicator_figure, png_bytes
from samenkracht.app.texts import ACTION_TEXT, EFFECT_TEXT, PAGE_INDICATORS, PARTNER_TEXT, TEXT, chosen_actions
from samenkracht.sim.indicator_table import indicator
from samenkracht.sim.time import WEEKS_PER_YEAR
from samenkracht.tools.outputs import write_atomic

if TYPE_CHECKING:
    from samenkracht.app.chance import ChanceResult
    from samenkracht.app.run import PairedRun

#: Environment variable naming the folder exports are saved in (default: outputs/app under the working directory).
OUTPUTS_ENV = "SAMENKRACHT_APP_OUTPUTS"
#: The exported scenario's name (and file name, scenario/NAME.yaml).
SCENARIO_NAME = "pagina_keuzes"


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
    rows, base = run.rows_now()
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


def own_effects_text(effects: tuple[tuple[str, float], ...], lang: str) -> str:
    """An own action's effects in words with their strengths ("meer ontmoeting in de wijk (sterkte 1,3)")."""
    word = TEXT[lang]["own_strength"]
    return "; ".join(
        f"{EFFECT_TEXT[lang][lever]} ({word} {number(strength, 2 if abs(strength) < 10 else 0, lang)})"
        for lever, strength in effects
    )


def interval_text(effect: tuple[float, float, float], column: str, lang: str) -> str:
    """A difference and its interval in the indicator's unit: shares in points, hours in hours."""
    mean, lo, hi = effect
    entry = indicator(column)
    scale, digits, unit = (100, 1, TEXT[lang]["points"]) if entry.percent else (1, 0, entry.label(lang).unit)

    def signed(x: float) -> str:
        return ("+" if x > 0 else "−" if x < 0 else "") + number(abs(scale * x), digits, lang)

    if np.isnan(lo):
        return f"{signed(mean)} {unit}"
    return f"{signed(mean)} ({signed(lo)} … {signed(hi)}) {unit}"


def arm_title(name: str, run: PairedRun, lang: str) -> str:
    """Words for an arm of a chance check: all together, a ready-made action, or an own action."""
    if name == TOGETHER:
        return TEXT[lang]["together"]
    if name in ACTION_TEXT[lang]:
        return ACTION_TEXT[lang][name][0]
    titles = dict(zip(own_labels(run.own_on), (a.title for a in run.own_on), strict=True))
    return titles.get(name, name)


def chance_lines(run: PairedRun, chance: ChanceResult, lang: str) -> list[str]:
    """The chance check as lines of text: per arm, each headline indicator's difference and interval."""
    t = TEXT[lang]
    lines = [t["s_chance"].format(n=len(chance.seeds), seeds=", ".join(map(str, chance.seeds)))]
    for arm in chance.arms:
        lines.append(f"- {arm_title(arm.name, run, lang)}:")
        for column in PAGE_INDICATORS:
            name = indicator(column).label(lang).name
            lines.append(f"    {name}: {interval_text(chance.effects[arm.name][column], column, lang)}")
    return lines


def summary_text(run: PairedRun, lang: str, when: datetime | None = None, chance: ChanceResult | None = None) -> str:
    """The short text of the chosen actions and their effects, in ``lang`` (with the chance check, if done)."""
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
        t["s_gemeente"].format(gemeente=t[f"gemeente_long_{run.gemeente.removeprefix('gemeente_')}"]),
        "",
    ]
    costs = run.action_costs()
    if run.levels or run.own_on:
        lines.append(t["s_actions"])
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
        for label, action in zip(own_labels(run.own_on), run.own_on, strict=True):
            lines.append(
                t["own_line"].format(
                    title=action.title,
                    partner=PARTNER_TEXT[lang][action.partner],
                    effects=own_effects_text(action.effects, lang),
                    cost=number(costs.get(label, 0.0), 0, lang),
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
        if chance is None:
            lines += ["", t["s_caveat"]]
    if chance is not None:
        lines += ["", *chance_lines(run, chance, lang)]
    lines += [
        "",
        t["s_rerun"],
        f'    samenkracht "hydra.searchpath=[file://$PWD]" scenario={SCENARIO_NAME}',
        "",
        t["s_made"].format(when=when.strftime("%Y-%m-%d %H:%M")),
    ]
    return "\n".join(lines) + "\n"


def summary_png(run: PairedRun, lang: str) -> bytes:
    """The plots as a PNG, titled with the municipality and the chosen actions."""
    t = TEXT[lang]
    actions = chosen_actions(run.levels, lang, tuple(a.title for a in run.own_on))
    title = f"{number(run.size, 0, lang)} {t['size'].lower()} · {t['actions_on'].lower()}: {actions}"
    return png_bytes(indicator_figure(run, lang, dpi=110, title=title))


def outputs_root() -> Path:
    """Folder that exports are saved in."""
    return Path(os.environ.get(OUTPUTS_ENV) or Path.cwd() / "outputs" / "app")


def scenario_yaml(run: PairedRun, when: datetime | None = None) -> str:
    """The page's choices as a scenario file for ``samenkracht``: the actions switched on, and (in Hydra's
    global package) the seed, size, years, burn-in and municipality setting of the page's run."""
    when = when or datetime.now()
    config = run.config
    settings = gemeente_settings(run.gemeente)
    body: dict[str, Any] = {
        "seed": config.seed,
        "years": config.years,
        "burn_in_weeks": config.burn_in_weeks,
        **{k: v for k, v in settings.items() if k != "population"},
        "population": {
            "size": config.population.size,
            "wijken": config.population.wijken,
            **settings.get("population", {}),
        },
        "scenario": {
            "name": SCENARIO_NAME,
            "description": f"Chosen on the students' page ({run.gemeente}), {when:%Y-%m-%d %H:%M}",
            "actions": scenario_actions(run.levels, run.own),
        },
    }
    header = (
        "# @package _global_\n"
        "# Samenkracht: the choices of the students' page. From the folder that holds scenario/, run\n"
        f'#   samenkracht "hydra.searchpath=[file://$PWD]" scenario={SCENARIO_NAME}\n'
        "# (same seed, size and years as the page, so the same numbers as its summary).\n"
    )
    return header + yaml.safe_dump(body, sort_keys=False, allow_unicode=True)


def export_summary(
    run: PairedRun, lang: str, root: Path | None = None, chance: ChanceResult | None = None
) -> tuple[bytes, Path]:
    """Make the summary, save its PNG, text and scenario file in a new folder under ``root``; return (ZIP of the
    three, folder)."""
    t = TEXT[lang]
    now = datetime.now()
    text = summary_text(run, lang, now, chance).encode("utf-8")
    png = summary_png(run, lang)
    scenario = scenario_yaml(run, now).encode("utf-8")
    yaml_name = t["file_yaml"].format(name=SCENARIO_NAME)
    folder = (root or outputs_root()) / f"{now:%Y-%m-%d_%H-%M-%S-%f}_{run.config.scenario.name[:60]}"
    (folder / "scenario").mkdir(parents=True, exist_ok=True)
    write_atomic(folder / t["file_png"], lambda p: p.write_bytes(png))
    write_atomic(folder / t["file_txt"], lambda p: p.write_bytes(text))
    write_atomic(folder / yaml_name, lambda p: p.write_bytes(scenario))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(t["file_png"], png)
        z.writestr(t["file_txt"], text)
        z.writestr(yaml_name, scenario)
    return buffer.getvalue(), folder
