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


def test_rollup_workload_columns_equal_raw_aggregates(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """The columns the workload groups read (session 5): the flags, the input band at the stored
    edges, the first and last request and the largest input + output, per file, day and model."""
    rows = []
    for i in range(400):
        rows.append({"request_id": f"b{i}", "ts": f"2026-10-{1 + i % 9:02d}T{i % 24:02d}:{i % 60:02d}:00Z",
                     "model": "gpt-4o" if i % 3 else "claude-sonnet-4-5", "feature": "f" + str(i % 4),
                     "input_tokens": [10, 32_000, 32_001, 128_000, 199_999, 200_000, 200_001, 600_000][i % 8] + (i // 8) % 2,
                     "output_tokens": i, "has_tools": [True, False, None][i % 3],
                     "structured_output": [None, True][i % 2]})
    path = tmp_path / "b.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert ingest.ingest_file(store, path).status == "loaded"
    edges = ingest.rollups.band_edges(store)
    band = " + ".join(f"CAST(input_tokens > {e} AS INTEGER)" for e in edges)
    raw = store.execute(f"""SELECT CAST(ts AS DATE), model, has_tools, structured_output, {band}, count(*),
                                   min(ts), max(ts), max(input_tokens + output_tokens)
                            FROM requests GROUP BY ALL ORDER BY ALL""").fetchall()
    rolled = store.execute("""SELECT day, model, has_tools, structured_output, input_band, sum(requests),
                                     min(first_ts), max(last_ts), max(max_total_tokens)
                              FROM requests_daily GROUP BY ALL ORDER BY ALL""").fetchall()
    assert raw == rolled and len({r[4] for r in raw}) >= 6


def test_rollup_bands_hold_every_catalog_threshold() -> None:
    """Every long-context threshold of the bundled catalog is a band edge, so the workload groups
    come from the rollup for any candidate set; a catalog upgrade that adds one fails here (add a
    migration that adds the edge and rebuilds the rollup)."""
    from genai_prices import data_snapshot
    from genai_prices import types as gp

    store = ingest.connect(":memory:")
    found = set()
    for provider in data_snapshot.get_snapshot().providers:
        for model in provider.models:
            for price in model.prices if isinstance(model.prices, list) else [model.prices]:
                mp = price.prices if isinstance(price, gp.ConditionalPrice) else price
                for name in ("input_mtok", "cache_read_mtok", "cache_write_mtok", "output_mtok",
                             "output_reasoning_mtok", "cache_write_1h_mtok"):
                    value = getattr(mp, name, None)
                    if isinstance(value, gp.TieredPrices):
                        found.update(t.start for t in value.tiers)
    assert found and found <= set(ingest.rollups.band_edges(store))


def test_migration_fills_logged_requests_of_an_existing_store(db_path: Path, tmp_path: Path) -> None:
    """A store from before 0094 (its rollup has no ``logged_requests``) gets it on opening, equal to
    the raw count of requests with a logged cost; costs and the other sums are unchanged."""
    con = ingest.connect(db_path)
    ingest.ingest_file(con, write_log(tmp_path / "a.jsonl", 0, 2000, 3))
    before = con.execute("SELECT * EXCLUDE (logged_requests) FROM request_daily ORDER BY ALL").fetchall()
    con.execute("DROP VIEW requests_daily")
    con.execute("ALTER TABLE request_daily DROP COLUMN logged_requests")
    con.execute("CREATE VIEW requests_daily AS SELECT d.* EXCLUDE (source_file_id), f.name AS source_file "
                "FROM request_daily d JOIN source_file f ON f.id = d.source_file_id WHERE f.status = 'loaded'")
    con.execute("DELETE FROM schema_migrations WHERE name = '0094_rollup_logged_requests'")
    con.close()
    con = ingest.connect(db_path)
    try:
        assert con.execute("SELECT count(*) FROM request_daily WHERE logged_requests IS NULL").fetchone()[0] == 0
        assert con.execute(RAW).fetchall() == con.execute(ROLLED).fetchall()
        assert con.execute("SELECT count(*) FROM requests WHERE logged_cost IS NULL").fetchone()[0] > 0
        assert con.execute("SELECT * EXCLUDE (logged_requests) FROM request_daily ORDER BY ALL").fetchall() == before
    finally:
        con.close()
