"""benchmarks/bench_run.py --kernels: each mechanism's time split into its compiled kernels and the rest. The
figures themselves are read, never tested; what is tested is that every kernel is timed, and inside the mechanism
that calls it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import samenkracht.sim.model  # noqa: F401  (imports every module of kernels, which fills KERNELS)
from samenkracht.sim.kernels import KERNELS

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_run.py"


def test_every_kernel_is_timed_inside_the_mechanism_that_calls_it(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--sizes", "300", "--years", "1", "--kernels", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    (run,) = json.loads(out.read_text())["runs"]
    mechanisms, inside = run["per_mechanism_ms_per_week"], run["kernels_ms_per_week"]
    assert set(inside) == set(mechanisms)
    for name, spent in mechanisms.items():  # a mechanism's kernels are part of its time
        assert 0.0 <= inside[name] <= spent, name
    # The kernels each mechanism is known to call are timed inside it, once a week where it calls them once.
    for name in ("contact", "allocation", "demography", "indicators"):
        assert inside[name] > 0.0, name
    calls = run["kernel_calls_per_week"]
    assert calls["contact_week"] == 1.0 and calls["care_setup"] == 1.0
    assert run["kernels_timed"] == len(KERNELS)  # every kernel the model has is timed
    assert "care_stage" in proc.stdout and "the rest" in proc.stdout
