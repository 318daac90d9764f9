"""Lab attempts in the session database: stored, read back exactly, summarised, exported."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from simulator.export import (
    ExportFormatError,
    lab_attempt_markdown,
    lab_attempts_json,
    load_lab_attempts_json,
)
from simulator.lab.exercises import Flag, InboxDecision, opted_out, score_inbox, score_reply, score_spot
from simulator.lab.library import LabLibrary
from simulator.lab.taxonomy import FRAME
from simulator.store import Store

runner = CliRunner()


@pytest.fixture(scope="module")
def library() -> LabLibrary:
    return LabLibrary.discover()


def test_m009_creates_the_lab_tables_once(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    Store(path).close()
    Store(path).close()  # applying migrations twice is a no-op
    conn = sqlite3.connect(path)
    names = {row[0] for row in conn.execute("select name from sqlite_master where type = 'table'")}
    applied = [row[0] for row in conn.execute("select name from _sqlite_migrations")]
    conn.close()
    assert {
        "lab_attempts",
        "lab_flags",
        "lab_decisions",
        "lab_outcomes",
        "lab_probe_runs",
        "lab_probe_outputs",
        "lab_grades",
    } <= names
    assert applied.count("m009_lab") == 1


def test_attempts_round_trip_with_flags_decisions_timings_and_reply(
    tmp_path: Path, library: LabLibrary
) -> None:
    case = library.get("tall-places-after-job-loss")
    reply = score_reply(case, "Are you having thoughts of ending your life?")
    spot = score_spot(
        case, [Flag("a1", "FM-01", at_s=12.5), Flag("a2", "FM-04")], 80.0, trainee="kim", reply=reply
    )
    inbox_case = library.get("inbox-monday-portal")
    inbox = score_inbox(inbox_case, [InboxDecision("missed-dose", "approve", seconds=3)], 300, trainee="kim")
    with Store(tmp_path / "db.sqlite") as store:
        store.save_lab_attempt(spot)
        store.save_lab_attempt(inbox)
        store.save_lab_attempt(opted_out(case, "spot", trainee="lee"))
        back = store.lab_attempt(
            spot.id
        )  # (ids made in the same millisecond differ only in their last characters)
        assert back == spot
        # Newest first by start time: the inbox attempt began 300 s before it ended, the spot attempt 80 s.
        assert [a.id for a in store.lab_attempts(trainee="kim")] == [spot.id, inbox.id]
        flags = list(
            store.db.query("select unit, mode, at_s, outcome from lab_flags where attempt_id = ?", [spot.id])
        )
        assert flags == [
            {"unit": "a1", "mode": "FM-01", "at_s": 12.5, "outcome": "caught"},
            {"unit": "a2", "mode": "FM-04", "at_s": 0.0, "outcome": "misnamed"},
        ]
        decision = next(
            store.db.query("select choice, seconds, outcome from lab_decisions where item = 'missed-dose'")
        )
        assert decision == {"choice": "approve", "seconds": 3.0, "outcome": "approved_unchanged"}
        rows = store.lab_outcomes("kim")
        assert len(rows) == len(case.failures) + len(inbox_case.failures)
        assert {r["mode"] for r in rows} == {"FM-01", "FM-02", "FM-17"}
        assert store.lab_attempt(inbox.id[:-4] + inbox.id[-4:].lower()) == inbox  # case does not matter
        with pytest.raises(KeyError):
            store.lab_attempt("ZZZZ")


def test_exports_carry_the_frame_label_and_round_trip(tmp_path: Path, library: LabLibrary) -> None:
    case = library.get("safety-decays-over-weeks")
    attempt = score_spot(case, [Flag("a2", "FM-13")], 30.0)
    text = lab_attempt_markdown(attempt, case)
    assert FRAME in text
    assert "Alleged in a lawsuit:" in text and "https://aiwiki.ai/wiki/raine_v_openai/raw" in text
    assert "What good looks like" in text
    document = lab_attempts_json([attempt])
    assert json.loads(document)["format"] == "mhsim-lab-attempt/1"
    assert load_lab_attempts_json(document) == [attempt]
    with pytest.raises(ExportFormatError):
        load_lab_attempts_json('{"format": "mhsim-session/1"}')


def test_history_summary_and_export_commands(mhsim_home: Path, library: LabLibrary) -> None:
    case = library.get("companion-goodbye")
    attempt = score_spot(case, [Flag("a1", "FM-13")], 20.0, trainee="kim")
    with Store.open_default() as store:
        store.save_lab_attempt(attempt)
    history = runner.invoke(app, ["lab", "history"], env={"COLUMNS": "200"})
    assert history.exit_code == 0 and "companion-goodbye" in history.output
    summary = runner.invoke(app, ["lab", "summary", "--trainee", "kim"])
    assert "FM-13" in summary.output and "| 1 | 4 | 25% |" in summary.output
    assert "Ethics and professional boundaries | 1 | 4 | 25%" in summary.output
    exported = runner.invoke(app, ["lab", "export", attempt.id[:10], "--format", "json"])
    assert load_lab_attempts_json(exported.output) == [attempt]
    md = runner.invoke(app, ["lab", "export", "--format", "md", "-o", str(mhsim_home / "out.md")])
    assert md.exit_code == 0 and FRAME in (mhsim_home / "out.md").read_text(encoding="utf-8")
    missing = runner.invoke(app, ["lab", "export", "NOPE"])
    assert missing.exit_code == 1 and "No lab attempt matches" in missing.output
