"""Scenario descriptions in both languages: every ready-made scenario describes itself in Dutch and English, a
plain text is still accepted, each language picks its own text, and a description in an unknown language or of
the wrong shape is refused with a message that names the fix."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import make_small_config

from samenkracht.sim.config import describe
from samenkracht.sim.errors import InputError

SCENARIOS = sorted((Path(__file__).resolve().parents[1] / "conf" / "scenario").glob("*.yaml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_every_ready_made_scenario_describes_itself_in_dutch_and_english(path):
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    description = (spec.get("scenario") or spec)["description"]
    assert set(description) == {"nl", "en"}
    assert all(isinstance(t, str) and len(t) > 10 for t in description.values())
    assert description["nl"] != description["en"]


def test_each_language_gets_its_own_text_and_a_plain_text_serves_both():
    both = {"nl": "Het huidige beleid.", "en": "Today's policy."}
    assert describe(both, "nl") == "Het huidige beleid." and describe(both, "en") == "Today's policy."
    assert describe({"en": "Only English."}, "nl") == "Only English."  # the other language when one is missing
    assert describe("One text.", "nl") == describe("One text.", "en") == "One text."
    assert describe("", "en") == "" and describe(None, "en") == ""


def test_a_description_per_language_is_accepted_and_a_bad_one_refused():
    config = make_small_config({"scenario.description": {"nl": "Respijtzorg.", "en": "Respite care."}})
    assert describe(config.scenario.description, "en") == "Respite care."
    with pytest.raises(InputError, match=r"no language 'de'; give nl and en"):
        make_small_config({"scenario.description": {"de": "Kurzzeitpflege."}})
    with pytest.raises(InputError, match=r"a text per language: \{nl: \.\.\., en: \.\.\.\}"):
        make_small_config({"scenario.description": ["a", "list"]})
