"""Happiness-oriented carer support (SIZ Twente): five conversations with heavily burdened carers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from samenkracht.sim.actions import Action, Choice, Label
from samenkracht.sim.mechanisms.wijkteam import first_k_per_wijk
from samenkracht.sim.params import param
from samenkracht.sim.time import WEEKS_PER_YEAR
from samenkracht.sim.tolerances import some_hours

if TYPE_CHECKING:
    from samenkracht.sim.world import World


class CarerSupport(Action):
    """Happiness-oriented support (SIZ Twente): five conversations with a heavily burdened carer about what would
    make them happy and who else can help; lowers burden and brings secondary helpers in."""

    @dataclass
    class Params:
        carers_per_week_per_1000: float = param(
            0.5, unit="carers a week per 1,000 residents", lo=0, hi=100, doc="heavily burdened carers taken on a week"
        )
        relief_weeks: int = param(26, unit="weeks", lo=0, hi=520, doc="how long the support relieves burden")
        mobilise_network: bool = param(
            True, doc="the conversations bring in secondary helpers from the carer's network"
        )
        eur_per_carer: float = param(
            600.0,
            unit="€ per carer",
            lo=0,
            hi=1e5,
            doc="five conversations of about 1.5 hours",
            source="SIZ Twente pilot: five conversations per carer",
        )

    pulls = ("support_capacity", "support_relief_weeks", "support_mobilises")
    choice = Choice(scaled=("carers_per_week_per_1000",), position=70)
    labels = {
        "nl": Label(
            "Geluksgerichte mantelzorgondersteuning (vijf gesprekken)",
            "een welzijnsorganisatie",
            "mantelzorgers",
            "per week per 1.000 inwoners",
        ),
        "en": Label(
            "Happiness-oriented carer support (five conversations)",
            "a welfare organisation",
            "carers",
            "a week per 1,000 residents",
        ),
    }

    def yearly_cost(self, world: World) -> float:
        carers = self.per_1000(world, self.params.carers_per_week_per_1000).sum()
        return float(carers * WEEKS_PER_YEAR * self.params.eur_per_carer)

    def set_levers(self, world: World, level: float) -> None:
        m, lv, p = self.wijk_mask, world.levers, self.params
        lv.support_capacity[m] += self.per_1000(world, p.carers_per_week_per_1000) * level
        lv.support_relief_weeks[m] = np.maximum(lv.support_relief_weeks[m], p.relief_weeks)
        if p.mobilise_network:
            lv.support_mobilises[m] = True

    @classmethod
    def step(cls, world: World) -> None:
        """Heavily burdened carers not yet supported are taken on, within each wijk's capacity.

        The conversations reach carers through the wijkteam, so they draw on in
        the wijkteam's random stream of the week.
        """
        s, lv = world.state, world.levers
        if not lv.support_capacity.any():
            return
        rng = world.streams.this_week("wijkteam", world.week)
        heavy_threshold = world.config.burden.heavy_threshold
        heavy = s.alive & some_hours(s.given) & (s.burden >= heavy_threshold) & (s.support_weeks == 0)
        k = lv.support_capacity + rng.random(world.n_wijken)
        chosen = first_k_per_wijk(heavy, s.wijk, rng.random(s.n), k)
        s.support_weeks[chosen] = lv.support_relief_weeks[s.wijk[chosen]].astype(np.int32)
        s.action_supported |= chosen
        mobilising = chosen & lv.support_mobilises[s.wijk]
        if mobilising.any():
            # The carer's conversations bring in secondary helpers around the people they care for.
            ties = world.ties
            helped = world.helped_ties()
            u_carer, v_carer = mobilising[ties.u] & helped, mobilising[ties.v] & helped
            cared_for = np.concatenate([ties.v[u_carer], ties.u[v_carer]])
            s.mobilised[cared_for[s.severity[cared_for] > 0]] = True
        world.counters.carers_supported_by_action += int(chosen.sum())
