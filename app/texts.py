"""Words of the page and its exported summary, in Dutch (the default) and English."""

from __future__ import annotations

from samenkracht.app.choices import CHOICES
from samenkracht.sim.actions import PARTNERS, Label, registry
from samenkracht.sim.indicator_table import LANGUAGES
from samenkracht.sim.levers import iter_levers

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
        "status_start": "Nog niet gestart · {size} inwoners in {wijken} wijken · seed {seed} · druk op ▶ Afspelen "
        "of Stap",
        "actions_on": "Acties aan",
        "no_actions": "geen (alleen de referentie)",
        "summary": "Samenvatting voor jullie antwoord",
        "export": "Exporteer samenvatting (PNG + tekst)",
        "saved_to": "Ook bewaard in",
        "how_to": "Zet links acties aan en kies hun niveau, of bedenk een eigen actie; druk op **↺ Opnieuw "
        "opbouwen** om de gemeente met die keuzes te bouwen, en dan op **▶ Afspelen** of **Stap**. De grafieken "
        "tonen jullie gemeente naast de referentie met dezelfde inwoners en hetzelfde toeval, maar zonder acties.",
        "indicator": "Indicator",
        "difference": "verschil",
        "period": "Gemiddelde over {period}",
        "last_year": "het laatste gesimuleerde jaar (jaar {year})",
        "last_weeks": "de laatste {weeks} weken (tot jaar {year}, week {week})",
        "weeks_so_far": "de eerste {weeks} weken",
        "not_run": "De gemeente is nog niet gesimuleerd: druk op ▶ Afspelen of Stap.",
        "cost": "Kosten van de acties",
        "per_year": "per jaar",
        "s_title": "Samenkracht — samenvatting",
        "s_setup": "Gemeente van {size} inwoners in {wijken} wijken, {years} jaar ({weeks} weken) gesimuleerd, "
        "seed {seed}.",
        "s_actions": "Gekozen acties (vanaf jaar 1):",
        "s_action_line": "- {title} — samenwerking met {partner}; niveau {level:g}× ({main}: {value} {unit}); "
        "kosten ongeveer € {cost} per jaar",
        "s_effects": "Effecten, {period}, jullie gemeente tegenover de referentie zonder acties:",
        "s_caveat": "Eén simulatie met één seed: kleine verschillen kunnen toeval zijn. Druk op \"Is dit toeval?\" "
        "om dezelfde keuzes met meer seeds te draaien.",
        "s_made": "Gemaakt met samenkracht-app op {when}.",
        "points": "procentpunt",
        "better": "beter",
        "worse": "slechter",
        "same": "gelijk",
        "file_png": "samenvatting.png",
        "file_txt": "samenvatting.txt",
        "file_zip": "samenkracht_samenvatting.zip",
        "controls": "Bediening",
        "reset": "↺ Opnieuw opbouwen",
        "play": "▶ Afspelen",
        "pause": "❚❚ Pauze",
        "step": "Stap (een half jaar)",
        "step_failed": "De simulatie is gestopt met een fout: {error}. Bouw de gemeente opnieuw op.",
        "municipality": "Gemeente",
        "ready_made": "Kant-en-klare acties",
        "gemeente": "Sociaal domein",
        "gemeente_nu": "nu",
        "gemeente_2013": "2013",
        "gemeente_long_nu": "de gemeente van nu (na de decentralisatie van 2015)",
        "gemeente_long_2013": "de gemeente van 2013 (voor de decentralisatie; een illustratie)",
        "gemeente_hint": "2013: nog geen wijkteams, zorg op indicatie, meer formele uren per persoon, minder ouderen. "
        "Een illustratief contrast, geen reconstructie van 2013.",
        "own_title": "Bedenk een eigen actie",
        "own_intro": "Geef jullie actie een naam, kies met wie de gemeente samenwerkt, kies één tot drie effecten "
        "en hun sterkte, en wat de actie per jaar kost.",
        "own_name": "Naam van de actie",
        "own_partner": "Samen met",
        "own_effect": "Effect {n}",
        "own_none": "— geen —",
        "own_strength": "sterkte",
        "own_cost": "Kosten per jaar per 1.000 inwoners (€)",
        "own_add": "Voeg toe",
        "own_full": "Er zijn al drie eigen acties: verwijder er eerst een.",
        "own_list": "Eigen acties",
        "own_remove": "verwijder",
        "own_example": "Mantelzorgcafé in de bibliotheek",
        "own_bad": "Deze actie kan zo niet: {problem}.",
        "own_line": "- {title} (eigen actie) — samenwerking met {partner}; {effects}; "
        "kosten ongeveer € {cost} per jaar",
        "apply_hint": "Gewijzigd: druk op **↺ Opnieuw opbouwen** om de gemeente met deze keuzes te bouwen.",
        "chance": "Is dit toeval?",
        "chance_intro": "Dezelfde keuzes met {n} verschillende seeds (elke actie apart en alles samen), "
        "telkens naast de referentie met dezelfde seed. Een effect waarvan het interval de nul niet "
        "bevat is waarschijnlijk geen toeval.",
        "chance_running": "Bezig: {done}% van de runs",
        "chance_result": "Effect over {n} seeds ({seeds}), gemiddelde en 95%-interval, laatste jaar van {years}",
        "chance_none": "Zet eerst een actie aan en bouw de gemeente opnieuw op.",
        "together": "alles samen",
        "arm": "Actie",
        "s_gemeente": "Sociaal domein: {gemeente}.",
        "s_chance": "Is dit toeval? Effect tegenover de referentie over {n} seeds ({seeds}), gemiddelde "
        "(95%-interval):",
        "s_rerun": "Opnieuw draaien op de opdrachtregel (zelfde seed en grootte, dezelfde getallen): pak de ZIP uit en "
        "draai in die map:",
        "file_yaml": "scenario/{name}.yaml",
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
        "status_start": "Not started · {size} residents in {wijken} wijken · seed {seed} · press ▶ Play or Step",
        "actions_on": "Actions on",
        "no_actions": "none (the baseline only)",
        "summary": "Summary for your answer",
        "export": "Export summary (PNG + text)",
        "saved_to": "Also saved in",
        "how_to": "Switch actions on at the left and choose their levels, or invent your own action; press **↺ Build "
        "again** to build the municipality with these choices, then **▶ Play** or **Step**. The plots show your "
        "municipality beside the baseline with the same residents and the same chance, but no actions.",
        "indicator": "Indicator",
        "difference": "difference",
        "period": "Mean over {period}",
        "last_year": "the last simulated year (year {year})",
        "last_weeks": "the last {weeks} weeks (up to year {year}, week {week})",
        "weeks_so_far": "the first {weeks} weeks",
        "not_run": "The municipality has not been simulated yet: press ▶ Play or Step.",
        "cost": "Cost of the actions",
        "per_year": "a year",
        "s_title": "Samenkracht — summary",
        "s_setup": "A municipality of {size} residents in {wijken} wijken, {years} years ({weeks} weeks) simulated, "
        "seed {seed}.",
        "s_actions": "Chosen actions (from year 1):",
        "s_action_line": "- {title} — working with {partner}; level {level:g}× ({main}: {value} {unit}); "
        "cost about € {cost} a year",
        "s_effects": "Effects, {period}, your municipality against the baseline without actions:",
        "s_caveat": "One simulation with one seed: small differences may be chance. Press \"Is this chance?\" to "
        "run the same choices with more seeds.",
        "s_made": "Made with samenkracht-app on {when}.",
        "points": "percentage points",
        "better": "better",
        "worse": "worse",
        "same": "the same",
        "file_png": "summary.png",
        "file_txt": "summary.txt",
        "file_zip": "samenkracht_summary.zip",
        "controls": "Controls",
        "reset": "↺ Build again",
        "play": "▶ Play",
        "pause": "❚❚ Pause",
        "step": "Step (half a year)",
        "step_failed": "The simulation stopped with an error: {error}. Build the municipality again.",
        "municipality": "Municipality",
        "ready_made": "Ready-made actions",
        "gemeente": "Social domain",
        "gemeente_nu": "now",
        "gemeente_2013": "2013",
        "gemeente_long_nu": "the municipality of now (after the 2015 decentralisation)",
        "gemeente_long_2013": "the municipality of 2013 (before the decentralisation; an illustration)",
        "gemeente_hint": "2013: no wijkteams yet, care by indication, more formal hours per person, fewer older "
        "residents. An illustrative contrast, not a reconstruction of 2013.",
        "own_title": "Invent your own action",
        "own_intro": "Name your action, choose whom the municipality works with, choose one to three effects and "
        "their strength, and what the action costs a year.",
        "own_name": "Name of the action",
        "own_partner": "Together with",
        "own_effect": "Effect {n}",
        "own_none": "— none —",
        "own_strength": "strength",
        "own_cost": "Cost a year per 1,000 residents (€)",
        "own_add": "Add",
        "own_full": "There are three own actions already: remove one first.",
        "own_list": "Own actions",
        "own_remove": "remove",
        "own_example": "Carers' café in the library",
        "own_bad": "This action cannot be run like this: {problem}.",
        "own_line": "- {title} (own action) — working with {partner}; {effects}; cost about € {cost} a year",
        "apply_hint": "Changed: press **↺ Build again** to build the municipality with these choices.",
        "chance": "Is this chance?",
        "chance_intro": "The same choices with {n} different seeds (each action alone and all together), each "
        "beside the baseline with the same seed. An effect whose interval does not contain zero is probably "
        "not chance.",
        "chance_running": "Running: {done}% of the runs",
        "chance_result": "Effect over {n} seeds ({seeds}), mean and 95% interval, last year of {years}",
        "chance_none": "Switch an action on first and build the municipality again.",
        "together": "all together",
        "arm": "Action",
        "s_gemeente": "Social domain: {gemeente}.",
        "s_chance": "Is this chance? Effect against the baseline over {n} seeds ({seeds}), mean (95% interval):",
        "s_rerun": "Run it again on the command line (same seed and size, the same numbers): unpack the ZIP and run, "
        "in that folder:",
        "file_yaml": "scenario/{name}.yaml",
    },
}

#: Action → (title, partner the municipality works with, name of the main parameter, its unit), per language:
#: the labels each action declares, for every action offered on the page.
ACTION_TEXT: dict[str, dict[str, Label]] = {
    lang: {choice.name: registry()[choice.name].labels[lang] for choice in CHOICES} for lang in LANGUAGES
}


#: Lever → what pulling it does, in plain words, per language (the page's list of effects of an own action).
EFFECT_TEXT: dict[str, dict[str, str]] = {
    lang: {name: meta[lang] for name, meta in iter_levers()} for lang in LANGUAGES
}
#: Partner of an own action → words, per language.
PARTNER_TEXT: dict[str, dict[str, str]] = {lang: {k: v[lang] for k, v in PARTNERS.items()} for lang in LANGUAGES}


def chosen_actions(levels: dict[str, float], lang: str, own_titles: tuple[str, ...] = ()) -> str:
    """The actions switched on, with their levels ("Respijtzorg 2×, ..."), then own actions by name, or the
    words for none."""
    chosen = [f"{ACTION_TEXT[lang][name][0]} {level:g}×" for name, level in levels.items()]
    return ", ".join([*chosen, *own_titles]) or TEXT[lang]["no_actions"]


__all__ = [
    "ACTION_TEXT",
    "DEFAULT_LANGUAGE",
    "EFFECT_TEXT",
    "LANGUAGES",
    "PAGE_INDICATORS",
    "PARTNER_TEXT",
    "TEXT",
    "chosen_actions",
]
