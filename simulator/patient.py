"""The simulated patient's mind, in code: trust, stage, emotion, what is unlocked, what is said next.

Disclosure is engine state, not prompt prose. After every trainee turn :meth:`Patient.step` updates the state from
the coding, releases facts whose conditions hold, and plans the reply: which facts it discloses and which authored
lines say it. The scripted engine speaks the plan's lines; an LLM engine is given only what the plan allows.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from typing import Literal

from .codes import SCREENER, Behaviour, RiskFlag
from .records import Coding, Disclosure, PatientState
from .scenario import DEFAULT_TRUST_DELTAS, Condition, EndCondition, Fact, Reaction, Scenario

PlanKind = Literal[
    "disclose",
    "recall",
    "screener_no",
    "screener_guarded",
    "guarded",
    "react",
    "small_talk",
    "ending",
    "closing",
]
MAX_FACTS_PER_REPLY = 2
RECALL_PREFIXES = ("Like I said, ", "As I mentioned, ", "I told you, ")
DEFAULT_LINES: dict[str, list[str]] = {
    "persuade": ["I know what I'm supposed to do. It's not that simple.", "Everyone keeps telling me that."],
    "confront": ["I don't think that's fair.", "Right. I knew this would happen."],
    "closed_question_streak": ["Yes. No. I don't know... it feels like a checklist."],
    "complex_reflection": ["Yeah... that's it, really.", "That's exactly it."],
    "simple_reflection": ["Yeah.", "Mm, that's right."],
    "affirm": ["Thanks. I don't hear that much."],
    "emphasize_autonomy": ["Okay. Good to know it's up to me."],
    "seek_collaboration": ["Okay, I suppose we can try that."],
    "advise_with_permission": ["Okay. I'll think about that."],
    "give_information": ["Okay."],
    "open_question": ["I'm not sure where to start, honestly."],
    "closed_question": ["I suppose so.", "Not really."],
    "repeated_question": ["You asked me that already."],
    "off_topic": ["Sorry, I'm not sure what you mean."],
    "unclear": ["Sorry, what do you mean?"],
    "deflect": ["I'd rather not get into that right now.", "It's fine. It's nothing, really."],
    "screener_deflect": ["I... I don't really want to talk about that.", "Why are you asking me that?"],
}


@dataclass
class ReplyPlan:
    """What the patient will say next and why; the session runner stores it with the turn."""

    kind: PlanKind
    lines: list[str]
    facts: list[str] = field(default_factory=list)
    reason: str = ""
    ending: str | None = None

    @property
    def text(self) -> str:
        return " ".join(self.lines)


def _scenario_text(scenario: Scenario) -> list[str]:
    texts = [scenario.opening_line, scenario.persona.background, scenario.persona.presenting_concern]
    texts += [line for fact in scenario.facts for line in [*fact.lines, *fact.guarded_lines, fact.summary, fact.hint]]
    for name in type(scenario.reactions).model_fields:
        reaction = getattr(scenario.reactions, name)
        if reaction is not None:
            texts += reaction.lines
    return texts + scenario.small_talk + scenario.closing_lines


def proper_nouns(scenario: Scenario) -> frozenset[str]:
    """Capitalised words the scenario uses inside sentences (names, places): never lower-cased in a recall or
    a reflection built from the patient's words."""
    names = set(scenario.persona.name.split())
    for text in _scenario_text(scenario):
        for sentence in re.split(r"(?<=[.!?…])\s+|\n", text):
            words = re.findall(r"[A-Za-z][\w'-]*", sentence)
            names.update(w for w in words[1:] if w[0].isupper() and w != "I" and not w.startswith("I'"))
    return frozenset(names)


def normalise(text: str) -> str:
    """Lower-case words only, single-spaced: for comparing what was said regardless of case and punctuation."""
    return " ".join(re.findall(r"[a-z']+", text.lower()))


def _condition_holds(cond: Condition, state: PatientState, coding: Coding) -> bool:
    if cond.topics and not set(cond.topics) & set(coding.topics):
        return False
    if cond.min_trust is not None and state.trust + 1e-9 < cond.min_trust:
        return False
    if cond.behaviours and not set(cond.behaviours) & set(coding.behaviours):
        return False
    if cond.risk_flags and not set(cond.risk_flags) & set(coding.risk_flags):
        return False
    if cond.min_turn is not None and state.turn < cond.min_turn:
        return False
    return all(f in state.disclosed for f in cond.after_facts)


def _ending_holds(when: EndCondition, state: PatientState) -> bool:
    if when.min_turn is not None and state.turn < when.min_turn:
        return False
    if when.max_trust is not None and state.trust > when.max_trust + 1e-9:
        return False
    if not all(f in state.disclosed for f in when.facts_disclosed):
        return False
    return all(flag in state.flags_asked for flag in when.risk_flags_asked)


class Patient:
    """Deterministic patient logic for one scenario; the seed varies line choice, never disclosure."""

    def __init__(self, scenario: Scenario, seed: int = 0):
        self.scenario = scenario
        self.seed = seed
        self._facts = {f.id: f for f in scenario.facts}
        self._deltas = {**DEFAULT_TRUST_DELTAS, **scenario.trust.deltas}
        self._names = proper_nouns(scenario)

    def initial_state(self) -> PatientState:
        """State before the first trainee turn."""
        return PatientState(
            trust=self.scenario.trust.start,
            stage=self.scenario.stage.value,
            emotion=self.scenario.persona.baseline_emotion,
        )

    # -- line choice -------------------------------------------------------------------------------------

    def _pick(self, state: PatientState, key: str, options: list[str]) -> str:
        """Least-used line first, ties broken by the seed, so repeats vary and runs reproduce."""
        uses = [state.used_lines.get(f"{key}#{i}", 0) for i in range(len(options))]
        fewest = min(uses)
        candidates = [i for i, n in enumerate(uses) if n == fewest]
        rng = random.Random(f"{self.seed}:{state.turn}:{key}")
        index = rng.choice(candidates)
        state.used_lines[f"{key}#{index}"] = uses[index] + 1
        return options[index]

    def _reaction(self, name: str) -> Reaction | None:
        return getattr(self.scenario.reactions, name, None)

    def _react(self, state: PatientState, name: str, reason: str) -> ReplyPlan:
        reaction = self._reaction(name)
        lines = reaction.lines if reaction else DEFAULT_LINES.get(name) or DEFAULT_LINES["unclear"]
        if reaction:
            state.trust = self._clamp(state.trust + reaction.trust)
            if reaction.emotion:
                state.emotion = reaction.emotion
        return ReplyPlan("react", [self._pick(state, f"reaction:{name}", lines)], reason=reason)

    def _clamp(self, value: float) -> float:
        return round(min(max(value, 0.0), self.scenario.trust.maximum), 4)

    # -- the step ----------------------------------------------------------------------------------------

    def step(
        self, state: PatientState, coding: Coding, text: str
    ) -> tuple[PatientState, ReplyPlan, list[Disclosure]]:
        """Apply one trainee turn: returns the new state, the reply plan and any new ledger entries."""
        state = state.model_copy(deep=True)
        state.turn += 1
        behaviours = list(dict.fromkeys(coding.behaviours)) or [Behaviour.OTHER]
        asked_key = normalise(text)
        is_question = bool(set(behaviours) & {Behaviour.OPEN_QUESTION, Behaviour.CLOSED_QUESTION})
        repeated = is_question and len(asked_key) > 8 and asked_key in state.asked
        if is_question and not repeated:
            state.asked.append(asked_key)

        trust = state.trust + sum(self._deltas.get(b, 0.0) for b in behaviours)
        if repeated:
            trust += self.scenario.trust.repeat_penalty
        state.trust = self._clamp(trust)
        primary = behaviours[0]
        only_closed = primary == Behaviour.CLOSED_QUESTION and not set(behaviours) & {
            Behaviour.SIMPLE_REFLECTION,
            Behaviour.COMPLEX_REFLECTION,
        }
        # Screening and safety-plan questions are closed by design; they do not make a "checklist" streak.
        if only_closed and not coding.risk_flags:
            state.closed_streak += 1
        elif not only_closed:
            state.closed_streak = 0
        for flag in coding.risk_flags:
            if flag not in state.flags_asked:
                state.flags_asked.append(flag)

        newly = [
            f.id
            for f in self.scenario.facts
            if f.id not in state.unlocked and _condition_holds(f.condition, state, coding)
        ]
        state.unlocked.extend(newly)

        plan = self._plan(state, coding, behaviours, newly, repeated)
        ledger = [
            Disclosure(
                fact_id=fact_id,
                turn=state.turn,
                trust=state.trust,
                behaviours=behaviours,
                topics=list(coding.topics),
                risk_flags=list(coding.risk_flags),
                trainee_text=text,
            )
            for fact_id in plan.facts
            if fact_id not in state.disclosed
        ]
        for entry in ledger:
            state.disclosed.append(entry.fact_id)
        # Stage moves after this turn's disclosures, so "after_facts" can see what was just said.
        for change in self.scenario.stage_changes:
            if _condition_holds(change.condition, state, coding):
                state.stage = change.stage.value
        if plan.kind != "react":
            state.emotion = self._emotion(state)
        ending = self._ending(state)
        if ending is not None:
            plan.lines.append(ending.line)
            plan.ending = ending.id
            state.ended = ending.id
        return state, plan, ledger

    def closing(self, state: PatientState) -> ReplyPlan:
        """The patient's words when the trainee ends the session."""
        return ReplyPlan("closing", [self._pick(state, "closing", self.scenario.closing_lines)], reason="closing")

    # -- planning ----------------------------------------------------------------------------------------

    def _plan(
        self,
        state: PatientState,
        coding: Coding,
        behaviours: list[Behaviour],
        newly: list[str],
        repeated: bool,
    ) -> ReplyPlan:
        mistakes = {Behaviour.CONFRONT, Behaviour.PERSUADE} & set(behaviours)
        if mistakes:
            # A fact written as the patient's answer to this very mistake (its condition names the behaviour)
            # is said instead of the generic reaction, so the debrief can point to it.
            answers = [f for f in newly if mistakes & set(self._facts[f].condition.behaviours)]
            if answers:
                return self._disclose(state, answers[:MAX_FACTS_PER_REPLY], "reacts to the trainee's move")
            if Behaviour.CONFRONT in mistakes:
                return self._react(state, "confront", "trainee confronted")
            return self._react(state, "persuade", "unsolicited advice")

        screener = self._screener_reply(state, coding)
        if screener is not None:
            return screener

        due = self._due_facts(state, coding, newly)
        if due:
            return self._disclose(state, due, "condition met")
        if repeated:
            return self._react(state, "repeated_question", "question asked before")

        asked = set(behaviours) & {Behaviour.OPEN_QUESTION, Behaviour.CLOSED_QUESTION}
        # "Would it be okay if I shared what I know about X?" asks permission; it is not a question about X.
        # Information before a question ("It says here you're sleeping better. Is that right?") does not stop
        # the question being about the topic.
        permission = set(behaviours) & {
            Behaviour.SEEK_COLLABORATION,
            Behaviour.ADVISE_WITH_PERMISSION,
            Behaviour.EMPHASIZE_AUTONOMY,
        }
        if asked and not permission and coding.topics:
            # Only a question about a topic calls for what the patient knows about it; a reflection or a
            # piece of information that mentions the topic gets the reaction to that behaviour instead.
            plan = self._topic_reply(state, list(coding.topics))
            if plan is not None:
                return plan

        if set(behaviours) & {
            Behaviour.COMPLEX_REFLECTION,
            Behaviour.SIMPLE_REFLECTION,
            Behaviour.AFFIRM,
            Behaviour.EMPHASIZE_AUTONOMY,
        }:
            offer = [
                f
                for f in state.unlocked
                if f not in state.disclosed and self._facts[f].volunteer
            ]
            if offer:
                return self._disclose(state, offer[:1], "elaborates after being heard")
        if state.closed_streak >= 3:
            return self._react(state, "closed_question_streak", "string of closed questions")
        order = [
            "complex_reflection",
            "simple_reflection",
            "affirm",
            "emphasize_autonomy",
            "seek_collaboration",
            "advise_with_permission",
            "give_information",
            "open_question",
            "closed_question",
        ]
        if asked:
            # "It says here you're sleeping better. Is that right?": the question is what is left to answer.
            order.remove("give_information")
            order.append("give_information")
        for name in order:
            if Behaviour(name) in behaviours:
                if name in ("open_question", "closed_question") and self._reaction(name) is None:
                    break
                return self._react(state, name, f"responds to {name.replace('_', ' ')}")
        if self.scenario.small_talk and behaviours != [Behaviour.OTHER]:
            return ReplyPlan("small_talk", [self._pick(state, "small_talk", self.scenario.small_talk)])
        if behaviours == [Behaviour.OTHER] and not coding.topics:
            name = "unclear" if len(normalise(" ".join(c.evidence for c in coding.cues))) < 2 else "off_topic"
            return self._react(state, name, "nothing to respond to")
        if self.scenario.small_talk:
            return ReplyPlan("small_talk", [self._pick(state, "small_talk", self.scenario.small_talk)])
        return self._react(state, "open_question", "no topic")

    def _screener_reply(self, state: PatientState, coding: Coding) -> ReplyPlan | None:
        risk = self.scenario.risk
        if not risk:
            return None
        for flag in SCREENER:
            if flag not in coding.risk_flags or flag not in risk.screener:
                continue
            answer = risk.screener[flag]
            if answer.answer == "no":
                line = answer.line or "No. Nothing like that."
                return ReplyPlan("screener_no", [line], reason=f"screener {flag.value}: no")
            fact_id = answer.fact
            if fact_id and fact_id in state.unlocked:
                if fact_id in state.disclosed:
                    return self._recall(state, self._facts[fact_id])
                return self._disclose(state, [fact_id], f"screener {flag.value}: yes")
            return self._react(state, "screener_deflect", f"screener {flag.value}: not yet trusted")
        return None

    def _due_facts(self, state: PatientState, coding: Coding, newly: list[str]) -> list[str]:
        """Unlocked, undisclosed facts that this turn calls for: on the topics raised first."""
        waiting = [f for f in state.unlocked if f not in state.disclosed]
        on_topic = [f for f in waiting if set(self._facts[f].topics) & set(coding.topics)]
        fresh = [f for f in newly if f in waiting and f not in on_topic]
        screener_only = set(self.scenario.screener_facts.values())
        due = [f for f in on_topic + fresh if f not in screener_only or f in newly]
        return due[:MAX_FACTS_PER_REPLY]

    def _disclose(self, state: PatientState, fact_ids: list[str], reason: str) -> ReplyPlan:
        lines = [self._pick(state, f"fact:{f}", self._facts[f].lines) for f in fact_ids]
        return ReplyPlan("disclose", lines, facts=list(fact_ids), reason=reason)

    def _recall(self, state: PatientState, fact: Fact) -> ReplyPlan:
        """Repeat what was said about a fact, in the same words (other variants may hold other details)."""
        said = [i for i in range(len(fact.lines)) if state.used_lines.get(f"fact:{fact.id}#{i}", 0)]
        line = fact.lines[said[0] if said else 0]
        prefix = self._pick(state, "recall", list(RECALL_PREFIXES))
        first_word = re.split(r"[\s,.!?…:;]", line, maxsplit=1)[0]
        if first_word not in self._names and not re.match(r"I\b|I'", line):
            line = line[:1].lower() + line[1:]
        return ReplyPlan("recall", [prefix + line], reason=f"already said {fact.id}")

    def _topic_reply(self, state: PatientState, topics: list[str]) -> ReplyPlan | None:
        related = [f for f in self.scenario.facts if set(f.topics) & set(topics)]
        # Guarded only about facts a question on these topics leads to (a fact opened by a behaviour alone
        # does not make the patient cagey about its topic).
        locked = [
            f
            for f in related
            if f.id not in state.unlocked and (not f.condition.topics or set(f.condition.topics) & set(topics))
            and (f.condition.topics or f.guarded_lines)
        ]
        if locked:
            fact = locked[0]
            if fact.guarded_lines:
                line = self._pick(state, f"guarded:{fact.id}", fact.guarded_lines)
                return ReplyPlan("guarded", [line], reason=f"{fact.id} still locked")
            plan = self._react(state, "deflect", f"{fact.id} still locked")
            plan.kind = "guarded"
            return plan
        said = [f for f in related if f.id in state.disclosed]
        if said:
            return self._recall(state, said[-1])
        return None

    def _emotion(self, state: PatientState) -> str:
        if state.trust < 0.2:
            return "withdrawn"
        if state.trust >= 0.6:
            return "engaged"
        return self.scenario.persona.baseline_emotion

    def _ending(self, state: PatientState):
        for ending in self.scenario.endings:
            if _ending_holds(ending.when, state):
                return ending
        return None


__all__ = ["Patient", "ReplyPlan", "RiskFlag", "normalise", "proper_nouns"]
