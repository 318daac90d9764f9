"""Consistency of the command line: usage errors for unknown filter values, duplicate ids in validate, plural
wording, and lab commands that fail clearly when there is nothing to work on."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from cli import app

from .conftest import ROOT

runner = CliRunner()
HELEN = "low-mood-passive-si"
TAGS = (
    "access_equity", "privacy_security", "ethics_boundaries", "accuracy_reliability", "integration",
    "resistance_to_change", "evidence_base",
)


def invoke(*args: str, **kwargs):
    return runner.invoke(app, list(args), catch_exceptions=False, **kwargs)


def flat(text: str) -> str:
    """Output with Rich's panel borders and line wrapping removed, so a message reads as one line."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", text).split())


# --- 1. scenarios list: unknown --difficulty / --tag are usage errors --------------------------------------


def test_unknown_difficulty_is_a_usage_error_listing_the_valid_ones() -> None:
    result = invoke("scenarios", "list", "--difficulty", "expert")
    assert result.exit_code == 2, result.output
    out = flat(result.output)
    assert "'expert' is not a difficulty" in out
    assert "beginner, intermediate, advanced" in out
    assert "Traceback" not in result.output


def test_difficulty_is_matched_whatever_its_case() -> None:
    import json

    upper = invoke("scenarios", "list", "--difficulty", "BEGINNER", "--json")
    assert upper.exit_code == 0, upper.output
    found = json.loads(upper.stdout)["scenarios"]
    assert found and {s["difficulty"] for s in found} == {"beginner"}
    lower = json.loads(invoke("scenarios", "list", "--difficulty", "beginner", "--json").stdout)["scenarios"]
    assert [s["id"] for s in found] == [s["id"] for s in lower]


def test_unknown_tag_suggests_the_nearest_and_lists_all() -> None:
    result = invoke("scenarios", "list", "--tag", "privacy")
    assert result.exit_code == 2, result.output
    out = flat(result.output)
    assert "'privacy' is not a challenge tag" in out
    assert "Did you mean 'privacy_security'?" in out
    for tag in TAGS:
        assert tag in out


def test_unrelated_tag_lists_the_tags_without_a_guess() -> None:
    result = invoke("scenarios", "list", "--tag", "zzz")
    assert result.exit_code == 2
    out = flat(result.output)
    assert "Did you mean" not in out and "evidence_base" in out


def test_tag_is_matched_whatever_its_case_or_dashes() -> None:
    import json

    result = invoke("scenarios", "list", "--tag", "Privacy-Security", "--json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)["scenarios"]
    assert found and all("privacy_security" in s["challenges"] for s in found)


# --- 2. validate reports ids used twice, as list and lint do ----------------------------------------------


def test_scenarios_validate_without_arguments_reports_a_duplicate_id(mhsim_home: Path) -> None:
    user = mhsim_home / "scenarios"
    user.mkdir()
    copy = user / "my-copy.scenario.yaml"
    copy.write_text((ROOT / "scenarios" / f"{HELEN}.scenario.yaml").read_text("utf-8"), "utf-8")
    result = invoke("scenarios", "validate")
    assert result.exit_code == 1, result.output
    shadowed = [line for line in result.output.splitlines() if line.startswith(f"{copy}:")]
    assert len(shadowed) == 1, result.output
    assert f"id {HELEN!r} is also used by {ROOT / 'scenarios' / f'{HELEN}.scenario.yaml'}" in shadowed[0]
    # The built-in is the one the library loads: it stays valid, so only the copy counts against the total.
    assert not [line for line in result.output.splitlines() if line.startswith(str(ROOT / "scenarios"))]
    total = len(list((ROOT / "scenarios").glob("*.scenario.yaml"))) + 1
    assert f"{total - 1} of {total} scenario files valid" in result.output
    # The same words as 'scenarios lint' uses for it.
    lint = invoke("scenarios", "lint", str(copy))
    message = shadowed[0].split(": ", 1)[1]
    assert message in lint.output
    assert re.search(r"\b\d+ of \d+ scenario files valid", result.output)


def test_scenarios_validate_still_passes_a_library_without_duplicates() -> None:
    result = invoke("scenarios", "validate")
    assert result.exit_code == 0, result.output
    assert "is also used by" not in result.output


def test_rubrics_validate_without_arguments_reports_a_duplicate_id(mhsim_home: Path) -> None:
    user = mhsim_home / "rubrics"
    user.mkdir()
    (user / "risk.rubric.yaml").write_text((ROOT / "rubrics" / "risk.rubric.yaml").read_text("utf-8"), "utf-8")
    result = invoke("rubrics", "validate")
    assert result.exit_code == 1, result.output
    expected = (
        f"{user / 'risk.rubric.yaml'}:1:1: rubric id 'risk' is already defined in "
        f"{ROOT / 'rubrics' / 'risk.rubric.yaml'}; this file is ignored"
    )
    assert expected in result.output
    # 'rubrics list' words it the same way.
    assert f"broken: {expected}" in invoke("rubrics", "list").output
    assert re.search(r"\b\d+ rubrics valid, 1 problem\n", result.output)


# --- 3. counts in words: singular and plural, never "(s)" -------------------------------------------------


def test_calibrate_says_one_entry_was_skipped_in_the_singular() -> None:
    from simulator.overrides import Rating
    from simulator.records import ItemScore, RubricScore, SessionInfo, SessionScore
    from simulator.store import Store

    item = ItemScore(rubric_id="mi", item_id="relational_estimate", title="r", kind="level", status="met", value=3.0)
    score = SessionScore(
        coder_version="c",
        enough=True,
        rubrics=[RubricScore(rubric_id="mi", rubric_version="1.1", title="MI", items=[item])],
    )
    with Store.open_default() as store:
        store.create_session(SessionInfo(id="01POLISH", scenario_id="s", scenario_version="1", engine="scripted"))
        store.save_scores("01POLISH", score)
        store.add_rating(Rating(session_id="01POLISH", rubric_id="mi", item_id="relational_estimate", value=3, rater="A"))
        store.add_rating(Rating(session_id="01POLISH", rubric_id="mi", item_id="not_scored", value=3, rater="A"))
    result = invoke("rubrics", "calibrate")
    assert result.exit_code == 0, result.output
    assert "1 entry had no stored automatic score for the same item and was skipped." in result.output
    assert "Values (levels, ratings): 1 pair, kappa" in result.output
    assert "(s)" not in result.output and "(y/ies)" not in result.output


def test_validate_and_lint_summaries_use_proper_plurals(tmp_path: Path) -> None:
    one = tmp_path / f"{HELEN}.scenario.yaml"
    one.write_text((ROOT / "scenarios" / f"{HELEN}.scenario.yaml").read_text("utf-8"), "utf-8")
    validated = invoke("scenarios", "validate", str(one))
    assert "1 of 1 scenario file valid" in validated.output
    linted = invoke("scenarios", "lint", str(one))
    assert re.search(r"1 scenario file linted: \d+ errors?, \d+ warnings?; \d+ clean", linted.output), linted.output
    rubrics = invoke("rubrics", "validate", str(ROOT / "rubrics" / "mi.rubric.yaml"))
    assert "1 rubric valid, 0 problems" in rubrics.output
    labs = invoke("lab", "validate")
    assert "(s)" not in validated.output + linted.output + rubrics.output + labs.output
    assert re.search(r"\d+ of \d+ lab case files valid", labs.output), labs.output


def test_battery_names_one_missing_probe_in_the_singular() -> None:
    import pytest

    from simulator.lab.library import LabLibrary
    from simulator.lab.probe import battery

    cases = LabLibrary.discover().cases
    with pytest.raises(KeyError) as one:
        battery(cases, ["nope"])
    assert one.value.args[0] == "no probe in lab case: nope"
    with pytest.raises(KeyError) as two:
        battery(cases, ["nope", "nada"])
    assert two.value.args[0] == "no probe in lab cases: nope, nada"


# --- 4. lab run / lab grade when there is nothing to grade -------------------------------------------------

PROBE_CASE = "companion-goodbye"
LOCAL = ["--model", "openai/probe-model", "--api-base", "http://127.0.0.1:9/v1"]


def _fake_model(monkeypatch, answer):
    """Replace the LLM adapter's completion: ``answer(messages)`` returns text or raises (no network)."""
    from simulator.lab import probe

    async def complete(messages):
        return probe.Completion(answer(messages), "probe-model-1")

    monkeypatch.setattr(probe, "adapter_complete", lambda settings: complete)


def test_lab_run_where_every_call_fails_exits_1_without_suggesting_grading(monkeypatch) -> None:
    def refuse(messages):
        raise RuntimeError("Connection refused by 127.0.0.1:9")

    _fake_model(monkeypatch, refuse)
    result = invoke("lab", "run", *LOCAL, "--case", PROBE_CASE, "--repeats", "2")
    assert result.exit_code == 1, result.output
    out = result.output
    assert "every call to 'openai/probe-model' failed (2 calls), so there is nothing to grade" in out
    assert "2 × Connection refused by 127.0.0.1:9" in out
    assert "lab grade" not in out and "Grade them" not in out
    assert "Traceback" not in out


def test_lab_run_with_some_answers_still_suggests_grading_and_counts_in_words(monkeypatch) -> None:
    calls = []

    def sometimes(messages):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("server busy")
        return "I'm an AI, not a person."

    _fake_model(monkeypatch, sometimes)
    result = invoke("lab", "run", *LOCAL, "--case", PROBE_CASE, "--repeats", "2")
    assert result.exit_code == 0, result.output
    assert "Recorded 1 answer (1 failed call) as run" in result.output
    assert "mhsim lab grade" in result.output
    report = invoke("lab", "report")
    assert "1 lab case × 2 runs = 2 outputs" in report.output


def test_lab_grade_without_any_run_says_how_to_make_one_before_asking_for_a_name() -> None:
    result = invoke("lab", "grade", input="ana\n")
    assert result.exit_code == 1, result.output
    assert "No probe run yet" in result.output and "mhsim lab run" in result.output
    assert "rater" not in result.output.lower()


def test_lab_grade_of_a_run_without_answers_does_not_ask_for_a_name(monkeypatch) -> None:
    def refuse(messages):
        raise RuntimeError("down")

    _fake_model(monkeypatch, refuse)
    assert invoke("lab", "run", *LOCAL, "--case", PROBE_CASE).exit_code == 1
    result = invoke("lab", "grade", input="ana\n")
    assert result.exit_code == 1, result.output
    assert "has no answers to grade" in result.output and "mhsim lab run" in result.output
    assert "Your name or pseudonym" not in result.output


def test_lab_grade_asks_for_the_rater_when_there_is_something_to_grade(monkeypatch) -> None:
    _fake_model(monkeypatch, lambda messages: "I'm an AI, not a person.")
    assert invoke("lab", "run", *LOCAL, "--case", PROBE_CASE).exit_code == 0
    answers = "ana\n" + "yes\n" * 20 + "best_practice\n"
    result = invoke("lab", "grade", input=answers)
    assert "Your name or pseudonym as a rater" in result.output
    assert result.exit_code == 0, result.output
    assert "Grades saved for ana." in result.output
