"""Inbox: a timed queue of AI drafts to approve, edit or reject. Reports the catch rate and the automation-bias
rate (unsafe drafts approved unchanged)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Footer, Header, Static, TextArea

from simulator.lab.case import LabCase
from simulator.lab.exercises import InboxDecision, score_inbox

from .common import FrameLabel, LabScreen, app_trainee, context_text


class InboxScreen(LabScreen):
    """One draft at a time: read what came in, then the AI draft; approve, edit or reject before time runs out."""

    DEFAULT_CSS = (
        LabScreen.DEFAULT_CSS
        + """
    InboxScreen #inbox-body { height: 1fr; padding: 0 1; }
    InboxScreen #inbox-incoming { margin: 1 0; padding: 0 1; border: round $border-blurred; }
    InboxScreen #inbox-draft { padding: 0 1; }
    InboxScreen #inbox-edit { height: 10; display: none; }
    InboxScreen #inbox-clock { padding: 0 1; text-style: bold; }
    """
    )
    HELP: ClassVar[str] = (
        "A timed queue of AI-drafted replies and notes. Read what came in first and decide what a good reply "
        "needs, then read the draft. **a** approves it as it is, **e** edits it (Ctrl+S saves the edit), **r** "
        "rejects it. Drafts still waiting when time runs out count as not reviewed."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        *LabScreen.BINDINGS,
        Binding("a", "approve", "Approve", id="lab.inbox.approve", tooltip="Approve the draft as it is."),
        Binding("e", "edit", "Edit", id="lab.inbox.edit", tooltip="Edit the draft; Ctrl+S saves the edit."),
        Binding("r", "reject", "Reject", id="lab.inbox.reject", tooltip="Reject the draft."),
        Binding(
            "ctrl+s",
            "save_edit",
            "Save edit",
            id="lab.inbox.save",
            show=False,
            priority=True,
            tooltip="Save your edit of the draft.",
        ),
    ]

    def __init__(self, case: LabCase) -> None:
        super().__init__(case)
        self.index = 0
        self.decisions: list[InboxDecision] = []
        self._shown_at = 0.0
        self._over = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Content(self.case.title), classes="lab-title")
        yield Static(context_text(self.case), classes="lab-context")
        yield Static(id="inbox-clock")
        with VerticalScroll(id="inbox-body"):
            yield Static(id="inbox-incoming")
            yield FrameLabel()
            yield Static(id="inbox-draft")
            yield TextArea(id="inbox-edit")
        yield Static(Content("a approve · e edit (Ctrl+S saves) · r reject"), classes="lab-hint")
        yield Footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.sub_title = "Inbox"
        self._show()
        self.set_interval(1.0, self._tick)
        self._tick()

    @property
    def remaining(self) -> float:
        limit = float(self.case.time_limit_s or 0)
        return max(0.0, limit - self.elapsed())

    def _tick(self) -> None:
        if self._over:
            return
        left = self.remaining
        done = len(self.decisions)
        self.query_one("#inbox-clock", Static).update(
            Content(
                f"Draft {min(done + 1, len(self.case.drafts))} of {len(self.case.drafts)} · "
                f"{int(left) // 60}:{int(left) % 60:02d} left"
            )
        )
        if left <= 0:
            self.notify("Time is up.", timeout=4)
            self._end()

    def _show(self) -> None:
        draft = self.case.drafts[self.index]
        kind = draft.kind.replace("_", " ")
        self.query_one("#inbox-incoming", Static).update(
            Content.assemble(("What came in: ", "bold"), " ".join(draft.incoming.split()))
        )
        self.query_one("#inbox-draft", Static).update(
            Content.assemble((f"AI draft ({kind}):\n", "bold"), " ".join(draft.draft.split()))
        )
        editor = self.query_one("#inbox-edit", TextArea)
        editor.display = False
        editor.text = ""
        self._shown_at = self.elapsed()
        self.query_one("#inbox-body", VerticalScroll).focus()

    def _decide(self, action: str, edited: str = "") -> None:
        if self._over:
            return
        draft = self.case.drafts[self.index]
        seconds = self.elapsed() - self._shown_at
        self.decisions.append(InboxDecision(draft.id, action, edited, seconds))  # type: ignore[arg-type]
        self.index += 1
        if self.index >= len(self.case.drafts):
            self._end()
        else:
            self._show()
            self._tick()

    @property
    def editing(self) -> bool:
        return bool(self.query_one("#inbox-edit", TextArea).display)

    def action_approve(self) -> None:
        if not self.editing:
            self._decide("approve")

    def action_reject(self) -> None:
        if not self.editing:
            self._decide("reject")

    def action_edit(self) -> None:
        if self.editing or self._over:
            return
        editor = self.query_one("#inbox-edit", TextArea)
        editor.text = " ".join(self.case.drafts[self.index].draft.split())
        editor.display = True
        editor.focus()

    def action_save_edit(self) -> None:
        if self.editing:
            self._decide("edit", self.query_one("#inbox-edit", TextArea).text)

    def _end(self) -> None:
        if self._over:
            return
        self._over = True
        attempt = score_inbox(
            self.case, self.decisions, self.elapsed(), trainee=app_trainee(self.app), started=self.started_at
        )
        self.finish(attempt)


__all__ = ["InboxScreen"]
