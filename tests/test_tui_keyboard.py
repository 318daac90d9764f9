"""Pilot tests of the app at the smallest size it promises (80×24) and from the keyboard alone: the footer keeps
Quit and Help, dialogs fit, every tab and list can be used without a mouse, and bound keys act or say why not.

Every test gets its own ``MHSIM_HOME`` (see conftest). The patient is the scripted engine; no model is called.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Button, DataTable, Footer, Input, Markdown, OptionList, Select, Static
from textual.widgets._footer import FooterKey

from simulator.config import Config
from simulator.engine import EngineError, ReplyRequest
from simulator.lab.library import LabLibrary
from simulator.library import Entry, Library, known_rubric_ids, load_scenario
from simulator.store import Store
from simulator.tui.app import MhsimApp
from simulator.tui.data import DebriefData
from simulator.tui.lab.common import LabResultScreen
from simulator.tui.lab.home import CaseListScreen, LabHomeScreen
from simulator.tui.lab.probe import ProbeScreen
from simulator.tui.lab.spot import SpotScreen
from simulator.tui.screens import (
    BriefingScreen,
    ConfirmScreen,
    DebriefScreen,
    EncounterScreen,
    HistoryScreen,
    SettingsScreen,
)
from simulator.tui.screens.debrief import ItemView
from simulator.tui.screens.override import OverrideScreen
from simulator.tui.widgets import ChatMessage, Composer, Transcript
from simulator.tui.widgets.coach import CoachPanel

from .conftest import play_and_store

ROOT = Path(__file__).resolve().parent.parent
HELEN = "low-mood-passive-si"
SMALL = (80, 24)
# Six trainee turns: rapport, a missed risk cue and advice, so the debrief has missed items and a long ledger.
LINES = [
    "What brings you in today?",
    "How have you been feeling in yourself lately?",
    "It sounds like things have felt heavy and grey for a long time, and you've been carrying it on your own.",
    "What has been happening at home?",
    "You've been through a huge loss this year.",
    "You should try to get out for a walk each day.",
]


@pytest.fixture(scope="module")
def lib() -> Library:
    ids = known_rubric_ids()
    path = ROOT / "scenarios" / f"{HELEN}.scenario.yaml"
    return Library([Entry(path=path, builtin=True, scenario=load_scenario(path, ids))])


@pytest.fixture(scope="module")
def lab() -> LabLibrary:
    return LabLibrary.discover()


async def settle(app: App, pilot: Pilot) -> None:
    if isinstance(app, MhsimApp) and app.preview is None:
        await asyncio.wait_for(app.library_loaded.wait(), 60)
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def footer_keys(app: App) -> tuple[list[str], list[str]]:
    """(shown, cut): the footer's keys drawn whole left of the palette key, and those cut off or pushed out."""
    footer = app.screen.query_one(Footer)
    keys = list(footer.query(FooterKey))
    palette = [k for k in keys if k.has_class("-command-palette")]
    limit = palette[0].region.x if palette else footer.region.right
    shown: list[str] = []
    cut: list[str] = []
    for key in keys:
        if key in palette:
            continue
        whole = key.region.width > 0 and key.region.right <= limit
        (shown if whole else cut).append(f"{key.key_display} {key.description}".strip())
    return shown, cut


def assert_footer_fits(app: App, *wanted: str) -> list[str]:
    """Nothing in the footer is cut off, Quit and Help are there, and so is every key named in ``wanted``."""
    shown, cut = footer_keys(app)
    where = type(app.screen).__name__
    assert cut == [], f"{where}: footer keys cut off at {app.size.width} columns: {cut} (shown {shown})"
    for label in ("^q Quit", "f1 Help", *wanted):
        assert label in shown, f"{where}: {label!r} missing from the footer {shown}"
    return shown


def notices(app: App) -> str:
    return "\n".join(n.message for n in app._notifications)


class Host(App[None]):
    """A bare app hosting one lab screen (with the Quit and Help keys of mhsim's app), a config and a store."""

    BINDINGS = MhsimApp.BINDINGS

    def __init__(self, screen, store: Store | None = None, config: Config | None = None) -> None:
        super().__init__()
        self._first = screen
        self.store = store
        self.trainee = "kim"
        self.config = config or Config()
        self.clock = lambda: 0.0

    def get_store(self) -> Store | None:
        return self.store

    def on_mount(self) -> None:
        self.push_screen(self._first)

    def action_help(self) -> None:
        pass


@pytest.fixture
def session_id(lib: Library, mhsim_home: Path) -> str:
    """A stored, finished session of LINES with Helen."""
    return play_and_store(lib.get(HELEN), LINES)


@asynccontextmanager
async def debrief_of(
    lib: Library, session_id: str, size: tuple[int, int] = SMALL
) -> AsyncIterator[tuple[MhsimApp, Pilot, DebriefScreen]]:
    """The debrief of a stored session, open at ``size`` (the store stays open inside)."""
    app = MhsimApp(library=lib, chunk_delay=0, config=Config())
    with Store.open_default() as store:
        async with app.run_test(size=size, notifications=True) as pilot:
            await settle(app, pilot)
            screen = DebriefScreen(DebriefData.from_store(store, session_id, lib), back="pop", store=store)
            await app.push_screen(screen)
            await settle(app, pilot)
            yield app, pilot, screen


# -- 1. the footer at 80 columns ------------------------------------------------------------------------------


async def test_debrief_footer_keeps_its_keys_at_80_columns(lib: Library, session_id: str) -> None:
    async with debrief_of(lib, session_id) as (app, pilot, screen):
        assert isinstance(app.focused, ItemView)
        assert_footer_fits(app, "⏎ Show evidence", "esc Back", "x Save .md")
        labels = [str(tab.label) for tab in screen.query("ContentTab")]
        assert labels == ["Scores (s)", "Ledger (l)", "Transcript (t)", "Notes (n)"], "tab keys are named on the tabs"
        for key in ("l", "t", "n"):
            await pilot.press(key)
            await settle(app, pilot)
            assert_footer_fits(app, "esc Back")
        await pilot.press("t")
        await settle(app, pilot)
        assert_footer_fits(app, "g Better reply")


async def test_lab_home_spot_and_probe_footers_keep_quit_and_help_at_80_columns(lab: LabLibrary) -> None:
    app = Host(LabHomeScreen(lab))
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        assert_footer_fits(app, "⏎ Open", "esc Back", "s My rates", "h My attempts")
        await app.push_screen(SpotScreen(lab.get("companion-goodbye")))
        await settle(app, pilot)
        assert_footer_fits(app, "f Flag sentence", "d Done")
        assert "t the whole turn" in str(app.screen.query_one("#spot-status", Static).render())
        await app.push_screen(ProbeScreen(lab.for_exercise("probe")))
        await settle(app, pilot)
        assert_footer_fits(app, "r Run", "^s Save grades", "w Report")


class FailingEngine:
    """Every reply fails, so the encounter offers Ctrl+R."""

    name = "failing"

    async def stream(self, request: ReplyRequest) -> AsyncIterator[str]:
        raise EngineError("The model server at http://localhost:9 refused the connection.", "connection")
        yield ""  # pragma: no cover - makes this an async generator


async def test_encounter_footer_with_retry_and_in_one_order_at_80_columns(lib: Library) -> None:
    app = MhsimApp(
        library=lib, chunk_delay=0, store=False, scenario_id=HELEN, engine=FailingEngine(), config=Config()
    )
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        assert_footer_fits(app, "s Start", "esc Choose another")
        await pilot.press("enter")
        await settle(app, pilot)
        encounter = app.screen
        assert isinstance(encounter, EncounterScreen)
        in_composer = assert_footer_fits(app, "^e End", "⏎/^s Send", "^t Coach", "^n Note")
        encounter.query_one(CoachPanel).focus()
        await pilot.pause()
        assert footer_keys(app)[0] == in_composer, "the footer keeps one order whatever has focus"
        encounter.query_one(Composer).focus()
        encounter.query_one(Composer).load_text("How have you been sleeping?")
        await pilot.press("enter")
        await settle(app, pilot)
        assert encounter.check_action("retry", ())
        assert_footer_fits(app, "^r Retry", "^e End", "⏎/^s Send")


async def test_the_ticking_clock_does_not_rebuild_the_footer(lib: Library) -> None:
    """The bar's clock ticks every second; the footer is rebuilt only when the keys it shows change."""
    app = MhsimApp(library=lib, chunk_delay=0, store=False, scenario_id=HELEN, config=Config())
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        footer = app.screen.query_one(Footer)
        first = footer.query(FooterKey).first()
        clock = str(app.screen.query_one("#encounter-bar", Static).render())
        await asyncio.sleep(2.2)
        await pilot.pause()
        assert str(app.screen.query_one("#encounter-bar", Static).render()) != clock, "the clock ticked"
        assert footer.query(FooterKey).first() is first, "the footer's keys were rebuilt"


# -- 2. the override dialog fits ------------------------------------------------------------------------------


async def test_override_dialog_fits_80x24_and_shows_its_keys(lib: Library, session_id: str) -> None:
    async with debrief_of(lib, session_id) as (app, pilot, screen):
        await pilot.press("o")
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, OverrideScreen)
        for selector in ("#override-save", "#override-cancel", "#override-title"):
            region = dialog.query_one(selector).region
            assert region.height > 0 and region.bottom <= SMALL[1], f"{selector} is off screen: {region}"
        keys = str(dialog.query_one("#override-keys", Static).render())
        assert "Ctrl+S" in keys and "Esc" in keys
        # The last field scrolls into view when it gets focus; typing and Ctrl+S save from the keyboard.
        dialog.query_one("#override-status", Select).value = "met"
        await pilot.press("tab", "tab")
        await pilot.press(*"Asked twice, gently.")
        assert dialog.query_one("#override-reason", Input).value == "Asked twice, gently."
        await pilot.press("tab")
        educator = dialog.query_one("#override-educator", Input)
        assert app.focused is educator and educator.region.height > 0 and educator.region.bottom <= SMALL[1]
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is screen
        assert screen.data.overrides and screen.data.overrides[0].reason == "Asked twice, gently."


# -- 3. the briefing scrolls from the keyboard ----------------------------------------------------------------


@pytest.mark.parametrize("size", [SMALL, (100, 34)])
async def test_briefing_scrolls_from_the_keyboard_while_start_keeps_focus(lib: Library, size) -> None:
    app = MhsimApp(library=lib, chunk_delay=0, store=False, scenario_id=HELEN, config=Config())
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        briefing = app.screen
        assert isinstance(briefing, BriefingScreen)
        body = briefing.query_one("#briefing-body")
        start = briefing.query_one("#start", Button)
        assert app.focused is start and body.max_scroll_y > 0
        meta = briefing.query_one("#briefing-meta")
        assert "Everything stays on this computer" in str(meta.render())

        def meta_shown() -> bool:
            return body.scrollable_content_region.contains_region(meta.region)

        assert not meta_shown()
        await pilot.press("pagedown")
        await pilot.pause()
        assert body.scroll_y > 0
        await pilot.press("end")
        await pilot.pause()
        assert body.scroll_y == body.max_scroll_y and meta_shown()
        await pilot.press("up")
        await pilot.pause()
        assert body.scroll_y == body.max_scroll_y - 1
        await pilot.press("home")
        await pilot.pause()
        assert body.scroll_y == 0
        await pilot.press("down")
        await pilot.pause()
        assert body.scroll_y == 1
        assert app.focused is start, "Start keeps the focus, so Enter still starts"
        assert "PgDn Scroll" in footer_keys(app)[0]


# -- 4. and 5. the debrief's tabs from the keyboard ------------------------------------------------------------


async def test_debrief_tab_keys_focus_the_tab_so_its_keys_work(lib: Library, session_id: str) -> None:
    async with debrief_of(lib, session_id) as (app, pilot, screen):
        items = list(screen.query(ItemView))
        await pilot.press("down")  # the second item
        await pilot.pause()
        assert app.focused is items[1]

        await pilot.press("l")
        await settle(app, pilot)
        ledger = screen.query_one("#ledger")
        assert app.focused is ledger and ledger.max_scroll_y > 0
        await pilot.press("pagedown")
        await pilot.pause()
        assert ledger.scroll_y > 0

        await pilot.press("n")
        await settle(app, pilot)
        assert app.focused is screen.query_one("#notes-body")

        await pilot.press("t")
        await settle(app, pilot)
        assert app.focused is screen.query_one("#debrief-transcript")

        await pilot.press("s")
        await settle(app, pilot)
        assert app.focused is items[1], "back on Scores, the item left is highlighted again"
        assert "⏎ Show evidence" in footer_keys(app)[0]
        await pilot.press("enter")
        await settle(app, pilot)
        assert screen.query_one("#debrief-tabs").active == "tab-transcript"


async def test_transcript_turns_are_chosen_with_the_arrow_keys_for_a_better_reply(lib: Library, session_id: str) -> None:
    async with debrief_of(lib, session_id) as (app, pilot, screen):
        await pilot.press("t")
        await settle(app, pilot)
        hint = str(screen.query_one("#transcript-hint", Static).render())
        assert "↑/↓" in hint and "g" in hint
        transcript = screen.query_one("#debrief-transcript", Transcript)
        assert app.focused is transcript
        mine = [m.index for m in transcript.messages if m.speaker == "trainee"]
        assert len(mine) == len(LINES)

        def selected() -> list[int]:
            return [m.index for m in screen.query(ChatMessage) if m.has_class("-selected")]

        first = screen.selected_turn
        assert first in mine and selected() == [first], "the turn g works on is marked from the start"
        for _ in mine:  # up to the first of them, and no further
            await pilot.press("up")
        await pilot.pause()
        assert screen.selected_turn == mine[0] and selected() == [mine[0]]
        await pilot.press("down", "down")
        await pilot.pause()
        assert screen.selected_turn == mine[2] and selected() == [mine[2]]
        message = next(m for m in transcript.messages if m.index == mine[2])
        assert transcript.scrollable_content_region.overlaps(message.region), "the chosen turn is in view"
        marked = [m.index for m in transcript.messages if "▶ chosen" in str(m.render())]
        assert marked == [mine[2]], "the chosen turn says so in words, not only in colour"
        await pilot.press("g")
        await pilot.pause()
        assert f"Better reply for #{mine[2]}" in "\n".join(n.title or "" for n in app._notifications)


# -- 6. typing after a click on the coach --------------------------------------------------------------------


async def test_typing_after_clicking_the_coach_goes_to_the_composer(lib: Library) -> None:
    app = MhsimApp(library=lib, chunk_delay=0, store=False, scenario_id=HELEN, config=Config())
    async with app.run_test(size=(100, 34)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        encounter = app.screen
        composer = encounter.query_one(Composer)
        composer.load_text("How ")
        composer.move_cursor(composer.document.end)
        await pilot.click(CoachPanel)
        await pilot.pause()
        await pilot.press(*"are you?")
        await pilot.pause()
        assert composer.text == "How are you?"
        assert app.focused is composer
        await pilot.click("#transcript")
        await pilot.press("x")
        await pilot.pause()
        assert composer.text == "How are you?x" and app.focused is composer


# -- 7. history -----------------------------------------------------------------------------------------------


@pytest.fixture
def two_sessions(lib: Library, mhsim_home: Path) -> list[str]:
    scenario = lib.get(HELEN)
    return [play_and_store(scenario, LINES[:2]), play_and_store(scenario, LINES[:3])]


async def open_history(app: MhsimApp, pilot: Pilot) -> HistoryScreen:
    await settle(app, pilot)
    await pilot.press("f3")
    await settle(app, pilot)
    assert isinstance(app.screen, HistoryScreen)
    return app.screen


async def test_history_shows_enter_and_fits_its_columns_to_the_width(lib: Library, two_sessions: list[str]) -> None:
    title = lib.get(HELEN).title
    app = MhsimApp(library=lib, chunk_delay=0, config=Config())
    async with app.run_test(size=SMALL) as pilot:
        history = await open_history(app, pilot)
        assert_footer_fits(app, "⏎ Open", "space Mark", "c Compare")
        table = history.query_one("#sessions", DataTable)
        assert table.virtual_size.width <= table.size.width, "no column is cut off at 80 columns"
        assert [str(c.label) for c in table.ordered_columns][-1] == "Items met", "no empty Model use column"
        # Enter on a filter opens the filter, not a session.
        history.query_one("#filter-status").focus()
        await pilot.pause()
        assert "⏎ Open" not in footer_keys(app)[0]
        table.focus()
        await pilot.pause()
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, DebriefScreen)
        await pilot.press("escape")
        await settle(app, pilot)

        await pilot.resize_terminal(160, 45)
        await settle(app, pilot)
        assert title in [str(c) for c in table.get_row(two_sessions[0])], "a wide terminal shows the whole name"
        assert table.virtual_size.width <= table.size.width
        # A session played by a language model adds the Model use column, sized to fit.
        history.usage = {two_sessions[0]: {"tokens_in": 12000, "tokens_out": 345, "cost_usd": 0.004}}
        history._fill(table)  # as if the store had recorded model use for it
        await settle(app, pilot)
        assert [str(c.label) for c in table.ordered_columns][-1] == "Model use"
        assert "12,345 tok · $0.0040" in [str(c) for c in table.get_row(two_sessions[0])]
        await pilot.resize_terminal(*SMALL)
        await settle(app, pilot)
        assert "12k tok $0.004" in [str(c) for c in table.get_row(two_sessions[0])], "written short when narrow"
        assert table.virtual_size.width <= table.size.width


# -- 8. the live probe without a model -----------------------------------------------------------------------


@pytest.mark.parametrize("size", [SMALL, (100, 34)])
async def test_live_probe_without_a_model_gives_room_and_says_why_keys_do_nothing(lab: LabLibrary, size) -> None:
    app = Host(ProbeScreen(lab.for_exercise("probe")))
    async with app.run_test(size=size, notifications=True) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert screen.query_one("#probe-outputs", OptionList).region.height >= 8
        assert "No language model is configured" in str(screen.query_one("#probe-text", Static).render())
        for key, says in (
            ("ctrl+s", "No answer to grade"),
            ("plus", "No language model is configured"),
            ("minus", "No language model is configured"),
            ("r", "No language model is configured"),
            ("w", "No stored run"),
        ):
            app.clear_notifications()
            await pilot.press(key)
            await pilot.pause()
            assert says in notices(app), f"{key} did nothing and said nothing"


# -- 9. the case list does not give the answers away ---------------------------------------------------------


async def test_spot_case_list_hides_the_planted_failures_until_the_result(lab: LabLibrary) -> None:
    from simulator.lab.taxonomy import mode_title

    cases = lab.for_exercise("spot")
    app = Host(CaseListScreen("spot", cases, lab))
    async with app.run_test(size=(100, 34)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        options = screen.query_one("#cases", OptionList)
        listed = "\n".join(str(o.prompt) for o in options.options)
        for case in cases:
            for mode in case.failure_modes:
                assert mode.value not in listed and mode_title(mode) not in listed
            options.highlighted = options.get_option_index(case.id)
            await pilot.pause()
            preview = str(screen.query_one("#case-about", Static).render())
            assert "Challenges:" in preview and "Tool:" in preview
            for mode in case.failure_modes:
                assert mode.value not in preview and mode_title(mode) not in preview, (case.id, mode)
        # The result names them.
        case = lab.get("companion-goodbye")
        await app.push_screen(SpotScreen(case))
        await settle(app, pilot)
        await pilot.press("d")
        await settle(app, pilot)
        assert isinstance(app.screen, LabResultScreen)
        assert all(mode_title(m) in app.screen.markdown for m in case.failure_modes)


# -- 10. leaving the settings with changes -------------------------------------------------------------------


async def test_leave_without_saving_focuses_keep_editing(lib: Library) -> None:
    app = MhsimApp(library=lib, chunk_delay=0, store=False, config=Config())
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        await pilot.press("f4")
        await settle(app, pilot)
        settings = app.screen
        assert isinstance(settings, SettingsScreen)
        settings.query_one("#set-trainee", Input).value = "sam"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert app.focused is app.screen.query_one("#confirm-no")
        await pilot.press("enter")  # Enter alone keeps the changes
        await pilot.pause()
        assert app.screen is settings and settings.query_one("#set-trainee", Input).value == "sam"


# -- 11. wording and the lab result --------------------------------------------------------------------------


async def test_counts_are_worded_and_the_lab_result_opens_on_the_score(lab: LabLibrary) -> None:
    from simulator.lab.exercises import Flag, score_spot

    app = Host(LabHomeScreen(lab))
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        about = str(app.screen.query_one("#exercise-about", Static).render())
        assert f"{len(lab.for_exercise('spot'))} cases" in about and "case(s)" not in about
        await app.push_screen(SpotScreen(lab.get("companion-goodbye")))
        await settle(app, pilot)
        status = str(app.screen.query_one("#spot-status", Static).render())
        assert status.startswith("0 flags.") and "(s)" not in status
        attempt = score_spot(lab.get("companion-goodbye"), [Flag("a1", "FM-13")], 20.0, trainee="kim")
        await app.push_screen(LabResultScreen(attempt, lab.get("companion-goodbye")))
        await settle(app, pilot)
        shown = app.screen.query_one("#result-md", Markdown).source
        assert shown.index("## Score") < shown.index("Exercise")
        assert "| | |" not in shown and "**Precision (flags that were right):**" in shown
        assert "| | |" in app.screen.markdown, "the exported file keeps its tables"


def test_screen_markdown_keeps_escaped_pipes_in_cells() -> None:
    from simulator.tui.lab.common import screen_markdown

    text = "# T\n\n| | |\n|---|---|\n| Case | a \\| b |\n\n## Score\n\n| | |\n|---|---|\n| F1 | 0.50 |\n\n## More\n"
    shown = screen_markdown(text)
    assert shown.splitlines()[:4] == ["# T", "", "## Score", ""]
    assert "- **F1:** 0.50" in shown and "- **Case:** a \\| b" in shown and shown.rstrip().endswith("## More")


async def test_wrapped_lines_keep_their_indent_in_the_library_and_the_ledger(lib: Library, session_id: str) -> None:
    from simulator.tui.widgets.paragraphs import Paragraphs

    app = MhsimApp(library=lib, chunk_delay=0, store=False, config=Config())
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        options = app.screen.query_one("#scenarios", OptionList)
        room = options.scrollable_content_region.width - 2  # an option's text width
        details = str(options.get_option(HELEN).prompt).split("\n")[1:]
        assert len(details) > 1, "Helen's tags do not fit one row at 80 columns"
        assert all(row.startswith("  ") and len(row) <= room for row in details), details
        assert str(app.screen.query_one("#library-count", Static).render()) == "1 scenario"

    async with debrief_of(lib, session_id) as (app, pilot, screen):
        await pilot.press("l")
        await settle(app, pilot)
        ledger = screen.query_one("#ledger")
        shown = ledger.scrollable_content_region
        screen_rows = [strip.text for strip in app.screen._compositor.render_strips()]
        timeline = screen.query_one("#ledger-timeline", Paragraphs)
        wrapped = [w for w in timeline.query(".line") if w.size.height > 1 and shown.contains_region(w.region)]
        assert len(wrapped) >= 2, "some ledger lines wrap at 80 columns"
        for widget in wrapped:
            region = widget.region
            rows = [screen_rows[y][region.x : region.right] for y in range(region.y, region.bottom)]
            indent = widget.styles.padding.left
            assert rows[0][:indent].strip() == "" and rows[0][indent:indent + 1].strip(), rows
            if widget.query(".bullet"):  # the wrapped rows line up after the bullet
                indent += 2
            for row in rows[1:]:
                assert len(row) - len(row.lstrip()) == indent, rows
