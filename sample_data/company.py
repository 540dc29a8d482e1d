"""Who the sample company is: its teams, its workloads and the prices it pays.

Kept apart from the generator so a reader can see the whole organisation on one screen. Every
workload names the deployment it calls (which provider bills it, in which export), the gateway that
logs it (LiteLLM, Langfuse, or none: the planted "missing from logs" gap), and its token shape.

Prices are list prices from genai-prices' bundled snapshot (read offline), except where no list price
exists: the OpenAI fine-tune (billed, but genai-prices does not know it: the planted "unpriced model")
and the self-hosted model (priced only by the negotiated-price TOML the generator writes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

TEAMS = ["support", "search", "legal", "sales", "marketing", "eng-productivity", "data-platform",
         "finance", "hr", "trust-safety", "growth", "product-analytics"]


@dataclass(frozen=True)
class Deployment:
    """A model as one provider sells it, with the names each file spells it by."""

    key: str
    source: str            # billing export: openai | anthropic | aws | gcp | azure | self-hosted
    log_model: str         # what the gateways write in their model field
    price_provider: str    # genai-prices provider id ('' = not in genai-prices)
    price_model: str       # genai-prices model ref
    bill_name: str         # the model as the billing export spells it (snapshot, usage-type stem, SKU stem, meter stem)
    litellm_provider: str  # LiteLLM custom_llm_provider
    reasoning: bool = False
    caching: str = ""      # '' | 'read' (OpenAI/Gemini implicit) | 'read_write' (Anthropic-style)
    fixed_price: tuple[str, str, str, str] | None = None  # (input, output, cache_read, cache_write) per 1M when not in genai-prices


DEPLOYMENTS: dict[str, Deployment] = {d.key: d for d in [
    Deployment("gpt-4.1", "openai", "gpt-4.1", "openai", "gpt-4.1", "gpt-4.1-2025-04-14", "openai", caching="read"),
    Deployment("gpt-4.1-mini", "openai", "gpt-4.1-mini", "openai", "gpt-4.1-mini", "gpt-4.1-mini-2025-04-14", "openai", caching="read"),
    Deployment("gpt-4o", "openai", "gpt-4o", "openai", "gpt-4o", "gpt-4o-2024-08-06", "openai", caching="read"),
    Deployment("gpt-5", "openai", "gpt-5", "openai", "gpt-5", "gpt-5-2025-08-07", "openai", reasoning=True, caching="read"),
    Deployment("gpt-5-mini", "openai", "gpt-5-mini", "openai", "gpt-5-mini", "gpt-5-mini-2025-08-07", "openai", reasoning=True, caching="read"),
    # OpenAI fine-tune: OpenAI bills it, genai-prices has no price for it (planted unpriced model).
    Deployment("ft-gpt-4.1-mini", "openai", "ft:gpt-4.1-mini-2025-04-14:acme:resumes:B7xQ2", "", "",
               "ft:gpt-4.1-mini-2025-04-14:acme:resumes:B7xQ2", "openai", caching="read",
               fixed_price=("0.80", "3.20", "0.20", "0")),
    Deployment("claude-sonnet-4-5", "anthropic", "claude-sonnet-4-5-20250929", "anthropic", "claude-sonnet-4-5",
               "claude-sonnet-4-5-20250929", "anthropic", caching="read_write"),
    Deployment("claude-haiku-4-5", "anthropic", "claude-haiku-4-5-20251001", "anthropic", "claude-haiku-4-5",
               "claude-haiku-4-5-20251001", "anthropic", caching="read_write"),
    Deployment("claude-opus-4-1", "anthropic", "claude-opus-4-1-20250805", "anthropic", "claude-opus-4-1",
               "claude-opus-4-1-20250805", "anthropic", caching="read_write"),
    # Bedrock: usage-type stems per FORMATS.md §3c (USE1-<Model>-input-tokens[-cross-region-global|-batch]).
    Deployment("bedrock-claude-sonnet-4-5-global", "aws", "global.anthropic.claude-sonnet-4-5-20250929-v1:0", "aws",
               "global.anthropic.claude-sonnet-4-5-20250929-v1:0", "Claude4.5Sonnet", "bedrock", caching="read_write"),
    Deployment("bedrock-claude-haiku-4-5", "aws", "anthropic.claude-haiku-4-5-20251001-v1:0", "aws",
               "anthropic.claude-haiku-4-5-20251001-v1:0", "Claude4.5Haiku", "bedrock", caching="read_write"),
    Deployment("bedrock-llama-3-3-70b", "aws", "meta.llama3-3-70b-instruct-v1:0", "aws",
               "meta.llama3-3-70b-instruct-v1:0", "Llama3.3-70B", "bedrock"),
    # Vertex: SKU stems per FORMATS.md §4c ("Gemini 2.5 Flash GA Text Input - Predictions").
    Deployment("gemini-2.5-flash", "gcp", "gemini-2.5-flash", "google", "gemini-2.5-flash", "Gemini 2.5 Flash",
               "vertex_ai", reasoning=False, caching="read"),
    Deployment("gemini-2.5-pro", "gcp", "gemini-2.5-pro", "google", "gemini-2.5-pro", "Gemini 2.5 Pro",
               "vertex_ai", reasoning=True, caching="read"),
    # Azure OpenAI: meter stems per FORMATS.md §5c ("gpt 4o mini 0718 Input global Tokens").
    Deployment("azure-gpt-4o-mini", "azure", "gpt-4o-mini", "azure", "gpt-4o-mini", "gpt 4o mini 0718", "azure", caching="read"),
    Deployment("azure-gpt-4.1", "azure", "gpt-4.1", "azure", "gpt-4.1", "gpt 4.1 0414", "azure", caching="read"),
    # Self-hosted vLLM: no bill; priced only by the negotiated-price TOML.
    Deployment("acme-llama-70b-ft", "self-hosted", "acme-llama-70b-ft", "", "", "acme-llama-70b-ft", "hosted_vllm",
               fixed_price=("0.20", "0.60", "0.05", "0")),
]}


@dataclass(frozen=True)
class Workload:
    """One feature: who owns it, what it does, where it runs and how its requests look."""

    name: str
    team: str
    kind: str
    deployment: str
    gateway: str            # litellm | langfuse | none (calls the provider directly: not in any log)
    daily: float            # mean requests per weekday at the start of the period, scale 1
    input_median: int
    output_median: int
    pattern: str = "business"   # business | internal | batch | always
    growth: float = 0.25        # relative growth over the period
    cache_share: float = 0.0    # share of input served from cache on cached requests
    cache_prob: float = 0.0     # share of requests that hit a cached prefix
    batch: bool = False         # submitted through the provider's batch API (billed at 50%)
    launch_day: int = 0         # first day with traffic (ramps in over 10 days)
    spike_day: int | None = None  # day index of an incident (retry storm)
    prompt: str = ""
    candidate: str | None = None      # cheaper model evaluated for it
    movable: bool | None = None       # does the candidate really hold quality?
    tags: tuple[str, ...] = field(default_factory=tuple)


WORKLOADS: list[Workload] = [
    Workload("ticket-triage", "support", "classification", "gpt-4.1", "litellm", 1250, 620, 8,
             cache_share=0.7, cache_prob=0.6, candidate="gpt-4.1-mini", movable=True),
    Workload("support-rag-answers", "support", "rag", "claude-sonnet-4-5", "litellm", 1000, 6000, 380,
             cache_share=0.55, cache_prob=0.7, candidate="claude-haiku-4-5-20251001", movable=True),
    Workload("support-agent", "support", "agentic", "claude-sonnet-4-5", "langfuse", 190, 18000, 520,
             cache_share=0.8, cache_prob=0.85, spike_day=52, growth=0.4),
    Workload("sentiment-tagging", "trust-safety", "classification", "gemini-2.5-flash", "litellm", 900, 320, 5,
             pattern="always", growth=0.1),
    Workload("content-moderation", "trust-safety", "classification", "bedrock-llama-3-3-70b", "litellm", 700, 450, 4,
             pattern="always", growth=0.15, candidate="meta.llama3-1-8b-instruct-v1:0", movable=False),
    Workload("invoice-extraction", "finance", "extraction", "azure-gpt-4.1", "litellm", 380, 4000, 420,
             cache_share=0.4, cache_prob=0.5),
    Workload("receipt-extraction", "finance", "extraction", "azure-gpt-4o-mini", "litellm", 520, 1200, 210),
    Workload("contract-review", "legal", "long-document", "claude-opus-4-1", "langfuse", 30, 70000, 2400,
             cache_share=0.45, cache_prob=0.5, candidate="claude-sonnet-4-5-20250929", movable=False),
    Workload("clause-extraction", "legal", "extraction", "bedrock-claude-sonnet-4-5-global", "langfuse", 140, 12000, 780,
             cache_share=0.6, cache_prob=0.6),
    Workload("search-answers", "search", "rag", "gpt-5-mini", "litellm", 1100, 4500, 320, launch_day=20,
             growth=0.5, cache_share=0.5, cache_prob=0.5),
    Workload("query-rewrite", "search", "classification", "gpt-4.1-mini", "litellm", 1350, 160, 30, growth=0.3),
    Workload("search-summaries", "search", "summarization", "gemini-2.5-pro", "langfuse", 230, 12000, 380,
             cache_share=0.3, cache_prob=0.3, candidate="gemini-2.5-flash", movable=True),
    Workload("code-review-bot", "eng-productivity", "code", "claude-sonnet-4-5", "langfuse", 260, 24000, 900,
             pattern="internal", cache_share=0.7, cache_prob=0.75),
    Workload("code-assist", "eng-productivity", "code", "gpt-5", "litellm", 340, 9000, 1100, pattern="internal",
             cache_share=0.6, cache_prob=0.6, growth=0.35),
    Workload("ci-failure-explainer", "eng-productivity", "summarization", "bedrock-claude-haiku-4-5", "litellm", 170,
             8000, 300, pattern="internal", cache_share=0.5, cache_prob=0.4),
    Workload("sales-email-drafts", "sales", "generation", "gpt-4o", "litellm", 300, 900, 350,
             candidate="gpt-4.1-mini", movable=True),
    Workload("call-summaries", "sales", "summarization", "claude-haiku-4-5", "langfuse", 230, 12000, 480,
             cache_share=0.2, cache_prob=0.3),
    Workload("growth-experiments", "growth", "generation", "gpt-4o", "none", 190, 1500, 400, growth=0.6),
    Workload("marketing-copy", "marketing", "generation", "gemini-2.5-flash", "langfuse", 190, 700, 520),
    Workload("seo-summaries", "marketing", "summarization", "claude-haiku-4-5", "litellm", 380, 3000, 300,
             pattern="batch", batch=True, growth=0.2),
    Workload("catalog-enrichment", "data-platform", "extraction", "bedrock-llama-3-3-70b", "litellm", 520, 800, 150,
             pattern="batch", batch=True, growth=0.2),
    Workload("pii-redaction", "data-platform", "classification", "acme-llama-70b-ft", "litellm", 600, 700, 600,
             pattern="always"),
    Workload("hr-policy-qa", "hr", "rag", "azure-gpt-4o-mini", "langfuse", 115, 2500, 250),
    Workload("resume-screening", "hr", "classification", "ft-gpt-4.1-mini", "langfuse", 150, 1500, 10),
    Workload("feedback-clustering", "product-analytics", "summarization", "gpt-4.1", "langfuse", 90, 4000, 600),
    Workload("dashboard-nl-query", "product-analytics", "code", "claude-sonnet-4-5", "litellm", 150, 3000, 250,
             pattern="internal", cache_share=0.6, cache_prob=0.6),
]


@cache
def list_price(key: str) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """(input, output, cache_read, cache_write) USD per 1M tokens for a deployment.

    From genai-prices' bundled snapshot (no network: calc_price reads the packaged data). Tiered
    prices take their base tier: the generator keeps every prompt under the 200k tier start.
    """
    d = DEPLOYMENTS[key]
    if d.fixed_price is not None:
        return tuple(Decimal(p) for p in d.fixed_price)  # type: ignore[return-value]
    from genai_prices import Usage, calc_price

    mp = calc_price(Usage(input_tokens=1, output_tokens=1), model_ref=d.price_model,
                    provider_id=d.price_provider).model_price

    def base(v: object) -> Decimal:
        if v is None:
            return Decimal(0)
        return Decimal(str(getattr(v, "base", v)))

    inp = base(mp.input_mtok)
    cw = base(mp.cache_write_mtok)
    return (inp, base(mp.output_mtok), base(mp.cache_read_mtok), cw)
