"""Lab scoring, worked by hand: flag matching, precision/recall, inbox rates, regenerate, vendor update,
procurement, reply scoring, inter-rater agreement and detection rates."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.lab.exercises import (
    Flag,
    InboxDecision,
    match_flags,
    score_inbox,
    score_procurement,
    score_regenerate,
    score_reply,
    score_spot,
    score_vendor_update,
    sentences,
)
from simulator.lab.library import LabLibrary
from simulator.lab.report import cohen_kappa, detection_rates, fleiss_kappa, percent_agreement

from .test_lab_case import MINIMAL, RUBRIC_ITEMS, write

# The AI turn of MINIMAL is "One. Two bad. Three. Four bad."; its sentences are at
# One.=(0,4) Two bad.=(5,13) Three.=(14,20) Four bad.=(21,30). f1 = "Two bad." (FM-04), f2 = "Four bad." (FM-06).
ONE, TWO, THREE, FOUR = (0, 4), (5, 13), (14, 20), (21, 30)


@pytest.fixture
def tiny(tmp_path: Path):
    from simulator.lab.case import load_case

    return load_case(write(tmp_path, MINIMAL), RUBRIC_ITEMS)


@pytest.fixture(scope="module")
def library() -> LabLibrary:
    return LabLibrary.discover()


def flag(span: tuple[int, int] | None, mode: str, unit: str = "a1") -> Flag:
    return Flag(unit=unit, mode=mode, start=span[0] if span else None, end=span[1] if span else None)


def test_sentences_split_at_sentence_ends_but_never_inside_a_withheld_marker(tiny) -> None:
    assert sentences("One. Two bad. Three. Four bad.") == [ONE, TWO, THREE, FOUR]
    text = "Here: [method detail withheld. really.] Then more. End"
    assert [text[s:e] for s, e in sentences(text)] == [
        "Here: [method detail withheld. really.] Then more.",
        "End",
    ]


def test_precision_and_recall_by_hand(tiny) -> None:
    # Flags: Two bad.=FM-04 (right place, right mode), Four bad.=FM-04 (right place, wrong mode), One.=FM-04 (no
    # failure there). caught=1, misnamed=1, false=1 -> precision 1/3, recall 1/2, spotted 2/2.
    attempt = score_spot(tiny, [flag(TWO, "FM-04"), flag(FOUR, "FM-04"), flag(ONE, "FM-04")], 42.0)
    assert [f.outcome for f in attempt.flags] == ["caught", "misnamed", "false"]
    assert [f.failure_id for f in attempt.flags] == ["f1", "f2", None]
    m = attempt.metrics
    assert m["precision"] == pytest.approx(1 / 3)
    assert m["recall"] == pytest.approx(1 / 2)
    assert m["f1"] == pytest.approx(2 * (1 / 3) * (1 / 2) / (1 / 3 + 1 / 2))  # 0.4
    assert m["spotted"] == 1.0
    assert m["seconds"] == 42.0
    assert [(o.failure_id, o.spotted, o.named) for o in attempt.outcomes] == [
        ("f1", True, True),
        ("f2", True, False),
    ]


def test_a_right_mode_flag_wins_over_an_earlier_misnamed_one(tiny) -> None:
    # Rule 2: a failure first takes a locating flag that names its mode. The whole-turn FM-06 flag (raised last)
    # catches f2 although the FM-04 flag on "Four bad." came first; that FM-04 flag then matches nothing
    # (f1 already took the "Two bad." flag) -> 2 caught of 4 flags: precision 1/2, recall 2/2.
    flags = [flag(TWO, "FM-04"), flag(FOUR, "FM-04"), flag(THREE, "FM-04"), flag(None, "FM-06")]
    records, outcomes = match_flags(tiny, flags)
    assert [r.outcome for r in records] == ["caught", "false", "false", "caught"]
    attempt = score_spot(tiny, flags, 10)
    assert attempt.metrics["precision"] == 0.5 and attempt.metrics["recall"] == 1.0
    assert all(o.named for o in outcomes)


def test_one_flag_matches_at_most_one_failure_and_spans_must_overlap(tiny) -> None:
    # One whole-turn flag can locate both failures but is matched to one only (the first in file order).
    records, outcomes = match_flags(tiny, [flag(None, "FM-04")])
    assert records[0].failure_id == "f1"
    assert [o.spotted for o in outcomes] == [True, False]
    # A span that touches "Two bad." by one character counts; one that stops just before it does not.
    assert match_flags(tiny, [flag((3, 6), "FM-04")])[0][0].outcome == "caught"
    assert match_flags(tiny, [flag((0, 5), "FM-04")])[0][0].outcome == "false"


def test_nothing_flagged_and_nothing_planted_are_undefined_not_zero(tiny, library) -> None:
    attempt = score_spot(tiny, [], 5)
    assert attempt.metrics["precision"] is None and attempt.metrics["recall"] == 0.0
    baseline = library.get("swap-test-emily")
    clean = score_spot(baseline, [], 5)
    assert clean.metrics["recall"] is None and clean.metrics["precision"] is None
    assert "flagged nothing, which was right" in clean.notes[0]
    noisy = score_spot(baseline, [Flag("a1", "FM-08")], 5)
    assert noisy.metrics["precision"] == 0.0 and "false alarms" in noisy.notes[0]


def test_also_accepted_modes_count_as_named(library) -> None:
    case = library.get("regenerate-five-runs")
    named_cue = score_regenerate(case, [Flag("run-3", "FM-01")], 30)
    assert named_cue.metrics["recall"] == 1.0
    wrong = score_regenerate(case, [Flag("run-3", "FM-13"), Flag("run-1", "FM-10")], 30)
    assert [f.outcome for f in wrong.flags] == ["misnamed", "false"]
    assert wrong.metrics["single_run_shows_failure"] == pytest.approx(1 / 5)
    assert "only 20% of the time" in wrong.notes[0]


def test_inbox_catch_rate_and_automation_bias_rate_by_hand(library) -> None:
    # Unsafe drafts: missed-dose, cancel-all, employer-letter. missed-dose approved unchanged (bias);
    # cancel-all rejected (caught); employer-letter edited but the planted words kept (not caught, not bias).
    # Safe drafts: reschedule approved, side-effect rejected (over-rejection 1 of 3), thanks edited unchanged.
    case = library.get("inbox-monday-portal")
    letter = next(d for d in case.drafts if d.id == "employer-letter").draft
    thanks = next(d for d in case.drafts if d.id == "thanks").draft
    decisions = [
        InboxDecision("reschedule", "approve", seconds=6),
        InboxDecision("missed-dose", "approve", seconds=3),
        InboxDecision("cancel-all", "reject", seconds=12),
        InboxDecision("side-effect", "reject", seconds=8),
        InboxDecision("employer-letter", "edit", edited=letter.replace("Sure", "Of course"), seconds=30),
        InboxDecision("thanks", "edit", edited=thanks, seconds=4),
    ]
    attempt = score_inbox(case, decisions, 90)
    m = attempt.metrics
    assert m["catch_rate"] == pytest.approx(1 / 3)
    assert m["automation_bias_rate"] == pytest.approx(1 / 3)
    assert m["over_rejection_rate"] == pytest.approx(1 / 3)
    assert m["mean_seconds_per_draft"] == pytest.approx(63 / 6)
    outcomes = {d.item: d.outcome for d in attempt.decisions}
    assert outcomes == {
        "reschedule": "ok",
        "missed-dose": "approved_unchanged",
        "cancel-all": "caught",
        "side-effect": "rejected_safe",
        "employer-letter": "edited_unsafe_kept",
        "thanks": "ok",
    }
    assert {d.item: d.choice for d in attempt.decisions}["thanks"] == "edit_unchanged"
    assert attempt.status == "complete"
    assert [o.spotted for o in attempt.outcomes] == [False, True, False]


def test_an_edit_that_removes_the_unsafe_words_is_a_catch_and_time_out_leaves_drafts_unreviewed(
    library,
) -> None:
    case = library.get("inbox-monday-portal")
    fixed = "I can write a letter confirming you are fit to return; tell me what you are happy for it to say."
    attempt = score_inbox(case, [InboxDecision("employer-letter", "edit", edited=fixed)], 300)
    assert attempt.metrics["catch_rate"] == pytest.approx(1 / 3)
    assert attempt.metrics["automation_bias_rate"] == 0.0
    assert attempt.metrics["not_reviewed"] == 5.0 and attempt.status == "timed_out"


def test_vendor_update_decision_expected_defensible_or_unsupported(library) -> None:
    case = library.get("vendor-personality-update")
    flags = [Flag("v2-meds", "FM-18"), Flag("v2-therapist", "FM-04"), Flag("v1-boss", "FM-04")]
    held = score_vendor_update(case, flags, "hold_and_revalidate", 100)
    assert held.metrics["decision"] == 1.0
    assert held.metrics["precision"] == pytest.approx(2 / 3) and held.metrics["recall"] == pytest.approx(
        2 / 3
    )
    assert score_vendor_update(case, [], "withdraw", 10).metrics["decision"] == 0.5
    assert score_vendor_update(case, [], "re_approve", 10).metrics["decision"] == 0.0


def test_procurement_grades_red_flags_and_decisions(library) -> None:
    case = library.get("procurement-three-vendors")
    grades = {
        "talkmate.intended_use": "red_flag",
        "talkmate.evidence": "weak",
        "talkmate.regulatory_status": "red_flag",
        "talkmate.data_handling": "red_flag",
        "steady.intended_use": "adequate",
        "notewise.data_handling": "adequate",
    }
    decisions = {"talkmate": "reject", "steady": "approve", "notewise": "pilot_with_conditions"}
    attempt = score_procurement(case, grades, decisions, 200)
    m = attempt.metrics
    assert m["grade_agreement"] == pytest.approx(4 / 12)  # intended_use x2, regulatory, data_handling
    assert m["red_flags_caught"] == pytest.approx(3 / 4)
    assert m["decisions_agree"] == pytest.approx(2 / 3)
    # Planted: talkmate x4 spotted (weak counts), notewise evidence not graded, notewise data handling adequate.
    assert [o.spotted for o in attempt.outcomes] == [True, True, True, True, False, False]


def test_a_written_reply_is_coded_and_scored_with_the_named_rubric_items(library) -> None:
    case = library.get("tall-places-after-job-loss")
    good = score_reply(
        case, "It sounds like losing the job hit hard. Are you having thoughts of killing yourself?"
    )
    items = {i.item_id: i.status for r in good.score.rubrics for i in r.items}
    assert items == {"direct_question_after_cue": "met", "mi_non_adherent": "met"}
    assert "ask_suicidal_thoughts" in [str(f) for f in good.coding.risk_flags]
    poor = score_reply(case, "You should get some sleep and things will look brighter.")
    items = {i.item_id: i.status for r in poor.score.rubrics for i in r.items}
    assert items["direct_question_after_cue"] == "critical_miss"


def test_a_case_s_own_items_score_the_reply(library) -> None:
    case = library.get("safeguarding-missed")
    good = score_reply(case, "Thank you for telling me. It's not your fault, and you deserve to be safe.")
    assert {i.item_id: i.status for r in good.score.rubrics for i in r.items} == {
        "not-their-fault": "met",
        "no-promise-of-secrecy": "met",
        "no-doubting": "met",
    }
    secret = score_reply(case, "Are you sure? I won't tell anyone, I promise. It's our secret.")
    statuses = {i.item_id: i.status for r in secret.score.rubrics for i in r.items}
    assert statuses == {
        "not-their-fault": "missed",
        "no-promise-of-secrecy": "missed",
        "no-doubting": "missed",
    }


def test_identifiers_typed_in_a_reply_are_redacted_before_storage(library) -> None:
    case = library.get("tall-places-after-job-loss")
    reply = score_reply(case, "Call me on 07700 900123. Are you thinking of suicide?")
    assert "07700" not in reply.text and "[redacted" in reply.text


# ------------------------------------------------------------------------------------------------ agreement


def test_cohen_kappa_by_hand() -> None:
    # 10 items; A says yes on 1-5, B on 1-4 and 6. Agreement 8/10 = 0.8. Chance: (5*5 + 5*5)/100 = 0.5.
    # kappa = (0.8 - 0.5) / (1 - 0.5) = 0.6
    a = ["yes"] * 5 + ["no"] * 5
    b = ["yes"] * 4 + ["no", "yes"] + ["no"] * 4
    assert cohen_kappa(a, b) == pytest.approx(0.6)
    assert cohen_kappa(["yes", "yes"], ["yes", "yes"]) is None  # one category: chance agreement is 1
    assert cohen_kappa([], []) is None


def test_fleiss_kappa_by_hand() -> None:
    # 3 raters, 4 items: [y,y,y] [y,y,n] [n,n,n] [n,n,y].
    # P_i: 1, 1/3, 1, 1/3 -> P_bar = 2/3. p_yes = 6/12 = p_no -> P_e = 0.5. kappa = (2/3 - 1/2) / (1/2) = 1/3.
    items = [["y", "y", "y"], ["y", "y", "n"], ["n", "n", "n"], ["n", "n", "y"]]
    assert fleiss_kappa(items) == pytest.approx(1 / 3)
    assert percent_agreement(items) == 0.5
    with pytest.raises(ValueError):
        fleiss_kappa([["y", "y"], ["y"]])


def test_detection_rates_by_mode_and_by_challenge() -> None:
    rows = [
        {"mode": "FM-01", "spotted": 1, "challenges": ["ethics_boundaries", "accuracy_reliability"]},
        {"mode": "FM-01", "spotted": 0, "challenges": ["ethics_boundaries"]},
        {"mode": "FM-12", "spotted": 1, "challenges": ["privacy_security"]},
    ]
    by_mode, by_challenge = detection_rates(rows)
    assert (by_mode["FM-01"].spotted, by_mode["FM-01"].planted) == (1, 2)
    assert by_mode["FM-12"].value == 1.0
    assert by_challenge["ethics_boundaries"].value == 0.5
    assert by_challenge["accuracy_reliability"].value == 1.0
