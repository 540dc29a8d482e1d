"""OpenRouter activity CSV and Helicone request exports: tokens, costs, attribution, schema drift,
bad rows with their line and reason, and re-loading without double counting. Fixtures follow the
documented schemas (tests/fixtures/gateways/README.md); expected costs are worked by hand from the
catalog prices written beside them."""

from __future__ import annotations

import json
from decimal import Decimal

import duckdb

import ingest
from tests.conftest import FIXTURES

GW = FIXTURES / "gateways"


def row(con: duckdb.DuckDBPyConnection, request_id: str) -> dict:
    cur = con.execute("SELECT * FROM requests WHERE request_id = ?", [request_id])
    names = [d[0] for d in cur.description]
    found = cur.fetchall()
    assert len(found) == 1, request_id
    return dict(zip(names, found[0], strict=True))


def test_openrouter_activity_tokens_costs_and_attribution(store: duckdb.DuckDBPyConnection) -> None:
    r = ingest.ingest_file(store, GW / "openrouter_activity.csv")
    assert (r.status, r.format, r.rows, r.rejected) == ("loaded", "openrouter", 5, 0)

    gpt = row(store, "gen-1770404070-a1")
    assert (gpt["provider"], gpt["model"], gpt["model_raw"]) == ("openrouter", "gpt-4o-2024-08-06", "openai/gpt-4o-2024-08-06")
    assert (gpt["app"], gpt["api_key"], gpt["user"]) == ("contract-review", "prod-backend", "user-17")
    # tokens_prompt 3000 includes tokens_cached 1000
    assert (gpt["uncached_input_tokens"], gpt["cache_read_tokens"], gpt["output_tokens"]) == (2000, 1000, 500)
    assert str(gpt["ts"]) == "2026-02-06 18:54:30.040000" and gpt["latency_ms"] == 1840
    assert gpt["logged_cost"] == Decimal("0.01")
    # OpenRouter's own list (genai-prices openrouter/openai/gpt-4o): $2.50 in, $2.50 cached, $10 out per 1M
    assert gpt["cost"] == Decimal("0.0125")            # 3000 x 2.5 + 500 x 10
    assert json.loads(gpt["tags"])["upstream_provider"] == "OpenAI"

    r1 = row(store, "gen-1770404462-b2")                # reasoning is part of tokens_completion
    assert (r1["output_tokens"], r1["reasoning_tokens"]) == (2400, 1800)
    assert r1["cost"] == Decimal("0.00570")             # 1200 x 0.45 + 2400 x 2.15 per 1M

    free = row(store, "gen-1770405000-c3")              # the free variant is the catalog's :free model, priced 0
    assert free["model_raw"] == "meta-llama/llama-3.3-70b-instruct:free"
    assert free["cost"] == 0 and free["cost_basis"] is not None

    cancelled = row(store, "gen-1770405100-d4")
    assert cancelled["status"] == "error" and json.loads(cancelled["tags"])["cancelled"] == "true"

    tools = row(store, "gen-1770406000-e5")             # Claude routed to Google: still OpenRouter's bill
    assert tools["has_tools"] is True and tools["provider"] == "openrouter"
    assert (tools["uncached_input_tokens"], tools["cache_read_tokens"]) == (2000, 18000)
    assert tools["cost"] == Decimal("0.0159")           # 2000 x 3 + 18000 x 0.30 + 300 x 15 per 1M

    # the same export again adds nothing
    again = ingest.ingest_file(store, GW / "openrouter_activity.csv", name="activity-copy.csv")
    assert again.status == "skipped" or again.rows == 0
    assert store.execute("SELECT count(*) FROM requests").fetchone()[0] == 5


def test_openrouter_older_export_maps_by_header_name(store: duckdb.DuckDBPyConnection) -> None:
    r = ingest.ingest_file(store, GW / "openrouter_activity_2025-12.csv")
    assert (r.status, r.format, r.rows) == ("loaded", "openrouter", 2)
    got = row(store, "gen-1765000000-f6")
    assert (got["model"], got["app"], got["api_key"], got["user"]) == (
        "mistral-small-3.2-24b-instruct", "ticket-triage", "ops-key", None)
    assert (got["uncached_input_tokens"], got["output_tokens"]) == (1000, 400)
    assert got["cost"] == got["logged_cost"] == Decimal("0.000155")   # 1000 x 0.075 + 400 x 0.20 per 1M


def test_openrouter_bad_rows_name_line_and_cause(store: duckdb.DuckDBPyConnection) -> None:
    r = ingest.ingest_file(store, GW / "openrouter_bad_rows.csv")
    assert (r.status, r.rows, r.rejected) == ("loaded", 1, 4)
    rejects = store.execute("SELECT line, reason FROM ingest_rejects ORDER BY line").fetchall()
    assert rejects == [
        (3, 'created_at "yesterday" is not a timestamp'),
        (4, 'tokens_prompt "lots" is not a token count'),
        (5, "tokens_cached exceeds tokens_prompt"),
        (6, 'cost_total "$$" is not a number'),
    ]


def test_helicone_api_page(store: duckdb.DuckDBPyConnection) -> None:
    r = ingest.ingest_file(store, GW / "helicone_requests.json")
    assert (r.status, r.format, r.rows) == ("loaded", "helicone", 3)

    mini = row(store, "5f1c2a9e-0001-4c1e-9a57-3b7f0e6b1a01")
    assert (mini["provider"], mini["model"]) == ("openai", "gpt-4o-mini-2024-07-18")
    assert (mini["feature"], mini["team"], mini["user"]) == ("ticket-summary", "support", "u-1042")
    assert json.loads(mini["tags"]) == {"feature": "ticket-summary", "team": "support", "environment": "prod"}
    # Helicone's prompt_tokens are the uncached ones; cache reads are counted beside them
    assert (mini["uncached_input_tokens"], mini["cache_read_tokens"], mini["output_tokens"]) == (1500, 500, 200)
    assert mini["cost"] == Decimal("0.0003825")         # 1500 x 0.15 + 500 x 0.075 + 200 x 0.60 per 1M
    assert mini["logged_cost"] == Decimal("0.0004") and mini["latency_ms"] == 850
    # bodies are not stored, only their size and hash
    assert mini["prompt_chars"] > 0 and mini["prompt_hash"]
    assert store.execute("SELECT count(*) FROM request_log WHERE prompt_text IS NOT NULL "
                         "OR response_text IS NOT NULL").fetchone()[0] == 0

    claude = row(store, "5f1c2a9e-0002-4c1e-9a57-3b7f0e6b1a02")
    assert (claude["provider"], claude["model"], claude["prompt_name"]) == ("anthropic", "claude-sonnet-4", "clause-check-v3")
    assert (claude["cache_read_tokens"], claude["cache_write_tokens"]) == (10000, 3000)
    assert claude["cost"] == Decimal("0.02535")         # 200 x 3 + 10000 x 0.30 + 3000 x 3.75 + 700 x 15 per 1M

    limited = row(store, "5f1c2a9e-0003-4c1e-9a57-3b7f0e6b1a03")
    assert limited["status"] == "error" and limited["cost"] == 0


def test_helicone_nano_dollar_cost_and_csv_rejects(store: duckdb.DuckDBPyConnection) -> None:
    r = ingest.ingest_file(store, GW / "helicone_clickhouse.jsonl")
    assert (r.status, r.format, r.rows) == ("loaded", "helicone", 2)
    assert row(store, "9a0e-ch-01")["logged_cost"] == Decimal("0.0003825")   # 382500 nano-USD

    r = ingest.ingest_file(store, GW / "helicone_requests.csv")
    assert (r.status, r.format, r.rows, r.rejected) == ("loaded", "helicone", 1, 2)
    assert row(store, "5f1c2a9e-0101-4c1e-9a57-3b7f0e6b1a11")["team"] == "support"
    reasons = store.execute(
        "SELECT line, reason FROM ingest_rejects WHERE file LIKE 'helicone_requests.csv' ORDER BY line").fetchall()
    assert reasons == [(3, "request_properties is not a JSON object"), (4, "prompt_tokens is negative (-3)")]


def test_helicone_bodies_kept_only_when_asked(store: duckdb.DuckDBPyConnection) -> None:
    ingest.ingest_file(store, GW / "helicone_requests.json", options={"keep_text": True})
    text, response = store.execute("SELECT prompt_text, response_text FROM request_log "
                                   "WHERE request_id = '5f1c2a9e-0001-4c1e-9a57-3b7f0e6b1a01'").fetchone()
    assert "printer on fire" in text and "replace unit" in response
