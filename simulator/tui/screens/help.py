"""F1 help: what the focused widget and the current screen are for, and the keys that work there."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static


class HelpScreen(ModalScreen[None]):
    """A modal with the focused widget's help, the screen's blurb and ``(keys, description)`` rows."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,q", "dismiss", "Close help", id="help.close", tooltip="Close this help."),
    ]

    @property
    def keys_text(self) -> str:
        """The key rows as plain text (for tests and screen readers' copy)."""
        return "\n".join(f"{key}  {description}" for key, description in self.keys)

    def __init__(
        self,
        title: str,
        blurb: str,
        keys: Sequence[tuple[str, str]],
        *,
        widget_help: tuple[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.help_title = title
        self.blurb = blurb
        self.keys = list(keys)
        self.widget_help = widget_help

    def compose(self) -> ComposeResult:
        from textual.widgets import Markdown  # deferred: markdown-it costs ~50 ms at start-up

        with Vertical(id="help-dialog"):
            yield Static(Content(self.help_title), id="help-title")
            with VerticalScroll(id="help-body"):
                # The texts are our own (not scenario content), so Markdown is safe here.
                if self.widget_help is not None:
                    name, text = self.widget_help
                    yield Static(Content(f"Here: {name}"), classes="help-section")
                    yield Markdown(text, id="help-focused", classes="help-text")
                    yield Static(Content("This screen"), classes="help-section")
                yield Markdown(self.blurb, id="help-blurb", classes="help-text")
                yield Static(Content("Keys"), classes="help-section")
                with Grid(id="help-keys"):
                    for key, description in self.keys:
                        yield Static(Content(key), classes="help-key")
                        yield Static(Content(description), classes="help-description")
            yield Static(Content("Esc or F1 closes this help."), id="help-hint")

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()  # arrow keys and Page Down scroll a long help

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
