"""Anthropic cost and usage: Admin API JSON pages and the Console's CSV exports.

FORMATS.md §2. Quirks handled:
- cost_report ``amount`` is a DECIMAL STRING IN CENTS (``"123.45"`` is $1.2345): divided by 100
  exactly; ``token_type`` names the token kind (``cache_creation.ephemeral_1h_input_tokens``, ...).
- usage_report nests cache writes (``cache_creation.ephemeral_5m_input_tokens``/``_1h_``) and has no
  total input; it carries no money, so its lines are ``x_LineType = 'usage'``, one per token type.
- Console CSVs name models by display name (``Claude Haiku 4.5``, mapped by the alias table), give
  ``cost_usd`` in dollars, and write ``≤ 200k`` context windows.
Natural line identity: bucket start + every grouping dimension + token type, so overlapping
exports of the same days do not double count.
"""

from __future__ import annotations

from typing import Any

from ingest import apipages
from ingest.base import Context, sql_str
from ingest.sniff import Sniff

TOKEN_TYPES = {
    "uncached_input_tokens": "input", "input_no_cache": "input", "input": "input",
    "output_tokens": "output", "output": "output",
    "cache_read_input_tokens": "cache_read", "input_cache_read": "cache_read",
    "cache_creation.ephemeral_5m_input_tokens": "cache_write_5m", "input_cache_write_5m": "cache_write_5m",
    "cache_creation.ephemeral_1h_input_tokens": "cache_write_1h", "input_cache_write_1h": "cache_write_1h",
}
_TOKEN_CASE = "CASE " + " ".join(f"WHEN token_type = {sql_str(k)} THEN {sql_str(v)}" for k, v in TOKEN_TYPES.items()) \
    + " WHEN token_type IS NULL THEN NULL ELSE 'other' END"
_TIER = ("CASE WHEN service_tier IS NULL OR lower(service_tier) IN ('standard', 'default') THEN 'standard' "
         "ELSE lower(service_tier) END")

COMMON = f"""
    rs_ts(starting_at) AS ChargePeriodStart,
    coalesce(rs_ts(ending_at), rs_ts(starting_at) + INTERVAL 1 DAY) AS ChargePeriodEnd,
    'Anthropic' AS ProviderName, 'Anthropic' AS PublisherName, 'Anthropic' AS InvoiceIssuerName,
    'Claude API' AS ServiceName, 'AI and Machine Learning' AS ServiceCategory, 'Usage-Based' AS ChargeFrequency,
    coalesce(workspace_id, 'default') AS SubAccountId, coalesce(workspace, workspace_id, 'Default workspace') AS SubAccountName,
    model AS x_ModelRaw, {_TIER} AS x_ServiceTier"""


class AnthropicCostReader:
    name = "anthropic_cost"
    kind = "billing"
    description = "Anthropic cost_report: Admin API JSON pages (cents) or the Console cost CSV (dollars)"

    def detect(self, s: Sniff) -> bool:
        if s.container in {"json", "jsonl"}:
            r = apipages.first_result(s)
            return r is not None and isinstance(r.get("amount"), str) and "currency" in r and "line_item" not in r
        return s.container == "csv" and s.has("usage_date_utc", "cost_usd", "token_type")

    def read(self, ctx: Context) -> str:
        if ctx.sniff.container == "csv":
            ctx.raw_csv()
            c = ctx.col
            source = (f"SELECT {c('usage_date_utc')} AS starting_at, NULL AS ending_at, {c('cost_usd')} AS dollars, "
                      f"NULL AS cents, 'USD' AS currency, {c('model')} AS model, {c('workspace')} AS workspace, "
                      f"NULL AS workspace_id, {c('api_key')} AS api_key, {c('token_type')} AS token_type, "
                      f"{c('cost_type')} AS cost_type, {c('usage_type')} AS service_tier, "
                      f"{c('context_window')} AS context_window, {c('inference_geo')} AS inference_geo, "
                      f"NULL AS description, {c('list_price_usd')} AS list_dollars, _line FROM {ctx.RAW}")
        else:
            rows = []
            for where, bucket, r in apipages.results(ctx.sniff):
                rows.append({k: apipages.text(v) for k, v in {
                    "starting_at": bucket.get("starting_at"), "ending_at": bucket.get("ending_at"),
                    "cents": r.get("amount"), "currency": r.get("currency"), "model": r.get("model"),
                    "workspace_id": r.get("workspace_id"), "token_type": r.get("token_type"),
                    "cost_type": r.get("cost_type"), "service_tier": r.get("service_tier"),
                    "context_window": r.get("context_window"), "inference_geo": r.get("inference_geo"),
                    "description": r.get("description")}.items()} | {"_record": where})
            ctx.raw_rows(rows, columns=["starting_at", "ending_at", "cents", "currency", "model", "workspace_id",
                                        "token_type", "cost_type", "service_tier", "context_window",
                                        "inference_geo", "description", "_record"])
            source = (f"SELECT *, NULL AS dollars, NULL AS workspace, NULL AS api_key, NULL AS list_dollars "
                      f"FROM {ctx.RAW}")
        amount = "coalesce(rs_dec(cents) / 100, rs_dec(dollars))"
        service_tier = "CASE WHEN lower(service_tier) = 'batch' THEN 'batch' ELSE service_tier END"
        return f"""SELECT {COMMON.replace(_TIER, f"CASE WHEN {service_tier} IS NULL OR lower({service_tier}) IN ('standard', 'default', 'message') THEN 'standard' ELSE lower({service_tier}) END")},
            {amount}::DECIMAL(38, 12) AS BilledCost, {amount}::DECIMAL(38, 12) AS EffectiveCost,
            coalesce(rs_dec(list_dollars), {amount})::DECIMAL(38, 12) AS ListCost,
            upper(coalesce(currency, 'USD')) AS BillingCurrency,
            CASE WHEN {amount} < 0 THEN 'Credit' ELSE 'Usage' END AS ChargeCategory,
            coalesce(description, concat_ws(' ', model, token_type)) AS ChargeDescription,
            {_TOKEN_CASE} AS x_TokenType, 'cost' AS x_LineType, context_window AS RegionName,
            md5(concat_ws('|', starting_at, workspace_id, workspace, api_key, description, model, token_type,
                          cost_type, service_tier, context_window, inference_geo)) AS _key,
            _line,
            CASE WHEN rs_ts(starting_at) IS NULL THEN 'starting_at "' || coalesce(starting_at, '') || '" is not a time'
                 WHEN cents IS NOT NULL AND rs_dec(cents) IS NULL THEN 'amount "' || cents || '" is not a number of cents'
                 WHEN dollars IS NOT NULL AND rs_dec(dollars) IS NULL THEN 'cost_usd "' || dollars || '" is not a number'
                 WHEN cents IS NULL AND dollars IS NULL THEN 'amount is empty'
            END AS _reject
            FROM ({source})"""


USAGE_FIELDS = {
    "input": ("uncached_input_tokens", "usage_input_tokens_no_cache"),
    "cache_read": ("cache_read_input_tokens", "usage_input_tokens_cache_read"),
    "cache_write_5m": ("cache_creation_5m", "usage_input_tokens_cache_write_5m"),
    "cache_write_1h": ("cache_creation_1h", "usage_input_tokens_cache_write_1h"),
    "output": ("output_tokens", "usage_output_tokens"),
}


class AnthropicUsageReader:
    name = "anthropic_usage"
    kind = "billing"
    description = "Anthropic usage_report: Admin API JSON pages or the Console usage CSV (tokens only)"

    def detect(self, s: Sniff) -> bool:
        if s.container in {"json", "jsonl"}:
            r = apipages.first_result(s)
            return r is not None and "uncached_input_tokens" in r and "output_tokens" in r
        return s.container == "csv" and s.has("usage_date_utc", "usage_output_tokens")

    def read(self, ctx: Context) -> str:
        csv = ctx.sniff.container == "csv"
        if csv:
            ctx.raw_csv()
            c = ctx.col
            cols = ", ".join(f"{c(api_csv[1])} AS {api_csv[0]}" for api_csv in USAGE_FIELDS.values())
            source = (f"SELECT {c('usage_date_utc')} AS starting_at, NULL AS ending_at, {c('model_version')} AS model, "
                      f"{c('workspace')} AS workspace, NULL AS workspace_id, {c('api_key')} AS api_key, "
                      f"{c('usage_type')} AS service_tier, {c('context_window')} AS context_window, "
                      f"{c('inference_geo')} AS inference_geo, {cols}, _line FROM {ctx.RAW}")
        else:
            rows = []
            for where, bucket, r in apipages.results(ctx.sniff):
                cache: dict[str, Any] = r["cache_creation"] if isinstance(r.get("cache_creation"), dict) else {}
                rows.append({k: apipages.text(v) for k, v in {
                    "starting_at": bucket.get("starting_at"), "ending_at": bucket.get("ending_at"),
                    "model": r.get("model"), "workspace_id": r.get("workspace_id"), "api_key": r.get("api_key_id"),
                    "service_tier": r.get("service_tier"), "context_window": r.get("context_window"),
                    "inference_geo": r.get("inference_geo"),
                    "uncached_input_tokens": r.get("uncached_input_tokens"),
                    "cache_read_input_tokens": r.get("cache_read_input_tokens"),
                    "cache_creation_5m": cache.get("ephemeral_5m_input_tokens", r.get("cache_creation_5m_input_tokens")),
                    "cache_creation_1h": cache.get("ephemeral_1h_input_tokens", r.get("cache_creation_1h_input_tokens")),
                    "output_tokens": r.get("output_tokens")}.items()} | {"_record": where})
            ctx.raw_rows(rows, columns=["starting_at", "ending_at", "model", "workspace_id", "api_key", "service_tier",
                                        "context_window", "inference_geo", *[v[0] for v in USAGE_FIELDS.values()],
                                        "_record"])
            source = f"SELECT *, NULL AS workspace FROM {ctx.RAW}"
        bad = " ".join(f"WHEN rs_bad_int({f}) OR rs_int({f}) < 0 THEN '{f} \"' || {f} || '\" is not a token count'"
                       for f, _ in USAGE_FIELDS.values())
        checked = (f"SELECT *, CASE WHEN rs_ts(starting_at) IS NULL THEN 'starting_at \"' || coalesce(starting_at, '') "
                   f"|| '\" is not a time' {bad} END AS _bad FROM ({source})")
        parts = []
        for token_type, (field, _) in USAGE_FIELDS.items():
            first = token_type == "input"
            parts.append(f"""SELECT {COMMON}, NULL::DECIMAL(38, 12) AS BilledCost, 'USD' AS BillingCurrency,
                'Usage' AS ChargeCategory, 'usage report' AS ChargeDescription, {sql_str(token_type)} AS x_TokenType,
                coalesce(rs_int({field}), 0)::DOUBLE AS x_Tokens, 'Tokens' AS ConsumedUnit, 'usage' AS x_LineType,
                context_window AS RegionName,
                md5(concat_ws('|', starting_at, workspace_id, workspace, api_key, model, service_tier, context_window,
                              inference_geo, {sql_str(token_type)})) AS _key,
                _line, {'_bad' if first else 'NULL'} AS _reject
                FROM ({checked}) WHERE {'TRUE' if first else f'_bad IS NULL AND coalesce(rs_int({field}), 0) > 0'}""")
        return " UNION ALL ".join(parts)
