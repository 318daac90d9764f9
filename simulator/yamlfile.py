"""Read shared YAML files (scenarios, rubrics, lab cases) safely, with positions for every error.

Files are untrusted: only PyYAML's safe loader is used, size is capped, text must be UTF-8, duplicate keys are
errors (PyYAML would silently keep the last one) and every problem is reported as ``file:line:col: message``.
"""

from __future__ import annotations

import difflib
import os
import stat
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

MAX_FILE_BYTES = 512 * 1024
MAX_NODES = 200_000  # guards against alias bombs ("billion laughs") that a size cap alone would not stop

Loc = tuple[str | int, ...]
# libyaml's safe loader is ~6x faster and keeps node marks; the pure-Python one is the fallback.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a file, at a position a text editor can jump to (1-based)."""

    path: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.message}"


class FileProblems(Exception):
    """Raised when a file cannot be loaded; carries every problem found, not only the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass
class Positions:
    """Maps a path inside the document (keys and list indexes) to where it starts in the file."""

    path: str
    values: dict[Loc, tuple[int, int]]
    keys: dict[Loc, tuple[int, int]]

    def of(self, loc: Loc, *, key: bool = False) -> tuple[int, int]:
        """Position of ``loc``, or of its nearest ancestor that exists in the file."""
        loc = tuple(loc)
        while True:
            if key and loc in self.keys:
                return self.keys[loc]
            if loc in self.values:
                return self.values[loc]
            if not loc:
                return (1, 1)
            loc = loc[:-1]

    def problem(self, loc: Loc, message: str, *, key: bool = False) -> Problem:
        line, col = self.of(loc, key=key)
        return Problem(self.path, line, col, message)


def _mark(node: yaml.Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def _walk(node: yaml.Node, loc: Loc, pos: Positions, problems: list[Problem], budget: list[int]) -> None:
    budget[0] -= 1
    if budget[0] < 0:
        return
    pos.values.setdefault(loc, _mark(node))
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, tuple[int, int]] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else repr(key_node.value)
            where = _mark(key_node)
            if key in seen:
                first = seen[key][0]
                problems.append(
                    Problem(pos.path, *where, f"duplicate key {key!r} (first defined on line {first})")
                )
                continue
            seen[key] = where
            pos.keys.setdefault(loc + (key,), where)
            _walk(value_node, loc + (key,), pos, problems, budget)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, loc + (index,), pos, problems, budget)


def read_text(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Read a file as UTF-8 text, turning size, encoding and OS trouble into positioned problems.

    A folder, or a file that cannot be opened or read (permissions, a dangling link, an I/O error), is a problem
    of that one file at 1:1, never an exception, so one bad entry cannot break a whole library.
    """
    shown = str(path)

    def cannot(message: str) -> FileProblems:
        return FileProblems([Problem(shown, 1, 1, message)])

    try:
        if stat.S_ISDIR(path.stat().st_mode):
            raise cannot("is a folder, not a file")
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > max_bytes:
                raise cannot(f"file is {size:,} bytes; the limit is {max_bytes:,} bytes")
            # Bounded: a pipe (`<(...)`) has no size, and a file may grow after fstat.
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        raise cannot(f"cannot read file: {exc.strerror or exc}") from None
    if len(raw) > max_bytes:
        raise cannot(f"file is over the limit of {max_bytes:,} bytes")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise FileProblems(
            [Problem(shown, line, col, f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8")]
        ) from None


def parse(text: str, path: str) -> tuple[Any, Positions, list[Problem]]:
    """Parse one YAML document safely and record the position of every key and value.

    Syntax errors raise FileProblems; duplicate keys are returned as problems so that validation can still
    report everything else wrong with the file in the same run.
    """
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            pos = Positions(path, {}, {})
            problems: list[Problem] = []
            if node is None:
                raise FileProblems([Problem(path, 1, 1, "file is empty; expected a YAML mapping")])
            budget = [MAX_NODES]
            _walk(node, (), pos, problems, budget)
            if budget[0] < 0:
                raise FileProblems([Problem(path, 1, 1, "document expands to too many nodes (alias bomb?)")])
            data = loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = exc.problem or "invalid YAML"
        if exc.context:
            where = exc.context_mark
            started = f" started at line {where.line + 1}, column {where.column + 1}" if where and where != mark else ""
            what = f"{what} ({exc.context}{started})"
        raise FileProblems([Problem(path, line, col, f"YAML syntax error: {what}")]) from None
    except yaml.YAMLError as exc:
        raise FileProblems([Problem(path, 1, 1, f"YAML error: {exc}")]) from None
    return data, pos, problems


def _unwrap(annotation: Any) -> list[Any]:
    """The concrete types an annotation may hold (Optional/Union/Annotated flattened)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        out: list[Any] = []
        for arg in typing.get_args(annotation):
            out.extend(_unwrap(arg))
        return out
    return [annotation]


def _models_at(model: type[BaseModel], loc: Loc) -> list[type[BaseModel]]:
    """The model classes that may sit at ``loc`` inside ``model`` (several for a union)."""
    current: list[Any] = [model]
    for part in loc:
        following: list[Any] = []
        for candidate in current:
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                if isinstance(part, str) and part in candidate.model_fields:
                    following.extend(_unwrap(candidate.model_fields[part].annotation))
                continue
            origin = typing.get_origin(candidate)
            args = typing.get_args(candidate)
            if origin in (list, tuple, set, frozenset) and args and isinstance(part, int):
                following.extend(_unwrap(args[0]))
            elif origin is dict and len(args) == 2:
                following.extend(_unwrap(args[1]))
        current = [c for item in following for c in _unwrap(item)]
    return [c for c in current if isinstance(c, type) and issubclass(c, BaseModel)]


def _fields_at(model: type[BaseModel], loc: Loc) -> list[str]:
    """Field names of the model(s) found at ``loc`` (for did-you-mean hints)."""
    return list(dict.fromkeys(name for m in _models_at(model, loc) for name in m.model_fields))


def _tags_at(model: type[BaseModel], loc: Loc, key: str) -> list[str]:
    """The values a tagged union at ``loc`` accepts for its discriminator ``key``."""
    tags: list[str] = []
    for member in _models_at(model, loc):
        field = member.model_fields.get(key)
        if field is not None and typing.get_origin(field.annotation) is typing.Literal:
            tags.extend(str(a) for a in typing.get_args(field.annotation))
    return tags


def _document_loc(loc: Loc, data: Any) -> Loc:
    """``loc`` with the parts pydantic inserts that are not in the file (tagged-union member names)."""
    out: list[str | int] = []
    current = data
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(current, dict):
            if part in current:
                out.append(part)
                current = current[part]
            elif last:
                out.append(part)
            continue  # a union member's tag: not a key of the document
        if isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            out.append(part)
            current = current[part]
            continue
        out.append(part)
        current = None
    return tuple(out)


def _describe(error: dict[str, Any], model: type[BaseModel]) -> tuple[str, bool]:
    """A plain-words message for one pydantic error, and whether it points at a key rather than a value."""
    kind = error["type"]
    loc = tuple(error["loc"])
    field = ".".join(str(p) for p in loc) or "document"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        key = str(error.get("ctx", {}).get("discriminator", "type")).strip("'\"")
        tags = _tags_at(model, loc, key)
        given = error.get("ctx", {}).get("tag")
        if given is None:
            return f"{field}: missing {key!r}; expected one of: {', '.join(tags)}", False
        hint = difflib.get_close_matches(str(given), tags, n=1, cutoff=0.6)
        message = f"{field}.{key}: unknown {key} {given!r}; " + (
            f"did you mean {hint[0]!r}?" if hint else f"expected one of: {', '.join(tags)}"
        )
        return message, False
    if kind == "extra_forbidden":
        name = str(loc[-1])
        allowed = _fields_at(model, loc[:-1])
        hint = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
        message = f"unknown key {name!r}"
        if hint:
            message += f"; did you mean {hint[0]!r}?"
        elif allowed:
            message += f"; expected one of: {', '.join(sorted(allowed))}"
        return message, True
    if kind == "missing":
        return f"missing required key {str(loc[-1])!r}", False
    message = error["msg"]
    if kind in ("model_type", "model_attributes_type"):
        message = "expected a mapping (key: value pairs)"
    elif kind == "list_type":
        message = "expected a list"
    elif kind == "string_type":
        got = error.get("input")
        message = f"expected text, got {got!r}" + (" (quote it, e.g. \"1.0\")" if isinstance(got, int | float) else "")
    elif kind == "string_pattern_mismatch":
        pattern = error.get("ctx", {}).get("pattern", "")
        if pattern == r"^[a-z0-9][a-z0-9_-]*$":
            message = f"{error.get('input')!r} is not a valid id; use lowercase letters, digits, '-' and '_'"
        else:
            message = f"{error.get('input')!r} does not match {pattern}"
    elif kind == "literal_error" or kind == "enum":
        expected = error.get("ctx", {}).get("expected")
        message = f"got {error.get('input')!r}; expected {expected}"
    return f"{field}: {message}", False


def validation_problems(
    exc: ValidationError, model: type[BaseModel], pos: Positions, data: Any = None
) -> list[Problem]:
    """Map a pydantic ValidationError onto file positions, one problem per error.

    With ``data`` (the parsed document), locations are cleaned of the tags pydantic adds for tagged unions, so
    positions and did-you-mean hints refer to keys that are really in the file.
    """
    problems = []
    for error in exc.errors(include_url=False):
        loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        if data is not None:
            loc = _document_loc(loc, data)
        error = {**error, "loc": loc}
        message, at_key = _describe(error, model)
        target = loc[:-1] if error["type"] == "missing" else loc
        if error["type"] == "union_tag_invalid":
            target = loc + (str(error.get("ctx", {}).get("discriminator", "type")).strip("'\""),)
        problems.append(pos.problem(target, message, key=at_key))
    return problems


def load_model(path: Path, model: type[M], *, max_bytes: int = MAX_FILE_BYTES) -> tuple[M, Positions]:
    """Load ``path`` into ``model``; raise FileProblems listing every problem with its position."""
    text = read_text(path, max_bytes=max_bytes)
    data, pos, problems = parse(text, str(path))
    if not isinstance(data, dict):
        raise FileProblems(problems + [Problem(str(path), 1, 1, "expected a YAML mapping at the top of the file")])
    try:
        loaded = model.model_validate(data)
    except ValidationError as exc:
        raise FileProblems(problems + validation_problems(exc, model, pos, data)) from None
    if problems:
        raise FileProblems(problems)
    return loaded, pos
