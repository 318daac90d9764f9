"""``mhsim preview``: an encounter with the facilitator's side panel (patient state and disclosure conditions),
reloading the scenario file whenever it is saved and replaying the lines typed so far against the new version.

Nothing is stored: a preview is for authors and facilitators checking how a scenario behaves.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType

from ..widgets import Composer, Transcript
from ..widgets.facilitator import FacilitatorPanel
from .encounter import EncounterScreen

if TYPE_CHECKING:
    from simulator.scenario import Scenario
    from simulator.session import Session

POLL_SECONDS = 0.5


def file_stamp(path: Path) -> tuple[float, int] | None:
    """(modification time, size) of a file, or None when it cannot be read (e.g. mid-save)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime, stat.st_size


class PreviewScreen(EncounterScreen):
    """An unstored encounter with the facilitator view; reloads when the scenario file changes."""

    HELP: ClassVar[str] = (
        "The facilitator view of a scenario. Talk with the patient as a trainee would; the panel on the right "
        "shows the patient state after each turn and, for every hidden fact, whether it is disclosed (✔), "
        "unlocked (◐) or locked (○) and which parts of its condition hold. **Save the scenario file** in your "
        "editor and the preview reloads it and replays your lines; if the file has problems they are shown at "
        "the top of the panel and the last good version keeps running. **Ctrl+R** reloads now, **Ctrl+L** "
        "starts over. Nothing is stored."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "reload", "Reload", id="preview.reload", tooltip="Reload the scenario file now.", priority=True),
        Binding("ctrl+l", "restart", "Start over", id="preview.restart", tooltip="Clear the conversation and start again."),
        # The encounter's Ctrl+T and Ctrl+N, out of the footer so Reload and Start over fit 80 columns (F1 lists them).
        Binding(
            "ctrl+t",
            "toggle_coach",
            "Panel",
            id="preview.panel",
            tooltip="Show or hide the facilitator panel.",
            show=False,
            priority=True,
        ),
        Binding(
            "ctrl+n",
            "reflect",
            "Note",
            id="preview.reflect",
            tooltip="Pause and write a note about this run.",
            show=False,
            priority=True,
        ),
    ]

    def __init__(self, path: Path, session: Session) -> None:
        super().__init__(session, coach="on")
        self.path = Path(path)
        self.problems: list[str] = []
        self.reloads = 0
        self._stamp = file_stamp(self.path)

    def compose_side(self) -> ComposeResult:
        yield FacilitatorPanel(id="facilitator")

    async def after_mount(self) -> None:
        # Not on_mount: Textual already calls the encounter's on_mount for this subclass.
        self.sub_title = f"Preview · {self.path.name}"
        self.set_interval(POLL_SECONDS, self._check_file)

    async def after_turn(self) -> None:
        last = next((t for t in reversed(self.session.turns) if t.speaker == "trainee"), None)
        self.query_one(FacilitatorPanel).show(
            self.session.scenario,
            self.session.state,
            last.coding if last is not None else None,
            self.session.ledger,
            self.problems,
        )

    def action_toggle_coach(self) -> None:
        panel = self.query_one(FacilitatorPanel)
        panel.display = not panel.display

    def action_retry(self) -> None:  # Ctrl+R reloads here; a scripted reply never needs a retry
        pass

    async def _check_file(self) -> None:
        stamp = file_stamp(self.path)
        if stamp is None or stamp == self._stamp:
            return
        self._stamp = stamp
        await self.reload()

    async def action_reload(self) -> None:
        self._stamp = file_stamp(self.path)
        await self.reload()

    async def action_restart(self) -> None:
        await self.rebuild(self.session.scenario, [])
        self.notify("Started over.", timeout=3)

    def load(self) -> Scenario | None:
        """Load the file; on problems keep them for the panel and return None."""
        from simulator.library import known_rubric_ids, load_scenario
        from simulator.yamlfile import FileProblems

        try:
            scenario = load_scenario(self.path, known_rubric_ids())
        except FileProblems as exc:
            self.problems = [str(p) for p in exc.problems]
            return None
        except OSError as exc:
            self.problems = [f"{self.path}: cannot read the file: {exc.strerror or exc}"]
            return None
        self.problems = []
        return scenario

    async def reload(self) -> None:
        """Reload the scenario and replay the trainee's lines so far against it."""
        scenario = self.load()
        if scenario is None:
            await self.after_turn()
            self.notify(
                f"{self.path.name} has problems (see the panel); still running the last version that loaded.",
                severity="warning",
                timeout=6,
            )
            return
        lines = [t.text for t in self.session.turns if t.speaker == "trainee"]
        replayed = await self.rebuild(scenario, lines)
        self.reloads += 1
        self.notify(f"Reloaded {self.path.name}; replayed {replayed} of your lines.", timeout=4)

    async def rebuild(self, scenario: Scenario, lines: list[str]) -> int:
        """A new unstored session of ``scenario`` with ``lines`` replayed; the transcript is redrawn."""
        from simulator.engine import ScriptedEngine
        from simulator.session import Session

        self.workers.cancel_group(self, "patient")
        self.streaming = False
        self.failed = None
        self._reply = None
        self._ending = False
        session = Session(scenario, engine=ScriptedEngine(0), store=None, seed=self.session.info.seed)
        session.open()
        replayed = 0
        for line in lines:
            if session.over:
                break
            await session.say(line)
            replayed += 1
        session.engine = ScriptedEngine(self.app.chunk_delay)  # type: ignore[attr-defined]
        self.session = session
        transcript = self.query_one(Transcript)
        await transcript.remove_children()
        await transcript.add_lazy(session.turns, self._message_for)
        self._last_trainee = None
        composer = self.query_one(Composer)
        composer.read_only = False
        self._refresh_bar()
        await self.after_turn()
        return replayed

    def show_debrief(self, after_goodbye: bool = False) -> None:
        from .debrief import DebriefScreen

        self.app.push_screen(DebriefScreen(self.session, back="pop", notes=self.notes))
