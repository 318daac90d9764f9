"""Identifiers typed by mistake are caught and redacted; the scenario's own fictional names are not."""

from __future__ import annotations

import itertools

import pytest

from simulator.privacy import find_identifiers, redact, scenario_names
from simulator.session import Session, clean_input


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("write to jo.bloggs+x@example.org please", "email address"),
        ("call me on 07700 900123 tonight", "phone number"),
        ("her date of birth is 03/04/1985", "date of birth"),
        ("she was born on 3rd March 1985, I think", "date of birth"),
        ("DOB: March 3, 1985", "date of birth"),
        ("my NHS number is 943 476 5919", "record or ID number"),
        ("MRN: A1234567 on the chart", "record or ID number"),
        ("SSN 123-45-6789", "record or ID number"),
        ("his card 4111 1111 1111 1111 was declined", "payment card number"),
        ("IBAN GB82 WEST 1234 5698 7654 32", "bank account number"),
        ("she lives at 12 Acacia Avenue now", "street address"),
        ("the postcode is SW1A 1AA", "postcode"),
        ("from 192.168.1.20 at work", "IP address"),
        ("I spoke to Sarah Jones yesterday", "name"),
        ("my colleague Priya said it would help", "name"),
        ("Dr Okonkwo referred her", "name"),
        ("Hi, I'm Sam, one of the nurses", "name"),
    ],
)
def test_identifier_kinds_are_found(text: str, kind: str) -> None:
    clean, kinds = redact(text)
    assert kind in kinds, (text, kinds)
    assert f"[redacted {kind}]" in clean


@pytest.mark.parametrize(
    "text",
    [
        "How have you been sleeping since April?",
        "I'm Tired of waiting, honestly.",
        "Will you come back next Tuesday?",
        "It sounds like Christmas was hard.",
        "You scored 7 out of 10 on that, and that's 2 more than last week.",
        "It's been 3 or 4 weeks, maybe 20 days.",
        "Grace and hope are not names here.",
    ],
)
def test_ordinary_speech_is_left_alone(text: str) -> None:
    assert redact(text) == (text, [])


def test_card_numbers_need_a_valid_checksum() -> None:
    assert "payment card number" not in redact("order 4111 1111 1111 1112 arrived")[1]


def test_scenario_names_are_not_redacted_but_others_are(helen) -> None:
    names = scenario_names(helen)
    assert {"helen", "ellie", "biscuit", "mark"} <= names
    clean, kinds = redact("Has Ellie rung you since Mark left? Did Sarah Jones call?", names)
    assert "Ellie" in clean and "Mark" in clean
    assert clean.endswith("Did [redacted name] call?") and kinds == ["name"]
    # Without the scenario, the given name alone is treated as someone real.
    assert "name" in redact("Has Ellie rung you?")[1]


def test_a_full_name_with_one_unknown_part_is_redacted(helen) -> None:
    clean, kinds = redact("Is Helen Smith your sister?", scenario_names(helen))
    assert kinds == ["name"] and "Smith" not in clean


def test_spans_do_not_overlap_and_keep_order() -> None:
    text = "Email a@b.co or ring 07700 900123; Dr Sarah Jones knows."
    spans = find_identifiers(text)
    assert [s.kind for s in spans] == ["email address", "phone number", "name"]
    assert all(a.end <= b.start for a, b in itertools.pairwise(spans))
    assert text[spans[-1].start : spans[-1].end] == "Dr Sarah Jones"


def test_clean_input_notices_and_session_stores_redacted(helen) -> None:
    text, notices = clean_input("My colleague Priya's number is 07700 900123", scenario_names(helen))
    assert "Priya" not in text and "900123" not in text
    assert notices and "name" in notices[0] and "phone number" in notices[0]
    session = Session(helen)
    session.open()
    submitted = session.submit("How is Ellie? Is Sarah Jones your friend?")
    assert submitted is not None
    assert "Ellie" in submitted.turn.text and "Sarah" not in submitted.turn.text
    assert any("redacted" in n for n in submitted.notices)
