"""OpenTelemetry GenAI spans (OTLP JSON): new and deprecated attribute names, cached input inside
input_tokens, reasoning inside output, agent/tool spans not counted, dedupe on span id, rejects."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import duckdb

import ingest
from tests.conftest import FIXTURES

OTEL = FIXTURES / "otel"


def rows(con: duckdb.DuckDBPyConnection) -> dict[str, dict]:
    cur = con.execute("SELECT * FROM requests")
    names = [d[0] for d in cur.description]
    return {r[0]: dict(zip(names, r, strict=True)) for r in cur.fetchall()}


def test_new_names_split_cache_and_skip_agent_and_tool_spans(db_path: Path) -> None:
    con = ingest.connect(db_path)
    r = ingest.ingest_file(con, OTEL / "otel_genai_new_names.json")
    assert (r.status, r.format, r.rows, r.rejected) == ("loaded", "otel", 2, 0)
    got = rows(con)
    assert set(got) == {"eee19b7ec3c1b174", "b7ad6b7169203331"}   # not the invoke_agent, tool or HTTP spans
    oa = got["eee19b7ec3c1b174"]
    assert (oa["provider"], oa["model"], oa["model_raw"]) == ("openai", "gpt-4o-2024-08-06", "gpt-4o-2024-08-06")
    assert (oa["uncached_input_tokens"], oa["cache_read_tokens"], oa["input_tokens"], oa["output_tokens"]) == (200, 1000, 1200, 300)
    assert (oa["app"], oa["feature"], oa["prompt_name"], oa["user"]) == ("search-api", "answer-search", "search-answer-v3", "u_17")
    assert oa["trace_id"] == "5b8efff798038103d269b633813fc60c"
    assert json.loads(oa["tags"]) == {"environment": "production", "operation": "chat",
                                      "conversation_id": "conv-9", "response_id": "chatcmpl-A1"}
    assert (oa["service_tier"], oa["status"], oa["latency_ms"]) == ("standard", "ok", 850.0)
    assert oa["logged_cost"] is None            # no cost attribute on this span
    assert oa["prompt_chars"] > 0 and len(oa["prompt_hash"]) == 64
    an = got["b7ad6b7169203331"]
    assert (an["model"], an["uncached_input_tokens"], an["cache_read_tokens"], an["cache_write_tokens"]) == (
        "claude-sonnet-4-5", 500, 4000, 1500)          # 6000 - 4000 - 1500
    assert (an["output_tokens"], an["reasoning_tokens"], an["status"], an["feature"]) == (800, 200, "error", "support-agent")
    assert an["logged_cost"] == Decimal("0.0213") and an["latency_ms"] == 3500.0
    con.close()
    assert b"SECRET-OTEL-PROMPT-4242" not in db_path.read_bytes()


def test_keep_text_keeps_the_messages(store: duckdb.DuckDBPyConnection) -> None:
    ingest.ingest_file(store, OTEL / "otel_genai_new_names.json", options={"keep_text": True})
    (text, answer) = store.execute(
        "SELECT prompt_text, response_text FROM request_log WHERE request_id = 'eee19b7ec3c1b174'").fetchone()
    assert "SECRET-OTEL-PROMPT-4242" in text and "30 days" in answer


def test_deprecated_names_overlap_and_old_anthropic_input(store: duckdb.DuckDBPyConnection) -> None:
    r = ingest.ingest_file(store, OTEL / "otel_collector_old_names.jsonl")
    assert (r.status, r.rows, r.duplicates, r.warned) == ("loaded", 3, 1, 1)
    got = rows(store)
    one = got["0000000000000001"]
    assert (one["provider"], one["model"], one["input_tokens"], one["output_tokens"]) == ("openai", "gpt-4o-mini", 500, 40)
    assert (one["service_tier"], one["app"], json.loads(one["tags"])) == ("flex", "billing-bot", {"environment": "staging"})
    assert one["logged_cost"] == Decimal("0.000099") and one["prompt_chars"] == len("hello there")
    assert got["0000000000000002"]["input_tokens"] == 700
    old = got["0000000000000003"]
    assert (old["model"], old["uncached_input_tokens"], old["cache_read_tokens"], old["cache_write_tokens"]) == (
        "claude-3-5-haiku", 30, 2000, 100)
    (reason,) = store.execute("SELECT reason FROM ingest_rejects WHERE action = 'kept'").fetchone()
    assert reason.startswith("gen_ai.usage.input_tokens (30) is less than its cached parts")
    # the same spans in a later export add nothing
    again = ingest.ingest_file(store, OTEL / "otel_collector_old_names.jsonl", name="again.jsonl")
    assert again.status == "skipped"
    total = store.execute("SELECT sum(input_tokens), sum(output_tokens) FROM requests").fetchone()
    assert total == (500 + 700 + 2130, 40 + 60 + 90)


def test_bad_spans_are_rejected_with_line_and_cause(store: duckdb.DuckDBPyConnection) -> None:
    r = ingest.ingest_file(store, OTEL / "otel_bad_spans.jsonl")
    assert (r.status, r.rows, r.rejected) == ("loaded", 1, 2)
    assert store.execute("SELECT line, reason FROM ingest_rejects ORDER BY line").fetchall() == [
        (1, 'gen_ai.usage.input_tokens "many" is not a token count'),
        (2, 'startTimeUnixNano "not-a-time" is not a timestamp'),
    ]


def test_a_trace_file_without_genai_spans_fails_in_one_line(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "http_only.json"
    path.write_text(json.dumps({"resourceSpans": [{"resource": {"attributes": []}, "scopeSpans": [{"spans": [
        {"traceId": "1" * 32, "spanId": "2" * 16, "startTimeUnixNano": "1790000000000000000",
         "attributes": [{"key": "http.request.method", "value": {"stringValue": "GET"}}]}]}]}]}))
    r = ingest.ingest_file(store, path)
    assert r.status == "failed"
    assert r.error is not None and r.error.startswith("http_only.json: no GenAI model-call spans")
