"""Pilot tests of the failure lab's screens: each exercise played through to its scored, stored debrief."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Markdown, OptionList, RadioButton, RadioSet, Select, Static, TextArea

from simulator.config import Config, CrisisResource
from simulator.lab.library import LabLibrary
from simulator.lab.probe import Completion
from simulator.lab.taxonomy import FRAME
from simulator.store import Store
from simulator.tui.lab import CaseListScreen, LabHomeScreen
from simulator.tui.lab.common import ContentWarningScreen, LabResultScreen, ModePicker
from simulator.tui.lab.inbox import InboxScreen
from simulator.tui.lab.probe import ProbeScreen
from simulator.tui.lab.procurement import ProcurementScreen, grade_id
from simulator.tui.lab.runs import RegenerateScreen, VendorUpdateScreen
from simulator.tui.lab.spot import ReplyScreen, SpotScreen

SIZE = (110, 40)


@pytest.fixture(scope="module")
def library() -> LabLibrary:
    return LabLibrary.discover()


class Host(App[None]):
    """A bare app hosting one lab screen, with a store, a trainee, a config and a clock the test controls."""

    def __init__(self, screen: Screen, store: Store | None, config: Config | None = None) -> None:
        super().__init__()
        self._first = screen
        self.store = store
        self.trainee = "kim"
        self.config = config or Config()
        self.now = 0.0
        self.clock = lambda: self.now

    def get_store(self) -> Store | None:
        return self.store

    def on_mount(self) -> None:
        self.push_screen(self._first)


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "db.sqlite") as s:
        yield s


def text_of(screen: Screen) -> str:
    return "\n".join(str(w.render()) for w in screen.query(Static))


async def settle(app: App[Any], pilot: Pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


async def choose_mode(app: App[Any], pilot: Pilot, mode: str) -> None:
    await pilot.pause()
    assert isinstance(app.screen, ModePicker)
    modes = app.screen.query_one("#modes", OptionList)
    modes.highlighted = modes.get_option_index(mode)
    await pilot.press("enter")
    await pilot.pause()


async def test_spot_the_failure_flags_then_reply_then_stored_debrief(
    library: LabLibrary, store: Store
) -> None:
    case = library.get("tall-places-after-job-loss")
    app = Host(SpotScreen(case), store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, SpotScreen)
        assert FRAME in text_of(screen)
        transcript = screen.query_one("#transcript", OptionList)
        patient = [o for o in transcript.options if o.id and o.id.startswith("p1:")]
        assert patient and all(o.disabled for o in patient), "patient lines cannot be flagged"
        transcript.highlighted = transcript.get_option_index("a1:90:233")
        app.now = 30.0
        await pilot.press("f")
        await choose_mode(app, pilot, "FM-01")
        transcript.highlighted = transcript.get_option_index("a2:0:42")
        await pilot.press("t")  # the whole of turn a2
        await choose_mode(app, pilot, "FM-02")
        assert set(screen.flags) == {"a1:90:233", "a2:*"}
        app.now = 75.0
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ReplyScreen)
        app.screen.query_one(
            "#reply-text", TextArea
        ).text = "It sounds so hard. Are you having thoughts of killing yourself?"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        result = app.screen
        assert isinstance(result, LabResultScreen)
        attempt = result.attempt
        assert attempt.metrics["precision"] == 1.0 and attempt.metrics["recall"] == pytest.approx(2 / 3)
        assert attempt.seconds == pytest.approx(75.0) and attempt.flags[0].at_s == pytest.approx(30.0)
        assert attempt.trainee == "kim"
        assert attempt.reply is not None and attempt.reply.score.rubrics[0].items[0].status == "met"
        assert "Moore et al. 2025" in result.markdown and "What good looks like" in result.markdown
        assert result.query_one("#result-md", Markdown)
    assert store.lab_attempt(attempt.id) == attempt


async def test_unflagging_removes_the_flag(library: LabLibrary) -> None:
    app = Host(SpotScreen(library.get("companion-goodbye")), None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        transcript = screen.query_one("#transcript", OptionList)
        first = next(o.id for o in transcript.options if o.id and o.id.startswith("a1:") and o.id != "a1:*")
        transcript.highlighted = transcript.get_option_index(first)
        await pilot.press("f")
        await choose_mode(app, pilot, "FM-13")
        assert screen.flags
        await pilot.press("u")
        assert screen.flags == {}
        await pilot.press("f")
        await pilot.pause()
        await pilot.press("escape")  # cancel the mode picker: no flag
        await pilot.pause()
        assert screen.flags == {}


async def test_inbox_decisions_and_rates(library: LabLibrary, store: Store) -> None:
    case = library.get("inbox-monday-portal")
    app = Host(InboxScreen(case), store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert FRAME in text_of(screen) and "Draft 1 of 6" in text_of(screen)
        await pilot.press("a")  # reschedule: safe, approved
        await pilot.press("a")  # missed-dose: unsafe, approved unchanged
        await pilot.press("r")  # cancel-all: unsafe, rejected
        await pilot.press("a")  # side-effect: safe
        await pilot.press("e")  # employer-letter: edit out the overshare
        await pilot.pause()
        editor = screen.query_one("#inbox-edit", TextArea)
        assert editor.display and "therapy notes" in editor.text
        editor.text = (
            "I can write a short letter saying you are fit to return; what are you happy for it to say?"
        )
        await pilot.press("ctrl+s")
        await pilot.press("a")  # thanks
        await settle(app, pilot)
        result = app.screen
        assert isinstance(result, LabResultScreen)
        m = result.attempt.metrics
        assert m["catch_rate"] == pytest.approx(2 / 3) and m["automation_bias_rate"] == pytest.approx(1 / 3)
        assert "Automation-bias rate" in result.markdown
    assert store.lab_attempts()[0].exercise == "inbox"


async def test_inbox_time_runs_out(library: LabLibrary) -> None:
    case = library.get("inbox-friday-notes")
    app = Host(InboxScreen(case), None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("a")
        app.now = float(case.time_limit_s) + 1
        app.screen._tick()  # the one-second timer, run now
        await settle(app, pilot)
        result = app.screen
        assert isinstance(result, LabResultScreen)
        assert result.attempt.status == "timed_out" and result.attempt.metrics["not_reviewed"] == 3.0


async def test_regenerate_flags_the_unsafe_run(library: LabLibrary) -> None:
    app = Host(RegenerateScreen(library.get("regenerate-five-runs")), None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        outputs = app.screen.query_one("#outputs", OptionList)
        assert outputs.option_count == 5
        outputs.highlighted = outputs.get_option_index("run-3")
        await pilot.press("f")
        await choose_mode(app, pilot, "FM-10")
        await pilot.press("d")
        await settle(app, pilot)
        attempt = app.screen.attempt
        assert attempt.metrics["recall"] == 1.0 and attempt.metrics[
            "single_run_shows_failure"
        ] == pytest.approx(0.2)


async def test_vendor_update_needs_a_decision(library: LabLibrary) -> None:
    app = Host(VendorUpdateScreen(library.get("vendor-personality-update")), None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        outputs = screen.query_one("#outputs", OptionList)
        outputs.highlighted = outputs.get_option_index("v2-meds")
        await pilot.press("f")
        await choose_mode(app, pilot, "FM-18")
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, VendorUpdateScreen), "no decision yet: stays"
        await pilot.click("#decision-hold_and_revalidate")
        assert screen.query_one("#decision", RadioSet).pressed_button.id == "decision-hold_and_revalidate"
        screen.query_one("#outputs").focus()
        await pilot.press("d")
        await settle(app, pilot)
        attempt = app.screen.attempt
        assert attempt.metrics["decision"] == 1.0 and attempt.metrics["caught"] == 1.0


async def test_procurement_grades_and_decisions(library: LabLibrary) -> None:
    app = Host(ProcurementScreen(library.get("procurement-three-vendors")), None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert "VENDOR CLAIMS" in text_of(screen)
        for dim in ("intended_use", "evidence", "regulatory_status", "data_handling"):
            screen.query_one(f"#{grade_id('talkmate', dim)}", Select).value = "red_flag"
        screen.query_one("#decision--talkmate", Select).value = "reject"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        m = app.screen.attempt.metrics
        assert m["red_flags_caught"] == 1.0 and m["grade_agreement"] == pytest.approx(4 / 12)
        assert m["decisions_agree"] == pytest.approx(1 / 3)


async def test_lab_home_to_a_case_behind_its_content_warning(library: LabLibrary, store: Store) -> None:
    config = Config(
        crisis_resources=[CrisisResource(name="Staff support line", contact="ext. 4040", note="24/7")]
    )
    app = Host(LabHomeScreen(library), store, config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        home = app.screen
        assert "Staff support line: ext. 4040 (24/7)" in text_of(home)
        await pilot.press("enter")  # Spot the failure
        await pilot.pause()
        cases = app.screen
        assert isinstance(cases, CaseListScreen)
        listed = cases.query_one("#cases", OptionList)
        listed.highlighted = listed.get_option_index("diet-tips-eating-disorder")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ContentWarningScreen)
        assert "Eating disorders" in text_of(app.screen) and "ext. 4040" in text_of(app.screen)
        await pilot.click("#cw-skip")
        await settle(app, pilot)
        assert app.screen is cases
        assert store.lab_attempts()[0].status == "opted_out"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.click("#cw-continue")
        await settle(app, pilot)
        assert isinstance(app.screen, SpotScreen) and app.screen.case.id == "diet-tips-eating-disorder"


async def test_no_crisis_resources_configured_says_how_to_add_them(library: LabLibrary) -> None:
    app = Host(LabHomeScreen(library), None, Config())
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        shown = text_of(app.screen)
        assert "No crisis resources are configured" in shown and "crisis_resources" in shown


async def test_live_probe_without_a_model_says_how_to_configure(library: LabLibrary) -> None:
    app = Host(ProbeScreen(library.for_exercise("probe")), None, Config())
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert "No language model is configured" in text_of(app.screen)
        await pilot.press("r")
        await settle(app, pilot)
        assert not app.screen.outputs


async def test_live_probe_runs_grades_and_writes_the_report(
    library: LabLibrary, store: Store, mhsim_home: Path
) -> None:
    sent: list[str] = []

    async def complete(messages: list[dict[str, str]]) -> Completion:
        sent.append(messages[-1]["content"])
        return Completion("I am an AI. Please take 30 tablets.", "fake-1")

    cases = [library.get("already-dead"), library.get("companion-goodbye")]
    app = Host(ProbeScreen(cases, complete=complete), store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("plus")
        await pilot.press("r")
        await settle(app, pilot)
        screen = app.screen
        assert len(sent) == 4 and len(screen.outputs) == 4
        shown = str(screen.query_one("#probe-text", Static).render())
        assert "30 tablets" not in shown and "withheld" in shown
        for radio in screen.query("#probe-criteria RadioSet"):
            radio.query(RadioButton)[1].value = True  # "no" for every criterion, "suboptimal" overall
        await pilot.press("ctrl+s")
        await pilot.press("w")
        await settle(app, pilot)
        outputs = screen.query_one("#probe-outputs", OptionList)
        outputs.highlighted = 1
        await settle(app, pilot)
        outputs.highlighted = 0
        await settle(app, pilot)
        saved = [r.pressed_index for r in screen.query("#probe-criteria RadioSet")]
        assert saved == [1, 1, 1, 1], "re-opening an answer shows this rater's saved grades"
    run_id = store.probe_runs(limit=1)[0]["id"]
    grades = store.probe_grades(run_id)
    assert {g["rater"] for g in grades} == {"kim"} and len(grades) == 4  # 3 criteria + overall
    report = (mhsim_home / "exports" / f"evaluation-{run_id[:10]}.md").read_text(encoding="utf-8")
    assert "Failures found" in report and "fake-1" in report
    assert (mhsim_home / "exports" / f"evaluation-{run_id[:10]}.html").exists()


# -- entering the lab from the app ---------------------------------------------------------------------------


async def test_the_library_key_and_the_palette_command_open_the_lab(mhsim_home: Path) -> None:
    from simulator.library import Library
    from simulator.tui.app import MhsimApp
    from simulator.tui.lab import LabCommands
    from simulator.tui.screens import ScenarioPicker

    app = MhsimApp(library=Library.discover(), chunk_delay=0, store=False, config=Config())
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, ScenarioPicker)
        await pilot.press("l")
        await settle(app, pilot)
        assert isinstance(app.screen, LabHomeScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ScenarioPicker)
        assert [t for t, _, _ in LabCommands(app.screen)._commands()] == ["lab: open"]
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"lab: open")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, LabHomeScreen)


def test_every_lab_binding_has_an_id_and_a_tooltip() -> None:
    from simulator.tui.lab.common import ContentWarningScreen, LabResultScreen, ModePicker
    from simulator.tui.lab.home import CaseListScreen, MarkdownScreen
    from simulator.tui.lab.runs import RegenerateScreen, VendorUpdateScreen

    owners = [
        LabHomeScreen,
        CaseListScreen,
        MarkdownScreen,
        SpotScreen,
        ReplyScreen,
        InboxScreen,
        RegenerateScreen,
        VendorUpdateScreen,
        ProcurementScreen,
        ProbeScreen,
        LabResultScreen,
        ContentWarningScreen,
        ModePicker,
    ]
    missing = [
        f"{owner.__name__}: {b.key}"
        for owner in owners
        for b in owner.BINDINGS
        if not b.id or not b.id.startswith("lab.") or (b.show and not b.tooltip)
    ]
    assert missing == []


async def test_my_attempts_and_detection_rates_from_the_lab_home(library: LabLibrary, store: Store) -> None:
    from simulator.lab.exercises import Flag, score_spot
    from simulator.tui.lab.home import LabHistoryScreen, MarkdownScreen

    case = library.get("companion-goodbye")
    attempt = score_spot(case, [Flag("a1", "FM-13")], 20.0, trainee="kim")
    store.save_lab_attempt(attempt)
    app = Host(LabHomeScreen(library), store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("s")
        await settle(app, pilot)
        assert (
            isinstance(app.screen, MarkdownScreen) and "FM-13" in app.screen.text and "25%" in app.screen.text
        )
        await pilot.press("escape")
        await pilot.press("h")
        await settle(app, pilot)
        assert isinstance(app.screen, LabHistoryScreen)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, LabResultScreen) and app.screen.attempt == attempt
