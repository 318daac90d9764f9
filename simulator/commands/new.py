"""``mhsim new scenario|rubric NAME``: write a commented starter file that validates and lints clean as written."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer

from .common import err_console, fail

new_app = typer.Typer(
    help="Start a new scenario or rubric from a commented, working example.", no_args_is_help=True
)

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

Folder = Annotated[
    Path | None,
    typer.Option(
        "--dir",
        "-d",
        help="Folder to write into (default: your own scenarios or rubrics folder, where mhsim finds them).",
    ),
]
Force = Annotated[bool, typer.Option("--force", help="Overwrite a file that already exists.")]
Title = Annotated[str | None, typer.Option(help="Title shown in the library (default: from the name).")]


def slug(name: str) -> str:
    """An id from a name: 'My Patient 2' -> 'my-patient-2' (lowercase letters, digits, '-' and '_')."""
    text = re.sub(r"[^a-z0-9_-]+", "-", name.strip().lower())
    return re.sub(r"-{2,}", "-", text).strip("-_")


def _id_or_fail(name: str) -> str:
    ident = slug(name)
    if not ident:
        fail(f"{name!r} cannot be made into an id; use letters, digits, '-' or '_'")
    return ident


def _title(ident: str) -> str:
    words = re.split(r"[-_]+", ident)
    return " ".join(words).capitalize()


def _write(path: Path, text: str, force: bool) -> None:
    if path.exists() and not force:
        fail(f"{path} already exists; choose another name or add --force to overwrite it")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror or exc}")


def _schema_beside(folder: Path, name: str, schema: dict) -> Path | None:
    """Write the JSON Schema next to the new file (for editors' completion) unless one is already there."""
    import json

    path = folder / name
    if path.exists():
        return None
    try:
        path.write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    except OSError:
        return None  # completion is a convenience; the starter works without it
    return path


def render(template: str, **values: str) -> str:
    """The template with ``__KEY__`` placeholders filled in."""
    text = (TEMPLATES / template).read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace(f"__{key.upper()}__", value)
    return text


@new_app.command("scenario")
def new_scenario(
    name: Annotated[
        str, typer.Argument(help="The new scenario's id, e.g. 'exam-stress' (used as its file name).")
    ],
    folder: Folder = None,
    title: Title = None,
    force: Force = False,
) -> None:
    """Write NAME.scenario.yaml: a commented, working scenario to edit into your own."""
    from simulator.library import SUFFIX
    from simulator.paths import locations
    from simulator.scenario import schema

    ident = _id_or_fail(name)
    target_dir = folder if folder is not None else locations().user_scenarios
    path = target_dir / f"{ident}{SUFFIX}"
    title_text = (title or _title(ident)).replace('"', "'")
    taken = _scenario_id_taken(ident, path)
    if taken is not None:
        fail(f"the id {ident!r} is already used by {taken}; choose another name (ids must be unique)")
    _write(path, render("scenario.yaml", id=ident, title=title_text, path=str(path)), force)
    written = _schema_beside(target_dir, "scenario.schema.json", schema())
    _report(path, written, "scenario", ident, in_library=folder is None)


def _scenario_id_taken(ident: str, path: Path) -> Path | None:
    """The file of another scenario in the library with this id, if any (a duplicate would be shadowed)."""
    from simulator.library import Library

    for entry in Library.discover().entries:
        if entry.scenario and entry.scenario.id == ident and entry.path.resolve() != path.resolve():
            return entry.path
    return None


@new_app.command("rubric")
def new_rubric(
    name: Annotated[
        str, typer.Argument(help="The new rubric's id, e.g. 'my_checklist' (used as its file name).")
    ],
    folder: Folder = None,
    title: Title = None,
    force: Force = False,
) -> None:
    """Write NAME.rubric.yaml: a commented, working rubric to edit into your own."""
    from simulator.paths import locations
    from simulator.rubric import SUFFIX, rubric_schema

    ident = _id_or_fail(name)
    target_dir = folder if folder is not None else locations().user_rubrics
    path = target_dir / f"{ident}{SUFFIX}"
    title_text = (title or _title(ident)).replace('"', "'")
    from simulator.rubric import load_rubrics

    if ident in load_rubrics()[0] and not (path.exists() and force):
        fail(f"a rubric with id {ident!r} already exists; choose another name (ids must be unique)")
    _write(path, render("rubric.yaml", id=ident, title=title_text, path=str(path)), force)
    written = _schema_beside(target_dir, "rubric.schema.json", rubric_schema())
    _report(path, written, "rubric", ident, in_library=folder is None)


def _report(path: Path, schema: Path | None, kind: str, ident: str, *, in_library: bool) -> None:
    console = err_console()
    console.soft_wrap = True  # paths in the next steps stay whole, ready to copy
    typer.echo(str(path))
    console.print(f"wrote a starter {kind} with id {ident!r}")
    if schema is not None:
        console.print(
            f"wrote {schema.name} beside it, so editors that read the first line can complete fields"
        )
    if kind == "scenario":
        console.print(f"next: edit it, then run  mhsim scenarios lint {path}  and  mhsim chat {path}")
        if not in_library:
            console.print(
                "to see it in the library, keep it in your scenarios folder ('mhsim locate'), add this folder to "
                "'scenario_dirs' in your config, or pass --scenarios with the folder"
            )
    else:
        console.print(f"next: edit it, then run  mhsim rubrics validate {path}")
        console.print(f"add '{ident}' to the 'rubrics:' list of a scenario to score its sessions with it")
        if not in_library:
            console.print(
                "mhsim reads your rubrics from your own rubrics folder; move the file there to use it"
            )
