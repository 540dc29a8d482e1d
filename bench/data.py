"""Bench data: the sample company's gateway logs (LiteLLM CSV, Langfuse JSONL) and its matching
bills, sized so the LiteLLM CSV has about N rows.

Up to ``GENERATE_MAX`` rows the company is generated whole by ``sample_data.generator.generate`` at
the scale that gives about N LiteLLM rows (``scale_for``; 830,708 rows at scale 1, so 10M is scale
12.04). The generator holds every request in memory and a LiteLLM row is about 930 bytes, so above
that (100M: ~93 GB of CSV) ``replicate`` streams copies of a generated base company instead:

- logs: ``copies`` copies of the base LiteLLM CSV and Langfuse JSONL, gzip-compressed (our sniffer
  and DuckDB's ``read_csv``/``read_json`` both read ``.gz``; zstd our sniffer does not). Copy 0 is
  the base file byte for byte; copy j renames every id (``chatcmpl-rJ-...``, ``"id": "rJ-..."``,
  ``"traceId": "rJ-..."``) so no request repeats, and keeps its timestamps: the same three months
  carry ``copies`` times the traffic (100M over three months is the issue's "10-100M a month").
- bills: the base company's requests are drawn again (same seed, same bytes), their billing lines
  get ``copies`` times the tokens, and the generator's own writers price and round them, so the
  bills match the replicated logs exactly the way the base company's bills match its logs
  (same planted gaps, each ``copies`` times larger; rounding as each provider rounds).
- ``truth.json``: the generator's truth for those bills, with request counts, logged tokens and
  logged cost multiplied by ``copies``, and ``bench.copies`` set.

Every company directory is cached by size under ``BENCH_DATA`` (``company_<rows>/``); its
``truth.json`` is written last and marks it complete. A company generated elsewhere with the same
parameters (e.g. /work/data4/co10 is scale 12.04) can be linked there instead of generated again.
"""

from __future__ import annotations

import json
import shutil
import time
import zlib
from pathlib import Path
from typing import Any

LITELLM_PER_SCALE = 830_708      # LiteLLM rows of the company at scale 1 (seed 7, 3 months)
GENERATE_MAX = 12_000_000         # above this many rows, replicate a generated base instead
REPLICATE_BASE = 1_000_000        # the base company replicated for larger sizes
CHUNK = 64 << 20                  # bytes read, renamed and compressed at a time
LITELLM = "litellm_spend_logs.csv"
LANGFUSE = "langfuse_observations.jsonl"


def scale_for(rows: int) -> float:
    """The generator scale whose LiteLLM CSV has about ``rows`` rows (4 significant digits, so
    10M gives 12.04 and 2,492 gives 0.003, the committed slice's scale)."""
    return float(f"{rows / LITELLM_PER_SCALE:.4g}")


def company(rows: int, root: Path) -> Path:
    """The bench company of about ``rows`` LiteLLM rows under ``root`` (generated once, cached)."""
    out = root / f"company_{rows}"
    if (out / "truth.json").exists():
        t = truth(out)
        if "bench" not in t and t["generator"]["scale"] != scale_for(rows):
            raise ValueError(f"{out} holds the company at scale {t['generator']['scale']:g}, not "
                             f"{scale_for(rows):g} ({rows:,} rows); remove it or link the right one")
        return out
    root.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    if rows <= GENERATE_MAX:
        from sample_data.generator import generate

        generate(out, scale=scale_for(rows))
        (out / "bench.json").write_text(json.dumps({"seconds": round(time.perf_counter() - t0, 1)}) + "\n")
        return out
    base = company(REPLICATE_BASE, root)
    replicate(base, out, round(rows / litellm_rows(base)))
    return out


def describe(directory: Path) -> str:
    """One line for RESULTS.md: how the company was made and each log file's exact row count."""
    t = truth(directory)
    bench = t.get("bench") or (json.loads((directory / "bench.json").read_text())
                               if (directory / "bench.json").exists() else {})
    how = (f"{bench['copies']} gzip copies of {bench['base']} (ids renamed), bills for {bench['copies']}x its tokens"
           if "copies" in bench else f"generated at scale {t['generator']['scale']:g}")
    took = f", {bench['seconds']:g} s to make" if "seconds" in bench else ""
    bills = sum(r["billing_lines"] for r in t["reconciliation"].values())
    return (f"{directory.name}: {how}{took}; {log_file(directory, LITELLM).name} {litellm_rows(directory):,} rows, "
            f"{log_file(directory, LANGFUSE).name} {langfuse_rows(directory):,} rows, "
            f"{sum(1 for _ in (directory / 'billing').iterdir())} bill files ({bills:,} billed lines)")


def truth(directory: Path) -> dict[str, Any]:
    return json.loads((directory / "truth.json").read_text())


def litellm_rows(directory: Path) -> int:
    """Data rows of the company's LiteLLM CSV (from truth.json, which counts them)."""
    return int(truth(directory)["requests"]["litellm"])


def langfuse_rows(directory: Path) -> int:
    return int(truth(directory)["requests"]["langfuse"])


def log_file(directory: Path, name: str) -> Path:
    """The company's log file ``name``, plain or gzip."""
    for p in (directory / "logs" / name, directory / "logs" / f"{name}.gz"):
        if p.exists():
            return p
    raise FileNotFoundError(directory / "logs" / name)


def files(directory: Path, logs: bool = True) -> list[Path]:
    """The company's files in load order (prices, bills, logs, evals), as ``company_files``."""
    from sample_data import company_files

    return [p for p in company_files(directory) if logs or p.parent.name != "logs"]


def _copy_lines(src: Path, dst: Path, copies: int, rename: list[tuple[bytes, bytes]], header: bool) -> None:
    """Write ``copies`` copies of ``src``'s lines to gzip ``dst``, renaming ids in copy j > 0 by
    replacing each ``old`` with ``new % j``; the header (if any) once. Streams in CHUNK pieces cut
    at line ends; zlib level 1 (the bench reads the file a few times, the generation runs once)."""
    z = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    with src.open("rb") as fh, dst.open("wb") as out:
        head = fh.readline() if header else b""
        out.write(z.compress(head))
        body_at = fh.tell()
        for j in range(copies):
            fh.seek(body_at)
            carry = b""
            while True:
                chunk = fh.read(CHUNK)
                if not chunk:
                    break
                chunk, carry = carry + chunk, b""
                cut = chunk.rfind(b"\n") + 1
                chunk, carry = chunk[:cut], chunk[cut:]
                out.write(z.compress(_rename(chunk, rename, j)))
            if carry:
                out.write(z.compress(_rename(carry + b"\n", rename, j)))
        out.write(z.flush())


def _rename(lines: bytes, rename: list[tuple[bytes, bytes]], j: int) -> bytes:
    """Chunks start at a line start, so a newline is put before the chunk while renaming: a
    pattern that begins with one then matches the chunk's first line too."""
    if j == 0:
        return lines
    lines = b"\n" + lines
    for old, new in rename:
        lines = lines.replace(old, new.replace(b"%d", str(j).encode()))
    return lines[1:]


def replicate(base: Path, out: Path, copies: int) -> dict[str, Any]:
    """Write ``copies`` times the base company into ``out`` (see the module docstring); returns
    its truth. Seconds spent are in ``truth["bench"]``."""
    import polars as pl

    from sample_data import generator as g

    if copies < 1:
        raise ValueError("copies must be at least 1")
    t0 = time.perf_counter()
    bt = truth(base)
    params = bt["generator"]
    tmp = out.with_name(out.name + ".tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    (tmp / "logs").mkdir(parents=True)
    (tmp / "billing").mkdir()
    for sub in ("prices", "evals"):
        shutil.copytree(base / sub, tmp / sub)
    # LiteLLM: every data line starts with its request_id "chatcmpl-<uuid>"
    _copy_lines(log_file(base, LITELLM), tmp / "logs" / f"{LITELLM}.gz", copies,
                [(b"\nchatcmpl-", b"\nchatcmpl-r%d-")], header=True)
    _copy_lines(log_file(base, LANGFUSE), tmp / "logs" / f"{LANGFUSE}.gz", copies,
                [(b'{"id": "', b'{"id": "r%d-'), (b'"traceId": "', b'"traceId": "r%d-')], header=False)
    logs_s = time.perf_counter() - t0
    start, end = g.period(params["months"])
    df = g.draw_requests(params["seed"], params["months"], params["scale"])
    lines = g.billing_lines(df).with_columns(tokens=pl.col("tokens") * copies)
    ledger = g.Ledger(start)
    for writer in (g.write_openai, g.write_anthropic, g.write_aws, g.write_gcp, g.write_azure):
        writer(lines, tmp / "billing", ledger, start, (end - start).days)
    evals = {w["name"]: w["eval"] for w in bt["workloads"] if w.get("eval")}
    t = g._truth(df, ledger, params["seed"], params["months"], params["scale"], evals)
    t = _scale_logged(t, bt, copies, df)
    t["bench"] = {"copies": copies, "base": base.name, "logs_seconds": round(logs_s, 1),
                  "seconds": round(time.perf_counter() - t0, 1)}
    (tmp / "bench.json").write_text(json.dumps(t["bench"]) + "\n")
    (tmp / "truth.json").write_text(json.dumps(t, indent=1) + "\n")
    if out.exists():
        shutil.rmtree(out)
    tmp.rename(out)
    return t


def _scale_logged(t: dict[str, Any], base: dict[str, Any], copies: int, df: Any) -> dict[str, Any]:
    """The request side of the truth times ``copies`` (the bill side came from the scaled ledger).
    Logged cost is summed from the base requests ``df`` as ``_truth`` sums it, then multiplied:
    the base truth's text is rounded to 6 decimals, and times ``copies`` that rounding shows."""
    import polars as pl

    logged = (df.filter((pl.col("gateway") != "none") & (pl.col("dep") != "ft-gpt-4.1-mini")
                        & (pl.col("dep") != "acme-llama-70b-ft"))
              .group_by("source").agg(pl.col("list_cost").sum()))
    logged_by = {r["source"]: r["list_cost"] for r in logged.iter_rows(named=True)}
    r = t["requests"]
    for k in ("total", "logged", "litellm", "langfuse", "unlogged", "errors"):
        r[k] = base["requests"][k] * copies
    r["per_day"] = [n * copies for n in base["requests"]["per_day"]]
    r["logged_tokens"] = {k: v * copies for k, v in base["requests"]["logged_tokens"].items()}
    for s, rec in t["reconciliation"].items():
        rec["logged"] = f"{logged_by.get(s, 0.0) * copies:.6f}"
    for w, bw in zip(t["workloads"], base["workloads"], strict=True):
        w["requests"] = bw["requests"] * copies
        w["list_cost"] = round(bw["list_cost"] * copies, 6)
    spend = t["spend"]
    spend["list_cost_by_provider"] = {k: round(v * copies, 6) for k, v in base["spend"]["list_cost_by_provider"].items()}
    spend["self_hosted_cost"] = round(base["spend"]["self_hosted_cost"] * copies, 6)
    return t


def main(argv: list[str] | None = None) -> None:
    """``python -m bench.data ROWS [ROWS ...] [--root DIR]``: generate (or find) the bench companies."""
    import argparse

    from bench.run import DATA

    ap = argparse.ArgumentParser(prog="python -m bench.data", description=main.__doc__)
    ap.add_argument("rows", nargs="+", type=lambda s: int(float(s)))
    ap.add_argument("--root", type=Path, default=DATA)
    a = ap.parse_args(argv)
    for rows in a.rows:
        t0 = time.perf_counter()
        d = company(rows, a.root)
        print(f"{rows:>11,}: {d}  LiteLLM {litellm_rows(d):,} rows, Langfuse {langfuse_rows(d):,} "
              f"({time.perf_counter() - t0:.1f} s)", flush=True)


if __name__ == "__main__":
    main()
