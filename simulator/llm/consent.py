"""Who receives what, and the trainee's consent before anything goes to a remote model.

A model is *local* when its server is on this computer (a loopback host: ``localhost``, ``127.0.0.0/8``,
``::1``; Ollama's default address). Anything else is *remote*: before the first call the trainee is shown what
will be sent and to whom, and confirms. Consent is remembered per recipient (a provider, or a provider at a
given server) in ``consent.json`` in the data folder, and can be revoked (``mhsim config consent revoke``).

For the TUI (settings and briefing screens)::

    from simulator.llm.consent import consent_request, record_consent

    request = consent_request(settings, scenario)   # settings: simulator.config.ModelConfig
    if request.needed:
        show(request.text)                          # plain text: what is sent, to whom, what is not
        if user_confirms:
            record_consent(request.recipient)

``consent_request`` reads only the config and a small JSON file: it never imports litellm or opens a socket.
"""

from __future__ import annotations

import ipaddress
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from simulator import paths

if TYPE_CHECKING:
    from simulator.config import ModelConfig
    from simulator.scenario import Scenario

CONSENT_FILE = "consent.json"
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})

# Providers whose default server is on this computer (litellm's defaults), and env vars that move them.
_LOCAL_DEFAULTS = {
    "ollama": "http://localhost:11434",
    "ollama_chat": "http://localhost:11434",
    "lm_studio": "http://localhost:1234/v1",
    "llamafile": "http://127.0.0.1:8080/v1",
}
_BASE_ENV = {
    "openai": ("OPENAI_API_BASE", "OPENAI_BASE_URL"),
    "ollama": ("OLLAMA_API_BASE",),
    "ollama_chat": ("OLLAMA_API_BASE",),
    "lm_studio": ("LM_STUDIO_API_BASE",),
    "llamafile": ("LLAMAFILE_API_BASE",),
    "hosted_vllm": ("HOSTED_VLLM_API_BASE",),
    "litellm_proxy": ("LITELLM_PROXY_API_BASE",),
    "azure": ("AZURE_API_BASE",),
}
# Bare model names litellm resolves without a prefix, by their usual start.
_BARE_PREFIXES = (
    (("gpt-", "o1", "o3", "o4", "chatgpt", "text-", "davinci"), "openai"),
    (("claude",), "anthropic"),
    (("gemini",), "gemini"),
    (("command",), "cohere"),
    (("mistral", "open-mistral", "codestral"), "mistral"),
)
_LABELS = {
    "openai": "OpenAI",
    "anthropic": "Anthropic",
    "azure": "Azure OpenAI",
    "bedrock": "AWS Bedrock",
    "gemini": "Google Gemini",
    "vertex_ai": "Google Vertex AI",
    "cohere": "Cohere",
    "mistral": "Mistral AI",
    "groq": "Groq",
    "openrouter": "OpenRouter",
    "together_ai": "Together AI",
    "ollama": "Ollama",
    "ollama_chat": "Ollama",
    "hosted_vllm": "a vLLM server",
    "litellm_proxy": "a LiteLLM Proxy",
    "lm_studio": "LM Studio",
    "llamafile": "llamafile",
}


@dataclass(frozen=True)
class Recipient:
    """Where a model's prompts go."""

    key: str
    """Consent is remembered under this: the provider, plus the server when one is named."""
    provider: str
    endpoint: str | None
    """The server URL, or None for the provider's own service."""
    local: bool

    @property
    def label(self) -> str:
        """``OpenAI (its own service)``, ``Ollama at http://localhost:11434``, ..."""
        name = _LABELS.get(self.provider, self.provider)
        return f"{name} at {self.endpoint}" if self.endpoint else f"{name} (its own service)"


def provider_of(model: str) -> str:
    """The litellm provider of a model name, guessed without importing litellm."""
    if "/" in model:
        return model.split("/", 1)[0].strip().lower()
    lowered = model.lower()
    for starts, provider in _BARE_PREFIXES:
        if lowered.startswith(starts):
            return provider
    return "unknown"


def is_loopback(host: str | None) -> bool:
    """Whether a host is this computer (no DNS lookup: host names other than localhost are remote)."""
    if not host:
        return False
    host = host.strip("[]").lower().rstrip(".")
    if host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def endpoint_of(model: str, api_base: str | None) -> str | None:
    """The server a model call goes to: the configured base URL, a provider env var, or a local default."""
    if api_base:
        return api_base
    provider = provider_of(model)
    for name in _BASE_ENV.get(provider, ()):
        if os.environ.get(name):
            return os.environ[name]
    return _LOCAL_DEFAULTS.get(provider)


def recipient(model: str, api_base: str | None = None) -> Recipient:
    """Who receives the prompts for this model and base URL."""
    provider = provider_of(model)
    endpoint = endpoint_of(model, api_base)
    if endpoint is None:
        return Recipient(key=provider, provider=provider, endpoint=None, local=False)
    parts = urlsplit(endpoint if "://" in endpoint else f"http://{endpoint}")
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    port = port or (443 if parts.scheme == "https" else 80)
    return Recipient(
        key=f"{provider}@{host}:{port}", provider=provider, endpoint=endpoint, local=is_loopback(host)
    )


# ------------------------------------------------------------------------------------------- the record


LOCAL_PLACEHOLDER_KEY = "sk-local-no-key"  # OpenAI-compatible clients insist on a key; local servers ignore it


class MissingKey(ValueError):
    """The configured key variable is empty or not set; the message says which one."""


def api_key(settings: ModelConfig, who: Recipient) -> str | None:
    """The key to send: from the environment variable the settings name, a placeholder for a local server, or
    None (the provider's own variable, read by litellm). Raises :class:`MissingKey` for an empty variable."""
    env = settings.api_key_env
    if env:
        key = os.environ.get(env, "").strip()
        if not key:
            raise MissingKey(
                f"The environment variable {env} (api_key_env in the config) is empty or not set, so there is "
                "no API key to send. Set it and try again."
            )
        return key
    return LOCAL_PLACEHOLDER_KEY if who.local and settings.api_base else None


def consent_file() -> Path:
    """Where consents are remembered."""
    return paths.locations().data_dir / CONSENT_FILE


def _read() -> dict[str, Any]:
    path = consent_file()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        return {}  # an unreadable record means no consent: the trainee is asked again
    granted = data.get("granted") if isinstance(data, dict) else None
    return granted if isinstance(granted, dict) else {}


def _write(granted: dict[str, Any]) -> None:
    path = consent_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.part")
    tmp.write_text(json.dumps({"version": 1, "granted": granted}, indent=2, sort_keys=True), encoding="utf-8")
    tmp.replace(path)


def granted() -> dict[str, dict[str, Any]]:
    """Recipients the trainee has agreed to send to: key -> {label, endpoint, granted_at}."""
    return {k: v for k, v in _read().items() if isinstance(v, dict)}


def has_consent(who: Recipient) -> bool:
    """True for local servers, and for remote recipients the trainee agreed to and has not revoked."""
    return who.local or who.key in granted()


def record_consent(who: Recipient) -> None:
    """Remember that the trainee agreed to send sessions to this recipient."""
    if who.local:
        return
    record = _read()
    record[who.key] = {
        "label": who.label,
        "endpoint": who.endpoint,
        "granted_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    _write(record)


def revoke(key: str | None = None) -> list[str]:
    """Forget consent for one recipient key (or every one when ``key`` is None); return the keys removed."""
    record = _read()
    removed = [k for k in record if key is None or k == key]
    for k in removed:
        del record[k]
    if removed:
        _write(record)
    return removed


# ------------------------------------------------------------------------------------------- disclosure


@dataclass(frozen=True)
class ConsentRequest:
    """What the trainee must see before the first remote call, and whether they still need to confirm."""

    recipient: Recipient
    model: str
    needed: bool
    text: str


def disclosure_text(model: str, who: Recipient, scenario: Scenario | None = None) -> str:
    """Plain words: what will be sent, to whom, what is not sent, and how to take consent back."""
    name = scenario.persona.name if scenario else "the simulated patient"
    where = "a server on this computer" if who.local else who.label
    lines = [f"The patient will be played by the language model '{model}' at {where}."]
    if not who.local:
        lines.append("This is a remote service: what is sent leaves this computer.")
    lines += [
        "",
        "Sent with every patient reply:",
        f"  - the scenario's description of {name}: persona, speaking style and setting (fictional);",
        "  - the facts the patient may share at that point (never the ones still locked);",
        "  - the conversation so far: your messages and the patient's replies. Emails, phone numbers,",
        "    dates of birth, record and card numbers, addresses and names that are not in the scenario",
        "    are replaced by [redacted …] before anything is sent, and stored that way.",
        "",
        "Not sent: your pseudonym, your scores and feedback, other sessions, files on this computer.",
    ]
    if not who.local:
        lines += [
            (
                "How long the provider keeps what it receives is set by its own terms and your "
                "organisation's agreement with it."
            ),
            (
                f"Your answer is remembered for {who.label}; take it back with "
                f"`mhsim config consent revoke {who.key}`."
            ),
        ]
    return "\n".join(lines)


def task_disclosure(model: str, who: Recipient, task: str, sent: list[str], not_sent: str) -> str:
    """The consent question for a one-off task (a judgement, a better reply): what, to whom, how to take it back.

    ``task`` completes "will be asked to …"; ``sent`` is the lines after "Sent:"; ``not_sent`` follows "Not sent:".
    """
    where = "a server on this computer" if who.local else who.label
    lines = [f"The language model '{model}' at {where} will be asked to {task}.", ""]
    lines += [f"Sent: {sent[0]}", *sent[1:], f"Not sent: {not_sent}"]
    if not who.local:
        lines += [
            "This is a remote service: what is sent leaves this computer.",
            f"Your answer is remembered for {who.label}; take it back with `mhsim config consent revoke {who.key}`.",
        ]
    return "\n".join(lines)


def consent_request(settings: ModelConfig, scenario: Scenario | None = None) -> ConsentRequest:
    """The disclosure for model settings; ``needed`` is False for local servers and remembered consent."""
    model = settings.model or ""
    who = recipient(model, settings.api_base)
    return ConsentRequest(
        recipient=who,
        model=model,
        needed=not has_consent(who),
        text=disclosure_text(model, who, scenario),
    )
