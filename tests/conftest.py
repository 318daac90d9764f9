"""Shared fixtures: every test gets its own mhsim home, so the user's real data is never touched."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def mhsim_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("mhsim-home")
    monkeypatch.setenv("MHSIM_HOME", str(home))
    monkeypatch.setenv("NO_COLOR", "1")
    return home


@pytest.fixture
def helen():
    """The built-in low-mood scenario (loaded without rubric-id checks)."""
    from simulator.library import load_scenario

    return load_scenario(ROOT / "scenarios" / "low-mood-passive-si.scenario.yaml")


def play_and_store(scenario, lines: list[str]) -> str:
    """Play ``lines`` against ``scenario`` into the default store, end and score it; the session id."""
    import asyncio

    from simulator.session import Session
    from simulator.store import Store

    with Store.open_default() as store:
        session = Session(scenario, store=store)

        async def run() -> None:
            session.open()
            for line in lines:
                await session.say(line)

        asyncio.run(run())
        session.close_line()
        session.finish()
        return session.id
