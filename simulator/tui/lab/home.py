"""The lab's front door: the six exercises, the cases of each, content warnings, and the trainee's summary."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, Markdown, OptionList, Static
from textual.widgets.option_list import Option

from simulator.lab.case import EXERCISE_TITLES
from simulator.lab.taxonomy import FRAME

from ...wording import counted
from .common import LAB_CSS, CrisisPanel, app_config, app_store, app_trainee, save_attempt

if TYPE_CHECKING:
    from simulator.lab.attempt import LabAttempt
    from simulator.lab.case import LabCase
    from simulator.lab.library import LabLibrary

EXERCISES: dict[str, str] = {
    "spot": "Read an AI transcript, flag the sentences that fail and name the failure mode. Scored by precision, "
    "recall and time; the debrief shows each planted failure, the real case it mirrors and what good looks like. "
    "Some cases ask you to write the clinical reply yourself; it is coded and scored.",
    "inbox": "A timed queue of AI-drafted patient replies and notes. Approve, edit or reject each. Reports your catch "
    "rate and your automation-bias rate (unsafe drafts approved unchanged).",
    "regenerate": "One prompt, several recorded answers from the same tool, one of them unsafe: why a single demo "
    "proves little.",
    "vendor_update": "The same prompts answered by version 1 and version 2 of a tool. Flag what changed and decide "
    "whether to re-approve it.",
    "procurement": "Vendors' claim cards: intended use, evidence, regulatory status, data handling. Grade each claim "
    "and decide.",
    "probe": "Run the lab's probes against the model your organisation plans to deploy, grade the answers with "
    "colleagues, and write a pre-deployment evaluation report.",
}


def open_case(screen: Screen, case: LabCase) -> None:
    """Open a case in its exercise, behind its content warning (a skip is recorded, unscored)."""
    from .common import ContentWarningScreen

    def go(ok: bool | None = True) -> None:
        if ok:
            screen.app.push_screen(exercise_screen(case))
            return
        from simulator.lab.exercises import opted_out

        save_attempt(screen, opted_out(case, case.exercise.value, trainee=app_trainee(screen.app)))
        screen.notify(f"Skipped “{case.title}”.", timeout=4)

    if case.content_warnings:
        screen.app.push_screen(ContentWarningScreen(case, app_config(screen.app)), go)
    else:
        go(True)


def exercise_screen(case: LabCase) -> Screen:
    """The exercise screen for a case."""
    from .inbox import InboxScreen
    from .procurement import ProcurementScreen
    from .runs import RegenerateScreen, VendorUpdateScreen
    from .spot import SpotScreen

    screens = {
        "spot": SpotScreen,
        "inbox": InboxScreen,
        "regenerate": RegenerateScreen,
        "vendor_update": VendorUpdateScreen,
        "procurement": ProcurementScreen,
    }
    return screens[case.exercise.value](case)


class LabHomeScreen(Screen[None]):
    """The six exercises; Enter opens one."""

    DEFAULT_CSS = (
        LAB_CSS
        + """
    LabHomeScreen #lab-body { height: 1fr; }
    LabHomeScreen #exercises { width: 2fr; }
    LabHomeScreen #lab-preview { width: 3fr; padding: 0 1; border: round $border-blurred; }
    """
    )
    HELP: ClassVar[str] = (
        "The AI failure lab teaches how AI tools behave and fail in mental-health care. Every AI output in it is "
        f"labelled **{FRAME}**. Choose an exercise and press Enter. **s** shows your detection rates by failure "
        "mode and by challenge. Content warnings come before each sensitive case, and you can skip any case."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="lab.home.back", tooltip="Leave the lab: back to where you came from."),
        Binding(
            "enter",
            "open",
            "Open",
            id="lab.home.open",
            priority=True,
            tooltip="Open the highlighted exercise.",
        ),
        Binding(
            "s",
            "summary",
            "My rates",
            id="lab.home.summary",
            tooltip="Your detection rates by failure mode and by challenge.",
        ),
        Binding(
            "h",
            "history",
            "My attempts",
            id="lab.home.history",
            tooltip="Your past lab attempts; Enter reopens a debrief.",
        ),
    ]

    def __init__(self, library: LabLibrary | None = None) -> None:
        super().__init__()
        self.library = library

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Content("The AI failure lab"), classes="lab-title")
        yield Static(
            Content(
                f"Every AI output here is labelled {FRAME}. Method, means and dose detail is always withheld."
            ),
            classes="lab-hint",
        )
        with Horizontal(id="lab-body"):
            yield OptionList(
                *[Option(Content(title), id=key) for key, title in EXERCISE_TITLES.items()],
                id="exercises",
                classes="lab-list",
            )
            with VerticalScroll(id="lab-preview"):
                yield Static(id="exercise-about")
                yield CrisisPanel(app_config(self.app), id="lab-support")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Failure lab"
        options = self.query_one("#exercises", OptionList)
        options.highlighted = 0
        options.focus()
        if self.library is None:
            self.load_library()
        else:
            self._loaded()

    @work(thread=True, exclusive=True, group="lab-library", exit_on_error=False)
    def load_library(self) -> None:
        from simulator.lab.library import LabLibrary

        library = LabLibrary.discover()
        self.app.call_from_thread(self._set_library, library)

    def _set_library(self, library: LabLibrary) -> None:
        self.library = library
        self._loaded()

    def _loaded(self) -> None:
        assert self.library is not None
        if self.library.broken:
            names = ", ".join(e.path.name for e in self.library.broken[:3])
            self.notify(
                f"Some lab files could not be loaded ({names}); run 'mhsim lab validate'.",
                severity="warning",
                timeout=10,
            )
        self._describe(self.highlighted)

    @property
    def highlighted(self) -> str | None:
        option = self.query_one("#exercises", OptionList).highlighted_option
        return option.id if option is not None else None

    @on(OptionList.OptionHighlighted, "#exercises")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._describe(event.option.id)

    def _describe(self, key: str | None) -> None:
        if key is None:
            return
        count = "loading…" if self.library is None else counted(len(self.library.for_exercise(key)), "case")
        self.query_one("#exercise-about", Static).update(
            Content.assemble(
                (EXERCISE_TITLES[key], "bold"), f" · {count}\n\n", EXERCISES[key], "\n\nEnter opens it."
            )
        )

    @on(OptionList.OptionSelected, "#exercises")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        key = self.highlighted
        if key is None or self.library is None:
            return
        cases = self.library.for_exercise(key)
        if key == "probe":
            from .probe import ProbeScreen

            self.app.push_screen(ProbeScreen(cases))
        else:
            self.app.push_screen(CaseListScreen(key, cases, self.library))

    def action_summary(self) -> None:
        from simulator.lab.report import summary_markdown

        store = app_store(self.app)
        trainee = app_trainee(self.app)
        rows = store.lab_outcomes(trainee) if store is not None else []
        self.app.push_screen(MarkdownScreen("My detection rates", summary_markdown(rows, trainee)))

    def action_history(self) -> None:
        store = app_store(self.app)
        attempts = store.lab_attempts(trainee=app_trainee(self.app), limit=200) if store is not None else []
        cases = {c.id: c for c in self.library.cases} if self.library is not None else {}
        self.app.push_screen(LabHistoryScreen(attempts, cases))

    def action_back(self) -> None:
        self.app.pop_screen()


class LabHistoryScreen(Screen[None]):
    """The trainee's lab attempts, newest first; Enter reopens one's debrief."""

    DEFAULT_CSS = LAB_CSS + "LabHistoryScreen #attempts { height: 1fr; }"
    HELP: ClassVar[str] = (
        "Your past lab attempts, newest first. Enter reopens the debrief of the highlighted one."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="lab.history.back", tooltip="Back to the lab."),
        Binding("enter", "open", "Open", id="lab.history.open", tooltip="Reopen the debrief.", priority=True),
    ]

    def __init__(self, attempts: list[LabAttempt], cases: dict[str, LabCase]) -> None:
        super().__init__()
        self.attempts = {a.id: a for a in attempts}
        self.cases = cases

    def compose(self) -> ComposeResult:
        from simulator.lab.debrief import attempts_table

        yield Header()
        yield Static(Content("My lab attempts"), classes="lab-title")
        rows = attempts_table(list(self.attempts.values()))
        options = [Option(Content(f"{r[1]} · {r[2]} · {r[3]} · {r[4]} · {r[5]}"), id=r[0]) for r in rows]
        yield OptionList(*options, id="attempts", classes="lab-list")
        if not options:
            yield Static(Content("No lab attempts yet (or storing is off)."), classes="lab-hint")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Lab history"
        options = self.query_one("#attempts", OptionList)
        if options.option_count:
            options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected, "#attempts")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        from .common import LabResultScreen

        option = self.query_one("#attempts", OptionList).highlighted_option
        if option is None or option.id not in self.attempts:
            return
        attempt = self.attempts[option.id]
        self.app.push_screen(LabResultScreen(attempt, self.cases.get(attempt.case_id), saved=True))

    def action_back(self) -> None:
        self.app.pop_screen()


def case_line(case: LabCase) -> str:
    """The line under a case's title in the list: the kind of tool (the challenges are in the preview; the
    failure modes, which the trainee is to find, only in the result)."""
    return case.tool.kind.value.replace("_", " ")


class CaseListScreen(Screen[None]):
    """The cases of one exercise; Enter opens the highlighted one (behind its content warning)."""

    DEFAULT_CSS = (
        LAB_CSS
        + """
    CaseListScreen #case-body { height: 1fr; }
    CaseListScreen #cases { width: 2fr; }
    CaseListScreen #case-preview { width: 3fr; padding: 0 1; border: round $border-blurred; }
    """
    )
    HELP: ClassVar[str] = (
        "Choose a case and press Enter. Cases marked ⚠ have a content warning; you can skip them."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="lab.cases.back", tooltip="Back to the exercises."),
        Binding(
            "enter",
            "open",
            "Open",
            id="lab.cases.open",
            priority=True,
            tooltip="Open the highlighted case (after its content warning).",
        ),
    ]

    def __init__(self, exercise: str, cases: list[LabCase], library: LabLibrary | None = None) -> None:
        super().__init__()
        self.exercise = exercise
        self.cases = {c.id: c for c in cases}
        self.library = library

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Content(EXERCISE_TITLES[self.exercise]), classes="lab-title")
        with Horizontal(id="case-body"):
            options = []
            for case in self.cases.values():
                mark = "⚠ " if case.content_warnings else ""
                # The failure modes are what the trainee is to find: they are named in the result, never here.
                options.append(
                    Option(Content.assemble((mark + case.title, "bold"), f"\n  {case_line(case)}"), id=case.id)
                )
            yield OptionList(*options, id="cases", classes="lab-list")
            with VerticalScroll(id="case-preview"):
                yield Static(id="case-about")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = EXERCISE_TITLES[self.exercise]
        options = self.query_one("#cases", OptionList)
        if options.option_count:
            options.highlighted = 0
        else:
            self.query_one("#case-about", Static).update(
                Content("No cases for this exercise could be loaded.")
            )
        options.focus()

    @on(OptionList.OptionHighlighted, "#cases")
    def _preview(self, event: OptionList.OptionHighlighted) -> None:
        from simulator.codes import CHALLENGE_TITLES

        from .common import tool_badge

        case = self.cases[event.option.id or ""]
        parts: list[str | tuple[str, str]] = [
            (case.title, "bold"),
            "\n\n",
            " ".join(case.summary.split()),
            "\n\n",
            ("Tool: ", "bold"),
            tool_badge(case),
            "\n",
            ("Setting: ", "bold"),
            " ".join(case.context.setting.split()),
            "\n",
            ("Challenges: ", "bold"),
            ", ".join(CHALLENGE_TITLES[c] for c in case.challenges),
            "\n",
            ("Failures to find: ", "bold"),
            "named in your result, once you are done.",
        ]
        if case.content_warnings:
            parts += ["\n", ("Content warning: ", "bold"), "; ".join(case.content_warnings)]
        pair = self.library.pair(case) if self.library is not None else None
        if pair is not None:
            parts += ["\n", ("Counterfactual pair: ", "bold"), f"read it with “{pair.title}”."]
        self.query_one("#case-about", Static).update(Content.assemble(*parts))

    @on(OptionList.OptionSelected, "#cases")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        option = self.query_one("#cases", OptionList).highlighted_option
        if option is not None and option.id in self.cases:
            open_case(self, self.cases[option.id])

    def action_back(self) -> None:
        self.app.pop_screen()


class MarkdownScreen(Screen[None]):
    """A page of Markdown (the detection summary)."""

    DEFAULT_CSS = "MarkdownScreen #md-body { height: 1fr; padding: 0 1; }"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="lab.page.back", tooltip="Back.")
    ]

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.title_text = title
        self.text = text

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="md-body"):
            yield Markdown(self.text)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = self.title_text

    def action_back(self) -> None:
        self.app.pop_screen()


__all__ = [
    "EXERCISES",
    "CaseListScreen",
    "LabHistoryScreen",
    "LabHomeScreen",
    "MarkdownScreen",
    "case_line",
    "exercise_screen",
    "open_case",
]
