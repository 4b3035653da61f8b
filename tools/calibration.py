"""Calibration: run the baseline over several seeds and compare it with published Dutch figures.

A targets file (``../shared/targets/nl.yaml`` by default; the format is
described in ``../shared/targets/README.md``) lists targets, each with a metric
from :data:`METRICS`, an optional age filter, the published value, the range we
accept and the source. :func:`load_targets` reads and checks such a file;
:func:`run_seed` runs one model and records what every metric needs over one
measurement year; :func:`measure` turns that record into a metric's value for
any filter; :func:`main` is the ``samenkracht-calibrate`` command.

Measurement window: the model runs its own burn-in (``burn_in_weeks``), then
``years`` simulated years; every metric is measured over the last of them
(model year ``years − 1``, weeks ``WEEKS_PER_YEAR·(years−1)`` … ``WEEKS_PER_YEAR·years − 1``). Within
that year, per-resident figures (gave care, hours, helped a friend or
neighbour) are accumulated week by week by an observer appended to the model's
own list of mechanisms, so it sees each week's state after every mechanism and
before the model's year-end reset. A resident slot taken over by a newcomer
starts a new accumulation. Definitions of each metric are in docs/ODD.md
(section "Calibration").
"""

from __future__ import annotations

import difflib
import math
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from samenkracht.sim.errors import InputError
from samenkracht.sim.time import WEEKS_PER_YEAR
from samenkracht.sim.tolerances import some_hours

if TYPE_CHECKING:
    from samenkracht.sim.config import SimConfig
    from samenkracht.sim.model import CareNetworkModel
    from samenkracht.sim.world import World

PROG = "samenkracht-calibrate"
ROOT = Path(__file__).resolve().parent.parent
#: The shared targets (beside the repository), else the copies shipped in the package: nl.yaml (published Dutch
#: figures) and who-cares.yaml (who the carers are and whom they help); the command reads both by default.
SHARED_TARGETS = ROOT.parent / "shared" / "targets" / "nl.yaml"
SHIPPED_TARGETS = Path(__file__).resolve().parent / "data" / "targets_nl.yaml"
SHARED_WHO_CARES = ROOT.parent / "shared" / "targets" / "who-cares.yaml"
SHIPPED_WHO_CARES = Path(__file__).resolve().parent / "data" / "targets_who_cares.yaml"

#: Ages are counted in whole years (the age at the last birthday); ages above this share the last bin.
MAX_AGE = 120
ADULT_AGE = 18
#: SCP's "intensieve mantelzorg": more than 8 hours a week.
INTENSIVE_HOURS = 8.0

DEFAULT_SEEDS = 5
DEFAULT_YEARS = 3


@dataclass(frozen=True)
class Metric:
    """One metric of the vocabulary: its meaning, and what an age filter applies to."""

    meaning: str
    filter_applies_to: str | None  #: "residents", "carers", "carer ages", "recipients"; None: no filter possible
    default_adults: bool = True  #: without a filter, measured over adults (18+); else over everyone


#: The vocabulary of ../shared/targets/README.md, every metric supported.
METRICS: dict[str, Metric] = {
    "gave_care_share": Metric(
        "share of the filtered residents who gave informal care at any time in the simulated year", "residents"
    ),
    "heavily_burdened_share": Metric("share of carers (filtered) who are heavily burdened", "carers"),
    "intensive_carer_share": Metric("share of carers (filtered) who give more than 8 hours a week", "carers"),
    "family_share": Metric(
        "share of informal care hours given by family (household members included)", None, default_adults=False
    ),
    "friends_neighbours_carer_share": Metric("share of carers (filtered) who help a friend or neighbour", "carers"),
    "carer_relation_share": Metric(
        "share of carers who help someone of the filter's relation (partner, parent, child, other_family, family "
        "or friend_neighbour); a carer may count under several",
        "carers",
    ),
    "carer_age_share": Metric("share of all carers whose age lies in the filter's band", "carer ages"),
    "lonely_share": Metric("share of the filtered residents who are lonely (moderately or severely)", "residents"),
    "severely_lonely_share": Metric("share of the filtered residents who are severely lonely", "residents"),
    "willing_non_carer_share": Metric(
        "share of the filtered residents who give no care but are willing and able to", "residents"
    ),
    "informal_share_of_care": Metric(
        "informal hours over informal plus formal hours of care at home", "recipients", default_adults=False
    ),
}
AGE_FILTER_KEYS = ("min_age", "max_age")
FILTER_KEYS = (*AGE_FILTER_KEYS, "relation")
TARGET_FIELDS = ("name", "metric", "filter", "value", "range", "source")
REQUIRED_FIELDS = ("name", "metric", "value", "range", "source")


# -- targets ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One calibration target, checked."""

    name: str
    metric: str
    value: float
    lo: float
    hi: float
    source: str
    min_age: int | None = None  #: as written in the filter (None: not given)
    max_age: int | None = None
    filtered: bool = False  #: the target has a non-empty age filter
    relation: str | None = (
        None  #: for carer_relation_share: a name of samenkracht.sim.ties.RELATIONS or RELATION_GROUPS
    )

    def band(self) -> tuple[int, int] | None:
        """Inclusive age band measured (whole years), or None for everyone."""
        if self.filtered:
            return (self.min_age or 0, MAX_AGE if self.max_age is None else min(self.max_age, MAX_AGE))
        return (ADULT_AGE, MAX_AGE) if METRICS[self.metric].default_adults else None

    def band_text(self) -> str:
        band = self.band()
        if band is None:
            return "all"
        lo, hi = band
        if hi >= MAX_AGE:
            return f"{lo}+"
        return f"{lo}–{hi}"

    def describe(self) -> str:
        """The metric and its filter, as shown in the table: ``lonely_share 18+``."""
        rel = f" {self.relation}" if self.relation else ""
        return f"{self.metric}{rel} {self.band_text()}"

    def inside(self, x: float) -> bool:
        return not math.isnan(x) and self.lo <= x <= self.hi


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _fmt(x: float) -> str:
    return f"{x:g}"


def parse_targets(data: Any, origin: str = "the targets file") -> list[Target]:
    """Check the parsed YAML of a targets file; return its targets or raise InputError naming the problem."""
    fmt = "see ../shared/targets/README.md for the format"
    if data is None:
        raise InputError(f"{origin} holds no targets; it should be a YAML list of targets ({fmt}).")
    if not isinstance(data, list):
        raise InputError(
            f"{origin} should be a YAML list of targets, each starting with '- name: ...' "
            f"(found a {type(data).__name__}; {fmt})."
        )
    if not data:
        raise InputError(f"{origin} holds no targets ({fmt}).")
    targets = []
    for i, entry in enumerate(data, start=1):
        label = f"{origin}, target {i}"
        if not isinstance(entry, dict):
            raise InputError(f"{label}: should be a mapping with the fields {', '.join(TARGET_FIELDS)} ({fmt}).")
        if isinstance(entry.get("name"), str) and entry["name"].strip():
            label = f"{origin}, target {i} ('{entry['name'].strip()}')"
        targets.append(_parse_target(entry, label))
    return targets


def _parse_target(entry: dict, label: str) -> Target:
    for key in entry:
        if key not in TARGET_FIELDS:
            close = difflib.get_close_matches(str(key), TARGET_FIELDS, n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise InputError(f"{label}: unknown field '{key}'.{hint} Fields: {', '.join(TARGET_FIELDS)}.")
    missing = [k for k in REQUIRED_FIELDS if entry.get(k) is None]
    if missing:
        raise InputError(
            f"{label}: missing field{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"(every target needs {', '.join(REQUIRED_FIELDS)}; filter is optional)."
        )
    name, metric, source = entry["name"], entry["metric"], entry["source"]
    if not isinstance(name, str) or not name.strip():
        raise InputError(f"{label}: name should be a non-empty text.")
    if not isinstance(source, str) or not source.strip():
        raise InputError(f"{label}: source should be a non-empty text naming where the figure was published.")
    if not isinstance(metric, str) or metric not in METRICS:
        close = difflib.get_close_matches(str(metric), METRICS, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise InputError(f"{label}: unknown metric '{metric}'.{hint} Known metrics: {', '.join(METRICS)}.")
    value, rng = entry["value"], entry["range"]
    if not _is_number(value) or not 0 <= value <= 1:
        raise InputError(f"{label}: value {value!r} should be a share between 0 and 1 (write 0.32 for 32%).")
    if not isinstance(rng, list) or len(rng) != 2 or not all(_is_number(x) for x in rng):
        raise InputError(f"{label}: range {rng!r} should be two numbers [low, high], for example [0.27, 0.37].")
    lo, hi = float(rng[0]), float(rng[1])
    if lo > hi:
        raise InputError(
            f"{label}: range [{_fmt(lo)}, {_fmt(hi)}] has its low end above its high end; write [low, high]."
        )
    if lo < 0 or hi > 1:
        raise InputError(
            f"{label}: range [{_fmt(lo)}, {_fmt(hi)}] should lie between 0 and 1: every metric is a share "
            "(write 0.27 for 27%)."
        )
    if not lo <= value <= hi:
        raise InputError(f"{label}: value {_fmt(value)} lies outside its own range [{_fmt(lo)}, {_fmt(hi)}].")
    flt = entry.get("filter")
    min_age = max_age = None
    filtered = False
    if flt is not None:
        if not isinstance(flt, dict):
            raise InputError(f"{label}: filter should be a mapping such as {{min_age: 18, max_age: 64}}.")
        for key in flt:
            if key not in FILTER_KEYS:
                close = difflib.get_close_matches(str(key), FILTER_KEYS, n=1)
                hint = f" Did you mean '{close[0]}'?" if close else ""
                raise InputError(f"{label}: unknown filter key '{key}'.{hint} Filter keys: {', '.join(FILTER_KEYS)}.")
        ages = {}
        for key in AGE_FILTER_KEYS:
            x = flt.get(key)
            if x is None:
                continue
            if not _is_number(x) or x < 0 or float(x) != int(x):
                raise InputError(f"{label}: filter {key} {x!r} should be a whole number of years, 0 or more.")
            ages[key] = int(x)
        min_age, max_age = ages.get("min_age"), ages.get("max_age")
        if min_age is not None and min_age > MAX_AGE:
            raise InputError(f"{label}: filter min_age {min_age} is above {MAX_AGE}: no resident is that old.")
        if min_age is not None and max_age is not None and min_age > max_age:
            raise InputError(f"{label}: filter min_age {min_age} is above max_age {max_age}.")
        filtered = bool(ages)
        if filtered and METRICS[metric].filter_applies_to is None:
            raise InputError(
                f"{label}: metric '{metric}' takes no filter: it is a share of all informal care hours in the "
                "municipality, and the model records hours by kind of tie for the municipality as a whole, "
                "not per helper or recipient. Remove the filter."
            )
    relation = _parse_relation(metric, flt, label)
    return Target(name.strip(), metric, float(value), lo, hi, source.strip(), min_age, max_age, filtered, relation)


def _relation_names() -> list[str]:
    from samenkracht.sim.ties import RELATION_GROUPS, RELATIONS

    return [*RELATIONS[:-1], *RELATION_GROUPS, RELATIONS[-1]]


def _parse_relation(metric: str, flt: dict | None, label: str) -> str | None:
    """The ``relation`` filter: required by carer_relation_share, refused elsewhere."""
    relation = None if flt is None else flt.get("relation")
    names = _relation_names()
    if metric != "carer_relation_share":
        if relation is not None:
            raise InputError(f"{label}: filter relation applies only to metric carer_relation_share; remove it.")
        return None
    if relation is None:
        raise InputError(f"{label}: metric carer_relation_share needs filter relation, one of {', '.join(names)}.")
    if relation not in names:
        close = difflib.get_close_matches(str(relation), names, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise InputError(f"{label}: unknown relation '{relation}'.{hint} Relations: {', '.join(names)}.")
    return str(relation)


def load_targets(path: str | Path) -> list[Target]:
    """Read and check a targets file; raise InputError with a clear message if it is missing or wrong."""
    import yaml

    path = Path(path)
    if not path.exists():
        raise InputError(f"targets file {path} not found.")
    if path.is_dir():
        raise InputError(f"targets file {path} is a directory; give a YAML file.")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"targets file {path} is not a text (UTF-8) file.") from None
    except OSError as err:
        raise InputError(f"targets file {path} cannot be read: {err.strerror or err}.") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        where = ""
        mark = getattr(err, "problem_mark", None)
        if mark is not None:
            where = f" at line {mark.line + 1}, column {mark.column + 1}"
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise InputError(f"targets file {path} is not valid YAML{where}: {problem}.") from None
    return parse_targets(data, f"targets file {path}")


def default_targets_path() -> Path:
    """The shared nl.yaml beside the repository if it is there, else the copy shipped in tools/data/."""
    return SHARED_TARGETS if SHARED_TARGETS.is_file() else SHIPPED_TARGETS


def default_targets_paths() -> list[Path]:
    """The default targets files: nl.yaml and who-cares.yaml, each the shared one if it is there, else the copy."""
    who = SHARED_WHO_CARES if SHARED_WHO_CARES.is_file() else SHIPPED_WHO_CARES
    return [default_targets_path(), who]


def load_all_targets(paths: list[Path]) -> list[Target]:
    """The targets of several files, in order."""
    return [t for path in paths for t in load_targets(path)]


# -- measurement --------------------------------------------------------------------------------------------------


def _age_bins(age: np.ndarray) -> np.ndarray:
    return np.clip(np.floor(age), 0, MAX_AGE).astype(np.int64)


@dataclass
class YearRecord:
    """What one run's measurement year gives every metric.

    ``weekly[name]`` has one row per week of the year and one column per whole
    year of age (0 … MAX_AGE): counts of residents, lonely and severely lonely
    residents, carers and heavily burdened carers, and hours of informal and
    formal care received. The per-resident arrays hold the living residents at
    the year's end: their age, whether they gave care in the year, their mean
    weekly hours over the weeks they gave care, whether they helped a friend or
    neighbour, their willingness and capacity.
    """

    weekly: dict[str, np.ndarray]
    hours_by_tie_kind: np.ndarray
    age: np.ndarray
    gave: np.ndarray
    mean_hours: np.ndarray
    helped_friend_or_neighbour: np.ndarray
    helped_relations: np.ndarray  #: bits of samenkracht.sim.ties.RELATIONS helped in the year
    willing: np.ndarray
    capacity: np.ndarray
    weeks: int
    #: family ties (kind family) per resident aged 75+ at week 0 and at the end of the measured year
    family_ties_75: tuple[float, float] = (math.nan, math.nan)


class _YearRecorder:
    """Put among a model's mechanisms: records the measurement year week by week, before the year's close."""

    name = "calibration"

    def __init__(self, world: World, first_week: int, last_week: int) -> None:
        cfg = world.config
        self.first_week, self.last_week = first_week, last_week
        self.heavy = cfg.burden.heavy_threshold
        self.lonely = cfg.indicators.lonely_threshold
        self.severe = cfg.indicators.severely_lonely_threshold
        n = world.state.n
        self.pid: np.ndarray | None = None
        self.gave = np.zeros(n, dtype=bool)
        self.weeks_cared = np.zeros(n, dtype=np.int64)
        self.hours = np.zeros(n)
        self.helped = np.zeros(n, dtype=bool)
        self.relations = np.zeros(n, dtype=np.uint8)
        self.weekly: dict[str, list[np.ndarray]] = {
            k: [] for k in ("residents", "lonely", "severely_lonely", "carers", "heavy", "informal", "formal")
        }
        self.by_kind: np.ndarray | None = None
        self.record: YearRecord | None = None

    def step(self, world: World) -> None:
        if not self.first_week <= world.week <= self.last_week:
            return
        s = world.state
        if self.pid is None:
            self.pid = s.person_id.copy()
        new = s.person_id != self.pid  # a newcomer took the slot: their year starts now
        if new.any():
            self.pid[new] = s.person_id[new]
            self.gave[new] = False
            self.weeks_cared[new] = 0
            self.hours[new] = 0.0
            self.helped[new] = False
            self.relations[new] = 0
        alive = s.alive
        caring = alive & some_hours(s.given)
        self.gave |= caring
        self.weeks_cared += caring
        self.hours += np.where(caring, s.given, 0.0)
        self.helped |= alive & s.helped_friend_or_neighbour  # cumulative within the model year; reset at its end
        self.relations |= np.where(alive, s.helped_relations, 0).astype(np.uint8)

        bins = _age_bins(s.age)
        size = MAX_AGE + 1

        def count(mask: np.ndarray) -> np.ndarray:
            return np.bincount(bins[mask], minlength=size).astype(float)

        def total(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
            return np.bincount(bins[mask], values[mask], minlength=size)

        carers = alive & s.carer
        w = self.weekly
        w["residents"].append(count(alive))
        w["lonely"].append(count(alive & (s.loneliness >= self.lonely)))
        w["severely_lonely"].append(count(alive & (s.loneliness >= self.severe)))
        w["carers"].append(count(carers))
        w["heavy"].append(count(carers & (s.burden >= self.heavy)))
        w["informal"].append(total(s.received_informal, alive))
        w["formal"].append(total(s.received_formal, alive))
        by_kind = np.asarray(world.flows.hours_by_tie_kind, dtype=float)
        self.by_kind = by_kind.copy() if self.by_kind is None else self.by_kind + by_kind
        if world.week == self.last_week:
            self._close(world)

    def _close(self, world: World) -> None:
        s = world.state
        alive = s.alive
        cared = np.maximum(self.weeks_cared, 1)
        self.record = YearRecord(
            weekly={k: np.vstack(v) for k, v in self.weekly.items()},
            hours_by_tie_kind=self.by_kind if self.by_kind is not None else np.zeros(1),
            age=s.age[alive].copy(),
            gave=self.gave[alive].copy(),
            mean_hours=(self.hours / cared)[alive],
            helped_friend_or_neighbour=self.helped[alive].copy(),
            helped_relations=self.relations[alive].copy(),
            willing=s.willing[alive].copy(),
            capacity=s.capacity[alive].copy(),
            weeks=len(self.weekly["residents"]),
        )


def run_seed(config: SimConfig, years: int = DEFAULT_YEARS, progress: Any = None) -> YearRecord:
    """Build the model (with its burn-in), run ``years`` years, and return the record of the last one."""
    return run_model(config, years, progress)[1]


def run_model(
    config: SimConfig, years: int = DEFAULT_YEARS, progress: Any = None
) -> tuple[CareNetworkModel, YearRecord]:
    """As :func:`run_seed`, returning the model as well."""
    if years < 1:
        raise InputError(f"years={years}: give at least 1 simulated year.")
    model, recorders = _recorded_model(config, [years])
    at_start = family_ties_per_resident(model.world, OLD_AGE)
    model.run(on_week=None if progress is None else progress.advance)
    record = recorders[years].record
    assert record is not None
    record.family_ties_75 = (at_start, family_ties_per_resident(model.world, OLD_AGE))
    return model, record


def run_records(config: SimConfig, measure_years: list[int]) -> dict[int, YearRecord]:
    """One run of ``max(measure_years)`` years with a record of each listed year (1-based), so that year 3 and
    year 20 come from the same run (the search of :mod:`samenkracht.tools.calibration_search` uses it)."""
    if not measure_years or min(measure_years) < 1:
        raise InputError(f"measure years {measure_years}: give years from 1 up.")
    model, recorders = _recorded_model(config, measure_years)
    model.run()
    records = {year: r.record for year, r in recorders.items()}
    assert all(r is not None for r in records.values())
    return records  # type: ignore[return-value]


def _recorded_model(config: SimConfig, measure_years: list[int]) -> tuple[CareNetworkModel, dict[int, _YearRecorder]]:
    """The model for ``max(measure_years)`` years, with a recorder of each listed year among its mechanisms (this
    model only; each runs after the indicators, before the year's close)."""
    import logging

    from samenkracht.sim.model import CareNetworkModel

    logging.getLogger("MESA").setLevel(logging.WARNING)
    model = CareNetworkModel(replace(config, years=max(measure_years)))
    recorders = {}
    for year in sorted(set(measure_years)):
        first = (year - 1) * WEEKS_PER_YEAR
        recorders[year] = _YearRecorder(model.world, first, first + WEEKS_PER_YEAR - 1)
        model.mechanisms.insert(-1, recorders[year])
    return model, recorders


#: The age from which the family ties of the old are followed over the years (issue 14: within ±15% of year 0's).
OLD_AGE = 75


def family_ties_per_resident(world: World, min_age: float) -> float:
    """Mean number of living family ties (kind ``family``: relatives outside one's household) per living resident
    aged ``min_age`` or over."""
    from samenkracht.sim.ties import KIND_CODE

    s, t = world.state, world.ties
    fam = t.alive & (t.kind == KIND_CODE["family"])
    deg = np.bincount(t.u[fam], minlength=s.n)[: s.n] + np.bincount(t.v[fam], minlength=s.n)[: s.n]
    old = s.alive & (s.age >= min_age)
    return float(deg[old].mean()) if old.any() else math.nan


def _share(part: float, whole: float) -> float:
    return float(part / whole) if whole > 0 else math.nan


def _in_band(age: np.ndarray, band: tuple[int, int] | None) -> np.ndarray:
    if band is None:
        return np.ones(age.shape, dtype=bool)
    bins = _age_bins(age)
    return (bins >= band[0]) & (bins <= band[1])


def _weekly_share(rec: YearRecord, part: str, whole: str, band: tuple[int, int] | None) -> float:
    """Mean over the year's weeks of a weekly share within the band (weeks with no one in the band left out)."""
    cols = slice(None) if band is None else slice(band[0], band[1] + 1)
    num = rec.weekly[part][:, cols].sum(axis=1)
    den = rec.weekly[whole][:, cols].sum(axis=1)
    ok = den > 0
    return float(np.mean(num[ok] / den[ok])) if ok.any() else math.nan


def measure(rec: YearRecord, target: Target) -> float:
    """The target's metric over one run's measurement year; NaN when no one is in the measured group."""
    metric, band = target.metric, target.band()
    if metric in ("lonely_share", "severely_lonely_share"):
        return _weekly_share(rec, metric.removesuffix("_share"), "residents", band)
    if metric == "heavily_burdened_share":
        return _weekly_share(rec, "heavy", "carers", band)
    if metric == "informal_share_of_care":
        cols = slice(None) if band is None else slice(band[0], band[1] + 1)
        informal = rec.weekly["informal"][:, cols].sum()
        formal = rec.weekly["formal"][:, cols].sum()
        return _share(informal, informal + formal)
    if metric == "family_share":
        from samenkracht.sim.ties import KIND_CODE

        by_kind = rec.hours_by_tie_kind
        return _share(by_kind[KIND_CODE["household"]] + by_kind[KIND_CODE["family"]], by_kind.sum())
    in_band = _in_band(rec.age, band)
    if metric == "gave_care_share":
        return _share(int((in_band & rec.gave).sum()), int(in_band.sum()))
    if metric == "willing_non_carer_share":
        able = rec.willing & (rec.capacity > 0) & ~rec.gave
        return _share(int((in_band & able).sum()), int(in_band.sum()))
    if metric == "carer_age_share":
        return _share(int((rec.gave & in_band).sum()), int(rec.gave.sum()))
    carers = rec.gave & in_band
    if metric == "intensive_carer_share":
        return _share(int((carers & (rec.mean_hours > INTENSIVE_HOURS)).sum()), int(carers.sum()))
    if metric == "friends_neighbours_carer_share":
        return _share(int((carers & rec.helped_friend_or_neighbour).sum()), int(carers.sum()))
    if metric == "carer_relation_share":
        from samenkracht.sim.ties import RELATION_GROUPS, RELATIONS

        names = RELATION_GROUPS.get(target.relation or "", (target.relation,))
        mask = np.uint8(sum(1 << RELATIONS.index(r) for r in names))
        return _share(int((carers & ((rec.helped_relations & mask) != 0)).sum()), int(carers.sum()))
    raise InputError(f"unknown metric '{metric}'. Known metrics: {', '.join(METRICS)}.")


@dataclass
class Result:
    """A target and its simulated values, one per seed."""

    target: Target
    values: list[float] = field(default_factory=list)

    @property
    def mean(self) -> float:
        ok = [v for v in self.values if not math.isnan(v)]
        return float(np.mean(ok)) if ok and len(ok) == len(self.values) else math.nan

    @property
    def sd(self) -> float:
        return float(np.std(self.values, ddof=1)) if len(self.values) > 1 and not math.isnan(self.mean) else 0.0

    @property
    def inside(self) -> bool:
        return self.target.inside(self.mean)


def seeds_of(config: SimConfig, seeds: int) -> list[int]:
    """The seeds of a calibration: the configured seed and the next ``seeds − 1``."""
    return [config.seed + i for i in range(seeds)]


def calibrate(
    config: SimConfig,
    targets: list[Target],
    seeds: int = DEFAULT_SEEDS,
    years: int = DEFAULT_YEARS,
    show_progress: bool = False,
    kin: list[tuple[float, float]] | None = None,
) -> list[Result]:
    """Run the configured model over ``seeds`` seeds and measure every target in each run; ``kin``, if given, gets
    each run's family ties per resident aged 75+ at week 0 and at the end (``YearRecord.family_ties_75``)."""
    from samenkracht.tools.progress import Progress

    results = [Result(t) for t in targets]
    run_seeds = seeds_of(config, seeds)
    kin = [] if kin is None else kin
    with Progress(len(run_seeds) * years * WEEKS_PER_YEAR, "calibration", enabled=show_progress) as progress:
        for seed in run_seeds:
            record = run_seed(replace(config, seed=seed), years, progress)
            for result in results:
                result.values.append(measure(record, result.target))
            kin.append(record.family_ties_75)
    return results


# -- the table --------------------------------------------------------------------------------------------------------


def short_source(source: str, width: int = 46) -> str:
    """The source up to its first colon, cut at a word boundary to at most ``width`` characters."""
    text = source.split(":", 1)[0].strip() or source.strip()
    if len(text) <= width:
        return text
    cut = text[: width - 1].rsplit(" ", 1)[0].rstrip(",;(")
    return cut + "…"


def format_table(results: list[Result]) -> str:
    """The calibration table: target, metric and filter, source, range, simulated mean ± sd, inside."""
    header = ("target", "metric", "source", "range", "simulated", "inside")
    rows = []
    for r in results:
        t = r.target
        sim = "no one measured" if math.isnan(r.mean) else f"{r.mean:.3f} ± {r.sd:.3f}"
        rows.append(
            (t.name, t.describe(), short_source(t.source), f"{t.lo:.2f}–{t.hi:.2f}", sim, "yes" if r.inside else "NO")
        )
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip() for row in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def verdict(results: list[Result]) -> str:
    """The final line(s): all inside, or which targets are outside and by how much."""
    outside = [r for r in results if not r.inside]
    if not outside:
        return f"All {len(results)} targets inside their ranges."
    lines = [f"{len(outside)} of {len(results)} targets outside their ranges:"]
    for r in outside:
        t = r.target
        if math.isnan(r.mean):
            lines.append(f"  {t.name}: no one in the measured group ({t.describe()}) in at least one run")
        elif r.mean < t.lo:
            lines.append(f"  {t.name}: {r.mean:.3f} is {t.lo - r.mean:.3f} below {_fmt(t.lo)}")
        else:
            lines.append(f"  {t.name}: {r.mean:.3f} is {r.mean - t.hi:.3f} above {_fmt(t.hi)}")
    return "\n".join(lines)


# -- the command ------------------------------------------------------------------------------------------------------

USAGE = f"""usage: {PROG} [targets=PATH] [seeds=N] [years=N] [KEY=VALUE ...]

Runs the configured model (the baseline unless scenario=... is given) over N seeds
(seed, seed+1, ...), measures every target of a targets file over the last of
`years` simulated years after the model's burn-in, and prints target / source /
range / simulated mean ± sd / inside.

  targets=PATH  a targets file, or several separated by commas (default: ../shared/targets/nl.yaml and
                who-cares.yaml, else the copies in tools/data/)
  seeds=N       number of seeds (default {DEFAULT_SEEDS})
  years=N       simulated years per seed; the last one is measured (default {DEFAULT_YEARS})
  KEY=VALUE     any override of `samenkracht`, e.g. population.size=2000 seed=7

A joint search (Optuna, resumable: run the same command again) over a few parameters against every target:
  search=KEY:LO:HI,...   the parameters and intervals searched (number parameters only)
  out_dir=DIR            where the study (calibration.db), calibration_trials.csv and best_overrides.txt go
  trials=N               trials in all, counting those already done (default 30)
  search_years=3,20      the years measured in each run (default 3); seeds=N seeds per trial

Exit status: 0 every target inside its range, 1 some target outside, 2 bad input."""

OWN_KEYS = ("targets", "seeds", "years", "search", "trials", "out_dir", "search_years")


@dataclass
class Options:
    targets: list[Path]
    seeds: int = DEFAULT_SEEDS
    years: int = DEFAULT_YEARS
    overrides: list[str] = field(default_factory=list)
    search: str | None = None  #: KEY:LO:HI,... for a joint search (tools/calibration_search.py)
    trials: int = 30
    out_dir: Path | None = None
    search_years: str = "3"


def _whole(key: str, text: str, lo: int, hi: int, example: int) -> int:
    try:
        n = int(text)
    except ValueError:
        n = None
    if n is None or not lo <= n <= hi:
        raise InputError(f"{key}={text}: give a whole number from {lo} to {hi} (for example {key}={example}).")
    return n


def parse_args(argv: list[str]) -> Options:
    """Take this command's own keys out of argv; the rest are Hydra overrides for the model."""
    opts = Options(targets=default_targets_paths())
    for arg in argv:
        if arg.startswith("-"):
            raise InputError(
                f"'{arg}': {PROG} takes key=value overrides only (Hydra's flags such as -m or --cfg are not "
                f"available here; see {PROG} --help)."
            )
        key, _, value = arg.partition("=")
        if key == "targets":
            if not value:
                raise InputError("targets= needs a path to a targets file, for example targets=my_targets.yaml.")
            opts.targets = [Path(v).expanduser() for v in value.split(",") if v]
        elif key == "seeds":
            opts.seeds = _whole("seeds", value, 1, 1000, DEFAULT_SEEDS)
        elif key == "years":
            opts.years = _whole("years", value, 1, 200, DEFAULT_YEARS)
        elif key == "search":
            opts.search = value
        elif key == "trials":
            opts.trials = _whole("trials", value, 1, 10_000, 30)
        elif key == "out_dir":
            if not value:
                raise InputError("out_dir= needs a directory, for example out_dir=outputs/calibration.")
            opts.out_dir = Path(value).expanduser()
        elif key == "search_years":
            opts.search_years = value
        else:
            opts.overrides.append(arg)
    return opts


def compose_config(overrides: list[str]) -> SimConfig:
    """Compose conf/ with the overrides as `samenkracht` does; refuse bad ones with InputError."""
    from samenkracht.sim.config import SimConfig
    from samenkracht.tools.overrides import CONF_DIR, compose_check, open_actions, precheck

    overrides = open_actions(overrides)
    precheck(overrides, CONF_DIR, SimConfig)
    config = compose_check(overrides, CONF_DIR)
    if config is None:
        raise InputError(
            f"{' '.join(overrides)}: {PROG} takes key=value overrides only, not Hydra's flags (-m, --cfg, ...)."
        )
    return config


def run(argv: list[str], out=None, err=None) -> int:
    """The command without sys.exit: returns the exit status."""
    out = out or sys.stdout
    err = err or sys.stderr
    if any(a in ("-h", "--help") for a in argv):
        print(USAGE, file=out)
        return 0
    try:
        opts = parse_args(argv)
        targets = load_all_targets(opts.targets)
        if opts.search is not None or opts.out_dir is not None:
            return _search(opts, targets, out, err)
        config = compose_config(opts.overrides)
        show = bool(getattr(err, "isatty", lambda: False)())
        kin: list[tuple[float, float]] = []
        results = calibrate(config, targets, opts.seeds, opts.years, show_progress=show, kin=kin)
    except InputError as e:
        print(f"{PROG}: error: {e}", file=err)
        return 2
    first = (opts.years - 1) * WEEKS_PER_YEAR
    seeds = seeds_of(config, opts.seeds)
    seed_text = f"seed {seeds[0]}" if len(seeds) == 1 else f"seeds {seeds[0]}–{seeds[-1]}"
    print(
        f"Calibration of scenario '{config.scenario.name}' against {', '.join(map(str, opts.targets))}:\n"
        f"{config.population.size:,} residents, {seed_text}; measured over year {opts.years} "
        f"(weeks {first}–{first + WEEKS_PER_YEAR - 1}) after {config.burn_in_weeks} burn-in weeks. "
        "Simulated: mean ± sd over seeds.\n",
        file=out,
    )
    print(format_table(results), file=out)
    print(file=out)
    start, end = (float(np.mean(x)) for x in zip(*kin))
    print(
        f"Family ties per resident aged {OLD_AGE}+ (mean over seeds): {start:.2f} at week 0, {end:.2f} at the end "
        f"of year {opts.years} ({(end / start - 1) * 100 if start else math.nan:+.0f}%).",
        file=out,
    )
    print(verdict(results), file=out)
    return 0 if all(r.inside for r in results) else 1


def _search(opts: Options, targets: list[Target], out, err) -> int:
    """``search=...``: the joint search of tools/calibration_search.py, every input checked before it runs."""
    from samenkracht.tools import calibration_search as cs

    if opts.search is None or opts.out_dir is None:
        raise InputError("a calibration search needs both search=KEY:LO:HI,... and out_dir=DIR (see --help).")
    params = cs.parse_search(opts.search)
    years = cs.parse_years(opts.search_years)
    params = cs.check_search(params, opts.overrides, compose_config)
    return cs.search(
        params,
        opts.overrides,
        targets,
        opts.targets,
        opts.seeds,
        years,
        opts.trials,
        opts.out_dir,
        compose_config,
        out=out,
        err=err,
    )


def main() -> None:
    """Entry point of the `samenkracht-calibrate` console script."""
    sys.exit(run(sys.argv[1:]))


if __name__ == "__main__":
    main()
