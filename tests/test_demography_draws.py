"""The demography reads its weekly draws only where they are used (sim/mechanisms/demography.py): the residents whose
draws to look for a partner and to leave are read include every one who may do either."""

import numpy as np
import pytest

from samenkracht.sim.kernels_demography import aged
from samenkracht.sim.mechanisms.demography import _PARTNER_AGES, Demography
from samenkracht.sim.population import age_band


@pytest.mark.parametrize(
    "leave_rate",
    [
        [0.0, 0.06, 0.02, 0.005, 0.0, 0.0, 0.0],  # the default
        [0.0] * 7,  # nobody leaves
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.1],  # only the oldest (85+, no upper bound)
        [0.1] * 7,  # everybody (children do not: only adults leave)
        [0.0, 0.0, 0.0, 0.0, 0.0, 1e-9, 0.0],  # 75–84, a tiny chance
    ],
)
def test_the_draws_read_cover_all_who_may_partner_or_leave(leave_rate):
    rng = np.random.default_rng(4)
    n = 20000
    age = rng.uniform(0, 110, n)
    age[:200] = rng.choice([18.0, 22.0, 29.999, 30.0, 65.0, 74.999, 75.0, 85.0, 84.999], 200)
    alive = rng.random(n) < 0.97
    chance = np.asarray(leave_rate) / 52
    lo, hi = Demography._drawn_ages(chance)
    read = np.zeros(n, bool)
    read[aged(alive, age, lo, hi, True)] = True
    partner = alive & (age >= _PARTNER_AGES[0]) & (age <= _PARTNER_AGES[1])
    leave = alive & (age >= 18) & (chance[age_band(age)] > 0)
    assert not (partner & ~read).any() and not (leave & ~read).any()
    assert not (read & ~alive).any()
