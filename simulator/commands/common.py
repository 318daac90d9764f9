"""Small helpers shared by the commands: error output without tracebacks, consoles, literal text."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer

if TYPE_CHECKING:
    from rich.text import Text


def err_console():
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def literal(*parts: str | Text | tuple[str, str]) -> Text:
    """A line to print as it is, never parsed as Rich markup: anything that comes from a user, a file, a
    scenario or a model goes through here. A ``(text, style)`` part carries the program's own styling::

        console.print(literal(("content warning:", "yellow"), " ", warning))
    """
    from rich.text import Text

    return Text.assemble(*parts)


def fail(message: str | Text, code: int = 1) -> NoReturn:
    """Print an error message to stderr and exit (user errors never show a traceback).

    A ``str`` message is printed literally (it usually echoes a path, an id or a file's problems); a
    :class:`~rich.text.Text` keeps its styling.
    """
    from rich.text import Text

    body = message if isinstance(message, Text) else Text(message)
    err_console().print(literal(("error:", "bold red"), " ", body), soft_wrap=True)
    raise typer.Exit(code)


def write_or_echo(text: str, output: Path | None) -> None:
    """Write ``text`` to ``output`` (saying so on stderr), or print it when no file is given."""
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"Could not write {output}: {exc.strerror or exc}.")
    typer.echo(f"Wrote {output}", err=True)


def open_store():
    """The default store, or a clean exit when the database cannot be used."""
    from simulator.store import Store, StoreError

    try:
        store = Store.open_default()
    except StoreError as exc:
        fail(str(exc))
    store.mark_stale_active_as_interrupted()
    return store


def load_library(extra=()):
    from simulator.library import Library

    return Library.discover(extra)


def resolve_scenario(ref: str, extra=()):
    """A scenario by id or path, or a clean exit with suggestions / file:line:col problems."""
    from simulator.library import UnknownScenario
    from simulator.yamlfile import FileProblems

    try:
        return load_library(extra).resolve(ref)
    except UnknownScenario as exc:
        fail(str(exc))
    except FileProblems as exc:
        fail("the scenario file has problems:\n" + "\n".join(str(p) for p in exc.problems))
