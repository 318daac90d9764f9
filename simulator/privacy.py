"""Catch identifiers typed by mistake and redact them before anything is stored or sent.

Trainees practise with fictional patients; a real email, phone number, date of birth, record number or street
address in a transcript is almost always an accident. Detection is pattern-based and deliberately cautious.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("email address", re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")),
    (
        "date of birth",
        re.compile(
            r"\b(?:born|dob|d\.o\.b\.?|date of birth)\b[^.\n]{0,20}?\b\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}\b",
            re.IGNORECASE,
        ),
    ),
    ("record or ID number", re.compile(r"\b(?:\d{3}[ -]?\d{3}[ -]?\d{4}|\d{3}-\d{2}-\d{4}|[A-Z]{2}\d{6}[A-D])\b")),
    ("phone number", re.compile(r"(?<![\w/])(?:\+\d{1,3}[ -]?)?(?:\(?\d{2,5}\)?[ -]?)\d{3,4}[ -]?\d{3,4}\b")),
    (
        "street address",
        re.compile(
            r"\b\d{1,5}\s+(?:[A-Z][a-z]+\s){1,3}(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Close|Way|Court)\b"
        ),
    ),
)


@dataclass(frozen=True)
class Redaction:
    kind: str
    start: int
    end: int


def find_identifiers(text: str) -> list[Redaction]:
    """Spans that look like personal identifiers, non-overlapping, in order."""
    found: list[Redaction] = []
    for kind, rx in _PATTERNS:
        for hit in rx.finditer(text):
            if any(hit.start() < r.end and r.start < hit.end() for r in found):
                continue
            found.append(Redaction(kind, hit.start(), hit.end()))
    return sorted(found, key=lambda r: r.start)


def redact(text: str) -> tuple[str, list[str]]:
    """Replace identifiers with ``[redacted <kind>]``; return the new text and the kinds caught."""
    spans = find_identifiers(text)
    if not spans:
        return text, []
    out, last = [], 0
    for span in spans:
        out.append(text[last : span.start])
        out.append(f"[redacted {span.kind}]")
        last = span.end
    out.append(text[last:])
    return "".join(out), [s.kind for s in spans]
