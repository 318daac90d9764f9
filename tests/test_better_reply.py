"""Better replies built from the patient's own words: said back in the second person, checked by the coder."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator import better_reply as br
from simulator.codes import REFLECTIONS
from simulator.coding import Coder
from simulator.library import load_scenario
from simulator.patient import proper_nouns
from simulator.records import Turn

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("said", "back"),
    [
        ("I wake up at four and I just lie there", "you wake up at four and you just lie there"),
        ("I'm scared I'll lose my job", "you're scared you'll lose your job"),
        ("I was so angry with myself", "you were so angry with yourself"),
        ("My manager had a word with me", "your manager had a word with you"),
        ("im not coping and ive told nobody", "you're not coping and you've told nobody"),
        ("We used to walk every Sunday", "you used to walk every Sunday"),
        ("Mark left in April", "Mark left in April"),
        ("GP says it's stress", "GP says it's stress"),
        ("A month feels like forever", "a month feels like forever"),
    ],
)
def test_second_person(said, back):
    assert br.second_person(said, frozenset({"Mark", "Sunday"})) == back


def test_sentences_keep_pauses_and_drop_stage_directions():
    text = "It's been... grey, I suppose. [She looks away.] Sometimes... I just want it to stop."
    assert br.sentences(text) == ["It's been grey, I suppose.", "Sometimes I just want it to stop."]
    assert br.sentences("I tried... Nothing worked.") == ["I tried", "Nothing worked."]


def test_candidates_leave_questions_words_to_the_clinician_quotes_and_fragments():
    assert br.candidates("Can you help me? You're the expert.") == []
    assert br.candidates("The app said 'I'm always here for you' every night.") == []
    assert br.candidates("Although it got my sister's name wrong.") == []
    assert br.candidates("Yeah. Fine.") == []
    assert br.candidates("When I need to.") == []
    assert br.candidates("Let's leave it there for today.") == []
    assert br.candidates("Where do I even start, love.") == []
    assert br.candidates("Not really a thing at the moment.") == []


def test_candidates_prefer_feelings_in_the_first_person_and_trim_hedges():
    text = "Work's busy this month. Honestly, I feel like I'm failing at everything, to be honest."
    assert br.candidates(text)[0] == "I feel like I'm failing at everything"
    assert br.candidates("That's quite a lot for one week, isn't it.") == ["That's quite a lot for one week"]
    assert br.candidates("Like I said, I don't sleep much.") == ["I don't sleep much"]
    assert br.candidates("A bottle most evenings, if I'm honest.") == ["A bottle most evenings"]
    assert br.candidates("It is stress mostly, I think.") == ["It is stress mostly"]
    assert br.candidates("I'm tired all the time, but who isn't.") == ["I'm tired all the time"]


def test_a_long_sentence_is_cut_at_a_clause_or_left_out():
    long = (
        "I get home from the late shift around midnight, and then I sit in the car for ages because I can't face "
        "going in and pretending everything is fine with everyone."
    )
    [clause] = br.candidates(long)
    assert clause == "I get home from the late shift around midnight, and then I sit in the car for ages"
    assert len(clause.split()) <= br.MAX_WORDS


def test_a_reflection_is_offered_only_when_the_coder_codes_it_as_one(monkeypatch):
    said = "I wake up at four most mornings and that's it, I just lie there thinking."
    reply = br.reflection(said)
    assert reply == "It sounds like you wake up at four most mornings and that's it, you just lie there thinking."
    assert set(Coder().code(reply, prior=said).behaviours) & REFLECTIONS
    monkeypatch.setattr(br, "_reflects", lambda reply, prior: False)
    assert br.reflection(said) is None


def _turns(*lines: tuple[str, str]) -> list[Turn]:
    return [
        Turn(index=i, speaker=speaker, text=text, trainee_turn=(i + 1) // 2)  # type: ignore[arg-type]
        for i, (speaker, text) in enumerate(lines)
    ]


def test_sustain_talk_argued_with_gets_both_sides_of_the_patient_s_own_ambivalence():
    turns = _turns(
        ("patient", "I know I need to cut down for the kids."),
        ("trainee", "Good."),
        ("patient", "But I don't think I drink that much really."),
        ("trainee", "You're drinking far too much and you have to stop."),
    )
    reply = br.fitted("sustain_argued", turns, 3)
    assert reply == (
        "On the one hand you don't think you drink that much; on the other hand you know you need to cut down for "
        "the kids."
    )
    # With no change talk before, the reflection leaves the choice with the patient.
    alone = br.fitted("sustain_argued", turns[2:], 1)
    assert alone == (
        "It sounds like you don't think you drink that much. And it's your choice what, if anything, you do about it."
    )


def test_the_risk_question_quotes_only_words_the_patient_said():
    cue = _turns(("patient", "Some days I think, what's the point of it all."), ("trainee", "How's work?"))
    assert br.fitted("risk_not_asked", cue, 1) == (
        "When you say \u2018what's the point of it all\u2019, I want to ask you directly: are you having thoughts of "
        "suicide?"
    )
    none = _turns(("patient", "I can't picture next year."), ("trainee", "How's work?"))
    assert br.fitted("risk_not_asked", none, 1).startswith("With everything you've told me, I want to ask")


def test_misses_without_a_fitted_form_are_left_to_the_exemplars():
    turns = _turns(("patient", "I feel awful."), ("trainee", "You should see a doctor."))
    assert br.fitted("persuade", turns, 1) is None
    assert br.fitted("question_run", _turns(("trainee", "Hi?")), 0) is None


def test_most_lines_of_the_built_in_scenarios_can_be_said_back():
    lines = [
        line
        for path in sorted((ROOT / "scenarios").glob("*.scenario.yaml"))
        for fact in load_scenario(path).facts
        for line in fact.lines
    ]
    names = br.names_in(lines)
    made = [br.reflection(line, names) for line in lines]
    assert sum(r is not None for r in made) / len(lines) >= 0.85
    assert all(r.startswith("It sounds like ") and r.endswith(".") for r in made if r)
    assert not any(" I " in r or " my " in r.lower() for r in made if r)


def test_names_from_the_scenario_keep_their_capitals():
    helen = load_scenario(ROOT / "scenarios" / "low-mood-passive-si.scenario.yaml")
    names = proper_nouns(helen)
    assert {"Biscuit", "Ellie", "Helen"} <= names
    turns = _turns(("patient", "Biscuit gets me out of the house on the bad days."), ("trainee", "Do you walk far?"))
    said_back = "It sounds like Biscuit gets you out of the house on the bad days."
    assert br.fitted("question_run", turns, 1, helen) == said_back
    assert br.fitted("question_run", turns, 1) == "It sounds like biscuit gets you out of the house on the bad days."
