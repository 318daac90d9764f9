"""Custom messages: every change of state that comes from a worker arrives as one of these.

Workers post them and handlers (``@on``) update the screen, so a worker never touches widgets directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from simulator.config import Config
    from simulator.library import Library


@dataclass
class LibraryProgress(Message):
    """Scenario files read so far while the library loads (a newer one replaces an older one in the queue)."""

    done: int
    total: int

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, LibraryProgress)


@dataclass
class LibraryLoaded(Message):
    """The scenario library was discovered (in a thread worker), with the configuration it was read with."""

    library: Library | None
    error: str = ""
    config: Config | None = None
    config_problems: list[str] = field(default_factory=list)


@dataclass
class PatientReplyStarted(Message, bubble=False):
    """The patient began replying to trainee turn ``turn``."""

    turn: int


@dataclass
class PatientReplyChunk(Message, bubble=False):
    """More of the patient's reply arrived. ``text`` is the whole reply so far, so a newer chunk may replace
    an older one still queued (the screen only ever needs the latest)."""

    turn: int
    text: str

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, PatientReplyChunk) and message.turn == self.turn


@dataclass
class PatientReplyDone(Message, bubble=False):
    """The reply is complete and committed; ``over`` is True when the patient ended the encounter."""

    turn: int
    text: str
    over: bool


@dataclass
class PatientReplyFailed(Message, bubble=False):
    """The engine could not reply; the trainee turn stays committed and the reply can be retried."""

    turn: int
    error: str
    partial: str = ""


@dataclass
class ExportProgress(Message):
    """Sessions written so far by a bulk export."""

    done: int
    total: int

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, ExportProgress)


@dataclass
class ExportFinished(Message):
    """A bulk export ended: files written to ``folder``, and the sessions that could not be exported."""

    folder: str
    written: int
    failed: list[str] = field(default_factory=list)
