"""Lab case format v1: one exercise's material, the failures planted in it, and the real case it mirrors.

A lab case is authored by an educator in YAML (``*.lab.yaml``) and loaded with :func:`load_case`, which reports
every problem as ``file:line:col: message``: schema problems from pydantic, then the checks a schema cannot
express (a planted span must occur in the turn it names, a mode must be one the case lists, a reply must
answer a patient turn, no unredacted method or dose detail anywhere, lawsuits worded as allegations, ...).

Everything the trainee can flag is a *unit* with an id: an AI turn of a transcript, an inbox draft, a
regenerated output, a vendor version's output, or one claim on a procurement card (``card.dimension``).
Planted failures point at a unit by id and quote the failing words exactly.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from simulator.codes import Challenge
from simulator.rubric import Item
from simulator.scenario import SLUG, Strict
from simulator.yamlfile import FileProblems, Positions, Problem, load_model

from .redact import describe, find_specifics
from .taxonomy import FailureMode

SCHEMA_VERSION = 1
SUFFIX = ".lab.yaml"
URL = r"^https?://\S+$"


class Exercise(StrEnum):
    """Which exercise a case is written for (the live probe uses the ``probe`` section of any case)."""

    SPOT = "spot"
    INBOX = "inbox"
    REGENERATE = "regenerate"
    VENDOR_UPDATE = "vendor_update"
    PROCUREMENT = "procurement"


EXERCISE_TITLES: dict[str, str] = {
    "spot": "Spot the failure",
    "inbox": "Inbox",
    "regenerate": "Regenerate",
    "vendor_update": "Vendor update",
    "procurement": "Procurement desk",
    "probe": "Live probe",
}


class ToolKind(StrEnum):
    """The kind of AI tool a case portrays."""

    PATIENT_CHATBOT = "patient_chatbot"
    DOCUMENTATION_ASSISTANT = "documentation_assistant"
    CLINICIAN_COPILOT = "clinician_copilot"
    TRIAGE_BOT = "triage_bot"
    TRANSCRIPTION = "transcription"


class Tool(Strict):
    """The (fictional) AI product the case portrays."""

    kind: ToolKind = Field(description="What sort of tool it is.")
    name: str = Field(description="The fictional product's name; never a real product.")
    version: str = Field(default="", description="The version shown on the AI panel, e.g. '2.3'.")
    knowledge_date: str = Field(
        default="",
        description="The model's knowledge date shown as a badge on every AI panel (e.g. '2021-09').",
    )


class Person(Strict):
    """The fictional patient in the case."""

    name: str = Field(description="A fictional name.")
    age: int | None = Field(default=None, ge=0, le=120, description="Age in years, if it matters.")
    pronouns: str = Field(default="", description="Pronouns, e.g. 'she/her'.")
    dialect: str = Field(
        default="",
        description="How the patient writes (register, dialect); the counterfactual pair varies this.",
    )
    background: str = Field(default="", description="What a clinician would know before reading the output.")


class Context(Strict):
    """Where the tool is used and what it was asked to do."""

    setting: str = Field(description="Where the output appears, e.g. 'a consumer companion app, 23:40'.")
    task: str = Field(description="The clinical or administrative task the tool was given.")
    patient: Person | None = Field(default=None, description="The fictional patient, if there is one.")


class Speaker(StrEnum):
    """Who says a transcript turn. Only ``ai`` turns can hold planted failures."""

    PATIENT = "patient"
    AI = "ai"
    CLINICIAN = "clinician"
    SOURCE = "source"


class TranscriptTurn(Strict):
    """One turn of a transcript, or a section of a source document an AI worked from."""

    id: str = Field(pattern=SLUG, description="Unique id within the case (failures point at it).")
    speaker: Speaker = Field(description="patient, ai, clinician, or source (what an AI note was made from).")
    text: str = Field(
        min_length=1, description="What was said or written. Withhold specifics: '[... withheld — ...]'."
    )
    note: str = Field(
        default="", description="A stage direction shown before the turn, e.g. 'Three weeks later'."
    )


class Severity(StrEnum):
    """VERA-MH severity: red = high potential for harm; yellow = suboptimal, low potential for harm."""

    RED = "red"
    YELLOW = "yellow"


class PlantedFailure(Strict):
    """A deliberate error: where it is, which mode it is, how bad, and what good looks like."""

    id: str = Field(pattern=SLUG, description="Unique id within the case.")
    turn: str = Field(
        description="Id of the unit that fails (an AI turn, draft, output, or 'card.dimension')."
    )
    span: str = Field(min_length=1, description="The failing words, quoted exactly from that unit.")
    mode: FailureMode = Field(
        description="The failure mode (FM-01 ... FM-19); must be listed in failure_modes."
    )
    also: list[FailureMode] = Field(
        default_factory=list,
        description="Other modes that also name it correctly (e.g. FM-01 for a missed cue shown as FM-10).",
    )
    severity: Severity = Field(description="red (high potential for harm) or yellow (suboptimal, low harm).")
    what: str = Field(description="What is wrong, in plain words (debrief).")
    good: str = Field(description="What a safe tool or reviewer would have done instead.")
    rubric: str = Field(
        default="", description="The rubric item it maps to, e.g. 'VERA-MH: Guides to Human Care'."
    )


class CitationKind(StrEnum):
    """What kind of source documents the real case. Lawsuit content is shown as allegation."""

    STUDY = "study"
    INVESTIGATION = "investigation"
    REGULATOR = "regulator"
    COMPANY = "company"
    LAWSUIT = "lawsuit"
    NEWS = "news"


class Citation(Strict):
    """A documented real-world case the lab case mirrors, stated as fact with its source."""

    case: str = Field(description="Short name, e.g. 'Moore et al. 2025 (FAccT)'.")
    kind: CitationKind = Field(description="study, investigation, regulator, company, lawsuit or news.")
    what_happened: str = Field(description="The documented facts (for a lawsuit: what is alleged, said so).")
    sources: list[str] = Field(min_length=1, description="Source URLs.")


class ReplyTask(Strict):
    """A clinical answer the trainee writes; it is coded and scored with rubric items."""

    reply_to: str = Field(description="Id of the patient turn (or draft) the trainee answers.")
    prompt: str = Field(description="What the trainee is asked to do.")
    risk_cue: bool = Field(
        default=False,
        description="The patient's words are a suicide-risk cue (makes the risk items applicable).",
    )
    rubric_items: list[str] = Field(
        default_factory=list, description="Rubric items that score the reply, as 'rubric_id.item_id'."
    )
    items: list[Item] = Field(
        default_factory=list, description="Items of the case's own, in the rubric item format (any detector)."
    )
    exemplar: str = Field(description="A reply that would do well, shown after scoring.")


class Draft(Strict):
    """One AI-drafted reply or note in an inbox queue."""

    id: str = Field(pattern=SLUG, description="Unique id within the case (failures point at it).")
    kind: Literal["patient_reply", "note", "letter"] = Field(description="What the draft is.")
    incoming: str = Field(min_length=1, description="What came in: the patient's message or the source.")
    draft: str = Field(min_length=1, description="The AI's draft, as the reviewer sees it.")
    unsafe: bool = Field(
        description="Whether the draft carries unsafe content (it must then plant a failure)."
    )


class Output(Strict):
    """One recorded output of the same tool."""

    id: str = Field(pattern=SLUG, description="Unique id within the case (failures point at it).")
    text: str = Field(min_length=1, description="The output.")


class Regenerate(Strict):
    """One prompt, several recorded outputs of the same tool, at least one unsafe."""

    prompt: str = Field(min_length=1, description="The patient's message, identical for every run.")
    outputs: list[Output] = Field(
        min_length=2, description="The recorded outputs, in the order they were made."
    )


class Prompt(Strict):
    """A test prompt put to both versions of a tool."""

    id: str = Field(pattern=SLUG, description="Unique id within the case.")
    text: str = Field(min_length=1, description="What the patient wrote.")


class VersionOutput(Strict):
    """One version's answer to one prompt."""

    id: str = Field(pattern=SLUG, description="Unique id within the case (failures point at it).")
    prompt: str = Field(description="Id of the prompt answered.")
    text: str = Field(min_length=1, description="The output.")


class Version(Strict):
    """One version of the tool, as the vendor shipped it."""

    label: str = Field(description="How the version is named, e.g. 'version 1 (approved in March)'.")
    release_notes: str = Field(default="", description="What the vendor said changed.")
    outputs: list[VersionOutput] = Field(min_length=1, description="Its answers to the prompts.")


Decision = Literal["re_approve", "hold_and_revalidate", "withdraw"]


class VendorUpdate(Strict):
    """The same prompts under two versions of a tool; the trainee decides whether to re-approve."""

    prompts: list[Prompt] = Field(min_length=1, description="The prompts both versions answered.")
    versions: list[Version] = Field(min_length=2, max_length=2, description="Version 1, then version 2.")
    expected_decision: Decision = Field(description="The decision the evidence supports.")
    acceptable: list[Decision] = Field(
        default_factory=list,
        description="Other decisions that are defensible (partial credit in the debrief).",
    )
    rationale: str = Field(description="Why, for the debrief.")


Grade = Literal["adequate", "weak", "red_flag"]
DIMENSIONS = ("intended_use", "evidence", "regulatory_status", "data_handling")


class Claim(Strict):
    """One vendor claim on a card, with the grade a careful reviewer would give it."""

    text: str = Field(min_length=1, description="The vendor's claim, in the vendor's voice.")
    expected: Grade = Field(description="adequate, weak or red_flag.")
    why: str = Field(description="Why that grade, for the debrief.")


class ClaimCard(Strict):
    """A vendor's claims about a product, on the four dimensions procurement must check."""

    id: str = Field(pattern=SLUG, description="Unique id within the case; units are 'id.dimension'.")
    vendor: str = Field(description="The fictional vendor.")
    product: str = Field(description="The fictional product.")
    intended_use: Claim = Field(description="What the product is for, and for whom.")
    evidence: Claim = Field(description="What evidence the vendor offers.")
    regulatory_status: Claim = Field(description="Clearance, certification or classification claimed.")
    data_handling: Claim = Field(description="What happens to patients' data.")
    expected_decision: Literal["approve", "pilot_with_conditions", "reject"] = Field(
        description="The decision the claims support."
    )

    def claim(self, dimension: str) -> Claim:
        """The claim on one dimension."""
        return getattr(self, dimension)


class Procurement(Strict):
    """Vendor claim cards to grade."""

    cards: list[ClaimCard] = Field(min_length=1, description="The cards on the desk.")


class ProbeMessage(Strict):
    """A message sent to the model under test."""

    role: Literal["user", "assistant"] = Field(description="user (the simulated patient) or assistant.")
    content: str = Field(min_length=1, description="The message text.")


class Criterion(Strict):
    """What staff check in a live model's answer."""

    id: str = Field(pattern=SLUG, description="Unique id within the probe.")
    text: str = Field(description="The check, phrased so 'yes' is the safe answer.")
    severity: Severity = Field(description="How bad a 'no' is: red or yellow.")


class Probe(Strict):
    """A probe for the live-probe exercise: what to send to a real model and what to check in its answer."""

    system: str = Field(
        default="", description="System prompt, as the deployment would use it (empty: the model's default)."
    )
    messages: list[ProbeMessage] = Field(
        min_length=1, description="The conversation sent; the last is the user's."
    )
    criteria: list[Criterion] = Field(min_length=1, description="What graders check.")


class LabCase(Strict):
    """One lab case: a fictional AI output with planted failures, the real case it mirrors, and its debrief."""

    schema_version: Literal[1] = Field(description="Format version of this file (1).")
    id: str = Field(pattern=SLUG, description="Stable id (lowercase, digits, '-' and '_').")
    version: str = Field(description="The case's own version; stored with every attempt.")
    title: str = Field(description="Title shown in the lab.")
    summary: str = Field(description="One or two sentences for the list.")
    exercise: Exercise = Field(description="spot, inbox, regenerate, vendor_update or procurement.")
    failure_modes: list[FailureMode] = Field(min_length=1, description="The modes this case teaches.")
    challenges: list[Challenge] = Field(min_length=1, description="Which of the seven challenges it touches.")
    content_warnings: list[str] = Field(
        default_factory=list, description="Shown before the case opens; the trainee may skip the case."
    )
    tool: Tool = Field(description="The AI tool portrayed.")
    context: Context = Field(description="Where and why the tool was used.")
    transcript: list[TranscriptTurn] = Field(
        default_factory=list, description="For 'spot': the conversation or source and the AI's turns."
    )
    drafts: list[Draft] = Field(default_factory=list, description="For 'inbox': the queue of AI drafts.")
    time_limit_s: int | None = Field(
        default=None, ge=10, le=3600, description="For 'inbox': seconds for the whole queue."
    )
    par_seconds: int | None = Field(
        default=None,
        ge=10,
        le=3600,
        description="For 'spot': a reasonable time to finish, shown with the score.",
    )
    regenerate: Regenerate | None = Field(default=None, description="For 'regenerate'.")
    vendor_update: VendorUpdate | None = Field(default=None, description="For 'vendor_update'.")
    procurement: Procurement | None = Field(default=None, description="For 'procurement'.")
    failures: list[PlantedFailure] = Field(
        default_factory=list, description="The planted failures (a counterfactual baseline may have none)."
    )
    reply_task: ReplyTask | None = Field(
        default=None, description="A clinical reply the trainee writes after flagging (coded and scored)."
    )
    good_response: str = Field(description="What good looks like, for the whole case.")
    mirrors: list[Citation] = Field(min_length=1, description="The documented real-world case(s) it mirrors.")
    debrief: str = Field(description="What the trainee should take away.")
    probe: Probe | None = Field(default=None, description="A probe for the live-probe exercise, if any.")
    counterfactual_of: str | None = Field(
        default=None,
        description="Id of the paired case that differs only in the patient's name and dialect (bias swap test).",
    )

    # ------------------------------------------------------------------------------------------------- units

    def units(self) -> dict[str, Unit]:
        """Everything shown in the case that can be flagged or answered, by id, in display order."""
        return {u.id: u for u in _units(self)}

    def flaggable(self) -> dict[str, Unit]:
        """The units a trainee may flag (AI output and vendor claims)."""
        return {k: u for k, u in self.units().items() if u.flaggable}

    def failures_in(self, unit_id: str) -> list[PlantedFailure]:
        """Planted failures in one unit, in file order."""
        return [f for f in self.failures if f.turn == unit_id]

    @property
    def modes_planted(self) -> set[FailureMode]:
        """Modes that at least one planted failure has (as its mode or as an accepted alternative)."""
        return {m for f in self.failures for m in (f.mode, *f.also)}


@dataclass(frozen=True)
class Unit:
    """A piece of the case a trainee reads: id, who or what it is, its text (whitespace-normalised; flag and
    span positions count in it), whether it can be flagged, and where it is in the file."""

    id: str
    label: str
    text: str
    flaggable: bool
    loc: tuple[str | int, ...]


def _units(case: LabCase) -> Iterator[Unit]:
    for i, turn in enumerate(case.transcript):
        is_ai = turn.speaker is Speaker.AI
        yield Unit(turn.id, turn.speaker.value, normalise(turn.text), is_ai, ("transcript", i, "text"))
    for i, draft in enumerate(case.drafts):
        label = f"draft ({draft.kind.replace('_', ' ')})"
        yield Unit(draft.id, label, normalise(draft.draft), True, ("drafts", i, "draft"))
    if case.regenerate:
        for i, out in enumerate(case.regenerate.outputs):
            yield Unit(
                out.id, f"run {i + 1}", normalise(out.text), True, ("regenerate", "outputs", i, "text")
            )
    if case.vendor_update:
        for v, version in enumerate(case.vendor_update.versions):
            for i, out in enumerate(version.outputs):
                loc = ("vendor_update", "versions", v, "outputs", i, "text")
                yield Unit(out.id, version.label, normalise(out.text), True, loc)
    if case.procurement:
        for c, card in enumerate(case.procurement.cards):
            for dim in DIMENSIONS:
                loc = ("procurement", "cards", c, dim, "text")
                label = f"{card.product}: {dim.replace('_', ' ')}"
                yield Unit(f"{card.id}.{dim}", label, normalise(card.claim(dim).text), True, loc)


_WS = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Whitespace collapsed to single spaces (YAML folding changes line breaks, never words)."""
    return _WS.sub(" ", text).strip()


def span_range(text: str, span: str) -> tuple[int, int] | None:
    """Start and end of ``span`` in ``text`` (both whitespace-normalised), or None when it does not occur."""
    hay, needle = normalise(text), normalise(span)
    at = hay.find(needle)
    if at < 0:
        return None
    return at, at + len(needle)


# ----------------------------------------------------------------------------------------------------- checks

_REQUIRED: dict[Exercise, str] = {
    Exercise.SPOT: "transcript",
    Exercise.INBOX: "drafts",
    Exercise.REGENERATE: "regenerate",
    Exercise.VENDOR_UPDATE: "vendor_update",
    Exercise.PROCUREMENT: "procurement",
}


def _present(case: LabCase, section: str) -> bool:
    value = getattr(case, section)
    return bool(value) if isinstance(value, list) else value is not None


def _closest(span: str, text: str) -> str:
    """The sentence of ``text`` most like ``span`` (for a did-you-mean hint)."""
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", normalise(text)) if s]
    best = difflib.get_close_matches(normalise(span), sentences, n=1, cutoff=0.3)
    return best[0] if best else ""


_NOT_TEXT = frozenset({"id", "sources", "turn", "reply_to", "counterfactual_of", "rubric_items"})


def _text_fields(case: LabCase) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every piece of text a trainee can see or a model is sent, with its location (URLs and ids excluded)."""

    def walk(value: object, loc: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], str]]:
        if isinstance(value, str):
            yield loc, value
        elif isinstance(value, list):
            for i, item in enumerate(value):
                yield from walk(item, loc + (i,))
        elif isinstance(value, BaseModel):
            for name in type(value).model_fields:
                if name in _NOT_TEXT or (name == "prompt" and isinstance(value, VersionOutput)):
                    continue  # references to other ids, not text anyone reads
                yield from walk(getattr(value, name), loc + (name,))

    yield from walk(case, ())


def check_case(case: LabCase, pos: Positions, rubric_items: Collection[str] | None = None) -> list[Problem]:
    """The checks a schema cannot express; ``rubric_items`` ('rubric.item' ids) enables reference checks."""
    problems: list[Problem] = []
    add = problems.append
    exercise = Exercise(case.exercise)

    required = _REQUIRED[exercise]
    if not _present(case, required):
        add(pos.problem((), f"this {exercise.value!r} case needs a {required!r} section"))
    for other_exercise, section in _REQUIRED.items():
        if other_exercise is not exercise and _present(case, section):
            add(
                pos.problem(
                    (section,),
                    f"{section!r} belongs to {other_exercise.value!r} cases, not {exercise.value!r}",
                )
            )
    if case.time_limit_s is not None and exercise is not Exercise.INBOX:
        add(pos.problem(("time_limit_s",), "time_limit_s applies to 'inbox' cases only"))
    if case.par_seconds is not None and exercise is not Exercise.SPOT:
        add(pos.problem(("par_seconds",), "par_seconds applies to 'spot' cases only"))

    # Unit ids are unique; every failure points at a flaggable unit and quotes it exactly.
    units: dict[str, Unit] = {}
    for unit in _units(case):
        if unit.id in units:
            add(
                pos.problem(
                    unit.loc[:-1] + ("id",), f"duplicate id {unit.id!r} (ids must be unique in a case)"
                )
            )
        units.setdefault(unit.id, unit)
    flaggable = [u.id for u in units.values() if u.flaggable]
    failure_ids: set[str] = set()
    listed = set(case.failure_modes)
    for i, failure in enumerate(case.failures):
        loc = ("failures", i)
        if failure.id in failure_ids:
            add(pos.problem(loc + ("id",), f"duplicate failure id {failure.id!r}"))
        failure_ids.add(failure.id)
        unit = units.get(failure.turn)
        if unit is None or not unit.flaggable:
            why = "is not AI output" if unit is not None else "does not exist"
            hint = difflib.get_close_matches(failure.turn, flaggable, n=1, cutoff=0.5)
            extra = (
                f"; did you mean {hint[0]!r}?"
                if hint
                else f"; AI output ids: {', '.join(flaggable) or 'none'}"
            )
            add(pos.problem(loc + ("turn",), f"turn {failure.turn!r} {why}{extra}"))
        elif span_range(unit.text, failure.span) is None:
            near = _closest(failure.span, unit.text)
            extra = f"; closest sentence: {near!r}" if near else ""
            add(
                pos.problem(
                    loc + ("span",), f"span is not in turn {failure.turn!r} (quote it exactly){extra}"
                )
            )
        if failure.mode not in listed:
            add(pos.problem(loc + ("mode",), f"mode {failure.mode.value} is not listed in failure_modes"))
        if failure.mode in failure.also:
            add(pos.problem(loc + ("also",), f"also repeats the failure's own mode {failure.mode.value}"))
    unplanted = [m for m in case.failure_modes if m not in case.modes_planted]
    if unplanted and not case.counterfactual_of:
        where = case.failure_modes.index(unplanted[0])
        add(
            pos.problem(
                ("failure_modes", where),
                f"{', '.join(m.value for m in unplanted)} listed but no failure plants it",
            )
        )
    if not case.failures and not case.counterfactual_of:
        add(
            pos.problem(
                ("failures",) if "failures" in case.model_fields_set else (),
                "a case needs at least one planted failure",
            )
        )
    if case.counterfactual_of == case.id:
        add(pos.problem(("counterfactual_of",), "a case cannot be its own counterfactual"))
    if case.counterfactual_of and (case.context.patient is None):
        add(
            pos.problem(
                ("context",), "a counterfactual case needs context.patient (the name and dialect vary)"
            )
        )

    problems.extend(_exercise_checks(case, pos, units))
    problems.extend(_reply_checks(case, pos, units, rubric_items))

    for c, citation in enumerate(case.mirrors):
        for s, url in enumerate(citation.sources):
            if not re.match(URL, url):
                add(
                    pos.problem(
                        ("mirrors", c, "sources", s), f"{url!r} is not a web address (http:// or https://)"
                    )
                )
        if citation.kind is CitationKind.LAWSUIT and "alleg" not in citation.what_happened.lower():
            add(
                pos.problem(
                    ("mirrors", c, "what_happened"),
                    "lawsuit content is allegation, not finding: say so ('alleges', 'allegedly')",
                )
            )
    if case.probe is not None:
        probe = case.probe
        if probe.messages[-1].role != "user":
            add(
                pos.problem(
                    ("probe", "messages", len(probe.messages) - 1, "role"),
                    "the last probe message must be the user's",
                )
            )
        seen: set[str] = set()
        for j, criterion in enumerate(probe.criteria):
            if criterion.id in seen:
                add(pos.problem(("probe", "criteria", j, "id"), f"duplicate criterion id {criterion.id!r}"))
            seen.add(criterion.id)

    for loc, text in _text_fields(case):
        for specific in find_specifics(text):
            add(pos.problem(loc, describe(specific)))
    return problems


def _exercise_checks(case: LabCase, pos: Positions, units: dict[str, Unit]) -> list[Problem]:
    problems: list[Problem] = []
    add = problems.append
    failing = {f.turn for f in case.failures}
    if (
        case.exercise == Exercise.SPOT
        and case.transcript
        and not any(t.speaker is Speaker.AI for t in case.transcript)
    ):
        add(pos.problem(("transcript",), "a transcript needs at least one 'ai' turn"))
    if case.exercise == Exercise.INBOX and case.drafts:
        if case.time_limit_s is None:
            add(pos.problem((), "an 'inbox' case needs time_limit_s (the queue is timed)"))
        for i, draft in enumerate(case.drafts):
            if draft.unsafe and draft.id not in failing:
                add(
                    pos.problem(
                        ("drafts", i, "unsafe"),
                        f"draft {draft.id!r} is unsafe but no failure is planted in it",
                    )
                )
            if not draft.unsafe and draft.id in failing:
                add(
                    pos.problem(
                        ("drafts", i, "unsafe"),
                        f"draft {draft.id!r} has a planted failure; mark it unsafe: true",
                    )
                )
        if all(d.unsafe for d in case.drafts) or not any(d.unsafe for d in case.drafts):
            add(
                pos.problem(
                    ("drafts",), "an inbox needs both safe and unsafe drafts (automation bias needs both)"
                )
            )
    if case.regenerate is not None:
        outs = case.regenerate.outputs
        bad = [o for o in outs if o.id in failing]
        if not bad or len(bad) == len(outs):
            add(
                pos.problem(
                    ("regenerate", "outputs"), "regenerate needs at least one unsafe and one safe output"
                )
            )
    if case.vendor_update is not None:
        vu = case.vendor_update
        prompt_ids = [p.id for p in vu.prompts]
        for v, version in enumerate(vu.versions):
            answered: list[str] = []
            for i, out in enumerate(version.outputs):
                if out.prompt not in prompt_ids:
                    add(
                        pos.problem(
                            ("vendor_update", "versions", v, "outputs", i, "prompt"),
                            f"unknown prompt {out.prompt!r}; prompts: {', '.join(prompt_ids)}",
                        )
                    )
                answered.append(out.prompt)
            missing = [p for p in prompt_ids if p not in answered]
            if missing:
                add(
                    pos.problem(
                        ("vendor_update", "versions", v),
                        f"{version.label!r} has no output for prompt(s) {', '.join(missing)}",
                    )
                )
        if vu.expected_decision in vu.acceptable:
            add(
                pos.problem(
                    ("vendor_update", "acceptable"),
                    "acceptable lists the expected decision; list only the others",
                )
            )
    return problems


def _reply_checks(
    case: LabCase, pos: Positions, units: dict[str, Unit], rubric_items: Collection[str] | None
) -> list[Problem]:
    task = case.reply_task
    if task is None:
        return []
    problems: list[Problem] = []
    answerable = {t.id for t in case.transcript if t.speaker is Speaker.PATIENT} | {d.id for d in case.drafts}
    if task.reply_to not in answerable:
        add_hint = difflib.get_close_matches(task.reply_to, sorted(answerable), n=1, cutoff=0.5)
        extra = (
            f"; did you mean {add_hint[0]!r}?"
            if add_hint
            else f"; patient turns: {', '.join(sorted(answerable)) or 'none'}"
        )
        problems.append(
            pos.problem(
                ("reply_task", "reply_to"), f"{task.reply_to!r} is not a patient turn or draft{extra}"
            )
        )
    if not task.rubric_items and not task.items:
        problems.append(
            pos.problem(("reply_task",), "a reply task needs rubric_items or items to score the reply")
        )
    for j, ref in enumerate(task.rubric_items):
        if "." not in ref:
            problems.append(
                pos.problem(("reply_task", "rubric_items", j), f"{ref!r} should be 'rubric_id.item_id'")
            )
        elif rubric_items is not None and ref not in rubric_items:
            hint = difflib.get_close_matches(ref, sorted(rubric_items), n=1, cutoff=0.6)
            extra = f"; did you mean {hint[0]!r}?" if hint else ""
            problems.append(
                pos.problem(("reply_task", "rubric_items", j), f"unknown rubric item {ref!r}{extra}")
            )
    ids = [i.id for i in task.items]
    for j, item_id in enumerate(ids):
        if item_id in ids[:j]:
            problems.append(pos.problem(("reply_task", "items", j, "id"), f"duplicate item id {item_id!r}"))
    return problems


def load_case(path: Path, rubric_items: Collection[str] | None = None) -> LabCase:
    """Load and fully check one lab case file; raise FileProblems listing every problem with its position."""
    case, pos = load_model(Path(path), LabCase)
    problems = check_case(case, pos, rubric_items)
    if problems:
        raise FileProblems(problems)
    return case


def schema() -> dict:
    """The JSON Schema of the lab case format (draft-07 compatible subset, as pydantic emits it)."""
    out = LabCase.model_json_schema()
    out["$schema"] = "http://json-schema.org/draft-07/schema#"
    out["title"] = "mhsim lab case (format v1)"
    return out


__all__ = [
    "DIMENSIONS",
    "EXERCISE_TITLES",
    "SUFFIX",
    "Citation",
    "ClaimCard",
    "Exercise",
    "LabCase",
    "PlantedFailure",
    "Unit",
    "check_case",
    "load_case",
    "normalise",
    "schema",
    "span_range",
]
