"""The user's price file: negotiated discounts, contract prices, custom and self-hosted models, and
provisioned throughput, applied in front of the price catalog (ingest/prices.py).

It loads like any other file (`rightsize ingest prices.toml`, or the dashboard's Upload page), so it
gets the registry, one transaction, rejects with line and reason, and removal. Loading or removing a
price file re-prices every request (docs/prices.md). Two spellings:

TOML, one array of tables per kind::

    [[discount]]             # percent off the catalog price
    provider = "anthropic"   # and/or model = "claude-*" (a glob on the canonical or logged name)
    percent = 12.5
    effective_from = "2026-09-01"   # optional; effective_to is exclusive

    [[price]]                # a contract or custom price, USD per 1M tokens; replaces the catalog
    model = "acme-llama-70b-ft"
    provider = "self-hosted"
    input = 0.2
    output = 0.6
    cache_read = 0.05        # also cache_write (5-minute), cache_write_1h

    [[hourly]]               # self-hosted GPUs or Azure provisioned throughput: cost per unit-hour,
    model = "gpt-4o"         # shared by that hour's requests in proportion to their tokens
    provider = "azure"
    usd_per_hour = 1.0
    units = 50               # e.g. PTUs

CSV: one row per entry with a ``kind`` column (price, discount, hourly) and the same field names.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from ingest.base import Context
from ingest.models import provider_key
from ingest.sniff import Sniff

KINDS = ("price", "discount", "hourly")
RATES = ("input", "output", "cache_read", "cache_write", "cache_write_1h")
NUMBERS = (*RATES, "percent", "usd_per_hour", "units")
FIELDS = ("kind", "provider", "model", "service_tier", *NUMBERS, "effective_from", "effective_to", "note")
ALIASES = {"cache_write_5m": "cache_write", "input_mtok": "input", "output_mtok": "output",
           "cache_read_mtok": "cache_read", "cache_write_mtok": "cache_write",
           "cache_write_1h_mtok": "cache_write_1h", "discount_percent": "percent", "tier": "service_tier"}
TIERS = {"standard", "batch", "priority", "flex"}


def problem(row: dict[str, Any]) -> str | None:
    """Why a price-file entry cannot be used, or None. Values are the file's text."""
    kind = (row.get("kind") or "").strip().lower()
    if kind not in KINDS:
        return f"kind {row.get('kind')!r} is not one of {', '.join(KINDS)}"
    if not (row.get("model") or "").strip() and not (row.get("provider") or "").strip():
        return "give a model, a provider or both"
    for name in NUMBERS:
        value = row.get(name)
        if value is None or str(value).strip() == "":
            continue
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            return f"{name} {value!r} is not a number"
        if not number.is_finite() or number < 0:
            return f"{name} {value!r} must be a finite number >= 0"
    for name in ("effective_from", "effective_to"):
        value = (row.get(name) or "").strip()
        if value:
            try:
                date.fromisoformat(value[:10])
            except ValueError:
                return f"{name} {value!r} is not a date (YYYY-MM-DD)"
    start, end = (row.get("effective_from") or "").strip()[:10], (row.get("effective_to") or "").strip()[:10]
    if start and end and end <= start:
        return f"effective_to {end} is not after effective_from {start}"
    tier = (row.get("service_tier") or "").strip().lower()
    if tier and tier not in TIERS:
        return f"service_tier {tier!r} is not one of {', '.join(sorted(TIERS))}"
    given = {n for n in NUMBERS if str(row.get(n) or "").strip()}
    if kind == "discount":
        if "percent" not in given:
            return "a discount needs percent"
        if Decimal(str(row["percent"]).strip()) > 100:
            return f"percent {row['percent']!r} is over 100"
    if kind == "price" and not {"input", "output"} & given:
        return "a price needs input and/or output (USD per 1M tokens)"
    if kind == "hourly" and "usd_per_hour" not in given:
        return "an hourly price needs usd_per_hour"
    return None


def _toml_rows(s: Sniff) -> list[dict[str, Any]]:
    """Entries of a TOML price file, each with the line of its ``[[kind]]`` header."""
    doc = s.document or {}
    text = s.path.read_text(encoding="utf-8-sig") if s.compression is None else s.text
    headers: dict[str, list[int]] = {}
    for no, line in enumerate(text.splitlines(), start=1):
        m = re.match(r"\s*\[\[\s*([A-Za-z_][\w-]*)\s*\]\]", line)
        if m:
            headers.setdefault(m[1], []).append(no)
    rows = []
    for kind, entries in doc.items():
        items = entries if isinstance(entries, list) else [entries]
        lines = headers.get(kind, [])
        for i, entry in enumerate(items):
            row: dict[str, Any] = {"kind": kind}
            if isinstance(entry, dict):
                for k, v in entry.items():
                    row[ALIASES.get(str(k), str(k))] = v if not isinstance(v, date) else v.isoformat()
            else:
                row["_bad"] = f"{kind} is not a table of fields"
            row["_line"] = lines[i] if i < len(lines) else 1
            rows.append(row)
    return rows


class PriceFileReader:
    name = "price_file"
    kind = "prices"
    description = ("Your price file (TOML or CSV): [[discount]] percent off a provider/model, [[price]] contract or "
                   "custom prices per 1M tokens, [[hourly]] self-hosted or provisioned cost, with effective dates")

    def detect(self, s: Sniff) -> bool:
        if s.container == "toml":
            return bool(set(s.columns) & set(KINDS))
        return s.container == "csv" and s.has("kind") and (s.has("model") or s.has("provider")) and any(
            s.has(n) for n in ("percent", "input", "output", "usd_per_hour"))

    def read(self, ctx: Context) -> str:
        if ctx.sniff.container == "toml":
            rows = _toml_rows(ctx.sniff)
            unknown = {k for r in rows for k in r if k not in FIELDS and not k.startswith("_")}
            for r in rows:
                bad = [k for k in r if k in unknown]
                if bad and "_bad" not in r:
                    r["_bad"] = f"unknown field {bad[0]!r} (fields: {', '.join(FIELDS[1:])})"
            ctx.raw_rows(rows, [*FIELDS, "_bad"])
        else:
            ctx.raw_auto()
        c = ctx.col
        bad_sql = c("_bad") if ctx.has("_bad") else "NULL"
        values = {f: c(f) if ctx.has(f) else "NULL" for f in FIELDS}
        # Validation is in Python (problem()) over the handful of rows a price file has.
        checked = [tuple(r) for r in ctx.con.execute(
            f"SELECT _line, {', '.join(f'{v} AS {f}' for f, v in values.items())}, {bad_sql} AS _bad FROM {ctx.RAW}"
        ).fetchall()]
        reasons = {}
        for values_row in checked:
            entry = dict(zip(["_line", *FIELDS, "_bad"], values_row, strict=True))
            reason = entry["_bad"] or problem(entry)
            if reason:
                reasons[entry["_line"]] = reason
        ctx.con.execute("CREATE OR REPLACE TEMP TABLE _price_rejects (_pr_line BIGINT, _pr_reason VARCHAR)")
        if reasons:
            ctx.con.executemany("INSERT INTO _price_rejects VALUES (?, ?)", list(reasons.items()))
        num = {n: f"TRY_CAST(nullif(trim({values[n]}), '') AS DECIMAL(38, 12))" for n in NUMBERS}
        day = {n: f"TRY_CAST(left(nullif(trim({values[n]}), ''), 10) AS DATE)" for n in ("effective_from", "effective_to")}
        provider = f"nullif(trim({values['provider']}), '')"
        cols = [
            f"lower(trim({values['kind']})) AS kind",
            f"{provider} AS provider_raw",
            f"nullif(trim({values['model']}), '') AS model",
            f"nullif(lower(trim({values['service_tier']})), '') AS service_tier",
            *(f"{num[n]} AS {n}" for n in NUMBERS),
            *(f"{day[n]} AS {n}" for n in day),
            f"nullif(trim({values['note']}), '') AS note",
        ]
        return (f"SELECT {', '.join(cols)}, {ctx.row_hash()} AS _key, r._line AS _line, j._pr_reason AS _reject "
                f"FROM {ctx.RAW} r LEFT JOIN _price_rejects j ON j._pr_line = r._line")


def normalize_providers(con: Any, source_file_id: int) -> None:
    """Provider names in a price file as one key (``bedrock`` -> ``aws``), like request logs."""
    rows = con.execute("SELECT DISTINCT provider_raw FROM price_override WHERE source_file_id = ? "
                       "AND provider_raw IS NOT NULL", [source_file_id]).fetchall()
    for (raw,) in rows:
        con.execute("UPDATE price_override SET provider = ? WHERE source_file_id = ? AND provider_raw = ?",
                    [provider_key(raw), source_file_id, raw])
