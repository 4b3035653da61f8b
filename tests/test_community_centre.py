"""Community-centre activities: the strength of the ties they form is the action's own parameter."""

from __future__ import annotations

import logging

import numpy as np
from conftest import make_small_config

from samenkracht.sim.model import CareNetworkModel
from samenkracht.tools.outputs import weekly_frame


def _run(tie_strength: float | None) -> CareNetworkModel:
    logging.getLogger("MESA").setLevel(logging.WARNING)
    actions = {} if tie_strength is None else {"community_centre": {"tie_strength": tie_strength}}
    model = CareNetworkModel(make_small_config({"scenario.actions": actions, "years": 1}, seed=2))
    model.run()
    return model


def test_tie_strength_of_community_centre_sets_the_strength_of_new_ties():
    """The lever carries the action's tie strength (its neutral value is NaN, the contact parameter), and stronger
    ties at activities leave more active ties per adult."""
    weak, strong = _run(0.3), _run(0.9)
    assert np.allclose(weak.world.levers.new_tie_strength, 0.3)
    assert np.allclose(strong.world.levers.new_tie_strength, 0.9)
    assert np.isnan(_run(None).world.levers.new_tie_strength).all()
    degree = {name: weekly_frame(m)["active_degree_mean"].iloc[-13:].mean() for name, m in (("w", weak), ("s", strong))}
    assert degree["s"] > degree["w"], degree
