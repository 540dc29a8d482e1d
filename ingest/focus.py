"""FOCUS 1.0 / 1.1 / 1.2 (and 1.3's renamed provider columns) as CSV or Parquet.

FOCUS is already our billing schema, so this reader maps columns by name. Quirks handled:
literal ``NULL`` strings, extra non-FOCUS columns (ignored), ``$10,000.00``-style money in the spec's
examples, ``5/1/25`` dates, a UTF-8 BOM, and rows whose values are shifted into the wrong columns
(the FinOps Foundation sample's Microsoft rows): those are kept as billed, with a warning naming the
column, because their cost columns are intact and a direct sum over the file includes them.
Token-priced rows (PricingUnit/ConsumedUnit naming tokens) get x_TokenType and x_Tokens; files we
exported ourselves round-trip their x_ columns. Microsoft's FOCUS exports name Azure OpenAI meters in
``x_SkuMeterSubcategory``/``x_SkuMeterName`` (1.0) or ``SkuMeter`` (1.2) with ConsumedUnit ``Units``:
those rows are parsed by the Azure meter parser (ingest/azure_meters.py) for x_Model, x_ModelRaw,
x_TokenType and x_ServiceTier, and x_Tokens is ConsumedQuantity (distinct units), else
PricingQuantity × x_PricingBlockSize.
"""

from __future__ import annotations

from ingest.azure import meter_join, meter_table
from ingest.base import Context
from ingest.sniff import Sniff
from ingest.tokens import token_count_sql, token_type_sql

DECIMALS = ["BilledCost", "EffectiveCost", "ListCost", "ContractedCost", "ConsumedQuantity",
            "PricingQuantity", "ListUnitPrice", "ContractedUnitPrice"]
TIMESTAMPS = ["BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd"]
STRINGS = ["BillingCurrency", "ChargeCategory", "ChargeClass", "ChargeDescription", "ChargeFrequency",
           "BillingAccountId", "BillingAccountName", "PublisherName", "InvoiceIssuerName",
           "ServiceName", "ServiceCategory", "SubAccountId", "SubAccountName", "RegionId", "RegionName",
           "ResourceId", "ResourceName", "SkuId", "SkuPriceId", "PricingCategory", "ConsumedUnit",
           "PricingUnit"]


class FocusReader:
    name = "focus"
    kind = "billing"
    description = "FOCUS 1.0-1.3 cost and usage export (CSV or Parquet), any provider"

    def detect(self, s: Sniff) -> bool:
        return s.container in {"csv", "parquet"} and s.has("BilledCost", "ChargePeriodStart") and (
            s.has("ProviderName") or s.has("ServiceProviderName") or s.has("PublisherName"))

    def read(self, ctx: Context) -> str:
        ctx.raw_auto()
        c = ctx.col
        provider = f"(coalesce({c('ProviderName')}, {c('ServiceProviderName')}, {c('PublisherName')}))"
        desc = f"coalesce(({c('x_SkuMeterSubcategory')}), ({c('SkuMeter')}), ({c('ChargeDescription')}))"
        unit = f"coalesce(({c('ConsumedUnit')}), ({c('PricingUnit')}))"
        qty = f"coalesce(rs_dec({c('ConsumedQuantity')}), rs_dec({c('PricingQuantity')}))"
        tags = c("Tags")
        az = {"model": "NULL", "raw": "NULL", "type": "NULL", "tokens": "NULL", "tier": "NULL"}
        join = ""
        if ctx.has("x_SkuMeterSubcategory", "x_SkuMeterName"):  # a Microsoft FOCUS export
            meter = f"coalesce({c('x_SkuMeterName')}, {c('SkuMeter')})"
            meter_table(ctx, c("x_SkuMeterCategory"), c("x_SkuMeterSubcategory"), meter)
            join = meter_join(c("x_SkuMeterCategory"), c("x_SkuMeterSubcategory"), meter)
            block = f"coalesce(rs_num({c('x_PricingBlockSize')}), 1)"
            az = {"model": "az_model", "raw": "az_model_raw", "type": "az_token_type", "tier": "az_tier",
                  "tokens": (f"CASE WHEN az_token_type IS NOT NULL THEN coalesce(rs_num({c('ConsumedQuantity')}), "
                             f"rs_num({c('PricingQuantity')}) * {block}) END")}
        cols = [f"rs_dec({c(n)}) AS {n}" for n in DECIMALS]
        cols += [f"rs_ts({c(n)}) AS {n}" for n in TIMESTAMPS]
        cols += [f"({c(n)}) AS {n}" for n in STRINGS]
        cols += [
            f"{provider} AS ProviderName",
            f"CASE WHEN json_valid(({tags})) THEN ({tags})::JSON END AS Tags",
            f"coalesce(({c('x_Model')}), {az['model']}) AS x_Model",
            f"coalesce(({c('x_ModelRaw')}), {az['raw']}) AS x_ModelRaw",
            f"coalesce(({c('x_ServiceTier')}), {az['tier']}) AS x_ServiceTier",
            f"coalesce(({c('x_TokenType')}), {az['type']}, {token_type_sql(unit, desc)}) AS x_TokenType",
            f"coalesce(rs_num({c('x_Tokens')}), {az['tokens']}, {token_count_sql(unit, qty)}) AS x_Tokens",
            f"rs_int({c('x_Requests')}) AS x_Requests",
        ]
        reject = f"""CASE
            WHEN rs_bad_num({c('BilledCost')}) THEN 'BilledCost "' || {c('BilledCost')} || '" is not a number'
            WHEN rs_bad_num({c('EffectiveCost')}) THEN 'EffectiveCost "' || {c('EffectiveCost')} || '" is not a number'
            WHEN rs_dec({c('BilledCost')}) IS NULL THEN 'BilledCost is empty'
            WHEN rs_ts({c('ChargePeriodStart')}) IS NULL THEN 'ChargePeriodStart "' || coalesce({c('ChargePeriodStart')}, '') || '" is not a date'
            WHEN ({c('BillingCurrency')}) IS NULL THEN 'BillingCurrency is empty'
        END"""
        optional = [n for n in DECIMALS if n not in ("BilledCost", "EffectiveCost")]
        bad_values = " ".join(
            [f"WHEN rs_bad_num({c(n)}) THEN '{n} \"' || {c(n)} || '\" is not a number; left empty, row kept'"
             for n in optional if ctx.has(n)]
            + [f"WHEN {c(n)} IS NOT NULL AND rs_ts({c(n)}) IS NULL THEN '{n} \"' || {c(n)} || '\" is not a date; left empty, row kept'"
               for n in TIMESTAMPS if n != "ChargePeriodStart" and ctx.has(n)])
        warn = f"""CASE
            {bad_values}
            WHEN rs_num({c('AvailabilityZone')}) IS NOT NULL
                THEN 'AvailabilityZone holds a number (' || {c('AvailabilityZone')} || '): values look shifted into the wrong columns; kept as billed'
            WHEN ({tags}) IS NOT NULL AND NOT json_valid(({tags}))
                THEN 'Tags is not JSON; tags dropped, row kept'
        END"""
        return (f"SELECT {', '.join(cols)}, {ctx.row_hash()} AS _key, _line, {reject} AS _reject, "
                f"{warn} AS _warn FROM {ctx.RAW} {join}")
