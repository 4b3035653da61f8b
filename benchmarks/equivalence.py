"""Statistical equivalence of two revisions of the model: is the new model the old model, statistically?

Issue 16 lets results change once, on purpose, with proof. This script gives
the proof: it runs the baseline and every scenario over the same seeds with
both revisions and compares

- the **levels**: each headline indicator's yearly value in the baseline, old
  against new (two independent samples of seeds);
- the **paired effects**: for every scenario, its per-seed difference from the
  baseline at the same seed (common random numbers), old against new;
- the **narrowing by common random numbers**: the SD of the difference between
  an action run and a baseline run at independent seeds, sqrt(var(a) + var(b)),
  over the SD of the paired differences sd(a − b), for each revision.

Each comparison gives the new − old difference with its 95% Welch interval,
Welch's two-sample p-value (scipy.stats.ttest_ind, equal_var=False) and an
equivalence test (TOST: two one-sided Welch t-tests against ±margin, α = 0.05,
which is the 90% interval lying inside ±margin). The margin, per indicator,
year and comparison, is

    margin = max(MARGIN_SD × pooled between-seed SD, MARGIN_REL × |old baseline level|)

(defaults 1.0 and 0.01, --margin-sd and --margin-rel): a difference smaller
than one seed-to-seed standard deviation of the quantity compared, or than 1%
of the indicator's level, whichever is larger. Why one SD: with 30 seeds a
revision that is the same model passes TOST at one SD with a chance of about
97% per test (at half an SD only about 20%); Welch's test beside it detects a
real shift of one SD with about the same chance. The floor keeps quantities
that do not vary between seeds (an action that leaves an indicator untouched:
SD 0) from needing an exact match.

Usage (from the project root; the runs go into --out, are kept, and a rerun
of the same command resumes where it stopped):

    python benchmarks/equivalence.py                        # old = where HEAD left main, new = the working tree
    python benchmarks/equivalence.py --old main --new HEAD --seeds 4 --size 2000 --years 3 --jobs 2
    python benchmarks/equivalence.py --new-overrides demography.fertility=2.5 ...   # a planted difference

A revision is a git commit (anything `git rev-parse` understands) or
``worktree`` (the files as they are now in this checkout). For a commit the
script makes a throw-away `git worktree` of it and imports the package from
there: a folder on PYTHONPATH holds a ``samenkracht`` package whose
subpackages are links to that tree's folders (as pyproject.toml maps them),
so it comes before the editable install of this checkout. Each revision runs
in its own subprocess through the project's own ``plan_runs``/``run_all``
(samenkracht.analysis.compare, as samenkracht-compare runs scenarios), with
--jobs processes; a finished run is never redone (each run directory is
complete only once its manifest is written, atomically).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

#: The default "old" revision: the commit where this branch left main (``git merge-base HEAD main``), the model
#: as it was before the branch's changes, even after main has moved on.
OLD_DEFAULT = "merge-base"
#: The headline indicators of issue 16 (columns of summary.csv).
INDICATORS: tuple[str, ...] = (
    "carrying_capacity",
    "heavily_burdened_share",
    "unmet_hours",
    "isolated_share",
    "severely_lonely_share",
    "gave_care_share",
    "family_share",
)
REFERENCE = "baseline"
ALPHA = 0.05
MARGIN_SD = 1.0
MARGIN_REL = 0.01
#: Relative size below which a standard deviation is rounding error (the same numbers reached two ways).
DUST = 1e-9
WORKTREE = "worktree"
REPO = Path(__file__).resolve().parent.parent


def fail(message: str) -> None:
    print(f"equivalence.py: error: {message}", file=sys.stderr)
    sys.exit(2)


# -- statistics ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Test:
    """Old against new for one quantity: means, the difference new − old, Welch's test and TOST at ``margin``."""

    n_old: int
    n_new: int
    old_mean: float
    new_mean: float
    diff: float
    ci_low: float
    ci_high: float
    welch_p: float
    margin: float
    tost_p: float
    identical: bool

    @property
    def equivalent(self) -> bool:
        return self.tost_p < ALPHA


def _clean(x: Sequence[float] | np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    return x[~np.isnan(x)]


def pooled_sd(old: Sequence[float], new: Sequence[float]) -> float:
    """sqrt of the mean of the two samples' variances (ddof 1): the between-seed SD the margin is counted in."""
    a, b = _clean(old), _clean(new)
    if a.size < 2 or b.size < 2:
        return math.nan
    return math.sqrt((a.var(ddof=1) + b.var(ddof=1)) / 2)


def margin_for(old: Sequence[float], new: Sequence[float], level: float, k_sd: float, rel: float) -> float:
    """The equivalence margin: ``k_sd`` pooled SDs, or ``rel`` × |level| when that is larger."""
    sd = pooled_sd(old, new)
    return max(k_sd * (0.0 if math.isnan(sd) else sd), rel * abs(level) if math.isfinite(level) else 0.0)


def compare_samples(old: Sequence[float], new: Sequence[float], margin: float, level: float = 0.95) -> Test:
    """Welch's test of new against old and TOST (two one-sided Welch t-tests) against ±``margin``.

    The samples are taken as independent (different revisions draw different
    numbers); where they share random streams Welch's standard error is too
    large, which makes both tests conservative. When neither sample varies the
    tests are exact: equal means give p = 1 (Welch) and equivalence whenever
    |difference| < margin (a standard error below DUST × the means counts as none).
    """
    from scipy import stats

    a, b = _clean(old), _clean(new)
    if a.size < 2 or b.size < 2:
        raise ValueError(f"need at least 2 values in each sample (old {a.size}, new {b.size})")
    diff = float(b.mean() - a.mean())
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    se = math.sqrt(va + vb)
    identical = a.shape == b.shape and bool(np.array_equal(np.sort(a), np.sort(b)))
    if se <= DUST * max(abs(float(a.mean())), abs(float(b.mean())), margin):  # neither varies but for rounding
        welch_p = 1.0 if diff == 0 else 0.0
        tost_p = 0.0 if abs(diff) < margin else 1.0
        lo = hi = diff
    else:
        df = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
        half = float(stats.t.ppf(0.5 + level / 2, df)) * se
        lo, hi = diff - half, diff + half
        with warnings.catch_warnings():  # nearly equal values (an effect of a few residents): the tests still hold
            warnings.simplefilter("ignore", RuntimeWarning)
            welch_p = float(stats.ttest_ind(b, a, equal_var=False).pvalue)
            # H0: diff <= -margin against diff > -margin, and H0: diff >= margin against diff < margin.
            p_low = float(stats.ttest_ind(b, a - margin, equal_var=False, alternative="greater").pvalue)
            p_high = float(stats.ttest_ind(b, a + margin, equal_var=False, alternative="less").pvalue)
        tost_p = max(p_low, p_high)
    return Test(a.size, b.size, float(a.mean()), float(b.mean()), diff, lo, hi, welch_p, margin, tost_p, identical)


def tost_chances(seeds: int, k_sd: float) -> tuple[float, float]:
    """With ``seeds`` seeds a side and a margin of ``k_sd`` SDs (normal approximation, t quantiles at the Welch df
    of equal variances): the chance that TOST passes when nothing changed, and that Welch's test rejects equality
    when the means differ by one margin."""
    from scipy import stats

    se = math.sqrt(2 / seeds)  # SD of the difference of two means, in between-seed SDs
    df = 2 * seeds - 2
    t_one, t_two = float(stats.t.ppf(1 - ALPHA, df)), float(stats.t.ppf(1 - ALPHA / 2, df))
    room = k_sd / se - t_one
    pass_chance = max(0.0, 2 * float(stats.norm.cdf(room)) - 1)
    power = float(stats.norm.cdf(k_sd / se - t_two) + stats.norm.cdf(-k_sd / se - t_two))
    return pass_chance, power


def narrowing(action: Sequence[float], reference: Sequence[float]) -> float:
    """How much pairing by seed narrows a difference: sqrt(var(a) + var(b)) ÷ sd(a − b) (seeds matched).

    ∞ when the paired differences do not vary (and the unpaired do), NaN when neither varies.
    """
    a, r = np.asarray(action, dtype=float), np.asarray(reference, dtype=float)
    keep = ~(np.isnan(a) | np.isnan(r))
    a, r = a[keep], r[keep]
    if a.size < 2:
        return math.nan
    unpaired = math.sqrt(a.var(ddof=1) + r.var(ddof=1))
    paired = float((a - r).std(ddof=1))
    if paired <= DUST * unpaired:  # the same values but for rounding (an action that leaves them untouched)
        return math.inf if unpaired > 0 else math.nan
    return unpaired / paired


# -- revisions -------------------------------------------------------------------------------------------------------


def git(*args: str, cwd: Path = REPO) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)}: {proc.stderr.strip()}")
    return proc.stdout.strip()


def package_dirs(tree: Path) -> dict[str, str]:
    """samenkracht's subpackages and their folders in ``tree``, from its pyproject.toml."""
    with open(tree / "pyproject.toml", "rb") as f:
        mapping = tomllib.load(f)["tool"]["setuptools"]["package-dir"]
    return {name.split(".", 1)[1]: folder for name, folder in mapping.items() if name.count(".") == 1}


def worktree_digest(tree: Path) -> str:
    """A digest of the package's files as they are in ``tree`` (HEAD, changes and new files), for the cache key."""
    folders = [*package_dirs(tree).values(), "pyproject.toml"]
    h = hashlib.sha1()
    for folder in folders:  # the committed content (git's object ids), so a commit elsewhere keeps the key
        h.update(git("rev-parse", f"HEAD:{folder}", cwd=tree).encode())
    h.update(git("diff", "HEAD", "--binary", "--", *folders, cwd=tree).encode())
    for name in sorted(git("ls-files", "--others", "--exclude-standard", "--", *folders, cwd=tree).splitlines()):
        h.update(name.encode())
        h.update((tree / name).read_bytes())
    return h.hexdigest()[:12]


@dataclass
class Revision:
    """One side of the comparison: a commit (in a throw-away worktree) or this checkout's working tree."""

    label: str  # "old" or "new"
    rev: str  # as given
    overrides: list[str]
    sha: str = ""
    tree: Path = REPO
    made_worktree: bool = False
    key: str = ""
    described: str = ""
    runs: dict[tuple[str, int], Path] = field(default_factory=dict)

    def describe(self) -> str:
        if self.described:
            return self.described
        if self.rev == WORKTREE:
            folders = [*package_dirs(self.tree).values(), "pyproject.toml"]
            changed = git("status", "--porcelain", "--", *folders, cwd=self.tree)
            code = f"working tree at {git('rev-parse', '--short=12', 'HEAD', cwd=self.tree)}"
            code += " with uncommitted changes" if changed else ""
        else:
            code = self.sha[:12] + (" (where HEAD left main)" if self.rev == OLD_DEFAULT else "")
        return code + (f", overrides {' '.join(self.overrides)}" if self.overrides else "")


def prepare(rev: Revision, common: list[str], scratch: Path) -> None:
    """Resolve the revision, make its worktree if it is a commit, and its cache key (code and overrides)."""
    if rev.rev == WORKTREE:
        rev.tree, code = REPO, f"wt-{worktree_digest(REPO)}"
    else:
        try:
            if rev.rev == OLD_DEFAULT:
                rev.sha = git("merge-base", "HEAD", "main")
            else:
                rev.sha = git("rev-parse", "--verify", f"{rev.rev}^{{commit}}")
        except RuntimeError:
            fail(f"--{rev.label} {rev.rev}: not a git revision of {REPO} (give a commit, a branch or 'worktree').")
        code = rev.sha[:12]
        rev.tree = scratch / f"tree-{rev.sha[:12]}"
        if not (rev.tree / "pyproject.toml").is_file():
            if rev.tree.exists():
                shutil.rmtree(rev.tree)
            git("worktree", "add", "--detach", "--force", str(rev.tree), rev.sha)
            rev.made_worktree = True
    settings = hashlib.sha1(json.dumps([*common, *rev.overrides]).encode()).hexdigest()[:8]
    rev.key = f"{code}-{settings}"
    rev.described = rev.describe()  # as the code is now, before the runs


def shim(tree: Path, dest: Path) -> Path:
    """A folder to put first on PYTHONPATH so that ``import samenkracht.X`` imports ``tree``'s code."""
    pkg = dest / "samenkracht"
    if pkg.exists():
        shutil.rmtree(pkg)
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text('"""samenkracht from another tree (benchmarks/equivalence.py)."""\n')
    for sub, folder in package_dirs(tree).items():
        (pkg / sub).symlink_to((tree / folder).resolve(), target_is_directory=True)
    return dest


def scenarios_of(tree: Path) -> list[str]:
    conf = tree / package_dirs(tree).get("conf", "conf") / "scenario"
    return sorted(p.stem for p in conf.glob("*.yaml"))


def run_revision(
    rev: Revision, scenarios: list[str], seeds: list[int], common: list[str], out: Path, jobs: int, check: bool = False
) -> None:
    """Run every scenario at every seed with ``rev``'s code in a subprocess; fill ``rev.runs``.

    ``check``: only compose and check every run's configuration (bad overrides end the command, exit 2, before
    an hour of runs)."""
    run_root = out / "runs" / rev.key
    run_root.mkdir(parents=True, exist_ok=True)
    path = shim(rev.tree, out / "shims" / rev.key)
    job = {
        "label": rev.label,
        "tree": str(rev.tree.resolve()),
        "scenarios": scenarios,
        "seeds": seeds,
        "overrides": [*common, *rev.overrides],
        "out": str(run_root),
        "jobs": jobs,
        "check": check,
    }
    (run_root / "settings.json").write_text(json.dumps({**job, "revision": rev.describe()}, indent=1) + "\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(path), *filter(None, [os.environ.get("PYTHONPATH")])])}
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, os.path.abspath(__file__), "--worker", json.dumps(job)], env=env)
    if proc.returncode == 2:  # bad input (an override the revision does not know): its message is above
        sys.exit(2)
    if proc.returncode != 0:
        raise SystemExit(f"the {rev.label} revision's runs failed (exit status {proc.returncode}); rerun to resume")
    if check:
        return
    listing = json.loads((run_root / "runs.json").read_text())
    rev.runs = {(r["arm"], int(r["seed"])): Path(r["run_dir"]) for r in listing}
    print(f"{rev.label}: {len(rev.runs)} runs ready in {time.perf_counter() - start:.0f} s ({run_root})", flush=True)


def worker(job_json: str) -> None:
    """In the subprocess: run the scenarios with the code found first on sys.path (the shim)."""
    import logging

    job = json.loads(job_json)
    import samenkracht.sim

    found = Path(samenkracht.sim.__file__).resolve()
    if not found.is_relative_to(Path(job["tree"])):
        raise SystemExit(f"imported samenkracht.sim from {found}, not from {job['tree']}")
    from samenkracht.analysis.compare import plan_runs, run_all
    from samenkracht.sim.errors import InputError
    from samenkracht.tools.overrides import CONF_DIR, open_actions

    logging.getLogger("MESA").setLevel(logging.WARNING)
    out = Path(job["out"])
    try:
        specs = plan_runs(job["scenarios"], job["seeds"], open_actions(job["overrides"]), out, Path(CONF_DIR))
    except InputError as err:
        print(f"equivalence.py ({job['label']}): error: {err}", file=sys.stderr)
        sys.exit(2)
    if job.get("check"):
        return
    failures = run_all(specs, job["jobs"], label=f"{job['label']}: runs done")
    for run_dir, error in failures.items():
        print(f"{job['label']}: run failed: {run_dir}: {error}", file=sys.stderr)
    if failures:
        sys.exit(1)
    listing = [{"arm": s.arm, "seed": s.seed, "run_dir": str(s.run_dir)} for s in specs]
    tmp = out / "runs.json.tmp"
    tmp.write_text(json.dumps(listing) + "\n")
    tmp.replace(out / "runs.json")


# -- the comparison --------------------------------------------------------------------------------------------------


def read_runs(rev: Revision) -> Any:
    """One row per run and year (years from 1): arm, seed, year and the indicators."""
    import pandas as pd

    frames = []
    for (arm, seed), run_dir in rev.runs.items():
        summary = pd.read_csv(run_dir / "summary.csv")
        missing = [c for c in INDICATORS if c not in summary.columns]
        if missing:
            raise SystemExit(f"{run_dir}/summary.csv has no column {', '.join(missing)}")
        frame = summary[["year", *INDICATORS]].copy()
        frame["year"] = frame["year"].astype(int) + 1
        frame.insert(0, "seed", seed)
        frame.insert(0, "arm", arm)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def with_all_years(frame: Any) -> Any:
    """Add, per run, the mean of its yearly values as year "all"."""
    import pandas as pd

    pooled = frame.groupby(["arm", "seed"], sort=False)[list(INDICATORS)].mean().reset_index()
    pooled["year"] = "all"
    out = frame.copy()
    out["year"] = out["year"].astype(object)
    return pd.concat([out, pooled[out.columns]], ignore_index=True)


def values(frame: Any, arm: str, year: Any, indicator: str) -> Any:
    """The values of ``indicator`` at ``year`` for ``arm``, indexed by seed."""
    rows = frame[(frame["arm"] == arm) & (frame["year"] == year)]
    return rows.set_index("seed")[indicator].sort_index()


def analyse(old: Any, new: Any, arms: list[str], k_sd: float, rel: float) -> tuple[Any, Any, Any]:
    """Levels (the reference), paired effects (every other arm) and CRN narrowing: three long tables."""
    import pandas as pd

    old, new = with_all_years(old), with_all_years(new)
    years = [y for y in old["year"].unique() if y in set(new["year"].unique())]
    levels, effects, crn = [], [], []
    for year in years:
        for ind in INDICATORS:
            o_ref, n_ref = values(old, REFERENCE, year, ind), values(new, REFERENCE, year, ind)
            level = float(o_ref.mean())
            t = compare_samples(o_ref, n_ref, margin_for(o_ref, n_ref, level, k_sd, rel))
            levels.append({"arm": REFERENCE, "year": year, "indicator": ind, **vars(t), "equivalent": t.equivalent})
            for arm in arms:
                if arm == REFERENCE:
                    continue
                o_arm, n_arm = values(old, arm, year, ind), values(new, arm, year, ind)
                o_eff = (o_arm - o_ref).dropna()
                n_eff = (n_arm - n_ref).dropna()
                t = compare_samples(o_eff, n_eff, margin_for(o_eff, n_eff, level, k_sd, rel))
                effects.append({"arm": arm, "year": year, "indicator": ind, **vars(t), "equivalent": t.equivalent})
                o_j, n_j = o_arm.align(o_ref, join="inner"), n_arm.align(n_ref, join="inner")
                crn.append(
                    {
                        "arm": arm,
                        "year": year,
                        "indicator": ind,
                        "old_narrowing": narrowing(*o_j),
                        "new_narrowing": narrowing(*n_j),
                    }
                )
    return pd.DataFrame(levels), pd.DataFrame(effects), pd.DataFrame(crn)


def _g(x: float) -> str:
    if not math.isfinite(x):
        return "—" if math.isnan(x) else ("∞" if x > 0 else "−∞")
    if x == 0:
        return "0"
    return f"{x:.4g}" if 1e-3 <= abs(x) < 1e5 else f"{x:.3g}"


def _p(p: float) -> str:
    return "—" if math.isnan(p) else ("< 0.001" if p < 0.001 else f"{p:.3f}")


def _year_counts(table: Any, keys: Sequence[str]) -> dict[tuple, tuple[int, int, int]]:
    """Per key: years tested, years TOST-equivalent, years with Welch p < α (the single years, not "all")."""
    single = table[table["year"] != "all"]
    out = {}
    for key, group in single.groupby(list(keys), sort=False):
        key = key if isinstance(key, tuple) else (key,)
        out[key] = (len(group), int(group["equivalent"].sum()), int((group["welch_p"] < ALPHA).sum()))
    return out


def _row(t: Any, counts: tuple[int, int, int]) -> str:
    verdict = "identical" if t["identical"] else ("equivalent" if t["equivalent"] else "**not shown equivalent**")
    return (
        f"{_g(t['old_mean'])} | {_g(t['new_mean'])} | {_g(t['diff'])} [{_g(t['ci_low'])}, {_g(t['ci_high'])}] | "
        f"{_p(t['welch_p'])} | {_g(t['margin'])} | {_p(t['tost_p'])} | {verdict} | "
        f"{counts[1]}/{counts[0]} | {counts[2]}/{counts[0]} |"
    )


def _median(x: Any) -> float:
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    return float(np.median(x)) if x.size else math.nan


def markdown(levels: Any, effects: Any, crn: Any, header: dict[str, Any]) -> str:
    """The report: setup, levels, paired effects, CRN narrowing, and a count of the verdicts."""
    pass_chance, power = tost_chances(header["seeds"], header["margin_sd"])
    years_run = [y for y in levels["year"].unique() if y != "all"]
    last = max(years_run)
    lines = [
        f"### Equivalence of {header['old']} (old) and {header['new']} (new)",
        "",
        f"{header['seeds']} seeds × {len(header['arms'])} scenarios, {header['size']:,} residents, "
        f"{header['years']} years; {header['when']}, load average {header['load']}. "
        f"Runs: `{header['out']}`. Command: `{header['command']}`.",
        "",
        f"Each row compares the mean over seeds of years 1–{last} (each run's yearly values averaged; "
        "year by year in the CSV files). Difference = new − old with its 95% Welch interval; Welch p: "
        "two-sample t-test (unequal variances); TOST p: two one-sided Welch t-tests against ± margin "
        f"(equivalent when below {ALPHA}, i.e. the 90% interval inside ± margin). "
        f"**Margin = max({header['margin_sd']:g} × pooled between-seed SD of the quantity compared, "
        f"{header['margin_rel']:g} × |old baseline level|)**: {header['margin_sd']:g} seed-to-seed standard "
        f"deviation(s), or {100 * header['margin_rel']:g}% of the level where the quantity hardly varies between "
        f"seeds. With {header['seeds']} seeds a model that did not change passes this TOST with a chance of "
        f"about {100 * pass_chance:.0f}% per test, and Welch's test detects a shift of one margin with a chance "
        f"of about {100 * power:.0f}%. 'years eq.': single years equivalent by TOST; 'years p<0.05': single "
        "years where Welch's test rejects equality (about 5% of them by chance alone when nothing changed). Shares are "
        "fractions (0–1); unmet hours are hours a week.",
        "",
        "#### Levels: the baseline",
        "",
        "| indicator | old mean | new mean | new − old [95% CI] | Welch p | margin | TOST p | verdict | "
        "years eq. | years p<0.05 |",
        "|---|---:|---:|---|---:|---:|---:|---|---:|---:|",
    ]
    lc = _year_counts(levels, ["indicator"])
    for _, t in levels[levels["year"] == "all"].iterrows():
        lines.append(f"| {t['indicator']} | " + _row(t, lc[(t["indicator"],)]))
    if len(effects) == 0:  # the baseline alone (--scenarios baseline): levels only
        return "\n".join([*lines, "", "(No scenario besides the baseline: no paired effects.)", ""])
    lines += [
        "",
        "#### Paired effects: each scenario − baseline at the same seed",
        "",
        "| scenario | indicator | old effect | new effect | new − old [95% CI] | Welch p | margin | TOST p | "
        "verdict | years eq. | years p<0.05 |",
        "|---|---|---:|---:|---|---:|---:|---:|---|---:|---:|",
    ]
    ec = _year_counts(effects, ["arm", "indicator"])
    pooled_effects = effects[effects["year"] == "all"]
    order = {arm: i for i, arm in enumerate(header["arms"])}
    pooled_effects = pooled_effects.sort_values("arm", key=lambda s: s.map(order), kind="stable")
    for _, t in pooled_effects.iterrows():
        lines.append(f"| {t['arm']} | {t['indicator']} | " + _row(t, ec[(t["arm"], t["indicator"])]))
    lines += [
        "",
        "#### Common random numbers: how much pairing by seed narrows the differences",
        "",
        "sqrt(var(action) + var(baseline)) ÷ sd(action − baseline), seeds matched: the SD of a difference "
        "between independent seeds over that of the paired difference (for intervals of the same level, "
        "their width ratio). Median over the indicators (∞, an indicator the scenario leaves untouched, "
        f"left out); year {last} as samenkracht-compare reports it, and the runs' mean over all years.",
        "",
        f"| scenario | old, year {last} | new, year {last} | old, all years | new, all years | new ÷ old (all) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for arm, group in crn.groupby("arm", sort=False):
        at_last, pooled = group[group["year"] == last], group[group["year"] == "all"]
        o, n = _median(pooled["old_narrowing"]), _median(pooled["new_narrowing"])
        lines.append(
            f"| {arm} | {_g(_median(at_last['old_narrowing']))} | {_g(_median(at_last['new_narrowing']))} | "
            f"{_g(o)} | {_g(n)} | {_g(n / o) if o and math.isfinite(o) else '—'} |"
        )
    pooled = crn[crn["year"] == "all"]
    lines.append(
        f"| **all scenarios** | {_g(_median(crn[crn['year'] == last]['old_narrowing']))} | "
        f"{_g(_median(crn[crn['year'] == last]['new_narrowing']))} | {_g(_median(pooled['old_narrowing']))} | "
        f"{_g(_median(pooled['new_narrowing']))} | "
        f"{_g(_median(pooled['new_narrowing']) / _median(pooled['old_narrowing']))} |"
    )
    single_l, single_e = levels[levels["year"] != "all"], effects[effects["year"] != "all"]
    all_l, all_e = levels[levels["year"] == "all"], effects[effects["year"] == "all"]
    n_single = len(single_l) + len(single_e)
    n_rej = int((single_l["welch_p"] < ALPHA).sum() + (single_e["welch_p"] < ALPHA).sum())
    lines += [
        "",
        f"**Verdicts.** Over all years: {int(all_l['equivalent'].sum())} of {len(all_l)} levels and "
        f"{int(all_e['equivalent'].sum())} of {len(all_e)} paired effects equivalent by TOST "
        f"({int(all_l['identical'].sum() + all_e['identical'].sum())} identical); "
        f"Welch p < {ALPHA} in {int((all_l['welch_p'] < ALPHA).sum() + (all_e['welch_p'] < ALPHA).sum())} of "
        f"{len(all_l) + len(all_e)}. Single years: {int(single_l['equivalent'].sum() + single_e['equivalent'].sum())}"
        f" of {n_single} equivalent; Welch p < {ALPHA} in {n_rej} of {n_single} "
        f"(about {ALPHA * n_single:.0f} expected by chance alone if nothing changed; the years of one run are "
        "correlated, so such rejections come in runs of years).",
        "",
    ]
    return "\n".join(lines)


# -- the command -----------------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--old",
        default=OLD_DEFAULT,
        help=f"old revision (a commit, or '{WORKTREE}'); default: the merge base of HEAD and main, where this "
        "branch left main",
    )
    parser.add_argument("--new", default=WORKTREE, help=f"new revision (default '{WORKTREE}': this checkout's files)")
    parser.add_argument("--seeds", type=int, default=30, help="seeds 1..N (default 30)")
    parser.add_argument("--size", type=int, default=10_000, help="residents (default 10,000)")
    parser.add_argument("--years", type=int, default=10, help="simulated years (default 10)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="runs in parallel processes")
    parser.add_argument("--out", type=Path, default=REPO / "outputs" / "equivalence", help="runs and reports")
    parser.add_argument("--scenarios", nargs="+", help="scenarios to compare (default: every one both revisions have)")
    parser.add_argument("--overrides", nargs="*", default=[], help="model overrides for both revisions (key=value)")
    parser.add_argument("--old-overrides", nargs="*", default=[], help="model overrides for the old revision only")
    parser.add_argument("--new-overrides", nargs="*", default=[], help="model overrides for the new revision only")
    parser.add_argument("--margin-sd", type=float, default=MARGIN_SD, help="margin in pooled between-seed SDs")
    parser.add_argument("--margin-rel", type=float, default=MARGIN_REL, help="margin floor, × |old baseline level|")
    parser.add_argument("--keep-worktrees", action="store_true", help="keep the throw-away worktrees of commits")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker)
        return
    if args.seeds < 2:
        fail(f"--seeds {args.seeds}: give 2 or more (tests need two values a side; the issue asks for 30).")
    if args.size < 1 or args.years < 1 or args.jobs < 1:
        fail("--size, --years and --jobs must be 1 or more.")
    if args.margin_sd < 0 or args.margin_rel < 0:
        fail("--margin-sd and --margin-rel must be 0 or more.")
    for item in [*args.overrides, *args.old_overrides, *args.new_overrides]:
        if "=" not in item:
            fail(f"override '{item}': write key=value, e.g. demography.fertility=2.5.")
    common = [f"population.size={args.size}", f"years={args.years}", *args.overrides]
    out: Path = args.out.resolve()
    scratch = Path(tempfile.gettempdir()) / "samenkracht-equivalence"
    scratch.mkdir(parents=True, exist_ok=True)
    old = Revision("old", args.old, list(args.old_overrides))
    new = Revision("new", args.new, list(args.new_overrides))
    try:
        for rev in (old, new):
            prepare(rev, common, scratch)
        available = [s for s in scenarios_of(old.tree) if s in set(scenarios_of(new.tree))]
        if REFERENCE not in available:
            fail(f"both revisions need a scenario '{REFERENCE}' (conf/scenario/{REFERENCE}.yaml).")
        wanted = args.scenarios or available
        unknown = [s for s in wanted if s not in available]
        if unknown:
            fail(f"--scenarios: {', '.join(unknown)} not in both revisions. Available: {', '.join(available)}.")
        arms = [REFERENCE, *[s for s in wanted if s != REFERENCE]]
        seeds = list(range(1, args.seeds + 1))
        load = os.getloadavg()
        print(
            f"old: {old.describe()}\nnew: {new.describe()}\n{len(arms)} scenarios × {len(seeds)} seeds × 2 "
            f"revisions at {args.size:,} residents, {args.years} year(s), {args.jobs} jobs; runs in {out / 'runs'}",
            flush=True,
        )
        for rev in (old, new):
            run_revision(rev, arms, seeds, common, out, args.jobs, check=True)
        for rev in (old, new):
            run_revision(rev, arms, seeds, common, out, args.jobs)
    finally:
        for rev in (old, new):
            if rev.sha and not args.keep_worktrees and rev.tree.exists() and rev.tree != REPO:
                git("worktree", "remove", "--force", str(rev.tree))
    levels, effects, crn = analyse(read_runs(old), read_runs(new), arms, args.margin_sd, args.margin_rel)
    load_end = os.getloadavg()
    header = {
        "old": f"`{old.describe()}`",
        "new": f"`{new.describe()}`",
        "seeds": args.seeds,
        "arms": arms,
        "size": args.size,
        "years": args.years,
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "load": f"{load[0]:.2f} at the start, {load_end[0]:.2f} at the end",
        "out": out,
        "command": " ".join(["python benchmarks/equivalence.py", *(sys.argv[1:] if argv is None else argv)]),
        "margin_sd": args.margin_sd,
        "margin_rel": args.margin_rel,
    }
    text = markdown(levels, effects, crn, header)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"{old.key}_vs_{new.key}"
    levels.to_csv(out / f"{stem}_levels.csv", index=False)
    effects.to_csv(out / f"{stem}_effects.csv", index=False)
    crn.to_csv(out / f"{stem}_crn.csv", index=False)
    (out / f"{stem}.md").write_text(text)
    print("\n" + text)
    print(f"Written: {out / (stem + '.md')} and {stem}_{{levels,effects,crn}}.csv beside it")


if __name__ == "__main__":
    main()
