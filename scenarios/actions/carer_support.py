"""Happiness-oriented carer support (SIZ Twente): five conversations with heavily burdened carers.

Pathway (docs/ODD.md, "Action pathways"): the welfare organisation reaches
heavily burdened carers the wijkteam knows (signalled as carers at risk, or
met at the assessment of the one they care for) and offers them the
conversations once; a minority takes them up (``uptake``). While the
conversations and the plan made in them last (``relief_weeks``, about half
a year) the carer's strain is relieved (the burden mechanism's
``support_relief``), and the conversations bring in secondary helpers
around the person cared for (``mobilise_network``).

Evidence band of the direct effect: burden of supported carers down by
0.1–0.3 standard deviations at follow-up (Sörensen, Pinquart & Duberstein
2002, The Gerontologist 42:356–372: psychoeducation and support lower
caregiver burden by small effects; Pinquart & Sörensen 2006, International
Psychogeriatrics 18:577–595; Jütten et al. 2018, Journal of Alzheimer's
Disease 66:149–172: small pooled effects). tests/test_action_effects.py
checks the model against it over paired seeds.
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
from samenkracht.sim.tolerances import some_hours

if TYPE_CHECKING:
    from samenkracht.sim.world import World

#: Uptake of support by carers: the figures behind the default of ``uptake``.
UPTAKE_SOURCE = (
    "SCP figures as summarised by Movisie (Cijfers over ondersteuning, from SCP Informele hulp: wie doet er wat? "
    "2015 and Voor elkaar? 2017): a quarter of carers want (more) support, 13% received information or advice, "
    "1–3% a course or peer contact; heavily burdened carers who are offered it accept more often; the figure is a "
    "modelling assumption"
)


class CarerSupport(Action):
    """Happiness-oriented support (SIZ Twente): five conversations with a heavily burdened carer about what would
    make them happy and who else can help; lowers burden and brings secondary helpers in."""

    @dataclass
    class Params:
        carers_per_week_per_1000: float = param(
            0.5,
            unit="carers a week per 1,000 residents",
            lo=0,
            hi=100,
            doc="capacity: known heavily burdened carers taken on a week",
        )
        uptake: float = param(
            0.35,
            unit="share of those offered",
            lo=0,
            hi=1,
            doc="known heavily burdened carers who take up the conversations when offered (once)",
            source=UPTAKE_SOURCE,
        )
        relief_weeks: int = param(
            26,
            unit="weeks",
            lo=0,
            hi=520,
            doc="how long the support relieves burden: the five conversations and the plan made in them, over about "
            "half a year",
            source="SIZ Twente pilot: five conversations per carer",
        )
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

    pulls = ("support_capacity", "support_uptake", "support_relief_weeks", "support_mobilises")
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
        lv.support_uptake[m] = np.maximum(lv.support_uptake[m], p.uptake)
        lv.support_relief_weeks[m] = np.maximum(lv.support_relief_weeks[m], p.relief_weeks)
        if p.mobilise_network:
            lv.support_mobilises[m] = True

    @classmethod
    def step(cls, world: World) -> None:
        """Known heavily burdened carers not offered the conversations before are offered them, within each wijk's
        capacity; those who take them up are supported, and the people they care for get secondary helpers."""
        s, lv = world.state, world.levers
        if not lv.support_capacity.any():
            return
        rng = world.streams.weekly("action.carer_support", world.week)
        u_round = world.streams.weekly("action.carer_support.round", world.week).random(world.n_wijken)
        bit = offer_bit("carer_support")
        # Candidates: known, heavily burdened (few), then the rest of the conditions on those.
        cand = np.flatnonzero(s.known & (s.burden >= world.config.burden.heavy_threshold))
        cand = cand[
            s.alive[cand]
            & some_hours(s.given[cand])
            & (s.support_weeks[cand] == 0)
            & ((s.offered[cand] & bit) == 0)
            & (lv.support_capacity[s.wijk[cand]] > 0)
        ]
        chosen, offered = offer_drawn(rng, cand, s.wijk, lv.support_uptake, lv.support_capacity + u_round)
        s.offered[offered] |= bit
        s.support_weeks[chosen] = lv.support_relief_weeks[s.wijk[chosen]].astype(np.int32)
        s.action_supported[chosen] = True
        carers = chosen[lv.support_mobilises[s.wijk[chosen]]]
        if carers.size:
            # The carer's conversations bring in secondary helpers around the people they care for.
            # The ties that carried care this week (few; those of world.helped_ties()), read at their slots.
            ties = world.ties
            mobilising = np.zeros(s.n, dtype=bool)
            mobilising[carers] = True
            helped = np.flatnonzero(world.flows.helped_ties)
            helped = helped[helped < ties.m]
            u, v = ties.u[helped], ties.v[helped]
            cared_for = np.concatenate([v[mobilising[u]], u[mobilising[v]]])
            s.mobilised[cared_for[s.severity[cared_for] > 0]] = True
        world.counters.carers_supported_by_action += int(chosen.size)
        world.counters.support_declined += int(offered.size - chosen.size)
