"""Command palette (Ctrl+P): commands that fit the screen it was opened from, named "group: verb"."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

Command = tuple[str, str, Callable[[], object]]


class ListedCommands(Provider):
    """A palette provider over a fixed list of ``(title, help, callback)`` commands from :meth:`_commands`."""

    def _commands(self) -> Iterator[Command]:
        return iter(())

    async def discover(self) -> Hits:
        for title, help_text, command in self._commands():
            yield DiscoveryHit(title, command, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, command in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), command, help=help_text)


class MhsimCommands(ListedCommands):
    """Context commands: scenarios on the library, start on the briefing, end on the encounter, export on the
    debrief, compare in the history, save in the settings; and everywhere the places and themes."""

    def _screen_commands(self) -> Iterator[Command]:
        from .screens import (
            BriefingScreen,
            DebriefScreen,
            EncounterScreen,
            HistoryScreen,
            PreviewScreen,
            ScenarioPicker,
            SettingsScreen,
        )

        screen = self.screen
        app = self.app
        if isinstance(screen, ScenarioPicker) and screen.library is not None:
            for scenario_id in screen.listed_ids:
                scenario = screen.library.get(scenario_id)
                yield (
                    f"scenario: open {scenario.title}",
                    f"Read the briefing ({scenario.difficulty}, {scenario.language}).",
                    partial(app.open_briefing, scenario),  # type: ignore[attr-defined]
                )
            yield ("library: search", "Search and filter the scenarios (/).", screen.action_search)
            yield ("library: reload", "Look for scenario files again.", screen.action_reload)
            for level in ("beginner", "intermediate", "advanced"):
                yield (
                    f"library: show only {level}",
                    f"Filter the library to {level} scenarios.",
                    partial(_set_search, screen, f"d:{level}"),
                )
        elif isinstance(screen, BriefingScreen):
            yield ("session: start", "Start the encounter with this patient.", screen.action_start)
            yield ("scenario: choose another", "Back to the scenario library.", screen.action_back)
        elif isinstance(screen, PreviewScreen):
            yield ("preview: reload", "Reload the scenario file and replay your lines.", screen.action_reload)
            yield ("preview: start over", "Clear the conversation.", screen.action_restart)
            yield ("session: end", "End and show the debrief of this preview.", screen.action_end_session)
        elif isinstance(screen, EncounterScreen):
            yield (
                "session: end",
                "End the encounter: the patient says goodbye, then your debrief opens.",
                screen.action_end_session,
            )
            yield ("debrief: show", "End now and open the debrief.", screen.end_session)
            if screen.coach_mode != "assessment":
                yield ("coach: show or hide", "Toggle the coach panel (Ctrl+T).", screen.action_toggle_coach)
            yield ("reflect: write a note", "Pause the clock and write a reflection note (Ctrl+N).", screen.action_reflect)
            if screen.session.pending is not None and not screen.streaming:
                yield ("reply: retry", "Ask the patient engine for the reply again.", screen.action_retry)
            yield ("session: pause and quit", "Save the session for resuming and quit.", app.action_quit)
        elif isinstance(screen, DebriefScreen):
            yield ("export: debrief as Markdown", "Save the debrief as a .md file (x).", partial(screen.action_export, "md"))
            yield ("export: session as JSON", "Save the whole session as a .json file (j).", partial(screen.action_export, "json"))
            yield ("copy: debrief to clipboard", "Copy the Markdown debrief (c).", screen.action_copy)
            for tab, title in (
                ("tab-scores", "scores"),
                ("tab-ledger", "disclosure ledger"),
                ("tab-transcript", "transcript"),
                ("tab-notes", "notes and better replies"),
            ):
                yield (f"debrief: show {title}", f"Open the {title} tab.", partial(screen.action_tab, tab))
            yield ("reflect: write a note", "Add a reflection note to this session.", screen.action_reflect)
        elif isinstance(screen, HistoryScreen):
            yield ("history: open", "Open the highlighted session (Enter).", screen.action_open)
            yield ("history: mark for compare", "Mark or unmark the highlighted session (Space).", screen.action_mark)
            yield ("history: compare", "Compare two marked attempts at one scenario (c).", screen.action_compare)
            yield ("export: listed sessions", "Save every listed session as Markdown and JSON (x).", screen.action_export)
        elif isinstance(screen, SettingsScreen):
            yield ("settings: save", "Save the settings (Ctrl+S).", screen.action_save)

    def _commands(self) -> Iterator[Command]:
        app = self.app
        yield from self._screen_commands()
        if not app.in_encounter:  # type: ignore[attr-defined]
            yield ("go: library", "The scenario library (F2).", app.action_library)  # type: ignore[attr-defined]
            yield ("go: history", "Your past sessions (F3).", app.action_history)  # type: ignore[attr-defined]
            yield ("go: settings", "Engine, model, theme, coach, data location (F4).", app.action_settings)  # type: ignore[attr-defined]
        for name in ("mhsim-high-contrast", "mhsim-high-contrast-light", "textual-dark", "textual-light"):
            if name in app.available_themes and name != app.theme:
                yield (f"theme: {name}", "Switch theme for now (Settings saves it).", partial(setattr, app, "theme", name))
        yield ("help: keys", "Help for this screen and its keys (F1).", app.action_help)  # type: ignore[attr-defined]


def _set_search(screen, text: str) -> None:
    from textual.widgets import Input

    screen.query_one("#library-search", Input).value = text
