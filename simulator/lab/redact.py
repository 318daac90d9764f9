"""Method, means, dose and lethality specifics: found, refused in lab files, and withheld from model output.

Lab cases show unsafe AI behaviour without the harmful detail itself: authors write a visible marker such as
``[method detail withheld — the real system listed locations here]`` in the text. :func:`find_specifics` finds
specifics that were not withheld (a number followed by mg, tablets, pills, calories or metres; a named method;
lethality wording); a lab case containing any is refused when it loads. Output recorded from a real model in a
live probe goes through :func:`redact_specifics` before it is stored or shown, so it is never kept unredacted.

Detection is deliberately broad: a false alarm costs an author one edit, a miss could put harmful detail in
front of a trainee.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    "seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|"
    "dozen|half|a hundred|a thousand|a dozen"
)
_NUM = r"(?:\d+(?:[.,]\d+)*|(?:" + _NUMBER_WORDS + r")(?:[- ](?:" + _NUMBER_WORDS + r"))*)"
_RANGE = _NUM + r"(?:\s*(?:-|–|to|or)\s*" + _NUM + r")?"
# Up to two whole words between the number and the unit ("30 paracetamol tablets").
_GAP = r"(?:\s+(?!withheld)[A-Za-z][A-Za-z-]*(?![A-Za-z-])){0,2}\s*"

_DOSE_UNITS = (
    r"mg|milligrams?|mcg|µg|micrograms?|g|grams?|ml|millilitres?|milliliters?|tablets?|pills?|capsules?|caps|"
    r"doses?|units of insulin|packs?|packets?|boxes|bottles?|blister(?:s| packs?)?"
)
_DIET_UNITS = r"calories?|kcal|cals?|lbs?|pounds?|kg|kilos?|kilograms?|stone"
_HEIGHT_UNITS = r"(?-i:m)|metres?|meters?|feet|foot|ft|storeys?|stor(?:y|ies)|floors?"

_MARKER = re.compile(r"\[[^\[\]\n]{0,300}?withheld[^\[\]\n]{0,300}?\]", re.IGNORECASE)


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


# Every rule has a gate: word beginnings of which one must occur in the text before its regex runs at all (one
# pass over the words instead of one regex pass per rule). Gates only skip work; they never change a result.
_NUMBER_WORD_SET = frozenset(w for w in _NUMBER_WORDS.split("|") if " " not in w)
_DOSE_WORDS = frozenset(
    [
        "mg",
        "milligram",
        "milligrams",
        "mcg",
        "microgram",
        "micrograms",
        "g",
        "gram",
        "grams",
        "ml",
        "millilitre",
        "millilitres",
        "milliliter",
        "milliliters",
        "tablet",
        "tablets",
        "pill",
        "pills",
        "capsule",
        "capsules",
        "caps",
        "dose",
        "doses",
        "units",
        "pack",
        "packs",
        "packet",
        "packets",
        "boxes",
        "bottle",
        "bottles",
        "blister",
        "blisters",
    ]
)
_DIET_WORDS = frozenset(
    [
        "calorie",
        "calories",
        "kcal",
        "cal",
        "cals",
        "lb",
        "lbs",
        "pound",
        "pounds",
        "kg",
        "kilo",
        "kilos",
        "kilogram",
        "kilograms",
        "stone",
    ]
)
_HEIGHT_WORDS = frozenset(
    [
        "m",
        "metre",
        "metres",
        "meter",
        "meters",
        "feet",
        "foot",
        "ft",
        "storey",
        "storeys",
        "story",
        "stories",
        "floor",
        "floors",
    ]
)
# Number rules also need one of their unit words in the text.
_NUMBER_RULES: tuple[tuple[str, frozenset[str], re.Pattern[str]], ...] = (
    ("dose", _DOSE_WORDS, _rx(r"\b" + _RANGE + _GAP + r"(?:x\s*)?(?:" + _DOSE_UNITS + r")\b")),
    ("diet target", _DIET_WORDS, _rx(r"\b" + _RANGE + _GAP + r"(?:" + _DIET_UNITS + r")\b")),
    (
        "height",
        _HEIGHT_WORDS,
        _rx(r"\b" + _RANGE + r"\s*(?:" + _HEIGHT_UNITS + r")\b(?!\s*(?:ago|away|apart))"),
    ),
)
_RULES: tuple[tuple[str, tuple[str, ...], re.Pattern[str]], ...] = (
    (
        "dose",
        ("dose",),
        _rx(
            r"\b(?:double|triple|twice|three times)\s+(?:the\s+|your\s+|my\s+|a\s+|their\s+)?(?:usual\s+)?doses?\b"
        ),
    ),
    (
        "lethality",
        ("lethal", "fatal", "deadly", "toxic"),
        _rx(
            r"\b(?:lethal|fatal|deadly|toxic)\s+(?:dose|doses|amount|amounts|quantity|level|levels|height|drop|"
            r"combination|mix)\b"
        ),
    ),
    (
        "lethality",
        ("how",),
        _rx(r"\bhow (?:much|many)\b(?:\s+\w+){0,3}\s+(?:would|does|will|should) it take\b"),
    ),
    (
        "method",
        ("hang",),
        _rx(r"\bhang(?:ing|ed|s)?\b(?!\s+(?:out|on|in|around|up|about|back|over|onto|together))"),
    ),
    (
        "method",
        ("noose", "ligature", "strangl", "suffocat", "asphyxia", "self"),
        _rx(r"\b(?:noose|ligatures?|strangl\w*|suffocat\w*|asphyxia\w*|self-poison\w*)\b"),
    ),
    ("method", ("jump",), _rx(r"\bjump(?:ing|ed|s)?\s+(?:off|from|in front of)\b")),
    (
        "method",
        ("train", "bus", "lorry", "truck", "car", "tram"),
        _rx(r"\bin front of (?:a |an |the )?(?:train|bus|lorry|truck|car|tram)s?\b"),
    ),
    ("method", ("train", "rail"), _rx(r"\b(?:train|railway|rail)\s+(?:tracks?|lines?)\b")),
    (
        "method",
        ("carbon", "exhaust", "charcoal", "helium", "antifreeze"),
        _rx(r"\b(?:carbon monoxide|exhaust fumes?|charcoal|helium|antifreeze)\b"),
    ),
    ("method", ("wrist",), _rx(r"\b(?:slit|cut|slash)(?:ting)?\s+(?:my|your|his|her|their)\s+wrists?\b")),
    ("method", ("shoot", "shot"), _rx(r"\b(?:shoot|shooting|shot)\s+(?:my|your|him|her|them)sel(?:f|ves)\b")),
    ("method", ("gun",), _rx(r"\bgun\s+to\s+(?:my|your|his|her|their)\s+head\b")),
    (
        "method",
        ("poison", "drown"),
        _rx(r"\b(?:poison(?:ing)?|drown(?:ing)?)\s+(?:my|your|him|her|them)sel(?:f|ves)\b"),
    ),
    ("method", ("overdos",), _rx(r"\boverdos(?:e|ed|ing)\s+(?:on|with)\b")),
    (
        "method",
        ("overdos",),
        _rx(
            r"\b(?:paracetamol|acetaminophen|tylenol|ibuprofen|aspirin|insulin|opioids?|benzodiazepines?|"
            r"antidepressants?)\s+overdos\w*"
        ),
    ),
)
_WORDS = re.compile(r"[a-z]+")
_DIGIT = re.compile(r"\d")
_GATES = re.compile(
    r"\b(?:"
    + "|".join(sorted({re.escape(g) for _, gate, _ in _RULES for g in gate}, key=len, reverse=True))
    + ")"
)


def _rules_for(text: str) -> list[tuple[str, re.Pattern[str]]]:
    """The rules whose gate words occur in ``text`` (number rules when it has a digit or a number word)."""
    low = text.lower()
    rules: list[tuple[str, re.Pattern[str]]] = []
    if _DIGIT.search(text) or _NUMBER_WORD_SET.intersection(_WORDS.findall(low)):
        words = set(_WORDS.findall(low))
        rules.extend((kind, rx) for kind, units, rx in _NUMBER_RULES if words & units or "µg" in text)
    present = set(_GATES.findall(low))
    if present:
        rules.extend((kind, rx) for kind, gate, rx in _RULES if present.intersection(gate))
    return rules


WITHHELD: dict[str, str] = {
    "dose": "[dose detail withheld — removed automatically]",
    "diet target": "[diet target withheld — removed automatically]",
    "height": "[location detail withheld — removed automatically]",
    "lethality": "[lethality detail withheld — removed automatically]",
    "method": "[method detail withheld — removed automatically]",
}
"""The marker that replaces each kind of specific in recorded model output."""

EXAMPLE_MARKER = "[method detail withheld — the real system listed locations here]"
"""How authors write a withheld detail in a lab case (any bracketed text containing 'withheld' works)."""


@dataclass(frozen=True)
class Specific:
    """One unredacted specific: its kind, where it is in the text, and the words."""

    kind: str
    start: int
    end: int
    text: str


def withheld_spans(text: str) -> list[tuple[int, int]]:
    """Where the text already carries a ``[... withheld ...]`` marker (never reported as a specific)."""
    return [(m.start(), m.end()) for m in _MARKER.finditer(text)]


def find_specifics(text: str) -> list[Specific]:
    """Method, means, dose, diet-target and lethality specifics not inside a withheld marker, in text order."""
    if not text:
        return []
    skip = withheld_spans(text)
    found: list[Specific] = []
    for kind, rx in _rules_for(text):
        for hit in rx.finditer(text):
            start, end = hit.start(), hit.end()
            if any(start < e and s < end for s, e in skip):
                continue
            if any(start < f.end and f.start < end for f in found):
                continue
            found.append(Specific(kind, start, end, hit.group(0)))
    return sorted(found, key=lambda s: s.start)


def redact_specifics(text: str) -> tuple[str, list[str]]:
    """Replace every specific with its withheld marker; return the new text and the kinds removed."""
    spans = find_specifics(text)
    if not spans:
        return text, []
    out: list[str] = []
    last = 0
    for span in spans:
        out.append(text[last : span.start])
        out.append(WITHHELD[span.kind])
        last = span.end
    out.append(text[last:])
    return "".join(out), [s.kind for s in spans]


def describe(specific: Specific) -> str:
    """A problem message for an author: what was found and how to withhold it."""
    kind = "method" if specific.kind in ("method", "lethality", "height") else specific.kind.split()[0]
    return (
        f"unredacted {specific.kind} detail {specific.text!r}; replace it with a visible marker such as "
        f"'[{kind} detail withheld — …]'"
    )


__all__ = [
    "EXAMPLE_MARKER",
    "WITHHELD",
    "Specific",
    "describe",
    "find_specifics",
    "redact_specifics",
    "withheld_spans",
]
