"""The session runner: owns the order of a turn and keeps the transcript safe.

Order for every trainee turn: clean the text (size, identifiers) → code it → update the patient state and plan
the reply → commit the trainee turn → stream the reply → commit the reply and the ledger. A reply that fails
leaves the trainee turn committed and pending, so it can be retried or voiced by another engine.
"""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .coding import CODER_VERSION, CONTEXT_TURNS, Coder
from .engine import EngineError, PatientEngine, ReplyRequest, ScriptedEngine
from .patient import Patient, ReplyPlan
from .privacy import redact, scenario_names
from .records import Disclosure, PatientState, SessionInfo, SessionScore, Turn, utcnow
from .scenario import Scenario
from .topics import merged_topics

if TYPE_CHECKING:
    from .rubric import Rubric
    from .store import Store

MAX_INPUT_CHARS = 4000


class SessionOver(Exception):
    """Raised when input arrives after the encounter has ended."""


@dataclass
class Submitted:
    """The result of submitting a trainee turn, before the reply is voiced."""

    turn: Turn
    plan: ReplyPlan
    ledger: list[Disclosure]
    notices: list[str] = field(default_factory=list)


# Lone surrogates other than the U+DC80-U+DCFF "surrogate escapes" Python uses for undecodable input bytes.
_OTHER_SURROGATES = re.compile("[\ud800-\udc7f\udd00-\udfff]")


def valid_text(text: str) -> str:
    """``text`` as valid Unicode: bytes a terminal sent in another encoding become U+FFFD.

    Python reads such bytes from stdin as surrogate escapes, which cannot be stored or printed; they are turned
    back into bytes and decoded again, so a character split across them is kept when it is valid UTF-8.
    """
    if text.isascii():
        return text
    text = _OTHER_SURROGATES.sub("\ufffd", text)
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def clean_input(text: str, known_names: Iterable[str] | None = None) -> tuple[str, list[str]]:
    """Make valid Unicode, trim, cap the size and redact identifiers; return the text to keep and notices.

    ``known_names`` are the scenario's own fictional names, which are not redacted (any other name is).
    """
    notices: list[str] = []
    text = valid_text(text).strip()
    if len(text) > MAX_INPUT_CHARS:
        notices.append(
            f"Your message was {len(text):,} characters; only the first {MAX_INPUT_CHARS:,} were kept."
        )
        text = text[:MAX_INPUT_CHARS].rstrip()
    text, kinds = redact(text, known_names)
    if kinds:
        kinds_text = ", ".join(sorted(set(kinds)))
        notices.append(
            f"Something that looks like a real identifier ({kinds_text}) was redacted. "
            "Use fictional details only."
        )
    return text, notices


def _new_id() -> str:
    from .store import new_session_id  # deferred: keeps sqlite-utils out of store-less sessions

    return new_session_id()


def _scenario_topics(scenario: Scenario) -> dict[str, list[str]]:
    return merged_topics({name: t.keywords for name, t in scenario.topics.items()})


class Session:
    """One encounter between a trainee and a simulated patient."""

    def __init__(
        self,
        scenario: Scenario,
        *,
        engine: PatientEngine | None = None,
        store: Store | None = None,
        seed: int = 0,
        trainee: str = "trainee",
        coder: Coder | None = None,
        info: SessionInfo | None = None,
    ):
        self.scenario = scenario
        self.engine: PatientEngine = engine or ScriptedEngine()
        self.store = store
        self.coder = coder or Coder(_scenario_topics(scenario))
        self.patient = Patient(scenario, seed)
        self.info = info or SessionInfo(
            id=_new_id(),
            scenario_id=scenario.id,
            scenario_version=scenario.version,
            scenario_title=scenario.title,
            trainee=trainee,
            engine=self.engine.name,
            seed=seed,
        )
        self.turns: list[Turn] = []
        self.ledger: list[Disclosure] = []
        self.state: PatientState = self.patient.initial_state()
        self.pending: Submitted | None = None
        self.score: SessionScore | None = None

    # -- lifecycle -----------------------------------------------------------------------------------

    @property
    def id(self) -> str:
        return self.info.id

    @property
    def over(self) -> bool:
        return self.info.status == "complete" or self.state.ended is not None

    def open(self) -> Turn:
        """Start the encounter: store the session and the patient's opening line."""
        if self.store:
            self.store.create_session(self.info)
        return self._append("patient", self.scenario.opening_line, trainee_turn=0, engine="scenario")

    def _append(self, speaker: str, text: str, *, trainee_turn: int, **extra) -> Turn:
        turn = Turn(index=len(self.turns), speaker=speaker, text=text, trainee_turn=trainee_turn, **extra)
        self.turns.append(turn)
        if self.store:
            self.store.add_turn(self.id, turn)
        return turn

    # -- a turn ---------------------------------------------------------------------------------------

    def submit(self, raw: str) -> Submitted | None:
        """Code and commit a trainee turn and plan the reply. Empty input is ignored (returns None)."""
        if self.over:
            raise SessionOver("The encounter has ended; open the debrief or start a new session.")
        if self.pending is not None:
            raise RuntimeError("the previous reply is still pending; voice or retry it first")
        text, notices = clean_input(raw, scenario_names(self.scenario))
        if not text:
            return None
        # The coder takes the patient's last substantive words from the context as what a reflection answers.
        context = [
            ("client" if t.speaker == "patient" else "therapist", t.text) for t in self.turns[-CONTEXT_TURNS:]
        ]
        coding = self.coder.code(text, context=context)
        state, plan, ledger = self.patient.step(self.state, coding, text)
        turn = self._append(
            "trainee", text, trainee_turn=state.turn, coding=coding, state=state, notices=notices
        )
        self.state = state
        self.pending = Submitted(turn, plan, ledger, notices)
        return self.pending

    async def reply(self, engine: PatientEngine | None = None) -> AsyncIterator[str]:
        """Voice the pending reply, yielding chunks; commits the reply and the ledger when it completes.

        On failure the trainee turn stays committed and the reply stays pending; ``EngineError`` says why.
        """
        pending = self.pending
        if pending is None:
            return
        engine = engine or self.engine
        request = ReplyRequest(
            scenario=self.scenario,
            state=self.state,
            plan=pending.plan,
            trainee_text=pending.turn.text,
            coding=pending.turn.coding,
            history=tuple(self.turns),
        )
        started = time.perf_counter()
        parts: list[str] = []
        try:
            async for chunk in engine.stream(request):
                parts.append(chunk)
                yield chunk
        except EngineError:
            raise
        except Exception as exc:  # an engine bug must not cost the trainee their session
            raise EngineError(f"The patient engine failed: {exc}", "other", partial="".join(parts)) from exc
        text = "".join(parts).strip() or pending.plan.text
        duration = (time.perf_counter() - started) * 1000
        # An LLM engine reports the model, usage and checks of the reply it just voiced (Turn fields).
        take_record = getattr(engine, "take_reply_record", None)
        record = take_record() if callable(take_record) else {}
        self._append(
            "patient",
            text,
            trainee_turn=self.state.turn,
            engine=engine.name,
            duration_ms=round(duration, 3),
            **record,
        )
        if pending.ledger:
            self.ledger.extend(pending.ledger)
            if self.store:
                self.store.add_disclosures(self.id, pending.ledger)
        self.pending = None
        if self.state.ended:
            self.info.ending = self.state.ended
            self.finish()

    async def say(self, raw: str) -> str | None:
        """Submit a trainee turn and return the whole reply (for scripts and tests)."""
        if self.submit(raw) is None:
            return None
        return "".join([chunk async for chunk in self.reply()])

    # -- the end --------------------------------------------------------------------------------------

    def close_line(self) -> Turn | None:
        """The patient's goodbye when the trainee ends the encounter (not when the patient did)."""
        if self.over or not self.turns:
            return None
        plan = self.patient.closing(self.state)
        return self._append("patient", plan.text, trainee_turn=self.state.turn, engine="scenario")

    def finish(self, rubrics: dict[str, Rubric] | None = None) -> SessionScore:
        """End the session, score it and store the scores."""
        from .rubric import load_rubrics
        from .scoring import score_session

        if self.pending is not None:
            self.pending = None  # an unvoiced reply is dropped; the trainee turn stays in the transcript
        if rubrics is None:
            rubrics, _broken = load_rubrics()
        self.score = score_session(
            self.scenario, self.turns, self.ledger, rubrics, coder_version=CODER_VERSION
        )
        self.info.status = "complete"
        self.info.ended_at = utcnow()
        if self.store:
            self.store.save_scores(self.id, self.score)
            self.store.set_status(self.id, "complete", ending=self.info.ending)
        return self.score

    def interrupt(self) -> None:
        """Mark the session interrupted (Ctrl-C, closed window) so it can be resumed."""
        if self.info.status == "active":
            self.info.status = "interrupted"
            if self.store:
                self.store.set_status(self.id, "interrupted")

    # -- resuming ------------------------------------------------------------------------------------

    @classmethod
    def resume(
        cls, store: Store, session_id: str, scenario: Scenario, *, engine: PatientEngine | None = None
    ) -> Session:
        """Rebuild an interrupted session from the store; a trainee turn left without reply becomes pending."""
        info = store.session(session_id)
        if scenario.version != info.scenario_version:
            raise ValueError(
                f"session {info.id} used {scenario.id} version {info.scenario_version}; "
                f"the installed version is {scenario.version}"
            )
        session = cls(scenario, engine=engine, store=store, seed=info.seed, trainee=info.trainee, info=info)
        session.turns = store.turns(info.id)
        session.ledger = store.disclosures(info.id)
        states = [t.state for t in session.turns if t.state is not None]
        if states:
            session.state = states[-1]
        last = session.turns[-1] if session.turns else None
        if last is not None and last.speaker == "trainee" and last.coding is not None:
            # The reply was never stored: plan it again from the state before this turn.
            before = states[-2] if len(states) > 1 else session.patient.initial_state()
            state, plan, ledger = session.patient.step(before, last.coding, last.text)
            session.state = state
            session.pending = Submitted(last, plan, ledger, list(last.notices))
        info.status = "active"
        store.set_status(info.id, "active")
        return session
