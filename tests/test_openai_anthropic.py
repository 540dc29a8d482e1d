"""OpenAI and Anthropic costs and usage: totals to the cent, tokens, models, token types, tiers."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

import ingest
from ingest.openai import parse_line_item
from tests.conftest import FIXTURES

OA, AN = FIXTURES / "openai", FIXTURES / "anthropic"


def lines(con: duckdb.DuckDBPyConnection, where: str = "TRUE") -> list[tuple]:
    return con.execute(
        f"SELECT x_Model, x_TokenType, x_ServiceTier, x_Tokens, BilledCost FROM billing WHERE {where} "
        "ORDER BY ChargePeriodStart, ChargeDescription, x_TokenType").fetchall()


@pytest.mark.parametrize(("text", "expected"), [
    ("gpt-4o-2024-08-06, input", ("gpt-4o-2024-08-06", "input", "standard")),
    ("gpt-4o-2024-08-06, cached input", ("gpt-4o-2024-08-06", "cache_read", "standard")),
    ("priority | gpt-5.6-sol, output, long context", ("gpt-5.6-sol", "output", "priority")),
    ("batch | gpt-4o-mini-2024-07-18, input", ("gpt-4o-mini-2024-07-18", "input", "batch")),
    ("gpt-audio-mini-2025-12-15 audio, input", ("gpt-audio-mini-2025-12-15", "input", "standard")),
    ("ft-gpt-4o-2024-08-06, input", ("ft-gpt-4o-2024-08-06", "input", "standard")),
    ("evals | gpt-4o, output", ("gpt-4o", "output", "standard")),
    ("web search tool calls", (None, None, None)),
    ("assistants api | file search", (None, None, None)),
])
def test_line_item_parsing(text: str, expected: tuple) -> None:
    assert parse_line_item(text) == expected


def test_openai_costs_page(store: duckdb.DuckDBPyConnection) -> None:
    r = ingest.ingest_file(store, OA / "costs_page.json")
    assert (r.status, r.format, r.rows, r.rejected) == ("loaded", "openai_costs", 7, 0)
    total = store.execute("SELECT sum(BilledCost), min(BillingCurrency) FROM billing").fetchone()
    assert total == (Decimal("0.123456789012") + Decimal("0.0125") + Decimal("1.5") + Decimal("2.25")
                     + Decimal("0.4") + Decimal("0.00008") - Decimal("1"), "USD")
    got = store.execute("SELECT ChargeDescription, x_Model, x_TokenType, x_ServiceTier, x_Tokens, ChargeCategory "
                        "FROM billing ORDER BY ChargePeriodStart, ChargeDescription").fetchall()
    assert got == [
        ("gpt-4o-2024-08-06, cached input", "gpt-4o-2024-08-06", "cache_read", "standard", 10000.0, "Usage"),
        ("gpt-4o-2024-08-06, input", "gpt-4o-2024-08-06", "input", "standard", 49382.0, "Usage"),
        ("gpt-4o-2024-08-06, output", "gpt-4o-2024-08-06", "output", "standard", 150000.0, "Usage"),
        ("priority | gpt-5.6-sol, output, long context", "gpt-5.6-sol", "output", "priority", None, "Usage"),
        ("web search tool calls", None, None, None, None, "Usage"),
        ("batch | gpt-4o-mini-2024-07-18, input", "gpt-4o-mini-2024-07-18", "input", "batch", None, "Usage"),
        ("credit", None, None, None, None, "Credit"),
    ]


def test_openai_overlapping_pages_do_not_double_count(store: duckdb.DuckDBPyConnection) -> None:
    ingest.ingest_file(store, OA / "costs_page.json")
    r = ingest.ingest_file(store, OA / "costs_overlap_pages.json")
    assert (r.rows, r.duplicates) == (1, 2)
    assert store.execute("SELECT count(*) FROM billing").fetchone()[0] == 8


def test_openai_cost_csv_skips_empty_buckets(store: duckdb.DuckDBPyConnection) -> None:
    r = ingest.ingest_file(store, OA / "cost_2025-10-01_2025-10-04.csv")
    assert (r.status, r.format, r.rows, r.rejected) == ("loaded", "openai_costs", 3, 0), r.error
    assert store.execute("SELECT sum(BilledCost) FROM billing").fetchone()[0] == Decimal("0.265")
    assert lines(store) == [
        ("gpt-5-2025-08-07", "input", "standard", None, Decimal("0.015")),
        ("gpt-5-2025-08-07", "output", "standard", None, Decimal("0.2")),
        ("gpt-5-mini-2025-08-07", "cache_read", "standard", None, Decimal("0.05")),
    ]


def test_openai_usage_splits_cached_from_input(store: duckdb.DuckDBPyConnection) -> None:
    r = ingest.ingest_file(store, OA / "usage_page.json")
    assert (r.status, r.format) == ("loaded", "openai_usage")
    got = store.execute("SELECT x_Model, x_TokenType, x_ServiceTier, x_Tokens, x_Requests, BilledCost, x_LineType "
                        "FROM billing ORDER BY x_Model, x_TokenType").fetchall()
    assert got == [
        ("gpt-4o-mini", "input", "standard", 100.0, 1, None, "usage"),
        ("gpt-4o-mini", "output", "standard", 10.0, None, None, "usage"),
        ("gpt-5-2025-08-07", "cache_read", "flex", 1200.0, None, None, "usage"),
        ("gpt-5-2025-08-07", "cache_write_5m", "flex", 300.0, None, None, "usage"),
        ("gpt-5-2025-08-07", "input", "flex", 3500.0, 9, None, "usage"),
        ("gpt-5-2025-08-07", "output", "flex", 700.0, None, None, "usage"),
    ]


def test_openai_usage_csv(store: duckdb.DuckDBPyConnection) -> None:
    r = ingest.ingest_file(store, OA / "completions_usage_2025-10-01_2025-10-02.csv")
    assert (r.status, r.format) == ("loaded", "openai_usage"), r.error
    got = store.execute("SELECT x_Model, x_TokenType, x_ServiceTier, x_Tokens, x_Requests FROM billing "
                        "ORDER BY x_Model, x_TokenType").fetchall()
    assert got == [
        ("gpt-4o-2024-08-06", "input", "batch", 900.0, 3),
        ("gpt-4o-2024-08-06", "output", "batch", 100.0, None),
        ("gpt-5-2025-08-07", "cache_read", "standard", 2000.0, None),
        ("gpt-5-2025-08-07", "input", "standard", 10000.0, 12),
        ("gpt-5-2025-08-07", "output", "standard", 3400.0, None),
    ]


def test_anthropic_cost_report_amounts_are_cents(store: duckdb.DuckDBPyConnection) -> None:
    r = ingest.ingest_file(store, AN / "cost_report.json")
    assert (r.status, r.format, r.rows) == ("loaded", "anthropic_cost", 4)
    got = store.execute("SELECT x_Model, x_TokenType, x_ServiceTier, BilledCost, SubAccountId FROM billing "
                        "ORDER BY BilledCost").fetchall()
    assert got == [
        ("claude-sonnet-4-5", "cache_write_1h", "standard", Decimal("0.00007"), "wrkspc_1"),
        ("claude-haiku-4-5", "output", "batch", Decimal("0.5"), "default"),
        ("claude-sonnet-4-5", "input", "standard", Decimal("1.2345"), "wrkspc_1"),
        (None, None, "standard", Decimal("10"), "default"),
    ]


def test_anthropic_usage_report_nested_cache(store: duckdb.DuckDBPyConnection) -> None:
    ingest.ingest_file(store, AN / "usage_report.json")
    got = store.execute("SELECT x_Model, x_TokenType, x_Tokens FROM billing ORDER BY x_Model, x_TokenType").fetchall()
    assert got == [
        ("claude-haiku-4-5", "input", 500.0),
        ("claude-haiku-4-5", "output", 40.0),
        ("claude-sonnet-4-5", "cache_read", 250000.0),
        ("claude-sonnet-4-5", "cache_write_1h", 1000.0),
        ("claude-sonnet-4-5", "cache_write_5m", 4000.0),
        ("claude-sonnet-4-5", "input", 82300.0),
        ("claude-sonnet-4-5", "output", 9100.0),
    ]
    assert store.execute("SELECT count(*) FROM billing WHERE BilledCost IS NOT NULL").fetchone()[0] == 0


def test_anthropic_console_csvs(store: duckdb.DuckDBPyConnection) -> None:
    cost = ingest.ingest_file(store, AN / "console_cost_2025-10.csv")
    usage = ingest.ingest_file(store, AN / "console_usage_2025-10.csv")
    assert (cost.format, usage.format) == ("anthropic_cost", "anthropic_usage")
    got = store.execute("SELECT x_ModelRaw, x_Model, x_TokenType, x_ServiceTier, BilledCost, ListCost FROM billing "
                        "WHERE x_LineType = 'cost' ORDER BY BilledCost").fetchall()
    assert got == [
        ("Claude Sonnet 4.5", "claude-sonnet-4-5", "cache_read", "standard", Decimal("0.3"), Decimal("0.3")),
        ("Claude Haiku 4.5", "claude-haiku-4-5", "input", "standard", Decimal("1.25"), Decimal("1.25")),
        ("Claude Sonnet 4.5", "claude-sonnet-4-5", "output", "batch", Decimal("12.000001"), Decimal("24.000002")),
    ]
    assert store.execute("SELECT sum(x_Tokens) FROM billing WHERE x_LineType = 'usage'").fetchone()[0] == 6500


def test_a_bad_amount_is_rejected_with_its_record(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    bad = tmp_path / "cost_report.json"
    bad.write_text((AN / "cost_report.json").read_text().replace('"amount": "50"', '"amount": "12x.5"'))
    r = ingest.ingest_file(store, bad)
    assert (r.rows, r.rejected) == (3, 1)
    line, record, reason = store.execute("SELECT line, record, reason FROM ingest_rejects").fetchone()
    assert reason == 'amount "12x.5" is not a number of cents'
    assert record.endswith("page 1 data[0].results[2]") and "12x.5" in record
