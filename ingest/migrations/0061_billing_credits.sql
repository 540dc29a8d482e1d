-- Credits netted into a line's BilledCost (Google Cloud's `credits` column), kept apart so the
-- reconciliation can name them.
ALTER TABLE billing_line ADD COLUMN x_Credits DECIMAL(38, 12);

CREATE OR REPLACE VIEW billing AS
SELECT
    b.BilledCost, b.EffectiveCost, b.ListCost, b.ContractedCost, b.BillingCurrency,
    b.BillingPeriodStart, b.BillingPeriodEnd, b.ChargePeriodStart, b.ChargePeriodEnd,
    b.ChargeCategory, b.ChargeClass, b.ChargeDescription, b.ChargeFrequency,
    b.BillingAccountId, b.BillingAccountName, b.ProviderName, b.PublisherName, b.InvoiceIssuerName,
    b.ServiceName, b.ServiceCategory, b.SubAccountId, b.SubAccountName, b.RegionId, b.RegionName,
    b.ResourceId, b.ResourceName, b.SkuId, b.SkuPriceId, b.PricingCategory,
    b.ConsumedQuantity, b.ConsumedUnit, b.PricingQuantity, b.PricingUnit,
    b.ListUnitPrice, b.ContractedUnitPrice, b.Tags,
    b.x_Model, b.x_ModelRaw, b.x_TokenType, b.x_Tokens, b.x_ServiceTier, b.x_Requests, b.x_Credits,
    coalesce(b.x_LineType, 'cost') AS x_LineType,
    f.name AS x_SourceFile, f.format AS x_SourceFormat, b.line_no AS x_SourceLine
FROM billing_line b
JOIN source_file f ON f.id = b.source_file_id
WHERE f.status = 'loaded';
