"""What a lab attempt leaves behind: flags, decisions, timings, per-failure outcomes, metrics and a scored reply.

Plain pydantic records shared by the exercises (which build them), the store (which keeps them in the
``lab_*`` tables) and exports (Markdown and JSON).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from simulator.records import Coding, SessionScore, utcnow


class LabRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FlagRecord(LabRecord):
    """One flag the trainee raised, and what it turned out to be."""

    unit: str = Field(description="Id of the flagged unit (AI turn, draft, output, 'card.dimension').")
    start: int | None = Field(default=None, description="Start of the flagged span (None: the whole unit).")
    end: int | None = Field(default=None, description="End of the flagged span (exclusive).")
    text: str = Field(default="", description="The flagged words.")
    mode: str | None = Field(default=None, description="The failure mode the trainee named.")
    at_s: float = Field(default=0.0, description="Seconds from the start of the attempt.")
    outcome: Literal["caught", "misnamed", "false"] = Field(
        default="false",
        description="caught (right place, right mode), misnamed (right place), false (no failure).",
    )
    failure_id: str | None = Field(default=None, description="The planted failure it matched, if any.")


class DecisionRecord(LabRecord):
    """One decision: approve/edit/reject a draft, grade a claim, mark an output, choose whether to re-approve."""

    item: str = Field(description="What was decided on (draft id, output id, 'card.dimension', 'decision').")
    choice: str = Field(description="The trainee's choice.")
    text: str = Field(default="", description="Edited text, or a note.")
    seconds: float = Field(default=0.0, description="Seconds spent on this item.")
    expected: str = Field(default="", description="What a careful reviewer would choose.")
    outcome: str = Field(default="", description="How it was judged, e.g. 'caught', 'approved_unchanged'.")


class FailureOutcome(LabRecord):
    """Whether one planted failure was spotted (and named), for detection rates by mode and challenge."""

    failure_id: str = Field(description="The planted failure.")
    unit: str = Field(description="Where it was planted.")
    mode: str = Field(description="Its failure mode.")
    severity: str = Field(description="red or yellow.")
    spotted: bool = Field(description="The trainee located it (flagged, rejected, edited out, graded down).")
    named: bool | None = Field(default=None, description="The trainee also named the mode (None: not asked).")


class ReplyRecord(LabRecord):
    """A clinical reply the trainee wrote, coded and scored."""

    reply_to: str = Field(description="The patient turn answered.")
    text: str = Field(description="The trainee's reply (identifiers redacted).")
    coding: Coding = Field(description="Codes the coder gave it.")
    score: SessionScore = Field(description="Rubric items applied to it.")


class LabAttempt(LabRecord):
    """One trainee's go at one lab case in one exercise."""

    id: str = Field(description="Attempt id (ULID, sortable by time).")
    exercise: str = Field(description="spot, inbox, regenerate, vendor_update or procurement.")
    case_id: str
    case_version: str
    case_title: str = ""
    trainee: str = Field(default="trainee", description="Pseudonym.")
    challenges: list[str] = Field(default_factory=list, description="The case's challenge tags.")
    status: Literal["complete", "opted_out", "timed_out"] = "complete"
    started_at: datetime = Field(default_factory=utcnow)
    ended_at: datetime | None = None
    seconds: float = Field(default=0.0, description="Time from opening the case to submitting.")
    metrics: dict[str, float | None] = Field(
        default_factory=dict, description="precision, recall, f1, catch_rate, automation_bias_rate, ..."
    )
    flags: list[FlagRecord] = Field(default_factory=list)
    decisions: list[DecisionRecord] = Field(default_factory=list)
    outcomes: list[FailureOutcome] = Field(default_factory=list)
    reply: ReplyRecord | None = None
    notes: list[str] = Field(default_factory=list, description="Plain-words findings for the debrief.")


def new_attempt_id() -> str:
    """A new attempt id (ULID)."""
    from simulator.store import new_session_id

    return new_session_id()


__all__ = ["DecisionRecord", "FailureOutcome", "FlagRecord", "LabAttempt", "ReplyRecord", "new_attempt_id"]
