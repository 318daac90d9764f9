"""The only module that imports litellm: lazily, quietly, offline-safe.

litellm costs 5-9 s and ~200 MB to import, fetches a price list from the network at import unless told not to,
loads the nearest ``.env`` into the environment in its default mode, prints banners on errors and logs to the
real stderr (which would paint over the TUI). :func:`load_litellm` sets the environment first (bundled price
list, production mode, error-level logs), imports it once, silences the banners and sends its loggers to
``<data dir>/logs/litellm.log``.

Every call streams (``stream=True`` with usage in the last chunk), has a per-call timeout that also bounds the
wait for each chunk, drops parameters a model does not support (``drop_params``) and allows at most one
quick retry inside the provider client; nothing retries forever. :class:`ChatClient` is the seam: the engine
talks to it, tests give the engine a fake one and never pay for the import.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from simulator import paths

# Set before the first import. Forced, not defaulted: a stray shell setting must not make start-up fetch a
# price list or read a .env file full of someone's secrets.
FORCED_ENV = {"LITELLM_LOCAL_MODEL_COST_MAP": "True", "LITELLM_MODE": "PRODUCTION"}
DEFAULT_ENV = {"LITELLM_LOG": "ERROR"}
LOGGERS = ("LiteLLM", "LiteLLM Router", "LiteLLM Proxy")
NOT_INSTALLED = "The language-model engine needs litellm, which is not installed: pip install 'mhsim[llm]'"
MAX_PROVIDER_RETRIES = 1  # one quick retry for a dropped connection or a 429 before the first chunk

_litellm: Any = None


def quiet_environment() -> None:
    """Environment settings that keep litellm offline and quiet; must run before it is imported."""
    os.environ.update(FORCED_ENV)
    for key, value in DEFAULT_ENV.items():
        os.environ.setdefault(key, value)


def log_file() -> str:
    """Where litellm's own log lines go."""
    return str(paths.locations().data_dir / "logs" / "litellm.log")


_routed_to: str | None = None


def _route_logs() -> None:
    """Send litellm's loggers to a file (never to the terminal under the TUI), again if the data dir moved."""
    global _routed_to
    target = log_file()
    if target == _routed_to:
        return
    _routed_to = target
    handler: logging.Handler
    try:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        handler = logging.FileHandler(target, encoding="utf-8", delay=True)
    except OSError:
        handler = logging.NullHandler()  # an unwritable data folder must not stop the patient from talking
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    for name in LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.propagate = False
        logger.setLevel(logging.WARNING)


def load_litellm() -> Any:
    """Import litellm once, with the quiet, offline-safe settings applied."""
    global _litellm
    if _litellm is None:
        quiet_environment()
        import litellm

        litellm.suppress_debug_info = True  # no "Give Feedback / Get Help" banners on errors
        litellm.set_verbose = False
        _litellm = litellm
    _route_logs()
    return _litellm


def is_loaded() -> bool:
    """Whether litellm has been imported in this process."""
    return "litellm" in sys.modules


def version() -> str | None:
    """The installed litellm version, without importing it."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version("litellm")
    except PackageNotFoundError:
        return None


# ------------------------------------------------------------------------------------------------- calls


@dataclass(frozen=True)
class ChatCall:
    """One streamed chat completion."""

    model: str
    messages: list[dict[str, str]]
    api_base: str | None = None
    api_key: str | None = None
    timeout_s: float = 30.0
    temperature: float | None = None
    max_tokens: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    """More litellm arguments (tests pass ``mock_response`` here)."""


@dataclass
class CallStats:
    """What the provider reported about one call (filled in while and after streaming)."""

    provider_model: str | None = None
    tokens_in: int | None = None
    tokens_out: int | None = None
    cost_usd: float | None = None
    first_chunk_ms: float | None = None
    estimated: bool = False
    """True when the token counts were counted here because the provider sent none."""


@dataclass
class Usage:
    """Model calls, tokens, cost and reported version summed over the attempts of one task."""

    attempts: int = 0
    tokens_in: int | None = None
    tokens_out: int | None = None
    cost_usd: float | None = None
    model_version: str | None = None

    def add(self, stats: CallStats) -> None:
        """Add one call's figures (counts stay None until some provider reports them)."""
        if stats.tokens_in is not None:
            self.tokens_in = (self.tokens_in or 0) + stats.tokens_in
            self.tokens_out = (self.tokens_out or 0) + (stats.tokens_out or 0)
        if stats.cost_usd is not None:
            self.cost_usd = (self.cost_usd or 0.0) + stats.cost_usd
        self.model_version = stats.provider_model or self.model_version


class ChatStream(Protocol):
    """An open reply stream: iterate for text pieces; ``stats`` is complete once iteration ends."""

    stats: CallStats

    def __aiter__(self) -> AsyncIterator[str]: ...

    async def aclose(self) -> None:
        """Stop the stream early (the provider stops generating when the connection closes)."""
        ...


class ChatClient(Protocol):
    """Opens reply streams. Raises the provider's exceptions; the engine explains them."""

    async def open(self, call: ChatCall) -> ChatStream: ...


def _call_kwargs(call: ChatCall) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "model": call.model,
        "messages": call.messages,
        "stream": True,
        "stream_options": {"include_usage": True},
        "timeout": call.timeout_s,
        "drop_params": True,
        "max_retries": MAX_PROVIDER_RETRIES,
    }
    for name in ("api_base", "api_key", "temperature", "max_tokens"):
        value = getattr(call, name)
        if value is not None:
            kwargs[name] = value
    kwargs.update(call.extra)
    return kwargs


class LiteLLMStream:
    """A litellm stream read chunk by chunk, each wait bounded by the call's timeout."""

    def __init__(self, response: Any, call: ChatCall, started: float):
        self._response = response
        self._call = call
        self._started = started
        self._text: list[str] = []
        self.stats = CallStats()

    async def __aiter__(self) -> AsyncIterator[str]:
        iterator = self._response.__aiter__()
        while True:
            try:
                chunk = await asyncio.wait_for(iterator.__anext__(), self._call.timeout_s)
            except StopAsyncIteration:
                break
            piece = self._absorb(chunk)
            if piece:
                if self.stats.first_chunk_ms is None:
                    self.stats.first_chunk_ms = (time.perf_counter() - self._started) * 1000
                self._text.append(piece)
                yield piece
        self._finish()

    def _absorb(self, chunk: Any) -> str:
        """Record what a chunk says about the model and usage; return its text."""
        hidden = getattr(chunk, "_hidden_params", None) or {}
        reported = hidden.get("provider_response_model") if isinstance(hidden, dict) else None
        reported = reported or getattr(self._response, "_provider_response_model", None)
        if reported:
            self.stats.provider_model = reported
        elif self.stats.provider_model is None:
            self.stats.provider_model = getattr(chunk, "model", None)
        usage = getattr(chunk, "usage", None)
        if usage is not None and getattr(usage, "prompt_tokens", None) is not None:
            self.stats.tokens_in = usage.prompt_tokens
            self.stats.tokens_out = usage.completion_tokens
            cost = getattr(usage, "cost", None)
            if isinstance(cost, (int, float)):
                self.stats.cost_usd = float(cost)
        choices = getattr(chunk, "choices", None) or []
        if not choices:
            return ""
        delta = getattr(choices[0], "delta", None)
        return (getattr(delta, "content", None) or "") if delta is not None else ""

    def _finish(self) -> None:
        """Count tokens here when the provider sent no usage; price them from the bundled price list."""
        litellm = load_litellm()
        if self.stats.tokens_in is None:
            self.stats.tokens_in, self.stats.tokens_out = count_tokens(
                self._call.model, self._call.messages, "".join(self._text)
            )
            self.stats.estimated = True
        if self.stats.cost_usd is None:
            try:
                prompt_cost, reply_cost = litellm.cost_per_token(
                    model=self._call.model,
                    prompt_tokens=self.stats.tokens_in or 0,
                    completion_tokens=self.stats.tokens_out or 0,
                )
                self.stats.cost_usd = float(prompt_cost + reply_cost)
            except Exception:  # noqa: BLE001 - an unpriced model (litellm may raise anything) has no cost
                self.stats.cost_usd = None

    async def aclose(self) -> None:
        """Close the connection; what was received so far is still counted."""
        closer = getattr(self._response, "aclose", None)
        try:
            if closer is not None:
                await closer()
        except Exception:  # noqa: BLE001, S110 - closing is best effort: the reply is already decided
            pass
        if self.stats.tokens_in is None:
            self._finish()


class LiteLLMClient:
    """The real client: litellm's ``acompletion(stream=True)``."""

    async def open(self, call: ChatCall) -> ChatStream:
        try:
            litellm = load_litellm()
        except ImportError as exc:
            from simulator.engine import EngineError

            raise EngineError(NOT_INSTALLED, "other") from exc
        started = time.perf_counter()
        response = await asyncio.wait_for(litellm.acompletion(**_call_kwargs(call)), call.timeout_s)
        return LiteLLMStream(response, call, started)


# ----------------------------------------------------------------------------------------- offline help


def count_tokens(model: str, messages: list[dict[str, str]], reply: str = "") -> tuple[int, int]:
    """Prompt and reply tokens as litellm counts them (bundled tokenizers; no network)."""
    litellm = load_litellm()
    try:
        prompt = int(litellm.token_counter(model=model, messages=messages))
        completion = int(litellm.token_counter(model=model, text=reply)) if reply else 0
    except Exception:  # noqa: BLE001 - a failing tokenizer must not fail the reply: ~4 chars a token
        prompt = sum(len(m.get("content", "")) for m in messages) // 4
        completion = len(reply) // 4
    return prompt, completion


def missing_keys(model: str) -> list[str]:
    """Environment variables the provider needs that are not set (litellm's own list; no network)."""
    litellm = load_litellm()
    try:
        found = litellm.validate_environment(model=model)
    except Exception:  # noqa: BLE001 - an unknown provider (litellm may raise anything): the call reports it
        return []
    return list(found.get("missing_keys") or [])


def context_window(model: str) -> int | None:
    """The model's input limit in tokens from the bundled price list, when known."""
    litellm = load_litellm()
    try:
        info = litellm.get_model_info(model=model)
    except Exception:  # noqa: BLE001 - an unknown model (litellm may raise anything) has no known limit
        return None
    value = info.get("max_input_tokens") or info.get("max_tokens")
    return int(value) if value else None
