"""The pieces of `samenkracht-optimise`'s results: paired effects of a mix, the front of cost against effect,
what each action of a mix contributes, the plot of the trials and the report (Dutch by default, English with
``lang="en"``).

A mix's effect on an indicator, at one seed, is the mean over the run's years of the mix's yearly value minus
the reference's at the same seed (common random numbers); its interval is the t interval of those per-seed
differences (analysis/compare.py). Money is summed over each year, so a money effect is euros a year.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from samenkracht.analysis.compare import COST_INDICATOR, HEADLINE_INDICATORS, t_interval
from samenkracht.analysis.formatting import number
from samenkracht.analysis.report import CSS, _e, _img
from samenkracht.analysis.texts import interval, value
from samenkracht.sim.indicator_table import label
from samenkracht.tools.outputs import write_atomic

NSB = "net_social_benefit"
REPORT = "report.html"

# -- numbers ---------------------------------------------------------------------------------------------------------


def per_seed(
    own: Sequence[pd.DataFrame],
    reference: Sequence[pd.DataFrame],
    seeds: Sequence[int],
    bought: Sequence[str],
    nsb: Callable[..., float] | None = None,
) -> pd.DataFrame:
    """Per seed (rows): each headline indicator's paired effect (the mean over years of mix − reference), what the
    bought actions cost a year (``action_cost_eur``, from their ``cost_LABEL_eur`` columns) and in the dearest
    year (``cost_peak_eur``: what the budget is held against) and, with ``nsb``, the net social benefit."""
    rows = []
    for seed, mine, ref in zip(seeds, own, reference):
        row: dict[str, float] = {"seed": seed}
        for name in HEADLINE_INDICATORS:
            if name in mine.columns and name in ref.columns:
                row[name] = float(mine[name].mean() - ref[name].mean())
        spent = np.zeros(len(mine))
        for label_ in bought:
            column = f"cost_{label_}_eur"
            if column in mine.columns:
                spent = spent + mine[column].to_numpy(float)
        row["action_cost_eur"] = float(spent.mean()) if spent.size else 0.0
        row["cost_peak_eur"] = float(spent.max()) if spent.size else 0.0
        if nsb is not None:
            row[NSB] = float(nsb(mine, ref))
        rows.append(row)
    return pd.DataFrame(rows).set_index("seed")


def indicator_names(nsb: bool) -> list[str]:
    """The indicators a trial's row gives the effect on."""
    return [*HEADLINE_INDICATORS, *([NSB] if nsb else [])]


def _mean_ci(values: np.ndarray, prefix: str) -> dict[str, float]:
    mean, _, lo, hi = t_interval(values)
    if prefix == "action_cost_eur":
        return {"cost_eur_per_year": mean, "cost_ci_low": lo, "cost_ci_high": hi}
    return {f"{prefix}_mean": mean, f"{prefix}_ci_low": lo, f"{prefix}_ci_high": hi}


def summarise(per: pd.DataFrame) -> dict[str, float]:
    """A mix's row: what its actions cost a year (mean and 95% interval over the seeds) and in the dearest year
    of any seed, and each indicator's mean effect and 95% interval."""
    out: dict[str, float] = {"n_seeds": float(len(per))}
    out.update(_mean_ci(per["action_cost_eur"].to_numpy(float), "action_cost_eur"))
    out["cost_peak_eur"] = float(per["cost_peak_eur"].max())
    for name in per.columns:
        if name not in ("action_cost_eur", "cost_peak_eur"):
            out.update(_mean_ci(per[name].to_numpy(float), name))
    return out


def blank(names: Sequence[str], effect: float, cost: float) -> dict[str, float]:
    """The row of a mix that was not run: the empty mix (every effect 0, cost 0) or one over the budget already
    by its price (effects unknown: NaN; cost: the price)."""
    out: dict[str, float] = {"n_seeds": 0.0, "cost_eur_per_year": cost, "cost_ci_low": cost, "cost_ci_high": cost}
    out["cost_peak_eur"] = cost
    for name in names:
        out.update({f"{name}_mean": effect, f"{name}_ci_low": effect, f"{name}_ci_high": effect})
    return out


def pareto_front(frame: pd.DataFrame, cost: str, effect: str, maximise: bool) -> pd.DataFrame:
    """The rows no other row beats: none costs as little or less and does at least as well, better in one."""
    if frame.empty:
        return frame.copy()
    good = frame[effect] if maximise else -frame[effect]
    order = frame.assign(_good=good).sort_values([cost, "_good"], ascending=[True, False], kind="stable")
    keep, best = [], -math.inf
    for idx, g in zip(order.index, order["_good"]):
        if g > best:
            keep.append(idx)
            best = g
    return frame.loc[keep].reset_index(drop=True)


def contributions(bought: Sequence[str], best: pd.DataFrame, without: Sequence[pd.DataFrame], mix: Any) -> pd.DataFrame:
    """What each action of the best mix adds: the mix minus the mix without that action, paired per seed
    (the same fresh seeds), and what the action costs a year."""
    rows = []
    for label_, other in zip(bought, without):
        diff = best - other
        row: dict[str, Any] = {"action": label_, "level": mix.levels[label_]}
        row.update(_mean_ci(diff["action_cost_eur"].to_numpy(float), "action_cost_eur"))
        for name in diff.columns:
            if name not in ("action_cost_eur", "cost_peak_eur"):
                row.update(_mean_ci(diff[name].to_numpy(float), name))
        rows.append(row)
    return pd.DataFrame(rows)


# -- words -----------------------------------------------------------------------------------------------------------

TEXT: dict[str, dict[str, str]] = {
    "nl": {
        "title": "De beste mix van acties voor een budget",
        "subtitle": "Samenkracht — simulatie van formele en informele zorgnetwerken",
        "h_setup": "Opzet",
        "h_answer": "Aanbevolen mix",
        "h_parts": "Wat elke actie bijdraagt",
        "h_front": "Kosten tegen effect",
        "h_method": "Methode",
        "objective": "Doel",
        "maximise": "zo hoog mogelijk",
        "minimise": "zo laag mogelijk",
        "pareto": "het front van kosten tegen effect",
        "budget": "Budget (wat de gekozen acties per jaar mogen kosten)",
        "per_year": "per jaar",
        "reference": "Referentie",
        "actions": "Acties om uit te kiezen (hoogste niveau)",
        "trials": "Geprobeerde mixen (trials)",
        "tried": "{n} verschillende mixen doorgerekend, uit {proposals} voorstellen ({out} al volgens hun prijs boven "
        "het budget: niet doorgerekend)",
        "seeds": "Seeds per mix (gepaard met de referentie)",
        "fresh": "Verse seeds voor de herbeoordeling",
        "population": "Inwoners",
        "years": "Gesimuleerde jaren",
        "overrides": "Aangepaste parameters",
        "none": "geen",
        "git": "Versie van de code (git)",
        "command": "Opdracht",
        "created": "Gemaakt",
        "answer_intro": "De mixen die in de zoektocht het best scoorden, opnieuw doorgerekend op {n} verse seeds "
        "die de zoektocht niet gebruikte. De beste van vele ruizige schattingen valt bijna altijd te "
        "gunstig uit (de vloek van de winnaar); de intervallen hieronder komen daarom van de verse seeds. "
        "De aanbevolen mix is de beste uit de zoektocht die ook op de verse seeds binnen het budget blijft.",
        "all_intro": "De aanbevolen mix op elke indicator: verschil met de referentie op de verse seeds (gemiddelde "
        "over de jaren; geld per jaar). Vetgedrukt: het interval sluit nul uit.",
        "indicator": "Indicator",
        "no_answer": "Geen enkele mix bleef op de verse seeds binnen het budget; er is geen aanbeveling.",
        "mix": "Mix (niveau × standaard)",
        "search": "In de zoektocht",
        "fresh_col": "Op verse seeds (95%-interval)",
        "cost": "Kosten van de acties (€ per jaar)",
        "peak": "Duurste jaar",
        "answer": "aanbevolen",
        "over": "boven budget",
        "no_actions": "geen acties",
        "parts_intro": "Per actie van de aanbevolen mix: het effect van de mix min het effect zonder die actie "
        "(gepaard op dezelfde verse seeds), en wat die actie per jaar kost.",
        "action": "Actie",
        "level": "Niveau",
        "contribution": "Bijdrage aan het doel",
        "saves": "Kosten van de actie (€ per jaar)",
        "per_1000": "Bijdrage per € 1.000 per jaar",
        "front_intro": "Elke punt is een geprobeerde mix (gemiddelde over de seeds van de zoektocht); de lijn "
        "verbindt de mixen die geen andere mix verslaat: niet duurder én minstens zo goed. Grijze "
        "kruisjes: boven het budget.",
        "fig": "Kosten van de acties per jaar tegen het effect op het doel, per geprobeerde mix",
        "method": "<p><b>Zoeken.</b> Elke actie krijgt een niveau: 0 (niet gekocht) of een veelvoud van de "
        "standaardinstelling in stappen van 0,25 tot 4 (een zelf samengestelde actie: aan of uit). Optuna's "
        "TPE-sampler stelt mixen voor; een mix waarvan de acties in enig jaar bij enige seed meer kosten "
        "dan het budget is niet toegestaan (een randvoorwaarde: de sampler leert ervan, maar zo'n mix wordt nooit als "
        "antwoord gegeven). Een mix die al volgens zijn prijs boven het budget uitkomt, wordt niet "
        "doorgerekend.</p><p><b>Effect.</b> Elke mix draait met dezelfde seeds als de referentie "
        "(gemeenschappelijke toevalsgetallen). Per seed: het gemiddelde over de jaren van de mix min dat "
        "van de referentie; daarover het gemiddelde en het t-interval. Geld is per jaar opgeteld. De kosten "
        "van een mix zijn wat de gekozen acties zelf kosten; wat ze elders in de uitgaven van de gemeente "
        "veranderen (huishoudelijke hulp, wijkteam) staat bij het effect op de uitgaven van de gemeente.</p>"
        "<p><b>Herbeoordeling.</b> De beste mixen draaien opnieuw op verse seeds; de bijdrage van een "
        "actie is de mix min de mix zonder die actie op dezelfde verse seeds.</p>",
        "files": "Bestanden: trials.parquet (elke trial met niveaus, kosten en alle effecten), pareto.csv, "
        "recommended.csv, contributions.csv, pareto.png, optuna.db (de zoektocht, om te hervatten).",
        "x": "Kosten van de acties (€ per jaar)",
        "y": "Verschil met de referentie: {name}",
        "trial": "trial",
        "front": "front",
        "over_budget": "boven budget",
        "budget_line": "budget",
    },
    "en": {
        "title": "The best mix of actions for a budget",
        "subtitle": "Samenkracht — simulation of formal and informal care networks",
        "h_setup": "Setup",
        "h_answer": "Recommended mix",
        "h_parts": "What each action contributes",
        "h_front": "Cost against effect",
        "h_method": "Method",
        "objective": "Objective",
        "maximise": "as high as possible",
        "minimise": "as low as possible",
        "pareto": "the front of cost against effect",
        "budget": "Budget (what the chosen actions may cost a year)",
        "per_year": "a year",
        "reference": "Reference",
        "actions": "Actions to choose from (highest level)",
        "trials": "Mixes tried (trials)",
        "tried": "{n} different mixes run, out of {proposals} proposals ({out} over the budget by their price alone: "
        "not run)",
        "seeds": "Seeds per mix (paired with the reference)",
        "fresh": "Fresh seeds of the re-evaluation",
        "population": "Residents",
        "years": "Simulated years",
        "overrides": "Changed parameters",
        "none": "none",
        "git": "Code version (git)",
        "command": "Command",
        "created": "Created",
        "answer_intro": "The mixes that did best in the search, run again on {n} fresh seeds the search did not "
        "use. The best of many noisy estimates almost always looks too good (the winner's curse), so the "
        "intervals below come from the fresh seeds. The recommended mix is the search's best that stays "
        "within the budget on the fresh seeds too.",
        "all_intro": "The recommended mix on every indicator: the difference from the reference on the fresh seeds "
        "(mean over the years; money a year). Bold: the interval excludes zero.",
        "indicator": "Indicator",
        "no_answer": "No mix stayed within the budget on the fresh seeds; there is no recommendation.",
        "mix": "Mix (level × ready-made setting)",
        "search": "In the search",
        "fresh_col": "On fresh seeds (95% interval)",
        "cost": "Cost of the actions (€ a year)",
        "peak": "Dearest year",
        "answer": "recommended",
        "over": "over budget",
        "no_actions": "no actions",
        "parts_intro": "For each action of the recommended mix: the mix's effect minus the effect without that "
        "action (paired on the same fresh seeds), and what that action costs a year.",
        "action": "Action",
        "level": "Level",
        "contribution": "Contribution to the objective",
        "saves": "Cost of the action (€ a year)",
        "per_1000": "Contribution per €1,000 a year",
        "front_intro": "Each point is a mix tried (mean over the search's seeds); the line joins the mixes no "
        "other mix beats: none is as cheap or cheaper and at least as good. Grey crosses: over the budget.",
        "fig": "Cost of the actions a year against the effect on the objective, per mix tried",
        "method": "<p><b>Search.</b> Each action gets a level: 0 (not bought) or a multiple of its ready-made "
        "setting in steps of 0.25 up to 4 (an action composed in a scenario file: on or off). Optuna's TPE "
        "sampler proposes mixes; a mix whose actions cost more than the budget in any year of any seed is "
        "infeasible (a constraint: the sampler learns from it, but it is never given as the answer). A mix "
        "whose price alone is over the budget is not run.</p><p><b>Effect.</b> Every mix runs with the "
        "reference's seeds (common random numbers). Per seed: the mean over the years of the mix minus the "
        "reference's; then the mean and the t interval of those. Money is summed over each year. A mix's cost "
        "is what its actions themselves cost; what they change elsewhere in the municipality's spending "
        "(household help, the wijkteam) is in the effect on municipal spending.</p>"
        "<p><b>Re-evaluation.</b> The best mixes run again on fresh seeds; an action's contribution is the "
        "mix minus the mix without that action on the same fresh seeds.</p>",
        "files": "Files: trials.parquet (every trial's levels, cost and effects), pareto.csv, recommended.csv, "
        "contributions.csv, pareto.png, optuna.db (the search, to resume it).",
        "x": "Cost of the actions (€ a year)",
        "y": "Difference from the reference: {name}",
        "trial": "trial",
        "front": "front",
        "over_budget": "over budget",
        "budget_line": "budget",
    },
}


def _name(indicator: str, lang: str) -> str:
    if indicator == NSB:
        return {
            "nl": "maatschappelijk nettovoordeel (contante waarde, €)",
            "en": "net social benefit (present value, €)",
        }[lang]
    return label(indicator, lang).name


def effect_text(x: float, indicator: str, lang: str) -> str:
    """An effect (a difference from the reference) in the indicator's display unit."""
    if indicator == NSB:
        return f"€ {number(x, 0, lang, sign=True)}"
    return value(x, indicator, lang, diff=True)


def interval_text(lo: float, hi: float, indicator: str, lang: str) -> str:
    """An effect's interval, 'lo – hi', in the indicator's display unit."""
    if indicator == NSB:
        return (
            "—" if math.isnan(lo) or math.isnan(hi) else f"{effect_text(lo, NSB, lang)} – {effect_text(hi, NSB, lang)}"
        )
    return interval(lo, hi, indicator, lang, diff=True)


def _scale(indicator: str) -> float:
    from samenkracht.sim.indicator_table import is_percent

    return 100.0 if indicator != NSB and is_percent(indicator) else 1.0


# -- the plot --------------------------------------------------------------------------------------------------------


def plot_pareto(
    trials: pd.DataFrame, front: pd.DataFrame, goal: str, budget: float, maximise: bool, lang: str = "nl"
) -> bytes:
    """The actions' cost a year against the objective's effect: every trial, the front, the budget."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from samenkracht.analysis.compare_plots import STYLE, _png

    t = TEXT[lang]
    objective = goal.removesuffix("_mean")
    scale = _scale(objective)
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(8.5, 5.5))
        ran = trials[trials["n_seeds"] > 0] if "n_seeds" in trials else trials
        ok, over = ran[ran["within_budget"]], ran[~ran["within_budget"]]
        ax.scatter(ok["cost_eur_per_year"], ok[goal] * scale, s=28, color="#1f77b4", alpha=0.7, label=t["trial"])
        if len(over):
            ax.scatter(
                over["cost_eur_per_year"], over[goal] * scale, s=30, marker="x", color="#999", label=t["over_budget"]
            )
        if len(front):
            ax.plot(
                front["cost_eur_per_year"], front[goal] * scale, "-o", color="#d62728", lw=2, ms=6, label=t["front"]
            )
        ax.axvline(budget, color="#333", ls="--", lw=1.5, label=t["budget_line"])
        ax.set_xlabel(t["x"])
        unit = " (pp)" if scale == 100.0 else ""
        ax.set_ylabel(t["y"].format(name=_name(objective, lang)) + unit)
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda x, _: number(x, 0, lang)))
        ax.grid(alpha=0.3)
        ax.legend(loc="best")
        fig.tight_layout()
        return _png(fig)


# -- the report ------------------------------------------------------------------------------------------------------


def _mix_text(row: pd.Series, titles: dict[str, str], lang: str) -> str:
    parts = []
    for action, title in titles.items():
        lv = row.get(f"level_{action}", 0.0)
        if lv and lv > 0:
            where = row.get(f"wijken_{action}")
            extra = f" <small>({_e(where)})</small>" if isinstance(where, str) else ""
            parts.append(f"{_e(title)} × {_e(number(lv, 2, lang))}{extra}")
    return "<br>".join(parts) or _e(TEXT[lang]["no_actions"])


def _setup(setup: dict[str, Any], lang: str) -> str:
    t = TEXT[lang]
    objective = setup["objective"]
    how = t["pareto"] if setup.get("pareto") else (t["maximise"] if setup.get("maximise") else t["minimise"])
    levels = {c[0]: c[3] for c in setup["candidates"]}
    actions = "<br>".join(f"{_e(title)} ({_e(number(levels[a], 2, lang))})" for a, title in setup["titles"].items())
    rows = [
        (t["objective"], f"{_e(_name(objective, lang))} — {_e(how)}"),
        (t["budget"], _e(f"€ {number(setup['budget_eur_per_year'], 0, lang)} {t['per_year']}")),
        (t["reference"], _e(setup["reference"])),
        (t["actions"], actions),
        (t["trials"], _e(t["tried"].format(n=setup["trials"], proposals=setup["proposals"], out=setup["priced_out"]))),
        (t["seeds"], _e(f"{len(setup['seeds'])} ({setup['seeds'][0]}–{setup['seeds'][-1]})")),
        (t["fresh"], _e(f"{len(setup['fresh_seeds'])} ({setup['fresh_seeds'][0]}–{setup['fresh_seeds'][-1]})")),
        (t["population"], _e(number(setup["population"], 0, lang))),
        (t["years"], _e(setup["years"])),
        (t["overrides"], " ".join(f"<code>{_e(o)}</code>" for o in setup.get("overrides", [])) or t["none"]),
        (t["git"], f"<code>{_e(setup.get('git', ''))}</code>"),
        (t["command"], f"<code>{_e(setup.get('command', ''))}</code>"),
        (t["created"], _e(setup.get("created", ""))),
    ]
    return "<table>" + "".join(f"<tr><th>{_e(k)}</th><td>{v}</td></tr>" for k, v in rows) + "</table>"


def _effect_cell(r: pd.Series, prefix: str, objective: str, lang: str, sig: bool = False) -> str:
    """A cell with an effect and, below it, its 95% interval (``prefix``: the columns' start, e.g. 'fresh_')."""
    mean, lo, hi = (r[f"{prefix}{objective}_{part}"] for part in ("mean", "ci_low", "ci_high"))
    return (
        f'<td class="num{" sig" if sig else ""}">{_e(effect_text(mean, objective, lang))}<br>'
        f"<small>{_e(interval_text(lo, hi, objective, lang))}</small></td>"
    )


def _answer(recommended: pd.DataFrame, setup: dict[str, Any], lang: str) -> str:
    t = TEXT[lang]
    objective = setup["objective"]
    parts = [f"<p>{_e(t['answer_intro'].format(n=len(setup['fresh_seeds'])))}</p>"]
    if recommended.empty or not recommended["answer"].any():
        parts.append(f"<p><b>{_e(t['no_answer'])}</b></p>")
    head = (
        f"<tr><th>#</th><th>{_e(t['mix'])}</th><th>{_e(t['search'])}</th><th>{_e(t['fresh_col'])}</th>"
        f"<th>{_e(t['cost'])}</th><th>{_e(t['peak'])}</th></tr>"
    )
    body = []
    for _, r in recommended.iterrows():
        mark = f" <b>({_e(t['answer'])})</b>" if r["answer"] else ""
        mark += f" <i>({_e(t['over'])})</i>" if not r["within_budget_fresh"] else ""
        fresh = _effect_cell(r, "fresh_", objective, lang, sig=bool(r["answer"]))
        search = r.rename(lambda k: k.replace("search_objective_", f"search_{objective}_"))
        cost = (
            f"<td class=\"num\">€ {_e(number(r['fresh_cost_eur_per_year'], 0, lang))}<br><small>"
            f"{_e(interval(r['fresh_cost_ci_low'], r['fresh_cost_ci_high'], COST_INDICATOR, lang))}</small></td>"
        )
        body.append(
            f"<tr><td>{int(r['rank'])}{mark}</td><td>{_mix_text(r, setup['titles'], lang)}</td>"
            f"{_effect_cell(search, 'search_', objective, lang)}{fresh}{cost}"
            f"<td class=\"num\">€ {_e(number(r['fresh_cost_peak_eur'], 0, lang))}</td></tr>"
        )
    parts.append(f"<table>{head}{''.join(body)}</table>")
    chosen = recommended[recommended["answer"]] if len(recommended) else recommended
    if len(chosen):
        r = chosen.iloc[0]
        names = [n for n in indicator_names(NSB in setup.get("indicators", [])) if f"fresh_{n}_mean" in r]
        rows = "".join(
            f"<tr><th>{_e(_name(n, lang))}</th>"
            + _effect_cell(r, "fresh_", n, lang, sig=r[f"fresh_{n}_ci_low"] > 0 or r[f"fresh_{n}_ci_high"] < 0)
            + "</tr>"
            for n in names
        )
        parts.append(
            f"<p>{_e(t['all_intro'])}</p><table><tr><th>{_e(t['indicator'])}</th>"
            f"<th>{_e(t['fresh_col'])}</th></tr>{rows}</table>"
        )
    return "".join(parts)


def _parts(parts: pd.DataFrame, setup: dict[str, Any], lang: str) -> str:
    t = TEXT[lang]
    if parts.empty:
        return ""
    objective = setup["objective"]
    head = (
        f"<tr><th>{_e(t['action'])}</th><th>{_e(t['level'])}</th><th>{_e(t['contribution'])}</th>"
        f"<th>{_e(t['saves'])}</th><th>{_e(t['per_1000'])}</th></tr>"
    )
    body = []
    for _, r in parts.iterrows():
        cost = r["cost_eur_per_year"]
        per = r[f"{objective}_mean"] / cost * 1000 if cost > 0 else math.nan
        sig = r[f"{objective}_ci_low"] > 0 or r[f"{objective}_ci_high"] < 0
        body.append(
            f"<tr><td>{_e(setup['titles'].get(r['action'], r['action']))}</td>"
            f"<td class=\"num\">{_e(number(r['level'], 2, lang))}</td>"
            f"{_effect_cell(r, '', objective, lang, sig=sig)}"
            f"<td class=\"num\">€ {_e(number(cost, 0, lang))}</td>"
            f"<td class=\"num\">{_e(effect_text(per, objective, lang) if np.isfinite(per) else '—')}</td></tr>"
        )
    return f"<p>{_e(t['parts_intro'])}</p><table>{head}{''.join(body)}</table>"


def _front(front: pd.DataFrame, setup: dict[str, Any], png: bytes, lang: str) -> str:
    t = TEXT[lang]
    objective = setup["objective"]
    body = "".join(
        f"<tr><td>{int(r['trial'])}</td><td>{_mix_text(r, setup['titles'], lang)}</td>"
        f"<td class=\"num\">€ {_e(number(r['cost_eur_per_year'], 0, lang))}</td>"
        f"{_effect_cell(r, '', objective, lang)}</tr>"
        for _, r in front.iterrows()
    )
    head = (
        f"<tr><th>{_e(t['trial'])}</th><th>{_e(t['mix'])}</th><th>{_e(t['cost'])}</th><th>{_e(t['search'])}</th></tr>"
    )
    figure = f"<figure>{_img(png, t['fig'])}<figcaption>{_e(t['fig'])}</figcaption></figure>"
    return f"<p>{_e(t['front_intro'])}</p>{figure}<table>{head}{body}</table>"


def render_html(
    front: pd.DataFrame, recommended: pd.DataFrame, parts: pd.DataFrame, setup: dict[str, Any], png: bytes, lang: str
) -> str:
    """The report as one HTML document."""
    t = TEXT[lang]
    sections = [
        ("setup", t["h_setup"], _setup(setup, lang)),
        ("answer", t["h_answer"], _answer(recommended, setup, lang)),
        ("contributions", t["h_parts"], _parts(parts, setup, lang)),
        ("front", t["h_front"], _front(front, setup, png, lang)),
        ("method", t["h_method"], t["method"] + f'<p class="note">{_e(t["files"])}</p>'),
    ]
    body = "".join(
        f'<section id="{sid}"><h2>{_e(h)}</h2>{content}</section>' for sid, h, content in sections if content
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(t['title'])}</title><style>{CSS}</style></head><body>"
        f"<h1>{_e(t['title'])}</h1><p class=\"subtitle\">{_e(t['subtitle'])}</p>{body}</body></html>\n"
    )


def write_report(
    out_dir: Path,
    trials: pd.DataFrame,
    front: pd.DataFrame,
    recommended: pd.DataFrame,
    parts: pd.DataFrame,
    setup: dict[str, Any],
    png: bytes,
    lang: str = "nl",
) -> Path:
    """Write report.html into ``out_dir``; return its path."""
    document = render_html(front, recommended, parts, setup, png, lang)
    path = Path(out_dir) / REPORT
    write_atomic(path, lambda p: p.write_text(document, encoding="utf-8"))
    return path
