"""Pause and reflect: a short note the trainee writes mid-session (or after it), kept with the session.

Closing without saving keeps the draft: the next Ctrl+N brings it back.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static, TextArea

PROMPTS = (
    "What is the patient feeling right now? What do you want to try next, and why?"
)


class ReflectScreen(ModalScreen[tuple[bool, str]]):
    """Dismisses with ``(True, text)`` when saved, ``(False, draft)`` when closed without saving."""

    HELP: ClassVar[str] = (
        "Write what you notice and what you want to try next. **Ctrl+S** saves the note with the session; "
        "**Esc** closes without saving and keeps your draft for next time. The session clock is stopped "
        "while this is open."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save note", id="reflect.save", tooltip="Save the note with the session.", priority=True),
        Binding(
            "escape",
            "close",
            "Close",
            id="reflect.close",
            tooltip="Close without saving; your draft is kept for next time.",
        ),
    ]

    def __init__(self, draft: str = "", *, turn: int = 0) -> None:
        super().__init__()
        self.draft = draft
        self.turn = turn

    def compose(self) -> ComposeResult:
        with Vertical(id="reflect-dialog"):
            yield Static(Content(f"Pause and reflect · after your turn {self.turn}"), id="reflect-title")
            yield Static(Content(PROMPTS), classes="hint")
            yield TextArea(self.draft, id="reflect-text", soft_wrap=True, tab_behavior="focus")
            with Horizontal(id="reflect-buttons"):
                yield Button("Save note", variant="primary", id="reflect-save")
                yield Button("Close", id="reflect-close")

    def on_mount(self) -> None:
        area = self.query_one("#reflect-text", TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    @property
    def text(self) -> str:
        return self.query_one("#reflect-text", TextArea).text

    @on(Button.Pressed, "#reflect-save")
    def action_save(self) -> None:
        if not self.text.strip():
            self.notify("The note is empty. Write something, or Esc to close.", severity="warning")
            return
        self.dismiss((True, self.text))

    @on(Button.Pressed, "#reflect-close")
    def action_close(self) -> None:
        self.dismiss((False, self.text))
