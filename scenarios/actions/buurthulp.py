"""Buurthulp: a neighbourhood-help project that recruits volunteers and matches requests.

Evidence band of the direct effect: volunteers recruited and requests matched, the reach a coordinator buys
(its cost per volunteer joined is the same in 2 or 8 wijken, tests/test_costs_scale.py); with a professional as
backup, matches and volunteer retention rise within the band given in buurthulp_backup.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from samenkracht.sim.actions import Action, Choice, Label
from samenkracht.sim.params import param

if TYPE_CHECKING:
    from samenkracht.sim.world import World


class Buurthulp(Action):
    """A neighbourhood-help project: recruits willing neighbours as volunteers and matches requests,
    guarding privacy and safety."""

    @dataclass
    class Params:
        recruitment: float = param(
            0.03,
            unit="share of willing adults a year",
            lo=0,
            hi=1,
            doc="extra willing adults enrolled as volunteers a year",
        )
        match_success_bonus: float = param(
            0.1, unit="probability", lo=0, hi=1, doc="better matching by a coordinator who guards privacy and safety"
        )
        coordinator_fte_per_1000: float = param(
            0.4,
            unit="FTE per 1,000 residents",
            lo=0,
            hi=20,
            doc="coordination of the project: recruiting, matching and guarding privacy and safety for the residents "
            "it serves (the volunteers recruited and the requests matched grow with them)",
            source="modelling assumption: half a coordinator for a wijk of 1,250 residents",
        )
        eur_per_fte: float = param(70_000.0, unit="€ a year", lo=0, hi=1e7, doc="cost of a coordinator")

    pulls = ("volunteer_recruitment", "match_success_bonus")
    choice = Choice(scaled=("recruitment", "coordinator_fte_per_1000"), position=20)
    labels = {
        "nl": Label("Buurthulp starten", "een welzijnsorganisatie", "werving", "aandeel bereidwilligen per jaar"),
        "en": Label(
            "Start buurthulp (neighbourhood help)",
            "a welfare organisation",
            "recruitment",
            "share of willing adults a year",
        ),
    }

    def yearly_cost(self, world: World) -> float:
        p = self.params
        return float(self.per_1000(world, p.coordinator_fte_per_1000).sum() * p.eur_per_fte)

    def set_levers(self, world: World, level: float) -> None:
        m, lv, p = self.wijk_mask, world.levers, self.params
        lv.volunteer_recruitment[m] += p.recruitment * level
        lv.match_success_bonus[m] += p.match_success_bonus * level
