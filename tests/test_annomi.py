"""The AnnoMI benchmark's own arithmetic, its skip when the data is absent, and the AnnoMI label mapping."""

from __future__ import annotations

import pytest

from benchmarks import annomi as bench
from simulator.coding import Coder
from simulator.label_scheme import annomi_labels


def test_metrics_by_hand():
    gold = ["question", "question", "reflection", "other"]
    pred = ["question", "reflection", "reflection", "other"]
    f1 = bench.f1_scores(gold, pred)
    assert f1["question"] == pytest.approx(2 / 3) and f1["reflection"] == pytest.approx(2 / 3)
    assert f1["other"] == 1.0 and f1["therapist_input"] == 0.0
    assert bench.kappa(gold, gold) == 1.0
    assert bench.auc([3, 4], [1, 2]) == 1.0 and bench.auc([1], [1]) == 0.5 and bench.auc([1, 2], [3]) == 0.0


def test_cluster_bootstrap_resamples_whole_transcripts():
    groups = {"a": [("x", "x")] * 5, "b": [("x", "y")] * 5}
    low, high = bench.cluster_bootstrap(groups, bench.accuracy, reps=200)
    assert 0.0 <= low <= 0.5 <= high <= 1.0
    same = {"a": [("x", "x")], "b": [("y", "y")]}
    assert bench.cluster_bootstrap(same, bench.accuracy, reps=50) == (1.0, 1.0)


def test_split_is_fixed_and_stratified():
    rows = [{"transcript_id": str(i), "mi_quality": "low" if i > 8 else "high"} for i in range(1, 13)]
    parts = bench.split_parts(rows)
    assert parts == bench.split_parts(list(reversed(rows)))
    high = [parts[str(i)] for i in range(1, 9)]
    assert high == ["A", "B1", "A", "B2", "A", "B1", "A", "B2"]
    assert sorted(parts[t] for t in ("9", "10", "11", "12")) == ["A", "A", "B1", "B2"]


def _label(utterance: str, annotator: str, behaviour: str, question: str = "") -> dict[str, str]:
    return {
        "interlocutor": "therapist", "transcript_id": "t1", "utterance_id": utterance, "annotator_id": annotator,
        "main_therapist_behaviour": behaviour, "question_subtype": question, "reflection_subtype": "",
    }


def test_expert_agreement_is_leave_one_out_and_compares_the_coder_on_the_same_utterances():
    full = [
        # Three annotators; two agree it is an open question, one calls it closed.
        _label("1", "ann1", "question", "open"), _label("1", "ann2", "question", "open"),
        _label("1", "ann3", "question", "closed"),
        # Unanimous reflection.
        _label("2", "ann1", "reflection"), _label("2", "ann2", "reflection"), _label("2", "ann3", "reflection"),
        # Labelled by one annotator only: left out of agreement altogether.
        _label("3", "ann1", "question", "closed"),
    ]
    coded = {
        ("t1", "1"): {"annomi_behaviour": "question", "question_subtype": "closed"},
        ("t1", "2"): {"annomi_behaviour": "other"},
        ("t1", "3"): {"annomi_behaviour": "question", "question_subtype": "closed"},
    }
    agreement = bench.expert_agreement(full, coded)
    main = agreement["main behaviour"]
    assert (main["judgements"], main["utterances"], main["annotators"]) == (6, 2, 3)
    assert main["experts"] == 1.0 and main["coder"] == 0.5 and main["coder_n"] == 2
    oc = agreement["open/closed"]
    # Leaving out ann1 or ann2, the other two split evenly, so neither is judged; ann3 is judged against
    # "open, open" and disagrees.
    assert (oc["judgements"], oc["experts"]) == (1, 0.0)
    assert oc["coder"] == 0.0 and oc["coder_n"] == 1
    assert agreement["simple/complex"]["judgements"] == 0
    assert "no utterance labelled by several" in "\n".join(bench.agreement_report(agreement))


def test_skips_with_a_message_when_the_data_is_absent(tmp_path, monkeypatch):
    monkeypatch.setenv("MHSIM_ANNOMI_DIR", str(tmp_path / "nowhere"))
    assert bench.measure() is None
    [(metric, message, _)] = bench.run()
    assert metric == "skipped" and "MHSIM_ANNOMI_DIR" in message


def test_annomi_mapping_of_combined_turns():
    coder = Coder()
    info_then_check = coder.analyse("Drinking can raise your blood pressure. Does that make sense?")
    assert annomi_labels(info_then_check).behaviour == "therapist_input"
    reflect_then_ask = coder.analyse("It sounds like mornings are hard. What happens then?", "Mornings are awful.")
    labels = annomi_labels(reflect_then_ask)
    assert labels.behaviour == "question" and labels.question_subtype == "open"
    assert labels.reflection_subtype in ("simple", "complex")
    assert annomi_labels(coder.analyse("Thanks for coming in.")).behaviour == "other"


def test_sentences_vote_with_their_length():
    coder = Coder()
    lecture = coder.analyse(
        "Alcohol can raise your blood pressure, and over the years it can also damage the liver and the "
        "heart. "
        "Most people who cut down see their readings improve within a couple of months. Any questions?"
    )
    assert annomi_labels(lecture).behaviour == "therapist_input"
    reflect_then_check = coder.analyse(
        "So the evenings are when the cravings are worst, and the weekends are easier. Is that right?",
        "Evenings are the worst for me. Weekends I'm fine.",
    )
    assert annomi_labels(reflect_then_check).behaviour == "reflection"


def test_a_long_reflection_leading_into_an_open_question_is_a_question():
    coder = Coder()
    prior = "I hate how it makes me act, and my daughter has started to notice, and I'm tired all the time."
    long_then_open = coder.analyse(
        "So on the one hand drinking is how you unwind after long shifts with nobody at home, and on the other "
        "hand you don't like the way it makes you act, especially now that your daughter notices. How do those "
        "two things fit together?",
        prior,
    )
    assert annomi_labels(long_then_open).behaviour == "question"
    long_then_closed = coder.analyse(
        "So on the one hand drinking is how you unwind after long shifts with nobody at home, and on the other "
        "hand you don't like the way it makes you act, especially now that your daughter notices. Do you drink "
        "every night?",
        prior,
    )
    assert annomi_labels(long_then_closed).behaviour == "reflection"


def test_proposals_and_warnings_are_input():
    coder = Coder()
    plan = annomi_labels(coder.analyse("Let's look at a plan for the next two weeks together."))
    assert plan.behaviour == "therapist_input" and plan.input_subtype == "negotiation"
    warning = annomi_labels(coder.analyse("Don't you know what happens to your lungs when you smoke?"))
    assert warning.behaviour == "therapist_input"
    assert annomi_labels(coder.analyse("What happens when you smoke?")).behaviour == "question"


def test_a_fragment_takes_the_function_of_the_turn_it_continues():
    coder = Coder()
    context = [
        ("client", "I haven't seen anyone since I moved here."),
        ("therapist", "It sounds like you've been feeling really cut off since the move,"),
        ("client", "Mm."),
    ]
    fragment = coder.analyse("-and lonely.", context=context)
    assert annomi_labels(fragment).behaviour == "reflection"
    assert annomi_labels(coder.analyse("-and lonely.")).behaviour == "other"  # nothing to continue


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I could maybe try cutting back in the evenings.", "change"),
        ("I'll give it a go this week.", "change"),
        ("There's no way I'm going back to that.", "change"),
        ("I'm not going to quit, I just want the cough sorted.", "sustain"),
        ("It's only a couple of drinks after work.", "sustain"),
        ("I don't have any plans to stop.", "sustain"),
        ("We moved here two years ago.", "neutral"),
        ("I just wanna cut down, you know, stop drinking so much.", "change"),
        ("I've been really trying not to on weeknights.", "change"),
        ("It kinda messes things up with my girlfriend.", "change"),
        ("I'm sick of waking up like that.", "change"),
        ("No, this is important to me.", "change"),
        ("Yeah, I think that's a good idea.", "change"),
        ("I guess I should call them this week.", "change"),
        ("I don't really drink that much, compared to my mates.", "sustain"),
        ("I can't see myself changing now.", "sustain"),
        ("It seems overwhelming to me.", "sustain"),
        ("I tried the patches and they didn't work.", "sustain"),
        ("It's just normal at uni to have a few.", "sustain"),
        ("I took the bus into town.", "neutral"),
    ],
)
def test_client_talk_type(text, expected):
    from simulator.talk import client_talk_type

    assert client_talk_type(text) == expected


def test_a_bare_yes_takes_its_direction_from_the_question():
    from simulator.talk import client_talk_type

    asked = [("therapist", "Do you think you could go a month without smoking?")]
    assert client_talk_type("Yeah, probably.", asked) == "change"
    assert client_talk_type("No.", asked) == "sustain"


@pytest.mark.parametrize(
    "text",
    [
        "I have to go back to work now. Thanks.",
        "The GP thought it would be a good idea for me to come.",
        "I'm not saying I'll do it, mind.",
        "I'll keep it between us.",
        "It's hard to answer like that.",
        "There's not a lot to tell.",
        "I don't want to put it on her.",
        "I'm not sure it tells you much.",
        "I could get something for the headaches, maybe?",
    ],
)
def test_everyday_lines_are_not_change_or_sustain_talk(text):
    from simulator.talk import client_talk_type

    assert client_talk_type(text) == "neutral"
