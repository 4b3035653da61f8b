"""Municipal actions: each a registered name, a typed parameter dataclass, a yearly cost and its levers.

An action never touches the model's state directly: while it is active it
sets per-wijk levers (sim/levers.py) that the weekly mechanisms read. The
municipality re-applies every active action each week, after resetting the
levers, so an action that stops leaves no trace in the next week's levers.
Costs are for capacity contracted (hours, conversations, FTE), booked weekly.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from samenkracht.scenarios.registry import register
from samenkracht.sim.errors import InputError
from samenkracht.sim.params import param, validate

if TYPE_CHECKING:
    from samenkracht.sim.model import CareNetworkModel

_SCHEDULE = ("action", "start_year", "end_year", "wijken")


class Action:
    """A scheduled municipal action limited to some wijken; subclasses define Params, levers and cost."""

    action_name: ClassVar[str]
    Params: ClassVar[type]

    def __init__(self, label: str, params: Any, start_year: int, end_year: int | None, wijk_mask: np.ndarray) -> None:
        self.label = label
        self.params = params
        self.start_year = start_year
        self.end_year = end_year
        self.wijk_mask = wijk_mask

    @classmethod
    def from_entry(cls, label: str, entry: dict[str, Any], where: str, wijk_names: list[str] | None) -> Action:
        """Check a scenario entry against this action's parameters and build the action."""
        fields = {f.name: f for f in dataclasses.fields(cls.Params)}
        unknown = [k for k in entry if k not in fields and k not in _SCHEDULE]
        if unknown:
            raise InputError(
                f"{where}.{unknown[0]}: unknown parameter of action '{cls.action_name}'. "
                f"Known: {', '.join([*_SCHEDULE[1:], *fields])}."
            )
        values = {}
        for name, f in fields.items():
            if name in entry:
                values[name] = _coerce(entry[name], f, f"{where}.{name}")
        params = cls.Params(**values)
        validate(params, f"{where}.")
        start = _year(entry.get("start_year", 0), f"{where}.start_year")
        end = entry.get("end_year")
        end = None if end is None else _year(end, f"{where}.end_year")
        if end is not None and end <= start:
            raise InputError(f"{where}.end_year={end} must be after start_year={start} (or null for no end).")
        return cls(label, params, start, end, _wijk_mask(entry.get("wijken"), f"{where}.wijken", wijk_names))

    def active(self, model: CareNetworkModel) -> bool:
        """Whether the action runs this week (never during the burn-in)."""
        return model.week >= 0 and self.start_year <= model.year and (self.end_year is None or model.year < self.end_year)

    def yearly_cost(self, model: CareNetworkModel) -> float:
        """Euros a year at full level."""
        raise NotImplementedError

    def set_levers(self, model: CareNetworkModel, level: float) -> None:
        """Set this week's levers at ``level`` (1 = as configured; lower when the budget cap scales actions down)."""
        raise NotImplementedError

    def per_1000(self, model: CareNetworkModel, rate: float) -> np.ndarray:
        """A rate per 1,000 residents as an amount for each wijk the action covers (in wijk order)."""
        s = model.state
        residents = np.bincount(s.wijk[s.alive], minlength=model.n_wijken).astype(float)
        return rate * residents[self.wijk_mask] / 1000.0


def _coerce(value: Any, f: dataclasses.Field, where: str) -> Any:
    kind = type(f.default) if f.default is not dataclasses.MISSING else None
    try:
        if kind is bool:
            if isinstance(value, bool):
                return value
            raise ValueError
        if kind is int:
            if isinstance(value, bool) or float(value) != int(float(value)):
                raise ValueError
            return int(value)
        if kind is float:
            if isinstance(value, bool):
                raise ValueError
            return float(value)
    except (TypeError, ValueError):
        raise InputError(f"{where}={value!r} is not a {kind.__name__}.") from None
    return value


def _year(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InputError(f"{where}={value!r}: give a whole number of years from 0 (the first simulated year).")
    return value


def _wijk_mask(wijken: Any, where: str, names: list[str] | None) -> np.ndarray:
    """The wijken an action covers, as a mask over ``names``. Without names (the configuration is checked before
    the municipality exists) only the form of the setting is checked, and the mask is empty."""
    if wijken is None or wijken == "all":
        return np.ones(0 if names is None else len(names), dtype=bool)
    if not isinstance(wijken, (list, tuple)) or not wijken:
        example = names[0] if names else "wijk_1"
        raise InputError(f"{where}: give 'all' or a list of wijken (names such as '{example}', or indices from 0).")
    if names is None:
        return np.zeros(0, dtype=bool)
    mask = np.zeros(len(names), dtype=bool)
    for w in wijken:
        if isinstance(w, int) and not isinstance(w, bool) and 0 <= w < len(names):
            mask[w] = True
        elif isinstance(w, str) and w in names:
            mask[names.index(w)] = True
        else:
            raise InputError(
                f"{where}: unknown wijk {w!r}. Wijken: {', '.join(repr(n) for n in names)} (or indices 0–{len(names) - 1})."
            )
    return mask


@register("link_shopkeepers")
class LinkShopkeepers(Action):
    """Shopkeepers become signalling points: residents at risk who shop locally are noticed and referred."""

    @dataclass
    class Params:
        signal_chance: float = param(
            0.08, unit="per week", lo=0, hi=1, doc="chance a linked shop notices a local shopper at risk in a week"
        )
        share_linked: float = param(1.0, unit="share", lo=0, hi=1, doc="share of the wijk's shops that take part")
        eur_per_shop: float = param(
            600.0, unit="€ a year", lo=0, hi=1e6, doc="training and contact per linked shop",
            source="assumption: a half-day training and quarterly contact with the wijkteam",
        )
        eur_per_wijk: float = param(5_000.0, unit="€ a year", lo=0, hi=1e7, doc="coordination per wijk")

    def yearly_cost(self, model):
        shops = np.bincount([a.wijk for a in model.shopkeepers], minlength=model.n_wijken)
        p = self.params
        return float((shops * p.share_linked * p.eur_per_shop + p.eur_per_wijk)[self.wijk_mask].sum())

    def set_levers(self, model, level):
        m = self.wijk_mask
        model.levers.shop_signal[m] = 1 - (1 - model.levers.shop_signal[m]) * (
            1 - self.params.signal_chance * self.params.share_linked * level
        )


@register("buurthulp")
class Buurthulp(Action):
    """A neighbourhood-help project: recruits willing neighbours as volunteers and matches requests,
    guarding privacy and safety."""

    @dataclass
    class Params:
        recruitment: float = param(
            0.03, unit="share of willing adults a year", lo=0, hi=1, doc="extra willing adults enrolled as volunteers a year"
        )
        match_success_bonus: float = param(
            0.1, unit="probability", lo=0, hi=1, doc="better matching by a coordinator who guards privacy and safety"
        )
        coordinator_fte: float = param(0.5, unit="FTE per wijk", lo=0, hi=20, doc="coordination of the project")
        eur_per_fte: float = param(70_000.0, unit="€ a year", lo=0, hi=1e7, doc="cost of a coordinator")

    def yearly_cost(self, model):
        return float(self.wijk_mask.sum() * self.params.coordinator_fte * self.params.eur_per_fte)

    def set_levers(self, model, level):
        m, lv, p = self.wijk_mask, model.levers, self.params
        lv.volunteer_recruitment[m] += p.recruitment * level
        lv.match_success_bonus[m] += p.match_success_bonus * level


@register("buurthulp_backup")
class BuurthulpBackup(Action):
    """A professional as backup (achterwacht) for buurthulp: more matches succeed, fewer volunteers drop out."""

    @dataclass
    class Params:
        match_success_bonus: float = param(
            0.2, unit="probability", lo=0, hi=1, doc="matches that succeed because volunteers can fall back on a professional"
        )
        dropout_factor: float = param(
            0.5, unit="×", lo=0, hi=1, doc="volunteers' dropout rate with backup, relative to without (fewer incidents)",
            source="Movisie, buurthulp: backup and guarded safety keep volunteers on",
        )
        fte: float = param(0.2, unit="FTE per wijk", lo=0, hi=20, doc="professional backup time")
        eur_per_fte: float = param(85_000.0, unit="€ a year", lo=0, hi=1e7, doc="cost of a professional")

    def yearly_cost(self, model):
        return float(self.wijk_mask.sum() * self.params.fte * self.params.eur_per_fte)

    def set_levers(self, model, level):
        m, lv, p = self.wijk_mask, model.levers, self.params
        lv.match_success_bonus[m] += p.match_success_bonus * level
        lv.volunteer_dropout_factor[m] *= 1 - (1 - p.dropout_factor) * level


@register("community_centre")
class CommunityCentreActivities(Action):
    """Activities in the community centre: new weak ties, bridging ties between wijken, less loneliness."""

    @dataclass
    class Params:
        extra_activity: float = param(
            2.0, unit="× baseline", lo=0, hi=50, doc="extra weak ties formed, relative to the baseline rate"
        )
        outreach: float = param(
            2.0, unit="weight", lo=0, hi=20, doc="how much activities reach lonely residents (0 = no more than others)"
        )
        bridging_bonus: float = param(0.15, unit="share", lo=0, hi=1, doc="extra share of new ties that bridge wijken")
        tie_strength: float = param(0.35, unit="strength", lo=0, hi=1, doc="strength of ties formed at activities")
        eur_per_wijk: float = param(40_000.0, unit="€ a year", lo=0, hi=1e7, doc="activities and a host, per wijk")

    def yearly_cost(self, model):
        return float(self.wijk_mask.sum() * self.params.eur_per_wijk * min(1.0, self.params.extra_activity))

    def set_levers(self, model, level):
        m, lv, p = self.wijk_mask, model.levers, self.params
        lv.tie_formation_factor[m] += p.extra_activity * level
        lv.outreach[m] += p.outreach * level
        lv.bridging_bonus[m] += p.bridging_bonus * level
        lv.new_tie_strength[m] = np.maximum(lv.new_tie_strength[m], p.tie_strength)


@register("respite_care")
class RespiteCare(Action):
    """Respijtzorg: substitute care so heavily burdened carers can recover, within a budget of hours."""

    @dataclass
    class Params:
        hours_per_1000: float = param(
            20.0, unit="hours a week per 1,000 residents", lo=0, hi=10_000, doc="respite hours contracted"
        )
        max_hours_per_carer: float = param(8.0, unit="hours a week", lo=0, hi=168, doc="most respite one carer gets")
        eur_per_hour: float = param(
            45.0, unit="€ an hour", lo=0, hi=1000, doc="price of an hour of respite care",
            source="Wmo respijtzorg tariffs 2024, about €40–55 an hour",
        )

    def yearly_cost(self, model):
        return float(self.per_1000(model, self.params.hours_per_1000).sum() * 52 * self.params.eur_per_hour)

    def set_levers(self, model, level):
        m, lv, p = self.wijk_mask, model.levers, self.params
        lv.respite_hours[m] += self.per_1000(model, p.hours_per_1000) * level
        lv.respite_max_per_carer[m] = np.maximum(lv.respite_max_per_carer[m], p.max_hours_per_carer)


@register("carer_support")
class CarerSupport(Action):
    """Happiness-oriented support (SIZ Twente): five conversations with a heavily burdened carer about what would
    make them happy and who else can help; lowers burden and brings secondary helpers in."""

    @dataclass
    class Params:
        carers_per_week_per_1000: float = param(
            0.5, unit="carers a week per 1,000 residents", lo=0, hi=100, doc="heavily burdened carers taken on a week"
        )
        relief_weeks: int = param(26, unit="weeks", lo=0, hi=520, doc="how long the support relieves burden")
        mobilise_network: bool = param(True, doc="the conversations bring in secondary helpers from the carer's network")
        eur_per_carer: float = param(
            600.0, unit="€ per carer", lo=0, hi=1e5, doc="five conversations of about 1.5 hours",
            source="SIZ Twente pilot: five conversations per carer",
        )

    def yearly_cost(self, model):
        carers = self.per_1000(model, self.params.carers_per_week_per_1000).sum()
        return float(carers * 52 * self.params.eur_per_carer)

    def set_levers(self, model, level):
        m, lv, p = self.wijk_mask, model.levers, self.params
        lv.support_capacity[m] += self.per_1000(model, p.carers_per_week_per_1000) * level
        lv.support_relief_weeks[m] = np.maximum(lv.support_relief_weeks[m], p.relief_weeks)
        if p.mobilise_network:
            lv.support_mobilises[m] = True


@register("network_strengthening")
class NetworkStrengthening(Action):
    """Methods that map and strengthen a resident's network (e.g. Eigen Kracht, netwerkkaart), turning
    willing-but-unasked ties into help."""

    @dataclass
    class Params:
        cases_per_week_per_1000: float = param(
            0.5, unit="residents a week per 1,000 residents", lo=0, hi=100, doc="residents with unmet need taken on a week"
        )
        tie_boost: float = param(0.15, unit="strength", lo=0, hi=1, doc="strength added to the resident's outside ties")
        eur_per_case: float = param(800.0, unit="€ per resident", lo=0, hi=1e5, doc="mapping and network meetings")

    def yearly_cost(self, model):
        cases = self.per_1000(model, self.params.cases_per_week_per_1000).sum()
        return float(cases * 52 * self.params.eur_per_case)

    def set_levers(self, model, level):
        m, lv, p = self.wijk_mask, model.levers, self.params
        lv.mobilise_capacity[m] += self.per_1000(model, p.cases_per_week_per_1000) * level
        lv.mobilise_tie_boost[m] = np.maximum(lv.mobilise_tie_boost[m], p.tie_boost)


@register("wijkteam")
class WijkteamPolicy(Action):
    """Wijkteam capacity, its time over the four quadrants of the netwerkkwadrant, and the social-model share."""

    @dataclass
    class Params:
        fte_factor: float = param(1.0, unit="× baseline", lo=0, hi=20, doc="wijkteam capacity relative to the baseline")
        social_model_share: float = param(
            -1.0, unit="share", lo=-1, hi=1, doc="share of cases in the social model; -1 keeps the baseline value"
        )
        quadrant_mix: list[float] = param(
            [], unit="shares", lo=0, hi=1, doc="own network, institutional, collective, policy; empty keeps the baseline"
        )
        eur_per_fte: float = param(85_000.0, unit="€ a year", lo=0, hi=1e7, doc="cost of a wijkteam worker")

        def check(self, prefix: str) -> None:
            if self.quadrant_mix and (len(self.quadrant_mix) != 4 or not 0.99 <= sum(self.quadrant_mix) <= 1.01):
                raise InputError(f"{prefix}quadrant_mix must be 4 shares adding up to 1, or empty.")

    def yearly_cost(self, model):
        base_fte = np.zeros(model.n_wijken)
        for a in model.wijkteam_workers:
            base_fte[a.wijk] += a.fte
        return float(base_fte[self.wijk_mask].sum() * (self.params.fte_factor - 1.0) * self.params.eur_per_fte)

    def set_levers(self, model, level):
        m, lv, p = self.wijk_mask, model.levers, self.params
        lv.wijkteam_fte_factor[m] *= 1.0 + (p.fte_factor - 1.0) * (level if p.fte_factor > 1 else 1.0)
        if p.social_model_share >= 0:
            lv.social_model_bonus[m] += (p.social_model_share - model.config.wijkteam.social_model_share)
        if p.quadrant_mix:
            lv.quadrant_mix[m] = np.asarray(p.quadrant_mix)


@register("citizen_initiatives")
class CitizenInitiatives(Action):
    """Subsidies for citizen initiatives (a neighbourhood meal, a walking group, a repair café) that add helpers and ties."""

    @dataclass
    class Params:
        initiatives_per_wijk: float = param(2.0, unit="initiatives", lo=0, hi=100, doc="initiatives subsidised per wijk")
        recruitment_per_initiative: float = param(
            0.005, unit="share of willing adults a year", lo=0, hi=1, doc="volunteers each initiative brings in"
        )
        ties_per_initiative: float = param(
            0.25, unit="× baseline tie formation", lo=0, hi=20, doc="extra weak ties each initiative forms"
        )
        eur_per_initiative: float = param(5_000.0, unit="€ a year", lo=0, hi=1e7, doc="subsidy per initiative")

    def yearly_cost(self, model):
        return float(self.wijk_mask.sum() * self.params.initiatives_per_wijk * self.params.eur_per_initiative)

    def set_levers(self, model, level):
        m, lv, p = self.wijk_mask, model.levers, self.params
        k = p.initiatives_per_wijk * level
        lv.volunteer_recruitment[m] += p.recruitment_per_initiative * k
        lv.tie_formation_factor[m] += p.ties_per_initiative * k
