"""Catch identifiers typed by mistake and redact them before anything is stored or sent.

Trainees practise with fictional patients; a real email, phone number, date of birth, record number, card
number, street address or a person's name in a transcript is almost always an accident. Detection is
pattern-based and deliberately cautious: a name counts only where it reads as a name (a title, "my
colleague …", a known given name, "First Last") and is not one of the scenario's own fictional names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|jun(?:e)?|jul(?:y)?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_BIRTH_CUE = r"\b(?:born|dob|d\.o\.b\.?|date of birth|birthday)\b"
_NUMERIC_DATE = r"\b\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}\b"
_WORD_DATE = (
    rf"\b(?:\d{{1,2}}(?:st|nd|rd|th)?(?:\s+of)?\s+{_MONTH},?\s+\d{{2,4}}|"
    rf"{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{2,4}})\b"
)
_RECORD_CUE = (
    r"\b(?:MRN|NHS(?:\s+(?:no\.?|number))?|CHI(?:\s+number)?|hospital\s+(?:no\.?|number)|"
    r"record\s+(?:no\.?|number)|patient\s+(?:id|no\.?|number)|chart\s+(?:no\.?|number)|"
    r"case\s+(?:no\.?|number)|medical\s+record(?:\s+number)?|insurance\s+(?:no\.?|number)|"
    r"policy\s+(?:no\.?|number)|member\s+(?:id|number)|SSN|social\s+security(?:\s+number)?|"
    r"national\s+insurance(?:\s+number)?|passport(?:\s+(?:no\.?|number))?|"
    r"(?:driver'?s\s+)?licen[cs]e\s+(?:no\.?|number))"
)
_STREET = (
    r"Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Close|Way|Court|Ct|Boulevard|Blvd|Place|Pl|Crescent|"
    r"Terrace|"
    r"Grove|Gardens|Square|Sq|Row|Parade|Mews|Walk|Highway|Hwy"
)

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("email address", re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")),
    (
        "date of birth",
        re.compile(rf"{_BIRTH_CUE}[^.\n]{{0,24}}?(?:{_NUMERIC_DATE}|{_WORD_DATE})", re.IGNORECASE),
    ),
    (
        "record or ID number",
        re.compile(rf"{_RECORD_CUE}[\s:#.]*(?:is\s+)?[A-Z]{{0,3}}\d[\dA-Z -]{{3,}}\d", re.IGNORECASE),
    ),
    ("payment card number", re.compile(r"\b\d(?:[ -]?\d){12,18}\b")),
    ("bank account number", re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,7}(?: ?[A-Z0-9]{1,3})?\b")),
    (
        "record or ID number",
        re.compile(r"\b(?:\d{3}[ -]?\d{3}[ -]?\d{4}|\d{3}-\d{2}-\d{4}|[A-Z]{2}\d{6}[A-D])\b"),
    ),
    ("IP address", re.compile(r"\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b")),
    ("phone number", re.compile(r"(?<![\w/])(?:\+\d{1,3}[ -]?)?(?:\(?\d{2,5}\)?[ -]?)\d{3,4}[ -]?\d{3,4}\b")),
    (
        "street address",
        re.compile(rf"\b\d{{1,5}}[A-Za-z]?,?\s+(?:[A-Z][a-z]+\s){{1,3}}(?:{_STREET})\b\.?"),
    ),
    (
        "postcode",
        re.compile(r"\b(?:[A-Z]{1,2}\d[A-Z\d]?\s*\d[ABD-HJLNP-UW-Z]{2}|[A-Z]{2}\s\d{5}(?:-\d{4})?)\b"),
    ),
)

# Given names common across the communities trainees work with. Used only for capitalised words, and only
# together with the rules below; words that are also ordinary English (Will, May, Grace, Mark, ...) are left
# to the title, cue and "First Last" rules.
_GIVEN_NAMES = frozenset(
    """
    aaliyah aaron abdul abdullah abigail adam adebayo adriana ahmed aisha akira alan alberto alejandro
    aleksandra alex alexander alexandra ali alice alicia alison amanda amelia amina amir amy ana andrea
    andrew angela anita ann anna anne anthony antonio anya arjun arthur ashley aya ayesha barbara beatriz
    ben benjamin beth bethany brian bridget bukola camila carl carla carlos caroline catherine charles
    charlotte chen chidi chloe chris christine christopher claire connor craig daniel daniela david
    deborah deepak dennis diana diego dimitri dmitri donald dorota douglas edward elena eleanor elif
    elizabeth ella ellie emily emma eric esther ethan fatima fatma felix fernando fiona francesca gabriel
    gary george georgia gemma greg gregory hamza hannah harry hassan heather helen henry hiroshi ian
    ibrahim imran irene isaac isabel isabella ivan jacob james jamie jane janet jasmine jason javier
    jennifer jessica joanna john jonathan jorge jose joseph joshua juan julia julie karen karim kate
    katherine kavya kelly kenji kevin khadija kwame laura lauren layla leah lena leon linda lisa liam
    lucas lucy luis luke maria mariam marie marta martin mary matthew megan mehmet melissa michael
    michelle miguel mohamed mohammed muhammad nadia natalia natalie nathan neil nicholas nicola nikita
    nisha noah nora oliver olivia omar oscar pablo paul paula peter priya rachel rahul rajesh rebecca
    richard robert rosa ryan sabrina sadia samantha samuel sandra sanjay sara sarah sean sergei sharon
    simon sofia sophie stephen steven susan tanya thomas timothy tom tomasz victoria vikram william wei
    xin yasmin yusuf zainab zara zoe sam dan joe jim tim liz meg nick rob tony mike steve dave jen becky
    katie josh matt andy pete
    """.split()
)
_TITLE = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Professor|Sir|Dame|Nurse|Doctor)"
_CAP = r"[A-Z][a-z]+(?:['’-][A-Za-z]+)?"
_RELATION = (
    r"(?:son|daughter|wife|husband|partner|boyfriend|girlfriend|mum|mom|mother|dad|father|brother|sister|"
    r"friend|colleague|co-worker|coworker|boss|manager|neighbour|neighbor|client|patient|flatmate|roommate|"
    r"supervisor|gp|therapist|doctor|nurse|teacher)"
)
_NAME_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(rf"\b{_TITLE}\.?\s+{_CAP}(?:\s+{_CAP})?"),
    re.compile(
        rf"(?i:\b(?:my name is|my name's|i'm called|i am called|called|named|this is|i'm|i am|"
        rf"(?:my|our|your|a|the)\s+{_RELATION}(?:'s name is)?))\s+({_CAP}(?:\s+{_CAP})?)"
    ),
    re.compile(rf"(?=\b({_CAP})\s+({_CAP})\b)"),  # a lookahead, so "Did Sarah Jones" also tries "Sarah Jones"
    re.compile(rf"\b({_CAP})\b"),
)
_NOT_NAMES = frozenset(
    "i i'm i've i'd i'll a an the and but or so if it is this that what when where why how who yes no ok "
    "okay "
    "hi hello hey thanks thank sorry well just also then there here we you he she they my your our".split()
)


@dataclass(frozen=True)
class Redaction:
    """One identifier found in a text: what kind it is and where."""

    kind: str
    start: int
    end: int


def _overlaps(found: list[Redaction], start: int, end: int) -> bool:
    return any(start < r.end and r.start < end for r in found)


def _luhn(digits: str) -> bool:
    total, parity = 0, len(digits) % 2
    for i, ch in enumerate(digits):
        d = int(ch)
        if i % 2 == parity:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _name_spans(text: str, allowed: frozenset[str]) -> list[tuple[int, int]]:
    """Spans that read as a person's name and are not among the allowed (scenario) names."""

    def foreign(words: list[str]) -> bool:
        keys = [w.lower().replace("’", "'") for w in words]
        return any(k not in allowed and k not in _NOT_NAMES for k in keys)

    spans: list[tuple[int, int]] = []
    title, cue, pair, single = _NAME_PATTERNS
    for hit in title.finditer(text):
        words = hit.group(0).replace(".", " ").split()[1:]
        if foreign(words):
            spans.append((hit.start(), hit.end()))
    for hit in cue.finditer(text):
        words = hit.group(1).split()
        first = words[0].lower()
        # "I'm Tired" is not a name; after "I'm"/"this is" only known given names or a first-last pair count.
        weak_cue = re.match(r"(?i)i'm|i am|this is", hit.group(0))
        if weak_cue and first not in _GIVEN_NAMES and len(words) < 2:
            continue
        if foreign(words):
            spans.append((hit.start(1), hit.end(1)))
    for hit in pair.finditer(text):
        first, second = hit.group(1).lower(), hit.group(2).lower()
        if first in _GIVEN_NAMES and second not in _NOT_NAMES and foreign([hit.group(1), hit.group(2)]):
            spans.append((hit.start(1), hit.end(2)))
    for hit in single.finditer(text):
        word = hit.group(1)
        if word.lower() in _GIVEN_NAMES and foreign([word]):
            spans.append((hit.start(), hit.end()))
    return spans


def find_identifiers(text: str, known_names: Iterable[str] | None = None) -> list[Redaction]:
    """Spans that look like personal identifiers, non-overlapping, in order.

    ``known_names`` are the fictional names the conversation may use (a scenario's people, places and pets);
    any other name is treated as an identifier.
    """
    found: list[Redaction] = []
    for kind, rx in _PATTERNS:
        for hit in rx.finditer(text):
            if _overlaps(found, hit.start(), hit.end()):
                continue
            if kind == "payment card number" and not _luhn(re.sub(r"\D", "", hit.group(0))):
                continue
            found.append(Redaction(kind, hit.start(), hit.end()))
    allowed = frozenset(n.lower().replace("’", "'") for n in (known_names or ()))
    # Longest first, so "Dr Sarah Jones" is one redaction rather than three.
    for start, end in sorted(_name_spans(text, allowed), key=lambda s: (s[0], -(s[1] - s[0]))):
        if not _overlaps(found, start, end):
            found.append(Redaction("name", start, end))
    return sorted(found, key=lambda r: r.start)


def redact(text: str, known_names: Iterable[str] | None = None) -> tuple[str, list[str]]:
    """Replace identifiers with ``[redacted <kind>]``; return the new text and the kinds caught."""
    spans = find_identifiers(text, known_names)
    if not spans:
        return text, []
    out, last = [], 0
    for span in spans:
        out.append(text[last : span.start])
        out.append(f"[redacted {span.kind}]")
        last = span.end
    out.append(text[last:])
    return "".join(out), [s.kind for s in spans]


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


_NAMES_CACHE: dict[int, tuple[Any, frozenset[str]]] = {}


def scenario_names(scenario: Any) -> frozenset[str]:
    """Every capitalised word a scenario uses (its people, places, pets): names the trainee may say.

    Cached per scenario object (a session asks on every turn).
    """
    cached = _NAMES_CACHE.get(id(scenario))
    if cached is not None and cached[0] is scenario:
        return cached[1]
    if len(_NAMES_CACHE) >= 32:
        _NAMES_CACHE.pop(next(iter(_NAMES_CACHE)))
    names = _scenario_names(scenario)
    _NAMES_CACHE[id(scenario)] = (scenario, names)
    return names


def _scenario_names(scenario: Any) -> frozenset[str]:
    data = (
        scenario.model_dump(mode="json", exclude={"tests"}) if hasattr(scenario, "model_dump") else scenario
    )
    words: set[str] = set()
    for text in _strings(data):
        words.update(w.lower().replace("’", "'") for w in re.findall(_CAP, text))
    return frozenset(words)
