"""Session 4 fast paths (docs/performance.md "Session 4: analytics") against the exact results they
replace: the Overview's gap from one lean query equals queries.reconcile.summary, and analyse's
one-pass facts equal the separate queries they stand in for, on the sample company slice and on
adversarial data (ties, one-row workloads, NULL latency, an unpriced model, no bill in the period)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

import ingest
from queries import dashboard as D
from queries.reconcile import summary
from sample_data import company_files
from tests.conftest import ROOT

SLICE = ROOT / "sample_data" / "slice"


@pytest.fixture(scope="module")
def slice_con(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    db = tmp_path_factory.mktemp("slice") / "slice.duckdb"
    con = ingest.connect(db)
    for path in company_files(SLICE):
        r = ingest.ingest_file(con, path)
        assert r.status == "loaded", (path.name, r.error)
    return con


def _days(con: duckdb.DuckDBPyConnection) -> list[date]:
    b = D.data_bounds(con)
    first = min(d for d in (b["billing_first"], b["requests_first"]) if d)
    last = max(d for d in (b["billing_last"], b["requests_last"]) if d)
    return [first + timedelta(days=i) for i in range(0, (last - first).days + 40, 9)]


def test_overview_gap_equals_reconcile_summary(slice_con: duckdb.DuckDBPyConnection) -> None:
    """Every 9th day across the slice and past its end (a month with no bill): the Overview's
    billed, gap and unreconciled share are summary's, to the cent (Decimal equality)."""
    days = _days(slice_con)
    assert len(days) > 5
    seen_billed = False
    for day in days:
        o = D.overview(slice_con, day)
        rec = summary(slice_con, o["period_start"].isoformat(), o["period_end"].isoformat())
        billed = rec["billed"] or 0
        assert o["gap"] == rec["gap"], day
        assert o["unreconciled_share"] == (float(abs(rec["gap"]) / billed) if billed else None), day
        seen_billed |= bool(billed) and bool(rec["gap"])
    assert seen_billed  # the comparison covered months with a bill and a non-zero gap


def test_overview_gap_with_no_bill_and_unbilled_providers(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """Requests only (no billing at all): billed 0, gap 0, no share, as summary says."""
    log = tmp_path / "requests.csv"
    log.write_text("request_id,ts,provider,model,input_tokens,output_tokens,feature\n"
                   "r1,2026-05-02 10:00:00,openai,gpt-4o-mini,100,10,a\n"
                   "r2,2026-05-03 10:00:00,anthropic,claude-3-5-haiku-20241022,200,20,b\n")
    assert ingest.ingest_file(store, log).status == "loaded"
    o = D.overview(store, "2026-05-03")
    rec = summary(store, "2026-05-01", "2026-05-04")
    assert rec["billed"] == 0 and rec["gap"] == 0 and rec["unbilled"]
    assert o["gap"] == rec["gap"] == 0 and o["unreconciled_share"] is None
    assert o["requests"] == 2
