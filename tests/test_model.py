"""Behaviour of CareNetworkModel: conservation of hours, ranges, the weekly table's contract,
reproducibility, the effect of professional capacity, help only over ties, the six agent kinds,
and independent random streams per mechanism.

Runs are small (hundreds of residents, one or two years) so the file runs in seconds.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas.testing as pdt
import pytest
from conftest import CONTRACT_COLUMNS, make_small_config, run_model

from samenkracht.sim.agents import InformalCarer, Neighbour, Resident, Volunteer
from samenkracht.sim.mechanisms.indicators import WEEKLY_COLUMNS
from samenkracht.sim.model import CareNetworkModel
from samenkracht.sim.world import COUNTER_NAMES

INFORMAL_LAYERS = ["household_hours", "family_friends_hours", "neighbours_hours", "volunteers_hours"]
SIX_KINDS = ["residents", "informal_carers", "neighbours", "volunteers", "professionals", "municipality"]


# -- hours are conserved -----------------------------------------------------------------------------------


def test_hours_conserved_every_week(baseline_run):
    _, df = baseline_run
    assert len(df) == 2 * 52
    assert (df["need_hours"] > 0).all(), "a baseline municipality always has residents asking for care"
    given = df["informal_hours"] + df["formal_hours"] + df["unmet_hours"]
    np.testing.assert_allclose(given, df["need_hours"], rtol=1e-9)


def test_hours_conserved_per_layer(baseline_run):
    _, df = baseline_run
    for column in [*INFORMAL_LAYERS, "professionals_hours"]:
        assert column in df.columns, column
        assert (df[column] >= 0).all(), column
    np.testing.assert_allclose(df[INFORMAL_LAYERS].sum(axis=1), df["informal_hours"], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(df["professionals_hours"], df["formal_hours"], rtol=1e-9, atol=1e-9)
    # Every layer actually carries care in a baseline run (otherwise the sums above prove little).
    for column in ["household_hours", "family_friends_hours", "professionals_hours"]:
        assert df[column].sum() > 0, column


def test_hours_conserved_per_resident(baseline_run):
    model, _ = baseline_run
    s = model.state
    asked = s.need.sum(axis=1)
    assert asked.sum() > 0
    np.testing.assert_allclose(
        asked, s.received_informal + s.received_formal + s.unmet.sum(axis=1), rtol=1e-9, atol=1e-9
    )
    for name in ("received_informal", "received_formal"):
        assert (getattr(s, name) >= -1e-12).all(), name
    assert (s.unmet >= -1e-12).all()


def test_hours_conserved_per_resident_after_first_step(small_config):
    model = CareNetworkModel(small_config(burn_in_weeks=0, seed=5))
    model.step()
    s = model.state
    np.testing.assert_allclose(
        s.need.sum(axis=1), s.received_informal + s.received_formal + s.unmet.sum(axis=1), rtol=1e-9, atol=1e-9
    )


# -- ranges and completeness of the weekly table ------------------------------------------------------------


def test_shares_and_scores_in_range(baseline_run):
    _, df = baseline_run
    shares = [c for c in df.columns if c.endswith("_share")] + ["carrying_capacity", "family_share"]
    assert {"heavily_burdened_share", "overburdened_share", "isolated_share", "severely_lonely_share"} <= set(shares)
    for column in shares:
        assert df[column].between(0.0, 1.0).all(), f"{column} outside [0, 1]: {df[column].min()}..{df[column].max()}"
    assert df["burden_mean"].between(0.0, 10.0).all()
    model, _ = baseline_run
    s = model.state
    assert ((s.burden >= 0) & (s.burden <= 10)).all()
    assert ((s.loneliness >= 0) & (s.loneliness <= 11)).all()


def test_no_nan_in_weekly_table(baseline_run):
    _, df = baseline_run
    numeric = df.select_dtypes("number")
    assert numeric.shape[1] == df.shape[1], "every weekly column is numeric"
    bad = [c for c in df.columns if df[c].isna().any() or not np.isfinite(numeric[c]).all()]
    assert not bad, f"NaN or infinite values in {bad}"


def test_weekly_table_contract_columns(baseline_run):
    model, df = baseline_run
    assert list(WEEKLY_COLUMNS) == CONTRACT_COLUMNS
    assert list(df.columns[: len(CONTRACT_COLUMNS)]) == CONTRACT_COLUMNS
    # Every weekly row (model.rows) carries every contract column.
    for row in model.rows:
        assert set(CONTRACT_COLUMNS) <= set(row)
    assert df["week"].tolist() == list(range(len(df)))
    assert df["year"].tolist() == [w // 52 for w in range(len(df))]


def test_every_counter_is_a_weekly_column_that_adds_up_to_the_counter(baseline_run):
    model, df = baseline_run
    missing = [name for name in COUNTER_NAMES if name not in df.columns]
    assert not missing, f"counters not reported in the weekly row: {missing}"
    for name in COUNTER_NAMES:  # the weekly counts add up to the events counted since the end of the burn-in
        assert df[name].sum() == pytest.approx(model.counters[name]), name


# -- reproducibility ------------------------------------------------------------------------------------------


def test_same_seed_same_table(baseline_run):
    _, first = baseline_run
    _, again = run_model(make_small_config())
    pdt.assert_frame_equal(first, again, check_exact=True)


def test_other_seed_other_table(baseline_run):
    model, first = baseline_run
    _, other = run_model(make_small_config(seed=model.config.seed + 1))
    assert first.shape == other.shape
    assert not first.equals(other)
    assert not np.allclose(first["need_hours"], other["need_hours"])


# -- professionals --------------------------------------------------------------------------------------------


def test_more_professionals_lower_unmet_need():
    """Tripling home care and the wijkteam lowers unmet need on average over paired seeds."""
    seeds = [1, 2, 3, 4]
    base_cfg = make_small_config(years=1)
    more = {
        "years": 1,
        "wijkteam.home_care_fte_per_1000": base_cfg.wijkteam.home_care_fte_per_1000 * 3,
        "wijkteam.fte_per_1000": base_cfg.wijkteam.fte_per_1000 * 3,
    }
    base_unmet, more_unmet = [], []
    for seed in seeds:
        _, df = run_model(make_small_config(years=1, seed=seed))
        base_unmet.append(df["unmet_hours"].mean())
        _, df = run_model(make_small_config(more, seed=seed))
        more_unmet.append(df["unmet_hours"].mean())
    base_mean, more_mean = float(np.mean(base_unmet)), float(np.mean(more_unmet))
    assert more_mean <= base_mean
    assert more_mean < base_mean, (base_unmet, more_unmet)


@pytest.mark.slow
def test_more_professionals_lower_unmet_need_for_every_seed():
    """The same claim, per seed, with more residents and years."""
    base_cfg = make_small_config()
    more = {
        "wijkteam.home_care_fte_per_1000": base_cfg.wijkteam.home_care_fte_per_1000 * 3,
        "wijkteam.fte_per_1000": base_cfg.wijkteam.fte_per_1000 * 3,
    }
    size = {"population.size": 1500, "years": 3}
    for seed in range(10, 18):
        _, base = run_model(make_small_config(size, seed=seed))
        _, extra = run_model(make_small_config({**size, **more}, seed=seed))
        assert extra["unmet_hours"].mean() < base["unmet_hours"].mean(), seed


# -- help flows only over ties ----------------------------------------------------------------------------------

#: No new ties can form: no weak ties at shared places or from wijkteam work, no deaths (newcomers get ties,
#: babies household ties), no households moving (arrivals meet neighbours), and no buurthulp volunteers
#: (they help without a tie), and no one moving into a care home (a newcomer takes the home).
CLOSED_WORLD = {
    "volunteers.share": 0.0,
    "wlz.admission_rate": 0.0,
    "contact.new_ties_per_1000": 0.0,
    "wijkteam.collective_ties_per_hour": 0.0,
    "demography.mortality_a": 0.0,
    "demography.move_rate": [0.0] * 7,
    "years": 1,
}


def _graph_with_households(n: int = 300, seed: int = 0, household_edges: bool = True) -> nx.Graph:
    """Children (0–14) and elderly (70–95) in households of 1–3 residents of similar age; household ties or none.

    No one is of an age at which, within a year, they would leave home (16–40) or pair up with a partner
    (22–65): demography turns household ties into family ties, and adds household ties, at those ages.
    """
    rng = np.random.default_rng(seed)
    g = nx.Graph()
    children = n // 4
    ages = np.concatenate([np.linspace(0.2, 14.0, children), np.linspace(70.2, 95.0, n - children)])
    for i, age in enumerate(ages):
        g.add_node(f"r{i}", age=float(age))
    i = 0
    while i < n:
        size = int(rng.integers(1, 4))
        members = [f"r{j}" for j in range(i, min(n, i + size))]
        if household_edges:
            for a in range(len(members)):
                for b in range(a + 1, len(members)):
                    g.add_edge(members[a], members[b], kind="household")
        i += size
    return g


def _run_graph(tmp_path, graph: nx.Graph, overrides: dict):
    path = tmp_path / "net.graphml"
    nx.write_graphml(graph, path)
    return run_model(make_small_config({**overrides, "network.graph_file": str(path)}))


def test_household_only_graph_gives_only_household_help(tmp_path):
    graph = _graph_with_households(household_edges=True)
    assert graph.number_of_edges() > 0
    model, df = _run_graph(tmp_path, graph, CLOSED_WORLD)
    other_ties = {kind: c for kind, c in model.ties.count_by_kind().items() if kind != "household" and c}
    assert not other_ties, f"ties formed in a closed world (the test's premise): {other_ties}"
    assert model.state.n == graph.number_of_nodes()
    assert len(df) == 52
    assert df["need_hours"].sum() > 0
    assert df["household_hours"].sum() > 0, "households with elderly members should care for them"
    np.testing.assert_allclose(df["informal_hours"], df["household_hours"], rtol=1e-9, atol=1e-9)
    assert (df["family_friends_hours"] == 0).all()
    assert (df["neighbours_hours"] == 0).all()
    assert (df["volunteers_hours"] == 0).all()


def test_graph_without_edges_gives_no_informal_help(tmp_path):
    graph = _graph_with_households(household_edges=False)
    assert graph.number_of_edges() == 0
    model, df = _run_graph(tmp_path, graph, CLOSED_WORLD)
    ties = {kind: c for kind, c in model.ties.count_by_kind().items() if c}
    assert not ties, f"ties formed in a closed world (the test's premise): {ties}"
    assert df["need_hours"].sum() > 0
    # informal = asked − left after the informal layers, so allow float rounding (1e-15 h), nothing more.
    np.testing.assert_allclose(df["informal_hours"], 0.0, atol=1e-9)
    for column in INFORMAL_LAYERS:
        assert (df[column] == 0).all(), column
    assert (df["carers"] == 0).all()
    np.testing.assert_allclose(model.state.received_informal, 0.0, atol=1e-9)
    # What is asked is still accounted for: formal or unmet.
    np.testing.assert_allclose(df["formal_hours"] + df["unmet_hours"], df["need_hours"], rtol=1e-9)


# -- the agent kinds -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", SIX_KINDS)
def test_six_agent_kinds_exist_and_are_counted(baseline_run, kind):
    model, _ = baseline_run
    counts = model.agent_counts()
    assert counts.get(kind, 0) > 0, f"no {kind} after {model.week} weeks: {counts}"
    assert counts["municipality"] == 1
    assert all(kind in model.agent_counts_at_start for kind in SIX_KINDS)


def test_role_agents_match_role_arrays(baseline_run):
    model, _ = baseline_run
    s = model.state
    by_type = model.agents_by_type
    for cls, array in ((InformalCarer, s.carer), (Volunteer, s.volunteer), (Neighbour, s.neighbour_helper)):
        agents = by_type[cls] if cls in by_type else []
        assert len(agents) == int(array.sum()), cls.__name__
        assert {a.slot for a in agents} == set(np.flatnonzero(array).tolist()), cls.__name__
    counts = model.agent_counts()
    assert counts["informal_carers"] == int(s.carer.sum())
    assert counts["volunteers"] == int(s.volunteer.sum())
    assert counts["neighbours"] == int(s.neighbour_helper.sum())


def test_resident_agents_are_the_living_residents(baseline_run):
    model, df = baseline_run
    s = model.state
    residents = model.agents_by_type[Resident]
    assert len(residents) == int(s.alive.sum()) == model.agent_counts()["residents"]
    assert int(df["residents"].iloc[-1]) == int(s.alive.sum())
    assert {a.slot for a in residents} == set(np.flatnonzero(s.alive).tolist())
    # Residents are views on the arrays, and replaced residents get new agents with new person ids.
    assert all(a.person_id == int(s.person_id[a.slot]) for a in residents)
    assert df["deaths"].sum() > 0 and int(s.person_id.max()) >= s.n


# -- random streams -----------------------------------------------------------------------------------------------


def test_streams_are_per_mechanism(small_config):
    a = CareNetworkModel(small_config(burn_in_weeks=0))
    b = CareNetworkModel(small_config({"signalling.self_referral": 0.5}, burn_in_weeks=0))
    assert a.config.signalling.self_referral != b.config.signalling.self_referral
    np.testing.assert_array_equal(
        a.streams.weekly("demography", 0).random(5), b.streams.weekly("demography", 0).random(5)
    )
    assert not np.array_equal(a.streams.weekly("demography", 0).random(5), a.streams.weekly("signalling", 0).random(5))
    assert not np.array_equal(a.streams.weekly("demography", 0).random(5), a.streams.weekly("demography", 1).random(5))
    # A weekly stream does not depend on how much was drawn before from any stream.
    a.streams["demography"].random(1000)
    a.streams.weekly("signalling", 0).random(1000)
    np.testing.assert_array_equal(
        a.streams.weekly("demography", 0).random(5), b.streams.weekly("demography", 0).random(5)
    )
    # Another seed gives other numbers.
    c = CareNetworkModel(small_config(burn_in_weeks=0, seed=a.config.seed + 1))
    assert not np.array_equal(a.streams.weekly("demography", 0).random(5), c.streams.weekly("demography", 0).random(5))


def test_signalling_parameter_leaves_demography_unchanged(small_config):
    """Common random numbers: the first week's deaths, newcomers and needs do not depend on signalling."""
    a = CareNetworkModel(small_config(burn_in_weeks=0))
    b = CareNetworkModel(small_config({"signalling.self_referral": 0.5}, burn_in_weeks=0))
    a.step()
    b.step()
    for name in ("person_id", "age", "severity", "wijk"):
        np.testing.assert_array_equal(getattr(a.state, name), getattr(b.state, name), err_msg=name)
    # ... while the signalling parameter did change who was referred.
    assert not np.array_equal(a.state.referred, b.state.referred)
