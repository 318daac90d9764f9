"""Small wording helpers for messages the user reads."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


def counted(n: int, one: str, many: str | None = None) -> str:
    """``1 case``, ``3 cases``, ``0 entries``: a count with its noun in the right number.

    ``many`` is the plural when adding an "s" is wrong (``counted(n, "entry", "entries")``).
    """
    return f"{n} {one if n == 1 else (many or one + 's')}"


def better_reply_lead(turn: int | None, lead: str = "Try") -> str:
    """"Try", or "Try (instead of #7)" when the better reply was made for the trainee's turn #7."""
    return f"{lead} (instead of #{turn})" if turn is not None else lead


def number(value: float) -> str:
    """A score value as people read it: at most two decimals, no trailing zeros (0.143 -> 0.14, 4.0 -> 4)."""
    return f"{round(value, 2):g}"


def value_and_label(value: float | None, label: str = "") -> str:
    """An item's value with its threshold label, as every score view shows it: ``0.6 (fair)``, ``3``, ``good``."""
    shown = "" if value is None else number(value)
    if label:
        return f"{shown} ({label})" if shown else label
    return shown


def resume_hint(session_id: str, places: Iterable[Path | str] = ()) -> str:
    """The command that resumes a session, with the scenario files or folders (``--scenarios``) that find it."""
    import shlex

    options = "".join(f" --scenarios {shlex.quote(str(Path(p).resolve()))}" for p in places)
    return f"mhsim sessions resume {session_id[:10]}{options}"


__all__ = ["counted", "number", "resume_hint", "value_and_label"]
