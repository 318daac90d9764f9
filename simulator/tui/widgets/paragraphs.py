"""Lines of text that keep their indent when they wrap: one small widget per line, indented with padding, and a
bullet in a column of its own so the wrapped rows line up after it (a single Static would wrap to column 0)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static


@dataclass(frozen=True)
class Line:
    """One line: its text, how far it is indented, a bullet to hang the wrapped rows from, a blank line above."""

    text: Content | str
    indent: int = 0
    bullet: str = ""
    gap: bool = False


class Paragraphs(Vertical):
    """A column of :class:`Line` s (the debrief's ledger and notes)."""

    DEFAULT_CSS: ClassVar[str] = """
    Paragraphs { height: auto; }
    Paragraphs > .line { height: auto; }
    Paragraphs > .-gap { margin-top: 1; }
    Paragraphs .bullet { width: auto; padding-right: 1; text-style: bold; }
    Paragraphs .bullet-text { width: 1fr; }
    """

    def __init__(self, lines: list[Line], **kwargs) -> None:
        super().__init__(**kwargs)
        self._lines = list(lines)

    def compose(self) -> ComposeResult:
        for line in self._lines:
            yield self._widget(line)

    @staticmethod
    def _widget(line: Line) -> Widget:
        text = line.text if isinstance(line.text, Content) else Content(line.text)
        classes = "line -gap" if line.gap else "line"
        if line.bullet:
            widget: Widget = Horizontal(
                Static(Content(line.bullet), classes="bullet"), Static(text, classes="bullet-text"), classes=classes
            )
        else:
            widget = Static(text, classes=classes)
        widget.styles.padding = (0, 0, 0, line.indent)
        return widget

    async def set_lines(self, lines: list[Line]) -> None:
        """Show these lines instead."""
        self._lines = list(lines)
        await self.remove_children()
        await self.mount_all([self._widget(line) for line in self._lines])

    @property
    def text(self) -> str:
        """The plain text, a line per line (a bullet and its text on one line)."""
        out = []
        for line in self._lines:
            text = str(line.text)
            out.append(f"{line.bullet} {text}" if line.bullet else text)
        return "\n".join(out)


__all__ = ["Line", "Paragraphs"]
