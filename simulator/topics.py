"""Topics a trainee can raise, and a fast matcher that finds them in an utterance.

Built-in topics cover what most mental-health conversations touch; a scenario adds its own. Keywords are
whole words or phrases; a trailing ``*`` matches any ending ("drink*" → drinks, drinking).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

BUILTIN_TOPICS: dict[str, list[str]] = {
    "mood": ["mood*", "feel*", "down", "low", "sad*", "depress*", "empty", "numb", "spirits", "emotion*"],
    "sleep": ["sleep*", "slept", "insomnia", "awake", "tired*", "rest", "nights", "bed", "bedtime", "nightmare*"],
    "appetite": ["appetite", "eat*", "ate", "food", "meals", "weight", "hungry"],
    "energy": ["energy", "exhaust*", "fatigue*", "motivat*", "drained"],
    "work": ["work*", "job*", "boss", "office", "career", "unemploy*", "shift*", "colleague*", "laid off"],
    "family": ["family", "famil*", "home", "at home", "household", "parent*", "mum", "mom", "dad", "father", "mother", "sister*", "brother*",
               "children", "kids", "son", "daughter*"],
    "relationships": ["partner*", "husband", "wife", "girlfriend", "boyfriend", "relationship*", "marriage",
                      "divorce*", "separat*", "friend*", "lonel*", "alone", "isolat*"],
    "alcohol": ["alcohol*", "drink*", "drank", "drunk", "beer*", "wine", "spirits", "pub", "booze", "units"],
    "drugs": ["drug*", "cannabis", "weed", "cocaine", "substance*", "pills", "using"],
    "smoking": ["smok*", "cigarette*", "vape*", "vaping", "nicotine", "tobacco"],
    "medication": ["medication*", "medicine*", "meds", "tablet*", "prescri*", "antidepressant*", "dose*",
                   "side effect*"],
    "hopelessness": ["hopeless*", "hope", "future", "point", "worthless*", "burden*", "give up", "giving up",
                     "trapped", "no way out"],
    "self_harm": ["self-harm*", "self harm*", "hurt yourself", "hurting yourself", "cut yourself", "cutting",
                  "harm yourself", "harming yourself"],
    # What keeps someone going (reasons for living) is asked alongside who is there for them: both protect.
    "support": ["support*", "someone to talk", "talk to", "confide", "help", "who do you", "anyone",
                "keeps you going", "keep you going", "keeping you going", "reason to live", "reasons to live",
                "reasons for living"],
    "coping": ["cope", "coping", "manage", "managing", "get through", "getting through", "deal with",
               "dealing with", "handle"],
    "stress": ["stress*", "pressure*", "overwhelm*", "strain"],
    "anxiety": ["anxi*", "worr*", "panic*", "nervous*", "fear*", "scared", "afraid"],
    "finances": ["money", "financ*", "debt*", "bills", "afford*", "rent", "pay"],
    "health": ["health", "physical*", "pain", "doctor", "gp", "illness", "diagnos*"],
    "goals": ["goal*", "want to change", "hope to", "like to see", "different", "better", "change*"],
    "past_treatment": ["therap*", "counsel*", "treatment", "before", "in the past", "previous*", "tried"],
    "ai_use": ["ai", "a.i.", "chatbot*", "chat bot*", "chatgpt", "bot", "app", "apps", "assistant",
               "artificial intelligence", "online", "internet", "google*"],
    "confidentiality": ["confidential*", "private", "privacy", "who sees", "who will know", "records", "notes",
                        "share*", "tell anyone"],
    "interests": ["hobb*", "enjoy*", "fun", "interest*", "like doing", "pleasure"],
}

# Everyday phrases that contain a topic keyword without being about the topic: a keyword hit inside one of these
# does not count ("work it out" is not about a job, "cutting down" is not self-harm, "write down" is not mood).
NOT_THE_TOPIC: dict[str, list[str]] = {
    "work": [
        r"\bwork(?:s|ed|ing)?(?: \w+){0,2}? out\b",
        r"\b(?:it|this|that|which)(?: \w+)? works\b",
        r"\bwork(?:s|ed|ing)? (?:for|with) (?:you|me|us|them|him|her|everyone|people)\b",
        r"\bwork(?:ed|ing)? (?:on|through) (?:it|this|that|them|things|together)\b",
        # "work on a safety plan", "working through the steps": the task in hand, not a job.
        (
            r"\bwork(?:s|ed|ing)? (?:on|through) (?:a|the|your|our|some|this|that|these|those) (?:\w+ )?"
            r"(?:plan|plans|goal|goals|step|steps|idea|ideas|list|problem|problems|feeling|feelings|skill|skills|"
            r"habit|habits)\b"
        ),
    ],
    "self_harm": [r"\bcut(?:ting)? yourself off\b", r"\bcutting (?:down|back|out|it|them|that)\b"],
    "mood": [
        (
            r"\b(?:write|writing|wrote|written|jot|note|put|sit|sat|calm|slow|cut|cutting|settle|step|go|"
            r"going|come|coming|turn|turned|break|broke|narrow|bring|hold|wind|knock|knocked|shut|track|pin|"
            r"nail|settled|slowed|calmed)(?: it| them| that| this| things| things| everything)? down\b"
        ),
        r"\b(?:feed|feeding|fed)(?:s|ing)? (?:into|back)\b",
    ],
    "family": [
        (
            r"\b(?:sent|send|go|went|going|gone|get|got|getting|come|came|coming|drive|drove|walk|walked|take|"
            r"took|taken|back|head|headed|way) (?:you |him |her |them |me |us )?home\b"
        ),
    ],
    "hopelessness": [
        (
            r"\bgiv(?:e|ing|en) up (?:the )?(?:smoking|drinking|alcohol|cigarettes|booze|caffeine|sugar|meat|"
            r"vaping|gambling|cannabis|weed|the drink|drugs)\b"
        ),
    ],
}


def _pattern(keyword: str) -> str:
    word = keyword.strip().lower()
    if word.endswith("*"):
        return r"\b" + re.escape(word[:-1]) + r"\w*"
    return r"\b" + re.escape(word) + r"\b"


class TopicMatcher:
    """Finds which topics an utterance touches; one compiled regex per topic."""

    def __init__(self, topics: Mapping[str, Sequence[str]]):
        self._compiled = {
            name: re.compile("|".join(_pattern(k) for k in keywords), re.IGNORECASE)
            for name, keywords in topics.items()
            if keywords
        }
        self._not = {
            name: re.compile("|".join(NOT_THE_TOPIC[name]), re.IGNORECASE)
            for name in self._compiled
            if name in NOT_THE_TOPIC
        }

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self._compiled)

    def match(self, text: str) -> dict[str, str]:
        """Topic name -> the text that matched it (the cue)."""
        found: dict[str, str] = {}
        for name, rx in self._compiled.items():
            hit = rx.search(text)
            if hit and name in self._not:
                hit = self._first_outside(rx, self._not[name], text)
            if hit:
                found[name] = hit.group(0)
        return found

    @staticmethod
    def _first_outside(rx: re.Pattern[str], exceptions: re.Pattern[str], text: str) -> re.Match[str] | None:
        """The first keyword hit that is not inside an everyday phrase that only looks like the topic."""
        spans = [m.span() for m in exceptions.finditer(text)]
        for hit in rx.finditer(text):
            if not any(a <= hit.start() and hit.end() <= b for a, b in spans):
                return hit
        return None


def merged_topics(extra: Mapping[str, Sequence[str]] | None = None) -> dict[str, list[str]]:
    """Built-in topics with a scenario's own merged in (a scenario's keywords extend a built-in topic)."""
    merged = {name: list(words) for name, words in BUILTIN_TOPICS.items()}
    for name, words in (extra or {}).items():
        merged.setdefault(name, []).extend(words)
    return merged
