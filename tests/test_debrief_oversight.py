"""Human oversight in the debrief: educators' overrides and a stored LLM judgement, shown beside the automatic
scores (which are always kept)."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.config import Config
from simulator.library import Entry, Library, known_rubric_ids, load_scenario
from simulator.store import Store

from .conftest import play_and_store
from .debrief_helpers import notices, running_debrief

ROOT = Path(__file__).resolve().parent.parent
HELEN = "low-mood-passive-si"


@pytest.fixture(scope="module")
def lib() -> Library:
    path = ROOT / "scenarios" / f"{HELEN}.scenario.yaml"
    return Library([Entry(path=path, builtin=True, scenario=load_scenario(path, known_rubric_ids()))])


@pytest.fixture
def session_id(lib: Library, mhsim_home: Path) -> str:
    return play_and_store(lib.get(HELEN), ["Are you sad?", "Do you sleep?", "You should exercise more."])

async def test_debrief_shows_a_stored_llm_judgement_beside_the_estimates(lib, session_id) -> None:
    from textual.widgets import Static

    from simulator.judgements import GLOBALS, GlobalJudgement, Judgement

    async def judge_section() -> str | None:
        async with running_debrief(lib, session_id, Config()) as (_app, _pilot, screen):
            found = screen.query("#debrief-judge")
            return str(found.first().query(Static).last().render()) if found else None

    assert await judge_section() is None, "no judgement stored: no second opinion"
    with Store.open_default() as store:
        store.add_judgement(Judgement(
            session_id=session_id, model="openai/judge", prompt_version="judge-1",
            ratings={g: GlobalJudgement(rating=2, rationale="Mostly closed questions.", evidence_turns=[1, 3])
                     for g in GLOBALS},
        ))
    text = await judge_section()
    assert text is not None and "LLM judge (model openai/judge), not a trained MITI rater" in text
    assert "Empathy 2/5 (estimate " in text and "Evidence: #1, #3." in text


async def test_debrief_shows_an_educators_override_under_the_automatic_score(lib, session_id) -> None:
    from textual.widgets import Static

    from simulator.overrides import Override
    from simulator.tui.screens.debrief import ItemView

    with Store.open_default() as store:
        store.add_override(Override(session_id=session_id, rubric_id="mi", item_id="empathy_estimate", score=4,
                                    reason="warm tone throughout", educator="Dr Lee"))
    async with running_debrief(lib, session_id, Config()) as (_app, _pilot, screen):
        views = {v.key: v for v in screen.query(ItemView)}
        body = str(views["mi.empathy_estimate"].query_one(".item-body", Static).render())
        other = str(views["mi.partnership_estimate"].query_one(".item-body", Static).render())
    assert "Educator Dr Lee: 4 (overrides the automatic score): warm tone throughout" in body
    assert "Educator" not in other


async def test_an_educator_overrides_an_item_from_the_debrief(lib, session_id) -> None:
    from textual.widgets import Input, Select, Static

    from simulator.tui.screens import OverrideScreen
    from simulator.tui.screens.debrief import ItemView

    async with running_debrief(lib, session_id, Config(trainee="Dr Lee")) as (app, pilot, screen):
        view = next(v for v in screen.query(ItemView) if v.key == "mi.empathy_estimate")
        view.focus()
        await pilot.press("o")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, OverrideScreen)
        assert form.query_one("#override-educator", Input).value == "Dr Lee"
        form.query_one("#override-score", Input).value = "9"  # off the MITI 1-5 scale: nothing is stored
        form.query_one("#override-reason", Input).value = "warm tone throughout"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form and "not on the scale of mi/empathy_estimate" in notices(app)
        form.query_one("#override-reason", Input).value = ""
        form.query_one("#override-score", Input).value = "4"
        await pilot.press("ctrl+s")  # no reason yet: nothing is stored
        await pilot.pause()
        assert app.screen is form and "Reason is required" in notices(app)
        form.query_one("#override-status", Select).value = "met"
        form.query_one("#override-reason", Input).value = "warm tone throughout"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen
        body = str(view.query_one(".item-body", Static).render())
    with Store.open_default() as store:
        stored = store.overrides(session_id)
    assert [(o.item_id, o.status, o.score, o.educator) for o in stored] == [("empathy_estimate", "met", 4.0, "Dr Lee")]
    assert "Educator Dr Lee: ✔ met · 4 (overrides the automatic score): warm tone throughout" in body
