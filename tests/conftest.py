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
