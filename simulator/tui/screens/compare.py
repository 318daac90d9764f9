"""Two attempts at the same scenario side by side: key scores, every rubric item, and when each fact came out."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from ..data import DebriefData, compare_items, key_scores, local_time
from ..widgets.marks import status_label


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def attempt_text(label: str, data: DebriefData) -> Content:
    ks = key_scores(data.score, data.turns)
    trust = f"{ks.final_trust:.2f}" if ks.final_trust is not None else "—"
    return Content.assemble(
        (label, "bold"),
        f" · {local_time(data.info.started_at)}\n",
        f"{ks.turns} turns · final trust {trust}\n",
        ks.text(),
    )


def facts_text(a: DebriefData, b: DebriefData) -> Content:
    """When each fact came out in each attempt (— when it stayed hidden)."""
    when_a = {d.fact_id: d.turn for d in a.ledger}
    when_b = {d.fact_id: d.turn for d in b.ledger}
    ids = [f.id for f in b.scenario.facts] if b.scenario is not None else list(dict.fromkeys([*when_a, *when_b]))
    if not ids:
        return Content("This scenario has no hidden facts.")
    parts: list[str | tuple[str, str]] = [("Disclosures (your turn in attempt 1 → attempt 2)", "bold underline"), "\n"]
    for fact_id in ids:
        before = f"turn {when_a[fact_id]}" if fact_id in when_a else "—"
        after = f"turn {when_b[fact_id]}" if fact_id in when_b else "—"
        parts += [f"{before:>8} → {after:<8} ", b.fact_summary(fact_id), "\n"]
    return Content.assemble(*parts)


class CompareScreen(Screen[None]):
    """Attempt 1 (older) against attempt 2 (newer)."""

    HELP: ClassVar[str] = (
        "Two attempts at the same scenario: the older one first. The table lists every rubric item with its "
        "status in each attempt and the change (▲ better, ▼ worse, = same), what changed first. Below it, the turn on which each of "
        "the patient's facts came out in each attempt (— means it stayed hidden)."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="compare.back", tooltip="Back to History."),
    ]

    def __init__(self, before: DebriefData, after: DebriefData) -> None:
        super().__init__()
        self.before = before
        self.after = after
        # What changed first, then what stayed the same, then counts that carry no judgement.
        order = {"▲ better": 0, "▼ worse": 0, "≠ changed": 1, "= same": 2, "": 3}
        self.rows = sorted(compare_items(before.score, after.score), key=lambda r: order.get(r.change, 3))

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="compare-body"):
            yield Static(Content(f"Compare · {self.after.title}"), id="compare-title")
            with Horizontal(id="compare-heads"):
                yield Static(attempt_text("Attempt 1", self.before), classes="compare-head")
                yield Static(attempt_text("Attempt 2", self.after), classes="compare-head")
            yield DataTable(id="compare-items", cursor_type="row", zebra_stripes=True)
            yield Static(facts_text(self.before, self.after), id="compare-facts")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Compare attempts"
        table = self.query_one("#compare-items", DataTable)
        narrow = self.app.size.width < 100
        table.add_columns("Item", "Attempt 1", "Attempt 2", "Change")
        for row in self.rows:
            before = status_label(row.before) if row.before else "—"
            after = status_label(row.after) if row.after else "—"
            if row.before_value:
                before += f" {row.before_value}"
            if row.after_value:
                after += f" {row.after_value}"
            width = 17 if narrow else 30
            table.add_row(_clip(row.title, 24 if narrow else 40), _clip(before, width), _clip(after, width), row.change or "")
        table.focus()
        self.call_after_refresh(self.query_one("#compare-body").scroll_home, animate=False)

    def action_back(self) -> None:
        self.app.pop_screen()
