"""Scripted patient speed: per-reply latency over a 40-turn session, and ``mhsim play`` of a 40-turn script."""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

TRAINEE_LINES = [
    "Hi, thanks for coming in. What brings you here today?",
    "How have you been feeling in yourself lately?",
    "It sounds like things have felt heavy for a while.",
    "How have you been sleeping?",
    "Waking at four and lying there must be exhausting.",
    "How are things at work?",
    "You've been trying hard to keep going even though it's been tough.",
    "What has been happening at home?",
    "So there has been a big change at home and you've been carrying it quietly.",
    "Who do you have around you?",
    "What do you enjoy doing, or used to enjoy?",
    "Part of you misses the choir, and part of you can't face people right now.",
    "What gets you through the bad days?",
    "How do you feel about the future?",
    "It sounds like you can't see a way for things to get better.",
    "Sometimes when people feel this low they wish they could go to sleep and not wake up. Have you had thoughts like that?",
    "Have you had any thoughts of killing yourself?",
    "Have you thought about how you might do it?",
    "Do you think you would act on these thoughts?",
    "Have you ever done anything to end your life, or started to?",
    "Thank you for telling me. That took courage.",
    "Would it be okay if we worked out a plan together for when things feel like this?",
    "What are the first signs that a bad night is coming?",
    "What could you do on your own to get through those moments?",
    "Who could you spend time with to take your mind off things?",
    "Who could you ask for help if it got really bad?",
    "Would you be willing to call the crisis line or your GP if things got worse?",
    "How could we make your home safer during those times?",
    "What do you make of that plan?",
    "It's your choice how you use it.",
    "What would make it hard to use the plan?",
    "You're worried Ellie would find out.",
    "How would you like to tell her, if at all?",
    "What else is on your mind?",
    "Is there anything we haven't talked about?",
    "So the separation, the sleep and the work have piled up, and you've kept going for Ellie.",
    "What would you like to be different in a month?",
    "What would a first small step look like?",
    "How confident do you feel about that, from one to ten?",
    "Let's meet again next week. How does that sound?",
]


async def _latencies(turns: int = 40, repeats: int = 25) -> list[float]:
    from simulator.library import load_scenario
    from simulator.session import Session

    scenario = load_scenario(ROOT / "scenarios" / "low-mood-passive-si.scenario.yaml")
    samples: list[float] = []
    for seed in range(repeats):
        session = Session(scenario, seed=seed)
        session.open()
        for line in TRAINEE_LINES[:turns]:
            if session.over:
                break
            start = time.perf_counter()
            await session.say(line)
            samples.append((time.perf_counter() - start) * 1000)
    return samples


def _pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def run() -> list[tuple[str, str, str]]:
    """Rows of (metric, value, target)."""
    samples = asyncio.run(_latencies())
    rows = [
        ("scripted reply latency p50 (code+state+plan+stream)", f"{_pct(samples, 50):.2f} ms", ""),
        ("scripted reply latency p95 (40-turn session)", f"{_pct(samples, 95):.2f} ms", "≤ 5 ms"),
    ]
    with tempfile.TemporaryDirectory() as home:
        script = Path(home) / "script.txt"
        script.write_text("\n".join(TRAINEE_LINES) + "\n")
        env = {**os.environ, "MHSIM_HOME": home}
        cmd = [sys.executable, "-m", "simulator", "play", "low-mood-passive-si", "--script", str(script)]
        subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, check=True)  # warm the import cache
        times = []
        for _ in range(3):
            start = time.perf_counter()
            subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, check=True)
            times.append(time.perf_counter() - start)
    rows.append(("mhsim play, 40-turn script (wall, best of 3)", f"{min(times):.2f} s", ""))
    return rows


if __name__ == "__main__":
    for row in run():
        print(" | ".join(row))
