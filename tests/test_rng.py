"""The weekly random streams (sim/rng.py) are exactly numpy's SeedSequence streams for (seed, mechanism, week)."""

import zlib

import numpy as np
import pytest

from samenkracht.sim.rng import _WEEK_OFFSET, Streams


def reference(seed: int, name: str, week: int) -> np.random.Generator:
    key = zlib.crc32(name.encode("utf-8"))
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(key, week + _WEEK_OFFSET)))


@pytest.mark.parametrize("seed", [0, 1, 42, 2**31 - 1, 2**32 - 1, 2**32, 2**32 + 5, 2**64 + 3, 2**127, 2**130 + 7])
def test_weekly_stream_is_the_seed_sequence_stream(seed):
    streams = Streams(seed)
    for name in ("demography", "allocation", "contact", "wijkteam.services", ""):
        for week in (-52, -1, 0, 1, 51, 52, 1039, 5000):
            got, want = streams.weekly(name, week), reference(seed, name, week)
            assert got.bit_generator.state == want.bit_generator.state, (seed, name, week)
            np.testing.assert_array_equal(got.random(5), want.random(5))
            np.testing.assert_array_equal(got.integers(0, 1000, 5), want.integers(0, 1000, 5))


def test_streams_of_one_week_are_separate_generators():
    streams = Streams(3)
    a, b = streams.weekly("contact", 4), streams.weekly("contact", 4)
    assert a is not b
    np.testing.assert_array_equal(a.random(3), b.random(3))  # the same numbers, drawn independently
    assert streams.this_week("contact", 4) is streams.this_week("contact", 4)


def test_a_negative_seed_is_refused():
    with pytest.raises(ValueError, match="non-negative"):
        Streams(-1)
