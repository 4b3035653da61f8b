"""Global sensitivity analysis with SALib: Morris screening and Sobol indices, their rankings and bar plots.

The designs (which parameter values to run) and the indices computed from the
runs' indicators live here; running the model for each design point is
tools/sensitivity.py's job. Both methods work on the unit scale of each
parameter's range, so a parameter ranks high because the indicator responds to
it over the range given, not because of its unit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

#: Confidence level of the bootstrap intervals, and the number of bootstrap resamples.
CONF_LEVEL = 0.95
RESAMPLES = 1000


def problem(params: Mapping[str, Sequence[float]]) -> dict:
    """SALib's problem definition: parameter names (dotted config keys) and their [lo, hi] ranges."""
    return {
        "num_vars": len(params),
        "names": list(params),
        "bounds": [[float(lo), float(hi)] for lo, hi in params.values()],
    }


def morris_design(prob: dict, trajectories: int, levels: int, seed: int) -> np.ndarray:
    """Morris trajectories: ``trajectories × (parameters + 1)`` points, one parameter changed per step."""
    from SALib.sample import morris

    return morris.sample(prob, trajectories, num_levels=levels, seed=seed)


def sobol_design(prob: dict, n: int, second_order: bool, seed: int) -> np.ndarray:
    """Saltelli's scheme on a scrambled Sobol' sequence.

    ``n × (parameters + 2)`` points, or ``n × (2 × parameters + 2)`` with second order.
    """
    from SALib.sample import sobol

    return sobol.sample(prob, n, calc_second_order=second_order, seed=seed)


def morris_indices(
    prob: dict, x: np.ndarray, outputs: Mapping[str, np.ndarray], levels: int, seed: int
) -> pd.DataFrame:
    """Morris indices per indicator: mu (signed mean effect), mu_star (mean absolute effect), sigma (spread).

    mu_star ranks the parameters: a large mu_star means the indicator moves
    much when the parameter moves across its range; a large sigma next to it
    means the effect depends on the other parameters (interaction or non-linearity).
    """
    from SALib.analyze import morris

    frames = []
    for indicator, y in outputs.items():
        res = morris.analyze(
            prob,
            x,
            np.asarray(y, dtype=float),
            num_resamples=RESAMPLES,
            conf_level=CONF_LEVEL,
            num_levels=levels,
            seed=seed,
        )
        df = pd.DataFrame(
            {
                "indicator": indicator,
                "parameter": prob["names"],
                "mu": np.asarray(res["mu"], dtype=float),
                "mu_star": np.asarray(res["mu_star"], dtype=float),
                "mu_star_conf": np.asarray(res["mu_star_conf"], dtype=float),
                "sigma": np.asarray(res["sigma"], dtype=float),
            }
        )
        frames.append(_ranked(df, "mu_star"))
    return pd.concat(frames, ignore_index=True)


def sobol_indices(
    prob: dict, outputs: Mapping[str, np.ndarray], second_order: bool, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Sobol indices per indicator: S1 (first order) and ST (total order) with confidence half-widths.

    S1 is the share of the indicator's variance due to the parameter alone,
    ST the share in which it has a hand, interactions included. An indicator
    that did not vary at all gets NaN indices. Returns (S1/ST table, S2 table
    or None).
    """
    from SALib.analyze import sobol

    frames, pairs = [], []
    names = prob["names"]
    for indicator, y in outputs.items():
        y = np.asarray(y, dtype=float)
        if np.ptp(y) == 0:
            nan = np.full(len(names), np.nan)
            res = {"S1": nan, "S1_conf": nan, "ST": nan, "ST_conf": nan}
        else:
            res = sobol.analyze(
                prob, y, calc_second_order=second_order, num_resamples=RESAMPLES, conf_level=CONF_LEVEL, seed=seed
            )
        df = pd.DataFrame(
            {
                "indicator": indicator,
                "parameter": names,
                "S1": np.asarray(res["S1"], dtype=float),
                "S1_conf": np.asarray(res["S1_conf"], dtype=float),
                "ST": np.asarray(res["ST"], dtype=float),
                "ST_conf": np.asarray(res["ST_conf"], dtype=float),
            }
        )
        frames.append(_ranked(df, "ST"))
        if second_order and "S2" in res:
            for i in range(len(names)):
                for j in range(i + 1, len(names)):
                    pairs.append(
                        {
                            "indicator": indicator,
                            "parameter_1": names[i],
                            "parameter_2": names[j],
                            "S2": float(res["S2"][i, j]),
                            "S2_conf": float(res["S2_conf"][i, j]),
                        }
                    )
    return pd.concat(frames, ignore_index=True), (pd.DataFrame(pairs) if second_order else None)


def _ranked(df: pd.DataFrame, by: str) -> pd.DataFrame:
    df = df.sort_values(by, ascending=False, kind="stable", na_position="last").reset_index(drop=True)
    df.insert(2, "rank", np.arange(1, len(df) + 1))
    return df


def ranking_text(morris: pd.DataFrame | None, sobol: pd.DataFrame | None, header: Mapping[str, str]) -> str:
    """The rankings as text, one block per method and indicator, most influential parameter first."""
    lines: list[str] = []
    if morris is not None:
        lines.append(header["morris"])
        for indicator, df in morris.groupby("indicator", sort=False):
            lines.append(f"  {indicator}")
            width = max(len(p) for p in df["parameter"])
            for row in df.itertuples():
                lines.append(
                    f"    {row.rank:>2}. {row.parameter:<{width}}  mu* {_g(row.mu_star)} ± {_g(row.mu_star_conf)}"
                    f"   mu {_g(row.mu)}   sigma {_g(row.sigma)}"
                )
    if sobol is not None:
        lines.append(header["sobol"])
        for indicator, df in sobol.groupby("indicator", sort=False):
            lines.append(f"  {indicator}")
            if df["ST"].isna().all():
                lines.append("    (the indicator did not vary: no indices)")
                continue
            width = max(len(p) for p in df["parameter"])
            for row in df.itertuples():
                lines.append(
                    f"    {row.rank:>2}. {row.parameter:<{width}}  ST {row.ST:6.3f} ± {row.ST_conf:.3f}"
                    f"   S1 {row.S1:6.3f} ± {row.S1_conf:.3f}"
                )
    return "\n".join(lines)


def _g(x: float) -> str:
    return f"{x:>9.4g}"


def plot_morris(df: pd.DataFrame, path: Path) -> None:
    """One panel per indicator: mu_star as bars with their confidence interval, sigma as dots."""
    indicators = list(dict.fromkeys(df["indicator"]))
    n_params = df["parameter"].nunique()
    fig, axes = plt.subplots(
        len(indicators), 1, figsize=(8, 0.5 + (0.45 * n_params + 0.9) * len(indicators)), squeeze=False
    )
    for ax, indicator in zip(axes[:, 0], indicators):
        d = df[df["indicator"] == indicator].iloc[::-1]
        pos = np.arange(len(d))
        ax.barh(pos, d["mu_star"], xerr=d["mu_star_conf"], color="C0", alpha=0.8, capsize=3, label="mu* (95% CI)")
        ax.plot(d["sigma"], pos, "o", color="C3", label="sigma")
        ax.set_yticks(pos, d["parameter"])
        ax.set_title(f"Morris screening — {indicator}", fontsize=11)
        ax.set_xlabel(f"elementary effect on {indicator} over the parameter's range")
        ax.grid(axis="x", alpha=0.3)
        ax.set_xlim(left=0)
    axes[0, 0].legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110, format="png")
    plt.close(fig)


def plot_sobol(df: pd.DataFrame, path: Path) -> None:
    """One panel per indicator: first-order (S1) and total-order (ST) indices side by side, with intervals."""
    indicators = list(dict.fromkeys(df["indicator"]))
    n_params = df["parameter"].nunique()
    fig, axes = plt.subplots(
        len(indicators), 1, figsize=(8, 0.5 + (0.55 * n_params + 0.9) * len(indicators)), squeeze=False
    )
    for ax, indicator in zip(axes[:, 0], indicators):
        d = df[df["indicator"] == indicator].iloc[::-1]
        pos = np.arange(len(d))
        ax.barh(
            pos + 0.2,
            d["ST"].fillna(0),
            height=0.4,
            xerr=d["ST_conf"].fillna(0),
            color="C1",
            capsize=3,
            label="ST, total order",
        )
        ax.barh(
            pos - 0.2,
            d["S1"].fillna(0),
            height=0.4,
            xerr=d["S1_conf"].fillna(0),
            color="C0",
            capsize=3,
            label="S1, first order",
        )
        ax.set_yticks(pos, d["parameter"])
        ax.set_title(f"Sobol indices — {indicator}", fontsize=11)
        ax.set_xlabel("share of the indicator's variance")
        ax.axvline(0, color="0.3", linewidth=0.8)
        ax.grid(axis="x", alpha=0.3)
    axes[0, 0].legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110, format="png")
    plt.close(fig)
