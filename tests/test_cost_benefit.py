"""The social cost-benefit view: a hand-computed present value on a tiny frame, the table balancing (the payers add
up to the net total, per seed and per year), the municipality's items adding up to what the model books, bad
prices refused, and the comparison writing cost_benefit.csv and its report section in both languages."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from samenkracht.analysis.cost_benefit import (
    PAYERS,
    PRESENT_VALUE,
    TOTAL,
    cost_benefit_table,
    html_section,
    net_social_benefit,
    resolve_prices,
    yearly_costs,
)
from samenkracht.tools.outputs import yearly_summary

PRICES = {
    "practical_help_eur_per_hour": 30.0,
    "personal_care_eur_per_hour": 60.0,
    "wlz_eur_per_week": 1000.0,
    "informal_care_eur_per_hour": 20.0,
    "lost_work_eur_per_week": 500.0,
}


def tiny_summary(**columns: list[float]) -> pd.DataFrame:
    """A yearly summary of two years with every column the view reads (zero unless given)."""
    base = {
        "year": [0, 1],
        "weeks": [52, 52],
        "cost_respite_care_eur": [0.0, 0.0],
        "formal_practical_hours": [0.0, 0.0],
        "wijkteam_cost_eur": [0.0, 0.0],
        "formal_personal_hours": [0.0, 0.0],
        "wlz_resident_weeks": [0.0, 0.0],
        "informal_hours": [0.0, 0.0],
        "carer_ill_weeks": [0.0, 0.0],
        "unmet_hours": [0.0, 0.0],
        "severely_lonely_share": [0.0, 0.0],
        "lonely_share": [0.0, 0.0],
        "wlz_admissions": [0.0, 0.0],
    }
    base.update(columns)
    return pd.DataFrame(base)


def test_net_social_benefit_of_a_tiny_case_by_hand():
    ref = tiny_summary(wlz_resident_weeks=[104.0, 104.0], informal_hours=[10.0, 10.0])
    scen = tiny_summary(
        cost_respite_care_eur=[5000.0, 5000.0],  # the action costs the municipality €5,000 a year
        wlz_resident_weeks=[52.0, 0.0],  # one care-home stay less in year 0, two in year 1
        informal_hours=[11.0, 12.0],  # carers give 1 and 2 hours a week more
        carer_ill_weeks=[0.0, 2.0],
    )
    # year 0: −5,000 (actions) + 52·1,000 (Wlz) − 52·1·20 (informal hours) = 45,960
    # year 1: −5,000 + 104·1,000 − 52·2·20 − 2·500 = 95,920, discounted by 1.1
    expected = 45_960.0 + 95_920.0 / 1.1
    assert net_social_benefit(scen, ref, PRICES, discount_rate=0.1) == pytest.approx(expected)
    assert net_social_benefit(scen, ref, PRICES, discount_rate=0.0) == pytest.approx(45_960.0 + 95_920.0)
    assert net_social_benefit(ref, ref, PRICES) == 0.0
    # the default rate is the table's (2.25%)
    assert net_social_benefit(scen, ref, PRICES) == pytest.approx(45_960.0 + 95_920.0 / 1.0225)


def test_prices_default_to_the_costs_table_and_unknown_names_are_refused():
    p = resolve_prices()
    assert p["discount_rate"] == pytest.approx(0.0225)
    assert 15 <= p["informal_care_eur_per_hour"] <= 25
    with pytest.raises(ValueError, match="no price 'informal_eur'"):
        resolve_prices({"informal_eur": 3.0})


def test_a_summary_without_a_column_is_refused_by_name():
    broken = tiny_summary().drop(columns="wlz_resident_weeks")
    with pytest.raises(ValueError, match="wlz_resident_weeks"):
        net_social_benefit(broken, tiny_summary())


def _random_frame(seeds: int = 4, years: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    rows = []
    for arm in ("baseline", "respite_care", "carer_support"):
        for seed in range(1, seeds + 1):
            for year in range(1, years + 1):
                row = tiny_summary().iloc[0].to_dict()
                row.update({c: float(rng.uniform(0, 500)) for c in row if c not in ("year", "weeks")})
                row.update({"arm": arm, "seed": seed, "year": year, "weeks": 52})
                rows.append(row)
    return pd.DataFrame(rows)


def test_cost_benefit_table_balances_payers_against_the_net_total():
    frame = _random_frame()
    table = cost_benefit_table(frame, ["baseline", "respite_care", "carer_support"], "baseline", PRICES, 0.03)
    assert set(table["arm"]) == {"respite_care", "carer_support"}
    for _, rows in table[table["unit"] == "eur"].groupby(["arm", "period"]):
        by = rows.set_index(["payer", "item"])
        payers = sum(by.loc[(payer, TOTAL), "mean"] for payer in PAYERS)
        assert payers == pytest.approx(by.loc[(TOTAL, "net_social_benefit"), "mean"], rel=1e-12, abs=1e-6)
        for payer in PAYERS:  # each payer's items add up to its subtotal
            items = by.loc[payer].drop(index=TOTAL)["mean"].sum()
            assert items == pytest.approx(by.loc[(payer, TOTAL), "mean"], rel=1e-12, abs=1e-6)
    # the present value of the net total is, seed by seed, net_social_benefit of that seed's pair
    per_seed = []
    for seed in range(1, 5):
        scen = frame[(frame["arm"] == "respite_care") & (frame["seed"] == seed)]
        ref = frame[(frame["arm"] == "baseline") & (frame["seed"] == seed)]
        per_seed.append(net_social_benefit(scen, ref, PRICES, 0.03))
    pv = table[
        (table["arm"] == "respite_care") & (table["item"] == "net_social_benefit") & (table["period"] == PRESENT_VALUE)
    ].iloc[0]
    assert pv["mean"] == pytest.approx(float(np.mean(per_seed)))
    assert pv["ci_low"] < pv["mean"] < pv["ci_high"]
    assert pv["n_pairs"] == 4


def test_residents_outcomes_are_beside_the_money_not_in_it():
    frame = _random_frame()
    table = cost_benefit_table(frame, ["baseline", "respite_care"], "baseline", PRICES)
    residents = table[table["payer"] == "residents"]
    assert set(residents["item"]) == {"unmet_need", "severely_lonely", "lonely", "wlz_admissions"}
    assert (residents["unit"] != "eur").all()
    unmet = residents[(residents["item"] == "unmet_need") & (residents["period"] == "1")].iloc[0]
    scen = frame[(frame["arm"] == "respite_care") & (frame["year"] == 1)].set_index("seed")
    ref = frame[(frame["arm"] == "baseline") & (frame["year"] == 1)].set_index("seed")
    assert unmet["mean"] == pytest.approx(float(((scen["unmet_hours"] - ref["unmet_hours"]) * 52).mean()))


def test_municipality_items_add_up_to_what_the_model_books(baseline_run):
    model, weekly = baseline_run
    summary = yearly_summary(weekly, model.yearly)
    costs = yearly_costs(summary, {})
    municipality = costs[[c for c in costs.columns if c.startswith("municipality/")]].sum(axis=1)
    assert np.allclose(municipality.to_numpy(), summary["municipal_cost_eur"].to_numpy(), rtol=1e-9)
    insurer = costs["health_insurer/wijkverpleging"] + costs["municipality/household_help"]
    assert np.allclose(insurer.to_numpy(), summary["formal_cost_eur"].to_numpy(), rtol=1e-9)
    assert (costs["carers/informal_care"] > 0).all()


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_report_section_in_each_language(lang):
    frame = _random_frame()
    table = cost_benefit_table(frame, ["baseline", "respite_care"], "baseline", PRICES)
    section = html_section(table, lang, [1, 3])
    words = {"nl": ("Contante waarde", "Gemeente (Wmo)", "Jaar 3"), "en": ("Present value", "Municipality", "Year 3")}
    for word in words[lang]:
        assert word in section
    assert "respite_care − baseline" in section
    assert not math.isnan(table["mean"].sum())
