"""The judge-against-AnnoMI benchmark on a small AnnoMI-shaped file of our own, with a fake judge model.

The transcripts here are invented for the test; the real data is only ever read from the evaluation folder.
Nothing reaches the network.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from benchmarks import judge_annomi as bench

from .fake_llm import LITELLM_MARKS, FakeClient
from .fake_llm import judge_answer as answer

pytestmark = LITELLM_MARKS

GOOD = [
    ("therapist", "What brings you in today?"),
    ("client", "My drinking, I suppose. My partner is worried."),
    ("therapist", "It sounds like it matters to you what she thinks."),
    ("client", "It does. I want to cut down."),
]
POOR = [
    ("therapist", "You need to stop drinking."),
    ("client", "I don't think it's a problem."),
    ("therapist", "It is a problem. You should listen to me."),
    ("client", "Fine."),
    ("therapist", "Come back next week."),
]
COLUMNS = ["transcript_id", "mi_quality", "utterance_id", "interlocutor", "utterance_text"]


def write_dev_split(folder: Path) -> None:
    """Four transcripts (2 high, 2 low quality) in AnnoMI's columns."""
    folder.mkdir(parents=True)
    with (folder / "AnnoMI-simple.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        four = (("1", "high", GOOD), ("2", "low", POOR), ("3", "high", GOOD), ("4", "low", POOR))
        for tid, quality, lines in four:
            for i, (who, text) in enumerate(lines):
                row = {"transcript_id": tid, "mi_quality": quality, "utterance_id": i, "interlocutor": who}
                writer.writerow({**row, "utterance_text": text})


@pytest.fixture
def dev_split(tmp_path, monkeypatch, mhsim_home) -> Path:
    folder = tmp_path / "annomi-dev"
    write_dev_split(folder)
    monkeypatch.setenv("MHSIM_ANNOMI_DIR", str(folder))
    return folder


LOCAL = ["--model", "openai/judge", "--api-base", "http://127.0.0.1:9/v1"]


def test_the_judge_is_measured_against_the_quality_labels(dev_split, tmp_path, capsys) -> None:
    # The fake judge rates transcripts 1 and 3 (high quality) 4s and 5s, transcript 2 low, and declines 4.
    no_evidence = ([], [], [], [])
    high, low = json.dumps(answer((4, 5, 4, 5), no_evidence)), json.dumps(answer((2, 1, 2, 2), no_evidence))
    client = FakeClient(high, low, high, "I'm sorry, I can't rate this.", "I am unable to do that.")
    out = tmp_path / "ratings.json"
    assert bench.main([*LOCAL, "-o", str(out)], client=client) == 0
    text = capsys.readouterr().out
    assert "3 transcripts rated (2 high / 1 low MI quality), 1 not rated" in text
    assert "AUC of the mean rating   judge 1.000" in text
    assert "not rated: transcript 4: The judge model declined to rate this session (twice)" in text
    assert "not a trained MITI rater" in text
    assert "tokens in 300, out 150; cost $0.0000" in text, "the rated transcripts' calls, free on a local server"
    saved = json.loads(out.read_text(encoding="utf-8"))
    assert list(saved["failures"]) == ["4"]
    assert saved["ratings"]["1"] == dict(zip(bench.GLOBAL_NAMES, (4, 5, 4, 5)))
    assert len(client.calls) == 5, "one retry for the transcript that was not rated, none for the others"


def test_a_remote_model_needs_send(dev_split, capsys) -> None:
    client = FakeClient()
    assert bench.main(["--model", "openai/gpt-4o-mini"], client=client) == 2
    assert "Nothing was sent" in capsys.readouterr().out and client.calls == []


def test_skips_with_a_message_when_the_data_is_absent(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("MHSIM_ANNOMI_DIR", str(tmp_path / "nowhere"))
    assert bench.main(LOCAL, client=FakeClient()) == 0
    assert "MHSIM_ANNOMI_DIR" in capsys.readouterr().out


def test_a_sample_keeps_the_share_of_low_quality_transcripts() -> None:
    grouped = {str(i): [{"mi_quality": "low" if i % 5 == 0 else "high"}] for i in range(1, 21)}
    ids = bench.sample(grouped, 10)
    assert len(ids) == 10 and sum(grouped[t][0]["mi_quality"] == "low" for t in ids) == 2
    assert bench.sample(grouped, None) == sorted(grouped, key=int)


def test_spearman_by_hand() -> None:
    assert bench.spearman([1, 2, 3], [10, 20, 30]) == pytest.approx(1.0)
    assert bench.spearman([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)
    assert bench.spearman([1, 1, 2], [5, 5, 9]) == pytest.approx(1.0)


def test_no_model_or_a_broken_config_is_said_plainly(dev_split, mhsim_home, capsys) -> None:
    assert bench.main([], client=FakeClient()) == 2
    assert "No language model is configured for the judge" in capsys.readouterr().out
    (mhsim_home / "config.yaml").write_text("judge:\n  model: [1, 2\n", encoding="utf-8")
    assert bench.main(LOCAL, client=FakeClient()) == 2
    out = capsys.readouterr().out
    assert "config.yaml has problems" in out and "config.yaml:3:1" in out


def test_an_output_folder_that_does_not_exist_is_found_before_any_call(dev_split, tmp_path, capsys) -> None:
    client = FakeClient()
    assert bench.main([*LOCAL, "-o", str(tmp_path / "missing" / "r.json")], client=client) == 2
    assert "does not exist" in capsys.readouterr().out and client.calls == []
