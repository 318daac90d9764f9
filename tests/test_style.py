"""The code stays lint-clean: ruff, with the rules chosen in pyproject.toml, finds nothing."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import subprocess
import sys
import tomllib

import pytest
from packaging.requirements import Requirement

from .conftest import ROOT

# What is linted: the package, the benchmarks, the tests and the command-line entry point.
PATHS = ("simulator", "benchmarks", "tests", "cli.py")


def _pinned_ruff() -> Requirement:
    """The ruff requirement of the `test` extra: the rule set the code is kept clean against."""
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    return next(r for r in map(Requirement, extras["test"]) if r.name == "ruff")


def test_ruff_finds_nothing() -> None:
    if importlib.util.find_spec("ruff") is None:
        pytest.skip("ruff is not installed; `pip install '.[test]'` installs the pinned version")
    pinned = _pinned_ruff()
    installed = importlib.metadata.version("ruff")
    if not pinned.specifier.contains(installed):
        pytest.skip(f"ruff {installed} is installed but the rules are kept for {pinned}; rules differ by version")
    out = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-fix", "--no-cache", "--output-format=concise", *PATHS],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )
    if out.returncode != 0:
        pytest.fail(
            "ruff found problems: fix the code, or, if a rule is wrong for this code base, configure it under "
            f"[tool.ruff.lint] in pyproject.toml with the reason.\n{out.stdout}{out.stderr}",
            pytrace=False,
        )
