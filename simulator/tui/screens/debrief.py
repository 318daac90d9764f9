"""The debrief: scores with their evidence, the disclosure ledger, and the formative notice.

Critical misses come first. Every status is shown as a symbol and words (colour only adds to it).
This is the first place the patient's hidden facts are shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Collapsible, Footer, Header, Static

from ..widgets.marks import STATUS_ORDER, status_label

if TYPE_CHECKING:
    from simulator.records import Disclosure, ItemScore, SessionScore
    from simulator.scenario import Scenario
    from simulator.session import Session


def item_value(item: ItemScore) -> str:
    """``0.6 (fair)``, ``3``, ``good`` or empty."""
    value = "" if item.value is None else f"{item.value:g}"
    if item.label:
        value = f"{value} ({item.label})" if value else item.label
    return value


def evidence_text(turns: list[int]) -> str:
    """Transcript numbers, as shown in the encounter's message headers (#3)."""
    if not turns:
        return ""
    shown = ", ".join(f"#{i}" for i in turns[:10])
    return "transcript " + shown + (", …" if len(turns) > 10 else "")


def unlocked_by(disclosure: Disclosure) -> str:
    """The trainee move that released a fact: behaviours, topics and risk questions of that turn."""
    parts = [", ".join(str(b) for b in disclosure.behaviours) or "other"]
    if disclosure.topics:
        parts.append("topics: " + ", ".join(disclosure.topics))
    if disclosure.risk_flags:
        parts.append("risk: " + ", ".join(str(f) for f in disclosure.risk_flags))
    return " · ".join(parts)


def fact_summary(scenario: Scenario, fact_id: str) -> str:
    try:
        return scenario.fact(fact_id).summary
    except KeyError:
        return fact_id


def overview(score: SessionScore) -> str:
    """One line at the top: how many items landed in each status (symbols and words)."""
    counts: dict[str, int] = {}
    for rubric in score.rubrics:
        for item in rubric.items:
            counts[item.status] = counts.get(item.status, 0) + 1
    parts = [
        f"{status_label(status)} {counts[status]}"
        for status in ("critical_miss", "missed", "partly", "met")
        if counts.get(status)
    ]
    return "At a glance: " + (" · ".join(parts) if parts else "nothing to judge yet")


class ItemView(Vertical):
    """One rubric item: status mark, title, value, evidence, then detail, feedback and a better reply."""

    def __init__(self, item: ItemScore) -> None:
        super().__init__(classes=f"rubric-item status-{item.status}")
        self.item = item

    def compose(self) -> ComposeResult:
        item = self.item
        head = [item.title]
        value = item_value(item)
        if value:
            head.append(value)
        evidence = evidence_text(item.evidence_turns)
        if evidence:
            head.append(evidence)
        yield Static(Content(status_label(item.status)), classes=f"mark status-{item.status}")
        yield Static(Content(" · ".join(head)), classes="item-head")
        lines = [line for line in (item.detail, item.feedback) if line]
        if item.better_reply:
            lines.append(f"Try: “{item.better_reply}”")
        if lines:
            yield Static(Content("\n".join(lines)), classes="item-body")


class DebriefScreen(Screen[None]):
    """Scores, evidence and the ledger of one finished session."""

    HELP: ClassVar[str] = (
        "Your debrief. **Critical misses** come first, then each rubric's items with their status "
        "(✔ met, ~ partly, ✘ missed, ‼ critical miss), value and the transcript numbers (#n) that earned them. "
        "The **disclosure ledger** shows which of the patient's facts you heard, on which of your turns and what "
        "opened them, and which stayed hidden with a move that might have opened them. "
        "Scores are formative feedback for practice, not an assessment."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "n,escape",
            "new",
            "Scenario library",
            id="debrief.library",
            tooltip="Back to the scenario library for another session.",
        ),
        Binding("l", "ledger", "Ledger", id="debrief.ledger", tooltip="Jump to the disclosure ledger."),
        Binding(
            "t",
            "toggle_transcript",
            "Transcript",
            id="debrief.transcript",
            tooltip="Show or hide the numbered transcript the evidence refers to.",
        ),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        session = self.session
        scenario = session.scenario
        score = session.score
        yield Header()
        with VerticalScroll(id="debrief-body"):
            yield Static(Content(f"Debrief · {scenario.title}"), id="debrief-title")
            yield Static(Content(self._summary_line()), id="debrief-summary")
            if score is None:
                yield Static(
                    Content("This session could not be scored. The ledger and the transcript are below."),
                    id="debrief-notice",
                )
            else:
                yield Static(Content(overview(score)), id="debrief-overview")
                yield Static(Content(f"ⓘ {score.notice}"), id="debrief-notice")
                if not score.enough:
                    yield Static(
                        Content("Not enough to score: the session has too few trainee turns."),
                        classes="not-enough",
                    )
                if score.critical_misses:
                    with Vertical(id="critical-misses"):
                        yield Static(Content("‼ Critical misses"), classes="section-title")
                        yield Static(Content("\n".join(f"‼ {line}" for line in score.critical_misses)))
                for rubric in score.rubrics:
                    with Vertical(classes="rubric"):
                        yield Static(
                            Content(f"{rubric.title} (v{rubric.rubric_version})"), classes="section-title"
                        )
                        if rubric.instrument:
                            yield Static(Content(rubric.instrument), classes="instrument")
                        items = sorted(rubric.items, key=lambda i: STATUS_ORDER.get(i.status, 9))
                        for item in items:
                            yield ItemView(item)
                for title, lines, mark, key in (
                    ("Strengths", score.strengths, "✔", "strengths"),
                    ("To work on", score.misses, "✘", "misses"),
                ):
                    if lines:
                        with Vertical(id=f"debrief-{key}", classes="summary-list"):
                            yield Static(Content(title), classes="section-title")
                            yield Static(Content("\n".join(f"{mark} {line}" for line in lines)))
            yield from self._ledger()
            with Collapsible(title="Transcript", id="debrief-transcript", collapsed=True):
                yield Static(Content(self._transcript_text()), id="transcript-text")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Debrief"
        self.query_one("#debrief-body").focus()

    def _summary_line(self) -> str:
        session = self.session
        parts = [f"{session.state.turn} trainee turns", f"final trust {session.state.trust:.2f}"]
        ending = session.info.ending or session.state.ended
        if ending:
            match = next((e for e in session.scenario.endings if e.id == ending), None)
            parts.append(f"ended by the patient: {match.title if match else ending}")
            if match is not None:
                name = session.scenario.persona.name.split()[0]
                return " · ".join(parts) + f"\n{name}'s last words: “{match.line}”"
        else:
            parts.append("ended by you")
        return " · ".join(parts)

    def _ledger(self) -> ComposeResult:
        session = self.session
        scenario = session.scenario
        disclosed = {d.fact_id for d in session.ledger}
        with Vertical(id="ledger"):
            yield Static(Content("Disclosure ledger"), classes="section-title")
            rows = [
                f"✔ {fact_summary(scenario, d.fact_id)}\n"
                f"    your turn {d.turn} · trust {d.trust:.2f} · unlocked by {unlocked_by(d)}"
                for d in session.ledger
            ]
            yield Static(
                Content("\n".join(rows) if rows else "Nothing was disclosed in this session."),
                id="ledger-disclosed",
            )
            hidden = [f for f in scenario.facts if f.id not in disclosed]
            if hidden:
                yield Static(Content("Stayed hidden"), classes="subsection-title")
                lines = [
                    f"○ {f.summary}" + (f"\n    might open with: {f.hint}" if f.hint else "") for f in hidden
                ]
                yield Static(Content("\n".join(lines)), id="ledger-hidden")

    def _transcript_text(self) -> str:
        name = self.session.scenario.persona.name.split()[0]
        lines = []
        for turn in self.session.turns:
            who = "You" if turn.speaker == "trainee" else name
            lines.append(f"#{turn.index} {who}: {turn.text}")
        return "\n".join(lines)

    def action_new(self) -> None:
        self.app.back_to_library()  # type: ignore[attr-defined]

    def action_ledger(self) -> None:
        self.query_one("#ledger").scroll_visible(top=True, animate=False)

    def action_toggle_transcript(self) -> None:
        collapsible = self.query_one("#debrief-transcript", Collapsible)
        collapsible.collapsed = not collapsible.collapsed
        if not collapsible.collapsed:
            self.call_after_refresh(collapsible.scroll_visible, top=True, animate=False)
