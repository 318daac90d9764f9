"""Estimated MITI 4.2.1 global ratings from coded behaviours and the client's responses.

MITI's four global ratings (empathy, partnership, cultivating change talk, softening sustain talk; each 1-5)
are meant to be given by a trained rater who has heard the whole session. No rule can do that. What this
module gives is an **estimate**, labelled as such everywhere it is shown, computed from things the coder can
see:

- **Empathy** rises with the share of turns that are reflections, more so for complex reflections, and falls
  with confronting. A turn counts as reflective only when it does not also inform, advise or confront: a
  "you…" statement inside a lecture is part of the lecture.
- **Partnership** rises with seeking collaboration, emphasising autonomy, advice given with permission and
  reflections, and falls with the expert role: persuading without permission, confronting, giving
  information or advice, question runs that outnumber reflections, and the trainee doing most of the talking.
- **Cultivating change talk** looks at what followed the client's change talk: a reflection, an affirmation or
  an open question keeps it going. Open questions in general also count a little. Talk the session ends on is
  left out of both talk ratings: the trainee had no turn to answer it with.
- **Softening sustain talk** looks at what followed the client's sustain talk: reflecting it or leaving the
  choice with the client softens it; persuading or confronting hardens it. With no sustain talk the rating
  depends on the non-adherent rate alone (MITI allows a high rating when there was none).

Every estimate comes with the counts it came from, so a reader can see why. The weights were set from the
MITI descriptions before any measurement and are not fitted to any data set. The rule that a reflection inside
advice or information does not count was added after looking at the examined half of the AnnoMI development
split (``benchmarks/annomi.py``), where such turns made lecturing sessions look empathic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .codes import MI_ADHERENT, QUESTIONS, REFLECTIONS, Behaviour

B = Behaviour
ESTIMATE_NOTE = (
    "Estimated from the coded behaviours and the patient's responses, not rated by a trained MITI coder; "
    "a rough guide for practice only."
)
_ENCOURAGE = REFLECTIONS | {B.AFFIRM, B.OPEN_QUESTION}
_SOFTEN = REFLECTIONS | {B.EMPHASIZE_AUTONOMY, B.SEEK_COLLABORATION}
_HARDEN = frozenset({B.PERSUADE, B.CONFRONT})
_TELLING = frozenset({B.GIVE_INFORMATION, B.PERSUADE, B.CONFRONT})


@dataclass(frozen=True, slots=True)
class CodedTurn:
    """One utterance reduced to what the estimates need."""

    speaker: str  # "therapist" (trainee) or "client" (patient)
    behaviours: frozenset[Behaviour] = frozenset()
    talk: str | None = None  # client talk type: change, neutral or sustain
    index: int = 0  # transcript index, for evidence
    words: int = 0  # length of the utterance in words (for the share of talk)


@dataclass(slots=True)
class GlobalEstimates:
    """The four estimated global ratings (1-5), the two MITI summary averages, and the evidence."""

    empathy: float
    partnership: float
    cultivating_change_talk: float
    softening_sustain_talk: float
    therapist_turns: int
    details: dict[str, str] = field(default_factory=dict)
    evidence: dict[str, list[int]] = field(default_factory=dict)

    @property
    def relational(self) -> float:
        """MITI relational summary: (partnership + empathy) / 2."""
        return (self.partnership + self.empathy) / 2

    @property
    def technical(self) -> float:
        """MITI technical summary: (cultivating change talk + softening sustain talk) / 2."""
        return (self.cultivating_change_talk + self.softening_sustain_talk) / 2

    @property
    def overall(self) -> float:
        """Mean of the four estimates: the single MI-quality index used for comparisons."""
        return (self.empathy + self.partnership + self.cultivating_change_talk + self.softening_sustain_talk) / 4


def _clamp(x: float) -> float:
    return round(min(5.0, max(1.0, x)), 2)


def estimate_globals(turns: Sequence[CodedTurn]) -> GlobalEstimates | None:
    """Estimate the four global ratings for a transcript; None when there is no therapist turn."""
    therapist = [t for t in turns if t.speaker != "client"]
    n = len(therapist)
    if n == 0:
        return None

    def rate(codes: frozenset[Behaviour] | set[Behaviour]) -> float:
        return sum(1 for t in therapist if t.behaviours & codes) / n

    def with_(codes) -> list[int]:
        return [t.index for t in therapist if t.behaviours & codes]

    # A reflection counts where it carries the turn: one tucked into a stretch of advice or information
    # ("You've had two attacks. You need to take the inhaler every day.") does not make the turn empathic.
    def reflective(t: CodedTurn) -> bool:
        return bool(t.behaviours & REFLECTIONS) and not t.behaviours & _TELLING

    r = sum(1 for t in therapist if reflective(t)) / n
    cr = sum(1 for t in therapist if reflective(t) and B.COMPLEX_REFLECTION in t.behaviours) / n
    q = rate(QUESTIONS)
    oq = rate({B.OPEN_QUESTION})
    adherent = rate(MI_ADHERENT | {B.ADVISE_WITH_PERMISSION})
    confront = rate({B.CONFRONT})
    non_adherent = rate(_HARDEN)
    expert = rate({B.GIVE_INFORMATION, B.PERSUADE, B.ADVISE_WITH_PERMISSION})
    said = sum(t.words for t in therapist)
    heard = sum(t.words for t in turns if t.speaker == "client")
    talk_share = said / (said + heard) if said + heard else 0.5

    empathy = _clamp(1.5 + 4.0 * r + 4.0 * cr - 6.0 * confront)
    partnership = _clamp(
        2.5
        + 6.0 * adherent
        + 2.0 * r
        - 6.0 * non_adherent
        - 3.0 * expert
        - 1.5 * max(0.0, q - r)
        - 2.0 * max(0.0, talk_share - 0.5)
    )

    change_followed = sustain_followed = sustain_hardened = change_total = sustain_total = 0
    evidence_cct: list[int] = []
    evidence_sst: list[int] = []
    for i, turn in enumerate(turns):
        if turn.speaker != "client" or turn.talk not in ("change", "sustain"):
            continue
        reply = next((t for t in turns[i + 1 :] if t.speaker != "client"), None)
        if reply is None:
            continue  # the session ended on it: the trainee had no turn to answer with
        if turn.talk == "change":
            change_total += 1
            if reply.behaviours & _ENCOURAGE:
                change_followed += 1
                evidence_cct.append(reply.index)
        else:
            sustain_total += 1
            if reply.behaviours & _HARDEN:
                sustain_hardened += 1
                evidence_sst.append(reply.index)
            elif reply.behaviours & _SOFTEN:
                sustain_followed += 1
                evidence_sst.append(reply.index)

    followed = change_followed / change_total if change_total else 0.5
    cct = _clamp(1.5 + 2.5 * followed + 2.5 * oq + 1.5 * r - 3.0 * non_adherent)
    if sustain_total:
        soft = (sustain_followed - 2 * sustain_hardened) / sustain_total
        sst = _clamp(3.0 + 1.5 * soft + 2.0 * r - 6.0 * non_adherent)
    else:
        sst = _clamp(4.0 + r - 6.0 * non_adherent)

    details = {
        "empathy": (
            f"reflective turns (not also informing or advising) {r:.0%}, complex {cr:.0%}, confronting in "
            f"{confront:.0%}"
        ),
        "partnership": (
            f"adherent moves (affirm, seek, autonomy, advice with permission) in {adherent:.0%} of turns, "
            f"reflections {r:.0%}, questions {q:.0%}, persuading or confronting {non_adherent:.0%}, giving "
            f"information or advice {expert:.0%}; the trainee said {talk_share:.0%} of the words"
        ),
        "cultivating_change_talk": (
            f"{change_followed} of {change_total} change-talk turns answered with a reflection, affirmation or "
            f"open question; open questions in {oq:.0%} of turns"
            if change_total
            else f"no change talk to answer, so this rests on the open questions ({oq:.0%} of turns) and "
            f"reflections ({r:.0%})"
        ),
        "softening_sustain_talk": (
            f"{sustain_followed} of {sustain_total} sustain-talk turns reflected or left to the patient's "
            f"choice, {sustain_hardened} met with persuading or confronting"
            if sustain_total
            else f"no sustain talk; persuading or confronting in {non_adherent:.0%} of turns"
        ),
    }
    evidence = {
        "empathy": with_(REFLECTIONS | {B.CONFRONT}),
        "partnership": with_(MI_ADHERENT | {B.ADVISE_WITH_PERMISSION} | _HARDEN),
        "cultivating_change_talk": evidence_cct,
        "softening_sustain_talk": evidence_sst,
    }
    return GlobalEstimates(empathy, partnership, cct, sst, n, details, evidence)


__all__ = ["ESTIMATE_NOTE", "CodedTurn", "GlobalEstimates", "estimate_globals"]
