"""Per-turn feedback for the live coach and the debrief: what a trainee turn did, what it missed, a better reply.

Call :func:`for_turn` with the scenario, the transcript so far and the index of a trainee turn. It needs no
model and no network: the better reply is made from the patient's own words where the miss allows it (see
:mod:`simulator.better_reply`: a reflection of what they just said, the direct risk question quoting their cue),
else it is a rubric exemplar (``better_replies``) of the item the miss belongs to, or comes from the scenario
(the ``hint`` of a fact the patient is still holding back).

What counts as a miss, checked in this order (the first ones matter most):

1. The patient gave a risk cue (a risk-cue fact was disclosed, or the patient's words before this turn spoke of
   dying, not waking up, no way out…) and suicide has not been asked about directly yet.
2. Persuading without permission or confronting.
3. The patient's last words were change talk and the turn did not reflect, affirm or ask an open question.
4. The patient's last words were sustain talk and the turn argued or pushed.
5. A third question in a row with no reflection since.
6. A closed question where the patient had just said something worth reflecting.

Each ``TurnFeedback`` lists the behaviours the turn showed (with the coder's evidence), the misses, and at
most one better reply with where it came from. Feedback is formative practice advice, like every score.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .codes import DIRECT_RISK_QUESTIONS, QUESTIONS, REFLECTIONS, Behaviour, RiskFlag
from .records import Turn
from .rubric import Rubric
from .scenario import Scenario

B = Behaviour
RISK_WORDS = re.compile(
    r"\b(?:suicid\w*|kill(?:ing)? myself|end(?:ing)? it|end my life|better off without me|no point|"
    r"what['’]?s the point(?:(?: of (?:it all|it|anything|any of it|trying|going on|living|me))?(?: any ?more)?)"
    r"(?! (?:of|in)\b)|"
    r"not (?:be )?(?:here|around) any ?more|(?:don't|do not) want to (?:be here|live|wake up)|no way out|"
    r"can't go on|wish i (?:was|were) dead|disappear)\b",
    re.IGNORECASE,
)
_LABELS: dict[Behaviour, str] = {
    B.OPEN_QUESTION: "open question",
    B.CLOSED_QUESTION: "closed question",
    B.SIMPLE_REFLECTION: "simple reflection",
    B.COMPLEX_REFLECTION: "complex reflection",
    B.AFFIRM: "affirmation",
    B.SEEK_COLLABORATION: "seeking collaboration",
    B.EMPHASIZE_AUTONOMY: "emphasising autonomy",
    B.GIVE_INFORMATION: "giving information",
    B.ADVISE_WITH_PERMISSION: "advice with permission",
    B.PERSUADE: "advice or persuasion without permission",
    B.CONFRONT: "confronting",
    B.OTHER: "other",
}
_GOOD = REFLECTIONS | {B.AFFIRM, B.SEEK_COLLABORATION, B.EMPHASIZE_AUTONOMY, B.OPEN_QUESTION,
                       B.ADVISE_WITH_PERMISSION}
PATIENTS_WORDS = "patient's words"  # the source of a better reply built from what the patient said
NOTICE = "Formative feedback for practice, from an automatic coder; not an assessment."


@dataclass(slots=True)
class Miss:
    """Something the turn could have done better."""

    code: str  # stable id: risk_not_asked, persuade, confront, change_talk_missed, sustain_argued, question_run, …
    message: str  # plain words for the trainee
    rubric_id: str | None = None  # the rubric item this belongs to, when one does
    item_id: str | None = None


@dataclass(slots=True)
class TurnFeedback:
    """Feedback on one trainee turn."""

    index: int  # transcript index of the trainee turn
    text: str
    did: list[str] = field(default_factory=list)  # "open question (what brings you…)", in plain words
    behaviours: list[Behaviour] = field(default_factory=list)
    risk_flags: list[RiskFlag] = field(default_factory=list)
    tone: str = "neutral"  # "good", "neutral" or "concern": for colouring a coach hint
    missed: list[Miss] = field(default_factory=list)
    better_reply: str | None = None
    # "patient's words", "rubric mi/reflection_to_question" or "scenario fact <id>"
    better_reply_source: str | None = None
    notice: str = NOTICE

    @property
    def summary(self) -> str:
        """One line for a coach panel: the first miss, else what the turn did."""
        if self.missed:
            return self.missed[0].message
        return "This turn: " + ", ".join(self.did) if self.did else "This turn carried no coded behaviour."


def _exemplar(rubrics: Mapping[str, Rubric], scenario: Scenario, pairs: Sequence[tuple[str, str]], seed: int):
    """The first exemplar among (rubric, item) pairs the scenario uses; picked by ``seed`` among several."""
    for rubric_id, item_id in pairs:
        rubric = rubrics.get(rubric_id)
        if rubric is None or rubric_id not in scenario.rubrics:
            continue
        try:
            replies = rubric.item(item_id).better_replies
        except KeyError:
            continue
        if replies:
            return replies[seed % len(replies)], f"rubric {rubric_id}/{item_id}"
    return None, None


def _client_before(turns: Sequence[Turn], index: int) -> Turn | None:
    for turn in reversed(turns[:index]):
        if turn.speaker == "patient":
            return turn
        if turn.speaker == "trainee":
            return None
    return None


def for_turn(
    scenario: Scenario,
    turns: Sequence[Turn],
    index: int,
    *,
    rubrics: Mapping[str, Rubric] | None = None,
    disclosed: Sequence[str] = (),
) -> TurnFeedback:
    """Feedback on the trainee turn at list position ``index`` of ``turns`` (the transcript so far).

    ``rubrics`` defaults to every loaded rubric; ``disclosed`` lists fact ids disclosed so far (from the
    session's ledger) so risk cues and scenario hints can be used. Raises ValueError when ``turns[index]`` is
    not a coded trainee turn.
    """
    from .talk import talk_in_session

    turn = turns[index]
    if turn.speaker != "trainee" or turn.coding is None:
        raise ValueError(f"turn {index} is not a coded trainee turn")
    if rubrics is None:
        from .rubric import load_rubrics

        rubrics, _ = load_rubrics()
    coding = turn.coding
    codes = set(coding.behaviours) - {B.OTHER}
    cue_for = {c.code: c.evidence for c in coding.cues}
    fb = TurnFeedback(turn.index, turn.text, behaviours=list(coding.behaviours), risk_flags=list(coding.risk_flags))
    fb.did = [f"{_LABELS[b]} ({cue_for.get(b.value, '')})".replace(" ()", "") for b in coding.behaviours if b in codes]
    fb.did += [f"risk move: {f.value.replace('_', ' ')}" for f in coding.risk_flags]

    earlier = [t for t in turns[:index] if t.speaker == "trainee" and t.coding is not None]
    patient = _client_before(turns, index)
    context = [("therapist" if t.speaker == "trainee" else "client", t.text) for t in turns[max(0, index - 3) : index]]
    talk = talk_in_session(patient.text, context, scenario) if patient is not None else "neutral"
    seed = turn.trainee_turn

    def miss(code: str, message: str, rubric_id: str | None = None, item_id: str | None = None) -> None:
        fb.missed.append(Miss(code, message, rubric_id, item_id))

    # 1. A risk cue left unasked.
    asked_before = any(set(t.coding.risk_flags) & DIRECT_RISK_QUESTIONS for t in earlier)  # type: ignore[union-attr]
    asks_now = bool(set(coding.risk_flags) & DIRECT_RISK_QUESTIONS)
    risk = scenario.risk
    cue_fact = next((f for f in disclosed if risk and f in risk.cues), None)
    cue_words = patient is not None and RISK_WORDS.search(patient.text) is not None
    if (cue_fact or cue_words) and not asked_before and not asks_now:
        miss(
            "risk_not_asked",
            "The patient has signalled risk. Ask directly about thoughts of suicide, in plain words.",
            "risk",
            "direct_question_after_cue",
        )
    # 2. Non-adherent moves.
    if B.PERSUADE in codes:
        miss("persuade", "Advice without permission: ask first, or offer it as an option the patient can turn down.",
             "mi", "mi_non_adherent")
    if B.CONFRONT in codes:
        miss("confront", "Confronting: arguing or judging usually makes people defend the status quo. Reflect instead.",
             "mi", "mi_non_adherent")
    # 3-4. Answering the patient's change or sustain talk.
    if talk == "change" and not codes & (REFLECTIONS | {B.AFFIRM, B.OPEN_QUESTION}):
        miss("change_talk_missed", "The patient said something in favour of change. Reflect it back or ask for more.",
             "mi", "complex_reflection_share")
    if talk == "sustain" and codes & {B.PERSUADE, B.CONFRONT}:
        miss("sustain_argued", "Arguing with reasons against change strengthens them. Reflect both sides instead.",
             "mi", "mi_non_adherent")
    # 5. Question runs.
    if codes & QUESTIONS and not codes & REFLECTIONS and not coding.risk_flags:
        run = 1
        for t in reversed(earlier):
            tc = set(t.coding.behaviours)  # type: ignore[union-attr]
            if tc & REFLECTIONS or not tc & QUESTIONS:
                break
            run += 1
        if run >= 3:
            miss("question_run", f"{run} questions in a row without a reflection. Say back what you heard first.",
                 "mi", "reflection_to_question")
        elif B.CLOSED_QUESTION in codes and B.OPEN_QUESTION not in codes and patient is not None and len(
            patient.text.split()
        ) >= 12:
            miss("closed_after_disclosure",
                 "The patient said a lot; a closed question narrows it. Try a reflection or an open question.",
                 "mi", "reflection_to_question")

    # Tone, for colouring.
    if any(m.code in ("risk_not_asked", "persuade", "confront", "sustain_argued") for m in fb.missed):
        fb.tone = "concern"
    elif (codes & _GOOD or coding.risk_flags) and not fb.missed:
        # A direct question about suicide or a safety-plan step is good practice even as a closed question.
        fb.tone = "good"

    if fb.missed:
        fb.better_reply, fb.better_reply_source = _better_reply(
            fb.missed, scenario, turns, index, rubrics, disclosed, set(coding.topics), seed
        )
    return fb


def _better_reply(
    missed: list[Miss],
    scenario: Scenario,
    turns: Sequence[Turn],
    index: int,
    rubrics: Mapping[str, Rubric],
    disclosed: Sequence[str],
    topics: set[str],
    seed: int,
) -> tuple[str | None, str | None]:
    """Made from the patient's words for the first miss, else a miss's rubric exemplar, else the hint of a fact
    still held back on the turn's topics; with where it came from."""
    from .better_reply import fitted

    reply = fitted(missed[0].code, turns, index, scenario)
    if reply:
        return reply, PATIENTS_WORDS
    for m in missed:
        if m.rubric_id and m.item_id:
            reply, source = _exemplar(rubrics, scenario, [(m.rubric_id, m.item_id)], seed)
            if reply:
                return reply, source
    hidden = [f for f in scenario.facts if f.hint and f.id not in disclosed and set(f.topics) & topics]
    if hidden:
        return hidden[0].hint, f"scenario fact {hidden[0].id}"
    return None, None


def for_session(
    scenario: Scenario,
    turns: Sequence[Turn],
    disclosures: Sequence = (),
    *,
    rubrics: Mapping[str, Rubric] | None = None,
) -> list[TurnFeedback]:
    """Feedback for every trainee turn (for the debrief); ``disclosures`` is the session's ledger."""
    if rubrics is None:
        from .rubric import load_rubrics

        rubrics, _ = load_rubrics()
    out = []
    for i, turn in enumerate(turns):
        if turn.speaker == "trainee" and turn.coding is not None:
            facts = [d.fact_id for d in disclosures if d.turn < turn.trainee_turn]
            out.append(for_turn(scenario, turns, i, rubrics=rubrics, disclosed=facts))
    return out


__all__ = ["NOTICE", "PATIENTS_WORDS", "RISK_WORDS", "Miss", "TurnFeedback", "for_session", "for_turn"]
