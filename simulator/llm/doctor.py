"""``mhsim doctor``: is the configured model usable? Each step says what it found, in plain words.

Steps: a model is configured; where the prompts go (local or remote, consent); litellm is installed; the API
key is there; the server answers and streams; one reply to a practice line, through the real pipeline (prompt,
checks), stays in character. The first failing network step stops the rest: its explanation is the answer.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from simulator.config import ModelConfig

from .consent import has_consent, recipient

if TYPE_CHECKING:
    from simulator.scenario import Scenario

    from .adapter import ChatClient

PRACTICE_LINE = "Hello, thanks for coming in today. How have things been for you lately?"
PING = [
    {"role": "system", "content": "Answer in at most five words."},
    {"role": "user", "content": "Say hello."},
]


@dataclass(frozen=True)
class Step:
    """One doctor step: ``ok`` is None for information or a skipped step."""

    name: str
    ok: bool | None
    detail: str


def _static_steps(settings: ModelConfig) -> list[Step]:
    """Checks that need no network: model, recipient and consent, litellm, key."""
    from . import adapter

    steps: list[Step] = []
    model = settings.model or ""
    who = recipient(model, settings.api_base)
    where = "a server on this computer (local)" if who.local else f"{who.label}, remote"
    consent = "not needed" if who.local else ("given" if has_consent(who) else "not given yet")
    steps.append(Step("where prompts go", None, f"{where}; consent {consent}"))
    version = adapter.version()
    if version is None:
        steps.append(
            Step("litellm", False, "litellm is not installed. Install it with: pip install 'mhsim[llm]'")
        )
        return steps
    started = time.perf_counter()
    adapter.load_litellm()
    steps.append(
        Step("litellm", True, f"version {version} (loaded in {time.perf_counter() - started:.1f} s)")
    )
    steps.append(_key_step(settings, who.local))
    return steps


def _key_step(settings: ModelConfig, local: bool) -> Step:
    import os

    from . import adapter

    if settings.api_key_env:
        if os.environ.get(settings.api_key_env, "").strip():
            return Step("API key", True, f"found in {settings.api_key_env}")
        return Step(
            "API key",
            False,
            f"the environment variable {settings.api_key_env} (model.api_key_env) is not set",
        )
    if local:
        return Step("API key", None, "not needed for a local server")
    missing = adapter.missing_keys(settings.model or "")
    if missing:
        return Step(
            "API key",
            False,
            f"not set: {', '.join(missing)}. Set it in the environment, or name the "
            "variable with: mhsim config set model.api_key_env NAME",
        )
    return Step("API key", True, "present in the environment")


async def _ping(settings: ModelConfig, client: ChatClient) -> Step:
    """A tiny streamed call: reachable, key accepted, streaming works."""
    from simulator.engine import EngineError

    from .adapter import ChatCall
    from .engine import LLMEngine
    from .errors import explain

    engine = LLMEngine(settings, client=client, require_consent=False)
    try:
        call = ChatCall(
            model=engine.model,
            messages=PING,
            api_base=settings.api_base,
            api_key=engine._api_key(),
            timeout_s=settings.timeout_s,
            max_tokens=16,
        )
        stream = await client.open(call)
        pieces = [piece async for piece in stream]
    except EngineError as exc:
        return Step("reachable and streaming", False, str(exc))
    except Exception as exc:  # noqa: BLE001 - a provider can raise anything; explain() puts it in plain words
        return Step("reachable and streaming", False, str(explain(exc, engine._target())))
    if not pieces:
        return Step("reachable and streaming", False, "the server answered but streamed no text")
    stats = stream.stats
    version = f"; the provider reports model {stats.provider_model}" if stats.provider_model else ""
    first = f"first words after {stats.first_chunk_ms:.0f} ms, " if stats.first_chunk_ms is not None else ""
    return Step("reachable and streaming", True, f"{first}{len(pieces)} chunks{version}")


async def _in_character(settings: ModelConfig, client: ChatClient, scenario: Scenario) -> Step:
    """One real turn through the session, prompt and checks."""
    from simulator.engine import EngineError
    from simulator.session import Session

    from .engine import LLMEngine

    engine = LLMEngine(settings, client=client, require_consent=False)
    session = Session(scenario, engine=engine)
    session.open()
    session.submit(PRACTICE_LINE)
    try:
        text = "".join([chunk async for chunk in session.reply()])
    except EngineError as exc:
        return Step("in character", False, str(exc))
    turn = session.turns[-1]
    usage = turn.usage
    failed = sorted({f"{c.check} ({c.detail})" for c in turn.checks if not c.passed})
    reply = " ".join(text.split())
    if usage is None or usage.outcome == "scripted":
        return Step("in character", False, f"both drafts failed the checks: {'; '.join(failed)}")
    note = "" if usage.outcome == "passed" else f" (after {usage.outcome}: {'; '.join(failed)})"
    return Step("in character", True, f'{scenario.persona.name.split()[0]}: "{reply}"{note}')


async def diagnose(
    settings: ModelConfig, scenario: Scenario, *, client: ChatClient | None = None, network: bool = True
) -> list[Step]:
    """Run the doctor's steps for these model settings; ``network=False`` stops before any call."""
    if not settings.model:
        return [
            Step(
                "model",
                False,
                "no model is configured. Set one with: mhsim config set model.model ollama/llama3.2 "
                "(and mhsim config set engine llm to use it by default)",
            )
        ]
    base = f" at {settings.api_base}" if settings.api_base else ""
    steps = [Step("model", True, f"{settings.model}{base}, timeout {settings.timeout_s:g} s")]
    steps += _static_steps(settings)
    if any(step.ok is False for step in steps) or not network:
        return steps
    if client is None:
        from .adapter import LiteLLMClient

        client = LiteLLMClient()
    ping = await _ping(settings, client)
    steps.append(ping)
    if ping.ok:
        steps.append(await _in_character(settings, client, scenario))
    return steps
