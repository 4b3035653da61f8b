"""Substitution between formal and informal care: it follows the kind of care and the hours the network gives,
never a flag; network strengthening and carer support work through the network's hours."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from conftest import make_small_config

from samenkracht.sim.config import SimConfig
from samenkracht.sim.mechanisms.allocation import LayeredAllocation
from samenkracht.sim.model import CareNetworkModel
from samenkracht.sim.state import PERSONAL, PRACTICAL
from samenkracht.tools.outputs import weekly_frame

#: The kinds of care formal care gives (company is never formal).
FORMAL_KINDS = [PERSONAL, PRACTICAL]


def _allocate_twice(model: CareNetworkModel) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """This week's allocation once with no network mobilised and once with every network mobilised, from the same
    state and the same random numbers; what each gave (formal per resident, formal personal care in all)."""
    world, s = model.world, model.state
    allocation = next(m for m in model.mechanisms if isinstance(m, LayeredAllocation))
    saved = {k: v.copy() for k, v in vars(s).items() if isinstance(v, np.ndarray)}
    out = []
    for mobilised in (False, True):
        for k, v in saved.items():
            setattr(s, k, v.copy())
        s.mobilised[:] = mobilised
        allocation.step(world)
        out.append(
            {
                "formal": s.received_formal.copy(),
                "informal": s.received_informal.copy(),
                # informal help (network and volunteers) in the kinds formal care gives: personal and practical
                "informal_formal_kinds": (s.need[:, FORMAL_KINDS] - s.unmet[:, FORMAL_KINDS]).sum(axis=1)
                - s.received_formal,
                "formal_personal": np.array(world.flows.formal_personal),
            }
        )
    for k, v in saved.items():
        setattr(s, k, v)
    return out[0], out[1]


def _ample_home_care(takeover_share: float, seed: int) -> CareNetworkModel:
    """20 weeks of 2,000 residents with home care enough for everyone, at the given takeover share."""
    config = make_small_config(
        {
            "allocation.takeover_share": takeover_share,
            "wijkteam.home_care_fte_per_1000": 100.0,
            "years": 1,
            "population.size": 2000,
            "burn_in_weeks": 26,
        },
        seed=seed,
    )
    model = CareNetworkModel(config)
    model.run(weeks=20)
    return model


def test_mobilising_a_network_takes_no_formal_personal_care_away_and_formal_care_follows_the_network():
    """With home care enough for everyone and the whole personal care of indicated residents given formally
    first, mobilising every network (so that friends and neighbours are asked more) leaves formal personal care
    exactly as it was: the flag decides nothing about formal care. Formal care per resident only falls where the
    network gives more of its kinds, only rises where the network gives less of them, and the network gives
    more."""
    model = _ample_home_care(takeover_share=1.0, seed=3)
    indicated = model.state.alive & model.state.indicated
    assert indicated.sum() > 10, "the test needs indicated residents"
    plain, mobilised = _allocate_twice(model)
    assert float(mobilised["formal_personal"]) == pytest.approx(float(plain["formal_personal"]), rel=1e-12)
    # Formal care rises only where the network gives less of the kinds formal care gives (a friend at a tie's cap,
    # asked for all that is left, can move a few minutes from practical help to company), and by just that much.
    rose = mobilised["formal"] > plain["formal"] + 1e-9
    fewer = plain["informal_formal_kinds"] - mobilised["informal_formal_kinds"]
    assert (rose <= (fewer > 1e-9)).all(), "formal care rose where the network gave no less of its kinds"
    np.testing.assert_allclose((mobilised["formal"] - plain["formal"])[rose], fewer[rose], atol=1e-9)
    more_help = mobilised["informal"] > plain["informal"] + 1e-9
    assert more_help.sum() > 10, "mobilising the networks should bring more informal help"
    fell = mobilised["formal"] < plain["formal"] - 1e-9
    # A friend at the cap of a tie gives the same hours either way, but asked for all that is left gives practical
    # help where they gave company: so the comparison is by the kinds formal care gives.
    more_of_its_kinds = mobilised["informal_formal_kinds"] > plain["informal_formal_kinds"] + 1e-9
    assert (fell <= more_of_its_kinds).all(), "formal care fell for a resident whose network gave no more of its kinds"
    assert fell.any(), "some indicated residents' network now gives practical help that formal care gave"


def test_takeover_share_gives_personal_care_formally_first_and_practical_help_after_the_network():
    """With ample home care, takeover_share=1 gives indicated residents all their personal care formally, the
    network none of it; with 0 the network gives personal care first and formal care only what is left; formal
    practical help is what the network leaves in both (practical_takeover_share=0)."""
    totals = {}
    for share in (0.0, 1.0):
        model = _ample_home_care(takeover_share=share, seed=5)
        s = model.state
        indicated = s.alive & s.indicated
        personal_need = float(s.need[indicated, PERSONAL].sum())
        totals[share] = (float(model.world.flows.formal_personal), personal_need)
    formal_personal, need = totals[1.0]
    assert need > 0
    assert formal_personal == pytest.approx(need, rel=1e-9)
    assert totals[0.0][0] < 0.9 * totals[0.0][1], "without the rule the network gives part of the personal care"


# -- network strengthening and carer support without the takeover rule ----------------------------------------------

#: Runs of the test below: a municipality big enough for both actions to reach a few hundred people.
SIZE = {"population.size": 4000, "years": 5, "burn_in_weeks": SimConfig.burn_in_weeks}
SEEDS = tuple(range(1, 9))
#: Years measured: the mean over the last ``LAST_YEARS`` simulated years of each run.
LAST_YEARS = 3
#: Seeds that must show the effect's sign (of ``len(SEEDS)``), with the rule and without it.
MOST_SEEDS = 6
ACTIONS = {"network_strengthening": {"network_strengthening": {}}, "carer_support": {"carer_support": {}}}


def _last_years(seed: int, actions: dict, takeover: float | None) -> dict[str, float]:
    logging.getLogger("MESA").setLevel(logging.WARNING)
    overrides = {**SIZE, "scenario.actions": actions}
    if takeover is not None:
        overrides["allocation.takeover_share"] = takeover
    model = CareNetworkModel(make_small_config(overrides, seed=seed))
    model.run()
    df = weekly_frame(model)
    last = df[df["year"] > df["year"].max() - LAST_YEARS]
    return {c: float(last[c].mean()) for c in ("carrying_capacity", "formal_hours", "informal_hours")}


@pytest.fixture(scope="module")
def effects() -> dict[tuple[str, str, str], np.ndarray]:
    """(action, rule "on"/"off", indicator) → per-seed difference from the baseline over the last years."""
    out = {}
    for rule, takeover in (("on", None), ("off", 0.0)):
        base = {seed: _last_years(seed, {}, takeover) for seed in SEEDS}
        for name, actions in ACTIONS.items():
            runs = {seed: _last_years(seed, actions, takeover) for seed in SEEDS}
            for column in ("carrying_capacity", "formal_hours", "informal_hours"):
                out[(name, rule, column)] = np.array([runs[s][column] - base[s][column] for s in SEEDS])
    return out


def _keeps(effects, name: str, column: str, sign: int) -> None:
    on, off = effects[(name, "on", column)], effects[(name, "off", column)]
    text = f"{name} on {column}: with the takeover rule {np.round(on, 4)}, without {np.round(off, 4)}"
    assert (sign * on > 0).sum() >= MOST_SEEDS and sign * on.mean() > 0, f"{text}: no effect with the rule"
    assert (sign * off > 0).sum() >= MOST_SEEDS and sign * off.mean() > 0, f"{text}: the sign flips without it"
    assert sign * off.mean() >= 0.5 * sign * on.mean(), f"{text}: less than half the effect is left without it"


@pytest.mark.slow
@pytest.mark.parametrize("name", list(ACTIONS))
def test_action_keeps_its_effect_on_carrying_capacity_without_the_takeover_rule(effects, name):
    """Network strengthening and carer support raise the carrying capacity through the hours the network gives:
    with the formal-first rule switched off (takeover_share=0) the effect keeps its sign and at least half its
    size (4,000 residents, 5 years, 8 paired seeds, at least 6 of them with the effect's sign, each the mean over
    the last 3 years)."""
    _keeps(effects, name, "carrying_capacity", +1)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(ACTIONS))
def test_action_keeps_its_effect_on_informal_hours_without_the_takeover_rule(effects, name):
    """As above, for the informal hours the action adds."""
    _keeps(effects, name, "informal_hours", +1)


@pytest.mark.slow
def test_network_strengthening_keeps_its_effect_on_formal_hours_without_the_takeover_rule(effects):
    """The formal hours network strengthening saves are hours its networks give: they stay without the rule."""
    _keeps(effects, "network_strengthening", "formal_hours", -1)
