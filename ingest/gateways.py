"""Gateway request exports: OpenRouter activity CSV and Helicone request exports.

Both become rows of ``request_log`` (view ``requests``, docs/store.md), like ingest/logs.py.

**OpenRouter** activity export CSV (FORMATS.md §7a; not documented by OpenRouter, and its columns
drift between exports, so every column is found by its header name, never by position):
``generation_id`` is the request id; ``created_at`` is naive UTC; ``tokens_prompt`` includes
``tokens_cached`` (OpenAI style) and ``tokens_completion`` includes ``tokens_reasoning`` ("reasoning
tokens are included in completion tokens for billing"); ``cost_total`` is what OpenRouter charged,
in USD credits. OpenRouter is the party that bills, so ``provider`` is ``openrouter`` and the model
is the ``model_permaslug`` (``openai/gpt-4o-2024-08-06``), which the catalog prices under
OpenRouter's own price list; the upstream provider (``provider_name``) and the routing ``variant``
are kept as tags, and a ``free`` variant is the catalog's ``:free`` model. ``app_name`` is the app,
``api_key_name`` the key, ``user`` the end user.

**Helicone** request export (FORMATS.md §7d; the ``HeliconeRequest`` rows of ``POST
/v1/request/query`` as JSON, a ``{"data": [...]}`` page or JSON Lines, or the same fields as CSV):
``prompt_tokens`` are the *uncached* input tokens and cache reads and writes are counted beside
them (Helicone's own cost code prices ``prompt_tokens`` as "fresh, uncached tokens");
``delay_ms`` is the
latency; ``response_status`` is the HTTP status (2xx = ok); custom properties
(``Helicone-Property-*`` headers, in ``request_properties`` or ``properties``) become tags with
lower-case names, and ``feature``, ``app``, ``route``, ``team`` and ``prompt_name`` properties are
the workload attributes. ``costUSD`` is dollars; ``cost`` is dollars in the API but nano-dollars in
Helicone's ClickHouse tables, so a whole-number ``cost`` of 10,000 or more (no single request costs
$10,000) is read as nano-dollars.
"""

from __future__ import annotations

from ingest.base import Context
from ingest.logs import load_records, reject_case, request_select, text_columns
from ingest.sniff import Sniff


def _status_ok(expr: str) -> str:
    return f"CASE WHEN {expr} IS NULL OR TRY_CAST({expr} AS INTEGER) BETWEEN 200 AND 299 THEN 'ok' ELSE 'error' END"


def _count_checks(ctx: Context, names: list[str]) -> list[tuple[str, str]]:
    """Reject reasons for token counts that are not whole numbers or are negative."""
    checks = []
    for n in names:
        if ctx.has(n):
            c = ctx.col(n)
            checks.append((f"rs_bad_int({c})", f"'{n} \"' || {c} || '\" is not a token count'"))
            checks.append((f"rs_int({c}) < 0", f"'{n} is negative (' || {c} || ')'"))
    return checks


class OpenRouterReader:
    name = "openrouter"
    kind = "requests"
    description = "OpenRouter activity export (per-generation CSV; columns found by header name)"

    def detect(self, s: Sniff) -> bool:
        return s.has("generation_id", "created_at", "tokens_prompt") and (
            s.has("model_permaslug") or s.has("cost_total"))

    def read(self, ctx: Context) -> str:
        ctx.raw_auto()
        c = ctx.col
        prompt = f"coalesce(rs_int({c('tokens_prompt')}), 0)"
        cached = f"coalesce(rs_int({c('tokens_cached')}), 0)"
        variant = f"lower(rs_null({c('variant')}))"
        slug = f"rs_null(coalesce({c('model_permaslug')}, {c('model')}))"
        tags = (f"json_object('upstream_provider', rs_null({c('provider_name')}), 'variant', {variant}, "
                f"'finish_reason', rs_null(coalesce({c('finish_reason_normalized')}, {c('finish_reason_raw')})), "
                f"'streamed', lower(rs_null({c('streamed')})), 'cancelled', lower(rs_null({c('cancelled')})))")
        # json_object keeps NULL members; the merge drops them so tags hold only what the file said
        tags = f"nullif(json_merge_patch('{{}}', {tags})::VARCHAR, '{{}}')::JSON"
        cols = [
            f"{c('generation_id')} AS request_id",
            f"rs_ts({c('created_at')}) AS ts",
            "'openrouter' AS provider",
            f"CASE WHEN {variant} = 'free' AND NOT ends_with({slug}, ':free') THEN {slug} || ':free' ELSE {slug} END AS model_raw",
            "NULL AS feature",
            f"rs_null({c('app_name')}) AS app",
            "NULL AS route",
            "NULL AS prompt_name",
            "NULL AS team",
            f"rs_null({c('user')}) AS \"user\"",
            f"rs_null({c('api_key_name')}) AS api_key",
            "NULL AS project",
            "NULL AS trace_id",
            f"{tags} AS tags",
            f"greatest({prompt} - {cached}, 0) AS uncached_input_tokens",
            f"least({cached}, {prompt}) AS cache_read_tokens",
            "0 AS cache_write_tokens",
            "0 AS cache_write_1h_tokens",
            f"coalesce(rs_int({c('tokens_completion')}), 0) AS output_tokens",
            f"coalesce(rs_int({c('tokens_reasoning')}), 0) AS reasoning_tokens",
            "'standard' AS service_tier",
            f"rs_num({c('generation_time_ms')}) AS latency_ms",
            f"CASE WHEN lower(coalesce({c('finish_reason_normalized')}, '')) = 'error' THEN 'error' ELSE 'ok' END AS status",
            f"CASE WHEN lower(coalesce({c('finish_reason_normalized')}, '')) = 'tool_calls' THEN true END AS has_tools",
            "NULL::BOOLEAN AS structured_output",
            f"rs_dec({c('cost_total')}) AS logged_cost",
            "'USD' AS logged_currency",
            "NULL::BIGINT AS prompt_chars",
            "NULL::BIGINT AS response_chars",
            "NULL AS prompt_hash",
        ]
        if ctx.options.get("keep_text"):
            cols += ["NULL AS prompt_text", "NULL AS response_text"]
        created, gid = c("created_at"), c("generation_id")
        reject = reject_case([
            (f"rs_null({gid}) IS NULL", "'generation_id is empty'"),
            (f"rs_ts({created}) IS NULL", f"'created_at \"' || coalesce({created}, '') || '\" is not a timestamp'"),
            (f"{slug} IS NULL", "'model_permaslug is empty'"),
            *_count_checks(ctx, ["tokens_prompt", "tokens_completion", "tokens_reasoning", "tokens_cached"]),
            (f"rs_int({c('tokens_cached')}) > rs_int({c('tokens_prompt')})", "'tokens_cached exceeds tokens_prompt'"),
            (f"rs_bad_num({c('cost_total')})", f"'cost_total \"' || {c('cost_total')} || '\" is not a number'"),
        ])
        return request_select(ctx, cols, reject)


class HeliconeReader:
    name = "helicone"
    kind = "requests"
    description = "Helicone request export (HeliconeRequest rows as JSON, JSON Lines or CSV)"

    def detect(self, s: Sniff) -> bool:
        return s.has("request_id", "request_created_at") and (
            s.has("prompt_tokens") or s.has("request_model") or s.has("response_status"))

    def read(self, ctx: Context) -> str:
        load_records(ctx)
        c = ctx.col
        props = c("request_properties", "properties")
        # Helicone-Property-Feature: summarize -> {"feature": "summarize"} (nested values as JSON text),
        # computed once per row in a subquery: several columns read it
        props_map = (f"CASE WHEN json_valid({props}) AND json_type({props}::JSON) = 'OBJECT' THEN "
                     f"to_json(map_from_entries(list_transform(map_entries(TRY_CAST({props}::JSON AS MAP(VARCHAR, VARCHAR))), "
                     f"lambda e: struct_pack(k := lower(regexp_replace(e.key, '^helicone-property-', '', 'i')), "
                     f"v := e.value)))) END")
        source = f"(SELECT *, {props_map} AS _props FROM {ctx.RAW})"
        tags = "_props"

        def tag(key: str) -> str:
            return f"json_extract_string({tags}, '$.{key}')"

        cost = c("cost")
        nano = f"(rs_dec({cost}) = round(rs_dec({cost})) AND abs(rs_dec({cost})) >= 10000)"
        logged = (f"coalesce(rs_dec({c('costUSD')}), CASE WHEN {nano} THEN rs_dec({cost}) / 1000000000 "
                  f"ELSE rs_dec({cost}) END)")
        model = (f"coalesce(rs_null({c('model_override')}), rs_null({c('model')}), rs_null({c('response_model')}), "
                 f"rs_null({c('request_model')}))")
        cols = [
            f"{c('request_id')} AS request_id",
            f"rs_ts({c('request_created_at')}) AS ts",
            f"lower(rs_null({c('provider')})) AS provider",
            f"{model} AS model_raw",
            f"{tag('feature')} AS feature",
            f"{tag('app')} AS app",
            f"{tag('route')} AS route",  # request_path is the provider API path, not the app's route
            f"coalesce({tag('prompt_name')}, rs_null({c('prompt_id')})) AS prompt_name",
            f"{tag('team')} AS team",
            f"rs_null({c('request_user_id')}) AS \"user\"",
            "NULL AS api_key",
            "NULL AS project",
            f"coalesce({tag('session')}, {tag('session-id')}) AS trace_id",
            f"nullif({tags}::VARCHAR, '{{}}')::JSON AS tags",
            f"coalesce(rs_int({c('prompt_tokens')}), 0) AS uncached_input_tokens",
            f"coalesce(rs_int({c('prompt_cache_read_tokens')}), 0) AS cache_read_tokens",
            f"coalesce(rs_int({c('prompt_cache_write_tokens')}), 0) AS cache_write_tokens",
            "0 AS cache_write_1h_tokens",
            f"coalesce(rs_int({c('completion_tokens')}), 0) AS output_tokens",
            f"coalesce(rs_int({c('reasoning_tokens')}), 0) AS reasoning_tokens",
            f"coalesce(lower({tag('service_tier')}), 'standard') AS service_tier",
            f"rs_num({c('delay_ms')}) AS latency_ms",
            f"{_status_ok(c('response_status'))} AS status",
            "NULL::BOOLEAN AS has_tools",
            "NULL::BOOLEAN AS structured_output",
            f"{logged} AS logged_cost",
            "'USD' AS logged_currency",
            *text_columns(ctx, c("request_body"), c("response_body")),
        ]
        created, rid = c("request_created_at"), c("request_id")
        reject = reject_case([
            (f"rs_null({rid}) IS NULL", "'request_id is empty'"),
            (f"rs_ts({created}) IS NULL", f"'request_created_at \"' || coalesce({created}, '') || '\" is not a timestamp'"),
            *_count_checks(ctx, ["prompt_tokens", "completion_tokens", "prompt_cache_read_tokens",
                                 "prompt_cache_write_tokens", "reasoning_tokens"]),
            (f"rs_bad_num({c('costUSD')})", f"'costUSD \"' || {c('costUSD')} || '\" is not a number'"),
            (f"rs_bad_num({cost})", f"'cost \"' || {cost} || '\" is not a number'"),
            (f"{props} IS NOT NULL AND trim({props}) NOT IN ('', '{{}}', 'null') AND {tags} IS NULL",
             "'request_properties is not a JSON object'"),
        ])
        return request_select(ctx, cols, reject, source=source)
