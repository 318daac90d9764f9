"""Rich renderings of transcripts and scores for the plain terminal commands."""

from __future__ import annotations

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from simulator.records import ItemScore, SessionScore, Turn

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
    text.append(f"{turn.index:>3} {who}: ", style=style)
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
    value = "" if item.value is None else (f"{item.value:g}" if isinstance(item.value, float) else str(item.value))
    if item.label:
        value = f"{value} ({item.label})" if value else item.label
    evidence = ", ".join(str(i) for i in item.evidence_turns[:8])
    if len(item.evidence_turns) > 8:
        evidence += ", …"
    return [item.title, status_text(item.status), value, evidence]


def score_renderable(score: SessionScore) -> Group:
    parts: list = []
    if not score.enough:
        parts.append(Text("Not enough to score: the session has too few trainee turns.", style="yellow"))
    for rubric in score.rubrics:
        table = Table(title=f"{rubric.title} (v{rubric.rubric_version})", title_justify="left", expand=True)
        table.add_column("item", ratio=3)
        table.add_column("status", ratio=2)
        table.add_column("value", ratio=2)
        table.add_column("turns", ratio=1)
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


def ledger_table(ledger, scenario) -> Table:
    table = Table(title="Disclosure ledger", title_justify="left", expand=True)
    table.add_column("fact", ratio=3)
    table.add_column("turn", ratio=1)
    table.add_column("trust", ratio=1)
    table.add_column("unlocked by", ratio=3)
    shown = {d.fact_id for d in ledger}
    for d in ledger:
        move = ", ".join(b.value for b in d.behaviours)
        if d.risk_flags:
            move += " · " + ", ".join(f.value for f in d.risk_flags)
        table.add_row(scenario.fact(d.fact_id).summary, str(d.turn), f"{d.trust:.2f}", move)
    for fact in scenario.facts:
        if fact.id not in shown:
            table.add_row(Text(fact.summary, style="dim"), "—", "", Text(f"hidden · {fact.hint}", style="dim"))
    return table
