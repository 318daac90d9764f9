"""``mhsim scenarios list|validate|schema|test``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from .common import err_console, fail, load_library

scenarios_app = typer.Typer(help="List, validate and test scenarios.", no_args_is_help=True)

ExtraDirs = Annotated[
    list[Path] | None, typer.Option("--scenarios", help="Another folder of scenarios (repeatable).")
]


@scenarios_app.command("list")
def list_command(
    scenarios: ExtraDirs = None,
    tag: Annotated[str | None, typer.Option(help="Only scenarios tagged with this challenge.")] = None,
    difficulty: Annotated[str | None, typer.Option(help="beginner, intermediate or advanced.")] = None,
    language: Annotated[str | None, typer.Option(help="Language tag, e.g. en.")] = None,
    rubric: Annotated[str | None, typer.Option(help="Only scenarios scored with this rubric.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List the scenarios mhsim can see, broken files included."""
    from rich.console import Console
    from rich.table import Table

    library = load_library(scenarios or ())
    rows = [
        s
        for s in library.scenarios
        if (tag is None or tag in s.challenges)
        and (difficulty is None or s.difficulty == difficulty)
        and (language is None or s.language == language)
        and (rubric is None or rubric in s.rubrics)
    ]
    if as_json:
        out = [
            {
                "id": s.id,
                "version": s.version,
                "title": s.title,
                "difficulty": s.difficulty,
                "language": s.language,
                "challenges": [c.value for c in s.challenges],
                "rubrics": s.rubrics,
            }
            for s in rows
        ]
        broken = [{"path": str(e.path), "problems": [str(p) for p in e.problems]} for e in library.broken]
        typer.echo(json.dumps({"scenarios": out, "broken": broken}, indent=2))
        return
    table = Table(title="Scenarios", show_lines=False)
    for col in ("id", "title", "difficulty", "challenges", "rubrics"):
        table.add_column(col)
    for s in rows:
        table.add_row(s.id, s.title, s.difficulty, ", ".join(c.value for c in s.challenges), ", ".join(s.rubrics))
    console = Console()
    console.print(table)
    for entry in library.broken:
        console.print(f"[red]broken:[/] {entry.path} ({len(entry.problems)} problem(s); run 'mhsim scenarios validate')")
    for sid, paths in library.conflicts().items():
        console.print(f"[yellow]conflict:[/] id {sid!r} is defined in {', '.join(map(str, paths))}; the first is used")


@scenarios_app.command("validate")
def validate_command(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders (default: every known scenario).")] = None,
) -> None:
    """Check scenario files; print every problem as file:line:col and exit 1 if any."""
    from simulator.library import known_rubric_ids, load_scenario, scenario_dirs, scenario_files
    from simulator.yamlfile import FileProblems

    targets = list(paths or [])
    if not targets:
        targets = [d for d, _ in scenario_dirs() if d.is_dir()]
    files = scenario_files(targets)
    if paths and not files:
        fail("no scenario files found (they end in .scenario.yaml)")
    rubric_ids = known_rubric_ids()
    bad = 0
    for path in files:
        if not path.exists():
            typer.echo(f"{path}:1:1: file not found")
            bad += 1
            continue
        try:
            load_scenario(path, rubric_ids)
        except FileProblems as exc:
            bad += 1
            for problem in exc.problems:
                typer.echo(str(problem))
    summary = f"{len(files) - bad} of {len(files)} scenario file(s) valid"
    err_console().print(summary)
    if bad:
        raise typer.Exit(1)


@scenarios_app.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of the scenario format."""
    from simulator.scenario import schema

    typer.echo(json.dumps(schema(), indent=2, sort_keys=True))


@scenarios_app.command("test")
def test_command(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders (default: every known scenario).")] = None,
    scenarios: ExtraDirs = None,
) -> None:
    """Run the scenario tests and report each, with the turn where an expectation failed."""
    from rich.console import Console

    from simulator.library import known_rubric_ids, load_scenario, scenario_files
    from simulator.rehearsal import run_tests
    from simulator.yamlfile import FileProblems

    if paths:
        loaded = []
        rubric_ids = known_rubric_ids()
        for path in scenario_files(paths):
            try:
                loaded.append(load_scenario(path, rubric_ids))
            except FileProblems as exc:
                fail("cannot test a broken scenario:\n" + "\n".join(str(p) for p in exc.problems))
    else:
        loaded = load_library(scenarios or ()).scenarios
    results = run_tests(loaded)
    console = Console(highlight=False)
    for r in results:
        mark = "[green]PASS[/]" if r.passed else "[red]FAIL[/]"
        console.print(f"{mark} {r.scenario_id}: {r.name}")
        for failure in r.failures:
            console.print(f"     {failure}")
    passed = sum(r.passed for r in results)
    console.print(f"{passed} passed, {len(results) - passed} failed")
    if passed != len(results):
        raise typer.Exit(1)
