"""``mhsim sessions list|show|export|better`` and ``mhsim locate``.

Heavy modules (the store, pydantic records, rich) are imported inside the commands so ``mhsim --help`` stays
fast. ``sessions resume`` lives with the session runner, not here.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .common import fail, open_store, write_or_echo

if TYPE_CHECKING:
    from simulator.store import Store

sessions_app = typer.Typer(
    help="Browse, show and export your saved practice sessions (kept only on this computer).",
    no_args_is_help=True,
)


class StatusFilter(str, Enum):
    active = "active"
    complete = "complete"
    interrupted = "interrupted"


class ExportFormat(str, Enum):
    md = "md"
    json = "json"


_STATUS_STYLE = {"active": "▶ active", "complete": "✔ complete", "interrupted": "‖ interrupted"}



def _load(store: Store, session_id: str):
    """Everything about one session, or a clean exit with the reason."""
    from pydantic import ValidationError

    from simulator.store import StoreError

    try:
        full_id = store.resolve_id(session_id)
        return (
            store.session(full_id),
            store.turns(full_id),
            store.disclosures(full_id),
            store.scores(full_id),
            store.overrides(full_id),  # educators' changes travel with every view and export
        )
    except KeyError as exc:
        fail(str(exc) if exc.args else f"No session matches {session_id!r}.")
    except StoreError as exc:
        fail(str(exc))
    except (ValidationError, ValueError) as exc:
        # A row written by a newer or damaged mhsim: say which session, not a traceback.
        kind = exc.__class__.__name__
        fail(f"Session {session_id!r} is stored in a form this mhsim cannot read ({kind}).")


@sessions_app.command("list")
def list_command(
    scenario: Annotated[str | None, typer.Option(help="Only sessions of this scenario id.")] = None,
    status: Annotated[StatusFilter | None, typer.Option(help="Only sessions with this status.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="Show at most this many, newest first.")] = 20,
) -> None:
    """List saved sessions, newest first."""
    from rich.console import Console
    from rich.table import Table

    from simulator.store import Store, StoreError

    store = open_store()  # also marks sessions left active by a crash as interrupted
    try:
        rows = store.sessions(scenario_id=scenario, status=status.value if status else None, limit=limit)
        counts = store.turn_counts([r.id for r in rows])
        usage = store.usage_totals([r.id for r in rows])
        short = store.short_ids([r.id for r in rows])
    except StoreError as exc:
        fail(str(exc))
    finally:
        store.close()
    if not rows:
        typer.echo("No sessions found." if (scenario or status) else "No sessions yet.")
        return
    from rich import box

    console = Console(highlight=False)
    wide = console.width >= 100  # trainee and engine are the first to go on a narrow terminal
    table = Table(title="Sessions (newest first)", box=box.SIMPLE_HEAD)
    table.add_column("id", no_wrap=True)  # shortest unique prefix, like git; show/export accept it
    table.add_column("started (UTC)", no_wrap=True)
    table.add_column("scenario", min_width=10, overflow="fold")  # the id, which is what --scenario takes
    if wide:
        table.add_column("trainee", overflow="fold")
        table.add_column("engine", overflow="fold")
    table.add_column("status", no_wrap=True)
    table.add_column("turns", justify="right")
    if usage:
        table.add_column("model use", justify="right")  # tokens and cost of LLM-played sessions
    for info in rows:
        cells = [short[info.id], info.started_at.strftime("%Y-%m-%d %H:%M"), info.scenario_id]
        if wide:
            cells += [info.trainee, info.engine]
        cells += [_STATUS_STYLE.get(info.status, info.status), str(counts.get(info.id, 0))]
        if usage:
            cells.append(Store.usage_text(usage.get(info.id)) or "—")
        table.add_row(*cells, style="dim" if info.status == "interrupted" else None)
    console.print(table)


@sessions_app.command("show")
def show_command(
    session_id: Annotated[str, typer.Argument(metavar="ID", help="Session id or a unique prefix of it.")],
    plain: Annotated[
        bool, typer.Option("--plain", help="Print the raw Markdown even in a terminal.")
    ] = False,
) -> None:
    """Show a session: transcript, disclosure ledger and scores."""
    from rich.console import Console

    from simulator.export import session_markdown

    store = open_store()
    try:
        info, turns, disclosures, score, overrides = _load(store, session_id)
        judgements = _judgements(store, info.id)
    finally:
        store.close()
    text = session_markdown(info, turns, disclosures, score, overrides=overrides, judgements=judgements)
    console = Console(highlight=False)
    if plain or not console.is_terminal:
        typer.echo(text, nl=False)  # piped or asked for: the Markdown itself, untouched
        return
    from rich.markdown import Markdown

    console.print(Markdown(text))


@sessions_app.command("export")
def export_command(
    session_id: Annotated[str, typer.Argument(metavar="ID", help="Session id or a unique prefix of it.")],
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="Markdown or JSON.")] = ExportFormat.md,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", dir_okay=False, help="Write to this file instead of standard output."),
    ] = None,
) -> None:
    """Export a session as Markdown (for people) or JSON (for tools)."""
    from simulator.export import session_json, session_markdown

    store = open_store()
    try:
        info, turns, disclosures, score, overrides = _load(store, session_id)
        judgements = _judgements(store, info.id)
    finally:
        store.close()
    if fmt is ExportFormat.json:
        text = session_json(info, turns, disclosures, score, overrides=overrides, judgements=judgements)
    else:
        text = session_markdown(info, turns, disclosures, score, overrides=overrides, judgements=judgements)
    write_or_echo(text, output)


def _judgements(store: Store, session_id: str) -> list:
    """The session's stored LLM-judge ratings (an unreadable row is left out, never a traceback)."""
    from pydantic import ValidationError

    from simulator.store import StoreError

    try:
        return store.judgements(session_id)
    except (StoreError, ValidationError, ValueError):
        return []


@sessions_app.command("better")
def better_command(
    session_id: Annotated[str, typer.Argument(metavar="ID", help="Session id or a unique prefix of it.")],
    turn: Annotated[int, typer.Argument(metavar="TURN", help="Transcript number (#n) of one of your turns.")],
    model: Annotated[
        str | None, typer.Option("--model", help="Generate with this model (litellm name) instead of the config's.")
    ] = None,
    api_base: Annotated[str | None, typer.Option("--api-base", help="Server address for that model.")] = None,
    offline: Annotated[bool, typer.Option("--offline", help="Only the rubric's exemplar; call no model.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """What one of your turns missed and a better reply: generated when a model is configured, else the exemplar."""
    from .judging import run_better

    run_better(session_id, turn, model=model, api_base=api_base, offline=offline, as_json=as_json)


_LOCATIONS = ("all", "config", "data", "db", "scenarios")


def locate_command(
    what: Annotated[
        str,
        typer.Argument(
            help="all, config (the config file), data (the data folder), db (the database) or scenarios."
        ),
    ] = "all",
) -> None:
    """Show where mhsim keeps its configuration, data, session database and your own scenarios.

    With one name, prints only that path (handy in scripts: ``datasette "$(mhsim locate db)"``).
    """
    from simulator import paths

    where = paths.locations()
    found = {
        "config": where.config_file,
        "data": where.data_dir,
        "db": where.database,
        "scenarios": where.user_scenarios,
    }
    what = what.strip().lower()
    if what not in _LOCATIONS:
        fail(f"Unknown location {what!r}; use one of: {', '.join(_LOCATIONS)}.")
    if what != "all":
        typer.echo(str(found[what]))
        return
    rows = [
        ("config dir", where.config_dir),
        ("config file", where.config_file),
        ("data dir", where.data_dir),
        ("database", where.database),
        ("scenarios", where.user_scenarios),
    ]
    width = max(len(label) for label, _ in rows)
    for label, path in rows:
        typer.echo(f"{label.ljust(width)}  {path}")
