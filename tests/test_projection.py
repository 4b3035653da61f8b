"""The simulated age structure against the CBS population projection (conf/projection.yaml).

Each check runs the model (a small town with the preset's age structure) for 17 recorded years and compares the
growth of the number of residents aged 75+ and 80+ from year 0 to year 16 with the projection's growth over
16 years (2024 to 2040), within the margin the projection file states. The model's size is fixed, so a
count's growth is also its share's growth; docs/populations.md says what that leaves out.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from conftest import make_small_config, run_model

from samenkracht.tools.outputs import yearly_summary

CONF = Path(__file__).resolve().parents[1] / "conf"
PROJECTION = yaml.safe_load((CONF / "projection.yaml").read_text(encoding="utf-8"))
PRESETS = sorted(p.stem for p in (CONF / "population").glob("*.yaml"))
AGE_COLUMNS = [
    "residents_age_0_17",
    "residents_age_18_49",
    "residents_age_50_64",
    "residents_age_65_74",
    "residents_age_75_79",
    "residents_age_80_84",
    "residents_age_85_plus",
]


def projected_growth(group: str) -> float:
    start, end = PROJECTION["national"][f"age_{group}_plus_millions"]
    return end / start


def simulate(preset: str, size: int, seed: int):
    spec = yaml.safe_load((CONF / "population" / f"{preset}.yaml").read_text(encoding="utf-8"))
    overrides = {"population.size": size, "years": PROJECTION["horizon_years"] + 1, "seed": seed}
    overrides["burn_in_weeks"] = 52
    for key in ("wijken", "age_shares"):
        if key in spec:
            overrides[f"population.{key}"] = spec[key]
    model, weekly = run_model(make_small_config(overrides))
    return yearly_summary(weekly, model.yearly).set_index("year")


def growth(summary, first: int, last: int) -> dict[str, float]:
    def old(year: int, from_age: int) -> float:
        """Residents of the age and over, at home and in care homes (CBS's projection counts both)."""
        cols = {75: AGE_COLUMNS[4:], 80: AGE_COLUMNS[5:]}[from_age]
        return float(summary.loc[year, cols].sum() + summary.loc[year, f"care_home_residents_{from_age}_plus"])

    return {"75": old(last, 75) / old(first, 75), "80": old(last, 80) / old(first, 80)}


def check_against_projection(preset: str, size: int, seeds: tuple[int, ...]) -> dict[str, float]:
    horizon = PROJECTION["horizon_years"]
    runs = [growth(simulate(preset, size, seed), 0, horizon) for seed in seeds]
    simulated = {k: float(np.mean([r[k] for r in runs])) for k in ("75", "80")}
    for group in ("75", "80"):
        target = projected_growth(group)
        low, high = target * (1 - PROJECTION["margin"]), target * (1 + PROJECTION["margin"])
        assert low <= simulated[group] <= high, (
            f"{preset}: residents aged {group}+ grow ×{simulated[group]:.2f} in {horizon} years; the CBS "
            f"projection ×{target:.2f} (allowed ×{low:.2f}–×{high:.2f})"
        )
    return simulated


def test_summary_has_the_age_groups_and_the_mantelzorg_potential():
    model, weekly = run_model(make_small_config({"population.size": 800, "years": 2}))
    summary = yearly_summary(weekly, model.yearly)
    for column in [*AGE_COLUMNS, "mantelzorg_potential"]:
        assert column in summary.columns, column
    row = summary.iloc[-1]
    assert row[AGE_COLUMNS].sum() == int(model.state.alive.sum())
    middle = row["residents_age_50_64"] + row["residents_age_65_74"]
    assert row["mantelzorg_potential"] == pytest.approx(middle / row["residents_age_85_plus"])


def test_default_population_ages_as_the_cbs_projection():
    """Default population, 4,000 residents, one seed: 75+ and 80+ grow as the Kernprognose says."""
    check_against_projection("default", 4000, (1,))


#: Presets whose own age shares, aged with national rates, do not follow the national growth within the margin
#: (measured with mortality_improvement 0.019, 5,000 residents, seeds 1–2: amstelveen 75+ ×1.33 but 80+ ×1.37;
#: hengelo 75+ ×1.31 and 80+ ×1.45, against 75+ ×1.31–×1.67 and 80+ ×1.56–×1.99): both start with more residents
#: aged 75+ and fewer aged 65–74 than the country (docs/populations.md).
#: Strict: if one starts to pass, take it off this list.
NOT_REACHED = {"amstelveen", "hengelo"}


@pytest.mark.slow
@pytest.mark.parametrize(
    "preset",
    [
        pytest.param(p, marks=pytest.mark.xfail(strict=True, reason="national growth not reached from this preset"))
        if p in NOT_REACHED
        else p
        for p in PRESETS
    ],
)
def test_every_preset_ages_as_the_cbs_projection(preset):
    """Every preset, 5,000 residents, two seeds."""
    check_against_projection(preset, 5000, (1, 2))
