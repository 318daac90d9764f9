"""Find and load lab cases: the built-in library, the user's lab folder and any folders named on the command line.

Broken files stay in the listing with their problems. Checks that span two files (a counterfactual pair must
point at a case that exists and differ from it only in the patient's name and dialect) run after every file
has loaded, and their problems are reported against the file that names the partner.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from simulator.library import id_conflicts, unknown_id_message
from simulator.paths import builtin_dir, locations
from simulator.yamlfile import FileProblems, Positions, Problem, load_model

from .case import SUFFIX, Exercise, LabCase, Speaker, check_case


class UnknownCase(LookupError):
    """No lab case has this id; the message lists the closest ids."""


@dataclass
class Entry:
    """One lab case file: loaded, or broken with its problems."""

    path: Path
    builtin: bool
    case: LabCase | None = None
    problems: list[Problem] = field(default_factory=list)
    positions: Positions | None = None

    @property
    def ok(self) -> bool:
        return self.case is not None


def user_lab_dir() -> Path:
    """The user's own folder of lab cases (``<data dir>/labs``)."""
    return locations().user_labs


def lab_dirs(extra: Sequence[Path] = ()) -> list[tuple[Path, bool]]:
    """Folders to search, with whether they hold built-ins: built-ins first, then the user's, then extras."""
    dirs = [(builtin_dir("labs"), True), (user_lab_dir(), False)]
    dirs.extend((Path(d), False) for d in extra)
    return dirs


def case_files(paths: Iterable[Path]) -> list[Path]:
    """Expand folders into their ``*.lab.yaml`` files (recursively); files are kept as given."""
    out: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            out.extend(sorted(path.rglob(f"*{SUFFIX}")))
        else:
            out.append(path)
    return out


def known_rubric_items() -> set[str]:
    """Every 'rubric_id.item_id' that loads (built-in and the user's rubrics)."""
    from simulator.rubric import load_rubrics

    rubrics, _broken = load_rubrics()
    return {f"{r.id}.{item.id}" for r in rubrics.values() for item in r.items}


def load_entry(path: Path, builtin: bool, rubric_items: Collection[str] | None) -> Entry:
    """Load one file into an Entry (never raises for problems in the file)."""
    entry = Entry(path=path, builtin=builtin)
    try:
        case, pos = load_model(path, LabCase)
    except FileProblems as exc:
        entry.problems = exc.problems
        return entry
    entry.positions = pos
    problems = check_case(case, pos, rubric_items)
    if problems:
        entry.problems = sorted(problems)
    else:
        entry.case = case
    return entry


def _pair_differences(a: LabCase, b: LabCase) -> list[str]:
    """What differs between two counterfactual cases' inputs besides the patient's name, dialect and words."""
    diffs: list[str] = []
    pa, pb = a.context.patient, b.context.patient
    if pa is None or pb is None:
        return ["context.patient"]
    for name in ("age", "pronouns", "background"):
        if getattr(pa, name) != getattr(pb, name):
            diffs.append(f"context.patient.{name}")
    if (a.context.setting, a.context.task) != (b.context.setting, b.context.task):
        diffs.append("context.setting/task")
    if a.tool != b.tool:
        diffs.append("tool")
    speakers_a = [(t.id, t.speaker) for t in a.transcript]
    speakers_b = [(t.id, t.speaker) for t in b.transcript]
    if speakers_a != speakers_b:
        diffs.append("transcript turns (ids and speakers must match)")
    if (a.probe is not None and b.probe is not None) and (
        [c.id for c in a.probe.criteria] != [c.id for c in b.probe.criteria]
    ):
        diffs.append("probe.criteria")
    return diffs


def _cross_checks(entries: list[Entry], known: Iterable[LabCase] = ()) -> None:
    """Counterfactual pairs: the partner exists, it plants the listed modes, inputs differ only in name/dialect.

    All problems are found first and applied after, so one broken partner does not hide the other's problems.
    """
    by_id = {c.id: c for c in known}  # partners outside the files being checked (the library's)
    by_id.update({e.case.id: e.case for e in entries if e.case is not None})
    broken_ids = {e.path.name[: -len(SUFFIX)] for e in entries if e.case is None}
    found: dict[int, list[Problem]] = {}
    for n, entry in enumerate(entries):
        case, pos = entry.case, entry.positions
        if case is None or pos is None or not case.counterfactual_of:
            continue
        problems: list[Problem] = []
        partner = by_id.get(case.counterfactual_of)
        if partner is None:
            if case.counterfactual_of in broken_ids:
                message = f"the paired case {case.counterfactual_of!r} does not load; fix it first"
            else:
                close = difflib.get_close_matches(case.counterfactual_of, list(by_id), n=1, cutoff=0.5)
                message = f"no lab case with id {case.counterfactual_of!r}" + (
                    f"; did you mean {close[0]!r}?" if close else ""
                )
            problems.append(pos.problem(("counterfactual_of",), message))
        else:
            for diff in _pair_differences(case, partner):
                problems.append(
                    pos.problem(
                        ("counterfactual_of",),
                        f"{diff} differs from {partner.id!r}; a counterfactual pair differs only in the "
                        "patient's name and dialect",
                    )
                )
            planted = case.modes_planted | partner.modes_planted
            for j, mode in enumerate(case.failure_modes):
                if mode not in planted:
                    problems.append(
                        pos.problem(
                            ("failure_modes", j), f"{mode.value} is planted in neither this case nor its pair"
                        )
                    )
        if problems:
            found[n] = problems
    for n, problems in found.items():
        entries[n].problems = sorted(problems)
        entries[n].case = None


class LabLibrary:
    """All lab cases mhsim can see."""

    def __init__(self, entries: list[Entry]):
        self.entries = entries

    @classmethod
    def discover(cls, extra: Sequence[Path] = (), rubric_items: Collection[str] | None = None) -> LabLibrary:
        """Load every lab case in the built-in, user and extra folders."""
        items = set(rubric_items) if rubric_items is not None else known_rubric_items()
        entries = []
        for folder, builtin in lab_dirs(extra):
            if folder.is_dir():
                entries.extend(load_entry(path, builtin, items) for path in case_files([folder]))
        _cross_checks(entries)
        return cls(entries)

    @classmethod
    def from_files(
        cls, paths: Iterable[Path], rubric_items: Collection[str] | None = None, known: Iterable[LabCase] = ()
    ) -> LabLibrary:
        """Load exactly these files or folders (for ``mhsim lab validate PATH``); ``known`` cases may be the
        counterfactual partners of the files checked."""
        items = set(rubric_items) if rubric_items is not None else known_rubric_items()
        entries = [load_entry(path, False, items) for path in case_files(paths)]
        _cross_checks(entries, known)
        return cls(entries)

    @property
    def cases(self) -> list[LabCase]:
        """Cases that loaded, first file found winning for a duplicated id."""
        seen: set[str] = set()
        out = []
        for entry in self.entries:
            if entry.case is not None and entry.case.id not in seen:
                seen.add(entry.case.id)
                out.append(entry.case)
        return out

    @property
    def broken(self) -> list[Entry]:
        return [e for e in self.entries if not e.ok]

    def conflicts(self) -> dict[str, list[Path]]:
        """Ids defined by more than one file (the first found wins: built-ins, then the user's)."""
        return id_conflicts((e.case.id, e.path) for e in self.entries if e.case)

    def for_exercise(self, exercise: str) -> list[LabCase]:
        """Cases written for one exercise; ``"probe"`` gives every case with a probe."""
        if exercise == "probe":
            return [c for c in self.cases if c.probe is not None]
        return [c for c in self.cases if c.exercise == Exercise(exercise)]

    def get(self, case_id: str) -> LabCase:
        """The case with this id, or UnknownCase with suggestions."""
        for case in self.cases:
            if case.id == case_id:
                return case
        for entry in self.broken:
            if entry.path.name == case_id + SUFFIX:
                raise UnknownCase(
                    f"Lab case {case_id!r} is broken:\n" + "\n".join(str(p) for p in entry.problems)
                )
        message = unknown_id_message("lab case", case_id, [c.id for c in self.cases], "mhsim lab list")
        raise UnknownCase(message)

    def pair(self, case: LabCase) -> LabCase | None:
        """The counterfactual partner of a case (either direction), if any."""
        if case.counterfactual_of:
            return next((c for c in self.cases if c.id == case.counterfactual_of), None)
        return next((c for c in self.cases if c.counterfactual_of == case.id), None)


def patient_turn_ids(case: LabCase) -> list[str]:
    """Ids of the patient's turns (what a reply task may answer)."""
    return [t.id for t in case.transcript if t.speaker is Speaker.PATIENT]


__all__ = [
    "Entry",
    "LabLibrary",
    "UnknownCase",
    "case_files",
    "known_rubric_items",
    "lab_dirs",
    "user_lab_dir",
]
