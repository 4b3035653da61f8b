"""Who pays and who gains: the social cost-benefit view (MKBA) of a scenario against the reference.

Each run's yearly summary (``summary.csv``) gives quantities — hours of
district nursing and of household help, weeks lived in a care home, hours of
informal care, weeks carers of working age were ill — and the money the model
books itself for the municipality's actions and its wijkteam. The prices of
one table (the ``costs`` parameters, samenkracht.sim.mechanisms.municipality.CostParams:
unit, price year and source of each) turn the quantities into euros, for each
payer:

- the municipality (Wmo): the actions (respite care among them), household help, the wijkteam;
- the health insurer (Zvw): district nursing (wijkverpleging);
- the Wlz: care in a care home;
- carers: their informal hours at the shadow price, and paid work lost while ill from overburden.

A payer's *benefit* of the scenario is what it costs that payer in the
reference minus what it costs in the scenario (a saving is positive, an extra
cost negative), paired seed by seed. The net social benefit is the sum over the
payers; its present value over the run discounts year *t* (counted from the
first simulated year, which is not discounted) by (1 + r)^t. What the residents
gain — unmet need, loneliness, admissions delayed — is reported in its own
units beside the money, not priced.
"""

from __future__ import annotations

import dataclasses
import functools
import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from samenkracht.sim.mechanisms.municipality import CostParams

#: The period of a present value in the cost-benefit table (the other rows carry a year).
PRESENT_VALUE = "present_value"
#: The payers, in the table's order; ``total`` is their sum.
PAYERS: tuple[str, ...] = ("municipality", "health_insurer", "wlz", "carers")
TOTAL = "total"
RESIDENTS = "residents"
#: Prices (and the discount rate) a caller may give, by the name of their ``costs`` parameter.
PRICE_NAMES: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(CostParams))


@dataclass(frozen=True)
class Item:
    """One line of the table: who bears it, what it is, and its yearly cost in one run from the summary."""

    payer: str
    name: str
    #: summary column of the quantity; ``None``: the money the model booked in ``booked`` columns
    quantity: str | None
    #: the ``costs`` parameter that prices one unit of the quantity
    price: str | None = None
    #: the quantity is a weekly level averaged over the year (hours a week): times the year's weeks
    weekly_mean: bool = False
    #: summary columns of money already booked (the actions: every ``cost_*_eur`` column)
    booked: str | None = None


ITEMS: tuple[Item, ...] = (
    Item("municipality", "actions", None, booked="cost_*_eur"),
    Item("municipality", "household_help", "formal_practical_hours", "practical_help_eur_per_hour"),
    Item("municipality", "wijkteam", None, booked="wijkteam_cost_eur"),
    Item("health_insurer", "wijkverpleging", "formal_personal_hours", "personal_care_eur_per_hour"),
    Item("wlz", "care_home", "wlz_resident_weeks", "wlz_eur_per_week"),
    Item("carers", "informal_care", "informal_hours", "informal_care_eur_per_hour", weekly_mean=True),
    Item("carers", "lost_work", "carer_ill_weeks", "lost_work_eur_per_week"),
)


@dataclass(frozen=True)
class Outcome:
    """What the residents gain, in its own unit: a summary column, how a year's value reads, and the sign of a gain."""

    name: str
    column: str
    unit: str  # "hours_per_year", "pp" (percentage points), "residents"
    scale: float  # from the summary's value to the unit (weeks for hours a week → a year; 100 for shares)
    per_week: bool  # the summary holds the mean week: multiply by the year's weeks
    lower_is_better: bool = True


OUTCOMES: tuple[Outcome, ...] = (
    Outcome("unmet_need", "unmet_hours", "hours_per_year", 1.0, True),
    Outcome("severely_lonely", "severely_lonely_share", "pp", 100.0, False),
    Outcome("lonely", "lonely_share", "pp", 100.0, False),
    Outcome("wlz_admissions", "wlz_admissions", "residents", 1.0, False),
)


def resolve_prices(prices: Mapping[str, float] | None = None) -> dict[str, float]:
    """The ``costs`` table's defaults with ``prices`` laid over them; an unknown name is an error."""
    out = {f.name: float(getattr(CostParams(), f.name)) for f in dataclasses.fields(CostParams)}
    for key, val in dict(prices or {}).items():
        if key not in out:
            raise ValueError(f"no price '{key}'; the prices are the costs parameters: {', '.join(PRICE_NAMES)}")
        out[key] = float(val)
    return out


def _column(summary: pd.DataFrame, column: str) -> pd.Series:
    if column not in summary.columns:
        raise ValueError(
            f"the yearly summary has no column '{column}' (made by an older samenkracht?); run the scenario again"
        )
    return summary[column].astype(float)


def yearly_costs(summary: pd.DataFrame, prices: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Each item's cost in euros per year of one run (index: the summary's ``year``; columns: ``payer/item``)."""
    p = resolve_prices(prices)
    summary = summary.sort_values("year")
    weeks = _column(summary, "weeks")
    out = {}
    for item in ITEMS:
        if item.booked == "cost_*_eur":
            cols = [c for c in summary.columns if c.startswith("cost_") and c.endswith("_eur")]
            values = summary[cols].astype(float).sum(axis=1) if cols else pd.Series(0.0, index=summary.index)
        elif item.booked is not None:
            values = _column(summary, item.booked)
        else:
            quantity = _column(summary, str(item.quantity))
            if item.weekly_mean:
                quantity = quantity * weeks
            values = quantity * p[str(item.price)]
        out[f"{item.payer}/{item.name}"] = values.to_numpy(float)
    return pd.DataFrame(out, index=pd.Index(summary["year"].astype(int).to_numpy(), name="year"))


def discount_factors(years: Sequence[int] | np.ndarray, rate: float) -> np.ndarray:
    """1 / (1 + rate)^t for each year, t counted from the first of ``years``."""
    y = np.asarray(years, dtype=float)
    return 1.0 / (1.0 + rate) ** (y - y.min()) if y.size else y


def benefits(
    scenario_summary: pd.DataFrame, reference_summary: pd.DataFrame, prices: Mapping[str, float] | None = None
) -> pd.DataFrame:
    """Each item's benefit of the scenario (reference cost − scenario cost, € per year) over the years both ran."""
    scen, ref = yearly_costs(scenario_summary, prices), yearly_costs(reference_summary, prices)
    common = scen.index.intersection(ref.index)
    return ref.loc[common] - scen.loc[common]


def net_social_benefit(
    scenario_summary: pd.DataFrame,
    reference_summary: pd.DataFrame,
    prices: Mapping[str, float] | None = None,
    discount_rate: float | None = None,
) -> float:
    """The present value in € over the run of the scenario's net social benefit against the reference, for one
    paired seed: the sum over payers of what the scenario saves them (negative: what it costs them extra).

    ``scenario_summary`` and ``reference_summary`` are the two runs' yearly summaries as the model writes them
    (``summary.csv``); ``prices`` overrides prices of the ``costs`` table by name; ``discount_rate`` (per year)
    defaults to the table's ``discount_rate`` (2.25%, the Dutch MKBA rate).
    """
    rate = resolve_prices(prices)["discount_rate"] if discount_rate is None else float(discount_rate)
    gained = benefits(scenario_summary, reference_summary, prices)
    if gained.empty:
        return 0.0
    return float((gained.sum(axis=1).to_numpy() * discount_factors(gained.index, rate)).sum())


# -- the comparison's table --------------------------------------------------------------------------------------


def _interval(values: np.ndarray) -> tuple[float, float, float]:
    from samenkracht.analysis.compare import t_interval

    mean, _, lo, hi = t_interval(values)
    return mean, lo, hi


def _add(store: dict, payer: str, item: str, unit: str, period: Any, value: float) -> None:
    """Keep one seed's value of a table row (payer, item, unit) in one period."""
    store.setdefault((payer, item, unit), {}).setdefault(period, []).append(float(value))


def _outcome_values(summary: pd.DataFrame, outcome: Outcome) -> pd.Series:
    values = summary.set_index(summary["year"].astype(int))[outcome.column].astype(float)
    if outcome.per_week:
        values = values * summary.set_index(summary["year"].astype(int))["weeks"].astype(float)
    return values * outcome.scale


def cost_benefit_table(
    frame: pd.DataFrame,
    arms: Sequence[str],
    reference: str,
    prices: Mapping[str, float] | None = None,
    discount_rate: float | None = None,
) -> pd.DataFrame:
    """The cost-benefit table of every arm against ``reference``, paired over the seeds both ran.

    ``frame`` has one row per run per year (columns ``arm``, ``seed``, ``year`` and the summary's). Rows: each
    payer's items, the payer's total, the ``total`` (net social benefit, the sum over payers), and the residents'
    outcomes in their own units; per year and as a present value (``period``). ``mean``, ``ci_low``,
    ``ci_high``: the paired mean over seeds and its 95% t interval. Money is a benefit (a saving is positive);
    an outcome is the change (scenario − reference), ``better`` saying which sign is a gain.
    """
    p = resolve_prices(prices)
    rate = p["discount_rate"] if discount_rate is None else float(discount_rate)
    runs = {key: g.sort_values("year") for key, g in frame.groupby(["arm", "seed"], sort=False)}
    rows: list[dict[str, Any]] = []
    for arm in [a for a in arms if a != reference]:
        seeds = sorted(s for (a, s) in runs if a == arm and (reference, s) in runs)
        per_seed: dict[tuple[str, str, str], dict[Any, list[float]]] = {}
        add = functools.partial(_add, per_seed)
        for seed in seeds:
            scen, ref = runs[(arm, seed)], runs[(reference, seed)]
            gained = benefits(scen, ref, p)
            factors = discount_factors(gained.index, rate)
            by_payer = {payer: [c for c in gained.columns if c.startswith(payer + "/")] for payer in PAYERS}
            for column in gained.columns:
                payer, item = column.split("/")
                for year, v in gained[column].items():
                    add(payer, item, "eur", int(year), v)
                add(payer, item, "eur", PRESENT_VALUE, float((gained[column].to_numpy() * factors).sum()))
            for payer, cols in by_payer.items():
                total = gained[cols].sum(axis=1)
                for year, v in total.items():
                    add(payer, TOTAL, "eur", int(year), v)
                add(payer, TOTAL, "eur", PRESENT_VALUE, float((total.to_numpy() * factors).sum()))
            net = gained.sum(axis=1)
            for year, v in net.items():
                add(TOTAL, "net_social_benefit", "eur", int(year), v)
            add(TOTAL, "net_social_benefit", "eur", PRESENT_VALUE, float((net.to_numpy() * factors).sum()))
            for outcome in OUTCOMES:
                if outcome.column not in scen.columns or outcome.column not in ref.columns:
                    continue
                change = (_outcome_values(scen, outcome) - _outcome_values(ref, outcome)).dropna()
                for year, v in change.items():
                    add(RESIDENTS, outcome.name, outcome.unit, int(year), v)
                total_change = float(change.sum()) if outcome.unit != "pp" else float(change.mean())
                add(RESIDENTS, outcome.name, outcome.unit, PRESENT_VALUE, total_change)
        for (payer, item, unit), periods in per_seed.items():
            for period, values in periods.items():
                mean, lo, hi = _interval(np.asarray(values))
                rows.append(
                    {
                        "arm": arm,
                        "reference": reference,
                        "payer": payer,
                        "item": item,
                        "unit": unit,
                        "period": str(period),
                        "n_pairs": len(values),
                        "mean": mean,
                        "ci_low": lo,
                        "ci_high": hi,
                        "better": "higher" if unit == "eur" else "lower",
                    }
                )
    columns = ["arm", "reference", "payer", "item", "unit", "period", "n_pairs", "mean", "ci_low", "ci_high", "better"]
    table = pd.DataFrame(rows, columns=columns)
    table.attrs["discount_rate"] = rate
    table.attrs["prices"] = p
    return table


def prices_of_run(run_dir: Path | str) -> dict[str, float] | None:
    """The ``costs`` parameters a finished run was made with (its ``.hydra/config.yaml``), or None."""
    import yaml

    path = Path(run_dir) / ".hydra" / "config.yaml"
    try:
        costs = (yaml.safe_load(path.read_text()) or {}).get("costs") or {}
    except (OSError, yaml.YAMLError, AttributeError):
        return None
    return {k: float(v) for k, v in costs.items() if k in PRICE_NAMES and isinstance(v, int | float)} or None


# -- the report's section ----------------------------------------------------------------------------------------

TEXT: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Wie betaalt en wie wint (maatschappelijke kosten en baten)",
        "intro": "Per betaler wat het scenario oplevert tegenover de referentie (een besparing is positief, extra "
        "kosten negatief), gepaard per seed, met het 95%-interval eronder. De contante waarde over de hele "
        "looptijd is verdisconteerd met {rate} per jaar (het eerste jaar niet). Prijzen: {prices}. Wat inwoners "
        "winnen staat in eigen eenheden onder de streep en telt niet mee in het saldo.",
        "payer": "Betaler",
        "item": "Post",
        "pv": "Contante waarde over de looptijd",
        "year": "Jaar {year}",
        "municipality": "Gemeente (Wmo)",
        "health_insurer": "Zorgverzekeraar (Zvw)",
        "wlz": "Wlz (langdurige zorg)",
        "carers": "Mantelzorgers",
        "residents": "Inwoners (eigen eenheden)",
        "total": "Saldo: maatschappelijk nettoresultaat",
        "actions": "acties (respijtzorg inbegrepen)",
        "household_help": "huishoudelijke hulp",
        "wijkteam": "wijkteam",
        "wijkverpleging": "wijkverpleging",
        "care_home": "verpleeghuiszorg",
        "informal_care": "mantelzorguren (schaduwprijs)",
        "lost_work": "verloren betaald werk bij ziekte",
        "net_social_benefit": "som over de betalers",
        "payer_total": "subtotaal",
        "unmet_need": "onvervulde zorgvraag (uur; jaar of looptijd)",
        "severely_lonely": "zeer eenzame volwassenen (%-punt; gemiddelde jaar)",
        "lonely": "eenzame volwassenen (%-punt; gemiddelde jaar)",
        "wlz_admissions": "opnamen in een verpleeghuis (inwoners)",
        "price_informal": "mantelzorg € {informal} per uur",
        "price_wlz": "verpleeghuis € {wlz} per week",
        "price_personal": "wijkverpleging € {personal} per uur",
        "price_practical": "huishoudelijke hulp € {practical} per uur",
        "price_work": "verloren werk € {work} per ziekteweek",
    },
    "en": {
        "title": "Who pays and who gains (social cost-benefit)",
        "intro": "For each payer, what the scenario yields against the reference (a saving is positive, an extra "
        "cost negative), paired by seed, with the 95% interval below. The present value over the whole run is "
        "discounted at {rate} a year (the first year not). Prices: {prices}. What residents gain is shown in "
        "its own units below the line and is not part of the net total.",
        "payer": "Payer",
        "item": "Item",
        "pv": "Present value over the run",
        "year": "Year {year}",
        "municipality": "Municipality (Wmo)",
        "health_insurer": "Health insurer (Zvw)",
        "wlz": "Wlz (long-term care)",
        "carers": "Informal carers",
        "residents": "Residents (own units)",
        "total": "Net social benefit",
        "actions": "actions (respite care included)",
        "household_help": "household help",
        "wijkteam": "wijkteam",
        "wijkverpleging": "district nursing (wijkverpleging)",
        "care_home": "care-home care",
        "informal_care": "informal care hours (shadow price)",
        "lost_work": "paid work lost through illness",
        "net_social_benefit": "sum over the payers",
        "payer_total": "subtotal",
        "unmet_need": "unmet care need (hours; year or run)",
        "severely_lonely": "severely lonely adults (pp; mean year)",
        "lonely": "lonely adults (pp; mean year)",
        "wlz_admissions": "admissions to a care home (residents)",
        "price_informal": "informal care € {informal} an hour",
        "price_wlz": "care home € {wlz} a week",
        "price_personal": "district nursing € {personal} an hour",
        "price_practical": "household help € {practical} an hour",
        "price_work": "lost work € {work} a week ill",
    },
}


def html_section(table: pd.DataFrame, lang: str, years: Sequence[int]) -> str:
    """The report's section on the cost-benefit table: per arm, rows by payer, columns ``years`` (as the table
    counts them) and the present value."""
    from samenkracht.analysis.formatting import number, percent

    t = TEXT[lang]
    e = html.escape
    p = table.attrs.get("prices") or resolve_prices()
    rate = table.attrs.get("discount_rate", p["discount_rate"])
    prices = ", ".join(
        [
            t["price_informal"].format(informal=number(p["informal_care_eur_per_hour"], 2, lang)),
            t["price_personal"].format(personal=number(p["personal_care_eur_per_hour"], 2, lang)),
            t["price_practical"].format(practical=number(p["practical_help_eur_per_hour"], 2, lang)),
            t["price_wlz"].format(wlz=number(p["wlz_eur_per_week"], 0, lang)),
            t["price_work"].format(work=number(p["lost_work_eur_per_week"], 0, lang)),
        ]
    )
    parts = [f"<p>{e(t['intro'].format(rate=percent(rate, 2, lang), prices=prices))}</p>"]
    periods = [str(y) for y in years] + [PRESENT_VALUE]
    head = "".join(f"<th>{e(t['pv'] if q == PRESENT_VALUE else t['year'].format(year=q))}</th>" for q in periods)

    def cell(r: pd.Series | None) -> str:
        if r is None:
            return '<td class="num">—</td>'
        digits = 0 if r["unit"] != "pp" else 2
        prefix = "€ " if r["unit"] == "eur" else ""
        sig = (r["ci_low"] > 0 or r["ci_high"] < 0) and not math.isnan(r["ci_low"])
        return (
            f'<td class="num{" sig" if sig else ""}">{prefix}{number(r["mean"], digits, lang, sign=True)}<br><small>'
            f"{number(r['ci_low'], digits, lang)} – {number(r['ci_high'], digits, lang)}</small></td>"
        )

    for arm in pd.unique(table["arm"]):
        rows = table[table["arm"] == arm]
        index = {(r["payer"], r["item"], r["period"]): r for _, r in rows.iterrows()}
        body = []
        for payer in (*PAYERS, TOTAL, RESIDENTS):
            items = list(pd.unique(rows.loc[rows["payer"] == payer, "item"]))
            for item in items:
                name = t["payer_total"] if item == TOTAL else t.get(item, item)
                cls = ' class="ref"' if item in (TOTAL, "net_social_benefit") else ""
                cells = "".join(cell(index.get((payer, item, q))) for q in periods)
                body.append(f"<tr{cls}><th>{e(t[payer])}</th><td>{e(name)}</td>{cells}</tr>")
        reference = rows["reference"].iloc[0] if len(rows) else ""
        parts.append(
            f"<h3>{e(str(arm))} − {e(str(reference))}</h3><table><tr><th>{e(t['payer'])}</th>"
            f"<th>{e(t['item'])}</th>{head}</tr>{''.join(body)}</table>"
        )
    return "".join(parts)


__all__ = [
    "ITEMS",
    "OUTCOMES",
    "PAYERS",
    "PRESENT_VALUE",
    "benefits",
    "cost_benefit_table",
    "discount_factors",
    "html_section",
    "net_social_benefit",
    "prices_of_run",
    "resolve_prices",
    "yearly_costs",
]
