"""Load: 20 concurrent dashboard sessions (one headless Chromium, a context each, real HTTP and
websocket) arrive a second apart, then each browses pages and changes filters for 40 s against `rightsize serve` on the sample slice,
while `rightsize ingest` loads a file into the same store. No step may show an exception, an error,
a lock message or a JavaScript error, or time out; every page is visited; p95 step times are written
to test-artifacts/load.md. The 10M-request version is `python -m bench.load` (bench/results/LOAD.md)."""

from __future__ import annotations

import asyncio
import shutil
import threading
import time
from pathlib import Path

import duckdb
import pytest

from bench.load import (
    LOCK,
    PAGES,
    LoadResult,
    Step,
    _problems,
    percentile,
    run_load,
    served,
    slice_store,
)
from tests.conftest import ROOT, run_cli

SLICE = ROOT / "sample_data" / "slice"
HELD_BACK = "aws_cur2_BILLING_PERIOD=2026-10.csv"  # loaded by the CLI while the sessions browse
SESSIONS = 20
SECONDS = 40.0


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 21)]
    assert percentile(values, 95) == 19.0
    assert percentile(values, 50) == 10.0
    assert percentile([3.0], 95) == 3.0
    assert percentile([], 95) is None
    r = LoadResult(2, 1.0, [Step(0, "A", "open", 1.0), Step(1, "A", "open", 3.0), Step(1, "B", "open", 9.0, "boom")])
    rows = {row["page"]: row for row in r.table()}
    assert rows["A"]["p95"] == 3.0 and rows["A"]["errors"] == 0
    assert rows["B"]["errors"] == 1 and rows["B"]["p95"] is None
    assert rows["all"]["steps"] == 3 and rows["all"]["p95"] == 3.0


@pytest.mark.browser
def test_problem_detection_sees_exceptions_errors_and_locks() -> None:
    """The load test's error check is not blind: it finds each kind of problem in a page."""
    from playwright.async_api import async_playwright

    pages = {
        "exception": '<div data-testid="stMain"><div data-testid="stException">KeyError: x</div></div>',
        "error": '<div data-testid="stMain"><div data-testid="stAlertContentError">Wrong password.</div></div>',
        "lock": '<div data-testid="stMain"><p>IO Error: Could not set lock on file "s.duckdb"</p></div>',
        "clean": '<div data-testid="stMain"><p>Blocked users: 0. Clock: 12:00</p></div>',
    }

    async def check() -> dict[str, str | None]:
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
            page = await browser.new_page()
            got = {}
            for name, html in pages.items():
                await page.set_content(html)
                got[name] = await _problems(page, [])
            await browser.close()
            return got

    got = asyncio.run(check())
    assert got["exception"] == "exception: KeyError: x"
    assert got["error"] == "error: Wrong password."
    assert got["lock"] is not None and got["lock"].startswith("lock message:")
    assert got["clean"] is None
    assert LOCK.search("database is locked") and not LOCK.search("blocked clock")


@pytest.mark.slow
@pytest.mark.browser
def test_twenty_sessions_browse_and_filter_while_the_cli_ingests(tmp_path: Path) -> None:
    db = slice_store(tmp_path / "load.duckdb", skip=(HELD_BACK,))
    ingest_result: dict[str, object] = {}

    def ingest_midway() -> None:
        time.sleep(SESSIONS * 1.0)  # once every session has arrived
        ingest_result["proc"] = run_cli("ingest", str(SLICE / "billing" / HELD_BACK), db=db)

    with served(db, tmp_path / "serve.log") as url:
        writer = threading.Thread(target=ingest_midway)
        writer.start()
        result = run_load(url, sessions=SESSIONS, seconds=SECONDS, ramp=1.0, step_timeout=240.0)
        writer.join(timeout=300)
    report = result.markdown()
    out = ROOT / "test-artifacts"
    out.mkdir(exist_ok=True)
    (out / "load.md").write_text(f"{SESSIONS} sessions, {SECONDS:.0f} s, sample slice store\n\n{report}\n")
    print(report)

    assert not result.errors, "\n".join(f"session {s.session} {s.page} {s.action}: {s.error}" for s in result.errors)
    proc = ingest_result["proc"]
    assert proc.returncode == 0, proc.stderr  # type: ignore[attr-defined]
    con = duckdb.connect(str(db), read_only=True)
    try:  # nothing lost: the CLI's file is whole in the store the dashboard was reading
        status, loaded = con.execute("SELECT status, rows_loaded FROM source_file WHERE name = ?", [HELD_BACK]).fetchone()
        in_view = con.execute("SELECT count(*) FROM billing WHERE x_SourceFile = ?", [HELD_BACK]).fetchone()[0]
    finally:
        con.close()
    assert status == "loaded" and loaded > 0 and in_view == loaded
    assert {s.session for s in result.steps} == set(range(SESSIONS))
    assert {s.page for s in result.steps} == {title for title, _, _ in PAGES}
    assert any(s.action not in ("open", "first load") for s in result.steps), "no filter was changed"
    rows = {r["page"]: r for r in result.table()}
    assert rows["all"]["steps"] >= 2 * SESSIONS
    assert rows["all"]["p95"] < 120.0, report
