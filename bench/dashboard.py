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
