"""The way into long-term care (Wlz): overburdened carers bring admissions, a carer's collapse and unmet need raise
the chance, an admitted resident leaves the community (ties gone, a newcomer in the home), the care homes cost
the Wlz their residents' weeks at the price, they start filled at the published share, their residents die within
the life table, and (slow) the share of the 80+ living in a care home stays near CBS's figure."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from conftest import make_small_config, run_model

from samenkracht.sim.mechanisms.wlz import OLD_AGE, WlzRoute, care_home_share
from samenkracht.sim.model import CareNetworkModel
from samenkracht.sim.time import WEEKS_PER_YEAR
from samenkracht.sim.tolerances import some_hours
from samenkracht.tools.outputs import yearly_summary

#: Carers pushed over the edge: lower burden bands, and the overburdened stop or fall ill much more often.
OVERBURDENED = {
    "burden.heavy_threshold": 4.0,
    "burden.over_threshold": 4.5,
    "burden.dropout_rate": 0.1,
    "burden.illness_rate": 0.02,
}
#: The CBS figures: about 13% of the 80+ lived in an institution in 2015 (10% of the 80–89, 32% of the 90+) and
#: about 11% in 2024 (128,686 in care homes, most of them 80+, of about 900,000); the margin the model keeps to.
CBS_SHARE_80_PLUS, MARGIN = 0.12, 0.03


def _wlz(model: CareNetworkModel) -> WlzRoute:
    return next(m for m in model.mechanisms if isinstance(m, WlzRoute))


def test_wlz_route_raises_admissions_when_carers_are_overburdened():
    base, over = [], []
    for seed in (1, 2, 3, 4):  # paired: the same seed, the same municipality, carers more fragile in one
        common = {"population.size": 2000, "years": 1, "burn_in_weeks": 8, "seed": seed}
        base.append(int(run_model(make_small_config(common))[1]["wlz_admissions"].sum()))
        over.append(int(run_model(make_small_config({**common, **OVERBURDENED}))[1]["wlz_admissions"].sum()))
    assert sum(b > a for a, b in zip(base, over)) >= 3, (base, over)
    assert sum(over) >= 1.3 * sum(base), (base, over)


def test_collapse_unmet_need_and_carer_burden_raise_the_chance():
    model = CareNetworkModel(make_small_config({"population.size": 1500, "burn_in_weeks": 8, "seed": 3}))
    world, wlz = model.world, _wlz(model)
    s, p = world.state, wlz.params
    eligible = np.flatnonzero(s.alive & (s.age >= p.min_age) & (s.severity >= p.need_threshold))
    assert eligible.size >= 5
    before = wlz.admission_rate(world, eligible)
    assert (before >= p.admission_rate).all()
    s.unmet[eligible] = s.need[eligible]  # no one gives them anything any more
    unmet = wlz.admission_rate(world, eligible)
    has_need = some_hours(s.need[eligible].sum(axis=1))
    assert (unmet[has_need] > before[has_need]).all()
    s.cooldown[:] = 10  # every carer of every household and family has just collapsed
    collapsed = wlz.admission_rate(world, eligible)
    _, fallen = wlz._carers(world, eligible)
    assert np.allclose(collapsed[fallen], unmet[fallen] * p.collapse_factor)


def test_admitted_residents_leave_the_community_and_their_carers_are_relieved():
    model = CareNetworkModel(make_small_config({"population.size": 1500, "burn_in_weeks": 8, "seed": 5}))
    world, wlz = model.world, _wlz(model)
    s, ties = world.state, world.ties
    wlz.params = dataclasses.replace(wlz.params, admission_rate=1e4)  # everyone eligible goes
    eligible = np.flatnonzero(s.alive & (s.age >= wlz.params.min_age) & (s.severity >= wlz.params.need_threshold))
    ids_before, homes_before = s.person_id[eligible].copy(), world.care_home_ages.size
    their_ties = np.flatnonzero(ties.alive & (np.isin(ties.u, eligible) | np.isin(ties.v, eligible)))
    ages = s.age[eligible].copy()
    world.begin_week()
    wlz.step(world)
    assert world.counters.wlz_admissions == eligible.size > 0
    assert (s.person_id[eligible] != ids_before).all()  # newcomers took their homes
    low, high = model.config.demography.newcomer_age
    assert ((s.age[eligible] >= low) & (s.age[eligible] <= high)).all()
    assert (s.severity[eligible] == 0).all() and (s.need[eligible] == 0).all()  # their need no longer counts
    assert their_ties.size > 0 and not ties.alive[their_ties].any()  # every tie of theirs is gone: carers relieved
    assert s.alive.sum() == s.n  # the number of places is fixed
    assert world.care_home_ages.size == homes_before + eligible.size  # they live on in the care homes
    assert np.array_equal(world.care_home_ages[homes_before:], ages)


def test_care_homes_cost_the_wlz_their_residents_weeks_at_the_price():
    model, weekly = run_model(make_small_config({"population.size": 1500, "years": 1, "seed": 2}))
    price = model.config.costs.wlz_eur_per_week
    assert (weekly["wlz_resident_weeks"] > 0).all()
    assert np.allclose(weekly["wlz_cost_eur"], weekly["wlz_resident_weeks"] * price)
    summary = yearly_summary(weekly, model.yearly)
    assert summary.loc[0, "care_home_residents"] == model.world.care_home_ages.size
    assert 0 < summary.loc[0, "care_home_share_80_plus"] < 0.5


@pytest.mark.parametrize("share", [0.0, 0.10, 0.25])
def test_care_homes_start_filled_at_the_initial_share(share):
    model = CareNetworkModel(
        make_small_config({"population.size": 2000, "burn_in_weeks": 0, "wlz.initial_share": share})
    )
    world = model.world
    s = world.state
    at_home = int((s.alive & (s.age >= OLD_AGE)).sum())
    assert world.care_home_ages.size == round(share / (1 - share) * at_home)
    assert care_home_share(world) == pytest.approx(share, abs=1.0 / max(at_home, 1))
    assert (world.care_home_ages >= OLD_AGE).all()


@pytest.mark.slow
def test_share_of_80_plus_in_a_care_home_is_near_the_cbs_figure():
    shares = []
    for seed in (1, 2, 3):
        model, weekly = run_model(
            make_small_config({"population.size": 6000, "years": 6, "burn_in_weeks": 52, "seed": seed})
        )
        shares.append(yearly_summary(weekly, model.yearly)["care_home_share_80_plus"].to_numpy())
    by_year = np.mean(shares, axis=0)
    assert abs(by_year.mean() - CBS_SHARE_80_PLUS) <= MARGIN, by_year
    assert abs(by_year[-1] - CBS_SHARE_80_PLUS) <= MARGIN + 0.01, by_year  # no drift out of the band


def test_deaths_at_home_and_in_care_homes_keep_the_life_table():
    """Moving the oldest into care homes, where they die faster, lowers deaths at home: the band's expected deaths
    at home and in care homes together stay the life table's."""
    from samenkracht.sim.mechanisms.demography import Demography, yearly_hazard
    from samenkracht.sim.population import age_band

    model = CareNetworkModel(make_small_config({"population.size": 2000, "burn_in_weeks": 8, "seed": 4}))
    world = model.world
    demography = next(m for m in model.mechanisms if isinstance(m, Demography))
    s, homes, week = world.state, world.care_home_ages, world.week
    assert homes.size > 0
    p_home, p_care = demography._death_probability(s, week, homes)
    old_band = age_band(np.array([90.0]))[0]
    at_home = s.alive & (age_band(s.age) == old_band)
    in_homes = age_band(homes) == old_band
    weekly = 1.0 - np.exp(-yearly_hazard(demography.params, s.age, week) / WEEKS_PER_YEAR)
    weekly_homes = 1.0 - np.exp(-yearly_hazard(demography.params, homes, week) / WEEKS_PER_YEAR)
    life_table = weekly[at_home].sum() + weekly_homes[in_homes].sum()
    simulated = p_home[at_home].sum() + p_care[in_homes].sum()
    assert simulated == pytest.approx(life_table, rel=0.01)
    assert p_care[in_homes].mean() > p_home[at_home].mean()
