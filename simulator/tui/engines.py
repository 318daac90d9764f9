"""Which engine plays the patient, as the briefing describes it and as the encounter builds it.

The scripted engine is the offline default. The LLM engine (``simulator.llm``) is imported only when the
configuration asks for it and a session actually starts, never at start-up: its provider library costs
seconds and hundreds of megabytes to import.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlparse

if TYPE_CHECKING:
    from simulator.config import Config
    from simulator.engine import PatientEngine
    from simulator.scenario import Scenario

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0"})


class EngineUnavailable(Exception):
    """The configured engine cannot start; the message says what to do."""


@dataclass(frozen=True)
class EngineChoice:
    """What will play the patient, in words for the trainee."""

    kind: str
    model: str | None = None
    api_base: str | None = None
    problem: str = ""

    @property
    def label(self) -> str:
        if self.kind == "scripted":
            return "scripted patient (offline)"
        if not self.model:
            return "language model (none chosen yet)"
        return f"language model {self.model}"

    @property
    def where(self) -> str:
        """Where the trainee's words go: stays on this computer, or which server receives them."""
        if self.kind == "scripted":
            return "Everything stays on this computer."
        if self.model:
            try:
                from simulator.llm.consent import recipient  # small: no provider library, no network
            except ImportError:
                pass
            else:
                who = recipient(self.model, self.api_base)
                if who.local:
                    return f"Your words go to a model server on this computer ({who.label})."
                return f"Your words are sent to {who.label}; you are asked to agree before the first reply."
        if self.api_base:
            host = urlparse(self.api_base).hostname or self.api_base
            if host in LOCAL_HOSTS:
                return f"Your words go to a model server on this computer ({self.api_base})."
            return f"Your words are sent to {self.api_base}."
        provider = (self.model or "").split("/", 1)[0]
        return f"Your words are sent to the provider '{provider}' over the internet." if provider else ""


def engine_choice(config: Config | None, scenario_id: str | None) -> EngineChoice:
    """The engine a session of this scenario would use under ``config``."""
    if config is None or config.engine != "llm":
        return EngineChoice("scripted")
    from simulator.config import model_for

    model = model_for(config, scenario_id)
    problem = ""
    if not model.model:
        problem = "No model is set. Choose one in Settings (F4), or switch the engine to scripted."
    return EngineChoice("llm", model.model, model.api_base, problem)


def build_engine(config: Config | None, scenario_id: str | None, chunk_delay: float) -> PatientEngine:
    """The engine for a new session. Raises :class:`EngineUnavailable` with what to do when it cannot start."""
    choice = engine_choice(config, scenario_id)
    if choice.kind == "scripted":
        from simulator.engine import ScriptedEngine

        return ScriptedEngine(chunk_delay=chunk_delay)
    if choice.problem:
        raise EngineUnavailable(choice.problem)
    return _llm_engine(config, scenario_id)


def _llm_engine(config: Config | None, scenario_id: str | None) -> PatientEngine:
    """Construct the LLM engine (imported here, lazily)."""
    from simulator.config import model_for

    try:
        import importlib

        llm = importlib.import_module("simulator.llm")  # deferred: the provider library loads on first use
        factory = getattr(llm, "engine_from_config", None) or getattr(llm, "LLMEngine", None)
    except ImportError as exc:
        raise EngineUnavailable(
            f"The language-model engine cannot be loaded ({exc}). Install it with: pip install 'mhsim[llm]', "
            "or switch the engine to scripted in Settings (F4)."
        ) from exc
    assert config is not None
    model = model_for(config, scenario_id)
    if factory is None:
        raise EngineUnavailable(
            "This mhsim has no language-model engine yet. Switch the engine to scripted in Settings (F4)."
        )
    try:
        return factory(model)  # type: ignore[no-any-return]
    except ImportError as exc:  # the provider library is not installed: the message says how to get it
        raise EngineUnavailable(f"{exc} Or switch the engine to scripted in Settings (F4).") from exc
    except Exception as exc:
        raise EngineUnavailable(f"The language-model engine could not start: {exc}") from exc


def consent_needed(config: Config | None, scenario: Scenario) -> tuple[object, str] | None:
    """For a remote model the trainee has not agreed to yet: (recipient, what will be sent, in plain words)."""
    choice = engine_choice(config, scenario.id)
    if choice.kind != "llm" or choice.problem or config is None:
        return None
    from simulator.config import model_for

    try:
        from simulator.llm.consent import consent_request
    except ImportError:
        return None
    request = consent_request(model_for(config, scenario.id), scenario)
    return (request.recipient, request.text) if request.needed else None


def record_consent(who: object) -> None:
    """Remember the trainee's agreement to send sessions to ``who`` (revocable from the command line)."""
    from simulator.llm.consent import record_consent as record

    record(who)  # type: ignore[arg-type]
