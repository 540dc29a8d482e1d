"""The generic request log: headers that are the requests view's names load with no mapping."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

import ingest

HEADER = "request_id,ts,provider,model,feature,team,user,input_tokens,cache_read_tokens,output_tokens,reasoning_tokens,latency_ms,status,tags\n"


def test_csv_loads_and_splits_cached_input(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text(HEADER
                    + 'r1,2026-10-01T12:00:00Z,openai,gpt-4o-2024-08-06,search,core,u1,1200,1000,300,0,850,ok,"{""env"": ""prod""}"\n'
                    + "r2,2026-10-01 12:00:05,anthropic,claude-sonnet-4-5,chat,core,u2,500,0,80,20,1200,error,\n",
                    encoding="utf-8")
    r = ingest.ingest_file(store, path)
    assert (r.status, r.format, r.kind, r.rows) == ("loaded", "generic", "requests", 2)
    rows = store.execute(
        "SELECT request_id, model, model_raw, uncached_input_tokens, cache_read_tokens, input_tokens, "
        "output_tokens, reasoning_tokens, tags->>'env', \"user\" FROM requests ORDER BY request_id").fetchall()
    assert rows == [
        ("r1", "gpt-4o-2024-08-06", "gpt-4o-2024-08-06", 200, 1000, 1200, 300, 0, "prod", "u1"),
        ("r2", "claude-sonnet-4-5", "claude-sonnet-4-5", 500, 0, 500, 80, 20, None, "u2"),
    ]


def test_jsonl_loads_and_dedupes_on_request_id(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    recs = [{"request_id": f"q{i}", "ts": "2026-10-02T00:00:00Z", "model": "openai/gpt-4o-mini",
             "input_tokens": 100 + i, "output_tokens": 10, "tags": {"k": i}} for i in range(5)]
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text("\n".join(json.dumps(r) for r in recs[:3]) + "\n")
    b.write_text("\n".join(json.dumps(r) for r in recs[1:]) + "\n")
    assert ingest.ingest_file(store, a).rows == 3
    rb = ingest.ingest_file(store, b)
    assert (rb.rows, rb.duplicates) == (2, 2)
    assert store.execute("SELECT sum(input_tokens), min(model) FROM requests").fetchone() == (510, "gpt-4o-mini")


def test_bad_rows_are_rejected_with_line(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text(HEADER
                    + "r1,2026-10-01T12:00:00Z,openai,gpt-4o,f,t,u,100,0,10,0,1,ok,\n"
                    + "r2,yesterday,openai,gpt-4o,f,t,u,100,0,10,0,1,ok,\n"
                    + "r3,2026-10-01T12:00:00Z,openai,gpt-4o,f,t,u,100,200,10,0,1,ok,\n"
                    + "r4,2026-10-01T12:00:00Z,openai,gpt-4o,f,t,u,lots,0,10,0,1,ok,\n")
    r = ingest.ingest_file(store, path)
    assert (r.rows, r.rejected) == (1, 3)
    assert store.execute("SELECT line, reason FROM ingest_rejects ORDER BY line").fetchall() == [
        (3, 'ts "yesterday" is not a timestamp'),
        (4, "cached tokens exceed input_tokens"),
        (5, 'input_tokens "lots" is not a token count'),
    ]


def test_line_numbers_hold_on_multi_chunk_and_big_files(store: duckdb.DuckDBPyConnection, tmp_path: Path,
                                                       monkeypatch) -> None:
    """Lines are counted across DuckDB's parallel chunks; files too big to number on the main pass
    are read again, numbered, when a row is rejected."""
    import ingest.loader

    rows = [f"r{i},2026-10-01T00:00:00Z,openai,gpt-4o,f,t,u,100,0,10,0,1,ok," for i in range(120_000)]
    rows[77_776] = rows[77_776].replace(",100,", ",oops,")
    big = tmp_path / "big.csv"
    big.write_text(HEADER + "\n".join(rows) + "\n")
    for limit, name in ((1 << 40, "numbered"), (1, "renumbered")):
        monkeypatch.setattr(ingest.loader, "NUMBER_LINES_UP_TO", limit)
        path = tmp_path / f"{name}.csv"
        path.write_text(big.read_text().replace("r0,", f"{name}-r0,", 1))
        r = ingest.ingest_file(store, path)
        assert (r.rows + r.duplicates, r.rejected) == (119_999, 1)
        line = store.execute("SELECT line FROM ingest_rejects WHERE file = ?", [path.name]).fetchone()[0]
        assert line == 77_778  # header is line 1


def test_repeated_ids_in_one_file_are_found_in_any_slice(store: duckdb.DuckDBPyConnection, tmp_path: Path,
                                                         monkeypatch) -> None:
    """Repeats are looked for in slices of the keys' hashes (a 100M-row file at once ran out of
    memory): with slices of 7 rows, 10 repeats among 50 lines are each kept once, the first line's."""
    import ingest.loader

    monkeypatch.setattr(ingest.loader, "REPEAT_SLICE", 7)
    ids = [f"q{i}" for i in range(40)] + [f"q{i}" for i in range(0, 40, 4)]
    lines = [f"{rid},2026-10-01T00:00:00Z,openai,gpt-4o,f,t,u,{100 + n},0,10,0,1,ok," for n, rid in enumerate(ids)]
    path = tmp_path / "repeats.csv"
    path.write_text(HEADER + "\n".join(lines) + "\n")
    r = ingest.ingest_file(store, path)
    assert (r.rows, r.duplicates) == (40, 10)
    assert store.execute("SELECT sum(input_tokens) FROM requests").fetchone()[0] == sum(100 + n for n in range(40))
    unique = tmp_path / "unique.csv"
    unique.write_text(HEADER + "\n".join(line.replace("q", "u", 1) for line in lines[:40]) + "\n")
    assert (ingest.ingest_file(store, unique).rows, store.execute("SELECT count(*) FROM requests").fetchone()[0]) == (40, 80)
