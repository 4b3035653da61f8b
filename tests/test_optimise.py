"""samenkracht-optimise: bad input refused, a planted optimum found, budgets kept, a resumed search the same as an
uninterrupted one, and a Pareto front of points that do not dominate each other."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from samenkracht.tools import optimise

#: A scenario with two actions composed from levers at the same price: 'strong' triples the wijkteam's capacity and
#: buys respite hours (less unmet need), 'idle' multiplies tie formation by 1 (it changes nothing).
PLANTED = """\
name: planted
description: Two composed actions at the same price, one strong and one without any effect.
actions:
  strong:
    kind: composed
    partner: zorg_welzijn
    title: Strong
    effects: {wijkteam_fte_factor: 3.0, respite_hours: 200}
    eur_per_year: 10000
  idle:
    kind: composed
    partner: burgerinitiatief
    title: Idle
    effects: {tie_formation_factor: 1.0}
    eur_per_year: 10000
"""
SMALL = ["population.size=200", "years=2", "burn_in_weeks=8"]


def _main(args: list[str]) -> None:
    logging.getLogger("MESA").setLevel(logging.WARNING)
    optimise.main(args)


def _planted_dir(tmp_path: Path) -> Path:
    conf = tmp_path / "conf"
    (conf / "scenario").mkdir(parents=True)
    (conf / "scenario" / "planted.yaml").write_text(PLANTED)
    return conf


# -- bad input -------------------------------------------------------------------------------------------------------

BAD = {
    "unknown_objective": (["budget_eur_per_year=1000", "objective=happiness"], ["objective=happiness", "unmet_hours"]),
    "unknown_action": (["budget_eur_per_year=1000", "actions=respite_care,teleport"], ["'teleport'", "respite_care"]),
    "budget_zero": (["budget_eur_per_year=0"], ["budget_eur_per_year=0", "above 0"]),
    "budget_negative": (["budget_eur_per_year=-5000"], ["above 0"]),
    "budget_text": (["budget_eur_per_year=lots"], ["budget_eur_per_year=lots"]),
    "budget_missing": (["objective=unmet_hours"], ["budget_eur_per_year=EUR"]),
    "seeds_zero": (["budget_eur_per_year=1000", "seeds=0"], ["seeds", "too small"]),
    "trials_zero": (["budget_eur_per_year=1000", "trials=0"], ["trials", "too small"]),
    "fresh_seeds_text": (["budget_eur_per_year=1000", "fresh_seeds=many"], ["fresh_seeds", "whole number"]),
    "bad_model_key": (["budget_eur_per_year=1000", "population.sise=300"], ["population.sise", "size"]),
    "bad_population": (["budget_eur_per_year=1000", "population=atlantis"], ["atlantis", "amstelveen"]),
    "bad_model_value": (["budget_eur_per_year=1000", "population.size=-5"], ["population.size"]),
    "misspelt_own_key": (["budget_eur_per_year=1000", "trails=5"], ["trails", "trials"]),
    "seed_singular": (["budget_eur_per_year=1000", "seed=3"], ["seeds="]),
    "language": (["budget_eur_per_year=1000", "lang=fr"], ["lang=fr"]),
    "multirun_flag": (["-m", "budget_eur_per_year=1000"], ["-m"]),
    "budget_too_small": (["budget_eur_per_year=1", *SMALL, "years=1"], ["no action fits the budget"]),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_exits_2_with_a_message_and_writes_nothing(case, tmp_path, monkeypatch, capsys):
    args, words = BAD[case]
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exit_info:
        _main([*args, f"out_dir={out}"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("samenkracht-optimise: error: ") and "Traceback" not in err, err
    for word in words:
        assert word.lower() in err.lower(), (word, err)
    assert list(tmp_path.iterdir()) == [], "bad input wrote files"


def test_an_out_dir_of_another_search_is_refused(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "optimise.json").write_text(json.dumps({"settings": {"objective": "unmet_hours", "budget_eur_per_year": 5}}))
    before = sorted(p.name for p in out.iterdir())
    with pytest.raises(SystemExit) as exit_info:
        _main(["budget_eur_per_year=20000", *SMALL, "years=1", f"out_dir={out}"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "other settings" in err and "objective" in err and "budget_eur_per_year" in err, err
    assert sorted(p.name for p in out.iterdir()) == before


def test_net_social_benefit_is_an_objective_when_the_cost_benefit_module_is_there():
    from samenkracht.analysis.cost_benefit import net_social_benefit

    assert optimise._load_nsb("net_social_benefit") is net_social_benefit


def test_console_script_refuses_bad_input():
    script = Path(sys.executable).parent / "samenkracht-optimise"
    if not script.is_file():
        pytest.skip("console scripts not installed (pip install -e .)")
    proc = subprocess.run([str(script), "budget_eur_per_year=0"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and proc.stderr.startswith("samenkracht-optimise: error:"), proc.stderr
    assert "Traceback" not in proc.stderr


# -- pieces ----------------------------------------------------------------------------------------------------------


def test_pareto_front_keeps_exactly_the_points_no_other_beats():
    from samenkracht.analysis.optimise_report import pareto_front

    frame = pd.DataFrame(
        {
            "trial": range(7),
            "cost_eur_per_year": [0, 10, 10, 20, 25, 30, 30],
            "effect": [0.0, 1.0, 2.0, 2.0, 3.0, 2.5, 4.0],
        }
    )
    up = pareto_front(frame, "cost_eur_per_year", "effect", maximise=True)
    assert up["trial"].tolist() == [0, 2, 4, 6]
    down = pareto_front(frame, "cost_eur_per_year", "effect", maximise=False)
    assert down["trial"].tolist() == [0]


def test_a_level_multiplies_the_ready_made_setting_from_the_scenarios_entry():
    from samenkracht.sim.actions import registry

    default = next(
        f.default for f in dataclasses.fields(registry()["respite_care"].Params) if f.name == "hours_per_1000"
    )
    assert optimise.level_entry("respite_care", {}, 2.5)["hours_per_1000"] == pytest.approx(2.5 * default)
    entry = optimise.level_entry("respite_care", {"hours_per_1000": 30.0, "max_hours_per_carer": 4.0}, 2.0)
    assert entry["hours_per_1000"] == 60.0 and entry["max_hours_per_carer"] == 4.0  # the scenario's, scaled or kept
    assert optimise.level_entry("wijkteam", {"fte_factor": 1.5}, 2.0)["fte_factor"] == pytest.approx(2.0)  # the extra
    assert optimise.level_entry("respite_care", {"hours_per_1000": 9000.0}, 4.0)["hours_per_1000"] == 10_000  # its hi


# -- searches --------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    """One search over the planted scenario: budget for one of the two actions, objective unmet need."""
    tmp = tmp_path_factory.mktemp("planted")
    conf = _planted_dir(tmp)
    out = tmp / "out"
    args = [
        "budget_eur_per_year=15000",
        "objective=unmet_hours",
        f"hydra.searchpath=[file://{conf}]",
        "scenario=planted",
        "actions=strong,idle",
        *SMALL,
        "years=1",
        "seeds=2",
        "trials=3",
        "fresh_seeds=3",
        f"out_dir={out}",
    ]
    _main(args)
    return out


def test_the_search_finds_the_planted_optimum(planted):
    recommended = pd.read_csv(planted / "recommended.csv")
    answer = recommended[recommended["answer"]]
    assert len(answer) == 1
    row = answer.iloc[0]
    assert row["level_strong"] == 1.0 and row["level_idle"] == 0.0
    # on the fresh seeds too the strong action lowers unmet need
    assert row["fresh_unmet_hours_mean"] < 0
    trials = pd.read_parquet(planted / "trials.parquet")
    idle = trials[(trials["level_idle"] == 1.0) & (trials["level_strong"] == 0.0)]
    assert len(idle) and (idle["unmet_hours_mean"] == 0).all()  # an action that pulls no lever changes nothing


def test_a_mix_over_the_budget_is_never_the_answer(planted):
    trials = pd.read_parquet(planted / "trials.parquet")
    both = trials[(trials["level_strong"] == 1.0) & (trials["level_idle"] == 1.0)]
    assert len(both), "the sampler never proposed the mix over the budget; the test shows nothing"
    assert (both["status"] == optimise.PRICED_OUT).all() and (both["n_seeds"] == 0).all()
    assert not both["within_budget"].any()
    ran = trials[trials["n_seeds"] > 0]
    assert (ran["cost_peak_eur"] <= 15000 * (1 + 1e-9)).all()
    for name in ("recommended.csv", "pareto.csv"):
        table = pd.read_csv(planted / name)
        assert not ((table["level_strong"] == 1.0) & (table["level_idle"] == 1.0)).any(), name
    recommended = pd.read_csv(planted / "recommended.csv")
    assert (recommended.loc[recommended["answer"], "fresh_cost_peak_eur"] <= 15000 * (1 + 1e-9)).all()


def test_the_report_gives_the_fresh_intervals_and_the_contributions(planted):
    html = (planted / "report.html").read_text(encoding="utf-8")
    assert '<html lang="nl">' in html and "vloek van de winnaar" in html and "Strong" in html
    parts = pd.read_csv(planted / "contributions.csv")
    assert parts["action"].tolist() == ["strong"]
    assert parts["unmet_hours_mean"].iloc[0] < 0 and parts["cost_eur_per_year"].iloc[0] == pytest.approx(10000)
    assert (planted / "pareto.png").read_bytes()[:4] == b"\x89PNG"
    settings = json.loads((planted / "optimise.json").read_text())
    assert settings["complete"] is True


def _command(tmp: Path, out: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "samenkracht.tools.optimise",
        "budget_eur_per_year=40000",
        "objective=heavily_burdened_share",
        "actions=respite_care,carer_support,link_shopkeepers",
        *SMALL,
        "years=1",
        "seeds=2",
        "trials=14",  # more than the sampler's random start (N_STARTUP), so the search is stopped while it models
        "fresh_seeds=2",
        f"out_dir={out}",
        *extra,
    ]


def _env() -> dict[str, str]:
    env = {**os.environ, "MPLBACKEND": "Agg"}
    env.pop("HYDRA_FULL_ERROR", None)
    return env


@pytest.mark.slow
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "SIGINT"])
def test_a_search_stopped_and_resumed_gives_the_same_trials(tmp_path, how):
    whole, stopped = tmp_path / "whole", tmp_path / "stopped"
    full = subprocess.run(_command(tmp_path, whole, "jobs=2"), capture_output=True, text=True, env=_env(), timeout=900)
    assert full.returncode == 0, full.stderr
    # SIGINT as Ctrl-C delivers it: a shell starts background jobs (`make test-slow &`, nohup) with SIGINT ignored,
    # and a child inherits that; Python then installs no KeyboardInterrupt handler and the signal would do nothing.
    proc = subprocess.Popen(
        _command(tmp_path, stopped),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and proc.poll() is None:
        try:  # stop it once the sampler models the trials (after its random start), within a round
            told = pd.read_parquet(stopped / "trials.parquet")
        except (OSError, ValueError):
            told = None
        if told is not None and len(told) > optimise.N_STARTUP and (told["n_seeds"] > 0).sum() >= 4:
            break
        time.sleep(0.05)
    time.sleep(0.4)  # into the next round: its mix is asked and running
    assert proc.poll() is None, "the search ended before it could be stopped"
    proc.send_signal(how)
    _, err = proc.communicate(timeout=120)
    assert not (stopped / "report.html").exists()
    import optuna

    storage = f"sqlite:///{stopped / 'optuna.db'}"
    study = optuna.load_study(study_name=optuna.get_all_study_names(storage)[0], storage=storage)
    running = [t for t in study.get_trials() if t.state == optuna.trial.TrialState.RUNNING]
    assert running, "stopped between two rounds: the test would not show that a cut-off round is asked again"
    if how == signal.SIGINT:
        assert proc.returncode == 130 and "run the same command again" in err.lower() and "Traceback" not in err, err
    again = subprocess.run(_command(tmp_path, stopped), capture_output=True, text=True, env=_env(), timeout=900)
    assert again.returncode == 0, again.stderr
    assert "resuming" in again.stdout
    a, b = pd.read_parquet(whole / "trials.parquet"), pd.read_parquet(stopped / "trials.parquet")
    pd.testing.assert_frame_equal(a, b)
    assert len(a) >= 8


@pytest.mark.slow
def test_pareto_true_writes_a_front_of_points_that_do_not_dominate_each_other(tmp_path):
    out = tmp_path / "front"
    _main(
        [
            "budget_eur_per_year=40000",
            "objective=heavily_burdened_share",
            "actions=respite_care,carer_support,link_shopkeepers",
            *SMALL,
            "years=1",
            "seeds=2",
            "trials=10",
            "fresh_seeds=2",
            "pareto=true",
            "lang=en",
            f"out_dir={out}",
        ]
    )
    front = pd.read_csv(out / "pareto.csv")
    trials = pd.read_parquet(out / "trials.parquet")
    assert len(front) >= 2
    cost, effect = front["cost_eur_per_year"].to_numpy(), front["heavily_burdened_share_mean"].to_numpy()
    for i in range(len(front)):
        for j in range(len(front)):
            if i != j:  # lower is better for both: j dominates i if it is no worse in both and better in one
                dominates = (
                    cost[j] <= cost[i] and effect[j] <= effect[i] and (cost[j] < cost[i] or effect[j] < effect[i])
                )
                assert not dominates, (front.iloc[i].to_dict(), front.iloc[j].to_dict())
    ok = trials[trials["within_budget"]]
    for _, t in ok.iterrows():  # every mix within the budget is on the front or behind a point of it
        assert ((cost <= t["cost_eur_per_year"] + 1e-9) & (effect <= t["heavily_burdened_share_mean"] + 1e-12)).any()
    assert (front["cost_eur_per_year"] <= 40000).all()
    html = (out / "report.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in html and "winner&#x27;s curse" in html
