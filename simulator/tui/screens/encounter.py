"""The encounter: the transcript, the composer, and the patient's reply streaming in.

Order per turn (kept by ``Session``): the trainee turn is coded and committed when sent, then the reply streams
in an async worker on the UI loop (so store writes stay on the thread that opened the store). Every change of
state arrives here as a message from that worker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from ..messages import PatientReplyChunk, PatientReplyDone, PatientReplyFailed, PatientReplyStarted
from ..widgets import ChatMessage, Composer, Transcript
from .briefing import engine_label
from .confirm import ConfirmScreen

if TYPE_CHECKING:
    from simulator.records import Coding, Turn
    from simulator.session import Session


def coding_line(coding: Coding | None) -> str:
    """The coach line: the codes the last trainee turn received."""
    if coding is None:
        return "Coach: codes for your last turn appear here."
    parts = [", ".join(str(b) for b in coding.behaviours) or "other"]
    if coding.topics:
        parts.append("topics: " + ", ".join(coding.topics))
    if coding.risk_flags:
        parts.append("risk: " + ", ".join(str(f) for f in coding.risk_flags))
    return "Coach · last turn: " + " · ".join(parts)


class EncounterScreen(Screen[None]):
    """One conversation with a simulated patient."""

    HELP: ClassVar[str] = (
        "Talk with the patient as you would in the room. **Enter** sends; **Ctrl+J** starts a new line "
        "(Shift+Enter too, where your terminal reports it). The coach line shows how your last turn was "
        "coded (open question, reflection, ...). **Ctrl+E** ends the session: the patient says goodbye and your "
        "debrief opens. **Ctrl+Q** pauses and quits; the session is saved and can be resumed with "
        "`mhsim sessions resume`. If a reply fails, your words are kept and **Ctrl+R** asks for the reply again."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
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
        ),
        Binding(
            "ctrl+r",
            "retry",
            "Retry reply",
            id="encounter.retry",
            tooltip="Ask the patient engine for the reply again after a failure.",
        ),
        Binding(
            "ctrl+e",
            "end_session",
            "End session",
            id="encounter.end",
            tooltip="End the encounter: the patient says goodbye, then your debrief opens.",
            # Priority, because the composer (a TextArea) would otherwise take Ctrl+E as "end of line";
            # End still moves to the end of the line, and ending asks for confirmation first.
            priority=True,
        ),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.streaming = False
        self.failed: str | None = None
        self._reply: ChatMessage | None = None
        self._last_trainee: ChatMessage | None = None
        self._ending = False

    # -- layout ---------------------------------------------------------------------------------------

    @property
    def patient_name(self) -> str:
        return self.session.scenario.persona.name.split()[0]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="encounter-bar")
        yield Transcript(id="transcript")
        yield Static(Content(coding_line(None)), id="coach")
        yield Composer(id="composer", placeholder="Type what you would say. Enter sends, Ctrl+J adds a line.")
        yield Footer()

    async def on_mount(self) -> None:
        self.sub_title = self.session.scenario.title
        transcript = self.query_one(Transcript)
        if not self.session.turns:
            await transcript.add(self._message_for(self.session.open()))
        else:  # a resumed session: show what was said so far
            for turn in self.session.turns:
                await transcript.add(self._message_for(turn))
            last = next((t for t in reversed(self.session.turns) if t.speaker == "trainee"), None)
            if last is not None:
                self.query_one("#coach", Static).update(Content(coding_line(last.coding)))
        self._refresh_bar()
        self.query_one(Composer).focus()
        if self.session.pending is not None:
            self._last_trainee = transcript.messages[-1]
            self.streaming = True
            self.stream_reply(self.session.pending.turn.trainee_turn)

    def _message_for(self, turn: Turn) -> ChatMessage:
        who = "You" if turn.speaker == "trainee" else self.patient_name
        note = "\n".join(f"Notice: {n}" for n in turn.notices)
        return ChatMessage(turn.speaker, who, turn.text, index=turn.index, note=note)

    def _refresh_bar(self) -> None:
        p = self.session.scenario.persona
        parts = [
            f"{p.name}, {p.age} ({p.pronouns})",
            engine_label(self.session.engine.name),
            f"Turn {self.session.state.turn}",
        ]
        if self.streaming:
            parts.append(f"{self.patient_name} is replying…")
        elif self.failed:
            parts.append("no reply (Ctrl+R retries)")
        self.query_one("#encounter-bar", Static).update(Content(" · ".join(parts)))
        self.refresh_bindings()  # Ctrl+R shows in the footer only while a reply is owed

    # -- sending --------------------------------------------------------------------------------------

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
            self.app.show_debrief(self.session)  # type: ignore[attr-defined]
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
            self.notify(f"Your message was not sent: {exc}", severity="error", title="Not sent")
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
        self.query_one("#coach", Static).update(Content(coding_line(turn.coding)))
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
    def _reply_done(self, message: PatientReplyDone) -> None:
        self.streaming = False
        if self._reply is not None:
            self._reply.set_text(message.text)
            last = self.session.turns[-1]
            if last.speaker == "patient":
                self._reply.set_index(last.index)
        self._reply = None
        self._refresh_bar()
        if message.over and not self._ending:
            # The patient ended the encounter (e.g. walked out); their last words are on screen.
            self._ending = True
            self.query_one(Composer).read_only = True
            self.notify(f"{self.patient_name} has ended the session.", title="Session over")
            self.app.show_debrief(self.session, after_goodbye=True)  # type: ignore[attr-defined]

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
        self.notify(message.error, severity="error", title="The patient could not reply", timeout=10)
        self._refresh_bar()

    def _notices_of(self, message: ChatMessage) -> str:
        """The notices part of a message's note (drops an earlier failure line)."""
        return "\n".join(line for line in message.note.splitlines() if line.startswith("Notice:"))

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

    def action_end_session(self) -> None:
        """Ask, then end: the patient's goodbye, the scores, the debrief."""
        if self._ending:
            return
        if self.session.over:
            self.app.show_debrief(self.session)  # type: ignore[attr-defined]
            return
        self.app.push_screen(
            ConfirmScreen("End the session and see your debrief?", yes="End session", no="Keep talking"),
            self._end_confirmed,
        )

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
                self.notify(f"The session could not be scored: {exc}", severity="error", timeout=10)
        self.app.show_debrief(self.session, after_goodbye=closing is not None)  # type: ignore[attr-defined]

    def on_unmount(self) -> None:
        # Leaving mid-session (quit, closed tab) pauses it for resuming; after finish() this does nothing.
        if self.session.info.status == "active":
            self.session.interrupt()
