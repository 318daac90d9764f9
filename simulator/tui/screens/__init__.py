"""One screen per task: pick a scenario, read the briefing, hold the encounter, read the debrief."""

from __future__ import annotations

from .briefing import BriefingScreen
from .confirm import ConfirmScreen
from .debrief import DebriefScreen
from .encounter import EncounterScreen
from .help import HelpScreen
from .picker import ScenarioPicker

__all__ = [
    "BriefingScreen",
    "ConfirmScreen",
    "DebriefScreen",
    "EncounterScreen",
    "HelpScreen",
    "ScenarioPicker",
]
