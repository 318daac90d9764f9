"""The coder's output in AnnoMI's terms, so anyone can compare it with AnnoMI-style expert labels.

AnnoMI (Wu et al. 2022, 2023) labels each therapist utterance with one main behaviour, ``question``,
``reflection``, ``therapist_input`` (information, advice, negotiation or options) or ``other`` (greetings,
affirmations, back-channels, autonomy statements and the rest), plus subtypes: open or closed for questions,
simple or complex for reflections. This module maps a coded utterance (:class:`~simulator.coding.Analysis`)
onto that scheme. It reads the coder's sentence structure, so the mapping is the same for every caller.

How the main behaviour is picked: each sentence gets one function (question, reflection, input or other;
a proposal of what to do together is input, as negotiation, and advice or a warning asked as a question is
input), and the sentences vote with their length in words. A question's words count one and a half times and
a question that ends the turn gets a few more, because it is what the client is left to answer; so a short
question after a long stretch of information is still input, while a question after a brief reflection is a
question; so is a reflection of any length that leads into an open question or a wh-question. Checking
questions after substance ("okay?", "does that make sense?", "is that right?", "how does that sound?") do not
vote. A turn with no substantive sentence is "other", unless it picks up the speaker's interrupted sentence,
when it shares the function of the turn it continues.
"""

from __future__ import annotations

import re
from typing import Literal, NamedTuple

from .codes import Behaviour
from .coding import Analysis

B = Behaviour

AnnoMIBehaviour = Literal["question", "reflection", "therapist_input", "other"]
ANNOMI_BEHAVIOURS: tuple[AnnoMIBehaviour, ...] = ("question", "reflection", "therapist_input", "other")
INPUT_SUBTYPES = ("information", "advice", "negotiation", "options")

_PUSH = frozenset({B.PERSUADE, B.CONFRONT})
_INPUT = {B.GIVE_INFORMATION: "information", B.ADVISE_WITH_PERMISSION: "advice", B.PERSUADE: "advice",
          B.CONFRONT: "advice"}
# Checking questions after information ("okay?", "does that make sense?") do not make the turn a question.
_CHECK_Q = re.compile(
    r"^(?:(?:is that|is it|that) (?:okay|ok|alright|all right|fair)|okay|ok|right|alright|all right|"
    r"does (?:that|this) make sense|make sense|you know|you see|yeah|yes|no|sound good|"
    r"how (?:does|would) (?:that|this) sound(?: to you)?|would (?:that|this) (?:be )?(?:okay|ok|alright|"
    r"all right|"
    r"work|help)(?: for you)?|is (?:that|this) something (?:you(?:'d| would)? (?:be )?(?:open|willing|"
    r"interested|"
    r"up for|want)[\w ]*|that (?:would|might|could) (?:be )?(?:helpful|useful|okay|work)[\w ]*)|"
    # Checking a reflection: "Is that right?", "Did I get that right?", "Is that what you're saying?"
    r"is (?:that|this|it) (?:kind of |sort of )?(?:right|correct|accurate|true|what you(?:'re| are) saying|"
    r"what you mean(?:t)?|what it feels like|"
    r"how you "
    r"(?:see|feel) it)|(?:did|have) i (?:get|got|understood) (?:that|it|this|you) (?:right|correctly)|"
    r"am i (?:right|close|getting (?:that|it) right)|do i have (?:that|it) right|"
    r"does (?:that|this) (?:capture|sound right|fit|sum)[\w ,]*|(?:have|did) i (?:missed|miss) anything)\W*$"
)
_NEGOTIATE = re.compile(
    r"\b(?:goals?|plan|next step|first step|would you like to|what would you like to|where (?:do|would) you "
    r"(?:like|want) to|(?:shall|should|could|can) we|let's|agenda|focus on|work on|come back|next time|"
    r"next (?:week|session|appointment)|follow[- ]up)\b"
)
# Closed questions that still open with a wh-word ("how confident are you, on that scale?", "when did…?").
_WH_CLOSED = frozenset({"scale_question", "wh_fact_question"})
_OPTIONS = re.compile(r"\b(?:options?|choices?|possibilit(?:y|ies)|alternatives?|one thing (?:is|would be))\b")


class AnnoMILabels(NamedTuple):
    """AnnoMI-style labels for one therapist utterance (None where a subtype does not apply)."""

    behaviour: AnnoMIBehaviour
    question_subtype: Literal["open", "closed"] | None
    reflection_subtype: Literal["simple", "complex"] | None
    input_subtype: str | None


def _sentence_function(s) -> str:
    if s.question:
        # "Don't you know what happens when…?": advice or a warning in question form is input.
        return "therapist_input" if _PUSH.intersection(s.codes) else "question"
    if s.reflection:
        return "reflection"
    if any(c in _INPUT for c in s.codes):
        return "therapist_input"
    if B.SEEK_COLLABORATION in s.codes:
        return "therapist_input"  # a statement proposing what to do together: negotiation
    return "other"


# How much a question weighs against statements in the same turn: its words count this many times over, plus a
# fixed amount when the turn ends on it (the question is what the client is left to answer).
QUESTION_WEIGHT = 1.5
FINAL_QUESTION_BONUS = 6.0


def _weight(s) -> float:
    """A sentence's vote: its length in words."""
    return float(max(1, s.text.count(" ") + 1))


def annomi_labels(analysis: Analysis) -> AnnoMILabels:
    """Map a coded utterance onto AnnoMI's main behaviour and subtypes.

    Each sentence votes for its function with its length in words (see the module docstring); the function
    with most votes is the main behaviour.
    """
    codes = set(analysis.coding.behaviours)
    functions = [(_sentence_function(s), s) for s in analysis.sentences]
    votes: dict[str, float] = {}
    last = len(functions) - 1
    substantive = [f for f, _ in functions if f != "other"]
    for i, (function, s) in enumerate(functions):
        if function == "other":
            continue
        w = _weight(s)
        if function == "question":
            if _CHECK_Q.match(s.head) and any(f != "question" for f in substantive):
                continue  # a check-in after the substance
            w = w * QUESTION_WEIGHT + (FINAL_QUESTION_BONUS if i == last else 0.0)
        votes[function] = votes.get(function, 0.0) + w
    if votes:
        main: AnnoMIBehaviour = max(votes, key=votes.__getitem__)  # type: ignore[assignment]
        final = functions[last][1] if functions else None
        if (
            main == "reflection"
            and final is not None
            and final.question
            and (final.qtype is B.OPEN_QUESTION or final.qrule in _WH_CLOSED)
            and not _CHECK_Q.match(final.head)
        ):
            # A reflection that leads into an open or wh-question: the question is what is answered.
            main = "question"
    elif any(f == "question" for f, _ in functions):
        main = "question"  # only checking questions: a bare question is still a question
    else:
        main = "other"
        cont = analysis.continues
        if cont is not None and analysis.sentences and not analysis.sentences[-1].text.rstrip().endswith("?"):
            main = annomi_labels(cont).behaviour
    return _labels(main, analysis, codes)


def _labels(main: AnnoMIBehaviour, analysis: Analysis, codes: set[Behaviour]) -> AnnoMILabels:
    q_sub = "open" if B.OPEN_QUESTION in codes else "closed" if B.CLOSED_QUESTION in codes else None
    r_sub = (
        "complex" if B.COMPLEX_REFLECTION in codes else "simple" if B.SIMPLE_REFLECTION in codes else None
    )
    i_sub = _input_subtype(analysis, codes)
    if main == "therapist_input" and i_sub is None:
        i_sub = "information"
    return AnnoMILabels(main, q_sub, r_sub, i_sub)  # type: ignore[arg-type]


def _input_subtype(analysis: Analysis, codes: set[Behaviour]) -> str | None:
    text = " ".join(s.text for s in analysis.sentences)
    if codes & {B.PERSUADE, B.ADVISE_WITH_PERMISSION, B.CONFRONT}:
        if _OPTIONS.search(text):
            return "options"
        return "advice"
    if B.GIVE_INFORMATION in codes:
        return "information"
    if B.SEEK_COLLABORATION in codes and _NEGOTIATE.search(text):
        return "negotiation"
    return None


__all__ = ["ANNOMI_BEHAVIOURS", "INPUT_SUBTYPES", "AnnoMIBehaviour", "AnnoMILabels", "annomi_labels"]
