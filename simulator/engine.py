"""The patient engine interface and the scripted (offline, default) engine.

Every engine streams reply chunks asynchronously, so the scripted engine, an LLM engine and any test double are
interchangeable. Engines never decide what the patient may disclose: they receive a :class:`ReplyRequest` whose
plan was made by :mod:`simulator.patient` from the patient state.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

from .patient import ReplyPlan
from .records import Coding, PatientState, Turn
from .scenario import Scenario

FailureKind = Literal["timeout", "rate_limit", "auth", "not_found", "connection", "refused", "cut", "other"]


class EngineError(Exception):
    """A reply could not be produced. ``str(error)`` is a plain-words message for the trainee."""

    def __init__(self, message: str, kind: FailureKind = "other", *, partial: str = ""):
        super().__init__(message)
        self.kind = kind
        self.partial = partial


@dataclass(frozen=True)
class ReplyRequest:
    """Everything an engine may use to voice the next reply."""

    scenario: Scenario
    state: PatientState
    plan: ReplyPlan
    trainee_text: str
    coding: Coding | None
    history: Sequence[Turn] = field(default_factory=tuple)


@runtime_checkable
class PatientEngine(Protocol):
    """Anything that can voice the patient."""

    name: str

    def stream(self, request: ReplyRequest) -> AsyncIterator[str]:
        """Yield the reply in chunks (a chunk may be a word or a whole sentence)."""
        ...


_CHUNK = re.compile(r"\S+\s*")


class ScriptedEngine:
    """Speaks the authored lines the plan chose. Offline, deterministic, instant.

    ``chunk_delay`` (seconds between words) only paces the stream for people watching; tests keep it at 0.
    """

    name = "scripted"

    def __init__(self, chunk_delay: float = 0.0):
        self.chunk_delay = chunk_delay

    async def stream(self, request: ReplyRequest) -> AsyncIterator[str]:
        for chunk in _CHUNK.findall(request.plan.text):
            if self.chunk_delay:
                await asyncio.sleep(self.chunk_delay)
            yield chunk
