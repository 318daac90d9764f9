"""The mhsim Textual app: library → briefing → encounter → debrief, with history and settings.

Start-up stays fast: the configuration and the library are read in a thread worker after the first paint (only
the theme and keymap are peeked at first, with the YAML parser alone), the session store is opened only when it
is needed, and no LLM library is imported here.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import App
from textual.binding import Binding

from .commands import MhsimCommands
from .lab import LabCommands
from .screens import (
    BriefingScreen,
    ConfirmScreen,
    DebriefScreen,
    EncounterScreen,
    HelpScreen,
    HistoryScreen,
    ScenarioPicker,
    SettingsScreen,
)
from .themes import DEFAULT_THEME, THEMES

if TYPE_CHECKING:
    from simulator.config import Config
    from simulator.engine import PatientEngine
    from simulator.library import Library
    from simulator.scenario import Scenario
    from simulator.session import Session
    from simulator.store import Store

    from .data import Note

APP_HELP = (
    "**mhsim** rehearses mental-health conversations with a simulated patient. "
    "F1 shows help for where you are, Ctrl+P the command palette, F2 the library, F3 your history, "
    "F4 the settings. Ctrl+Q pauses any session and quits."
)


def peek_config() -> dict[str, Any]:
    """Theme and keymap from the config file with the YAML parser alone (fast; validated later in a worker)."""
    from simulator.paths import locations

    override = os.environ.get("MHSIM_CONFIG_FILE")
    path = Path(override).expanduser() if override else locations().config_file
    if not path.is_file():
        return {}
    try:
        import yaml

        data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except Exception:  # noqa: BLE001 - a missing or broken file is reported when it is validated
        return {}
    return data if isinstance(data, dict) else {}


class MhsimApp(App[None]):
    """The trainee's app.

    Args:
        scenario_id: open this scenario's briefing as soon as the library is loaded.
        resume_id: resume this interrupted session (needs the store).
        extra_dirs: more folders of ``*.scenario.yaml`` files (on top of the config's).
        library: an already discovered library (skips discovery; tests pin the listing with it).
        chunk_delay: seconds between words of a scripted reply (0 in tests: instant).
        store: a ``Store``; ``None`` opens the default store when needed; ``False`` never stores.
        engine: the patient engine (default: the one the configuration names).
        seed: seed for the scripted patient's choice of lines.
        trainee: the trainee's pseudonym (default: the configuration's).
        goodbye_pause: seconds the patient's goodbye stays on screen before the debrief (default: 1.2 s when
            replies are paced, 0 otherwise).
        config: the configuration to use instead of reading the config file (tests).
        clock: seconds for the encounter's elapsed time (tests freeze it).
        preview: a scenario file to open in the facilitator preview instead of the library.
    """

    TITLE = "mhsim"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {MhsimCommands, LabCommands}
    HORIZONTAL_BREAKPOINTS: ClassVar = [(0, "-narrow"), (100, "-wide")]
    BINDINGS: ClassVar = [
        Binding("f1", "help", "Help", id="app.help", tooltip="Help for where you are and its keys."),
        Binding("f2", "library", "Library", id="app.library", tooltip="The scenario library.", show=False),
        Binding("f3", "history", "History", id="app.history", tooltip="Your past sessions.", show=False),
        Binding("f4", "settings", "Settings", id="app.settings", tooltip="Engine, model, theme, coach, data.", show=False),
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
        trainee: str | None = None,
        goodbye_pause: float | None = None,
        config: Config | None = None,
        clock: Callable[[], float] = time.monotonic,
        preview: Path | str | None = None,
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
        self._trainee = trainee
        self.goodbye_pause = goodbye_pause if goodbye_pause is not None else (1.2 if chunk_delay > 0 else 0.0)
        self.preset_library = library
        self.library: Library | None = None
        self.library_loaded = asyncio.Event()  # set once the library screen has its scenarios (tests wait on it)
        self.session: Session | None = None
        self.config: Config | None = config
        self._config_given = config is not None
        self.config_problems: list[str] = []
        self.clock = clock
        self.preview = Path(preview) if preview is not None else None
        for theme in THEMES:
            self.register_theme(theme)
        peeked = peek_config() if config is None else config.model_dump(mode="json")
        self._apply_theme(peeked.get("theme"), quiet=True)
        keymap = peeked.get("keymap")
        if isinstance(keymap, dict):
            self.set_keymap({str(k): str(v) for k, v in keymap.items()})

    def get_default_screen(self):
        if self.preview is not None:
            return self._preview_screen(self.preview)
        # The library is the bottom of the stack: every "back" ends there.
        return ScenarioPicker()

    def _preview_screen(self, path: Path):
        """The facilitator preview of one scenario file (checked by ``mhsim preview`` before the app starts)."""
        from simulator.engine import ScriptedEngine
        from simulator.library import known_rubric_ids, load_scenario
        from simulator.session import Session

        from .screens.preview import PreviewScreen

        scenario = load_scenario(path, known_rubric_ids())
        session = Session(scenario, engine=ScriptedEngine(self.chunk_delay), store=None, seed=self.seed)
        return PreviewScreen(path, session)

    # -- configuration --------------------------------------------------------------------------------

    def read_config(self) -> tuple[Config, list[str]]:
        """The configuration to use, and its problems as ``file:line:col`` lines (safe in a thread)."""
        if self._config_given and self.config is not None:
            return self.config, []
        from simulator.config import Config, load_config
        from simulator.yamlfile import FileProblems

        try:
            return load_config(), []
        except FileProblems as exc:
            return Config(), [str(p) for p in exc.problems]
        except OSError as exc:
            return Config(), [f"cannot read the config file: {exc.strerror or exc}"]

    def apply_config(self, config: Config, problems: list[str] | None = None) -> None:
        """Use a configuration: theme, keymap (warning about unknown binding ids), problems as a notification."""
        self.config = config
        self.config_problems = list(problems or [])
        unknown: list[str] = []
        if not problems:  # a broken file keeps the theme and keys peeked at start-up rather than flashing back
            self._apply_theme(config.theme)
            unknown = sorted(set(config.keymap) - self.binding_ids())
            self.set_keymap(dict(config.keymap))
        if problems:
            self.notify(
                "Your config file has problems, so the defaults are used:\n"
                + "\n".join(problems[:4])
                + "\nFix the file, or open Settings (F4) and save to replace it.",
                title="Config file",
                severity="warning",
                timeout=15,
            )
        if unknown:
            self.notify(
                f"keymap: unknown binding id(s) {', '.join(unknown)}. F1 on a screen lists its keys; the ids are in "
                "the README.",
                severity="warning",
                timeout=10,
            )

    def _apply_theme(self, name: object, quiet: bool = False) -> None:
        if not isinstance(name, str) or not name:
            return
        if name in self.available_themes:
            self.theme = name
        elif not quiet:
            self.theme = DEFAULT_THEME
            self.notify(
                f"Theme {name!r} is not known, so {DEFAULT_THEME} is used. Choose one in Settings (F4).",
                severity="warning",
                timeout=8,
            )

    @staticmethod
    def binding_ids() -> set[str]:
        """Every binding id of mhsim's app, screens and widgets (the keys a keymap may remap)."""
        from textual.dom import DOMNode

        from .screens import SCREENS

        ids: set[str] = set()
        seen: set[type] = set()
        todo: list[type] = [MhsimApp, *SCREENS, DOMNode]
        while todo:
            owner = todo.pop()
            if owner in seen:
                continue
            seen.add(owner)
            todo.extend(owner.__subclasses__())
            if not owner.__module__.startswith("simulator."):
                continue
            for binding in owner.__dict__.get("BINDINGS", []):
                if isinstance(binding, Binding) and binding.id:
                    ids.add(binding.id)
        return ids

    @property
    def trainee(self) -> str:
        if self._trainee is not None:
            return self._trainee
        return self.config.trainee if self.config is not None else "trainee"

    @property
    def coach_mode(self) -> str:
        """``assessment`` (no feedback until the debrief), ``on`` or ``off`` (hidden; Ctrl+T shows it)."""
        config = self.config
        if config is None:
            return "on"
        if config.assessment_mode:
            return "assessment"
        return "on" if config.live_coach else "off"

    @property
    def config_scenario_dirs(self) -> list[Path]:
        return list(self.config.scenario_dirs) if self.config is not None else []

    # -- services -------------------------------------------------------------------------------------

    def engine_choice(self, scenario: Scenario):
        from .engines import engine_choice

        return engine_choice(self.config, scenario.id)

    def make_engine(self, scenario: Scenario) -> PatientEngine:
        """The engine for a new session (raises EngineUnavailable with what to do)."""
        if self._engine is not None:
            return self._engine
        from .engines import build_engine

        return build_engine(self.config, scenario.id, self.chunk_delay)

    @property
    def engine_name(self) -> str:
        return self._engine.name if self._engine is not None else "scripted"

    def get_store(self, quiet: bool = False) -> Store | None:
        """The session store, opened on first use; None (with a notice) when storing is off or failed."""
        if self._store is not None or self._store_setting is False or self._store_failed:
            return self._store
        from simulator.store import Store, StoreError

        try:
            store = Store.open_default()
            store.mark_stale_active_as_interrupted()
        except StoreError as exc:
            self._store_failed = True
            if not quiet:
                self.notify(
                    f"{exc}\nSessions will not be saved until this is fixed (then restart mhsim).",
                    title="Running without storing",
                    severity="warning",
                    timeout=12,
                )
            return None
        self._store = store
        return store

    # -- navigation -----------------------------------------------------------------------------------

    def library_ready(self, library: Library) -> None:
        """Called by the library screen once it is loaded: honour --scenario / resume."""
        self.library = library
        self.library_loaded.set()
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

    def reload_library(self) -> None:
        for screen in self.screen_stack:
            if isinstance(screen, ScenarioPicker):
                screen.action_reload()

    def open_briefing(self, scenario: Scenario) -> None:
        engine = self.engine_name if self._engine is not None else self.engine_choice(scenario)
        coach = {"on": "on", "off": "off (Ctrl+T shows it)", "assessment": "off: assessment mode, feedback in the debrief"}
        self.push_screen(BriefingScreen(scenario, engine, coach=coach[self.coach_mode]))

    def start_session(self, scenario: Scenario, *, consented: bool = False) -> None:
        """Create the session (opening the store now, not at start-up) and replace the briefing with it.

        Before the first reply from a remote model the trainee sees what will be sent and to whom, and agrees.
        """
        from simulator.session import Session

        from .engines import EngineUnavailable, consent_needed, record_consent

        if self._engine is None and not consented:
            needed = consent_needed(self.config, scenario)
            if needed is not None:
                who, text = needed

                def answered(yes: bool | None) -> None:
                    if not yes:
                        self.notify("Nothing was sent. Choose the scripted patient in Settings (F4) to stay offline.")
                        return
                    record_consent(who)
                    self.start_session(scenario, consented=True)

                self.push_screen(ConfirmScreen(text, yes="Agree and start", no="Not now", wide=True, safe=True), answered)
                return
        try:
            engine = self.make_engine(scenario)
        except EngineUnavailable as exc:
            self.notify(str(exc), title="The patient engine cannot start", severity="error", timeout=12)
            return
        self.session = Session(scenario, engine=engine, store=self.get_store(), seed=self.seed, trainee=self.trainee)
        self.switch_screen(EncounterScreen(self.session, coach=self.coach_mode))  # type: ignore[arg-type]

    def resume_session(self, session_id: str) -> None:
        """Rebuild an interrupted session from the store and continue it, with the draft that was being typed."""
        from simulator.session import Session

        from .data import Note
        from .engines import EngineUnavailable

        store = self.get_store()
        if store is None or self.library is None:
            self.notify("Cannot resume: the session store is not available.", severity="error")
            return
        try:
            info = store.session(store.resolve_id(session_id))
            if info.status == "complete":
                self.notify(f"Session {info.id[:10]} is complete: open it from History (F3).", severity="warning")
                return
            scenario = self.library.get(info.scenario_id)
            engine = self.make_engine(scenario)
            self.session = Session.resume(store, info.id, scenario, engine=engine)
            meta = store.meta(info.id)
        except EngineUnavailable as exc:
            self.notify(str(exc), title="The patient engine cannot start", severity="error", timeout=12)
            return
        except (KeyError, LookupError, ValueError) as exc:
            message = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
            self.notify(
                f"Cannot resume: {message}\nIf the scenario changed since, start a new session.",
                severity="error",
                timeout=10,
            )
            return
        draft = str(meta.get("draft") or "")
        if draft:
            store.update_meta(info.id, {"draft": None})
        notes = [Note.from_dict(n) for n in meta.get("notes", []) if isinstance(n, dict)]
        self.push_screen(EncounterScreen(self.session, coach=self.coach_mode, draft=draft, notes=notes))  # type: ignore[arg-type]

    def show_debrief(self, session: Session, notes: list[Note] | None = None, after_goodbye: bool = False) -> None:
        """Replace the encounter with the debrief (after a short pause so the goodbye can be read)."""

        def switch() -> None:
            self.switch_screen(DebriefScreen(session, notes=notes))

        if after_goodbye and self.goodbye_pause > 0:
            self.set_timer(self.goodbye_pause, switch)
        else:
            switch()

    def back_to_library(self) -> None:
        while len(self.screen_stack) > 1 and not isinstance(self.screen, ScenarioPicker):
            self.pop_screen()

    @property
    def in_encounter(self) -> bool:
        return any(isinstance(s, EncounterScreen) for s in self.screen_stack)

    def _not_during_encounter(self) -> bool:
        if self.in_encounter:
            self.notify("Finish or pause the session first (Ctrl+E ends it, Ctrl+Q pauses and quits).", timeout=5)
            return True
        return False

    def action_library(self) -> None:
        if not self._not_during_encounter():
            self.back_to_library()

    def action_history(self) -> None:
        if self._not_during_encounter() or isinstance(self.screen, HistoryScreen):
            return
        self.push_screen(HistoryScreen(self.get_store()))

    def action_settings(self) -> None:
        if self._not_during_encounter() or isinstance(self.screen, SettingsScreen):
            return
        from simulator.config import Config

        self.push_screen(SettingsScreen(self.config or Config(), problems=self.config_problems))

    # -- help and quitting ----------------------------------------------------------------------------

    def focused_help(self) -> tuple[str, str] | None:
        """The focused widget's (or its nearest ancestor's) help, when it has its own."""
        node = self.focused
        screen = self.screen
        while node is not None and node is not screen:
            text = getattr(node, "HELP", "")
            if isinstance(text, str) and text:
                return type(node).__name__.replace("Panel", " panel"), text
            node = node.parent  # type: ignore[assignment]
        return None

    def action_help(self) -> None:
        """F1: the focused widget's help, the current screen's purpose and every key that works on it."""
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
        self.push_screen(HelpScreen(title, blurb, keys, widget_help=self.focused_help()))

    def pause_session(self) -> None:
        """Mark an unfinished session interrupted (keeping the composer's draft) so it can be resumed."""
        for screen in self.screen_stack:
            if isinstance(screen, EncounterScreen):
                screen.pause()
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
    preview: Path | None = None,
) -> None:
    """Run the TUI (a bare ``mhsim``); print how to resume if a session was left unfinished."""
    app = MhsimApp(scenario_id=scenario_id, resume_id=resume_id, extra_dirs=extra_dirs, preview=preview)
    try:
        app.run()
    except KeyboardInterrupt:
        pass
    finally:
        app.pause_session()
    if app.paused_session_id:
        from simulator.wording import resume_hint

        # The folders and preview file the scenario came from, so the command finds it again.
        places = [*extra_dirs, *([preview] if preview else [])]
        print(f"Session paused. Resume it with: {resume_hint(app.paused_session_id, places)}")
