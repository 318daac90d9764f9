"""What the screens show, computed without Textual: debriefs, key scores, comparisons, disclosure conditions.

Everything here is plain Python over the core records, so it can be tested on its own and reused by exports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from simulator.wording import value_and_label

if TYPE_CHECKING:
    from simulator.library import Library
    from simulator.records import Coding, Disclosure, PatientState, SessionInfo, SessionScore, Turn
    from simulator.scenario import Condition, Fact, Scenario
    from simulator.session import Session
    from simulator.store import Store

# Item statuses from worst to best; n/a and info carry no judgement and are not ranked.
STATUS_RANK: dict[str, int] = {"critical_miss": 0, "missed": 1, "partly": 2, "met": 3}
JUDGED = frozenset(STATUS_RANK)


@dataclass(frozen=True)
class Note:
    """A pause-and-reflect note: written after trainee turn ``turn``."""

    turn: int
    text: str
    at: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Note:
        return cls(turn=int(data.get("turn", 0)), text=str(data.get("text", "")), at=str(data.get("at", "")))

    def to_dict(self) -> dict[str, Any]:
        return {"turn": self.turn, "text": self.text, "at": self.at}


def first_name(name: str) -> str:
    """The name the trainee uses for the patient in the transcript."""
    return name.split()[0] if name.strip() else "Patient"


@dataclass
class DebriefData:
    """Everything a debrief shows, from a live session or from the store."""

    info: SessionInfo
    scenario: Scenario | None
    turns: list[Turn]
    ledger: list[Disclosure]
    score: SessionScore | None
    notes: list[Note] = field(default_factory=list)
    # Educators' overrides and LLM-judge judgements, stored apart from the automatic score; exports show both.
    overrides: list[Any] = field(default_factory=list)
    judgements: list[Any] = field(default_factory=list)

    @classmethod
    def from_session(cls, session: Session, notes: list[Note] | None = None) -> DebriefData:
        return cls(
            info=session.info,
            scenario=session.scenario,
            turns=list(session.turns),
            ledger=list(session.ledger),
            score=session.score,
            notes=list(notes or []),
        )

    @classmethod
    def from_store(cls, store: Store, session_id: str, library: Library | None = None) -> DebriefData:
        """Load a stored session; the scenario comes from the library when it still has that id."""
        full = store.resolve_id(session_id)
        info = store.session(full)
        scenario = None
        if library is not None:
            try:
                scenario = library.get(info.scenario_id)
            except LookupError:
                scenario = None
        return cls(
            info=info,
            scenario=scenario,
            turns=store.turns(full),
            ledger=store.disclosures(full),
            score=store.scores(full),
            notes=[Note.from_dict(n) for n in store.notes(full)],
            overrides=store.overrides(full),
            judgements=store.judgements(full),
        )

    @property
    def title(self) -> str:
        if self.scenario is not None:
            return self.scenario.title
        return self.info.scenario_title or self.info.scenario_id

    @property
    def patient(self) -> str:
        return first_name(self.scenario.persona.name) if self.scenario is not None else "Patient"

    @property
    def final_state(self) -> PatientState | None:
        states = [t.state for t in self.turns if t.state is not None]
        return states[-1] if states else None

    @property
    def trainee_turns(self) -> int:
        return max((t.trainee_turn for t in self.turns if t.speaker == "trainee"), default=0)

    def fact_summary(self, fact_id: str) -> str:
        if self.scenario is not None:
            try:
                return self.scenario.fact(fact_id).summary
            except KeyError:
                pass
        return fact_id

    def hidden_facts(self) -> list[Fact]:
        if self.scenario is None:
            return []
        disclosed = {d.fact_id for d in self.ledger}
        return [f for f in self.scenario.facts if f.id not in disclosed]

    def turn_at(self, index: int) -> Turn | None:
        return next((t for t in self.turns if t.index == index), None)

    # -- exports --------------------------------------------------------------------------------------------

    def markdown(self) -> str:
        """The Markdown debrief (``simulator.export``) followed by the trainee's reflection notes."""
        from simulator.export import session_markdown

        text = session_markdown(
            self.info, self.turns, self.ledger, self.score, scenario_title=self.title,
            overrides=self.overrides, judgements=self.judgements,
        ).rstrip()
        if self.notes:
            from simulator.export import _md  # the same escaping as the rest of the document

            lines = ["", "", "## Reflection notes", ""]
            lines += [f"- After your turn {n.turn}: {_md(n.text)}" for n in self.notes]
            text += "\n".join(lines)
        return text + "\n"

    def json(self) -> str:
        """The JSON export (``mhsim-session/1``) with the reflection notes added as ``notes``."""
        import json

        from simulator.export import session_json

        document = json.loads(
            session_json(self.info, self.turns, self.ledger, self.score, self.overrides, self.judgements)
        )
        document["notes"] = [n.to_dict() for n in self.notes]
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# -- key scores and comparisons ---------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyScores:
    """The few numbers a trend follows: items met out of those judged, critical misses, turns, final trust."""

    met: int
    judged: int
    critical: int
    turns: int
    final_trust: float | None

    @property
    def share_met(self) -> float | None:
        return self.met / self.judged if self.judged else None

    def text(self) -> str:
        """``6/9 met (67%) · ‼ 1 critical`` — words and symbols, never colour alone."""
        if not self.judged:
            return "not scored"
        share = self.share_met or 0.0
        out = f"{self.met}/{self.judged} met ({share:.0%})"
        return out + (f" · ‼ {self.critical} critical" if self.critical else " · no critical miss")


    def short(self) -> str:
        """``6/9 67% ‼1`` (items met of those judged) for narrow tables."""
        if not self.judged:
            return "not scored"
        out = f"{self.met}/{self.judged} {self.share_met or 0:.0%}"
        return out + (f" ‼{self.critical}" if self.critical else "")


def key_scores(score: SessionScore | None, turns: list[Turn]) -> KeyScores:
    items = [i for r in score.rubrics for i in r.items] if score is not None else []
    judged = [i for i in items if i.status in JUDGED]
    states = [t.state for t in turns if t.state is not None]
    return KeyScores(
        met=sum(1 for i in judged if i.status == "met"),
        judged=len(judged),
        critical=sum(1 for i in judged if i.status == "critical_miss"),
        turns=max((t.trainee_turn for t in turns if t.speaker == "trainee"), default=0),
        final_trust=states[-1].trust if states else None,
    )


@dataclass(frozen=True)
class ItemChange:
    """One rubric item in two attempts."""

    rubric: str
    title: str
    before: str | None
    after: str | None
    before_value: str
    after_value: str

    @property
    def change(self) -> str:
        """``▲ better``, ``▼ worse``, ``= same`` or empty when either side is not judged."""
        a, b = STATUS_RANK.get(self.before or ""), STATUS_RANK.get(self.after or "")
        if a is None or b is None:
            return "" if self.before == self.after else "≠ changed"
        if b > a:
            return "▲ better"
        if b < a:
            return "▼ worse"
        return "= same"


def _value(item: Any) -> str:
    return value_and_label(item.value, item.label)


def compare_items(before: SessionScore | None, after: SessionScore | None) -> list[ItemChange]:
    """Items of two scores side by side, in the order of the later attempt, then any only the earlier has."""
    def index(score: SessionScore | None) -> dict[tuple[str, str], tuple[str, Any]]:
        out: dict[tuple[str, str], tuple[str, Any]] = {}
        if score is not None:
            for rubric in score.rubrics:
                for item in rubric.items:
                    out[(rubric.rubric_id, item.item_id)] = (rubric.title, item)
        return out

    a, b = index(before), index(after)
    keys = list(b) + [k for k in a if k not in b]
    rows = []
    for key in keys:
        rubric, item = b.get(key) or a[key]
        old, new = a.get(key, (None, None))[1], b.get(key, (None, None))[1]
        rows.append(
            ItemChange(
                rubric=rubric,
                title=item.title,
                before=old.status if old is not None else None,
                after=new.status if new is not None else None,
                before_value=_value(old) if old is not None else "",
                after_value=_value(new) if new is not None else "",
            )
        )
    return rows


# -- disclosure conditions -------------------------------------------------------------------------------


def _words(values: list[Any]) -> str:
    names = [str(v).replace("_", " ") for v in values]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def condition_parts(
    cond: Condition,
    state: PatientState | None = None,
    coding: Coding | None = None,
    fact_names: dict[str, str] | None = None,
) -> list[tuple[str, bool | None]]:
    """Each part of a disclosure condition in plain words, with whether it holds now.

    Parts about the state (trust, turn, other facts) are checked against ``state``; parts about one trainee
    turn (topics, behaviours, risk questions) against ``coding``, the last turn. ``None`` means "not known yet".
    """
    names = fact_names or {}
    parts: list[tuple[str, bool | None]] = []

    def per_turn(values: list[Any], got: list[Any] | None) -> bool | None:
        return None if got is None else bool(set(map(str, values)) & set(map(str, got)))

    if cond.topics:
        parts.append((f"a turn about {_words(cond.topics)}", per_turn(cond.topics, coding.topics if coding else None)))
    if cond.behaviours:
        parts.append(
            (f"a turn that is a {_words(cond.behaviours)}", per_turn(cond.behaviours, coding.behaviours if coding else None))
        )
    if cond.risk_flags:
        parts.append(
            (f"a turn asking {_words(cond.risk_flags)}", per_turn(cond.risk_flags, coding.risk_flags if coding else None))
        )
    if cond.min_trust is not None:
        now = f" (now {state.trust:.2f})" if state is not None else ""
        parts.append(
            (f"trust ≥ {cond.min_trust:.2f}{now}", None if state is None else state.trust + 1e-9 >= cond.min_trust)
        )
    if cond.min_turn is not None:
        now = f" (now {state.turn})" if state is not None else ""
        parts.append((f"from your turn {cond.min_turn}{now}", None if state is None else state.turn >= cond.min_turn))
    for fact_id in cond.after_facts:
        label = names.get(fact_id, fact_id)
        parts.append((f"after “{label}” is disclosed", None if state is None else fact_id in state.disclosed))
    return parts


def condition_text(cond: Condition, fact_names: dict[str, str] | None = None) -> str:
    """A disclosure condition in one line of plain words (``always`` when it has no parts)."""
    parts = [text for text, _ in condition_parts(cond, fact_names=fact_names)]
    return " + ".join(parts) if parts else "always (once asked)"


def mark(holds: bool | None) -> str:
    """A condition part's mark: ✔ holds, ✘ does not, ? not known yet."""
    return "?" if holds is None else ("✔" if holds else "✘")


# -- times -----------------------------------------------------------------------------------------------


def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored UTC time in the computer's time zone (history lists)."""
    if value is None:
        return "—"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone().strftime(fmt)


def elapsed_text(seconds: float) -> str:
    """``mm:ss`` (``h:mm:ss`` past an hour)."""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


# -- the trend chart -------------------------------------------------------------------------------------

BLOCKS = " ▁▂▃▄▅▆▇█"


def trend_chart(shares: list[float | None], criticals: list[int], *, height: int = 4, max_columns: int = 16) -> str:
    """A bar chart of the share of items met per attempt (oldest left), with axis labels and critical misses.

    Drawn with block characters and labelled with numbers (the share in percent under each bar, critical misses
    below), so it reads without colour. An attempt that was not scored shows ``–``. Only the last
    ``max_columns`` attempts are drawn.
    """
    first = max(1, len(shares) - max_columns + 1)
    shares, criticals = shares[-max_columns:], criticals[-max_columns:]
    rows: list[str] = []
    for level in range(height, 0, -1):
        label = {height: "100%", (height + 1) // 2: " 50%"}.get(level, "    ")
        cells = []
        for share in shares:
            eighths = 0 if share is None else round(share * height * 8) - (level - 1) * 8
            cells.append(BLOCKS[max(0, min(8, eighths))] * 3)
        rows.append(f"{label} ┤" + " ".join(cells))
    rows.append("  0% ┼" + "┴".join("───" for _ in shares) + "─")
    rows.append("  met " + " ".join("  –" if s is None else f"{round(s * 100):>3d}" for s in shares) + " %")
    rows.append("    ‼ " + " ".join(f"{c:>3d}" if c else "  ·" for c in criticals) + " critical misses")
    rows.append("   no." + " ".join(f"{i:>3d}" for i in range(first, first + len(shares))) + " attempt")
    return "\n".join(rows)


# -- library search --------------------------------------------------------------------------------------

FILTER_KEYS = {
    "tag": "tag",
    "t": "tag",
    "challenge": "tag",
    "difficulty": "difficulty",
    "d": "difficulty",
    "level": "difficulty",
    "lang": "language",
    "language": "language",
    "l": "language",
    "rubric": "rubric",
    "r": "rubric",
}


def parse_query(query: str) -> tuple[dict[str, list[str]], list[str]]:
    """``tag:privacy d:beginner low mood`` → ({'tag': ['privacy'], 'difficulty': ['beginner']}, ['low', 'mood'])."""
    filters: dict[str, list[str]] = {}
    words: list[str] = []
    for token in query.lower().split():
        key, sep, value = token.partition(":")
        if sep and key in FILTER_KEYS and value:
            filters.setdefault(FILTER_KEYS[key], []).append(value)
        else:
            words.append(token)
    return filters, words


def scenario_matches(scenario: Scenario, query: str) -> bool:
    """Whether a scenario fits a library search (every word and every ``key:value`` filter must match).

    A filter value matches when it is a prefix of the scenario's value (``d:beg``), or for tags when it appears
    in the tag or its title (``tag:privacy`` matches ``privacy_security``).
    """
    from simulator.codes import CHALLENGE_TITLES

    filters, words = parse_query(query)
    tags = [str(c) for c in scenario.challenges]
    tag_text = tags + [CHALLENGE_TITLES.get(c, "").lower() for c in scenario.challenges]
    checks = {
        "tag": lambda v: any(v in t for t in tag_text),
        "difficulty": lambda v: scenario.difficulty.startswith(v),
        "language": lambda v: scenario.language.lower().startswith(v),
        "rubric": lambda v: any(r.startswith(v) for r in scenario.rubrics),
    }
    for key, values in filters.items():
        if not any(checks[key](v) for v in values):
            return False
    haystack = " ".join(
        [scenario.id, scenario.title, scenario.summary, scenario.persona.name, scenario.difficulty, scenario.language]
        + tag_text
        + list(scenario.rubrics)
        + list(scenario.content_warnings)
    ).lower()
    return all(word in haystack for word in words)
