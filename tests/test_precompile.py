"""Compiling the kernels ahead (samenkracht.tools.precompile): the record is up to date, and a kernel compiled
ahead is found in numba's cache by the next process instead of being compiled again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from samenkracht.tools import precompile


def _run(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env, capture_output=True, text=True)


def test_record_is_up_to_date():
    """The recorded argument types are those the model calls its kernels with now (a kernel whose arguments
    change must be recorded again, or the precompile would compile the old types)."""
    out = subprocess.run(
        [sys.executable, "-m", "samenkracht.tools.precompile", "--check"], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr


def test_record_names_every_kernel_the_runs_call():
    entries = precompile.load()
    kernels = precompile._kernels()
    named = {(e["module"], e["name"]) for e in entries}
    assert named == set(kernels)
    with_types = [e for e in entries if e["signatures"]]
    assert len(with_types) >= 50  # the model's kernels (sums_by_group is used by no run)
    for e in with_types:
        for sig in e["signatures"]:
            assert all(precompile._parse_type(t) is not None for t in sig)


def test_precompiled_kernel_is_loaded_from_the_cache_not_compiled(tmp_path):
    """Two kernels compiled ahead in worker processes into an empty cache; a new process calling them with the
    recorded types finds them there (numba's cache hits, no misses)."""
    entries = [e for e in precompile.load() if e["name"] in ("alive_by_group", "active_ties")]
    assert len(entries) == 2
    sigs = tmp_path / "signatures.json"
    sigs.write_text(json.dumps({"numba": "", "kernels": entries}), encoding="utf-8")
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "cache")}
    out = _run(
        f"""
        from pathlib import Path
        from samenkracht.tools.precompile import precompile
        assert precompile(jobs=2, path=Path({str(sigs)!r})) == 0
        """,
        env,
    )
    assert out.returncode == 0, out.stderr
    assert "2 kernels (2 signatures)" in out.stdout
    out = _run(
        """
        import numpy as np
        from samenkracht.sim.kernels import active_ties
        from samenkracht.sim.kernels_care import alive_by_group
        # The types the model passes (state.wijk is int32, tie ends int64): recorded by tools/precompile.py.
        wijk, alive = np.array([0, 1, 1], np.int32), np.ones(3, bool)
        ends = np.array([0, 1], np.int64), np.array([1, 2], np.int64)
        assert list(alive_by_group(wijk, alive, 2)) == [1, 2]
        active_ties(*ends, np.ones(2, bool), np.array([0.5, 0.1]), 0.2, wijk, 3)
        for k in (active_ties, alive_by_group):
            stats = k.dispatcher().stats
            print(k.__name__, sum(stats.cache_hits.values()), sum(stats.cache_misses.values()))
        """,
        env,
    )
    assert out.returncode == 0, out.stderr
    for line in out.stdout.split("\n")[-3:-1]:
        name, hits, misses = line.split()
        assert (int(hits), int(misses)) == (1, 0), line


def test_unreadable_record_says_how_to_fix(tmp_path):
    bad = tmp_path / "signatures.json"
    bad.write_text("{not json", encoding="utf-8")
    try:
        precompile.load(bad)
    except SystemExit as exc:
        assert "--record" in str(exc) and str(bad) in str(exc)
    else:
        raise AssertionError("a broken record was read")


def test_jobs_must_be_positive():
    out = subprocess.run(
        [sys.executable, "-m", "samenkracht.tools.precompile", "--jobs", "0"], capture_output=True, text=True
    )
    assert out.returncode == 2 and "--jobs must be 1 or more" in out.stderr


def test_served_page_loads_the_kernels_in_a_thread_before_the_first_run(tmp_path):
    """With LOAD_HERE_ENV set (as samenkracht-app sets it for the page's server), load_in_background loads every
    recorded kernel into the process, so that a run's first call of one finds it there (numba neither loads nor
    compiles it then); without it, nothing is started."""
    entries = [e for e in precompile.load() if e["name"] in ("alive_by_group", "active_ties")]
    sigs = tmp_path / "signatures.json"
    sigs.write_text(json.dumps({"numba": "", "kernels": entries}), encoding="utf-8")
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "cache")}
    env.pop(precompile.LOAD_HERE_ENV, None)
    code = f"""
        from pathlib import Path
        from samenkracht.tools import precompile
        thread = precompile.load_in_background(Path({str(sigs)!r}))
        if thread is not None:
            thread.join()
        from samenkracht.sim.kernels import active_ties
        from samenkracht.sim.kernels_care import alive_by_group
        print([len(k.dispatcher(create=False).signatures) if k.dispatcher(create=False) else 0
               for k in (active_ties, alive_by_group)])
        """
    out = _run(code, env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["[0,", "0]"]
    out = _run(code, {**env, precompile.LOAD_HERE_ENV: "1"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["[1,", "1]"]


def test_loading_in_the_background_says_which_kernel_it_could_not_load(tmp_path, capsys, monkeypatch):
    """A kernel the page's server cannot load ahead (here one that no longer exists) is named on stderr, with what
    happens instead, and counted; the others still load."""
    entries = [e for e in precompile.load() if e["name"] == "active_ties"]
    entries.append({"module": "samenkracht.sim.kernels", "name": "no_such_kernel", "signatures": [["int64"]]})
    sigs = tmp_path / "signatures.json"
    sigs.write_text(json.dumps({"numba": "", "kernels": entries}), encoding="utf-8")
    assert precompile.load_here(sigs) == 1
    err = capsys.readouterr().err
    assert "samenkracht.sim.kernels.no_such_kernel" in err and "compiles at its first call" in err
    assert "active_ties" not in err
    # An unreadable file, in the server's thread: said, not dropped with the thread.
    sigs.write_text("{not json", encoding="utf-8")
    monkeypatch.setenv(precompile.LOAD_HERE_ENV, "1")
    precompile.load_in_background(sigs).join(30)
    err = capsys.readouterr().err
    assert f"cannot read {sigs}" in err and "compile at their first call" in err


def test_samenkracht_app_asks_its_server_to_load_the_kernels(monkeypatch, tmp_path):
    """samenkracht-app precompiles, then starts the page's server (solara, by exec) with the variable that makes
    the page load the kernels into the server's process."""
    import pytest

    from samenkracht.app import cli

    calls = []
    monkeypatch.setattr(cli.importlib.util, "find_spec", lambda name: object())  # as if the app extra were installed
    monkeypatch.setattr(precompile, "precompile", lambda: calls.append("precompile") or 0)
    monkeypatch.delenv(precompile.LOAD_HERE_ENV, raising=False)

    def execv(path, argv):
        calls.append((argv[1:4], os.environ.get(precompile.LOAD_HERE_ENV)))
        raise SystemExit(0)

    monkeypatch.setattr(cli.os, "execv", execv)
    from unittest import mock

    with mock.patch.dict(os.environ), pytest.raises(SystemExit):  # the variables cli.main sets stay in this test
        cli.main(["--outputs", str(tmp_path)])
    assert calls == ["precompile", (["-m", "solara", "run"], "1")]


def test_cores_are_counted_where_the_system_has_no_affinity(monkeypatch):
    """macOS and Windows have no os.sched_getaffinity: the precompile and the page's chance check count the
    machine's cores there instead of failing."""
    from samenkracht.app.chance import chance_jobs

    if hasattr(os, "sched_getaffinity"):
        assert precompile.usable_cores() == len(os.sched_getaffinity(0))
        monkeypatch.delattr(os, "sched_getaffinity")
    monkeypatch.setattr(os, "cpu_count", lambda: 6)
    assert precompile.usable_cores() == 6
    assert chance_jobs(25) == 4 and chance_jobs(3) == 3
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    assert precompile.usable_cores() == 1 and chance_jobs(25) == 1
