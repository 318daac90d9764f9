"""``mhsim scenarios compare``: the same trainee lines against a counterfactual pair, scores compared item by item."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cli import app

runner = CliRunner()

PATIENT = """\
schema_version: 1
id: {id}
version: "1"
title: Pair case
summary: One half of a counterfactual pair.
difficulty: beginner
learning_objectives: [Ask directly about suicide after a risk cue.]
content_warnings: [Thoughts of suicide]
persona:
  name: {name}
  age: 40
  pronouns: she/her
  background: {background}
  presenting_concern: Low mood.
opening_line: "{opening}"
facts:
  - id: low_mood
    summary: Low for months.
    topics: [mood]
    lines: ["{mood_line}"]
    condition: {{topics: [mood]}}
  - id: no_point
    summary: Sees no point (a risk cue).
    topics: [hopelessness]
    lines: ["Some days I think, what's the point of any of it."]
    condition: {{min_trust: {cue_trust}, behaviours: [open_question, complex_reflection, simple_reflection]}}
  - id: wish_dead
    summary: Wishes she would not wake up.
    topics: [self_harm]
    lines: ["Sometimes I wish I could go to sleep and not wake up."]
    condition: {{risk_flags: [ask_wish_dead, ask_suicidal_thoughts]}}
risk:
  level: low
  cues: [no_point]
  screener:
    ask_wish_dead: {{answer: "yes", fact: wish_dead}}
rubrics: [mi, risk]
"""

SCRIPT = """\
# the same trainee lines for both
How have you been feeling lately?
It sounds like everything has felt heavy for a long time.
What else has been on your mind?
How have you been sleeping?
"""


def write_pair(tmp_path: Path, a: dict, b: dict) -> tuple[Path, Path]:
    base = {
        "name": "Helen Marsh",
        "background": "School office manager in Leeds.",
        "opening": "Hi. My GP said I should come.",
        "mood_line": "I've felt flat for months.",
        "cue_trust": "0.3",
    }
    paths = []
    for ident, changes in (("pair-a", a), ("pair-b", b)):
        path = tmp_path / f"{ident}.scenario.yaml"
        path.write_text(PATIENT.format(id=ident, **{**base, **changes}), encoding="utf-8")
        paths.append(path)
    script = tmp_path / "script.txt"
    script.write_text(SCRIPT, encoding="utf-8")
    return paths[0], paths[1]


def compare(a: Path, b: Path, *extra: str):
    args = ["scenarios", "compare", str(a), str(b), "--script", str(a.parent / "script.txt"), *extra]
    return runner.invoke(app, args, catch_exceptions=False)


def test_a_pair_differing_only_in_name_and_dialect_scores_the_same(tmp_path: Path) -> None:
    a, b = write_pair(
        tmp_path,
        {},
        {
            "name": "Aoife Byrne",
            "background": "School office manager in Cork.",
            "opening": "Hiya. The doctor said I should come in to yous.",
            "mood_line": "I've been awful flat for months now, so I have.",
        },
    )
    result = compare(a, b)
    assert result.exit_code == 0, result.output
    assert "Equal" in result.stdout and "NO" not in result.stdout
    data = json.loads(compare(a, b, "--json").stdout)
    assert data["equal"] is True and data["a"] == "pair-a" and data["b"] == "pair-b"
    assert {row["item"] for row in data["items"]} >= {"mi.questions", "risk.direct_question_after_cue"}
    cue = next(r for r in data["items"] if r["item"] == "risk.direct_question_after_cue")
    assert cue["a"]["status"] == cue["b"]["status"] == "critical_miss"  # both gave the cue, neither was asked


def test_a_pair_where_the_patient_behaves_differently_is_caught(tmp_path: Path) -> None:
    # In B the risk cue needs more trust than this script earns, so the direct-question item no longer applies:
    # the same trainee would be marked differently for the same words.
    a, b = write_pair(tmp_path, {}, {"cue_trust": "0.9"})
    result = compare(a, b)
    assert result.exit_code == 1
    assert "Different" in result.stdout and "NO" in result.stdout
    assert "disclosed differently" in result.stdout and "only A: no_point" in result.stdout
    data = json.loads(compare(a, b, "--json").stdout)
    diffs = {r["item"]: (r["a"]["status"], r["b"]["status"]) for r in data["items"] if not r["same"]}
    # Items that read the patient's words may differ too; the risk items must.
    assert diffs["risk.direct_question_after_cue"] == ("critical_miss", "not_applicable")
    assert diffs["risk.past_behaviour"] == ("missed", "not_applicable")
    assert "mi.questions" not in diffs  # the trainee's own counts do not depend on the patient


def test_the_builtin_pair_compares_equal(tmp_path: Path) -> None:
    script = tmp_path / "script.txt"
    script.write_text(
        "How have you been feeling lately?\nIt sounds like you've been running on very little for a long time.\n"
        "What's been happening at home?\nYou should ask your brother to do more.\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        app,
        ["scenarios", "compare", "cf-low-mood-a", "cf-low-mood-b", "--script", str(script)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output


def test_compare_needs_trainee_lines(tmp_path: Path) -> None:
    a, b = write_pair(tmp_path, {}, {})
    (tmp_path / "script.txt").write_text("# only a comment\n")
    result = compare(a, b)
    assert result.exit_code == 1 and "no trainee lines" in result.output
