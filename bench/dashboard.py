"""`make bench` dashboard cases on the request store the ingest case built (data/bench/ours.duckdb).

- page data on a filter change: for each page, a fresh process opens it (its first queries, as
  its cache would then hold them), then changes a filter and times the queries that change runs,
  through the page's own ``queries`` functions (bench/pages.py). Target: 300 ms server-side each.
- cold start: a fresh process renders the Overview page with AppTest; the time from the start of
  the process (imports included) to the page rendered. Target: 3 s.
- every page renders cold (AppTest, one process per page): no exception, no error, no empty-store
  welcome. No time target; the seconds are there to watch.
"""

from __future__ import annotations

import subprocess
import sys

from bench.pages import CHANGES, PAGES
from bench.run import DATA, ROOT, Result, baseline_group_by, measure, timed


def page_data_case(rows: int) -> list[Result]:
    db = str(DATA / "ours.duckdb")
    base = baseline_group_by()
    results = []
    for page in CHANGES:
        m = timed(f"from bench.pages import first_view, filter_change\nstate = first_view({page!r}, {db!r})",
                  f"filter_change({page!r}, {db!r}, state)")
        results.append(Result(f"dashboard page data, filter change: {page}", rows, "one GROUP BY: count, sum, p95",
                              base.seconds, m.seconds, m.seconds / base.seconds, None, m.peak_rss_mb, None,
                              m.seconds <= 0.3, target_seconds=0.3, note=CHANGES[page]))
    return results


COLD = """
import os
os.environ['RIGHTSIZE_DB'] = {db!r}
from streamlit.testing.v1 import AppTest
at = AppTest.from_file({main!r}, default_timeout=3600)
at.run()
problems = [e.value for e in at.exception] + [e.value for e in at.error]
assert not problems, problems[:1]
assert at.title and at.title[0].value == 'Overview', [t.value for t in at.title]
"""


def cold_start_case(rows: int) -> Result:
    """The first page (Overview, the router's default) in a fresh process: imports, store open and
    every query of the page, no cache. The baseline is the raw GROUP BY, for scale."""
    base = baseline_group_by()
    m = measure(COLD.format(db=str(DATA / "ours.duckdb"), main=str(ROOT / "app" / "dashboard" / "main.py")))
    return Result("dashboard cold start: Overview in a fresh process (AppTest)", rows,
                  "one GROUP BY: count, sum, p95", base.seconds, m.seconds, m.seconds / base.seconds, None,
                  m.peak_rss_mb, None, m.seconds <= 3.0, target_seconds=3.0)



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
    our_db = DATA / "ours.duckdb"
    base = baseline_group_by().seconds
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
        results.append(Result(f"dashboard page renders: {page} (cold)", rows, "one GROUP BY: count, sum, p95",
                              base, ours, ours / base, None, 0.0, None, not int(problems) and not int(empty)))
    return results
