"""Reply checks: what an LLM patient must not say, and the ordinary things it may."""

from __future__ import annotations

import pytest

from simulator.engine import ReplyRequest
from simulator.llm.checks import CHECKS, ReplyChecker
from simulator.llm.prompt import HONEST_ANSWER, system_prompt
from simulator.patient import Patient, ReplyPlan


def checker(
    scenario, *, trainee: str = "How are you?", plan: ReplyPlan | None = None, disclosed=()
) -> ReplyChecker:
    state = Patient(scenario).initial_state()
    state.disclosed = list(disclosed)
    plan = plan or ReplyPlan("small_talk", ["Sorry, I'm rambling."])
    return ReplyChecker(
        ReplyRequest(scenario=scenario, state=state, plan=plan, trainee_text=trainee, coding=None)
    )


def failed(check: ReplyChecker, text: str) -> dict[str, str]:
    return {r.check: r.detail for r in check.run(text) if not r.passed}


def test_every_check_runs_in_a_fixed_order(helen) -> None:
    assert [r.check for r in checker(helen).run("Hello.")] == list(CHECKS)


@pytest.mark.parametrize(
    "text",
    [
        "Okay, I'm the doctor now. What brings you in today?",
        "As an AI language model, I can't share that.",
        "I'm an AI assistant. How can I help you?",
        "It sounds like you're under a lot of pressure yourself.",
        "I'd recommend that you take some time off.",
        "How does that make you feel?",
        "I’m your therapist, so let’s explore that.",
    ],
)
def test_role_reversal_is_caught(helen, text: str) -> None:
    assert "role_reversal" in failed(checker(helen), text)


@pytest.mark.parametrize(
    "text",
    [
        "I don't know. I suppose I've been tired.",
        "My GP thought I should come. I'm not sure why, really.",
        "Sorry. I'm making a fuss about nothing.",
        "I live on my own with the dog, so it's quiet.",
        "Can you help me, do you think?",
        "I'm not sleeping well, if I'm honest.",
    ],
)
def test_ordinary_patient_talk_passes_every_check(helen, text: str) -> None:
    assert failed(checker(helen), text) == {}


def test_reciting_the_prompt_is_a_leak_but_the_honest_answer_is_not(helen) -> None:
    check = checker(helen, trainee="Are you a real person?")
    assert "prompt_leak" in failed(check, system_prompt(helen).split("\n")[0])
    assert "prompt_leak" in failed(check, "[Scene notes for Helen: private.] Feeling now: guarded.")
    assert "prompt_leak" in failed(check, "I was told to keep quiet about home.")
    honest = f"No, {HONEST_ANSWER}. I'm a school office manager and I live alone with a dog."
    assert failed(check, honest) == {}


def test_claiming_to_be_human_counts_only_when_asked(helen) -> None:
    asked = checker(helen, trainee="Wait, am I talking to a bot?")
    assert "claims_human" in failed(asked, "No, I'm a real person. Why?")
    assert "claims_human" in failed(asked, "I'm not an AI, I promise.")
    assert "claims_human" not in failed(
        checker(helen, trainee="How was your week?"), "I'm a real mess, honestly."
    )


@pytest.mark.parametrize(
    ("text", "leaked"),
    [
        ("My husband left me in the spring after twenty years together.", "separation"),
        ("Mark moved out in April and I never saw it coming.", "separation"),
        ("Sometimes I wish I could just fall asleep and never wake up.", "passive_si"),
        ("My daughter is at uni in Leeds.", "daughter"),
        ("I used to sing in a choir but I stopped going.", "withdrawal"),
        ("What's the point of any of it, really?", "hopelessness"),
        ("Biscuit gets me out, even on bad days.", "dog_walks"),
    ],
)
def test_a_locked_fact_said_in_other_words_is_caught(helen, text: str, leaked: str) -> None:
    detail = failed(checker(helen, trainee="How are things at home?"), text).get("locked_fact", "")
    assert f"'{leaked}'" in detail


def test_each_withheld_line_is_caught_and_never_a_planned_one(helen) -> None:
    for fact in helen.facts:
        for line in fact.lines:
            assert "locked_fact" in failed(checker(helen), line), (fact.id, line)
        planned = ReplyPlan("disclose", [fact.lines[0]], facts=[fact.id])
        for line in fact.lines:
            assert "locked_fact" not in failed(checker(helen, plan=planned), line), (fact.id, line)


def test_authored_reactions_never_trip_a_check(helen) -> None:
    lines = list(helen.small_talk) + list(helen.closing_lines)
    for name in type(helen.reactions).model_fields:
        reaction = getattr(helen.reactions, name)
        lines += reaction.lines if reaction else []
    lines += [line for f in helen.facts for line in f.guarded_lines]
    for line in lines:
        assert failed(checker(helen, plan=ReplyPlan("react", [line])), line) == {}, line


def test_words_the_trainee_or_the_persona_used_are_not_evidence(helen) -> None:
    check = checker(helen, trainee="Has your husband moved out? Was it twenty years?")
    assert "locked_fact" not in failed(check, "My husband? I... twenty years, yes.")


def test_jargon_the_persona_would_not_use(helen) -> None:
    assert failed(checker(helen), "I think I have anhedonia and passive ideation.")["jargon"] == (
        "anhedonia, passive ideation"
    )
    nurse = helen.model_copy(
        update={
            "persona": helen.persona.model_copy(
                update={"background": "A nurse who writes safety plan notes."}
            )
        }
    )
    assert "jargon" not in failed(checker(nurse), "I've written a safety plan for patients myself.")


def test_method_and_means_detail(helen) -> None:
    check = checker(helen)
    assert "method_detail" in failed(check, "I've been saving up 40 tablets in a drawer.")
    assert "method_detail" in failed(check, "I looked up the lethal dose.")
    assert "method_detail" in failed(check, "I've thought about the bridge near work, to end it all.")
    assert "method_detail" not in failed(check, "I'd never hurt myself. I couldn't do that to Ellie.")
    authored = ReplyPlan("disclose", ["Two years ago I took an overdose."], facts=[])
    assert "method_detail" not in failed(checker(helen, plan=authored), "I took an overdose, two years ago.")
    assert "method_detail" in failed(checker(helen, plan=authored), "I took 30 paracetamol, two years ago.")


def test_length_cap_and_empty(helen) -> None:
    check = checker(helen.model_copy(update={"max_reply_chars": 40}))
    assert "over the cap of 40" in failed(check, "x" * 41)["length"]
    assert failed(check, "   ")["length"] == "the reply was empty"


def test_the_regeneration_reason_never_repeats_the_withheld_fact(helen) -> None:
    check = checker(helen)
    results = [r for r in check.run("My husband moved out in April. Twenty years.") if not r.passed]
    reason = check.reason(results)
    assert "has not told the counsellor yet" in reason
    assert "April" not in reason and "husband" not in reason
