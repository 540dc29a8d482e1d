"""Generic request logs: CSV, JSON Lines or Parquet whose headers are the ``requests`` view's names.

The in-house log format and the format tests build fixtures in. ``input_tokens`` means all input
tokens including cached ones (as OpenAI and OTel count them); the loader splits it into uncached,
cache read and cache write. A file may instead give ``uncached_input_tokens`` directly.
Required: ``ts``, ``model`` (or ``model_raw``), ``output_tokens`` and one of the input columns.
``request_id`` is optional (a hash of the record stands in).

Other headers load through a column mapping (``--map input_tokens=prompt_tok,ts=created``, or one
saved by name; see ingest/mapping.py): the mapped header is read wherever our column name would be,
and reject reasons name the file's own header.
"""

from __future__ import annotations

from ingest.base import Context, sql_str
from ingest.sniff import Sniff

STRINGS = ["provider", "feature", "app", "route", "prompt_name", "team", "user", "api_key", "project",
           "trace_id", "service_tier", "status", "logged_currency", "prompt_hash"]
COUNTS = ["cache_read_tokens", "cache_write_tokens", "cache_write_1h_tokens", "output_tokens",
          "reasoning_tokens", "prompt_chars", "response_chars"]


class GenericRequestsReader:
    name = "generic"
    kind = "requests"
    description = "Request log (CSV/JSONL/Parquet) with the requests view's column names"

    def detect(self, s: Sniff) -> bool:
        return (s.container in {"csv", "jsonl", "parquet"} and s.has("ts", "output_tokens")
                and (s.has("model") or s.has("model_raw"))
                and (s.has("input_tokens") or s.has("uncached_input_tokens")))

    def read(self, ctx: Context) -> str:
        ctx.raw_auto()
        mapping: dict[str, str] = ctx.options.get("map") or {}
        _check(ctx, mapping)

        def c(name: str) -> str:
            return ctx.col(mapping.get(name, name))

        def has(name: str) -> bool:
            return ctx.has(mapping.get(name, name))

        cached = " + ".join(f"coalesce(rs_int({c(n)}), 0)" for n in
                            ("cache_read_tokens", "cache_write_tokens", "cache_write_1h_tokens"))
        if has("uncached_input_tokens"):
            uncached = f"coalesce(rs_int({c('uncached_input_tokens')}), 0)"
        else:
            uncached = f"coalesce(rs_int({c('input_tokens')}), 0) - ({cached})"
        tags = f"CASE WHEN json_valid({c('tags')}) THEN {c('tags')}::JSON END"
        extra = [(t[len("tags."):], ctx.col(src)) for t, src in mapping.items() if t.startswith("tags.")]
        if extra:  # mapped tag columns join the file's tags object (NULL values dropped)
            obj = "json_merge_patch('{}', json_object(" + ", ".join(f"{sql_str(k)}, {v}" for k, v in extra) + "))"
            tags = f"json_merge_patch(coalesce({tags}, '{{}}'::JSON), {obj})"
        cols = [
            f"rs_ts({c('ts')}) AS ts",
            f"coalesce({c('model_raw')}, {c('model')}) AS model_raw",
            *[f"{c(n)} AS \"{n}\"" for n in STRINGS],
            f"nullif(({tags})::VARCHAR, '{{}}')::JSON AS tags",
            f"{uncached} AS uncached_input_tokens",
            *[f"coalesce(rs_int({c(n)}), 0) AS {n}" for n in COUNTS],
            f"rs_num({c('latency_ms')}) AS latency_ms",
            f"TRY_CAST({c('has_tools')} AS BOOLEAN) AS has_tools",
            f"TRY_CAST({c('structured_output')} AS BOOLEAN) AS structured_output",
            f"rs_dec({c('logged_cost')}) AS logged_cost",
        ]
        if ctx.options.get("keep_text"):
            cols += [f"{c('prompt_text')} AS prompt_text", f"{c('response_text')} AS response_text"]
        counts = [n for n in ("input_tokens", "uncached_input_tokens", *COUNTS) if has(n)]
        # Typed values are computed once in the inner SELECT; the outer one tests them for rejects.
        raw_copies = [f"{c('ts')} AS _ts", f"{c('logged_cost')} AS _logged_cost",
                      *[f"{c(n)} AS \"_{n}\"" for n in counts]]
        label = {n: mapping.get(n, n).replace("'", "''") for n in [*counts, "ts", "model", "logged_cost"]}
        label["model"] = mapping.get("model", mapping.get("model_raw", "model")).replace("'", "''")
        bad_count = " ".join(
            f"WHEN rs_bad_int(_{n}) THEN '{label[n]} \"' || _{n} || '\" is not a token count' "
            f"WHEN TRY_CAST(_{n} AS DOUBLE) < 0 THEN '{label[n]} is negative (' || _{n} || ')' " for n in counts)
        reject = f"""CASE
            WHEN ts IS NULL THEN '{label["ts"]} "' || coalesce(_ts, '') || '" is not a timestamp'
            WHEN model_raw IS NULL THEN '{label["model"]} is empty'
            {bad_count}
            WHEN uncached_input_tokens < 0 THEN 'cached tokens exceed input_tokens'
            WHEN logged_cost IS NULL AND _logged_cost IS NOT NULL THEN '{label["logged_cost"]} "' || _logged_cost || '" is not a number'
        END"""
        rid = c("request_id")
        key = f"CASE WHEN {rid} IS NOT NULL THEN {rid} ELSE {ctx.row_hash()} END"  # hash only when needed
        inner = f"SELECT {', '.join(cols + raw_copies)}, {key} AS _key, _line FROM {ctx.RAW}"
        drop = ", ".join(["_ts", "_logged_cost", *[f'"_{n}"' for n in counts]])
        return f"SELECT * EXCLUDE ({drop}), {reject} AS _reject FROM ({inner})"


def _check(ctx: Context, mapping: dict[str, str]) -> None:
    """Every mapped header exists, and the columns a request needs are there (mapped or named)."""
    for target, header in mapping.items():
        if not ctx.has(header):
            raise ctx.error(f"--map {target}={header}: the file has no column {header!r} "
                            f"(its columns: {', '.join(ctx.raw_columns[:20])})", line=1)
    names = {t for t in mapping} | {c.lower() for c in ctx.raw_columns}
    needs = [("ts",), ("model", "model_raw"), ("output_tokens",), ("input_tokens", "uncached_input_tokens")]
    missing = [n[0] for n in needs if not any(x in names for x in n)]
    if missing:
        raise ctx.error(f"no {', '.join(missing)} column", line=1,
                        hint="name the file's columns with --map, e.g. --map " +
                             ",".join(f"{m}=YOUR_HEADER" for m in missing))
