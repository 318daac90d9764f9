"""Run every benchmark and print one table: ``python -m benchmarks.run`` (from the repository root).

Benchmarks measure; they are not timed tests and never run in CI.
"""

from __future__ import annotations

import importlib
import sys
import time

SUITES = ["bench_coder", "bench_session", "bench_startup", "bench_library", "annomi", "bench_lab", "bench_llm", "bench_tui"]


def main(argv: list[str]) -> int:
    from rich.console import Console
    from rich.table import Table

    wanted = argv or SUITES
    table = Table(title="mhsim benchmarks")
    table.add_column("suite")
    table.add_column("metric")
    table.add_column("value", justify="right")
    table.add_column("target")
    for name in wanted:
        module = importlib.import_module(f"benchmarks.{name}")
        started = time.perf_counter()
        try:
            rows = module.run()
        except Exception as exc:  # noqa: BLE001 - one failing suite should not hide the others
            rows = [("error", f"{type(exc).__name__}: {exc}", "")]
        for metric, value, target in rows:
            table.add_row(name, metric, value, target)
        table.add_row("", f"(suite took {time.perf_counter() - started:.1f} s)", "", "", style="dim")
    Console(width=max(Console().width, 110)).print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
