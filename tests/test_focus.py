"""FOCUS 1.x: the FinOps Foundation sample and the spec's v1.2 examples load, totals to the cent."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

import ingest
from tests.conftest import SAMPLES

FOCUS_SAMPLE = SAMPLES / "focus" / "focus_sample_1000_FOCUS-1.0.csv"
SPEC_EXAMPLES = sorted((SAMPLES / "focus" / "spec_v1.2_saas_examples").glob("*.csv"))


def direct_sum(column: str, path: Path) -> Decimal:
    """A sum over the file computed without rightsize: Python's csv and Decimal."""
    import csv

    with path.open(encoding="utf-8-sig", newline="") as fh:
        return sum((Decimal(r[column]) for r in csv.DictReader(fh) if r[column] not in ("", "NULL")),
                   Decimal(0))


def test_focus_sample_totals_equal_a_direct_sum(store: duckdb.DuckDBPyConnection) -> None:
    r = ingest.ingest_file(store, FOCUS_SAMPLE)
    assert (r.status, r.format, r.rows, r.rejected) == ("loaded", "focus", 1000, 0)
    billed, effective = store.execute("SELECT sum(BilledCost), sum(EffectiveCost) FROM billing").fetchone()
    assert billed == direct_sum("BilledCost", FOCUS_SAMPLE)
    assert effective == direct_sum("EffectiveCost", FOCUS_SAMPLE)
    assert r.totals == {"USD": pytest.approx(float(billed))}


def test_misaligned_microsoft_rows_are_kept_with_a_reason(store: duckdb.DuckDBPyConnection) -> None:
    r = ingest.ingest_file(store, FOCUS_SAMPLE)
    assert r.warned == 51
    reasons = store.execute(
        "SELECT DISTINCT action, reason LIKE 'AvailabilityZone holds a number%' FROM ingest_rejects"
    ).fetchall()
    assert reasons == [("kept", True)]
    providers = dict(store.execute("SELECT ProviderName, count(*) FROM billing GROUP BY 1").fetchall())
    assert providers == {"AWS": 942, "Microsoft": 51, "Oracle": 7}


def test_literal_null_means_null(store: duckdb.DuckDBPyConnection) -> None:
    ingest.ingest_file(store, FOCUS_SAMPLE)
    assert store.execute("SELECT count(*) FROM billing WHERE ChargeClass = 'NULL' OR RegionId = 'NULL'").fetchone()[0] == 0
    assert store.execute("SELECT count(*) FROM billing WHERE ChargeClass IS NULL").fetchone()[0] == 1000
    # Tags parse as JSON objects (no ORDER BY in the old LIMIT 1 made this depend on scan order)
    tagged = store.execute("SELECT count(*) FROM billing WHERE Tags->>'application' IS NOT NULL").fetchone()[0]
    assert tagged > 0


def test_loading_the_same_file_twice_adds_nothing(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    ingest.ingest_file(store, FOCUS_SAMPLE)
    again = ingest.ingest_file(store, FOCUS_SAMPLE)
    assert again.status == "skipped"
    copy = tmp_path / "renamed.csv"
    shutil.copy(FOCUS_SAMPLE, copy)
    assert ingest.ingest_file(store, copy).status == "skipped"  # same bytes, other name
    assert store.execute("SELECT count(*) FROM billing").fetchone()[0] == 1000


def test_overlapping_exports_do_not_double_count(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    lines = FOCUS_SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    first.write_text("".join(lines[:601]), encoding="utf-8")            # rows 1-600
    second.write_text(lines[0] + "".join(lines[401:]), encoding="utf-8")  # rows 401-1000
    a = ingest.ingest_file(store, first)
    b = ingest.ingest_file(store, second)
    assert (a.rows, a.duplicates) == (600, 0)
    assert (b.rows, b.duplicates) == (400, 200)
    assert store.execute("SELECT sum(BilledCost) FROM billing").fetchone()[0] == direct_sum("BilledCost", FOCUS_SAMPLE)


def test_identical_lines_within_one_file_are_distinct_charges(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    lines = FOCUS_SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    doubled = tmp_path / "doubled.csv"
    doubled.write_text(lines[0] + lines[1] + lines[1], encoding="utf-8")
    assert ingest.ingest_file(store, doubled).rows == 2


def test_focus_parquet_loads_like_the_csv(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    parquet = tmp_path / "focus.parquet"
    duckdb.execute(f"COPY (SELECT * FROM read_csv('{FOCUS_SAMPLE}', nullstr='NULL')) TO '{parquet}' (FORMAT parquet)")
    r = ingest.ingest_file(store, parquet)
    assert (r.status, r.format, r.rows) == ("loaded", "focus", 1000)
    assert store.execute("SELECT sum(BilledCost) FROM billing").fetchone()[0] == direct_sum("BilledCost", FOCUS_SAMPLE)


@pytest.mark.parametrize("path", SPEC_EXAMPLES, ids=lambda p: p.name)
def test_spec_v12_examples_load(store: duckdb.DuckDBPyConnection, path: Path) -> None:
    r = ingest.ingest_file(store, path)
    assert r.status == "loaded", r.error
    import csv

    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    expected = sum((Decimal(x["BilledCost"].replace("$", "").replace(",", "").strip() or 0) for x in rows), Decimal(0))
    assert r.rows == len(rows)
    assert store.execute("SELECT coalesce(sum(BilledCost), 0) FROM billing").fetchone()[0] == expected


def test_token_priced_rows_get_token_fields(store: duckdb.DuckDBPyConnection) -> None:
    path = SAMPLES / "focus" / "spec_v1.2_saas_examples" / "virtual_currency_pricing_model_a1.csv"
    ingest.ingest_file(store, path)
    rows = store.execute("SELECT PricingUnit, x_TokenType, x_Tokens FROM billing WHERE PricingUnit = 'Token'").fetchall()
    assert rows and all(r[1] is not None for r in rows)
