"""Respijtzorg: substitute care so heavily burdened carers can recover, within a budget of hours."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from samenkracht.sim.actions import Action, Choice, Label
from samenkracht.sim.params import param
from samenkracht.sim.time import WEEKS_PER_YEAR

if TYPE_CHECKING:
    from samenkracht.sim.world import World


class RespiteCare(Action):
    """Respijtzorg: substitute care so heavily burdened carers can recover, within a budget of hours."""

    @dataclass
    class Params:
        hours_per_1000: float = param(
            20.0, unit="hours a week per 1,000 residents", lo=0, hi=10_000, doc="respite hours contracted"
        )
        max_hours_per_carer: float = param(8.0, unit="hours a week", lo=0, hi=168, doc="most respite one carer gets")
        eur_per_hour: float = param(
            45.0,
            unit="€ an hour",
            lo=0,
            hi=1000,
            doc="price of an hour of respite care",
            source="Wmo respijtzorg tariffs 2024, about €40–55 an hour",
        )

    pulls = ("respite_hours", "respite_max_per_carer")
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
