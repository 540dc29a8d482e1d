"""`make bench` case: one dashboard filter change, server-side, on the request store the ingest
case built (bench/data/ours.duckdb). A filter change on the Spend explorer runs the billing spend
query, the request unit costs (daily rollup), distinct users (the requests view) and the token-type
breakdown, cold: a fresh process, no Streamlit cache. Target: well under a second."""

from __future__ import annotations

import subprocess
import sys

from bench.run import DATA, ROOT, Result, measure

CODE = """
import time, ingest
from queries.dashboard import request_units, request_users, token_types
from queries.spend import spend_by
con = ingest.connect({db!r}, read_only=True)
t = time.perf_counter()
f = dict(start='2026-08-15', end='2026-09-15', model='claude-sonnet-4-5', team='team-3', feature=None)
spend_by(con, ['day', 'provider'], start=f['start'], end=f['end'], model=f['model'], team=f['team'])
request_units(con, ['feature'], **f)
request_units(con, [], **f)
request_users(con, **f)
token_types(con, f['start'], f['end'], None, f['model'])
print('FILTER', time.perf_counter() - t)
"""


def dashboard_filter_case(rows: int) -> Result:
    our_db, base_db = DATA / "ours.duckdb", DATA / "baseline.duckdb"
    code = CODE.format(db=str(our_db))
    out = subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(ROOT)!r})\n" + code],
                         capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    ours = float(next(line for line in out.stdout.splitlines() if line.startswith("FILTER")).split()[1])
    rss = measure(code).peak_rss_mb
    base = measure(f"import duckdb; c = duckdb.connect({str(base_db)!r}, read_only=True); "
                   "c.sql(\"SELECT feature, count(*), sum(input_tokens) FROM t WHERE model = 'claude-sonnet-4-5' "
                   "AND team = 'team-3' GROUP BY feature\").fetchall()").seconds
    return Result("dashboard filter change (explorer, cold)", rows, "one GROUP BY over the raw table", base, ours,
                  ours / base, None, rss, None, ours < 1.0)


PAGES = ["overview", "upload", "explorer", "reconciliation", "workloads", "savings", "thesis", "reports", "settings"]

PAGE_CODE = """
import os, time
os.environ['RIGHTSIZE_DB'] = {db!r}
from streamlit.testing.v1 import AppTest
at = AppTest.from_file({main!r}, default_timeout=3600)
at.switch_page('views/{page}.py')
t = time.perf_counter()
at.run()
seconds = time.perf_counter() - t
problems = [e.value for e in at.exception] + [e.value for e in at.error]
empty = any('store is empty' in i.value for i in at.info)
print('PAGE', seconds, len(problems), int(empty), repr(problems[:1]))
"""


def dashboard_pages_case(rows: int) -> list[Result]:
    """Every page renders on the bench store (the issue's "10M-request store without errors"): one
    fresh process per page, so the time is a cold first render with no Streamlit cache, server-side
    (AppTest, no browser). ok means no exception, no error, and no empty-store welcome. The baseline
    is the same raw GROUP BY as the filter case, for scale only; there is no time target here."""
    our_db, base_db = DATA / "ours.duckdb", DATA / "baseline.duckdb"
    base = measure(f"import duckdb; c = duckdb.connect({str(base_db)!r}, read_only=True); "
                   "c.sql(\"SELECT feature, count(*), sum(input_tokens) FROM t GROUP BY feature\").fetchall()").seconds
    main = str(ROOT / "app" / "dashboard" / "main.py")
    results = []
    for page in PAGES:
        code = PAGE_CODE.format(db=str(our_db), main=main, page=page)
        out = subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(ROOT)!r})\n" + code],
                             capture_output=True, text=True, cwd=ROOT)
        if out.returncode != 0:
            raise RuntimeError(out.stderr[-2000:])
        line = next(x for x in out.stdout.splitlines() if x.startswith("PAGE "))
        _, seconds, problems, empty, first = line.split(" ", 4)
        if int(problems) or int(empty):
            print(f"  {page}: {'empty-store welcome' if int(empty) else first}", flush=True)
        ours = float(seconds)
        results.append(Result(f"dashboard page renders: {page} (cold)", rows, "one GROUP BY over the raw table",
                              base, ours, ours / base, None, 0.0, None, not int(problems) and not int(empty)))
    return results
