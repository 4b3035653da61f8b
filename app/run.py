"""The model behind the page: the students' municipality and its baseline twin, stepped week by week together.

The page builds the model from its choices as keyword arguments and calls
``step()``; this class turns those arguments into a SimConfig, builds a
CareNetworkModel with the chosen actions and one without (same size, same
seed, so the two differ only where the actions act), and steps both.

The run without actions, the baseline twin, depends only on the size, years,
seed and municipality, not on the actions: runs of the same settings share one
(:func:`baseline_twin`, a few kept per process), so a student's next mix of
actions steps only its own municipality, and the page steps the twin of the
settings on screen ahead while the students choose (:meth:`BaselineTwin.warm`).
"""

from __future__ import annotations

import contextlib
import inspect
import itertools
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any

import mesa
import networkx as nx
import numpy as np

from samenkracht.app.choices import (
    CHOICE_BY_NAME,
    CHOICES,
    GEMEENTE_DEFAULT,
    SEED_DEFAULT,
    SIZE_DEFAULT,
    YEARS_DEFAULT,
    OwnAction,
    make_config,
    parse_choices,
)
from samenkracht.sim.model import CareNetworkModel
from samenkracht.sim.time import WEEKS_PER_YEAR

logger = logging.getLogger(__name__)

#: Most residents drawn in the network view; a larger municipality shows its first wijken.
MAX_DRAWN = 800
#: While playing, the page redraws (:func:`play_until_stopped`) once the model has stepped for this long (seconds)
#: since the last redraw, and when the run ends or is paused. A redraw (the network and the indicator charts as
#: images, sent to the browser) takes about half a second at 2,000 residents, as long as 10 years of a few hundred
#: residents take to simulate: redrawn every half year, ten years took 16 s at 400 residents, nearly all drawing.
REDRAW_SECONDS = 1.0


#: Baseline twins kept in a process (the last used): one for each of the settings a page session tried last.
TWINS_KEPT = 4


class BaselineTwin:
    """The run without actions for one size, years, seed and municipality, stepped as far as any run sharing it
    (or :meth:`warm`) asked; its weekly rows are the same as those of a run of its own, whoever steps it.

    Its model is built (with its burn-in) by whichever thread first needs it, the others waiting: a warming thread
    and the page's Build never build it twice."""

    def __init__(self, size: int, years: int, seed: int, gemeente: str) -> None:
        self.key = (int(size), int(years), int(seed), str(gemeente))
        self.total_weeks = int(years) * WEEKS_PER_YEAR
        self._model: CareNetworkModel | None = None
        self._lock = threading.Lock()  # one stepper at a time: runs of two page sessions, and the warming thread
        self.failed: Exception | None = None  #: the error of a step that failed (the twin is then no longer kept)

    @property
    def model(self) -> CareNetworkModel:
        """The twin's model, built at the first look."""
        if self._model is None:
            with self._lock:
                self._build()
        assert self._model is not None
        return self._model

    def _build(self) -> None:  # holding the lock
        if self._model is None:
            size, years, seed, gemeente = self.key
            self._model = CareNetworkModel(make_config(size, years, seed, {}, (), gemeente))

    @property
    def week(self) -> int:
        """Weeks the twin has been stepped (after the burn-in; 0 before it is built)."""
        return self._model.week if self._model is not None else 0

    def advance_to(self, week: int) -> None:
        """Step the twin until it has ``week`` weeks (at most its years), if it has fewer. A twin whose build or
        step failed (in whichever thread) raises that error again, and is dropped from the kept twins, so that the
        next run of its settings starts a new one."""
        with self._lock:
            if self.failed is not None:
                raise RuntimeError(f"the baseline run failed: {self.failed}") from self.failed
            try:
                self._build()
                assert self._model is not None
                while self._model.week < min(week, self.total_weeks):
                    self._model.step()
            except Exception as exc:
                self.failed = exc
                _forget(self)
                raise

    def warm(self, going: Callable[[], bool] = lambda: True, weeks: int = 1) -> None:
        """Step the twin to its end ``weeks`` at a time while ``going()`` and the twin is still kept (one pushed out
        by newer settings is no longer worth it), letting a run that needs it step between (the page calls this in a
        thread of its own, to have the twin ready before Play)."""
        while going() and self.week < self.total_weeks and _kept(self):
            self.advance_to(self.week + weeks)

    def rows_until(self, week: int) -> list[dict[str, Any]]:
        """The twin's weekly rows of its first ``week`` weeks (a run sharing it may be behind it)."""
        return self.model.rows[:week]


class RunLock:
    """A run's lock: held by its stepper (``with``) and by a picture reading it (:meth:`reading`); a reader that
    waits is let in between two weeks (:meth:`let_readers_in`), so a redraw from another thread waits for the week
    under way, not for the play to end (a plain lock, released and taken again at once by the stepper, is not
    handed over: the waiting thread rarely gets it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._readers = threading.Condition(threading.Lock())
        self._waiting = 0

    def __enter__(self) -> RunLock:
        self._lock.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self._lock.release()

    def locked(self) -> bool:
        return self._lock.locked()

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        """Hold the lock to read the run, let in at the stepper's next week."""
        with self._readers:
            self._waiting += 1
        try:
            with self._lock:
                yield
        finally:
            with self._readers:
                self._waiting -= 1
                self._readers.notify_all()

    def let_readers_in(self, timeout: float = 5.0) -> None:
        """Called by the stepper, holding the lock, between two weeks: if a reader waits, let it read first (for
        at most ``timeout`` seconds)."""
        if not self._waiting:
            return
        self._lock.release()
        try:
            with self._readers:
                self._readers.wait_for(lambda: self._waiting == 0, timeout)
        finally:
            self._lock.acquire()


_TWINS: OrderedDict[tuple[int, int, int, str], BaselineTwin] = OrderedDict()
_TWINS_LOCK = threading.Lock()


def baseline_twin(size: int, years: int, seed: int, gemeente: str) -> BaselineTwin:
    """The baseline twin of these settings: the one kept, else a new one (its model built when first needed)."""
    key = (int(size), int(years), int(seed), str(gemeente))
    with _TWINS_LOCK:
        twin = _TWINS.get(key)
        if twin is None:
            twin = _TWINS[key] = BaselineTwin(*key)
        _TWINS.move_to_end(key)
        while len(_TWINS) > TWINS_KEPT:
            _TWINS.popitem(last=False)
    return twin


def _kept(twin: BaselineTwin) -> bool:
    with _TWINS_LOCK:
        return _TWINS.get(twin.key) is twin


def _forget(twin: BaselineTwin) -> None:
    with _TWINS_LOCK:
        if _TWINS.get(twin.key) is twin:
            del _TWINS[twin.key]


def warm_in_background(size: int, years: int, seed: int, gemeente: str) -> tuple[threading.Event, threading.Thread]:
    """Find or build the baseline twin of these settings and step it to its end in a daemon thread, while the
    students choose their actions; set the event to stop it (the page does when the settings change)."""
    stop = threading.Event()

    def target() -> None:
        try:
            baseline_twin(size, years, seed, gemeente).warm(lambda: not stop.is_set())
        except Exception:  # the run that steps the twin meets the error again, and shows it
            logger.exception("stepping the baseline run ahead failed")

    thread = threading.Thread(target=target, name="samenkracht-warm-baseline", daemon=True)
    thread.start()
    return stop, thread


def forget_baseline_twins() -> None:
    """Drop the kept baseline twins (tests; a run holding one keeps it)."""
    with _TWINS_LOCK:
        _TWINS.clear()


#: A number of its own for every PairedRun made in this process (``PairedRun.token``): unlike ``id()``, never that of
#: a run made before, so what the page keeps for a run (its chance check) is never taken for a later run's.
_RUN_TOKENS = itertools.count(1)


class PairedRun(mesa.Model):
    """A run of the chosen actions beside the baseline, for the page.

    ``size`` is residents at the start, ``years`` the simulated years after
    which the run stops, ``seed`` the run's one seed, ``gemeente`` the
    municipality setting (conf/gemeente/), ``own`` the students' own actions
    (those switched on run); every other keyword is ``ACTION`` (switched on or
    not) or ``ACTION_level`` (× the ready-made setting) for an action of
    samenkracht.app.choices.CHOICES. The signature spells these keywords out
    (built from CHOICES, below the class), so a misspelt one is refused.
    """

    def __init__(
        self,
        size: int = SIZE_DEFAULT,
        years: int = YEARS_DEFAULT,
        seed: int = SEED_DEFAULT,
        gemeente: str = GEMEENTE_DEFAULT,
        own: tuple[OwnAction, ...] = (),
        **choices: Any,
    ) -> None:
        super().__init__(rng=int(seed))
        self.token = next(_RUN_TOKENS)
        #: Held while the run steps (``advance_run``) and while the page reads its arrays for a picture, so that a
        #: redraw from another thread (a Pause's last one, a change of colouring) never reads a week half done.
        self.lock = RunLock()
        self.size, self.years, self.seed = int(size), int(years), int(seed)
        self.gemeente, self.own = gemeente, tuple(own)
        self.levels = parse_choices(choices)
        self.config = make_config(self.size, self.years, self.seed, self.levels, self.own, gemeente)
        self.chosen = CareNetworkModel(self.config)
        # Without actions the two runs are the same run, bit for bit: step it once. With actions, the baseline twin
        # of these settings, shared with the other runs of them.
        self.twin = baseline_twin(self.size, self.years, self.seed, gemeente) if self.config.scenario.actions else None
        self._layout: dict[int, np.ndarray] | None = None
        self._layout_arrays: tuple[np.ndarray, np.ndarray] | None = None
        counts = np.bincount(self.chosen.state.wijk, minlength=self.chosen.n_wijken)
        #: The network view draws the first wijken, up to MAX_DRAWN residents (at least one wijk).
        self.drawn_wijken = max(1, int(np.searchsorted(np.cumsum(counts), MAX_DRAWN, side="right")))

    # -- time ----------------------------------------------------------------------------------------------

    @property
    def week(self) -> int:
        """Weeks simulated so far (after the burn-in)."""
        return self.chosen.week

    @property
    def total_weeks(self) -> int:
        """Weeks the run lasts."""
        return self.years * WEEKS_PER_YEAR

    def step(self) -> None:
        """One week of both runs; the run stops after its years."""
        if self.week >= self.total_weeks:
            self.running = False
            return
        if self.twin is not None:  # the twin first: if it fails, the students' run has not gone on without it
            self.twin.advance_to(self.week + 1)
        self.chosen.step()
        if self.week >= self.total_weeks:
            self.running = False

    # -- what the page shows ---------------------------------------------------------------------------------

    @property
    def rows(self) -> list[dict[str, Any]]:
        """Weekly indicator rows of the students' municipality."""
        return self.chosen.rows

    @property
    def baseline(self) -> CareNetworkModel | None:
        """The baseline twin's model (shared with other runs of the same settings: it may be ahead of this run);
        None when no action is on."""
        return self.twin.model if self.twin is not None else None

    @property
    def baseline_rows(self) -> list[dict[str, Any]]:
        """Weekly indicator rows of the baseline up to this run's week (the same rows when no action is on)."""
        return self.twin.rows_until(len(self.chosen.rows)) if self.twin is not None else self.chosen.rows

    def rows_now(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The rows of the students' municipality and of the baseline, of the same weeks (copies: a step in
        another thread may add a week meanwhile)."""
        rows = list(self.chosen.rows)
        base = self.twin.rows_until(len(rows)) if self.twin is not None else rows
        return rows, list(base)

    def action_costs(self) -> dict[str, float]:
        """Euros a year of each chosen action at its level, as the municipality books it now."""
        model = self.chosen
        return {a.label: a.yearly_cost(model) for a in model.municipality.actions}

    @property
    def own_on(self) -> tuple[OwnAction, ...]:
        """The own actions switched on."""
        return tuple(a for a in self.own if a.on)

    def main_values(self) -> dict[str, float]:
        """Value of each chosen action's main parameter."""
        return {name: CHOICE_BY_NAME[name].main_value(level) for name, level in self.levels.items()}

    def layout(self) -> dict[int, np.ndarray]:
        """Position of every resident slot in the network drawing, computed once per run.

        Wijken sit on a circle; inside a wijk, a spring layout of the wijk's own
        ties at the start (seeded) places close ties close. A newcomer takes the
        place of whoever had the slot before.
        """
        if self._layout is None:
            self._layout = wijk_layout(self.chosen, self.drawn_wijken, self.seed)
        return self._layout

    def layout_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`layout` as arrays: the slots drawn, ascending, and their (x, y) positions (computed once)."""
        if self._layout_arrays is None:
            pos = self.layout()
            slots = np.array(sorted(pos), dtype=np.int64)
            places = np.array([pos[v] for v in slots.tolist()]).reshape(-1, 2)
            self._layout_arrays = (slots, places)
        return self._layout_arrays


def _signature() -> inspect.Signature:
    """PairedRun's signature: size, years, seed, gemeente, own actions, and a switch and a level for every action
    offered."""
    keyword = inspect.Parameter.POSITIONAL_OR_KEYWORD
    params = [inspect.Parameter("self", keyword)]
    params += [
        inspect.Parameter(name, keyword, default=default, annotation=int)
        for name, default in (("size", SIZE_DEFAULT), ("years", YEARS_DEFAULT), ("seed", SEED_DEFAULT))
    ]
    params.append(inspect.Parameter("gemeente", keyword, default=GEMEENTE_DEFAULT, annotation=str))
    params.append(inspect.Parameter("own", keyword, default=(), annotation=tuple))
    for choice in CHOICES:
        params.append(inspect.Parameter(choice.name, keyword, default=False, annotation=bool))
        params.append(inspect.Parameter(f"{choice.name}_level", keyword, default=1.0, annotation=float))
    return inspect.Signature(params, return_annotation=None)


PairedRun.__init__.__signature__ = _signature()  # type: ignore[attr-defined]


def wijk_layout(model: CareNetworkModel, n_w: int, seed: int) -> dict[int, np.ndarray]:
    """Slot → (x, y) for the residents of the first ``n_w`` wijken: wijken on a circle, each laid out by a
    spring layout of its own ties (fast: networkx's dense algorithm, below 500 residents a wijk)."""
    s, ties = model.state, model.ties
    pos: dict[int, np.ndarray] = {}
    counts = np.bincount(s.wijk, minlength=model.n_wijken)[:n_w]
    radius = 0.0 if n_w == 1 else 1.0
    live = ties.alive & (s.wijk[ties.u] == s.wijk[ties.v])
    for w in range(n_w):
        members = np.flatnonzero(s.wijk == w)
        if members.size == 0:
            continue
        graph = nx.Graph()
        graph.add_nodes_from(members.tolist())
        in_w = live & (s.wijk[ties.u] == w)
        graph.add_edges_from(zip(ties.u[in_w].tolist(), ties.v[in_w].tolist(), strict=True))
        inner = nx.spring_layout(graph, seed=seed + w, iterations=40)
        xy = np.array([inner[v] for v in members.tolist()])
        xy -= np.median(xy, axis=0)
        # Scale by the bulk of the wijk, not by the few loosely tied residents a spring layout pushes far out.
        extent = np.percentile(np.hypot(xy[:, 0], xy[:, 1]), 90) or 1.0
        xy = np.clip(xy / extent, -1.3, 1.3)
        angle = 2 * np.pi * w / n_w + np.pi / 4
        centre = radius * np.array([np.cos(angle), np.sin(angle)])
        scale = (0.8 * np.sin(np.pi / n_w) if n_w > 1 else 1.0) * np.sqrt(counts[w] / counts.max())
        for slot, p in zip(members.tolist(), centre + scale * xy, strict=True):
            pos[int(slot)] = p
    return pos


def play_until_stopped(
    going: Callable[[], bool],
    advance: Callable[[], None],
    redraw: Callable[[], None],
    clock: Callable[[], float] = time.monotonic,
) -> int:
    """Advance while ``going()``; redraw once the stepping since the last redraw has taken REDRAW_SECONDS (by
    ``clock``; a redraw's own time does not count), and once when it stops if it stepped since the last
    redraw, also when a step fails. Returns the number of redraws."""
    redraws = 0
    pending = False
    since = clock()
    try:
        while going():
            advance()
            pending = True
            if clock() - since >= REDRAW_SECONDS:
                pending = False
                redraw()
                redraws += 1
                since = clock()
    finally:
        if pending:  # where it ended, was paused or failed
            redraw()
            redraws += 1
    return redraws


def advance_run(run: PairedRun, lock: threading.Lock, weeks: int, going: Callable[[], bool] | None = None) -> None:
    """Step ``run`` for up to ``weeks`` weeks, holding ``lock``: one stepper at a time, as a Step and a play thread,
    or the play thread a pause left behind and the next Play's, may otherwise step the same run together. Stops
    early when the run ends, and (for a play) before any week once ``going()`` is false: a Pause, or a thread
    replaced while it waited for the lock, steps at most the week under way."""
    with lock, run.lock:
        for _ in range(weeks):
            if going is not None and not going():
                break
            run.step()
            if not run.running:
                break
            run.lock.let_readers_in()  # a redraw from another thread reads between two weeks


def play_while_current(
    current: Callable[[], bool],
    playing: Callable[[], bool],
    stop: Callable[[], None],
    run: Callable[[], PairedRun],
    lock: threading.Lock,
    redraw: Callable[[], None],
    weeks: int,
    clock: Callable[[], float] = time.monotonic,
    on_error: Callable[[Exception], None] | None = None,
) -> int:
    """The page's Play in its own thread: advance ``run()`` by ``weeks`` at a time (:func:`advance_run`) while this
    thread is the current play (``current()``: a newer Play, Pause or Build has not replaced it), ``playing()`` and
    the run is running; redraw as :func:`play_until_stopped` does. Calls ``stop()`` (switch the Play button back)
    when the run has ended or a step failed, and only from the current thread, so a thread a pause left behind never
    switches off the Play pressed after it. A step's error goes to ``on_error`` first, while this thread is still
    the current one (``stop()`` starts the next), then on to the caller. Returns the number of redraws."""

    def going() -> bool:
        return current() and playing() and run().running

    finished = False
    try:
        redraws = play_until_stopped(going, lambda: advance_run(run(), lock, weeks, going), redraw, clock)
        finished = True
    except Exception as exc:
        if on_error is not None and current():
            on_error(exc)
        raise
    finally:
        if current() and (not finished or not run().running):
            stop()
    return redraws
