"""Engine choice, consent (local or remote, remembered, revocable) and ``mhsim config``.

No litellm, no network.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cli import app
from simulator.config import Config, ModelConfig, load_config
from simulator.engine import ScriptedEngine
from simulator.llm import consent
from simulator.llm.choose import NoModel, make_engine, model_settings
from simulator.llm.consent import consent_request, is_loopback, recipient

runner = CliRunner()


def invoke(*args: str, input: str | None = None):
    return runner.invoke(app, list(args), input=input)


# ------------------------------------------------------------------------------------------- who receives


@pytest.mark.parametrize(
    ("model", "api_base", "key", "local"),
    [
        ("ollama/llama3.2", None, "ollama@localhost:11434", True),
        ("openai/patient", "http://127.0.0.1:8080/v1", "openai@127.0.0.1:8080", True),
        ("openai/patient", "http://localhost:1234/v1", "openai@localhost:1234", True),
        ("hosted_vllm/m", "http://[::1]:8000/v1", "hosted_vllm@::1:8000", True),
        ("openai/patient", "http://192.168.1.5:8080/v1", "openai@192.168.1.5:8080", False),
        ("openai/gpt-4o-mini", None, "openai", False),
        ("gpt-4o-mini", None, "openai", False),
        ("claude-3-5-haiku-latest", None, "anthropic", False),
        ("anthropic/claude-3-5-haiku-latest", None, "anthropic", False),
        ("litellm_proxy/patient", "https://llm.example.org", "litellm_proxy@llm.example.org:443", False),
    ],
)
def test_recipient_and_locality(model: str, api_base: str | None, key: str, local: bool, monkeypatch) -> None:
    for name in ("OPENAI_API_BASE", "OPENAI_BASE_URL", "OLLAMA_API_BASE"):
        monkeypatch.delenv(name, raising=False)
    who = recipient(model, api_base)
    assert (who.key, who.local) == (key, local)


def test_provider_base_url_from_the_environment_counts(monkeypatch) -> None:
    monkeypatch.setenv("OLLAMA_API_BASE", "http://gpu-box.example.org:11434")
    assert recipient("ollama/llama3.2").local is False, "an Ollama on another machine is remote"
    monkeypatch.setenv("OPENAI_API_BASE", "http://127.0.0.1:9999/v1")
    assert recipient("openai/patient").local is True


def test_only_loopback_is_local() -> None:
    assert all(
        is_loopback(h) for h in ("localhost", "127.0.0.1", "127.8.9.1", "::1", "[::1]", "api.localhost")
    )
    assert not any(is_loopback(h) for h in ("10.0.0.2", "example.org", "localhost.example.org", "", None))


# ---------------------------------------------------------------------------------------------- consent


def test_consent_is_remembered_per_recipient_and_revocable(mhsim_home, helen) -> None:
    settings = ModelConfig(model="openai/gpt-4o-mini")
    request = consent_request(settings, helen)
    assert request.needed and request.recipient.key == "openai"
    for words in (
        "openai/gpt-4o-mini",
        "OpenAI",
        "remote service",
        "Helen Marsh",
        "redacted",
        "Not sent",
        "never the ones still locked",
        "mhsim config consent revoke openai",
    ):
        assert words in request.text, words
    consent.record_consent(request.recipient)
    assert not consent_request(settings).needed
    assert not consent_request(ModelConfig(model="openai/gpt-4.1")).needed, "per provider, not per model"
    assert consent_request(ModelConfig(model="anthropic/claude-3-5-haiku-latest")).needed
    saved = json.loads((mhsim_home / "consent.json").read_text())
    assert set(saved["granted"]) == {"openai"} and saved["granted"]["openai"]["granted_at"].endswith("Z")
    assert consent.revoke("openai") == ["openai"] and consent_request(settings).needed
    assert consent.revoke("openai") == []


def test_local_servers_need_no_consent_and_say_so(helen) -> None:
    request = consent_request(ModelConfig(model="ollama/llama3.2"), helen)
    assert not request.needed and "a server on this computer" in request.text
    assert "remote service" not in request.text


def test_a_damaged_consent_file_means_asking_again(mhsim_home) -> None:
    (mhsim_home / "consent.json").write_text("{not json")
    assert consent_request(ModelConfig(model="openai/gpt-4o-mini")).needed


# -------------------------------------------------------------------------------------------- the choice


def test_the_offline_default_is_the_scripted_engine(helen) -> None:
    assert model_settings(Config(), helen.id) is None
    assert isinstance(make_engine(Config(), helen), ScriptedEngine)
    configured = Config(model=ModelConfig(model="ollama/llama3.2"))
    assert model_settings(configured, helen.id) is None, "a model alone does not switch the engine"


def test_model_option_or_engine_llm_choose_the_model(helen) -> None:
    config = Config(
        engine="llm",
        model=ModelConfig(model="ollama/llama3.2", api_base="http://127.0.0.1:11434", timeout_s=20),
        scenario_models={helen.id: ModelConfig(model="openai/gpt-4o-mini")},
    )
    assert model_settings(config, helen.id).model == "openai/gpt-4o-mini"
    assert model_settings(config, "other").api_base == "http://127.0.0.1:11434"
    given = model_settings(Config(), helen.id, model="openai/patient", api_base="http://127.0.0.1:8080/v1")
    assert (given.model, given.api_base) == ("openai/patient", "http://127.0.0.1:8080/v1")
    other = model_settings(config, "other", model="anthropic/claude-3-5-haiku-latest")
    assert other.api_base is None and other.timeout_s == 20, "another model does not inherit the server"
    engine = make_engine(config, helen)
    assert engine.name == "litellm:openai/gpt-4o-mini"
    with pytest.raises(NoModel, match="mhsim config set model.model"):
        model_settings(Config(engine="llm"), helen.id)


# ------------------------------------------------------------------------------------------ mhsim config


def test_config_set_get_unset_round_trip(mhsim_home) -> None:
    assert invoke("config", "set", "model.model", "ollama/llama3.2").exit_code == 0
    assert invoke("config", "set", "model.timeout_s", "45").exit_code == 0
    assert invoke("config", "set", "engine", "llm").exit_code == 0
    result = invoke("config", "set", "scenario_models.low-mood-passive-si.model", "openai/gpt-4o-mini")
    assert result.exit_code == 0, result.output
    config = load_config()
    assert config.engine == "llm" and config.model.timeout_s == 45
    assert config.scenario_models["low-mood-passive-si"].model == "openai/gpt-4o-mini"
    assert invoke("config", "get", "model.model").output.strip() == "ollama/llama3.2"
    assert invoke("config", "get", "live_coach").output.strip() == "true"
    shown = invoke("config", "show").output
    assert str(mhsim_home / "config.yaml") in shown and "ollama/llama3.2" in shown
    assert invoke("config", "unset", "scenario_models.low-mood-passive-si").exit_code == 0
    assert load_config().scenario_models == {}
    assert invoke("config", "unset", "engine").exit_code == 0 and load_config().engine == "scripted"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("set", "modle.model", "x"), "did you mean 'model'?"),
        (("set", "model.modle", "x"), "did you mean 'model'?"),
        (("set", "model.timeout_s", "0"), "not saved: model.timeout_s"),
        (("set", "engine", "gpt"), "not saved: engine"),
        (("unset", "theme"), "'theme' is not set in the file"),
    ],
)
def test_config_mistakes_are_explained_without_traceback(args, message: str) -> None:
    result = invoke("config", *args)
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output


def test_consent_commands(mhsim_home) -> None:
    assert "No consent given" in invoke("config", "consent", "list").output
    result = invoke("config", "consent", "grant", "--model", "openai/gpt-4o-mini", input="y\n")
    assert result.exit_code == 0 and "Consent recorded for openai" in result.output
    assert "redacted" in result.output, "the disclosure is shown before the question"
    assert "openai" in invoke("config", "consent", "list").output
    assert "did you mean 'openai'" in invoke("config", "consent", "revoke", "opnai").output
    assert invoke("config", "consent", "revoke", "openai").output.strip() == "Revoked: openai"
    result = invoke("config", "consent", "grant", "--model", "openai/gpt-4o-mini", input="n\n")
    assert "Nothing recorded" in result.output and consent.granted() == {}
    local = invoke("config", "consent", "grant", "--model", "ollama/llama3.2")
    assert "no consent is needed" in local.output


def test_chat_with_a_remote_model_asks_first_and_declining_sends_nothing(mhsim_home, monkeypatch) -> None:
    def no_network(*args, **kwargs):
        raise AssertionError("a network call was attempted")

    monkeypatch.setattr("socket.socket.connect", no_network)
    result = invoke("chat", "low-mood-passive-si", "--model", "openai/gpt-4o-mini", input="n\n/end\n")
    assert result.exit_code == 0, result.output
    assert "Before anything is sent" in result.output and "OpenAI" in result.output
    assert "The scripted patient will play instead" in result.output
    assert consent.granted() == {}


def test_a_missing_litellm_is_reported_before_a_session_starts(monkeypatch, helen) -> None:
    from simulator.llm import adapter, engine_from_config

    monkeypatch.setattr(adapter, "version", lambda: None)
    with pytest.raises(ImportError, match=r"pip install 'mhsim\[llm\]'"):
        engine_from_config(ModelConfig(model="ollama/llama3.2"))
    result = invoke("chat", helen.id, "--model", "ollama/llama3.2", input="/end\n")
    assert result.exit_code == 1 and "mhsim[llm]" in result.output and "Traceback" not in result.output


def test_the_api_key_comes_from_the_named_variable_and_an_empty_one_is_a_plain_error(monkeypatch) -> None:
    import asyncio

    from simulator.config import ModelConfig
    from simulator.engine import EngineError
    from simulator.lab.probe import adapter_complete
    from simulator.llm import judge
    from simulator.llm.consent import LOCAL_PLACEHOLDER_KEY, MissingKey, api_key, recipient
    from simulator.llm.engine import engine_from_config

    remote = ModelConfig(model="openai/gpt-4o-mini", api_key_env="MHSIM_TEST_KEY")
    who = recipient("openai/gpt-4o-mini")
    monkeypatch.setenv("MHSIM_TEST_KEY", " sk-abc ")
    assert api_key(remote, who) == "sk-abc"
    local = ModelConfig(model="openai/x", api_base="http://127.0.0.1:8080/v1")
    assert api_key(local, recipient("openai/x", "http://127.0.0.1:8080/v1")) == LOCAL_PLACEHOLDER_KEY
    assert api_key(ModelConfig(model="openai/x"), who) is None  # litellm reads the provider's own variable

    monkeypatch.setenv("MHSIM_TEST_KEY", "")
    with pytest.raises(MissingKey, match="MHSIM_TEST_KEY"):
        api_key(remote, who)
    with pytest.raises(judge.JudgeError, match="MHSIM_TEST_KEY") as caught:
        judge.api_key(remote, who)
    assert caught.value.kind == "auth"
    with pytest.raises(EngineError, match="MHSIM_TEST_KEY"):
        engine_from_config(remote)._api_key()
    with pytest.raises(MissingKey):  # the probe records it as the failed call's error
        asyncio.run(adapter_complete(remote)([{"role": "user", "content": "hi"}]))
