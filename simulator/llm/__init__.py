"""LLM-played patients through litellm: prompt, reply checks, consent, failure messages, the engine.

Importing this package is cheap: litellm (5-9 s, ~200 MB) is imported only by :mod:`simulator.llm.adapter`,
inside its functions, the first time a model is actually called. The offline default never gets there.

Entry points:

- :class:`simulator.llm.engine.LLMEngine`: the patient engine (``name``, ``async stream(request)``).
- :func:`simulator.llm.choose.model_settings` / :func:`simulator.llm.choose.make_engine`: which engine a
  session uses, from the config file and the ``--model``/``--api-base`` options.
- :mod:`simulator.llm.consent`: what is sent to whom, and the trainee's remembered, revocable consent.
- :mod:`simulator.llm.doctor`: ``mhsim doctor``.
"""

from __future__ import annotations

__all__ = ["LLMEngine", "engine_from_config"]


def __getattr__(name: str):
    # Lazy, so `import simulator.llm.consent` stays small; none of these import litellm either.
    if name == "LLMEngine":
        from .engine import LLMEngine

        return LLMEngine
    if name == "engine_from_config":
        from .engine import engine_from_config

        return engine_from_config
    raise AttributeError(name)
