"""Which engine plays the patient: the scripted default, or a language model from the config or the options.

Rules: ``--model`` always means the LLM engine; otherwise ``engine: llm`` in the config does, with the model
for the scenario (its override merged over the default, :func:`simulator.config.model_for`). Anything else is
the offline scripted engine, and then nothing here imports litellm or touches the network.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.config import Config, ModelConfig, model_for, with_options

if TYPE_CHECKING:
    from simulator.engine import PatientEngine
    from simulator.scenario import Scenario


class NoModel(ValueError):
    """The LLM engine was asked for but no model is configured; the message says how to set one."""


def model_settings(
    config: Config, scenario_id: str | None, *, model: str | None = None, api_base: str | None = None
) -> ModelConfig | None:
    """The model settings to use, or None for the scripted engine."""
    if model is None and api_base is None and config.engine != "llm":
        return None
    settings = with_options(model_for(config, scenario_id), model, api_base)
    if not settings.model:
        raise NoModel(
            "No language model is configured. Give one with --model (for example --model "
            "ollama/llama3.2), or set it once with: mhsim config set model.model ollama/llama3.2"
        )
    return settings


def make_engine(
    config: Config, scenario: Scenario, *, model: str | None = None, api_base: str | None = None
) -> PatientEngine:
    """The engine for a session (consent is the caller's business: the CLI asks, the TUI shows its screen)."""
    settings = model_settings(config, scenario.id, model=model, api_base=api_base)
    if settings is None:
        from simulator.engine import ScriptedEngine

        return ScriptedEngine()
    from .engine import LLMEngine

    return LLMEngine(settings)
