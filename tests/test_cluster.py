"""Sweeps, comparisons and sensitivity analyses on a real SLURM cluster, and on a local Ray instance.

The tests marked ``cluster`` need the single-node cluster that `make test-cluster`
starts (``.ci/slurm-cluster``: munged, MariaDB, slurmdbd, slurmctld and slurmd
on the loopback) and the ``ray`` extra it installs; elsewhere they are skipped.
The unmarked tests check the launcher choice on any machine (`make test`).

Runs are tiny (300 residents, one year) unless a test needs them longer.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pandas.testing as pdt
import pytest
from test_sweeps import SCRIPT, TINY, assert_same_runs, by_seed, run_dirs, sweep

from samenkracht.sim.errors import InputError
from samenkracht.tools import launchers
from samenkracht.tools.outputs import INCOMPLETE, MANIFEST

BIN = Path(sys.executable).parent
COMPARE = BIN / "samenkracht-compare"
SENSITIVITY = BIN / "samenkracht-sensitivity"
ON_CLUSTER = bool(os.environ.get("SAMENKRACHT_TEST_CLUSTER"))


def cluster(test):
    """Mark a test as needing the test cluster (make test-cluster runs it; elsewhere it is skipped)."""
    skip = pytest.mark.skipif(not ON_CLUSTER, reason="needs the test cluster: make test-cluster")
    return pytest.mark.cluster(skip(test))


#: Settings of every SLURM run here: what the README tells researchers to set, small enough for the test node.
SLURM = [
    "hydra/launcher=slurm",
    "hydra.launcher.partition=debug",
    "hydra.launcher.account=research",
    "hydra.launcher.timeout_min=5",
    "hydra.launcher.mem_gb=1",
    "hydra.launcher.array_parallelism=2",
]


def env(**extra: str) -> dict[str, str]:
    out = dict(os.environ)
    out.pop("HYDRA_FULL_ERROR", None)
    out["MPLBACKEND"] = "Agg"
    out["RAY_AUTH_MODE"] = "disabled"  # a local Ray instance for the test needs no token in ~/.ray
    out.update(extra)
    return out


def run(cmd: list, cwd: Path, timeout: float = 300, **extra_env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(c) for c in cmd],
        cwd=cwd,
        env=env(**extra_env),
        stdin=subprocess.DEVNULL,
        check=False,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def ok(proc: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def refused(proc: subprocess.CompletedProcess, *words: str) -> str:
    """The one-line error of a refused command (exit 2, no traceback), checked to name ``words``."""
    assert proc.returncode == 2, f"exit {proc.returncode}\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
    assert "Traceback" not in proc.stderr, proc.stderr
    for word in words:
        assert word in proc.stderr, (word, proc.stderr)
    return proc.stderr


def sacct(job: str, fields: str = "JobID,State,Partition,Account,Timelimit,ReqMem") -> list[dict[str, str]]:
    """SLURM's accounting of a job (an array's tasks one per row, job steps left out)."""
    out = subprocess.run(
        ["sacct", "-X", "-n", "-P", "-j", job, "-o", fields], capture_output=True, text=True, check=True
    ).stdout
    names = fields.split(",")
    return [dict(zip(names, line.split("|"))) for line in out.splitlines() if line.strip()]


def array_jobs(sweep_dir: Path) -> set[str]:
    """The SLURM array job ids of a sweep, from submitit's log folders (``ARRAYID_TASK``)."""
    return {p.name.split("_")[0] for p in (sweep_dir / ".submitit").iterdir() if re.fullmatch(r"\d+_\d+", p.name)}


def queue_empty(timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while subprocess.run(["squeue", "-h"], capture_output=True, text=True, check=True).stdout.strip():
        assert time.monotonic() < deadline, "jobs still in the queue"
        time.sleep(0.5)


# -- the launcher choice, on any machine ---------------------------------------------------------------------------


def test_unknown_launcher_is_refused_before_anything_is_written(tmp_path):
    sweep_dir = tmp_path / "sweep"
    message = refused(
        run([SCRIPT, "-m", "hydra/launcher=slurmm", "seed=1,2", *TINY, f"hydra.sweep.dir={sweep_dir}"], tmp_path),
        "hydra/launcher=slurmm: no such launcher",
        "slurm",
        "submitit_local",
        "joblib",
    )
    assert "Available:" in message
    assert not sweep_dir.exists()


def test_unknown_launcher_setting_is_refused_with_the_settings_it_has(tmp_path):
    sweep_dir = tmp_path / "sweep"
    refused(
        run(
            [
                SCRIPT,
                "-m",
                "hydra/launcher=slurm",
                "hydra.launcher.partitoin=short",
                "seed=1,2",
                *TINY,
                f"hydra.sweep.dir={sweep_dir}",
            ],
            tmp_path,
        ),
        "hydra.launcher.partitoin: hydra/launcher=slurm has no such setting",
        "partition",
        "array_parallelism",
    )
    assert not sweep_dir.exists()


def test_slurm_without_its_commands_says_where_to_start(tmp_path):
    """A machine without SLURM's commands (a laptop): the sweep is refused, nothing is written."""
    sweep_dir = tmp_path / "sweep"
    refused(
        run([SCRIPT, "-m", *SLURM[:2], "seed=1,2", *TINY, f"hydra.sweep.dir={sweep_dir}"], tmp_path, PATH=str(BIN)),
        "hydra/launcher=slurm",
        "sbatch",
        "not on this machine's PATH",
        "login node",
    )
    assert not sweep_dir.exists()


def test_tools_take_only_submitit_launchers_and_not_jobs_beside_them():
    assert launchers.for_tool(["seeds=2", "years=1"], "prog") == (None, ["seeds=2", "years=1"])
    launcher, rest = launchers.for_tool(["hydra/launcher=submitit_local", "hydra.launcher.timeout_min=7", "x=1"], "p")
    assert (launcher.name, launcher.cluster, launcher.params["timeout_min"], rest) == (
        "submitit_local",
        "local",
        7,
        ["x=1"],
    )
    with pytest.raises(InputError, match="joblib: prog cannot send its runs through this launcher.*jobs=N"):
        launchers.for_tool(["hydra/launcher=joblib"], "prog")
    with pytest.raises(InputError, match="jobs=2 and hydra/launcher=submitit_local"):
        launchers.for_tool(["hydra/launcher=submitit_local", "jobs=2"], "prog")


@pytest.mark.parametrize("tool", ["compare", "sensitivity"])
def test_tools_refuse_an_unknown_launcher_before_writing(tool, tmp_path):
    out = tmp_path / "out"
    cmd = (
        [COMPARE, "scenarios=baseline,respite_care", "seeds=2", f"out={out}"]
        if tool == "compare"
        else [SENSITIVITY, "params=burden.dropout_rate:0:0.1", f"out_dir={out}"]
    )
    refused(run([*cmd, *TINY, "hydra/launcher=nosuch"], tmp_path), "hydra/launcher=nosuch: no such launcher")
    assert not out.exists()


# -- on the SLURM cluster ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def basic(tmp_path_factory) -> Path:
    """Three tiny runs on Hydra's basic launcher: the reference every launcher must equal bit for bit."""
    root = tmp_path_factory.mktemp("basic")
    sweep(root / "sweep", "seed=1,2,3")
    return root / "sweep"


@cluster
def test_slurm_sweep_equals_the_basic_launcher_bit_for_bit(basic, tmp_path):
    sweep_dir = tmp_path / "slurm"
    sweep(sweep_dir, *SLURM, 'hydra.launcher.setup=["echo setup line ran"]', "seed=3,1,2")
    assert_same_runs(by_seed(basic), by_seed(sweep_dir))
    # They ran as SLURM array tasks, with the settings given on the command line.
    (array,) = array_jobs(sweep_dir)
    queue_empty()  # a task's result is written just before its process ends
    tasks = sacct(array)
    assert len(tasks) == 3, tasks
    for task in tasks:
        assert task["State"] == "COMPLETED", task
        assert (task["Partition"], task["Account"], task["Timelimit"]) == ("debug", "research", "00:05:00"), task
        assert task["ReqMem"] in ("1G", "1024M", "1Gn"), task
    assert {json.loads((d / MANIFEST).read_text())["seed"] for d in run_dirs(sweep_dir)} == {1, 2, 3}
    logs = [p.read_text() for p in sweep_dir.glob(f".submitit/{array}_*/*_log.out")]
    assert len(logs) == 3 and all("setup line ran" in log for log in logs)  # hydra.launcher.setup ran before each


@cluster
def test_a_cancelled_job_is_the_only_run_done_again(tmp_path):
    """scancel one array task part-way: the sweep fails; started again, it runs only the cancelled run.

    submitit's job ignores SIGTERM, and SLURM sends SIGKILL a few seconds after scancel (KillWait, 1 s here,
    plus its own delays, about 5 s on the test node): the run cancelled, the second of three, is long (60,000
    residents for 6 years, about 13 s on 2026-12-02's faster model and machine; 30,000 for 4 years had become
    about 3 s and ended before the kill), the others short."""
    sweep_dir = tmp_path / "sweep"
    args = [
        str(SCRIPT),
        "-m",
        *SLURM[:5],
        "hydra.launcher.array_parallelism=1",
        "population.size=300,60000,400",
        "years=6",
        "burn_in_weeks=2",
        "output.plots=false",
        f"hydra.sweep.dir={sweep_dir}",
    ]
    first = subprocess.Popen(
        args,
        cwd=tmp_path,
        env=env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    cancelled = None
    deadline = time.monotonic() + 240
    try:
        while cancelled is None and time.monotonic() < deadline and first.poll() is None:
            if not sweep_dir.is_dir():
                time.sleep(0.05)
                continue
            done = list(sweep_dir.glob(f"*/{MANIFEST}"))
            # A finished run removes its INCOMPLETE mark just after writing its manifest: not that one.
            running = [p.parent for p in sweep_dir.glob(f"*/{INCOMPLETE}") if not (p.parent / MANIFEST).exists()]
            if done and running:  # the second run is under way: cancel its array task
                number = int(running[0].name.split("_")[0])
                (array,) = array_jobs(sweep_dir)
                subprocess.run(["scancel", f"{array}_{number}"], check=True)
                cancelled = running[0]
            time.sleep(0.05)
        assert cancelled is not None, "no run was seen under way"
        _, err = first.communicate(timeout=300)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode != 0, "the sweep did not notice the cancelled job"
    assert f"{array}_{number}" in err and "CANCELLED" in err, err[-3000:]
    queue_empty()  # the sweep's other array tasks finish on their own
    states = {t["JobID"]: t["State"] for t in sacct(array)}
    assert states.pop(f"{array}_{number}").startswith("CANCELLED"), states
    assert set(states.values()) == {"COMPLETED"}, states
    assert (cancelled / INCOMPLETE).exists() and not (cancelled / MANIFEST).exists()
    finished = {d.name: (d / MANIFEST).stat().st_mtime_ns for d in run_dirs(sweep_dir) if (d / MANIFEST).exists()}
    assert len(finished) == 2, sorted(finished)

    again = subprocess.run(
        args,
        cwd=tmp_path,
        env=env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert again.returncode == 0, again.stderr[-3000:]
    (second,) = array_jobs(sweep_dir) - {array}
    logs = "".join(p.read_text() for p in sweep_dir.glob(f".submitit/{second}_*/*_log.out"))
    assert logs.count("already complete: ") == 2, logs[-3000:]
    assert f"already complete: {cancelled}" not in logs
    for name, mtime in finished.items():
        assert (sweep_dir / name / MANIFEST).stat().st_mtime_ns == mtime, f"{name} was run again"
    assert (cancelled / MANIFEST).is_file() and not (cancelled / INCOMPLETE).exists()
    sizes = [json.loads((d / MANIFEST).read_text())["population_size"] for d in run_dirs(sweep_dir)]
    assert sizes == [300, 60000, 400]


@cluster
def test_unknown_partition_is_refused_before_anything_is_written(tmp_path):
    sweep_dir = tmp_path / "sweep"
    refused(
        run(
            [
                SCRIPT,
                "-m",
                "hydra/launcher=slurm",
                "hydra.launcher.partition=gpu",
                "seed=1,2",
                *TINY,
                f"hydra.sweep.dir={sweep_dir}",
            ],
            tmp_path,
        ),
        "hydra.launcher.partition=gpu",
        "no partition 'gpu'",
        "debug (the default)",
    )
    assert not sweep_dir.exists()


@cluster
def test_unknown_account_is_refused_before_anything_is_written(tmp_path):
    out = tmp_path / "out"
    refused(
        run(
            [
                COMPARE,
                "scenarios=baseline,respite_care",
                "seeds=2",
                *TINY,
                f"out={out}",
                "hydra/launcher=slurm",
                "hydra.launcher.account=nobody",
            ],
            tmp_path,
        ),
        "hydra.launcher.account=nobody",
        "research",
    )
    assert not out.exists()


@cluster
def test_unreachable_cluster_is_refused_before_anything_is_written(tmp_path):
    conf = tmp_path / "slurm.conf"  # a cluster whose controller is not running
    conf.write_text(
        Path(os.environ["SLURM_CONF"]).read_text().replace("SlurmctldPort=6817", "SlurmctldPort=6999")
        + "MessageTimeout=2\n"
    )
    sweep_dir = tmp_path / "sweep"
    message = refused(
        run(
            [SCRIPT, "-m", *SLURM[:2], "seed=1,2", *TINY, f"hydra.sweep.dir={sweep_dir}"],
            tmp_path,
            timeout=200,
            SLURM_CONF=str(conf),
        ),
        "hydra/launcher=slurm",
        "cannot be reached",
    )
    assert f"SLURM_CONF={conf}" in message
    assert not sweep_dir.exists()


# -- samenkracht-compare and samenkracht-sensitivity through the launcher ------------------------------------------

COMPARE_ARGS = ["scenarios=baseline,respite_care", "seeds=2", *TINY]
SENSITIVITY_ARGS = [
    "params=burden.dropout_rate:0:0.1,contact.bridging_share:0.05:0.3",
    "indicators=carrying_capacity",
    "method=morris",
    "morris.trajectories=2",
    *TINY[:3],
    "plots=false",
]
LAUNCHERS = {"slurm": SLURM, "submitit_local": ["hydra/launcher=submitit_local", "hydra.launcher.timeout_min=5"]}


@pytest.fixture(scope="module")
def local_tools(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("local")
    ok(run([COMPARE, *COMPARE_ARGS, f"out={root / 'compare'}"], root))
    ok(run([SENSITIVITY, *SENSITIVITY_ARGS, f"out_dir={root / 'sensitivity'}"], root))
    return {"compare": root / "compare", "sensitivity": root / "sensitivity"}


@cluster
@pytest.mark.parametrize("launcher", LAUNCHERS)
def test_compare_through_the_launcher_equals_local(launcher, local_tools, tmp_path):
    out = tmp_path / "compare"
    ok(run([COMPARE, *COMPARE_ARGS, f"out={out}", *LAUNCHERS[launcher]], tmp_path))
    for table in ("headline.csv", "differences.csv", "yearly.csv"):
        assert (out / table).read_text() == (local_tools["compare"] / table).read_text(), table
    for arm in ("baseline", "respite_care"):
        for seed in (1, 2):
            pdt.assert_frame_equal(
                pd.read_parquet(out / "runs" / arm / f"seed_{seed}" / "indicators.parquet"),
                pd.read_parquet(local_tools["compare"] / "runs" / arm / f"seed_{seed}" / "indicators.parquet"),
                check_exact=True,
            )
    assert len(list((out / ".submitit").glob("*/*_result.pkl"))) == 4  # four runs, four jobs
    if launcher == "slurm":
        (array,) = array_jobs(out)
        queue_empty()
        assert [t["State"] for t in sacct(array)] == ["COMPLETED"] * 4


@cluster
@pytest.mark.parametrize("launcher", LAUNCHERS)
def test_sensitivity_through_the_launcher_equals_local(launcher, local_tools, tmp_path):
    out = tmp_path / "sensitivity"
    proc = ok(run([SENSITIVITY, *SENSITIVITY_ARGS, f"out_dir={out}", *LAUNCHERS[launcher]], tmp_path))
    assert f"through hydra/launcher={launcher}" in proc.stdout
    pdt.assert_frame_equal(
        pd.read_parquet(out / "samples.parquet"),
        pd.read_parquet(local_tools["sensitivity"] / "samples.parquet"),
        check_exact=True,
    )
    assert (out / "indices_morris.csv").read_text() == (local_tools["sensitivity"] / "indices_morris.csv").read_text()
    assert len(list((out / ".submitit").glob("*/*_result.pkl"))) == 6  # 2 trajectories x (2 parameters + 1)


# -- Ray ------------------------------------------------------------------------------------------------------------


@cluster
def test_ray_launcher_gives_the_same_runs(basic, tmp_path):
    """A local Ray instance (started and stopped by the sweep) gives the basic launcher's runs."""
    import importlib.util

    assert importlib.util.find_spec("hydra_plugins.hydra_ray_launcher"), "make test-cluster installs the ray extra"
    sweep_dir = tmp_path / "ray"
    sweep_dir.mkdir()
    sweep(sweep_dir, "hydra/launcher=ray", "+hydra.launcher.ray.init.num_cpus=2", "seed=2,1", timeout=600)
    assert_same_runs({s: by_seed(basic)[s] for s in (1, 2)}, by_seed(sweep_dir))
