"""Stored LLM-judge ratings of the MITI 4.2.1 global ratings: a second opinion, kept apart from the estimates.

An optional language model (``mhsim rubrics judge``, :mod:`simulator.llm.judge`) can rate a finished session's
four MITI globals (empathy, partnership, cultivating change talk, softening sustain talk; 1-5), each with a
one-sentence rationale and the trainee turns it quotes as evidence. A judgement never replaces the automatic
estimates or an educator's rating: it is stored in its own tables with the judge model, the version the
provider reported, the prompt version and the time, and it is always shown with :func:`judge_label`.

Tables (created by the store's ``m010_judgements`` migration): ``judgements`` (one row per judgement, the whole
record as JSON) and ``judgement_ratings`` (one flat row per global, so Datasette can facet them).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import Field, model_validator

from .scenario import Strict

GLOBALS: tuple[str, ...] = ("empathy", "partnership", "cultivating_change_talk", "softening_sustain_talk")
"""The four MITI 4.2.1 global ratings, in the manual's usual order."""

GLOBAL_TITLES: dict[str, str] = {
    "empathy": "Empathy",
    "partnership": "Partnership",
    "cultivating_change_talk": "Cultivating change talk",
    "softening_sustain_talk": "Softening sustain talk",
}

ESTIMATE_ITEMS: dict[str, tuple[str, str]] = {g: ("mi", f"{g}_estimate") for g in GLOBALS}
"""The rubric item (rubric id, item id) that holds the automatic estimate of each global."""


def _now() -> datetime:
    return datetime.now(UTC)


def judge_label(model: str) -> str:
    """How every judgement is introduced wherever it is shown."""
    return f"LLM judge (model {model}), not a trained MITI rater"


class GlobalJudgement(Strict):
    """The judge's rating of one global, with why and where."""

    rating: int = Field(ge=1, le=5, description="The judge's rating, 1-5.")
    rationale: str = Field(min_length=1, description="One sentence: why this rating.")
    evidence_turns: list[int] = Field(
        default_factory=list, description="Transcript indexes of the trainee turns quoted as evidence."
    )


class Judgement(Strict):
    """One LLM judge's ratings of one session's MITI globals."""

    session_id: str = Field(description="The session judged.")
    model: str = Field(min_length=1, description="The judge model as configured (litellm name).")
    model_version: str | None = Field(default=None, description="The model version the provider reported.")
    provider: str | None = Field(
        default=None, description="Who served it, e.g. 'openai' or 'openai@127.0.0.1:8080'."
    )
    prompt_version: str = Field(description="Version of the judge prompt.")
    judged_at: datetime = Field(default_factory=_now, description="When the judgement was made (UTC).")
    ratings: dict[str, GlobalJudgement] = Field(description="Global id -> the judge's rating of it.")
    attempts: int = Field(
        default=1, ge=1, description="Model calls made (2 after a retry with the parse error)."
    )
    tokens_in: int | None = Field(default=None, description="Prompt tokens over all attempts.")
    tokens_out: int | None = Field(default=None, description="Completion tokens over all attempts.")
    cost_usd: float | None = Field(default=None, description="Cost in US dollars (None when unknown).")

    @model_validator(mode="after")
    def _every_global(self) -> Judgement:
        if set(self.ratings) != set(GLOBALS):
            raise ValueError(f"a judgement rates exactly these globals: {', '.join(GLOBALS)}")
        return self

    @property
    def label(self) -> str:
        """``LLM judge (model X), not a trained MITI rater`` (with the reported version when known)."""
        name = (
            self.model
            if not self.model_version or self.model_version == self.model
            else (f"{self.model}, reports {self.model_version}")
        )
        return judge_label(name)


def create_tables(db: Any) -> None:
    """Create the ``judgements`` and ``judgement_ratings`` tables (called once, by the store migration)."""
    db["judgements"].create(
        {
            "id": int,
            "session_id": str,
            "model": str,
            "model_version": str,
            "provider": str,
            "prompt_version": str,
            "judged_at": str,
            "attempts": int,
            "tokens_in": int,
            "tokens_out": int,
            "cost_usd": float,
            "record": str,
        },
        pk="id",
        not_null={"session_id", "model", "prompt_version", "judged_at", "record"},
        foreign_keys=[("session_id", "sessions", "id")],
    )
    db["judgements"].create_index(["session_id"])
    db["judgement_ratings"].create(
        {
            "id": int,
            "judgement_id": int,
            "session_id": str,
            "global_rating": str,
            "rating": int,
            "rationale": str,
            "evidence_turns": str,
        },
        pk="id",
        not_null={"judgement_id", "session_id", "global_rating", "rating"},
        foreign_keys=[("judgement_id", "judgements", "id"), ("session_id", "sessions", "id")],
    )
    db["judgement_ratings"].create_index(["session_id"])


def insert_judgement(db: Any, judgement: Judgement) -> int:
    """Store one judgement and its flat rows; return its id."""
    import json

    record = judgement.model_dump(mode="json")
    table = db["judgements"]
    table.insert(
        {
            "session_id": judgement.session_id,
            "model": judgement.model,
            "model_version": judgement.model_version,
            "provider": judgement.provider,
            "prompt_version": judgement.prompt_version,
            "judged_at": record["judged_at"],
            "attempts": judgement.attempts,
            "tokens_in": judgement.tokens_in,
            "tokens_out": judgement.tokens_out,
            "cost_usd": judgement.cost_usd,
            "record": json.dumps(record, ensure_ascii=False, sort_keys=True),
        }
    )
    row_id = int(table.last_pk)
    db["judgement_ratings"].insert_all(
        {
            "judgement_id": row_id,
            "session_id": judgement.session_id,
            "global_rating": name,
            "rating": judgement.ratings[name].rating,
            "rationale": judgement.ratings[name].rationale,
            "evidence_turns": json.dumps(judgement.ratings[name].evidence_turns),
        }
        for name in GLOBALS
    )
    return row_id


def select_judgements(db: Any, session_id: str | None = None) -> list[Judgement]:
    """Stored judgements, oldest first, of one session or of all."""
    where, params = ("session_id = ?", [session_id]) if session_id else (None, None)
    rows = sorted(db["judgements"].rows_where(where, params), key=lambda r: (r["judged_at"], r["id"]))
    return [Judgement.model_validate_json(r["record"]) for r in rows]


__all__ = [
    "ESTIMATE_ITEMS",
    "GLOBALS",
    "GLOBAL_TITLES",
    "GlobalJudgement",
    "Judgement",
    "create_tables",
    "insert_judgement",
    "judge_label",
    "select_judgements",
]
