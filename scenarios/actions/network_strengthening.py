"""Network strengthening (Eigen Kracht, netwerkkaart): known residents with unmet need get their network mobilised.

Pathway (docs/ODD.md, "Action pathways"): the method is offered, once, to
residents with an unmet need whom the wijkteam knows (referred, assessed or
indicated); about half take it up (``uptake``), within the capacity of cases a
week. Mapping the network and a network meeting turn willing-but-unasked ties
into help: the resident asks weak ties (the allocation's mobilised threshold)
and their outside ties grow stronger (``tie_boost``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from samenkracht.sim.actions import Action, Choice, Label
from samenkracht.sim.mechanisms.wijkteam import offer_drawn
from samenkracht.sim.params import param
from samenkracht.sim.state import offer_bit, row_total
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
            doc="capacity: known residents with unmet need taken on a week",
        )
        uptake: float = param(
            0.5,
            unit="share of those offered",
            lo=0,
            hi=1,
            doc="known residents with unmet need who take up network strengthening when offered (once)",
            source="modelling assumption: many residents hesitate to involve their network (Tonkens 2010; "
            "Eigen Kracht evaluations report that a good part of referrals lead to no conference)",
        )
        tie_boost: float = param(0.15, unit="strength", lo=0, hi=1, doc="strength added to the resident's outside ties")
        eur_per_case: float = param(800.0, unit="€ per resident", lo=0, hi=1e5, doc="mapping and network meetings")

    pulls = ("mobilise_capacity", "mobilise_uptake", "mobilise_tie_boost")
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
        lv.mobilise_uptake[m] = np.maximum(lv.mobilise_uptake[m], p.uptake)
        lv.mobilise_tie_boost[m] = np.maximum(lv.mobilise_tie_boost[m], p.tie_boost)

    @classmethod
    def step(cls, world: World) -> None:
        """Known residents with unmet need, not mobilised and not offered it before, are offered network
        strengthening within each wijk's capacity; those who take it up get their network mapped and mobilised and
        their outside ties strengthened."""
        s, lv, ties = world.state, world.levers, world.ties
        if not lv.mobilise_capacity.any():
            return
        rng = world.streams.weekly("action.network_strengthening", world.week)
        u_round = world.streams.weekly("action.network_strengthening.round", world.week).random(world.n_wijken)
        bit = offer_bit("network_strengthening")
        # Candidates: those with a need (few), then the rest of the conditions on those.
        cand = np.flatnonzero(s.severity > 0)
        cand = cand[
            s.alive[cand]
            & (s.known[cand] | s.referred[cand] | s.indicated[cand])
            & some_hours(row_total(s.unmet[cand]))
            & ~s.mobilised[cand]
            & ((s.offered[cand] & bit) == 0)
            & (lv.mobilise_capacity[s.wijk[cand]] > 0)
        ]
        chosen, offered = offer_drawn(rng, cand, s.wijk, lv.mobilise_uptake, lv.mobilise_capacity + u_round)
        s.offered[offered] |= bit
        if chosen.size:
            s.mobilised[chosen] = True
            taken = np.zeros(s.n, dtype=bool)
            taken[chosen] = True
            # Their living ties outside the household (found through the ties' index), each boosted by the lever
            # of the wijk of its end that took it up (its u end if both did).
            outside = ties.touching(chosen)
            outside = outside[ties.kind[outside] != 0]
            u = ties.u[outside]
            boost = lv.mobilise_tie_boost[s.wijk[np.where(taken[u], u, ties.v[outside])]]
            ties.strength[outside] = np.minimum(1.0, ties.strength[outside] + boost)
        world.counters.networks_strengthened += int(chosen.size)
