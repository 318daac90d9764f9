"""Local session storage: one SQLite file in the user's data folder, kept with sqlite-utils.

The schema grows only through the ordered migrations below (sqlite-utils' built-in ``Migrations``, recorded
in ``_sqlite_migrations``), so an older database is upgraded in place when a newer mhsim opens it. The file is
in WAL mode, which lets Datasette (or a second mhsim) read it while a session is being written.

Every write is one short transaction that is committed before the method returns: the session runner stores
a turn before it shows the reply, so a crash or a closed terminal loses nothing. SQLite errors that a user can
fix (a read-only folder, a file locked by another program, a damaged file) become :class:`StoreError` with
plain words about what to do; programming errors (constraint violations) are left as they are.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

from sqlite_utils import Database, Migrations

from . import paths
from .records import Disclosure, SessionInfo, SessionScore, Turn

__all__ = [
    "STATUSES",
    "SessionNotFound",
    "Store",
    "StoreError",
    "migrations",
    "new_session_id",
]

STATUSES = ("active", "complete", "interrupted")
BUSY_TIMEOUT_S = 2.0  # long enough to ride out another process's short write, short enough to fail visibly
STALE_AFTER_HOURS = 12.0  # idle this long, an "active" session is stale even if its pid looks alive (reuse)
ENV_HINT = "or set MHSIM_HOME to a writable folder"


class StoreError(Exception):
    """The session database cannot be used; the message says why and what to do, in plain words."""


class SessionNotFound(KeyError):
    """No session (or more than one) matches an id or id prefix.

    A ``KeyError`` so callers can catch either; ``str()`` gives the plain message instead of a quoted repr.
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "No such session."


# ------------------------------------------------------------------------------------------- ids and times



def new_session_id() -> str:
    """A new session id: a ULID (26 characters, sorts by creation time)."""
    from ulid import ULID  # deferred: only needed when a session starts

    return str(ULID())


def _iso(value: datetime | None) -> str | None:
    """Canonical UTC text for a timestamp: sorts correctly as a string and reads well in Datasette.

    Naive datetimes are taken to be UTC (records.utcnow() never makes naive ones).
    """
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _now() -> str:
    return _iso(datetime.now(UTC)) or ""


def _dumps(value: Any) -> str:
    # Stable text so two saves of the same data are byte-identical (useful for diffs and Datasette facets).
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _loads(text: str | None, default: Any) -> Any:
    return default if text in (None, "") else json.loads(text)


# ---------------------------------------------------------------------------------------------- migrations

migrations = Migrations("mhsim")
"""The ordered schema history. Never edit an applied migration: add a new ``mNNN_...`` function instead."""


@migrations(transactional=False)  # journal_mode cannot change inside a transaction
def m001_wal(db: Database) -> None:
    """WAL: readers (Datasette, a second mhsim) do not block the writer, and a crash cannot tear a commit."""
    db.enable_wal()


@migrations()
def m002_sessions(db: Database) -> None:
    """One row per session: the header, its owner process (crash detection) and the whole score as JSON."""
    db["sessions"].create(
        {
            "id": str,
            "scenario_id": str,
            "scenario_version": str,
            "scenario_title": str,
            "trainee": str,
            "engine": str,
            "seed": int,
            "status": str,
            "started_at": str,
            "ended_at": str,
            "updated_at": str,
            "ending": str,
            "owner_pid": int,
            "owner_host": str,
            "meta": str,
            "score_json": str,
            "scored_at": str,
        },
        pk="id",
        not_null={"scenario_id", "scenario_version", "engine", "status", "started_at", "meta"},
        defaults={"scenario_title": "", "trainee": "trainee", "seed": 0, "status": "active", "meta": "{}"},
    )
    db["sessions"].create_index(["started_at"])
    db["sessions"].create_index(["scenario_id"])
    db["sessions"].create_index(["status"])


@migrations()
def m003_turns(db: Database) -> None:
    """The transcript. An integer rowid key so full-text search can index it; (session_id, idx) is unique."""
    db["turns"].create(
        {
            "id": int,
            "session_id": str,
            "idx": int,
            "speaker": str,
            "text": str,
            "trainee_turn": int,
            "coding": str,
            "state": str,
            "engine": str,
            "notices": str,
            "at": str,
            "duration_ms": float,
        },
        pk="id",
        not_null={"session_id", "idx", "speaker", "text", "trainee_turn", "notices", "at"},
        defaults={"notices": "[]"},
        foreign_keys=[("session_id", "sessions", "id")],
    )
    db["turns"].create_index(["session_id", "idx"], unique=True)


@migrations()
def m004_disclosures(db: Database) -> None:
    """The disclosure ledger: which fact, after which trainee turn, at what trust, unlocked by what."""
    db["disclosures"].create(
        {
            "id": int,
            "session_id": str,
            "fact_id": str,
            "turn": int,
            "trust": float,
            "behaviours": str,
            "topics": str,
            "risk_flags": str,
            "trainee_text": str,
        },
        pk="id",
        not_null={"session_id", "fact_id", "turn"},
        foreign_keys=[("session_id", "sessions", "id")],
    )
    db["disclosures"].create_index(["session_id", "turn"])


@migrations()
def m005_scores(db: Database) -> None:
    """One row per rubric item, flat so Datasette can facet pass rates by rubric, item and scenario."""
    db["scores"].create(
        {
            "id": int,
            "session_id": str,
            "rubric_id": str,
            "rubric_version": str,
            "item_id": str,
            "title": str,
            "kind": str,
            "status": str,
            "value": float,
            "label": str,
            "detail": str,
            "evidence_turns": str,
            "feedback": str,
            "better_reply": str,
            "coder_version": str,
            "scored_at": str,
        },
        pk="id",
        not_null={"session_id", "rubric_id", "item_id", "status"},
        foreign_keys=[("session_id", "sessions", "id")],
    )
    db["scores"].create_index(["session_id"])
    db["scores"].create_index(["rubric_id", "item_id"])


@migrations()
def m006_turns_fts(db: Database) -> None:
    """Full-text search over what was said, kept current by triggers. Skipped where SQLite lacks FTS5."""
    try:
        db["turns"].enable_fts(["text"], create_triggers=True)
    except sqlite3.OperationalError as exc:
        if "fts5" not in str(exc).lower():
            raise


@migrations()
def m007_overrides(db: Database) -> None:
    """Educator overrides of item scores (with a reason) and educator ratings, for calibration."""
    from .overrides import create_tables as create_override_tables

    create_override_tables(db)


@migrations()
def m008_llm_usage(db: Database) -> None:
    """Language-model replies: model, reported version, tokens, cost, latency, checks and outcome per turn.

    The numbers are flat columns so totals are one SQL query (or a Datasette facet); ``usage`` and ``checks``
    keep the whole records as JSON so a turn reads back exactly as it was written.
    """
    turns = db["turns"]
    for name, kind in (
        ("model", str),
        ("model_version", str),
        ("tokens_in", int),
        ("tokens_out", int),
        ("cost_usd", float),
        ("latency_ms", float),
        ("reply_outcome", str),
        ("usage", str),
        ("checks", str),
    ):
        if name not in turns.columns_dict:
            turns.add_column(name, kind)


@migrations()
def m009_lab(db: Database) -> None:
    """The AI failure lab: attempts with their flags, decisions, timings, per-failure outcomes and scores;
    live-probe runs, their recorded outputs and staff grades (see ``simulator.lab.storage``)."""
    from .lab.storage import create_tables

    create_tables(db)


@migrations()
def m010_judgements(db: Database) -> None:
    """Optional LLM-judge ratings of the MITI globals, kept apart from the automatic estimates (see
    ``simulator.judgements``)."""
    from .judgements import create_tables as create_judgement_tables

    create_judgement_tables(db)


def _llm_columns(turn: Turn) -> dict[str, Any]:
    """The m008 columns of a turn: flat numbers for totals, whole records as JSON for the round trip."""
    usage = turn.usage
    return {
        "model": turn.model,
        "model_version": usage.model_version if usage else None,
        "tokens_in": usage.tokens_in if usage else None,
        "tokens_out": usage.tokens_out if usage else None,
        "cost_usd": usage.cost_usd if usage else None,
        "latency_ms": usage.latency_ms if usage else None,
        "reply_outcome": usage.outcome if usage else None,
        "usage": _dumps(usage.model_dump(mode="json")) if usage else None,
        "checks": _dumps([c.model_dump(mode="json") for c in turn.checks]) if turn.checks else None,
    }


# -------------------------------------------------------------------------------------------------- errors


def _connect(path: Path, timeout: float) -> sqlite3.Connection:
    """Open the SQLite connection (a seam the tests replace to simulate read-only files)."""
    return sqlite3.connect(str(path), timeout=timeout)


def _explain(path: Path, exc: BaseException) -> str:
    """Turn a SQLite or OS error into a sentence a trainee can act on."""
    text = str(exc).lower()
    if "readonly" in text or "read-only" in text:
        return (
            f"The session database at {path} is read-only, so mhsim cannot save sessions. "
            f"Make the file and its folder writable, {ENV_HINT}."
        )
    if "locked" in text or "busy" in text:
        return (
            f"The session database at {path} is locked by another mhsim (or another program writing to it). "
            "Close the other program or wait for it to finish, then try again."
        )
    if "not a database" in text or "malformed" in text or "encrypted" in text:
        return (
            f"The file at {path} is not a usable mhsim session database (it may be damaged or another "
            f"kind of file). Move it aside, for example rename it to {path.name}.bak, and mhsim will start "
            f"a new one; {ENV_HINT}."
        )
    if "disk is full" in text or "disk i/o" in text:
        return f"mhsim could not write the session database at {path}: {exc}. Free some space, {ENV_HINT}."
    if "unable to open" in text or isinstance(exc, OSError):
        return (
            f"mhsim cannot open the session database at {path}: the folder is missing or not writable. "
            f"Check the folder, {ENV_HINT}."
        )
    return f"mhsim could not use the session database at {path}: {exc}."


def _pid_alive(pid: int) -> bool:
    """Whether a process with this id exists on this machine."""
    if pid <= 0:
        return False
    if os.name == "nt":  # os.kill(pid, 0) would send CTRL_C_EVENT on Windows, so ask the kernel instead
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return kernel32.GetLastError() == 5  # ERROR_ACCESS_DENIED: it exists but is not ours
        try:
            code = ctypes.c_ulong()
            if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
                return True
            return code.value == 259  # STILL_ACTIVE
        finally:
            kernel32.CloseHandle(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    except OSError:
        return False
    return True


# --------------------------------------------------------------------------------------------------- store


class Store:
    """The session database: sessions, their turns, the disclosure ledger and scores.

    A ``Store`` holds one connection, bound to the thread that opened it: use it from the UI loop (the writes
    are small) or open another ``Store`` per thread.
    """

    def __init__(self, path: Path | None = None, *, busy_timeout: float = BUSY_TIMEOUT_S) -> None:
        """Open (creating if needed) the database at ``path`` and bring its schema up to date.

        ``path`` defaults to ``paths.locations().database``. Raises :class:`StoreError` when the folder or
        file cannot be written, the file is locked by another program, or it is not a SQLite database.
        """
        self.path = Path(path) if path is not None else paths.locations().database
        if self.path.is_dir():
            raise StoreError(
                f"The session database path {self.path} is a folder, not a file. "
                f"Move that folder away, {ENV_HINT}."
            )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"mhsim cannot create the folder {self.path.parent} for its session database "
                f"({exc.strerror}). Check the path, {ENV_HINT}."
            ) from exc
        conn: sqlite3.Connection | None = None
        try:
            conn = _connect(self.path, busy_timeout)
            self.db = Database(conn, strict=True)
            self.db.execute("PRAGMA foreign_keys=ON;")
            migrations.apply(self.db)
        except (sqlite3.Error, OSError) as exc:
            if conn is not None:
                conn.close()
            raise StoreError(_explain(self.path, exc)) from exc

    @classmethod
    def open_default(cls) -> Store:
        """Open the database at the default location (``MHSIM_HOME`` or the per-OS data folder)."""
        return cls(paths.locations().database)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection. Safe to call twice."""
        try:
            self.db.close()
        except sqlite3.Error:
            pass

    @property
    def journal_mode(self) -> str:
        """SQLite journal mode of the file ('wal' once migrations have run)."""
        with self._guard():
            return self.db.journal_mode

    # --------------------------------------------------------------------------------------------- plumbing

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """Re-raise user-fixable SQLite errors as StoreError; let programming errors through unchanged."""
        try:
            yield
        except (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError):
            raise
        except sqlite3.Error as exc:
            raise StoreError(_explain(self.path, exc)) from exc

    @contextmanager
    def _write(self) -> Iterator[Database]:
        """One committed transaction; rolled back whole on any error."""
        with self._guard(), self.db.atomic() as db:
            yield db

    def _row(self, session_id: str) -> dict[str, Any]:
        rows = list(self.db.query("select * from sessions where id = ?", [session_id]))
        if not rows:
            raise SessionNotFound(f"No session matches {session_id!r}.")
        return rows[0]

    def _known(self, session_id: str) -> str:
        """The full id for an id or unique prefix (exact ids cost one indexed lookup)."""
        with self._guard():
            if list(self.db.query("select 1 from sessions where id = ?", [session_id])):
                return session_id
        return self.resolve_id(session_id)

    @staticmethod
    def _info(row: dict[str, Any]) -> SessionInfo:
        return SessionInfo.model_validate(
            {
                "id": row["id"],
                "scenario_id": row["scenario_id"],
                "scenario_version": row["scenario_version"],
                "scenario_title": row["scenario_title"] or "",
                "trainee": row["trainee"] or "trainee",
                "engine": row["engine"],
                "seed": row["seed"] or 0,
                "status": row["status"],
                "started_at": row["started_at"],
                "ended_at": row["ended_at"],
                "ending": row["ending"],
            }
        )

    @staticmethod
    def _turn(row: dict[str, Any]) -> Turn:
        return Turn.model_validate(
            {
                "index": row["idx"],
                "speaker": row["speaker"],
                "text": row["text"],
                "trainee_turn": row["trainee_turn"],
                "coding": _loads(row["coding"], None),
                "state": _loads(row["state"], None),
                "engine": row["engine"],
                "notices": _loads(row["notices"], []),
                "at": row["at"],
                "duration_ms": row["duration_ms"],
                "model": row.get("model"),
                "usage": _loads(row.get("usage"), None),
                "checks": _loads(row.get("checks"), []),
            }
        )

    # ------------------------------------------------------------------------------------------------ writes

    def create_session(self, info: SessionInfo, *, meta: dict[str, Any] | None = None) -> None:
        """Store a new session header, owned by this process (see :meth:`mark_stale_active_as_interrupted`).

        ``meta`` is free-form JSON kept with the session (model settings, consent, redaction counts, ...); the
        mhsim version is always recorded in it.
        """
        from . import __version__

        with self._write() as db:
            db["sessions"].insert(
                {
                    "id": info.id,
                    "scenario_id": info.scenario_id,
                    "scenario_version": info.scenario_version,
                    "scenario_title": info.scenario_title,
                    "trainee": info.trainee,
                    "engine": info.engine,
                    "seed": info.seed,
                    "status": info.status,
                    "started_at": _iso(info.started_at),
                    "ended_at": _iso(info.ended_at),
                    "updated_at": _now(),
                    "ending": info.ending,
                    "owner_pid": os.getpid(),
                    "owner_host": socket.gethostname(),
                    "meta": _dumps({"mhsim_version": __version__, **(meta or {})}),
                }
            )

    def add_turn(self, session_id: str, turn: Turn) -> None:
        """Append one utterance and commit it at once.

        Storing a turn also marks the session as live and owned by this process again: an ``interrupted``
        session that receives a turn becomes ``active``. A second turn with the same index raises
        ``sqlite3.IntegrityError`` (a bug in the caller, not a user problem).
        """
        session_id = self._known(session_id)
        with self._write() as db:
            db["turns"].insert(
                {
                    "session_id": session_id,
                    "idx": turn.index,
                    "speaker": turn.speaker,
                    "text": turn.text,
                    "trainee_turn": turn.trainee_turn,
                    "coding": _dumps(turn.coding.model_dump(mode="json")) if turn.coding else None,
                    "state": _dumps(turn.state.model_dump(mode="json")) if turn.state else None,
                    "engine": turn.engine,
                    "notices": _dumps(list(turn.notices)),
                    "at": _iso(turn.at),
                    "duration_ms": turn.duration_ms,
                    **_llm_columns(turn),
                }
            )
            db.execute(
                "update sessions set updated_at = ?, owner_pid = ?, owner_host = ?, "
                "status = case when status = 'interrupted' then 'active' else status end where id = ?",
                [_now(), os.getpid(), socket.gethostname(), session_id],
            )

    def add_disclosures(self, session_id: str, items: list[Disclosure]) -> None:
        """Append entries to the disclosure ledger, in one transaction."""
        if not items:
            return
        session_id = self._known(session_id)
        with self._write() as db:
            db["disclosures"].insert_all(
                {
                    "session_id": session_id,
                    "fact_id": item.fact_id,
                    "turn": item.turn,
                    "trust": item.trust,
                    "behaviours": _dumps([str(b) for b in item.behaviours]),
                    "topics": _dumps(list(item.topics)),
                    "risk_flags": _dumps([str(f) for f in item.risk_flags]),
                    "trainee_text": item.trainee_text,
                }
                for item in items
            )

    def set_status(self, session_id: str, status: str, *, ending: str | None = None) -> None:
        """Set a session's status (active|complete|interrupted).

        ``complete`` stamps ``ended_at``; ``active`` (a resume) clears it and takes ownership for this
        process. ``ending`` is stored when given and left alone otherwise.
        """
        if status not in STATUSES:
            raise ValueError(f"Unknown session status {status!r}; expected one of {', '.join(STATUSES)}.")
        session_id = self._known(session_id)
        now = _now()
        values: dict[str, Any] = {"status": status, "updated_at": now}
        if status == "complete":
            values["ended_at"] = now
        elif status == "active":
            values.update(ended_at=None, owner_pid=os.getpid(), owner_host=socket.gethostname())
        if ending is not None:
            values["ending"] = ending
        with self._write() as db:
            db["sessions"].update(session_id, values)

    def save_scores(self, session_id: str, score: SessionScore) -> None:
        """Store a session's scores, replacing any earlier ones.

        Items go to the flat ``scores`` table (for browsing); the whole ``SessionScore`` is also kept as JSON
        so :meth:`scores` returns exactly what was saved.
        """
        session_id = self._known(session_id)
        now = _now()
        rows = [
            {
                "session_id": session_id,
                "rubric_id": item.rubric_id,
                "rubric_version": rubric.rubric_version,
                "item_id": item.item_id,
                "title": item.title,
                "kind": item.kind,
                "status": item.status,
                "value": item.value,
                "label": item.label,
                "detail": item.detail,
                "evidence_turns": _dumps(list(item.evidence_turns)),
                "feedback": item.feedback,
                "better_reply": item.better_reply,
                "coder_version": score.coder_version,
                "scored_at": now,
            }
            for rubric in score.rubrics
            for item in rubric.items
        ]
        with self._write() as db:
            db.execute("delete from scores where session_id = ?", [session_id])
            if rows:
                db["scores"].insert_all(rows)
            db["sessions"].update(session_id, {"score_json": score.model_dump_json(), "scored_at": now})

    def update_meta(self, session_id: str, values: dict[str, Any]) -> None:
        """Merge ``values`` into the session's JSON ``meta`` (a key set to None is removed)."""
        session_id = self._known(session_id)
        with self._write() as db:
            meta = _loads(self._row(session_id)["meta"], {})
            meta.update(values)
            meta = {k: v for k, v in meta.items() if v is not None}
            db["sessions"].update(session_id, {"meta": _dumps(meta)})

    def mark_stale_active_as_interrupted(self, *, idle_hours: float = STALE_AFTER_HOURS) -> int:
        """Mark sessions left ``active`` by a crash or a closed terminal as ``interrupted``; return how many.

        A session is stale when the process that owns it is gone (same machine), or when nothing was written
        to it for ``idle_hours`` (another machine, or a recycled process id). Sessions of running mhsim
        processes, such as other browser tabs under ``mhsim serve``, are left alone. Best effort: when the
        file cannot be written (read-only, busy) nothing is marked and 0 is returned.
        """
        host = socket.gethostname()
        cutoff = time.time() - idle_hours * 3600
        with self._guard():
            rows = list(
                self.db.query(
                    "select id, owner_pid, owner_host, coalesce(updated_at, started_at) as last "
                    "from sessions where status = 'active'"
                )
            )
        stale: list[str] = []
        for row in rows:
            try:
                last = datetime.fromisoformat(row["last"]).timestamp()
            except (TypeError, ValueError):  # no time stored, or not one we wrote
                last = 0.0
            pid = row["owner_pid"]
            if row["owner_host"] == host and pid == os.getpid():
                continue  # ours, and we are running
            if last < cutoff:
                stale.append(row["id"])
            elif row["owner_host"] in (host, None) and (pid is None or not _pid_alive(int(pid))):
                stale.append(row["id"])  # this machine, and the owner process is gone
        if not stale:
            return 0
        try:
            with self._write() as db:
                for session_id in stale:
                    # re-check the status: the owner may have completed it since we looked
                    db.execute(
                        "update sessions set status = 'interrupted' where id = ? and status = 'active'",
                        [session_id],
                    )
        except StoreError:
            return 0  # housekeeping only: a read-only or busy file must not stop list/show/export
        return len(stale)

    # ------------------------------------------------------------------------------------------------- reads

    def resolve_id(self, prefix: str) -> str:
        """The full session id for an id or a unique prefix of one (case-insensitive, like git's short ids).

        Raises :class:`SessionNotFound` (a ``KeyError``) when nothing matches or when the prefix is ambiguous;
        the message lists the candidates.
        """
        prefix = prefix.strip()
        if not prefix:
            raise SessionNotFound("No session id given.")
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        with self._guard():
            exact = list(self.db.query("select id from sessions where id = ?", [prefix]))
            if exact:
                return prefix
            matches = [
                row["id"]
                for row in self.db.query(
                    "select id from sessions where id like ? escape '\\' order by started_at desc limit 11",
                    [escaped + "%"],
                )
            ]
        if not matches:
            raise SessionNotFound(f"No session matches {prefix!r}.")
        if len(matches) > 1:
            shown = ", ".join(matches[:10]) + (", ..." if len(matches) > 10 else "")
            raise SessionNotFound(f"{prefix!r} matches more than one session ({shown}). Type more of the id.")
        return matches[0]

    def session(self, session_id: str) -> SessionInfo:
        """The header of a session, by id or unique prefix. Raises KeyError when there is none."""
        session_id = self._known(session_id)
        with self._guard():
            return self._info(self._row(session_id))

    def meta(self, session_id: str) -> dict[str, Any]:
        """The session's free-form JSON ``meta``."""
        session_id = self._known(session_id)
        with self._guard():
            return _loads(self._row(session_id)["meta"], {})

    def turns(self, session_id: str) -> list[Turn]:
        """The transcript in order."""
        session_id = self._known(session_id)
        with self._guard():
            rows = list(self.db.query("select * from turns where session_id = ? order by idx", [session_id]))
        return [self._turn(row) for row in rows]

    def disclosures(self, session_id: str) -> list[Disclosure]:
        """The disclosure ledger in the order the facts came out."""
        session_id = self._known(session_id)
        with self._guard():
            rows = list(
                self.db.query(
                    "select * from disclosures where session_id = ? order by turn, id", [session_id]
                )
            )
        return [
            Disclosure.model_validate(
                {
                    "fact_id": row["fact_id"],
                    "turn": row["turn"],
                    "trust": row["trust"],
                    "behaviours": _loads(row["behaviours"], []),
                    "topics": _loads(row["topics"], []),
                    "risk_flags": _loads(row["risk_flags"], []),
                    "trainee_text": row["trainee_text"] or "",
                }
            )
            for row in rows
        ]

    def scores(self, session_id: str) -> SessionScore | None:
        """The last saved scores, exactly as saved, or None if the session has not been scored."""
        session_id = self._known(session_id)
        with self._guard():
            text = self._row(session_id)["score_json"]
        return SessionScore.model_validate_json(text) if text else None

    def sessions(
        self, *, scenario_id: str | None = None, status: str | None = None, limit: int = 100
    ) -> list[SessionInfo]:
        """Session headers, newest first, optionally only one scenario's or one status's."""
        where: list[str] = []
        params: list[Any] = []
        if scenario_id is not None:
            where.append("scenario_id = ?")
            params.append(scenario_id)
        if status is not None:
            where.append("status = ?")
            params.append(status)
        sql = "select * from sessions"
        if where:
            sql += " where " + " and ".join(where)
        sql += " order by started_at desc, id desc limit ?"
        params.append(max(0, int(limit)))
        with self._guard():
            return [self._info(row) for row in self.db.query(sql, params)]

    def turn_counts(self, session_ids: list[str]) -> dict[str, int]:
        """Trainee turns taken per session (for listings); sessions without turns map to 0."""
        counts = dict.fromkeys(session_ids, 0)
        if not session_ids:
            return counts
        marks = ", ".join("?" for _ in session_ids)
        with self._guard():
            for row in self.db.query(
                f"select session_id, max(trainee_turn) as n from turns where session_id in ({marks}) "
                "group by session_id",
                list(session_ids),
            ):
                counts[row["session_id"]] = row["n"] or 0
        return counts

    def short_ids(self, session_ids: list[str], *, min_length: int = 8) -> dict[str, str]:
        """The shortest prefix of each id that no other stored session shares (like git's short hashes).

        All returned prefixes have the same length, so they line up in a table; each works with
        :meth:`resolve_id`.
        """
        if not session_ids:
            return {}
        with self._guard():
            every = sorted(row["id"].upper() for row in self.db.query("select id from sessions"))

        def common(a: str, b: str) -> int:
            n = 0
            for x, y in zip(a, b):
                if x != y:
                    break
                n += 1
            return n

        import bisect

        length = min_length
        for sid in session_ids:
            key = sid.upper()
            at = bisect.bisect_left(every, key)
            neighbours = every[max(0, at - 1) : at] + every[at + 1 : at + 2]
            shared = max((common(key, other) for other in neighbours if other != key), default=0)
            length = max(length, shared + 1)
        return {sid: sid[:length] for sid in session_ids}

    def search_turns(self, query: str, *, limit: int = 50) -> list[tuple[str, Turn]]:
        """Turns whose text matches ``query`` (full-text when FTS5 is available), as (session id, turn)."""
        with self._guard():
            if self.db["turns_fts"].exists():
                sql = (
                    "select turns.* from turns join turns_fts on turns.id = turns_fts.rowid "
                    "where turns_fts match ? order by turns_fts.rank limit ?"
                )
                params: list[Any] = [self.db.quote_fts(query), limit]
            else:
                sql = "select * from turns where text like ? order by id desc limit ?"
                params = [f"%{query}%", limit]
            rows = list(self.db.query(sql, params))
        return [(row["session_id"], self._turn(row)) for row in rows]

    # -------------------------------------------------------------------------------- the AI failure lab

    def save_lab_attempt(self, attempt: Any) -> None:
        """Store a finished lab attempt (a ``simulator.lab.attempt.LabAttempt``) with its flat rows."""
        from .lab import storage

        with self._write() as db:
            storage.save_attempt(db, attempt)

    def lab_attempts(self, *, trainee: str | None = None, case_id: str | None = None, limit: int = 100) -> list[Any]:
        """Lab attempts, newest first, optionally one trainee's or one case's."""
        from .lab import storage

        with self._guard():
            return storage.attempts(self.db, trainee=trainee, case_id=case_id, limit=limit)

    def lab_attempt(self, attempt_id: str) -> Any:
        """One lab attempt by id or unique prefix (KeyError when none or several match)."""
        from .lab import storage

        with self._guard():
            return storage.attempt(self.db, attempt_id)

    def lab_outcomes(self, trainee: str | None = None) -> list[dict[str, Any]]:
        """Per planted failure: mode, challenges, spotted and named (for detection rates)."""
        from .lab import storage

        with self._guard():
            return storage.outcome_rows(self.db, trainee)

    def create_probe_run(self, run: dict[str, Any]) -> None:
        """Store a live-probe run header (id, model, model_version, api_base, started_at, repeats, cases)."""
        from .lab import storage

        with self._write() as db:
            storage.create_run(db, run)

    def finish_probe_run(self, run_id: str, ended_at: datetime, model_version: str | None = None) -> None:
        """Stamp a probe run's end (and the model version the provider reported)."""
        from .lab import storage

        with self._write() as db:
            storage.finish_run(db, run_id, ended_at, model_version)

    def add_probe_output(self, output: dict[str, Any]) -> int:
        """Store one recorded, already redacted probe output; return its id."""
        from .lab import storage

        with self._write() as db:
            return storage.add_output(db, output)

    def save_probe_grade(self, grade: dict[str, Any]) -> None:
        """Store (or replace) one rater's grade of one criterion of one probe output."""
        from .lab import storage

        with self._write() as db:
            storage.save_grade(db, grade)

    def probe_runs(self, run_id: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        """Probe runs, newest first (or the one matching ``run_id`` or a prefix of it)."""
        from .lab import storage

        with self._guard():
            return storage.run_rows(self.db, run_id, limit)

    def probe_outputs(self, run_id: str) -> list[dict[str, Any]]:
        """A probe run's recorded outputs, in order."""
        from .lab import storage

        with self._guard():
            return storage.output_rows(self.db, run_id)

    def probe_grades(self, run_id: str) -> list[dict[str, Any]]:
        """Every grade given to a probe run's outputs."""
        from .lab import storage

        with self._guard():
            return storage.grade_rows(self.db, run_id)

    # ------------------------------------------------------------------ educator overrides and ratings

    def add_override(self, override: Any) -> None:
        """Store an educator's override (:class:`simulator.overrides.Override`); the automatic score is kept."""
        from . import overrides

        self._known(override.session_id)
        with self._write() as db:
            overrides.insert_override(db, override)

    def overrides(self, session_id: str | None = None) -> list[Any]:
        """Current overrides (newest per educator and item) of one session, or of every session."""
        from . import overrides

        if session_id is not None:
            session_id = self._known(session_id)
        with self._guard():
            return overrides.select_overrides(self.db, session_id)

    def add_rating(self, rating: Any) -> None:
        """Store an educator's rating (:class:`simulator.overrides.Rating`) of an item, for calibration."""
        from . import overrides

        self._known(rating.session_id)
        with self._write() as db:
            overrides.insert_rating(db, rating)

    def ratings(self, session_id: str | None = None) -> list[Any]:
        """Current educator ratings (newest per rater and item) of one session, or of every session."""
        from . import overrides

        if session_id is not None:
            session_id = self._known(session_id)
        with self._guard():
            return overrides.select_ratings(self.db, session_id)

    def automatic_scores(self) -> list[dict[str, Any]]:
        """Every stored automatic item score: session_id, rubric_id, item_id, status, value, versions."""
        with self._guard():
            return list(
                self.db.query(
                    "select s.session_id, s.rubric_id, s.rubric_version, s.item_id, s.kind, s.status, s.value, "
                    "s.coder_version from scores s"
                )
            )

    # ------------------------------------------------------------------------------- LLM-judge ratings

    def add_judgement(self, judgement: Any) -> int:
        """Store an LLM judge's ratings (:class:`simulator.judgements.Judgement`); return the row id."""
        from . import judgements

        self._known(judgement.session_id)
        with self._write() as db:
            return judgements.insert_judgement(db, judgement)

    def judgements(self, session_id: str | None = None) -> list[Any]:
        """Stored LLM-judge judgements, oldest first, of one session (id or prefix) or of every session."""
        from . import judgements

        if session_id is not None:
            session_id = self._known(session_id)
        with self._guard():
            return judgements.select_judgements(self.db, session_id)

    # ------------------------------------------------------------------ the trainee's app: notes and history

    def add_note(self, session_id: str, turn: int, text: str) -> None:
        """Keep a pause-and-reflect note the trainee wrote after trainee turn ``turn`` (kept in ``meta``)."""
        session_id = self._known(session_id)
        with self._write() as db:
            meta = _loads(self._row(session_id)["meta"], {})
            notes = list(meta.get("notes", []))
            notes.append({"turn": int(turn), "text": text, "at": _now()})
            meta["notes"] = notes
            db["sessions"].update(session_id, {"meta": _dumps(meta)})

    def notes(self, session_id: str) -> list[dict[str, Any]]:
        """The session's reflection notes, oldest first, as dicts with ``turn``, ``text`` and ``at`` (UTC)."""
        return [dict(n) for n in self.meta(session_id).get("notes", []) if isinstance(n, dict)]

    def find_sessions(
        self,
        *,
        scenario_id: str | None = None,
        status: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 500,
    ) -> list[SessionInfo]:
        """Session headers, newest first, filtered by scenario, status and start time (``since`` <= t < ``until``)."""
        where: list[str] = []
        params: list[Any] = []
        for column, value in (("scenario_id", scenario_id), ("status", status)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if since is not None:
            where.append("started_at >= ?")
            params.append(_iso(since))
        if until is not None:
            where.append("started_at < ?")
            params.append(_iso(until))
        sql = "select * from sessions" + (" where " + " and ".join(where) if where else "")
        sql += " order by started_at desc, id desc limit ?"
        params.append(max(0, int(limit)))
        with self._guard():
            return [self._info(row) for row in self.db.query(sql, params)]

    def session_scenarios(self) -> list[tuple[str, str, int]]:
        """Every scenario with stored sessions: (id, latest title, number of sessions), most used first."""
        with self._guard():
            rows = list(
                self.db.query(
                    "select scenario_id, count(*) as n, "
                    "(select s2.scenario_title from sessions s2 where s2.scenario_id = s.scenario_id "
                    " order by s2.started_at desc limit 1) as title "
                    "from sessions s group by scenario_id order by n desc, scenario_id"
                )
            )
        return [(row["scenario_id"], row["title"] or row["scenario_id"], row["n"]) for row in rows]

    # ------------------------------------------------------------------------------ language-model usage

    @staticmethod
    def usage_text(totals: dict[str, Any] | None) -> str:
        """``12,345 tok · $0.0040`` for a session's model use; empty for a scripted session."""
        if not totals:
            return ""
        tokens = (totals.get("tokens_in") or 0) + (totals.get("tokens_out") or 0)
        cost = totals.get("cost_usd")
        return f"{tokens:,} tok" + ("" if cost is None else f" · ${cost:.4f}")

    def usage_totals(self, session_ids: list[str]) -> dict[str, dict[str, Any]]:
        """Per-session totals of language-model replies (sessions without any are left out).

        Each value has ``replies``, ``tokens_in``, ``tokens_out``, ``cost_usd`` (None when no reply had a
        known cost), ``models`` (configured models, comma-separated), ``regenerated``, ``trimmed`` and
        ``scripted`` (replies that fell back to the scripted line).
        """
        if not session_ids:
            return {}
        marks = ", ".join("?" for _ in session_ids)
        sql = (
            "select session_id, count(*) as replies, sum(tokens_in) as tokens_in, "
            "sum(tokens_out) as tokens_out, sum(cost_usd) as cost_usd, group_concat(distinct model) as models, "
            "sum(reply_outcome = 'regenerated') as regenerated, sum(reply_outcome = 'trimmed') as trimmed, "
            "sum(reply_outcome = 'scripted') as scripted "
            f"from turns where model is not null and session_id in ({marks}) group by session_id"
        )
        with self._guard():
            return {row.pop("session_id"): row for row in self.db.query(sql, list(session_ids))}
