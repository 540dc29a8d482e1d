"""The store: migrations applied once and recorded; the public views hold the documented columns."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

import ingest
from ingest.errors import ConfigError
from ingest.store import WRITER_WAITING_FRESH, migrations, resolve_db, writer_flag
from tests.conftest import FIXTURES, ROOT, held_store, run_cli


def test_migrations_apply_once_and_are_recorded(db_path: Path) -> None:
    con = ingest.connect(db_path)
    names = [r[0] for r in con.execute("SELECT name FROM schema_migrations ORDER BY name").fetchall()]
    assert names == [n for n, _ in migrations()]
    con.close()
    con = ingest.connect(db_path)  # reopening applies nothing twice
    assert con.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == len(names)


def test_store_is_addressed_by_sqlalchemy_url(tmp_path: Path) -> None:
    target = tmp_path / "x.duckdb"
    assert resolve_db(f"duckdb:///{target}") == str(target)
    con = ingest.connect(f"duckdb:///{target}")
    assert target.exists()
    con.close()
    with pytest.raises(ConfigError, match="only duckdb"):
        resolve_db("postgresql://localhost/x")


def _documented_columns(view: str) -> list[str]:
    """Column names listed in docs/store.md's table for one view."""
    text = (ROOT / "docs" / "store.md").read_text()
    section = text.split(f"## `{view}`", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `(\w+)` \|", section, flags=re.M)


@pytest.mark.parametrize("view", ["billing", "requests", "prices", "evals"])
def test_public_views_match_their_documentation(store: duckdb.DuckDBPyConnection, view: str) -> None:
    actual = [r[0] for r in store.execute(f"DESCRIBE {view}").fetchall()]
    assert actual == _documented_columns(view)


def test_billing_view_has_the_focus_and_x_columns(store: duckdb.DuckDBPyConnection) -> None:
    cols = {r[0] for r in store.execute("DESCRIBE billing").fetchall()}
    required = {"BilledCost", "EffectiveCost", "ListCost", "BillingCurrency", "ChargePeriodStart",
                "ChargePeriodEnd", "ChargeCategory", "ProviderName", "PublisherName", "ServiceName",
                "ServiceCategory", "SubAccountId", "SubAccountName", "RegionId", "SkuId",
                "ChargeDescription", "ConsumedQuantity", "ConsumedUnit", "PricingQuantity",
                "PricingUnit", "Tags", "x_Model", "x_ModelRaw", "x_TokenType", "x_Tokens",
                "x_ServiceTier", "x_SourceFile"}
    assert required <= cols



def test_ingest_reads_within_the_memory_limit_then_lifts_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The loader caps its reading passes with the memory_limit setting (they spill) and restores
    the connection's own limit after them, and its insertion-order setting after the insert (rows
    go in unordered); a bad value is refused."""
    log = next((FIXTURES / "logs").glob("*.csv"))
    con = ingest.connect(tmp_path / "s.duckdb")
    own = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    monkeypatch.setenv("RIGHTSIZE_MEMORY_LIMIT", "64MB")
    assert ingest.ingest_file(con, log).status == "loaded"
    assert con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0] == own
    assert con.execute("SELECT current_setting('preserve_insertion_order')").fetchall()[0][0] is True
    con.close()
    monkeypatch.setenv("RIGHTSIZE_MEMORY_LIMIT", "lots")
    fresh = ingest.connect(tmp_path / "t.duckdb")
    with pytest.raises(ConfigError, match="memory_limit 'lots' is not a size"):
        ingest.ingest_file(fresh, log)
    fresh.close()


def test_after_load_hooks_run_under_the_cap_and_updates_lift_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The AFTER_LOAD hooks (rollup, histograms, links: scans, aggregates and joins, which spill)
    run under the loader's cap; ``uncapped`` lifts it for an UPDATE and puts it back."""
    from ingest.loader import AFTER_LOAD
    from ingest.store import uncapped
    seen: list[tuple[str, str]] = []

    def probe(con: duckdb.DuckDBPyConnection, source_file_id: int) -> None:
        capped = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
        with uncapped(con):
            lifted = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
        assert con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0] == capped
        seen.append((capped, lifted))

    con = ingest.connect(tmp_path / "s.duckdb")
    own = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    monkeypatch.setenv("RIGHTSIZE_MEMORY_LIMIT", "64MB")
    monkeypatch.setitem(AFTER_LOAD, "requests", [*AFTER_LOAD["requests"], probe])
    assert ingest.ingest_file(con, next((FIXTURES / "logs").glob("*.csv"))).status == "loaded"
    assert seen == [("61.0 MiB", own)]
    assert con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0] == own
    assert con.execute("SELECT count(*) FROM request_daily").fetchall()[0][0] > 0
    con.close()


READER = """
import sys, time
from pathlib import Path
import ingest
db, stop, offset = sys.argv[1], Path(sys.argv[2]), float(sys.argv[3])
time.sleep(offset)
reads = 0
while not stop.exists():
    con = ingest.connect(db, read_only=True, retry_seconds=120)  # short and read-only, as app/dashboard/data.py reads
    try:
        con.execute("SELECT count(*) FROM written").fetchall()
        time.sleep(0.5)  # a page's queries
        reads += 1
    finally:
        con.close()
print(reads)
"""


def test_a_writer_gets_in_while_readers_keep_the_store_busy(tmp_path: Path) -> None:
    """Four processes reading back to back, half a second each and staggered (the dashboard under
    load), leave no moment without a reader holding the store; the writer still opens it within its
    retry, because readers hold back while its flag is fresh. The readers carry on after it and see
    no error; the flag is gone."""
    db = tmp_path / "busy.duckdb"
    con = ingest.connect(db)
    con.execute("CREATE TABLE written AS SELECT 0 AS x")
    con.close()
    stop = tmp_path / "stop"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    readers = [subprocess.Popen([sys.executable, "-c", READER, str(db), str(stop), str(i * 0.125)], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(4)]
    try:
        time.sleep(3.0)  # every reader is in its loop
        con = ingest.connect(db, retry_seconds=10)
        con.execute("UPDATE written SET x = 1")
        con.close()
        assert not writer_flag(db).exists()
        time.sleep(1.0)
    finally:
        stop.touch()
        outs = [r.communicate(timeout=120) for r in readers]
    for r, (out, err) in zip(readers, outs, strict=True):
        assert r.returncode == 0, err
        assert int(out) > 0
    con = ingest.connect(db, read_only=True)
    assert con.execute("SELECT x FROM written").fetchall() == [(1,)]
    con.close()


def test_a_flag_left_by_a_dead_writer_goes_stale(tmp_path: Path) -> None:
    """A writer killed while it waited leaves its flag behind: readers hold back only until the flag
    is WRITER_WAITING_FRESH seconds old, not for their whole retry."""
    db = tmp_path / "s.duckdb"
    ingest.connect(db).close()
    flag = writer_flag(db)
    flag.touch()
    start = time.monotonic()
    ingest.connect(db, read_only=True, retry_seconds=60).close()
    waited = time.monotonic() - start
    assert WRITER_WAITING_FRESH * 0.5 < waited < 30, waited
    old = time.time() - 60
    os.utime(flag, (old, old))
    start = time.monotonic()
    ingest.connect(db, read_only=True, retry_seconds=60).close()
    assert time.monotonic() - start < 30  # a flag taken as fresh would hold it for the whole 60 s


def test_the_cli_says_the_store_is_busy_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`rightsize ingest` into a store another process holds longer than store_wait: exit 2 and one
    line naming the store and the setting (not DuckDB's advice about its own CLI); nothing loaded."""
    db = tmp_path / "held.duckdb"
    ingest.connect(db).close()
    monkeypatch.setenv("RIGHTSIZE_STORE_WAIT", "1")
    with held_store(db):
        proc = run_cli("ingest", str(next((FIXTURES / "logs").glob("*.csv"))), db=db)
    assert proc.returncode == 2
    lines = [line for line in proc.stderr.splitlines() if not line.startswith("[1/1]")]
    assert len(lines) == 1 and f"the store {db} is busy" in lines[0] and "store_wait" in lines[0], proc.stderr
    assert "However" not in lines[0] and "See also" not in lines[0] and "Traceback" not in proc.stderr
    con = ingest.connect(db, read_only=True)
    assert con.execute("SELECT count(*) FROM source_file").fetchone() == (0,)
    con.close()
