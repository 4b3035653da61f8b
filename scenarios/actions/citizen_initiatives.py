"""Subsidies for citizen initiatives that add helpers and ties."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from samenkracht.sim.actions import Action, Choice, Label
from samenkracht.sim.params import param

if TYPE_CHECKING:
    from samenkracht.sim.world import World


class CitizenInitiatives(Action):
    """Subsidies for citizen initiatives (a neighbourhood meal, a walking group, a repair café) that add helpers
    and ties."""

    @dataclass
    class Params:
        initiatives_per_1000: float = param(
            1.6,
            unit="initiatives per 1,000 residents",
            lo=0,
            hi=100,
            doc="initiatives subsidised per 1,000 residents (each serves its part of the wijk)",
            source="modelling assumption: two initiatives in a wijk of 1,250 residents",
        )
        recruitment_per_initiative: float = param(
            0.00625,
            unit="share of willing adults a year",
            lo=0,
            hi=1,
            doc="volunteers one initiative brings in among the 1,000 residents it counts for",
        )
        ties_per_initiative: float = param(
            0.3125,
            unit="× baseline tie formation",
            lo=0,
            hi=20,
            doc="extra weak ties one initiative forms among the 1,000 residents it counts for",
        )
        eur_per_initiative: float = param(5_000.0, unit="€ a year", lo=0, hi=1e7, doc="subsidy per initiative")

    pulls = ("volunteer_recruitment", "tie_formation_factor")
    choice = Choice(scaled=("initiatives_per_1000",), position=50)
    labels = {
        "nl": Label("Subsidie voor burgerinitiatieven", "burgerinitiatieven", "initiatieven", "per 1.000 inwoners"),
        "en": Label("Subsidies for citizen initiatives", "citizen initiatives", "initiatives", "per 1,000 residents"),
    }

    def yearly_cost(self, world: World) -> float:
        p = self.params
        return float(self.per_1000(world, p.initiatives_per_1000).sum() * p.eur_per_initiative)

    def set_levers(self, world: World, level: float) -> None:
        m, lv, p = self.wijk_mask, world.levers, self.params
        # The initiatives' density, not their number, sets what a resident meets: the same in a large or small wijk.
        k = p.initiatives_per_1000 * level
        lv.volunteer_recruitment[m] += p.recruitment_per_initiative * k
        lv.tie_formation_factor[m] += p.ties_per_initiative * k
