"""The coder against AnnoMI expert labels (development split): ``python -m benchmarks.annomi``.

Reads ``AnnoMI-simple.csv`` (and ``AnnoMI-full.csv`` for subtypes) at run time from the evaluation folder
(``$MHSIM_ANNOMI_DIR``, else ``../shared/evaldata/annomi-dev`` beside the repository). Nothing from the data
is stored in the repository. When the files are absent the benchmark says so and skips.

It codes the transcripts through exactly the user-facing command, ``mhsim code FILE --scheme annomi``, and
prints:

- therapist main behaviour (question / reflection / therapist_input / other): accuracy, macro-F1, Cohen's κ
  and per-class F1, each with a 95% cluster-bootstrap interval over transcripts;
- question subtype (open/closed) and reflection subtype (simple/complex) accuracy, on utterances where the
  experts and the coder both gave that behaviour a subtype (majority of annotators where there are several);
- client talk type (change/neutral/sustain) macro-F1 and κ;
- transcript-level AUC for high vs low MI quality from the estimated MI globals, the AUC of transcript length
  alone, and a length-controlled AUC (the MI index after removing what log-length predicts of it);
- throughput of the command (utterances per second, whole file, one process);
- how far the experts agree among themselves, on the utterances that several annotators labelled: each
  annotator against the majority of the others (leave-one-out), beside the coder against the majority of all
  of them on the same utterances. This is the ceiling a coder can be held to.

Every figure is also given separately for three fixed parts of the transcripts (stratified by MI quality):
part A is where rule changes were examined from the start, part B1 was examined from coder rules-1.4 on, and
part B2 has only ever been measured. The gap between the examined parts and B2 shows overfitting.
"""

from __future__ import annotations

import csv
import json
import math
import os
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

if __package__ in (None, ""):  # run as a script from anywhere
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ROOT = Path(__file__).resolve().parents[1]
LABELS = ("question", "reflection", "therapist_input", "other")
TALK = ("change", "neutral", "sustain")
BOOTSTRAP = 1000
TARGETS = {
    "macro_f1": 0.75,
    "kappa": 0.68,
    "open_closed": 0.85,
    "auc": 0.90,
    "auc_length_controlled": 0.80,
    "throughput": 2000,
}


def data_dir() -> Path:
    """Where the AnnoMI development files are looked for."""
    env = os.environ.get("MHSIM_ANNOMI_DIR")
    return Path(env) if env else ROOT.parent / "shared" / "evaldata" / "annomi-dev"


# --- Metrics (plain Python, no numpy) --------------------------------------------------------------------------


def f1_scores(gold: list[str], pred: list[str], labels=LABELS) -> dict[str, float]:
    """Per-class F1."""
    out = {}
    for label in labels:
        tp = sum(1 for g, p in zip(gold, pred) if g == label and p == label)
        fp = sum(1 for g, p in zip(gold, pred) if g != label and p == label)
        fn = sum(1 for g, p in zip(gold, pred) if g == label and p != label)
        out[label] = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0
    return out


def macro_f1(gold: list[str], pred: list[str], labels=LABELS) -> float:
    scores = f1_scores(gold, pred, labels)
    return sum(scores.values()) / len(scores)


def kappa(gold: list[str], pred: list[str]) -> float:
    """Cohen's κ between two labelings."""
    n = len(gold)
    if n == 0:
        return float("nan")
    po = sum(1 for g, p in zip(gold, pred) if g == p) / n
    cg, cp = Counter(gold), Counter(pred)
    pe = sum(cg[k] * cp.get(k, 0) for k in cg) / (n * n)
    return (po - pe) / (1 - pe) if pe < 1 else 1.0


def accuracy(gold: list[str], pred: list[str]) -> float:
    return sum(1 for g, p in zip(gold, pred) if g == p) / len(gold) if gold else float("nan")


def auc(scores_pos: list[float], scores_neg: list[float]) -> float:
    """Area under the ROC curve (probability a positive outscores a negative; ties count half)."""
    if not scores_pos or not scores_neg:
        return float("nan")
    wins = 0.0
    for a in scores_pos:
        for b in scores_neg:
            wins += 1.0 if a > b else 0.5 if a == b else 0.0
    return wins / (len(scores_pos) * len(scores_neg))


def cluster_bootstrap(groups: dict[str, list[tuple[str, str]]], stat, reps: int = BOOTSTRAP, seed: int = 7):
    """95% percentile interval of ``stat(gold, pred)``, resampling whole transcripts with replacement."""
    rng = random.Random(seed)
    keys = sorted(groups)
    values = []
    for _ in range(reps):
        gold: list[str] = []
        pred: list[str] = []
        for k in rng.choices(keys, k=len(keys)):
            for g, p in groups[k]:
                gold.append(g)
                pred.append(p)
        values.append(stat(gold, pred))
    values.sort()
    return values[int(0.025 * reps)], values[int(0.975 * reps) - 1]


# --- Data --------------------------------------------------------------------------------------------------------


def read_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a CSV file with a header, as dictionaries."""
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _alternate(ids: list[str], first: str, second: str) -> dict[str, str]:
    return {t: first if i % 2 == 0 else second for i, t in enumerate(sorted(ids, key=int))}


def split_parts(rows: list[dict[str, str]]) -> dict[str, str]:
    """Transcript id -> 'A', 'B1' or 'B2' (fixed, no randomness).

    Within each quality level, transcripts alternate between A and B in id order; B's transcripts then
    alternate between B1 and B2 the same way.
    """
    quality: dict[str, str] = {}
    for r in rows:
        quality.setdefault(r["transcript_id"], r["mi_quality"])
    part: dict[str, str] = {}
    for level in ("high", "low"):
        halves = _alternate([t for t, q in quality.items() if q == level], "A", "B")
        part.update(halves)
        part.update(_alternate([t for t, h in halves.items() if h == "B"], "B1", "B2"))
    return part


def run_command(path: Path) -> tuple[list[dict], float]:
    """``mhsim code PATH --scheme annomi`` through the real CLI; returns (rows, seconds)."""
    from typer.testing import CliRunner

    from cli import app

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "coded.jsonl"
        started = time.perf_counter()
        result = CliRunner().invoke(app, ["code", str(path), "--scheme", "annomi", "-o", str(out)])
        seconds = time.perf_counter() - started
        if result.exit_code != 0:
            raise RuntimeError(f"mhsim code failed: {result.output}")
        rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows, seconds


def _majority(values: list[str]) -> str | None:
    values = [v for v in values if v and v != "n/a"]
    if not values:
        return None
    (top, n), *rest = Counter(values).most_common()
    if rest and rest[0][1] == n:
        return None  # annotators split evenly: no reference label
    return top


def subtype_reference(full: list[dict[str, str]]) -> dict[tuple[str, str], dict[str, str | None]]:
    """(transcript, utterance) -> majority question and reflection subtype over annotators."""
    by: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for r in full:
        if r["interlocutor"] == "therapist":
            by[(r["transcript_id"], r["utterance_id"])].append(r)
    return {
        key: {
            "question": _majority([r["question_subtype"] for r in rs]),
            "reflection": _majority([r["reflection_subtype"] for r in rs]),
        }
        for key, rs in by.items()
    }


def _without(values: list[str], i: int) -> str | None:
    """The majority of ``values`` leaving out the ``i``-th (None where the others split evenly or are empty)."""
    return _majority(values[:i] + values[i + 1 :])


AGREEMENT_FIELDS = (
    ("main behaviour", "main_therapist_behaviour", "annomi_behaviour"),
    ("open/closed", "question_subtype", "question_subtype"),
    ("simple/complex", "reflection_subtype", "reflection_subtype"),
)


def expert_agreement(full: list[dict[str, str]], coded_by_key: dict[tuple[str, str], dict]) -> dict[str, dict]:
    """Annotators against each other and the coder against them, on multiply-annotated therapist utterances.

    For each label: ``experts`` is the share of single judgements that match the majority of the other
    annotators (leave-one-out; ``judgements`` of them on ``utterances`` utterances by ``annotators`` people);
    ``coder`` is the coder's accuracy against the majority of all annotators on the same utterances.
    """
    by: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for r in full:
        if r["interlocutor"] == "therapist":
            by[(r["transcript_id"], r["utterance_id"])].append(r)
    result: dict[str, dict] = {}
    for name, field, out_field in AGREEMENT_FIELDS:
        hits = judgements = 0
        people: set[str] = set()
        keys: set[tuple[str, str]] = set()
        coder_pairs: list[tuple[str, str]] = []
        for key, rs in by.items():
            if len(rs) < 2:
                continue
            values = [r[field] for r in rs]
            for i, v in enumerate(values):
                others = _without(values, i)
                if not v or v == "n/a" or others is None:
                    continue
                judgements += 1
                hits += v == others
                people.add(rs[i]["annotator_id"])
                keys.add(key)
            everyone, mine = _majority(values), (coded_by_key.get(key) or {}).get(out_field)
            if key in keys and everyone and mine:
                coder_pairs.append((everyone, mine))
        result[name] = {
            "experts": hits / judgements if judgements else float("nan"),
            "judgements": judgements,
            "utterances": len(keys),
            "annotators": len(people),
            "coder": accuracy([a for a, _ in coder_pairs], [b for _, b in coder_pairs]),
            "coder_n": len(coder_pairs),
        }
    return result


# --- Evaluation ------------------------------------------------------------------------------------------------


def coded_turn(src: dict[str, str], out: dict):
    """One row as the estimates read it: who spoke, the therapist's codes or the client's talk type, its length."""
    from simulator.codes import Behaviour
    from simulator.estimates import CodedTurn

    words = len(src["utterance_text"].split())
    if src["interlocutor"] == "therapist":
        behaviours = frozenset(Behaviour(b) for b in out["behaviours"]) - {Behaviour.OTHER}
        return CodedTurn("therapist", behaviours, words=words)
    return CodedTurn("client", talk=out["client_talk_type"], words=words)


def evaluate(simple, coded, subtypes, transcripts: set[str]) -> dict[str, object]:
    """Every figure for the transcripts in ``transcripts``."""
    from simulator.estimates import CodedTurn, estimate_globals

    gold: list[str] = []
    pred: list[str] = []
    groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
    talk_gold: list[str] = []
    talk_pred: list[str] = []
    q_pairs: list[tuple[str, str]] = []
    r_pairs: list[tuple[str, str]] = []
    per_transcript: dict[str, list[CodedTurn]] = defaultdict(list)
    quality: dict[str, str] = {}
    for src, out in zip(simple, coded):
        tid = src["transcript_id"]
        if tid not in transcripts:
            continue
        quality[tid] = src["mi_quality"]
        if src["interlocutor"] == "therapist":
            g, p = src["main_therapist_behaviour"], out["annomi_behaviour"]
            gold.append(g)
            pred.append(p)
            groups[tid].append((g, p))
            ref = subtypes.get((tid, src["utterance_id"]), {})
            if ref.get("question") and out["question_subtype"]:
                q_pairs.append((ref["question"], out["question_subtype"]))
            if ref.get("reflection") and out["reflection_subtype"]:
                r_pairs.append((ref["reflection"], out["reflection_subtype"]))
        else:
            talk_gold.append(src["client_talk_type"])
            talk_pred.append(out["client_talk_type"])
        per_transcript[tid].append(coded_turn(src, out))

    result: dict[str, object] = {"n_utterances": len(gold), "n_transcripts": len(groups)}
    result["accuracy"] = accuracy(gold, pred)
    result["macro_f1"] = macro_f1(gold, pred)
    result["kappa"] = kappa(gold, pred)
    result["per_class_f1"] = f1_scores(gold, pred)
    result["ci_macro_f1"] = cluster_bootstrap(groups, macro_f1)
    result["ci_kappa"] = cluster_bootstrap(groups, kappa)
    result["ci_per_class"] = {
        label: cluster_bootstrap(groups, lambda g, p, label=label: f1_scores(g, p, (label,))[label])
        for label in LABELS
    }
    result["confusion"] = Counter(zip(gold, pred))
    result["open_closed"] = accuracy([a for a, _ in q_pairs], [b for _, b in q_pairs])
    result["open_closed_n"] = len(q_pairs)
    result["simple_complex"] = accuracy([a for a, _ in r_pairs], [b for _, b in r_pairs])
    result["simple_complex_n"] = len(r_pairs)
    result["talk_macro_f1"] = macro_f1(talk_gold, talk_pred, TALK)
    result["talk_kappa"] = kappa(talk_gold, talk_pred)
    result["talk_per_class_f1"] = f1_scores(talk_gold, talk_pred, TALK)

    index: dict[str, float] = {}
    length: dict[str, float] = {}
    for tid, turns in per_transcript.items():
        est = estimate_globals(turns)
        if est is not None:
            index[tid] = est.overall
            length[tid] = math.log(len(turns))
    high = [t for t in index if quality[t] == "high"]
    low = [t for t in index if quality[t] == "low"]
    result["auc"] = auc([index[t] for t in high], [index[t] for t in low])
    result["auc_length_only"] = auc([length[t] for t in high], [length[t] for t in low])
    result["auc_length_controlled"] = auc(*residual_split(index, length, high, low))
    result["n_high"], result["n_low"] = len(high), len(low)
    return result


def residual_split(index, length, high, low):
    """The MI index minus its least-squares prediction from log length, split by quality."""
    ids = list(index)
    xs = [length[t] for t in ids]
    ys = [index[t] for t in ids]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx if sxx else 0.0
    resid = {t: index[t] - (my + slope * (length[t] - mx)) for t in ids}
    return [resid[t] for t in high], [resid[t] for t in low]


# --- Output ------------------------------------------------------------------------------------------------------


def _ci(pair) -> str:
    return f"[{pair[0]:.2f}, {pair[1]:.2f}]"


def report(name: str, r: dict) -> list[str]:
    lines = [
        (
            f"== {name}: {r['n_utterances']} therapist utterances, {r['n_transcripts']} transcripts "
            f"({r['n_high']} high / {r['n_low']} low MI quality)"
        ),
        f"  4-way accuracy       {r['accuracy']:.3f}",
        f"  4-way macro-F1       {r['macro_f1']:.3f} {_ci(r['ci_macro_f1'])}   target >= {TARGETS['macro_f1']}",
        f"  Cohen's kappa        {r['kappa']:.3f} {_ci(r['ci_kappa'])}   target >= {TARGETS['kappa']}",
    ]
    for label in LABELS:
        lines.append(f"    F1 {label:<16} {r['per_class_f1'][label]:.3f} {_ci(r['ci_per_class'][label])}")
    lines += [
        (
            f"  open/closed accuracy {r['open_closed']:.3f} (n={r['open_closed_n']})   target >= "
            f"{TARGETS['open_closed']}"
        ),
        f"  simple/complex acc.  {r['simple_complex']:.3f} (n={r['simple_complex_n']})",
        f"  client talk macro-F1 {r['talk_macro_f1']:.3f}, kappa {r['talk_kappa']:.3f} ("
        + ", ".join(f"{k} {v:.2f}" for k, v in r["talk_per_class_f1"].items())
        + ")",
        f"  quality AUC (MI index)            {r['auc']:.3f}   target >= {TARGETS['auc']}",
        f"  quality AUC (length alone)        {r['auc_length_only']:.3f}",
        (
            f"  quality AUC (length-controlled)   {r['auc_length_controlled']:.3f}   target >= "
            f"{TARGETS['auc_length_controlled']}"
        ),
    ]
    confusion = r["confusion"]
    lines.append("  confusion (rows = experts, columns = coder): " + " / ".join(LABELS))
    for g in LABELS:
        lines.append(f"    {g:<16} " + " ".join(f"{confusion.get((g, p), 0):>5}" for p in LABELS))
    return lines


GAP_FIGURES = (
    ("4-way macro-F1", "macro_f1"),
    ("Cohen's kappa", "kappa"),
    ("open/closed accuracy", "open_closed"),
    ("simple/complex accuracy", "simple_complex"),
    ("client talk macro-F1", "talk_macro_f1"),
    ("quality AUC", "auc"),
    ("quality AUC, length-controlled", "auc_length_controlled"),
)


def gap_report(a: dict, b: dict) -> list[str]:
    """Examined parts minus the never-examined part B2 (a large positive gap: the rules fit what was seen)."""
    lines = ["== Gap, examined (A + B1) minus never examined (B2)"]
    for label, key in GAP_FIGURES:
        lines.append(f"  {label:<32} {a[key]:.3f} - {b[key]:.3f} = {a[key] - b[key]:+.3f}")
    return lines


def agreement_report(agreement: dict[str, dict]) -> list[str]:
    """The experts against each other beside the coder, on the utterances several of them labelled."""
    lines = ["== Experts among themselves (utterances with several annotators)"]
    for name, a in agreement.items():
        if not a["judgements"]:
            lines.append(f"  {name:<15} no utterance labelled by several annotators")
            continue
        lines.append(
            f"  {name:<15} an expert vs the others {a['experts']:.3f} ({a['judgements']} judgements, "
            f"{a['utterances']} utterances, {a['annotators']} annotators); coder vs all {a['coder']:.3f} "
            f"(n={a['coder_n']})"
        )
    return lines


def measure() -> dict | None:
    """All figures, or None when the data is absent."""
    folder = data_dir()
    simple_path, full_path = folder / "AnnoMI-simple.csv", folder / "AnnoMI-full.csv"
    if not simple_path.is_file():
        return None
    simple = read_rows(simple_path)
    coded, seconds = run_command(simple_path)
    if len(coded) != len(simple):
        raise RuntimeError(f"the command wrote {len(coded)} rows for {len(simple)} input rows")
    full = read_rows(full_path) if full_path.is_file() else []
    subtypes = subtype_reference(full)
    parts = split_parts(simple)
    by_key = {(src["transcript_id"], src["utterance_id"]): out for src, out in zip(simple, coded)}

    def only(*names: str) -> dict:
        return evaluate(simple, coded, subtypes, {t for t, p in parts.items() if p in names})

    return {
        "all": only("A", "B1", "B2"),
        "A": only("A"),
        "B1": only("B1"),
        "examined": only("A", "B1"),
        "B2": only("B2"),
        "throughput": len(simple) / seconds,
        "rows": len(simple),
        "seconds": seconds,
        "subtypes": bool(subtypes),
        "agreement": expert_agreement(full, by_key),
    }


def skip_message() -> str:
    return (
        f"AnnoMI development data not found in {data_dir()} (set MHSIM_ANNOMI_DIR to the folder holding "
        "AnnoMI-simple.csv); skipped."
    )


def _agreement_rows(agreement: dict[str, dict]) -> list[tuple[str, str, str]]:
    return [
        (f"{name}: an expert vs the others", f"{a['experts']:.3f} (coder {a['coder']:.3f})", f"{a['utterances']} utterances")
        for name, a in agreement.items()
        if a["judgements"]
    ]


def run() -> list[tuple[str, str, str]]:
    """Rows for ``benchmarks/run.py``."""
    result = measure()
    if result is None:
        return [("skipped", skip_message(), "")]
    a = result["all"]
    return [
        ("4-way macro-F1", f"{a['macro_f1']:.3f} {_ci(a['ci_macro_f1'])}", f">= {TARGETS['macro_f1']}"),
        ("Cohen's kappa", f"{a['kappa']:.3f} {_ci(a['ci_kappa'])}", f">= {TARGETS['kappa']}"),
        ("open/closed accuracy", f"{a['open_closed']:.3f}", f">= {TARGETS['open_closed']}"),
        ("simple/complex accuracy", f"{a['simple_complex']:.3f}", ""),
        *_agreement_rows(result["agreement"]),
        ("quality AUC", f"{a['auc']:.3f}", f">= {TARGETS['auc']}"),
        ("quality AUC, length-controlled", f"{a['auc_length_controlled']:.3f}", f">= {TARGETS['auc_length_controlled']}"),
        ("never-examined part B2 macro-F1", f"{result['B2']['macro_f1']:.3f}", ""),
        ("examined - B2 macro-F1", f"{result['examined']['macro_f1'] - result['B2']['macro_f1']:+.3f}", ""),
        ("command throughput", f"{result['throughput']:,.0f} rows/s", f">= {TARGETS['throughput']:,}"),
    ]


def main() -> int:
    from simulator.coding import CODER_VERSION

    result = measure()
    if result is None:
        print(skip_message())
        return 0
    print(f"AnnoMI development split, coder {CODER_VERSION}, via `mhsim code FILE --scheme annomi`")
    if not result["subtypes"]:
        print("(AnnoMI-full.csv not found: subtype figures use no reference labels)")
    parts = (
        ("all", "All transcripts"),
        ("A", "Part A (examined since rules-1.0)"),
        ("B1", "Part B1 (examined since rules-1.4)"),
        ("B2", "Part B2 (never examined: the honest estimate)"),
    )
    for key, name in parts:
        print("\n".join(report(name, result[key])))
    print("\n".join(gap_report(result["examined"], result["B2"])))
    print("\n".join(agreement_report(result["agreement"])))
    print(
        f"Throughput: {result['rows']:,} rows in {result['seconds']:.2f} s = {result['throughput']:,.0f} rows/s "
        f"through the command (target >= {TARGETS['throughput']:,} utterances/s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
