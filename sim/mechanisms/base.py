"""What every mechanism is: a weekly ``step`` over the world, and optional work before the first week and at the
end of the burn-in."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from samenkracht.sim.world import World


class Mechanism:
    """One process of the model, run once a week in the model's order over the world it is given."""

    name: ClassVar[str]  #: names the mechanism's random stream (see sim/rng.py) and its timing in benchmarks

    def start(self, world: World) -> None:
        """Set what this mechanism owns in the state before the first week (by default nothing)."""

    def step(self, world: World) -> None:
        """Act on the world for one week."""
        raise NotImplementedError

    def settle(self, world: World) -> None:
        """Take the end of the burn-in as the mechanism's reference point (by default nothing changes)."""
