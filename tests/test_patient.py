"""Patient state and disclosure, driven by hand-made codings (no coder involved)."""

from __future__ import annotations

from simulator.codes import Behaviour as B
from simulator.codes import RiskFlag as R
from simulator.patient import Patient
from simulator.records import Coding


def coding(*behaviours: B, topics: tuple[str, ...] = (), flags: tuple[R, ...] = ()) -> Coding:
    return Coding(behaviours=list(behaviours), topics=list(topics), risk_flags=list(flags))


def run(patient: Patient, steps):
    state = patient.initial_state()
    plans, ledger = [], []
    for c in steps:
        state, plan, entries = patient.step(state, c, "line")
        plans.append(plan)
        ledger.extend(entries)
    return state, plans, ledger


def test_topic_fact_is_disclosed_when_asked(helen) -> None:
    state, plans, ledger = run(Patient(helen), [coding(B.OPEN_QUESTION, topics=("sleep",))])
    assert plans[0].kind == "disclose" and plans[0].facts == ["early_waking"]
    assert plans[0].text in helen.fact("early_waking").lines
    assert [d.fact_id for d in ledger] == ["early_waking"] and ledger[0].turn == 1
    assert state.disclosed == ["early_waking"]


def test_trust_gated_fact_stays_hidden_and_patient_is_guarded(helen) -> None:
    _, plans, ledger = run(Patient(helen), [coding(B.CLOSED_QUESTION, topics=("relationships",))])
    assert plans[0].kind == "guarded"
    assert plans[0].text in helen.fact("separation").guarded_lines
    assert not ledger


def test_direct_question_without_trust_is_deflected_and_never_leaks(helen) -> None:
    state, plans, ledger = run(Patient(helen), [coding(B.CLOSED_QUESTION, flags=(R.ASK_SUICIDAL_THOUGHTS,))])
    assert plans[0].kind == "react"
    assert plans[0].text in helen.reactions.screener_deflect.lines
    assert "passive_si" not in state.disclosed and not ledger


def test_reflections_build_trust_then_direct_question_discloses(helen) -> None:
    steps = [coding(B.COMPLEX_REFLECTION)] * 3 + [coding(B.CLOSED_QUESTION, flags=(R.ASK_WISH_DEAD,))]
    state, plans, ledger = run(Patient(helen), steps)
    assert state.trust >= 0.45
    assert plans[-1].facts == ["passive_si"]
    assert ledger[-1].fact_id == "passive_si" and ledger[-1].risk_flags == [R.ASK_WISH_DEAD]


def test_screener_no_answer_comes_from_the_scenario(helen) -> None:
    _, plans, _ = run(Patient(helen), [coding(B.CLOSED_QUESTION, flags=(R.ASK_METHOD,))])
    assert plans[0].kind == "screener_no" and plans[0].text == helen.risk.screener[R.ASK_METHOD].line


def test_unsolicited_advice_lowers_trust_and_resists(helen) -> None:
    state, plans, _ = run(Patient(helen), [coding(B.PERSUADE, topics=("sleep",))])
    assert state.trust < helen.trust.start
    assert plans[0].kind == "react" and plans[0].text in helen.reactions.persuade.lines
    assert "early_waking" not in state.disclosed


def test_collapsing_trust_ends_the_encounter(helen) -> None:
    state, plans, _ = run(Patient(helen), [coding(B.CONFRONT)] * 3)
    assert state.ended == "walks_out" and plans[-1].ending == "walks_out"
    assert plans[-1].lines[-1] == helen.endings[0].line


def test_asking_again_recalls_the_same_words(helen) -> None:
    ask = coding(B.OPEN_QUESTION, topics=("work",))
    _, plans, ledger = run(Patient(helen), [ask, coding(B.CLOSED_QUESTION, topics=("work",))])
    assert plans[0].kind == "disclose"
    assert plans[1].kind == "recall"
    prefix, rest = plans[1].text.split(", ", 1)
    assert prefix + ", " in ("Like I said, ", "As I mentioned, ", "I told you, ")
    assert rest == plans[0].text, "a recall repeats what was said, never another variant's details"
    assert len(ledger) == 1


def test_a_reflection_that_mentions_a_topic_gets_the_reflection_reaction(helen) -> None:
    _state, plans, _ = run(
        Patient(helen),
        [coding(B.OPEN_QUESTION, topics=("work",)), coding(B.COMPLEX_REFLECTION, topics=("work",))],
    )
    assert plans[1].kind == "react" and plans[1].text in helen.reactions.complex_reflection.lines


def test_same_seed_same_choices_other_seed_may_differ(helen) -> None:
    steps = [coding(B.SIMPLE_REFLECTION)] * 4
    a = [p.text for p in run(Patient(helen, seed=1), steps)[1]]
    b = [p.text for p in run(Patient(helen, seed=1), steps)[1]]
    assert a == b
    variants = {tuple(p.text for p in run(Patient(helen, seed=s), steps)[1]) for s in range(8)}
    assert len(variants) > 1


def test_three_closed_questions_in_a_row_get_a_reaction(helen) -> None:
    _, plans, _ = run(Patient(helen), [coding(B.CLOSED_QUESTION)] * 3)
    assert plans[-1].text in helen.reactions.closed_question_streak.lines


def test_no_plan_ever_contains_a_locked_fact_line(helen) -> None:
    import itertools

    patient = Patient(helen)
    menu = [
        coding(B.OPEN_QUESTION, topics=("hopelessness",)),
        coding(B.CLOSED_QUESTION, topics=("family",)),
        coding(B.COMPLEX_REFLECTION),
        coding(B.CLOSED_QUESTION, flags=(R.ASK_SUICIDAL_THOUGHTS,)),
        coding(B.PERSUADE),
    ]
    fact_lines = {line: f.id for f in helen.facts for line in f.lines}
    for steps in itertools.product(menu, repeat=4):
        state = patient.initial_state()
        for c in steps:
            before = set(state.unlocked)
            state, plan, _ = patient.step(state, c, "x")
            for line in plan.lines:
                fact_id = fact_lines.get(line)
                assert fact_id is None or fact_id in state.unlocked, (steps, line)
            assert before <= set(state.unlocked)


def test_screening_questions_do_not_count_as_a_closed_question_streak(helen) -> None:
    screener = [coding(B.CLOSED_QUESTION, flags=(flag,)) for flag in (R.ASK_METHOD, R.ASK_INTENT, R.ASK_PLAN)]
    state, plans, _ = run(Patient(helen), [*screener, coding(B.CLOSED_QUESTION)])
    assert state.closed_streak == 1
    assert plans[-1].text not in helen.reactions.closed_question_streak.lines


def test_asking_permission_about_a_topic_is_not_a_question_about_it(helen) -> None:
    ask = coding(B.OPEN_QUESTION, topics=("sleep",))
    permission = coding(B.SEEK_COLLABORATION, B.CLOSED_QUESTION, topics=("sleep",))
    _, plans, _ = run(Patient(helen), [ask, permission])
    assert plans[1].kind == "react", "no recall of the sleep story in answer to a permission request"


def test_recall_keeps_names_capitalised_and_lowercases_the_rest(helen) -> None:
    patient = Patient(helen)
    assert {"Ellie", "Biscuit", "Leeds", "Helen"} <= patient._names
    state = patient.initial_state()
    ask_work = coding(B.OPEN_QUESTION, topics=("work",))
    state, first, _ = patient.step(state, ask_work, "x")
    state, again, _ = patient.step(state, coding(B.CLOSED_QUESTION, topics=("work",)), "x")
    said = first.text
    rest = again.text.split(", ", 1)[1]
    expected = said if said.startswith(("I ", "I'")) else said[:1].lower() + said[1:]
    assert rest == expected, "a common first word is lower-cased after 'Like I said, '; 'I' and names are kept"


def test_a_fact_written_as_the_answer_to_a_mistake_is_said_instead_of_the_generic_reaction(helen) -> None:
    from simulator.scenario import Condition, Fact

    hurt = Fact(
        id="hurt",
        summary="Feels judged when told what to do",
        lines=["That's what my husband used to say."],
        condition=Condition(behaviours=[B.PERSUADE]),
    )
    scenario = helen.model_copy(update={"facts": [*helen.facts, hurt]})
    _, plans, ledger = run(Patient(scenario), [coding(B.PERSUADE)])
    assert plans[0].facts == ["hurt"] and ledger[0].fact_id == "hurt"
    _, plans, _ = run(Patient(helen), [coding(B.PERSUADE)])
    assert plans[0].text in helen.reactions.persuade.lines, "without such a fact, the authored reaction"


def test_information_before_a_question_about_a_topic_still_gets_the_answer(helen) -> None:
    # "It says here things are fine at home. Is that right?": the question is what is left to answer, so a
    # guarded patient gives her guarded answer about the topic rather than an "I see." to the information.
    _, plans, ledger = run(Patient(helen), [coding(B.GIVE_INFORMATION, B.CLOSED_QUESTION, topics=("relationships",))])
    assert plans[0].kind == "guarded"
    assert plans[0].text in helen.fact("separation").guarded_lines
    assert not ledger
