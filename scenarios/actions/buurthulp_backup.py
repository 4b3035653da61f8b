"""Professional backup (achterwacht) for buurthulp: more matches succeed, fewer volunteers drop out.

Evidence band of the direct effect, against buurthulp alone: successful matches up by 5–100% and volunteers'
dropouts per volunteer-year down by 10–70% (Movisie, buurthulp: a professional as backup and guarded safety keep
volunteers on and let more matches succeed; no pooled effect size exists, so the band is wide and a modelling
assumption). Tested over 8 paired seeds in tests/test_action_effects.py (``BUURTHULP_MATCHES``,
``BUURTHULP_RETENTION``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from samenkracht.sim.actions import Action, Choice, Label
from samenkracht.sim.params import param

if TYPE_CHECKING:
    from samenkracht.sim.world import World


class BuurthulpBackup(Action):
    """A professional as backup (achterwacht) for buurthulp: more matches succeed, fewer volunteers drop out."""

    @dataclass
    class Params:
        match_success_bonus: float = param(
            0.2,
            unit="probability",
            lo=0,
            hi=1,
            doc="matches that succeed because volunteers can fall back on a professional",
        )
        dropout_factor: float = param(
            0.5,
            unit="×",
            lo=0,
            hi=1,
            doc="volunteers' dropout rate with backup, relative to without (fewer incidents)",
            source="Movisie, buurthulp: backup and guarded safety keep volunteers on",
        )
        fte_per_1000: float = param(
            0.16,
            unit="FTE per 1,000 residents",
            lo=0,
            hi=20,
            doc="professional backup time for the volunteers who serve 1,000 residents",
            source="modelling assumption: a fifth of a professional for a wijk of 1,250 residents",
        )
        eur_per_fte: float = param(85_000.0, unit="€ a year", lo=0, hi=1e7, doc="cost of a professional")

    pulls = ("match_success_bonus", "volunteer_dropout_factor")
    choice = Choice(scaled=("fte_per_1000", "match_success_bonus"), position=30)
    labels = {
        "nl": Label(
            "Professionele achterwacht voor buurthulp",
            "een welzijnsorganisatie",
            "professional",
            "fte per 1.000 inwoners",
        ),
        "en": Label(
            "Professional backup for buurthulp", "a welfare organisation", "professional", "FTE per 1,000 residents"
        ),
    }

    def yearly_cost(self, world: World) -> float:
        p = self.params
        return float(self.per_1000(world, p.fte_per_1000).sum() * p.eur_per_fte)

    def set_levers(self, world: World, level: float) -> None:
        m, lv, p = self.wijk_mask, world.levers, self.params
        lv.match_success_bonus[m] += p.match_success_bonus * level
        lv.volunteer_dropout_factor[m] *= 1 - (1 - p.dropout_factor) * level
