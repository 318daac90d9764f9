"""The encounter transcript: one ChatMessage per utterance in a scrolling, bottom-anchored container.

Patient lines come from shared scenario files, so they are shown as plain text (never parsed as markup). A
message is one widget (header, text and notes rendered together), so a 500-turn transcript mounts quickly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import ClassVar, TypeVar

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

T = TypeVar("T")


class ChatMessage(Static):
    """One utterance: a header (who, transcript number), the text (which may grow while streaming), notes."""

    def __init__(
        self,
        speaker: str,
        who: str,
        text: str = "",
        *,
        index: int | None = None,
        note: str = "",
        extra: str = "",
        id: str | None = None,
    ) -> None:
        self.speaker = speaker
        self.who = who
        self.index = index
        self._text = text
        self._note = note
        self._extra = extra
        self._mark = ""
        super().__init__(self._content(), id=id, classes=f"chat-message -{speaker}")

    def _content(self) -> Content:
        header = self.who if self.index is None else f"{self.who} · #{self.index}"
        parts: list[str | tuple[str, str]] = [(header, "bold")]
        if self._mark:
            parts += [" · ", (self._mark, "reverse")]
        parts += ["\n", self._text]
        if self._note:
            parts += ["\n", (self._note, "italic")]
        if self._extra:
            parts += ["\n", (self._extra, "dim")]
        return Content.assemble(*parts)

    @property
    def text(self) -> str:
        return self._text

    @property
    def note(self) -> str:
        return self._note

    @property
    def extra(self) -> str:
        return self._extra

    def set_text(self, text: str) -> None:
        """Replace the body (used for each streamed chunk)."""
        self._text = text
        self.update(self._content())

    def set_index(self, index: int) -> None:
        """Number the message once its turn is committed."""
        self.index = index
        self.update(self._content())

    def set_note(self, note: str) -> None:
        """A line under the message: notices about the turn, or that the reply failed."""
        self._note = note
        self.update(self._content())

    def set_mark(self, mark: str) -> None:
        """A word or two after the header (the debrief marks the turn its g works on); empty removes it."""
        if mark != self._mark:
            self._mark = mark
            self.update(self._content())

    def set_extra(self, extra: str) -> None:
        """Dim lines under the message (the debrief's codes and feedback for a trainee turn)."""
        self._extra = extra
        self.update(self._content())


class Transcript(VerticalScroll):
    """The messages of an encounter, kept scrolled to the newest until the trainee scrolls up.

    A long transcript mounts only its newest ``WINDOW`` messages; older ones are mounted a window at a time when
    the trainee scrolls to the top (or when the debrief jumps to one), so a 500-turn session opens at once.
    """

    HELP: ClassVar[str] = (
        "The conversation so far. Numbers (#3) are the transcript numbers the debrief's evidence refers to. "
        "Scroll with the arrow keys, Page Up/Down, Home and End; new replies keep it at the bottom unless you "
        "scrolled up. In a long session, scrolling to the top shows earlier messages."
    )
    WINDOW: ClassVar[int] = 40
    can_focus = True

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._earlier: list[Callable[[], ChatMessage]] = []
        self._loading = False

    def on_mount(self) -> None:
        self.anchor()

    async def add(self, message: ChatMessage) -> ChatMessage:
        """Append a message and keep the view at the bottom."""
        await self.mount(message)
        self.anchor()
        return message

    async def add_all(self, messages: Iterable[ChatMessage]) -> None:
        """Append many messages in one mount (resuming, the debrief); only the newest window is mounted now."""
        await self.add_lazy(list(messages), lambda message: message)

    async def add_lazy(self, items: Sequence[T], make: Callable[[T], ChatMessage]) -> None:
        """Append one message per item; only the newest window is built and mounted now, the rest on demand."""
        if len(items) > self.WINDOW:
            self._earlier.extend(partial(make, item) for item in items[: -self.WINDOW])
            items = items[-self.WINDOW :]
        if self._earlier and not self.query(".earlier"):
            await self.mount(Static(self._earlier_text(), classes="earlier"), before=0 if self.children else None)
        if items:
            await self.mount_all([make(item) for item in items])
        self.anchor()

    def _earlier_text(self) -> Content:
        return Content(f"▲ {len(self._earlier)} earlier messages: scroll up or press Home to show them")

    async def show_earlier(self, count: int | None = None) -> None:
        """Mount the next ``count`` older messages above the ones shown, keeping the view where it was."""
        if not self._earlier or self._loading:
            return
        self._loading = True
        try:
            count = count or self.WINDOW
            makers, self._earlier = self._earlier[-count:], self._earlier[:-count]
            batch = [make() for make in makers]
            shown = self.messages
            first = shown[0] if shown else None
            await self.mount_all(batch, before=first) if first is not None else await self.mount_all(batch)
            marker = self.query(".earlier")
            if self._earlier:
                marker.first().update(self._earlier_text())
            else:
                await marker.remove()
            if first is not None:
                self.scroll_to_widget(first, top=True, animate=False)
        finally:
            self._loading = False

    async def reveal(self, index: int) -> ChatMessage | None:
        """Make sure the message with transcript number ``index`` is mounted, and return it."""
        while True:
            found = next((m for m in self.messages if m.index == index), None)
            if found is not None or not self._earlier:
                return found
            await self.show_earlier()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if new_value <= 0 and old_value > 0 and self._earlier and not self._loading:
            self.call_later(self.show_earlier)

    async def action_scroll_home(self) -> None:
        """Home: the very first message, mounting the earlier ones first."""
        while self._earlier:
            await self.show_earlier()
        self.scroll_home(animate=False)

    @property
    def hidden_count(self) -> int:
        """Older messages not mounted yet."""
        return len(self._earlier)

    @property
    def messages(self) -> list[ChatMessage]:
        return list(self.query(ChatMessage))
