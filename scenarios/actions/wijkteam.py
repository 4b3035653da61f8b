"""The wijkteam as a municipal action: its capacity, its time over the netwerkkwadrant, its social-model share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from samenkracht.sim.actions import Action, Choice, Label
from samenkracht.sim.errors import InputError
from samenkracht.sim.params import param

if TYPE_CHECKING:
    from samenkracht.sim.world import World


class WijkteamPolicy(Action):
    """Wijkteam capacity, its time over the four quadrants of the netwerkkwadrant, and the social-model share."""

    @dataclass
    class Params:
        fte_factor: float = param(1.0, unit="× baseline", lo=0, hi=20, doc="wijkteam capacity relative to the baseline")
        social_model_share: float = param(
            -1.0, unit="share", lo=-1, hi=1, doc="share of cases in the social model; -1 keeps the baseline value"
        )
        quadrant_mix: list[float] = param(
            [],
            unit="shares",
            lo=0,
            hi=1,
            doc="own network, institutional, collective, policy; empty keeps the baseline",
        )
        eur_per_fte: float = param(85_000.0, unit="€ a year", lo=0, hi=1e7, doc="cost of a wijkteam worker")

        def check(self, prefix: str) -> None:
            if self.quadrant_mix and (len(self.quadrant_mix) != 4 or not 0.99 <= sum(self.quadrant_mix) <= 1.01):
                raise InputError(f"{prefix}quadrant_mix must be 4 shares adding up to 1, or empty.")

    pulls = ("wijkteam_fte_factor", "social_model_bonus", "quadrant_mix")
    choice = Choice(
        scaled=("fte_factor",),
        fixed={"fte_factor": 1.5, "social_model_share": 0.7, "quadrant_mix": [0.5, 0.25, 0.2, 0.05]},
        extra_only=True,
        position=90,
    )
    labels = {
        "nl": Label("Groter wijkteam dat werkt vanuit het sociale model", "het wijkteam", "capaciteit", "× de huidige"),
        "en": Label("Larger wijkteam working in the social model", "the wijkteam", "capacity", "× today's"),
    }

    def yearly_cost(self, world: World) -> float:
        base_fte = np.zeros(world.n_wijken)
        for a in world.wijkteam_workers:
            base_fte[a.wijk] += a.fte
        return float(base_fte[self.wijk_mask].sum() * (self.params.fte_factor - 1.0) * self.params.eur_per_fte)

    def set_levers(self, world: World, level: float) -> None:
        m, lv, p = self.wijk_mask, world.levers, self.params
        lv.wijkteam_fte_factor[m] *= 1.0 + (p.fte_factor - 1.0) * (level if p.fte_factor > 1 else 1.0)
        if p.social_model_share >= 0:
            lv.social_model_bonus[m] += p.social_model_share - world.config.wijkteam.social_model_share
        if p.quadrant_mix:
            lv.quadrant_mix[m] = np.asarray(p.quadrant_mix)
