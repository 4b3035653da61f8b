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
    """Prices in euros (2024 price level): those the model books, and the shadow prices and discount rate of the
    social cost-benefit view (analysis/cost_benefit.py), in one table."""

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
    wlz_eur_per_week: float = param(
        1_800.0,
        unit="€ per resident-week (2024 prices)",
        lo=0,
        hi=1e5,
        doc="Wlz care of a resident in a care home (verpleeghuis: stay, care, treatment, capital costs)",
        source="NZa, Wlz tariffs 2024 (zzp VV4–VV6 with treatment and capital costs, about €220–290 a day); "
        "Wlz spending on elderly care with stay, about €13 billion a year over about 125,000 residents (Monitor "
        "langdurige zorg), is about €2,000 a week",
    )
    informal_care_eur_per_hour: float = param(
        19.0,
        unit="€ per hour (2022–2024 prices)",
        lo=0,
        hi=1000,
        doc="shadow price of an hour of informal care (the carers' time, in the social cost-benefit view)",
        source="Zorginstituut Nederland, Kostenhandleiding (2024 update): reference price of informal care, about "
        "€19 an hour (the substitution price of household help; the 2015 edition gave €14 at 2014 prices)",
    )
    lost_work_eur_per_week: float = param(
        600.0,
        unit="€ per week ill (2024 prices)",
        lo=0,
        hi=1e5,
        doc="paid work lost in a week in which a carer of working age is ill from overburden (in the social "
        "cost-benefit view): about 60% in paid work × about 25 hours × about €40 an hour",
        source="modelling assumption, with the Kostenhandleiding (2024 update) mean labour cost of about €40 an hour "
        "and CBS: about 60% of carers aged 18–66 in paid work; no friction-cost cap",
    )
    discount_rate: float = param(
        0.0225,
        unit="per year",
        lo=0,
        hi=0.2,
        doc="discount rate of the social cost-benefit view (present values over the run; year 1 undiscounted)",
        source="Rapport Werkgroep discontovoet 2020 (Ministerie van Financiën): 2.25% for Dutch MKBA's",
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
        world.counters.formal_personal_hours += personal
        world.counters.formal_practical_hours += practical
        world.counters.wijkteam_cost_eur += wijkteam_cost
        world.municipality.spent += flows.municipal_cost_eur
