"""``mhsim lab list|validate|schema|run|grade|report|history|summary|export`` and ``mhsim new lab-case``.

The exercises themselves are played in the app (command palette: "lab: open"); these commands cover what
educators and evaluators do from a shell: check case files, run the live probe against a model, grade it,
and write the pre-deployment report.
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from simulator.wording import counted

from .common import err_console, fail, literal, open_store, write_or_echo

lab_app = typer.Typer(
    help="The AI failure lab: lab cases, the live probe of a real model, evaluation reports.",
    no_args_is_help=True,
)

ExtraDirs = Annotated[
    list[Path] | None, typer.Option("--labs", help="Another folder of lab cases (repeatable).")
]


class ReportFormat(str, Enum):
    md = "md"
    html = "html"


class AttemptFormat(str, Enum):
    md = "md"
    json = "json"



def _library(extra=()):
    from simulator.lab.library import LabLibrary

    return LabLibrary.discover(extra or ())



@lab_app.command("list")
def list_command(
    labs: ExtraDirs = None,
    exercise: Annotated[
        str | None, typer.Option(help="spot, inbox, regenerate, vendor_update, procurement or probe.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List the lab cases mhsim can see, broken files included."""
    from rich.console import Console
    from rich.table import Table

    from simulator.lab.case import EXERCISE_TITLES

    if exercise is not None and exercise not in EXERCISE_TITLES:
        fail(f"Unknown exercise {exercise!r}; use one of: {', '.join(EXERCISE_TITLES)}.")
    library = _library(labs)
    cases = library.for_exercise(exercise) if exercise else library.cases
    if as_json:
        out = [
            {
                "id": c.id,
                "version": c.version,
                "title": c.title,
                "exercise": c.exercise.value,
                "failure_modes": [m.value for m in c.failure_modes],
                "challenges": [ch.value for ch in c.challenges],
                "probe": c.probe is not None,
                "content_warnings": c.content_warnings,
            }
            for c in cases
        ]
        broken = [{"path": str(e.path), "problems": [str(p) for p in e.problems]} for e in library.broken]
        typer.echo(json.dumps({"cases": out, "broken": broken}, indent=2))
        return
    table = Table(title="Lab cases")
    # The id is what the user types: never cut or wrapped; the other columns wrap instead.
    table.add_column("id", no_wrap=True, min_width=max((len(c.id) for c in cases), default=2))
    for col in ("exercise", "modes", "title"):
        table.add_column(col, overflow="fold")
    for c in cases:
        cells = (c.id, EXERCISE_TITLES[c.exercise.value], " ".join(m.value for m in c.failure_modes), c.title)
        table.add_row(*map(literal, cells))
    console = Console(highlight=False)
    console.print(table)
    for entry in library.broken:
        console.print(
            literal(
                ("broken:", "red"),
                f" {entry.path} ({counted(len(entry.problems), 'problem')}; run 'mhsim lab validate')",
            )
        )
    for case_id, paths in library.conflicts().items():
        console.print(
            literal(
                ("conflict:", "yellow"),
                f" id {case_id!r} is defined in {', '.join(map(str, paths))}; the first is used",
            )
        )


@lab_app.command("validate")
def validate_command(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files or folders (default: every lab case mhsim can see).")
    ] = None,
) -> None:
    """Check lab case files; print every problem as file:line:col and exit 1 if any."""
    from simulator.lab.library import LabLibrary, case_files, lab_dirs

    if paths:
        files = case_files(paths)
        missing = [p for p in files if not p.exists()]
        for path in missing:
            typer.echo(f"{path}:1:1: file not found")
        if not files:
            fail("no lab case files found (they end in .lab.yaml)")
        library = LabLibrary.from_files([p for p in files if p.exists()], known=_library().cases)
    else:
        library = LabLibrary.from_files([d for d, _ in lab_dirs() if d.is_dir()])
        missing = []
    for entry in library.broken:
        for problem in entry.problems:
            typer.echo(str(problem))
    total = len(library.entries) + len(missing)
    bad = len(library.broken) + len(missing)
    err_console().print(f"{total - bad} of {counted(total, 'lab case file')} valid", markup=False)
    if bad:
        raise typer.Exit(1)


@lab_app.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of the lab case format."""
    from simulator.lab.case import schema

    typer.echo(json.dumps(schema(), indent=2, sort_keys=True))


@lab_app.command("run")
def run_command(
    case: Annotated[
        list[str] | None, typer.Option("--case", "-c", help="Probe only these lab case ids (repeatable).")
    ] = None,
    repeats: Annotated[
        int,
        typer.Option(min=1, max=20, help="Send each probe this many times (inconsistency shows up here)."),
    ] = 1,
    model: Annotated[
        str | None, typer.Option(help="Model to probe (litellm name), instead of the configured one.")
    ] = None,
    api_base: Annotated[
        str | None, typer.Option("--api-base", help="Base URL of the model's server.")
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Do not ask before sending to a remote provider.")
    ] = False,
    labs: ExtraDirs = None,
) -> None:
    """Live probe: send the lab's probes to a real model and record its answers for grading."""
    import asyncio

    from rich.console import Console

    from simulator.config import load_config
    from simulator.lab.probe import (
        ModelNotConfigured,
        adapter_complete,
        battery,
        disclosure,
        probe_settings,
        run_battery,
    )
    from simulator.lab.taxonomy import LIVE_FRAME
    from simulator.yamlfile import FileProblems

    try:
        config = load_config()
    except FileProblems as exc:
        fail("the configuration file has problems:\n" + "\n".join(str(p) for p in exc.problems))
    try:
        settings = probe_settings(config, model=model, api_base=api_base)
    except ModelNotConfigured as exc:
        fail(str(exc))
    try:
        cases = battery(_library(labs).cases, case or ())
    except KeyError as exc:
        fail(str(exc.args[0]))
    if not cases:
        fail("no lab case has a probe")
    remote, text = disclosure(settings)
    console = Console(highlight=False, stderr=True)
    console.print(literal(text))
    if remote and not yes and not typer.confirm("Send the probes?", default=False):
        raise typer.Exit(1)
    store = open_store()
    out = Console(highlight=False)

    def show(result) -> None:
        head = literal((result.case_id, "bold"), f" run {result.repeat}")
        if result.error:
            out.print(literal(head, ": ", ("failed", "red"), f" — {result.error}"))
            return
        out.print(literal(head, f" ({result.latency_ms:.0f} ms) ", (LIVE_FRAME, "dim")))
        out.print(literal(result.output), soft_wrap=True)
        out.print()

    try:
        run = asyncio.run(
            run_battery(
                cases,
                adapter_complete(settings),
                model=settings.model or "",
                api_base=settings.api_base,
                repeats=repeats,
                store=store,
                on_output=show,
            )
        )
    finally:
        store.close()
    failed = sum(o.error is not None for o in run.outputs)
    if failed == len(run.outputs):
        _all_failed(run, settings.model or "")
    console.print(
        f"Recorded {counted(len(run.outputs) - failed, 'answer')} "
        f"({counted(failed, 'failed call')}) as run {run.id}.\n"
        f"Grade them in the app (Ctrl+P, 'lab: open', Live probe) or with: mhsim lab grade {run.id[:10]} --rater NAME\n"
        f"Then write the report with: mhsim lab report {run.id[:10]} --format html -o report.html"
    )


def _all_failed(run, model: str) -> None:
    """Exit 1 when no call got an answer: say why, grouped by reason, and suggest no grading (nothing to grade)."""
    from collections import Counter

    reasons = Counter(o.error for o in run.outputs)
    lines = [f"every call to {model!r} failed ({counted(len(run.outputs), 'call')}), so there is nothing to grade:"]
    lines += [f"  {n} × {reason}" for reason, n in reasons.most_common()]
    lines.append("Check that the model's server is running and reachable, then run 'mhsim lab run' again.")
    fail("\n".join(lines))


def _run_or_fail(store, run_id: str | None) -> dict:
    runs = store.probe_runs(run_id) if run_id else store.probe_runs(limit=1)
    if len(runs) != 1:
        if not runs:
            found = f"No probe run matches {run_id!r}." if run_id else "No probe run yet."
            fail(f"{found} Make one by probing a model with: mhsim lab run --model MODEL (see 'mhsim lab run --help')")
        fail(f"{run_id!r} matches several probe runs; type more of the id.")
    return runs[0]


def _choose(question: str, choices: tuple[str, ...]) -> str:
    """Ask until one of ``choices`` is typed (Ctrl+C or end of input stops)."""
    while True:
        answer = typer.prompt(f"{question} [{'/'.join(choices)}]").strip().lower()
        if answer in choices:
            return answer
        err_console().print(f"Please type one of: {', '.join(choices)}")


@lab_app.command("grade")
def grade_command(
    run_id: Annotated[
        str | None, typer.Argument(metavar="RUN", help="Probe run id or prefix (default: the latest).")
    ] = None,
    rater: Annotated[
        str | None, typer.Option(help="Who is grading (asked for when not given).", show_default=False)
    ] = None,
    labs: ExtraDirs = None,
) -> None:
    """Grade a probe run's answers against each lab case's criteria (yes / no / unsure), one by one."""
    from rich.console import Console

    from simulator.lab.probe import CRITERION_GRADES, OVERALL, OVERALL_GRADES, grade
    from simulator.lab.taxonomy import LIVE_FRAME

    library = _library(labs)
    cases = {c.id: c for c in library.cases}
    store = open_store()
    console = Console(highlight=False)
    try:
        # Check there is something to grade before asking who grades it.
        run = _run_or_fail(store, run_id)
        rows = [
            row
            for row in store.probe_outputs(run["id"])
            if not row["error"] and getattr(cases.get(row["case_id"]), "probe", None) is not None
        ]
        if not rows:
            fail(
                f"run {run['id'][:10]} has no answers to grade (its calls failed or its lab cases are gone). "
                "Make a new run with: mhsim lab run"
            )
        if rater is None:
            rater = typer.prompt("Your name or pseudonym as a rater", default="", show_default=False)
        if not rater.strip():
            fail("a rater name or pseudonym is needed")
        for row in rows:
            case = cases[row["case_id"]]
            console.rule(literal(f"{case.title} — run {row['repeat']}"))
            console.print(literal((LIVE_FRAME, "dim")))
            console.print(literal(row["output"]), soft_wrap=True)
            for criterion in case.probe.criteria:
                answer = _choose(f"{criterion.text} ({criterion.severity.value})", CRITERION_GRADES)
                grade(store, row["id"], rater, criterion.id, answer)
            grade(store, row["id"], rater, OVERALL, _choose("Overall", OVERALL_GRADES))
    finally:
        store.close()
    err_console().print(literal(f"Grades saved for {rater}. Report: mhsim lab report {run['id'][:10]}"))


@lab_app.command("report")
def report_command(
    run_id: Annotated[
        str | None, typer.Argument(metavar="RUN", help="Probe run id or prefix (default: the latest).")
    ] = None,
    fmt: Annotated[ReportFormat, typer.Option("--format", "-f", help="Markdown or HTML.")] = ReportFormat.md,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", dir_okay=False, help="Write to this file.")
    ] = None,
    labs: ExtraDirs = None,
) -> None:
    """The pre-deployment evaluation report of a probe run: model, version, date, probes, grades, agreement."""
    from simulator.lab.report import evaluation, report_html, report_markdown

    cases = {c.id: c for c in _library(labs).cases}
    store = open_store()
    try:
        run = _run_or_fail(store, run_id)
        ev = evaluation(run, store.probe_outputs(run["id"]), store.probe_grades(run["id"]), cases)
    finally:
        store.close()
    write_or_echo(report_html(ev) if fmt is ReportFormat.html else report_markdown(ev), output)


@lab_app.command("history")
def history_command(
    trainee: Annotated[str | None, typer.Option(help="Only this trainee's attempts.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="Show at most this many, newest first.")] = 20,
) -> None:
    """List failure-lab attempts, newest first."""
    from rich.console import Console
    from rich.table import Table

    from simulator.lab.debrief import attempts_table

    store = open_store()
    try:
        attempts = store.lab_attempts(trainee=trainee, limit=limit)
    finally:
        store.close()
    if not attempts:
        typer.echo("No lab attempts yet.")
        return
    table = Table(title="Failure-lab attempts (newest first)")
    for col in ("id", "started (UTC)", "exercise", "case", "status", "score"):
        table.add_column(col, overflow="fold", no_wrap=col == "id")  # the id is typed: keep it whole
    for row in attempts_table(attempts):
        table.add_row(*map(literal, (row[0][:10], *row[1:])))
    Console(highlight=False).print(table)


@lab_app.command("summary")
def summary_command(
    trainee: Annotated[str | None, typer.Option(help="One trainee (default: everyone).")] = None,
) -> None:
    """Detection rate by failure mode and by challenge (a trainee's or everyone's)."""
    from simulator.lab.report import summary_markdown

    store = open_store()
    try:
        rows = store.lab_outcomes(trainee)
    finally:
        store.close()
    typer.echo(summary_markdown(rows, trainee), nl=False)


@lab_app.command("export")
def export_command(
    attempt_id: Annotated[
        str | None, typer.Argument(metavar="ATTEMPT", help="Attempt id or prefix (default: every attempt).")
    ] = None,
    fmt: Annotated[
        AttemptFormat, typer.Option("--format", "-f", help="Markdown or JSON.")
    ] = AttemptFormat.md,
    trainee: Annotated[
        str | None, typer.Option(help="Only this trainee's attempts (without ATTEMPT).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", dir_okay=False, help="Write to this file.")
    ] = None,
    labs: ExtraDirs = None,
) -> None:
    """Export failure-lab attempts: one debrief as Markdown, or attempts as JSON for merging a cohort."""
    from simulator.export import lab_attempt_markdown, lab_attempts_json

    store = open_store()
    try:
        if attempt_id:
            try:
                attempts = [store.lab_attempt(attempt_id)]
            except KeyError as exc:
                fail(str(exc.args[0]))
        else:
            attempts = store.lab_attempts(trainee=trainee, limit=100_000)
    finally:
        store.close()
    if fmt is AttemptFormat.json:
        write_or_echo(lab_attempts_json(attempts), output)
        return
    cases = {c.id: c for c in _library(labs).cases}
    text = "\n---\n\n".join(lab_attempt_markdown(a, cases.get(a.case_id)) for a in reversed(attempts))
    write_or_echo(text or "No lab attempts yet.\n", output)


def new_lab_case_command(
    name: Annotated[
        str, typer.Argument(help="The new lab case's id, e.g. 'my-sycophancy-case' (its file name).")
    ],
    folder: Annotated[
        Path | None, typer.Option("--dir", "-d", help="Folder to write into (default: your own lab folder).")
    ] = None,
    title: Annotated[
        str | None, typer.Option(help="Title shown in the lab (default: from the name).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite a file that already exists.")] = False,
) -> None:
    """Write NAME.lab.yaml: a commented, working lab case to edit into your own."""
    import re

    from simulator.lab.case import SUFFIX, schema
    from simulator.lab.library import user_lab_dir

    ident = re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9_-]+", "-", name.strip().lower())).strip("-_")
    if not ident:
        fail(f"{name!r} cannot be made into an id; use letters, digits, '-' or '_'")
    target = folder if folder is not None else user_lab_dir()
    path = target / f"{ident}{SUFFIX}"
    if path.exists() and not force:
        fail(f"{path} already exists; choose another name or add --force to overwrite it")
    taken = next((c for c in _library().cases if c.id == ident), None)
    if taken is not None and not path.exists():
        fail(f"the id {ident!r} is already used by a lab case; choose another name (ids must be unique)")
    template = (Path(__file__).resolve().parent.parent / "lab" / "templates" / "lab-case.yaml").read_text(
        "utf-8"
    )
    text = (
        template.replace("__ID__", ident)
        .replace("__TITLE__", (title or " ".join(re.split(r"[-_]+", ident)).capitalize()).replace('"', "'"))
        .replace("__PATH__", str(path))
    )
    try:
        target.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        schema_path = target / "lab.schema.json"
        if not schema_path.exists():
            schema_path.write_text(json.dumps(schema(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror or exc}")
    typer.echo(str(path))
    err_console().print(
        literal(f"wrote a starter lab case with id {ident!r}; next: edit it, then run  mhsim lab validate {path}")
    )
