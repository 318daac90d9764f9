"""With sockets blocked, the offline default (no model configured) works and never tries the network."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest
from typer.testing import CliRunner

from cli import app
from simulator.session import Session

from .conftest import ROOT


@pytest.fixture
def no_network(monkeypatch):
    """Every way out of this process fails, and is recorded."""
    attempts: list[str] = []

    def blocked(*args, **kwargs):
        attempts.append(repr(args[:2]))
        raise OSError("network blocked in this test")

    for target in (
        "socket.socket.connect",
        "socket.socket.connect_ex",
        "socket.getaddrinfo",
        "socket.create_connection",
    ):
        monkeypatch.setattr(target, blocked)
    return attempts


async def test_a_default_session_makes_no_network_call(helen, no_network) -> None:
    session = Session(helen)
    session.open()
    reply = await session.say("How have you been sleeping?")
    assert reply and session.turns[-1].engine == "scripted"
    assert no_network == []


def test_default_commands_make_no_network_call(no_network, tmp_path) -> None:
    script = tmp_path / "s.txt"
    script.write_text("How have you been sleeping?\nWhat has been happening at home?\n")
    runner = CliRunner()
    result = runner.invoke(app, ["play", "low-mood-passive-si", "-s", str(script)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["chat", "low-mood-passive-si"], input="How are you?\n/end\n")
    assert result.exit_code == 0, result.output
    assert "patient played by" not in result.output and "Before anything is sent" not in result.output
    assert no_network == []


PROBE = textwrap.dedent(
    """
    import json, socket, sys
    attempts = []
    def blocked(*args, **kwargs):
        attempts.append(repr(args[:2]))
        raise OSError("blocked")
    socket.socket.connect = socket.socket.connect_ex = blocked
    socket.getaddrinfo = socket.create_connection = blocked
    from typer.testing import CliRunner
    from cli import app
    result = CliRunner().invoke(app, ["chat", "low-mood-passive-si"], input="How are you?\\n/end\\n")
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(app, ["config", "show"])
    assert result.exit_code == 0, result.output
    heavy = sorted({m.split(".")[0] for m in sys.modules} & {"litellm", "openai", "httpx", "aiohttp"})
    print(json.dumps({"attempts": attempts, "heavy": heavy}))
    """
)


def test_offline_chat_neither_imports_litellm_nor_opens_a_socket(mhsim_home) -> None:
    env = {**os.environ, "MHSIM_HOME": str(mhsim_home)}
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {"attempts": [], "heavy": []}
