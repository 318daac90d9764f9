"""Client talk type: change talk, sustain talk or neutral, after the MI idea of DARN-CAT.

Change talk is the client's own language in favour of change (desire, ability, reasons, need, commitment,
activation, taking steps); sustain talk favours the status quo. A small rule set, no model: it looks for the
client speaking in the first person about wanting, being able, needing or doing something about the problem,
and for the opposite (not wanting to, not able to, the behaviour being fine or helpful). Negation flips a
change phrase into sustain ("I don't want to stop").

A scenario can say which of its facts are change or sustain talk (``talk:`` on a fact); when the patient's
words contain one of those authored lines, :func:`talk_in_session` takes the author's label instead.

Used to estimate how a trainee's moves were answered (the MI global ratings "cultivating change talk" and
"softening sustain talk" are estimated from it) and by ``mhsim code --scheme annomi`` for client rows.
Expert agreement on this label is low (AnnoMI reports Fleiss' κ 0.47), so treat it as a rough signal.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

TalkType = Literal["change", "neutral", "sustain"]

if TYPE_CHECKING:
    from .scenario import Scenario

_CHANGE = re.compile(
    r"\b(?:i (?:really |do |just |kind of |sort of |definitely |genuinely )?"
    r"(?:want to|wanna|would like to|'d like to|wish to|hope to|would love to|'d love to) "
    r"(?:stop|quit|cut|change|get|be|start|try|do|have|make|reduce|feel|lose|give)|"
    r"i (?:need|have|ought|must|should|gotta|got) to (?:stop|quit|cut|change|get|do|start|make|reduce|deal|"
    r"sort|give|try|look)|"
    r"i (?:could|can|might be able to|think i can|think i could|'m able to|am able to) (?:stop|quit|cut|change|"
    r"try|do (?:it|that|this)|start|manage|give)|"
    r"i(?:'m| am| will|'ll) (?:going to|gonna|ready to|willing to|planning to|start|try|stop|quit|cut|make)|"
    r"i(?:'ve| have) (?:started|stopped|cut|quit|been (?:really |actually )?(?:trying|cutting|cutting back|"
    r"going)|decided|tried|managed|made)|"
    r"it(?:'s| is) (?:time|important to me)|i (?:don't|do not) want to (?:end up|be like|lose|keep|feel like "
    r"this|go back)|(?:worried|scared|afraid|concerned) (?:about|that|of)|it(?:'s| is) (?:affecting|hurting|"
    r"ruining|damaging|costing)|(?:too much|a problem|getting worse|out of (?:hand|control))|"
    r"better (?:for me|off) (?:if|without)|i (?:miss|hate (?:what|how|that|it))|i'd be (?:better|happier|"
    r"healthier)|"
    # Commitment and steps, with a hedge or two ("I could maybe try", "I'll give it a go").
    r"i (?:could|can|might|will|'ll) (?:maybe |probably |definitely |really |just |at least |try to |"
    r"start to )+(?:stop|quit|cut|change|try|do|start|manage|give|go|reduce|limit|make|call|talk|ask|book)|"
    r"i(?:'ll| will) (?:give it a (?:go|try|shot)|do (?:anything|whatever it takes)|talk to|call|ask|book|"
    r"look into|think about (?:it|that|cutting|stopping|quitting))|"
    r"i (?:won't|will not|'m not going to|am not going to|'m not gonna) (?:drink|smoke|use|go back|do (?:it|"
    r"that) again)|(?:there's|there is) no way i'm going back|i can't go back|"
    r"i (?:think )?i(?:'d| would) (?:feel|be|sleep|do) (?:a lot |much |so )?(?:better|healthier|happier)|"
    # the client's own verdict on a step ("I think that would help", "Yeah, that'd be worth a try"), not what
    # someone else thought ("the GP thought it would be a good idea")
    r"(?:i (?:think|guess|suppose|reckon) |(?:^|[.!?] )(?:yeah,? |yes,? |okay,? |ok,? |well,? )?)(?:that|it)"
    r"(?:'d| would| could| might) (?:be (?:a )?(?:good idea|worth (?:a )?try(?:ing)?)|help(?: me)?)|"
    r"i (?:need|could use|'d like|would like|want) (?:some )?help (?:with|to|from)|"
    r"i(?:'ve| have) (?:already )?(?:cut|stopped|quit|started|been cutting|been trying|been going|managed|"
    r"reduced|switched|made an appointment|booked)|i (?:don't|do not) (?:like|want) (?:the way (?:it|i)|"
    r"what it'?s? (?:doing|done)|being (?:like this|this way|hungover|sick))|"
    r"i(?:'m| am) (?:thinking about|considering|ready to|willing to|open to) (?:cutting|stopping|quitting|"
    r"changing|trying|it|that|doing)|"
    # Reasons and need in the client's own words: the behaviour gets in the way, messes things up, matters.
    r"(?:it|that|this|drinking|smoking|using|vaping) (?:kind of |kinda |really |just |always )?"
    r"(?:gets? in the way|mess(?:es|ed)? (?:things |it |me |everything )?up|"
    r"screw(?:s|ed)? (?:things |it |me |everything )?up)|"
    r"i(?:'ve| have)? (?:already |really )?(?:screwed|messed|fucked) (?:it|things|everything) up|"
    r"(?:tired|sick) of (?:getting|being|feeling|waking)|"
    r"(?:this|that|it)(?:'s| is) (?:really |very |so )?important (?:to me|for me)|"
    r"i (?:still )?think (?:it's|it is|that's|that is) (?:really |very )?important|"
    # The client's own verdict, at the start of a sentence (not "the GP thought it would be a good idea").
    r"(?:^|[.!?] )(?:(?:i think|yeah,?|yes,?|okay,?|well,?) )*(?:that|it)(?:'s| is| sounds like| might (?:not )?be| "
    r"would be|'d be) (?:a )?(?:good|great|not a bad|not be a bad) idea|"
    r"(?:it|that)(?:'d| would) make (?:everything|things|it|life) easier|"
    r"i(?:'d| would)? (?:really )?(?:hope|love for) (?:that )?(?:they|she|he|her|him|my \w+)(?:'d| would)? "
    r"(?:be proud|to know)|"
    # Need and steps: "I guess I should call them", "I could take it at night" (not "I have to go now").
    r"i (?:guess |think |probably )*(?:i )?(?:should|could|need to|have to|'ll have to) (?:probably |"
    r"really |maybe )?(?:start|try|talk|call|stop|cut|set|take (?:it|them|my|the))|"
    r"(?:^|[.!?,] )(?:okay,? |all right,? |alright,? |yeah,? )?i(?:'ll| will) do (?:that|it|this)\b(?! again)|"
    r"i won't (?:bring|buy|keep|have)|(?:^|[.!?] )(?:probably |really )?need to (?:talk|start|stop|cut))\b"
)
_SUSTAIN = re.compile(
    r"\b(?:i (?:don't|do not|dont|can't|cannot|won't|will not|couldn't) (?:really )?(?:(?:want to|wanna)"
    # not wanting to change, not "I don't want to be here" (risk) or "I don't want to put it on her"
    r"(?! (?:be here|be around|be alive|live|wake|exist|put|burden|bother|worry|upset|hurt|let)\b)|think i "
    r"(?:can|could|need|should)|see (?:the|a|why)|need to|have to|stop|quit|cut|change|do (?:it|that|this)|"
    r"give (?:it|that) up|imagine)|"
    r"i(?:'m| am) not (?:ready|going to|gonna|sure i (?:can|want)|willing|an alcoholic|addicted)|"
    r"(?:it's|it is|that's|that is) (?:not (?:a|that|really a|much of a) (?:problem|big deal|issue)|fine|"
    r"not that bad|not so bad|under control|normal)|"
    r"(?:it|that|drinking|smoking|it really) (?:helps|relaxes|calms) me|i (?:like|love|enjoy) (?:it|drinking|"
    r"smoking|having|the)|everyone (?:does|drinks|smokes)|(?:no|not a) (?:big deal|problem)|"
    r"i (?:need|have) (?:it|a drink|my)|there's no point|i've tried (?:before|that)|never works|"
    r"what's the point|i(?:'m| am) fine|nothing wrong|"
    r"i (?:don't|do not) think (?:it's|it is|that's|i have|i've got|there's) (?:a |that |really a |much of a |"
    r"too )?(?:problem|big deal|issue|much|bad)|"
    r"i(?:'m| am) (?:totally |just |really |definitely )?not (?:gonna|going to) (?:quit|stop|change|cut|"
    r"give)|"
    r"i (?:don't|do not) have (?:any )?(?:plans?|intention) to (?:quit|stop|change|cut)|"
    r"(?:not|never) (?:that |so |very )?easy to (?:quit|stop|change|cut)|(?:too|really|so) hard to (?:quit|"
    r"stop|"
    r"change|cut)|i(?:'d| would) hate to (?:not|stop|quit|give)|i (?:just )?(?:don't|do not) want to "
    r"(?:get into|"
    r"talk about|quit|stop|change|give (?:it|that) up|cut)|i (?:like|love|enjoy) (?:to have|having) (?:a|my)|"
    r"(?:it's|it is) (?:very |really |so )?(?:enjoyable|relaxing|a stress reliever|my only)|"
    r"(?:only|just) (?:a|one|a few|a couple(?: of)?) (?:drinks?|beers?|glasses|cigarettes|smokes|joints?|"
    r"times)|i (?:don't|do not) (?:consider|see) (?:it|my|that|myself)|i (?:don't|do not) have (?:the "
    r")?time|"
    # Playing it down: "I don't drink that much", "it's not like I get drunk", "barely a pack".
    r"i (?:don't|do not) (?:really )?(?:think i )?(?:drink|smoke|use|vape) (?:that|very|so|too) (?:much|"
    r"often|a lot)|it's not like i|(?:smoke|drink|use) (?:barely|hardly)|"
    r"it's (?:just |only |pretty |kind of )?(?:normal|fun|what everyone)|it's just fun|"
    # Doubt and discouragement: "I can't see myself changing", "not convinced", "it seems overwhelming".
    r"i can't see (?:myself|me) (?:changing|stopping|quitting|giving)|(?:i'm|i am) (?:definitely |really |"
    r"just )?not convinced|"
    r"(?:seems?|it's|it is|that's|that is|looks) (?:really |pretty |so |too |just )?(?:overwhelming|daunting)|"
    r"(?:they|it|that|the \w+) (?:didn't|did not|don't|doesn't|never) (?:work|help)|(?:it|that) was a waste|"
    r"i(?:'ll| will) keep (?:smoking|drinking|using|vaping))\b"
)
_YES = re.compile(r"^(?:yes|yeah|yep|definitely|absolutely|sure|i do|i would|i will|i think so|probably)\b")
_NO = re.compile(r"^(?:no|nope|not really|i don't think so|not at all|never)\b")
_CHANGE_Q = re.compile(
    r"\b(?:want to|like to|ready to|willing to|thinking (?:about|of) (?:stopping|quitting|cutting|changing)|"
    r"could you|would you|you could|you can|you would|you'd|going to|important|able to|try)\b"
)


def client_talk_type(text: str, context: Sequence[tuple[str, str]] = ()) -> TalkType:
    """Change, sustain or neutral for one client utterance; ``context`` is the turns before it, oldest first.

    A bare yes or no takes its direction from the therapist's question before it ("Do you want to cut down?"
    "Yes." is change talk).
    """
    low = (text or "").replace("\u2019", "'").lower().strip()
    if not low:
        return "neutral"
    sustain = _SUSTAIN.search(low)
    change = _CHANGE.search(low)
    if change and sustain:
        # The later phrase usually carries the weight ("I like it, but I need to cut down").
        if sustain.end() >= change.end():
            return "sustain"  # the change phrase sits inside a denial ("I don't think it's a problem")
        return "change" if change.start() > sustain.start() else "sustain"
    if change:
        return "change"
    if sustain:
        return "sustain"
    last_therapist = next((t for who, t in reversed(context) if who != "client"), "")
    if last_therapist and len(low.split()) <= 4 and _CHANGE_Q.search(last_therapist.lower()):
        if _YES.match(low):
            return "change"
        if _NO.match(low):
            return "sustain"
    return "neutral"




def authored_talk(scenario: Scenario | None, text: str) -> TalkType | None:
    """The talk type the scenario's author gave the fact whose line ``text`` contains, if any.

    Lines are compared without case or punctuation, so a recall ("Like I said, the wine's how I switch off…")
    still matches. None when no line of a fact with a talk type is in the text (an LLM patient's own words).
    """
    if scenario is None:
        return None
    from .patient import normalise

    plain = normalise(text)
    for fact in scenario.facts:
        if fact.talk is not None and any(normalise(line) in plain for line in fact.lines):
            return fact.talk
    return None


def talk_in_session(
    text: str, context: Sequence[tuple[str, str]] = (), scenario: Scenario | None = None
) -> TalkType:
    """The patient's talk type in a session: the author's label for a scripted line, else :func:`client_talk_type`."""
    return authored_talk(scenario, text) or client_talk_type(text, context)


__all__ = ["TalkType", "authored_talk", "client_talk_type", "talk_in_session"]
