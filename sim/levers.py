"""Levers: the per-wijk settings through which municipal actions reach the weekly mechanisms.

Every lever starts neutral (the baseline); the municipality's active actions
set them each week. Mechanisms read levers, never actions, so one mechanism
stays one module whatever actions exist. Each lever is declared once, with
:func:`lever`: its neutral value, unit, meaning, the part of the model that
reads it, what it does in plain Dutch and English, and, for the levers an
action composed in a scenario file may pull, the range of its strength and how
that combines with other actions; resetting, composed actions, the page's list
of effects and the lever table in docs/ODD.md read that declaration.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from samenkracht.sim.time import WEEKS_PER_YEAR

#: How a composed action's strength combines with the lever as other actions left it this week (``level`` is the
#: budget level, 1 without a cap): "add" adds it, "extra" adds its extra above 1 (a factor on a rate that other
#: actions also raise by adding), "factor" multiplies by it, "chance" combines independent chances.
COMBINE = ("add", "extra", "factor", "chance")


#: The levers' units in Dutch, for the students' page (the declarations give them in English).
UNIT_NL: dict[str, str] = {
    "chance a week": "kans per week",
    "probability": "kans",
    "×": "×",
    "share of willing adults a year": "aandeel van de bereidwillige volwassenen per jaar",
    "× baseline": "× de uitgangssituatie",
    "weight": "gewicht",
    "share": "aandeel",
    "hours a week": "uur per week",
    "carers a week": "mantelzorgers per week",
    "residents a week": "inwoners per week",
    "strength": "sterkte van de band",
    "weeks": "weken",
    "yes/no": "ja/nee",
    "shares": "aandelen",
}


def lever_unit(meta: dict[str, Any], lang: str) -> str:
    """A lever's unit in the page's language (with 'per 1,000 residents' where its strength is per 1,000)."""
    unit = UNIT_NL.get(meta["unit"], meta["unit"]) if lang == "nl" else meta["unit"]
    if meta.get("per_1000"):
        unit += " per 1.000 inwoners" if lang == "nl" else " per 1,000 residents"
    return unit


def lever(
    neutral: float | bool,
    *,
    unit: str,
    doc: str,
    read_by: str,
    nl: str,
    en: str,
    columns: int = 0,
    lo: float | None = None,
    hi: float | None = None,
    combine: str | None = None,
    per_1000: bool = False,
    suggested: float | None = None,
    companions: dict[str, float] | None = None,
) -> Any:
    """Declare a lever: an array over wijken (``columns`` > 0: a row of that many values per wijk) that is
    ``neutral`` in the baseline; ``read_by`` names the mechanism or the action's weekly step that reads it.

    ``nl`` and ``en`` say in plain words what pulling the lever does (the page's list of effects). A lever with
    ``combine`` (one of COMBINE) can be pulled by an action composed in a scenario file: its strength, from
    ``lo`` to ``hi``, is in the lever's unit, per 1,000 residents of the covered wijken with ``per_1000``;
    ``suggested`` is a middling strength (the page's starting value) and ``companions`` are settings of other
    levers that come with pulling it (at least these values), without which it would do nothing.
    """
    if combine is not None and (combine not in COMBINE or lo is None or hi is None or suggested is None):
        raise ValueError(f"lever combine={combine!r}: give one of {COMBINE}, with lo, hi and suggested")
    meta = {
        "neutral": neutral,
        "unit": unit,
        "doc": doc,
        "read_by": read_by,
        "columns": columns,
        "nl": nl,
        "en": en,
        "lo": lo,
        "hi": hi,
        "combine": combine,
        "per_1000": per_1000,
        "suggested": suggested,
        "companions": dict(companions or {}),
    }
    return dataclasses.field(init=False, repr=False, metadata=meta)


def strength_unit(meta: dict[str, Any]) -> str:
    """The unit a composed action's strength of a lever is given in."""
    return f"{meta['unit']} per 1,000 residents" if meta["per_1000"] else meta["unit"]


@dataclass
class Levers:
    """Per-wijk settings, each an array over wijken (index = wijk)."""

    n_wijken: int
    shop_signal: np.ndarray = lever(
        0.0,
        unit="chance a week",
        read_by="signalling",
        doc="chance a linked shopkeeper notices a local shopper at risk",
        nl="winkeliers signaleren kwetsbare klanten",
        en="shopkeepers notice customers at risk",
        lo=0,
        hi=0.5,
        combine="chance",
        suggested=0.08,
    )
    match_success_bonus: np.ndarray = lever(
        0.0,
        unit="probability",
        read_by="allocation",
        doc="added to the buurthulp match success chance",
        nl="hulpvragen en vrijwilligers worden beter gekoppeld",
        en="requests and volunteers are matched better",
        lo=0,
        hi=0.5,
        combine="add",
        suggested=0.1,
    )
    volunteer_dropout_factor: np.ndarray = lever(
        1.0,
        unit="×",
        read_by="volunteering",
        doc="factor on volunteers' yearly dropout rate",
        nl="vrijwilligers haken minder snel af (factor op het afhaken)",
        en="volunteers drop out less (factor on dropout)",
        lo=0.1,
        hi=2.0,
        combine="factor",
        suggested=0.7,
    )
    volunteer_recruitment: np.ndarray = lever(
        0.0,
        unit="share of willing adults a year",
        read_by="volunteering",
        doc="extra share of willing adults recruited as volunteers",
        nl="vrijwilligers worden geworven",
        en="volunteers are recruited",
        lo=0,
        hi=0.3,
        combine="add",
        suggested=0.05,
    )
    tie_formation_factor: np.ndarray = lever(
        1.0,
        unit="× baseline",
        read_by="contact",
        doc="factor on the rate of new weak ties at shared places",
        nl="meer ontmoeting in de wijk",
        en="more meeting in the wijk",
        lo=0.5,
        hi=4.0,
        combine="extra",
        suggested=1.3,
    )
    outreach: np.ndarray = lever(
        0.0,
        unit="weight",
        read_by="contact",
        doc="how much shared places reach lonely residents (0 = not at all)",
        nl="ontmoetingsplekken bereiken eenzame inwoners",
        en="meeting places reach lonely residents",
        lo=0,
        hi=1,
        combine="add",
        suggested=0.3,
    )
    social_model_bonus: np.ndarray = lever(
        0.0,
        unit="share",
        read_by="wijkteam",
        doc="added to the wijkteam's social-model share",
        nl="het wijkteam zet vaker het netwerk in (sociaal model)",
        en="the wijkteam mobilises the network more often (social model)",
        lo=0,
        hi=0.6,
        combine="add",
        suggested=0.15,
    )
    wijkteam_fte_factor: np.ndarray = lever(
        1.0,
        unit="×",
        read_by="wijkteam (professionals' week)",
        doc="factor on wijkteam capacity",
        nl="het wijkteam krijgt meer uren",
        en="the wijkteam gets more hours",
        lo=0.5,
        hi=3.0,
        combine="factor",
        suggested=1.2,
    )
    respite_hours: np.ndarray = lever(
        0.0,
        unit="hours a week",
        read_by="respite_care (its weekly step: who takes it up) and burden",
        doc="respite hours available to the carers who took up respite",
        nl="mantelzorgers krijgen respijt",
        en="carers get respite",
        lo=0,
        hi=200,
        combine="add",
        per_1000=True,
        suggested=20,
        companions={"respite_max_per_carer": 4.0, "respite_uptake": 0.25, "respite_period_weeks": WEEKS_PER_YEAR},
    )
    support_capacity: np.ndarray = lever(
        0.0,
        unit="carers a week",
        read_by="carer_support (its weekly step)",
        doc="extra carer-support conversations",
        nl="zwaar belaste mantelzorgers krijgen steungesprekken",
        en="heavily burdened carers get supportive conversations",
        lo=0,
        hi=10,
        combine="add",
        per_1000=True,
        suggested=0.5,
        companions={"support_relief_weeks": 26, "support_uptake": 0.35},
    )
    mobilise_capacity: np.ndarray = lever(
        0.0,
        unit="residents a week",
        read_by="network_strengthening (its weekly step)",
        doc="extra network mobilisations",
        nl="het netwerk rond inwoners met een hulpvraag wordt versterkt",
        en="the network around residents in need is strengthened",
        lo=0,
        hi=10,
        combine="add",
        per_1000=True,
        suggested=0.5,
        companions={"mobilise_tie_boost": 0.15, "mobilise_uptake": 0.5},
    )
    support_uptake: np.ndarray = lever(
        0.0,
        unit="share",
        read_by="carer_support (its weekly step)",
        doc="share of known heavily burdened carers offered the conversations who take them up",
        nl="hoeveel zwaar belaste mantelzorgers de gesprekken aannemen",
        en="how many heavily burdened carers accept the conversations",
    )
    respite_uptake: np.ndarray = lever(
        0.0,
        unit="share",
        read_by="respite_care (its weekly step)",
        doc="share of known heavily burdened carers offered respite who take it up",
        nl="hoeveel zwaar belaste mantelzorgers respijtzorg aannemen",
        en="how many heavily burdened carers accept respite care",
    )
    mobilise_uptake: np.ndarray = lever(
        0.0,
        unit="share",
        read_by="network_strengthening (its weekly step)",
        doc="share of known residents offered network strengthening who take it up",
        nl="hoeveel inwoners netwerkversterking aannemen",
        en="how many residents accept network strengthening",
    )
    mobilise_tie_boost: np.ndarray = lever(
        0.0,
        unit="strength",
        read_by="network_strengthening (its weekly step)",
        doc="strength added to the outside ties of a mobilised resident",
        nl="banden van een versterkt netwerk worden sterker",
        en="the ties of a strengthened network grow stronger",
    )
    bridging_bonus: np.ndarray = lever(
        0.0,
        unit="share",
        read_by="contact",
        doc="extra share of new ties that bridge wijken",
        nl="meer contact tussen de wijken",
        en="more contact between wijken",
        lo=0,
        hi=0.5,
        combine="add",
        suggested=0.1,
    )
    new_tie_strength: np.ndarray = lever(
        np.nan,
        unit="strength",
        read_by="contact",
        doc="strength of new weak ties (NaN: the contact parameter)",
        nl="nieuwe contacten zijn sterker",
        en="new acquaintances are stronger ties",
    )
    respite_max_per_carer: np.ndarray = lever(
        0.0,
        unit="hours a week",
        read_by="burden",
        doc="most respite hours one carer gets",
        nl="hoeveel respijt één mantelzorger hoogstens krijgt",
        en="the most respite one carer gets",
    )
    respite_period_weeks: np.ndarray = lever(
        0.0,
        unit="weeks",
        read_by="respite_care (its weekly step)",
        doc="weeks after which a carer's respite is reviewed (renewed while they care)",
        nl="na hoeveel weken de respijtzorg van een mantelzorger wordt herzien",
        en="after how many weeks a carer's respite is reviewed",
    )
    support_relief_weeks: np.ndarray = lever(
        0.0,
        unit="weeks",
        read_by="carer_support (its weekly step)",
        doc="weeks of relief from carer support",
        nl="hoe lang steungesprekken een mantelzorger ontlasten",
        en="how long supportive conversations relieve a carer",
    )
    support_mobilises: np.ndarray = lever(
        False,
        unit="yes/no",
        read_by="carer_support (its weekly step)",
        doc="carer support brings in secondary helpers",
        nl="steungesprekken brengen extra helpers in beeld",
        en="supportive conversations bring in more helpers",
    )
    quadrant_mix: np.ndarray = lever(
        np.nan,
        unit="shares",
        columns=4,
        read_by="wijkteam (professionals' week)",
        doc="wijkteam time over own network, institutional, collective, policy (NaN: the wijkteam parameter)",
        nl="hoe het wijkteam zijn tijd verdeelt over de vier kwadranten",
        en="how the wijkteam divides its time over the four quadrants",
    )

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Set every lever back to its neutral (baseline) value."""
        for name, neutral, columns in _NEUTRAL:
            setattr(self, name, np.full((self.n_wijken, columns) if columns else self.n_wijken, neutral))


def iter_levers() -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield (name, declaration) for every lever, in declaration order."""
    for f in dataclasses.fields(Levers):
        if "neutral" in f.metadata:
            yield f.name, dict(f.metadata)


def composable_levers() -> dict[str, dict[str, Any]]:
    """The levers an action composed in a scenario file may pull (those declared with ``combine``), by name."""
    return {name: meta for name, meta in iter_levers() if meta["combine"] is not None}


#: (name, neutral value, columns) of every lever, read once from the declarations for the weekly reset.
_NEUTRAL: tuple[tuple[str, Any, int], ...] = tuple((name, m["neutral"], m["columns"]) for name, m in iter_levers())
