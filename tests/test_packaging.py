"""The wheel carries the code, the built-in scenarios and rubrics, and a working console script."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT


@pytest.mark.slow
def test_wheel_installs_and_runs_from_another_directory(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = dist.glob("mhsim-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "cli.py" in names
    assert "simulator/builtin/scenarios/low-mood-passive-si.scenario.yaml" in names
    assert "simulator/builtin/scenarios/scenario.schema.json" in names
    assert any(n.startswith("simulator/builtin/rubrics/") and n.endswith(".rubric.yaml") for n in names)

    # A fresh venv with the wheel alone; its dependencies come from the test environment through a .pth file,
    # so the test needs no network.
    target = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(target)
    bindir = target / ("Scripts" if os.name == "nt" else "bin")
    py = bindir / "python"
    purelib = subprocess.run(
        [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "-q", str(wheel)],
        check=True, capture_output=True, timeout=300,
    )
    # Only now point at the test environment: were it visible during the install, pip could find an mhsim
    # already installed there and skip ours.
    Path(purelib, "_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    assert (bindir / "mhsim").exists(), "the wheel installs the mhsim console script"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "MHSIM_HOME": str(tmp_path / "home"), "PYTHONPATH": ""}
    mhsim = bindir / "mhsim"
    version = subprocess.run(
        [str(mhsim), "--version"], cwd=elsewhere, env=env, capture_output=True, text=True, check=False
    )
    assert version.returncode == 0, version.stderr
    assert version.stdout.startswith("mhsim ")
    check = subprocess.run(
        [str(mhsim), "scenarios", "validate"],
        cwd=elsewhere, env=env, capture_output=True, text=True, check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    where = subprocess.run(
        [str(py), "-c", "import simulator.paths as p; print(p.builtin_dir('scenarios'))"],
        cwd=elsewhere, env=env, capture_output=True, text=True, check=True,
    )
    assert where.stdout.strip().startswith(purelib), "built-ins must come from the installed wheel"
