"""The students' page: the municipality's size, the social domain of now or of 2013, the ready-made actions and
the students' own actions as inputs; the social network, the headline indicators beside the baseline, the check
"Is dit toeval?" over several seeds, and a one-click summary export.

Run it with ``samenkracht-app`` (or ``solara run samenkracht.app.page``). The
page steps a Mesa model (PairedRun) and redraws through Mesa's visualisation
update counter, as Mesa's SolaraViz does; its sidebar is its own, so that every
word on it follows the language switch (SolaraViz's controls speak English
only), and the settings a student does not need (play interval, threads) are
fixed: the model steps as fast as it can, half a year at a time, and while it plays the page redraws once it
has simulated for a second since the last redraw (and when it stops: app/run.py, ``play_until_stopped``).
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable
from typing import Any

import solara
import solara.lab
from mesa.visualization.utils import force_update, update_counter

from samenkracht.analysis.formatting import number
from samenkracht.app.chance import CHANCE_SEEDS, ChanceCheckAbandoned, chance_check
from samenkracht.app.choices import (
    CHOICES,
    EFFECTS,
    GEMEENTE_DEFAULT,
    GEMEENTEN,
    LEVELS,
    MAX_EFFECTS,
    MAX_OWN,
    OWN_COST_MAX,
    OWN_COST_STEP,
    SEED_DEFAULT,
    SEEDS,
    SIZE_DEFAULT,
    SIZES,
    YEARS,
    YEARS_DEFAULT,
    OwnAction,
)
from samenkracht.app.export import arm_title, export_summary, interval_text, summary_text
from samenkracht.app.figures import IndicatorChart, NetworkChart
from samenkracht.app.run import PairedRun, advance_run, play_while_current, warm_in_background
from samenkracht.app.texts import (
    ACTION_TEXT,
    DEFAULT_LANGUAGE,
    EFFECT_TEXT,
    LANGUAGES,
    PAGE_INDICATORS,
    PARTNER_TEXT,
    TEXT,
    chosen_actions,
)
from samenkracht.sim.actions import PARTNERS
from samenkracht.sim.indicator_table import indicator
from samenkracht.sim.levers import composable_levers, lever_unit
from samenkracht.sim.time import WEEKS_PER_YEAR
from samenkracht.tools.precompile import load_in_background

# Served by samenkracht-app: the model's kernels are loaded into this process now, while the students choose.
load_in_background()

logger = logging.getLogger(__name__)

#: Weeks stepped per Step, and between two looks at the clock while playing (half a year).
RENDER_INTERVAL = 26

# The page's state, one set per browser session (Solara keeps reactive variables per session).
language = solara.reactive(DEFAULT_LANGUAGE)
colour_by = solara.reactive("burden")
last_export = solara.reactive("")
size = solara.reactive(SIZE_DEFAULT)
years = solara.reactive(YEARS_DEFAULT)
seed = solara.reactive(SEED_DEFAULT)
gemeente = solara.reactive(GEMEENTE_DEFAULT)
switched_on = solara.reactive({c.name: False for c in CHOICES})
levels = solara.reactive({c.name: 1.0 for c in CHOICES})
own_actions: solara.Reactive[tuple[OwnAction, ...]] = solara.reactive(())
playing = solara.reactive(False)
chance_for = solara.reactive(0)  #: token (PairedRun.token) of the run the chance check was started for
play_error = solara.reactive("")  #: what stopped the last play, if a step failed


def run_kwargs() -> dict[str, Any]:
    """PairedRun's keywords from the page's choices."""
    kwargs: dict[str, Any] = {
        "size": size.value,
        "years": years.value,
        "seed": seed.value,
        "gemeente": gemeente.value,
        "own": own_actions.value,
    }
    for c in CHOICES:
        kwargs[c.name] = switched_on.value[c.name]
        kwargs[f"{c.name}_level"] = levels.value[c.name]
    return kwargs


def built_with(run: PairedRun) -> dict[str, Any]:
    """The keywords ``run`` was built with, as run_kwargs gives them."""
    kwargs: dict[str, Any] = {"size": run.size, "years": run.years, "seed": run.seed, "gemeente": run.gemeente}
    kwargs["own"] = run.own
    for c in CHOICES:
        kwargs[c.name] = c.name in run.levels
        kwargs[f"{c.name}_level"] = run.levels.get(c.name, levels.value[c.name])
    return kwargs


@solara.lab.task(prefer_threaded=True)
def chance_task(size: int, years: int, seed: int, gemeente: str, levels: dict, own: tuple) -> Any:
    """The chance check in the background, reporting its progress in percent."""

    def progress(fraction: float) -> None:
        if chance_task.is_current():  # not the bar of the check that replaced this one
            chance_task.progress = round(100 * fraction)

    try:  # stops when the student starts another check or builds again (no longer the task's current run)
        return chance_check(
            size, years, seed, gemeente, levels, own, progress=progress, keep_going=chance_task.is_current
        )
    except ChanceCheckAbandoned:
        return None


@solara.component
def Controls(model: solara.Reactive[PairedRun], lang: str) -> None:
    """Build the municipality again with the choices, play and pause, step half a year."""
    t = TEXT[lang]

    def build() -> None:
        playing.set(False)
        play_error.set("")
        if chance_task.pending:  # a check of the run being replaced: its result would never be shown
            chance_task.cancel()
        model.set(PairedRun(**run_kwargs()))

    step_lock = solara.use_memo(threading.Lock, dependencies=[])  # one stepper at a time (advance_run)

    def step_once() -> None:
        advance_run(model.value, step_lock, RENDER_INTERVAL)
        force_update()

    def failed(exc: Exception) -> None:
        # Shown on the page and logged: the task's own error is replaced by the thread that switching Play off starts.
        logger.exception("a step of the page's run failed")
        play_error.set(f"{type(exc).__name__}: {exc}")

    def play() -> None:
        play_while_current(
            play_task.is_current,
            lambda: playing.value,
            lambda: playing.set(False),
            lambda: model.value,
            step_lock,
            force_update,
            RENDER_INTERVAL,
            on_error=failed,
        )

    def toggle() -> None:
        if not playing.value:
            play_error.set("")  # a new play: the last one's error no longer stands
        playing.set(not playing.value)

    # A new thread each time Play or Pause is pressed; solara does not wait for the previous one to end.
    play_task = solara.lab.use_task(play, dependencies=[playing.value], prefer_threaded=True)
    running = model.value.running
    with solara.Row(style={"flex-wrap": "wrap", "gap": "8px"}, classes=["samenkracht-controls"]):
        solara.Button(t["reset"], color="primary", on_click=build)
        solara.Button(
            t["pause"] if playing.value else t["play"],
            color="primary",
            on_click=toggle,
            disabled=not running,
        )
        solara.Button(t["step"], color="primary", on_click=step_once, disabled=playing.value or not running)
    if play_error.value:
        solara.Error(t["step_failed"].format(error=play_error.value))
    if run_kwargs() != built_with(model.value):
        with solara.Column(classes=["samenkracht-apply"]):
            solara.Markdown(t["apply_hint"])


@solara.component
def MunicipalityCard(lang: str) -> None:
    """Size, years, seed and the social domain of now or of 2013."""
    t = TEXT[lang]
    with solara.Card(t["municipality"]):
        solara.Select(t["size"], value=size, values=list(SIZES))
        solara.Select(t["years"], value=years, values=list(YEARS))
        solara.Select(t["seed"], value=seed, values=list(SEEDS))
        with solara.Column(gap="4px"):
            solara.Text(t["gemeente"])
            with solara.ToggleButtonsSingle(value=gemeente, dense=True, classes=["samenkracht-gemeente"]):
                for name in GEMEENTEN:
                    solara.Button(t[name], value=name, text=True)
            solara.Text(t["gemeente_hint"], style={"font-size": "12px", "color": "#555"})


@solara.component
def ReadyMadeCard(lang: str) -> None:
    """Every ready-made action as a switch and a level (× its ready-made setting)."""
    t = TEXT[lang]
    with solara.Card(t["ready_made"], classes=["samenkracht-ready-made"]):
        for c in CHOICES:
            solara.Checkbox(
                label=ACTION_TEXT[lang][c.name][0],
                value=switched_on.value[c.name],
                on_value=lambda v, name=c.name: switched_on.set({**switched_on.value, name: v}),
            )
            # Always drawn (hidden while off), so every switch keeps its place and its widget.
            solara.Select(
                f"↳ {t['level']} (× {t['standard']})",
                value=levels.value[c.name],
                values=list(LEVELS),
                on_value=lambda v, name=c.name: levels.set({**levels.value, name: float(v)}),
                style={} if switched_on.value[c.name] else {"display": "none"},
            )


@solara.component
def OwnActionCard(lang: str) -> None:
    """ "Bedenk een eigen actie": a name, a partner, one to three effects with a strength each, a cost a year;
    and the own actions made so far, each switched on or off, or removed."""
    t = TEXT[lang]
    levers = composable_levers()
    title = solara.use_reactive(t["own_example"])
    partner = solara.use_reactive("buurtcentrum")
    chosen = solara.use_reactive(("tie_formation_factor", "support_capacity", ""))
    strengths = solara.use_reactive(tuple(levers[e]["suggested"] if e else 0.0 for e in chosen.value))
    cost = solara.use_reactive(900)
    problem = solara.use_reactive("")
    words = EFFECT_TEXT[lang]
    by_words = {words[e]: e for e in EFFECTS}

    def set_effect(i: int, text: str) -> None:
        lever = by_words.get(text, "")
        chosen.set(tuple(lever if j == i else e for j, e in enumerate(chosen.value)))
        value = levers[lever]["suggested"] if lever else 0.0
        strengths.set(tuple(value if j == i else s for j, s in enumerate(strengths.value)))

    def add() -> None:
        effects = tuple((e, float(s)) for e, s in zip(chosen.value, strengths.value, strict=True) if e)
        action = OwnAction(title.value.strip(), partner.value, effects, float(cost.value))
        try:
            action.check()
        except Exception as err:  # noqa: BLE001 (an InputError or ValueError: shown to the students)
            problem.set(t["own_bad"].format(problem=str(err).split(". Levers")[0]))
            return
        problem.set("")
        own_actions.set((*own_actions.value, action))

    def toggle(i: int, on: bool) -> None:
        own_actions.set(tuple(dataclasses.replace(a, on=on) if j == i else a for j, a in enumerate(own_actions.value)))

    def remove(i: int) -> None:
        own_actions.set(tuple(a for j, a in enumerate(own_actions.value) if j != i))

    with solara.Card(t["own_title"], classes=["samenkracht-own"]):
        solara.Text(t["own_intro"], style={"font-size": "13px"})
        solara.InputText(t["own_name"], value=title, continuous_update=True, classes=["samenkracht-own-name"])
        partner_words = PARTNER_TEXT[lang]
        solara.Select(
            t["own_partner"],
            value=partner_words[partner.value],
            values=[partner_words[p] for p in PARTNERS],
            on_value=lambda v: partner.set({w: p for p, w in partner_words.items()}[v]),
            classes=["samenkracht-own-partner"],
        )
        for i in range(MAX_EFFECTS):
            lever = chosen.value[i]
            solara.Select(
                t["own_effect"].format(n=i + 1),
                value=words[lever] if lever else t["own_none"],
                values=[t["own_none"], *(words[e] for e in EFFECTS)],
                on_value=lambda v, i=i: set_effect(i, v),
                classes=[f"samenkracht-own-effect-{i + 1}"],
            )
            if lever:
                meta = levers[lever]
                solara.SliderFloat(
                    f"↳ {t['own_strength']}: {number(strengths.value[i], 2, lang)} "
                    f"{lever_unit(meta, lang)} ({number(meta['lo'], 2, lang)}–{number(meta['hi'], 2, lang)})",
                    value=strengths.value[i],
                    min=meta["lo"],
                    max=meta["hi"],
                    step=(meta["hi"] - meta["lo"]) / 100,
                    on_value=lambda v, i=i: strengths.set(
                        tuple(float(v) if j == i else s for j, s in enumerate(strengths.value))
                    ),
                )
        solara.SliderInt(
            f"{t['own_cost']}: € {number(cost.value, 0, lang)}",
            value=cost,
            min=0,
            max=OWN_COST_MAX,
            step=OWN_COST_STEP,
        )
        full = len(own_actions.value) >= MAX_OWN
        solara.Button(t["own_add"], color="primary", on_click=add, disabled=full, classes=["samenkracht-own-add"])
        if full:
            solara.Text(t["own_full"], style={"font-size": "12px"})
        if problem.value:
            solara.Error(problem.value)
        if own_actions.value:
            with solara.Column():
                solara.Text(t["own_list"], style={"font-weight": "bold"})
        for i, action in enumerate(own_actions.value):
            with solara.Row(style={"align-items": "center"}):
                solara.Checkbox(label=action.title, value=action.on, on_value=lambda v, i=i: toggle(i, v))
                solara.Button(t["own_remove"], text=True, on_click=lambda i=i: remove(i))


@solara.component
def NetworkCard(run: PairedRun, lang: str, tick: int) -> None:
    """The social network now, coloured by burden or loneliness."""
    t = TEXT[lang]
    colour = colour_by.value
    # The chart is kept for the run, colouring and language; a redraw draws only the residents and ties.
    chart = solara.use_memo(lambda: NetworkChart(run, colour, lang), [run, colour, lang])
    image = solara.use_memo(chart.png, [chart, tick])
    with solara.Card(t["network"], classes=["samenkracht-network"]):
        with solara.ToggleButtonsSingle(value=colour_by, dense=True):
            solara.Button(t["burden_short"], value="burden", text=True)
            solara.Button(t["loneliness_short"], value="loneliness", text=True)
        solara.Image(image, width="100%")


@solara.component
def PlotsCard(run: PairedRun, lang: str, tick: int) -> None:
    """The four headline indicators, the students' municipality beside the baseline."""
    t = TEXT[lang]
    # The chart is kept for the run and language; a redraw draws only its lines (and its axes when they grow).
    chart = solara.use_memo(lambda: IndicatorChart(run, lang), [run, lang])
    image = solara.use_memo(chart.png, [chart, tick])
    with solara.Card(t["plots"], classes=["samenkracht-plots"]):
        solara.Image(image, width="100%")


def current_chance(run: PairedRun) -> Any:
    """The chance check's result for ``run``, if it has finished for this run."""
    if chance_for.value == run.token and chance_task.finished:
        return chance_task.value
    return None


@solara.component
def ChanceCard(run: PairedRun, lang: str) -> None:
    """The button "Is dit toeval?" and, when it is done, each action's effect over the seeds with its interval."""
    t = TEXT[lang]
    actions = bool(run.levels or run.own_on)

    def start() -> None:
        chance_for.set(run.token)
        chance_task(run.size, run.years, run.seed, run.gemeente, dict(run.levels), run.own)

    with solara.Card(t["chance"], classes=["samenkracht-chance"]):
        solara.Markdown(t["chance_intro"].format(n=CHANCE_SEEDS))
        pending = chance_task.pending and chance_for.value == run.token
        solara.Button(t["chance"], color="primary", on_click=start, disabled=not actions or pending)
        if not actions:
            solara.Text(t["chance_none"])
        elif pending:
            solara.ProgressLinear(chance_task.progress or True)
            solara.Text(t["chance_running"].format(done=chance_task.progress or 0))
        result = current_chance(run)
        if result is not None:
            seeds = ", ".join(map(str, result.seeds))
            head = [t["arm"], *(indicator(c).label(lang).name for c in PAGE_INDICATORS)]
            rows = [
                [
                    arm_title(arm.name, run, lang),
                    *(interval_text(result.effects[arm.name][c], c, lang) for c in PAGE_INDICATORS),
                ]
                for arm in result.arms
            ]
            table = "\n".join(
                [
                    "| " + " | ".join(head) + " |",
                    "|" + " --- |" * len(head),
                    *("| " + " | ".join(r) + " |" for r in rows),
                ]
            )
            caption = t["chance_result"].format(n=len(result.seeds), seeds=seeds, years=result.years)
            with solara.Column(classes=["samenkracht-chance-result"]):
                solara.Markdown(f"**{caption}**\n\n{table}")


@solara.component
def SummaryCard(run: PairedRun, lang: str, tick: int) -> None:
    """The summary text, live, and the export button (a ZIP of the PNG, the text and the scenario file, also
    saved on disk)."""
    t = TEXT[lang]
    chance = current_chance(run)

    def make_export() -> bytes:
        data, folder = export_summary(run, lang, chance=chance)
        last_export.set(str(folder))
        return data

    export = solara.use_memo(lambda: make_export, [run, lang, chance])
    with solara.Card(t["summary"], classes=["samenkracht-summary"]):
        solara.Preformatted(summary_text(run, lang, chance=chance), style_="white-space: pre-wrap; font-size: 13px")
        solara.FileDownload(
            export,
            filename=t["file_zip"],
            label=t["export"],
            mime_type="application/zip",
            icon_name="mdi-file-download-outline",
        )
        if last_export.value:
            solara.Text(f"{t['saved_to']}: {last_export.value}", classes=["samenkracht-saved"])


@solara.component
def MainView(run: PairedRun, lang: str) -> None:
    """Status, network, plots, the chance check and summary; redrawn whenever the model has stepped."""
    tick = update_counter.get()
    t = TEXT[lang]
    facts = {"size": run.size, "wijken": run.chosen.n_wijken, "seed": run.seed, "years": run.years}
    if run.week == 0:
        status = t["status_start"].format(**facts)
    else:
        year, week = divmod(run.week - 1, WEEKS_PER_YEAR)
        status = t["status"].format(year=year + 1, week=week + 1, **facts)
    chosen = chosen_actions(run.levels, lang, tuple(a.title for a in run.own_on))
    domain = t[f"gemeente_long_{run.gemeente.removeprefix('gemeente_')}"]
    with solara.Column(style={"padding": "0 12px"}):
        with solara.Column(classes=["samenkracht-status"]):
            solara.Markdown(
                f"**{status}**  \n{t['gemeente']}: {domain}  \n{t['actions_on']}: {chosen}", style={"font-size": "15px"}
            )
        # Always an element here, so the cards below keep their place in the page once the run starts, and with it
        # their kept charts (solara matches elements by position: a card that moved would be made anew).
        solara.Markdown(t["how_to"] if run.week == 0 else "")
        with solara.Columns([5, 6]):
            NetworkCard(run, lang, tick)
            PlotsCard(run, lang, tick)
        ChanceCard(run, lang)
        SummaryCard(run, lang, tick)


@solara.component
def Page() -> None:
    """The page: a title bar with the language switch, the sidebar of choices and controls, the main view."""
    lang = language.value
    t = TEXT[lang]
    first = solara.use_memo(PairedRun, [])
    model = solara.use_reactive(first)
    # While the students choose, the run without actions of the settings chosen is stepped ahead in a thread: it
    # does not depend on the actions, so a run built with them then steps only its own municipality.
    settings = (size.value, years.value, seed.value, gemeente.value)

    def warm() -> Callable[[], None]:
        stop, _ = warm_in_background(*settings)
        return stop.set

    solara.use_effect(warm, list(settings))
    solara.Title(t["title"])
    with solara.AppBar():
        solara.AppBarTitle(t["title"])
        with solara.ToggleButtonsSingle(value=language, dense=True):
            for code in LANGUAGES:
                solara.Button(code.upper(), value=code, text=True)
    with solara.Sidebar():
        with solara.Card(t["controls"]):
            Controls(model, lang)
        MunicipalityCard(lang)
        ReadyMadeCard(lang)
        OwnActionCard(lang)
    MainView(model.value, lang)
