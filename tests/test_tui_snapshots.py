"""Snapshot tests of every screen at a fixed terminal size, in the default and the high-contrast theme.

Update the baselines after a deliberate change with ``pytest tests/test_tui_snapshots.py --snapshot-update`` and
review ``snapshot_report.html``. The library is pinned (Helen plus one broken file), so new built-in scenarios do
not change it; the debrief follows the scenario, rubric and scoring texts, so a change to those needs a reviewed
update here too. Nothing time-based is rendered: the encounter's clock is frozen, stored sessions have fixed ids
and start times shown in UTC, and the settings' folder list is pinned. The failure lab's screens show the built-in
lab cases, so a new or retitled lab case needs a reviewed update of those two snapshots.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from textual.pilot import Pilot

from simulator.config import Config
from simulator.library import Entry, Library, known_rubric_ids, load_scenario
from simulator.records import SessionInfo
from simulator.session import Session
from simulator.store import Store
from simulator.tui.app import MhsimApp
from simulator.tui.screens import DebriefScreen, EncounterScreen, HistoryScreen, SettingsScreen
from simulator.tui.widgets import Composer
from simulator.yamlfile import FileProblems

ROOT = Path(__file__).resolve().parent.parent
HELEN = "low-mood-passive-si"
SIZE = (100, 34)
SCRIPT = [
    "What brings you in today?",
    "How have you been feeling in yourself lately?",
    "It sounds like things have felt heavy and grey for a long time, and you've been carrying it on your own.",
    "What has been happening at home?",
    "You've been through a huge loss this year.",
    "How is work going at the moment?",
]
THEMES = ["textual-dark", "mhsim-high-contrast"]


@pytest.fixture
def colour(monkeypatch: pytest.MonkeyPatch) -> None:
    """Snapshots in colour, whatever the shared conftest sets; times in UTC."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture(scope="module")
def pinned_library(tmp_path_factory: pytest.TempPathFactory) -> Library:
    """Helen and one broken file, nothing else."""
    rubric_ids = known_rubric_ids()
    helen_path = ROOT / "scenarios" / f"{HELEN}.scenario.yaml"
    entries = [Entry(path=helen_path, builtin=True, scenario=load_scenario(helen_path, rubric_ids))]
    broken = tmp_path_factory.mktemp("broken") / "half-written.scenario.yaml"
    broken.write_text("schema_version: 1\nid: half-written\ntitle: [unclosed\n", encoding="utf-8")
    try:
        load_scenario(broken, rubric_ids)
    except FileProblems as exc:
        entries.append(Entry(path=broken, builtin=False, problems=exc.problems))
    return Library(entries)


def make_app(library: Library, theme: str, **kwargs) -> MhsimApp:
    kwargs.setdefault("store", False)
    return MhsimApp(
        library=library, chunk_delay=0, goodbye_pause=0, config=Config(theme=theme), clock=lambda: 0.0, **kwargs
    )


async def settle(pilot: Pilot) -> None:
    if pilot.app.preview is None:
        await asyncio.wait_for(pilot.app.library_loaded.wait(), 60)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


async def no_blink(pilot: Pilot) -> None:
    for composer in pilot.app.screen.query(Composer):
        composer.cursor_blink = False  # a blinking cursor is not deterministic


async def encounter(pilot: Pilot, lines: list[str]) -> None:
    await settle(pilot)
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(pilot.app.screen, EncounterScreen)
    for line in lines:
        pilot.app.screen.query_one(Composer).load_text(line)
        await pilot.press("enter")
        await settle(pilot)
    await no_blink(pilot)


async def debrief(pilot: Pilot) -> None:
    await encounter(pilot, SCRIPT)
    await pilot.app.screen.end_session()
    await settle(pilot)
    assert isinstance(pilot.app.screen, DebriefScreen)


@pytest.mark.parametrize("theme", THEMES)
def test_library(snap_compare, colour, pinned_library: Library, theme: str) -> None:
    assert snap_compare(make_app(pinned_library, theme), terminal_size=SIZE, run_before=settle)


@pytest.mark.parametrize("theme", THEMES)
def test_library_at_80x24(snap_compare, colour, pinned_library: Library, theme: str) -> None:
    assert snap_compare(make_app(pinned_library, theme), terminal_size=(80, 24), run_before=settle)


@pytest.mark.parametrize("theme", THEMES)
def test_briefing(snap_compare, colour, pinned_library: Library, theme: str) -> None:
    app = make_app(pinned_library, theme, scenario_id=HELEN)
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


@pytest.mark.parametrize("theme", THEMES)
def test_encounter(snap_compare, colour, pinned_library: Library, theme: str) -> None:
    app = make_app(pinned_library, theme, scenario_id=HELEN)
    assert snap_compare(app, terminal_size=SIZE, run_before=lambda pilot: encounter(pilot, SCRIPT))


@pytest.mark.parametrize("theme", THEMES)
def test_encounter_at_80x24(snap_compare, colour, pinned_library: Library, theme: str) -> None:
    app = make_app(pinned_library, theme, scenario_id=HELEN)
    assert snap_compare(app, terminal_size=(80, 24), run_before=lambda pilot: encounter(pilot, SCRIPT[:3]))


@pytest.mark.parametrize("theme", THEMES)
def test_reflect(snap_compare, colour, pinned_library: Library, theme: str) -> None:
    async def run_before(pilot: Pilot) -> None:
        await encounter(pilot, SCRIPT[:2])
        await pilot.press("ctrl+n")
        await pilot.pause()
        pilot.app.screen.query_one("#reflect-text").cursor_blink = False
        await pilot.press(*"She opens up when I reflect.")
        await pilot.pause()

    app = make_app(pinned_library, theme, scenario_id=HELEN)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("theme", THEMES)
def test_debrief_scores(snap_compare, colour, pinned_library: Library, theme: str) -> None:
    app = make_app(pinned_library, theme, scenario_id=HELEN)
    assert snap_compare(app, terminal_size=SIZE, run_before=debrief)


@pytest.mark.parametrize("theme", THEMES)
def test_debrief_ledger(snap_compare, colour, pinned_library: Library, theme: str) -> None:
    async def run_before(pilot: Pilot) -> None:
        await debrief(pilot)
        await pilot.press("l")
        await pilot.pause()

    app = make_app(pinned_library, theme, scenario_id=HELEN)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("theme", THEMES)
def test_debrief_evidence(snap_compare, colour, pinned_library: Library, theme: str) -> None:
    async def run_before(pilot: Pilot) -> None:
        await debrief(pilot)
        await pilot.press("enter")  # the first item is the critical miss: jump to its evidence
        await settle(pilot)

    app = make_app(pinned_library, theme, scenario_id=HELEN)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_debrief_without_colour(snap_compare, pinned_library: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    """With NO_COLOR every status still reads as a symbol and words."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(pinned_library, "textual-dark", scenario_id=HELEN)
    assert snap_compare(app, terminal_size=SIZE, run_before=debrief)


@pytest.mark.parametrize("theme", THEMES)
def test_help(snap_compare, colour, pinned_library: Library, theme: str) -> None:
    async def run_before(pilot: Pilot) -> None:
        await encounter(pilot, [])
        await pilot.press("f1")
        await pilot.pause()

    app = make_app(pinned_library, theme, scenario_id=HELEN)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def _history_store(library: Library, home: Path) -> Store:
    """Three finished attempts at Helen on fixed days with fixed ids, and one interrupted."""
    scenario = library.get(HELEN)
    store = Store(home / "mhsim.db")
    scripts = [SCRIPT[:2], ["Are you sad?", "Do you sleep?", "You should exercise more."], SCRIPT, SCRIPT[:3]]
    for day, lines in enumerate(scripts):
        info = SessionInfo(
            id=f"01JSNAPSHOT{day:02d}0000000000000",
            scenario_id=scenario.id,
            scenario_version=scenario.version,
            scenario_title=scenario.title,
            engine="scripted",
            started_at=datetime(2025, 3, 3, 9, 30, tzinfo=UTC) + timedelta(days=day),
        )
        session = Session(scenario, store=store, info=info)

        async def run(session: Session = session, lines: list[str] = lines) -> None:
            session.open()
            for line in lines:
                await session.say(line)

        asyncio.run(run())
        if day < 3:
            session.close_line()
            session.finish()
        else:
            session.interrupt()
    return store


@pytest.mark.parametrize("theme", THEMES)
def test_history(snap_compare, colour, pinned_library: Library, mhsim_home: Path, theme: str) -> None:
    store = _history_store(pinned_library, mhsim_home)

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        assert isinstance(pilot.app.screen, HistoryScreen)
        await pilot.press("down")
        await pilot.press("space")
        await pilot.pause()

    app = make_app(pinned_library, theme, store=store)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("theme", THEMES)
def test_compare(snap_compare, colour, pinned_library: Library, mhsim_home: Path, theme: str) -> None:
    store = _history_store(pinned_library, mhsim_home)

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("down", "space", "down", "c")
        await settle(pilot)

    app = make_app(pinned_library, theme, store=store)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("theme", THEMES)
def test_settings(snap_compare, colour, pinned_library: Library, monkeypatch: pytest.MonkeyPatch, theme: str) -> None:
    monkeypatch.setattr(SettingsScreen, "_locations", staticmethod(lambda: "Data location: (pinned for the snapshot)"))

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("f4")
        await pilot.pause()

    app = make_app(pinned_library, theme)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("theme", THEMES)
def test_preview(snap_compare, colour, tmp_path: Path, theme: str) -> None:
    import shutil

    path = tmp_path / "helen.scenario.yaml"
    shutil.copy(ROOT / "scenarios" / f"{HELEN}.scenario.yaml", path)

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        for line in SCRIPT[:4]:
            pilot.app.screen.query_one(Composer).load_text(line)
            await pilot.press("enter")
            await settle(pilot)
        await no_blink(pilot)

    app = MhsimApp(preview=path, chunk_delay=0, store=False, config=Config(theme=theme), clock=lambda: 0.0)
    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


async def lab_home(pilot: Pilot) -> None:
    from simulator.tui.lab import LabHomeScreen

    await settle(pilot)
    await pilot.press("l")
    await settle(pilot)
    assert isinstance(pilot.app.screen, LabHomeScreen)


@pytest.mark.parametrize("theme", THEMES)
def test_lab_home(snap_compare, colour, pinned_library: Library, theme: str) -> None:
    from simulator.config import CrisisResource

    # Crisis resources pinned: without them the notice names the config file's (temporary) path.
    lines = [CrisisResource(name="Example crisis line", contact="0800 000 000", note="24 hours, for the workshop")]
    app = MhsimApp(
        library=pinned_library, chunk_delay=0, goodbye_pause=0, store=False, clock=lambda: 0.0,
        config=Config(theme=theme, crisis_resources=lines),
    )
    assert snap_compare(app, terminal_size=SIZE, run_before=lab_home)


async def lab_cases(pilot: Pilot) -> None:
    from simulator.tui.lab import CaseListScreen

    await lab_home(pilot)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, CaseListScreen)


def test_lab_case_list(snap_compare, colour, pinned_library: Library) -> None:
    from simulator.config import CrisisResource

    lines = [CrisisResource(name="Example crisis line", contact="0800 000 000", note="24 hours, for the workshop")]
    app = MhsimApp(
        library=pinned_library, chunk_delay=0, goodbye_pause=0, store=False, clock=lambda: 0.0,
        config=Config(crisis_resources=lines),
    )
    assert snap_compare(app, terminal_size=SIZE, run_before=lab_cases)
