"""Better replies built from what the patient actually said, so the advice fits the conversation.

A rubric exemplar ("It sounds like the nights are the hardest part…") teaches the form of a reflection, but
offered to a patient who never mentioned nights it reads as canned. Here the reply is made from the patient's
own last words: the sentence that carries most (a feeling, a want, a loss; change talk where change talk was
missed) is said back in the second person ("I just lie there thinking" → "you just lie there thinking").

What it builds, by the miss it answers (the codes of :class:`simulator.feedback.Miss`):

- a missed chance to reflect (``question_run``, ``closed_after_disclosure``): a simple reflection;
- missed change talk (``change_talk_missed``): a reflection of the change talk and an open question that asks
  for more of it;
- sustain talk argued with (``sustain_argued``): a double-sided reflection when the patient spoke for change
  earlier, else a reflection with the choice left to them;
- an unasked risk cue (``risk_not_asked``): the direct question, quoting the patient's words for the cue only
  when they said them.

Every reply is coded before it is offered and dropped unless the coder finds what it is meant to show, so a
clumsy sentence never reaches the trainee as an example; the caller then falls back to the rubric exemplar.
Nothing here needs a model or the network.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache, lru_cache

from .codes import DIRECT_RISK_QUESTIONS, QUESTIONS, REFLECTIONS, Behaviour
from .patient import proper_nouns
from .records import Turn
from .scenario import Scenario

B = Behaviour
MIN_WORDS, MAX_WORDS = 4, 22

# Sentence ends (a full stop, not the last dot of an ellipsis); an ellipsis before a capital (other than "I")
# ends a sentence too.
_SPLIT = re.compile(r"(?:(?<=[!?])|(?<=[^.]\.))\s+(?=\S)|\s*(?:\.\.\.|…)\s*(?=(?!I\b)[A-Z])")
_STAGE = re.compile(r"\[[^\]]*\]")  # stage directions and speaker tags: "[Zara shrugs.]", "[Mum:]"
_QUOTED = re.compile(r"[\"\u201c\u201d]|(?:^|\s)'\w[^']*'")  # reported speech: said back, its "I" would turn
_PAUSE = re.compile(r"\s*(?:\.\.\.|…)\s*")  # an ellipsis inside a sentence is a pause: "It's been... grey"
_LEADING = re.compile(
    r"^(?:(?:yeah|yes|oh|well|um+|uh+|er+|hmm+|okay|ok|so|and|but|anyway|honestly|to be honest|if i'm honest|"
    r"i'll be honest|i'm not gonna lie|"
    r"i mean|you know|i guess|i suppose|i don't know|dunno|like|sometimes|because|'cause|(?:the )?thing is|"
    r"no offen[cs]e(?: but)?|tbh|then|plus|also|(?:like )?i (?:said|say)|as i say)\b[,.]?\s*)+",
    re.IGNORECASE,
)
_TRAILING = re.compile(
    r"(?:,\s*(?:i suppose|i guess|i think|to be honest|honestly|to be fair|tbh|i won't lie|not gonna lie|"
    r"if i'm honest|if i'm being honest|but who (?:isn't|doesn't|wouldn't|hasn't)|you know|really|"
    r"anyway|or something|isn't (?:that|it) \w+|right|though|(?:is|isn't|are|aren't|was|wasn't|do|don't|does|"
    r"doesn't|did|didn't|can|can't|could|couldn't|would|wouldn't|will|won't|have|haven't|has|hasn't|should|"
    r"shouldn't) (?:it|i|you|they|he|she|we|that|there))\s*)+$|\s*,?\s*(?:though|anyway|tbh|really)$",
    re.IGNORECASE,
)
# First person → second person. Longer forms first so "I'm" is not read as "I" + "'m".
_SWAPS: tuple[tuple[str, str], ...] = (
    (r"i'm", "you're"),
    (r"i am", "you are"),
    (r"i was", "you were"),
    (r"i wasn't", "you weren't"),
    (r"i've", "you've"),
    (r"i'd", "you'd"),
    (r"i'll", "you'll"),
    (r"am i", "are you"),
    (r"was i", "were you"),
    (r"im", "you're"),
    (r"ive", "you've"),
    (r"id", "you'd"),  # typed without apostrophes
    (r"i", "you"),
    (r"me", "you"),
    (r"my", "your"),
    (r"mine", "yours"),
    (r"myself", "yourself"),
    (r"we're", "you're"),
    (r"we've", "you've"),
    (r"we'd", "you'd"),
    (r"we'll", "you'll"),
    (r"we", "you"),
    (r"us", "you"),
    (r"our", "your"),
    (r"ours", "yours"),
    (r"ourselves", "yourselves"),
)
_SWAP = re.compile(r"\b(?:" + "|".join(p.replace(" ", r"\s+") for p, _ in _SWAPS) + r")\b", re.IGNORECASE)
_SWAP_TO = {p: r for p, r in _SWAPS}
# The patient as the subject ("I wake up…") makes a better reflection than only a possession ("my dog…").
_FIRST_PERSON = re.compile(r"\b(?:i|i'm|im|i've|ive|i'd|i'll|we|we're|we've)\b", re.IGNORECASE)
_POSSESSIVE = re.compile(r"\b(?:me|my|myself|our|us)\b", re.IGNORECASE)
# Words addressed to the clinician: said back they would turn around ("you" → "I"), so such sentences are left.
_ADDRESSES_YOU = re.compile(r"\b(?:you|your|you're|yours|yourself|doctor|doc)\b", re.IGNORECASE)
# What makes a sentence worth saying back: a feeling, a want, a loss, a struggle.
_WEIGHTY = re.compile(
    r"\b(?:feel\w*|felt|want\w*|wish\w*|need\w*|hope\w*|can't|cannot|couldn't|won't|never|always|worr\w*|"
    r"scared|afraid|frighten\w*|tired|exhaust\w*|hard|struggl\w*|miss\w*|los[te]\w*|alone|lonely|hate\w*|"
    r"love\w*|enjoy\w*|ashamed|embarrass\w*|angry|upset|sad|flat|pointless|stress\w*|anxious|panic\w*|"
    r"stopped|used to|gave up|fail\w*|mess\w*|wrong|grey|heavy|stuck|better|worse)\b",
    re.IGNORECASE,
)
_DESIRE = re.compile(r"\b(?:want\w*|wish\w*|hope\w*|need\w*|(?:'d|would) (?:like|love)|have to|got to)\b")
# A clause that starts like this hangs off a sentence that is not there ("Although last week it…").
_DANGLING = re.compile(
    r"^(?:which|although|though|whereas|why|who|whom|whose|whether|unless|except|same as|as|let's|let us|"
    r"not really|not sure|not much|nothing much)\b|"
    # a question without its question mark: "Where do I start."
    r"^(?:where|what|how|who|why|when) (?:do|does|did|is|are|was|were|can|could|would|should|will)\b|"
    # a lone subordinate clause: "When I need to."
    r"^(?:when|if|before|after|until|since|so that)\b(?!.*,)(?:\W+\w+){0,5}\W*$",
    re.IGNORECASE,
)
# Words too common to show what a sentence is about.
_COMMON = frozenset(
    {"that", "this", "what", "with", "have", "been", "were", "they", "them", "their", "there", "then", "than",
     "just", "really", "about", "would", "could", "should", "into", "from", "your", "yours", "you're", "when",
     "where", "which", "while", "some", "much", "many", "more", "most", "very", "like", "know", "think"}
)
_CAPITALISED_MID = re.compile(r"(?<=[a-z,;:] )([A-Z][a-z]+)")
_QUOTE = "\u2018{}\u2019"  # single quotes: the reply itself is shown in double quotes


def sentences(text: str) -> list[str]:
    """The sentences of a patient's turn, with pauses ("It's been... grey") kept inside their sentence."""
    text = _STAGE.sub(" ", (text or "").replace("\u2019", "'")).strip()
    parts = _SPLIT.split(re.sub(r"\s{2,}", " ", text))
    return [_PAUSE.sub(" ", p).strip() for p in parts if p and p.strip()]


def _clean(sentence: str) -> str:
    """Drop fillers and hedges at either end ("Honestly, …", "…, I suppose") and the closing punctuation."""
    s = sentence.strip().rstrip(".!").strip()
    s = _LEADING.sub("", s)
    s = _TRAILING.sub("", s).strip(" ,;:-–—")
    return s


def _swap(match: re.Match[str]) -> str:
    return _SWAP_TO[re.sub(r"\s+", " ", match.group(0).lower())]


def second_person(clause: str, names: frozenset[str] = frozenset()) -> str:
    """``clause`` as said back to its speaker: I → you, my → your, I'm → you're; the first word lower-cased
    unless it is a name (``names``) or an abbreviation ("GP")."""
    swapped = _SWAP.sub(_swap, clause)
    first, _, rest = swapped.partition(" ")
    if first and first not in names and not (len(first) > 1 and first.isupper()):
        first = first[0].lower() + first[1:]
    return f"{first} {rest}".strip()


def _shorten(clause: str) -> str | None:
    """A clause of at most MAX_WORDS words, cut at a comma or a conjunction; None if it cannot be cut well."""
    words = clause.split()
    if len(words) <= MAX_WORDS:
        return clause
    for i in range(MAX_WORDS, MIN_WORDS + 3, -1):
        if words[i - 1].endswith((",", ";")):
            return " ".join(words[:i]).rstrip(",;")
        if words[i].lower() in {"and", "but", "so", "because", "which"}:
            return " ".join(words[:i])
    return None


def _stems(text: str) -> set[str]:
    return {w[:5] for w in re.findall(r"[a-z']+", text.lower()) if len(w) > 3 and w not in _COMMON}


def candidates(text: str, focus: str = "") -> list[str]:
    """Sentences of ``text`` that can be said back, cleaned and shortened, best first.

    A candidate is a statement (not a question), not addressed to the clinician, of a sensible length. Sentences
    in the first person and with a feeling or a want come first, and those on what the clinician was asking
    about (``focus``, their turn); among equals, the later one (people tend to end on what matters).
    """
    wanted = _stems(focus)
    scored: list[tuple[int, int, str]] = []
    for i, raw in enumerate(sentences(text)):
        if raw.rstrip().endswith("?"):
            continue
        clause = _clean(raw)
        if not clause or _ADDRESSES_YOU.search(clause) or _QUOTED.search(clause) or _DANGLING.match(clause):
            continue
        short = _shorten(clause)
        if short is None or len(short.split()) < MIN_WORDS:
            continue
        score = 3 if _FIRST_PERSON.search(short) else 1 if _POSSESSIVE.search(short) else 0
        score += 2 * bool(_WEIGHTY.search(short))
        score += 2 * bool(wanted & _stems(short))
        scored.append((score, i, short))
    scored.sort(key=lambda t: (-t[0], -t[1]))
    return [s for _, _, s in scored]


def names_in(texts: Sequence[str]) -> frozenset[str]:
    """Words written with a capital in mid-sentence in ``texts``: names, which keep their capital."""
    return frozenset().union(*(_names_of(t) for t in texts))


@lru_cache(maxsize=4096)
def _names_of(text: str) -> frozenset[str]:
    return frozenset(m.group(1) for m in _CAPITALISED_MID.finditer(text))


@cache
def _coder():
    from .coding import Coder

    return Coder()


def _codes(reply: str, prior: str):
    coding = _coder().code(reply, prior=prior)
    return set(coding.behaviours), set(coding.risk_flags)


def _reflects(reply: str, prior: str) -> bool:
    codes, _ = _codes(reply, prior)
    return bool(codes & REFLECTIONS) and not codes & {B.PERSUADE, B.CONFRONT}


def reflection(
    text: str, names: frozenset[str] = frozenset(), *, talk: str | None = None, focus: str = ""
) -> str | None:
    """A simple reflection of ``text`` (the patient's turn), or None when no sentence can be said back well.

    ``talk`` ("change" or "sustain") keeps to sentences of that kind of talk; ``focus`` (the clinician's turn
    it replaces) favours sentences on what they were asking about.
    """
    from .talk import client_talk_type

    for clause in candidates(text, focus):
        if talk is not None and client_talk_type(clause) != talk:
            continue
        reply = f"It sounds like {second_person(clause, names)}."
        if _reflects(reply, text):
            return reply
    return None


@lru_cache(maxsize=4096)
def _risk_phrase(text: str) -> str | None:
    from .feedback import RISK_WORDS

    found = RISK_WORDS.search(text)
    return found.group(0) if found else None


def _risk_words(turns: Sequence[Turn]) -> str | None:
    """The patient's own words for a risk cue, the latest first ("what's the point", "not wake up")."""
    for turn in reversed(turns):
        if turn.speaker == "patient":
            words = _risk_phrase(turn.text)
            if words:
                return words
    return None


@lru_cache(maxsize=1024)
def _asks_directly(reply: str) -> bool:
    _, flags = _codes(reply, "")
    return bool(flags & DIRECT_RISK_QUESTIONS)


def risk_question(turns: Sequence[Turn]) -> str | None:
    """The direct question about suicide, tied to the patient's own words for the cue when they said them."""
    words = _risk_words(turns)
    lead = f"When you say {_QUOTE.format(words)}, I" if words else "With everything you've told me, I"
    reply = f"{lead} want to ask you directly: are you having thoughts of suicide?"
    return reply if _asks_directly(reply) else None


def fitted(code: str, turns: Sequence[Turn], index: int, scenario: Scenario | None = None) -> str | None:
    """A better reply for the miss ``code`` on the trainee turn at list position ``index``, made from the
    patient's words before it; None when there is nothing fitting to build (use an exemplar instead).
    ``scenario`` gives the names to keep capitalised and the talk types its author gave the patient's lines."""
    before = list(turns[:index])
    patient = next((t for t in reversed(before) if t.speaker == "patient"), None)
    if code == "risk_not_asked":
        return risk_question(before)
    if patient is None:
        return None
    known = proper_nouns(scenario) if scenario is not None else frozenset()
    names = known | names_in([t.text for t in before if t.speaker == "patient"])
    if code in ("question_run", "closed_after_disclosure"):
        return reflection(patient.text, names, focus=turns[index].text)
    if code == "change_talk_missed":
        # The miss says the patient's words were change talk; a sentence the rules also read as change talk is
        # the best one to say back, else the best sentence of the turn.
        said = reflection(patient.text, names, talk="change") or reflection(patient.text, names)
        if said is None:
            return None
        # A want or a need invites its reasons; anything else (a reason, a worry, a past success), more of it.
        return f"{said} {'What makes that important to you?' if _DESIRE.search(said) else 'Tell me more about that.'}"
    if code == "sustain_argued":
        return _double_sided(before, patient, names, scenario)
    return None


def instead_of_a_question(
    turns: Sequence[Turn], known: frozenset[str] = frozenset(), tries: int = 6
) -> tuple[str, int] | None:
    """A reflection the trainee could have given instead of one of their questions, and that question's
    transcript index: of the patient's words just before it, preferring the fullest of them (a question after
    a long answer is where a reflection was most owed). None when no such answer can be said back."""
    owed: list[tuple[int, int, Turn]] = []
    for i, turn in enumerate(turns):
        coding = turn.coding
        if turn.speaker != "trainee" or coding is None or i == 0 or turns[i - 1].speaker != "patient":
            continue
        codes = set(coding.behaviours)
        if codes & QUESTIONS and not codes & REFLECTIONS and not coding.risk_flags:
            owed.append((len(turns[i - 1].text.split()), turn.index, turns[i - 1], turn.text))
    names = known | names_in([t.text for t in turns if t.speaker == "patient"])
    for _, index, patient, question in sorted(owed, key=lambda o: (-o[0], o[1]))[:tries]:
        reply = reflection(patient.text, names, focus=question)
        if reply:
            return reply, index
    return None


def after_a_cue(turns: Sequence[Turn], cue_index: int) -> tuple[str, int | None] | None:
    """The direct question the trainee owed after the patient's risk cue at transcript index ``cue_index``, and
    the trainee turn right after the cue (None if the session ended there)."""
    upto = [t for t in turns if t.index <= cue_index]
    reply = risk_question(upto)
    if reply is None:
        return None
    after = next((t.index for t in turns if t.index > cue_index and t.speaker == "trainee"), None)
    return reply, after


def _double_sided(
    before: list[Turn], patient: Turn, names: frozenset[str], scenario: Scenario | None = None
) -> str | None:
    """Both sides of the patient's ambivalence: their sustain talk now and their change talk earlier."""
    from .talk import authored_talk

    sustain = reflection(patient.text, names, talk="sustain") or reflection(patient.text, names)
    if sustain is None:
        return None
    earlier = [t for t in before if t.speaker == "patient" and t is not patient]
    for turn in reversed(earlier):
        authored = authored_talk(scenario, turn.text)
        if authored == "sustain":
            continue
        change = reflection(turn.text, names, talk=None if authored == "change" else "change")
        if change:
            one = sustain.removeprefix("It sounds like ").rstrip(".")
            other = change.removeprefix("It sounds like ").rstrip(".")
            reply = f"On the one hand {one}; on the other hand {other}."
            if _reflects(reply, patient.text):
                return reply
    return f"{sustain} And it's your choice what, if anything, you do about it."


__all__ = [
    "after_a_cue",
    "candidates",
    "fitted",
    "instead_of_a_question",
    "names_in",
    "reflection",
    "risk_question",
    "second_person",
    "sentences",
]
