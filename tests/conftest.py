"""Shared helpers for the tests: small, fast model configurations and one baseline run reused across tests."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd
import pytest
from omegaconf import OmegaConf

from samenkracht.sim.config import SimConfig
from samenkracht.tools.config_store import to_sim_config

#: The contract columns, hard-coded in the tests as well so that a rename in the code fails this test.
CONTRACT_COLUMNS = [
    "week",
    "year",
    "residents",
    "need_hours",
    "informal_hours",
    "formal_hours",
    "unmet_hours",
    "carers",
    "burden_mean",
    "heavily_burdened_share",
    "overburdened_share",
    "isolated_share",
    "severely_lonely_share",
    "family_share",
    "carrying_capacity",
    "municipal_cost_eur",
    "formal_cost_eur",
]

#: Settings of every small test run: big enough for every agent kind to show up, small enough to run in a second.
SMALL = {"population.size": 800, "years": 2, "burn_in_weeks": 8}


def make_small_config(overrides: Mapping[str, Any] | None = None, /, **kw: Any) -> SimConfig:
    """A validated SimConfig for a small run, with dotted-key overrides.

    ``make_small_config({"wijkteam.fte_per_1000": 2})`` and
    ``make_small_config(**{"wijkteam.fte_per_1000": 2}, seed=3)`` both work.
    An unknown key raises (the structured config is in struct mode), and the
    result goes through the same range check as the command line.
    """
    cfg = OmegaConf.structured(SimConfig)
    for key, value in {**SMALL, **dict(overrides or {}), **kw}.items():
        OmegaConf.update(cfg, key, value, merge=False)
    return to_sim_config(cfg)


@pytest.fixture
def small_config() -> Callable[..., SimConfig]:
    """The :func:`make_small_config` helper, as a fixture."""
    return make_small_config


def run_model(config: SimConfig, weeks: int | None = None):
    """Build and run a model; return (model, weekly table as a DataFrame, contract columns first)."""
    from samenkracht.sim.model import CareNetworkModel
    from samenkracht.tools.outputs import weekly_frame

    logging.getLogger("MESA").setLevel(logging.WARNING)
    model = CareNetworkModel(config)
    model.run(weeks)
    return model, weekly_frame(model)


@pytest.fixture(scope="session")
def baseline_run() -> tuple[Any, pd.DataFrame]:
    """One small baseline run (seed 42, 800 residents, 2 years), shared by every test that only reads it.

    Returns (model, DataFrame of ``model.rows``); the frame has the contract
    columns first (``samenkracht.tools.outputs.weekly_frame``). Do not step the model.
    """
    return run_model(make_small_config())


# -- the console-script tests run in the background ------------------------------------------------------------------


def _cli_modules(session: pytest.Session) -> set:
    return {
        item.module
        for item in session.items
        if "cli" in getattr(item, "fixturenames", ()) and hasattr(getattr(item, "module", None), "start_jobs")
    }


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the console-script tests last, so that their subprocesses overlap every other test."""
    items.sort(key=lambda item: "cli" in getattr(item, "fixturenames", ()))


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start the console-script invocations now, if any selected test needs them."""
    if session.config.option.collectonly:
        return
    for module in _cli_modules(session):
        module.start_jobs()


def pytest_sessionfinish(session: pytest.Session) -> None:
    for module in _cli_modules(session):
        module.stop_jobs()


def random_tie_ends(rng: np.random.Generator, n: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    """``m`` random tie ends among ``n`` residents, each tie's lower slot first (as the tie arrays keep them); for
    the kernel tests' random worlds."""
    u, v = rng.integers(0, n, m), rng.integers(0, n, m)
    return np.minimum(u, v), np.maximum(u, v)
