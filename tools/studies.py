"""Resumable Optuna studies kept in a SQLite file inside a command's output directory (``samenkracht-optimise``,
``samenkracht-calibrate search=``): one study per directory, refused when the directory holds another, and the
trials an interrupted run left running marked failed so that they are asked again."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def storage_url(db: Path) -> str:
    return f"sqlite:///{Path(db).resolve()}"


def other_studies(db: Path, name: str) -> list[str]:
    """Names of the studies in ``db`` other than ``name`` (none when the file does not exist yet)."""
    import optuna

    if not Path(db).is_file():
        return []
    return [n for n in optuna.get_all_study_names(storage=storage_url(db)) if n != name]


def resume_study(db: Path, name: str, sampler: Any, directions: list[str]) -> Any:
    """Create the study ``name`` in ``db``, or load it; trials left running by an interrupted run are failed."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(
        storage=storage_url(db), study_name=name, directions=directions, load_if_exists=True, sampler=sampler
    )
    stale = [t.number for t in study.get_trials(deepcopy=False) if t.state == optuna.trial.TrialState.RUNNING]
    for number in stale:  # asked again by the resumed run
        study.tell(number, state=optuna.trial.TrialState.FAIL)
    return study
