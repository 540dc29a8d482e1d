"""The code stays ruff- and mypy-clean (STYLE.md point 9)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT

PACKAGES = ["app", "ingest", "queries", "sample_data"]


def test_ruff_is_clean() -> None:
    out = subprocess.run([sys.executable, "-m", "ruff", "check", *PACKAGES, "tests", "bench"],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stdout + out.stderr


def test_mypy_is_clean() -> None:
    out = subprocess.run([sys.executable, "-m", "mypy", *PACKAGES], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
