"""Educator overrides and ratings: the human side of scoring.

An educator who disagrees with an automatic item score records an **override**: the item, the status and/or
value they would give, who they are and why. Overrides never change the stored automatic score; both are kept
and shown side by side, so the disagreement itself is data. An educator can also record a **rating** for an
item or global rating that the rubric scores (for example an MITI empathy rating of 4), which
``mhsim rubrics calibrate`` compares with the automatic estimate. Only items rated on a scale take a rating
(:func:`rating_scale`: MITI globals 1-5, ENACT levels 1-4), and only whole numbers on it
(:func:`rating_problem`); an override's score must be a value the item can have (:func:`score_problem`).

Tables (created by the store's ``m007_overrides`` migration): ``overrides`` and ``ratings``, one row per
entry, newest wins when an educator records twice for the same item.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, model_validator

from .scenario import Strict

if TYPE_CHECKING:
    from .rubric import Item, Rubric

OverrideStatus = Literal["met", "partly", "missed", "critical_miss", "not_applicable", "info"]


def _now() -> datetime:
    return datetime.now(UTC)


class Override(Strict):
    """An educator's judgement of one rubric item in one session, with the reason."""

    session_id: str = Field(description="The session scored.")
    rubric_id: str = Field(description="Rubric of the item.")
    item_id: str = Field(description="Item overridden.")
    status: OverrideStatus | None = Field(default=None, description="The outcome the educator gives.")
    score: float | None = Field(default=None, description="The value the educator gives (a level, count or rating).")
    reason: str = Field(min_length=1, description="Why: shown next to the automatic score.")
    educator: str = Field(min_length=1, description="Who made the override (a name or pseudonym).")
    at: datetime = Field(default_factory=_now, description="When it was recorded (UTC).")

    @model_validator(mode="after")
    def _something(self) -> Override:
        if self.status is None and self.score is None:
            raise ValueError("an override needs a status, a score or both")
        return self


class Rating(Strict):
    """An educator's own rating of an item (e.g. an MITI global), for calibrating the automatic estimate."""

    session_id: str = Field(description="The session rated.")
    rubric_id: str = Field(description="Rubric of the item.")
    item_id: str = Field(description="Item rated.")
    value: float = Field(description="The rating, on the item's own scale.")
    rater: str = Field(min_length=1, description="Who rated (a name or pseudonym).")
    at: datetime = Field(default_factory=_now, description="When it was recorded (UTC).")


def rating_scale(item: Item) -> tuple[int, int] | None:
    """The whole-number scale an educator rates ``item`` on, or None when the item is not rated on a scale.

    MITI global ratings (and their relational/technical summaries) are 1-5; WHO ENACT competency levels are 1-4.
    Counts, ratios and checklists are measured, not rated: an educator corrects those with an override.
    """
    from .rubric import EnactLevel, GlobalEstimate

    if isinstance(item.detector, GlobalEstimate):
        return (1, 5)
    if isinstance(item.detector, EnactLevel):
        return (1, 4)
    return None


def _on_scale(value: float, scale: tuple[int, int]) -> bool:
    return math.isfinite(value) and value.is_integer() and scale[0] <= value <= scale[1]


def rating_problem(rubric: Rubric, item: Item, value: float, *, session: str = "SESSION") -> str | None:
    """Why ``value`` cannot be recorded as a rating of ``item`` (not rated on a scale, off the scale), or None.

    ``session`` is the session as the user named it, for the command suggested instead.
    """
    name = f"{rubric.id}/{item.id}"
    scale = rating_scale(item)
    if scale is None:
        rated = [f"{i.id} ({sc[0]}-{sc[1]})" for i in rubric.items if (sc := rating_scale(i))]
        where = (
            f"items of '{rubric.id}' you can rate: {', '.join(rated)}"
            if rated
            else f"rubric '{rubric.id}' has no items rated on a scale"
        )
        return (
            f"{name} is a {item.kind} item, measured rather than rated; {where}. To correct its automatic score, "
            f"record an override instead: 'mhsim rubrics override {session} {name} --status ... and/or --score ... "
            "--reason ... --educator ...'"
        )
    if not _on_scale(value, scale):
        return f"rating {value:g} is not on the scale of {name}: give a whole number from {scale[0]} to {scale[1]}"
    return None


def score_problem(rubric: Rubric, item: Item, value: float) -> str | None:
    """Why ``value`` cannot be an override's score of ``item``, or None.

    On items rated on a scale the score is a whole number on it; every other value (a count, ratio, share or
    level) is a finite number, never negative.
    """
    name = f"{rubric.id}/{item.id}"
    scale = rating_scale(item)
    if scale is not None:
        if not _on_scale(value, scale):
            return f"score {value:g} is not on the scale of {name}: give a whole number from {scale[0]} to {scale[1]}"
        return None
    if not math.isfinite(value) or value < 0:
        return f"score {value:g} is not a possible value of {name} (a {item.kind}): give a number of 0 or more"
    return None


def create_tables(db: Any) -> None:
    """Create the ``overrides`` and ``ratings`` tables (called once, by the store migration)."""
    db["overrides"].create(
        {
            "id": int,
            "session_id": str,
            "rubric_id": str,
            "item_id": str,
            "status": str,
            "score": float,
            "reason": str,
            "educator": str,
            "at": str,
        },
        pk="id",
        not_null={"session_id", "rubric_id", "item_id", "reason", "educator", "at"},
        foreign_keys=[("session_id", "sessions", "id")],
    )
    db["overrides"].create_index(["session_id"])
    db["ratings"].create(
        {"id": int, "session_id": str, "rubric_id": str, "item_id": str, "value": float, "rater": str, "at": str},
        pk="id",
        not_null={"session_id", "rubric_id", "item_id", "value", "rater", "at"},
        foreign_keys=[("session_id", "sessions", "id")],
    )
    db["ratings"].create_index(["session_id"])


def _row(model: Override | Rating) -> dict[str, Any]:
    row = model.model_dump(mode="json")
    return row


def insert_override(db: Any, override: Override) -> None:
    db["overrides"].insert(_row(override))


def insert_rating(db: Any, rating: Rating) -> None:
    db["ratings"].insert(_row(rating))


def _latest(rows: list[dict[str, Any]], who: str) -> list[dict[str, Any]]:
    """One row per (session, rubric, item, person): the newest."""
    latest: dict[tuple, dict[str, Any]] = {}
    for row in sorted(rows, key=lambda r: (r["at"], r["id"])):
        latest[(row["session_id"], row["rubric_id"], row["item_id"], row[who])] = row
    return sorted(latest.values(), key=lambda r: (r["session_id"], r["at"]))


def select_overrides(db: Any, session_id: str | None = None) -> list[Override]:
    """The current overrides (newest per educator and item), of one session or of all."""
    where, params = ("session_id = ?", [session_id]) if session_id else (None, None)
    rows = list(db["overrides"].rows_where(where, params))
    return [
        Override.model_validate({k: v for k, v in r.items() if k != "id"}) for r in _latest(rows, "educator")
    ]


def select_ratings(db: Any, session_id: str | None = None) -> list[Rating]:
    """The current ratings (newest per rater and item), of one session or of all."""
    where, params = ("session_id = ?", [session_id]) if session_id else (None, None)
    rows = list(db["ratings"].rows_where(where, params))
    return [Rating.model_validate({k: v for k, v in r.items() if k != "id"}) for r in _latest(rows, "rater")]


__all__ = [
    "Override",
    "OverrideStatus",
    "Rating",
    "create_tables",
    "insert_override",
    "insert_rating",
    "rating_problem",
    "rating_scale",
    "score_problem",
    "select_overrides",
    "select_ratings",
]
