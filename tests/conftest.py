"""Shared test fixtures: real sample files, a real DuckDB file per test, the CLI as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

import ingest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("RIGHTSIZE_SHARED", ROOT.parent / "shared"))
# Real exports written by other projects, copied with their provenance and licences (PROVENANCE.md)
SAMPLES = ROOT / "tests" / "data" / "samples"
FIXTURES = ROOT / "tests" / "fixtures"


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never read the developer's own config or store."""
    monkeypatch.setenv("RIGHTSIZE_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.setenv("RIGHTSIZE_DB", str(tmp_path / "default.duckdb"))


@pytest.fixture(scope="module")
def slice_con(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    """A store of the sample company slice (sample_data/slice), loaded once per test module."""
    from sample_data import company_files

    con = ingest.connect(tmp_path_factory.mktemp("slice") / "slice.duckdb")
    for path in company_files(ROOT / "sample_data" / "slice"):
        r = ingest.ingest_file(con, path)
        assert r.status == "loaded", (path.name, r.error)
    return con


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "store.duckdb"


@pytest.fixture
def store(db_path: Path) -> duckdb.DuckDBPyConnection:
    con = ingest.connect(db_path)
    yield con
    con.close()


@contextmanager
def held_store(db: Path) -> Iterator[None]:
    """Another process holds ``db`` open for writing (a long `rightsize ingest`) until the block ends."""
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys; con = duckdb.connect(sys.argv[1]); "
                               "print('held', flush=True); sys.stdin.read()", str(db)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        yield
    finally:
        holder.communicate("", timeout=60)


def run_cli(*args: str, db: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``rightsize`` in a subprocess, as a user would."""
    cmd = [sys.executable, "-m", "app.cli", *args]
    if db is not None:
        cmd += ["--db", str(db)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)


def cli_json(*args: str, db: Path | None = None) -> object:
    proc = run_cli(*args, "--json", db=db)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ANN001
    """Say how many damaged-file cases the mutation corpus ran (workers write them to test-artifacts/)."""
    folder = ROOT / "test-artifacts" / "mutations"
    if folder.is_dir():
        counts = [int(p.read_text().rsplit(":", 1)[1].split()[0]) for p in folder.glob("*.txt")]
        if counts:
            terminalreporter.write_line(f"mutation corpus: {sum(counts)} damaged-file cases over {len(counts)} seed files")
