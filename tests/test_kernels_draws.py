"""uniforms_at (sim/kernels_draws.py) reads numpy's own draws: ``rng.random(size)`` at the positions asked for, bit
for bit, and leaves the generator where drawing them all would have left it."""

import numpy as np
import pytest

from samenkracht.sim.kernels_draws import Uniforms, uniforms_at


@pytest.mark.parametrize("size", [0, 1, 17, 1000, 368_000])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_uniforms_at_are_numpy_draws(size, seed):
    drawn, read = np.random.default_rng(seed), np.random.default_rng(seed)
    drawn.random(seed * 3)  # a generator that drew before
    read.random(seed * 3)
    full = drawn.random(size)
    pick = np.random.default_rng(100 + seed)
    for k in (0, 1, min(size, 5), min(size, 5000)):
        positions = np.sort(pick.choice(size, k, replace=False)) if size else np.empty(0, np.int64)
        if size:  # the first and the last, and a position asked twice
            positions = np.sort(np.concatenate([positions, [0, size - 1, positions[0] if k else 0]]))
        again = np.random.default_rng(seed)
        again.random(seed * 3)
        got = uniforms_at(again, size, positions)
        assert got.tobytes() == full[positions].tobytes()
        assert again.bit_generator.state == drawn.bit_generator.state
    # and after it, the stream goes on as after the full draw
    assert uniforms_at(read, size, np.empty(0, np.int64)).size == 0
    assert read.random(50).tobytes() == drawn.random(50).tobytes()


def test_uniforms_at_refuses_what_it_cannot_read():
    with pytest.raises(ValueError):
        uniforms_at(np.random.default_rng(1), 10, np.array([3, 2]))
    with pytest.raises(ValueError):
        uniforms_at(np.random.default_rng(1), 10, np.array([10]))
    with pytest.raises(TypeError):
        uniforms_at(np.random.Generator(np.random.Philox(1)), 10, np.array([1]))


def test_uniforms_read_again_and_the_generator_draws_on():
    drawn, lazy = np.random.default_rng(7), np.random.default_rng(7)
    full, after = drawn.random((2, 500)).ravel(), drawn.random(4)
    draws = Uniforms(lazy, 1000)
    assert lazy.random(4).tobytes() == after.tobytes()  # drawn on from past the 1,000, at once
    for positions in ([3, 3, 900], [], [0, 999], list(range(0, 1000, 7))):
        assert draws.at(np.array(positions, np.int64)).tobytes() == full[positions].tobytes()
