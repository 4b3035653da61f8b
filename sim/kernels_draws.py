"""Uniform draws read where they are used: ``rng.random(size)`` at a few positions, without drawing the rest.

A mechanism draws a fixed number of uniforms a week (one per resident and channel: common random numbers) but
reads few of them (the residents at risk, say). numpy's default generator (PCG64: a 128-bit linear congruential
generator with the XSL-RR output) can jump ahead: ``k`` steps are one affine map ``x → M·x + P`` (mod 2**128),
and the maps of 1, 2, 4, … steps compose to any jump. :func:`uniforms_at` gives, for ascending positions, exactly
the values ``rng.random(size).ravel()`` holds there (``(next64 >> 11) · 2**-53``, as numpy makes a double), then
advances the generator past all ``size`` draws, so that it stands where drawing them would have left it.
tests/test_kernels_draws.py checks both against numpy.

Each kernel is compiled by sim/kernels.py's ``njit``: cached, and running without the GIL.
"""

from __future__ import annotations

import numpy as np

from samenkracht.sim.kernels import njit

_MULT = 0x2360ED051FC65DA44385DF649FCCF645  #: PCG64's multiplier (numpy's ``PCG_DEFAULT_MULTIPLIER_128``)
_WORD = 0xFFFFFFFFFFFFFFFF
_MULT_WORDS = np.array([_MULT >> 64, _MULT & _WORD], np.uint64)


class Uniforms:
    """``rng.random(size)``, drawn but read only where asked (:meth:`at`): on creation the generator is advanced
    past all ``size`` draws, as drawing them would have left it, so that it draws on from there."""

    def __init__(self, rng: np.random.Generator, size: int) -> None:
        state = rng.bit_generator.state
        if state["bit_generator"] != "PCG64":
            raise TypeError(f"Uniforms reads PCG64 streams only, not {state['bit_generator']}")
        x, inc = state["state"]["state"], state["state"]["inc"]
        self._words = np.array([x >> 64, x & _WORD, inc >> 64, inc & _WORD], np.uint64)
        self.size = int(size)
        rng.bit_generator.advance(self.size)

    def at(self, positions: np.ndarray) -> np.ndarray:
        """The draws at ``positions`` (flat indices into ``rng.random(size)``, ascending, a position may repeat)."""
        positions = np.ascontiguousarray(positions, np.int64)
        if positions.size and (
            positions[0] < 0 or positions[-1] >= self.size or np.any(positions[1:] < positions[:-1])
        ):
            raise ValueError("Uniforms.at needs ascending positions below the size drawn")
        return _uniforms_at(self._words, _MULT_WORDS, positions)


def uniforms_at(rng: np.random.Generator, size: int, positions: np.ndarray) -> np.ndarray:
    """``rng.random(size).ravel()[positions]`` for ascending ``positions`` (each below ``size``), drawing only
    those; ``rng`` is then advanced by ``size`` draws, as ``rng.random(size)`` would have left it."""
    return Uniforms(rng, size).at(positions)


@njit(cache=True)
def _uniforms_at(words, mult, positions):  # pragma: no cover - compiled
    """The doubles at ``positions`` (ascending) of the stream with state and increment ``words`` (high, low)."""
    low32 = np.uint64(0xFFFFFFFF)
    s32 = np.uint64(32)

    def affine(m_hi, m_lo, p_hi, p_lo, x_hi, x_lo):  # M·x + P (mod 2**128), in 64-bit words (high, low)
        a0, a1, b0, b1 = m_lo & low32, m_lo >> s32, x_lo & low32, x_lo >> s32
        q0, q1, q2, q3 = a0 * b0, a0 * b1, a1 * b0, a1 * b1
        mid = (q0 >> s32) + (q1 & low32) + (q2 & low32)
        hi = q3 + (q1 >> s32) + (q2 >> s32) + (mid >> s32) + m_lo * x_hi + m_hi * x_lo  # the product's high word
        lo = m_lo * x_lo
        y_lo = lo + p_lo
        return hi + p_hi + (np.uint64(1) if y_lo < lo else np.uint64(0)), y_lo

    # table[q, d]: the map of d · 16**q steps, x → M·x + P, as (M high, M low, P high, P low); d = 0 is the
    # identity, so that a jump is one map per hexadecimal digit of its length, without branches.
    zero = np.uint64(0)
    table = np.zeros((16, 16, 4), np.uint64)
    m_hi, m_lo, p_hi, p_lo = mult[0], mult[1], words[2], words[3]  # the map of one step
    for q in range(16):  # (m, p): the map of 16**q steps
        table[q, 0, 1] = np.uint64(1)
        for d in range(1, 17):  # d steps of 16**q: those of d − 1, then one more (x → m·(A·x + C) + p)
            a_hi, a_lo, c_hi, c_lo = table[q, d - 1, 0], table[q, d - 1, 1], table[q, d - 1, 2], table[q, d - 1, 3]
            n_hi, n_lo = affine(m_hi, m_lo, zero, zero, a_hi, a_lo)
            t_hi, t_lo = affine(m_hi, m_lo, p_hi, p_lo, c_hi, c_lo)
            if d == 16:  # the map of 16**(q + 1) steps
                m_hi, m_lo, p_hi, p_lo = n_hi, n_lo, t_hi, t_lo
            else:
                table[q, d, 0], table[q, d, 1], table[q, d, 2], table[q, d, 3] = n_hi, n_lo, t_hi, t_lo

    k = positions.shape[0]
    out = np.empty(k)
    hi, lo = words[0], words[1]
    done = 0  # steps taken: the state is that after ``done`` draws
    scale = 1.0 / 9007199254740992.0
    for j in range(k):
        delta = positions[j] + 1 - done  # the value at position p is the output of the state after p + 1 steps
        done = positions[j] + 1
        q = 0
        while delta > 0:
            d = delta & 15
            hi, lo = affine(table[q, d, 0], table[q, d, 1], table[q, d, 2], table[q, d, 3], hi, lo)
            delta >>= 4
            q += 1
        rot = hi >> np.uint64(58)  # XSL-RR: the xor of the halves, rotated right by the top 6 bits
        word = hi ^ lo
        word = (word >> rot) | (word << ((np.uint64(64) - rot) & np.uint64(63)))
        out[j] = np.float64(word >> np.uint64(11)) * scale
    return out
