"""``mhsim play`` (a script of trainee lines), ``mhsim chat`` (a plain-terminal conversation) and resume."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .common import err_console, fail, literal, open_store, resolve_scenario
from .llm import ApiBaseOption, ModelOption

if TYPE_CHECKING:
    import asyncio

    from simulator.records import SessionInfo
    from simulator.scenario import Scenario

Seed = Annotated[int, typer.Option(help="Seed for the scripted patient's choice of lines.")]
Trainee = Annotated[str, typer.Option(help="Your pseudonym for the session record (not your real name).")]
ExtraDirs = Annotated[
    list[Path] | None, typer.Option("--scenarios", help="Another folder of scenarios (repeatable).")
]
ResumePlaces = Annotated[
    list[Path] | None,
    typer.Option(
        "--scenarios", help="The session's scenario file, or another folder of scenarios (repeatable)."
    ),
]

COMMANDS = ("/end", "/quit", "/help", "/retry", "/scripted")
HELP = (
    "Type what you would say. '/end' ends the session and shows your debrief; Ctrl-C pauses it. "
    "After a failed reply, '/retry' asks again and '/scripted' lets the scripted patient answer. "
    "To say something that starts with '/', type '//' instead."
)


def read_script(path: Path) -> list[str]:
    """Trainee lines from a text file: one per line; blank lines and lines starting with '#' are skipped."""
    try:
        text = path.read_text(encoding="utf-8-sig")  # a BOM from a Windows editor is not part of line 1
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
    _note_unplayed(session, len(lines))
    if as_json:
        from simulator.export import session_json

        typer.echo(session_json(session.info, session.turns, session.ledger, session.score))
        return
    from rich.console import Console

    from .render import ledger_table, print_transcript, score_renderable

    console = Console(highlight=False)
    console.rule(literal(f"{found.title} · session {session.id}"))
    print_transcript(console, session.turns, found.persona.name.split()[0])
    console.print(ledger_table(session.ledger, found, session.turns))
    if session.score:
        console.print(score_renderable(session.score))


def _note_unplayed(session, total: int) -> None:
    """Say how many script lines were left when the patient ended the session before the script did."""
    played = sum(t.speaker == "trainee" for t in session.turns)
    if session.state.ended and played < total:
        left = total - played
        err_console().print(
            f"note: the patient ended the session after line {played}; "
            f"{left} more script line{'s were' if left != 1 else ' was'} not played.",
            markup=False,
            soft_wrap=True,
        )


def _command(raw: str) -> str | None:
    """The slash command a typed line is, or None for speech ('//' is a way to say something starting '/')."""
    line = raw.strip()
    if line.startswith("/") and not line.startswith("//"):
        return line
    return None


def _safe_stdin() -> None:
    """Read undecodable bytes on stdin as U+FFFD rather than failing on them (or storing surrogates)."""
    import sys

    try:
        sys.stdin.reconfigure(errors="replace")
    except (AttributeError, ValueError, OSError):  # not a text stream, or one already read from
        pass


def _converse(session, console, runner: asyncio.Runner) -> None:
    """The chat loop: read a line, stream the reply; '/end' finishes, Ctrl-C or EOF interrupts.

    Input is read on the main thread (so Ctrl-C reaches it at once); each reply runs on one event loop. A line
    that starts with '/' is a command and never reaches the patient.
    """
    from simulator.engine import EngineError

    name = session.scenario.persona.name.split()[0]
    if session.pending is not None:
        try:
            runner.run(_voice(session, console, name))
        except EngineError as exc:
            _reply_failed(console, exc)
    _safe_stdin()
    while not session.over:
        try:
            raw = console.input("[bold cyan]You:[/] ")
        except EOFError:
            raise KeyboardInterrupt from None
        command = _command(raw)
        if command in ("/end", "/quit"):
            closing = session.close_line()
            if closing:
                console.print(literal((f"{name}:", "bold magenta"), " ", closing.text))
            break
        if command == "/help":
            console.print(HELP, markup=False)
            continue
        if command in ("/retry", "/scripted"):
            if session.pending is None:
                console.print(f"nothing to {command[1:]}: the patient's last reply arrived.", markup=False)
                continue
            from simulator.engine import ScriptedEngine

            engine = ScriptedEngine() if command == "/scripted" else None
            try:
                runner.run(_voice(session, console, name, engine))
            except EngineError as exc:
                _reply_failed(console, exc)
            continue
        if command is not None:
            console.print(literal(("unknown command ", "yellow"), command, f"; commands: {', '.join(COMMANDS)}"))
            continue
        if session.pending is not None:
            console.print("[yellow]The last reply is still pending:[/] type /retry, or /scripted to continue "
                          "with the scripted patient.")
            continue
        speech = raw.strip()
        submitted = session.submit(speech[1:] if speech.startswith("//") else raw)
        if submitted is None:
            continue
        for notice in submitted.notices:
            console.print(literal(("notice:", "yellow"), " ", notice))
        try:
            runner.run(_voice(session, console, name))
        except EngineError as exc:
            _reply_failed(console, exc)


def _reply_failed(console, exc) -> None:
    """Say what happened; the trainee's words are kept, the reply can be retried or voiced by the script."""
    console.print()
    console.print(literal(("The patient could not reply:", "red"), " ", str(exc)))
    console.print("Your message is saved. Type /retry to ask again, or /scripted to continue with the "
                  "scripted patient.")


async def _voice(session, console, name: str, engine=None) -> None:
    from .llm import engine_notes

    console.print(literal((f"{name}:", "bold magenta"), " "), end="")
    async for chunk in session.reply(engine):
        console.print(chunk, end="", soft_wrap=True, markup=False)
    console.print()
    for note in engine_notes(session):
        console.print(literal((f"({note})", "dim")))


def _run_chat(session, *, opening: bool, places: list[Path]) -> None:
    """Run the conversation; ``places`` are the --scenarios that find its scenario again (for the resume hint)."""
    from rich.console import Console

    from simulator.wording import resume_hint

    from .render import ledger_table, print_transcript, score_renderable

    console = Console(highlight=False)
    scenario = session.scenario
    name = scenario.persona.name.split()[0]
    if opening:
        console.rule(literal(scenario.title))
        for warning in scenario.content_warnings:
            console.print(literal(("content warning:", "yellow"), " ", warning))
        console.print("Type what you would say. '/end' ends the session; Ctrl-C pauses it for later.\n")
        first = session.open()
        console.print(literal((f"{name}:", "bold magenta"), " ", first.text))
    else:
        console.rule(literal(f"Resuming {scenario.title}"))
        print_transcript(console, session.turns, name)
    try:
        import asyncio

        with asyncio.Runner() as runner:
            _converse(session, console, runner)
    except KeyboardInterrupt:
        session.interrupt()
        console.print(literal(f"\nSession paused. Resume it with: {resume_hint(session.id, places)}"), soft_wrap=True)
        raise typer.Exit(130) from None
    if session.info.status != "complete":
        session.finish()
    console.print(ledger_table(session.ledger, scenario, session.turns))
    if session.score:
        console.print(score_renderable(session.score))


def _is_file_ref(ref: str) -> bool:
    """Whether a scenario argument names a file rather than an id (the rule of ``Library.resolve``)."""
    return ref.endswith((".yaml", ".yml")) or Path(ref).is_file()


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
    # A session from a file is resumed from that same file: the library might not hold it (or hold another
    # scenario with its id); one from an id needs the folders it was found with.
    places = [Path(scenario)] if _is_file_ref(scenario) else list(scenarios or ())
    _run_chat(session, opening=True, places=places)


def _not_found(info: SessionInfo, why: str) -> str:
    """Why the session's scenario was not found, and what to pass to find it."""
    return (
        f"cannot resume session {info.id[:10]}: {why}\n"
        f"It needs the scenario {info.scenario_id!r} ({info.scenario_title}), version {info.scenario_version}. "
        f"If the session was started from a scenario file, give that file (or its folder) where it is now: "
        f"mhsim sessions resume {info.id[:10]} --scenarios PATH"
    )


def _resume_scenario(info: SessionInfo, places: list[Path]) -> Scenario:
    """The session's scenario: from the files given, else the library with the folders given.

    Among scenarios with the session's id, the one with the session's version is taken (a copy of a built-in
    edited into a new version can be resumed although the built-in comes first in the library).
    """
    from simulator.library import UnknownScenario, known_rubric_ids, load_scenario
    from simulator.yamlfile import FileProblems

    from .common import load_library

    for place in places:
        if not place.exists():
            fail(_not_found(info, f"{place}: no such file or folder."))
    candidates = []
    for path in (p for p in places if p.is_file()):
        try:
            candidates.append(load_scenario(path, known_rubric_ids()))
        except FileProblems as exc:
            fail("the scenario file has problems:\n" + "\n".join(str(p) for p in exc.problems))
    library = load_library([p for p in places if p.is_dir()])
    candidates += library.scenarios
    matching = [s for s in candidates if s.id == info.scenario_id]
    if not matching:
        why = f"No scenario with id {info.scenario_id!r}."
        try:
            library.get(info.scenario_id)  # for its message: a broken file, or the closest ids
        except UnknownScenario as exc:
            why = str(exc)
        fail(_not_found(info, why))
    return next((s for s in matching if s.version == info.scenario_version), matching[0])


def resume_command(
    session_id: Annotated[str, typer.Argument(help="Session id (a unique prefix is enough).")],
    scenarios: ResumePlaces = None,
) -> None:
    """Resume an interrupted session in the plain terminal."""
    from simulator.session import Session

    from .llm import prepare_engine

    store = open_store()
    try:
        info = store.session(store.resolve_id(session_id))
    except KeyError as exc:
        fail(str(exc.args[0]) if exc.args else f"No session matches {session_id!r}.")
    if info.status == "complete":
        fail(f"session {info.id} is complete; see it with: mhsim sessions show {info.id[:10]}")
    scenario = _resume_scenario(info, list(scenarios or ()))
    try:
        session = Session.resume(store, info.id, scenario, engine=prepare_engine(scenario, None, None))
    except ValueError as exc:
        fail(f"cannot resume: {exc}")
    err_console().print(f"resuming session {info.id}", markup=False)
    _run_chat(session, opening=False, places=list(scenarios or ()))
