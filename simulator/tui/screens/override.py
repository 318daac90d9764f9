"""An educator's override of one automatic item score, with a reason: the TUI side of ``mhsim rubrics override``.

The automatic score is kept; the override is stored beside it, shown under it in the debrief and exported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from simulator.overrides import Override

if TYPE_CHECKING:
    from collections.abc import Callable

    from simulator.records import ItemScore

# The outcomes an educator can give, as the debrief names them.
STATUSES: tuple[tuple[str, str], ...] = (
    ("met", "met"),
    ("partly met", "partly"),
    ("missed", "missed"),
    ("critical miss", "critical_miss"),
    ("does not apply", "not_applicable"),
)


class OverrideScreen(ModalScreen[Override | None]):
    """Dismisses with the new :class:`~simulator.overrides.Override`, or None when cancelled."""

    HELP: ClassVar[str] = (
        "Give the outcome and/or the value you would score, and say why: the reason is shown to the trainee under "
        "the automatic score, which is kept. **Ctrl+S** saves, **Esc** cancels. `mhsim rubrics calibrate` "
        "compares overrides with the automatic scores."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save override", id="override.save", tooltip="Store the override.", priority=True),
        Binding("escape", "cancel", "Cancel", id="override.cancel", tooltip="Close without storing anything."),
    ]

    def __init__(
        self,
        session_id: str,
        rubric_id: str,
        item: ItemScore,
        educator: str = "",
        check: Callable[[float], str | None] | None = None,
    ) -> None:
        """``check`` says why a typed value cannot be this item's score (off its scale), or None."""
        super().__init__()
        self.session_id = session_id
        self.rubric_id = rubric_id
        self.item = item
        self.educator = educator
        self.check = check

    def compose(self) -> ComposeResult:
        item = self.item
        shown = f"{item.status}" + (f", value {item.value:g}" if item.value is not None else "")
        with Vertical(id="override-dialog"):
            yield Static(Content(f"Override · {item.title}"), id="override-title")
            yield Static(Content(f"Automatic score: {shown}. It is kept; yours is shown beside it."), classes="hint")
            # The form scrolls inside the dialog, so Save and Cancel stay on screen in a short terminal.
            with VerticalScroll(id="override-form"):
                yield Label("Outcome")
                yield Select(STATUSES, prompt="keep the automatic outcome", id="override-status")
                yield Label("Value (optional: a level, count or rating on the item's scale)")
                yield Input(placeholder="e.g. 4", id="override-score", type="number")
                yield Label("Reason (shown to the trainee)")
                yield Input(placeholder="What the automatic score missed", id="override-reason")
                yield Label("Educator")
                yield Input(self.educator, placeholder="Your name or pseudonym", id="override-educator")
            with Horizontal(id="override-buttons"):
                yield Static(Content("Ctrl+S saves · Esc cancels"), id="override-keys", classes="hint")
                yield Button("Save override", variant="primary", id="override-save")
                yield Button("Cancel", id="override-cancel")

    def on_mount(self) -> None:
        self.query_one("#override-status", Select).focus()

    def _value(self, selector: str) -> str:
        return self.query_one(selector, Input).value.strip()

    @on(Button.Pressed, "#override-save")
    def action_save(self) -> None:
        from pydantic import ValidationError

        status = self.query_one("#override-status", Select).value
        score_text = self._value("#override-score")
        try:
            score = float(score_text) if score_text else None
        except ValueError:
            self.notify(f"'{score_text}' is not a number.", severity="warning")
            return
        problem = self.check(score) if score is not None and self.check is not None else None
        if problem:
            self.notify(problem, title="Not saved", severity="warning", timeout=8)
            return
        try:
            entry = Override(
                session_id=self.session_id,
                rubric_id=self.rubric_id,
                item_id=self.item.item_id,
                status=None if status is Select.BLANK else str(status),
                score=score,
                reason=self._value("#override-reason"),
                educator=self._value("#override-educator"),
            )
        except ValidationError as exc:
            self.notify(_form_problems(exc), title="Not saved", severity="warning", timeout=8)
            return
        self.dismiss(entry)

    @on(Button.Pressed, "#override-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


def _form_problems(exc) -> str:
    """Pydantic's complaints about the form, in the form's words."""
    names = {"reason": "Reason", "educator": "Educator", "status": "Outcome", "score": "Value"}
    lines = []
    for err in exc.errors(include_url=False):
        field = names.get(str(err["loc"][0]) if err["loc"] else "", "The override")
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "string_too_short":
            message = "is required"
        lines.append(f"{field} {message}")
    return "; ".join(lines)


__all__ = ["STATUSES", "OverrideScreen"]
