"""The user's configuration file (``mhsim locate config``): engine, model, coach, theme, keys, crisis resources.

YAML, validated like every other file mhsim reads, with ``file:line:col`` errors. ``MHSIM_CONFIG_FILE`` points at
another file (tests, a facilitator's shared laptop).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import yaml
from pydantic import Field

from .paths import locations
from .scenario import Strict

CONFIG_ENV = "MHSIM_CONFIG_FILE"


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


def load_config(path: Path | None = None) -> Config:
    """The configuration; defaults when the file does not exist. Raises FileProblems for a broken file."""
    from .yamlfile import load_model

    path = path or config_path()
    if not path.exists():
        return Config()
    config, _pos = load_model(path, Config)
    return config


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
