"""LLM patient speed and size: pipeline overhead over the raw stream, reply-check time, tokens per session.

Runs against the loopback OpenAI-compatible server of the tests (tests/llm_server.py), through litellm's real
HTTP client, with no network: ``python -m benchmarks.bench_llm`` or ``python -m benchmarks.run bench_llm``.

- *Pipeline overhead*: when the trainee sees words minus when the server sent the chunk that completed them
  (litellm parsing + checks + session), with the server streaming one word every 20 ms. The engine shows text
  sentence by sentence, after checks, and holds the first release until it has ~40 characters; the wait for
  those words is reported separately (it is generation time, not overhead).
- *Reply checks*: all checks on every sentence prefix of a reply, as the engine runs them, plus building the
  checker; over 20-turn sessions of every built-in scenario.
- *Tokens per 20-turn session* (Helen), counted with litellm's token counter on the exact requests sent, and
  how much of each prompt is an unchanged prefix of the previous one (what provider prompt caching can reuse).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.bench_session import TRAINEE_LINES

WORD_DELAY_S = 0.02


def _pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def _helen():
    from simulator.library import load_scenario

    return load_scenario(ROOT / "scenarios" / "low-mood-passive-si.scenario.yaml")


FILLERS = (
    " I don't know, it's hard to explain.",
    " Sorry, I'm not very good at this.",
    " It's just how it is.",
)


def _voice_like_a_model(plan_text: str) -> str:
    """A reply of a realistic length (one to three sentences, ~120-250 characters): the planned meaning, said
    with a little more around it, as a model would."""
    text = plan_text.strip()
    for filler in FILLERS:
        if len(text) >= 120:
            break
        text += filler
    return text


async def _overhead(server, turns: int = 40) -> dict[str, list[float]]:
    """Per turn: shown - server sent (completing chunk), and shown - first chunk sent."""
    from simulator.config import ModelConfig
    from simulator.llm.engine import LLMEngine
    from simulator.session import Session
    from tests.llm_server import Reply

    scenario = _helen()
    plans: list[str] = []

    def respond(body):
        return Reply(_voice_like_a_model(plans[-1]), delay_s=WORD_DELAY_S)

    server.reset(respond)
    settings = ModelConfig(model="openai/patient", api_base=server.base_url, timeout_s=10)
    session = Session(scenario, engine=LLMEngine(settings))
    session.open()
    out: dict[str, list[float]] = {"pipeline": [], "first_words": [], "cold": []}
    for i, line in enumerate(TRAINEE_LINES[:turns]):
        if session.over:
            break
        submitted = session.submit(line)
        if submitted is None:
            continue
        plans.append(submitted.plan.text)
        shown_at = None
        shown_text = ""
        async for chunk in session.reply():
            if shown_at is None:
                shown_at, shown_text = time.perf_counter(), chunk
        sent = server.chunk_times[-1]
        pieces = Reply(_voice_like_a_model(plans[-1])).chunks()
        # The server chunk that completed the first text shown.
        total, k = "", 0
        for k, piece in enumerate(pieces):
            total += piece
            if len(total.strip()) >= len(shown_text.strip()):
                break
        if session.turns[-1].usage and session.turns[-1].usage.outcome == "scripted":
            continue
        if i == 0:
            out["cold"].append((shown_at - sent[k]) * 1000)
            continue
        out["pipeline"].append((shown_at - sent[k]) * 1000)
        out["first_words"].append((shown_at - sent[0]) * 1000)
    return out


def _check_times(rounds: int = 3) -> tuple[list[float], list[float]]:
    """ms per reply for every check on every sentence prefix (what the engine runs), all built-in scenarios;
    and ms to prepare a scenario's index (once per scenario per process, before its first reply)."""
    from simulator.engine import ReplyRequest
    from simulator.library import Library
    from simulator.llm import checks as checks_module
    from simulator.llm.checks import ReplyChecker, sentences
    from simulator.session import Session

    samples: list[float] = []
    builds: list[float] = []
    for scenario in Library.discover(use_config=False).scenarios:
        checks_module._INDEXES.clear()
        started = time.thread_time()
        checks_module._scenario_index(scenario)
        builds.append((time.thread_time() - started) * 1000)
        for _ in range(rounds):
            session = Session(scenario)
            session.open()
            for line in TRAINEE_LINES[:20]:
                submitted = session.submit(line)
                if submitted is None or session.over:
                    break
                reply = _voice_like_a_model(submitted.plan.text)
                request = ReplyRequest(
                    scenario=scenario,
                    state=session.state,
                    plan=submitted.plan,
                    trainee_text=submitted.turn.text,
                    coding=submitted.turn.coding,
                    history=tuple(session.turns),
                )
                # CPU time of this thread: the work the checks do, not the wait for a core on a busy machine.
                started = time.thread_time()
                checker = ReplyChecker(request)
                prefix = ""
                for sentence in sentences(reply):
                    prefix = (prefix + " " + sentence).strip()
                    checker.run(prefix)
                samples.append((time.thread_time() - started) * 1000)
                asyncio.run(_drain(session))
                if session.over:
                    break
    return samples, builds


async def _drain(session) -> None:
    async for _ in session.reply():
        pass


def _tokens(server) -> dict[str, float]:
    """Tokens of the exact requests of a 20-turn Helen session, counted by litellm (bundled tokenizer)."""
    from simulator.llm.adapter import count_tokens, load_litellm

    litellm = load_litellm()
    bodies = list(server.requests)
    tokens_in = [count_tokens("gpt-4o-mini", body["messages"])[0] for body in bodies]
    replies = [_voice_like_a_model(t) for t in _PLANS] if _PLANS else []
    tokens_out = [count_tokens("gpt-4o-mini", [], r)[1] for r in replies]
    static = count_tokens("gpt-4o-mini", bodies[0]["messages"][:1])[0]
    reusable = []
    for prev, cur in itertools.pairwise(bodies):
        same = 0
        for a, b in zip(prev["messages"], cur["messages"]):
            if a != b:
                break
            same += 1
        reusable.append(
            count_tokens("gpt-4o-mini", cur["messages"][:same])[0]
            / max(1, count_tokens("gpt-4o-mini", cur["messages"])[0])
        )
    cost = {}
    for model in ("gpt-4o-mini", "claude-3-5-haiku-latest"):
        try:
            p, c = litellm.cost_per_token(
                model=model, prompt_tokens=sum(tokens_in), completion_tokens=sum(tokens_out)
            )
            cost[model] = p + c
        except Exception:  # noqa: BLE001, S110 - a model litellm cannot price gets no cost row
            pass
    return {
        "turns": len(bodies),
        "in": sum(tokens_in),
        "out": sum(tokens_out),
        "static": static,
        "last_in": tokens_in[-1] if tokens_in else 0,
        "reusable": statistics.mean(reusable) if reusable else 0.0,
        **{f"cost:{k}": v for k, v in cost.items()},
    }


_PLANS: list[str] = []


def run() -> list[tuple[str, str, str]]:
    """Rows of (metric, value, target)."""
    from tests.llm_server import FakeOpenAIServer

    with tempfile.TemporaryDirectory() as home:
        os.environ["MHSIM_HOME"] = home
        from simulator.llm.adapter import load_litellm

        started = time.perf_counter()
        load_litellm()
        import_s = time.perf_counter() - started
        server = FakeOpenAIServer().start()
        try:
            timings = asyncio.run(_overhead(server))
            _PLANS.clear()
            asyncio.run(_collect_plans(server))  # the same 20 turns, replies at once, requests recorded
            tokens = _tokens(server)
        finally:
            server.stop()
    checks, builds = _check_times()
    rows = [
        ("litellm import (first use, local price list)", f"{import_s:.1f} s", ""),
        (
            "first reply cold (litellm's own lazy set-up)",
            f"{timings['cold'][0]:.0f} ms" if timings["cold"] else "-",
            "",
        ),
        (
            "pipeline overhead p50: shown − server sent those words",
            f"{_pct(timings['pipeline'], 50):.1f} ms",
            "≤ 20 ms",
        ),
        ("pipeline overhead p95", f"{_pct(timings['pipeline'], 95):.1f} ms", "≤ 20 ms"),
        (
            f"first words shown − first token sent (p50, {WORD_DELAY_S * 1000:.0f} ms/word)",
            f"{_pct(timings['first_words'], 50):.0f} ms",
            "",
        ),
        ("reply checks per reply p50 (CPU, all scenarios)", f"{_pct(checks, 50):.2f} ms", "≤ 5 ms"),
        (
            "reply checks per reply p95 / p99 (CPU)",
            f"{_pct(checks, 95):.2f} / {_pct(checks, 99):.2f} ms",
            "≤ 5 ms",
        ),
        (
            "replies whose checks took over 5 ms (a GC pause can do it)",
            f"{sum(c > 5 for c in checks)} of {len(checks)} (max {max(checks):.1f} ms)",
            "",
        ),
        ("scenario index for the checks, once per scenario (CPU p50)", f"{_pct(builds, 50):.1f} ms", ""),
        (f"tokens in, {tokens['turns']}-turn Helen session (sum of prompts)", f"{tokens['in']:,}", ""),
        ("tokens out, same session", f"{tokens['out']:,}", ""),
        ("static prompt (system message), tokens", f"{tokens['static']:,}", ""),
        ("last prompt of the session, tokens", f"{tokens['last_in']:,}", ""),
        ("prompt share that repeats the previous prompt (cacheable)", f"{tokens['reusable']:.0%}", ""),
    ]
    rows += [
        (f"cost of that session at {k.split(':', 1)[1]} list prices", f"${v:.4f}", "")
        for k, v in tokens.items()
        if k.startswith("cost:")
    ]
    return rows


async def _collect_plans(server) -> None:
    """One 20-turn session with the server echoing the planned line at once; records plans and requests."""
    from simulator.config import ModelConfig
    from simulator.llm.engine import LLMEngine
    from simulator.session import Session
    from tests.llm_server import Reply

    server.reset(lambda body: Reply(_voice_like_a_model(_PLANS[-1])))
    session = Session(
        _helen(), engine=LLMEngine(ModelConfig(model="openai/patient", api_base=server.base_url))
    )
    session.open()
    for line in TRAINEE_LINES[:20]:
        if session.over:
            break
        submitted = session.submit(line)
        if submitted is None:
            continue
        _PLANS.append(submitted.plan.text)
        await _drain(session)


if __name__ == "__main__":
    for row in run():
        print(" | ".join(row))
