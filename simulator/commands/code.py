"""``mhsim code FILE``: code a file of utterances offline and write one result per input row.

Input is CSV (with a header) or JSON Lines. Each row has ``text`` and, optionally, ``speaker`` (therapist
or client) and ``conversation`` (an id). AnnoMI's column names (``utterance_text``, ``interlocutor``,
``transcript_id``) are read as the same three. Rows of one conversation come in order, so the turns before a
therapist utterance in the same conversation are its context (the latest client turn is the ``prior`` a
reflection is compared with). Client rows are not coded but pass through, so the output lines up with the
input row for row.

``--scheme annomi`` adds AnnoMI-style labels to each row: ``annomi_behaviour`` (question, reflection,
therapist_input or other; null for client rows), ``question_subtype`` (open|closed), ``reflection_subtype``
(simple|complex) and ``input_subtype`` (information|advice|negotiation|options), and for client rows
``client_talk_type`` (change|neutral|sustain).

The file is streamed (constant memory apart from a few recent turns per conversation), so very large files
work.
Heavy imports stay inside the command so ``mhsim --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import fail

THERAPIST_NAMES = frozenset({"therapist", "trainee", "clinician", "counsellor", "counselor", "interviewer"})
CLIENT_NAMES = frozenset({"client", "patient"})
CSV_COLUMNS = [
    "row",
    "conversation",
    "speaker",
    "text",
    "primary",
    "behaviours",
    "topics",
    "risk_flags",
    "cues",
    "coder_version",
]
ANNOMI_COLUMNS = ["annomi_behaviour", "question_subtype", "reflection_subtype", "input_subtype", "client_talk_type"]
SCHEMES = ("mhsim", "annomi")
# Other names accepted for the three input columns (AnnoMI's own, so its files code as they are).
ALIASES = {
    "text": ("text", "utterance_text"),
    "speaker": ("speaker", "interlocutor"),
    "conversation": ("conversation", "transcript_id"),
}


class InputError(Exception):
    """A problem with the input file, already worded for the user (``file:line: what is wrong``)."""


def code_command(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV (with a header) or JSONL file of utterances: a 'text' column, optional 'speaker' "
            "(therapist|client) and 'conversation'. Use '-' to read standard input.",
            show_default=False,
        ),
    ],
    format: Annotated[
        str, typer.Option("--format", "-f", help="Output format: jsonl (one JSON object a line) or csv.")
    ] = "jsonl",
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            dir_okay=False,  # a folder is a usage error, reported before any work
            help="Write to this file instead of standard output ('-' for standard output).",
        ),
    ] = None,
    scheme: Annotated[
        str,
        typer.Option(
            "--scheme",
            help="Labels to add: mhsim (the coder's own codes only) or annomi (also AnnoMI-style main behaviour "
            "and subtypes, to compare with AnnoMI expert labels).",
        ),
    ] = "mhsim",
) -> None:
    """Code utterances offline (MI behaviours, topics, suicide-risk moves) with the rule-based coder."""
    import sys

    fmt = format.strip().lower()
    if fmt not in ("jsonl", "csv"):
        fail(f"unknown --format '{format}': use jsonl or csv")
    scheme = scheme.strip().lower()
    if scheme not in SCHEMES:
        fail(f"unknown --scheme '{scheme}': use {' or '.join(SCHEMES)}")
    name = "<stdin>" if str(file) == "-" else str(file)

    if str(file) == "-":
        source = sys.stdin.buffer
    else:
        if not file.exists():
            fail(f"{name}: no such file")
        if file.is_dir():
            fail(f"{name}: is a folder, not a file")
        try:
            source = file.open("rb")
        except OSError as exc:
            fail(f"{name}: cannot open ({exc.strerror or exc})")

    if output is not None and str(output) == "-":
        output = None
    part: Path | None = None  # set while a half-written output exists, so every way out removes it
    sink = sys.stdout
    try:
        if output is not None:
            staging = output.with_name(output.name + ".part")
            try:
                sink = staging.open("w", encoding="utf-8", newline="")
            except OSError as exc:
                fail(f"{output}: cannot write ({exc.strerror or exc})")
            part = staging
        try:
            counts = _run(source, name, _input_kind(file), sink, fmt, scheme)
        except BrokenPipeError:  # the reader went away (`mhsim code f.csv | head`): stop quietly
            _silence_stdout()
            raise typer.Exit(0) from None
        except InputError as exc:
            fail(str(exc))
        if counts == (0, 0):
            fail(f"no utterances in {name}")
        if part is None:
            sys.stdout.flush()
            return
        try:
            sink.close()
            part.replace(output)
        except OSError as exc:
            fail(f"{output}: cannot write ({exc.strerror or exc})")
        part = None
        from .common import err_console

        err_console().print(
            f"Coded {counts[0]:,} therapist row(s), passed {counts[1]:,} client row(s) through → {output}",
            markup=False,
            soft_wrap=True,
        )
    finally:
        if part is not None:
            sink.close()
            part.unlink(missing_ok=True)
        if source is not sys.stdin.buffer:
            source.close()


def _silence_stdout() -> None:
    import os
    import sys

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real file descriptor (e.g. under a test runner)
        pass


def _input_kind(file: Path) -> str | None:
    suffix = file.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix in (".csv", ".tsv"):
        return "csv"
    return None  # decide from the first line


def _decoded_lines(source, name: str):
    """(line number, text) for each line, decoding UTF-8 one line at a time so errors name their line."""
    for number, raw in enumerate(source, 1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{name}:{number}: not valid UTF-8 (byte {exc.start + 1} of the line); save the file as UTF-8"
            ) from None
        if number == 1 and line.startswith("\ufeff"):
            line = line[1:]
        yield number, line


def _rows(source, name: str, kind: str | None):
    """(line number, text, speaker, conversation) for each input row."""
    lines = _decoded_lines(source, name)
    first = next(lines, None)
    if first is None:
        return
    if kind is None:
        kind = "jsonl" if first[1].lstrip().startswith("{") else "csv"

    def chained():
        yield first
        yield from lines

    if kind == "jsonl":
        yield from _jsonl_rows(chained(), name)
    else:
        yield from _csv_rows(chained(), name, delimiter="\t" if name.lower().endswith(".tsv") else ",")


def _jsonl_rows(lines, name: str):
    import json

    for number, line in lines:
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{name}:{number}: bad JSON ({exc.msg} at column {exc.colno})") from None
        if not isinstance(obj, dict):
            raise InputError(f"{name}:{number}: expected a JSON object with a 'text' field")
        key = next((a for a in ALIASES["text"] if a in obj), None)
        if key is None:
            raise InputError(f"{name}:{number}: no 'text' field")
        text = obj[key]
        if text is None:
            text = ""
        if not isinstance(text, str):
            raise InputError(f"{name}:{number}: 'text' must be a string")
        speaker = next((obj[a] for a in ALIASES["speaker"] if a in obj), None)
        conv = next((obj[a] for a in ALIASES["conversation"] if a in obj), None)
        yield number, text, _speaker(speaker, name, number), _conversation(conv)


def _csv_rows(lines, name: str, delimiter: str = ","):
    import csv

    numbers: list[int] = [0]

    def texts():
        for number, line in lines:
            numbers[0] = number
            yield line

    # strict: an unclosed quote is an error instead of one field that silently swallows the rest of the file.
    reader = csv.reader(texts(), delimiter=delimiter, strict=True)

    def read_row() -> list[str] | None:
        start = numbers[0] + 1  # the row begins on the line after the last one read
        try:
            return next(reader, None)
        except csv.Error as exc:
            if "end of data" in str(exc):
                raise InputError(
                    f"{name}:{start}: bad CSV: a quoted field that starts in this row is never closed "
                    "(a '\"' is missing)"
                ) from None
            raise InputError(f"{name}:{numbers[0]}: bad CSV ({exc})") from None

    header = read_row()
    if header is None:
        return
    columns = [h.strip().lower() for h in header]
    i_text = _column(columns, "text")
    if i_text is None:
        shown = ", ".join(h for h in header if h) or "none"
        raise InputError(f"{name}:1: no 'text' column (columns: {shown})")
    i_speaker = _column(columns, "speaker")
    i_conv = _column(columns, "conversation")
    while (row := read_row()) is not None:
        if not row or not any(cell.strip() for cell in row):
            continue
        number = numbers[0]
        text = row[i_text] if i_text < len(row) else ""
        speaker = row[i_speaker] if i_speaker is not None and i_speaker < len(row) else None
        conv = row[i_conv] if i_conv is not None and i_conv < len(row) else None
        yield number, text, _speaker(speaker, name, number), _conversation(conv)


def _column(columns: list[str], field: str) -> int | None:
    """Index of the column holding ``field`` (its own name first, then the accepted aliases)."""
    for alias in ALIASES[field]:
        if alias in columns:
            return columns.index(alias)
    return None


def _speaker(value, name: str, number: int) -> str:
    if value is None:
        return "therapist"
    word = str(value).strip().lower()
    if not word or word in THERAPIST_NAMES:
        return "therapist"
    if word in CLIENT_NAMES:
        return "client"
    raise InputError(f"{name}:{number}: speaker must be 'therapist' or 'client', not '{value}'")


def _conversation(value) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _run(source, name: str, kind: str | None, sink, fmt: str, scheme: str = "mhsim") -> tuple[int, int]:
    """Code every row and write it out; returns (therapist rows coded, client rows passed through)."""
    import csv
    import json
    from collections import deque

    from simulator.coding import CODER_VERSION, CONTEXT_TURNS, Coder

    annomi = scheme == "annomi"
    if annomi:
        from simulator.label_scheme import annomi_labels
        from simulator.talk import client_talk_type

    coder = Coder()
    history: dict[str | None, deque[tuple[str, str]]] = {}
    coded = passed = 0
    writer = None
    for index, (_, text, speaker, conv) in enumerate(_rows(source, name, kind), 1):
        context = history.get(conv)
        if context is None:
            context = history[conv] = deque(maxlen=CONTEXT_TURNS)
        record: dict = {"row": index, "conversation": conv, "speaker": speaker, "text": text}
        if speaker == "client":
            passed += 1
            record.update(primary=None, behaviours=None, topics=None, risk_flags=None, cues=None)
            record["coder_version"] = CODER_VERSION
            if annomi:
                record.update(annomi_behaviour=None, question_subtype=None, reflection_subtype=None)
                record.update(input_subtype=None, client_talk_type=client_talk_type(text, list(context)))
        else:
            analysis = coder.analyse(text, context=list(context))
            coding = analysis.coding
            coded += 1
            record.update(
                primary=coding.primary.value,
                behaviours=[b.value for b in coding.behaviours],
                topics=list(coding.topics),
                risk_flags=[f.value for f in coding.risk_flags],
                cues=[{"code": c.code, "rule": c.rule, "evidence": c.evidence} for c in coding.cues],
                coder_version=CODER_VERSION,
            )
            if annomi:
                labels = annomi_labels(analysis)
                record.update(
                    annomi_behaviour=labels.behaviour,
                    question_subtype=labels.question_subtype,
                    reflection_subtype=labels.reflection_subtype,
                    input_subtype=labels.input_subtype,
                    client_talk_type=None,
                )
        context.append((speaker, text))
        if fmt == "csv" and writer is None:  # the header waits for a row: empty input writes nothing
            writer = csv.writer(sink, lineterminator="\n")
            writer.writerow(CSV_COLUMNS + (ANNOMI_COLUMNS if annomi else []))
        if writer is None:
            sink.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            row = [
                record["row"],
                conv or "",
                speaker,
                text,
                record["primary"] or "",
                ";".join(record["behaviours"] or ()),
                ";".join(record["topics"] or ()),
                ";".join(record["risk_flags"] or ()),
                json.dumps(record["cues"], ensure_ascii=False) if record["cues"] else "",
                CODER_VERSION,
            ]
            if annomi:
                row += [record[c] or "" for c in ANNOMI_COLUMNS]
            writer.writerow(row)
    return coded, passed
