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
        initiatives_per_wijk: float = param(
            2.0, unit="initiatives", lo=0, hi=100, doc="initiatives subsidised per wijk"
        )
        recruitment_per_initiative: float = param(
            0.005, unit="share of willing adults a year", lo=0, hi=1, doc="volunteers each initiative brings in"
        )
        ties_per_initiative: float = param(
            0.25, unit="× baseline tie formation", lo=0, hi=20, doc="extra weak ties each initiative forms"
        )
        eur_per_initiative: float = param(5_000.0, unit="€ a year", lo=0, hi=1e7, doc="subsidy per initiative")

    pulls = ("volunteer_recruitment", "tie_formation_factor")
    choice = Choice(scaled=("initiatives_per_wijk",), position=50)
    labels = {
        "nl": Label("Subsidie voor burgerinitiatieven", "burgerinitiatieven", "initiatieven", "per wijk"),
        "en": Label("Subsidies for citizen initiatives", "citizen initiatives", "initiatives", "per wijk"),
    }

    def yearly_cost(self, world: World) -> float:
        return float(self.wijk_mask.sum() * self.params.initiatives_per_wijk * self.params.eur_per_initiative)

    def set_levers(self, world: World, level: float) -> None:
        m, lv, p = self.wijk_mask, world.levers, self.params
        k = p.initiatives_per_wijk * level
        lv.volunteer_recruitment[m] += p.recruitment_per_initiative * k
        lv.tie_formation_factor[m] += p.ties_per_initiative * k
