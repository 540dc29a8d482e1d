"""Evidence mode on real judge data: a request log of the 805 AlpacaEval prompts plus the per-prompt
preferences of 58 models gives eligible shares equal to a direct computation from the CSV."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

import ingest
from queries import formulas as F
from queries.rightsizing import evidence_summary
from tests.builders import ALPACA_PREFS, alpaca_direct_shares, alpaca_request_log

ALIAS = {"gpt4_1106_preview": "gpt-4-1106-preview"}


@pytest.fixture
def alpaca_store(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> duckdb.DuckDBPyConnection:
    log = ingest.ingest_file(store, alpaca_request_log(tmp_path / "alpaca_requests.csv"))
    assert (log.status, log.rows) == ("loaded", 805)
    ev = ingest.ingest_file(store, ALPACA_PREFS)
    assert (ev.status, ev.rows) == ("loaded", 46680)
    return store


@pytest.mark.parametrize("tolerance", [0.0, 0.1])
def test_eligible_shares_equal_direct_computation(alpaca_store: duckdb.DuckDBPyConnection, tolerance: float) -> None:
    got = evidence_summary(alpaca_store, tolerance=tolerance)
    direct = alpaca_direct_shares(tolerance)
    assert got.height == len(direct) == 5 * 58
    for r in got.to_dicts():
        # evals canonicalize model names; the raw AlpacaEval names are lower-cased and '_' → '-'
        matches = [k for k in direct if k[0] == r["workload"]
                   and ingest.models.canonical_model(k[1]) == r["candidate_model"]]
        assert len(matches) == 1, (r["workload"], r["candidate_model"])
        ok, n = direct[matches[0]]
        assert (r["eligible"], r["evaluated"]) == (ok, n)
        assert r["matched_requests"] == n            # every row joined a request of the log
        assert r["eligible_share"] == pytest.approx(ok / n)
        lo, hi = F.wilson_interval(ok, n)
        assert (r["eligible_low"], r["eligible_high"]) == (pytest.approx(lo), pytest.approx(hi))


def test_known_published_shares(alpaca_store: duckdb.DuckDBPyConnection) -> None:
    """ROUTING.md §2.2: gpt-3.5-turbo-1106 8.4%, claude-instant-1.2 15.3%, gemma-7b-it 6.3% of
    the 805 prompts are judged at least as good as GPT-4-Turbo (pooled over the workloads)."""
    got = evidence_summary(alpaca_store)
    pooled = {m: (got.filter(got["candidate_model"] == m)["eligible"].sum(),
                  got.filter(got["candidate_model"] == m)["evaluated"].sum())
              for m in ("gpt-3.5-turbo-1106", "claude-instant-1.2", "gemma-7b-it")}
    assert {m: round(ok / n, 3) for m, (ok, n) in pooled.items()} == {
        "gpt-3.5-turbo-1106": 0.084, "claude-instant-1.2": 0.153, "gemma-7b-it": 0.063}


def test_period_limits_workloads_not_evidence(alpaca_store: duckdb.DuckDBPyConnection) -> None:
    # the log runs one request every 50 minutes from 2026-10-01: the first day holds ids 0..28, all
    # from helpful_base. Only that workload is analysed; eval rows of its other 100 prompts (outside
    # the period) still speak for it through their workload column, but only 29 match a request.
    got = evidence_summary(alpaca_store, start="2026-10-01", end="2026-10-02")
    assert set(got["workload"]) == {"helpful_base"}
    row = got.filter(got["candidate_model"] == "gpt-3.5-turbo-1106").to_dicts()[0]
    assert (row["evaluated"], row["matched_requests"]) == (129, 29)
