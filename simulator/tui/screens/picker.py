"""The scenario library: built-in and the user's scenarios, searchable, with broken files and id conflicts listed.

The library is read in a thread worker after the first paint, with a progress bar; the configuration (user
scenario folders, engine, theme) is read there too, so start-up does not wait for either.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option, OptionDoesNotExist

from simulator.codes import CHALLENGE_TITLES

from ...wording import counted
from ..data import scenario_matches
from ..messages import LibraryLoaded, LibraryProgress

if TYPE_CHECKING:
    from simulator.library import Entry, Library
    from simulator.scenario import Scenario

BROKEN_PREFIX = "broken:"
# Short names for the list; the preview and the briefing give the full titles.
SHORT_TAGS = {
    "access_equity": "access",
    "privacy_security": "privacy",
    "ethics_boundaries": "ethics",
    "accuracy_reliability": "accuracy",
    "integration": "EHR",
    "resistance_to_change": "change",
    "evidence_base": "evidence",
}
SHADOWED_PREFIX = "shadowed:"


def scenario_prompt(scenario: Scenario, yours: bool = False, width: int | None = None) -> Content:
    """Two lines: the title, then difficulty, language and challenge tags (plain text, never markup).

    With ``width`` (the list's text width) the tag line is wrapped here, so its wrapped rows keep the indent.
    """
    tags = ", ".join(SHORT_TAGS.get(str(c), str(c)) for c in scenario.challenges) or "no challenge tags"
    marks = " ⚠" if scenario.content_warnings else ""
    return Content.assemble(
        (scenario.title, "bold"),
        (" (your folder)" if yours else "", "italic"),
        marks,
        "\n",
        (detail_lines(f"{scenario.difficulty} · {scenario.language} · {tags}", width), "dim"),
    )


def detail_lines(text: str, width: int | None) -> str:
    """An option's second line, indented by two; wrapped here to ``width`` so the wrapped rows keep the indent."""
    if width is not None and width > 12:
        text = "\n".join(textwrap.wrap(text, width - 2, break_on_hyphens=False))
    return textwrap.indent(text, "  ")


def broken_prompt(entry: Entry, width: int | None = None) -> Content:
    """Two lines: the file name marked as broken, then its first problem."""
    first = entry.problems[0] if entry.problems else None
    where = f"line {first.line}: {first.message}" if first else "could not be loaded"
    more = f" (+{len(entry.problems) - 1} more)" if len(entry.problems) > 1 else ""
    return Content.assemble(
        (f"✘ broken: {entry.path.name}", "bold"),
        "\n",
        (detail_lines(f"{where}{more}", width), "dim"),
    )


def shadowed_prompt(entry: Entry, winner: Path, width: int | None = None) -> Content:
    assert entry.scenario is not None
    return Content.assemble(
        (f"≠ same id as another file: {entry.path.name}", "bold"),
        "\n",
        (detail_lines(f"'{entry.scenario.id}' is taken by {winner.name}; this file is not used", width), "dim"),
    )


def discover(extra: list[Path], post) -> Library:
    """Read every scenario file, posting progress; the same rules as ``Library.discover``."""
    from simulator.library import (
        Entry,
        Library,
        known_rubric_ids,
        load_scenario,
        scenario_dirs,
        scenario_files,
    )
    from simulator.yamlfile import FileProblems

    ids = known_rubric_ids()
    files = [
        (path, builtin)
        for folder, builtin in scenario_dirs(extra)
        if folder.is_dir()
        for path in scenario_files([folder])
    ]
    total = len(files)
    post(LibraryProgress(0, total))
    entries = []
    for done, (path, builtin) in enumerate(files, 1):
        entry = Entry(path=path, builtin=builtin)
        try:
            entry.scenario = load_scenario(path, ids)
        except FileProblems as exc:
            entry.problems = exc.problems
        except OSError as exc:  # unreadable file: listed as broken, like a file with errors
            from simulator.yamlfile import Problem

            entry.problems = [Problem(str(path), 1, 1, f"cannot read the file: {exc.strerror or exc}")]
        entries.append(entry)
        post(LibraryProgress(done, total))
    return Library(entries)


class ScenarioPicker(Screen[None]):
    """The library: search, browse, and open a scenario's briefing."""

    HELP: ClassVar[str] = (
        "Choose a scenario to rehearse. Each shows its difficulty, language and which of the seven challenges "
        "of AI in mental-health care it touches; ⚠ means it has content warnings (listed on the right and in the "
        "briefing). **/** searches: type words, or filters such as `tag:privacy`, `d:beginner`, `lang:en`, "
        "`rubric:mi`. Files marked **✘ broken** could not be loaded: highlight one to see every problem with "
        "its line. **≠** marks a file whose id another file already uses. **F3** opens your history, **F4** "
        "the settings."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter",
            "open",
            "Open",
            id="library.open",
            tooltip="Read the briefing of the highlighted scenario.",
            priority=True,  # before the list's own Enter, so the footer shows it
        ),
        Binding("slash", "search", "Search", id="library.search", tooltip="Search and filter the library."),
        Binding("ctrl+r", "reload", "Reload", id="library.reload", tooltip="Look for scenario files again."),
        Binding("l", "open_lab", "Failure lab", id="library.lab", tooltip="The AI failure lab."),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.library: Library | None = None
        self._by_option: dict[str, Scenario | Entry] = {}
        self._winners: dict[str, Path] = {}
        self._shadowed: list[Entry] = []
        self._builtin: dict[str, bool] = {}
        self._listed_width: int | None = None  # the text width the list was last wrapped to

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="/ search: words, tag:privacy, d:beginner, lang:en, rubric:mi", id="library-search")
        yield ProgressBar(id="library-progress", show_eta=False)
        with Horizontal(id="picker-body"):
            yield OptionList(id="scenarios")
            with VerticalScroll(id="picker-preview"):
                yield Static(id="preview")
        yield Static(id="library-count")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Scenario library"
        self.query_one("#scenarios").display = False
        self.query_one("#library-count", Static).update(Content("Reading the scenario library…"))
        # After the first paint: the reading thread competes for the interpreter with the first frame.
        self.call_after_refresh(self._load)

    def _load(self) -> None:
        preset = getattr(self.app, "preset_library", None)
        if preset is not None:
            self.post_message(LibraryLoaded(preset, config=self.app.config))  # type: ignore[attr-defined]
        else:
            self.load_library()

    @work(thread=True, exclusive=True, group="library", exit_on_error=False)
    def load_library(self) -> None:
        """Read the configuration and the scenario files off the UI loop, then post the result."""
        config, problems = self.app.read_config()  # type: ignore[attr-defined]
        extra = [*config.scenario_dirs, *self.app.extra_dirs]  # type: ignore[attr-defined]
        try:
            library = discover(extra, self.post_message)
        except Exception as exc:  # noqa: BLE001 - a bug in discovery must not stop the app from starting
            self.post_message(
                LibraryLoaded(None, f"Could not read the scenario library: {exc}", config, problems)
            )
            return
        self.post_message(LibraryLoaded(library, config=config, config_problems=problems))

    @on(LibraryProgress)
    def _progress(self, message: LibraryProgress) -> None:
        bar = self.query_one("#library-progress", ProgressBar)
        bar.update(total=max(1, message.total), progress=message.done)
        self.query_one("#library-count", Static).update(
            Content(f"Reading scenario files: {message.done} of {message.total}…")
        )

    @on(LibraryLoaded)
    def _show_library(self, message: LibraryLoaded) -> None:
        if message.config is not None:
            self.app.apply_config(message.config, message.config_problems)  # type: ignore[attr-defined]
        self.query_one("#library-progress").display = False
        options = self.query_one("#scenarios", OptionList)
        options.display = True
        if message.library is None:
            self.notify(
                f"{message.error}\nCheck the scenario folders in Settings (F4), then press Ctrl+R.",
                severity="error",
                timeout=10,
            )
            return
        self.library = message.library
        self.app.library = message.library  # type: ignore[attr-defined]
        self._winners = {}
        self._shadowed = []
        self._builtin = {}
        for entry in message.library.entries:
            if entry.scenario is None:
                continue
            if entry.scenario.id in self._winners:
                self._shadowed.append(entry)  # the first file found wins, as in Library.get
            else:
                self._winners[entry.scenario.id] = entry.path
                self._builtin[entry.scenario.id] = entry.builtin
        self.refilter()
        options.focus()
        self.app.library_ready(message.library)  # type: ignore[attr-defined]

    # -- listing and searching ------------------------------------------------------------------------

    @property
    def _text_width(self) -> int | None:
        """Columns for an option's text: the list's width less its scrollbar (None before the first layout)."""
        options = self.query_one("#scenarios", OptionList)
        width = options.content_region.width - options.styles.scrollbar_size_vertical - 2  # 2: the option's padding
        return width if width > 0 else None

    def on_resize(self) -> None:
        self._relist()

    def _relist(self) -> None:
        """List again when the width is known or changed (the tag lines are wrapped to it)."""
        width = self._text_width
        if self.library is not None and width is not None and width != self._listed_width:
            self.refilter()

    @property
    def query_text(self) -> str:
        return self.query_one("#library-search", Input).value

    def refilter(self) -> None:
        """List what matches the search: scenarios, then files with the same id as another, then broken ones."""
        if self.library is None:
            return
        options = self.query_one("#scenarios", OptionList)
        keep = self.highlighted_id
        query = self.query_text.strip()
        options.clear_options()
        self._by_option.clear()
        width = self._listed_width = self._text_width
        if width is None:  # listed before the first layout: list again once the list has its width
            self.call_after_refresh(self._relist)
        shown = 0
        seen: set[str] = set()
        for scenario in self.library.scenarios:
            if scenario.id in seen:
                continue
            seen.add(scenario.id)
            if query and not scenario_matches(scenario, query):
                continue
            self._by_option[scenario.id] = scenario
            if options.option_count:
                options.add_option(None)  # a separator line between two-line entries
            yours = not self._builtin.get(scenario.id, True)
            options.add_option(Option(scenario_prompt(scenario, yours, width), id=scenario.id))
            shown += 1
        if not query:
            for entry in self._shadowed:
                key = SHADOWED_PREFIX + str(entry.path)
                self._by_option[key] = entry
                options.add_option(None)
                assert entry.scenario is not None
                options.add_option(Option(shadowed_prompt(entry, self._winners[entry.scenario.id], width), id=key))
            for entry in self.library.broken:
                key = BROKEN_PREFIX + str(entry.path)
                self._by_option[key] = entry
                if options.option_count:
                    options.add_option(None)
                options.add_option(Option(broken_prompt(entry, width), id=key))
        total = len(seen)
        broken = len(self.library.broken)
        count = f"{shown} of {counted(total, 'scenario')}" if query else counted(total, "scenario")
        if broken:
            count += f" · ✘ {broken} broken file{'s' if broken != 1 else ''}"
        if self._shadowed:
            count += f" · ≠ {len(self._shadowed)} id conflict{'s' if len(self._shadowed) != 1 else ''}"
        self.query_one("#library-count", Static).update(Content(count))
        preview = self.query_one("#preview", Static)
        if not options.option_count:
            preview.update(
                Content(
                    "Nothing matches this search. Esc clears it."
                    if query
                    else "No scenarios could be loaded. Add *.scenario.yaml files to your scenario folder "
                    "(mhsim locate scenarios) and press Ctrl+R."
                )
            )
            return
        if keep is None or not self.select(keep):
            options.highlighted = 0

    @on(Input.Changed, "#library-search")
    def _search_changed(self) -> None:
        self.refilter()

    @on(Input.Submitted, "#library-search")
    def _search_done(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#scenarios", OptionList).focus()

    def action_search(self) -> None:
        self.query_one("#library-search", Input).focus()

    def key_escape(self) -> None:
        search = self.query_one("#library-search", Input)
        if search.value or search.has_focus:
            search.value = ""
            self.query_one("#scenarios", OptionList).focus()

    def select(self, scenario_id: str) -> bool:
        """Highlight an entry by id (tests and --scenario use this); False if it is not listed."""
        options = self.query_one("#scenarios", OptionList)
        try:
            options.highlighted = options.get_option_index(scenario_id)
        except OptionDoesNotExist:
            return False
        return True

    @property
    def highlighted_id(self) -> str | None:
        options = self.query_one("#scenarios", OptionList)
        if options.highlighted is None or not options.option_count:
            return None
        return options.get_option_at_index(options.highlighted).id

    @property
    def listed_ids(self) -> list[str]:
        """Ids of the scenarios listed now (after the search), in order."""
        return [key for key, item in self._by_option.items() if not hasattr(item, "problems")]

    @on(OptionList.OptionHighlighted, "#scenarios")
    def _preview(self, event: OptionList.OptionHighlighted) -> None:
        key = event.option.id or ""
        item = self._by_option.get(key)
        preview = self.query_one("#preview", Static)
        if item is None:
            preview.update("")
        elif key.startswith(BROKEN_PREFIX):
            lines = [f"✘ {item.path}", "", "This file could not be loaded. Its problems:"]  # type: ignore[union-attr]
            lines += [f"  line {p.line}:{p.col}  {p.message}" for p in item.problems[:20]]  # type: ignore[union-attr]
            lines += ["", "Fix the file and press Ctrl+R. `mhsim scenarios validate` lists the same problems."]
            preview.update(Content("\n".join(lines)))
        elif key.startswith(SHADOWED_PREFIX):
            scenario = item.scenario  # type: ignore[union-attr]
            lines = [
                f"≠ {item.path}",  # type: ignore[union-attr]
                "",
                (
                    f"This file's id '{scenario.id}' is already used by {self._winners[scenario.id]}, which is the "
                    "one the library opens. Give this file another id to use it."
                ),
            ]
            preview.update(Content("\n".join(lines)))
        else:
            path = self._winners.get(key)
            preview.update(preview_content(item, path, self._builtin.get(key, True)))  # type: ignore[arg-type]

    @on(OptionList.OptionSelected, "#scenarios")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        if self.query_one("#library-search", Input).has_focus:
            self.query_one("#scenarios", OptionList).focus()
            return
        key = self.highlighted_id or ""
        item = self._by_option.get(key)
        if item is None:
            return
        if key.startswith((BROKEN_PREFIX, SHADOWED_PREFIX)):
            self.notify(
                "This file cannot be opened: its problems are listed on the right. Fix it and press Ctrl+R.",
                severity="warning",
            )
            return
        self.app.open_briefing(item)  # type: ignore[attr-defined]

    def action_open_lab(self) -> None:
        from ..lab import open_lab

        open_lab(self.app)

    def action_reload(self) -> None:
        self.app.preset_library = None  # type: ignore[attr-defined]  # a reload always looks at the files
        bar = self.query_one("#library-progress", ProgressBar)
        bar.update(total=None, progress=0)
        bar.display = True
        self._load()


def preview_content(scenario: Scenario, path: Path | None = None, builtin: bool = True) -> Content:
    """The right-hand pane: summary, difficulty, language, challenges, rubrics and content warnings."""
    challenges = ", ".join(CHALLENGE_TITLES.get(c, str(c)) for c in scenario.challenges) or "none"
    parts: list[str | tuple[str, str]] = [
        (scenario.title, "bold"),
        "\n\n",
        scenario.summary.strip(),
        "\n\n",
        ("Difficulty: ", "bold"),
        scenario.difficulty,
        "\n",
        ("Language: ", "bold"),
        scenario.language,
        "\n",
        ("Challenges: ", "bold"),
        challenges,
        "\n",
        ("Rubrics: ", "bold"),
        ", ".join(scenario.rubrics),
        "\n",
        ("Content warnings: ", "bold"),
        "; ".join(scenario.content_warnings) if scenario.content_warnings else "none",
    ]
    if path is not None:
        parts += ["\n", ("Source: ", "bold"), "built-in" if builtin else str(path)]
    parts += ["\n\n", ("Enter", "bold"), " opens the briefing."]
    return Content.assemble(*parts)
