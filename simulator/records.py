"""What a session is made of: turns, codings, patient state snapshots, disclosures.

These are plain pydantic models shared by the session runner, the store, scoring and exports.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .codes import Behaviour, RiskFlag


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


def utcnow() -> datetime:
    return datetime.now(UTC)


class Cue(Record):
    """Why a code was given: the rule that fired and the words it fired on."""

    code: str = Field(description="The behaviour, topic or risk flag this cue supports.")
    rule: str = Field(description="Name of the rule that fired.")
    evidence: str = Field(description="The words in the utterance that triggered the rule.")


class Coding(Record):
    """The coded content of one trainee utterance."""

    behaviours: list[Behaviour] = Field(description="Behaviour codes, the primary one first.")
    topics: list[str] = Field(default_factory=list, description="Topics the utterance touches.")
    risk_flags: list[RiskFlag] = Field(default_factory=list, description="Risk-screening moves made.")
    cues: list[Cue] = Field(default_factory=list, description="Evidence for each code.")

    @property
    def primary(self) -> Behaviour:
        return self.behaviours[0] if self.behaviours else Behaviour.OTHER


class PatientState(Record):
    """The simulated patient's state after a turn. Disclosure decisions are made from this, in code."""

    turn: int = Field(default=0, description="Trainee turns taken so far.")
    trust: float = Field(description="Trust/rapport, 0-1.")
    stage: str = Field(description="Stage of change.")
    emotion: str = Field(description="Current emotion label.")
    unlocked: list[str] = Field(default_factory=list, description="Facts whose condition has held.")
    disclosed: list[str] = Field(default_factory=list, description="Facts the patient has actually said.")
    closed_streak: int = Field(default=0, description="Closed questions in a row.")
    asked: list[str] = Field(default_factory=list, description="Normalised questions already asked.")
    flags_asked: list[RiskFlag] = Field(default_factory=list, description="Risk moves made so far.")
    used_lines: dict[str, int] = Field(default_factory=dict, description="Line key -> times used (variety).")
    ended: str | None = Field(default=None, description="Ending id once the patient has ended the encounter.")


class Disclosure(Record):
    """One entry of the disclosure ledger."""

    fact_id: str = Field(description="The fact disclosed.")
    turn: int = Field(description="Trainee turn after which it was disclosed.")
    trust: float = Field(description="Trust when it was disclosed.")
    behaviours: list[Behaviour] = Field(description="The trainee move that unlocked it.")
    topics: list[str] = Field(default_factory=list, description="Topics the trainee raised in that turn.")
    risk_flags: list[RiskFlag] = Field(default_factory=list, description="Risk questions in that turn.")
    trainee_text: str = Field(description="The trainee's words in that turn.")


class ReplyCheck(Record):
    """One check of a language-model reply, made before the reply was shown."""

    attempt: int = Field(description="1 for the first draft, 2 for the one regeneration.")
    check: str = Field(
        description="role_reversal, prompt_leak, locked_fact, jargon, length, method_detail or claims_human."
    )
    passed: bool = Field(description="Whether the draft passed this check.")
    detail: str = Field(default="", description="What was found, in plain words.")


class ReplyUsage(Record):
    """How a language-model reply was produced: model version, tokens, cost, latency, outcome."""

    provider: str | None = Field(
        default=None, description="Who served it, e.g. 'openai' or 'openai@127.0.0.1:8080'."
    )
    model_version: str | None = Field(default=None, description="The model version the provider reported.")
    attempts: int = Field(default=1, description="Model calls made for this reply (2 after a regeneration).")
    outcome: Literal["passed", "regenerated", "trimmed", "scripted"] = Field(
        default="passed",
        description="passed: first draft shown; regenerated: second draft shown; trimmed: shown up to the "
        "sentence before a failed check; scripted: both drafts failed, the scripted line was shown.",
    )
    tokens_in: int | None = Field(default=None, description="Prompt tokens over all attempts.")
    tokens_out: int | None = Field(default=None, description="Completion tokens over all attempts.")
    cost_usd: float | None = Field(default=None, description="Cost in US dollars (None when unknown).")
    latency_ms: float | None = Field(default=None, description="Time until the first words were shown.")


class Turn(Record):
    """One utterance in the encounter."""

    index: int = Field(description="Position in the transcript, 0-based (the opening line is 0).")
    speaker: Literal["trainee", "patient"] = Field(description="Who spoke.")
    text: str = Field(description="What was said (redacted where identifiers were caught).")
    trainee_turn: int = Field(description="Trainee turn number this utterance belongs to (0 = opening).")
    coding: Coding | None = Field(default=None, description="Codes, for trainee turns.")
    state: PatientState | None = Field(default=None, description="Patient state after this trainee turn.")
    engine: str | None = Field(default=None, description="Engine that produced a patient reply.")
    notices: list[str] = Field(default_factory=list, description="Things the trainee was told about this turn.")
    at: datetime = Field(default_factory=utcnow, description="When it was said (UTC).")
    duration_ms: float | None = Field(default=None, description="Time to produce a patient reply.")
    model: str | None = Field(default=None, description="Language model that voiced the reply.")
    usage: ReplyUsage | None = Field(default=None, description="Tokens, cost and outcome of an LLM reply.")
    checks: list[ReplyCheck] = Field(default_factory=list, description="Checks run on an LLM reply.")


class SessionInfo(Record):
    """A session's header row."""

    id: str = Field(description="Session id (ULID, sortable by time).")
    scenario_id: str
    scenario_version: str
    scenario_title: str = ""
    trainee: str = Field(default="trainee", description="Pseudonym; never a real name by default.")
    engine: str = Field(description="Patient engine, e.g. 'scripted' or 'litellm:<model>'.")
    seed: int = 0
    status: Literal["active", "complete", "interrupted"] = "active"
    started_at: datetime = Field(default_factory=utcnow)
    ended_at: datetime | None = None
    ending: str | None = Field(default=None, description="Ending id reached, if the patient ended it.")


ItemStatus = Literal["met", "partly", "missed", "critical_miss", "not_applicable", "info"]


class ItemScore(Record):
    """One rubric item applied to a session, with the turns that earned it."""

    rubric_id: str
    item_id: str
    title: str
    kind: str = Field(description="count, ratio, checklist, level or critical.")
    status: ItemStatus = Field(description="Outcome; 'info' for counts that carry no judgement.")
    value: float | None = Field(default=None, description="Numeric result (a count, ratio or level).")
    label: str = Field(default="", description="Threshold label, e.g. 'good', 'fair', 'below fair'.")
    detail: str = Field(default="", description="How the value was reached, in plain words.")
    evidence_turns: list[int] = Field(default_factory=list, description="Transcript indexes that earned it.")
    feedback: str = Field(default="", description="What to keep doing or do differently.")
    better_reply: str | None = Field(default=None, description="An example of a better reply, if missed.")
    better_reply_turn: int | None = Field(
        default=None,
        description="Transcript index of the trainee turn the better reply could have replaced, when it was made "
        "from the patient's words there.",
    )


class RubricScore(Record):
    rubric_id: str
    rubric_version: str
    title: str
    instrument: str = Field(default="", description="The instrument the rubric follows.")
    items: list[ItemScore]


class SessionScore(Record):
    """All rubric results for a session, plus the plain summary."""

    rubrics: list[RubricScore] = Field(default_factory=list)
    coder_version: str
    enough: bool = Field(description="False when the transcript has too few trainee turns to score.")
    strengths: list[str] = Field(default_factory=list)
    misses: list[str] = Field(default_factory=list)
    critical_misses: list[str] = Field(default_factory=list)
    notice: str = Field(
        default="Automatic scores are formative feedback for practice. They are not validated for "
        "assessment or certification.",
        description="Shown with every score.",
    )
