"""Command palette (Ctrl+P): commands that fit the screen it was opened from, named "group: verb"."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider


class MhsimCommands(Provider):
    """Context commands: scenarios on the library, start on the briefing, end on the encounter, ..."""

    def _commands(self) -> Iterator[tuple[str, str, Callable[[], object]]]:
        from .screens import BriefingScreen, DebriefScreen, EncounterScreen, ScenarioPicker

        screen = self.screen
        app = self.app
        if isinstance(screen, ScenarioPicker) and screen.library is not None:
            for scenario in screen.library.scenarios:
                yield (
                    f"scenario: open {scenario.title}",
                    f"Read the briefing ({scenario.difficulty}).",
                    partial(app.open_briefing, scenario),  # type: ignore[attr-defined]
                )
            yield ("library: reload", "Look for scenario files again.", screen.action_reload)
        elif isinstance(screen, BriefingScreen):
            yield ("session: start", "Start the encounter with this patient.", screen.action_start)
            yield ("scenario: choose another", "Back to the scenario library.", screen.action_back)
        elif isinstance(screen, EncounterScreen):
            yield (
                "session: end",
                "End the encounter: the patient says goodbye, then your debrief opens.",
                screen.action_end_session,
            )
            yield ("debrief: show", "End now and open the debrief.", screen.end_session)
            if screen.session.pending is not None and not screen.streaming:
                yield ("reply: retry", "Ask the patient engine for the reply again.", screen.action_retry)
            yield ("session: pause and quit", "Save the session for resuming and quit.", app.action_quit)
        elif isinstance(screen, DebriefScreen):
            yield (
                "debrief: transcript",
                "Show or hide the numbered transcript.",
                screen.action_toggle_transcript,
            )
            yield ("scenario: library", "Back to the scenario library.", screen.action_new)
        yield ("help: keys", "Show the keys of this screen (F1).", app.action_help)  # type: ignore[attr-defined]

    async def discover(self) -> Hits:
        for title, help_text, command in self._commands():
            yield DiscoveryHit(title, command, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, command in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), command, help=help_text)
