"""The session runner: order of a turn, persistence before the reply, failures, resume."""

from __future__ import annotations

import pytest

from simulator.engine import EngineError, ReplyRequest, ScriptedEngine
from simulator.session import MAX_INPUT_CHARS, Session, SessionOver
from simulator.store import Store


class FailingEngine:
    """Streams a few words, then fails like a dropped connection."""

    name = "failing"

    async def stream(self, request: ReplyRequest):
        yield "Well, "
        raise EngineError("The connection to the model was cut mid-reply.", "cut")


class BuggyEngine:
    name = "buggy"

    async def stream(self, request: ReplyRequest):
        raise ZeroDivisionError("oops")
        yield ""  # pragma: no cover


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "t.db")
    yield s
    s.close()


async def test_trainee_turn_is_committed_before_the_reply(helen, store) -> None:
    session = Session(helen, store=store)
    session.open()
    submitted = session.submit("How have you been sleeping?")
    stored = store.turns(session.id)
    assert [t.speaker for t in stored] == ["patient", "trainee"]
    assert stored[-1].coding is not None and "sleep" in stored[-1].coding.topics
    assert stored[-1].state.turn == 1
    chunks = [c async for c in session.reply()]
    assert len(chunks) > 1, "replies stream in chunks"
    assert "".join(chunks).strip() == submitted.plan.text
    stored = store.turns(session.id)
    assert stored[-1].speaker == "patient" and stored[-1].engine == "scripted"
    assert [d.fact_id for d in store.disclosures(session.id)] == ["early_waking"]


async def test_empty_input_is_ignored(helen) -> None:
    session = Session(helen)
    session.open()
    assert session.submit("   \n ") is None
    assert len(session.turns) == 1


async def test_undecodable_input_bytes_are_stored_as_replacement_characters(helen, store) -> None:
    # How Python reads "\xff\xfe" from a terminal in another encoding, and a lone surrogate from elsewhere.
    session = Session(helen, store=store)
    session.open()
    submitted = session.submit("How are you \udcff\udcfe feeling?\ud800 Caf\udcc3\udca9")
    assert submitted is not None
    assert submitted.turn.text == "How are you \ufffd\ufffd feeling?\ufffd Café"
    assert store.turns(session.id)[-1].text == submitted.turn.text
    assert "".join([c async for c in session.reply()]), "the session goes on"


async def test_huge_paste_is_truncated_with_a_notice(helen) -> None:
    session = Session(helen)
    session.open()
    submitted = session.submit("How are you? " * 8000)
    assert len(submitted.turn.text) <= MAX_INPUT_CHARS
    assert "only the first 4,000 were kept" in submitted.notices[0]


async def test_identifiers_are_redacted_before_storage(helen, store) -> None:
    session = Session(helen, store=store)
    session.open()
    submitted = session.submit("Can I email you at jo.bloggs@example.org or call 07700 900123?")
    text = store.turns(session.id)[-1].text
    assert "example.org" not in text and "900123" not in text
    assert "[redacted email address]" in text
    assert any("redacted" in n for n in submitted.notices)


async def test_failed_reply_keeps_the_session_and_can_be_voiced_again(helen, store) -> None:
    session = Session(helen, store=store, engine=FailingEngine())
    session.open()
    session.submit("How have you been sleeping?")
    with pytest.raises(EngineError) as info:
        _ = [c async for c in session.reply()]
    assert info.value.kind == "cut"
    assert session.pending is not None
    assert [t.speaker for t in store.turns(session.id)] == ["patient", "trainee"]
    assert not store.disclosures(session.id), "a fact is only in the ledger once it was said"
    reply = "".join([c async for c in session.reply(ScriptedEngine())])
    assert reply in helen.fact("early_waking").lines
    assert session.pending is None
    assert [d.fact_id for d in store.disclosures(session.id)] == ["early_waking"]


async def test_an_engine_bug_becomes_an_engine_error(helen) -> None:
    session = Session(helen, engine=BuggyEngine())
    session.open()
    session.submit("How are you?")
    with pytest.raises(EngineError, match="oops"):
        _ = [c async for c in session.reply()]


async def test_finish_scores_and_stores(helen, store) -> None:
    session = Session(helen, store=store)
    session.open()
    for line in ["How have you been sleeping?", "That sounds exhausting, lying awake every night."]:
        await session.say(line)
    score = session.finish()
    assert score.enough and {r.rubric_id for r in score.rubrics} == {"mi", "risk"}
    assert store.session(session.id).status == "complete"
    assert store.scores(session.id) == score
    with pytest.raises(SessionOver):
        session.submit("hello?")


async def test_interrupted_session_resumes_with_the_pending_reply(helen, store) -> None:
    session = Session(helen, store=store, seed=3)
    session.open()
    await session.say("How are things at work?")
    session.submit("How have you been sleeping?")  # the reply never comes: the terminal closed
    session.interrupt()
    assert store.session(session.id).status == "interrupted"

    resumed = Session.resume(store, session.id, helen)
    assert resumed.pending is not None and resumed.pending.turn.text == "How have you been sleeping?"
    assert resumed.state.turn == 2
    reply = "".join([c async for c in resumed.reply()])
    assert reply in helen.fact("early_waking").lines
    assert [d.fact_id for d in store.disclosures(session.id)] == ["work_mistakes", "early_waking"]
    await resumed.say("What helps you get through the day?")
    assert [t.index for t in store.turns(session.id)] == list(range(7))


async def test_patient_ending_finishes_the_session(helen, store) -> None:
    session = Session(helen, store=store)
    session.open()
    for line in ["You're in denial.", "That's ridiculous, you're just being lazy.", "You're making excuses."]:
        if not session.over:
            await session.say(line)
    assert session.over and session.info.ending == "walks_out"
    assert store.session(session.id).status == "complete"
    assert store.session(session.id).ending == "walks_out"


async def test_the_coder_sees_earlier_turns_so_a_risk_talk_keeps_its_context(helen) -> None:
    session = Session(helen)
    session.open()
    await session.say("Have you had any thoughts of ending your life?")
    await session.say("Thank you for telling me that.")
    # The plan question comes two turns after the suicide question: it is still part of the screening.
    await session.say("Have you worked out a plan?")
    last = [t for t in session.turns if t.speaker == "trainee"][-1]
    assert "ask_plan" in [f.value for f in last.coding.risk_flags]
