"""Session 4 fast paths (docs/performance.md "Session 4: analytics") against the exact results they
replace: the Overview's gap from one lean query equals queries.reconcile.summary, and analyse's
one-pass facts equal the separate queries they stand in for, on the sample company slice and on
adversarial data (ties, one-row workloads, NULL latency, an unpriced model, no bill in the period)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest

import ingest
from queries import dashboard as D
from queries import workloads as W
from queries.reconcile import summary
from queries.rightsizing import Facts, Scenario, _register_rates, scan
from queries.workloads import period_params
from tests.builders import write_log
from tests.conftest import ROOT
from tests.test_hist import close


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


# --- workload profiles and the savings scan: the one-pass groups against the queries they replaced ---

REF = ROOT / "tests" / "fixtures" / "reference_sql"
EXACT_FLOATS = ("period_days", "requests_per_month", "cost_per_month", "output_input_ratio", "cache_read_share",
                "reasoning_share", "tool_share", "structured_share", "error_rate", "trend")


def _ref_sql(name: str) -> str:
    return (REF / f"{name}.sql").read_text().format(workload_requests=(REF / "workload_requests.sql").read_text())


def reference_profiles(con: duckdb.DuckDBPyConnection, start: str | None = None, end: str | None = None,
                       key: str = "auto") -> list[dict[str, Any]]:
    return con.sql(_ref_sql("workload_profile"), params=period_params(start, end, key)).pl().to_dicts()


def reference_costs(con: duckdb.DuckDBPyConnection, rates: pl.DataFrame, start: str | None, end: str | None,
                    cache_target: float | None) -> list[dict[str, Any]]:
    con.register("rs_rates", rates)
    try:
        return con.sql(_ref_sql("candidate_costs"),
                       params={**period_params(start, end), "cache_target": cache_target}).pl().to_dicts()
    finally:
        con.unregister("rs_rates")


def reference_providers(con: duckdb.DuckDBPyConnection, start: str | None, end: str | None) -> dict[str, str]:
    sql = ("WITH " + (REF / "workload_requests.sql").read_text()
           + "\nSELECT workload, mode(lower(provider)) AS provider FROM wr GROUP BY workload")
    return {r["workload"]: r["provider"] for r in con.sql(sql, params=period_params(start, end)).pl().to_dicts()}


# The profile's percentiles come from the histograms kept at ingest (tests/test_hist.py): equal up to
# 1,024, within 2^-8 above (latency: plus half a microsecond).
BINNED = {"input_p50": False, "input_p95": False, "input_p99": False, "output_p50": False, "output_p95": False,
          "output_p99": False, "latency_p50_ms": True, "latency_p95_ms": True}


def same_rows(new: list[dict[str, Any]], old: list[dict[str, Any]], rel: dict[str, float] | None = None) -> None:
    """Row for row and column for column: equal, or within ``rel`` (relative) for the named float
    columns, or within the histogram's bound for the percentiles (BINNED). Integers, DECIMAL money
    and EXACT_FLOATS are compared with ==."""
    rel = rel or {}
    assert [r.get("workload") for r in new] == [r.get("workload") for r in old]
    assert len(new) == len(old) and new, "nothing compared"
    for a, b in zip(new, old, strict=True):
        assert set(a) == set(b)
        for col in a:
            if col in BINNED:
                assert close(a[col], b[col], latency=BINNED[col]), (a["workload"], col, a[col], b[col])
            elif col in rel and a[col] is not None and b[col] is not None:
                assert a[col] == pytest.approx(b[col], rel=rel[col], abs=1e-12), (a["workload"], col)
            else:
                assert a[col] == b[col], (a.get("workload"), a.get("model"), col, a[col], b[col])


def check_scan(con: duckdb.DuckDBPyConnection, start: str | None = None, end: str | None = None,
               cache_target: float | None = None) -> Facts:
    """scan's profiles, candidate costs and providers equal the reference queries'."""
    sc = Scenario(start=start, end=end, cache_hit_target=cache_target)
    facts = scan(con, sc)
    same_rows(facts.profiles.to_dicts(), reference_profiles(con, start, end))
    models = [r[0] for r in con.sql("SELECT DISTINCT model FROM requests WHERE model IS NOT NULL").fetchall()]
    rates = _register_rates(con, facts.table, models)
    key = ("workload", "model")
    old = sorted(reference_costs(con, rates, start, end, cache_target), key=lambda r: tuple(str(r[k]) for k in key))
    new = sorted(facts.costs.to_dicts(), key=lambda r: tuple(str(r[k]) for k in key))
    floats = {c: 1e-9 for c in ("cost_base", "cost_cache", "own_cost_base", "own_cost_cache")}
    same_rows(new, old, floats)
    ref = reference_providers(con, start, end)
    assert {w: facts.providers.get(w) for w in ref} == ref
    return facts


def test_profiles_and_scan_equal_the_reference_on_the_slice(slice_con: duckdb.DuckDBPyConnection) -> None:
    """The sample company slice: whole store, one month, a mid-day window, every workload key."""
    assert len(reference_profiles(slice_con)) >= 5
    check_scan(slice_con)
    check_scan(slice_con, cache_target=0.6)
    b = D.data_bounds(slice_con)
    first = b["requests_first"]
    check_scan(slice_con, str(first + timedelta(days=3)) + " 06:30:00", str(first + timedelta(days=20)) + " 18:00:00")
    for key in W.WORKLOAD_KEYS:
        same_rows(W.workload_profiles(slice_con, key=key).to_dicts(), reference_profiles(slice_con, key=key))


def adversarial_rows() -> list[dict[str, object]]:
    """Ties (one value repeated), one-row workloads, NULL latency (all and some), an unpriced model,
    mixed-case providers, inputs across each long-context threshold, unknown tools/status, requests
    only in one half of the period."""
    rows: list[dict[str, object]] = []
    t0 = datetime(2026, 10, 1)

    def add(i: int, **kw: object) -> None:
        rows.append({"request_id": f"r{len(rows)}", "ts": (t0 + timedelta(hours=7 * i)).isoformat(),
                     "provider": "openai", "model": "gpt-4o", "status": "ok", **kw})

    for i in range(40):   # ties: every input the same, outputs in two values, latency repeated
        add(i, feature="ties", input_tokens=1000, output_tokens=100 if i % 3 else 200, latency_ms=250)
    add(5, feature="one-row", input_tokens=7, output_tokens=3, latency_ms=12.5)
    add(6, feature="one-row-no-latency", input_tokens=9, output_tokens=0)
    for i in range(11):   # latency NULL on some; tools and status unknown on some; mixed-case provider
        add(i * 9, feature="some-latency", input_tokens=100 * (i + 1), output_tokens=10 * (11 - i),
            latency_ms=(i * 33.3 if i % 2 else ""), has_tools=("true" if i % 3 == 0 else "" if i % 3 == 1 else "false"),
            status=("error" if i == 4 else "" if i == 5 else "ok"), provider=("OpenAI" if i % 2 else "openai"))
    for i, inp in enumerate([50_000, 100_000, 100_001, 150_000, 200_000, 200_001, 250_000, 272_001, 300_000]):
        add(i * 20, feature="long", model="claude-sonnet-4-5", provider="anthropic", input_tokens=inp,
            cache_read_tokens=inp // 4, output_tokens=500 + i, latency_ms=1000 + i)
    for i in range(4):    # unpriced model, early half only
        add(i, feature="unpriced", model="house-model-7b", provider="self", input_tokens=10 + i, output_tokens=5)
    add(250, feature="late-only", model="gpt-4o-mini", input_tokens=42, output_tokens=4, latency_ms=8)
    for i, inp in enumerate([1_000, 128_000, 128_001, 140_000]):   # a current model outside the model
        add(i * 30, feature="outside", model="gemini-1.5-pro", provider="google",   # table: its own 128k
            input_tokens=inp, output_tokens=100, latency_ms=900)                     # threshold
    return rows


def test_profiles_and_scan_equal_the_reference_on_adversarial_data(store: duckdb.DuckDBPyConnection,
                                                                   tmp_path: Path) -> None:
    r = ingest.ingest_file(store, write_log(tmp_path / "adversarial.csv", adversarial_rows()))
    assert r.status == "loaded", r.error
    facts = check_scan(store)
    check_scan(store, cache_target=0.9)
    check_scan(store, "2026-10-02 03:00:00", "2026-10-20")
    p = {r["workload"]: r for r in facts.profiles.to_dicts()}
    # the cases are really there
    assert p["ties"]["input_p50"] == p["ties"]["input_p99"] == 1000
    assert p["one-row"]["requests"] == 1 and close(p["one-row"]["latency_p95_ms"], 12.5, latency=True)
    assert p["one-row-no-latency"]["latency_p50_ms"] is None
    assert p["unpriced"]["cost"] is None and p["unpriced"]["unpriced_requests"] == 4
    assert p["late-only"]["trend"] is None and p["unpriced"]["trend"] == -1
    assert facts.providers["some-latency"] == "openai"
    long = {c["model"]: c for c in facts.costs.to_dicts() if c["workload"] == "long"}
    assert long["claude-sonnet-4-5"]["own_groups"] == 2          # priced below and above its 200k threshold


def test_scan_reads_again_when_the_rollup_misses_a_threshold(store: duckdb.DuckDBPyConnection,
                                                              tmp_path: Path) -> None:
    """The long-context bands are cut at the thresholds of the models the rollup names; with the
    rollup emptied (stale), gemini-1.5-pro's 128k threshold is found only in the requests, and the
    scan reads them again with it: the costs still equal the reference."""
    r = ingest.ingest_file(store, write_log(tmp_path / "adversarial.csv", adversarial_rows()))
    assert r.status == "loaded", r.error
    store.execute("DELETE FROM request_daily")
    facts = check_scan(store)
    outside = {c["model"]: c for c in facts.costs.to_dicts() if c["workload"] == "outside"}
    assert outside["gemini-1.5-pro"]["own_groups"] == 2          # below and above 128k


# --- session 5: the groups from the daily rollup (sql/workload_groups_daily.sql) ---

GROUP_KEYS = ["workload", "model", "provider", "above", "late", "status", "has_tools", "structured_output"]


def check_daily_groups(con: duckdb.DuckDBPyConnection, start: str | None, end: str | None, edges: list[int],
                       key: str = "auto") -> pl.DataFrame:
    """The rollup's groups equal sql/workload_groups.sql's over the requests: every row, every
    column, the same types (DECIMAL cost, BIGINT sums, the span's timestamps)."""
    params = period_params(start, end, key)
    bounds = {f"edge_{i}": e for i, e in enumerate(sorted(set(edges)))}
    above = " + ".join(f"CAST(s.input_tokens > ${n} AS INTEGER)" for n in bounds) or "0"
    frag = W.fragments()
    old = W.run_named(con, "workload_groups", {**params, **bounds}, above=above, shift_sums="", **frag)
    new = W._daily_groups(con, params, bounds, above, frag)
    assert new is not None, (start, end, edges)
    assert new.schema == old.schema
    new, old = new.sort(GROUP_KEYS, nulls_last=True), old.sort(GROUP_KEYS, nulls_last=True)
    assert new.height == old.height and new.height > 0
    assert new.to_dicts() == old.to_dicts()
    return new


def test_daily_groups_equal_the_requests_groups(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """Adversarial requests plus requests around the period's midpoint (one every 37 minutes for
    two days, so the midpoint's day has requests on both sides of it): whole store and whole-day
    periods, with the long-context bands at thresholds that are band edges, and every key."""
    rows = adversarial_rows()
    t = datetime(2026, 10, 20)
    for i in range(80):
        rows.append({"request_id": f"m{i}", "ts": (t + timedelta(minutes=37 * i)).isoformat(), "provider": "openai",
                     "model": "gpt-4o", "feature": "around-mid", "input_tokens": 100 + 5000 * i,
                     "output_tokens": 7 + i, "has_tools": "true" if i % 2 else "false",
                     "structured_output": "true" if i % 5 == 0 else "", "status": "ok", "latency_ms": 100 + i})
    r = ingest.ingest_file(store, write_log(tmp_path / "adversarial.csv", rows))
    assert r.status == "loaded", r.error
    g = check_daily_groups(store, None, None, [])
    assert g["late"].to_list().count(True) and g["late"].to_list().count(False)
    check_daily_groups(store, None, None, [100_000, 128_000, 200_000, 272_000])
    g = check_daily_groups(store, "2026-10-05", "2026-10-22", [32_000, 200_000])
    assert set(g["above"].to_list()) == {0, 1, 2}
    check_daily_groups(store, "2026-10-05 00:00:00", None, [128_000])
    for key in W.WORKLOAD_KEYS:
        check_daily_groups(store, None, "2026-10-21", [200_000], key)
    # where the rollup cannot give the same rows it declines, and profile_facts reads the requests
    frag, edge = W.fragments(), {"edge_0": 150_000}
    assert W._daily_groups(store, period_params("2026-10-02 03:00:00", None), {}, "0", frag) is None
    assert W._daily_groups(store, period_params(), edge, "CAST(s.input_tokens > $edge_0 AS INTEGER)", frag) is None
    empty = period_params("2027-01-01", "2027-02-01")   # a period with no request: no row either way
    new = W._daily_groups(store, empty, {}, "0", frag)
    old = W.run_named(store, "workload_groups", empty, above="0", shift_sums="", **frag)
    assert new is not None and new.height == old.height == 0 and new.schema == old.schema


def test_daily_groups_equal_the_requests_groups_on_the_slice(slice_con: duckdb.DuckDBPyConnection) -> None:
    b = D.data_bounds(slice_con)
    first = b["requests_first"]
    check_daily_groups(slice_con, None, None, [100_000, 200_000, 272_000])
    check_daily_groups(slice_con, str(first + timedelta(days=3)), str(first + timedelta(days=40)), [128_000])
