"""offer_within_capacity and offer_drawn (sim/mechanisms/wijkteam.py), over the candidates' slots, choose exactly
what the former version over masks of all residents chose, with the draws ``rng.random((2, n))`` read in full."""

import numpy as np
import pytest

from samenkracht.sim.mechanisms.wijkteam import offer_drawn, offer_within_capacity


def _offer_by_masks(candidates, accepts, wijk, order_key, k_w):
    """The former version: masks over all residents (first_k_per_wijk, then who was offered)."""
    taken = np.zeros(candidates.shape[0], dtype=bool)
    idx = np.flatnonzero(candidates & accepts)
    if idx.size:
        order = idx[np.lexsort((order_key[idx], wijk[idx]))]
        w = wijk[order]
        rank = np.arange(order.size) - np.searchsorted(w, w, side="left")
        taken[order[rank < np.floor(k_w[w])]] = True
    n_w = k_w.shape[0]
    full = np.bincount(wijk[taken], minlength=n_w) >= np.floor(k_w)
    last = np.full(n_w, -np.inf)
    np.maximum.at(last, wijk[taken], order_key[taken])
    offered = candidates & (order_key <= np.where(full, last, np.inf)[wijk])
    return taken, offered


@pytest.mark.parametrize("n", [0, 1, 7, 300, 5000])
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_offer_drawn_is_the_mask_version(n, seed):
    gen = np.random.default_rng(seed)
    n_w = int(gen.integers(1, 8))
    wijk = gen.integers(0, n_w, n).astype(np.int16)
    candidates = gen.random(n) < gen.choice([0.0, 0.05, 0.5, 1.0])
    uptake = gen.choice([0.0, 0.3, 1.0], n_w)
    k_w = gen.choice([0.0, 0.4, 1.7, 3.2, 1e6], n_w) + gen.random(n_w)
    week = gen.integers(2**32)
    u_accept, u_order = np.random.default_rng(week).random((2, n))
    if n:  # equal keys are taken in slot order
        u_order[gen.random(n) < 0.2] = 0.5
    accepts = u_accept < uptake[wijk]
    want_taken, want_offered = _offer_by_masks(candidates, accepts, wijk, u_order, k_w)
    cand = np.flatnonzero(candidates)
    taken, offered = offer_within_capacity(cand, accepts[cand], wijk, u_order[cand], k_w)
    np.testing.assert_array_equal(taken, np.flatnonzero(want_taken))
    np.testing.assert_array_equal(offered, np.flatnonzero(want_offered))
    if n:  # the draws themselves (keys not made equal)
        u_accept, u_order = np.random.default_rng(week).random((2, n))
        want_taken, want_offered = _offer_by_masks(candidates, u_accept < uptake[wijk], wijk, u_order, k_w)
        rng = np.random.default_rng(week)
        taken, offered = offer_drawn(rng, cand, wijk, uptake, k_w)
        np.testing.assert_array_equal(taken, np.flatnonzero(want_taken))
        np.testing.assert_array_equal(offered, np.flatnonzero(want_offered))
        after = np.random.default_rng(week)
        after.random((2, n))
        assert rng.random() == after.random()
