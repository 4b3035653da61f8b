"""Speed work changes no result: a small fixed run reproduces the stored regression baseline (tests/baseline.json).

When a model change is meant to change results, update the baseline with
``python -m samenkracht.tools.regression --update`` (or ``make update-baseline``) and commit it.
"""

from __future__ import annotations

import json

import pytest

from samenkracht.tools import regression


@pytest.fixture(scope="module")
def fresh() -> dict:
    return regression.compute()


def test_fixed_run_reproduces_the_regression_baseline(fresh: dict) -> None:
    assert regression.BASELINE_PATH.exists(), f"no baseline file; create it with: {regression.UPDATE_COMMAND}"
    diff = regression.differences(regression.load(), fresh)
    assert not diff, (
        "the fixed run ("
        + ", ".join(f"{k}={v}" for k, v in regression.BASELINE_CONFIG.items())
        + ") differs from tests/baseline.json:\n  "
        + "\n  ".join(diff)
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


def test_counts_must_match_exactly_and_other_figures_to_a_relative_1e9(fresh: dict) -> None:
    counts = [c for c, values in fresh["summary"].items() if all(isinstance(v, int) for v in values)]
    assert "volunteer_matches" in counts and "carers" not in counts
    dust = json.loads(json.dumps(fresh))
    dust["summary"]["burden_mean"] = [v * (1 + 1e-12) for v in dust["summary"]["burden_mean"]]
    assert regression.differences(fresh, dust) == []
    off_by_one = json.loads(json.dumps(fresh))
    off_by_one["summary"]["volunteer_matches"][0] += 1
    off_by_one["written_on"] = {"numpy": "2.0", "baseline": ["X86_V2"], "found": ["X86_V3"]}
    diff = regression.differences(fresh, off_by_one)
    assert diff[0].startswith("volunteer_matches (a count: must match exactly): year 0:")
    assert any(line.startswith("stored on:") for line in diff) and any("found X86_V3" in line for line in diff)


def test_the_baseline_says_which_simd_extensions_it_was_written_with() -> None:
    stored = regression.load()["written_on"]
    assert set(stored) == {"numpy", "baseline", "found"} and stored["baseline"]


def test_update_writes_a_readable_baseline_atomically(fresh: dict, tmp_path) -> None:
    path = tmp_path / "baseline.json"
    regression.write(fresh, path)
    assert regression.load(path) == json.loads(json.dumps(fresh))
    assert [p.name for p in tmp_path.iterdir()] == ["baseline.json"]  # no temporary file left behind
