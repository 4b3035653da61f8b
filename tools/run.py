"""The `samenkracht` command: compose the Hydra config, build the model, run it, write the outputs.

Bad input (an unknown key, a wrong type, a value out of range, a broken graph
file, an unknown scenario or action) ends with a message naming the problem,
exit status 2, and no run directory left behind.
"""

from __future__ import annotations

import logging
import shutil
import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from samenkracht.analysis.formatting import number, percent
from samenkracht.sim.errors import InputError
from samenkracht.sim.indicator_table import indicator
from samenkracht.tools.config_store import register_configs, to_sim_config
from samenkracht.tools.overrides import CONF_DIR

#: The indicators of the last simulated year that the command prints (words and units from the indicator table).
HEADLINES: tuple[str, ...] = (
    "carrying_capacity",
    "heavily_burdened_share",
    "unmet_hours",
    "isolated_share",
    "severely_lonely_share",
    "municipal_cost_eur",
)


def headline_label(column: str) -> str:
    """A headline's words: the indicator's English name, with the unit of its yearly value unless a percentage."""
    words = indicator(column).en
    name = words.name[:1].lower() + words.name[1:]
    return name if indicator(column).percent else f"{name}, {words.yearly_unit}"


def headline_value(column: str, value: float) -> str:
    """A headline's figure: a percentage with one decimal, else a whole number with grouped thousands."""
    return percent(value, 1) if indicator(column).percent else number(value, 0)


def fail(message: str, run_dir: Path | None = None) -> None:
    """Print a user-facing error, remove the unfinished run directory, exit 2."""
    print(f"samenkracht: error: {message}", file=sys.stderr)
    if run_dir is not None and run_dir.is_dir() and not (run_dir / "manifest.json").exists():
        shutil.rmtree(run_dir, ignore_errors=True)
    sys.exit(2)


def sweep_position(argv: list[str] | None = None) -> str | None:
    """'run 4 of 12' for a job of a multirun (the total from the sweep on the command line), else None.

    Hydra numbers the jobs of a sweep; the total is the product of the lengths
    of the swept overrides on the command line. Where the command line cannot
    be read (a launcher's worker process), only the job's number is given.
    """
    from hydra.types import RunMode

    hydra_cfg = HydraConfig.get()
    if hydra_cfg.mode != RunMode.MULTIRUN:
        return None
    number = int(hydra_cfg.job.num) + 1
    total = sweep_total(sys.argv[1:] if argv is None else argv)
    return f"run {number} of {total}" if total is not None and total >= number else f"run {number}"


def sweep_total(args: list[str]) -> int | None:
    """Number of runs the sweep on a command line makes (product of the swept overrides' lengths), or None
    where the arguments are not Hydra overrides."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    try:
        overrides = OverridesParser.create().parse_overrides([a for a in args if not a.startswith("-")])
        total = 1
        for override in overrides:
            if override.is_sweep_override():
                total *= len(list(override.sweep_string_iterator()))
    except Exception:  # a launcher worker's own command line, or text Hydra would not parse
        return None
    return total


def run_job(cfg: DictConfig) -> dict:
    """Run one configured simulation into Hydra's output directory; return its manifest.

    A directory that already holds a complete run of the same configuration
    (a sweep started again) is left as it is; the leftovers of an unfinished
    run are removed and the run starts afresh.
    """
    from samenkracht.sim.time import WEEKS_PER_YEAR
    from samenkracht.tools.outputs import clear_unfinished, completed_run, config_hash, simulate
    from samenkracht.tools.progress import Progress

    logging.getLogger("MESA").setLevel(logging.WARNING)
    out_dir = Path(HydraConfig.get().runtime.output_dir)
    try:
        config = to_sim_config(cfg)
    except InputError as err:
        fail(str(err), out_dir)
    digest = config_hash(config)
    done = completed_run(out_dir, digest)
    if done is not None:
        print(f"already complete: {out_dir}")
        return done
    leftovers = clear_unfinished(out_dir)
    if leftovers:
        print(
            f"{out_dir}: removed the outputs of an unfinished or differently configured run "
            f"({', '.join(leftovers)}); running it again"
        )
    label = f"{config.scenario.name} seed {config.seed}"
    position = sweep_position()
    with Progress(config.years * WEEKS_PER_YEAR, f"{position}: {label}" if position else label) as progress:
        try:
            model, manifest, summary = simulate(config, out_dir, plots=config.output.plots, on_week=progress.advance)
        except InputError as err:
            fail(str(err), out_dir)
    wall = manifest["wall_time_s"]
    print(
        f"Scenario '{config.scenario.name}', {config.population.size:,} residents, "
        f"{config.years} year{'s' if config.years != 1 else ''}, "
        f"seed {config.seed}: {wall:.1f} s"
    )
    if len(summary):
        last = summary.iloc[-1]
        print(f"Year {int(last['year']) + 1} (mean over its weeks):")
        for column in HEADLINES:
            print(f"  {headline_label(column):<42} {headline_value(column, last[column])}")
    print(f"  {'carrying capacity trend, points a year':<42} {manifest['carrying_capacity_trend_per_year'] * 100:+.2f}")
    shock = manifest.get("shock")
    if shock and shock["resilience"]:
        print(
            f"Shock '{shock['kind']}' in week {shock['start_week']}: fall and recovery against the same run without it"
        )
        for r in shock["resilience"]:
            rec = f"recovered after {r['recovery_weeks']:.0f} weeks" if r["recovered"] else "not recovered by the end"
            print(f"  {r['indicator']:<28} fell {r['fall_relative']:.1%}, {rec}")
    if model.municipality.capped_years:
        years = ", ".join(str(y + 1) for y in model.municipality.capped_years)
        print(
            f"Budget cap: the actions cost more than scenario.budget_eur_per_year in year(s) {years}; "
            "every action was scaled down (see budget_level in indicators.parquet)."
        )
    print(f"Outputs: {out_dir}")
    return manifest


@hydra.main(version_base="1.3", config_path=str(CONF_DIR), config_name="config")
def _app(cfg: DictConfig) -> None:
    run_job(cfg)


def main() -> None:
    """Entry point of the `samenkracht` console script."""
    from samenkracht.sim.config import SimConfig
    from samenkracht.tools import launchers
    from samenkracht.tools.overrides import compose_check, open_actions, precheck

    register_configs()
    sys.argv[1:] = open_actions(sys.argv[1:])
    try:
        precheck(sys.argv[1:], CONF_DIR, SimConfig)
        compose_check(sys.argv[1:], CONF_DIR)
        launchers.check(sys.argv[1:])  # a launcher that does not exist, a SLURM cluster that does not answer
    except InputError as err:
        fail(str(err))
    _app()


if __name__ == "__main__":
    main()
