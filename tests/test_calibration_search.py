"""The joint calibration search (``samenkracht-calibrate search=... out_dir=...``): every input checked before
anything runs or is written, the loss, a search that runs and resumes, and one run measuring several years."""

from __future__ import annotations

import io
from dataclasses import replace

import pandas as pd
import pytest
from conftest import make_small_config

from samenkracht.sim.mechanisms.allocation import AllocationParams
from samenkracht.tools.calibration import Result, Target, measure, run_records, run_seed
from samenkracht.tools.calibration import run as calibrate_command
from samenkracht.tools.calibration_search import BEST_FILE, STORAGE, TRIALS_FILE, loss_of

TINY = ["population.size=400", "burn_in_weeks=8", "seeds=1", "search_years=1"]


def _run(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = calibrate_command(args, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["search=allocation.friend_share:0.1:0.3"], ["out_dir=DIR"]),
        (["search=allocation.friend_share:0.1", "out_dir={out}"], ["KEY:LO:HI"]),
        (["search=allocation.friend_share:0.3:0.1", "out_dir={out}"], ["LO < HI"]),
        (["search=allocation.friend_shares:0.1:0.3", "out_dir={out}"], ["unknown key", "friend_share"]),
        (["search=demography.move_rate:0.1:0.3", "out_dir={out}"], ["not a number parameter"]),
        (["search=allocation.outside_care_ages.2:70:80", "out_dir={out}"], ["element 2"]),
        (
            ["search=allocation.outside_care_ages.0:70:80,allocation.outside_care_ages.1:85:95", "out_dir={out}"],
            ["one element"],
        ),
        (["search=allocation.friend_share:0.1:7", "out_dir={out}"], ["friend_share"]),
        (["search=allocation.friend_share:0.1:0.3,allocation.friend_share:0.1:0.2", "out_dir={out}"], ["listed twice"]),
        (["search=allocation.friend_share:0.1:0.3", "allocation.friend_share=0.2", "out_dir={out}"], ["one place"]),
        (["search=allocation.friend_share:0.1:0.3", "search_years=0", "out_dir={out}"], ["search_years=0"]),
        (["search=allocation.friend_share:0.1:0.3", "trials=0", "out_dir={out}"], ["trials=0"]),
    ],
)
def test_bad_search_input_exits_2_and_writes_nothing(tmp_path, args, words):
    out_dir = tmp_path / "search"
    args = [a.replace("{out}", str(out_dir)) for a in args]
    code, out, err = _run([*TINY, *args])
    assert code == 2, err
    assert err.startswith("samenkracht-calibrate: error: ") and "Traceback" not in err
    for w in words:
        assert w in err, err
    assert out == "" and not out_dir.exists()


def _result(lo: float, hi: float, values: list[float]) -> Result:
    return Result(Target("t", "gave_care_share", (lo + hi) / 2, lo, hi, "test"), values)


def test_loss_counts_distance_outside_in_range_widths_and_pulls_to_the_middle():
    middle, edge = _result(0.2, 0.4, [0.3]), _result(0.2, 0.4, [0.4])
    assert loss_of({3: [middle]}) == (pytest.approx(0.0, abs=1e-12), 0)
    assert loss_of({3: [edge]}) == (pytest.approx(0.01), 0)  # inside, at the edge: only the small pull
    below = _result(0.2, 0.4, [0.1])  # half a width below: 0.5² plus the pull of (0.2/0.1)²·0.01
    assert loss_of({3: [below]}) == (pytest.approx(0.25 + 0.04), 1)
    assert loss_of({3: [middle], 20: [below]})[1] == 1


def test_one_run_measures_several_years_as_separate_runs_would():
    config = make_small_config({"population.size": 500, "seed": 5, "burn_in_weeks": 8})
    records = run_records(config, [1, 2])
    alone = run_seed(replace(config, years=2), years=2)
    target = Target("t", "gave_care_share", 0.3, 0.0, 1.0, "test")
    assert measure(records[2], target) == measure(alone, target)
    assert measure(records[1], target) != measure(records[2], target)


def test_a_search_runs_from_the_defaults_and_resumes(tmp_path):
    out_dir = tmp_path / "search"
    args = [
        "search=allocation.friend_share:0.05:0.35,allocation.outside_care_ages.0:70:80",
        f"out_dir={out_dir}",
        *TINY,
    ]
    code, out, err = _run([*args, "trials=2"])
    assert code in (0, 1), err
    assert {STORAGE, TRIALS_FILE, BEST_FILE} <= {p.name for p in out_dir.iterdir()}
    first = pd.read_csv(out_dir / TRIALS_FILE)
    defaults = AllocationParams()  # the first trial is the configuration as given
    assert len(first) == 2 and first["allocation.friend_share"].iloc[0] == defaults.friend_share
    assert first["allocation.outside_care_ages.0"].iloc[0] == defaults.outside_care_ages[0]
    assert "Overrides: allocation.friend_share=" in out and "allocation.outside_care_ages=[" in out
    code, out, err = _run([*args, "trials=3"])
    assert "resuming" in err and "2 of 3 trials done" in err
    again = pd.read_csv(out_dir / TRIALS_FILE)
    assert len(again) == 3
    pd.testing.assert_frame_equal(again.iloc[:2], first)
    code, _, err = _run(["search=allocation.friend_share:0.1:0.3", f"out_dir={out_dir}", *TINY, "trials=3"])
    assert code == 2 and "other settings" in err
