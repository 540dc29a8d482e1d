"""OpenTelemetry GenAI spans as OTLP JSON: one request per model-call span.

The file is an OTLP ``ExportTraceServiceRequest`` (``resourceSpans[].scopeSpans[].spans[]``), one
document or one per line (the collector's file exporter writes JSON Lines; gzip is fine). Protobuf
JSON may use snake_case (``resource_spans``/``scope_spans``/``start_time_unix_nano``); both load.
Attributes follow the GenAI semantic conventions (FORMATS.md §7e, semconv v1.41.1), old and new names:

- model: ``gen_ai.response.model`` (what served the call) else ``gen_ai.request.model``;
  provider: ``gen_ai.provider.name`` else the deprecated ``gen_ai.system``;
- ``gen_ai.usage.input_tokens`` (deprecated ``prompt_tokens``) **includes** cached tokens:
  uncached = input - ``cache_read.input_tokens`` - ``cache_creation.input_tokens``. An older
  instrumentation that reports Anthropic's uncached ``input_tokens`` (smaller than its own cache
  parts) is read as uncached input and the row kept with a warning;
- ``gen_ai.usage.output_tokens`` (deprecated ``completion_tokens``) **includes**
  ``gen_ai.usage.reasoning.output_tokens``;
- ``openai.response.service_tier`` / ``openai.request.service_tier`` and the deprecated
  ``gen_ai.openai.*`` names; ``gen_ai.usage.cost`` (a Langfuse/community convention, USD) is the
  logged cost, as there is no standard cost attribute;
- attribution: ``service.name`` (resource) is the app, ``gen_ai.workflow.name`` or
  ``gen_ai.agent.name`` the feature, ``gen_ai.prompt.name`` the prompt, ``user.id``/``enduser.id``
  the user; ``deployment.environment(.name)``, the operation and the conversation id go to tags.

Only model calls are requests: spans whose operation is chat, generate_content, text_completion or
embeddings, or that carry a model and token usage without an operation. Agent, workflow and tool
spans are skipped, because their usage (when present) sums their children's and would count twice.
Spans are identified by ``spanId`` (``request_id``; ``traceId`` is ``trace_id``), so overlapping
exports do not double count. Message text (``gen_ai.input.messages``, old ``gen_ai.prompt`` and
``gen_ai.prompt.N.content``) is stored only with ``--keep-text``; otherwise its length and hash.

JSON is parsed in Python, a line at a time for JSON Lines, keeping only the fields above.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from ingest.base import Context
from ingest.logs import reject_case, text_columns
from ingest.sniff import Sniff

MODEL_CALLS = {"chat", "generate_content", "text_completion", "completion", "embeddings"}
SKIPPED_OPERATIONS = {"invoke_agent", "create_agent", "execute_tool", "invoke_workflow", "retrieval"}

# (column, attribute names in order of preference: new name first, then deprecated ones)
ATTRS: list[tuple[str, tuple[str, ...]]] = [
    ("provider", ("gen_ai.provider.name", "gen_ai.system")),
    ("response_model", ("gen_ai.response.model",)),
    ("request_model", ("gen_ai.request.model",)),
    ("operation", ("gen_ai.operation.name",)),
    ("input_tokens", ("gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens")),
    ("output_tokens", ("gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens")),
    ("cache_read", ("gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_read_input_tokens")),
    ("cache_write", ("gen_ai.usage.cache_creation.input_tokens", "gen_ai.usage.cache_creation_input_tokens")),
    ("reasoning", ("gen_ai.usage.reasoning.output_tokens", "gen_ai.usage.reasoning_tokens")),
    ("service_tier", ("openai.response.service_tier", "gen_ai.openai.response.service_tier",
                      "openai.request.service_tier", "gen_ai.openai.request.service_tier")),
    ("cost", ("gen_ai.usage.cost",)),
    ("prompt_name", ("gen_ai.prompt.name",)),
    ("feature", ("gen_ai.workflow.name", "gen_ai.agent.name")),
    ("user", ("user.id", "enduser.id", "gen_ai.user.id")),
    ("conversation", ("gen_ai.conversation.id",)),
    ("response_id", ("gen_ai.response.id",)),
    ("prompt", ("gen_ai.input.messages", "gen_ai.prompt")),
    ("response", ("gen_ai.output.messages", "gen_ai.completion")),
]
COLUMNS = ["span_id", "trace_id", "start_ns", "end_ns", "status_code", "app", "environment",
           *[name for name, _ in ATTRS]]


def _value(v: Any) -> Any:
    """An OTLP ``AnyValue`` as plain Python (intValue arrives as a string in OTLP JSON)."""
    if not isinstance(v, dict):
        return v
    for key in ("stringValue", "string_value", "boolValue", "bool_value", "intValue", "int_value",
                "doubleValue", "double_value", "bytesValue", "bytes_value"):
        if key in v:
            return v[key]
    arr = v.get("arrayValue", v.get("array_value"))
    if isinstance(arr, dict):
        return [_value(x) for x in arr.get("values", [])]
    kv = v.get("kvlistValue", v.get("kvlist_value"))
    if isinstance(kv, dict):
        return _attributes(kv.get("values", []))
    return None


def _attributes(items: Any) -> dict[str, Any]:
    if isinstance(items, dict):  # some exporters write attributes as a plain object
        return dict(items)
    out: dict[str, Any] = {}
    for item in items or []:
        if isinstance(item, dict) and "key" in item:
            out[str(item["key"])] = _value(item.get("value"))
    return out


def _get(d: dict[str, Any], *keys: str) -> Any:
    for k in keys:
        if k in d:
            return d[k]
    return None


def _indexed_text(attrs: dict[str, Any], prefix: str) -> str | None:
    """OpenLLMetry's old ``gen_ai.prompt.0.content``, ``gen_ai.prompt.1.content``, ... joined."""
    parts = [(k, v) for k, v in attrs.items()
             if k.startswith(prefix + ".") and k.endswith(".content") and v is not None]
    if not parts:
        return None
    parts.sort(key=lambda kv: int(kv[0].split(".")[2]) if kv[0].split(".")[2].isdigit() else 0)
    return "\n".join(str(v) for _, v in parts)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def _is_model_call(attrs: dict[str, Any]) -> bool:
    op = str(attrs.get("gen_ai.operation.name") or "").lower()
    if op in SKIPPED_OPERATIONS:
        return False
    if op in MODEL_CALLS:
        return True
    has_model = any(k in attrs for k in ("gen_ai.request.model", "gen_ai.response.model"))
    has_usage = any(k.startswith("gen_ai.usage.") for k in attrs)
    return has_model and has_usage


def spans(document: Any, line: int) -> Iterator[dict[str, Any]]:
    """The model-call spans of one OTLP document, flattened to ``COLUMNS`` (raw values)."""
    if not isinstance(document, dict):
        return
    for rs in _get(document, "resourceSpans", "resource_spans") or []:
        if not isinstance(rs, dict):
            continue
        resource = _attributes((rs.get("resource") or {}).get("attributes"))
        for ss in _get(rs, "scopeSpans", "scope_spans", "instrumentationLibrarySpans") or []:
            if not isinstance(ss, dict):
                continue
            for span in ss.get("spans") or []:
                if not isinstance(span, dict):
                    continue
                attrs = _attributes(span.get("attributes"))
                if not _is_model_call(attrs):
                    continue
                status = span.get("status") or {}
                row: dict[str, Any] = {
                    "_line": line,
                    "span_id": _get(span, "spanId", "span_id"),
                    "trace_id": _get(span, "traceId", "trace_id"),
                    "start_ns": _get(span, "startTimeUnixNano", "start_time_unix_nano"),
                    "end_ns": _get(span, "endTimeUnixNano", "end_time_unix_nano"),
                    "status_code": status.get("code") if isinstance(status, dict) else None,
                    "app": resource.get("service.name"),
                    "environment": _get(resource, "deployment.environment.name", "deployment.environment"),
                }
                for name, keys in ATTRS:
                    row[name] = _get(attrs, *keys)
                row["prompt"] = _text(row["prompt"]) or _indexed_text(attrs, "gen_ai.prompt")
                row["response"] = _text(row["response"]) or _indexed_text(attrs, "gen_ai.completion")
                yield row


def _documents(ctx: Context) -> Iterator[tuple[int, Any]]:
    """(line, document): the one JSON document, or each line of JSON Lines, streamed."""
    s = ctx.sniff
    if s.container == "json":
        if s.document is None:
            raise ctx.error("the JSON document is too large to read as OTLP JSON",
                            hint="export JSON Lines (one ExportTraceServiceRequest per line)")
        yield 1, s.document
        return
    opener = gzip.open if s.compression == "gzip" else open
    with opener(s.path, "rt", encoding="utf-8-sig", errors="strict") as fh:  # type: ignore[operator]
        try:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    yield n, json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ctx.error(f"invalid JSON: {exc.msg} (column {exc.colno})", line=n,
                                    hint="each line must be one OTLP JSON document") from exc
        except (UnicodeDecodeError, OSError, EOFError) as exc:
            raise ctx.error(f"cannot read the file ({exc})", hint="export it again as UTF-8 OTLP JSON") from exc


def _ns_to_iso(value: Any) -> str | None:
    """Unix nanoseconds (OTLP JSON writes them as strings) as an ISO timestamp, or the raw text."""
    if value is None:
        return None
    try:
        ns = int(str(value))
        return datetime.fromtimestamp(ns // 1000 / 1e6, UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    except (ValueError, OverflowError, OSError):
        return str(value)


class OtelGenAIReader:
    name = "otel"
    kind = "requests"
    description = "OpenTelemetry GenAI spans as OTLP JSON (resourceSpans/scopeSpans/spans; one document or JSON Lines)"

    def detect(self, s: Sniff) -> bool:
        return s.container in {"json", "jsonl"} and (s.has("resourceSpans") or s.has("resource_spans"))

    def read(self, ctx: Context) -> str:
        rows: list[dict[str, Any]] = []
        for line, doc in _documents(ctx):
            for row in spans(doc, line):
                row["start"] = _ns_to_iso(row.pop("start_ns"))
                row["end"] = _ns_to_iso(row.pop("end_ns"))
                rows.append(row)
        if not rows:
            raise ctx.error("no GenAI model-call spans (no span has gen_ai.* model and usage attributes)",
                            hint="export spans from a GenAI-instrumented client, or pass --format")
        columns = [c for c in COLUMNS if c not in ("start_ns", "end_ns")] + ["start", "end"]
        ctx.raw_rows(rows, columns=columns)
        c = ctx.col
        counts = {"input_tokens": c("input_tokens"), "output_tokens": c("output_tokens"),
                  "cache_read.input_tokens": c("cache_read"), "cache_creation.input_tokens": c("cache_write"),
                  "reasoning.output_tokens": c("reasoning")}
        inp, cr, cw = (f"coalesce(rs_int({c(n)}), 0)" for n in ("input_tokens", "cache_read", "cache_write"))
        # input_tokens includes the cached parts, unless an old instrumentation reported less than them
        parts_exceed = f"({inp} < {cr} + {cw} AND {inp} > 0)"
        tags = (f"to_json(map_from_entries(list_filter([struct_pack(k := 'environment', v := {c('environment')}), "
                f"struct_pack(k := 'operation', v := {c('operation')}), "
                f"struct_pack(k := 'conversation_id', v := {c('conversation')}), "
                f"struct_pack(k := 'response_id', v := {c('response_id')})], lambda e: e.v IS NOT NULL)))")
        status = c("status_code")
        start, end = c("start"), c("end")
        cols = [
            f"{c('span_id')} AS request_id",
            f"rs_ts({start}) AS ts",
            f"lower(rs_null({c('provider')})) AS provider",
            f"coalesce(rs_null({c('response_model')}), rs_null({c('request_model')})) AS model_raw",
            f"rs_null({c('feature')}) AS feature",
            f"rs_null({c('app')}) AS app",
            "NULL AS route",
            f"rs_null({c('prompt_name')}) AS prompt_name",
            "NULL AS team",
            f"rs_null({c('user')}) AS \"user\"",
            "NULL AS api_key",
            "NULL AS project",
            f"rs_null({c('trace_id')}) AS trace_id",
            f"CASE WHEN {tags} = '{{}}' THEN NULL ELSE {tags}::JSON END AS tags",
            f"CASE WHEN {parts_exceed} THEN {inp} ELSE {inp} - {cr} - {cw} END AS uncached_input_tokens",
            f"{cr} AS cache_read_tokens",
            f"{cw} AS cache_write_tokens",
            "0 AS cache_write_1h_tokens",
            f"coalesce(rs_int({c('output_tokens')}), 0) AS output_tokens",
            f"coalesce(rs_int({c('reasoning')}), 0) AS reasoning_tokens",
            f"CASE WHEN lower(rs_null({c('service_tier')})) IN ('default', 'auto') OR {c('service_tier')} IS NULL "
            f"THEN 'standard' ELSE lower({c('service_tier')}) END AS service_tier",
            f"(epoch_us(rs_ts({end})) - epoch_us(rs_ts({start}))) / 1000.0 AS latency_ms",
            f"CASE WHEN upper(coalesce({status}, '')) IN ('2', 'STATUS_CODE_ERROR', 'ERROR') THEN 'error' ELSE 'ok' END AS status",
            f"CASE WHEN {c('operation')} = 'execute_tool' THEN true END AS has_tools",
            "NULL::BOOLEAN AS structured_output",
            f"rs_dec({c('cost')}) AS logged_cost",
            f"CASE WHEN {c('cost')} IS NOT NULL THEN 'USD' END AS logged_currency",
            *text_columns(ctx, c("prompt"), c("response")),
        ]
        checks = [(f"rs_null({c('span_id')}) IS NULL", "'spanId is empty'"),
                  (f"rs_ts({start}) IS NULL",
                   f"'startTimeUnixNano \"' || coalesce({start}, '') || '\" is not a timestamp'"),
                  (f"coalesce(rs_null({c('response_model')}), rs_null({c('request_model')})) IS NULL",
                   "'gen_ai.request.model and gen_ai.response.model are empty'")]
        for label, expr in counts.items():
            checks.append((f"rs_bad_int({expr})", f"'gen_ai.usage.{label} \"' || {expr} || '\" is not a token count'"))
            checks.append((f"rs_int({expr}) < 0", f"'gen_ai.usage.{label} is negative (' || {expr} || ')'"))
        checks.append((f"rs_bad_num({c('cost')})", f"'gen_ai.usage.cost \"' || {c('cost')} || '\" is not a number'"))
        checks.append((f"coalesce(rs_int({c('reasoning')}), 0) > coalesce(rs_int({c('output_tokens')}), 0)",
                       "'gen_ai.usage.reasoning.output_tokens exceed output_tokens (' || "
                       f"{c('reasoning')} || ' > ' || coalesce({c('output_tokens')}, '0') || ')'"))
        warn = (f"CASE WHEN {parts_exceed} THEN 'gen_ai.usage.input_tokens (' || {inp} || ') is less than its cached "
                "parts: read as uncached input (an instrumentation reporting Anthropic''s input_tokens)' END")
        record = (f"left(concat_ws(',', {c('span_id')}, {c('trace_id')}, {start}, {c('provider')}, "
                  f"{c('request_model')}, {c('input_tokens')}, {c('output_tokens')}, {c('cost')}), 300)")
        return (f"SELECT *, request_id AS _key FROM (SELECT {', '.join(cols)}, _line, {reject_case(checks)} AS _reject, "
                f"{warn} AS _warn, {record} AS _record FROM {ctx.RAW})")
