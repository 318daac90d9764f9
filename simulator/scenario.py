"""Scenario format v1: the schema of a simulated patient, and the checks a schema alone cannot express.

A scenario is authored by an educator in YAML (``*.scenario.yaml``). The pydantic models here are the single
source of truth: they validate files, document every field, and export the JSON Schema editors use.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .codes import SCREENER, Behaviour, Challenge, RiskFlag

SCHEMA_VERSION = 1
SLUG = r"^[a-z0-9][a-z0-9_-]*$"


class Strict(BaseModel):
    """Base for file models: unknown keys are errors, so typos never pass silently."""

    model_config = ConfigDict(extra="forbid", use_enum_values=False)


class Stage(StrEnum):
    """Stage of change (transtheoretical model)."""

    PRECONTEMPLATION = "precontemplation"
    CONTEMPLATION = "contemplation"
    PREPARATION = "preparation"
    ACTION = "action"
    MAINTENANCE = "maintenance"


class Persona(Strict):
    name: str = Field(description="The patient's (fictional) name as the trainee will address them.")
    age: int = Field(ge=0, le=120, description="Age in years.")
    pronouns: str = Field(description="Pronouns, e.g. 'she/her'.")
    background: str = Field(description="Life situation the trainee may learn about; shown in the briefing.")
    presenting_concern: str = Field(description="Why the patient is here today, in the referral's words.")
    speaking_style: str = Field(
        default="", description="How the patient talks (register, length, habits); guides an LLM patient."
    )
    baseline_emotion: str = Field(default="guarded", description="Emotion at the start of the session.")


class Topic(Strict):
    description: str = Field(default="", description="What the topic covers, for authors and the debrief.")
    keywords: list[str] = Field(
        min_length=1,
        description="Words or phrases that show the trainee touched this topic. A trailing '*' matches any "
        "ending (e.g. 'drink*' matches 'drinking').",
    )


class Condition(Strict):
    """When a fact is released. Every part that is given must hold; an empty condition always holds."""

    topics: list[str] = Field(
        default_factory=list, description="The trainee's turn touches at least one of these topics."
    )
    min_trust: float | None = Field(default=None, ge=0, le=1, description="Trust is at least this (0-1).")
    behaviours: list[Behaviour] = Field(
        default_factory=list, description="The trainee's turn shows at least one of these behaviours."
    )
    risk_flags: list[RiskFlag] = Field(
        default_factory=list, description="The trainee's turn asks at least one of these risk questions."
    )
    min_turn: int | None = Field(default=None, ge=1, description="Not before this trainee turn (1-based).")
    after_facts: list[str] = Field(
        default_factory=list, description="These facts have already been disclosed."
    )


class Fact(Strict):
    id: str = Field(pattern=SLUG, description="Stable id, referenced by conditions, risk profile and tests.")
    summary: str = Field(description="What the fact is, in the educator's words (ledger and debrief).")
    topics: list[str] = Field(
        default_factory=list, description="Topics the fact belongs to; asking about them later recalls it."
    )
    lines: list[str] = Field(min_length=1, description="What the patient says when disclosing it (varied).")
    condition: Condition = Field(default_factory=Condition, description="When the fact may be disclosed.")
    volunteer: bool = Field(
        default=False,
        description="Once unlocked, the patient may offer it unasked when the trainee reflects or affirms.",
    )
    guarded_lines: list[str] = Field(
        default_factory=list,
        description="What the patient says when asked about this fact's topics before it is unlocked.",
    )
    hint: str = Field(default="", description="A trainee move that would open this fact (for the debrief).")
    talk: Literal["change", "sustain"] | None = Field(
        default=None,
        description="The kind of client talk the fact's lines are in MI terms: 'change' (desire, ability, reasons, "
        "need, commitment) or 'sustain' (for the status quo). Leave out for neutral. When the patient says one of "
        "these lines, the coach and the scores take this instead of guessing from the words.",
    )


DEFAULT_TRUST_DELTAS: dict[Behaviour, float] = {
    Behaviour.OPEN_QUESTION: 0.03,
    Behaviour.CLOSED_QUESTION: -0.01,
    Behaviour.SIMPLE_REFLECTION: 0.05,
    Behaviour.COMPLEX_REFLECTION: 0.09,
    Behaviour.AFFIRM: 0.06,
    Behaviour.SEEK_COLLABORATION: 0.05,
    Behaviour.EMPHASIZE_AUTONOMY: 0.06,
    Behaviour.GIVE_INFORMATION: 0.0,
    Behaviour.ADVISE_WITH_PERMISSION: 0.02,
    Behaviour.PERSUADE: -0.10,
    Behaviour.CONFRONT: -0.15,
    Behaviour.OTHER: 0.0,
}


class TrustModel(Strict):
    start: float = Field(default=0.3, ge=0, le=1, description="Trust at the start of the session (0-1).")
    maximum: float = Field(default=1.0, ge=0, le=1, description="Trust never rises above this.")
    deltas: dict[Behaviour, float] = Field(
        default_factory=dict,
        description="How much each trainee behaviour moves trust; behaviours not listed use the defaults "
        "(open question +0.03, complex reflection +0.09, persuade -0.10, confront -0.15, ...).",
    )
    repeat_penalty: float = Field(
        default=-0.03, le=0, description="Trust change when the trainee asks the same thing again."
    )


class StageChange(Strict):
    stage: Stage = Field(description="The stage the patient moves to.")
    condition: Condition = Field(description="When the move happens (checked after each trainee turn).")


class ScreenerAnswer(Strict):
    answer: Literal["yes", "no"] = Field(description="The patient's true answer to this screener question.")
    fact: str | None = Field(
        default=None, description="For 'yes': the fact that carries the answer (released by its condition)."
    )
    line: str | None = Field(default=None, description="For 'no': what the patient says.")


class RiskProfile(Strict):
    level: Literal["none", "low", "moderate", "high", "imminent"] = Field(
        description="The patient's true suicide-risk level (the trainee's screening should find it)."
    )
    cues: list[str] = Field(
        default_factory=list,
        description="Facts that are risk cues: once one is disclosed, a direct question about suicide is due.",
    )
    screener: dict[RiskFlag, ScreenerAnswer] = Field(
        default_factory=dict, description="Answers to the C-SSRS screener questions (ask_wish_dead, ...)."
    )
    ask_within_turns: int = Field(
        default=4, ge=1, description="Turns after the first cue within which a direct question is expected."
    )
    safety_planning_indicated: bool = Field(
        default=False, description="Whether the trainee should move to safety planning once risk is found."
    )


class Reaction(Strict):
    lines: list[str] = Field(min_length=1, description="What the patient may say (picked in turn, varied).")
    trust: float = Field(default=0.0, ge=-1, le=1, description="Extra trust change on top of the trust model.")
    emotion: str | None = Field(default=None, description="Emotion the patient moves to, if any.")


class Reactions(Strict):
    """How the patient answers trainee behaviours when no fact is due. Missing ones fall back to neutral."""

    persuade: Reaction | None = Field(default=None, description="Advice or persuasion without permission.")
    confront: Reaction | None = Field(default=None, description="Confrontation, judgement, blame.")
    closed_question_streak: Reaction | None = Field(
        default=None, description="Three or more closed questions in a row."
    )
    simple_reflection: Reaction | None = Field(default=None, description="A reflection that stays close.")
    complex_reflection: Reaction | None = Field(default=None, description="A reflection that adds meaning.")
    affirm: Reaction | None = Field(default=None, description="A genuine affirmation.")
    emphasize_autonomy: Reaction | None = Field(default=None, description="Choice left with the patient.")
    seek_collaboration: Reaction | None = Field(default=None, description="Power shared, permission asked.")
    advise_with_permission: Reaction | None = Field(
        default=None, description="Advice after asking permission or with choice left open."
    )
    give_information: Reaction | None = Field(default=None, description="Information given neutrally.")
    open_question: Reaction | None = Field(default=None, description="An open question on no known topic.")
    closed_question: Reaction | None = Field(default=None, description="A closed question on no known topic.")
    repeated_question: Reaction | None = Field(default=None, description="The same question asked again.")
    off_topic: Reaction | None = Field(default=None, description="Small talk or something unrelated.")
    unclear: Reaction | None = Field(default=None, description="A turn the patient cannot make sense of.")
    deflect: Reaction | None = Field(
        default=None, description="Asked about something not yet shared (when the fact has no guarded lines)."
    )
    screener_deflect: Reaction | None = Field(
        default=None, description="Asked a risk question before trusting enough to answer it."
    )


class EndCondition(Strict):
    facts_disclosed: list[str] = Field(default_factory=list, description="All these facts are disclosed.")
    risk_flags_asked: list[RiskFlag] = Field(
        default_factory=list, description="All these risk moves have been made at some point."
    )
    max_trust: float | None = Field(default=None, ge=0, le=1, description="Trust has fallen to this or below.")
    min_turn: int | None = Field(default=None, ge=1, description="Not before this trainee turn.")


class Ending(Strict):
    id: str = Field(pattern=SLUG, description="Ending id, referenced by scenario tests.")
    title: str = Field(description="Short name shown in the debrief.")
    outcome: Literal["positive", "neutral", "negative"] = Field(description="How the encounter went.")
    when: EndCondition = Field(description="When the patient ends the encounter this way.")
    line: str = Field(description="The patient's last words.")


class Expectations(Strict):
    disclosed: list[str] = Field(default_factory=list, description="Facts disclosed by the end.")
    not_disclosed: list[str] = Field(default_factory=list, description="Facts never disclosed.")
    not_disclosed_before: dict[str, int] = Field(
        default_factory=dict, description="fact id -> trainee turn before which it must stay hidden."
    )
    disclosed_by: dict[str, int] = Field(
        default_factory=dict, description="fact id -> trainee turn by which it must be disclosed."
    )
    min_trust: float | None = Field(default=None, description="Final trust at least this.")
    max_trust: float | None = Field(default=None, description="Final trust at most this.")
    ending: str | None = Field(default=None, description="The ending reached (id), if any.")
    critical_misses: int | None = Field(default=None, ge=0, description="Number of critical misses scored.")
    items: dict[str, str] = Field(
        default_factory=dict, description="'rubric_id.item_id' -> expected status (met, partly, missed, ...)."
    )
    reply_contains: dict[int, str] = Field(
        default_factory=dict, description="trainee turn -> text the patient's reply must contain."
    )


class ScenarioTest(Strict):
    name: str = Field(description="What the test shows, in a few words.")
    seed: int = Field(default=0, description="Seed for the scripted engine's choices.")
    script: list[str] = Field(min_length=1, description="Trainee lines, one per turn.")
    expect: Expectations = Field(description="What must hold after the script has run.")


class Scenario(Strict):
    """A simulated patient and the encounter around them."""

    schema_version: Literal[1] = Field(description="Format version of this file (1).")
    id: str = Field(pattern=SLUG, description="Stable id (lowercase, digits, '-' and '_').")
    version: str = Field(description="The scenario's own version; stored with every session.")
    title: str = Field(description="Title shown in the library.")
    summary: str = Field(description="One or two sentences for the library.")
    difficulty: Literal["beginner", "intermediate", "advanced"] = Field(description="For filtering.")
    language: str = Field(default="en", description="Language of the patient's lines (BCP 47 tag).")
    setting: str = Field(default="", description="Where and why the conversation takes place.")
    learning_objectives: list[str] = Field(min_length=1, description="What the trainee should practise.")
    challenges: list[Challenge] = Field(
        default_factory=list, description="Which of the seven challenges the scenario touches."
    )
    content_warnings: list[str] = Field(default_factory=list, description="Shown before the session starts.")
    persona: Persona = Field(description="Who the patient is.")
    opening_line: str = Field(description="The patient's first words.")
    topics: dict[str, Topic] = Field(
        default_factory=dict, description="Scenario topics (added to the built-in ones) with their keywords."
    )
    facts: list[Fact] = Field(default_factory=list, description="What the patient knows and may disclose.")
    trust: TrustModel = Field(default_factory=TrustModel, description="How trust starts and moves.")
    stage: Stage = Field(default=Stage.CONTEMPLATION, description="Stage of change at the start.")
    stage_changes: list[StageChange] = Field(default_factory=list, description="How the stage moves.")
    risk: RiskProfile | None = Field(default=None, description="Suicide-risk profile, if risk is in play.")
    reactions: Reactions = Field(default_factory=Reactions, description="Answers to trainee behaviours.")
    small_talk: list[str] = Field(
        default_factory=list, description="Neutral in-character lines when nothing else fits."
    )
    closing_lines: list[str] = Field(
        default_factory=lambda: ["Okay. Thanks for your time."],
        description="What the patient says when the trainee ends the session.",
    )
    endings: list[Ending] = Field(default_factory=list, description="Ways the patient may end the encounter.")
    rubrics: list[str] = Field(min_length=1, description="Rubric ids applied to sessions of this scenario.")
    max_reply_chars: int = Field(default=600, ge=40, description="Cap on a reply's length (LLM patients).")
    tests: list[ScenarioTest] = Field(default_factory=list, description="Scenario tests (mhsim scenarios test).")

    def fact(self, fact_id: str) -> Fact:
        """The fact with this id (KeyError if absent)."""
        for fact in self.facts:
            if fact.id == fact_id:
                return fact
        raise KeyError(fact_id)

    @property
    def screener_facts(self) -> dict[RiskFlag, str]:
        """Screener question -> fact that answers it 'yes'."""
        if not self.risk:
            return {}
        return {flag: a.fact for flag, a in self.risk.screener.items() if a.fact}


def schema() -> dict:
    """The JSON Schema of the scenario format (draft-07 compatible subset, as pydantic emits it)."""
    out = Scenario.model_json_schema()
    out["$schema"] = "http://json-schema.org/draft-07/schema#"
    out["title"] = "mhsim scenario (format v1)"
    return out


__all__ = ["SCHEMA_VERSION", "SCREENER", "Condition", "Fact", "Scenario", "schema"]
