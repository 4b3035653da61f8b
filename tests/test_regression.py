"""Speed work changes no result: a small fixed run reproduces the stored regression baseline (tests/baseline.json).

When a model change is meant to change results, update the baseline with
``python -m sim.regression --update`` (or ``make update-baseline``) and commit it.
"""

from __future__ import annotations

import json

import pytest

from sim import regression


@pytest.fixture(scope="module")
def fresh() -> dict:
    return regression.compute()


def test_fixed_run_reproduces_the_regression_baseline(fresh: dict) -> None:
    assert regression.BASELINE_PATH.exists(), f"no baseline file; create it with: {regression.UPDATE_COMMAND}"
    diff = regression.differences(regression.load(), fresh)
    assert not diff, (
        "the fixed run (" + ", ".join(f"{k}={v}" for k, v in regression.BASELINE_CONFIG.items())
        + ") differs from tests/baseline.json:\n  " + "\n  ".join(diff)
        + f"\nIf the change is intended, update the baseline with: {regression.UPDATE_COMMAND}"
    )


def test_baseline_comparison_names_the_columns_and_years_that_differ(fresh: dict) -> None:
    changed = json.loads(json.dumps(fresh))
    changed["summary"]["carers"][1] *= 1 + 1e-6
    changed["summary"]["extra"] = [0, 0, 0]
    diff = regression.differences(fresh, changed)
    assert any(line.startswith("carers: year 1:") for line in diff)
    assert any("extra" in line for line in diff)
    assert regression.differences(fresh, json.loads(json.dumps(fresh))) == []


def test_update_writes_a_readable_baseline_atomically(fresh: dict, tmp_path) -> None:
    path = tmp_path / "baseline.json"
    regression.write(fresh, path)
    assert regression.load(path) == json.loads(json.dumps(fresh))
    assert [p.name for p in tmp_path.iterdir()] == ["baseline.json"]  # no temporary file left behind
