"""The synthetic municipality's residents: age structure, households, wijken, helping capacity.

Ages follow a Dutch age structure by band; households are formed as couples
of similar age, singles, and families with children; households are spread
over the wijken.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from samenkracht.sim.errors import InputError
from samenkracht.sim.params import param
from samenkracht.sim.state import State

if TYPE_CHECKING:
    from samenkracht.sim.mechanisms.contact import ContactParams

#: Age of a parent at a child's birth, as drawn for the synthetic municipality (years): CBS, mean age of mothers
#: at a birth about 31 and of fathers about 34, nearly all between 20 and 45; a parent is 18–45 years older than
#: a child in every family built or kept by the model.
PARENT_AGE_AT_BIRTH: tuple[float, float] = (24.0, 38.0)
PARENT_GAP_RANGE: tuple[float, float] = (18.0, 45.0)

#: Lower bounds of the age bands of ``PopulationParams.age_shares`` (the last band ends at 100).
AGE_BANDS: tuple[int, ...] = (0, 18, 30, 45, 65, 75, 85)


@dataclass
class PopulationParams:
    """Size and make-up of the municipality."""

    name: str = param("default", doc="name of the municipality preset")
    size: int = param(10_000, unit="residents", lo=10, hi=2_000_000, doc="number of residents at the start")
    wijken: int = param(8, unit="wijken", lo=1, hi=500, doc="number of neighbourhoods (wijken)")
    age_shares: list[float] = param(
        [0.195, 0.155, 0.185, 0.265, 0.115, 0.065, 0.02],
        unit="share per band",
        lo=0,
        hi=1,
        doc="share of residents in the age bands 0–17, 18–29, 30–44, 45–64, 65–74, 75–84, 85+",
        source="CBS StatLine, Bevolking op 1 januari 2024, rounded",
    )
    partner_share: float = param(
        0.6,
        unit="share of adults 25–80",
        lo=0,
        hi=1,
        doc="share of adults living with a partner",
        source="CBS huishoudens 2023: about 60% of adults live with a partner",
    )
    age_profile: list[float] = param(
        [880, 930, 1000, 1070, 1150, 1170, 1140, 1110, 1080, 1080, 1230, 1300, 1230, 1030, 940, 830, 480, 270, 110, 30],
        unit="residents (thousands) per five-year group 0–4 … 95–99",
        lo=0,
        hi=1e9,
        doc="shape of the age structure within each band of age_shares: within a band, ages follow these "
        "relative numbers (the post-war baby boom in 60–79, the thin 80–84 of the war years); a preset's bands "
        "keep their shares",
        source="CBS StatLine 03759ned, Nederland, 1 January 2024, five-year groups, rounded to thousands "
        "(approximate, written without network access: verify before quoting)",
    )
    shops_per_1000: float = param(3.0, unit="shops per 1,000 residents", lo=0, hi=50, doc="local shops")
    capacity_mean: list[float] = param(
        [0.0, 5.0, 4.0, 5.0, 9.0, 6.0, 2.0],
        unit="hours a week",
        lo=0,
        hi=80,
        doc="mean hours a week a resident can give to others, by age band",
        source="SCP Tijdsbesteding 2016: free time by age; calibrated to the carer figures",
    )
    willing_share: float = param(
        0.55,
        unit="share of adults",
        lo=0,
        hi=1,
        doc="adults willing to help people outside their family",
        source="Tonkens 2010; SCP Voor elkaar? 2017: about half of non-helpers would help if asked",
    )
    shops_locally_share: float = param(
        0.6, unit="share", lo=0, hi=1, doc="residents who do their daily shopping in their own wijk"
    )

    def check(self, prefix: str) -> None:
        if len(self.age_shares) != len(AGE_BANDS):
            raise InputError(
                f"{prefix}age_shares has {len(self.age_shares)} values; give {len(AGE_BANDS)}, "
                "one per age band 0–17, 18–29, 30–44, 45–64, 65–74, 75–84, 85+."
            )
        if len(self.age_profile) != 20 or min(self.age_profile) < 0 or sum(self.age_profile) <= 0:
            raise InputError(
                f"{prefix}age_profile has {len(self.age_profile)} values; give 20 non-negative numbers, "
                "one per five-year group 0–4 … 95–99."
            )
        if len(self.capacity_mean) != len(AGE_BANDS):
            raise InputError(
                f"{prefix}capacity_mean has {len(self.capacity_mean)} values; give {len(AGE_BANDS)}, one per age band."
            )
        total = sum(self.age_shares)
        if not 0.99 <= total <= 1.01:
            raise InputError(f"{prefix}age_shares add up to {total:.3f}; they must add up to 1.")


#: Band of each whole year of age 0..255 (the bands start at whole years, so the whole part of an age decides).
BAND_OF_YEAR = np.searchsorted(np.asarray(AGE_BANDS), np.arange(256), side="right") - 1


def age_band(age: np.ndarray) -> np.ndarray:
    """Index of each age's band in AGE_BANDS (a table lookup: ten times faster than a search)."""
    return BAND_OF_YEAR[np.clip(np.asarray(age), 0, 255).astype(np.int64)]


def draw_ages(params: PopulationParams, n: int, rng: np.random.Generator) -> np.ndarray:
    """Ages in years, as close to the configured structure as ``n`` residents allow.

    Each band gets its share of the ``n`` residents (rounded by largest remainder); within a band, ages follow
    the age profile (each five-year group spread evenly over its years), drawn stratified (one draw in each of
    the band's equal-probability slices), so a small town has the preset's structure, not a noisy copy of it.
    The ages come in a random order.
    """
    shares = np.asarray(params.age_shares, dtype=float)
    exact = shares / shares.sum() * n
    count = np.floor(exact).astype(np.int64)
    rest = np.argsort(-(exact - count), kind="stable")[: n - int(count.sum())]
    count[rest] += 1
    per_year = np.repeat(np.asarray(params.age_profile, dtype=float) / 5.0, 5)
    year_band = BAND_OF_YEAR[: per_year.size]
    parts = []
    for b in range(len(AGE_BANDS)):
        years = np.flatnonzero(year_band == b)
        weight = per_year[years] if per_year[years].sum() > 0 else np.ones(years.size)
        cdf = np.cumsum(weight) / weight.sum()
        u = (np.arange(count[b]) + rng.random(count[b])) / max(count[b], 1)
        pos = np.minimum(np.searchsorted(cdf, u, side="right"), years.size - 1)
        below = np.where(pos > 0, cdf[pos - 1], 0.0)
        within = (u - below) / (cdf[pos] - below)  # where in its year the draw fell: a uniform fraction
        parts.append(years[pos] + np.clip(within, 0.0, 1.0 - 1e-9))
    return rng.permutation(np.concatenate(parts))


def draw_households(age: np.ndarray, partner_share: float, rng: np.random.Generator) -> np.ndarray:
    """Household index per resident: couples of similar age, singles, and children with parents."""
    n = age.size
    household = np.full(n, -1, dtype=np.int64)
    adult = np.flatnonzero(age >= 18)
    # Partnership is likeliest in mid-life and falls with widowhood at high ages.
    p = partner_share * np.interp(age[adult], [18, 25, 35, 70, 80, 90], [0.1, 0.6, 1.1, 1.1, 0.8, 0.4])
    partnered = adult[rng.random(adult.size) < np.clip(p, 0, 1)]
    partnered = partnered[np.argsort(age[partnered] + rng.normal(0, 2, partnered.size), kind="stable")]
    if partnered.size % 2:
        partnered = partnered[:-1]
    couples = partnered.reshape(-1, 2)
    household[couples[:, 0]] = np.arange(couples.shape[0])
    household[couples[:, 1]] = np.arange(couples.shape[0])
    singles = adult[household[adult] < 0]
    household[singles] = couples.shape[0] + np.arange(singles.size)
    # Children join the household of parents 18–45 years older (a parent's age at a birth: 24–38, as drawn).
    children = np.flatnonzero(age < 18)
    parents = adult[(age[adult] >= 18) & (age[adult] <= 63)]
    if parents.size == 0:
        parents = adult if adult.size else np.arange(n)
    if children.size:
        if household[parents].min(initial=0) < 0:
            household[parents] = np.arange(parents.size) + household.max() + 1
        # Partners both stand in the pool, and singles only one in three times: most children live with two parents.
        in_couple = np.isin(parents, couples.ravel())
        pool = parents[in_couple | (rng.random(parents.size) < 1 / 3)]
        pool = pool[np.argsort(age[pool], kind="stable")]
        want = age[children] + rng.uniform(PARENT_AGE_AT_BIRTH[0], PARENT_AGE_AT_BIRTH[1], children.size)
        pos = np.searchsorted(age[pool], want) + rng.integers(-2, 3, children.size)
        chosen = pool[np.clip(pos, 0, pool.size - 1)]
        # Where the jitter (or a thin pool) gave a parent outside 18–45 years older, take the nearest in age.
        gap = age[chosen] - age[children]
        bad = (gap < PARENT_GAP_RANGE[0] + 3) | (gap > PARENT_GAP_RANGE[1] - 3)  # slack for the other partner
        pos = np.clip(np.searchsorted(age[pool], want[bad]), 0, pool.size - 1)
        chosen[bad] = pool[pos]
        household[children] = household[chosen]
    _, household = np.unique(household, return_inverse=True)
    return household.astype(np.int64)


def build_residents(params: PopulationParams, rng: np.random.Generator) -> State:
    """Draw the synthetic residents of a municipality."""
    n = params.size
    age = draw_ages(params, n, rng)
    household = draw_households(age, params.partner_share, rng)
    n_households = int(household.max()) + 1
    wijk_weight = rng.dirichlet(np.full(params.wijken, 8.0))
    wijk = rng.choice(params.wijken, size=n_households, p=wijk_weight)[household]
    return make_state(params, age, wijk.astype(np.int32), household, rng)


def make_state(
    params: PopulationParams, age: np.ndarray, wijk: np.ndarray, household: np.ndarray, rng: np.random.Generator
) -> State:
    """Residents' state from their ages, wijken and households; draws capacity, willingness and loneliness."""
    n = age.size
    capacity = draw_capacity(params, age, rng)
    return State(
        alive=np.ones(n, dtype=bool),
        person_id=np.arange(n, dtype=np.int64),
        age=age.astype(float),
        wijk=wijk.astype(np.int32),
        household=household.astype(np.int64),
        capacity=capacity,
        willing=(rng.random(n) < params.willing_share) & (age >= 18),
        lonely_base=np.zeros(n),
        shops_locally=rng.random(n) < params.shops_locally_share,
    )


def draw_capacity(params: PopulationParams, age: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Hours a week each resident can give, gamma-distributed around the age band's mean."""
    mean = np.asarray(params.capacity_mean, dtype=float)[age_band(age)]
    return rng.gamma(2.0, 1.0, age.size) * mean / 2.0


def draw_lonely_baseline(params: ContactParams, rng: np.random.Generator, age: np.ndarray) -> np.ndarray:
    """Personal loneliness baselines (0–11 scale, before clipping) for residents of the given ages."""
    return rng.normal(params.lonely_mean, params.lonely_sd, age.size) + params.lonely_age_75 * (age >= 75)


def pick_in_wijk(
    rng: np.random.Generator,
    people: np.ndarray,
    wijk: np.ndarray,
    weight: np.ndarray | None,
    want: np.ndarray,
    tries: int = 64,
) -> np.ndarray:
    """One resident per entry of ``want`` (a wijk), drawn by weight among ``people`` of that wijk; -1 if none found.

    Rejection sampling: draw ``tries`` candidates uniformly, accept the first
    in the wanted wijk (with probability weight ÷ max weight, unless
    ``weight`` is None: then every candidate in the wijk is accepted and no
    acceptance numbers are drawn); cost follows the number of picks, not the
    population. ``wijk`` is the wijk of each of ``people``.
    """
    if want.size == 0:
        return np.empty(0, np.int64)
    cand = rng.integers(0, people.size, (want.size, tries))
    accept = wijk[cand] == want[:, None]
    if weight is not None:
        accept &= rng.random(cand.shape) * weight.max() < weight[cand]
    first = accept.argmax(axis=1)
    rows = np.arange(want.size)
    return np.where(accept[rows, first], people[cand[rows, first]], -1)
