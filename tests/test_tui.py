"""Pilot tests of the TUI: library → briefing → encounter → debrief → export, and the ways it can go wrong.

Every test gets its own ``MHSIM_HOME`` (see conftest), and most run with ``store=False`` and ``chunk_delay=0``
so replies are instant and nothing is written. The patient is the scripted engine or a fake: never a model.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from textual.binding import Binding
from textual.message import Message
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input, OptionList, Static, TextArea

from simulator.config import Config
from simulator.engine import EngineError, ReplyRequest
from simulator.library import Library
from simulator.tui.app import MhsimApp
from simulator.tui.commands import MhsimCommands
from simulator.tui.messages import LibraryProgress, PatientReplyChunk, PatientReplyDone, PatientReplyStarted
from simulator.tui.screens import (
    SCREENS,
    BriefingScreen,
    ConfirmScreen,
    DebriefScreen,
    EncounterScreen,
    HelpScreen,
    ReflectScreen,
    ScenarioPicker,
)
from simulator.tui.screens.debrief import ItemView
from simulator.tui.widgets import ChatMessage, Composer, Transcript
from simulator.tui.widgets.coach import CoachPanel
from simulator.tui.widgets.paragraphs import Paragraphs

ROOT = Path(__file__).resolve().parent.parent
HELEN = "low-mood-passive-si"
SIZE = (100, 34)
RAPPORT = [
    "What brings you in today?",
    "How have you been feeling in yourself lately?",
    "It sounds like things have felt heavy and grey for a long time, and you've been carrying it on your own.",
    "How have you been sleeping?",
]
# The risk cue comes in the reply to turn 5; turn 6 does not ask about suicide.
CUE_IGNORED = RAPPORT[:3] + [
    "What has been happening at home?",
    "You've been through a huge loss this year.",
    "How is work going at the moment?",
]
CONFRONTING = [
    "You are just being lazy, it is your own fault.",
    "That is ridiculous, you need to stop feeling sorry for yourself.",
    "You are wrong, just pull yourself together.",
]


@pytest.fixture(scope="module")
def lib() -> Library:
    """Helen and one more built-in, read once: most tests need a library, not its discovery."""
    from simulator.library import Entry, known_rubric_ids, load_scenario

    ids = known_rubric_ids()
    paths = [ROOT / "scenarios" / f"{name}.scenario.yaml" for name in (HELEN, "alcohol-ambivalence")]
    return Library([Entry(path=p, builtin=True, scenario=load_scenario(p, ids)) for p in paths])


def text_of(widget: Widget) -> str:
    """The plain text a widget shows."""
    return str(widget.render())


def screen_text(screen: Widget) -> str:
    """All the text of a screen's Static widgets, joined (for 'is this shown anywhere' checks)."""
    return "\n".join(text_of(w) for w in screen.query(Static))


async def settle(app: MhsimApp, pilot: Pilot) -> None:
    """Let the library load (it is read after the first frame), workers finish and their messages be handled."""
    await asyncio.wait_for(app.library_loaded.wait(), 60)
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


async def open_library(app: MhsimApp, pilot: Pilot) -> ScenarioPicker:
    await settle(app, pilot)
    assert isinstance(app.screen, ScenarioPicker)
    assert app.screen.library is not None
    return app.screen


async def start_helen(app: MhsimApp, pilot: Pilot) -> EncounterScreen:
    """From the library: highlight Helen by id, open her briefing, press Start."""
    picker = await open_library(app, pilot)
    assert picker.select(HELEN)
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, BriefingScreen)
    await pilot.press("enter")  # Start has focus
    await pilot.pause()
    assert isinstance(app.screen, EncounterScreen)
    return app.screen


async def say(app: MhsimApp, pilot: Pilot, line: str) -> None:
    """Put a line in the composer and press Enter; wait for the reply."""
    composer = app.screen.query_one(Composer)
    composer.load_text(line)
    await pilot.press("enter")
    await settle(app, pilot)


def transcript(app: MhsimApp) -> list[ChatMessage]:
    return app.screen.query_one(Transcript).messages


def notices(app: MhsimApp) -> str:
    return "\n".join(n.message for n in app._notifications)


# -- the whole flow -----------------------------------------------------------------------------------


async def test_library_briefing_encounter_debrief_export(mhsim_home: Path) -> None:
    app = MhsimApp(chunk_delay=0, goodbye_pause=0, config=Config())
    copied: list[str] = []
    app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        picker = await open_library(app, pilot)
        options = picker.query_one("#scenarios", OptionList)
        prompt = str(options.get_option(HELEN).prompt)
        assert "Helen" in prompt and "intermediate" in prompt and "en" in prompt and "ethics" in prompt
        assert "scenarios" in text_of(picker.query_one("#library-count"))

        # Search narrows the list; a filter that matches nothing says so.
        await pilot.press("slash")
        await pilot.press(*"d:intermediate helen")
        await pilot.pause()
        assert picker.listed_ids == [HELEN]
        picker.query_one("#library-search", Input).value = "rubric:no-such-rubric"
        await pilot.pause()
        assert picker.listed_ids == []
        assert "Nothing matches" in text_of(picker.query_one("#preview"))
        await pilot.press("escape")
        await pilot.pause()
        assert HELEN in picker.listed_ids and len(picker.listed_ids) > 1
        preview = text_of(picker.query_one("#preview"))
        assert "Content warnings:" in preview and "Rubrics:" in preview and "Language:" in preview

        encounter = await start_helen(app, pilot)
        session = encounter.session
        assert session.store is not None
        messages = transcript(app)
        assert len(messages) == 1 and messages[0].text == session.scenario.opening_line

        # Type the first line key by key, as a trainee would.
        await pilot.press(*"What brings you in today?")
        assert app.screen.query_one(Composer).text == "What brings you in today?"
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen.query_one(Composer).text == ""
        for line in CUE_IGNORED[1:]:
            await say(app, pilot, line)

        messages = transcript(app)
        assert [m.speaker for m in messages] == ["patient"] + ["trainee", "patient"] * len(CUE_IGNORED)
        assert [m.index for m in messages] == [t.index for t in session.turns]
        bar = text_of(app.screen.query_one("#encounter-bar"))
        assert "Turn 6" in bar and "⏱" in bar

        # The coach has a note per turn, newest first; ignoring the risk cue is flagged with a better reply.
        coach = app.screen.query_one(CoachPanel)
        assert [fb.turn for fb in coach.entries] == [6, 5, 4, 3, 2, 1]
        last = coach.entries[0]
        assert last.mark == "✘" and "suicide" in last.line and last.better_reply
        assert "open question" in last.codes
        assert coach.entries[3].mark == "✔" and "reflection" in coach.entries[3].line.lower()

        # Pause and reflect: the clock stops, the note is stored.
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, ReflectScreen)
        await pilot.press(*"She said there is no point. I missed it.")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, EncounterScreen)
        assert [n.text for n in encounter.notes] == ["She said there is no point. I missed it."]
        assert session.store.notes(session.id)[0]["turn"] == 6

        await pilot.press("ctrl+e")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(app, pilot)
        debrief = app.screen
        assert isinstance(debrief, DebriefScreen)
        assert session.info.status == "complete"

        # Critical misses first, each item with a symbol and words.
        items = list(debrief.query(ItemView))
        scored = [item for rubric in session.score.rubrics for item in rubric.items]
        assert len(items) == len(scored)
        assert items[0].item.status == "critical_miss"
        assert items[0].parent.id == "critical-misses"
        marks = [text_of(v.query_one(".mark")) for v in items]
        assert all(mark[0] in "✔~✘‼–·" and " " in mark for mark in marks), marks

        # Enter on an item jumps to the turns that earned it.
        assert app.focused is items[0]
        await pilot.press("enter")
        await pilot.pause()
        assert debrief.query_one("#debrief-tabs").active == "tab-transcript"
        assert debrief.evidence_marked == items[0].item.evidence_turns
        assert isinstance(app.focused, Transcript)
        trainee_lines = [m for m in debrief.query_one("#debrief-transcript", Transcript).messages if m.speaker == "trainee"]
        assert all(m.extra.startswith("[") for m in trainee_lines), "each trainee turn shows its codes"
        assert any("Try:" in m.extra for m in trainee_lines)

        # The ledger as a timeline, with what would have opened the hidden facts.
        await pilot.press("l")
        await pilot.pause()
        timeline = debrief.query_one("#ledger-timeline", Paragraphs).text
        assert "Trust over the session" in timeline
        for d in session.ledger:
            assert session.scenario.fact(d.fact_id).summary in timeline
            assert f"Your turn {d.turn}" in timeline
        disclosed = {d.fact_id for d in session.ledger}
        for fact in session.scenario.facts:
            if fact.id not in disclosed:
                assert fact.summary in timeline and (not fact.hint or fact.hint in timeline)
        assert "would have opened with" in timeline and "needed:" in timeline

        await pilot.press("n")
        await pilot.pause()
        assert "She said there is no point" in debrief.query_one("#notes", Paragraphs).text
        assert "Try:" in text_of(debrief.query_one("#better-replies"))

        # Export both ways and copy.
        await pilot.press("x")
        await pilot.press("j")
        await pilot.press("c")
        await pilot.pause()
        exports = sorted((mhsim_home / "exports").iterdir())
        assert [p.suffix for p in exports] == [".json", ".md"]
        markdown = exports[1].read_text(encoding="utf-8")
        assert "## Reflection notes" in markdown and "She said there is no point" in markdown
        assert "‼ critical miss" in markdown
        document = json.loads(exports[0].read_text(encoding="utf-8"))
        assert document["format"] == "mhsim-session/1"
        assert document["notes"][0]["text"].startswith("She said")
        assert len(document["turns"]) == len(session.turns)
        assert copied == [markdown]
        assert "Saved to" in notices(app)

        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ScenarioPicker)


async def test_library_progress_is_reported() -> None:
    seen: list[Message] = []
    app = MhsimApp(chunk_delay=0, store=False, config=Config())
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await open_library(app, pilot)
    progress = [m for m in seen if isinstance(m, LibraryProgress)]
    assert progress, "the library reports its progress while it loads"
    assert progress[-1].done == progress[-1].total == len(app.library.entries)


async def test_user_folders_from_config_and_flag_are_listed(tmp_path: Path) -> None:
    import shutil

    root = Path(__file__).resolve().parent.parent / "scenarios"
    mine, extra = tmp_path / "mine", tmp_path / "extra"
    mine.mkdir()
    extra.mkdir()
    text = (root / f"{HELEN}.scenario.yaml").read_text(encoding="utf-8")
    (mine / "mine.scenario.yaml").write_text(text.replace(f"id: {HELEN}", "id: helen-mine"), encoding="utf-8")
    shutil.copy(root / f"{HELEN}.scenario.yaml", extra / "copy.scenario.yaml")  # same id as the built-in
    app = MhsimApp(chunk_delay=0, store=False, config=Config(scenario_dirs=[mine]), extra_dirs=[extra])
    async with app.run_test(size=SIZE) as pilot:
        picker = await open_library(app, pilot)
        assert "helen-mine" in picker.listed_ids
        assert "(your folder)" in str(picker.query_one("#scenarios", OptionList).get_option("helen-mine").prompt)
        options = picker.query_one("#scenarios", OptionList)
        conflict = options.get_option(f"shadowed:{extra / 'copy.scenario.yaml'}")
        assert "same id" in str(conflict.prompt)
        assert "id conflict" in text_of(picker.query_one("#library-count"))


async def test_critical_misses_come_first(lib: Library) -> None:
    app = MhsimApp(library=lib, chunk_delay=0, store=False, config=Config())
    async with app.run_test(size=SIZE) as pilot:
        encounter = await start_helen(app, pilot)
        for line in CUE_IGNORED:
            await say(app, pilot, line)
        await encounter.end_session()
        await settle(app, pilot)
        score = encounter.session.score
        assert score.critical_misses, "ignoring the cue is a critical miss"
        body = app.screen.query_one("#scores")
        order = [child.id or " ".join(child.classes) for child in body.children]
        assert order.index("critical-misses") < order.index("rubric")
        statuses = [v.item.status for v in app.screen.query(ItemView)]
        first_rubric = [v.item.status for v in app.screen.query(".rubric").first().query(ItemView)]
        assert statuses[0] == "critical_miss"
        rank = ["critical_miss", "missed", "partly", "met", "info", "not_applicable"]
        assert first_rubric == sorted(first_rubric, key=rank.index)


async def test_reply_streams_through_messages(lib: Library) -> None:
    seen: list[Message] = []
    app = MhsimApp(library=lib, chunk_delay=0.001, store=False, scenario_id=HELEN, config=Config())
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, BriefingScreen)
        await pilot.press("enter")
        await pilot.pause()
        await say(app, pilot, "How have you been sleeping?")
        started = [m for m in seen if isinstance(m, PatientReplyStarted)]
        chunks = [m.text for m in seen if isinstance(m, PatientReplyChunk)]
        done = [m for m in seen if isinstance(m, PatientReplyDone)]
        assert len(started) == 1 and len(done) == 1
        assert len(chunks) >= 2, "the reply arrives in several chunks"
        assert all(b.startswith(a) for a, b in itertools.pairwise(chunks)), "each chunk extends the text"
        assert done[0].text == transcript(app)[-1].text


async def test_newline_keys_and_send_binding(lib: Library) -> None:
    app = MhsimApp(library=lib, chunk_delay=0, store=False, scenario_id=HELEN, config=Config())
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press(*"How are", "ctrl+j", *"you?")
        assert app.screen.query_one(Composer).text == "How are\nyou?"
        await pilot.press("shift+enter")
        assert app.screen.query_one(Composer).text == "How are\nyou?\n"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        trainee = [m for m in transcript(app) if m.speaker == "trainee"]
        assert [m.text for m in trainee] == ["How are\nyou?"]
        await pilot.press("enter")  # empty input is ignored, not sent
        await settle(app, pilot)
        assert len([m for m in transcript(app) if m.speaker == "trainee"]) == 1


class GatedEngine:
    """Says "I", then waits for the test to open the gate before saying the rest."""

    name = "scripted"

    def __init__(self) -> None:
        import asyncio

        self.gate = asyncio.Event()

    async def stream(self, request: ReplyRequest) -> AsyncIterator[str]:
        yield "I"
        await self.gate.wait()
        yield " " + request.plan.text


async def test_typing_ahead_while_the_patient_replies(lib: Library) -> None:
    """A line sent while the reply streams is not lost: it waits in the composer until sent again."""
    engine = GatedEngine()
    app = MhsimApp(library=lib, chunk_delay=0, store=False, scenario_id=HELEN, engine=engine, config=Config())
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await pilot.pause()
        encounter = app.screen
        await pilot.press(*"How have you been sleeping?", "enter")
        await pilot.press(*"What helps?", "enter")  # the reply is still streaming
        assert encounter.streaming
        assert transcript(app)[-1].text == "I"
        assert encounter.query_one(Composer).text == "What helps?"
        assert "still replying" in notices(app)
        engine.gate.set()
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        trainee = [m.text for m in transcript(app) if m.speaker == "trainee"]
        assert trainee == ["How have you been sleeping?", "What helps?"]


# -- failures -----------------------------------------------------------------------------------------


class FlakyEngine:
    """Fails the first reply (after one chunk), then speaks the planned line."""

    name = "flaky"

    def __init__(self) -> None:
        self.calls = 0

    async def stream(self, request: ReplyRequest) -> AsyncIterator[str]:
        self.calls += 1
        if self.calls == 1:
            yield "Well"
            raise EngineError("The model server at http://localhost:9 refused the connection.", "connection")
        yield request.plan.text


async def test_engine_error_keeps_the_turn_and_retries(lib: Library) -> None:
    engine = FlakyEngine()
    app = MhsimApp(library=lib, chunk_delay=0, store=False, scenario_id=HELEN, engine=engine, config=Config())
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert "flaky" in screen_text(app.screen)  # the briefing names the engine
        await pilot.press("enter")
        await pilot.pause()
        encounter = app.screen
        await say(app, pilot, "How have you been sleeping?")
        messages = transcript(app)
        assert messages[-1].speaker == "trainee", "the cut-off reply is not left in the transcript"
        assert "refused the connection" in messages[-1].note and "Ctrl+R" in messages[-1].note
        assert "Ctrl+R to ask again" in notices(app) and "Settings" in notices(app)
        assert "Ctrl+R" in text_of(encounter.query_one("#encounter-bar"))
        assert encounter.check_action("retry", ())

        await say(app, pilot, "Are you still there?")
        assert app.screen.query_one(Composer).text == "Are you still there?", "typed text is kept"

        await pilot.press("ctrl+r")
        await settle(app, pilot)
        messages = transcript(app)
        assert messages[-1].speaker == "patient" and messages[-1].text
        assert "No reply yet" not in messages[-2].note
        assert engine.calls == 2


async def test_patient_walking_out_opens_the_debrief(lib: Library) -> None:
    app = MhsimApp(library=lib, chunk_delay=0, store=False, scenario_id=HELEN, config=Config())
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await pilot.pause()
        session = app.screen.session
        for line in CONFRONTING:
            if not isinstance(app.screen, EncounterScreen):
                break
            await say(app, pilot, line)
        assert session.over
        assert isinstance(app.screen, DebriefScreen)
        summary = text_of(app.screen.query_one("#debrief-summary"))
        assert "ended by the patient" in summary and "Helen leaves early" in summary


async def test_broken_file_is_listed_with_every_problem(tmp_path: Path) -> None:
    folder = tmp_path / "more"
    folder.mkdir()
    bad = folder / "half-written.scenario.yaml"
    bad.write_text("schema_version: 1\nid: half-written\ntitle: [unclosed\n", encoding="utf-8")
    app = MhsimApp(chunk_delay=0, store=False, extra_dirs=[folder], config=Config())
    async with app.run_test(size=SIZE) as pilot:
        picker = await open_library(app, pilot)
        options = picker.query_one("#scenarios", OptionList)
        key = f"broken:{bad}"
        prompt = str(options.get_option(key).prompt)
        assert "broken" in prompt and bad.name in prompt and "line" in prompt
        assert picker.select(key)
        await pilot.pause()
        preview = text_of(picker.query_one("#preview"))
        assert str(bad) in preview and re.search(r"line \d+:\d+", preview)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ScenarioPicker), "a broken file cannot be opened"
        assert "cannot be opened" in notices(app)
        assert "broken file" in text_of(picker.query_one("#library-count"))


async def test_unknown_scenario_id_is_reported(lib: Library) -> None:
    app = MhsimApp(library=lib, chunk_delay=0, store=False, scenario_id="no-such-scenario", config=Config())
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, ScenarioPicker)
        assert "no-such-scenario" in notices(app)


# -- what is shown before the debrief ----------------------------------------------------------------


async def test_hidden_facts_stay_hidden_before_the_debrief(lib: Library) -> None:
    app = MhsimApp(library=lib, chunk_delay=0, store=False, scenario_id=HELEN, config=Config())
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        briefing = app.screen
        assert isinstance(briefing, BriefingScreen)
        scenario = briefing.scenario
        shown = screen_text(briefing)
        assert scenario.persona.background in shown and scenario.persona.presenting_concern in shown
        for text in scenario.content_warnings + scenario.learning_objectives:
            assert text in shown
        assert "scripted patient (offline)" in shown and "stays on this computer" in shown
        assert "Live coach: on" in shown
        for fact in scenario.facts:
            assert fact.summary not in shown and fact.hint not in shown
            assert all(line not in shown for line in fact.lines)
        await pilot.press("enter")
        await pilot.pause()
        await say(app, pilot, "How have you been sleeping?")
        shown = screen_text(app.screen)
        disclosed = set(app.screen.session.state.disclosed)
        for fact in scenario.facts:
            assert fact.summary not in shown and fact.hint not in shown
            if fact.id not in disclosed:
                assert all(line not in shown for line in fact.lines)


async def test_choose_another_from_the_briefing(lib: Library) -> None:
    app = MhsimApp(library=lib, chunk_delay=0, store=False, scenario_id=HELEN, config=Config())
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ScenarioPicker)
        assert app.session is None, "nothing is started or stored from the briefing"


# -- the engine choice --------------------------------------------------------------------------------


async def test_llm_engine_without_a_model_is_refused_with_what_to_do(lib: Library) -> None:
    app = MhsimApp(library=lib, chunk_delay=0, store=False, scenario_id=HELEN, config=Config(engine="llm"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        shown = screen_text(app.screen)
        assert "No model is set" in shown and "Settings (F4)" in shown
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, BriefingScreen), "no session starts without a model"
        assert "No model is set" in notices(app)


async def test_briefing_says_where_words_go_for_a_remote_model(lib: Library) -> None:
    from simulator.config import ModelConfig

    config = Config(
        engine="llm",
        model=ModelConfig(model="openai/gpt-4o-mini"),
        scenario_models={HELEN: ModelConfig(model="ollama/llama3.2", api_base="http://127.0.0.1:11434")},
    )
    app = MhsimApp(library=lib, chunk_delay=0, store=False, scenario_id=HELEN, config=config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        shown = screen_text(app.screen)
        assert "language model ollama/llama3.2" in shown
        assert "model server on this computer" in shown and "http://127.0.0.1:11434" in shown


# -- coach settings -----------------------------------------------------------------------------------


async def test_assessment_mode_hides_the_coach_until_the_debrief(lib: Library) -> None:
    app = MhsimApp(library=lib, chunk_delay=0, store=False, scenario_id=HELEN, config=Config(assessment_mode=True))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert "assessment mode" in screen_text(app.screen)
        await pilot.press("enter")
        await pilot.pause()
        encounter = app.screen
        assert not encounter.query(CoachPanel)
        await say(app, pilot, "You should just exercise more.")
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert "assessment" in notices(app)
        assert "assessment" in text_of(encounter.query_one("#encounter-bar"))
        await encounter.end_session()
        await settle(app, pilot)
        await pilot.press("t")
        await settle(app, pilot)
        lines = [m for m in app.screen.query_one("#debrief-transcript", Transcript).messages if m.speaker == "trainee"]
        assert "advice without permission" in lines[0].extra, "the feedback is given in the debrief"


async def test_live_coach_off_starts_hidden_and_can_be_shown(lib: Library) -> None:
    app = MhsimApp(library=lib, chunk_delay=0, store=False, scenario_id=HELEN, config=Config(live_coach=False))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await pilot.pause()
        panel = app.screen.query_one(CoachPanel)
        assert not panel.display
        await say(app, pilot, RAPPORT[0])
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert panel.display and panel.entries[0].turn == 1


# -- help, palette, keys, themes ----------------------------------------------------------------------


async def test_f1_help_for_the_focused_widget_and_the_screen(lib: Library) -> None:
    app = MhsimApp(library=lib, chunk_delay=0, store=False, scenario_id=HELEN, config=Config())
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        assert help_screen.widget_help is not None and help_screen.widget_help[0] == "Composer"
        keys = help_screen.keys_text
        for words in ("Send", "New line", "End", "Coach", "Note", "Quit", "Command palette"):
            assert words in keys
        assert "^e" in keys and "^j" in keys
        assert "Focus Next" not in keys, "only mhsim's own keys, not Textual internals"
        await pilot.press("escape")
        await pilot.pause()
        app.screen.query_one(CoachPanel).focus()
        await pilot.press("f1")
        await pilot.pause()
        assert "Coach panel" in app.screen.widget_help[0]


def test_every_binding_has_an_id_and_a_tooltip() -> None:
    from simulator.tui.screens.debrief import ItemView

    owners = [MhsimApp, *SCREENS, ItemView]
    missing = []
    for owner in owners:
        for binding in owner.BINDINGS:
            assert isinstance(binding, Binding)
            if binding.system:
                continue
            if not binding.id or "." not in binding.id or not (binding.tooltip or not binding.show):
                missing.append(f"{owner.__name__}: {binding.key}")
            if binding.show and not binding.tooltip:
                missing.append(f"{owner.__name__}: {binding.key} has no tooltip")
    assert missing == []
    ids = [b.id for owner in owners for b in owner.BINDINGS if not b.system]
    assert len(ids) == len(set(ids)), "binding ids are unique, so a keymap entry means one thing"


async def test_keymap_from_config_remaps_a_binding(lib: Library) -> None:
    config = Config(keymap={"encounter.end": "ctrl+x", "nonsense.id": "f9"})
    app = MhsimApp(library=lib, chunk_delay=0, store=False, scenario_id=HELEN, config=config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert "unknown binding id(s) nonsense.id" in notices(app)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("ctrl+x")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)


async def test_config_file_theme_and_problems(mhsim_home: Path) -> None:
    (mhsim_home / "config.yaml").write_text("theme: mhsim-high-contrast\nlive_coach: maybe\n", encoding="utf-8")
    app = MhsimApp(chunk_delay=0, store=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_library(app, pilot)
        assert app.theme == "mhsim-high-contrast", "the theme is applied before the file is validated"
        assert "config.yaml:2" in notices(app) and "Settings (F4)" in notices(app)
        assert app.config == Config()
        assert app.config_problems


async def test_unknown_theme_falls_back_with_a_notice(lib: Library) -> None:
    app = MhsimApp(library=lib, chunk_delay=0, store=False, config=Config(theme="no-such-theme"))
    async with app.run_test(size=SIZE) as pilot:
        await open_library(app, pilot)
        assert app.theme == "textual-dark"
        assert "no-such-theme" in notices(app)


async def test_palette_commands_follow_the_screen(lib: Library) -> None:
    app = MhsimApp(library=lib, chunk_delay=0, store=False, scenario_id=HELEN, config=Config())
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        titles = [t for t, _, _ in MhsimCommands(app.screen)._commands()]
        assert "session: start" in titles and "go: history" in titles
        await pilot.press("enter")
        await pilot.pause()
        titles = [t for t, _, _ in MhsimCommands(app.screen)._commands()]
        assert {"session: end", "coach: show or hide", "reflect: write a note"} <= set(titles)
        assert "go: history" not in titles, "no leaving an encounter through the palette"
        await say(app, pilot, RAPPORT[0])

        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"debrief: show")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, DebriefScreen)
        titles = [t for t, _, _ in MhsimCommands(app.screen)._commands()]
        assert {"export: debrief as Markdown", "export: session as JSON", "copy: debrief to clipboard"} <= set(titles)
        assert "theme: mhsim-high-contrast" in titles


async def test_usable_at_80_by_24(lib: Library) -> None:
    app = MhsimApp(library=lib, chunk_delay=0, store=False, scenario_id=HELEN, config=Config())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await pilot.pause()
        await say(app, pilot, RAPPORT[0])
        screen = app.screen
        assert screen.has_class("-narrow")
        for selector in ("#transcript", "#composer", "#coach-panel", "#encounter-bar"):
            region = screen.query_one(selector).region
            assert region.width >= 20 and region.height >= 1, selector
            assert region.right <= 80 and region.bottom <= 24, selector
        assert screen.query_one("#transcript").region.width >= 40


# -- storing, pausing, resuming -----------------------------------------------------------------------


async def test_quit_keeps_the_draft_and_resume_restores_it(lib: Library, mhsim_home: Path) -> None:
    from simulator.store import Store

    first = MhsimApp(library=lib, chunk_delay=0, scenario_id=HELEN, config=Config())
    async with first.run_test(size=SIZE) as pilot:
        await settle(first, pilot)
        await pilot.press("enter")
        await pilot.pause()
        await say(first, pilot, RAPPORT[0])
        await say(first, pilot, RAPPORT[1])
        first.screen.save_note("Trust is building slowly.")
        await pilot.press(*"half a thought")
        session_id = first.screen.session.id
        said = [t.text for t in first.screen.session.turns]
        await pilot.press("ctrl+q")
    assert first.paused_session_id == session_id
    with Store.open_default() as store:
        assert store.session(session_id).status == "interrupted"
        assert store.meta(session_id)["draft"] == "half a thought"

    app = MhsimApp(library=lib, chunk_delay=0, resume_id=session_id[:12], config=Config())
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, EncounterScreen)
        assert [m.text for m in transcript(app)] == said
        assert screen.query_one(Composer).text == "half a thought", "typed text is never lost"
        assert [n.text for n in screen.notes] == ["Trust is building slowly."]
        assert [fb.turn for fb in screen.query_one(CoachPanel).entries] == [2, 1]
        assert "Turn 2" in text_of(screen.query_one("#encounter-bar"))
        await say(app, pilot, RAPPORT[2])
        assert transcript(app)[-1].speaker == "patient"
        await screen.end_session()
        await settle(app, pilot)
        assert isinstance(app.screen, DebriefScreen)
        assert "Trust is building slowly." in app.screen.query_one("#notes", Paragraphs).text
    with Store.open_default() as store:
        assert store.session(session_id).status == "complete"
        assert "draft" not in store.meta(session_id)


async def test_store_failure_runs_without_storing(lib: Library, mhsim_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = mhsim_home / "not-a-folder"
    blocker.write_text("a file where the data folder should be", encoding="utf-8")
    monkeypatch.setenv("MHSIM_HOME", str(blocker))
    app = MhsimApp(library=lib, chunk_delay=0, scenario_id=HELEN, config=Config())
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, EncounterScreen)
        assert app.screen.session.store is None
        assert "will not be saved" in notices(app)
        await say(app, pilot, RAPPORT[0])
        assert transcript(app)[-1].speaker == "patient"


async def test_reflect_close_keeps_the_draft(lib: Library) -> None:
    times = iter(range(0, 1000, 10))
    app = MhsimApp(library=lib, chunk_delay=0, store=False, scenario_id=HELEN, config=Config(), clock=lambda: float(next(times)))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await pilot.pause()
        encounter = app.screen
        await pilot.press("ctrl+n")
        await pilot.pause()
        await pilot.press(*"not finished")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, EncounterScreen)
        assert encounter.notes == [] and encounter.note_draft == "not finished"
        assert encounter._paused_total > 0, "the clock stops while reflecting"
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert app.screen.query_one("#reflect-text", TextArea).text == "not finished"


async def test_composer_is_a_text_area() -> None:
    composer = Composer()
    assert isinstance(composer, TextArea)
    assert composer.soft_wrap


async def test_a_remote_model_needs_consent_before_the_first_reply(
    lib: Library, mhsim_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import simulator.llm.engine
    from simulator.config import ModelConfig
    from simulator.engine import ScriptedEngine

    class FakeLLM(ScriptedEngine):
        name = "litellm:openai/gpt-4o-mini"

    built: list[ModelConfig] = []

    def fake_engine(settings: ModelConfig) -> FakeLLM:
        built.append(settings)
        return FakeLLM()

    monkeypatch.setattr(simulator.llm.engine, "engine_from_config", fake_engine)
    config = Config(engine="llm", model=ModelConfig(model="openai/gpt-4o-mini"))
    app = MhsimApp(library=lib, chunk_delay=0, store=False, scenario_id=HELEN, config=config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert "you are asked to agree" in screen_text(app.screen)
        await pilot.press("enter")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ConfirmScreen)
        assert "openai/gpt-4o-mini" in dialog.question and "Not sent" in dialog.question
        assert app.focused is not None and app.focused.id == "confirm-no", "Enter alone never consents"
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, BriefingScreen) and not built, "nothing starts without consent"
        assert "Nothing was sent" in notices(app)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("y")
        await settle(app, pilot)
        assert isinstance(app.screen, EncounterScreen)
        assert built[0].model == "openai/gpt-4o-mini"
        assert "litellm:openai/gpt-4o-mini" in text_of(app.screen.query_one("#encounter-bar"))
        assert (mhsim_home / "consent.json").is_file(), "the answer is remembered (and can be revoked)"


def test_the_resume_hint_names_the_folders_the_scenario_came_from(monkeypatch, tmp_path, capsys) -> None:
    from simulator.tui import app as app_module

    class Paused:
        """Stands in for the app: it runs, and leaves a session paused."""

        paused_session_id = "01ABCDEFGHJKMNPQ"

        def __init__(self, **kwargs) -> None:
            pass

        def run(self) -> None:
            pass

        def pause_session(self) -> None:
            pass

    monkeypatch.setattr(app_module, "MhsimApp", Paused)
    folder = tmp_path / "my scenarios"
    app_module.run(extra_dirs=[folder])
    out = capsys.readouterr().out
    assert f"mhsim sessions resume 01ABCDEFGH --scenarios '{folder.resolve()}'" in out
