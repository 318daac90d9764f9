"""Live probe end to end against the tests' OpenAI-compatible server on 127.0.0.1 (never the network): the real
LLM adapter path, redaction before storage, failed calls recorded, grades from several raters, the report."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from simulator.config import Config
from simulator.lab.library import LabLibrary
from simulator.lab.probe import (
    OVERALL,
    Completion,
    ModelNotConfigured,
    battery,
    grade,
    probe_messages,
    probe_settings,
    run_battery,
)
from simulator.lab.report import evaluation, report_html, report_markdown
from simulator.lab.taxonomy import LIVE_FRAME
from simulator.store import Store

from .conftest import ROOT
from .llm_server import Fail, FakeOpenAIServer, Reply

runner = CliRunner()
UNSAFE = "I'm sorry. Here are the tallest ones: the North Bridge is 60 m high. Or take 30 tablets."


@pytest.fixture(scope="module")
def library() -> LabLibrary:
    return LabLibrary.discover()


@pytest.fixture
def server():
    srv = FakeOpenAIServer().start()
    yield srv
    srv.stop()


def answer_by_prompt(body: dict) -> Reply | Fail:
    last = body["messages"][-1]["content"]
    if "tallest bridges" in last:
        return Reply(UNSAFE, model="probe-model-2025-01")
    if "actually dead" in last:
        return Fail(500, "the model crashed")
    return Reply(
        "I'm an AI, not a person. It sounds hard; please talk to someone you trust.",
        model="probe-model-2025-01",
    )


def test_probe_settings_need_a_model_and_say_how_to_configure_one() -> None:
    with pytest.raises(ModelNotConfigured) as caught:
        probe_settings(Config())
    assert "model: ollama/llama3.2" in str(caught.value)
    settings = probe_settings(Config(), model="openai/x", api_base="http://127.0.0.1:1/v1")
    assert settings.model == "openai/x" and settings.api_base == "http://127.0.0.1:1/v1"


def test_probes_are_sent_as_written_with_the_system_prompt_first(library: LabLibrary) -> None:
    case = library.get("tall-places-after-job-loss")
    messages = probe_messages(case.probe)
    assert messages[-1] == {"role": "user", "content": case.probe.messages[-1].content}
    assert battery(library.cases, ["already-dead"])[0].id == "already-dead"
    with pytest.raises(KeyError):
        battery(library.cases, ["reframing-bypass"])  # no probe: its payload is never sent to a model


# The two tests that go through litellm run the model call in a child process: importing litellm into the test
# process would leak into other tests that check it is never imported (they share the worker's sys.modules).
ADAPTER_RUN = """
import asyncio, sys
from simulator.config import ModelConfig
from simulator.lab.library import LabLibrary
from simulator.lab.probe import adapter_complete, battery, run_battery
from simulator.store import Store

base, db = sys.argv[1], sys.argv[2]
settings = ModelConfig(model="openai/probe-model", api_base=base, timeout_s=10)
cases = battery(LabLibrary.discover().cases, ["tall-places-after-job-loss", "already-dead", "licensed-therapist-claim"])
with Store(db) as store:
    run = asyncio.run(run_battery(cases, adapter_complete(settings), model=settings.model, api_base=base,
                                  repeats=2, store=store))
print(run.id)
"""


def _child(args: list[str], home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MHSIM_HOME": str(home), "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, *args], check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )


@pytest.mark.slow
def test_live_probe_through_the_adapter_redacts_and_records(server, tmp_path: Path, mhsim_home: Path) -> None:
    server.respond = answer_by_prompt
    db = tmp_path / "db.sqlite"
    child = _child(["-c", ADAPTER_RUN, server.base_url, str(db)], mhsim_home)
    assert child.returncode == 0, child.stderr
    run_id = child.stdout.strip().splitlines()[-1]
    with Store(db) as store:
        stored = store.probe_outputs(run_id)
        header = store.probe_runs(run_id)[0]
    sent = [r["messages"][-1]["content"] for r in server.requests]
    # Two runs of each probe; the failing one may be retried once by the provider client, never more.
    assert (
        sum("tallest bridges" in t for t in sent) == 2 and 2 <= sum("actually dead" in t for t in sent) <= 4
    )
    assert server.requests[0]["messages"][-1]["content"].startswith("I just lost my job")
    assert [(o["case_id"], o["repeat"]) for o in stored] == [
        ("tall-places-after-job-loss", 1),
        ("tall-places-after-job-loss", 2),
        ("already-dead", 1),
        ("already-dead", 2),
        ("licensed-therapist-claim", 1),
        ("licensed-therapist-claim", 2),
    ]
    bridges = stored[0]
    assert "60 m" not in bridges["output"] and "30 tablets" not in bridges["output"]
    assert "[location detail withheld" in bridges["output"] and bridges["redactions"] == ["height", "dose"]
    assert stored[2]["error"] and stored[3]["error"]
    assert stored[2]["output"] == ""
    assert stored[4]["error"] is None and stored[4]["output"].startswith("I'm an AI")
    assert header["model"] == "openai/probe-model" and header["model_version"] == "probe-model-2025-01"
    assert header["ended_at"] is not None


def _graded_run(tmp_path: Path, library: LabLibrary, raters: list[str]) -> tuple[Store, str]:
    async def complete(messages):
        return Completion("An answer.", "m-1")

    store = Store(tmp_path / "db.sqlite")
    cases = battery(library.cases, ["already-dead", "licensed-therapist-claim"])
    run = asyncio.run(run_battery(cases, complete, model="local/test", store=store))
    outputs = store.probe_outputs(run.id)
    # Overall judgements: the first two raters agree on output 1 and disagree on output 2.
    overall = {raters[0]: ["harmful", "best_practice"], raters[1]: ["harmful", "suboptimal"]}
    if len(raters) > 2:
        overall[raters[2]] = ["harmful", "suboptimal"]
    for rater in raters:
        for i, row in enumerate(outputs):
            case = library.get(row["case_id"])
            for criterion in case.probe.criteria:
                answer = "no" if (i == 0 and criterion.severity.value == "red") else "yes"
                grade(store, row["id"], rater, criterion.id, answer)
            grade(store, row["id"], rater, OVERALL, overall[rater][i])
    return store, run.id


def test_report_with_two_raters_uses_cohens_kappa_and_lists_failures(
    tmp_path: Path, library: LabLibrary
) -> None:
    store, run_id = _graded_run(tmp_path, library, ["ana", "ben"])
    cases = {c.id: c for c in library.cases}
    ev = evaluation(
        store.probe_runs(run_id)[0], store.probe_outputs(run_id), store.probe_grades(run_id), cases
    )
    store.close()
    assert ev.raters == ["ana", "ben"]
    assert ev.overall_agreement.statistic == "Cohen's kappa"
    # 2 outputs: agree on one ("harmful"), disagree on the other -> p_o = 1/2; chance = (1*1 + 0 + 0)/4 = 1/4;
    # kappa = (1/2 - 1/4) / (3/4) = 1/3.
    assert ev.overall_agreement.kappa == pytest.approx(1 / 3)
    failed = [(o.case_id, c.id) for o in ev.outputs for c in o.criteria if c.failed]
    assert failed == [("already-dead", "no-collusion"), ("already-dead", "clinical-help")]
    md = report_markdown(ev)
    assert "# Pre-deployment evaluation: local/test" in md
    assert "Version (as reported) | m-1" in md and LIVE_FRAME in md
    assert "Cohen's kappa = 0.33 (fair)" in md
    assert "## Failures found" in md and "ana, ben" in md
    html = report_html(ev)
    assert html.startswith("<!doctype html>") and LIVE_FRAME in html and "<script" not in html


def test_report_with_three_raters_uses_fleiss_kappa(tmp_path: Path, library: LabLibrary) -> None:
    store, run_id = _graded_run(tmp_path, library, ["ana", "ben", "cal"])
    cases = {c.id: c for c in library.cases}
    ev = evaluation(
        store.probe_runs(run_id)[0], store.probe_outputs(run_id), store.probe_grades(run_id), cases
    )
    store.close()
    assert ev.overall_agreement.statistic == "Fleiss' kappa" and len(ev.overall_agreement.raters) == 3
    # Criteria: every rater gave identical answers -> perfect agreement.
    assert ev.criteria_agreement.kappa == pytest.approx(1.0)


@pytest.mark.slow
def test_cli_run_and_report_against_the_local_server(server, mhsim_home: Path) -> None:
    server.respond = answer_by_prompt
    args = [
        "lab",
        "run",
        "--model",
        "openai/probe-model",
        "--api-base",
        server.base_url,
        "--case",
        "tall-places-after-job-loss",
        "--case",
        "companion-goodbye",
    ]
    child = _child(["-m", "simulator", *args], mhsim_home)
    output = child.stdout + child.stderr
    assert child.returncode == 0, output
    assert "a server on this computer" in output
    assert "30 tablets" not in output and "[dose detail withheld" in output
    run_id = re.search(r"as run (\w+)", output).group(1)
    out = mhsim_home / "report.html"
    report = runner.invoke(app, ["lab", "report", run_id[:10], "--format", "html", "-o", str(out)])
    assert report.exit_code == 0, report.output
    assert "openai/probe-model" in out.read_text(encoding="utf-8")
    graded = runner.invoke(
        app, ["lab", "grade", "--rater", "ana"], input="yes\nno\nyes\nharmful\nyes\nyes\nbest_practice\n"
    )
    assert graded.exit_code == 0, graded.output
    md = runner.invoke(app, ["lab", "report"]).output
    assert "Raters | ana" in md and "It notices the possible risk" in md
