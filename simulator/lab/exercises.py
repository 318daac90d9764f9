"""Scoring of the lab exercises: pure functions from a case and the trainee's actions to a :class:`LabAttempt`.

Matching a flag to a planted failure (spot the failure, regenerate, vendor update)
---------------------------------------------------------------------------------
Rules a person can apply by hand:

1. A flag *locates* a planted failure when it is on the same unit (AI turn, draft, output) and its span shares
   at least one character with the planted span. A flag without a span covers the whole unit. Positions count
   in the unit's whitespace-normalised text.
2. Each flag matches at most one failure and each failure at most one flag. Failures are taken in file order;
   each takes the earliest unused locating flag that names its mode; failures still unmatched then take the
   earliest unused locating flag naming another mode.
3. A flag matched with the right mode (the failure's ``mode`` or one listed in its ``also``) is **caught**;
   with another mode, **misnamed**; unmatched, **false**.
4. precision = caught / flags raised; recall = caught / failures planted; F1 is their harmonic mean.
   "Spotted" = (caught + misnamed) / planted: found, whatever it was called. With nothing planted recall is
   not defined; with no flags precision is not defined (shown as "—").

Inbox: an unsafe draft is **caught** when it is rejected, or edited so that none of its planted spans remains
(compared case-insensitively, whitespace-normalised); an edit that leaves the text unchanged counts as an
approval. catch rate = caught / unsafe drafts; automation-bias rate = unsafe drafts approved unchanged / unsafe
drafts. A draft left undecided when time runs out is neither.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Literal

from .attempt import DecisionRecord, FailureOutcome, FlagRecord, LabAttempt, ReplyRecord, new_attempt_id
from .case import DIMENSIONS, Exercise, LabCase, PlantedFailure, Speaker, normalise, span_range
from .taxonomy import FailureMode

if TYPE_CHECKING:
    from simulator.rubric import Rubric


# ------------------------------------------------------------------------------------------------ helpers


def ratio(part: int, whole: int) -> float | None:
    """part / whole, or None when whole is 0 (not defined)."""
    return part / whole if whole else None


def f1(precision: float | None, recall: float | None) -> float | None:
    """Harmonic mean of precision and recall (None if either is undefined; 0 when both are 0)."""
    if precision is None or recall is None:
        return None
    if precision + recall == 0:
        return 0.0
    return 2 * precision * recall / (precision + recall)


def percent(value: float | None) -> str:
    """``"67%"``, or ``"—"`` when not defined."""
    return "—" if value is None else f"{value * 100:.0f}%"


_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]*\s+")
_BRACKETS = re.compile(r"\[[^\[\]]*\]")


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of a (normalised) text, never splitting inside ``[...]`` markers; used for flagging."""
    text = normalise(text)
    guarded = [(m.start(), m.end()) for m in _BRACKETS.finditer(text)]
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if any(s < m.start() < e for s, e in guarded):
            continue
        end = m.start() + len(m.group(0).rstrip())
        if text[start:end].strip():
            spans.append((start, end))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


def _clean(text: str) -> str:
    """What the trainee typed, with identifiers typed by mistake redacted before it is stored."""
    from simulator.privacy import redact

    return redact(text)[0] if text else text


def _window(started: datetime, seconds: float) -> tuple[datetime, datetime]:
    return started, started + timedelta(seconds=max(0.0, seconds))


def _attempt(
    case: LabCase, exercise: str, trainee: str, seconds: float, started: datetime | None
) -> LabAttempt:
    begin = started or datetime.now(UTC) - timedelta(seconds=max(0.0, seconds))
    begin, end = _window(begin, seconds)
    return LabAttempt(
        id=new_attempt_id(),
        exercise=exercise,
        case_id=case.id,
        case_version=case.version,
        case_title=case.title,
        trainee=trainee,
        challenges=[c.value for c in case.challenges],
        started_at=begin,
        ended_at=end,
        seconds=round(seconds, 3),
    )


# ---------------------------------------------------------------------------------------------- flagging


@dataclass(frozen=True)
class Flag:
    """A trainee's flag: a unit, optionally a span in it, and the mode they named."""

    unit: str
    mode: FailureMode | str | None = None
    start: int | None = None
    end: int | None = None
    at_s: float = 0.0


def _locates(flag: Flag, failure: PlantedFailure, planted: tuple[int, int] | None) -> bool:
    if flag.unit != failure.turn:
        return False
    if flag.start is None or flag.end is None or planted is None:
        return True
    return flag.start < planted[1] and planted[0] < flag.end


def _same_mode(flag: Flag, failure: PlantedFailure) -> bool:
    """The flag names the failure's mode, or one of the modes the author accepts for it (``also``)."""
    return flag.mode is not None and FailureMode(flag.mode) in (failure.mode, *failure.also)


def match_flags(case: LabCase, flags: Sequence[Flag]) -> tuple[list[FlagRecord], list[FailureOutcome]]:
    """Apply the matching rules (module docstring) to every flag; return flag records and failure outcomes."""
    units = case.units()
    ranges = {
        f.id: span_range(units[f.turn].text, f.span) if f.turn in units else None for f in case.failures
    }
    used: dict[int, tuple[str, bool]] = {}  # flag index -> (failure id, mode right)
    matched: dict[str, tuple[int, bool]] = {}
    for right_mode in (True, False):
        for failure in case.failures:
            if failure.id in matched:
                continue
            for i, flag in enumerate(flags):
                if i in used or not _locates(flag, failure, ranges[failure.id]):
                    continue
                if right_mode and not _same_mode(flag, failure):
                    continue
                named = _same_mode(flag, failure)
                used[i] = (failure.id, named)
                matched[failure.id] = (i, named)
                break
    records = []
    for i, flag in enumerate(flags):
        unit = units.get(flag.unit)
        text = ""
        if unit is not None:
            text = unit.text[flag.start : flag.end] if flag.start is not None else unit.text
        failure_id, named = used.get(i, (None, False))
        outcome: Literal["caught", "misnamed", "false"] = (
            "false" if failure_id is None else "caught" if named else "misnamed"
        )
        records.append(
            FlagRecord(
                unit=flag.unit,
                start=flag.start,
                end=flag.end,
                text=text,
                mode=str(FailureMode(flag.mode)) if flag.mode is not None else None,
                at_s=round(flag.at_s, 3),
                outcome=outcome,
                failure_id=failure_id,
            )
        )
    outcomes = [
        FailureOutcome(
            failure_id=f.id,
            unit=f.turn,
            mode=f.mode.value,
            severity=f.severity.value,
            spotted=f.id in matched,
            named=matched[f.id][1] if f.id in matched else False,
        )
        for f in case.failures
    ]
    return records, outcomes


def flag_metrics(records: Sequence[FlagRecord], planted: int) -> dict[str, float | None]:
    """precision, recall, f1, spotted (located whatever the name), and the counts behind them."""
    caught = sum(r.outcome == "caught" for r in records)
    misnamed = sum(r.outcome == "misnamed" for r in records)
    precision = ratio(caught, len(records))
    recall = ratio(caught, planted)
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1(precision, recall),
        "spotted": ratio(caught + misnamed, planted),
        "caught": float(caught),
        "misnamed": float(misnamed),
        "false_flags": float(len(records) - caught - misnamed),
        "flags": float(len(records)),
        "planted": float(planted),
    }


def score_spot(
    case: LabCase,
    flags: Sequence[Flag],
    seconds: float,
    *,
    trainee: str = "trainee",
    reply: ReplyRecord | None = None,
    started: datetime | None = None,
) -> LabAttempt:
    """Score a spot-the-failure attempt (precision, recall, time) and attach the scored reply, if any."""
    attempt = _attempt(case, Exercise.SPOT.value, trainee, seconds, started)
    attempt.flags, attempt.outcomes = match_flags(case, flags)
    attempt.metrics = flag_metrics(attempt.flags, len(case.failures))
    attempt.metrics["seconds"] = round(seconds, 1)
    attempt.metrics["par_seconds"] = float(case.par_seconds) if case.par_seconds else None
    attempt.reply = reply
    if not case.failures:
        attempt.notes.append(
            "Nothing was planted in this output: it is the baseline of a counterfactual pair. "
            + (
                "You flagged nothing, which was right."
                if not flags
                else f"Your {len(flags)} flag(s) were false alarms."
            )
        )
    if case.par_seconds and seconds > case.par_seconds:
        attempt.notes.append(f"You took {seconds:.0f} s; about {case.par_seconds} s is a reasonable pace.")
    return attempt


# ------------------------------------------------------------------------------------------------- reply


def patient_words(case: LabCase, reply_to: str) -> str:
    """What the patient said in the turn (or draft's incoming message) the reply answers."""
    for turn in case.transcript:
        if turn.id == reply_to:
            return normalise(turn.text)
    for draft in case.drafts:
        if draft.id == reply_to:
            return normalise(draft.incoming)
    raise KeyError(reply_to)


def _reply_scenario(case: LabCase, said: str, rubric_ids: list[str]):
    """A one-exchange scenario standing for the case, so the ordinary scorer can score the reply."""
    from simulator.scenario import Scenario

    task = case.reply_task
    assert task is not None
    person = case.context.patient
    data: dict[str, object] = {
        "schema_version": 1,
        "id": f"lab-{case.id}",
        "version": case.version,
        "title": case.title,
        "summary": case.summary,
        "difficulty": "intermediate",
        "learning_objectives": [task.prompt],
        "persona": {
            "name": person.name if person else "the patient",
            "age": (person.age if person and person.age is not None else 30),
            "pronouns": person.pronouns if person and person.pronouns else "they/them",
            "background": person.background if person else "",
            "presenting_concern": case.context.task,
        },
        "opening_line": said,
        "rubrics": rubric_ids,
    }
    if task.risk_cue:
        data["facts"] = [
            {"id": "cue", "summary": "The patient's words carry a suicide-risk cue.", "lines": [said]}
        ]
        data["risk"] = {"level": "moderate", "cues": ["cue"], "ask_within_turns": 1}
    return Scenario.model_validate(data)


def _reply_rubrics(case: LabCase, rubrics: Mapping[str, Rubric]) -> dict[str, Rubric]:
    """The referenced items, grouped by their rubric, plus the case's own items as a rubric of their own."""
    from simulator.rubric import Instrument, Rubric

    task = case.reply_task
    assert task is not None
    chosen: dict[str, Rubric] = {}
    for ref in task.rubric_items:
        rubric_id, _, item_id = ref.partition(".")
        source = rubrics.get(rubric_id)
        if source is None:
            raise KeyError(f"rubric {rubric_id!r} is not loaded (needed by {ref!r})")
        item = source.item(item_id)
        current = chosen.get(rubric_id)
        items = [*(current.items if current else []), item]
        chosen[rubric_id] = source.model_copy(update={"items": items})
    if task.items:
        chosen["case"] = Rubric(
            schema_version=1,
            id="case",
            version=case.version,
            title=f"{case.title}: the case's own items",
            instrument=Instrument(name="mhsim lab case", citation=f"Lab case {case.id} v{case.version}"),
            items=list(task.items),
        )
    return chosen


def score_reply(case: LabCase, text: str, rubrics: Mapping[str, Rubric] | None = None) -> ReplyRecord:
    """Code the trainee's reply with the offline coder and score it with the task's rubric items."""
    from simulator.coding import Coder
    from simulator.privacy import redact
    from simulator.records import Disclosure, Turn
    from simulator.rubric import load_rubrics
    from simulator.scoring import score_session

    task = case.reply_task
    if task is None:
        raise ValueError(f"lab case {case.id!r} has no reply task")
    if rubrics is None:
        rubrics, _problems = load_rubrics()
    said = patient_words(case, task.reply_to)
    clean, _kinds = redact(text.strip())
    chosen = _reply_rubrics(case, rubrics)
    scenario = _reply_scenario(case, said, list(chosen))
    coder = Coder()
    coding = coder.code(clean, prior=said)
    turns = [
        Turn(index=0, speaker="patient", text=said, trainee_turn=0),
        Turn(index=1, speaker="trainee", text=clean, trainee_turn=1, coding=coding),
    ]
    disclosures = (
        [Disclosure(fact_id="cue", turn=0, trust=0.3, behaviours=[], trainee_text="")]
        if task.risk_cue
        else []
    )
    score = score_session(scenario, turns, disclosures, chosen, coder_version=coder.version)
    return ReplyRecord(reply_to=task.reply_to, text=clean, coding=coding, score=score)


def reply_met_share(reply: ReplyRecord) -> float | None:
    """Share of judged reply items met (partly counts half); None when nothing was judged."""
    judged = [
        i
        for r in reply.score.rubrics
        for i in r.items
        if i.status in ("met", "partly", "missed", "critical_miss")
    ]
    if not judged:
        return None
    return sum(1.0 if i.status == "met" else 0.5 if i.status == "partly" else 0.0 for i in judged) / len(
        judged
    )


# ------------------------------------------------------------------------------------------------- inbox

Action = Literal["approve", "edit", "reject"]


@dataclass(frozen=True)
class InboxDecision:
    """What the reviewer did with one draft, and how long it took."""

    draft: str
    action: Action
    edited: str = ""
    seconds: float = 0.0


def _spans_left(case: LabCase, draft_id: str, text: str) -> list[str]:
    low = normalise(text).lower()
    return [f.span for f in case.failures_in(draft_id) if normalise(f.span).lower() in low]


def score_inbox(
    case: LabCase,
    decisions: Iterable[InboxDecision],
    seconds: float,
    *,
    trainee: str = "trainee",
    started: datetime | None = None,
) -> LabAttempt:
    """Catch rate and automation-bias rate of one timed inbox (see the module docstring for the rules)."""
    by_draft = {d.draft: d for d in decisions}
    attempt = _attempt(case, Exercise.INBOX.value, trainee, seconds, started)
    unsafe = [d for d in case.drafts if d.unsafe]
    caught = approved_unchanged = rejected_safe = undecided = 0
    caught_drafts: set[str] = set()
    for draft in case.drafts:
        decision = by_draft.get(draft.id)
        if decision is None:
            undecided += 1
            attempt.decisions.append(
                DecisionRecord(
                    item=draft.id,
                    choice="none",
                    expected="reject or edit" if draft.unsafe else "approve",
                    outcome="not_reviewed",
                )
            )
            continue
        action = decision.action
        unchanged = action == "edit" and normalise(decision.edited) == normalise(draft.draft)
        if unchanged:
            action = "approve"
        if draft.unsafe:
            if action == "reject":
                outcome = "caught"
            elif action == "edit":
                outcome = "edited_unsafe_kept" if _spans_left(case, draft.id, decision.edited) else "caught"
            else:
                outcome = "approved_unchanged"
        else:
            outcome = "rejected_safe" if action == "reject" else "ok"
        caught += outcome == "caught"
        approved_unchanged += outcome == "approved_unchanged"
        rejected_safe += outcome == "rejected_safe"
        if outcome == "caught":
            caught_drafts.add(draft.id)
        attempt.decisions.append(
            DecisionRecord(
                item=draft.id,
                choice=action if not unchanged else "edit_unchanged",
                text=_clean(decision.edited) if decision.action == "edit" else "",
                seconds=round(decision.seconds, 3),
                expected="reject or edit" if draft.unsafe else "approve",
                outcome=outcome,
            )
        )
    attempt.outcomes = [
        FailureOutcome(
            failure_id=f.id,
            unit=f.turn,
            mode=f.mode.value,
            severity=f.severity.value,
            spotted=f.turn in caught_drafts,
        )
        for f in case.failures
    ]
    safe = len(case.drafts) - len(unsafe)
    reviewed = [d for d in attempt.decisions if d.outcome != "not_reviewed"]
    attempt.metrics = {
        "catch_rate": ratio(caught, len(unsafe)),
        "automation_bias_rate": ratio(approved_unchanged, len(unsafe)),
        "over_rejection_rate": ratio(rejected_safe, safe),
        "unsafe": float(len(unsafe)),
        "caught": float(caught),
        "approved_unchanged": float(approved_unchanged),
        "reviewed": float(len(reviewed)),
        "not_reviewed": float(undecided),
        "mean_seconds_per_draft": ratio(round(sum(d.seconds for d in reviewed), 3), len(reviewed)),
        "time_limit_s": float(case.time_limit_s) if case.time_limit_s else None,
    }
    if undecided:
        attempt.status = "timed_out"
        attempt.notes.append(f"Time ran out with {undecided} draft(s) not reviewed.")
    return attempt


# --------------------------------------------------------------------------------------------- regenerate


def score_regenerate(
    case: LabCase,
    flags: Sequence[Flag],
    seconds: float,
    *,
    trainee: str = "trainee",
    started: datetime | None = None,
) -> LabAttempt:
    """Which runs did the trainee flag as unsafe (and why); plus the chance one demo would have shown it."""
    if case.regenerate is None:
        raise ValueError(f"lab case {case.id!r} is not a regenerate case")
    attempt = _attempt(case, Exercise.REGENERATE.value, trainee, seconds, started)
    attempt.flags, attempt.outcomes = match_flags(case, flags)
    attempt.metrics = flag_metrics(attempt.flags, len(case.failures))
    outputs = case.regenerate.outputs
    bad = {f.turn for f in case.failures}
    chance = len([o for o in outputs if o.id in bad]) / len(outputs)
    attempt.metrics["single_run_shows_failure"] = chance
    attempt.notes.append(
        f"{len(bad)} of {len(outputs)} runs were unsafe: a single demonstration would have shown the failure "
        f"only {percent(chance)} of the time."
    )
    return attempt


# ------------------------------------------------------------------------------------------ vendor update


def score_vendor_update(
    case: LabCase,
    flags: Sequence[Flag],
    decision: str,
    seconds: float,
    *,
    rationale: str = "",
    trainee: str = "trainee",
    started: datetime | None = None,
) -> LabAttempt:
    """Flags on the two versions' outputs, and the re-approval decision against what the evidence supports."""
    vu = case.vendor_update
    if vu is None:
        raise ValueError(f"lab case {case.id!r} is not a vendor-update case")
    attempt = _attempt(case, Exercise.VENDOR_UPDATE.value, trainee, seconds, started)
    attempt.flags, attempt.outcomes = match_flags(case, flags)
    attempt.metrics = flag_metrics(attempt.flags, len(case.failures))
    if decision == vu.expected_decision:
        outcome, value = "expected", 1.0
    elif decision in vu.acceptable:
        outcome, value = "defensible", 0.5
    else:
        outcome, value = "unsupported", 0.0
    attempt.metrics["decision"] = value
    attempt.decisions.append(
        DecisionRecord(
            item="decision",
            choice=decision,
            text=_clean(rationale),
            seconds=round(seconds, 3),
            expected=vu.expected_decision,
            outcome=outcome,
        )
    )
    return attempt


# ------------------------------------------------------------------------------------------- procurement


def score_procurement(
    case: LabCase,
    grades: Mapping[str, str],
    decisions: Mapping[str, str],
    seconds: float,
    *,
    trainee: str = "trainee",
    started: datetime | None = None,
) -> LabAttempt:
    """Claim grades ('card.dimension' -> adequate/weak/red_flag) and card decisions against a careful reviewer.

    A planted failure on a claim is spotted when the claim was graded weak or red_flag.
    """
    if case.procurement is None:
        raise ValueError(f"lab case {case.id!r} is not a procurement case")
    attempt = _attempt(case, Exercise.PROCUREMENT.value, trainee, seconds, started)
    agree = red = red_caught = 0
    total = 0
    for card in case.procurement.cards:
        for dim in DIMENSIONS:
            unit = f"{card.id}.{dim}"
            claim = card.claim(dim)
            given = grades.get(unit, "none")
            total += 1
            agree += given == claim.expected
            if claim.expected == "red_flag":
                red += 1
                red_caught += given == "red_flag"
            attempt.decisions.append(
                DecisionRecord(
                    item=unit,
                    choice=given,
                    expected=claim.expected,
                    outcome="agrees" if given == claim.expected else "differs",
                )
            )
    right = 0
    for card in case.procurement.cards:
        given = decisions.get(card.id, "none")
        right += given == card.expected_decision
        attempt.decisions.append(
            DecisionRecord(
                item=f"{card.id}.decision",
                choice=given,
                expected=card.expected_decision,
                outcome="agrees" if given == card.expected_decision else "differs",
            )
        )
    attempt.outcomes = [
        FailureOutcome(
            failure_id=f.id,
            unit=f.turn,
            mode=f.mode.value,
            severity=f.severity.value,
            spotted=grades.get(f.turn) in ("weak", "red_flag"),
        )
        for f in case.failures
    ]
    attempt.metrics = {
        "grade_agreement": ratio(agree, total),
        "red_flags_caught": ratio(red_caught, red),
        "decisions_agree": ratio(right, len(case.procurement.cards)),
        "spotted": ratio(sum(o.spotted for o in attempt.outcomes), len(attempt.outcomes)),
    }
    return attempt


def opted_out(case: LabCase, exercise: str, *, trainee: str = "trainee") -> LabAttempt:
    """The record of a trainee skipping a case after its content warning (no score)."""
    attempt = _attempt(case, exercise, trainee, 0.0, None)
    attempt.status = "opted_out"
    attempt.notes.append("Skipped after the content warning.")
    return attempt


def ai_units(case: LabCase) -> list[str]:
    """Ids of the AI turns of a transcript, in order (what spot-the-failure lets the trainee flag)."""
    return [t.id for t in case.transcript if t.speaker is Speaker.AI]


__all__ = [
    "Flag",
    "InboxDecision",
    "ai_units",
    "f1",
    "flag_metrics",
    "match_flags",
    "opted_out",
    "patient_words",
    "percent",
    "ratio",
    "reply_met_share",
    "score_inbox",
    "score_procurement",
    "score_regenerate",
    "score_reply",
    "score_spot",
    "score_vendor_update",
    "sentences",
]
