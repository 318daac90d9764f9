"""The live coach: for each trainee turn, its codes, a short feedback line and, when the turn missed something,
a better reply taken from the scenario's rubrics (their authors' exemplars).

The feedback comes from the core's per-turn feedback (:mod:`simulator.feedback`); when that cannot be used, a
smaller set of rules here gives the same kind of note, so the coach never goes silent. Plain Python, tested
without Textual. During the encounter it never reveals a hidden fact: a better reply taken from a fact's hint
is kept for the debrief.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from simulator.codes import DIRECT_RISK_QUESTIONS, Behaviour

if TYPE_CHECKING:
    from simulator.records import Coding, Disclosure, PatientState, Turn
    from simulator.rubric import Rubric
    from simulator.scenario import Scenario

# Where a better reply comes from, by what the turn missed: rubric detector types whose items carry exemplars.
SOURCES: dict[str, tuple[str, ...]] = {
    "ask_risk": ("risk_direct_question_after_cue",),
    "reflect": ("percent_complex_reflections", "reflection_question_ratio"),
    "collaborate": ("adherent_total", "non_adherent_total"),
    "open": ("reflection_question_ratio",),
}
# Used only when none of the scenario's rubrics has an exemplar for the need (our own words).
FALLBACK: dict[str, str] = {
    "ask_risk": "When people feel this low, they sometimes think about ending their life. Have you had thoughts "
    "like that?",
    "reflect": "It sounds like this has been weighing on you for a while.",
    "collaborate": "Would it be all right if I shared an idea? You can tell me if it doesn't fit.",
    "open": "What has that been like for you?",
}
CODE_NAMES: dict[str, str] = {
    "open_question": "open question",
    "closed_question": "closed question",
    "simple_reflection": "simple reflection",
    "complex_reflection": "complex reflection",
    "affirm": "affirmation",
    "seek_collaboration": "seeking collaboration",
    "emphasize_autonomy": "emphasising autonomy",
    "give_information": "giving information",
    "advise_with_permission": "advice with permission",
    "persuade": "advice without permission",
    "confront": "confrontation",
    "other": "other",
}


@dataclass(frozen=True)
class TurnFeedback:
    """The coach's note on one trainee turn. ``mark`` is ✔ (good), ~ (could be better) or ✘ (missed)."""

    turn: int
    index: int
    codes: str
    mark: str
    line: str
    better_reply: str | None = None

    @property
    def missed(self) -> bool:
        return self.mark == "✘"


def codes_text(coding: Coding | None) -> str:
    """``open question · topics: sleep · risk: ask wish dead`` in plain words."""
    if coding is None:
        return "not coded"
    parts = [", ".join(CODE_NAMES.get(str(b), str(b)) for b in coding.behaviours) or "other"]
    if coding.topics:
        parts.append("topics: " + ", ".join(coding.topics))
    if coding.risk_flags:
        parts.append("risk: " + ", ".join(str(f).replace("_", " ") for f in coding.risk_flags))
    return " · ".join(parts)


def better_reply(need: str, rubrics: dict[str, Rubric] | None, scenario: Scenario | None, turn: int) -> str:
    """An exemplar for ``need`` from the scenario's rubrics (varied by turn), else our own fallback."""
    wanted = SOURCES.get(need, ())
    exemplars: list[str] = []
    if rubrics:
        ids = scenario.rubrics if scenario is not None else list(rubrics)
        for rubric_id in ids:
            rubric = rubrics.get(rubric_id)
            if rubric is None:
                continue
            for item in rubric.items:
                if getattr(item.detector, "type", "") in wanted:
                    exemplars.extend(item.better_replies)
    if not exemplars:
        return FALLBACK[need]
    return exemplars[turn % len(exemplars)]


def _before(turns: list[Turn], turn: Turn) -> tuple[PatientState | None, list[Turn]]:
    """The patient state before ``turn`` and the trainee turns before it."""
    earlier = [t for t in turns if t.speaker == "trainee" and t.index < turn.index]
    states = [t.state for t in earlier if t.state is not None]
    return (states[-1] if states else None), earlier


def _risk_cue_owed(scenario: Scenario | None, state: PatientState | None) -> bool:
    """A risk cue has been said and no direct question about suicide has been asked yet."""
    if scenario is None or scenario.risk is None or state is None:
        return False
    said = set(state.disclosed) & set(scenario.risk.cues)
    asked = set(map(str, state.flags_asked)) & set(map(str, DIRECT_RISK_QUESTIONS))
    return bool(said) and not asked


def turn_feedback(
    turn: Turn,
    turns: list[Turn],
    scenario: Scenario | None = None,
    rubrics: dict[str, Rubric] | None = None,
    *,
    ledger: list[Disclosure] | None = None,
    live: bool = False,
) -> TurnFeedback:
    """The coach's note on one trainee turn. ``live``: during the encounter (no hints about hidden facts)."""
    if scenario is not None and turn.coding is not None:
        try:
            return _core_feedback(turn, turns, scenario, rubrics, ledger, live)
        except Exception:
            logging.getLogger(__name__).debug("core feedback failed; using the coach's own rules", exc_info=True)
    return local_feedback(turn, turns, scenario, rubrics)


def _core_feedback(
    turn: Turn,
    turns: list[Turn],
    scenario: Scenario,
    rubrics: dict[str, Rubric] | None,
    ledger: list[Disclosure] | None,
    live: bool,
) -> TurnFeedback:
    from simulator.feedback import for_turn

    position = next(i for i, t in enumerate(turns) if t.index == turn.index)
    if ledger is None:  # without the ledger, the patient states say what had been disclosed
        state, _ = _before(turns, turn)
        disclosed = list(state.disclosed) if state is not None else []
    else:
        disclosed = [d.fact_id for d in ledger if d.turn < turn.trainee_turn]
    fb = for_turn(scenario, turns[: position + 1], position, rubrics=rubrics, disclosed=disclosed)
    mark = "✘" if fb.missed else ("✔" if fb.tone == "good" else "~")
    better = fb.better_reply
    if live and (fb.better_reply_source or "").startswith("scenario fact"):
        better = None  # a fact's hint would tell the trainee what the patient is still holding back
    return TurnFeedback(turn.trainee_turn, turn.index, codes_text(turn.coding), mark, fb.summary, better)


def local_feedback(
    turn: Turn,
    turns: list[Turn],
    scenario: Scenario | None = None,
    rubrics: dict[str, Rubric] | None = None,
) -> TurnFeedback:
    """The coach's own rules (used when the core feedback is not available): from the coding and the state."""
    coding = turn.coding
    codes = codes_text(coding)
    behaviours = {str(b) for b in coding.behaviours} if coding else set()
    flags = {str(f) for f in coding.risk_flags} if coding else set()
    state, earlier = _before(turns, turn)
    n = turn.trainee_turn

    def note(mark: str, line: str, need: str | None = None) -> TurnFeedback:
        better = better_reply(need, rubrics, scenario, n) if need else None
        return TurnFeedback(n, turn.index, codes, mark, line, better)

    asked_directly = bool(flags & {str(f) for f in DIRECT_RISK_QUESTIONS})
    if _risk_cue_owed(scenario, state) and not asked_directly:
        return note("✘", "A risk cue is on the table: ask directly about suicide.", "ask_risk")
    if Behaviour.CONFRONT in behaviours:
        return note("✘", "Confrontation costs trust. Reflect what you heard instead.", "reflect")
    if Behaviour.PERSUADE in behaviours:
        return note("✘", "Advice without permission: ask first, or leave the choice with them.", "collaborate")
    if asked_directly:
        return note("✔", "You asked directly about suicide: clear and caring.")
    if flags:
        return note("✔", "A risk or safety-planning question: keep following the screener.")
    questions = {Behaviour.OPEN_QUESTION, Behaviour.CLOSED_QUESTION}
    reflections = {Behaviour.SIMPLE_REFLECTION, Behaviour.COMPLEX_REFLECTION}
    streak = 0
    for t in reversed(earlier + [turn]):
        coded = {str(b) for b in t.coding.behaviours} if t.coding else set()
        if coded & questions and not coded & reflections:
            streak += 1
        else:
            break
    if streak >= 3:
        return note("✘", f"{streak} questions in a row: a reflection would show you heard.", "reflect")
    if Behaviour.COMPLEX_REFLECTION in behaviours:
        return note("✔", "Complex reflection: it adds meaning to what was said.")
    if Behaviour.SIMPLE_REFLECTION in behaviours:
        return note("✔", "Reflection: you show you are listening. Adding meaning makes it complex.")
    if Behaviour.AFFIRM in behaviours:
        return note("✔", "Affirmation: you noticed a strength.")
    if behaviours & {Behaviour.SEEK_COLLABORATION, Behaviour.EMPHASIZE_AUTONOMY, Behaviour.ADVISE_WITH_PERMISSION}:
        return note("✔", "You shared power and left the choice with them.")
    if Behaviour.OPEN_QUESTION in behaviours:
        return note("✔", "Open question: it invites the story.")
    if Behaviour.CLOSED_QUESTION in behaviours:
        if streak >= 2:
            return note("~", "Two closed questions in a row: an open one invites more.", "open")
        return note("~", "Closed question: fine for a fact; an open one invites more.")
    if Behaviour.GIVE_INFORMATION in behaviours:
        return note("~", "Information given: check what they make of it.")
    return note("~", "No code fits this turn well; say what you mean plainly.")


def session_feedback(
    turns: list[Turn],
    scenario: Scenario | None = None,
    rubrics: dict[str, Rubric] | None = None,
    ledger: list[Disclosure] | None = None,
) -> list[TurnFeedback]:
    """The coach's notes on every trainee turn of a transcript, in order (for the debrief)."""
    return [turn_feedback(t, turns, scenario, rubrics, ledger=ledger) for t in turns if t.speaker == "trainee"]


def scenario_rubrics() -> dict[str, Rubric]:
    """The loaded rubrics (parsed once per process), or none when they cannot be read."""
    from simulator.rubric import load_rubrics

    try:
        rubrics, _broken = load_rubrics()
    except Exception:  # noqa: BLE001 - the coach falls back to its own words; scoring reports rubric problems
        return {}
    return rubrics
