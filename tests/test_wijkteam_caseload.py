"""The wijkteam's caseload works as in practice (issue 15): residents already indicated are not referred and
assessed again; an indication closes when the need ends, with death or a move, and is reviewed at its interval;
the intake queue is first come, first served and holds at most ``max_wait_weeks`` of the wijk's intake capacity;
its waiting time is the indicator ``wait_weeks_mean`` (weeks waited so far by those in the queue).
And where intake has room, shopkeepers' signals matter.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd
from conftest import make_small_config

from samenkracht.sim.model import CareNetworkModel
from samenkracht.sim.time import WEEKS_PER_YEAR
from samenkracht.tools.outputs import weekly_frame

SETTINGS = {"population.size": 1500, "years": 3, "burn_in_weeks": 26}
SEEDS = (1, 2, 3)


@dataclass
class Trace:
    model: CareNetworkModel
    weekly: pd.DataFrame
    assessed: int  #: assessments seen from outside the wijkteam (assessed_week set to this week)
    assessed_while_indicated: int  #: of those, residents indicated when the week's wijkteam step began
    indicated_without_need: int  #: resident-weeks indicated without a need, at the end of a week
    stale_after_leaving: int  #: slots whose occupant changed while an indication stayed (not newly assessed)
    queue_over_bound: int  #: wijk-weeks whose intake queue held more than max_wait_weeks of intake capacity
    overdue: int  #: resident-weeks with an indication whose review is more than a review interval late
    hidden_unmet: float  #: unmet hours summed over weeks, of residents with a need, low contact and no formal care
    hidden_weeks: int


def _trace(seed: int, overrides: dict | None = None, actions: dict | None = None) -> Trace:
    logging.getLogger("MESA").setLevel(logging.WARNING)
    config = make_small_config({**SETTINGS, **(overrides or {}), "seed": seed, "scenario.actions": actions or {}})
    model = CareNetworkModel(config)
    world, s, p = model.world, model.state, config.wijkteam
    wijkteam = next(m for m in model.mechanisms if m.name == "wijkteam")
    counts = dict(assessed=0, again=0, no_need=0, stale=0, over=0, overdue=0, hidden=0.0, hidden_n=0)
    for _ in range(config.years * WEEKS_PER_YEAR):
        world.begin_week()
        pid_before = s.person_id.copy()
        for mechanism in model.mechanisms:
            if mechanism is wijkteam:
                indicated_before = s.indicated.copy()
                mechanism.step(world)
                assessed = s.assessed_week == world.week
                counts["assessed"] += int(assessed.sum())
                counts["again"] += int((assessed & indicated_before).sum())
                hours = world.quadrant_hours_by_wijk()[:, 1]
                waiting = s.alive & s.referred & (s.severity > 0) & ~s.indicated
                queue = np.bincount(s.wijk[waiting], minlength=len(hours))
                counts["over"] += int((queue > hours / p.intake_hours * p.max_wait_weeks + 1).sum())
            else:
                mechanism.step(world)
        world.week += 1
        moved = s.person_id != pid_before
        counts["stale"] += int((moved & s.indicated & (s.assessed_week != world.week - 1)).sum())
        counts["no_need"] += int((s.alive & s.indicated & (s.severity <= 0)).sum())
        counts["overdue"] += int((s.indicated & (s.review_week < world.week - p.review_weeks)).sum())
        low = s.alive & (s.severity > 0) & (s.contact <= np.quantile(s.contact[s.alive], 0.25))
        low &= s.received_formal <= 0
        counts["hidden"] += float(s.unmet[low].sum())
        counts["hidden_n"] += int(low.sum())
    c = counts
    return Trace(
        model, weekly_frame(model), c["assessed"], c["again"], c["no_need"], c["stale"], c["over"], c["overdue"],
        c["hidden"], c["hidden_n"],
    )  # fmt: skip


@functools.cache
def baseline(seed: int) -> Trace:
    return _trace(seed)


def test_indicated_residents_are_not_assessed_again_and_reassessments_stay_below_a_tenth():
    """Over 3 seeds: no assessment of a resident who was indicated, and assessments of residents assessed within
    the review interval before (their indication closed and a need came back) are below 10% of assessments."""
    for seed in SEEDS:
        t = baseline(seed)
        df = t.weekly
        assert t.assessed == df["assessments"].sum() > 50, (seed, t.assessed)
        assert t.assessed_while_indicated == 0, f"seed {seed}: {t.assessed_while_indicated} indicated re-assessed"
        share = df["reassessments"].sum() / df["assessments"].sum()
        assert share < 0.10, f"seed {seed}: re-assessments are {share:.1%} of assessments"


def test_indication_closes_when_the_need_ends_or_the_resident_leaves_and_is_reviewed_at_its_interval():
    for seed in SEEDS:
        t = baseline(seed)
        df = t.weekly
        assert t.indicated_without_need == 0, f"seed {seed}: {t.indicated_without_need} resident-weeks"
        assert t.stale_after_leaving == 0, f"seed {seed}: an indication stayed with a slot whose occupant left"
        assert df["indications_closed"].sum() > 0 and df["reviews"].sum() > 0
        assert t.overdue == 0, f"seed {seed}: {t.overdue} resident-weeks with a review a whole interval late"


def test_intake_queue_is_bounded_by_capacity_and_its_waiting_time_is_an_indicator():
    """With a wijkteam a sixth of its usual size the queue fills: referrals beyond max_wait_weeks of intake
    capacity are turned away, the queue never holds more, and residents wait longer than with the usual team."""
    small = {"wijkteam.fte_per_1000": 0.1}
    for seed in SEEDS[:2]:
        tight, usual = _trace(seed, small), baseline(seed)
        assert tight.queue_over_bound == 0 and usual.queue_over_bound == 0
        assert tight.weekly["referrals_turned_away"].sum() > usual.weekly["referrals_turned_away"].sum()
        wait = tight.weekly["wait_weeks_mean"]
        assert wait.mean() > usual.weekly["wait_weeks_mean"].mean()
        assert (usual.weekly["wait_weeks_mean"] >= 0).all()


def test_shopkeepers_raise_assessments_and_lower_unmet_need_of_hidden_residents_where_intake_has_room():
    """Linked shops (signal chance 0.3) against the same seeds without them, with the usual wijkteam (whose intake
    has room, see the waiting time): more assessments, and less unmet need among residents with a need, little
    contact and no formal care."""
    shops = {"link_shopkeepers": {"signal_chance": 0.3}}
    more, less = [], []
    for seed in SEEDS:
        run, base = _trace(seed, actions=shops), baseline(seed)
        # Not saturated: residents wait less than the Wmo's six weeks on average.
        assert base.weekly["wait_weeks_mean"].mean() < 6, "the wijkteam's intake is saturated in the baseline"
        assert run.weekly["signals_shopkeeper"].sum() > 0
        more.append(int(run.weekly["assessments"].sum() - base.weekly["assessments"].sum()))
        less.append(run.hidden_unmet / run.hidden_weeks - base.hidden_unmet / base.hidden_weeks)
    assert np.mean(more) > 0 and sum(m > 0 for m in more) >= 2, f"assessments, per seed: {more}"
    assert np.mean(less) < 0 and sum(x < 0 for x in less) >= 2, f"hidden unmet hours a week, per seed: {less}"
