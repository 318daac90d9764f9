"""The lab's tables in the session database (created by the store's ``m009_lab`` migration).

``lab_attempts`` has one row per attempt (with the whole attempt as JSON, so it reads back exactly);
``lab_flags``, ``lab_decisions`` and ``lab_outcomes`` are the same data flat, for Datasette facets and for the
per-trainee summary (detection rate by failure mode and by challenge). Live probes keep ``lab_probe_runs``,
``lab_probe_outputs`` and ``lab_grades`` (one row per rater, output and criterion).

These functions take a sqlite-utils ``Database`` and are called by :class:`simulator.store.Store` inside its
transactions; use the Store methods, not these, from application code.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlite_utils import Database

from .attempt import LabAttempt


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _iso(value: datetime | None) -> str | None:
    """UTC text that sorts as a string, in the same form as the sessions table."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def create_tables(db: Database) -> None:
    """The lab schema (called once, by the migration)."""
    db["lab_attempts"].create(
        {
            "id": str,
            "exercise": str,
            "case_id": str,
            "case_version": str,
            "case_title": str,
            "trainee": str,
            "status": str,
            "started_at": str,
            "ended_at": str,
            "seconds": float,
            "challenges": str,
            "metrics": str,
            "attempt_json": str,
        },
        pk="id",
        not_null={"exercise", "case_id", "case_version", "status", "started_at", "attempt_json"},
    )
    db["lab_attempts"].create_index(["trainee", "started_at"])
    db["lab_attempts"].create_index(["case_id"])
    db["lab_flags"].create(
        {
            "id": int,
            "attempt_id": str,
            "unit": str,
            "start": int,
            "end": int,
            "text": str,
            "mode": str,
            "at_s": float,
            "outcome": str,
            "failure_id": str,
        },
        pk="id",
        not_null={"attempt_id", "unit", "outcome"},
        foreign_keys=[("attempt_id", "lab_attempts", "id")],
    )
    db["lab_flags"].create_index(["attempt_id"])
    db["lab_decisions"].create(
        {
            "id": int,
            "attempt_id": str,
            "item": str,
            "choice": str,
            "text": str,
            "seconds": float,
            "expected": str,
            "outcome": str,
        },
        pk="id",
        not_null={"attempt_id", "item", "choice"},
        foreign_keys=[("attempt_id", "lab_attempts", "id")],
    )
    db["lab_decisions"].create_index(["attempt_id"])
    db["lab_outcomes"].create(
        {
            "id": int,
            "attempt_id": str,
            "case_id": str,
            "trainee": str,
            "failure_id": str,
            "unit": str,
            "mode": str,
            "severity": str,
            "challenges": str,
            "spotted": int,
            "named": int,
        },
        pk="id",
        not_null={"attempt_id", "failure_id", "mode", "spotted"},
        foreign_keys=[("attempt_id", "lab_attempts", "id")],
    )
    db["lab_outcomes"].create_index(["trainee", "mode"])
    db["lab_probe_runs"].create(
        {
            "id": str,
            "model": str,
            "model_version": str,
            "api_base": str,
            "started_at": str,
            "ended_at": str,
            "repeats": int,
            "cases": str,
            "meta": str,
        },
        pk="id",
        not_null={"model", "started_at"},
    )
    db["lab_probe_outputs"].create(
        {
            "id": int,
            "run_id": str,
            "case_id": str,
            "repeat": int,
            "messages": str,
            "output": str,
            "redactions": str,
            "latency_ms": float,
            "error": str,
        },
        pk="id",
        not_null={"run_id", "case_id", "repeat"},
        foreign_keys=[("run_id", "lab_probe_runs", "id")],
    )
    db["lab_probe_outputs"].create_index(["run_id"])
    db["lab_grades"].create(
        {
            "id": int,
            "output_id": int,
            "rater": str,
            "criterion": str,
            "grade": str,
            "note": str,
            "graded_at": str,
        },
        pk="id",
        not_null={"output_id", "rater", "criterion", "grade"},
        foreign_keys=[("output_id", "lab_probe_outputs", "id")],
    )
    db["lab_grades"].create_index(["output_id", "rater", "criterion"], unique=True)


def save_attempt(db: Database, attempt: LabAttempt) -> None:
    """Insert one attempt and its flat rows (inside the caller's transaction)."""
    db["lab_attempts"].insert(
        {
            "id": attempt.id,
            "exercise": attempt.exercise,
            "case_id": attempt.case_id,
            "case_version": attempt.case_version,
            "case_title": attempt.case_title,
            "trainee": attempt.trainee,
            "status": attempt.status,
            "started_at": _iso(attempt.started_at),
            "ended_at": _iso(attempt.ended_at),
            "seconds": attempt.seconds,
            "challenges": _dumps(attempt.challenges),
            "metrics": _dumps(attempt.metrics),
            "attempt_json": attempt.model_dump_json(),
        }
    )
    if attempt.flags:
        db["lab_flags"].insert_all(
            {"attempt_id": attempt.id, **f.model_dump(mode="json")} for f in attempt.flags
        )
    if attempt.decisions:
        db["lab_decisions"].insert_all(
            {"attempt_id": attempt.id, **d.model_dump(mode="json")} for d in attempt.decisions
        )
    if attempt.outcomes:
        db["lab_outcomes"].insert_all(
            {
                "attempt_id": attempt.id,
                "case_id": attempt.case_id,
                "trainee": attempt.trainee,
                "failure_id": o.failure_id,
                "unit": o.unit,
                "mode": o.mode,
                "severity": o.severity,
                "challenges": _dumps(attempt.challenges),
                "spotted": int(o.spotted),
                "named": None if o.named is None else int(o.named),
            }
            for o in attempt.outcomes
        )


def attempts(
    db: Database, *, trainee: str | None = None, case_id: str | None = None, limit: int = 100
) -> list[LabAttempt]:
    """Attempts, newest first."""
    where, params = [], []
    if trainee is not None:
        where.append("trainee = ?")
        params.append(trainee)
    if case_id is not None:
        where.append("case_id = ?")
        params.append(case_id)
    sql = "select attempt_json from lab_attempts"
    if where:
        sql += " where " + " and ".join(where)
    sql += " order by started_at desc, id desc limit ?"
    params.append(max(0, int(limit)))
    return [LabAttempt.model_validate_json(row["attempt_json"]) for row in db.query(sql, params)]


def attempt(db: Database, attempt_id: str) -> LabAttempt:
    """One attempt by id or unique prefix (KeyError when none or several match)."""
    rows = list(db.query("select attempt_json from lab_attempts where id = ?", [attempt_id]))
    if not rows:
        rows = list(
            db.query(
                "select attempt_json from lab_attempts where id like ? limit 2", [attempt_id.upper() + "%"]
            )
        )
    if len(rows) != 1:
        raise KeyError(
            f"No lab attempt matches {attempt_id!r}."
            if not rows
            else f"{attempt_id!r} matches several attempts."
        )
    return LabAttempt.model_validate_json(rows[0]["attempt_json"])


def outcome_rows(db: Database, trainee: str | None = None) -> list[dict[str, Any]]:
    """Per-failure outcomes (mode, challenges, spotted, named) for the summary, one trainee or all."""
    sql = "select trainee, case_id, mode, severity, challenges, spotted, named from lab_outcomes"
    params: list[Any] = []
    if trainee is not None:
        sql += " where trainee = ?"
        params.append(trainee)
    rows = list(db.query(sql, params))
    for row in rows:
        row["challenges"] = json.loads(row["challenges"] or "[]")
    return rows


# ------------------------------------------------------------------------------------------------ probes


def create_run(db: Database, run: dict[str, Any]) -> None:
    """Insert a probe run header."""
    db["lab_probe_runs"].insert(
        {
            **run,
            "started_at": _iso(run["started_at"]),
            "ended_at": _iso(run.get("ended_at")),
            "cases": _dumps(run.get("cases", [])),
            "meta": _dumps(run.get("meta", {})),
        }
    )


def finish_run(db: Database, run_id: str, ended_at: Any, model_version: str | None) -> None:
    """Stamp a run's end and the model version the provider reported."""
    values: dict[str, Any] = {"ended_at": _iso(ended_at)}
    if model_version:
        values["model_version"] = model_version
    db["lab_probe_runs"].update(run_id, values)


def add_output(db: Database, output: dict[str, Any]) -> int:
    """Insert one recorded (already redacted) output; return its id."""
    row = {
        **output,
        "messages": _dumps(output.get("messages", [])),
        "redactions": _dumps(output.get("redactions", [])),
    }
    return int(db["lab_probe_outputs"].insert(row).last_pk)


def save_grade(db: Database, grade: dict[str, Any]) -> None:
    """Insert or replace one rater's grade of one criterion (or 'overall') of one output."""
    db.execute(
        "delete from lab_grades where output_id = ? and rater = ? and criterion = ?",
        [grade["output_id"], grade["rater"], grade["criterion"]],
    )
    db["lab_grades"].insert({**grade, "graded_at": _iso(grade["graded_at"])})


def run_rows(db: Database, run_id: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """Probe runs (one, or the latest ``limit``), newest first, with JSON fields decoded."""
    if run_id is not None:
        rows = list(db.query("select * from lab_probe_runs where id = ?", [run_id]))
        if not rows:
            rows = list(
                db.query("select * from lab_probe_runs where id like ? limit 2", [run_id.upper() + "%"])
            )
    else:
        rows = list(db.query("select * from lab_probe_runs order by started_at desc limit ?", [limit]))
    for row in rows:
        row["cases"] = json.loads(row["cases"] or "[]")
        row["meta"] = json.loads(row["meta"] or "{}")
    return rows


def output_rows(db: Database, run_id: str) -> list[dict[str, Any]]:
    """A run's outputs in the order they were recorded."""
    rows = list(db.query("select * from lab_probe_outputs where run_id = ? order by id", [run_id]))
    for row in rows:
        row["messages"] = json.loads(row["messages"] or "[]")
        row["redactions"] = json.loads(row["redactions"] or "[]")
    return rows


def grade_rows(db: Database, run_id: str) -> list[dict[str, Any]]:
    """Every grade of a run's outputs."""
    return list(
        db.query(
            "select g.* from lab_grades g join lab_probe_outputs o on o.id = g.output_id where o.run_id = ? "
            "order by g.output_id, g.rater, g.criterion",
            [run_id],
        )
    )


__all__ = [
    "add_output",
    "attempt",
    "attempts",
    "create_run",
    "create_tables",
    "finish_run",
    "grade_rows",
    "outcome_rows",
    "output_rows",
    "run_rows",
    "save_attempt",
    "save_grade",
]
