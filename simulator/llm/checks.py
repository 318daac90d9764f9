"""Checks on every LLM reply before it is shown.

- ``role_reversal``: the patient talks as the clinician or as an AI assistant.
- ``prompt_leak``: the reply recites the rules or talks about instructions and notes.
- ``locked_fact``: the reply says something from a fact the model was not given for this reply. Similarity is
  measured two ways: the share of the fact's *distinctive* words (those not already in anything the model was
  allowed to see or the trainee said) that the reply uses, and character-trigram cosine per sentence for
  near-verbatim wording.
- ``method_detail``: any method, means, amount or lethality detail about self-harm or suicide.
- ``claims_human``: the trainee asked directly whether the patient is a real person, and the reply says yes.
- ``jargon``: clinical terms the persona would not use (terms that appear in the scenario's own persona and
  fact text are the persona's words and allowed).
- ``length``: over the scenario's ``max_reply_chars``, or empty.

Everything heavy (word sets, trigram vectors of the facts) is prepared once per scenario; a check of one reply
takes well under a millisecond.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from simulator.engine import ReplyRequest
from simulator.scenario import Fact, Scenario

from .prompt import HONEST_ANSWER, NOTE_SCAFFOLD, allowed_fact_ids, first_name, system_prompt

CHECKS = ("role_reversal", "prompt_leak", "locked_fact", "method_detail", "claims_human", "jargon", "length")
# Pattern checks whose matches stay matches as the reply grows: on a longer draft they read the new text only.
WINDOWED = frozenset({"role_reversal", "prompt_leak", "method_detail", "jargon"})
WINDOW_OVERLAP = 80  # characters of already-checked text read again, for matches across the seam

_STOP = frozenset(
    """
    a about above after again against all am an and any are aren't as at be because been before being
    below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down
    during each few for from further had hadn't has hasn't have haven't having he he'd he'll he's her here
    here's hers herself him himself his how how's i i'd i'll i'm i've if in into is isn't it it's its
    itself let's me more most my myself no nor not of off on once only or other ought our ours ourselves
    out over own same she she'd she'll she's should shouldn't so some such than that that's the their
    theirs them themselves then there there's these they they'd they'll they're they've this those through
    to too under until up very was wasn't we we'd we'll we're we've were weren't what what's when when's
    where where's which while who who's whom why why's with won't would wouldn't you you'd you'll you're
    you've your yours yourself yourselves yes yeah no okay ok oh um uh mm well just really actually maybe
    bit lot lots thing things stuff kind sort feel feels felt feeling think thought know knew known say
    said saying tell told get gets got getting go goes going gone went come came make made want wanted
    like much many little way time times day days good bad sorry right sure still even also ever never
    always something anything nothing everything someone anyone people one two back now today though quite
    pretty honestly suppose guess mean means kind
    """.split()
)
_WORD = re.compile(r"[a-z][a-z']*")


@lru_cache(maxsize=16384)
def _stem(word: str) -> str:
    """A light stem so 'sleeping', 'sleeps' and 'slept'-free forms meet ('walks'/'walking' -> 'walk')."""
    word = word.removesuffix("'s").strip("'")
    for suffix in ("ingly", "edly", "ings", "ing", "ies", "ied", "ed", "es", "ly", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            if suffix in ("ies", "ied"):
                word += "y"
            break
    return word


@lru_cache(maxsize=4096)
def content_stems(text: str) -> frozenset[str]:
    """Stems of the content words of a text (stop words and short words dropped); cached, turns recur."""
    return frozenset(_stem(w) for w in _WORD.findall(text.lower()) if len(w) > 2 and w not in _STOP)


@lru_cache(maxsize=4096)
def _trigrams(text: str) -> Counter[str]:
    flat = " " + " ".join(_WORD.findall(text.lower())) + " "
    return Counter(flat[i : i + 3] for i in range(len(flat) - 2))


def _cosine(a: Counter[str], b: Counter[str]) -> float:
    if not a or not b:
        return 0.0
    small, large = (a, b) if len(a) < len(b) else (b, a)
    dot = sum(n * large.get(g, 0) for g, n in small.items())
    return dot / (math.sqrt(sum(n * n for n in a.values())) * math.sqrt(sum(n * n for n in b.values())))


_SENTENCE = re.compile(r"[^.!?…\n]+[.!?…]*")


def sentences(text: str) -> list[str]:
    """The sentences of a reply (rough, enough for similarity)."""
    return [s.strip() for s in _SENTENCE.findall(text) if len(s.strip()) > 2]


# ------------------------------------------------------------------------------------------ vocabularies

JARGON = (
    "anhedonia",
    "psychomotor",
    "ideation",
    "suicidal ideation",
    "passive ideation",
    "comorbid",
    "comorbidity",
    "dysthymia",
    "euthymic",
    "dysphoric",
    "dysphoria",
    "affect",
    "flat affect",
    "rumination",
    "ruminating",
    "cognitive distortion",
    "catastrophising",
    "catastrophizing",
    "hypervigilance",
    "dissociation",
    "dissociative",
    "depressive episode",
    "major depressive",
    "mdd",
    "gad",
    "generalised anxiety disorder",
    "generalized anxiety disorder",
    "adjustment disorder",
    "psychoeducation",
    "motivational interviewing",
    "c-ssrs",
    "phq-9",
    "gad-7",
    "protective factor",
    "protective factors",
    "risk factor",
    "risk factors",
    "risk assessment",
    "safety plan",
    "safety planning",
    "means restriction",
    "therapeutic alliance",
    "intervention",
    "symptomatology",
    "aetiology",
    "etiology",
    "titrate",
    "titration",
    "contraindicated",
    "differential diagnosis",
    "presenting concern",
    "presenting complaint",
    "stage of change",
    "precontemplation",
    "contemplation stage",
    "ambivalence",
    "change talk",
    "sustain talk",
    "self-efficacy",
    "behavioural activation",
    "behavioral activation",
    "sleep hygiene",
    "early morning wakening",
    "initial insomnia",
    "terminal insomnia",
    "somatic",
    "somatisation",
    "somatization",
    "psychosocial",
    "maladaptive",
    "coping mechanism",
    "coping mechanisms",
    "alcohol use disorder",
    "substance use disorder",
    "hazardous drinking",
    "audit-c",
    "ssri",
    "snri",
    "benzodiazepine",
    "neurotransmitter",
    "serotonin",
)
_JARGON_RX = re.compile(
    r"\b(" + "|".join(re.escape(t) for t in sorted(JARGON, key=len, reverse=True)) + r")\b", re.IGNORECASE
)

METHOD_DETAIL = re.compile(
    r"\b(?:lethal|lethality|fatal dose|overdos\w*|how many (?:pills|tablets)|"
    r"enough (?:pills|tablets|to (?:die|kill))|"
    r"\d+\s*(?:mg|milligrams?|grams?|pills|tablets|paracetamol|co-?codamol)|"
    r"(?:pills|tablets) (?:i(?:'ve| have) )?(?:saved|stockpiled|hoarded|stored)|stockpil\w*|"
    r"noose|hang(?:ing)? myself|ligature|slit\w* (?:my )?wrists?|"
    r"cut(?:ting)? (?:my )?(?:wrists?|deep\w*)|jump(?:ing)? (?:off|from|in front)|"
    r"in front of a (?:train|bus|car)|"
    r"carbon monoxide|exhaust pipe|hosepipe|gun to my head|shoot myself|firearm|poison\w*|bleach|"
    r"(?:bridge|cliff|tracks|roof|multi-?storey) (?:near|by|at|where)|"
    r"the (?:bridge|cliff|tracks) (?:on|near|by))\b",
    re.IGNORECASE,
)
SELF_HARM_CONTEXT = re.compile(
    r"\b(?:kill|end|hurt|harm)\w* (?:myself|my life|it all)|\bsuicid", re.IGNORECASE
)
# Means words an authored line may contain (then the reply may echo that word, never add detail).
MEANS_WORDS = re.compile(
    r"\b(pills?|tablets?|medication|rope|knife|razor|bridge|train|car|gun|drown\w*)\b", re.IGNORECASE
)

ROLE_REVERSAL = (
    (
        re.compile(
            r"\bas an? (?:ai|a\.i\.|artificial intelligence|(?:large )?language model|assistant|chatbot)\b",
            re.IGNORECASE,
        ),
        "speaks as an AI assistant",
    ),
    (
        re.compile(
            r"\bI(?:'m| am) (?:an? )?(?:ai|a\.i\.|(?:large )?language model|(?:virtual |ai )?assistant|"
            r"chatbot|"
            r"chatgpt|claude|gemini|llama)\b",
            re.IGNORECASE,
        ),
        "calls itself an AI assistant",
    ),
    (
        re.compile(
            r"\b(?:I(?:'m| am)|as) (?:your|the) (?:doctor|therapist|counsell?or|clinician|psychiatrist|"
            r"psychologist|practitioner|gp)\b",
            re.IGNORECASE,
        ),
        "takes the clinician's role",
    ),
    (
        re.compile(r"\bhow (?:can|may|could) I (?:help|assist|support) you\b", re.IGNORECASE),
        "offers help like an assistant",
    ),
    (
        re.compile(r"\bis there anything (?:else )?I can (?:help|do for you)\b", re.IGNORECASE),
        "offers help like an assistant",
    ),
    (
        re.compile(r"\bI(?:'m| am) here (?:to|for) (?:help|support|listen)\b", re.IGNORECASE),
        "offers help like an assistant",
    ),
    (re.compile(r"\bwhat brings you (?:in|here|to)\b", re.IGNORECASE), "interviews the counsellor"),
    (re.compile(r"\bhow does (?:that|this) make you feel\b", re.IGNORECASE), "interviews the counsellor"),
    (
        re.compile(r"\btell me (?:more )?about (?:your|how you|what you)\b", re.IGNORECASE),
        "interviews the counsellor",
    ),
    (
        re.compile(r"\bI(?:'d| would) (?:recommend|suggest|advise|encourage) (?:that )?you\b", re.IGNORECASE),
        "gives the counsellor advice",
    ),
    (
        re.compile(
            r"\bhave you (?:considered|thought about) (?:talking|speaking|seeking|getting)\b", re.IGNORECASE
        ),
        "gives the counsellor advice",
    ),
    (
        re.compile(r"\bit sounds like you(?:'re| are| have| feel)\b", re.IGNORECASE),
        "reflects like a clinician",
    ),
    (
        re.compile(r"\bthank you for sharing\b|\byour feelings are valid\b", re.IGNORECASE),
        "talks like a clinician",
    ),
    (
        re.compile(r"\blet(?:'s| us) (?:explore|work on|talk about your|focus on your)\b", re.IGNORECASE),
        "leads the session like a clinician",
    ),
)
LEAK_PHRASES = re.compile(
    r"\b(?:system prompt|my (?:instructions|prompt|rules)|(?:the |my |these )?scene notes?|"
    r"the notes (?:say|allow)|role-?play(?:ing)?|I (?:was|am|have been) (?:told|instructed|programmed) to|"
    r"hidden facts?|locked facts?|"
    r"as instructed|my character)\b",
    re.IGNORECASE,
)
_ASKED_IF_REAL = re.compile(
    r"\b(?:are|r) (?:you|u) (?:an? )?(?:real|human|actual|person|bot|robot|ai|a\.i\.|computer|machine|"
    r"program|"
    r"chatbot|simulat\w*|actor|fake)\b|\b(?:am i|are we) (?:talking|speaking|chatting) (?:to|with) (?:an? )?"
    r"(?:real|human|person|bot|robot|ai|computer|machine|program)\b|\bis this (?:an? )?(?:real person|bot|ai|"
    r"simulation|computer)\b",
    re.IGNORECASE,
)
_CLAIMS_HUMAN = re.compile(
    r"\bI(?:'m| am) (?:a )?(?:real|human|an actual person|a real person|flesh and blood)\b|"
    r"\bI(?:'m| am) not (?:an? )?(?:ai|a\.i\.|bot|robot|computer|program|machine|simulation|chatbot)\b|"
    r"\b(?:yes|yeah|of course|course)\b[,.!]? (?:I(?:'m| am) (?:real|human|a (?:real )?person))|"
    r"\bof course I(?:'m| am) real\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check on one draft."""

    check: str
    passed: bool
    detail: str = ""


REASONS = {
    "role_reversal": "it spoke as the counsellor or as an assistant instead of as {first}",
    "prompt_leak": "it talked about instructions or notes instead of staying in the conversation",
    "locked_fact": (
        "it mentioned something {first} has not told the counsellor yet; say only what the notes allow"
    ),
    "method_detail": "it described methods or means of self-harm; never do that",
    "claims_human": "it claimed to be a real person; if asked, say plainly that " + HONEST_ANSWER,
    "jargon": "it used clinical words ({detail}) that {first} would not use",
    "length": "it was too long; keep it under {cap} characters",
}


# ------------------------------------------------------------------------------ per-scenario preparation


@dataclass(frozen=True)
class _FactUnit:
    fact_id: str
    stems: frozenset[str]
    grams: Counter[str]


@dataclass(frozen=True)
class _ScenarioIndex:
    units: dict[str, tuple[_FactUnit, ...]]
    persona_stems: frozenset[str]
    persona_text: str
    jargon_ok: frozenset[str]
    fact_texts: dict[str, str]
    fact_names: dict[str, frozenset[str]]
    scaffold: frozenset[tuple[str, ...]]


def _shingles(text: str, n: int = 5) -> set[tuple[str, ...]]:
    """Runs of ``n`` words, never across a '|' (where a persona value was taken out of the scaffold)."""
    out: set[tuple[str, ...]] = set()
    for part in text.lower().split("|"):
        words = _WORD.findall(part)
        out.update(tuple(words[i : i + n]) for i in range(len(words) - n + 1))
    return out


def _fact_text(fact: Fact) -> list[str]:
    return [*fact.lines, fact.summary]


_CALENDAR = frozenset(
    "january february march april may june july august september october november december monday tuesday "
    "wednesday thursday friday saturday sunday christmas easter".split()
)


def _proper_nouns(texts: list[str]) -> frozenset[str]:
    """Words a scenario capitalises in mid-sentence (its people, pets and places), months and days aside."""
    found = set()
    for text in texts:
        found.update(w.lower() for w in re.findall(r"(?<![.!?…]\s)(?<!^)(?<!\")\b([A-Z][a-z]{2,})", text))
    return frozenset(w for w in found - _STOP if w.removesuffix("s") not in _CALENDAR)


def _names_in(text: str, proper: frozenset[str]) -> frozenset[str]:
    """Stems of the scenario's proper nouns that a line uses, wherever they stand in it."""
    return frozenset(_stem(w.lower()) for w in re.findall(r"\b([A-Z][a-z]{2,})", text) if w.lower() in proper)


def _authored_lines(scenario: Scenario) -> list[str]:
    """Every line the scenario's author wrote for the patient outside the facts."""
    lines = [scenario.opening_line, *scenario.small_talk, *scenario.closing_lines]
    for name in type(scenario.reactions).model_fields:
        reaction = getattr(scenario.reactions, name)
        if reaction is not None:
            lines += reaction.lines
    for fact in scenario.facts:
        lines += fact.guarded_lines
    if scenario.risk:
        lines += [a.line for a in scenario.risk.screener.values() if a.line]
    lines += [e.line for e in scenario.endings]
    return lines


def _build_index(scenario: Scenario) -> _ScenarioIndex:
    p = scenario.persona
    persona_text = " ".join(
        [
            p.name,
            p.background,
            p.presenting_concern,
            p.speaking_style,
            scenario.setting,
            scenario.opening_line,
        ]
    )
    units = {
        f.id: tuple(_FactUnit(f.id, frozenset(content_stems(t)), _trigrams(t)) for t in _fact_text(f))
        for f in scenario.facts
    }
    own_words = " ".join(
        [persona_text, *(" ".join(_fact_text(f)) for f in scenario.facts), *_authored_lines(scenario)]
    )
    own_words = own_words.lower()
    jargon_ok = frozenset(m.group(1).lower() for m in _JARGON_RX.finditer(own_words))
    topics = [t.description for t in scenario.topics.values()]
    proper = _proper_nouns(
        [
            persona_text,
            *topics,
            *(line for f in scenario.facts for line in _fact_text(f)),
            *_authored_lines(scenario),
        ]
    )
    # The fixed wording of the prompt, with the persona's own words taken out: reciting it is a leak, talking
    # about one's background is not.
    scaffold = system_prompt(scenario).replace(HONEST_ANSWER, " | ")
    for value in (
        p.name,
        p.background,
        p.presenting_concern,
        p.speaking_style,
        scenario.setting,
        scenario.opening_line,
        p.pronouns,
    ):
        if value and value.strip():
            scaffold = scaffold.replace(value.strip(), " | ")
    scaffold += " " + NOTE_SCAFFOLD
    return _ScenarioIndex(
        units=units,
        persona_stems=frozenset(content_stems(persona_text)),
        persona_text=persona_text.lower(),
        jargon_ok=jargon_ok,
        fact_texts={f.id: " ".join(_fact_text(f)) for f in scenario.facts},
        fact_names={f.id: _names_in(" ".join(f.lines), proper) for f in scenario.facts},
        scaffold=frozenset(_shingles(scaffold)),
    )


_INDEXES: dict[int, tuple[Scenario, _ScenarioIndex]] = {}


def _scenario_index(scenario: Scenario) -> _ScenarioIndex:
    """The prepared index of a scenario object (kept while the object is in use; bounded)."""
    cached = _INDEXES.get(id(scenario))
    if cached is not None and cached[0] is scenario:
        return cached[1]
    if len(_INDEXES) >= 32:
        _INDEXES.pop(next(iter(_INDEXES)))
    index = _build_index(scenario)
    _INDEXES[id(scenario)] = (scenario, index)
    return index


# ------------------------------------------------------------------------------------------ the checker


class ReplyChecker:
    """Checks drafts of one reply; built once per reply request from the scenario and the current state."""

    LEAK_SHARE = 0.5  # share of a withheld line's distinctive words used by the reply
    LEAK_MIN_WORDS = 2
    LEAK_FACT_WORDS = 3  # distinctive words of one withheld fact (over all its lines) used by the reply
    LEAK_COSINE = 0.62  # character-trigram cosine of one sentence with one withheld line

    def __init__(self, request: ReplyRequest):
        scenario = request.scenario
        self.scenario = scenario
        self.first = first_name(scenario)
        self.cap = scenario.max_reply_chars
        self.index = _scenario_index(scenario)
        allowed_ids = set(allowed_fact_ids(request))
        pieces = [request.plan.text, request.trainee_text, *(t.text for t in request.history)]
        pieces += [self.index.fact_texts[f] for f in allowed_ids if f in self.index.fact_texts]
        allowed_text = " ".join(pieces)
        allowed_stems = set(self.index.persona_stems)
        for piece in pieces:
            allowed_stems |= content_stems(piece)
        self.withheld: list[tuple[str, frozenset[str], Counter[str]]] = []
        self.withheld_facts: list[tuple[str, frozenset[str], frozenset[str]]] = []
        for fact in scenario.facts:
            if fact.id in allowed_ids:
                continue
            every: set[str] = set()
            for unit in self.index.units[fact.id]:
                self.withheld.append((fact.id, unit.stems - allowed_stems, unit.grams))
                every |= unit.stems - allowed_stems
            names = frozenset(self.index.fact_names.get(fact.id, frozenset()) & every)
            self.withheld_facts.append((fact.id, frozenset(every), names))
        self._allowed_text = allowed_text
        self._allowed_lower: str | None = None
        self.asked_if_real = bool(_ASKED_IF_REAL.search(request.trainee_text))
        self._passed = ""

    @property
    def allowed_lower(self) -> str:
        """All the model was allowed to see or heard, lower-cased (built only when a check needs it)."""
        if self._allowed_lower is None:
            self._allowed_lower = (self._allowed_text + " " + self.index.persona_text).lower()
        return self._allowed_lower

    # -- the checks ------------------------------------------------------------------------------------

    def role_reversal(self, text: str) -> str:
        for rx, what in ROLE_REVERSAL:
            hit = rx.search(text)
            if hit:
                return f'{what}: "{hit.group(0)}"'
        return ""

    def prompt_leak(self, text: str) -> str:
        hit = LEAK_PHRASES.search(text)
        if hit:
            return f'talks about its instructions: "{hit.group(0)}"'
        shared = _shingles(text) & self.index.scaffold
        if len(shared) >= 2:
            return f"recites the rules of play ({len(shared)} phrases match)"
        return ""

    def locked_fact(self, text: str) -> str:
        if not self.withheld:
            return ""
        parts = sentences(text)
        stems = frozenset().union(*(content_stems(s) for s in parts)) if parts else frozenset()
        grams = [_trigrams(s) for s in parts]
        for fact_id, every, names in self.withheld_facts:
            used = every & stems
            # A name only a withheld fact uses (the model was never told it), or three of its own words.
            if len(used) >= self.LEAK_FACT_WORDS or used & names:
                return f"says what fact '{fact_id}' holds ({len(used)} of its distinctive words)"
        for fact_id, distinctive, unit_grams in self.withheld:
            used = distinctive & stems
            if len(used) >= self.LEAK_MIN_WORDS and len(used) / max(len(distinctive), 1) >= self.LEAK_SHARE:
                share = f"{len(used)} of its {len(distinctive)} distinctive words"
                return f"says what fact '{fact_id}' holds ({share})"
            if len(used) >= 1:
                best = max((_cosine(g, unit_grams) for g in grams), default=0.0)
                if best >= self.LEAK_COSINE:
                    return f"says what fact '{fact_id}' holds (wording {best:.0%} alike)"
        return ""

    def method_detail(self, text: str) -> str:
        for hit in METHOD_DETAIL.finditer(text):
            # An authored line the model was given may name it (a past overdose); the model may not add to it.
            if hit.group(0).lower() not in self.allowed_lower:
                return f'method or means detail: "{hit.group(0)}"'
        if not SELF_HARM_CONTEXT.search(text):
            return ""
        for means in MEANS_WORDS.finditer(text):
            word = means.group(1).lower()
            if not re.search(rf"\b{re.escape(word)}\b", self.allowed_lower):
                return f"names a means ('{word}') in a self-harm context"
        return ""

    def claims_human(self, text: str) -> str:
        if not self.asked_if_real:
            return ""
        if re.search(r"simulat|practice conversation|not a real", text, re.IGNORECASE):
            return ""
        hit = _CLAIMS_HUMAN.search(text)
        return f'claims to be a real person: "{hit.group(0)}"' if hit else ""

    def jargon(self, text: str) -> str:
        terms = sorted({m.group(1).lower() for m in _JARGON_RX.finditer(text)} - self.index.jargon_ok)
        return ", ".join(terms)

    def length(self, text: str) -> str:
        if not text.strip():
            return "the reply was empty"
        if len(text) > self.cap:
            return f"{len(text)} characters, over the cap of {self.cap}"
        return ""

    def run(self, text: str) -> list[CheckResult]:
        """Every check on a draft (or on the part of it received so far), in a fixed order.

        The engine calls this on a growing reply, sentence by sentence. When the text extends one that passed,
        the pattern checks read only the new part (with some overlap), so a long reply costs linear time.
        """
        text = text.replace("’", "'").replace("‘", "'")  # models often write curly apostrophes
        window = text
        if self._passed and text.startswith(self._passed):
            start = text.find(" ", max(0, len(self._passed) - WINDOW_OVERLAP))
            window = text[start:] if start >= 0 else text
        results = []
        for name in CHECKS:
            detail = getattr(self, name)(window if name in WINDOWED else text)
            results.append(CheckResult(name, not detail, detail))
        self._passed = text if all(r.passed for r in results) else ""
        return results

    def reason(self, failed: list[CheckResult]) -> str:
        """Why a draft was rejected, as an instruction for the regeneration (never the withheld fact)."""
        parts = [
            REASONS[r.check].format(first=self.first, cap=self.cap, detail=r.detail)
            for r in failed
            if r.check in REASONS
        ]
        return "; and ".join(parts) or "it did not fit the role"
