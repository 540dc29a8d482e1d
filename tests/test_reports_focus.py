"""The FOCUS 1.2 export: every billed line of the period, totals equal to the store, formulas neutralized."""

from __future__ import annotations

import csv
from collections import Counter
from decimal import Decimal
from pathlib import Path

import duckdb

import ingest
from app.reports.safe import neutralize
from tests.conftest import SAMPLES, run_cli

FOCUS_SAMPLE = SAMPLES / "focus" / "focus_sample_1000_FOCUS-1.0.csv"


def test_focus_export_holds_every_line_of_the_period(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    con = ingest.connect(db)
    ingest.ingest_file(con, FOCUS_SAMPLE)
    billed = con.execute("SELECT sum(BilledCost), count(*) FROM billing WHERE ChargePeriodStart >= '2024-09-01' "
                         "AND ChargePeriodStart < '2024-10-01'").fetchone()
    con.close()
    out = tmp_path / "focus.csv"
    proc = run_cli("report", "--format", "focus", "--period", "2024-09", "--out", str(out), db=db)
    assert proc.returncode == 0, proc.stderr
    with out.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == billed[1] == 1000
    assert sum(Decimal(r["BilledCost"]) for r in rows) == billed[0]
    assert rows[0]["ChargePeriodStart"].endswith("Z") and "x_Model" in rows[0]


def test_focus_export_names_the_provider_as_issuer_only_for_its_own_entities(tmp_path: Path) -> None:
    """AWS's FOCUS sample names legal entities ("Amazon Web Services EMEA SARL") as InvoiceIssuerName; the
    FOCUS validator reads any ProviderName <> InvoiceIssuerName as a marketplace (BilledCost must be 0),
    so the export writes the provider and keeps the entity in x_InvoiceIssuerEntity. A real reseller
    (the Oracle lines rewritten here as issued by SoftwareOne) is kept as the source says."""
    src = tmp_path / "focus_resold.csv"
    duckdb.sql(f"COPY (SELECT * REPLACE (CASE WHEN ProviderName = 'Oracle' THEN 'SoftwareOne AG' "
               f"ELSE InvoiceIssuerName END AS InvoiceIssuerName) FROM read_csv('{FOCUS_SAMPLE}', all_varchar=true)) "
               f"TO '{src}' (HEADER)")
    db = tmp_path / "s.duckdb"
    con = ingest.connect(db)
    assert ingest.ingest_file(con, src).status == "loaded"
    con.close()
    out = tmp_path / "focus.csv"
    proc = run_cli("report", "--format", "focus", "--period", "2024-09", "--out", str(out), db=db)
    assert proc.returncode == 0, proc.stderr
    with out.open(newline="") as fh:
        pairs = Counter((r["ProviderName"], r["InvoiceIssuerName"], r["x_InvoiceIssuerEntity"])
                        for r in csv.DictReader(fh))
    assert pairs == {("AWS", "AWS", "Amazon Web Services, Inc."): 909,
                     ("AWS", "AWS", "Amazon Web Services EMEA SARL"): 9,
                     ("AWS", "AWS", "Amazon Web Services Canada, Inc."): 24,
                     ("Microsoft", "Microsoft", "Microsoft"): 51,
                     ("Oracle", "SoftwareOne AG", "SoftwareOne AG"): 7}


def test_unknown_report_format_lists_the_valid_ones(tmp_path: Path) -> None:
    proc = run_cli("report", "--format", "docx", "--period", "2024-09", "--out", str(tmp_path / "x"), db=tmp_path / "s.duckdb")
    assert proc.returncode == 2
    assert "unknown report format 'docx'; choose from xlsx, pdf, csv, spend-csv, focus" in proc.stderr


def test_formula_injection_is_neutralized() -> None:
    for hostile in ["=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]:
        assert neutralize(hostile) == "'" + hostile
    assert neutralize("team-a") == "team-a" and neutralize(None) is None
