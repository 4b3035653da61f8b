"""Calibration: the targets file is read and checked, every metric of the vocabulary is measured, the
`samenkracht-calibrate` command exits 0 / 1 / 2, and (slow) the baseline lands inside the nl.yaml ranges."""

from __future__ import annotations

import io
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import make_small_config

from samenkracht.sim.errors import InputError
from samenkracht.tools.calibration import (
    METRICS,
    SHARED_TARGETS,
    SHARED_WHO_CARES,
    SHIPPED_TARGETS,
    SHIPPED_WHO_CARES,
    Target,
    calibrate,
    compose_config,
    default_targets_path,
    default_targets_paths,
    format_table,
    load_all_targets,
    load_targets,
    measure,
    run,
    run_model,
)

SHARED_README = SHARED_TARGETS.parent / "README.md"
#: A quick command line: small population, one seed, one year after a short burn-in.
QUICK = ["population.size=600", "burn_in_weeks=8", "seeds=1", "years=1"]


def _target(metric: str, min_age: int | None = None, max_age: int | None = None, relation: str | None = None) -> Target:
    filtered = min_age is not None or max_age is not None
    if metric == "carer_relation_share" and relation is None:
        relation = "family"
    return Target("t", metric, 0.5, 0.0, 1.0, "test", min_age, max_age, filtered, relation)


def _write(tmp_path: Path, text: str, name: str = "targets.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _entry(metric: str = "gave_care_share", rng: str = "[0.0, 1.0]", value: float = 0.5, extra: str = "") -> str:
    if metric == "carer_relation_share" and "filter" not in extra:
        extra += "\n  filter: {relation: family}"  # the metric needs a relation
    return f"- name: {metric} target\n  metric: {metric}\n  value: {value}\n  range: {rng}\n  source: a test{extra}\n"


# -- the vocabulary ---------------------------------------------------------------------------------------------------


def test_vocabulary_is_the_shared_readmes():
    if not SHARED_README.is_file():
        pytest.skip("../shared/targets/README.md is not beside the repository")
    text = SHARED_README.read_text(encoding="utf-8")
    table = set(re.findall(r"^\| ([a-z_]+) \|", text, flags=re.MULTILINE)) - {"metric"}
    assert table == set(METRICS)


def test_shipped_copy_of_nl_targets_is_current():
    assert SHIPPED_TARGETS.is_file()
    shipped = load_targets(SHIPPED_TARGETS)
    assert len(shipped) >= 6
    if SHARED_TARGETS.is_file():
        assert default_targets_path() == SHARED_TARGETS
        assert load_targets(SHARED_TARGETS) == shipped, (
            "tools/data/targets_nl.yaml is out of date: copy ../shared/targets/nl.yaml over it"
        )


def test_shipped_copy_of_who_cares_targets_is_current():
    assert SHIPPED_WHO_CARES.is_file()
    shipped = load_targets(SHIPPED_WHO_CARES)
    assert any(t.metric == "carer_relation_share" for t in shipped)
    if SHARED_WHO_CARES.is_file():
        assert default_targets_paths()[1] == SHARED_WHO_CARES
        assert load_targets(SHARED_WHO_CARES) == shipped, (
            "tools/data/targets_who_cares.yaml is out of date: copy ../shared/targets/who-cares.yaml over it"
        )


# -- measuring --------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def measured():
    """One small run (1,500 residents), measured over its second year."""
    return run_model(make_small_config({"population.size": 1500, "burn_in_weeks": 26}), years=2)


def test_every_metric_is_measured_in_0_1_with_and_without_filter(measured):
    _, rec = measured
    assert rec.weeks == 52
    for metric, spec in METRICS.items():
        cases = [_target(metric)]
        if spec.filter_applies_to is not None:
            cases += [_target(metric, 45, 64), _target(metric, min_age=65)]
        for target in cases:
            x = measure(rec, target)
            assert not math.isnan(x) and 0.0 <= x <= 1.0, (metric, target.band(), x)


def test_carer_relation_shares_follow_whom_carers_help(measured):
    _, rec = measured
    share = {
        r: measure(rec, _target("carer_relation_share", relation=r))
        for r in ("partner", "parent", "child", "other_family", "family", "friend_neighbour")
    }
    assert all(0.0 < x < 1.0 for x in share.values()), share
    # family is any of its four relations: at least the largest of them, at most their sum
    parts = [share[r] for r in ("partner", "parent", "child", "other_family")]
    assert max(parts) <= share["family"] <= sum(parts) + 1e-12, share
    # friend_neighbour counts the same carers as friends_neighbours_carer_share
    assert share["friend_neighbour"] == pytest.approx(measure(rec, _target("friends_neighbours_carer_share")))
    # carers who help no one of a relation fall outside it: family and friend_neighbour together cover every carer
    assert share["family"] + share["friend_neighbour"] >= 1.0 - 1e-12


def test_relation_filter_is_checked(tmp_path):
    bad = _write(tmp_path, _entry("carer_relation_share", extra="\n  filter: {relation: cousin}"))
    with pytest.raises(InputError, match="unknown relation 'cousin'.*Relations: partner, parent, child"):
        load_targets(bad)
    missing = _write(tmp_path, _entry("carer_relation_share", extra="\n  filter: {min_age: 18}"), "m.yaml")
    with pytest.raises(InputError, match="needs filter relation"):
        load_targets(missing)
    elsewhere = _write(tmp_path, _entry("gave_care_share", extra="\n  filter: {relation: parent}"), "e.yaml")
    with pytest.raises(InputError, match="applies only to metric carer_relation_share"):
        load_targets(elsewhere)


def test_filters_change_the_population_measured(measured):
    _, rec = measured
    assert measure(rec, _target("lonely_share", min_age=75)) != pytest.approx(measure(rec, _target("lonely_share")))
    assert measure(rec, _target("gave_care_share", 45, 64)) != pytest.approx(measure(rec, _target("gave_care_share")))
    assert measure(rec, _target("informal_share_of_care", min_age=75)) != pytest.approx(
        measure(rec, _target("informal_share_of_care"))
    )
    # An explicit filter replaces the default band of adults: min_age 0 counts children too.
    assert _target("lonely_share").band() == (18, 120)
    assert _target("lonely_share", max_age=17).band() == (0, 17)
    # The age bands of carers partition all carers.
    bands = [(0, 17), (18, 44), (45, 64), (65, None)]
    total = sum(measure(rec, _target("carer_age_share", lo, hi)) for lo, hi in bands)
    assert total == pytest.approx(1.0)


def test_measures_agree_with_the_models_own_indicators(measured):
    model, rec = measured
    year = model.yearly[1]
    assert measure(rec, _target("gave_care_share")) == pytest.approx(year["gave_care_share"])
    assert measure(rec, _target("friends_neighbours_carer_share")) == pytest.approx(
        year["friends_neighbours_carer_share"]
    )
    rows = [r for r in model.rows if r["year"] == 1]
    assert len(rows) == 52
    assert measure(rec, _target("lonely_share")) == pytest.approx(np.mean([r["lonely_share"] for r in rows]))
    assert measure(rec, _target("severely_lonely_share")) == pytest.approx(
        np.mean([r["severely_lonely_share"] for r in rows])
    )
    # The weekly indicator counts carers of every age; a filter from age 0 does the same.
    assert measure(rec, _target("heavily_burdened_share", min_age=0)) == pytest.approx(
        np.mean([r["heavily_burdened_share"] for r in rows])
    )
    informal = sum(r["informal_hours"] for r in rows)
    formal = sum(r["formal_hours"] for r in rows)
    assert measure(rec, _target("informal_share_of_care")) == pytest.approx(informal / (informal + formal))


# -- bad targets files -------------------------------------------------------------------------------------------


BAD_FILES = {
    "unknown_metric": (_entry("carer_happiness"), ["unknown metric 'carer_happiness'", *METRICS]),
    "near_miss_metric": (_entry("lonely_shares"), ["unknown metric 'lonely_shares'", "did you mean 'lonely_share'"]),
    "range_lo_above_hi": (_entry(rng="[0.4, 0.3]", value=0.35), ["range [0.4, 0.3]", "low end above its high end"]),
    "range_one_number": (_entry(rng="[0.3]"), ["range", "two numbers"]),
    "range_text": (_entry(rng="[low, high]"), ["range", "two numbers"]),
    "range_in_percent": (_entry(rng="[27, 37]", value=32), ["between 0 and 1"]),
    "value_outside_range": (_entry(rng="[0.1, 0.2]", value=0.5), ["outside its own range"]),
    "missing_source": ("- name: x\n  metric: lonely_share\n  value: 0.5\n  range: [0, 1]\n", ["missing field source"]),
    "unknown_field": (_entry(extra="\n  rnage: [0, 1]"), ["unknown field 'rnage'", "did you mean 'range'"]),
    "unknown_filter_key": (
        _entry(extra="\n  filter: {age_min: 18}"),
        ["unknown filter key 'age_min'", "min_age, max_age"],
    ),
    "filter_min_above_max": (
        _entry(extra="\n  filter: {min_age: 65, max_age: 18}"),
        ["min_age 65 is above max_age 18"],
    ),
    "filter_min_age_too_old": (_entry(extra="\n  filter: {min_age: 130}"), ["min_age 130 is above 120"]),
    "filter_fractional_age": (_entry(extra="\n  filter: {min_age: 17.5}"), ["whole number of years"]),
    "filter_on_family_share": (_entry("family_share", extra="\n  filter: {min_age: 65}"), ["takes no filter"]),
    "not_a_list": ("name: x\nmetric: lonely_share\n", ["yaml list of targets"]),
    "empty": ("", ["holds no targets"]),
    "broken_yaml": ("- name: x\n  metric: [lonely_share\n  value: 0.5\n", ["not valid yaml", "line"]),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_targets_files_are_refused_with_a_clear_message(tmp_path, case):
    text, needles = BAD_FILES[case]
    path = _write(tmp_path, text)
    with pytest.raises(InputError) as err:
        load_targets(path)
    message = str(err.value).lower()
    assert str(path).lower() in message
    for needle in needles:
        assert needle.lower() in message, (case, message)


def test_missing_and_unreadable_targets_files(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_targets(tmp_path / "nope.yaml")
    with pytest.raises(InputError, match="is a directory"):
        load_targets(tmp_path)
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\xff\xfe\x00\x81")
    with pytest.raises(InputError, match="not a text"):
        load_targets(binary)


def test_a_good_file_with_every_metric_and_filters_loads(tmp_path):
    text = "".join(_entry(m) for m in METRICS)
    text += _entry("lonely_share", extra="\n  filter: {min_age: 75}")
    text += _entry("carer_age_share", extra="\n  filter: {max_age: 44}")
    targets = load_targets(_write(tmp_path, text))
    assert [t.metric for t in targets[: len(METRICS)]] == list(METRICS)
    assert targets[-2].band() == (75, 120) and targets[-2].describe() == "lonely_share 75+"
    assert targets[-1].band() == (0, 44)
    assert targets[0].band() == (18, 120)
    assert next(t for t in targets if t.metric == "family_share").band() is None


# -- the command ------------------------------------------------------------------------------------------------------


def _run(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(args, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_command_exits_2_on_an_unknown_metric(tmp_path):
    path = _write(tmp_path, _entry("carer_happiness"))
    code, out, err = _run([f"targets={path}", *QUICK])
    assert code == 2
    assert err.startswith("samenkracht-calibrate: error: ")
    assert "carer_happiness" in err and "gave_care_share" in err and "Traceback" not in err
    assert out == ""


@pytest.mark.parametrize(
    "args, needle",
    [
        (["populaton.size=600"], "populaton"),
        (["population.size=abc"], "population.size"),
        (["seeds=0"], "seeds=0"),
        (["years=x"], "years=x"),
        (["-m", "seed=1,2"], "-m"),
        (["targets="], "targets="),
    ],
)
def test_command_exits_2_on_bad_overrides(args, needle):
    code, _, err = _run(args)
    assert code == 2, err
    assert err.startswith("samenkracht-calibrate: error: ") and needle in err


def test_command_exits_1_when_a_target_is_out_of_reach(tmp_path):
    text = _entry("lonely_share") + _entry("gave_care_share", rng="[0.99, 1.0]", value=0.995)
    code, out, err = _run([f"targets={_write(tmp_path, text)}", *QUICK])
    assert code == 1, err
    lines = out.splitlines()
    assert any(line.startswith("lonely_share target") and line.rstrip().endswith("yes") for line in lines), out
    assert any(line.startswith("gave_care_share target") and line.rstrip().endswith("NO") for line in lines), out
    assert "1 of 2 targets outside their ranges" in out and "below 0.99" in out


def test_command_exits_0_when_every_target_is_inside(tmp_path):
    text = "".join(_entry(m) for m in METRICS) + _entry("lonely_share", extra="\n  filter: {min_age: 65}")
    code, out, err = _run([f"targets={_write(tmp_path, text)}", *QUICK[:-2], "seeds=2", "years=1", "seed=3"])
    assert code == 0, out + err
    for header in ("target", "metric", "source", "range", "simulated", "inside"):
        assert header in out.splitlines()[3]
    assert "seeds 3–4" in out and "600 residents" in out
    assert "lonely_share 65+" in out
    assert f"All {len(METRICS) + 1} targets inside their ranges." in out
    assert re.search(r"0\.\d{3} ± 0\.\d{3}", out)


def test_help_exits_0():
    code, out, _ = _run(["--help"])
    assert code == 0 and "targets=PATH" in out and "seeds=N" in out


def test_installed_console_script_refuses_an_unknown_metric(tmp_path):
    script = Path(sys.executable).parent / "samenkracht-calibrate"
    if not (script.is_file() and os.access(script, os.X_OK)):
        found = shutil.which("samenkracht-calibrate")
        if found is None:
            pytest.skip("the samenkracht-calibrate console script is not installed (pip install -e .)")
        script = Path(found)
    path = _write(tmp_path, _entry("no_such_metric"))
    proc = subprocess.run(
        [str(script), f"targets={path}", *QUICK],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 2, proc.stderr
    assert "samenkracht-calibrate: error:" in proc.stderr and "no_such_metric" in proc.stderr
    assert "Traceback" not in proc.stderr


# -- the real check ---------------------------------------------------------------------------------------------------


#: Targets the model does not reach at default settings (10,000
#: residents, seeds 42–46, year 3), with the figures measured when they were listed. Each is a strict expected
#: failure: its test fails as soon as the model reaches the target (then take it off this list), and every other
#: target must stay inside.
#: The targets and their ranges are not edited to make the model pass.
KNOWN_GAPS_YEAR_3: dict[str, str] = {}

DEFAULT_TARGETS = load_all_targets(default_targets_paths())


def _target_params(gaps: dict[str, str]) -> list:
    return [
        pytest.param(
            t.name,
            id=t.name,
            marks=[pytest.mark.xfail(strict=True, reason=f"not reached yet: {gaps[t.name]}")] if t.name in gaps else [],
        )
        for t in DEFAULT_TARGETS
    ]


@pytest.fixture(scope="module")
def default_results() -> dict:
    """The baseline (10,000 residents, seeds 42–46, year 3) measured against nl.yaml and who-cares.yaml, as
    ``samenkracht-calibrate`` without arguments does."""
    results = calibrate(compose_config([]), DEFAULT_TARGETS)
    print(format_table(results))
    return {r.target.name: r for r in results}


def test_default_targets_come_from_both_files_and_known_gaps_name_targets():
    names = [t.name for t in DEFAULT_TARGETS]
    assert len(names) == len(set(names))
    assert set(KNOWN_GAPS_YEAR_3) <= set(names)
    files = [p.name for p in default_targets_paths()]
    assert any("nl" in f for f in files) and any(f.replace("_", "-").startswith("who-cares") for f in files), files


@pytest.mark.parametrize("name", _target_params(KNOWN_GAPS_YEAR_3))
def test_default_target_is_inside_its_range_at_default_settings(default_results, name):
    """Every target inside its range at the baseline, except the listed known gaps (strict xfail)."""
    r = default_results[name]
    t = r.target
    assert r.inside, f"{name}: simulated {r.mean:.4f} ± {r.sd:.4f}, range [{t.lo}, {t.hi}]"


#: As KNOWN_GAPS_YEAR_3, over year 20 (seeds 42–44): the targets the merged model does not reach there.
KNOWN_GAPS_YEAR_20: dict[str, str] = {}


@pytest.fixture(scope="module")
def year_20() -> tuple[dict, list[tuple[float, float]]]:
    """The baseline over 20 years (seeds 42–44): results by target name, and each run's family ties per resident
    aged 75+ at week 0 and at the end."""
    kin: list[tuple[float, float]] = []
    results = calibrate(compose_config([]), DEFAULT_TARGETS, seeds=3, years=20, kin=kin)
    print(format_table(results))
    return {r.target.name: r for r in results}, kin


def test_year_20_known_gaps_name_targets():
    assert set(KNOWN_GAPS_YEAR_20) <= {t.name for t in DEFAULT_TARGETS}


@pytest.mark.slow
@pytest.mark.parametrize("name", _target_params(KNOWN_GAPS_YEAR_20))
def test_default_target_is_inside_its_range_at_year_20(year_20, name):
    """Every target inside its range over year 20, except the listed known gaps (strict xfail)."""
    r = year_20[0][name]
    t = r.target
    assert r.inside, f"{name}: simulated {r.mean:.4f} ± {r.sd:.4f}, range [{t.lo}, {t.hi}]"


@pytest.mark.slow
def test_family_ties_of_residents_75_plus_steady_over_20_years(year_20):
    """The family ties of residents aged 75+ at year 20 within ±15% of week 0's (issue 14), mean over seeds."""
    kin = year_20[1]
    start, end = float(np.mean([k[0] for k in kin])), float(np.mean([k[1] for k in kin]))
    assert abs(end / start - 1) <= 0.15, (start, end)
