"""The ``mhsim`` command line. Thin: it wires commands to the core in ``simulator``.

Run ``mhsim`` with no arguments to open the training app (TUI).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from simulator import __version__
from simulator.commands.play import chat_command, play_command, resume_command
from simulator.commands.scenarios import scenarios_app

app = typer.Typer(
    name="mhsim",
    help="Practise hard mental-health conversations with simulated patients, scored with evidence. "
    "Run with no command to open the training app.",
    rich_markup_mode="rich",
    pretty_exceptions_show_locals=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mhsim {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def main_callback(
    ctx: typer.Context,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
    scenarios: Annotated[
        list[Path] | None, typer.Option("--scenarios", help="Another folder of scenarios for the app (repeatable).")
    ] = None,
) -> None:
    """Open the training app when no command is given."""
    if ctx.invoked_subcommand is None:
        from simulator.tui.app import run

        run(extra_dirs=scenarios or ())


def _register() -> None:
    from simulator.commands.code import code_command
    from simulator.commands.sessions import locate_command, sessions_app

    app.command("chat")(chat_command)
    app.command("play")(play_command)
    app.command("code")(code_command)
    app.command("locate")(locate_command)
    sessions_app.command("resume")(resume_command)
    app.add_typer(scenarios_app, name="scenarios")
    app.add_typer(sessions_app, name="sessions")
    from simulator.commands.rubrics import rubrics_app

    app.add_typer(rubrics_app, name="rubrics")
    from simulator.commands.new import new_app

    app.add_typer(new_app, name="new")
    from simulator.commands.lab import lab_app, new_lab_case_command

    app.add_typer(lab_app, name="lab")
    new_app.command("lab-case")(new_lab_case_command)
    from simulator.commands.tui import preview_command, serve_command

    app.command("serve")(serve_command)
    app.command("preview")(preview_command)
    from simulator.commands.llm import config_app, doctor_command, usage_command

    app.command("doctor")(doctor_command)
    app.add_typer(config_app, name="config")
    sessions_app.command("usage")(usage_command)


_register()


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
