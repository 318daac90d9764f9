"""The encounter: the transcript, the composer, the patient's reply streaming in, and the live coach.

Order per turn (kept by ``Session``): the trainee turn is coded and committed when sent, then the reply streams
in an async worker on the UI loop (so store writes stay on the thread that opened the store). Every change of
state arrives here as a message from that worker. What the trainee types is never lost: it stays in the
composer while a reply is owed or a send fails, and it is saved with the session when they quit.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, ClassVar, Literal

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, ScrollableContainer, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, Static, TextArea

from ..coach import TurnFeedback, scenario_rubrics, turn_feedback
from ..data import Note, elapsed_text, first_name
from ..messages import PatientReplyChunk, PatientReplyDone, PatientReplyFailed, PatientReplyStarted
from ..widgets import ChatMessage, Composer, Transcript
from ..widgets.coach import CoachPanel
from .briefing import engine_label
from .confirm import ConfirmScreen
from .reflect import ReflectScreen

if TYPE_CHECKING:
    from simulator.records import Turn
    from simulator.session import Session

CoachMode = Literal["on", "off", "assessment"]


class EncounterScreen(Screen[None]):
    """One conversation with a simulated patient."""

    HELP: ClassVar[str] = (
        "Talk with the patient as you would in the room. **Enter** sends; **Ctrl+J** starts a new line "
        "(Shift+Enter too, where your terminal reports it). The **coach** (Ctrl+T shows or hides it) codes each "
        "of your turns and suggests a better reply when one missed something. **Ctrl+N** pauses to write a "
        "reflection note (the clock stops meanwhile). **Ctrl+E** ends the session: the patient says goodbye and "
        "your debrief opens. **Ctrl+Q** pauses and quits; the session and what you were typing are saved, and "
        "it can be resumed from History (F3). If a reply fails, your words are kept and **Ctrl+R** asks again."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        # End comes first: the composer binds Ctrl+E too, which puts it first in the footer while the composer
        # has focus; listing it first here keeps the footer in one order whatever has focus.
        Binding(
            "ctrl+e",
            "end_session",
            "End",
            id="encounter.end",
            tooltip="End the encounter: the patient says goodbye, then your debrief opens.",
            # Priority, because the composer (a TextArea) would otherwise take Ctrl+E as "end of line";
            # End still moves to the end of the line, and ending asks for confirmation first.
            priority=True,
        ),
        Binding(
            "ctrl+s",
            "send",
            "Send",
            id="encounter.send",
            key_display="⏎/^s",
            tooltip="Send your message (Enter also sends).",
            priority=True,
        ),
        Binding(
            "ctrl+j",
            "newline",
            "New line",
            id="encounter.newline",
            tooltip="Start a new line in your message (Shift+Enter too, where the terminal reports it).",
            show=False,
        ),
        Binding(
            "ctrl+r",
            "retry",
            "Retry",
            id="encounter.retry",
            tooltip="Ask the patient engine for the reply again after a failure.",
        ),
        Binding(
            "ctrl+t",
            "toggle_coach",
            "Coach",
            id="encounter.coach",
            tooltip="Show or hide the coach panel (codes, feedback and better replies for each turn).",
            priority=True,
        ),
        Binding(
            "ctrl+n",
            "reflect",
            "Note",
            id="encounter.reflect",
            tooltip="Pause and write a reflection note; the clock stops while you write.",
            priority=True,
        ),
    ]

    def __init__(
        self,
        session: Session,
        *,
        coach: CoachMode = "on",
        draft: str = "",
        notes: list[Note] | None = None,
    ) -> None:
        super().__init__()
        self.session = session
        self.coach_mode: CoachMode = coach
        self.streaming = False
        self._retry_shown: bool | None = None
        self.failed: str | None = None
        self.notes: list[Note] = list(notes or [])
        self.note_draft = ""
        self._draft = draft
        self._reply: ChatMessage | None = None
        self._last_trainee: ChatMessage | None = None
        self._ending = False
        self._started = 0.0
        self._paused_at: float | None = None
        self._paused_total = 0.0
        self._rubrics: dict | None = None

    # -- layout ---------------------------------------------------------------------------------------

    @property
    def patient_name(self) -> str:
        return first_name(self.session.scenario.persona.name)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="encounter-bar")
        with Horizontal(id="encounter-main"):
            with Vertical(id="encounter-left"):
                yield Transcript(id="transcript")
                yield Composer(
                    id="composer", placeholder="Type what you would say. Enter sends, Ctrl+J adds a line."
                )
            yield from self.compose_side()
        yield Footer()

    def compose_side(self) -> ComposeResult:
        """The side panel: the coach (not in assessment mode)."""
        if self.coach_mode != "assessment":
            yield CoachPanel(id="coach-panel")

    async def on_mount(self) -> None:
        self.sub_title = self.session.scenario.title
        self._started = self.app.clock()  # type: ignore[attr-defined]
        transcript = self.query_one(Transcript)
        if not self.session.turns:
            await transcript.add(self._message_for(self.session.open()))
        else:  # a resumed session: show what was said so far
            await transcript.add_lazy(self.session.turns, self._message_for)
        panel = self.coach_panel
        if panel is not None:
            panel.display = self.coach_mode == "on"
            await panel.set_feedback(self.all_feedback())
        composer = self.query_one(Composer)
        if self._draft:
            composer.load_text(self._draft)
            composer.move_cursor(composer.document.end)
        composer.focus()
        self._refresh_bar()
        self.set_interval(1.0, self._refresh_bar)
        if self.session.pending is not None:
            self._last_trainee = transcript.messages[-1]
            self.streaming = True
            self.stream_reply(self.session.pending.turn.trainee_turn)
        await self.after_turn()
        await self.after_mount()

    async def after_mount(self) -> None:
        """Called once the encounter is on screen (subclasses add their own set-up)."""

    @property
    def coach_panel(self) -> CoachPanel | None:
        panels = self.query(CoachPanel)
        return panels.first() if panels else None

    def _message_for(self, turn: Turn) -> ChatMessage:
        who = "You" if turn.speaker == "trainee" else self.patient_name
        note = "\n".join(f"Notice: {n}" for n in turn.notices)
        return ChatMessage(turn.speaker, who, turn.text, index=turn.index, note=note)

    @property
    def elapsed(self) -> float:
        """Seconds in this sitting, not counting time spent writing reflection notes."""
        now = self._paused_at if self._paused_at is not None else self.app.clock()  # type: ignore[attr-defined]
        return now - self._started - self._paused_total

    def _refresh_bar(self) -> None:
        p = self.session.scenario.persona
        parts = [
            f"{self.patient_name}, {p.age}",
            engine_label(self.session.engine.name),
            f"Turn {self.session.state.turn}",
            f"⏱ {elapsed_text(self.elapsed)}",
        ]
        if self.coach_mode == "assessment":
            parts.append("assessment: feedback in the debrief")
        if self.streaming:
            parts.append(f"{self.patient_name} is replying…")
        elif self.failed:
            parts.append("no reply (Ctrl+R retries)")
        elif self.session.over:
            parts.append("session over")
        self.query_one("#encounter-bar", Static).update(Content(" · ".join(parts)))
        retry = self.check_action("retry", ())
        if retry != self._retry_shown:
            # Ctrl+R shows in the footer only while a reply is owed. Only a change refreshes the bindings: each
            # refresh rebuilds the footer, and this runs every second.
            self._retry_shown = retry
            self.refresh_bindings()

    # -- coaching -------------------------------------------------------------------------------------

    def feedback_for(self, turn: Turn) -> TurnFeedback:
        """The coach's note on one trainee turn."""
        session = self.session
        if self._rubrics is None:
            self._rubrics = scenario_rubrics()  # once per encounter: loading checks every rubric file
        return turn_feedback(turn, session.turns, session.scenario, self._rubrics, ledger=session.ledger, live=True)

    def all_feedback(self) -> list[TurnFeedback]:
        if self.coach_mode == "assessment":
            return []
        return [self.feedback_for(t) for t in self.session.turns if t.speaker == "trainee"]

    async def after_turn(self) -> None:
        """Called after each committed turn or reply (subclasses refresh their side panel)."""

    def action_toggle_coach(self) -> None:
        panel = self.coach_panel
        if panel is None:
            self.notify(
                "This is an assessment session: the coach stays off until the debrief.", severity="information"
            )
            return
        panel.display = not panel.display
        self.notify("Coach shown." if panel.display else "Coach hidden. Ctrl+T shows it again.", timeout=3)

    # -- reflection notes -----------------------------------------------------------------------------

    def action_reflect(self) -> None:
        """Stop the clock and open the note editor (a draft left unsaved comes back next time)."""
        if self._paused_at is None:
            self._paused_at = self.app.clock()  # type: ignore[attr-defined]
        self.app.push_screen(
            ReflectScreen(self.note_draft, turn=self.session.state.turn), self._reflected
        )

    def _reflected(self, result: tuple[bool, str] | None) -> None:
        if self._paused_at is not None:
            self._paused_total += self.app.clock() - self._paused_at  # type: ignore[attr-defined]
            self._paused_at = None
        saved, text = result if result is not None else (False, self.note_draft)
        if not saved:
            self.note_draft = text  # kept for next time: typed text is never lost
            return
        self.note_draft = ""
        self.save_note(text)
        self._refresh_bar()

    def save_note(self, text: str) -> None:
        """Keep a note with the session (in the store when there is one)."""
        note = Note(turn=self.session.state.turn, text=text.strip())
        if not note.text:
            return
        if self.session.store is not None:
            try:
                self.session.store.add_note(self.session.id, note.turn, note.text)
            except Exception as exc:  # noqa: BLE001 - keep the note in memory and say so
                self.notify(
                    f"The note could not be saved to the database ({exc}); it stays with this session's debrief.",
                    severity="warning",
                )
        self.notes.append(note)
        self.notify(f"Note saved (after turn {note.turn}). It appears in your debrief.", timeout=4)

    # -- sending --------------------------------------------------------------------------------------

    @on(TextArea.Changed, "#composer")
    def _composer_changed(self, event: TextArea.Changed) -> None:
        self._draft = event.text_area.text

    @property
    def draft(self) -> str:
        """What is in the composer now (saved with the session when the trainee quits)."""
        return self._draft

    @on(Composer.Submitted)
    async def _composer_submitted(self, event: Composer.Submitted) -> None:
        event.stop()
        # Use the text as it was when Enter was pressed: keys typed (or pasted) after it may already be in
        # the composer by the time this runs, and they belong to the next turn.
        await self.action_send(event.text)

    def action_newline(self) -> None:
        composer = self.query_one(Composer)
        composer.insert("\n")
        composer.focus()

    async def action_send(self, text: str | None = None) -> None:
        """Send the composer's text (or ``text``) as the next trainee turn and start the reply."""
        composer = self.query_one(Composer)
        if text is None:
            text = composer.text
        if not text.strip() or self._ending:
            return
        if self.session.over:
            self.show_debrief()
            return
        if self.streaming:
            self.notify(f"{self.patient_name} is still replying; your message is kept.", severity="warning")
            return
        if self.session.pending is not None:
            self.notify(
                "The patient has not replied to your last turn yet. Press Ctrl+R to retry; your message is kept.",
                severity="warning",
            )
            return
        try:
            submitted = self.session.submit(text)
        except Exception as exc:  # noqa: BLE001 - e.g. the store failed: keep the trainee's words in the composer
            self.notify(
                f"Your message was not sent: {exc}\nIt is still in the box; try again, or Ctrl+Q to pause.",
                severity="error",
                title="Not sent",
            )
            return
        if submitted is None:
            return
        # The reply is owed from now on, before the worker's first message arrives.
        self.streaming = True
        rest = composer.text.removeprefix(text)
        composer.load_text(rest.lstrip("\n"))
        composer.move_cursor(composer.document.end)
        turn = submitted.turn
        message = await self.query_one(Transcript).add(self._message_for(turn))
        self._last_trainee = message
        for notice in submitted.notices:
            self.notify(notice, severity="warning", title="Notice", timeout=8)
        panel = self.coach_panel
        if panel is not None:
            await panel.add_feedback(self.feedback_for(turn))
        self._refresh_bar()
        self.stream_reply(turn.trainee_turn)

    # -- the reply ------------------------------------------------------------------------------------

    @work(exclusive=True, group="patient", exit_on_error=False)
    async def stream_reply(self, turn: int) -> None:
        """Voice the pending reply chunk by chunk; post what happens instead of touching widgets."""
        from simulator.engine import EngineError  # deferred: pydantic models cost ~250 ms at start-up

        self.post_message(PatientReplyStarted(turn))
        text = ""
        try:
            async for chunk in self.session.reply():
                text += chunk
                self.post_message(PatientReplyChunk(turn, text))
        except EngineError as exc:
            self.post_message(PatientReplyFailed(turn, str(exc), exc.partial or text))
            return
        except Exception as exc:  # noqa: BLE001 - a store or scoring failure after the words arrived
            if self.session.pending is not None:
                self.post_message(PatientReplyFailed(turn, f"The reply could not be saved: {exc}", text))
                return
            self.notify(f"Something went wrong after the reply: {exc}", severity="error")
        last = self.session.turns[-1]
        self.post_message(
            PatientReplyDone(turn, last.text if last.speaker == "patient" else text, self.session.over)
        )

    @on(PatientReplyStarted)
    async def _reply_started(self, message: PatientReplyStarted) -> None:
        self.streaming = True
        self.failed = None
        if self._last_trainee is not None:
            self._last_trainee.set_note(self._notices_of(self._last_trainee))
        self._reply = await self.query_one(Transcript).add(ChatMessage("patient", self.patient_name, "…"))
        self._refresh_bar()

    @on(PatientReplyChunk)
    def _reply_chunk(self, message: PatientReplyChunk) -> None:
        if self._reply is not None:
            self._reply.set_text(message.text)
            self.query_one(Transcript).anchor()

    @on(PatientReplyDone)
    async def _reply_done(self, message: PatientReplyDone) -> None:
        self.streaming = False
        if self._reply is not None:
            self._reply.set_text(message.text)
            last = self.session.turns[-1]
            if last.speaker == "patient":
                self._reply.set_index(last.index)
        self._reply = None
        self._refresh_bar()
        await self.after_turn()
        if message.over and not self._ending:
            # The patient ended the encounter (e.g. walked out); their last words are on screen.
            self._ending = True
            self.query_one(Composer).read_only = True
            self.notify(f"{self.patient_name} has ended the session.", title="Session over")
            self.show_debrief(after_goodbye=True)

    @on(PatientReplyFailed)
    async def _reply_failed(self, message: PatientReplyFailed) -> None:
        self.streaming = False
        self.failed = message.error
        if self._reply is not None:
            await self._reply.remove()
            self._reply = None
        if self._last_trainee is not None:
            note = self._notices_of(self._last_trainee)
            cut = f" (it got as far as: “{message.partial.strip()}”)" if message.partial.strip() else ""
            failure = f"⚠ No reply yet{cut}: {message.error} Your words are kept; Ctrl+R retries."
            self._last_trainee.set_note(f"{note}\n{failure}" if note else failure)
        self.notify(
            f"{message.error}\nPress Ctrl+R to ask again; check the engine in Settings (F4) if it keeps failing.",
            severity="error",
            title="The patient could not reply",
            timeout=10,
        )
        self._refresh_bar()

    def _notices_of(self, message: ChatMessage) -> str:
        """The notices part of a message's note (drops an earlier failure line)."""
        return "\n".join(line for line in message.note.splitlines() if line.startswith("Notice:"))

    def on_key(self, event: events.Key) -> None:
        """Typing while a side panel or the transcript has focus (after a click) goes to the composer."""
        composer = self.query_one(Composer)
        focused = self.focused
        if (
            focused is composer
            or not isinstance(focused, ScrollableContainer)
            or not event.is_printable
            or not event.character
            or composer.read_only
        ):
            return
        event.stop()
        event.prevent_default()
        composer.focus()
        composer.insert(event.character)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "retry":
            # Shown in the footer only while a reply is owed.
            return self.session.pending is not None and not self.streaming and not self.session.over
        return True

    def action_retry(self) -> None:
        if self.session.pending is None or self.streaming:
            return
        self.streaming = True
        self.stream_reply(self.session.pending.turn.trainee_turn)

    # -- the end --------------------------------------------------------------------------------------

    def show_debrief(self, after_goodbye: bool = False) -> None:
        self.app.show_debrief(self.session, notes=self.notes, after_goodbye=after_goodbye)  # type: ignore[attr-defined]

    def action_end_session(self) -> None:
        """Ask, then end: the patient's goodbye, the scores, the debrief."""
        if self._ending:
            return
        if self.session.over:
            self.show_debrief()
            return
        question = "End the session and see your debrief?"
        if self._draft.strip():
            question += "\nWhat you typed but did not send will not be part of it."
        self.app.push_screen(ConfirmScreen(question, yes="End session", no="Keep talking"), self._end_confirmed)

    async def _end_confirmed(self, yes: bool | None) -> None:
        if yes:
            await self.end_session()

    async def end_session(self) -> None:
        """End now (no question): stop any reply, show the goodbye, score, open the debrief."""
        if self._ending:
            return
        self._ending = True
        self.workers.cancel_group(self, "patient")
        self.streaming = False
        if self._reply is not None:  # a reply cut short by ending is dropped, as Session.finish drops it
            await self._reply.remove()
            self._reply = None
        self.query_one(Composer).read_only = True
        closing = None
        if not self.session.over:
            try:
                closing = self.session.close_line()
            except Exception as exc:  # noqa: BLE001 - ending must still reach the debrief
                self.notify(f"The goodbye could not be saved: {exc}", severity="error")
        if closing is not None:
            await self.query_one(Transcript).add(self._message_for(closing))
        self._refresh_bar()
        if self.session.info.status != "complete":
            try:
                self.session.finish()
            except Exception as exc:  # noqa: BLE001 - the debrief still shows the ledger without scores
                self.notify(
                    f"The session could not be scored: {exc}\nThe ledger and transcript are still shown; "
                    "`mhsim rubrics validate` checks the rubric files.",
                    severity="error",
                    timeout=10,
                )
        self.show_debrief(after_goodbye=closing is not None)

    def pause(self) -> None:
        """Mark an unfinished session interrupted and keep what was being typed, for resuming."""
        if self.session.info.status != "active":
            return
        self.session.interrupt()
        if self.session.store is not None:
            try:
                self.session.store.update_meta(self.session.id, {"draft": self._draft or None})
            except Exception:
                logging.getLogger(__name__).warning("the draft could not be saved", exc_info=True)

    def on_unmount(self) -> None:
        # Leaving mid-session (quit, closed tab) pauses it for resuming; after finish() this does nothing.
        self.pause()
