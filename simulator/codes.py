"""The shared vocabulary: behaviour codes, risk flags, the seven challenges.

Scenarios, the coder, rubrics and the scorer all speak these names, so they live in one place.
"""

from __future__ import annotations

from enum import StrEnum


class Behaviour(StrEnum):
    """Trainee behaviour codes, after the MITI 4.2.1 behaviour counts (open/closed split kept for teaching)."""

    OPEN_QUESTION = "open_question"
    CLOSED_QUESTION = "closed_question"
    SIMPLE_REFLECTION = "simple_reflection"
    COMPLEX_REFLECTION = "complex_reflection"
    AFFIRM = "affirm"
    SEEK_COLLABORATION = "seek_collaboration"
    EMPHASIZE_AUTONOMY = "emphasize_autonomy"
    GIVE_INFORMATION = "give_information"
    ADVISE_WITH_PERMISSION = "advise_with_permission"
    PERSUADE = "persuade"  # advice or persuasion without permission (MITI "Persuade")
    CONFRONT = "confront"
    OTHER = "other"


QUESTIONS = frozenset({Behaviour.OPEN_QUESTION, Behaviour.CLOSED_QUESTION})
REFLECTIONS = frozenset({Behaviour.SIMPLE_REFLECTION, Behaviour.COMPLEX_REFLECTION})
MI_ADHERENT = frozenset({Behaviour.AFFIRM, Behaviour.SEEK_COLLABORATION, Behaviour.EMPHASIZE_AUTONOMY})
MI_NON_ADHERENT = frozenset({Behaviour.PERSUADE, Behaviour.CONFRONT})


class RiskFlag(StrEnum):
    """Suicide-risk moves in a trainee turn: C-SSRS screener questions and Stanley-Brown safety-plan steps."""

    ASK_WISH_DEAD = "ask_wish_dead"  # C-SSRS 1: wished to be dead / not wake up
    ASK_SUICIDAL_THOUGHTS = "ask_suicidal_thoughts"  # C-SSRS 2: thoughts of killing oneself
    ASK_METHOD = "ask_method"  # C-SSRS 3: thought about how
    ASK_INTENT = "ask_intent"  # C-SSRS 4: intention of acting
    ASK_PLAN = "ask_plan"  # C-SSRS 5: worked out details / plan
    ASK_PAST_BEHAVIOUR = "ask_past_behaviour"  # C-SSRS 6: done or prepared anything
    SP_WARNING_SIGNS = "sp_warning_signs"  # Stanley-Brown step 1
    SP_COPING = "sp_coping"  # step 2: internal coping strategies
    SP_DISTRACTION = "sp_distraction"  # step 3: people and places that distract
    SP_SUPPORT = "sp_support"  # step 4: people to ask for help
    SP_PROFESSIONAL = "sp_professional"  # step 5: professionals, crisis lines
    SP_MEANS_SAFETY = "sp_means_safety"  # step 6: making the environment safe


SCREENER = (
    RiskFlag.ASK_WISH_DEAD,
    RiskFlag.ASK_SUICIDAL_THOUGHTS,
    RiskFlag.ASK_METHOD,
    RiskFlag.ASK_INTENT,
    RiskFlag.ASK_PLAN,
    RiskFlag.ASK_PAST_BEHAVIOUR,
)
DIRECT_RISK_QUESTIONS = frozenset({RiskFlag.ASK_WISH_DEAD, RiskFlag.ASK_SUICIDAL_THOUGHTS})
SAFETY_PLAN_STEPS = (
    RiskFlag.SP_WARNING_SIGNS,
    RiskFlag.SP_COPING,
    RiskFlag.SP_DISTRACTION,
    RiskFlag.SP_SUPPORT,
    RiskFlag.SP_PROFESSIONAL,
    RiskFlag.SP_MEANS_SAFETY,
)


class Challenge(StrEnum):
    """The seven challenges of bringing AI into mental-health care; content is tagged with them."""

    ACCESS_EQUITY = "access_equity"
    PRIVACY_SECURITY = "privacy_security"
    ETHICS_BOUNDARIES = "ethics_boundaries"
    ACCURACY_RELIABILITY = "accuracy_reliability"
    INTEGRATION = "integration"
    RESISTANCE_TO_CHANGE = "resistance_to_change"
    EVIDENCE_BASE = "evidence_base"


CHALLENGE_TITLES = {
    Challenge.ACCESS_EQUITY: "Access and equity",
    Challenge.PRIVACY_SECURITY: "Data privacy and security",
    Challenge.ETHICS_BOUNDARIES: "Ethics and professional boundaries",
    Challenge.ACCURACY_RELIABILITY: "Accuracy and reliability",
    Challenge.INTEGRATION: "Integration with existing systems (EHR)",
    Challenge.RESISTANCE_TO_CHANGE: "Resistance to change",
    Challenge.EVIDENCE_BASE: "Evidence base",
}
