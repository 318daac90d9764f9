"""Run a scripted rehearsal of a scenario and check a scenario test's expectations.

Used by ``mhsim play`` (a script of trainee lines), ``mhsim scenarios test`` and the benchmarks. Runs on the
core alone: no UI, no network, no store unless one is given.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .engine import PatientEngine
from .records import SessionScore
from .scenario import Scenario, ScenarioTest
from .session import Session

if TYPE_CHECKING:
    from .rubric import Rubric
    from .store import Store


@dataclass
class TestResult:
    """The outcome of one scenario test."""

    scenario_id: str
    name: str
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


async def rehearse(
    scenario: Scenario,
    lines: list[str],
    *,
    seed: int = 0,
    engine: PatientEngine | None = None,
    store: Store | None = None,
    rubrics: dict[str, Rubric] | None = None,
    trainee: str = "trainee",
) -> Session:
    """Play the trainee lines against the patient, then end and score the session."""
    session = Session(scenario, engine=engine, store=store, seed=seed, trainee=trainee)
    session.open()
    for line in lines:
        if session.over:
            break
        await session.say(line)
    if session.info.status != "complete":
        session.close_line()
        session.finish(rubrics)
    return session


def _item_statuses(score: SessionScore | None) -> dict[str, str]:
    if score is None:
        return {}
    return {f"{r.rubric_id}.{i.item_id}": i.status for r in score.rubrics for i in r.items}


def check_expectations(session: Session, test: ScenarioTest) -> list[str]:
    """Failures of the test's expectations against a finished session, each naming the turn where it failed."""
    exp = test.expect
    when = {d.fact_id: d.turn for d in session.ledger}
    failures: list[str] = []
    for fact in exp.disclosed:
        if fact not in when:
            failures.append(f"expected {fact!r} to be disclosed, but it never was")
    for fact in exp.not_disclosed:
        if fact in when:
            failures.append(f"expected {fact!r} to stay hidden, but it was disclosed at turn {when[fact]}")
    for fact, turn in exp.not_disclosed_before.items():
        if fact in when and when[fact] < turn:
            failures.append(f"{fact!r} was disclosed at turn {when[fact]}, before turn {turn}")
    for fact, turn in exp.disclosed_by.items():
        if fact not in when:
            failures.append(f"expected {fact!r} disclosed by turn {turn}, but it never was")
        elif when[fact] > turn:
            failures.append(f"{fact!r} was disclosed at turn {when[fact]}, after turn {turn}")
    trust = session.state.trust
    if exp.min_trust is not None and trust < exp.min_trust:
        failures.append(f"final trust {trust:.2f} is below {exp.min_trust}")
    if exp.max_trust is not None and trust > exp.max_trust:
        failures.append(f"final trust {trust:.2f} is above {exp.max_trust}")
    if exp.ending is not None and session.info.ending != exp.ending:
        failures.append(f"expected ending {exp.ending!r}, got {session.info.ending or 'none'}")
    if exp.critical_misses is not None:
        got = len(session.score.critical_misses) if session.score else 0
        if got != exp.critical_misses:
            failures.append(f"expected {exp.critical_misses} critical misses, got {got}")
    statuses = _item_statuses(session.score)
    for item, status in exp.items.items():
        if item not in statuses:
            failures.append(f"rubric item {item!r} was not scored")
        elif statuses[item] != status:
            failures.append(f"rubric item {item!r} is {statuses[item]!r}, expected {status!r}")
    replies: dict[int, str] = {}
    for before, after in itertools.pairwise(session.turns):
        if before.speaker == "trainee" and after.speaker == "patient":
            replies[before.trainee_turn] = after.text  # the reply itself, not a later goodbye
    for turn, needle in exp.reply_contains.items():
        reply = replies.get(turn, "")
        if needle.lower() not in reply.lower():
            failures.append(f"turn {turn}: reply {reply!r} does not contain {needle!r}")
    return failures


async def run_test(
    scenario: Scenario,
    test: ScenarioTest,
    *,
    engine: PatientEngine | None = None,
    rubrics: dict[str, Rubric] | None = None,
) -> TestResult:
    """Run one scenario test and check it."""
    session = await rehearse(scenario, test.script, seed=test.seed, engine=engine, rubrics=rubrics)
    return TestResult(scenario.id, test.name, check_expectations(session, test))


def run_tests(
    scenarios: list[Scenario], *, engine: PatientEngine | None = None, rubrics: dict[str, Rubric] | None = None
) -> list[TestResult]:
    """Run the tests of every scenario given (synchronously, for the CLI)."""
    from .rubric import load_rubrics

    if rubrics is None:
        rubrics, _broken = load_rubrics()

    async def _all() -> list[TestResult]:
        results = []
        for scenario in scenarios:
            for test in scenario.tests:
                results.append(await run_test(scenario, test, engine=engine, rubrics=rubrics))
        return results

    return asyncio.run(_all())
