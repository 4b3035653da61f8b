"""Hydra multirun sweeps: resumable after a kill, and the same numbers whichever launcher ran them, in any order.

The sweeps run the `samenkracht` console script in subprocesses, with tiny
runs (300 residents, one year). The SLURM and Ray launchers are tested in
tests/test_cluster.py (make test-cluster).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pandas.testing as pdt
import pytest
from conftest import make_small_config

from samenkracht.sim.config import SimConfig
from samenkracht.tools.outputs import (
    INCOMPLETE,
    MANIFEST,
    RUN_FILES,
    clear_unfinished,
    completed_run,
    config_hash,
)

SCRIPT = Path(sys.executable).parent / "samenkracht"
if not SCRIPT.is_file():
    pytest.skip("the `samenkracht` console script is not installed (run `make venv`)", allow_module_level=True)

CONF_DIR = Path(__file__).resolve().parent.parent / "conf"
TINY = ["population.size=300", "years=1", "burn_in_weeks=2", "output.plots=false"]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("HYDRA_FULL_ERROR", None)
    env["MPLBACKEND"] = "Agg"
    env["RAY_AUTH_MODE"] = "disabled"  # a local Ray instance for the test needs no token in ~/.ray
    return env


def sweep(sweep_dir: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``samenkracht -m ARGS`` into ``sweep_dir``; fail the test on a non-zero exit."""
    proc = subprocess.run(
        [str(SCRIPT), "-m", *args, *TINY, f"hydra.sweep.dir={sweep_dir}"],
        cwd=sweep_dir.parent,
        env=_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def run_dirs(sweep_dir: Path) -> list[Path]:
    return sorted(p for p in sweep_dir.iterdir() if p.is_dir() and not p.name.startswith("."))


def by_seed(sweep_dir: Path) -> dict[int, pd.DataFrame]:
    """Each run's weekly indicator table, by the seed in its manifest."""
    out = {}
    for run_dir in run_dirs(sweep_dir):
        manifest = json.loads((run_dir / MANIFEST).read_text())
        out[manifest["seed"]] = pd.read_parquet(run_dir / "indicators.parquet")
    return out


def assert_same_runs(a: dict[int, pd.DataFrame], b: dict[int, pd.DataFrame]) -> None:
    assert sorted(a) == sorted(b)
    for seed in a:
        pdt.assert_frame_equal(a[seed], b[seed], check_exact=True, obj=f"indicators of seed {seed}")


# -- resuming ----------------------------------------------------------------------------------------------------


def test_killed_sweep_resumes_without_redoing_finished_runs(tmp_path):
    sweep_dir = tmp_path / "sweep"
    args = ["-m", "seed=1,2,3,4,5,6", "years=2", *TINY[:1], *TINY[2:], f"hydra.sweep.dir={sweep_dir}"]
    proc = subprocess.Popen(
        [str(SCRIPT), *args],
        cwd=tmp_path,
        env=_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if sweep_dir.is_dir() and len(list(sweep_dir.glob(f"*/{MANIFEST}"))) >= 2:
                break
            time.sleep(0.01)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    done_before = {p.parent.name: p.parent for p in sweep_dir.glob(f"*/{MANIFEST}")}
    assert 2 <= len(done_before) < 6, f"the sweep was not killed part-way: {sorted(done_before)}"
    for run_dir in run_dirs(sweep_dir):
        if run_dir.name not in done_before:
            # A run that had started is marked; one killed before it started holds nothing but Hydra's files.
            names = {p.name for p in run_dir.iterdir()} - {".hydra", "cli.log"}
            assert not names or INCOMPLETE in names, (run_dir.name, names)
    stamps = {
        name: [(d / f).stat().st_ino for f in (MANIFEST, "indicators.parquet")]
        + [(d / f).stat().st_mtime_ns for f in (MANIFEST, "indicators.parquet")]
        for name, d in done_before.items()
    }

    again = subprocess.run(
        [str(SCRIPT), *args],
        cwd=tmp_path,
        env=_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert again.returncode == 0, again.stderr[-3000:]

    runs = run_dirs(sweep_dir)
    assert len(runs) == 6
    for run_dir in runs:
        assert (run_dir / MANIFEST).is_file(), f"{run_dir.name} has no manifest"
        assert not (run_dir / INCOMPLETE).exists(), f"{run_dir.name} is still marked incomplete"
        assert not list(run_dir.glob(".*.tmp")), run_dir.name
    for name, d in done_before.items():
        assert f"already complete: {d}" in again.stdout
        now = [(d / f).stat().st_ino for f in (MANIFEST, "indicators.parquet")] + [
            (d / f).stat().st_mtime_ns for f in (MANIFEST, "indicators.parquet")
        ]
        assert now == stamps[name], f"{name} was run again"
    assert again.stdout.count("already complete: ") == len(done_before)
    assert {json.loads((d / MANIFEST).read_text())["seed"] for d in runs} == {1, 2, 3, 4, 5, 6}


def test_run_dir_of_a_different_configuration_is_run_again(tmp_path):
    """A complete run whose configuration differs (e.g. a changed default) is not taken for the new one."""
    from samenkracht.tools.outputs import write_atomic

    run_dir = tmp_path / "run"
    manifest = {"complete": True, "config_hash": config_hash(make_small_config(seed=1))}
    write_atomic(run_dir / MANIFEST, lambda p: p.write_text(json.dumps(manifest)))
    assert completed_run(run_dir, config_hash(make_small_config(seed=1))) == manifest
    assert completed_run(run_dir, config_hash(make_small_config(seed=2))) is None
    (run_dir / MANIFEST).write_text(json.dumps({"complete": True}))  # written before config hashes existed
    assert completed_run(run_dir, config_hash(make_small_config(seed=1))) is None
    (run_dir / MANIFEST).write_text('{"complete": tr')  # cannot happen with atomic writes; still not complete
    assert completed_run(run_dir, config_hash(make_small_config(seed=1))) is None


def test_clearing_an_unfinished_run_keeps_hydra_files_and_anything_else(tmp_path):
    (tmp_path / ".hydra").mkdir()
    (tmp_path / ".hydra" / "config.yaml").write_text("seed: 1\n")
    for name in ("cli.log", "notes.txt", INCOMPLETE, "indicators.parquet", "summary.csv", ".headline.png.x1.tmp"):
        (tmp_path / name).write_text("x")
    removed = clear_unfinished(tmp_path)
    assert sorted(removed) == sorted(["indicators.parquet", "summary.csv", ".headline.png.x1.tmp"])
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted([".hydra", "cli.log", "notes.txt", INCOMPLETE])
    assert set(RUN_FILES) >= {"indicators.parquet", "summary.csv", "wijken.parquet", "headline.png"}


def test_config_hash_depends_on_the_configuration_not_on_how_it_was_given():
    from omegaconf import OmegaConf

    from samenkracht.tools.config_store import to_sim_config

    a = make_small_config(seed=3)
    via_yaml = to_sim_config(OmegaConf.create(OmegaConf.to_yaml(OmegaConf.structured(a))))
    assert config_hash(a) == config_hash(via_yaml)
    assert config_hash(a) != config_hash(make_small_config(seed=4))
    assert config_hash(a) != config_hash(make_small_config({"burden.dropout_rate": 0.03}, seed=3))


# -- the same numbers on every launcher ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sweeps(tmp_path_factory) -> dict[str, Path]:
    """The same three runs on the basic launcher, on joblib (two workers, reverse order) and two on submitit_local."""
    root = tmp_path_factory.mktemp("sweeps")
    jobs = {
        "basic": ["seed=1,2,3"],
        "joblib": ["hydra/launcher=joblib", "hydra.launcher.n_jobs=2", "seed=3,2,1"],
        "submitit_local": ["hydra/launcher=submitit_local", "hydra.launcher.timeout_min=5", "seed=2,1"],
    }
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {name: pool.submit(sweep, root / name, *args) for name, args in jobs.items()}
        for future in futures.values():
            future.result()
    return {name: root / name for name in jobs}


def test_basic_and_joblib_launchers_give_identical_runs(sweeps):
    basic, joblib = by_seed(sweeps["basic"]), by_seed(sweeps["joblib"])
    assert sorted(basic) == [1, 2, 3]
    assert_same_runs(basic, joblib)
    # Seeds 1 and 2 ran in one joblib worker after another run: nothing leaked from the earlier run.
    hashes = {
        name: {
            json.loads((d / MANIFEST).read_text())["seed"]: json.loads((d / MANIFEST).read_text())["config_hash"]
            for d in run_dirs(sweeps[name])
        }
        for name in ("basic", "joblib")
    }
    assert hashes["basic"] == hashes["joblib"]


def test_submitit_local_launcher_gives_the_same_runs(sweeps):
    basic, submitit = by_seed(sweeps["basic"]), by_seed(sweeps["submitit_local"])
    assert sorted(submitit) == [1, 2]
    assert_same_runs({s: basic[s] for s in (1, 2)}, submitit)


@pytest.mark.slow
def test_a_sweep_can_resume_on_another_launcher(sweeps, tmp_path):
    """The run directories do not depend on the launcher: a joblib sweep finishes a basic one."""
    sweep_dir = tmp_path / "mixed"
    shutil.copytree(sweeps["basic"], sweep_dir)
    shutil.rmtree(run_dirs(sweep_dir)[2])
    result = sweep(sweep_dir, "hydra/launcher=joblib", "hydra.launcher.n_jobs=2", "seed=1,2,3")
    assert result.stdout.count("already complete: ") == 2
    assert_same_runs(by_seed(sweeps["basic"]), by_seed(sweep_dir))


def test_slurm_launcher_config_is_ready():
    proc = subprocess.run(
        [str(SCRIPT), "hydra/launcher=slurm", "--cfg", "hydra", "-p", "hydra.launcher"],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=CONF_DIR.parent,
    )
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    assert "hydra_submitit_launcher.submitit_launcher.SlurmLauncher" in text
    for line in ("cpus_per_task: 1", "mem_gb: 4", "timeout_min: 60", "array_parallelism: 64"):
        assert line in text, line


def test_launcher_choice_passes_the_override_checks():
    from samenkracht.tools.overrides import precheck

    precheck(["hydra/launcher=joblib", "seed=1"], CONF_DIR, SimConfig)
    precheck(["-m", "hydra/launcher=slurm", "seed=1,2"], CONF_DIR, SimConfig)


def test_sweep_total_counts_the_runs_of_the_command_line_sweep():
    from samenkracht.tools.run import sweep_total

    assert sweep_total(["-m", "seed=1,2,3", "scenario=baseline,respite_care", "years=2"]) == 6
    assert sweep_total(["--multirun", "seed=range(0,4)", "hydra/launcher=joblib"]) == 4
    assert sweep_total(["years=2"]) == 1
    assert sweep_total(["seed=1,2", "not an override ((("]) is None
