"""Pilot tests of the TUI: library → briefing → encounter → debrief, and the ways it can go wrong.

Every test gets its own ``MHSIM_HOME`` (see conftest), and most run with ``store=False`` and ``chunk_delay=0``
so replies are instant and nothing is written.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from textual.message import Message
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import OptionList, TextArea

from simulator.engine import EngineError, ReplyRequest
from simulator.tui.app import MhsimApp
from simulator.tui.commands import MhsimCommands
from simulator.tui.messages import PatientReplyChunk, PatientReplyDone, PatientReplyStarted
from simulator.tui.screens import (
    BriefingScreen,
    ConfirmScreen,
    DebriefScreen,
    EncounterScreen,
    HelpScreen,
    ScenarioPicker,
)
from simulator.tui.screens.debrief import ItemView
from simulator.tui.widgets import ChatMessage, Composer, Transcript

HELEN = "low-mood-passive-si"
SIZE = (100, 34)
RAPPORT = [
    "What brings you in today?",
    "How have you been feeling in yourself lately?",
    "It sounds like things have felt heavy and grey for a long time, and you've been carrying it on your own.",
    "How have you been sleeping?",
]
CONFRONTING = [
    "You are just being lazy, it is your own fault.",
    "That is ridiculous, you need to stop feeling sorry for yourself.",
    "You are wrong, just pull yourself together.",
]


def text_of(widget: Widget) -> str:
    """The plain text a widget shows."""
    return str(widget.render())


def screen_text(screen: Widget) -> str:
    """All the text of a screen's Static widgets, joined (for 'is this shown anywhere' checks)."""
    from textual.widgets import Static

    return "\n".join(text_of(w) for w in screen.query(Static))


async def settle(app: MhsimApp, pilot: Pilot) -> None:
    """Let workers finish and their messages be handled."""
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


# -- the whole slice ----------------------------------------------------------------------------------


async def test_library_to_debrief_end_to_end() -> None:
    app = MhsimApp(chunk_delay=0, store=False, goodbye_pause=0)
    async with app.run_test(size=SIZE) as pilot:
        picker = await open_library(app, pilot)
        options = picker.query_one("#scenarios", OptionList)
        assert options.get_option(HELEN) is not None
        prompt = str(options.get_option(HELEN).prompt)
        assert "Helen" in prompt and "intermediate" in prompt and "ethics_boundaries" in prompt

        encounter = await start_helen(app, pilot)
        session = encounter.session
        assert session.scenario.id == HELEN
        messages = transcript(app)
        assert len(messages) == 1 and messages[0].speaker == "patient"
        assert messages[0].text == session.scenario.opening_line

        # Type the first line key by key, as a trainee would.
        await pilot.press(*"What brings you in today?")
        assert app.screen.query_one(Composer).text == "What brings you in today?"
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen.query_one(Composer).text == ""
        for line in RAPPORT[1:]:
            await say(app, pilot, line)

        messages = transcript(app)
        assert [m.speaker for m in messages] == ["patient"] + ["trainee", "patient"] * len(RAPPORT)
        assert [m.text for m in messages if m.speaker == "trainee"] == RAPPORT
        replies = [m for m in messages[1:] if m.speaker == "patient"]
        assert all(r.text and r.text != "…" for r in replies)
        # Message numbers are the transcript indexes the debrief's evidence refers to.
        assert [m.index for m in messages] == [t.index for t in session.turns]
        assert "Turn 4" in text_of(app.screen.query_one("#encounter-bar"))
        coach = text_of(app.screen.query_one("#coach"))
        assert "last turn:" in coach and "sleep" in coach
        assert session.ledger, "rapport and a sleep question should have released facts"

        await pilot.press("ctrl+e")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(app, pilot)
        assert isinstance(app.screen, DebriefScreen)
        assert session.info.status == "complete"
        assert session.turns[-1].speaker == "patient"
        assert session.turns[-1].text in session.scenario.closing_lines

        debrief = app.screen
        items = list(debrief.query(ItemView))
        assert items, "rubric items are shown"
        scored = [item for rubric in session.score.rubrics for item in rubric.items]
        assert len(items) == len(scored)
        marks = [text_of(v.query_one(".mark")) for v in items]
        assert all(mark[0] in "✔~✘‼–·" and " " in mark for mark in marks), marks  # symbol and words
        heads = "\n".join(text_of(v.query_one(".item-head")) for v in items)
        assert any(f"#{n}" in heads for item in scored for n in item.evidence_turns)
        disclosed = text_of(debrief.query_one("#ledger-disclosed"))
        for d in session.ledger:
            assert session.scenario.fact(d.fact_id).summary in disclosed
            assert f"your turn {d.turn}" in disclosed
        hidden_ids = {f.id for f in session.scenario.facts} - {d.fact_id for d in session.ledger}
        hidden = text_of(debrief.query_one("#ledger-hidden"))
        for fact in session.scenario.facts:
            if fact.id in hidden_ids:
                assert fact.summary in hidden and fact.hint in hidden
        assert "formative" in text_of(debrief.query_one("#debrief-notice"))
        assert "ended by you" in text_of(debrief.query_one("#debrief-summary"))

        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, ScenarioPicker)


async def test_critical_misses_come_first() -> None:
    """Skipping the risk question after a cue is a critical miss, listed before the rubric tables."""
    app = MhsimApp(chunk_delay=0, store=False)
    async with app.run_test(size=SIZE) as pilot:
        encounter = await start_helen(app, pilot)
        for line in RAPPORT[:3] + [
            "What has been happening at home?",
            "You've been through a huge loss this year.",
        ]:
            await say(app, pilot, line)
        await encounter.end_session()
        await settle(app, pilot)
        assert isinstance(app.screen, DebriefScreen)
        score = encounter.session.score
        if not score.critical_misses:
            pytest.skip("this script no longer earns a critical miss; the ordering is checked elsewhere")
        body = app.screen.query_one("#debrief-body")
        order = [child.id or " ".join(child.classes) for child in body.children]
        assert order.index("critical-misses") < order.index("rubric")
        items = list(app.screen.query(ItemView))
        first_rubric_statuses = [v.item.status for v in items[: len(score.rubrics[0].items)]]
        assert first_rubric_statuses == sorted(
            first_rubric_statuses,
            key=["critical_miss", "missed", "partly", "met", "info", "not_applicable"].index,
        )


async def test_reply_streams_through_messages() -> None:
    seen: list[Message] = []
    app = MhsimApp(chunk_delay=0.001, store=False, scenario_id=HELEN)
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
        assert not done[0].over


async def test_newline_keys_and_send_binding() -> None:
    app = MhsimApp(chunk_delay=0, store=False, scenario_id=HELEN)
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
        assert transcript(app)[-1].speaker == "patient"
        # Empty input is ignored, not sent.
        await pilot.press("enter")
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


async def test_typing_ahead_while_the_patient_replies() -> None:
    """A line sent while the reply streams is not lost: it waits in the composer until sent again."""
    engine = GatedEngine()
    app = MhsimApp(chunk_delay=0, store=False, scenario_id=HELEN, engine=engine)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await pilot.pause()
        encounter = app.screen
        await pilot.press(*"How have you been sleeping?", "enter")
        await pilot.press(*"What helps?", "enter")  # the reply is still streaming
        assert encounter.streaming
        assert transcript(app)[-1].text == "I"  # the first chunk is on screen
        assert encounter.query_one(Composer).text == "What helps?"
        assert any("still replying" in n.message for n in app._notifications)
        engine.gate.set()
        await settle(app, pilot)
        assert not encounter.streaming
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


async def test_engine_error_keeps_the_turn_and_retries() -> None:
    engine = FlakyEngine()
    app = MhsimApp(chunk_delay=0, store=False, scenario_id=HELEN, engine=engine)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert "flaky" in screen_text(app.screen)  # the briefing names the engine
        await pilot.press("enter")
        await pilot.pause()
        encounter = app.screen
        assert isinstance(encounter, EncounterScreen)
        await say(app, pilot, "How have you been sleeping?")

        messages = transcript(app)
        assert messages[-1].speaker == "trainee", "the cut-off reply is not left in the transcript"
        assert messages[-1].text == "How have you been sleeping?"
        assert "refused the connection" in messages[-1].note and "Ctrl+R" in messages[-1].note
        assert encounter.session.pending is not None
        assert any("refused the connection" in n.message for n in app._notifications)
        assert "Ctrl+R" in text_of(encounter.query_one("#encounter-bar"))
        assert "ctrl+r" in app.screen.active_bindings, "the footer offers the retry key now"
        assert encounter.check_action("retry", ())

        # A new message waits until the reply is retried, and stays in the composer.
        await say(app, pilot, "Are you still there?")
        assert app.screen.query_one(Composer).text == "Are you still there?"
        assert len([m for m in transcript(app) if m.speaker == "trainee"]) == 1

        await pilot.press("ctrl+r")
        await settle(app, pilot)
        messages = transcript(app)
        assert messages[-1].speaker == "patient" and messages[-1].text
        assert "No reply yet" not in messages[-2].note
        assert encounter.session.pending is None
        assert engine.calls == 2


async def test_patient_walking_out_opens_the_debrief() -> None:
    app = MhsimApp(chunk_delay=0, store=False, scenario_id=HELEN)
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


async def test_broken_file_in_extra_folder_is_listed(tmp_path: Path) -> None:
    folder = tmp_path / "more"
    folder.mkdir()
    bad = folder / "half-written.scenario.yaml"
    bad.write_text("schema_version: 1\nid: half-written\ntitle: [unclosed\n", encoding="utf-8")
    app = MhsimApp(chunk_delay=0, store=False, extra_dirs=[folder])
    async with app.run_test(size=SIZE) as pilot:
        picker = await open_library(app, pilot)
        assert any(e.path == bad for e in picker.library.broken)
        options = picker.query_one("#scenarios", OptionList)
        option = options.get_option(f"broken:{bad}")
        assert option.disabled, "a broken scenario cannot be opened"
        prompt = str(option.prompt)
        assert "broken" in prompt and bad.name in prompt and "line" in prompt
        assert options.get_option(HELEN) is not None, "the good ones are still listed"
        picker.action_open()  # nothing highlighted that is broken can open; Helen would
        await pilot.pause()


async def test_unknown_scenario_id_is_reported() -> None:
    app = MhsimApp(chunk_delay=0, store=False, scenario_id="no-such-scenario")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, ScenarioPicker)
        assert any("no-such-scenario" in n.message for n in app._notifications)


# -- hidden facts -------------------------------------------------------------------------------------


async def test_hidden_facts_stay_hidden_before_the_debrief() -> None:
    app = MhsimApp(chunk_delay=0, store=False, scenario_id=HELEN)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        briefing = app.screen
        assert isinstance(briefing, BriefingScreen)
        scenario = briefing.scenario
        shown = screen_text(briefing)
        assert scenario.persona.background in shown and scenario.persona.presenting_concern in shown
        for warning in scenario.content_warnings:
            assert warning in shown
        for objective in scenario.learning_objectives:
            assert objective in shown
        assert "scripted patient (offline)" in shown
        for fact in scenario.facts:
            assert fact.summary not in shown
            assert fact.hint not in shown
            assert all(line not in shown for line in fact.lines)
        await pilot.press("enter")
        await pilot.pause()
        shown = screen_text(app.screen)
        for fact in scenario.facts:
            assert fact.summary not in shown and fact.hint not in shown


async def test_choose_another_from_the_briefing() -> None:
    app = MhsimApp(chunk_delay=0, store=False, scenario_id=HELEN)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, BriefingScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ScenarioPicker)
        assert app.session is None, "nothing is started or stored from the briefing"


# -- help and the command palette ---------------------------------------------------------------------


async def test_f1_help_lists_the_screen_keys() -> None:
    app = MhsimApp(chunk_delay=0, store=False, scenario_id=HELEN)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        keys = app.screen.keys_text
        for words in ("Send", "New line", "End session", "Quit", "Command palette"):
            assert words in keys
        assert "^e" in keys and "^j" in keys
        assert "Focus Next" not in keys, "only mhsim's own keys, not Textual internals"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, EncounterScreen)


async def test_palette_commands_follow_the_screen() -> None:
    app = MhsimApp(chunk_delay=0, store=False, scenario_id=HELEN)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        titles = [t for t, _, _ in MhsimCommands(app.screen)._commands()]
        assert "session: start" in titles and "scenario: choose another" in titles
        await pilot.press("enter")
        await pilot.pause()
        titles = [t for t, _, _ in MhsimCommands(app.screen)._commands()]
        assert "session: end" in titles and "debrief: show" in titles
        await say(app, pilot, RAPPORT[0])

        # Through the real palette: Ctrl+P, type, Enter.
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"debrief: show")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, DebriefScreen)
        titles = [t for t, _, _ in MhsimCommands(app.screen)._commands()]
        assert "scenario: library" in titles


# -- storing, pausing, resuming -----------------------------------------------------------------------


async def test_quit_mid_session_interrupts_and_stores(mhsim_home: Path) -> None:
    from simulator.store import Store

    app = MhsimApp(chunk_delay=0, scenario_id=HELEN)  # store=None: the default store, in MHSIM_HOME
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await pilot.pause()
        await say(app, pilot, RAPPORT[0])
        session = app.screen.session
        assert session.store is not None
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert session.info.status == "interrupted"
    assert app.paused_session_id == session.id
    with Store.open_default() as store:
        assert store.path.is_relative_to(mhsim_home)
        assert store.session(session.id).status == "interrupted"
        assert [t.text for t in store.turns(session.id)] == [t.text for t in session.turns]


async def test_resume_an_interrupted_session() -> None:
    from simulator.store import Store

    first = MhsimApp(chunk_delay=0, scenario_id=HELEN)
    async with first.run_test(size=SIZE) as pilot:
        await settle(first, pilot)
        await pilot.press("enter")
        await pilot.pause()
        await say(first, pilot, RAPPORT[0])
        await say(first, pilot, RAPPORT[1])
        session_id = first.screen.session.id
        said = [t.text for t in first.screen.session.turns]
        await pilot.press("ctrl+q")

    app = MhsimApp(chunk_delay=0, resume_id=session_id[:12])
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, EncounterScreen)
        assert [m.text for m in transcript(app)] == said
        assert "Turn 2" in text_of(app.screen.query_one("#encounter-bar"))
        await say(app, pilot, RAPPORT[2])
        assert transcript(app)[-1].speaker == "patient"
        await app.screen.end_session()
        await settle(app, pilot)
        assert isinstance(app.screen, DebriefScreen)
    with Store.open_default() as store:
        assert store.session(session_id).status == "complete"


async def test_store_failure_runs_without_storing(mhsim_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = mhsim_home / "not-a-folder"
    blocker.write_text("a file where the data folder should be", encoding="utf-8")
    monkeypatch.setenv("MHSIM_HOME", str(blocker))
    app = MhsimApp(chunk_delay=0, scenario_id=HELEN)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, EncounterScreen)
        assert app.screen.session.store is None
        assert any("will not be saved" in n.message for n in app._notifications)
        await say(app, pilot, RAPPORT[0])
        assert transcript(app)[-1].speaker == "patient"


async def test_composer_is_a_text_area() -> None:
    """The composer is multi-line (a TextArea), with soft wrap for long turns."""
    composer = Composer()
    assert isinstance(composer, TextArea)
    assert composer.soft_wrap
