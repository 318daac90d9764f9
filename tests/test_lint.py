"""Scenario lint: each rule finds the problem it names, at the right line, and only errors fail the command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from simulator.lint import RULES, Finding, lint_file, objective_matches
from simulator.rubric import load_rubrics

from .conftest import ROOT

runner = CliRunner()

BASE = """\
schema_version: 1
id: lint-base
version: "1"
title: Lint base
summary: A small scenario for lint tests.
difficulty: beginner
learning_objectives:
  - Use open questions to explore the problem.
content_warnings:
  - Stress at work
persona:
  name: Sam Carter
  age: 34
  pronouns: they/them
  background: Works in a call centre.
  presenting_concern: Stress and poor sleep.
opening_line: "Hi. I'm a bit stressed."
topics:
  commute:
    keywords: ["commut*", "bus"]
facts:
  - id: poor_sleep
    summary: Sleeps five hours a night.
    topics: [sleep]
    lines: ["I only get about five hours."]
    condition: {topics: [sleep]}
  - id: long_commute
    summary: Two buses each way.
    topics: [commute]
    lines: ["It's two buses each way."]
    condition: {topics: [commute], min_trust: 0.3}
trust:
  start: 0.3
reactions:
  persuade:
    lines: ["It's not that simple."]
  confront:
    lines: ["Right. I knew this was a waste of time."]
    trust: -0.05
endings:
  - id: leaves_early
    title: Sam leaves
    outcome: negative
    when: {max_trust: 0.1, min_turn: 3}
    line: "I'll go, actually."
rubrics: [mi]
tests:
  - name: questions open both facts
    script:
      - "How have you been sleeping?"
      - "How is the commute?"
    expect:
      disclosed: [poor_sleep, long_commute]
  - name: blame ends it
    script:
      - "You're not really trying, are you."
      - "That's just an excuse."
      - "You need to sort yourself out."
    expect:
      ending: leaves_early
"""

EXTRA_FACT = """\
  - id: {id}
    summary: {summary}
    topics: {topics}
    lines: ["{line}"]
    condition: {condition}
"""


@pytest.fixture(scope="module")
def rubrics():
    loaded, _broken = load_rubrics()
    return loaded


def write(tmp_path: Path, text: str, name: str = "case.scenario.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def with_fact(text: str, **fields: str) -> str:
    """The scenario with one more fact appended after the last one."""
    block = EXTRA_FACT.format(**fields)
    return text.replace("trust:\n  start:", block + "trust:\n  start:", 1)


def findings(path: Path, rubrics, rule: str | None = None) -> list[Finding]:
    found = lint_file(path, rubrics).findings
    return [f for f in found if rule is None or f.rule == rule]


def line_of(path: Path, finding: Finding) -> str:
    return path.read_text().splitlines()[finding.line - 1]


def test_the_base_scenario_is_clean(tmp_path: Path, rubrics) -> None:
    assert findings(write(tmp_path, BASE), rubrics) == []


def test_every_rule_has_a_severity_and_summary() -> None:
    assert {
        "untested-fact",
        "topic-without-lines",
        "unreachable-trust",
        "missing-content-warning",
        "screener-without-risk-flag",
        "objective-not-measured",
        "missing-reaction",
        "unreached-ending",
    } <= set(RULES)
    assert RULES["unreached-ending"].severity == "warning"
    assert RULES["untested-fact"].severity == "error"


def test_a_fact_no_test_unlocks(tmp_path: Path, rubrics) -> None:
    text = with_fact(
        BASE,
        id="sister",
        summary="Has a sister abroad.",
        topics="[family]",
        line="My sister lives in Spain.",
        condition="{topics: [family]}",
    )
    path = write(tmp_path, text)
    (finding,) = findings(path, rubrics)
    assert finding.rule == "untested-fact" and finding.severity == "error"
    assert "sister" in line_of(path, finding) and "'sister'" in finding.message


def test_a_fact_unlocked_but_never_said_says_why(tmp_path: Path, rubrics) -> None:
    # Three facts open on one sleep question; a reply carries two, so the third is unlocked but unsaid.
    text = with_fact(
        BASE,
        id="naps",
        summary="Naps at lunch.",
        topics="[energy]",
        line="I nap at lunch.",
        condition="{topics: [sleep]}",
    )
    text = with_fact(
        text,
        id="dreams",
        summary="Bad dreams.",
        topics="[mood]",
        line="I dream about work.",
        condition="{topics: [sleep]}",
    )
    path = write(tmp_path, text)
    (finding,) = findings(path, rubrics)
    assert finding.rule == "unsaid-fact" and finding.severity == "warning"
    assert "'dreams'" in finding.message and "never says it" in finding.message
    assert "dreams" in line_of(path, finding)


def test_no_tests_is_one_finding_not_one_per_fact(tmp_path: Path, rubrics) -> None:
    path = write(tmp_path, BASE[: BASE.index("tests:")])
    found = findings(path, rubrics)
    assert [f.rule for f in found] == ["no-tests"]


def test_a_topic_no_fact_talks_about(tmp_path: Path, rubrics) -> None:
    text = BASE.replace("topics:\n  commute:", "topics:\n  garden:\n    keywords: [garden*]\n  commute:")
    path = write(tmp_path, text)
    (finding,) = findings(path, rubrics)
    assert finding.rule == "topic-without-lines"
    assert line_of(path, finding).strip() == "garden:"


def test_extending_a_builtin_topic_needs_no_fact(tmp_path: Path, rubrics) -> None:
    text = BASE.replace("topics:\n  commute:", "topics:\n  family:\n    keywords: [whanau]\n  commute:")
    assert findings(write(tmp_path, text), rubrics) == []


def test_a_topic_that_only_opens_a_fact_has_lines(tmp_path: Path, rubrics) -> None:
    text = BASE.replace(
        "condition: {topics: [commute], min_trust: 0.3}",
        "condition: {topics: [commute, journey], min_trust: 0.3}",
    )
    text = text.replace("topics:\n  commute:", "topics:\n  journey:\n    keywords: [journey]\n  commute:")
    assert findings(write(tmp_path, text), rubrics, "topic-without-lines") == []


SLOW_TRUST = """trust:
  start: 0.3
  deltas: {open_question: 0.01, simple_reflection: 0.01, complex_reflection: 0.01, affirm: 0.01,
           seek_collaboration: 0.01, emphasize_autonomy: 0.01, advise_with_permission: 0.01}
"""


def test_a_trust_threshold_out_of_reach_in_a_realistic_session(tmp_path: Path, rubrics) -> None:
    text = BASE.replace("trust:\n  start: 0.3\n", SLOW_TRUST)
    text = with_fact(
        text,
        id="debt",
        summary="Owes money.",
        topics="[finances]",
        line="I owe a lot.",
        condition="{topics: [finances], min_trust: 0.8}",
    )
    path = write(tmp_path, text)
    (finding,) = findings(path, rubrics, "unreachable-trust")
    assert finding.severity == "error"
    assert line_of(path, finding).strip().startswith("condition: {topics: [finances], min_trust: 0.8}")
    assert "0.8" in finding.message and "0.6" in finding.message and "50 such turns" in finding.message


def test_a_reaction_bonus_counts_towards_reachable_trust(tmp_path: Path, rubrics) -> None:
    text = BASE.replace("trust:\n  start: 0.3\n", SLOW_TRUST)
    text = with_fact(
        text,
        id="debt",
        summary="Owes money.",
        topics="[finances]",
        line="I owe a lot.",
        condition="{topics: [finances], min_trust: 0.8}",
    )
    text = text.replace(
        "reactions:\n", 'reactions:\n  complex_reflection:\n    lines: ["Yes."]\n    trust: 0.05\n'
    )
    assert findings(write(tmp_path, text), rubrics, "unreachable-trust") == []


def test_risk_level_without_a_suicide_warning(tmp_path: Path, rubrics) -> None:
    path = write(tmp_path, BASE.replace("rubrics: [mi]", "risk:\n  level: low\nrubrics: [mi]"))
    (finding,) = findings(path, rubrics, "missing-content-warning")
    assert line_of(path, finding).strip() == "level: low"
    assert "suicide" in finding.message
    named = BASE.replace("  - Stress at work\n", "  - Stress at work\n  - Passive suicidal ideation\n")
    path = write(
        tmp_path, named.replace("rubrics: [mi]", "risk:\n  level: low\nrubrics: [mi]"), "named.scenario.yaml"
    )
    assert findings(path, rubrics, "missing-content-warning") == []


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("Last year I was cutting myself most nights.", "self-harm"),
        ("When he drinks he hits me.", "abuse"),
        ("Some days I wish I was dead.", "suicide"),
    ],
)
def test_risk_words_in_a_fact_need_a_warning(tmp_path: Path, rubrics, line: str, kind: str) -> None:
    text = BASE.replace(
        'lines: ["It\'s two buses each way."]', f'lines: ["It\'s two buses each way.", "{line}"]'
    )
    path = write(tmp_path, text)
    (finding,) = findings(path, rubrics, "missing-content-warning")
    assert line in line_of(path, finding) and kind in finding.message


def test_substance_abuse_is_not_abuse(tmp_path: Path, rubrics) -> None:
    text = BASE.replace("Works in a call centre.", "Works at a substance abuse charity.")
    assert findings(write(tmp_path, text), rubrics, "missing-content-warning") == []


def test_a_screener_yes_that_opens_without_a_risk_question(tmp_path: Path, rubrics) -> None:
    text = BASE.replace("  - Stress at work\n", "  - Stress at work\n  - Thoughts of suicide\n")
    text = with_fact(
        text,
        id="no_point",
        summary="Sometimes thinks there is no point.",
        topics="[hopelessness]",
        line="Sometimes I think there's no point.",
        condition="{topics: [hopelessness]}",
    )
    risk = 'risk:\n  level: low\n  screener:\n    ask_suicidal_thoughts: {answer: "yes", fact: no_point}\n'
    path = write(tmp_path, text.replace("rubrics: [mi]", risk + "rubrics: [mi]"))
    (finding,) = findings(path, rubrics, "screener-without-risk-flag")
    assert line_of(path, finding).strip() == "condition: {topics: [hopelessness]}"
    assert "ask_suicidal_thoughts" in finding.message


def test_an_objective_no_rubric_item_measures(tmp_path: Path, rubrics) -> None:
    text = BASE.replace(
        "  - Use open questions to explore the problem.\n",
        "  - Use open questions to explore the problem.\n  - Agree a relapse prevention plan with the family.\n",
    )
    path = write(tmp_path, text)
    (finding,) = findings(path, rubrics)
    assert finding.rule == "objective-not-measured" and finding.severity == "warning"
    assert "relapse prevention" in line_of(path, finding) and "relapse prevention" in finding.message


def test_objective_matching_ignores_grammar_and_word_endings(rubrics) -> None:
    mi = [rubrics["mi"]]
    assert "mi.simple_reflections" in objective_matches("Reflecting what the patient says", mi)
    assert objective_matches("Use the patient's own words with them", mi) == []


def test_missing_persuade_and_confront_reactions(tmp_path: Path, rubrics) -> None:
    text = BASE.replace('  persuade:\n    lines: ["It\'s not that simple."]\n', "")
    path = write(tmp_path, text)
    (finding,) = findings(path, rubrics)
    assert finding.rule == "missing-reaction" and "persuade" in finding.message
    assert line_of(path, finding).startswith("reactions:")


def test_change_or_sustain_talk_named_in_a_summary_wants_a_label(tmp_path: Path, rubrics) -> None:
    text = BASE.replace("    summary: Two buses each way.", "    summary: \"Sustain talk: the buses are fine, really.\"")
    path = write(tmp_path, text)
    (finding,) = findings(path, rubrics)
    assert finding.rule == "unlabelled-talk" and finding.severity == "warning"
    assert "talk: sustain" in finding.message and "Sustain talk" in line_of(path, finding)
    labelled = text.replace(
        "    summary: \"Sustain talk: the buses are fine, really.\"",
        "    summary: \"Sustain talk: the buses are fine, really.\"\n    talk: sustain",
    )
    assert findings(write(tmp_path, labelled), rubrics) == []


def test_an_ending_no_test_reaches(tmp_path: Path, rubrics) -> None:
    path = write(tmp_path, BASE[: BASE.index("  - name: blame ends it")])
    (finding,) = findings(path, rubrics)
    assert finding.rule == "unreached-ending" and finding.severity == "warning"
    assert "leaves_early" in line_of(path, finding)


def test_an_invalid_file_reports_its_validation_problems(tmp_path: Path, rubrics) -> None:
    path = write(tmp_path, BASE.replace("title: Lint base", "titel: Lint base"))
    found = findings(path, rubrics)
    assert found and {f.rule for f in found} == {"invalid"}
    assert any("unknown key 'titel'" in f.message for f in found)


# --- the command -----------------------------------------------------------------------------------------


def invoke(*args: str):
    return runner.invoke(app, ["scenarios", "lint", *args], catch_exceptions=False)


def test_lint_prints_file_line_col_and_fails_on_errors(tmp_path: Path) -> None:
    text = BASE.replace("topics:\n  commute:", "topics:\n  garden:\n    keywords: [garden*]\n  commute:")
    path = write(tmp_path, text)
    result = invoke(str(path))
    assert result.exit_code == 1
    assert f"{path}:19:3: error [topic-without-lines]" in result.stdout
    assert "Traceback" not in result.output


def test_lint_warnings_pass_unless_strict(tmp_path: Path) -> None:
    path = write(tmp_path, BASE[: BASE.index("  - name: blame ends it")])
    assert invoke(str(path)).exit_code == 0
    assert invoke(str(path), "--strict").exit_code == 1


def test_lint_json(tmp_path: Path) -> None:
    path = write(tmp_path, BASE[: BASE.index("  - name: blame ends it")])
    result = invoke(str(path), "--json")
    data = json.loads(result.stdout)
    assert data["errors"] == 0 and data["warnings"] == 1 and data["files"] == 1
    (finding,) = data["findings"]
    assert finding["rule"] == "unreached-ending" and finding["path"] == str(path) and finding["line"] > 1


def test_lint_a_folder_reports_ids_used_twice(tmp_path: Path) -> None:
    write(tmp_path, BASE, "one.scenario.yaml")
    write(tmp_path, BASE, "two.scenario.yaml")
    result = invoke(str(tmp_path), "--json")
    dupes = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "duplicate-id"]
    assert len(dupes) == 2 and all("also used by" in f["message"] for f in dupes)


def test_lint_a_file_reports_an_id_taken_by_a_builtin(tmp_path: Path) -> None:
    path = write(tmp_path, BASE.replace("id: lint-base", "id: low-mood-passive-si"))
    result = invoke(str(path), "--json")
    (dupe,) = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "duplicate-id"]
    assert "low-mood-passive-si.scenario.yaml" in dupe["message"]


def test_lint_by_id_and_rules_list() -> None:
    rules = invoke("--rules")
    assert rules.exit_code == 0 and "untested-fact" in rules.stdout and "warning" in rules.stdout
    by_id = invoke("low-mood-passive-si", "--json")
    assert json.loads(by_id.stdout)["files"] == 1
    unknown = invoke("no-such-scenario-id")
    assert unknown.exit_code == 1 and "No scenario with id" in unknown.output


BUILTINS = sorted((ROOT / "scenarios").glob("*.scenario.yaml"))


@pytest.mark.parametrize("path", BUILTINS, ids=[p.name.removesuffix(".scenario.yaml") for p in BUILTINS])
def test_builtin_scenarios_lint_clean(path: Path, rubrics) -> None:
    found = lint_file(path, rubrics).findings
    assert found == [], "\n".join(map(str, found))


def test_a_failing_scenario_test_is_an_error_at_the_test(tmp_path: Path, rubrics) -> None:
    expect = "      disclosed: [poor_sleep, long_commute]\n"
    text = BASE.replace(expect, expect + "      not_disclosed_before: {long_commute: 5}\n")
    path = write(tmp_path, text)
    (finding,) = findings(path, rubrics)
    assert finding.rule == "failing-test" and finding.severity == "error"
    assert line_of(path, finding).strip() == "- name: questions open both facts"
    assert "'long_commute' was disclosed at turn 2, before turn 5" in finding.message


def test_lint_and_test_agree_on_a_starter_scenario_whose_test_fails(tmp_path: Path) -> None:
    made = runner.invoke(app, ["new", "scenario", "x", "--dir", str(tmp_path)], catch_exceptions=False)
    assert made.exit_code == 0, made.output
    (path,) = tmp_path.glob("*.scenario.yaml")
    text = path.read_text()
    assert "not_disclosed_before: {work_pressure: 3}" in text
    path.write_text(text.replace("not_disclosed_before: {work_pressure: 3}", "not_disclosed_before: {work_pressure: 5}"))
    tested = runner.invoke(app, ["scenarios", "test", str(path)], catch_exceptions=False)
    assert tested.exit_code == 1
    linted = invoke(str(path))
    assert linted.exit_code == 1
    assert "error [failing-test]" in linted.stdout and "before turn 5" in linted.stdout


def test_every_rule_is_in_the_authoring_guide_with_its_severity() -> None:
    guide = (ROOT / "docs" / "authoring.md").read_text(encoding="utf-8")
    for rule in RULES.values():
        assert f"| `{rule.id}` | {rule.severity} |" in guide, rule.id
