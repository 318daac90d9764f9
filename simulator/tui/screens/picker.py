"""The scenario library: every scenario that loads, and every file that does not, with its first problem."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, LoadingIndicator, OptionList, Static
from textual.widgets.option_list import Option, OptionDoesNotExist

from simulator.codes import CHALLENGE_TITLES

from ..messages import LibraryLoaded

if TYPE_CHECKING:
    from simulator.library import Entry, Library
    from simulator.scenario import Scenario

BROKEN_PREFIX = "broken:"


def scenario_prompt(scenario: Scenario) -> Content:
    """Two lines: the title, then difficulty and challenge tags (plain text, never markup)."""
    tags = " · ".join(str(c) for c in scenario.challenges) or "no challenge tags"
    return Content.assemble(
        (scenario.title, "bold"),
        "\n",
        (f"  {scenario.difficulty} · {tags}", "dim"),
    )


def broken_prompt(entry: Entry) -> Content:
    """Two lines: the file name marked as broken, then its first problem."""
    first = entry.problems[0] if entry.problems else None
    where = f"line {first.line}: {first.message}" if first else "could not be loaded"
    more = f" (+{len(entry.problems) - 1} more)" if len(entry.problems) > 1 else ""
    return Content.assemble(
        (f"⚠ broken: {entry.path.name}", "bold"),
        "\n",
        (f"  {where}{more}", "dim"),
    )


class ScenarioPicker(Screen[None]):
    """Lists the library; Enter opens the briefing of the highlighted scenario."""

    HELP: ClassVar[str] = (
        "Choose a scenario to rehearse. Each shows its difficulty and which of the seven challenges of AI in "
        "mental-health care it touches. Files marked **broken** could not be loaded; the first problem is shown "
        "and `mhsim scenarios validate` lists them all."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter",
            "open",
            "Open",
            id="picker.open",
            tooltip="Read the briefing of the highlighted scenario.",
            priority=True,  # before the list's own Enter, so the footer shows it
        ),
        Binding("ctrl+r", "reload", "Reload", id="picker.reload", tooltip="Look for scenario files again."),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.library: Library | None = None
        self._by_option: dict[str, Scenario | Entry] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Content("Choose a scenario to rehearse"), id="picker-heading")
        with Horizontal(id="picker-body"):
            yield LoadingIndicator(id="picker-loading")
            yield OptionList(id="scenarios")
            with VerticalScroll(id="picker-preview"):
                yield Static(id="preview")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Scenario library"
        self.query_one("#scenarios").display = False
        preset = getattr(self.app, "preset_library", None)
        if preset is not None:
            self.post_message(LibraryLoaded(preset))
        else:
            self.load_library()

    @work(thread=True, exclusive=True, group="library", exit_on_error=False)
    def load_library(self) -> None:
        """Discover scenarios off the UI loop (YAML parsing and checks), then post the result."""
        from simulator.library import Library  # deferred: keeps the first paint fast

        try:
            library = Library.discover(self.app.extra_dirs)  # type: ignore[attr-defined]
        except Exception as exc:  # noqa: BLE001 - a bug in discovery must not stop the app from starting
            self.post_message(LibraryLoaded(None, f"Could not read the scenario library: {exc}"))
            return
        self.post_message(LibraryLoaded(library))

    @on(LibraryLoaded)
    def _show_library(self, message: LibraryLoaded) -> None:
        self.query_one("#picker-loading").display = False
        options = self.query_one("#scenarios", OptionList)
        options.display = True
        if message.library is None:
            self.notify(message.error, severity="error", timeout=10)
            return
        self.library = message.library
        self.app.library = message.library  # type: ignore[attr-defined]
        options.clear_options()
        self._by_option.clear()
        seen: set[str] = set()
        for scenario in message.library.scenarios:
            if scenario.id in seen:  # the first file found wins, as in Library.get
                continue
            seen.add(scenario.id)
            self._by_option[scenario.id] = scenario
            if options.option_count:
                options.add_option(None)  # a separator line between two-line entries
            options.add_option(Option(scenario_prompt(scenario), id=scenario.id))
        for entry in message.library.broken:
            key = BROKEN_PREFIX + str(entry.path)
            self._by_option[key] = entry
            if options.option_count:
                options.add_option(None)
            options.add_option(Option(broken_prompt(entry), id=key, disabled=True))
        if not seen:
            self.query_one("#preview", Static).update(
                Content("No scenarios could be loaded. Add *.scenario.yaml files and press Ctrl+R.")
            )
        else:
            options.highlighted = 0
        options.focus()
        self.app.library_ready(message.library)  # type: ignore[attr-defined]

    def select(self, scenario_id: str) -> bool:
        """Highlight a scenario by id (tests and --scenario use this); False if it is not listed."""
        options = self.query_one("#scenarios", OptionList)
        try:
            options.highlighted = options.get_option_index(scenario_id)
        except OptionDoesNotExist:
            return False
        return True

    @property
    def highlighted_id(self) -> str | None:
        options = self.query_one("#scenarios", OptionList)
        if options.highlighted is None:
            return None
        return options.get_option_at_index(options.highlighted).id

    @on(OptionList.OptionHighlighted, "#scenarios")
    def _preview(self, event: OptionList.OptionHighlighted) -> None:
        item = self._by_option.get(event.option.id or "")
        preview = self.query_one("#preview", Static)
        if item is None:
            preview.update("")
        elif hasattr(item, "problems"):
            lines = [f"⚠ {item.path}", "", "This file could not be loaded:"]  # type: ignore[union-attr]
            lines += [f"  line {p.line}:{p.col}  {p.message}" for p in item.problems[:8]]  # type: ignore[union-attr]
            preview.update(Content("\n".join(lines)))
        else:
            preview.update(preview_content(item))  # type: ignore[arg-type]

    @on(OptionList.OptionSelected, "#scenarios")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        item = self._by_option.get(self.highlighted_id or "")
        if item is None or hasattr(item, "problems"):
            return
        self.app.open_briefing(item)  # type: ignore[attr-defined]

    def action_reload(self) -> None:
        self.app.preset_library = None  # type: ignore[attr-defined]  # a reload always looks at the files
        self.query_one("#picker-loading").display = True
        self.query_one("#scenarios").display = False
        preset = getattr(self.app, "preset_library", None)
        if preset is not None:
            self.post_message(LibraryLoaded(preset))
        else:
            self.load_library()


def preview_content(scenario: Scenario) -> Content:
    """The right-hand pane: summary, setting and challenge titles of the highlighted scenario."""
    challenges = ", ".join(CHALLENGE_TITLES.get(c, str(c)) for c in scenario.challenges) or "none"
    parts: list[str | tuple[str, str]] = [
        (scenario.title, "bold"),
        "\n\n",
        scenario.summary.strip(),
        "\n\n",
        ("Difficulty: ", "bold"),
        scenario.difficulty,
        "\n",
        ("Challenges: ", "bold"),
        challenges,
    ]
    if scenario.content_warnings:
        parts += [
            "\n",
            ("Content warnings: ", "bold"),
            str(len(scenario.content_warnings)),
            " (see the briefing)",
        ]
    parts += ["\n\n", ("Enter", "bold"), " opens the briefing."]
    return Content.assemble(*parts)
