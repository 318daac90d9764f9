"""Custom messages: every state change in the encounter flows through one of these.

Workers post them and handlers (``@on``) update the screen, so a worker never touches widgets directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from simulator.library import Library


@dataclass
class LibraryLoaded(Message):
    """The scenario library was discovered (in a thread worker)."""

    library: Library | None
    error: str = ""


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
