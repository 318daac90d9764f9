"""The mhsim Textual app: library → briefing → encounter → debrief.

Start-up stays fast: the library is discovered in a thread worker after the first paint, the session store is
opened only when a session starts, and no LLM library is imported here.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.app import App
from textual.binding import Binding

from .commands import MhsimCommands
from .screens import BriefingScreen, DebriefScreen, EncounterScreen, HelpScreen, ScenarioPicker

if TYPE_CHECKING:
    from simulator.engine import PatientEngine
    from simulator.library import Library
    from simulator.scenario import Scenario
    from simulator.session import Session
    from simulator.store import Store

APP_HELP = (
    "**mhsim** rehearses mental-health conversations with a simulated patient. "
    "F1 shows this help, Ctrl+P the command palette, Ctrl+Q pauses any session and quits."
)


class MhsimApp(App[None]):
    """The trainee's app.

    Args:
        scenario_id: open this scenario's briefing as soon as the library is loaded.
        resume_id: resume this interrupted session (needs the store).
        extra_dirs: more folders of ``*.scenario.yaml`` files.
        library: an already discovered library (skips discovery; tests pin the listing with it).
        chunk_delay: seconds between words of a scripted reply (0 in tests: instant).
        store: a ``Store``; ``None`` opens the default store when a session starts; ``False`` never stores.
        engine: the patient engine (default: the scripted engine).
        seed: seed for the scripted patient's choice of lines.
        trainee: the trainee's pseudonym for the session record.
        goodbye_pause: seconds the patient's goodbye stays on screen before the debrief (default: 1.2 s when
            replies are paced, 0 otherwise).
    """

    TITLE = "mhsim"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {MhsimCommands}
    BINDINGS: ClassVar = [
        Binding("f1", "help", "Help", id="app.help", tooltip="What this screen is for and its keys."),
        Binding(
            "ctrl+q",
            "quit",
            "Quit",
            id="app.quit",
            tooltip="Quit. A session in progress is saved as interrupted and can be resumed.",
            priority=True,
        ),
        Binding("ctrl+c", "help_quit", show=False, system=True),
    ]

    def __init__(
        self,
        *,
        scenario_id: str | None = None,
        resume_id: str | None = None,
        extra_dirs: Sequence[Path | str] = (),
        library: Library | None = None,
        chunk_delay: float = 0.02,
        store: Store | bool | None = None,
        engine: PatientEngine | None = None,
        seed: int = 0,
        trainee: str = "trainee",
        goodbye_pause: float | None = None,
    ) -> None:
        super().__init__()
        self.scenario_id = scenario_id
        self.resume_id = resume_id
        self.extra_dirs = tuple(Path(d) for d in extra_dirs)
        self.chunk_delay = chunk_delay
        self._store_setting = store
        self._store: Store | None = store if store not in (None, False, True) else None  # type: ignore[assignment]
        self._store_failed = False
        self._engine = engine
        self.seed = seed
        self.trainee = trainee
        self.goodbye_pause = goodbye_pause if goodbye_pause is not None else (1.2 if chunk_delay > 0 else 0.0)
        self.preset_library = library
        self.library: Library | None = None
        self.session: Session | None = None

    def get_default_screen(self) -> ScenarioPicker:
        # The library is the bottom of the stack: every "back" ends there.
        return ScenarioPicker()

    # -- services -------------------------------------------------------------------------------------

    def make_engine(self) -> PatientEngine:
        if self._engine is not None:
            return self._engine
        from simulator.engine import ScriptedEngine

        return ScriptedEngine(chunk_delay=self.chunk_delay)

    @property
    def engine_name(self) -> str:
        return self._engine.name if self._engine is not None else "scripted"

    def get_store(self) -> Store | None:
        """The session store, opened on first use; None (with a notice) when storing is off or failed."""
        if self._store is not None or self._store_setting is False or self._store_failed:
            return self._store
        try:
            from simulator.store import Store, StoreError
        except ImportError as exc:  # the store module is missing: run without storing
            self._store_failed = True
            self.notify(f"Sessions will not be saved: {exc}", severity="warning", timeout=10)
            return None
        try:
            store = Store.open_default()
            store.mark_stale_active_as_interrupted()
        except StoreError as exc:
            self._store_failed = True
            self.notify(
                f"{exc}\nThis session will not be saved.",
                title="Running without storing",
                severity="warning",
                timeout=12,
            )
            return None
        self._store = store
        return store

    # -- navigation -----------------------------------------------------------------------------------

    def library_ready(self, library: Library) -> None:
        """Called by the picker once the library is loaded: honour --scenario / resume."""
        self.library = library
        if self.resume_id:
            resume_id, self.resume_id = self.resume_id, None
            self.resume_session(resume_id)
        elif self.scenario_id:
            scenario_id, self.scenario_id = self.scenario_id, None
            try:
                scenario = library.get(scenario_id)
            except LookupError as exc:
                self.notify(str(exc), severity="error", timeout=10)
                return
            picker = self.screen
            if isinstance(picker, ScenarioPicker):
                picker.select(scenario.id)
            self.open_briefing(scenario)

    def open_briefing(self, scenario: Scenario) -> None:
        self.push_screen(BriefingScreen(scenario, self.engine_name))

    def start_session(self, scenario: Scenario) -> None:
        """Create the session (opening the store now, not at start-up) and replace the briefing with it."""
        from simulator.session import Session

        self.session = Session(
            scenario, engine=self.make_engine(), store=self.get_store(), seed=self.seed, trainee=self.trainee
        )
        self.switch_screen(EncounterScreen(self.session))

    def resume_session(self, session_id: str) -> None:
        """Rebuild an interrupted session from the store and continue it."""
        from simulator.session import Session

        store = self.get_store()
        if store is None or self.library is None:
            self.notify("Cannot resume: the session store is not available.", severity="error")
            return
        try:
            info = store.session(store.resolve_id(session_id))
            scenario = self.library.get(info.scenario_id)
            self.session = Session.resume(store, info.id, scenario, engine=self.make_engine())
        except (KeyError, LookupError, ValueError) as exc:
            self.notify(f"Cannot resume: {exc}", severity="error", timeout=10)
            return
        self.push_screen(EncounterScreen(self.session))

    def show_debrief(self, session: Session, after_goodbye: bool = False) -> None:
        """Replace the encounter with the debrief (after a short pause so the goodbye can be read)."""

        def switch() -> None:
            self.switch_screen(DebriefScreen(session))

        if after_goodbye and self.goodbye_pause > 0:
            self.set_timer(self.goodbye_pause, switch)
        else:
            switch()

    def back_to_library(self) -> None:
        while len(self.screen_stack) > 1 and not isinstance(self.screen, ScenarioPicker):
            self.pop_screen()

    # -- help and quitting ----------------------------------------------------------------------------

    def action_help(self) -> None:
        """F1: the current screen's purpose and every key that works on it."""
        screen = self.screen
        if isinstance(screen, HelpScreen):
            return
        keys: list[tuple[str, str]] = []
        seen: set[tuple[str, str]] = set()
        for active in screen.active_bindings.values():
            binding = active.binding
            # Only mhsim's own keys (their ids look like "encounter.send"), not Textual's scroll/focus keys.
            if binding.system or not binding.description or "." not in (binding.id or ""):
                continue
            text = binding.description
            if binding.tooltip and binding.tooltip != binding.description:
                text = f"{text}: {binding.tooltip}"
            row = (self.get_key_display(binding), text)
            if row not in seen:
                seen.add(row)
                keys.append(row)
        keys.append(("^p", "Command palette: every command for this screen."))
        blurb = getattr(screen, "HELP", "") or APP_HELP
        title = f"Help · {screen.sub_title or self.title}"
        self.push_screen(HelpScreen(title, blurb, keys))

    def pause_session(self) -> None:
        """Mark an unfinished session interrupted so it can be resumed."""
        if self.session is not None and self.session.info.status == "active":
            self.session.interrupt()

    async def action_quit(self) -> None:
        self.pause_session()
        self.exit()

    @property
    def paused_session_id(self) -> str | None:
        """The id of a session left interrupted and stored (for the resume hint after exit)."""
        s = self.session
        if s is not None and s.info.status == "interrupted" and s.store is not None:
            return s.id
        return None


def run(
    *,
    scenario_id: str | None = None,
    resume_id: str | None = None,
    extra_dirs: Sequence[Path | str] = (),
) -> None:
    """Run the TUI (a bare ``mhsim``); print how to resume if a session was left unfinished."""
    app = MhsimApp(scenario_id=scenario_id, resume_id=resume_id, extra_dirs=extra_dirs)
    try:
        app.run()
    except KeyboardInterrupt:
        pass
    finally:
        app.pause_session()
    if app.paused_session_id:
        print(f"Session paused. Resume it with: mhsim sessions resume {app.paused_session_id[:10]}")
