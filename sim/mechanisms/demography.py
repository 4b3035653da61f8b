"""Demography: ageing, death by age, births by the mother's age, residents leaving, newcomers taking the freed
places, onset and recovery of care needs; the ageing and deaths of the municipality's residents in care homes.

Runs weekly; all hazards are annual rates turned into weekly probabilities.
Care need is a severity from 0 (none) to 1; its prevalence by age is the
model's steady state: onset = recovery × p / (1 − p) for the age band's
prevalence p, raised by loneliness.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from samenkracht.sim import residents
from samenkracht.sim.errors import InputError
from samenkracht.sim.kernels_demography import (
    aged,
    alone_and_drawn,
    death_hazard,
    grow_older,
    household_counts,
    in_need,
    leaving_and_moving,
    need_week,
)
from samenkracht.sim.kernels_draws import Uniforms
from samenkracht.sim.mechanisms.base import Mechanism
from samenkracht.sim.params import param
from samenkracht.sim.population import AGE_BANDS, BAND_OF_YEAR, age_band
from samenkracht.sim.time import WEEKS_PER_YEAR

#: The smallest positive double: ``severity >= _SMALLEST`` is ``severity > 0``.
_SMALLEST = float(np.nextafter(0.0, 1.0))
#: Ages of those who look for a partner (living alone).
_PARTNER_AGES = (22.0, 65.0)

if TYPE_CHECKING:
    from samenkracht.sim.state import State
    from samenkracht.sim.world import World


@dataclass
class DemographyParams:
    """Rates of death, need onset and recovery."""

    mortality_a: float = param(
        1.7e-5,
        unit="per year",
        lo=0,
        hi=0.01,
        doc="Gompertz mortality at age 0: m(age) = a·exp(b·age)",
        source="fitted to CBS life tables 2022 (about 0.7% at 60, 5% at 80, 14% at 90)",
    )
    mortality_b: float = param(0.1, unit="per year of age", lo=0, hi=0.3, doc="Gompertz slope of mortality")
    care_home_mortality_factor: float = param(
        3.0,
        unit="×",
        lo=1,
        hi=50,
        doc="mortality of a resident in a care home (sim/mechanisms/wlz.py) relative to one at home without a care "
        "need, in the same age band; the band's deaths, at home and in care homes together, stay the life table's",
        source="modelling assumption, with CBS: of the 80+ who died in 2017, 46% lived in a care home, 20% two "
        "years before (Statistische Trends 2020, Laatste levensjaren tachtigplussers); mean stay about 2–3 years",
    )
    need_mortality_factor: float = param(
        2.0,
        unit="×",
        lo=1,
        hi=10,
        doc="mortality of a resident with a care need relative to one without, in the same age band; the band's "
        "mean mortality stays the Gompertz (life-table) value, so need shifts who dies, not how many",
        source="modelling assumption",
    )
    need_prevalence: list[float] = param(
        [0.015, 0.022, 0.03, 0.06, 0.12, 0.28, 0.55],
        unit="share per age band",
        lo=0,
        hi=0.99,
        doc="share of residents with a care need, by age band 0–17 … 85+",
        source="SCP Kerncijfers 2016 / CBS Gezondheidsenquête: help at home rises steeply after 75",
    )
    recovery_rate: float = param(
        0.3, unit="per year", lo=0, hi=WEEKS_PER_YEAR, doc="rate at which a care need ends (temporary needs, recovery)"
    )
    loneliness_onset_factor: float = param(
        0.6,
        unit="× per 11 points",
        lo=0,
        hi=5,
        doc="extra onset of care need for a severely lonely resident",
        source="Gezondheidsraad 2020: loneliness raises the risk of health problems",
    )
    progression: float = param(
        0.08, unit="severity per year", lo=0, hi=1, doc="mean yearly increase of the severity of an ongoing need"
    )
    newcomer_age: list[float] = param(
        [20.0, 45.0], unit="years", lo=0, hi=100, doc="age range of adults who move in to take the place of the dead"
    )
    leave_home_age: float = param(
        23.0,
        unit="years",
        lo=16,
        hi=40,
        doc="age at which children leave their parents' household; their household ties become family ties",
        source="CBS: Dutch young adults leave home at about 23 on average",
    )
    partnering_rate: float = param(
        0.15,
        unit="per year",
        lo=0,
        hi=WEEKS_PER_YEAR,
        doc="rate at which adults aged 22–65 living alone move in with a partner",
        source="calibrated to keep the share of adults living with a partner near CBS's 60% over the years",
    )
    move_rate: list[float] = param(
        [0.0, 0.08, 0.045, 0.015, 0.01, 0.01, 0.015],
        unit="per year, by age band of the adults",
        lo=0,
        hi=1,
        doc="rate at which a household moves out of the municipality, by its adults' age band (0–17 … 85+); "
        "an arriving household of the same make-up takes its places, without ties beyond a few neighbours",
        source="CBS verhuizingen: about 3–4% of residents move between municipalities a year, most of them aged 20–35",
    )
    mortality_improvement: float = param(
        0.019,
        unit="per year",
        lo=0,
        hi=0.2,
        doc="yearly fall in mortality at every age: the ageing trend (vergrijzing) — more residents reach 75 and 85",
        source="CBS StatLine 83598NED (Prognose periode-levensverwachting 2016-2060, both sexes): the chance of "
        "dying at 80 falls from 0.03986 in 2020 to 0.02731 in 2040, 1.9% a year (at 60: 0.00537 to 0.00341, 2.3%); "
        "with 1.9% the age structure follows the Kernprognose's growth of the 75+ and 80+ (tests/test_projection.py)",
    )
    fertility: float = param(
        1.45,
        unit="children per woman",
        lo=0,
        hi=5,
        doc="total fertility rate: births come from residents aged 15–49 by the mother's age (the model has no "
        "sexes, so each resident aged 15–49 has half a woman's rate)",
        source="CBS: 1.43 children per woman in 2023; the Kernprognose 2024–2070 expects a slow rise",
    )
    fertility_age: list[float] = param(
        [31.5, 5.0],
        unit="years",
        lo=0,
        hi=60,
        doc="mean and spread (standard deviation) of the mother's age at a birth, ages 15–49",
        source="CBS 2023: mothers are on average about 31.5 at a birth (30.3 at the first)",
    )
    leave_rate: list[float] = param(
        [0.0, 0.06, 0.02, 0.005, 0.0, 0.0, 0.0],
        unit="per year, by age band",
        lo=0,
        hi=1,
        doc="rate at which a resident living alone leaves the municipality for good (0–17 … 85+): young adults "
        "for study and work, the oldest to a care home or their children elsewhere; the place goes to a birth "
        "or to an adult moving in (newcomer_age)",
        source="modelling assumption, with CBS verhuizingen (moves between municipalities peak at 20–30); "
        "checked against the CBS Kernprognose age structure (tests/test_projection.py)",
    )

    def check(self, prefix: str) -> None:
        for name in ("need_prevalence", "move_rate", "leave_rate"):
            values = getattr(self, name)
            if len(values) != len(AGE_BANDS):
                raise InputError(
                    f"{prefix}{name} has {len(values)} values; give {len(AGE_BANDS)}, one per age band "
                    "0–17, 18–29, 30–44, 45–64, 65–74, 75–84, 85+."
                )
        if len(self.newcomer_age) != 2 or self.newcomer_age[0] > self.newcomer_age[1]:
            raise InputError(f"{prefix}newcomer_age must be [youngest, oldest], for example [20, 45].")
        if len(self.fertility_age) != 2 or self.fertility_age[1] <= 0:
            raise InputError(f"{prefix}fertility_age must be [mean, spread] with a spread above 0, e.g. [31.5, 5].")


def yearly_hazard(p: DemographyParams, age: np.ndarray, week: int) -> np.ndarray:
    """Deaths a year per person of these ages in this week: Gompertz mortality, lowered by the ageing trend."""
    trend = (1.0 - p.mortality_improvement) ** max(0.0, week / WEEKS_PER_YEAR)
    return p.mortality_a * trend * np.exp(p.mortality_b * age)


class Demography(Mechanism):
    """Ageing, deaths and newcomers, onset, progression and recovery of care needs."""

    name = "demography"

    def __init__(self, params: DemographyParams) -> None:
        self.params = params

    def start(self, world: World) -> None:
        """Give residents care needs at the steady-state prevalence of their age band."""
        s = world.state
        rng = world.streams["demography.init"]
        p = np.asarray(self.params.need_prevalence)[age_band(s.age)]
        has_need = s.alive & (rng.random(s.n) < p)
        s.severity[has_need] = rng.beta(1.6, 2.4, int(has_need.sum())) * 0.95 + 0.05

    def step(self, world: World) -> None:
        s, p = world.state, self.params
        rng = world.streams.weekly(self.name, world.week)
        # The week's draws rng.random((7, n)): death and onset are read at (almost) every resident; recovery,
        # severity, progression, birth and leaving (rows 2–6) only where used, from ``later`` (position
        # (row − 2)·n + slot).
        u_death, u_onset = rng.random((2, s.n))
        later = Uniforms(rng, 5 * s.n)
        # Residents and adults by household, counted once (in the pass that ages them) and kept up to date
        # through couples and leaving home (room for the households set up this week: fewer than the residents).
        leaving, size, n_adults = grow_older(
            s.age,
            s.alive,
            1.0 / WEEKS_PER_YEAR,
            p.leave_home_age,
            s.household,
            residents.households_bound(world) + s.n,
            18.0,
        )
        # Whose draws to look for a partner and to leave are read: all those of the ages that may (and a few more).
        leave_chance = np.asarray(p.leave_rate, dtype=float) / WEEKS_PER_YEAR
        drawn_at = aged(s.alive, s.age, *self._drawn_ages(leave_chance), True)
        world.care_home_ages = world.care_home_ages + 1.0 / WEEKS_PER_YEAR
        self._partner(world, rng, size, n_adults, drawn_at)
        old = s.household[leaving]
        residents.leave_home(world, leaving)
        np.subtract.at(size, old, 1)
        np.subtract.at(n_adults, old, s.age[leaving] >= 18)
        size[s.household[leaving]] = 1
        n_adults[s.household[leaving]] = s.age[leaving] >= 18

        # Moves keep households whole: who lives alone stays as it is until the deaths.
        leaves = np.zeros(s.n, dtype=bool)
        u_leave = later.at(drawn_at + 4 * s.n)
        alone, drawn = self._leavers_and_movers(s, size, n_adults, leave_chance, drawn_at, u_leave, rng.random(s.n))
        leaves[alone] = True
        if drawn.size:  # whole households move out; an arriving household of the same make-up takes their places
            residents.move_households(world, np.unique(s.household[drawn]))
        p_home, p_care_home = self._death_probability(s, world.week, world.care_home_ages)
        dies = s.alive & (u_death < p_home)
        world.counters.deaths += int(dies.sum())
        n_births = self._births(s, later, 3 * s.n)
        short = n_births - int((dies | leaves).sum())
        if short > 0:  # the number of places is fixed: young adults living alone move away to make room
            extra = self._make_room(world, dies | leaves, short, rng)
            leaves[extra] = True
        world.counters.households_moved += int(leaves.sum())
        world.counters.residents_moved += int(leaves.sum())
        if leaves.any():  # their children and parents here keep them as relatives elsewhere
            leavers = np.flatnonzero(leaves)
            residents.relatives_move_away(world, leavers, world.streams.weekly(self.name + ".leavers", world.week))
        slots = np.flatnonzero(dies | leaves)
        n_births = min(n_births, slots.size)
        born = np.zeros(slots.size, dtype=bool)
        born[rng.permutation(slots.size)[:n_births]] = True
        ages = np.zeros(slots.size)
        ages[~born] = self._newcomer_ages(rng, int((~born).sum()))
        residents.replace(world, slots, ages, arrive=~born)
        residents.place_births(world, slots[born])

        # Onset, recovery and progression of needs, by the age band after the deaths and moves.
        need_at = in_need(s.alive, s.age, s.severity, -np.inf, _SMALLEST)
        u_recover, u_prog = later.at(np.concatenate([need_at, need_at + 2 * s.n])).reshape(2, need_at.size)
        starts = need_week(
            s.alive,
            s.age,
            s.severity,
            s.loneliness,
            s.ill,
            BAND_OF_YEAR,
            np.asarray(p.need_prevalence, dtype=float),
            p.recovery_rate,
            p.loneliness_onset_factor,
            2 * p.progression,
            u_onset,
            u_recover,
            u_prog,
            WEEKS_PER_YEAR,
        )
        s.severity[starts] = 0.05 + 0.6 * later.at(starts + s.n) ** 1.5
        world.counters.need_onsets += int(starts.size)
        if world.care_home_ages.size:  # the residents in care homes age and die (drawn last: no other draw moves)
            world.care_home_ages = world.care_home_ages[rng.random(world.care_home_ages.size) >= p_care_home]

    def _death_probability(self, s: State, week: int, care_home_ages: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """This week's probability of death of each resident slot and of each resident in a care home: Gompertz by
        age with the improvement trend (the life table), shifted towards residents with a care need and those in
        care homes so that each age band's deaths, at home and in care homes together, stay the life table's.

        The band's mean multiplier is weighted by hazard (need is commoner at the older ages of a band), summed
        in slot order (a plain loop in a fixed order, as ``np.bincount``), so it is the same on every CPU."""
        p = self.params
        home_band = age_band(care_home_ages)
        home_hazard = yearly_hazard(p, care_home_ages, week)
        n_bands = len(AGE_BANDS)
        home_base = np.bincount(home_band, weights=home_hazard, minlength=n_bands)
        home_raised = np.bincount(home_band, weights=home_hazard * p.care_home_mortality_factor, minlength=n_bands)
        x, mean_factor = death_hazard(
            yearly_hazard(p, s.age, week),
            s.alive,
            s.severity,
            s.age,
            BAND_OF_YEAR,
            float(p.need_mortality_factor),
            home_base,
            home_raised,
            WEEKS_PER_YEAR,
        )
        home_hazard *= p.care_home_mortality_factor / mean_factor[home_band]
        return 1.0 - np.exp(x), 1.0 - np.exp(-home_hazard / WEEKS_PER_YEAR)

    def _births(self, s: State, draws: Uniforms, first: int) -> int:
        """Births this week: each resident aged 15–49 has half the fertility rate spread over those ages by the
        mother's age (the others none); slot ``i`` draws at ``draws`` position ``first + i``."""
        fertile = aged(s.alive, s.age, 15.0, 50.0, False)
        mean, sd = self.params.fertility_age
        density = np.exp(-0.5 * ((s.age[fertile] - mean) / sd) ** 2) / (sd * np.sqrt(2.0 * np.pi))
        u = draws.at(fertile + first)
        return int((u < 0.5 * self.params.fertility * density / WEEKS_PER_YEAR).sum())

    def _leavers_and_movers(
        self,
        s: State,
        size: np.ndarray,
        n_adults: np.ndarray,
        leave_chance: np.ndarray,
        leave_at: np.ndarray,
        u_leave: np.ndarray,
        u_move: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Adults living alone (``size``: residents by household) who leave the municipality this week, at their
        age band's weekly chance (``leave_chance``; ``u_leave``: the draws of the residents ``leave_at``, among
        them every adult of a band with a chance); and the adults whose household moves out.

        Each adult draws with the household's rate divided by the number of
        adults in it (``n_adults``, by household), so a household moves at about the rate of its age band.
        """
        move_rate = np.asarray(self.params.move_rate, dtype=float)
        return leaving_and_moving(
            s.alive,
            s.age,
            s.household,
            size,
            n_adults,
            BAND_OF_YEAR,
            leave_chance,
            leave_at,
            u_leave,
            move_rate,
            u_move,
            WEEKS_PER_YEAR,
        )

    @staticmethod
    def _make_room(world: World, taken: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
        """Slots of ``k`` adults aged 18–34 living alone (others if there are too few) who move away, so that
        every birth finds a place."""
        s = world.state
        size = household_counts(s.household, s.alive, s.age, residents.households_bound(world), 18.0)[0][s.household]
        free = s.alive & ~taken & (s.age >= 18)
        young_alone = np.flatnonzero(free & (s.age < 35) & (size == 1))
        if young_alone.size < k:
            young_alone = np.flatnonzero(free & (size == 1))
        return rng.permutation(young_alone)[:k]

    def _partner(
        self, world: World, rng: np.random.Generator, size: np.ndarray, n_adults: np.ndarray, in_range: np.ndarray
    ) -> None:
        """Adults living alone pair up with someone of similar age in their wijk and share a household (``size``
        and ``n_adults``, residents and adults by household, follow). Of the draws ``rng.random(n)``, only those
        of the residents ``in_range`` (ascending; among them all those living aged 22–65) are read."""
        s = world.state
        chance = self.params.partnering_rate / WEEKS_PER_YEAR * 2
        u = Uniforms(rng, s.n).at(in_range)
        looking = alone_and_drawn(s.alive, s.age, s.household, size, *_PARTNER_AGES, in_range, u, chance)
        if looking.size < 2:
            return
        order = looking[np.lexsort((s.age[looking] + rng.normal(0, 3, looking.size), s.wijk[looking]))]
        a, b = order[0::2], order[1::2]
        a = a[: b.size]
        ok = s.wijk[a] == s.wijk[b]
        a, b = a[ok], b[ok]
        left = s.household[b]  # each lived alone, as did each of ``a``: households differ
        residents.move_in_together(world, a, b)
        for count in (size, n_adults):  # all of them are adults (22–65)
            count[left] -= 1
            count[s.household[a]] += 1

    @staticmethod
    def _drawn_ages(leave_chance: np.ndarray) -> tuple[float, float]:
        """The ages (from, to, both included) of all who may look for a partner (22–65) or leave (adults of the
        age bands with a chance above 0)."""
        lo, hi = _PARTNER_AGES
        bands = np.flatnonzero(leave_chance > 0)
        if bands.size:
            lo = min(lo, 18.0)
            top = int(bands[-1]) + 1  # the band above the last that may leave
            hi = max(hi, float(AGE_BANDS[top]) if top < len(AGE_BANDS) else np.inf)
        return lo, hi

    def _newcomer_ages(self, rng: np.random.Generator, k: int) -> np.ndarray:
        lo, hi = self.params.newcomer_age
        return rng.uniform(lo, hi, k)
