"""AWS Cost and Usage Reports: legacy CUR (``lineItem/UsageType`` headers) and CUR 2.0 / Data
Exports (snake_case), as CSV (optionally gzip) or Parquet. Every line loads, whatever the service.

FORMATS.md §3. Quirks handled:
- The two namings are one schema: ``lineItem/UnblendedCost`` is ``line_item_unblended_cost``.
- Line item types map to FOCUS charge categories (Tax, Credit, Refund -> Credit, Fee -> Purchase, ...).
- Bedrock token lines (§3c): the usage type carries the model, the token type and the tier
  (``USE1-Claude4.5Sonnet-cache-write-input-token-count-1-hour``, ``…-input-tokens-batch``,
  ``…-cross-region-global``, ``…-mantle-…``); Marketplace-billed models (``bill_billing_entity =
  'AWS Marketplace'``, ``USE1-MP:USE1_InputTokenCount-Units``) take the model from
  ``product['product_name']``. Token counts scale by ``pricing_unit`` (``1K tokens`` -> x1000).
- Tags: CUR 2.0 ``resource_tags`` (a map, JSON text in CSV) or legacy ``resourceTags/user:Team``
  columns become one JSON object, with the ``user_``/``user:`` prefix dropped.
Natural line identity: ``identity_line_item_id`` + ``identity_time_interval`` (CUR's own), so
overlapping exports and restated months do not double count.
"""

from __future__ import annotations

import re

from ingest.base import Context, quote_ident, sql_str
from ingest.sniff import Sniff


def snake(name: str) -> str:
    """``lineItem/UsageType`` -> ``line_item_usage_type``; snake_case names pass through."""
    def one(part: str) -> str:
        return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", part).lower()
    return "_".join(one(p) for p in name.split("/", 1)) if "/" in name else name.lower()


CATEGORY = """CASE lower(t) WHEN 'tax' THEN 'Tax' WHEN 'credit' THEN 'Credit' WHEN 'refund' THEN 'Credit'
    WHEN 'bundleddiscount' THEN 'Credit' WHEN 'edpdiscount' THEN 'Credit' WHEN 'privaterateDiscount' THEN 'Credit'
    WHEN 'savingsplannegation' THEN 'Credit' WHEN 'fee' THEN 'Purchase' WHEN 'riFee' THEN 'Purchase'
    WHEN 'savingsplanrecurringfee' THEN 'Purchase' WHEN 'savingsplanupfrontfee' THEN 'Purchase'
    ELSE 'Usage' END"""

_TOKEN_SUFFIX = [
    (re.compile(r"cache-?write.*(1-?h|hour)", re.I), "cache_write_1h"),
    (re.compile(r"cache-?write", re.I), "cache_write_5m"),
    (re.compile(r"cache-?read", re.I), "cache_read"),
    (re.compile(r"output", re.I), "output"),
    (re.compile(r"input", re.I), "input"),
]


def parse_bedrock(usage_type: str | None, product_name: str | None) -> tuple[str | None, str | None, str | None]:
    """(model as written, token type, tier) for a Bedrock token usage type, else (None, None, None)."""
    if not usage_type or "token" not in usage_type.lower():
        return None, None, None
    body = usage_type.split("-", 1)[1] if re.match(r"^[A-Z]{2,4}\d?-", usage_type) else usage_type
    low = body.lower()
    token_type = next((t for rx, t in _TOKEN_SUFFIX if rx.search(body)), "other")
    tier = next((t for t in ("batch", "priority", "flex") if re.search(rf"(^|[-_]){t}($|[-_])", low)), "standard")
    if body.upper().startswith("MP:"):  # Marketplace: the model is in the product name
        model = re.sub(r"\s*\(Amazon Bedrock Edition\)\s*$", "", product_name or "") or None
        return model, token_type, tier
    m = re.match(r"^(?P<model>.+?)-(?:mantle-)?(?:cache-(?:read|write)-)?(?:input|output)-token", body, re.I)
    return (m["model"] if m else None), token_type, tier


class AwsCurReader:
    name = "aws_cur"
    kind = "billing"
    description = "AWS Cost and Usage Report: legacy CUR or CUR 2.0 / Data Exports (CSV, gzip CSV, Parquet)"

    def detect(self, s: Sniff) -> bool:
        names = {snake(c) for c in s.columns}
        return s.container in {"csv", "parquet"} and {"line_item_usage_type", "line_item_unblended_cost"} <= names

    def read(self, ctx: Context) -> str:
        cols = ctx.raw_auto()
        by_snake = {snake(c): c for c in cols}

        def c(name: str) -> str:
            return quote_ident(by_snake[name]) if name in by_snake else "NULL"

        product_name = ("coalesce(" + ", ".join(
            [f"json_extract_string({c('product')}, '$.product_name')" if "product" in by_snake else "NULL",
             c("product_product_name")]) + ")")
        # Bedrock parsing once per distinct (usage type, product name).
        pairs = ctx.con.execute(
            f"SELECT DISTINCT {c('line_item_usage_type')}, {product_name} FROM {ctx.RAW} "
            f"WHERE {c('line_item_usage_type')} ILIKE '%token%'").fetchall()
        ctx.con.execute("CREATE OR REPLACE TEMP TABLE _cur_tokens (usage_type VARCHAR, product_name VARCHAR, "
                        "model VARCHAR, token_type VARCHAR, tier VARCHAR)")
        parsed = [(u, p, *parse_bedrock(u, p)) for u, p in pairs]
        if parsed:
            ctx.con.executemany("INSERT INTO _cur_tokens VALUES (?, ?, ?, ?, ?)", parsed)
        tag_cols = [col for s, col in by_snake.items() if s.startswith("resource_tags_")]
        legacy_tags = ("json_object(" + ", ".join(
            f"{sql_str(re.sub(r'^resource_tags_(user_|user:|aws:)?', '', snake(col)))}, {quote_ident(col)}"
            for col in tag_cols) + ")") if tag_cols else "NULL"
        rt = c("resource_tags")
        map_tags = (f"CASE WHEN json_valid({rt}) AND {rt} NOT IN ('{{}}', '') THEN "
                    f"regexp_replace({rt}, '\"(user_|user:)([^\"]*)\"\\s*:', '\"\\2\":', 'g')::JSON END"
                    if "resource_tags" in by_snake else "NULL")
        tags = (f"CASE WHEN {legacy_tags} IS NOT NULL THEN json({legacy_tags}) ELSE {map_tags} END"
                if tag_cols else map_tags)
        t = c("line_item_line_item_type")
        unit = c("pricing_unit")
        scale = (f"CASE WHEN lower({unit}) SIMILAR TO '.*1\\s*m.*|.*million.*' THEN 1000000 "
                 f"WHEN lower({unit}) SIMILAR TO '.*1\\s*k.*|.*thousand.*|.*1,?000 .*' THEN 1000 ELSE 1 END")
        marketplace = f"coalesce({c('bill_billing_entity')}, '') = 'AWS Marketplace'"
        service = (f"CASE WHEN k.model IS NOT NULL OR {c('line_item_product_code')} ILIKE '%bedrock%' THEN 'Amazon Bedrock' "
                   f"ELSE coalesce({c('product_servicename')}, {product_name}, {c('line_item_product_code')}) END")
        return f"""SELECT
            rs_dec({c('line_item_unblended_cost')}) AS BilledCost,
            coalesce(rs_dec({c('line_item_net_unblended_cost')}), rs_dec({c('line_item_unblended_cost')})) AS EffectiveCost,
            coalesce(rs_dec({c('pricing_public_on_demand_cost')}), rs_dec({c('line_item_unblended_cost')})) AS ListCost,
            coalesce({c('line_item_currency_code')}, 'USD') AS BillingCurrency,
            rs_ts({c('bill_billing_period_start_date')}) AS BillingPeriodStart,
            rs_ts({c('bill_billing_period_end_date')}) AS BillingPeriodEnd,
            coalesce(rs_ts({c('line_item_usage_start_date')}), rs_ts({c('bill_billing_period_start_date')})) AS ChargePeriodStart,
            coalesce(rs_ts({c('line_item_usage_end_date')}), rs_ts({c('bill_billing_period_end_date')})) AS ChargePeriodEnd,
            {CATEGORY.replace('lower(t)', f'lower({t})')} AS ChargeCategory,
            {c('line_item_line_item_description')} AS ChargeDescription,
            {c('bill_payer_account_id')} AS BillingAccountId,
            'AWS' AS ProviderName,
            CASE WHEN {marketplace} THEN coalesce({c('product_publisher')}, {product_name}, 'AWS Marketplace')
                 WHEN k.model ILIKE 'claude%' OR k.model ILIKE 'anthropic%' THEN 'Anthropic'
                 WHEN k.model ILIKE 'llama%' OR k.model ILIKE 'meta%' THEN 'Meta'
                 WHEN k.model ILIKE 'mistral%' THEN 'Mistral AI'
                 ELSE 'Amazon Web Services' END AS PublisherName,
            coalesce({c('bill_invoicing_entity')}, {c('line_item_legal_entity')}) AS InvoiceIssuerName,
            {service} AS ServiceName,
            CASE WHEN k.model IS NOT NULL THEN 'AI and Machine Learning' END AS ServiceCategory,
            {c('line_item_usage_account_id')} AS SubAccountId,
            coalesce({c('line_item_usage_account_name')}, {c('line_item_usage_account_id')}) AS SubAccountName,
            coalesce({c('product_region_code')}, {c('product_region')}) AS RegionId,
            {c('line_item_resource_id')} AS ResourceId,
            {c('line_item_usage_type')} AS SkuId,
            rs_dec({c('line_item_usage_amount')}) AS ConsumedQuantity, {unit} AS ConsumedUnit,
            rs_dec({c('line_item_usage_amount')}) AS PricingQuantity, {unit} AS PricingUnit,
            rs_dec({c('pricing_public_on_demand_rate')}) AS ListUnitPrice,
            {c('pricing_term')} AS PricingCategory,
            {tags} AS Tags,
            k.model AS x_ModelRaw, k.token_type AS x_TokenType,
            CASE WHEN k.model IS NOT NULL THEN rs_num({c('line_item_usage_amount')}) * {scale} END AS x_Tokens,
            k.tier AS x_ServiceTier, 'cost' AS x_LineType,
            coalesce({c('identity_line_item_id')} || '@' || {c('identity_time_interval')}, {ctx.row_hash()}) AS _key,
            r._line,
            CASE WHEN rs_bad_num({c('line_item_unblended_cost')}) THEN 'line_item_unblended_cost "' || {c('line_item_unblended_cost')} || '" is not a number'
                 WHEN rs_dec({c('line_item_unblended_cost')}) IS NULL THEN 'line_item_unblended_cost is empty'
                 WHEN coalesce(rs_ts({c('line_item_usage_start_date')}), rs_ts({c('bill_billing_period_start_date')})) IS NULL
                      THEN 'line_item_usage_start_date "' || coalesce({c('line_item_usage_start_date')}, '') || '" is not a time'
            END AS _reject
        FROM {ctx.RAW} r LEFT JOIN _cur_tokens k
          ON k.usage_type = r.{c('line_item_usage_type')} AND k.product_name IS NOT DISTINCT FROM {product_name}"""
