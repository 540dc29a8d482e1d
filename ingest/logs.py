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

import re
from typing import Any

from ingest.base import Context
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
    p = f"CASE WHEN {prompt} IS NULL OR rs_trim({prompt}) IN {empty} THEN NULL ELSE {prompt} END"
    r = f"CASE WHEN {response} IS NULL OR rs_trim({response}) IN {empty} THEN NULL ELSE {response} END"
    cols = [f"length({p}) AS prompt_chars", f"length({r}) AS response_chars", f"sha256({p}) AS prompt_hash"]
    if ctx.options.get("keep_text"):
        cols += [f"{p} AS prompt_text", f"{r} AS response_text"]
    return cols


def reject_case(checks: list[tuple[str, str]]) -> str:
    """``_reject``: the first failing check's message, NULL when every check passes."""
    return "CASE " + " ".join(f"WHEN {cond} THEN {msg}" for cond, msg in checks) + " END"


def request_select(ctx: Context, cols: list[str], reject: str, where: str = "true", source: str | None = None) -> str:
    """A request reader's SELECT over ``_raw`` (or ``source``, a subquery over it that computes a value
    once for several columns): its columns, the line and the reject reason (the loader keys requests by request_id)."""
    return (f"SELECT {', '.join(cols)}, _line, {reject} AS _reject "
            f"FROM {source or ctx.RAW} WHERE {where}")


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
            f"{c('request_tags')}::VARCHAR AS _tags_raw",
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
            (f"_m IS NULL AND {md} IS NOT NULL AND trim({md}) NOT IN ('', '{{}}')", "'metadata is not JSON'"),
        ])
        return request_select(ctx, cols, reject, source=source)

    def finish(self, ctx: Context) -> str:
        """Metadata first; request_tags (``feature:x``, ``team:y``) stand in for what it lacks."""
        return tag_finish(ctx, {
            **{k: f"coalesce(s._{k}, t.{k})" for k in ("feature", "app", "route", "prompt_name")},
            "team": "coalesce(s._team_alias, t.team, s._team_id)",
        }, ["_feature", "_app", "_route", "_prompt_name", "_team_alias", "_team_id"])


TAG_KEYS = ("provider", "feature", "app", "route", "prompt_name", "team", "service_tier")


def tag_finish(ctx: Context, columns: dict[str, str], staged: list[str]) -> str:
    """``finish`` SQL for a reader that staged its tag list as ``_tags_raw``: the rows with ``tags`` (the
    list as an object) and ``columns`` (SQL over the stage ``s`` and the tag values ``t.<key>``), the
    ``staged`` helper columns dropped. Tags are built once per distinct list (a few hundred in millions
    of rows; building one costs more than parsing a row) and joined back."""
    tag = "rs_tag_object(_tags_raw)"
    values = ", ".join(f"json_extract_string(tags, '$.{k}') AS {k}" for k in TAG_KEYS)
    exprs = ", ".join(f"{sql} AS {name}" for name, sql in columns.items())
    return f"""
        SELECT s.* EXCLUDE (_tags_raw, {", ".join(staged)}), {exprs}, t.tags
        FROM {ctx.stage} s LEFT JOIN (
            SELECT _tags_raw, tags, {values} FROM (
                SELECT _tags_raw, CASE WHEN {tag}::VARCHAR <> '{{}}' THEN {tag}::JSON END AS tags
                FROM (SELECT DISTINCT _tags_raw FROM {ctx.stage} WHERE _tags_raw IS NOT NULL))
        ) t ON t._tags_raw = s._tags_raw"""


class LangfuseReader:
    name = "langfuse"
    kind = "requests"
    description = "Langfuse observations/generations export (API camelCase or blob export snake_case; CSV, JSON, JSONL)"

    def detect(self, s: Sniff) -> bool:
        camel = s.has("id", "traceId", "startTime") and (s.has("usageDetails") or s.has("usage"))
        snake = s.has("id", "trace_id", "start_time") and s.has("usage_details")
        return camel or snake

    # usageDetails keys are free-form; each counts toward the token types whose pattern it matches
    # (SIMILAR TO: the whole key). Rows whose keys are all in KNOWN_USAGE (what Langfuse and the SDKs
    # write; ``_ukn``, tested once per row) read them in one parse; other rows take the general path
    # (every key, one at a time).
    USAGE = {
        "cache_read": (".*(cache_read|cached).*", None),
        "cw_1h": (".*(cache_creation|cache_write).*1h.*", None),
        "cw": (".*(cache_creation|cache_write).*", ".*1h.*"),
        "uncached": (".*input.*", ".*(cache|cached).*"),
        "reasoning": (".*reasoning.*", None),
        "output": (".*output.*", None),
    }
    KNOWN_USAGE = ["input", "output", "total", "cache_read_input_tokens", "cache_creation_input_tokens",
                   "input_cached_tokens", "input_cache_read", "input_cache_creation", "input_cache_write",
                   "cache_creation_input_tokens_1h", "input_cache_creation_1h", "output_reasoning_tokens",
                   "output_reasoning", "input_audio_tokens", "output_audio_tokens", "input_image_tokens"]

    @classmethod
    def _usage_sums(cls, usage: str) -> dict[str, str]:
        """SQL per token type: the fast sum (KNOWN_USAGE by index into ``_uv``) when every key of the
        row is known, else the general sum over its keys."""
        out = {}
        for name, (pattern, exclude) in cls.USAGE.items():
            def hit(k: str, pattern: str = pattern, exclude: str | None = exclude) -> bool:
                return bool(re.fullmatch(pattern, k)) and not (exclude and re.fullmatch(exclude, k))
            fast = " + ".join(f"coalesce(TRY_CAST(_uv[{i + 1}] AS BIGINT), 0)"
                              for i, k in enumerate(cls.KNOWN_USAGE) if hit(k)) or "0"
            cond = f"k SIMILAR TO '{pattern}'" + (f" AND NOT k SIMILAR TO '{exclude}'" if exclude else "")
            general = (f"coalesce(list_sum(list_transform(_uk, lambda k: CASE WHEN {cond} THEN coalesce(TRY_CAST("
                       f"json_extract_string({usage}, '$.\"' || k || '\"') AS BIGINT), 0) ELSE 0 END)), 0)")
            out[name] = f"CASE WHEN _uk IS NULL THEN 0 WHEN _ukn THEN {fast} ELSE {general} END"
        return out

    @classmethod
    def _known_list(cls) -> str:
        return "[" + ", ".join(f"'{k}'" for k in cls.KNOWN_USAGE) + "]"

    def read(self, ctx: Context) -> str:
        load_records(ctx)
        snake = ctx.has("trace_id") and not ctx.has("traceId")

        def f(camel: str, snake_name: str) -> str:
            return ctx.col(snake_name if snake else camel)

        usage = f("usageDetails", "usage_details")
        cost = f("costDetails", "cost_details")
        md = f("metadata", "metadata")
        paths = ", ".join(f"'$.\"{k}\"'" for k in self.KNOWN_USAGE)
        # Parsed once per row here; tags (and the values read from them) once per distinct list in finish().
        inner = (f"SELECT *, try(json_keys({usage})) AS _uk, try(json_extract_string({usage}, [{paths}])) AS _uv, "
                 f"try(json_extract_string({md}, ['$.provider', '$.feature', '$.app', '$.route', '$.team', "
                 f"'$.service_tier'])) AS _md FROM {ctx.RAW}")
        # The known-keys test once per row: inside each of the six sums' CASE it cost about 3 s a
        # 1.6M-row file.
        inner = f"SELECT *, list_has_all({self._known_list()}, _uk) AS _ukn FROM ({inner})"
        sums = self._usage_sums(usage)
        total_cost = (f"coalesce(rs_dec({f('totalCost', 'total_cost')}), rs_dec(rs_j({cost}, '$.total')), "
                      f"rs_dec(rs_j({f('usage', 'usage')}, '$.totalCost')))") if ctx.has("usage") else (
                      f"coalesce(rs_dec({f('totalCost', 'total_cost')}), rs_dec(rs_j({cost}, '$.total')))")
        level = f("level", "level")
        cols = [
            f"{f('id', 'id')} AS request_id",
            f"rs_ts({f('startTime', 'start_time')}) AS ts",
            "_md[1] AS _md_provider", "_md[2] AS _md_feature", "_md[3] AS _md_app", "_md[4] AS _md_route",
            "_md[5] AS _md_team", "_md[6] AS _md_tier",
            f"coalesce(rs_null({f('providedModelName', 'provided_model_name')}), rs_null({f('model', 'model')})) AS model_raw",
            f"rs_null({f('traceName', 'trace_name')}) AS _trace_name",
            f"rs_null({f('promptName', 'prompt_name')}) AS prompt_name",
            f"rs_null({f('userId', 'user_id')}) AS \"user\"",
            "NULL AS api_key",
            f"rs_null({f('projectId', 'project_id')}) AS project",
            f"rs_null({f('traceId', 'trace_id')}) AS trace_id",
            f"{ctx.col('tags')}::VARCHAR AS _tags_raw",
            f"{sums['uncached']} AS uncached_input_tokens",
            f"{sums['cache_read']} AS cache_read_tokens",
            f"{sums['cw']} AS cache_write_tokens",
            f"{sums['cw_1h']} AS cache_write_1h_tokens",
            f"{sums['output']} AS output_tokens",
            f"{sums['reasoning']} AS reasoning_tokens",
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
            (f"_uk IS NULL AND {usage} IS NOT NULL AND trim({usage}) NOT IN ('', 'null')",
             "'usageDetails is not JSON'"),
        ])
        generation = f"upper(coalesce({typ}, 'GENERATION')) = 'GENERATION'" if ctx.has("type") else "true"
        return request_select(ctx, cols, reject, generation, source=f"({inner})")

    def finish(self, ctx: Context) -> str:
        """Tags first, then metadata, then the trace name, as Langfuse users tag traces."""
        return tag_finish(ctx, {
            "provider": "lower(rs_null(coalesce(s._md_provider, t.provider)))",
            "feature": "coalesce(t.feature, s._md_feature, s._trace_name)",
            "app": "coalesce(t.app, s._md_app)",
            "route": "coalesce(t.route, s._md_route)",
            "team": "coalesce(t.team, s._md_team)",
            "service_tier": "coalesce(lower(coalesce(s._md_tier, t.service_tier)), 'standard')",
        }, ["_md_provider", "_md_feature", "_md_app", "_md_route", "_md_team", "_md_tier", "_trace_name"])
