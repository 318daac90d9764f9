"""Exports: the Markdown debrief people read and the JSON document tools read back."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from simulator.codes import Behaviour, RiskFlag
from simulator.export import (
    FORMAT,
    ExportFormatError,
    code_summary,
    load_session_json,
    session_json,
    session_markdown,
    status_text,
)
from simulator.records import (
    Coding,
    Disclosure,
    ItemScore,
    PatientState,
    RubricScore,
    SessionInfo,
    SessionScore,
    Turn,
)

T0 = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)

INFO = SessionInfo(
    id="01JABCDEFGHJKMNPQRSTVWXYZ0",
    scenario_id="low-mood",
    scenario_version="1.2",
    scenario_title="Low mood after a job loss",
    trainee="kestrel",
    engine="scripted",
    seed=7,
    status="complete",
    started_at=T0,
    ended_at=T0 + timedelta(minutes=12),
    ending="thanked_and_left",
)

TURNS = [
    Turn(index=0, speaker="patient", text="I don't really know why I'm here.", trainee_turn=0, at=T0),
    Turn(
        index=1,
        speaker="trainee",
        text="How have you been sleeping lately?",
        trainee_turn=1,
        coding=Coding(behaviours=[Behaviour.OPEN_QUESTION], topics=["sleep"]),
        state=PatientState(turn=1, trust=0.45, stage="contemplation", emotion="guarded"),
        at=T0 + timedelta(seconds=20),
    ),
    Turn(
        index=2,
        speaker="patient",
        text="Badly. Some nights I wish I just wouldn't wake up.",
        trainee_turn=1,
        engine="scripted",
        at=T0 + timedelta(seconds=21),
    ),
    Turn(
        index=3,
        speaker="trainee",
        text="You *should* try | a sleep routine.",
        trainee_turn=2,
        coding=Coding(behaviours=[Behaviour.PERSUADE, Behaviour.CLOSED_QUESTION], topics=["sleep", "habits"]),
        notices=["Advice without permission."],
        at=T0 + timedelta(seconds=40),
    ),
]

LEDGER = [
    Disclosure(
        fact_id="passive_ideation",
        turn=1,
        trust=0.45,
        behaviours=[Behaviour.OPEN_QUESTION],
        topics=["sleep"],
        risk_flags=[RiskFlag.ASK_WISH_DEAD],
        trainee_text="How have you been sleeping lately?",
    )
]

SCORE = SessionScore(
    coder_version="coder-1",
    enough=True,
    rubrics=[
        RubricScore(
            rubric_id="mi-basics",
            rubric_version="2",
            title="MI basics",
            instrument="MITI 4.2.1",
            items=[
                ItemScore(
                    rubric_id="mi-basics",
                    item_id="open_questions",
                    title="Open questions",
                    kind="ratio",
                    status="met",
                    value=0.5,
                    label="good",
                    evidence_turns=[1],
                    feedback="Your open question invited the story.",
                ),
                ItemScore(
                    rubric_id="mi-basics",
                    item_id="persuade",
                    title="Advice without permission",
                    kind="count",
                    status="missed",
                    value=1,
                    evidence_turns=[3],
                    better_reply="Would it be all right if I shared what has helped others with sleep?",
                ),
                ItemScore(
                    rubric_id="mi-basics",
                    item_id="reflections",
                    title="Reflections",
                    kind="ratio",
                    status="partly",
                    value=None,
                ),
                ItemScore(
                    rubric_id="mi-basics",
                    item_id="risk_screen",
                    title="Asked directly about suicide",
                    kind="critical",
                    status="critical_miss",
                    evidence_turns=[2],
                    feedback="The patient hinted at wishing not to wake up; ask directly.",
                    better_reply="I want to ask you directly: are you having thoughts of suicide?",
                    better_reply_turn=3,
                ),
            ],
        )
    ],
    strengths=["You opened with an open question."],
    misses=["Advice came before permission."],
    critical_misses=["No direct question about suicide after a passive-ideation cue."],
)


def test_markdown_has_header_notice_transcript_ledger_and_scores() -> None:
    text = session_markdown(INFO, TURNS, LEDGER, SCORE)
    assert text.startswith("# Low mood after a job loss\n")
    for expected in (
        "| Scenario | Low mood after a job loss (`low-mood`) |",
        "| Version | 1.2 |",
        "| Engine | scripted, seed 7 |",
        "| Trainee | kestrel |",
        "| Started | 2025-03-04 09:30 UTC |",
        "| Ended | 2025-03-04 09:42 UTC |",
        "| Status | complete (ending: thanked_and_left) |",
        "> **Formative feedback.** Automatic scores are formative",
    ):
        assert expected in text
    # transcript, in order, with speakers, indexes and compact codes
    assert "`#0` **Patient:** I don't really know why I'm here." in text
    assert "`#1` **Trainee:** How have you been sleeping lately?  \n`[open_question · topics: sleep]`" in text
    assert "`[persuade, closed_question · topics: sleep, habits]`" in text
    assert "_Notice: Advice without permission._" in text
    assert text.index("`#0`") < text.index("`#1`") < text.index("`#2`") < text.index("`#3`")
    # what people typed cannot break the layout
    assert "You \\*should\\* try \\| a sleep routine." in text
    # ledger table
    assert "| Fact | When | Trust | What unlocked it |" in text
    assert (  # the patient's line as the transcript numbers it, and the trainee turn the ledger counts
        "| `passive_ideation` | #2 (trainee turn 1) | 0.45 | open_question · topics: sleep · risk: ask_wish_dead — "
        "“How have you been sleeping lately?” |"
    ) in text
    # scores: every status as symbol + words, values, evidence, feedback, better replies
    assert "### MI basics (`mi-basics` v2)" in text
    assert "| Open questions | ✔ met | 0.5 (good) | #1 |" in text
    assert "| Advice without permission | ✘ missed | 1 | #3 |" in text
    assert "| Reflections | ~ partly | — | — |" in text
    assert "| Asked directly about suicide | ‼ critical miss | — | #2 |" in text
    assert "  - Feedback: Your open question invited the story." in text
    assert "  - A better reply: “Would it be all right if I shared what has helped others with sleep?”" in (
        text
    )
    # A reply made for one of the trainee's turns says which.
    assert "  - A better reply (instead of #3): “I want to ask you directly: are you having thoughts of suicide?”" in (
        text
    )
    assert "### Critical misses\n\n- No direct question about suicide" in text
    assert "### Strengths\n\n- You opened with an open question." in text
    assert "### To work on\n\n- Advice came before permission." in text


def test_markdown_escapes_what_people_typed() -> None:
    typed = TURNS[0].model_copy(update={"text": "# _really_ [x] <b>\nnext line"})
    text = session_markdown(INFO, [typed], [], None)
    assert "**Patient:** \\# \\_really\\_ \\[x\\] \\<b\\>  \nnext line" in text


def test_markdown_without_score_or_turns() -> None:
    active = INFO.model_copy(update={"status": "active", "ended_at": None, "ending": None})
    text = session_markdown(active, [], [], None, scenario_title="Renamed scenario")
    assert text.startswith("# Renamed scenario\n")
    assert "_Not scored yet._" in text
    assert "_No turns yet._" in text
    assert "_Nothing hidden was disclosed._" in text
    assert "| Ended | — |" in text
    assert "formative" in text  # the notice is shown even before scoring


def test_markdown_flags_a_too_short_session() -> None:
    thin = SCORE.model_copy(update={"enough": False})
    assert "Too few trainee turns" in session_markdown(INFO, TURNS, LEDGER, thin)


def test_markdown_is_stable() -> None:
    assert session_markdown(INFO, TURNS, LEDGER, SCORE) == session_markdown(INFO, TURNS, LEDGER, SCORE)


def test_status_text_and_code_summary() -> None:
    assert status_text("met") == "✔ met"
    assert status_text("missed") == "✘ missed"
    assert status_text("critical_miss") == "‼ critical miss"
    assert status_text("partly") == "~ partly"
    assert status_text("not_applicable") == "– not applicable"
    assert code_summary(None) == ""
    assert (
        code_summary(Coding(behaviours=[Behaviour.CLOSED_QUESTION], risk_flags=[RiskFlag.ASK_PLAN]))
        == "[closed_question · risk: ask_plan]"
    )


def test_json_export_round_trips() -> None:
    text = session_json(INFO, TURNS, LEDGER, SCORE)
    document = json.loads(text)
    assert document["format"] == FORMAT == "mhsim-session/1"
    assert list(document) == ["format", "mhsim_version", "session", "turns", "disclosures", "score"]
    assert text.startswith('{\n  "format": "mhsim-session/1"')
    assert text == session_json(INFO, TURNS, LEDGER, SCORE)  # stable
    assert load_session_json(text) == (INFO, TURNS, LEDGER, SCORE)


def test_json_export_without_score() -> None:
    text = session_json(INFO, TURNS, [], None)
    assert json.loads(text)["score"] is None
    assert load_session_json(text) == (INFO, TURNS, [], None)


def test_json_loader_rejects_other_documents() -> None:
    with pytest.raises(ExportFormatError, match="not JSON"):
        load_session_json("{nope")
    with pytest.raises(ExportFormatError, match="mhsim-session/1"):
        load_session_json(json.dumps({"format": "something-else/1"}))
    with pytest.raises(ExportFormatError):
        load_session_json("[]")


def test_export_of_a_stored_session(tmp_path) -> None:
    from simulator.store import Store

    with Store(tmp_path / "mhsim.db") as store:
        store.create_session(INFO)
        for turn in TURNS:
            store.add_turn(INFO.id, turn)
        store.add_disclosures(INFO.id, LEDGER)
        store.save_scores(INFO.id, SCORE)
        loaded = (
            store.session(INFO.id),
            store.turns(INFO.id),
            store.disclosures(INFO.id),
            store.scores(INFO.id),
        )
    assert session_json(*loaded) == session_json(INFO, TURNS, LEDGER, SCORE)
    assert session_markdown(*loaded) == session_markdown(INFO, TURNS, LEDGER, SCORE)
