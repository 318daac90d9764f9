"""Library: validating and loading every built-in scenario (with the rubrics they need), cold and warm.

Cold is a fresh process from the first import to the loaded library: what ``mhsim scenarios validate`` and the
picker pay. It is measured twice: with files unchanged since the last run (the usual case: the cache of files
already found valid answers) and with the cache turned off (the first run, or every file just edited). Warm
repeats the full parse in one process. Lint (which also runs every scenario test) is reported for information.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

COLD = """
import time
start, cpu = time.perf_counter(), time.process_time()
from simulator.library import Library
library = Library.discover(use_config=False)
elapsed, used = time.perf_counter() - start, time.process_time() - cpu
assert not library.broken, [str(p) for e in library.broken for p in e.problems]
print(len(library.scenarios), elapsed, used)
"""


def _cold(env: dict[str, str], runs: int) -> tuple[int, list[float], list[float]]:
    """Scenario count, wall times and CPU times of ``runs`` fresh processes."""
    wall, cpu, count = [], [], 0
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", COLD], cwd=ROOT, env=env, capture_output=True, text=True, check=True
        )
        count_text, seconds, used = out.stdout.split()
        count = int(count_text)
        wall.append(float(seconds))
        cpu.append(float(used))
    return count, wall, cpu


def _warm(runs: int = 10, *, cached: bool) -> list[float]:
    """CPU time of loading the library again in this process, parsing every file or answering from the cache."""
    from simulator import library, rubric

    if not cached:
        os.environ["MHSIM_NO_CACHE"] = "1"
    times = []
    try:
        library.Library.discover(use_config=False)  # the cache holds every file from here on
        for _ in range(runs):
            rubric._loaded.clear()  # parse the rubric files again, as a new process would
            library._caches.clear()  # read the cache file again, as a new process would
            start = time.process_time()
            library.Library.discover(use_config=False)
            times.append(time.process_time() - start)
    finally:
        os.environ.pop("MHSIM_NO_CACHE", None)
    return times


def _lint() -> tuple[int, float]:
    from simulator.library import builtin_dir, scenario_files
    from simulator.lint import lint_files
    from simulator.rubric import load_rubrics

    start = time.perf_counter()
    rubrics, _broken = load_rubrics()
    results = lint_files(scenario_files([builtin_dir("scenarios")]), rubrics)
    return sum(len(r.scenario.tests) for r in results if r.scenario), time.perf_counter() - start


def run() -> list[tuple[str, str, str]]:
    """Rows of (metric, value, target). CPU time is shown beside wall time: on a shared, busy machine the wall
    time mostly measures waiting for a core."""
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "MHSIM_HOME": home, "PYTHONPATH": str(ROOT)}
        os.environ["MHSIM_HOME"] = home
        count, full_wall, full_cpu = _cold({**env, "MHSIM_NO_CACHE": "1"}, 5)
        _cold(env, 1)  # fills the cache
        _count, wall, cpu = _cold(env, 5)
        warm = _warm(cached=False)
        warm_cached = _warm(cached=True)
        tests, lint_time = _lint()
    return [
        (
            f"validate + load {count} scenarios, cold process incl. imports, files unchanged (best of 5)",
            f"{min(wall):.3f} s wall, {min(cpu):.3f} s CPU",
            "≤ 0.5 s",
        ),
        (
            "same, median of 5",
            f"{statistics.median(wall):.3f} s wall, {statistics.median(cpu):.3f} s CPU",
            "",
        ),
        (
            "same, every file new or edited: full parse (best of 5)",
            f"{min(full_wall):.3f} s wall, {min(full_cpu):.3f} s CPU",
            "(info)",
        ),
        (
            "after imports: files unchanged (median of 10)",
            f"{statistics.median(warm_cached) * 1000:.0f} ms CPU",
            "",
        ),
        ("after imports: full parse (median of 10)", f"{statistics.median(warm) * 1000:.0f} ms CPU", ""),
        (f"lint the built-in library ({tests} scenario tests run)", f"{lint_time:.2f} s", "(info)"),
    ]


if __name__ == "__main__":
    for row in run():
        print(" | ".join(row))
