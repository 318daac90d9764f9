"""The trainee's app: ready time, typing while a reply streams, and long transcripts.

``python -m benchmarks.bench_tui`` (or ``python -m benchmarks.run bench_tui``). Headless (Textual's test driver),
scripted or fake engines only: no model, no network. Targets: ready ≤ 1.0 s without the LLM library; keystroke to
echo ≤ 50 ms while a reply arrives at 50 chunks/s; a 500-turn transcript opens without visible lag. It also reports
the CPU one trainee turn costs the app (layout and painting, beyond the coder and the patient) and what it uses
while idle.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

READY = """
import sys, time
start = time.perf_counter()
import asyncio
from pathlib import Path
import simulator.tui.app
from simulator.tui.app import MhsimApp

class Timed(MhsimApp):
    CSS_PATH = str(Path(simulator.tui.app.__file__).with_name("app.tcss"))  # a subclass resolves it from here
    ready_at = 0.0

    def on_ready(self) -> None:  # Textual's Ready: the first screen is mounted and painted
        self.ready_at = time.perf_counter()

async def main():
    app = Timed()
    async with app.run_test(size=(100, 34)) as pilot:
        for _ in range(600):  # the library is read after the first frame
            if app.library is not None:
                break
            await asyncio.sleep(0.05)
        listed = len(app.library.entries) if app.library else 0
        print(app.ready_at - start, int("litellm" in sys.modules), listed)

asyncio.run(main())
"""


def ready_time(runs: int = 5) -> tuple[float, float, bool]:
    """Best and median seconds from interpreter start to the first screen mounted, and whether litellm loaded."""
    times, litellm = [], False
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "MHSIM_HOME": home, "PYTHONPATH": str(ROOT)}
        for _ in range(runs):
            out = subprocess.run(
                [sys.executable, "-c", READY], cwd=ROOT, env=env, capture_output=True, text=True, check=True
            )
            value, loaded, listed = out.stdout.strip().splitlines()[-1].split()
            assert int(listed) > 0, "the library loaded after the first screen"
            times.append(float(value))
            litellm |= loaded == "1"
    return min(times), statistics.median(times), litellm


class SteadyStream:
    """A patient that speaks ``chunks`` words at ``rate`` chunks per second."""

    name = "steady"

    def __init__(self, rate: float = 50.0, chunks: int = 400) -> None:
        self.delay = 1.0 / rate
        self.chunks = chunks

    async def stream(self, request) -> AsyncIterator[str]:
        for i in range(self.chunks):
            await asyncio.sleep(self.delay)
            yield f"word{i} "


@asynccontextmanager
async def _encounter(engine=None) -> AsyncIterator[tuple]:
    """The app, headless, started past Helen's briefing: (app, pilot, encounter screen, composer)."""
    from simulator.config import Config
    from simulator.tui.app import MhsimApp
    from simulator.tui.screens import EncounterScreen
    from simulator.tui.widgets import Composer

    app = MhsimApp(chunk_delay=0, store=False, engine=engine, config=Config(), scenario_id="low-mood-passive-si")
    async with app.run_test(size=(100, 34)) as pilot:
        await app.library_loaded.wait()
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter")  # start from the briefing
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, EncounterScreen)
        yield app, pilot, screen, screen.query_one(Composer)


async def _echo_latencies(keys: int = 60) -> list[float]:
    from textual import events

    latencies: list[float] = []
    async with _encounter(SteadyStream()) as (app, pilot, screen, composer):
        composer.load_text("How have you been sleeping?")
        await pilot.press("enter")
        await asyncio.sleep(0.3)  # the reply is streaming now
        assert screen.streaming
        painted: list[float] = []
        original = composer.render_line

        def render_line(y: int):
            painted.append(time.perf_counter())
            return original(y)

        composer.render_line = render_line  # type: ignore[method-assign]
        for i in range(keys):
            char = "abcdefghij"[i % 10]
            before = composer.text
            painted.clear()
            start = time.perf_counter()
            app.post_message(events.Key(char, char))
            while composer.text == before or not painted or painted[-1] < start:
                await asyncio.sleep(0.0005)
            latencies.append(painted[-1] - start)
            await asyncio.sleep(0.05)  # typing speed: about 20 keys a second
        assert screen.streaming, "the reply was still arriving while typing"
    return latencies


def echo_latency() -> tuple[float, float, float]:
    """Median, 95th percentile and worst keystroke-to-echo time (seconds) while a reply streams at 50 chunks/s."""
    values = asyncio.run(_echo_latencies())
    values.sort()
    return statistics.median(values), values[int(len(values) * 0.95) - 1], values[-1]


TURN_LINES = [
    "How have you been sleeping?",
    "It sounds like the nights are hard.",
    "What helps, even a little?",
    "Tell me about work.",
    "You've been carrying a lot on your own.",
    "What has been happening at home?",
]


async def _turn_cost(turns: int = 12, idle: float = 3.0) -> tuple[list[float], float]:
    cpu: list[float] = []
    async with _encounter() as (app, pilot, screen, composer):
        for i in range(turns):
            if screen.session.over:
                break
            composer.load_text(TURN_LINES[i % len(TURN_LINES)])
            start = time.process_time()
            await pilot.press("enter")
            await pilot.pause()
            while screen.streaming:
                await asyncio.sleep(0.005)
            await app.workers.wait_for_complete()
            await pilot.pause()
            cpu.append(time.process_time() - start)
        start = time.process_time()
        await asyncio.sleep(idle)  # the clock in the bar ticks each second
        idle_share = (time.process_time() - start) / idle
    return cpu, idle_share


def turn_cost() -> tuple[float, float, float]:
    """CPU seconds per trainee turn (median, worst) in the encounter with the scripted patient, and the share of
    one core the app uses while the trainee is thinking."""
    cpu, idle = asyncio.run(_turn_cost())
    return statistics.median(cpu), max(cpu), idle


async def _long_transcript(utterances: int) -> tuple[float, float, float]:
    from simulator.config import Config
    from simulator.library import load_scenario
    from simulator.session import Session
    from simulator.tui.app import MhsimApp
    from simulator.tui.screens import DebriefScreen, EncounterScreen
    from simulator.tui.widgets import Transcript

    scenario = load_scenario(ROOT / "scenarios" / "low-mood-passive-si.scenario.yaml")
    lines = ["How have you been sleeping?", "It sounds like the nights are hard.", "What helps, even a little?"]
    session = Session(scenario, store=None)
    session.open()
    for i in range((utterances - 1) // 2):
        if session.over:
            break
        await session.say(lines[i % 3] + f" ({i})")
    app = MhsimApp(chunk_delay=0, store=False, config=Config(), library=None)
    async with app.run_test(size=(100, 34)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        start = time.perf_counter()
        await app.push_screen(EncounterScreen(session))
        await pilot.pause()
        mount = time.perf_counter() - start
        transcript = app.screen.query_one(Transcript)
        start = time.perf_counter()
        transcript.scroll_home(animate=False)
        await pilot.pause()
        transcript.scroll_end(animate=False)
        await pilot.pause()
        scroll = (time.perf_counter() - start) / 2
        session.finish()
        start = time.perf_counter()
        await app.push_screen(DebriefScreen(session))
        await pilot.pause()
        debrief = time.perf_counter() - start
    return mount, scroll, debrief


def long_transcript(utterances: int = 500) -> tuple[float, float, float]:
    return asyncio.run(_long_transcript(utterances))


def run() -> list[tuple[str, str, str]]:
    """Rows of (metric, value, target)."""
    best, median, litellm = ready_time()
    p50, p95, worst = echo_latency()
    mount, scroll, debrief = long_transcript(500)
    turn, worst_turn, idle = turn_cost()
    return [
        ("TUI ready, headless, from interpreter start (best / median of 5)", f"{best:.3f} / {median:.3f} s", "≤ 1.0 s"),
        ("litellm imported at start-up", "yes" if litellm else "no", "no"),
        ("keystroke → echo while streaming 50 chunks/s (median)", f"{p50 * 1000:.1f} ms", "≤ 50 ms"),
        ("keystroke → echo while streaming (p95 / worst of 60)", f"{p95 * 1000:.1f} / {worst * 1000:.1f} ms", "≤ 50 ms"),
        ("CPU per trainee turn, scripted patient (median / worst of 12)",
         f"{turn * 1000:.0f} / {worst_turn * 1000:.0f} ms", ""),
        ("CPU while idle in the encounter (share of one core)", f"{idle:.1%}", ""),
        ("500-utterance transcript: encounter mount", f"{mount * 1000:.0f} ms", "no visible lag"),
        ("500-utterance transcript: scroll top↔bottom (each)", f"{scroll * 1000:.0f} ms", "no visible lag"),
        ("500-utterance transcript: debrief mount", f"{debrief * 1000:.0f} ms", "no visible lag"),
    ]


if __name__ == "__main__":
    for row in run():
        print(" | ".join(row))
