"""Activities in the community centre: new weak ties, bridging ties between wijken, less loneliness."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from samenkracht.sim.actions import Action, Choice, Label
from samenkracht.sim.params import param

if TYPE_CHECKING:
    from samenkracht.sim.world import World


class CommunityCentreActivities(Action):
    """Activities in the community centre: new weak ties, bridging ties between wijken, less loneliness."""

    @dataclass
    class Params:
        extra_activity: float = param(
            2.0, unit="× baseline", lo=0, hi=50, doc="extra weak ties formed, relative to the baseline rate"
        )
        outreach: float = param(
            2.0, unit="weight", lo=0, hi=20, doc="how much activities reach lonely residents (0 = no more than others)"
        )
        bridging_bonus: float = param(0.15, unit="share", lo=0, hi=1, doc="extra share of new ties that bridge wijken")
        tie_strength: float = param(0.35, unit="strength", lo=0, hi=1, doc="strength of ties formed at activities")
        eur_per_1000: float = param(
            16_000.0,
            unit="€ a year per 1,000 residents",
            lo=0,
            hi=1e6,
            doc="activities and their hosts for 1,000 residents at one baseline's worth of extra activity (the ties "
            "formed grow with the residents reached and with the activity, and so does the cost)",
            source="modelling assumption: about €40,000 a year for a wijk of 1,250 residents at twice the baseline "
            "activity",
        )

    pulls = ("tie_formation_factor", "outreach", "bridging_bonus", "new_tie_strength")
    choice = Choice(scaled=("extra_activity",), position=40)
    labels = {
        "nl": Label("Activiteiten in het buurthuis", "het buurthuis", "extra activiteit", "× de basis"),
        "en": Label("Community-centre activities", "the community centre", "extra activity", "× baseline"),
    }

    def yearly_cost(self, world: World) -> float:
        p = self.params
        return float(self.per_1000(world, p.eur_per_1000).sum() * p.extra_activity)

    def set_levers(self, world: World, level: float) -> None:
        m, lv, p = self.wijk_mask, world.levers, self.params
        lv.tie_formation_factor[m] += p.extra_activity * level
        lv.outreach[m] += p.outreach * level
        lv.bridging_bonus[m] += p.bridging_bonus * level
        # fmax, not maximum: the neutral value is NaN (the contact parameter), which maximum would keep.
        lv.new_tie_strength[m] = np.fmax(lv.new_tie_strength[m], p.tie_strength)
