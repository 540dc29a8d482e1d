"""The daily rollup the pages read equals the raw aggregates, through load, overlap and removal."""

from __future__ import annotations

import json
import random
from pathlib import Path

import duckdb

import ingest

RAW = """SELECT CAST(ts AS DATE) d, provider, model, feature, team, count(*) n, sum(input_tokens) i,
                 sum(output_tokens) o, sum(cache_read_tokens) c, sum(cost) cost, sum(logged_cost) lc
          FROM requests GROUP BY ALL ORDER BY ALL"""
ROLLED = """SELECT day d, provider, model, feature, team, sum(requests) n,
                   sum(uncached_input_tokens + cache_read_tokens + cache_write_tokens + cache_write_1h_tokens) i,
                   sum(output_tokens) o, sum(cache_read_tokens) c, sum(cost) cost, sum(logged_cost) lc
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
                "output_tokens": rng.randrange(1, 800), "logged_cost": round(rng.random() / 100, 6),
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
