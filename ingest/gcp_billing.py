"""Google Cloud Billing export (BigQuery standard or resource-level table) as CSV or JSON Lines,
with Vertex AI / Gemini token SKUs.

FORMATS.md §4. Quirks handled:
- A BigQuery CSV export flattens records into dotted headers (``sku.description``, ``usage.amount``)
  and writes repeated fields (``credits``, ``labels``) as JSON strings.
- Net cost is ``cost + SUM(credits.amount)`` (credits are negative): BilledCost is the net cost,
  ListCost is ``cost_at_list`` when exported, else the gross ``cost``.
- ``cost_type`` tax/adjustment/rounding error map to FOCUS categories.
- The model and token type live only in ``sku.description`` (``Gemini 2.5 Pro GA Thinking Text
  Output - Predictions``, ``… Input Text Caching``, Batch, long-context variants).
- Token counts: ``usage.amount_in_pricing_units`` in ``usage.pricing_unit`` (``1 million tokens``),
  else ``usage.amount`` when its unit counts tokens.
Natural line identity: the whole row (the export has no line id), so re-exported overlapping days do
not double count.
"""

from __future__ import annotations

import re

from ingest.base import Context
from ingest.sniff import Sniff

_SKU = re.compile(
    r"^(?P<model>(?:Gemini|Gemma|Claude|Llama|Imagen|Veo)[\w .-]*?)\s+"
    r"(?:GA\s+|Preview\s+)?(?:Global\s+)?(?P<rest>(?:Thinking\s+)?(?:Text|Image|Audio|Video|Input|Output)\b.*)$",
    re.IGNORECASE,
)


def parse_sku(description: str | None) -> tuple[str | None, str | None, str | None]:
    """(model id, token type, tier) from a Vertex AI SKU description, else (None, None, None)."""
    if not description:
        return None, None, None
    m = _SKU.match(description.strip())
    if not m:
        return None, None, None
    rest = m["rest"].lower()
    if "storage" in rest:  # context-cache storage is billed per hour, not per token
        return m["model"], None, None
    if "caching" in rest or "cached" in rest:
        token_type = "cache_read"
    elif "thinking" in rest:
        token_type = "reasoning"
    elif "output" in rest:
        token_type = "output"
    elif "input" in rest:
        token_type = "input"
    else:
        return m["model"], None, None
    tier = next((t for t in ("batch", "priority", "flex") if t in rest or t in description.lower()), "standard")
    model = re.sub(r"\s+", "-", m["model"].strip().lower())
    return model, token_type, tier


class GcpBillingReader:
    name = "gcp_billing"
    kind = "billing"
    description = "Google Cloud Billing export (BigQuery table as CSV or JSON Lines), incl. Vertex AI Gemini SKUs"

    def detect(self, s: Sniff) -> bool:
        if s.container == "csv":
            return s.has("sku.description", "cost", "usage_start_time")
        if s.container == "jsonl" and isinstance(s.document, dict):
            return {"sku", "cost", "usage_start_time"} <= set(s.document)
        return False

    def read(self, ctx: Context) -> str:
        ctx.raw_auto()
        c = ctx.col
        jsonl = ctx.sniff.container == "jsonl"

        def field(dotted: str) -> str:
            """A dotted column (CSV) or a nested field (JSON Lines records)."""
            if not jsonl:
                return c(dotted)
            top, _, rest = dotted.partition(".")
            return f"json_extract_string({c(top)}, '$.{rest}')" if rest else c(top)

        sku = field("sku.description")
        skus = [r[0] for r in ctx.con.execute(f"SELECT DISTINCT {sku} FROM {ctx.RAW}").fetchall() if r[0]]
        ctx.con.execute("CREATE OR REPLACE TEMP TABLE _gcp_skus (sku VARCHAR, model VARCHAR, token_type VARCHAR, tier VARCHAR)")
        if skus:
            ctx.con.executemany("INSERT INTO _gcp_skus VALUES (?, ?, ?, ?)", [(s, *parse_sku(s)) for s in skus])
        credits = c("credits")
        credit_sum = (f"coalesce(CASE WHEN json_valid({credits}) THEN list_sum(list_transform("
                      f"json_extract({credits}, '$[*].amount')::VARCHAR[], lambda a: TRY_CAST(a AS DECIMAL(38, 12)))) END, 0)")
        labels = c("labels")
        tags = (f"CASE WHEN json_valid({labels}) AND json_array_length({labels}) > 0 THEN "
                f"CAST(map_from_entries(list_transform(json_extract({labels}, '$[*]')::JSON[], lambda kv: "
                f"{{'key': json_extract_string(kv, '$.key'), 'value': json_extract_string(kv, '$.value')}})) AS JSON) END")
        cost, unit = field("cost"), field("usage.pricing_unit")
        qty = f"coalesce(rs_dec({field('usage.amount_in_pricing_units')}), rs_dec({field('usage.amount')}))"
        scale = (f"CASE WHEN lower({unit}) LIKE '%million%' OR lower({unit}) LIKE '1m%' THEN 1000000 "
                 f"WHEN lower({unit}) LIKE '%thousand%' OR lower({unit}) LIKE '1k%' OR lower({unit}) LIKE '1000 %' THEN 1000 "
                 "ELSE 1 END")
        tokens = (f"CASE WHEN {field('usage.amount_in_pricing_units')} IS NOT NULL AND {unit} ILIKE '%token%' "
                  f"THEN rs_num({field('usage.amount_in_pricing_units')}) * {scale} "
                  f"WHEN lower({field('usage.unit')}) = 'count' OR {field('usage.unit')} ILIKE '%token%' THEN rs_num({field('usage.amount')}) END")
        category = (f"CASE lower({c('cost_type')}) WHEN 'tax' THEN 'Tax' WHEN 'adjustment' THEN 'Adjustment' "
                    "WHEN 'rounding error' THEN 'Adjustment' ELSE 'Usage' END")
        invoice_month = field("invoice.month")
        return f"""SELECT
            (rs_dec({cost}) + {credit_sum})::DECIMAL(38, 12) AS BilledCost,
            (rs_dec({cost}) + {credit_sum})::DECIMAL(38, 12) AS EffectiveCost,
            nullif({credit_sum}, 0)::DECIMAL(38, 12) AS x_Credits,
            coalesce(rs_dec({c('cost_at_list')}), rs_dec({cost})) AS ListCost,
            coalesce({c('currency')}, 'USD') AS BillingCurrency,
            try_strptime({invoice_month}, '%Y%m') AS BillingPeriodStart,
            try_strptime({invoice_month}, '%Y%m') + INTERVAL 1 MONTH AS BillingPeriodEnd,
            rs_ts(replace({c('usage_start_time')}, ' UTC', 'Z')) AS ChargePeriodStart,
            rs_ts(replace({c('usage_end_time')}, ' UTC', 'Z')) AS ChargePeriodEnd,
            {category} AS ChargeCategory, {sku} AS ChargeDescription, 'Usage-Based' AS ChargeFrequency,
            {c('billing_account_id')} AS BillingAccountId,
            'Google Cloud' AS ProviderName,
            CASE WHEN k.model ILIKE 'claude%' THEN 'Anthropic' WHEN k.model ILIKE 'llama%' THEN 'Meta'
                 ELSE coalesce({c('seller_name')}, 'Google') END AS PublisherName,
            'Google' AS InvoiceIssuerName,
            {field('service.description')} AS ServiceName,
            CASE WHEN k.model IS NOT NULL OR {field('service.description')} = 'Vertex AI' THEN 'AI and Machine Learning' END AS ServiceCategory,
            {field('project.id')} AS SubAccountId, coalesce({field('project.name')}, {field('project.id')}) AS SubAccountName,
            coalesce({field('location.region')}, {field('location.location')}) AS RegionId,
            {field('sku.id')} AS SkuId,
            {qty} AS PricingQuantity, coalesce({unit}, {field('usage.unit')}) AS PricingUnit,
            rs_dec({field('usage.amount')}) AS ConsumedQuantity, {field('usage.unit')} AS ConsumedUnit,
            {tags} AS Tags,
            k.model AS x_ModelRaw, k.token_type AS x_TokenType,
            CASE WHEN k.token_type IS NOT NULL THEN {tokens} END AS x_Tokens,
            k.tier AS x_ServiceTier, 'cost' AS x_LineType,
            {ctx.row_hash()} AS _key, r._line,
            CASE WHEN rs_bad_num({cost}) THEN 'cost "' || {cost} || '" is not a number'
                 WHEN rs_dec({cost}) IS NULL THEN 'cost is empty'
                 WHEN {credits} IS NOT NULL AND {credits} NOT IN ('', '[]') AND NOT json_valid({credits}) THEN 'credits is not JSON'
                 WHEN rs_ts(replace({c('usage_start_time')}, ' UTC', 'Z')) IS NULL
                      THEN 'usage_start_time "' || coalesce({c('usage_start_time')}, '') || '" is not a time'
            END AS _reject
        FROM {ctx.RAW} r LEFT JOIN _gcp_skus k ON k.sku = {sku.replace(c('sku.description'), 'r.' + c('sku.description')) if not jsonl else sku}"""
