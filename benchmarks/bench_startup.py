"""Start-up: ``mhsim --help`` wall time and the TUI's ready time, headless, in fresh processes.

Each is timed with the bytecode cache warm, as a user's installed copy runs; the first, untimed run writes it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

TUI_READY = """
import asyncio, time
start = time.perf_counter()
from simulator.tui.app import MhsimApp

async def main():
    app = MhsimApp()
    async with app.run_test(size=(100, 34)) as pilot:
        await app.ready_event.wait() if hasattr(app, "ready_event") else await pilot.pause()
        print(time.perf_counter() - start)

asyncio.run(main())
"""


def _best(cmd: list[str], env: dict[str, str], runs: int = 5) -> float:
    subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, check=True)
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, check=True)
        best = min(best, time.perf_counter() - start)
    return best


def run() -> list[tuple[str, str, str]]:
    """Rows of (metric, value, target)."""
    with tempfile.TemporaryDirectory() as home:
        # Bytecode cached, as after `pip install .` (pip compiles it): a PYTHONDONTWRITEBYTECODE=1 shell would
        # otherwise time compiling every module of a source checkout on each start.
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["MHSIM_HOME"] = home
        help_time = _best([sys.executable, "-m", "simulator", "--help"], env)
        ready = []
        for _ in range(3):
            out = subprocess.run(
                [sys.executable, "-c", TUI_READY], cwd=ROOT, env=env, capture_output=True, text=True, check=True
            )
            ready.append(float(out.stdout.strip().splitlines()[-1]))
    return [
        ("mhsim --help wall time (best of 5)", f"{help_time:.3f} s", "≤ 0.4 s"),
        ("TUI ready, headless, incl. imports (best of 3)", f"{min(ready):.3f} s", "≤ 1.5 s"),
    ]


if __name__ == "__main__":
    for row in run():
        print(" | ".join(row))
