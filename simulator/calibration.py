"""How well the automatic scores agree with educators: Cohen's κ, exact and within-one agreement.

Pairs come from the database: each educator override or rating is matched with the automatic score stored for
the same session, rubric and item. Two kinds of comparison:

- **Outcomes**: the override's status against the automatic status, on the ordered scale critical miss <
  missed < partly < met (items that were not applicable or informational are left out).
- **Values**: the override's score or the educator's rating against the automatic value (a level, a count, an
  estimated global), rounded to whole points.

For each: the number of pairs, exact agreement, agreement within one step, and Cohen's κ (unweighted, on the
categories seen). With few pairs the figures are unstable; the report says how many there are.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

ORDER = {"critical_miss": 0, "missed": 1, "partly": 2, "met": 3}


@dataclass(slots=True)
class Agreement:
    """Agreement between automatic and human labels for one group of pairs."""

    pairs: int
    exact: float
    within_one: float
    kappa: float | None


@dataclass(slots=True)
class CalibrationReport:
    """Agreement overall and per (rubric, item), for outcomes and for values."""

    outcomes: Agreement | None
    values: Agreement | None
    per_item: dict[tuple[str, str], dict[str, Agreement]] = field(default_factory=dict)
    unmatched: int = 0  # human entries with no automatic score stored for the same item


def cohen_kappa(a: list, b: list) -> float | None:
    """Cohen's κ for two equal-length label lists; None when chance agreement is total (κ undefined)."""
    n = len(a)
    if n == 0:
        return None
    observed = sum(1 for x, y in zip(a, b) if x == y) / n
    ca, cb = Counter(a), Counter(b)
    expected = sum(ca[k] * cb.get(k, 0) for k in ca) / (n * n)
    if expected >= 1:
        return None
    return (observed - expected) / (1 - expected)


def agreement(pairs: list[tuple[int, int]]) -> Agreement | None:
    """Exact, within-one and κ for (automatic, human) integer pairs; None for no pairs."""
    if not pairs:
        return None
    auto = [p[0] for p in pairs]
    human = [p[1] for p in pairs]
    exact = sum(1 for x, y in pairs if x == y) / len(pairs)
    near = sum(1 for x, y in pairs if abs(x - y) <= 1) / len(pairs)
    return Agreement(len(pairs), exact, near, cohen_kappa(auto, human))


def calibrate(automatic: Iterable[dict], overrides: Iterable, ratings: Iterable) -> CalibrationReport:
    """Match human entries with stored automatic scores and measure agreement."""
    stored = {(r["session_id"], r["rubric_id"], r["item_id"]): r for r in automatic}
    outcome_pairs: list[tuple[int, int]] = []
    value_pairs: list[tuple[int, int]] = []
    by_item: dict[tuple[str, str], dict[str, list[tuple[int, int]]]] = defaultdict(
        lambda: {"outcomes": [], "values": []}
    )
    unmatched = 0
    human_values = [(o, o.score) for o in overrides] + [(r, r.value) for r in ratings]
    seen_outcomes = [o for o, _ in human_values if getattr(o, "status", None)]
    for entry in seen_outcomes:
        auto = stored.get((entry.session_id, entry.rubric_id, entry.item_id))
        if auto is None:
            unmatched += 1
            continue
        if auto["status"] in ORDER and entry.status in ORDER:
            pair = (ORDER[auto["status"]], ORDER[entry.status])
            outcome_pairs.append(pair)
            by_item[(entry.rubric_id, entry.item_id)]["outcomes"].append(pair)
    for entry, value in human_values:
        if value is None:
            continue
        auto = stored.get((entry.session_id, entry.rubric_id, entry.item_id))
        if auto is None:
            if not getattr(entry, "status", None):
                unmatched += 1
            continue
        if auto["value"] is None:
            continue
        pair = (round(float(auto["value"])), round(float(value)))
        value_pairs.append(pair)
        by_item[(entry.rubric_id, entry.item_id)]["values"].append(pair)
    per_item = {
        key: {kind: a for kind, pairs in groups.items() if (a := agreement(pairs)) is not None}
        for key, groups in sorted(by_item.items())
    }
    return CalibrationReport(agreement(outcome_pairs), agreement(value_pairs), per_item, unmatched)


@dataclass(slots=True)
class JudgeReport:
    """Agreement of the LLM judge's global ratings with educators and with the automatic estimates.

    Each session counts once per global, with its newest judgement; ``models`` lists the judge models those came
    from. Educators' values are their ratings and scored overrides of the ``mi/<global>_estimate`` items.
    """

    judgements: int
    models: list[str]
    vs_educators: Agreement | None
    vs_automatic: Agreement | None
    per_global: dict[str, dict[str, Agreement]] = field(default_factory=dict)

    def verdicts(self) -> dict[str, str]:
        """For each global, whether the judge may be used as a second opinion there, from its agreement with
        the educators: too few ratings to tell, agrees often enough, or should not rate that global alone."""
        from .judgements import GLOBALS

        out: dict[str, str] = {}
        for name in GLOBALS:
            a = self.per_global.get(name, {}).get("educators")
            n = a.pairs if a is not None else 0
            if a is None or n < JUDGE_MIN_PAIRS:
                out[name] = f"not enough educators' ratings yet ({n} of {JUDGE_MIN_PAIRS})"
            elif a.within_one < JUDGE_MIN_WITHIN_ONE or (a.kappa is not None and a.kappa < JUDGE_MIN_KAPPA):
                out[name] = "do not let the judge rate this alone: it disagrees with educators too often"
            else:
                out[name] = "agrees with educators often enough to use as a second opinion"
        return out


# When the judge may be used as a second opinion on a global: enough educators' ratings, mostly within one point,
# and kappa (where defined) at least fair. A facilitator's rule of thumb, not a validation standard.
JUDGE_MIN_PAIRS = 5
JUDGE_MIN_WITHIN_ONE = 0.8
JUDGE_MIN_KAPPA = 0.4


def judge_agreement(judgements: Iterable, automatic: Iterable[dict], overrides: Iterable, ratings: Iterable) -> JudgeReport:
    """Compare stored judgements (:class:`simulator.judgements.Judgement`) with educators and estimates."""
    from .judgements import ESTIMATE_ITEMS

    newest: dict[str, object] = {}
    for judgement in sorted(judgements, key=lambda j: j.judged_at):
        newest[judgement.session_id] = judgement
    stored = {(r["session_id"], r["rubric_id"], r["item_id"]): r for r in automatic}
    human: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    for entry in overrides:
        if entry.score is not None:
            human[(entry.session_id, entry.rubric_id, entry.item_id)].append(float(entry.score))
    for entry in ratings:
        human[(entry.session_id, entry.rubric_id, entry.item_id)].append(float(entry.value))
    educator_pairs: list[tuple[int, int]] = []
    automatic_pairs: list[tuple[int, int]] = []
    by_global: dict[str, dict[str, list[tuple[int, int]]]] = defaultdict(lambda: {"educators": [], "automatic": []})
    for session_id, judgement in newest.items():
        for name, given in judgement.ratings.items():  # type: ignore[attr-defined]
            rubric_id, item_id = ESTIMATE_ITEMS[name]
            for value in human.get((session_id, rubric_id, item_id), []):
                pair = (given.rating, round(value))
                educator_pairs.append(pair)
                by_global[name]["educators"].append(pair)
            auto = stored.get((session_id, rubric_id, item_id))
            if auto is not None and auto["value"] is not None:
                pair = (given.rating, round(float(auto["value"])))
                automatic_pairs.append(pair)
                by_global[name]["automatic"].append(pair)
    per_global = {
        name: {kind: a for kind, pairs in groups.items() if (a := agreement(pairs)) is not None}
        for name, groups in sorted(by_global.items())
    }
    models = sorted({j.model for j in newest.values()})  # type: ignore[attr-defined]
    return JudgeReport(len(newest), models, agreement(educator_pairs), agreement(automatic_pairs), per_global)


__all__ = [
    "ORDER",
    "Agreement",
    "CalibrationReport",
    "JudgeReport",
    "agreement",
    "calibrate",
    "cohen_kappa",
    "judge_agreement",
]
