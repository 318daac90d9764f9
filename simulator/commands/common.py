"""Small helpers shared by the commands: error output without tracebacks, consoles."""

from __future__ import annotations

from typing import NoReturn

import typer


def err_console():
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def fail(message: str, code: int = 1) -> NoReturn:
    """Print a plain error message to stderr and exit (user errors never show a traceback)."""
    err_console().print(f"[bold red]error:[/] {message}", markup=True, soft_wrap=True)
    raise typer.Exit(code)


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
