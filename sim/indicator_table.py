"""The model's outputs, declared once: every column of the weekly indicator row and of the yearly summary.

Each :class:`Indicator` names a column, says how the week's value is made and
how a year's weeks reduce to the yearly summary (``summary.csv``), and carries
its Dutch and English name and unit. The weekly row, the yearly summary, the
run command's headline, the students' page and the comparison report all read
their names, units and percent-ness here.

A column family (one column per layer of care, one per municipal action) is a
single entry whose name holds a placeholder, ``{layer}`` or ``{action}``;
:func:`indicator` finds the entry of a concrete column such as
``cost_respite_care_eur``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace
from typing import Any, Literal

LANGUAGES: tuple[str, ...] = ("nl", "en")

#: How the week's value is made: ``key`` (the week or year it belongs to), ``count`` (residents or ties counted
#: this week), ``sum`` (hours or euros of this week, summed over residents), ``mean`` (a mean over a group),
#: ``share`` (a ratio of two counts or sums, 0–1), ``events`` (things that happened this week).
Weekly = Literal["key", "count", "sum", "mean", "share", "events"]
#: How a year's weeks reduce to its row of the yearly summary: ``key`` (the year), ``mean`` over its weeks,
#: ``sum`` over its weeks, ``weeks`` (how many weeks were recorded), ``year_end`` (measured once, at the year's end).
Yearly = Literal["key", "mean", "sum", "weeks", "year_end"]
Better = Literal["lower", "higher"]


@dataclass(frozen=True)
class Label:
    """An indicator's words in one language: its name and the units of its weekly and its yearly value."""

    name: str
    unit: str
    yearly_unit: str


@dataclass(frozen=True)
class Indicator:
    """One column of the model's outputs.

    ``weekly`` is None for a column measured only once a year, ``yearly`` None
    for a column that is not in the yearly summary. ``percent``: a share
    (0–1) shown as a percentage. ``better``: which direction is an
    improvement, where one is. ``contract``: one of the weekly columns that
    users' scripts rely on, which come first and in this order.
    """

    name: str
    weekly: Weekly | None
    yearly: Yearly | None
    nl: Label
    en: Label
    percent: bool = False
    better: Better | None = None
    contract: bool = False

    def label(self, lang: str) -> Label:
        """The indicator's words in ``lang`` (nl or en)."""
        if lang not in LANGUAGES:
            raise KeyError(f"no labels in language '{lang}'; languages: {', '.join(LANGUAGES)}")
        return self.nl if lang == "nl" else self.en

    @functools.cached_property
    def placeholder(self) -> str | None:
        """The placeholder of a column family (``layer``, ``action``), None for a single column."""
        found = re.search(r"\{(\w+)\}", self.name)
        return found.group(1) if found else None

    def column(self, key: str) -> str:
        """The concrete column of a family for one of its members (``cost_{action}_eur`` → ``cost_KEY_eur``)."""
        return self.name.replace("{" + str(self.placeholder) + "}", key)

    def member(self, column: str) -> str | None:
        """The member of this family that ``column`` is the column of (``cost_wijkteam_eur`` → ``wijkteam``), else
        None; a family with words for its members (:data:`MEMBER_WORDS`) has no others."""
        if self.placeholder is None or column in BY_NAME:
            return None
        before, _, after = self.name.partition("{" + self.placeholder + "}")
        if len(column) <= len(before) + len(after) or not (column.startswith(before) and column.endswith(after)):
            return None
        key = column[len(before) : len(column) - len(after)]
        known = MEMBER_WORDS.get(self.placeholder)
        return key if known is None or key in known["en"] else None


def _words(name: str, unit: str, yearly_unit: str | None = None) -> Label:
    return Label(name, unit, unit if yearly_unit is None else yearly_unit)


def _hours(name: str, nl: str, en: str, **kw: Any) -> Indicator:
    """Hours of care this week, summed over residents; a year's value is the mean week."""
    return Indicator(name, "sum", "mean", _words(nl, "uur per week"), _words(en, "hours a week"), **kw)


def _euros(name: str, nl: str, en: str, **kw: Any) -> Indicator:
    """Money spent this week; a year's value is the year's total."""
    return Indicator(
        name, "sum", "sum", _words(nl, "€ per week", "€ per jaar"), _words(en, "€ a week", "€ a year"), **kw
    )


def _share(name: str, nl: tuple[str, str], en: tuple[str, str], **kw: Any) -> Indicator:
    """A share (0–1) of this week, shown as a percentage; a year's value is the mean week."""
    return Indicator(
        name, kw.pop("weekly", "share"), kw.pop("yearly", "mean"), _words(*nl), _words(*en), percent=True, **kw
    )


def _level(name: str, weekly: Weekly, nl: tuple[str, str], en: tuple[str, str], **kw: Any) -> Indicator:
    """A count or mean of this week; a year's value is the mean week."""
    return Indicator(name, weekly, "mean", _words(*nl), _words(*en), **kw)


def _events(name: str, nl: tuple[str, str], en: tuple[str, str]) -> Indicator:
    """Events of this week (``nl``, ``en``: name, what is counted); a year's value is the year's total."""
    return Indicator(
        name,
        "events",
        "sum",
        _words(nl[0], f"{nl[1]} per week", f"{nl[1]} per jaar"),
        _words(en[0], f"{en[1]} a week", f"{en[1]} a year"),
    )


def _at_year_end(name: str, nl: str, en: str, nl_unit: str, en_unit: str) -> Indicator:
    """A figure counted once a year, at the year's close (not a weekly column)."""
    return Indicator(name, None, "year_end", _words(nl, nl_unit), _words(en, en_unit))


#: Every output column: the weekly row's in the order of the row, then those only in the yearly summary.
INDICATORS: tuple[Indicator, ...] = (
    Indicator("week", "key", None, _words("Week", "week vanaf 0"), _words("Week", "week from 0"), contract=True),
    Indicator("year", "key", "key", _words("Jaar", "jaar vanaf 0"), _words("Year", "year from 0"), contract=True),
    _level("residents", "count", ("Inwoners", "inwoners"), ("Residents", "residents"), contract=True),
    _hours("need_hours", "Zorgvraag", "Care asked", contract=True),
    _hours("informal_hours", "Informele zorg", "Informal care", better="higher", contract=True),
    _hours("formal_hours", "Formele zorg", "Formal care", contract=True),
    _hours("unmet_hours", "Onvervulde zorgvraag", "Unmet care need", better="lower", contract=True),
    _level("carers", "count", ("Mantelzorgers", "mantelzorgers"), ("Informal carers", "carers"), contract=True),
    _level(
        "burden_mean",
        "mean",
        ("Gemiddelde belasting van mantelzorgers", "score 0–10"),
        ("Mean burden of carers", "score 0–10"),
        better="lower",
        contract=True,
    ),
    _share(
        "heavily_burdened_share",
        ("Zwaarbelaste mantelzorgers", "% van de mantelzorgers"),
        ("Heavily burdened carers", "% of carers"),
        better="lower",
        contract=True,
    ),
    _share(
        "overburdened_share",
        ("Overbelaste mantelzorgers", "% van de mantelzorgers"),
        ("Overburdened carers", "% of carers"),
        better="lower",
        contract=True,
    ),
    _share(
        "isolated_share",
        ("Sociaal geïsoleerde volwassenen", "% van de volwassenen"),
        ("Socially isolated adults", "% of adults"),
        better="lower",
        contract=True,
    ),
    _share(
        "lonely_share",
        ("Eenzame volwassenen", "% van de volwassenen"),
        ("Lonely adults", "% of adults"),
        better="lower",
    ),
    _share(
        "severely_lonely_share",
        ("Zeer eenzame volwassenen", "% van de volwassenen"),
        ("Severely lonely adults", "% of adults"),
        better="lower",
        contract=True,
    ),
    _share(
        "family_share",
        ("Aandeel van familie in de informele zorg", "% van de uren over banden"),
        ("Family's share of informal care", "% of hours given over ties"),
        contract=True,
    ),
    _share(
        "carrying_capacity",
        ("Draagkracht van de sociale basis", "% van de zorgvraag informeel beantwoord"),
        ("Carrying capacity of the social base", "% of need met informally"),
        better="higher",
        contract=True,
    ),
    _euros("municipal_cost_eur", "Uitgaven van de gemeente aan acties", "Municipal spending on actions", contract=True),
    _euros("formal_cost_eur", "Kosten van formele zorg", "Cost of formal care", contract=True),
    _level(
        "care_recipients",
        "count",
        ("Inwoners met een zorgvraag", "inwoners"),
        ("Residents with a care need", "residents"),
    ),
    _level("volunteers", "count", ("Vrijwilligers", "vrijwilligers"), ("Volunteers", "volunteers")),
    _level("neighbour_helpers", "count", ("Helpende buren", "inwoners"), ("Helping neighbours", "residents")),
    _hours("volunteer_hours", "Uren van vrijwilligers", "Volunteer hours"),
    _share(
        "informal_share_of_care",
        ("Informeel deel van de ontvangen zorg", "% van de ontvangen uren"),
        ("Informal share of care received", "% of hours received"),
    ),
    _level(
        "active_degree_mean", "mean", ("Actieve banden per volwassene", "banden"), ("Active ties per adult", "ties")
    ),
    _level(
        "bridging_ties",
        "count",
        ("Overbruggende banden", "actieve banden tussen wijken"),
        ("Bridging ties", "active ties between wijken"),
    ),
    _level("ties", "count", ("Banden", "levende banden"), ("Ties", "living ties")),
    _level(
        "budget_level",
        "mean",
        ("Budgetniveau van de acties", "× gepland"),
        ("Budget level of the actions", "× planned"),
    ),
    _hours("{layer}_hours", "Zorg uit de laag {layer}", "Care from the layer {layer}"),
    _euros("cost_{action}_eur", "Kosten van actie {action}", "Cost of action {action}"),
    _events("dropouts", ("Gestopte mantelzorgers", "mantelzorgers"), ("Carers who stopped", "carers")),
    _events("carer_illnesses", ("Ziek geworden mantelzorgers", "mantelzorgers"), ("Carers who fell ill", "carers")),
    _events("volunteer_matches", ("Koppelingen van vrijwilligers", "koppelingen"), ("Volunteer matches", "matches")),
    _events(
        "volunteer_dropouts", ("Gestopte vrijwilligers", "vrijwilligers"), ("Volunteers who stopped", "volunteers")
    ),
    _events("assessments", ("Gesprekken van het wijkteam", "inwoners"), ("Wijkteam assessments", "residents")),
    _events("mobilisations", ("Gemobiliseerde netwerken", "inwoners"), ("Networks mobilised", "residents")),
    _events(
        "carers_supported",
        ("Door het wijkteam ondersteunde mantelzorgers", "mantelzorgers"),
        ("Carers supported by the wijkteam", "carers"),
    ),
    _events("deaths", ("Overlijdens", "inwoners"), ("Deaths", "residents")),
    _events("signals_shopkeeper", ("Signalen van winkeliers", "signalen"), ("Signals from shopkeepers", "signals")),
    _events(
        "carers_supported_by_action",
        ("Mantelzorgers in de gesprekken van de gemeente", "mantelzorgers"),
        ("Carers in the municipality's conversations", "carers"),
    ),
    _events("networks_strengthened", ("Versterkte netwerken", "inwoners"), ("Networks strengthened", "residents")),
    _events("respite_hours", ("Respijtzorg", "uur"), ("Respite care", "hours")),
    _events(
        "volunteer_match_failures",
        ("Mislukte koppelingen van vrijwilligers", "verzoeken"),
        ("Failed volunteer matches", "requests"),
    ),
    _events("births", ("Geboorten", "kinderen"), ("Births", "children")),
    _events("need_onsets", ("Nieuwe zorgvragen", "inwoners"), ("New care needs", "residents")),
    _events("left_home", ("Uit huis gegaan", "jongvolwassenen"), ("Left home", "young adults")),
    _events("households_moved", ("Verhuisde huishoudens", "huishoudens"), ("Households moved", "households")),
    _events("residents_moved", ("Verhuisde inwoners", "inwoners"), ("Residents moved", "residents")),
    _events("couples_formed", ("Gaan samenwonen", "stellen"), ("Couples formed", "couples")),
    _events("ties_lost", ("Verloren banden", "banden"), ("Ties lost", "ties")),
    _events("ties_formed", ("Nieuwe losse banden", "banden"), ("Weak ties formed", "ties")),
    _events("bridging_ties_formed", ("Nieuwe banden tussen wijken", "banden"), ("Bridging ties formed", "ties")),
    _events("friendships_formed", ("Nieuwe vriendschappen", "banden"), ("Friendships formed", "ties")),
    _events("volunteers_joined", ("Nieuwe vrijwilligers", "vrijwilligers"), ("Volunteers joined", "volunteers")),
    _events("signals_self", ("Zelf om hulp gevraagd", "inwoners"), ("Asked for help themselves", "residents")),
    _events(
        "signals_network", ("Gesignaleerd door het netwerk", "inwoners"), ("Noticed by their network", "residents")
    ),
    _events(
        "signals_professional",
        ("Gesignaleerd door een professional", "inwoners"),
        ("Noticed by a professional", "residents"),
    ),
    _events("formal_personal_hours", ("Wijkverpleging (Zvw)", "uur"), ("District nursing (Zvw)", "hours")),
    _events("formal_practical_hours", ("Huishoudelijke hulp (Wmo)", "uur"), ("Household help (Wmo)", "hours")),
    _events("wijkteam_cost_eur", ("Kosten van het wijkteam (Wmo)", "€"), ("Cost of the wijkteam (Wmo)", "€")),
    _events(
        "carer_ill_weeks",
        ("Ziekteweken van mantelzorgers (18–66 jaar)", "weken"),
        ("Weeks ill of carers (aged 18–66)", "weeks"),
    ),
    _events(
        "wlz_admissions",
        ("Opnamen in een verpleeghuis (Wlz)", "inwoners"),
        ("Admissions to a care home (Wlz)", "residents"),
    ),
    _events(
        "wlz_resident_weeks",
        ("Verblijf in een verpleeghuis (Wlz)", "bewonersweken"),
        ("Stay in a care home (Wlz)", "resident-weeks"),
    ),
    _events("wlz_cost_eur", ("Kosten van verpleeghuiszorg (Wlz)", "€"), ("Cost of care-home care (Wlz)", "€")),
    Indicator("weeks", None, "weeks", _words("Weken", "weken in het jaar"), _words("Weeks", "weeks in the year")),
    _share(
        "gave_care_share",
        ("Volwassenen die mantelzorg gaven", "% van de volwassenen"),
        ("Adults who gave care", "% of adults"),
        weekly=None,
        yearly="year_end",
    ),
    _share(
        "friends_neighbours_carer_share",
        ("Mantelzorgers van vrienden of buren", "% van wie zorg gaf"),
        ("Carers of friends or neighbours", "% of those who gave care"),
        weekly=None,
        yearly="year_end",
    ),
    _at_year_end("residents_age_0_17", "Inwoners 0–17 jaar", "Residents aged 0–17", "inwoners", "residents"),
    _at_year_end("residents_age_18_49", "Inwoners 18–49 jaar", "Residents aged 18–49", "inwoners", "residents"),
    _at_year_end("residents_age_50_64", "Inwoners 50–64 jaar", "Residents aged 50–64", "inwoners", "residents"),
    _at_year_end("residents_age_65_74", "Inwoners 65–74 jaar", "Residents aged 65–74", "inwoners", "residents"),
    _at_year_end("residents_age_75_79", "Inwoners 75–79 jaar", "Residents aged 75–79", "inwoners", "residents"),
    _at_year_end("residents_age_80_84", "Inwoners 80–84 jaar", "Residents aged 80–84", "inwoners", "residents"),
    _at_year_end("residents_age_85_plus", "Inwoners 85+ jaar", "Residents aged 85+", "inwoners", "residents"),
    _at_year_end(
        "mantelzorg_potential",
        "Mantelzorgpotentieel",
        "Informal care potential",
        "inwoners van 50–74 per inwoner van 85+",
        "residents aged 50–74 per resident aged 85+",
    ),
)

#: Words for the members of a column family, per placeholder and language. A family listed here has exactly
#: these members; the members of another family (the actions, which a scenario file may compose) are named by
#: their key.
MEMBER_WORDS: dict[str, dict[str, dict[str, str]]] = {
    "layer": {
        "nl": {
            "household": "huishouden",
            "family_friends": "familie en vrienden",
            "neighbours": "buren en kennissen",
            "volunteers": "vrijwilligers",
            "professionals": "professionals",
        },
        "en": {
            "household": "household",
            "family_friends": "family and friends",
            "neighbours": "neighbours and acquaintances",
            "volunteers": "volunteers",
            "professionals": "professionals",
        },
    },
}

BY_NAME: dict[str, Indicator] = {i.name: i for i in INDICATORS if i.placeholder is None}
FAMILIES: dict[str, Indicator] = {i.placeholder: i for i in INDICATORS if i.placeholder is not None}

#: Columns of the weekly table that users' scripts rely on, in order: they come first.
WEEKLY_COLUMNS: tuple[str, ...] = tuple(i.name for i in INDICATORS if i.contract)
#: The weekly row's counts of this week's events, in the row's order.
EVENT_COLUMNS: tuple[str, ...] = tuple(i.name for i in INDICATORS if i.weekly == "events")


@functools.cache
def indicator(column: str) -> Indicator:
    """The table's entry of ``column``; a member of a family gets the family's entry with its words filled in.

    A column without an entry is an error: every output is declared here.
    """
    found = BY_NAME.get(column)
    if found is not None:
        return found
    for family in FAMILIES.values():
        member = family.member(column)
        if member is not None:
            return _member(family, column, member)
    raise KeyError(f"output column '{column}' has no entry in the indicator table (sim/indicator_table.py)")


def _member(family: Indicator, column: str, member: str) -> Indicator:
    """The entry of one member of a family: the family's, with the member's words in its names."""
    key = str(family.placeholder)
    words = MEMBER_WORDS.get(key, {})

    def filled(lang: str) -> Label:
        own = family.label(lang)
        return replace(own, name=own.name.replace("{" + key + "}", words.get(lang, {}).get(member, member)))

    return replace(family, name=column, nl=filled("nl"), en=filled("en"))


def label(column: str, lang: str) -> Label:
    """The words of ``column`` in ``lang``."""
    return indicator(column).label(lang)


def is_percent(column: str) -> bool:
    """Whether ``column`` is a share (0–1) shown as a percentage."""
    return indicator(column).percent


__all__ = [
    "BY_NAME",
    "EVENT_COLUMNS",
    "FAMILIES",
    "INDICATORS",
    "LANGUAGES",
    "MEMBER_WORDS",
    "WEEKLY_COLUMNS",
    "Indicator",
    "Label",
    "indicator",
    "is_percent",
    "label",
]
