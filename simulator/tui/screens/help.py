"""F1 help: what the current screen is for and the keys that work on it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Markdown, Static


class HelpScreen(ModalScreen[None]):
    """A modal listing a blurb and ``(keys, description)`` rows for the screen it was opened from."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,q", "dismiss", "Close help", id="help.close", tooltip="Close this help."),
    ]

    @property
    def keys_text(self) -> str:
        """The key rows as plain text (for tests and screen readers' copy)."""
        return "\n".join(f"{key}  {description}" for key, description in self.keys)

    def __init__(self, title: str, blurb: str, keys: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        self.help_title = title
        self.blurb = blurb
        self.keys = list(keys)

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog"):
            yield Static(Content(self.help_title), id="help-title")
            with VerticalScroll(id="help-body"):
                # The blurb is our own text (not scenario content), so Markdown is safe here.
                yield Markdown(self.blurb, id="help-blurb")
                with Grid(id="help-keys"):
                    for key, description in self.keys:
                        yield Static(Content(key), classes="help-key")
                        yield Static(Content(description), classes="help-description")
            yield Static(Content("Esc or F1 closes this help."), id="help-hint")

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
