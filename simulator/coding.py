"""The offline utterance coder: MI behaviour codes, topics and suicide-risk moves for one trainee turn.

Deterministic, rule-based, no model and no network. Each rule is a named, precompiled regular expression;
every code in the result carries a :class:`~simulator.records.Cue` naming the rule that fired and the words
it fired on, so a trainee (and an educator overriding a score) can see *why* a turn was coded the way it was.

How a turn is coded
-------------------
1. The turn is split into sentences. Each sentence is a *question* (ends with ``?``, or opens like one:
   "what…", "do you…", "tell me…") or a *statement*.
2. Questions are open (what/how/why/tell me/describe…) or closed (yes/no openers, "or" choices,
   rising-intonation statements, tag questions). Stacked questions count once (MITI 4.2.1): open if any of
   them is open.
3. Content rules run on every sentence: confront, persuade (advice without permission), advice with
   permission, emphasise autonomy, seek collaboration, affirm, give information.
4. A statement that none of those claims and that is about the client ("sounds like…", "you feel…",
   "so you're…") is a reflection: complex when it adds meaning (a feeling or words the client did not use,
   double-sided, metaphor, "part of you", continuing the client's sentence), simple when it mostly repeats
   ``prior``.
5. Risk moves (C-SSRS screener questions, Stanley-Brown safety-plan steps) count only when the trainee asks
   or proposes them: a reflection of what the patient said, or the patient's own words, is not a screening
   move. Euphemisms ("hurt yourself") are a self-harm topic, not a direct suicide question.

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

CODER_VERSION = "rules-1.0"

__all__ = ["CODER_VERSION", "Coder"]

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
_SENT_SPLIT = _rx(r"(?<=[.!?])\s+|\n+|(?<=\?)(?=[a-z])")
_TOKEN = _rx(r"\w+")
# Words that open a sentence without carrying its function ("So, what…", "Okay. Right, you…").
_FILLER = _rx(
    r"^(?:(?:so|and|okay|ok|alright|all right|right|well|u[hm]-huh|huh|um+|uh+|mm+(?:-hmm)?|mhm|yeah|yep|yes|"
    r"no|now|then|but|oh|great|good|sure|i see|gotcha|got it|wow|gosh|sorry|hi|hello|hey|also|"
    r"anyway)\b[\s,.;:!-]*|(?:you know|i mean)[,.;:!-]+\s*)+"
)
# Polite prefaces before the real question: "Can I ask, what…", "I'm just wondering, how…".
_PREFACE = _rx(
    r"^(?:(?:can|could|may) i (?:just )?ask(?: you)?(?: something| a question)?|"
    r"let me ask(?: you)?(?: something)?|"
    r"i(?:'m| am)? (?:just )?(?:wonder(?:ing)?|curious)|just (?:curious|wondering)|out of curiosity|"
    r"i(?:'d| would) like to ask(?: you)?)[,:;-]+\s*"
)
_WORD = _rx(r"[a-z][a-z']*")
# Phrases with "you" that are social formulas, not statements about the client.
_SOCIAL_YOU = _rx(
    r"\b(?:thank you|thanks|see you|nice to (?:meet|see) you|good to (?:meet|see) you|you're welcome|"
    r"bless you|you know|if you (?:like|want|don't mind)|are you (?:okay|ok)|how are you|for you to come)\b"
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
    r"^(?:(?:can|could|would|will) you (?:please )?|please |i'd (?:like|love) (?:you )?to |i want to |"
    r"i'm (?:curious|interested) (?:to (?:hear|know) )?|let's |i'd be interested to (?:hear|know) )?"
    r"(?:tell me|say (?:a (?:little |bit )?)?more|describe|talk (?:to me )?(?:a (?:little |"
    r"bit )?more )?about|"
    r"walk me through|help me understand|explain|give me an example|fill me in|share (?:a (?:little |"
    r"bit )?)?more|expand on|elaborate|paint (?:me )?a picture)\b"
)
_OPEN_CURIOUS = _rx(
    r"^i(?:'m| am)? (?:wonder(?:ing)?|curious(?: about)?|interested in) (?:what|how|why|where|when|who)\b"
)
_WH_OPEN = _rx(r"^(?:and |but |so |then )?" + _WH + r"\b")
_WHAT_ELSE = _rx(r"\bwhat else\b|\bwhat about\b|\bhow about\b")
# A wh-word opening a statement, not a question: "What I'm hearing is…", "When you drink, you…".
_WH_STATEMENT = _rx(
    r"^(?:what (?:i'm hearing|i hear|you're saying|you said|you're describing|you've described|i'm getting|"
    r"stands out|strikes me|you've told me|i understand|matters|i notice)|when you\b[^,?]*,|"
    r"(?:what|how|why|when|where|who|which) (?:you|i|we|they|he|she|that|this|everything|all)\b(?!'s)|"
    r"how (?:hard|difficult|tough|frustrating|scary|awful|painful|exhausting|lonely|amazing|great)\b"
    r"(?! (?:is|was|has|does|did)))"
)
_YESNO = _rx(r"^" + _AUX + r"\b")
_SUBORDINATE = _rx(
    r"^(?:when|if|since|because|after|before|while|although|as|given that|now that) (?:you|i|we|they|he|"
    r"she|it|things|people|that|this|the)\b[^,?]*,\s*"
)
# Questions that look yes/no but invite a story: "Can you tell me more?", "Would you describe…".
_YESNO_OPENISH = _rx(
    r"^(?:can|could|would|will) you (?:please )?(?:tell me|say|describe|talk|walk me|help me understand|"
    r"explain|give me an example|share|expand|elaborate|think of (?:a time|some|any)|imagine)\b"
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
        r"\b(?:your (?:own )?fault|you (?:only )?have yourself to blame|you brought (?:this|it) on|"
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
    _Rule("arguing_yes_but", r"^(?:yes|yeah),? but\b", "but"),
    _Rule(
        "arguing",
        r"\b(?:i don't believe (?:you|that)|come on\b|be honest with (?:yourself|me)|let's be honest|"
        r"how could you|why (?:on earth )?would you (?:ever |even )?(?:do|want|think|say|drink|use)|"
        r"what were you thinking|"
        r"you can't (?:really )?(?:expect|think|believe|be serious)|that's not (?:true|right|how)|"
        r"you're wrong|"
        r"it's not (?:that|so) bad|others have it (?:much |far )?worse|could be (?:much |a lot )?worse|"
        r"(?:snap|get) (?:out of it|over it)|pull yourself together|grow up|man up|toughen up|"
        r"cheer up|just be (?:positive|happy)|look on the bright side)",
        "believe come honest could why thinking expect think serious true right how wrong bad worse out over "
        "pull grow man toughen cheer positive happy bright",
    ),
]

# Directive advice in statement form: "you should…", "you need to…".
_DIRECTIVE_YOU = _Rule(
    "advice_without_permission",
    r"\byou\b(?<!\bdo you)(?<!\bdid you)(?<!\bwhat you)(?<!\bfeel you)(?<!\bthink you)(?<!\bthat you)"
    r"(?<!\bsay you)(?<!\bif you)(?<!\bwhether you)(?<!\bwhen you) "
    r"(?:really |just |absolutely |definitely |seriously |honestly |simply |probably |clearly )?"
    r"(?:should(?:n't)?(?! be (?:proud|pleased|glad))|need to|needs to|have to|must(?!'ve| have|"
    r" be (?:feeling|so|really))|"
    r"ought to|'ve got to|have got to|gotta|had better|'d better|better (?:stop|start|cut|get|go|not)|"
    r"'ll (?:need|have) to|will (?:need|have) to)\b",
    "should shouldn need needs have must ought got gotta better ll will",
)
_DIRECTIVE_OTHER = _Rule(
    "advice_without_permission",
    r"\b(?:i want you to|i need you to|i'd like you to (?!tell|say|describe|share|think about what)|"
    r"i (?:really |strongly )?(?:think|believe|feel) (?:you|we) (?:should|need|must|ought|have to)|"
    r"if i were you|if i was you|the (?:best|only|right) thing (?:to do |for you )?(?:is|would be) to|"
    r"it's (?:really |very )?important (?:that you|for you to)|"
    r"you (?:can't|cannot|mustn't) (?:keep|go on|continue|carry on)|my advice (?:is|would be)|"
    r"i (?:strongly )?(?:suggest|recommend|advise) (?:that )?you|i(?:'d| would) (?:strongly )?(?:suggest|"
    r"recommend|"
    r"advise)|the answer is (?:to|simple)|all you (?:have|need) to do|if you (?:just|only) (?:stopped|tried|"
    r"did|went|cut))\b",
    "want need like think believe feel were was thing important can cannot mustn advice suggest recommend "
    "advise answer all just only",
)
# Imperatives at the start of a statement: "Try to…", "Just stop…", "Make sure you…".
_IMPERATIVE = _rx(
    r"^(?:just |please |you )?(?:try(?: to)?|stop|quit|cut (?:down|back|out)|go (?:and|to|see|for|out)|"
    r"make sure|avoid|get (?:some|more|rid|help|out|a|an|yourself|back)|start|keep (?!(?:going|telling me))|"
    r"take (?:your|some|a|the)|call|ring|phone|text|talk to|see (?:a|your|the|someone)|exercise|"
    r"drink (?:less|water)|"
    r"eat|sleep (?:more|earlier)|don't (?:drink|use|smoke|go|let|give up|be|stay|isolate|skip|stop)|never|"
    r"remember to|think about (?:stopping|cutting|getting|going|talking|trying|seeing)|throw|lock|remove|"
    r"put (?:the|your|them|it)|write (?:down|it|them|a)|join|sign up|book|download|switch|swap|replace|"
    r"use (?:the|your|a|it|them|this|that))\b"
)
_PERSUADE_Q = _Rule(
    "advice_without_permission",
    r"\b(?:why (?:don't|wouldn't|won't|can't) you(?! (?:tell|say|describe|talk about|think))|"
    r"why not (?:just |try|go|stop|cut|give)|have you (?:ever )?tried(?! to (?:kill|end|take|hurt|harm))|"
    r"have you (?:ever )?(?:thought about|considered|thought of) (?!(?:killing|ending|taking|hurting|harming|"
    r"dying|suicide|how|what|why|when|where|who|whether|if|that|it|this|the|your|my|a |any))\w+ing\b|"
    r"wouldn't it be (?:better|easier|good|wise|smart|best)|don't you think (?:you|it) (?:should|need|would|"
    r"'d|ought|"
    r"might be (?:better|time))|shouldn't you|isn't it time (?:you|to)|can't you just|couldn't you just|"
    r"would(?:n't)? it help (?:if you|to) (?:just )?(?:stop|cut|quit|try|go|get)|"
    r"what if you (?:just )?(?:stopped|tried|went|cut|quit|got|started|talked|called)|"
    r"(?:what|how) about (?:trying|going|talking|cutting|calling|getting|writing|joining|seeing|using|"
    r"keeping)|(?:maybe|perhaps) you (?:could|should|might) (?:try|start|go|call|talk|see|cut|stop|get))\b",
    "why tried thought considered wouldn think shouldn time just help if about maybe perhaps",
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
    r"what (?:are|were) (?:my|the) options|is there anything (?:i can|that might|that could))\b"
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
        r"\b(?:together|(?:work|figure) (?:on|out|through) (?:this|it|that|something) (?:with you|together)|"
        r"we (?:could|can|might) (?:work|look|figure|think|explore|talk|come up|make|plan|try|go through|"
        r"find)|"
        r"let's (?:look|think|work|figure|explore|talk|see|come up|make|plan|go through|put|write|start)|"
        r"let us (?:look|think|work)|(?:shall|should|could|can|might) we (?:look|think|work|talk|start|"
        r"make|plan|"
        r"come up|figure|go through|explore|try)|i wonder if we (?:could|might)|how (?:could|can|might) we|"
        r"what (?:could|can|might) we|as a team|figure (?:it|this|that) out with you)\b",
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
        r"determination)|(?:that's|that is|it's|it is|that was) (?:really |very |so )?(?:brave|courageous)|"
        r"you(?:'re| are| were| have been|'ve been) (?:really |very |so )?(?:brave|courageous|resourceful|"
        r"resilient|"
        r"determined|committed|persistent|strong|honest|thoughtful|insightful)\b(?! (?:about|with) (?:your|"
        r"the) (?:drinking|problem)))",
        "courage guts strength bravery effort honesty determination brave courageous resourceful resilient "
        "determined committed persistent strong honest thoughtful insightful",
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
        r"you(?:'ve| have)? (?:already )?(?:shown|proven|demonstrated) (?:that )?you)",
        "shows says speaks demonstrates strength strengths determination determinations commitment "
        "commitments "
        "courage courages honesty honestys resilience resiliences persistence persistences dedication "
        "dedications resourcefulness resourcefulnesss openness opennesss insight insights effort efforts "
        "care proud pleased step "
        "achievement accomplishment change good done appreciate respect admire thank thanks shown proven "
        "demonstrated",
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
        "info_population",
        r"\b(?:(?:many|most|lots of|a lot of|some|other|plenty of) (?:people|folks|adults|patients|clients|"
        r"young people|women|men|parents|students|others)\b|"
        r"(?:it's|it is|that's|that is|this is) (?:really |very |quite |pretty |incredibly )?(?:common|"
        r"normal|usual|"
        r"typical|understandable|not unusual|a common)|(?:one|1) in (?:every )?(?:two|three|four|five|six|"
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
        "understandable unusual one 1 % percent cent alone only research study studies evidence statistic "
        "statistics guideline guidelines limit limits level levels amount amounts units unit cause lead "
        "increase affect worsen "
        "interfere reduce improve raise lower damage linked associated related side withdrawal days weeks "
        "months",
    ),
    _Rule(
        "info_service",
        r"\b(?:(?:the|this|our) (?:service|clinic|team|line|helpline|group|programme|program|session|"
        r"appointment|"
        r"centre|center|practice|referral|waiting list|form|questionnaire|screening|assessment|score|"
        r"results?) (?:is|are|will|can|runs|opens|lasts|takes|includes|offers|has|was|shows|means)|(?:is|"
        r"are) (?:open|available|"
        r"free|confidential|anonymous) (?:24|any|all|every|to|at|from|on|for)|(?:stays?|is|are|remains?|"
        r"kept) (?:strictly )?(?:confidential|private|between us|between you and me)|"
        r"confidential(?:ity)? (?:unless|except)|"
        r"(?:unless|except (?:if|when)) (?:you|i|there|someone) (?:tell|told|are|is|think|believe)|"
        r"i (?:would|will|may|might) (?:need|have) to (?:share|tell|let|inform|pass)|i'm (?:required|obliged|"
        r"a mandated)|by law|legally|your (?:score|results?|records?|notes?) (?:is|are|show|will|stay)|"
        r"you can (?:always |also )?(?:call|ring|phone|text|contact|reach|go to|come back|get in touch|"
        r"drop in|book|refer yourself|self[- ]refer)|we have (?:about |around )?(?:\d+|\w+) minutes|(?:my|"
        r"our) role (?:is|here)|i'm (?:a|an|the) (?:nurse|doctor|"
        r"counsel?lor|therapist|trainee|student|social worker|psychologist|pharmacist|practitioner|worker|"
        r"volunteer|support worker))\b",
        "service clinic team line helpline group programme program session appointment centre center "
        "practice "
        "referral waiting form questionnaire screening assessment score result results open available free "
        "confidential anonymous private between confidentiality unless except share tell let inform pass "
        "required obliged mandated law legally records record notes note minutes role nurse doctor "
        "counsellor "
        "counselor therapist trainee student social psychologist pharmacist practitioner worker volunteer "
        "can",
    ),
    _Rule(
        "info_clinical",
        r"\b(?:(?:we|doctors|experts|guidelines|the nhs|the guidance) (?:usually |generally |often |don't |"
        r"do not |really |also )?(?:recommend|advise|suggest|consider|define|call|know that|have found)|"
        r"what we call|(?:this|the|your) (?:medication|medicine|"
        r"tablets?|pills?|drug|treatment|therapy|inhaler|patch|gum|dose|prescription|test|scan|level|limit|"
        r"condition) (?:is|are|can|will|may|works|helps|has|contains|comes|usually|typically|tends)|"
        r"puts you (?:in|at)|(?:high|higher|low|lower|increased)[- ]risk|there (?:is|are) (?:some|a few|"
        r"several|many|"
        r"different|two|three) (?:\w+ )?(?:medications|treatments|options|approaches|services|groups|ways|"
        r"types|"
        r"kinds|risks|categories)|i (?:just )?(?:want|wanted|need|'d like|would like) to (?:let you know|"
        r"tell you about|explain|mention|give you some information)|just so you know|for your information|"
        r"the reason (?:why )?i(?:'m| am) "
        r"asking|(?:is|it's) recommended|i (?:have |also |just |did )?noticed? (?:that )?|"
        r"i(?:'ll| will) (?:be (?:by|back|in touch|around)|stop by|call|see you|send|ring|check (?:in|"
        r"back)|book|write|refer))\b",
        "we doctors experts guidelines nhs guidance call know found medication medicine tablet tablets "
        "pill pills drug "
        "treatment therapy inhaler patch gum dose prescription test scan level limit condition puts risk "
        "medications treatments options approaches services groups ways types kinds risks categories let "
        "tell explain mention information know reason recommended noticed notice ll will",
    ),
]
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
_YOU = _rx(r"\byou(?:'re|'ve|'d|r|rself)?\b")
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
]
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
    stuff""".split()  # noqa: SIM905 (a compact word list reads better than a 300-item literal)
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
    r"can't go on|(?:plan|thought|thinking) (?:about|of) (?:doing|it)|do it|done it)\b"
)
_C_SSRS = [
    (
        R.ASK_WISH_DEAD,
        _Rule(
            "cssrs_wish_dead",
            r"\b(?:wish(?:ed|ing)? (?:that )?you (?:were|was|could be) (?:dead|not (?:alive|here|around))|"
            r"(?:go|gone|went|fall|falling) to sleep and (?:not|never) wake(?: up)?|sleep and not wake|"
            r"(?:not|never) "
            r"(?:to )?wake up|better off dead|(?:wish(?:ed)?|want(?:ed)?|wanting) to (?:be dead|die)|"
            r"(?:didn't|don't|do not|did not|not) (?:want|wanting|wish|wishing) to (?:be alive|live|be here|"
            r"be around|wake up|exist)|"
            r"(?:rather|prefer to) (?:be dead|not be (?:alive|here|around)|not wake|not exist)|(?:life|"
            r"living) "
            r"(?:is(?:n't| not)|was(?:n't| not)) worth (?:living|it)|(?:not|isn't|wasn't) worth living|"
            r"people (?:would be )?better off without you|(?:wished|wish) you (?:weren't|"
            r"hadn't been) (?:alive|born|here)|"
            r"(?:wish|wished|want|wanted) (?:it|everything|life) (?:to|would) (?:end|stop|be over)|"
            r"thoughts? (?:of|about) (?:death|dying|being dead))\b",
            "dead alive here around wake die live exist worth without born end stop over death dying",
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
            r"(?:would|will|might|could) (?:actually |really )?(?:act|go through with|follow through|do it)|"
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
            r"\b(?:(?:ever |have you )?(?:done|did|do) anything(?:,| or| to)|started to do anything|"
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
            r"if)|what (?:do|did|would|might) you notice (?:first|when|before|in yourself)|"
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
            r"temple|cinema|friend's)|social (?:settings?|places?|activities|situations?)|out of the house|"
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
            r"knives|blades|razors?|rope|ligatures?) (?:in|at|around) (?:the|your) (?:house|home|flat|place)|"
            r"(?:smaller|small) (?:quantities|amounts|packs|supplies)|blister packs?|means safety|"
            r"lethal means|"
            r"(?:anything|something|things) (?:\w+ ){0,4}(?:you could|you might|you'd|to) use to (?:hurt|"
            r"harm|kill|end))\b",
            "away out somewhere locked with lock lockbox remove removing rid dispos* hand give "
            "safe safer else elsewhere pills tablets medication medications medicine medicines weapon "
            "weapons gun guns "
            "firearm firearms knives blades blade razor razors rope ligature ligatures means smaller small "
            "blister lethal use",
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


def _content(text: str) -> set[str]:
    return {_stem(w) for w in _WORD.findall(text) if w not in _STOP and len(w) > 2}


class _Sentence:
    __slots__ = ("head", "qev", "qrule", "qtype", "question", "statement_part", "tagged", "text")

    def __init__(self, text: str):
        self.text = text
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


class Coder:
    """Codes trainee utterances. Construct once per session (topics are compiled), then call :meth:`code`."""

    version: str = CODER_VERSION

    def __init__(self, topics: Mapping[str, Sequence[str]] | None = None):
        self.version = CODER_VERSION
        self._topics = _TopicIndex(topics if topics is not None else merged_topics())
        self._gated = True  # tests switch this off to prove the word gates never change a result

    # --------------------------------------------------------------------------------------------------------
    def code(self, text: str, prior: str | None = None) -> Coding:
        """Code one trainee utterance; ``prior`` is the client's previous utterance (reflection context)."""
        raw = (text or "").translate(_QUOTES).strip()
        low = raw.lower()
        if not low.strip(" .,!?;:-\"'"):
            return Coding(
                behaviours=[B.OTHER], cues=[Cue(code=B.OTHER.value, rule="no_words", evidence=_clip(raw))]
            )
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

        sentences = [_Sentence(s) for s in _SENT_SPLIT.split(low) if s and s.strip(" .,!?;:-\"'")]
        permission = _ASK_PERMISSION.search(low, words) or _OFFER_FRAME.search(low, words)
        asked_for_advice = _ADVICE_REQUEST.search(prior_low) if prior_low else None
        check_risk = _RISK_GATE.open_for(low, words)
        risk_context = check_risk and bool(
            _RISK_CONTEXT.search(low) or (_RISK_CONTEXT.search(prior_low) if prior_low else None)
        )

        # A statement that leads into a question referring back to it ("Sometimes people wish they could go to
        # sleep and not wake up. Have you had thoughts like that?") asks what it describes.
        lead_in = [False] * len(sentences)
        refers_back = False
        for i in range(len(sentences) - 1, -1, -1):
            s = sentences[i]
            _classify_question(s)
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
            claimed = _content_rules(s, words, add, permission, asked_for_advice)
            if check_risk:
                _risk(s, words, flags, risk_context, lead_in[i])
            if not s.question and not claimed and _is_reflection(s, prior_low):
                reflection_sents.append(s)

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
        return Coding(behaviours=behaviours, topics=topics, risk_flags=risk, cues=cues)

    def _all_topics(self, text: str) -> dict[str, str]:
        found: dict[str, str] = {}
        for _, matcher in self._topics.order:
            found.update(matcher.match(text))
        return found


# ------------------------------------------------------------------------------------------------------------
# The passes, as module functions (no per-call attribute lookups on self)
# ------------------------------------------------------------------------------------------------------------


def _classify_question(s: _Sentence) -> None:
    head = s.head
    text = s.text.rstrip()
    mark = text.endswith("?")
    if not mark and _WH_STATEMENT.match(head):
        return
    if mark:
        m = _SUBORDINATE.match(head)  # "When you say X, do you mean…?": the main clause decides
        if m and m.end() < len(head):
            head = head[m.end() :]
    m = _OPEN_STEM.match(head) or _OPEN_CURIOUS.match(head) or _YESNO_OPENISH.match(head)
    if m:
        s.ask(B.OPEN_QUESTION, "open_invitation", _lead(head))
        return
    tag = _TAG.search(text) if mark else None
    if tag:
        s.tagged = True
        s.statement_part = text[: tag.start()]
    if _WH_OPEN.match(head):
        s.ask(B.OPEN_QUESTION, "wh_question", _lead(head))
        return
    if _YESNO.match(head) and (mark or head.count(" ") >= 2):
        if mark and not tag:
            m = _WHAT_ELSE.search(head)
            if m:
                s.ask(B.OPEN_QUESTION, "what_else", m.group(0))
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
    if not tag:
        if _WH_OPEN.match(last_clause) or _OPEN_STEM.match(last_clause):
            s.ask(B.OPEN_QUESTION, "wh_question", _lead(last_clause))
            return
        m = _WHAT_ELSE.search(head)
        if m:
            s.ask(B.OPEN_QUESTION, "what_else", m.group(0))
            return
    if _YESNO.match(last_clause):
        s.ask(B.CLOSED_QUESTION, "yes_no_opener", _lead(last_clause))
        return
    s.ask(B.CLOSED_QUESTION, "tag_question" if tag else "rising_statement", head[-60:])


def _content_rules(s: _Sentence, words, add, permission, asked_for_advice) -> bool:
    """Apply the content rules to one sentence. True when the sentence is claimed (so not a reflection)."""
    t = s.text
    claimed = False
    for rule in _CONFRONT:
        m = rule.search(s.head if rule.name == "arguing_yes_but" else t, words)
        if m:
            add(B.CONFRONT, rule.name, m.group(0))
            claimed = True
            break

    # Affirmations first: "you should be proud" is not advice.
    for rule in _AFFIRM:
        m = rule.search(t, words)
        if m:
            add(B.AFFIRM, rule.name, m.group(0))
            claimed = True
            break

    statement = s.statement_part if (not s.question or s.tagged) else ""
    strong = None
    if statement:
        strong = _DIRECTIVE_YOU.search(statement, words) or _DIRECTIVE_OTHER.search(statement, words)
        if strong is None and not s.question:
            strong = _IMPERATIVE.match(s.head)
            if strong is not None and _OPEN_STEM.match(s.head):
                strong = None
    if strong is None and s.question:
        strong = _PERSUADE_Q.search(t, words)
    soft = None if strong or s.question else _SOFT_ADVICE.search(t, words)
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
    if not s.question and strong is None and soft is None:
        m = _INFO_CONCERN.match(s.head)
        if m:
            add(B.GIVE_INFORMATION, "info_concern", m.group(0))
            return True
        for rule in _INFO:
            m = rule.search(t, words)
            if m:
                add(B.GIVE_INFORMATION, rule.name, m.group(0))
                claimed = True
                break
    return claimed


def _is_reflection(s: _Sentence, prior_low: str) -> bool:
    head = s.head
    if len(head) < 4 or _GENERIC_PRAISE.match(head):
        return False
    if _REFLECT_STEM.match(head):
        return True
    if head.startswith(_NOT_REFLECTION_START):
        return False
    if head.count(" ") >= 2 and _YOU.search(head) and _YOU.search(_SOCIAL_YOU.sub(" ", head)):
        return True
    # No 'you' but an echo of what the client just said ("A lot going on at work.").
    if prior_low and head.count(" ") >= 1:
        mine = _content(head)
        if len(mine) >= 2 and len(mine & _content(prior_low)) >= max(2, len(mine) // 2):
            return True
    return False


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
            add(B.COMPLEX_REFLECTION, "reflection_adds_meaning", " ".join(sorted(new)[:6]))
            return
        shared = mine & theirs
        add(
            B.SIMPLE_REFLECTION,
            "reflection_repeats_client",
            f"{evidence} (shared: {' '.join(sorted(shared)[:6])})" if shared else evidence,
        )
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
