"""Respijtzorg: substitute care so heavily burdened carers can recover, within a budget of hours.

Pathway (docs/ODD.md, "Action pathways"): respite is offered, once, to
heavily burdened carers the wijkteam knows (signalled as carers at risk, or
met at the assessment of the one they care for); a minority takes it up
(``uptake``), as far as the contracted hours have room for another carer at
``max_hours_per_carer``. A carer who took it up gets up to
``max_hours_per_carer`` a week of substitute care while they care, reviewed
every ``period_weeks``; the burden mechanism counts those hours as hours the
carer did not give (the cared-for resident's care is unchanged).

Evidence band of the direct effect on users: burden down by 0.05–0.40
standard deviations (Rodríguez-Alcázar et al. 2024, Nursing Reports
14:931–945, respite care for carers of people with dementia: SMD 0.22, 95% CI
0.05–0.40; Vandepitte et al. 2016, Int J Geriatr Psychiatry 31:1277–1288:
effects of respite small and inconsistent), and the share of users heavily
burdened lower than without respite. tests/test_action_effects.py checks the
model against it over paired seeds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from samenkracht.sim.actions import Action, Choice, Label
from samenkracht.sim.mechanisms.wijkteam import offer_drawn
from samenkracht.sim.params import param
from samenkracht.sim.state import offer_bit
from samenkracht.sim.time import WEEKS_PER_YEAR
from samenkracht.sim.tolerances import SHARE_EPS, some_hours

if TYPE_CHECKING:
    from samenkracht.sim.world import World


class RespiteCare(Action):
    """Respijtzorg: substitute care so heavily burdened carers can recover, within a budget of hours."""

    @dataclass
    class Params:
        hours_per_1000: float = param(
            20.0, unit="hours a week per 1,000 residents", lo=0, hi=10_000, doc="respite hours contracted"
        )
        max_hours_per_carer: float = param(
            4.0,
            unit="hours a week",
            lo=0,
            hi=168,
            doc="most respite one carer gets",
            source="day care (dagopvang), the most used form of respite, is booked by the half day (dagdeel, about "
            "four hours), mostly one or two a week; modelling assumption",
        )
        uptake: float = param(
            0.25,
            unit="share of those offered",
            lo=0,
            hi=1,
            doc="known heavily burdened carers who take up respite when offered (once)",
            source="SCP figures as summarised by Movisie (Cijfers over ondersteuning): 21–26% of carers use "
            "respite, most of it day care; MantelzorgNL et al. 2018 (NRC, 14 March 2018): nine in ten carers use "
            "none; modelling assumption that heavily burdened carers offered it take it up at about that rate",
        )
        period_weeks: int = param(
            WEEKS_PER_YEAR,
            unit="weeks",
            lo=1,
            hi=520,
            doc="respite is reviewed after this many weeks and renewed while the carer still cares",
            source="modelling assumption (a Wmo decision for respite is commonly granted for a year)",
        )
        eur_per_hour: float = param(
            45.0,
            unit="€ an hour",
            lo=0,
            hi=1000,
            doc="price of an hour of respite care",
            source="Wmo respijtzorg tariffs 2024, about €40–55 an hour",
        )

    pulls = ("respite_hours", "respite_max_per_carer", "respite_uptake", "respite_period_weeks")
    choice = Choice(scaled=("hours_per_1000",), position=60)
    labels = {
        "nl": Label("Respijtzorg", "zorgaanbieders", "respijturen", "uur per week per 1.000 inwoners"),
        "en": Label(
            "Respite care (respijtzorg)", "care providers", "respite hours", "hours a week per 1,000 residents"
        ),
    }

    def yearly_cost(self, world: World) -> float:
        return float(self.per_1000(world, self.params.hours_per_1000).sum() * WEEKS_PER_YEAR * self.params.eur_per_hour)

    def set_levers(self, world: World, level: float) -> None:
        m, lv, p = self.wijk_mask, world.levers, self.params
        lv.respite_hours[m] += self.per_1000(world, p.hours_per_1000) * level
        lv.respite_max_per_carer[m] = np.maximum(lv.respite_max_per_carer[m], p.max_hours_per_carer)
        lv.respite_uptake[m] = np.maximum(lv.respite_uptake[m], p.uptake)
        lv.respite_period_weeks[m] = np.maximum(lv.respite_period_weeks[m], p.period_weeks)

    @classmethod
    def step(cls, world: World) -> None:
        """Users who stopped caring leave respite, a user's period is renewed while they care, and known heavily
        burdened carers not offered respite before are offered it while the wijk's hours have room for them."""
        s, lv = world.state, world.levers
        users = np.flatnonzero(s.alive & (s.respite_weeks > 0))
        caring = some_hours(s.given[users])
        s.respite_weeks[users[~caring]] = 0
        caring_users = users[caring]
        s.respite_weeks[caring_users] -= 1
        renew = caring_users[s.respite_weeks[caring_users] == 0]
        s.respite_weeks[renew] = lv.respite_period_weeks[s.wijk[renew]].astype(np.int32)
        if not lv.respite_hours.any():
            return
        rng = world.streams.weekly("action.respite_care", world.week)
        # Places: how many carers the wijk's hours serve at the most per carer (a part of it counts as a place: the
        # hours are shared), less those already using them.
        per_carer = np.maximum(lv.respite_max_per_carer, 1e-9)
        in_use = np.bincount(s.wijk[caring_users[s.respite_weeks[caring_users] > 0]], minlength=world.n_wijken)
        places = np.ceil(lv.respite_hours / per_carer - SHARE_EPS) - in_use
        bit = offer_bit("respite_care")
        # Candidates: known, heavily burdened (few), then the rest of the conditions on those.
        cand = np.flatnonzero(s.known & (s.burden >= world.config.burden.heavy_threshold))
        cand = cand[
            s.alive[cand]
            & some_hours(s.given[cand])
            & ~(s.respite_weeks[cand] > 0)
            & ((s.offered[cand] & bit) == 0)
            & (places[s.wijk[cand]] >= 1)
        ]
        chosen, offered = offer_drawn(rng, cand, s.wijk, lv.respite_uptake, np.maximum(places, 0.0))
        s.offered[offered] |= bit
        s.respite_weeks[chosen] = lv.respite_period_weeks[s.wijk[chosen]].astype(np.int32)
        world.counters.support_declined += int(offered.size - chosen.size)
