"""One alias table for model names: billing lines and request logs meet on the same model id.

Sources spell the same model many ways: dated snapshots (``gpt-4o-2024-08-06``), gateway prefixes
(``openai/gpt-4o``), Bedrock ids (``us.anthropic.claude-3-5-sonnet-20241022-v2:0``), Azure meters
(``gpt-4o-mini-0718``) and display names (``Claude Sonnet 4``). ``canonical_model`` maps each to one
lower-case id, which is the id genai-prices knows where it knows one. Explicit aliases live in
``aliases.csv`` beside this file (raw,canonical); users may add their own (see docs/prices.md).
"""

from __future__ import annotations

import csv
import re
from functools import cache
from importlib import resources

_GATEWAY_PREFIXES = (
    "openai/", "anthropic/", "azure/", "azure_ai/", "bedrock/", "bedrock_converse/", "vertex_ai/",
    "vertex_ai_beta/", "gemini/", "google/", "models/", "meta-llama/", "meta/", "mistralai/",
    "mistral/", "groq/", "together_ai/", "openrouter/", "deepseek/", "x-ai/", "xai/", "cohere/",
)
_BEDROCK = re.compile(
    r"^(?:(?:us|eu|apac|au|jp|ca|global|us-gov)\.)?"
    r"(anthropic|meta|amazon|mistral|cohere|ai21|deepseek|openai|qwen|writer|stability)\.(.+?)"
    r"(?:-v\d+(?::\d+)?)?(?::\d+)?$"
)


@cache
def _aliases() -> dict[str, str]:
    path = resources.files("ingest") / "aliases.csv"
    with path.open(encoding="utf-8") as fh:
        return {row["raw"].strip().lower(): row["canonical"].strip()
                for row in csv.DictReader(line for line in fh if not line.startswith("#"))}


def canonical_model(raw: str | None) -> str | None:
    """The one id for a model name as any source writes it (None stays None)."""
    if raw is None:
        return None
    name = raw.strip().lower()
    if not name:
        return None
    aliases = _aliases()
    if name in aliases:
        return aliases[name]
    for prefix in _GATEWAY_PREFIXES:
        if name.startswith(prefix):
            name = name[len(prefix):]
            break
    if "/" in name:  # other gateway/vendor prefixes: keep the model part
        name = name.rsplit("/", 1)[1]
    m = _BEDROCK.match(name)
    if m:
        name = m.group(2)
    name = re.sub(r"\s+", "-", name.replace("_", "-")).replace("--", "-")
    name = _bedrock_cur_name(name)
    # Anthropic prices a model family, not its dated snapshot: claude-sonnet-4-5-20250929 -> claude-sonnet-4-5
    name = re.sub(r"^(claude-.+?)-(\d{8})$", r"\1", name)
    return aliases.get(name, name)


def _bedrock_cur_name(name: str) -> str:
    """Bedrock usage-type model names (``Claude4.5Sonnet``, ``Claude3Haiku``, ``Llama3.3-70B``)
    and Bedrock ids (``llama3-3-70b-instruct``) as catalog ids."""
    m = re.fullmatch(r"claude-?(\d+(?:[.-]\d+)?)-?(sonnet|opus|haiku)", name)
    if m:
        version, family = m[1].replace(".", "-"), m[2]
        return f"claude-{family}-{version}" if int(version.split("-")[0]) >= 4 else f"claude-{version}-{family}"
    m = re.fullmatch(r"llama-?(\d+)[.-](\d+)-(\d+b)(?:-instruct)?", name)
    if m:
        return f"llama-{m[1]}.{m[2]}-{m[3]}"
    return name


# Provider names as gateways, logs and invoices write them -> one key. The keys are genai-prices'
# provider ids where it has one (aws for Bedrock, google for Vertex/Gemini); self-hosted servers
# (vLLM, Ollama, TGI) are `self-hosted`, which no catalog prices.
PROVIDER_KEYS: dict[str, str] = {
    "openai": "openai", "azure": "azure", "azure_openai": "azure", "azure_ai": "azure",
    "microsoft": "azure", "azure openai": "azure",
    "anthropic": "anthropic",
    "bedrock": "aws", "bedrock_converse": "aws", "aws": "aws", "amazon": "aws", "aws bedrock": "aws",
    "amazon web services": "aws", "amazon bedrock": "aws",
    "vertex_ai": "google", "vertex_ai_beta": "google", "vertex": "google", "google": "google",
    "gemini": "google", "google-vertex": "google", "google_vertex": "google", "gcp": "google",
    "google cloud": "google", "google cloud platform": "google", "vertex ai": "google",
    "hosted_vllm": "self-hosted", "vllm": "self-hosted", "ollama": "self-hosted", "ollama_chat": "self-hosted",
    "huggingface_tgi": "self-hosted", "self-hosted": "self-hosted", "self_hosted": "self-hosted",
    "selfhosted": "self-hosted", "local": "self-hosted",
    "together_ai": "together", "together": "together", "fireworks_ai": "fireworks", "fireworks": "fireworks",
    "xai": "x-ai", "x-ai": "x-ai", "mistral": "mistral", "mistralai": "mistral", "deepseek": "deepseek",
    "groq": "groq", "openrouter": "openrouter", "cohere": "cohere", "perplexity": "perplexity",
    # OpenTelemetry gen_ai.provider.name values (semconv v1.41.1)
    "aws.bedrock": "aws", "azure.ai.openai": "azure", "azure.ai.inference": "azure", "gcp.vertex_ai": "google",
    "gcp.gemini": "google", "gcp.gen_ai": "google", "mistral_ai": "mistral", "x_ai": "x-ai",
    "ibm.watsonx.ai": "ibm",
}


def provider_key(raw: str | None) -> str | None:
    """The one key for a provider name (``bedrock`` -> ``aws``); unknown names are lower-cased."""
    if raw is None or not raw.strip():
        return None
    name = raw.strip().lower()
    return PROVIDER_KEYS.get(name, name)


def provider_key_sql(expr: str) -> str:
    """``provider_key`` as a SQL expression over ``expr`` (for joins of billing and request logs)."""
    pairs = ", ".join(f"'{k}': '{v}'" for k, v in PROVIDER_KEYS.items())
    low = f"lower(trim({expr}))"
    return f"coalesce(MAP {{{pairs}}}[{low}], nullif({low}, ''))"
