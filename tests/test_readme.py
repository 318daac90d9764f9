"""The README's two commands stay true: CI runs exactly the README's test command."""

from __future__ import annotations

import re

from .conftest import ROOT


def _command_after(heading: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split(f"## {heading}", 1)[1]
    return re.search(r"```bash\n(.+?)\n```", section, re.DOTALL).group(1).strip()


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert _command_after("Tests") in ci


def test_quick_start_installs_and_starts_mhsim() -> None:
    quick = _command_after("Quick start")
    assert "pip install" in quick and quick.endswith("mhsim")
