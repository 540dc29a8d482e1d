"""LiteLLM and Langfuse request logs: the real LiteLLM fixture, the sample company's gateway logs and
a Langfuse export, asserting tokens, costs and attribution; prompt text never stored by default."""

from __future__ import annotations

import gzip
import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

import ingest
from tests.conftest import FIXTURES, ROOT, SAMPLES, run_cli

LOGS = ROOT / "sample_data" / "slice" / "logs"


def rows(con: duckdb.DuckDBPyConnection, where: str = "true") -> list[dict]:
    cur = con.execute(f"SELECT * FROM requests WHERE {where} ORDER BY request_id")
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def test_litellm_real_fixture(store: duckdb.DuckDBPyConnection) -> None:
    r = ingest.ingest_file(store, SAMPLES / "litellm" / "litellm_tests_spend_logs_payload.json")
    assert (r.status, r.format, r.rows) == ("loaded", "litellm", 1)
    [row] = rows(store)
    assert row["request_id"] == "chatcmpl-2283081b-dc89-41f6-93e6-d4f914774027"
    assert (row["provider"], row["model"], row["trace_id"]) == ("openai", "gpt-4o", "1234567890")
    assert (row["uncached_input_tokens"], row["cache_read_tokens"], row["output_tokens"]) == (10, 0, 20)
    assert row["logged_cost"] == Decimal("0.000225")
    assert row["cost"] == Decimal("0.000225")        # 10 x $2.50 + 20 x $10 per 1M: the same as LiteLLM's
    assert row["status"] == "ok" and str(row["ts"]) == "2025-01-24 09:20:46.847371"
    assert row["latency_ms"] == 4.583


def test_litellm_sample_company_csv(store: duckdb.DuckDBPyConnection) -> None:
    r = ingest.ingest_file(store, LOGS / "litellm_spend_logs.csv")
    assert (r.status, r.rows, r.rejected) == ("loaded", 2580, 0)
    first = rows(store, "request_id = 'chatcmpl-dd6ef997-d3d4-1566-848f-91b9b5307fe3'")[0]
    assert (first["team"], first["feature"], first["api_key"]) == ("marketing", "seo-summaries", "seo-summaries-prod")
    assert first["service_tier"] == "batch" and first["user"] == "u_0060"
    assert json.loads(first["tags"]) == {"feature": "seo-summaries", "team": "marketing", "env": "production"}
    assert (first["uncached_input_tokens"], first["output_tokens"], first["logged_cost"]) == (2735, 314, Decimal("0.004305"))
    # Haiku 4.5 batch in August: the catalog has no batch price yet, the published 50% applies
    assert first["cost"] == Decimal("0.004305") / 2
    # cached tokens come out of prompt_tokens (OpenAI style) and land in their own columns
    cached = store.execute("SELECT count(*) FROM requests WHERE cache_read_tokens > 0 AND provider = 'openai'").fetchone()
    assert cached[0] > 0
    assert store.execute("SELECT count(*) FROM requests WHERE uncached_input_tokens < 0").fetchone()[0] == 0
    # loading the same rows again (another export that overlaps) adds nothing
    again = ingest.ingest_file(store, LOGS / "litellm_spend_logs.csv", name="litellm_again.csv")
    assert again.status == "skipped" or again.rows == 0


def test_litellm_gzip_loads_as_the_plain_csv_and_keeps_threads(tmp_path: Path) -> None:
    """A compressed log loads with one thread more (ingest.loader._threads): the same rows and costs
    as the plain file, and the connection's thread count as it was, after a load and a failed one."""
    plain = LOGS / "litellm_spend_logs.csv"
    gz = tmp_path / "litellm_spend_logs.csv.gz"
    gz.write_bytes(gzip.compress(plain.read_bytes()))
    rejected = tmp_path / "rejected.csv.gz"   # every startTime unreadable: the load fails, rolled back
    lines = plain.read_text().splitlines(keepends=True)
    rejected.write_bytes(gzip.compress((lines[0] + "".join(
        ln.replace(",2026-", ",x2026-") for ln in lines[1:])).encode()))
    cut = tmp_path / "cut.csv.gz"   # the stream ends mid-file: DuckDB fails inside the transaction
    cut.write_bytes(gz.read_bytes()[: gz.stat().st_size // 2])
    sums = "SELECT count(*), sum(cost), sum(logged_cost), count(DISTINCT tags), count(DISTINCT team) FROM requests"
    totals = []
    for i, f in enumerate((plain, gz)):
        con = ingest.connect(tmp_path / f"{i}.duckdb")
        con.execute("SET threads = 1")
        r = ingest.ingest_file(con, f)
        assert (r.status, r.rows, r.rejected) == ("loaded", 2580, 0), r.error
        assert con.execute("SELECT current_setting('threads')").fetchone()[0] == 1
        totals.append(con.execute(sums).fetchone())
        if f is gz:
            for bad, error in ((rejected, "every row was rejected"), (cut, "cut.csv.gz")):
                failed = ingest.ingest_file(con, bad)
                assert failed.status == "failed" and error in (failed.error or ""), failed.error
                assert con.execute("SELECT current_setting('threads')").fetchone()[0] == 1
                assert con.execute("SELECT count(*) FROM requests").fetchone()[0] == 2580
    assert totals[0] == totals[1] and totals[0][0] == 2580


def test_langfuse_camel_case_jsonl(store: duckdb.DuckDBPyConnection) -> None:
    r = ingest.ingest_file(store, LOGS / "langfuse_observations.jsonl")
    assert (r.status, r.format, r.rows) == ("loaded", "langfuse", 398)
    row = rows(store, "request_id = 'adb1ef39-7a6c-8902-455a-b00979c54149'")[0]
    assert (row["provider"], row["model"], row["team"]) == ("aws", "claude-sonnet-4-5", "legal")
    assert (row["feature"], row["prompt_name"], row["user"]) == ("clause-extraction", "clause-extraction-prompt", "u_0029")
    assert (row["uncached_input_tokens"], row["cache_read_tokens"], row["output_tokens"]) == (2894, 4339, 1666)
    assert row["latency_ms"] == pytest.approx(14251.1) and row["logged_cost"] == Decimal("0.0349737")


def test_langfuse_snake_case_export_and_privacy(db_path: Path) -> None:
    con = ingest.connect(db_path)
    r = ingest.ingest_file(con, FIXTURES / "logs" / "langfuse_export_snake.csv")
    assert (r.status, r.rows, r.rejected) == ("loaded", 2, 0)   # the SPAN is not a request
    obs1, obs3 = rows(con)
    assert (obs1["uncached_input_tokens"], obs1["cache_read_tokens"], obs1["output_tokens"]) == (800, 200, 50)
    assert (obs1["team"], obs1["prompt_name"], obs1["latency_ms"]) == ("support", "support-answer", 2500.0)
    assert obs1["prompt_chars"] > 0 and len(obs1["prompt_hash"]) == 64
    assert (obs3["cache_read_tokens"], obs3["cache_write_tokens"], obs3["cache_write_1h_tokens"]) == (1000, 50, 10)
    assert obs3["status"] == "error"
    con.close()
    # the prompt text is nowhere in the database file
    assert b"SECRET-PROMPT-7731" not in db_path.read_bytes()
    wal = db_path.with_name(db_path.name + ".wal")
    assert not wal.exists() or b"SECRET-PROMPT-7731" not in wal.read_bytes()


def test_keep_text_stores_prompts(db_path: Path) -> None:
    proc = run_cli("ingest", str(FIXTURES / "logs" / "langfuse_export_snake.csv"), "--keep-text", db=db_path)
    assert proc.returncode == 0, proc.stderr
    con = duckdb.connect(str(db_path), read_only=True)
    (text,) = con.execute("SELECT prompt_text FROM request_log WHERE request_id = 'obs-1'").fetchone()
    con.close()
    assert "SECRET-PROMPT-7731" in text


def test_langfuse_usage_keys_known_and_free_form(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """usageDetails keys are free-form: rows whose keys are all known take a one-parse path, others
    sum every key by its pattern. Both give the same tokens (the same row with an extra zero key
    takes the general path), and unknown keys count where their names say."""
    known = {"input": 900, "cache_read_input_tokens": 300, "cache_creation_input_tokens": 40,
             "cache_creation_input_tokens_1h": 5, "output": 70, "output_reasoning_tokens": 30, "total": 1345}
    free = {"input": 100, "input_text_tokens": 7, "my_cache_read_x": 3, "cache_write_1h_custom": 4,
            "output": 10, "output_extra": 2}
    base = {"traceId": "t", "type": "GENERATION", "startTime": "2026-10-01T10:00:00Z", "model": "gpt-4o",
            "tags": ["team:ops"]}
    lines = [{**base, "id": "known", "usageDetails": known},
             {**base, "id": "known+zero", "usageDetails": {**known, "zzz_unlisted": 0}},
             {**base, "id": "free", "usageDetails": free}]
    path = tmp_path / "observations.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    r = ingest.ingest_file(store, path)
    assert (r.status, r.format, r.rows, r.rejected) == ("loaded", "langfuse", 3, 0)
    cols = ["uncached_input_tokens", "cache_read_tokens", "cache_write_tokens", "cache_write_1h_tokens",
            "output_tokens", "reasoning_tokens", "team"]
    got = {x["request_id"]: tuple(x[c] for c in cols) for x in rows(store)}
    assert got["known"] == (900, 300, 40, 5, 100, 30, "ops")
    assert got["known+zero"] == got["known"]
    assert got["free"] == (107, 3, 0, 4, 12, 0, "ops")
