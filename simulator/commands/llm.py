"""``mhsim doctor``, ``mhsim config`` (show/get/set/unset, consent), ``mhsim sessions usage``, and the engine
choice behind ``--model``/``--api-base`` on ``chat`` and ``play``.

Nothing here imports litellm at module level; the doctor and an LLM session import it when they run.
"""

from __future__ import annotations

import difflib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .common import err_console, fail, open_store

if TYPE_CHECKING:
    from simulator.config import Config
    from simulator.engine import PatientEngine
    from simulator.scenario import Scenario

ModelOption = Annotated[
    str | None,
    typer.Option(
        "--model",
        help="Let a language model play the patient (litellm name: ollama/llama3.2, openai/gpt-4o-mini).",
    ),
]
ApiBaseOption = Annotated[
    str | None,
    typer.Option(
        "--api-base", help="Server address for a local or proxy model, e.g. http://127.0.0.1:11434."
    ),
]



def _read_config(read):
    """``read()`` (the validated config or the file's raw data); a broken file ends the command with its problems."""
    from simulator.config import config_path
    from simulator.yamlfile import FileProblems

    try:
        return read()
    except FileProblems as exc:
        fail(
                f"the config file {config_path()} has problems:\n" + "\n".join(str(p) for p in exc.problems)
            
        )


def _load_config() -> Config:
    from simulator.config import load_config

    return _read_config(load_config)


def _ask_consent(text: str, *, action: str) -> bool:
    """Show what will be sent and to whom; True when the trainee agrees."""
    console = err_console()
    console.rule("Before anything is sent")
    console.print(text, markup=False, highlight=False)
    try:
        return typer.confirm(f"\n{action}", default=False, err=True)
    except (typer.Abort, EOFError):
        return False


def prepare_engine(
    scenario: Scenario, model: str | None, api_base: str | None, *, chunk_delay: float = 0.0
) -> PatientEngine:
    """The engine for ``chat``/``play``: scripted unless ``--model`` or ``engine: llm``; consent if remote."""
    from simulator.llm.choose import NoModel, model_settings

    try:
        settings = model_settings(_load_config(), scenario.id, model=model, api_base=api_base)
    except NoModel as exc:
        fail(str(exc))
    if settings is None:
        from simulator.engine import ScriptedEngine

        return ScriptedEngine(chunk_delay=chunk_delay)
    from simulator.llm.adapter import NOT_INSTALLED, version

    if version() is None:
        fail(NOT_INSTALLED)
    from simulator.llm.consent import consent_request, record_consent
    from simulator.llm.engine import LLMEngine

    request = consent_request(settings, scenario)
    if request.needed:
        if not _ask_consent(request.text, action=f"Send this session to {request.recipient.label}?"):
            err_console().print("Nothing was sent. The scripted patient will play instead.")
            from simulator.engine import ScriptedEngine

            return ScriptedEngine(chunk_delay=chunk_delay)
        record_consent(request.recipient)
    engine = LLMEngine(settings)
    err_console().print(f"[dim]patient played by {engine.describe()}[/]")
    return engine


_SEEN_VERSIONS: set[tuple[str, str]] = set()


def engine_notes(session) -> list[str]:
    """New things to tell the trainee after a reply: the model version the provider reports, a fallback."""
    turn = session.turns[-1] if session.turns else None
    usage = getattr(turn, "usage", None)
    if turn is None or turn.speaker != "patient" or usage is None:
        return []
    notes = []
    if usage.model_version and (session.id, usage.model_version) not in _SEEN_VERSIONS:
        _SEEN_VERSIONS.add((session.id, usage.model_version))
        notes.append(f"model reports version {usage.model_version}")
    failed = sorted({c.check.replace("_", " ") for c in turn.checks if not c.passed})
    if usage.outcome == "scripted":
        notes.append(
            f"the model's drafts failed the checks ({', '.join(failed)}); the scripted line was used"
        )
    elif usage.outcome in ("regenerated", "trimmed"):
        notes.append(f"reply {usage.outcome} after a failed check ({', '.join(failed)})")
    return notes


# ----------------------------------------------------------------------------------------------- doctor


def doctor_command(
    model: ModelOption = None,
    api_base: ApiBaseOption = None,
    scenario: Annotated[
        str | None,
        typer.Option(help="Scenario whose model override to check (and to use for the test turn)."),
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Send the test to a remote model without asking.")
    ] = False,
    offline: Annotated[bool, typer.Option(help="Only the checks that need no network.")] = False,
) -> None:
    """Check the configured language model: key, reachable, streaming, a test reply in character."""
    import asyncio

    from simulator.library import UnknownScenario
    from simulator.llm.choose import NoModel, model_settings
    from simulator.llm.consent import consent_request
    from simulator.llm.doctor import diagnose
    from simulator.yamlfile import FileProblems

    from .common import load_library

    config = _load_config()
    library = load_library()
    try:
        found = library.resolve(scenario) if scenario else _doctor_scenario(library)
    except (UnknownScenario, FileProblems, OSError) as exc:  # plain words, no traceback
        fail(str(exc))
    try:
        settings = model_settings(config, found.id, model=model, api_base=api_base)
    except NoModel as exc:
        fail(str(exc))
    if settings is None:  # engine is scripted and no --model: still check the configured model, if any
        from simulator.config import model_for

        settings = model_for(config, found.id)
    network = not offline
    if network and settings.model and not yes:
        request = consent_request(settings, found)
        text = (
            f"The doctor sends a 'say hello' test and one practice line of the fictional scenario "
            f"'{found.title}' to {request.recipient.label}. None of your sessions is sent."
        )
        if request.needed and not _ask_consent(text, action="Send the test?"):
            network = False
    steps = asyncio.run(diagnose(settings, found, network=network))
    _print_steps(steps)
    if any(step.ok is False for step in steps):
        raise typer.Exit(1)


def _doctor_scenario(library):
    """The scenario for the test turn: the low-mood built-in when present, else the first that loads."""
    scenarios = library.scenarios
    for scenario in scenarios:
        if scenario.id == "low-mood-passive-si":
            return scenario
    if not scenarios:
        fail("no scenario is available for the test turn")
    return scenarios[0]


def _print_steps(steps) -> None:
    from rich.console import Console
    from rich.text import Text

    console = Console(highlight=False)
    marks = {True: ("✔", "green"), False: ("✘", "bold red"), None: ("·", "cyan")}
    for step in steps:
        mark, style = marks[step.ok]
        line = Text()
        line.append(f"{mark} ", style=style)
        line.append(f"{step.name}: ", style="bold")
        line.append(step.detail)
        console.print(line)


# ----------------------------------------------------------------------------------------------- config

config_app = typer.Typer(
    help="Show and change settings: engine, model, per-scenario models, coach, theme, consent for models.",
    no_args_is_help=True,
)
consent_app = typer.Typer(help="What you agreed to send to remote models; take it back at any time.")
config_app.add_typer(consent_app, name="consent")


def _parts(key: str) -> list[str]:
    """The path of a setting. Binding ids hold dots themselves, so everything after ``keymap.`` is one id."""
    key = key.strip()
    head, dot, rest = key.partition(".")
    if head == "keymap" and dot:
        if not rest.strip():
            fail("give a binding id after 'keymap.', e.g. keymap.encounter.end")
        return [head, rest.strip()]
    parts = [p for p in key.split(".") if p]
    if not parts:
        fail("give a setting name, e.g. model.model or scenario_models.<scenario-id>.model")
    return parts


def _known_keys() -> list[str]:
    from simulator.config import Config, ModelConfig

    keys = list(Config.model_fields)
    keys += [f"model.{k}" for k in ModelConfig.model_fields]
    keys += [f"judge.{k}" for k in ModelConfig.model_fields]
    keys += [f"scenario_models.<scenario-id>.{k}" for k in ModelConfig.model_fields]
    keys += ["keymap.<binding-id>"]
    return keys


def _check_key(parts: list[str]) -> None:
    """Unknown names fail with the nearest known one (typos never pass silently)."""
    from simulator.config import Config, ModelConfig

    top = parts[0]
    if top not in Config.model_fields:
        near = difflib.get_close_matches(top, list(Config.model_fields), n=1)
        hint = f"; did you mean '{near[0]}'?" if near else f". Known: {', '.join(_known_keys())}"
        fail(f"unknown setting '{'.'.join(parts)}'{hint}")
    model_key = None
    if top in ("model", "judge") and len(parts) > 1:
        model_key = parts[1]
    elif top == "scenario_models" and len(parts) > 2:
        model_key = parts[2]
    if model_key is not None and model_key not in ModelConfig.model_fields:
        near = difflib.get_close_matches(model_key, list(ModelConfig.model_fields), n=1)
        hint = f"; did you mean '{near[0]}'?" if near else ""
        fail(f"unknown model setting '{model_key}'{hint} (known: {', '.join(ModelConfig.model_fields)})")


def _get(data: Any, parts: list[str]) -> Any:
    for part in parts:
        if isinstance(data, dict) and part in data:
            data = data[part]
        else:
            raise KeyError(part)
    return data


def _dump(value: Any) -> str:
    import yaml

    if value is None or isinstance(value, (str, int, float, bool)):
        return "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
    return yaml.safe_dump(value, sort_keys=False, allow_unicode=True).rstrip()


def _file_data() -> dict[str, Any]:
    """What the config file holds, unvalidated, so `set` and `unset` can also repair a broken value."""
    from simulator.config import config_data

    return _read_config(config_data)


def _save(data: dict[str, Any], parts: list[str] | None = None, value: Any = None) -> None:
    """Validate the whole configuration and write it, or say what is wrong (never echoing a key in full)."""
    from pydantic import ValidationError

    from simulator.config import Config, config_path, looks_like_key, save_config

    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        problems = "; ".join(f"{'.'.join(str(x) for x in err['loc'])}: {err['msg']}" for err in errors)
        notes = []
        if parts and parts[0] in _LIST_SETTINGS and any(err["loc"][:1] == (parts[0],) for err in errors):
            notes.append(f"{parts[0]} is a list: give each item as its own value, or one YAML list [a, b]")
        if parts and parts[-1] == "api_key_env" and isinstance(value, str) and looks_like_key(value):
            notes.append("if that was a real key, it is now in your shell history: consider revoking it")
        elsewhere = sorted({str(err["loc"][0]) for err in errors} - {parts[0]}) if parts else []
        if elsewhere:
            notes.append(
                f"the file already had a problem in {', '.join(elsewhere)}: fix it with 'mhsim config set' or "
                f"'mhsim config unset', or edit {config_path()}"
            )
        fail(f"not saved: {problems}" + "".join(f"\n{note}" for note in notes))
    path = save_config(config, config_path())
    err_console().print(f"saved {path}")


# Settings that are lists; `config set` takes their items as separate values.
_LIST_SETTINGS = ("scenario_dirs", "crisis_resources")


def _value(parts: list[str], values: list[str]) -> Any:
    """The value to store, from the command-line words: YAML, except for keys and folders, taken as written."""
    import yaml

    def parsed(text: str) -> Any:
        try:
            return yaml.safe_load(text) if text.strip() else ""
        except yaml.YAMLError:
            return text  # not YAML: take the words as they are

    name = ".".join(parts)
    if len(parts) == 1 and parts[0] in _LIST_SETTINGS:
        if len(values) == 1 and values[0].lstrip().startswith("["):
            return parsed(values[0])
        # Folder names are never YAML ('yes', '1.0' and 'null' are folder names too).
        return list(values) if parts[0] == "scenario_dirs" else [parsed(v) for v in values]
    if len(values) > 1:
        hint = "; several keys go in one value separated by commas: ctrl+x,f9" if parts[0] == "keymap" else ""
        fail(f"'{name}' takes one value, not {len(values)} (quote a value that has spaces){hint}")
    if parts[0] == "keymap" and len(parts) == 2:
        return values[0].strip()
    return parsed(values[0])


_MODIFIERS = ("ctrl", "shift", "alt", "meta", "super", "hyper")


def _key_problem(keys: str) -> str | None:
    """Why ``keys`` (comma-separated, e.g. 'ctrl+x,f9') is not a key the app can bind, or None."""
    from textual.keys import KEY_NAME_REPLACEMENTS, Keys, key_to_character

    named = {k.value.rpartition("+")[2] for k in Keys if not k.value.startswith("<")}
    named |= set(KEY_NAME_REPLACEMENTS.values())
    for key in (k.strip() for k in keys.split(",")):
        if not key:
            return f"empty key in {keys!r}; separate keys with single commas, e.g. ctrl+x,f9"
        if len(key) == 1:
            continue  # any single character
        *mods, name = key.split("+")
        bad = [m for m in mods if m not in _MODIFIERS]
        if bad:
            return f"unknown modifier {bad[0]!r} in {key!r}; modifiers are {', '.join(_MODIFIERS)} (lowercase)"
        if not name:
            return f"no key after {key!r}; e.g. ctrl+x"
        char = key_to_character(name) if len(name) > 1 and name not in named else name
        if char is None or not char.isprintable():  # e.g. 'esc' names a control character, not a key
            near = difflib.get_close_matches(name, sorted(named), n=1)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            return f"unknown key {name!r} in {key!r}{hint} (e.g. x, f9, escape, enter, pageup, question_mark)"
    return None


def _check_keymap(keymap: Any) -> None:
    """Every binding id is one of the app's, every key one it can bind (the TUI is imported only here)."""
    if not isinstance(keymap, dict):
        return  # validation says what is wrong with the shape
    from simulator.tui.app import MhsimApp

    ids = MhsimApp.binding_ids()
    for binding_id, keys in keymap.items():
        if str(binding_id) not in ids:
            near = difflib.get_close_matches(str(binding_id), sorted(ids), n=1)
            hint = f"did you mean '{near[0]}'?" if near else "F1 on a screen of the app lists its keys and their ids"
            fail(f"not saved: unknown binding id '{binding_id}'; {hint}")
        problem = _key_problem(keys) if isinstance(keys, str) else None
        if problem:
            fail(f"not saved: keymap.{binding_id}: {problem}")


def _check_theme(theme: Any) -> None:
    """The theme is one the app has: textual's own and mhsim's (imported here only, not at start-up)."""
    if not isinstance(theme, str):
        return
    from textual.theme import BUILTIN_THEMES

    from simulator.tui.themes import THEMES

    names = sorted({*BUILTIN_THEMES, *(t.name for t in THEMES)})
    if theme not in names:
        near = difflib.get_close_matches(theme, names, n=1)
        hint = f"did you mean '{near[0]}'?" if near else f"available: {', '.join(names)}"
        fail(f"not saved: unknown theme '{theme}'; {hint}")


def _check_value(parts: list[str], value: Any) -> None:
    """Checks that need the app's own lists (binding ids, themes), beyond what the config file's model knows."""
    if parts[0] == "keymap":
        _check_keymap({parts[1]: value} if len(parts) == 2 else value)
    elif parts == ["theme"]:
        _check_theme(value)


def _warn_missing_dirs(parts: list[str], value: Any) -> None:
    if parts != ["scenario_dirs"] or not isinstance(value, list):
        return
    for folder in value:
        if isinstance(folder, str) and not Path(folder).expanduser().is_dir():
            err_console().print(
                f"note: {folder} does not exist yet", markup=False, highlight=False, soft_wrap=True
            )


@config_app.command("show")
def config_show() -> None:
    """Print every setting, with the defaults filled in, and where the file is."""
    from simulator.config import config_path

    config = _load_config()
    typer.echo(f"# {config_path()}")
    typer.echo(_dump(config.model_dump(mode="json")))


@config_app.command("get")
def config_get(key: Annotated[str, typer.Argument(help="Setting name, e.g. model.model or engine.")]) -> None:
    """Print one setting (with defaults filled in)."""
    parts = _parts(key)
    _check_key(parts)
    data = _load_config().model_dump(mode="json")
    try:
        typer.echo(_dump(_get(data, parts)))
    except KeyError:
        fail(f"'{key}' is not set")


@config_app.command("set")
def config_set(
    key: Annotated[
        str,
        typer.Argument(
            help="Setting name, e.g. model.model, engine, scenario_models.<id>.model, keymap.encounter.end."
        ),
    ],
    values: Annotated[
        list[str],
        typer.Argument(
            help="The value, in YAML: text, a number, true/false, null. A list setting (scenario_dirs) takes "
            "each item as its own value (DIR1 DIR2) or one YAML list \\[a, b]; a keymap entry takes keys "
            "such as ctrl+x, or ctrl+x,f9.",
            show_default=False,
        ),
    ],
) -> None:
    """Change one setting; the value and then the whole file are checked before it is written."""
    parts = _parts(key)
    _check_key(parts)
    value = _value(parts, values)
    _check_value(parts, value)
    data = _file_data()
    node = data
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    node[parts[-1]] = value
    _save(data, parts, value)
    _warn_missing_dirs(parts, value)


@config_app.command("unset")
def config_unset(key: Annotated[str, typer.Argument(help="Setting name to return to its default.")]) -> None:
    """Return one setting to its default (a whole scenario override with scenario_models.<id>)."""
    parts = _parts(key)
    _check_key(parts)
    data = _file_data()
    try:
        parent = _get(data, parts[:-1]) if len(parts) > 1 else data
        del parent[parts[-1]]
    except (KeyError, TypeError):
        fail(f"'{key}' is not set in the file")
    _save(data, parts)


@consent_app.command("list")
def consent_list() -> None:
    """Remote model services you agreed to send sessions to."""
    from simulator.llm.consent import granted

    rows = granted()
    if not rows:
        typer.echo("No consent given to any remote model service.")
        return
    for key, row in sorted(rows.items()):
        typer.echo(f"{key}\t{row.get('label', '')}\tsince {row.get('granted_at', '?')}")


@consent_app.command("grant")
def consent_grant(
    model: ModelOption = None,
    api_base: ApiBaseOption = None,
    scenario: Annotated[str | None, typer.Option(help="Use this scenario's model override.")] = None,
) -> None:
    """See what would be sent to the configured (or given) model, and agree to it."""
    from simulator.config import model_for
    from simulator.llm.consent import consent_request, record_consent

    settings = model_for(_load_config(), scenario)
    if model:
        settings = settings.model_copy(update={"model": model, "api_base": api_base})
    elif api_base:
        settings = settings.model_copy(update={"api_base": api_base})
    if not settings.model:
        fail("no model is configured; give one with --model")
    request = consent_request(settings)
    if request.recipient.local:
        typer.echo(f"{request.recipient.label} is on this computer: nothing leaves it, no consent is needed.")
        return
    if _ask_consent(request.text, action=f"Agree to send sessions to {request.recipient.label}?"):
        record_consent(request.recipient)
        typer.echo(f"Consent recorded for {request.recipient.key}.")
    else:
        typer.echo("Nothing recorded.")


@consent_app.command("revoke")
def consent_revoke(
    key: Annotated[
        str | None, typer.Argument(help="The recipient, as `mhsim config consent list` shows it.")
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Take back every consent.")] = False,
) -> None:
    """Take back consent: you are asked again before the next session is sent there."""
    from simulator.llm.consent import granted, revoke

    if not key and not all_:
        fail("name the recipient (see `mhsim config consent list`) or use --all")
    if key and key not in granted():
        near = difflib.get_close_matches(key, list(granted()), n=1)
        fail(f"no consent recorded for '{key}'" + (f"; did you mean '{near[0]}'?" if near else ""))
    removed = revoke(None if all_ else key)
    typer.echo("Revoked: " + ", ".join(removed) if removed else "Nothing to revoke.")


# ------------------------------------------------------------------------------------------------ usage


def usage_command(
    limit: Annotated[int, typer.Option(min=1, help="Look at this many recent sessions.")] = 20,
) -> None:
    """Language-model use per session: replies, tokens in and out, cost, fallbacks."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    from simulator.store import StoreError

    store = open_store()
    try:
        infos = store.sessions(limit=limit)
        totals = store.usage_totals([i.id for i in infos])
        short = store.short_ids([i.id for i in infos])
    except StoreError as exc:
        fail(str(exc))
    finally:
        store.close()
    rows = [i for i in infos if i.id in totals]
    if not rows:
        typer.echo("No session used a language model yet.")
        return
    table = Table(title="Language-model use (newest first)", box=box.SIMPLE_HEAD)
    for name, justify in (
        ("id", "left"),
        ("started (UTC)", "left"),
        ("model", "left"),
        ("replies", "right"),
        ("tokens in", "right"),
        ("tokens out", "right"),
        ("cost (USD)", "right"),
        ("fallbacks", "right"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for info in rows:
        t = totals[info.id]
        cost = "unknown" if t["cost_usd"] is None else f"{t['cost_usd']:.4f}"
        fallbacks = (
            f"{t['scripted'] or 0} scripted, {t['regenerated'] or 0} regen., {t['trimmed'] or 0} trimmed"
        )
        table.add_row(
            short[info.id],
            info.started_at.strftime("%Y-%m-%d %H:%M"),
            t["models"] or "",
            str(t["replies"]),
            f"{t['tokens_in'] or 0:,}",
            f"{t['tokens_out'] or 0:,}",
            cost,
            fallbacks,
        )
    Console(highlight=False, width=None if sys.stdout.isatty() else 140).print(table)
