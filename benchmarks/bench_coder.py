"""Coder throughput: utterances per second on one core, on a realistic mix of generated trainee lines.

Run as a script (``python benchmarks/bench_coder.py``) or call :func:`run`, which returns
``(metric, value, target)`` rows for the benchmark table printer.

The lines are generated from templates (no corpus text is shipped): questions, reflections with a client
prior, affirmations, advice with and without permission, confrontations, information, small talk, and
suicide-risk and safety-planning moves, in roughly the proportions a training session produces.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script from anywhere
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simulator.coding import CODER_VERSION, Coder

TARGET_PER_SECOND = 5_000
N_LINES = 2_000
REPEATS = 5

_TOPICS = [
    "your drinking",
    "work",
    "your sleep",
    "things at home",
    "your mood",
    "the medication",
    "your partner",
    "money worries",
    "the panic attacks",
    "your mum",
    "smoking",
    "the future",
    "your studies",
    "the gym",
]
_FEELINGS = [
    "worn out",
    "let down",
    "on edge",
    "stuck",
    "lonely",
    "angry",
    "hopeless",
    "anxious",
    "numb",
    "guilty",
]
_ACTIONS = [
    "cut down",
    "talk to someone",
    "go for a walk",
    "get more sleep",
    "try the app",
    "see your GP",
    "take the tablets",
    "stop drinking",
    "keep a diary",
    "join a group",
]
_PRIORS = [
    "I just can't be bothered with anything any more.",
    "Work has been really stressful and I'm not sleeping.",
    "I drink a bit more than I should at weekends, but everyone does.",
    "My partner keeps going on at me about it.",
    "I don't know, I feel like I'm letting everyone down.",
    "Sometimes I think everyone would be better off without me.",
    "I've tried to stop before and it never lasts.",
    "I'm fine, honestly. It's just been a rough few weeks.",
    "I haven't told anyone about this.",
    "The tablets made me feel weird so I stopped them.",
]
_TEMPLATES = [
    # open questions
    (8, "What brings you here today?"),
    (8, "How have things been with {t} lately?"),
    (6, "Tell me more about {t}."),
    (5, "What would you like to be different about {t}?"),
    (4, "How does {t} affect the rest of your week?"),
    (3, "What else is going on for you?"),
    (3, "Can you describe a typical day for me?"),
    # closed questions
    (7, "Do you drink every day?"),
    (5, "Have you talked to anyone about {t}?"),
    (4, "Is it worse in the mornings or the evenings?"),
    (4, "Are you sleeping at all?"),
    (3, "Did you take the tablets this week?"),
    # reflections
    (8, "It sounds like you've been feeling really {f}."),
    (6, "So {t} has been getting on top of you."),
    (5, "You're feeling {f} and you're not sure where to start."),
    (4, "On the one hand {t} helps you relax, and on the other hand you're worried about it."),
    (4, "Part of you wants to {a}, and part of you isn't ready yet."),
    (3, "It's like you're carrying all of this on your own."),
    (4, "You've been feeling {f}. What's that been like for you?"),
    # affirm, autonomy, seek
    (4, "You've worked really hard to {a} this month."),
    (3, "It took a lot of courage to come in and talk about this."),
    (3, "It's your choice what you do next, and I'll support you either way."),
    (3, "What do you think would help?"),
    (3, "Would it be okay if I shared some information about {t}?"),
    (2, "How would you like to spend our time together today?"),
    # information and advice
    (3, "Many people notice their mood dips when they sleep badly."),
    (2, "What you tell me stays confidential unless I'm worried about your safety."),
    (3, "If you're interested, some people find it helps to {a}."),
    (4, "You should {a}."),
    (3, "You really need to {a}, it's important."),
    (3, "Why don't you just {a}?"),
    (2, "Have you tried keeping a diary?"),
    # confront and small talk
    (2, "You're in denial about {t}."),
    (2, "That's a bit irresponsible, isn't it?"),
    (5, "Okay."),
    (4, "Mm-hmm."),
    (2, "Hi, I'm Sam, one of the nurses here. Thanks for coming in."),
    (2, "Great job!"),
    # risk and safety planning
    (2, "Have you ever wished you were dead or wished you could go to sleep and not wake up?"),
    (2, "Have you had any thoughts of killing yourself?"),
    (1, "Have you thought about how you would do this?"),
    (1, "Do you think you would act on these thoughts?"),
    (1, "Have you worked out the details of when or where you would do it?"),
    (1, "Have you ever done anything, started to do anything, or prepared to do anything to end your life?"),
    (1, "Have you had thoughts of hurting yourself?"),
    (1, "What are the warning signs that things are starting to get worse?"),
    (1, "What could you do on your own to take your mind off things when the thoughts come?"),
    (1, "Who could you call if things get really bad?"),
    (1, "Would you be willing to call the crisis line if the urges get stronger?"),
    (1, "Could we think about keeping the pills somewhere else, maybe with your sister?"),
]


def trainee_lines(n: int = N_LINES, seed: int = 7) -> list[tuple[str, str | None]]:
    """``n`` (utterance, prior client line) pairs, deterministic for a seed."""
    rng = random.Random(seed)
    weights = [w for w, _ in _TEMPLATES]
    templates = [t for _, t in _TEMPLATES]
    out: list[tuple[str, str | None]] = []
    for _ in range(n):
        template = rng.choices(templates, weights)[0]
        text = template.format(t=rng.choice(_TOPICS), f=rng.choice(_FEELINGS), a=rng.choice(_ACTIONS))
        prior = rng.choice(_PRIORS) if rng.random() < 0.85 else None
        out.append((text, prior))
    return out


def run(repeats: int = REPEATS) -> list[tuple[str, str, str]]:
    lines = trainee_lines()
    coder = Coder()
    for text, prior in lines[:200]:  # warm the regex and memo caches
        coder.code(text, prior)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for text, prior in lines:
            coder.code(text, prior)
        best = min(best, time.perf_counter() - start)
    per_second = len(lines) / best
    mean_chars = sum(len(t) for t, _ in lines) / len(lines)
    return [
        ("coder version", CODER_VERSION, ""),
        ("coder lines per run", f"{len(lines)} (mean {mean_chars:.0f} chars)", ""),
        (
            f"coder throughput (utterances/s, one core, best of {repeats})",
            f"{per_second:,.0f}",
            f">= {TARGET_PER_SECOND:,}",
        ),
        ("coder latency (µs/utterance)", f"{1e6 / per_second:.0f}", f"<= {1e6 / TARGET_PER_SECOND:.0f}"),
    ]


def main() -> None:
    for metric, value, target in run():
        print(f"{metric:<55} {value:>24} {target:>10}")


if __name__ == "__main__":
    main()
