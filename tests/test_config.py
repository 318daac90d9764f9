"""The configuration file: defaults, round trip, positioned errors, per-scenario overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.config import (
    Config,
    CrisisResource,
    ModelConfig,
    config_path,
    load_config,
    model_for,
    save_config,
)
from simulator.yamlfile import FileProblems


def test_defaults_when_no_file(mhsim_home: Path) -> None:
    config = load_config()
    assert config.engine == "scripted" and config.live_coach and config.crisis_resources == []
    assert config_path() == mhsim_home / "config.yaml"


def test_round_trip_writes_only_changes(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    config = Config(theme="mhsim-high-contrast", crisis_resources=[CrisisResource(name="Line", contact="123")])
    save_config(config, path)
    text = path.read_text()
    assert "engine" not in text and "mhsim-high-contrast" in text
    assert load_config(path) == config


def test_env_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "elsewhere.yaml"
    monkeypatch.setenv("MHSIM_CONFIG_FILE", str(path))
    save_config(Config(live_coach=False))
    assert load_config().live_coach is False


def test_broken_config_reports_position(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("engine: scripted\nlive_coach: maybe\nthem: dark\n")
    with pytest.raises(FileProblems) as info:
        load_config(path)
    got = [str(p) for p in info.value.problems]
    assert any(p.startswith(f"{path}:2:13: live_coach") for p in got)
    assert f"{path}:3:1: unknown key 'them'; did you mean 'theme'?" in got


def test_scenario_model_override_merges_over_default() -> None:
    config = Config(
        model=ModelConfig(model="ollama/llama3.2", api_base="http://127.0.0.1:11434", timeout_s=20),
        scenario_models={"x": ModelConfig(model="openai/gpt-4o-mini")},
    )
    merged = model_for(config, "x")
    assert merged.model == "openai/gpt-4o-mini" and merged.timeout_s == 20
    assert merged.api_base is None, "a different model does not inherit the default's server"
    assert model_for(config, "other").model == "ollama/llama3.2"
