"""A yes/no question before something that cannot be undone (ending a session, sending to a remote model)."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ConfirmScreen(ModalScreen[bool]):
    """Dismisses with True (yes) or False (no)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes", tooltip="Confirm."),
        Binding("n,escape", "answer(False)", "No", id="confirm.no", tooltip="Go back without doing it."),
    ]

    def __init__(
        self, question: str, yes: str = "Yes", no: str = "No", *, wide: bool = False, safe: bool = False
    ) -> None:
        """``safe``: focus "no" first (when "yes" loses something), so Enter alone never does the harm."""
        super().__init__(classes="-wide" if wide else "")
        self.question = question
        self.yes_label = yes
        self.no_label = no
        self.safe = safe

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog"):
            with VerticalScroll(id="confirm-body"):
                yield Static(Content(self.question), id="confirm-question")
            with Horizontal(id="confirm-buttons"):
                yield Button(self.yes_label, variant="primary", id="confirm-yes")
                yield Button(self.no_label, id="confirm-no")

    def on_mount(self) -> None:
        self.query_one("#confirm-no" if self.safe else "#confirm-yes", Button).focus()

    @on(Button.Pressed, "#confirm-yes")
    def _yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-no")
    def _no(self) -> None:
        self.dismiss(False)

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
