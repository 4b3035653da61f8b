"""The students' page without a browser: choices become a configuration, the baseline twin, the summary export.

The page itself (Solara) is checked only where Solara is installed; the
browser test is tests/test_browser.py (make test-browser).
"""

from __future__ import annotations

import contextlib
import dataclasses
import inspect
import io
import multiprocessing
import re
import zipfile

import numpy as np
import pytest

from samenkracht.app import chance as chance_module
from samenkracht.app.chance import TOGETHER, ChanceCheckAbandoned, chance_check, forget_chance_results
from samenkracht.app.choices import (
    CHOICE_BY_NAME,
    CHOICES,
    GEMEENTE_DEFAULT,
    OwnAction,
    make_config,
    own_labels,
    parse_choices,
)
from samenkracht.app.export import effects, export_summary, summary_text
from samenkracht.app.figures import IndicatorChart, NetworkChart, indicator_figure, network_figure, panel_top
from samenkracht.app.run import (
    TWINS_KEPT,
    PairedRun,
    advance_run,
    baseline_twin,
    forget_baseline_twins,
    play_until_stopped,
    warm_in_background,
)
from samenkracht.sim.actions import registry
from samenkracht.sim.errors import InputError
from samenkracht.sim.model import CareNetworkModel
from samenkracht.sim.population import PopulationParams
from samenkracht.sim.time import WEEKS_PER_YEAR


@pytest.fixture(autouse=True)
def no_kept_chance_results():
    """Every test's chance checks make their own runs (a check takes the runs an earlier one made)."""
    forget_chance_results()
    yield
    forget_chance_results()


def _png(figure) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def test_every_registered_action_is_offered_on_the_page_with_a_switch_and_a_level():
    assert {c.name for c in CHOICES} == set(registry())
    signature = inspect.signature(PairedRun.__init__)
    # SolaraViz passes a Mesa scenario to a constructor whose signature takes **kwargs.
    assert all(p.kind != p.VAR_KEYWORD for p in signature.parameters.values())
    offered = set(signature.parameters) - {"self", "size", "years", "seed", "gemeente", "own"}
    assert offered == {c.name for c in CHOICES} | {f"{c.name}_level" for c in CHOICES}


def test_level_scales_the_main_parameter_and_stays_in_range():
    respite = CHOICE_BY_NAME["respite_care"]
    assert respite.settings(2.0)["hours_per_1000"] == 2 * respite.settings(1.0)["hours_per_1000"]
    assert CHOICE_BY_NAME["link_shopkeepers"].settings(4.0)["signal_chance"] <= 1.0
    # The wijkteam's level scales the extra capacity: level 1 is the ready-made +50%, level 2 is +100%.
    assert CHOICE_BY_NAME["wijkteam"].settings(2.0)["fte_factor"] == pytest.approx(2.0)
    for choice in CHOICES:
        make_config(200, 1, 1, {choice.name: 4.0})  # every action at the highest level is a valid scenario


def test_switched_off_actions_are_not_in_the_scenario_and_unknown_choices_are_refused():
    assert parse_choices({"respite_care": False, "respite_care_level": 3.0, "buurthulp": True}) == {"buurthulp": 1.0}
    with pytest.raises(ValueError, match="unknown choice"):
        parse_choices({"respite": True})


def test_without_actions_the_baseline_is_the_run_itself():
    run = PairedRun(size=150, years=1, seed=3)
    assert run.baseline is None
    run.step()
    assert run.baseline_rows is run.rows


def test_baseline_twin_is_the_same_as_a_run_without_actions():
    run = PairedRun(size=150, years=1, seed=5, carer_support=True, carer_support_level=2.0)
    plain = CareNetworkModel(make_config(150, 1, 5, {}))
    for _ in range(20):
        run.step()
        plain.step()
    assert run.baseline_rows == plain.rows
    assert run.rows != plain.rows  # the action acted


def test_runs_of_the_same_settings_share_one_baseline_twin_and_each_sees_it_at_its_own_week(fresh_twins):
    """A student's next mix of actions steps only its own municipality: the twin is stepped once, as far as the
    furthest run asked, and each run's baseline rows are those of a run without actions, up to its own week."""
    plain = CareNetworkModel(make_config(150, 1, 6, {}))
    for _ in range(40):
        plain.step()
    first = PairedRun(size=150, years=1, seed=6, respite_care=True)
    for _ in range(30):
        first.step()
    second = PairedRun(size=150, years=1, seed=6, buurthulp=True)
    assert second.twin is first.twin and second.baseline is first.baseline
    for _ in range(10):
        second.step()
    assert first.twin.week == 30  # not stepped again for the second run
    assert second.baseline_rows == plain.rows[:10]
    assert first.baseline_rows == plain.rows[:30]
    for _ in range(30):
        second.step()
    assert first.twin.week == 40
    assert second.baseline_rows == plain.rows[:40] and first.baseline_rows == plain.rows[:30]
    assert second.rows != first.rows  # each steps its own actions
    other = PairedRun(size=150, years=1, seed=7, buurthulp=True)
    assert other.twin is not first.twin  # another seed, another baseline


def test_the_kept_twins_are_the_last_used(fresh_twins):
    twins = [baseline_twin(100, 1, seed, GEMEENTE_DEFAULT) for seed in range(TWINS_KEPT)]
    assert baseline_twin(100, 1, 0, GEMEENTE_DEFAULT) is twins[0]  # used again: now the last used
    baseline_twin(100, 1, 99, GEMEENTE_DEFAULT)  # one more: the least recently used goes
    assert baseline_twin(100, 1, 0, GEMEENTE_DEFAULT) is twins[0]
    assert baseline_twin(100, 1, 1, GEMEENTE_DEFAULT) is not twins[1]


def test_a_twin_stepped_ahead_in_a_thread_while_a_run_steps_it_gives_the_rows_of_a_run_of_its_own(fresh_twins):
    plain = CareNetworkModel(make_config(150, 1, 8, {}))
    while plain.week < WEEKS_PER_YEAR:
        plain.step()
    stop, thread = warm_in_background(150, 1, 8, GEMEENTE_DEFAULT)  # alone: it steps the twin to its end
    thread.join(60)
    assert not thread.is_alive() and baseline_twin(150, 1, 8, GEMEENTE_DEFAULT).week == WEEKS_PER_YEAR
    forget_baseline_twins()
    run = PairedRun(size=150, years=1, seed=8, carer_support=True)
    stop, thread = warm_in_background(150, 1, 8, run.gemeente)  # beside a run stepping the same twin
    while run.running:
        run.step()
    thread.join(60)
    assert not thread.is_alive() and not stop.is_set()
    assert run.twin.week == WEEKS_PER_YEAR
    assert run.baseline_rows == plain.rows
    # Stopped: it steps at most the week under way.
    forget_baseline_twins()
    stop, thread = warm_in_background(150, 1, 9, run.gemeente)
    twin = baseline_twin(150, 1, 9, run.gemeente)
    stop.set()
    thread.join(60)
    assert twin.week < WEEKS_PER_YEAR


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_two_threads_asking_one_twin_for_the_same_weeks_step_each_week_once(fresh_twins):
    """Runs of two page sessions (or a run and the warming thread) ask one twin for the same weeks at once. (Two
    steps of one model at once: Mesa warns that its clock went back, an error here, and the thread stops.)"""
    import sys
    import threading

    forget_baseline_twins()
    plain = CareNetworkModel(make_config(100, 1, 11, {}))
    while plain.week < WEEKS_PER_YEAR:
        plain.step()
    twin = baseline_twin(100, 1, 11, GEMEENTE_DEFAULT)
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as the interpreter can
    try:
        threads = [
            threading.Thread(target=lambda: [twin.advance_to(w) for w in range(1, WEEKS_PER_YEAR + 1)])
            for _ in range(2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
    finally:
        sys.setswitchinterval(before)
    assert twin.week == WEEKS_PER_YEAR
    assert twin.rows_until(WEEKS_PER_YEAR) == plain.rows


@pytest.fixture
def fresh_twins():
    """No baseline twins kept before or after the test."""
    forget_baseline_twins()
    yield
    forget_baseline_twins()


def test_a_twin_whose_step_failed_is_dropped_and_its_run_goes_no_further(fresh_twins):
    """A step of the baseline that fails stops the run before its own week (the two stay at the same week), fails
    again for every run holding that twin, and the next run of the settings starts a twin of its own. (A Mesa
    model whose step raised steps no more: its clock's next event was not scheduled; the page builds anew.)"""
    run = PairedRun(size=100, years=1, seed=10, respite_care=True)
    for _ in range(3):
        run.step()
    twin = run.twin
    real_step = twin.model.step

    def broken() -> None:
        raise ValueError("planted")

    twin.model.step = broken
    with pytest.raises(ValueError, match="planted"):
        run.step()
    assert run.week == 3 and twin.week == 3
    with pytest.raises(RuntimeError, match="baseline run failed: planted"):  # as for every run holding it
        twin.advance_to(4)
    twin.model.step = real_step  # the cause gone: a new run of these settings works
    again = PairedRun(size=100, years=1, seed=10, buurthulp=True)
    assert again.twin is not twin
    for _ in range(5):
        again.step()
    plain = CareNetworkModel(make_config(100, 1, 10, {}))
    for _ in range(5):
        plain.step()
    assert again.baseline_rows == plain.rows


def test_a_twin_pushed_out_of_the_kept_ones_is_no_longer_warmed(fresh_twins):
    twin = baseline_twin(100, 1, 12, GEMEENTE_DEFAULT)
    for seed in range(TWINS_KEPT):
        baseline_twin(100, 1, 100 + seed, GEMEENTE_DEFAULT)
    twin.warm()
    assert twin.week == 0


def test_run_stops_after_its_years():
    run = PairedRun(size=100, years=1, seed=2)
    while run.running:
        run.step()
    assert run.week == 52 and len(run.rows) == 52
    run.step()
    assert len(run.rows) == 52


def test_summary_names_the_actions_and_their_effects_in_dutch_and_english():
    run = PairedRun(size=150, years=1, seed=4, respite_care=True, respite_care_level=2.0, link_shopkeepers=True)
    assert "nog niet gesimuleerd" in summary_text(run, "nl")
    for _ in range(10):
        run.step()
    found, weeks = effects(run)
    assert weeks == 10 and [e.column for e in found] == [
        "heavily_burdened_share",
        "isolated_share",
        "unmet_hours",
        "carrying_capacity",
    ]
    nl, en = summary_text(run, "nl"), summary_text(run, "en")
    assert "Respijtzorg" in nl and "niveau 2×" in nl and "Winkeliers als signaalpunt" in nl
    assert "Zwaarbelaste mantelzorgers" in nl and "de eerste 10 weken" in nl
    assert "Respite care" in en and "level 2×" in en and "Heavily burdened carers" in en


def test_export_saves_a_png_a_text_and_the_scenario_and_zips_them(tmp_path):
    run = PairedRun(size=150, years=1, seed=4, community_centre=True)
    for _ in range(5):
        run.step()
    data, folder = export_summary(run, "nl", tmp_path)
    assert folder.parent == tmp_path
    assert (folder / "samenvatting.png").read_bytes().startswith(b"\x89PNG")
    text = (folder / "samenvatting.txt").read_text(encoding="utf-8")
    assert "Activiteiten in het buurthuis" in text
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert sorted(z.namelist()) == ["samenvatting.png", "samenvatting.txt", "scenario/pagina_keuzes.yaml"]
        assert z.read("samenvatting.txt").decode("utf-8") == text
    data, folder = export_summary(run, "en", tmp_path)
    assert (folder / "summary.txt").exists() and (folder / "summary.png").exists()


def test_network_and_plots_draw_and_a_large_municipality_shows_its_first_wijken():
    small = PairedRun(size=200, years=1, seed=1, buurthulp=True)
    for _ in range(3):
        small.step()
    assert small.drawn_wijken == small.chosen.n_wijken
    assert len(small.layout()) == 200
    for colour in ("burden", "loneliness"):
        assert _png(network_figure(small, colour, "nl")).startswith(b"\x89PNG")
    assert _png(indicator_figure(small, "en")).startswith(b"\x89PNG")
    large = PairedRun(size=2000, years=1, seed=1)
    assert 1 <= large.drawn_wijken < large.chosen.n_wijken
    assert len(large.layout()) <= 800
    assert _png(network_figure(large, "burden", "en")).startswith(b"\x89PNG")


def test_the_network_drawing_shows_each_living_resident_and_tie_of_the_drawn_wijken_once():
    """The drawing's dots and lines are the living residents with a place in it and the living ties between two
    of them, each line in its colour group by the tie's kind: counted against the model's networkx graph."""
    from matplotlib.collections import LineCollection, PathCollection

    for run in (PairedRun(size=200, years=1, seed=2, buurthulp=True), PairedRun(size=2000, years=1, seed=2)):
        pos = run.layout()
        for _ in range(30):  # deaths, moves and new ties since the layout was made
            run.step()
        graph = run.chosen.graph.subgraph([v for v in run.chosen.graph.nodes if v in pos])
        kinds = [kind for _, _, kind in graph.edges(data="kind")]
        family = sum(k in ("household", "family") for k in kinds)
        help_ = sum(k in ("volunteer", "professional") for k in kinds)
        ax = network_figure(run, "burden", "nl").axes[0]
        lines = [len(c.get_segments()) for c in ax.collections if isinstance(c, LineCollection)]
        assert lines == [n for n in (len(kinds) - family - help_, family, help_) if n]
        dots = sum(len(c.get_offsets()) for c in ax.collections if isinstance(c, PathCollection))
        assert dots == graph.number_of_nodes()
    # A slot no one lives in (its resident gone, not yet replaced) is not drawn, nor are its ties.
    s, ties = run.chosen.state, run.chosen.ties
    gone = next(iter(pos))
    s.alive[gone] = False
    ax = network_figure(run, "burden", "nl").axes[0]
    assert sum(len(c.get_offsets()) for c in ax.collections if isinstance(c, PathCollection)) == dots - 1
    lines = sum(len(c.get_segments()) for c in ax.collections if isinstance(c, LineCollection))
    in_drawing = np.zeros(s.n, dtype=bool)
    in_drawing[list(pos)] = True
    its_ties = ties.alive & ((ties.u == gone) | (ties.v == gone)) & in_drawing[ties.u] & in_drawing[ties.v]
    assert lines == len(kinds) - int(its_ties.sum())


def _pixels(png: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def test_a_panels_axis_tops_out_at_a_round_number_above_its_highest_value():
    assert panel_top("unmet_hours") == 1.0  # nothing drawn yet
    assert panel_top("unmet_hours", np.zeros(3)) == 1.0
    assert panel_top("unmet_hours", np.array([0.5, 0.95]), np.zeros(0)) == 1.0  # 5% over 0.95 is 0.9975
    assert panel_top("unmet_hours", np.array([1.0])) == 2.0
    assert panel_top("isolated_share", np.array([2.3]), np.array([0.4])) == 2.5  # the higher of the two lines
    assert panel_top("unmet_hours", np.array([3.0]), np.array([130.0])) == 200.0
    assert panel_top("unmet_hours", np.array([9.6])) == 20.0
    assert panel_top("heavily_burdened_share", np.array([0.0123])) == 0.02
    assert panel_top("carrying_capacity", np.array([35.0])) == 100.0


def test_the_kept_charts_draw_what_new_figures_draw_and_their_axes_only_when_these_change():
    """The page's charts, kept from one redraw to the next, give the pictures of new figures (the indicator lines
    drawn over the axes' frame: a few pixels), redrawing their axes and text only when an axis grows."""
    run = PairedRun(size=300, years=3, seed=4, buurthulp=True, respite_care=True)
    indicators = IndicatorChart(run, "en")
    networks = {colour: NetworkChart(run, colour, "nl") for colour in ("burden", "loneliness")}
    tops, changes = None, 0
    for weeks in (1, 3, 10, 30, 60, 100):
        while run.week < weeks:
            run.step()
        kept = _pixels(indicators.png())
        fresh = indicator_figure(run, "en")
        now = tuple(ax.get_ylim() for ax in fresh.axes)
        changes += now != tops
        tops = now
        assert indicators.full_draws == changes
        differ = np.abs(kept - _pixels(_png(fresh))).max(axis=2) > 0
        assert differ.mean() < 0.001, (weeks, differ.mean())
        for colour, chart in networks.items():
            assert np.array_equal(_pixels(chart.png()), _pixels(_png(network_figure(run, colour, "nl")))), weeks
            assert chart.full_draws == 1
            assert len(chart._ax.collections) == len(chart._artists)  # the last redraw's residents and ties only
    assert 1 <= changes < 6  # the axes grew at times, but not at every redraw


def _render_controls(run: PairedRun):
    """The page's Controls for ``run``, rendered by solara without a browser (skipped without the app extra):
    the page module, the model's reactive, the render context and ipyvuetify, for finding its widgets."""
    solara = pytest.importorskip("solara", reason="the app extra is not installed")
    import ipyvuetify as v

    from samenkracht.app import page

    model = solara.reactive(run)

    @solara.component
    def Page() -> None:
        page.Controls(model, "en")

    _, rc = solara.render(Page(), handle_error=False)
    return page, model, rc, v


def _wait_while(condition, seconds: float) -> None:
    """Poll ``condition`` until it is false or ``seconds`` have passed."""
    import time

    deadline = time.monotonic() + seconds
    while condition() and time.monotonic() < deadline:
        time.sleep(0.05)


def test_a_step_that_fails_while_playing_is_shown_on_the_page_and_play_is_switched_off():
    """The page's Controls rendered by solara (no browser): a step raises during Play; the page says what failed,
    Play is off again, and Build clears the message."""
    import time

    run = PairedRun(size=200, years=2, seed=1)
    steps = {"n": 0}
    step = run.step

    def failing() -> None:
        steps["n"] += 1
        if steps["n"] > 3:
            raise ValueError("boom in week four")
        step()

    run.step = failing  # type: ignore[method-assign]
    page, _, rc, v = _render_controls(run)
    try:
        page.playing.set(True)
        _wait_while(lambda: page.playing.value, 30)
        time.sleep(0.2)
        assert not page.playing.value
        assert page.play_error.value == "ValueError: boom in week four"
        rc.find(v.Alert, children=[page.TEXT["en"]["step_failed"].format(error=page.play_error.value)]).assert_single()
        rc.find(v.Btn, children=[page.TEXT["en"]["reset"]]).widget.click()
        assert page.play_error.value == ""
        assert rc.find(v.Alert).widgets == []
    finally:
        page.playing.set(False)
        page.play_error.set("")
        rc.close()


def test_building_again_stops_a_running_chance_check(monkeypatch):
    """The page rendered by solara (no browser): a chance check is running when the student builds again; the
    check is cancelled and stops at its next finished run, its runs not yet started dropped."""
    stopped: list[ChanceCheckAbandoned] = []

    def watched(*args, **kwargs):
        try:
            return chance_check(*args, **kwargs)
        except ChanceCheckAbandoned as exc:
            stopped.append(exc)
            raise

    run = PairedRun(size=150, years=1, seed=4, respite_care=True, buurthulp=True)
    page, model, rc, v = _render_controls(run)
    monkeypatch.setattr(page, "chance_check", watched)
    try:
        page.chance_for.set(run.token)
        page.chance_task(run.size, run.years, run.seed, run.gemeente, dict(run.levels), run.own)
        assert page.chance_task.pending
        rc.find(v.Btn, children=[page.TEXT["en"]["reset"]]).widget.click()
        assert model.value is not run
        _wait_while(lambda: page.chance_task.pending, 60)
        assert page.chance_task.cancelled
        assert len(stopped) == 1 and stopped[0].cancelled > 0
    finally:
        rc.close()


def test_page_choices_rebuild_the_model_they_describe():
    pytest.importorskip("solara", reason="the app extra is not installed")
    from samenkracht.app import page

    kwargs = page.run_kwargs()
    run = PairedRun(**kwargs)
    assert page.built_with(run) == kwargs
    kwargs.update(respite_care=True, respite_care_level=2.0, size=200, own=(CAFE,))
    rebuilt = PairedRun(**kwargs)
    assert rebuilt.levels == {"respite_care": 2.0} and rebuilt.size == 200 and rebuilt.own_on == (CAFE,)
    assert page.built_with(rebuilt) == kwargs


def test_every_dutch_text_of_the_page_has_an_english_counterpart():
    from samenkracht.app.texts import ACTION_TEXT, EFFECT_TEXT, PARTNER_TEXT, TEXT

    for table in (TEXT, ACTION_TEXT, EFFECT_TEXT, PARTNER_TEXT):
        assert set(table["nl"]) == set(table["en"])
        for key, words in table["nl"].items():
            assert words and table["en"][key], key
    for key, words in TEXT["nl"].items():
        # Placeholders match, so a sentence says the same thing in both languages.
        assert sorted(re.findall(r"{(\w+)", words)) == sorted(re.findall(r"{(\w+)", TEXT["en"][key])), key
    different = [k for k in TEXT["nl"] if TEXT["nl"][k] != TEXT["en"][k]]
    assert len(different) > 0.9 * len(TEXT["nl"]), "most page texts are not translated"


CAFE = OwnAction(
    "Mantelzorgcafé in de bibliotheek",
    "buurtcentrum",
    (("tie_formation_factor", 1.3), ("support_capacity", 0.5)),
    900.0,
)


def test_own_action_runs_beside_the_ready_made_ones_and_is_in_the_summary():
    run = PairedRun(size=200, years=1, seed=3, respite_care=True, own=(CAFE,))
    while run.running:
        run.step()
    label = own_labels((CAFE,))[0]
    assert label == "mantelzorgcafe_in_de_bibliotheek"
    assert set(run.action_costs()) == {"respite_care", label}
    assert run.action_costs()[label] == pytest.approx(900.0 * run.chosen.state.alive.sum() / 1000)
    text = summary_text(run, "nl")
    assert "Mantelzorgcafé in de bibliotheek (eigen actie) — samenwerking met het buurtcentrum" in text
    assert "meer ontmoeting in de wijk (sterkte 1,30)" in text
    english = summary_text(run, "en")
    assert "(own action) — working with the community centre" in english
    switched_off = PairedRun(size=200, years=1, seed=3, own=(dataclasses.replace(CAFE, on=False),))
    assert switched_off.baseline is None and not switched_off.config.scenario.actions


def test_own_action_is_refused_with_the_problem_named():
    with pytest.raises(ValueError, match="name"):
        dataclasses.replace(CAFE, title=" ").check()
    with pytest.raises(ValueError, match="one to 3 different effects"):
        dataclasses.replace(CAFE, effects=()).check()
    with pytest.raises(InputError, match="outside its range"):
        dataclasses.replace(CAFE, effects=(("respite_hours", 500.0),)).check()


def test_gemeente_nu_is_the_default_model_and_2013_differs_where_the_social_domain_changed():
    default = make_config(300, 1, 1, {})
    nu = make_config(300, 1, 1, {}, gemeente="gemeente_nu")
    before = make_config(300, 1, 1, {}, gemeente="gemeente_2013")
    assert nu == default
    assert make_config(300, 1, 1, {}).population == PopulationParams(size=300, wijken=3)
    assert before.wijkteam.fte_per_1000 < nu.wijkteam.fte_per_1000
    assert before.wijkteam.social_model_share < nu.wijkteam.social_model_share
    assert before.wijkteam.home_care_fte_per_1000 > nu.wijkteam.home_care_fte_per_1000
    assert sum(before.population.age_shares[4:]) < sum(nu.population.age_shares[4:])
    with pytest.raises(ValueError, match="gemeente_2013"):
        make_config(300, 1, 1, {}, gemeente="gemeente_1990")


def test_chance_check_gives_each_action_an_interval_over_seeds():
    result = chance_check(150, 1, 4, "gemeente_nu", {"respite_care": 2.0}, (CAFE,), n_seeds=3)
    assert [a.name for a in result.arms] == [TOGETHER, "respite_care", "mantelzorgcafe_in_de_bibliotheek"]
    assert result.seeds == (4, 42, 1)
    for arm in result.arms:
        for mean, lo, hi in result.effects[arm.name].values():
            assert lo <= mean <= hi


def test_a_chance_check_makes_only_the_runs_no_earlier_check_made(monkeypatch):
    """The same check again makes no run; with an action added, it makes only the runs with it (all together, and
    the new action alone) and takes the baselines and the earlier action alone from the first check; the result
    is the check made afresh."""
    made = []
    real = chance_module._run_last_year

    def counted(size, years, seed, levels, own, gemeente):
        made.append((seed, tuple(sorted(levels)), len(own)))
        return real(size, years, seed, levels, own, gemeente)

    monkeypatch.setattr(chance_module, "_run_last_year", counted)
    args = (120, 1, 4, "gemeente_nu")
    first = chance_check(*args, {"respite_care": 2.0}, (), n_seeds=3, jobs=1)
    assert len(made) == 3 * 2  # the baseline and the one action, for each seed
    made.clear()
    seen: list[float] = []
    assert chance_check(*args, {"respite_care": 2.0}, (), progress=seen.append, n_seeds=3, jobs=1) == first
    assert made == [] and seen == [1.0]
    both = chance_check(*args, {"respite_care": 2.0, "buurthulp": 1.0}, (), n_seeds=3, jobs=1)
    assert sorted(made) == sorted(
        [(s, ("buurthulp", "respite_care"), 0) for s in both.seeds] + [(s, ("buurthulp",), 0) for s in both.seeds]
    )
    forget_chance_results()
    assert chance_check(*args, {"respite_care": 2.0, "buurthulp": 1.0}, (), n_seeds=3, jobs=1) == both


def test_chance_check_in_worker_processes_is_the_check_made_one_by_one():
    """The chance check's runs spread over worker processes give exactly the result of running them in turn
    here, and progress reaches 1 once every run is done."""
    args = (150, 1, 4, "gemeente_nu", {"respite_care": 2.0, "link_shopkeepers": 1.0}, (CAFE,))
    seen: list[float] = []
    alone = chance_check(*args, n_seeds=2, jobs=1)
    forget_chance_results()  # the workers make every run again
    spread = chance_check(*args, progress=seen.append, n_seeds=2, jobs=2)
    assert spread == alone
    assert len(seen) == 2 * (len(alone.arms) + 1) and seen[-1] == 1.0 and seen == sorted(seen)


def test_a_play_left_behind_by_pause_and_play_neither_steps_alongside_nor_switches_play_off():
    """Pause then Play at once (solara starts the new play thread without waiting for the old one): the old
    thread stops at its next look, never steps the run while the new one does (app/run.py, advance_run's lock),
    and leaves the Play button to the new thread, which plays to the end and switches it off."""
    import threading
    import time

    from samenkracht.app import run as run_module

    class Run:  # a run of 60 weeks whose steps take a little time, and that notices two steppers at once
        def __init__(self) -> None:
            self.week, self.inside, self.overlaps = 0, 0, 0
            self.by: list[str] = []  # which thread stepped each week
            self.lock = _NoRunLock()  # not PairedRun's own lock: the session's lock is under test

        @property
        def running(self) -> bool:
            return self.week < 60

        def step(self) -> None:
            self.inside += 1
            self.overlaps += self.inside > 1
            time.sleep(0.002)
            self.by.append(threading.current_thread().name)
            self.week += 1
            self.inside -= 1

    run, lock = Run(), threading.Lock()
    state = {"playing": True, "current": "old", "stops": []}
    old_started = threading.Event()

    def play(name: str) -> threading.Thread:
        def redraw() -> None:
            if name == "old":
                old_started.set()

        def target() -> None:
            run_module.play_while_current(
                lambda: state["current"] == name,
                lambda: state["playing"],
                lambda: state["stops"].append(name),
                lambda: run,
                lock,
                redraw,
                weeks=5,
                clock=lambda: 10.0 * run.week,  # a redraw after every 5 weeks
            )

        thread = threading.Thread(target=target, name=name)
        thread.start()
        return thread

    old = play("old")
    assert old_started.wait(10)
    state["current"] = "new"  # Pause and Play again: the old thread is replaced while it steps
    switched = run.week
    new = play("new")
    old.join(10), new.join(10)
    assert run.week == 60 and run.overlaps == 0
    # The old thread looks before every week: it finishes at most the week under way when it was replaced.
    assert run.by[switched:].count("old") <= 1 and run.by[-1] == "new"
    # A thread replaced while it waited for the lock (Pause, Play, Pause in quick succession) steps nothing.
    waiting = Run()
    with lock:
        late = threading.Thread(target=run_module.advance_run, args=(waiting, lock, 26, lambda: False))
        late.start()
        time.sleep(0.05)
    late.join(10)
    assert waiting.week == 0
    run_module.advance_run(waiting, lock, 26)  # a Step: half a year
    assert waiting.week == 26
    assert state["stops"] == ["new"]
    # A step that fails switches Play off (the page would otherwise show Pause on a run that no longer moves).
    state["stops"].clear()
    failing = Run()
    failing.step = lambda: (_ for _ in ()).throw(RuntimeError("step failed"))  # type: ignore[method-assign]
    errors: list[Exception] = []
    with pytest.raises(RuntimeError, match="step failed"):
        run_module.play_while_current(
            lambda: True,
            lambda: True,
            lambda: state["stops"].append(f"x after {len(errors)} error"),
            lambda: failing,
            lock,
            lambda: None,
            5,
            on_error=errors.append,
        )
    # The error is handed on first, while the thread is still the current one (switching Play off starts the next).
    assert [str(e) for e in errors] == ["step failed"] and state["stops"] == ["x after 1 error"]
    # ... but not from a thread that a newer Play replaced while its step was failing: that Play plays on.
    state["stops"].clear()
    replaced = {"current": True}

    def fail_once_replaced() -> None:
        replaced["current"] = False
        raise RuntimeError("step failed")

    failing.step = fail_once_replaced  # type: ignore[method-assign]
    errors.clear()
    with pytest.raises(RuntimeError, match="step failed"):
        run_module.play_while_current(
            lambda: replaced["current"],
            lambda: True,
            lambda: state["stops"].append("x"),
            lambda: failing,
            lock,
            lambda: None,
            5,
            on_error=errors.append,
        )
    assert state["stops"] == [] and errors == []
    # Paused (playing false): stops at once, and Play stays as the pause left it.
    state["stops"].clear()
    assert (
        run_module.play_while_current(
            lambda: True, lambda: False, lambda: state["stops"].append("p"), lambda: Run(), lock, lambda: None, 5
        )
        == 0
    )
    assert state["stops"] == []


@pytest.mark.parametrize("jobs", [1, 2])
def test_chance_check_stops_when_no_longer_wanted_and_at_a_failing_run(jobs):
    """A check the page no longer wants (keep_going turns false after the first run) cancels the runs not yet
    started and says how many; a failing run's error reaches the page, the rest of the check cancelled."""
    args = (150, 1, 4, "gemeente_nu", {"respite_care": 2.0}, (CAFE,))  # 3 arms and the baseline, per seed
    total = 5 * 4
    seen: list[float] = []
    before = set(multiprocessing.active_children())
    with pytest.raises(ChanceCheckAbandoned) as stopped:
        chance_check(*args, progress=seen.append, n_seeds=5, jobs=jobs, keep_going=lambda: not seen)
    workers = set(multiprocessing.active_children()) - before
    assert stopped.value.done == len(seen) == 1
    # In turn nothing else ran. In workers, the runs the pool has handed on go on: one running in each worker and
    # up to jobs + 1 in its call queue (concurrent.futures' EXTRA_QUEUED_CALLS), and some of them may have ended
    # as the first was reported; the rest, most of the check, never start.
    if jobs == 1:
        assert stopped.value.cancelled == total - 1
    else:
        assert stopped.value.cancelled >= total - 2 * (2 * jobs + 1)
        # ... and the check came back without waiting for them: its workers are still at those runs.
        assert workers
    before = set(multiprocessing.active_children())
    with pytest.raises(KeyError, match="no_such_action"):
        chance_check(150, 1, 4, "gemeente_nu", {"respite_care": 2.0, "no_such_action": 1.0}, (), jobs=jobs)
    if jobs > 1:  # the baseline runs handed on before the failure go on in their workers; the check did not wait
        assert set(multiprocessing.active_children()) - before


def test_exported_scenario_runs_to_the_page_numbers(tmp_path):
    from samenkracht.tools.config_store import to_sim_config
    from samenkracht.tools.overrides import compose

    run = PairedRun(size=200, years=1, seed=3, respite_care=True, own=(CAFE,), gemeente="gemeente_2013")
    data, folder = export_summary(run, "nl", tmp_path)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert "scenario/pagina_keuzes.yaml" in z.namelist()
    config = to_sim_config(compose([f"hydra.searchpath=[file://{folder}]", "scenario=pagina_keuzes"]))
    page = dataclasses.replace(run.config, scenario=config.scenario)
    assert config == page


def test_every_lever_unit_has_dutch_words_for_the_page():
    from samenkracht.sim.levers import UNIT_NL, iter_levers, lever_unit

    missing = sorted({meta["unit"] for _, meta in iter_levers() if meta["unit"] not in UNIT_NL})
    assert not missing, f"lever units without Dutch words (sim/levers.py UNIT_NL): {missing}"
    respite = dict(iter_levers())["respite_hours"]
    assert lever_unit(respite, "nl") == "uur per week per 1.000 inwoners"
    assert lever_unit(respite, "en") == "hours a week per 1,000 residents"


def test_playing_redraws_once_a_second_of_stepping_and_when_it_stops():
    """The page's play loop (app/run.py, play_until_stopped) with a clock the test moves: a redraw after each
    REDRAW_SECONDS of stepping, the redraw's own time not counted, and one when the run stops; every step taken."""
    from samenkracht.app import run as run_module

    now = [0.0]
    steps, drawn = [], []

    def advance() -> None:  # half a year of stepping takes 0.3 s
        steps.append(now[0])
        now[0] += 0.3

    def redraw() -> None:  # a redraw takes 0.5 s, which is not stepping
        drawn.append(len(steps))
        now[0] += 0.5

    def going() -> bool:
        return len(steps) < 20  # 10 years

    n = run_module.play_until_stopped(going, advance, redraw, clock=lambda: now[0])
    assert len(steps) == 20
    # 0.3 s a step: the 4th step passes 1 s (1.2 s), then every 4th again; the 20th was just drawn, so no
    # second redraw of the same picture at the end.
    assert drawn == [4, 8, 12, 16, 20]
    assert n == len(drawn)
    # Redrawn after every step when each step takes a second: as the page drew before, every half year.
    steps.clear(), drawn.clear()
    now[0] = 0.0

    def slow() -> None:
        steps.append(now[0])
        now[0] += run_module.REDRAW_SECONDS

    run_module.play_until_stopped(going, slow, redraw, clock=lambda: now[0])
    assert drawn == list(range(1, 21))
    # Stopped between redraws (18 steps: the last redraw after 16): drawn once more where it stopped.
    steps.clear(), drawn.clear()
    now[0] = 0.0
    n = run_module.play_until_stopped(lambda: len(steps) < 18, advance, redraw, clock=lambda: now[0])
    assert drawn == [4, 8, 12, 16, 18] and n == 5
    # Nothing to play (the run had already stopped): no step and no redraw.
    steps.clear(), drawn.clear()
    assert run_module.play_until_stopped(lambda: False, advance, redraw, clock=lambda: now[0]) == 0
    assert steps == [] and drawn == []
    # A step that fails: what was stepped is still drawn, and the error reaches the caller.
    steps.clear(), drawn.clear()
    now[0] = 0.0

    def failing() -> None:
        advance()
        if len(steps) == 6:
            raise RuntimeError("step failed")

    with pytest.raises(RuntimeError, match="step failed"):
        run_module.play_until_stopped(going, failing, redraw, clock=lambda: now[0])
    assert drawn == [4, 6]


def test_a_kept_network_chart_draws_again_after_a_redraw_that_failed(monkeypatch):
    """A redraw that fails halfway (say, the arrays read while another thread stepped) leaves nothing of itself in
    the chart: the next redraw is the picture of a new figure."""
    from matplotlib.collections import LineCollection

    from samenkracht.app import figures

    run = PairedRun(size=200, years=1, seed=3, buurthulp=True)
    for _ in range(5):
        run.step()
    chart = NetworkChart(run, "burden", "nl")
    chart.png()
    real = figures._network_artists

    def failing(ax, *args, **kwargs):
        ax.add_collection(LineCollection([[(0, 0), (1, 1)]]))  # some of it added, then the failure
        raise ValueError("planted")

    monkeypatch.setattr(figures, "_network_artists", failing)
    with pytest.raises(ValueError, match="planted"):
        chart.png()
    monkeypatch.setattr(figures, "_network_artists", real)
    run.step()
    assert np.array_equal(_pixels(chart.png()), _pixels(_png(network_figure(run, "burden", "nl"))))
    assert len(chart._ax.collections) == len(chart._artists)


class _NoRunLock(contextlib.nullcontext):
    def let_readers_in(self) -> None:
        pass


def test_a_redraw_from_another_thread_is_let_in_while_the_run_plays():
    """A change of colouring while the run plays redraws the network in another thread than the play's: it is let
    in between two weeks, not kept waiting until the play ends (a plain lock, released and taken again at once by
    the stepper, is rarely handed over)."""
    import threading

    run = PairedRun(size=300, years=3, seed=4, respite_care=True)
    run.twin.advance_to(run.total_weeks)  # warmed, as the page's thread does
    NetworkChart(run, "burden", "en").png()
    lock = threading.Lock()
    play = threading.Thread(
        target=lambda: play_until_stopped(lambda: run.running, lambda: advance_run(run, lock, 26), lambda: None)
    )
    play.start()
    while run.week < 10:
        pass
    NetworkChart(run, "loneliness", "en").png()
    drawn_at = run.week
    play.join(120)
    assert drawn_at < run.total_weeks - 26, (drawn_at, run.total_weeks)


def test_a_redraw_waits_for_the_step_under_way():
    """The pictures read the run's arrays only while it is not being stepped (its lock, held by advance_run)."""
    import threading

    run = PairedRun(size=200, years=1, seed=3)
    chart = NetworkChart(run, "burden", "nl")
    done = threading.Event()
    with run.lock:  # as advance_run holds it for the weeks it steps
        threading.Thread(target=lambda: (chart.png(), done.set()), daemon=True).start()
        assert not done.wait(0.5)
    assert done.wait(30)
    held = []
    real_step = run.chosen.step

    def step() -> None:
        held.append(run.lock.locked())
        real_step()

    run.chosen.step = step
    advance_run(run, threading.Lock(), 3)
    assert held == [True, True, True]


def test_the_page_keeps_its_charts_when_the_run_starts_and_as_it_plays(monkeypatch):
    """The main view rendered by solara (no browser): stepping the run and redrawing (as Play does) makes no new
    chart, also when the run leaves week 0 and the page's words for the start go (solara matches elements by
    position: a card that moved would be made anew, with it its chart, and drawn in full at every such redraw)."""
    solara = pytest.importorskip("solara", reason="the app extra is not installed")
    from mesa.visualization.utils import force_update

    from samenkracht.app import page

    made = []

    def counted(cls):
        class Counted(cls):
            def __init__(self, *args, **kwargs):
                made.append(cls.__name__)
                super().__init__(*args, **kwargs)

        return Counted

    monkeypatch.setattr(page, "NetworkChart", counted(NetworkChart))
    monkeypatch.setattr(page, "IndicatorChart", counted(IndicatorChart))
    run = PairedRun(size=200, years=1, seed=1)
    solara.render(page.MainView(run, "en"), handle_error=False)
    assert sorted(made) == ["IndicatorChart", "NetworkChart"]
    for _ in range(3):  # the first redraw leaves week 0
        for _ in range(4):
            run.step()
        force_update()
    assert run.week == 12
    assert sorted(made) == ["IndicatorChart", "NetworkChart"]
