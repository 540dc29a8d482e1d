"""Workloads and their profiles on a request log loaded through the generic reader."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

import ingest
from ingest.errors import QueryError
from queries import workloads as W
from queries.priors import PRIOR_RULES, prior_for, prior_rules
from tests.builders import write_log

ROWS = [
    # search: feature wins over app/route; 3 requests, two models, one error, tools on 1 of 2 known
    {"request_id": "a1", "ts": "2026-10-01T00:00:00Z", "provider": "openai", "model": "gpt-4o", "feature": "search",
     "app": "web", "route": "/s", "input_tokens": 1000, "cache_read_tokens": 500, "output_tokens": 100,
     "latency_ms": 100, "status": "ok", "has_tools": "true"},
    {"request_id": "a2", "ts": "2026-10-10T00:00:00Z", "provider": "openai", "model": "gpt-4o", "feature": "search",
     "input_tokens": 2000, "output_tokens": 300, "latency_ms": 300, "status": "error", "has_tools": "false"},
    {"request_id": "a3", "ts": "2026-10-20T00:00:00Z", "provider": "openai", "model": "gpt-4o-mini", "feature": "search",
     "input_tokens": 3000, "output_tokens": 200, "reasoning_tokens": 50, "latency_ms": 200, "status": "ok"},
    # no feature: app + route
    {"request_id": "b1", "ts": "2026-10-05T00:00:00Z", "provider": "anthropic", "model": "claude-sonnet-4-5",
     "app": "web", "route": "/chat", "api_key": "k1", "input_tokens": 100, "output_tokens": 50, "status": "ok"},
    # only an api key
    {"request_id": "c1", "ts": "2026-10-25T00:00:00Z", "provider": "anthropic", "model": "claude-sonnet-4-5",
     "api_key": "k1", "input_tokens": 100, "output_tokens": 50, "status": "ok"},
]


@pytest.fixture
def loaded(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> duckdb.DuckDBPyConnection:
    r = ingest.ingest_file(store, write_log(tmp_path / "gw-log.csv", ROWS))
    assert (r.status, r.rows) == ("loaded", 5)
    return store


def test_auto_key_takes_the_most_specific_attribute(loaded: duckdb.DuckDBPyConnection) -> None:
    df = W.workload_profiles(loaded, start="2026-10-01", end="2026-11-01")
    assert sorted(zip(df["workload"], df["requests"], strict=True)) == [("k1", 1), ("search", 3), ("web /chat", 1)]


def test_profile_numbers_by_hand(loaded: duckdb.DuckDBPyConnection) -> None:
    p = {r["workload"]: r for r in W.workload_profiles(loaded, start="2026-10-01", end="2026-11-01").to_dicts()}["search"]
    assert p["current_model"] == "gpt-4o"                       # most of the spend: $0.010875 vs $0.00057
    assert p["model_mix"] == "gpt-4o 66.7%, gpt-4o-mini 33.3%"
    assert (p["requests"], p["unpriced_requests"], p["period_days"]) == (3, 0, 31.0)
    assert p["requests_per_month"] == pytest.approx(3 * 30.4375 / 31)
    # percentiles from the histogram (whole days): tokens up to 1,024 exact, above the bin's middle
    # 2^((bin + 255.5) / 128) with bin = floor(128 log2 v) - 255: 2000 -> 1999, 3000 -> 3000; the exact
    # figures when a bound has a time of day
    assert (p["input_p50"], p["input_p95"], p["output_p50"], p["output_p99"]) == (1999, 3000, 200, 300)
    exact = W.workload_profiles(loaded, start="2026-10-01", end="2026-10-31 23:59:59").filter(workload="search")
    assert exact.select("input_p50", "input_p95", "latency_p50_ms").row(0) == (2000, 3000, 200.0)
    assert p["output_input_ratio"] == pytest.approx(600 / 6000)
    assert p["cache_read_share"] == pytest.approx(500 / 6000)
    assert p["reasoning_share"] == pytest.approx(50 / 600)
    assert p["tool_share"] == pytest.approx(0.5)                # 1 of the 2 requests that say
    assert p["structured_share"] is None                        # the log never says
    assert p["error_rate"] == pytest.approx(1 / 3)
    assert (p["latency_p50_ms"], p["max_total_tokens"]) == (200.505, 3200)   # 200 ms = 200,000 µs -> 200,505 µs
    # trend: the period's halves split at Oct 16 12:00: Oct 1 and Oct 10 before, Oct 20 after
    assert p["trend"] == pytest.approx(1 / 2 - 1)
    assert (p["uncached_input_tokens"], p["cache_read_tokens"], p["output_tokens"]) == (5500, 500, 600)


def test_monthly_and_model_mix(loaded: duckdb.DuckDBPyConnection) -> None:
    m = W.workload_models(loaded)
    assert m.filter(m["workload"] == "search").select("model", "requests").rows() == [("gpt-4o", 2), ("gpt-4o-mini", 1)]
    mon = W.workload_monthly(loaded)
    assert mon.select("workload", "month", "requests").sort("workload").rows() == [
        ("k1", "2026-10", 1), ("search", "2026-10", 3), ("web /chat", "2026-10", 1)]


def test_per_source_rule_and_default_key(loaded: duckdb.DuckDBPyConnection) -> None:
    assert sorted(W.workload_profiles(loaded, key="api_key")["workload"]) == ["(no api_key)", "k1"]
    W.set_workload_rule(loaded, "gw-*", "app")
    df = W.workload_profiles(loaded)
    assert sorted(zip(df["workload"], df["requests"], strict=True)) == [("(no app)", 3), ("web", 2)]
    assert W.workload_rules(loaded).rows() == [("gw-*", "app", 100)]
    W.set_workload_rule(loaded, "other-*", "team")
    assert sorted(W.workload_profiles(loaded)["workload"]) == ["(no app)", "web"]   # rule matches by file name
    with pytest.raises(QueryError, match="unknown workload key 'colour'; choose from auto, feature"):
        W.workload_profiles(loaded, key="colour")


def test_prior_rules_are_visible_and_ordered() -> None:
    table = prior_rules()
    assert table["rule"].to_list() == [r.name for r in PRIOR_RULES]
    assert table.filter(table["rule"] == "default")["order"].item() == len(PRIOR_RULES)
    assert all(row["eligible_low"] <= row["eligible_share"] <= row["eligible_high"] for row in table.to_dicts())
    assert all(row["why"] for row in table.to_dicts())
    # first match wins
    assert prior_for({"reasoning_share": 0.5, "output_p95": 10, "output_input_ratio": 0.01}).name == "reasoning-heavy"
    assert prior_for({"output_p95": 200, "output_input_ratio": 0.05}).name == "extraction-like"
    assert prior_for({"output_p95": 200, "output_input_ratio": 0.5, "output_p50": 150}).name == "short-generation"
    assert prior_for({"output_p50": 1500, "output_p95": 3000}).name == "long-generation"
    assert prior_for({"tool_share": 0.8}).name == "tool-heavy"
    assert prior_for({}).name == "default"
