"""The built-in lab library: it loads, covers every failure mode and challenge, keeps its safety rules, and the
``mhsim lab`` commands work on it."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from simulator.codes import Challenge
from simulator.lab.case import SUFFIX, Speaker, normalise
from simulator.lab.exercises import reply_met_share, score_reply
from simulator.lab.library import LabLibrary
from simulator.lab.redact import find_specifics
from simulator.lab.taxonomy import FailureMode

from .conftest import ROOT

runner = CliRunner()


@pytest.fixture(scope="module")
def library() -> LabLibrary:
    return LabLibrary.discover()


def test_every_builtin_case_loads(library: LabLibrary) -> None:
    assert not library.broken, [str(p) for e in library.broken for p in e.problems]
    assert not library.conflicts()
    assert 20 <= len(library.cases) <= 24


def test_every_failure_mode_is_planted_and_every_challenge_is_covered_twice(library: LabLibrary) -> None:
    planted = {f.mode for c in library.cases for f in c.failures}
    assert planted == set(FailureMode), f"not planted: {sorted(set(FailureMode) - planted)}"
    per_challenge = Counter(ch for c in library.cases for ch in set(c.challenges))
    assert {ch: per_challenge[ch] for ch in Challenge if per_challenge[ch] < 2} == {}


def test_every_exercise_has_cases(library: LabLibrary) -> None:
    for exercise in ("spot", "inbox", "regenerate", "vendor_update", "procurement", "probe"):
        assert library.for_exercise(exercise), exercise
    vendor = library.for_exercise("vendor_update")[0]
    assert len(vendor.vendor_update.versions) == 2


def test_the_counterfactual_pair_differs_only_in_name_and_dialect(library: LabLibrary) -> None:
    pairs = [c for c in library.cases if c.counterfactual_of]
    assert pairs
    a = pairs[0]
    b = library.pair(a)
    assert b is not None and library.pair(b) is not None and library.pair(b).id == a.id
    pa, pb = a.context.patient, b.context.patient
    assert pa.name != pb.name and pa.dialect != pb.dialect
    assert (pa.age, pa.pronouns, pa.background) == (pb.age, pb.pronouns, pb.background)
    assert (a.context.setting, a.context.task, a.tool) == (b.context.setting, b.context.task, b.tool)
    # Same patient message apart from the name and dialect: the same length give or take, same turn structure.
    assert [(t.id, t.speaker) for t in a.transcript] == [(t.id, t.speaker) for t in b.transcript]
    assert {bool(a.failures), bool(b.failures)} == {True, False}, "one baseline, one with the planted bias"


def test_no_case_contains_unredacted_specifics_or_a_phone_number(library: LabLibrary) -> None:
    # Docket and case numbers ("FDA-2025-N-2338") are hyphen-joined; a bare run of digits would be a phone number.
    phone = re.compile(r"(?<![-\w])(?:\d{3}[ -]?\d{3}[ -]?\d{4}|\d{4,})\b(?![-.]\d)")
    for path in sorted((ROOT / "labs").glob(f"*{SUFFIX}")):
        text = path.read_text(encoding="utf-8")
        body = re.sub(r"https?://\S+", "", text)
        assert not find_specifics(body), (path.name, find_specifics(body)[:1])
        numbers = [m.group(0) for m in phone.finditer(body) if not re.fullmatch(r"(19|20)\d\d", m.group(0))]
        assert numbers == [], (path.name, numbers)


def test_every_case_cites_a_real_world_source_and_frames_lawsuits_as_allegations(library: LabLibrary) -> None:
    for case in library.cases:
        assert case.mirrors and all(c.sources for c in case.mirrors), case.id
        for citation in case.mirrors:
            if citation.kind.value == "lawsuit":
                assert "alleg" in citation.what_happened.lower(), case.id


def test_people_are_fictional_and_labelled_so(library: LabLibrary) -> None:
    for case in library.cases:
        assert "fictional" in case.tool.name.lower() or case.exercise.value == "procurement", case.id
        p = case.context.patient
        if p is not None and p.background:
            assert p.background.lower().startswith("fictional"), case.id


def test_builtin_reply_exemplars_do_well_on_their_own_items(library: LabLibrary) -> None:
    tasks = [c for c in library.cases if c.reply_task is not None]
    assert len(tasks) >= 4
    for case in tasks:
        reply = score_reply(case, normalise(case.reply_task.exemplar))
        assert reply_met_share(reply) == 1.0, (
            case.id,
            [(i.item_id, i.status) for r in reply.score.rubrics for i in r.items],
        )


def test_reply_tasks_answer_patient_words(library: LabLibrary) -> None:
    for case in library.cases:
        if case.reply_task and case.transcript:
            turn = next(t for t in case.transcript if t.id == case.reply_task.reply_to)
            assert turn.speaker is Speaker.PATIENT


def test_user_lab_folder_is_searched_after_the_builtins(mhsim_home: Path, library: LabLibrary) -> None:
    folder = mhsim_home / "labs"
    folder.mkdir()
    source = (ROOT / "labs" / "companion-goodbye.lab.yaml").read_text(encoding="utf-8")
    (folder / "mine.lab.yaml").write_text(
        source.replace("id: companion-goodbye", "id: my-goodbye"), encoding="utf-8"
    )
    (folder / "broken.lab.yaml").write_text("schema_version: 1\nid: broken\n", encoding="utf-8")
    found = LabLibrary.discover()
    assert "my-goodbye" in {c.id for c in found.cases}
    assert [e.path.name for e in found.broken] == ["broken.lab.yaml"]
    assert not next(e for e in found.entries if e.path.name == "mine.lab.yaml").builtin


# --------------------------------------------------------------------------------------------------- CLI


def test_cli_validate_lists_problems_as_file_line_col(tmp_path: Path) -> None:
    ok = runner.invoke(app, ["lab", "validate"])
    assert ok.exit_code == 0, ok.output
    one_of_a_pair = runner.invoke(app, ["lab", "validate", str(ROOT / "labs" / "swap-test-lakisha.lab.yaml")])
    assert one_of_a_pair.exit_code == 0, one_of_a_pair.output  # its partner is found in the library
    bad = tmp_path / "bad.lab.yaml"
    source = (ROOT / "labs" / "companion-goodbye.lab.yaml").read_text(encoding="utf-8")
    bad.write_text(
        source.replace('span: "Nobody understands you like I do"', 'span: "Nobody gets you"'),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["lab", "validate", str(bad)])
    assert result.exit_code == 1
    assert re.search(rf"{re.escape(str(bad))}:\d+:\d+: span is not in turn 'a1'", result.output)
    assert "Traceback" not in result.output


def test_cli_list_json_and_schema() -> None:
    listed = json.loads(runner.invoke(app, ["lab", "list", "--json", "--exercise", "inbox"]).output)
    assert {c["id"] for c in listed["cases"]} == {"inbox-monday-portal", "inbox-friday-notes"}
    assert listed["broken"] == []
    schema = json.loads(runner.invoke(app, ["lab", "schema"]).output)
    assert schema["title"] == "mhsim lab case (format v1)"
    unknown = runner.invoke(app, ["lab", "list", "--exercise", "quiz"])
    assert unknown.exit_code == 1 and "Unknown exercise" in unknown.output


def test_new_lab_case_writes_a_valid_commented_starter(mhsim_home: Path) -> None:
    result = runner.invoke(app, ["new", "lab-case", "My First Case"])
    assert result.exit_code == 0, result.output
    path = mhsim_home / "labs" / "my-first-case.lab.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=lab.schema.json\n")
    assert (mhsim_home / "labs" / "lab.schema.json").exists()
    check = runner.invoke(app, ["lab", "validate", str(path)])
    assert check.exit_code == 0, check.output
    again = runner.invoke(app, ["new", "lab-case", "My First Case"])
    assert again.exit_code == 1 and "already exists" in again.output
    clash = runner.invoke(
        app, ["new", "lab-case", "companion-goodbye", "--dir", str(mhsim_home / "elsewhere")]
    )
    assert clash.exit_code == 1 and "already used" in clash.output


def test_live_probe_without_a_model_says_how_to_configure_one() -> None:
    result = runner.invoke(app, ["lab", "run"])
    assert result.exit_code == 1
    assert "No language model is configured" in result.output and "model: ollama/llama3.2" in result.output


def test_lab_core_and_commands_import_neither_textual_nor_litellm(mhsim_home: Path) -> None:
    import os
    import subprocess
    import sys

    probe = (
        "import json, sys\n"
        "import simulator.lab.case, simulator.lab.library, simulator.lab.exercises, simulator.lab.report\n"
        "import simulator.lab.probe, simulator.lab.debrief, simulator.lab.redact\n"
        "from typer.testing import CliRunner\n"
        "from cli import app\n"
        "for args in (['lab', 'validate'], ['lab', 'list'], ['lab', 'history']):\n"
        "    assert CliRunner().invoke(app, args).exit_code == 0, args\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & {'textual', 'litellm', 'openai'})))\n"
    )
    env = {**os.environ, "MHSIM_HOME": str(mhsim_home)}
    out = subprocess.run(
        [sys.executable, "-c", probe],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
