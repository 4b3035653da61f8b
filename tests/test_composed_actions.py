"""Actions composed in a scenario file from documented levers: they act through the same machinery as the
registered actions (scheduled, limited to wijken, costed), change what their levers touch and nothing before
they start, and bad entries are refused on the command line with the list of levers (exit 2, nothing written).
"""

from __future__ import annotations

import functools
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import make_small_config, run_model

from samenkracht.sim.actions import ComposedAction, build_actions, lever_ranges
from samenkracht.sim.config import ScenarioConfig
from samenkracht.sim.errors import InputError
from samenkracht.sim.levers import composable_levers, iter_levers
from samenkracht.sim.time import WEEKS_PER_YEAR

#: The composed action of the scenario-file documentation: a monthly carers' café in the library.
CAFE = {
    "kind": "composed",
    "partner": "buurtcentrum",
    "description": "Een maandelijks mantelzorgcafé in de bibliotheek",
    "start_year": 1,
    "wijken": ["wijk_2", "wijk_3"],
    "effects": {"tie_formation_factor": 1.3, "support_capacity": 0.2},
    "eur_per_year_per_1000": 900,
}
RUN = {"population.size": 1000, "population.wijken": 4, "years": 3, "burn_in_weeks": 8, "seed": 7}
#: The café's cost column (each action's spending is a column of its own).
COST_COLUMN = "cost_mantelzorgcafe_eur"


@functools.cache
def _runs() -> tuple[object, pd.DataFrame, pd.DataFrame]:
    """(model with the café, its weekly table, the baseline's weekly table), same seed and size."""
    model, with_cafe = run_model(make_small_config(RUN, **{"scenario.actions": {"mantelzorgcafe": CAFE}}))
    _, baseline = run_model(make_small_config(RUN))
    return model, with_cafe, baseline


def test_composed_action_changes_nothing_before_its_start_year():
    _, with_cafe, baseline = _runs()
    before = with_cafe["year"] < CAFE["start_year"]
    assert before.sum() == WEEKS_PER_YEAR
    shared = [c for c in baseline.columns if c in with_cafe.columns]
    pd.testing.assert_frame_equal(with_cafe.loc[before, shared], baseline.loc[before, shared])
    assert (with_cafe.loc[before, COST_COLUMN] == 0).all()


def test_composed_action_changes_the_indicators_its_levers_touch():
    model, with_cafe, baseline = _runs()
    after = with_cafe["year"] >= CAFE["start_year"]
    # support_capacity: carers taken on by the carer-support step, which runs for the composed action.
    assert with_cafe.loc[after, "carers_supported_by_action"].sum() > 0
    assert baseline["carers_supported_by_action"].sum() == 0
    # tie_formation_factor: more new weak ties, so more ties in the later years.
    later = with_cafe["year"] == RUN["years"] - 1
    assert with_cafe.loc[later, "ties"].mean() > baseline.loc[later, "ties"].mean()
    # The levers are pulled in the wijken it covers only, at the strengths given (and the support companion).
    lv = model.levers
    np.testing.assert_allclose(lv.tie_formation_factor, [1.0, 1.3, 1.3, 1.0])
    assert (lv.support_capacity[[0, 3]] == 0).all() and (lv.support_capacity[[1, 2]] > 0).all()
    np.testing.assert_array_equal(lv.support_relief_weeks, [0, 26, 26, 0])


def test_composed_action_costs_its_rate_per_1000_residents_of_its_wijken():
    model, with_cafe, _ = _runs()
    last = with_cafe[with_cafe["year"] == RUN["years"] - 1]
    s = model.state
    residents = np.bincount(s.wijk[s.alive], minlength=model.n_wijken)[[1, 2]].sum()
    weekly = CAFE["eur_per_year_per_1000"] * residents / 1000 / WEEKS_PER_YEAR
    assert last[COST_COLUMN].iloc[-1] == pytest.approx(weekly, rel=1e-9)
    assert (last["municipal_cost_eur"] > 0).all()


def test_composed_respite_equals_the_ready_made_respite_action():
    """Same lever at the same strength, same numbers: a composed action is no different machinery."""
    small = {"population.size": 600, "years": 1, "burn_in_weeks": 4}
    composed = {"kind": "composed", "partner": "zorg_welzijn", "effects": {"respite_hours": 20}, "eur_per_year": 0}
    _, a = run_model(make_small_config(small, **{"scenario.actions": {"respite": composed}}))
    _, b = run_model(make_small_config(small, **{"scenario.actions": {"respite_care": {}}}))
    columns = [c for c in a.columns if not c.startswith("cost_") and c != "municipal_cost_eur"]
    pd.testing.assert_frame_equal(a[columns], b[columns])
    assert b["respite_hours"].sum() > 0


def test_budget_cap_scales_a_composed_action_down():
    small = {"population.size": 600, "years": 1, "burn_in_weeks": 4}
    entry = {**CAFE, "start_year": 0, "wijken": "all", "eur_per_year": 10_000}
    capped = {"scenario.actions": {"cafe": entry}, "scenario.budget_eur_per_year": 5000}
    _, df = run_model(make_small_config(small, **capped))
    assert df["budget_level"].max() < 0.5


def test_every_composable_lever_declares_words_range_and_companions_that_are_levers():
    names = {name for name, _ in iter_levers()}
    for name, meta in iter_levers():
        assert meta["nl"] and meta["en"] and meta["nl"] != meta["en"], name
    for name, meta in composable_levers().items():
        assert meta["lo"] <= meta["suggested"] <= meta["hi"], name
        assert set(meta["companions"]) <= names, name


def _build(entry: dict) -> None:
    build_actions(ScenarioConfig(actions={"eigen": entry}), ["wijk_1", "wijk_2"])


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"effects": {"meer_koffie": 1.0}}, "effects.meer_koffie: not a lever"),
        ({"effects": {"tie_formation_factor": 9.0}}, "outside its range 0.5–4"),
        ({"effects": {"shop_signal": True}}, "is not a number"),
        ({"effects": {}}, "give what the action does"),
        ({"eur_per_year_per_1000": None}, "give the action's cost"),
        ({"eur_per_year_per_1000": -5}, "give euros a year"),
        ({"partner": "bakker"}, "partner='bakker'"),
        ({"kind": "samengesteld"}, "kind='samengesteld'"),
        ({"colour": "red"}, "colour: unknown setting"),
        ({"start_year": 2, "end_year": 1}, "must be after start_year"),
    ],
)
def test_bad_composed_entries_are_refused_naming_the_problem(change, words):
    entry = {**CAFE, "wijken": ["wijk_2"], **change}
    entry = {k: v for k, v in entry.items() if v is not None}
    with pytest.raises(InputError, match=re.escape(words)):
        _build(entry)


def test_a_good_composed_entry_builds_a_composed_action():
    _build({**CAFE, "wijken": ["wijk_2"]})
    (action,) = build_actions(ScenarioConfig(actions={"cafe": CAFE}), ["wijk_1", "wijk_2", "wijk_3"])
    assert isinstance(action, ComposedAction)
    assert action.labels["nl"].partner == "het buurtcentrum"
    assert [k.action_name for k in action.stepping_kinds()] == ["carer_support"]


@pytest.mark.parametrize(
    ("effects", "cost", "words"),
    [
        ({"meer_koffie": 1.0}, {"eur_per_year_per_1000": 900}, "not a lever a composed action can pull"),
        ({"tie_formation_factor": 9.0}, {"eur_per_year_per_1000": 900}, "outside its range"),
        ({"tie_formation_factor": 1.3}, {}, "give the action's cost"),
    ],
)
def test_command_line_refuses_a_bad_composed_action_with_the_lever_list(tmp_path: Path, effects, cost, words):
    entry = {k: v for k, v in CAFE.items() if k != "eur_per_year_per_1000"} | {"effects": effects} | cost
    (tmp_path / "conf" / "scenario").mkdir(parents=True)
    scenario = {"name": "eigen", "actions": {"mantelzorgcafe": entry}}
    (tmp_path / "conf" / "scenario" / "eigen.yaml").write_text(yaml.safe_dump(scenario), encoding="utf-8")
    script = Path(sys.executable).parent / "samenkracht"
    run = subprocess.run(
        [str(script), f"hydra.searchpath=[file://{tmp_path / 'conf'}]", "scenario=eigen", "years=1"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2, run.stderr
    assert words in run.stderr
    assert lever_ranges() in run.stderr
    assert not (tmp_path / "outputs").exists()
