"""The optional LLM judge of the MITI globals: strict parsing, one retry, consent, failures that keep the automatic
scores, storage (migration m010), calibration against educators, and the commands, through a fake client, litellm's
``mock_response`` and a loopback OpenAI-compatible server. Nothing here reaches the network.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from simulator.config import Config, ModelConfig, load_config
from simulator.judgements import GLOBALS, GlobalJudgement, Judgement, judge_label
from simulator.library import load_scenario
from simulator.llm import adapter
from simulator.llm import judge as judging
from simulator.llm.adapter import ChatCall
from simulator.llm.consent import LOCAL_PLACEHOLDER_KEY, has_consent, recipient, record_consent
from simulator.overrides import Rating
from simulator.store import SessionNotFound, Store, migrations

from .conftest import play_and_store
from .fake_llm import LITELLM_MARKS, FakeClient
from .fake_llm import judge_answer as answer
from .llm_server import FakeOpenAIServer, Reply

pytestmark = LITELLM_MARKS

ROOT = Path(__file__).resolve().parent.parent
LINES = [
    "What brings you in today?",  # 1
    "You should exercise more.",  # 3
    "It sounds like things have felt heavy for a long time.",  # 5
]
LOCAL = ModelConfig(model="openai/judge", api_base="http://127.0.0.1:9/v1", timeout_s=5)
REMOTE = ModelConfig(model="openai/gpt-4o-mini", timeout_s=5)
runner = CliRunner()


@pytest.fixture(scope="module")
def helen():
    return load_scenario(ROOT / "scenarios" / "low-mood-passive-si.scenario.yaml")


def stored_session(helen, lines=LINES) -> str:
    """A finished, scored session in the default store; its id."""
    return play_and_store(helen, lines)


@pytest.fixture
def session_id(helen, mhsim_home) -> str:
    return stored_session(helen)


@pytest.fixture
def turns(session_id):
    with Store.open_default() as store:
        return store.turns(session_id)


# ------------------------------------------------------------------------------------------------ parsing


def test_a_good_answer_parses(turns) -> None:
    reply = judging.parse_reply(json.dumps(answer()), turns)
    assert (reply.empathy.rating, reply.partnership.rating) == (4, 2)
    assert reply.empathy.evidence == [5] and reply.softening_sustain_talk.evidence == []


def test_json_in_a_code_fence_with_words_around_it_parses(turns) -> None:
    text = "Here are my ratings:\n```json\n" + json.dumps(answer(), indent=2) + "\n```\nHope this helps."
    assert judging.parse_reply(text, turns).cultivating_change_talk.rating == 3


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda a: a["empathy"].update(rating=6), "empathy.rating: Input should be less than or equal to 5"),
        (
            lambda a: a["partnership"].update(rating=0),
            "partnership.rating: Input should be greater than or equal",
        ),
        (lambda a: a["empathy"].update(rating="4"), "empathy.rating: Input should be a valid integer"),
        (lambda a: a["empathy"].update(evidence=[99]), "turn #99 is not in the transcript"),
        (lambda a: a["empathy"].update(evidence=[2]), "turn #2 is a client turn, not a counsellor turn"),
        (lambda a: a.update(overall=3), "overall: Extra inputs are not permitted"),
        (lambda a: a.pop("softening_sustain_talk"), "softening_sustain_talk: Field required"),
        (lambda a: a["empathy"].update(rationale="  "), "the rationale is empty"),
    ],
)
def test_bad_answers_are_rejected_with_the_reason(turns, change, words) -> None:
    data = answer()
    change(data)
    with pytest.raises(judging.JudgeParseError) as info:
        judging.parse_reply(json.dumps(data), turns)
    assert words in str(info.value)


@pytest.mark.parametrize("text", ["", "I'd rate this a four overall.", '{"empathy": 4,', "[1, 2]"])
def test_garbage_is_rejected(turns, text) -> None:
    with pytest.raises(judging.JudgeParseError):
        judging.parse_reply(text, turns)


def test_the_prompt_numbers_the_transcript_and_redacts(turns) -> None:
    from simulator.records import Turn

    leaky = [
        *turns,
        Turn(index=len(turns), speaker="trainee", text="Email me at sam.jones@example.org", trainee_turn=9),
    ]
    messages = judging.build_messages(leaky)
    assert (
        "MITI 4.2.1" in messages[0]["content"]
        and "Client turns are never evidence." in messages[0]["content"]
    )
    user = messages[1]["content"]
    assert "[#1] Counsellor: What brings you in today?" in user and "[#2] Client: " in user
    assert "sam.jones@example.org" not in user and "[redacted" in user


# ------------------------------------------------------------------------------------------- the judging


async def test_judging_returns_a_labelled_judgement(session_id, turns, helen) -> None:
    client = FakeClient(json.dumps(answer()))
    judgement = await judging.judge_session(LOCAL, session_id, turns, scenario=helen, client=client)
    assert judgement.ratings["empathy"] == GlobalJudgement(
        rating=4, rationale="Because of what the counsellor did (empathy).", evidence_turns=[5]
    )
    assert judgement.label == "LLM judge (model openai/judge, reports fake-v1), not a trained MITI rater"
    assert judgement.prompt_version == judging.PROMPT_VERSION and judgement.attempts == 1
    assert judgement.provider == "openai@127.0.0.1:9" and judgement.cost_usd == 0.0
    call = client.calls[0]
    assert call.temperature == 0.0 and call.api_key == LOCAL_PLACEHOLDER_KEY


async def test_garbage_then_a_good_answer_retries_once_with_the_reason(session_id, turns) -> None:
    client = FakeClient("Sure! Empathy: 4, partnership: 2.", json.dumps(answer()))
    judgement = await judging.judge_session(LOCAL, session_id, turns, client=client)
    assert judgement.attempts == 2 and judgement.tokens_in == 200
    retry = client.calls[1].messages
    assert retry[-2] == {"role": "assistant", "content": "Sure! Empathy: 4, partnership: 2."}
    assert "could not be used: it contained no JSON object" in retry[-1]["content"]


async def test_a_bad_evidence_index_is_sent_back_and_then_reported(session_id, turns) -> None:
    bad = answer()
    bad["empathy"]["evidence"] = [2]
    client = FakeClient(json.dumps(bad), json.dumps(bad))
    with pytest.raises(judging.JudgeError) as info:
        await judging.judge_session(LOCAL, session_id, turns, client=client)
    assert info.value.kind == "invalid"
    assert "turn #2 is a client turn" in client.calls[1].messages[-1]["content"]
    assert "could not be used after a retry" in str(info.value) and judging.UNCHANGED in str(info.value)
    assert len(client.calls) == 2, "one retry, never more"


async def test_a_refusal_is_reported_in_plain_words(session_id, turns) -> None:
    no = "I'm sorry, but I can't help with rating this conversation."
    with pytest.raises(judging.JudgeError) as info:
        await judging.judge_session(LOCAL, session_id, turns, client=FakeClient(no, no))
    assert info.value.kind == "refused" and "declined to rate" in str(info.value)


async def test_no_consent_means_nothing_is_sent(session_id, turns) -> None:
    client = FakeClient(json.dumps(answer()))
    with pytest.raises(judging.JudgeError) as info:
        await judging.judge_session(REMOTE, session_id, turns, client=client)
    assert info.value.kind == "consent" and "Nothing was sent" in str(info.value)
    assert client.calls == []
    record_consent(recipient(REMOTE.model))
    assert (await judging.judge_session(REMOTE, session_id, turns, client=client)).model == REMOTE.model


async def test_nothing_to_judge_without_trainee_turns(turns) -> None:
    client = FakeClient(json.dumps(answer()))
    with pytest.raises(judging.JudgeError) as info:
        await judging.judge_session(LOCAL, "S", turns[:1], client=client)
    assert info.value.kind == "empty" and client.calls == []


async def test_a_timeout_is_explained_and_the_scores_stay(session_id, turns) -> None:
    with Store.open_default() as store:
        before = store.scores(session_id)
        client = FakeClient(TimeoutError())
        with pytest.raises(judging.JudgeError) as info:
            await judging.judge_session(LOCAL, session_id, turns, client=client)
        assert info.value.kind == "timeout" and "did not answer within 5 s" in str(info.value)
        assert "scripted patient" not in str(info.value)
        assert store.scores(session_id) == before and before is not None
        assert store.judgements(session_id) == []


def test_judge_settings_prefer_the_judge_over_the_patient_model() -> None:
    config = Config(
        model=ModelConfig(model="ollama/llama3.2", api_base="http://127.0.0.1:11434", timeout_s=20)
    )
    assert judging.judge_settings(config).model == "ollama/llama3.2"
    config.judge = ModelConfig(model="openai/gpt-4o-mini")
    settings = judging.judge_settings(config)
    assert (settings.model, settings.api_base, settings.timeout_s) == ("openai/gpt-4o-mini", None, 20)
    assert judging.judge_settings(config, model="openai/x", api_base="http://127.0.0.1:8/v1").api_base == (
        "http://127.0.0.1:8/v1"
    )
    with pytest.raises(judging.NoJudgeModel, match="mhsim config set judge.model"):
        judging.judge_settings(Config())


def test_importing_the_judge_neither_imports_litellm_nor_calls_anything() -> None:
    import subprocess

    code = (
        "import sys, simulator.llm.judge, simulator.llm.coach, simulator.judgements, simulator.commands.judging; "
        "print('litellm' in sys.modules, 'textual' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.split() == ["False", "False"]


# ------------------------------------------------------------------------------------------------ storage


def judgement_for(session_id: str, ratings=(4, 2, 3, 5), model="openai/judge") -> Judgement:
    return Judgement(
        session_id=session_id,
        model=model,
        prompt_version=judging.PROMPT_VERSION,
        ratings={
            g: GlobalJudgement(rating=r, rationale="why", evidence_turns=[1])
            for g, r in zip(GLOBALS, ratings)
        },
    )


def test_judgements_are_stored_apart_and_read_back(session_id, tmp_path) -> None:
    with Store.open_default() as store:
        scores = store.scores(session_id)
        first = store.add_judgement(judgement_for(session_id))
        second = store.add_judgement(judgement_for(session_id, (1, 1, 1, 1), model="ollama/x"))
        assert second > first
        found = store.judgements(session_id[:12])
        assert [j.model for j in found] == ["openai/judge", "ollama/x"]
        assert found[0] == judgement_for(session_id).model_copy(update={"judged_at": found[0].judged_at})
        assert store.scores(session_id) == scores, "the automatic scores are untouched"
        rows = list(
            store.db.query(
                "select global_rating, rating from judgement_ratings where judgement_id = ?", [first]
            )
        )
        assert {r["global_rating"]: r["rating"] for r in rows} == dict(zip(GLOBALS, (4, 2, 3, 5)))
        with pytest.raises(SessionNotFound):
            store.add_judgement(judgement_for("NOPE"))


def test_a_judgement_must_rate_all_four_globals(session_id) -> None:
    with pytest.raises(ValueError, match="exactly these globals"):
        Judgement(session_id=session_id, model="m", prompt_version="1", ratings={})
    assert judge_label("x") == "LLM judge (model x), not a trained MITI rater"


def test_migration_m010_upgrades_an_older_database(session_id, mhsim_home) -> None:
    path = mhsim_home / "mhsim.db"
    with Store(path) as store:
        assert "m010_judgements" in [m.name for m in migrations.applied(store.db)]
        # Make it a database from before m010: no judgement tables, no record of the migration.
        store.db["judgement_ratings"].drop()
        store.db["judgements"].drop()
        store.db.execute("delete from _sqlite_migrations where name = 'm010_judgements'")
        store.db.conn.commit()
        assert not store.db["judgements"].exists()
    with Store(path) as store:
        assert store.db["judgements"].exists() and store.db["judgement_ratings"].exists()
        assert store.session(session_id).id == session_id and store.scores(session_id) is not None
        store.add_judgement(judgement_for(session_id))
        assert len(store.judgements(session_id)) == 1


# ------------------------------------------------------------------------------------------- calibration


def test_calibrate_reports_judge_agreement(helen, mhsim_home) -> None:
    from cli import app
    from simulator.calibration import judge_agreement

    first, second = stored_session(helen), stored_session(helen, LINES[:2])
    with Store.open_default() as store:
        store.add_judgement(judgement_for(first, (4, 2, 3, 5)))
        store.add_judgement(judgement_for(second, (1, 1, 1, 1), model="old"))
        store.add_judgement(judgement_for(second, (2, 2, 2, 2)))  # the newest per session counts
        store.add_rating(
            Rating(session_id=first, rubric_id="mi", item_id="empathy_estimate", value=4, rater="Ada")
        )
        store.add_rating(
            Rating(session_id=first, rubric_id="mi", item_id="partnership_estimate", value=4, rater="Ada")
        )
        store.add_rating(
            Rating(session_id=second, rubric_id="mi", item_id="empathy_estimate", value=3, rater="Ada")
        )
        report = judge_agreement(
            store.judgements(), store.automatic_scores(), store.overrides(), store.ratings()
        )
        estimates = {
            (r["session_id"], r["item_id"]): r["value"]
            for r in store.automatic_scores()
            if r["rubric_id"] == "mi"
        }
    assert report.judgements == 2 and report.models == ["openai/judge"]
    # judge vs educator: (4, 4) exact, (2, 4) two apart, (2, 3) one apart
    assert report.vs_educators.pairs == 3
    assert report.vs_educators.exact == pytest.approx(
        1 / 3
    ) and report.vs_educators.within_one == pytest.approx(2 / 3)
    assert report.vs_automatic.pairs == 8
    judged = {first: (4, 2, 3, 5), second: (2, 2, 2, 2)}
    expected_exact = (
        sum(
            judged[s][i] == round(estimates[(s, f"{g}_estimate")])
            for s in judged
            for i, g in enumerate(GLOBALS)
        )
        / 8
    )
    assert report.vs_automatic.exact == pytest.approx(expected_exact)

    result = runner.invoke(app, ["rubrics", "calibrate"])
    assert result.exit_code == 0, result.output
    assert "LLM judge (model openai/judge), not a trained MITI rater: 2 sessions judged" in result.output
    assert "judge vs educators' ratings: 3 pairs" in result.output and "exact 33%" in result.output
    assert "judge vs automatic estimates: 8 pairs" in result.output
    data = json.loads(runner.invoke(app, ["rubrics", "calibrate", "--json"]).output)
    assert data["llm_judge"]["vs_educators"]["pairs"] == 3
    assert data["llm_judge"]["label"].endswith("not a trained MITI rater")
    assert data["llm_judge"]["verdicts"]["empathy"] == "not enough educators' ratings yet (2 of 5)"
    assert "softening_sustain_talk: not enough educators' ratings yet (0 of 5)" in result.output


def test_judge_verdicts_follow_agreement_with_educators() -> None:
    from simulator.calibration import Agreement, JudgeReport

    close = Agreement(pairs=6, exact=0.5, within_one=1.0, kappa=0.5)
    far = Agreement(pairs=6, exact=0.2, within_one=0.5, kappa=0.1)
    report = JudgeReport(6, ["m"], close, None, {"empathy": {"educators": close}, "partnership": {"educators": far}})
    verdicts = report.verdicts()
    assert verdicts["empathy"].startswith("agrees with educators")
    assert verdicts["partnership"].startswith("do not let the judge rate this alone")
    assert verdicts["cultivating_change_talk"].startswith("not enough educators' ratings yet (0 of 5)")


def test_calibrate_without_judgements_says_nothing_about_a_judge(session_id) -> None:
    from cli import app

    result = runner.invoke(app, ["rubrics", "calibrate"])
    assert result.exit_code == 0 and "LLM judge" not in result.output
    assert "llm_judge" not in json.loads(runner.invoke(app, ["rubrics", "calibrate", "--json"]).output)


# ------------------------------------------------------------------------------------------------- config


def test_config_sets_and_shows_the_judge(mhsim_home, monkeypatch) -> None:
    from cli import app

    monkeypatch.setenv("MHSIM_CONFIG_FILE", str(mhsim_home / "config.yaml"))
    assert runner.invoke(app, ["config", "get", "judge.model"]).exit_code == 1
    assert runner.invoke(app, ["config", "set", "judge.model", "ollama/qwen2.5"]).exit_code == 0
    assert runner.invoke(app, ["config", "set", "judge.timeout_s", "90"]).exit_code == 0
    assert runner.invoke(app, ["config", "get", "judge.model"]).output.strip() == "ollama/qwen2.5"
    shown = runner.invoke(app, ["config", "show"])
    assert shown.exit_code == 0 and "judge:" in shown.output and "qwen2.5" in shown.output
    typo = runner.invoke(app, ["config", "set", "judge.modle", "x"])
    assert typo.exit_code == 1 and "did you mean 'model'" in typo.output
    config = load_config()
    assert config.judge == ModelConfig(model="ollama/qwen2.5", timeout_s=90)
    assert runner.invoke(app, ["config", "unset", "judge"]).exit_code == 0
    assert load_config().judge is None


# ----------------------------------------------------------------------------- through litellm, end to end


@pytest.fixture(scope="module")
def litellm_loaded():
    """litellm for this module's real-client tests; unloaded afterwards, as the offline app expects."""
    was_loaded = "litellm" in sys.modules
    adapter.load_litellm()
    yield
    if not was_loaded:
        for name in [m for m in sys.modules if m.split(".")[0] in ("litellm", "openai")]:
            del sys.modules[name]
        adapter._litellm = None
        adapter._routed_to = None


class MockClient(adapter.LiteLLMClient):
    """litellm's own client with ``mock_response``: the real call path, no network."""

    def __init__(self, text: str):
        self.text = text

    async def open(self, call: ChatCall):
        from dataclasses import replace

        return await super().open(replace(call, extra={**call.extra, "mock_response": self.text}))


def test_the_command_judges_stores_and_shows_with_mock_response(
    litellm_loaded, session_id, monkeypatch
) -> None:
    from cli import app

    monkeypatch.setattr(
        judging, "default_client", lambda: MockClient("```json\n" + json.dumps(answer()) + "\n```")
    )
    refused = runner.invoke(app, ["rubrics", "judge", session_id[:12], "--model", REMOTE.model], input="n\n")
    assert refused.exit_code == 1 and "Nothing was sent" in refused.output
    assert "the transcript of this session" in refused.output and "OpenAI (its own service)" in refused.output
    with Store.open_default() as store:
        assert store.judgements(session_id) == []

    result = runner.invoke(app, ["rubrics", "judge", session_id[:12], "--model", REMOTE.model], input="y\n")
    assert result.exit_code == 0, result.output
    assert has_consent(recipient(REMOTE.model)), "the consent given is remembered"
    out = result.output
    assert "LLM judge (model openai/gpt-4o-mini" in out and "not a trained MITI rater" in out
    assert "Empathy: automatic estimate " in out and "judge 4 of 5" in out
    assert "evidence: #5 “It sounds like things have felt heavy for a long time.”" in out
    assert "Formative" in out
    with Store.open_default() as store:
        (stored,) = store.judgements(session_id)
        automatic = store.scores(session_id)
    assert stored.ratings["partnership"].rating == 2 and stored.tokens_in
    assert any(i.item_id == "empathy_estimate" for r in automatic.rubrics for i in r.items)

    shown = runner.invoke(app, ["sessions", "show", session_id[:12], "--plain"])
    assert "## LLM judge (second opinion)" in shown.output and "not a trained MITI rater" in shown.output
    assert "| empathy | 4 |" in shown.output
    exported = json.loads(runner.invoke(app, ["sessions", "export", session_id[:12], "-f", "json"]).output)
    (document,) = exported["llm_judgements"]
    assert document["label"] == stored.label and document["ratings"]["empathy"]["evidence_turns"] == [5]


def test_the_command_keeps_the_scores_when_the_judge_fails(litellm_loaded, session_id, monkeypatch) -> None:
    from cli import app

    monkeypatch.setattr(judging, "default_client", lambda: MockClient("I can't help with that."))
    result = runner.invoke(
        app,
        ["rubrics", "judge", session_id[:12], "--model", "openai/j", "--api-base", "http://127.0.0.1:9/v1"],
    )
    assert result.exit_code == 1 and "declined to rate" in result.output and "Traceback" not in result.output
    assert "automatic estimates are unchanged" in result.output
    with Store.open_default() as store:
        assert store.judgements(session_id) == [] and store.scores(session_id) is not None


def test_end_to_end_against_a_loopback_server(litellm_loaded, session_id) -> None:
    from cli import app

    server = FakeOpenAIServer().start()
    try:
        server.respond = lambda body: Reply(json.dumps(answer((3, 3, 2, 4))), model="judge-13b-q4")
        result = runner.invoke(
            app,
            [
                "rubrics",
                "judge",
                session_id,
                "--model",
                "openai/judge",
                "--api-base",
                server.base_url,
                "--json",
            ],
        )
    finally:
        server.stop()
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert (
        document["label"] == "LLM judge (model openai/judge, reports judge-13b-q4), not a trained MITI rater"
    )
    assert document["globals"]["empathy"]["judge_rating"] == 3
    assert isinstance(document["globals"]["empathy"]["automatic_estimate"], float)
    assert document["globals"]["empathy"]["evidence"][0]["turn"] == 5
    (body,) = server.requests
    assert (
        body["messages"][0]["role"] == "system" and "Softening sustain talk" in body["messages"][0]["content"]
    )
    assert "[#3] Counsellor: You should exercise more." in body["messages"][1]["content"]
    with Store.open_default() as store:
        (stored,) = store.judgements(session_id)
    assert stored.model_version == "judge-13b-q4" and stored.cost_usd == 0.0
