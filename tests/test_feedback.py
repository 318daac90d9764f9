"""Per-turn feedback: what a turn did, what it missed, and a better reply from the rubrics or the scenario."""

from __future__ import annotations

import pytest

from simulator.codes import Behaviour as B
from simulator.codes import RiskFlag as F
from simulator.feedback import PATIENTS_WORDS, for_session, for_turn
from simulator.paths import builtin_dir
from simulator.records import Coding, Disclosure, Turn
from simulator.rubric import load_rubrics
from tests.test_scoring import RISK, scenario


@pytest.fixture(scope="module")
def rubrics():
    loaded, problems = load_rubrics([builtin_dir("rubrics")])
    assert not problems
    return loaded


def talk(*steps: tuple[str, str, list[B], list[F]]) -> list[Turn]:
    """(patient words before, trainee words, behaviours, flags) per trainee turn."""
    turns: list[Turn] = []
    for n, (said, text, codes, flags) in enumerate(steps, 1):
        turns.append(Turn(index=len(turns), speaker="patient", text=said, trainee_turn=n - 1))
        coding = Coding(behaviours=codes, risk_flags=flags, topics=[])
        turns.append(Turn(index=len(turns), speaker="trainee", text=text, trainee_turn=n, coding=coding))
    return turns


def test_good_turn_says_what_it_did(rubrics):
    turns = talk(("I'm so tired of all this.", "You're worn out.", [B.COMPLEX_REFLECTION], []))
    fb = for_turn(scenario(), turns, 1, rubrics=rubrics)
    assert fb.tone == "good" and fb.missed == [] and fb.did == ["complex reflection"]
    assert fb.better_reply is None and "formative" in fb.notice.lower()


def test_advice_without_permission_gets_a_rubric_exemplar(rubrics):
    turns = talk(("I can't sleep.", "You should stop drinking coffee.", [B.PERSUADE], []))
    fb = for_turn(scenario(), turns, 1, rubrics=rubrics)
    assert fb.tone == "concern" and fb.missed[0].code == "persuade"
    assert fb.better_reply in rubrics["mi"].item("mi_non_adherent").better_replies
    assert fb.better_reply_source == "rubric mi/mi_non_adherent"
    assert fb.summary == fb.missed[0].message


def test_risk_cue_not_asked_is_the_first_miss_until_asked(rubrics):
    sc = scenario(RISK)
    turns = talk(
        ("Hi.", "What brings you in?", [B.OPEN_QUESTION], []),
        ("Honestly, what's the point any more.", "How is work?", [B.OPEN_QUESTION], []),
        ("Work's fine.", "Have you had thoughts of ending your life?", [B.CLOSED_QUESTION],
         [F.ASK_SUICIDAL_THOUGHTS]),
    )
    ledger = [Disclosure(fact_id="no_point", turn=1, trust=0.4, behaviours=[B.OPEN_QUESTION], trainee_text="")]
    feedback = for_session(sc, turns, ledger, rubrics=rubrics)
    assert [f.index for f in feedback] == [1, 3, 5]
    assert feedback[0].missed == []
    assert feedback[1].missed[0].code == "risk_not_asked"
    # The better reply asks directly, in the patient's own words for the cue.
    assert feedback[1].better_reply == (
        "When you say \u2018what's the point any more\u2019, I want to ask you directly: are you having thoughts of "
        "suicide?"
    )
    assert feedback[1].better_reply_source == PATIENTS_WORDS
    assert all(m.code != "risk_not_asked" for m in feedback[2].missed)
    assert "risk move: ask suicidal thoughts" in feedback[2].did
    # Asking about suicide directly is good practice, though the question is closed.
    assert feedback[2].missed == [] and feedback[2].tone == "good"


def test_question_run_and_change_talk(rubrics):
    turns = talk(
        ("Hi.", "Do you drink?", [B.CLOSED_QUESTION], []),
        ("Yes.", "Every day?", [B.CLOSED_QUESTION], []),
        ("I really want to cut down before the baby comes.", "How much?", [B.CLOSED_QUESTION], []),
    )
    fb = for_turn(scenario(), turns, 5, rubrics=rubrics)
    codes = [m.code for m in fb.missed]
    assert "change_talk_missed" in codes and "question_run" in codes


def test_a_cue_known_only_from_the_ledger_gets_the_direct_question_without_quoting(rubrics):
    turns = talk(
        ("Hi.", "What brings you in?", [B.OPEN_QUESTION], []),
        ("I can't picture next year at all.", "How is work?", [B.OPEN_QUESTION], []),
    )
    ledger = [Disclosure(fact_id="no_point", turn=1, trust=0.4, behaviours=[B.OPEN_QUESTION], trainee_text="")]
    fb = for_session(scenario(RISK), turns, ledger, rubrics=rubrics)[1]
    assert fb.missed[0].code == "risk_not_asked"
    assert fb.better_reply == (
        "With everything you've told me, I want to ask you directly: are you having thoughts of suicide?"
    )


def test_a_missed_reflection_is_answered_with_a_reflection_of_what_this_patient_said(rubrics):
    turns = talk(
        ("Hi.", "Do you drink?", [B.CLOSED_QUESTION], []),
        ("Yes.", "Every day?", [B.CLOSED_QUESTION], []),
        ("Most days. Honestly, I feel like I'm letting my kids down.", "Beer or wine?", [B.CLOSED_QUESTION], []),
    )
    fb = for_turn(scenario(), turns, 5, rubrics=rubrics)
    assert fb.missed[0].code == "question_run"
    assert fb.better_reply == "It sounds like you feel like you're letting your kids down."
    assert fb.better_reply_source == PATIENTS_WORDS


def test_missed_change_talk_is_reflected_and_asked_about(rubrics):
    turns = talk(("I really want to cut down before the baby comes.", "Okay.", [B.OTHER], []))
    fb = for_turn(scenario(), turns, 1, rubrics=rubrics)
    assert fb.missed[0].code == "change_talk_missed"
    assert fb.better_reply == (
        "It sounds like you really want to cut down before the baby comes. What makes that important to you?"
    )


def test_nothing_to_say_back_falls_back_to_the_rubric_exemplar(rubrics):
    turns = talk(
        ("Hi.", "Do you drink?", [B.CLOSED_QUESTION], []),
        ("Yes.", "Every day?", [B.CLOSED_QUESTION], []),
        ("Yeah. Can you just tell me what to do?", "Beer or wine?", [B.CLOSED_QUESTION], []),
    )
    fb = for_turn(scenario(), turns, 5, rubrics=rubrics)
    assert fb.missed[0].code == "question_run"
    assert fb.better_reply in rubrics["mi"].item("reflection_to_question").better_replies
    assert fb.better_reply_source == "rubric mi/reflection_to_question"


def test_not_a_trainee_turn_is_an_error(rubrics):
    turns = talk(("Hi.", "Hello.", [B.OTHER], []))
    with pytest.raises(ValueError):
        for_turn(scenario(), turns, 0, rubrics=rubrics)


def test_a_line_the_author_marked_as_change_talk_is_change_talk_whatever_its_words(rubrics):
    from simulator.talk import authored_talk, client_talk_type, talk_in_session

    said = "Our Megan told me I'm different after nine o'clock. She asks her mum for help now, not me."
    facts = [
        {"id": "daughter", "summary": "Change talk (reasons)", "lines": [said], "talk": "change"},
        {"id": "unwind", "summary": "Sustain talk", "lines": ["The wine's how I switch off."], "talk": "sustain"},
        {"id": "job", "summary": "Works shifts", "lines": ["I drive for the depot."]},
    ]
    sc = scenario(facts=facts)
    assert client_talk_type(said) == "neutral"  # the words alone do not show it
    # A recall of the line, with other words around it, still carries the author's label.
    assert authored_talk(sc, "Like I said, the wine's how I switch off. Twelve hours.") == "sustain"
    assert authored_talk(sc, "I drive for the depot.") is None
    assert talk_in_session("I really want to cut down.", (), sc) == "change"  # no authored line: the rules
    turns = talk((said, "Okay.", [B.OTHER], []))
    fb = for_turn(sc, turns, 1, rubrics=rubrics)
    assert fb.missed[0].code == "change_talk_missed"
    assert fb.better_reply == (
        "It sounds like your Megan told you you're different after nine o'clock. Tell me more about that."
    )
