"""Shopkeepers as signalling points: linked shops notice residents at risk who shop locally, and refer them.

Pathway (docs/ODD.md, "Action pathways"): a channel of the signalling
mechanism. A linked shop notices a resident at risk who shops in their own
wijk with ``signal_chance`` a week and refers them to the wijkteam, which
assesses them when its intake has room. It matters for residents whom few
other channels reach (little contact, no professional who sees them), and
only as far as the wijkteam's queue is not full. Costs: per linked shop and
a coordination budget per 1,000 residents (it scales with reach, not with
the number of wijken).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from samenkracht.sim.actions import Action, Choice, Label
from samenkracht.sim.errors import InputError
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
        eur_per_1000: float = param(
            4_000.0,
            unit="€ a year per 1,000 residents",
            lo=0,
            hi=1e7,
            doc="coordination (contact with the wijkteam, meetings) per 1,000 residents of its wijken",
            source="modelling assumption (was €5,000 a wijk, with wijken of about 1,250 residents)",
        )

    pulls = ("shop_signal",)
    choice = Choice(scaled=("signal_chance",), position=10)
    labels = {
        "nl": Label("Winkeliers als signaalpunt", "winkeliers", "signaalkans", "per week"),
        "en": Label("Shopkeepers as signalling points", "shopkeepers", "signal chance", "a week"),
    }

    def yearly_cost(self, world: World) -> float:
        shops = np.bincount([a.wijk for a in world.shopkeepers], minlength=world.n_wijken)
        p = self.params
        shops_cost = (shops * p.share_linked * p.eur_per_shop)[self.wijk_mask].sum()
        return float(shops_cost + self.per_1000(world, p.eur_per_1000).sum())

    @classmethod
    def from_entry(cls, label: str, entry: dict[str, Any], where: str, wijk_names: list[str] | None) -> Action:
        """As every action; the former key ``eur_per_wijk`` is refused with the key that replaced it."""
        if "eur_per_wijk" in entry:
            raise InputError(
                f"{where}.eur_per_wijk: the coordination cost of link_shopkeepers is now per 1,000 residents; "
                f"give {where}.eur_per_1000 instead (€ a year per 1,000 residents of its wijken; "
                "€5,000 a wijk of 1,250 residents is 4,000)."
            )
        return super().from_entry(label, entry, where, wijk_names)

    def set_levers(self, world: World, level: float) -> None:
        m = self.wijk_mask
        world.levers.shop_signal[m] = 1 - (1 - world.levers.shop_signal[m]) * (
            1 - self.params.signal_chance * self.params.share_linked * level
        )
