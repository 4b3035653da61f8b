"""benchmarks/bench_run.py --kernels: each mechanism's time split into its compiled kernels and the rest. The
figures themselves are read, never tested; what is tested is that the split adds up and names what it times."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_run.py"


def test_the_kernel_split_of_a_run_adds_up(tmp_path: Path) -> None:
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
    calls, kernel_ms = run["kernel_calls_per_week"], run["kernel_ms_per_week"]
    assert calls["contact_week"] == 1.0 and calls["care_setup"] == 1.0
    assert sum(kernel_ms.values()) == pytest.approx(sum(inside.values()) + run["kernels_outside_ms_per_week"])
    assert "care_stage" in proc.stdout and "the rest" in proc.stdout
