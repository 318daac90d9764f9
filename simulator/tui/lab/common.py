"""Pieces every lab screen shares: the frame label, the crisis-resources panel, the content-warning gate, the
mode picker, the result screen, and access to the app's store, trainee name, configuration and clock.

The lab screens work inside the mhsim app and inside any Textual app: each service falls back to a sensible
default when the host app does not offer it (tests host the screens in a bare app).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Footer, Header, Markdown, OptionList, Static
from textual.widgets.option_list import Option

from simulator.lab.taxonomy import FRAME, MODES

if TYPE_CHECKING:
    from simulator.config import Config
    from simulator.lab.attempt import LabAttempt
    from simulator.lab.case import LabCase
    from simulator.store import Store

LAB_CSS = """
.lab-frame {
    width: 1fr;
    padding: 0 1;
    text-style: bold;
    border: heavy $warning;
    color: $text-warning;
    background: $warning-muted;
}
.lab-context {
    padding: 0 1;
    color: $text-muted;
}
.lab-title {
    padding: 0 1;
    text-style: bold;
    color: $text-primary;
}
.lab-hint {
    padding: 0 1;
    color: $text-muted;
    text-style: italic;
}
.lab-list {
    height: 1fr;
    border: round $border-blurred;
}
.lab-list:focus {
    border: round $border;
}
.lab-panel {
    height: auto;
    padding: 0 1;
    border: round $border-blurred;
}
"""


# ------------------------------------------------------------------------------------------------ services


def app_config(app: App[Any]) -> Config | None:
    """The host app's configuration, or the config file's (None when it cannot be read)."""
    config = getattr(app, "config", None)
    if config is not None:
        return config
    from simulator.config import load_config
    from simulator.yamlfile import FileProblems

    try:
        return load_config()
    except (FileProblems, OSError):
        return None


def app_trainee(app: App[Any]) -> str:
    return str(getattr(app, "trainee", None) or "trainee")


def app_clock(app: App[Any]) -> Callable[[], float]:
    clock = getattr(app, "clock", None)
    return clock if callable(clock) else time.monotonic


def app_store(app: App[Any]) -> Store | None:
    """The host app's store (the mhsim app opens it on first use), or None when storing is off."""
    getter = getattr(app, "lab_store", None) or getattr(app, "get_store", None)
    if getter is None:
        return None
    try:
        return getter()
    except Exception:  # noqa: BLE001 - a store problem must not lose the trainee's result on screen
        return None


def save_attempt(screen: Screen[Any], attempt: LabAttempt) -> bool:
    """Store an attempt through the host app's store; tell the trainee when it could not be saved."""
    from simulator.store import StoreError

    store = app_store(screen.app)
    if store is None:
        return False
    try:
        store.save_lab_attempt(attempt)
    except StoreError as exc:
        screen.notify(f"{exc}\nYour result is shown but was not saved.", severity="warning", timeout=10)
        return False
    return True


# ------------------------------------------------------------------------------------------------ widgets


class FrameLabel(Static):
    """The label over every AI output: SIMULATED AI OUTPUT — FICTIONAL — CONTAINS DELIBERATE ERRORS."""

    def __init__(self, text: str = FRAME, **kwargs: Any) -> None:
        super().__init__(Content(f"⚠ {text}"), classes="lab-frame", **kwargs)


def tool_badge(case: LabCase) -> str:
    """The tool portrayed, its version and knowledge date (the 'model knowledge date' badge)."""
    tool = case.tool
    parts = [tool.name, tool.kind.value.replace("_", " ")]
    if tool.version:
        parts.append(f"version {tool.version}")
    if tool.knowledge_date:
        parts.append(f"knowledge date {tool.knowledge_date}")
    return " · ".join(parts)


def context_text(case: LabCase) -> Content:
    """Setting, task and (fictional) patient of a case, for the top of an exercise screen."""
    ctx = case.context
    parts: list[str | tuple[str, str]] = [
        ("Tool: ", "bold"),
        tool_badge(case),
        "\n",
        ("Setting: ", "bold"),
        ctx.setting,
        "\n",
        ("Task: ", "bold"),
        ctx.task,
    ]
    if ctx.patient is not None:
        p = ctx.patient
        who = p.name + (f", {p.age}" if p.age is not None else "") + (f", {p.pronouns}" if p.pronouns else "")
        parts += [
            "\n",
            ("Patient (fictional): ", "bold"),
            who + (f". {p.background}" if p.background else ""),
        ]
    return Content.assemble(*parts)


class CrisisPanel(Static):
    """The organisation's crisis resources from the configuration (or how to add them)."""

    def __init__(self, config: Config | None, **kwargs: Any) -> None:
        from simulator.lab.support import crisis_lines

        super().__init__(Content("\n".join(crisis_lines(config))), classes="lab-panel", **kwargs)


# -------------------------------------------------------------------------------------------------- modals


class ContentWarningScreen(ModalScreen[bool]):
    """Before a case with content warnings: continue or skip it (the skip is recorded, unscored)."""

    DEFAULT_CSS = """
    ContentWarningScreen { align: center middle; }
    #cw-box { width: 80; max-width: 95%; height: auto; max-height: 90%; padding: 1 2; border: thick $warning;
              background: $surface; }
    #cw-buttons { height: auto; margin-top: 1; }
    #cw-buttons Button { margin-right: 2; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape",
            "skip",
            "Skip this case",
            id="lab.warning.skip",
            tooltip="Skip this case; the skip is recorded and never scored.",
        ),
    ]

    def __init__(self, case: LabCase, config: Config | None) -> None:
        super().__init__()
        self.case = case
        self.config = config

    def compose(self) -> ComposeResult:
        from textual.containers import Horizontal

        with Vertical(id="cw-box"):
            yield Static(
                Content.assemble(("Content warning: ", "bold"), self.case.title), classes="lab-title"
            )
            yield Static(Content("\n".join(f"• {w}" for w in self.case.content_warnings)), id="cw-warnings")
            yield Static(
                Content("You can skip this case; skipping is recorded and never scored."), classes="lab-hint"
            )
            yield CrisisPanel(self.config, id="cw-support")
            with Horizontal(id="cw-buttons"):
                yield Button("Continue", id="cw-continue", variant="warning")
                yield Button("Skip this case", id="cw-skip")

    def on_mount(self) -> None:
        self.query_one("#cw-skip", Button).focus()

    @on(Button.Pressed, "#cw-continue")
    def _continue(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#cw-skip")
    def action_skip(self) -> None:
        self.dismiss(False)


class ModePicker(ModalScreen[str | None]):
    """Choose the failure mode for a flag (Enter), or cancel (Escape)."""

    DEFAULT_CSS = """
    ModePicker { align: center middle; }
    #mode-box { width: 90; max-width: 95%; height: 80%; padding: 0 1; border: thick $primary; background: $surface; }
    #mode-hint { height: auto; padding: 0 1; color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="lab.mode.cancel", tooltip="Close without flagging.")
    ]

    def __init__(self, flagged: str) -> None:
        super().__init__()
        self.flagged = flagged

    def compose(self) -> ComposeResult:
        with Vertical(id="mode-box"):
            yield Static(
                Content.assemble(("Which failure mode? ", "bold"), f"Flagging: “{self.flagged[:140]}”")
            )
            yield OptionList(
                *[
                    Option(Content.assemble((f"{m.id.value} ", "bold"), m.title), id=m.id.value)
                    for m in MODES.values()
                ],
                id="modes",
            )
            yield Static(id="mode-hint")

    def on_mount(self) -> None:
        options = self.query_one("#modes", OptionList)
        options.highlighted = 0
        options.focus()

    @on(OptionList.OptionHighlighted, "#modes")
    def _hint(self, event: OptionList.OptionHighlighted) -> None:
        from simulator.lab.taxonomy import FailureMode

        info = MODES[FailureMode(event.option.id)]
        self.query_one("#mode-hint", Static).update(Content(f"Look for: {info.look_for}"))

    @on(OptionList.OptionSelected, "#modes")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


# ----------------------------------------------------------------------------------------------- screens


class LabScreen(Screen[None]):
    """Base of the exercise screens: header, the frame label, Escape back, results when done."""

    DEFAULT_CSS = LAB_CSS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="lab.back", tooltip="Leave this exercise without scoring it."),
    ]

    def __init__(self, case: LabCase) -> None:
        super().__init__()
        self.case = case
        self.started = 0.0
        self.started_at: datetime | None = None

    def on_mount(self) -> None:
        self.started = app_clock(self.app)()
        self.started_at = datetime.now(UTC)

    def elapsed(self) -> float:
        return max(0.0, app_clock(self.app)() - self.started)

    def action_back(self) -> None:
        self.app.pop_screen()

    def finish(self, attempt: LabAttempt) -> None:
        """Save the attempt and replace this screen with its debrief."""
        saved = save_attempt(self, attempt)
        self.app.switch_screen(LabResultScreen(attempt, self.case, saved=saved))


_PIPE = re.compile(r"(?<!\\)\|")  # a table cell boundary (an escaped \| is text)


def screen_markdown(text: str) -> str:
    """The result as shown on screen: the score right under the title, and the key/value tables (which have
    no header row) as lists, so the screen does not open on an empty table header. Files keep the tables."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line == "## Score"), None)
    if start is not None and lines[:1] and lines[0].startswith("# "):
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        score = lines[start:end]
        lines = [lines[0], "", *score, "## This attempt", *lines[1:start], *lines[end:]]
    out: list[str] = []
    at = 0
    while at < len(lines):
        if lines[at] == "| | |" and at + 1 < len(lines) and lines[at + 1] == "|---|---|":
            at += 2
            while at < len(lines) and lines[at].startswith("|"):
                cells = [c.strip() for c in _PIPE.split(lines[at].strip())[1:-1]]
                if len(cells) == 2:
                    out.append(f"- **{cells[0]}:** {cells[1]}")
                at += 1
            continue
        out.append(lines[at])
        at += 1
    return "\n".join(out) + "\n"


class LabResultScreen(Screen[None]):
    """The debrief of an attempt: the same Markdown ``mhsim lab export`` writes."""

    DEFAULT_CSS = (
        LAB_CSS
        + """
    #result { height: 1fr; padding: 0 1; }
    """
    )
    HELP: ClassVar[str] = (
        "Your result: scores, each planted failure (caught or missed), what good looks like, and the documented "
        "real case it mirrors. Press x to save it as a Markdown file; Escape returns to the lab."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back to the lab", id="lab.result.back", tooltip="Return to the lab."),
        Binding(
            "x",
            "export",
            "Save as Markdown",
            id="lab.result.export",
            tooltip="Save this debrief as a Markdown file in the exports folder.",
        ),
    ]

    def __init__(self, attempt: LabAttempt, case: LabCase | None, *, saved: bool = False) -> None:
        super().__init__()
        self.attempt = attempt
        self.case = case
        self.saved = saved

    @property
    def markdown(self) -> str:
        from simulator.lab.debrief import attempt_markdown

        return attempt_markdown(self.attempt, self.case)

    def compose(self) -> ComposeResult:
        yield Header()
        yield FrameLabel()
        with VerticalScroll(id="result"):
            yield Markdown(screen_markdown(self.markdown), id="result-md")
        hint = "Saved to your history." if self.saved else "Not saved (storing is off for this app)."
        yield Static(
            Content(hint + " x saves this debrief as Markdown; Escape returns to the lab."),
            classes="lab-hint",
        )
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Lab result"

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_export(self) -> None:
        from simulator.paths import locations

        folder = locations().exports
        path = folder / f"lab-{self.attempt.case_id}-{self.attempt.id[:10]}.md"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path.write_text(self.markdown, encoding="utf-8")
        except OSError as exc:
            self.notify(f"Could not write {path}: {exc.strerror or exc}", severity="error")
            return
        self.notify(f"Saved {path}", timeout=8)


__all__ = [
    "ContentWarningScreen",
    "CrisisPanel",
    "FrameLabel",
    "LabResultScreen",
    "LabScreen",
    "ModePicker",
    "app_config",
    "app_store",
    "app_trainee",
    "context_text",
    "save_attempt",
    "screen_markdown",
    "tool_badge",
]
