"""The offline coder: behaviours, open/closed, simple/complex, risk flags, cues, determinism, `mhsim code`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from simulator.codes import Behaviour as B
from simulator.codes import RiskFlag as R
from simulator.coding import CODER_VERSION, Coder
from simulator.commands.code import code_command
from simulator.topics import TopicMatcher, merged_topics


@pytest.fixture(scope="module")
def coder() -> Coder:
    return Coder()


# ------------------------------------------------------------------------------------------------------------
# Behaviour codes
# ------------------------------------------------------------------------------------------------------------

PRIMARY_CASES = [
    # open questions
    ("What brings you in today?", None, B.OPEN_QUESTION),
    ("How have you been sleeping?", None, B.OPEN_QUESTION),
    ("Tell me more about that.", None, B.OPEN_QUESTION),
    ("Can you describe what a bad day looks like?", None, B.OPEN_QUESTION),
    ("In what way has it changed things at home?", None, B.OPEN_QUESTION),
    ("What else?", None, B.OPEN_QUESTION),
    ("how are you feeling today", None, B.OPEN_QUESTION),  # no question mark typed
    # closed questions
    ("Do you drink every day?", None, B.CLOSED_QUESTION),
    ("Are you working at the moment?", None, B.CLOSED_QUESTION),
    ("Have you told anyone about this?", None, B.CLOSED_QUESTION),
    ("Is it worse in the mornings or in the evenings?", None, B.CLOSED_QUESTION),
    ("So you're drinking about six pints a night?", None, B.CLOSED_QUESTION),  # rising statement
    ("do you sleep ok", None, B.CLOSED_QUESTION),
    # reflections
    ("It sounds like you've been feeling really low.", "I've been feeling really low.", B.SIMPLE_REFLECTION),
    ("Part of you wants to stop.", None, B.COMPLEX_REFLECTION),
    (
        "On the one hand drinking helps you relax, and on the other hand you're worried about your liver.",
        None,
        B.COMPLEX_REFLECTION,
    ),
    # MI-adherent
    ("You've worked really hard to cut down this month.", None, B.AFFIRM),
    ("It took a lot of courage to come in and talk about this.", None, B.AFFIRM),
    ("It's your choice what you do next.", None, B.EMPHASIZE_AUTONOMY),
    ("Whatever you decide, it's up to you.", None, B.EMPHASIZE_AUTONOMY),
    ("What do you think?", None, B.SEEK_COLLABORATION),
    ("Would it be okay if I shared some information about sleep?", None, B.SEEK_COLLABORATION),
    ("How would you like to spend our time together today?", None, B.SEEK_COLLABORATION),
    # information and advice
    ("Many people experience low mood after a loss.", None, B.GIVE_INFORMATION),
    ("The service is open 24 hours a day.", None, B.GIVE_INFORMATION),
    ("What you tell me stays confidential unless I'm worried about your safety.", None, B.GIVE_INFORMATION),
    (
        "If you're interested, some people find it helps to keep a sleep diary.",
        None,
        B.ADVISE_WITH_PERMISSION,
    ),
    ("You should stop drinking.", None, B.PERSUADE),
    ("You need to get more sleep.", None, B.PERSUADE),
    ("Why don't you try going for a walk?", None, B.PERSUADE),
    ("Have you tried meditation?", None, B.PERSUADE),
    # MI-non-adherent
    ("You're in denial about your drinking.", None, B.CONFRONT),
    ("That's irresponsible.", None, B.CONFRONT),
    ("Let's be honest, you're an alcoholic.", None, B.CONFRONT),
    # other
    ("Okay.", None, B.OTHER),
    ("Mm-hmm.", None, B.OTHER),
    ("Hi, I'm Sam, one of the nurses here.", None, B.OTHER),
    ("Great job!", None, B.OTHER),  # generic praise is not an affirmation
    ("", None, B.OTHER),
]


@pytest.mark.parametrize(("text", "prior", "expected"), PRIMARY_CASES)
def test_primary_behaviour(coder: Coder, text: str, prior: str | None, expected: B) -> None:
    coding = coder.code(text, prior)
    assert coding.primary == expected, (text, coding.behaviours, coding.cues)


def test_every_behaviour_code_is_reachable(coder: Coder) -> None:
    seen = {coder.code(text, prior).primary for text, prior, _ in PRIMARY_CASES}
    assert seen == set(B)


def test_reflection_then_question_counts_both(coder: Coder) -> None:
    coding = coder.code(
        "It sounds like you're exhausted and feeling hopeless. How have you been coping?",
        "I just can't sleep and work is piling up.",
    )
    assert coding.behaviours == [B.COMPLEX_REFLECTION, B.OPEN_QUESTION]


def test_stacked_questions_count_once(coder: Coder) -> None:
    coding = coder.code("How are things at home? Are you sleeping?")
    assert [b for b in coding.behaviours if b in (B.OPEN_QUESTION, B.CLOSED_QUESTION)] == [B.OPEN_QUESTION]
    closed = coder.code("Are you sleeping? Are you eating?")
    assert closed.behaviours == [B.CLOSED_QUESTION]


def test_open_invitation_phrased_as_yes_no_is_open(coder: Coder) -> None:
    assert coder.code("Could you tell me a bit more about that?").primary == B.OPEN_QUESTION
    assert coder.code("Can you commit to that today?").primary == B.CLOSED_QUESTION


def test_wh_word_statement_is_not_a_question(coder: Coder) -> None:
    coding = coder.code("What I'm hearing is that work has become too much")
    assert B.OPEN_QUESTION not in coding.behaviours
    assert coding.primary in (B.SIMPLE_REFLECTION, B.COMPLEX_REFLECTION)


# ------------------------------------------------------------------------------------------------------------
# Simple vs complex reflections (context from the client's previous utterance)
# ------------------------------------------------------------------------------------------------------------


def test_repeating_the_client_is_simple(coder: Coder) -> None:
    prior = "I've been really down lately and I can't get out of bed."
    coding = coder.code("So you've been feeling down and you can't get out of bed.", prior)
    assert coding.primary == B.SIMPLE_REFLECTION
    cue = coding.cues[0]
    assert cue.rule == "reflection_repeats_client" and "bed" in cue.evidence


def test_adding_a_feeling_the_client_did_not_name_is_complex(coder: Coder) -> None:
    prior = "My mum's ill and my brother won't help with anything."
    coding = coder.code("You're exhausted and pretty angry with him.", prior)
    assert coding.primary == B.COMPLEX_REFLECTION
    assert coding.cues[0].rule == "reflection_adds_feeling"


def test_same_words_simple_with_their_prior_complex_with_another(coder: Coder) -> None:
    text = "You feel stuck."
    assert coder.code(text, "I just feel stuck all the time.").primary == B.SIMPLE_REFLECTION
    assert coder.code(text, "Work is the same every day and nothing changes.").primary == B.COMPLEX_REFLECTION


@pytest.mark.parametrize(
    "text",
    [
        "Part of you wants things to change, and part of you is scared of what that means.",
        "You feel like you're carrying the whole family on your back.",
        "And you're worried that if you stop, you'll lose your friends.",
        "It's really important to you to be a good dad.",
    ],
)
def test_complex_markers(coder: Coder, text: str) -> None:
    assert coder.code(text, "I don't know.").primary == B.COMPLEX_REFLECTION


def test_a_rising_statement_without_a_reflection_stem_is_a_question(coder: Coder) -> None:
    assert coder.code("You've been feeling low?").primary == B.CLOSED_QUESTION
    assert coder.code("So you've been drinking more since the move?").primary == B.CLOSED_QUESTION


@pytest.mark.parametrize(
    "text",
    [
        "It sounds like you've been feeling low?",
        "So, sounds like you really want to stop during the week?",
        "You also have some doubts about it, it sounds like?",
    ],
)
def test_a_reflection_stem_said_with_a_rising_tone_is_a_reflection(coder: Coder, text: str) -> None:
    assert coder.code(text, "I don't know any more.").primary in (B.SIMPLE_REFLECTION, B.COMPLEX_REFLECTION)


# ------------------------------------------------------------------------------------------------------------
# Persuade vs advise with permission
# ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "You should try to get more exercise.",
        "You really need to cut down.",
        "Why don't you just call your friends?",
        "Have you thought about going to the alcohol service?",
        "I think you should see your GP.",
        "Just stop drinking on weeknights.",
        "You could try going to bed earlier.",
    ],
)
def test_advice_without_permission_is_persuade(coder: Coder, text: str) -> None:
    coding = coder.code(text)
    assert coding.primary == B.PERSUADE and B.ADVISE_WITH_PERMISSION not in coding.behaviours


@pytest.mark.parametrize(
    "text",
    [
        "Would it be okay if I made a suggestion? You could try going to bed earlier.",
        "If you like, one option is to try a few alcohol-free days.",
        "Some people find it helps to write things down; see what you think.",
        "This may or may not fit for you, but you could try keeping a diary.",
    ],
)
def test_advice_with_permission(coder: Coder, text: str) -> None:
    coding = coder.code(text)
    assert B.ADVISE_WITH_PERMISSION in coding.behaviours and B.PERSUADE not in coding.behaviours


def test_advice_the_client_asked_for_is_with_permission(coder: Coder) -> None:
    coding = coder.code("You could try going to bed at the same time every night.", "What should I do?")
    assert coding.primary == B.ADVISE_WITH_PERMISSION
    assert coding.cues[0].rule == "advice_requested_by_client"


def test_should_be_proud_is_an_affirmation_not_advice(coder: Coder) -> None:
    coding = coder.code("You should be proud of how far you've come.")
    assert B.AFFIRM in coding.behaviours and B.PERSUADE not in coding.behaviours


def test_evocative_question_with_need_is_not_persuade(coder: Coder) -> None:
    assert coder.code("What do you feel you need to do?").behaviours == [B.OPEN_QUESTION]


def test_generic_praise_is_not_an_affirmation(coder: Coder) -> None:
    for text in ("Great job!", "I'm proud of you.", "You're amazing."):
        coding = coder.code(text)
        assert B.AFFIRM not in coding.behaviours, text


# ------------------------------------------------------------------------------------------------------------
# Risk flags
# ------------------------------------------------------------------------------------------------------------

RISK_CASES = [
    (
        "Have you ever wished you were dead or wished you could go to sleep and not wake up?",
        None,
        R.ASK_WISH_DEAD,
    ),
    ("Do you sometimes feel you'd be better off dead?", None, R.ASK_WISH_DEAD),
    (
        (
            "Sometimes when people feel this low they wonder whether life is worth living. Have you had "
            "thoughts like that?"
        ),
        None,
        R.ASK_WISH_DEAD,
    ),
    ("Have you ever felt you'd be better off not here?", None, R.ASK_WISH_DEAD),
    ("Have you had any thoughts of killing yourself?", None, R.ASK_SUICIDAL_THOUGHTS),
    ("Have you been thinking about ending your life?", None, R.ASK_SUICIDAL_THOUGHTS),
    ("Are you having thoughts of suicide?", None, R.ASK_SUICIDAL_THOUGHTS),
    ("Have you thought about taking your own life?", None, R.ASK_SUICIDAL_THOUGHTS),
    ("Have you thought about how you might do this?", "I keep thinking about ending it.", R.ASK_METHOD),
    ("What way would you kill yourself, have you thought about that?", None, R.ASK_METHOD),
    ("Do you think you would act on these thoughts?", "Sometimes I want to die.", R.ASK_INTENT),
    ("Have you had any intention of acting on them?", "I think about suicide a lot.", R.ASK_INTENT),
    ("Have you worked out the details of how you would kill yourself?", None, R.ASK_PLAN),
    ("Have you made a plan to end your life?", None, R.ASK_PLAN),
    ("Have you decided when or where you would do it?", "I've thought about killing myself.", R.ASK_PLAN),
    (
        "Have you ever done anything, started to do anything, or prepared to do anything to end your life?",
        None,
        R.ASK_PAST_BEHAVIOUR,
    ),
    ("Have you ever attempted suicide?", None, R.ASK_PAST_BEHAVIOUR),
    ("What are the warning signs that a crisis might be coming?", None, R.SP_WARNING_SIGNS),
    ("How would you know when things are starting to get worse?", "I don't feel safe.", R.SP_WARNING_SIGNS),
    (
        "Would you be willing to work on a safety plan with me, starting with what you notice when things get worse?",
        "I've thought about ending my life for weeks.",
        R.SP_WARNING_SIGNS,
    ),
    ("What are the signs that a bad night is starting?", "I've thought about ending my life.", R.SP_WARNING_SIGNS),
    ("What could you do on your own to take your mind off things when the thoughts come?", None, R.SP_COPING),
    ("How do you cope when things get bad?", "Sometimes I just want to disappear.", R.SP_COPING),
    (
        "Are there people or places that take your mind off things?",
        "I have these dark thoughts.",
        R.SP_DISTRACTION,
    ),
    ("Who could you call if things get really bad?", "I don't feel safe sometimes.", R.SP_SUPPORT),
    ("Would you be willing to call the crisis line if the urges get stronger?", None, R.SP_PROFESSIONAL),
    ("You can ring the Samaritans any time, day or night.", None, R.SP_PROFESSIONAL),
    (
        "Could we think about keeping the pills somewhere else, maybe with your sister?",
        None,
        R.SP_MEANS_SAFETY,
    ),
    ("Would you be willing to lock up the medication while things are this hard?", None, R.SP_MEANS_SAFETY),
]


@pytest.mark.parametrize(("text", "prior", "flag"), RISK_CASES)
def test_risk_flag(coder: Coder, text: str, prior: str | None, flag: R) -> None:
    coding = coder.code(text, prior)
    assert flag in coding.risk_flags, (text, coding.risk_flags, coding.cues)
    cue = next(c for c in coding.cues if c.code == flag.value)
    assert cue.rule and cue.evidence and cue.evidence.lower().rstrip("…") in text.lower()


def test_every_risk_flag_is_reachable(coder: Coder) -> None:
    seen = {f for text, prior, _ in RISK_CASES for f in coder.code(text, prior).risk_flags}
    assert seen == set(R)


def test_hurt_yourself_is_a_self_harm_topic_not_a_suicide_question(coder: Coder) -> None:
    for text in ("Have you had thoughts of hurting yourself?", "Do you ever want to hurt yourself?"):
        coding = coder.code(text)
        assert R.ASK_SUICIDAL_THOUGHTS not in coding.risk_flags, text
        assert "self_harm" in coding.topics, text


def test_patient_statements_and_reflections_are_not_screening_questions(coder: Coder) -> None:
    for text in (
        "I wished I was dead last week.",
        "I've thought about killing myself.",
        "You said you wished you were dead.",
        "So you called the crisis line last night.",
    ):
        assert coder.code(text).risk_flags == [], text


def test_normalising_lead_in_then_question_asks_it(coder: Coder) -> None:
    coding = coder.code(
        "Sometimes when people feel this low they wish they could go to sleep and not wake up. "
        "Have you had thoughts like that?"
    )
    assert R.ASK_WISH_DEAD in coding.risk_flags


def test_everyday_words_do_not_raise_risk_flags(coder: Coder) -> None:
    for text in (
        "Have you thought about how you'd like things to be different?",
        "What triggers your drinking?",
        "Do you have a plan for the weekend?",
        "How do you cope with stress at work?",
        "Would it be okay if we rang your GP about the tablets before acting on it?",
        "Do you think the course is worth it?",
        "Was it worth the trip?",
    ):
        assert coder.code(text).risk_flags == [], text


def test_plan_question_in_c_ssrs_wording_is_one_move(coder: Coder) -> None:
    coding = coder.code("Have you worked out the details of how you would kill yourself?")
    assert coding.risk_flags == [R.ASK_PLAN]


# ------------------------------------------------------------------------------------------------------------
# Cues, topics, determinism, gates
# ------------------------------------------------------------------------------------------------------------

ALL_TEXTS = (
    [(t, p) for t, p, _ in PRIMARY_CASES]
    + [(t, p) for t, p, _ in RISK_CASES]
    + [
        (
            "It sounds like you're exhausted. How have you been coping with work and the kids?",
            "I'm so tired.",
        ),
        ("Your liver results are worrying. You need to cut down your drinking.", None),
        ("Can I tell you how it works here? What you tell me stays confidential.", None),
    ]
)


def test_every_code_has_a_cue(coder: Coder) -> None:
    for text, prior in ALL_TEXTS:
        coding = coder.code(text, prior)
        assert coding.behaviours, text
        codes = {c.code for c in coding.cues}
        for code in [*coding.behaviours, *coding.risk_flags, *coding.topics]:
            assert str(code) in codes, (text, code)
        for cue in coding.cues:
            assert cue.rule, (text, cue)
            if text and cue.rule not in ("no_words",):
                assert cue.evidence, (text, cue)


def test_topics_come_from_the_text_with_scenario_topics_added() -> None:
    coder = Coder(merged_topics({"pets": ["dog*", "cat"]}))
    coding = coder.code("How has the drinking been since the dogs went to your sister?")
    assert {"alcohol", "family", "pets"} <= set(coding.topics)
    cue = next(c for c in coding.cues if c.code == "pets")
    assert cue.rule == "topic_keyword" and cue.evidence == "dogs"


def test_topics_match_the_topic_matcher_exactly(coder: Coder) -> None:
    matcher = TopicMatcher(merged_topics())
    for text, _ in ALL_TEXTS:
        assert coder.code(text).topics == list(matcher.match(text)), text


def test_deterministic_across_calls_and_instances(coder: Coder) -> None:
    other = Coder()
    for text, prior in ALL_TEXTS:
        first = coder.code(text, prior)
        assert coder.code(text, prior) == first
        assert other.code(text, prior).model_dump() == first.model_dump()


def test_word_gates_never_change_a_result(coder: Coder) -> None:
    ungated = Coder()
    ungated._gated = False
    for text, prior in ALL_TEXTS:
        assert coder.code(text, prior) == ungated.code(text, prior), text


def test_version() -> None:
    assert CODER_VERSION.startswith("rules-")
    assert Coder().version == CODER_VERSION == Coder.version


def test_unicode_quotes_and_odd_input(coder: Coder) -> None:
    assert coder.code("You’re in denial.").primary == B.CONFRONT
    assert coder.code("???").behaviours == [B.OTHER]
    assert coder.code("   \n  ").behaviours == [B.OTHER]
    long = "It sounds like work has been a lot. " * 200
    assert coder.code(long).primary in (B.SIMPLE_REFLECTION, B.COMPLEX_REFLECTION)


# ------------------------------------------------------------------------------------------------------------
# `mhsim code FILE`
# ------------------------------------------------------------------------------------------------------------


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    app.command("code")(code_command)

    @app.command("noop")
    def _noop() -> None:  # a second command so Typer keeps the "code" sub-command name
        pass

    return app


def _jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_code_command_csv_in_jsonl_out(app: typer.Typer, tmp_path: Path) -> None:
    src = tmp_path / "talk.csv"
    src.write_text(
        "conversation,speaker,text\n"
        "c1,client,I've been feeling really low.\n"
        "c1,therapist,You've been feeling really low.\n"
        "c2,therapist,You've been feeling really low.\n"
        'c1,therapist,"Have you had any thoughts of killing yourself?"\n'
        "c1,client,No.\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["code", str(src)])
    assert result.exit_code == 0, result.output
    rows = _jsonl(result.stdout)
    assert [r["row"] for r in rows] == [1, 2, 3, 4, 5]
    assert [r["speaker"] for r in rows] == ["client", "therapist", "therapist", "therapist", "client"]
    assert rows[0]["behaviours"] is None and rows[4]["behaviours"] is None
    # The same words: a simple reflection after the client said them, not in the other conversation.
    assert rows[1]["primary"] == "simple_reflection"
    assert rows[1]["cues"][0]["rule"] == "reflection_repeats_client"
    assert rows[2]["cues"][0]["rule"] != "reflection_repeats_client"
    assert rows[3]["risk_flags"] == ["ask_suicidal_thoughts"]
    assert all(r["coder_version"] == CODER_VERSION for r in rows)


def test_code_command_jsonl_in_csv_out(app: typer.Typer, tmp_path: Path) -> None:
    import csv
    import io

    src = tmp_path / "talk.jsonl"
    src.write_text(
        json.dumps({"text": "What brings you in today?", "speaker": "therapist"})
        + "\n\n"
        + json.dumps({"text": "My drinking, I suppose.", "speaker": "client"})
        + "\n"
        + json.dumps({"text": "You should stop drinking. What do you think?"})
        + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "coded.csv"
    result = CliRunner().invoke(app, ["code", str(src), "--format", "csv", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["speaker"] for r in rows] == ["therapist", "client", "therapist"]
    assert rows[0]["behaviours"] == "open_question"
    assert rows[1]["behaviours"] == "" and rows[1]["cues"] == ""
    assert rows[2]["behaviours"] == "persuade;seek_collaboration;open_question"
    assert rows[2]["topics"] == "alcohol"
    assert json.loads(rows[2]["cues"])[0]["rule"] == "advice_without_permission"
    assert not (tmp_path / "coded.csv.part").exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.jsonl", b'{"text": "Hello"}\n{"text": oops}\n', "bad.jsonl:2: bad JSON"),
        ("notext.csv", b"speaker,utterance\ntherapist,Hello\n", "no 'text' column"),
        ("latin1.csv", b"text\nHello\ncaf\xe9 time\n", "latin1.csv:3: not valid UTF-8"),
        ("who.csv", b"speaker,text\ndoctor,Hello\n", "who.csv:2: speaker must be"),
        ("nofield.jsonl", b'{"speaker": "therapist"}\n', "nofield.jsonl:1: no 'text' field"),
    ],
)
def test_code_command_input_errors(
    app: typer.Typer, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    src = tmp_path / name
    src.write_bytes(content)
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(app, ["code", str(src), "-o", str(out)])
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists() and not (tmp_path / "out.jsonl.part").exists()


def test_code_command_missing_file_and_bad_format(app: typer.Typer, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["code", str(tmp_path / "nope.csv")])
    assert result.exit_code == 1 and "nope.csv: no such file" in result.stderr
    src = tmp_path / "ok.csv"
    src.write_text("text\nHello\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["code", str(src), "--format", "xml"])
    assert result.exit_code == 1 and "unknown --format" in result.stderr


def test_code_command_reads_stdin(app: typer.Typer) -> None:
    result = CliRunner().invoke(app, ["code", "-"], input='{"text": "Tell me more."}\n')
    assert result.exit_code == 0, result.output
    assert _jsonl(result.stdout)[0]["primary"] == "open_question"


# ------------------------------------------------------------------------------------------------------------
# The word gates are sound: fuzz every rule with strings its own regex matches
# ------------------------------------------------------------------------------------------------------------


def _rules():
    from simulator import coding

    found = []
    for value in vars(coding).values():
        items = value if isinstance(value, list) else [value]
        for item in items:
            rule = item[-1] if isinstance(item, tuple) and item else item
            if isinstance(rule, coding._Rule) and rule.rx.pattern:
                found.append(rule)
    return found


def _sample(tree, rng, constants) -> str:
    """A random string matching a parsed regex (lookarounds ignored; callers re-check with the regex)."""
    K = constants
    out = []
    for op, av in tree:
        if op is K.LITERAL:
            out.append(chr(av))
        elif op in (K.NOT_LITERAL, K.ANY):
            out.append("x")
        elif op is K.IN:
            chars, negate = [], False
            for o, a in av:
                if o is K.NEGATE:
                    negate = True
                elif o is K.LITERAL:
                    chars.append(chr(a))
                elif o is K.RANGE:
                    chars.append(chr(rng.randint(a[0], a[1])))
                elif o is K.CATEGORY:
                    chars.append({K.CATEGORY_DIGIT: "5", K.CATEGORY_SPACE: " "}.get(a, "a"))
            out.append("x" if negate or not chars else rng.choice(chars))
        elif op is K.BRANCH:
            out.append(_sample(rng.choice(av[1]), rng, K))
        elif op is K.SUBPATTERN:
            out.append(_sample(av[3], rng, K))
        elif op in (K.MAX_REPEAT, K.MIN_REPEAT):
            low, high, sub = av
            out.append("".join(_sample(sub, rng, K) for _ in range(rng.randint(low, min(high, low + 2)))))
    return "".join(out)


def test_word_gates_are_sound_for_every_rule() -> None:
    import random
    import re

    parser = pytest.importorskip("re._parser")
    constants = pytest.importorskip("re._constants")
    rng = random.Random(1)
    token = re.compile(r"\w+")
    rules = _rules()
    assert len(rules) > 25
    misses = []
    for rule in rules:
        tree = parser.parse(rule.rx.pattern)
        for _ in range(400):
            text = f" {_sample(tree, rng, constants)} ".lower()
            if rule.rx.search(text) and not rule.open_for(text, set(token.findall(text))):
                misses.append((rule.name, text.strip()))
                break
    assert misses == []


# ------------------------------------------------------------------------------------------------------------
# Reported miscodings (scenario authors) and context from earlier turns
# ------------------------------------------------------------------------------------------------------------

AUTHOR_CASES = [
    ("How confident are you that you could cut down if you decided to?", B.OPEN_QUESTION),
    # Once a scale is set out, the question asks for a number on it: closed (the open follow-up is "why a 6
    # and not a 3?").
    ("On a scale of 1 to 10, how confident are you that you could cut down?", B.CLOSED_QUESTION),
    ("It sounds like it helps to have somewhere to put things at night.", None),  # a reflection
    ("Yes, but you know it's damaging your liver.", B.CONFRONT),
    (
        "A raised liver reading can be an early sign of strain, and it often improves when people drink less.",
        B.GIVE_INFORMATION,
    ),
    (
        "I can't be available in the evenings, but the crisis line is open day and night if things get bad.",
        B.GIVE_INFORMATION,
    ),
    ("You've been really open with me today.", B.AFFIRM),
    ("How have you been sleeping\nlately?", B.OPEN_QUESTION),
]


@pytest.mark.parametrize(("text", "expected"), AUTHOR_CASES)
def test_reported_miscodings_are_fixed(coder: Coder, text: str, expected: B | None) -> None:
    coding = coder.code(text)
    if expected is None:
        assert coding.primary in (B.SIMPLE_REFLECTION, B.COMPLEX_REFLECTION), coding.cues
        assert B.PERSUADE not in coding.behaviours
    else:
        assert coding.primary == expected, coding.cues
    assert B.PERSUADE not in coder.code(AUTHOR_CASES[0][0]).behaviours


# Reported by scenario authors: (utterance, the client's previous turn or None, codes any one of which is right)
AUTHOR_CASES_INFO_AND_CONFRONT = [
    ("You're overthinking this.", None, {B.CONFRONT}),
    ("You're being paranoid.", None, {B.CONFRONT}),
    ("I think it's all in your head.", None, {B.CONFRONT}),
    ("Nobody is watching you.", None, {B.CONFRONT}),
    ("There's no way your phone is spying on you.", None, {B.CONFRONT}),
    ("That was a really selfish thing to do to Jess.", None, {B.CONFRONT}),
    ("Your English is too bad for this.", None, {B.CONFRONT}),
    ("Smoking is killing you, you know.", None, {B.CONFRONT}),
    ("It's completely safe, there's nothing to worry about.", None, {B.GIVE_INFORMATION}),
    ("You can't paste patient notes into ChatGPT, that's a data breach.", None, {B.GIVE_INFORMATION}),
    ("I'm a mental health practitioner.", None, {B.GIVE_INFORMATION}),
    ("You can apply for an extension through mitigating circumstances.", None, {B.GIVE_INFORMATION}),
    ("There's a domestic abuse service we can ring from here today, if you want to.", None, {B.GIVE_INFORMATION}),
    ("Because Tiago is involved, I need to speak to our safeguarding lead.", None, {B.GIVE_INFORMATION}),
    ("It's just anxiety. The tests were all normal, so there's nothing wrong with your heart.", None,
     {B.GIVE_INFORMATION}),
    ("Panic attacks are really common. Frightening, but not dangerous.", None, {B.GIVE_INFORMATION}),
    ("What happens in panic is that the body's alarm system goes off and your heart speeds up.", None,
     {B.GIVE_INFORMATION}),
    ("What will be written down is that you said no.", None, {B.GIVE_INFORMATION}),
    ("I can refer you to talking therapies. It's a step-care model.", None, {B.GIVE_INFORMATION}),
    ("The guidance is that they should be taken long-term.", None, {B.GIVE_INFORMATION}),
    ("You've missed two appointments. If you miss one more you'll be discharged.", None, {B.GIVE_INFORMATION}),
    ("Okay. Let's book you in again in two weeks.", None, {B.GIVE_INFORMATION}),
    ("I'm the case manager for your housing support.", None, {B.GIVE_INFORMATION}),
    ("So that's something you can ask your keyworker about.", None, {B.GIVE_INFORMATION}),
    ("This leaflet explains what the different units mean.", None, {B.GIVE_INFORMATION}),
    ("I do want to reassure you that the inhaler works only in your lungs.", None, {B.GIVE_INFORMATION}),
    ("If you ever decide to cut down, we'd be glad to help you with that.", None, {B.GIVE_INFORMATION}),
    ("I'd be happy to help you look at the options, whenever you want.", None, {B.GIVE_INFORMATION}),
    ("What I'd like to do today is go through the plan for next week.", None, {B.GIVE_INFORMATION}),
    ("It took something to come in today after getting that letter.", None, {B.AFFIRM}),
    ("What have you tried so far, or looked up?", None, {B.OPEN_QUESTION}),
    ("Have you tried it with any notes yet?", None, {B.CLOSED_QUESTION}),
    ("Fifty-four years together. The quiet must be very hard.", "We were married fifty-four years.",
     {B.COMPLEX_REFLECTION}),
]


@pytest.mark.parametrize(("text", "prior", "expected"), AUTHOR_CASES_INFO_AND_CONFRONT)
def test_reported_information_and_confrontation_miscodings(
    coder: Coder, text: str, prior: str | None, expected: set[B]
) -> None:
    coding = coder.code(text, prior)
    assert coding.primary in expected, coding.cues


# A risk conversation a few turns long: the client's cue is not the turn just before the question.
RISK_TALK = [
    ("client", "Sometimes I think everyone would be better off without me."),
    ("therapist", "That sounds really heavy. Have you had thoughts of ending your life?"),
    ("client", "Yeah. Most nights."),
    ("therapist", "Thank you for telling me."),
    ("client", "Mm."),
]
RISK_CONTEXT_CASES = [
    ("Have you worked out a plan?", {R.ASK_PLAN}),
    ("Have you thought about how you would do it?", {R.ASK_METHOD}),
    ("Have you worked out when or where you would do it?", {R.ASK_PLAN}),
    ("Could Carol look after your tablets for a while, so they're out of the house?", {R.SP_MEANS_SAFETY}),
    ("Could we work out together what you'd notice first, before things get that bad?", {R.SP_WARNING_SIGNS}),
    ("Who could you call if things get bad again?", {R.SP_SUPPORT}),
    ("Are there firearms on the farm?", {R.SP_MEANS_SAFETY}),
    ("Can you promise me you won't do anything to hurt yourself?", set()),  # a no-harm contract asks nothing
]


@pytest.mark.parametrize(("text", "flags"), RISK_CONTEXT_CASES)
def test_risk_questions_keep_the_context_of_earlier_turns(coder: Coder, text: str, flags: set[R]) -> None:
    assert set(coder.code(text, context=RISK_TALK).risk_flags) == flags


def test_risk_context_needs_the_conversation_not_just_the_words(coder: Coder) -> None:
    small_talk = [("client", "Work has been busy."), ("therapist", "Go on."), ("client", "Deadlines, mostly.")]
    assert coder.code("Have you worked out a plan?", context=small_talk).risk_flags == []
    assert coder.code("Have you made any plans?", "I just cannae go on like this.").risk_flags == [R.ASK_PLAN]
    assert coder.code("Have you wished you wouldn't wake up in the morning?").risk_flags == [R.ASK_WISH_DEAD]


@pytest.mark.parametrize(
    "prior",
    ["What should I do?", "What am I meant to do?", "Whit am I meant tae dae?", "What dae ye think I should dae?",
     "I dunno what tae dae.", "I just don't know what to do."],
)
def test_advice_the_client_asked_for_in_any_words_is_with_permission(coder: Coder, prior: str) -> None:
    assert coder.code("You could try going for a walk.", prior).primary == B.ADVISE_WITH_PERMISSION


def test_reading_the_record_back_is_information_then_a_question(coder: Coder) -> None:
    coding = coder.code("It says here your mood's improving and you're sleeping better. Is that right?")
    assert B.GIVE_INFORMATION in coding.behaviours and B.CLOSED_QUESTION in coding.behaviours
    assert not {B.SIMPLE_REFLECTION, B.COMPLEX_REFLECTION} & set(coding.behaviours)
    assert coder.code("I've got the summary from your last appointment here.", "Okay.").primary == B.OTHER


def test_a_reflection_hedged_with_i_think_is_still_a_reflection(coder: Coder) -> None:
    for text in ("I think you're worried about what she'll say.", "I guess part of you wants to stop."):
        assert coder.code(text, "She'll go mad if she finds out.").primary in (
            B.SIMPLE_REFLECTION, B.COMPLEX_REFLECTION), text


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("Could we work it out together?", "work"),
        ("Would you be willing to work on a safety plan with me?", "work"),
        ("We could keep working through the steps.", "work"),
        ("Let's see how well it works.", "work"),
        ("You worked it out yourself.", "work"),
        ("You might cut yourself off from friends.", "self_harm"),
        ("You've been cutting down on the drink.", "self_harm"),
        ("Shall we write down a few ideas?", "mood"),
        ("They sent you home from A and E.", "family"),
        ("You're thinking about giving up smoking.", "hopelessness"),
    ],
)
def test_everyday_phrases_do_not_raise_a_topic(coder: Coder, text: str, absent: str) -> None:
    assert absent not in coder.code(text).topics


def test_the_topic_words_still_count_outside_those_phrases(coder: Coder) -> None:
    assert "work" in coder.code("How are things at work? Let's work it out.").topics
    assert "work" in coder.code("Do you work on a farm?").topics
    assert "self_harm" in coder.code("Have you been cutting yourself?").topics
    assert "mood" in coder.code("You've been feeling down.").topics
    assert "family" in coder.code("Things at home are tense.").topics
    assert "hopelessness" in coder.code("Do you feel like giving up?").topics


def test_reassurance_about_fault_is_not_blame(coder: Coder) -> None:
    for text in ("It's not your fault.", "None of this was your fault, you know.", "It wasn't your fault."):
        assert B.CONFRONT not in coder.code(text).behaviours, text
    assert B.CONFRONT in coder.code("It's your own fault.").behaviours


def test_praise_words_inside_a_question_do_not_affirm(coder: Coder) -> None:
    assert B.AFFIRM not in coder.code("What have you managed to do so far?").behaviours
    assert B.AFFIRM in coder.code("You've worked really hard on this, haven't you?").behaviours


def test_together_alone_is_not_seeking_collaboration(coder: Coder) -> None:
    assert B.SEEK_COLLABORATION not in coder.code("You were together for thirty years.").behaviours
    assert B.SEEK_COLLABORATION in coder.code("Maybe we could work this out together.").behaviours


def test_own_fault_is_confront_only(coder: Coder) -> None:
    assert coder.code("it is your own fault").behaviours == [B.CONFRONT]


def test_three_part_summary_is_complex(coder: Coder) -> None:
    coding = coder.code(
        "So you want to feel better in the mornings, you want your partner off your back, and you've cut down "
        "before.",
        "I want to feel better in the mornings and I want my partner off my back.",
    )
    assert coding.primary == B.COMPLEX_REFLECTION
    assert coding.cues[0].rule == "reflection_summary"


def test_yes_but_that_agrees_is_not_a_confrontation(coder: Coder) -> None:
    assert B.CONFRONT not in coder.code("Yeah, but on the other hand part of you wants a change.").behaviours


def test_fact_seeking_wh_questions_are_closed(coder: Coder) -> None:
    for text in ("How often do you drink?", "When did you start?", "How many cigarettes a day?"):
        assert coder.code(text).primary == B.CLOSED_QUESTION, text
    assert coder.code("How has drinking affected your work?").primary == B.OPEN_QUESTION
    assert coder.code("Would you mind filling me in on what happened?").primary == B.OPEN_QUESTION
    assert coder.code("Is there anything else you like about it?").primary == B.OPEN_QUESTION


def test_back_channel_with_a_rising_tone_is_not_a_question(coder: Coder) -> None:
    assert coder.code("Yeah?").primary == B.OTHER


def test_context_skips_back_channels_to_find_what_was_reflected(coder: Coder) -> None:
    context = [("client", "I've been drinking every night since the divorce."), ("therapist", "Go on."),
               ("client", "Mm-hmm.")]
    with_context = coder.code("You've been drinking every night since the divorce.", context=context)
    assert with_context.primary == B.SIMPLE_REFLECTION
    assert with_context.cues[0].rule == "reflection_repeats_client"
    # an explicit prior still wins over the context
    other = coder.code("You've been drinking every night since the divorce.", "Mm-hmm.", context=context)
    assert other.cues[0].rule != "reflection_repeats_client"


def test_code_command_annomi_scheme(app: typer.Typer, tmp_path: Path) -> None:
    import csv
    import io

    src = tmp_path / "annomi-like.csv"
    src.write_text(
        "transcript_id,interlocutor,utterance_text\n"
        "7,therapist,What brings you in today?\n"
        "7,client,I want to cut down on my drinking.\n"
        "7,therapist,You want to cut down.\n"
        "7,therapist,Many people find their sleep improves when they drink less.\n"
        "7,therapist,How often do you drink?\n"
        "7,client,I don't think it's a problem.\n"
        "7,therapist,Okay.\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["code", str(src), "--scheme", "annomi"])
    assert result.exit_code == 0, result.output
    rows = _jsonl(result.stdout)
    assert [r["annomi_behaviour"] for r in rows] == [
        "question", None, "reflection", "therapist_input", "question", None, "other"
    ]
    assert rows[0]["question_subtype"] == "open" and rows[4]["question_subtype"] == "closed"
    assert rows[2]["reflection_subtype"] == "simple"
    assert rows[3]["input_subtype"] == "information"
    assert [rows[1]["client_talk_type"], rows[5]["client_talk_type"]] == ["change", "sustain"]
    assert rows[0]["client_talk_type"] is None and rows[1]["question_subtype"] is None
    out = CliRunner().invoke(app, ["code", str(src), "--scheme", "annomi", "--format", "csv"])
    table = list(csv.DictReader(io.StringIO(out.stdout)))
    assert table[2]["annomi_behaviour"] == "reflection" and table[1]["client_talk_type"] == "change"
    bad = CliRunner().invoke(app, ["code", str(src), "--scheme", "misc"])
    assert bad.exit_code == 1 and "unknown --scheme" in bad.stderr


def test_default_scheme_output_is_unchanged(app: typer.Typer, tmp_path: Path) -> None:
    src = tmp_path / "t.csv"
    src.write_text("text\nTell me more.\n", encoding="utf-8")
    row = _jsonl(CliRunner().invoke(app, ["code", str(src)]).stdout)[0]
    assert "annomi_behaviour" not in row and row["primary"] == "open_question"


# ------------------------------------------------------------------------------------------------------------
# Information, lecturing and reflections said with a question mark
# ------------------------------------------------------------------------------------------------------------

INFORMATION_CASES = [
    "Research shows that regular exercise lifts mood within a few weeks.",
    "Smoking can also cause gum disease and staining.",
    "Most people who drink heavily at weekends sleep worse during the week.",
    "The guideline is no more than fourteen units a week.",
    "Heavy drinking is linked to high blood pressure.",
    "I'm concerned about how often you've been missing your tablets.",
    "As your nurse, I want you to know the clinic is open on Saturdays.",
    "We'll book a follow-up appointment for next month.",
    "You can take it with or without food.",
    "The side effects usually settle down after a week or two.",
]


@pytest.mark.parametrize("text", INFORMATION_CASES)
def test_information_markers(coder: Coder, text: str) -> None:
    coding = coder.code(text, "I don't know much about it.")
    assert coding.primary == B.GIVE_INFORMATION, (text, coding.cues)


def test_you_statements_inside_a_lecture_are_information_not_reflections(coder: Coder) -> None:
    prior = "I only smoke on the balcony, so it's fine."
    lecture = coder.analyse(
        "Your cough has got worse this year. Smoke on your clothes can still trigger her asthma.", prior
    )
    assert lecture.coding.behaviours == [B.GIVE_INFORMATION], lecture.coding.cues
    assert not lecture.sentences[0].reflection and B.GIVE_INFORMATION in lecture.sentences[0].codes
    # the same kind of "you…" sentence, picking up the client's words, is still a reflection
    echo = coder.code(
        "You only smoke on the balcony. Smoke on your clothes can still trigger her asthma.", prior
    )
    assert any(b in (B.SIMPLE_REFLECTION, B.COMPLEX_REFLECTION) for b in echo.behaviours), echo.cues
    # and on its own, with nothing to inform about, it reflects
    alone = coder.code("Your cough has got worse this year.", prior)
    assert alone.primary in (B.SIMPLE_REFLECTION, B.COMPLEX_REFLECTION)


def test_a_reflective_opening_neither_advises_nor_informs(coder: Coder) -> None:
    coding = coder.code("You feel you should be able to sort this out on your own.", "I should cope alone.")
    assert B.PERSUADE not in coding.behaviours and B.GIVE_INFORMATION not in coding.behaviours
    assert coding.primary in (B.SIMPLE_REFLECTION, B.COMPLEX_REFLECTION)
    assert coder.code("You must be exhausted.").primary != B.PERSUADE


@pytest.mark.parametrize(
    "text",
    [
        "If the pain comes back, call your doctor straight away.",
        "We need to get your blood sugar down before the summer.",
        "I'd switch to decaf after lunch if I were in your shoes.",
        "Don't you know what happens when people drive after drinking?",
    ],
)
def test_advice_in_other_forms_is_persuade(coder: Coder, text: str) -> None:
    assert coder.code(text).primary == B.PERSUADE, coder.code(text).cues


def test_complex_reflection_with_a_rising_tone_is_a_reflection(coder: Coder) -> None:
    prior = "I love the nights out, but I hate how I feel on Sundays."
    coding = coder.code("So part of you enjoys the nights out, and part of you dreads the Sundays?", prior)
    assert coding.primary == B.COMPLEX_REFLECTION
    assert B.CLOSED_QUESTION not in coding.behaviours
    # a plain check of a fact said with a rising tone stays a closed question
    assert coder.code("So you go out every Friday?", prior).primary == B.CLOSED_QUESTION


def test_disfluencies_do_not_hide_the_structure(coder: Coder) -> None:
    assert coder.code("Wh-what happened, um, after that?").primary == B.OPEN_QUESTION
    assert coder.code("We, uh, will need to, uh, cut the sugar right down.").primary == B.PERSUADE


def test_statements_opening_with_a_wh_word_or_an_auxiliary(coder: Coder) -> None:
    assert coder.code("What most people find is that the first week is the hardest.").primary == (
        B.GIVE_INFORMATION
    )
    assert B.CLOSED_QUESTION not in coder.code("Don't forget the appointment on Friday.").behaviours
    assert coder.code("do you sleep ok").primary == B.CLOSED_QUESTION  # typed without a question mark


def test_scale_questions_are_closed_and_embedded_wh_questions_open(coder: Coder) -> None:
    assert coder.code("On a scale from 0 to 10, where would you put yourself?").primary == B.CLOSED_QUESTION
    assert coder.code("On a scale from 0 to 10, how ready are you to stop?").primary == B.CLOSED_QUESTION
    ruler = "Zero being not at all and ten very. How important is it to you?"
    assert coder.code(ruler).primary == B.CLOSED_QUESTION
    assert coder.code("On a scale of 0 to 10, how low has your mood been?").primary == B.CLOSED_QUESTION
    assert coder.code("How low has your mood been?").primary == B.OPEN_QUESTION
    assert coder.code("How important is it to you to cut down?").primary == B.OPEN_QUESTION
    assert coder.code("Why a six and not a three?").primary == B.OPEN_QUESTION
    assert (
        coder.code("So on a scale of 1 to 10, which number best fits how ready you are?").primary
        == B.CLOSED_QUESTION
    )
    assert coder.code("I'm wondering about what might make it easier?").primary == B.OPEN_QUESTION
    assert coder.code("Well, Sam, tell me a bit more about that.").primary == B.OPEN_QUESTION


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # An amount or a place is asked for wherever the wh-word stands, and after a hedge.
        ("On a normal night, how much do you drink?", B.CLOSED_QUESTION),
        ("And on a work day, how much do you-- how many cans would you say you have?", B.CLOSED_QUESTION),
        ("So about how many cigarettes is that?", B.CLOSED_QUESTION),
        ("Roughly how often does that happen?", B.CLOSED_QUESTION),
        ("Where are the forms now?", B.CLOSED_QUESTION),
        # Where things stand is a judgement, not a place.
        ("So, with all these changes, where is the drinking fitting into that now?", B.OPEN_QUESTION),
        ("Where is it going to take you?", B.OPEN_QUESTION),
        ("Where are you with all this?", B.OPEN_QUESTION),
        ("Thinking about it now, what would be different?", B.OPEN_QUESTION),
    ],
)
def test_fact_questions_are_closed_wherever_the_wh_word_stands(
    coder: Coder, text: str, expected: B
) -> None:
    assert coder.code(text).primary == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Without a verb, a wh-question asks only for the name of a thing or a person.
        ("Oh, lovely. What kind of dog?", B.CLOSED_QUESTION),
        ("Who, your sisters?", B.CLOSED_QUESTION),
        ("Who-who, your mum?", B.CLOSED_QUESTION),
        ("What kind of things help you unwind?", B.OPEN_QUESTION),
        # Sharing and saying: an invitation to tell the story is open; a yes/no request is closed.
        ("Maybe we could start with you sharing a little bit about what brings you in?", B.OPEN_QUESTION),
        ("Can you share with me what happened that night?", B.OPEN_QUESTION),
        ("Could you say more about that?", B.OPEN_QUESTION),
        ("Would you share that with your GP?", B.CLOSED_QUESTION),
        ("Would you say you drink more than most of your friends?", B.CLOSED_QUESTION),
    ],
)
def test_naming_questions_and_invitations_to_share(coder: Coder, text: str, expected: B) -> None:
    assert coder.code(text).primary == expected


def test_normalising_lead_in_to_a_risk_question_is_part_of_the_question(coder: Coder) -> None:
    coding = coder.code(
        "When things get this hard, some people think about ending their life. "
        "Have you had thoughts like that?"
    )
    assert B.GIVE_INFORMATION not in coding.behaviours
    assert coding.primary == B.CLOSED_QUESTION
    assert R.ASK_SUICIDAL_THOUGHTS in coding.risk_flags


def test_nothing_to_reflect_before_the_client_speaks(coder: Coder) -> None:
    opening = "You came in today to talk about your sleep."
    first = coder.analyse(opening, context=[]).coding
    assert first.primary not in (B.SIMPLE_REFLECTION, B.COMPLEX_REFLECTION)
    later = coder.analyse(opening, context=[("client", "I can't sleep since the move.")])
    assert later.coding.primary in (B.SIMPLE_REFLECTION, B.COMPLEX_REFLECTION)


def test_continuation_of_an_interrupted_turn(coder: Coder) -> None:
    context = [
        ("therapist", "Smoking can also affect how well your gums heal after the extraction,"),
        ("client", "Right."),
    ]
    fragment = coder.analyse("-and the rest of your mouth too.", context=context)
    assert fragment.continues is not None
    assert B.GIVE_INFORMATION in fragment.continues.coding.behaviours
    assert fragment.coding.primary not in (B.SIMPLE_REFLECTION, B.COMPLEX_REFLECTION)
    # without context there is nothing to continue
    assert coder.analyse("-and the rest of your mouth too.").continues is None


def test_an_invitation_to_do_the_task_with_me_seeks_collaboration(coder: Coder) -> None:
    for text in (
        "Would you be willing to work on a safety plan with me?",
        "Are you willing to go through the steps with me?",
    ):
        assert B.SEEK_COLLABORATION in coder.code(text).behaviours, text
    assert B.SEEK_COLLABORATION not in coder.code("Would you like to talk to me about it?").behaviours


def test_what_keeps_you_going_asks_about_support(coder: Coder) -> None:
    for text in ("What keeps you going at the moment?", "What are your reasons for living?"):
        assert "support" in coder.code(text).topics, text
    assert "support" not in coder.code("Keep going with that thought.").topics


def test_questions_about_work_keep_the_work_topic(coder: Coder) -> None:
    for text in ("What has work been like for you lately?", "How is work?", "Which work do you do?"):
        assert "work" in coder.code(text).topics, text


def test_seems_like_it_would_be_hard_is_a_reflection_but_a_good_idea_is_a_verdict(coder: Coder) -> None:
    prior = "I don't know. Every time I try, it falls apart."
    assert coder.code("It seems like it would be quite a hard pattern to change.", prior).primary in (
        B.SIMPLE_REFLECTION, B.COMPLEX_REFLECTION)
    assert coder.code("That sounds like it would be a good idea.", prior).primary == B.OTHER
    said = coder.code("I'm wondering about the other world, and you're saying it doesn't look attractive.", prior)
    assert said.primary in (B.SIMPLE_REFLECTION, B.COMPLEX_REFLECTION)


def test_invitations_in_other_words_are_open_questions_not_advice(coder: Coder) -> None:
    for text in ("Why don't you fill me in on what's been happening since last time?",
                 "So catch me up on how the week went."):
        coding = coder.code(text)
        assert coding.primary == B.OPEN_QUESTION and B.PERSUADE not in coding.behaviours, text
    # asking about experience is a question; naming a remedy is a suggestion
    assert B.PERSUADE not in coder.code("Have you ever tried not drinking for a week?").behaviours
    assert B.PERSUADE in coder.code("Have you tried nicotine patches?").behaviours


@pytest.mark.parametrize(
    "text",
    [
        "I'd love to share with you that every week without a drink gives your liver a rest.",
        "We don't really recommend that.",
        "The idea is you would use the patch to stop completely.",
        "Something else you might not know about caffeine is that it stays in the body for hours.",
        "That's pretty unlikely with a cold.",
        "You would be a good candidate for the group.",
        "So here, it looks like you wrote that you smoke most days.",
        "It shows you how much air your lungs hold.",
        "Caffeine is a stimulant.",
        "We see very little weight gain with it.",
        "And if you need more information, we can get that for you.",
    ],
)
def test_explaining_what_a_treatment_is_for_and_reading_back_a_form_is_information(
    coder: Coder, text: str
) -> None:
    assert coder.code(text, "I'm not sure about any of it.").primary == B.GIVE_INFORMATION


def test_what_you_need_to_do_is_advice(coder: Coder) -> None:
    assert coder.code("Perhaps what you really need to do is rest for a few days.").primary == B.PERSUADE


@pytest.mark.parametrize(
    "text",
    [
        "Okay, and so I guess, you know, what would you like to do now?",
        "Okay, I mean what do you think the next step is?",
        "Can I ask you, uh, what do you like about drinking?",
        "So when are you thinking you might want to start?",
        "When was a time you stuck with something hard?",
    ],
)
def test_wh_questions_after_a_spoken_lead_in_or_asking_for_a_judgement_are_open(
    coder: Coder, text: str
) -> None:
    behaviours = coder.code(text).behaviours
    assert B.OPEN_QUESTION in behaviours and B.CLOSED_QUESTION not in behaviours


def test_when_did_asks_for_a_fact(coder: Coder) -> None:
    assert coder.code("When did you last have a drink?").primary == B.CLOSED_QUESTION


def test_quoted_questions_and_you_know_what_are_not_the_trainees_questions(coder: Coder) -> None:
    quoted = coder.code('So some nights you think, "Oh no. What if it happens again?"', "I panic at night.")
    assert B.OPEN_QUESTION not in quoted.behaviours and B.CLOSED_QUESTION not in quoted.behaviours
    lead = coder.code("You know what? It seems like things have been hard lately.", "It's been a bad month.")
    assert lead.primary in (B.SIMPLE_REFLECTION, B.COMPLEX_REFLECTION)
    assert B.CLOSED_QUESTION not in lead.behaviours
    # A quotation the trainee opens inside their own question is still their question, and so is a question
    # inside a quotation that nothing gives to the client.
    assert coder.code('What would make you say, "This is not for me?"').primary == B.OPEN_QUESTION
    suggested = coder.code('Try this: "It sounds like she cares. What would it be like to tell her?"', "She rang.")
    assert B.OPEN_QUESTION in suggested.behaviours
    inner = coder.code('And part of you is saying, "Enough. Why do I keep doing this?"', "I hate it.")
    assert B.OPEN_QUESTION not in inner.behaviours


@pytest.mark.parametrize(
    "text",
    [
        "You did really well talking with me today.",
        "You put that so well.",
        "You're already taking a big step by coming in.",
        "It's great that you can see the pattern.",
    ],
)
def test_praise_for_what_the_client_did_is_an_affirmation(coder: Coder, text: str) -> None:
    coding = coder.code(text, "I think I can do it.")
    assert B.AFFIRM in coding.behaviours
    assert not {B.SIMPLE_REFLECTION, B.COMPLEX_REFLECTION} & set(coding.behaviours)


@pytest.mark.parametrize("text", ["Okay. That sounds good.", "Good luck with the exam.", "My pleasure."])
def test_verdicts_and_pleasantries_are_not_reflections(coder: Coder, text: str) -> None:
    assert coder.code(text, "I'll try the exam on Friday.").primary == B.OTHER


def test_recall_questions_in_yes_no_form_are_open(coder: Coder) -> None:
    for text in (
        "Is there anything about drinking that worries you?",
        "Have there been times when you cut back?",
        "Are there any things you would change?",
    ):
        assert coder.code(text).primary == B.OPEN_QUESTION, text
    offers = ("Is there anything I can do to help?", "Is there anything that I could help with?")
    for text in (*offers, "Are there any questions?"):
        assert coder.code(text).primary == B.CLOSED_QUESTION, text


def test_reflections_after_i_mean_or_i_can_tell(coder: Coder) -> None:
    prior = "I just feel calmer when I've had a drink."
    for text in (
        "I mean it sounds like it helps you relax.",
        "I can tell you're getting anxious about that day.",
    ):
        assert coder.code(text, prior).primary in (B.SIMPLE_REFLECTION, B.COMPLEX_REFLECTION), text


def test_the_people_around_the_client_are_not_population_facts(coder: Coder) -> None:
    reflection = coder.code("You've got a lot of people around you who still drink.", "All my mates drink.")
    assert B.GIVE_INFORMATION not in reflection.behaviours
    assert B.GIVE_INFORMATION in coder.code("A lot of people find the first week the hardest.").behaviours
    assert B.GIVE_INFORMATION in coder.code("Many students in your position apply for an extension.").behaviours


def test_asking_leave_to_talk_is_closed_and_inviting_the_client_to_talk_is_open(coder: Coder) -> None:
    for text in (
        "Would you mind if we talked a little bit about the inhaler?",
        "Can we take a minute to talk about the form?",
        "Is it okay if I share some information with you?",
    ):
        assert B.CLOSED_QUESTION in coder.code(text).behaviours, text
    for text in (
        "Can you tell me about the form?",
        "Would you mind telling me more?",
        "Could you tell me more?",
    ):
        assert coder.code(text).primary == B.OPEN_QUESTION, text


@pytest.mark.parametrize(
    "text",
    [
        "So the idea is you would cut down during the week and keep Saturdays.",
        "The point is you want to feel in control again.",
        "It is rare for you to feel this low, then.",
        "What you have to do is hard, I know.",
    ],
)
def test_giving_back_the_clients_plan_is_not_information_or_advice(coder: Coder, text: str) -> None:
    coding = coder.code(text, "I want to cut down in the week but keep Saturdays. I want to feel in control.")
    assert coding.primary in (B.SIMPLE_REFLECTION, B.COMPLEX_REFLECTION)


def test_praise_is_not_read_into_other_phrases(coder: Coder) -> None:
    assert B.GIVE_INFORMATION not in coder.code("That shows how much you care about her.").behaviours
    assert B.AFFIRM not in coder.code("You are taking a step back from it?", "I'm stepping back.").behaviours
