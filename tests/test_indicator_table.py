"""The indicator table declares every output: each column of the weekly row and of summary.csv has an entry with
Dutch and English words, and the run command's headline, the page and the report take their words from it."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from samenkracht.analysis.formatting import number, percent
from samenkracht.sim import indicator_table
from samenkracht.sim.indicator_table import (
    EVENT_COLUMNS,
    INDICATORS,
    LANGUAGES,
    WEEKLY_COLUMNS,
    Label,
    indicator,
)
from samenkracht.sim.mechanisms.allocation import LAYERS
from tests.conftest import make_small_config, run_model


@pytest.fixture(scope="module")
def every_action_run():
    """A small run with every registered action switched on, so every column family has members."""
    from samenkracht.sim.actions import registry

    config = make_small_config(
        {"population.size": 300, "years": 1, "burn_in_weeks": 2, "scenario.actions": {name: {} for name in registry()}}
    )
    return run_model(config)


def _summary(run) -> pd.DataFrame:
    from samenkracht.tools.outputs import yearly_summary

    model, weekly = run
    return yearly_summary(weekly, model.yearly)


def _written(label: Label) -> bool:
    return all(isinstance(text, str) and text.strip() for text in (label.name, label.unit, label.yearly_unit))


def test_every_column_of_the_weekly_row_and_the_summary_has_an_entry_with_dutch_and_english_words(every_action_run):
    model, weekly = every_action_run
    columns = [*model.rows[0], *weekly.columns]
    for column in columns:
        declared = column in indicator_table.BY_NAME or any(
            family.member(column) for family in indicator_table.FAMILIES.values()
        )
        assert declared, f"weekly column '{column}' has no entry in the indicator table"
    columns += list(_summary(every_action_run).columns)
    assert any(c.startswith("cost_") for c in columns) and "family_friends_hours" in columns
    for column in columns:
        entry = indicator(column)
        assert _written(entry.nl) and _written(entry.en), column
        assert "{" not in entry.nl.name + entry.en.name, column
        assert entry.nl != entry.en or column in ("week",), column
    for entry in INDICATORS:
        for lang in LANGUAGES:
            assert _written(entry.label(lang)), (entry.name, lang)


def test_the_weekly_row_follows_the_table_and_the_contract_columns_come_first(every_action_run):
    model, weekly = every_action_run
    row = list(model.rows[0])
    expected = []
    for entry in INDICATORS:
        if entry.weekly is None:
            continue
        if entry.placeholder is None:
            expected.append(entry.name)
        else:
            expected += [c for c in row if entry.member(c) is not None]
    assert row == expected
    assert all(list(r) == row for r in model.rows)
    assert [c for c in row if indicator(c).weekly == "events"] == list(EVENT_COLUMNS)
    assert [c for c in row if indicator_table.FAMILIES["layer"].member(c)] == [f"{x}_hours" for x in LAYERS]
    assert list(weekly.columns) == [*WEEKLY_COLUMNS, *(c for c in row if c not in WEEKLY_COLUMNS)]


def test_the_summary_reduces_each_column_as_the_table_says(every_action_run):
    model, weekly = every_action_run
    summary = _summary(every_action_run)
    year = weekly[weekly["year"] == 0]
    for column in summary.columns:
        how = indicator(column).yearly
        got = summary[column].iloc[0]
        if how == "mean":
            assert got == pytest.approx(year[column].mean(), rel=1e-12), column
        elif how == "sum":
            assert got == pytest.approx(year[column].sum(), rel=1e-12), column
        elif how == "weeks":
            assert got == len(year)
        elif how == "year_end":
            assert got == model.yearly[0][column]
        else:
            assert how == "key" and got == 0, column
    from_weeks = [c for c in summary.columns if indicator(c).weekly is not None]
    assert sorted(from_weeks) == sorted(c for c in weekly.columns if c != "week")
    assert list(summary.columns[:2]) == ["year", "weeks"]


def test_shares_are_percentages_and_the_directions_of_improvement_are_right():
    for column in (
        "carrying_capacity",
        "heavily_burdened_share",
        "isolated_share",
        "severely_lonely_share",
        "gave_care_share",
    ):
        assert indicator(column).percent, column
    for column in ("unmet_hours", "burden_mean", "municipal_cost_eur", "carers"):
        assert not indicator(column).percent, column
    assert indicator("carrying_capacity").better == "higher" and indicator("informal_hours").better == "higher"
    for column in ("heavily_burdened_share", "unmet_hours", "isolated_share", "severely_lonely_share"):
        assert indicator(column).better == "lower", column


def test_an_undeclared_column_is_refused():
    for column in ("carer_happiness", "gardeners_hours"):
        with pytest.raises(KeyError, match="no entry in the indicator table"):
            indicator(column)
    assert indicator("cost_my_own_action_eur").en.name == "Cost of action my_own_action"
    assert indicator("family_friends_hours").nl.name == "Zorg uit de laag familie en vrienden"


def test_one_number_formatter_writes_dutch_and_english():
    assert number(1234567.891, 1, "nl") == "1.234.567,9" and number(1234567.891, 1, "en") == "1,234,567.9"
    assert number(-2.5, 1, "nl") == "\u22122,5" and number(2.5, 1, "en", sign=True) == "+2.5"
    assert number(float("nan"), 1, "en") == "—" and number(float("inf"), 0, "nl") == "∞"
    assert percent(0.1234, 1, "nl") == "12,3%" and percent(0.1234, 1, "en") == "12.3%"
    assert percent(0.654, 1, "en") == f"{0.654:.1%}" and number(1471493.4, 0, "en") == f"{1471493.4:,.0f}"


@pytest.fixture
def renamed(monkeypatch):
    """The table's words for heavily burdened carers replaced by marker words, for as long as a test runs."""
    entry = indicator("heavily_burdened_share")
    marked = dataclasses.replace(
        entry,
        nl=dataclasses.replace(entry.nl, name="Zwaar-NL-merk", unit="eenheid-NL"),
        en=dataclasses.replace(entry.en, name="Heavy-EN-mark", unit="unit-EN"),
    )
    monkeypatch.setitem(indicator_table.BY_NAME, "heavily_burdened_share", marked)
    indicator.cache_clear()
    yield marked
    indicator.cache_clear()


def test_the_headline_takes_its_words_from_the_table(renamed):
    from samenkracht.tools.run import HEADLINES, headline_label, headline_value

    assert "heavily_burdened_share" in HEADLINES
    assert headline_label("heavily_burdened_share") == "heavy-EN-mark"
    assert headline_label("unmet_hours") == "unmet care need, hours a week"
    assert headline_value("heavily_burdened_share", 0.116) == "11.6%"
    assert headline_value("municipal_cost_eur", 1471493.0) == "1,471,493"


def test_the_page_takes_its_words_from_the_table(renamed):
    from samenkracht.app.export import summary_text
    from samenkracht.app.figures import indicator_figure
    from samenkracht.app.run import PairedRun

    run = PairedRun(size=100, years=1, seed=3)
    for _ in range(3):
        run.step()
    for lang, name, unit in (("nl", "Zwaar-NL-merk", "eenheid-NL"), ("en", "Heavy-EN-mark", "unit-EN")):
        figure = indicator_figure(run, lang)
        titles = [ax.get_title() for ax in figure.axes]
        assert name in titles and unit in [ax.get_ylabel() for ax in figure.axes]
        assert indicator("carrying_capacity").label(lang).name in titles
        assert f"- {name}: " in summary_text(run, lang)


def test_the_report_takes_its_words_from_the_table(renamed):
    from samenkracht.analysis.compare import HEADLINE_INDICATORS, compare
    from samenkracht.analysis.report import render_html

    rows = [
        {
            "arm": arm,
            "seed": seed,
            "year": year,
            **{c: 0.1 + 0.01 * seed + (arm == "b") * 0.02 for c in HEADLINE_INDICATORS},
        }
        for arm in ("a", "b")
        for seed in (1, 2, 3)
        for year in (1, 2)
    ]
    cmp = compare(pd.DataFrame(rows), ["a", "b"], "a")
    for lang, name in (("nl", "Zwaar-NL-merk"), ("en", "Heavy-EN-mark")):
        html = render_html(cmp, lang, {}, [])
        assert name in html
        assert indicator("unmet_hours").label(lang).name in html
        assert indicator("municipal_cost_eur").label(lang).yearly_unit in html
