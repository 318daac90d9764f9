"""Generated better replies: only when a model is configured and allowed, checked for safety, labelled with the
model, and the rubric's exemplar on every failure; the debrief's `g` action runs in a worker and keeps the UI
responsive. Fake clients, litellm's ``mock_response`` and loopback addresses only: nothing reaches the network.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from simulator.config import Config, ModelConfig
from simulator.feedback import for_turn
from simulator.library import Entry, Library, known_rubric_ids, load_scenario
from simulator.llm import adapter, coach
from simulator.llm.consent import recipient, record_consent
from simulator.store import Store

from .conftest import play_and_store
from .debrief_helpers import notices, running_debrief
from .fake_llm import LITELLM_MARKS, FakeClient

pytestmark = LITELLM_MARKS

ROOT = Path(__file__).resolve().parent.parent
HELEN = "low-mood-passive-si"
LINES = ["Are you sad?", "Do you sleep?", "You should exercise more."]  # #5 is advice without permission
ADVICE = 5
LOCAL = ModelConfig(model="openai/coach", api_base="http://127.0.0.1:9/v1", timeout_s=5)
GOOD = "It sounds like people keep telling you what to do. What would you like to be different?"
runner = CliRunner()


@pytest.fixture(scope="module")
def lib() -> Library:
    path = ROOT / "scenarios" / f"{HELEN}.scenario.yaml"
    return Library([Entry(path=path, builtin=True, scenario=load_scenario(path, known_rubric_ids()))])


@pytest.fixture
def helen(lib):
    return lib.get(HELEN)


@pytest.fixture
def session_id(helen, mhsim_home) -> str:
    return play_and_store(helen, LINES)


@pytest.fixture
def turns(session_id):
    with Store.open_default() as store:
        return store.turns(session_id)


def position(turns, index: int) -> int:
    return next(i for i, t in enumerate(turns) if t.index == index)


@pytest.fixture
def advice(helen, turns):
    """(position, feedback) of the advice-without-permission turn."""
    at = position(turns, ADVICE)
    return at, for_turn(helen, turns[: at + 1], at)


# ------------------------------------------------------------------------------------------- the checks


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("How many pills have you been keeping?", "method or means detail"),
        ("Have you thought about the bridge near your house?", "method or means detail"),
        ("When you think about ending your life, is there a rope at home?", "named a means ('rope')"),
        ("As an AI, I think you should ask an open question.", "speaks as an AI assistant"),
        ("My instructions say to reflect.", "talked about its instructions"),
        ("Counsellor: How are you?\nClient: Fine.", "script with speaker labels"),
        ("word " * 80, "too long"),
        ("   ", "empty"),
    ],
)
def test_unsafe_or_unusable_replies_are_refused(text, problem) -> None:
    assert problem in coach.check_reply(text, context="The client said: I feel low.")


def test_safe_replies_pass_and_may_echo_the_clients_own_words() -> None:
    assert coach.check_reply(GOOD, "The client said: nobody listens") == ""
    asking = "It sounds like it has been very dark. Have you had thoughts of killing yourself?"
    assert coach.check_reply(asking, "The client said: I don't see the point any more") == ""
    echo = "You mentioned the tablets while talking about ending it all. Can we talk about that?"
    assert coach.check_reply(echo, "The client said: I've thought about the tablets and ending it all") == ""


def test_clean_strips_labels_and_quotes() -> None:
    assert coach.clean('Better reply: "It sounds hard."') == "It sounds hard."
    assert coach.clean("“What matters most to you?”\n") == "What matters most to you?"


def test_a_model_counts_as_configured_only_when_set() -> None:
    assert coach.coach_settings(Config()) is None, "the offline default stays offline"
    assert coach.coach_settings(Config(engine="llm")) is None, "llm engine without a model name"
    assert coach.coach_settings(Config(model=ModelConfig(model="ollama/llama3.2"))).model == "ollama/llama3.2"
    both = Config(
        engine="llm", model=ModelConfig(model="ollama/llama3.2"), judge=ModelConfig(model="openai/gpt-4o")
    )
    assert coach.coach_settings(both).model == "openai/gpt-4o", "the judge's model is preferred"
    assert coach.coach_settings(Config(), model="openai/x").model == "openai/x"
    ok, why = coach.ready(ModelConfig(model="openai/gpt-4o-mini"))
    assert not ok and "consent" in why
    record_consent(recipient("openai/gpt-4o-mini"))
    assert coach.ready(ModelConfig(model="openai/gpt-4o-mini")) == (True, "")
    assert coach.ready(LOCAL) == (True, ""), "a server on this computer needs no consent"


# ---------------------------------------------------------------------------------------- the generation


async def test_a_generated_reply_is_checked_and_labelled(helen, turns, advice) -> None:
    at, feedback = advice
    client = FakeClient(f'"{GOOD}"')
    result = await coach.better_reply(LOCAL, turns, at, feedback, scenario=helen, client=client)
    assert result == coach.BetterReply(GOOD, "generated by openai/coach", True, "openai/coach")
    (call,) = client.calls
    user = call.messages[-1]["content"]
    assert "The counsellor answered: You should exercise more." in user
    assert "Advice without permission" in user and "The client said: " in user
    assert "Never mention\nmethods" not in call.messages[0]["content"] and "Never mention methods" in (
        call.messages[0]["content"].replace("\n", " ")
    )
    assert call.max_tokens == coach.MAX_TOKENS


async def test_an_unsafe_reply_falls_back_to_the_exemplar(helen, turns, advice) -> None:
    at, feedback = advice
    client = FakeClient("You could look up how many tablets would be enough, just to know.")
    result = await coach.better_reply(LOCAL, turns, at, feedback, scenario=helen, client=client)
    assert not result.generated and result.text == feedback.better_reply and result.text
    assert result.source == feedback.better_reply_source and "method or means detail" in result.problem


async def test_failures_fall_back_to_the_exemplar_in_plain_words(helen, turns, advice) -> None:
    at, feedback = advice
    result = await coach.better_reply(LOCAL, turns, at, feedback, client=FakeClient(TimeoutError()))
    assert not result.generated and result.text == feedback.better_reply
    assert "coach model did not answer within 5 s" in result.problem
    result = await coach.better_reply(LOCAL, turns, at, feedback, client=FakeClient(RuntimeError("boom")))
    assert not result.generated and "boom" in result.problem


async def test_no_consent_no_call(helen, turns, advice) -> None:
    at, feedback = advice
    client = FakeClient(GOOD)
    remote = ModelConfig(model="anthropic/claude-3-5-haiku-latest")
    result = await coach.better_reply(remote, turns, at, feedback, client=client)
    assert client.calls == [] and not result.generated and "Nothing was sent" in result.problem


async def test_offline_and_turns_without_a_miss_call_nothing(helen, turns, advice) -> None:
    at, feedback = advice
    assert await coach.better_reply(None, turns, at, feedback) == coach.BetterReply(
        feedback.better_reply, feedback.better_reply_source
    )
    first = position(turns, 1)
    calm = for_turn(helen, turns[: first + 1], first)
    if calm.missed:  # the coder may flag the first closed question; then use a clean feedback
        calm.missed = []
    client = FakeClient(GOOD)
    result = await coach.better_reply(LOCAL, turns, first, calm, client=client)
    assert client.calls == [] and "missed nothing" in result.problem


async def test_mock_response_through_litellm(helen, turns, advice) -> None:
    at, feedback = advice
    was_loaded = "litellm" in sys.modules
    try:
        result = await coach.better_reply(
            LOCAL, turns, at, feedback, scenario=helen, extra={"mock_response": "Reply: " + GOOD}
        )
    finally:
        if not was_loaded:
            for name in [m for m in sys.modules if m.split(".")[0] in ("litellm", "openai")]:
                del sys.modules[name]
            adapter._litellm = None
            adapter._routed_to = None
    assert result.generated and result.text == GOOD and result.source == "generated by openai/coach"


def test_sessions_better_command(session_id, mhsim_home, monkeypatch) -> None:
    from cli import app

    offline = runner.invoke(app, ["sessions", "better", session_id[:12], str(ADVICE)])
    assert offline.exit_code == 0, offline.output
    assert (
        "missed: Advice without permission" in offline.output and "Better reply (rubric mi/" in offline.output
    )
    config = mhsim_home / "config.yaml"
    config.write_text("engine: llm\nmodel:\n  model: openai/coach\n  api_base: http://127.0.0.1:9/v1\n")
    monkeypatch.setenv("MHSIM_CONFIG_FILE", str(config))
    monkeypatch.setattr(coach, "default_client", lambda: FakeClient(GOOD))
    monkeypatch.setattr(coach, "_load_in_thread", lambda: asyncio.sleep(0))
    generated = runner.invoke(app, ["sessions", "better", session_id[:12], str(ADVICE), "--json"])
    assert generated.exit_code == 0, generated.output
    document = json.loads(generated.output)
    assert document["better_reply"] == GOOD and document["source"] == "generated by openai/coach"
    assert document["generated"] is True and document["missed"]
    wrong = runner.invoke(app, ["sessions", "better", session_id[:12], "2"])
    assert wrong.exit_code == 1 and "not one of your turns" in wrong.output


# ------------------------------------------------------------------------------------------------ the TUI


async def test_debrief_generates_a_reply_in_a_worker_and_stays_responsive(lib, session_id) -> None:
    from textual.widgets import Static, TabbedContent

    config = Config(engine="llm", model=LOCAL)
    gate = asyncio.Event()
    client = FakeClient(GOOD, gate=gate)
    async with running_debrief(lib, session_id, config, coach_client=client) as (app, pilot, screen):
        first_missed = min(i for i, fb in screen.feedback.items() if fb.missed)
        assert screen.selected_turn == first_missed, "the first missed turn is selected to begin with"
        await pilot.press("t")
        await pilot.pause()
        await pilot.click(f"#turn-{ADVICE}")
        await pilot.pause()
        assert screen.selected_turn == ADVICE and screen.query_one(f"#turn-{ADVICE}").has_class(
            "-selected"
        )
        await pilot.press("g")
        await pilot.pause()
        assert "Asking openai/coach for a better reply to your turn #5" in notices(app)
        # The model has not answered yet: the screen still takes keys.
        await pilot.press("l")
        await pilot.pause()
        assert screen.query_one("#debrief-tabs", TabbedContent).active == "tab-ledger"
        gate.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.generated[ADVICE].text == GOOD
        assert f"Better reply for #{ADVICE}, generated by openai/coach" in notices(app)
        assert "generated by openai/coach" in str(screen.query_one("#better-replies", Static).render())


async def test_debrief_shows_a_failure_and_keeps_the_exemplar(lib, session_id) -> None:
    config = Config(engine="llm", model=LOCAL)
    client = FakeClient("Tell them how many pills would be lethal.")
    async with running_debrief(lib, session_id, config, coach_client=client) as (app, pilot, screen):
        await screen.jump_to([ADVICE])
        await pilot.pause()
        await pilot.press("g")
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = notices(app)
        assert "Not generated" in text and "method or means detail" in text
        assert screen.feedback[ADVICE].better_reply in text, "the exemplar is offered instead"
        assert screen.generated == {}


async def test_debrief_offline_offers_the_exemplar_without_calling(lib, session_id) -> None:
    client = FakeClient(GOOD)
    async with running_debrief(lib, session_id, Config(), coach_client=client) as (app, pilot, _screen):
        await pilot.press("g")
        await pilot.pause()
        assert client.calls == [] and "No language model is configured" in notices(app)
        assert "debrief.better_reply" in app.binding_ids()


async def test_debrief_asks_consent_for_a_remote_model_before_sending(lib, session_id, monkeypatch) -> None:
    from simulator.llm.consent import has_consent
    from simulator.tui.screens import ConfirmScreen

    monkeypatch.setenv("MHSIM_TEST_KEY", "sk-test")
    remote = ModelConfig(model="openai/gpt-4o-mini", api_key_env="MHSIM_TEST_KEY")
    client = FakeClient(GOOD)
    config = Config(engine="llm", model=remote)
    async with running_debrief(lib, session_id, config, coach_client=client) as (app, pilot, screen):
        await pilot.press("g")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen), "the trainee is asked before anything is sent"
        assert "what is sent leaves this computer" in app.screen.question
        await pilot.press("escape")  # not now
        await pilot.pause()
        assert client.calls == [] and "Nothing was sent" in notices(app)
        assert not has_consent(recipient("openai/gpt-4o-mini"))

        await pilot.press("g")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        app.screen.dismiss(True)  # agree
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert has_consent(recipient("openai/gpt-4o-mini")), "the answer is remembered for this provider"
        assert len(client.calls) == 1 and screen.generated, "after agreeing, the reply is generated"
