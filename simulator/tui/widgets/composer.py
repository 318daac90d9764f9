"""The trainee's multi-line message box.

Enter sends. A newline is Ctrl+J in every terminal (it is the ASCII line feed), and Shift+Enter or
Alt+Enter where the terminal reports them (kitty-protocol terminals do; many others send plain Enter).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import events
from textual.message import Message
from textual.widgets import TextArea

NEWLINE_KEYS = frozenset({"ctrl+j", "shift+enter", "alt+enter", "newline"})


class Composer(TextArea):
    """A TextArea where Enter submits and Ctrl+J / Shift+Enter insert a newline."""

    HELP: ClassVar[str] = (
        "Type what you would say to the patient. **Enter** sends it; **Ctrl+J** starts a new line "
        "(Shift+Enter too, where your terminal reports it). What you type is kept while the patient replies "
        "and if sending fails; it is saved with the session when you quit, and comes back when you resume."
    )

    @dataclass
    class Submitted(Message):
        """The trainee pressed Enter; ``text`` is what they typed (not yet cleared)."""

        composer: Composer
        text: str

        @property
        def control(self) -> Composer:
            return self.composer

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("soft_wrap", True)
        kwargs.setdefault("show_line_numbers", False)
        kwargs.setdefault("tab_behavior", "focus")
        super().__init__(**kwargs)

    async def _on_key(self, event: events.Key) -> None:
        if self.read_only:
            return
        if event.key == "enter":
            # Enter sends instead of inserting a newline: the common chat convention.
            event.stop()
            event.prevent_default()
            self.post_message(self.Submitted(self, self.text))
            return
        if event.key in NEWLINE_KEYS:
            event.stop()
            event.prevent_default()
            start, end = self.selection
            self._replace_via_keyboard("\n", start, end)
            return
        await super()._on_key(event)
