"""Small wording helpers for messages the user reads."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


def counted(n: int, one: str, many: str | None = None) -> str:
    """``1 case``, ``3 cases``, ``0 entries``: a count with its noun in the right number.

    ``many`` is the plural when adding an "s" is wrong (``counted(n, "entry", "entries")``).
    """
    return f"{n} {one if n == 1 else (many or one + 's')}"


def resume_hint(session_id: str, places: Iterable[Path | str] = ()) -> str:
    """The command that resumes a session, with the scenario files or folders (``--scenarios``) that find it."""
    import shlex

    options = "".join(f" --scenarios {shlex.quote(str(Path(p).resolve()))}" for p in places)
    return f"mhsim sessions resume {session_id[:10]}{options}"


__all__ = ["counted", "resume_hint"]
