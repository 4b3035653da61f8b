"""The project installs as a package, not only from a checkout: a wheel in a fresh environment runs its commands.

The wheel is built from this checkout and installed, without its
dependencies, into a new virtual environment; the dependencies come from the
test environment's site-packages (added as a plain path, so the checkout's own
editable install is not), and every command runs from a folder outside the
checkout, as on a cluster.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
USER_SCENARIO = """\
# @package scenario
name: mijn_plan
description: Respijtzorg in mijn eigen scenario
actions:
  respite_care:
    hours_per_1000: 30
"""
TINY = ["population.size=300", "years=1", "burn_in_weeks=2", "output.plots=false"]


def _run(cmd: list[str], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["MPLBACKEND"] = "Agg"
    proc = subprocess.run(
        cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout
    )
    assert proc.returncode == 0, (
        f"{' '.join(cmd)}: exit {proc.returncode}\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
    )
    return proc


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh virtual environment with the wheel of this checkout installed; returns its bin/ folder."""
    pytest.importorskip("setuptools", reason="building the wheel needs setuptools in the test environment")
    root = tmp_path_factory.mktemp("install")
    # Built from a copy of the files under version control, so nothing left in build/ can slip into the wheel.
    source = root / "source"
    listed = _run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT).stdout.splitlines()
    for name in listed:
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    wheels = root / "wheels"
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(source),
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheels),
        ],
        cwd=root,
    )
    (wheel,) = wheels.glob("samenkracht-*.whl")
    venv = root / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], cwd=root)
    py = venv / "bin" / "python"
    _run([str(py), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)], cwd=root)
    site = Path(_run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], root).stdout.strip())
    (site / "test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return venv / "bin"


def test_the_wheel_holds_the_code_and_the_configuration(installed: Path, tmp_path: Path) -> None:
    code = (
        "import importlib.resources as r, samenkracht.tools.run as m; "
        "print(m.__file__); print(r.files('samenkracht.conf').joinpath('config.yaml').is_file()); "
        "print(r.files('samenkracht.tools').joinpath('data/kernel_signatures.json').is_file())"
    )
    out = _run([str(installed / "python"), "-c", code], cwd=tmp_path).stdout.split()
    assert Path(out[0]).resolve().is_relative_to(installed.parent.resolve()), f"imported from {out[0]}, not the wheel"
    assert out[1:] == ["True", "True"]  # the configuration, and the kernels' recorded types (tools/precompile.py)


def test_installed_samenkracht_runs_outside_the_checkout(installed: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    proc = _run([str(installed / "samenkracht"), *TINY, f"hydra.run.dir={out}"], cwd=tmp_path)
    assert "Outputs:" in proc.stdout
    assert len(pd.read_parquet(out / "indicators.parquet")) == 52


def test_installed_compare_prints_its_help(installed: Path, tmp_path: Path) -> None:
    proc = _run([str(installed / "samenkracht-compare"), "--help"], cwd=tmp_path)
    assert "samenkracht-compare" in proc.stdout


def test_installed_samenkracht_runs_a_scenario_from_the_users_own_folder(installed: Path, tmp_path: Path) -> None:
    mine = tmp_path / "mijn_scenarios"
    (mine / "scenario").mkdir(parents=True)
    (mine / "scenario" / "mijn_plan.yaml").write_text(USER_SCENARIO, encoding="utf-8")
    out = tmp_path / "run"
    _run(
        [
            str(installed / "samenkracht"),
            *TINY,
            f"hydra.searchpath=[file://{mine}]",
            "scenario=mijn_plan",
            f"hydra.run.dir={out}",
        ],
        cwd=tmp_path,
    )
    summary = pd.read_csv(out / "summary.csv")
    assert "cost_respite_care_eur" in summary.columns and summary["cost_respite_care_eur"].iloc[0] > 0
