"""What users type or leave lying around is reported cleanly: folders where files belong, bad output paths,
broken or empty CSV input, and educator ratings and overrides that calibration could not use."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from simulator.library import load_scenario
from simulator.records import SessionInfo
from simulator.store import Store
from tests.conftest import ROOT, play_and_store

runner = CliRunner()
LINES = [
    "What brings you in today?",
    "It sounds like things have been really hard lately.",
    "How have you been sleeping?",
    "You feel worn out by all of it.",
]


def invoke(*args: str, input: str | None = None):
    # catch_exceptions=False: a traceback would fail the test instead of hiding in result.exception
    return runner.invoke(app, list(args), input=input, catch_exceptions=False)


# ------------------------------------------------------------------------------------------------------------
# A folder where a YAML file is expected
# ------------------------------------------------------------------------------------------------------------


def test_a_folder_named_like_a_scenario_is_listed_as_broken_and_the_rest_still_load(mhsim_home: Path) -> None:
    bad = mhsim_home / "scenarios" / "dir.scenario.yaml"
    bad.mkdir(parents=True)
    listed = invoke("scenarios", "list", "--json")
    assert listed.exit_code == 0, listed.output
    data = json.loads(listed.stdout)
    assert data["broken"] == [{"path": str(bad), "problems": [f"{bad}:1:1: is a folder, not a file"]}]
    assert "low-mood-passive-si" in {s["id"] for s in data["scenarios"]}
    table = invoke("scenarios", "list")
    # the path may wrap at the console's width, so look for it with the line breaks taken out
    assert table.exit_code == 0 and "broken:" in table.output and "dir.scenario.yaml" in table.output.replace("\n", "")
    chat = invoke("chat", "low-mood-passive-si", input="/end\n")
    assert chat.exit_code == 0, chat.output


def test_validate_reports_a_folder_named_like_a_file(tmp_path: Path) -> None:
    (tmp_path / "x.scenario.yaml").mkdir()
    (tmp_path / "y.rubric.yaml").mkdir()
    for target in (tmp_path, tmp_path / "x.scenario.yaml"):  # the folder holding it, or the folder itself
        scenarios = invoke("scenarios", "validate", str(target))
        assert scenarios.exit_code == 1
        assert f"{tmp_path / 'x.scenario.yaml'}:1:1: is a folder, not a file" in scenarios.output
    for target in (tmp_path, tmp_path / "y.rubric.yaml"):  # the folder holding it, or the folder itself
        rubrics = invoke("rubrics", "validate", str(target))
        assert rubrics.exit_code == 1
        assert f"{tmp_path / 'y.rubric.yaml'}:1:1: is a folder, not a file" in rubrics.output


def test_a_folder_among_the_users_rubrics_is_reported_and_the_others_load(mhsim_home: Path) -> None:
    (mhsim_home / "rubrics" / "z.rubric.yaml").mkdir(parents=True)
    listed = invoke("rubrics", "list", "--json")
    assert listed.exit_code == 0, listed.output
    data = json.loads(listed.stdout)
    assert any(p.endswith("z.rubric.yaml:1:1: is a folder, not a file") for p in data["problems"])
    assert {"mi", "risk"} <= {r["id"] for r in data["rubrics"]}


def test_a_config_file_that_is_a_folder_is_reported_not_a_traceback(mhsim_home: Path) -> None:
    (mhsim_home / "config.yaml").mkdir()
    listed = invoke("scenarios", "list", "--json")
    assert listed.exit_code == 0
    assert f"{mhsim_home / 'config.yaml'}:1:1: is a folder, not a file" in listed.stderr
    assert "low-mood-passive-si" in listed.stdout


# ------------------------------------------------------------------------------------------------------------
# mhsim code: output paths, broken and empty input
# ------------------------------------------------------------------------------------------------------------


@pytest.fixture
def utterances(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    path = work / "u.csv"
    path.write_text("speaker,text\ntherapist,How are you?\nclient,I'm fine.\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("target", [".", "outdir", ".."])
def test_code_output_to_a_folder_is_a_usage_error_before_any_work(utterances: Path, target: str) -> None:
    folder = utterances.parent
    (folder / "outdir").mkdir()
    before = sorted(p.name for p in folder.parent.rglob("*"))
    result = invoke("code", "u.csv", "-o", target)
    assert result.exit_code == 2
    assert "is a directory" in result.output and result.stdout == ""
    assert sorted(p.name for p in folder.parent.rglob("*")) == before  # no .part, nothing written


def test_code_output_dash_means_standard_output(utterances: Path) -> None:
    result = invoke("code", "u.csv", "-o", "-")
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["speaker"] for line in result.stdout.splitlines()] == ["therapist", "client"]
    assert not (utterances.parent / "-").exists()


def test_code_never_leaves_a_part_file_behind(utterances: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from simulator.commands import code

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(code, "_run", interrupted)
    result = invoke("code", "u.csv", "-o", "out.jsonl")  # Ctrl+C halfway
    assert result.exit_code == 130
    assert sorted(p.name for p in utterances.parent.iterdir()) == ["u.csv"]


def test_code_reports_an_unterminated_quote_with_its_line(utterances: Path) -> None:
    utterances.write_text(
        'speaker,text\ntherapist,How are you?\nclient,"fine\ntherapist,What brings you here?\n'
        "client,My sleep.\n",
        encoding="utf-8",
    )
    result = invoke("code", "u.csv", "-o", "out.jsonl")
    assert result.exit_code == 1
    assert "u.csv:3: bad CSV: a quoted field that starts in this row is never closed" in result.stderr
    assert sorted(p.name for p in utterances.parent.iterdir()) == ["u.csv"]


def test_code_still_reads_quoted_fields_over_several_lines(utterances: Path) -> None:
    utterances.write_text('text\n"Tell me,\nwhat happened?"\nSay more.\n', encoding="utf-8")
    result = invoke("code", "u.csv")
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["text"] for line in result.stdout.splitlines()] == [
        "Tell me,\nwhat happened?",
        "Say more.",
    ]


@pytest.mark.parametrize(
    ("name", "content"),
    [("empty.csv", ""), ("header.csv", "speaker,text\n"), ("blank.jsonl", "\n\n"), ("rows.csv", "text\n,\n\n")],
)
@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_code_says_when_there_are_no_utterances(utterances: Path, name: str, content: str, fmt: str) -> None:
    (utterances.parent / name).write_text(content, encoding="utf-8")
    result = invoke("code", name, "-f", fmt)
    assert result.exit_code == 1
    assert f"no utterances in {name}" in result.stderr
    assert result.stdout == ""  # not even a CSV header
    to_file = invoke("code", name, "-f", fmt, "-o", "out")
    assert to_file.exit_code == 1 and not (utterances.parent / "out").exists()
    assert not (utterances.parent / "out.part").exists()


# ------------------------------------------------------------------------------------------------------------
# Educator ratings and overrides
# ------------------------------------------------------------------------------------------------------------


@pytest.fixture
def mi_risk_session(helen) -> str:
    """A finished, scored session of a scenario scored with the mi and risk rubrics."""
    assert helen.rubrics == ["mi", "risk"]
    return play_and_store(helen, LINES)


@pytest.fixture
def mi_enact_session() -> str:
    """A finished, scored session of a scenario scored with mi and enact, not risk."""
    scenario = load_scenario(ROOT / "scenarios" / "panic-anxiety.scenario.yaml")
    assert "risk" not in scenario.rubrics and "enact" in scenario.rubrics
    return play_and_store(scenario, LINES)


def _stored() -> tuple[list, list]:
    with Store.open_default() as store:
        return store.ratings(), store.overrides()


@pytest.mark.parametrize(
    ("item", "value", "message"),
    [
        ("mi/empathy_estimate", "9", "rating 9 is not on the scale of mi/empathy_estimate: give a whole number"),
        ("mi/empathy_estimate", "0", "give a whole number from 1 to 5"),
        ("mi/empathy_estimate", "3.5", "rating 3.5 is not on the scale"),
        ("mi/questions", "3", "mi/questions is a count item, measured rather than rated"),
        ("risk/safety_plan", "1", "rubric 'risk' has no items rated on a scale"),
    ],
)
def test_rate_refuses_values_off_the_scale_and_items_that_are_not_rated(
    mi_risk_session: str, item: str, value: str, message: str
) -> None:
    result = invoke("rubrics", "rate", mi_risk_session, item, value, "--rater", "Bob")
    assert result.exit_code == 1
    assert message in result.stderr
    assert _stored() == ([], [])
    calibrated = invoke("rubrics", "calibrate")
    assert "No educator overrides or ratings" in calibrated.stdout


def test_rate_on_the_scale_is_recorded_and_calibrated(mi_risk_session: str) -> None:
    result = invoke("rubrics", "rate", mi_risk_session[:8], "mi/empathy_estimate", "4", "--rater", "Bob")
    assert result.exit_code == 0, result.output
    [rating], _ = _stored()
    assert (rating.item_id, rating.value, rating.rater) == ("empathy_estimate", 4.0, "Bob")
    report = json.loads(invoke("rubrics", "calibrate", "--json").stdout)
    assert report["values"]["pairs"] == 1 and report["unmatched"] == 0


def test_rate_refuses_an_item_with_no_automatic_value(helen) -> None:
    # A session ended before the trainee said anything: nothing is scored, so a rating has nothing to meet.
    silent = invoke("chat", helen.id, input="/end\n")
    assert silent.exit_code == 0, silent.output
    with Store.open_default() as store:
        session_id = store.sessions()[0].id
    result = invoke("rubrics", "rate", session_id, "mi/empathy_estimate", "3", "--rater", "Bob")
    assert result.exit_code == 1
    assert "has no automatic value" in result.stderr and "not applicable" in result.stderr
    assert _stored() == ([], [])


def test_enact_levels_are_rated_one_to_four(mi_enact_session: str) -> None:
    high = invoke("rubrics", "rate", mi_enact_session, "enact/rapport", "5", "--rater", "Bob")
    assert high.exit_code == 1 and "give a whole number from 1 to 4" in high.stderr
    ok = invoke("rubrics", "rate", mi_enact_session, "enact/rapport", "3", "--rater", "Bob")
    assert ok.exit_code == 0, ok.output


def test_override_needs_a_rubric_the_session_was_scored_with(mi_enact_session: str) -> None:
    args = ["--status", "met", "--reason", "The plan was covered.", "--educator", "Ada"]
    result = invoke("rubrics", "override", mi_enact_session, "risk/safety_plan", *args)
    assert result.exit_code == 1
    assert "was not scored with rubric 'risk': its scenario panic-anxiety uses mi, enact" in result.stderr
    rated = invoke("rubrics", "rate", mi_enact_session, "mi/empathy_estimate", "4", "--rater", "Bob")
    assert rated.exit_code == 0, rated.output  # mi is one of its rubrics
    ratings, overrides = _stored()
    assert overrides == [] and len(ratings) == 1


def test_override_of_a_session_never_scored_says_how_to_score_it() -> None:
    with Store.open_default() as store:
        store.create_session(
            SessionInfo(id="01UNSCORED0001", scenario_id="low-mood-passive-si", scenario_version="1", engine="scripted")
        )
    result = invoke("rubrics", "override", "01UNSC", "risk/safety_plan", "--status", "met", "--reason", "x",
                    "--educator", "Ada")
    assert result.exit_code == 1
    assert "has no scores yet" in result.stderr and "mhsim sessions resume 01UNSCORED" in result.stderr
    rated = invoke("rubrics", "rate", "01UNSC", "mi/empathy_estimate", "4", "--rater", "Bob")
    assert rated.exit_code == 1 and "has no scores yet" in rated.stderr
    assert _stored() == ([], [])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--reason", "", "--educator", "Ada"], "--reason must not be empty"),
        (["--reason", "   ", "--educator", "Ada"], "--reason must not be empty"),
        (["--reason", "Missed a reflection.", "--educator", ""], "--educator must not be empty"),
    ],
)
def test_empty_reason_or_educator_names_the_option(mi_risk_session: str, args: list[str], message: str) -> None:
    result = invoke("rubrics", "override", mi_risk_session, "mi/questions", "--score", "3", *args)
    assert result.exit_code == 1
    assert message in result.stderr and "String should have" not in result.stderr
    rated = invoke("rubrics", "rate", mi_risk_session, "mi/empathy_estimate", "4", "--rater", " ")
    assert rated.exit_code == 1 and "--rater must not be empty" in rated.stderr
    assert _stored() == ([], [])


@pytest.mark.parametrize(
    ("item", "score", "message"),
    [
        ("mi/empathy_estimate", "6", "score 6 is not on the scale of mi/empathy_estimate"),
        ("mi/questions", "-1", "score -1 is not a possible value of mi/questions"),
    ],
)
def test_override_scores_must_be_possible_values(mi_risk_session: str, item: str, score: str, message: str) -> None:
    result = invoke("rubrics", "override", mi_risk_session, item, "--score", score, "--reason", "r", "--educator", "A")
    assert result.exit_code == 1 and message in result.stderr
    assert _stored() == ([], [])


def test_a_valid_override_is_recorded_with_its_reason_trimmed(mi_risk_session: str) -> None:
    result = invoke("rubrics", "override", mi_risk_session, "risk/safety_plan", "--status", "partly",
                    "--reason", " Touched on coping only. ", "--educator", "Ada")
    assert result.exit_code == 0, result.output
    _, [override] = _stored()
    assert (override.rubric_id, override.status, override.reason) == ("risk", "partly", "Touched on coping only.")
