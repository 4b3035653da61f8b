"""Compile the model's kernels for this computer before the first run, on every core.

The model's compiled loops (``sim/kernels*.py``, ``sim/rng.py``) are compiled by numba at their first call and kept
in numba's cache on disk, so only the first run on a computer pays for compiling: about 25–30 s on one core,
against a run of a few seconds. This compiles them in parallel, a process per core, for the argument types the
model calls them with, which are recorded in ``tools/data/kernel_signatures.json``. The runs after it find every
kernel in the cache. A kernel called with types that are not recorded compiles at its first call, as without this.

    python -m samenkracht.tools.precompile            # every core (or --jobs N); `make venv` runs it once
    python -m samenkracht.tools.precompile --record   # after a kernel's arguments changed: record them again
    python -m samenkracht.tools.precompile --check    # exit 1 if the record is out of date (tests/test_precompile.py)

The record comes from running a small municipality in the baseline and every scenario of ``conf/scenario/``, and
from a graph file. numba's cache is where numba keeps it (``__pycache__`` beside the kernels, or
``NUMBA_CACHE_DIR``); compiling for another CPU (``NUMBA_CPU_NAME``) makes entries of its own there.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import os
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from samenkracht.tools.overrides import CONF_DIR

#: The recorded argument types of every kernel (``--record`` writes it).
SIGNATURES = Path(__file__).resolve().parent / "data" / "kernel_signatures.json"
#: The modules whose kernels are recorded: every module of the model that defines one.
KERNEL_MODULES = (
    "samenkracht.sim.kernels",
    "samenkracht.sim.kernels_care",
    "samenkracht.sim.kernels_demography",
    "samenkracht.sim.kernels_draws",
    "samenkracht.sim.kernels_social",
    "samenkracht.sim.rng",
)
#: Set to "1" (by ``samenkracht-app``), the page's server loads the kernels when it starts (:func:`load_in_background`).
LOAD_HERE_ENV = "SAMENKRACHT_LOAD_KERNELS"
#: The recording runs: residents and weeks (a few weeks reach every kernel; the year's close runs at week 52).
_RECORD_SIZE, _RECORD_YEARS = 300, 1


def usable_cores() -> int:
    """The cores this process may use: its CPU affinity where the system has one (Linux), else the machine's count
    (macOS and Windows have no ``os.sched_getaffinity``)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def _kernels() -> dict[tuple[str, str], Any]:
    """Every kernel of the model, by (module, name)."""
    for name in KERNEL_MODULES:
        importlib.import_module(name)
    from samenkracht.sim.kernels import KERNELS

    return {(k.__module__, k.__name__): k for k in KERNELS}


def _parse_type(text: str) -> Any:
    """A numba type from the text the record holds: its repr (``Array(int64, 1, 'C', False, aligned=True)``)."""
    from numba.core import types

    return eval(text, {"__builtins__": {}}, dict(vars(types)))  # noqa: S307 - numba type names only


def _recording_runs(workdir: Path) -> None:
    """Small runs that call every kernel with the types the model uses: the baseline and every scenario, and the
    baseline's graph loaded back from a GraphML file."""
    import logging

    from samenkracht.sim.graph_io import write_graphml
    from samenkracht.sim.model import CareNetworkModel
    from samenkracht.tools.overrides import compose_check

    logging.getLogger("MESA").setLevel(logging.WARNING)
    common = [f"population.size={_RECORD_SIZE}", f"years={_RECORD_YEARS}", "seed=1"]
    scenarios = sorted(p.stem for p in (CONF_DIR / "scenario").glob("*.yaml"))
    for scenario in scenarios:
        model = CareNetworkModel(compose_check([f"scenario={scenario}", *common]))
        model.run()
        if scenario == "baseline":
            graph = workdir / "baseline.graphml"
            write_graphml(model.graph, graph)
    CareNetworkModel(compose_check([f"network.graph_file={graph}", *common])).run()


def record() -> dict[str, Any]:
    """Run the recording runs in this process and return every kernel's argument types, as the file holds them."""
    import numba

    kernels = _kernels()
    with tempfile.TemporaryDirectory(prefix="samenkracht-precompile-") as tmp:
        _recording_runs(Path(tmp))
    out = []
    for (module, name), kernel in sorted(kernels.items()):
        disp = kernel.dispatcher(create=False)
        sigs = sorted([repr(t) for t in sig] for sig in disp.signatures) if disp is not None else []
        out.append({"module": module, "name": name, "signatures": sigs})
    return {"numba": numba.__version__, "kernels": out}


def load(path: Path = SIGNATURES) -> list[dict[str, Any]]:
    """The recorded kernels: module, name and signatures (each a list of type texts)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return list(data["kernels"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SystemExit(
            f"precompile: cannot read {path}: {exc}. Record it again: python -m samenkracht.tools.precompile --record"
        ) from exc


def _compile(module: str, name: str, signatures: list[list[str]]) -> str:
    """In a worker: compile (or load from numba's cache) one kernel for each recorded signature; returns an error
    text ('' if none)."""
    try:
        disp = getattr(importlib.import_module(module), name).dispatcher()
        for sig in signatures:
            disp.compile(tuple(_parse_type(t) for t in sig))
    except Exception as exc:  # a kernel that fails here still compiles at its first call
        return f"{type(exc).__name__}: {exc}"
    return ""


def _source_size(module: str, name: str) -> int:
    try:
        return len(inspect.getsource(getattr(importlib.import_module(module), name)))
    except (OSError, TypeError, AttributeError):
        return 0


def precompile(jobs: int | None = None, path: Path = SIGNATURES) -> int:
    """Compile every recorded kernel, ``jobs`` processes at a time (default: the cores this process may use);
    returns the number of kernels that failed (they compile at their first call instead)."""
    entries = [e for e in load(path) if e["signatures"]]
    known = set(_kernels())  # every recorded kernel must still exist
    missing = [f"{e['module']}.{e['name']}" for e in entries if (e["module"], e["name"]) not in known]
    if missing:
        print(
            f"precompile: {path} names kernels that no longer exist: {', '.join(missing)}. Record it again: "
            "python -m samenkracht.tools.precompile --record",
            file=sys.stderr,
        )
        entries = [e for e in entries if (e["module"], e["name"]) in known]
    # The longest kernels first (they take longest to compile), so no core waits at the end for a long one.
    entries.sort(key=lambda e: -_source_size(e["module"], e["name"]))
    jobs = jobs or usable_cores()
    start = time.perf_counter()
    failed = 0
    with ProcessPoolExecutor(max_workers=max(1, min(jobs, len(entries))), mp_context=get_context("spawn")) as pool:
        futures = {
            f"{e['module']}.{e['name']}": pool.submit(_compile, e["module"], e["name"], e["signatures"])
            for e in entries
        }
        for name, future in futures.items():
            error = future.result()
            if error:
                failed += 1
                print(
                    f"precompile: {name} did not compile ahead ({error}); it compiles at its first call",
                    file=sys.stderr,
                )
    n_sigs = sum(len(e["signatures"]) for e in entries)
    print(
        f"precompile: {len(entries) - failed} kernels ({n_sigs} signatures) compiled or found in numba's cache "
        f"in {time.perf_counter() - start:.1f} s on {jobs} process(es)"
    )
    return failed


def load_here(path: Path = SIGNATURES) -> int:
    """Load every recorded kernel into this process from numba's cache (compiling those it does not hold), so that
    the first run in this process does not load them one by one at their first calls (about 0.6 s for all of them
    when the cache holds them); returns the number of kernels that failed (they load at their first call instead).
    The students' page does this in a thread when its server starts, while the students choose their actions."""
    failed = 0
    for entry in load(path):
        error = entry["signatures"] and _compile(entry["module"], entry["name"], entry["signatures"])
        if error:
            failed += 1
            print(
                f"precompile: could not load {entry['module']}.{entry['name']} ahead ({error}); "
                "it compiles at its first call",
                file=sys.stderr,
            )
    return failed


def load_in_background(path: Path = SIGNATURES) -> threading.Thread | None:
    """Start :func:`load_here` in a thread of its own when ``LOAD_HERE_ENV`` is "1" (the page's server, started by
    ``samenkracht-app``); returns the thread (None when not asked). A run that starts before it ends waits for no
    more than the kernel being loaded: numba loads one kernel at a time, under its own lock."""
    if os.environ.get(LOAD_HERE_ENV) != "1":
        return None

    def target() -> None:
        try:
            load_here(path)
        except SystemExit as exc:  # an unreadable signatures file: a thread would drop SystemExit without a word
            print(f"{exc}; the kernels compile at their first call", file=sys.stderr)

    thread = threading.Thread(target=target, name="samenkracht-load-kernels", daemon=True)
    thread.start()
    return thread


def _check(path: Path) -> int:
    """Exit status 1 (and what differs) when the recorded signatures are not those the recording runs give now."""
    now = {(k["module"], k["name"]): k["signatures"] for k in record()["kernels"]}
    held = {(k["module"], k["name"]): k["signatures"] for k in load(path)}
    differ = sorted(f"{m}.{n}" for m, n in now.keys() | held.keys() if now.get((m, n)) != held.get((m, n)))
    if differ:
        print(
            f"precompile: {path} is out of date for {', '.join(differ)}. Record it again: "
            "python -m samenkracht.tools.precompile --record",
            file=sys.stderr,
        )
        return 1
    print(f"precompile: {path} is up to date ({len(now)} kernels)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m samenkracht.tools.precompile",
        description="Compile the model's kernels ahead of the first run, on every core (numba's cache on disk).",
    )
    parser.add_argument("--jobs", type=int, default=None, help="processes (default: every core this process may use)")
    parser.add_argument(
        "--record", action="store_true", help=f"run small runs and record the kernels' types in {SIGNATURES.name}"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if the recorded types are out of date")
    args = parser.parse_args(argv)
    if args.jobs is not None and args.jobs < 1:
        parser.error(f"--jobs must be 1 or more, not {args.jobs}")
    if args.record:
        from samenkracht.tools.outputs import write_atomic  # (pandas: not imported by the workers)

        data = record()
        write_atomic(SIGNATURES, lambda tmp: tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8"))
        n = sum(1 for k in data["kernels"] if k["signatures"])
        print(f"precompile: recorded the types of {n} kernels in {SIGNATURES}")
        return 0
    if args.check:
        return _check(SIGNATURES)
    return 1 if precompile(args.jobs) else 0


if __name__ == "__main__":
    sys.exit(main())
