"""The debrief: scores with their evidence (select an item to jump to its turns), the disclosure ledger as a
timeline, the transcript with the coach's notes, better replies and reflection notes; export and copy.

Critical misses come first. Every status is shown as a symbol and words (colour only adds to it). This is the
first place the patient's hidden facts are shown.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Header, Static, TabbedContent, TabPane

from simulator.wording import better_reply_lead, value_and_label

from ..coach import TurnFeedback, scenario_rubrics, session_feedback
from ..data import BLOCKS, DebriefData, Note, condition_text
from ..widgets import ChatMessage, Transcript
from ..widgets.coach import MARK_WORDS
from ..widgets.marks import STATUS_ORDER, status_label
from ..widgets.paragraphs import Line, Paragraphs
from .reflect import ReflectScreen

if TYPE_CHECKING:
    from simulator.llm.adapter import ChatClient
    from simulator.llm.coach import BetterReply
    from simulator.records import Disclosure, ItemScore, SessionScore, Turn
    from simulator.session import Session
    from simulator.store import Store

def item_value(item: ItemScore) -> str:
    """``0.6 (fair)``, ``3``, ``good`` or empty."""
    return value_and_label(item.value, item.label)


def evidence_text(turns: list[int]) -> str:
    """Transcript numbers, as shown in the encounter's message headers (#3)."""
    if not turns:
        return ""
    shown = ", ".join(f"#{i}" for i in turns[:10])
    return "evidence " + shown + (", …" if len(turns) > 10 else "")


def unlocked_by(disclosure: Disclosure) -> str:
    """The trainee move that released a fact: behaviours, topics and risk questions of that turn."""
    parts = [", ".join(str(b).replace("_", " ") for b in disclosure.behaviours) or "other"]
    if disclosure.topics:
        parts.append("topics: " + ", ".join(disclosure.topics))
    if disclosure.risk_flags:
        parts.append("risk: " + ", ".join(str(f).replace("_", " ") for f in disclosure.risk_flags))
    return " · ".join(parts)


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


class ItemView(Vertical, can_focus=True):
    """One rubric item: status mark, title, value, evidence; then detail, feedback and a better reply.

    Focusable: Enter jumps to the turns that earned it; the arrow keys move between items.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "jump", "Show evidence", id="debrief.jump", tooltip="Open the transcript at the turns that earned this item."),
        Binding("down", "move(1)", "Next item", id="debrief.next", show=False),
        Binding("up", "move(-1)", "Previous item", id="debrief.previous", show=False),
        Binding(
            "o",
            "override",
            "Override",
            id="debrief.override",
            tooltip="Educators: give this item another outcome or value, with a reason (the automatic score is kept).",
            show=False,
        ),
    ]

    def __init__(self, item: ItemScore, key: str, overrides: list | None = None) -> None:
        super().__init__(classes=f"rubric-item status-{item.status}")
        self.item = item
        self.key = key
        self.overrides = overrides or []  # educators' overrides of this item, shown under the automatic score

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
        yield Static(self._body(head), classes="item-body")

    def _body(self, head: list[str] | None = None) -> Content:
        item = self.item
        if head is None:
            head = [item.title, *(x for x in (item_value(item), evidence_text(item.evidence_turns)) if x)]
        parts: list[str | tuple[str, str]] = [(" · ".join(head), "bold")]
        for line in (item.detail, item.feedback):
            if line:
                parts += ["\n", (line, "$text-muted")]
        if item.better_reply:
            parts += ["\n", (f"{better_reply_lead(item.better_reply_turn)}: ", "bold"), f"“{item.better_reply}”"]
        for entry in self.overrides:
            parts += ["\n", (f"Educator {entry.educator}: ", "bold"), override_text(entry)]
        return Content.assemble(*parts)

    @property
    def head_text(self) -> str:
        """The first line: title, value and evidence."""
        return str(self.query_one(".item-body", Static).render()).split("\n", 1)[0]

    async def action_jump(self) -> None:
        await self.screen.jump_to_item(self.item)  # type: ignore[attr-defined]

    def action_override(self) -> None:
        self.screen.override_item(self)  # type: ignore[attr-defined]

    def show_overrides(self, overrides: list) -> None:
        """Redraw the item with these overrides under the automatic score."""
        self.overrides = overrides
        self.query_one(".item-body", Static).update(self._body())

    def action_move(self, step: int) -> None:
        items = list(self.screen.query(ItemView))
        at = items.index(self) + step
        if 0 <= at < len(items):
            items[at].focus()
            items[at].scroll_visible(animate=False)
        else:
            self.parent.scroll_relative(y=step * 3, animate=False)  # type: ignore[union-attr]


class TurnTranscript(Transcript):
    """The debrief's transcript: Up/Down choose one of the trainee's turns for a better reply (g)."""

    HELP: ClassVar[str] = (
        "The whole conversation with the coach's notes under each of your turns. **↑/↓** choose one of your turns "
        "(it is marked at its left edge; a click does it too) and **g** asks for a better reply to it. Page "
        "Up/Down, Home and End scroll."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "choose(1)", "Next turn of yours", id="debrief.turn_next", show=False),
        Binding("up", "choose(-1)", "Previous turn of yours", id="debrief.turn_previous", show=False),
        Binding(
            "g",
            "screen.better_reply",
            "Better reply",
            id="debrief.better_reply",
            tooltip="A better reply for the chosen turn of yours: generated when a language model is configured, "
            "else the rubric's exemplar.",
        ),
    ]

    async def action_choose(self, step: int) -> None:
        await self.screen.choose_turn(step)  # type: ignore[attr-defined]


def trust_track(data: DebriefData) -> str:
    """Trust after each trainee turn as a row of blocks, with the start and end values."""
    states = [t.state for t in data.turns if t.state is not None]
    if not states:
        return "Trust: no trainee turns."
    start = data.scenario.trust.start if data.scenario is not None else states[0].trust
    values = [start] + [s.trust for s in states]
    track = "".join(BLOCKS[max(1, min(8, round(v * 8)))] for v in values)
    return f"Trust over the session (0–1): {track} {values[0]:.2f} → {values[-1]:.2f}"


def timeline_lines(data: DebriefData) -> list[Line]:
    """The disclosure ledger as a timeline, then what stayed hidden and what would have opened it."""
    lines = [Line(trust_track(data))]
    if not data.ledger:
        lines.append(Line("Nothing hidden was disclosed in this session.", gap=True))
    by_turn: dict[int, list[Disclosure]] = {}
    for d in data.ledger:
        by_turn.setdefault(d.turn, []).append(d)
    for turn, items in sorted(by_turn.items()):
        lines.append(Line(Content.assemble((f"Your turn {turn}", "bold"), f" · trust {items[0].trust:.2f}"), gap=True))
        for d in items:
            lines.append(Line(data.fact_summary(d.fact_id), indent=2, bullet="✔"))
            said = f" — “{d.trainee_text.strip()}”" if d.trainee_text.strip() else ""
            lines.append(Line(Content.assemble(("opened by: ", "italic"), unlocked_by(d), said), indent=4))
    hidden = data.hidden_facts()
    if hidden:
        names = {f.id: f.summary for f in data.scenario.facts} if data.scenario is not None else {}
        lines.append(Line(Content.styled("Stayed hidden", "bold underline"), gap=True))
        for fact in hidden:
            lines.append(Line(fact.summary, indent=2, bullet="○"))
            if fact.hint:
                lines.append(Line(Content.assemble(("would have opened with: ", "italic"), fact.hint), indent=4))
            needed = condition_text(fact.condition, names)
            lines.append(Line(Content.assemble(("needed: ", "italic"), needed), indent=4))
    elif data.scenario is None:
        lines.append(Line("(The scenario file is no longer installed, so hidden facts cannot be listed.)", gap=True))
    return lines


def override_text(entry) -> str:
    """An educator's override in a line: what they give instead, and why."""
    given = [status_label(entry.status)] if entry.status else []
    if entry.score is not None:
        given.append(f"{entry.score:g}")
    return f"{' · '.join(given) or 'note'} (overrides the automatic score): {entry.reason}"


def judge_text(judgement, score: SessionScore) -> str:
    """The newest LLM judgement beside the automatic estimates: label, then one line per global with evidence."""
    from simulator.judgements import ESTIMATE_ITEMS, GLOBAL_TITLES, GLOBALS

    estimates = {(r.rubric_id, i.item_id): i.value for r in score.rubrics for i in r.items}
    lines = [f"{judgement.label}. Formative, not an assessment; the estimates above are unchanged."]
    for name in GLOBALS:
        rated = judgement.ratings.get(name)
        if rated is None:
            continue
        estimate = estimates.get(ESTIMATE_ITEMS[name])
        beside = f" (estimate {estimate:.1f})" if isinstance(estimate, (int, float)) else ""
        turns = ", ".join(f"#{i}" for i in rated.evidence_turns)
        evidence = f" Evidence: {turns}." if turns else ""
        lines.append(f"• {GLOBAL_TITLES[name]} {rated.rating}/5{beside}: {rated.rationale}{evidence}")
    return "\n".join(lines)


def feedback_extra(fb: TurnFeedback | None) -> str:
    if fb is None:
        return ""
    text = f"[{fb.codes}] {MARK_WORDS.get(fb.mark, fb.mark)}: {fb.line}"
    if fb.better_reply:
        text += f"\nTry: “{fb.better_reply}”"
    return text


class DebriefScreen(Screen[None]):
    """Scores, evidence, ledger, transcript and notes of one finished (or stored) session."""

    HELP: ClassVar[str] = (
        "Your debrief. **Scores** lists every rubric item, **critical misses first**, with its status "
        "(✔ met, ~ partly, ✘ missed, ‼ critical miss), value and the transcript numbers (#n) that earned it: "
        "press **Enter** on an item to jump to those turns. **Ledger** is the disclosure timeline: what the "
        "patient told you, on which turn and what opened it, and what stayed hidden with a move that would have "
        "opened it. **Transcript** shows each of your turns with its codes and a better reply where one fits. "
        "**Notes** holds your reflection notes and the better replies. **x** saves Markdown, **j** JSON, "
        "**c** copies the debrief. **g** gives a better reply for the chosen turn of yours (choose it with "
        "**↑/↓** in the Transcript, click it, or jump to it from a score): generated by the configured language "
        "model, labelled with its name, else the rubric's exemplar. Educators: **o** on an item records an override with a reason, shown "
        "under the automatic score (which is kept). Scores are formative feedback for practice, not an assessment."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="debrief.back", tooltip="Back to the library (or to History)."),
        # The tab keys are named in the tab labels ("Ledger (l)"), so the footer keeps room for the rest at 80 columns.
        Binding("s", "tab('tab-scores')", "Scores", id="debrief.scores", tooltip="Show the scores.", show=False),
        Binding(
            "l", "tab('tab-ledger')", "Ledger", id="debrief.ledger", tooltip="Show the disclosure timeline.", show=False
        ),
        Binding(
            "t",
            "tab('tab-transcript')",
            "Transcript",
            id="debrief.transcript",
            tooltip="Show the numbered transcript with the coach's notes.",
            show=False,
        ),
        Binding("n", "tab('tab-notes')", "Notes", id="debrief.notes", tooltip="Reflection notes and better replies.", show=False),
        Binding("x", "export('md')", "Save .md", id="debrief.export_md", tooltip="Save the debrief as Markdown."),
        Binding("j", "export('json')", "Save .json", id="debrief.export_json", tooltip="Save the session as JSON.", show=False),
        Binding("c", "copy", "Copy", id="debrief.copy", tooltip="Copy the debrief (Markdown) to the clipboard."),
        Binding(
            "g",
            "better_reply",
            "Better reply",
            id="debrief.better_reply",
            tooltip="A better reply for the selected turn of yours: generated when a language model is configured, "
            "else the rubric's exemplar.",
            show=False,
        ),
        Binding(
            "ctrl+n",
            "reflect",
            "Add note",
            id="debrief.reflect",
            tooltip="Write a reflection note about this session.",
            show=False,
        ),
    ]

    def __init__(
        self,
        data: DebriefData | Session,
        *,
        back: str = "library",
        notes: list[Note] | None = None,
        store: Store | None = None,
    ) -> None:
        super().__init__()
        if not isinstance(data, DebriefData):
            store = store or data.store
            data = DebriefData.from_session(data, notes)
        self.data = data
        self.back = back
        self.store = store
        self.note_draft = ""
        self.feedback: dict[int, TurnFeedback] = {
            fb.index: fb for fb in session_feedback(data.turns, data.scenario, scenario_rubrics(), data.ledger)
        }
        # The trainee turn `g` works on: the first missed one until the trainee clicks or jumps to another.
        self.selected_turn: int | None = next((i for i, fb in self.feedback.items() if fb.missed), None)
        self.generated: dict[int, BetterReply] = {}
        self._last_item: ItemView | None = None  # the score item focused before leaving the Scores tab
        self.coach_client: ChatClient | None = None  # None: litellm's client, created when a reply is asked for

    @property
    def session(self) -> DebriefData:
        return self.data

    # -- layout ---------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Content(f"Debrief · {self.data.title}"), id="debrief-title")
        yield Static(Content(self._summary_line()), id="debrief-summary")
        with TabbedContent(initial="tab-scores", id="debrief-tabs"):
            with TabPane("Scores (s)", id="tab-scores"), VerticalScroll(id="scores"):
                yield Static(Content(self._overview_text()), id="debrief-overview")
                yield from self._score_widgets()
            with TabPane("Ledger (l)", id="tab-ledger"), VerticalScroll(id="ledger"):
                yield Paragraphs(timeline_lines(self.data), id="ledger-timeline")
            with TabPane("Transcript (t)", id="tab-transcript"):
                yield Static(
                    Content("↑/↓ choose one of your turns (or click it), then g gives a better reply to it."),
                    id="transcript-hint",
                    classes="hint",
                )
                yield TurnTranscript(id="debrief-transcript")
            with TabPane("Notes (n)", id="tab-notes"), VerticalScroll(id="notes-body"):
                yield Static(Content("Your reflection notes"), classes="section-title")
                yield Paragraphs(self._notes_lines(), id="notes")
                yield Static(Content("Better replies"), classes="section-title")
                yield Static(self._better_replies(), id="better-replies")
        yield Footer()

    async def on_mount(self) -> None:
        self.sub_title = "Debrief"
        self._transcript_loaded = False
        items = list(self.query(ItemView))
        if items:
            items[0].focus()
            self.query_one("#scores").scroll_home(animate=False)
        else:
            self.query_one("#scores").focus()

    async def ensure_transcript(self) -> Transcript:
        """Mount the transcript tab's messages the first time they are needed (keeps the debrief quick to open)."""
        transcript = self.query_one("#debrief-transcript", Transcript)
        if self._transcript_loaded:
            return transcript
        self._transcript_loaded = True
        name = self.data.patient

        def message(t: Turn) -> ChatMessage:
            extra = feedback_extra(self.feedback.get(t.index)) if t.speaker == "trainee" else ""
            return ChatMessage(
                t.speaker,
                "You" if t.speaker == "trainee" else name,
                t.text,
                index=t.index,
                note="\n".join(f"Notice: {n}" for n in t.notices),
                extra=extra,
                id=f"turn-{t.index}",
            )

        await transcript.add_lazy(self.data.turns, message)
        if self.selected_turn is not None:
            self.select_turn(self.selected_turn)
        return transcript

    @on(TabbedContent.TabActivated)
    async def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "tab-transcript":
            await self.ensure_transcript()

    def _summary_line(self) -> str:
        data = self.data
        state = data.final_state
        parts = [f"{data.trainee_turns} trainee turns"]
        if state is not None:
            parts.append(f"final trust {state.trust:.2f}")
        ending = data.info.ending or (state.ended if state is not None else None)
        if data.info.status != "complete":
            parts.append(f"status: {data.info.status}")
        if ending:
            match = next((e for e in data.scenario.endings if e.id == ending), None) if data.scenario else None
            parts.append(f"ended by the patient: {match.title if match else ending}")
            if match is not None:
                return " · ".join(parts) + f"\n{data.patient}'s last words: “{match.line}”"
        elif data.info.status == "complete":
            parts.append("ended by you")
        return " · ".join(parts)

    def _overview_text(self) -> str:
        score = self.data.score
        if score is None:
            return "This session has no scores. The ledger and the transcript are in the other tabs."
        lines = [overview(score), f"ⓘ {score.notice}"]
        if not score.enough:
            lines.append("Not enough to score: the session has too few trainee turns.")
        return "\n".join(lines)

    def _score_widgets(self) -> ComposeResult:
        score = self.data.score
        if score is None:
            return
        critical = [(r, i) for r in score.rubrics for i in r.items if i.status == "critical_miss"]
        if score.critical_misses or critical:
            with Vertical(id="critical-misses"):
                yield Static(Content("‼ Critical misses"), classes="section-title")
                if score.critical_misses:
                    yield Static(Content("\n".join(f"‼ {line}" for line in score.critical_misses)))
                for rubric, item in critical:
                    yield ItemView(item, f"{rubric.rubric_id}.{item.item_id}", self._overrides_of(rubric, item))
        for rubric in score.rubrics:
            with Vertical(classes="rubric"):
                yield Static(Content(f"{rubric.title} (v{rubric.rubric_version})"), classes="section-title")
                if rubric.instrument:
                    yield Static(Content(rubric.instrument), classes="instrument")
                for item in sorted(rubric.items, key=lambda i: STATUS_ORDER.get(i.status, 9)):
                    if item.status != "critical_miss":  # already listed at the top
                        yield ItemView(item, f"{rubric.rubric_id}.{item.item_id}", self._overrides_of(rubric, item))
        if self.data.judgements:
            with Vertical(id="debrief-judge", classes="rubric"):
                yield Static(Content("Second opinion: LLM judge of the MITI globals"), classes="section-title")
                yield Static(Content(judge_text(self.data.judgements[-1], score)))
        for title, lines, mark_, key in (
            ("Strengths", score.strengths, "✔", "strengths"),
            ("To work on", score.misses, "✘", "misses"),
        ):
            if lines:
                with Vertical(id=f"debrief-{key}", classes="summary-list"):
                    yield Static(Content(title), classes="section-title")
                    yield Static(Content("\n".join(f"{mark_} {line}" for line in lines)))

    def override_item(self, view: ItemView) -> None:
        """Open the override form for one item; store what the educator saves and show it under the score."""
        from .override import OverrideScreen

        if self.store is None:
            self.notify("This debrief is not stored, so an override cannot be kept.", severity="warning")
            return
        rubric_id = view.key.split(".", 1)[0]
        educator = getattr(getattr(self.app, "config", None), "trainee", "") or ""

        def saved(entry) -> None:
            if entry is None:
                return
            self.store.add_override(entry)  # type: ignore[union-attr]
            self.data.overrides = self.store.overrides(self.data.info.id)  # type: ignore[union-attr]
            for item_view in self.query(ItemView):
                if item_view.key == view.key:
                    item_view.show_overrides(
                        [o for o in self.data.overrides if (o.rubric_id, o.item_id) == (rubric_id, view.item.item_id)]
                    )
            self.notify(f"Override stored for {view.item.title}; the automatic score is kept beside it.")

        self.app.push_screen(
            OverrideScreen(self.data.info.id, rubric_id, view.item, educator, check=_score_check(rubric_id, view.item)),
            saved,
        )

    def _overrides_of(self, rubric, item) -> list:
        return [o for o in self.data.overrides if (o.rubric_id, o.item_id) == (rubric.rubric_id, item.item_id)]

    def _notes_lines(self) -> list[Line]:
        if not self.data.notes:
            return [Line("No notes. Ctrl+N writes one now.")]
        return [Line(f"After your turn {n.turn}: {n.text}", bullet="•") for n in self.data.notes]

    def _better_replies(self) -> Content:
        """Each better reply as a short block (heading, then lines from the left edge, so wrapping stays tidy)."""
        blocks: list[list[str | tuple[str, str]]] = []
        for fb in self.feedback.values():
            if fb.better_reply:
                turn = self.data.turn_at(fb.index)
                said = f" “{turn.text}”" if turn is not None else ""
                blocks.append([(f"#{fb.index} You said", "bold"), said, "\n", fb.line, "\n", f"Try: “{fb.better_reply}”"])
        score = self.data.score
        if score is not None:
            for rubric in score.rubrics:
                for item in rubric.items:
                    if item.better_reply:
                        head = f"{item.title} ({status_label(item.status)})"
                        lead = better_reply_lead(item.better_reply_turn)
                        blocks.append([(head, "bold"), "\n", f"{lead}: “{item.better_reply}”"])
        for index, reply in sorted(self.generated.items()):
            blocks.append([(f"#{index} {reply.source}", "bold"), "\n", f"Try: “{reply.text}”"])
        if not blocks:
            return Content("No better replies to suggest for this session.")
        parts: list[str | tuple[str, str]] = []
        for block in blocks:
            parts += [*(["\n\n"] if parts else []), *block]
        return Content.assemble(*parts)

    # -- evidence -------------------------------------------------------------------------------------

    async def jump_to_item(self, item: ItemScore) -> None:
        if not item.evidence_turns:
            self.notify("This item has no evidence turns: it is about what did not happen.", timeout=4)
            return
        await self.jump_to(item.evidence_turns)

    async def jump_to(self, indexes: list[int]) -> None:
        """Open the transcript at the first of ``indexes`` and mark all of them as evidence."""
        tabs = self.query_one("#debrief-tabs", TabbedContent)
        tabs.active = "tab-transcript"
        transcript = await self.ensure_transcript()
        target = await transcript.reveal(min(indexes))
        wanted = set(indexes)
        for message in transcript.messages:
            message.set_class(message.index in wanted, "-evidence")
        mine = sorted(i for i in wanted if i in self.feedback)
        if mine:
            self.select_turn(mine[0])
        if target is None:
            return
        transcript.focus()

        def scroll() -> None:
            transcript.scroll_to_widget(target, top=True, animate=False)

        self.call_after_refresh(scroll)

    @property
    def evidence_marked(self) -> list[int]:
        return [m.index for m in self.query_one("#debrief-transcript", Transcript).messages if m.has_class("-evidence")]

    # -- actions --------------------------------------------------------------------------------------

    def action_tab(self, tab: str) -> None:
        """Show a tab and focus its main widget, so the arrow and page keys work there at once."""
        tabs = self.query_one("#debrief-tabs", TabbedContent)
        if tab != tabs.active:
            if isinstance(self.focused, ItemView):
                self._last_item = self.focused
            # A focused widget hidden with its tab hands focus to a sibling in that tab, which would switch the
            # tab back; nothing is focused until the new tab is shown.
            self.set_focus(None)
        tabs.active = tab
        self.call_after_refresh(self._focus_tab, tab)

    def _focus_tab(self, tab: str) -> None:
        if self.query_one("#debrief-tabs", TabbedContent).active != tab:
            return  # another tab was chosen meanwhile
        target: Widget
        if tab == "tab-scores":
            items = list(self.query(ItemView))
            last = self._last_item
            target = last if last is not None and last in items else (items[0] if items else self.query_one("#scores"))
        else:
            target = self.query_one(
                {"tab-ledger": "#ledger", "tab-transcript": "#debrief-transcript", "tab-notes": "#notes-body"}[tab]
            )
        target.focus()

    def action_back(self) -> None:
        if self.back == "pop":
            self.app.pop_screen()
        else:
            self.app.back_to_library()  # type: ignore[attr-defined]

    def export_path(self, kind: str) -> Path:
        from simulator.paths import locations

        info = self.data.info
        stamp = info.started_at.strftime("%Y%m%d-%H%M")
        return locations().exports / f"{stamp}-{info.scenario_id}-{info.id[:8].lower()}.{kind}"

    def action_export(self, kind: str) -> Path | None:
        """Save the debrief as Markdown (``md``) or the session as JSON (``json``) in the exports folder."""
        path = self.export_path(kind)
        try:
            text = self.data.markdown() if kind == "md" else self.data.json()
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            self.notify(
                f"Could not save {path}: {exc.strerror or exc}.\nCheck the folder is writable, or set MHSIM_HOME.",
                severity="error",
                title="Not saved",
            )
            return None
        self.notify(f"Saved to {path}", title="Exported", timeout=8)
        return path

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.data.markdown())
        self.notify(
            "The debrief (Markdown) is on the clipboard. If nothing pastes, your terminal does not allow it: "
            "use x to save a file instead.",
            timeout=6,
        )

    def action_reflect(self) -> None:
        self.app.push_screen(ReflectScreen(self.note_draft, turn=self.data.trainee_turns), self._reflected)

    def _reflected(self, result: tuple[bool, str] | None) -> None:
        saved, text = result if result is not None else (False, self.note_draft)
        if not saved:
            self.note_draft = text
            return
        self.note_draft = ""
        note = Note(turn=self.data.trainee_turns, text=text.strip())
        if self.store is not None:
            try:
                self.store.add_note(self.data.info.id, note.turn, note.text)
            except Exception as exc:  # noqa: BLE001 - the session may not be stored (no store, preview)
                self.notify(f"The note is shown here but was not stored: {exc}", severity="warning")
        self.data.notes.append(note)
        self.call_later(self.query_one("#notes", Paragraphs).set_lines, self._notes_lines())
        self.action_tab("tab-notes")
        self.notify("Note saved.", timeout=3)

    # -- generated better replies ---------------------------------------------------------------------

    async def choose_turn(self, step: int) -> None:
        """Select the next (``step`` 1) or previous (-1) of the trainee's turns for `g`, and show it."""
        mine = sorted(self.feedback)
        transcript = await self.ensure_transcript()
        if not mine:
            transcript.scroll_relative(y=step * 3, animate=False)
            return
        current = self.selected_turn
        if current is None:
            target = mine[0] if step > 0 else mine[-1]
        else:
            beyond = [i for i in mine if (i > current if step > 0 else i < current)]
            if not beyond:  # past the first or last of them: scroll on, so the patient's last reply can be read
                transcript.scroll_relative(y=step * 3, animate=False)
                return
            target = beyond[0] if step > 0 else beyond[-1]
        message = await transcript.reveal(target)
        self.select_turn(target)
        if message is not None:
            transcript.scroll_to_widget(message, animate=False)

    def on_click(self, event: events.Click) -> None:
        """Clicking one of the trainee's messages in the transcript selects it for `g`."""
        widget = event.widget
        while widget is not None and not isinstance(widget, ChatMessage):
            widget = widget.parent  # type: ignore[assignment]
        if isinstance(widget, ChatMessage) and widget.index in self.feedback:
            self.select_turn(widget.index)

    def select_turn(self, index: int) -> None:
        """Make the trainee turn with transcript number ``index`` the one `g` works on (marked in the transcript)."""
        self.selected_turn = index
        for message in self.query(ChatMessage):
            chosen = message.index == index
            message.set_class(chosen, "-selected")
            if message.speaker == "trainee":
                message.set_mark("▶ chosen: g for a better reply" if chosen else "")

    def action_better_reply(self) -> None:
        """Generate a better reply for the selected turn in a worker; the exemplar stays on any failure."""
        index = self.selected_turn
        if index is None or index not in self.feedback:
            self.notify(
                "Choose one of your turns first: open the Transcript (t), then press ↑/↓ or click a turn.", timeout=5
            )
            return
        from simulator.llm.coach import coach_settings, ready

        config = getattr(self.app, "config", None)
        settings = coach_settings(config) if config is not None else None
        ok, why = ready(settings)
        if not ok and settings is not None and settings.model:
            self._ask_consent(index, settings)
            return
        if not ok:
            exemplar = self.feedback[index].better_reply
            self.notify(why + (f"\nTry: “{exemplar}”" if exemplar else ""), title=f"Better reply for #{index}", timeout=8)
            return
        assert settings is not None
        self.notify(f"Asking {settings.model} for a better reply to your turn #{index}…", timeout=4)
        self.run_worker(self._generate(index, settings), group="better-reply", exclusive=True, exit_on_error=False)

    def _ask_consent(self, index: int, settings) -> None:
        """Say what would be sent and to whom; generate only after the trainee agrees (remembered per model)."""
        from simulator.llm.coach import disclosure_text
        from simulator.llm.consent import recipient, record_consent

        from .confirm import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if not yes:
                exemplar = self.feedback[index].better_reply
                self.notify("Nothing was sent." + (f"\nTry: “{exemplar}”" if exemplar else ""), timeout=8)
                return
            record_consent(recipient(settings.model, settings.api_base))
            self.action_better_reply()

        text = disclosure_text(settings.model, settings.api_base)
        self.app.push_screen(ConfirmScreen(text, yes="Agree and generate", no="Not now", wide=True, safe=True), answered)

    async def _generate(self, index: int, settings) -> BetterReply | None:
        from simulator.feedback import for_turn
        from simulator.llm.coach import better_reply

        turns = self.data.turns
        position = next((i for i, t in enumerate(turns) if t.index == index), None)
        if self.data.scenario is None or position is None:
            self.notify("The scenario is no longer installed, so no reply can be generated.", severity="warning")
            return None
        try:
            turn = turns[position]
            disclosed = [d.fact_id for d in self.data.ledger if d.turn < turn.trainee_turn]
            feedback = for_turn(
                self.data.scenario, turns[: position + 1], position, rubrics=scenario_rubrics(), disclosed=disclosed
            )
        except Exception as exc:  # noqa: BLE001 - the debrief keeps working with the exemplar
            self.notify(f"No feedback could be built for #{index}: {exc}", severity="warning")
            return None
        result = await better_reply(
            settings, turns, position, feedback, scenario=self.data.scenario, client=self.coach_client
        )
        if not result.generated:
            keep = f"\nTry: “{result.text}”" if result.text else ""
            self.notify(f"{result.problem}{keep}", title="Not generated", severity="warning", timeout=10)
            return result
        self.generated[index] = result
        message = next((m for m in self.query(ChatMessage) if m.index == index), None)
        if message is not None:
            message.set_extra(f"{feedback_extra(self.feedback.get(index))}\n{result.source.capitalize()}: “{result.text}”")
        self.query_one("#better-replies", Static).update(self._better_replies())
        self.notify(f"“{result.text}”", title=f"Better reply for #{index}, {result.source}", timeout=12)
        return result


def _score_check(rubric_id: str, item: ItemScore):
    """What the override dialog asks of a typed value: on the item's scale, or a possible value of it."""
    from simulator.overrides import score_problem

    rubric = scenario_rubrics().get(rubric_id)
    try:
        rubric_item = rubric.item(item.item_id) if rubric is not None else None
    except KeyError:
        rubric_item = None
    if rubric is None or rubric_item is None:
        return None
    return lambda value: score_problem(rubric, rubric_item, value)
