"""The command line, as a user runs it: exit codes, messages, no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cli import app

from .conftest import ROOT

runner = CliRunner()
HELEN = "low-mood-passive-si"


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_version() -> None:
    from simulator import __version__

    result = invoke("--version")
    assert result.exit_code == 0 and result.stdout.strip() == f"mhsim {__version__}"


def test_scenarios_validate_builtins() -> None:
    result = invoke("scenarios", "validate")
    assert result.exit_code == 0, result.output
    assert "valid" in result.output


def test_scenarios_validate_reports_file_line_col(tmp_path: Path) -> None:
    bad = tmp_path / "bad.scenario.yaml"
    bad.write_text("schema_version: 1\nid: bad\nversion: '1'\ntitel: x\n")
    result = invoke("scenarios", "validate", str(bad))
    assert result.exit_code == 1
    assert f"{bad}:4:1: unknown key 'titel'; did you mean 'title'?" in result.output
    assert "Traceback" not in result.output


def test_scenarios_schema_matches_committed_copy() -> None:
    result = invoke("scenarios", "schema")
    committed = json.loads((ROOT / "scenarios" / "scenario.schema.json").read_text())
    assert json.loads(result.stdout) == committed


def test_scenarios_list_json() -> None:
    result = invoke("scenarios", "list", "--json")
    ids = [s["id"] for s in json.loads(result.stdout)["scenarios"]]
    assert HELEN in ids


def test_scenarios_test_runs_builtin_tests() -> None:
    result = invoke("scenarios", "test")
    assert "PASS" in result.output
    assert result.exit_code == 0, result.output


def test_scenarios_test_reports_the_failing_turn(tmp_path: Path) -> None:
    src = (ROOT / "scenarios" / f"{HELEN}.scenario.yaml").read_text()
    broken = src.replace("not_disclosed_before: {passive_si: 4}", "disclosed_by: {passive_si: 1}")
    path = tmp_path / "helen.scenario.yaml"
    path.write_text(broken)
    result = invoke("scenarios", "test", str(path))
    assert result.exit_code == 1
    assert "FAIL" in result.output and "after turn 1" in result.output


def test_play_prints_transcript_and_scores(tmp_path: Path) -> None:
    script = tmp_path / "lines.txt"
    script.write_text("# a comment\nHow have you been sleeping?\n\nThat sounds exhausting.\n")
    result = invoke("play", HELEN, "--script", str(script))
    assert result.exit_code == 0, result.output
    assert "How have you been sleeping?" in result.output
    assert "I wake up at four" in result.output or "awake at four" in result.output
    assert "Disclosure ledger" in result.output and "formative" in result.output


def test_play_json_is_a_stored_session(tmp_path: Path) -> None:
    script = tmp_path / "lines.txt"
    script.write_text("How have you been sleeping?\n")
    result = invoke("play", HELEN, "--script", str(script), "--json")
    data = json.loads(result.stdout)
    assert data["format"] == "mhsim-session/1"
    listing = invoke("sessions", "list")
    assert data["session"]["id"][:8] in listing.output


def test_unknown_scenario_suggests_close_ids(tmp_path: Path) -> None:
    script = tmp_path / "lines.txt"
    script.write_text("hi\n")
    result = invoke("play", "low-mood", "--script", str(script))
    assert result.exit_code == 1
    assert "Did you mean: low-mood-passive-si" in result.output


def test_missing_script_is_a_clear_error() -> None:
    result = invoke("play", HELEN, "--script", "/nonexistent/lines.txt")
    assert result.exit_code == 1 and "script file not found" in result.output


def test_sessions_resume_of_unknown_id() -> None:
    result = invoke("sessions", "resume", "ZZZZ")
    assert result.exit_code == 1 and "No session matches" in result.output


def test_chat_to_the_end_shows_the_debrief() -> None:
    result = runner.invoke(app, ["chat", HELEN], input="How have you been sleeping?\n\n/end\n")
    assert result.exit_code == 0, result.output
    assert "awake at four" in result.output or "wake up at four" in result.output
    assert "Thank you for listening" in result.output  # the goodbye
    assert "Disclosure ledger" in result.output
    assert "complete" in invoke("sessions", "list").output


def test_chat_closed_mid_session_is_interrupted_and_resumable() -> None:
    result = runner.invoke(app, ["chat", HELEN], input="How are things at work?\n")  # then EOF
    assert result.exit_code == 130
    assert "mhsim sessions resume" in result.output
    session_id = result.output.rsplit("mhsim sessions resume", 1)[1].split()[0]
    resumed = runner.invoke(app, ["sessions", "resume", session_id], input="How have you been sleeping?\n/end\n")
    assert resumed.exit_code == 0, resumed.output
    assert "How are things at work?" in resumed.output, "the earlier transcript is shown again"
    assert "Disclosure ledger" in resumed.output
