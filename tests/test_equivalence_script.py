"""The statistics of benchmarks/equivalence.py: the same model comes out equivalent, a shifted one does not, and
pairing by seed is measured as the narrowing it is."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

PATH = Path(__file__).resolve().parent.parent / "benchmarks" / "equivalence.py"


@pytest.fixture(scope="module")
def eq():
    spec = importlib.util.spec_from_file_location("equivalence_script", PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _seeds(n: int = 30, seed: int = 7) -> np.ndarray:
    return np.random.default_rng(seed).normal(0.6, 0.02, n)


def test_identical_samples_are_identical_and_equivalent(eq) -> None:
    x = _seeds()
    t = eq.compare_samples(x, x.copy(), eq.margin_for(x, x, x.mean(), 1.0, 0.01))
    assert t.identical and t.diff == 0 and t.welch_p == pytest.approx(1.0)
    assert t.equivalent and t.tost_p < 0.001


def test_two_draws_of_the_same_model_are_equivalent_not_identical(eq) -> None:
    a, b = _seeds(seed=1), _seeds(seed=2)
    t = eq.compare_samples(a, b, eq.margin_for(a, b, a.mean(), 1.0, 0.01))
    assert not t.identical and t.equivalent and t.welch_p > 0.05


def test_a_shift_of_two_sds_is_detected_and_not_equivalent(eq) -> None:
    a = _seeds(seed=1)
    b = _seeds(seed=2) + 2 * 0.02
    t = eq.compare_samples(a, b, eq.margin_for(a, b, a.mean(), 1.0, 0.01))
    assert t.welch_p < 0.001 and not t.equivalent
    assert t.ci_low < t.diff < t.ci_high and t.ci_low > 0


def test_quantities_that_do_not_vary_are_compared_exactly(eq) -> None:
    zero = np.zeros(30)
    same = eq.compare_samples(zero, zero, eq.margin_for(zero, zero, 0.6, 1.0, 0.01))
    assert same.margin == pytest.approx(0.006) and same.equivalent and same.welch_p == 1.0
    moved = eq.compare_samples(zero, zero + 0.01, 0.006)
    assert not moved.equivalent and moved.welch_p == 0.0
    within = eq.compare_samples(zero, zero + 0.001, 0.006)
    assert within.equivalent


def test_pairing_by_seed_narrows_by_the_shared_part(eq) -> None:
    rng = np.random.default_rng(3)
    base = rng.normal(0.6, 0.02, 30)
    paired = base + 0.01 + rng.normal(0, 0.002, 30)  # shares the baseline's seed-to-seed variation
    independent = rng.normal(0.61, 0.02, 30)
    assert eq.narrowing(paired, base) > 8
    assert eq.narrowing(independent, base) == pytest.approx(1.0, abs=0.4)
    assert math.isinf(eq.narrowing(base + 0.01, base))
    # Seeds that pull the two arms apart widen the paired difference: sqrt(2)·sd against 2·sd.
    assert eq.narrowing(1.2 - base, base) == pytest.approx(1 / math.sqrt(2))


def test_the_report_of_a_model_against_itself(eq) -> None:
    rng = np.random.default_rng(4)
    rows = []
    for seed in range(1, 31):
        for year in (1, 2, 3):
            base = {ind: rng.normal(0.5, 0.02) for ind in eq.INDICATORS}
            rows.append({"arm": "baseline", "seed": seed, "year": year, **base})
            rows.append({"arm": "action", "seed": seed, "year": year, **{k: v + 0.01 for k, v in base.items()}})
    frame = pd.DataFrame(rows)
    levels, effects, crn = eq.analyse(frame, frame.copy(), ["baseline", "action"], 1.0, 0.01)
    assert len(levels) == len(effects) == 4 * len(eq.INDICATORS)  # three years and "all"
    assert levels["identical"].all() and levels["equivalent"].all()
    assert effects["identical"].all() and effects["equivalent"].all()
    assert np.isinf(crn["old_narrowing"]).all() and np.isinf(crn["new_narrowing"]).all()
    header = {
        "old": "a",
        "new": "b",
        "seeds": 30,
        "arms": ["baseline", "action"],
        "size": 100,
        "years": 3,
        "when": "now",
        "load": "0",
        "out": "x",
        "command": "c",
        "margin_sd": 1.0,
        "margin_rel": 0.01,
    }
    text = eq.markdown(levels, effects, crn, header)
    assert "not shown equivalent" not in text
    assert f"{len(eq.INDICATORS)} of {len(eq.INDICATORS)} levels" in text
