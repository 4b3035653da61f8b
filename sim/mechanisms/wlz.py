"""The way into long-term care: residents with a very high need whose network is exhausted move into a care
home (Wlz), and the municipality's residents in care homes live on there until they die.

At the start of the week, after demography and before anyone asks for care, an
older resident with a very high care need is admitted at a weekly chance that
grows with the severity of the need, the share of it left unmet last week, and
the burden of the most burdened of their ties who gave care last week; a carer
of the household or family who stopped or fell ill from overburden (the cascade
of sim/mechanisms/burden.py) multiplies it. An admitted resident leaves the
community as someone who moves away does: their ties go, so their carers are
relieved and their need no longer counts, and a newcomer takes the home. The
residents in care homes are kept apart (their ages: the demography ages them and
lets them die at a raised rate, ``demography.care_home_mortality_factor``), and
cost the Wlz a price a week (``costs.wlz_eur_per_week``).
At the start the care homes hold a share of the residents aged 80 and over
(the published share), so the first years are not a build-up from empty homes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from samenkracht.sim import residents
from samenkracht.sim.kernels_demography import in_need
from samenkracht.sim.kernels_draws import Uniforms
from samenkracht.sim.kernels_social import carers_of
from samenkracht.sim.mechanisms.base import Mechanism
from samenkracht.sim.mechanisms.demography import DemographyParams
from samenkracht.sim.params import param
from samenkracht.sim.state import row_total
from samenkracht.sim.ties import KIND_CODE
from samenkracht.sim.time import WEEKS_PER_YEAR
from samenkracht.sim.tolerances import HOURS_EPS, some_hours

if TYPE_CHECKING:
    from samenkracht.sim.world import World

#: Age from which the share of residents in care homes is measured (CBS's 80-plussers).
OLD_AGE = 80.0


@dataclass
class WlzParams:
    """Who moves into a care home, how soon, and how long they live there."""

    min_age: float = param(
        65.0,
        unit="years",
        lo=0,
        hi=120,
        doc="youngest age of admission (the model's Wlz route is elderly care, verpleging en verzorging; care "
        "for people with disabilities or in mental health is not modelled)",
        source="modelling assumption: almost all Wlz VV residents are 65+ (CBS: 116,000 of 55+ in 2016)",
    )
    need_threshold: float = param(
        0.6,
        unit="severity (0–1)",
        lo=0,
        hi=1,
        doc="very high need: residents with a severity at or above this may be admitted (the CIZ indicates "
        "Wlz care for those who need permanent supervision or care nearby, 24 hours a day)",
        source="modelling assumption",
    )
    admission_rate: float = param(
        0.06,
        unit="per year",
        lo=0,
        hi=WEEKS_PER_YEAR,
        doc="admission rate of a resident at the need threshold whose need is met and whose carers are rested",
        source="calibrated by hand to CBS: about 11–13% of the 80+ live in a care home (tests/test_wlz.py)",
    )
    need_weight: float = param(
        1.5,
        unit="log-rate per severity band",
        lo=0,
        hi=20,
        doc="the rate's rise from the threshold to the heaviest need: × exp(weight · (severity − threshold) ÷ "
        "(1 − threshold))",
        source="modelling assumption",
    )
    unmet_weight: float = param(
        3.0,
        unit="log-rate per share unmet",
        lo=0,
        hi=20,
        doc="the rate's rise with the share of the need left unmet last week: × exp(weight · share)",
        source="modelling assumption (Wlz admissions follow when care at home falls short: SCP, Zorgen voor thuis)",
    )
    burden_weight: float = param(
        2.0,
        unit="log-rate per 10 burden points",
        lo=0,
        hi=20,
        doc="the rate's rise with the burden of the most burdened of their ties who gave care last week: × "
        "exp(weight · burden ÷ 10)",
        source="modelling assumption (an overburdened carer is a main reason for admission: SCP, Mantelzorg uit "
        "de doeken, 2017)",
    )
    collapse_factor: float = param(
        5.0,
        unit="×",
        lo=1,
        hi=100,
        doc="factor on the rate while a household or family carer of theirs has stopped or fallen ill from "
        "overburden (their cooldown weeks)",
        source="modelling assumption",
    )
    initial_share: float = param(
        0.10,
        unit="share of the 80+",
        lo=0,
        hi=0.9,
        doc="share of all residents aged 80 and over who live in a care home at the start (ages drawn from the "
        "80+ living at home); 0 starts with empty care homes",
        source="CBS: about 10% of the 80+ in an institution (Huishoudensprognose 2015–2060: 10% of 80–89 and 32% "
        "of 90+ in 2015, falling; StatLine 82905NED: 128,686 residents of care homes on 1 January 2024, most of "
        "them 80+, of about 900,000 aged 80+)",
    )


def care_home_share(world: World, from_age: float = OLD_AGE) -> float:
    """Share of the residents aged ``from_age`` and over who live in a care home (0 when there are none)."""
    in_homes = int((world.care_home_ages >= from_age).sum())
    s = world.state
    at_home = int((s.alive & (s.age >= from_age)).sum())
    total = in_homes + at_home
    return in_homes / total if total else 0.0


class WlzRoute(Mechanism):
    """Admissions to care homes, and the life and cost of the municipality's residents there."""

    name = "wlz"

    def __init__(self, params: WlzParams, demography: DemographyParams, eur_per_week: float) -> None:
        self.params = params
        self.demography = demography
        self.eur_per_week = eur_per_week

    def start(self, world: World) -> None:
        """Fill the care homes with the initial share of the 80+, their ages drawn from the 80+ at home."""
        s, p = world.state, self.params
        rng = world.streams["wlz.init"]
        old_ages = s.age[s.alive & (s.age >= OLD_AGE)]
        k = int(round(p.initial_share / (1.0 - p.initial_share) * old_ages.size)) if old_ages.size else 0
        world.care_home_ages = rng.choice(old_ages, size=k) if k else np.zeros(0)

    def admission_rate(self, world: World, eligible: np.ndarray) -> np.ndarray:
        """Yearly admission rate of each eligible resident (indices), from need, unmet share and carers."""
        s, p = world.state, self.params
        need = row_total(s.need[eligible])
        unmet = row_total(s.unmet[eligible])
        unmet_share = np.where(some_hours(need), unmet / np.maximum(need, 1e-9), 0.0)
        span = max(1.0 - p.need_threshold, 1e-9)
        carer_burden, collapsed = self._carers(world, eligible)
        log_rate = (
            p.need_weight * np.clip((s.severity[eligible] - p.need_threshold) / span, 0.0, 1.0)
            + p.unmet_weight * np.clip(unmet_share, 0.0, 1.0)
            + p.burden_weight * carer_burden / 10.0
        )
        return p.admission_rate * np.exp(log_rate) * np.where(collapsed, p.collapse_factor, 1.0)

    @staticmethod
    def _carers(world: World, eligible: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each eligible resident: the highest burden among their ties who gave care last week, and whether a
        household or family carer of theirs is in the cooldown of a dropout or illness from overburden."""
        s, ties = world.state, world.ties
        eligible = np.asarray(eligible, dtype=np.int64)
        people = eligible if (eligible[1:] > eligible[:-1]).all() else np.unique(eligible)  # ascending, once each
        touch = ties.touching(people)  # and one compiled pass over their ties (sim/kernels_social.py)
        burden, collapsed = carers_of(
            people,
            touch,
            ties.u,
            ties.v,
            ties.kind,
            s.given,
            s.burden,
            s.cooldown,
            HOURS_EPS,
            KIND_CODE["household"],
            KIND_CODE["family"],
        )
        if people is eligible:
            return burden, collapsed
        at = np.searchsorted(people, eligible)
        return burden[at], collapsed[at]

    def step(self, world: World) -> None:
        s, p = world.state, self.params
        rng = world.streams.weekly(self.name, world.week)
        # rng.random(n), read at the eligible only (sim/kernels_draws.py: the same numbers, the generator then past
        # all n draws); the eligible are ascending (one compiled pass).
        draws = Uniforms(rng, s.n)
        eligible = in_need(s.alive, s.age, s.severity, float(p.min_age), float(p.need_threshold))
        u_admit = draws.at(eligible)
        admitted = eligible[u_admit < 1.0 - np.exp(-self.admission_rate(world, eligible) / WEEKS_PER_YEAR)]
        ages = world.care_home_ages  # aged, and thinned by death, by the demography (sim/mechanisms/demography.py)
        if admitted.size:
            ages = np.concatenate([ages, s.age[admitted]])
            low, high = self.demography.newcomer_age
            residents.replace(world, admitted, rng.uniform(low, high, admitted.size))
        world.care_home_ages = ages
        c = world.counters
        c.wlz_admissions += int(admitted.size)
        c.wlz_resident_weeks += float(ages.size)
        c.wlz_cost_eur += float(ages.size) * self.eur_per_week
        if world.is_last_week_of_year():
            world.yearly.setdefault(world.year, {}).update(
                {
                    "care_home_residents": float(ages.size),
                    "care_home_residents_75_plus": float((ages >= 75.0).sum()),
                    "care_home_residents_80_plus": float((ages >= OLD_AGE).sum()),
                    "care_home_share_80_plus": care_home_share(world),
                }
            )
