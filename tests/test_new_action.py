"""A new municipal action is one new file: in a copy of the project, an action module and a scenario file are
added, and the action runs from the command line, is offered on the page and is listed in the generated docs.

The copy is imported in place of the installed project: a folder on PYTHONPATH holds ``samenkracht/`` with
one link per folder of the copy, mapped as pyproject.toml's package-dir maps them.
"""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = Path(sys.executable).parent / "samenkracht"
SKIP = {".git", ".venv", "outputs", "build", "__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache"}

#: A small action of its own: a weekly neighbourhood lunch that forms ties, reaches lonely residents, and keeps
#: count of its guests in its own weekly step.
ACTION_FILE = '''"""A weekly neighbourhood lunch (buurtlunch) in the community centre."""

from dataclasses import dataclass

from samenkracht.sim.actions import Action, Choice, Label
from samenkracht.sim.params import param


class Buurtlunch(Action):
    """A weekly lunch in the community centre that brings neighbours together."""

    @dataclass
    class Params:
        lunches_per_wijk: float = param(1.0, unit="lunches a week", lo=0, hi=7, doc="lunches held per wijk")
        eur_per_lunch: float = param(150.0, unit="€ a lunch", lo=0, hi=1e4, doc="food and a host")

    pulls = ("tie_formation_factor", "outreach")
    choice = Choice(scaled=("lunches_per_wijk",))
    labels = {
        "nl": Label("Buurtlunch", "het buurthuis", "lunches", "per week per wijk"),
        "en": Label("Neighbourhood lunch", "the community centre", "lunches", "a week per wijk"),
    }

    def yearly_cost(self, world):
        return float(self.wijk_mask.sum() * self.params.lunches_per_wijk * self.params.eur_per_lunch * 52)

    def set_levers(self, world, level):
        k = self.params.lunches_per_wijk * level
        world.levers.tie_formation_factor[self.wijk_mask] += 0.5 * k
        world.levers.outreach[self.wijk_mask] += 0.5 * k

    @classmethod
    def step(cls, world):
        """Counts the lunches held last week."""
        for action in world.municipality.actions:
            if isinstance(action, cls) and action.active(world):
                action.wijk_weeks = getattr(action, "wijk_weeks", 0) + int(action.wijk_mask.sum())
'''
SCENARIO_FILE = """name: x
description: A weekly neighbourhood lunch in every wijk.
actions:
  buurtlunch:
    lunches_per_wijk: 2
"""


def _skipped(name: str) -> bool:
    return name in SKIP or name.endswith(".egg-info")


def _copy_project(dest: Path) -> Path:
    shutil.copytree(ROOT, dest, ignore=lambda folder, names: [n for n in names if _skipped(n)])
    return dest


def _import_path(project: Path, into: Path) -> Path:
    """A folder that makes ``samenkracht.*`` import from ``project``, as pyproject.toml's package-dir maps it."""
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    mapping = pyproject["tool"]["setuptools"]["package-dir"]
    package = into / "samenkracht"
    package.mkdir(parents=True)
    for name, folder in mapping.items():
        (package / name.split(".", 1)[1]).symlink_to(project / folder, target_is_directory=True)
    return into


def _run(args: list[str], cwd: Path, path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(path), "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"{' '.join(args)}\n{proc.stdout}\n{proc.stderr}"
    return proc


def _changed(a: Path, b: Path) -> list[str]:
    """Files that differ between two trees, or are in one only (relative paths)."""
    out: list[str] = []

    def walk(cmp: filecmp.dircmp, prefix: str) -> None:
        out.extend(prefix + n for n in (*cmp.left_only, *cmp.right_only, *cmp.diff_files) if not _skipped(n))
        for name, sub in cmp.subdirs.items():
            if not _skipped(name):
                walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(a, b), "")
    return sorted(out)


@pytest.mark.skipif(not SCRIPT.is_file(), reason="the `samenkracht` console script is not installed (make venv)")
def test_new_action_file_and_scenario_file_are_all_a_new_action_needs(tmp_path):
    project = _copy_project(tmp_path / "project")
    (project / "scenarios" / "actions" / "buurtlunch.py").write_text(ACTION_FILE, encoding="utf-8")
    (project / "conf" / "scenario" / "x.yaml").write_text(SCENARIO_FILE, encoding="utf-8")
    assert _changed(ROOT, project) == ["conf/scenario/x.yaml", "scenarios/actions/buurtlunch.py"]
    path = _import_path(project, tmp_path / "path")

    # From the command line: the scenario runs and books the action's cost.
    out = tmp_path / "run"
    _run(
        [str(SCRIPT), "scenario=x", "population.size=200", "years=1", "burn_in_weeks=2", f"hydra.run.dir={out}"],
        tmp_path,
        path,
    )
    weekly = pd.read_parquet(out / "indicators.parquet")
    assert weekly["cost_buurtlunch_eur"].iloc[1:].gt(0).all()

    # Its own weekly step runs, and the page offers it with its labels.
    probe = (
        "import inspect, json\n"
        "import samenkracht.sim.actions\n"
        "from samenkracht.app.choices import CHOICE_BY_NAME\n"
        "from samenkracht.app.run import PairedRun\n"
        "from samenkracht.app.texts import ACTION_TEXT\n"
        "run = PairedRun(size=200, years=1, seed=3, buurtlunch=True, buurtlunch_level=2.0)\n"
        "for _ in range(3): run.step()\n"
        "print(json.dumps({'settings': CHOICE_BY_NAME['buurtlunch'].settings(2.0),\n"
        "    'signature': list(inspect.signature(PairedRun.__init__).parameters),\n"
        "    'title': ACTION_TEXT['nl']['buurtlunch'].title,\n"
        "    'steps': sum(getattr(a, 'wijk_weeks', 0) for a in run.chosen.municipality.actions),\n"
        "    'model_from': samenkracht.sim.actions.__file__}))\n"
    )
    page = json.loads(_run([sys.executable, "-c", probe], tmp_path, path).stdout.splitlines()[-1])
    assert page["settings"]["lunches_per_wijk"] == 2.0
    assert {"buurtlunch", "buurtlunch_level"} <= set(page["signature"])
    assert page["title"] == "Buurtlunch"
    assert page["steps"] > 0
    assert Path(page["model_from"]).is_relative_to(tmp_path), "the copy's model package was not the one imported"

    # The generated docs list it, with its parameters and the lever it pulls.
    _run([sys.executable, "-m", "samenkracht.tools.docs"], project, path)
    for doc in ("docs/ODD.md", "README.md"):
        text = (project / doc).read_text(encoding="utf-8")
        assert "#### `buurtlunch`" in text and "| `lunches_per_wijk` | `1` | lunches a week |" in text, doc
    odd = (project / "docs" / "ODD.md").read_text(encoding="utf-8")
    assert "| `outreach` |" in odd and "`buurtlunch`, `community_centre` |" in odd
    assert _changed(ROOT, project) == [
        "README.md",
        "conf/scenario/x.yaml",
        "docs/ODD.md",
        "scenarios/actions/buurtlunch.py",
    ]
