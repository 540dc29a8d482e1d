"""Azure Cost Management cost-details exports (EA and MCA; actual or amortized), CSV or Parquet.

Columns are matched case-insensitively and through the aliases each agreement uses (EA
``Cost``/``CostInBillingCurrency``/``BillingCurrencyCode``, MCA camelCase ``costInBillingCurrency``,
``paygCostInBillingCurrency``, ``billingCurrency``; older ``SubscriptionGuid``, ``UsageDate``).
Mapping to the billing schema (FOCUS names):

- BilledCost / EffectiveCost come from the one cost column in billing currency (``CostInUsd`` is
  not stored: BillingCurrency says what the amounts are in). An Azure file is either an *actual*
  or an *amortized* export, and the two disagree only on commitment (reservation / savings plan)
  rows. We tell them apart from the data: a file is amortized when it has ``UnusedReservation`` /
  ``UnusedSavingsPlan`` charges or usage covered by a commitment with a non-zero cost (an actual
  export shows covered usage at 0 and bills the purchase instead); with no commitment rows the two
  views are identical and the question does not matter; failing that, a file name containing
  "amortized" decides. Then, as FOCUS defines the columns: in an amortized file, commitment-covered
  and unused-commitment rows are BilledCost 0 and EffectiveCost = Cost; in an actual file,
  commitment purchases are EffectiveCost 0 and BilledCost = Cost. Everything else is
  BilledCost = EffectiveCost = Cost. Loading one view: BilledCost (actual) or EffectiveCost
  (amortized) equals the file's cost column summed. Loading both views of a period: ordinary rows
  dedupe, commitment rows are kept from each (their key names the view), so the totals are the
  actual bill and the amortized cost, with no double counting.
- ListCost = ``paygCostInBillingCurrency``, else ``PayGPrice`` × ``Quantity``; ContractedCost =
  ``UnitPrice`` × ``Quantity``.
- ``Quantity`` is in ``UnitOfMeasure`` blocks (``10K``, ``1K``, ``1M``, ``100 Hours``, ``1 GB``,
  ``1/Month``): PricingQuantity = Quantity and PricingUnit = the UnitOfMeasure as written;
  ConsumedQuantity = Quantity × block size in ConsumedUnit, the unit without the block (``Units``,
  ``Hours``, ``GB``; ``Tokens`` for model meters), as the finops-toolkit PricingUnits table does.
- ChargeType -> ChargeCategory: Usage, UnusedReservation and UnusedSavingsPlan -> Usage; Purchase
  -> Purchase; Refund and Credit -> Credit; Tax -> Tax; Adjustment and RoundingAdjustment ->
  Adjustment. An unknown ChargeType is kept as written, with a warning.
- Dates are ``MM/DD/YYYY`` (``9/2/2023``) or ISO; a row covers one day (ChargePeriodEnd = Date + 1
  day) and the export's inclusive BillingPeriodEndDate becomes FOCUS's exclusive end (+1 day).
- Tags are written without outer braces (``"env": "prod","org": "x"``): braces are restored; tags
  that still are not JSON are dropped and the row kept with a warning. E-notation numbers
  (``5.64902E-05``) and a UTF-8 BOM are read as they are.
- Azure OpenAI / Foundry model meters, wherever the model string sits (MeterName or
  MeterSubCategory), get x_ModelRaw, x_Model, x_TokenType, x_Tokens (Quantity × block size) and
  x_ServiceTier; see ingest/azure_meters.py for the parsing rules. Their ServiceName is
  "Azure OpenAI" (OpenAI models) or "Foundry Models", PublisherName the model's maker, and the
  deployment type (global / datazone / regional) goes into Tags as ``x_AzureDeployment``.

Natural key: Azure exports carry no line id. A line is identified by its day, subscription,
resource, meter, location, charge type, pricing model, commitment ids (benefitId / ReservationId /
ProductOrderId), product, part number, publisher/plan (Marketplace), ServiceInfo1/2, cost
allocation rule, tags and AdditionalInfo (less its ConsumedQuantity: it tells apart e.g. the
vCore-license lines of one meter covered by different reservations), plus the cost view for
commitment rows. Amounts and display names are left out on purpose: a re-export of the same
days with refreshed amounts or a renamed subscription is the same line, so overlapping exports
never double count (the first loaded wins). Lines identical on all of these within one file stay
distinct charges (the loader numbers repeats), so totals are never lost.
"""

from __future__ import annotations

from typing import Any

from ingest.azure_meters import parse_meter_fields
from ingest.base import Context, sql_str
from ingest.sniff import Sniff

COST = ("CostInBillingCurrency", "Cost", "PreTaxCost", "ExtendedCost")
DATE = ("Date", "UsageDate", "UsageDateTime")
METER_TABLE = "_azure_meter"


def meter_table(ctx: Context, category: str, subcategory: str, name: str,
                extra: list[str] | None = None) -> list[tuple[Any, ...]]:
    """One pass over ``_raw``: parse every distinct meter (in Python, once per meter) into the temp
    table ``_azure_meter``, joined by :func:`meter_join`. ``extra`` aggregates are computed in the
    same pass; their values are returned per meter group. Columns are prefixed ``az_`` so they
    never clash with the file's own."""
    extras = "".join(f", {e}" for e in extra or [])
    groups = ctx.con.execute(
        f"SELECT coalesce({category}, ''), coalesce({subcategory}, ''), coalesce({name}, ''){extras} "
        f"FROM {ctx.RAW} GROUP BY ALL").fetchall()
    ctx.con.execute(
        f"CREATE OR REPLACE TEMP TABLE {METER_TABLE} (az_cat VARCHAR, az_sub VARCHAR, az_name VARCHAR, "
        "az_model_raw VARCHAR, az_model VARCHAR, az_token_type VARCHAR, az_tier VARCHAR, "
        "az_deployment VARCHAR, az_publisher VARCHAR)")
    parsed = []
    for g in groups:
        m = parse_meter_fields(g[0] or None, g[1] or None, g[2] or None)
        if m is not None:
            parsed.append((g[0], g[1], g[2], m.model_raw, m.model, m.token_type, m.tier,
                           m.deployment, m.publisher))
    if parsed:
        ctx.con.executemany(f"INSERT INTO {METER_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", parsed)
    return [tuple(g[3:]) for g in groups]


def meter_join(category: str, subcategory: str, name: str) -> str:
    """The LEFT JOIN that gives each raw row its parsed meter (az_* columns, NULL if none)."""
    return (f"LEFT JOIN {METER_TABLE} ON az_cat = coalesce({category}, '') "
            f"AND az_sub = coalesce({subcategory}, '') AND az_name = coalesce({name}, '')")


def block_size_sql(uom: str) -> str:
    """Block size of a UnitOfMeasure: leading number times K/M (``10K`` -> 10000, ``100 Hours`` ->
    100, ``1 GB`` -> 1); 1 when there is no leading number."""
    num = f"TRY_CAST(replace(regexp_extract({uom}, '^\\s*([0-9][0-9,]*(\\.[0-9]+)?)', 1), ',', '') AS DECIMAL(38, 6))"
    suffix = f"upper(regexp_extract({uom}, '^\\s*[0-9][0-9,.]*\\s*([KkMm])(\\s|$)', 1))"
    return (f"(coalesce({num}, 1) * CASE {suffix} WHEN 'K' THEN 1000 WHEN 'M' THEN 1000000 ELSE 1 END)")


def distinct_unit_sql(uom: str) -> str:
    """The unit of a UnitOfMeasure without its block (``10K`` -> Units, ``1 GB/Month`` -> GB/Month,
    ``1/Month`` -> Units/Month)."""
    rest = f"trim(regexp_extract({uom}, '^\\s*[0-9][0-9,.]*\\s*(?:[KkMm](?:\\s|$))?(.*)$', 1))"
    return (f"CASE WHEN {uom} IS NULL THEN NULL WHEN {rest} = '' THEN 'Units' "
            f"WHEN starts_with({rest}, '/') THEN 'Units' || {rest} ELSE {rest} END")


def tags_sql(tags: str) -> str:
    """Tags as written (with or without outer braces) -> JSON text, or NULL."""
    return (f"CASE WHEN {tags} IS NULL THEN NULL WHEN starts_with(trim({tags}), '{{') THEN trim({tags}) "
            f"ELSE '{{' || trim({tags}) || '}}' END")


def _label(col_sql: str) -> str:
    """A column's name as the file writes it, for reject reasons."""
    return col_sql.strip('"').replace('""', '"')


class AzureReader:
    name = "azure"
    kind = "billing"
    description = "Azure Cost Management cost-details export (EA/MCA, actual or amortized; CSV or Parquet)"

    def detect(self, s: Sniff) -> bool:
        return (s.container in {"csv", "parquet"} and not s.has("BilledCost")
                and any(s.has(n) for n in COST) and any(s.has(n) for n in DATE)
                and (s.has("MeterId") or s.has("MeterCategory") or s.has("MeterName"))
                and (s.has("SubscriptionId") or s.has("SubscriptionGuid") or s.has("BillingAccountId")))

    def read(self, ctx: Context) -> str:
        ctx.raw_auto()
        c = ctx.col
        cost = c(*COST)
        if cost == "NULL":
            raise ctx.error("no cost column (Cost or CostInBillingCurrency)", line=1,
                            hint="export cost details from Cost Management and load that file")
        date, qty, uom = c(*DATE), c("Quantity", "UsageQuantity", "ConsumedQuantity"), c("UnitOfMeasure")
        ctype = f"lower(coalesce({c('ChargeType')}, ''))"
        pmodel = f"lower(coalesce({c('PricingModel')}, ''))"
        cat, sub, meter = c("MeterCategory"), c("MeterSubCategory"), c("MeterName")
        benefit = f"({pmodel} IN ('reservation', 'savingsplan', 'savings plan'))"
        amortized_row = (f"({ctype} IN ('unusedreservation', 'unusedsavingsplan') OR ({benefit} AND "
                         f"{ctype} = 'usage' AND coalesce(rs_dec({cost}), 0) <> 0))")
        groups = meter_table(ctx, cat, sub, meter, extra=[f"bool_or({amortized_row})"])
        amortized = any(bool(g[0]) for g in groups) or "amortized" in ctx.file.lower()
        view = sql_str("amortized" if amortized else "actual")

        covered = f"({benefit} AND {ctype} IN ('usage', 'unusedreservation', 'unusedsavingsplan'))"
        purchase = f"({benefit} AND {ctype} = 'purchase')"
        billed = f"CASE WHEN {covered} THEN 0 ELSE rs_dec({cost}) END" if amortized else f"rs_dec({cost})"
        effective = f"rs_dec({cost})" if amortized else f"CASE WHEN {purchase} THEN 0 ELSE rs_dec({cost}) END"
        block = block_size_sql(uom)
        start = f"rs_ts({date})"
        bp_end = f"rs_ts({c('BillingPeriodEndDate')})"
        tags_json = tags_sql(c("Tags"))
        tags = (f"CASE WHEN az_deployment IS NOT NULL THEN json_merge_patch(coalesce("
                f"TRY_CAST(CASE WHEN json_valid({tags_json}) THEN {tags_json} END AS JSON), '{{}}'::JSON), "
                f"json_object('x_AzureDeployment', az_deployment)) "
                f"WHEN json_valid({tags_json}) THEN {tags_json}::JSON END")
        ai = (f"(az_model IS NOT NULL OR lower(coalesce({c('ConsumedService')}, '')) = 'microsoft.cognitiveservices' "
              f"OR regexp_matches(lower(coalesce({cat}, '')), 'openai|cognitive services|foundry|ai services'))")
        provisioned = f"({ai} AND regexp_matches(lower(coalesce({meter}, '') || ' ' || coalesce({sub}, '')), 'provisioned|ptu'))"
        currency = f"coalesce({c('BillingCurrency')}, {c('BillingCurrencyCode')}, {c('Currency')})"
        key_parts = [
            f"CASE WHEN {benefit} THEN {view} ELSE '' END",
            f"strftime({start}, '%Y-%m-%d')",
            f"lower(coalesce({c('SubscriptionId', 'SubscriptionGuid')}, {c('BillingAccountId')}))",
            f"lower({c('ResourceId', 'InstanceId')})",
            f"lower({c('MeterId')})",
            f"lower(coalesce({c('ResourceLocation', 'Location')}, {c('MeterRegion')}))",
            ctype, pmodel,
            f"lower(coalesce({c('benefitId')}, {c('ReservationId')}))",
            f"lower({c('ProductOrderId')})",
            c("Product", "ProductName"), c("PartNumber"), c("PublisherName"), c("PlanName"),
            c("ServiceInfo1"), c("ServiceInfo2"), c("CostAllocationRuleName"), c("Tags"),
            f"regexp_replace({c('AdditionalInfo')}, '\"ConsumedQuantity\":\\s*[-+0-9.eE]+', '', 'g')",
        ]
        key = "md5(concat_ws('|', 'azure', " + ", ".join(f"coalesce({p}, '')" for p in key_parts) + "))"
        cols = [
            f"{billed} AS BilledCost",
            f"{effective} AS EffectiveCost",
            f"coalesce(rs_dec({c('PaygCostInBillingCurrency')}), rs_dec({c('PayGPrice')}) * rs_dec({qty}))::DECIMAL(38, 12) AS ListCost",
            f"(rs_dec({c('UnitPrice')}) * rs_dec({qty}))::DECIMAL(38, 12) AS ContractedCost",
            f"{currency} AS BillingCurrency",
            f"rs_ts({c('BillingPeriodStartDate')}) AS BillingPeriodStart",
            f"CASE WHEN {bp_end} = date_trunc('day', {bp_end}) THEN {bp_end} + INTERVAL 1 DAY ELSE {bp_end} END AS BillingPeriodEnd",
            f"{start} AS ChargePeriodStart",
            f"{start} + INTERVAL 1 DAY AS ChargePeriodEnd",
            f"""CASE {ctype} WHEN 'usage' THEN 'Usage' WHEN 'unusedreservation' THEN 'Usage'
                WHEN 'unusedsavingsplan' THEN 'Usage' WHEN 'purchase' THEN 'Purchase'
                WHEN 'refund' THEN 'Credit' WHEN 'credit' THEN 'Credit' WHEN 'tax' THEN 'Tax'
                WHEN 'adjustment' THEN 'Adjustment' WHEN 'roundingadjustment' THEN 'Adjustment'
                ELSE {c('ChargeType')} END AS ChargeCategory""",
            f"""CASE lower({c('Frequency')}) WHEN 'usagebased' THEN 'Usage-Based' WHEN 'recurring' THEN 'Recurring'
                WHEN 'onetime' THEN 'One-Time' ELSE {c('Frequency')} END AS ChargeFrequency""",
            f"coalesce({c('Product', 'ProductName')}, {meter}) AS ChargeDescription",
            f"{c('BillingAccountId')} AS BillingAccountId",
            f"{c('BillingAccountName')} AS BillingAccountName",
            "'Microsoft' AS ProviderName",
            "'Microsoft' AS InvoiceIssuerName",
            f"coalesce(az_publisher, {c('PublisherName')}, 'Microsoft') AS PublisherName",
            f"""CASE WHEN az_publisher = 'OpenAI' THEN 'Azure OpenAI' WHEN az_model IS NOT NULL THEN 'Foundry Models'
                ELSE coalesce({cat}, {c('ConsumedService')}) END AS ServiceName""",
            f"CASE WHEN {ai} THEN 'AI and Machine Learning' END AS ServiceCategory",
            f"{c('SubscriptionId', 'SubscriptionGuid')} AS SubAccountId",
            f"{c('SubscriptionName')} AS SubAccountName",
            f"lower({c('ResourceLocation', 'Location')}) AS RegionId",
            f"{c('MeterRegion')} AS RegionName",
            f"{c('ResourceId', 'InstanceId')} AS ResourceId",
            f"{c('ResourceName')} AS ResourceName",
            f"{c('MeterId')} AS SkuId",
            f"{c('PartNumber')} AS SkuPriceId",
            f"""CASE {pmodel} WHEN 'ondemand' THEN 'Standard' WHEN 'spot' THEN 'Dynamic'
                WHEN 'reservation' THEN 'Committed' WHEN 'savingsplan' THEN 'Committed' END AS PricingCategory""",
            f"(rs_dec({qty}) * {block})::DECIMAL(38, 12) AS ConsumedQuantity",
            f"CASE WHEN az_token_type IS NOT NULL THEN 'Tokens' ELSE {distinct_unit_sql(uom)} END AS ConsumedUnit",
            f"rs_dec({qty}) AS PricingQuantity",
            f"{uom} AS PricingUnit",
            f"rs_dec({c('PayGPrice')}) AS ListUnitPrice",
            f"rs_dec({c('UnitPrice')}) AS ContractedUnitPrice",
            f"{tags} AS Tags",
            "az_model AS x_Model",
            "az_model_raw AS x_ModelRaw",
            "az_token_type AS x_TokenType",
            f"CASE WHEN az_token_type IS NOT NULL THEN (rs_dec({qty}) * {block})::DOUBLE END AS x_Tokens",
            f"coalesce(az_tier, CASE WHEN {provisioned} THEN 'provisioned' END) AS x_ServiceTier",
        ]
        cost_name, date_name = _label(cost), _label(date)
        reject = f"""CASE
            WHEN rs_bad_num({cost}) THEN '{cost_name} "' || {cost} || '" is not a number'
            WHEN rs_dec({cost}) IS NULL THEN '{cost_name} is empty'
            WHEN {start} IS NULL THEN '{date_name} "' || coalesce({date}, '') || '" is not a date'
            WHEN rs_bad_num({qty}) THEN '{_label(qty)} "' || {qty} || '" is not a number'
            WHEN {currency} IS NULL THEN 'BillingCurrency is empty'
        END"""
        warn = f"""CASE
            WHEN {tags_json} IS NOT NULL AND NOT json_valid({tags_json})
                THEN 'Tags is not JSON even with braces restored; tags dropped, row kept'
            WHEN {c('ChargeType')} IS NOT NULL AND {ctype} NOT IN ('usage', 'unusedreservation', 'unusedsavingsplan',
                'purchase', 'refund', 'credit', 'tax', 'adjustment', 'roundingadjustment')
                THEN 'ChargeType "' || {c('ChargeType')} || '" is not a known Azure charge type; kept as ChargeCategory'
        END"""
        return (f"SELECT {', '.join(cols)}, {key} AS _key, _line, {reject} AS _reject, {warn} AS _warn "
                f"FROM {ctx.RAW} {meter_join(cat, sub, meter)}")


__all__ = ["AzureReader", "block_size_sql", "meter_join", "meter_table"]
