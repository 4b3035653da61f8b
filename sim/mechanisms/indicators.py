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
from samenkracht.sim.kernels import active_ties, sums_by_group
from samenkracht.sim.mechanisms.allocation import LAYERS
from samenkracht.sim.mechanisms.base import Mechanism
from samenkracht.sim.params import param
from samenkracht.sim.state import row_total
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

    def step(self, world: World) -> None:
        if world.week < 0:
            return
        s, p, f = world.state, self.params, world.flows
        adults = s.adults()
        n_adults = int(adults.sum())
        carers = s.alive & s.carer
        n_carers = int(carers.sum())
        # Slots of the dead hold no hours (reset when they leave), so plain sums are sums over the living.
        need = float(s.need.sum())
        informal = float(s.received_informal.sum())
        formal = float(s.received_formal.sum())
        unmet = float(s.unmet.sum())
        by_kind = f.hours_by_tie_kind
        family = float(by_kind[KIND_CODE["household"]] + by_kind[KIND_CODE["family"]])
        active, n_bridging, n_ties = self._tie_counts(world)
        isolated = adults & (active <= p.isolated_max_ties)
        row = {
            "week": world.week,
            "year": world.year,
            "residents": int(s.alive.sum()),
            "need_hours": need,
            "informal_hours": informal,
            "formal_hours": formal,
            "unmet_hours": unmet,
            "carers": n_carers,
            "burden_mean": float(s.burden[carers].mean()) if n_carers else 0.0,
            "heavily_burdened_share": _share(int((carers & (s.burden >= self.heavy)).sum()), n_carers),
            "overburdened_share": _share(int((carers & (s.burden >= self.over)).sum()), n_carers),
            "isolated_share": _share(int(isolated.sum()), n_adults),
            "lonely_share": _share(int((adults & (s.loneliness >= p.lonely_threshold)).sum()), n_adults),
            "severely_lonely_share": _share(
                int((adults & (s.loneliness >= p.severely_lonely_threshold)).sum()), n_adults
            ),
            "family_share": _share(family, float(by_kind.sum())),
            "carrying_capacity": _share(informal, need),
            "municipal_cost_eur": float(f.municipal_cost_eur),
            "formal_cost_eur": float(f.formal_cost_eur),
            "care_recipients": int((s.alive & (s.severity > 0)).sum()),
            "volunteers": int((s.alive & s.volunteer).sum()),
            "neighbour_helpers": int((s.alive & s.neighbour_helper).sum()),
            "volunteer_hours": float(f.volunteer_hours),
            "informal_share_of_care": _share(informal, informal + formal),
            "active_degree_mean": float(active[adults].mean()) if n_adults else 0.0,
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
        world.record(row, self._per_wijk(world, adults, isolated, carers))

    def _per_wijk(
        self, world: World, adults: np.ndarray, isolated: np.ndarray, carers: np.ndarray
    ) -> dict[str, np.ndarray]:
        s, n_w = world.state, world.n_wijken
        alive = s.alive
        w = s.wijk

        ones = np.ones(s.n)
        fields = {  # name: (values, mask); summed per wijk in one compiled pass
            "residents": (ones, alive),
            "adults": (ones, adults),
            "need_hours": (row_total(s.need), alive),
            "informal_hours": (s.received_informal, alive),
            "formal_hours": (s.received_formal, alive),
            "unmet_hours": (row_total(s.unmet), alive),
            "carers": (ones, carers),
            "burden_sum": (s.burden, carers),
            "heavily_burdened": (ones, carers & (s.burden >= self.heavy)),
            "isolated": (ones, isolated),
            "severely_lonely": (ones, adults & (s.loneliness >= self.params.severely_lonely_threshold)),
        }
        values = np.stack([v for v, _ in fields.values()])
        masks = np.stack([m for _, m in fields.values()])
        sums = sums_by_group(w, n_w, values, masks)
        return dict(zip(fields, sums))


__all__ = ["Indicators", "IndicatorParams", "WEEKLY_COLUMNS", "LAYERS"]
