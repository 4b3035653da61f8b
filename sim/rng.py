"""Independent random streams, one per mechanism, derived from the run's single seed.

A stream is keyed by the mechanism's name, not by the order in which streams
are asked for, so adding a mechanism or switching one's option never shifts
the numbers another mechanism draws. Mechanisms draw per-resident arrays of a
fixed length every week (common random numbers, as Starsim does): a resident
gets the same draw in two scenarios unless an intervention changed their state.

Each kernel is compiled by sim/kernels.py's ``njit``: cached, and running without the GIL.
"""

from __future__ import annotations

import zlib

import numpy as np

from samenkracht.sim.kernels import njit

_WEEK_OFFSET = 1 << 20
#: numpy's SeedSequence: its pool of 32-bit words and the constants of its hash (numpy/random/bit_generator.pyx).
_POOL_SIZE = 4
_INIT_A, _MULT_A, _INIT_B, _MULT_B = 0x43B0D7E5, 0x931E8875, 0x8B51F9DD, 0x58F38DED
_MIX_MULT_L, _MIX_MULT_R, _XSHIFT = 0xCA01F9DD, 0x4973F715, 16
_MASK32 = 0xFFFFFFFF


@njit(cache=True)
def _seed_words(entropy, n_words):  # pragma: no cover - compiled
    """``np.random.SeedSequence`` with this assembled entropy (32-bit words: the seed's, padded to the pool, then
    the spawn key's), then its ``generate_state(n_words, np.uint64)``: the same hash, word for word, in 32-bit
    arithmetic (kept in 64-bit integers, masked after every product)."""
    mask = np.uint64(_MASK32)
    hash_const = np.uint64(_INIT_A)
    pool = np.zeros(_POOL_SIZE, np.uint64)

    def hashmix(value, hash_const):
        value = (value ^ hash_const) & mask
        hash_const = (hash_const * np.uint64(_MULT_A)) & mask
        value = (value * hash_const) & mask
        value ^= value >> np.uint64(_XSHIFT)
        return value, hash_const

    def mix(x, y):
        result = ((np.uint64(_MIX_MULT_L) * x) - (np.uint64(_MIX_MULT_R) * y)) & mask
        result ^= result >> np.uint64(_XSHIFT)
        return result

    for i in range(_POOL_SIZE):
        value = np.uint64(entropy[i]) if i < entropy.shape[0] else np.uint64(0)
        pool[i], hash_const = hashmix(value, hash_const)
    for i_src in range(_POOL_SIZE):
        for i_dst in range(_POOL_SIZE):
            if i_src != i_dst:
                h, hash_const = hashmix(pool[i_src], hash_const)
                pool[i_dst] = mix(pool[i_dst], h)
    for i_src in range(_POOL_SIZE, entropy.shape[0]):
        for i_dst in range(_POOL_SIZE):
            h, hash_const = hashmix(np.uint64(entropy[i_src]), hash_const)
            pool[i_dst] = mix(pool[i_dst], h)
    hash_b = np.uint64(_INIT_B)
    out = np.zeros(n_words, np.uint64)
    for i in range(2 * n_words):
        value = (pool[i % _POOL_SIZE] ^ hash_b) & mask
        hash_b = (hash_b * np.uint64(_MULT_B)) & mask
        value = (value * hash_b) & mask
        value ^= value >> np.uint64(_XSHIFT)
        out[i // 2] |= value << np.uint64(32 * (i % 2))  # little-endian pairs, as numpy's view as uint64
    return out


def _words32(value: int) -> list[int]:
    """A non-negative integer as 32-bit words, least significant first (at least one word), as SeedSequence takes
    an integer."""
    if value < 0:
        raise ValueError(f"a seed must be a non-negative integer, not {value}")
    words = [value & _MASK32]
    value >>= 32
    while value:
        words.append(value & _MASK32)
        value >>= 32
    return words


class _WeekSeed(np.random.bit_generator.ISeedSequence):
    """The state words a SeedSequence of (seed, spawn key) would give, computed without building one."""

    def __init__(self, words: np.ndarray) -> None:
        self._words = words

    def generate_state(self, n_words: int, dtype=np.uint32) -> np.ndarray:
        if np.dtype(dtype) != np.uint64 or n_words != self._words.shape[0]:
            raise ValueError("made for PCG64's seeding only: generate_state(4, np.uint64)")
        return self._words


class Streams:
    """Named random generators derived from one seed."""

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)
        self._streams: dict[str, np.random.Generator] = {}
        self._this_week: dict[str, tuple[int, np.random.Generator]] = {}
        self._seed_words = _words32(self.seed)
        self._seed_words += [0] * (_POOL_SIZE - len(self._seed_words))  # padded to the pool: a spawn key follows
        self._keys: dict[str, int] = {}

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
        key = self._keys.get(name)
        if key is None:
            key = self._keys[name] = zlib.crc32(name.encode("utf-8"))
        # Burn-in weeks are negative; spawn keys must not be. The generator is exactly
        # np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(key, week + _WEEK_OFFSET))), its seed
        # words computed in one compiled pass (a SeedSequence costs about ten times more to build, every week for
        # every mechanism); tests/test_rng.py checks that the two are the same.
        entropy = np.array([*self._seed_words, key, *_words32(int(week) + _WEEK_OFFSET)], dtype=np.uint64)
        return np.random.Generator(np.random.PCG64(_WeekSeed(_seed_words(entropy, 4))))

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
