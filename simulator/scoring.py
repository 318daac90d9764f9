"""Score a session against its scenario's rubrics: every item with a status, a value, plain words and evidence.

Scores are formative evidence, not verdicts: each item lists the transcript turns (``Turn.index``) that earned
it, and "turn N" in any text means that same transcript index, so a reader can find it. A transcript with no
trainee turns is "not enough to score", never a row of misses.

How behaviours are counted (MITI 4.2.1 tallies utterances): the coder gives each trainee turn a primary code
and any secondary codes. Each *distinct* behaviour in a turn counts once, so "That sounds exhausting. What
helps?" is one reflection and one question, while a turn coded twice for the same behaviour is not counted
twice. ``other`` is never counted. Open and closed questions both count as MITI "Question"; persuade-with-
permission and giving information are in neither summary total, as in MITI 4.2.1.

Speed: the session is indexed once, each detector is a single pass, and regexes come precompiled from the
rubric, so scoring runs at many thousands of turns per second.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .codes import MI_ADHERENT, MI_NON_ADHERENT, QUESTIONS, REFLECTIONS, Behaviour, RiskFlag
from .records import Disclosure, ItemScore, ItemStatus, RubricScore, SessionScore, Turn
from .rubric import (
    MAX_SEARCH_CHARS,
    AdherentTotal,
    AskedBefore,
    BehaviourCount,
    EnactLevel,
    FactsDisclosed,
    GlobalEstimate,
    Item,
    NonAdherentTotal,
    PercentComplexReflections,
    ReflectionQuestionRatio,
    RiskDirectQuestionAfterCue,
    RiskFlagAsked,
    Rubric,
    SafetyPlanning,
    ScreenerFollowup,
    Signal,
    TextPattern,
    TopicAsked,
)
from .scenario import Scenario
from .wording import counted, number

MIN_TRAINEE_TURNS = 1
_UNSET = object()
NOT_ENOUGH = "Not enough to score yet: the transcript has no trainee turns."
QUOTE_CHARS = 60

_NAMES: dict[Behaviour, tuple[str, str]] = {
    Behaviour.OPEN_QUESTION: ("open question", "open questions"),
    Behaviour.CLOSED_QUESTION: ("closed question", "closed questions"),
    Behaviour.SIMPLE_REFLECTION: ("simple reflection", "simple reflections"),
    Behaviour.COMPLEX_REFLECTION: ("complex reflection", "complex reflections"),
    Behaviour.AFFIRM: ("affirmation", "affirmations"),
    Behaviour.SEEK_COLLABORATION: ("seeking collaboration", "seeking collaboration"),
    Behaviour.EMPHASIZE_AUTONOMY: ("emphasising autonomy", "emphasising autonomy"),
    Behaviour.GIVE_INFORMATION: ("giving information", "giving information"),
    Behaviour.ADVISE_WITH_PERMISSION: ("advice with permission", "advice with permission"),
    Behaviour.PERSUADE: ("persuading without permission", "persuading without permission"),
    Behaviour.CONFRONT: ("confronting", "confronting"),
    Behaviour.OTHER: ("other", "other"),
}
_FLAG_NAMES: dict[RiskFlag, str] = {
    RiskFlag.ASK_WISH_DEAD: "wish to be dead",
    RiskFlag.ASK_SUICIDAL_THOUGHTS: "suicidal thoughts",
    RiskFlag.ASK_METHOD: "method",
    RiskFlag.ASK_INTENT: "intent",
    RiskFlag.ASK_PLAN: "plan",
    RiskFlag.ASK_PAST_BEHAVIOUR: "past suicidal behaviour",
    RiskFlag.SP_WARNING_SIGNS: "warning signs",
    RiskFlag.SP_COPING: "own coping strategies",
    RiskFlag.SP_DISTRACTION: "people and places that distract",
    RiskFlag.SP_SUPPORT: "people to ask for help",
    RiskFlag.SP_PROFESSIONAL: "professionals and crisis lines",
    RiskFlag.SP_MEANS_SAFETY: "making the environment safe",
}


class UnknownRubric(KeyError):
    """The scenario names a rubric that was not loaded."""


# --- The session, indexed once ---------------------------------------------------------------------------------


@dataclass(slots=True)
class _Said:
    """A trainee turn reduced to what detectors need."""

    index: int
    number: int
    text: str
    behaviours: frozenset[Behaviour]
    topics: frozenset[str]
    flags: frozenset[RiskFlag]


class _Session:
    """Everything the detectors look up, built in one pass over the transcript."""

    def __init__(self, scenario: Scenario, turns: list[Turn], disclosures: list[Disclosure]):
        self.scenario = scenario
        self.said: list[_Said] = []
        self.patient: dict[int, list[Turn]] = {}
        self.trainee_index: dict[int, int] = {}
        self.counts: Counter[Behaviour] = Counter()
        for turn in turns:
            if turn.speaker == "trainee":
                coding = turn.coding
                behaviours = frozenset(coding.behaviours) - {Behaviour.OTHER} if coding else frozenset()
                said = _Said(
                    turn.index,
                    turn.trainee_turn,
                    turn.text,
                    behaviours,
                    frozenset(coding.topics) if coding else frozenset(),
                    frozenset(coding.risk_flags) if coding else frozenset(),
                )
                self.said.append(said)
                self.trainee_index.setdefault(turn.trainee_turn, turn.index)
                self.counts.update(behaviours)
            else:
                self.patient.setdefault(turn.trainee_turn, []).append(turn)
        self.first_disclosed: dict[str, int] = {}
        for d in disclosures:
            if d.fact_id not in self.first_disclosed or d.turn < self.first_disclosed[d.fact_id]:
                self.first_disclosed[d.fact_id] = d.turn
        self.fact_topics = {f.id: set(f.topics) for f in scenario.facts}
        self.turns = turns
        self._estimates: object = _UNSET

    @property
    def estimates(self):
        """Estimated MITI globals for the transcript (computed once, on first use)."""
        if self._estimates is _UNSET:
            from .estimates import CodedTurn, estimate_globals
            from .talk import talk_in_session

            coded = []
            context: list[tuple[str, str]] = []
            for turn in self.turns:
                words = len(turn.text.split())
                if turn.speaker == "trainee":
                    codes = frozenset(turn.coding.behaviours) - {Behaviour.OTHER} if turn.coding else frozenset()
                    coded.append(CodedTurn("therapist", codes, index=turn.index, words=words))
                    context.append(("therapist", turn.text))
                else:
                    talk = talk_in_session(turn.text, context[-2:], self.scenario)
                    coded.append(CodedTurn("client", talk=talk, index=turn.index, words=words))
                    context.append(("client", turn.text))
            self._estimates = estimate_globals(coded)
        return self._estimates

    def first_of(self, facts: Iterable[str]) -> tuple[str, int] | None:
        """The earliest disclosure among ``facts``: (fact id, trainee turn number)."""
        found = [(self.first_disclosed[f], i, f) for i, f in enumerate(facts) if f in self.first_disclosed]
        if not found:
            return None
        number, _, fact = min(found)
        return fact, number

    @property
    def cue(self) -> tuple[str, int] | None:
        """The first risk cue disclosed, if any."""
        risk = self.scenario.risk
        return self.first_of(risk.cues) if risk else None

    def patient_turn(self, fact_id: str, number: int) -> Turn | None:
        """The patient utterance that disclosed a fact (prefers one containing a line of the fact)."""
        replies = self.patient.get(number, [])
        lines = self._lines(fact_id)
        for reply in replies:
            low = reply.text.lower()
            if any(line.lower() in low for line in lines):
                return reply
        return replies[0] if replies else None

    def _lines(self, fact_id: str) -> list[str]:
        try:
            return self.scenario.fact(fact_id).lines
        except KeyError:
            return []

    def where(self, fact_id: str, number: int) -> tuple[str, list[int]]:
        """How to point at a disclosure in words ("turn #6", or the trainee turn if no reply is stored)."""
        reply = self.patient_turn(fact_id, number)
        if reply is not None:
            return f"turn #{reply.index}", [reply.index]
        return f"after trainee turn {number}", []

    def quote(self, fact_id: str, number: int) -> str:
        """A short quote of what the patient said when disclosing the fact."""
        reply = self.patient_turn(fact_id, number)
        lines = self._lines(fact_id)
        if reply is not None:
            low = reply.text.lower()
            for line in lines:
                if line.lower() in low:
                    return _short(line)
            return _short(reply.text)
        if lines:
            return _short(lines[0])
        return fact_id


def _short(text: str) -> str:
    text = " ".join(text.split()).strip()
    if len(text) <= QUOTE_CHARS:
        return text
    cut = text[:QUOTE_CHARS].rsplit(" ", 1)[0]
    return cut.rstrip(",.;:") + "…"


def _turns(indexes: Iterable[int]) -> str:
    items = sorted(set(indexes))
    if not items:
        return "no turns"
    # "#7" as the transcript labels its lines; "trainee turn N" counts the trainee's own turns.
    shown = ", ".join(f"#{i}" for i in items[:8]) + (f" and {len(items) - 8} more" if len(items) > 8 else "")
    return ("turn " if len(items) == 1 else "turns ") + shown


def _flags(flags: Iterable[RiskFlag]) -> str:
    return ", ".join(_FLAG_NAMES.get(f, str(f)) for f in flags)


# --- Detectors -------------------------------------------------------------------------------------------------


@dataclass
class Finding:
    """What a detector found. ``score`` is compared with thresholds (defaults to ``value``)."""

    value: float | None
    detail: str
    evidence: list[int] = field(default_factory=list)
    applicable: bool = True
    score: float | None = None
    critical_text: str | None = None

    @property
    def measured(self) -> float | None:
        return self.value if self.score is None else self.score


def _na(detail: str, evidence: list[int] | None = None) -> Finding:
    return Finding(None, detail, evidence or [], applicable=False)


def _in_topic(s: _Session, topics: set[str], window: int) -> set[int] | None:
    """Trainee turn numbers during which the topics are being discussed; None if they never came up."""
    starts: list[tuple[int, int]] = [(t.number, 0) for t in s.said if t.topics & topics]
    # A fact on the topic disclosed after trainee turn d puts the next turns inside the topic.
    starts += [(n, 1) for f, n in s.first_disclosed.items() if s.fact_topics.get(f, set()) & topics]
    if not starts:
        return None
    numbers: set[int] = set()
    for at, first in starts:
        numbers.update(range(at + first, at + window + 1))
    return numbers


def _behaviour_count(d: BehaviourCount, s: _Session) -> Finding:
    wanted = set(d.behaviours)
    scope = _in_topic(s, set(d.topics), d.topic_window) if d.topics else None
    if d.topics and scope is None:
        return _na(f"The topic ({', '.join(d.topics)}) never came up.")
    tally: Counter[Behaviour] = Counter()
    evidence = []
    for t in s.said:
        if scope is not None and t.number not in scope:
            continue
        hit = t.behaviours & wanted
        if hit:
            tally.update(hit)
            evidence.append(t.index)
    total = sum(tally.values())
    if len(d.behaviours) == 1:
        one, many = _NAMES[d.behaviours[0]]
        detail = counted(total, one, many)
    else:
        parts = " + ".join(f"{_NAMES[b][1]} {tally[b]}" for b in d.behaviours)
        detail = f"{parts} = {total}"
    if d.topics:
        detail += f" while discussing {', '.join(d.topics)}"
    return Finding(float(total), detail, evidence)


def _turns_with(s: _Session, behaviours: frozenset[Behaviour] | set[Behaviour]) -> list[int]:
    return [t.index for t in s.said if t.behaviours & behaviours]


def _rq_ratio(d: ReflectionQuestionRatio, s: _Session) -> Finding:
    r = sum(s.counts[b] for b in REFLECTIONS)
    q = sum(s.counts[b] for b in QUESTIONS)
    evidence = _turns_with(s, REFLECTIONS | QUESTIONS)
    if r == 0 and q == 0:
        return _na("No reflections or questions yet, so there is no ratio.")
    head = f"{counted(r, 'reflection')} / {counted(q, 'question')}"
    if q == 0:
        return Finding(
            None, f"{head}: no questions, so the ratio is above any threshold", evidence, score=float("inf")
        )
    return Finding(round(r / q, 3), f"{head} = {number(r / q)}", evidence)


def _percent_cr(d: PercentComplexReflections, s: _Session) -> Finding:
    cr = s.counts[Behaviour.COMPLEX_REFLECTION]
    r = cr + s.counts[Behaviour.SIMPLE_REFLECTION]
    if r == 0:
        return _na("No reflections yet, so there is no share of complex ones.")
    return Finding(
        round(cr / r, 3),
        f"{cr} complex / {counted(r, 'reflection')} = {cr / r:.0%}",
        _turns_with(s, REFLECTIONS),
    )


def _total(s: _Session, codes: tuple[Behaviour, ...]) -> Finding:
    total = sum(s.counts[b] for b in codes)
    parts = " + ".join(f"{_NAMES[b][1]} {s.counts[b]}" for b in codes)
    return Finding(float(total), f"{parts} = {total}", _turns_with(s, set(codes)))


def _adherent(d: AdherentTotal, s: _Session) -> Finding:
    return _total(s, tuple(b for b in Behaviour if b in MI_ADHERENT))


def _non_adherent(d: NonAdherentTotal, s: _Session) -> Finding:
    return _total(s, tuple(b for b in Behaviour if b in MI_NON_ADHERENT))


def _risk_direct(d: RiskDirectQuestionAfterCue, s: _Session) -> Finding:
    risk = s.scenario.risk
    if not risk or not risk.cues:
        return _na("The scenario has no risk cues.")
    flags = set(d.flags)
    asked = [t for t in s.said if t.flags & flags]
    cue = s.cue
    if cue is None:
        extra = f" (asked directly anyway at {_turns(t.index for t in asked)})" if asked else ""
        return _na("No risk cue was disclosed, so no direct question was due" + extra + ".")
    fact, number = cue
    said = s.quote(fact, number)
    where, cue_turns = s.where(fact, number)
    window = risk.ask_within_turns
    head = f"The patient gave a risk cue at {where} ('{said}')"
    on_time = [t for t in asked if t.number <= number + window]
    if on_time:
        first = on_time[0]
        if first.number <= number:
            when = f"suicide had already been asked about directly at turn #{first.index}"
        else:
            gap = first.number - number
            when = (
                f"asked directly at turn #{first.index}, {counted(gap, 'trainee turn')} later "
                f"(within {window})"
            )
        return Finding(1.0, f"{head}; {when}.", cue_turns + [first.index])
    if asked:
        first = asked[0]
        gap = first.number - number
        return Finding(
            0.5,
            f"{head}; asked directly only at turn #{first.index}, {counted(gap, 'trainee turn')} later "
            f"(expected within {window}).",
            cue_turns + [first.index],
        )
    return Finding(
        0.0,
        f"{head}; no direct question about suicide followed.",
        cue_turns,
        critical_text=f"Did not ask directly about suicidal thoughts after the patient said '{said}' ({where})",
    )


def _screener_followup(d: ScreenerFollowup, s: _Session) -> Finding:
    risk = s.scenario.risk
    answer = risk.screener.get(d.trigger) if risk else None
    trigger = _FLAG_NAMES.get(d.trigger, str(d.trigger))
    if answer is None or answer.answer != "yes" or not answer.fact:
        return _na(f"The patient has no 'yes' to {trigger} in this scenario, so no follow-up was due.")
    number = s.first_disclosed.get(answer.fact)
    if number is None:
        return _na(f"The patient did not disclose {trigger}, so no follow-up was due.")
    where, cue_turns = s.where(answer.fact, number)
    # The trigger question's own turn counts: a trainee may ask about thoughts and method together.
    wanted = set(d.flags)
    asked: set[RiskFlag] = set()
    evidence = []
    for t in s.said:
        if t.number >= number and t.flags & wanted:
            asked |= t.flags & wanted
            evidence.append(t.index)
    done = [f for f in d.flags if f in asked]
    left = [f for f in d.flags if f not in asked]
    detail = (
        f"After the patient said yes to {trigger} ({where}): asked {len(done)} of {len(d.flags)} follow-ups"
    )
    if done:
        detail += f" ({_flags(done)})"
    if left:
        detail += f"; not asked: {_flags(left)}"
    return Finding(round(len(done) / len(d.flags), 3), detail + ".", cue_turns + evidence)


def _risk_found(s: _Session) -> tuple[str, int] | None:
    """When risk was found: the first 'yes' screener fact disclosed, or (if none is defined) the first cue."""
    risk = s.scenario.risk
    if not risk:
        return None
    yes = [a.fact for a in risk.screener.values() if a.answer == "yes" and a.fact]
    return s.first_of(yes) if yes else s.cue


def _safety_planning(d: SafetyPlanning, s: _Session) -> Finding:
    risk = s.scenario.risk
    if not risk or not risk.safety_planning_indicated:
        return _na("Safety planning is not indicated in this scenario.")
    found = _risk_found(s)
    if found is None:
        return _na("Risk was not found in this session, so safety planning was not due.")
    fact, number = found
    where, cue_turns = s.where(fact, number)
    wanted = set(d.steps)
    touched: set[RiskFlag] = set()
    evidence = []
    for t in s.said:
        if t.number >= number and t.flags & wanted:
            touched |= t.flags & wanted
            evidence.append(t.index)
    done = [f for f in d.steps if f in touched]
    left = [f for f in d.steps if f not in touched]
    detail = f"After risk was found ({where}): {len(done)} of {counted(len(d.steps), 'safety-plan step')}"
    if done:
        detail += f" ({_flags(done)})"
    if left:
        detail += f"; not touched: {_flags(left)}"
    return Finding(round(len(done) / len(d.steps), 3), detail + ".", evidence or cue_turns)


def _risk_in_view(s: _Session) -> bool:
    """True once the patient has given a risk cue or said yes to a screener question."""
    return s.cue is not None or _risk_found(s) is not None


def _risk_flag_asked(d: RiskFlagAsked, s: _Session) -> Finding:
    flags = set(d.flags)
    hits = [t.index for t in s.said if t.flags & flags]
    if hits:  # asked is asked, whether or not a cue made it due
        return Finding(1.0, f"Asked about {_flags(d.flags)} at {_turns(hits)}.", hits)
    if d.needs_cue:
        risk = s.scenario.risk
        if not risk or not risk.cues:
            return _na("The scenario has no risk cues.")
        if not _risk_in_view(s):
            return _na("No risk cue was disclosed and no screener question was answered yes, so this was not due.")
    return Finding(0.0, f"Never asked about {_flags(d.flags)}.")


def _topic_asked(d: TopicAsked, s: _Session) -> Finding:
    topics = set(d.topics)
    need = set(d.behaviours)
    hits = [t.index for t in s.said if t.topics & topics and (not need or t.behaviours & need)]
    what = ", ".join(d.topics)
    how = f" ({' or '.join(_NAMES[b][0] for b in d.behaviours)})" if d.behaviours else ""
    if hits:
        return Finding(1.0, f"Raised {what}{how} at {_turns(hits)}.", hits)
    return Finding(0.0, f"No trainee turn raised {what}{how}.")


def _facts_disclosed(d: FactsDisclosed, s: _Session) -> Finding:
    known = [f.id for f in s.scenario.facts]
    ids = [f for f in d.facts if f in s.fact_topics] if d.facts else known
    if not ids:
        return _na("None of the listed facts is in this scenario.")
    done = [f for f in ids if f in s.first_disclosed]
    left = [f for f in ids if f not in s.first_disclosed]
    evidence = []
    for f in done:
        number = s.first_disclosed[f]
        if number in s.trainee_index:  # the trainee turn that opened it earned it
            evidence.append(s.trainee_index[number])
        else:
            evidence.extend(s.where(f, number)[1])
    detail = f"{len(done)} of {counted(len(ids), 'fact')} disclosed"
    if left:
        detail += f"; not disclosed: {', '.join(left)}"
    return Finding(round(len(done) / len(ids), 3), detail + ".", sorted(set(evidence)))


def _text_pattern(d: TextPattern, s: _Session) -> Finding:
    rx = d.regex
    hits: list[int] = []
    first = ""
    for t in s.said:
        m = rx.search(t.text, 0, MAX_SEARCH_CHARS)
        if m:
            hits.append(t.index)
            first = first or m.group(0)
    if d.mode == "present":
        if hits:
            return Finding(1.0, f"Found '{_short(first)}' at {_turns(hits)}.", hits)
        return Finding(0.0, "No trainee turn had this wording.")
    if hits:
        return Finding(0.0, f"Said '{_short(first)}' at {_turns(hits)}.", hits)
    return Finding(1.0, "No trainee turn had this wording.")


def _asked_before(d: AskedBefore, s: _Session) -> Finding:
    hits = [t for t in s.said if _matches(t, d.behaviours, d.topics, d.risk_flags, None)]
    what = _what(d.behaviours, d.topics, d.risk_flags)
    early = [t for t in hits if t.number < d.before_turn]
    if early:
        return Finding(1.0, f"{what} at {_turns(t.index for t in early)}, before trainee turn {d.before_turn}.",
                       [t.index for t in early])
    if hits:
        return Finding(
            0.0,
            f"{what} only at {_turns(t.index for t in hits)}, not before trainee turn {d.before_turn}.",
            [t.index for t in hits],
        )
    return Finding(0.0, f"Never: {what.lower()}.")


def _what(behaviours, topics, flags) -> str:
    parts = []
    if behaviours:
        parts.append(" or ".join(_NAMES[b][0] for b in behaviours))
    if topics:
        parts.append("about " + ", ".join(topics))
    if flags:
        parts.append("asking " + _flags(flags))
    return ("Trainee " + " ".join(parts)) if parts else "Trainee turn"


def _matches(t: _Said, behaviours, topics, flags, regex) -> bool:
    if behaviours and not t.behaviours & set(behaviours):
        return False
    if topics and not t.topics & set(topics):
        return False
    if flags and not t.flags & set(flags):
        return False
    return not (regex is not None and regex.search(t.text, 0, MAX_SEARCH_CHARS) is None)


def _global_estimate(d: GlobalEstimate, s: _Session) -> Finding:
    from .estimates import ESTIMATE_NOTE

    est = s.estimates
    if est is None:
        return _na("No trainee turns to estimate from.")
    value = getattr(est, d.rating)
    if d.rating in ("relational", "technical"):
        parts = ("partnership", "empathy") if d.rating == "relational" else (
            "cultivating_change_talk", "softening_sustain_talk")
        detail = "; ".join(f"{p.replace('_', ' ')} {getattr(est, p):g}: {est.details[p]}" for p in parts)
        evidence = sorted({i for p in parts for i in est.evidence[p]})
    else:
        detail = est.details[d.rating]
        evidence = est.evidence[d.rating]
    return Finding(round(value, 2), f"Estimate {value:.1f} of 5 ({detail}). {ESTIMATE_NOTE}", evidence)


def _signal_seen(sig: Signal, s: _Session) -> tuple[bool | None, list[int]]:
    """(seen?, evidence turns); None when the signal does not apply (needs a cue that never came)."""
    if sig.needs_cue and not _risk_in_view(s):
        return None, []
    hits = [t.index for t in s.said if _matches(t, sig.behaviours, sig.topics, sig.risk_flags, sig.regex)]
    if sig.absent:
        return (not hits), []
    return bool(hits), hits


def _enact_level(d: EnactLevel, s: _Session) -> Finding:
    harmful = [(sig, *_signal_seen(sig, s)) for sig in d.harmful]
    seen_harm = [(sig, ev) for sig, seen, ev in harmful if seen]
    if seen_harm:
        labels = "; ".join(sig.label for sig, _ in seen_harm)
        evidence = [i for _, ev in seen_harm for i in ev]
        return Finding(1.0, f"Level 1: potentially harmful behaviour seen ({labels}).", evidence)
    basic = [(sig, *_signal_seen(sig, s)) for sig in d.basic]
    applicable = [(sig, seen, ev) for sig, seen, ev in basic if seen is not None]
    done = [(sig, ev) for sig, seen, ev in applicable if seen]
    left = [sig.label for sig, seen, _ in applicable if not seen]
    advanced = [(sig, ev) for sig, seen, ev in ((sig, *_signal_seen(sig, s)) for sig in d.advanced) if seen]
    evidence = [i for _, ev in done for i in ev] + [i for _, ev in advanced for i in ev]
    if left:
        detail = f"Level 2: no harmful behaviour; basic skills seen {len(done)} of {len(applicable)}"
        detail += f" (not seen: {'; '.join(left)})."
        return Finding(2.0, detail, evidence)
    if advanced:
        return Finding(
            4.0,
            f"Level 4: every basic skill, and advanced: {'; '.join(sig.label for sig, _ in advanced)}.",
            evidence,
        )
    return Finding(3.0, "Level 3: no harmful behaviour and every basic skill seen.", evidence)


_DETECTORS: dict[type, Callable[[object, _Session], Finding]] = {
    BehaviourCount: _behaviour_count,  # type: ignore[dict-item]
    ReflectionQuestionRatio: _rq_ratio,  # type: ignore[dict-item]
    PercentComplexReflections: _percent_cr,  # type: ignore[dict-item]
    AdherentTotal: _adherent,  # type: ignore[dict-item]
    NonAdherentTotal: _non_adherent,  # type: ignore[dict-item]
    RiskDirectQuestionAfterCue: _risk_direct,  # type: ignore[dict-item]
    ScreenerFollowup: _screener_followup,  # type: ignore[dict-item]
    SafetyPlanning: _safety_planning,  # type: ignore[dict-item]
    RiskFlagAsked: _risk_flag_asked,  # type: ignore[dict-item]
    TopicAsked: _topic_asked,  # type: ignore[dict-item]
    FactsDisclosed: _facts_disclosed,  # type: ignore[dict-item]
    TextPattern: _text_pattern,  # type: ignore[dict-item]
    AskedBefore: _asked_before,  # type: ignore[dict-item]
    GlobalEstimate: _global_estimate,  # type: ignore[dict-item]
    EnactLevel: _enact_level,  # type: ignore[dict-item]
}


# --- From findings to scores -----------------------------------------------------------------------------------


def judge(item: Item, finding: Finding) -> tuple[ItemStatus, str]:
    """Status and label for a finding: thresholds first, else the kind's default rule."""
    if not finding.applicable:
        return "not_applicable", ""
    value = finding.measured
    if value is None:
        return "info", ""
    status: ItemStatus
    label = ""
    if item.thresholds:
        status = "missed"
        for band in item.thresholds:
            if band.holds(value):
                status, label = band.status, band.label
                break
    elif item.kind in ("checklist", "critical"):
        status = "met" if value >= 1 - 1e-9 else "partly" if value > 0 else "missed"
    else:
        return "info", ""
    if item.kind == "critical" and status == "missed":
        status = "critical_miss"
    return status, label


def _feedback(item: Item, status: ItemStatus) -> str:
    text = getattr(item.feedback, status, "")
    if not text and status == "critical_miss":
        text = item.feedback.missed
    return text


def _fitted_reply(item: Item, session: _Session) -> tuple[str, int | None] | None:
    """A better reply made from this patient's words, for the items whose miss has one (see better_reply)."""
    from . import better_reply
    from .patient import proper_nouns

    kind = getattr(item.detector, "type", "")
    if kind == "reflection_question_ratio":
        return better_reply.instead_of_a_question(session.turns, proper_nouns(session.scenario))
    if kind == "risk_direct_question_after_cue" and session.cue is not None:
        _, cue_turns = session.where(*session.cue)
        if cue_turns:
            return better_reply.after_a_cue(session.turns, max(cue_turns))
    return None


def score_item(rubric: Rubric, item: Item, session: _Session) -> tuple[ItemScore, Finding]:
    """Apply one item to an indexed session."""
    finding = _DETECTORS[type(item.detector)](item.detector, session)
    status, label = judge(item, finding)
    missed = status in ("missed", "critical_miss")
    fitted = _fitted_reply(item, session) if missed else None
    better, better_turn = fitted if fitted else (item.better_replies[0] if item.better_replies else None, None)
    return (
        ItemScore(
            rubric_id=rubric.id,
            item_id=item.id,
            title=item.title,
            kind=item.kind,
            status=status,
            value=finding.value,
            label=label,
            detail=finding.detail,
            evidence_turns=sorted(set(finding.evidence)),
            feedback=_feedback(item, status),
            better_reply=better if missed else None,
            better_reply_turn=better_turn if missed else None,
        ),
        finding,
    )


def _line(score: ItemScore) -> str:
    if score.label:
        return f"{score.title}: {score.label} ({score.detail.rstrip('.')})"
    return f"{score.title} — {score.detail.rstrip('.')}"


def score_session(
    scenario: Scenario,
    turns: list[Turn],
    disclosures: list[Disclosure],
    rubrics: dict[str, Rubric],
    *,
    coder_version: str,
    min_trainee_turns: int = MIN_TRAINEE_TURNS,
) -> SessionScore:
    """Score a session against every rubric the scenario names.

    Raises UnknownRubric if the scenario names a rubric that is not in ``rubrics``. With fewer than
    ``min_trainee_turns`` trainee turns the result has ``enough=False`` and every item is "not_applicable".
    """
    missing = [r for r in scenario.rubrics if r not in rubrics]
    if missing:
        raise UnknownRubric(f"scenario {scenario.id!r} names rubric(s) not loaded: {', '.join(missing)}")
    session = _Session(scenario, turns, disclosures)
    enough = len(session.said) >= min_trainee_turns
    result = SessionScore(coder_version=coder_version, enough=enough)
    for rubric_id in scenario.rubrics:
        rubric = rubrics[rubric_id]
        items: list[ItemScore] = []
        for item in rubric.items:
            if not enough:
                items.append(
                    ItemScore(
                        rubric_id=rubric.id,
                        item_id=item.id,
                        title=item.title,
                        kind=item.kind,
                        status="not_applicable",
                        detail=NOT_ENOUGH,
                    )
                )
                continue
            score, finding = score_item(rubric, item, session)
            items.append(score)
            if isinstance(item.detector, GlobalEstimate):
                continue  # rough estimates are shown with their item, never in the headline lists
            if score.status == "met":
                result.strengths.append(_line(score))
            elif score.status == "missed":
                result.misses.append(_line(score))
            elif score.status == "critical_miss":
                result.critical_misses.append(finding.critical_text or _line(score))
        result.rubrics.append(
            RubricScore(
                rubric_id=rubric.id,
                rubric_version=rubric.version,
                title=rubric.title,
                instrument=rubric.instrument.citation or rubric.instrument.name,
                items=items,
            )
        )
    return result


__all__ = ["MIN_TRAINEE_TURNS", "Finding", "UnknownRubric", "judge", "score_item", "score_session"]
