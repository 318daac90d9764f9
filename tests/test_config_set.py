"""``mhsim config set``: every setting the README shows can be set, and wrong values are refused with a reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from simulator.config import config_path, load_config

runner = CliRunner()

A_KEY = "sk-proj-" + "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z" * 2  # shaped like a real key, not one


def invoke(*args: str):
    return runner.invoke(app, ["config", *args])


def refused(*args: str) -> str:
    """Run a `config` command that must fail cleanly and leave no file behind; its output."""
    result = invoke(*args)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert not config_path().exists(), "a refused value is not written"
    return result.output


# --- keymap ----------------------------------------------------------------------------------------------


def test_a_dotted_binding_id_can_be_set_got_and_unset() -> None:
    result = invoke("set", "keymap.encounter.end", "ctrl+x")
    assert result.exit_code == 0, result.output
    assert load_config().keymap == {"encounter.end": "ctrl+x"}
    assert invoke("get", "keymap.encounter.end").output.strip() == "ctrl+x"
    assert invoke("set", "keymap.debrief.export_md", "ctrl+s,f9").exit_code == 0
    assert load_config().keymap == {"encounter.end": "ctrl+x", "debrief.export_md": "ctrl+s,f9"}
    assert invoke("unset", "keymap.encounter.end").exit_code == 0
    assert load_config().keymap == {"debrief.export_md": "ctrl+s,f9"}


def test_an_unknown_binding_id_is_refused_with_the_nearest_one() -> None:
    out = refused("set", "keymap.encounter.ends", "ctrl+x")
    assert "unknown binding id 'encounter.ends'" in out and "did you mean 'encounter.end'?" in out


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ("ctrl+", "no key after"),
        ("control+x", "unknown modifier 'control'"),
        ("ctrl+esc", "unknown key 'esc'"),
        ("f99", "unknown key 'f99'"),
        ("ctrl+x,,f9", "empty key"),
    ],
)
def test_an_invalid_key_is_refused(keys: str, message: str) -> None:
    out = refused("set", "keymap.encounter.end", keys)
    assert message in out


def test_a_whole_keymap_is_checked_too() -> None:
    out = refused("set", "keymap", "{encounter.end: ctrl+x, nonsense.id: f9}")
    assert "unknown binding id 'nonsense.id'" in out


# --- lists -----------------------------------------------------------------------------------------------


def test_scenario_dirs_take_one_or_several_values(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    result = invoke("set", "scenario_dirs", str(one))
    assert result.exit_code == 0, result.output
    assert load_config().scenario_dirs == [one]
    result = invoke("set", "scenario_dirs", str(one), str(two))
    assert result.exit_code == 0, result.output
    assert load_config().scenario_dirs == [one, two]
    assert f"{two} does not exist" in result.output, "a missing folder is pointed out, not refused"
    assert invoke("set", "scenario_dirs", f"[{one}]").exit_code == 0
    assert load_config().scenario_dirs == [one]


def test_several_values_for_a_single_setting_are_refused() -> None:
    out = refused("set", "engine", "llm", "scripted")
    assert "'engine' takes one value" in out


# --- model.api_key_env -----------------------------------------------------------------------------------


@pytest.mark.parametrize("key", [A_KEY, "gsk_" + "a1B2c3D4e5F6g7H8i9J0" * 2, "f" * 8 + "0123456789abcdef" * 2])
def test_an_api_key_is_never_saved_as_the_variable_name(key: str) -> None:
    out = refused("set", "model.api_key_env", key)
    assert "looks like an API key" in out and "name of the environment variable" in out
    assert key not in out and key[10:30] not in out, "the key is never echoed back"


def test_an_invalid_variable_name_is_refused_but_a_name_is_saved() -> None:
    out = refused("set", "model.api_key_env", "MY ORG KEY")
    assert "not a valid environment-variable name" in out
    assert invoke("set", "model.api_key_env", "MY_ORG_KEY").exit_code == 0
    assert invoke("set", "judge.api_key_env", "AZURE_OPENAI_API_KEY_2").exit_code == 0
    config = load_config()
    assert config.model.api_key_env == "MY_ORG_KEY" and config.judge.api_key_env == "AZURE_OPENAI_API_KEY_2"


def test_a_key_written_into_the_file_is_reported_masked_and_can_be_unset() -> None:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"model:\n  api_key_env: {A_KEY}\n", encoding="utf-8")
    shown = invoke("show")
    assert shown.exit_code == 1 and f"{path}:2:16:" in shown.output and A_KEY not in shown.output
    result = invoke("unset", "model.api_key_env")
    assert result.exit_code == 0, result.output
    assert A_KEY not in path.read_text() and load_config().model.api_key_env is None


# --- theme and api_base ----------------------------------------------------------------------------------


def test_theme_must_be_an_available_theme() -> None:
    out = refused("set", "theme", "nope-theme")
    assert "unknown theme 'nope-theme'" in out and "mhsim-high-contrast" in out
    assert "did you mean 'textual-dark'?" in refused("set", "theme", "textual-drak")
    assert invoke("set", "theme", "mhsim-high-contrast-light").exit_code == 0
    assert invoke("set", "theme", "nord").exit_code == 0, "textual's own themes are available too"
    assert load_config().theme == "nord"


@pytest.mark.parametrize("url", ["notaurl", "ftp://example.org", "http://", "127.0.0.1:11434"])
def test_api_base_must_be_an_http_url(url: str) -> None:
    out = refused("set", "model.api_base", url)
    assert "http:// or https:// URL" in out


def test_api_base_accepts_http_and_https() -> None:
    assert invoke("set", "model.api_base", "http://127.0.0.1:11434").exit_code == 0
    assert invoke("set", "scenario_models.x.api_base", "https://proxy.example.org/v1").exit_code == 0
    config = load_config()
    assert config.model.api_base == "http://127.0.0.1:11434"
    assert config.scenario_models["x"].api_base == "https://proxy.example.org/v1"


# --- an empty file ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "  \n\n", "# only a comment\n", "---\n# nothing yet\n"])
def test_set_works_on_an_empty_config_file(text: str) -> None:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    assert invoke("show").exit_code == 0
    result = invoke("set", "engine", "llm")
    assert result.exit_code == 0, result.output
    assert load_config().engine == "llm"
