"""The user's configuration file (``mhsim locate config``): engine, model, coach, theme, keys, crisis resources.

YAML, validated like every other file mhsim reads, with ``file:line:col`` errors. ``MHSIM_CONFIG_FILE`` points at
another file (tests, a facilitator's shared laptop).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import Field, field_validator
from pydantic_core import PydanticCustomError

from .paths import locations
from .scenario import Strict

CONFIG_ENV = "MHSIM_CONFIG_FILE"

_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# How providers' keys begin; none of these begins a sensible variable name.
_KEY_PREFIXES = (
    "sk-", "sk_", "pk-", "rk-", "xai-", "gsk_", "hf_", "ghp_", "gho_", "ghs_", "github_pat_", "glpat-", "AIza",
    "AKIA", "ASIA", "r8_", "pplx-", "nvapi-", "csk-", "xoxb-", "xoxp-",
)


def looks_like_key(value: str) -> bool:
    """Whether ``value`` is shaped like an API key or token rather than the name of a variable.

    Names are words joined by '_' (OPENAI_API_KEY, my_org_key_2); keys are long runs of mixed-case letters and
    digits, or carry a provider's prefix.
    """
    text = value.strip()
    digits = any(c.isdigit() for c in text)
    if len(text) >= 12 and text.startswith(_KEY_PREFIXES):
        return True
    if len(text) >= 20 and digits and any(c.islower() for c in text) and any(c.isupper() for c in text):
        return True
    return len(text) >= 32 and digits and "_" not in text


def masked(value: str) -> str:
    """A secret shown without giving it away: its first characters and its length."""
    return f"{value[:4]}…, {len(value)} characters"


def key_env_problem(value: str) -> str | None:
    """Why ``value`` cannot be the name of the variable that holds an API key, or None when it can."""
    what = (
        "this is the name of the environment variable that holds the API key (e.g. OPENAI_API_KEY), never the "
        "key itself"
    )
    if looks_like_key(value):
        return (
            f"{what}: the value given ({masked(value)}) looks like an API key. Put the key in an environment "
            "variable (export MY_ORG_KEY=...) and give that variable's name here"
        )
    if not _ENV_NAME.fullmatch(value):
        shown = repr(value) if len(value) <= 40 else masked(value)
        return (
            f"{shown} is not a valid environment-variable name (letters, digits and '_', not starting with a "
            f"digit); {what}"
        )
    return None


def url_problem(value: str) -> str | None:
    """Why ``value`` is not an http(s) server address, or None when it is one."""
    try:
        parts = urlsplit(value.strip())
        ok = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:  # e.g. a malformed IPv6 address
        ok = False
    if ok:
        return None
    return f"expected an http:// or https:// URL with a host, e.g. http://127.0.0.1:11434, not {value!r}"


class ModelConfig(Strict):
    """How to reach a language model through litellm (used only when the LLM engine is chosen)."""

    model: str | None = Field(
        default=None, description="litellm model name, e.g. 'ollama/llama3.2' or 'openai/gpt-4o-mini'."
    )
    api_base: str | None = Field(default=None, description="Base URL of the server, for local or proxy models.")
    api_key_env: str | None = Field(
        default=None, description="Name of the environment variable that holds the API key (never the key)."
    )
    timeout_s: float = Field(default=30.0, gt=0, le=600, description="Per-call timeout in seconds.")
    temperature: float | None = Field(default=None, ge=0, le=2, description="Sampling temperature.")
    max_tokens: int | None = Field(default=None, ge=1, description="Cap on reply tokens.")

    @field_validator("api_key_env")
    @classmethod
    def _a_name_not_a_key(cls, value: str | None) -> str | None:
        # A key saved here would sit in plain text in a file people copy and share.
        problem = None if value is None else key_env_problem(value)
        if problem:
            raise PydanticCustomError("api_key_env", problem)
        return value

    @field_validator("api_base")
    @classmethod
    def _an_http_url(cls, value: str | None) -> str | None:
        problem = None if value is None else url_problem(value)
        if problem:
            raise PydanticCustomError("url", problem)
        return value


class CrisisResource(Strict):
    """A crisis line or service shown to trainees. Comes from the organisation, never from a model."""

    name: str = Field(description="Name of the service.")
    contact: str = Field(description="Phone number, text code or address, exactly as the organisation gives it.")
    note: str = Field(default="", description="When to use it, hours, languages.")


class Config(Strict):
    """Everything a user or facilitator can set."""

    schema_version: Literal[1] = Field(default=1, description="Format version of this file.")
    engine: Literal["scripted", "llm"] = Field(
        default="scripted", description="Who plays the patient: the offline scripted engine or a language model."
    )
    model: ModelConfig = Field(default_factory=ModelConfig, description="The default model for the LLM engine.")
    scenario_models: dict[str, ModelConfig] = Field(
        default_factory=dict, description="Per-scenario model overrides, keyed by scenario id."
    )
    judge: ModelConfig | None = Field(
        default=None,
        description="The model for the optional LLM judge of the MITI global ratings (`mhsim rubrics judge`) "
        "and for generated better replies; unset: the `model` settings are used.",
    )
    live_coach: bool = Field(default=True, description="Show per-turn feedback during encounters.")
    assessment_mode: bool = Field(
        default=False, description="Facilitator setting: hide the live coach and feedback until the debrief."
    )
    theme: str = Field(default="textual-dark", description="TUI theme name (e.g. 'mhsim-high-contrast').")
    keymap: dict[str, str] = Field(
        default_factory=dict, description="Binding id -> keys, e.g. {'encounter.send': 'ctrl+s'}."
    )
    scenario_dirs: list[Path] = Field(default_factory=list, description="Extra folders of scenario files.")
    trainee: str = Field(default="trainee", description="Pseudonym stored with sessions (not a real name).")
    crisis_resources: list[CrisisResource] = Field(
        default_factory=list, description="Crisis resources for trainees, set by the organisation."
    )


def config_path() -> Path:
    """The config file in use."""
    override = os.environ.get(CONFIG_ENV)
    return Path(override).expanduser() if override else locations().config_file


def _blank(text: str) -> bool:
    """True for a file with nothing in it but blank lines, comments and document markers (e.g. after `touch`)."""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#") and stripped not in ("---", "..."):
            return False
    return True


def load_config(path: Path | None = None) -> Config:
    """The configuration; defaults when the file does not exist or is empty. Raises FileProblems for a broken
    file."""
    from .yamlfile import load_model, read_text

    path = path or config_path()
    if not path.exists() or _blank(read_text(path)):
        return Config()
    config, _pos = load_model(path, Config)
    return config


def config_data(path: Path | None = None) -> dict[str, Any]:
    """The settings written in the file, as plain data and not validated (so a broken value can be replaced or
    removed): empty when the file does not exist or is empty. Raises FileProblems when it is not a YAML mapping."""
    from .yamlfile import FileProblems, Problem, parse, read_text

    path = path or config_path()
    if not path.exists():
        return {}
    text = read_text(path)
    if _blank(text):
        return {}
    data, _pos, _problems = parse(text, str(path))
    if not isinstance(data, dict):
        raise FileProblems([Problem(str(path), 1, 1, "expected a YAML mapping at the top of the file")])
    return data


def save_config(config: Config, path: Path | None = None) -> Path:
    """Write the configuration (only the values that differ from the defaults), atomically."""
    path = path or config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = config.model_dump(mode="json", exclude_defaults=True)
    tmp = path.with_suffix(path.suffix + ".part")
    tmp.write_text(
        "# mhsim configuration (see 'mhsim config --help')\n" + yaml.safe_dump(data, sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
    tmp.replace(path)
    return path


def with_options(settings: ModelConfig, model: str | None = None, api_base: str | None = None) -> ModelConfig:
    """Settings with ``--model``/``--api-base`` applied. Another model is another endpoint: the configured
    server and key do not carry over to it."""
    updates: dict[str, object] = {}
    if model and model != settings.model:
        updates.update(model=model, api_base=None, api_key_env=None)
    if api_base:
        updates["api_base"] = api_base
    return settings.model_copy(update=updates) if updates else settings


def model_for(config: Config, scenario_id: str | None) -> ModelConfig:
    """The model settings for a scenario: its override merged over the default."""
    override = config.scenario_models.get(scenario_id or "")
    if override is None:
        return config.model
    merged = config.model.model_dump()
    given = override.model_dump(exclude_unset=True)
    if "model" in given:
        # Another model is another endpoint: the default's base URL and key do not carry over.
        merged.update(api_base=None, api_key_env=None)
    merged.update(given)
    return ModelConfig.model_validate(merged)
