"""Counterfactual pair: the same trainee lines must score the same whoever the patient is.

``cf-low-mood-a`` and ``cf-low-mood-b`` are one scenario told twice: the patient's name, background and way of
speaking differ (standard Southern English and West of Scotland English); everything that decides disclosure
and scoring is the same. The coder reads the patient's previous words when it codes a reflection, so the way a
patient talks could change how the trainee is scored. These tests play identical trainee scripts against both
and require identical codes, scores and disclosures (standards note, P8: counterfactual persona pairs).
"""

from __future__ import annotations

import asyncio
import copy
import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cli import app
from simulator.counterfactual import compare_scenarios
from simulator.library import load_scenario
from simulator.paths import builtin_dir
from simulator.rehearsal import rehearse
from simulator.rubric import load_rubrics

from .conftest import ROOT

PAIR = (
    ROOT / "scenarios" / "cf-low-mood-a.scenario.yaml",
    ROOT / "scenarios" / "cf-low-mood-b.scenario.yaml",
)

# Trainee scripts that name nobody, so the same words fit both patients.
SCRIPTS: dict[str, list[str]] = {
    "good practice": [
        "How have you been feeling lately?",
        "It sounds like you've been running on very little for a long time.",
        "What's been happening at home?",
        (
            "You're holding down a full-time job and caring for your dad most evenings, and there's nothing "
            "left over for you."
        ),
        "That's a huge amount to carry, and you're still showing up for him every night.",
        (
            "When things feel this bleak, some people think about ending their life. Have you had any "
            "thoughts of suicide?"
        ),
        "Thank you for telling me. Have you ever done anything to end your life, or started to?",
        "What would you like to happen next? It's up to you, and we can work it out together.",
    ],
    "poor practice": [
        "You need to look after yourself more. You can't pour from an empty cup.",
        "You should get your brother to help. It's not fair on you.",
        "Come on, it's not that bad. Lots of people care for their parents.",
        "Have you tried going to bed earlier?",
    ],
    "mixed practice": [
        "How have you been feeling lately?",
        "Have you tried going to bed earlier?",
        "Is your sleep bad every night?",
        "Do you work?",
        "Are you married?",
        "What's been happening at home?",
        "That must be really hard.",
        "You should ask your brother to do more.",
        "What do you do for fun?",
        "Have you had any thoughts of suicide?",
        "I'll see you again in two weeks.",
    ],
    "reflections built from her own words": [
        "How have you been feeling lately?",
        "You feel flat most of the time, and you're awake at four with your head going.",
        "What's been happening at home?",
        "Your dad had a stroke and you're round at his flat most nights doing his meals and his tablets.",
        "You're doing everything for him and you can't see an end to it.",
        "Some days you resent him, and then you feel terrible for even thinking it.",
        "It feels like there's no point, and you're running on empty.",
        "Have you wished you were dead, or wished you could go to sleep and not wake up?",
        "How is work?",
        "Who supports you?",
    ],
    "risk first, rapport later": [
        "Have you had any thoughts of suicide?",
        "What helps, even a little?",
        "How is work?",
        "You're worried about making mistakes at work, and that isn't like you.",
        "What's been happening at home?",
        "It sounds like you're carrying this mostly on your own.",
        "Who supports you?",
        "What do you do for fun?",
    ],
}
SEEDS = (0, 1)

# Fields that may differ between the two halves of a pair: who the patient is and the words they say.
PERSON_FIELDS = ("id", "title", "summary", "persona", "opening_line", "small_talk", "closing_lines")


@pytest.fixture(scope="module")
def pair():
    return tuple(load_scenario(path) for path in PAIR)


@pytest.fixture(scope="module")
def rubrics():
    loaded, problems = load_rubrics([builtin_dir("rubrics")])
    assert not problems
    return loaded


def _play(scenario, lines: list[str], seed: int, rubrics):
    return asyncio.run(rehearse(scenario, lines, seed=seed, rubrics=rubrics))


def _codes(session) -> list[tuple]:
    return [
        (t.trainee_turn, [b.value for b in t.coding.behaviours], sorted(t.coding.topics),
         [f.value for f in t.coding.risk_flags])
        for t in session.turns
        if t.speaker == "trainee"
    ]


def _scores(session) -> list[tuple]:
    assert session.score is not None
    return [
        (r.rubric_id, i.item_id, i.status, i.value, sorted(i.evidence_turns))
        for r in session.score.rubrics
        for i in r.items
    ]


def _ledger(session) -> list[tuple[str, int]]:
    return [(d.fact_id, d.turn) for d in session.ledger]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", list(SCRIPTS))
def test_same_lines_get_the_same_codes_scores_and_disclosures(pair, rubrics, name: str, seed: int) -> None:
    a, b = (_play(s, SCRIPTS[name], seed, rubrics) for s in pair)
    assert _codes(a) == _codes(b), f"{name}: the coder coded the same trainee lines differently"
    assert _scores(a) == _scores(b), f"{name}: the same trainee lines scored differently"
    assert _ledger(a) == _ledger(b), f"{name}: the patients disclosed different facts or at different turns"
    assert (a.info.ending, round(a.state.trust, 4), a.state.stage) == (
        b.info.ending,
        round(b.state.trust, 4),
        b.state.stage,
    )
    # Both patients really did speak in their own words.
    said_a = [t.text for t in a.turns if t.speaker == "patient"]
    said_b = [t.text for t in b.turns if t.speaker == "patient"]
    assert said_a != said_b


@pytest.mark.parametrize("name", list(SCRIPTS))
def test_compare_reports_the_pair_equal(pair, rubrics, name: str) -> None:
    """What an educator runs (``mhsim scenarios compare``): every item equal and nothing else noted."""
    result = compare_scenarios(*pair, SCRIPTS[name], rubrics=rubrics)
    assert result.rows
    assert result.equal, [(r.key, r.a, r.b) for r in result.differences]
    assert result.notes == []


def test_compare_command_exits_zero_for_the_pair(tmp_path: Path) -> None:
    script = tmp_path / "lines.txt"
    script.write_text("\n".join(SCRIPTS["mixed practice"]) + "\n", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["scenarios", "compare", "cf-low-mood-a", "cf-low-mood-b", "--script", str(script), "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["equal"] is True
    assert {report["a"], report["b"]} == {"cf-low-mood-a", "cf-low-mood-b"}


def test_the_scripts_reach_different_outcomes(pair, rubrics) -> None:
    """The comparison means something only if the scripts are scored differently from one another."""
    scenario = pair[0]
    good = _play(scenario, SCRIPTS["good practice"], 0, rubrics)
    poor = _play(scenario, SCRIPTS["poor practice"], 0, rubrics)
    missed = _play(scenario, SCRIPTS["reflections built from her own words"], 0, rubrics)
    assert good.info.ending == "next_step_agreed"
    assert poor.info.ending == "leaves_early"
    statuses = {
        n: {(r.rubric_id, i.item_id): i.status for r in s.score.rubrics for i in r.items}
        for n, s in (("good", good), ("poor", poor), ("missed", missed))
    }
    assert statuses["good"][("risk", "direct_question_after_cue")] == "met"
    assert statuses["poor"][("mi", "mi_non_adherent")] == "missed"
    assert statuses["good"] != statuses["poor"]


def _strip_person(doc: dict) -> tuple[dict, dict]:
    """The scenario without the fields a pair may vary, and the number of lines in each varied list."""
    doc = copy.deepcopy(doc)
    counts: dict[str, int] = {}
    for key in PERSON_FIELDS:
        value = doc.pop(key, None)
        if isinstance(value, list):
            counts[key] = len(value)
    for fact in doc.get("facts", []):
        for key in ("lines", "guarded_lines"):
            counts[f"facts.{fact['id']}.{key}"] = len(fact.pop(key, []))
    for name, reaction in (doc.get("reactions") or {}).items():
        counts[f"reactions.{name}"] = len(reaction.pop("lines", []))
    for ending in doc.get("endings", []):
        ending.pop("line", None)
    for flag, answer in ((doc.get("risk") or {}).get("screener") or {}).items():
        counts[f"screener.{flag}"] = 1 if answer.pop("line", None) else 0
    return doc, counts


def test_pair_differs_only_in_person_and_words() -> None:
    docs = [yaml.safe_load(path.read_text(encoding="utf-8")) for path in PAIR]
    (rest_a, counts_a), (rest_b, counts_b) = (_strip_person(d) for d in docs)
    assert rest_a == rest_b, "the pair must share facts, conditions, trust, risk, reactions, rubrics and tests"
    # Same number of lines everywhere, so a seed picks the same variant in both.
    assert counts_a == counts_b
    a, b = docs
    assert a["persona"]["name"] != b["persona"]["name"]
    assert a["persona"]["speaking_style"] != b["persona"]["speaking_style"]
    lines_a = [line for fact in a["facts"] for line in fact["lines"]]
    lines_b = [line for fact in b["facts"] for line in fact["lines"]]
    differing = sum(x != y for x, y in zip(lines_a, lines_b, strict=True))
    assert differing >= len(lines_a) // 2, "pair B should speak in its own words, not copy pair A"


@pytest.mark.parametrize(("path", "other"), [(PAIR[0], PAIR[1]), (PAIR[1], PAIR[0])], ids=["a", "b"])
def test_each_half_names_its_pair_in_a_comment(path: Path, other: Path) -> None:
    pair_id = other.name.removesuffix(".scenario.yaml")
    comments = [line for line in path.read_text(encoding="utf-8").splitlines() if line.lstrip().startswith("#")]
    assert any(pair_id in line for line in comments)
