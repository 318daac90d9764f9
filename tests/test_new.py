"""``mhsim new scenario|rubric``: starters that are valid, lint clean and work as written."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from typer.testing import CliRunner

from cli import app

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_new_scenario_lands_in_the_library_and_lints_clean(mhsim_home: Path) -> None:
    result = invoke("new", "scenario", "Exam Stress")
    assert result.exit_code == 0, result.output
    path = mhsim_home / "scenarios" / "exam-stress.scenario.yaml"
    assert result.stdout.strip() == str(path)
    text = path.read_text()
    assert text.startswith("# yaml-language-server: $schema=scenario.schema.json\n")
    assert "schema_version: 1" in text and "id: exam-stress" in text
    assert (mhsim_home / "scenarios" / "scenario.schema.json").exists()

    assert invoke("scenarios", "validate", str(path)).exit_code == 0
    lint = invoke("scenarios", "lint", str(path), "--strict", "--json")
    assert lint.exit_code == 0, lint.output
    assert json.loads(lint.stdout)["findings"] == []
    tests = invoke("scenarios", "test", "exam-stress")  # found by id: it is in the user's folder
    assert tests.exit_code == 0 and "3 passed, 0 failed" in tests.stdout
    listed = json.loads(invoke("scenarios", "list", "--json").stdout)["scenarios"]
    assert {"id": "exam-stress", "source": "user"}.items() <= next(
        s for s in listed if s["id"] == "exam-stress"
    ).items()


def test_new_scenario_in_a_chosen_folder(tmp_path: Path) -> None:
    result = invoke("new", "scenario", "my_case", "--dir", str(tmp_path), "--title", "My own case")
    assert result.exit_code == 0, result.output
    path = tmp_path / "my_case.scenario.yaml"
    assert 'title: "My own case"' in path.read_text()
    assert "--scenarios" in result.output  # tells the author how to make the library see it


def test_new_scenario_never_overwrites_without_force(tmp_path: Path) -> None:
    assert invoke("new", "scenario", "case", "--dir", str(tmp_path)).exit_code == 0
    path = tmp_path / "case.scenario.yaml"
    path.write_text("my edits")
    again = invoke("new", "scenario", "case", "--dir", str(tmp_path))
    assert again.exit_code == 1 and "already exists" in again.output
    assert path.read_text() == "my edits"
    assert invoke("new", "scenario", "case", "--dir", str(tmp_path), "--force").exit_code == 0
    assert path.read_text() != "my edits"


def test_new_scenario_refuses_an_id_in_use_and_a_name_without_letters(tmp_path: Path) -> None:
    taken = invoke("new", "scenario", "low-mood-passive-si", "--dir", str(tmp_path))
    assert taken.exit_code == 1 and "already used" in taken.output
    assert not (tmp_path / "low-mood-passive-si.scenario.yaml").exists()
    empty = invoke("new", "scenario", "!!!", "--dir", str(tmp_path))
    assert empty.exit_code == 1 and "cannot be made into an id" in empty.output


def test_new_rubric_loads_and_scores_a_session(mhsim_home: Path, tmp_path: Path) -> None:
    from simulator.library import load_scenario
    from simulator.rehearsal import rehearse
    from simulator.rubric import load_rubric, load_rubrics

    result = invoke("new", "rubric", "sleep_check")
    assert result.exit_code == 0, result.output
    path = mhsim_home / "rubrics" / "sleep_check.rubric.yaml"
    assert path.read_text().startswith("# yaml-language-server: $schema=rubric.schema.json\n")
    rubric = load_rubric(path)
    assert rubric.id == "sleep_check" and len(rubric.items) == 3
    assert invoke("rubrics", "validate", str(path)).exit_code == 0

    # A scenario that applies it validates, lints clean and is scored by it.
    invoke("new", "scenario", "case", "--dir", str(tmp_path))
    case = tmp_path / "case.scenario.yaml"
    case.write_text(case.read_text().replace("rubrics: [mi]", "rubrics: [mi, sleep_check]"))
    assert invoke("scenarios", "lint", str(case), "--strict").exit_code == 0
    scenario = load_scenario(case, load_rubrics()[0])
    rubrics, _ = load_rubrics()
    session = asyncio.run(
        rehearse(scenario, ["How have you been sleeping?", "You should go to bed earlier."], rubrics=rubrics)
    )
    statuses = {
        i.item_id: i.status for r in session.score.rubrics if r.rubric_id == "sleep_check" for i in r.items
    }
    assert statuses == {
        "asked_about_sleep": "met",
        "open_questions": "partly",
        "no_unasked_advice": "critical_miss",
    }


def test_new_rubric_refuses_a_builtin_id(tmp_path: Path) -> None:
    result = invoke("new", "rubric", "mi", "--dir", str(tmp_path))
    assert result.exit_code == 1 and "already exists" in result.output
