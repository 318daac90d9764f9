"""Live probe: send lab cases' probes to a real model, record its answers (redacted), and keep staff grades.

The runner talks to any ``complete(messages) -> str`` coroutine (or one returning a :class:`Completion` with the
model version the provider reported), so tests and other callers inject their own. :func:`adapter_complete`
builds one on the LLM adapter (``simulator.llm``, imported only inside it), which reaches any litellm provider,
a local OpenAI-compatible server or an organisation's LiteLLM Proxy.

Every answer passes through :func:`~simulator.lab.redact.redact_specifics` before it is stored or shown: method,
means, dose and lethality detail is replaced by a visible marker, so it is never kept unredacted. A call that
fails is recorded with the reason and the run goes on. Crisis resources are never taken from a model's answer.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from .case import LabCase, Probe
from .redact import redact_specifics

if TYPE_CHECKING:
    from simulator.config import Config, ModelConfig
    from simulator.store import Store

CRITERION_GRADES = ("yes", "no", "unsure")
OVERALL_GRADES = ("best_practice", "suboptimal", "harmful")
OVERALL = "overall"
"""The pseudo-criterion under which a rater's overall judgement of an output is stored."""
OVERALL_LABELS = {
    "best_practice": "best practice",
    "suboptimal": "suboptimal, low potential for harm (yellow)",
    "harmful": "high potential for harm (red)",
}


class ModelNotConfigured(RuntimeError):
    """No model is configured for the live probe; the message says how to configure one."""


@dataclass(frozen=True)
class Completion:
    """A model's answer and, when the provider says, which model version produced it."""

    text: str
    model_version: str | None = None


Complete = Callable[[list[dict[str, str]]], Awaitable["str | Completion"]]


@dataclass
class ProbeOutput:
    """One recorded answer to one probe (already redacted)."""

    case_id: str
    repeat: int
    messages: list[dict[str, str]]
    output: str = ""
    redactions: list[str] = field(default_factory=list)
    latency_ms: float | None = None
    error: str | None = None
    model_version: str | None = None
    id: int | None = None

    def row(self) -> dict[str, object]:
        """The stored row (``lab_probe_outputs``) and the form the probe screen lists."""
        return {
            "id": self.id,
            "case_id": self.case_id,
            "repeat": self.repeat,
            "messages": self.messages,
            "output": self.output,
            "redactions": self.redactions,
            "latency_ms": self.latency_ms,
            "error": self.error,
        }


@dataclass
class ProbeRun:
    """A battery run against one model."""

    id: str
    model: str
    api_base: str | None
    started_at: datetime
    repeats: int
    cases: list[str]
    model_version: str | None = None
    ended_at: datetime | None = None
    outputs: list[ProbeOutput] = field(default_factory=list)


def how_to_configure() -> str:
    """Plain instructions for configuring a model, shown when none is set."""
    from simulator.config import config_path

    return (
        "No language model is configured, so the live probe has nothing to talk to.\n"
        f"Add a model to your configuration file ({config_path()}), for example a local Ollama server:\n\n"
        "  model:\n"
        "    model: ollama/llama3.2\n"
        "    api_base: http://127.0.0.1:11434\n\n"
        "or a hosted or proxy model, naming the environment variable that holds the key (never the key itself):\n\n"
        "  model:\n"
        "    model: openai/gpt-4o-mini\n"
        "    api_key_env: OPENAI_API_KEY\n\n"
        "Or give it for one run: mhsim lab run --model ollama/llama3.2 --api-base http://127.0.0.1:11434\n"
        "Probe the exact model and version your organisation plans to deploy."
    )


def probe_settings(config: Config, *, model: str | None = None, api_base: str | None = None) -> ModelConfig:
    """The model to probe: the configured default, overridden by ``model``/``api_base``; raises if none."""
    from simulator.config import with_options

    settings = with_options(config.model, model, api_base)
    if not settings.model:
        raise ModelNotConfigured(how_to_configure())
    return settings


def disclosure(settings: ModelConfig) -> tuple[bool, str]:
    """Whether the model is remote, and plain words on what will be sent to whom."""
    from simulator.llm.consent import recipient

    who = recipient(settings.model or "", settings.api_base)
    where = "a server on this computer" if who.local else who.label
    lines = [
        f"The live probe sends the lab's probe prompts to '{settings.model}' at {where}.",
        "Sent: the fictional probe messages written in the lab cases (no trainee data, no names of staff).",
        "Recorded: the model's answers, with method, means and dose detail replaced by a marker before storage.",
    ]
    if not who.local:
        lines.append("This is a remote service: the prompts leave this computer.")
    return not who.local, "\n".join(lines)


def adapter_complete(settings: ModelConfig) -> Complete:
    """A ``complete`` coroutine on the LLM adapter (litellm is imported on the first call, not here)."""
    from simulator.llm.consent import api_key, recipient

    who = recipient(settings.model or "", settings.api_base)

    async def complete(messages: list[dict[str, str]]) -> Completion:
        from simulator.llm.adapter import ChatCall, LiteLLMClient
        from simulator.llm.errors import CallTarget, explain

        call = ChatCall(
            model=settings.model or "",
            messages=messages,
            api_base=settings.api_base,
            api_key=api_key(settings, who),
            timeout_s=settings.timeout_s,
            temperature=settings.temperature,
            max_tokens=settings.max_tokens,
        )
        target = CallTarget(
            model=call.model,
            api_base=settings.api_base,
            key_env=settings.api_key_env,
            timeout_s=settings.timeout_s,
        )
        try:
            stream = await LiteLLMClient().open(call)
            pieces = [piece async for piece in stream]
        except Exception as exc:  # the provider's exceptions, explained in plain words
            raise RuntimeError(str(explain(exc, target))) from exc
        return Completion("".join(pieces), stream.stats.provider_model)

    return complete


def probe_messages(probe: Probe) -> list[dict[str, str]]:
    """The chat messages sent for a probe (its system prompt first, if it has one)."""
    messages = [{"role": "system", "content": probe.system}] if probe.system else []
    messages += [{"role": m.role, "content": m.content} for m in probe.messages]
    return messages


def battery(cases: Iterable[LabCase], ids: Sequence[str] = ()) -> list[LabCase]:
    """Cases with a probe, in the given order of ``ids`` (all probe cases when none are given)."""
    with_probe = {c.id: c for c in cases if c.probe is not None}
    if not ids:
        return list(with_probe.values())
    missing = [i for i in ids if i not in with_probe]
    if missing:
        raise KeyError(f"no probe in lab case{'s' if len(missing) > 1 else ''}: {', '.join(missing)}")
    return [with_probe[i] for i in ids]


async def _one(case: LabCase, repeat: int, complete: Complete, timeout_s: float) -> ProbeOutput:
    assert case.probe is not None
    messages = probe_messages(case.probe)
    out = ProbeOutput(case_id=case.id, repeat=repeat, messages=messages)
    started = time.perf_counter()
    try:
        answer = await asyncio.wait_for(complete(messages), timeout_s)
    except TimeoutError:
        out.error = f"No answer within {timeout_s:g} s."
        return out
    except Exception as exc:  # noqa: BLE001 - one failing call must not end the run; the reason is recorded
        out.error = str(exc) or exc.__class__.__name__
        return out
    out.latency_ms = round((time.perf_counter() - started) * 1000, 1)
    completion = answer if isinstance(answer, Completion) else Completion(str(answer))
    out.output, out.redactions = redact_specifics(completion.text)
    out.model_version = completion.model_version
    return out


async def run_battery(
    cases: Sequence[LabCase],
    complete: Complete,
    *,
    model: str,
    api_base: str | None = None,
    repeats: int = 1,
    store: Store | None = None,
    timeout_s: float = 120.0,
    on_output: Callable[[ProbeOutput], None] | None = None,
) -> ProbeRun:
    """Send each case's probe ``repeats`` times, one call at a time, storing each answer as it arrives.

    Sequential on purpose: a rate-limited provider or a small local server sees one request at a time, and a
    run interrupted half-way keeps every answer recorded so far.
    """
    from .attempt import new_attempt_id

    run = ProbeRun(
        id=new_attempt_id(),
        model=model,
        api_base=api_base,
        started_at=datetime.now(UTC),
        repeats=max(1, repeats),
        cases=[c.id for c in cases],
    )
    if store is not None:
        store.create_probe_run(
            {
                "id": run.id,
                "model": model,
                "model_version": None,
                "api_base": api_base,
                "started_at": run.started_at,
                "repeats": run.repeats,
                "cases": run.cases,
            }
        )
    for case in cases:
        for repeat in range(1, run.repeats + 1):
            out = await _one(case, repeat, complete, timeout_s)
            if out.model_version and not run.model_version:
                run.model_version = out.model_version
            if store is not None:
                row = out.row()
                del row["id"]
                out.id = store.add_probe_output({"run_id": run.id, **row})
            else:
                out.id = len(run.outputs) + 1
            run.outputs.append(out)
            if on_output is not None:
                on_output(out)
    run.ended_at = datetime.now(UTC)
    if store is not None:
        store.finish_probe_run(run.id, run.ended_at, run.model_version)
    return run


def grade(
    store: Store,
    output_id: int,
    rater: str,
    criterion: str,
    value: str,
    note: str = "",
) -> None:
    """Store one rater's grade: a criterion ('yes'/'no'/'unsure') or the overall judgement (OVERALL)."""
    allowed = OVERALL_GRADES if criterion == OVERALL else CRITERION_GRADES
    if value not in allowed:
        raise ValueError(f"grade {value!r} for {criterion!r}; expected one of: {', '.join(allowed)}")
    rater = rater.strip()
    if not rater:
        raise ValueError("a grade needs the rater's name or pseudonym")
    store.save_probe_grade(
        {
            "output_id": int(output_id),
            "rater": rater,
            "criterion": criterion,
            "grade": value,
            "note": note,
            "graded_at": datetime.now(UTC),
        }
    )


__all__ = [
    "CRITERION_GRADES",
    "OVERALL",
    "OVERALL_GRADES",
    "Complete",
    "Completion",
    "ModelNotConfigured",
    "ProbeOutput",
    "ProbeRun",
    "adapter_complete",
    "battery",
    "disclosure",
    "grade",
    "how_to_configure",
    "probe_messages",
    "probe_settings",
    "run_battery",
]
