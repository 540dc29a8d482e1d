"""Generate the sample company's files: provider billing exports, gateway logs, evals, prices, truth.

Everything is seeded and offline: the same ``(seed, months, scale)`` gives the same bytes. Requests
are drawn per workload with numpy (weekly seasonality, growth, a launch ramp, an incident spike),
priced at genai-prices list prices, and written in the formats documented in
../shared/research/FORMATS.md — the section is cited at each writer. Billing lines are the sums of the
requests' tokens per provider/model/day/token type, priced exactly and rounded the way each provider
rounds, so billing equals the logs EXCEPT for the gaps this module plants on purpose:

- ``missing_logs``: team growth calls OpenAI directly (no gateway): billed, never logged.
- ``unpriced_model``: an OpenAI fine-tune is billed; the gateway could not price it (logged cost empty).
- ``batch_discount``: batch jobs (Anthropic, Bedrock Llama) are billed at 50%; gateways log list price.
- ``negotiated_discount``: Anthropic bills 12.5% off from the start of the second month (the price
  change); the gateway logs list price; the negotiated-price TOML explains it.
- ``credits``: a Vertex AI promotion credit in the first month (GCP ``credits`` column).
- ``tax``: AWS sales tax lines in the CUR.
- ``rounding``: what each provider's rounding leaves over (cents at most).

``truth.json`` records the totals, each gap with its cause and amount, the identity
``billed - logged = sum(gaps) + rounding`` per billing source, the events, and which workloads can
really move to a cheaper model. It is written last: its presence marks a complete generation.
"""

from __future__ import annotations

import binascii
import hashlib
import json
import shutil
from collections import defaultdict
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from sample_data.company import DEPLOYMENTS, TEAMS, WORKLOADS, Deployment, Workload, list_price

GENERATOR_VERSION = 1
END = date(2026, 11, 1)            # the period ends here (exclusive): fixed, so output never depends on today
VOLUME = 1.0                        # requests per unit of Workload.daily at scale 1 (about 1M in 3 months)
NEGOTIATED_PERCENT = Decimal("12.5")
BATCH_FACTOR = Decimal("0.5")
GCP_PROMO_SHARE = Decimal("0.25")
AWS_TAX_RATE = Decimal("0.07")
MTOK = Decimal(1_000_000)
CHUNK = 100_000                     # log rows formatted and written at a time (bounds memory)

WEEKLY = {  # Monday first
    "business": [1.0, 1.03, 1.04, 1.0, 0.9, 0.36, 0.3],
    "internal": [1.0, 1.06, 1.05, 1.0, 0.82, 0.12, 0.1],
    "always": [1.0, 1.0, 1.0, 1.0, 1.0, 0.88, 0.86],
    "batch": [1.0] * 7,
}
TOKEN_TYPES = ["uncached", "cache_read", "cache_write", "output", "reasoning"]
# billing splits output into its visible text and its reasoning (Vertex bills thinking on its own SKU)
BILL_TOKEN_TYPES = ["uncached", "cache_read", "cache_write", "output_text", "reasoning"]


def sample_dir(root: Path, seed: int, months: int, scale: float) -> Path:
    """Where ``rightsize demo`` caches one generation."""
    return root / f"seed{seed}-m{months}-s{scale:g}"


def period(months: int) -> tuple[date, date]:
    """``months`` whole calendar months ending at END (exclusive)."""
    if months < 1 or months > 24:
        raise ValueError("months must be between 1 and 24")
    y, m = END.year, END.month - months
    while m < 1:
        y, m = y - 1, m + 12
    return date(y, m, 1), END


def _add_month(d: date) -> date:
    return date(d.year + d.month // 12, d.month % 12 + 1, 1)


def _d(x: Decimal | float | int) -> str:
    """Decimal text without exponent or trailing zeros ('0' for zero)."""
    s = format(Decimal(x).normalize(), "f") if Decimal(x) != 0 else "0"
    return s


def _hex_ids(rng: np.random.Generator, n: int, nbytes: int = 16) -> np.ndarray:
    """n random hex strings (2*nbytes chars) without a Python loop."""
    raw = rng.bytes(n * nbytes)
    return np.frombuffer(binascii.hexlify(raw), dtype=f"S{2 * nbytes}").astype(str)


def _uuid(col: str) -> pl.Expr:
    c = pl.col(col)
    return pl.concat_str([c.str.slice(0, 8), c.str.slice(8, 4), c.str.slice(12, 4), c.str.slice(16, 4),
                          c.str.slice(20, 12)], separator="-")


def _cat(*parts: str | pl.Expr) -> pl.Expr:
    """concat_str of literal text and expressions (pl.format's braces clash with JSON)."""
    return pl.concat_str([pl.lit(p) if isinstance(p, str) else p.cast(pl.String) for p in parts])


# --------------------------------------------------------------------------------------------------
# Requests


def _draw_workload(rng: np.random.Generator, i: int, w: Workload, start: date, n_days: int,
                   scale: float) -> dict[str, np.ndarray]:
    """All requests of one workload over the period, as numpy columns."""
    d = DEPLOYMENTS[w.deployment]
    days = np.arange(n_days)
    dow = np.array([(start + timedelta(days=int(k))).weekday() for k in days])
    mean = w.daily * VOLUME * scale * np.array(WEEKLY[w.pattern])[dow]
    mean = mean * (1 + w.growth * days / max(n_days - 1, 1))
    launch = round(w.launch_day / 92 * n_days)
    mean = mean * np.clip((days - launch + 1) / 10, 0, 1) if launch else mean
    counts = rng.poisson(mean)
    spike_day = round(w.spike_day / 92 * n_days) if w.spike_day is not None else None
    storm = 0
    if spike_day is not None and spike_day < n_days:
        storm = int(rng.poisson(mean[spike_day] * 5))  # retry storm: 5x a day's traffic in four hours
    n = int(counts.sum()) + storm
    day = np.concatenate([np.repeat(days, counts), np.full(storm, spike_day or 0)])
    if w.pattern == "batch":
        sec = rng.uniform(3600, 4.5 * 3600, n)
    elif w.pattern == "always":
        sec = np.where(rng.random(n) < 0.35, rng.uniform(0, 86400, n), rng.normal(14 * 3600, 4 * 3600, n))
    else:
        sec = rng.normal(14.5 * 3600, 3.2 * 3600, n)
    if storm:
        sec[-storm:] = rng.uniform(13 * 3600, 17 * 3600, storm)
    sec = np.clip(sec, 0, 86399.999)
    sigma_in = 0.25 if w.kind == "classification" else 0.45
    inp = np.clip(rng.lognormal(np.log(w.input_median), sigma_in, n), 20, 180_000).astype(np.int64)
    out = np.clip(rng.lognormal(np.log(w.output_median), 0.5 if w.output_median > 20 else 0.25, n), 1,
                  16_000).astype(np.int64)
    reasoning = np.zeros(n, np.int64)
    if d.reasoning:
        reasoning = (out * rng.uniform(0.5, 2.5, n)).astype(np.int64)
        out = out + reasoning
    hit = rng.random(n) < w.cache_prob
    cached = np.where(hit, (inp * w.cache_share).astype(np.int64), 0)
    if d.source in ("openai", "azure"):  # OpenAI caches prompts >= 1024 tokens, in 128-token steps
        cached = np.where(inp >= 1024, cached // 128 * 128, 0)
    write = np.zeros(n, np.int64)
    if d.caching == "read_write":
        is_write = hit & (rng.random(n) < 0.12)
        write = np.where(is_write, cached, 0)
        cached = np.where(is_write, 0, cached)
    elif not d.caching:
        cached = np.zeros(n, np.int64)
    err = rng.random(n) < 0.004
    if storm:
        err[-storm:] = rng.random(storm) < 0.35
    zero = np.where(err, 0, 1)
    ms_per_tok = 22.0 if "opus" in d.key else 12.0 if d.key in ("gpt-5", "gemini-2.5-pro") else 7.0
    latency = (280 + inp * 0.015 + out * ms_per_tok) * rng.lognormal(0, 0.25, n)
    latency = np.where(err, rng.uniform(200, 30_000, n), latency)
    return {
        "w": np.full(n, i, np.int16), "day": day.astype(np.int32), "sec": sec,
        "uncached": (inp - cached - write) * zero, "cache_read": cached * zero, "cache_write": write * zero,
        "output": out * zero, "reasoning": reasoning * zero, "error": err,
        "latency_ms": np.round(latency, 1), "ttft_ms": np.round(np.minimum(latency, 150 + inp * 0.01), 1),
        "user": rng.integers(1, 60 + int(w.daily // 4), n).astype(np.int32),
    }


def draw_requests(seed: int, months: int, scale: float) -> pl.DataFrame:
    """Every request of the company, sorted by time, with list cost and billing multipliers."""
    start, end = period(months)
    n_days = (end - start).days
    rng = np.random.default_rng(seed)
    parts = [_draw_workload(rng, i, w, start, n_days, scale) for i, w in enumerate(WORKLOADS)]
    cols = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    df = pl.DataFrame(cols)
    t0 = datetime(start.year, start.month, start.day)
    df = df.with_columns(
        ts=pl.lit(t0) + pl.duration(days=pl.col("day"), microseconds=(pl.col("sec") * 1e6).round(0).cast(pl.Int64)),
    ).sort(["ts", "w"], maintain_order=True)
    n = df.height
    df = df.with_columns(rid=pl.Series(_hex_ids(rng, n)), tid=pl.Series(_hex_ids(rng, n)))
    wl = pl.DataFrame({
        "w": np.arange(len(WORKLOADS), dtype=np.int16),
        "workload": [w.name for w in WORKLOADS], "team": [w.team for w in WORKLOADS],
        "kind": [w.kind for w in WORKLOADS], "dep": [w.deployment for w in WORKLOADS],
        "gateway": [w.gateway for w in WORKLOADS], "batch": [w.batch for w in WORKLOADS],
        "source": [DEPLOYMENTS[w.deployment].source for w in WORKLOADS],
        "p_in": [float(list_price(w.deployment)[0]) for w in WORKLOADS],
        "p_out": [float(list_price(w.deployment)[1]) for w in WORKLOADS],
        "p_cr": [float(list_price(w.deployment)[2]) for w in WORKLOADS],
        "p_cw": [float(list_price(w.deployment)[3]) for w in WORKLOADS],
    })
    neg_day = (negotiated_from(months) - start).days
    df = df.join(wl, on="w", how="left").with_columns(
        list_cost=((pl.col("uncached") * pl.col("p_in") + pl.col("cache_read") * pl.col("p_cr")
                    + pl.col("cache_write") * pl.col("p_cw") + pl.col("output") * pl.col("p_out")) / 1e6),
        negotiated=(pl.col("source") == "anthropic") & (pl.col("day") >= neg_day),
    )
    return df


def negotiated_from(months: int) -> date:
    """The price change: Anthropic's negotiated discount starts with the second month."""
    start, _ = period(months)
    return _add_month(start) if months > 1 else start


# --------------------------------------------------------------------------------------------------
# Gateway logs


def _team_id(team: str) -> str:
    return "team-" + hashlib.sha256(f"acme/{team}".encode()).hexdigest()[:12]


def write_litellm(df: pl.DataFrame, path: Path) -> None:
    """LiteLLM ``LiteLLM_SpendLogs`` rows as a CSV export of the table (FORMATS.md §7b).

    Columns in the Prisma model's order; ``metadata`` and ``request_tags`` are JSON-encoded strings,
    ``cache_hit`` a string, timestamps naive ``YYYY-MM-DD HH:MM:SS.ffffff`` (as in LiteLLM's own test
    fixture, ../shared/samples/litellm/). ``prompt_tokens`` includes cached tokens (OpenAI-style);
    the split is in ``metadata.usage_object.prompt_tokens_details.cached_tokens`` plus
    ``cache_creation_input_tokens``/``cache_read_input_tokens`` for Anthropic models. ``spend`` is
    LiteLLM's list-price cost: it knows no batch or negotiated discount, and 0 for the self-hosted model.
    """
    keys = {w.name: hashlib.sha256(f"sk-acme-{w.name}".encode()).hexdigest() for w in WORKLOADS}
    deps = pl.DataFrame({
        "dep": list(DEPLOYMENTS), "model": [d.log_model for d in DEPLOYMENTS.values()],
        "custom_llm_provider": [d.litellm_provider for d in DEPLOYMENTS.values()],
        "api_base": [{"openai": "https://api.openai.com/v1", "anthropic": "https://api.anthropic.com",
                      "bedrock": "https://bedrock-runtime.us-east-1.amazonaws.com",
                      "vertex_ai": "https://us-central1-aiplatform.googleapis.com",
                      "azure": "https://acme-openai-eastus2.openai.azure.com",
                      "hosted_vllm": "http://vllm.ml.internal:8000/v1"}[d.litellm_provider]
                     for d in DEPLOYMENTS.values()],
    })
    ts_fmt = "%Y-%m-%d %H:%M:%S%.6f"
    prompt = pl.col("uncached") + pl.col("cache_read") + pl.col("cache_write")
    usage = _cat(
        '{"completion_tokens": ', pl.col("output"), ', "prompt_tokens": ', prompt,
        ', "total_tokens": ', prompt + pl.col("output"),
        ', "completion_tokens_details": {"reasoning_tokens": ', pl.col("reasoning"),
        '}, "prompt_tokens_details": {"cached_tokens": ', pl.col("cache_read"),
        '}, "cache_creation_input_tokens": ', pl.col("cache_write"),
        ', "cache_read_input_tokens": ', pl.col("cache_read"), "}")
    spend = pl.when(pl.col("dep") == "acme-llama-70b-ft").then(0.0).otherwise(pl.col("list_cost").round(10))
    out = (df.filter(pl.col("gateway") == "litellm").join(deps, on="dep", how="left", maintain_order="left")
           .with_columns(api_key=pl.col("workload").replace_strict(keys),
                         end=pl.col("ts") + pl.duration(microseconds=(pl.col("latency_ms") * 1000).cast(pl.Int64)),
                         first=pl.col("ts") + pl.duration(microseconds=(pl.col("ttft_ms") * 1000).cast(pl.Int64)),
                         team_id=pl.col("team").replace_strict({t: _team_id(t) for t in TEAMS})))
    columns = dict(
        request_id=_cat("chatcmpl-", _uuid("rid")),
        call_type=pl.lit("acompletion"),
        api_key=pl.col("api_key"),
        spend=spend,
        total_tokens=prompt + pl.col("output"),
        prompt_tokens=prompt,
        completion_tokens=pl.col("output"),
        startTime=pl.col("ts").dt.strftime(ts_fmt),
        endTime=pl.col("end").dt.strftime(ts_fmt),
        request_duration_ms=pl.col("latency_ms").round(0).cast(pl.Int64),
        completionStartTime=pl.col("first").dt.strftime(ts_fmt),
        model=pl.col("model"),
        model_id=_cat(pl.col("dep"), "-deployment"),
        model_group=_cat(pl.col("workload"), "-model"),
        custom_llm_provider=pl.col("custom_llm_provider"),
        api_base=pl.col("api_base"),
        user=_cat("u_", pl.col("user").cast(pl.String).str.zfill(4)),
        metadata=_cat('{"usage_object": ', usage, ', "user_api_key_alias": "', pl.col("workload"),
                      '-prod", "user_api_key_team_alias": "', pl.col("team"),
                      '", "spend_logs_metadata": {"feature": "', pl.col("workload"),
                      '", "batch": ', pl.col("batch").cast(pl.String).str.to_lowercase(), "}}"),
        cache_hit=pl.lit("None"),
        cache_key=pl.lit("Cache OFF"),
        request_tags=_cat('["feature:', pl.col("workload"), '", "team:', pl.col("team"), '", "env:production"]'),
        team_id=pl.col("team_id"),
        organization_id=pl.lit("org-acme"),
        end_user=pl.lit(""),
        requester_ip_address=pl.lit(None, pl.String),
        messages=pl.lit("{}"),
        response=pl.lit("{}"),
        session_id=pl.lit(None, pl.String),
        status=pl.when(pl.col("error")).then(pl.lit("failure")).otherwise(pl.lit("success")),
        mcp_namespaced_tool_name=pl.lit(None, pl.String),
        agent_id=pl.lit(None, pl.String),
        proxy_server_request=pl.lit("{}"),
    )
    with path.open("wb") as fh:
        for i, chunk in enumerate(out.iter_slices(CHUNK)):
            chunk.select(**columns).write_csv(fh, include_header=i == 0)


def write_langfuse(df: pl.DataFrame, path: Path) -> None:
    """Langfuse observations as JSON Lines, one ``ObservationsView`` (v2 public API) per line (§7c).

    camelCase fields; ``usageDetails`` map<string,int> with ``input`` = uncached input, cache keys
    ``cache_read_input_tokens``/``cache_creation_input_tokens``, ``output_reasoning_tokens`` and
    ``total``; ``costDetails`` map<string,double> in USD whose ``total`` is the sum of the others;
    the keys are disjoint (``output`` is the visible output, ``output_reasoning_tokens`` the rest), so
    every key containing "input" sums to all input and every key containing "output" to all output,
    as the Langfuse UI sums them; ``latency`` and ``timeToFirstToken`` in SECONDS; ``tags`` and ``traceName`` denormalised from the
    trace (v2); ``promptName``/``promptVersion``. Agentic workloads put several generations in one
    trace. The fine-tuned model has no Langfuse price: empty ``costDetails`` and null ``totalCost``.
    """
    iso = "%Y-%m-%dT%H:%M:%S%.3fZ"
    sub = df.filter(pl.col("gateway") == "langfuse").with_row_index("k")
    sub = sub.join(pl.DataFrame({"dep": list(DEPLOYMENTS), "model": [d.log_model for d in DEPLOYMENTS.values()]}),
                   on="dep", how="left", maintain_order="left")
    agentic = pl.col("kind") == "agentic"
    # agent runs: four consecutive generations of one workload share a trace
    sub = sub.with_columns(step=pl.int_range(pl.len()).over("w"))
    sub = sub.with_columns(run=pl.col("step") // 4)
    sub = sub.with_columns(trace_key=pl.when(agentic).then(pl.col("tid").first().over(["w", "run"]))
                           .otherwise(pl.col("tid")))
    r10 = lambda e: e.round(10)  # noqa: E731
    c_in = r10(pl.col("uncached") * pl.col("p_in") / 1e6)
    c_cr = r10(pl.col("cache_read") * pl.col("p_cr") / 1e6)
    c_cw = r10(pl.col("cache_write") * pl.col("p_cw") / 1e6)
    c_out = r10(pl.col("output") * pl.col("p_out") / 1e6)
    total_in = pl.col("uncached") + pl.col("cache_read") + pl.col("cache_write")
    priced = pl.col("dep") != "ft-gpt-4.1-mini"
    cost_details = pl.when(priced).then(_cat(
        '{"input": ', c_in, ', "cache_read_input_tokens": ', c_cr, ', "cache_creation_input_tokens": ', c_cw,
        ', "output": ', c_out, ', "total": ', r10(c_in + c_cr + c_cw + c_out), "}")).otherwise(pl.lit("{}"))
    total_cost = pl.when(priced).then(r10(c_in + c_cr + c_cw + c_out).cast(pl.String)).otherwise(pl.lit("null"))
    end = pl.col("ts") + pl.duration(microseconds=(pl.col("latency_ms") * 1000).cast(pl.Int64))
    first = pl.col("ts") + pl.duration(microseconds=(pl.col("ttft_ms") * 1000).cast(pl.Int64))
    level = pl.when(pl.col("error")).then(pl.lit('"ERROR", "statusMessage": "upstream error: 529 overloaded"')) \
        .otherwise(pl.lit('"DEFAULT", "statusMessage": null'))
    line = _cat(
        '{"id": "', _uuid("rid"), '", "traceId": "', pl.col("trace_key"), '", "type": "GENERATION", "name": "',
        pl.when(agentic).then(_cat("agent-step-", (pl.col("step") % 4 + 1))).otherwise(pl.lit("llm-call")),
        '", "startTime": "', pl.col("ts").dt.strftime(iso), '", "endTime": "', end.dt.strftime(iso),
        '", "completionStartTime": "', first.dt.strftime(iso), '", "model": "', pl.col("model"),
        '", "providedModelName": "', pl.col("model"), '", "modelParameters": {"temperature": "0.2"}',
        ', "input": null, "output": null, "metadata": {"team": "', pl.col("team"), '", "provider": "',
        pl.col("source"), '"}, "level": ', level, ', "parentObservationId": null',
        ', "promptId": null, "promptName": "', pl.col("workload"), '-prompt", "promptVersion": ',
        (pl.col("day") // 30 + 1),
        ', "usageDetails": {"input": ', pl.col("uncached"), ', "cache_read_input_tokens": ', pl.col("cache_read"),
        ', "cache_creation_input_tokens": ', pl.col("cache_write"), ', "output": ', pl.col("output") - pl.col("reasoning"),
        ', "output_reasoning_tokens": ', pl.col("reasoning"), ', "total": ', total_in + pl.col("output"),
        '}, "costDetails": ', cost_details, ', "totalCost": ', total_cost,
        ', "latency": ', (pl.col("latency_ms") / 1000).round(4), ', "timeToFirstToken": ',
        (pl.col("ttft_ms") / 1000).round(4), ', "environment": "production", "userId": "u_',
        pl.col("user").cast(pl.String).str.zfill(4), '", "sessionId": null, "traceName": "', pl.col("workload"),
        '", "tags": ["team:', pl.col("team"), '", "feature:', pl.col("workload"), '"]}')
    with path.open("wb") as fh:
        for chunk in sub.iter_slices(CHUNK):
            chunk.select(line=line).write_csv(fh, include_header=False, quote_style="never")


# --------------------------------------------------------------------------------------------------
# Billing


def billing_lines(df: pl.DataFrame) -> pl.DataFrame:
    """Token sums per (source, day, workload-dimension, deployment, tier, negotiated, token type)."""
    agg = (df.with_columns(output_text=pl.col("output") - pl.col("reasoning"))
           .group_by(["source", "day", "team", "workload", "dep", "batch", "negotiated"])
           .agg(*[pl.col(t).sum() for t in BILL_TOKEN_TYPES])
           .filter(pl.col("source") != "self-hosted"))
    long = agg.unpivot(index=["source", "day", "team", "workload", "dep", "batch", "negotiated"],
                       on=BILL_TOKEN_TYPES, variable_name="token_type", value_name="tokens")
    return long.filter(pl.col("tokens") > 0).sort(["source", "day", "team", "workload", "dep", "batch",
                                                   "negotiated", "token_type"])


def _exact(dep: str, token_type: str, tokens: int, batch: bool, negotiated: bool) -> dict[str, Decimal]:
    """List cost and the two discounts of one line, exactly (reasoning is priced as output)."""
    p_in, p_out, p_cr, p_cw = list_price(dep)
    price = {"uncached": p_in, "cache_read": p_cr, "cache_write": p_cw, "output_text": p_out, "reasoning": p_out}[token_type]
    lst = Decimal(tokens) * price / MTOK
    after_batch = lst * BATCH_FACTOR if batch else lst
    after_neg = after_batch * (1 - NEGOTIATED_PERCENT / 100) if negotiated else after_batch
    return {"list": lst, "batch": after_batch - lst, "negotiated": after_neg - after_batch, "net": after_neg}


class Ledger:
    """Exact and billed amounts per source and month, and the gaps, as the writers produce lines."""

    def __init__(self, start: date) -> None:
        self.start = start
        self.billed: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        self.exact: dict[str, Decimal] = defaultdict(Decimal)
        self.gaps: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
        self.files: dict[str, list[str]] = defaultdict(list)
        self.usage_files: dict[str, list[str]] = defaultdict(list)  # token-only reports (no money)
        self.lines: dict[str, int] = defaultdict(int)
        self.tokens: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def month(self, day: int) -> str:
        return (self.start + timedelta(days=day)).strftime("%Y-%m")

    def count_tokens(self, source: str, token_type: str, tokens: int) -> None:
        kind = "output" if token_type in ("output_text", "reasoning") else token_type
        self.tokens[source][kind] += tokens

    def bill(self, source: str, day: int, amount: Decimal) -> None:
        """One line as written to the file, rounded as the provider rounds."""
        self.billed[source][self.month(day)] += amount
        self.lines[source] += 1

    def add(self, source: str, day: int, row: dict[str, Any], exact: dict[str, Decimal]) -> None:
        """The exact cost of one (workload, token type, day) share of a billed line, and its gaps."""
        self.exact[source] += exact["net"]
        self.count_tokens(source, row["token_type"], row["tokens"])
        if exact["batch"]:
            self.gaps[(source, "batch_discount", row["workload"])] += exact["batch"]
        if exact["negotiated"]:
            self.gaps[(source, "negotiated_discount", "")] += exact["negotiated"]
        w = WORKLOADS_BY_NAME[row["workload"]]
        if w.gateway == "none":
            self.gaps[(source, "missing_logs", w.name)] += exact["net"]
        elif DEPLOYMENTS[w.deployment].fixed_price is not None:
            self.gaps[(source, "unpriced_model", w.name)] += exact["net"]

    def extra(self, source: str, day: int, kind: str, amount: Decimal, own_line: bool) -> None:
        """A billing-only amount (credit, tax) already rounded as the provider rounds it."""
        self.billed[source][self.month(day)] += amount
        self.lines[source] += own_line
        self.gaps[(source, kind, "")] += amount
        self.exact[source] += amount


WORKLOADS_BY_NAME = {w.name: w for w in WORKLOADS}


def _project_id(team: str) -> str:
    return "proj_" + hashlib.sha256(f"openai/{team}".encode()).hexdigest()[:24]


def write_openai(lines: pl.DataFrame, out: Path, ledger: Ledger, start: date, n_days: int) -> None:
    """OpenAI Costs API pages, ``GET /v1/organization/costs?group_by=line_item&group_by=project_id``
    (FORMATS.md §1b): ``{object:"page", data:[bucket], has_more, next_page}``, daily buckets with
    unix ``start_time``/``end_time``, results ``organization.costs.result`` with ``amount.value`` in
    dollars (float), lowercase ``currency:"usd"``, ``line_item`` as ``<snapshot>, input|cached input|
    output`` (models as dated snapshots, §1a quirk), ``quantity``/``quantity_unit:"tokens"``. One page
    per 31 buckets (the limit), one file per page. The provider's rounding: 10 decimals.
    """
    kinds = {"uncached": "input", "cache_read": "cached input", "output_text": "output", "reasoning": "output"}
    acc: dict[tuple[int, str, str], list[Any]] = {}
    for r in lines.filter(pl.col("source") == "openai").iter_rows(named=True):
        item = f"{DEPLOYMENTS[r['dep']].bill_name}, {kinds[r['token_type']]}"
        k = (r["day"], _project_id(r["team"]), item)
        ex = _exact(r["dep"], r["token_type"], r["tokens"], r["batch"], r["negotiated"])
        a = acc.setdefault(k, [0, Decimal(0), r])
        a[0] += r["tokens"]
        a[1] += ex["net"]
        ledger.add("openai", r["day"], r, ex)
    by_day: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for (day, proj, item), (tokens, exact, _r) in sorted(acc.items()):
        value = exact.quantize(Decimal("1e-10"))
        ledger.bill("openai", day, value)
        by_day[day].append({"object": "organization.costs.result",
                            "amount": {"value": float(value), "currency": "usd"},
                            "line_item": item, "project_id": proj, "quantity": tokens, "quantity_unit": "tokens"})
    pages = [list(range(i, min(i + 31, n_days))) for i in range(0, n_days, 31)]
    for p, days in enumerate(pages, 1):
        buckets = []
        for day in days:
            t = int(datetime(start.year, start.month, start.day, tzinfo=UTC).timestamp()) + day * 86400
            buckets.append({"object": "bucket", "start_time": t, "end_time": t + 86400, "results": by_day.get(day, [])})
        more = p < len(pages)
        doc = {"object": "page", "data": buckets, "has_more": more,
               "next_page": f"page_{p + 1:02d}_{start.isoformat()}" if more else None}
        name = out / f"openai_costs_page_{p:02d}.json"
        name.write_text(json.dumps(doc) + "\n")
        ledger.files["openai"].append(name.name)


def _workspace(team: str) -> str | None:
    return None if team == "support" else "wrkspc_" + hashlib.sha256(f"anthropic/{team}".encode()).hexdigest()[:20]


def write_anthropic(lines: pl.DataFrame, out: Path, ledger: Ledger, start: date, n_days: int) -> None:
    """Anthropic Admin API cost report pages, ``GET /v1/organizations/cost_report?group_by[]=workspace_id
    &group_by[]=description`` (FORMATS.md §2b): ``{data:[{starting_at, ending_at, results}], has_more,
    next_page}`` with RFC 3339 bucket times; each result has ``amount`` as a DECIMAL STRING IN CENTS
    (rounded to hundredths of a cent), ``currency:"USD"``, ``cost_type:"tokens"``, ``token_type`` in
    uncached_input_tokens|output_tokens|cache_read_input_tokens|cache_creation.ephemeral_5m_input_tokens,
    ``model``, ``service_tier`` standard|batch, ``context_window``, ``inference_geo``, ``workspace_id``
    (null = default workspace) and ``description``. 31 buckets per page (the limit).
    """
    kinds = {"uncached": "uncached_input_tokens", "cache_read": "cache_read_input_tokens",
             "cache_write": "cache_creation.ephemeral_5m_input_tokens", "output_text": "output_tokens",
             "reasoning": "output_tokens"}
    labels = {"uncached_input_tokens": "Input Tokens", "output_tokens": "Output Tokens",
              "cache_read_input_tokens": "Cache Read", "cache_creation.ephemeral_5m_input_tokens": "Cache Write (5m)"}
    acc: dict[tuple[int, str, str, str, str], Decimal] = {}
    usage: dict[tuple[int, str, str, str], dict[str, int]] = {}
    for r in lines.filter(pl.col("source") == "anthropic").iter_rows(named=True):
        ex = _exact(r["dep"], r["token_type"], r["tokens"], r["batch"], r["negotiated"])
        k = (r["day"], _workspace(r["team"]) or "", DEPLOYMENTS[r["dep"]].bill_name, kinds[r["token_type"]],
             "batch" if r["batch"] else "standard")
        acc[k] = acc.get(k, Decimal(0)) + ex["net"]
        ledger.add("anthropic", r["day"], r, ex)
        u = usage.setdefault(k[:3] + (k[4],), defaultdict(int))
        u[kinds[r["token_type"]]] += r["tokens"]
    by_day: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for (day, ws, model, tt, tier), exact in sorted(acc.items()):
        cents = (exact * 100).quantize(Decimal("0.01"))
        ledger.bill("anthropic", day, cents / 100)
        by_day[day].append({
            "currency": "USD", "amount": format(cents, "f"), "workspace_id": ws or None,
            "description": f"{model} {labels[tt]}" + (" (Batch)" if tier == "batch" else ""),
            "cost_type": "tokens", "context_window": "0-200k", "model": model, "service_tier": tier,
            "token_type": tt, "inference_geo": "global"})
    pages = [list(range(i, min(i + 31, n_days))) for i in range(0, n_days, 31)]
    t0 = datetime(start.year, start.month, start.day, tzinfo=UTC)
    for p, days in enumerate(pages, 1):
        buckets = [{"starting_at": (t0 + timedelta(days=d)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "ending_at": (t0 + timedelta(days=d + 1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "results": by_day.get(d, [])} for d in days]
        more = p < len(pages)
        doc = {"data": buckets, "has_more": more, "next_page": f"page_{p + 1:02d}" if more else None}
        name = out / f"anthropic_cost_report_page_{p:02d}.json"
        name.write_text(json.dumps(doc) + "\n")
        ledger.files["anthropic"].append(name.name)
    write_anthropic_usage(usage, out, ledger, start, n_days)


def write_anthropic_usage(usage: dict[tuple[int, str, str, str], dict[str, int]], out: Path, ledger: Ledger,
                          start: date, n_days: int) -> None:
    """Anthropic Admin API usage report pages, ``GET /v1/organizations/usage_report/messages?
    group_by[]=model&group_by[]=workspace_id&group_by[]=service_tier`` (FORMATS.md §2a): the token
    counts the cost report lacks. RFC 3339 bucket times; results with ``uncached_input_tokens``, the
    NESTED ``cache_creation{ephemeral_5m_input_tokens, ephemeral_1h_input_tokens}``,
    ``cache_read_input_tokens``, ``output_tokens``, ``server_tool_use{web_search_requests}`` and the
    grouped dimensions. No money: these are usage lines (x_LineType usage).
    """
    by_day: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for (day, ws, model, tier), u in sorted(usage.items()):
        by_day[day].append({
            "uncached_input_tokens": u["uncached_input_tokens"],
            "cache_creation": {"ephemeral_5m_input_tokens": u["cache_creation.ephemeral_5m_input_tokens"],
                               "ephemeral_1h_input_tokens": 0},
            "cache_read_input_tokens": u["cache_read_input_tokens"], "output_tokens": u["output_tokens"],
            "server_tool_use": {"web_search_requests": 0}, "api_key_id": None, "workspace_id": ws or None,
            "model": model, "service_tier": tier, "context_window": None, "inference_geo": None})
    pages = [list(range(i, min(i + 31, n_days))) for i in range(0, n_days, 31)]
    t0 = datetime(start.year, start.month, start.day, tzinfo=UTC)
    for p, days in enumerate(pages, 1):
        buckets = [{"starting_at": (t0 + timedelta(days=d)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "ending_at": (t0 + timedelta(days=d + 1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "results": by_day.get(d, [])} for d in days]
        more = p < len(pages)
        doc = {"data": buckets, "has_more": more, "next_page": f"page_{p + 1:02d}" if more else None}
        name = out / f"anthropic_usage_report_page_{p:02d}.json"
        name.write_text(json.dumps(doc) + "\n")
        ledger.usage_files["anthropic"].append(name.name)


CUR_COLUMNS = [
    "identity_line_item_id", "identity_time_interval", "bill_invoice_id", "bill_invoicing_entity",
    "bill_billing_entity", "bill_bill_type", "bill_payer_account_id", "bill_billing_period_start_date",
    "bill_billing_period_end_date", "line_item_usage_account_id", "line_item_usage_account_name",
    "line_item_line_item_type", "line_item_usage_start_date", "line_item_usage_end_date",
    "line_item_product_code", "line_item_usage_type", "line_item_operation", "line_item_availability_zone",
    "line_item_resource_id", "line_item_usage_amount", "line_item_normalization_factor",
    "line_item_currency_code", "line_item_unblended_rate", "line_item_unblended_cost",
    "line_item_blended_rate", "line_item_blended_cost", "line_item_net_unblended_cost",
    "line_item_line_item_description", "line_item_tax_type", "line_item_legal_entity",
    "line_item_iam_principal", "product", "product_region_code", "product_servicecode",
    "product_product_family", "pricing_unit", "pricing_term", "pricing_public_on_demand_rate",
    "pricing_public_on_demand_cost", "resource_tags", "cost_category", "discount",
]


def write_aws(lines: pl.DataFrame, out: Path, ledger: Ledger, start: date, n_days: int) -> None:
    """AWS CUR 2.0 (Data Exports ``COST_AND_USAGE_REPORT``) CSV, one file per billing period
    (FORMATS.md §3b column names, §3c Bedrock usage types). Daily Bedrock lines under
    ``line_item_product_code=AmazonBedrock``: ``USE1-<Model>-input-tokens`` / ``-output-tokens`` /
    ``-cache-read-input-token-count`` / ``-cache-write-input-token-count``, suffix ``-batch`` for batch
    jobs and ``-cross-region-global`` for the global inference profile. ``line_item_usage_amount`` is
    in thousands of tokens with ``pricing_unit`` "1K tokens" (§3c: unit unverified, readers derive the
    scale from amount x rate = cost). Maps (``product``, ``resource_tags``) are JSON text. Each period
    ends with a ``Tax`` line (planted gap). Cost rounded to 10 decimals.
    """
    stems = {"uncached": "input-tokens", "output_text": "output-tokens", "reasoning": "output-tokens",
             "cache_read": "cache-read-input-token-count", "cache_write": "cache-write-input-token-count"}
    acc: dict[tuple[int, str, str, str], list[Any]] = {}
    for r in lines.filter(pl.col("source") == "aws").iter_rows(named=True):
        d = DEPLOYMENTS[r["dep"]]
        suffix = "-batch" if r["batch"] else "-cross-region-global" if d.log_model.startswith("global.") else ""
        ut = f"USE1-{d.bill_name}-{stems[r['token_type']]}{suffix}"
        arn = f"arn:aws:bedrock:us-east-1:412345678901:application-inference-profile/{hashlib.sha256(r['workload'].encode()).hexdigest()[:12]}"
        ex = _exact(r["dep"], r["token_type"], r["tokens"], r["batch"], r["negotiated"])
        k = (r["day"], arn, ut, r["dep"])
        a = acc.setdefault(k, [0, Decimal(0), Decimal(0), r])
        a[0] += r["tokens"]
        a[1] += ex["net"]
        a[2] += ex["list"]
        ledger.add("aws", r["day"], r, ex)
    month_starts = []
    m = start
    while m < start + timedelta(days=n_days):
        month_starts.append(m)
        m = _add_month(m)
    rows_by_month: dict[date, list[list[str]]] = defaultdict(list)
    usage_by_month: dict[date, Decimal] = defaultdict(Decimal)
    for (day, arn, ut, dep), (tokens, exact, lst, r) in sorted(acc.items()):
        d0 = start + timedelta(days=day)
        ms = date(d0.year, d0.month, 1)
        cost = exact.quantize(Decimal("1e-10"))
        ledger.bill("aws", day, cost)
        usage_by_month[ms] += cost
        qty = Decimal(tokens) / 1000
        rate = (exact / qty).quantize(Decimal("1e-10")) if qty else Decimal(0)
        list_rate = (lst / qty).quantize(Decimal("1e-10")) if qty else Decimal(0)
        rows_by_month[ms].append(_cur_row(ms, d0, "Usage", ut, arn, qty, rate, cost, list_rate,
                                          lst.quantize(Decimal("1e-10")), DEPLOYMENTS[dep], r))
    for ms in month_starts:
        d_last = min(_add_month(ms), start + timedelta(days=n_days)) - timedelta(days=1)
        tax = (usage_by_month[ms] * AWS_TAX_RATE).quantize(Decimal("0.01"))
        if tax:
            ledger.extra("aws", (d_last - start).days, "tax", tax, True)
            rows_by_month[ms].append(_cur_row(ms, ms, "Tax", "", "", Decimal(0), Decimal(0), tax, Decimal(0),
                                              Decimal(0), None, None, tax_period_end=_add_month(ms)))
        name = out / f"aws_cur2_BILLING_PERIOD={ms:%Y-%m}.csv"
        df = pl.DataFrame(rows_by_month[ms], schema=CUR_COLUMNS, orient="row")
        df.write_csv(name)
        ledger.files["aws"].append(name.name)


def _cur_row(ms: date, d0: date, kind: str, ut: str, arn: str, qty: Decimal, rate: Decimal, cost: Decimal,
             list_rate: Decimal, list_cost: Decimal, dep: Deployment | None, r: dict[str, Any] | None,
             tax_period_end: date | None = None) -> list[str]:
    me = _add_month(ms)
    ts = lambda x: f"{x:%Y-%m-%d}T00:00:00Z"  # noqa: E731
    start_d, end_d = (ms, tax_period_end) if tax_period_end else (d0, d0 + timedelta(days=1))
    ident = hashlib.sha256(f"{kind}|{ut}|{arn}|{start_d}".encode()).hexdigest()[:52]
    if dep is None:
        product = json.dumps({"product_name": "Amazon Bedrock"})
        return [ident, f"{ts(start_d)}/{ts(end_d)}", f"EUS{ms:%Y%m}-1", "Amazon Web Services, Inc.", "AWS",
                "Anniversary", "412345678901", ts(ms), ts(me), "412345678901", "acme-ml-prod", "Tax",
                ts(start_d), ts(end_d), "AmazonBedrock", "", "", "", "", "1", "", "USD", "", _d(cost), "",
                _d(cost), _d(cost), "Tax for product code AmazonBedrock", "SalesTax",
                "Amazon Web Services, Inc.", "", product, "", "AmazonBedrock", "", "", "", "", "0", "{}", "{}", "{}"]
    assert r is not None
    product = json.dumps({"product_name": "Amazon Bedrock", "region": "us-east-1", "model": dep.bill_name,
                          "usagetype": ut}, separators=(",", ":"))
    tags = json.dumps({"user_team": r["team"], "user_feature": r["workload"]}, separators=(",", ":"))
    op = "InvokeModelBatchInference" if r["batch"] else "InvokeModelInference"
    return [ident, f"{ts(start_d)}/{ts(end_d)}", f"EUS{ms:%Y%m}-1", "Amazon Web Services, Inc.", "AWS",
            "Anniversary", "412345678901", ts(ms), ts(me), "412345678901", "acme-ml-prod", "Usage",
            ts(start_d), ts(end_d), "AmazonBedrock", ut, op, "", arn, _d(qty), "0", "USD", _d(rate), _d(cost),
            _d(rate), _d(cost), _d(cost), f"Amazon Bedrock {dep.bill_name} {ut.removeprefix('USE1-' + dep.bill_name + '-')} (per 1K tokens)", "",
            "Amazon Web Services, Inc.", f"arn:aws:iam::412345678901:role/{r['team']}-app", product, "us-east-1",
            "AmazonBedrock", "Amazon Bedrock", "1K tokens", "OnDemand", _d(list_rate), _d(list_cost), tags,
            "{}", "{}"]


GCP_COLUMNS = [
    "billing_account_id", "invoice.month", "invoice.publisher_type", "cost_type", "service.id",
    "service.description", "sku.id", "sku.description", "usage_start_time", "usage_end_time", "project.id",
    "project.number", "project.name", "project.labels", "project.ancestry_numbers", "project.ancestors",
    "labels", "system_labels", "location.location", "location.country", "location.region", "location.zone",
    "cost", "currency", "currency_conversion_rate", "usage.amount", "usage.unit", "usage.amount_in_pricing_units",
    "usage.pricing_unit", "credits", "adjustment_info.id", "adjustment_info.description", "adjustment_info.mode",
    "adjustment_info.type", "export_time", "tags", "cost_at_list", "transaction_type", "seller_name",
]


def write_gcp(lines: pl.DataFrame, out: Path, ledger: Ledger, start: date, n_days: int) -> None:
    """Google Cloud Billing detailed export, as the BigQuery CSV export flattens it (FORMATS.md §4b/4c):
    dotted headers, repeated fields (labels, credits) as JSON text. ``service.description`` "Vertex AI"
    (id C7E2-9256-1C43); model and token type only in ``sku.description`` (``Gemini 2.5 Flash GA Text
    Input - Predictions``, ``… GA Text Output - Predictions``, ``… GA Thinking Text Output -
    Predictions``, ``… GA Input Text Caching``). ``usage.amount`` in tokens; ``usage.amount_in_pricing_units``
    in millions with ``usage.pricing_unit`` "1 million tokens" (§4c: unit unverified). Cost rounded to 6
    decimals; in the first month each line carries a PROMOTION credit (planted gap; net = cost + credits).
    """
    skus = {"uncached": "GA Text Input - Predictions", "output_text": "GA Text Output - Predictions",
            "reasoning": "GA Thinking Text Output - Predictions", "cache_read": "GA Input Text Caching"}
    first_month_end = _add_month(start)
    acc: dict[tuple[int, str, str], list[Any]] = {}
    for r in lines.filter(pl.col("source") == "gcp").iter_rows(named=True):
        d = DEPLOYMENTS[r["dep"]]
        sku = f"{d.bill_name} {skus[r['token_type']]}"
        tokens = r["tokens"]
        ex = _exact(r["dep"], r["token_type"], tokens, r["batch"], r["negotiated"])
        k = (r["day"], r["team"], sku)
        a = acc.setdefault(k, [0, Decimal(0), r])
        a[0] += tokens
        a[1] += ex["net"]
        ledger.add("gcp", r["day"], r, ex)
    rows = []
    for (day, team, sku), (tokens, exact, r) in sorted(acc.items()):
        d0 = start + timedelta(days=day)
        cost = exact.quantize(Decimal("1e-6"))
        ledger.bill("gcp", day, cost)
        credits = []
        if d0 < first_month_end:
            credit = -(exact * GCP_PROMO_SHARE).quantize(Decimal("1e-6"))
            if credit:
                ledger.extra("gcp", day, "credits", credit, False)
                credits = [{"name": "Vertex AI Gemini launch promotion", "amount": float(credit),
                            "full_name": None, "id": "3f2a9c1e-promo-vertex-gemini", "type": "PROMOTION"}]
        project = f"acme-{team}-prod"
        labels = json.dumps([{"key": "team", "value": team}, {"key": "feature", "value": r["workload"]}])
        sku_id = hashlib.sha256(sku.encode()).hexdigest()[:12].upper()
        sku_id = f"{sku_id[:4]}-{sku_id[4:8]}-{sku_id[8:12]}"
        t_start = f"{d0:%Y-%m-%d} 00:00:00 UTC"
        t_end = f"{d0 + timedelta(days=1):%Y-%m-%d} 00:00:00 UTC"
        rows.append(["01A2B3-C4D5E6-F7A8B9", f"{d0:%Y%m}", "", "regular", "C7E2-9256-1C43", "Vertex AI", sku_id, sku,
                     t_start, t_end, project, str(100000000000 + TEAMS.index(team)), project,
                     json.dumps([{"key": "team", "value": team}]), "/123456789012/", "[]", labels, "[]",
                     "us-central1", "US", "us-central1", "", _d(cost), "USD", "1", str(tokens), "count",
                     _d(Decimal(tokens) / MTOK), "1 million tokens", json.dumps(credits), "", "", "", "",
                     f"{d0 + timedelta(days=1):%Y-%m-%d} 06:12:00 UTC", "[]", _d(cost), "GOOGLE", "Google"])
    name = out / "gcp_billing_export_resource_v1_01A2B3_C4D5E6_F7A8B9.csv"
    pl.DataFrame(rows, schema=GCP_COLUMNS, orient="row").write_csv(name)
    ledger.files["gcp"].append(name.name)


AZURE_COLUMNS = [
    "BillingAccountId", "BillingAccountName", "BillingPeriodStartDate", "BillingPeriodEndDate", "BillingProfileId",
    "BillingProfileName", "AccountOwnerId", "AccountName", "SubscriptionId", "SubscriptionName", "Date", "Product",
    "PartNumber", "MeterId", "ServiceFamily", "MeterCategory", "MeterSubCategory", "MeterRegion", "MeterName",
    "Quantity", "EffectivePrice", "Cost", "UnitPrice", "BillingCurrency", "ResourceLocation", "AvailabilityZone",
    "ConsumedService", "ResourceId", "ResourceName", "ServiceInfo1", "ServiceInfo2", "AdditionalInfo", "Tags",
    "InvoiceSectionId", "InvoiceSection", "CostCenter", "UnitOfMeasure", "ResourceGroup", "ReservationId",
    "ReservationName", "ProductOrderId", "ProductOrderName", "OfferId", "IsAzureCreditEligible", "Term",
    "PublisherName", "PlanName", "ChargeType", "Frequency", "PublisherType",
]


def write_azure(lines: pl.DataFrame, out: Path, ledger: Ledger, start: date, n_days: int) -> None:
    """Azure Cost Management cost-details (actual cost) export, one CSV per month, with exactly the
    columns of the finops-toolkit ``actualcost_c360-2025-04`` schema (FORMATS.md §5a). Quirks from §5b:
    UTF-8 BOM, ``MM/DD/YYYY`` dates, Tags without outer braces, ``Quantity`` in UnitOfMeasure blocks
    (``1K`` for gpt-4o-mini, ``1M`` for gpt-4.1: both occur, §5c). Azure OpenAI meters (§5c):
    MeterCategory "Azure OpenAI", MeterSubCategory ``gpt 4o mini 0718 Input global Tokens``, MeterName
    ``gpt-4o-mini-0718-Inp-glbl Tokens`` style; ConsumedService Microsoft.CognitiveServices. Cost
    rounded to 8 decimals.
    """
    words = {"uncached": ("Input global Tokens", "Inp-glbl Tokens"), "output_text": ("Output global Tokens", "Outp-glbl Tokens"),
             "reasoning": ("Output global Tokens", "Outp-glbl Tokens"), "cache_read": ("cached Inp glbl", "cached-Inp-glbl Tokens")}
    acc: dict[tuple[int, str, str, str], list[Any]] = {}
    for r in lines.filter(pl.col("source") == "azure").iter_rows(named=True):
        d = DEPLOYMENTS[r["dep"]]
        sub_w, name_w = words[r["token_type"]]
        ex = _exact(r["dep"], r["token_type"], r["tokens"], r["batch"], r["negotiated"])
        k = (r["day"], r["team"], f"{d.bill_name} {sub_w}", f"{d.bill_name.replace(' ', '-')}-{name_w}")
        a = acc.setdefault(k, [0, Decimal(0), r])
        a[0] += r["tokens"]
        a[1] += ex["net"]
        ledger.add("azure", r["day"], r, ex)
    by_month: dict[date, list[list[str]]] = defaultdict(list)
    for (day, team, sub, meter), (tokens, exact, r) in sorted(acc.items()):
        d0 = start + timedelta(days=day)
        ms = date(d0.year, d0.month, 1)
        me = _add_month(ms) - timedelta(days=1)
        block = 1_000_000 if "4.1" in sub else 1000
        qty = Decimal(tokens) / block
        cost = exact.quantize(Decimal("1e-8"))
        ledger.bill("azure", day, cost)
        price = (exact / qty).quantize(Decimal("1e-6")) if qty else Decimal(0)
        account = f"acme-openai-{team}"
        rid = (f"/subscriptions/7c1f2e4a-5b6d-4e8f-9a0b-1c2d3e4f5a6b/resourceGroups/rg-{team}-ai/providers/"
               f"Microsoft.CognitiveServices/accounts/{account}")
        meter_id = hashlib.sha256(meter.encode()).hexdigest()
        meter_id = f"{meter_id[:8]}-{meter_id[8:12]}-{meter_id[12:16]}-{meter_id[16:20]}-{meter_id[20:32]}"
        mdy = lambda x: f"{x:%m/%d/%Y}"  # noqa: E731
        by_month[ms].append([
            "81234567", "Acme Corp", mdy(ms), mdy(me), "81234567", "Acme Corp", "cloud-admin@acme.example",
            "Acme AI Platform", "7c1f2e4a-5b6d-4e8f-9a0b-1c2d3e4f5a6b", "acme-ai-prod", mdy(d0),
            f"Azure OpenAI - {sub}", "AAH-" + meter_id[:5].upper(), meter_id, "AI + Machine Learning",
            "Azure OpenAI", sub, "US East 2", meter, _d(qty), _d(price), _d(cost), _d(price), "USD", "eastus2", "",
            "Microsoft.CognitiveServices", rid, account, "", "", json.dumps({"DeploymentName": r["workload"]}),
            f'"team": "{team}","feature": "{r["workload"]}"', "", "", "", "1K" if block == 1000 else "1M",
            f"rg-{team}-ai", "", "", "", "", "MS-AZR-0017P", "True", "", "Microsoft", "", "Usage", "UsageBased",
            "Microsoft"])
    for ms, rows in sorted(by_month.items()):
        name = out / f"azure_actualcost_{ms:%Y%m}.csv"
        with name.open("wb") as fh:
            fh.write(b"\xef\xbb\xbf")
            pl.DataFrame(rows, schema=AZURE_COLUMNS, orient="row").write_csv(fh)
        ledger.files["azure"].append(name.name)


# --------------------------------------------------------------------------------------------------
# Evals, prices, truth

EVAL_SCORE_WORKLOADS = ["support-rag-answers", "search-summaries", "contract-review", "sales-email-drafts"]
EVAL_PASS_WORKLOADS = ["ticket-triage", "content-moderation"]


def write_evals(df: pl.DataFrame, out: Path, rng: np.random.Generator) -> dict[str, Any]:
    """Eval results for a few workloads: requests replayed on a cheaper candidate and graded.

    Two files, the two shapes evidence mode reads: scores (``workload, request_id, baseline_model,
    candidate_model, baseline_score, candidate_score``) and pass/fail (``…, passed``). Request ids
    are the gateway ids of real logged requests. Movable workloads lose about a point; the others
    lose 15.
    """
    summary: dict[str, Any] = {}
    score_rows: list[list[Any]] = []
    pass_rows: list[list[Any]] = []
    for name in EVAL_SCORE_WORKLOADS + EVAL_PASS_WORKLOADS:
        w = WORKLOADS_BY_NAME[name]
        d = DEPLOYMENTS[w.deployment]
        ids = (df.filter((pl.col("workload") == name) & ~pl.col("error")).head(4000)
               .select(rid=_uuid("rid"))["rid"].to_list())
        k = min(len(ids), 200)
        pick = sorted(rng.choice(len(ids), size=k, replace=False).tolist()) if k else []
        prefix = "chatcmpl-" if w.gateway == "litellm" else ""
        drop = 0.01 if w.movable else 0.15
        if name in EVAL_SCORE_WORKLOADS:
            base = np.clip(rng.beta(9, 1.6, k), 0, 1)
            cand = np.clip(base - drop + rng.normal(0, 0.05, k), 0, 1)
            for j, idx in enumerate(pick):
                score_rows.append([name, prefix + ids[idx], d.log_model, w.candidate, round(float(base[j]), 3),
                                   round(float(cand[j]), 3)])
            summary[name] = {"rows": k, "baseline_mean": round(float(base.mean()), 4) if k else None,
                             "candidate_mean": round(float(cand.mean()), 4) if k else None}
        else:
            passed = rng.random(k) < (0.97 if w.movable else 0.8)
            for j, idx in enumerate(pick):
                pass_rows.append([name, prefix + ids[idx], d.log_model, w.candidate, "true" if passed[j] else "false"])
            summary[name] = {"rows": k, "pass_rate": round(float(passed.mean()), 4) if k else None}
    pl.DataFrame(score_rows, schema=["workload", "request_id", "baseline_model", "candidate_model",
                                     "baseline_score", "candidate_score"], orient="row").write_csv(out / "eval_scores.csv")
    pl.DataFrame(pass_rows, schema=["workload", "request_id", "baseline_model", "candidate_model", "passed"],
                 orient="row").write_csv(out / "eval_passfail.csv")
    return summary


def write_prices(out: Path, months: int) -> Path:
    """The negotiated-price file: Anthropic's discount (the price change) and the self-hosted model."""
    p = list_price("acme-llama-70b-ft")
    text = (
        "# Acme's negotiated prices (rightsize price file). USD per 1M tokens.\n"
        "[[discount]]\n"
        'provider = "anthropic"\n'
        f"percent = {NEGOTIATED_PERCENT}\n"
        f'effective_from = "{negotiated_from(months).isoformat()}"\n'
        'note = "Enterprise agreement, Anthropic API (direct)"\n'
        "\n"
        "[[price]]\n"
        'model = "acme-llama-70b-ft"\n'
        'provider = "self-hosted"\n'
        f"input = {_d(p[0])}\n"
        f"output = {_d(p[1])}\n"
        f"cache_read = {_d(p[2])}\n"
        f'effective_from = "{period(months)[0].isoformat()}"\n'
        'note = "vLLM on 2x H100, amortised"\n'
    )
    path = out / "negotiated_prices.toml"
    path.write_text(text)
    return path


def _money(x: Decimal) -> str:
    return format(x.quantize(Decimal("1e-6")), "f")


def generate(out: Path, seed: int = 7, months: int = 3, scale: float = 1.0) -> dict[str, Any]:
    """Write the whole sample company into ``out`` (replaced if present) and return the truth."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    start, end = period(months)
    n_days = (end - start).days
    tmp = out.with_name(out.name + ".tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    for sub in ("billing", "logs", "evals", "prices"):
        (tmp / sub).mkdir(parents=True)
    df = draw_requests(seed, months, scale)
    write_litellm(df, tmp / "logs" / "litellm_spend_logs.csv")
    write_langfuse(df, tmp / "logs" / "langfuse_observations.jsonl")
    lines = billing_lines(df)
    ledger = Ledger(start)
    for writer in (write_openai, write_anthropic, write_aws, write_gcp, write_azure):
        writer(lines, tmp / "billing", ledger, start, n_days)
    evals = write_evals(df, tmp / "evals", np.random.default_rng([seed, 1]))
    write_prices(tmp / "prices", months)
    truth = _truth(df, ledger, seed, months, scale, evals)
    (tmp / "truth.json").write_text(json.dumps(truth, indent=1, sort_keys=False) + "\n")
    if out.exists():
        shutil.rmtree(out)
    tmp.rename(out)
    return truth


def _truth(df: pl.DataFrame, ledger: Ledger, seed: int, months: int, scale: float,
           evals: dict[str, Any]) -> dict[str, Any]:
    start, end = period(months)
    n_days = (end - start).days
    logged = df.filter(pl.col("gateway") != "none")
    logged_cost = (logged.filter((pl.col("dep") != "ft-gpt-4.1-mini") & (pl.col("dep") != "acme-llama-70b-ft"))
                   .group_by("source").agg(pl.col("list_cost").sum()))
    logged_by = {r["source"]: r["list_cost"] for r in logged_cost.iter_rows(named=True)}
    sources = ["openai", "anthropic", "aws", "gcp", "azure"]
    causes = {
        "missing_logs": "team calls the provider directly, bypassing the gateway: billed but never logged",
        "unpriced_model": "fine-tuned model unknown to the price catalog: the gateway logged no cost",
        "batch_discount": "batch API bills 50% of list; the gateway logs list price",
        "negotiated_discount": f"negotiated {NEGOTIATED_PERCENT}% discount from {negotiated_from(months)}; "
                               "the gateway logs list price (see negotiated_prices.toml)",
        "credits": "Vertex AI promotion credit in the first month (GCP credits column)",
        "tax": f"sales tax {AWS_TAX_RATE * 100}% on Bedrock usage (CUR Tax lines)",
    }
    gaps = [{"provider": s, "kind": k, "workload": w or None, "amount": _money(v), "cause": causes[k]}
            for (s, k, w), v in sorted(ledger.gaps.items())]
    reconcile = {}
    for s in sources:
        billed = sum(ledger.billed[s].values(), Decimal(0))
        gap_sum = sum((v for (src, _k, _w), v in ledger.gaps.items() if src == s), Decimal(0))
        rounding = billed - ledger.exact[s]
        reconcile[s] = {"billed": _money(billed), "logged": f"{logged_by.get(s, 0.0):.6f}",
                        "gaps": _money(gap_sum), "rounding": format(rounding, "f"),
                        "billing_lines": ledger.lines[s], "files": ledger.files[s],
                        "usage_files": ledger.usage_files[s],
                        "billed_tokens": {k: ledger.tokens[s][k] for k in ("uncached", "cache_read", "cache_write", "output")}}
    wl_stats = {r["workload"]: r for r in df.group_by("workload").agg(
        requests=pl.len(), list_cost=pl.col("list_cost").sum(),
        uncached=pl.col("uncached").sum(), cache_read=pl.col("cache_read").sum(),
        cache_write=pl.col("cache_write").sum(), output=pl.col("output").sum()).iter_rows(named=True)}
    workloads = []
    for w in WORKLOADS:
        st = wl_stats.get(w.name, {"requests": 0, "list_cost": 0.0})
        d = DEPLOYMENTS[w.deployment]
        item: dict[str, Any] = {"name": w.name, "team": w.team, "kind": w.kind, "provider": d.source,
                                "model": d.log_model, "gateway": w.gateway, "batch": w.batch,
                                "requests": st["requests"], "list_cost": round(st["list_cost"], 6)}
        if w.candidate:
            item["candidate"] = w.candidate
            item["movable"] = w.movable
            item["eval"] = evals.get(w.name)
            item["candidate_list_cost"] = _candidate_cost(w, st)
        workloads.append(item)
    daily = df.group_by("day").agg(pl.len()).sort("day")["len"].to_list()
    spike = next(w for w in WORKLOADS if w.spike_day is not None)
    spike_day = round((spike.spike_day or 0) / 92 * n_days)
    return {
        "generator": {"version": GENERATOR_VERSION, "seed": seed, "months": months, "scale": scale},
        "period": {"start": start.isoformat(), "end": end.isoformat(), "days": n_days},
        "requests": {"total": df.height, "logged": logged.height,
                     "litellm": int((df["gateway"] == "litellm").sum()),
                     "langfuse": int((df["gateway"] == "langfuse").sum()),
                     "unlogged": int((df["gateway"] == "none").sum()),
                     "errors": int(df["error"].sum()), "per_day": daily,
                     "logged_tokens": {t: int(logged[t].sum()) for t in TOKEN_TYPES}},
        "spend": {"billed_by_month": {s: {m: _money(v) for m, v in sorted(ledger.billed[s].items())} for s in sources},
                  "billed_total": {s: reconcile[s]["billed"] for s in sources},
                  "list_cost_by_provider": {r["source"]: round(r["list_cost"], 6) for r in
                                            df.group_by("source").agg(pl.col("list_cost").sum()).sort("source")
                                            .iter_rows(named=True)},
                  "self_hosted_cost": round(float(df.filter(pl.col("source") == "self-hosted")["list_cost"].sum()), 6)},
        "reconciliation": reconcile,
        "gaps": gaps,
        "events": {
            "incident": {"workload": spike.name, "date": (start + timedelta(days=spike_day)).isoformat(),
                         "hours_utc": [13, 17], "cause": "retry storm after an upstream outage (5x a day's traffic, 35% errors)"},
            "price_change": {"provider": "anthropic", "effective_from": negotiated_from(months).isoformat(),
                             "percent_off": str(NEGOTIATED_PERCENT)},
            "launch": {"workload": "search-answers",
                       "date": (start + timedelta(days=round(20 / 92 * n_days))).isoformat()},
            "batch_workloads": [w.name for w in WORKLOADS if w.batch],
        },
        "deployments": {k: asdict(v) for k, v in DEPLOYMENTS.items()},
        "workloads": workloads,
        "teams": TEAMS,
    }


def _candidate_cost(w: Workload, st: dict[str, Any]) -> float | None:
    """The workload's tokens priced at its candidate's list price (what moving would cost)."""
    if not st.get("requests"):
        return 0.0
    d = DEPLOYMENTS[w.deployment]
    from genai_prices import Usage, calc_price

    try:
        r = calc_price(Usage(input_tokens=int(st["uncached"] + st["cache_read"] + st["cache_write"]),
                             cache_read_tokens=int(st["cache_read"]), cache_write_tokens=int(st["cache_write"]),
                             output_tokens=int(st["output"])),
                       model_ref=w.candidate or "", provider_id=d.price_provider)
    except LookupError:
        return None
    return round(float(r.total_price), 6)




def main(argv: list[str] | None = None) -> None:
    """``python -m sample_data.generator OUT [--seed N] [--months M] [--scale S]`` (the slice: see README)."""
    import argparse

    ap = argparse.ArgumentParser(description="Generate the sample company's files.")
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--months", type=int, default=3)
    ap.add_argument("--scale", type=float, default=1.0)
    a = ap.parse_args(argv)
    truth = generate(a.out, seed=a.seed, months=a.months, scale=a.scale)
    print(f"{truth['requests']['total']} requests written to {a.out}")


if __name__ == "__main__":
    main()
