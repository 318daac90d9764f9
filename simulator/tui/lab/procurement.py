"""Procurement desk: grade vendors' claims (intended use, evidence, regulatory status, data handling), then
decide approve, pilot with conditions, or reject for each product."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Footer, Header, Select, Static

from simulator.lab.case import DIMENSIONS
from simulator.lab.exercises import score_procurement

from .common import FrameLabel, LabScreen, app_trainee, context_text

GRADES = [("adequate", "adequate"), ("weak", "weak"), ("red flag", "red_flag")]
CARD_DECISIONS = [
    ("approve", "approve"),
    ("pilot with conditions", "pilot_with_conditions"),
    ("reject", "reject"),
]


def grade_id(card: str, dimension: str) -> str:
    return f"grade--{card}--{dimension}"


class ProcurementScreen(LabScreen):
    """Vendor claim cards, one grade per claim and a decision per product."""

    DEFAULT_CSS = (
        LabScreen.DEFAULT_CSS
        + """
    ProcurementScreen #cards { height: 1fr; padding: 0 1; }
    ProcurementScreen .card-title { margin-top: 1; text-style: bold; color: $text-primary; }
    ProcurementScreen .claim { height: auto; }
    ProcurementScreen .claim-text { width: 1fr; padding: 0 1; }
    ProcurementScreen .claim Select { width: 28; }
    """
    )
    HELP: ClassVar[str] = (
        "Grade each claim as adequate, weak or a red flag, and choose a decision for each product. Ask four "
        "questions of every product: what is it for, what evidence supports that, what regulatory status can you "
        "check, and what happens to the data? Press **Ctrl+S** when done (ungraded claims count as not graded)."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        *LabScreen.BINDINGS,
        Binding(
            "ctrl+s",
            "done",
            "Done",
            id="lab.procurement.done",
            priority=True,
            tooltip="Score your grades and decisions.",
        ),
    ]

    def compose(self) -> ComposeResult:
        proc = self.case.procurement
        assert proc is not None
        yield Header()
        yield Static(Content(self.case.title), classes="lab-title")
        yield Static(context_text(self.case), classes="lab-context")
        yield FrameLabel("VENDOR CLAIMS — FICTIONAL PRODUCTS — CONTAIN DELIBERATE RED FLAGS")
        with VerticalScroll(id="cards"):
            for card in proc.cards:
                yield Static(Content(f"{card.product} — {card.vendor}"), classes="card-title")
                for dim in DIMENSIONS:
                    with Horizontal(classes="claim"):
                        yield Static(
                            Content.assemble(
                                (dim.replace("_", " ").capitalize() + ": ", "bold"), card.claim(dim).text
                            ),
                            classes="claim-text",
                        )
                        yield Select(GRADES, prompt="grade…", id=grade_id(card.id, dim))
                with Horizontal(classes="claim"):
                    yield Static(
                        Content.assemble(("Decision for this product", "bold")), classes="claim-text"
                    )
                    yield Select(CARD_DECISIONS, prompt="decide…", id=f"decision--{card.id}")
        yield Static(Content("Tab moves between choices · Ctrl+S done"), classes="lab-hint")
        yield Footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.sub_title = "Procurement desk"
        self.query(Select).first().focus()

    def grades(self) -> dict[str, str]:
        out = {}
        assert self.case.procurement is not None
        for card in self.case.procurement.cards:
            for dim in DIMENSIONS:
                value = self.query_one(f"#{grade_id(card.id, dim)}", Select).value
                if isinstance(value, str):
                    out[f"{card.id}.{dim}"] = value
        return out

    def decisions(self) -> dict[str, str]:
        out = {}
        assert self.case.procurement is not None
        for card in self.case.procurement.cards:
            value = self.query_one(f"#decision--{card.id}", Select).value
            if isinstance(value, str):
                out[card.id] = value
        return out

    def action_done(self) -> None:
        attempt = score_procurement(
            self.case,
            self.grades(),
            self.decisions(),
            self.elapsed(),
            trainee=app_trainee(self.app),
            started=self.started_at,
        )
        self.finish(attempt)


__all__ = ["ProcurementScreen", "grade_id"]
