"""Shopkeepers as signalling points: linked shops notice residents at risk who shop locally, and refer them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from samenkracht.sim.actions import Action, Choice, Label
from samenkracht.sim.params import param

if TYPE_CHECKING:
    from samenkracht.sim.world import World


class LinkShopkeepers(Action):
    """Shopkeepers become signalling points: residents at risk who shop locally are noticed and referred."""

    @dataclass
    class Params:
        signal_chance: float = param(
            0.08, unit="per week", lo=0, hi=1, doc="chance a linked shop notices a local shopper at risk in a week"
        )
        share_linked: float = param(1.0, unit="share", lo=0, hi=1, doc="share of the wijk's shops that take part")
        eur_per_shop: float = param(
            600.0,
            unit="€ a year",
            lo=0,
            hi=1e6,
            doc="training and contact per linked shop",
            source="assumption: a half-day training and quarterly contact with the wijkteam",
        )
        eur_per_wijk: float = param(5_000.0, unit="€ a year", lo=0, hi=1e7, doc="coordination per wijk")

    pulls = ("shop_signal",)
    choice = Choice(scaled=("signal_chance",), position=10)
    labels = {
        "nl": Label("Winkeliers als signaalpunt", "winkeliers", "signaalkans", "per week"),
        "en": Label("Shopkeepers as signalling points", "shopkeepers", "signal chance", "a week"),
    }

    def yearly_cost(self, world: World) -> float:
        shops = np.bincount([a.wijk for a in world.shopkeepers], minlength=world.n_wijken)
        p = self.params
        return float((shops * p.share_linked * p.eur_per_shop + p.eur_per_wijk)[self.wijk_mask].sum())

    def set_levers(self, world: World, level: float) -> None:
        m = self.wijk_mask
        world.levers.shop_signal[m] = 1 - (1 - world.levers.shop_signal[m]) * (
            1 - self.params.signal_chance * self.params.share_linked * level
        )
