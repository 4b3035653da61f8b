"""`samenkracht-sensitivity`: Morris and Sobol find the parameter planted to matter most, resume, refuse bad input.

The planted setting: unmet care hours depend strongly on home-care capacity
(``wijkteam.home_care_fte_per_1000`` from 0 to 16 FTE per 1,000 residents) and
hardly on the share of bridging ties or the volunteers' age limit over the
narrow ranges given them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from samenkracht.tools.sensitivity import main

PLANTED = "wijkteam.home_care_fte_per_1000"
PARAMS = f"params={PLANTED}:0:16,contact.bridging_share:0.1:0.2,volunteers.max_age:75:80"
MODEL = ["population.size=300", "years=1", "burn_in_weeks=2"]


def analyse(out_dir: Path, *args: str) -> None:
    main([PARAMS, "indicators=unmet_hours", "plots=true", *MODEL, f"out_dir={out_dir}", *args])


def refused(capsys, tmp_path: Path, *args: str) -> str:
    """Run with bad input; assert exit 2 and nothing written; return the message."""
    out_dir = tmp_path / "never"
    with pytest.raises(SystemExit) as exit_info:
        main([*args, f"out_dir={out_dir}"])
    assert exit_info.value.code == 2
    assert not out_dir.exists()
    err = capsys.readouterr().err
    assert err.startswith("samenkracht-sensitivity: error: "), err
    return err


@pytest.fixture(scope="module")
def morris_run(tmp_path_factory) -> Path:
    out_dir = tmp_path_factory.mktemp("morris") / "analysis"
    analyse(out_dir, "method=morris", "morris.trajectories=4")
    return out_dir


def test_morris_ranks_the_planted_parameter_first(morris_run):
    indices = pd.read_csv(morris_run / "indices_morris.csv")
    ranked = indices[indices["indicator"] == "unmet_hours"].sort_values("rank")
    assert ranked["parameter"].iloc[0] == PLANTED
    assert ranked["mu_star"].iloc[0] > 10 * ranked["mu_star"].iloc[1]
    assert ranked["mu"].iloc[0] < 0, "more home care must lower unmet need"
    assert set(indices.columns) >= {"indicator", "parameter", "rank", "mu", "mu_star", "mu_star_conf", "sigma"}


def test_analysis_writes_samples_indices_plot_and_ranking(morris_run):
    samples = pd.read_parquet(morris_run / "samples.parquet")
    assert len(samples) == 4 * (3 + 1)
    assert list(samples.columns[:3]) == ["method", "sample", PLANTED]
    assert {"seed", "unmet_hours", "contact.bridging_share", "volunteers.max_age"} <= set(samples.columns)
    assert samples[PLANTED].between(0, 16).all()
    assert (morris_run / "morris.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (morris_run / "ranking.txt").read_text().splitlines()[2].strip().startswith(f"1. {PLANTED}")
    summary = json.loads((morris_run / "sensitivity.json").read_text())
    assert summary["complete"] is True and summary["runs"] == 16
    assert not list(morris_run.glob("*.partial.parquet"))


def test_sample_output_is_the_yearly_mean_of_a_plain_run(morris_run):
    """A design point's indicator is the same number a `samenkracht` run of those settings gives for that year."""
    from conftest import make_small_config, run_model

    row = pd.read_parquet(morris_run / "samples.parquet").iloc[5]
    config = make_small_config(
        {
            "population.size": 300,
            "years": 1,
            "burn_in_weeks": 2,
            "seed": int(row["seed"]),
            **{key: float(row[key]) for key in (PLANTED, "contact.bridging_share", "volunteers.max_age")},
        }
    )
    _, weekly = run_model(config)
    assert row["unmet_hours"] == pytest.approx(weekly["unmet_hours"].mean(), rel=1e-12)


def test_started_again_it_resumes_and_runs_only_missing_points(morris_run, tmp_path, capsys):
    out_dir = tmp_path / "again"
    out_dir.mkdir()
    for name in ("plan.json", "model_config.json"):
        (out_dir / name).write_bytes((morris_run / name).read_bytes())
    samples = pd.read_parquet(morris_run / "samples.parquet")
    samples.iloc[:10].to_parquet(out_dir / "samples.partial.parquet")  # as left by an interrupted analysis
    capsys.readouterr()
    analyse(out_dir, "method=morris", "morris.trajectories=4")
    out = capsys.readouterr().out
    assert "resuming: 10 design points already done" in out
    assert "running 6 design points" in out
    pd.testing.assert_frame_equal(pd.read_parquet(out_dir / "samples.parquet"), samples)
    pd.testing.assert_frame_equal(
        pd.read_csv(out_dir / "indices_morris.csv"), pd.read_csv(morris_run / "indices_morris.csv")
    )


def test_an_out_dir_of_another_analysis_is_refused(morris_run, tmp_path, capsys):
    out_dir = tmp_path / "other"
    out_dir.mkdir()
    (out_dir / "plan.json").write_bytes((morris_run / "plan.json").read_bytes())
    with pytest.raises(SystemExit) as exit_info:
        analyse(out_dir, "method=morris", "morris.trajectories=6")
    assert exit_info.value.code == 2
    assert "holds a different analysis" in capsys.readouterr().err
    assert sorted(p.name for p in out_dir.iterdir()) == ["plan.json"]


# -- bad input ---------------------------------------------------------------------------------------------------


def test_unknown_parameter_gets_the_same_message_as_the_run_command(tmp_path, capsys):
    from samenkracht.sim.config import SimConfig
    from samenkracht.sim.errors import InputError
    from samenkracht.tools.overrides import precheck

    err = refused(capsys, tmp_path, "params=burden.dropot_rate:0:0.1", *MODEL)
    with pytest.raises(InputError) as expected:
        precheck(["burden.dropot_rate=0.1"], Path(__file__).resolve().parent.parent / "conf", SimConfig)
    assert str(expected.value) in err
    assert "Did you mean 'burden.dropout_rate'?" in err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("params=burden.dropout_rate:0.1:0.05",), "lo < hi"),
        (("params=burden.dropout_rate:0.1:0.1",), "lo < hi"),
        (("params=burden.dropout_rate:0:2",), "from 0 to 1"),
        (("params=burden.dropout_rate:zero:1",), "two numbers"),
        (("params=scenario.name:0:1",), "not a number"),
        (("params=seed:1:9",), "seeds="),
        (("params=burden.dropout_rate:0:0.1", "indicators=unmet_hourz"), "did you mean 'unmet_hours'"),
        (("metod=sobol",), "did you mean 'method'"),
        (("method=fast",), "morris, sobol, both"),
        (("sobol.n=100",), "power of 2"),
        (("morris.trajectory=4",), "did you mean 'morris.trajectories'"),
        (("population.size=abc",), "population.size"),
        (("at_year=3",), "outside the 1 simulated year"),
        (("hydra.run.dir=x",), "out_dir="),
    ],
)
def test_bad_input_is_refused_with_exit_2(tmp_path, capsys, args, expected):
    err = refused(capsys, tmp_path, *args, *MODEL)
    assert expected.lower() in err.lower(), err


def test_console_script_refuses_bad_input_and_explains_itself(tmp_path):
    script = Path(sys.executable).parent / "samenkracht-sensitivity"
    if not script.is_file():
        pytest.skip("the console script is not installed (make venv)")
    bad = subprocess.run(
        [str(script), "params=burden.dropot_rate:0:0.1", f"out_dir={tmp_path / 'x'}"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert bad.returncode == 2, bad.stderr
    assert bad.stderr.startswith("samenkracht-sensitivity: error: params: unknown key 'burden.dropot_rate'")
    assert "Traceback" not in bad.stderr
    helped = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert helped.returncode == 0 and "params=KEY:LO:HI" in helped.stdout
    assert not (tmp_path / "x").exists() and not (tmp_path / "outputs").exists()


# -- slow: Sobol, and parallel runs ------------------------------------------------------------------------------


@pytest.mark.slow
def test_sobol_ranks_the_planted_parameter_first(tmp_path):
    analyse(tmp_path / "sobol", "method=sobol", "sobol.n=16")
    indices = pd.read_csv(tmp_path / "sobol" / "indices_sobol.csv")
    assert indices.sort_values("rank")["parameter"].iloc[0] == PLANTED
    st = indices.set_index("parameter")["ST"]
    # The planted parameter carries the variance; the others none. (The Saltelli estimate of ST at N=16 is noisy:
    # 0.79 ± 0.64 on the merged model of issues 15 and 17, so a fixed bar near 1 would test the noise.)
    assert st[PLANTED] > 0.5 and (st.drop(PLANTED) < 0.05).all(), st.to_dict()
    assert (tmp_path / "sobol" / "sobol.png").is_file()


@pytest.mark.slow
def test_parallel_runs_give_the_same_samples(morris_run, tmp_path):
    analyse(tmp_path / "parallel", "method=morris", "morris.trajectories=4", "jobs=2")
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "parallel" / "samples.parquet"), pd.read_parquet(morris_run / "samples.parquet")
    )
