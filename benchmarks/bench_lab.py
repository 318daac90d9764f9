"""Failure lab: loading and validating the whole lab library (target ≤ 0.5 s), and scoring speed.

Loading includes everything ``mhsim lab validate`` does: safe YAML parsing, the schema, the semantic checks
(spans in their turns, modes, redaction scan, rubric references) and the counterfactual-pair cross-checks.
"""

from __future__ import annotations

import time

from simulator.lab.exercises import Flag, score_spot
from simulator.lab.library import LabLibrary, known_rubric_items


def _best(fn, runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def run() -> list[tuple[str, str, str]]:
    """Rows of (metric, value, target)."""
    cold_start = time.perf_counter()
    library = LabLibrary.discover()
    cold = time.perf_counter() - cold_start
    if library.broken:
        raise RuntimeError(f"{len(library.broken)} built-in lab file(s) do not load")
    items = known_rubric_items()
    warm = _best(lambda: LabLibrary.discover(rubric_items=items), 5)
    cases = library.for_exercise("spot")
    flags = {c.id: [Flag(f.turn, f.mode.value) for f in c.failures] for c in cases}

    def score_all() -> None:
        for case in cases:
            score_spot(case, flags[case.id], 60.0)

    scoring = _best(score_all, 5)
    return [
        (
            f"load + validate {len(library.cases)} lab cases, first time (incl. rubrics)",
            f"{cold:.3f} s",
            "≤ 0.5 s",
        ),
        ("load + validate the lab library (best of 5)", f"{warm:.3f} s", "≤ 0.5 s"),
        (f"score spot-the-failure for {len(cases)} cases (best of 5)", f"{scoring * 1000:.1f} ms", "—"),
    ]


if __name__ == "__main__":
    for row in run():
        print(" | ".join(row))
