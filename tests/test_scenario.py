"""The scenario format: built-ins are valid, the schema is current, semantic problems are caught."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from simulator.library import Library, UnknownScenario, known_rubric_ids, load_scenario
from simulator.scenario import schema
from simulator.yamlfile import FileProblems

from .conftest import ROOT

BUILTINS = sorted((ROOT / "scenarios").glob("*.scenario.yaml"))


def test_committed_schema_is_current() -> None:
    committed = json.loads((ROOT / "scenarios" / "scenario.schema.json").read_text())
    assert committed == schema(), "run: mhsim scenarios schema > scenarios/scenario.schema.json"


@pytest.mark.parametrize("path", BUILTINS, ids=lambda p: p.name)
def test_builtin_scenarios_are_valid_and_point_at_the_schema(path: Path) -> None:
    from simulator.library import known_rubric_ids

    assert path.read_text().startswith("# yaml-language-server: $schema=scenario.schema.json")
    scenario = load_scenario(path, known_rubric_ids())
    assert scenario.tests, "every built-in scenario has scenario tests"


def minimal(**overrides) -> dict:
    doc = {
        "schema_version": 1,
        "id": "tiny",
        "version": "1",
        "title": "Tiny",
        "summary": "s",
        "difficulty": "beginner",
        "learning_objectives": ["o"],
        "persona": {"name": "A B", "age": 30, "pronouns": "they/them", "background": "b", "presenting_concern": "c"},
        "opening_line": "Hi.",
        "facts": [{"id": "f1", "summary": "s", "lines": ["l"], "condition": {"topics": ["sleep"]}}],
        "rubrics": ["mi"],
    }
    doc.update(overrides)
    return doc


def write(tmp_path: Path, doc: dict) -> Path:
    path = tmp_path / "x.scenario.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def problems(path: Path, rubric_ids=("mi",)) -> list[str]:
    with pytest.raises(FileProblems) as info:
        load_scenario(path, rubric_ids)
    return [p.message for p in info.value.problems]


def test_minimal_scenario_loads(tmp_path: Path) -> None:
    assert load_scenario(write(tmp_path, minimal()), {"mi"}).id == "tiny"


def test_dangling_references_are_reported(tmp_path: Path) -> None:
    doc = minimal(
        facts=[{"id": "f1", "summary": "s", "lines": ["l"], "condition": {"topics": ["slep"], "after_facts": ["f9"]}}],
        risk={"level": "low", "cues": ["nope"], "screener": {"ask_wish_dead": {"answer": "yes", "fact": "f2"}}},
        rubrics=["mi", "mii"],
    )
    got = problems(write(tmp_path, doc))
    assert "unknown topic 'slep'; did you mean 'sleep'?" in got
    assert any(m.startswith("unknown fact 'f9'") for m in got)
    assert any(m.startswith("unknown fact 'nope'") for m in got)
    assert any(m.startswith("unknown fact 'f2'") for m in got)
    assert "unknown rubric 'mii'; did you mean 'mi'?" in got


def test_facts_that_can_never_be_disclosed(tmp_path: Path) -> None:
    doc = minimal(
        facts=[
            {"id": "a", "summary": "s", "lines": ["l"], "condition": {"after_facts": ["b"]}},
            {"id": "b", "summary": "s", "lines": ["l"], "condition": {"after_facts": ["a"]}},
            {"id": "c", "summary": "s", "lines": ["l"], "condition": {"min_trust": 0.9}},
        ],
        trust={"start": 0.2, "maximum": 0.8},
    )
    got = problems(write(tmp_path, doc))
    assert any("form a cycle (a → b → a)" in m for m in got)
    assert any("min_trust 0.9 can never be reached" in m for m in got)


def test_trust_that_can_only_fall(tmp_path: Path) -> None:
    deltas = {b: -0.1 for b in ("open_question", "closed_question", "simple_reflection", "complex_reflection",
                                 "affirm", "seek_collaboration", "emphasize_autonomy", "advise_with_permission")}
    doc = minimal(
        facts=[{"id": "c", "summary": "s", "lines": ["l"], "condition": {"min_trust": 0.5}}],
        trust={"start": 0.2, "deltas": deltas},
    )
    assert any("cannot rise above 0.2" in m for m in problems(write(tmp_path, doc)))


def test_problem_positions_point_into_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, minimal(rubrics=["mi", "zzz"]))
    with pytest.raises(FileProblems) as info:
        load_scenario(path, {"mi"})
    (problem,) = info.value.problems
    line = path.read_text().splitlines()[problem.line - 1]
    assert "zzz" in line


def test_library_lists_broken_files_and_suggests_ids(tmp_path: Path) -> None:
    (tmp_path / "broken.scenario.yaml").write_text("schema_version: 1\nid: broken\n")
    lib = Library.discover([tmp_path], rubric_ids=known_rubric_ids())
    assert [e.path.name for e in lib.broken] == ["broken.scenario.yaml"]
    assert "low-mood-passive-si" in [s.id for s in lib.scenarios]
    with pytest.raises(UnknownScenario, match="Did you mean: low-mood-passive-si"):
        lib.get("low-mood")
    with pytest.raises(UnknownScenario, match="is broken"):
        lib.get("broken")


def test_conflicting_ids_are_reported(tmp_path: Path) -> None:
    src = ROOT / "scenarios" / "low-mood-passive-si.scenario.yaml"
    (tmp_path / "copy.scenario.yaml").write_text(src.read_text())
    lib = Library.discover([tmp_path], rubric_ids=known_rubric_ids())
    assert "low-mood-passive-si" in lib.conflicts()
    assert lib.get("low-mood-passive-si")  # the built-in wins
