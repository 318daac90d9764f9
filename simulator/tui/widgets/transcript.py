"""The encounter transcript: one ChatMessage per utterance in a scrolling, bottom-anchored container.

Patient lines come from shared scenario files, so they are shown as plain text (never parsed as markup).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Static


class ChatMessage(Vertical):
    """One utterance: a header (who, transcript number) and the text, which may grow while streaming."""

    def __init__(
        self,
        speaker: str,
        who: str,
        text: str = "",
        *,
        index: int | None = None,
        note: str = "",
        id: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=f"chat-message -{speaker}")
        self.speaker = speaker
        self.who = who
        self.index = index
        self._text = text
        self._note = note

    def compose(self) -> ComposeResult:
        yield Static(Content(self._header_text()), classes="chat-header")
        yield Static(Content(self._text), classes="chat-body")
        yield Static(Content(self._note), classes="chat-note")

    def on_mount(self) -> None:
        self.query_one(".chat-note", Static).display = bool(self._note)

    def _header_text(self) -> str:
        # The transcript number matches the evidence numbers in the debrief.
        return self.who if self.index is None else f"{self.who} · #{self.index}"

    @property
    def text(self) -> str:
        return self._text

    @property
    def note(self) -> str:
        return self._note

    def set_text(self, text: str) -> None:
        """Replace the body (used for each streamed chunk)."""
        self._text = text
        if self.is_mounted:
            self.query_one(".chat-body", Static).update(Content(text))

    def set_index(self, index: int) -> None:
        """Number the message once its turn is committed."""
        self.index = index
        if self.is_mounted:
            self.query_one(".chat-header", Static).update(Content(self._header_text()))

    def set_note(self, note: str) -> None:
        """A line under the message: notices about the turn, or that the reply failed."""
        self._note = note
        if self.is_mounted:
            widget = self.query_one(".chat-note", Static)
            widget.update(Content(note))
            widget.display = bool(note)


class Transcript(VerticalScroll):
    """The messages of an encounter, kept scrolled to the newest until the trainee scrolls up."""

    can_focus = True

    def on_mount(self) -> None:
        self.anchor()

    async def add(self, message: ChatMessage) -> ChatMessage:
        """Append a message and keep the view at the bottom."""
        await self.mount(message)
        self.anchor()
        return message

    @property
    def messages(self) -> list[ChatMessage]:
        return list(self.query(ChatMessage))
