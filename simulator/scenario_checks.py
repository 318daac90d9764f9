"""Checks a schema cannot express: dangling references and facts that can never be disclosed."""

from __future__ import annotations

from collections.abc import Collection

from .codes import SCREENER
from .scenario import DEFAULT_TRUST_DELTAS, Condition, Scenario
from .topics import BUILTIN_TOPICS
from .yamlfile import Positions, Problem


def _max_reachable_trust(scenario: Scenario) -> float:
    deltas = {**DEFAULT_TRUST_DELTAS, **scenario.trust.deltas}
    if any(d > 0 for d in deltas.values()):
        return scenario.trust.maximum
    return min(scenario.trust.start, scenario.trust.maximum)


def check_scenario(scenario: Scenario, pos: Positions, rubric_ids: Collection[str] | None = None) -> list[Problem]:
    """Every reference resolves and every fact can be reached; returns problems with positions."""
    problems: list[Problem] = []
    fact_ids: dict[str, int] = {}
    for i, fact in enumerate(scenario.facts):
        if fact.id in fact_ids:
            problems.append(pos.problem(("facts", i, "id"), f"duplicate fact id {fact.id!r}"))
        fact_ids.setdefault(fact.id, i)
    topics = set(BUILTIN_TOPICS) | set(scenario.topics)
    top_trust = _max_reachable_trust(scenario)

    def check_condition(cond: Condition, loc: tuple) -> None:
        for j, name in enumerate(cond.topics):
            if name not in topics:
                problems.append(pos.problem(loc + ("topics", j), _unknown("topic", name, topics)))
        for j, ref in enumerate(cond.after_facts):
            if ref not in fact_ids:
                problems.append(pos.problem(loc + ("after_facts", j), _unknown("fact", ref, fact_ids)))
        if cond.min_trust is not None and cond.min_trust > top_trust + 1e-9:
            problems.append(
                pos.problem(
                    loc + ("min_trust",),
                    f"min_trust {cond.min_trust} can never be reached: trust cannot rise above {top_trust}",
                )
            )

    for i, fact in enumerate(scenario.facts):
        loc = ("facts", i)
        for j, name in enumerate(fact.topics):
            if name not in topics:
                problems.append(pos.problem(loc + ("topics", j), _unknown("topic", name, topics)))
        check_condition(fact.condition, loc + ("condition",))
        if fact.id in fact.condition.after_facts:
            problems.append(pos.problem(loc + ("condition", "after_facts"), f"fact {fact.id!r} waits for itself"))
    problems.extend(_cycles(scenario, pos, fact_ids))

    for i, change in enumerate(scenario.stage_changes):
        check_condition(change.condition, ("stage_changes", i, "condition"))

    if scenario.risk:
        for j, ref in enumerate(scenario.risk.cues):
            if ref not in fact_ids:
                problems.append(pos.problem(("risk", "cues", j), _unknown("fact", ref, fact_ids)))
        for flag, answer in scenario.risk.screener.items():
            loc = ("risk", "screener", flag.value)
            if flag not in SCREENER:
                names = ", ".join(f.value for f in SCREENER)
                problems.append(pos.problem(loc, f"{flag.value!r} is not a screener question; use one of {names}"))
            if answer.answer == "yes" and not answer.fact:
                problems.append(pos.problem(loc, "a 'yes' answer needs the fact that carries it"))
            if answer.fact and answer.fact not in fact_ids:
                problems.append(pos.problem(loc + ("fact",), _unknown("fact", answer.fact, fact_ids)))

    ending_ids = {e.id for e in scenario.endings}
    for i, ending in enumerate(scenario.endings):
        for j, ref in enumerate(ending.when.facts_disclosed):
            if ref not in fact_ids:
                problems.append(
                    pos.problem(("endings", i, "when", "facts_disclosed", j), _unknown("fact", ref, fact_ids))
                )

    for i, test in enumerate(scenario.tests):
        loc = ("tests", i, "expect")
        exp = test.expect
        for key in ("disclosed", "not_disclosed"):
            for j, ref in enumerate(getattr(exp, key)):
                if ref not in fact_ids:
                    problems.append(pos.problem(loc + (key, j), _unknown("fact", ref, fact_ids)))
        for key in ("not_disclosed_before", "disclosed_by"):
            for ref in getattr(exp, key):
                if ref not in fact_ids:
                    problems.append(pos.problem(loc + (key, ref), _unknown("fact", ref, fact_ids), key=True))
        if exp.ending and exp.ending not in ending_ids:
            problems.append(pos.problem(loc + ("ending",), _unknown("ending", exp.ending, ending_ids)))

    if rubric_ids is not None:
        for j, ref in enumerate(scenario.rubrics):
            if ref not in rubric_ids:
                problems.append(pos.problem(("rubrics", j), _unknown("rubric", ref, rubric_ids)))
    return problems


def _cycles(scenario: Scenario, pos: Positions, fact_ids: dict[str, int]) -> list[Problem]:
    """Facts that wait (through after_facts) on themselves can never be disclosed."""
    graph = {f.id: [r for r in f.condition.after_facts if r in fact_ids] for f in scenario.facts}
    problems: list[Problem] = []
    reported: set[str] = set()
    for start in graph:
        stack, seen = [(start, [start])], set()
        while stack:
            node, path = stack.pop()
            for nxt in graph.get(node, []):
                if nxt == start and len(path) > 1 and start not in reported:
                    reported.update(path)
                    chain = " → ".join(path + [start])
                    problems.append(
                        pos.problem(
                            ("facts", fact_ids[start], "condition", "after_facts"),
                            f"fact {start!r} can never be disclosed: its after_facts form a cycle ({chain})",
                        )
                    )
                elif nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, path + [nxt]))
    return problems


def _unknown(kind: str, name: str, known: Collection[str]) -> str:
    import difflib

    hint = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    message = f"unknown {kind} {name!r}"
    return message + (f"; did you mean {hint[0]!r}?" if hint else "")
