"""The students' page: Mesa's SolaraViz with the municipality's size, the actions and their levels as inputs,
the social network, the headline indicators beside the baseline, and a one-click summary export.

Run it with ``samenkracht-app`` (or ``solara run samenkracht.app.page``). SolaraViz gives
the sidebar (parameters; Reset, ▶/❚❚ and Step) and rebuilds the model from the
inputs on Reset; the main area below is this module's own.
"""

from __future__ import annotations

from typing import Any

import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from samenkracht.app.choices import CHOICES, LEVELS, SEED_DEFAULT, SEEDS, SIZE_DEFAULT, SIZES, YEARS, YEARS_DEFAULT
from samenkracht.app.export import export_summary, summary_text
from samenkracht.app.figures import indicator_figure, network_figure, png_bytes
from samenkracht.app.run import PairedRun
from samenkracht.app.texts import ACTION_TEXT, DEFAULT_LANGUAGE, LANGUAGES, TEXT, chosen_actions
from samenkracht.sim.time import WEEKS_PER_YEAR

#: Weeks stepped between two redraws while playing and per Step (about half a year; Mesa's slider takes odd
#: numbers only): drawing costs more than simulating, so 10 years of a few hundred residents run in well
#: under a minute. Changeable in the sidebar.
RENDER_INTERVAL = 27

language = solara.reactive(DEFAULT_LANGUAGE)
colour_by = solara.reactive("burden")
last_export = solara.reactive("")


def model_params(lang: str) -> dict[str, Any]:
    """SolaraViz's inputs: size, years, seed, and a switch and a level for every action.

    Choices are drop-down lists rather than sliders: Mesa's sliders do not show
    their value, and students must see what they chose before pressing Reset.
    """
    t = TEXT[lang]

    def select(label: str, value: Any, values: list[Any]) -> dict[str, Any]:
        return {"type": "Select", "value": value, "values": values, "label": label}

    params: dict[str, Any] = {
        "size": select(t["size"], SIZE_DEFAULT, list(SIZES)),
        "years": select(t["years"], YEARS_DEFAULT, list(YEARS)),
        "seed": select(t["seed"], SEED_DEFAULT, list(SEEDS)),
    }
    for choice in CHOICES:
        params[choice.name] = {"type": "Checkbox", "value": False, "label": ACTION_TEXT[lang][choice.name][0]}
        params[f"{choice.name}_level"] = select(f"↳ {t['level']} (× {t['standard']})", 1.0, list(LEVELS))
    return params


@solara.component
def NetworkCard(run: PairedRun, lang: str, tick: int) -> None:
    """The social network now, coloured by burden or loneliness."""
    t = TEXT[lang]
    colour = colour_by.value
    image = solara.use_memo(lambda: png_bytes(network_figure(run, colour, lang)), [run, tick, colour, lang])
    with solara.Card(t["network"], classes=["samenkracht-network"]):
        with solara.ToggleButtonsSingle(value=colour_by, dense=True):
            solara.Button(t["burden_short"], value="burden", text=True)
            solara.Button(t["loneliness_short"], value="loneliness", text=True)
        solara.Image(image, width="100%")


@solara.component
def PlotsCard(run: PairedRun, lang: str, tick: int) -> None:
    """The four headline indicators, the students' municipality beside the baseline."""
    t = TEXT[lang]
    image = solara.use_memo(lambda: png_bytes(indicator_figure(run, lang)), [run, tick, lang])
    with solara.Card(t["plots"], classes=["samenkracht-plots"]):
        solara.Image(image, width="100%")


@solara.component
def SummaryCard(run: PairedRun, lang: str, tick: int) -> None:
    """The summary text, live, and the export button (a ZIP of the PNG and the text, also saved on disk)."""
    t = TEXT[lang]

    def make_export() -> bytes:
        data, folder = export_summary(run, lang)
        last_export.set(str(folder))
        return data

    export = solara.use_memo(lambda: make_export, [run, lang])
    with solara.Card(t["summary"], classes=["samenkracht-summary"]):
        solara.Preformatted(summary_text(run, lang), style_="white-space: pre-wrap; font-size: 13px")
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
    """Status, network, plots and summary; redrawn whenever SolaraViz steps the model."""
    tick = update_counter.get()
    t = TEXT[lang]
    facts = {"size": run.size, "wijken": run.chosen.n_wijken, "seed": run.seed, "years": run.years}
    if run.week == 0:
        status = t["status_start"].format(**facts)
    else:
        year, week = divmod(run.week - 1, WEEKS_PER_YEAR)
        status = t["status"].format(year=year + 1, week=week + 1, **facts)
    chosen = chosen_actions(run.levels, lang)
    with solara.Column(style={"padding": "0 12px"}):
        solara.Markdown(f"**{status}**  \n{t['actions_on']}: {chosen}", style={"font-size": "15px"})
        if run.week == 0:
            solara.Markdown(t["how_to"])
        with solara.Columns([5, 6]):
            NetworkCard(run, lang, tick)
            PlotsCard(run, lang, tick)
        SummaryCard(run, lang, tick)


@solara.component
def Page() -> None:
    """The page: SolaraViz's sidebar and controls, a language switch, and the main view."""
    lang = language.value
    t = TEXT[lang]
    first = solara.use_memo(PairedRun, [])
    model = solara.use_reactive(first)
    solara.Title(t["title"])
    with solara.AppBar(), solara.ToggleButtonsSingle(value=language, dense=True):
        for code in LANGUAGES:
            solara.Button(code.upper(), value=code, text=True)
    SolaraViz(
        model,
        components=[],
        model_params=model_params(lang),
        name=t["title"],
        play_interval=1,
        render_interval=RENDER_INTERVAL,
    )
    MainView(model.value, lang)
