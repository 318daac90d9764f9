"""The TUI's plain-Python parts: the coach, debrief and history data, search, the engine choice, serve helpers."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from simulator.config import Config, ModelConfig
from simulator.library import load_scenario
from simulator.rehearsal import rehearse
from simulator.scenario import Condition
from simulator.tui.coach import FALLBACK, codes_text, local_feedback, scenario_rubrics, session_feedback
from simulator.tui.data import (
    DebriefData,
    Note,
    compare_items,
    condition_parts,
    condition_text,
    key_scores,
    parse_query,
    scenario_matches,
    trend_chart,
)
from simulator.tui.engines import EngineUnavailable, build_engine, engine_choice

ROOT = Path(__file__).resolve().parent.parent
HELEN = ROOT / "scenarios" / "low-mood-passive-si.scenario.yaml"


@pytest.fixture(scope="module")
def helen():
    return load_scenario(HELEN)


def play(scenario, lines):
    return asyncio.run(rehearse(scenario, lines))


# -- the coach ----------------------------------------------------------------------------------------


def test_coach_praises_good_moves_and_flags_misses_with_better_replies(helen) -> None:
    session = play(
        helen,
        [
            "What brings you in today?",
            "It sounds like things have felt heavy and grey for a long time.",
            "You should just go for a run every morning.",
            "Are you sleeping?",
            "Do you eat?",
            "Do you work?",
        ],
    )
    notes = session_feedback(session.turns, helen, scenario_rubrics())
    assert [n.turn for n in notes] == [1, 2, 3, 4, 5, 6]
    assert notes[0].mark == "✔" and notes[0].codes.startswith("open question")
    assert notes[1].mark == "✔" and "reflection" in notes[1].line.lower()
    assert notes[2].mark == "✘" and "without permission" in notes[2].line
    mi = scenario_rubrics()["mi"]
    exemplars = [r for item in mi.items for r in item.better_replies]
    assert notes[2].better_reply in exemplars, "better replies come from the rubric's exemplars"
    assert notes[5].mark == "✘" and "questions in a row" in notes[5].line
    assert all(n.better_reply is None for n in notes if n.mark == "✔")


def test_coach_flags_a_risk_cue_left_unasked_and_not_before_it_is_said(helen) -> None:
    lines = [
        "What brings you in today?",
        "How have you been feeling in yourself lately?",
        "It sounds like things have felt heavy and grey for a long time, and you've been carrying it on your own.",
        "What has been happening at home?",
        "You've been through a huge loss this year.",
        "How is work going?",
    ]
    session = play(helen, lines)
    notes = session_feedback(session.turns, helen, scenario_rubrics())
    cue_said = next(i for i, t in enumerate(session.turns) if t.state and set(t.state.disclosed) & set(helen.risk.cues))
    flagged = [n for n in notes if "suicide" in n.line]
    assert flagged and all(n.index > cue_said for n in flagged) and flagged[0].mark == "✘"
    assert "suicide" in flagged[0].better_reply.lower() or "killing" in flagged[0].better_reply.lower()
    # Asking directly clears it.
    asked = play(helen, lines[:5] + ["Have you had thoughts of killing yourself?"])
    last = session_feedback(asked.turns, helen, scenario_rubrics())[-1]
    assert last.mark != "✘" and "suicide" not in last.line.replace("suicidal", "")


def test_live_coach_never_hints_at_a_hidden_fact(helen, monkeypatch: pytest.MonkeyPatch) -> None:
    """A better reply drawn from a fact's hint is kept for the debrief, not shown during the encounter."""
    from simulator.tui.coach import turn_feedback

    session = play(helen, ["Do you drink?", "Do you sleep?", "Do you work?", "Do you eat?"])
    hints = {f.hint for f in helen.facts if f.hint}
    trainee = [t for t in session.turns if t.speaker == "trainee"]
    # A reply made from the patient's own words hides nothing, so the live coach shows it.
    live = [turn_feedback(t, session.turns, helen, {}, ledger=session.ledger, live=True) for t in trainee]
    assert any(n.better_reply and n.better_reply.startswith("It sounds like you") for n in live)
    monkeypatch.setattr("simulator.better_reply.fitted", lambda *args: None)  # nothing could be said back
    # Without rubric exemplars the core falls back to a fact's hint; the debrief may show it, the live coach not.
    debrief = [turn_feedback(t, session.turns, helen, {}, ledger=session.ledger) for t in trainee]
    assert any(n.better_reply in hints for n in debrief)
    live = [turn_feedback(t, session.turns, helen, {}, ledger=session.ledger, live=True) for t in trainee]
    assert not any(n.better_reply in hints for n in live)


def test_coach_own_rules_when_the_core_feedback_is_missing(helen, monkeypatch: pytest.MonkeyPatch) -> None:
    session = play(helen, ["You should just go for a run.", "Are you sad?", "Do you sleep?", "Do you eat?"])
    trainee = [t for t in session.turns if t.speaker == "trainee"]
    note = local_feedback(trainee[0], session.turns, helen, {})
    assert note.mark == "✘" and note.better_reply == FALLBACK["collaborate"]
    assert local_feedback(trainee[3], session.turns, helen, scenario_rubrics()).line.startswith("3 questions")
    monkeypatch.setitem(sys.modules, "simulator.feedback", None)  # as if the core had no feedback module
    notes = session_feedback(session.turns, helen, scenario_rubrics())
    assert notes[0].mark == "✘" and "without permission" in notes[0].line
    assert codes_text(None) == "not coded"


# -- debrief data, comparisons, trends ----------------------------------------------------------------


def test_debrief_markdown_and_json_carry_the_notes(helen) -> None:
    session = play(helen, ["How have you been sleeping?"])
    data = DebriefData.from_session(session, [Note(1, "Ask about mood next.")])
    markdown = data.markdown()
    assert markdown.startswith(f"# {helen.title}") and "## Reflection notes" in markdown
    assert "After your turn 1: Ask about mood next." in markdown
    assert '"notes": [' in data.json() and "Ask about mood next." in data.json()
    assert DebriefData.from_session(session).markdown().count("Reflection notes") == 0


def test_debrief_exports_from_the_store_carry_overrides_and_judgements(helen, tmp_path) -> None:
    from simulator.judgements import GLOBALS, GlobalJudgement, Judgement
    from simulator.overrides import Override
    from simulator.store import Store

    with Store(tmp_path / "t.db") as store:
        session = asyncio.run(rehearse(helen, ["How have you been sleeping?"], store=store))
        store.add_override(Override(session_id=session.id, rubric_id="mi", item_id="empathy_estimate", score=4,
                                    reason="warm tone throughout", educator="Dr Lee"))
        store.add_judgement(Judgement(
            session_id=session.id, model="openai/judge", prompt_version="judge-1",
            ratings={g: GlobalJudgement(rating=3, rationale="mixed", evidence_turns=[1]) for g in GLOBALS},
        ))
        data = DebriefData.from_store(store, session.id)
    markdown = data.markdown()
    assert "warm tone throughout" in markdown and "LLM judge (model openai/judge)" in markdown
    document = json.loads(data.json())
    assert document["overrides"][0]["educator"] == "Dr Lee"
    assert document["llm_judgements"][0]["model"] == "openai/judge"


def test_compare_and_key_scores(helen) -> None:
    poor = play(helen, ["Are you sad?", "Do you sleep?", "You should exercise more."])
    good = play(
        helen,
        [
            "What brings you in today?",
            "How have you been feeling in yourself lately?",
            "It sounds like things have felt heavy and grey for a long time, and you've been carrying it on your own.",
            "How have you been sleeping?",
        ],
    )
    a, b = key_scores(poor.score, poor.turns), key_scores(good.score, good.turns)
    assert a.turns == 3 and b.turns == 4
    assert b.share_met > a.share_met and b.final_trust > a.final_trust
    assert "met (" in b.text() and "%" in b.short()
    rows = compare_items(poor.score, good.score)
    assert len(rows) == sum(len(r.items) for r in good.score.rubrics)
    assert {r.change for r in rows} <= {"▲ better", "▼ worse", "= same", "", "≠ changed"}
    assert any(r.change == "▲ better" for r in rows)
    assert key_scores(None, []).text() == "not scored"


def test_trend_chart_draws_bars_numbers_and_criticals() -> None:
    chart = trend_chart([0.0, 0.5, None, 1.0], [2, 0, 0, 0], height=4)
    lines = chart.splitlines()
    assert lines[0].startswith("100% ┤") and "███" in lines[0]  # only the 100% attempt reaches the top
    assert lines[0].count("███") == 1
    assert "  0  50   – 100 %" in chart
    assert "  2   ·   ·   ·" in chart
    assert "  1   2   3   4 attempt" in chart
    many = trend_chart([0.5] * 30, [0] * 30, max_columns=5)
    assert " 26  27  28  29  30 attempt" in many


def test_condition_words_and_marks(helen) -> None:
    cond = Condition(topics=["sleep", "mood"], min_trust=0.5, min_turn=3, after_facts=["low_mood"])
    text = condition_text(cond, {"low_mood": "Low mood"})
    assert text == "a turn about sleep or mood + trust ≥ 0.50 + from your turn 3 + after “Low mood” is disclosed"
    assert condition_text(Condition()) .startswith("always")
    session = play(helen, ["How have you been sleeping?"])
    state = session.state
    coding = session.turns[1].coding
    parts = dict(condition_parts(cond, state, coding))
    assert parts["a turn about sleep or mood"] is True
    assert parts[f"trust ≥ 0.50 (now {state.trust:.2f})"] is (state.trust >= 0.5)
    assert parts["from your turn 3 (now 1)"] is False
    assert dict(condition_parts(cond))["a turn about sleep or mood"] is None


def test_library_search(helen) -> None:
    assert parse_query("tag:privacy d:beg low mood") == ({"tag": ["privacy"], "difficulty": ["beg"]}, ["low", "mood"])
    assert scenario_matches(helen, "helen")
    assert scenario_matches(helen, "d:inter tag:ethics")
    assert scenario_matches(helen, "rubric:mi lang:en")
    assert not scenario_matches(helen, "d:beginner")
    assert not scenario_matches(helen, "helen zebra")
    assert scenario_matches(helen, "")


# -- the engine choice --------------------------------------------------------------------------------


def test_engine_choice_and_where_words_go() -> None:
    assert engine_choice(None, "x").label == "scripted patient (offline)"
    assert "stays on this computer" in engine_choice(Config(), "x").where
    no_model = engine_choice(Config(engine="llm"), "x")
    assert no_model.problem and "Settings" in no_model.problem
    with pytest.raises(EngineUnavailable, match="No model"):
        build_engine(Config(engine="llm"), "x", 0)
    remote = engine_choice(Config(engine="llm", model=ModelConfig(model="openai/gpt-4o-mini")), "x")
    assert remote.label == "language model openai/gpt-4o-mini"
    assert "sent to OpenAI" in remote.where and "agree" in remote.where
    proxy = engine_choice(
        Config(engine="llm", model=ModelConfig(model="litellm_proxy/m", api_base="https://llm.example.org")), "x"
    )
    assert "https://llm.example.org" in proxy.where and "sent to" in proxy.where
    local = engine_choice(Config(engine="llm", model=ModelConfig(model="ollama/x", api_base="http://localhost:11434")), "x")
    assert "on this computer" in local.where
    assert build_engine(Config(), "x", 0).name == "scripted"


def test_llm_engine_missing_is_reported_not_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "simulator.llm", None)  # as if the LLM extra were not installed
    with pytest.raises(EngineUnavailable, match="cannot be loaded"):
        build_engine(Config(engine="llm", model=ModelConfig(model="ollama/x")), "x", 0)


# -- serve --------------------------------------------------------------------------------------------


def test_serve_helpers() -> None:
    from simulator.commands.tui import app_command, is_loopback

    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4") and not is_loopback("example.org")
    command = app_command([Path("my scenarios")])
    assert command.startswith(sys.executable.replace(" ", "\\ ")) or sys.executable in command
    assert "-m simulator --scenarios" in command and "'" in command  # the path with a space is quoted


def test_serve_warns_when_listening_beyond_this_computer(monkeypatch: pytest.MonkeyPatch) -> None:
    import textual_serve.server
    from typer.testing import CliRunner

    from cli import app

    calls = []

    class FakeServer:
        def __init__(self, command, **kwargs):
            calls.append((command, kwargs))

        def serve(self):
            calls.append("served")

    monkeypatch.setattr(textual_serve.server, "Server", FakeServer)
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 0 and "warning" not in result.output
    assert calls[0][1]["host"] == "127.0.0.1" and calls[0][1]["port"] == 8000 and calls[1] == "served"
    result = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--port", "9000", "--public-url", "https://x.example"])
    assert result.exit_code == 0
    assert "no login" in result.output and "reverse proxy" in result.output
    assert calls[2][1] == {"host": "0.0.0.0", "port": 9000, "title": "mhsim", "public_url": "https://x.example"}


@pytest.mark.slow
def test_serve_answers_on_loopback(mhsim_home: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "MHSIM_HOME": str(mhsim_home), "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "simulator", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        page = ""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    page = response.read().decode("utf-8")
                break
            except OSError:
                time.sleep(0.3)
        assert "mhsim" in page and f"ws://127.0.0.1:{port}/ws" in page
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# -- long transcripts ---------------------------------------------------------------------------------


async def test_a_long_transcript_mounts_a_window_and_reveals_the_rest() -> None:
    from textual.app import App

    from simulator.tui.widgets import ChatMessage, Transcript

    class One(App[None]):
        def compose(self):
            yield Transcript(id="t")

    app = One()
    async with app.run_test(size=(80, 24)) as pilot:
        transcript = app.query_one(Transcript)
        await transcript.add_all(ChatMessage("patient", "P", f"line {i}", index=i) for i in range(150))
        await pilot.pause()
        window = Transcript.WINDOW
        assert [m.index for m in transcript.messages] == list(range(150 - window, 150))
        assert transcript.hidden_count == 150 - window
        assert "earlier messages" in str(transcript.query_one(".earlier").render())
        found = await transcript.reveal(5)
        assert found is not None and found.index == 5
        shown = [m.index for m in transcript.messages]
        assert shown[0] <= 5 and shown == list(range(shown[0], 150)), "earlier windows join the shown ones"
        transcript.focus()
        await pilot.press("home")
        await pilot.pause()
        assert transcript.hidden_count == 0 and [m.index for m in transcript.messages] == list(range(150))
        assert not transcript.query(".earlier")
        assert transcript.scroll_y == 0


PROBE = """
import asyncio, json, sys
from simulator.tui.app import MhsimApp
from simulator.tui.widgets import Composer

async def main():
    app = MhsimApp(chunk_delay=0, store=False, scenario_id="low-mood-passive-si", goodbye_pause=0)
    async with app.run_test(size=(100, 34)) as pilot:
        await app.library_loaded.wait(); await app.workers.wait_for_complete(); await pilot.pause(); await pilot.pause()
        await pilot.press("enter"); await pilot.pause()
        app.screen.query_one(Composer).load_text("How have you been sleeping?")
        await pilot.press("enter"); await app.workers.wait_for_complete(); await pilot.pause()
        await app.screen.end_session(); await pilot.pause()
        print(json.dumps([type(app.screen).__name__, "litellm" in sys.modules, "openai" in sys.modules]))

asyncio.run(main())
"""


def test_the_app_never_imports_the_llm_library(mhsim_home: Path) -> None:
    env = {**os.environ, "MHSIM_HOME": str(mhsim_home), "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", PROBE], check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == '["DebriefScreen", false, false]'


def test_the_facilitator_panel_shows_which_facts_are_change_or_sustain_talk() -> None:
    from simulator.records import PatientState
    from simulator.tui.widgets.facilitator import facilitator_content

    neil = load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / "alcohol-ambivalence.scenario.yaml")
    state = PatientState(trust=0.3, stage="contemplation", emotion="guarded")
    text = facilitator_content(neil, state, None, []).plain
    assert "unwind · ○ locked · sustain talk" in text
    assert "need_mornings · ○ locked · change talk" in text
    assert "liver_reading · ○ locked\n" in text  # a neutral fact carries no label
