"""Independent random streams, one per mechanism, derived from the run's single seed.

A stream is keyed by the mechanism's name, not by the order in which streams
are asked for, so adding a mechanism or switching one's option never shifts
the numbers another mechanism draws. Mechanisms draw per-resident arrays of a
fixed length every week (common random numbers, as Starsim does): a resident
gets the same draw in two scenarios unless an intervention changed their state.
"""

from __future__ import annotations

import zlib

import numpy as np

_WEEK_OFFSET = 1 << 20


class Streams:
    """Named random generators derived from one seed."""

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)
        self._streams: dict[str, np.random.Generator] = {}
        self._this_week: dict[str, tuple[int, np.random.Generator]] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        gen = self._streams.get(name)
        if gen is None:
            key = zlib.crc32(name.encode("utf-8"))
            gen = np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(key,)))
            self._streams[name] = gen
        return gen

    def weekly(self, name: str, week: int) -> np.random.Generator:
        """A generator for one mechanism in one week, independent of every other week's draws.

        Two scenarios that differ in how many numbers a mechanism drew in
        earlier weeks still give it the same numbers this week.
        """
        key = zlib.crc32(name.encode("utf-8"))
        # Burn-in weeks are negative; spawn keys must not be.
        return np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(key, int(week) + _WEEK_OFFSET)))

    def this_week(self, name: str, week: int) -> np.random.Generator:
        """The generator of ``weekly(name, week)``, one object for every caller in that week.

        A mechanism draws first; an action's weekly step that works through the
        mechanism (the wijkteam's services) draws on from where it stopped.
        """
        held = self._this_week.get(name)
        if held is None or held[0] != week:
            held = (int(week), self.weekly(name, week))
            self._this_week[name] = held
        return held[1]
