"""`make bench`: time and memory of rightsize's hot paths as ratios against plain DuckDB.

Absolute times on shared machines are noise, so every case runs a plain-DuckDB baseline on the same
data in the same run and reports ours/baseline. Each measurement runs in a fresh subprocess so its
peak RSS is its own. Sizes: BENCH_SIZES (default 1000000; the full curve is 1e6,1e7,1e8).
Results: bench/results/results.json and bench/results/RESULTS.md.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
DATA = Path(os.environ.get("BENCH_DATA", ROOT / "data" / "bench"))


@dataclass
class Measure:
    seconds: float
    peak_rss_mb: float


@dataclass
class Result:
    case: str
    rows: int
    baseline: str
    baseline_seconds: float
    ours_seconds: float
    ratio: float
    target_ratio: float | None
    ours_peak_rss_mb: float
    rss_target_mb: float | None
    ok: bool


def measure(code: str) -> Measure:
    """Run Python ``code`` in a fresh process; wall time and peak RSS of that process."""
    wrapper = (
        "import resource, time, sys\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "t = time.perf_counter()\n"
        f"exec(compile({code!r}, 'bench', 'exec'))\n"
        "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)\n"
    )
    out = subprocess.run([sys.executable, "-c", wrapper], capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    seconds, rss = out.stdout.strip().splitlines()[-1].split()
    return Measure(float(seconds), float(rss))


def request_log_csv(rows: int) -> Path:
    """A request log of ``rows`` rows in the generic format (cached on disk by size)."""
    path = DATA / f"requests_{rows}.csv"
    if path.exists():
        return path
    DATA.mkdir(parents=True, exist_ok=True)
    import duckdb

    tmp = path.with_suffix(".tmp")
    duckdb.execute(f"""COPY (SELECT 'req-' || i AS request_id,
        TIMESTAMP '2026-08-01' + INTERVAL (i * 7776000 // {rows}) SECOND AS ts,
        CASE i % 4 WHEN 0 THEN 'openai' WHEN 1 THEN 'anthropic' WHEN 2 THEN 'bedrock' ELSE 'vertex_ai' END AS provider,
        CASE i % 4 WHEN 0 THEN 'gpt-4o-2024-08-06' WHEN 1 THEN 'claude-sonnet-4-5' WHEN 2 THEN 'anthropic.claude-3-haiku-20240307-v1:0' ELSE 'gemini-2.5-flash' END AS model,
        'feature-' || (hash(i) % 25) AS feature, 'team-' || (hash(i + 1) % 12) AS team, 'user-' || (hash(i + 2) % 5000) AS "user",
        1200 + hash(i + 3) % 6000 AS input_tokens, (hash(i + 4) % 4) * 250 AS cache_read_tokens,
        20 + hash(i + 5) % 900 AS output_tokens, 0 AS reasoning_tokens, 100 + hash(i + 6) % 4000 AS latency_ms,
        CASE WHEN hash(i + 7) % 100 = 0 THEN 'error' ELSE 'ok' END AS status
        FROM range({rows}) t(i)) TO '{tmp}' (HEADER)""")
    tmp.rename(path)
    return path


def ingest_case(rows: int) -> Result:
    src = request_log_csv(rows)
    base_db, our_db = DATA / "baseline.duckdb", DATA / "ours.duckdb"
    for p in (base_db, our_db):
        p.unlink(missing_ok=True)
        Path(str(p) + ".wal").unlink(missing_ok=True)
    base = measure(f"import duckdb; c = duckdb.connect({str(base_db)!r}); "
                   f"c.execute(\"CREATE TABLE t AS SELECT * FROM read_csv('{src}')\"); c.close()")
    ours = measure(f"import ingest; c = ingest.connect({str(our_db)!r}); "
                   f"r = ingest.ingest_file(c, {str(src)!r}); assert r.status == 'loaded', r; c.close()")
    rss_target = 1536.0 if rows <= 10_000_000 else 4096.0
    ratio = ours.seconds / base.seconds
    return Result("ingest request log CSV (normalized, costed)", rows,
                  "CREATE TABLE t AS SELECT * FROM read_csv(file)", base.seconds, ours.seconds, ratio,
                  1.5, ours.peak_rss_mb, rss_target, ratio <= 1.5 and ours.peak_rss_mb <= rss_target)


def _dashboard_case(rows: int) -> Result:
    from bench.dashboard import dashboard_filter_case

    return dashboard_filter_case(rows)


def _dashboard_pages_case(rows: int) -> list[Result]:
    from bench.dashboard import dashboard_pages_case

    return dashboard_pages_case(rows)


# the dashboard cases read the store ingest_case built; a case returns one Result or a list of them
CASES: list[Callable[[int], Result | list[Result]]] = [ingest_case, _dashboard_case, _dashboard_pages_case]


def write(results: list[Result]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    meta = {"python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count(),
            "when": time.strftime("%Y-%m-%d %H:%M:%S")}
    (RESULTS / "results.json").write_text(json.dumps({"meta": meta, "results": [asdict(r) for r in results]}, indent=2))
    lines = ["# Benchmark results", "", f"Run {meta['when']} on {meta['cpus']} CPUs, Python {meta['python']}.",
             "Ratios are ours / plain DuckDB on the same data in the same run.", "",
             "| case | rows | baseline | baseline s | ours s | ratio | target | peak RSS MB | RSS target | ok |",
             "|---|---:|---|---:|---:|---:|---:|---:|---:|---|"]
    for r in results:
        lines.append(f"| {r.case} | {r.rows:,} | {r.baseline} | {r.baseline_seconds:.2f} | {r.ours_seconds:.2f} | "
                     f"{r.ratio:.2f}x | {f'≤ {r.target_ratio:.1f}x' if r.target_ratio else '-'} | {r.ours_peak_rss_mb:.0f} | "
                     f"{r.rss_target_mb or '-'} | {'yes' if r.ok else 'NO'} |")
    (RESULTS / "RESULTS.md").write_text("\n".join(lines) + "\n")


def main() -> None:
    sizes = [int(float(s)) for s in os.environ.get("BENCH_SIZES", "1000000").split(",")]
    results = []
    for rows in sizes:
        for case in CASES:
            got = case(rows)
            for r in got if isinstance(got, list) else [got]:
                print(f"{r.case:50} {rows:>11,} rows  {r.ours_seconds:7.2f}s  {r.ratio:5.2f}x  "
                      f"rss {r.ours_peak_rss_mb:6.0f} MB  {'ok' if r.ok else 'MISSED'}", flush=True)
                results.append(r)
    write(results)
    print(f"wrote {RESULTS / 'RESULTS.md'}")


if __name__ == "__main__":
    main()
