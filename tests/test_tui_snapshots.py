"""Snapshot tests of the main screens at a fixed terminal size.

Update the baselines after a deliberate change with ``pytest tests/test_tui_snapshots.py --snapshot-update`` and
review ``snapshot_report.html``. The picker is given a pinned library (Helen plus one broken file), so new
built-in scenarios do not change it; the debrief follows the scenario, rubric and scoring texts, so a change to
those needs a reviewed update here too. Nothing time-based is rendered (no clock, no ids, no durations).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from simulator.library import Entry, Library, known_rubric_ids, load_scenario
from simulator.tui.app import MhsimApp
from simulator.tui.screens import DebriefScreen, EncounterScreen
from simulator.tui.widgets import Composer
from simulator.yamlfile import FileProblems

ROOT = Path(__file__).resolve().parent.parent
HELEN = "low-mood-passive-si"
SIZE = (100, 34)
SCRIPT = [
    "What brings you in today?",
    "How have you been feeling in yourself lately?",
    "It sounds like things have felt heavy and grey for a long time, and you've been carrying it on your own.",
    "How have you been sleeping?",
]


@pytest.fixture
def colour(monkeypatch: pytest.MonkeyPatch) -> None:
    """Snapshots in colour, whatever the shared conftest sets."""
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.fixture
def pinned_library(tmp_path: Path) -> Library:
    """Helen and one broken file, nothing else."""
    rubric_ids = known_rubric_ids()
    helen_path = ROOT / "scenarios" / f"{HELEN}.scenario.yaml"
    entries = [Entry(path=helen_path, builtin=True, scenario=load_scenario(helen_path, rubric_ids))]
    broken = tmp_path / "half-written.scenario.yaml"
    broken.write_text("schema_version: 1\nid: half-written\ntitle: [unclosed\n", encoding="utf-8")
    try:
        load_scenario(broken, rubric_ids)
    except FileProblems as exc:
        entries.append(Entry(path=broken, builtin=False, problems=exc.problems))
    return Library(entries)


async def settle(pilot: Pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def test_picker(snap_compare, colour, pinned_library: Library) -> None:
    app = MhsimApp(chunk_delay=0, store=False, library=pinned_library)
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


def test_briefing(snap_compare, colour) -> None:
    app = MhsimApp(chunk_delay=0, store=False, scenario_id=HELEN)
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


async def _short_session(pilot: Pilot) -> None:
    """Briefing → Start → four trainee turns → end → debrief."""
    await settle(pilot)
    await pilot.press("enter")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, EncounterScreen)
    for line in SCRIPT:
        screen.query_one(Composer).load_text(line)
        await pilot.press("enter")
        await settle(pilot)
    await screen.end_session()
    await settle(pilot)
    assert isinstance(pilot.app.screen, DebriefScreen)


def test_encounter(snap_compare, colour) -> None:
    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("enter")
        await pilot.pause()
        for line in SCRIPT[:2]:
            pilot.app.screen.query_one(Composer).load_text(line)
            await pilot.press("enter")
            await settle(pilot)
        pilot.app.screen.query_one(Composer).cursor_blink = False  # a blinking cursor is not deterministic

    app = MhsimApp(chunk_delay=0, store=False, scenario_id=HELEN)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_debrief(snap_compare, colour) -> None:
    app = MhsimApp(chunk_delay=0, store=False, scenario_id=HELEN, goodbye_pause=0)
    assert snap_compare(app, terminal_size=SIZE, run_before=_short_session)


def test_debrief_without_colour(snap_compare, monkeypatch: pytest.MonkeyPatch) -> None:
    """With NO_COLOR every status still reads as a symbol and words."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = MhsimApp(chunk_delay=0, store=False, scenario_id=HELEN, goodbye_pause=0)
    assert snap_compare(app, terminal_size=SIZE, run_before=_short_session)
