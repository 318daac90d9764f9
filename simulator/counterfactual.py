"""Counterfactual pairs: the same trainee lines played against two scenarios, scores compared item by item.

A counterfactual pair is two scenarios that differ only in something that must not change a score: the patient's
name, dialect or background. Playing one script against both and comparing every rubric item shows whether the
coder, the patient logic or a rubric treats the two patients differently.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .records import ItemScore, SessionScore
from .wording import value_and_label

if TYPE_CHECKING:
    from .rubric import Rubric
    from .scenario import Scenario
    from .session import Session


@dataclass(frozen=True)
class Outcome:
    """What one item scored in one session: what is compared."""

    status: str
    value: float | None
    label: str

    @property
    def shown(self) -> str:
        """Value and label as the score table shows them."""
        return value_and_label(self.value, self.label)

    @classmethod
    def of(cls, item: ItemScore) -> Outcome:
        value = None if item.value is None else round(float(item.value), 6)
        return cls(item.status, value, item.label)


@dataclass(frozen=True)
class Row:
    """One rubric item in both sessions."""

    key: str
    title: str
    a: Outcome | None
    b: Outcome | None

    @property
    def same(self) -> bool:
        return self.a == self.b


@dataclass
class Comparison:
    """Both sessions, the item-by-item rows and notes on what else differed (disclosures, endings)."""

    a: Session
    b: Session
    rows: list[Row]
    notes: list[str] = field(default_factory=list)

    @property
    def differences(self) -> list[Row]:
        return [r for r in self.rows if not r.same]

    @property
    def equal(self) -> bool:
        """True when every item has the same status, value and label in both sessions."""
        return not self.differences

    def as_dict(self) -> dict:
        """The comparison as JSON-ready data."""

        def side(outcome: Outcome | None) -> dict | None:
            if outcome is None:
                return None
            return {"status": outcome.status, "value": outcome.value, "label": outcome.label}

        return {
            "a": self.a.scenario.id,
            "b": self.b.scenario.id,
            "equal": self.equal,
            "items": [
                {"item": r.key, "title": r.title, "a": side(r.a), "b": side(r.b), "same": r.same}
                for r in self.rows
            ],
            "notes": list(self.notes),
        }


def _outcomes(score: SessionScore | None) -> dict[str, tuple[str, Outcome]]:
    if score is None:
        return {}
    return {f"{r.rubric_id}.{i.item_id}": (i.title, Outcome.of(i)) for r in score.rubrics for i in r.items}


def _codes(session: Session) -> list[tuple]:
    """Per trainee turn: behaviours, topics and risk flags (the cue wording may differ; the codes must not)."""
    return [
        (tuple(t.coding.behaviours), tuple(sorted(t.coding.topics)), tuple(t.coding.risk_flags))
        if t.coding
        else ()
        for t in session.turns
        if t.speaker == "trainee"
    ]


def compare_sessions(a: Session, b: Session) -> Comparison:
    """Compare two finished sessions item by item (items only one side has count as different)."""
    left, right = _outcomes(a.score), _outcomes(b.score)
    keys = list(left) + [k for k in right if k not in left]
    rows = [
        Row(
            k,
            (left.get(k) or right[k])[0],
            left[k][1] if k in left else None,
            right[k][1] if k in right else None,
        )
        for k in keys
    ]
    notes = []
    said_a = [(d.turn, d.fact_id) for d in a.ledger]
    said_b = [(d.turn, d.fact_id) for d in b.ledger]
    if said_a != said_b:
        only_a = sorted(set(said_a) - set(said_b))
        only_b = sorted(set(said_b) - set(said_a))
        parts = []
        if only_a:
            parts.append("only A: " + ", ".join(f"{f} (turn {t})" for t, f in only_a))
        if only_b:
            parts.append("only B: " + ", ".join(f"{f} (turn {t})" for t, f in only_b))
        notes.append("the patients disclosed differently; " + "; ".join(parts or ["same facts, other order"]))
    if a.info.ending != b.info.ending:
        notes.append(
            f"the encounters ended differently: A {a.info.ending or 'none'}, B {b.info.ending or 'none'}"
        )
    codes_a, codes_b = _codes(a), _codes(b)
    if len(codes_a) == len(codes_b):
        turns = [i + 1 for i, (x, y) in enumerate(zip(codes_a, codes_b, strict=True)) if x != y]
        if turns:
            notes.append(
                "the same trainee words were coded differently at turn(s) "
                + ", ".join(map(str, turns))
                + " (the coder reads the patient's previous reply, e.g. to recognise a reflection)"
            )
    else:
        notes.append(f"A took {len(codes_a)} trainee turns and B {len(codes_b)} (an encounter ended early)")
    return Comparison(a, b, rows, notes)


def compare_scenarios(
    a: Scenario,
    b: Scenario,
    lines: list[str],
    *,
    seed: int = 0,
    rubrics: dict[str, Rubric] | None = None,
) -> Comparison:
    """Play ``lines`` against both scenarios with the scripted engine and compare the scores."""
    from .rehearsal import rehearse
    from .rubric import load_rubrics

    if rubrics is None:
        rubrics, _broken = load_rubrics()

    async def _both() -> tuple[Session, Session]:
        first = await rehearse(a, lines, seed=seed, rubrics=rubrics)
        second = await rehearse(b, lines, seed=seed, rubrics=rubrics)
        return first, second

    first, second = asyncio.run(_both())
    return compare_sessions(first, second)


__all__ = ["Comparison", "Outcome", "Row", "compare_scenarios", "compare_sessions"]
