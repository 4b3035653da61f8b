"""Simulated years: the ageing trend, moving households, shocks and recovery, and the carer cascade."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from conftest import make_small_config, run_model

from samenkracht.analysis.resilience import resilience
from samenkracht.sim import residents
from samenkracht.sim.mechanisms.shock import ShockParams
from samenkracht.sim.model import CareNetworkModel
from samenkracht.sim.ties import KIND_CODE

SEEDS = (1, 2, 3)


def _yearly(df, column):
    return df.groupby("year")[column].mean()


@pytest.fixture(scope="module")
def by_trend() -> dict[float, dict[str, list[float]]]:
    """Per ageing trend (mortality improvement): per seed, carrying capacity and need over the first and the last
    three of ten years, and the share of residents aged 75+ at the end (1,200 residents)."""
    out = {}
    for trend in (0.01, 0.05):
        runs: dict[str, list[float]] = {"first_cc": [], "last_cc": [], "first_need": [], "last_need": [], "old": []}
        for seed in SEEDS:
            model, df = run_model(
                make_small_config(
                    {
                        "population.size": 1200,
                        "years": 10,
                        "seed": seed,
                        "demography.mortality_improvement": trend,
                    }
                )
            )
            cc, need = _yearly(df, "carrying_capacity"), _yearly(df, "need_hours")
            runs["first_cc"].append(cc.iloc[:3].mean())
            runs["last_cc"].append(cc.iloc[-3:].mean())
            runs["first_need"].append(need.iloc[:3].mean())
            runs["last_need"].append(need.iloc[-3:].mean())
            runs["old"].append(float((model.state.age[model.state.alive] >= 75).mean()))
        out[trend] = runs
    return out


def test_ageing_trend_raises_need_over_the_years(by_trend):
    """With the ageing trend (mortality improvement) need rises over the years; a stronger trend means more
    residents aged 75+ and more need."""
    for trend, r in by_trend.items():
        assert np.mean(r["last_need"]) > np.mean(r["first_need"]), (trend, r["first_need"], r["last_need"])
    assert np.mean(by_trend[0.05]["old"]) > np.mean(by_trend[0.01]["old"])
    assert np.mean(by_trend[0.05]["last_need"]) > np.mean(by_trend[0.01]["last_need"])


@pytest.mark.xfail(
    strict=True,
    reason="not shown by the model calibrated with issue 14: over 10 years the share of need met informally holds "
    "while need rises (last 3 years minus first 3, 8 seeds of 4,000 residents: -0.27 points at trend 0.01, -0.15 "
    "at 0.05, seed to seed -3.5 to +2.2); at these seeds it rises (0.01: +0.4 points)",
)
def test_ageing_trend_lowers_carrying_capacity_over_the_years(by_trend):
    """The share met informally falls over the years. (At equal years a stronger trend does not lower carrying
    capacity by itself: partners who live longer keep caring. The decline was to come with the years: ageing,
    family moving away.)"""
    for trend, r in by_trend.items():
        assert np.mean(r["last_cc"]) < np.mean(r["first_cc"]), (trend, r["first_cc"], r["last_cc"])


def test_moving_household_loses_its_ties_outside_the_household_and_arrives_with_new_ids():
    model = CareNetworkModel(make_small_config({"population.size": 600, "years": 1}))
    s, ties = model.state, model.ties
    household = int(s.household[np.flatnonzero(s.alive & (s.age > 30))[0]])
    slots = np.flatnonzero(s.household == household)
    ids_before = s.person_id[slots].copy()
    mine = np.zeros(s.n, bool)
    mine[slots] = True
    outside = ties.alive & (mine[ties.u] ^ mine[ties.v])
    old_pairs = set(zip(ties.u[outside].tolist(), ties.v[outside].tolist()))
    residents.move_households(model.world, np.array([household]))
    touching = ties.alive & (mine[ties.u] | mine[ties.v])
    kinds = set(ties.kind[touching].tolist())
    assert KIND_CODE["friend"] not in kinds
    # Every tie outside the household is lost; the arrivals may bring family of their own (issue 14: some
    # newcomers move near a parent or child), tied anew.
    assert not old_pairs & set(zip(ties.u[touching].tolist(), ties.v[touching].tolist()))
    assert not set(s.person_id[slots].tolist()) & set(ids_before.tolist())
    assert (s.severity[slots] == 0).all()
    assert model.counters.households_moved == 1


def _shocked(kind: str, seed: int, **shock):
    config = make_small_config({"population.size": 1500, "years": 4, "seed": seed})
    shocked = replace(config, shock=ShockParams(kind=kind, start_year=1, **shock))
    _, with_shock = run_model(shocked)
    _, without = run_model(config)
    return with_shock, without


def test_professionals_leaving_raises_unmet_need_and_recovery_follows():
    for seed in SEEDS[:2]:
        with_shock, without = _shocked("professionals_leave", seed, size=0.5, duration_weeks=26, recovery_weeks=26)
        before = with_shock.week < 52
        assert (with_shock[before].unmet_hours.to_numpy() == without[before].unmet_hours.to_numpy()).all()
        during = (with_shock.week >= 52) & (with_shock.week < 78)
        assert with_shock[during].unmet_hours.mean() > without[during].unmet_hours.mean() * 1.2
        res = resilience(with_shock, 52, without).set_index("indicator")
        assert res.loc["unmet_hours", "fall"] > 0
        assert res.loc["unmet_hours", "recovered"], res
        assert res.loc["unmet_hours", "recovery_weeks"] < 150


def test_a_season_of_lost_contact_raises_loneliness_while_it_lasts():
    gaps = []
    for seed in SEEDS[:2]:
        with_shock, without = _shocked("lost_contact", seed, size=0.7, duration_weeks=26)
        during = (with_shock.week >= 60) & (with_shock.week < 78)
        gaps.append(with_shock[during].lonely_share.mean() - without[during].lonely_share.mean())
    assert min(gaps) > 0.01, gaps


def test_short_professional_capacity_sets_off_the_carer_cascade():
    """With little formal care, household carers stretch, more of them are overburdened, drop out or fall ill."""
    short = {"wijkteam.home_care_fte_per_1000": 2.0, "wijkteam.fte_per_1000": 0.2}
    base_events, short_events, base_unmet, short_unmet = [], [], [], []
    for seed in SEEDS:
        # No one moves into a care home here: the Wlz route takes the most exhausted networks out of the
        # community, so part of the cascade ends in admissions instead (tests/test_wlz.py).
        common = {"population.size": 1500, "years": 4, "seed": seed, "wlz.admission_rate": 0.0}
        _, base = run_model(make_small_config(common))
        _, lean = run_model(make_small_config({**common, **short}))
        base_events.append(base.dropouts.sum() + base.carer_illnesses.sum())
        short_events.append(lean.dropouts.sum() + lean.carer_illnesses.sum())
        base_unmet.append(base.unmet_hours.mean())
        short_unmet.append(lean.unmet_hours.mean())
    # Households already give practical help before formal care (network first), so the baseline's carers carry
    # more than when formal care took practical help over: the cascade adds about a fifth (1,500 residents).
    assert all(lean > base for lean, base in zip(short_events, base_events)), (base_events, short_events)
    assert np.mean(short_events) > 1.1 * np.mean(base_events), (base_events, short_events)
    assert np.mean(short_unmet) > np.mean(base_unmet), (base_unmet, short_unmet)


def test_unknown_shock_kind_is_refused_naming_the_kinds():
    from samenkracht.sim.errors import InputError

    with pytest.raises(InputError, match="professionals_leave"):
        make_small_config({"shock.kind": "earthquake"})
