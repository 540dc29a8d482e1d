"""Request logs built for tests, written in the generic request-log format (docs/formats.md) and
loaded through the real loader."""

from __future__ import annotations

import csv
import math
from datetime import datetime, timedelta
from pathlib import Path

from tests.conftest import SHARED

ALPACA_DIR = SHARED / "evals" / "alpacaeval"
ALPACA_PREFS = ALPACA_DIR / "alpacaeval2_per_prompt_preferences.csv"
ALPACA_INSTRUCTIONS = ALPACA_DIR / "alpacaeval_instructions.csv"
LOG_COLUMNS = ["request_id", "ts", "provider", "model", "feature", "app", "route", "api_key", "project",
               "input_tokens", "cache_read_tokens", "output_tokens", "reasoning_tokens", "latency_ms",
               "status", "has_tools", "structured_output"]


def write_log(path: Path, rows: list[dict[str, object]]) -> Path:
    """A generic request log (CSV) with the requests view's column names."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=LOG_COLUMNS)
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, "") for c in LOG_COLUMNS})
    return path


def alpaca_request_log(path: Path, model: str = "gpt-4-1106-preview") -> Path:
    """The 805 AlpacaEval prompts as one month of requests served by the reference model: request
    ``alpacaeval-<instruction_id>``, feature = the prompt's source dataset (the workload), input
    tokens ≈ instruction characters / 4 and output tokens ≈ the reference answer's characters / 4
    (the usual 4-characters-per-token rule of thumb), one request every 50 minutes from 2026-10-01."""
    with ALPACA_INSTRUCTIONS.open(newline="", encoding="utf-8") as fh:
        instructions = {int(r["instruction_id"]): r for r in csv.DictReader(fh)}
    ref_chars: dict[int, int] = {}
    with ALPACA_PREFS.open(newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            ref_chars.setdefault(int(r["instruction_id"]), int(r["reference_output_chars"]))
    t0 = datetime(2026, 10, 1)
    rows = []
    for iid, ins in sorted(instructions.items()):
        rows.append({
            "request_id": f"alpacaeval-{iid}", "ts": (t0 + timedelta(minutes=50 * iid)).isoformat(),
            "provider": "openai", "model": model, "feature": ins["dataset"],
            "input_tokens": math.ceil(len(ins["instruction"]) / 4), "cache_read_tokens": 0,
            "output_tokens": math.ceil(ref_chars[iid] / 4), "reasoning_tokens": 0, "status": "ok",
        })
    return write_log(path, rows)


def alpaca_direct_shares(tolerance: float = 0.0) -> dict[tuple[str, str], tuple[int, int]]:
    """(dataset, model) -> (eligible, evaluated) computed straight from the preferences CSV."""
    out: dict[tuple[str, str], tuple[int, int]] = {}
    with ALPACA_PREFS.open(newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            k = (r["dataset"], r["model"])
            ok, n = out.get(k, (0, 0))
            out[k] = (ok + (float(r["preference_vs_reference"]) >= 1.5 - tolerance), n + 1)
    return out
