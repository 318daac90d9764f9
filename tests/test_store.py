"""The session store: round trips, id prefixes, listing, crash recovery, and plain-words errors."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import simulator.store as store_module
from simulator.codes import Behaviour, RiskFlag
from simulator.records import (
    Coding,
    Cue,
    Disclosure,
    ItemScore,
    PatientState,
    RubricScore,
    SessionInfo,
    SessionScore,
    Turn,
)
from simulator.store import SessionNotFound, Store, StoreError, migrations, new_session_id

T0 = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)


def info(session_id: str, *, scenario: str = "low-mood", minutes: int = 0, **extra) -> SessionInfo:
    return SessionInfo(
        id=session_id,
        scenario_id=scenario,
        scenario_version="1.2",
        scenario_title="Low mood after a job loss",
        trainee="kestrel",
        engine="scripted",
        seed=7,
        started_at=T0 + timedelta(minutes=minutes),
        **extra,
    )


def transcript() -> list[Turn]:
    state = PatientState(
        turn=1,
        trust=0.45,
        stage="contemplation",
        emotion="guarded",
        unlocked=["sleep_problems"],
        disclosed=["sleep_problems"],
        asked=["how has sleep been"],
        flags_asked=[RiskFlag.ASK_WISH_DEAD],
        used_lines={"sleep_problems:0": 1},
    )
    coding = Coding(
        behaviours=[Behaviour.OPEN_QUESTION],
        topics=["sleep"],
        risk_flags=[RiskFlag.ASK_WISH_DEAD],
        cues=[Cue(code="open_question", rule="wh_start", evidence="How")],
    )
    return [
        Turn(index=0, speaker="patient", text="I don't really know why I'm here.", trainee_turn=0, at=T0),
        Turn(
            index=1,
            speaker="trainee",
            text="How have you been sleeping lately?",
            trainee_turn=1,
            coding=coding,
            state=state,
            notices=["An identifier was redacted."],
            at=T0 + timedelta(seconds=20),
        ),
        Turn(
            index=2,
            speaker="patient",
            text="Badly. I lie awake most nights.",
            trainee_turn=1,
            engine="scripted",
            at=T0 + timedelta(seconds=21),
            duration_ms=12.5,
        ),
    ]


def ledger() -> list[Disclosure]:
    return [
        Disclosure(
            fact_id="sleep_problems",
            turn=1,
            trust=0.45,
            behaviours=[Behaviour.OPEN_QUESTION],
            topics=["sleep"],
            risk_flags=[],
            trainee_text="How have you been sleeping lately?",
        )
    ]


def scored() -> SessionScore:
    return SessionScore(
        coder_version="coder-1",
        enough=True,
        rubrics=[
            RubricScore(
                rubric_id="mi-basics",
                rubric_version="2",
                title="MI basics",
                instrument="MITI 4.2.1",
                items=[
                    ItemScore(
                        rubric_id="mi-basics",
                        item_id="open_questions",
                        title="Open questions",
                        kind="ratio",
                        status="met",
                        value=1.0,
                        label="good",
                        evidence_turns=[1],
                        feedback="Keep opening with open questions.",
                    ),
                    ItemScore(
                        rubric_id="mi-basics",
                        item_id="risk_screen",
                        title="Asked directly about suicide",
                        kind="critical",
                        status="critical_miss",
                        better_reply="When people feel this low they sometimes think of suicide. Have you?",
                    ),
                ],
            )
        ],
        strengths=["Open questions"],
        critical_misses=["Asked directly about suicide"],
    )


@pytest.fixture
def store(tmp_path: Path):
    s = Store(tmp_path / "data" / "mhsim.db")
    yield s
    s.close()


def test_round_trip_of_a_whole_session(store: Store) -> None:
    store.create_session(info("01JABCDEF0000000000000000A"))
    for turn in transcript():
        store.add_turn("01JABCDEF0000000000000000A", turn)
    store.add_disclosures("01JABCDEF0000000000000000A", ledger())
    store.save_scores("01JABCDEF0000000000000000A", scored())

    assert store.session("01JABCDEF0000000000000000A") == info("01JABCDEF0000000000000000A")
    assert store.turns("01JABCDEF0000000000000000A") == transcript()
    assert store.disclosures("01JABCDEF0000000000000000A") == ledger()
    assert store.scores("01JABCDEF0000000000000000A") == scored()
    assert store.meta("01JABCDEF0000000000000000A")["mhsim_version"]


def test_reopened_database_keeps_everything(tmp_path: Path) -> None:
    path = tmp_path / "mhsim.db"
    with Store(path) as s:
        s.create_session(info("S1"))
        s.add_turn("S1", transcript()[0])
    with Store(path) as s:
        assert s.turns("S1") == transcript()[:1]


def test_turn_is_committed_before_add_turn_returns(store: Store) -> None:
    store.create_session(info("S1"))
    store.add_turn("S1", transcript()[0])
    # A second connection (another process, Datasette) sees it at once.
    other = sqlite3.connect(store.path)
    try:
        assert other.execute("select text from turns where session_id = 'S1'").fetchall() == [
            ("I don't really know why I'm here.",)
        ]
    finally:
        other.close()


def test_duplicate_turn_index_is_rejected(store: Store) -> None:
    store.create_session(info("S1"))
    store.add_turn("S1", transcript()[0])
    with pytest.raises(sqlite3.IntegrityError):
        store.add_turn("S1", transcript()[0])
    assert len(store.turns("S1")) == 1


def test_save_scores_replaces_previous_scores(store: Store) -> None:
    store.create_session(info("S1"))
    store.save_scores("S1", scored())
    rescored = scored().model_copy(update={"coder_version": "coder-2", "strengths": []})
    store.save_scores("S1", rescored)
    assert store.scores("S1") == rescored
    rows = list(store.db.query("select item_id, status, coder_version, evidence_turns from scores"))
    assert [(r["item_id"], r["status"], r["coder_version"]) for r in rows] == [
        ("open_questions", "met", "coder-2"),
        ("risk_screen", "critical_miss", "coder-2"),
    ]
    assert rows[0]["evidence_turns"] == "[1]"


def test_unscored_session_has_no_scores(store: Store) -> None:
    store.create_session(info("S1"))
    assert store.scores("S1") is None


def test_set_status_complete_stamps_end_and_ending(store: Store) -> None:
    store.create_session(info("S1"))
    store.set_status("S1", "complete", ending="walked_out")
    done = store.session("S1")
    assert done.status == "complete"
    assert done.ending == "walked_out"
    assert done.ended_at is not None and done.ended_at >= done.started_at
    store.set_status("S1", "active")
    assert store.session("S1").ended_at is None
    with pytest.raises(ValueError):
        store.set_status("S1", "finished")


def test_id_prefix_resolution_and_ambiguity(store: Store) -> None:
    for sid in ("01JAAA111", "01JAAA222", "01JBBB333"):
        store.create_session(info(sid))
    assert store.resolve_id("01JB") == "01JBBB333"
    assert store.resolve_id("01jaaa2") == "01JAAA222"  # case-insensitive, as typed from a listing
    assert store.session("01JAAA1").id == "01JAAA111"
    with pytest.raises(KeyError) as ambiguous:
        store.resolve_id("01JAAA")
    message = str(ambiguous.value)
    assert "01JAAA111" in message and "01JAAA222" in message and "more than one" in message
    with pytest.raises(SessionNotFound, match="No session matches 'nope'"):
        store.session("nope")
    with pytest.raises(KeyError):
        store.turns("01JC")
    # LIKE wildcards in a prefix are taken literally
    with pytest.raises(KeyError):
        store.resolve_id("%")


def test_short_ids_are_unique_prefixes(store: Store) -> None:
    for sid in ("01JAAAAAAA111", "01JAAAAAAA122", "01JBBBBBBB333"):
        store.create_session(info(sid))
    short = store.short_ids(["01JAAAAAAA111", "01JBBBBBBB333"])
    assert short == {"01JAAAAAAA111": "01JAAAAAAA11", "01JBBBBBBB333": "01JBBBBBBB33"}
    assert all(store.resolve_id(prefix) == full for full, prefix in short.items())
    assert store.short_ids(["01JBBBBBBB333"]) == {"01JBBBBBBB333": "01JBBBBB"}  # at least 8 characters
    assert store.short_ids([]) == {}


def test_listing_is_newest_first_and_filters(store: Store) -> None:
    store.create_session(info("OLD", minutes=0))
    store.create_session(info("MID", minutes=5, scenario="panic"))
    store.create_session(info("NEW", minutes=10))
    store.set_status("MID", "complete")
    assert [s.id for s in store.sessions()] == ["NEW", "MID", "OLD"]
    assert [s.id for s in store.sessions(scenario_id="low-mood")] == ["NEW", "OLD"]
    assert [s.id for s in store.sessions(status="complete")] == ["MID"]
    assert [s.id for s in store.sessions(limit=2)] == ["NEW", "MID"]
    assert store.sessions(scenario_id="panic", status="active") == []


def test_turn_counts_for_listings(store: Store) -> None:
    store.create_session(info("S1"))
    store.create_session(info("S2"))
    for turn in transcript():
        store.add_turn("S1", turn)
    assert store.turn_counts(["S1", "S2"]) == {"S1": 1, "S2": 0}


def test_stale_active_session_is_marked_interrupted(store: Store) -> None:
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, check=True
    )
    dead_pid = int(finished.stdout)
    store.create_session(info("CRASHED"))
    store.create_session(info("LIVE"))  # owned by this (running) process
    store.create_session(info("DONE"))
    store.set_status("DONE", "complete")
    store.db.execute("update sessions set owner_pid = ? where id = 'CRASHED'", [dead_pid])

    assert store.mark_stale_active_as_interrupted() == 1
    assert store.session("CRASHED").status == "interrupted"
    assert store.session("LIVE").status == "active"
    assert store.session("DONE").status == "complete"
    assert store.mark_stale_active_as_interrupted() == 0


def test_long_idle_session_of_another_machine_is_stale(store: Store) -> None:
    store.create_session(info("REMOTE"))
    store.db.execute(
        "update sessions set owner_host = 'elsewhere', owner_pid = 1, "
        "updated_at = '2020-01-01T00:00:00.000000Z'"
    )
    assert store.mark_stale_active_as_interrupted() == 1
    assert store.session("REMOTE").status == "interrupted"


def test_a_new_turn_revives_an_interrupted_session(store: Store) -> None:
    store.create_session(info("S1"))
    store.set_status("S1", "interrupted")
    store.add_turn("S1", transcript()[0])
    assert store.session("S1").status == "active"


def test_wal_mode_is_on(store: Store) -> None:
    assert store.journal_mode == "wal"
    raw = sqlite3.connect(store.path)
    try:
        assert raw.execute("pragma journal_mode").fetchone()[0] == "wal"
    finally:
        raw.close()


def test_migrations_are_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "mhsim.db"
    with Store(path) as first:
        first.create_session(info("S1"))
        applied = [m.name for m in migrations.applied(first.db)]
    with Store(path) as second:
        assert [m.name for m in migrations.applied(second.db)] == applied
        assert migrations.pending(second.db) == []
        assert second.session("S1").id == "S1"
    assert applied[0] == "m001_wal" and "m003_turns" in applied


def test_tables_are_strict_and_searchable(store: Store) -> None:
    assert "STRICT" in store.db["turns"].schema
    store.create_session(info("S1"))
    for turn in transcript():
        store.add_turn("S1", turn)
    hits = store.search_turns("awake")
    assert [(sid, t.index) for sid, t in hits] == [("S1", 2)]


def test_default_location_follows_mhsim_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MHSIM_HOME", str(tmp_path / "home"))
    with Store.open_default() as s:
        assert s.path == tmp_path / "home" / "mhsim.db"
    assert (tmp_path / "home" / "mhsim.db").is_file()


def test_new_session_ids_are_sortable_ulids() -> None:
    import time

    first = new_session_id()
    time.sleep(0.002)
    second = new_session_id()
    assert len(first) == 26 and first.isalnum()
    assert first[:6] == second[:6]  # the time part leads
    assert first < second, "ids sort by creation time"


# ----------------------------------------------------------------------------------------------- errors


def test_read_only_database_gives_store_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "mhsim.db"
    with Store(path) as s:
        s.create_session(info("S1"))

    # Root ignores chmod, so open the file the way SQLite opens a read-only one (URI mode=ro).
    def read_only(p: Path, timeout: float) -> sqlite3.Connection:
        return sqlite3.connect(f"file:{p}?mode=ro", uri=True, timeout=timeout)

    monkeypatch.setattr(store_module, "_connect", read_only)
    s = Store(path)  # reading still works
    try:
        assert s.session("S1").id == "S1"
        with pytest.raises(StoreError) as err:
            s.add_turn("S1", transcript()[0])
        assert "read-only" in str(err.value)
        assert str(path) in str(err.value) and "MHSIM_HOME" in str(err.value)
        # housekeeping on a read-only file is skipped, not fatal
        assert s.mark_stale_active_as_interrupted() == 0
    finally:
        s.close()


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root ignores file permissions")
def test_read_only_folder_gives_store_error(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(StoreError, match="MHSIM_HOME"):
            Store(folder / "mhsim.db")
    finally:
        folder.chmod(0o700)


def test_database_path_that_is_a_folder_gives_store_error(tmp_path: Path) -> None:
    (tmp_path / "mhsim.db").mkdir()
    with pytest.raises(StoreError, match="is a folder, not a file"):
        Store(tmp_path / "mhsim.db")


def test_data_folder_that_cannot_be_created_gives_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "home"
    blocker.write_text("a file where the data folder should be")
    with pytest.raises(StoreError) as err:
        Store(blocker / "data" / "mhsim.db")
    assert "cannot create the folder" in str(err.value) and "MHSIM_HOME" in str(err.value)


def test_corrupt_file_gives_store_error(tmp_path: Path) -> None:
    path = tmp_path / "mhsim.db"
    path.write_bytes(b"these are not the bytes of a SQLite database\n" * 50)
    with pytest.raises(StoreError) as err:
        Store(path)
    assert "not a usable mhsim session database" in str(err.value)
    assert "mhsim.db.bak" in str(err.value)


def test_locked_database_gives_store_error(tmp_path: Path) -> None:
    path = tmp_path / "mhsim.db"
    s = Store(path, busy_timeout=0.05)
    s.create_session(info("S1"))
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("begin immediate")  # another writer holds the write lock
        with pytest.raises(StoreError, match="locked by another mhsim"):
            s.add_turn("S1", transcript()[0])
        other.execute("rollback")
        s.add_turn("S1", transcript()[0])  # and the store still works afterwards
        assert len(s.turns("S1")) == 1
    finally:
        other.close()
        s.close()


# -------------------------------------------------------------------------------------------------- CLI


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import typer
    from typer.testing import CliRunner

    from simulator.commands.sessions import locate_command, sessions_app

    monkeypatch.setenv("MHSIM_HOME", str(tmp_path / "home"))
    app = typer.Typer()
    app.add_typer(sessions_app, name="sessions")
    app.command("locate")(locate_command)
    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args))


def _seed_home(tmp_path: Path) -> None:
    with Store(tmp_path / "home" / "mhsim.db") as s:
        s.create_session(info("01JAAAAAAAAAAAAAAAAAAAAAA1", minutes=0))
        s.create_session(info("01JBBBBBBBBBBBBBBBBBBBBBB2", minutes=5, scenario="panic"))
        for turn in transcript():
            s.add_turn("01JAAAAAAAAAAAAAAAAAAAAAA1", turn)
        s.add_disclosures("01JAAAAAAAAAAAAAAAAAAAAAA1", ledger())
        s.save_scores("01JAAAAAAAAAAAAAAAAAAAAAA1", scored())
        s.set_status("01JAAAAAAAAAAAAAAAAAAAAAA1", "complete")


def test_cli_list_filters_and_empty(cli, tmp_path: Path) -> None:
    result = cli("sessions", "list")
    assert result.exit_code == 0, result.output
    assert "No sessions yet" in result.output
    _seed_home(tmp_path)
    result = cli("sessions", "list")
    assert result.exit_code == 0, result.output
    # short unique ids, newest first, status in words
    assert result.output.index("01JBBBBB ") < result.output.index("01JAAAAA ")
    assert "✔ complete" in result.output and "low-mood" in result.output
    result = cli("sessions", "list", "--status", "complete")
    assert "01JAAAAA" in result.output and "01JBBB" not in result.output
    result = cli("sessions", "list", "--scenario", "panic")
    assert "01JBBBBB" in result.output and "01JAAA" not in result.output
    result = cli("sessions", "list", "--status", "finished")
    assert result.exit_code == 2  # typer rejects an unknown choice with usage help


def test_cli_show_prints_markdown(cli, tmp_path: Path) -> None:
    _seed_home(tmp_path)
    result = cli("sessions", "show", "01JA")
    assert result.exit_code == 0, result.output
    assert "## Transcript" in result.output
    assert "How have you been sleeping lately?" in result.output
    assert "‼ critical miss" in result.output


def test_cli_unknown_and_ambiguous_ids_exit_1(cli, tmp_path: Path) -> None:
    _seed_home(tmp_path)
    result = cli("sessions", "show", "ZZZ")
    assert result.exit_code == 1
    assert "No session matches 'ZZZ'." in result.output
    assert "Traceback" not in result.output
    result = cli("sessions", "export", "01J")
    assert result.exit_code == 1
    assert "more than one session" in result.output


def test_cli_export_json_to_stdout_and_md_to_file(cli, tmp_path: Path) -> None:
    import json

    _seed_home(tmp_path)
    result = cli("sessions", "export", "01JA", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["format"] == "mhsim-session/1"
    assert document["session"]["id"] == "01JAAAAAAAAAAAAAAAAAAAAAA1"

    target = tmp_path / "out" / "session.md"
    result = cli("sessions", "export", "01JA", "--output", str(target))
    assert result.exit_code == 0, result.output
    assert "## Disclosure ledger" in target.read_text(encoding="utf-8")


def test_cli_store_error_is_a_message_not_a_traceback(cli, tmp_path: Path) -> None:
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "mhsim.db").write_bytes(b"garbage" * 200)
    result = cli("sessions", "list")
    assert result.exit_code == 1
    assert "not a usable mhsim session database" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_cli_locate(cli, tmp_path: Path) -> None:
    home = tmp_path / "home"
    result = cli("locate")
    assert result.exit_code == 0, result.output
    for label in ("config dir", "config file", "data dir", "database", "scenarios"):
        assert label in result.output
    assert cli("locate", "db").output.strip() == str(home / "mhsim.db")
    assert cli("locate", "config").output.strip() == str(home / "config.yaml")
    assert cli("locate", "scenarios").output.strip() == str(home / "scenarios")
    bad = cli("locate", "everything")
    assert bad.exit_code == 1 and "Unknown location" in bad.output


def test_usage_text_summarises_model_use() -> None:
    assert Store.usage_text(None) == ""
    assert Store.usage_text({"tokens_in": 12000, "tokens_out": 345, "cost_usd": 0.004}) == "12,345 tok · $0.0040"
    assert Store.usage_text({"tokens_in": 10, "tokens_out": None, "cost_usd": None}) == "10 tok"
