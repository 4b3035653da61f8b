"""Scenario comparison (samenkracht-compare) and run collection (samenkracht-collect).

One small comparison runs once per module (baseline, respite_care and baseline
again as an A/A check; 3 seeds, 400 residents in 3 wijken, 2 years) and is reported in
Dutch; the same command again with lang=en and per_wijk=true resumes it (no
run is redone) and reports in English. The tests check the report's numbers
against a hand computation from the runs' summary.csv files.
"""

from __future__ import annotations

import base64
import json
import math
import os
import re
import shutil
import subprocess
import sys
from html import escape as html_escape
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from samenkracht.analysis import compare_cli
from samenkracht.analysis.collect import IncompleteRunWarning, collect
from samenkracht.analysis.collect import main as collect_main
from samenkracht.analysis.compare import (
    EFFECTS,
    HEADLINE_INDICATORS,
    LAYER_INDICATORS,
    WIJK_INDICATORS,
    compare,
    t_interval,
)
from samenkracht.analysis.cost_benefit import TEXT as COST_BENEFIT_TEXT
from samenkracht.analysis.report import cost_verdict, render_html
from samenkracht.analysis.texts import TEXT, value
from samenkracht.sim.indicator_table import indicator
from samenkracht.tools.progress import Progress

SEEDS = [1, 2, 3]
YEARS = 2
ARMS = ["baseline", "respite_care", "baseline_2"]
MODEL_ARGS = ["population.size=400", "population.wijken=3", f"years={YEARS}", "burn_in_weeks=4"]
BASE_ARGS = ["scenarios=baseline,respite_care,baseline", f"seeds={len(SEEDS)}", *MODEL_ARGS]


def _run_main(args: list[str]) -> None:
    compare_cli.main(args)


def _mtimes(out: Path) -> dict[str, int]:
    return {str(p): p.stat().st_mtime_ns for p in sorted((out / "runs").glob("*/*/manifest.json"))}


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory) -> Path:
    """A comparison run in Dutch: 3 scenarios (one named twice) × 3 seeds."""
    out = tmp_path_factory.mktemp("compare") / "cmp"
    _run_main([*BASE_ARGS, f"out={out}"])
    return out


@pytest.fixture(scope="module")
def english(out_dir) -> dict:
    """The same command with lang=en and per_wijk=true: resumes (redoes no run) and reports in English."""
    en = out_dir.parent / "en"
    shutil.copytree(out_dir, en)
    before = _mtimes(en)
    _run_main([*BASE_ARGS, f"out={en}", "lang=en", "per_wijk=true"])
    return {"out": en, "before": before, "after": _mtimes(en)}


def _summary(out: Path, arm: str, seed: int) -> pd.DataFrame:
    return pd.read_csv(out / "runs" / arm / f"seed_{seed}" / "summary.csv")


def _hand(out: Path, arm: str, indicator: str, year: int) -> np.ndarray:
    """The indicator's values over the seeds in one (1-based) year, read straight from summary.csv."""
    return np.array([_summary(out, arm, s).loc[lambda d: d["year"] == year - 1, indicator].item() for s in SEEDS])


def _t(x: np.ndarray) -> tuple[float, float, float]:
    m = x.mean()
    half = stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x))
    return m, m - half, m + half


# -- the numbers -----------------------------------------------------------------------------------------------------


def test_every_run_written_with_hydra_files(out_dir):
    for arm in ARMS:
        for seed in SEEDS:
            run = out_dir / "runs" / arm / f"seed_{seed}"
            for name in (
                "manifest.json",
                "summary.csv",
                "indicators.parquet",
                "wijken.parquet",
                ".hydra/config.yaml",
                ".hydra/overrides.yaml",
            ):
                assert (run / name).is_file(), run / name
            assert json.loads((run / "manifest.json").read_text())["seed"] == seed


def test_headline_means_and_intervals_equal_hand_computation(out_dir):
    table = pd.read_csv(out_dir / "headline.csv")
    assert set(table["year"]) == {1, 2}  # default at_years: middle and last
    assert len(table) == len(ARMS) * 2 * len(HEADLINE_INDICATORS)
    for _, row in table.iterrows():
        x = _hand(out_dir, row["arm"], row["indicator"], row["year"])
        m, lo, hi = _t(x)
        assert row["n"] == len(SEEDS)
        assert row["mean"] == pytest.approx(m, rel=1e-12, abs=1e-12)
        assert row["ci_low"] == pytest.approx(lo, rel=1e-9, abs=1e-12)
        assert row["ci_high"] == pytest.approx(hi, rel=1e-9, abs=1e-12)


def test_paired_differences_equal_hand_computation(out_dir):
    table = pd.read_csv(out_dir / "differences.csv")
    rows = table[table["arm"] == "respite_care"]
    assert len(rows) == 2 * len(HEADLINE_INDICATORS)
    for _, row in rows.iterrows():
        x = _hand(out_dir, "respite_care", row["indicator"], row["year"])
        r = _hand(out_dir, "baseline", row["indicator"], row["year"])
        m, lo, hi = _t(x - r)
        assert row["reference"] == "baseline" and row["n_pairs"] == len(SEEDS)
        assert row["mean"] == pytest.approx(m, rel=1e-9, abs=1e-12)
        assert row["ci_low"] == pytest.approx(lo, rel=1e-9, abs=1e-12)
        assert row["ci_high"] == pytest.approx(hi, rel=1e-9, abs=1e-12)
        if x.std() > 0 and r.std() > 0:  # Welch's interval, checked with scipy's own
            ci = stats.ttest_ind(x, r, equal_var=False).confidence_interval(0.95)
            assert row["unpaired_ci_low"] == pytest.approx(ci.low, rel=1e-9)
            assert row["unpaired_ci_high"] == pytest.approx(ci.high, rel=1e-9)
            if hi > lo:
                assert row["narrowing"] == pytest.approx((ci.high - ci.low) / (hi - lo), rel=1e-9)


def test_common_random_numbers_narrow_the_intervals(out_dir):
    table = pd.read_csv(out_dir / "differences.csv")
    rows = table[(table["arm"] == "respite_care") & (table["year"] == YEARS)]
    assert rows["narrowing"].median() > 1


def test_scenario_compared_with_itself_has_zero_effect_and_zero_width(out_dir):
    table = pd.read_csv(out_dir / "differences.csv")
    rows = table[table["arm"] == "baseline_2"]
    assert len(rows) == 2 * len(HEADLINE_INDICATORS)
    assert (rows["mean"] == 0).all() and (rows["ci_low"] == 0).all() and (rows["ci_high"] == 0).all()
    # With independent seeds the same comparison would have an interval of nonzero width around zero.
    assert (rows["unpaired_ci_low"] <= 0).all() and (rows["unpaired_ci_high"] >= 0).all()
    cost = pd.read_csv(out_dir / "cost_per_effect.csv")
    assert (cost.loc[cost["arm"] == "baseline_2", "status"] == "no_effect").all()


def test_self_comparison_with_independent_seeds_contains_zero(out_dir):
    """Baseline at seeds 1–3 against baseline at other seeds: no pairing, the interval contains zero."""
    rows = []
    for arm, offset in (("a", 0), ("b", 1)):
        for seed in SEEDS:
            s = _summary(out_dir, "baseline", (seed + offset - 1) % len(SEEDS) + 1).assign(arm=arm, seed=seed)
            rows.append(s)
    frame = pd.concat(rows).assign(year=lambda d: d["year"] + 1)
    cmp = compare(frame, ["a", "b"], "a")
    diff = cmp.differences
    assert ((diff["ci_low"] <= 1e-9) & (diff["ci_high"] >= -1e-9)).all()


def test_cost_per_effect_equals_hand_computation(out_dir):
    cost = pd.read_csv(out_dir / "cost_per_effect.csv")
    rows = cost[cost["arm"] == "respite_care"]
    assert len(rows) == 2 * len(EFFECTS)
    for _, row in rows.iterrows():
        year = row["year"]
        extra = (
            _hand(out_dir, "respite_care", "municipal_cost_eur", year)
            - _hand(out_dir, "baseline", "municipal_cost_eur", year)
        ).mean()
        effect = next(e for e in EFFECTS if e.indicator == row["effect"])
        d = _hand(out_dir, "respite_care", effect.indicator, year) - _hand(out_dir, "baseline", effect.indicator, year)
        sign = 1 if indicator(effect.indicator).better == "higher" else -1
        m, lo, hi = _t(sign * effect.scale * d)
        assert row["extra_cost_eur_per_year"] == pytest.approx(extra, rel=1e-9)
        assert row["improvement"] == pytest.approx(m, rel=1e-9, abs=1e-12)
        expected = "improvement" if lo > 0 else ("worse" if hi < 0 else "no_effect")
        assert row["status"] == expected
        said = {"improvement": "cost_per_effect", "worse": "costlier_and_worse", "no_effect": "no_effect"}[expected]
        assert row["verdict"] == said  # respite care costs money (below)
        if expected == "improvement":
            assert row["cost_per_unit_eur"] == pytest.approx(extra / m, rel=1e-9)
        else:
            assert math.isnan(row["cost_per_unit_eur"])
    assert (rows["extra_cost_eur_per_year"] > 0).all()  # respite care costs money


def test_report_shows_the_hand_computed_means(out_dir):
    html = (out_dir / "report.html").read_text()
    for arm in ARMS:
        for column in HEADLINE_INDICATORS:
            for year in (1, 2):
                mean = _hand(out_dir, arm, column, year).mean()
                assert value(mean, column, "nl") in html, (arm, column, year)


def test_t_interval_of_equal_values_has_zero_width():
    assert t_interval([2.5, 2.5, 2.5])[1:] == (0.0, 2.5, 2.5)
    assert all(math.isnan(v) for v in t_interval([1.0])[1:])


# -- the report ------------------------------------------------------------------------------------------------------


def _images(html: str) -> list[bytes]:
    return [base64.b64decode(m) for m in re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)]


def _check_report(out: Path, lang: str, per_wijk: bool) -> None:
    html = (out / "report.html").read_text(encoding="utf-8")
    assert f'<html lang="{lang}">' in html
    headings = re.findall(r"<h2>(.*?)</h2>", html)
    wanted = [
        "h_setup",
        "h_headline",
        "h_differences",
        "h_cost",
        "h_plots",
        *(["h_wijken"] if per_wijk else []),
        "h_method",
    ]
    words = {**TEXT[lang], "h_cost_benefit": COST_BENEFIT_TEXT[lang]["title"]}
    wanted.insert(wanted.index("h_cost") + 1, "h_cost_benefit")
    assert headings == [html_escape(words[k]) for k in wanted]
    images = _images(html)
    figures = sorted((out / "figures").glob("*.png"))
    n_plots = 2 + (len(WIJK_INDICATORS) if per_wijk else 0)
    assert len(images) == n_plots
    assert sorted(images) == sorted(p.read_bytes() for p in figures)
    assert all(png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000 for png in images)
    for name in (
        "headline.csv",
        "differences.csv",
        "cost_per_effect.csv",
        "yearly.csv",
        "yearly_differences.csv",
        "cost_benefit.csv",
    ):
        assert (out / name).is_file() and name in html
    assert "<script" not in html and "src=\"http" not in html  # self-contained


def test_dutch_report_has_every_section_and_plot(out_dir):
    _check_report(out_dir, "nl", per_wijk=False)
    html = (out_dir / "report.html").read_text(encoding="utf-8")
    assert TEXT["nl"]["no_effect"] in html and "Zwaarbelaste mantelzorgers" in html


def test_english_report_has_every_section_and_plot(english):
    _check_report(english["out"], "en", per_wijk=True)
    html = (english["out"] / "report.html").read_text(encoding="utf-8")
    assert "Heavily burdened carers" in html and "Zwaarbelaste" not in html
    wijk = pd.read_csv(english["out"] / "wijk_differences.csv")
    assert wijk["wijk_name"].nunique() == 3
    assert (wijk.loc[wijk["arm"] == "baseline_2", ["mean", "ci_low", "ci_high"]] == 0).all().all()


def test_rerun_resumes_without_redoing_runs(english):
    assert english["before"] and english["after"] == english["before"]


def test_finished_runs_of_other_settings_are_refused(out_dir, capsys):
    with pytest.raises(SystemExit) as exit_info:
        _run_main(
            [
                "scenarios=baseline,respite_care",
                "seeds=3",
                "population.size=600",
                "years=2",
                "burn_in_weeks=4",
                f"out={out_dir}",
            ]
        )
    assert exit_info.value.code == 2
    assert "other settings" in capsys.readouterr().err


def test_reading_the_runs_gives_the_same_comparison(out_dir):
    opts, overrides = compare_cli.parse_args([f"runs={out_dir / 'runs'}"])
    frame, _, arms, reference, _, _ = compare_cli.from_runs(opts, overrides)
    assert reference == "baseline" and sorted(arms) == sorted(ARMS)  # a scenario run twice: told apart by order
    cmp = compare(frame, ["baseline", "respite_care", "baseline_2"], reference)
    again = cmp.at(cmp.differences).reset_index(drop=True)
    before = pd.read_csv(out_dir / "differences.csv")
    pd.testing.assert_frame_equal(again[before.columns], before, check_dtype=False, rtol=1e-12)


# -- the tidy dataset ------------------------------------------------------------------------------------------------


def test_compare_writes_tidy_dataset(out_dir):
    df = pd.read_parquet(out_dir / "runs.parquet")
    assert len(df) == len(ARMS) * len(SEEDS) * YEARS
    assert df.groupby("run_dir").size().eq(YEARS).all()
    assert {"run_dir", "arm", "scenario", "seed", "population.size", "burn_in_weeks", "year"} <= set(df.columns)
    assert (df["population.size"] == 400).all()


SWEEP = [(arm, level, seed) for arm in ("baseline", "respite_care") for level in (1.0, 1.5) for seed in (1, 2)]


def _fake_multirun(out_dir: Path, root: Path) -> Path:
    """A multirun-like tree: 8 finished runs (2 scenarios × a swept parameter × 2 seeds), one that never finished."""
    sweep = root / "multirun" / "2026-01-01" / "10-00-00"
    for i, (arm, level, seed) in enumerate(SWEEP):
        run = sweep / f"{i}_seed={seed}"
        shutil.copytree(out_dir / "runs" / arm / f"seed_{seed}", run)
        (run / ".hydra" / "overrides.yaml").write_text(
            f"- seed={seed}\n- scenario={arm}\n- wijkteam.fte_per_1000={level}\n- population.size=500\n"
            f"- scenario.actions.x.wijken=[wijk_1,3]\n"
        )
    broken = sweep / "8_seed=3"
    shutil.copytree(out_dir / "runs" / "baseline" / "seed_3", broken)
    (broken / "manifest.json").unlink()
    (sweep / "multirun.yaml").write_text("{}\n")
    return sweep


def test_collect_multirun_tree_skips_incomplete_run(out_dir, tmp_path, capsys):
    sweep = _fake_multirun(out_dir, tmp_path)
    with pytest.warns(IncompleteRunWarning, match="8_seed=3"):
        df = collect([sweep.parent.parent])
    assert df["run_dir"].nunique() == len(SWEEP) and len(df) == len(SWEEP) * YEARS
    assert not df["run_dir"].str.contains("8_seed=3").any()
    assert df["wijkteam.fte_per_1000"].tolist() == [level for _, level, _ in SWEEP for _ in range(YEARS)]
    assert df["seed"].tolist() == [seed for _, _, seed in SWEEP for _ in range(YEARS)]
    assert df["scenario"].tolist() == [arm for arm, _, _ in SWEEP for _ in range(YEARS)]
    assert df["scenario.actions.x.wijken"].iloc[0] == '["wijk_1", 3]'
    assert (df["population.size"] == 500).all()

    out = tmp_path / "tidy.parquet"
    collect_main([str(sweep), f"out={out}"])
    captured = capsys.readouterr()
    assert "warning" in captured.err and "8_seed=3" in captured.err
    back = pd.read_parquet(out)
    assert len(back) == len(SWEEP) * YEARS
    assert back["wijkteam.fte_per_1000"].dtype.kind == "f"
    assert sorted(back["year"].unique()) == list(range(YEARS))
    assert not list(tmp_path.rglob("*.tmp"))


def test_tidy_dataset_reads_with_duckdb(out_dir, tmp_path):
    duckdb = pytest.importorskip("duckdb")
    path = out_dir / "runs.parquet"
    n = duckdb.sql(f"select count(*) from read_parquet('{path}')").fetchall()[0][0]
    assert n == len(ARMS) * len(SEEDS) * YEARS


def test_tidy_dataset_reads_with_polars(out_dir):
    pl = pytest.importorskip("polars")
    df = pl.read_parquet(out_dir / "runs.parquet")
    assert df.height == len(ARMS) * len(SEEDS) * YEARS and "population.size" in df.columns


def test_compare_reads_a_sweep_and_labels_its_arms(out_dir, tmp_path, capsys):
    sweep = _fake_multirun(out_dir, tmp_path)
    opts, overrides = compare_cli.parse_args([f"runs={sweep}"])
    frame, _, arms, reference, _, _ = compare_cli.from_runs(opts, overrides)
    assert "skipped" in capsys.readouterr().err
    # Within each scenario the swept parameter differs between runs, so it names the arms.
    assert arms == [
        f"{arm} [wijkteam.fte_per_1000={level}]" for arm in ("baseline", "respite_care") for level in (1.0, 1.5)
    ]
    assert reference == arms[0] and len(frame) == len(SWEEP) * YEARS


# -- bad input -------------------------------------------------------------------------------------------------------


BAD = {
    "unknown_scenario": (["scenarios=baseline,nonexistent", "seeds=2"], ["nonexistent", "respite_care"]),
    "one_scenario": (["scenarios=respite_care", "seeds=2"], ["at least two"]),
    "no_scenarios": (["seeds=2"], ["scenarios="]),
    "one_seed": (["scenarios=baseline,respite_care", "seeds=1"], ["at least 2"]),
    "seed_list_of_one": (["scenarios=baseline,respite_care", "seeds=[4]"], ["at least 2"]),
    "bad_seeds": (["scenarios=baseline,respite_care", "seeds=many"], ["whole number"]),
    "bad_lang": (["scenarios=baseline,respite_care", "lang=fr"], ["lang=nl", "lang=en"]),
    "bad_jobs": (["scenarios=baseline,respite_care", "jobs=0"], ["jobs"]),
    "unknown_key": (["scenarios=baseline,respite_care", "populaton.size=5"], ["population"]),
    "misspelt_option": (["scenaros=baseline,respite_care"], ["scenarios"]),
    "out_of_range": (["scenarios=baseline,respite_care", "population.size=-5"], ["population.size"]),
    "scenario_singular": (["scenario=respite_care"], ["scenarios="]),
    "seed_singular": (["scenarios=baseline,respite_care", "seed=3"], ["seeds="]),
    "year_beyond": (["scenarios=baseline,respite_care", "years=2", "at_years=[5]"], ["at_years"]),
    "missing_runs": (["runs=/nonexistent/runs"], ["/nonexistent/runs"]),
    "multirun_flag": (["-m", "scenarios=baseline,respite_care"], ["-m"]),
    "hydra_setting": (["scenarios=baseline,respite_care", "hydra.run.dir=x"], ["out=dir"]),
    "overrides_with_runs": (["runs=.", "population.size=500"], ["only when running"]),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_exits_2_with_a_message(case, tmp_path, capsys):
    args, words = BAD[case]
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exit_info:
        _run_main([*args, f"out={out}"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("samenkracht-compare: error: ") and "Traceback" not in err
    for word in words:
        assert word.lower() in err.lower(), (word, err)
    assert not out.exists()


def test_console_scripts_refuse_bad_input():
    bindir = Path(sys.executable).parent
    compare_script, collect_script = bindir / "samenkracht-compare", bindir / "samenkracht-collect"
    if not (compare_script.is_file() and collect_script.is_file()):
        pytest.skip("console scripts not installed (pip install -e .)")
    env = {**os.environ, "MPLBACKEND": "Agg"}
    env.pop("HYDRA_FULL_ERROR", None)
    procs = [
        subprocess.Popen([str(script), arg], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        for script, arg in ((compare_script, "scenarios=baseline"), (collect_script, "/nonexistent/multirun"))
    ]
    for proc, prog in zip(procs, ("samenkracht-compare", "samenkracht-collect")):
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 2 and err.startswith(f"{prog}: error:") and "Traceback" not in err, err


# -- progress --------------------------------------------------------------------------------------------------------


class _Tty:
    def __init__(self) -> None:
        self.text = ""

    def isatty(self) -> bool:
        return True

    def write(self, s: str) -> None:
        self.text += s

    def flush(self) -> None:
        pass


def test_progress_shows_runs_done_and_time_left_only_on_a_terminal():
    import io

    quiet = io.StringIO()
    with Progress(4, "runs", stream=quiet) as p:
        for _ in range(4):
            p.advance()
    assert quiet.getvalue() == ""
    tty = _Tty()
    with Progress(4, "runs", stream=tty) as p:
        for _ in range(4):
            p.advance()
    assert "runs: 4/4 (100%)" in tty.text and "left" in tty.text


# -- slow ------------------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_results_do_not_depend_on_jobs(out_dir, tmp_path):
    out = tmp_path / "parallel"
    _run_main([*BASE_ARGS, f"out={out}", "jobs=2"])
    for name in ("headline.csv", "differences.csv", "cost_per_effect.csv"):
        pd.testing.assert_frame_equal(pd.read_csv(out / name), pd.read_csv(out_dir / name), check_exact=True)


# -- where the hours come from, and what cost and effect say together ------------------------------------------------


def test_hours_by_layer_table_gives_paired_differences_per_layer_and_unmet(out_dir):
    """layer_differences.csv: for each arm against the reference, the paired difference of every layer's hours and
    of the unmet hours, equal to a hand computation; the layers and unmet add up to the difference in care asked
    (hours are conserved); the report shows the table."""
    table = pd.read_csv(out_dir / "layer_differences.csv")
    rows = table[table["arm"] == "respite_care"]
    assert set(rows["indicator"]) == set(LAYER_INDICATORS)
    assert {"household_hours", "professionals_hours", "volunteers_hours", "unmet_hours"} <= set(LAYER_INDICATORS)
    for _, row in rows.iterrows():
        d = _hand(out_dir, "respite_care", row["indicator"], row["year"]) - _hand(
            out_dir, "baseline", row["indicator"], row["year"]
        )
        m, lo, hi = _t(d)
        assert row["mean"] == pytest.approx(m, rel=1e-9, abs=1e-9)
        assert row["ci_low"] == pytest.approx(lo, rel=1e-9, abs=1e-9)
        assert row["ci_high"] == pytest.approx(hi, rel=1e-9, abs=1e-9)
    for year in (1, 2):
        total = rows.loc[rows["year"] == year, "mean"].sum()
        need = (
            _hand(out_dir, "respite_care", "need_hours", year) - _hand(out_dir, "baseline", "need_hours", year)
        ).mean()
        assert total == pytest.approx(need, abs=1e-3)  # summary.csv rounds each figure
    html = (out_dir / "report.html").read_text(encoding="utf-8")
    assert TEXT["nl"]["h_layers"].format(year=YEARS) in html and "layer_differences.csv" in html


def _frame(effects: dict[str, tuple[float, float]]) -> pd.DataFrame:
    """A comparison's input made by hand: a reference and arms whose extra cost (€ a year) and effect on unmet
    hours (hours a week; negative is better) are given, 4 seeds with a little noise, one year."""
    rows = []
    noise = (0.0, 0.1, -0.1, 0.05)
    for seed, e in enumerate(noise, start=1):
        base = {"carrying_capacity": 0.7, "unmet_hours": 300.0, "municipal_cost_eur": 1e6}
        rows.append({"arm": "reference", "seed": seed, "year": 1, **base})
        for arm, (cost, unmet) in effects.items():
            rows.append(
                {
                    "arm": arm,
                    "seed": seed,
                    "year": 1,
                    "carrying_capacity": 0.7 - unmet / 3000.0 * (1 + e),
                    "unmet_hours": 300.0 + unmet * (1 + e),
                    "municipal_cost_eur": 1e6 + cost * (1 + e),
                }
            )
    return pd.DataFrame(rows)


ARMS_BY_VERDICT = {
    "cheaper_and_better": (-20_000.0, -10.0),
    "cost_per_effect": (50_000.0, -10.0),
    "saving_per_effect": (-30_000.0, 10.0),
    "costlier_and_worse": (40_000.0, 10.0),
    "no_effect": (40_000.0, 0.0),
}


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_cost_and_effect_read_as_a_council_member_understands_them(lang):
    """Less money and less unmet need: 'cheaper and better', no cost per effect; more money and more unmet need:
    'more expensive and worse'; a cost per unit only where cost and effect move the usual way (more money, better;
    less money, worse: a saving per unit lost); never a negative cost per unit. Better follows the indicator's
    direction: lower unmet need and higher carrying capacity are both better."""
    cmp = compare(_frame(ARMS_BY_VERDICT), ["reference", *ARMS_BY_VERDICT], "reference")
    cost = cmp.cost
    for effect in ("unmet_hours", "carrying_capacity"):
        rows = cost[cost["effect"] == effect].set_index("arm")
        assert rows["verdict"].to_dict() == {arm: arm for arm in ARMS_BY_VERDICT}, effect
        per_unit = rows["cost_per_unit_eur"]
        assert per_unit[["cost_per_effect", "saving_per_effect"]].gt(0).all()
        assert per_unit[["cheaper_and_better", "costlier_and_worse", "no_effect"]].isna().all()
    unmet = cost[cost["effect"] == "unmet_hours"].set_index("arm")
    assert unmet.loc["cost_per_effect", "cost_per_unit_eur"] == pytest.approx(5_000.0)
    assert unmet.loc["saving_per_effect", "cost_per_unit_eur"] == pytest.approx(3_000.0)
    words = {arm: cost_verdict(unmet.loc[arm], lang) for arm in ARMS_BY_VERDICT}
    expected = {
        "nl": {"cheaper_and_better": "goedkoper én beter", "costlier_and_worse": "duurder én slechter"},
        "en": {"cheaper_and_better": "cheaper and better", "costlier_and_worse": "more expensive and worse"},
    }[lang]
    for arm, text in expected.items():
        assert words[arm] == text
    assert words["cost_per_effect"].startswith("€ 5") and "−" not in words["cost_per_effect"]
    assert "3" in words["saving_per_effect"] and "−" not in words["saving_per_effect"]
    assert words["no_effect"] == TEXT[lang]["no_effect"]
    html = render_html(cmp, lang, {}, [])
    for text in expected.values():
        assert text in html
    section = html.split('id="cost"')[1].split("</section>")[0]
    last_cells = re.findall(r"<td class=\"num(?: sig)?\">([^<]*)</td></tr>", section)
    assert len(last_cells) == len(ARMS_BY_VERDICT) * 2  # two effects in the frame
    assert not any("−" in cell for cell in last_cells), last_cells


def test_cost_benefit_table_of_the_comparison_balances_and_reads_the_runs(out_dir):
    table = pd.read_csv(out_dir / "cost_benefit.csv", dtype={"period": str})
    assert set(table["arm"]) == {"respite_care", "baseline_2"}
    money = table[table["unit"] == "eur"]
    for _, rows in money.groupby(["arm", "period"]):
        by = rows.set_index(["payer", "item"])["mean"]
        payers = sum(by[(p, "total")] for p in ("municipality", "health_insurer", "wlz", "carers"))
        assert payers == pytest.approx(by[("total", "net_social_benefit")], abs=1e-6)
    aa = table[table["arm"] == "baseline_2"]
    assert (aa[["mean", "ci_low", "ci_high"]] == 0).all().all()  # the A/A check gains nothing
    actions = money[(money["arm"] == "respite_care") & (money["item"] == "actions") & (money["period"] == "1")]
    spent = [_summary(out_dir, "respite_care", s).loc[0, "cost_respite_care_eur"] for s in SEEDS]
    assert actions["mean"].item() == pytest.approx(-float(np.mean(spent)))


def test_each_report_describes_the_scenarios_in_its_own_language(out_dir, english):
    dutch = (out_dir / "report.html").read_text(encoding="utf-8")
    english_html = (english["out"] / "report.html").read_text(encoding="utf-8")
    assert "Het huidige beleid, zonder extra acties van de gemeente." in dutch
    assert "Today&#x27;s policy" not in dutch and "Today's policy" not in dutch
    assert "Today&#x27;s policy, no extra municipal actions." in english_html
    assert "Het huidige beleid" not in english_html
