"""The bodies of ``mhsim rubrics judge`` (an LLM judge of the MITI globals) and ``mhsim sessions better`` (a
better reply for one turn, generated when a model is configured).

Imported only when one of those commands runs; litellm is imported later still, when a model is called.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import typer

from .common import err_console, fail, literal, open_store

if TYPE_CHECKING:
    from simulator.judgements import Judgement
    from simulator.records import SessionScore, Turn
    from simulator.scenario import Scenario

QUOTE_CHARS = 70
FORMATIVE = (
    "Formative: a second opinion beside the automatic estimates, not an assessment; neither is validated for "
    "certification."
)



def _scenario(scenario_id: str) -> Scenario | None:
    """The session's scenario when it is still installed (for its fictional names and for feedback)."""
    from .common import load_library

    try:
        return load_library().get(scenario_id)
    except Exception:  # noqa: BLE001 - a removed or broken scenario only means less context
        return None


def _load(session: str) -> tuple[str, Any, list[Turn], SessionScore | None, list]:
    from simulator.store import SessionNotFound, StoreError

    with open_store() as store:
        try:
            full = store.resolve_id(session)
            return full, store.session(full), store.turns(full), store.scores(full), store.disclosures(full)
        except (SessionNotFound, KeyError) as exc:
            fail(str(exc).strip("'\""))
        except StoreError as exc:
            fail(str(exc))


def _ensure_installed() -> None:
    from simulator.llm.adapter import NOT_INSTALLED, version

    if version() is None:
        fail(NOT_INSTALLED)


def _consent(settings, text: str, action: str) -> bool:
    """True when the model is local, consent is on record, or the trainee agrees now (and it is recorded)."""
    from simulator.llm.consent import has_consent, recipient, record_consent

    from .llm import _ask_consent

    who = recipient(settings.model or "", settings.api_base)
    if has_consent(who):
        return True
    if not _ask_consent(text, action=action):
        return False
    record_consent(who)
    return True


def quote(turns: list[Turn], index: int) -> str:
    """``#3 “It sounds like…”``: a transcript number with the start of what was said."""
    turn = next((t for t in turns if t.index == index), None)
    if turn is None:
        return f"#{index}"
    text = " ".join(turn.text.split())
    if len(text) > QUOTE_CHARS:
        text = text[: QUOTE_CHARS - 1].rstrip() + "…"
    return f"#{index} “{text}”"


def automatic_estimates(score: SessionScore | None) -> dict[str, float | None]:
    """The stored automatic estimate of each global (None when the session was not scored with the MI rubric)."""
    from simulator.judgements import ESTIMATE_ITEMS

    found: dict[str, float | None] = dict.fromkeys(ESTIMATE_ITEMS)
    if score is None:
        return found
    for rubric in score.rubrics:
        for item in rubric.items:
            for name, (rubric_id, item_id) in ESTIMATE_ITEMS.items():
                if rubric.rubric_id == rubric_id and item.item_id == item_id:
                    found[name] = item.value
    return found


def judgement_document(judgement: Judgement, turns: list[Turn], score: SessionScore | None) -> dict[str, Any]:
    """A judgement beside the automatic estimates, as JSON-ready data."""
    from simulator.judgements import GLOBALS

    estimates = automatic_estimates(score)
    return {
        "session_id": judgement.session_id,
        "label": judgement.label,
        "model": judgement.model,
        "model_version": judgement.model_version,
        "provider": judgement.provider,
        "prompt_version": judgement.prompt_version,
        "judged_at": judgement.judged_at.isoformat(),
        "attempts": judgement.attempts,
        "globals": {
            name: {
                "automatic_estimate": estimates[name],
                "judge_rating": judgement.ratings[name].rating,
                "rationale": judgement.ratings[name].rationale,
                "evidence": [
                    {"turn": i, "quote": quote(turns, i).split(" ", 1)[-1].strip("“”")}
                    for i in judgement.ratings[name].evidence_turns
                ],
            }
            for name in GLOBALS
        },
        "notice": FORMATIVE,
    }


def judgement_lines(judgement: Judgement, turns: list[Turn], score: SessionScore | None) -> list[str]:
    """The judgement as text: each global with the automatic estimate, the judge's rating, why and evidence."""
    from simulator.judgements import GLOBAL_TITLES, GLOBALS

    estimates = automatic_estimates(score)
    lines = [
        judgement.label,
        FORMATIVE,
        f"prompt {judgement.prompt_version} · {judgement.attempts} call(s)",
        "",
    ]
    for name in GLOBALS:
        given = judgement.ratings[name]
        estimate = estimates[name]
        auto = "not scored" if estimate is None else f"{estimate:.1f}"
        lines.append(f"{GLOBAL_TITLES[name]}: automatic estimate {auto} · judge {given.rating} of 5")
        lines.append(f"  why: {given.rationale}")
        evidence = " · ".join(quote(turns, i) for i in given.evidence_turns) or "no particular turn"
        lines.append(f"  evidence: {evidence}")
    return lines


def run_judge(session: str, *, model: str | None, api_base: str | None, as_json: bool) -> None:
    """``mhsim rubrics judge``: rate, store, print (the automatic scores are never changed)."""
    import asyncio

    from simulator.llm import judge as judging
    from simulator.llm.consent import recipient

    from .llm import _load_config

    try:
        settings = judging.judge_settings(_load_config(), model=model, api_base=api_base)
    except judging.NoJudgeModel as exc:
        fail(str(exc))
    session_id, info, turns, score, _ledger = _load(session)
    if not any(t.speaker == "trainee" for t in turns):
        fail("Nothing to judge: the session has no trainee turns.")
    _ensure_installed()
    who = recipient(settings.model or "", settings.api_base)
    text = judging.disclosure_text(settings.model or "", who)
    if not _consent(settings, text, f"Send this session to {who.label} for judging?"):
        fail(f"Nothing was sent. {judging.UNCHANGED}")
    if not as_json:
        err_console().print(f"[dim]asking {settings.model} at {who.label}…[/]")
    try:
        judgement = asyncio.run(
            judging.judge_session(settings, session_id, turns, scenario=_scenario(info.scenario_id))
        )
    except judging.JudgeError as exc:
        fail(str(exc))
    with open_store() as store:
        store.add_judgement(judgement)
    if as_json:
        typer.echo(json.dumps(judgement_document(judgement, turns, score), indent=2, ensure_ascii=False))
        return
    for line in judgement_lines(judgement, turns, score):
        typer.echo(line)
    typer.echo(f"\nStored with session {session_id}; `mhsim sessions show {session_id[:10]}` lists it.")


def run_better(
    session: str, turn_number: int, *, model: str | None, api_base: str | None, offline: bool, as_json: bool
) -> None:
    """``mhsim sessions better``: what a trainee turn missed and a better reply (generated when configured)."""
    import asyncio

    from simulator.feedback import for_turn
    from simulator.llm import coach

    from .llm import _load_config

    session_id, info, turns, _score, ledger = _load(session)
    position = next((i for i, t in enumerate(turns) if t.index == turn_number), None)
    if position is None or turns[position].speaker != "trainee" or turns[position].coding is None:
        mine = ", ".join(f"#{t.index}" for t in turns if t.speaker == "trainee") or "none"
        fail(f"#{turn_number} is not one of your turns in this session (yours: {mine}).")
    scenario = _scenario(info.scenario_id)
    if scenario is None:
        fail(f"The scenario '{info.scenario_id}' is not installed, so there is no feedback to build on.")
    turn = turns[position]
    disclosed = [d.fact_id for d in ledger if d.turn < turn.trainee_turn]
    feedback = for_turn(scenario, turns[: position + 1], position, disclosed=disclosed)
    settings = None if offline else coach.coach_settings(_load_config(), model=model, api_base=api_base)
    if settings is not None and feedback.missed:
        _ensure_installed()
        from simulator.llm.consent import recipient

        who = recipient(settings.model or "", settings.api_base)
        text = (
            f"The language model '{settings.model}' at {who.label} will be asked for a better reply.\n"
            "Sent: the patient's words before your turn, your turn (identifiers already redacted) and what the "
            "coach said it missed.\nNot sent: your pseudonym, scores, other turns or sessions."
        )
        if not _consent(settings, text, f"Send this turn to {who.label}?"):
            settings = None
    result = asyncio.run(coach.better_reply(settings, turns, position, feedback, scenario=scenario))
    if as_json:
        document = {
            "session_id": session_id,
            "turn": turn_number,
            "said": turn.text,
            "missed": [m.message for m in feedback.missed],
            "better_reply": result.text,
            "source": result.source,
            "generated": result.generated,
            "fallback_reason": result.problem or None,
            "notice": feedback.notice,
        }
        typer.echo(json.dumps(document, indent=2, ensure_ascii=False))
        return
    typer.echo(f"Your turn #{turn_number}: “{turn.text}”")
    for m in feedback.missed:
        typer.echo(f"  missed: {m.message}")
    if not feedback.missed:
        typer.echo("  " + feedback.summary)
    if result.problem and settings is not None:
        err_console().print(literal(f"note: {result.problem}"), soft_wrap=True)
    if result.text:
        typer.echo(f"Better reply ({result.source}): “{result.text}”")
    elif feedback.missed:
        typer.echo("No better reply is available for this turn.")
    typer.echo(feedback.notice)


__all__ = [
    "automatic_estimates",
    "judgement_document",
    "judgement_lines",
    "quote",
    "run_better",
    "run_judge",
]
