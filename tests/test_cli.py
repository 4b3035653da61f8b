"""The `samenkracht` console script end to end, run as subprocesses.

Each invocation pays a few seconds of start-up (Hydra, Mesa, pandas), so they
all run once, in the background: tests/conftest.py starts them right after
collection and puts this module's tests last, so they overlap the in-process
tests; the module fixture ``cli`` waits for them and the tests read the results.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pandas.testing as pdt
import pytest
from conftest import CONTRACT_COLUMNS, make_small_config, run_model
from omegaconf import OmegaConf

SIX_KINDS = ["residents", "informal_carers", "neighbours", "volunteers", "professionals", "municipality"]


def _find_script() -> str | None:
    beside = Path(sys.executable).parent / "samenkracht"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("samenkracht")


SCRIPT = _find_script()
if SCRIPT is None:
    pytest.skip(
        "the `samenkracht` console script is not installed (run `make venv` or `pip install -e .`)",
        allow_module_level=True,
    )

SMALL_ARGS = ["population.size=500", "years=1", "burn_in_weeks=4"]
RUN_SMALL_ARGS = ["years=1", "burn_in_weeks=4"]  # for cases that set population.size themselves
BROKEN_GRAPHML = "<graphml><graph"


@dataclass(frozen=True)
class BadInput:
    """A bad command line: the override, the key the message must name, and what the message must allow."""

    args: tuple[str, ...]
    key: str
    allowed: tuple[str, ...]  # each (lower-cased) must appear in the message


BAD_INPUTS: dict[str, BadInput] = {
    "unknown_key": BadInput(("populaton.size=5", *RUN_SMALL_ARGS), "populaton", ("population",)),
    "unknown_added_key": BadInput(("+foo=1", *SMALL_ARGS), "foo", ("population", "seed")),
    "wrong_type": BadInput(("population.size=abc", *RUN_SMALL_ARGS), "population.size", ("integer",)),
    "negative_size": BadInput(("population.size=-5", *RUN_SMALL_ARGS), "population.size", ("from 10",)),
    "probability_above_1": BadInput(
        ("signalling.self_referral=1.5", *SMALL_ARGS), "signalling.self_referral", ("from 0 to 1",)
    ),
    "unknown_scenario": BadInput(("scenario=nonexistent", *SMALL_ARGS), "scenario", ("nonexistent", "baseline")),
    "missing_graph": BadInput(
        ("network.graph_file=/nonexistent.graphml", *SMALL_ARGS), "network.graph_file", ("does not exist", "graphml")
    ),
    "broken_graph": BadInput(
        ("network.graph_file={broken}", *SMALL_ARGS), "network.graph_file", ("not a valid graphml",)
    ),
}


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str
    out_dir: Path  # hydra.run.dir, or hydra.sweep.dir for a multirun


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("HYDRA_FULL_ERROR", None)  # it would turn every refusal into a traceback
    env["MPLBACKEND"] = "Agg"
    return env


class CliJobs:
    """Every invocation of this module, started together in the background (two or three at a time)."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="samenkracht-test-cli-"))
        self._procs: list[subprocess.Popen] = []
        self._closed = False
        broken = self.root / "broken.graphml"
        broken.write_text(BROKEN_GRAPHML)
        jobs: dict[str, tuple[list[str], Path]] = {}
        good = self.root / "good" / "run"
        jobs["good"] = (["seed=7", *SMALL_ARGS, f"hydra.run.dir={good}"], good)
        sweep = self.root / "sweep"
        jobs["multirun"] = (["-m", "seed=1,2", *SMALL_ARGS, "output.plots=false", f"hydra.sweep.dir={sweep}"], sweep)
        for name, case in BAD_INPUTS.items():
            run_dir = self.root / name / "run"
            args = [a.format(broken=broken) for a in case.args]
            jobs[name] = ([*args, f"hydra.run.dir={run_dir}"], run_dir)
        self._pool = ThreadPoolExecutor(max_workers=min(len(jobs), (os.cpu_count() or 2) + 1))
        self._futures = {name: self._pool.submit(self._run, args, out) for name, (args, out) in jobs.items()}

    def _run(self, args: list[str], out_dir: Path) -> Result:
        if self._closed:
            raise RuntimeError("the test session ended")
        proc = subprocess.Popen(
            [SCRIPT, *args],
            cwd=self.root,
            env=_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._procs.append(proc)
        try:
            stdout, stderr = proc.communicate(timeout=300)
        except subprocess.TimeoutExpired:
            proc.kill()
            stdout, stderr = proc.communicate()
        return Result(proc.returncode, stdout, stderr, out_dir)

    def results(self) -> dict[str, Result]:
        results = {name: future.result() for name, future in self._futures.items()}
        # Nothing was written outside the given directories (e.g. a default outputs/ folder in the working dir).
        assert not (self.root / "outputs").exists()
        assert not (self.root / "multirun").exists()
        return results

    def close(self) -> None:
        self._closed = True
        for proc in self._procs:
            if proc.poll() is None:
                proc.kill()
        self._pool.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(self.root, ignore_errors=True)


_JOBS: CliJobs | None = None


def start_jobs() -> None:
    """Start the invocations in the background (conftest calls this right after collection)."""
    global _JOBS
    if _JOBS is None:
        _JOBS = CliJobs()


def stop_jobs() -> None:
    """Kill whatever still runs and remove the temporary directory (conftest calls this at the session's end)."""
    global _JOBS
    if _JOBS is not None:
        _JOBS.close()
        _JOBS = None


@pytest.fixture(scope="module")
def cli() -> dict[str, Result]:
    """The results of every invocation, by name."""
    start_jobs()
    assert _JOBS is not None
    return _JOBS.results()


def _describe(result: Result) -> str:
    return f"exit {result.returncode}\n--- stdout\n{result.stdout[-3000:]}\n--- stderr\n{result.stderr[-3000:]}"


def _tmp_files(directory: Path) -> list[str]:
    return [os.path.join(d, f) for d, _, files in os.walk(directory) for f in files if f.endswith(".tmp")]


# -- a good run ------------------------------------------------------------------------------------------------


def test_good_run_exits_0_and_prints_output_dir(cli):
    good = cli["good"]
    assert good.returncode == 0, _describe(good)
    assert str(good.out_dir) in good.stdout
    assert "Traceback" not in good.stderr


def test_good_run_writes_every_output(cli):
    run_dir = cli["good"].out_dir
    for name in ("indicators.parquet", "summary.csv", "wijken.parquet", "manifest.json", "headline.png"):
        assert (run_dir / name).is_file(), name
    assert (run_dir / ".hydra" / "config.yaml").is_file()
    assert (run_dir / "headline.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert _tmp_files(run_dir) == []


def test_good_run_tables(cli):
    run_dir = cli["good"].out_dir
    weekly = pd.read_parquet(run_dir / "indicators.parquet")
    assert len(weekly) == 52
    assert weekly["week"].tolist() == list(range(52))
    assert list(weekly.columns[: len(CONTRACT_COLUMNS)]) == CONTRACT_COLUMNS
    pdt.assert_series_equal(
        weekly["informal_hours"] + weekly["formal_hours"] + weekly["unmet_hours"],
        weekly["need_hours"],
        check_names=False,
        rtol=1e-9,
    )
    summary = pd.read_csv(run_dir / "summary.csv")
    assert summary["year"].tolist() == [0]
    assert summary["weeks"].tolist() == [52]
    assert summary["unmet_hours"].iloc[0] == pytest.approx(weekly["unmet_hours"].mean(), rel=1e-5)
    manifest = json.loads((run_dir / "manifest.json").read_text())
    wijken = pd.read_parquet(run_dir / "wijken.parquet")
    assert len(wijken) == len(manifest["wijken"]) * 1
    assert not wijken.duplicated(["year", "wijk"]).any()
    assert set(wijken["year"]) == {0}
    assert sorted(wijken["wijk"]) == list(range(len(manifest["wijken"])))


def test_good_run_manifest(cli):
    run_dir = cli["good"].out_dir
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["seed"] == 7
    assert manifest.get("complete") is True
    versions = manifest["versions"]
    assert versions.get("mesa") and versions["mesa"] != "not installed"
    assert versions.get("python")
    assert isinstance(manifest["git_revision"], str) and manifest["git_revision"]
    assert isinstance(manifest["wall_time_s"], (int, float)) and manifest["wall_time_s"] > 0
    for when in ("agents_at_start", "agents_at_end"):
        counts = manifest[when]
        assert set(SIX_KINDS) <= set(counts), when
        assert all(isinstance(counts[k], int) and counts[k] >= 0 for k in SIX_KINDS), counts
        assert counts["residents"] == 500
        assert counts["municipality"] == 1
        assert counts["professionals"] > 0
        assert counts["informal_carers"] > 0


def test_overrides_reach_the_resolved_config(cli):
    run_dir = cli["good"].out_dir
    cfg = OmegaConf.load(run_dir / ".hydra" / "config.yaml")
    assert cfg.seed == 7
    assert cfg.population.size == 500
    assert cfg.years == 1
    assert cfg.burn_in_weeks == 4
    assert cfg.scenario.name == "baseline"


def test_console_script_runs_the_same_model_as_the_library(cli):
    """The CLI's weekly table equals an in-process run with the same settings, bit for bit."""
    run_dir = cli["good"].out_dir
    from_cli = pd.read_parquet(run_dir / "indicators.parquet")
    _, in_process = run_model(make_small_config({"population.size": 500, "years": 1, "burn_in_weeks": 4, "seed": 7}))
    pdt.assert_frame_equal(from_cli, in_process.reset_index(drop=True), check_exact=True, check_dtype=False)


def test_multirun_gives_complete_run_dirs(cli):
    result = cli["multirun"]
    assert result.returncode == 0, _describe(result)
    sweep = result.out_dir
    runs = sorted(p for p in sweep.iterdir() if p.is_dir() and not p.name.startswith("."))
    assert len(runs) == 2, [p.name for p in sweep.iterdir()]
    seeds, unmet = set(), []
    for run_dir in runs:
        manifest = json.loads((run_dir / "manifest.json").read_text())
        seeds.add(manifest["seed"])
        weekly = pd.read_parquet(run_dir / "indicators.parquet")
        assert len(weekly) == 52
        assert (run_dir / "summary.csv").is_file() and (run_dir / "wijken.parquet").is_file()
        assert (run_dir / ".hydra" / "config.yaml").is_file()
        assert _tmp_files(run_dir) == []
        unmet.append(weekly["unmet_hours"].tolist())
    assert seeds == {1, 2}
    assert unmet[0] != unmet[1], "two seeds gave the same weekly table"


# -- bad input ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(BAD_INPUTS))
def test_bad_input_is_refused_cleanly(cli, name):
    result, case = cli[name], BAD_INPUTS[name]
    assert result.returncode != 0, _describe(result)
    assert "Traceback" not in result.stderr, _describe(result)
    assert "Traceback" not in result.stdout, _describe(result)
    assert case.key.lower() in result.stderr.lower(), _describe(result)
    run_dir = result.out_dir
    assert not (run_dir / "indicators.parquet").exists()
    assert not (run_dir / "manifest.json").exists()
    assert not run_dir.exists() or not any(run_dir.iterdir()), sorted(p.name for p in run_dir.iterdir())


@pytest.mark.parametrize("name", list(BAD_INPUTS))
def test_bad_input_message_says_what_is_allowed(cli, name):
    result, case = cli[name], BAD_INPUTS[name]
    message = result.stderr.lower()
    missing = [text for text in case.allowed if text not in message]
    assert not missing, f"message lacks {missing}:\n{_describe(result)}"


@pytest.mark.parametrize("name", list(BAD_INPUTS))
def test_bad_input_exit_status_2_as_documented(cli, name):
    result = cli[name]
    assert result.returncode == 2, _describe(result)
    assert result.stderr.startswith("samenkracht: error: "), _describe(result)
