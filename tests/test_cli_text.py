"""Text from users, files, scenarios and models reaches the terminal as typed, and the chat loop is robust.

Square brackets are Rich markup: unescaped, "[pause]" vanishes and "[/]" crashes. Undecodable input bytes, slash
commands, resume hints and the scenario id column are covered here too.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app

from .conftest import ROOT

runner = CliRunner()
HELEN = "low-mood-passive-si"
HELEN_FILE = ROOT / "scenarios" / f"{HELEN}.scenario.yaml"


def invoke(*args: str, input: str | bytes | None = None):
    """Run the CLI; a MarkupError or any other exception fails the test with its traceback."""
    return runner.invoke(app, list(args), input=input, catch_exceptions=False)


def helen_copy(folder: Path, *, name: str = "stage", **fields: str) -> Path:
    """Helen's scenario written to ``folder/<name>.scenario.yaml`` with top-level fields replaced."""
    lines = HELEN_FILE.read_text(encoding="utf-8").splitlines()
    for key, value in fields.items():
        index = next(i for i, line in enumerate(lines) if line.startswith(f"{key}:"))
        lines[index] = f"{key}: {json.dumps(value)}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.scenario.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def bracketed(mhsim_home: Path) -> Path:
    """A user scenario whose title and opening line hold square brackets."""
    return helen_copy(
        mhsim_home / "scenarios",
        name="sam",
        id="sam-test",
        title="Sam [/] test",
        opening_line="[sighs] Hi ... [pause] really.",
    )


@pytest.fixture
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")


def trainee_turns(session_id: str | None = None) -> list[str]:
    """The stored trainee turns of a session (the newest when no id is given)."""
    from simulator.store import Store

    with Store.open_default() as store:
        sid = session_id or store.sessions()[0].id
        return [t.text for t in store.turns(sid) if t.speaker == "trainee"]


# -- 1. square brackets ---------------------------------------------------------------------------------------


def test_a_bracketed_title_is_listed_as_typed(bracketed: Path, wide: None) -> None:
    assert invoke("scenarios", "validate", str(bracketed)).exit_code == 0
    result = invoke("scenarios", "list")
    assert result.exit_code == 0, result.output
    assert "Sam [/] test" in result.output


def test_chat_prints_scenario_text_with_its_stage_directions(bracketed: Path, wide: None) -> None:
    result = invoke("chat", "sam-test", input="/end\n")
    assert result.exit_code == 0, result.output
    assert "Sam [/] test" in result.output
    assert "Helen: [sighs] Hi ... [pause] really." in result.output


def test_play_prints_a_bracketed_title(bracketed: Path, tmp_path: Path, wide: None) -> None:
    script = tmp_path / "lines.txt"
    script.write_text("How have you been sleeping?\n")
    result = invoke("play", "sam-test", "--script", str(script))
    assert result.exit_code == 0, result.output
    assert "Sam [/] test · session" in result.output
    assert "[sighs] Hi ... [pause] really." in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["play", HELEN, "-s", "/tmp/nope[/x].txt"], "error: script file not found: /tmp/nope[/x].txt"),
        (["chat", "foo[/]"], "error: No scenario with id 'foo[/]'."),
        (["preview", "x[/]"], "'x[/]'"),
        (["code", "notes[draft].csv"], "error: notes[draft].csv: no such file"),
        (["sessions", "show", "x[/]"], "'x[/]'"),
    ],
)
def test_errors_echo_what_was_typed(args: list[str], message: str, wide: None) -> None:
    result = invoke(*args)
    assert result.exit_code == 1
    assert message in result.output
    assert "\\[" not in result.output


def test_fail_keeps_its_own_styling_and_prints_text_literally(capsys: pytest.CaptureFixture[str]) -> None:
    import typer
    from rich.text import Text

    from simulator.commands.common import fail

    for message in ("install it with: pip install 'mhsim[llm]'", "a [bold]b[/] c", Text("[x]", "red")):
        with pytest.raises(typer.Exit):
            fail(message)
    lines = capsys.readouterr().err.splitlines()
    assert lines == ["error: install it with: pip install 'mhsim[llm]'", "error: a [bold]b[/] c", "error: [x]"]


def test_lab_list_prints_bracketed_titles(mhsim_home: Path, wide: None) -> None:
    source = (ROOT / "labs" / "already-dead.lab.yaml").read_text(encoding="utf-8")
    folder = mhsim_home / "labs"
    folder.mkdir()
    lines = source.splitlines()
    replace = {"id:": 'id: "my-case"', "title:": 'title: "A [red]case[/] [/]"'}
    lines = [next((new for key, new in replace.items() if line.startswith(key)), line) for line in lines]
    (folder / "my-case.lab.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = invoke("lab", "list")
    assert result.exit_code == 0, result.output
    assert "A [red]case[/] [/]" in result.output


# -- 2. undecodable input bytes -------------------------------------------------------------------------------

ODD_BYTES = b"How are you \xff\xfe feeling?\n/end\n"


@pytest.mark.slow
def test_chat_keeps_a_line_with_undecodable_bytes(mhsim_home: Path) -> None:
    """As a terminal in another encoding sends it: Python reads the bytes as surrogate escapes."""
    env = {**os.environ, "MHSIM_HOME": str(mhsim_home), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    env["PYTHONPATH"] = str(ROOT)
    command = [sys.executable, "-m", "simulator", "chat", HELEN]
    done = subprocess.run(command, input=ODD_BYTES, capture_output=True, cwd=ROOT, env=env, timeout=60, check=False)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert b"Traceback" not in done.stderr
    assert trainee_turns() == ["How are you \ufffd\ufffd feeling?"]
    assert b"Disclosure ledger" in done.stdout, "the session went on to its end"


def test_chat_reads_undecodable_bytes_from_a_strict_stdin() -> None:
    result = invoke("chat", HELEN, input=ODD_BYTES)
    assert result.exit_code == 0, result.output
    assert trainee_turns() == ["How are you \ufffd\ufffd feeling?"]


# -- 3. resuming a session started from a file ----------------------------------------------------------------


def paused_from(path: Path, monkeypatch: pytest.MonkeyPatch, cwd: Path) -> list[str]:
    """Chat with the scenario at ``path`` (relative to ``cwd``), close stdin; the resume hint's arguments."""
    monkeypatch.chdir(cwd)
    result = invoke("chat", os.path.relpath(path, cwd), input="How are things at work?\n")
    assert result.exit_code == 130, result.output
    hint = next(line for line in result.output.splitlines() if "Resume it with:" in line)
    words = shlex.split(hint.split("Resume it with:", 1)[1])
    assert words[:3] == ["mhsim", "sessions", "resume"]
    return words[2:]


def test_the_resume_hint_of_a_session_from_a_file_works(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stage = helen_copy(tmp_path / "drafts", id="stage")
    args = paused_from(stage, monkeypatch, tmp_path)
    assert "--scenarios" in args
    monkeypatch.chdir(ROOT)  # the hint works from anywhere
    resumed = invoke("sessions", *args, input="How have you been sleeping?\n/end\n")
    assert resumed.exit_code == 0, resumed.output
    assert "Disclosure ledger" in resumed.output
    assert trainee_turns() == ["How are things at work?", "How have you been sleeping?"]


def test_resume_accepts_the_folder_of_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stage = helen_copy(tmp_path / "drafts", id="stage")
    session_id = paused_from(stage, monkeypatch, tmp_path)[1]
    resumed = invoke("sessions", "resume", session_id, "--scenarios", str(stage.parent), input="/end\n")
    assert resumed.exit_code == 0, resumed.output


def test_resume_says_what_to_pass_when_the_file_is_not_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stage = helen_copy(tmp_path / "drafts", id="stage")
    args = paused_from(stage, monkeypatch, tmp_path)
    session_id = args[1]
    bare = invoke("sessions", "resume", session_id)
    assert bare.exit_code == 1
    assert "No scenario with id 'stage'" in bare.output
    assert f"mhsim sessions resume {session_id} --scenarios PATH" in bare.output
    stage.rename(tmp_path / "stage.scenario.yaml")  # the file moved since
    moved = invoke("sessions", *args)
    assert moved.exit_code == 1
    assert f"{stage}: no such file or folder" in moved.output
    assert "--scenarios PATH" in moved.output and "Traceback" not in moved.output


def test_resume_finds_an_edited_copy_of_a_builtin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The copy has the built-in's id but its own version: resume takes the copy, not the built-in."""
    copy = helen_copy(tmp_path, name="helen-edit", version="9.9.9")
    args = paused_from(copy, monkeypatch, tmp_path)
    resumed = invoke("sessions", *args, input="/end\n")
    assert resumed.exit_code == 0, resumed.output


def test_the_resume_hint_keeps_the_scenario_folders_given(tmp_path: Path) -> None:
    helen_copy(tmp_path / "mine", id="stage")
    result = invoke("chat", "stage", "--scenarios", str(tmp_path / "mine"), input="Hello\n")
    assert result.exit_code == 130
    assert f"--scenarios {tmp_path / 'mine'}" in result.output


# -- 4. slash commands ----------------------------------------------------------------------------------------


def test_an_unknown_command_is_not_said_to_the_patient() -> None:
    result = invoke("chat", HELEN, input="Hi\n/foo\n/retry\n//shrug\n/end\n")
    assert result.exit_code == 0, result.output
    assert "unknown command /foo; commands: /end, /quit, /help, /retry, /scripted" in result.output
    assert "nothing to retry" in result.output
    assert trainee_turns() == ["Hi", "/shrug"]


# -- 5. the id column -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("command", "key"), [("scenarios", "scenarios"), ("lab", "cases")])
def test_ids_are_whole_at_80_columns(command: str, key: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    ids = [entry["id"] for entry in json.loads(invoke(command, "list", "--json").stdout)[key]]
    table = invoke(command, "list").stdout
    first_cells = [line.split("│")[1].strip() for line in table.splitlines() if line.startswith("│")]
    assert [cell for cell in first_cells if cell] == ids


# -- 6. play scripts -----------------------------------------------------------------------------------------


def test_play_drops_a_byte_order_mark(tmp_path: Path) -> None:
    script = tmp_path / "lines.txt"
    script.write_text("How have you been sleeping?\n", encoding="utf-8-sig")
    result = invoke("play", HELEN, "--script", str(script), "--json")
    assert result.exit_code == 0, result.output
    turns = json.loads(result.stdout)["turns"]
    assert [t["text"] for t in turns if t["speaker"] == "trainee"] == ["How have you been sleeping?"]


def test_play_says_how_many_lines_were_not_played(tmp_path: Path) -> None:
    script = tmp_path / "lines.txt"
    hostile = ["You're in denial.", "That's ridiculous, you're just being lazy.", "You're making excuses."]
    script.write_text("\n".join([*hostile, "Sorry.", "Can we start again?"]) + "\n")
    result = invoke("play", HELEN, "--script", str(script))
    assert result.exit_code == 0, result.output
    assert "the patient ended the session after line 3; 2 more script lines were not played" in result.stderr
    script.write_text("How have you been sleeping?\n")
    played = invoke("play", HELEN, "--script", str(script))
    assert played.exit_code == 0 and "not played" not in played.stderr


# -- 7. one way of pointing at the transcript --------------------------------------------------------------------


def test_play_points_at_transcript_lines_as_numbered(tmp_path: Path, mhsim_home: Path, wide: None) -> None:
    script = tmp_path / "lines.txt"
    script.write_text(
        "Hi Helen, what would you like to talk about today?\n"
        "It sounds like things have felt heavy for a while.\n"
        "Sometimes when people feel this low they wonder whether life is worth living. "
        "Have you had thoughts like that?\n"
    )
    result = invoke("play", HELEN, "--script", str(script))
    assert result.exit_code == 0, result.output
    assert "  #5 You: Sometimes when people feel this low" in result.output
    # The ledger says the patient's line as the transcript numbers it, and the trainee turn it followed.
    assert "#6 (trainee turn 3)" in result.output
    assert "#1, #3, #5" in result.output  # the evidence column of the question and reflection counts


def test_score_values_show_at_most_two_decimals_in_every_view() -> None:
    from simulator.wording import value_and_label

    assert [value_and_label(v) for v in (0.14285, 2.5, 4.0, 3, None)] == ["0.14", "2.5", "4", "3", ""]
    assert value_and_label(0.14285, "below fair") == "0.14 (below fair)"
    assert value_and_label(None, "good") == "good"
