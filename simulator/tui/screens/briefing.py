"""What the trainee reads before the encounter: the case as referred, objectives, content warnings, and who
(or what) will play the patient.

Only public information is shown. The patient's facts stay hidden until the debrief.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Static

from simulator.codes import CHALLENGE_TITLES

from ..engines import EngineChoice

if TYPE_CHECKING:
    from simulator.scenario import Scenario


def engine_label(name: str) -> str:
    """How a session's engine name is described to the trainee."""
    return "scripted patient (offline)" if name == "scripted" else name


class BriefingScreen(Screen[None]):
    """The briefing of one scenario, with Start and Choose another."""

    HELP: ClassVar[str] = (
        "Read the case before you start. The content warnings say what the conversation will touch; if it is "
        "not right for you today, **choose another** scenario (Esc). The last lines say what will play the "
        "patient and where your words go: **PgDn**/**PgUp**, **Home**/**End** and the arrow keys scroll. Nothing is "
        "recorded until you press **Start**."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "start", "Start", id="briefing.start", tooltip="Start the encounter with this patient."),
        Binding(
            "escape",
            "back",
            "Choose another",
            id="briefing.back",
            tooltip="Go back to the library and choose another scenario.",
        ),
        # Start keeps the focus (Enter starts), so the briefing scrolls from here with the page and arrow keys.
        Binding(
            "pagedown",
            "scroll_body('page_down')",
            "Scroll",
            id="briefing.page_down",
            key_display="PgDn",
            tooltip="Scroll the briefing down a page (PgUp, Home, End and the arrow keys scroll too).",
        ),
        Binding("pageup", "scroll_body('page_up')", "Page up", id="briefing.page_up", show=False),
        Binding("down", "scroll_body('down')", "Scroll down", id="briefing.scroll_down", show=False),
        Binding("up", "scroll_body('up')", "Scroll up", id="briefing.scroll_up", show=False),
        Binding("home", "scroll_body('home')", "Top", id="briefing.top", show=False),
        Binding("end", "scroll_body('end')", "Bottom", id="briefing.bottom", show=False),
    ]

    def __init__(
        self, scenario: Scenario, engine: EngineChoice | str = "scripted", *, coach: str = "on"
    ) -> None:
        super().__init__()
        self.scenario = scenario
        # A plain name comes from an engine given to the app directly (tests, embedding): no notes about it.
        self.engine = engine if isinstance(engine, EngineChoice) else EngineChoice("custom")
        self.engine_name = engine_label(engine) if isinstance(engine, str) else engine.label
        self.coach = coach

    def compose(self) -> ComposeResult:
        s = self.scenario
        p = s.persona
        yield Header()
        with VerticalScroll(id="briefing-body"):
            yield Static(Content(s.title), id="briefing-title")
            yield Static(Content(s.summary.strip()), id="briefing-summary")
            if s.content_warnings:
                with Vertical(id="briefing-warnings"):
                    yield Static(Content("⚠ Content warnings"), classes="section-title")
                    yield Static(Content("\n".join(f"• {w}" for w in s.content_warnings)))
                    yield Static(
                        Content("If this is not right for you today, choose another scenario (Esc)."),
                        classes="hint",
                    )
            yield Static(Content("Who you will meet"), classes="section-title")
            who = [
                f"{p.name}, {p.age} ({p.pronouns})",
                f"Background: {p.background}",
                f"Presenting concern: {p.presenting_concern}",
            ]
            if s.setting:
                who.append(f"Setting: {s.setting}")
            yield Static(Content("\n".join(who)), id="briefing-persona")
            yield Static(Content("Learning objectives"), classes="section-title")
            yield Static(
                Content("\n".join(f"• {o}" for o in s.learning_objectives)), id="briefing-objectives"
            )
            challenges = ", ".join(CHALLENGE_TITLES.get(c, str(c)) for c in s.challenges) or "none"
            yield Static(Content("About this session"), classes="section-title")
            lines = [
                f"Difficulty: {s.difficulty} · Language: {s.language}",
                f"Challenges: {challenges}",
                f"Scored with: {', '.join(s.rubrics)} (formative feedback, not an assessment)",
                f"Live coach: {self.coach}",
                f"Patient: {self.engine_name}",
            ]
            if self.engine.kind != "custom" and self.engine.where:
                lines.append(self.engine.where)
            yield Static(Content("\n".join(lines)), id="briefing-meta")
            if self.engine.problem:
                yield Static(Content(f"⚠ {self.engine.problem}"), id="briefing-engine-problem")
        with Horizontal(id="briefing-buttons"):
            yield Button("Start", variant="primary", id="start")
            yield Button("Choose another", id="back")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Briefing"
        # Start has focus, so Enter starts (a Button presses on Enter).
        self.query_one("#start", Button).focus()

    @on(Button.Pressed, "#start")
    def _start(self) -> None:
        self.action_start()

    @on(Button.Pressed, "#back")
    def _back(self) -> None:
        self.action_back()

    def action_scroll_body(self, where: str) -> None:
        """Scroll the briefing text (``page_down``, ``page_up``, ``down``, ``up``, ``home`` or ``end``)."""
        body = self.query_one("#briefing-body", VerticalScroll)
        getattr(body, f"scroll_{where}")(animate=False)

    def action_start(self) -> None:
        self.app.start_session(self.scenario)  # type: ignore[attr-defined]

    def action_back(self) -> None:
        self.app.pop_screen()
