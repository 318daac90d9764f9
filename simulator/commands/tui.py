"""``mhsim serve`` (the app in a browser, through textual-serve) and ``mhsim preview`` (the facilitator view).

Textual, textual-serve and the scenario loader are imported inside the commands, so ``mhsim --help`` stays fast.
"""

from __future__ import annotations

import ipaddress
import shlex
import sys
from pathlib import Path
from typing import Annotated

import typer

from .common import err_console, fail

ExtraDirs = Annotated[
    list[Path] | None, typer.Option("--scenarios", help="Another folder of scenarios (repeatable).")
]


def is_loopback(host: str) -> bool:
    """Whether only this computer can reach ``host`` (127.0.0.1, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def app_command(extra_dirs: list[Path] | None = None) -> str:
    """The shell command textual-serve runs for each browser tab: this Python, ``-m simulator``."""
    parts = [sys.executable, "-m", "simulator"]
    for folder in extra_dirs or []:
        parts += ["--scenarios", str(Path(folder).expanduser().resolve())]
    return shlex.join(parts)


def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on. Keep 127.0.0.1 unless a proxy sits in front.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    public_url: Annotated[
        str | None, typer.Option(help="The address browsers use, when behind a reverse proxy (e.g. https://mhsim.example.org).")
    ] = None,
    scenarios: ExtraDirs = None,
) -> None:
    """Serve the training app to web browsers (one app process per browser tab).

    textual-serve has no login: anyone who can reach the address can use the app and the sessions stored on
    this computer. For a room, keep the default 127.0.0.1 and put an authenticating reverse proxy in front.
    """
    try:
        from textual_serve.server import Server  # deferred: aiohttp and jinja cost ~150 ms
    except ImportError:
        fail("mhsim serve needs textual-serve: pip install textual-serve")
    if not is_loopback(host):
        err_console().print(
            f"[bold yellow]warning:[/] listening on {host}: textual-serve has no login, so anyone who can reach "
            f"port {port} can use mhsim and read the sessions stored here. Put an authenticating reverse proxy in "
            "front (see the README) or use --host 127.0.0.1.",
            markup=True,
            soft_wrap=True,
        )
    server = Server(app_command(scenarios), host=host, port=port, title="mhsim", public_url=public_url)
    server.serve()


def preview_command(
    scenario: Annotated[str, typer.Argument(help="Scenario id or path to a .scenario.yaml file.")],
    scenarios: ExtraDirs = None,
) -> None:
    """Open a scenario in the facilitator view: patient state and disclosure conditions live, reloading on save."""
    from simulator.library import Library, known_rubric_ids, load_scenario
    from simulator.yamlfile import FileProblems

    path = Path(scenario).expanduser()
    if not (scenario.endswith((".yaml", ".yml")) or path.is_file()):
        library = Library.discover(scenarios or ())
        entry = next((e for e in library.entries if e.scenario is not None and e.scenario.id == scenario), None)
        if entry is None:
            try:
                library.get(scenario)
            except LookupError as exc:
                fail(str(exc))
            fail(f"no scenario file found for {scenario!r}")
        path = entry.path
    if not path.is_file():
        fail(f"scenario file not found: {path}")
    try:
        load_scenario(path, known_rubric_ids())
    except FileProblems as exc:
        fail("the scenario file has problems (fix them, then preview again):\n" + "\n".join(str(p) for p in exc.problems))
    from simulator.tui.app import run

    run(preview=path)
