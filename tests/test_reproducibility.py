"""Same configuration and seed, same results on every CPU: counts identical, other figures to a relative 1e-9.

numpy chooses its SIMD kernels when it starts, by what the CPU offers, and
``NPY_DISABLE_CPU_FEATURES`` lets one machine run another machine's choice;
``NUMBA_CPU_NAME=generic`` compiles the kernels for no CPU in particular. The
regression configuration runs once as it is and once under each of those
settings, in subprocesses, and the weekly indicator tables must agree.
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from samenkracht.tools import regression

SCRIPT = Path(sys.executable).parent / "samenkracht"
if not SCRIPT.is_file():
    pytest.skip("the `samenkracht` console script is not installed (run `make venv`)", allow_module_level=True)

#: Other machines' choices, run on this one: without AVX-512, without AVX2 either, and numba for a generic CPU.
VARIANTS: dict[str, dict[str, str]] = {
    "as_is": {},
    "no_avx512": {"NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL"},
    "no_avx2": {"NPY_DISABLE_CPU_FEATURES": "X86_V3 X86_V4 AVX512_ICL"},
    "numba_generic": {"NUMBA_CPU_NAME": "generic"},
}
REL_TOL = regression.REL_TOL


def _run(out: Path, extra_env: dict[str, str]) -> pd.DataFrame:
    env = {k: v for k, v in os.environ.items() if k not in ("NPY_DISABLE_CPU_FEATURES", "NUMBA_CPU_NAME")}
    env.update(extra_env, MPLBACKEND="Agg")
    args = [f"{k}={v}" for k, v in regression.BASELINE_CONFIG.items()]
    proc = subprocess.run(
        [str(SCRIPT), *args, "output.plots=false", f"hydra.run.dir={out}"],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, f"{extra_env}: exit {proc.returncode}\n{proc.stderr[-3000:]}"
    return pd.read_parquet(out / "indicators.parquet")


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, pd.DataFrame]:
    root = tmp_path_factory.mktemp("simd")
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {name: pool.submit(_run, root / name, env) for name, env in VARIANTS.items()}
        return {name: f.result() for name, f in futures.items()}


def mismatches(a: pd.DataFrame, b: pd.DataFrame) -> list[str]:
    """Columns where two weekly tables disagree: integer-valued columns at all, the rest beyond REL_TOL."""
    out = []
    if list(a.columns) != list(b.columns) or len(a) != len(b):
        return [f"different shape or columns: {a.shape} vs {b.shape}"]
    for col in a.columns:
        x, y = a[col].to_numpy(), b[col].to_numpy()
        if not np.issubdtype(x.dtype, np.number) or x.dtype == bool:
            if not np.array_equal(x, y):
                out.append(f"{col}: differs")
            continue
        integer_valued = np.issubdtype(x.dtype, np.integer) or bool(np.all(np.mod(x, 1) == 0))
        if integer_valued:
            bad = np.flatnonzero(x != y)
        else:
            bad = np.flatnonzero(~np.isclose(x, y, rtol=REL_TOL, atol=regression.ABS_TOL, equal_nan=True))
        if bad.size:
            i = bad[0]
            out.append(
                f"{col} ({'exact' if integer_valued else f'rel {REL_TOL:g}'}): {bad.size} weeks differ, "
                f"first row {i}: {x[i]!r} vs {y[i]!r}"
            )
    return out


@pytest.mark.parametrize("variant", [v for v in VARIANTS if v != "as_is"])
def test_same_seed_gives_the_same_indicators_whatever_simd_the_cpu_has(runs, variant):
    diff = mismatches(runs["as_is"], runs[variant])
    assert not diff, f"{VARIANTS[variant]} changes the results:\n  " + "\n  ".join(diff)


def test_the_comparison_catches_a_changed_count_and_ignores_last_bit_dust(runs):
    base = runs["as_is"]
    dust = base.copy()
    dust["burden_mean"] = dust["burden_mean"] * (1 + 1e-13)
    assert mismatches(base, dust) == []
    changed = base.copy()
    changed.loc[changed.index[5], "volunteer_matches"] += 1
    assert any(line.startswith("volunteer_matches (exact)") for line in mismatches(base, changed))
    drift = base.copy()
    drift["burden_mean"] = drift["burden_mean"] * (1 + 1e-7)
    assert any(line.startswith("burden_mean") for line in mismatches(base, drift))
