"""Azure cost-details exports: the real EA samples to the cent, and one fixture per documented quirk
(MCA column names, Azure OpenAI meters in MeterName / MeterSubCategory / Azure FOCUS x_Sku columns,
cached input, Batch, DZone/regnl, 1K/1M blocks, actual vs amortized commitments)."""

from __future__ import annotations

import csv
import shutil
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st

import ingest
from ingest.azure_meters import parse_meter, parse_meter_fields
from tests.conftest import FIXTURES, SAMPLES, cli_json

AZ = SAMPLES / "azure"
ANON = AZ / "focus_converters_sample-anonymous-ea-export-dataset.csv"
ACTUAL = AZ / "finops-toolkit_EA_ActualCost_Small.csv"
AMORTIZED = AZ / "finops-toolkit_EA_AmortizedCost_Small.csv"
FX = FIXTURES / "azure"
EA_AOAI = FX / "ea_openai_meter_in_subcategory.csv"
MCA_AOAI = FX / "mca_openai_meter_in_metername.csv"
FOCUS_AOAI = FX / "focus_1.0_azure_openai.csv"
BLOCKS = {"1K": 1000, "1M": 1_000_000, "10K": 10_000}


def rows_of(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def cost_column(row: dict[str, str]) -> str:
    return next(c for c in row if c.lower() in ("cost", "costinbillingcurrency"))


def direct_sum(path: Path, keep=lambda r: True) -> Decimal:  # noqa: ANN001
    """The file's cost column summed without rightsize (Decimal reads E-notation as written)."""
    rows = rows_of(path)
    col = cost_column(rows[0])
    return sum((Decimal(r[col]) for r in rows if keep(r)), Decimal(0))


def assert_money(actual: Decimal, expected: Decimal) -> None:
    """Equal to the cent, and to 1e-9 (the store keeps 12 decimals; one sample writes 28)."""
    assert actual.quantize(Decimal("0.01")) == expected.quantize(Decimal("0.01"))
    assert abs(actual - expected) < Decimal("1e-9")


def one(store: duckdb.DuckDBPyConnection, sql: str, params: list | None = None):  # noqa: ANN201
    return store.execute(sql, params or []).fetchone()[0]


# -- the real samples ---------------------------------------------------------------------------

@pytest.mark.parametrize("path", [ANON, ACTUAL], ids=lambda p: p.name)
def test_actual_exports_billed_cost_equals_the_cost_column(store: duckdb.DuckDBPyConnection, path: Path) -> None:
    r = ingest.ingest_file(store, path)
    assert (r.status, r.format, r.rows, r.rejected, r.duplicates) == ("loaded", "azure", len(rows_of(path)), 0, 0)
    assert_money(one(store, "SELECT sum(BilledCost) FROM billing"), direct_sum(path))
    currency = rows_of(path)[0].get("BillingCurrency") or rows_of(path)[0]["BillingCurrencyCode"]
    assert list(r.totals) == [currency]


def test_parquet_export_loads_like_the_csv(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    parquet = tmp_path / "export.parquet"
    duckdb.execute(f"COPY (SELECT * FROM read_csv('{MCA_AOAI}', all_varchar=true)) TO '{parquet}' (FORMAT parquet)")
    r = ingest.ingest_file(store, parquet)
    assert (r.status, r.format, r.rows) == ("loaded", "azure", len(rows_of(MCA_AOAI)))
    assert_money(one(store, "SELECT sum(BilledCost) FROM billing"),
                 sum((Decimal(x["costInBillingCurrency"]) for x in rows_of(MCA_AOAI)), Decimal(0)))
    assert one(store, "SELECT sum(x_Tokens) FROM billing WHERE x_Model = 'gpt-4o-mini-2024-07-18'") == 3_250_000


def test_cli_ingest_and_spend_agree_with_the_file(db_path: Path) -> None:
    [result] = cli_json("ingest", str(MCA_AOAI), db=db_path)
    assert (result["format"], result["rows"], result["status"]) == ("azure", len(rows_of(MCA_AOAI)), "loaded")
    spend = cli_json("spend", "--by", "provider,model", db=db_path)
    by_model = {row["model"]: Decimal(str(row["billed_cost"])) for row in spend}
    expected = sum((Decimal(x["costInBillingCurrency"]) for x in rows_of(MCA_AOAI)
                    if "gpt-4o-mini-0718" in x["meterName"]), Decimal(0))
    assert_money(by_model["gpt-4o-mini-2024-07-18"], expected)


def test_e_notation_costs_are_exact(store: duckdb.DuckDBPyConnection) -> None:
    ingest.ingest_file(store, ANON)
    e_rows = [r for r in rows_of(ANON) if "E" in r["CostInBillingCurrency"]]
    assert e_rows  # the sample writes e.g. 5.64902E-05
    got = store.execute("SELECT x_SourceLine, BilledCost FROM billing").fetchall()
    by_line = dict(got)
    for i, r in enumerate(rows_of(ANON), start=2):
        assert by_line[i] == Decimal(r["CostInBillingCurrency"]).quantize(Decimal("1e-12"))


def test_amortized_export_effective_cost_equals_the_cost_column(store: duckdb.DuckDBPyConnection) -> None:
    r = ingest.ingest_file(store, AMORTIZED)
    assert (r.status, r.rows, r.rejected) == ("loaded", len(rows_of(AMORTIZED)), 0)
    assert_money(one(store, "SELECT sum(EffectiveCost) FROM billing"), direct_sum(AMORTIZED))
    # Commitment-covered usage was paid at purchase: not billed again in this period.
    covered = lambda row: row["PricingModel"] in ("Reservation", "SavingsPlan") and row["ChargeType"] == "Usage"  # noqa: E731
    assert any(covered(x) for x in rows_of(AMORTIZED))
    assert_money(one(store, "SELECT sum(BilledCost) FROM billing"), direct_sum(AMORTIZED, lambda x: not covered(x)))


def test_actual_export_commitment_purchase_is_billed_not_effective(store: duckdb.DuckDBPyConnection) -> None:
    ingest.ingest_file(store, ACTUAL)
    purchases = [r for r in rows_of(ACTUAL) if r["ChargeType"] == "Purchase"]
    got = store.execute("SELECT ChargeCategory, PricingCategory, BilledCost, EffectiveCost, ChargeFrequency "
                        "FROM billing WHERE ChargeCategory = 'Purchase'").fetchall()
    assert got == [("Purchase", "Committed", Decimal(p["Cost"]), Decimal(0), "Recurring") for p in purchases]


def test_overlap_of_actual_and_amortized_samples_is_counted_once(store: duckdb.DuckDBPyConnection) -> None:
    ingest.ingest_file(store, ACTUAL)
    b = ingest.ingest_file(store, AMORTIZED)
    actual_lines = set(ACTUAL.read_text(encoding="utf-8-sig").splitlines()[1:])
    shared = [ln for ln in AMORTIZED.read_text(encoding="utf-8-sig").splitlines()[1:] if ln in actual_lines]
    assert shared and b.duplicates == len(shared)
    assert b.rows == len(rows_of(AMORTIZED)) - len(shared)


def test_tags_without_braces_are_parsed(store: duckdb.DuckDBPyConnection) -> None:
    ingest.ingest_file(store, ANON)
    assert one(store, "SELECT count(*) FROM billing WHERE Tags->>'tagA' = 'valueA' AND Tags->>'tagC' = 'valueC'") == 27
    ingest.ingest_file(store, ACTUAL)
    tagged = [r for r in rows_of(ACTUAL) if r["Tags"]]
    assert one(store, "SELECT count(*) FROM billing WHERE SubAccountName IS NOT NULL AND Tags IS NOT NULL "
               "AND BillingCurrency = 'USD'") == len(tagged)
    assert one(store, "SELECT count(*) FROM billing WHERE Tags->>'env' = 'prod' AND BillingCurrency = 'USD'") == \
        sum('"env": "prod"' in r["Tags"] for r in rows_of(ACTUAL))
    assert one(store, "SELECT Tags->>'databricks-environment' FROM billing WHERE Tags->>'application' = 'databricks'") == "true"


@pytest.mark.parametrize("path", [ANON, ACTUAL, AMORTIZED], ids=lambda p: p.name)
def test_dates_are_month_day_year(store: duckdb.DuckDBPyConnection, path: Path) -> None:
    ingest.ingest_file(store, path)
    got = store.execute("SELECT x_SourceLine, ChargePeriodStart, ChargePeriodEnd, BillingPeriodStart, BillingPeriodEnd "
                        "FROM billing ORDER BY 1").fetchall()
    for (line, start, end, bp_start, bp_end), r in zip(got, rows_of(path), strict=True):
        day = datetime.strptime(r["Date"], "%m/%d/%Y")
        assert (start, end) == (day, day + timedelta(days=1)), line
        assert bp_start == datetime.strptime(r["BillingPeriodStartDate"], "%m/%d/%Y")
        assert bp_end == datetime.strptime(r["BillingPeriodEndDate"], "%m/%d/%Y") + timedelta(days=1)  # exclusive


def test_quantities_in_unit_blocks(store: duckdb.DuckDBPyConnection) -> None:
    ingest.ingest_file(store, ACTUAL)
    got = store.execute("SELECT PricingUnit, PricingQuantity, ConsumedQuantity, ConsumedUnit, ListCost "
                        "FROM billing ORDER BY x_SourceLine").fetchall()
    for (unit, pq, cq, cu, list_cost), r in zip(got, rows_of(ACTUAL), strict=True):
        assert (unit, pq) == (r["UnitOfMeasure"], Decimal(r["Quantity"]))
        assert cq == Decimal(r["Quantity"]) * BLOCKS.get(r["UnitOfMeasure"], 1)
        assert cu == {"10K": "Units", "1 Hour": "Hour", "1/Month": "Units/Month"}[r["UnitOfMeasure"]]
        assert list_cost == (Decimal(r["PayGPrice"]) * Decimal(r["Quantity"])).quantize(Decimal("1e-12"))


def test_column_names_are_case_insensitive(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    text = ANON.read_text(encoding="utf-8")
    header, rest = text.split("\n", 1)
    lower = tmp_path / "lower.csv"
    lower.write_text(header.lower() + "\n" + rest, encoding="utf-8")
    r = ingest.ingest_file(store, lower)
    assert (r.format, r.rows) == ("azure", 27)
    assert_money(one(store, "SELECT sum(BilledCost) FROM billing"), direct_sum(ANON))
    assert one(store, "SELECT count(*) FROM billing WHERE Tags->>'tagB' = 'valueB' AND BillingCurrency = 'CAD'") == 27


def test_overlapping_exports_of_the_same_days_do_not_double_count(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    lines = AMORTIZED.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    first, second = tmp_path / "june_a.csv", tmp_path / "june_b.csv"
    first.write_text("".join(lines[:19]), encoding="utf-8")                  # rows 1-18
    # The second export repeats rows 11-18 with refreshed amounts (Azure restates recent days).
    cost_idx = lines[0].split(",").index("Cost")
    refreshed = []
    for ln in lines[11:19]:
        cells = next(csv.reader([ln]))
        cells[cost_idx] = str(Decimal(cells[cost_idx]) + Decimal("0.01"))
        out = tmp_path / "_row.csv"
        with out.open("w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerow(cells)
        refreshed.append(out.read_text(encoding="utf-8"))
    second.write_text(lines[0] + "".join(refreshed) + "".join(lines[19:]), encoding="utf-8")
    a, b = ingest.ingest_file(store, first), ingest.ingest_file(store, second)
    assert (a.rows, b.rows, b.duplicates) == (18, len(lines) - 19, 8)
    assert_money(one(store, "SELECT sum(EffectiveCost) FROM billing"), direct_sum(AMORTIZED))


def test_identical_lines_in_one_export_are_distinct_charges(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    lines = ANON.read_text(encoding="utf-8").splitlines(keepends=True)
    doubled = tmp_path / "doubled.csv"
    doubled.write_text(lines[0] + lines[1] + lines[1], encoding="utf-8")
    assert ingest.ingest_file(store, doubled).rows == 2


# -- fixtures: Azure OpenAI meters ----------------------------------------------------------------

def ai_rows(store: duckdb.DuckDBPyConnection) -> dict[int, tuple]:
    return {r[0]: r[1:] for r in store.execute(
        "SELECT x_SourceLine, x_ModelRaw, x_Model, x_TokenType, x_ServiceTier, Tags->>'x_AzureDeployment', x_Tokens "
        "FROM billing WHERE x_Model IS NOT NULL").fetchall()}


def test_openai_meters_in_meter_subcategory_ea(store: duckdb.DuckDBPyConnection) -> None:
    r = ingest.ingest_file(store, EA_AOAI)
    rows = rows_of(EA_AOAI)
    assert (r.format, r.rows, r.rejected, r.warned) == ("azure", len(rows), 0, 1)
    assert_money(one(store, "SELECT sum(BilledCost) FROM billing"), direct_sum(EA_AOAI))
    got = ai_rows(store)
    assert {line: v[:5] for line, v in got.items()} == {
        2: ("gpt 4o 0513", "gpt-4o-2024-05-13", "input", "standard", "global"),
        3: ("gpt 4o 0513", "gpt-4o-2024-05-13", "output", "standard", "global"),
        4: ("gpt 4.5 0227", "gpt-4.5-preview-2025-02-27", "cache_read", "standard", "datazone"),
        5: ("gpt-4o-mini-0718", "gpt-4o-mini-2024-07-18", "input", "standard", "regional"),
        6: ("gpt-4o-0806", "gpt-4o-2024-08-06", "output", "batch", "global"),
    }
    for line, v in got.items():  # tokens = Quantity (E-notation on line 5) x the UnitOfMeasure block
        row = rows[line - 2]
        assert v[5] == float(Decimal(row["Quantity"]) * BLOCKS[row["UnitOfMeasure"]])
    assert got[2][5] == 1_520_500 and got[4][5] == 750_000 and got[5][5] == 12_500_000
    services = dict(store.execute("SELECT ServiceName, count(*) FROM billing GROUP BY 1").fetchall())
    assert services == {"Azure OpenAI": 5, "Storage": 1, "Virtual Network": 1}
    assert one(store, "SELECT count(*) FROM billing WHERE PublisherName = 'OpenAI' AND ProviderName = 'Microsoft' "
               "AND ServiceCategory = 'AI and Machine Learning' AND ConsumedUnit = 'Tokens'") == 5
    # The deployment type is added to the resource's own tags, which stay.
    assert one(store, "SELECT Tags->>'team' FROM billing WHERE x_SourceLine = 4") == "search"


def test_invalid_tags_keep_the_row_with_a_warning(store: duckdb.DuckDBPyConnection) -> None:
    ingest.ingest_file(store, EA_AOAI)
    warn = store.execute("SELECT line, action, reason FROM ingest_rejects").fetchall()
    assert warn == [(8, "kept", "Tags is not JSON even with braces restored; tags dropped, row kept")]
    assert store.execute("SELECT Tags, BilledCost FROM billing WHERE x_SourceLine = 8").fetchone() == (None, Decimal("0.12"))


def test_mca_column_names_and_meters_in_meter_name(store: duckdb.DuckDBPyConnection) -> None:
    r = ingest.ingest_file(store, MCA_AOAI)
    rows = rows_of(MCA_AOAI)
    assert (r.format, r.rows, r.rejected, list(r.totals)) == ("azure", len(rows), 0, ["EUR"])
    assert_money(one(store, "SELECT sum(BilledCost) FROM billing"),
                 sum((Decimal(x["costInBillingCurrency"]) for x in rows), Decimal(0)))
    assert_money(one(store, "SELECT sum(ListCost) FROM billing"),
                 sum((Decimal(x["paygCostInBillingCurrency"]) for x in rows), Decimal(0)))
    got = ai_rows(store)
    assert {line: v[:5] for line, v in got.items()} == {
        2: ("gpt-4o-mini-0718", "gpt-4o-mini-2024-07-18", "input", "standard", "global"),
        3: ("gpt-4o-mini-0718", "gpt-4o-mini-2024-07-18", "output", "standard", "global"),
        4: ("gpt 4.1 nano", "gpt-4.1-nano", "cache_read", "standard", "global"),
        5: ("GPT 5", "gpt-5", "input", "standard", "global"),
        6: ("R1", "deepseek-r1", "input", "standard", "global"),
        8: ("gpt-4o-mini-0718", "gpt-4o-mini-2024-07-18", "input", "standard", "global"),
    }
    for line, v in got.items():
        row = rows[line - 2]
        assert v[5] == float(Decimal(row["quantity"]) * BLOCKS[row["unitOfMeasure"]])
    assert store.execute("SELECT ChargeCategory, BilledCost < 0, x_Tokens FROM billing WHERE x_SourceLine = 8").fetchone() == \
        ("Credit", True, -200_000.0)
    assert store.execute("SELECT ServiceName, PublisherName FROM billing WHERE x_SourceLine = 6").fetchone() == \
        ("Foundry Models", "DeepSeek")
    assert one(store, "SELECT count(DISTINCT SubAccountId) FROM billing") == 1
    assert one(store, "SELECT min(ChargePeriodStart) FROM billing") == datetime(2025, 7, 2)


def test_azure_focus_export_gets_meter_fields(store: duckdb.DuckDBPyConnection) -> None:
    r = ingest.ingest_file(store, FOCUS_AOAI)
    rows = rows_of(FOCUS_AOAI)
    assert (r.format, r.rows, r.rejected) == ("focus", len(rows), 0)
    assert_money(one(store, "SELECT sum(BilledCost) FROM billing"),
                 sum((Decimal(x["BilledCost"]) for x in rows), Decimal(0)))
    got = store.execute("SELECT x_SourceLine, x_ModelRaw, x_Model, x_TokenType, x_ServiceTier, x_Tokens FROM billing "
                        "WHERE x_Model IS NOT NULL ORDER BY 1").fetchall()
    assert got == [
        (2, "gpt 4o 0513", "gpt-4o-2024-05-13", "input", "standard", 12_500.0),
        (3, "gpt 4o 0513", "gpt-4o-2024-05-13", "output", "standard", 4_000.0),
        # ConsumedQuantity is empty on this line: PricingQuantity x x_PricingBlockSize
        (4, "gpt-4o-mini-0718", "gpt-4o-mini-2024-07-18", "cache_read", "standard",
         float(Decimal(rows[2]["PricingQuantity"]) * Decimal(rows[2]["x_PricingBlockSize"]))),
    ]
    assert one(store, "SELECT count(*) FROM billing WHERE x_TokenType IS NULL AND ServiceName = 'Virtual Machines'") == 1


# -- fixtures: actual vs amortized commitments ----------------------------------------------------

def test_commitments_actual_alone(store: duckdb.DuckDBPyConnection) -> None:
    path = FX / "commitments_actual.csv"
    ingest.ingest_file(store, path)
    assert_money(one(store, "SELECT sum(BilledCost) FROM billing"), direct_sum(path))
    purchase = lambda r: r["ChargeType"] == "Purchase"  # noqa: E731
    assert_money(one(store, "SELECT sum(EffectiveCost) FROM billing"), direct_sum(path, lambda r: not purchase(r)))


def test_amortized_is_told_from_the_data_not_the_name(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    neutral = tmp_path / "export_part_0001.csv"
    shutil.copy(FX / "commitments_amortized.csv", neutral)
    ingest.ingest_file(store, neutral)
    assert_money(one(store, "SELECT sum(EffectiveCost) FROM billing"), direct_sum(neutral))
    on_demand = lambda r: r["PricingModel"] == "OnDemand"  # noqa: E731
    assert_money(one(store, "SELECT sum(BilledCost) FROM billing"), direct_sum(neutral, on_demand))
    assert one(store, "SELECT count(*) FROM billing WHERE ChargeCategory = 'Usage'") == 3  # UnusedReservation is Usage


def test_both_views_of_a_period_give_the_bill_and_the_amortized_cost(store: duckdb.DuckDBPyConnection) -> None:
    actual, amortized = FX / "commitments_actual.csv", FX / "commitments_amortized.csv"
    a = ingest.ingest_file(store, actual)
    b = ingest.ingest_file(store, amortized)
    assert (a.duplicates, b.duplicates) == (0, 1)  # the on-demand line is in both
    assert_money(one(store, "SELECT sum(BilledCost) FROM billing"), direct_sum(actual))
    assert_money(one(store, "SELECT sum(EffectiveCost) FROM billing"), direct_sum(amortized))


# -- bad input ------------------------------------------------------------------------------------

def _with_cell(src: Path, dst: Path, line: int, column: str, value: str) -> None:
    rows = rows_of(src)
    rows[line - 2][column] = value
    with dst.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


@pytest.mark.parametrize(("column", "value", "reason"), [
    ("CostInBillingCurrency", "12x.5", 'CostInBillingCurrency "12x.5" is not a number'),
    ("CostInBillingCurrency", "", "CostInBillingCurrency is empty"),
    ("Date", "31/31/2023", 'Date "31/31/2023" is not a date'),
    ("Quantity", "lots", 'Quantity "lots" is not a number'),
    ("BillingCurrencyCode", "", "BillingCurrency is empty"),
])
def test_bad_rows_are_rejected_with_line_and_reason(store: duckdb.DuckDBPyConnection, tmp_path: Path,
                                                    column: str, value: str, reason: str) -> None:
    bad = tmp_path / "bad.csv"
    _with_cell(ANON, bad, 7, column, value)
    r = ingest.ingest_file(store, bad)
    assert (r.status, r.rows, r.rejected) == ("loaded", 26, 1)
    assert store.execute("SELECT line, reason, action FROM ingest_rejects").fetchall() == [(7, reason, "rejected")]
    assert_money(one(store, "SELECT sum(BilledCost) FROM billing"),
                 direct_sum(ANON) - Decimal(rows_of(ANON)[5]["CostInBillingCurrency"]))


def test_a_file_with_no_usable_rows_fails_in_one_line(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    rows = rows_of(ACTUAL)
    bad = tmp_path / "all_bad.csv"
    with bad.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows({**r, "Cost": "n/a"} for r in rows)
    r = ingest.ingest_file(store, bad)
    assert r.status == "failed"
    assert r.error == ('all_bad.csv: line 2: every row was rejected; the first: Cost "n/a" is not a number; '
                       "check this is a azure export or pass --format")
    assert one(store, "SELECT count(*) FROM billing_line") == 0


def test_forcing_azure_on_a_file_without_a_cost_column(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "usage.csv"
    path.write_text("Date,MeterId,SubscriptionId,Quantity\n09/01/2023,m1,s1,3\n", encoding="utf-8")
    r = ingest.ingest_file(store, path, format="azure")
    assert r.error == ("usage.csv: line 1: no cost column (Cost or CostInBillingCurrency); "
                       "export cost details from Cost Management and load that file")


def test_ragged_row_fails_naming_the_line(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    lines = ANON.read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path / "ragged.csv"
    path.write_text("".join(lines[:5]) + lines[5].rstrip("\n") + ",extra\n" + "".join(lines[6:]), encoding="utf-8")
    r = ingest.ingest_file(store, path)
    assert r.status == "failed" and r.error.startswith("ragged.csv: line 6: ragged row")
    assert one(store, "SELECT count(*) FROM billing_line") == 0


# -- the meter parser -----------------------------------------------------------------------------

@pytest.mark.parametrize(("meter", "expected"), [
    # FORMATS.md §5c, as Microsoft and third parties write them
    ("gpt-4o-mini-0718-Inp-glbl Tokens", ("gpt-4o-mini-0718", "gpt-4o-mini-2024-07-18", "input", "standard", "global")),
    ("gpt-4o-mini-0718-Outp-glbl Tokens", ("gpt-4o-mini-0718", "gpt-4o-mini-2024-07-18", "output", "standard", "global")),
    ("gpt 4o 0513 Input global Tokens", ("gpt 4o 0513", "gpt-4o-2024-05-13", "input", "standard", "global")),
    ("gpt 4o 0513 Output global Tokens", ("gpt 4o 0513", "gpt-4o-2024-05-13", "output", "standard", "global")),
    ("gpt 4.1 nano cached Inp glbl", ("gpt 4.1 nano", "gpt-4.1-nano", "cache_read", "standard", "global")),
    ("GPT 5 Inpt Glbl", ("GPT 5", "gpt-5", "input", "standard", "global")),
    ("gpt-4-8K-Batch-Inp-glbl Tokens", ("gpt-4-8K", "gpt-4", "input", "batch", "global")),
    ("gpt 4.5 0227 cached Inp regnl", ("gpt 4.5 0227", "gpt-4.5-preview-2025-02-27", "cache_read", "standard", "regional")),
    ("gpt-4o-0806 cached Inp DZone", ("gpt-4o-0806", "gpt-4o-2024-08-06", "cache_read", "standard", "datazone")),
    ("gpt-4o-0806-Batch-Outp-Data Zone Tokens", ("gpt-4o-0806", "gpt-4o-2024-08-06", "output", "batch", "datazone")),
    ("R1 Inp glbl Tokens", ("R1", "deepseek-r1", "input", "standard", "global")),
    ("gpt-4o-transcribe-aud-inp-glbl Tokens", ("gpt-4o-transcribe", "gpt-4o-transcribe", "input", "standard", "global")),
    ("gpt-35-turbo-0125-Inp-regnl Tokens", ("gpt-35-turbo-0125", "gpt-3.5-turbo-0125", "input", "standard", "regional")),
    ("gpt-4o-0601-Inp-glbl Tokens", ("gpt-4o-0601", "gpt-4o", "input", "standard", "global")),  # unknown code: family
    ("text-embedding-3-small Tokens", ("text-embedding-3-small", "text-embedding-3-small", "input", "standard", None)),
])
def test_meter_strings(meter: str, expected: tuple) -> None:
    m = parse_meter(meter)
    assert m is not None
    assert (m.model_raw, m.model, m.token_type, m.tier, m.deployment) == expected


@pytest.mark.parametrize("meter", ["Intra-Region Ingress", "Data Transfer In", "Hot LRS Write Operations",
                                   "Provisioned Managed Global", "D4 v5", "Standard Data Processed - Ingress", ""])
def test_other_meters_are_not_models(meter: str) -> None:
    assert parse_meter(meter, "Virtual Network") is None
    assert parse_meter_fields("Azure OpenAI", None, meter) is None


def test_model_in_subcategory_direction_in_meter_name() -> None:
    m = parse_meter_fields("Azure OpenAI", "gpt-4o-mini", "Inp glbl Tokens")
    assert m is not None and (m.model, m.token_type, m.deployment) == ("gpt-4o-mini", "input", "global")


MODELS = ["gpt-4o-mini-0718", "gpt 4o 0513", "gpt-4.1", "o3 mini 0131", "gpt 5 mini"]
DIRECTIONS = {"Inp": "input", "Input": "input", "Inpt": "input", "Outp": "output", "Output": "output", "cached Inp": "cache_read"}
DEPLOYMENTS = {"glbl": "global", "global": "global", "regnl": "regional", "DZone": "datazone", "Data Zone": "datazone"}


@given(st.sampled_from(MODELS), st.sampled_from(sorted(DIRECTIONS)), st.sampled_from(sorted(DEPLOYMENTS)),
       st.booleans(), st.sampled_from([" ", "-"]), st.booleans())
def test_any_spelling_of_a_meter_parses(model: str, direction: str, deployment: str, batch: bool, sep: str,
                                         suffix: bool) -> None:
    parts = [model, *(["Batch"] if batch else []), direction, deployment]
    meter = sep.join(parts) + (" Tokens" if suffix else "")
    m = parse_meter(meter)
    assert m is not None, meter
    assert (m.model_raw, m.token_type, m.deployment, m.tier) == (
        model, DIRECTIONS[direction], DEPLOYMENTS[deployment], "batch" if batch else "standard")


@given(st.text(max_size=60))
def test_the_parser_never_raises(text: str) -> None:
    parse_meter_fields(text, text, text)
