"""Find and load scenarios: the built-in library, the user's folder, the folders in the config file
(``scenario_dirs``) and any folders named on the command line (``--scenarios DIR``).

Broken files are kept in the listing with their problems instead of disappearing, and an unknown id gets the
closest matches as suggestions.
"""

from __future__ import annotations

import atexit
import difflib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .paths import builtin_dir, locations
from .scenario import Scenario
from .scenario_checks import check_scenario
from .yamlfile import FileProblems, Positions, Problem, load_model

SUFFIX = ".scenario.yaml"


def id_conflicts(found: Iterable[tuple[str, Path]]) -> dict[str, list[Path]]:
    """Ids that more than one file defines, each with its files in the order found."""
    seen: dict[str, list[Path]] = {}
    for ident, path in found:
        seen.setdefault(ident, []).append(path)
    return {k: v for k, v in seen.items() if len(v) > 1}


def id_position(path: Path) -> tuple[int, int]:
    """Line and column of the file's top-level ``id:`` (1, 1 when the file cannot be read or parsed)."""
    from .yamlfile import parse, read_text

    try:
        _data, pos, _problems = parse(read_text(path), str(path))
        return pos.of(("id",))
    except (FileProblems, OSError):
        return 1, 1


def duplicate_id_message(ident: str, others: Sequence[Path]) -> str:
    """What ``validate`` and ``lint`` say of a scenario whose id ``others`` also use."""
    return (
        f"id {ident!r} is also used by {', '.join(map(str, others))}; the library uses only the first one it finds "
        "(built-ins first), so give each scenario its own id"
    )


def duplicate_id_problems(found: Iterable[tuple[str, Path]]) -> list[Problem]:
    """A problem at the ``id:`` line of every file whose id an earlier file of ``found`` already uses.

    The first file with an id is the one the library loads, so it is valid; the later ones are ignored.
    """
    problems = []
    for ident, paths in id_conflicts(found).items():
        for path in paths[1:]:
            others = [p for p in paths if p.resolve() != path.resolve()]
            problems.append(Problem(str(path), *id_position(path), duplicate_id_message(ident, others)))
    return problems


def unknown_id_message(what: str, typed: str, ids: Sequence[str], list_command: str) -> str:
    """"No <what> with id …" with up to three suggestions: ids starting with what was typed, then similar
    spellings, then ids that contain it; else the command that lists them."""
    ranked = [i for i in ids if i.startswith(typed)]
    ranked += difflib.get_close_matches(typed, ids, n=3, cutoff=0.4)
    ranked += [i for i in ids if typed in i]
    close = list(dict.fromkeys(ranked))
    message = f"No {what} with id {typed!r}."
    if close:
        return message + " Did you mean: " + ", ".join(close[:3]) + "?"
    return message + f" Run '{list_command}' to see them."


class UnknownScenario(LookupError):
    """No scenario has this id; the message lists the closest ids."""


@dataclass
class Entry:
    """One scenario file: loaded, or broken with its problems."""

    path: Path
    builtin: bool
    scenario: Scenario | None = None
    problems: list[Problem] = field(default_factory=list)
    source: str = ""

    @property
    def ok(self) -> bool:
        return self.scenario is not None


def load_scenario(path: Path, rubric_ids: Iterable[str] | None = None) -> Scenario:
    """Load and fully check one scenario file; raise FileProblems listing every problem.

    A file whose exact bytes were found valid before, by this same code, is not parsed again (see
    :class:`ValidCache`); anything else goes through the full, positioned validation.
    """
    path = Path(path)
    ids = None if rubric_ids is None else set(rubric_ids)
    cache = valid_cache()
    digest = cache.digest(path) if cache else None
    if cache and digest:
        dump = cache.get("scenario", digest)
        if dump is not None:
            try:
                scenario = Scenario.model_validate(dump)
            except ValueError:
                scenario = None
            if scenario is not None and not check_scenario(scenario, _NOWHERE, ids):
                return scenario
    scenario, pos = load_model(path, Scenario)
    problems = check_scenario(scenario, pos, ids)
    if problems:
        raise FileProblems(problems)
    if cache and digest:
        cache.put("scenario", digest, scenario.model_dump(mode="json"))
    return scenario


def known_rubric_ids() -> set[str]:
    """Ids of the rubrics that load (built-in and the user's)."""
    from .rubric import SUFFIX, load_rubric, rubric_dirs

    cache = valid_cache()
    ids: set[str] = set()
    for folder in rubric_dirs():
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob(f"*{SUFFIX}")):
            digest = cache.digest(path) if cache else None
            known = cache.get("rubric", digest) if cache and digest else None
            if isinstance(known, str):
                ids.add(known)
                continue
            try:
                rubric = load_rubric(path)
            except FileProblems:
                continue
            ids.add(rubric.id)
            if cache and digest:
                cache.put("rubric", digest, rubric.id)
    return ids


# --- the cache of files already found valid ---------------------------------------------------------------

NO_CACHE_ENV = "MHSIM_NO_CACHE"
CACHE_LIMIT = 2000  # entries; the oldest go first
# The code whose behaviour decides what "valid" means: a change to any of these empties the cache.
_STAMPED = ("scenario.py", "scenario_checks.py", "yamlfile.py", "codes.py", "topics.py", "library.py", "rubric.py")
_NOWHERE = Positions("", {}, {})


def _code_stamp() -> str:
    from . import __version__

    here = Path(__file__).resolve().parent
    parts = [__version__]
    for name in _STAMPED:
        try:
            stat = (here / name).stat()
            parts.append(f"{name}:{stat.st_mtime_ns}:{stat.st_size}")
        except OSError:
            parts.append(f"{name}:?")
    return "|".join(parts)


class ValidCache:
    """Scenario and rubric files already found valid, keyed by a hash of their bytes.

    Loading the library means parsing every YAML file, and parsing is most of the cost. A file with the same
    bytes, checked by the same code, gives the same result, so a new process can reuse it: the stored scenario
    is validated again by the models (cheap) and checked again (without positions; any problem sends the file
    through the full load, so problems keep their file:line:col). Only valid files are stored. The cache is
    plain JSON in the data folder; an unreadable or foreign cache is ignored and rebuilt. ``MHSIM_NO_CACHE=1``
    turns it off.
    """

    def __init__(self, path: Path):
        self.path = path
        self.stamp = _code_stamp()
        self._entries: dict[str, object] | None = None
        self._dirty = False

    @staticmethod
    def digest(path: Path) -> str | None:
        """The hash of the file's bytes, or None when it cannot be read (the full load reports why)."""
        import hashlib

        try:
            return hashlib.sha256(Path(path).read_bytes()).hexdigest()
        except OSError:
            return None

    def _load(self) -> dict[str, object]:
        if self._entries is None:
            entries: dict[str, object] = {}
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
                if isinstance(data, dict) and data.get("stamp") == self.stamp and isinstance(data.get("entries"), dict):
                    entries = data["entries"]
            except (OSError, ValueError):
                pass
            self._entries = entries
        return self._entries

    def get(self, kind: str, digest: str) -> object | None:
        """What was stored for this kind of file with these bytes, if anything."""
        return self._load().get(f"{kind}:{digest}")

    def put(self, kind: str, digest: str, value: object) -> None:
        """Remember a valid file; written out at exit (or by :meth:`save`)."""
        entries = self._load()
        entries[f"{kind}:{digest}"] = value
        while len(entries) > CACHE_LIMIT:
            entries.pop(next(iter(entries)))
        if not self._dirty:
            self._dirty = True
            atexit.register(self.save)

    def save(self) -> None:
        """Write the cache atomically; a folder that cannot be written just means no cache."""
        if not self._dirty or self._entries is None:
            return
        self._dirty = False
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.part")
            tmp.write_text(json.dumps({"stamp": self.stamp, "entries": self._entries}), encoding="utf-8")
            tmp.replace(self.path)
        except OSError:
            pass


_caches: dict[Path, ValidCache] = {}


def valid_cache() -> ValidCache | None:
    """The cache for the current data folder, or None when turned off with ``MHSIM_NO_CACHE``."""
    if os.environ.get(NO_CACHE_ENV):
        return None
    path = locations().data_dir / "cache" / "valid-files.json"
    cache = _caches.get(path)
    if cache is None:
        cache = _caches[path] = ValidCache(path)
    return cache


@dataclass(frozen=True)
class Folder:
    """A folder of scenarios and where it comes from: 'built-in', 'user', 'config' or 'command line'."""

    path: Path
    source: str

    @property
    def builtin(self) -> bool:
        return self.source == "built-in"


def config_scenario_dirs() -> tuple[list[Path], list[Problem]]:
    """Folders listed under ``scenario_dirs`` in the config file, and the config's problems if it is broken.

    ``~`` is expanded; a relative path is taken from the config file's own folder, so a shared config works
    wherever it is used from.
    """
    from .config import config_path, load_config

    path = config_path()
    try:
        config = load_config(path)
    except FileProblems as exc:
        return [], list(exc.problems)
    out = []
    for folder in config.scenario_dirs:
        folder = Path(folder).expanduser()
        out.append(folder if folder.is_absolute() else path.parent / folder)
    return out, []


def library_folders(extra: Sequence[Path] = (), *, use_config: bool = True) -> tuple[list[Folder], list[Problem]]:
    """Folders to search, in order (built-ins first, then the user's folder, the config's, the extras).

    The same folder named twice is searched once. Returns the folders and the config file's problems, if any.
    """
    folders = [Folder(builtin_dir("scenarios"), "built-in"), Folder(locations().user_scenarios, "user")]
    problems: list[Problem] = []
    if use_config:
        configured, problems = config_scenario_dirs()
        folders.extend(Folder(d, "config") for d in configured)
    folders.extend(Folder(Path(d), "command line") for d in extra)
    seen: set[Path] = set()
    unique = []
    for folder in folders:
        key = folder.path.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(folder)
    return unique, problems


def scenario_dirs(extra: Sequence[Path] = ()) -> list[tuple[Path, bool]]:
    """Folders to search, with whether they hold built-ins: built-ins, the user's, the config's, then extras."""
    folders, _problems = library_folders(extra)
    return [(f.path, f.builtin) for f in folders]


def scenario_files(paths: Iterable[Path]) -> list[Path]:
    """Expand folders into their ``*.scenario.yaml`` files (recursively); files are kept as given.

    A folder whose own name ends in ``.scenario.yaml`` is kept too, so loading it reports that it is a folder.
    """
    out: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir() and not path.name.endswith(SUFFIX):
            out.extend(sorted(path.rglob(f"*{SUFFIX}")))
        else:
            out.append(path)
    return out


class Library:
    """All scenarios mhsim can see."""

    def __init__(self, entries: list[Entry]):
        self.entries = entries
        self.missing: list[Folder] = []
        self.config_problems: list[Problem] = []

    @classmethod
    def discover(
        cls,
        extra: Sequence[Path] = (),
        rubric_ids: Iterable[str] | None = None,
        *,
        use_config: bool = True,
    ) -> Library:
        """Load every scenario in the built-in, user, configured and extra folders.

        A file reached twice (a folder inside another one given) is loaded once. Missing folders other than the
        user's default one are remembered in ``missing``; a broken config file in ``config_problems``.
        """
        ids = set(rubric_ids) if rubric_ids is not None else known_rubric_ids()
        folders, config_problems = library_folders(extra, use_config=use_config)
        entries: list[Entry] = []
        missing: list[Folder] = []
        seen: set[Path] = set()
        for folder in folders:
            if not folder.path.is_dir():
                if folder.source != "user":
                    missing.append(folder)
                continue
            for path in scenario_files([folder.path]):
                key = path.resolve()
                if key in seen:
                    continue
                seen.add(key)
                entry = Entry(path=path, builtin=folder.builtin, source=folder.source)
                try:
                    entry.scenario = load_scenario(path, ids)
                except FileProblems as exc:
                    entry.problems = exc.problems
                entries.append(entry)
        library = cls(entries)
        library.missing = missing
        library.config_problems = config_problems
        cache = valid_cache()
        if cache:
            cache.save()
        return library

    @property
    def scenarios(self) -> list[Scenario]:
        return [e.scenario for e in self.entries if e.scenario is not None]

    @property
    def broken(self) -> list[Entry]:
        return [e for e in self.entries if not e.ok]

    def conflicts(self) -> dict[str, list[Path]]:
        """Ids defined by more than one file; the first found wins (built-ins, the user's, config, extras)."""
        return id_conflicts((e.scenario.id, e.path) for e in self.entries if e.scenario)

    def get(self, scenario_id: str) -> Scenario:
        """The scenario with this id, or UnknownScenario with suggestions."""
        for scenario in self.scenarios:
            if scenario.id == scenario_id:
                return scenario
        for entry in self.broken:
            if entry.path.name == scenario_id + SUFFIX:
                raise UnknownScenario(
                    f"Scenario {scenario_id!r} is broken:\n" + "\n".join(str(p) for p in entry.problems)
                )
        message = unknown_id_message("scenario", scenario_id, [s.id for s in self.scenarios], "mhsim scenarios list")
        raise UnknownScenario(message)

    def resolve(self, ref: str) -> Scenario:
        """A scenario by id, or by path to a file."""
        path = Path(ref)
        if ref.endswith((".yaml", ".yml")) or path.is_file():
            return load_scenario(path, known_rubric_ids())
        return self.get(ref)
