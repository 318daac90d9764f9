"""Reusable widgets: the chat transcript, the composer and score marks."""

from __future__ import annotations

from .composer import Composer
from .marks import STATUS_MARK, status_label
from .transcript import ChatMessage, Transcript

__all__ = ["STATUS_MARK", "ChatMessage", "Composer", "Transcript", "status_label"]
