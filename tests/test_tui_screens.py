"""Pilot tests of History (filters, open, resume, compare, trend, export), Settings and the facilitator preview."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select, Switch

from simulator.config import Config, load_config
from simulator.library import Entry, Library, known_rubric_ids, load_scenario
from simulator.records import SessionInfo
from simulator.session import Session
from simulator.store import Store
from simulator.tui.app import MhsimApp
from simulator.tui.screens import (
    BriefingScreen,
    CompareScreen,
    ConfirmScreen,
    DebriefScreen,
    EncounterScreen,
    HistoryScreen,
    PreviewScreen,
    ScenarioPicker,
    SettingsScreen,
)
from simulator.tui.widgets import Composer, Transcript
from simulator.tui.widgets.facilitator import FacilitatorPanel

ROOT = Path(__file__).resolve().parent.parent
HELEN = "low-mood-passive-si"
ALCOHOL = "alcohol-ambivalence"
SIZE = (100, 34)
GOOD = [
    "What brings you in today?",
    "How have you been feeling in yourself lately?",
    "It sounds like things have felt heavy and grey for a long time, and you've been carrying it on your own.",
    "How have you been sleeping?",
    "What has been happening at home?",
    "When you say there's no point, I want to ask: have you had thoughts of killing yourself?",
]
POOR = ["Are you sad?", "Do you sleep?", "You should exercise more."]
T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def lib() -> Library:
    ids = known_rubric_ids()
    paths = [ROOT / "scenarios" / f"{name}.scenario.yaml" for name in (HELEN, ALCOHOL)]
    return Library([Entry(path=p, builtin=True, scenario=load_scenario(p, ids)) for p in paths])


async def settle(app: MhsimApp, pilot: Pilot) -> None:
    if app.preview is None:
        await asyncio.wait_for(app.library_loaded.wait(), 60)
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def notices(app: MhsimApp) -> str:
    return "\n".join(n.message for n in app._notifications)


def stored(store: Store, lib: Library, scenario_id: str, lines: list[str], *, day: int, finish: bool = True) -> str:
    """A stored session of ``lines`` started ``day`` days after T0; finished unless asked otherwise."""
    scenario = lib.get(scenario_id)
    info = SessionInfo(
        id=f"01JTEST{day:02d}{scenario_id[:4].upper()}0000000000"[:26],
        scenario_id=scenario.id,
        scenario_version=scenario.version,
        scenario_title=scenario.title,
        engine="scripted",
        started_at=T0 + timedelta(days=day),
    )
    session = Session(scenario, store=store, info=info)

    async def run() -> None:
        session.open()
        for line in lines:
            await session.say(line)

    asyncio.run(run())
    if finish:
        session.close_line()
        session.finish()
    else:
        session.interrupt()
    return session.id


@pytest.fixture
def history(lib: Library, mhsim_home: Path) -> dict[str, str]:
    """Two finished attempts at Helen (poor, then good), one at the alcohol scenario, one interrupted."""
    with Store.open_default() as store:
        return {
            "poor": stored(store, lib, HELEN, POOR, day=0),
            "other": stored(store, lib, ALCOHOL, POOR, day=1),
            "good": stored(store, lib, HELEN, GOOD, day=2),
            "paused": stored(store, lib, HELEN, GOOD[:2], day=3, finish=False),
        }


async def open_history(app: MhsimApp, pilot: Pilot) -> HistoryScreen:
    await settle(app, pilot)
    await pilot.press("f3")
    await settle(app, pilot)
    assert isinstance(app.screen, HistoryScreen)
    return app.screen


# -- history ------------------------------------------------------------------------------------------


async def test_history_lists_filters_and_trends(lib: Library, history: dict[str, str]) -> None:
    app = MhsimApp(library=lib, chunk_delay=0, config=Config())
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_history(app, pilot)
        assert [r.id for r in screen.rows] == [history[k] for k in ("paused", "good", "other", "poor")]
        table = screen.query_one("#sessions", DataTable)
        assert table.row_count == 4
        row = [str(c) for c in table.get_row(history["good"])]
        assert "✔ complete" in row and any("%" in c for c in row)
        assert "‖ interrupted" in [str(c) for c in table.get_row(history["paused"])]

        # The trend follows the highlighted scenario: Helen's two finished attempts, oldest first.
        table.move_cursor(row=1)
        await pilot.pause()
        chart = str(screen.query_one("#trend").render())
        assert "2 finished" in str(screen.query_one("#trend-title").render())
        poor, good = screen.scores[history["poor"]], screen.scores[history["good"]]
        assert good.share_met > poor.share_met, "the better attempt scores higher"
        assert f"{round(poor.share_met * 100):>3d} {round(good.share_met * 100):>3d} %" in chart

        # Filters: status, then scenario.
        screen.query_one("#filter-status", Select).value = "interrupted"
        await settle(app, pilot)
        assert [r.id for r in screen.rows] == [history["paused"]]
        screen.query_one("#filter-status", Select).clear()
        screen.query_one("#filter-scenario", Select).value = ALCOHOL
        await settle(app, pilot)
        assert [r.id for r in screen.rows] == [history["other"]]
        screen.query_one("#filter-scenario", Select).clear()
        screen.query_one("#filter-date", Select).value = "week"  # the stored sessions are from 2025
        await settle(app, pilot)
        assert screen.rows == []
        assert "No sessions match" in str(screen.query_one("#trend-title").render())


async def test_history_opens_a_debrief_and_goes_back(lib: Library, history: dict[str, str]) -> None:
    app = MhsimApp(library=lib, chunk_delay=0, config=Config())
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_history(app, pilot)
        screen.query_one("#sessions", DataTable).move_cursor(row=1)
        await pilot.press("enter")
        await settle(app, pilot)
        debrief = app.screen
        assert isinstance(debrief, DebriefScreen)
        assert debrief.data.info.id == history["good"]
        assert debrief.data.score is not None and debrief.data.ledger
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)


async def test_history_resumes_an_interrupted_session(lib: Library, history: dict[str, str]) -> None:
    app = MhsimApp(library=lib, chunk_delay=0, config=Config())
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_history(app, pilot)
        assert screen.current_id == history["paused"]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(app, pilot)
        encounter = app.screen
        assert isinstance(encounter, EncounterScreen)
        assert encounter.session.id == history["paused"]
        assert [m.text for m in encounter.query_one(Transcript).messages if m.speaker == "trainee"] == GOOD[:2]
        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(app.screen, EncounterScreen), "history is not opened over a running session"


async def test_history_compares_two_attempts(lib: Library, history: dict[str, str]) -> None:
    app = MhsimApp(library=lib, chunk_delay=0, config=Config())
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_history(app, pilot)
        table = screen.query_one("#sessions", DataTable)

        # Different scenarios are refused with what to do.
        table.move_cursor(row=2)  # other
        await pilot.press("space")
        table.move_cursor(row=3)  # poor (Helen)
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        assert "same scenario" in notices(app)

        await pilot.press("space")  # marks poor; the oldest mark (other) is kept too, so clear it
        table.move_cursor(row=2)
        await pilot.press("space")
        assert screen.marked == [history["poor"]]
        table.move_cursor(row=1)  # good: marked one + highlighted one
        await pilot.press("c")
        await settle(app, pilot)
        compare = app.screen
        assert isinstance(compare, CompareScreen)
        assert compare.before.info.id == history["poor"] and compare.after.info.id == history["good"]
        changes = {row.title: row.change for row in compare.rows}
        assert any(c == "▲ better" for c in changes.values())
        items = compare.query_one("#compare-items", DataTable)
        assert items.row_count == len(compare.rows)
        facts = str(compare.query_one("#compare-facts").render())
        assert re.search(r"— → turn \d", facts), "a fact the poor attempt missed came out in the good one"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)


async def test_history_exports_the_listed_sessions(lib: Library, history: dict[str, str], mhsim_home: Path) -> None:
    app = MhsimApp(library=lib, chunk_delay=0, config=Config())
    async with app.run_test(size=SIZE) as pilot:
        await open_history(app, pilot)
        await pilot.press("x")
        await settle(app, pilot)
        assert "Exported 4 sessions" in notices(app)
    (folder,) = (mhsim_home / "exports").iterdir()
    files = sorted(p.name for p in folder.iterdir())
    assert len(files) == 8 and sum(f.endswith(".md") for f in files) == 4
    document = json.loads(next(folder.glob("*.json")).read_text(encoding="utf-8"))
    assert document["format"] == "mhsim-session/1"


async def test_history_export_carries_the_failure_lab_attempts(
    lib: Library, history: dict[str, str], mhsim_home: Path
) -> None:
    from simulator.lab.exercises import Flag, score_spot
    from simulator.lab.library import LabLibrary
    from simulator.store import Store

    case = LabLibrary.discover().get("tall-places-after-job-loss")
    with Store() as store:
        store.save_lab_attempt(score_spot(case, [Flag("a1", "FM-01")], 30.0, trainee="kim"))
    app = MhsimApp(library=lib, chunk_delay=0, config=Config())
    async with app.run_test(size=SIZE) as pilot:
        await open_history(app, pilot)
        await pilot.press("x")
        await settle(app, pilot)
    (folder,) = (mhsim_home / "exports").iterdir()
    document = json.loads((folder / "lab-attempts.json").read_text(encoding="utf-8"))
    assert [a["case_id"] for a in document["attempts"]] == ["tall-places-after-job-loss"]


async def test_history_without_a_store_says_so(lib: Library) -> None:
    app = MhsimApp(library=lib, chunk_delay=0, store=False, config=Config())
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_history(app, pilot)
        assert "not being stored" in str(screen.query_one("#trend-title").render())


# -- settings -----------------------------------------------------------------------------------------


async def test_settings_are_saved_and_used(lib: Library, mhsim_home: Path) -> None:
    app = MhsimApp(library=lib, chunk_delay=0, store=False, config=Config())
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("f4")
        await pilot.pause()
        settings = app.screen
        assert isinstance(settings, SettingsScreen)
        assert str(mhsim_home) in str(settings.query_one("#settings-locations").render())
        settings.query_one("#set-engine", Select).value = "llm"
        settings.query_one("#set-model", Input).value = "ollama/llama3.2"
        settings.query_one("#set-api-base", Input).value = "http://127.0.0.1:11434"
        settings.query_one("#set-theme", Select).value = "mhsim-high-contrast"
        settings.query_one("#set-live-coach", Switch).value = False
        settings.query_one("#set-trainee", Input).value = "cohort-7"
        await pilot.pause()
        assert app.theme == "mhsim-high-contrast", "the theme is previewed as it is chosen"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Settings saved" in notices(app)
        saved = load_config(mhsim_home / "config.yaml")
        assert saved.engine == "llm" and saved.model.model == "ollama/llama3.2"
        assert saved.model.api_base == "http://127.0.0.1:11434"
        assert saved.theme == "mhsim-high-contrast" and saved.live_coach is False and saved.trainee == "cohort-7"
        assert app.config == saved and app.coach_mode == "off" and app.trainee == "cohort-7"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ScenarioPicker), "nothing unsaved: leaves without asking"
        app.open_briefing(lib.get(HELEN))
        await pilot.pause()
        shown = "\n".join(str(w.render()) for w in app.screen.query("Static"))
        assert "language model ollama/llama3.2" in shown and "Live coach: off" in shown


async def test_settings_invalid_values_and_unsaved_changes(lib: Library, mhsim_home: Path) -> None:
    app = MhsimApp(library=lib, chunk_delay=0, store=False, config=Config())
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("f4")
        await pilot.pause()
        settings = app.screen
        settings.query_one("#set-theme", Select).value = "mhsim-high-contrast-light"
        settings.query_one("#set-trainee", Input).value = "x" * 3
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen), "unsaved changes are not dropped silently"
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is settings
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, ScenarioPicker)
        assert app.theme == "textual-dark", "discarding puts the theme back"
    assert not (mhsim_home / "config.yaml").exists()


# -- the facilitator preview --------------------------------------------------------------------------


def preview_copy(tmp_path: Path) -> Path:
    path = tmp_path / "helen.scenario.yaml"
    shutil.copy(ROOT / "scenarios" / f"{HELEN}.scenario.yaml", path)
    return path


async def test_preview_shows_state_and_reloads_on_save(tmp_path: Path) -> None:
    path = preview_copy(tmp_path)
    app = MhsimApp(preview=path, chunk_delay=0, store=False, config=Config())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, PreviewScreen)
        panel = screen.query_one(FacilitatorPanel)
        text = panel.text
        assert "Patient state" in text and "Trust" in text and "○ locked" in text
        for fact in screen.session.scenario.facts:
            assert fact.id in text
        composer = screen.query_one(Composer)
        for line in GOOD[:4]:
            composer.load_text(line)
            await pilot.press("enter")
            await settle(app, pilot)
        speakers = [m.speaker for m in screen.query_one(Transcript).messages]
        assert speakers == ["patient"] + ["trainee", "patient"] * 4, "the opening line is shown once"
        text = panel.text
        assert "✔ disclosed at turn" in text
        assert "Turn 4" in text
        assert screen.session.store is None, "a preview is never stored"

        # Save a change: the opening line is new and the four lines are replayed.
        source = path.read_text(encoding="utf-8")
        old_opening = screen.session.scenario.opening_line
        path.write_text(source.replace(old_opening, "A brand new opening line."), encoding="utf-8")
        await screen._check_file()
        await settle(app, pilot)
        assert screen.reloads == 1
        messages = screen.query_one(Transcript).messages
        assert messages[0].text == "A brand new opening line."
        assert [m.text for m in messages if m.speaker == "trainee"] == GOOD[:4]
        assert "replayed 4" in notices(app)

        # A broken save keeps the last good version running and shows the problem.
        path.write_text(source.replace("opening_line:", "opening_lin:"), encoding="utf-8")
        await screen._check_file()
        await settle(app, pilot)
        assert screen.reloads == 1
        assert "⚠ The file has problems" in panel.text and "opening_lin" in panel.text
        assert screen.query_one(Transcript).messages[0].text == "A brand new opening line."
        composer.load_text("How are things at work?")
        await pilot.press("enter")
        await settle(app, pilot)
        assert screen.query_one(Transcript).messages[-1].speaker == "patient"


def test_preview_command_refuses_a_broken_file(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from cli import app

    bad = tmp_path / "bad.scenario.yaml"
    bad.write_text("schema_version: 1\nid: bad\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["preview", str(bad)])
    assert result.exit_code == 1
    assert "bad.scenario.yaml:" in result.output and "Traceback" not in result.output
    result = CliRunner().invoke(app, ["preview", "no-such-scenario-id"])
    assert result.exit_code == 1 and "No scenario" in result.output


async def test_preview_from_briefing_is_not_offered_over_a_session(tmp_path: Path) -> None:
    """F2/F3/F4 stay closed in the preview (it is an encounter)."""
    app = MhsimApp(preview=preview_copy(tmp_path), chunk_delay=0, store=False, config=Config())
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("f4")
        await pilot.pause()
        assert isinstance(app.screen, PreviewScreen)
        assert not isinstance(app.screen, BriefingScreen)
