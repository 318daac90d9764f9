"""Turn litellm and provider exceptions into :class:`~simulator.engine.EngineError` with plain words.

litellm maps provider errors onto OpenAI-style classes, but not always onto the obvious one (a missing key
can arrive as an ``InternalServerError``, a refused connection as "Connection error."), so the whole exception
chain is read: class names, status codes and messages. Nothing here imports litellm.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from dataclasses import dataclass

from simulator.engine import EngineError, FailureKind


@dataclass(frozen=True)
class CallTarget:
    """What was being called, for the message."""

    model: str
    api_base: str | None = None
    key_env: str | None = None
    timeout_s: float = 30.0

    @property
    def where(self) -> str:
        return self.api_base or "the provider"


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception and everything it was raised from (bounded: chains can loop)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen and len(seen) < 12:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _names(exc: BaseException) -> set[str]:
    return {cls.__name__ for link in _chain(exc) for cls in type(link).__mro__}


def _status(exc: BaseException) -> int | None:
    for link in _chain(exc):
        code = getattr(link, "status_code", None)
        if isinstance(code, int) and code >= 400 and type(link).__name__ != "MidStreamFallbackError":
            return code
    return None


def _text(exc: BaseException) -> str:
    return " | ".join(str(link) for link in _chain(exc)).lower()


def _short(exc: BaseException, limit: int = 160) -> str:
    """The provider's own words, without litellm's prefixes and links."""
    message = str(getattr(exc, "message", "") or exc)
    message = re.sub(r"^(?:litellm\.)?\w+(?:Error|Exception)?:\s*", "", message)
    message = re.sub(r"\b(?:litellm\.)?\w+Error: |\bOpenAIException - ", "", message)
    message = message.split("\n", 1)[0].split(" Original exception", 1)[0].strip()
    return message if len(message) <= limit else message[: limit - 1] + "…"


def _key_hint(target: CallTarget) -> str:
    if target.key_env:
        return f"the environment variable {target.key_env} (model.api_key_env in the config)"
    return "the provider's environment variable (for example OPENAI_API_KEY or ANTHROPIC_API_KEY)"


def classify(exc: BaseException, target: CallTarget) -> tuple[FailureKind, str]:
    """The failure kind and a plain sentence about what happened and what to do."""
    names = _names(exc)
    status = _status(exc)
    text = _text(exc)
    where = target.where
    if isinstance(exc, (asyncio.TimeoutError, TimeoutError)) or names & {"Timeout", "APITimeoutError"}:
        return "timeout", (
            f"The model did not answer within {target.timeout_s:g} s. The server may be busy or the model "
            "still loading; retry, or continue with the scripted patient."
        )
    if "MidStreamFallbackError" in names or re.search(
        r"stream ended|incomplete chunked|peer closed|remoteprotocolerror|server disconnected|"
        r"connection (?:was )?reset|payload is not completed",
        text,
    ):
        return "cut", "The connection to the model dropped in the middle of the reply. Retry the turn."
    if "ContextWindowExceededError" in names or "context length" in text or "context window" in text:
        return "other", (
            "The conversation is now longer than this model can read at once. End the session for the "
            "debrief, or choose a model with a larger context window."
        )
    if (
        names & {"AuthenticationError", "PermissionDeniedError"}
        or status in (401, 403)
        or re.search(
            r"missing credentials|api[_ ]key (?:is )?(?:not set|missing|required)|no api key|invalid api key|"
            r"incorrect api key|unauthori[sz]ed",
            text,
        )
    ):
        return "auth", (
            f"The provider rejected the API key, or none was given. Put a valid key in {_key_hint(target)} "
            "and try again; `mhsim doctor` checks it."
        )
    if "llm provider not provided" in text or "unknown provider" in text:
        return "not_found", (
            f"mhsim cannot tell which provider serves '{target.model}'. Write it as provider/model, for "
            "example 'openai/gpt-4o-mini', 'anthropic/claude-3-5-haiku-latest' or 'ollama/llama3.2'."
        )
    if "NotFoundError" in names or status == 404:
        return "not_found", (
            f"{where} answered, but has no model called '{target.model}' (or the base URL is wrong: "
            "OpenAI-compatible servers usually end in /v1). Check `mhsim config get model.model` and "
            "`model.api_base`."
        )
    if "RateLimitError" in names or status == 429:
        return "rate_limit", (
            "The provider is limiting requests (too many at once, or the account is over its quota). Wait a "
            "moment and retry, or continue with the scripted patient."
        )
    if "ConnectionRefusedError" in names or "connection refused" in text or "connect call failed" in text:
        return "refused", (
            f"Nothing is listening at {where}. Is the local model server running, and are the host and port "
            "in the base URL right?"
        )
    if (
        names & {"gaierror", "ClientConnectorDNSError"}
        or "name or service not known" in text
        or ("nodename nor servname" in text)
    ):
        return (
            "connection",
            f"Cannot find the host of {where}. Check the base URL and the network connection.",
        )
    if names & {
        "APIConnectionError",
        "ConnectError",
        "ClientConnectorError",
        "ConnectionError",
        "OSError",
    } or ("connection error" in text):
        return "connection", f"Cannot reach {where}. Check the base URL and the network connection."
    if status is not None and status >= 500 or names & {"ServiceUnavailableError", "InternalServerError"}:
        return "connection", f"The provider had a problem answering ({_short(exc)}). Retry in a moment."
    if names & {"BadRequestError", "UnsupportedParamsError"} or status == 400:
        return "other", f"The provider refused the request: {_short(exc)}"
    return "other", f"The model call failed: {_short(exc)}"


def explain(exc: BaseException, target: CallTarget, *, partial: str = "") -> EngineError:
    """An :class:`EngineError` for the trainee; the caller chains it (``raise ... from exc``)."""
    if isinstance(exc, EngineError):
        return exc
    kind, message = classify(exc, target)
    return EngineError(message, kind, partial=partial)
