"""Sessions as files: a Markdown debrief for people and a JSON document for tools.

Both are pure functions of the stored records, so the same session always exports to the same text (no
export timestamp), which keeps exports diffable and mergeable across a cohort. Result statuses are always
spelled out next to their symbol, never shown by colour or symbol alone.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from .records import Coding, Disclosure, SessionInfo, SessionScore, Turn
from .wording import better_reply_lead, number

__all__ = [
    "FORMAT",
    "STATUS_TEXT",
    "ExportFormatError",
    "code_summary",
    "load_session_json",
    "session_json",
    "session_markdown",
    "status_text",
]

FORMAT = "mhsim-session/1"
"""Version tag of the JSON export; bump the number when a field changes meaning or goes away."""

STATUS_TEXT: dict[str, str] = {
    "met": "✔ met",
    "partly": "~ partly",
    "missed": "✘ missed",
    "critical_miss": "‼ critical miss",
    "not_applicable": "– not applicable",
    "info": "· info",
}
"""Item status as symbol + words (for exports, tables and screen readers alike)."""


class ExportFormatError(ValueError):
    """A JSON document is not an mhsim session export this version can read."""


def status_text(status: str) -> str:
    """An item status as symbol and words, e.g. ``"✘ missed"``."""
    return STATUS_TEXT.get(status, status.replace("_", " "))


def code_summary(coding: Coding | None) -> str:
    """The codes of a trainee turn in one compact bracket, e.g.
    ``[open_question · topics: sleep · risk: ask_plan]``."""
    if coding is None:
        return ""
    parts = [", ".join(str(b) for b in coding.behaviours) or "other"]
    if coding.topics:
        parts.append("topics: " + ", ".join(coding.topics))
    if coding.risk_flags:
        parts.append("risk: " + ", ".join(str(f) for f in coding.risk_flags))
    return "[" + " · ".join(parts) + "]"


# ------------------------------------------------------------------------------------------------ Markdown

_INLINE_SPECIALS = re.compile(r"[\\`*\[\]<>|]|(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")


def _md(text: str) -> str:
    """Escape what the trainee or patient typed so it shows as written and cannot break tables or headings.

    Underscores inside words (``thanked_and_left``) are left alone: CommonMark never reads them as emphasis.
    """
    escaped = _INLINE_SPECIALS.sub(lambda m: "\\" + m.group(0), text)
    lines = escaped.splitlines() or [""]
    # A line starting with '#', '>', '-', '+' or '=' would become a heading, quote, list or rule.
    lines = ["\\" + ln if ln[:1] in "#>-+=" and ln else ln for ln in lines]
    return "  \n".join(lines)  # keep the speaker's line breaks (two trailing spaces = hard break)


def _cell(text: str) -> str:
    """Text for a table cell: escaped and on one line."""
    return _md(" ".join(text.split()))


def _when(value: datetime | None) -> str:
    if value is None:
        return "—"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _number(value: float | None) -> str:
    return "—" if value is None else number(value)


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _unlocked_by(item: Disclosure) -> str:
    parts = [", ".join(str(b) for b in item.behaviours) or "—"]
    if item.topics:
        parts.append("topics: " + ", ".join(item.topics))
    if item.risk_flags:
        parts.append("risk: " + ", ".join(str(f) for f in item.risk_flags))
    said = f" — “{_short(item.trainee_text)}”" if item.trainee_text.strip() else ""
    return " · ".join(parts) + said


def disclosed_when(trainee_turn: int, turns: list[Turn]) -> str:
    """Where a disclosure sits: the patient's line ("#8", as the transcript numbers it) and the trainee turn."""
    reply = next((t.index for t in turns if t.speaker == "patient" and t.trainee_turn == trainee_turn), None)
    return f"#{reply} (trainee turn {trainee_turn})" if reply is not None else f"after trainee turn {trainee_turn}"


def session_markdown(
    info: SessionInfo,
    turns: list[Turn],
    disclosures: list[Disclosure],
    score: SessionScore | None,
    *,
    scenario_title: str | None = None,
    overrides: list | None = None,
    judgements: list | None = None,
) -> str:
    """A readable debrief of one session: header, formative notice, transcript, disclosure ledger and scores.

    ``scenario_title`` overrides the title stored with the session (e.g. the current scenario file's title).
    ``score`` may be None for a session that has not been scored yet.
    """
    title = scenario_title or info.scenario_title or info.scenario_id
    out: list[str] = [f"# {_md(title)}", ""]

    status = info.status + (f" (ending: {info.ending})" if info.ending else "")
    engine = info.engine + (f", seed {info.seed}" if info.engine == "scripted" or info.seed else "")
    out += [
        "| | |",
        "|---|---|",
        f"| Session | `{info.id}` |",
        f"| Scenario | {_cell(title)} (`{info.scenario_id}`) |",
        f"| Version | {_cell(info.scenario_version)} |",
        f"| Engine | {_cell(engine)} |",
        f"| Trainee | {_cell(info.trainee)} |",
        f"| Started | {_when(info.started_at)} |",
        f"| Ended | {_when(info.ended_at)} |",
        f"| Status | {_cell(status)} |",
        "",
    ]
    notice = score.notice if score is not None else SessionScore.model_fields["notice"].default
    out += [f"> **Formative feedback.** {_md(notice)}", ""]

    out += ["## Transcript", ""]
    if not turns:
        out += ["_No turns yet._", ""]
    for turn in turns:
        who = "Trainee" if turn.speaker == "trainee" else "Patient"
        out.append(f"`#{turn.index}` **{who}:** {_md(turn.text)}")
        if turn.speaker == "trainee" and turn.coding is not None:
            out[-1] += "  \n`" + code_summary(turn.coding).replace("`", "'") + "`"
        for notice_text in turn.notices:
            out[-1] += f"  \n_Notice: {_md(notice_text)}_"
        out.append("")

    out += ["## Disclosure ledger", ""]
    if not disclosures:
        out += ["_Nothing hidden was disclosed._", ""]
    else:
        out += ["| Fact | When | Trust | What unlocked it |", "|---|---|---:|---|"]
        for item in disclosures:
            out.append(
                f"| `{item.fact_id}` | {disclosed_when(item.turn, turns)} | {item.trust:.2f} | "
                f"{_cell(_unlocked_by(item))} |"
            )
        out.append("")

    out += ["## Scores", ""]
    if score is None:
        out += ["_Not scored yet._", ""]
    else:
        out += _score_markdown(score)
    out += _overrides_markdown(overrides or [])
    out += _judgements_markdown(judgements or [], turns)
    return "\n".join(out).rstrip() + "\n"


def _judgements_markdown(judgements: list, turns: list[Turn]) -> list[str]:
    """LLM-judge ratings of the MITI globals, each under its label, beside (never instead of) the estimates."""
    if not judgements:
        return []
    from .judgements import GLOBALS  # the manual's order, whatever order the record was stored in

    said = {t.index: t.text for t in turns}
    out = ["## LLM judge (second opinion)", ""]
    for j in judgements:
        out += [
            f"**{_md(j.label)}** — prompt `{j.prompt_version}`, {_when(j.judged_at)}. Formative, not an assessment.",
            "",
            "| Global | Rating | Why | Evidence |",
            "|---|---:|---|---|",
        ]
        for name in sorted(j.ratings, key=lambda g: GLOBALS.index(g) if g in GLOBALS else len(GLOBALS)):
            given = j.ratings[name]
            evidence = "; ".join(
                f"#{i} “{_short(said.get(i, ''), 50)}”" if said.get(i) else f"#{i}" for i in given.evidence_turns
            )
            out.append(
                f"| {_cell(name.replace('_', ' '))} | {given.rating} | {_cell(given.rationale)} | "
                f"{_cell(evidence) or '—'} |"
            )
        out.append("")
    return out


def _overrides_markdown(overrides: list) -> list[str]:
    """Educator overrides, shown beside (never instead of) the automatic scores."""
    if not overrides:
        return []
    out = ["## Educator overrides", "", "| Item | Educator | Status | Score | Reason | When |", "|---|---|---|---|---|---|"]
    for o in overrides:
        out.append(
            f"| `{o.rubric_id}/{o.item_id}` | {_cell(o.educator)} | {status_text(o.status) if o.status else '—'} | "
            f"{_number(o.score)} | {_cell(o.reason)} | {_when(o.at)} |"
        )
    return out + [""]


def _score_markdown(score: SessionScore) -> list[str]:
    out: list[str] = [f"Coder version: `{score.coder_version}`", ""]
    if not score.enough:
        out += ["_Too few trainee turns to score reliably; the results below are provisional._", ""]
    for rubric in score.rubrics:
        heading = f"### {_md(rubric.title)} (`{rubric.rubric_id}` v{_md(rubric.rubric_version)})"
        out += [heading, ""]
        if rubric.instrument:
            out += [f"After: {_md(rubric.instrument)}", ""]
        out += ["| Item | Result | Value | Evidence |", "|---|---|---|---|"]
        for item in rubric.items:
            value = _number(item.value) + (f" ({item.label})" if item.label else "")
            evidence = ", ".join(f"#{i}" for i in item.evidence_turns) or "—"
            out.append(f"| {_cell(item.title)} | {status_text(item.status)} | {_cell(value)} | {evidence} |")
        out.append("")
        for item in rubric.items:
            if not (item.detail or item.feedback or item.better_reply):
                continue
            out.append(f"- **{_md(item.title)}** — {status_text(item.status)}")
            if item.detail:
                out.append(f"  - How: {_md(item.detail)}")
            if item.feedback:
                out.append(f"  - Feedback: {_md(item.feedback)}")
            if item.better_reply:
                lead = better_reply_lead(item.better_reply_turn, "A better reply")
                out.append(f"  - {lead}: “{_md(item.better_reply)}”")
        out.append("")
    for heading, items in (
        ("Critical misses", score.critical_misses),
        ("Strengths", score.strengths),
        ("To work on", score.misses),
    ):
        if items:
            out += [f"### {heading}", ""] + [f"- {_md(text)}" for text in items] + [""]
    return out


# ---------------------------------------------------------------------------------------------------- JSON


def session_json(
    info: SessionInfo,
    turns: list[Turn],
    disclosures: list[Disclosure],
    score: SessionScore | None,
    overrides: list | None = None,
    judgements: list | None = None,
) -> str:
    """The whole session as an indented JSON document tagged ``"format": "mhsim-session/1"``.

    Read it back with :func:`load_session_json`.
    """
    from . import __version__

    document: dict[str, Any] = {
        "format": FORMAT,
        "mhsim_version": __version__,
        "session": info.model_dump(mode="json"),
        "turns": [t.model_dump(mode="json") for t in turns],
        "disclosures": [d.model_dump(mode="json") for d in disclosures],
        "score": score.model_dump(mode="json") if score is not None else None,
    }
    if overrides:
        document["overrides"] = [o.model_dump(mode="json") for o in overrides]
    if judgements:
        # Each with its label, so a reader of the file alone sees that a model, not a trained rater, gave it.
        document["llm_judgements"] = [{"label": j.label, **j.model_dump(mode="json")} for j in judgements]
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def load_session_json(
    text: str,
) -> tuple[SessionInfo, list[Turn], list[Disclosure], SessionScore | None]:
    """Parse a :func:`session_json` document back into records (for merging a cohort's exports).

    Raises :class:`ExportFormatError` when the text is not JSON or not a ``mhsim-session/1`` document;
    pydantic's ``ValidationError`` when a record inside does not fit.
    """
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ExportFormatError(f"not JSON: {exc}") from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        found = document.get("format") if isinstance(document, dict) else None
        raise ExportFormatError(f"expected format {FORMAT!r}, found {found!r}")
    score = document.get("score")
    return (
        SessionInfo.model_validate(document["session"]),
        [Turn.model_validate(t) for t in document.get("turns", [])],
        [Disclosure.model_validate(d) for d in document.get("disclosures", [])],
        SessionScore.model_validate(score) if score is not None else None,
    )


# ------------------------------------------------------------------------------------- failure-lab attempts

LAB_FORMAT = "mhsim-lab-attempt/1"
"""Version tag of a failure-lab attempt export (``mhsim lab export``)."""


def lab_attempts_json(attempts: list[Any]) -> str:
    """Failure-lab attempts (``simulator.lab.attempt.LabAttempt``) as one JSON document, for a cohort's export."""
    from . import __version__

    document = {
        "format": LAB_FORMAT,
        "mhsim_version": __version__,
        "attempts": [a.model_dump(mode="json") for a in attempts],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def load_lab_attempts_json(text: str) -> list[Any]:
    """Parse a :func:`lab_attempts_json` document back into ``LabAttempt`` records."""
    from .lab.attempt import LabAttempt

    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ExportFormatError(f"not JSON: {exc}") from exc
    if not isinstance(document, dict) or document.get("format") != LAB_FORMAT:
        found = document.get("format") if isinstance(document, dict) else None
        raise ExportFormatError(f"expected format {LAB_FORMAT!r}, found {found!r}")
    return [LabAttempt.model_validate(a) for a in document.get("attempts", [])]


def lab_attempt_markdown(attempt: Any, case: Any = None) -> str:
    """The debrief of one failure-lab attempt (richer when the lab case file is given)."""
    from .lab.debrief import attempt_markdown

    return attempt_markdown(attempt, case)
