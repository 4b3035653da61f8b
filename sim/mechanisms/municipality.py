"""The municipality: runs its actions' own weekly steps, switches its scheduled actions on and off, sets the levers,
and books what everything costs.

The cost of formal care comes from hours given (rates per hour); the
municipality pays the Wmo part (household help), the wijkteam and its actions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from samenkracht.sim.mechanisms.base import Mechanism
from samenkracht.sim.params import param
from samenkracht.sim.time import WEEKS_PER_YEAR

if TYPE_CHECKING:
    from samenkracht.sim.world import World


@dataclass
class CostParams:
    """Prices in euros (2024 price level)."""

    personal_care_eur_per_hour: float = param(
        65.0,
        unit="€ per hour",
        lo=0,
        hi=1000,
        doc="formal personal care (wijkverpleging, paid by health insurers)",
        source="NZa maximum tariff wijkverpleging 2024, about €65–80 an hour",
    )
    practical_help_eur_per_hour: float = param(
        35.0,
        unit="€ per hour",
        lo=0,
        hi=1000,
        doc="formal household help (Wmo, paid by the municipality)",
        source="Wmo hulp bij het huishouden tariffs 2024, about €32–38 an hour",
    )
    wijkteam_eur_per_fte_year: float = param(
        85_000.0, unit="€ per FTE a year", lo=0, hi=1e7, doc="cost of a wijkteam worker, employer's costs included"
    )


class MunicipalActions(Mechanism):
    """Applies the municipality's actions for this week and books costs."""

    name = "municipality"

    def __init__(self, params: CostParams) -> None:
        self.params = params

    def step(self, world: World) -> None:
        p = self.params
        # Each kind of action the portfolio needs (its own and those whose steps read a composed action's levers)
        # does its own work with last week's levers, in name order.
        kinds = {kind for a in world.municipality.actions for kind in a.stepping_kinds()}
        for kind in sorted(kinds, key=lambda cls: cls.action_name):
            kind.step(world)
        world.levers.reset()
        action_cost = world.municipality.apply_actions(world)
        flows = world.flows
        personal, practical = flows.formal_personal, flows.formal_practical
        wijkteam_fte = float(np.sum([a.fte for a in world.wijkteam_workers]))
        wijkteam_cost = wijkteam_fte * p.wijkteam_eur_per_fte_year / WEEKS_PER_YEAR
        wmo_cost = practical * p.practical_help_eur_per_hour
        flows.formal_cost_eur = personal * p.personal_care_eur_per_hour + wmo_cost
        flows.action_cost_eur = action_cost
        flows.municipal_cost_eur = wmo_cost + wijkteam_cost + sum(action_cost.values())
        world.municipality.spent += flows.municipal_cost_eur
