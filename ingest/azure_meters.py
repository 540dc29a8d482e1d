"""Azure OpenAI (Foundry Models) meter strings -> model, token type, tier and deployment type.

Azure bills model tokens on meters whose names carry everything we need, spelled inconsistently:
``gpt-4o-mini-0718-Inp-glbl Tokens``, ``gpt 4o 0513 Input global Tokens``, ``gpt 4.1 nano cached
Inp glbl``, ``GPT 5 Inpt Glbl``, ``gpt-4-8K-Batch-Inp-glbl Tokens``, ``gpt 4.5 0227 cached Inp
regnl``, ``... cached Inp DZone``, ``R1 Inp glbl Tokens``, ``gpt-4o-transcribe-aud-inp-glbl Tokens``
(FORMATS.md §5c). Which column holds the string varies by export (MeterName, MeterSubCategory, or
``x_SkuMeterSubcategory``/``x_SkuMeterName`` in Azure FOCUS exports), so callers pass every
candidate and the first that parses wins.

Choices, documented here because every reader of Azure data inherits them:

- **Model**: ``model_raw`` is the model part of the meter as written (``gpt-4o-mini-0718``);
  ``model`` is the canonical id. Azure's four-digit version codes (MMDD) become OpenAI's dated
  snapshot ids through ``aliases.csv`` (``gpt-4o-0513`` -> ``gpt-4o-2024-05-13``), because
  snapshots of one family are priced differently and genai-prices knows the dated ids. A code not
  in the alias table is dropped and the family id is used (``gpt-4o-0999`` -> ``gpt-4o``).
- **Token type**: ``cached`` -> cache_read; ``Inp``/``Input``/``Inpt`` -> input;
  ``Outp``/``Output``/``Opt`` -> output; embedding meters (no direction) -> input. Audio
  (``aud``), text (``Txt``) and image (``Img``) markers are modality, not direction, and are
  skipped; reasoning tokens are billed inside output on Azure.
- **Tier**: ``batch`` when the meter says Batch, else ``standard`` (PTU meters name no model
  and are not parsed here; readers mark them ``provisioned``). The deployment type (``glbl``/``global`` -> global, ``DZone``/``Data Zone`` ->
  datazone, ``regnl``/``regional`` -> regional) is *not* folded into the tier, so tiers compare
  across providers; readers put it in Tags as ``x_AzureDeployment``.
- **Publisher**: from the model family (OpenAI for gpt/o-series/dall-e/whisper/tts/embeddings,
  DeepSeek for R1/V3, Meta for Llama, ...), because Foundry bills third-party models the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.models import _aliases, canonical_model

_DIRECTION = {  # bare "In"/"Out" are not here: "Data Transfer In" is not a model meter
    "cached": "cache_read", "cchd": "cache_read",
    "inp": "input", "input": "input", "inpt": "input",
    "outp": "output", "output": "output", "opt": "output",
}
_DEPLOYMENT = {
    "glbl": "global", "global": "global",
    "regnl": "regional", "regional": "regional", "rgnl": "regional",
    "dzone": "datazone", "datazone": "datazone",
}
_MODALITY = {"aud", "audio", "txt", "img"}
_NOISE = {"tokens", "token", "tkns", "1k", "1m", "units"}
_TIERS = {"batch": "batch"}
_MARKERS = set(_DIRECTION) | set(_DEPLOYMENT) | _MODALITY | _NOISE | set(_TIERS)
_SPLIT = re.compile(r"[\s\-_]+")
_MMDD = re.compile(r"^(.+)-(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$")
_AI_CATEGORIES = ("openai", "cognitive services", "foundry", "azure ai", "ai services", "models")
_PUBLISHERS = [
    (re.compile(r"^(gpt|o\d|chatgpt|dall-?e|whisper|tts|text-embedding|davinci|babbage|codex|sora|computer-use)"), "OpenAI"),
    (re.compile(r"^(deepseek|r1|v3)"), "DeepSeek"),
    (re.compile(r"^(llama|meta)"), "Meta"),
    (re.compile(r"^(mistral|ministral|codestral|pixtral)"), "Mistral AI"),
    (re.compile(r"^phi"), "Microsoft"),
    (re.compile(r"^grok"), "xAI"),
    (re.compile(r"^claude"), "Anthropic"),
    (re.compile(r"^(cohere|command|embed-)"), "Cohere"),
]


@dataclass(frozen=True)
class AzureMeter:
    model_raw: str
    model: str
    token_type: str | None      # None for non-token meters of a model (e.g. provisioned hours)
    tier: str                   # standard | batch | provisioned
    deployment: str | None      # global | datazone | regional | None (not stated)
    publisher: str


def canonical_azure_model(raw: str) -> str:
    """Canonical id for the model part of an Azure meter (see the module docstring)."""
    canonical = canonical_model(raw) or raw.lower()
    if canonical in _aliases().values() or canonical.lower() in _aliases():
        return canonical
    m = _MMDD.match(canonical)
    return (canonical_model(m.group(1)) or m.group(1)) if m else canonical


def publisher_of(model: str) -> str:
    for pattern, publisher in _PUBLISHERS:
        if pattern.match(model):
            return publisher
    return "Microsoft"


def parse_meter(text: str | None, category: str | None = None) -> AzureMeter | None:
    """Parse one meter string; None when it is not a model-token meter (PTU hours included)."""
    if not text or not text.strip():
        return None
    low = re.sub(r"data\s*zone", "dzone", text.strip().lower())
    words = [w for w in _SPLIT.split(low) if w]
    cat = (category or "").lower()
    ai_category = any(k in cat for k in _AI_CATEGORIES)
    if "provisioned" in words or "ptu" in words:
        return None  # PTU hours name no model; readers mark them x_ServiceTier 'provisioned'
    direction = next((_DIRECTION[w] for w in words if w in _DIRECTION), None)
    if "cached" in words or "cchd" in words:
        direction = "cache_read"
    if direction is None and "embedding" in low and ("tokens" in words or ai_category):
        direction = "input"
    if direction is None:
        return None
    if not ("tokens" in words or "token" in words or ai_category
            or any(w in _DEPLOYMENT for w in words)):
        return None
    # The model is what precedes the first marker word.
    model_words: list[str] = []
    for w in words:
        if w in _MARKERS:
            break
        model_words.append(w)
    if not model_words:
        return None
    # Keep the model as written: cut the original text at the same word.
    cut = _cut_original(text.strip(), len(model_words))
    deployment = next((_DEPLOYMENT[w] for w in words if w in _DEPLOYMENT), None)
    tier = "batch" if "batch" in words else "standard"
    model = canonical_azure_model(cut)
    return AzureMeter(cut, model, direction, tier, deployment, publisher_of(model))


def _cut_original(text: str, n_words: int) -> str:
    parts = re.split(r"([\s\-_]+)", text)
    out: list[str] = []
    seen = 0
    for p in parts:
        if not p:
            continue
        if _SPLIT.fullmatch(p):
            out.append(p)
            continue
        if seen == n_words:
            break
        out.append(p)
        seen += 1
    return "".join(out).strip(" -_")


def parse_meter_fields(category: str | None, subcategory: str | None, name: str | None) -> AzureMeter | None:
    """Parse an Azure meter wherever the model string sits: MeterName first (the most specific),
    then MeterSubCategory, then the two joined (some exports split the model into the
    subcategory and the direction into the name)."""
    for t in (name, subcategory):
        m = parse_meter(t, category)
        if m is not None:
            return m
    if subcategory and name:
        return parse_meter(f"{subcategory} {name}", category)
    return None
