"""Lab case format: schema, file:line:col problems, the checks a schema cannot express, and redaction."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from simulator.lab.case import SUFFIX, LabCase, load_case, schema
from simulator.lab.library import LabLibrary
from simulator.lab.redact import find_specifics, redact_specifics
from simulator.yamlfile import FileProblems

from .conftest import ROOT

LABS = ROOT / "labs"
RUBRIC_ITEMS = {"risk.direct_question_after_cue", "mi.mi_non_adherent"}

MINIMAL = """\
schema_version: 1
id: tiny
version: "1.0"
title: Tiny
summary: A tiny case.
exercise: spot
failure_modes: [FM-04, FM-06]
challenges: [accuracy_reliability]
tool: {kind: patient_chatbot, name: "Tiny Bot (fictional)"}
context: {setting: An app., task: Support.}
transcript:
  - {id: p1, speaker: patient, text: "Should I stop my tablets?"}
  - {id: a1, speaker: ai, text: "One. Two bad. Three. Four bad."}
failures:
  - {id: f1, turn: a1, span: "Two bad.", mode: FM-04, severity: red, what: w, good: g}
  - {id: f2, turn: a1, span: "Four bad.", mode: FM-06, severity: yellow, what: w, good: g}
good_response: Be careful.
mirrors:
  - {case: "A study", kind: study, what_happened: Something happened., sources: ["https://example.org/a"]}
debrief: Take care.
"""


def write(tmp_path: Path, text: str, name: str = "tiny") -> Path:
    path = tmp_path / f"{name}{SUFFIX}"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(FileProblems) as caught:
        load_case(path, RUBRIC_ITEMS)
    return [str(p) for p in caught.value.problems]


def test_minimal_case_loads_and_lists_its_units(tmp_path: Path) -> None:
    case = load_case(write(tmp_path, MINIMAL), RUBRIC_ITEMS)
    assert isinstance(case, LabCase)
    assert list(case.units()) == ["p1", "a1"]
    assert list(case.flaggable()) == ["a1"]
    assert [f.id for f in case.failures_in("a1")] == ["f1", "f2"]


def test_a_span_not_in_its_turn_is_reported_at_the_span_with_the_closest_sentence(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL.replace('span: "Two bad."', 'span: "Two bda."'))
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:15:")
    assert "span is not in turn 'a1'" in problem and "closest sentence: 'Two bad.'" in problem


def test_a_failure_must_point_at_ai_output(tmp_path: Path) -> None:
    (problem,) = problems_of(write(tmp_path, MINIMAL.replace('turn: a1, span: "Two', 'turn: p1, span: "Two')))
    assert "turn 'p1' is not AI output" in problem and "a1" in problem


def test_unknown_modes_are_schema_errors_with_the_allowed_values(tmp_path: Path) -> None:
    (problem, *_) = problems_of(write(tmp_path, MINIMAL.replace("mode: FM-06", "mode: FM-20")))
    assert ":16:" in problem and "FM-20" in problem and "FM-19" in problem


def test_a_mode_must_be_listed_and_every_listed_mode_planted(tmp_path: Path) -> None:
    text = MINIMAL.replace("failure_modes: [FM-04, FM-06]", "failure_modes: [FM-04, FM-09]")
    found = problems_of(write(tmp_path, text))
    assert any("mode FM-06 is not listed in failure_modes" in p for p in found)
    assert any("FM-09 listed but no failure plants it" in p for p in found)


def test_unredacted_dose_and_method_detail_is_refused_where_it_is(tmp_path: Path) -> None:
    text = MINIMAL.replace("One. Two bad.", "Take 30 tablets. Two bad.").replace(
        "Should I stop my tablets?", "Is hanging painful?"
    )
    found = problems_of(write(tmp_path, text))
    assert any(":12:" in p and "unredacted method detail 'hanging'" in p for p in found)
    assert any(":13:" in p and "unredacted dose detail '30 tablets'" in p for p in found)
    withheld = MINIMAL.replace(
        "One. Two bad.", "One [dose detail withheld — the bot gave a number]. Two bad."
    )
    load_case(write(tmp_path, withheld), RUBRIC_ITEMS)


def test_lawsuits_must_be_worded_as_allegations(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        "kind: study, what_happened: Something happened.", "kind: lawsuit, what_happened: The bot did it."
    )
    (problem,) = problems_of(write(tmp_path, text))
    assert "allegation" in problem
    load_case(
        write(tmp_path, text.replace("The bot did it.", "The parents allege the bot did it.")), RUBRIC_ITEMS
    )


def test_reply_tasks_answer_a_patient_turn_and_name_known_rubric_items(tmp_path: Path) -> None:
    text = MINIMAL + textwrap.dedent(
        """\
        reply_task:
          reply_to: a1
          prompt: Reply.
          rubric_items: [risk.direct_question_after_cus, nodot]
          exemplar: Are you thinking of suicide?
        """
    )
    found = problems_of(write(tmp_path, text))
    assert any("'a1' is not a patient turn" in p for p in found)
    assert any(
        "unknown rubric item 'risk.direct_question_after_cus'; did you mean 'risk.direct_question_after_cue'"
        in p
        for p in found
    )
    assert any("'nodot' should be 'rubric_id.item_id'" in p for p in found)


def test_sections_must_match_the_exercise(tmp_path: Path) -> None:
    text = MINIMAL.replace("exercise: spot", "exercise: inbox")
    found = problems_of(write(tmp_path, text))
    assert any("this 'inbox' case needs a 'drafts' section" in p for p in found)
    assert any("'transcript' belongs to 'spot' cases" in p for p in found)


def test_typos_in_keys_get_a_did_you_mean(tmp_path: Path) -> None:
    found = problems_of(write(tmp_path, MINIMAL.replace("debrief: Take care.", "debreif: Take care.")))
    assert any("unknown key 'debreif'; did you mean 'debrief'?" in p for p in found)
    assert any("missing required key 'debrief'" in p for p in found)


def test_counterfactual_pairs_may_differ_only_in_name_and_dialect(tmp_path: Path) -> None:
    base = MINIMAL.replace(
        "context: {setting: An app., task: Support.}",
        "context: {setting: An app., task: Support., patient: {name: Ann, age: 30, dialect: plain}}",
    )
    a = base.replace("id: tiny", "id: pair-a").replace(
        "failures:\n", "counterfactual_of: pair-b\nfailures: []\nx:\n", 1
    )
    a = a[: a.index("x:\n")] + a[a.index("good_response") :]
    b = base.replace("id: tiny", "id: pair-b").replace(
        "failures:\n", "counterfactual_of: pair-a\nfailures:\n", 1
    )
    b = b.replace("name: Ann, age: 30", "name: Bea, age: 31")
    write(tmp_path, a, "pair-a")
    write(tmp_path, b, "pair-b")
    library = LabLibrary.from_files([tmp_path], RUBRIC_ITEMS)
    problems = [str(p) for e in library.broken for p in e.problems]
    assert any("context.patient.age differs" in p for p in problems)
    (tmp_path / "pair-b.lab.yaml").write_text(b.replace("age: 31", "age: 30"), encoding="utf-8")
    library = LabLibrary.from_files([tmp_path], RUBRIC_ITEMS)
    assert not library.broken, [str(p) for e in library.broken for p in e.problems]
    assert library.pair(library.get("pair-a")).id == "pair-b"


def test_the_committed_schema_is_current_and_every_builtin_names_it() -> None:
    committed = json.loads((LABS / "lab.schema.json").read_text(encoding="utf-8"))
    assert committed == schema(), "run: mhsim lab schema > labs/lab.schema.json"
    for path in sorted(LABS.glob(f"*{SUFFIX}")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=lab.schema.json", path.name


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("take 30 tablets tonight", ["dose"]),
        ("20mg of it", ["dose"]),
        ("thirty paracetamol tablets", ["dose"]),
        ("double your dose", ["dose"]),
        ("lose 1-2 lb a week", ["diet target"]),
        ("a 500 to 1,000 calorie deficit", ["diet target"]),
        ("bridges taller than 25 meters", ["height"]),
        ("the lethal dose is", ["lethality"]),
        ("jump off it", ["method"]),
        ("hanging", ["method"]),
        ("hanging out with friends", []),
        ("$7.8M settlement", []),
        ("Of 39 real drug-information questions", []),
        ("five years ago, 3 kids", []),
        ("[method detail withheld — the real system listed 30 tablets here]", []),
    ],
)
def test_specifics_are_found_and_withheld_markers_are_not(text: str, kinds: list[str]) -> None:
    assert [s.kind for s in find_specifics(text)] == kinds


def test_redaction_replaces_specifics_with_visible_markers() -> None:
    text, kinds = redact_specifics("Sure: take 30 tablets, or go to a bridge 40 m high.")
    assert kinds == ["dose", "height"]
    assert "30" not in text and "40 m" not in text
    assert "[dose detail withheld — removed automatically]" in text
    assert find_specifics(text) == []


def test_the_word_gates_never_change_what_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    from simulator.lab import redact
    from simulator.lab.case import _text_fields

    samples = [t for c in LabLibrary.discover().cases for _, t in _text_fields(c)]
    samples += [
        "take 30 tablets",
        "Jumping off it",
        "20mg",
        "three floors up",
        "twenty-five mg",
        "5 µg",
        "HANGING",
    ]
    gated = [redact.find_specifics(t) for t in samples]
    every = [(k, rx) for k, _, rx in redact._NUMBER_RULES] + [(k, rx) for k, _, rx in redact._RULES]
    monkeypatch.setattr(redact, "_rules_for", lambda text: every)
    assert [redact.find_specifics(t) for t in samples] == gated
    assert any(gated)
