"""Eval links (docs/performance.md "Session 5: evals"): the eval queries read ``eval_request`` (each
evaluated request id's request rows, kept at ingest by ingest/evallinks.py) and the daily rollup
instead of every request, and must return exactly what the queries they replaced return
(tests/fixtures/reference_sql/eval_summary.sql, eval_evidence.sql: the same rows, the same values).

Checked on the sample company slice, the 1M bench store (built from the bench's 1M company, its links
dropped and filled again by the migration, so the migration's fill is what is read), AlpacaEval's
real judge data, and adversarial stores built from tests/fixtures/evallinks (README.md there): evals
loaded before and after the requests, a request id in two files, request and eval files removed and
re-loaded, workload rules changing the key, period bounds cutting through a day. After every step
the links are also held against their definition: the request rows whose id a stored eval names."""

from __future__ import annotations

import os
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

import ingest
from ingest.store import migrate
from queries import dashboard as D
from queries import workloads as W
from queries.rightsizing import Scenario, _evidence, evidence_summary, scan
from queries.workloads import fragments, period_params
from tests.builders import ALPACA_PREFS, alpaca_request_log
from tests.conftest import FIXTURES, ROOT

REF = ROOT / "tests" / "fixtures" / "reference_sql"
LINKS = FIXTURES / "evallinks"
TOLERANCES = (0.0, 0.75)   # the tolerance only decides `eligible`

# Period bounds: open, whole days, bounds cutting a day (mid-day, one microsecond past midnight, the
# last microsecond of a day), both bounds in one day, one bound open, and an empty period.
ADVERSARIAL_PERIODS: list[tuple[str | None, str | None]] = [
    (None, None), ("2026-10-01", "2026-10-04"), ("2026-10-02", None), (None, "2026-10-03"),
    ("2026-10-01 06:30:00", "2026-10-03 18:00:00"), ("2026-10-03 09:00:00", "2026-10-03 12:00:00"),
    ("2026-10-03 12:00:00", "2026-10-04 00:00:00"), ("2026-10-02 00:00:00", "2026-10-03 10:00:00"),
    ("2026-10-03 10:00:00", None), (None, "2026-10-03 22:00:00"),
    ("2026-10-01 23:59:59.999999", "2026-10-04 00:00:00.000001"),
    ("2026-10-04 00:00:00.000001", "2026-10-06"), ("2026-10-04", "2026-10-02"),
]


def reference(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """The replaced query ``name`` (eval_summary or eval_evidence), over the requests view."""
    wr = (REF / "workload_requests.sql").read_text()
    return con.sql((REF / f"{name}.sql").read_text().format(workload_requests=wr), params=params).pl().to_dicts()


def _sorted(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: tuple((v is None, str(v)) for v in r.values()))


def check(con: duckdb.DuckDBPyConnection, start: str | None = None, end: str | None = None,
          key: str = "auto", tolerance: float = 0.0) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """The product's summary (in order) and evidence rows (as a multiset) equal the reference's."""
    params = {**period_params(start, end, key), "tolerance": tolerance}
    summary, rows = _evidence(con, params, fragments())
    where = (start, end, key, tolerance)
    assert summary.to_dicts() == reference(con, "eval_summary", params), where
    ref_rows = reference(con, "eval_evidence", params)
    got_rows = rows.to_dicts() if rows is not None else []
    assert summary.columns == ["workload", "candidate_model", "baseline_models", "evaluated", "eligible",
                               "matched_requests"]
    assert _sorted(got_rows) == _sorted(ref_rows), where
    if rows is not None:
        assert rows.columns == list(ref_rows[0])
    return summary, rows


def check_links(con: duckdb.DuckDBPyConnection) -> int:
    """eval_request is exactly the request rows whose id a stored eval names. Returns how many."""
    cols = "request_id, source_file_id, ts, feature, prompt_name, app, route, api_key, project, team"
    links = con.sql(f"SELECT {cols} FROM eval_request ORDER BY ALL").fetchall()
    want = con.sql(f"SELECT {cols} FROM request_log WHERE request_id IN "
                   "(SELECT request_id FROM eval_result) ORDER BY ALL").fetchall()
    assert links == want
    return len(links)


def check_all(con: duckdb.DuckDBPyConnection, periods: list[tuple[str | None, str | None]],
              keys: tuple[str, ...] = ("auto",), tolerances: tuple[float, ...] = (0.0,)) -> list[pl.DataFrame]:
    """check_links, then check every period, key and tolerance given (the tolerance only decides
    ``eligible``, the same expression in both queries: two of them are checked where it is cheap)."""
    check_links(con)
    return [check(con, s, e, key, tol)[0] for s, e in periods for key in keys for tol in tolerances]


def load(con: duckdb.DuckDBPyConnection, path: Path, name: str | None = None) -> int:
    r = ingest.ingest_file(con, path, name=name)
    assert r.status == "loaded", r.error
    assert r.source_file_id is not None
    return r.source_file_id


def file_id(con: duckdb.DuckDBPyConnection, name: str) -> int:
    return one(con, "SELECT id FROM source_file WHERE name = $name AND status = 'loaded'", name=name)


def one(con: duckdb.DuckDBPyConnection, sql: str, **params: Any) -> Any:  # noqa: ANN401
    return con.sql(sql, params=params).fetchall()[0][0]


def summary_of(con: duckdb.DuckDBPyConnection, **kw: Any) -> dict[tuple[str, str], tuple[int, int, int]]:
    df = evidence_summary(con, **kw)
    return {(r["workload"], r["candidate_model"]): (r["evaluated"], r["eligible"], r["matched_requests"])
            for r in df.to_dicts()}


# --- the sample company slice -------------------------------------------------------------------


def test_slice_equals_the_reference(slice_con: duckdb.DuckDBPyConnection) -> None:
    """The slice's evals (loaded after its logs) over the whole store, a month, a window cutting two
    days, and every workload key; and scan's facts carry the same summary and rows."""
    assert check_links(slice_con) > 0
    first = D.data_bounds(slice_con)["requests_first"]
    periods = [(None, None), ("2026-09-01", "2026-10-01"),
               (f"{first + timedelta(days=3)} 06:30:00", f"{first + timedelta(days=40)} 18:00:00")]
    summaries = check_all(slice_con, periods, keys=tuple(W.WORKLOAD_KEYS), tolerances=TOLERANCES)
    whole = summaries[0]
    assert whole.height >= 3 and whole["matched_requests"].sum() > 0   # matched by request id
    facts = scan(slice_con, Scenario())
    summary, rows = check(slice_con)
    assert facts.evidence.equals(summary) and rows is not None and facts.quality_evidence is not None
    assert facts.quality_evidence.equals(rows)


# --- the 1M bench store (built here: migration 0093 fills its links again) ----------------------


def bench_store(path: Path) -> Path:
    """bench/run.py's 1M store at ``path``: the bench's 1M company (bench/data.py; generated once
    and cached where the bench caches it, BENCH_DATA or data/bench/) loaded in its order (prices,
    bills, logs, evals), as the ingest case loads it. RIGHTSIZE_BENCH_STORE names a built one."""
    given = os.environ.get("RIGHTSIZE_BENCH_STORE")
    if given:
        shutil.copyfile(given, path)
        return path
    from bench import data

    company = data.company(1_000_000, Path(os.environ.get("BENCH_DATA") or ROOT / "data" / "bench"))
    con = ingest.connect(path)
    try:
        for f in data.files(company):
            load(con, f)
    finally:
        con.close()
    return path


def test_bench_store_equals_the_reference(tmp_path: Path) -> None:
    """The sample company at 1M requests (bench/run.py's store, 1,200-odd evals), its links dropped
    and built again by migration 0093's fill: the links give the reference's results."""
    con = ingest.connect(bench_store(tmp_path / "bench.duckdb"))
    try:
        con.execute("DROP TABLE eval_request")
        con.execute("DELETE FROM schema_migrations WHERE name = '0093_eval_links'")
        assert migrate(con) == ["0093_eval_links"]
        assert check_links(con) > 1000
        summaries = check_all(con, [(None, None), ("2026-10-01", "2026-11-01"),
                                    ("2026-08-15 12:00:00", "2026-09-10 03:00:00")], keys=("auto", "team"), tolerances=TOLERANCES)
        assert summaries[0]["matched_requests"].sum() > 1000
    finally:
        con.close()


# --- AlpacaEval: real judge data, rows matched by request or only by their workload ---------------


def test_alpacaeval_equals_the_reference(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """46,680 judge rows loaded before a log of the first 300 prompts (so most rows speak for their
    workload only), then the rest of the log: before and after, over periods that cut days."""
    log = alpaca_request_log(tmp_path / "alpaca_requests.csv")
    lines = log.read_text().splitlines(keepends=True)
    head, tail = tmp_path / "alpaca_head.csv", tmp_path / "alpaca_tail.csv"
    head.write_text("".join(lines[:301]))
    tail.write_text(lines[0] + "".join(lines[301:]))
    load(store, ALPACA_PREFS)
    assert check_links(store) == 0
    load(store, head)
    assert check_links(store) == 300
    periods = [(None, None), ("2026-10-01", "2026-10-02"), ("2026-10-01 10:00:00", "2026-10-03 05:00:00")]
    partial = check_all(store, periods, keys=("auto",))[0]
    assert 0 < partial["matched_requests"].sum() < partial["evaluated"].sum()   # both kinds of row
    load(store, tail)
    assert check_links(store) == 805
    check_all(store, periods, keys=("auto", "feature"), tolerances=TOLERANCES)


# --- adversarial stores ----------------------------------------------------------------------------


def test_evals_first_then_requests_then_removals(store: duckdb.DuckDBPyConnection) -> None:
    """Evals before any request, requests after (their links made by the request load), a duplicate
    request id in a second file, a second eval file, a request file removed and re-loaded, an eval
    file removed, workload rules: equal to the reference after every step."""
    load(store, LINKS / "evals_1.csv")
    assert check_links(store) == 0 and check(store)[1] is None   # no requests: no workload, no row
    load(store, LINKS / "requests_a.csv")
    check_all(store, ADVERSARIAL_PERIODS)
    got = summary_of(store)
    # r3's own row says wrong-workload: the request's workload (classify) wins; r-missing and the
    # workload-only rows speak for summarize; `nobody` has no requests, so no row
    assert got[("classify", "gpt-4o-mini")] == (1, 1, 1)
    assert got[("summarize", "gpt-4o-mini")] == (6, 5, 4)
    assert not any(w in ("nobody", "wrong-workload") for w, _ in got)
    # a bound cutting 2026-10-03: the morning-only workload is in a period from 10:00, the night-only one is
    assert {w for w, _ in summary_of(store, start="2026-10-03 10:00:00")} >= {"only-cut-night"}
    assert "only-cut-morning" not in {w for w, _ in summary_of(store, start="2026-10-03 10:00:00")}
    assert "only-cut-night" not in {w for w, _ in summary_of(store, end="2026-10-03 22:00:00")}

    load(store, LINKS / "requests_b.csv")          # r3 again: a duplicate, skipped
    assert one(store, "SELECT count(*) FROM request_log WHERE request_id = 'r3'") == 1
    check_all(store, ADVERSARIAL_PERIODS)
    load(store, LINKS / "evals_2.csv")             # links r8, r9, r10, r22; r1 already linked
    assert check_links(store) == 13
    # every key over open, whole-day, mid-day, one-day and microsecond-past-midnight bounds
    check_all(store, [ADVERSARIAL_PERIODS[i] for i in (0, 1, 4, 5, 10)], keys=tuple(W.WORKLOAD_KEYS))
    check_all(store, ADVERSARIAL_PERIODS, tolerances=TOLERANCES[1:])

    ingest.remove_file(store, file_id(store, "requests_a.csv"))   # r3 goes: requests_b's copy was skipped
    assert one(store, "SELECT count(*) FROM eval_request WHERE request_id = 'r3'") == 0
    check_all(store, ADVERSARIAL_PERIODS)
    ingest.remove_file(store, file_id(store, "requests_b.csv"))
    load(store, LINKS / "requests_b.csv")          # now r3 is requests_b's (classify-b)
    check_all(store, ADVERSARIAL_PERIODS)
    assert ("classify-b", "gpt-4o-mini") in summary_of(store)
    load(store, LINKS / "requests_a.csv")          # back, without its r3
    check_all(store, ADVERSARIAL_PERIODS)

    ingest.remove_file(store, file_id(store, "evals_1.csv"))      # only evals_2's ids stay linked
    assert {r[0] for r in store.sql("SELECT request_id FROM eval_request").fetchall()} == {
        "r1", "r8", "r9", "r10", "r22"}
    check_all(store, ADVERSARIAL_PERIODS)

    W.set_workload_rule(store, "requests_b*", "app")               # one file keyed by app
    check_all(store, ADVERSARIAL_PERIODS, keys=("auto", "team"))
    W.set_workload_rule(store, "*", "team", priority=200)          # the other by team
    check_all(store, ADVERSARIAL_PERIODS)
    assert ("billing", "gpt-4.1-nano") in summary_of(store)        # r22 through requests_b's app


def test_requests_first_then_evals(store: duckdb.DuckDBPyConnection) -> None:
    """Requests before the evals (links made by the eval loads), an eval file removed while another
    names the same id, a request file removed and re-loaded."""
    load(store, LINKS / "requests_a.csv")
    load(store, LINKS / "requests_b.csv")
    assert check_links(store) == 0
    load(store, LINKS / "evals_2.csv")
    load(store, LINKS / "evals_1.csv")
    assert check_links(store) == 13
    check_all(store, ADVERSARIAL_PERIODS)
    ingest.remove_file(store, file_id(store, "evals_2.csv"))       # r1 is still named by evals_1
    assert check_links(store) == 9
    check_all(store, ADVERSARIAL_PERIODS)
    ingest.remove_file(store, file_id(store, "requests_b.csv"))
    check_all(store, ADVERSARIAL_PERIODS)
    load(store, LINKS / "requests_b.csv")
    check_all(store, ADVERSARIAL_PERIODS)
    ingest.remove_file(store, file_id(store, "evals_1.csv"))
    assert check_links(store) == 0
    assert check(store)[1] is None


def test_no_evals_no_links_and_the_empty_shape(store: duckdb.DuckDBPyConnection) -> None:
    """Requests only: nothing is linked, and the summary has its columns and no rows."""
    load(store, LINKS / "requests_a.csv")
    assert check_links(store) == 0
    summary, rows = check(store)
    assert summary.height == 0 and rows is None


def test_migration_fills_an_existing_store(store: duckdb.DuckDBPyConnection) -> None:
    """A store loaded before migration 0093 (its links dropped and the migration forgotten) gets them
    from the migration, and the queries agree."""
    for name in ("requests_a.csv", "evals_1.csv", "requests_b.csv", "evals_2.csv"):
        load(store, LINKS / name)
    store.execute("DROP TABLE eval_request")
    store.execute("DELETE FROM schema_migrations WHERE name = '0093_eval_links'")
    assert migrate(store) == ["0093_eval_links"]
    assert check_links(store) == 13
    check_all(store, ADVERSARIAL_PERIODS[:6])
