"""The LLM judge against AnnoMI's expert quality labels: ``python -m benchmarks.judge_annomi --model M``.

Before an organisation leans on the optional LLM judge (``mhsim rubrics judge``), it can measure the model it
plans to use on transcripts whose quality experts have already labelled. For each transcript of the AnnoMI
development split (all 66, or a sample stratified by quality with ``--limit``), the judge rates the four MITI
globals exactly as it rates a session. The benchmark prints:

- how well the judge's mean rating separates high- from low-quality MI (AUC; length-controlled too, since
  length alone separates them fairly well), beside the automatic estimates on the same transcripts;
- for each global, how often the judge and the automatic estimate are within one point, and their rank
  correlation;
- how many transcripts the judge could not rate, and the tokens and cost.

It is not part of ``python -m benchmarks.run``: it calls a model, which takes time and, for a hosted model,
money. A model on this computer needs nothing more; for any other, the transcripts are sent only with
``--send`` (they are public demonstration transcripts, but the choice is yours). The data is read at run time
from the evaluation folder (see ``benchmarks.annomi``); nothing from it is stored.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as a script from anywhere
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import annomi
from simulator.llm.adapter import CallStats, Usage

GLOBAL_NAMES = ("empathy", "partnership", "cultivating_change_talk", "softening_sustain_talk")


def transcripts(rows: list[dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    """Rows grouped by transcript, in order."""
    grouped: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        grouped[row["transcript_id"]].append(row)
    return dict(grouped)


def sample(grouped: dict[str, list[dict[str, str]]], limit: int | None) -> list[str]:
    """Transcript ids to judge: all, or ``limit`` of them keeping the share of low-quality ones (id order)."""
    ids = sorted(grouped, key=int)
    if limit is None or limit >= len(ids):
        return ids
    low = [t for t in ids if grouped[t][0]["mi_quality"] == "low"]
    high = [t for t in ids if grouped[t][0]["mi_quality"] != "low"]
    n_low = max(1, round(limit * len(low) / len(ids))) if low else 0
    n_low = min(n_low, len(low), limit)
    return sorted(low[:n_low] + high[: limit - n_low], key=int)


def as_turns(rows: list[dict[str, str]]):
    """A transcript as session turns (the therapist is the trainee, the client the patient)."""
    from simulator.records import Turn

    turns = []
    trainee_turn = 0
    for i, row in enumerate(rows):
        speaker = "trainee" if row["interlocutor"] == "therapist" else "patient"
        trainee_turn += speaker == "trainee"
        turns.append(Turn(index=i, speaker=speaker, text=row["utterance_text"], trainee_turn=trainee_turn))
    return turns


def spearman(xs: list[float], ys: list[float]) -> float:
    """Spearman rank correlation (average ranks for ties); nan when either side does not vary."""

    def ranks(values: list[float]) -> list[float]:
        order = sorted(range(len(values)), key=values.__getitem__)
        out = [0.0] * len(values)
        i = 0
        while i < len(order):
            j = i
            while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
                j += 1
            for k in range(i, j + 1):
                out[order[k]] = (i + j) / 2
            i = j + 1
        return out

    rx, ry = ranks(xs), ranks(ys)
    n = len(xs)
    mx, my = sum(rx) / n, sum(ry) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(rx, ry))
    sxx = sum((a - mx) ** 2 for a in rx)
    syy = sum((b - my) ** 2 for b in ry)
    return sxy / math.sqrt(sxx * syy) if sxx and syy else float("nan")


@dataclass
class Judged:
    """What the judge made of the transcripts: four ratings per rated transcript, else the reason."""

    ratings: dict[str, dict[str, int]] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    usage: Usage = field(default_factory=Usage)
    """Tokens and cost of the rated transcripts (a failed call reports none)."""


async def judge_all(settings, grouped, ids, *, client=None, progress=None) -> Judged:
    """Judge each transcript in turn; ``progress(n, total, id, rated)`` after each."""
    from simulator.llm import judge as judging

    judged = Judged()
    for n, tid in enumerate(ids, 1):
        try:
            judgement = await judging.judge_session(
                settings, f"annomi-{tid}", as_turns(grouped[tid]), client=client, check_consent=False
            )
        except judging.JudgeError as exc:
            judged.failures[tid] = str(exc)
        else:
            judged.ratings[tid] = {name: judgement.ratings[name].rating for name in GLOBAL_NAMES}
            judged.usage.add(CallStats(tokens_in=judgement.tokens_in, tokens_out=judgement.tokens_out,
                                       cost_usd=judgement.cost_usd))
        if progress is not None:
            progress(n, len(ids), tid, tid in judged.ratings)
    return judged


def automatic_estimates(rows: list[dict[str, str]], coded: list[dict]) -> dict[str, object]:
    """The automatic MITI global estimates per transcript, from ``mhsim code`` output."""
    from simulator.estimates import estimate_globals

    turns: dict[str, list] = defaultdict(list)
    for src, out in zip(rows, coded):
        turns[src["transcript_id"]].append(annomi.coded_turn(src, out))
    return {tid: estimate_globals(ts) for tid, ts in turns.items()}


def summarise(grouped, judged: Judged, estimates: dict[str, object]) -> dict[str, object]:
    """AUCs and agreement with the automatic estimates, over the rated transcripts."""
    ratings = judged.ratings
    quality = {t: grouped[t][0]["mi_quality"] for t in ratings}
    length = {t: math.log(len(grouped[t])) for t in ratings}
    judge_mean = {t: sum(r.values()) / len(r) for t, r in ratings.items()}
    auto_mean = {t: estimates[t].overall for t in ratings if estimates.get(t) is not None}

    def aucs(index: dict[str, float]) -> tuple[float, float]:
        high = [t for t in index if quality[t] == "high"]
        low = [t for t in index if quality[t] == "low"]
        if not high or not low:
            return float("nan"), float("nan")
        plain = annomi.auc([index[t] for t in high], [index[t] for t in low])
        controlled = annomi.auc(*annomi.residual_split(index, length, high, low))
        return plain, controlled

    agreement = {}
    for name in GLOBAL_NAMES:
        pairs = [(ratings[t][name], getattr(estimates[t], name)) for t in ratings if estimates.get(t)]
        if pairs:
            within = sum(abs(j - round(a)) <= 1 for j, a in pairs) / len(pairs)
            rho = spearman([float(j) for j, _ in pairs], [a for _, a in pairs])
            agreement[name] = (within, rho, len(pairs))
    return {
        "judged": len(ratings),
        "n_high": sum(quality[t] == "high" for t in ratings),
        "n_low": sum(quality[t] == "low" for t in ratings),
        "judge_auc": aucs(judge_mean),
        "auto_auc": aucs(auto_mean),
        "agreement": agreement,
    }


def report(summary: dict[str, object], judged: Judged, model: str) -> list[str]:
    """The table the command prints."""
    ja, jc = summary["judge_auc"]
    aa, ac = summary["auto_auc"]
    failed = len(judged.failures)
    rated = (
        f"{summary['judged']} transcripts rated "
        f"({summary['n_high']} high / {summary['n_low']} low MI quality), {failed} not rated"
    )
    lines = [
        f"LLM judge {model} on AnnoMI (development split): {rated}",
        f"  high vs low quality, AUC of the mean rating   judge {ja:.3f}   automatic estimates {aa:.3f}",
        f"  the same, length-controlled                   judge {jc:.3f}   automatic estimates {ac:.3f}",
        "  judge vs automatic estimate, per global: within one point, Spearman rank correlation",
    ]
    for name, (within, rho, n) in summary["agreement"].items():
        rank = "  n/a" if math.isnan(rho) else f"{rho:+.2f}"  # n/a: one side gave the same rating throughout
        lines.append(f"    {name:<26} {within:6.0%}   {rank}   (n={n})")
    for tid, why in judged.failures.items():
        lines.append(f"  not rated: transcript {tid}: {why}")
    usage = judged.usage
    cost = "unknown (the provider reported no price)" if usage.cost_usd is None else f"${usage.cost_usd:.4f}"
    lines.append(f"  tokens in {usage.tokens_in or 0:,}, out {usage.tokens_out or 0:,}; cost {cost}")
    lines.append("  The judge is a second opinion for educators, not a trained MITI rater.")
    return lines


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    summary = __doc__.split("\n")[0]
    parser = argparse.ArgumentParser(prog="python -m benchmarks.judge_annomi", description=summary)
    parser.add_argument("--model", help="litellm model name (default: the judge settings in your config)")
    parser.add_argument("--api-base", help="OpenAI-compatible server address, e.g. http://127.0.0.1:8080/v1")
    parser.add_argument("--limit", type=int, help="judge this many transcripts (stratified by quality)")
    parser.add_argument("--send", action="store_true", help="allow sending the transcripts to a remote model")
    parser.add_argument("-o", "--output", type=Path, help="also write each transcript's ratings here (JSON)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None, *, client=None) -> int:
    """Run the benchmark; 0 when it ran or the data is absent, 2 when it cannot start."""
    from simulator.config import config_path, load_config
    from simulator.llm import judge as judging
    from simulator.llm.consent import has_consent, recipient
    from simulator.yamlfile import FileProblems

    args = parse_args(argv)
    if args.output is not None and not args.output.parent.is_dir():  # say so before any model call
        print(f"Cannot write {args.output}: the folder {args.output.parent} does not exist.")
        return 2
    folder = annomi.data_dir()
    path = folder / "AnnoMI-simple.csv"
    if not path.is_file():
        print(annomi.skip_message())
        return 0
    try:
        settings = judging.judge_settings(load_config(), model=args.model, api_base=args.api_base)
    except FileProblems as exc:
        print(f"The config file {config_path()} has problems:\n" + "\n".join(str(p) for p in exc.problems))
        return 2
    except judging.NoJudgeModel as exc:
        print(exc)
        return 2
    who = recipient(settings.model, settings.api_base)
    if not who.local and not has_consent(who) and not args.send:
        print(
            f"Nothing was sent. This would send AnnoMI transcripts to {who.label}; "
            "run again with --send to allow it."
        )
        return 2
    rows = annomi.read_rows(path)
    grouped = transcripts(rows)
    ids = sample(grouped, args.limit)

    def progress(n: int, total: int, tid: str, rated: bool) -> None:
        print(f"  [{n}/{total}] transcript {tid}: {'rated' if rated else 'not rated'}", flush=True)

    judged = asyncio.run(judge_all(settings, grouped, ids, client=client, progress=progress))
    coded, _ = annomi.run_command(path)
    summary = summarise(grouped, judged, automatic_estimates(rows, coded))
    print("\n".join(report(summary, judged, settings.model)))
    if args.output:
        saved = {"ratings": judged.ratings, "failures": judged.failures}
        args.output.write_text(json.dumps(saved, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
