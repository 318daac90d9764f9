"""Scenario lint: problems a valid scenario can still have, found by reading it and by running its tests.

Validation (:mod:`simulator.scenario_checks`) says whether a file can be loaded at all. Lint goes further and
asks whether the scenario will teach well: its own tests pass, every fact can really be opened (the tests
show it), every topic the author defined has something for the patient to say, trust thresholds are within
reach of a realistic session, risk content carries a content warning, every learning objective is measured by
a rubric item, and the patient has something of its own to say when the trainee persuades or confronts.

Every finding has a stable rule id, a severity and a ``file:line:col`` position. Errors are things that make the
scenario behave wrongly or untested; warnings are weaker (a heuristic, or a gap in the tests).
"""

from __future__ import annotations

import asyncio
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from .library import duplicate_id_message, id_position
from .scenario import DEFAULT_TRUST_DELTAS, Scenario, ScenarioTest
from .yamlfile import FileProblems, Positions, Problem

if TYPE_CHECKING:
    from .engine import PatientEngine
    from .rubric import Rubric
    from .session import Session

Severity = Literal["error", "warning"]
Loc = tuple[str | int, ...]

REALISTIC_TURNS = 30  # trainee turns in a long training encounter; trust must be reachable within them


@dataclass(frozen=True, order=True)
class Finding:
    """One lint finding, at a position a text editor can jump to (1-based)."""

    path: str
    line: int
    col: int
    rule: str
    severity: Severity
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.severity} [{self.rule}] {self.message}"

    def as_dict(self) -> dict[str, str | int]:
        """The finding as plain JSON-ready data."""
        return {
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
        }


@dataclass(frozen=True)
class Rule:
    """A lint rule: its stable id, severity and what it looks for (shown by ``mhsim scenarios lint --rules``)."""

    id: str
    severity: Severity
    summary: str


RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        Rule(
            "invalid",
            "error",
            "The file does not validate (the same problems 'mhsim scenarios validate' shows).",
        ),
        Rule("no-tests", "error", "The scenario has no scenario tests, so nothing shows how its facts open."),
        Rule(
            "failing-test",
            "error",
            "A scenario test whose expectations do not hold (what 'mhsim scenarios test' reports as FAIL).",
        ),
        Rule(
            "untested-fact", "error", "A fact that no scenario test unlocks (the tests are run to find out)."
        ),
        Rule(
            "unsaid-fact",
            "warning",
            "A fact a scenario test unlocks, but that the patient never says in any test (see the ledger).",
        ),
        Rule(
            "topic-without-lines",
            "error",
            "A topic the scenario defines that no fact lists, so no lines answer it.",
        ),
        Rule(
            "unreachable-trust",
            "error",
            f"A min_trust that trust cannot reach within {REALISTIC_TURNS} turns of the best-rewarded behaviour.",
        ),
        Rule(
            "missing-content-warning",
            "error",
            "Risk content (a risk level above none; suicide, self-harm or abuse in the patient's words) without a "
            "content warning naming it.",
        ),
        Rule(
            "screener-without-risk-flag",
            "error",
            "A screener 'yes' whose fact can be disclosed without any risk question being asked.",
        ),
        Rule(
            "objective-not-measured",
            "warning",
            "A learning objective whose words match no item of the scenario's rubrics.",
        ),
        Rule(
            "missing-reaction",
            "warning",
            "No reaction written for persuading or confronting, so the patient answers with a generic line.",
        ),
        Rule(
            "unlabelled-talk",
            "warning",
            "A fact whose summary calls it change or sustain talk, with no 'talk:' label for the coach to use.",
        ),
        Rule("unreached-ending", "warning", "An ending no scenario test reaches."),
        Rule("duplicate-id", "warning", "Another scenario file uses the same id; only one of them is used."),
    )
}


@dataclass
class Context:
    """What the rules look at: the scenario, where its parts are in the file, its rubrics and its test runs."""

    scenario: Scenario
    pos: Positions
    rubrics: dict[str, Rubric]
    runs: list[tuple[ScenarioTest, Session]] = field(default_factory=list)

    def finding(self, rule: str, loc: Loc, message: str, *, key: bool = False) -> Finding:
        """A finding of ``rule`` at ``loc`` (or its nearest ancestor present in the file)."""
        line, col = self.pos.of(loc, key=key)
        return Finding(self.pos.path, line, col, rule, RULES[rule].severity, message)


# --- rules that need the test runs ----------------------------------------------------------------------


def _no_tests(ctx: Context) -> Iterable[Finding]:
    if not ctx.scenario.tests:
        yield ctx.finding(
            "no-tests",
            ("tests",),
            "the scenario has no tests; add at least one under 'tests:' whose script opens each fact "
            "(see 'Scenario tests' in docs/authoring.md)",
            key=True,
        )


def _failing_tests(ctx: Context) -> Iterable[Finding]:
    from .rehearsal import check_expectations

    # The runs are the ones `mhsim scenarios test` makes (same rehearsal, same seed), so both agree.
    for i, (test, session) in enumerate(ctx.runs):
        failures = check_expectations(session, test)
        if failures:
            yield ctx.finding(
                "failing-test",
                ("tests", i, "name"),
                f"test {test.name!r} fails: {'; '.join(failures)} (run 'mhsim scenarios test' on the file for the "
                "same report)",
            )


def _untested_facts(ctx: Context) -> Iterable[Finding]:
    if not ctx.runs:
        return
    disclosed = {d.fact_id for _test, session in ctx.runs for d in session.ledger}
    unlocked_in: dict[str, str] = {}
    for test, session in ctx.runs:
        for fact_id in session.state.unlocked:
            unlocked_in.setdefault(fact_id, test.name)
    for i, fact in enumerate(ctx.scenario.facts):
        if fact.id in disclosed:
            continue
        if fact.id in unlocked_in:
            where = ", ".join(fact.topics) or "none"
            yield ctx.finding(
                "unsaid-fact",
                ("facts", i, "id"),
                f"fact {fact.id!r} is unlocked in test {unlocked_in[fact.id]!r} but the patient never says it in "
                f"any test; add a turn that asks about one of its topics ({where}) after it unlocks, or set "
                "'volunteer: true' so a reflection brings it out",
            )
            continue
        message = f"fact {fact.id!r} is never unlocked by any scenario test; add a test whose script opens it"
        if fact.hint:
            message += f" (its hint: {fact.hint})"
        yield ctx.finding("untested-fact", ("facts", i, "id"), message)


def _unreached_endings(ctx: Context) -> Iterable[Finding]:
    if not ctx.runs:
        return
    reached = {session.info.ending or session.state.ended for _test, session in ctx.runs}
    for i, ending in enumerate(ctx.scenario.endings):
        if ending.id not in reached:
            yield ctx.finding(
                "unreached-ending",
                ("endings", i, "id"),
                f"ending {ending.id!r} is not reached by any scenario test; add a test with "
                f"'ending: {ending.id}' under expect",
            )


# --- rules on the file alone ------------------------------------------------------------------------------


def _topics_without_lines(ctx: Context) -> Iterable[Finding]:
    from .topics import BUILTIN_TOPICS

    # A topic has lines when a fact belongs to it (recall, guarded lines) or a question on it opens a fact.
    # Extending a built-in topic only teaches the coder more words (rubric detectors use them): not flagged.
    listed = {name for fact in ctx.scenario.facts for name in (*fact.topics, *fact.condition.topics)}
    for name in ctx.scenario.topics:
        if name not in listed and name not in BUILTIN_TOPICS:
            yield ctx.finding(
                "topic-without-lines",
                ("topics", name),
                f"topic {name!r} has no patient lines: no fact lists it under 'topics' or in its condition, so a "
                "question about it gets a generic reply; add it to the fact(s) that talk about it, or remove it",
                key=True,
            )


def _best_turn(scenario: Scenario) -> tuple[float, str]:
    """The largest trust gain one trainee turn can bring, and the behaviour that brings it.

    A behaviour's reaction may add its own trust change on top of the trust model (when no fact is due).
    """
    deltas = {**DEFAULT_TRUST_DELTAS, **scenario.trust.deltas}
    best, name = 0.0, ""
    for behaviour, delta in deltas.items():
        reaction = getattr(scenario.reactions, behaviour.value, None)
        gain = delta + max(reaction.trust if reaction else 0.0, 0.0)
        if gain > best:
            best, name = gain, behaviour.value
    return best, name


def _unreachable_trust(ctx: Context) -> Iterable[Finding]:
    scenario = ctx.scenario
    start, top = scenario.trust.start, scenario.trust.maximum
    best, behaviour = _best_turn(scenario)
    reach = min(top, start + REALISTIC_TURNS * best)
    conditions: list[tuple[Loc, float, str]] = []
    for i, fact in enumerate(scenario.facts):
        if fact.condition.min_trust is not None:
            conditions.append(
                (("facts", i, "condition", "min_trust"), fact.condition.min_trust, f"fact {fact.id!r}")
            )
    for i, change in enumerate(scenario.stage_changes):
        if change.condition.min_trust is not None:
            label = f"the move to {change.stage.value}"
            conditions.append(
                (("stage_changes", i, "condition", "min_trust"), change.condition.min_trust, label)
            )
    for loc, needed, label in conditions:
        if needed <= reach + 1e-9:
            continue
        if best <= 0:
            why = f"no behaviour raises trust above its start of {start:g}"
        else:
            turns = math.ceil((needed - start) / best - 1e-9)
            why = (
                f"trust starts at {start:g} and one turn raises it by at most {best:g} ({behaviour}), so "
                f"{REALISTIC_TURNS} turns reach {reach:g}"
            )
            why += f" (maximum {top:g})" if reach >= top - 1e-9 else f"; it needs {turns} such turns in a row"
        yield ctx.finding(
            "unreachable-trust", loc, f"{label} needs trust {needed:g}, which a trainee cannot reach: {why}"
        )


@dataclass(frozen=True)
class _RiskContent:
    """A kind of risk content: words that show it in the patient's text, and words that name it in a warning."""

    name: str
    mentions: re.Pattern[str]
    named_by: re.Pattern[str]


_PEOPLE = r"(?:he|she|they|dad|mum|mom|father|mother|husband|wife|partner|boyfriend|girlfriend|stepdad|uncle)"
_HARM_VERBS = (
    r"(?:hits|hit|beats|beat|kicks|kicked|chokes|choked|slaps|slapped|punches|punched|shoves|shoved)"
)
RISK_CONTENT: tuple[_RiskContent, ...] = (
    _RiskContent(
        "suicide",
        re.compile(
            r"\bsuicid\w*|\bkill(?:ing)? (?:myself|herself|himself|themselves)\b"
            r"|\bend(?:ing)? (?:my|it) (?:life|all)\b"
            r"|\btake my (?:own )?life\b|\b(?:not|never|wouldn't|didn't) (?:to )?wake up\b|\bbetter off dead\b"
            r"|\bbetter off without me\b|\b(?:want|wanted|wish|wished) to die\b|\bwish(?:ed)? I (?:was|were) dead\b",
            re.IGNORECASE,
        ),
        re.compile(
            r"suicid|wake up|wish(?:es|ed)? to (?:be dead|die)|death wish|end(?:ing)? (?:their|her|his|my) life",
            re.IGNORECASE,
        ),
    ),
    _RiskContent(
        "self-harm",
        re.compile(
            r"\bself[- ]?harm\w*|\bself[- ]?injur\w*"
            r"|\b(?:cut|cutting|burn|burning|hurt|hurting|harm|harming) (?:myself|herself|himself|themselves)\b",
            re.IGNORECASE,
        ),
        re.compile(r"self[- ]?harm|self[- ]?injur|harming (?:themselves|herself|himself)", re.IGNORECASE),
    ),
    _RiskContent(
        "abuse",
        re.compile(
            r"(?<!substance )(?<!alcohol )(?<!drug )\babus(?:e|ed|er|ers|ing|ive)\b|\brap(?:e|ed|ist)\b"
            r"|\bsexual(?:ly)? assault\w*|\bassault(?:ed|s)? (?:me|her|him)\b|\bmolest\w*|\bdomestic violence\b"
            r"|\bcoercive control\b|\bgroom(?:ed|ing) (?:me|her|him)\b"
            rf"|\b{_PEOPLE}\s+(?:\w+\s+)?{_HARM_VERBS}\s+(?:me|her|him|us|them)\b",
            re.IGNORECASE,
        ),
        re.compile(r"abus|violen|assault|rape|molest|coercive|safeguard|maltreat|neglect", re.IGNORECASE),
    ),
)


def _patient_text(scenario: Scenario) -> Iterable[tuple[Loc, str]]:
    """Everything the trainee may read or hear from the patient or the briefing, with where it is."""
    yield ("opening_line",), scenario.opening_line
    yield ("persona", "background"), scenario.persona.background
    yield ("persona", "presenting_concern"), scenario.persona.presenting_concern
    for i, fact in enumerate(scenario.facts):
        yield ("facts", i, "summary"), fact.summary
        for j, line in enumerate(fact.lines):
            yield ("facts", i, "lines", j), line
        for j, line in enumerate(fact.guarded_lines):
            yield ("facts", i, "guarded_lines", j), line
    for i, ending in enumerate(scenario.endings):
        yield ("endings", i, "line"), ending.line


def _missing_content_warnings(ctx: Context) -> Iterable[Finding]:
    scenario = ctx.scenario
    warnings = " | ".join(scenario.content_warnings)
    for kind in RISK_CONTENT:
        if kind.named_by.search(warnings):
            continue
        evidence: tuple[Loc, str] | None = None
        if kind.name == "suicide" and scenario.risk and scenario.risk.level != "none":
            evidence = (("risk", "level"), f"the risk level is {scenario.risk.level!r}")
        else:
            for loc, text in _patient_text(scenario):
                hit = kind.mentions.search(text)
                if hit:
                    evidence = (loc, f"the text mentions {hit.group(0)!r}")
                    break
        if evidence is not None:
            loc, why = evidence
            yield ctx.finding(
                "missing-content-warning",
                loc,
                f"{why} but no content warning names {kind.name}; add one under 'content_warnings' "
                f"(for example: {_EXAMPLE_WARNING[kind.name]!r})",
            )


_EXAMPLE_WARNING = {
    "suicide": "Suicidal thoughts",
    "self-harm": "Self-harm",
    "abuse": "Disclosure of abuse",
}


def _screener_without_risk_flag(ctx: Context) -> Iterable[Finding]:
    risk = ctx.scenario.risk
    if not risk:
        return
    index = {f.id: i for i, f in enumerate(ctx.scenario.facts)}
    for flag, answer in risk.screener.items():
        if answer.answer != "yes" or not answer.fact or answer.fact not in index:
            continue
        i = index[answer.fact]
        if not ctx.scenario.facts[i].condition.risk_flags:
            yield ctx.finding(
                "screener-without-risk-flag",
                ("facts", i, "condition"),
                f"fact {answer.fact!r} carries the 'yes' to {flag.value} but its condition has no risk_flags, so "
                f"the patient can disclose it without being asked; add 'risk_flags: [{flag.value}]' to its condition",
            )


_REACTION_WORDS = {
    "persuade": "advice or persuasion without permission",
    "confront": "confrontation or judgement",
}


def _missing_reactions(ctx: Context) -> Iterable[Finding]:
    from .patient import DEFAULT_LINES

    for name, what in _REACTION_WORDS.items():
        if getattr(ctx.scenario.reactions, name) is None:
            yield ctx.finding(
                "missing-reaction",
                ("reactions",),
                f"no reaction for {name}: the patient answers {what} with a generic line "
                f"({DEFAULT_LINES[name][0]!r}); write one in the patient's own voice under 'reactions: {name}:'",
                key=True,
            )


_TALK_WORDS = re.compile(r"\b(change|sustain)[ -]talk\b", re.IGNORECASE)


def _unlabelled_talk(ctx: Context) -> Iterable[Finding]:
    for i, fact in enumerate(ctx.scenario.facts):
        said = _TALK_WORDS.search(fact.summary)
        if said and fact.talk is None:
            kind = said.group(1).lower()
            yield ctx.finding(
                "unlabelled-talk",
                ("facts", i, "summary"),
                f"fact {fact.id!r} is described as {kind} talk but has no label, so the coach and the MI estimates "
                f"guess from the words (and often read it as neutral); add 'talk: {kind}' to the fact",
            )


# Words that say nothing about *what* is practised: grammar words, and words every objective and item share.
_STOP_WORDS = """a about above after again against all also an and any are as at be because been before being between
    both but by can could did do does doing during each either even every few for from further had has
    have having her here hers herself him himself his how i if in into is it its itself just least less
    let like may me might more most much must my no nor not now of off on once one only or other our out
    over own per rather same she should so some such than that the their theirs them themselves then
    there these they this those through to too under until up upon us very was we were what when where
    whether which while who whom whose why will with within without would you your yours first next last
    new way ways well patient patients client clients person trainee trainees clinician clinicians
    practitioner someone use using used make making made keep keeping kept get getting got give giving
    gave take taking took help helping find finding show showing practise practice practising practicing
    learn learning do done let letting try trying plain word words thing things time times own lets gets
    makes keeps takes gives shows helps uses finds tries come comes came set sets go goes going say says
    said see sees put puts"""
_STOP = frozenset(_STOP_WORDS.split())
_SUFFIXES = ("ations", "ation", "ings", "ing", "ions", "ion", "edly", "ed", "ies", "es", "ly", "al", "s", "e")


def _stem(word: str) -> str:
    """A tiny stemmer for keyword overlap: 'reflections', 'reflecting' → 'reflec'; 'suicidal' → 'suicid'."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:6]


def keywords(text: str) -> set[str]:
    """The stemmed content words of ``text`` (what objective matching compares)."""
    words = re.findall(r"[a-z][a-z0-9]*", text.lower())
    return {_stem(w) for w in words if w not in _STOP and len(w) > 1}


def objective_matches(objective: str, rubrics: Iterable[Rubric]) -> list[str]:
    """'rubric.item' ids whose title, description or instrument item shares a content word with the objective.

    Deliberately simple: grammar words and words every objective shares ('patient', 'use', 'help') are ignored,
    the rest are compared after a light stemming ('reflections' ~ 'reflecting').
    """
    wanted = keywords(objective)
    found = []
    for rubric in rubrics:
        for item in rubric.items:
            have = keywords(f"{item.title} {item.description} {item.instrument_item}")
            if wanted & have:
                found.append(f"{rubric.id}.{item.id}")
    return found


def _objectives_not_measured(ctx: Context) -> Iterable[Finding]:
    rubrics = [ctx.rubrics[r] for r in ctx.scenario.rubrics if r in ctx.rubrics]
    if not rubrics:
        return
    names = ", ".join(r.id for r in rubrics)
    for i, objective in enumerate(ctx.scenario.learning_objectives):
        if not objective_matches(objective, rubrics):
            yield ctx.finding(
                "objective-not-measured",
                ("learning_objectives", i),
                f"no item of the scenario's rubrics ({names}) measures the objective {objective!r}: none shares "
                "its key words; add a rubric that does, or word the objective as the item it is measured by",
            )


CHECKS: tuple[Callable[[Context], Iterable[Finding]], ...] = (
    _no_tests,
    _failing_tests,
    _untested_facts,
    _topics_without_lines,
    _unreachable_trust,
    _missing_content_warnings,
    _screener_without_risk_flag,
    _objectives_not_measured,
    _missing_reactions,
    _unlabelled_talk,
    _unreached_endings,
)


# --- running ------------------------------------------------------------------------------------------------


async def _run_tests(
    scenario: Scenario, rubrics: dict[str, Rubric], engine: PatientEngine | None
) -> list[tuple[ScenarioTest, Session]]:
    from .rehearsal import rehearse

    runs = []
    for test in scenario.tests:
        session = await rehearse(scenario, test.script, seed=test.seed, engine=engine, rubrics=rubrics)
        runs.append((test, session))
    return runs


def lint_scenario(
    scenario: Scenario, pos: Positions, rubrics: dict[str, Rubric], *, engine: PatientEngine | None = None
) -> list[Finding]:
    """Every finding for one valid scenario; its tests are run (scripted engine unless ``engine`` is given)."""
    ctx = Context(scenario, pos, rubrics)
    ctx.runs = asyncio.run(_run_tests(scenario, rubrics, engine))
    findings = [f for check in CHECKS for f in check(ctx)]
    return sorted(set(findings))


def _invalid(problems: Sequence[Problem]) -> list[Finding]:
    return [Finding(p.path, p.line, p.col, "invalid", "error", p.message) for p in problems]


@dataclass
class LintedFile:
    """One linted file: its findings, and the scenario when it loaded."""

    path: Path
    findings: list[Finding]
    scenario: Scenario | None = None


def lint_file(path: Path, rubrics: dict[str, Rubric]) -> LintedFile:
    """Validate then lint one scenario file; validation problems come back as 'invalid' findings."""
    from .scenario_checks import check_scenario
    from .yamlfile import load_model

    path = Path(path)
    try:
        scenario, pos = load_model(path, Scenario)
    except FileProblems as exc:
        return LintedFile(path, _invalid(exc.problems))
    problems = check_scenario(scenario, pos, set(rubrics))
    if problems:
        return LintedFile(path, _invalid(problems), scenario)
    return LintedFile(path, lint_scenario(scenario, pos, rubrics), scenario)


def lint_files(
    paths: Sequence[Path], rubrics: dict[str, Rubric], known: dict[str, list[Path]] | None = None
) -> list[LintedFile]:
    """Lint each file; ids used by more than one file (among these, or in ``known``) are 'duplicate-id'."""
    results = [lint_file(p, rubrics) for p in paths]
    owners: dict[str, list[Path]] = {}
    for result in results:
        if result.scenario is not None:
            owners.setdefault(result.scenario.id, []).append(result.path)
    for result in results:
        if result.scenario is None:
            continue
        here = result.path.resolve()
        others = [p for p in owners[result.scenario.id] if p.resolve() != here]
        others += [
            p for p in (known or {}).get(result.scenario.id, []) if p.resolve() != here and p not in others
        ]
        if others:
            message = duplicate_id_message(result.scenario.id, others)
            result.findings.append(
                Finding(str(result.path), *id_position(result.path), "duplicate-id", "warning", message)
            )
            result.findings.sort()
    return results


__all__ = [
    "REALISTIC_TURNS",
    "RULES",
    "Finding",
    "LintedFile",
    "Rule",
    "keywords",
    "lint_file",
    "lint_files",
    "lint_scenario",
    "objective_matches",
]
