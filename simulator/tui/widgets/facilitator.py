"""The facilitator's side panel (``mhsim preview``): the patient's state and every disclosure condition, live.

Each fact shows whether it is disclosed (✔ and the turn), unlocked but not yet said (◐) or locked (○), and each
part of its condition with ✔ (holds now), ✘ (does not) or ? (depends on the next turn).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from ..data import condition_parts, mark

if TYPE_CHECKING:
    from simulator.records import Coding, Disclosure, PatientState
    from simulator.scenario import Scenario


def trust_bar(trust: float, width: int = 20) -> str:
    """``██████░░░░ 0.30``: a bar and the number (the number carries the meaning)."""
    filled = max(0, min(width, round(trust * width)))
    return "█" * filled + "░" * (width - filled) + f" {trust:.2f}"


def facilitator_content(
    scenario: Scenario,
    state: PatientState,
    coding: Coding | None,
    ledger: list[Disclosure],
    problems: list[str] | None = None,
) -> Content:
    """The whole panel as one piece of text (cheap to refresh after every turn)."""
    parts: list[str | tuple[str, str]] = []
    if problems:
        parts += [("⚠ The file has problems; still showing the last version that loaded:", "bold"), "\n"]
        parts += ["\n".join(problems[:8]), "\n\n"]
    parts += [("Patient state", "bold underline"), "\n"]
    parts += [f"Turn {state.turn} · stage {state.stage} · emotion {state.emotion}\n"]
    parts += [f"Trust {trust_bar(state.trust)}\n"]
    if state.closed_streak:
        parts += [f"Closed questions in a row: {state.closed_streak}\n"]
    if state.flags_asked:
        parts += ["Risk moves made: " + ", ".join(str(f).replace("_", " ") for f in state.flags_asked) + "\n"]
    if state.ended:
        parts += [(f"Ended: {state.ended}\n", "bold")]
    names = {f.id: f.summary for f in scenario.facts}
    when = {d.fact_id: d.turn for d in ledger}
    parts += ["\n", ("Facts", "bold underline"), "\n"]
    if not scenario.facts:
        parts += ["(this scenario has no hidden facts)\n"]
    for fact in scenario.facts:
        if fact.id in when:
            status = f"✔ disclosed at turn {when[fact.id]}"
        elif fact.id in state.unlocked:
            status = "◐ unlocked, not said yet"
        else:
            status = "○ locked"
        talk = f" · {fact.talk} talk" if fact.talk else ""
        parts += [(f"{fact.id}", "bold"), f" · {status}{talk}\n", f"  {fact.summary}\n"]
        if fact.id not in when:
            condition = condition_parts(fact.condition, state, coding, names)
            for text, holds in condition:
                parts += [f"  {mark(holds)} {text}\n"]
            if not condition:
                parts += ["  ✔ no condition: said when asked about its topics\n"]
    if scenario.endings:
        parts += ["\n", ("Endings", "bold underline"), "\n"]
        for ending in scenario.endings:
            parts += [(ending.id, "bold"), f" · {ending.outcome}: {ending.title}\n"]
            w = ending.when
            bits = []
            if w.min_turn is not None:
                bits.append(f"{mark(state.turn >= w.min_turn)} from turn {w.min_turn}")
            if w.max_trust is not None:
                bits.append(f"{mark(state.trust <= w.max_trust + 1e-9)} trust ≤ {w.max_trust:.2f}")
            for fact_id in w.facts_disclosed:
                bits.append(f"{mark(fact_id in state.disclosed)} {fact_id} disclosed")
            for flag in w.risk_flags_asked:
                bits.append(f"{mark(flag in state.flags_asked)} asked {str(flag).replace('_', ' ')}")
            parts += ["".join(f"  {b}\n" for b in bits)]
    return Content.assemble(*parts)


class FacilitatorPanel(VerticalScroll):
    """Patient state and disclosure conditions for the scenario being previewed."""

    HELP: ClassVar[str] = (
        "The facilitator view. **Patient state** is what the engine holds after your last turn: trust (0–1), "
        "stage of change and emotion. Under **Facts**, ✔ means disclosed, ◐ unlocked but not said yet, ○ locked; "
        "each condition part shows ✔ (holds now), ✘ (does not) or ? (depends on your next turn). Save the "
        "scenario file and the preview reloads, replaying your lines against the new version."
    )
    can_focus = True

    def compose(self):
        yield Static(Content("Facilitator view"), classes="panel-title")
        yield Static(id="facilitator-body")

    def show(
        self,
        scenario: Scenario,
        state: PatientState,
        coding: Coding | None,
        ledger: list[Disclosure],
        problems: list[str] | None = None,
    ) -> None:
        self.query_one("#facilitator-body", Static).update(
            facilitator_content(scenario, state, coding, ledger, problems)
        )

    @property
    def text(self) -> str:
        return str(self.query_one("#facilitator-body", Static).render())
