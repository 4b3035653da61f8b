"""Costs follow reach, not the number of wijken: the same residents in 2 or in 8 wijken give every action the same
yearly cost and the same cost per unit of its direct effect (within 10%)."""

from __future__ import annotations

import functools
import logging

import numpy as np
import pytest
from conftest import make_small_config
from scipy import stats

from samenkracht.sim.actions import registry
from samenkracht.sim.model import CareNetworkModel
from samenkracht.tools.outputs import weekly_frame

#: The same 4,000 residents, as 2 or as 8 wijken; two years after half a year of burn-in.
SIZE = {"population.size": 4000, "years": 2, "burn_in_weeks": 26}
LAYOUTS = (2, 8)
SEEDS = (1, 2, 3)
TOLERANCE = 0.10
#: Each action's direct effect, what its money buys, counted in the last year (a weekly event column, summed): the
#: people or things it reaches. Outcomes further down the line (unmet need, burden) move with the wijk layout for
#: reasons of their own (volunteers are pooled per wijk, say) and are far noisier; the direct effect is what a cost
#: per unit of reach is about.
DIRECT_EFFECT = {
    "buurthulp": "volunteers_joined",
    "buurthulp_backup": "volunteer_matches",
    "carer_support": "carers_supported_by_action",
    "citizen_initiatives": "ties_formed",
    "community_centre": "ties_formed",
    "link_shopkeepers": "signals_shopkeeper",
    "network_strengthening": "networks_strengthened",
    "respite_care": "respite_hours",
    # with the caseload of issue 15 intake is not saturated: extra wijkteam hours go to carer support
    "wijkteam": "carers_supported",
}
SETTINGS = {"wijkteam": {"fte_factor": 1.5}}


@functools.cache
def _last_year(seed: int, wijken: int, action: str | None) -> tuple[float, dict[str, float]]:
    """(the action's cost in the last year, each direct-effect column summed over the last year)."""
    logging.getLogger("MESA").setLevel(logging.WARNING)
    actions = {} if action is None else {action: SETTINGS.get(action, {})}
    config = make_small_config({**SIZE, "population.wijken": wijken, "scenario.actions": actions}, seed=seed)
    model = CareNetworkModel(config)
    model.run()
    df = weekly_frame(model)
    last = df[df["year"] == df["year"].max()]
    cost = float(last[f"cost_{action}_eur"].sum()) if action is not None else 0.0
    return cost, {c: float(last[c].sum()) for c in set(DIRECT_EFFECT.values())}


def _measure(action: str, wijken: int) -> tuple[float, np.ndarray]:
    """The action's mean yearly cost and its per-seed direct effect (action − baseline, paired seeds)."""
    column = DIRECT_EFFECT[action]
    costs, effects = [], []
    for seed in SEEDS:
        cost, with_action = _last_year(seed, wijken, action)
        _, base = _last_year(seed, wijken, None)
        costs.append(cost)
        effects.append(with_action[column] - base[column])
    return float(np.mean(costs)), np.array(effects)


def _ratio_interval(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """mean(a) / mean(b) and the half-width of its 95% interval on the log scale (the two layouts are independent
    samples; within each, the effect is paired with its baseline)."""
    ma, mb = a.mean(), b.mean()
    var = a.var(ddof=1) / (a.size * ma**2) + b.var(ddof=1) / (b.size * mb**2)
    return float(ma / mb), float(stats.t.ppf(0.975, a.size + b.size - 2) * np.sqrt(var))


@pytest.mark.slow
@pytest.mark.parametrize("action", list(registry()))
def test_same_residents_in_2_or_8_wijken_give_the_same_cost_and_cost_per_effect(action):
    """4,000 residents in 2 or in 8 wijken, 3 paired seeds, the last of 2 years: the yearly cost within 10%, and
    the cost per unit of direct effect (mean cost ÷ mean paired effect) within 10% — or, where the effect's own
    noise is larger, within the 95% interval of the ratio of the two effects (on the log scale)."""
    assert action in DIRECT_EFFECT, f"name the direct effect of '{action}' in DIRECT_EFFECT"
    (cost_2, effect_2), (cost_8, effect_8) = (_measure(action, w) for w in LAYOUTS)
    text = (
        f"{action}: cost €{cost_2:,.0f} in 2 wijken, €{cost_8:,.0f} in 8; {DIRECT_EFFECT[action]} "
        f"{np.round(effect_2, 1)} and {np.round(effect_8, 1)}"
    )
    print(text)
    assert cost_8 > 0 and abs(cost_2 / cost_8 - 1) <= TOLERANCE, f"{text}: the yearly cost depends on the wijken"
    assert effect_2.mean() > 0 and effect_8.mean() > 0, f"{text}: no direct effect to put a cost on"
    ratio, half = _ratio_interval(effect_2, effect_8)
    per_2, per_8 = cost_2 / effect_2.mean(), cost_8 / effect_8.mean()
    allowed = max(np.log1p(TOLERANCE), half)
    assert abs(np.log(per_2 / per_8)) <= allowed, (
        f"{text}: cost per unit €{per_2:,.2f} against €{per_8:,.2f} (effects' ratio {ratio:.3f}, "
        f"log-interval ±{half:.3f})"
    )
