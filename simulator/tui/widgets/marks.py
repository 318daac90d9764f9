"""How a rubric item's status is shown: always a symbol and words, never colour alone.

The mapping mirrors ``simulator.commands.render.STATUS_MARK``; here the colour comes from a CSS class
(``status-met`` ...) styled with theme variables in ``app.tcss``, so themes and NO_COLOR keep working.
"""

from __future__ import annotations

STATUS_MARK: dict[str, str] = {
    "met": "✔ met",
    "partly": "~ partly",
    "missed": "✘ missed",
    "critical_miss": "‼ critical miss",
    "not_applicable": "– n/a",
    "info": "· info",
}

# Debrief order: what most needs attention first.
STATUS_ORDER: dict[str, int] = {
    "critical_miss": 0,
    "missed": 1,
    "partly": 2,
    "met": 3,
    "info": 4,
    "not_applicable": 5,
}


def status_label(status: str) -> str:
    """The symbol-and-words label for a status (unknown statuses are shown as they are)."""
    return STATUS_MARK.get(status, status)
