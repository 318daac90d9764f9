"""The core stays headless: no textual or litellm import outside the TUI, even when running a session."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from .conftest import ROOT

PROBE = textwrap.dedent(
    """
    import json, sys, tempfile, pathlib
    import simulator, simulator.coding, simulator.session, simulator.scoring, simulator.store, simulator.library
    from typer.testing import CliRunner
    from cli import app
    script = pathlib.Path(tempfile.mkdtemp()) / "s.txt"
    script.write_text("How have you been sleeping?\\n")
    result = CliRunner().invoke(app, ["play", "low-mood-passive-si", "--script", str(script)])
    assert result.exit_code == 0, result.output
    heavy = sorted({m.split(".")[0] for m in sys.modules if m.split(".")[0] in ("textual", "litellm", "openai")})
    print(json.dumps(heavy))
    """
)


def test_core_and_play_import_neither_textual_nor_litellm(mhsim_home) -> None:
    env = {**os.environ, "MHSIM_HOME": str(mhsim_home)}
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_no_module_level_ui_or_llm_imports_outside_tui() -> None:
    offenders = []
    for path in (ROOT / "simulator").rglob("*.py"):
        if "tui" in path.relative_to(ROOT / "simulator").parts:
            continue
        for line in path.read_text().splitlines():
            if line.startswith(("import textual", "from textual", "import litellm", "from litellm")):
                offenders.append(f"{path.relative_to(ROOT)}: {line}")
    assert offenders == []
