"""The live coach panel: the codes of each trainee turn, a feedback line and a better reply when one fits.

Newest first, so the last turn's note is always in view in a narrow panel. Marks are symbols with words
(✔ good, ~ could be better, ✘ missed): colour only reinforces them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

if TYPE_CHECKING:
    from ..coach import TurnFeedback

MARK_WORDS = {"✔": "✔ good", "~": "~ could be better", "✘": "✘ missed"}


def feedback_content(fb: TurnFeedback) -> Content:
    """One coach entry: turn, mark, codes, the line and a better reply."""
    parts: list[str | tuple[str, str]] = [
        (f"Turn {fb.turn} · #{fb.index} · {MARK_WORDS.get(fb.mark, fb.mark)}", "bold"),
        "\n",
        (fb.codes, "italic"),
        "\n",
        fb.line,
    ]
    if fb.better_reply:
        parts += ["\n", ("Try: ", "bold"), f"“{fb.better_reply}”"]
    return Content.assemble(*parts)


class CoachEntry(Static):
    """One trainee turn's feedback."""

    def __init__(self, fb: TurnFeedback) -> None:
        mark = {"✔": "good", "~": "better", "✘": "missed"}.get(fb.mark, "other")
        super().__init__(feedback_content(fb), classes=f"coach-entry -{mark}")
        self.feedback = fb


class CoachPanel(VerticalScroll):
    """The coach: feedback on each of your turns, newest first."""

    HELP: ClassVar[str] = (
        "The coach codes each of your turns (open question, reflection, advice without permission, ...) and "
        "says in one line what it did. When a turn missed something it suggests a better reply, taken from the "
        "scenario's rubrics. **Ctrl+T** shows or hides it. In assessment mode the coach stays hidden until "
        "the debrief."
    )
    SHOWN: ClassVar[int] = 15
    can_focus = True
    _older = 0

    def compose(self) -> ComposeResult:
        yield Static(Content("Coach"), classes="panel-title")
        yield Static(
            Content("Feedback on each of your turns appears here, newest first."),
            id="coach-empty",
            classes="hint",
        )

    async def add_feedback(self, fb: TurnFeedback) -> None:
        """Show a turn's feedback at the top (replacing an older entry for the same turn)."""
        for entry in self.query(CoachEntry):
            if entry.feedback.index == fb.index:
                await entry.remove()
        if not self._older:
            self.query_one("#coach-empty").display = False
        entries = list(self.query(CoachEntry))
        entry = CoachEntry(fb)
        if entries:
            await self.mount(entry, before=entries[0])
        else:
            await self.mount(entry)
        self.scroll_home(animate=False)

    async def set_feedback(self, items: list[TurnFeedback]) -> None:
        """Show the feedback of a resumed session: the newest ``SHOWN`` notes (the debrief has them all)."""
        await self.query(CoachEntry).remove()
        if items:
            empty = self.query_one("#coach-empty", Static)
            older = len(items) - self.SHOWN
            self._older = max(0, older)
            empty.display = older > 0
            empty.update(Content(f"{older} earlier notes are in the debrief.") if older > 0 else "")
            await self.mount_all([CoachEntry(fb) for fb in reversed(items[-self.SHOWN :])], before=empty)

    @property
    def entries(self) -> list[TurnFeedback]:
        return [e.feedback for e in self.query(CoachEntry)]
