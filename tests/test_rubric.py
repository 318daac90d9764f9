"""Rubric format: built-in rubrics load, the committed schema is current, and bad files get file:line:col."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from simulator.paths import builtin_dir
from simulator.rubric import (
    DETECTOR_TYPES,
    MAX_PATTERN_CHARS,
    Rubric,
    TextPattern,
    load_rubric,
    load_rubrics,
    rubric_dirs,
    rubric_schema,
)
from simulator.yamlfile import FileProblems

RUBRICS = builtin_dir("rubrics")

GOOD = """\
schema_version: 1
id: demo
version: "1"
title: Demo
instrument:
  name: Demo instrument
  citation: After nothing in particular
items:
  - id: rq
    title: R to Q
    kind: ratio
    detector:
      type: reflection_question_ratio
    thresholds:
      - {min: 2, label: good, status: met}
      - {min: 1, label: fair, status: partly}
      - {label: below fair, status: missed}
  - id: words
    title: Words
    kind: checklist
    detector:
      type: text_pattern
      mode: absent
      pattern: "24/7"
"""


def write(tmp_path: Path, text: str, name: str = "demo.rubric.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def position(text: str, needle: str) -> tuple[int, int]:
    """1-based line and column where ``needle`` first appears."""
    for number, line in enumerate(text.splitlines(), 1):
        col = line.find(needle)
        if col >= 0:
            return number, col + 1
    raise AssertionError(f"{needle!r} not in text")


def problems_of(path: Path) -> list[str]:
    with pytest.raises(FileProblems) as caught:
        load_rubric(path)
    return [str(p) for p in caught.value.problems]


# --- Built-in rubrics and schema --------------------------------------------------------------------------------


def test_builtin_rubrics_load_without_problems():
    rubrics, problems = load_rubrics([RUBRICS])
    assert [str(p) for p in problems] == []
    assert {"mi", "risk", "ai_literacy"} <= set(rubrics)
    assert rubric_dirs()[0] == RUBRICS


def test_builtin_rubric_files_point_at_the_schema():
    for path in RUBRICS.glob("*.rubric.yaml"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=rubric.schema.json", path.name


def test_builtin_rubrics_name_their_instruments_and_cover_the_brief():
    rubrics, _ = load_rubrics([RUBRICS])
    mi = rubrics["mi"]
    assert "MITI 4.2.1" in mi.instrument.citation
    rq = mi.item("reflection_to_question")
    assert [(t.min, t.label, t.status) for t in rq.thresholds] == [
        (2, "good", "met"),
        (1, "fair", "partly"),
        (None, "below fair", "missed"),
    ]
    cr = mi.item("complex_reflection_share")
    assert [(t.min, t.status) for t in cr.thresholds] == [(0.5, "met"), (0.4, "partly"), (None, "missed")]
    risk = rubrics["risk"]
    assert risk.item("direct_question_after_cue").kind == "critical"
    assert "C-SSRS" in risk.instrument.name and "Stanley" in risk.instrument.citation
    for rubric in rubrics.values():
        assert rubric.licence_note
        for item in rubric.items:
            if item.kind in ("checklist", "critical") or item.thresholds:
                assert item.better_replies, f"{rubric.id}.{item.id} needs a better reply"


def test_committed_schema_is_not_stale():
    committed = (RUBRICS / "rubric.schema.json").read_text(encoding="utf-8")
    assert committed == json.dumps(rubric_schema(), indent=2, sort_keys=True) + "\n", (
        "rubrics/rubric.schema.json is stale; regenerate it from simulator.rubric.rubric_schema()"
    )


def test_schema_is_draft07_and_every_field_is_described():
    schema = rubric_schema()
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    missing = []
    for name, definition in [("Rubric", schema), *schema.get("$defs", {}).items()]:
        for prop, body in definition.get("properties", {}).items():
            if "description" not in body:
                missing.append(f"{name}.{prop}")
    assert missing == []
    detector_types = {
        d["properties"]["type"]["const"]
        for d in schema["$defs"].values()
        if "type" in d.get("properties", {}) and "const" in d["properties"]["type"]
    }
    assert detector_types == set(DETECTOR_TYPES)


def test_good_file_loads(tmp_path):
    rubric = load_rubric(write(tmp_path, GOOD))
    assert isinstance(rubric, Rubric)
    assert rubric.item("words").detector.regex.search("call me 24/7")


# --- Validation problems with positions -------------------------------------------------------------------------


def test_unknown_key_with_did_you_mean(tmp_path):
    text = GOOD.replace("    title: R to Q", "    titel: R to Q")
    path = write(tmp_path, text)
    line, col = position(text, "titel")
    found = problems_of(path)
    assert f"{path}:{line}:{col}: unknown key 'titel'; did you mean 'title'?" in found


def test_unknown_key_inside_a_detector_points_at_it(tmp_path):
    text = GOOD.replace("      mode: absent", "      mdoe: absent")
    path = write(tmp_path, text)
    line, col = position(text, "mdoe")
    found = problems_of(path)
    assert f"{path}:{line}:{col}: unknown key 'mdoe'; did you mean 'mode'?" in found


def test_wrong_type_points_at_the_value(tmp_path):
    text = GOOD.replace("      - {min: 2, label: good", "      - {min: lots, label: good")
    path = write(tmp_path, text)
    line, col = position(text, "lots")
    found = problems_of(path)
    assert any(p.startswith(f"{path}:{line}:{col}: items.0.thresholds.0.min") for p in found), found


def test_unknown_detector_type_suggests_the_right_one(tmp_path):
    text = GOOD.replace("type: reflection_question_ratio", "type: reflection_question_ration")
    path = write(tmp_path, text)
    line, _ = position(text, "reflection_question_ration")
    found = problems_of(path)
    assert any(
        p.startswith(f"{path}:{line}:") and "did you mean 'reflection_question_ratio'" in p for p in found
    ), found


def test_id_must_equal_file_stem(tmp_path):
    path = write(tmp_path, GOOD, name="other.rubric.yaml")
    line, col = position(GOOD, "demo")
    found = problems_of(path)
    assert found == [
        f"{path}:{line}:{col}: id 'demo' must equal the file name 'other' (file 'other.rubric.yaml')"
    ]


def test_bad_regex_is_reported_at_the_pattern(tmp_path):
    text = GOOD.replace('pattern: "24/7"', 'pattern: "(unclosed"')
    path = write(tmp_path, text)
    line, col = position(text, '"(unclosed"')
    found = problems_of(path)
    assert len(found) == 1
    assert found[0].startswith(f"{path}:{line}:{col}: items.1.detector.pattern")
    assert "not a valid regular expression" in found[0]


def test_slow_regex_and_overlong_regex_are_refused(tmp_path):
    path = write(tmp_path, GOOD.replace('pattern: "24/7"', 'pattern: "(a+)+b"'))
    assert "nested quantifier" in problems_of(path)[0]
    long = "a" * (MAX_PATTERN_CHARS + 1)
    path = write(tmp_path, GOOD.replace('pattern: "24/7"', f'pattern: "{long}"'))
    assert "at most 500 characters" in problems_of(path)[0]


def test_unreachable_threshold_band_and_duplicate_item(tmp_path):
    text = GOOD.replace("- {min: 1, label: fair", "- {min: 3, label: fair").replace("id: words", "id: rq")
    path = write(tmp_path, text)
    found = problems_of(path)
    assert any("band 'fair' can never apply" in p for p in found), found
    line, _ = position(text, "{min: 3")
    assert any(p.startswith(f"{path}:{line}:") for p in found)
    assert any("duplicate item id 'rq'" in p for p in found)


def test_load_rubrics_reports_broken_files_and_keeps_good_ones(tmp_path):
    write(tmp_path, GOOD)
    write(
        tmp_path,
        GOOD.replace("id: demo", "id: broken").replace("kind: ratio", "kind: vibes"),
        name="broken.rubric.yaml",
    )
    other = tmp_path / "more"
    other.mkdir()
    write(other, GOOD)  # same id again: reported, first one kept
    rubrics, problems = load_rubrics([tmp_path, other, tmp_path / "absent"])
    assert list(rubrics) == ["demo"]
    messages = [str(p) for p in problems]
    assert any("broken.rubric.yaml" in m and "kind" in m for m in messages), messages
    assert any("already defined" in m for m in messages), messages


def test_text_pattern_compiles_once():
    detector = TextPattern(type="text_pattern", pattern="always here", mode="absent")
    assert detector.regex is detector.regex
    assert detector.regex.flags & 2  # re.IGNORECASE


# --- Rubric format v1 additions: ENACT levels, estimates, topic checks, the rubrics command -------------------


def test_enact_rubric_covers_the_text_observable_items():
    rubric = load_rubric(RUBRICS / "enact.rubric.yaml")
    numbers = {int(i.instrument_item.split(":")[0].split()[-1]) for i in rubric.items}
    assert numbers == set(range(2, 16))  # item 1 (non-verbal) cannot be seen in text
    assert all(i.better_replies and i.detector.type == "enact_level" for i in rubric.items)
    assert rubric.item("harm_assessment").kind == "critical"


def test_mi_rubric_has_the_four_estimated_globals():
    rubric = load_rubric(RUBRICS / "mi.rubric.yaml")
    ratings = {i.detector.rating for i in rubric.items if i.detector.type == "global_estimate"}
    assert {"empathy", "partnership", "cultivating_change_talk", "softening_sustain_talk"} <= ratings
    assert all("estimate" in i.title.lower() for i in rubric.items if i.detector.type == "global_estimate")


def test_unknown_topic_is_reported_with_its_position(tmp_path):
    text = GOOD + (
        "  - id: ask\n    title: Ask\n    kind: checklist\n"
        "    detector:\n      type: topic_asked\n      topics: [gardening]\n"
    )
    path = write(tmp_path, text)
    [problem] = problems_of(path)
    line, _ = position(text, "topics: [gardening]")
    assert f"demo.rubric.yaml:{line}:" in problem and "unknown topic 'gardening'" in problem
    declared = write(tmp_path, text.replace("items:", "scenario_topics: [gardening]\nitems:"))
    assert load_rubric(declared).scenario_topics == ["gardening"]


def test_signal_needs_a_constraint_and_a_safe_pattern(tmp_path):
    text = GOOD + (
        "  - id: lvl\n    title: Level\n    kind: level\n    detector:\n      type: enact_level\n"
        "      basic:\n        - {label: nothing}\n        - {label: slow, pattern: \"(a+)+\"}\n"
    )
    found = " ".join(problems_of(write(tmp_path, text)))
    assert "give at least one of behaviours" in found and "nested quantifier" in found


def test_rubrics_command_validate_list_schema(tmp_path):
    from typer.testing import CliRunner

    from cli import app

    runner = CliRunner()
    ok = runner.invoke(app, ["rubrics", "validate"])
    assert ok.exit_code == 0, ok.output
    assert "0 problems" in ok.stdout
    bad = write(tmp_path, GOOD.replace("reflection_question_ratio", "no_such_detector"))
    result = runner.invoke(app, ["rubrics", "validate", str(bad)])
    assert result.exit_code == 1 and "demo.rubric.yaml:" in result.stderr and "Traceback" not in result.output
    listed = runner.invoke(app, ["rubrics", "list", "--json"])
    assert {r["id"] for r in json.loads(listed.stdout)["rubrics"]} >= {"mi", "risk", "ai_literacy", "enact"}
    schema = runner.invoke(app, ["rubrics", "schema"])
    assert json.loads(schema.stdout) == rubric_schema()
