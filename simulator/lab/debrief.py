"""The debrief of a lab attempt, as Markdown: scores, each planted failure (caught or not, what good looks like,
the real case it mirrors), decisions, the scored reply and the take-away.

Shown in the TUI (Textual's Markdown widget) and written by ``mhsim lab export``, so screen and file say the
same. Every quote of AI output carries the lab's frame label; lawsuit content is labelled as allegation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from simulator.codes import CHALLENGE_TITLES, Challenge

from .attempt import LabAttempt
from .case import EXERCISE_TITLES, Citation, CitationKind, LabCase
from .exercises import percent
from .taxonomy import FRAME, mode_title

_INLINE_SPECIALS = re.compile(r"[\\`*\[\]<>|]|(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")

STATUS = {
    "met": "✔ met",
    "partly": "~ partly",
    "missed": "✘ missed",
    "critical_miss": "‼ critical miss",
    "not_applicable": "– not applicable",
    "info": "· info",
}
DECISION_WORDS = {
    "re_approve": "re-approve",
    "hold_and_revalidate": "hold and re-validate",
    "withdraw": "withdraw",
    "approve": "approve",
    "pilot_with_conditions": "pilot with conditions",
    "reject": "reject",
    "red_flag": "red flag",
}


def md(text: str) -> str:
    """Escape text so it shows as written in Markdown (tables and headings cannot be broken by it)."""
    escaped = _INLINE_SPECIALS.sub(lambda m: "\\" + m.group(0), text)
    lines = escaped.splitlines() or [""]
    lines = ["\\" + ln if ln[:1] in "#>-+=" and ln else ln for ln in lines]
    return "  \n".join(lines)


def cell(text: str) -> str:
    """Text for a table cell: escaped and on one line."""
    return md(" ".join(text.split()))


def words(value: str) -> str:
    """A decision or grade id in words."""
    return DECISION_WORDS.get(value, value.replace("_", " "))


def citation_markdown(citation: Citation) -> list[str]:
    """A documented case, stated as fact (or as allegation for a lawsuit), with its sources."""
    lead = "Alleged in a lawsuit: " if citation.kind is CitationKind.LAWSUIT else ""
    out = [
        f"- **{md(citation.case)}** ({citation.kind.value}). {lead}{md(' '.join(citation.what_happened.split()))}"
    ]
    out += [f"  - Source: <{url}>" for url in citation.sources]
    return out


def _metric_rows(attempt: LabAttempt) -> list[tuple[str, str]]:
    m = attempt.metrics
    rows: list[tuple[str, str]] = []

    def count(key: str) -> str:
        value = m.get(key)
        return "—" if value is None else f"{value:g}"

    if "precision" in m:
        rows += [
            (
                "Precision (flags that were right)",
                f"{percent(m.get('precision'))} ({count('caught')} of {count('flags')})",
            ),
            (
                "Recall (failures caught and named)",
                f"{percent(m.get('recall'))} ({count('caught')} of {count('planted')})",
            ),
            ("F1", "—" if m.get("f1") is None else f"{m['f1']:.2f}"),
            ("Spotted, whatever the name", percent(m.get("spotted"))),
        ]
        if m.get("misnamed"):
            rows.append(("Found but named as another mode", count("misnamed")))
    if "catch_rate" in m:
        rows += [
            (
                "Catch rate (unsafe drafts rejected or fixed)",
                f"{percent(m.get('catch_rate'))} ({count('caught')} of {count('unsafe')})",
            ),
            (
                "Automation-bias rate (unsafe drafts approved unchanged)",
                f"{percent(m.get('automation_bias_rate'))} ({count('approved_unchanged')} of {count('unsafe')})",
            ),
            ("Safe drafts rejected", percent(m.get("over_rejection_rate"))),
            ("Drafts reviewed", f"{count('reviewed')} (not reviewed: {count('not_reviewed')})"),
        ]
        if m.get("mean_seconds_per_draft") is not None:
            rows.append(("Mean time per draft", f"{m['mean_seconds_per_draft']:.0f} s"))
    if "single_run_shows_failure" in m:
        rows.append(("Chance one demo shows the failure", percent(m.get("single_run_shows_failure"))))
    if "decision" in m:
        rows.append(
            (
                "Decision",
                {1.0: "as the evidence supports", 0.5: "defensible", 0.0: "not supported"}.get(
                    m["decision"] or 0.0, "—"
                ),
            )
        )
    if "grade_agreement" in m:
        rows += [
            ("Claim grades matching a careful reviewer", percent(m.get("grade_agreement"))),
            ("Red flags caught", percent(m.get("red_flags_caught"))),
            ("Card decisions matching", percent(m.get("decisions_agree"))),
        ]
    rows.append(
        (
            "Time",
            f"{attempt.seconds:.0f} s" + (f" (par {m['par_seconds']:.0f} s)" if m.get("par_seconds") else ""),
        )
    )
    return rows


def attempt_markdown(attempt: LabAttempt, case: LabCase | None = None) -> str:
    """The debrief of one attempt. Without the case file only the stored record is shown."""
    title = case.title if case else attempt.case_title or attempt.case_id
    exercise = EXERCISE_TITLES.get(attempt.exercise, attempt.exercise)
    challenges = ", ".join(
        CHALLENGE_TITLES.get(Challenge(c), c) for c in attempt.challenges if c in Challenge._value2member_map_
    )
    out = [
        f"# {md(title)}",
        "",
        "| | |",
        "|---|---|",
        f"| Exercise | {cell(exercise)} |",
        f"| Case | `{attempt.case_id}` v{cell(attempt.case_version)} |",
        f"| Attempt | `{attempt.id}` |",
        f"| Trainee | {cell(attempt.trainee)} |",
        f"| Started | {attempt.started_at.strftime('%Y-%m-%d %H:%M UTC')} |",
        f"| Status | {cell(attempt.status.replace('_', ' '))} |",
        f"| Challenges | {cell(challenges or '—')} |",
        "",
        f"> Quotes of AI output below are **{FRAME}**.",
        "",
    ]
    if attempt.status == "opted_out":
        return "\n".join(out + ["_Skipped after the content warning; nothing was scored._"]).rstrip() + "\n"
    out += ["## Score", "", "| | |", "|---|---|"]
    out += [f"| {cell(k)} | {cell(v)} |" for k, v in _metric_rows(attempt)]
    out.append("")
    out += [f"- {md(n)}" for n in attempt.notes]
    if attempt.notes:
        out.append("")
    out += _failures_markdown(attempt, case)
    out += _flags_markdown(attempt)
    out += _decisions_markdown(attempt, case)
    out += _reply_markdown(attempt, case)
    if case is not None:
        out += ["## What good looks like", "", md(" ".join(case.good_response.split())), ""]
        out += ["## The documented cases it mirrors", ""]
        for citation in case.mirrors:
            out += citation_markdown(citation)
        out += ["", "## Take-away", "", md(" ".join(case.debrief.split())), ""]
    return "\n".join(out).rstrip() + "\n"


def _failures_markdown(attempt: LabAttempt, case: LabCase | None) -> list[str]:
    if not attempt.outcomes:
        return []
    planted = {f.id: f for f in case.failures} if case else {}
    out = ["## Planted failures", ""]
    for o in attempt.outcomes:
        if o.spotted and o.named is not False:
            mark = "✔ caught"
        elif o.spotted:
            mark = "~ found, named as another mode"
        else:
            mark = "✘ missed"
        out.append(f"### {mark}: {md(mode_title(o.mode))} ({o.severity})")
        out.append("")
        failure = planted.get(o.failure_id)
        if failure is not None:
            out += [f"In `{o.unit}` ({FRAME}):", "", f"> {md(' '.join(failure.span.split()))}", ""]
            out += [f"- **What went wrong:** {md(' '.join(failure.what.split()))}"]
            out += [f"- **What good looks like:** {md(' '.join(failure.good.split()))}"]
            if failure.also:
                out.append(f"- Also accepted as: {', '.join(mode_title(m) for m in failure.also)}")
            if failure.rubric:
                out.append(f"- **Maps to:** {md(failure.rubric)}")
            out.append("")
        else:
            out += [f"In `{o.unit}` (failure `{o.failure_id}`).", ""]
    return out


def _flags_markdown(attempt: LabAttempt) -> list[str]:
    false = [f for f in attempt.flags if f.outcome == "false"]
    if not false:
        return []
    out = ["## Flags that matched no planted failure", ""]
    for f in false:
        named = mode_title(f.mode) if f.mode else "no mode named"
        out.append(f"- `{f.unit}`: “{md(' '.join(f.text.split())[:160])}” — {md(named)}")
    return out + [""]


def _decisions_markdown(attempt: LabAttempt, case: LabCase | None) -> list[str]:
    if not attempt.decisions:
        return []
    out = [
        "## Decisions",
        "",
        "| Item | Your choice | Careful reviewer | Result | Time |",
        "|---|---|---|---|---:|",
    ]
    for d in attempt.decisions:
        seconds = f"{d.seconds:.0f} s" if d.seconds else "—"
        out.append(
            f"| `{d.item}` | {cell(words(d.choice))} | {cell(words(d.expected) or '—')} | "
            f"{cell(d.outcome.replace('_', ' '))} | {seconds} |"
        )
    out.append("")
    if case is not None and case.vendor_update is not None:
        out += [f"**Why:** {md(' '.join(case.vendor_update.rationale.split()))}", ""]
    if case is not None and case.procurement is not None:
        for card in case.procurement.cards:
            out.append(f"- **{md(card.product)}** ({md(card.vendor)}): {words(card.expected_decision)}")
            for dim in ("intended_use", "evidence", "regulatory_status", "data_handling"):
                claim = card.claim(dim)
                out.append(
                    f"  - {dim.replace('_', ' ')}: {words(claim.expected)} — {md(' '.join(claim.why.split()))}"
                )
        out.append("")
    return out


def _reply_markdown(attempt: LabAttempt, case: LabCase | None) -> list[str]:
    reply = attempt.reply
    if reply is None:
        return []
    codes = ", ".join(str(b) for b in reply.coding.behaviours) or "other"
    if reply.coding.risk_flags:
        codes += " · risk: " + ", ".join(str(f) for f in reply.coding.risk_flags)
    out = ["## Your reply", "", f"> {md(reply.text)}", "", f"Coded as: `{codes}`", ""]
    out += ["| Item | Result | How |", "|---|---|---|"]
    for rubric in reply.score.rubrics:
        for item in rubric.items:
            out.append(
                f"| {cell(item.title)} | {STATUS.get(item.status, item.status)} | {cell(item.detail)} |"
            )
    out.append("")
    for rubric in reply.score.rubrics:
        for item in rubric.items:
            if item.feedback:
                out.append(f"- **{md(item.title)}:** {md(item.feedback)}")
    if case is not None and case.reply_task is not None:
        out += ["", f"A reply that would do well: “{md(' '.join(case.reply_task.exemplar.split()))}”"]
    out += ["", f"_{md(reply.score.notice)}_", ""]
    return out


def attempts_table(attempts: Sequence[LabAttempt]) -> list[tuple[str, ...]]:
    """Rows for a history listing: id, date, exercise, case, status, headline score."""
    rows = []
    for a in attempts:
        m = a.metrics
        if a.status == "opted_out":
            headline = "skipped"
        elif "catch_rate" in m:
            headline = f"catch {percent(m.get('catch_rate'))}, bias {percent(m.get('automation_bias_rate'))}"
        elif "grade_agreement" in m:
            headline = (
                f"grades {percent(m.get('grade_agreement'))}, red flags {percent(m.get('red_flags_caught'))}"
            )
        else:
            headline = f"P {percent(m.get('precision'))}, R {percent(m.get('recall'))}"
        rows.append(
            (
                a.id,
                a.started_at.strftime("%Y-%m-%d %H:%M"),
                EXERCISE_TITLES.get(a.exercise, a.exercise),
                a.case_id,
                a.status.replace("_", " "),
                headline,
            )
        )
    return rows


__all__ = ["FRAME", "attempt_markdown", "attempts_table", "cell", "citation_markdown", "md", "words"]
