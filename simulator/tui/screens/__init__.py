"""One screen per task: library, briefing, encounter, debrief, history, compare, settings; modals for help,
questions and reflection notes; and the facilitator preview."""

from __future__ import annotations

from .briefing import BriefingScreen
from .compare import CompareScreen
from .confirm import ConfirmScreen
from .debrief import DebriefScreen
from .encounter import EncounterScreen
from .help import HelpScreen
from .history import HistoryScreen
from .override import OverrideScreen
from .picker import ScenarioPicker
from .preview import PreviewScreen
from .reflect import ReflectScreen
from .settings import SettingsScreen

SCREENS = (
    ScenarioPicker,
    BriefingScreen,
    EncounterScreen,
    DebriefScreen,
    HistoryScreen,
    CompareScreen,
    SettingsScreen,
    PreviewScreen,
    HelpScreen,
    ConfirmScreen,
    OverrideScreen,
    ReflectScreen,
)

__all__ = [
    "SCREENS",
    "BriefingScreen",
    "CompareScreen",
    "ConfirmScreen",
    "DebriefScreen",
    "EncounterScreen",
    "HelpScreen",
    "HistoryScreen",
    "OverrideScreen",
    "PreviewScreen",
    "ReflectScreen",
    "ScenarioPicker",
    "SettingsScreen",
]
