"""Municipal actions: each does what it is for, only where and when it is scheduled, at the cost it books,
within the budget cap; every scenario file loads and runs; bad scenarios are refused with a clear message;
a new scenario is only a new YAML file.

Effects are measured against a baseline run with the same seed (paired: the model draws common random numbers,
so a difference comes from the action). Every effect test runs several seeds with a generous action level and
asks for the effect in the mean over seeds and in most seeds; the assertion messages give the effect per seed.
Baseline runs are cached per (seed, settings) for the whole module.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest
from conftest import make_small_config
from omegaconf import OmegaConf

from samenkracht.sim.actions import Action, Choice, _check_declaration, registry
from samenkracht.sim.config import SimConfig
from samenkracht.sim.errors import InputError
from samenkracht.sim.levers import Levers, iter_levers
from samenkracht.sim.mechanisms.indicators import Indicators
from samenkracht.sim.model import CareNetworkModel
from samenkracht.tools.outputs import weekly_frame

CONF_DIR = Path(__file__).resolve().parents[1] / "conf"
SEEDS = (1, 2, 3, 4)
#: Settings of the effect runs: enough residents for every action to have someone to act on, short burn-in.
EFFECT = {"population.size": 1000, "years": 3, "burn_in_weeks": 12}
ACTIONS = registry()
#: Every registered action once, at its defaults (the wijkteam grown, so that it costs something).
ALL_ACTIONS: dict[str, dict[str, Any]] = {name: {"wijkteam": {"fte_factor": 1.5}}.get(name, {}) for name in ACTIONS}


# -- runs, traced week by week and cached -----------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """A finished run and what the tests measure on it week by week."""

    model: CareNetworkModel
    weekly: pd.DataFrame
    wijken: pd.DataFrame
    burden: np.ndarray  #: (weeks, slots) burden at the end of each week
    person_id: np.ndarray  #: (weeks, slots) who lived in each slot that week
    first_supported: np.ndarray  #: per slot, first week the carer_support action took the occupant on (-1: never)
    #: (unmet hours, resident-weeks) summed over the weeks, of residents with a need whose contact is in the week's
    #: lowest quartile, and of socially isolated adults (at most 1 active tie) with a need
    low_contact_unmet: tuple[float, int]
    isolated_unmet: tuple[float, int]


def _simulate(config: SimConfig, trace: bool = True) -> Run:
    """Run the model week by week; with ``trace``, record the burden trace and the unmet hours of the groups."""
    logging.getLogger("MESA").setLevel(logging.WARNING)
    model = CareNetworkModel(config)
    indicators = next(m for m in model.mechanisms if isinstance(m, Indicators))
    weeks = config.years * 52 if trace else 0
    n = model.state.n
    if not trace:
        model.run()
    burden = np.zeros((weeks, n), dtype=np.float32)
    person = np.zeros((weeks, n), dtype=np.int64)
    first = np.full(n, -1)
    low = [0.0, 0]
    iso = [0.0, 0]
    for week in range(weeks):
        model.step()
        s = model.state
        burden[week] = s.burden
        person[week] = s.person_id
        first = np.where(s.action_supported, np.where(first < 0, week, first), -1)
        unmet = s.unmet.sum(axis=1)
        with_need = s.alive & (s.need.sum(axis=1) > 0)
        low_contact = with_need & (s.contact <= np.quantile(s.contact[s.alive], 0.25))
        isolated = with_need & s.adults() & (indicators.active_ties(model) <= indicators.params.isolated_max_ties)
        for acc, group in ((low, low_contact), (iso, isolated)):
            acc[0] += float(unmet[group].sum())
            acc[1] += int(group.sum())
    return Run(model, weekly_frame(model), pd.DataFrame(model.wijk_rows), burden, person, first, tuple(low), tuple(iso))


def _config(seed: int, settings: dict[str, Any], actions: dict[str, Any] | None = None, **scenario: Any) -> SimConfig:
    """A checked SimConfig: the settings, the seed, the actions and other scenario keys (say, budget_eur_per_year)."""
    key = json.dumps([settings, actions or {}, scenario], sort_keys=True)
    return dataclasses.replace(_checked_config(key), seed=seed)


@functools.cache
def _checked_config(key: str) -> SimConfig:
    # Composing and checking a config takes a good part of a small run: done once per settings and actions.
    settings, actions, scenario = json.loads(key)
    overrides = {**settings, "scenario.actions": actions}
    overrides.update({f"scenario.{name}": value for name, value in scenario.items()})
    return make_small_config(overrides)


@functools.cache
def _cached(seed: int, settings_key: str, actions_key: str) -> Run:
    return _simulate(_config(seed, json.loads(settings_key), json.loads(actions_key)))


def baseline(seed: int, settings: dict[str, Any] = EFFECT) -> Run:
    """The baseline run for a seed and settings, run once per module."""
    return _cached(seed, json.dumps(settings, sort_keys=True), "{}")


def scenario(
    seed: int, actions: dict[str, Any], settings: dict[str, Any] = EFFECT, cache: bool = False, trace: bool = False
) -> Run:
    """A run with the given actions: cached (and traced) when another test reuses it, traced when asked."""
    if cache:
        return _cached(seed, json.dumps(settings, sort_keys=True), json.dumps(actions, sort_keys=True))
    return _simulate(_config(seed, settings, actions), trace)


def paired(actions: dict[str, Any], measure: Callable[[Run], float], seeds=SEEDS, settings=EFFECT) -> np.ndarray:
    """Per seed: measure(scenario run) − measure(baseline run with the same seed)."""
    return np.array([measure(scenario(s, actions, settings)) - measure(baseline(s, settings)) for s in seeds])


def assert_effect(effect: np.ndarray, what: str, sign: int = -1) -> None:
    """The effect has the given sign (-1: lowers, +1: raises) in the mean over seeds and in most seeds."""
    effect = np.asarray(effect, dtype=float)
    per_seed = ", ".join(f"{e:+.4g}" for e in effect)
    word = "lowered" if sign < 0 else "raised"
    mean = effect.mean()
    assert sign * mean > 0, f"{what}: mean effect {mean:+.4g} has the wrong sign (per seed: {per_seed})"
    hits = int((sign * effect > 0).sum())
    assert hits > len(effect) / 2, f"{what}: {word} in only {hits} of {len(effect)} seeds (per seed: {per_seed})"


def cost_columns(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if c.startswith("cost_") and c.endswith("_eur")]


# -- each action does what it is for ------------------------------------------------------------------------------


def test_respite_care_lowers_heavily_burdened_share():
    """Respite takes hours off heavily burdened carers, so fewer carers stay heavily burdened."""
    generous = {"hours_per_1000": 80, "uptake": 1.0, "max_hours_per_carer": 8}
    effect = paired({"respite_care": generous}, lambda r: r.weekly["heavily_burdened_share"].mean())
    assert_effect(effect, "respite_care on heavily_burdened_share")
    base = np.mean([baseline(s).weekly["heavily_burdened_share"].mean() for s in SEEDS])
    assert -effect.mean() > 0.1 * base, f"respite lowers the share by {-effect.mean():.4f} only, of {base:.4f}"


def test_carer_support_lowers_burden_of_supported_carers():
    """Carers the action took on carry less burden than the same residents without the action.

    Compared: the slots where ``action_supported`` is True at the end of the scenario run and the same person
    lives in the slot in the baseline run; their mean burden over the weeks from their first support on, in the
    scenario against the same slot-weeks of the baseline run. (Burden at the very end of the run is not lower:
    support ends after relief_weeks, and supported carers keep caring where in the baseline some drop out.)
    """
    actions = {"carer_support": {"carers_per_week_per_1000": 5, "relief_weeks": 52}}
    # No one moves into a care home here: an admission that happens in one run and not the other ends a carer's
    # caring (their burden falls to 0), an effect of the Wlz route (tests/test_wlz.py), not of the support.
    settings = {**EFFECT, "wlz.admission_rate": 0.0}
    effect, supported = [], []
    for seed in SEEDS:
        run, base = scenario(seed, actions, settings, trace=True), baseline(seed, settings)
        assert run.weekly["carers_supported_by_action"].sum() > 0
        assert base.weekly["carers_supported_by_action"].sum() == 0
        slots = np.flatnonzero(run.model.state.action_supported)
        assert slots.size > 0, "no carer was supported"
        weeks = np.arange(run.burden.shape[0])[:, None]
        since = (weeks >= run.first_supported[slots]) & (run.person_id[:, slots] == base.person_id[:, slots])
        supported.append(slots.size)
        effect.append(float(run.burden[:, slots][since].mean() - base.burden[:, slots][since].mean()))
    assert min(supported) >= 10, f"too few supported carers for a comparison: {supported}"
    assert_effect(np.array(effect), "carer_support on the burden of supported carers")


def test_link_shopkeepers_lowers_unmet_need_of_residents_with_little_contact():
    """Linked shops notice residents at risk who shop locally, so residents with little contact and a need get
    more of it met.

    Socially isolated adults (at most 1 active tie) with a need are too few in a run of this size (a handful of
    residents, 20–400 resident-weeks in three years) for a stable comparison, so the group is the residents with
    a need whose contact is in the lowest quartile of the week: their mean unmet hours a week, over all weeks.
    """
    actions = {"link_shopkeepers": {"signal_chance": 0.5}}
    effect = []
    for seed in SEEDS:
        run, base = scenario(seed, actions, trace=True), baseline(seed)
        assert run.weekly["signals_shopkeeper"].sum() > 0, "linked shopkeepers noticed no one"
        assert base.weekly["signals_shopkeeper"].sum() == 0, "shopkeepers signal in the baseline"
        (u_run, n_run), (u_base, n_base) = run.low_contact_unmet, base.low_contact_unmet
        assert min(n_run, n_base) > 200, "too few residents with a need and little contact"
        effect.append(u_run / n_run - u_base / n_base)
    assert_effect(np.array(effect), "link_shopkeepers on unmet hours of residents with little contact")


def test_buurthulp_backup_raises_matches_and_lowers_volunteer_dropout():
    """A professional as backup for buurthulp: more matches succeed and fewer volunteers stop, against buurthulp
    without backup (same seeds)."""
    matches, dropout = [], []
    for seed in SEEDS[:3]:
        without = scenario(seed, {"buurthulp": {}}).weekly
        backed = scenario(seed, {"buurthulp": {}, "buurthulp_backup": {}}).weekly
        matches.append(backed["volunteer_matches"].sum() - without["volunteer_matches"].sum())
        per_volunteer_year = [
            df["volunteer_dropouts"].sum() / (df["volunteers"].mean() * EFFECT["years"]) for df in (backed, without)
        ]
        dropout.append(per_volunteer_year[0] - per_volunteer_year[1])
        assert without["volunteer_matches"].sum() > 0 and without["volunteer_dropouts"].sum() > 0
    assert_effect(np.array(matches), "buurthulp_backup on successful matches", sign=+1)
    assert_effect(np.array(dropout), "buurthulp_backup on dropouts per volunteer-year")


def test_community_centre_lowers_isolated_share():
    """Activities in the community centre form new weak ties, reaching lonely residents: fewer isolated adults
    in the last year."""
    last = EFFECT["years"] - 1
    effect = paired(
        {"community_centre": {"extra_activity": 10}},
        lambda r: r.weekly.loc[r.weekly["year"] == last, "isolated_share"].mean(),
    )
    assert_effect(effect, "community_centre on isolated_share in the last year")


#: A wijk large enough that respite, which reaches only carers known to the wijkteam, finds some in it every seed
#: (at 1,000 residents a wijk has about 125, and in some seeds respite reached no one there).
WIJK_SETTINGS = {"population.size": 3000, "years": 3, "burn_in_weeks": 12}


def test_action_limited_to_one_wijk_changes_that_wijk_most():
    """Respite care in wijk_1 only lowers the heavily burdened share in wijk_1 more than in any other wijk."""
    actions = {"respite_care": {"hours_per_1000": 200, "wijken": ["wijk_1"]}}
    changes = []
    for seed in SEEDS[:3]:
        run, base = scenario(seed, actions, WIJK_SETTINGS), baseline(seed, WIJK_SETTINGS)
        by_wijk = [r.wijken.groupby("wijk")["heavily_burdened_share"].mean() for r in (run, base)]
        changes.append((by_wijk[0] - by_wijk[1]).to_numpy())
    changes = np.array(changes)  # (seeds, wijken)
    mean = changes.mean(axis=0)
    others = np.delete(mean, 0)
    assert mean[0] < 0, f"respite in wijk_1 did not lower its heavily burdened share: {changes[:, 0]}"
    assert (mean[0] < others).all(), f"change per wijk (mean over seeds): {np.round(mean, 4)}"
    per_seed = (changes[:, :1] < np.delete(changes, 0, axis=1)).all(axis=1)
    assert per_seed.sum() > len(per_seed) / 2, (
        f"the targeted wijk changed most in {per_seed.sum()} of {len(per_seed)} seeds: {np.round(changes, 4)}"
    )


# -- when, and at what cost -----------------------------------------------------------------------------------------

LATE = {"population.size": 1000, "years": 6, "burn_in_weeks": 12}
LATE_SEED = 7
LATE_ACTIONS = {label: {**entry, "start_year": 5} for label, entry in ALL_ACTIONS.items()}


def test_action_starting_in_year_5_changes_nothing_before_year_5():
    """Every action scheduled from year 5: the weekly and per-wijk tables of years 0–4 are those of the baseline
    exactly (the cost columns apart, which only the scenario has), and year 5 differs."""
    run = scenario(LATE_SEED, LATE_ACTIONS, LATE, cache=True)
    base = baseline(LATE_SEED, LATE)
    costs = cost_columns(run.weekly)
    assert sorted(costs) == sorted(f"cost_{label}_eur" for label in LATE_ACTIONS)
    assert not cost_columns(base.weekly)
    before_w, before_b = run.weekly["year"] < 5, base.weekly["year"] < 5
    assert before_w.sum() == 5 * 52
    scen = run.weekly.drop(columns=costs)
    pdt.assert_frame_equal(scen[before_w], base.weekly[before_b], check_exact=True)
    pdt.assert_frame_equal(run.wijken[run.wijken["year"] < 5], base.wijken[base.wijken["year"] < 5], check_exact=True)
    assert (run.weekly.loc[before_w, costs] == 0).all().all()
    year5 = scen[~before_w].reset_index(drop=True).drop(columns=["budget_level"])
    differs = [c for c in year5.columns if not year5[c].equals(base.weekly[~before_b].reset_index(drop=True)[c])]
    assert {"heavily_burdened_share", "unmet_hours", "municipal_cost_eur"} <= set(differs), differs


def expected_yearly_cost(action, model: CareNetworkModel) -> float:
    """An action's yearly cost worked out from its parameters and what it reaches, as its documentation states it,
    independently of the action's own ``yearly_cost`` (for an action without a formula here: its own)."""
    p, mask = action.params, action.wijk_mask
    residents = float(np.bincount(model.state.wijk[model.state.alive], minlength=model.n_wijken)[mask].sum())
    per_1000 = residents / 1000.0
    shops = sum(1 for shop in model.shopkeepers if mask[shop.wijk])
    fte = sum(worker.fte for worker in model.wijkteam_workers if mask[worker.wijk])
    return {
        "link_shopkeepers": lambda: shops * p.share_linked * p.eur_per_shop + per_1000 * p.eur_per_1000,
        "buurthulp": lambda: per_1000 * p.coordinator_fte_per_1000 * p.eur_per_fte,
        "buurthulp_backup": lambda: per_1000 * p.fte_per_1000 * p.eur_per_fte,
        "community_centre": lambda: per_1000 * p.eur_per_1000 * p.extra_activity,
        "respite_care": lambda: per_1000 * p.hours_per_1000 * 52 * p.eur_per_hour,
        "carer_support": lambda: per_1000 * p.carers_per_week_per_1000 * 52 * p.eur_per_carer,
        "network_strengthening": lambda: per_1000 * p.cases_per_week_per_1000 * 52 * p.eur_per_case,
        "wijkteam": lambda: fte * (p.fte_factor - 1.0) * p.eur_per_fte,
        "citizen_initiatives": lambda: per_1000 * p.initiatives_per_1000 * p.eur_per_initiative,
    }.get(action.action_name, lambda: action.yearly_cost(model))()


def test_each_action_books_its_yearly_cost_from_its_start_year():
    """Each action's cost column is 0 before its start year and positive after; a year of its weekly costs adds up
    to its yearly cost (the population is constant here); the municipal cost is the baseline's plus the actions'
    costs plus the change in Wmo household-help costs the actions bring about; without a cap the budget level is 1."""
    run = scenario(LATE_SEED, LATE_ACTIONS, LATE, cache=True)
    base = baseline(LATE_SEED, LATE)
    df, model = run.weekly, run.model
    assert df["residents"].nunique() == 1, "the cost check below needs a constant population"
    year5 = df["year"] == 5
    for action in model.municipality.actions:
        column = f"cost_{action.label}_eur"
        assert column in df.columns
        assert (df.loc[~year5, column] == 0).all(), column
        assert (df.loc[year5, column] > 0).all(), column
        assert df.loc[year5, column].sum() == pytest.approx(expected_yearly_cost(action, model), rel=1e-9), column
    assert {a.label for a in model.municipality.actions} == set(ACTIONS)

    def wmo(frame: pd.DataFrame) -> pd.Series:
        # formal cost = personal·€p + practical·€q, professional hours = personal + practical: solve for practical.
        c = model.config.costs
        p, q = c.personal_care_eur_per_hour, c.practical_help_eur_per_hour
        practical = (p * frame["professionals_hours"] - frame["formal_cost_eur"]) / (p - q)
        return practical * q

    rest_scen = df["municipal_cost_eur"] - df[cost_columns(df)].sum(axis=1) - wmo(df)
    rest_base = base.weekly["municipal_cost_eur"] - wmo(base.weekly)
    np.testing.assert_allclose(rest_scen.to_numpy(), rest_base.to_numpy(), rtol=1e-9, atol=1e-6)
    assert (df.loc[year5, "municipal_cost_eur"] > base.weekly.loc[year5, "municipal_cost_eur"]).all()
    assert (df["budget_level"] == 1.0).all()
    assert model.municipality.capped_years == []


def test_budget_cap_scales_actions_down_to_the_budget():
    """Every action of sterke_sociale_basis under a small budget: all run at a level below 1, a year's action costs
    add up to the budget, and the capped years are recorded."""
    entries = OmegaConf.to_container(OmegaConf.load(CONF_DIR / "scenario" / "sterke_sociale_basis.yaml"))["actions"]
    budget = 60_000.0  # a third of what the actions cost at 1,000 residents (about €186,000 a year)
    settings = {"population.size": 1000, "years": 2, "burn_in_weeks": 4}
    model = CareNetworkModel(_config(3, settings, entries, budget_eur_per_year=budget))
    model.run()
    df = weekly_frame(model)
    full = sum(a.yearly_cost(model) for a in model.municipality.actions)
    assert full > 2 * budget, "the budget does not bind"
    assert (df["budget_level"] < 1).all()
    np.testing.assert_allclose(df["budget_level"], budget / full, rtol=1e-9)
    yearly = df.groupby("year")[cost_columns(df)].sum().sum(axis=1)
    assert len(yearly) == 2
    np.testing.assert_allclose(yearly.to_numpy(), budget, rtol=0.01)
    assert model.municipality.capped_years == [0, 1]


# -- what an action declares --------------------------------------------------------------------------------------


class _RecordingLevers(Levers):
    """Levers that remember which of them were looked at."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.touched: set[str] = set()

    def __getattribute__(self, name: str) -> Any:
        if name in _LEVER_NAMES:
            object.__getattribute__(self, "touched").add(name)
        return object.__getattribute__(self, name)


_LEVER_NAMES = frozenset(name for name, _ in iter_levers())


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_each_action_pulls_exactly_the_levers_it_declares(name):
    """``set_levers`` of each action, with the settings its page choice brings, touches the levers in its ``pulls``
    and no other (the lever table of docs/ODD.md is made from ``pulls``)."""
    cls = ACTIONS[name]
    model = CareNetworkModel(make_small_config({"population.size": 300, "years": 1, "burn_in_weeks": 0}))
    settings = {**(cls.choice.fixed if cls.choice else {}), **ALL_ACTIONS[name]}
    action = cls.from_entry(name, settings, name, model.wijk_names)
    model.levers = _RecordingLevers(model.n_wijken)
    action.set_levers(model, 1.0)
    assert model.levers.touched == set(cls.pulls), f"{name} pulls {sorted(model.levers.touched)}"


def test_action_pulling_an_unknown_lever_or_offering_an_unknown_parameter_is_refused():
    @dataclasses.dataclass
    class Params:
        rate: float = 1.0

    class Bad(Action):
        pulls = ("shop_signal", "no_such_lever")

    Bad.Params = Params
    with pytest.raises(InputError, match=r"pulls unknown lever\(s\) no_such_lever"):
        _check_declaration(Bad)
    Bad.pulls = ("shop_signal",)
    _check_declaration(Bad)
    Bad.choice = Choice(scaled=("speed",))
    with pytest.raises(InputError, match=r"page choice names unknown parameter\(s\) speed"):
        _check_declaration(Bad)


def test_every_action_is_named_after_its_module_and_offered_with_labels():
    for name, cls in ACTIONS.items():
        assert cls.__module__ == f"samenkracht.scenarios.actions.{name}" and cls.action_name == name
        assert cls.choice is not None and set(cls.labels) == {"nl", "en"}, name


# -- scenario files -------------------------------------------------------------------------------------------------


def _compose(conf_dir: Path, name: str) -> SimConfig:
    from hydra import compose, initialize_config_dir

    from samenkracht.tools.config_store import register_configs, to_sim_config

    register_configs()
    with initialize_config_dir(config_dir=str(conf_dir), version_base="1.3"):
        cfg = compose(
            config_name="config",
            overrides=[f"scenario={name}", "population.size=300", "years=1", "burn_in_weeks=2", "seed=5"],
        )
    return to_sim_config(cfg)


def _run_tiny(config: SimConfig) -> tuple[CareNetworkModel, pd.DataFrame]:
    logging.getLogger("MESA").setLevel(logging.WARNING)
    model = CareNetworkModel(config)
    model.run()
    return model, weekly_frame(model)


SCENARIO_FILES = sorted(p.stem for p in (CONF_DIR / "scenario").glob("*.yaml"))


@pytest.mark.parametrize("name", SCENARIO_FILES)
def test_scenario_file_loads_and_runs_with_its_actions_active(name):
    config = _compose(CONF_DIR, name)
    assert config.scenario.name == name
    _, df = _run_tiny(config)
    assert len(df) == 52
    labels = list(config.scenario.actions or {})
    assert sorted(cost_columns(df)) == sorted(f"cost_{label}_eur" for label in labels)
    for label in labels:
        assert df[f"cost_{label}_eur"].sum() > 0, f"{name}: action {label} is not active"


def test_every_registered_action_has_a_scenario_file():
    for name in ACTIONS:
        assert name in SCENARIO_FILES, f"no conf/scenario/{name}.yaml"
        entries = OmegaConf.load(CONF_DIR / "scenario" / f"{name}.yaml")["actions"]
        assert name in {str(entry.get("action", label)) for label, entry in entries.items()}


def test_new_scenario_is_a_new_file_only(tmp_path):
    conf = tmp_path / "conf"
    shutil.copytree(CONF_DIR, conf)
    (conf / "scenario" / "my_new_one.yaml").write_text(
        "name: my_new_one\n"
        "description: Respite in the first wijk, shops linked everywhere from year 0.\n"
        "actions:\n"
        "  respite_wijk_1:\n"
        "    action: respite_care\n"
        "    wijken: [wijk_1]\n"
        "    hours_per_1000: 50\n"
        "  link_shopkeepers:\n"
        "    start_year: 0\n"
        "    signal_chance: 0.2\n"
    )
    config = _compose(conf, "my_new_one")
    assert config.scenario.name == "my_new_one"
    model, df = _run_tiny(config)
    assert df["cost_respite_wijk_1_eur"].sum() > 0 and df["cost_link_shopkeepers_eur"].sum() > 0
    respite = next(a for a in model.municipality.actions if a.label == "respite_wijk_1")
    assert respite.wijk_mask.tolist() == [True] + [False] * (model.n_wijken - 1)


# -- bad scenarios are refused --------------------------------------------------------------------------------------


def _build(actions: dict[str, Any]) -> None:
    """Check a scenario's actions as a run does: the config, then the model (which checks wijken)."""
    config = make_small_config({"population.size": 300, "years": 1, "burn_in_weeks": 0, "scenario.actions": actions})
    CareNetworkModel(config)


def test_unknown_action_is_refused_listing_known_actions():
    with pytest.raises(InputError, match=r"unknown action 'respijt'") as err:
        _build({"respijt": {}})
    for name in ACTIONS:
        assert name in str(err.value)
    with pytest.raises(InputError, match=r"unknown action 'respijt'"):
        _build({"my_label": {"action": "respijt"}})


def test_unknown_parameter_is_refused_listing_known_parameters():
    with pytest.raises(InputError, match=r"respite_care\.hours_a_week: unknown parameter") as err:
        _build({"respite_care": {"hours_a_week": 30}})
    for known in ("start_year", "end_year", "wijken", "hours_per_1000", "max_hours_per_carer", "eur_per_hour"):
        assert known in str(err.value)


@pytest.mark.parametrize(
    "entry",
    [
        {"_target_": "os.system"},
        {"hours_per_1000": {"_target_": "builtins.eval", "_args_": ["1"]}},
        {"wijken": [{"_target_": "os.getcwd"}]},
    ],
    ids=["entry", "parameter", "inside_a_list"],
)
def test_python_code_in_a_scenario_is_refused(entry):
    with pytest.raises(InputError, match=r"_target_: a scenario may not name Python code"):
        _build({"respite_care": entry})


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"wijken": ["wijk_99"]}, r"respite_care\.wijken: unknown wijk 'wijk_99'"),
        ({"wijken": [8]}, r"respite_care\.wijken: unknown wijk 8"),
        ({"start_year": 3, "end_year": 3}, r"respite_care\.end_year=3 must be after start_year=3"),
        ({"start_year": 4, "end_year": 2}, r"respite_care\.end_year=2 must be after start_year=4"),
        ({"hours_per_1000": -5}, r"respite_care\.hours_per_1000=-5\.0 is out of range"),
        ({"max_hours_per_carer": 500}, r"respite_care\.max_hours_per_carer=500\.0 is out of range"),
        ({"hours_per_1000": "lots"}, r"respite_care\.hours_per_1000='lots' is not a float"),
        ({"start_year": "soon"}, r"respite_care\.start_year='soon'"),
    ],
    ids=[
        "unknown_wijk_name",
        "unknown_wijk_index",
        "end_equals_start",
        "end_before_start",
        "below_range",
        "above_range",
        "wrong_type",
        "wrong_year",
    ],
)
def test_bad_action_settings_are_refused_naming_the_problem(entry, message):
    with pytest.raises(InputError, match=message):
        _build({"respite_care": entry})
