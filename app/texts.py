"""Words of the page and its exported summary, in Dutch (the default) and English."""

from __future__ import annotations

from samenkracht.app.choices import CHOICES
from samenkracht.sim.actions import Label, registry
from samenkracht.sim.indicator_table import LANGUAGES

DEFAULT_LANGUAGE = "nl"
#: The indicators the page plots and the summary reports, in order (their words: sim/indicator_table.py).
PAGE_INDICATORS: tuple[str, ...] = ("heavily_burdened_share", "isolated_share", "unmet_hours", "carrying_capacity")

#: Running text of the page and the summary, per language.
TEXT: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Samenkracht — de gemeente als netwerk",
        "language": "Taal",
        "size": "Inwoners",
        "years": "Jaren",
        "seed": "Seed (toeval)",
        "level": "niveau",
        "standard": "standaard",
        "network": "Het sociale netwerk",
        "colour_by": "Kleur",
        "burden": "belasting mantelzorger (0–10)",
        "burden_short": "belasting",
        "loneliness_short": "eenzaamheid",
        "loneliness": "eenzaamheid (0–11)",
        "resident": "inwoner",
        "carer": "mantelzorger",
        "volunteer": "vrijwilliger",
        "family_tie": "familie of huisgenoot",
        "weak_tie": "vriend, buur of kennis",
        "help_tie": "vrijwilligers- of professionele band",
        "network_sample": "{shown} van {total} inwoners getoond (wijk 1 tot {wijken})",
        "plots": "Effecten naast de referentie",
        "scenario": "jullie gemeente",
        "baseline": "referentie (geen acties)",
        "years_axis": "gesimuleerde jaren",
        "status": "Jaar {year}, week {week} van {years} jaar · {size} inwoners in {wijken} wijken · seed {seed}",
        "status_start": "Nog niet gestart · {size} inwoners in {wijken} wijken · seed {seed} · druk op ▶ of Step",
        "actions_on": "Acties aan",
        "no_actions": "geen (alleen de referentie)",
        "summary": "Samenvatting voor jullie antwoord",
        "export": "Exporteer samenvatting (PNG + tekst)",
        "saved_to": "Ook bewaard in",
        "how_to": "Zet links acties aan en kies hun niveau, druk op **Reset** om de gemeente opnieuw op te bouwen, "
        "en dan op **▶** (afspelen) of **Step**. De grafieken tonen jullie gemeente naast de referentie met "
        "dezelfde inwoners en hetzelfde toeval, maar zonder acties.",
        "indicator": "Indicator",
        "difference": "verschil",
        "period": "Gemiddelde over {period}",
        "last_year": "het laatste gesimuleerde jaar (jaar {year})",
        "last_weeks": "de laatste {weeks} weken (tot jaar {year}, week {week})",
        "weeks_so_far": "de eerste {weeks} weken",
        "not_run": "De gemeente is nog niet gesimuleerd: druk op ▶ of Step.",
        "cost": "Kosten van de acties",
        "per_year": "per jaar",
        "s_title": "Samenkracht — samenvatting",
        "s_setup": "Gemeente van {size} inwoners in {wijken} wijken, {years} jaar ({weeks} weken) gesimuleerd, "
        "seed {seed}.",
        "s_actions": "Gekozen acties (vanaf jaar 1):",
        "s_action_line": "- {title} — samenwerking met {partner}; niveau {level:g}× ({main}: {value} {unit}); "
        "kosten ongeveer € {cost} per jaar",
        "s_effects": "Effecten, {period}, jullie gemeente tegenover de referentie zonder acties:",
        "s_caveat": "Eén simulatie met één seed: kleine verschillen kunnen toeval zijn. Probeer een andere seed "
        "of een grotere gemeente om te zien of een effect blijft.",
        "s_made": "Gemaakt met samenkracht-app op {when}.",
        "points": "procentpunt",
        "better": "beter",
        "worse": "slechter",
        "same": "gelijk",
        "file_png": "samenvatting.png",
        "file_txt": "samenvatting.txt",
        "file_zip": "samenkracht_samenvatting.zip",
    },
    "en": {
        "title": "Samenkracht — the municipality as a network",
        "language": "Language",
        "size": "Residents",
        "years": "Years",
        "seed": "Seed (chance)",
        "level": "level",
        "standard": "standard",
        "network": "The social network",
        "colour_by": "Colour",
        "burden": "carer burden (0–10)",
        "burden_short": "burden",
        "loneliness_short": "loneliness",
        "loneliness": "loneliness (0–11)",
        "resident": "resident",
        "carer": "informal carer",
        "volunteer": "volunteer",
        "family_tie": "family or household",
        "weak_tie": "friend, neighbour or acquaintance",
        "help_tie": "volunteer or professional tie",
        "network_sample": "{shown} of {total} residents shown (wijk 1 to {wijken})",
        "plots": "Effects beside the baseline",
        "scenario": "your municipality",
        "baseline": "baseline (no actions)",
        "years_axis": "simulated years",
        "status": "Year {year}, week {week} of {years} years · {size} residents in {wijken} wijken · seed {seed}",
        "status_start": "Not started · {size} residents in {wijken} wijken · seed {seed} · press ▶ or Step",
        "actions_on": "Actions on",
        "no_actions": "none (the baseline only)",
        "summary": "Summary for your answer",
        "export": "Export summary (PNG + text)",
        "saved_to": "Also saved in",
        "how_to": "Switch actions on at the left and choose their levels, press **Reset** to build the municipality "
        "again, then **▶** (play) or **Step**. The plots show your municipality beside the baseline with the same "
        "residents and the same chance, but no actions.",
        "indicator": "Indicator",
        "difference": "difference",
        "period": "Mean over {period}",
        "last_year": "the last simulated year (year {year})",
        "last_weeks": "the last {weeks} weeks (up to year {year}, week {week})",
        "weeks_so_far": "the first {weeks} weeks",
        "not_run": "The municipality has not been simulated yet: press ▶ or Step.",
        "cost": "Cost of the actions",
        "per_year": "a year",
        "s_title": "Samenkracht — summary",
        "s_setup": "A municipality of {size} residents in {wijken} wijken, {years} years ({weeks} weeks) simulated, "
        "seed {seed}.",
        "s_actions": "Chosen actions (from year 1):",
        "s_action_line": "- {title} — working with {partner}; level {level:g}× ({main}: {value} {unit}); "
        "cost about € {cost} a year",
        "s_effects": "Effects, {period}, your municipality against the baseline without actions:",
        "s_caveat": "One simulation with one seed: small differences may be chance. Try another seed or a larger "
        "municipality to see whether an effect holds.",
        "s_made": "Made with samenkracht-app on {when}.",
        "points": "percentage points",
        "better": "better",
        "worse": "worse",
        "same": "the same",
        "file_png": "summary.png",
        "file_txt": "summary.txt",
        "file_zip": "samenkracht_summary.zip",
    },
}

#: Action → (title, partner the municipality works with, name of the main parameter, its unit), per language:
#: the labels each action declares, for every action offered on the page.
ACTION_TEXT: dict[str, dict[str, Label]] = {
    lang: {choice.name: registry()[choice.name].labels[lang] for choice in CHOICES} for lang in LANGUAGES
}


def chosen_actions(levels: dict[str, float], lang: str) -> str:
    """The actions switched on, with their levels ("Respijtzorg 2×, ..."), or the words for none."""
    chosen = ", ".join(f"{ACTION_TEXT[lang][name][0]} {level:g}×" for name, level in levels.items())
    return chosen or TEXT[lang]["no_actions"]


__all__ = ["ACTION_TEXT", "DEFAULT_LANGUAGE", "LANGUAGES", "PAGE_INDICATORS", "TEXT", "chosen_actions"]
