"""A scripted chat client for tests of the LLM judge, the better-reply coach and the judge benchmark.

It stands in for :class:`simulator.llm.adapter.LiteLLMClient`: each call gets the next answer (or raises the next
exception), streamed in pieces, and every call is recorded. Nothing reaches the network.
"""

from __future__ import annotations

import asyncio

import pytest

from simulator.judgements import GLOBALS
from simulator.llm.adapter import CallStats, ChatCall

# Marks for modules that may import litellm: one xdist worker for them, and litellm's own noise silenced.
LITELLM_MARKS = [
    pytest.mark.xdist_group("litellm"),
    pytest.mark.filterwarnings("ignore:.*ReadOnly.*:UserWarning"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning:litellm"),
    pytest.mark.filterwarnings("ignore:Accessing the 'model_:DeprecationWarning"),
]


class FakeStream:
    """One answer, streamed in pieces of ``piece`` characters once ``gate`` (if any) is set."""

    def __init__(self, text: str, *, version: str = "fake-v1", gate: asyncio.Event | None = None, piece: int = 9):
        self.text = text
        self.gate = gate
        self.piece = piece
        self.stats = CallStats(provider_model=version, tokens_in=100, tokens_out=50)

    async def __aiter__(self):
        if self.gate is not None:
            await self.gate.wait()
        for i in range(0, len(self.text), self.piece):
            yield self.text[i : i + self.piece]

    async def aclose(self) -> None:
        pass


class FakeClient:
    """Answers each call with the next text (or raises the next exception); records the calls."""

    def __init__(self, *answers: str | BaseException, version: str = "fake-v1", gate: asyncio.Event | None = None):
        self.answers = list(answers)
        self.calls: list[ChatCall] = []
        self.version = version
        self.gate = gate

    async def open(self, call: ChatCall) -> FakeStream:
        self.calls.append(call)
        nxt = self.answers.pop(0)
        if isinstance(nxt, BaseException):
            raise nxt
        return FakeStream(nxt, version=self.version, gate=self.gate)


def judge_answer(ratings=(4, 2, 3, 5), evidence=([5], [3], [1], [])) -> dict:
    """A judge model's answer for the four MITI globals, in the shape the judge asks for."""
    return {
        g: {"rating": r, "rationale": f"Because of what the counsellor did ({g}).", "evidence": list(e)}
        for g, r, e in zip(GLOBALS, ratings, evidence)
    }
