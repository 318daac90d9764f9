"""Loading shared YAML safely, with file:line:col for every problem."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict, Field

from simulator.yamlfile import FileProblems, load_model


class Inner(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(description="a name")
    count: int = Field(default=0, description="a count")


class Outer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(description="title")
    items: list[Inner] = Field(default_factory=list, description="items")


def problems_of(tmp_path: Path, text: str | bytes, **kw) -> list[str]:
    path = tmp_path / "f.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(FileProblems) as info:
        load_model(path, Outer, **kw)
    return [str(p).removeprefix(str(path)) for p in info.value.problems]


def test_valid_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text("title: t\nitems:\n  - name: a\n    count: 2\n")
    model, pos = load_model(path, Outer)
    assert model.items[0].count == 2
    assert pos.of(("items", 0, "count")) == (4, 12)


def test_syntax_error_has_position(tmp_path: Path) -> None:
    got = problems_of(tmp_path, "title: t\nitems: [a, b\n")
    assert len(got) == 1 and got[0].startswith(":3:1: YAML syntax error")


def test_unknown_key_suggests_the_closest(tmp_path: Path) -> None:
    got = problems_of(tmp_path, "title: t\nitems:\n  - name: a\n    cuont: 2\n")
    assert got == [":4:5: unknown key 'cuont'; did you mean 'count'?"]


def test_wrong_type_and_missing_key_reported_together(tmp_path: Path) -> None:
    got = problems_of(tmp_path, "items:\n  - name: a\n    count: lots\n")
    assert ":1:1: missing required key 'title'" in got
    assert any(p.startswith(":3:12: items.0.count:") for p in got)


def test_duplicate_keys_are_errors_with_both_lines(tmp_path: Path) -> None:
    got = problems_of(tmp_path, "title: a\ntitle: b\n")
    assert got == [":2:1: duplicate key 'title' (first defined on line 1)"]


def test_non_utf8_reports_the_byte_position(tmp_path: Path) -> None:
    got = problems_of(tmp_path, b"title: ok\nitems: caf\xe9\n")
    assert got[0].startswith(":2:11: not UTF-8 text (byte 0xe9)")


def test_size_limit(tmp_path: Path) -> None:
    got = problems_of(tmp_path, "title: " + "x" * 2000 + "\n", max_bytes=1000)
    assert "limit is 1,000 bytes" in got[0]


def test_unsafe_tags_are_rejected(tmp_path: Path) -> None:
    got = problems_of(tmp_path, "title: !!python/object/apply:os.system ['true']\n")
    assert "YAML syntax error" in got[0]


def test_alias_bomb_is_stopped(tmp_path: Path) -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 8):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1 if i > 1 else ''}"] * 10) + "]")
    text = "\n".join(lines).replace("*a0", "*a") + "\ntitle: t\n"
    got = problems_of(tmp_path, text)
    assert "too many nodes" in got[0]


def test_empty_file(tmp_path: Path) -> None:
    assert "file is empty" in problems_of(tmp_path, "")[0]


def test_a_folder_named_like_the_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    folder = tmp_path / "f.yaml"
    folder.mkdir()
    with pytest.raises(FileProblems) as info:
        load_model(folder, Outer)
    assert [str(p) for p in info.value.problems] == [f"{folder}:1:1: is a folder, not a file"]


def test_a_file_that_cannot_be_opened_is_a_positioned_problem(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "f.yaml"
    path.write_text("title: t\n")

    def denied(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(self))

    # Tests run as root here, so chmod 000 would not stop the read: fail the open itself.
    monkeypatch.setattr(Path, "open", denied)
    with pytest.raises(FileProblems) as info:
        load_model(path, Outer)
    assert [str(p) for p in info.value.problems] == [f"{path}:1:1: cannot read file: Permission denied"]


def test_a_missing_file_is_a_positioned_problem(tmp_path: Path) -> None:
    path = tmp_path / "gone.yaml"
    with pytest.raises(FileProblems) as info:
        load_model(path, Outer)
    assert str(info.value.problems[0]) == f"{path}:1:1: cannot read file: No such file or directory"


def test_a_pipe_is_read_and_still_size_capped(tmp_path: Path) -> None:
    import os
    import threading

    fifo = tmp_path / "f.yaml"
    os.mkfifo(fifo)

    def write(data: bytes) -> None:
        with open(fifo, "wb") as out:
            try:
                out.write(data)
            except BrokenPipeError:  # the reader stopped at the cap
                pass

    # daemon: if the reader never opened the pipe, the blocked writer must not hang the test run
    writer = threading.Thread(target=write, args=(b"title: piped\n",), daemon=True)
    writer.start()
    model, _pos = load_model(fifo, Outer)
    writer.join(5)
    assert model.title == "piped"

    writer = threading.Thread(target=write, args=(b"title: " + b"x" * 5000 + b"\n",), daemon=True)
    writer.start()
    with pytest.raises(FileProblems) as info:
        load_model(fifo, Outer, max_bytes=1000)
    writer.join(5)
    assert "over the limit of 1,000 bytes" in str(info.value.problems[0])
