"""The offline utterance coder: MI behaviour codes, topics and suicide-risk moves for one trainee turn.

Deterministic, rule-based, no model and no network. Each rule is a named, precompiled regular expression;
every code in the result carries a :class:`~simulator.records.Cue` naming the rule that fired and the words
it fired on, so a trainee (and an educator overriding a score) can see *why* a turn was coded the way it was.

How a turn is coded
-------------------
1. Speech disfluencies are set aside (hesitations, stutters such as "the-the", transcriber notes) and the
   turn is split into sentences. Each sentence is a *question* (ends with ``?``, or opens like one:
   "what…", "do you…", "tell me…") or a *statement*. Without a question mark an auxiliary opens a
   question only when a subject follows it ("do you sleep ok", not "don't forget…"); a wh-word can open a
   statement ("what most people find is…", "which is why…", "when you're tired, …").
2. Questions are open (what/how/why/tell me/describe…, also a wh-question inside a longer sentence) or
   closed (yes/no openers, "or" choices, fact-seeking wh-questions, asking for a position on a rating
   scale, rising-intonation statements, tag questions). Stacked questions count once (MITI 4.2.1): open if
   any of them is open. A statement said with a rising tone that adds meaning ("part of you…", "on the one
   hand…", "it's important to you?") is a complex reflection, not a question.
3. Content rules run on every sentence: confront, persuade (advice without permission, including advice in
   the speaker's own voice such as "I'd switch…", "we need to…", and warnings asked as questions such as
   "don't you know what happens…?"), advice with permission, emphasise autonomy, seek collaboration, affirm,
   give information. Information is recognised by its markers: evidence and norms ("research shows", "what we
   know", "the guideline is"), generic or third-person subjects ("most people who…"), effects ("can cause",
   "is linked to"), numbers with units, the speaker's stance or role ("I'm concerned about…", "as your
   nurse…", "as I said"), plans ("we'll book…") and practical instructions ("you can take it with food").
   A sentence that opens by giving back the client's view ("it sounds like…", "you feel…", "you said…")
   neither informs nor advises, whatever it contains.
4. A statement that none of those claims and that is about the client ("sounds like…", "you feel…",
   "so you're…", a verbless phrase finishing what the client said) is a reflection: complex when it adds
   meaning (a feeling or words the client did not use, double-sided, metaphor, "part of you", continuing the
   client's sentence), simple when it mostly repeats ``prior``. In a turn that informs or advises, a "you…"
   statement that shares no content word with what the client said states facts about them ("You've had two
   attacks this year.") and is part of the information. With conversation context and nothing the client
   said in it, only a clear reflection stem counts.
5. Risk moves (C-SSRS screener questions, Stanley-Brown safety-plan steps) count only when the trainee asks
   or proposes them: a reflection of what the patient said, or the patient's own words, is not a screening
   move. Euphemisms ("hurt yourself") are a self-harm topic, not a direct suicide question. A normalising
   statement leading into a risk question is part of asking it, not information.
6. A turn that opens with a dash or an ellipsis picks up the speaker's interrupted sentence: with ``context``
   the turn it continues is coded too (:attr:`Analysis.continues`), and a fragment of an informing turn goes
   on informing unless it has a cue of its own.

The primary behaviour is chosen by a fixed priority (MI-inconsistent moves first, because they matter most
for feedback; then reflections, the MI-adherent codes, information, and questions last). A turn that ends
with a question also carries the question code.

Speed: every rule has a *gate*, words of which at least one must occur in the turn before its regex runs at
all (one set intersection). Gates only skip work; they never change a result (the tests fuzz every pattern
and compare gated with ungated coding).

Bump :data:`CODER_VERSION` whenever a rule changes: scores record the coder version that produced them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from .codes import Behaviour, RiskFlag
from .records import Coding, Cue
from .topics import TopicMatcher, merged_topics

CODER_VERSION = "rules-1.6"
# How many earlier turns callers hand the coder as context (a risk conversation or a reflection spans several).
CONTEXT_TURNS = 6

__all__ = ["CODER_VERSION", "Analysis", "Coder"]

B = Behaviour
R = RiskFlag

# Order used to pick the primary behaviour and to order the rest.
_PRIORITY: tuple[Behaviour, ...] = (
    B.CONFRONT,
    B.PERSUADE,
    B.ADVISE_WITH_PERMISSION,
    B.COMPLEX_REFLECTION,
    B.SIMPLE_REFLECTION,
    B.AFFIRM,
    B.EMPHASIZE_AUTONOMY,
    B.SEEK_COLLABORATION,
    B.GIVE_INFORMATION,
    B.OPEN_QUESTION,
    B.CLOSED_QUESTION,
    B.OTHER,
)
_RANK = {b: i for i, b in enumerate(_PRIORITY)}
_RISK_ORDER = {f: i for i, f in enumerate(RiskFlag)}


class _Rule:
    """A named regex with a word gate: the regex runs only if one of the gate words is in the turn.

    Gate words are whole words (``\\w+`` runs of the lower-cased turn); a gate word ending in ``*`` is a
    prefix ("suicid*" lets "suicidal" through; checked as a substring of the text, a cheap superset). Every
    alternative of the pattern must contain at least one gate word; ``tests/test_coding.py`` fuzzes the
    patterns to check it.
    """

    __slots__ = ("gate", "name", "prefixes", "rx")

    def __init__(self, name: str, pattern: str, gate: str | None = None):
        self.name = name
        self.rx = re.compile(pattern)  # text is lower-cased first, so no IGNORECASE (faster)
        entries = gate.split() if gate else []
        self.gate = frozenset(w for w in entries if not w.endswith("*")) if gate else None
        self.prefixes = tuple(w[:-1] for w in entries if w.endswith("*"))

    def open_for(self, text: str, words: set[str] | None) -> bool:
        """False only when the pattern cannot match ``text`` (whose words are ``words``; None: no gating)."""
        if words is None or self.gate is None or not self.gate.isdisjoint(words):
            return True
        for prefix in self.prefixes:
            if prefix in text:
                return True
        return False

    def search(self, text: str, words: set[str] | None) -> re.Match[str] | None:
        if words is not None and self.gate is not None and not self.open_for(text, words):
            return None
        return self.rx.search(text)


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


# ------------------------------------------------------------------------------------------------------------
# Normalisation and segmentation
# ------------------------------------------------------------------------------------------------------------

_QUOTES = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2014": " - ", "\u2013": "-"}
)
# Sentence ends, but not after a title ("Dr. Ferris", "Mrs. Shah").
_SENT_SPLIT = _rx(r"(?<=[.!?])(?<!\bdr\.)(?<!\bmr\.)(?<!\bmrs\.)(?<!\bms\.)(?<!\bst\.)(?<!\bprof\.)\s+|\n+|(?<=\?)(?=[a-z])")
_TOKEN = _rx(r"\w+")
# Words that open a sentence without carrying its function ("So, what…", "Okay. Right, you…").
_FILLER = _rx(
    r"^(?:(?:so|and|okay|ok|alright|all right|right|well|u[hm]-huh|huh|um+|uh+|mm+(?:-hmm)?|mhm|h?mm+|hm|"
    r"yeah|yep|yes|"
    r"no|now|then|but|oh|great|good|sure|i see(?! (?:that |you|your|from|on|in|here))|gotcha|got it|wow|gosh|"
    r"sorry|hi|hello|hey|also|"
    r"anyway|i mean(?= (?:it|that|this) (?:sounds|seems)))\b[\s,.;:!-]*|"
    r"(?:you know|i mean|obviously|honestly|basically|actually|seriously|again|of "
    r"course|"
    r"by the way|first of all|secondly|lastly|finally|plus)[,.;:!-]+\s*)+"
)
# Polite prefaces before the real question: "Can I ask, what…", "I'm just wondering, how…".
_PREFACE = _rx(
    r"^(?:(?:can|could|may) i (?:just )?ask(?: you)?(?: something| a question)?|"
    r"let me ask(?: you)?(?: something)?|"
    r"i(?:'m| am)? (?:just )?(?:wonder(?:ing)?|curious)|just (?:curious|wondering)|out of curiosity|"
    r"i(?:'d| would) like to ask(?: you)?)[,:;-]+\s*|"
    # The same with no pause before the wh-word: "I guess what would you like…", "Can I ask you what…".
    r"^(?:i (?:guess|mean|suppose)|(?:can|could|may) i (?:just )?ask(?: you)?|let me ask(?: you)?)\s+"
    r"(?=(?:what|how|why|where|who|which)\b(?! (?:you|i|we|they|he|she)\b))"
)
_WORD = _rx(r"[a-z][a-z']*")
# Phrases with "you" that are social formulas, not statements about the client.
_SOCIAL_YOU = _rx(
    r"\b(?:thank you|thanks|see you|nice to (?:meet|see) you|good to (?:meet|see) you|you're welcome|"
    r"bless you|you know|if you (?:like|want|don't mind)|are you (?:okay|ok)|how are you|for you to come)\b"
)
# A sentence that is nothing but a social formula ("You're welcome.", "Here you go.").
_SOCIAL_ONLY = _rx(
    r"^(?:(?:you're|you are) (?:very |so |most )?welcome|here you (?:go|are)|there you (?:go|are)|"
    r"thank you(?: (?:so|very) much)?|see you(?: (?:then|soon|later|next \w+))?|bless you|you know|"
    r"(?:nice|good|great) (?:to (?:meet|see) you|seeing you)|how are you(?: doing)?|you too)\W*$"
)
_NOT_REFLECTION_START = (
    "thank",
    "thanks",
    "hi ",
    "hello",
    "nice to",
    "good to see",
    "welcome",
    "my name",
    "let me ",
    "let's ",
    "i'm going to",
    "i am going to",
    "see you",
    "bye",
    "take care",
    "we ",
    "we'",
    "i ",
    "i'",
    "please",
    "if ",
)

# ------------------------------------------------------------------------------------------------------------
# Questions
# ------------------------------------------------------------------------------------------------------------

_WH = r"(?:what|how|why|when|where|who|whom|whose|which|in what way|to what extent)"
_AUX = (
    r"(?:do|does|did|are|is|am|was|were|have|has|had|can|could|would|will|shall|should|may|might|must|"
    r"don't|doesn't|didn't|aren't|isn't|wasn't|weren't|haven't|hasn't|won't|wouldn't|can't|couldn't|"
    r"shouldn't)"
)
# Imperatives and stems that invite the story: open questions (MITI codes "Tell me more" as a question).
_OPEN_STEM = _rx(
    r"^(?:(?:can|could|would|will|why don't) you (?:please )?|please |i'd (?:like|love) (?:you )?to |i want to |"
    r"i'm (?:curious|interested) (?:to (?:hear|know) )?|let's |i'd be interested to (?:hear|know) )?"
    r"(?:tell me|say (?:a (?:little |bit )?)?more|describe|talk (?:to me )?(?:a (?:little |"
    r"bit )?more )?about|"
    r"walk me through|help me understand|explain|give me an example|fill me in|catch me up|bring me up to "
    r"speed|share (?:a (?:little |bit )?)?more|expand on|elaborate|paint (?:me )?a picture)\b"
)
_INVITE_CLAUSE = _rx(
    r"^(?:please |just )?(?:tell me|talk (?:to me )?about|walk me through|help me understand|fill me in|"
    r"say (?:a (?:little |bit )?)?more)\b"
)
_OPEN_CURIOUS = _rx(
    r"^(?:i(?:'m| am)? )?(?:just |really )?(?:wonder(?:ing)?|curious|interested)(?: about| in| as to)? "
    r"(?:what|how|"
    r"why|where|when|who)\b|^what i(?:'m| am) (?:really |most |also )?(?:interested in|curious about|"
    r"wondering"
    r"(?: about)?|wanting to (?:know|hear|understand)) is\b"
)
# A wh-question asked inside a longer sentence ("…is what's one thing you'd change?", "…and I'm wondering
# about what might make it hard?").
_EMBEDDED_WH = _rx(
    r"\b(?:is|about|wondering|curious|ask(?: you)?|know|understand|hear)[,:]? (?:what|how|why)(?:'s| is| "
    r"are| do| does| did|"
    r" would| might| could| can| has| have| was| were| it| you| that| this| your)\b"
)
# "About how many…?", "roughly how often…?": a hedge before the wh-word does not change the question.
_WH_HEDGE = r"(?:(?:just )?(?:about|roughly|approximately|around|exactly) (?=how (?:many|much|often|long|far|old)\b))?"
_WH_OPEN = _rx(r"^(?:and |but |so |then )?" + _WH_HEDGE + _WH + r"\b")
_WHAT_ELSE = _rx(
    r"\bwhat else\b|\bwhat about\b|\bhow about\b|\banything else\b|"
    r"\bany (?:other )?(?:thoughts|ideas|sense) (?:\w+ )?(?:on|about|of) (?:what|how|why|where|which)\b"
)
# "Is there anything about it that worries you?", "Have there been times when…?": a yes/no form that asks the
# client to recall or list, like "what else?": open.
_RECALL = _rx(
    r"^(?:has|have|is|are|was|were) there (?:been )?(?:anything\b(?! (?:that )?(?:i|we) (?:can|could)\b)|"
    r"(?:any (?:other )?)?(?:times?|moments?|occasions?)\b|"
    r"any (?:other )?(?:things?|ways?|parts?|concerns?|worries|reasons?)\b)"
)
# Asking leave to talk about something ("Would you mind if we talked about…?", "Can we take a minute to look
# at…?") wants a yes or no: closed, unlike inviting the client to talk ("Can you tell me about…?").
_LEAVE_TO_TALK = _rx(
    r"^(?:(?:can|could|may|shall|might) (?:we|i) (?:just )?(?:talk|look|go|discuss|chat|spend|take a (?:look|"
    r"minute|moment)|share|tell you|give you|show you)|(?:would|do) you mind if (?:we|i)|"
    r"(?:is it|would it be|will it be) (?:okay|ok|alright|all right|fine) (?:with you )?if (?:we|i))\b"
)
# A yes/no form wrapped round an invitation to talk ("Would you mind filling me in?"): open.
_INVITE = _rx(
    r"\b(?:tell(?:ing)? me (?:a (?:little |bit )?(?:more )?|more\b|about|what|how|why)|fill(?:ing)? me in|"
    r"walk(?:ing)? me through|describ(?:e|ing) (?:what|how|it|that|this|a)|say (?:a (?:little |bit )?)?more|"
    r"shar(?:e|ing) (?:a (?:little |bit )?(?:bit )?(?:more )?|more )?(?:about|with me (?:about|what|how))|"
    r"talk(?:ing)? (?:to me )?(?:a (?:little |bit )?(?:more )?)?about (?:what|how|that|this|it))\b"
)
# Wh-questions that ask for one fact (how often, when did, who is…): closed, as MISC and AnnoMI code them.
_WH_FACT = _rx(
    r"^(?:and |but |so |then |okay,? |ok,? )?" + _WH_HEDGE + r"(?:how (?:often|many|much|long|old|far|frequently)\b|"
    # "When do you think you'll…" and "when was a time…" ask for a judgement or a story, not a date.
    r"when (?!(?:do|are|would|will) you (?:think|thinking|see|imagine|picture|plan|want)\b|"
    r"(?:was|were|is) (?:a|the|there a) (?:time|moment|day)\b)(?:did|was|were|is|do|does|will|would|are)\b|"
    r"what (?:time|day|year|age|date)\b|"
    # "Where are the forms?" asks for a place; "where is it going to take you?" asks where things stand.
    r"where (?:(?:are|is|was|were)\b(?![^?]*\b(?:gonna|going|fit|fitting|fits|take|taking|lead|leading|leave|"
    r"leaves|leaving|stand|standing|headed|heading|with (?:that|this|it|all|things))\b)|do you live\b|"
    r"did you (?:go|live|grow)\b)|who (?:is|was|are|were)\b|"
    # Without a verb, "Who, your brothers?" and "What kind of dog?" ask only for the name of a thing.
    r"who\b(?:-who)*, (?:\w+ ){0,2}\w+\?$|(?:what|which) (?:kind|sort|type)s? of \w+\?$|"
    r"what(?:'s| is| was| were) (?:your|his|her|their|the) (?:\w+'s )?(?:name|names|age|address|dose|job)\b|"
    r"whose\b|what (?:part|brand|number|percentage) of\b|which one\b)"
)
# Asking where the client puts themselves on a ruler wants one number ("what number would you give it?"), and
# so does "how confident are you?" once the turn has set out a scale; without a scale it is open.
_SCALE = _rx(
    r"\b(?:scale|ruler)\b|\b(?:zero|one|0|1) (?:to|through) (?:ten|five|10|5|100)\b|"
    r"\b(?:zero|one|ten|0|1|10|100) (?:being|means|meaning) (?:not|no|very|extremely|totally|completely)\b"
)
# Once the turn has set out a scale, "how confident are you?" asks for a point on it (a number), not a story.
_SCALE_RATING = _rx(
    r"^how (?!come\b|about\b|(?:do|does|did|would|could|can|is|are|was|were|has|have|had|will|should|might|"
    r"may)\b)[a-z]+\b"
)
_SCALE_POSITION = _rx(
    r"\b(?:what|which) number\b|\bwhere (?:do|would|did|might) you (?:see|put|place|rate|fall|sit|be)\b|"
    r"\bhow (?:would|do) you rate\b"
)
# A wh-word opening a statement, not a question: "What I'm hearing is…", "When you drink, you…".
_WH_STATEMENT = _rx(
    r"^(?:what (?:i'm hearing|i hear|you're saying|you said|you're describing|you've described|i'm getting|"
    r"stands out|strikes me|you've told me|i understand|matters|i notice)|"
    r"when (?:you|your|i|we|they|he|she|it|things|people)\b[^,?]*,|"
    r"(?:what|how|why|when|where|who|which) (?:you|i|we|they|he|she|that|this|everything|all)\b(?!'s)|"
    r"how (?:hard|difficult|tough|frustrating|scary|awful|painful|exhausting|lonely|amazing|great)\b"
    r"(?! (?:is|was|has|does|did))|"
    # "What some people do is…", "what the limits are is…": a pseudo-cleft statement.
    r"what (?:happens|will happen|usually happens|tends to happen|goes on|will be)\b[\w' ,]*? (?:is|was) (?:that|when)\b|"
    r"what (?:some|most|many|a lot of|the|these|those|your|my|our|people|it\b(?!'s))(?: [\w']+){1,7} (?:is|"
    r"are|"
    r"was|were) |"
    # "Which is why…", "which means…": a relative clause continuing the previous sentence.
    r"which (?:is|was|means|meant|makes|made|would|will|can|could|might|may|has|have|build|builds|helps|"
    r"leads)\b)"
)
_YESNO = _rx(r"^" + _AUX + r"\b")
# Without a question mark, an auxiliary opens a question only when a subject follows it ("do you…",
# "is it…"), not in "Don't forget…" or "Have those feelings…".
_YESNO_SUBJECT = _rx(
    r"^" + _AUX + r" (?:not )?(?:you|i|we|they|he|she|it|there|that|this|anyone|anybody|someone|"
    r"somebody|your|"
    r"any|u|things|people)\b"
)
_SUBORDINATE = _rx(
    r"^(?:when|if|since|because|after|before|while|although|as|given that|now that) (?:you|i|we|they|he|"
    r"she|it|things|people|that|this|the)\b[^,?]*,\s*"
)
# Questions that look yes/no but invite a story: "Can you tell me more?", "Would you describe…".
_YESNO_OPENISH = _rx(
    r"^(?:can|could|would|will) you (?:please )?(?:tell me|describe|talk|walk me|help me understand|"
    r"explain|give me an example|expand|elaborate|think of (?:a time|some|any)|imagine|"
    # "Would you say you drink more than most?" and "Would you share that with your GP?" are yes/no questions;
    # "Could you say more?" and "Can you share what happened?" invite the story.
    r"say (?=(?:a (?:little |bit )?)?more|what|how|why|something about|a (?:little )?bit about)|"
    r"share (?=(?:a (?:little |bit )?(?:bit )?)?(?:more|about)|with me|what|how|why|some of (?:what|how)|"
    r"(?:your|a bit of your|some of your) (?:thoughts|story|experience|feelings|views?|ideas|worries|concerns)))"
)
_OR_CHOICE = _rx(r"\b\w+ or (?!something|anything|not\b|what|how|is it|are you|no\b)\w+")
_TAG = _rx(
    r",\s*(?:right|okay|ok|yeah|yes|correct|true|no|isn't it|aren't you|don't you|didn't you|is that right|"
    r"is that correct|am i right|won't you|wouldn't you|can't you|hasn't it|haven't you)\s*\?$"
)

# ------------------------------------------------------------------------------------------------------------
# Content rules. Patterns run on lower-cased text; the gate lists words one of which every alternative needs.
# ------------------------------------------------------------------------------------------------------------

_CONFRONT = [
    _Rule(
        "denial",
        r"\b(?:in denial|denying (?:it|the problem|that you)|kidding yourself|fooling yourself|"
        r"lying to (?:yourself|me))\b",
        "denial denying kidding fooling lying",
    ),
    _Rule(
        "judgement",
        r"\b(?:that's|that is|this is|it's|it is|you're|you are|you're being|you are being|sounds|seems|"
        r"that was|that's just|it's just|how)\s+(?:so |very |really |pretty |quite |just |being |a bit |"
        r"kind of )?"
        r"(?:irresponsible|ridiculous|stupid|selfish|silly|childish|immature|reckless|lazy|pathetic|crazy|"
        r"foolish|naive|dramatic|unreasonable|stubborn|defensive|careless|dangerous of you|wrong of you|"
        r"no excuse|an excuse|just an excuse|nonsense|not true|not the case|not how it works|"
        r"overreacting|exaggerating|making (?:it|this|things) (?:up|worse)|attention[- ]seeking)\b|"
        r"\bare you sure (?:you're|you are|that's|it's) (?:not )?(?:just )?(?:overreacting|exaggerating|"
        r"imagining|making (?:it|this) up)\b",
        "irresponsible ridiculous stupid selfish silly childish immature reckless lazy pathetic crazy "
        "foolish "
        "naive dramatic unreasonable stubborn defensive careless dangerous wrong excuse nonsense true case "
        "works overreacting exaggerating making attention imagining",
    ),
    _Rule(
        "blame",
        r"\b(?:(?<!not )(?<!n't )(?<!never )(?<!none of this was )(?<!none of this is )(?<!none of it was )"
        r"(?<!none of it is )your (?:own )?fault|you (?:only )?have yourself to blame|you brought (?:this|it) on|"
        r"you did this to yourself|you're (?:just )?making excuses|stop making excuses|excuses, excuses|"
        r"you should be ashamed|shame on you|you ought to be ashamed|you know better|"
        r"you (?:obviously|clearly) (?:don't|aren't|can't|haven't|won't) (?:care|want|trying|listen)|"
        r"you're not (?:even )?(?:trying|listening|taking (?:this|it) seriously)|"
        r"you (?:never|always) (?:do|listen|try|follow|make)|"
        r"you (?:have|'ve got) a (?:serious |real |drinking |drug )?problem|"
        r"you're (?:an alcoholic|a drunk|an addict|addicted)|you are (?:an alcoholic|an addict|addicted)|"
        r"you're killing yourself|you are killing yourself|(?:should|ought to) know better)\b",
        "fault blame brought yourself excuses ashamed shame better obviously clearly trying listening "
        "seriously never always problem alcoholic drunk addict addicted killing",
    ),
    _Rule(
        "dismissing",
        r"\b(?:you(?:'re| are) (?:just |being |only |really )*(?:paranoid|overthinking|overreacting|"
        r"imagining (?:it|things|this)|making a fuss|too sensitive|hysterical)|"
        r"(?:it's|it is|that's|that is|this is) (?:all |just |only )+in your (?:head|mind|imagination)|"
        r"(?:nobody|no one|no-one)(?:'s| is) (?:watching|following|judging|spying on|out to get|after) you|"
        r"there(?:'s| is) no way (?:your|that|the|they|he|she|it|anyone)\b|"
        r"(?:was|is|'s) (?:a |such a )(?:really |very |pretty |so )?(?:selfish|stupid|irresponsible|cruel|"
        r"thoughtless|reckless|careless|horrible|terrible) thing to (?:do|say)|"
        r"your [\w-]+ (?:is|are) (?:just |far |way |much )?too (?:bad|poor|weak|broken|limited)|"
        r"(?:is|are|'s|'re) killing you)\b",
        "paranoid overthinking overreacting imagining making sensitive hysterical head mind imagination "
        "watching following judging spying out after way selfish stupid irresponsible cruel thoughtless "
        "reckless careless horrible terrible too killing",
    ),
    _Rule(
        "arguing_yes_but",
        r"^(?:yes|yeah|sure|okay|ok|right),? but (?:you (?:know|have|need|must|should|can't|cannot|"
        r"don't|do|are|'re)|it's|it is|that's|that is|the (?:fact|truth|problem|point))\b",
        "but",
    ),
    _Rule(
        "arguing",
        r"\b(?:i don't believe (?:you|that)|come on\b|be honest with (?:yourself|me)|let's be honest|"
        r"how could you|why (?:on earth )?would you (?:ever |even )?(?:do|want|think|say|drink|use)|"
        r"what were you thinking|"
        r"you can't (?:really )?(?:expect|think|believe|be serious)|that's not (?:true|right|how)|"
        r"you're wrong|(?:that|it|this) (?:makes|made) no sense|"
        r"it's not (?:that|so) bad|others have it (?:much |far )?worse|could be (?:much |a lot )?worse|"
        r"(?:snap|get) (?:out of it|over it)|pull yourself together|grow up|man up|toughen up|"
        r"cheer up|just be (?:positive|happy)|look on the bright side)",
        "believe come honest could why thinking expect think serious true right how wrong bad worse out "
        "over sense "
        "pull grow man toughen cheer positive happy bright",
    ),
]

# Directive advice in statement form: "you should…", "you need to…".
_DIRECTIVE_YOU = _Rule(
    "advice_without_permission",
    r"\byou\b(?<!\bdo you)(?<!\bdid you)(?<!\bwhat you)(?<!\bfeel you)(?<!\bthink you)(?<!\bthat you)"
    r"(?<!\bsay you)(?<!\bif you)(?<!\bwhether you)(?<!\bwhen you) "
    r"(?:really |just |absolutely |definitely |seriously |honestly |simply |probably |clearly |do )?"
    r"(?:should(?:n't)?(?! be (?:proud|pleased|glad))|need to|needs to|have to|must(?!'ve| have|"
    r" be (?:feeling|so|really)| (?:like|love|hate|feel|think|want|know|miss|wonder|wish|be))|"
    r"ought to|'ve got to|have got to|gotta|had better|'d better|better (?:stop|start|cut|get|go|not)|"
    r"'ll (?:need|have) to|will (?:need|have) to)\b",
    "should shouldn need needs have must ought got gotta better ll will",
)
_DIRECTIVE_OTHER = _Rule(
    "advice_without_permission",
    r"\b(?:i (?:want|need) you to(?! (?:know|understand|hear|be aware))|"
    r"i'd like you to (?!tell|say|describe|share|think about what|know|understand|hear)|"
    r"i (?:really |strongly )?(?:think|believe|feel) (?:you|we) (?:should|need|must|ought|have to)|"
    r"if i were you|if i was you|the (?:best|only|right) thing (?:to do |for you )?(?:is|would be) to|"
    r"it's (?:really |very )?important (?:that you|for you to)|"
    r"you (?:can't|cannot|mustn't) (?:keep|go on|continue|carry on)|my advice (?:is|would be)|"
    r"i (?:strongly )?(?:suggest|recommend|advise) (?:that )?you|i(?:'d| would) (?:strongly )?(?:suggest|"
    r"recommend|"
    r"advise)|the answer is (?:to|simple)|we(?:'ll| will)? (?:really |just |also )?(?:need|have|ought) to|"
    r"we should|"
    r"we(?:'ve| have) got to|i(?:'d| would| probably would| really would)(?: probably| really| definitely| "
    r"strongly)? (?:avoid|switch|"
    r"stop|cut|start|use|encourage you|make sure)|i(?:'d| would) (?:love|like|hate) (?:to see you|for you "
    r"to) (?:quit|stop|cut|try|get|take|make|go|do|use|wreck|lose|give|start|keep)|"
    r"it(?:'s| is) (?:really |very |so |just )?important (?:to (?:keep|take|use|make|get|stop|have|do|"
    r"remember|avoid|cut|try|start)|that (?:you|we|she|he|they))|"
    r"i (?:really )?(?:think|believe|feel) (?:that )?(?:it|this|that)(?:'d| would|'ll| will) (?:be (?:a |"
    r"really |very )?(?:good|great|helpful|useful|best|wise|smart) (?:idea|thing|step|plan|for you|to|if)|"
    r"help (?:you|a lot))|all you (?:have|need) to do|if you (?:just|only) (?:stopped|tried|"
    r"did|went|cut)|"
    r"what you (?:really |just |probably )?(?:need|have|ought) to do is\b(?! (?:hard|difficult|tough|not|so|"
    r"really|a lot)\b))\b",
    "want need like think believe feel were was thing important can cannot mustn advice suggest recommend "
    "what "
    "advise answer all just only we avoid switch stop cut start use encourage make love hate",
)
# Imperatives at the start of a statement: "Try to…", "Just stop…", "Make sure you…".
_IMPERATIVE = _rx(
    r"^(?:just |please |you (?!keep\b))?(?:try(?: to)?|stop|quit|cut (?:down|back|out)|go (?:and|to|see|for|out)|"
    r"make sure|avoid|get (?:some|more|rid|help|out|a|an|yourself|back)|start|keep (?!(?:going|telling me))|"
    r"take (?:your|some|a|the)|call|ring|phone|text|talk to|see (?:a|your|the|someone)|exercise|"
    r"drink (?:less|water)|"
    r"eat|sleep (?:more|earlier)|don't (?:drink|use|smoke|go|let|give up|be|stay|isolate|skip|stop|bother|"
    r"waste|"
    r"trust|believe|listen to)|never|"
    r"remember to|think about (?:stopping|cutting|getting|going|talking|trying|seeing)|throw|lock|remove|"
    r"put (?:the|your|them|it)|write (?:down|it|them|a)|join|sign up|book|download|switch|swap|replace|"
    r"use (?:the|your|a|it|them|this|that))\b"
)
_PERSUADE_Q = _Rule(
    "advice_without_permission",
    r"\b(?:why (?:don't|wouldn't|won't|can't) you(?! (?:tell|say|describe|talk about|think|fill me in|walk me|catch "
    r"me up|share|explain|let me know|give me))|"
    r"why not (?:just |try|go|stop|cut|give)|(?<!what )(?<!which )have you tried(?! to (?:kill|end|take|hurt|harm)| (?:it|that|this|them|"
    r"anything|any|so far|before|already|yet)\b)(?![^?.]*\b(?:before|in the past|previously|already|so far)\b)|"
    r"have you (?:ever )?(?:thought about|considered|thought of) (?!(?:killing|ending|taking|hurting|harming|"
    r"dying|suicide|how|what|why|when|where|who|whether|if|that|it|this|the|your|my|a |any))\w+ing\b|"
    r"wouldn't it be (?:better|easier|good|wise|smart|best)|don't you think (?:you|it) (?:should|need|would|"
    r"'d|ought|"
    r"might be (?:better|time))|shouldn't you|isn't it time (?:you|to)|can't you just|couldn't you just|"
    r"would(?:n't)? it help (?:if you|to) (?:just )?(?:stop|cut|quit|try|go|get)|"
    r"what if you (?:just )?(?:stopped|tried|went|cut|quit|got|started|talked|called)|"
    r"(?:what|how) about (?:trying|going|talking|cutting|calling|getting|writing|joining|seeing|using|"
    r"keeping)|(?:maybe|perhaps) you (?:could|should|might) (?:try|start|go|call|talk|see|cut|stop|get)|"
    r"don't you (?:know|realize|realise|understand|see) (?:what|how|that|why|the)|"
    r"do you (?:not )?(?:understand|appreciate|realize|realise) (?:how|what|that|why|the))\b",
    "why tried thought considered wouldn think shouldn time just help if about maybe perhaps don do",
)
# Softer suggestion: advice unless the turn asks permission or frames it as an option.
_SOFT_ADVICE = _Rule(
    "suggestion_without_permission",
    r"\b(?<!wish )(?<!wished )(?<!if )(?<!whether )(?:you (?:could|might|may) (?:maybe |perhaps |also |"
    r"always |just )?(?:want to |wish to |like to |)"
    r"(?:try|start|go|call|talk|see|ask|use|cut|stop|write|join|take|consider|look (?:into|at)|think about "
    r"(?:trying|going|talking|cutting|getting|using)|keep|get|set|plan|practise|practice|download|book|"
    r"reach out|"
    r"speak|make|put|find|switch|swap|limit|avoid|reduce|allow yourself|replace|plan|schedule|set up|"
    r"arrange)|"
    r"(?:it|that) (?:often |usually |sometimes |really )?helps (?:to|if you|if they|people|some people)|"
    r"(?:helpful|useful) for (?:some )?(?:other )?(?:people|clients|patients|folks) to|"
    r"(?:it|that) (?:might|may|could|can|would) (?:be (?:helpful|useful|worth|a good idea|good) |help )"
    r"(?:to|if you|you to)|(?:it|that) (?:might|may|could) help(?: you)? (?:to )?(?:try|talk|write|cut|go|"
    r"call|keep)|"
    r"(?:some|many|other|a lot of) (?:people|folks|clients|patients) (?:find|have found|say|tell me) "
    r"(?:it |that )?(?:it )?(?:helps?|helpful|useful|works?) (?:to|if|when)|"
    r"(?:some|many|other|a lot of) (?:people|folks|clients|patients) (?:find|have found) (?:that )?\w+ing\b|"
    r"(?:one|another) (?:good |possible |other )?(?:option|idea|thing|approach|possibility|choice) (?:is|"
    r"would be|might be|could be|that "
    r"(?:helps|works|some people))|there are (?:a few|some|several|different) (?:options|things|ways|"
    r"approaches|choices|ideas) (?:you|that|to)|i (?:have|'ve got) (?:a few|some|an) (?:ideas?|suggestions?)|"
    r"(?:maybe|perhaps) (?:you could|try|consider|it would help)|something (?:you could|to) try|"
    r"(?:what|how) about (?:trying|going|talking|cutting|calling|getting|writing|joining|seeing|using|"
    r"keeping)|"
    r"a good (?:first )?step (?:would|might|could) be|it's (?:worth|a good idea) (?:trying|to|considering)|"
    r"(?:might|would) not be a bad idea)\b",
    "could might may help helpful useful worth idea good people folks clients patients option thing approach "
    "possibility choice options things ways approaches choices ideas suggestion suggestions maybe perhaps "
    "try about step bad helps",
)
# The trainee asks permission to share advice or information (MITI: Seek; it also turns advice into AWP).
_ASK_PERMISSION = _Rule(
    "seek_permission",
    r"\b(?:(?:would|will|is) it (?:be )?(?:ok|okay|alright|all right|fine) (?:with you )?(?:if i|if we|"
    r"for me to|to "
    r"(?:share|tell|give|offer|suggest|talk|mention|go over|look|add))|(?:may|can|could|might) i (?:share|"
    r"offer|tell|give|suggest|make a suggestion|add|mention|ask|run|check)|do you mind if (?:i|we)|"
    r"would you mind if (?:i|we)|"
    r"with your permission|would you (?:like|want) (?:me to|to hear|some (?:information|ideas|suggestions|"
    r"tips)|"
    r"(?:a |some )?(?:few )?(?:ideas|suggestions|options|information))|are you (?:interested in|open to) "
    r"(?:hearing|some|a few|what))\b",
    "ok okay alright right fine share offer tell give suggest add mention ask run check mind permission like "
    "want interested open suggestion",
)
# Advice offered as the client's to take or leave (autonomy-supportive framing).
_OFFER_FRAME = _Rule(
    "advice_with_permission",
    r"\b(?:if (?:that's|it's) (?:ok|okay|alright|all right)|if you're (?:interested|open to it|willing)|"
    r"if you (?:like|wish|'d like|would like|are interested)\b|if you want(?: to hear| me to|,|\.|$)|"
    r"if (?:it|that) (?:fits|feels right|makes sense) (?:for|to) you|see (?:what|how) (?:you think|it fits|"
    r"that fits)|take (?:it )?or leave (?:it)?|(?:may|might) or may not (?:fit|work|apply|suit)|"
    r"(?:might|may) not (?:fit|work|be right) for you|(?:take|use) what(?:ever)? (?:fits|works|is useful))",
    "ok okay alright right interested open willing like wish want fits feels makes see leave not works "
    "useful",
)
_OPTION_FRAME = _Rule(
    "advice_as_option",
    r"\b(?:some|other|many|a lot of) (?:people|folks|clients|patients)\b|\bor\b|\b(?:option|options|choices|"
    r"possibilit)",
    "some other many lot or option options choices possibilit*",
)
# Client asked for advice: advice in the reply counts as advice with permission (MITI 4.2.1).
_ADVICE_REQUEST = _rx(
    r"\b(?:what (?:should|can|could|do) i do|what would you (?:do|suggest|recommend)|what do you (?:suggest|"
    r"recommend|"
    r"think i should)|(?:any|got any|have any|do you have (?:any)?) ?(?:advice|ideas|suggestions|tips)|"
    r"can you (?:help me|suggest|recommend|tell me (?:what|how))|tell me what to do|how (?:do|can|could|"
    r"should) i "
    r"(?:stop|cut|quit|deal|cope|get|manage|handle|sleep|start)|i need (?:some )?(?:advice|help with)|"
    r"what (?:are|were) (?:my|the) options|is there anything (?:i can|that might|that could)|"
    # "What am I meant to do?", "I don't know what to do", and the same in Scots ("Whit am I meant tae dae?")
    r"(?:what|whit) (?:am|are|do|would|should|can) (?:i|ah|you|ye|we) (?:meant|supposed|gonnae|going) (?:to|tae) "
    r"(?:do|dae)|(?:what|whit) (?:should|can|could|do|would) (?:i|ah) (?:do|dae)|"
    r"(?:don't|dinnae|dunno|do not) (?:know )?(?:what|whit) (?:to|tae) (?:do|dae)|"
    r"(?:what|whit) (?:dae|do) (?:ye|you) (?:think|reckon) (?:i|ah) should)\b"
)
_AUTONOMY = _Rule(
    "autonomy_choice",
    r"\b(?:(?:it's|it is|that's|that is|this is)(?: really| entirely| completely| totally| ultimately| all)? "
    r"(?:your (?:own )?(?:choice|decision|call|life)|yours to (?:decide|make)|up to you)|"
    r"up to you|your (?:choice|decision|call)\b(?! to)|(?:only |ultimately )?you (?:can |get to |"
    r"will )?(?:decide|choose)|"
    r"(?:you're|you are) (?:the expert|the best judge|the one who (?:decides|knows|gets to)|in charge|"
    r"in control|free to)|you know (?:yourself|your (?:own )?(?:life|situation|body)) (?:best|better)|"
    r"whatever you (?:decide|choose)|"
    r"(?:no one|nobody) (?:can|could) (?:make|force) you|i (?:can't|won't|couldn't) (?:make|force) (?:you|"
    r"that decision)|"
    r"(?:in|on) your (?:own )?(?:terms|time)|at your (?:own )?pace|you have (?:the|a) (?:right|choice)|"
    r"when you're ready|if and when you|you get (?:to )?(?:choose|decide|a say)|"
    r"you don't (?:have|need) to (?:decide|do anything|make (?:any|a) (?:decision|change)|change|commit|"
    r"agree))\b",
    "choice decision call life yours up decide choose expert judge one charge control free best better "
    "whatever make force terms time pace right ready when say don",
)
_SEEK = [
    _ASK_PERMISSION,
    _Rule(
        "seek_views",
        r"\b(?:what (?:do|would) you (?:think|make of|reckon)|what are your thoughts|how does (?:that|"
        r"this) (?:sound|fit|seem)|(?:what|how) (?:would|do) you (?:like|want|prefer) (?:to|us|me)|"
        r"where would you like to|what would "
        r"(?:be )?(?:most )?(?:helpful|useful)(?: for you)?|how can i (?:best )?help|"
        r"what would you like (?:to|from)|"
        r"your (?:ideas|thoughts|views|take|opinion)|does (?:that|this) (?:sound|fit|make sense)|"
        r"what (?:would|do) you (?:suggest|want to (?:talk|focus|start))|which (?:one|of these) (?:appeals|"
        r"feels|would you|sounds|fits)|you know (?:more|best) about)\b",
        "think make reckon thoughts sound fit seem like want prefer helpful useful help ideas views take "
        "opinion sense suggest which more best",
    ),
    _Rule(
        "seek_together",
        r"\b(?:(?:we|us|let's)\b[\w' ]{0,30}\btogether|together,? (?:we|you and i)\b|(?:work|figure) (?:on|out|through) (?:this|it|that|something) (?:with you|together)|"
        r"we (?:could|can|might) (?:work|look|figure|think|explore|talk|come up|make|plan|try|go through|"
        r"find)|"
        r"let's (?:look|think|work|figure|explore|talk|see|come up|make|plan|go through|put|write|start)|"
        r"let us (?:look|think|work)|(?:shall|should|could|can|might) we (?:look|think|work|talk|start|"
        r"make|plan|"
        r"come up|figure|go through|explore|try)|i wonder if we (?:could|might)|how (?:could|can|might) we|"
        r"what (?:could|can|might) we|as a team|figure (?:it|this|that) out with you|"
        # "Would you be willing to work on a safety plan with me?": an invitation to do the task together.
        r"(?:would you (?:be willing|be open|like)|are you willing|do you want|could you|can you) to "
        r"(?:work|go|look|make|build|plan|write|draw|put|think|figure)\b[\w' ]{0,40}\bwith me)\b",
        "together we let team figure with",
    ),
]
_AFFIRM = [
    _Rule(
        "affirm_effort",
        r"\b(?:you(?:'ve| have| really| already)* (?:worked|tried|been working|been trying|put in|"
        r"put a lot|made|"
        r"managed|been able|kept|stuck|done|taken|achieved|come|stayed|shown|pushed)(?: so| really| very)? "
        r"(?:hard|a lot of effort|some real|real|a lot|a big|significant|some (?:big|important|real)|great|"
        r"progress|changes?|steps?|it through|to (?:cut|stop|reduce|keep|stay|get|make|come|hold)|"
        r"at it|with (?:it|this)|so far|a long way|the first step|(?:a|the) (?:step|effort|decision)|"
        r"the time|courage|strength|commitment|the initiative)|"
        r"you(?:'ve| have)? (?:really )?(?:kept going|hung in|persever|persist|held on|survived|got through|"
        r"gotten through|coped with|handled)|despite (?:everything|all (?:of )?(?:this|that)|that|"
        r"it all),? you|"
        r"you(?:'re| are) still (?:getting up|going (?:to|in)|here|trying|managing|showing up|standing|"
        r"working|fighting|looking after|caring for|holding))",
        "worked tried working trying put made managed able kept stuck done taken achieved come stayed shown "
        "pushed still hung persever* persist* held survived got gotten coped handled despite",
    ),
    _Rule(
        "affirm_courage",
        r"\b(?:(?:it|that|this|coming here|talking about (?:it|this)|telling me)(?: really)? (?:took|takes|"
        r"must (?:have taken|take)) (?:a lot of |real |great |some )?(?:courage|guts|strength|bravery|effort|"
        r"honesty|"
        r"determination)|(?:it|that|this) (?:really |must have |must've )?(?:took|takes|taken) (?:something|a lot|"
        r"some doing|guts) to\b|(?:that's|that is|it's|it is|that was) (?:really |very |so )?(?:brave|courageous)|"
        r"you(?:'re| are| were| have been|'ve been) (?:really |very |so )?(?:brave|courageous|resourceful|"
        r"resilient|"
        r"determined|committed|persistent|strong|honest|thoughtful|insightful|open(?! to))\b(?! (?:about|with) (?:your|"
        r"the) (?:drinking|problem)))",
        "courage guts strength bravery effort honesty determination brave courageous resourceful resilient "
        "took takes taken "
        "determined committed persistent strong honest thoughtful insightful open",
    ),
    _Rule(
        "affirm_strength",
        r"\b(?:(?:that|this|it) (?:really )?(?:shows|says a lot about|speaks to|"
        r"demonstrates) (?:how (?:much|committed|"
        r"determined|important|strong|hard)|your (?:strength|commitment|determination|courage|care|love|"
        r"honesty)|real|a lot of|great|(?:that )?you (?:really |truly )?(?:care|are committed|want|value))|"
        r"(?:your|real|a real) (?:strength|determination|commitment|courage|honesty|resilience|persistence|"
        r"dedication|resourcefulness|openness|insight|effort)s?\b(?! (?:is|are) (?:lacking|not))|"
        r"you (?:really|clearly|deeply|truly) care (?:a lot |deeply |so much )?about|"
        r"you should be (?:proud|pleased)|"
        r"(?:that's|that is|it's) (?:a|an) (?:big|huge|important|real|great|significant) (?:step|achievement|"
        r"accomplishment|change)|good for you for|well done (?:for|on)|i (?:really )?(?:appreciate|respect|"
        r"admire) "
        r"(?:your|you|how|that you|the way)|thank(?:s| you) (?:so much )?for (?:being (?:so )?(?:honest|"
        r"open)|sharing (?:that|this|something)|telling me|your (?:honesty|openness)|trusting me|opening up)|"
        r"you(?:'ve| have)? (?:already )?(?:shown|proven|demonstrated) (?:that )?you|"
        # Praise for what the client did in the session: "you did really well today", "you put it so well".
        r"you (?:did|do|are doing|'re doing|have done|'ve done) (?:really |so |very )?(?:well|great|"
        r"a (?:great|good|fantastic) job|amazing)|"
        r"you (?:said|put|explained) (?:it|that) (?:so |really |very )?(?:well|nicely|clearly)|"
        r"you(?:'re| are) (?:already )?taking (?:a |such a )?(?:huge |big |great |really "
        r"important |important |positive )?step\b(?! back| away)|(?:it's|it is|that's|that is) (?:really |so |very )?"
        r"(?:great|wonderful|fantastic|impressive|amazing|excellent) "
        r"(?:that you|how you|to (?:see|hear) (?:that )?you))",
        "shows says speaks demonstrates strength strengths determination determinations commitment "
        "commitments "
        "courage courages honesty honestys resilience resiliences persistence persistences dedication "
        "dedications resourcefulness resourcefulnesss openness opennesss insight insights effort efforts "
        "care proud pleased step "
        "achievement accomplishment change good done appreciate respect admire thank thanks shown proven "
        "demonstrated did do doing done said put explained taking great wonderful fantastic impressive "
        "amazing excellent",
    ),
]
_GENERIC_PRAISE = _rx(
    r"^(?:good job|great job|well done|awesome|amazing|brilliant|excellent|fantastic|perfect|nice|"
    r"good for you|"
    r"i'm (?:so |very |really )?proud of you|you're (?:a (?:good|great|lovely|wonderful|nice|kind) person|"
    r"amazing|awesome|great|wonderful|the best|doing great|"
    r"doing (?:so )?well)|that's (?:great|wonderful|fantastic|amazing|awesome|brilliant))\b"
)
_INFO = [
    _Rule(
        "info_explain",
        r"\b(?:(?:can|could|may|might) be (?:an? |the )?(?:\w+ )?(?:signs?|symptoms?|cause|side effects?|result|"
        r"risk|factor)|(?:often|usually|generally|normally|typically) (?:improves?|gets? better|goes? (?:away|"
        r"down|up)|settles?|passes|helps?|works?|happens?|starts?|means?)|"
        r"(?:is|are|was) (?:designed|meant|used|known|shown|proven) to|"
        r"we (?:can|could|will|'ll|would|'d|might) (?:keep an eye|monitor|investigate|check|refer|arrange|"
        r"send|prescribe|review|adjust|switch|increase|reduce|start you|see how|follow up)|"
        r"i(?:'d| would| will|'ll) be (?:seeing|checking|monitoring|referring|sending)|"
        r"my (?:job|role|work) (?:is|here)|what (?:i|we) (?:usually |normally |often )?do (?:here )?is|"
        r"the way (?:it|this) works|(?:a|the|your|that|this) (?:\w+ )?(?:reading|results?|score|levels?|test|scan|count|"
        r"pressure) (?:is|are|was|were|shows?|showed|came back)|(?:is|are) (?:associated|linked|connected) "
        r"(?:to|with)|(?:damag|harm)(?:es|ing|ed)? (?:your|the|his|her) \w+|can't be available|"
        r"(?:is|are) (?:open|available) (?:day and night|around the clock|24|all day|every day|any time)|"
        r"you(?:'ll| will|'re going to|'re gonna| are going to) (?:need|see|notice|get|find|have to|be (?:discharged|"
        r"referred|contacted|seen|called|sent|offered|given|taken off|removed|charged|fined))|"
        r"(?:it's|it is|they're|they are|this is|that's|that is) (?:completely |perfectly |totally |very |quite )?"
        r"safe\b|there(?:'s| is) nothing (?:to worry about|wrong with)|"
        r"(?:the |your |all the |all your )?(?:tests?|results?|bloods?|scans?|ecg|x-rays?|checks?) (?:were|was|are|is|"
        r"came back|have come back) (?:all |completely |totally )?(?:normal|clear|fine|negative)|"
        r"\bwhat (?:happens|will happen|usually happens|tends to happen|goes on|will be (?:[\w]+ ){0,3}?)"
        r"[\w' ,]*? (?:is|was) (?:that|when)\b|"
        # What a treatment is for, how likely something is, what a device shows.
        # (Not "so the idea is you'd cut down…", which gives back the client's own plan.)
        r"the (?:idea|point|purpose) of (?:it|this|that|the \w+) (?:is|would be)|"
        r"the (?:idea|point|purpose) (?:is|would be) (?:that )?(?:for you to|you(?:'d| would)? use|"
        r"(?:it|this|that)(?:'s| is| will|'ll)|to (?:use|take|help|stop|reduce|replace))|"
        r"(?:it's|that's|it is|that is) (?:\w+ )?(?:unlikely|rare|uncommon)\b(?! for you)|"
        r"you(?:'d| would) (?:be|make) (?:a|an) (?:\w+ )?(?:candidate|fit) for|"
        r"(?:it|this) shows you (?:your|the|how)|(?:it|this|the \w+) (?:measures|tests) (?:your|the|how))\b",
        "sign signs symptom symptoms cause side effect effects result risk factor often usually generally "
        "normally typically designed meant used known shown proven we seeing checking monitoring referring "
        "sending job role work what way reading results score level levels test scan count pressure "
        "associated linked connected damag* harm* available open need see notice get find have be safe "
        "nothing test tests result results blood bloods scan scans ecg x ray rays checks check what idea "
        "point purpose unlikely rare uncommon candidate fit shows measures",
    ),
    _Rule(
        "info_population",
        r"\b(?:(?:many|most|lots of|a lot of|some|other|plenty of) (?:people|folks|adults|patients|clients|"
        r"young people|women|men|parents|students|others)\b"
        r"(?! (?:around|close to|near) (?:you|your)\b| in your (?:life|family|circle|house|home)\b)|"
        r"(?:it's|it is|that's|that is|this is) (?:really |very |quite |pretty |incredibly )?(?:common|"
        r"normal|usual|"
        r"typical|understandable|not unusual|a common)|(?:is|are) (?:really |very |quite |pretty |incredibly |"
        r"extremely )?(?:common|treatable)\b|(?:one|1) in (?:every )?(?:two|three|four|five|six|"
        r"ten|\d+)\b|\d+ ?%|\d+ (?:percent|per cent)|you're (?:not|far from) (?:alone|the only)|research|"
        r"stud(?:y|ies)|evidence|"
        r"statistics?|guidelines?|(?:the )?(?:recommended|safe|low[- ]risk) (?:limits?|levels?|amounts?)|"
        r"units? "
        r"(?:a|per) (?:week|day)|(?:can|may|might|does|often|usually|tends? to) (?:cause|lead to|increase|"
        r"affect|worsen|interfere|reduce|improve|raise|lower|damage)|(?:is|are) (?:linked|associated|"
        r"related) (?:to|with)|"
        r"side[- ]effects?|withdrawal|(?:takes?|can take) (?:a few|several|about|around|up to|\d+) (?:days|"
        r"weeks|months))\b",
        "people folks adults patients clients women men parents students others common normal usual typical "
        "understandable treatable unusual one 1 % percent cent alone only research study studies evidence statistic "
        "statistics guideline guidelines limit limits level levels amount amounts units unit cause lead "
        "increase affect worsen "
        "interfere reduce improve raise lower damage linked associated related side withdrawal days weeks "
        "months",
    ),
    _Rule(
        "info_service",
        r"\b(?:(?:the|this|our) (?:\w+ )?(?:service|clinic|team|line|helpline|group|programme|program|session|"
        r"appointment|"
        r"centre|center|practice|referral|waiting list|form|questionnaire|screening|assessment|score|"
        r"results?) (?:is|are|will|can|runs|opens|lasts|takes|includes|offers|has|was|shows|means)|(?:is|"
        r"are) (?:open|available|"
        r"free|confidential|anonymous) (?:24|any|all|every|to|at|from|on|for)|(?:stays?|is|are|remains?|"
        r"kept) (?:strictly )?(?:confidential|private|between us|between you and me)|"
        r"confidential(?:ity)? (?:unless|except)|"
        r"(?:unless|except (?:if|when)) (?:you|i|there|someone) (?:tell|told|are|is|think|believe)|"
        r"i (?:would|will|may|might) (?:need|have) to (?:share|tell|let|inform|pass)|i'm (?:required|obliged|"
        r"a mandated)|by law|legally|(?:is|that's|that is|it's|it is|would be) (?:a |an )?(?:data |serious |"
        r"confidentiality |privacy )?(?:breach|violation|offence|offense|crime)\b|"
        r"i(?:'ll| will)? (?:need|have) to (?:speak|talk) to (?:our|my|the|a) |"
        r"there(?:'s| is) (?:a|an) (?:[\w-]+ ){0,3}(?:service|clinic|helpline|charity|programme|program|"
        r"centre|center)\b|i (?:can|could) (?:refer|book|arrange|sign you up|put you (?:in touch|on))|your (?:score|results?|records?|notes?) (?:is|are|show|will|stay)|"
        r"you can (?:always |also )?(?:call|ring|phone|text|contact|reach|go to|come back|get in touch|"
        r"drop in|book|refer yourself|self[- ]refer|apply|request|ask for)|we have (?:about |around )?(?:\d+|\w+) minutes|(?:my|"
        r"our) role (?:is|here)|i(?:'m| am) (?:a|an|the) (?:[\w-]+ ){0,3}(?:nurse|doctor|"
        r"counsel?lor|therapist|trainee|student|social worker|psychologist|pharmacist|practitioner|worker|"
        r"volunteer|support worker|manager|coordinator|co-ordinator|officer|adviser|advisor|dietitian|dietician|"
        r"dentist|hygienist|physician|psychiatrist|midwife|health visitor|paramedic|navigator|educator))\b|"
        r"(?:that's|that is|this is|it's) something (?:that )?(?:you|we) (?:can|could|'ll|will) (?:absolutely |"
        r"definitely |always |also )?(?:ask|work|talk|bring|discuss|get|look|call|sign up|apply)\b|"
        r"i understand (?:that )?you(?:'ve| have)? (?:came|come) in\b",
        "service clinic team line helpline group programme program session appointment centre center "
        "practice "
        "referral waiting form questionnaire screening assessment score result results open available free "
        "confidential anonymous private between confidentiality unless except share tell let inform pass "
        "required obliged mandated law legally records record notes note minutes role nurse doctor "
        "counsellor "
        "counselor therapist trainee student social psychologist pharmacist practitioner worker volunteer "
        "can breach violation offence offense crime speak talk there could manager coordinator co officer "
        "adviser advisor dietitian dietician dentist hygienist physician psychiatrist midwife visitor "
        "paramedic navigator educator something understand",
    ),
    _Rule(
        "info_clinical",
        r"\b(?:(?:we|doctors|experts|guidelines|the nhs|the guidance) (?:(?:usually|generally|often|don't|"
        r"do not|really|also) ){0,2}(?:recommend|advise|suggest|consider|define|call|know that|have found)|"
        r"what we call|(?:this|the|your) (?:medication|medicine|"
        r"tablets?|pills?|drug|treatment|therapy|inhaler|patch|gum|dose|prescription|test|scan|level|limit|"
        r"condition) (?:is|are|can|will|may|works|helps|has|contains|comes|usually|typically|tends)|"
        r"puts you (?:in|at)|(?:high|higher|low|lower|increased)[- ]risk|there (?:is|are) (?:some|a few|"
        r"several|many|"
        r"different|two|three) (?:\w+ )?(?:medications|treatments|options|approaches|services|groups|ways|"
        r"types|"
        r"kinds|risks|categories)|i (?:just )?(?:want|wanted|need|'d like|would like) to (?:let you know|"
        r"tell you about|explain|mention|give you some information)|just so you know|for your information|"
        r"(?:it|this|(?:this|the|that|our) (?:handout|leaflet|brochure|booklet|sheet|pamphlet|website|app|form)) "
        r"(?:also )?"
        r"(?:defines|explains|lists|covers|describes|gives you|tells you|has (?:some|a list|information|tips))|"
        r"the reason (?:why )?i(?:'m| am) "
        r"asking|(?:is|it's) recommended|i (?:have |also |just |did )?noticed? (?:that )?|"
        r"i(?:'ll| will) (?:be (?:by|back|in touch|around)|stop by|call|see you|send|ring|check (?:in|"
        r"back)|book|write|refer))\b",
        "we doctors experts guidelines nhs guidance call know found medication medicine tablet tablets "
        "pill pills drug "
        "treatment therapy inhaler patch gum dose prescription test scan level limit condition puts risk "
        "medications treatments options approaches services groups ways types kinds risks categories let "
        "tell explain mention information know reason recommended noticed notice ll will defines explains lists "
        "covers describes gives tells has",
    ),
]
# Information markers: weaker than the rules above, so they do not apply to a sentence that opens like a
# reflection ("It sounds like drinking can make the mornings worse" gives back what the client said).
_INFO_MARKERS = [
    _Rule(
        "info_effect",
        r"\b(?:can|could|may|might|will|tends? to|likely to|(?:is|are|'s|'re) (?:going to|gonna))(?: (?:also|"
        r"even|actually|really|certainly|"
        r"definitely|sometimes|often|eventually|potentially|possibly|still))? (?:cause[sd]?|interact|"
        r"affect|lead to|increase|raise|lower|reduce|prevent|damage|harm|trigger|worsen|improve|protect|"
        r"flare|react|take away|keep (?:you|her|him|them|people) from|make (?:people|quitting|it harder|"
        r"it easier|you (?:sick|ill|feel worse)))\b|\b(?:more|less|twice as|much more|far more) likely to\b|"
        r"\b(?:it|that|this|which) (?:certainly |really |definitely |probably |also )?would (?:certainly |"
        r"really |"
        r"definitely |probably |also )?(?:help|make (?:it|things|a difference))\b|"
        r"\b(?:short|long)[- ]term (?:risks?|effects?|consequences?|damage|problems?|health)\b|"
        r"\b(?:it|this|that|they|which|\w+ing|alcohol|nicotine|caffeine|sugar|stress) (?:also |really |"
        r"actually |"
        r"often |usually |directly |can )?(?:affects|causes|damages|increases|raises|lowers|reduces|harms|"
        r"worsens|"
        r"triggers|interacts|prevents|protects|stains|weakens)\b|"
        r"\b(?:is|are|'s|'re) (?:going to|gonna) be (?:related|linked|associated|connected|harder|worse)\b",
        "can could may might will tend tends likely going gonna would term affects causes damages increases "
        "raises lowers reduces harms worsens triggers interacts prevents protects stains weakens",
    ),
    _Rule(
        "info_generic_subject",
        r"^(?:when |if |because |once |whenever |there (?:are|is|'s) (?:always |often |usually )?)?"
        r"(?:(?:most|many|some|a lot of|lots of|other|all) )?"
        r"(?:people|someone|somebody|anyone|everyone|everybody|folks|guys|women|men|teens|teenagers|kids|"
        r"children|adults|smokers|drinkers|patients|clients|moms|mothers|dads|fathers|parents|users) "
        r"(?:who|that|with|can|could|will|would|tend|often|usually|generally|may|might|are|is|get|gets|"
        r"find|do|does|don't|doesn't|has|have|need|should|binge|binges|drink|drinks|smoke|smokes|use|uses|"
        r"start|stop|quit|who've|who're)\b",
        "people someone somebody anyone everyone everybody folks guys women men teens teenagers kids "
        "children adults smokers drinkers patients clients moms mothers dads fathers parents users",
    ),
    _Rule(
        "info_known",
        r"\b(?:we (?:now |also |do )?know (?:that|if|when|from|how)|what we know|(?:research|studies|"
        r"evidence|the guidelines?|the data|science) (?:shows?|says?|suggests?|tells? us|recommends?|"
        r"has shown)|(?:is|are|'s|'re|were|was) (?:also |often |usually |sometimes |strongly )?"
        r"(?:associated|linked|connected|correlated) (?:to|with)|(?:it's|it is|they're|they are|this is|"
        r"that's|these are|those are) (?:also )?(?:called|known as)|(?:is|are) called|"
        r"(?:a|one|the) (?:type|kind|form|class|group|family) of (?:medication|medicine|drug|treatment|"
        r"therapy|condition|illness|disease)|(?:the )?(?:most )?common (?:ones|side effects?|symptoms?|"
        r"signs?|causes?|risks?|problems?|reasons?) (?:are|is|include)|"
        r"there (?:is|are|'s) (?:a lot of |lots of |some |many |several |a number of |different |a few |"
        r"other )?(?:\w+ ){0,2}(?:available|out there|on the market)|"
        r"(?:the )?(?:recommendation|guidance|guideline|limit|rule|law|drinking age|legal age) (?:is|are|for|says)|"
        r"there (?:are|is) (?:some|a few|several|many|other|different) (?:\w+ )?(?:ones|kinds|types|ways|"
        r"options) (?:like|such as|of|that|you)|(?:is|are) (?:one of )?our (?:\w+ )?(?:counsel?lors?|"
        r"doctors?|"
        r"nurses?|team|staff|services?|clinics?|specialists?|experts?|groups?)|"
        r"(?:that|which|this) means (?:things like|that you(?:'ll| will| need| should)|you(?:'ll| will| "
        r"need| "
        r"should)|taking|going|doing|getting|using)|"
        r"(?:is|are) (?:a|an) (?:\w+ )?(?:stimulant|depressant|suppressant|carcinogen|toxin|sedative|"
        r"irritant)|we (?:often |usually |commonly |generally |typically |sometimes |do )?see "
        r"(?:very little|little|a lot|lots|plenty|many|more|less|fewer) |"
        r"something (?:else )?(?:that )?you (?:might|may) (?:not )?(?:know|have heard|be aware))\b",
        "know known research studies evidence guideline guidelines data science associated linked connected "
        "correlated called type kind form class group family common available there recommendation guidance limit "
        "rule law age ones kinds types ways options our means stimulant depressant suppressant carcinogen "
        "toxin sedative irritant see something",
    ),
    _Rule(
        "info_numbers",
        r"\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|thirty)"
        r"(?: (?:or|to) \w+)? (?:standard )?(?:drinks?|units?|cigarettes|mg|milligrams?|tablets?|pills?|"
        r"doses?|percent|per cent|servings?|glasses|pints|weeks?|months?|times) (?:a|per|each|every|in a|"
        r"of|for|during|before|after) \w+",
        "drink drinks unit units cigarettes mg milligram milligrams tablet tablets pill pills dose doses "
        "percent cent serving servings glasses pints week weeks month months times",
    ),
    _Rule(
        "info_stance",
        r"\b(?:i(?:'m| am) (?:really |very |a little |a bit |quite |so |just |also |genuinely |still )?"
        r"(?:worried|concerned) (?:about|that|for|by)|that i(?:'m| am) (?:really |so )?(?:worried|"
        r"concerned) about|i want you to (?:know|hear|understand|be aware)|i (?:just |do |also )?want(?:ed)? (?:you "
        r"to hear|to (?:share|tell you|let you know|mention|give you|explain|make sure|point out|remind|"
        r"reassure you))|"
        r"(?:the )?other thing (?:i|that i) (?:was going to|wanted to|want to|should|need to|would) "
        r"(?:tell|mention|say|add|share)|i should (?:mention|tell you|add|say)|i can (?:promise|assure|"
        r"guarantee) you|my (?:job|role|commitment|concern|recommendation|advice|suggestion|worry|goal|"
        r"perspective) (?:is|would be|here|as)|as your (?:doctor|nurse|counsel?lor|therapist|dentist|"
        r"pharmacist|physician|provider|probation officer|case manager|worker)|(?:here's|here is|here are) "
        r"(?:your|a|an|the|some)|i(?:'ve| have) got (?:a|some) (?:brochure|leaflet|handout|sheet|pamphlet|"
        r"booklet|information)|i (?:don't|do not|won't|will not) (?:tolerate|accept|allow)|"
        r"i (?:see|noticed?|can see) (?:on|in|from) (?:the|your)|i see (?:that )?your|"
        r"(?:from|in|on) your (?:chart|file|records?|notes|results|screening|questionnaire|form)|"
        r"i(?: just| really)?(?: would|'d) (?:love|like) to (?:share|tell you|let you know|mention|explain|"
        r"point out)|(?:looks like|see (?:that|here)|i see|i noticed?) (?:that )?you(?:'ve| have)? (?:wrote|"
        r"written|marked|put down|filled|answered|checked|ticked|circled|indicated|scored|reported)|"
        r"it says (?:here|that|your|you|he|she|in (?:your|the) (?:notes|records?|file|letter|referral))|"
        r"according to (?:your|the) "
        r"(?:notes|records?|chart|file|letter|referral|gp)|"
        r"as i (?:said|mentioned|told you|explained|say)|i hope (?:that )?you(?:'ll| will| can)? "
        r"(?:continue|keep|"
        r"stay|consider|think|decide|try)|i(?:'m| am) (?:sure|certain) (?:that )?you|"
        r"the (?:next|first|best|only) (?:step|thing to do) (?:is|would be)|"
        r"(?:at|a|the|your|high|higher|increased) risk (?:of|to|for)|\bat risk\b|"
        r"(?:is|are|it's|that's|they're) (?:very |really |quite |so |extremely )?(?:dangerous|harmful|"
        r"toxic|addictive|bad for (?:you|your|her|him|the)))\b",
        "worried concerned want wanted other should promise assure guarantee job role commitment concern "
        "recommendation advice suggestion worry goal perspective as here got tolerate accept allow see "
        "notice noticed your chart file record records notes results screening questionnaire form said says "
        "according "
        "mentioned told explained say hope sure certain next first best only risk dangerous harmful toxic "
        "addictive bad love like looks see noticed notice",
    ),
    _Rule(
        "info_plan",
        r"^(?:and |but |so |then |now )?(?:i think |maybe |perhaps |hopefully )?we(?:'ll| will|'re going to|"
        r" are going to|'re gonna| are gonna| can| could| would|'d)(?: definitely| also| probably| just)? "
        r"(?:go ahead|get|continue|keep|see|check|start|set|book|make|arrange|send|refer|cover|schedule|"
        r"meet|follow|review|investigate|monitor|talk|look|work|help|be (?:able|glad|happy))\b|"
        r"^let's (?:book|schedule|arrange|get you (?:booked|in|seen)|make (?:you )?(?:an|another) appointment)\b|"
        r"\b(?:we|i)(?:'ll| will|'d| would|'re| are|'m| am)(?: be| always be)? (?:glad|happy|more than happy|here) to help\b|"
        r"\bif you (?:ever )?need (?:more |any |some |extra )?(?:information|help|support|anything)\b[^.?!]*"
        r"\b(?:we|i) (?:can|could|will|'ll)\b|"
        r"\bwe(?:'ll| will) work with "
        r"(?:it|that|you|whatever)\b|"
        r"^(?:and |so |but |well,? )?what (?:i|we)(?:'d| would)? (?:want|like|need|hope|plan|thought we(?:'d| would)?)"
        r" to do(?: today| now| here| next)? is\b",
        "we let what i need",
    ),
    _Rule(
        "info_you_practical",
        r"\byou(?:'ll| will| can| could| may| might|'re going to| are going to|'re gonna| are gonna)(?: also|"
        r" always| probably| still| even| just| usually)? (?:take (?:it|them|one|two|this|that|the)|"
        r"call|ring|come (?:back|in|to)|contact|pick (?:it|them|up)|fill|bring|expect|experience|"
        r"see (?:that|the|how|on)|find (?:that|the)|get (?:a|the|your|some|in touch)|go to (?:the|a|your)|"
        r"talk to (?:the|a|your)|reach|ask (?:the|your|a|me))\b|"
        r"^(?:(?:well|so|and|then|now|okay|ok),? )?you (?:just |only |simply )?(?:take|use|apply|swallow|put) (?:it|this|them|one|two|the)\b[^.?!]*\b(?:once|"
        r"twice|a day|daily|every|each|at night|in the morning|with food|before|after)\b",
        "you",
    ),
]
# A sentence that opens by reflecting ("It sounds like it helps to…") describes, it does not suggest.
_REFLECTS_ON = _rx(
    r"^(?:it |that |this )?(?:sounds? (?:like|as (?:if|though))|seems? (?:like|as (?:if|though))|"
    r"looks like|i (?:hear|'m hearing|am hearing|get the sense|sense)|what i(?:'m| am)? hear(?:ing)?|"
    r"you(?:'re| are)? (?:feel|felt|saying|said|mentioned|told me|find|found)|for you)\b"
)
# "It sounds like…" / "it seems as though…" later in a sentence still gives back the client's meaning
# (but not "it sounds like we…", which proposes).
_REFLECT_ANYWHERE = _rx(
    r"\b(?:sounds?|seems?) (?:like|as (?:if|though))\b(?! (?:we|i|that would|it would|(?:a |an )?(?:great|"
    r"good|"
    r"wonderful|excellent|reasonable|fine|nice|solid|perfect|plan)\b))"
)
# "It sounds like we…", "that sounds like a good plan": a proposal or a verdict, not the client's meaning.
_NOT_REFLECT_STEM = _rx(
    r"^(?:it |that |this )?sounds? (?:really |very |pretty |so )?(?:good|great|fine|perfect|lovely|wonderful|"
    r"excellent|reasonable)\W*$|"
    r"^(?:i think |well,? |oh,? )?(?:it |that |this )?(?:sounds?|seems?) (?:to me )?(?:like|as (?:if|"
    r"though)) "
    r"(?:we|i|(?:it|that) would (?:be )?(?:a |an |the )?(?:really |very )?(?:good|great|helpful|useful|"
    r"wonderful|excellent|reasonable|fine|nice|solid|perfect|plan|idea|step|start|way)|(?:a |an )?(?:great|good|"
    r"wonderful|excellent|reasonable|fine|nice|solid|perfect|plan))\b|^(?:you're|you are|that's|that is|he's|she's|they're|your \w+ (?:is|was)) "
    r"(?:absolutely |quite |so |totally |definitely |exactly |completely )?right\b"
)
# The client's own words, pointed to: "you mentioned…", "as you said", "you're saying…".
_YOU_SAID = _rx(
    r"\byou(?:'ve| have)? (?:just |also )?(?:mentioned|said|told me|talked about|described|were saying)\b|"
    r"\byou(?:'re| are) (?:saying|telling me|describing)\b"
)
_INFO_CONCERN = _rx(
    r"^i(?:'m| am) (?:a (?:little|bit) |quite |really |very |somewhat )?(?:worried|concerned) "
    r"(?:about|that|by)\b"
)

# ------------------------------------------------------------------------------------------------------------
# Reflections
# ------------------------------------------------------------------------------------------------------------

_REFLECT_STEM = _rx(
    r"^(?:it |that |this )?(?:sounds? (?:like|as (?:if|though))|sounds? (?:really |pretty |quite |very )?\w+|"
    r"seems? (?:like|as (?:if|though)|that|to me|you)|(?:it |that )?looks like|"
    r"i (?:hear|'m hearing|am hearing|get the (?:sense|feeling|impression)|sense|can see|can hear|imagine|"
    r"can tell (?:that )?you|"
    r"guess you|"
    r"can imagine|understand (?:that )?you|gather|notice)|what i(?:'m| am)? hear(?:ing)?|what you're saying|"
    r"if i (?:understand|hear|'ve got|have got)|let me (?:see if|make sure|check) i|in other words|"
    r"(?:so )?for you|(?:it|that) must|"
    r"must (?:be|feel|have)|you(?:'re| are| were|'ve| have|'d| would| feel| felt| think| thought| want|"
    r" wanted|"
    r" really| don't| didn't| can't| couldn't| seem| sound| know| see| wish| hope| worry| wonder| believe|"
    r" find| found| mean| said| mentioned| told| like| love| hate| need| get| got| just| also| still| never|"
    r" always|"
    r" kind of| sort of| almost| both| miss| care| value)\b|your \w+|part of you|on (?:the )?one hand|"
    r"(?:(?:it's|it has|it's been|that's|that is|this is|this has|things (?:are|have)|life|everything|"
    r"nothing|no one|nobody)\b(?! (?:been )?(?:(?:so |very |really )?(?:great|nice|good|fine|okay|ok|alright|"
    r"all right|right|"
    r"true|interesting|perfect|wonderful|lovely|fair|correct|fantastic|excellent|cool)|my pleasure|"
    r"a pleasure|"
    r"it|all|enough|what i)\b)|there's (?:a lot|so much|been)|a lot (?:going|on)|so much (?:going|on)))"
)
# The stems that say the speaker is giving back what they heard (the rest of _REFLECT_STEM only makes a
# statement about the client, which can as well be a fact the speaker is telling them).
_STRONG_STEM = _rx(
    r"^(?:it |that |this )?(?:sounds?|seems?|looks like)|^i (?:hear|'m hearing|am hearing|get the|sense|"
    r"can see|"
    r"can hear|imagine|guess you|can imagine|gather)|^what i(?:'m| am)? hear|^what you're saying|"
    r"^if i (?:understand|hear|'ve got|have got)|^let me (?:see if|make sure|check) i|^in other words|"
    r"^(?:so )?for you|^(?:it |that )?must (?:be|feel|have)|^part of you|^on (?:the )?one hand|"
    r"^you(?:'re| are| were)? (?:really |just |also |still |kind of |sort of )?(?:feel|felt|feeling|think|"
    r"thought|thinking|want|wanted|wanting|wish|hope|hoping|worry|worried|wonder|wondering|believe|find|"
    r"found|mean|said|saying|mentioned|told|like|love|hate|miss|care|value|seem|sound|don't (?:want|like|"
    r"think|know|feel|see)|can't (?:imagine|see|stand|believe))\b"
)
_YOU = _rx(r"\byou(?:'re|'ve|'d|r|rself)?\b")
# A statement whose subject is the speaker ("I've got the summary from your last appointment", "We'll work with
# it") tells what the speaker has, does or thinks; it does not give back the client's meaning, even with "you".
_SPEAKER_SUBJECT = _rx(
    r"^(?:(?:and|but|so|well|now|also|okay|ok|right),? )*(?:i|we|i'm|i've|i'd|i'll|we're|we've|we'd|we'll)\b"
    r"(?! (?:hear|sense|get the|guess|think|wonder|imagine|can see|can tell|notice|bet)\b)"
)
# A reflection hedged with the speaker's own guess: "I think you're worried", "I imagine that's been hard".
_HEDGED_STEM = _rx(
    r"^(?:i (?:think|guess|imagine|suspect|bet|wonder if|get the feeling|have a feeling|have a sense) (?:that )?"
    r"(?:you(?:'re| are|'ve| have| feel| felt| might| may| must| kind of| sort of| really| still| don't| didn't)|"
    r"part of you|(?:that|it)(?:'s| has| must| might) (?:been |be |feel )))"
)
# A direction to do something now, in the room: "Take a look", "See what you think", "Smile for me".
_DIRECTION = _rx(
    r"^(?:here,? |now,? |just )?(?:take a look|have a look|look at (?:this|that|these|the)|see (?:what|how|if) you|"
    r"smile|open (?:your|wide)|sit (?:down|back|up)|stand up|breathe (?:in|out)|hold (?:this|that|it|still)|"
    r"turn (?:around|your head)|fill (?:in|out) (?:this|the))\b"
)
# A guess at how something feels for the client: "That must be hard", "the evenings must feel long".
_EMPATHIC_GUESS = _rx(
    r"\b(?:that|it|this|the [\w-]+|those [\w-]+|all (?:that|this)) (?:must|might|can|could) (?:be|feel|have been|"
    r"have felt|get) (?:so |really |very |quite |pretty |incredibly |a bit |a little )?(?:hard|difficult|tough|"
    r"lonely|painful|frightening|scary|exhausting|overwhelming|upsetting|confusing|isolating|frustrating|long|"
    r"heavy|a lot|draining|awful|horrible|unsettling|worrying|distressing)\b"
)
# The listener's own stance, used to give back what they heard ("I'm hearing…", "What I'm picking up is…").
_LISTENER_STEM = _rx(
    r"^(?:i(?:'m| am)? (?:also |just |really |kind of |sort of )?(?:am )?(?:hearing|picking up|sensing|"
    r"getting (?:the|a|this|some) (?:strong |real |clear )?(?:sense|feeling|impression))|"
    r"what i(?:'m| am) (?:picking up|getting|noticing|hearing)|"
    r"i (?:kind of |can |also |really |sort of )*(?:(?:hear|sense) (?:that|a|how|you|some|there)|"
    r"see (?:a|some) (?:sense|bit|lot|real))|i can see (?:that|how|you)|i(?:'m| am) (?:wondering|guessing) "
    r"(?:if|whether) (?:you|that|part|it|this|there)|"
    r"let me (?:make sure|see if|check)|(?:so )?to summari[sz]e|in summary|to sum (?:up|it up)|"
    r"(?:so )?let me (?:summari[sz]e|pull (?:this|that|it|some of this) together))\b"
)
_SO_SUMMARY = _rx(r"^(?:okay,? |ok,? |right,? |all right,? |and )?so\b(?! (?:what|how|why|when|where|who|i |we |let))")
_COMPLEX_MARKERS = [
    (
        "double_sided",
        _rx(
            r"\b(?:on (?:the )?one hand|on the other(?: hand)?|part of you|some of you|at the same time|"
            r"and yet|but (?:also|then again|at the same)|torn between|mixed feelings|two minds|"
            r"while (?:you|part|some)|even though you|although you|both \w+ and)\b"
        ),
    ),
    (
        "metaphor",
        _rx(
            r"\b(?:(?<!sounds )(?<!seems )(?<!looks )like (?:a|an|being|carrying|walking|running|drowning|"
            r"living)\b|as (?:if|though)|it's like|almost like|kind of like|sort of like|"
            r"feels? like (?:a|an|there|being|everything)\b|rollercoaster|stuck in a|trapped|drowning|"
            r"treading water|uphill|(?:hit|hitting) a wall|in the dark|carrying (?:it|this|that|all|"
            r"everything|the)|heavy|weigh(?:s|ing)? (?:on|down)|grey|gray|fog|cloud|burden|weight)"
        ),
    ),
    (
        "meaning",
        _rx(
            r"\b(?:important to you|matters? (?:to you|a lot|so much)|means (?:a lot|so much|"
            r"something) to you|what you (?:really )?(?:want|value|care about|need)|you (?:really )?(?:value|"
            r"care about|want to "
            r"be)|must (?:be|feel|have)|(?:makes|made|leaves|left) you (?:feel|wonder|think|question)|"
            r"that's (?:why|what)|which (?:is why|means)|because you|you're (?:starting|beginning) to|"
            r"you're not (?:sure|ready|certain)|you wonder(?:ing)? (?:if|whether)|"
            r"(?:afraid|scared|worried|frightened) (?:that|of|about what)|you don't want to (?:be|"
            r"end up|lose|become)|(?:really|deeply|so) (?:hurt|alone|lonely|stuck)|(?:not|never) good enough|"
            r"the last thing you|no wonder|makes sense that|of course you)\b"
        ),
    ),
    ("continues_paragraph", _rx(r"^(?:and|which|because|but|so that|even though|unless|until|or)\b")),
    # A summary collects several things the client said ("So you want X, Y, and you've done Z before").
    ("summary", _rx(r"(?:[^,;]+[,;]){2,}[^,;]*\band\b|\bsummar|\bsum (?:up|it up)\b")),
]
# "Sounds like you want to stop?", "You have doubts too, it sounds like?": the reflection stem decides; the
# rising tone only checks the reflection, it does not ask for new information.
_RISING_SOUNDS = _rx(
    r"^(?:it |that )?(?:sounds?|seems?) (?:like|as (?:if|though))\b(?! (?:we|i)\b)|"
    r",? (?:it )?(?:sounds|seems) like\W*$"
)
# The client's own question, quoted in a reflection: the quotation opened in an earlier sentence
# ("…and you think, "Oh no. What if it happens again?""), after words that give it to the client.
_QUOTED_QUESTION = _rx(r'^[^"]*\?"\s*$')
_VOICES_CLIENT = _rx(
    r"\b(?:you(?:'re| are)? (?:think|thinking|wonder|wondering|feel|feeling|say|saying|said|go|going|tell "
    r"yourself|ask yourself|told yourself|asked yourself)|part of you|you(?:'re| are)? like)\b[^\"]{0,20}\""
)
_RISING_REFLECTION = _rx(
    "|".join(rx.pattern for name, rx in _COMPLEX_MARKERS if name in ("double_sided", "metaphor", "meaning"))
)
_FEELING = _rx(
    r"\b(?:sad|sadness|angry|anger|furious|frustrat\w*|scared|afraid|fear\w*|frighten\w*|worr\w*|anxious|"
    r"anxiety|"
    r"nervous|hopeless\w*|helpless\w*|lonely|loneliness|alone|isolated|ashamed|shame|guilt\w*|embarrass\w*|"
    r"overwhelm\w*|stuck|trapped|hurt|disappoint\w*|relie\w*|torn|confus\w*|exhaust\w*|fed up|upset|"
    r"resent\w*|"
    r"jealous|bitter|grief|griev\w*|lost|empty|numb|desperate|hopeful|proud|excited|betray\w*|rejected|"
    r"unappreciated|invisible|worthless|useless|tired of|sick of|defeated|discourag\w*|uneasy|uncertain|"
    r"ambivalent|pressured|judged|misunderstood|powerless|out of control|on edge|tense|stressed|panic\w*|"
    r"humiliat\w*|regret\w*|annoyed|irritat\w*|miserable|devastat\w*|heartbroken|terrified|dread\w*|"
    r"unsettl\w*|"
    r"upsetting|scary|frightening|distressing|worrying|daunting|painful|hard|difficult|tough|relief|lonely)\b"
)
_STOP = frozenset(
    """a about above after again against all also am an and any are aren't as at be because been before being
    below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down
    during each few for from further get gets got had hadn't has hasn't have haven't having he he'd he'll
    he's her here here's hers herself him himself his how how's i i'd i'll i'm i've if in into is isn't it
    it's its itself just kind know let's like lot me more most mustn't my myself no nor not now of off on
    once only or other ought our ours ourselves out over own really right same she she'd she'll she's should
    shouldn't so some sort such than that that's the their theirs them themselves then there there's these
    they they'd they'll they're they've thing things think this those through to too um uh under until up
    very was wasn't we we'd we'll we're we've were weren't what what's when when's where where's which while
    who who's whom why why's will with won't would wouldn't yeah yes you you'd you'll you're you've your
    yours yourself yourselves okay ok well mean maybe bit little much many even still sounds sound seems
    seem feel feels felt feeling hear hearing say said saying guess actually pretty quite something anything
    everything nothing way going go gonna want wanted wanna make made one two get getting been kinda sorta
    stuff hmm mhm mmm huh yep yup nope""".split()  # noqa: SIM905 (a compact word list reads better)
)

# ------------------------------------------------------------------------------------------------------------
# Risk: C-SSRS screener questions and Stanley-Brown safety-plan steps
# ------------------------------------------------------------------------------------------------------------

_SUICIDE_TERM = (
    r"(?:suicid\w*|kill(?:ing)? (?:yourself|your ?self|himself|herself|themselves)|(?:end|ending|ended|take|"
    r"taking|took) "
    r"(?:your|his|her|their) (?:own )?life|end(?:ing)? it all|(?:not|no longer) (?:be )?(?:alive|living)|"
    r"(?:wish(?:ed)?|want(?:ed)?) to die|be(?:ing)? dead)"
)
_SUICIDE_GATE = "suicid* yourself self himself herself themselves life all alive living die dead"
_SUICIDE = _Rule("cssrs_direct_suicide_word", r"\b" + _SUICIDE_TERM + r"\b", _SUICIDE_GATE)
# Words that make the surrounding talk a risk conversation (in the sentence or the client's prior turn).
_RISK_CONTEXT = _rx(
    r"\b(?:suicid\w*|kill(?:ing)? (?:my|your)sel(?:f|ves)|end(?:ing)? (?:it|my life|your life|things)|"
    r"take (?:my|your) "
    r"(?:own )?life|die|dying|dead|death|overdose|od\b|not (?:be )?(?:here|around|alive)|better off without|"
    r"wake up|disappear|(?:don't|do not|didn't) want to (?:be here|be around|be alive|live|exist)|any ?more|"
    r"crisis|unsafe|(?:keep|feel|stay|be) safe|safety|urges?|dark (?:place|thoughts)|those thoughts|"
    r"these thoughts|the thoughts|hurt(?:ing)? (?:my|your)self|harm(?:ing)? (?:my|your)self|self[- ]harm|"
    r"cut(?:ting)? (?:my|your)self|no way out|give up on (?:life|everything)|"
    r"(?:can't|cannot|can not|cannae|canna|cant) go on|(?:plan|thought|thinking) (?:about|of) (?:doing|it)|do it|"
    r"done it)\b"
)
_C_SSRS = [
    (
        R.ASK_WISH_DEAD,
        _Rule(
            "cssrs_wish_dead",
            r"\b(?:wish(?:ed|ing)? (?:that )?you (?:were|was|could be) (?:dead|not (?:alive|here|around))|"
            r"(?:wish(?:ed|ing)?|hop(?:e|ed|ing)) (?:that )?you (?:wouldn't|would not|won't|didn't|did not|"
            r"couldn't|could not) wake(?: up)?|"
            r"(?:go|gone|went|fall|falling) to sleep and (?:not|never) wake(?: up)?|sleep and not wake|"
            r"(?:not|never) "
            r"(?:to )?wake up|better off dead|(?:wish(?:ed)?|want(?:ed)?|wanting) to (?:be dead|die)|"
            r"(?:didn't|don't|do not|did not|not) (?:want|wanting|wish|wishing) to (?:be alive|live|be here|"
            r"be around|wake up|exist)|"
            r"(?:rather|prefer to) (?:be dead|not be (?:alive|here|around)|not wake|not exist)|(?:life|"
            r"living) "
            r"(?:is(?:n't| not)|was(?:n't| not)) worth (?:living|it)|(?:not|isn't|wasn't) worth living|"
            # The doubt asked about: "they wonder whether life is worth living", "do you feel life is worth it?"
            r"(?:wonder\w*|question\w*|doubt\w*|feel|felt|think|thought) (?:whether |if |that )?(?:life|"
            r"living|it all) (?:is|was|'s) (?:still |really )?worth (?:living|it)|"
            r"better off (?:not (?:here|around|alive|being here)|gone)|"
            r"people (?:would be )?better off without you|(?:wished|wish) you (?:weren't|"
            r"hadn't been) (?:alive|born|here)|"
            r"(?:wish|wished|want|wanted) (?:it|everything|life) (?:to|would) (?:end|stop|be over)|"
            r"thoughts? (?:of|about) (?:death|dying|being dead))\b",
            "dead alive here around wake die live exist worth without born end stop over death dying gone",
        ),
    ),
    (
        R.ASK_SUICIDAL_THOUGHTS,
        _Rule(
            "cssrs_suicidal_thoughts",
            r"\b(?:(?:thoughts?|thinking|thought|ideas?|urges?|considered|considering|contemplat\w*) (?:of |"
            r"about )?"
            r"(?:" + _SUICIDE_TERM + r")|(?:feel|feeling|felt|are you|been|get|getting) (?:at all |"
            r"ever )?suicidal|suicidal (?:thoughts|feelings|ideas|ideation|urges)|"
            r"(?:want(?:ed)?|wanting|wish(?:ed)?) to (?:kill yourself|end your (?:own )?life|"
            r"take your (?:own )?life|end it all))\b",
            _SUICIDE_GATE + " contemplat*",
        ),
    ),
    (
        R.ASK_METHOD,
        _Rule(
            "cssrs_method",
            r"\b(?:(?:thought|thinking|think|considered|considering|decided)(?: at all)? (?:about )?(?:how|"
            r"what way|which way|"
            r"the way|what method|which method|a way|a method|any way|ways)|how (?:you|would you|might you|"
            r"could you) "
            r"(?:would |might |could )?(?:do (?:it|this|that)|kill|end|take|go about)|what (?:way|method|"
            r"means)|which (?:way|method|means)|(?:a|any|the) (?:method|means) (?:in mind|to|of|you)|"
            r"how would you do (?:it|this|that))\b",
            "how way ways method methods means",
        ),
    ),
    (
        R.ASK_INTENT,
        _Rule(
            "cssrs_intent",
            r"\b(?:intent(?:ion)?s? (?:of|to|about) (?:act|acting|do|doing|kill|end|go|carry|follow)|"
            r"(?:intend|intending|mean|meaning|going) to (?:act|do it|do this|go through|carry|kill|end|"
            r"follow through)|"
            r"act(?:ing)? on (?:(?:them|these|those|the|your|such|any|that) )?(?:thoughts?|feelings?|urges?|"
            r"plans?|impulses?)|act(?:ing)? on (?:them|these|those)\b|"
            r"(?<!how you )(?<!when you )(?<!where you )(?:would|will|might|could) (?:actually |really )?"
            r"(?:act|go through with|follow through|do it)|"
            r"(?:do|did) you (?:think|feel) you (?:would|might|could|will) (?:do it|act|go through|"
            r"follow through)|"
            r"how (?:likely|close) (?:is it|are you|were you|do you think)|how (?:close|near) (?:have you|"
            r"did you) come)\b",
            "intent intention intentions intents intend intending mean meaning going act acting through do "
            "likely close near",
        ),
    ),
    (
        R.ASK_PLAN,
        _Rule(
            "cssrs_plan",
            r"\b(?:worked out (?:the |any |some )?(?:details|how|when|where|a plan)|(?:details|"
            r"specifics) (?:of|about) "
            r"how|(?:made|make|have|got|had|thought (?:of|about)|come up with|working on) (?:a |any |"
            r"specific |some )"
            r"?(?:plans?|specific plan)(?! (?:for (?:the|this|next) (?:week|weekend|day|future)|to (?:cut|"
            r"stop|reduce|quit|change)))|plans? (?:to|for) (?:kill|end|take|do it|suicide|die)|"
            r"(?:when|where) (?:or (?:when|where) )?(?:you|would you) (?:would |might |could )?(?:do it|"
            r"do this|kill|end|"
            r"take|go through)|decided (?:when|where|on a (?:date|time|place))|a (?:date|time|"
            r"place) in mind)\b",
            "worked details specifics plan plans when where decided mind",
        ),
    ),
    (
        R.ASK_PAST_BEHAVIOUR,
        _Rule(
            "cssrs_past_behaviour",
            r"\b(?:(?:ever |have you )?(?<!won't )(?<!not )(?<!never )(?:done|did|do) anything(?:,| or| to)|started to do anything|"
            r"(?:prepared|preparing|preparations?|got ready|getting ready) (?:to|for|anything)|"
            r"(?:ever )?(?:attempt(?:ed|s)?|tried|try|trying) (?:to )?(?:suicide|kill|end|take)\b|"
            r"(?:suicide )?attempts?\b(?! to (?:cut|stop|quit))|collect(?:ed|ing)? (?:pills|tablets|"
            r"medication)|"
            r"(?:wrote|written|write) (?:a )?(?:suicide )?note|gave away|given away|give away (?:your|things|"
            r"possessions)|(?:rehears|practis|practic)\w+|(?:in|over|during) the (?:past|last) (?:three|"
            r"3) months|held (?:the|a) (?:pills|knife|gun|rope))",
            "anything prepared preparing preparation preparations ready attempt attempted attempts "
            "attempting tried "
            "try trying collect collected collecting note away rehears* practis* practic* months held",
        ),
    ),
]
# Phrases that need a risk context to count (they are ordinary talk otherwise).
_CSSRS_NEEDS_CONTEXT = {R.ASK_METHOD, R.ASK_INTENT, R.ASK_PLAN, R.ASK_PAST_BEHAVIOUR}
_CSSRS_METHOD = _C_SSRS[2][1]

_SP = [
    (
        R.SP_WARNING_SIGNS,
        _Rule(
            "sp_warning_signs",
            r"\b(?:warning signs?|early signs?|(?:first|earliest|tell-tale) (?:signs?|things? you notice)|"
            r"signs? that (?:a crisis|things|it|you're|you are|you might|the thoughts)|"
            r"how (?:would|do|could|will|did) you (?:know|notice|tell|recognise|recognize|spot) (?:when|that|"
            r"if)|what (?:(?:do|did|would|might) you|you(?:'d| would| might)?) notice (?:first|when|before|"
            r"in yourself)|signs? (?:that|when) (?:a |the )?(?:bad|hard|difficult|dark|low|rough) (?:night|day|"
            r"time|patch|spell|moment)|"
            r"(?:leads?|led|leading) up to|(?:sets? (?:it|this|them|you) off|sets? off|triggers?|triggered)|"
            r"(?:start|starting|begin|beginning) to (?:spiral|slip|build|feel (?:that way|like this|unsafe|"
            r"worse))|(?:right )?before (?:the|these|those) (?:thoughts|urges|feelings) (?:come|start|get)|"
            r"(?:what|which) (?:thoughts|situations|feelings|moods|images) (?:come|came|"
            r"tend to come) (?:first|before))\b",
            "warning early first earliest tale signs sign know notice tell recognise recognize spot leads "
            "led leading lead sets set triggers trigger triggered start starting begin beginning before come "
            "came",
        ),
    ),
    (
        R.SP_COPING,
        _Rule(
            "sp_coping",
            r"\b(?:coping (?:strateg\w+|skills?|things|ideas|tools)|(?:things?|something|what) (?:can |"
            r"could |might )?you "
            r"(?:can |could |might )?do (?:on your own|by yourself|yourself|alone|to (?:calm|soothe|cope|"
            r"feel|get through|"
            r"ride|distract yourself|take your mind|keep (?:yourself )?safe))|on your own|by yourself|"
            r"calm (?:yourself|down)|(?:self[- ]?)?sooth\w*|breathing|ground(?:ing)? (?:yourself|exercise|"
            r"technique)|"
            r"relax\w*|ride (?:it|them|the (?:urges?|wave|feelings)) out|(?:things?|what|anything|something|"
            r"stuff) (?:that |which )?(?:has |have )?(?:helps?|helped|could help|might help|"
            r"would help)(?: you)? (?:to )?(?:when|in those|at those|get through|cope|calm|feel)|"
            r"how (?:do|did|could|can|might|would) you (?:cope|get through|manage|calm|distract yourself|"
            r"look after yourself)|distract yourself|take your mind off)\b",
            "coping do own yourself calm sooth* selfsooth* breathing ground grounding relax* ride helps "
            "helped help cope get manage distract look mind",
        ),
    ),
    (
        R.SP_DISTRACTION,
        _Rule(
            "sp_distraction",
            r"\b(?:(?:people|person|someone|somebody|friends?|places?|somewhere|settings?|café|cafe|company) "
            r"(?:\w+ ){0,4}(?:distract|take your mind|get your mind|help you (?:feel better|take your mind|"
            r"switch off)|"
            r"be around|get out)|spend time (?:with|around|somewhere)|hang out|be around (?:people|others|"
            r"friends)|"
            r"get out of the house|go (?:out )?to (?:a|the) (?:café|cafe|park|gym|library|shop|class|group|"
            r"church|mosque|"
            r"temple|cinema|friend's)|social (?:settings?|places?|activities|situations?)|"
            r"(?:be|being|go|going|time|day) out of the house|"
            r"distract(?:ion|ed)? (?:you )?(?:with|by) (?:people|friends|someone|being around|going out|"
            r"company|others))\b",
            "people person someone somebody friends friend places place somewhere settings setting café cafe "
            "company "
            "spend hang around house park gym library shop class group church mosque temple cinema social "
            "distract distraction distracted",
        ),
    ),
    (
        R.SP_SUPPORT,
        _Rule(
            "sp_support",
            r"\b(?:who (?:\w+ ){0,2}(?:could|can|would|might|do|will) you (?:\w+ ){0,2}(?:call|ask|reach out|"
            r"talk|turn|"
            r"contact|text|go|lean|rely|tell|confide|message|ring|trust)|(?:someone|anyone|somebody|people|"
            r"a person|"
            r"a friend|family|friends|a family member|your (?:partner|wife|husband|mum|mom|dad|sister|"
            r"brother|friend|"
            r"family|parents?|flatmate|neighbour|neighbor)) (?:\w+ ){0,3}(?:you (?:could|can|would|might|"
            r"trust)|to "
            r"(?:call|talk|ask|reach|turn|contact|be with|stay with)|who (?:could|can|would|might))|"
            r"reach out to|"
            r"ask (?:someone|somebody|anyone|them|a friend|your \w+) for (?:help|support)|ask for (?:help|"
            r"support)|"
            r"let (?:someone|somebody|anyone|them|a friend|your \w+) know|(?:tell|call|ring|text|contact) "
            r"(?:someone|somebody|a friend|your (?:partner|wife|husband|mum|mom|dad|sister|brother|friend|"
            r"family|parents?))|stay with (?:someone|a friend|family|your))\b",
            "who someone anyone somebody people person friend family friends member partner wife husband mum "
            "mom dad sister brother parents parent flatmate neighbour neighbor reach ask let stay",
        ),
    ),
    (
        R.SP_PROFESSIONAL,
        _Rule(
            "sp_professional",
            r"\b(?:crisis (?:line|team|number|service|centre|center|text|house|resolution)|help ?line|"
            r"hotline|samaritans|"
            r"lifeline|988|999|911|112|111|shout|text line|a ?& ?e|emergency (?:department|room|services?|"
            r"number|"
            r"appointment|team)|the er|call (?:an )?ambulance|urgent care|out[- ]of[- ]hours|on[- ]call|"
            r"(?:call|ring|phone|contact|see|go to|reach|text|speak to|get (?:in touch|hold) (?:with|of)) "
            r"(?:your |a |the |my |our )?(?:gp|doctor|psychiatrist|therapist|counsel?lor|care coordinator|"
            r"key ?worker|"
            r"mental health (?:team|nurse|worker|service|professional)|psychologist|nurse|clinic|hospital|"
            r"the team|the service))\b",
            "crisis help helpline hotline samaritans lifeline 988 999 911 112 111 shout text e emergency er "
            "ambulance urgent hours call ring phone contact see go reach speak get",
        ),
    ),
    (
        R.SP_MEANS_SAFETY,
        _Rule(
            "sp_means_safety",
            r"\b(?:(?:keep|kept|put|store|move|leave|have)(?: \w+){0,4} (?:away|out of (?:the house|reach|"
            r"your (?:room|home|house))|somewhere (?:safe|else)|locked|with (?:someone|a friend|your \w+))|"
            r"lock(?:ed)? (?:\w+ )?(?:up|"
            r"away)|lock ?box|locked (?:cabinet|box|drawer|safe)|(?:remove|removing|get(?:ting)? rid of|"
            r"dispos\w+ of|hand "
            r"(?:in|over)|give (?:them|it|\w+ \w+) to (?:someone|a friend|your|the pharmacy|him|her|them))|"
            r"(?:make|making|keep|keeping) (?:your|the) (?:home|house|flat|place|room|environment|space|"
            r"surroundings) "
            r"(?:\w+ )?(?:safer|safe)|keep(?:ing)? (?:the |your |any |those |these )?(?:pills|tablets|"
            r"medications?|"
            r"medicines?|guns?|firearms?|weapons?|knives|blades|razors?|rope) (?:\w+ ){0,3}(?:else|away|"
            r"elsewhere|with|"
            r"locked|safe|somewhere)|(?:access|get (?:hold|to)|have (?:any )?(?:\w+ )?at home) (?:to |of )?"
            r"(?:pills|tablets|medications?|medicines?|weapons?|guns?|firearms?|knives|blades|razors?|rope|"
            r"ligatures?|"
            r"means|the (?:pills|tablets|medication))|(?:pills|tablets|medications?|medicines?|guns?|"
            r"firearms?|weapons?|"
            r"knives|blades|razors?|rope|ligatures?) (?:in|at|around|on) (?:the|your) (?:house|home|flat|place|farm|"
            r"car|property)|"
            r"(?:look(?:ing)? after|hold(?:ing)? on ?to|take care of|keep hold of|mind) (?:your |the |those |these |"
            r"any |all the )?(?:pills|tablets|medications?|medicines?|guns?|firearms?|weapons?|knives|blades|"
            r"razors?|rope)|(?:are there|is there|do you have|have you got|has he got|has she got) (?:any )?"
            r"(?:guns?|firearms?|weapons?|shotguns?|rifles?)|"
            r"(?:smaller|small) (?:quantities|amounts|packs|supplies)|blister packs?|means safety|"
            r"lethal means|"
            r"(?:anything|something|things) (?:\w+ ){0,4}(?:you could|you might|you'd|to) use to (?:hurt|"
            r"harm|kill|end))\b",
            "away out somewhere locked with lock lockbox remove removing rid dispos* hand give "
            "safe safer else elsewhere pills tablets medication medications medicine medicines weapon "
            "weapons gun guns "
            "firearm firearms knives blades blade razor razors rope ligature ligatures means smaller small "
            "blister lethal use shotgun shotguns rifle rifles",
        ),
    ),
]
# Safety-plan phrases that are everyday talk unless the conversation is about risk.
_SP_NEEDS_CONTEXT = {R.SP_WARNING_SIGNS, R.SP_COPING, R.SP_DISTRACTION, R.SP_SUPPORT}
_SP_SELF_EVIDENT = _rx(
    r"\b(?:warning signs?|coping strateg\w+|safety plan\w*|crisis|lock ?box|lethal means|"
    r"means safety|samaritans|988|helpline|hotline|crisis line)\b"
)
_LETHAL = _rx(r"pills|tablets|medic|gun|firearm|weapon|knive|blade|razor|rope|ligature")
# A statement that offers or proposes something (rather than describing the patient).
_PROPOSAL = _rx(
    r"\b(?:let's|let us|we (?:could|can|might|will|'ll|should)|you (?:could|can|might|may)|would you (?:be )?"
    r"(?:willing|able|like|want|consider)|how about|what about|what if|i'd like (?:us|you|to)|i want (?:us|"
    r"you)|(?:maybe|perhaps)|try|plan|one (?:thing|option|idea|step)|it (?:might|may|could|would) help|"
    r"(?:is|are) (?:open|available)|(?:the )?number (?:is|for)|any ?time|24|day or night|if (?:it|things|the "
    r"(?:thoughts|urges|feelings)|you) (?:get|gets|feel|start|come|become))\b"
    r"|^(?:please |just |so )?(?:call|ring|phone|text|keep|put|remove|lock|give|write|tell|ask|go|stay|make|"
    r"get)\b"
)
# Indirect questions phrased as statements ("I need to ask whether…").
_INDIRECT_Q = _rx(
    r"^(?:i (?:need|have|want|'d like|would like|'m going|am going) to ask(?: you)?|i(?:'m|"
    r" am)? (?:wonder(?:ing)?|"
    r"curious)|i'd like to (?:know|hear|understand)|tell me|can you tell me|let's talk about|"
    r"i'm asking|i ask (?:everyone|all))\b.*\b(?:if|whether|about|how|what|when|where)\b"
)
# Announcing the topic is not yet asking the question ("I'm going to ask you some questions about suicide").
_ANNOUNCE = _rx(r"\b(?:questions?|talk|talking|chat|speak) about\b")
# A follow-up question that points back at the statement before it.
_REFERS_BACK = _rx(
    r"\b(?:that|this|those|these|it|them|like that|anything like|such|the same|too|as well|ever)\b"
)
# Any word that could let a risk rule fire; if none is in the turn, the risk pass is skipped.
_RISK_GATE = _Rule(
    "risk_gate",
    "",
    " ".join(
        " ".join(sorted(r.gate)) + " " + " ".join(p + "*" for p in r.prefixes)
        for r in [*(r for _, r in _C_SSRS), *(r for _, r in _SP), _SUICIDE]
    ),
)

_MAX_EVIDENCE = 80
_CACHE_MAX = 50_000  # memo sizes (words); bounded so a long-running server cannot grow without limit
# A reflection with at least this many content words, of which more than this share are not the client's, adds
# meaning (complex); otherwise it mostly repeats the client (simple).
_COMPLEX_MIN_WORDS = 3
_COMPLEX_NEW_SHARE = 0.6


def _clip(s: str) -> str:
    s = s.strip(" ,.;:")
    return s if len(s) <= _MAX_EVIDENCE else s[: _MAX_EVIDENCE - 1].rstrip() + "…"


def _lead(s: str, n: int = 7) -> str:
    """The first few words of a sentence, as question evidence."""
    return _clip(" ".join(s.split()[:n]))


_STEMS: dict[str, str] = {}


def _stem(word: str) -> str:
    """A very small stemmer for overlap checks: 'drinking', 'drinks', 'drinker' → 'drink' (memoised)."""
    hit = _STEMS.get(word)
    if hit is not None:
        return hit
    w = word.strip("'")
    w = w.removesuffix("'s")
    for suf in ("ingly", "ings", "ing", "edly", "ness", "ers", "ies", "ied", "ed", "er", "es", "ly", "s"):
        if len(w) - len(suf) >= 3 and w.endswith(suf):
            w = w[: -len(suf)]
            break
    w = w[:6]
    if len(_STEMS) < _CACHE_MAX:
        _STEMS[word] = w
    return w


_CONTENT: dict[str, frozenset[str]] = {}
_RISK_TALK: dict[str, bool] = {}


def _speaks_of_risk(text: str) -> bool:
    """Whether an earlier turn speaks of risk (memoised: each turn is context for the next several)."""
    hit = _RISK_TALK.get(text)
    if hit is None:
        hit = _RISK_CONTEXT.search(text.translate(_QUOTES).lower()) is not None
        if len(_RISK_TALK) >= _CACHE_MAX:
            _RISK_TALK.clear()
        _RISK_TALK[text] = hit
    return hit


def _content(text: str) -> frozenset[str]:
    """The stemmed content words of a text (memoised: client turns are looked at again by later turns)."""
    hit = _CONTENT.get(text)
    if hit is None:
        hit = frozenset(_stem(w) for w in _WORD.findall(text) if w not in _STOP and len(w) > 2)
        if len(_CONTENT) >= _CACHE_MAX:
            _CONTENT.clear()
        _CONTENT[text] = hit
    return hit


class _Sentence:
    __slots__ = (
        "codes", "head", "qev", "qrule", "qtype", "question", "reflection", "statement_part", "tagged", "text"
    )

    def __init__(self, text: str):
        self.text = text
        text = text.lstrip(" -\u2013\u2014.\"'")
        head = _FILLER.sub("", text, count=1).strip()
        m = _PREFACE.match(head)
        if m and m.end() < len(head):
            head = head[m.end() :]
        self.head = head
        self.question = False
        self.qtype: Behaviour | None = None
        self.qrule = ""
        self.qev = ""
        self.statement_part = text
        self.tagged = False
        self.codes: tuple[Behaviour, ...] = ()  # content codes first found in this sentence
        self.reflection = ""  # why the sentence is a reflection ("" when it is not)

    def ask(self, qtype: Behaviour, rule: str, evidence: str) -> None:
        self.question, self.qtype, self.qrule, self.qev = True, qtype, rule, evidence


class _TopicIndex:
    """Runs the TopicMatcher regex of a topic only when a word in the turn could start one of its keywords.

    Same results as ``TopicMatcher(topics).match(text)``: a keyword regex ``\\bkw`` can only match where a
    word of the text begins with the keyword's leading word characters, so topics whose keywords have no
    such word are skipped without running their regex.
    """

    def __init__(self, topics: Mapping[str, Sequence[str]]):
        self.order: list[tuple[str, TopicMatcher]] = []
        self.always: set[str] = set()
        self.exact: dict[str, set[str]] = {}
        self.prefix: dict[str, set[str]] = {}
        lengths: set[int] = set()
        for name, keywords in topics.items():
            if not keywords:
                continue
            self.order.append((name, TopicMatcher({name: keywords})))
            for kw in keywords:
                word = kw.strip().lower()
                star = word.endswith("*")
                body = word[:-1] if star else word
                lead = _TOKEN.match(body)
                if not lead:  # starts with a non-word character: cannot be gated
                    self.always.add(name)
                    continue
                key = lead.group(0)
                if star and key == body:
                    self.prefix.setdefault(key, set()).add(name)
                    lengths.add(len(key))
                else:
                    self.exact.setdefault(key, set()).add(name)
        self.lengths = sorted(lengths)
        self.memo: dict[str, frozenset[str]] = {}

    def _topics_of(self, w: str) -> frozenset[str]:
        out = set(self.exact.get(w, ()))
        n = len(w)
        for size in self.lengths:
            if size > n:
                break
            hit = self.prefix.get(w[:size])
            if hit:
                out |= hit
        result = frozenset(out)
        if len(self.memo) < _CACHE_MAX:
            self.memo[w] = result
        return result

    def match(self, text: str, words: set[str]) -> dict[str, str]:
        candidates = set(self.always)
        memo = self.memo
        for w in words:
            hit = memo.get(w)
            if hit is None:
                hit = self._topics_of(w)
            if hit:
                candidates |= hit
        found: dict[str, str] = {}
        if not candidates:
            return found
        for name, matcher in self.order:
            if name in candidates:
                found.update(matcher.match(text))
        return found


# A turn that opens with a dash or an ellipsis picks up the speaker's interrupted sentence.
_CONTINUATION = _rx(r"^\s*(?:-|\u2014|\u2013|\.\.\.|\u2026)")
_BROKEN_LINE = _rx(r"(?<=[a-z,'])[ \t]*\n+[ \t]*(?=[a-z])")


# Speech disfluencies that hide a sentence's structure from the rules: hesitations ("we, uh, will need"),
# stutters ("the-the", "i-i"), a mid-sentence "you know," and transcriber notes ("[laughs]").
_HESITATION = _rx(r",?\s*(?<![\w-])(?:uh|um|uhm|er|erm|ah)(?![\w-])[,.]?\s*")
_STUTTER = _rx(r"\b(\w+(?:'\w+)?(?: \w+(?:'\w+)?)?)(?:-+\s?\1\b)+")
_PART_WORD = _rx(r"\b(\w{1,4})-(?=\1\w)")  # "wh-what", "ho-how": the first try at a word
# "You know what? It seems…": a spoken lead-in, not a question to answer.
_ASIDE = _rx(r",\s*you know,\s*|\s*\[[^\]]*\]\s*|\byou know what\?\s+(?=\w)")


_DISFLUENCY_HINT = _rx(r"\b(?:uh|um|uhm|er|erm|ah)\b|\w-|\[|you know(?:,| what\?)")


def _disfluent(text: str) -> str:
    """The text without hesitations, stutters and transcriber notes (word order is kept)."""
    if not _DISFLUENCY_HINT.search(text):
        return text
    if "-" in text:
        text = _PART_WORD.sub("", _STUTTER.sub(r"\1", text))
    text = _HESITATION.sub(" ", text).replace("  ", " ")
    if "[" in text or "you know," in text or "you know what?" in text:
        text = _ASIDE.sub(" ", text)
    return text


def _join_broken_lines(text: str) -> str:
    """Join a line break inside a sentence ("how have you been sleeping\\nlately?") so it is not split there."""
    return _BROKEN_LINE.sub(" ", text) if "\n" in text else text


class Analysis:
    """A coded utterance with the structure behind it: its sentences (in order) and its word count."""

    __slots__ = ("coding", "continues", "sentences", "words")

    def __init__(
        self, coding: Coding, sentences: tuple[_Sentence, ...], words: int, continues: Analysis | None = None
    ):
        self.coding = coding
        self.sentences = sentences
        self.words = words
        # For a turn that picks up the speaker's own interrupted sentence ("-and the rest"), the turn it
        # continues, coded: a fragment with no function of its own shares that turn's function.
        self.continues = continues


class Coder:
    """Codes trainee utterances. Construct once per session (topics are compiled), then call :meth:`code`."""

    version: str = CODER_VERSION

    def __init__(self, topics: Mapping[str, Sequence[str]] | None = None):
        self.version = CODER_VERSION
        self._topics = _TopicIndex(topics if topics is not None else merged_topics())
        self._gated = True  # tests switch this off to prove the word gates never change a result

    # --------------------------------------------------------------------------------------------------------
    def code(
        self, text: str, prior: str | None = None, *, context: Sequence[tuple[str, str]] | None = None
    ) -> Coding:
        """Code one trainee utterance.

        ``prior`` is the client's previous utterance (reflection context). ``context`` optionally gives the
        turns before this one, oldest first, as ``(speaker, text)`` pairs with speaker ``"client"`` or
        ``"therapist"``; when ``prior`` is None the latest client turn in it is used as ``prior``.
        """
        return self.analyse(text, prior, context=context).coding

    def analyse(
        self, text: str, prior: str | None = None, *, context: Sequence[tuple[str, str]] | None = None
    ) -> Analysis:
        """Code one utterance and keep the sentence structure (used by the AnnoMI mapping and feedback)."""
        continues = None
        if context is not None and _CONTINUATION.match(text or ""):
            earlier = list(context)
            while earlier and earlier[-1][0] == "client":
                earlier.pop()
            if earlier:
                _, own = earlier.pop()
                continues = self._analyse(own, None, earlier)
        # A fragment that continues an informing turn goes on informing unless it has a cue of its own.
        informing = continues is not None and not _TELLS.isdisjoint(continues.coding.behaviours)
        analysis = self._analyse(text, prior, context, informing=informing)
        analysis.continues = continues
        return analysis

    def _analyse(
        self,
        text: str,
        prior: str | None,
        context: Sequence[tuple[str, str]] | None,
        *,
        informing: bool = False,
    ) -> Analysis:
        echo: set[str] = set()
        if context:
            clients = [t.translate(_QUOTES).lower() for who, t in context if who == "client"]
            if prior is None and clients:
                # A reflection answers what the client said, not their "mm-hmm": skip back-channels.
                prior = next((t for t in reversed(clients) if len(_content(t)) >= 2), clients[-1])
            for t in clients:
                echo |= _content(t)
        # When the turns given hold nothing the client said, there is nothing to reflect.
        nothing_said = (
            context is not None and prior is None and not any(who == "client" for who, _ in context)
        )
        raw = (text or "").translate(_QUOTES).strip()
        low = raw.lower()
        if not low.strip(" .,!?;:-\"'"):
            coding = Coding(
                behaviours=[B.OTHER], cues=[Cue(code=B.OTHER.value, rule="no_words", evidence=_clip(raw))]
            )
            return Analysis(coding, (), 0)
        prior_low = (prior or "").translate(_QUOTES).lower()
        tokens = set(_TOKEN.findall(low))
        if "%" in low:
            tokens.add("%")
        words = tokens if self._gated else None

        found: dict[Behaviour, Cue] = {}
        flags: dict[RiskFlag, Cue] = {}

        def add(code: Behaviour, rule: str, evidence: str) -> None:
            if code not in found:
                found[code] = Cue(code=code.value, rule=rule, evidence=_clip(evidence))

        sentences = [
            _Sentence(s)
            for s in _SENT_SPLIT.split(_join_broken_lines(_disfluent(low)))
            if s and s.strip(" .,!?;:-\"'")
        ]
        if not sentences:
            sentences = [_Sentence(low)]
        permission = _ASK_PERMISSION.search(low, words) or _OFFER_FRAME.search(low, words)
        asked_for_advice = _ADVICE_REQUEST.search(prior_low) if prior_low else None
        check_risk = _RISK_GATE.open_for(low, words)
        # A risk conversation runs over several turns: "Have you worked out a plan?" three turns after the
        # client spoke of ending it is still about that.
        risk_context = check_risk and bool(
            _RISK_CONTEXT.search(low)
            or (_RISK_CONTEXT.search(prior_low) if prior_low else None)
            or any(_speaks_of_risk(t) for _, t in context or ())
        )
        risky_turn = risk_context or (check_risk and _SUICIDE.search(low, words) is not None)

        # A statement that leads into a question referring back to it ("Sometimes people wish they could go to
        # sleep and not wake up. Have you had thoughts like that?") asks what it describes.
        lead_in = [False] * len(sentences)
        scaled = _SCALE.search(low) is not None
        voices_client = '"' in low and _VOICES_CLIENT.search(low) is not None
        refers_back = False
        for i in range(len(sentences) - 1, -1, -1):
            s = sentences[i]
            _classify_question(s, scaled, voices_client)
            lead_in[i] = refers_back and not s.question
            if s.question and _REFERS_BACK.search(s.text):
                refers_back = True

        last_q: _Sentence | None = None
        reflection_sents: list[_Sentence] = []
        for i, s in enumerate(sentences):
            if s.question and (
                last_q is None or s.qtype is B.OPEN_QUESTION or last_q.qtype is not B.OPEN_QUESTION
            ):
                last_q = s  # stacked questions count once: open if any of them is open, else the last one
            hits: list[Behaviour] = []

            def add_here(code: Behaviour, rule: str, evidence: str, hits: list[Behaviour] = hits) -> None:
                hits.append(code)
                add(code, rule, evidence)

            # A normalising statement leading into a risk question ("When things are this hard, some people
            # think about ending their life. Have you…?") is part of asking it, not information.
            lead = risky_turn and not s.question and i + 1 < len(sentences) and sentences[i + 1].question
            claimed = _content_rules(s, words, add_here, permission, asked_for_advice, inform=not lead)
            s.codes = tuple(dict.fromkeys(hits))  # every content code of this sentence, first-found order
            if check_risk:
                _risk(s, words, flags, risk_context, lead_in[i])
            if not s.question and not claimed:
                why = _is_reflection(s, prior_low, echo)
                if why and nothing_said and why in _WEAK_REASONS | {"fragment", "echo"}:
                    why = ""
                if why:
                    reflection_sents.append(s)
                    s.reflection = why

        if reflection_sents and (len(sentences) > 1 or informing):
            heard = echo | _content(prior_low) if prior_low else echo
            reflection_sents = _lecture_context(sentences, reflection_sents, heard, add, informing)
        if reflection_sents:
            _reflection(reflection_sents, sentences[0], prior_low, add)
        if last_q is not None and last_q.qtype is not None:
            add(last_q.qtype, last_q.qrule, last_q.qev)

        if not found:
            first = sentences[0]
            generic = _GENERIC_PRAISE.match(first.text) or _GENERIC_PRAISE.match(first.head)
            if generic:
                add(B.OTHER, "generic_praise", generic.group(0))
            else:
                add(B.OTHER, "no_rule_matched", first.text)

        behaviours = sorted(found, key=_RANK.__getitem__)
        cues = [found[b] for b in behaviours]
        risk = sorted(flags, key=_RISK_ORDER.__getitem__)
        cues.extend(flags[f] for f in risk)
        topic_hits = self._topics.match(raw, tokens) if self._gated else self._all_topics(raw)
        topics = list(topic_hits)
        cues.extend(Cue(code=name, rule="topic_keyword", evidence=ev) for name, ev in topic_hits.items())
        coding = Coding(behaviours=behaviours, topics=topics, risk_flags=risk, cues=cues)
        return Analysis(coding, tuple(sentences), len(tokens))

    def _all_topics(self, text: str) -> dict[str, str]:
        found: dict[str, str] = {}
        for _, matcher in self._topics.order:
            found.update(matcher.match(text))
        return found


# ------------------------------------------------------------------------------------------------------------
# The passes, as module functions (no per-call attribute lookups on self)
# ------------------------------------------------------------------------------------------------------------


def _asks_for_number(head: str, text: str, scaled: bool) -> bool:
    """True when a wh-question asks where the client puts themselves on a scale the turn has set out."""
    return scaled and bool(_SCALE_POSITION.search(text) or _SCALE_RATING.match(head))


def _classify_question(s: _Sentence, scaled: bool, voices_client: bool) -> None:
    _classify_question_form(s, scaled)
    if s.question and (
        (voices_client and _QUOTED_QUESTION.search(s.text))
        or (
            s.qrule in ("rising_statement", "tag_question")
            and (_RISING_REFLECTION.search(s.text) or _RISING_SOUNDS.search(s.head))
        )
    ):
        # A statement that adds meaning ("part of you…", "on the one hand…", "it's important to you") said
        # with a rising tone is a complex reflection, not a request for information.
        s.question, s.qtype, s.qrule, s.qev = False, None, "", ""
        s.statement_part = s.text.rstrip(" ?")


def _ask_wh(s: _Sentence, clause: str, text: str, scaled: bool, mark: bool) -> None:
    """Code a wh-question opening at *clause*: closed when it asks for a fact or a number, otherwise open.

    The same test applies wherever the wh-word stands: "On a normal night, how much do you drink?" asks for an
    amount just as "How much do you drink?" does.
    """
    if mark and _WH_FACT.match(clause):
        s.ask(B.CLOSED_QUESTION, "wh_fact_question", _lead(clause))
    elif mark and _asks_for_number(clause, text, scaled):
        s.ask(B.CLOSED_QUESTION, "scale_question", _lead(clause))
    else:
        s.ask(B.OPEN_QUESTION, "wh_question", _lead(clause))


def _classify_question_form(s: _Sentence, scaled: bool) -> None:
    head = s.head
    text = s.text.rstrip()
    mark = text.endswith("?")
    if not mark and _WH_STATEMENT.match(head) and not _OPEN_CURIOUS.match(head):
        return
    if not head.strip(" ?.,!;:-"):
        return  # "Yeah?", "Really?": a back-channel with a rising tone, not a question
    if mark:
        m = _SUBORDINATE.match(head)  # "When you say X, do you mean…?": the main clause decides
        if m and m.end() < len(head):
            head = head[m.end() :]
    m = _OPEN_STEM.match(head) or _OPEN_CURIOUS.match(head) or _YESNO_OPENISH.match(head)
    if m is None and "," in head:
        # "Well, Sam, tell me a bit more about that": the invitation after an address or a filler.
        for clause in head.split(",")[1:]:
            m = _INVITE_CLAUSE.match(_FILLER.sub("", clause.strip(), count=1))
            if m:
                break
    if m:
        s.ask(B.OPEN_QUESTION, "open_invitation", _lead(head))
        return
    tag = _TAG.search(text) if mark else None
    if tag:
        s.tagged = True
        s.statement_part = text[: tag.start()]
    if _WH_OPEN.match(head):
        _ask_wh(s, head, text, scaled, mark)
        return
    if _YESNO.match(head) and (mark or (head.count(" ") >= 2 and _YESNO_SUBJECT.match(head))):
        if mark and not tag:
            m = _WHAT_ELSE.search(head) or _RECALL.match(head)
            if m:
                s.ask(B.OPEN_QUESTION, "what_else", m.group(0))
                return
            m = _LEAVE_TO_TALK.match(head)
            if m:
                s.ask(B.CLOSED_QUESTION, "asks_leave", m.group(0))
                return
            m = _INVITE.search(head)
            if m:
                s.ask(B.OPEN_QUESTION, "open_invitation", m.group(0))
                return
            m = _OR_CHOICE.search(head)
            if m:
                s.ask(B.CLOSED_QUESTION, "or_choice", m.group(0))
                return
        s.ask(B.CLOSED_QUESTION, "yes_no_opener", _lead(head))
        return
    if not mark:
        return
    # A question mark after some other opening: look at the last clause ("So, thinking about it, what…?").
    last_clause = head.rsplit(",", 1)[-1].strip()
    if _WH_OPEN.match(last_clause) and (not tag or _asks_for_number(last_clause, text, scaled)):
        _ask_wh(s, last_clause, text, scaled, mark)
        return
    if not tag:
        if _OPEN_STEM.match(last_clause):
            s.ask(B.OPEN_QUESTION, "wh_question", _lead(last_clause))
            return
        m = _WHAT_ELSE.search(head) or _INVITE.search(head)
        if m:
            s.ask(B.OPEN_QUESTION, "what_else", m.group(0))
            return
        for clause in head.split(",")[1:-1]:  # "So, if X, what would that be, for example?"
            if _WH_OPEN.match(clause.strip()) and not _WH_STATEMENT.match(clause.strip()):
                _ask_wh(s, clause.strip(), text, scaled, mark)
                return
        m = _EMBEDDED_WH.search(head)
        if m and not (scaled and _SCALE_POSITION.search(text)):
            s.ask(B.OPEN_QUESTION, "embedded_wh_question", m.group(0))
            return
    if _YESNO.match(last_clause):
        s.ask(B.CLOSED_QUESTION, "yes_no_opener", _lead(last_clause))
        return
    s.ask(B.CLOSED_QUESTION, "tag_question" if tag else "rising_statement", head[-60:])


def _content_rules(s: _Sentence, words, add, permission, asked_for_advice, *, inform: bool = True) -> bool:
    """Apply the content rules to one sentence. True when the sentence is claimed (so not a reflection)."""
    t = s.text
    claimed = False
    for rule in _CONFRONT:
        m = rule.search(t, words)
        if m:
            add(B.CONFRONT, rule.name, m.group(0))
            claimed = True
            break

    # Affirmations first: "you should be proud" is not advice. One voiced as a reflection ("It sounds like
    # you're really committed") is both, and stays open to the reflection pass.
    # "What have you tried so far?" asks; it does not praise. A tag ("You've worked hard, haven't you?") still can.
    asks = s.question and not s.tagged and s.qrule != "rising_statement"
    for rule in () if asks else _AFFIRM:
        m = rule.search(t, words)
        if m:
            add(B.AFFIRM, rule.name, m.group(0))
            claimed = not (_REFLECTS_ON.match(s.head) or _REFLECT_ANYWHERE.search(t))
            break

    # A statement that opens by giving back the client's view ("You feel you should…", "It sounds like
    # you're going to need…") reports their words; it neither advises nor informs.
    reflective = not s.question and bool(_STRONG_STEM.match(s.head) or _LISTENER_STEM.match(s.head))
    statement = s.statement_part if (not s.question or s.tagged) and not reflective else ""
    strong = None
    if statement:
        strong = _DIRECTIVE_YOU.search(statement, words) or _DIRECTIVE_OTHER.search(statement, words)
        if strong is None and not s.question:
            strong = _IMPERATIVE.match(s.head)
            if strong is not None and _OPEN_STEM.match(s.head):
                strong = None
            if strong is None:
                # "If you have any of those, call your doctor": the main clause after a condition.
                sub = _SUBORDINATE.match(s.head)
                if sub and sub.end() < len(s.head):
                    strong = _IMPERATIVE.match(_FILLER.sub("", s.head[sub.end() :], count=1))
    if strong is None and s.question:
        strong = _PERSUADE_Q.search(t, words)
    soft = None
    if not (strong or s.question or reflective or _REFLECTS_ON.match(s.head)):
        soft = _SOFT_ADVICE.search(t, words)
    if strong or soft:
        m = strong or soft
        if asked_for_advice:
            add(B.ADVISE_WITH_PERMISSION, "advice_requested_by_client", m.group(0))
        elif permission:
            add(B.ADVISE_WITH_PERMISSION, "advice_with_permission", f"{permission.group(0)} … {m.group(0)}")
        elif soft and _OPTION_FRAME.search(t, words):
            add(B.ADVISE_WITH_PERMISSION, "advice_as_option", m.group(0))
        elif strong:
            add(B.PERSUADE, "advice_without_permission", m.group(0))
        else:
            add(B.PERSUADE, "suggestion_without_permission", m.group(0))
        claimed = True

    m = _AUTONOMY.search(t, words)
    if m:
        add(B.EMPHASIZE_AUTONOMY, _AUTONOMY.name, m.group(0))
        claimed = True
    for rule in _SEEK:
        m = rule.search(t, words)
        if m:
            add(B.SEEK_COLLABORATION, rule.name, m.group(0))
            claimed = True
            break
    if inform and not s.question and not reflective and strong is None and soft is None:
        m = _INFO_CONCERN.match(s.head)
        if m:
            add(B.GIVE_INFORMATION, "info_concern", m.group(0))
            return True
        for rule in _INFO:
            m = rule.search(t, words)
            if m:
                add(B.GIVE_INFORMATION, rule.name, m.group(0))
                return True
        if not _REFLECTS_ON.match(s.head) and not _REFLECT_ANYWHERE.search(t):
            for rule in _INFO_MARKERS:
                m = rule.search(t, words) if rule.name != "info_generic_subject" else rule.rx.match(s.head)
                if m:
                    add(B.GIVE_INFORMATION, rule.name, m.group(0))
                    return True
    return claimed


# Words that make a sentence a clause or a formula rather than a bare phrase (see the fragment rule below).
_CLAUSE = _rx(
    r"\b(?:i|we|is|are|was|were|am|be|been|have|has|had|do|does|did|can|will|would|should|could|might|may|"
    r"must|let's|thank|thanks|please|bye|hi|hello|welcome|sorry|excuse|absolutely|exactly|definitely|indeed|"
    r"luck|pleasure|congratulations|"
    r"course|totally|true|fair|cool|awesome|nice|perfect|lovely|wonderful|fantastic|excellent|sure|correct|"
    r"certainly|go|goes|see|sees|get|gets|got|let|take|look|looks|tell|say|says|said|mean|means|think|know|"
    r"want|"
    r"need|seem|seems|sound|sounds|feel|feels)\b|n't\b|'(?:s|re|ve|ll|d|m)\b|[\[\]]"
)


def _is_reflection(s: _Sentence, prior_low: str, echo: set[str] | frozenset[str] = frozenset()) -> str:
    """Why a statement gives back the client's meaning, or "".

    ``echo`` holds the content words of the client's recent turns.
    """
    head = s.head
    if len(head) < 4 or _GENERIC_PRAISE.match(head) or _SOCIAL_ONLY.match(head):
        return ""
    if _NOT_REFLECT_STEM.match(head):
        return ""
    if _REFLECT_STEM.match(head):
        if _STRONG_STEM.match(head):
            return "stem"
        return "weak_stem" if " " in head.strip(" .,!?;:-") else ""
    if _LISTENER_STEM.match(head):
        return "listener"
    if _REFLECT_ANYWHERE.search(head):
        return "stem"  # "I guess it sounds like…"
    if _HEDGED_STEM.match(head):
        return "stem"  # "I think you're worried about it", "I guess part of you…"
    if _DIRECTION.match(head):
        return ""  # "Here, take a look, see what you think": a direction, not the client's meaning
    if _YOU_SAID.search(head):
        return "stem"  # "…like you said", "and you mentioned…", "I'm wondering…, and you're saying…"
    if head.startswith(_NOT_REFLECTION_START):
        return ""
    if _EMPATHIC_GUESS.search(head):
        return "stem"  # "The quiet must be very hard.": a guess at how it feels for them
    if (
        head.count(" ") >= 2
        and _YOU.search(head)
        and _YOU.search(_SOCIAL_YOU.sub(" ", head))
        and not _SPEAKER_SUBJECT.match(head)
    ):
        return "you"
    mine = _content(head)
    # "So, …" opening a statement sums up what was said.
    if _SO_SUMMARY.match(s.text) and len(mine) >= 2:
        return "so_summary"
    # No 'you' but an echo of what the client just said ("A lot going on at work.").
    if (
        prior_low
        and head.count(" ") >= 1
        and len(mine) >= 2
        and len(mine & _content(prior_low)) >= max(2, len(mine) // 2)
    ):
        return "echo"
    # A short fragment picking up the client's words ("Minimum wage, then.").
    if echo and mine and head.count(" ") <= 6 and mine & echo:
        return "fragment"
    # A phrase with no verb of its own, said after the client spoke ("Very dull.", "A rough night."):
    # it finishes or sums up what they said.
    if (echo or prior_low) and mine and 1 <= head.count(" ") <= 7 and not _CLAUSE.search(head):
        return "fragment"
    return ""


_WEAK_REASONS = frozenset({"you", "so_summary", "weak_stem"})
_TELLS = frozenset({B.GIVE_INFORMATION, B.PERSUADE, B.ADVISE_WITH_PERMISSION, B.CONFRONT})


def _lecture_context(
    sentences: list[_Sentence], reflections: list[_Sentence], echo: set[str], add, informing: bool = False
) -> list[_Sentence]:
    """Drop weak reflections that belong to a stretch of information.

    In a turn that informs or advises, a "you…" statement that shares no content word with what the client
    said ("You've had two attacks this year.") states facts about the client rather than giving back their
    words; it is part of the information.
    """
    tells = {c for s in sentences for c in s.codes} & _TELLS
    if informing:
        tells.add(B.GIVE_INFORMATION)
    if not tells:
        return reflections
    informs = tells != {B.CONFRONT}  # in a confrontation the sentence is part of it, not information
    kept = []
    for s in reflections:
        if s.reflection in _WEAK_REASONS and not (_content(s.head) & echo):
            s.reflection = ""
            if informs:
                s.codes = (*s.codes, B.GIVE_INFORMATION)
                add(B.GIVE_INFORMATION, "info_in_context", s.text)
        else:
            kept.append(s)
    return kept


def _words_for(text: str, stems: frozenset[str], most: int = 6) -> str:
    """The words of ``text`` behind ``stems``, as written and in order (evidence a trainee can read)."""
    seen: list[str] = []
    for w in _WORD.findall(text):
        if _stem(w) in stems and w not in seen and w not in _STOP and len(w) > 2:
            seen.append(w)
    return " ".join(seen[:most])


def _reflection(sents: list[_Sentence], first: _Sentence, prior_low: str, add) -> None:
    text = " ".join(s.text for s in sents)
    evidence = sents[0].text
    for rule, rx in _COMPLEX_MARKERS:
        if rule == "continues_paragraph":
            # Only the turn's own first word: "And you're worried that…" continues the client's sentence.
            m = rx.match(first.text) if sents[0] is first else None
            if m:
                add(B.COMPLEX_REFLECTION, "reflection_continues_paragraph", evidence)
                return
            continue
        m = rx.search(text)
        if m:
            add(B.COMPLEX_REFLECTION, f"reflection_{rule}", m.group(0))
            return
    mine = _content(text)
    if prior_low:
        theirs = _content(prior_low)
        for m in _FEELING.finditer(text):
            word = m.group(0)
            if _stem(word) not in theirs and word not in prior_low:
                add(B.COMPLEX_REFLECTION, "reflection_adds_feeling", word)
                return
        new = mine - theirs
        if len(mine) >= _COMPLEX_MIN_WORDS and len(new) / len(mine) > _COMPLEX_NEW_SHARE:
            add(B.COMPLEX_REFLECTION, "reflection_adds_meaning", _words_for(text, new))
            return
        shared = mine & theirs
        if shared or not mine:
            said = f"{evidence} (shared: {_words_for(text, shared)})" if shared else evidence
            add(B.SIMPLE_REFLECTION, "reflection_repeats_client", said)
        else:
            add(B.SIMPLE_REFLECTION, "reflection_short", evidence)  # too short to add much meaning
        return
    if len(mine) >= 8 or len(sents) >= 2:
        add(B.COMPLEX_REFLECTION, "reflection_long_no_context", evidence)
        return
    add(B.SIMPLE_REFLECTION, "reflection_stem", evidence)


def _risk(s: _Sentence, words, flags: dict[RiskFlag, Cue], risk_context: bool, lead_in: bool) -> None:
    t = s.text
    asking = s.question or lead_in or _INDIRECT_Q.match(s.head) is not None
    if not asking and _PROPOSAL.search(s.head) is None:
        return  # a statement that neither asks nor proposes: not a screening or safety-plan move
    if asking:
        has_suicide = _SUICIDE.search(t, words) is not None
        for flag, rule in _C_SSRS:
            if flag in flags:
                continue
            if flag in _CSSRS_NEEDS_CONTEXT and not (has_suicide or risk_context):
                continue
            m = rule.search(t, words)
            if m is None:
                continue
            flags[flag] = Cue(code=flag.value, rule=rule.name, evidence=_clip(m.group(0)))
            if flag is R.ASK_PLAN and R.ASK_METHOD in flags and _CSSRS_METHOD.search(t, words):
                del flags[R.ASK_METHOD]  # C-SSRS 5 ("details of how to…") is one question, not two
        if (
            has_suicide
            and R.ASK_SUICIDAL_THOUGHTS not in flags
            and not _ANNOUNCE.search(t)
            and not any(
                f in flags
                for f in (R.ASK_METHOD, R.ASK_PLAN, R.ASK_PAST_BEHAVIOUR, R.ASK_INTENT, R.ASK_WISH_DEAD)
            )
        ):
            m = _SUICIDE.search(t, words)
            flags[R.ASK_SUICIDAL_THOUGHTS] = Cue(
                code=R.ASK_SUICIDAL_THOUGHTS.value, rule=_SUICIDE.name, evidence=_clip(m.group(0))
            )
    context = risk_context or _SP_SELF_EVIDENT.search(t) is not None
    for flag, rule in _SP:
        if flag in flags or (flag in _SP_NEEDS_CONTEXT and not context):
            continue
        m = rule.search(t, words)
        if m is None:
            continue
        if flag is R.SP_MEANS_SAFETY and not (context or _LETHAL.search(t)):
            continue
        flags[flag] = Cue(code=flag.value, rule=rule.name, evidence=_clip(m.group(0)))
