"""Gateway and observability request logs: LiteLLM spend logs and Langfuse observations.

Both become rows of ``request_log`` (view ``requests``, docs/store.md) with input tokens split into
uncached / cache read / cache write, output including reasoning, and the source's own cost kept as
``logged_cost``; our price is set by the pricing hook (ingest/prices.py) after the load.

**LiteLLM** ``LiteLLM_SpendLogs`` rows exported as CSV, JSON or JSON Lines (FORMATS.md §7b):
``metadata`` and ``request_tags`` are JSON *strings*; ``prompt_tokens`` includes cached tokens
(OpenAI style), whose split lives in ``metadata.usage_object`` (``prompt_tokens_details.cached_tokens``,
and for Anthropic models ``cache_read_input_tokens`` / ``cache_creation_input_tokens``); team, key
and project aliases and the caller's own tags (``spend_logs_metadata``) are in ``metadata``;
timestamps are naive UTC; ``status`` is success/failure.

**Langfuse** observations (public API camelCase, or the blob-storage export's snake_case; CSV, JSON
or JSON Lines; FORMATS.md §7c): only ``GENERATION`` observations are model calls (spans and events
are not requests and are not loaded); ``usageDetails`` is a map with free-form keys that are parts
of the total (``input`` is uncached input, ``cache_read_input_tokens``/``input_cached_tokens`` are
cache reads, ``cache_creation_input_tokens`` writes, ``output_reasoning_tokens`` reasoning beside
``output``); ``latency`` is in seconds; trace tags like ``team:legal`` become attributes.

Prompt and response text is never stored unless ``--keep-text``: only its length and sha256.
"""

from __future__ import annotations

from typing import Any

from ingest.base import STAGE, Context
from ingest.sniff import Sniff


def _records(doc: Any) -> list[dict[str, Any]]:
    """The rows of a JSON document: a list of rows, one row, or a wrapper with a ``data`` list."""
    if isinstance(doc, list):
        return [r for r in doc if isinstance(r, dict)]
    if isinstance(doc, dict):
        for key in ("data", "observations", "logs", "rows"):
            if isinstance(doc.get(key), list):
                return [r for r in doc[key] if isinstance(r, dict)]
        return [doc]
    return []


def load_records(ctx: Context) -> None:
    """``_raw`` from a JSON document's records (parsed in Python: API pages are small) or CSV/JSONL/Parquet."""
    if ctx.sniff.container == "json":
        rows = _records(ctx.sniff.document)
        if not rows:
            raise ctx.error("no records in the JSON document")
        ctx.raw_rows(rows)
    else:
        ctx.raw_auto()


def text_columns(ctx: Context, prompt: str, response: str) -> list[str]:
    """Lengths and a hash of the prompt always; the text itself only with --keep-text."""
    empty = "('{}', '[]', '', 'null')"
    p = f"CASE WHEN {prompt} IS NULL OR trim({prompt}) IN {empty} THEN NULL ELSE {prompt} END"
    r = f"CASE WHEN {response} IS NULL OR trim({response}) IN {empty} THEN NULL ELSE {response} END"
    cols = [f"length({p}) AS prompt_chars", f"length({r}) AS response_chars", f"sha256({p}) AS prompt_hash"]
    if ctx.options.get("keep_text"):
        cols += [f"{p} AS prompt_text", f"{r} AS response_text"]
    return cols


def reject_case(checks: list[tuple[str, str]]) -> str:
    """``_reject``: the first failing check's message, NULL when every check passes."""
    return "CASE " + " ".join(f"WHEN {cond} THEN {msg}" for cond, msg in checks) + " END"


def request_select(ctx: Context, cols: list[str], reject: str, where: str = "true", source: str | None = None) -> str:
    """A request reader's SELECT over ``_raw`` (or ``source``, a subquery over it that computes a value
    once for several columns): its columns, the line, the reject reason, keyed by request_id."""
    return (f"SELECT *, request_id AS _key FROM (SELECT {', '.join(cols)}, _line, {reject} AS _reject "
            f"FROM {source or ctx.RAW} WHERE {where})")


class LiteLLMReader:
    name = "litellm"
    kind = "requests"
    description = "LiteLLM spend logs (LiteLLM_SpendLogs rows as CSV, JSON or JSON Lines)"

    def detect(self, s: Sniff) -> bool:
        return s.has("request_id", "spend", "startTime", "prompt_tokens") and (
            s.has("custom_llm_provider") or s.has("metadata") or s.has("call_type"))

    # Values read from ``metadata`` (a JSON string): the document is parsed once per row for all of
    # them (one json_extract_string with a list of paths), not once per value (17 parses at 10M rows
    # were most of the load's time).
    METADATA = {
        "cached": "$.usage_object.prompt_tokens_details.cached_tokens",
        "cache_read": "$.usage_object.cache_read_input_tokens",
        "cache_write": "$.usage_object.cache_creation_input_tokens",
        "cache_write_1h": "$.usage_object.cache_creation.ephemeral_1h_input_tokens",
        "reasoning": "$.usage_object.completion_tokens_details.reasoning_tokens",
        "batch": "$.spend_logs_metadata.batch",
        "service_tier": "$.service_tier",
        "usage_tier": "$.usage_object.service_tier",
        "feature": "$.spend_logs_metadata.feature",
        "app": "$.spend_logs_metadata.app",
        "route": "$.spend_logs_metadata.route",
        "prompt_name": "$.spend_logs_metadata.prompt_name",
        "team_alias": "$.user_api_key_team_alias",
        "user_id": "$.user_api_key_user_id",
        "key_alias": "$.user_api_key_alias",
        "project_alias": "$.user_api_key_project_alias",
        "project_id": "$.user_api_key_project_id",
    }

    def read(self, ctx: Context) -> str:
        load_records(ctx)
        c = ctx.col
        md = c("metadata")
        paths = ", ".join(f"'{p}'" for p in self.METADATA.values())
        index = {name: i + 1 for i, name in enumerate(self.METADATA)}

        def m(name: str) -> str:  # one metadata value (NULL when metadata is absent or not JSON)
            return f"_m[{index[name]}]"

        # Computed once per row in the inner SELECT; the columns below read them. Values that come from
        # request_tags (and the tags object) are added over the stage, once per distinct list (finish).
        inner = (f"SELECT *, try(json_extract_string({md}, [{paths}])) AS _m, rs_ts({c('startTime')}) AS _start, "
                 f"rs_ts({c('endTime')}) AS _end, rs_int({c('prompt_tokens')}) AS _prompt, "
                 f"rs_int({c('completion_tokens')}) AS _completion FROM {ctx.RAW}")
        source = f"({inner})"
        cached = f"rs_int({m('cached')})"
        cache_read = f"coalesce(nullif(rs_int({m('cache_read')}), 0), {cached}, 0)"
        cw_total = f"coalesce(rs_int({m('cache_write')}), 0)"
        cw_1h = f"coalesce(rs_int({m('cache_write_1h')}), 0)"
        prompt = "coalesce(_prompt, 0)"
        reasoning = f"coalesce(rs_int({m('reasoning')}), 0)"
        batch = (f"CASE WHEN lower(coalesce({m('batch')}, '')) = 'true' "
                 f"OR lower(coalesce({m('service_tier')}, {c('call_type')}, '')) LIKE '%batch%' THEN 'batch' "
                 f"ELSE coalesce(lower({m('usage_tier')}), 'standard') END")
        latency = f"coalesce(rs_num({c('request_duration_ms')}), (epoch_us(_end) - epoch_us(_start)) / 1000.0)"
        cols = [
            f"coalesce(rs_null({c('request_id')}), {ctx.row_hash()}) AS request_id",
            "_start AS ts",
            f"lower(rs_null({c('custom_llm_provider')})) AS provider",
            f"coalesce(rs_null({c('model')}), rs_null({c('model_group')})) AS model_raw",
            *[f"{m(k)} AS _{k}" for k in ("feature", "app", "route", "prompt_name")],
            f"rs_null({m('team_alias')}) AS _team_alias",
            f"rs_null({c('team_id')}) AS _team_id",
            f"coalesce(rs_null({c('end_user')}), rs_null({c('user')}), rs_null({m('user_id')})) AS \"user\"",
            f"coalesce(rs_null({m('key_alias')}), rs_null({c('api_key')})) AS api_key",
            f"coalesce(rs_null({m('project_alias')}), rs_null({m('project_id')})) AS project",
            f"rs_null({c('session_id')}) AS trace_id",
            f"{c('request_tags')} AS _tags_raw",
            f"greatest({prompt} - {cache_read} - {cw_total}, 0) AS uncached_input_tokens",
            f"{cache_read} AS cache_read_tokens",
            f"{cw_total} - {cw_1h} AS cache_write_tokens",
            f"{cw_1h} AS cache_write_1h_tokens",
            "coalesce(_completion, 0) AS output_tokens",
            f"{reasoning} AS reasoning_tokens",
            f"{batch} AS service_tier",
            f"{latency} AS latency_ms",
            f"CASE WHEN lower(coalesce({c('status')}, 'success')) IN ('success', 'ok', '') THEN 'ok' ELSE 'error' END AS status",
            f"rs_null({c('mcp_namespaced_tool_name')}) IS NOT NULL OR NULL AS has_tools",
            "NULL::BOOLEAN AS structured_output",
            f"rs_dec({c('spend')}) AS logged_cost",
            "'USD' AS logged_currency",
            *text_columns(ctx, c("messages"), c("response")),
        ]
        start = c("startTime")
        reject = reject_case([
            ("_start IS NULL", f"'startTime \"' || coalesce({start}, '') || '\" is not a timestamp'"),
            (f"{c('prompt_tokens')} IS NOT NULL AND _prompt IS NULL",
             f"'prompt_tokens \"' || {c('prompt_tokens')} || '\" is not a token count'"),
            (f"{c('completion_tokens')} IS NOT NULL AND _completion IS NULL",
             f"'completion_tokens \"' || {c('completion_tokens')} || '\" is not a token count'"),
            (f"rs_bad_num({c('spend')})", f"'spend \"' || {c('spend')} || '\" is not a number'"),
            ("_prompt < 0 OR _completion < 0", "'negative token count'"),
            (f"{md} IS NOT NULL AND trim({md}) NOT IN ('', '{{}}') AND _m IS NULL", "'metadata is not JSON'"),
        ])
        return request_select(ctx, cols, reject, source=source)

    def finish(self, ctx: Context) -> str:
        """The staged rows with what comes from ``request_tags``: the ``tags`` object and the tag values
        that stand in for missing metadata (``feature:x``, ``team:y``). Built once per distinct list
        (a few hundred in millions of rows; building one costs more than parsing a row) and joined back."""
        tag = "rs_tag_object(_tags_raw)"
        values = ", ".join(f"json_extract_string(tags, '$.{k}') AS {k}" for k in ("feature", "app", "route", "prompt_name", "team"))
        return f"""
            SELECT s.* EXCLUDE (_tags_raw, _feature, _app, _route, _prompt_name, _team_alias, _team_id),
                   coalesce(s._feature, t.feature) AS feature, coalesce(s._app, t.app) AS app,
                   coalesce(s._route, t.route) AS route, coalesce(s._prompt_name, t.prompt_name) AS prompt_name,
                   coalesce(s._team_alias, t.team, s._team_id) AS team, t.tags
            FROM {STAGE} s LEFT JOIN (
                SELECT _tags_raw, tags, {values} FROM (
                    SELECT _tags_raw, CASE WHEN {tag}::VARCHAR <> '{{}}' THEN {tag}::JSON END AS tags
                    FROM (SELECT DISTINCT _tags_raw FROM {STAGE} WHERE _tags_raw IS NOT NULL))
            ) t ON t._tags_raw = s._tags_raw"""


class LangfuseReader:
    name = "langfuse"
    kind = "requests"
    description = "Langfuse observations/generations export (API camelCase or blob export snake_case; CSV, JSON, JSONL)"

    def detect(self, s: Sniff) -> bool:
        camel = s.has("id", "traceId", "startTime") and (s.has("usageDetails") or s.has("usage"))
        snake = s.has("id", "trace_id", "start_time") and s.has("usage_details")
        return camel or snake

    def read(self, ctx: Context) -> str:
        load_records(ctx)
        snake = ctx.has("trace_id") and not ctx.has("traceId")

        def f(camel: str, snake_name: str) -> str:
            return ctx.col(snake_name if snake else camel)

        usage = f("usageDetails", "usage_details")
        cost = f("costDetails", "cost_details")
        md = f("metadata", "metadata")
        tag = f"rs_tag_object({ctx.col('tags')})" if ctx.has("tags") else "NULL::JSON"

        def usage_sum(pattern: str, exclude: str | None = None) -> str:
            cond = f"k SIMILAR TO '{pattern}'" + (f" AND NOT k SIMILAR TO '{exclude}'" if exclude else "")
            return (f"coalesce(CASE WHEN json_valid({usage}) THEN list_sum(list_transform(json_keys({usage}), "
                    f"lambda k: CASE WHEN {cond} THEN coalesce(TRY_CAST(json_extract_string({usage}, "
                    f"'$.\"' || k || '\"') AS BIGINT), 0) ELSE 0 END)) END, 0)")

        cache_read = usage_sum(".*(cache_read|cached).*")
        cw_1h = usage_sum(".*(cache_creation|cache_write).*1h.*")
        cw = usage_sum(".*(cache_creation|cache_write).*", ".*1h.*")
        uncached = usage_sum(".*input.*", ".*(cache|cached).*")
        reasoning = usage_sum(".*reasoning.*")
        output = usage_sum(".*output.*")
        total_cost = (f"coalesce(rs_dec({f('totalCost', 'total_cost')}), rs_dec(rs_j({cost}, '$.total')), "
                      f"rs_dec(rs_j({f('usage', 'usage')}, '$.totalCost')))") if ctx.has("usage") else (
                      f"coalesce(rs_dec({f('totalCost', 'total_cost')}), rs_dec(rs_j({cost}, '$.total')))")
        level = f("level", "level")
        cols = [
            f"{f('id', 'id')} AS request_id",
            f"rs_ts({f('startTime', 'start_time')}) AS ts",
            f"lower(rs_null(coalesce(rs_j({md}, '$.provider'), json_extract_string({tag}, '$.provider')))) AS provider",
            f"coalesce(rs_null({f('providedModelName', 'provided_model_name')}), rs_null({f('model', 'model')})) AS model_raw",
            f"coalesce(json_extract_string({tag}, '$.feature'), rs_j({md}, '$.feature'), "
            f"rs_null({f('traceName', 'trace_name')})) AS feature",
            f"coalesce(json_extract_string({tag}, '$.app'), rs_j({md}, '$.app')) AS app",
            f"coalesce(json_extract_string({tag}, '$.route'), rs_j({md}, '$.route')) AS route",
            f"rs_null({f('promptName', 'prompt_name')}) AS prompt_name",
            f"coalesce(json_extract_string({tag}, '$.team'), rs_j({md}, '$.team')) AS team",
            f"rs_null({f('userId', 'user_id')}) AS \"user\"",
            "NULL AS api_key",
            f"rs_null({f('projectId', 'project_id')}) AS project",
            f"rs_null({f('traceId', 'trace_id')}) AS trace_id",
            f"CASE WHEN {tag} IS NULL OR {tag}::VARCHAR = '{{}}' THEN NULL ELSE {tag}::JSON END AS tags",
            f"{uncached} AS uncached_input_tokens",
            f"{cache_read} AS cache_read_tokens",
            f"{cw} AS cache_write_tokens",
            f"{cw_1h} AS cache_write_1h_tokens",
            f"{output} AS output_tokens",
            f"{reasoning} AS reasoning_tokens",
            f"coalesce(lower(coalesce(rs_j({md}, '$.service_tier'), json_extract_string({tag}, '$.service_tier'))), "
            f"'standard') AS service_tier",
            f"rs_num({f('latency', 'latency')}) * 1000 AS latency_ms",
            f"CASE WHEN upper(coalesce({level}, '')) = 'ERROR' THEN 'error' ELSE 'ok' END AS status",
            "NULL::BOOLEAN AS has_tools",
            "NULL::BOOLEAN AS structured_output",
            f"{total_cost} AS logged_cost",
            "'USD' AS logged_currency",
            *text_columns(ctx, f("input", "input"), f("output", "output")),
        ]
        typ = f("type", "type")
        start = f("startTime", "start_time")
        reject = reject_case([
            (f"rs_ts({start}) IS NULL", f"'startTime \"' || coalesce({start}, '') || '\" is not a timestamp'"),
            (f"rs_null({f('id', 'id')}) IS NULL", "'id is empty'"),
            (f"{usage} IS NOT NULL AND trim({usage}) NOT IN ('', 'null') AND NOT json_valid({usage})",
             "'usageDetails is not JSON'"),
        ])
        generation = f"upper(coalesce({typ}, 'GENERATION')) = 'GENERATION'" if ctx.has("type") else "true"
        return request_select(ctx, cols, reject, generation)
