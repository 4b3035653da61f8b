"""The close of the year: after a recorded year's last week, the yearly municipality-wide figures and one row
per wijk; then the year's marks are cleared and removed ties compacted away (also at the end of the burn-in).

The per-wijk rows are the year's means of the weekly per-wijk sums the
indicators keep; their shares are ratios of these means.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

import numpy as np

from samenkracht.sim.mechanisms.base import Mechanism

if TYPE_CHECKING:
    from samenkracht.sim.world import World


#: The age groups of the yearly summary: column suffix, youngest age, first age past the group.
AGE_GROUPS: tuple[tuple[str, int, int], ...] = (
    ("0_17", 0, 18),
    ("18_49", 18, 50),
    ("50_64", 50, 65),
    ("65_74", 65, 75),
    ("75_79", 75, 80),
    ("80_84", 80, 85),
    ("85_plus", 85, 1000),
)


def age_structure(age: np.ndarray) -> dict[str, float]:
    """Residents per age group (``residents_age_…``) and the mantelzorg potential: residents aged 50–74 per
    resident aged 85+ (0 when no one is 85 or older), counted at the year's close."""
    whole = np.floor(age)
    out = {f"residents_age_{key}": float(((whole >= lo) & (whole < hi)).sum()) for key, lo, hi in AGE_GROUPS}
    very_old = out["residents_age_85_plus"]
    middle = out["residents_age_50_64"] + out["residents_age_65_74"]
    out["mantelzorg_potential"] = middle / very_old if very_old > 0 else 0.0
    return out


class YearEnd(Mechanism):
    """Closes each recorded year, and the burn-in."""

    name = "year_end"

    def step(self, world: World) -> None:
        if world.week == -1:
            self._clear(world)
        elif world.is_last_week_of_year():
            self._close(world)
            self._clear(world)

    @staticmethod
    def _close(world: World) -> None:
        s = world.state
        adults = s.adults()
        n_adults = max(1, int(adults.sum()))
        gave = adults & s.gave_this_year
        n_gave = max(1, int(gave.sum()))
        world.yearly.setdefault(world.year, {}).update(
            {
                "gave_care_share": float(gave.sum() / n_adults),
                "friends_neighbours_carer_share": float((gave & s.helped_friend_or_neighbour).sum() / n_gave),
                **age_structure(s.age[s.alive]),
            }
        )
        weeks = max(1, world.wijk_weeks)
        acc = {k: v / weeks for k, v in world.wijk_sums.items()}
        for w in range(world.n_wijken):

            def share(a: str, b: str, w: int = w) -> float:
                return float(acc[a][w] / acc[b][w]) if acc[b][w] > 0 else 0.0

            world.wijk_rows.append(
                {
                    "year": world.year,
                    "wijk": w,
                    "wijk_name": world.wijk_names[w],
                    "residents": float(acc["residents"][w]),
                    "need_hours": float(acc["need_hours"][w]),
                    "informal_hours": float(acc["informal_hours"][w]),
                    "formal_hours": float(acc["formal_hours"][w]),
                    "unmet_hours": float(acc["unmet_hours"][w]),
                    "carrying_capacity": share("informal_hours", "need_hours"),
                    "carers": float(acc["carers"][w]),
                    "burden_mean": share("burden_sum", "carers"),
                    "heavily_burdened_share": share("heavily_burdened", "carers"),
                    "isolated_share": share("isolated", "adults"),
                    "severely_lonely_share": share("severely_lonely", "adults"),
                }
            )

    @staticmethod
    def _clear(world: World) -> None:
        s = world.state
        world.wijk_sums = defaultdict(float)
        world.wijk_weeks = 0
        s.gave_this_year[:] = False
        s.helped_friend_or_neighbour[:] = False
        s.helped_relations[:] = 0
        world.ties.compact()
