"""Estimated MITI global ratings: what raises and lowers them, from hand-made codings (no coder involved)."""

from __future__ import annotations

from simulator.codes import Behaviour as B
from simulator.estimates import CodedTurn, estimate_globals


def therapist(*codes: B, index: int = 0, words: int = 10) -> CodedTurn:
    return CodedTurn("therapist", frozenset(codes), index=index, words=words)


def client(talk: str = "neutral", index: int = 0, words: int = 10) -> CodedTurn:
    return CodedTurn("client", talk=talk, index=index, words=words)


def test_no_trainee_turn_gives_no_estimate() -> None:
    assert estimate_globals([client()]) is None


def test_reflective_turns_raise_empathy_and_confronting_lowers_it() -> None:
    listening = estimate_globals([therapist(B.COMPLEX_REFLECTION), client(), therapist(B.SIMPLE_REFLECTION)])
    asking = estimate_globals([therapist(B.CLOSED_QUESTION), client(), therapist(B.CLOSED_QUESTION)])
    arguing = estimate_globals([therapist(B.CONFRONT), client(), therapist(B.CONFRONT)])
    assert listening.empathy > asking.empathy > arguing.empathy
    assert 1.0 <= arguing.empathy and listening.empathy <= 5.0


def test_a_reflection_inside_a_lecture_does_not_count_as_empathy() -> None:
    # "You've had two attacks this year. You need to use the inhaler every day." codes a reflection and advice;
    # the turn tells, it does not listen.
    lecture = estimate_globals([therapist(B.SIMPLE_REFLECTION, B.PERSUADE), client(), therapist(
        B.COMPLEX_REFLECTION, B.GIVE_INFORMATION)])
    listening = estimate_globals([therapist(B.SIMPLE_REFLECTION), client(), therapist(B.COMPLEX_REFLECTION)])
    assert lecture.empathy == 1.5  # the floor for a trainee who never confronts but never reflects either
    assert listening.empathy > lecture.empathy + 2


def test_change_talk_answered_with_a_reflection_cultivates_it() -> None:
    heard = estimate_globals([client("change", 0), therapist(B.COMPLEX_REFLECTION, index=1)])
    ignored = estimate_globals([client("change", 0), therapist(B.GIVE_INFORMATION, index=1)])
    assert heard.cultivating_change_talk > ignored.cultivating_change_talk
    assert heard.evidence["cultivating_change_talk"] == [1]
    assert heard.details["cultivating_change_talk"].startswith("1 of 1 change-talk turns answered")
    # With no change talk in the session, the detail says what the estimate rests on instead of "0 of 0".
    quiet = estimate_globals([client(), therapist(B.OPEN_QUESTION, index=1)])
    assert quiet.details["cultivating_change_talk"].startswith("no change talk to answer")


def test_sustain_talk_met_with_persuasion_hardens_it() -> None:
    softened = estimate_globals([client("sustain", 0), therapist(B.SIMPLE_REFLECTION, index=1)])
    hardened = estimate_globals([client("sustain", 0), therapist(B.PERSUADE, index=1)])
    assert softened.softening_sustain_talk > hardened.softening_sustain_talk
    assert "met with persuading" in hardened.details["softening_sustain_talk"]


def test_talk_the_session_ends_on_is_not_held_against_the_trainee() -> None:
    # The trainee had no turn after the client's last change or sustain talk, so there was nothing to answer with.
    ends_on_change = [therapist(B.OPEN_QUESTION, index=0), client("change", 1)]
    never_any = [therapist(B.OPEN_QUESTION, index=0), client("neutral", 1)]
    assert (
        estimate_globals(ends_on_change).cultivating_change_talk
        == estimate_globals(never_any).cultivating_change_talk
    )
    ends_on_sustain = [therapist(B.OPEN_QUESTION, index=0), client("sustain", 1)]
    assert (
        estimate_globals(ends_on_sustain).softening_sustain_talk
        == estimate_globals(never_any).softening_sustain_talk
    )
    answered = [therapist(B.OPEN_QUESTION, index=0), client("change", 1), therapist(B.GIVE_INFORMATION, index=2)]
    assert estimate_globals(answered).cultivating_change_talk < estimate_globals(never_any).cultivating_change_talk
