"""Rich renderings of transcripts and scores for the plain terminal commands."""

from __future__ import annotations

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from simulator.records import ItemScore, SessionScore, Turn
from simulator.wording import value_and_label

STATUS_MARK = {
    "met": ("✔ met", "green"),
    "partly": ("~ partly", "yellow"),
    "missed": ("✘ missed", "red"),
    "critical_miss": ("‼ critical miss", "bold red"),
    "not_applicable": ("– n/a", "dim"),
    "info": ("· info", "cyan"),
}


def status_text(status: str) -> Text:
    label, style = STATUS_MARK.get(status, (status, ""))
    return Text(label, style=style)


def coding_summary(turn: Turn) -> str:
    """``[open_question · topics: sleep · risk: ask_wish_dead]`` for a trainee turn."""
    if turn.coding is None:
        return ""
    parts = [", ".join(b.value for b in turn.coding.behaviours)]
    if turn.coding.topics:
        parts.append("topics: " + ", ".join(turn.coding.topics))
    if turn.coding.risk_flags:
        parts.append("risk: " + ", ".join(f.value for f in turn.coding.risk_flags))
    return "[" + " · ".join(parts) + "]"


def turn_text(turn: Turn, patient_name: str) -> Text:
    who = "You" if turn.speaker == "trainee" else patient_name
    style = "bold cyan" if turn.speaker == "trainee" else "bold magenta"
    text = Text()
    text.append(f"{'#' + str(turn.index):>4} {who}: ", style=style)  # "#7", as scores point at it
    text.append(turn.text)
    if turn.speaker == "trainee":
        text.append("  " + coding_summary(turn), style="dim")
    for notice in turn.notices:
        text.append(f"\n    notice: {notice}", style="yellow")
    return text


def print_transcript(console: Console, turns: list[Turn], patient_name: str) -> None:
    for turn in turns:
        console.print(turn_text(turn, patient_name))


def item_row(item: ItemScore) -> list:
    value = value_and_label(item.value, item.label)
    evidence = ", ".join(f"#{i}" for i in item.evidence_turns[:8])
    if len(item.evidence_turns) > 8:
        evidence += ", …"
    # Titles and labels come from rubric files: cells are Text, never parsed as markup.
    return [Text(item.title), status_text(item.status), Text(value), evidence]


def score_renderable(score: SessionScore) -> Group:
    parts: list = []
    if not score.enough:
        parts.append(Text("Not enough to score: the session has too few trainee turns.", style="yellow"))
    for rubric in score.rubrics:
        table = Table(
            title=Text(f"{rubric.title} (v{rubric.rubric_version})"), title_justify="left", expand=True
        )
        table.add_column("item", ratio=3)
        table.add_column("status", ratio=2)
        table.add_column("value", ratio=2)
        table.add_column("evidence", ratio=1)
        for item in sorted(rubric.items, key=lambda i: (i.status != "critical_miss", i.status != "missed")):
            table.add_row(*item_row(item))
        parts.append(table)
    for title, items, style in (
        ("Critical misses", score.critical_misses, "bold red"),
        ("Strengths", score.strengths, "green"),
        ("To work on", score.misses, "yellow"),
    ):
        if items:
            parts.append(Text(title, style=style))
            parts.extend(Text(f"  • {line}") for line in items)
    parts.append(Text(score.notice, style="dim italic"))
    return Group(*parts)


def ledger_table(ledger, scenario, turns: list[Turn] | None = None) -> Table:
    """The disclosure ledger; with the transcript, each fact says the line it came out on ("#8")."""
    from simulator.export import disclosed_when

    table = Table(title="Disclosure ledger", title_justify="left", expand=True)
    table.add_column("fact", ratio=3)
    table.add_column("when", ratio=1)
    table.add_column("trust", ratio=1)
    table.add_column("unlocked by", ratio=3)
    shown = {d.fact_id for d in ledger}
    for d in ledger:
        move = ", ".join(b.value for b in d.behaviours)
        if d.risk_flags:
            move += " · " + ", ".join(f.value for f in d.risk_flags)
        when = disclosed_when(d.turn, turns) if turns else f"trainee turn {d.turn}"
        table.add_row(Text(scenario.fact(d.fact_id).summary), when, f"{d.trust:.2f}", move)
    for fact in scenario.facts:
        if fact.id not in shown:
            table.add_row(Text(fact.summary, style="dim"), "—", "", Text(f"hidden · {fact.hint}", style="dim"))
    return table
