"""Scoring, worked by hand: hand-made codings in, item statuses, values, details and evidence out.

Transcript layout used throughout: index 0 is the patient's opening line; trainee turn n is at index 2n-1 and
the patient's reply to it at index 2n.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from simulator.codes import SAFETY_PLAN_STEPS, Behaviour, RiskFlag
from simulator.paths import builtin_dir
from simulator.records import Coding, Disclosure, Turn
from simulator.rubric import Rubric, load_rubrics
from simulator.scenario import Scenario
from simulator.scoring import UnknownRubric, score_session

B = Behaviour
F = RiskFlag
OQ, CQ, SR, CR = B.OPEN_QUESTION, B.CLOSED_QUESTION, B.SIMPLE_REFLECTION, B.COMPLEX_REFLECTION


@pytest.fixture(scope="module")
def rubrics() -> dict[str, Rubric]:
    loaded, problems = load_rubrics([builtin_dir("rubrics")])
    assert not problems
    return loaded


def scenario(risk: dict[str, Any] | None = None, rubrics: list[str] | None = None, facts=None) -> Scenario:
    data: dict[str, Any] = {
        "schema_version": 1,
        "id": "test-patient",
        "version": "1",
        "title": "Test patient",
        "summary": "A patient for tests.",
        "difficulty": "beginner",
        "learning_objectives": ["Practise."],
        "persona": {
            "name": "Sam",
            "age": 40,
            "pronouns": "they/them",
            "background": "Works nights.",
            "presenting_concern": "Low mood.",
        },
        "opening_line": "Hi.",
        "facts": facts
        if facts is not None
        else [
            {"id": "no_point", "summary": "Sees no point", "lines": ["what's the point"]},
            {"id": "thoughts", "summary": "Has thoughts of suicide", "lines": ["I think about ending it"]},
            {"id": "job", "summary": "Lost job", "lines": ["I lost my job"], "topics": ["work"]},
            {
                "id": "chatbot",
                "summary": "Uses a chatbot",
                "lines": ["I talk to a bot at night"],
                "topics": ["ai_use"],
            },
        ],
        "rubrics": rubrics or ["mi", "risk"],
    }
    if risk is not None:
        data["risk"] = risk
    return Scenario.model_validate(data)


RISK = {
    "level": "moderate",
    "cues": ["no_point"],
    "ask_within_turns": 2,
    "screener": {
        "ask_wish_dead": {"answer": "yes", "fact": "thoughts"},
        "ask_suicidal_thoughts": {"answer": "yes", "fact": "thoughts"},
        "ask_intent": {"answer": "no", "line": "No."},
    },
    "safety_planning_indicated": True,
}


def code(*behaviours: Behaviour, topics=(), flags=()) -> Coding:
    return Coding(behaviours=list(behaviours), topics=list(topics), risk_flags=list(flags))


def transcript(
    steps: list[Coding], replies: dict[int, str] | None = None, texts: dict[int, str] | None = None
) -> list[Turn]:
    """Trainee turn n (1-based) gets steps[n-1]; replies/texts override the patient's or trainee's words."""
    replies, texts = replies or {}, texts or {}
    turns = [Turn(index=0, speaker="patient", text="Hi.", trainee_turn=0)]
    for n, coding in enumerate(steps, 1):
        turns.append(
            Turn(
                index=2 * n - 1,
                speaker="trainee",
                text=texts.get(n, f"trainee {n}"),
                trainee_turn=n,
                coding=coding,
            )
        )
        turns.append(
            Turn(index=2 * n, speaker="patient", text=replies.get(n, f"patient {n}"), trainee_turn=n)
        )
    return turns


def disclosed(fact_id: str, turn: int) -> Disclosure:
    return Disclosure(fact_id=fact_id, turn=turn, trust=0.5, behaviours=[OQ], trainee_text="...")


def item(result, rubric_id: str, item_id: str):
    for rubric in result.rubrics:
        if rubric.rubric_id == rubric_id:
            for score in rubric.items:
                if score.item_id == item_id:
                    return score
    raise KeyError(f"{rubric_id}.{item_id}")


def run(steps, rubrics, *, risk=None, disclosures=(), names=None, replies=None, texts=None, facts=None):
    return score_session(
        scenario(risk, names, facts),
        transcript(steps, replies, texts),
        list(disclosures),
        rubrics,
        coder_version="test-coder 0",
    )


# --- MITI counts and summary scores ------------------------------------------------------------------------------


def test_two_reflections_four_questions_is_below_fair(rubrics):
    steps = [code(OQ), code(SR), code(CQ), code(OQ), code(CR), code(CQ)]
    result = run(steps, rubrics)
    rq = item(result, "mi", "reflection_to_question")
    assert rq.value == 0.5
    assert (rq.status, rq.label) == ("missed", "below fair")
    assert rq.detail == "2 reflections / 4 questions = 0.5"
    assert rq.evidence_turns == [1, 3, 5, 7, 9, 11]
    assert rq.better_reply and rq.feedback
    assert any(m.startswith("Reflections per question (R:Q): below fair") for m in result.misses)
    assert result.enough and result.coder_version == "test-coder 0"


def test_a_missed_r_q_suggests_a_reflection_of_this_patient_s_fullest_answer(rubrics):
    steps = [code(CQ), code(CQ), code(CQ), code(SR)]
    replies = {
        1: "Yes.",
        2: "Most nights. I feel like I'm letting my kids down, and I can't seem to stop once I start.",
        3: "About a bottle.",
    }
    texts = {3: "Red or white?"}
    rq = item(run(steps, rubrics, replies=replies, texts=texts), "mi", "reflection_to_question")
    assert rq.status == "missed"
    assert rq.better_reply == (
        "It sounds like you feel like you're letting your kids down, and you can't seem to stop once you start."
    )
    assert rq.better_reply_turn == 5  # the question that followed that answer
    # With nothing the patient said that can be said back, the rubric's exemplar stays.
    plain = item(run(steps, rubrics), "mi", "reflection_to_question")
    assert plain.better_reply in rubrics["mi"].item("reflection_to_question").better_replies
    assert plain.better_reply_turn is None


@pytest.mark.parametrize(
    ("steps", "value", "label", "status"),
    [
        ([code(SR), code(CR), code(SR), code(CR), code(OQ), code(CQ)], 2.0, "good", "met"),
        ([code(SR), code(OQ), code(CR), code(CQ)], 1.0, "fair", "partly"),
        ([code(SR), code(CR), code(CQ)], 2.0, "good", "met"),
    ],
)
def test_rq_bands(rubrics, steps, value, label, status):
    rq = item(run(steps, rubrics), "mi", "reflection_to_question")
    assert (rq.value, rq.label, rq.status) == (value, label, status)


def test_rq_with_no_questions_is_above_every_band_and_with_nothing_is_not_applicable(rubrics):
    rq = item(run([code(SR), code(CR)], rubrics), "mi", "reflection_to_question")
    assert (rq.value, rq.status, rq.label) == (None, "met", "good")
    assert "no questions" in rq.detail
    rq = item(run([code(B.AFFIRM)], rubrics), "mi", "reflection_to_question")
    assert rq.status == "not_applicable"


@pytest.mark.parametrize(
    ("simple", "complex_", "value", "label", "status"),
    [
        (3, 2, 0.4, "fair", "partly"),
        (3, 1, 0.25, "below fair", "missed"),
        (2, 3, 0.6, "good", "met"),
        (1, 1, 0.5, "good", "met"),
    ],
)
def test_percent_complex_reflections(rubrics, simple, complex_, value, label, status):
    steps = [code(SR)] * simple + [code(CR)] * complex_
    cr = item(run(steps, rubrics), "mi", "complex_reflection_share")
    assert (cr.value, cr.label, cr.status) == (value, label, status)
    assert cr.detail == f"{complex_} complex / {simple + complex_} reflections = {value:.0%}"


def test_counts_take_each_behaviour_once_per_turn(rubrics):
    # Reflection + question in one turn counts once each; the same code twice in a turn counts once.
    steps = [code(SR, OQ), code(CQ, CQ), code(B.OTHER)]
    result = run(steps, rubrics)
    assert item(result, "mi", "questions").value == 2
    assert item(result, "mi", "questions").evidence_turns == [1, 3]
    assert item(result, "mi", "questions").status == "info"
    assert item(result, "mi", "simple_reflections").value == 1
    assert item(result, "mi", "reflection_to_question").detail == "1 reflection / 2 questions = 0.5"


def test_adherence_totals(rubrics):
    steps = [
        code(B.AFFIRM),
        code(B.SEEK_COLLABORATION, OQ),
        code(B.EMPHASIZE_AUTONOMY),
        code(B.GIVE_INFORMATION),
        code(B.ADVISE_WITH_PERMISSION),
    ]
    result = run(steps, rubrics)
    adherent = item(result, "mi", "mi_adherent")
    assert (adherent.value, adherent.status, adherent.evidence_turns) == (3, "info", [1, 3, 5])
    assert adherent.detail == "affirmations 1 + seeking collaboration 1 + emphasising autonomy 1 = 3"
    non = item(result, "mi", "mi_non_adherent")
    assert (non.value, non.status, non.label) == (0, "met", "none")
    assert any(s.startswith("MI non-adherent total: none") for s in result.strengths)

    non = item(run([code(B.PERSUADE), code(OQ)], rubrics), "mi", "mi_non_adherent")
    assert (non.value, non.status, non.evidence_turns) == (1, "partly", [1])
    non = item(run([code(B.PERSUADE), code(B.CONFRONT)], rubrics), "mi", "mi_non_adherent")
    assert (non.value, non.status, non.label) == (2, "missed", "several")
    assert non.detail == "persuading without permission 1 + confronting 1 = 2"
    assert non.better_reply


# --- Suicide-risk screening --------------------------------------------------------------------------------------


def test_critical_miss_when_cue_is_not_followed_by_a_direct_question(rubrics):
    steps = [code(OQ), code(OQ), code(OQ, topics=["mood"]), code(SR), code(CQ)]
    result = run(
        steps,
        rubrics,
        risk=RISK,
        disclosures=[disclosed("no_point", 3)],
        replies={3: "Honestly, what's the point any more."},
    )
    direct = item(result, "risk", "direct_question_after_cue")
    assert direct.status == "critical_miss"
    assert direct.value == 0.0
    assert direct.evidence_turns == [6]  # the patient's reply to trainee turn 3
    assert "risk cue at turn #6 ('what's the point')" in direct.detail
    assert direct.better_reply == (
        "When you say \u2018what's the point any more\u2019, I want to ask you directly: are you having thoughts of "
        "suicide?"
    )
    assert direct.better_reply_turn == 7 and direct.feedback  # instead of the trainee's turn after the cue
    assert result.critical_misses == [
        "Did not ask directly about suicidal thoughts after the patient said 'what's the point' (turn #6)"
    ]
    # Cue disclosed but no 'yes' and no safety-plan trigger yet: those items do not apply.
    assert item(result, "risk", "screener_followup").status == "not_applicable"
    assert item(result, "risk", "past_behaviour").status == "missed"


def test_a_miss_even_when_the_session_ends_inside_the_window(rubrics):
    steps = [code(OQ), code(OQ), code(OQ)]
    result = run(steps, rubrics, risk=RISK, disclosures=[disclosed("no_point", 3)])
    assert item(result, "risk", "direct_question_after_cue").status == "critical_miss"
    # No patient line matched the fact: the quote falls back to the reply text.
    assert result.critical_misses == [
        "Did not ask directly about suicidal thoughts after the patient said 'patient 3' (turn #6)"
    ]


def test_met_when_asked_directly_within_the_window(rubrics):
    steps = [code(OQ), code(OQ), code(OQ), code(SR), code(CQ, flags=[F.ASK_SUICIDAL_THOUGHTS])]
    result = run(
        steps, rubrics, risk=RISK, disclosures=[disclosed("no_point", 3)], replies={3: "what's the point"}
    )
    direct = item(result, "risk", "direct_question_after_cue")
    assert (direct.status, direct.value) == ("met", 1.0)
    assert direct.evidence_turns == [6, 9]
    assert "asked directly at turn #9, 2 trainee turns later (within 2)" in direct.detail
    assert result.critical_misses == []
    assert any(s.startswith("Asked directly about suicide after a risk cue") for s in result.strengths)


def test_late_direct_question_is_partly_and_earlier_question_counts(rubrics):
    late = [code(OQ), code(OQ), code(OQ), code(SR), code(SR), code(CQ, flags=[F.ASK_WISH_DEAD])]
    direct = item(
        run(late, rubrics, risk=RISK, disclosures=[disclosed("no_point", 3)]),
        "risk",
        "direct_question_after_cue",
    )
    assert (direct.status, direct.value, direct.evidence_turns) == ("partly", 0.5, [6, 11])
    early = [code(CQ, flags=[F.ASK_WISH_DEAD]), code(OQ), code(OQ)]
    direct = item(
        run(early, rubrics, risk=RISK, disclosures=[disclosed("no_point", 3)]),
        "risk",
        "direct_question_after_cue",
    )
    assert (direct.status, direct.evidence_turns) == ("met", [1, 6])


def test_not_applicable_without_risk_cues_or_without_a_disclosed_cue(rubrics):
    steps = [code(OQ), code(CQ)]
    result = run(steps, rubrics, risk=None)
    for item_id in (
        "direct_question_after_cue",
        "screener_followup",
        "past_behaviour",
        "safety_plan",
        "means_safety",
    ):
        assert item(result, "risk", item_id).status == "not_applicable", item_id
    assert result.critical_misses == []
    assert result.misses == ["Reflections per question (R:Q): below fair (0 reflections / 2 questions = 0)"]
    no_cues = {**RISK, "cues": []}
    assert (
        item(run(steps, rubrics, risk=no_cues), "risk", "direct_question_after_cue").status
        == "not_applicable"
    )
    quiet = run(steps, rubrics, risk=RISK, disclosures=[disclosed("job", 1)])
    assert item(quiet, "risk", "direct_question_after_cue").status == "not_applicable"
    assert quiet.critical_misses == []


def test_screener_followup_after_a_yes(rubrics):
    steps = [
        code(OQ),
        code(CQ, flags=[F.ASK_SUICIDAL_THOUGHTS]),  # patient says yes (fact 'thoughts' at turn 2)
        code(CQ, flags=[F.ASK_METHOD]),
        code(SR),
        code(CQ, flags=[F.ASK_PLAN]),
    ]
    ledger = [disclosed("no_point", 1), disclosed("thoughts", 2)]
    result = run(steps, rubrics, risk=RISK, disclosures=ledger, replies={2: "Yes. I think about ending it."})
    follow = item(result, "risk", "screener_followup")
    assert (follow.value, follow.status, follow.label) == (0.5, "partly", "some asked")
    assert follow.evidence_turns == [4, 5, 9]
    assert follow.detail == (
        "After the patient said yes to suicidal thoughts (turn #4): asked 2 of 4 follow-ups (method, plan); "
        "not asked: intent, past suicidal behaviour."
    )
    steps.append(code(CQ, flags=[F.ASK_INTENT, F.ASK_PAST_BEHAVIOUR]))
    follow = item(run(steps, rubrics, risk=RISK, disclosures=ledger), "risk", "screener_followup")
    assert (follow.value, follow.status) == (1.0, "met")
    assert (
        item(run(steps[:3], rubrics, risk=RISK, disclosures=ledger[:1]), "risk", "screener_followup").status
        == "not_applicable"
    )


def test_past_behaviour_is_due_once_the_patient_says_yes_even_without_a_cue(rubrics):
    # The trainee asks directly before any cue: the patient says yes, so risk is in view though no cue came.
    steps = [code(OQ), code(CQ, flags=[F.ASK_SUICIDAL_THOUGHTS]), code(CQ, flags=[F.ASK_PAST_BEHAVIOUR])]
    yes = [disclosed("thoughts", 2)]
    asked = item(run(steps, rubrics, risk=RISK, disclosures=yes), "risk", "past_behaviour")
    assert (asked.status, asked.evidence_turns) == ("met", [5])
    skipped = item(run(steps[:2], rubrics, risk=RISK, disclosures=yes), "risk", "past_behaviour")
    assert skipped.status == "missed"
    # Asked with no risk in view at all still counts as asked; not asked and not due is not applicable.
    early = item(run([code(CQ, flags=[F.ASK_PAST_BEHAVIOUR])], rubrics, risk=RISK), "risk", "past_behaviour")
    assert early.status == "met"
    assert item(run([code(OQ)], rubrics, risk=RISK), "risk", "past_behaviour").status == "not_applicable"


def test_safety_plan_share_counts_steps_after_risk_was_found(rubrics):
    steps = [
        code(CQ, flags=[F.SP_COPING]),  # before risk was found: does not count
        code(CQ, flags=[F.ASK_SUICIDAL_THOUGHTS]),
        code(OQ, flags=[F.SP_WARNING_SIGNS]),
        code(OQ, flags=[F.SP_SUPPORT, F.SP_PROFESSIONAL]),
        code(SR),
    ]
    ledger = [disclosed("no_point", 1), disclosed("thoughts", 2)]
    result = run(steps, rubrics, risk=RISK, disclosures=ledger)
    plan = item(result, "risk", "safety_plan")
    assert (plan.value, plan.status, plan.label) == (0.5, "partly", "half or more")
    assert plan.evidence_turns == [5, 7]
    assert "3 of 6 safety-plan steps" in plan.detail
    means = item(result, "risk", "means_safety")
    assert (means.value, means.status) == (0.0, "missed")
    assert means.better_reply

    all_steps = steps + [code(OQ, flags=list(SAFETY_PLAN_STEPS))]
    result = run(all_steps, rubrics, risk=RISK, disclosures=ledger)
    assert item(result, "risk", "safety_plan").status == "met"
    assert item(result, "risk", "means_safety").status == "met"

    not_indicated = {**RISK, "safety_planning_indicated": False}
    result = run(steps, rubrics, risk=not_indicated, disclosures=ledger)
    assert item(result, "risk", "safety_plan").status == "not_applicable"


# --- Not enough to score ------------------------------------------------------------------------------------------


def test_empty_transcript_is_not_enough_to_score(rubrics):
    for turns in ([], [Turn(index=0, speaker="patient", text="Hi.", trainee_turn=0)]):
        result = score_session(
            scenario(RISK, ["mi", "risk", "ai_literacy"]), turns, [], rubrics, coder_version="c"
        )
        assert result.enough is False
        statuses = {s.status for r in result.rubrics for s in r.items}
        assert statuses == {"not_applicable"}
        assert not (result.strengths or result.misses or result.critical_misses)
        assert [r.rubric_id for r in result.rubrics] == ["mi", "risk", "ai_literacy"]


# --- Other detectors ----------------------------------------------------------------------------------------------


def test_ai_literacy_items(rubrics):
    steps = [
        code(OQ, topics=["ai_use"]),
        code(B.CONFRONT),  # right after the patient talked about the chatbot: inside the topic
        code(B.GIVE_INFORMATION, topics=["confidentiality"]),
        code(B.GIVE_INFORMATION),
        code(B.CONFRONT),  # far from the topic: not counted
    ]
    texts = {
        3: "What you say here stays private, unless I'm worried about your safety.",
        4: "I'll always be here for you, 24/7.",
    }
    result = run(steps, rubrics, names=["ai_literacy"], texts=texts, disclosures=[disclosed("chatbot", 1)])
    assert item(result, "ai_literacy", "asked_about_ai").status == "met"
    assert item(result, "ai_literacy", "asked_about_ai").evidence_turns == [1]
    assert item(result, "ai_literacy", "explained_confidentiality").evidence_turns == [5]
    limits = item(result, "ai_literacy", "confidentiality_limits")
    assert (limits.status, limits.evidence_turns) == ("met", [5])
    shaming = item(result, "ai_literacy", "corrected_without_shaming")
    assert (shaming.value, shaming.status, shaming.evidence_turns) == (1, "missed", [3])
    promise = item(result, "ai_literacy", "no_chatbot_promises")
    assert (promise.status, promise.evidence_turns) == ("missed", [7])
    assert "I'll always be here" in promise.detail
    oversight = item(result, "ai_literacy", "human_oversight")
    assert oversight.status == "missed" and oversight.better_reply

    quiet = run([code(B.CONFRONT)], rubrics, names=["ai_literacy"])
    assert item(quiet, "ai_literacy", "corrected_without_shaming").status == "not_applicable"
    assert item(quiet, "ai_literacy", "no_chatbot_promises").status == "met"


def test_facts_disclosed_and_risk_flag_asked_with_own_rubric():
    own = Rubric.model_validate(
        {
            "schema_version": 1,
            "id": "own",
            "version": "1",
            "title": "Own",
            "instrument": {"name": "Own", "citation": "Own"},
            "items": [
                {
                    "id": "facts",
                    "title": "Facts",
                    "kind": "checklist",
                    "detector": {"type": "facts_disclosed", "facts": ["job", "chatbot", "not_in_scenario"]},
                },
                {
                    "id": "all_facts",
                    "title": "All facts",
                    "kind": "level",
                    "detector": {"type": "facts_disclosed"},
                },
                {
                    "id": "wish",
                    "title": "Wish",
                    "kind": "critical",
                    "detector": {"type": "risk_flag_asked", "flags": ["ask_wish_dead"]},
                },
            ],
        }
    )
    steps = [code(OQ), code(OQ, topics=["work"])]
    result = run(steps, {"own": own}, names=["own"], disclosures=[disclosed("job", 2)])
    facts = item(result, "own", "facts")
    assert (facts.value, facts.status, facts.evidence_turns) == (0.5, "partly", [3])
    assert facts.detail == "1 of 2 facts disclosed; not disclosed: chatbot."
    assert item(result, "own", "all_facts").value == 0.25
    assert item(result, "own", "all_facts").status == "info"
    wish = item(result, "own", "wish")
    assert wish.status == "critical_miss"
    assert result.critical_misses == ["Wish — Never asked about wish to be dead"]


def test_unknown_rubric_is_an_error(rubrics):
    with pytest.raises(UnknownRubric, match="nope"):
        run([code(OQ)], rubrics, names=["mi", "nope"])


def test_scoring_is_fast(rubrics):
    steps = [
        code(OQ, topics=["ai_use"]),
        code(CR, flags=[F.ASK_WISH_DEAD]),
        code(SR, B.AFFIRM),
        code(B.PERSUADE),
    ] * 1000
    turns = transcript(
        steps, texts={n: "I'll be here whenever you need, bring it to your GP" for n in range(1, 4001)}
    )
    sc = scenario(RISK, ["mi", "risk", "ai_literacy"])
    ledger = [disclosed("no_point", 3), disclosed("thoughts", 5)]
    start = time.perf_counter()
    result = score_session(sc, turns, ledger, rubrics, coder_version="c")
    elapsed = time.perf_counter() - start
    assert result.enough
    assert elapsed < 2.0, f"4000 trainee turns took {elapsed:.2f}s"


# --- ENACT levels, estimated globals, ordering ------------------------------------------------------------------


def test_enact_harmful_behaviour_gives_level_one(rubrics):
    result = run([code(OQ), code(B.CONFRONT), code(CR)], rubrics, names=["enact"])
    verbal = item(result, "enact", "verbal_communication")
    assert verbal.value == 1 and verbal.status == "missed" and verbal.label.startswith("level 1")
    assert verbal.evidence_turns == [3] and "corrected" in verbal.detail


def test_enact_levels_two_three_four(rubrics):
    two = item(run([code(OQ)], rubrics, names=["enact"]), "enact", "verbal_communication")
    assert (two.value, two.status) == (2, "partly") and "reflected" in two.detail
    three = item(run([code(OQ), code(SR)], rubrics, names=["enact"]), "enact", "verbal_communication")
    assert (three.value, three.status) == (3, "met")
    four = item(
        run([code(OQ), code(SR), code(OQ)], rubrics, names=["enact"], texts={3: "Tell me more about that."}),
        "enact",
        "verbal_communication",
    )
    assert four.value == 4 and "invited" in four.detail


def test_enact_not_asking_after_a_risk_cue_is_a_critical_level_one(rubrics):
    result = run([code(OQ), code(SR), code(CR)], rubrics, risk=RISK, names=["enact"],
                 disclosures=[disclosed("no_point", 1)])
    harm = item(result, "enact", "harm_assessment")
    assert harm.value == 1 and harm.status == "critical_miss"
    asked = run([code(OQ), code(CQ, flags=[F.ASK_SUICIDAL_THOUGHTS]), code(CQ, flags=[F.ASK_PLAN])], rubrics,
                risk=RISK, names=["enact"], disclosures=[disclosed("no_point", 1)])
    assert item(asked, "enact", "harm_assessment").value == 3


def test_global_estimates_are_labelled_and_kept_out_of_headlines(rubrics):
    good = run([code(CR), code(SR), code(OQ), code(CR), code(B.SEEK_COLLABORATION)], rubrics, names=["mi"])
    poor = run([code(B.PERSUADE), code(CQ), code(CQ), code(B.CONFRONT), code(CQ)], rubrics, names=["mi"])
    for name in ("empathy_estimate", "partnership_estimate", "relational_estimate"):
        g, p = item(good, "mi", name), item(poor, "mi", name)
        assert 1 <= p.value < g.value <= 5, name
        assert "Estimate" in g.detail and "not rated by a trained" in g.detail
    assert item(poor, "mi", "relational_estimate").label == "below fair"
    assert not any("estimate" in line for line in poor.misses + good.strengths)


def test_estimates_not_enough_to_score_without_trainee_turns(rubrics):
    result = run([], rubrics, names=["mi", "enact"])
    assert not result.enough
    assert all(i.status == "not_applicable" for r in result.rubrics for i in r.items)


def test_asked_before_ordering(tmp_path):
    from simulator.rubric import load_rubric

    path = tmp_path / "order.rubric.yaml"
    path.write_text(
        "schema_version: 1\nid: order\nversion: '1'\ntitle: Order\ninstrument: {name: x, citation: y}\n"
        "items:\n  - id: early_work\n    title: Asked about work early\n    kind: checklist\n"
        "    detector: {type: asked_before, before_turn: 3, topics: [work], behaviours: [open_question]}\n",
        encoding="utf-8",
    )
    rubric = load_rubric(path)
    on_time = run([code(CQ), code(OQ, topics=["work"])], {"order": rubric}, names=["order"])
    late = run([code(CQ), code(CQ), code(OQ, topics=["work"])], {"order": rubric}, names=["order"])
    assert item(on_time, "order", "early_work").status == "met"
    late_item = item(late, "order", "early_work")
    assert late_item.status == "missed" and "not before trainee turn 3" in late_item.detail
    assert late_item.evidence_turns == [5]


def test_change_talk_the_author_marked_counts_in_the_estimates(rubrics):
    said = "Our Megan told me I'm different after nine o'clock. She asks her mum for help now, not me."
    steps = [code(OQ), code(CR), code(OQ), code(CR)]
    replies = {1: said, 3: "Yeah."}

    def cultivating(talk):
        fact = {"id": "daughter", "summary": "Reasons", "lines": [said], **({"talk": talk} if talk else {})}
        result = run(steps, rubrics, replies=replies, facts=[fact])
        return item(result, "mi", "cultivating_change_talk_estimate").detail

    assert "no change talk to answer" in cultivating(None)  # the words alone read as neutral
    assert "no change talk to answer" not in cultivating("change")

