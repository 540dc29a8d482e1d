"""The request histograms kept at ingest (ingest/hist.py, migration 0092) and the workload percentiles
read from them (queries/sql/workload_quantiles.sql).

Held here: the bins are exact from -1024 to 1024 and within 2^-8 above (every integer up to 2^22
and around every power of two to 2^62); DuckDB's rank rules for quantile_disc and quantile_cont are
the ones the SQL copies; the histogram equals a GROUP BY over request_log through load, overlap,
removal, re-load and re-pricing; the percentiles equal today's exact query
(tests/fixtures/reference_sql/workload_quantiles.sql) exactly where the values are at most 1,024 and
within the bound above, on the sample company slice and on adversarial data; the prior rules decide
as they do on the exact figures.
"""

from __future__ import annotations

import math
import random
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

import ingest
from ingest import hist
from queries import workloads as W
from queries.priors import prior_for
from queries.workloads import period_params
from tests.builders import write_log
from tests.conftest import ROOT

REF = ROOT / "tests" / "fixtures" / "reference_sql"
MIGRATION = ROOT / "ingest" / "migrations" / "0092_request_hist.sql"
BOUND = 2.0 ** -8
TOKEN_Q = ("input_q", "output_q")

# --- the bins ---


@pytest.fixture(scope="module")
def mem() -> duckdb.DuckDBPyConnection:
    return ingest.connect(":memory:")


def test_bins_exact_to_1024_and_within_2_to_the_minus_8_above(mem: duckdb.DuckDBPyConnection) -> None:
    """Every integer from -2^17 to 2^22: one bin per value from -1024 to 1024, and above, the bin's
    value within 2^-8 of every value in it (integer arithmetic: |value - v| * 256 < |v|). Bins
    never decrease with the value and leave no gap (1025 follows 1024)."""
    row = mem.sql("""
        SELECT count(*),
               count(*) FILTER (WHERE abs(v) <= 1024 AND (rs_hist_bin(v) != v OR rs_hist_value(rs_hist_bin(v)) != v)),
               count(*) FILTER (WHERE abs(v) > 1024 AND abs(rs_hist_value(rs_hist_bin(v)) - v) * 256 >= abs(v)),
               count(*) FILTER (WHERE rs_hist_bin(v) - rs_hist_bin(v - 1) NOT IN (0, 1)),
               count(DISTINCT rs_hist_bin(v))
        FROM range(-131072, 4194304) t(v)""").fetchall()[0]
    assert row[:4] == (131072 + 4194304, 0, 0, 0)
    # 2049 exact bins, then 128 per power of two: 2^10 to 2^22 above, 2^10 to 2^17 below (and -2^17 itself)
    assert row[4] == 2049 + 12 * 128 + 7 * 128 + 1


def test_bins_around_every_power_of_two_and_at_the_extremes(mem: duckdb.DuckDBPyConnection) -> None:
    """Each power of two from 2^10 to 2^62, 64 values either side (above 2^53 the double of v is
    rounded), both signs; beyond 2^62 values count at 2^62's bin; NULL is not binned; a latency of
    NaN or infinity counts at the top."""
    bad = mem.sql("""
        WITH v AS (SELECT s * ((CAST(1 AS HUGEINT) << p) + d) AS x
                   FROM range(10, 63) a(p), range(-64, 65) b(d), (VALUES (1), (-1)) c(s)
                   WHERE (CAST(1 AS HUGEINT) << p) + d <= (CAST(1 AS HUGEINT) << 62))
        SELECT list(x) FROM v
        WHERE abs(CAST(rs_hist_value(rs_hist_bin(CAST(x AS BIGINT))) AS HUGEINT) - x) * 256 >= abs(x)
        """).fetchall()[0][0]
    assert not bad
    # 2^k - 1 and 2^k fall in neighbouring bins (the last of one octave, the first of the next) as long
    # as log2 tells them apart (above 2^40 the two are at a bin's edge, and either bin is in the bound)
    split = mem.sql("""SELECT count(*) FROM range(11, 41) a(p)
                       WHERE rs_hist_bin((CAST(1 AS BIGINT) << p) - 1) + 1 != rs_hist_bin(CAST(1 AS BIGINT) << p)
                    """).fetchall()[0][0]
    assert split == 0
    top = mem.sql("""SELECT rs_hist_bin(9223372036854775807), rs_hist_bin(CAST(1 AS BIGINT) << 62),
                            rs_hist_bin(-9223372036854775807), rs_hist_bin(NULL::BIGINT),
                            rs_hist_us(NULL::DOUBLE), rs_hist_bin(rs_hist_us('nan'::DOUBLE)),
                            rs_hist_bin(rs_hist_us('inf'::DOUBLE)), rs_hist_bin(rs_hist_us('-inf'::DOUBLE)),
                            rs_hist_value(7681), rs_hist_value(-7681), rs_hist_value(NULL::INTEGER)""").fetchall()[0]
    assert top[:8] == (7681, 7681, -7681, None, None, 7681, 7681, -7681) and top[10] is None
    assert abs(top[8] - (1 << 62)) * 256 < 1 << 62 and top[9] == -top[8]


def test_latency_bins_within_the_bound_plus_half_a_microsecond(mem: duckdb.DuckDBPyConnection) -> None:
    """Latency is binned on whole microseconds: the bin's value (µs / 1000) is within 2^-8 of the
    latency plus 0.0005 ms, exact to the microsecond up to 1.024 ms."""
    rng = random.Random(3)
    values = [rng.uniform(0, 1.024) for _ in range(2000)] + [10 ** rng.uniform(-3, 9) for _ in range(20000)]
    values += [0.0, 0.0004, 0.0005, 0.0015, 1.024, 1.0245, 1.025, -0.5, -3000.25]
    got = mem.sql("SELECT list(rs_hist_value(rs_hist_bin(rs_hist_us(x))) / 1000.0 ORDER BY i) "
                  "FROM (SELECT unnest($v) AS x, unnest(range(len($v))) AS i)",
                  params={"v": values}).fetchall()[0][0]
    for x, v in zip(values, got, strict=True):
        if abs(x) <= 1.024:   # DuckDB's round: halves away from zero
            assert v == math.copysign(math.floor(abs(x) * 1000 + 0.5), x) / 1000.0, x
        assert abs(v - x) <= BOUND * (abs(x) + 0.0005) + 0.0005 + 1e-12, (x, v)


def test_duckdb_rank_rules(mem: duckdb.DuckDBPyConnection) -> None:
    """The order statistics the histogram query picks are DuckDB's: quantile_disc(x, q) with a
    DECIMAL q is the (n - floor(n (1 - q)))-th smallest, at least the first; quantile_cont(x, q) is
    lo + d (hi - lo) between the (floor(RN)+1)-th and (ceil(RN)+1)-th, RN = (n - 1) q, d = RN -
    floor(RN) (to the last bit but for the compiler's rounding of that expression)."""
    for n in range(1, 401):
        got = mem.sql(f"SELECT quantile_disc(x, [0.5, 0.95, 0.99]) FROM range(1, {n + 1}) t(x)").fetchall()[0][0]
        assert got == [max(1, n - (n * (100 - p)) // 100) for p in (50, 95, 99)], n
    rng = random.Random(5)
    for _ in range(300):
        xs = sorted(rng.uniform(0, 1000) * rng.choice([1e-3, 1, 1e3]) for _ in range(rng.randint(1, 60)))
        got = mem.sql("SELECT quantile_cont(x, [0.5, 0.95]) FROM (SELECT unnest($x) AS x)",
                      params={"x": xs}).fetchall()[0][0]
        for q, g in zip((0.5, 0.95), got, strict=True):
            rn = (len(xs) - 1) * q
            lo, hi = xs[math.floor(rn)], xs[math.ceil(rn)]
            assert g == pytest.approx(lo + (rn - math.floor(rn)) * (hi - lo), rel=1e-15, abs=0), (xs, q)


# --- the histogram against the requests ---

RAW = """
SELECT source_file_id, CAST(ts AS DATE) AS day, feature, prompt_name, app, route, api_key, project, team,
       m.metric, m.bin, count(*) AS n
FROM (SELECT *, unnest([{'metric': 0, 'bin': rs_hist_bin(uncached_input_tokens + cache_read_tokens
                                                         + cache_write_tokens + cache_write_1h_tokens)},
                        {'metric': 1, 'bin': rs_hist_bin(output_tokens)},
                        {'metric': 2, 'bin': rs_hist_bin(rs_hist_us(latency_ms))}]) AS m FROM request_log)
WHERE m.bin IS NOT NULL
GROUP BY ALL ORDER BY ALL"""
HIST = """SELECT source_file_id, day, feature, prompt_name, app, route, api_key, project, team, metric, bin, sum(n)
          FROM request_hist GROUP BY ALL ORDER BY ALL"""


def attribute_log(path: Path, start: int, n: int, seed: int) -> Path:
    """Requests over 20 days with every workload attribute sometimes missing, NULL latency on some,
    tokens from 0 to 10^7 and latency from 0 to 10^6 ms."""
    rng = random.Random(seed)
    t0 = datetime(2026, 10, 1)
    rows: list[dict[str, object]] = []
    for i in range(start, start + n):
        cached = rng.choice([0, 0, 700])
        rows.append({
            "request_id": f"q{i}", "ts": (t0 + timedelta(minutes=rng.randrange(20 * 24 * 60))).isoformat(),
            "provider": "openai", "model": rng.choice(["gpt-4o", "gpt-4o-mini"]),
            **{a: rng.choice([f"{a}-1", f"{a}-2", ""]) for a in ("feature", "app", "route", "api_key", "project")},
            "input_tokens": cached + int(10 ** rng.uniform(0, 7)), "cache_read_tokens": cached,
            "output_tokens": rng.choice([0, rng.randrange(1, 1100), int(10 ** rng.uniform(0, 5))]),
            "latency_ms": rng.choice(["", 0, round(10 ** rng.uniform(-2, 6), 3)])})
    return write_log(path, rows)


def check_hist(con: duckdb.DuckDBPyConnection) -> None:
    raw = con.sql(RAW).fetchall()
    assert raw and con.sql(HIST).fetchall() == raw
    # one key per (file, day, attributes), each id once, no bins without a key
    assert con.sql("""SELECT count(*) = count(DISTINCT id) AND count(*) = count(DISTINCT (source_file_id, day, feature,
                      prompt_name, app, route, api_key, project, team)) FROM request_hist_key""").fetchall()[0][0]
    assert con.sql("SELECT count(*) FROM request_hist_bin b ANTI JOIN request_hist_key k USING (id)").fetchall()[0][0] == 0
    assert con.sql("SELECT count(*) FROM request_hist_key k ANTI JOIN request_log r USING (source_file_id)"
                   ).fetchall()[0][0] == 0


def test_hist_equals_group_by_through_load_overlap_removal_reload_and_repricing(
        store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    a = ingest.ingest_file(store, attribute_log(tmp_path / "a.csv", 0, 3000, 1))
    b = ingest.ingest_file(store, attribute_log(tmp_path / "b.csv", 2000, 3000, 2))  # 1000 already loaded
    assert (a.rows, b.rows, b.duplicates) == (3000, 2000, 1000)
    check_hist(store)
    # the requests are all there: every request in metric 0 and 1, those with a latency in 2
    counts = store.sql("SELECT metric, sum(n) FROM request_hist GROUP BY metric ORDER BY metric").fetchall()
    with_latency = store.sql("SELECT count(latency_ms) FROM requests").fetchall()[0][0]
    assert counts == [(0, 5000), (1, 5000), (2, with_latency)] and 0 < with_latency < 5000
    assert store.sql("SELECT count(*) FROM requests_hist WHERE source_file IS NULL").fetchall()[0][0] == 0
    assert a.source_file_id is not None
    ingest.remove_file(store, a.source_file_id)
    check_hist(store)
    assert store.sql("SELECT count(*) FROM request_hist WHERE source_file_id = ?",
                     params=[a.source_file_id]).fetchall()[0][0] == 0
    again = ingest.ingest_file(store, tmp_path / "a.csv")   # removed, so loading it again works
    assert (again.rows, again.duplicates) == (3000, 0)   # b skipped the 1000 a held, so they went with a
    check_hist(store)
    before = store.sql(HIST).fetchall()
    cost = store.sql("SELECT sum(cost) FROM requests").fetchall()[0][0]
    prices = tmp_path / "prices.csv"
    prices.write_text("kind,provider,model,service_tier,input,output,percent,usd_per_hour,units,effective_from\n"
                      "discount,openai,,,,,10,,,2026-10-01\n")
    assert ingest.ingest_file(store, prices).status == "loaded"   # re-prices every request
    assert store.sql("SELECT sum(cost) FROM requests").fetchall()[0][0] < cost
    assert store.sql(HIST).fetchall() == before
    # rebuilt from scratch, and as migration 0092 fills an existing store: the same rows
    hist.rebuild_all(store)
    check_hist(store)
    for table in hist.TABLES:
        store.execute(f"DELETE FROM {table}")
    fill = MIGRATION.read_text().split("-- Existing stores:", 1)[1].split("\n", 1)[1]
    for statement in filter(str.strip, fill.split(";")):
        store.execute(statement)
    check_hist(store)


# --- the percentiles against the exact query ---


def exact_quantiles(con: duckdb.DuckDBPyConnection, params: dict[str, object]) -> dict[str, dict[str, Any]]:
    """Today's exact query (tests/fixtures/reference_sql/workload_quantiles.sql), per workload."""
    sql = (REF / "workload_quantiles.sql").read_text().format(
        workload_requests=(REF / "workload_requests.sql").read_text())
    return {r["workload"]: r for r in con.sql(sql, params=params).pl().to_dicts()}


def close(new: Any, old: Any, latency: bool = False) -> bool:
    """A binned percentile against the exact one: equal up to 1,024; within 2^-8 above (latency,
    whole microseconds: plus 0.0005 ms, and to the last bits of the interpolation)."""
    if new is None or old is None:
        return new is None and old is None
    if latency:
        exact_range = abs(old) <= 1.024 and old * 1000 == round(old * 1000)
        slack = 1e-12 * abs(old) if exact_range else BOUND * (abs(old) + 0.0005) + 0.0005 + 1e-9
        return abs(new - old) <= slack
    return new == old if abs(old) <= 1024 else abs(new - old) * 256 < abs(old)


def check_quantiles(con: duckdb.DuckDBPyConnection, start: str | None = None, end: str | None = None,
                    key: str = "auto") -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    params = period_params(start, end, key)
    new = {r["workload"]: r for r in W.quantiles(con, params).to_dicts()}
    old = exact_quantiles(con, params)
    assert new.keys() == old.keys() and new
    for w, r in new.items():
        for col in TOKEN_Q:
            assert all(close(a, b) for a, b in zip(r[col], old[w][col], strict=True)), (w, col, r[col], old[w][col])
        if old[w]["latency_q"] is None:   # no latency logged: NULL, as quantile_cont says
            assert r["latency_q"] is None, w
        else:
            pairs = zip(r["latency_q"], old[w]["latency_q"], strict=True)
            assert all(close(a, b, latency=True) for a, b in pairs), (w, r["latency_q"], old[w]["latency_q"])
    return new, old


def reference_profiles(con: duckdb.DuckDBPyConnection, start: str | None = None, end: str | None = None,
                       key: str = "auto") -> list[dict[str, Any]]:
    sql = (REF / "workload_profile.sql").read_text().format(
        workload_requests=(REF / "workload_requests.sql").read_text())
    return con.sql(sql, params=period_params(start, end, key)).pl().to_dicts()


def check_priors(con: duckdb.DuckDBPyConnection, start: str | None = None, end: str | None = None) -> int:
    """The prior rule each workload gets from the binned profile is the one the exact profile gets."""
    new = {r["workload"]: r for r in W.workload_profiles(con, start, end).to_dicts()}
    old = {r["workload"]: r for r in reference_profiles(con, start, end)}
    assert new.keys() == old.keys()
    for w in new:
        assert prior_for(new[w]).name == prior_for(old[w]).name, w
    return len(new)


def test_percentiles_on_the_slice_within_the_bound(slice_con: duckdb.DuckDBPyConnection) -> None:
    """The sample company slice: the whole store and a month for every workload key; the values
    above 1,024 are really there (so the bound, not equality, is what is tested for them)."""
    new, old = check_quantiles(slice_con)
    assert any(v > 1024 for r in old.values() for v in r["input_q"])
    assert any(r["input_q"] != new[w]["input_q"] for w, r in old.items())    # binned, not exact
    first = slice_con.sql("SELECT min(ts) FROM requests").fetchall()[0][0]
    month = datetime(first.year, first.month, 1)
    for key in W.WORKLOAD_KEYS:
        check_quantiles(slice_con, key=key)
        check_quantiles(slice_con, str(month.date()), str((month + timedelta(days=31)).date()), key)
    assert check_priors(slice_con) >= 5


def test_a_bound_with_a_time_of_day_is_answered_exactly(slice_con: duckdb.DuckDBPyConnection) -> None:
    """The histogram is by day: a bound at 06:30 is read from the requests, equal to the exact query
    (the same SQL), and midnights written as datetimes are whole days."""
    first = slice_con.sql("SELECT min(ts) FROM requests").fetchall()[0][0]
    start, end = f"{(first + timedelta(days=3)).date()} 06:30:00", f"{(first + timedelta(days=20)).date()}"
    params = period_params(start, end)
    assert not W.whole_days(slice_con, params)
    assert W.whole_days(slice_con, period_params(f"{first.date()} 00:00:00", datetime(2027, 1, 1)))
    new = {r["workload"]: r for r in W.quantiles(slice_con, params).to_dicts()}
    assert new == exact_quantiles(slice_con, params)


def adversarial_rows() -> list[dict[str, object]]:
    """Workloads of one request, of one value repeated, of values around 1,024 and around powers of
    two, of NULL and zero latency, of huge values, of small values only (every rank rule at sizes 1
    to 64, where the histogram must be exact), and outputs at the prior rules' thresholds."""
    rows: list[dict[str, object]] = []
    t0 = datetime(2026, 10, 1)
    rng = random.Random(11)

    def add(feature: str, i: int, inp: int, out: int, latency: object = "") -> None:
        rows.append({"request_id": f"r{len(rows)}", "ts": (t0 + timedelta(hours=5 * i)).isoformat(),
                     "provider": "openai", "model": "gpt-4o", "feature": feature, "input_tokens": inp,
                     "output_tokens": out, "latency_ms": latency})

    add("one", 0, 70_000, 5000, 2500.5)
    add("one-small", 1, 1024, 1024, 1.024)
    for i in range(40):
        add("equal", i, 5000, 900, 321.0)
    for i, v in enumerate([1023, 1024, 1025, 1026, 1031, 1032, 2047, 2048, 2049, 4095, 4096, 4097, 65535, 65536,
                           65537, 1_048_575, 1_048_576, 1_048_577]):
        add("around-1024", i, v, v, v / 1000)
        add("around-1024", i + 1, v - 1, v + 1, (v + 1) / 1000)
    for i in range(30):
        add("latency-null-and-zero", i, 10 + i, 5, [0, "", 0.0004, 0.0005, 7][i % 5])
    for i in range(6):
        add("latency-none", i, 100, 10, "")
    for i in range(25):
        add("huge", i, 10 ** 9 + i * 10 ** 7, 2 ** 40 + i, 10.0 ** (3 + i % 6))
    for n in range(1, 65):
        for i in range(n):
            add(f"small-{n:02d}", i, rng.randrange(0, 1025), rng.choice([0, 1, rng.randrange(0, 1025)]),
                rng.randrange(0, 1025) / 1000)
    for feature, outs in [("p95-300", [300] * 20), ("p95-301", [300] * 18 + [301] * 2),
                          ("p95-800", [100] * 18 + [800] * 2), ("p95-801", [100] * 18 + [801] * 2),
                          ("p50-999", [999] * 10 + [2000] * 9), ("p50-1000", [1000] * 10 + [2000] * 9),
                          ("p50-1025", [1025] * 10 + [2000] * 9), ("p95-1025", [1025] * 20)]:
        for i, out in enumerate(outs):
            add(feature, i, 5000, out, 100)
    return rows


def test_percentiles_on_adversarial_data(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    r = ingest.ingest_file(store, write_log(tmp_path / "adversarial.csv", adversarial_rows()))
    assert r.status == "loaded" and not r.rejected, r.error
    new, old = check_quantiles(store)
    check_quantiles(store, "2026-10-02", "2026-10-04")
    for w in new:   # wherever the values are at most 1,024, exactly the exact query's
        if w.startswith("small-") or w in ("one-small", "latency-null-and-zero", "latency-none"):
            assert new[w]["input_q"] == old[w]["input_q"] and new[w]["output_q"] == old[w]["output_q"], w
        if w.startswith("small-") or w == "one-small":   # latencies in whole µs up to 1.024 ms
            assert new[w]["latency_q"] == pytest.approx(old[w]["latency_q"], rel=1e-12, abs=0), w
    assert new["latency-none"]["latency_q"] is None
    assert new["equal"]["input_q"][0] != 5000 and close(new["equal"]["input_q"][0], 5000)
    assert new["huge"]["input_q"][2] > 10 ** 9 and new["huge"]["output_q"][0] > 2 ** 40
    assert check_priors(store) > 70
    rules = {w: prior_for(p).name for w, p in
             ((p["workload"], p) for p in W.workload_profiles(store).to_dicts())}
    assert [rules[w] for w in ("p95-300", "p95-301", "p95-800", "p95-801", "p50-999", "p50-1000", "p50-1025")] == \
        ["extraction-like", "short-generation", "short-generation", "default", "default", "long-generation",
         "long-generation"]


def test_quantile_sql_names_its_parameters() -> None:
    """Both quantile queries take the same parameters, so the switch between them is only the name."""
    from queries import load_sql, named_parameters
    frag = W.fragments()
    assert named_parameters(load_sql("workload_quantiles").format(**frag)) == \
        named_parameters(load_sql("workload_quantiles_exact").format(**frag)) == {"start", "end", "default_key"}
    assert re.search(r"request_log", load_sql("workload_quantiles")) is None   # reads no request
