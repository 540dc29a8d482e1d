-- The billing view as FOCUS 1.2 rows for one period, with x_ columns for the AI fields.
-- Columns rightsize does not track are NULL (allowed for every Conditional/Recommended column).
SELECT
    BilledCost,
    coalesce(BillingAccountId, '(unknown)') AS BillingAccountId,
    BillingAccountName,
    NULL::VARCHAR AS BillingAccountType,
    BillingCurrency,
    strftime(coalesce(BillingPeriodEnd, date_trunc('month', ChargePeriodStart) + INTERVAL 1 MONTH), '%Y-%m-%dT%H:%M:%SZ') AS BillingPeriodEnd,
    strftime(coalesce(BillingPeriodStart, date_trunc('month', ChargePeriodStart)), '%Y-%m-%dT%H:%M:%SZ') AS BillingPeriodStart,
    NULL::VARCHAR AS CapacityReservationId,
    NULL::VARCHAR AS CapacityReservationStatus,
    ChargeCategory,
    ChargeClass,
    ChargeDescription,
    coalesce(ChargeFrequency, CASE WHEN ChargeCategory = 'Purchase' THEN 'One-Time' ELSE 'Usage-Based' END) AS ChargeFrequency,
    strftime(coalesce(ChargePeriodEnd, ChargePeriodStart + INTERVAL 1 DAY), '%Y-%m-%dT%H:%M:%SZ') AS ChargePeriodEnd,
    strftime(ChargePeriodStart, '%Y-%m-%dT%H:%M:%SZ') AS ChargePeriodStart,
    NULL::VARCHAR AS CommitmentDiscountCategory,
    NULL::VARCHAR AS CommitmentDiscountId,
    NULL::VARCHAR AS CommitmentDiscountName,
    NULL::DECIMAL(38, 12) AS CommitmentDiscountQuantity,
    NULL::VARCHAR AS CommitmentDiscountStatus,
    NULL::VARCHAR AS CommitmentDiscountType,
    NULL::VARCHAR AS CommitmentDiscountUnit,
    ConsumedQuantity,
    ConsumedUnit,
    coalesce(ContractedCost, EffectiveCost, BilledCost) AS ContractedCost,
    ContractedUnitPrice,
    coalesce(EffectiveCost, BilledCost) AS EffectiveCost,
    NULL::VARCHAR AS InvoiceId,  -- no source we read carries it per line yet
    -- FOCUS (BilledCost-C-005) reads ProviderName <> InvoiceIssuerName as a third party collecting the
    -- payment (a marketplace), where BilledCost must be 0. Our sources name the provider's own legal
    -- entity ("Amazon Web Services, Inc." for AWS, "Google" for Google Cloud, "Microsoft Ireland ..."),
    -- which is the provider itself (same first word, or AWS / Amazon): write the provider's name and
    -- keep the entity in x_InvoiceIssuerEntity.
    -- Any other issuer (a real reseller) is written as the source says.
    CASE WHEN InvoiceIssuerName IS NULL
              OR lower(split_part(InvoiceIssuerName, ' ', 1)) = lower(split_part(ProviderName, ' ', 1))
              OR (ProviderName = 'AWS' AND regexp_matches(InvoiceIssuerName, '^(Amazon Web Services|Amazon\.com)')) THEN ProviderName
         ELSE InvoiceIssuerName END AS InvoiceIssuerName,
    coalesce(ListCost, BilledCost) AS ListCost,
    ListUnitPrice,
    PricingCategory,
    NULL::VARCHAR AS PricingCurrency,
    NULL::DECIMAL(38, 12) AS PricingCurrencyContractedUnitPrice,
    NULL::DECIMAL(38, 12) AS PricingCurrencyEffectiveCost,
    NULL::DECIMAL(38, 12) AS PricingCurrencyListUnitPrice,
    CASE WHEN PricingUnit IS NOT NULL THEN PricingQuantity
         WHEN x_Tokens IS NOT NULL THEN x_Tokens END AS PricingQuantity,
    -- FOCUS Unit Format: '1K tokens' -> '1000 Tokens'; token lines without a unit are priced per token
    -- (Azure OpenAI meters say '1K' / '1M' on token lines)
    CASE WHEN regexp_matches(PricingUnit, '^1[Kk]( tokens?)?$') AND (x_TokenType IS NOT NULL OR PricingUnit ILIKE '%token%')
         THEN '1000 Tokens'
         WHEN regexp_matches(PricingUnit, '^1[Mm]( tokens?)?$') AND (x_TokenType IS NOT NULL OR PricingUnit ILIKE '%token%')
         THEN '1000000 Tokens'
         WHEN PricingUnit IS NOT NULL THEN PricingUnit
         WHEN x_Tokens IS NOT NULL THEN 'Tokens' END AS PricingUnit,
    ProviderName,
    coalesce(PublisherName, ProviderName) AS PublisherName,
    RegionId,
    RegionName,
    ResourceId,
    ResourceName,
    NULL::VARCHAR AS ResourceType,
    -- one category per ServiceName (FOCUS ServiceName-C-005): a tax line takes its service's category
    coalesce(max(ServiceCategory) FILTER (WHERE ServiceCategory <> 'Other')
             OVER (PARTITION BY coalesce(ServiceName, ProviderName)), ServiceCategory, 'Other') AS ServiceCategory,
    coalesce(ServiceName, ProviderName) AS ServiceName,
    CASE WHEN max(ServiceCategory) FILTER (WHERE ServiceCategory <> 'Other')
                  OVER (PARTITION BY coalesce(ServiceName, ProviderName)) = 'AI and Machine Learning'
         THEN 'Generative AI'
         ELSE 'Other (' || coalesce(ServiceCategory, 'Other') || ')' END AS ServiceSubcategory,
    SkuId,
    NULL::VARCHAR AS SkuMeter,
    NULL::VARCHAR AS SkuPriceDetails,
    SkuPriceId,
    SubAccountId,
    SubAccountName,
    NULL::VARCHAR AS SubAccountType,
    CAST(Tags AS VARCHAR) AS Tags,
    x_Model, x_ModelRaw, x_TokenType, x_Tokens, x_ServiceTier, x_Requests, x_LineType, x_SourceFile,
    InvoiceIssuerName AS x_InvoiceIssuerEntity
FROM billing
WHERE ChargePeriodStart >= CAST($start AS TIMESTAMP)
  AND ChargePeriodStart < CAST($end AS TIMESTAMP)
  AND x_LineType = 'cost'
  AND ($team IS NULL OR coalesce(Tags->>'team', Tags->>'Team') = $team)
ORDER BY ChargePeriodStart, ProviderName, ServiceName
