"""Indicators: the weekly record of the municipality — care hours by layer, carer burden, isolation,
loneliness, carrying capacity of the social base, network measures and money.

Each week gives one row (a dict of named numbers) whose columns, in order, are
the weekly entries of the indicator table (sim/indicator_table.py); per-wijk
sums are kept for the yearly per-wijk table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from samenkracht.sim.indicator_table import FAMILIES, WEEKLY_COLUMNS
from samenkracht.sim.kernels import active_ties
from samenkracht.sim.kernels_care import indicator_pass
from samenkracht.sim.mechanisms.allocation import LAYERS
from samenkracht.sim.mechanisms.base import Mechanism
from samenkracht.sim.params import param
from samenkracht.sim.ties import KIND_CODE

if TYPE_CHECKING:
    from samenkracht.sim.world import World

LAYER_HOURS, ACTION_COST = FAMILIES["layer"], FAMILIES["action"]


@dataclass
class IndicatorParams:
    """Definitions behind the indicators."""

    active_tie_strength: float = param(0.3, unit="strength", lo=0, hi=1, doc="a tie counts as active at this strength")
    isolated_max_ties: int = param(
        1, unit="ties", lo=0, hi=100, doc="adults with at most this many active ties count as socially isolated"
    )
    lonely_threshold: float = param(
        3.0, unit="score (0–11)", lo=0, hi=11, doc="lonely at or above (De Jong Gierveld: 3)"
    )
    severely_lonely_threshold: float = param(
        9.0, unit="score (0–11)", lo=0, hi=11, doc="severely lonely at or above (9)"
    )


def _share(part: float, whole: float) -> float:
    return float(part / whole) if whole > 0 else 0.0


class Indicators(Mechanism):
    """Computes this week's row of indicators and the per-wijk sums."""

    name = "indicators"

    def __init__(self, params: IndicatorParams, heavy_threshold: float, over_threshold: float) -> None:
        self.params = params
        self.heavy = heavy_threshold
        self.over = over_threshold

    def active_ties(self, world: World) -> np.ndarray:
        """Number of active ties per resident slot."""
        return self._tie_counts(world)[0]

    def _tie_counts(self, world: World) -> tuple[np.ndarray, int, int]:
        """Active ties per resident slot, active ties between wijken, living ties: one compiled pass."""
        ties, s = world.ties, world.state
        return active_ties(ties.u, ties.v, ties.alive, ties.strength, self.params.active_tie_strength, s.wijk, s.n)

    #: The per-wijk sums kept for the yearly per-wijk table, in the rows of ``indicator_pass``'s sums.
    PER_WIJK: tuple[str, ...] = (
        "residents",
        "adults",
        "need_hours",
        "informal_hours",
        "formal_hours",
        "unmet_hours",
        "carers",
        "burden_sum",
        "heavily_burdened",
        "isolated",
        "severely_lonely",
    )

    def step(self, world: World) -> None:
        if world.week < 0:
            return
        s, p, f = world.state, self.params, world.flows
        active, n_bridging, n_ties = self._tie_counts(world)
        # Counts and per-wijk sums: one compiled pass over the residents (sim/kernels_care.py).
        adults, carers, counts, per_wijk = indicator_pass(
            s.alive,
            s.age,
            s.carer,
            s.burden,
            s.loneliness,
            s.severity,
            s.volunteer,
            s.neighbour_helper,
            s.need,
            s.received_informal,
            s.received_formal,
            s.unmet,
            active,
            s.wijk,
            world.n_wijken,
            float(self.heavy),
            float(self.over),
            int(p.isolated_max_ties),
            float(p.lonely_threshold),
            float(p.severely_lonely_threshold),
        )
        (residents, n_adults, n_carers, heavy, over, isolated, lonely, severely, recipients, volunteers, helpers) = (
            int(c) for c in counts[:11]
        )
        # Slots of the dead hold no hours (reset when they leave), so plain sums are sums over the living.
        need = float(s.need.sum())
        informal = float(s.received_informal.sum())
        formal = float(s.received_formal.sum())
        unmet = float(s.unmet.sum())
        by_kind = f.hours_by_tie_kind
        family = float(by_kind[KIND_CODE["household"]] + by_kind[KIND_CODE["family"]])
        row = {
            "week": world.week,
            "year": world.year,
            "residents": residents,
            "need_hours": need,
            "informal_hours": informal,
            "formal_hours": formal,
            "unmet_hours": unmet,
            "carers": n_carers,
            # np.compress: the same values in the same order as s.burden[carers], picked about four times faster
            "burden_mean": float(np.compress(carers, s.burden).mean()) if n_carers else 0.0,
            "heavily_burdened_share": _share(heavy, n_carers),
            "overburdened_share": _share(over, n_carers),
            "isolated_share": _share(isolated, n_adults),
            "lonely_share": _share(lonely, n_adults),
            "severely_lonely_share": _share(severely, n_adults),
            "family_share": _share(family, float(by_kind.sum())),
            "carrying_capacity": _share(informal, need),
            "municipal_cost_eur": float(f.municipal_cost_eur),
            "formal_cost_eur": float(f.formal_cost_eur),
            "care_recipients": recipients,
            "volunteers": volunteers,
            "neighbour_helpers": helpers,
            "volunteer_hours": float(f.volunteer_hours),
            "informal_share_of_care": _share(informal, informal + formal),
            # the mean of whole numbers: their sum is exact, so this is np.mean of the adults' active ties
            "active_degree_mean": float(counts[11]) / n_adults if n_adults else 0.0,
            "bridging_ties": int(n_bridging),
            "ties": int(n_ties),
            "budget_level": float(f.budget_level),
            "wait_weeks_mean": float(f.wait_weeks_mean),
        }
        for layer, hours in f.by_layer.items():
            row[LAYER_HOURS.column(layer)] = float(hours.sum())
        for name, value in f.action_cost_eur.items():
            row[ACTION_COST.column(name)] = float(value)
        row.update(world.counters.since(world.counters_at_week_start))  # this week's events, one column a counter
        world.record(row, dict(zip(self.PER_WIJK, per_wijk)))


__all__ = ["Indicators", "IndicatorParams", "WEEKLY_COLUMNS", "LAYERS"]
