"""The AI failure lab's screens: the lab home, one screen per exercise, results, and the palette command.

Entered from the app with the palette command "lab: open" or the library screen's key (both call
:func:`open_lab`). This module stays light so the app can register :class:`LabCommands` at start-up; the screens
are imported only when the lab is opened.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from textual.app import App

from ..commands import ListedCommands

_SCREENS = ("CaseListScreen", "LabHomeScreen", "MarkdownScreen", "exercise_screen", "open_case")


def __getattr__(name: str) -> Any:
    if name in _SCREENS:
        from . import home

        return getattr(home, name)
    raise AttributeError(name)


def open_lab(app: App[Any]) -> None:
    """Push the lab home (not during an encounter; back to it if it is already open)."""
    from .home import LabHomeScreen

    if getattr(app, "in_encounter", False):
        app.notify("Finish or pause the session first (Ctrl+E ends it, Ctrl+Q pauses and quits).", timeout=5)
        return
    for screen in app.screen_stack:
        if isinstance(screen, LabHomeScreen):
            while app.screen is not screen:
                app.pop_screen()
            return
    app.push_screen(LabHomeScreen())


class LabCommands(ListedCommands):
    """Palette command "lab: open" (everywhere but an encounter)."""

    def _commands(self) -> Iterator[tuple[str, str, Callable[[], object]]]:
        app = self.app
        if getattr(app, "in_encounter", False):
            return
        yield (
            "lab: open",
            "The AI failure lab: spot failures, inbox, regenerate, vendor update, procurement, live probe.",
            lambda: open_lab(app),
        )


__all__ = [
    "CaseListScreen",
    "LabCommands",
    "LabHomeScreen",
    "MarkdownScreen",
    "exercise_screen",
    "open_case",
    "open_lab",
]
