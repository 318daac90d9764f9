"""Rubric format v1: how a session is scored, item by item, with the instrument each item follows.

A rubric is authored in YAML (``rubrics/<id>.rubric.yaml``) and shared between educators, so it is untrusted
input: strict schema, positioned errors, and detectors chosen from a small built-in set (no code, no templates).
A regex detector exists for plain wording checks; its pattern is length-capped, screened for the nested
quantifiers that make Python's regex engine crawl, compiled once at load and run on capped text.

Scoring itself lives in :mod:`simulator.scoring`; this module only says what a rubric may contain.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, PrivateAttr, field_validator, model_validator

from .codes import SAFETY_PLAN_STEPS, Behaviour, RiskFlag
from .scenario import SLUG, Strict
from .yamlfile import FileProblems, Positions, Problem, load_model

SCHEMA_VERSION = 1
SUFFIX = ".rubric.yaml"
MAX_PATTERN_CHARS = 500
MAX_SEARCH_CHARS = 4000  # text_pattern looks at this much of each utterance, bounding the cost of any regex

Kind = Literal["count", "ratio", "checklist", "critical", "level"]
ThresholdStatus = Literal["met", "partly", "missed"]

_FOLLOWUP_DEFAULT = [RiskFlag.ASK_METHOD, RiskFlag.ASK_INTENT, RiskFlag.ASK_PLAN, RiskFlag.ASK_PAST_BEHAVIOUR]
# A quantified group that itself contains a quantifier, e.g. (a+)+ or (\w*\s?)* : the classic slow pattern.
_NESTED_QUANTIFIER = re.compile(r"\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)\s*[+*{]")


# --- Detectors -------------------------------------------------------------------------------------------------


class BehaviourCount(Strict):
    """Counts trainee turns showing any of the behaviours (each behaviour counted once per turn)."""

    type: Literal["behaviour_count"] = Field(description="Detector type.")
    behaviours: list[Behaviour] = Field(min_length=1, description="Behaviour codes to count.")
    topics: list[str] = Field(
        default_factory=list,
        description="If given, count only turns inside these topics: the turn touches one, or comes within "
        "'topic_window' trainee turns after a turn that did or after the patient disclosed a fact on one. "
        "With topics given and never discussed, the item is not applicable.",
    )
    topic_window: int = Field(
        default=1, ge=0, le=10, description="Trainee turns a topic stays 'being discussed' after it came up."
    )


class ReflectionQuestionRatio(Strict):
    """MITI R:Q: (simple + complex reflections) / questions."""

    type: Literal["reflection_question_ratio"] = Field(description="Detector type.")


class PercentComplexReflections(Strict):
    """MITI %CR: complex reflections / all reflections, as a share from 0 to 1."""

    type: Literal["percent_complex_reflections"] = Field(description="Detector type.")


class AdherentTotal(Strict):
    """MITI total MI-adherent: affirm + seek collaboration + emphasise autonomy."""

    type: Literal["adherent_total"] = Field(description="Detector type.")


class NonAdherentTotal(Strict):
    """MITI total MI non-adherent: persuade (without permission) + confront."""

    type: Literal["non_adherent_total"] = Field(description="Detector type.")


class RiskDirectQuestionAfterCue(Strict):
    """After the first risk-cue fact is disclosed, was suicide asked about directly, within the scenario's window?

    Value 1 = asked in time (or already asked before the cue), 0.5 = asked but late, 0 = never asked.
    Not applicable when the scenario has no risk cues or none was disclosed.
    """

    type: Literal["risk_direct_question_after_cue"] = Field(description="Detector type.")
    flags: list[RiskFlag] = Field(
        default_factory=lambda: [RiskFlag.ASK_WISH_DEAD, RiskFlag.ASK_SUICIDAL_THOUGHTS],
        min_length=1,
        description="Risk questions that count as asking directly (default: wish to be dead, suicidal thoughts).",
    )


class ScreenerFollowup(Strict):
    """After the patient disclosed a 'yes' to the trigger question, the share of follow-up questions asked."""

    type: Literal["screener_followup"] = Field(description="Detector type.")
    trigger: RiskFlag = Field(
        default=RiskFlag.ASK_SUICIDAL_THOUGHTS,
        description="Screener question whose 'yes' (its fact disclosed) starts the follow-up (C-SSRS 2).",
    )
    flags: list[RiskFlag] = Field(
        default_factory=lambda: list(_FOLLOWUP_DEFAULT),
        min_length=1,
        description="Follow-up questions expected (default: method, intent, plan, past behaviour).",
    )


class SafetyPlanning(Strict):
    """Share of safety-plan steps touched once risk was found, when the scenario says planning is indicated."""

    type: Literal["safety_planning"] = Field(description="Detector type.")
    steps: list[RiskFlag] = Field(
        default_factory=lambda: list(SAFETY_PLAN_STEPS),
        min_length=1,
        description="Safety-plan steps expected (default: the six Stanley-Brown steps).",
    )


class RiskFlagAsked(Strict):
    """Was any of the risk moves made by the trainee (value 1 or 0)?"""

    type: Literal["risk_flag_asked"] = Field(description="Detector type.")
    flags: list[RiskFlag] = Field(min_length=1, description="Risk moves; any one of them counts.")
    needs_cue: bool = Field(
        default=False,
        description="Due only once risk is in view: the patient gave a risk cue or answered yes to a screener "
        "question. A move made at any time counts; with no move and no risk in view the item is not applicable.",
    )


class TopicAsked(Strict):
    """Did any trainee turn touch one of the topics (value 1 or 0)?"""

    type: Literal["topic_asked"] = Field(description="Detector type.")
    topics: list[str] = Field(min_length=1, description="Topic names (built-in or the scenario's own).")
    behaviours: list[Behaviour] = Field(
        default_factory=list,
        description="If given, the same turn must also show one of these behaviours (e.g. a question).",
    )


class FactsDisclosed(Strict):
    """Share of the listed facts (or of all the scenario's facts) the patient disclosed."""

    type: Literal["facts_disclosed"] = Field(description="Detector type.")
    facts: list[str] = Field(
        default_factory=list,
        description="Fact ids; empty means all facts. Ids the scenario lacks are ignored; none left = not "
        "applicable.",
    )


def _valid_pattern(value: str) -> str:
    """The pattern itself, or ValueError when it is not a safe, valid regular expression."""
    if _NESTED_QUANTIFIER.search(value):
        raise ValueError("nested quantifier such as (a+)+ can make matching very slow; simplify the pattern")
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression: {exc}") from None
    return value


class TextPattern(Strict):
    """A regular expression searched in the trainee's words (value 1 when the rule holds, else 0)."""

    type: Literal["text_pattern"] = Field(description="Detector type.")
    pattern: str = Field(
        min_length=1,
        max_length=MAX_PATTERN_CHARS,
        description=f"Python regular expression (at most {MAX_PATTERN_CHARS} characters, no nested quantifiers).",
    )
    mode: Literal["present", "absent"] = Field(
        description="'present': the rule holds when some trainee turn matches; 'absent': when none does."
    )
    ignore_case: bool = Field(default=True, description="Match regardless of letter case.")

    _compiled: re.Pattern[str] = PrivateAttr()

    @field_validator("pattern")
    @classmethod
    def _check_pattern(cls, value: str) -> str:
        return _valid_pattern(value)

    def model_post_init(self, context: Any, /) -> None:
        # Compiled once per rubric load; scoring never compiles per turn.
        self._compiled = re.compile(self.pattern, re.IGNORECASE if self.ignore_case else 0)

    @property
    def regex(self) -> re.Pattern[str]:
        """The compiled pattern."""
        return self._compiled


class AskedBefore(Strict):
    """Ordering: did a trainee turn before trainee turn ``before_turn`` show what is asked for (value 1 or 0)?

    A turn qualifies when it matches every constraint given (any behaviour of ``behaviours``, any topic of
    ``topics``, any flag of ``risk_flags``). Use it for "asked about X before turn N".
    """

    type: Literal["asked_before"] = Field(description="Detector type.")
    before_turn: int = Field(ge=1, le=200, description="The move must come in a trainee turn numbered below this.")
    behaviours: list[Behaviour] = Field(default_factory=list, description="Any of these behaviour codes.")
    topics: list[str] = Field(default_factory=list, description="Any of these topics.")
    risk_flags: list[RiskFlag] = Field(default_factory=list, description="Any of these risk moves.")

    @model_validator(mode="after")
    def _something(self) -> AskedBefore:
        if not (self.behaviours or self.topics or self.risk_flags):
            raise ValueError("give at least one of behaviours, topics or risk_flags")
        return self


GlobalName = Literal[
    "empathy", "partnership", "cultivating_change_talk", "softening_sustain_talk", "relational", "technical"
]


class GlobalEstimate(Strict):
    """An MITI global rating (1-5) *estimated* from coded behaviours and the patient's responses.

    Always shown as an estimate: a trained rater (or the optional judge) gives the real rating.
    """

    type: Literal["global_estimate"] = Field(description="Detector type.")
    rating: GlobalName = Field(
        description="empathy, partnership, cultivating_change_talk, softening_sustain_talk, or the MITI "
        "summaries relational ((partnership + empathy) / 2) and technical ((change + sustain) / 2)."
    )


class Signal(Strict):
    """One observable behaviour for a level item: seen when some trainee turn matches every constraint given."""

    label: str = Field(min_length=1, description="What the behaviour is, in plain words (shown as evidence).")
    behaviours: list[Behaviour] = Field(default_factory=list, description="Any of these behaviour codes.")
    topics: list[str] = Field(default_factory=list, description="Any of these topics.")
    risk_flags: list[RiskFlag] = Field(default_factory=list, description="Any of these risk moves.")
    pattern: str | None = Field(
        default=None,
        max_length=MAX_PATTERN_CHARS,
        description="A regular expression the trainee's words must match (case-insensitive).",
    )
    absent: bool = Field(
        default=False,
        description="Seen when NO trainee turn matches (e.g. 'never asked about self-harm'). With 'needs_cue', "
        "only judged once risk is in view.",
    )
    needs_cue: bool = Field(
        default=False,
        description="Only applies once risk is in view: the patient gave a risk cue or answered yes to a "
        "screener question.",
    )

    _compiled: re.Pattern[str] | None = PrivateAttr(default=None)

    @field_validator("pattern")
    @classmethod
    def _check_pattern(cls, value: str | None) -> str | None:
        return None if value is None else _valid_pattern(value)

    @model_validator(mode="after")
    def _something(self) -> Signal:
        if not (self.behaviours or self.topics or self.risk_flags or self.pattern):
            raise ValueError("give at least one of behaviours, topics, risk_flags or pattern")
        return self

    def model_post_init(self, context: Any, /) -> None:
        self._compiled = re.compile(self.pattern, re.IGNORECASE) if self.pattern else None

    @property
    def regex(self) -> re.Pattern[str] | None:
        """The compiled pattern, if any."""
        return self._compiled


class EnactLevel(Strict):
    """A WHO ENACT-style competency level (1-4) from observed behaviours.

    Level 1: any harmful behaviour seen. Level 2: no harm, not every basic skill. Level 3: every basic skill.
    Level 4: every basic skill and at least one advanced skill.
    """

    type: Literal["enact_level"] = Field(description="Detector type.")
    harmful: list[Signal] = Field(default_factory=list, description="Unhelpful or potentially harmful behaviours.")
    basic: list[Signal] = Field(min_length=1, description="Basic helping skills expected.")
    advanced: list[Signal] = Field(default_factory=list, description="Advanced skills.")


Detector = Annotated[
    BehaviourCount
    | ReflectionQuestionRatio
    | PercentComplexReflections
    | AdherentTotal
    | NonAdherentTotal
    | RiskDirectQuestionAfterCue
    | ScreenerFollowup
    | SafetyPlanning
    | RiskFlagAsked
    | TopicAsked
    | FactsDisclosed
    | TextPattern
    | AskedBefore
    | GlobalEstimate
    | EnactLevel,
    Field(discriminator="type"),
]
DETECTOR_TYPES: tuple[str, ...] = (
    "behaviour_count",
    "reflection_question_ratio",
    "percent_complex_reflections",
    "adherent_total",
    "non_adherent_total",
    "risk_direct_question_after_cue",
    "screener_followup",
    "safety_planning",
    "risk_flag_asked",
    "topic_asked",
    "facts_disclosed",
    "text_pattern",
    "asked_before",
    "global_estimate",
    "enact_level",
)


# --- Rubric ----------------------------------------------------------------------------------------------------


class Threshold(Strict):
    """One band of values. Bands are checked in order and the first that holds decides the status."""

    min: float | None = Field(default=None, description="The value is at least this (inclusive).")
    max: float | None = Field(default=None, description="The value is at most this (inclusive).")
    label: str = Field(
        min_length=1, description="Name of the band shown to the trainee, e.g. 'good', 'fair'."
    )
    status: ThresholdStatus = Field(description="Outcome for this band: met, partly or missed.")

    def holds(self, value: float) -> bool:
        """Whether ``value`` falls in this band."""
        # A small tolerance so 2/5 meets a 0.4 band however the division rounds.
        return (self.min is None or value >= self.min - 1e-9) and (
            self.max is None or value <= self.max + 1e-9
        )


class Feedback(Strict):
    """What the trainee reads for each outcome. Empty texts are simply not shown."""

    met: str = Field(default="", description="When the item is met: what to keep doing.")
    partly: str = Field(default="", description="When partly met: what would lift it.")
    missed: str = Field(default="", description="When missed: what to do differently.")
    critical_miss: str = Field(
        default="", description="When a critical item is missed (falls back to 'missed')."
    )
    not_applicable: str = Field(default="", description="When the item did not apply to this session.")
    info: str = Field(default="", description="For counts that carry no judgement.")


class Instrument(Strict):
    """The published instrument a rubric follows. Name it and cite it; paraphrase, never quote."""

    name: str = Field(description="Instrument name, e.g. 'MITI 4.2.1'.")
    citation: str = Field(
        description="Where it comes from, e.g. 'After MITI 4.2.1 (Moyers, Manuel & Ernst 2015)'."
    )
    url: str = Field(default="", description="Link to the official source.")


class Item(Strict):
    """One scored thing: a detector, how its value maps to an outcome, and feedback."""

    id: str = Field(pattern=SLUG, description="Stable id within the rubric (used in scenario expectations).")
    title: str = Field(description="Short name shown in the score table.")
    description: str = Field(default="", description="What the item looks for, in plain words.")
    instrument_item: str = Field(
        default="", description="Which part of the instrument this follows, e.g. 'Behaviour count: Question'."
    )
    kind: Kind = Field(
        description="count, ratio, level (no judgement unless thresholds are given), checklist (1 = met, "
        "above 0 = partly, 0 = missed unless thresholds say otherwise) or critical (like checklist, but a miss "
        "is a critical miss)."
    )
    detector: Detector = Field(description="How the value is found in the session (see the detector types).")
    thresholds: list[Threshold] = Field(
        default_factory=list,
        description="Bands checked in order; the first that holds gives label and status.",
    )
    weight: float = Field(
        default=1.0, ge=0, description="Relative importance, for reports that combine items."
    )
    feedback: Feedback = Field(default_factory=Feedback, description="Text for each outcome.")
    better_replies: list[str] = Field(
        default_factory=list,
        description="Example trainee replies that would meet the item (authors' own words).",
    )
    version: str = Field(default="1", description="The item's own version; bump it when its meaning changes.")


class Rubric(Strict):
    """A set of items applied to a session, following (and citing) one instrument."""

    schema_version: Literal[1] = Field(description="Format version of this file (1).")
    id: str = Field(pattern=SLUG, description="Stable id; must equal the file name before '.rubric.yaml'.")
    version: str = Field(description="The rubric's own version; stored with every score.")
    title: str = Field(description="Title shown with the scores.")
    instrument: Instrument = Field(description="The instrument the rubric follows.")
    licence_note: str = Field(
        default="",
        description="How the instrument's licence is respected (e.g. paraphrased, not reproduced).",
    )
    description: str = Field(default="", description="What the rubric is for, in a few sentences.")
    scenario_topics: list[str] = Field(
        default_factory=list,
        description="Topics that are not built in but that every scenario using this rubric defines; "
        "any other topic name in a detector must be built in.",
    )
    items: list[Item] = Field(min_length=1, description="The items, in the order they are shown.")

    def item(self, item_id: str) -> Item:
        """The item with this id (KeyError if absent)."""
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)


# --- Loading ---------------------------------------------------------------------------------------------------


def _threshold_problems(item: Item, loc: tuple[str | int, ...], pos: Positions) -> list[Problem]:
    """Bands that can never be reached because an earlier band already takes every value they hold."""
    problems = []
    for j, band in enumerate(item.thresholds):
        if band.min is not None and band.max is not None and band.min > band.max:
            problems.append(
                pos.problem(loc + ("thresholds", j), f"min {band.min:g} is above max {band.max:g}")
            )
        for i, earlier in enumerate(item.thresholds[:j]):
            lo_ok = earlier.min is None or (band.min is not None and band.min >= earlier.min)
            hi_ok = earlier.max is None or (band.max is not None and band.max <= earlier.max)
            if lo_ok and hi_ok:
                problems.append(
                    pos.problem(
                        loc + ("thresholds", j),
                        f"band {band.label!r} can never apply: band {i + 1} ({earlier.label!r}) already takes "
                        "all its values (bands are checked in order; put higher 'min' first)",
                    )
                )
                break
    return problems


def check_rubric(rubric: Rubric, path: Path, pos: Positions) -> list[Problem]:
    """Checks the schema alone cannot express: id matches the file name, unique item ids, reachable bands."""
    problems: list[Problem] = []
    name = path.name
    stem = name[: -len(SUFFIX)] if name.endswith(SUFFIX) else path.stem
    if rubric.id != stem:
        problems.append(
            pos.problem(("id",), f"id {rubric.id!r} must equal the file name {stem!r} (file {name!r})")
        )
    seen: dict[str, int] = {}
    for index, item in enumerate(rubric.items):
        loc: tuple[str | int, ...] = ("items", index)
        if item.id in seen:
            problems.append(
                pos.problem(
                    loc + ("id",), f"duplicate item id {item.id!r} (first is item {seen[item.id] + 1})"
                )
            )
        else:
            seen[item.id] = index
        problems.extend(_threshold_problems(item, loc, pos))
        problems.extend(_topic_problems(rubric, item, loc, pos))
    return problems


def _detector_topics(detector: Any) -> list[tuple[tuple[str | int, ...], str]]:
    """(location inside the detector, topic name) for every topic a detector names."""
    found: list[tuple[tuple[str | int, ...], str]] = []
    for j, topic in enumerate(getattr(detector, "topics", None) or []):
        found.append((("topics", j), topic))
    if isinstance(detector, EnactLevel):
        for group in ("harmful", "basic", "advanced"):
            for k, signal in enumerate(getattr(detector, group)):
                for j, topic in enumerate(signal.topics):
                    found.append(((group, k, "topics", j), topic))
    return found


def _topic_problems(rubric: Rubric, item: Item, loc: tuple[str | int, ...], pos: Positions) -> list[Problem]:
    from .topics import BUILTIN_TOPICS

    known = set(BUILTIN_TOPICS) | set(rubric.scenario_topics)
    problems = []
    for where, topic in _detector_topics(item.detector):
        if topic not in known:
            problems.append(
                pos.problem(
                    loc + ("detector", *where),
                    f"unknown topic {topic!r}: use a built-in topic ({', '.join(sorted(BUILTIN_TOPICS))}) or "
                    "list it under 'scenario_topics' if every scenario using this rubric defines it",
                )
            )
    return problems


_loaded: dict[tuple[str, int, int], Rubric] = {}


def load_rubric(path: Path) -> Rubric:
    """Load and check one rubric file; raise FileProblems listing every problem with its ``file:line:col``.

    A file already loaded and unchanged since (same size and mtime) is not parsed again: validation, the
    library and scoring all ask for the rubrics within one command.
    """
    path = Path(path)
    try:
        stat = path.stat()
        key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    except OSError:
        key = None
    if key in _loaded:
        return _loaded[key]
    rubric, pos = load_model(path, Rubric)
    problems = check_rubric(rubric, path, pos)
    if problems:
        raise FileProblems(problems)
    if key is not None:
        _loaded[key] = rubric
    return rubric


def rubric_dirs() -> list[Path]:
    """Folders searched for rubrics: the built-in ones, then the user's own (``<data dir>/rubrics``) if present."""
    from .paths import builtin_dir, locations

    dirs = [builtin_dir("rubrics")]
    user = locations().user_rubrics
    if user.is_dir() and user.resolve() != dirs[0].resolve():
        dirs.append(user)
    return dirs


def load_rubrics(dirs: list[Path] | None = None) -> tuple[dict[str, Rubric], list[Problem]]:
    """Load every ``*.rubric.yaml`` in ``dirs`` (default :func:`rubric_dirs`).

    Broken files are reported, not raised, so one bad file never hides the others. When two files share an id,
    the first one found wins and the other is reported.
    """
    rubrics: dict[str, Rubric] = {}
    where: dict[str, Path] = {}
    problems: list[Problem] = []
    for folder in rubric_dirs() if dirs is None else dirs:
        folder = Path(folder)
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob(f"*{SUFFIX}")):
            try:
                rubric = load_rubric(path)
            except FileProblems as exc:
                problems.extend(exc.problems)
                continue
            if rubric.id in rubrics:
                problems.append(
                    Problem(
                        str(path),
                        1,
                        1,
                        f"rubric id {rubric.id!r} is already defined in {where[rubric.id]}; "
                        "this file is ignored",
                    )
                )
                continue
            rubrics[rubric.id] = rubric
            where[rubric.id] = path
    return rubrics, problems


def rubric_schema() -> dict:
    """The JSON Schema of the rubric format (draft-07 compatible subset, as pydantic emits it)."""
    out = Rubric.model_json_schema()
    out["$schema"] = "http://json-schema.org/draft-07/schema#"
    out["title"] = "mhsim rubric (format v1)"
    return out


__all__ = [
    "DETECTOR_TYPES",
    "SCHEMA_VERSION",
    "AskedBefore",
    "Detector",
    "EnactLevel",
    "Feedback",
    "GlobalEstimate",
    "Instrument",
    "Item",
    "Rubric",
    "Signal",
    "Threshold",
    "check_rubric",
    "load_rubric",
    "load_rubrics",
    "rubric_dirs",
    "rubric_schema",
]
