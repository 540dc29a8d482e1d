"""The CLI as automation uses it: --json output that equals the store's own numbers."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.conftest import SAMPLES, cli_json, run_cli

FOCUS_SAMPLE = SAMPLES / "focus" / "focus_sample_1000_FOCUS-1.0.csv"


def test_ingest_then_spend_json_equals_a_direct_query(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    loaded = cli_json("ingest", str(FOCUS_SAMPLE), db=db)
    assert loaded[0]["status"] == "loaded" and loaded[0]["rows"] == 1000
    again = cli_json("ingest", str(FOCUS_SAMPLE), db=db)
    assert again[0]["status"] == "skipped"
    spend = cli_json("spend", "--by", "provider,month", db=db)
    con = duckdb.connect(str(db), read_only=True)
    direct = {(p, m): v for p, m, v in con.execute(
        "SELECT ProviderName, strftime(ChargePeriodStart, '%Y-%m'), sum(BilledCost) FROM billing GROUP BY ALL").fetchall()}
    for r in spend:
        assert float(direct[(r["provider"], r["month"])]) == pytest.approx(r["billed_cost"], abs=1e-9)
    assert len(spend) == len(direct)


def test_spend_rejects_an_unknown_group_by(tmp_path: Path) -> None:
    proc = run_cli("spend", "--by", "provider;DROP TABLE billing", db=tmp_path / "s.duckdb")
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: cannot group by provider;DROP TABLE billing; choose from provider,")


def test_human_summary_names_rows_and_totals(tmp_path: Path) -> None:
    proc = run_cli("ingest", str(FOCUS_SAMPLE), db=tmp_path / "s.duckdb")
    assert proc.returncode == 0
    assert ("focus_sample_1000_FOCUS-1.0.csv: loaded as focus: 1000 rows, 0 rejected, 0 duplicates, "
            "51 kept with warnings; total 20.52 USD") in proc.stdout
