"""``mhsim play`` (a script of trainee lines), ``mhsim chat`` (a plain-terminal conversation) and resume."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .common import err_console, fail, open_store, resolve_scenario
from .llm import ApiBaseOption, ModelOption

if TYPE_CHECKING:
    import asyncio

Seed = Annotated[int, typer.Option(help="Seed for the scripted patient's choice of lines.")]
Trainee = Annotated[str, typer.Option(help="Your pseudonym for the session record (not your real name).")]
ExtraDirs = Annotated[
    list[Path] | None, typer.Option("--scenarios", help="Another folder of scenarios (repeatable).")
]


def read_script(path: Path) -> list[str]:
    """Trainee lines from a text file: one per line; blank lines and lines starting with '#' are skipped."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        fail(f"script file not found: {path}")
    except UnicodeDecodeError:
        fail(f"{path}: not UTF-8 text")
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror}")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def play_command(
    scenario: Annotated[str, typer.Argument(help="Scenario id or path to a .scenario.yaml file.")],
    script: Annotated[Path, typer.Option("--script", "-s", help="Text file of trainee lines, one per line.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the session as JSON.")] = False,
    seed: Seed = 0,
    trainee: Trainee = "trainee",
    save: Annotated[bool, typer.Option(help="Store the session in the local database.")] = True,
    scenarios: ExtraDirs = None,
    model: ModelOption = None,
    api_base: ApiBaseOption = None,
) -> None:
    """Play a script of trainee lines against a scenario and print the transcript and the scores."""
    from simulator.engine import EngineError
    from simulator.rehearsal import rehearse

    from .llm import prepare_engine

    found = resolve_scenario(scenario, scenarios or ())
    lines = read_script(script)
    if not lines:
        fail(f"{script} has no trainee lines")
    store = open_store() if save else None
    engine = prepare_engine(found, model, api_base)
    try:
        import asyncio  # here, not at import: `mhsim --help` stays quick

        session = asyncio.run(rehearse(found, lines, seed=seed, store=store, trainee=trainee, engine=engine))
    except EngineError as exc:
        fail(f"the patient could not reply: {exc}")
    if as_json:
        from simulator.export import session_json

        typer.echo(session_json(session.info, session.turns, session.ledger, session.score))
        return
    from rich.console import Console

    from .render import ledger_table, print_transcript, score_renderable

    console = Console(highlight=False)
    console.rule(f"{found.title} · session {session.id}")
    print_transcript(console, session.turns, found.persona.name.split()[0])
    console.print(ledger_table(session.ledger, found))
    if session.score:
        console.print(score_renderable(session.score))


def _converse(session, console, runner: asyncio.Runner) -> None:
    """The chat loop: read a line, stream the reply; '/end' finishes, Ctrl-C or EOF interrupts.

    Input is read on the main thread (so Ctrl-C reaches it at once); each reply runs on one event loop.
    """
    from simulator.engine import EngineError

    name = session.scenario.persona.name.split()[0]
    if session.pending is not None:
        try:
            runner.run(_voice(session, console, name))
        except EngineError as exc:
            _reply_failed(console, exc)
    while not session.over:
        try:
            raw = console.input("[bold cyan]You:[/] ")
        except EOFError:
            raise KeyboardInterrupt from None
        if session.pending is not None and raw.strip() in ("/retry", "/scripted"):
            from simulator.engine import ScriptedEngine

            engine = ScriptedEngine() if raw.strip() == "/scripted" else None
            try:
                runner.run(_voice(session, console, name, engine))
            except EngineError as exc:
                _reply_failed(console, exc)
            continue
        if session.pending is not None and raw.strip() not in ("/end", "/quit", "/help"):
            console.print("[yellow]The last reply is still pending:[/] type /retry, or /scripted to continue "
                          "with the scripted patient.")
            continue
        if raw.strip() in ("/end", "/quit"):
            closing = session.close_line()
            if closing:
                console.print(f"[bold magenta]{name}:[/] {closing.text}")
            break
        if raw.strip() == "/help":
            console.print("Type what you would say. '/end' ends the session and shows your debrief; Ctrl-C pauses it.")
            continue
        submitted = session.submit(raw)
        if submitted is None:
            continue
        for notice in submitted.notices:
            console.print(f"[yellow]notice:[/] {notice}")
        try:
            runner.run(_voice(session, console, name))
        except EngineError as exc:
            _reply_failed(console, exc)


def _reply_failed(console, exc) -> None:
    """Say what happened; the trainee's words are kept, the reply can be retried or voiced by the script."""
    from rich.markup import escape

    console.print()
    console.print(f"[red]The patient could not reply:[/] {escape(str(exc))}")
    console.print("Your message is saved. Type /retry to ask again, or /scripted to continue with the "
                  "scripted patient.")


async def _voice(session, console, name: str, engine=None) -> None:
    from .llm import engine_notes

    console.print(f"[bold magenta]{name}:[/] ", end="")
    async for chunk in session.reply(engine):
        console.print(chunk, end="", soft_wrap=True, markup=False)
    console.print()
    for note in engine_notes(session):
        console.print(f"[dim]({note})[/]")


def _run_chat(session, *, opening: bool) -> None:
    from rich.console import Console

    from .render import ledger_table, print_transcript, score_renderable

    console = Console(highlight=False)
    scenario = session.scenario
    name = scenario.persona.name.split()[0]
    if opening:
        console.rule(scenario.title)
        for warning in scenario.content_warnings:
            console.print(f"[yellow]content warning:[/] {warning}")
        console.print("Type what you would say. '/end' ends the session; Ctrl-C pauses it for later.\n")
        first = session.open()
        console.print(f"[bold magenta]{name}:[/] {first.text}")
    else:
        console.rule(f"Resuming {scenario.title}")
        print_transcript(console, session.turns, name)
    try:
        import asyncio

        with asyncio.Runner() as runner:
            _converse(session, console, runner)
    except KeyboardInterrupt:
        session.interrupt()
        console.print(f"\nSession paused. Resume it with: mhsim sessions resume {session.id[:10]}")
        raise typer.Exit(130) from None
    if session.info.status != "complete":
        session.finish()
    console.print(ledger_table(session.ledger, scenario))
    if session.score:
        console.print(score_renderable(session.score))


def chat_command(
    scenario: Annotated[str, typer.Argument(help="Scenario id or path to a .scenario.yaml file.")],
    seed: Seed = 0,
    trainee: Trainee = "trainee",
    scenarios: ExtraDirs = None,
    model: ModelOption = None,
    api_base: ApiBaseOption = None,
) -> None:
    """Talk with a simulated patient in the plain terminal."""
    from simulator.session import Session

    from .llm import prepare_engine

    found = resolve_scenario(scenario, scenarios or ())
    engine = prepare_engine(found, model, api_base)
    session = Session(found, engine=engine, store=open_store(), seed=seed, trainee=trainee)
    _run_chat(session, opening=True)


def resume_command(
    session_id: Annotated[str, typer.Argument(help="Session id (a unique prefix is enough).")],
    scenarios: ExtraDirs = None,
) -> None:
    """Resume an interrupted session in the plain terminal."""
    from simulator.library import UnknownScenario
    from simulator.session import Session

    store = open_store()
    try:
        info = store.session(store.resolve_id(session_id))
    except KeyError as exc:
        fail(str(exc.args[0]) if exc.args else f"No session matches {session_id!r}.")
    if info.status == "complete":
        fail(f"session {info.id} is complete; see it with: mhsim sessions show {info.id[:10]}")
    try:
        from .common import load_library

        scenario = load_library(scenarios or ()).get(info.scenario_id)
        from .llm import prepare_engine

        session = Session.resume(store, info.id, scenario, engine=prepare_engine(scenario, None, None))
    except (UnknownScenario, ValueError) as exc:
        fail(f"cannot resume: {exc}")
    err_console().print(f"resuming session {info.id}")
    _run_chat(session, opening=False)
