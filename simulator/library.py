"""Find and load scenarios: the built-in library, the user's folder and any folders named on the command line.

Broken files are kept in the listing with their problems instead of disappearing, and an unknown id gets the
closest matches as suggestions.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .paths import builtin_dir, locations
from .scenario import Scenario
from .scenario_checks import check_scenario
from .yamlfile import FileProblems, Problem, load_model

SUFFIX = ".scenario.yaml"


class UnknownScenario(LookupError):
    """No scenario has this id; the message lists the closest ids."""


@dataclass
class Entry:
    """One scenario file: loaded, or broken with its problems."""

    path: Path
    builtin: bool
    scenario: Scenario | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.scenario is not None


def load_scenario(path: Path, rubric_ids: Iterable[str] | None = None) -> Scenario:
    """Load and fully check one scenario file; raise FileProblems listing every problem."""
    scenario, pos = load_model(Path(path), Scenario)
    problems = check_scenario(scenario, pos, None if rubric_ids is None else set(rubric_ids))
    if problems:
        raise FileProblems(problems)
    return scenario


def known_rubric_ids() -> set[str]:
    """Ids of the rubrics that load (built-in and the user's)."""
    from .rubric import load_rubrics

    rubrics, _broken = load_rubrics()
    return set(rubrics)


def scenario_dirs(extra: Sequence[Path] = ()) -> list[tuple[Path, bool]]:
    """Folders to search, with whether they hold built-ins: built-ins first, then the user's, then extras."""
    dirs = [(builtin_dir("scenarios"), True), (locations().user_scenarios, False)]
    dirs.extend((Path(d), False) for d in extra)
    return dirs


def scenario_files(paths: Iterable[Path]) -> list[Path]:
    """Expand folders into their ``*.scenario.yaml`` files (recursively); files are kept as given."""
    out: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            out.extend(sorted(path.rglob(f"*{SUFFIX}")))
        else:
            out.append(path)
    return out


class Library:
    """All scenarios mhsim can see."""

    def __init__(self, entries: list[Entry]):
        self.entries = entries

    @classmethod
    def discover(cls, extra: Sequence[Path] = (), rubric_ids: Iterable[str] | None = None) -> Library:
        """Load every scenario in the built-in, user and extra folders."""
        ids = set(rubric_ids) if rubric_ids is not None else known_rubric_ids()
        entries = []
        for folder, builtin in scenario_dirs(extra):
            if not folder.is_dir():
                continue
            for path in scenario_files([folder]):
                entry = Entry(path=path, builtin=builtin)
                try:
                    entry.scenario = load_scenario(path, ids)
                except FileProblems as exc:
                    entry.problems = exc.problems
                entries.append(entry)
        return cls(entries)

    @property
    def scenarios(self) -> list[Scenario]:
        return [e.scenario for e in self.entries if e.scenario is not None]

    @property
    def broken(self) -> list[Entry]:
        return [e for e in self.entries if not e.ok]

    def conflicts(self) -> dict[str, list[Path]]:
        """Ids defined by more than one file (the first found wins: built-ins, then the user's)."""
        seen: dict[str, list[Path]] = {}
        for entry in self.entries:
            if entry.scenario:
                seen.setdefault(entry.scenario.id, []).append(entry.path)
        return {k: v for k, v in seen.items() if len(v) > 1}

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
        ids = [s.id for s in self.scenarios]
        close = difflib.get_close_matches(scenario_id, ids, n=3, cutoff=0.4)
        close += [i for i in ids if scenario_id in i and i not in close]
        message = f"No scenario with id {scenario_id!r}."
        if close:
            message += " Did you mean: " + ", ".join(close[:3]) + "?"
        else:
            message += " Run 'mhsim scenarios list' to see them."
        raise UnknownScenario(message)

    def resolve(self, ref: str) -> Scenario:
        """A scenario by id, or by path to a file."""
        path = Path(ref)
        if ref.endswith((".yaml", ".yml")) or path.is_file():
            return load_scenario(path, known_rubric_ids())
        return self.get(ref)
