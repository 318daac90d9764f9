"""``mhsim scenarios test --model``: the scenario tests run with another engine voicing the patient.

The engine is a test double standing in for a language model (no network): the command must use it for every
test, report a changed reply as a failure at its turn, and turn an engine failure into a failed test.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from simulator.engine import EngineError, ReplyRequest

from .test_lint import BASE

runner = CliRunner()

CHECKED = BASE.replace(
    "    expect:\n      disclosed: [poor_sleep, long_commute]\n",
    '    expect:\n      disclosed: [poor_sleep, long_commute]\n      reply_contains: {1: "five hours"}\n',
)


class Echo:
    """Says what the plan says, like a model that keeps to the authored content."""

    name = "litellm:fake/echo"

    async def stream(self, request: ReplyRequest) -> AsyncIterator[str]:
        yield request.plan.text


class Drifting:
    """A 'model update' that paraphrases the patient and loses the detail a test checks for."""

    name = "litellm:fake/drift"

    async def stream(self, request: ReplyRequest) -> AsyncIterator[str]:
        yield request.plan.text.replace("five hours", "not much")


class Down:
    name = "litellm:fake/down"

    async def stream(self, request: ReplyRequest) -> AsyncIterator[str]:
        raise EngineError("The model server refused the connection.", "connection")
        yield ""  # pragma: no cover - makes this an async generator


def run_with(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, engine) -> tuple[object, list]:
    import simulator.commands.llm as llm_commands

    calls: list = []

    def fake_prepare(scenario, model, api_base, **_kwargs):
        calls.append((scenario.id, model, api_base))
        return engine

    monkeypatch.setattr(llm_commands, "prepare_engine", fake_prepare)
    path = tmp_path / "case.scenario.yaml"
    path.write_text(CHECKED, encoding="utf-8")
    args = ["scenarios", "test", str(path), "--model", "fake/model", "--api-base", "http://127.0.0.1:9"]
    return runner.invoke(app, args, catch_exceptions=False), calls


def test_model_that_keeps_the_patient_passes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    result, calls = run_with(monkeypatch, tmp_path, Echo())
    assert result.exit_code == 0, result.output
    assert calls == [("lint-base", "fake/model", "http://127.0.0.1:9")]
    assert "2 passed, 0 failed (patient voiced by fake/model)" in result.stdout


def test_model_that_changes_the_patient_fails_at_the_turn(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    result, _calls = run_with(monkeypatch, tmp_path, Drifting())
    assert result.exit_code == 1
    assert "FAIL lint-base: questions open both facts" in result.stdout
    assert "turn 1: reply" in result.stdout and "'five hours'" in result.stdout


def test_an_engine_failure_fails_the_test_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    result, _calls = run_with(monkeypatch, tmp_path, Down())
    assert result.exit_code == 1
    assert "could not reply: The model server refused the connection." in result.stdout
    assert "Traceback" not in result.output


def test_without_the_llm_engine_the_option_says_so(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "simulator.commands.llm", None)  # as if the engine were not installed
    path = tmp_path / "case.scenario.yaml"
    path.write_text(CHECKED, encoding="utf-8")
    result = runner.invoke(
        app, ["scenarios", "test", str(path), "--model", "fake/model"], catch_exceptions=False
    )
    assert result.exit_code == 1 and "the LLM engine is not available" in result.output


def test_api_base_alone_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["scenarios", "test", "--api-base", "http://127.0.0.1:9"], catch_exceptions=False
    )
    assert result.exit_code == 1 and "--api-base needs --model" in result.output
