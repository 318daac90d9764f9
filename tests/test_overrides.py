"""Educator overrides and ratings: stored beside the automatic score, exported, and used for calibration."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cli import app
from simulator.calibration import agreement, calibrate, cohen_kappa
from simulator.export import session_json, session_markdown
from simulator.overrides import Override, Rating
from simulator.records import ItemScore, RubricScore, SessionInfo, SessionScore
from simulator.store import Store


def _scored(store: Store, sid: str, items: list[tuple[str, str, float | None]]) -> None:
    store.create_session(SessionInfo(id=sid, scenario_id="s", scenario_version="1", engine="scripted"))
    score = SessionScore(
        coder_version="c",
        enough=True,
        rubrics=[
            RubricScore(
                rubric_id="mi",
                rubric_version="1.1",
                title="MI",
                items=[
                    ItemScore(rubric_id="mi", item_id=i, title=i, kind="level", status=st, value=v)
                    for i, st, v in items
                ],
            )
        ],
    )
    store.save_scores(sid, score)


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "db.sqlite") as s:
        yield s


def test_override_is_stored_and_newest_wins(store):
    _scored(store, "S1", [("reflection_to_question", "missed", 0.5)])
    store.add_override(Override(session_id="S1", rubric_id="mi", item_id="reflection_to_question",
                                status="partly", reason="Two reflections were miscoded.", educator="Ada"))
    store.add_override(Override(session_id="S1", rubric_id="mi", item_id="reflection_to_question",
                                status="met", score=2.0, reason="On review, good.", educator="Ada"))
    [current] = store.overrides("S1")
    assert (current.status, current.score, current.reason) == ("met", 2.0, "On review, good.")
    assert store.scores("S1").rubrics[0].items[0].status == "missed"  # the automatic score is kept


def test_override_needs_status_or_score_and_a_reason():
    with pytest.raises(ValueError):
        Override(session_id="S", rubric_id="mi", item_id="x", reason="r", educator="e")
    with pytest.raises(ValueError):
        Override(session_id="S", rubric_id="mi", item_id="x", status="met", reason="", educator="e")


def test_overrides_are_exported(store):
    _scored(store, "S2", [("empathy_estimate", "info", 3.0)])
    store.add_override(Override(session_id="S2", rubric_id="mi", item_id="empathy_estimate", score=4,
                                reason="Warm throughout.", educator="Bo"))
    info, overrides = store.session("S2"), store.overrides("S2")
    md = session_markdown(info, [], [], store.scores("S2"), overrides=overrides)
    assert "## Educator overrides" in md and "Warm throughout." in md and "`mi/empathy_estimate`" in md
    assert "Formative feedback" in md
    doc = json.loads(session_json(info, [], [], store.scores("S2"), overrides=overrides))
    assert doc["overrides"][0]["educator"] == "Bo"
    assert "overrides" not in json.loads(session_json(info, [], [], None))


def test_kappa_and_agreement_by_hand():
    assert cohen_kappa(["a", "a", "b", "b"], ["a", "a", "b", "b"]) == 1.0
    assert cohen_kappa(["a", "b", "a", "b"], ["b", "a", "b", "a"]) == -1.0
    assert cohen_kappa(["a", "a"], ["a", "a"]) is None
    a = agreement([(3, 3), (2, 3), (1, 3), (4, 4)])
    assert (a.pairs, a.exact, a.within_one) == (4, 0.5, 0.75)


def test_calibrate_matches_human_entries_with_stored_scores(store):
    _scored(store, "S3", [("relational_estimate", "missed", 2.6), ("mi_non_adherent", "met", 0.0)])
    store.add_override(Override(session_id="S3", rubric_id="mi", item_id="mi_non_adherent", status="missed",
                                reason="Two lectures not coded.", educator="Ada"))
    store.add_rating(Rating(session_id="S3", rubric_id="mi", item_id="relational_estimate", value=3, rater="Ada"))
    store.add_rating(Rating(session_id="S3", rubric_id="mi", item_id="not_scored", value=3, rater="Ada"))
    report = calibrate(store.automatic_scores(), store.overrides(), store.ratings())
    assert report.outcomes.pairs == 1 and report.outcomes.exact == 0 and report.outcomes.within_one == 0
    assert report.values.pairs == 1 and report.values.exact == 1.0
    assert report.unmatched == 1
    assert set(report.per_item) == {("mi", "mi_non_adherent"), ("mi", "relational_estimate")}


def test_rubrics_override_rate_and_calibrate_commands():
    with Store.open_default() as s:
        _scored(s, "01ABCDEF", [("relational_estimate", "partly", 3.6)])
    runner = CliRunner()
    empty = runner.invoke(app, ["rubrics", "calibrate"])
    assert empty.exit_code == 0 and "No educator overrides" in empty.stdout
    bad = runner.invoke(app, ["rubrics", "override", "01AB", "mi/nope", "--reason", "x", "--educator", "E",
                              "--status", "met"])
    assert bad.exit_code == 1 and "has no item 'nope'" in bad.stderr
    ok = runner.invoke(app, ["rubrics", "override", "01AB", "mi/relational_estimate", "--reason", "fine",
                             "--educator", "E", "--status", "met"])
    assert ok.exit_code == 0, ok.output
    rated = runner.invoke(app, ["rubrics", "rate", "01AB", "mi/relational_estimate", "4", "--rater", "E"])
    assert rated.exit_code == 0, rated.output
    out = runner.invoke(app, ["rubrics", "calibrate", "--json"])
    data = json.loads(out.stdout)
    assert data["outcomes"]["pairs"] == 1 and data["values"]["pairs"] == 1
    assert data["values"]["exact"] == 1.0


def test_sessions_show_and_export_carry_the_overrides():
    with Store.open_default() as s:
        _scored(s, "01OVERRIDE", [("relational_estimate", "partly", 3.6)])
    runner = CliRunner()
    ok = runner.invoke(app, ["rubrics", "override", "01OVER", "mi/relational_estimate", "--reason",
                             "warm and accurate throughout", "--educator", "E", "--status", "met"])
    assert ok.exit_code == 0, ok.output
    shown = runner.invoke(app, ["sessions", "show", "01OVER", "--plain"])
    assert shown.exit_code == 0, shown.output
    assert "warm and accurate throughout" in shown.stdout
    exported = runner.invoke(app, ["sessions", "export", "01OVER", "--format", "json"])
    assert "warm and accurate throughout" in exported.stdout
