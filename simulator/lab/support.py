"""Support for trainees: the organisation's crisis resources, from the configuration only.

Lab content deals with suicide, abuse and eating disorders. Trainees see the crisis resources their
organisation configured (``crisis_resources`` in the config file); never a number from a model or a case file.
When none are configured the lab says so and tells the facilitator how to add them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulator.config import Config

NONE_CONFIGURED = (
    "No crisis resources are configured on this computer. Facilitator: add your organisation's verified "
    "services to the configuration file ({path}) under 'crisis_resources', for example:\n"
    "  crisis_resources:\n"
    "    - name: <service name>\n"
    "      contact: <number or address, exactly as your organisation gives it>\n"
    "      note: <hours, languages, when to use it>\n"
    "If this content affects you, stop at any time and talk to your facilitator or someone you trust."
)


def crisis_lines(config: Config | None) -> list[str]:
    """Lines to show trainees: each configured resource, or what to do when there are none."""
    resources = list(config.crisis_resources) if config is not None else []
    if not resources:
        from simulator.config import config_path

        return NONE_CONFIGURED.format(path=config_path()).splitlines()
    lines = ["If this content affects you, you can stop at any time. Support from your organisation:"]
    for r in resources:
        lines.append(f"• {r.name}: {r.contact}" + (f" ({r.note})" if r.note else ""))
    return lines


__all__ = ["NONE_CONFIGURED", "crisis_lines"]
