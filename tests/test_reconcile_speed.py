"""Session 5 (issue 8): the reconciliation reads the daily rollup where that is exact and the requests
only for the keys where it is not. Its results must equal, to the digit, the per-request computation
it replaces: tests/fixtures/reference_sql/reconcile_cells.sql (the SQL as it was) with
``ingest.prices.catalog_costs`` pricing every request of the period at the catalog, as
``queries.reconcile.cells`` did before. Compared on the sample company slice and on an adversarial
store built here: a price file (a discount from a date, a contract price from a date for a model the
catalog lacks, an hourly-priced model), batch/flex/priority requests, requests above a long-context
threshold, an off-peak (time-of-day) price, a model the catalog lacks, partly logged costs, a day
partly priced, and periods that start or end mid-day."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest

import ingest
from ingest import prices, rollups
from ingest.models import provider_key_sql
from queries import reconcile as rec
from queries import run
from tests.conftest import ROOT

REFERENCE = (ROOT / "tests" / "fixtures" / "reference_sql" / "reconcile_cells.sql").read_text()


def reference_cells(con: duckdb.DuckDBPyConnection, start: str | None, end: str | None) -> pl.DataFrame:
    """``cells`` as it was before session 5: every request of the period priced at the catalog."""
    s, e = rec._bounds(start, end)
    prices.catalog_costs(con, "AND r.ts >= CAST(? AS TIMESTAMP) AND r.ts < CAST(? AS TIMESTAMP)", [s, e],
                         differing_only=True)
    try:
        return run(con, REFERENCE.format(bill_provider=provider_key_sql("ProviderName"),
                                         req_provider=provider_key_sql("r.provider")), {"start": s, "end": e})
    finally:
        con.execute("DROP TABLE IF EXISTS _catalog_cost")


def assert_same(con: duckdb.DuckDBPyConnection, start: str | None, end: str | None) -> pl.DataFrame:
    """cells, reconciliation (summary, causes, table by day and month) and gap_causes* equal the
    reference's, Decimal for Decimal. Returns the cells."""
    got, want = rec.cells(con, start, end), reference_cells(con, start, end)
    assert got.schema == want.schema, (start, end)
    assert got.equals(want), (start, end, got.join(want, on=["day", "provider", "model", "line_kind"],
                                                      how="full", nulls_equal=True))
    page = rec.reconciliation(con, start, end)
    assert page["summary"] == rec.summary(con, start, end, want)
    assert page["causes"].equals(rec.gap_causes(con, start, end, want))
    assert page["table"].equals(rec.reconcile(con, start, end, "day", want))
    assert rec.reconciliation(con, start, end, "month")["table"].equals(rec.reconcile(con, start, end, "month", want))
    assert rec.gap_causes_by_provider(con, start, end).equals(rec.gap_causes_by_provider(con, start, end, want))
    return got


# --- the sample company slice ---------------------------------------------------------------------

@pytest.mark.parametrize("start,end", [
    (None, None), ("2026-08-01", "2026-09-01"), ("2026-09-01", "2026-10-01"), ("2026-10-01", "2026-11-01"),
    ("2026-09-10", "2026-09-17"), ("2026-08-20T13:00:00", "2026-09-03T09:30:00"), ("2027-01-01", "2027-02-01")])
def test_slice_equals_the_per_request_reconciliation(slice_con: duckdb.DuckDBPyConnection, start: str | None,
                                                     end: str | None) -> None:
    assert prices.overrides(slice_con)  # the company's negotiated prices are loaded
    got = assert_same(slice_con, start, end)
    if start is None:
        assert got["requests"].sum() == slice_con.execute("SELECT count(*) FROM requests").fetchone()[0]
        assert got["billed"].is_not_null().any() and got["tier_cost"].sum() != got["standard_cost"].sum()


# --- an adversarial store -------------------------------------------------------------------------

COLUMNS = ["request_id", "ts", "provider", "model", "input_tokens", "cache_read_tokens", "cache_write_tokens",
           "output_tokens", "reasoning_tokens", "service_tier", "team", "logged_cost"]
DAYS = [f"2026-03-0{d}" for d in range(1, 7)]
# (provider, model, tier): each a quirk of pricing; hours are chosen per model below
KINDS = [("openai", "gpt-4o", ""), ("openai", "gpt-4o", "batch"), ("openai", "gpt-5", "flex"),
         ("openai", "gpt-5", "priority"), ("openai", "gpt-4o-mini", ""),
         ("anthropic", "claude-sonnet-4-5", ""), ("anthropic", "claude-sonnet-4-5", "batch"),
         ("deepseek", "deepseek-chat", ""), ("azure", "gpt-4o", ""), ("openai", "mystery-model-x", ""),
         ("openai", "acme-custom-1", "")]
PRICE_FILE = """\
[[discount]]
provider = "anthropic"
percent = 10
effective_from = "2026-03-03"

[[price]]
provider = "openai"
model = "acme-custom-1"
input = 0.3
output = 1.2
effective_from = "2026-03-04"

[[hourly]]
provider = "azure"
model = "gpt-4o"
usd_per_hour = 3
"""


def adversarial_requests() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    n = 0
    for day in DAYS:
        for provider, model, tier in KINDS:
            for k in range(3):
                n += 1
                # deepseek's off-peak window starts at 16:30: one request inside it, two outside
                hour = [3, 17, 12][k] if model == "deepseek-chat" else 2 + 7 * k
                big = model == "claude-sonnet-4-5" and day == "2026-03-02" and k == 1  # above 200k input
                logged: str | int = round(0.001 * (n % 7 + 1), 6)
                if model == "gpt-4o-mini" and day == "2026-03-02" and k == 2:
                    logged = ""  # partly logged: one request of the day has no cost in the log
                if model == "gpt-4o" and tier == "" and day == "2026-03-05":
                    logged = ""  # none of the day's requests has one
                rows.append({"request_id": f"q{n}", "ts": f"{day}T{hour:02d}:{5 * k:02d}:00Z", "provider": provider,
                             "model": model, "service_tier": tier, "team": ["a", "b"][k % 2],
                             "input_tokens": 250_000 if big else 1_000 + 97 * n, "cache_read_tokens": 13 * k,
                             "cache_write_tokens": 7 * k if provider == "anthropic" else 0,
                             "output_tokens": 100 + 31 * n, "reasoning_tokens": 11 * k if model == "gpt-5" else 0,
                             "logged_cost": logged})
    return rows


def write_bill(path: Path) -> Path:
    """OpenAI cost export lines (docs/formats.md: openai_costs) for the first five days."""
    lines = []
    for i, day in enumerate(DAYS[:5]):
        start = 1772323200 + 86400 * i  # 2026-03-01T00:00:00Z
        for amount, item in (("0.0123", "gpt-4o-2024-08-06, input"), ("0.0456", "gpt-5-2025-08-07, input"),
                             ("0.0011", "gpt-4o-mini-2024-07-18, input"), ("0.02", "acme-custom-1, input")):
            lines.append(f'{start},{start + 86400},{day}T00:00:00+00:00,{day}T00:00:00+00:00,{amount},usd,"{item}",'
                         f"proj_x,org_1,Acme\n")
    path.write_text("start_time,end_time,start_time_iso,end_time_iso,amount_value,amount_currency,line_item,"
                    "project_id,organization_id,organization_name\n" + "".join(lines))
    return path


RANGES = [(None, None), ("2026-03-01", "2026-03-04"), *[(d, n) for d, n in zip(DAYS, [*DAYS[1:], "2026-03-07"],
                                                                                strict=True)],
          ("2026-03-02T12:00:00", "2026-03-05T06:00:00"), ("2026-03-03", "2026-03-03T18:30:00"),
          ("2027-01-01", "2027-02-01")]


def exact_keys(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str, str, str], bool]:
    """Whole period: per (day, provider, model as logged, tier), whether the rollup gave it."""
    rec._stage_rollup(con, *rec._bounds(None, None))
    try:
        rows = con.execute("SELECT CAST(day AS VARCHAR), provider, model_raw, coalesce(service_tier, ''), "
                           "bool_and(exact) FROM _rc_daily GROUP BY ALL").fetchall()
    finally:
        con.execute("DROP TABLE _rc_daily")
        con.execute("DROP TABLE _rc_redo")
    return {r[:4]: r[4] for r in rows}


def test_adversarial_store_equals_the_per_request_reconciliation(db_path: Path, tmp_path: Path) -> None:
    log = tmp_path / "gateway.csv"
    with log.open("w", newline="") as fh:
        w = csv.DictWriter(fh, COLUMNS)
        w.writeheader()
        w.writerows(adversarial_requests())
    con = ingest.connect(db_path)
    for f in (write_bill(tmp_path / "cost_2026-03-01_2026-03-06.csv"), log):
        r = ingest.ingest_file(con, f)
        assert r.status == "loaded", r.error
    # no price file: standard-tier requests' stored cost is the catalog's (the shortcut path)
    assert prices.stored_is_catalog(con)
    for start, end in RANGES:
        assert_same(con, start, end)

    toml = tmp_path / "prices.toml"
    toml.write_text(PRICE_FILE)
    assert ingest.ingest_file(con, toml).status == "loaded"
    assert not prices.stored_is_catalog(con)
    keys = exact_keys(con)
    # read from the rollup: tiers, the hourly price, the discount's days, the contract before and
    # after it starts, the unpriced model, a day none of whose requests has a logged cost
    for key in [("2026-03-01", "openai", "gpt-4o", "batch"), ("2026-03-01", "openai", "gpt-5", "flex"),
                ("2026-03-04", "openai", "gpt-5", "priority"), ("2026-03-02", "azure", "gpt-4o", ""),
                ("2026-03-03", "anthropic", "claude-sonnet-4-5", ""),
                ("2026-03-03", "anthropic", "claude-sonnet-4-5", "batch"),
                ("2026-03-03", "openai", "acme-custom-1", ""), ("2026-03-04", "openai", "acme-custom-1", ""),
                ("2026-03-01", "openai", "mystery-model-x", ""), ("2026-03-05", "openai", "gpt-4o", "")]:
        assert keys[key], key
    # from the requests: above a long-context threshold, off-peak prices, partly logged
    for key in [("2026-03-02", "anthropic", "claude-sonnet-4-5", ""), ("2026-03-04", "deepseek", "deepseek-chat", ""),
                ("2026-03-02", "openai", "gpt-4o-mini", "")]:
        assert not keys[key], key
    for start, end in RANGES:
        assert_same(con, start, end)

    # a day partly priced (as a store whose prices were resolved for some requests only would be)
    con.execute("UPDATE request_log SET cost = NULL WHERE request_id IN (SELECT request_id FROM requests "
                "WHERE model_raw = 'gpt-4o' AND provider = 'openai' AND service_tier IS NULL "
                "AND CAST(ts AS DATE) = '2026-03-03' AND ts < '2026-03-03 10:00:00')")
    rollups.rebuild_all(con)
    assert not exact_keys(con)[("2026-03-03", "openai", "gpt-4o", "")]
    for start, end in RANGES:
        got = assert_same(con, start, end)
        if start is None:
            assert got["unpriced_requests"].sum() == 18 + 9 + 2  # mystery, acme before its price, 2 of 3 gpt-4o
    con.close()
