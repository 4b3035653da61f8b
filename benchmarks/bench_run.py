"""Benchmark: wall time, person-weeks per second and peak memory of baseline runs, with time per mechanism.

Prints figures; asserts nothing (speed goals are read, not tested; measured
figures are recorded in benchmarks/RESULTS.md). Each run is a fresh
subprocess, so its peak memory (the child's maximum resident set size) is its
own. Usage:

    python benchmarks/bench_run.py                              # 10,000 residents, 20 years
    python benchmarks/bench_run.py --sizes 1000 10000 100000    # several sizes
    python benchmarks/bench_run.py --preset amstelveen          # a municipality preset (conf/population/)
    python benchmarks/bench_run.py --yardstick                  # Mesa's virus_on_network at 10,000 nodes
    python benchmarks/bench_run.py --all                        # all of issue 6: sizes, amstelveen, yardstick, goals
    python benchmarks/bench_run.py --preset amstelveen --years 2 --profile   # pyinstrument profile, in process

Person-weeks per second = residents × recorded weeks ÷ run time; the build
(population, graph, agents) and the burn-in weeks count in the build time,
not in the run time. The yardstick's agent-steps per second = nodes × steps ÷
time of the steps (its network is built with a circular layout: see
``yardstick``). Hydra composes each configuration exactly as the
`samenkracht` command would (``seed=1`` unless --seed is given).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

#: The issue's goals (issue 6), read against the measured figures.
GOAL_PRESET_SECONDS = 60.0
GOAL_PRESET_PEAK_MB = 2048.0
GOAL_COST_RATIO_100K_10K = 12.0
GOAL_TIMES_YARDSTICK = 10.0


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
            t = time.perf_counter()
            _step(m)
            per_mechanism[_name] += time.perf_counter() - t

        mechanism.step = timed
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


def in_child(job: dict[str, Any]) -> dict[str, Any]:
    """Run one job in a fresh Python process; return its result (and the child's own peak memory)."""
    cmd = [sys.executable, os.path.abspath(__file__), "--child", json.dumps(job)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"benchmark job {job} failed (exit status {proc.returncode})")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def child_main(job_json: str) -> None:
    job = json.loads(job_json)
    if job["kind"] == "yardstick":
        result = yardstick(job["nodes"], job["steps"], job["seed"])
    else:
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


def print_yardstick(y: dict[str, Any]) -> None:
    print(
        f"yardstick: Mesa virus_on_network, {y['nodes']:,} nodes (circular layout), {y['steps']} steps: "
        f"{y['run_s']:.1f} s (build {y['build_s']:.1f} s), {y['agent_steps_per_s']:,.0f} agent-steps/s, "
        f"peak memory {y['peak_mb']:,.0f} MB",
        flush=True,
    )


def print_summary(runs: list[dict[str, Any]], yard: dict[str, Any] | None) -> None:
    """The summary table and the goals of issue 6, as measured figures."""
    ys = yard["agent_steps_per_s"] if yard else None
    print("\nSummary")
    header = (
        f"| {'run':<16} | {'residents':>9} | {'years':>5} | {'build s':>7} | {'run s':>7} | {'total s':>7} "
        f"| {'person-weeks/s':>14} | {'peak MB':>7} |" + (" × yardstick |" if ys else "")
    )
    print(header)
    print("|" + "|".join("-" * (len(c)) for c in header.split("|")[1:-1]) + "|")
    for r in runs:
        row = (
            f"| {r['label']:<16} | {r['size']:>9,} | {r['years']:>5} | {r['build_s']:>7.1f} | {r['run_s']:>7.1f} "
            f"| {r['total_s']:>7.1f} | {r['person_weeks_per_s']:>14,.0f} | {r['peak_mb']:>7,.0f} |"
        )
        print(row + (f" {r['person_weeks_per_s'] / ys:>11.1f} |" if ys else ""))
    if yard:
        print(
            f"| {'virus_on_network':<16} | {yard['nodes']:>9,} | {'—':>5} | {yard['build_s']:>7.1f} "
            f"| {yard['run_s']:>7.1f} | {yard['build_s'] + yard['run_s']:>7.1f} | {ys:>14,.0f} | "
            f"{yard['peak_mb']:>7,.0f} | {1.0:>11.1f} |"
        )
        print(f"  (yardstick: {yard['nodes']:,} nodes × {yard['steps']} steps; its figure is agent-steps/s)")

    goals = []
    presets = [r for r in runs if r["label"] == "amstelveen"]
    if presets:
        p = presets[0]
        goals.append(
            (
                f"amstelveen ({p['size']:,} residents), {p['years']} years: under {GOAL_PRESET_SECONDS:.0f} s "
                "on one core",
                f"{p['total_s']:.1f} s",
                p["total_s"] < GOAL_PRESET_SECONDS,
            )
        )
        goals.append(
            (
                f"amstelveen peak memory under {GOAL_PRESET_PEAK_MB:,.0f} MB",
                f"{p['peak_mb']:,.0f} MB",
                p["peak_mb"] < GOAL_PRESET_PEAK_MB,
            )
        )
    by_size = {r["size"]: r for r in runs if r["label"] == "default"}
    if 10_000 in by_size and 100_000 in by_size:
        ratio = by_size[100_000]["total_s"] / by_size[10_000]["total_s"]
        run_ratio = by_size[100_000]["run_s"] / by_size[10_000]["run_s"]
        goals.append(
            (
                f"100k residents cost within {GOAL_COST_RATIO_100K_10K:.0f}× of 10k (total time)",
                f"{ratio:.1f}× (run time alone {run_ratio:.1f}×)",
                ratio <= GOAL_COST_RATIO_100K_10K,
            )
        )
    if ys:
        ref = presets[0] if presets else by_size.get(10_000) or (runs[0] if runs else None)
        if ref:
            times = ref["person_weeks_per_s"] / ys
            goals.append(
                (
                    f"person-weeks/s ({ref['label']}, {ref['size']:,}) at least {GOAL_TIMES_YARDSTICK:.0f}× "
                    "the yardstick's agent-steps/s",
                    f"{times:.1f}×",
                    times >= GOAL_TIMES_YARDSTICK,
                )
            )
    if goals:
        print("\nGoals (issue 6)")
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
        "--all",
        action="store_true",
        help="sizes 1,000, 10,000 and 100,000, the amstelveen preset and the yardstick, with the goals",
    )
    parser.add_argument("--profile", action="store_true", help="profile the (first) run with pyinstrument, in process")
    parser.add_argument("--profile-html", help="also write the pyinstrument profile as HTML to this file")
    parser.add_argument("--json", help="also write every result to this JSON file")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_main(args.child)
        return

    sizes = args.sizes or ([1_000, 10_000, 100_000] if args.all else [])
    presets = args.preset or (["amstelveen"] if args.all else [])
    with_yardstick = args.yardstick or args.all
    if not sizes and not presets and not with_yardstick:
        sizes = [10_000]
    specs = [RunSpec(s, None, args.years, args.seed) for s in sizes]
    specs += [RunSpec(None, p, args.years, args.seed) for p in presets]
    if args.profile:
        if not specs:
            raise SystemExit("--profile needs a run (--sizes or --preset)")
        profile(specs[0], args.profile_html)
        return

    load = os.getloadavg()
    print(
        f"{time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} "
        f"{load[2]:.2f}; each run in a fresh process",
        flush=True,
    )
    runs = []
    for spec in specs:
        r = in_child({"kind": "run", "size": spec.size, "preset": spec.preset, "years": spec.years, "seed": spec.seed})
        print_run(r)
        runs.append(r)
    yard = None
    if with_yardstick:
        yard = in_child(
            {"kind": "yardstick", "nodes": args.yardstick_nodes, "steps": args.yardstick_steps, "seed": args.seed}
        )
        print_yardstick(yard)
    if len(runs) + (yard is not None) > 1:
        print_summary(runs, yard)
    load_end = os.getloadavg()
    print(f"load average at the end {load_end[0]:.2f} {load_end[1]:.2f} {load_end[2]:.2f}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"runs": runs, "yardstick": yard, "load_start": load, "load_end": load_end}, f, indent=1)


if __name__ == "__main__":
    main()
