"""Faults: a load killed at any moment or stopped by a full disk leaves the store whole.

Each file loads in one DuckDB transaction; after a SIGKILL or a write error the store opens,
holds all of a file or none of it, and loading the file again completes it.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

import ingest
from tests.conftest import ROOT

ROWS = 200_000


def write_log(path: Path, rows: int, start: int = 0) -> Path:
    duckdb.execute(f"""COPY (SELECT 'req-' || i AS request_id,
        TIMESTAMP '2026-09-01' + INTERVAL (i % 7776000) SECOND AS ts, 'openai' AS provider,
        CASE i % 3 WHEN 0 THEN 'gpt-4o' WHEN 1 THEN 'gpt-4o-mini' ELSE 'claude-sonnet-4-5' END AS model,
        'feature-' || (i % 25) AS feature, 1000 + i % 3000 AS input_tokens, (i % 5) * 100 AS cache_read_tokens,
        50 + i % 700 AS output_tokens FROM range({start}, {start + rows}) t(i)) TO '{path}' (HEADER)""")
    return path


def ingest_cmd(db: Path, *files: Path) -> list[str]:
    return [sys.executable, "-m", "app.cli", "ingest", *map(str, files), "--db", str(db)]


def state(db: Path) -> tuple[int, list[tuple[str, str]]]:
    con = ingest.connect(db)  # must open (and migrate) after any crash
    try:
        rows = con.execute("SELECT count(*) FROM requests").fetchone()[0]
        files = con.execute("SELECT name, status FROM source_file ORDER BY id").fetchall()
    finally:
        con.close()
    return rows, files


@pytest.mark.slow
def test_sigkill_at_random_points_leaves_all_or_nothing(tmp_path: Path) -> None:
    log = write_log(tmp_path / "big.csv", ROWS)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    rng = random.Random(7)
    outcomes = set()
    for attempt in range(8):
        db = tmp_path / f"store{attempt}.duckdb"
        proc = subprocess.Popen(ingest_cmd(db, log), cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 2.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        rows, files = state(db)
        loaded = [f for f in files if f[1] == "loaded"]
        assert rows in (0, ROWS), f"partial file after SIGKILL: {rows} rows"
        assert (rows == ROWS) == bool(loaded)
        outcomes.add(rows)
        # Loading again completes the file (or adds nothing if it had committed).
        subprocess.run(ingest_cmd(db, log), cwd=ROOT, env=env, check=True, capture_output=True, timeout=300)
        assert state(db)[0] == ROWS
    assert 0 in outcomes, "no kill landed before the commit; the test proved nothing"


def _full_disk_dir(tmp_path: Path) -> tuple[Path, bool]:
    """A 3 MB tmpfs when we may mount one, else a plain folder (the child then gets a file-size
    limit, an injected write error)."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    if os.geteuid() == 0:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mnt)], capture_output=True)
        if done.returncode == 0:
            return mnt, True
    return mnt, False


def test_full_disk_fails_cleanly_and_loses_nothing(tmp_path: Path) -> None:
    small = write_log(tmp_path / "small.csv", 500)
    big = write_log(tmp_path / "big.csv", 150_000)
    folder, mounted = _full_disk_dir(tmp_path)
    db = folder / "store.duckdb"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    try:
        first = subprocess.run(ingest_cmd(db, small), cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert first.returncode == 0, first.stderr

        def limit_file_size() -> None:  # the injected write error when no tmpfs can be mounted
            import resource

            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (3 * 1024 * 1024, 3 * 1024 * 1024))

        proc = subprocess.run(ingest_cmd(db, big), cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=300, preexec_fn=None if mounted else limit_file_size)
        assert proc.returncode != 0, "the big file fit; the disk was not full"
        assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
        # The store still opens (outside the size limit) and holds the first file whole, the big one not at all.
        rows, files = state(db)
        assert rows == 500
        assert [f for f in files if f[1] == "loaded"] == [("small.csv", "loaded")]
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(folder)], check=False)


@pytest.mark.slow
def test_readers_during_a_cli_ingest_see_no_lock_errors_and_no_partial_file(tmp_path: Path) -> None:
    """The dashboard's way of reading (short read-only connections) while `rightsize ingest` runs
    in another process: reads wait for the writer's transaction and see 0 or all rows, never an error."""
    logs = [write_log(tmp_path / f"part{i}.csv", 100_000, start=i * 100_000) for i in range(3)]
    db = tmp_path / "store.duckdb"
    ingest.connect(db).close()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(ingest_cmd(db, *logs), cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    seen = []
    while proc.poll() is None:
        con = ingest.connect(db, read_only=True, retry_seconds=120)  # as app/dashboard/data.py does
        try:
            seen.append(con.execute("SELECT count(*) FROM requests").fetchone()[0])
        finally:
            con.close()
        time.sleep(0.05)
    assert proc.returncode == 0, proc.stderr.read()
    assert set(seen) <= {0, 100_000, 200_000, 300_000}
    assert len(set(seen)) >= 2, f"readers never got in between files: {sorted(set(seen))}"
    assert state(db)[0] == 300_000
