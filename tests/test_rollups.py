"""The daily rollup the pages read equals the raw aggregates, through load, overlap and removal."""

from __future__ import annotations

import json
import random
from pathlib import Path

import duckdb

import ingest

RAW = """SELECT CAST(ts AS DATE) d, provider, model, feature, team, count(*) n, sum(input_tokens) i,
                 sum(output_tokens) o, sum(cache_read_tokens) c, sum(cost) cost, sum(logged_cost) lc,
                 count(logged_cost) ln
          FROM requests GROUP BY ALL ORDER BY ALL"""
ROLLED = """SELECT day d, provider, model, feature, team, sum(requests) n,
                   sum(uncached_input_tokens + cache_read_tokens + cache_write_tokens + cache_write_1h_tokens) i,
                   sum(output_tokens) o, sum(cache_read_tokens) c, sum(cost) cost, sum(logged_cost) lc,
                   sum(logged_requests) ln
            FROM requests_daily GROUP BY ALL ORDER BY ALL"""


def write_log(path: Path, start: int, n: int, seed: int) -> Path:
    rng = random.Random(seed)
    with path.open("w") as fh:
        for i in range(start, start + n):
            fh.write(json.dumps({
                "request_id": f"q{i}", "ts": f"2026-10-{1 + rng.randrange(28):02d}T{rng.randrange(24):02d}:00:00Z",
                "provider": rng.choice(["openai", "anthropic"]), "model": rng.choice(["gpt-4o", "claude-sonnet-4-5", "mystery-1"]),
                "feature": rng.choice(["search", "chat", None]), "team": rng.choice(["a", "b"]),
                "input_tokens": rng.randrange(100, 5000), "cache_read_tokens": rng.randrange(0, 100),
                "output_tokens": rng.randrange(1, 800),
                # some requests carry no logged cost: the rollup counts those that do
                "logged_cost": round(rng.random() / 100, 6) if rng.random() < 0.8 else None,
                "latency_ms": rng.randrange(50, 3000)}) + "\n")
    return path


def test_rollup_equals_raw_aggregates_through_overlap_and_removal(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    a = ingest.ingest_file(store, write_log(tmp_path / "a.jsonl", 0, 3000, 1))
    b = ingest.ingest_file(store, write_log(tmp_path / "b.jsonl", 2000, 3000, 2))  # 1000 overlap
    assert (a.rows, b.rows, b.duplicates) == (3000, 2000, 1000)
    assert store.execute(RAW).fetchall() == store.execute(ROLLED).fetchall()
    ingest.remove_file(store, a.source_file_id)
    assert store.execute("SELECT count(*) FROM requests").fetchone()[0] == 2000
    assert store.execute(RAW).fetchall() == store.execute(ROLLED).fetchall()


def test_migration_fills_logged_requests_of_an_existing_store(db_path: Path, tmp_path: Path) -> None:
    """A store from before 0090 (its rollup has no ``logged_requests``) gets it on opening, equal to
    the raw count of requests with a logged cost; costs and the other sums are unchanged."""
    con = ingest.connect(db_path)
    ingest.ingest_file(con, write_log(tmp_path / "a.jsonl", 0, 2000, 3))
    before = con.execute("SELECT * EXCLUDE (logged_requests) FROM request_daily ORDER BY ALL").fetchall()
    con.execute("DROP VIEW requests_daily")
    con.execute("ALTER TABLE request_daily DROP COLUMN logged_requests")
    con.execute("CREATE VIEW requests_daily AS SELECT d.* EXCLUDE (source_file_id), f.name AS source_file "
                "FROM request_daily d JOIN source_file f ON f.id = d.source_file_id WHERE f.status = 'loaded'")
    con.execute("DELETE FROM schema_migrations WHERE name = '0090_rollup_logged_requests'")
    con.close()
    con = ingest.connect(db_path)
    try:
        assert con.execute("SELECT count(*) FROM request_daily WHERE logged_requests IS NULL").fetchone()[0] == 0
        assert con.execute(RAW).fetchall() == con.execute(ROLLED).fetchall()
        assert con.execute("SELECT count(*) FROM requests WHERE logged_cost IS NULL").fetchone()[0] > 0
        assert con.execute("SELECT * EXCLUDE (logged_requests) FROM request_daily ORDER BY ALL").fetchall() == before
    finally:
        con.close()
