"""The LLM patient engine: streams a checked, in-character reply through litellm.

The reply is shown sentence by sentence: each sentence is released as soon as it is complete and the reply so
far passes every check (:mod:`simulator.llm.checks`), so nothing unchecked reaches the screen and the trainee
still sees the patient speak while the model is writing. When a draft fails before anything was shown, it is
regenerated once with the reason; when that fails too, the scripted engine's line is shown with a visible
``[scripted]`` marker. A failure after some sentences were shown ends the reply at the last good sentence.

Transport failures (timeouts, rate limits, bad keys, refused connections, a stream cut mid-reply) become
:class:`~simulator.engine.EngineError` with plain words; the session keeps the trainee's turn and the reply
pending, so the trainee can retry or continue with the scripted patient. Nothing is retried silently.
"""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from simulator.config import ModelConfig
from simulator.engine import EngineError, ReplyRequest
from simulator.privacy import redact, scenario_names
from simulator.records import ReplyCheck, ReplyUsage

from .adapter import ChatCall, ChatClient, Usage
from .checks import CheckResult, ReplyChecker
from .consent import MissingKey, Recipient, api_key, has_consent, recipient
from .errors import CallTarget, explain
from .prompt import SCRIPTED_MARKER, build_prompt, first_name

FIRST_RELEASE_CHARS = 40  # the first text shown is at least this long (or the whole reply)
_ABBREVIATIONS = ("mr.", "mrs.", "ms.", "dr.", "st.", "e.g.", "i.e.", "etc.", "vs.", "prof.")
_BOUNDARY = re.compile(r"(?:[.!?…]+[\"”’')\]]*)(?=\s)|\n")


def release_point(buffer: str, *, at_end: bool = False) -> int:
    """Where the last complete sentence in ``buffer`` ends (0 when there is none yet).

    A sentence ends at . ! ? … (and closing quotes) followed by a space or a line break. Punctuation at the
    very end of the buffer counts too when it follows a letter and does not end an abbreviation, so a sentence
    is released without waiting for the next token.
    """
    if at_end:
        return len(buffer)
    cut = 0
    for hit in _BOUNDARY.finditer(buffer):
        cut = hit.end()
    stripped = buffer.rstrip()
    if stripped and stripped == buffer and re.search(r"[A-Za-z'’)][.!?…]+[\"”’']?$", buffer):
        tail = buffer.rsplit(None, 1)[-1].lower()
        if tail not in _ABBREVIATIONS:
            cut = len(buffer)
    return cut


@dataclass
class _Gate:
    """Holds back text until a sentence is complete and the reply so far passes every check."""

    checker: ReplyChecker
    speaker: str
    buffer: str = ""
    shown: str = ""
    results: list[CheckResult] = field(default_factory=list)
    failed: list[CheckResult] = field(default_factory=list)

    def feed(self, piece: str) -> None:
        self.buffer += piece
        if not self.shown:
            # Models sometimes start with a name label or an opening quote; the trainee should see words.
            self.buffer = re.sub(
                rf"^\s*(?:\*\*)?(?:{re.escape(self.speaker)}[^:\n]{{0,20}}:)(?:\*\*)?\s*", "", self.buffer
            ).lstrip()

    def release(self, *, at_end: bool = False) -> str:
        """The next text that may be shown ('' if none yet); sets ``failed`` when a check fails."""
        cut = release_point(self.buffer, at_end=at_end)
        if not self.shown and not at_end and cut < FIRST_RELEASE_CHARS:
            # A short lead-in ("Of course.") is held until more is known: shown alone, it could be all that
            # remains of a reply whose next sentence fails (agreeing to an injected instruction, say).
            cut = 0
        if cut == 0:
            if len(self.shown) + len(self.buffer) > self.checker.cap:
                self._check(self.shown + self.buffer)  # the length check fails; the rest is not read
            return ""
        candidate = self.shown + self.buffer[:cut]
        if at_end:
            candidate = candidate.rstrip()
        if not self._check(candidate):
            return ""
        piece = candidate[len(self.shown) :]
        self.shown = candidate
        self.buffer = self.buffer[cut:]
        return piece

    def _check(self, text: str) -> bool:
        self.results = self.checker.run(text)
        self.failed = [r for r in self.results if not r.passed]
        return not self.failed


@dataclass
class _Tally(Usage):
    """Usage over the attempts of one reply, with its latency and the checks it went through."""

    latency_ms: float | None = None
    checks: list[ReplyCheck] = field(default_factory=list)


class LLMEngine:
    """A patient voiced by a language model through litellm (or any :class:`ChatClient`)."""

    def __init__(
        self,
        settings: ModelConfig,
        *,
        client: ChatClient | None = None,
        require_consent: bool = True,
        extra: dict[str, Any] | None = None,
    ):
        if not settings.model:
            raise ValueError("the LLM engine needs a model name")
        self.settings = settings
        self.model: str = settings.model
        self.name = f"litellm:{self.model}"
        self.recipient: Recipient = recipient(self.model, settings.api_base)
        self.require_consent = require_consent
        self.extra = dict(extra or {})
        self.reported_model: str | None = None
        self._client = client
        self._record: dict[str, Any] | None = None

    # -- what the session and the UI read ---------------------------------------------------------------

    def describe(self) -> str:
        """``openai/gpt-4o-mini · OpenAI (its own service) · remote`` for briefings and headers."""
        where = "local" if self.recipient.local else "remote"
        version = f" (reports {self.reported_model})" if self.reported_model else ""
        return f"{self.model}{version} · {self.recipient.label} · {where}"

    def take_reply_record(self) -> dict[str, Any]:
        """Turn fields for the reply just voiced (model, usage, checks); cleared once taken."""
        record, self._record = self._record or {}, None
        return record

    # -- the call -----------------------------------------------------------------------------------------

    @property
    def client(self) -> ChatClient:
        if self._client is None:
            from .adapter import LiteLLMClient

            self._client = LiteLLMClient()
        return self._client

    def _target(self) -> CallTarget:
        s = self.settings
        where = s.api_base or self.recipient.endpoint  # e.g. Ollama's default address when none is configured
        return CallTarget(model=self.model, api_base=where, key_env=s.api_key_env, timeout_s=s.timeout_s)

    def _api_key(self) -> str | None:
        try:
            return api_key(self.settings, self.recipient)
        except MissingKey as exc:
            raise EngineError(str(exc), "auth") from None

    def _call(self, request: ReplyRequest, reject_reason: str | None) -> ChatCall:
        prompt = build_prompt(request, reject_reason=reject_reason)
        names = scenario_names(request.scenario)
        # The trainee's text was redacted when it was typed; this catches anything older (a resumed session).
        messages = [{**m, "content": redact(m["content"], names)[0]} for m in prompt.messages]
        cap = request.scenario.max_reply_chars
        return ChatCall(
            model=self.model,
            messages=messages,
            api_base=self.settings.api_base,
            api_key=self._api_key(),
            timeout_s=self.settings.timeout_s,
            temperature=self.settings.temperature,
            max_tokens=self.settings.max_tokens or max(48, cap // 3),
            extra=self.extra,
        )

    async def stream(self, request: ReplyRequest) -> AsyncIterator[str]:
        """Yield the checked reply sentence by sentence (see the module docs for what happens on failure)."""
        self._record = None
        if self.require_consent and not has_consent(self.recipient):
            raise EngineError(
                f"Nothing was sent: sending this session to {self.recipient.label} needs your consent first "
                "(you are asked when a session starts; `mhsim config consent grant` also asks).",
                "auth",
            )
        started = time.perf_counter()
        checker = ReplyChecker(request)
        tally = _Tally()
        reject_reason: str | None = None
        outcome = "scripted"
        for attempt in (1, 2):
            gate = _Gate(checker, first_name(request.scenario))
            async for piece in self._attempt(request, reject_reason, gate, tally):
                if tally.latency_ms is None:
                    tally.latency_ms = round((time.perf_counter() - started) * 1000, 3)
                yield piece
            tally.checks += [
                ReplyCheck(attempt=attempt, check=r.check, passed=r.passed, detail=r.detail)
                for r in gate.results
            ]
            if not gate.failed:
                outcome = "passed" if attempt == 1 else "regenerated"
                break
            if gate.shown:
                outcome = "trimmed"
                break
            reject_reason = checker.reason(gate.failed)
        if outcome == "scripted":
            if tally.latency_ms is None:
                tally.latency_ms = round((time.perf_counter() - started) * 1000, 3)
            yield SCRIPTED_MARKER + request.plan.text
        self._finish(tally, outcome)

    async def _attempt(
        self, request: ReplyRequest, reject_reason: str | None, gate: _Gate, tally: _Tally
    ) -> AsyncIterator[str]:
        """One model call, released through the gate; stops reading as soon as a check fails."""
        call = self._call(request, reject_reason)
        tally.attempts += 1
        try:
            stream = await self.client.open(call)
        except EngineError:
            raise
        except Exception as exc:
            raise explain(exc, self._target()) from exc
        finished = False
        try:
            async for piece in stream:
                gate.feed(piece)
                ready = gate.release()
                if ready:
                    yield ready
                if gate.failed:
                    break
            else:
                finished = True
            if finished:
                ready = gate.release(at_end=True)
                if ready:
                    yield ready
                elif not gate.shown and not gate.failed:
                    gate._check("")  # nothing came back: the length check reports an empty reply
        except EngineError:
            raise
        except Exception as exc:
            raise explain(exc, self._target(), partial=gate.shown) from exc
        finally:
            if not finished:
                await stream.aclose()
            tally.add(stream.stats)
            if stream.stats.provider_model:
                self.reported_model = stream.stats.provider_model

    def _finish(self, tally: _Tally, outcome: str) -> None:
        cost = tally.cost_usd
        if cost is None and self.recipient.local:
            cost = 0.0  # a server on this computer sends no bill
        self._record = {
            "model": self.model,
            "usage": ReplyUsage(
                provider=self.recipient.key,
                model_version=tally.model_version,
                attempts=tally.attempts,
                outcome=outcome,  # type: ignore[arg-type]
                tokens_in=tally.tokens_in,
                tokens_out=tally.tokens_out,
                cost_usd=cost,
                latency_ms=tally.latency_ms,
            ),
            "checks": tally.checks,
        }


def engine_from_config(settings: ModelConfig) -> LLMEngine:
    """The LLM engine for model settings (``simulator.config.model_for(config, scenario_id)``).

    It refuses to send anything to a remote provider until :func:`simulator.llm.consent.record_consent` was
    called for it; show :func:`simulator.llm.consent.consent_request` first. Raises ImportError, with how to
    install it, when litellm is missing (checked without importing it).
    """
    from .adapter import NOT_INSTALLED, version

    if version() is None:
        raise ImportError(NOT_INSTALLED)
    return LLMEngine(settings)
