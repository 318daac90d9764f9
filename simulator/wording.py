"""Small wording helpers for messages the user reads."""

from __future__ import annotations


def counted(n: int, one: str, many: str | None = None) -> str:
    """``1 case``, ``3 cases``, ``0 entries``: a count with its noun in the right number.

    ``many`` is the plural when adding an "s" is wrong (``counted(n, "entry", "entries")``).
    """
    return f"{n} {one if n == 1 else (many or one + 's')}"


__all__ = ["counted"]
