"""Network strengthening (Eigen Kracht, netwerkkaart): residents with unmet need get their network mobilised."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from samenkracht.sim.actions import Action, Choice, Label
from samenkracht.sim.mechanisms.wijkteam import first_k_per_wijk
from samenkracht.sim.params import param
from samenkracht.sim.state import row_total
from samenkracht.sim.time import WEEKS_PER_YEAR
from samenkracht.sim.tolerances import some_hours

if TYPE_CHECKING:
    from samenkracht.sim.world import World


class NetworkStrengthening(Action):
    """Methods that map and strengthen a resident's network (e.g. Eigen Kracht, netwerkkaart), turning
    willing-but-unasked ties into help."""

    @dataclass
    class Params:
        cases_per_week_per_1000: float = param(
            0.5,
            unit="residents a week per 1,000 residents",
            lo=0,
            hi=100,
            doc="residents with unmet need taken on a week",
        )
        tie_boost: float = param(0.15, unit="strength", lo=0, hi=1, doc="strength added to the resident's outside ties")
        eur_per_case: float = param(800.0, unit="€ per resident", lo=0, hi=1e5, doc="mapping and network meetings")

    pulls = ("mobilise_capacity", "mobilise_tie_boost")
    choice = Choice(scaled=("cases_per_week_per_1000",), position=80)
    labels = {
        "nl": Label(
            "Netwerkversterking (netwerkkaart, Eigen Kracht)",
            "het wijkteam en een welzijnsorganisatie",
            "inwoners",
            "per week per 1.000 inwoners",
        ),
        "en": Label(
            "Network strengthening (network map, Eigen Kracht)",
            "the wijkteam and a welfare organisation",
            "residents",
            "a week per 1,000 residents",
        ),
    }

    def yearly_cost(self, world: World) -> float:
        cases = self.per_1000(world, self.params.cases_per_week_per_1000).sum()
        return float(cases * WEEKS_PER_YEAR * self.params.eur_per_case)

    def set_levers(self, world: World, level: float) -> None:
        m, lv, p = self.wijk_mask, world.levers, self.params
        lv.mobilise_capacity[m] += self.per_1000(world, p.cases_per_week_per_1000) * level
        lv.mobilise_tie_boost[m] = np.maximum(lv.mobilise_tie_boost[m], p.tie_boost)

    @classmethod
    def step(cls, world: World) -> None:
        """Residents with unmet need not yet mobilised get their network mapped and mobilised, within each wijk's
        capacity, and their outside ties strengthened.

        The work is done with the wijkteam, so it draws on in the wijkteam's
        random stream of the week.
        """
        s, lv, ties = world.state, world.levers, world.ties
        if not lv.mobilise_capacity.any():
            return
        rng = world.streams.this_week("wijkteam", world.week)
        candidates = s.alive & (s.severity > 0) & ~s.mobilised & some_hours(row_total(s.unmet))
        k = lv.mobilise_capacity + rng.random(world.n_wijken)
        chosen = first_k_per_wijk(candidates, s.wijk, rng.random(s.n), k)
        s.mobilised |= chosen
        outside = ties.alive & (ties.kind != 0) & (chosen[ties.u] | chosen[ties.v])
        boost = lv.mobilise_tie_boost[s.wijk[np.where(chosen[ties.u], ties.u, ties.v)]]
        ties.strength[outside] = np.minimum(1.0, ties.strength[outside] + boost[outside])
        world.counters.networks_strengthened += int(chosen.sum())
