"""A small OpenAI-compatible streaming server on 127.0.0.1, for tests and benchmarks of the LLM path.

It answers ``POST /v1/chat/completions`` with canned Server-Sent Events, the way OpenAI, vLLM, llama.cpp's
server and Ollama's OpenAI endpoint do, so litellm's real HTTP client path runs end to end. What it answers is
decided per request by ``server.respond(body) -> Reply | Fail | Stall``; it can cut a stream mid-reply, fail
with a status code, or stall. It runs its own event loop in a thread, so sync CLI tests and async tests can
both use it, and it records every request body and when each chunk was sent.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Reply:
    """A streamed answer: ``text`` in ``pieces`` (or split into words), ``delay_s`` between chunks."""

    text: str
    pieces: list[str] | None = None
    delay_s: float = 0.0
    first_delay_s: float = 0.0
    model: str = "patient-sim-7b-q4"
    usage: dict[str, int] | None = None
    cut_after: int | None = None
    """Close the connection after this many chunks, without finishing the stream."""

    def chunks(self) -> list[str]:
        if self.pieces is not None:
            return self.pieces
        words = self.text.split(" ")
        return [w + (" " if i < len(words) - 1 else "") for i, w in enumerate(words)]


@dataclass
class Fail:
    status: int
    message: str
    code: str | None = None


@dataclass
class Stall:
    """Accept the request and never answer (for timeouts)."""

    seconds: float = 30.0


Respond = Callable[[dict[str, Any]], "Reply | Fail | Stall"]
_REASONS = {400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 429: "Too Many Requests", 500: "Error"}


@dataclass
class FakeOpenAIServer:
    """Start with :meth:`start`, stop with :meth:`stop`; ``base_url`` ends in /v1."""

    respond: Respond = field(default=lambda body: Reply("Hello."))
    requests: list[dict[str, Any]] = field(default_factory=list)
    chunk_times: list[list[float]] = field(default_factory=list)
    port: int = 0

    def __post_init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.base_events.Server | None = None
        self._ready = threading.Event()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> FakeOpenAIServer:
        self._thread = threading.Thread(target=self._run, name="fake-openai-server", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the fake server did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(5)

    def reset(self, respond: Respond | None = None) -> None:
        self.respond = respond or (lambda body: Reply("Hello."))
        self.requests.clear()
        self.chunk_times.clear()

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            # Stalled handlers are still waiting: cancel them while the loop can still close their sockets.
            pending = asyncio.all_tasks(self._loop)
            for task in pending:
                task.cancel()
            self._loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            self._server.close()
            self._loop.run_until_complete(self._server.wait_closed())
            self._loop.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
            length = 0
            for line in head.split("\r\n"):
                if line.lower().startswith("content-length:"):
                    length = int(line.split(":", 1)[1])
            body = json.loads(await reader.readexactly(length)) if length else {}
            path = head.split(" ", 2)[1]
            if path.endswith("/models"):
                await self._json(
                    writer, 200, {"object": "list", "data": [{"id": "patient", "object": "model"}]}
                )
                return
            self.requests.append(body)
            answer = self.respond(body)
            if isinstance(answer, Fail):
                error = {"error": {"message": answer.message, "type": "error", "code": answer.code}}
                await self._json(writer, answer.status, error)
            elif isinstance(answer, Stall):
                await asyncio.sleep(answer.seconds)
            else:
                await self._stream(writer, answer, body)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def _json(self, writer: asyncio.StreamWriter, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        reason = _REASONS.get(status, "Error")
        writer.write(
            f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {len(data)}\r\n"
            "Connection: close\r\n\r\n".encode()
            + data
        )
        await writer.drain()

    async def _stream(self, writer: asyncio.StreamWriter, reply: Reply, body: dict[str, Any]) -> None:
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
            b"Connection: close\r\n\r\n"
        )
        await writer.drain()
        times: list[float] = []
        self.chunk_times.append(times)
        base = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": int(time.time())}
        if reply.first_delay_s:
            await asyncio.sleep(reply.first_delay_s)
        for i, piece in enumerate(reply.chunks()):
            if reply.cut_after is not None and i >= reply.cut_after:
                return  # the connection closes with no finish_reason and no [DONE]
            if i and reply.delay_s:
                await asyncio.sleep(reply.delay_s)
            delta = {"content": piece} if i else {"role": "assistant", "content": piece}
            chunk = {
                **base,
                "model": reply.model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": None}],
            }
            writer.write(b"data: " + json.dumps(chunk).encode() + b"\n\n")
            await writer.drain()
            times.append(time.perf_counter())
        finish = {
            **base,
            "model": reply.model,
            "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
        }
        writer.write(b"data: " + json.dumps(finish).encode() + b"\n\n")
        if (body.get("stream_options") or {}).get("include_usage"):
            prompt_chars = sum(len(m.get("content") or "") for m in body.get("messages", []))
            usage = reply.usage or {
                "prompt_tokens": max(1, prompt_chars // 4),
                "completion_tokens": max(1, len(reply.text) // 4),
            }
            usage = {**usage, "total_tokens": usage["prompt_tokens"] + usage["completion_tokens"]}
            writer.write(
                b"data: " + json.dumps({**base, "model": reply.model, "choices": [], "usage": usage}).encode()
            )
            writer.write(b"\n\n")
        writer.write(b"data: [DONE]\n\n")
        await writer.drain()


def last_user_text(body: dict[str, Any]) -> str:
    """The trainee's words in a request (after the scene notes)."""
    content = body["messages"][-1]["content"]
    return content.rsplit("[The counsellor says]\n", 1)[-1]
