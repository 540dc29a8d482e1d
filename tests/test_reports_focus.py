"""The FOCUS 1.2 export: every billed line of the period, totals equal to the store, formulas neutralized."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

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


def test_unknown_report_format_lists_the_valid_ones(tmp_path: Path) -> None:
    proc = run_cli("report", "--format", "docx", "--period", "2024-09", "--out", str(tmp_path / "x"), db=tmp_path / "s.duckdb")
    assert proc.returncode == 2
    assert "unknown report format 'docx'; choose from xlsx, pdf, csv, spend-csv, focus" in proc.stderr


def test_formula_injection_is_neutralized() -> None:
    for hostile in ["=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]:
        assert neutralize(hostile) == "'" + hostile
    assert neutralize("team-a") == "team-a" and neutralize(None) is None
