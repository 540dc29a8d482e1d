"""Measure the eval links (docs/performance.md "Session 5: evals"); writes nothing but its output.

    python bench/evlinks.py queries STORE BASELINE     # eval queries, replaced vs now, and scan
    python bench/evlinks.py scan STORE BASELINE        # scan only (run it with the old code first on
                                                       # PYTHONPATH for the "before" number)
    python bench/evlinks.py ingest COMPANY_DIR OUT_DIR # CPU time of a LiteLLM load after the evals,
                                                       # with and without the link hook

STORE must be migrated (0093); it is opened read-only. Every time is the best of --repeat runs, next
to the plain-DuckDB GROUP BY of bench/run.py's analytics case over BASELINE's table `t`, timed in
the same process (the machine is shared: ratios, not seconds, are comparable between runs).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

ROOT = Path(__file__).resolve().parents[1]
REF = ROOT / "tests" / "fixtures" / "reference_sql"
GROUP_BY = ("SELECT model_group, count(*), sum(prompt_tokens), quantile_disc(prompt_tokens, 0.95) "
            "FROM t GROUP BY model_group")
PERIODS = [(None, None), ("2026-09-01", "2026-10-01"), ("2026-09-03 06:30:00", "2026-10-20 18:00:00")]


def best(f: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """The least wall time of ``repeat`` runs, and the last result."""
    return best_cpu(f, repeat)[0::2]  # type: ignore[return-value]


def best_cpu(f: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """The least wall time and the least process CPU time (all threads; less disturbed by other
    processes on a shared machine) of ``repeat`` runs, and the last result."""
    walls, cpus, out = [], [], None
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        out = f()
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    return min(walls), min(cpus), out


def queries_case(store: str, baseline: str, repeat: int) -> None:
    import ingest
    from queries import load_sql
    from queries.rightsizing import _evidence
    from queries.workloads import fragments, period_params

    con = ingest.connect(store, read_only=True)
    base = duckdb.connect(baseline, read_only=True)
    frag = fragments()
    wr = (REF / "workload_requests.sql").read_text()
    ref = {n: (REF / f"{n}.sql").read_text().format(workload_requests=wr) for n in ("eval_summary", "eval_evidence")}
    b, bc, _ = best_cpu(lambda: base.sql(GROUP_BY).fetchall(), repeat)
    print(f"baseline GROUP BY: {b:.3f} s, CPU {bc:.2f} s")
    new_sql = load_sql("eval_evidence").format(**frag)
    for start, end in PERIODS:
        p = {**period_params(start, end), "tolerance": 0.0}
        rs, rsc, ref_summary = best_cpu(lambda: con.sql(ref["eval_summary"], params=p).pl(), repeat)  # noqa: B023
        re_, rec, ref_rows = best_cpu(lambda: con.sql(ref["eval_evidence"], params=p).pl(), repeat)   # noqa: B023
        ne, _ = best(lambda: con.sql(new_sql, params=p).pl(), repeat)                                 # noqa: B023
        nb, nbc, (summary, rows) = best_cpu(lambda: _evidence(con, p, frag), repeat)                  # noqa: B023
        equal = summary.equals(ref_summary) and rows is not None and rows.sort(rows.columns).equals(
            ref_rows.sort(ref_rows.columns))
        print(f"period {start}..{end}: replaced eval_summary {rs:.3f} s ({rs / b:.1f}x), eval_evidence "
              f"{re_:.3f} s ({re_ / b:.1f}x), both {rs + re_:.3f} s ({(rs + re_) / b:.1f}x, CPU "
              f"{(rsc + rec) / bc:.1f}x); now eval_evidence {ne:.3f} s ({ne / b:.2f}x), evidence + summary "
              f"{nb:.3f} s ({nb / b:.2f}x, CPU {nbc / bc:.2f}x); {rows.height if rows is not None else 0} rows, "
              f"equal: {equal}")
    scan_case(store, baseline, repeat, con, base)


def scan_case(store: str, baseline: str, repeat: int, con: Any = None, base: Any = None) -> None:
    import ingest
    from queries.rightsizing import Scenario, scan

    con = con or ingest.connect(store, read_only=True)
    base = base or duckdb.connect(baseline, read_only=True)
    import queries
    b, bc, _ = best_cpu(lambda: base.sql(GROUP_BY).fetchall(), repeat)
    s, sc, _ = best_cpu(lambda: scan(con, Scenario()), repeat)
    print(f"scan (queries from {Path(queries.__file__).parents[1]}): {s:.3f} s, baseline {b:.3f} s: {s / b:.1f}x; "
          f"CPU {sc:.2f} s, baseline {bc:.2f} s: {sc / bc:.1f}x")


def ingest_case(company: str, out: str) -> None:
    """CPU seconds of loading the LiteLLM CSV into a store that holds the evals, with the link hook
    and with it taken out (the same order both times); and the hook's own time."""
    import ingest
    from ingest import evallinks
    from ingest.loader import AFTER_LOAD

    d = Path(company)
    evals = sorted((d / "evals").iterdir())
    log = d / "logs" / "litellm_spend_logs.csv"
    hooks = AFTER_LOAD["requests"]
    spent: list[float] = []

    def timed_link(con: duckdb.DuckDBPyConnection, file_id: int) -> None:
        t = time.perf_counter()
        evallinks.link_request_file(con, file_id)
        spent.append(time.perf_counter() - t)

    for label, hook in (("with links", timed_link), ("without", None)):
        db = Path(out) / f"evlinks_{label.replace(' ', '_')}.duckdb"
        db.unlink(missing_ok=True)
        con = ingest.connect(db)
        for e in evals:
            assert ingest.ingest_file(con, e).status == "loaded"
        AFTER_LOAD["requests"] = [h for h in hooks if h is not evallinks.link_request_file] + ([hook] if hook else [])
        r0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
        r = ingest.ingest_file(con, log)
        r1, t1 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
        AFTER_LOAD["requests"] = hooks
        links = con.sql("SELECT count(*) FROM eval_request").fetchall()[0][0]
        cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
        print(f"LiteLLM load {label}: {r.rows:,} rows, {cpu:.2f} s CPU, {t1 - t0:.2f} s wall, {links} links"
              + (f", link hook {spent[-1]:.3f} s wall" if hook else ""))
        con.close()
        db.unlink()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("case", choices=["queries", "scan", "ingest"])
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if args.case == "queries":
        queries_case(args.a, args.b, args.repeat)
    elif args.case == "scan":
        scan_case(args.a, args.b, args.repeat)
    else:
        ingest_case(args.a, args.b)


if __name__ == "__main__":
    sys.path.append(str(ROOT))   # after PYTHONPATH: an older tree there is what a "before" run times
    main()
