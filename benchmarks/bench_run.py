"""Benchmark: wall time, person-weeks per second and peak memory of baseline runs, with time per mechanism.

Prints figures; asserts nothing (speed goals are read, not tested; measured
figures are recorded in benchmarks/RESULTS.md). Each run is a fresh
subprocess, so its peak memory (the child's maximum resident set size) is its
own. Usage:

    python benchmarks/bench_run.py                              # 10,000 residents, 20 years
    python benchmarks/bench_run.py --sizes 1000 10000 100000    # several sizes
    python benchmarks/bench_run.py --preset amstelveen          # a municipality preset (conf/population/)
    python benchmarks/bench_run.py --yardstick                  # Mesa's virus_on_network at 10,000 nodes
    python benchmarks/bench_run.py --page                       # the students' page: 2,000 residents, 10 years
    python benchmarks/bench_run.py --cold                       # first run on a fresh machine (numba compiles)
    python benchmarks/bench_run.py --compare-memory             # peak memory per samenkracht-compare worker
    python benchmarks/bench_run.py --sweep-memory               # peak memory per worker of a joblib sweep
    python benchmarks/bench_run.py --all                        # everything issue 16's goals need, with the goals
    python benchmarks/bench_run.py --preset amstelveen --years 2 --profile   # pyinstrument profile, in process
    python benchmarks/bench_run.py --preset amstelveen --years 2 --kernels   # each mechanism: kernels and the rest

Person-weeks per second = residents × recorded weeks ÷ run time; the build
(population, graph, agents) and the burn-in weeks count in the build time,
not in the run time. The yardstick's agent-steps per second = nodes × steps ÷
time of the steps (its network is built with a circular layout: see
``yardstick``). Hydra composes each configuration exactly as the
`samenkracht` command would (``seed=1`` unless --seed is given).

The page benchmark times exactly what the students' page does without the
browser: ``samenkracht.app.run.PairedRun`` (the chosen actions beside their
baseline twin, built and stepped week by week until the run stops), and the
network drawing's layout (computed once per run) apart. A cold run is the same
run in a process whose ``NUMBA_CACHE_DIR`` is a new empty folder, so every
compiled kernel is compiled again, as on a fresh machine; its figure is
reported beside the warm one, never mixed into it. The page in a real browser,
drawing as it plays, is timed by ``make test-browser`` (tests/test_browser.py
prints the seconds from Play to year 10 for this run and for 400 residents).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import resource
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

#: The goals of issue 16 ("Amstelveen for 20 years in 20 seconds"), read against the measured figures (one core).
GOAL_PRESET_SECONDS = 20.0  # amstelveen (92,000 residents), 20 years, total time
GOAL_PRESET_PEAK_MB = 1024.0  # its peak memory
GOAL_10K_SECONDS = 3.0  # 10,000 residents, 20 years, total time
GOAL_COST_RATIO_100K_10K = 11.0  # 100,000 residents against 10,000, total time
GOAL_TIMES_YARDSTICK = 20.0  # person-weeks/s ÷ Mesa virus_on_network's agent-steps/s (10,000 nodes)
GOAL_PAGE_SECONDS = 5.0  # the page: 2,000 residents, 10 years, beside its baseline twin
GOAL_WORKER_PEAK_MB = 1024.0  # samenkracht-compare at amstelveen size: peak memory of each worker
#: The page's run for its goal.
PAGE_SIZE, PAGE_YEARS = 2_000, 10


@dataclass(frozen=True)
class RunSpec:
    """One benchmark run: a population preset (or the default) and an optional size override."""

    size: int | None
    preset: str | None
    years: int
    seed: int

    def overrides(self) -> list[str]:
        out = [f"population={self.preset}"] if self.preset else []
        out += [f"population.size={self.size}"] if self.size is not None else []
        return [*out, f"years={self.years}", f"seed={self.seed}"]

    @property
    def label(self) -> str:
        return self.preset or "default"


def peak_memory_mb() -> float:
    """This process's peak resident set size so far, MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


#: Filled by ``time_kernels``: seconds and calls of each compiled kernel, and the kernels' seconds inside each
#: mechanism (``_IN_MECHANISM[0]`` names the mechanism stepping now).
_KERNEL_S: Counter[str] = Counter()
_KERNEL_CALLS: Counter[str] = Counter()
_KERNELS_IN: Counter[str] = Counter()
_IN_MECHANISM: list[str] = ["(build)"]
_TIMED_KERNELS: list[int] = [0]  # how many kernels time_kernels wrapped (0: not asked)


#: The modules of samenkracht.sim that define compiled kernels (``sim/kernels.py``'s ``njit``); ``time_kernels``
#: wraps the kernels in these, and ``run_spec`` checks that it found every kernel the model has.
KERNEL_MODULES = ("kernels", "kernels_care", "kernels_demography", "kernels_draws", "kernels_social", "rng")


def time_kernels() -> None:
    """Wrap every compiled kernel of samenkracht.sim (the functions of ``KERNEL_MODULES`` that have a numba
    ``dispatcher``) with a timer, in every one of those modules. Call it before anything imports the model: the
    mechanisms import the kernels by name, and must find the wrapped ones. A wrapper costs about a microsecond a
    call (some 140 calls a week). ``_TIMED_KERNELS[0]`` is then how many it wrapped."""
    import importlib

    modules = [importlib.import_module(f"samenkracht.sim.{name}") for name in KERNEL_MODULES]
    wrapped: dict[int, Callable[..., Any]] = {}
    for module in modules:
        for name, fn in list(vars(module).items()):
            if not (callable(fn) and hasattr(fn, "dispatcher")):
                continue
            if id(fn) not in wrapped:

                def timed(*args: Any, _fn: Callable[..., Any] = fn, _name: str = name) -> Any:
                    start = time.perf_counter()
                    out = _fn(*args)
                    spent = time.perf_counter() - start
                    _KERNEL_S[_name] += spent
                    _KERNEL_CALLS[_name] += 1
                    _KERNELS_IN[_IN_MECHANISM[0]] += spent
                    return out

                timed.timed_kernel = fn  # type: ignore[attr-defined]
                wrapped[id(fn)] = timed
            setattr(module, name, wrapped[id(fn)])
    _TIMED_KERNELS[0] = len(wrapped)


def untimed_kernels() -> list[str]:
    """The model's kernels (``sim/kernels.py``'s ``KERNELS``, filled as their modules are imported) that no module
    holds wrapped by ``time_kernels``: a kernel in a module not in ``KERNEL_MODULES``."""
    from samenkracht.sim.kernels import KERNELS

    missed = []
    for fn in KERNELS:
        held = getattr(sys.modules[fn.__module__], fn.__name__, None)
        if getattr(held, "timed_kernel", None) is not fn:
            missed.append(f"{fn.__module__}.{fn.__name__}")
    return missed


def run_spec(spec: RunSpec) -> dict[str, Any]:
    """Build and run one model in this process, timing each mechanism."""
    import logging

    from samenkracht.sim.model import CareNetworkModel
    from samenkracht.sim.time import WEEKS_PER_YEAR
    from samenkracht.tools.overrides import compose_check

    logging.getLogger("MESA").setLevel(logging.WARNING)
    config = compose_check(spec.overrides())
    start = time.perf_counter()
    model = CareNetworkModel(config)
    built = time.perf_counter()
    per_mechanism: Counter[str] = Counter()
    for mechanism in model.mechanisms:  # wrap each mechanism's step with a timer (burn-in is already done)
        step = mechanism.step

        def timed(m, _step=step, _name=mechanism.name):
            _IN_MECHANISM[0] = _name
            t = time.perf_counter()
            _step(m)
            per_mechanism[_name] += time.perf_counter() - t
            _IN_MECHANISM[0] = "(between mechanisms)"

        mechanism.step = timed
    if _TIMED_KERNELS[0]:  # --kernels: every kernel timed; the build's and burn-in's calls left out
        missed = untimed_kernels()
        if missed:
            raise SystemExit(f"--kernels: not timed: {', '.join(missed)}; add their modules to KERNEL_MODULES")
    for counter in (_KERNEL_S, _KERNEL_CALLS, _KERNELS_IN):
        counter.clear()
    model.run()
    end = time.perf_counter()
    weeks = config.years * WEEKS_PER_YEAR
    size = config.population.size
    return {
        "label": spec.label,
        "size": size,
        "wijken": config.population.wijken,
        "years": config.years,
        "build_s": built - start,
        "run_s": end - built,
        "total_s": end - start,
        "person_weeks_per_s": size * weeks / (end - built),
        "per_mechanism_ms_per_week": {k: v / weeks * 1e3 for k, v in per_mechanism.most_common()},
        "peak_mb": peak_memory_mb(),
        **(
            {
                "kernels_ms_per_week": {k: _KERNELS_IN[k] / weeks * 1e3 for k in per_mechanism},
                "kernel_ms_per_week": {k: v / weeks * 1e3 for k, v in _KERNEL_S.most_common()},
                "kernel_calls_per_week": {k: _KERNEL_CALLS[k] / weeks for k in _KERNEL_S},
                "kernels_outside_ms_per_week": sum(v for k, v in _KERNELS_IN.items() if k not in per_mechanism)
                / weeks
                * 1e3,
                "kernels_timed": _TIMED_KERNELS[0],
            }
            if _TIMED_KERNELS[0]
            else {}
        ),
    }


@contextlib.contextmanager
def circular_layout_network() -> Iterator[None]:
    """Make Mesa's virus_on_network example build its Network with a circular layout.

    The example builds ``mesa.discrete_space.Network(graph, capacity=1, random=...)``,
    whose default layout is ``nx.spring_layout``: minutes at 10,000 nodes, and
    nothing to do with stepping agents. For the time of the ``with`` block the
    example module's ``Network`` is a subclass that passes
    ``layout=nx.circular_layout`` instead; nothing else in the example changes.
    """
    import networkx as nx
    from mesa.examples.basic.virus_on_network import model as virus_model

    original = virus_model.Network

    class CircularNetwork(original):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("layout", nx.circular_layout)
            super().__init__(*args, **kwargs)

    virus_model.Network = CircularNetwork
    try:
        yield
    finally:
        virus_model.Network = original


def yardstick(nodes: int, steps: int, seed: int) -> dict[str, Any]:
    """Agent-steps per second of Mesa's virus_on_network example (its default parameters, ``nodes`` nodes)."""
    from mesa.examples.basic.virus_on_network.model import VirusOnNetwork

    start = time.perf_counter()
    with circular_layout_network():
        model = VirusOnNetwork(num_nodes=nodes, rng=seed)
    built = time.perf_counter()
    for _ in range(steps):
        model.step()
    end = time.perf_counter()
    return {
        "label": "virus_on_network",
        "nodes": nodes,
        "steps": steps,
        "build_s": built - start,
        "run_s": end - built,
        "agent_steps_per_s": nodes * steps / (end - built),
        "peak_mb": peak_memory_mb(),
    }


def page_run(size: int, years: int, seed: int, actions: list[str], served: bool = False) -> dict[str, Any]:
    """The students' page without the browser: PairedRun with ``actions`` switched on (beside its baseline twin),
    built and stepped until it stops, as the page's play button steps it; then the network layout, once.

    ``served``: as in the page's server, which loads every kernel from numba's cache when it starts, while the
    students choose (``samenkracht.tools.precompile.load_here``; its time is ``loaded_s``, not in the run's);
    otherwise the run is the first of a fresh process and loads each kernel at its first call."""
    import logging

    from samenkracht.app.run import PairedRun

    logging.getLogger("MESA").setLevel(logging.WARNING)
    loaded_s = None
    if served:
        from samenkracht.tools.precompile import load_here

        before = time.perf_counter()
        load_here()
        loaded_s = time.perf_counter() - before
    start = time.perf_counter()
    run = PairedRun(size=size, years=years, seed=seed, **{name: True for name in actions})
    built = time.perf_counter()
    while run.running:
        run.step()
    end = time.perf_counter()
    run.layout()
    laid_out = time.perf_counter()
    # The students' next mix of actions, of the same settings: its baseline twin is the first run's (app/run.py).
    again_s = None
    if run.baseline is not None and len(actions) > 1:
        before = time.perf_counter()
        again = PairedRun(size=size, years=years, seed=seed, **{name: True for name in actions[:-1]})
        while again.running:
            again.step()
        again_s = time.perf_counter() - before
    return {
        "label": "page (served)" if served else "page",
        "loaded_s": loaded_s,
        "size": size,
        "years": years,
        "actions": actions,
        "twin": run.baseline is not None,
        "build_s": built - start,
        "run_s": end - built,
        "total_s": end - start,
        "layout_s": laid_out - end,
        "again_s": again_s,
        "peak_mb": peak_memory_mb(),
    }


def process_tree_peaks(root: int, peaks: dict[int, tuple[str, float]]) -> None:
    """Record, for ``root`` and every process below it, its peak resident set (VmHWM, MB) and command line."""
    parent: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                with open(f"/proc/{entry}/stat") as f:
                    parent[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        kids = [p for p, pp in parent.items() if pp == pid and p not in tree]
        tree.update(kids)
        frontier += kids
    for pid in tree:
        with contextlib.suppress(OSError, ValueError):
            with open(f"/proc/{pid}/status") as f:
                hwm = next((line for line in f if line.startswith("VmHWM:")), None)
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
            if hwm:
                mb = int(hwm.split()[1]) / 1024
                peaks[pid] = (cmd, max(mb, peaks.get(pid, ("", 0.0))[1]))


def command_peaks(cmd: list[str], what: str) -> tuple[float, dict[int, tuple[str, float]], int]:
    """Run ``cmd`` and sample, every 0.2 s while it runs, the peak resident set (VmHWM, the kernel's high-water
    mark) of its process and of every process below it, so a process's last sample before it ends is its peak up
    to then. Returns the elapsed seconds, the peaks by pid (command line, MB) and the root's pid; exits with the
    command's output if it fails (``what`` names it)."""
    import threading

    peaks: dict[int, tuple[str, float]] = {}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            process_tree_peaks(proc.pid, peaks)
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output = proc.communicate()[0]
    done.set()
    sampler.join()
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.stderr.write(output)
        raise SystemExit(f"{what} failed (exit status {proc.returncode})")
    return elapsed, peaks, proc.pid


def _workers(peaks: dict[int, tuple[str, float]], root: int) -> list[float]:
    """The peaks (MB, largest first) of the worker processes below ``root``: every Python process of the tree but
    the root and the resource trackers (multiprocessing's and loky's), which run no model."""
    return sorted(
        (mb for pid, (c, mb) in peaks.items() if pid != root and "python" in c and "resource_tracker" not in c),
        reverse=True,
    )


def _workers_memory(
    label: str, what: str, cmd_in: Callable[[str], list[str]], preset: str, years: int, seeds: int, jobs: int
) -> dict[str, Any]:
    """Run the command ``cmd_in(out)`` (its outputs in a throw-away folder ``out``); each process's peak memory
    (:func:`command_peaks`); the largest resident set of any process of the command (getrusage of the children)
    checks the sampling."""
    import shutil
    import tempfile

    out = tempfile.mkdtemp(prefix=f"bench-{label}-")
    try:
        elapsed, peaks, root = command_peaks(cmd_in(out), what)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return {
        "label": label,
        "preset": preset,
        "years": years,
        "seeds": seeds,
        "jobs": jobs,
        "total_s": elapsed,
        "main_peak_mb": peaks.get(root, ("", math.nan))[1],
        "worker_peaks_mb": _workers(peaks, root),
        "largest_process_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def compare_memory(preset: str, years: int, seeds: int, jobs: int) -> dict[str, Any]:
    """Run samenkracht-compare (2 scenarios) at ``preset`` size with ``jobs`` workers; each worker's peak memory."""
    return _workers_memory(
        "compare",
        "samenkracht-compare",
        lambda out: [
            sys.executable,
            "-m",
            "samenkracht.analysis.compare_cli",
            "scenarios=baseline,respite_care",
            f"seeds={seeds}",
            f"population={preset}",
            f"years={years}",
            f"jobs={jobs}",
            f"out={out}",
        ],
        preset,
        years,
        seeds,
        jobs,
    )


def sweep_memory(preset: str, years: int, seeds: int, jobs: int) -> dict[str, Any]:
    """Run a Hydra multirun sweep over ``seeds`` seeds at ``preset`` size on the joblib launcher with ``jobs``
    workers (``samenkracht -m hydra/launcher=joblib ...``, as the README's parameter sweeps run); each worker's
    peak memory."""
    return _workers_memory(
        "sweep",
        "the sweep (samenkracht -m)",
        lambda out: [
            sys.executable,
            "-m",
            "samenkracht.tools.run",
            "-m",
            "hydra/launcher=joblib",
            f"hydra.launcher.n_jobs={jobs}",
            f"hydra.sweep.dir={out}",
            f"population={preset}",
            f"years={years}",
            "seed=" + ",".join(str(i + 1) for i in range(seeds)),
        ],
        preset,
        years,
        seeds,
        jobs,
    )


def in_child(job: dict[str, Any], cold: bool = False, precompiled: bool = False) -> dict[str, Any]:
    """Run one job in a fresh Python process; return its result (and the child's own peak memory).

    ``cold``: with NUMBA_CACHE_DIR a new empty folder, so every compiled kernel is compiled in the run.
    ``precompiled`` (with ``cold``): ``python -m samenkracht.tools.precompile`` first fills that folder, on every
    core, as ``make venv`` does on a fresh machine; its time is ``precompile_s``.
    """
    import shutil
    import tempfile

    cmd = [sys.executable, os.path.abspath(__file__), "--child", json.dumps(job)]
    env = dict(os.environ)
    cache = tempfile.mkdtemp(prefix="bench-numba-cache-") if cold else None
    if cache:
        env["NUMBA_CACHE_DIR"] = cache
    precompile_s = None
    try:
        if cache and precompiled:
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "samenkracht.tools.precompile"], env=env, check=True)
            precompile_s = time.perf_counter() - start
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    finally:
        if cache:
            shutil.rmtree(cache, ignore_errors=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"benchmark job {job} failed (exit status {proc.returncode})")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["cold"] = cold
    if precompile_s is not None:
        result["precompile_s"] = precompile_s
    return result


def child_main(job_json: str) -> None:
    job = json.loads(job_json)
    if job["kind"] == "yardstick":
        result = yardstick(job["nodes"], job["steps"], job["seed"])
    elif job["kind"] == "page":
        result = page_run(job["size"], job["years"], job["seed"], job["actions"], job.get("served", False))
    elif job["kind"] == "compare":
        result = compare_memory(job["preset"], job["years"], job["seeds"], job["jobs"])
    elif job["kind"] == "sweep":
        result = sweep_memory(job["preset"], job["years"], job["seeds"], job["jobs"])
    else:
        if job.get("kernels"):
            time_kernels()
        result = run_spec(RunSpec(job["size"], job["preset"], job["years"], job["seed"]))
    print(json.dumps(result))


def print_run(r: dict[str, Any]) -> None:
    name = "" if r["label"] == "default" else f"{r['label']}: "
    print(
        f"{name}{r['size']:>8,} residents, {r['years']} years (+ burn-in): total {r['total_s']:.1f} s "
        f"(build {r['build_s']:.1f} s, run {r['run_s']:.1f} s), "
        f"{r['person_weeks_per_s']:,.0f} person-weeks/s, peak memory {r['peak_mb']:,.0f} MB",
        flush=True,
    )
    print(
        "   per mechanism, ms a week: " + ", ".join(f"{k} {v:.2f}" for k, v in r["per_mechanism_ms_per_week"].items()),
        flush=True,
    )
    if "kernels_ms_per_week" in r:
        print_kernels(r)


def print_kernels(r: dict[str, Any]) -> None:
    """Each mechanism's ms a week split into its compiled kernels and the rest (numpy calls and Python), and the
    kernels that took longest."""
    mechanisms, inside = r["per_mechanism_ms_per_week"], r["kernels_ms_per_week"]
    print(f"   {'mechanism':<14} {'all':>7} {'kernels':>8} {'the rest':>9}   (ms a week)")
    for name, spent in mechanisms.items():
        print(f"   {name:<14} {spent:7.2f} {inside[name]:8.2f} {spent - inside[name]:9.2f}")
    total, in_kernels = sum(mechanisms.values()), sum(inside.values())
    print(f"   {'a week':<14} {total:7.2f} {in_kernels:8.2f} {total - in_kernels:9.2f}")
    if r["kernels_outside_ms_per_week"]:
        print(f"   (and {r['kernels_outside_ms_per_week']:.2f} ms a week in kernels called between the mechanisms)")
    print("   kernels, ms a week (calls a week): ", end="")
    top = list(r["kernel_ms_per_week"].items())[:15]
    print(", ".join(f"{k} {v:.2f} ({r['kernel_calls_per_week'][k]:.3g})" for k, v in top), flush=True)


def print_yardstick(y: dict[str, Any]) -> None:
    print(
        f"yardstick: Mesa virus_on_network, {y['nodes']:,} nodes (circular layout), {y['steps']} steps: "
        f"{y['run_s']:.1f} s (build {y['build_s']:.1f} s), {y['agent_steps_per_s']:,.0f} agent-steps/s, "
        f"peak memory {y['peak_mb']:,.0f} MB",
        flush=True,
    )


def print_page(r: dict[str, Any]) -> None:
    twin = "beside its baseline twin" if r["twin"] else "no twin (no action on)"
    how = (
        f"page as served (its kernels loaded when the server started, in {r['loaded_s']:.1f} s)"
        if r.get("loaded_s") is not None
        else "page, first run of a fresh process"
    )
    print(
        f"{'cold ' if r.get('cold') else ''}{how}: {r['size']:,} residents, {r['years']} years, "
        f"{len(r['actions'])} action(s) on, {twin}: total {r['total_s']:.1f} s (build {r['build_s']:.1f} s, "
        f"run {r['run_s']:.1f} s); network layout {r['layout_s']:.1f} s; peak memory {r['peak_mb']:,.0f} MB",
        flush=True,
    )
    if r.get("again_s") is not None:
        print(
            f"  the next mix of actions (all but the last; the same settings, so the same baseline twin, already "
            f"stepped): {r['again_s']:.1f} s",
            flush=True,
        )


def print_compare(c: dict[str, Any]) -> None:
    workers = ", ".join(f"{mb:,.0f}" for mb in c["worker_peaks_mb"]) or "none seen"
    what = (
        f"samenkracht-compare, 2 scenarios × {c['seeds']} seeds"
        if c["label"] == "compare"
        else f"sweep (samenkracht -m, joblib launcher), {c['seeds']} seeds"
    )
    print(
        f"{what}, population={c['preset']} years={c['years']} "
        f"jobs={c['jobs']}: {c['total_s']:.1f} s; peak memory per worker {workers} MB (main process "
        f"{c['main_peak_mb']:,.0f} MB; largest process by getrusage {c['largest_process_mb']:,.0f} MB)",
        flush=True,
    )


def print_summary(
    runs: list[dict[str, Any]],
    yard: dict[str, Any] | None,
    pages: list[dict[str, Any]] | None = None,
    colds: list[dict[str, Any]] | None = None,
    compare: dict[str, Any] | None = None,
    sweep: dict[str, Any] | None = None,
) -> None:
    """The summary table and the goals of issue 16, as measured figures."""
    pages, colds = pages or [], colds or []
    warm = runs  # the cold runs are in ``colds``
    ys = yard["agent_steps_per_s"] if yard else None
    print("\nSummary (warm runs: numba's cache filled)")
    header = (
        f"| {'run':<16} | {'residents':>9} | {'years':>5} | {'build s':>7} | {'run s':>7} | {'total s':>7} "
        f"| {'person-weeks/s':>14} | {'peak MB':>7} |" + (" × yardstick |" if ys else "")
    )
    print(header)
    print("|" + "|".join("-" * (len(c)) for c in header.split("|")[1:-1]) + "|")
    for r in warm:
        row = (
            f"| {r['label']:<16} | {r['size']:>9,} | {r['years']:>5} | {r['build_s']:>7.1f} | {r['run_s']:>7.1f} "
            f"| {r['total_s']:>7.1f} | {r['person_weeks_per_s']:>14,.0f} | {r['peak_mb']:>7,.0f} |"
        )
        print(row + (f" {r['person_weeks_per_s'] / ys:>11.1f} |" if ys else ""))
    for r in pages:
        print(
            f"| {r['label']:<16} | {r['size']:>9,} | {r['years']:>5} | {r['build_s']:>7.1f} "
            f"| {r['run_s']:>7.1f} | {r['total_s']:>7.1f} | {'—':>14} | {r['peak_mb']:>7,.0f} |"
            + (f" {'—':>11} |" if ys else "")
        )
    if yard:
        print(
            f"| {'virus_on_network':<16} | {yard['nodes']:>9,} | {'—':>5} | {yard['build_s']:>7.1f} "
            f"| {yard['run_s']:>7.1f} | {yard['build_s'] + yard['run_s']:>7.1f} | {ys:>14,.0f} | "
            f"{yard['peak_mb']:>7,.0f} | {1.0:>11.1f} |"
        )
        print(f"  (yardstick: {yard['nodes']:,} nodes × {yard['steps']} steps; its figure is agent-steps/s)")
    if colds:
        print("\nFirst run on a fresh machine (NUMBA_CACHE_DIR a new empty folder: every kernel compiled)")
        for c in colds:
            same = [
                w for w in (*warm, *pages) if (w["label"], w["size"], w["years"]) == (c["label"], c["size"], c["years"])
            ]
            extra = (
                f" (warm {same[0]['total_s']:.1f} s: {c['total_s'] - same[0]['total_s']:.1f} s more)" if same else ""
            )
            ahead = c.get("precompile_s")
            if ahead is not None:
                from samenkracht.tools.precompile import usable_cores

                cores = usable_cores()
                print(
                    f"  {c['label']}, {c['size']:,} residents, {c['years']} years, after `python -m "
                    f"samenkracht.tools.precompile` ({cores} processes, as make venv runs it): precompile "
                    f"{ahead:.1f} s + run {c['total_s']:.1f} s = {ahead + c['total_s']:.1f} s{extra}"
                )
                continue
            print(f"  {c['label']}, {c['size']:,} residents, {c['years']} years: {c['total_s']:.1f} s{extra}")

    goals = []
    presets = [r for r in warm if r["label"] == "amstelveen"]
    if presets:
        p = presets[0]
        goals.append(
            (
                f"amstelveen ({p['size']:,} residents), {p['years']} years: at most {GOAL_PRESET_SECONDS:.0f} s "
                "on one core",
                f"{p['total_s']:.1f} s",
                p["total_s"] <= GOAL_PRESET_SECONDS and p["years"] >= 20,
            )
        )
        goals.append(
            (
                f"amstelveen peak memory at most {GOAL_PRESET_PEAK_MB:,.0f} MB",
                f"{p['peak_mb']:,.0f} MB",
                p["peak_mb"] <= GOAL_PRESET_PEAK_MB,
            )
        )
    by_size = {r["size"]: r for r in warm if r["label"] == "default"}
    if 10_000 in by_size:
        r = by_size[10_000]
        goals.append(
            (
                f"10,000 residents, {r['years']} years: at most {GOAL_10K_SECONDS:.0f} s",
                f"{r['total_s']:.1f} s (run {r['run_s']:.1f} s)",
                r["total_s"] <= GOAL_10K_SECONDS and r["years"] >= 20,
            )
        )
    if 10_000 in by_size and 100_000 in by_size:
        ratio = by_size[100_000]["total_s"] / by_size[10_000]["total_s"]
        run_ratio = by_size[100_000]["run_s"] / by_size[10_000]["run_s"]
        goals.append(
            (
                f"100,000 residents at most {GOAL_COST_RATIO_100K_10K:.0f}× the time of 10,000 (total time)",
                f"{ratio:.1f}× (run time alone {run_ratio:.1f}×)",
                ratio <= GOAL_COST_RATIO_100K_10K,
            )
        )
    if ys:
        ref = presets[0] if presets else by_size.get(10_000) or (warm[0] if warm else None)
        if ref:
            times = ref["person_weeks_per_s"] / ys
            goals.append(
                (
                    f"person-weeks/s ({ref['label']}, {ref['size']:,}) at least {GOAL_TIMES_YARDSTICK:.0f}× "
                    "Mesa virus_on_network's agent-steps/s",
                    f"{times:.1f}× ({ref['person_weeks_per_s']:,.0f} against {ys:,.0f})",
                    times >= GOAL_TIMES_YARDSTICK,
                )
            )
    if pages:
        p = pages[0]
        fresh = [f"; first run of a fresh process {r['total_s']:.1f} s" for r in pages[1:] if r["label"] == "page"]
        served = " as served" if p.get("loaded_s") is not None else ""
        goals.append(
            (
                f"the page{served}, {p['size']:,} residents, {p['years']} years, beside its baseline twin: at most "
                f"{GOAL_PAGE_SECONDS:.0f} s",
                f"{p['total_s']:.1f} s (+ layout {p['layout_s']:.1f} s{''.join(fresh)})",
                p["total_s"] <= GOAL_PAGE_SECONDS and p["twin"] and p["size"] >= PAGE_SIZE and p["years"] >= PAGE_YEARS,
            )
        )
    for c in (compare, sweep):
        if c and c["worker_peaks_mb"]:
            worst = max(c["worker_peaks_mb"])
            name = "samenkracht-compare" if c["label"] == "compare" else "a sweep (samenkracht -m, joblib)"
            goals.append(
                (
                    f"{name} at {c['preset']} size: each worker at most {GOAL_WORKER_PEAK_MB:,.0f} MB",
                    f"largest worker {worst:,.0f} MB",
                    worst <= GOAL_WORKER_PEAK_MB,
                )
            )
    if goals:
        print("\nGoals (issue 16)")
        for text, measured, met in goals:
            print(f"  [{'met' if met else 'NOT met'}] {text}: {measured}")


def profile(spec: RunSpec, html: str | None) -> None:
    """Profile one run in this process with pyinstrument; print the call tree (and save HTML if asked)."""
    try:
        from pyinstrument import Profiler
    except ImportError:
        raise SystemExit("pyinstrument is not installed: .venv/bin/pip install -e '.[bench]'") from None
    profiler = Profiler(interval=0.001)
    profiler.start()
    result = run_spec(spec)
    profiler.stop()
    print_run(result)
    print(profiler.output_text(unicode=True, color=False, show_all=False))
    if html:
        with open(html, "w", encoding="utf-8") as f:
            f.write(profiler.output_html())
        print(f"HTML profile: {html}")


def median_run(job: dict[str, Any], repeat: int, cold: bool = False) -> dict[str, Any]:
    """Run ``job`` ``repeat`` times, each in a fresh process; the run of median total time, with every total."""
    results = [in_child(job, cold=cold) for _ in range(max(1, repeat))]
    key = "total_s" if "total_s" in results[0] else "run_s"
    results.sort(key=lambda r: r[key])
    chosen = dict(results[(len(results) - 1) // 2])
    chosen["totals_s"] = [r[key] for r in results]
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", help="population sizes of the default municipality")
    parser.add_argument(
        "--preset", nargs="+", default=[], help="population presets (conf/population/), e.g. amstelveen"
    )
    parser.add_argument("--years", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--yardstick", action="store_true", help="time Mesa's virus_on_network example")
    parser.add_argument("--yardstick-nodes", type=int, default=10_000)
    parser.add_argument("--yardstick-steps", type=int, default=100)
    parser.add_argument(
        "--page", action="store_true", help=f"time the students' page ({PAGE_SIZE:,} residents, {PAGE_YEARS} years)"
    )
    parser.add_argument(
        "--page-actions", nargs="+", help="the page's actions switched on (default: all it offers, the heaviest)"
    )
    parser.add_argument(
        "--cold",
        action="store_true",
        help="also run the 10,000-residents run (or the first run) and the page once with an empty numba cache",
    )
    parser.add_argument(
        "--compare-memory",
        action="store_true",
        help="peak memory of each samenkracht-compare worker (2 scenarios × 2 seeds, amstelveen, 2 years, jobs=2)",
    )
    parser.add_argument(
        "--sweep-memory",
        action="store_true",
        help="peak memory of each worker of a Hydra sweep on the joblib launcher (amstelveen, 2 years, 2 seeds, "
        "n_jobs=2)",
    )
    parser.add_argument("--repeat", type=int, default=1, help="run each timed job N times and report the median")
    parser.add_argument(
        "--all",
        action="store_true",
        help="everything issue 16's goals need: sizes 1,000, 10,000 and 100,000, amstelveen, the yardstick, the "
        "page, cold runs, and compare's and a sweep's memory per worker, with the goals",
    )
    parser.add_argument("--profile", action="store_true", help="profile the (first) run with pyinstrument, in process")
    parser.add_argument("--profile-html", help="also write the pyinstrument profile as HTML to this file")
    parser.add_argument(
        "--kernels",
        action="store_true",
        help="time each compiled kernel too: each mechanism's time split into kernels and the rest",
    )
    parser.add_argument("--json", help="also write every result to this JSON file")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_main(args.child)
        return

    sizes = args.sizes or ([1_000, 10_000, 100_000] if args.all else [])
    presets = args.preset or (["amstelveen"] if args.all else [])
    with_yardstick = args.yardstick or args.all
    with_page = args.page or args.all or bool(args.page_actions)
    with_cold = args.cold or args.all
    with_compare = args.compare_memory or args.all
    with_sweep = args.sweep_memory or args.all
    if not sizes and not presets and not with_yardstick and not with_page and not with_compare and not with_sweep:
        sizes = [10_000]
    specs = [RunSpec(s, None, args.years, args.seed) for s in sizes]
    specs += [RunSpec(None, p, args.years, args.seed) for p in presets]
    if args.profile and args.kernels:
        raise SystemExit("bench_run.py: --profile and --kernels time the same run two ways; give one of them")
    if args.profile:
        if not specs:
            raise SystemExit("--profile needs a run (--sizes or --preset)")
        profile(specs[0], args.profile_html)
        return

    load = os.getloadavg()
    print(
        f"{time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} "
        f"{load[2]:.2f}; each run in a fresh process" + (f", median of {args.repeat}" if args.repeat > 1 else ""),
        flush=True,
    )
    page_job = None
    if with_page:
        from samenkracht.app.choices import CHOICES

        offered = [c.name for c in CHOICES]
        actions = args.page_actions or offered
        unknown = [a for a in actions if a not in offered]
        if unknown:
            print(
                f"bench_run.py: error: --page-actions: {', '.join(unknown)} not on the page; it offers "
                f"{', '.join(offered)}.",
                file=sys.stderr,
            )
            sys.exit(2)
        page_job = {"kind": "page", "size": PAGE_SIZE, "years": PAGE_YEARS, "seed": 42, "actions": actions}
    # Warm-up: fill numba's cache (compiled once after a change to a kernel), so the timed runs are warm.
    in_child({"kind": "run", "size": 500, "preset": None, "years": 1, "seed": args.seed})
    if page_job:
        in_child({**page_job, "size": 100, "years": 1})
    jobs = [
        {"kind": "run", "size": spec.size, "preset": spec.preset, "years": spec.years, "seed": spec.seed}
        | ({"kernels": True} if args.kernels else {})
        for spec in specs
    ]
    runs = []
    for job in jobs:
        r = median_run(job, args.repeat)
        print_run(r)
        runs.append(r)
    pages = []
    if page_job:
        for served in (True, False):  # as the page's server runs it, and as the first run of a fresh process
            pages.append(median_run({**page_job, "served": served}, args.repeat))
            print_page(pages[-1])
    yard = None
    if with_yardstick:
        yard = median_run(
            {"kind": "yardstick", "nodes": args.yardstick_nodes, "steps": args.yardstick_steps, "seed": args.seed},
            args.repeat,
        )
        print_yardstick(yard)
    colds = []
    if with_cold:
        cold_jobs = [j for j in jobs if j["size"] == 10_000 and j["preset"] is None] or jobs[:1]
        for job in cold_jobs:
            colds.append(in_child({k: v for k, v in job.items() if k != "kernels"}, cold=True))
            print("cold ", end="")
            print_run(colds[-1])
        if page_job:
            colds.append(in_child(page_job, cold=True))
            print_page(colds[-1])
            colds.append(in_child(page_job, cold=True, precompiled=True))
            print(f"after precompile ({colds[-1]['precompile_s']:.1f} s) ", end="")
            print_page(colds[-1])
    compare = None
    if with_compare:
        compare = in_child({"kind": "compare", "preset": "amstelveen", "years": 2, "seeds": 2, "jobs": 2})
        print_compare(compare)
    sweep = None
    if with_sweep:
        sweep = in_child({"kind": "sweep", "preset": "amstelveen", "years": 2, "seeds": 2, "jobs": 2})
        print_compare(sweep)
    if len(runs) + len(pages) + (yard is not None) + len(colds) + (compare is not None) + (sweep is not None) > 1:
        print_summary(runs, yard, pages, colds, compare, sweep)
    load_end = os.getloadavg()
    print(f"load average at the end {load_end[0]:.2f} {load_end[1]:.2f} {load_end[2]:.2f}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(
                {
                    "runs": runs,
                    "pages": pages,
                    "cold": colds,
                    "compare": compare,
                    "sweep": sweep,
                    "yardstick": yard,
                    "load_start": load,
                    "load_end": load_end,
                },
                f,
                indent=1,
            )


if __name__ == "__main__":
    main()
