"""Settings: who plays the patient (engine and model), theme, live coach, pseudonym, scenario folders, and where
mhsim keeps its data. Saved to the configuration file (``mhsim locate config``) with ``save_config``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, Select, Static, Switch, TextArea

from .confirm import ConfirmScreen

if TYPE_CHECKING:
    from simulator.config import Config


class SettingsScreen(Screen[None]):
    """The configuration as a form."""

    HELP: ClassVar[str] = (
        "Choose who plays the patient: the **scripted** engine works offline; a **language model** needs a "
        "litellm model name (e.g. `ollama/llama3.2`), and a server address for local or proxy servers. The API "
        "key is never stored here: give the *name* of the environment variable that holds it. **Live coach** "
        "shows feedback during encounters; **assessment mode** (for facilitators) hides it until the debrief. "
        "The theme changes as you choose it. **Ctrl+S** saves; **Esc** leaves (asking first if something "
        "changed)."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="settings.save", tooltip="Save the settings to the config file.", priority=True),
        Binding("escape", "back", "Back", id="settings.back", tooltip="Leave the settings (asks if unsaved)."),
    ]

    def __init__(self, config: Config, *, problems: list[str] | None = None) -> None:
        super().__init__()
        self.config = config
        self.problems = list(problems or [])
        self._original_theme = config.theme

    def compose(self) -> ComposeResult:
        c = self.config
        yield Header()
        with VerticalScroll(id="settings-body"):
            if self.problems:
                yield Static(
                    Content(
                        "⚠ Your config file has problems; these settings are the defaults. Saving replaces the file:\n"
                        + "\n".join(self.problems[:5])
                    ),
                    id="settings-problems",
                )
            yield Static(Content("Patient"), classes="section-title")
            yield Label("Engine")
            yield Select(
                [("Scripted patient (offline)", "scripted"), ("Language model (litellm)", "llm")],
                value=c.engine,
                allow_blank=False,
                id="set-engine",
            )
            yield Label("Model (litellm name, e.g. ollama/llama3.2)")
            yield Input(c.model.model or "", placeholder="none", id="set-model")
            yield Label("Server address (for local or proxy servers)")
            yield Input(c.model.api_base or "", placeholder="e.g. http://127.0.0.1:11434", id="set-api-base")
            yield Label("Environment variable holding the API key (its name, not the key)")
            yield Input(c.model.api_key_env or "", placeholder="e.g. OPENAI_API_KEY", id="set-api-key-env")
            yield Static(Content("Coaching"), classes="section-title")
            with Horizontal(classes="switch-row"):
                yield Switch(c.live_coach, id="set-live-coach")
                yield Label("Live coach: feedback on each turn during encounters")
            with Horizontal(classes="switch-row"):
                yield Switch(c.assessment_mode, id="set-assessment")
                yield Label("Assessment mode: no feedback until the debrief (facilitators)")
            yield Static(Content("Appearance"), classes="section-title")
            yield Label("Theme")
            yield Select([(name, name) for name in self._themes()], value=c.theme if c.theme in self._themes() else "textual-dark", allow_blank=False, id="set-theme")
            yield Static(Content("You and your data"), classes="section-title")
            yield Label("Your pseudonym for session records (not your real name)")
            yield Input(c.trainee, id="set-trainee")
            yield Label("More scenario folders, one per line")
            yield TextArea("\n".join(str(p) for p in c.scenario_dirs), id="set-scenario-dirs", soft_wrap=False)
            yield Static(Content(self._locations()), id="settings-locations")
            with Horizontal(id="settings-buttons"):
                yield Button("Save", variant="primary", id="settings-save")
                yield Button("Back", id="settings-back")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Settings"
        self.query_one("#set-engine", Select).focus()

    def _themes(self) -> list[str]:
        return sorted(self.app.available_themes)

    @staticmethod
    def _locations() -> str:
        from simulator.config import config_path
        from simulator.paths import locations

        where = locations()
        return (
            "Data location (set MHSIM_HOME to move everything to one folder):\n"
            f"  config file   {config_path()}\n"
            f"  sessions      {where.database}\n"
            f"  your scenarios {where.user_scenarios}\n"
            f"  exports       {where.exports}"
        )

    # -- the form -------------------------------------------------------------------------------------

    def form_values(self) -> dict:
        """The configuration the form describes (as data, not yet validated)."""

        def text(widget_id: str) -> str | None:
            value = self.query_one(widget_id, Input).value.strip()
            return value or None

        data = self.config.model_dump(mode="json")
        data["engine"] = self.query_one("#set-engine", Select).value
        data["model"] = {
            **data.get("model", {}),
            "model": text("#set-model"),
            "api_base": text("#set-api-base"),
            "api_key_env": text("#set-api-key-env"),
        }
        data["live_coach"] = self.query_one("#set-live-coach", Switch).value
        data["assessment_mode"] = self.query_one("#set-assessment", Switch).value
        data["theme"] = self.query_one("#set-theme", Select).value
        data["trainee"] = text("#set-trainee") or "trainee"
        folders = self.query_one("#set-scenario-dirs", TextArea).text.splitlines()
        data["scenario_dirs"] = [f.strip() for f in folders if f.strip()]
        return data

    @property
    def changed(self) -> bool:
        return self.form_values() != self.config.model_dump(mode="json")

    @on(Select.Changed, "#set-theme")
    def _theme_changed(self, event: Select.Changed) -> None:
        if event.value != Select.NULL:
            self.app.theme = str(event.value)  # preview at once; Esc without saving puts it back

    @on(Button.Pressed, "#settings-save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#settings-back")
    def _back_pressed(self) -> None:
        self.action_back()

    def action_save(self) -> bool:
        """Validate and write the configuration; say what is wrong, field by field, when it does not fit."""
        from pydantic import ValidationError

        from simulator.config import Config, save_config

        try:
            config = Config.model_validate(self.form_values())
        except ValidationError as exc:
            lines = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:4]]
            self.notify("Not saved. Fix these and save again:\n" + "\n".join(lines), severity="error", timeout=10)
            return False
        missing = [d for d in config.scenario_dirs if not Path(d).expanduser().is_dir()]
        try:
            path = save_config(config)
        except OSError as exc:
            self.notify(
                f"Could not write the config file: {exc.strerror or exc}. Check the folder is writable, or set "
                "MHSIM_CONFIG_FILE to another file.",
                severity="error",
                timeout=10,
            )
            return False
        old_dirs = self.app.config_scenario_dirs  # type: ignore[attr-defined]
        self.config = config
        self._original_theme = config.theme
        self.problems = []
        self.app.apply_config(config, [])  # type: ignore[attr-defined]
        self.notify(f"Settings saved to {path}", title="Saved", timeout=6)
        if missing:
            self.notify(
                "These scenario folders do not exist yet: " + ", ".join(map(str, missing)),
                severity="warning",
                timeout=8,
            )
        if list(config.scenario_dirs) != old_dirs:
            self.notify("Scenario folders changed: the library reloads them.", timeout=4)
            self.app.reload_library()  # type: ignore[attr-defined]
        return True

    def action_back(self) -> None:
        if not self.changed:
            self._leave()
            return
        self.app.push_screen(
            ConfirmScreen("Leave without saving your changes?", yes="Discard changes", no="Keep editing", safe=True),
            lambda yes: self._leave() if yes else None,
        )

    def _leave(self) -> None:
        if self.app.theme != self._original_theme and self._original_theme in self.app.available_themes:
            self.app.theme = self._original_theme
        self.app.pop_screen()
