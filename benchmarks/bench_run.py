"""Benchmark: wall time, person-weeks per second and peak memory of baseline runs, with time per mechanism.

Prints figures; asserts nothing (speed goals are read, not tested). Usage:
    python benchmarks/bench_run.py                 # 10,000 residents, 20 years
    python benchmarks/bench_run.py --sizes 1000 10000 100000 --years 20
"""

from __future__ import annotations

import argparse
import resource
import time
from collections import Counter

from sim.config import SimConfig
from sim.model import CareNetworkModel
from sim.population import PopulationParams


def run_once(size: int, years: int, seed: int) -> dict[str, float]:
    """Build and run one baseline model, timing each mechanism."""
    config = SimConfig(seed=seed, years=years, population=PopulationParams(size=size))
    start = time.perf_counter()
    model = CareNetworkModel(config)
    built = time.perf_counter()
    per_mechanism: Counter[str] = Counter()
    for mechanism in model.mechanisms:  # wrap each mechanism's step with a timer
        step = mechanism.step

        def timed(m, _step=step, _name=mechanism.name):
            t = time.perf_counter()
            _step(m)
            per_mechanism[_name] += time.perf_counter() - t

        mechanism.step = timed
    model.run()
    end = time.perf_counter()
    weeks = years * 52
    return {
        "size": size,
        "build_s": built - start,
        "run_s": end - built,
        "total_s": end - start,
        "person_weeks_per_s": size * weeks / (end - built),
        "per_mechanism_ms_per_week": {k: v / (weeks + config.burn_in_weeks) * 1e3 for k, v in per_mechanism.most_common()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000])
    parser.add_argument("--years", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    for size in args.sizes:
        r = run_once(size, args.years, args.seed)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{size:>8,} residents, {args.years} years (+ burn-in): total {r['total_s']:.1f} s "
              f"(build {r['build_s']:.1f} s, run {r['run_s']:.1f} s), "
              f"{r['person_weeks_per_s']:,.0f} person-weeks/s, peak memory so far {peak_mb:,.0f} MB")
        print("   per mechanism, ms a week: " + ", ".join(f"{k} {v:.2f}" for k, v in r["per_mechanism_ms_per_week"].items()))


if __name__ == "__main__":
    main()
