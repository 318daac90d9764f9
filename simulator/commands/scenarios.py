"""``mhsim scenarios list|validate|schema|test|lint|compare``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from simulator.wording import counted

from .common import err_console, fail, literal

if TYPE_CHECKING:
    from simulator.library import Library

scenarios_app = typer.Typer(help="List, validate, test, lint and compare scenarios.", no_args_is_help=True)

ExtraDirs = Annotated[
    list[Path] | None, typer.Option("--scenarios", help="Another folder of scenarios (repeatable).")
]
Targets = Annotated[
    list[str] | None,
    typer.Argument(help="Scenario files, folders or ids (default: every scenario in the library).", show_default=False),
]


def _difficulty_option(value: str | None) -> str | None:
    """``--difficulty``: one of the scenario format's difficulties, in any case; anything else is a usage error."""
    if value is None:
        return None
    from typing import get_args

    from simulator.scenario import Scenario

    valid = get_args(Scenario.model_fields["difficulty"].annotation)
    folded = value.strip().lower()
    if folded not in valid:
        raise typer.BadParameter(f"{value!r} is not a difficulty; use one of: {', '.join(valid)}.")
    return folded


def _tag_option(value: str | None) -> str | None:
    """``--tag``: one of the seven challenge ids, in any case and with '-' for '_'; else a usage error that
    names the nearest tag and lists them all."""
    if value is None:
        return None
    import difflib

    from simulator.codes import Challenge

    valid = [c.value for c in Challenge]
    folded = value.strip().lower().replace("-", "_")
    if folded in valid:
        return folded
    near = [v for v in valid if folded and (v.startswith(folded) or folded in v)]
    near += difflib.get_close_matches(folded, valid, n=3, cutoff=0.6)
    near = list(dict.fromkeys(near))[:3]
    hint = f" Did you mean {' or '.join(repr(v) for v in near)}?" if near else ""
    raise typer.BadParameter(f"{value!r} is not a challenge tag.{hint} Tags: {', '.join(valid)}.")


def _library(extra: list[Path] | None) -> Library:
    """The library with any ``--scenarios`` folders; a folder that does not exist is a clean error."""
    from simulator.library import Library

    for folder in extra or ():
        if not folder.is_dir():
            fail(f"--scenarios {folder}: no such folder")
    return Library.discover(extra or ())


def _library_notes(library: Library) -> None:
    """Tell the user about folders the config names but that are missing, and a broken config file."""
    console = err_console()
    for problem in library.config_problems:
        console.print(
            literal(("config:", "yellow"), f" {problem} (its scenario folders are not searched)"), soft_wrap=True
        )
    for folder in library.missing:
        note = literal(("note:", "yellow"), f" scenario folder {folder.path} ({folder.source}) does not exist")
        console.print(note, soft_wrap=True)


def _target_files(targets: list[str] | list[Path] | None, extra: list[Path] | None) -> list[Path]:
    """The scenario files named by files, folders or ids; with none named, every file in the library's folders.

    ``--scenarios`` folders are part of the library: searched when nothing is named, and for ids.
    """
    from simulator.library import SUFFIX, UnknownScenario, library_folders, scenario_files

    for folder in extra or ():
        if not folder.is_dir():
            fail(f"--scenarios {folder}: no such folder")
    if not targets:
        folders, _problems = library_folders(extra or ())
        return _unique(scenario_files([f.path for f in folders if f.path.is_dir()]))
    named: list[Path] = []
    library = None
    for target in map(str, targets):
        path = Path(target)
        if path.exists() or target.endswith((".yaml", ".yml")) or "/" in target:
            named.append(path)
            continue
        library = library or _library(extra)
        entry = next((e for e in library.entries if e.scenario and e.scenario.id == target), None)
        entry = entry or next((e for e in library.entries if e.path.name == target + SUFFIX), None)
        if entry is None:
            try:
                library.get(target)
            except UnknownScenario as exc:
                fail(str(exc))
            fail(f"no scenario file found for {target!r}")
        named.append(entry.path)
    files = scenario_files(named)
    if not files:
        fail("no scenario files found (they end in .scenario.yaml)")
    return _unique(files)


def _unique(files: list[Path]) -> list[Path]:
    seen: set[Path] = set()
    out = []
    for path in files:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            out.append(path)
    return out


@scenarios_app.command("list")
def list_command(
    scenarios: ExtraDirs = None,
    tag: Annotated[
        str | None, typer.Option(help="Only scenarios tagged with this challenge id, e.g. privacy_security.",
                                 callback=_tag_option)
    ] = None,
    difficulty: Annotated[
        str | None, typer.Option(help="beginner, intermediate or advanced.", callback=_difficulty_option)
    ] = None,
    language: Annotated[str | None, typer.Option(help="Language tag, e.g. en.")] = None,
    rubric: Annotated[str | None, typer.Option(help="Only scenarios scored with this rubric.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List the scenarios mhsim can see, broken files included."""
    from rich.console import Console
    from rich.table import Table

    library = _library(scenarios)
    _library_notes(library)
    used: set[Path] = set()
    taken: set[str] = set()
    for entry in library.entries:
        if entry.scenario and entry.scenario.id not in taken:
            taken.add(entry.scenario.id)
            used.add(entry.path)
    rows = [
        (e, e.scenario)
        for e in library.entries
        if (s := e.scenario) is not None
        and (tag is None or tag in s.challenges)
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
                "source": e.source,
                "path": str(e.path),
                "used": e.path in used,
            }
            for e, s in rows
        ]
        broken = [{"path": str(e.path), "problems": [str(p) for p in e.problems]} for e in library.broken]
        conflicts = {sid: [str(p) for p in paths] for sid, paths in library.conflicts().items()}
        typer.echo(json.dumps({"scenarios": out, "broken": broken, "conflicts": conflicts}, indent=2))
        return
    table = Table(title="Scenarios", show_lines=False)
    # The id is what the user types: never cut or wrapped; the other columns wrap instead.
    table.add_column("id", no_wrap=True, min_width=max((len(s.id) for _e, s in rows), default=2))
    for col in ("title", "difficulty", "challenges", "rubrics", "from"):
        table.add_column(col)
    for e, s in rows:
        source = e.source if e.path in used else f"{e.source} (not used: id taken)"
        cells = (s.id, s.title, s.difficulty, ", ".join(c.value for c in s.challenges), ", ".join(s.rubrics), source)
        table.add_row(*map(literal, cells))
    console = Console()
    console.print(table)
    for entry in library.broken:
        console.print(
            literal(
                ("broken:", "red"),
                f" {entry.path} ({counted(len(entry.problems), 'problem')}; run 'mhsim scenarios validate')",
            )
        )
    for sid, paths in library.conflicts().items():
        console.print(
            literal(
                ("conflict:", "yellow"), f" id {sid!r} is defined in {', '.join(map(str, paths))}; the first is used"
            )
        )


@scenarios_app.command("validate")
def validate_command(paths: Targets = None, scenarios: ExtraDirs = None) -> None:
    """Check scenario files; print every problem as file:line:col and exit 1 if any."""
    from simulator.library import duplicate_id_problems, known_rubric_ids, load_scenario
    from simulator.yamlfile import FileProblems

    files = _target_files(paths, scenarios)
    rubric_ids = known_rubric_ids()
    bad = 0
    loaded: list[tuple[str, Path]] = []
    for path in files:
        if not path.exists():
            typer.echo(f"{path}:1:1: file not found")
            bad += 1
            continue
        try:
            loaded.append((load_scenario(path, rubric_ids).id, path))
        except FileProblems as exc:
            bad += 1
            for problem in exc.problems:
                typer.echo(str(problem))
    # Two files with one id: the library uses only the first, so the later ones are not valid to have.
    duplicates = duplicate_id_problems(loaded)
    for problem in duplicates:
        typer.echo(str(problem))
    bad += len({p.path for p in duplicates})
    summary = f"{len(files) - bad} of {counted(len(files), 'scenario file')} valid"
    err_console().print(summary, markup=False)
    if bad:
        raise typer.Exit(1)


@scenarios_app.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of the scenario format."""
    from simulator.scenario import schema

    typer.echo(json.dumps(schema(), indent=2, sort_keys=True))


@scenarios_app.command("test")
def test_command(
    paths: Targets = None,
    scenarios: ExtraDirs = None,
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            help="Voice the patient with this language model (litellm name, e.g. ollama/llama3.2) instead of the "
            "scripted engine, to check that a model keeps the patient's behaviour.",
        ),
    ] = None,
    api_base: Annotated[
        str | None, typer.Option("--api-base", help="Server address of the model (with --model).")
    ] = None,
) -> None:
    """Run the scenario tests and report each, with the turn where an expectation failed."""
    from rich.console import Console

    from simulator.library import known_rubric_ids, load_scenario
    from simulator.yamlfile import FileProblems

    if api_base and not model:
        fail("--api-base needs --model")
    files = _target_files(paths, scenarios)
    loaded = []
    rubric_ids = known_rubric_ids()
    for path in files:
        try:
            loaded.append(load_scenario(path, rubric_ids))
        except FileProblems as exc:
            fail("cannot test a broken scenario:\n" + "\n".join(str(p) for p in exc.problems))
    engines = _model_engines(loaded, model, api_base) if model else {}
    results = _run_all(loaded, engines)
    console = Console(highlight=False, soft_wrap=True)  # one line per failure, whatever the terminal width
    for r in results:
        mark = ("PASS", "green") if r.passed else ("FAIL", "red")
        console.print(literal(mark, f" {r.scenario_id}: {r.name}"))
        for failure in r.failures:
            console.print(literal(f"     {failure}"))  # replies may hold "[long pause]": print verbatim
    passed = sum(r.passed for r in results)
    voiced = f" (patient voiced by {model})" if model else ""
    console.print(literal(f"{passed} passed, {len(results) - passed} failed{voiced}"))
    if passed != len(results):
        raise typer.Exit(1)


def _run_all(loaded, engines) -> list:
    """Every test of every scenario; an engine that cannot reply fails that test with its message."""
    import asyncio

    from simulator.engine import EngineError
    from simulator.rehearsal import TestResult, run_test
    from simulator.rubric import load_rubrics

    rubrics, _broken = load_rubrics()

    async def _all() -> list[TestResult]:
        results = []
        for scenario in loaded:
            for test in scenario.tests:
                try:
                    result = await run_test(scenario, test, engine=engines.get(scenario.id), rubrics=rubrics)
                except EngineError as exc:
                    result = TestResult(scenario.id, test.name, [f"the patient engine could not reply: {exc}"])
                results.append(result)
        return results

    return asyncio.run(_all())


LLM_UNAVAILABLE = "the LLM engine is not available"


def _model_engines(loaded, model: str, api_base: str | None) -> dict:
    """One language-model engine per scenario (settings and consent as for 'mhsim chat --model'), or a clean
    exit when the engine cannot be used. Declining to send is an exit too: the tests would not test the model."""
    from simulator.engine import ScriptedEngine

    try:
        from .llm import prepare_engine
    except ImportError as exc:
        fail(f"{LLM_UNAVAILABLE} in this installation ({exc}); install it with: pip install 'mhsim[llm]'")
    engines = {}
    for scenario in loaded:
        try:
            engine = prepare_engine(scenario, model, api_base)
        except ImportError as exc:
            fail(f"{LLM_UNAVAILABLE} in this installation ({exc}); install it with: pip install 'mhsim[llm]'")
        if isinstance(engine, ScriptedEngine):
            fail("nothing was sent to the model, so the tests were not run against it")
        engines[scenario.id] = engine
    return engines


@scenarios_app.command("lint")
def lint_command(
    paths: Targets = None,
    scenarios: ExtraDirs = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the findings as JSON.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 on warnings too, not only on errors.")] = False,
    rules: Annotated[bool, typer.Option("--rules", help="List the lint rules and exit.")] = False,
) -> None:
    """Check what validation cannot: untested facts, topics without lines, unreachable trust, missing content
    warnings, unmeasured objectives and more. Runs each scenario's tests. Exit 1 on any error."""
    from simulator.lint import RULES, lint_files
    from simulator.rubric import load_rubrics

    if rules:
        for rule in RULES.values():
            typer.echo(f"{rule.id:<28} {rule.severity:<8} {rule.summary}")
        return
    files = _target_files(paths, scenarios)
    known: dict[str, list[Path]] = {}
    if paths:
        # Named files are checked against the whole library for ids already taken.
        for entry in _library(scenarios).entries:
            if entry.scenario:
                known.setdefault(entry.scenario.id, []).append(entry.path)
    rubrics, rubric_problems = load_rubrics()
    for problem in rubric_problems:
        err_console().print(literal(("rubric:", "yellow"), f" {problem}"), soft_wrap=True)
    results = lint_files(files, rubrics, known)
    findings = [f for r in results for f in r.findings]
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    if as_json:
        out = {
            "files": len(results),
            "errors": errors,
            "warnings": warnings,
            "findings": [f.as_dict() for f in findings],
        }
        typer.echo(json.dumps(out, indent=2))
    else:
        for finding in findings:
            typer.echo(str(finding))
        clean = sum(not r.findings for r in results)
        err_console().print(
            f"{counted(len(results), 'scenario file')} linted: {counted(errors, 'error')}, "
            f"{counted(warnings, 'warning')}; {clean} clean",
            markup=False,
        )
    if errors or (strict and warnings):
        raise typer.Exit(1)


@scenarios_app.command("compare")
def compare_command(
    first: Annotated[str, typer.Argument(help="Scenario id or file (A).")],
    second: Annotated[str, typer.Argument(help="Scenario id or file (B).")],
    script: Annotated[Path, typer.Option("--script", "-s", help="Text file of trainee lines, one per line.")],
    seed: Annotated[int, typer.Option(help="Seed for the scripted patient's choice of lines.")] = 0,
    scenarios: ExtraDirs = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the comparison as JSON.")] = False,
) -> None:
    """Play the same trainee lines against two scenarios and compare their scores item by item.

    For counterfactual pairs (the same patient with another name, dialect or background): the scores should be
    equal. Exit 1 when any item differs.
    """
    from simulator.counterfactual import compare_scenarios

    from .common import resolve_scenario
    from .play import read_script

    lines = read_script(script)
    if not lines:
        fail(f"{script} has no trainee lines")
    a = resolve_scenario(first, scenarios or ())
    b = resolve_scenario(second, scenarios or ())
    result = compare_scenarios(a, b, lines, seed=seed)
    if as_json:
        typer.echo(json.dumps(result.as_dict(), indent=2))
    else:
        _print_comparison(result)
    if not result.equal:
        raise typer.Exit(1)


def _print_comparison(result) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from .render import score_renderable, status_text

    console = Console(highlight=False)
    for tag, session in (("A", result.a), ("B", result.b)):
        scenario = session.scenario
        console.rule(literal(f"{tag}: {scenario.id} · {scenario.persona.name}"))
        if session.score:
            console.print(score_renderable(session.score))
    table = Table(title="Item by item", title_justify="left", expand=True)
    table.add_column("item", ratio=3, overflow="fold")
    table.add_column("A", ratio=2)
    table.add_column("B", ratio=2)
    table.add_column("same", ratio=1)
    for row in result.rows:
        same = Text("yes", style="green") if row.same else Text("NO", style="bold red")
        item = Text(row.title)
        item.append(f"\n{row.key}", style="dim")
        table.add_row(item, _cell(row.a, status_text), _cell(row.b, status_text), same)
    console.print(table)
    for note in result.notes:
        console.print(literal(("note:", "yellow"), f" {note}"))
    if result.equal:
        n = len(result.rows)
        items = "the one item scores" if n == 1 else f"all {n} items score"
        console.print(f"[green]Equal:[/] {items} the same in A and B.")
    else:
        console.print(f"[red]Different:[/] {len(result.differences)} of {len(result.rows)} items differ.")


def _cell(outcome, status_text):
    from rich.text import Text

    if outcome is None:
        return Text("not scored", style="dim")
    text = status_text(outcome.status)
    if outcome.shown:
        text.append(f" {outcome.shown}")
    return text
