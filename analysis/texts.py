"""Words of the comparison report and its plots, in Dutch (default) and English, and an indicator's figures in its
display unit. The indicators' own names and units are in sim/indicator_table.py."""

from __future__ import annotations

import math

from samenkracht.analysis.formatting import number, percent
from samenkracht.sim.indicator_table import LANGUAGES, is_percent

#: Running text of the report, per language. The section headings are the keys starting with "h_".
TEXT: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Vergelijking van scenario's",
        "subtitle": "Samenkracht — simulatie van formele en informele zorgnetwerken",
        "h_setup": "Opzet",
        "h_headline": "Kerncijfers",
        "h_differences": "Verschil met de referentie",
        "h_cost": "Kosten per effect",
        "h_plots": "Grafieken",
        "h_wijken": "Per wijk",
        "h_method": "Methode",
        "h_year": "Jaar {year}",
        "scenarios": "Scenario's",
        "reference": "Referentie",
        "seeds": "Seeds (herhalingen)",
        "population": "Inwoners",
        "years": "Gesimuleerde jaren",
        "at_years": "Getoonde jaren",
        "overrides": "Aangepaste parameters",
        "none": "geen",
        "git": "Versie van de code (git)",
        "created": "Gemaakt",
        "runs_from": "Runs gelezen uit",
        "command": "Opdracht",
        "indicator": "Indicator",
        "scenario": "Scenario",
        "difference": "Verschil",
        "interval": "95%-interval",
        "unpaired": "95%-interval met onafhankelijke seeds",
        "narrowing": "Versmalling",
        "headline_intro": "Gemiddelde over {n} seeds met 95%-interval, per jaar gemiddeld over de weken "
        "(geld: opgeteld over het jaar).",
        "diff_intro": "Scenario min referentie, per seed berekend en dan gemiddeld (gepaarde seeds). Vetgedrukt: "
        "het interval sluit nul uit. Aandelen in procentpunten.",
        "narrowing_text": "Door gemeenschappelijke toevalsgetallen zijn de intervallen in jaar {year} in het mediane "
        "geval {factor} keer zo smal als met onafhankelijke seeds.",
        "cost_intro": "Extra uitgaven van de gemeente per jaar, gedeeld door de verbetering ten opzichte van "
        "de referentie, alleen waar het effect aantoonbaar is (het 95%-interval sluit nul uit) en kosten en effect "
        "de gewone kant op gaan: meer geld voor een betere uitkomst (kosten per eenheid verbetering), of minder geld "
        "voor een slechtere (besparing per eenheid verslechtering). Kost een actie minder en is de uitkomst beter, "
        "dan staat er 'goedkoper én beter'; kost ze meer en is de uitkomst slechter, 'duurder én slechter'. Of een "
        "verschil beter of slechter is, hangt af van de indicator: minder onvervulde zorgvraag is beter, meer "
        "draagkracht ook.",
        "effect": "Effect",
        "extra_cost": "Extra uitgaven (€ per jaar)",
        "improvement": "Verbetering",
        "cost_per_unit": "Kosten per eenheid",
        "no_effect": "geen aantoonbaar effect",
        "cheaper_and_better": "goedkoper én beter",
        "costlier_and_worse": "duurder én slechter",
        "saving_per_effect": "goedkoper maar slechter: bespaart {amount} {unit} achteruitgang",
        "unit_pp": "procentpunt",
        "unit_hours_per_week": "uur per week",
        "per_unit_pp": "per procentpunt",
        "per_unit_hours_per_week": "per uur per week",
        "fig_levels": "Elk scenario over de jaren: gemiddelde over de seeds met 95%-band.",
        "fig_diffs": "Verschil met de referentie over de jaren: gemiddeld gepaard verschil met 95%-band.",
        "fig_wijk": "{indicator} per wijk: gemiddelde over de seeds met 95%-band.",
        "wijk_intro": "Verschil met de referentie per wijk in jaar {year} (gepaarde seeds, 95%-interval).",
        "h_layers": "Waar het verschil vandaan komt: uren zorg per laag, jaar {year}",
        "layers_intro": "Verschil met de referentie in uren zorg per week die elke laag geeft (huishouden, familie "
        "en vrienden, buren en kennissen, vrijwilligers, professionals) en in onvervulde zorgvraag; gepaarde seeds, "
        "95%-interval, vet als het interval nul uitsluit. Samen tellen ze op tot het verschil in zorgvraag.",
        "wijk": "Wijk",
        "year_axis": "jaar",
        "pp": "%-punt",
        "csv_note": "Dezelfde tabellen staan als CSV naast dit rapport: {files}.",
        "method": (
            "<p><b>Gepaarde seeds.</b> Elk scenario draait met dezelfde seeds. Bij dezelfde seed beginnen de "
            "scenario's met dezelfde bevolking en hetzelfde netwerk, en elk mechanisme trekt elke week uit een "
            "eigen reeks toevalsgetallen (gemeenschappelijke toevalsgetallen, zoals in Starsim). Het verschil "
            "tussen twee scenario's bij één seed komt dus door hun acties, niet door toeval.</p>"
            "<p><b>Intervallen.</b> Een 95%-interval is gemiddelde ± t<sub>0,975; n−1</sub> · s/√n over de seeds "
            "(Student-t). Voor een verschil wordt eerst per seed het verschil genomen; het interval komt uit die "
            "n verschillen. Ter vergelijking staat het interval dat het verschil zou hebben met onafhankelijke "
            "seeds (Welch-interval op dezelfde waarden); de <i>versmalling</i> is die breedte gedeeld door de "
            "gepaarde breedte (∞ als het gepaarde interval breedte nul heeft).</p>"
            "<p><b>Kosten per effect.</b> De extra uitgaven van de gemeente aan acties in een jaar (gepaard "
            "verschil) gedeeld door de gemiddelde verbetering: procentpunten minder zwaarbelaste mantelzorgers, "
            "geïsoleerde of zeer eenzame volwassenen, procentpunten meer draagkracht, of uren per week minder "
            "onvervulde zorgvraag. Alleen waar het 95%-interval van de verbetering nul uitsluit en meer geld een "
            "betere uitkomst geeft (of minder geld een slechtere); anders 'goedkoper én beter' of 'duurder én "
            "slechter'.</p>"
            "<p><b>Jaren</b> tellen vanaf 1 (het eerste gesimuleerde jaar; in summary.csv heet dat jaar 0). "
            "Jaarwaarden zijn gemiddelden over de weken van het jaar; geld is opgeteld over het jaar.</p>"
        ),
    },
    "en": {
        "title": "Comparison of scenarios",
        "subtitle": "Samenkracht — a simulation of formal and informal care networks",
        "h_setup": "Set-up",
        "h_headline": "Headline indicators",
        "h_differences": "Difference from the reference",
        "h_cost": "Cost per effect",
        "h_plots": "Plots",
        "h_wijken": "By wijk",
        "h_method": "Method",
        "h_year": "Year {year}",
        "scenarios": "Scenarios",
        "reference": "Reference",
        "seeds": "Seeds (replicates)",
        "population": "Residents",
        "years": "Simulated years",
        "at_years": "Years shown",
        "overrides": "Overridden parameters",
        "none": "none",
        "git": "Code version (git)",
        "created": "Created",
        "runs_from": "Runs read from",
        "command": "Command",
        "indicator": "Indicator",
        "scenario": "Scenario",
        "difference": "Difference",
        "interval": "95% interval",
        "unpaired": "95% interval with independent seeds",
        "narrowing": "Narrowing",
        "headline_intro": "Mean over {n} seeds with 95% interval; each year's value is the mean over its weeks "
        "(money: summed over the year).",
        "diff_intro": "Scenario minus reference, per seed and then averaged (paired seeds). Bold: the interval "
        "excludes zero. Shares in percentage points.",
        "narrowing_text": "Thanks to common random numbers the intervals in year {year} are, in the median case, "
        "{factor} times narrower than with independent seeds.",
        "cost_intro": "Extra municipal spending a year divided by the improvement over the reference, only where "
        "the effect is significant (its 95% interval excludes zero) and cost and effect move the usual way: more "
        "money for a better outcome (cost per unit of improvement) or less money for a worse one (saving per unit "
        "lost). An action that costs less with a better outcome reads 'cheaper and better'; one that costs more with "
        "a worse outcome 'more expensive and worse'. Whether a difference is better or worse depends on the "
        "indicator: less unmet need is better, and so is more carrying capacity.",
        "effect": "Effect",
        "extra_cost": "Extra spending (€ a year)",
        "improvement": "Improvement",
        "cost_per_unit": "Cost per unit",
        "no_effect": "no significant effect",
        "cheaper_and_better": "cheaper and better",
        "costlier_and_worse": "more expensive and worse",
        "saving_per_effect": "cheaper but worse: saves {amount} {unit} lost",
        "unit_pp": "percentage point",
        "unit_hours_per_week": "hours a week",
        "per_unit_pp": "per percentage point",
        "per_unit_hours_per_week": "per hour a week",
        "fig_levels": "Each scenario over the years: mean over the seeds with 95% band.",
        "fig_diffs": "Difference from the reference over the years: mean paired difference with 95% band.",
        "fig_wijk": "{indicator} by wijk: mean over the seeds with 95% band.",
        "wijk_intro": "Difference from the reference by wijk in year {year} (paired seeds, 95% interval).",
        "h_layers": "Where the difference comes from: hours of care by layer, year {year}",
        "layers_intro": "Difference from the reference in the hours of care a week each layer gives (household, "
        "family and friends, neighbours and acquaintances, volunteers, professionals) and in unmet need; paired "
        "seeds, 95% interval, bold where the interval excludes zero. Together they add up to the difference in care "
        "asked.",
        "wijk": "Wijk",
        "year_axis": "year",
        "pp": "pp",
        "csv_note": "The same tables are in CSV files beside this report: {files}.",
        "method": (
            "<p><b>Paired seeds.</b> Every scenario runs with the same seeds. At one seed the scenarios start "
            "from the same population and network, and each mechanism draws every week from its own stream of "
            "random numbers (common random numbers, as in Starsim). The difference between two scenarios at one "
            "seed therefore comes from their actions, not from noise.</p>"
            "<p><b>Intervals.</b> A 95% interval is mean ± t<sub>0.975; n−1</sub> · s/√n over the seeds "
            "(Student's t). For a difference, the per-seed differences are taken first and the interval comes "
            "from those n differences. For comparison the table gives the interval the difference would have "
            "with independent seeds (Welch's interval on the same values); the <i>narrowing</i> is that width "
            "divided by the paired width (∞ when the paired interval has zero width).</p>"
            "<p><b>Cost per effect.</b> The extra municipal spending on actions in a year (paired difference) "
            "divided by the mean improvement: percentage points fewer heavily burdened carers, isolated or "
            "severely lonely adults, percentage points more carrying capacity, or hours a week less unmet need. "
            "Only where the improvement's 95% interval excludes zero and more money buys a better outcome (or less "
            "money a worse one); otherwise 'cheaper and better' or 'more expensive and worse'.</p>"
            "<p><b>Years</b> count from 1 (the first simulated year; summary.csv calls it year 0). A year's value "
            "is the mean over its weeks; money is summed over the year.</p>"
        ),
    },
}


def value(x: float, indicator: str, lang: str, diff: bool = False, like: float | None = None) -> str:
    """An indicator's level (or, with ``diff``, a difference) in its display unit.

    ``like`` sets the precision by another number's size (so both ends of an interval get the same).
    """
    size = abs(x if like is None else like)
    if is_percent(indicator):
        if diff:
            return f"{number(x * 100, 2, lang, sign=True)} {TEXT[lang]['pp']}"
        return percent(x, 1, lang)
    if indicator.endswith("_eur"):
        return f"€ {number(x, 0, lang, sign=diff)}"
    if indicator == "burden_mean":
        return number(x, 3 if diff else 2, lang, sign=diff)
    return number(x, 1 if diff or not size >= 100 else 0, lang, sign=diff)


def interval(lo: float, hi: float, indicator: str, lang: str, diff: bool = False) -> str:
    """'lo – hi' in the indicator's display unit."""
    if lo is None or hi is None or math.isnan(lo) or math.isnan(hi):
        return "—"
    like = max(abs(lo), abs(hi))
    return f"{value(lo, indicator, lang, diff, like)} – {value(hi, indicator, lang, diff, like)}"


__all__ = ["LANGUAGES", "TEXT", "interval", "value"]
