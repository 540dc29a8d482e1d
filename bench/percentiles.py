"""Workload percentiles from the ingest histograms against the exact query, on a store (session 5).

``python -m bench.percentiles STORE [BASELINE]``: for every workload key, every percentile from the
histogram (queries/sql/workload_quantiles.sql) within the bound of the exact one
(workload_quantiles_exact.sql) and the prior rule of every workload the same; then, with a
baseline database (table ``t``, the LiteLLM CSV read by read_csv, as bench/run.py makes it), the
percentile queries timed against the bench's baseline GROUP BY in this process. Read-only; writes
nothing (docs/performance.md, "Session 5: percentiles", has its figures). The store must be
migrated (0092): copy a shared store and open the copy once with ``ingest.connect``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

import duckdb

import ingest
from queries import run_named
from queries import workloads as W
from queries.priors import prior_for

BOUND = 2.0 ** -8
BASE_GROUP_BY = ("SELECT model_group, count(*), sum(prompt_tokens), quantile_disc(prompt_tokens, 0.95) "
                 "FROM t GROUP BY model_group")


def within(new: float, old: float, latency: bool) -> bool:
    if latency:
        return abs(new - old) <= BOUND * (abs(old) + 0.0005) + 0.0005 + 1e-9
    return new == old if abs(old) <= 1024 else abs(new - old) * 256 < abs(old)


def check(con: duckdb.DuckDBPyConnection) -> None:
    for key in W.WORKLOAD_KEYS:
        p = W.period_params(None, None, key)
        new = {r["workload"]: r for r in run_named(con, "workload_quantiles", p, **W.fragments()).to_dicts()}
        old = {r["workload"]: r for r in run_named(con, "workload_quantiles_exact", p, **W.fragments()).to_dicts()}
        assert new.keys() == old.keys(), key
        worst, equal, n = 0.0, 0, 0
        for w, r in new.items():
            for col, lat in (("input_q", False), ("output_q", False), ("latency_q", True)):
                if old[w][col] is None:
                    assert r[col] is None, (key, w, col)
                    continue
                for a, b in zip(r[col], old[w][col], strict=True):
                    assert within(a, b, lat), (key, w, col, a, b)
                    n, equal = n + 1, equal + (a == b)
                    worst = max(worst, abs(a - b) / abs(b) if b else 0.0)
        print(f"key {key}: {len(new)} workloads, {n} percentiles, {equal} equal, worst {worst:.3%}")
    binned = {r["workload"]: prior_for(r).name for r in W.workload_profiles(con).to_dicts()}
    exact_days = W.whole_days
    W.whole_days = lambda c, p: False   # type: ignore[assignment]
    try:
        exact = {r["workload"]: prior_for(r).name for r in W.workload_profiles(con).to_dicts()}
    finally:
        W.whole_days = exact_days   # type: ignore[assignment]
    assert binned == exact
    print(f"prior rules the same for all {len(binned)} workloads ({len(set(binned.values()))} different rules)")


def timed(f: Callable[[], object], runs: int = 5) -> str:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return f"min {min(times):.3f} s, median {sorted(times)[runs // 2]:.3f} s"


def main(argv: list[str]) -> None:
    con = ingest.connect(argv[0], read_only=True)
    check(con)
    if len(argv) > 1:
        base = duckdb.connect(argv[1], read_only=True)
        p = W.period_params()
        print("baseline GROUP BY      ", timed(lambda: base.sql(BASE_GROUP_BY).fetchall()))
        print("percentiles (histogram)", timed(lambda: run_named(con, "workload_quantiles", p, **W.fragments())))
        print("percentiles (exact)    ", timed(lambda: run_named(con, "workload_quantiles_exact", p, **W.fragments())))
        print("baseline GROUP BY      ", timed(lambda: base.sql(BASE_GROUP_BY).fetchall()))


if __name__ == "__main__":
    main(sys.argv[1:])
