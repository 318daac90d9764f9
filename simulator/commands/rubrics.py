"""``mhsim rubrics list|validate|schema|calibrate|override|rate|judge``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from simulator.wording import counted

from .common import err_console, fail, open_store

rubrics_app = typer.Typer(
    help="List, validate and calibrate rubrics; record educator overrides and ratings.", no_args_is_help=True
)


def _files(paths: list[Path] | None) -> list[Path]:
    from simulator.rubric import SUFFIX, rubric_dirs

    targets = list(paths or rubric_dirs())
    files: list[Path] = []
    for target in targets:
        # A folder named like a rubric file was meant as one: report it rather than search inside it.
        if target.is_dir() and not target.name.endswith(SUFFIX):
            files.extend(sorted(target.glob(f"*{SUFFIX}")))
        elif target.exists():
            files.append(target)
        else:
            fail(f"{target}: no such file or folder")
    return files


def fact_problems(rubric, path: Path) -> list[str]:
    """Fact ids a rubric names that no scenario using the rubric defines (``file: message`` lines)."""
    from simulator.library import Library
    from simulator.rubric import EnactLevel, FactsDisclosed

    named = [f for item in rubric.items if isinstance(item.detector, FactsDisclosed) for f in item.detector.facts]
    if not named or isinstance(rubric, EnactLevel):
        return []
    users = [s for s in Library.discover(()).scenarios if rubric.id in s.rubrics]
    if not users:
        return []
    known = {f.id for s in users for f in s.facts}
    return [
        f"{path}: fact {fact!r} is not defined by any scenario that uses rubric {rubric.id!r} "
        f"({', '.join(s.id for s in users)})"
        for fact in named
        if fact not in known
    ]


@rubrics_app.command("validate")
def validate_command(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders (default: every known rubric).")] = None,
) -> None:
    """Check rubric files; print every problem as file:line:col and exit 1 if any."""
    from simulator.rubric import load_rubric
    from simulator.yamlfile import FileProblems

    problems: list[str] = []
    ok = 0
    where: dict[str, Path] = {}
    for path in _files(paths):
        try:
            rubric = load_rubric(path)
        except FileProblems as exc:
            problems.extend(str(p) for p in exc.problems)
            continue
        found = fact_problems(rubric, path)
        if rubric.id in where:
            # Worded as 'rubrics list' reports it (simulator.rubric.load_rubrics): the later file is ignored.
            found.append(
                f"{path}:1:1: rubric id {rubric.id!r} is already defined in {where[rubric.id]}; this file is ignored"
            )
        else:
            where[rubric.id] = path
        problems.extend(found)
        ok += not found
    for line in problems:
        err_console().print(line, markup=False, soft_wrap=True)
    typer.echo(f"{counted(ok, 'rubric')} valid, {counted(len(problems), 'problem')}")
    if problems:
        raise typer.Exit(1)


@rubrics_app.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of the rubric format (committed as rubrics/rubric.schema.json)."""
    from simulator.rubric import rubric_schema

    typer.echo(json.dumps(rubric_schema(), indent=2, sort_keys=True))


@rubrics_app.command("list")
def list_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List the rubrics mhsim can see, with their instrument and version; broken files are named."""
    from rich.console import Console
    from rich.table import Table

    from simulator.rubric import load_rubrics

    rubrics, problems = load_rubrics()
    if as_json:
        out = [
            {"id": r.id, "version": r.version, "title": r.title, "instrument": r.instrument.name, "items": len(r.items)}
            for r in rubrics.values()
        ]
        typer.echo(json.dumps({"rubrics": out, "problems": [str(p) for p in problems]}, indent=2))
        return
    table = Table(title="Rubrics")
    for col in ("id", "version", "title", "instrument", "items"):
        table.add_column(col)
    for r in rubrics.values():
        table.add_row(r.id, r.version, r.title, r.instrument.name, str(len(r.items)))
    console = Console()
    console.print(table)
    for problem in problems:
        console.print(f"[red]broken:[/] {problem}", soft_wrap=True)


@rubrics_app.command("override")
def override_command(
    session: Annotated[str, typer.Argument(help="Session id (or a unique prefix).")],
    item: Annotated[str, typer.Argument(help="RUBRIC/ITEM, e.g. mi/reflection_to_question.")],
    reason: Annotated[str, typer.Option("--reason", help="Why the automatic score is wrong (required).")],
    educator: Annotated[str, typer.Option("--educator", help="Your name or pseudonym.")],
    status: Annotated[
        str | None, typer.Option("--status", help="met, partly, missed, critical_miss or not_applicable.")
    ] = None,
    score: Annotated[float | None, typer.Option("--score", help="The value you would give.")] = None,
) -> None:
    """Record an educator's override of one item score, with a reason (the automatic score is kept too)."""
    from pydantic import ValidationError

    from simulator.overrides import Override, score_problem

    _require_text(reason=reason, educator=educator)
    rubric, entry_item = _find_item(item)
    if score is not None and (problem := score_problem(rubric, entry_item, score)):
        fail(problem)
    with open_store() as store:
        session_id = _resolve(store, session)
        _require_scored(store, session_id, rubric.id, entry_item.id)
        try:
            entry = Override(
                session_id=session_id, rubric_id=rubric.id, item_id=entry_item.id, status=status, score=score,
                reason=reason.strip(), educator=educator.strip(),
            )
        except ValidationError as exc:
            fail(_entry_errors(exc))
        store.add_override(entry)
    typer.echo(f"Override recorded for {rubric.id}/{entry_item.id} in session {session_id}.")


@rubrics_app.command("rate")
def rate_command(
    session: Annotated[str, typer.Argument(help="Session id (or a unique prefix).")],
    item: Annotated[str, typer.Argument(help="RUBRIC/ITEM, e.g. mi/empathy_estimate.")],
    value: Annotated[
        float,
        typer.Argument(
            help="Your rating, a whole number on the item's scale: 1-5 for MITI global ratings (the mi "
            "*_estimate items), 1-4 for ENACT levels. Counts, ratios and checklists are corrected with "
            "'rubrics override' instead."
        ),
    ],
    rater: Annotated[str, typer.Option("--rater", help="Your name or pseudonym.")],
) -> None:
    """Record an educator's own rating of an item, for `mhsim rubrics calibrate`."""
    from pydantic import ValidationError

    from simulator.overrides import Rating, rating_problem

    _require_text(rater=rater)
    rubric, entry_item = _find_item(item)
    if problem := rating_problem(rubric, entry_item, value, session=session):
        fail(problem)
    with open_store() as store:
        session_id = _resolve(store, session)
        scored = _require_scored(store, session_id, rubric.id, entry_item.id)
        if scored.value is None:
            fail(
                f"{rubric.id}/{entry_item.id} has no automatic value in session {session_id[:10]} (it was "
                f"{scored.status.replace('_', ' ')}), so there is nothing for a rating to be compared with"
            )
        try:
            entry = Rating(
                session_id=session_id, rubric_id=rubric.id, item_id=entry_item.id, value=value, rater=rater.strip()
            )
        except ValidationError as exc:
            fail(_entry_errors(exc))
        store.add_rating(entry)
    typer.echo(f"Rating recorded for {rubric.id}/{entry_item.id} in session {session_id}.")


@rubrics_app.command("calibrate")
def calibrate_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """Agreement (Cohen's kappa, exact, within one) between automatic scores and educators' overrides/ratings."""
    from simulator.calibration import calibrate, judge_agreement

    with open_store() as store:
        report = calibrate(store.automatic_scores(), store.overrides(), store.ratings())
        stored_judgements = store.judgements()
        judged = (
            judge_agreement(stored_judgements, store.automatic_scores(), store.overrides(), store.ratings())
            if stored_judgements
            else None
        )

    def dump(a):
        return None if a is None else {"pairs": a.pairs, "exact": a.exact, "within_one": a.within_one, "kappa": a.kappa}

    if as_json:
        typer.echo(
            json.dumps(
                {
                    "outcomes": dump(report.outcomes),
                    "values": dump(report.values),
                    "per_item": {f"{r}/{i}": {k: dump(v) for k, v in g.items()} for (r, i), g in report.per_item.items()},
                    "unmatched": report.unmatched,
                    **({"llm_judge": _judge_json(judged, dump)} if judged is not None else {}),
                },
                indent=2,
            )
        )
        return
    if report.outcomes is None and report.values is None:
        typer.echo(
            "No educator overrides or ratings match a stored automatic score yet. Record some with "
            "'mhsim rubrics override' or 'mhsim rubrics rate'."
        )
        _judge_lines(judged)
        return
    for name, a in (("Outcomes (met/partly/missed)", report.outcomes), ("Values (levels, ratings)", report.values)):
        typer.echo(f"{name}: {_line(a)}")
    for (rubric_id, item_id), groups in report.per_item.items():
        for kind, a in groups.items():
            typer.echo(f"  {rubric_id}/{item_id} {kind}: {_line(a)}")
    if report.unmatched:
        typer.echo(
            f"{counted(report.unmatched, 'entry', 'entries')} had no stored automatic score for the same item and "
            f"{'was' if report.unmatched == 1 else 'were'} skipped."
        )
    _judge_lines(judged)


def _judge_json(judged, dump) -> dict:
    from simulator.judgements import judge_label

    return {
        "label": judge_label(", ".join(judged.models)),
        "judgements": judged.judgements,
        "models": judged.models,
        "vs_educators": dump(judged.vs_educators),
        "vs_automatic": dump(judged.vs_automatic),
        "per_global": {g: {k: dump(v) for k, v in groups.items()} for g, groups in judged.per_global.items()},
        "verdicts": judged.verdicts(),
    }


def _judge_lines(judged) -> None:
    """The LLM judge's agreement, when judgements are stored (labelled: not a trained rater)."""
    if judged is None:
        return
    from simulator.judgements import judge_label

    typer.echo(f"{judge_label(', '.join(judged.models))}: {counted(judged.judgements, 'session')} judged")
    typer.echo(f"  judge vs educators' ratings: {_line(judged.vs_educators)}")
    typer.echo(f"  judge vs automatic estimates: {_line(judged.vs_automatic)}")
    for name, groups in judged.per_global.items():
        for kind, a in groups.items():
            typer.echo(f"    {name} vs {kind}: {_line(a)}")
    for name, verdict in judged.verdicts().items():
        typer.echo(f"  {name}: {verdict}")


@rubrics_app.command("judge")
def judge_command(
    session: Annotated[str, typer.Argument(help="Session id (or a unique prefix).")],
    model: Annotated[
        str | None, typer.Option("--model", help="Judge model (litellm name); default: judge.model, else model.model.")
    ] = None,
    api_base: Annotated[
        str | None, typer.Option("--api-base", help="Server address for a local or proxy judge model.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """Ask an LLM judge for the MITI global ratings of a session, beside the automatic estimates (formative)."""
    from simulator.commands.judging import run_judge

    run_judge(session, model=model, api_base=api_base, as_json=as_json)


def _line(a) -> str:
    if a is None:
        return "no pairs"
    kappa = "undefined" if a.kappa is None else f"{a.kappa:.2f}"
    return f"{counted(a.pairs, 'pair')}, kappa {kappa}, exact {a.exact:.0%}, within one {a.within_one:.0%}"


def _find_item(item: str):
    """The (rubric, item) named ``RUBRIC/ITEM``, or a clean exit naming what exists."""
    rubric_id, sep, item_id = item.partition("/")
    if not sep or not rubric_id or not item_id:
        fail(f"'{item}': give the item as RUBRIC/ITEM, e.g. mi/reflection_to_question")
    from simulator.rubric import load_rubrics

    rubrics, _ = load_rubrics()
    if rubric_id not in rubrics:
        fail(f"unknown rubric '{rubric_id}' (known: {', '.join(sorted(rubrics))})")
    rubric = rubrics[rubric_id]
    try:
        return rubric, rubric.item(item_id)
    except KeyError:
        ids = ", ".join(i.id for i in rubric.items)
        fail(f"rubric '{rubric_id}' has no item '{item_id}' (items: {ids})")


# The command-line name of each field of an override or rating, so errors say what to fix.
_OPTION_NAMES = {
    "reason": "--reason", "educator": "--educator", "rater": "--rater", "status": "--status", "score": "--score",
    "value": "VALUE",
}


def _require_text(**fields: str) -> None:
    """Exit naming the first option given as empty (or only spaces): a reason or a name must say something."""
    for name, text in fields.items():
        if not text.strip():
            fail(f"{_OPTION_NAMES[name]} must not be empty")


def _entry_errors(exc) -> str:
    """A pydantic error on an override or rating, worded with the command-line names of the fields."""
    parts = []
    for error in exc.errors(include_url=False):
        message = str(error["msg"]).removeprefix("Value error, ")
        field = str(error["loc"][0]) if error["loc"] else ""
        option = _OPTION_NAMES.get(field)
        if error["type"] == "string_too_short" and option:
            parts.append(f"{option} must not be empty")
        elif option:
            parts.append(f"{option}: {message}")
        elif "needs a status, a score or both" in message:
            parts.append("give --status, --score or both")
        else:
            parts.append(message)
    return "; ".join(parts)


def _require_scored(store, session_id: str, rubric_id: str, item_id: str):
    """The session's stored score of this item; exit if there is none: calibration compares with that score.

    An unfinished session has no scores yet (they are saved when it ends); a scenario that does not use the
    rubric never had the item scored.
    """
    score = store.scores(session_id)
    info = store.session(session_id)
    short = session_id[:10]
    if score is None:
        fail(
            f"session {short} has no scores yet (it is {info.status}): scores are saved when a session ends. "
            f"Finish it with 'mhsim sessions resume {short}' (or from History, F3, in the app), then try again."
        )
    scored = {r.rubric_id: r for r in score.rubrics}
    if rubric_id not in scored:
        used = ", ".join(scored) or "none"
        fail(
            f"session {short} was not scored with rubric '{rubric_id}': its scenario {info.scenario_id} uses "
            f"{used}"
        )
    found = next((i for i in scored[rubric_id].items if i.item_id == item_id), None)
    if found is None:
        version = scored[rubric_id].rubric_version
        items = ", ".join(i.item_id for i in scored[rubric_id].items)
        fail(
            f"session {short} was scored with {rubric_id} version {version}, which has no item '{item_id}' "
            f"(its items: {items})"
        )
    return found


def _resolve(store, prefix: str) -> str:
    from simulator.store import SessionNotFound

    try:
        return store.resolve_id(prefix)
    except (SessionNotFound, KeyError, ValueError) as exc:
        fail(str(exc).strip("'\""))
