"""AWS CUR (legacy and 2.0) and Google Cloud billing exports, with Bedrock and Vertex AI token lines."""

from __future__ import annotations

import csv
import gzip
import json
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

import ingest
from ingest.aws_cur import parse_bedrock, snake
from ingest.gcp_billing import parse_sku
from sample_data import SLICE
from tests.conftest import FIXTURES, SAMPLES

CUR_LEGACY = SAMPLES / "aws_cur" / "focus_converters_sample-anonymous-aws-export-dataset_CUR-legacy.csv"
TRUTH = json.loads((SLICE / "truth.json").read_text())


def decimal_sum(path: Path, column: str) -> Decimal:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return sum((Decimal(r[column]) for r in csv.DictReader(fh) if r[column]), Decimal(0))


def test_real_legacy_cur_sample_loads_every_line_to_the_cent(store: duckdb.DuckDBPyConnection) -> None:
    r = ingest.ingest_file(store, CUR_LEGACY)
    assert (r.status, r.format, r.rows, r.rejected) == ("loaded", "aws_cur", 1281, 0)
    assert store.execute("SELECT sum(BilledCost) FROM billing").fetchone()[0] == decimal_sum(CUR_LEGACY, "lineItem/UnblendedCost")
    assert dict(store.execute("SELECT ChargeCategory, count(*) FROM billing GROUP BY 1").fetchall()) == {"Usage": 1269, "Tax": 12}


def test_legacy_and_cur2_names_are_one_schema() -> None:
    assert snake("lineItem/UsageType") == "line_item_usage_type"
    assert snake("identity/LineItemId") == "identity_line_item_id"
    assert snake("line_item_unblended_cost") == "line_item_unblended_cost"


@pytest.mark.parametrize(("usage_type", "product", "expected"), [
    ("USE1-Claude4.6Sonnet-input-tokens", None, ("Claude4.6Sonnet", "input", "standard")),
    ("USE1-Claude4Sonnet-cache-write-input-token-count-1-hour", None, ("Claude4Sonnet", "cache_write_1h", "standard")),
    ("USE1-Claude4.6Opus-cache-read-input-token-count-cross-region-global", None, ("Claude4.6Opus", "cache_read", "standard")),
    ("USE1-Llama4-Maverick-17B-input-tokens-batch", None, ("Llama4-Maverick-17B", "input", "batch")),
    ("USE1-NovaLite-input-tokens-priority", None, ("NovaLite", "input", "priority")),
    ("USE1-mistral.voxtral-small-24b-2507-mantle-input-tokens-standard", None, ("mistral.voxtral-small-24b-2507", "input", "standard")),
    ("USE1-MP:USE1_OutputTokenCount-Units", "Claude 3.5 Sonnet (Amazon Bedrock Edition)", ("Claude 3.5 Sonnet", "output", "standard")),
    ("USE1-TimedStorage-ByteHrs", None, (None, None, None)),
])
def test_bedrock_usage_types(usage_type: str, product: str | None, expected: tuple) -> None:
    assert parse_bedrock(usage_type, product) == expected


def test_cur2_bedrock_quirks(store: duckdb.DuckDBPyConnection) -> None:
    path = FIXTURES / "aws" / "cur2_bedrock_quirks.csv"
    r = ingest.ingest_file(store, path)
    assert (r.status, r.rows, r.rejected) == ("loaded", 8, 0)
    assert store.execute("SELECT sum(BilledCost) FROM billing").fetchone()[0] == decimal_sum(path, "line_item_unblended_cost")
    got = store.execute("SELECT x_Model, x_TokenType, x_ServiceTier, x_Tokens, ServiceName, PublisherName, ChargeCategory "
                        "FROM billing ORDER BY x_SourceLine").fetchall()
    assert got == [
        ("claude-sonnet-4", "cache_write_1h", "standard", 10_000.0, "Amazon Bedrock", "Anthropic", "Usage"),
        ("llama4-maverick-17b", "input", "batch", 2_000_000.0, "Amazon Bedrock", "Meta", "Usage"),
        ("claude-opus-4-6", "cache_read", "standard", 50_000.0, "Amazon Bedrock", "Anthropic", "Usage"),
        ("claude-3-5-sonnet", "input", "standard", 1_500_000.0, "Amazon Bedrock", "Claude 3.5 Sonnet (Amazon Bedrock Edition)", "Usage"),
        ("claude-3-5-sonnet", "output", "standard", 100_000.0, "Amazon Bedrock", "Claude 3.5 Sonnet (Amazon Bedrock Edition)", "Usage"),
        (None, None, None, None, "Amazon Simple Storage Service", "Amazon Web Services", "Usage"),
        (None, None, None, None, "Amazon Bedrock", "Amazon Web Services", "Tax"),
        (None, None, None, None, "Amazon Bedrock", "Amazon Web Services", "Credit"),
    ]
    assert store.execute("SELECT Tags->>'team' FROM billing WHERE x_SourceLine = 2").fetchone()[0] == "legal"


def test_cur_gzip_and_parquet_load_like_the_csv(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = FIXTURES / "aws" / "cur2_bedrock_quirks.csv"
    gz = tmp_path / "cur.csv.gz"
    with path.open("rb") as src, gzip.open(gz, "wb") as dst:
        shutil.copyfileobj(src, dst)
    parquet = tmp_path / "cur.parquet"
    duckdb.execute(f"COPY (SELECT * FROM read_csv('{path}', all_varchar=true)) TO '{parquet}' (FORMAT parquet)")
    for f in (gz, parquet):
        db = ingest.connect(tmp_path / f"{f.suffix}.duckdb")
        r = ingest.ingest_file(db, f)
        assert (r.format, r.rows) == ("aws_cur", 8), r.error
        assert db.execute("SELECT sum(x_Tokens) FROM billing").fetchone()[0] == 3_660_000.0


def test_cur_overlapping_exports_do_not_double_count(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    lines = (FIXTURES / "aws" / "cur2_bedrock_quirks.csv").read_text().splitlines(keepends=True)
    (tmp_path / "a.csv").write_text("".join(lines[:6]))
    (tmp_path / "b.csv").write_text(lines[0] + "".join(lines[3:]))
    ingest.ingest_file(store, tmp_path / "a.csv")
    r = ingest.ingest_file(store, tmp_path / "b.csv")
    assert (r.rows, r.duplicates) == (3, 3)


def test_sample_company_cur_matches_its_truth(store: duckdb.DuckDBPyConnection) -> None:
    for f in sorted((SLICE / "billing").glob("aws_cur2_*.csv")):
        assert ingest.ingest_file(store, f).status == "loaded"
    got = dict(store.execute("SELECT strftime(ChargePeriodStart, '%Y-%m'), round(sum(BilledCost), 6) FROM billing GROUP BY 1").fetchall())
    assert {m: str(v) for m, v in got.items()} == {m: f"{Decimal(v):.6f}" for m, v in TRUTH["spend"]["billed_by_month"]["aws"].items()}


@pytest.mark.parametrize(("sku", "expected"), [
    ("Gemini 2.5 Flash GA Text Input - Predictions", ("gemini-2.5-flash", "input", "standard")),
    ("Gemini 2.5 Pro GA Thinking Text Output - Predictions", ("gemini-2.5-pro", "reasoning", "standard")),
    ("Gemini 2.5 Flash GA Input Text Caching", ("gemini-2.5-flash", "cache_read", "standard")),
    ("Gemini 3.7 Flash Global Text Input - Predictions", ("gemini-3.7-flash", "input", "standard")),
    ("Gemini 2.5 Flash Batch Text Output - Predictions", ("gemini-2.5-flash-batch", "output", "batch")),
    ("Gemini 3 Flash Text Input Caching Storage", ("Gemini 3 Flash", None, None)),
    ("N2 Instance Core running in Americas", (None, None, None)),
])
def test_vertex_skus(sku: str, expected: tuple) -> None:
    assert parse_sku(sku) == expected


def test_gcp_net_cost_credits_and_tokens(store: duckdb.DuckDBPyConnection) -> None:
    r = ingest.ingest_file(store, FIXTURES / "gcp" / "billing_export_vertex.csv")
    assert (r.status, r.format, r.rows, r.rejected) == ("loaded", "gcp_billing", 7, 0), r.error
    billed, listed = store.execute("SELECT sum(BilledCost), sum(ListCost) FROM billing").fetchone()
    assert billed == Decimal("1.25") - Decimal("0.25") + Decimal("2.0") + Decimal("0.075") + Decimal("0.5") + Decimal("0.125") + Decimal("3.10") + Decimal("0.70")
    assert listed == Decimal("1.25") + Decimal("2.0") + Decimal("0.075") + Decimal("0.5") + Decimal("0.25") + Decimal("3.10") + Decimal("0.70")
    tokens = store.execute("SELECT x_Model, x_TokenType, x_Tokens FROM billing WHERE x_TokenType IS NOT NULL ORDER BY x_SourceLine").fetchall()
    assert tokens == [("gemini-2.5-pro", "input", 1_000_000.0), ("gemini-2.5-pro", "reasoning", 200_000.0),
                      ("gemini-2.5-flash", "cache_read", 1_000_000.0), ("gemini-2.5-flash-batch", "output", 100_000.0)]
    assert store.execute("SELECT ChargeCategory FROM billing WHERE ServiceName = 'Tax'").fetchone()[0] == "Tax"
    assert store.execute("SELECT Tags->>'team' FROM billing WHERE x_SourceLine = 2").fetchone()[0] == "search"


def test_sample_company_gcp_matches_its_truth(store: duckdb.DuckDBPyConnection) -> None:
    for f in sorted((SLICE / "billing").glob("gcp_*.csv")):
        assert ingest.ingest_file(store, f).status == "loaded"
    got = dict(store.execute("SELECT strftime(ChargePeriodStart, '%Y-%m'), round(sum(BilledCost), 6) FROM billing GROUP BY 1").fetchall())
    assert {m: str(v) for m, v in got.items()} == {m: f"{Decimal(v):.6f}" for m, v in TRUTH["spend"]["billed_by_month"]["gcp"].items()}
