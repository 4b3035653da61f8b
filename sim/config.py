"""The run's configuration: one typed dataclass tree (registered in Hydra's ConfigStore by tools/config_store.py).

Hydra merges the YAML files in conf/ and the command-line overrides onto this
schema, so an unknown key or a value of the wrong type is refused before
anything runs; ``validate`` then checks every range.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from samenkracht.sim.errors import InputError
from samenkracht.sim.indicator_table import LANGUAGES
from samenkracht.sim.mechanisms.allocation import AllocationParams
from samenkracht.sim.mechanisms.burden import BurdenParams
from samenkracht.sim.mechanisms.contact import ContactParams
from samenkracht.sim.mechanisms.demand import DemandParams
from samenkracht.sim.mechanisms.demography import DemographyParams
from samenkracht.sim.mechanisms.indicators import IndicatorParams
from samenkracht.sim.mechanisms.kin_elsewhere import KinParams
from samenkracht.sim.mechanisms.municipality import CostParams
from samenkracht.sim.mechanisms.roles import RoleParams
from samenkracht.sim.mechanisms.shock import ShockParams
from samenkracht.sim.mechanisms.signalling import SignallingParams
from samenkracht.sim.mechanisms.volunteering import VolunteerParams
from samenkracht.sim.mechanisms.wijkteam import WijkteamParams
from samenkracht.sim.mechanisms.wlz import WlzParams
from samenkracht.sim.network import NetworkParams
from samenkracht.sim.params import param
from samenkracht.sim.population import PopulationParams
from samenkracht.sim.time import WEEKS_PER_YEAR


@dataclass
class ScenarioConfig:
    """A scenario: the municipality's actions, each named from the action registry and scheduled."""

    name: str = param("baseline", doc="scenario name, shown in outputs and reports")
    description: Any = param(
        "", doc="what the scenario tests, in a sentence: one text, or one per language ({nl: ..., en: ...})"
    )
    budget_eur_per_year: float | None = param(
        None, unit="€ a year", lo=0, hi=1e12, doc="cap on the municipality's spending on actions; none when empty"
    )
    actions: dict[str, Any] = param(
        {},
        doc="scheduled actions: label → settings ('action' names a registered action, default the label; "
        "start_year, end_year, wijken and the action's parameters)",
    )

    def check(self, prefix: str) -> None:
        text = self.description
        if isinstance(text, str):
            return
        if not isinstance(text, dict) or not text or not all(isinstance(v, str) for v in text.values()):
            raise InputError(f"{prefix}description must be a text, or a text per language: {{nl: ..., en: ...}}.")
        unknown = [str(k) for k in text if k not in LANGUAGES]
        if unknown:
            raise InputError(
                f"{prefix}description: no language {', '.join(map(repr, unknown))}; give {' and '.join(LANGUAGES)}."
            )


def describe(description: Any, lang: str) -> str:
    """A scenario's description in ``lang``: the text itself, or its text in ``lang`` (else in the other language;
    '' when there is none)."""
    if isinstance(description, str):
        return description
    if isinstance(description, dict):
        for key in (lang, *LANGUAGES):
            if isinstance(description.get(key), str) and description[key]:
                return description[key]
    return ""


@dataclass
class OutputParams:
    """What a run writes besides the indicator tables."""

    plots: bool = param(True, doc="write the PNG of the headline indicators")
    graph: bool = param(False, doc="write the final social graph as GraphML (graph.graphml)")


@dataclass
class SimConfig:
    """Everything a run needs. Units and sources of each parameter are in docs/ODD.md."""

    seed: int = param(
        42, unit="integer", lo=0, hi=2**63 - 1, doc="the run's one seed; every random stream derives from it"
    )
    years: int = param(20, unit="years", lo=0, hi=200, doc=f"simulated years ({WEEKS_PER_YEAR} weekly steps each)")
    burn_in_weeks: int = param(
        WEEKS_PER_YEAR,
        unit="weeks",
        lo=0,
        hi=1040,
        doc="weeks simulated before the recorded years start, so burden and ties settle (not in the outputs)",
    )
    population: PopulationParams = field(default_factory=PopulationParams)
    network: NetworkParams = field(default_factory=NetworkParams)
    kin: KinParams = field(default_factory=KinParams)
    demography: DemographyParams = field(default_factory=DemographyParams)
    demand: DemandParams = field(default_factory=DemandParams)
    allocation: AllocationParams = field(default_factory=AllocationParams)
    burden: BurdenParams = field(default_factory=BurdenParams)
    wlz: WlzParams = field(default_factory=WlzParams)
    contact: ContactParams = field(default_factory=ContactParams)
    signalling: SignallingParams = field(default_factory=SignallingParams)
    wijkteam: WijkteamParams = field(default_factory=WijkteamParams)
    volunteers: VolunteerParams = field(default_factory=VolunteerParams)
    roles: RoleParams = field(default_factory=RoleParams)
    costs: CostParams = field(default_factory=CostParams)
    indicators: IndicatorParams = field(default_factory=IndicatorParams)
    shock: ShockParams = field(default_factory=ShockParams)
    scenario: ScenarioConfig = field(default_factory=ScenarioConfig)
    output: OutputParams = field(default_factory=OutputParams)
