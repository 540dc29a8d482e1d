"""OpenAI organization Costs and Usage: Admin API JSON pages and the dashboard's CSV exports.

FORMATS.md §1. Quirks handled:
- Costs: ``amount.value`` is dollars, currency lower-case; ``line_item`` is free text parsed as
  ``[tier | ]<model>[ modality], <token kind>[, long context]`` (``gpt-4o-2024-08-06, cached input``,
  ``priority | gpt-5.6-sol, output, long context``); anything else (``web search tool calls``) is kept
  as a cost line with no token type.
- Usage: ``input_tokens`` INCLUDES cached and cache-write tokens, so uncached input is
  ``input_uncached_tokens`` or the difference; usage carries no money, so its lines are
  ``x_LineType = 'usage'`` with NULL costs, one line per token type.
- Dashboard CSVs: empty-bucket rows (only time columns, sometimes ragged) are skipped, counts may be
  written ``10.0``, ISO times with or without an offset.
Natural line identity: bucket start + the grouping dimensions + line item (or token type), so two
exports of overlapping days do not double count.
"""

from __future__ import annotations

import re
from typing import Any

from ingest import apipages
from ingest.base import Context, sql_str
from ingest.sniff import Sniff

_LINE_ITEM = re.compile(
    r"^(?:(?P<tier>[\w .-]+?)\s*\|\s*)?(?P<model>[^,|]+?)(?:\s+(?P<modality>audio|image|text))?,\s*"
    r"(?P<kind>cached input|cache write|cache write input|input|output)(?:,\s*(?P<long>long context))?\s*$",
    re.IGNORECASE,
)
_KIND = {"input": "input", "cached input": "cache_read", "cache write": "cache_write_5m",
         "cache write input": "cache_write_5m", "output": "output"}
_TIERS = {"batch", "priority", "flex", "scale", "default", "standard"}


def parse_line_item(line_item: str | None) -> tuple[str | None, str | None, str | None]:
    """(model, token type, service tier) from a Costs ``line_item``; (None, None, None) if it is not
    a token line."""
    if not line_item:
        return None, None, None
    m = _LINE_ITEM.match(line_item.strip())
    if not m:
        return None, None, None
    tier = (m["tier"] or "").strip().lower()
    model = m["model"].strip()
    if tier and tier not in _TIERS:  # "evals | gpt-4o, input", "ft-... | ..."
        tier = ""
    service_tier = "standard" if tier in ("", "default") else tier
    return model, _KIND[m["kind"].lower()], service_tier


def _tier(batch: Any, service_tier: Any) -> str:
    if str(batch).strip().lower() in {"true", "1", "yes"}:
        return "batch"
    tier = str(service_tier or "").strip().lower()
    return "standard" if tier in {"", "default", "none", "null", "auto"} else tier


COST_COLUMNS = """
    rs_dec(amount) AS BilledCost, rs_dec(amount) AS EffectiveCost, upper(currency) AS BillingCurrency,
    rs_ts(start_time) AS ChargePeriodStart, rs_ts(end_time) AS ChargePeriodEnd,
    CASE WHEN rs_dec(amount) < 0 THEN 'Credit' ELSE 'Usage' END AS ChargeCategory,
    'Usage-Based' AS ChargeFrequency, line_item AS ChargeDescription,
    'OpenAI' AS ProviderName, 'OpenAI' AS PublisherName, 'OpenAI' AS InvoiceIssuerName,
    'OpenAI API' AS ServiceName, 'AI and Machine Learning' AS ServiceCategory,
    organization_id AS BillingAccountId, organization_name AS BillingAccountName,
    project_id AS SubAccountId, coalesce(project_name, project_id) AS SubAccountName,
    line_item AS SkuId, rs_dec(quantity) AS ConsumedQuantity, quantity_unit AS ConsumedUnit,
    model AS x_ModelRaw, token_type AS x_TokenType, service_tier AS x_ServiceTier,
    CASE WHEN token_type IS NOT NULL THEN
        rs_num(quantity) * CASE WHEN quantity_unit = '1000_tokens' THEN 1000 ELSE 1 END END AS x_Tokens,
    'cost' AS x_LineType,
    md5(concat_ws('|', start_time, line_item, project_id, api_key_id, user_id)) AS _key, _line,
    CASE WHEN rs_bad_num(amount) THEN 'amount "' || amount || '" is not a number'
         WHEN amount IS NULL THEN 'amount is empty'
         WHEN rs_ts(start_time) IS NULL THEN 'start_time "' || coalesce(start_time, '') || '" is not a time'
    END AS _reject"""


class OpenAICostsReader:
    name = "openai_costs"
    kind = "billing"
    description = "OpenAI Costs: Admin API JSON pages (/organization/costs) or the dashboard cost_*.csv"

    def detect(self, s: Sniff) -> bool:
        if s.container in {"json", "jsonl"}:
            r = apipages.first_result(s)
            return r is not None and (r.get("object") == "organization.costs.result"
                                or (isinstance(r.get("amount"), dict) and "line_item" in r))
        return s.container == "csv" and s.has("amount_value", "amount_currency", "start_time")

    def read(self, ctx: Context) -> str:
        if ctx.sniff.container == "csv":
            return self._read_csv(ctx)
        rows = []
        for where, bucket, r in apipages.results(ctx.sniff):
            amount: dict[str, Any] = r["amount"] if isinstance(r.get("amount"), dict) else {}
            model, token_type, tier = parse_line_item(r.get("line_item"))
            rows.append({
                "start_time": bucket.get("start_time"), "end_time": bucket.get("end_time"),
                "amount": amount.get("value"), "currency": amount.get("currency"),
                "line_item": r.get("line_item"), "project_id": r.get("project_id"),
                "project_name": r.get("project_name"), "api_key_id": r.get("api_key_id"),
                "user_id": r.get("user_id"), "organization_id": r.get("organization_id"),
                "organization_name": r.get("organization_name"),
                "quantity": r.get("quantity"), "quantity_unit": r.get("quantity_unit"),
                "model": model, "token_type": token_type, "service_tier": tier,
                "_record": where + " " + apipages.text(r)[:250],  # type: ignore[index]
            })
        ctx.raw_rows([{k: apipages.text(v) if k != "_record" else v for k, v in row.items()} for row in rows])
        return f"SELECT {COST_COLUMNS}, _record FROM {ctx.RAW}"

    def _read_csv(self, ctx: Context) -> str:
        ctx.raw_csv(null_padding=True)
        c = ctx.col
        items = [r[0] for r in ctx.con.execute(f"SELECT DISTINCT {c('line_item')} FROM {ctx.RAW}").fetchall()]
        parsed = [(li, *parse_line_item(li)) for li in items if li is not None]
        ctx.con.execute("CREATE OR REPLACE TEMP TABLE _openai_items "
                        "(line_item VARCHAR, model VARCHAR, token_type VARCHAR, service_tier VARCHAR)")
        if parsed:
            ctx.con.executemany("INSERT INTO _openai_items VALUES (?, ?, ?, ?)", parsed)
        start = f"coalesce({c('start_time_iso')}, {c('start_time')})"
        end = f"coalesce({c('end_time_iso')}, {c('end_time')})"
        return (f"SELECT {COST_COLUMNS} FROM (SELECT {start} AS start_time, {end} AS end_time, "
                f"{c('amount_value')} AS amount, {c('amount_currency')} AS currency, r.{c('line_item')} AS line_item, "
                f"{c('project_id')} AS project_id, {c('project_name')} AS project_name, {c('api_key_id')} AS api_key_id, "
                f"{c('user_id')} AS user_id, {c('organization_id')} AS organization_id, "
                f"{c('organization_name')} AS organization_name, {c('quantity')} AS quantity, "
                f"{c('quantity_unit')} AS quantity_unit, i.model, i.token_type, i.service_tier, r._line "
                f"FROM {ctx.RAW} r LEFT JOIN _openai_items i ON i.line_item = r.{c('line_item')} "
                # empty buckets: only the time columns are filled
                f"WHERE {c('amount_value')} IS NOT NULL OR r.{c('line_item')} IS NOT NULL)")


USAGE_TYPES = [("input", "uncached"), ("cache_read", "cached"), ("cache_write_5m", "cache_write"),
               ("output", "output")]


class OpenAIUsageReader:
    name = "openai_usage"
    kind = "billing"
    description = "OpenAI Usage (completions): Admin API JSON pages or completions_usage_*.csv (tokens only)"

    def detect(self, s: Sniff) -> bool:
        if s.container in {"json", "jsonl"}:
            r = apipages.first_result(s)
            return r is not None and (r.get("object") == "organization.usage.completions.result"
                                or ("num_model_requests" in r and "input_tokens" in r))
        return s.container == "csv" and s.has("num_model_requests", "input_tokens", "output_tokens", "start_time")

    def read(self, ctx: Context) -> str:
        if ctx.sniff.container == "csv":
            ctx.raw_csv(null_padding=True)
            c = ctx.col
            source = (f"SELECT coalesce({c('start_time_iso')}, {c('start_time')}) AS start_time, "
                      f"coalesce({c('end_time_iso')}, {c('end_time')}) AS end_time, {c('project_id')} AS project_id, "
                      f"{c('user_id')} AS user_id, {c('api_key_id')} AS api_key_id, {c('model')} AS model, "
                      f"{c('batch')} AS batch, {c('service_tier')} AS service_tier, "
                      f"{c('num_model_requests')} AS num_model_requests, {c('input_tokens')} AS input_tokens, "
                      f"{c('input_cached_tokens')} AS input_cached_tokens, "
                      f"{c('input_cache_write_tokens')} AS input_cache_write_tokens, "
                      f"{c('input_uncached_tokens')} AS input_uncached_tokens, {c('output_tokens')} AS output_tokens, "
                      f"_line FROM {ctx.RAW} WHERE {c('input_tokens')} IS NOT NULL OR {c('model')} IS NOT NULL")
        else:
            rows = []
            for where, bucket, r in apipages.results(ctx.sniff):
                rows.append({k: apipages.text(v) for k, v in {
                    "start_time": bucket.get("start_time"), "end_time": bucket.get("end_time"),
                    "project_id": r.get("project_id"), "user_id": r.get("user_id"),
                    "api_key_id": r.get("api_key_id"), "model": r.get("model"), "batch": r.get("batch"),
                    "service_tier": r.get("service_tier"), "num_model_requests": r.get("num_model_requests"),
                    "input_tokens": r.get("input_tokens"), "input_cached_tokens": r.get("input_cached_tokens"),
                    "input_cache_write_tokens": r.get("input_cache_write_tokens"),
                    "input_uncached_tokens": r.get("input_uncached_tokens"),
                    "output_tokens": r.get("output_tokens")}.items()} | {"_record": where})
            ctx.raw_rows(rows)
            source = f"SELECT * FROM {ctx.RAW}"
        cached = "coalesce(rs_int(input_cached_tokens), 0)"
        write = "coalesce(rs_int(input_cache_write_tokens), 0)"
        uncached = f"coalesce(rs_int(input_uncached_tokens), rs_int(input_tokens) - {cached} - {write})"
        amounts = {"input": uncached, "cache_read": cached, "cache_write_5m": write,
                   "output": "rs_int(output_tokens)"}
        tier = ("CASE WHEN lower(batch) IN ('true', '1') THEN 'batch' "
                "WHEN service_tier IS NULL OR lower(service_tier) IN ('default', 'auto') THEN 'standard' "
                "ELSE lower(service_tier) END")
        bad = f"""CASE WHEN rs_ts(start_time) IS NULL THEN 'start_time "' || coalesce(start_time, '') || '" is not a time'
                     WHEN rs_bad_int(input_tokens) THEN 'input_tokens "' || input_tokens || '" is not a token count'
                     WHEN rs_bad_int(output_tokens) THEN 'output_tokens "' || output_tokens || '" is not a token count'
                     WHEN {uncached} < 0 THEN 'cached tokens exceed input_tokens' END"""
        checked = f"SELECT *, {bad} AS _bad FROM ({source})"
        parts = []
        for token_type, expr in amounts.items():
            first = token_type == "input"  # a bad row is rejected once, on its input line
            parts.append(f"""SELECT NULL::DECIMAL(38, 12) AS BilledCost, 'USD' AS BillingCurrency,
                rs_ts(start_time) AS ChargePeriodStart, rs_ts(end_time) AS ChargePeriodEnd, 'Usage' AS ChargeCategory,
                'OpenAI' AS ProviderName, 'OpenAI' AS PublisherName, 'OpenAI API' AS ServiceName,
                'AI and Machine Learning' AS ServiceCategory, project_id AS SubAccountId, project_id AS SubAccountName,
                'usage report' AS ChargeDescription, {sql_str(token_type)} AS x_TokenType, ({expr})::DOUBLE AS x_Tokens,
                'Tokens' AS ConsumedUnit, model AS x_ModelRaw, {tier} AS x_ServiceTier,
                {'rs_int(num_model_requests)' if first else 'NULL::BIGINT'} AS x_Requests,
                'usage' AS x_LineType,
                md5(concat_ws('|', start_time, project_id, user_id, api_key_id, model, batch, service_tier, {sql_str(token_type)})) AS _key,
                _line, {'_bad' if first else 'NULL'} AS _reject
                FROM ({checked}) WHERE {'TRUE' if first else f'_bad IS NULL AND ({expr}) > 0'}""")
        return " UNION ALL ".join(parts)
