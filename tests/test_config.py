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


@pytest.mark.parametrize("text", ["", " \n\t\n", "# mhsim configuration\n\n# nothing set yet\n", "---\n"])
def test_an_empty_or_comment_only_file_means_the_defaults(tmp_path: Path, text: str) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(text)
    assert load_config(path) == Config()


def test_a_file_that_is_not_a_mapping_is_still_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("- engine\n")
    with pytest.raises(FileProblems, match="expected a YAML mapping"):
        load_config(path)


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("OPENAI_API_KEY", True),
        ("MY_ORG_KEY", True),
        ("azure_key_2", True),
        ("OPENROUTER_API_KEY_FOR_TRAINING_2025", True),
        ("sk-proj-abc123", False),  # a key prefix, and '-' is not allowed in a name
        ("hf_" + "aBcDeFgHiJkLmNoPqRsTuVwXyZ012345", False),  # a valid name, but shaped like a key
        ("9LIVES", False),
        ("MY KEY", False),
    ],
)
def test_api_key_env_holds_a_variable_name(value: str, ok: bool) -> None:
    if ok:
        assert ModelConfig(api_key_env=value).api_key_env == value
    else:
        with pytest.raises(ValueError, match="name of the environment variable"):
            ModelConfig(api_key_env=value)


def test_api_base_in_the_file_must_be_an_http_url(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("model:\n  api_base: localhost:11434\n")
    with pytest.raises(FileProblems) as info:
        load_config(path)
    (problem,) = info.value.problems
    assert (problem.line, problem.col) == (2, 13) and "http:// or https:// URL" in problem.message
