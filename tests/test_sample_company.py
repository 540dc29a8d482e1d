"""The sample company generator: deterministic, realistic volumes and patterns, every file in its
provider's documented format (../shared/research/FORMATS.md), and a truth.json that the files
themselves bear out (billed minus logged per provider = the planted gaps).

The file checks read the generated files directly with json/csv/polars, never through the generator's
own objects, so a wrong writer fails them.
"""

from __future__ import annotations

import csv
import json
import re
import time
import tomllib
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from sample_data import SLICE, SLICE_PARAMS, company_files
from sample_data.generator import draw_requests, generate
from tests.conftest import SAMPLES, SHARED

REFERENCE = SHARED / "research" / "reference"
SOURCES = ["openai", "anthropic", "aws", "gcp", "azure"]
LITELLM_PROVIDER = {"openai": "openai", "anthropic": "anthropic", "bedrock": "aws", "vertex_ai": "gcp",
                    "azure": "azure", "hosted_vllm": "self-hosted"}


def files_of(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def truth() -> dict:
    return json.loads((SLICE / "truth.json").read_text())


@pytest.fixture(scope="module")
def medium(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A larger generation (about 50k requests) where weekly and daily patterns are measurable."""
    out = tmp_path_factory.mktemp("medium") / "company"
    generate(out, seed=11, months=3, scale=0.05)
    return out


def litellm_frame(root: Path) -> pl.DataFrame:
    return pl.read_csv(root / "logs" / "litellm_spend_logs.csv", infer_schema=False)


def langfuse_records(root: Path) -> list[dict]:
    with (root / "logs" / "langfuse_observations.jsonl").open() as fh:
        return [json.loads(line) for line in fh]


# ------------------------------------------------------------------------------------------------
# Determinism and the committed slice


def test_same_seed_gives_identical_bytes_and_another_seed_does_not(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate(a, seed=3, months=2, scale=0.002)
    generate(b, seed=3, months=2, scale=0.002)
    generate(c, seed=4, months=2, scale=0.002)
    fa, fb, fc = files_of(a), files_of(b), files_of(c)
    assert len(fa) == 17  # 2+2+2 pages, 2 CUR, 1 GCP, 2 Azure, 2 logs, 2 evals, 1 TOML, truth
    assert fa == fb
    assert fa["logs/litellm_spend_logs.csv"] != fc["logs/litellm_spend_logs.csv"]


def test_committed_slice_equals_a_fresh_generation(tmp_path: Path, truth: dict) -> None:
    fresh = tmp_path / "slice"
    generate(fresh, **SLICE_PARAMS)
    assert files_of(fresh) == files_of(SLICE), (
        "sample_data/slice is stale: regenerate it with "
        "`python -m sample_data.generator sample_data/slice --seed 7 --months 3 --scale 0.003`")
    assert truth["generator"] == {"version": 1, **SLICE_PARAMS}
    assert sum(p.stat().st_size for p in SLICE.rglob("*") if p.is_file()) < 6_000_000


def test_full_scale_is_about_a_million_requests_in_seconds() -> None:
    t0 = time.perf_counter()
    df = draw_requests(7, 3, 1.0)
    elapsed = time.perf_counter() - t0
    assert 900_000 < df.height < 1_200_000
    assert elapsed < 30
    assert df["workload"].n_unique() == 26 and df["team"].n_unique() == 12
    assert set(df["source"].unique()) == {"openai", "anthropic", "aws", "gcp", "azure", "self-hosted"}


def test_bad_parameters_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="months must be between 1 and 24"):
        generate(tmp_path / "x", months=0)
    with pytest.raises(ValueError, match="scale must be positive"):
        generate(tmp_path / "x", scale=0)


# ------------------------------------------------------------------------------------------------
# Patterns visible in the logs


def _daily(medium: Path) -> pl.DataFrame:
    lite = litellm_frame(medium).select(
        ts=pl.col("startTime").str.to_datetime("%Y-%m-%d %H:%M:%S%.f"),
        feature=pl.col("request_tags").str.extract(r'feature:([\w-]+)'),
        status=pl.col("status"))
    fuse = pl.DataFrame([{"ts": r["startTime"], "feature": r["traceName"],
                          "status": "failure" if r["level"] == "ERROR" else "success"}
                         for r in langfuse_records(medium)]).with_columns(
        ts=pl.col("ts").str.to_datetime("%Y-%m-%dT%H:%M:%S%.fZ"))
    return pl.concat([lite, fuse]).with_columns(day=pl.col("ts").dt.date())


def test_weekly_seasonality_growth_launch_and_incident_are_in_the_logs(medium: Path) -> None:
    truth = json.loads((medium / "truth.json").read_text())
    df = _daily(medium)
    assert df.height == truth["requests"]["logged"]
    business = df.filter(pl.col("feature").is_in(["support-rag-answers", "ticket-triage", "query-rewrite"]))
    per_day = business.group_by("day").len().with_columns(wd=pl.col("day").dt.weekday())
    weekday = per_day.filter(pl.col("wd") <= 5)["len"].mean()
    weekend = per_day.filter(pl.col("wd") >= 6)["len"].mean()
    assert weekday > 2 * weekend
    # growth: the last four weeks carry clearly more traffic than the first four
    start = date.fromisoformat(truth["period"]["start"])
    end = date.fromisoformat(truth["period"]["end"])
    first = df.filter(pl.col("day") < start + timedelta(days=28)).height
    last = df.filter(pl.col("day") >= end - timedelta(days=28)).height
    assert last > 1.15 * first
    # launch: no search answers before the launch date
    launch = date.fromisoformat(truth["events"]["launch"]["date"])
    sa = df.filter(pl.col("feature") == "search-answers")
    assert sa["day"].min() >= launch and sa.height > 1000
    # incident: the support agent's spike day has several times a normal day, with many errors
    inc = truth["events"]["incident"]
    agent = df.filter(pl.col("feature") == inc["workload"]).group_by("day").agg(
        n=pl.len(), errors=(pl.col("status") == "failure").sum())
    spike = agent.filter(pl.col("day") == date.fromisoformat(inc["date"]))
    assert spike["n"][0] > 3 * agent["n"].median()
    assert spike["errors"][0] > 0.2 * spike["n"][0]
    # batch jobs run at night (01:00-04:30 UTC)
    hours = df.filter(pl.col("feature") == "seo-summaries")["ts"].dt.hour()
    assert hours.min() >= 1 and hours.max() <= 4


def test_cache_and_reasoning_tokens_are_present(medium: Path) -> None:
    lite = litellm_frame(medium)
    usage = [json.loads(m)["usage_object"] for m in lite["metadata"].to_list()]
    cached = sum(u["prompt_tokens_details"]["cached_tokens"] for u in usage)
    writes = sum(u["cache_creation_input_tokens"] for u in usage)
    reasoning = sum(u["completion_tokens_details"]["reasoning_tokens"] for u in usage)
    prompt = sum(u["prompt_tokens"] for u in usage)
    assert 0.15 < cached / prompt < 0.7
    assert writes > 0 and reasoning > 0
    # OpenAI caches in 128-token steps, only on prompts of 1024 tokens or more (openai rows only)
    openai_rows = [u for u, p in zip(usage, lite["custom_llm_provider"].to_list(), strict=True) if p == "openai"]
    assert all(u["prompt_tokens_details"]["cached_tokens"] % 128 == 0 for u in openai_rows)
    assert all(u["prompt_tokens"] >= 1024 for u in openai_rows if u["prompt_tokens_details"]["cached_tokens"])


# ------------------------------------------------------------------------------------------------
# Each file in its documented format (FORMATS.md section named in each test)


def test_openai_costs_pages_follow_the_costs_api_schema(truth: dict) -> None:
    """§1b: page envelope, daily buckets, organization.costs.result with amount{value,currency:usd}."""
    pages = sorted((SLICE / "billing").glob("openai_costs_page_*.json"))
    assert [p.name for p in pages] == truth["reconciliation"]["openai"]["files"]
    for i, page in enumerate(pages):
        doc = json.loads(page.read_text())
        assert set(doc) == {"object", "data", "has_more", "next_page"} and doc["object"] == "page"
        assert doc["has_more"] == (i < len(pages) - 1) and (doc["next_page"] is None) == (i == len(pages) - 1)
        assert 1 <= len(doc["data"]) <= 180
        for b in doc["data"]:
            assert b["object"] == "bucket" and b["end_time"] - b["start_time"] == 86400
            for r in b["results"]:
                assert r["object"] == "organization.costs.result"
                assert r["amount"]["currency"] == "usd" and isinstance(r["amount"]["value"], float)
                assert re.fullmatch(r"[\w.:-]+, (input|cached input|output)", r["line_item"]), r["line_item"]
                assert r["project_id"].startswith("proj_") and r["quantity_unit"] == "tokens"
    first = json.loads(pages[0].read_text())["data"][0]
    assert datetime.fromtimestamp(first["start_time"], UTC).date().isoformat() == truth["period"]["start"]


def test_anthropic_cost_report_follows_the_cost_report_schema() -> None:
    """§2b: amount is a decimal string in cents, currency USD, token_type/service_tier enums."""
    token_types = {"uncached_input_tokens", "output_tokens", "cache_read_input_tokens",
                   "cache_creation.ephemeral_1h_input_tokens", "cache_creation.ephemeral_5m_input_tokens"}
    seen = set()
    for page in sorted((SLICE / "billing").glob("anthropic_cost_report_page_*.json")):
        doc = json.loads(page.read_text())
        assert set(doc) == {"data", "has_more", "next_page"} and len(doc["data"]) <= 31
        for b in doc["data"]:
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT00:00:00Z", b["starting_at"])
            for r in b["results"]:
                assert isinstance(r["amount"], str) and Decimal(r["amount"]) >= 0
                assert r["currency"] == "USD" and r["cost_type"] == "tokens"
                assert r["token_type"] in token_types and r["service_tier"] in {"standard", "batch"}
                assert r["model"].startswith("claude-")
                seen.add((r["service_tier"], r["token_type"], r["workspace_id"] is None))
    assert ("batch", "output_tokens", False) in seen and ("standard", "cache_read_input_tokens", True) in seen


def test_anthropic_usage_report_carries_the_tokens_the_cost_report_lacks(truth: dict) -> None:
    """§2a: RFC 3339 buckets, nested cache_creation, no total-input field; sums equal the billed tokens."""
    pages = sorted((SLICE / "billing").glob("anthropic_usage_report_page_*.json"))
    assert [p.name for p in pages] == truth["reconciliation"]["anthropic"]["usage_files"]
    sums = defaultdict(int)
    for page in pages:
        doc = json.loads(page.read_text())
        assert set(doc) == {"data", "has_more", "next_page"}
        for b in doc["data"]:
            for r in b["results"]:
                assert "input_tokens" not in r and set(r["cache_creation"]) == {"ephemeral_5m_input_tokens",
                                                                                  "ephemeral_1h_input_tokens"}
                assert r["service_tier"] in {"standard", "batch"} and r["model"].startswith("claude-")
                sums["uncached"] += r["uncached_input_tokens"]
                sums["cache_read"] += r["cache_read_input_tokens"]
                sums["cache_write"] += sum(r["cache_creation"].values())
                sums["output"] += r["output_tokens"]
    assert dict(sums) == truth["reconciliation"]["anthropic"]["billed_tokens"]


CUR2_DOCUMENTED = [  # FORMATS.md §3b key columns
    "identity_line_item_id", "identity_time_interval", "bill_billing_period_start_date",
    "bill_billing_period_end_date", "bill_payer_account_id", "bill_billing_entity", "bill_invoice_id",
    "line_item_usage_account_id", "line_item_line_item_type", "line_item_usage_start_date",
    "line_item_usage_end_date", "line_item_product_code", "line_item_usage_type", "line_item_operation",
    "line_item_resource_id", "line_item_usage_amount", "line_item_currency_code", "line_item_unblended_rate",
    "line_item_unblended_cost", "line_item_net_unblended_cost", "line_item_blended_cost",
    "line_item_line_item_description", "pricing_unit", "pricing_public_on_demand_cost", "product",
    "product_region_code", "resource_tags", "line_item_iam_principal",
]


def test_aws_cur2_has_documented_columns_and_bedrock_usage_types() -> None:
    """§3b column names, §3c usage types (input/output/cache read/cache write; -batch, -cross-region-global)."""
    usage_type = re.compile(r"USE1-[\w.-]+?-(input-tokens|output-tokens|cache-read-input-token-count|"
                            r"cache-write-input-token-count)(-batch|-cross-region-global)?")
    kinds = set()
    for f in sorted((SLICE / "billing").glob("aws_cur2_*.csv")):
        with f.open(newline="") as fh:
            rows = list(csv.DictReader(fh))
        assert set(CUR2_DOCUMENTED) <= set(rows[0])
        assert all(re.fullmatch(r"(identity|bill|line_item|product|pricing|resource_tags|cost_category|discount)"
                                r"(_[a-z0-9_]+)?", c) for c in rows[0])
        for r in rows:
            if r["line_item_line_item_type"] == "Tax":
                continue
            assert r["line_item_product_code"] == "AmazonBedrock" and usage_type.fullmatch(r["line_item_usage_type"])
            json.loads(r["product"])["product_name"]
            assert json.loads(r["resource_tags"])["user_team"]
            amount, rate, cost = (Decimal(r[k]) for k in ("line_item_usage_amount", "line_item_unblended_rate",
                                                          "line_item_unblended_cost"))
            assert abs(amount * rate - cost) <= Decimal("1e-7") * max(amount, 1)
            kinds.add(r["line_item_usage_type"].rsplit("-", 1)[-1])
        assert [r["line_item_line_item_type"] for r in rows].count("Tax") == 1
    assert {"tokens", "count", "batch", "global"} <= kinds


GCP_DOCUMENTED = [  # FORMATS.md §4b top-level columns, flattened with dots as the BigQuery CSV export does
    "billing_account_id", "invoice.month", "cost_type", "service.id", "service.description", "sku.id",
    "sku.description", "usage_start_time", "usage_end_time", "project.id", "project.number", "project.name",
    "project.labels", "labels", "system_labels", "location.location", "location.country", "location.region",
    "location.zone", "cost", "currency", "currency_conversion_rate", "usage.amount", "usage.unit",
    "usage.amount_in_pricing_units", "usage.pricing_unit", "credits", "export_time", "tags", "cost_at_list",
    "transaction_type", "seller_name",
]


def test_gcp_billing_export_has_vertex_gemini_skus_and_credits(truth: dict) -> None:
    """§4b columns, §4c Vertex AI service and Gemini SKU descriptions, credits as JSON text."""
    sku = re.compile(r"Gemini 2\.5 (Flash|Pro) GA (Text Input - Predictions|Text Output - Predictions|"
                     r"Thinking Text Output - Predictions|Input Text Caching)")
    (f,) = (SLICE / "billing").glob("gcp_billing_export_*.csv")
    with f.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert set(GCP_DOCUMENTED) <= set(rows[0])
    first_month = truth["period"]["start"][:7].replace("-", "")
    thinking = 0
    for r in rows:
        assert r["service.description"] == "Vertex AI" and r["service.id"] == "C7E2-9256-1C43"
        assert sku.fullmatch(r["sku.description"]), r["sku.description"]
        assert r["cost_type"] == "regular" and re.fullmatch(r"\d{6}", r["invoice.month"])
        credits = json.loads(r["credits"])
        assert isinstance(credits, list) and all(c["type"] == "PROMOTION" and c["amount"] < 0 for c in credits)
        assert bool(credits) == (r["invoice.month"] == first_month) or Decimal(r["cost"]) < Decimal("0.000004")
        assert Decimal(r["usage.amount_in_pricing_units"]) * 1_000_000 == Decimal(r["usage.amount"])
        thinking += "Thinking" in r["sku.description"]
    assert thinking > 0


def test_azure_export_has_exactly_the_actualcost_schema_columns() -> None:
    """§5a: the finops-toolkit actualcost_c360-2025-04 schema; §5b BOM, MM/DD/YYYY, brace-less Tags."""
    schema = json.loads((REFERENCE / "azure" / "finops-hub_export_schema_actualcost_c360-2025-04.json").read_text())
    documented = [m["source"]["name"] for m in schema["translator"]["mappings"]]
    meter = re.compile(r"gpt (4o mini 0718|4\.1 0414) (Input global Tokens|Output global Tokens|cached Inp glbl)")
    units = set()
    for f in sorted((SLICE / "billing").glob("azure_actualcost_*.csv")):
        raw = f.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
        assert list(rows[0]) == documented
        for r in rows:
            assert re.fullmatch(r"\d\d/\d\d/\d{4}", r["Date"]) and r["MeterCategory"] == "Azure OpenAI"
            assert meter.fullmatch(r["MeterSubCategory"]) and r["ConsumedService"] == "Microsoft.CognitiveServices"
            assert "/providers/Microsoft.CognitiveServices/accounts/" in r["ResourceId"]
            assert json.loads("{" + r["Tags"] + "}")["team"]
            assert abs(Decimal(r["Quantity"]) * Decimal(r["EffectivePrice"]) - Decimal(r["Cost"])) < Decimal("1e-6")
            units.add(r["UnitOfMeasure"])
    assert units == {"1K", "1M"}


def test_litellm_spend_logs_have_the_spendlogs_columns_and_json_strings() -> None:
    """§7b: the LiteLLM_SpendLogs columns (same keys as LiteLLM's own fixture, plus request_duration_ms),
    metadata/request_tags JSON strings, naive timestamps, prompt_tokens including cached tokens."""
    fixture = json.loads((SAMPLES / "litellm" / "litellm_tests_spend_logs_payload.json").read_text())
    df = litellm_frame(SLICE)
    assert set(df.columns) - {"request_duration_ms"} == set(fixture)
    for row in df.head(300).iter_rows(named=True):
        meta = json.loads(row["metadata"])
        u = meta["usage_object"]
        assert u["prompt_tokens"] == int(row["prompt_tokens"]) and u["completion_tokens"] == int(row["completion_tokens"])
        assert u["total_tokens"] == int(row["total_tokens"]) == u["prompt_tokens"] + u["completion_tokens"]
        assert u["prompt_tokens_details"]["cached_tokens"] + u["cache_creation_input_tokens"] <= u["prompt_tokens"]
        assert meta["user_api_key_team_alias"] and meta["spend_logs_metadata"]["feature"]
        assert json.loads(row["request_tags"])[0].startswith("feature:")
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}", row["startTime"])
        assert row["status"] in {"success", "failure"} and row["custom_llm_provider"] in LITELLM_PROVIDER
        assert re.fullmatch(r"chatcmpl-[0-9a-f-]{36}", row["request_id"]) and len(row["api_key"]) == 64
    assert df["request_id"].n_unique() == df.height


def test_langfuse_observations_follow_the_observation_view() -> None:
    """§7c: camelCase ObservationsView + v2 traceName/tags; usageDetails ints and costDetails USD whose
    total is the sum of the other keys; latency in seconds."""
    recs = langfuse_records(SLICE)
    required = {"id", "traceId", "type", "name", "startTime", "endTime", "completionStartTime", "model",
                "usageDetails", "costDetails", "latency", "timeToFirstToken", "promptName", "promptVersion",
                "traceName", "tags", "level", "metadata", "environment", "userId"}
    unpriced = 0
    for r in recs:
        assert required <= set(r) and r["type"] == "GENERATION"
        u = r["usageDetails"]
        assert all(isinstance(v, int) for v in u.values())
        assert u["total"] == sum(v for k, v in u.items() if k != "total")
        c = r["costDetails"]
        if c:
            assert c["total"] == pytest.approx(sum(v for k, v in c.items() if k != "total"), abs=1e-9)
            assert r["totalCost"] == c["total"]
        else:
            unpriced += 1
            assert r["totalCost"] is None and r["model"].startswith("ft:")
        start = datetime.fromisoformat(r["startTime"].replace("Z", "+00:00"))
        end = datetime.fromisoformat(r["endTime"].replace("Z", "+00:00"))
        assert abs((end - start).total_seconds() - r["latency"]) < 0.002 and r["latency"] < 600
        assert any(t.startswith("team:") for t in r["tags"])
    assert unpriced > 0
    agent_traces = defaultdict(int)
    for r in recs:
        if r["traceName"] == "support-agent":
            agent_traces[r["traceId"]] += 1
    assert max(agent_traces.values()) > 1


def test_eval_files_use_the_documented_columns_and_real_request_ids(truth: dict) -> None:
    scores = pl.read_csv(SLICE / "evals" / "eval_scores.csv")
    passfail = pl.read_csv(SLICE / "evals" / "eval_passfail.csv")
    assert scores.columns == ["workload", "request_id", "baseline_model", "candidate_model",
                              "baseline_score", "candidate_score"]
    assert passfail.columns == ["workload", "request_id", "baseline_model", "candidate_model", "passed"]
    ids = set(litellm_frame(SLICE)["request_id"]) | {r["id"] for r in langfuse_records(SLICE)}
    assert set(scores["request_id"]) <= ids and set(passfail["request_id"]) <= ids
    assert scores["baseline_score"].is_between(0, 1).all() and passfail["passed"].dtype == pl.Boolean
    movable = {w["name"]: w["movable"] for w in truth["workloads"] if "movable" in w}
    drops = scores.group_by("workload").agg((pl.col("baseline_score") - pl.col("candidate_score")).mean())
    for name, drop in drops.iter_rows():
        assert (drop < 0.05) if movable[name] else (drop > 0.08), (name, drop)


def test_price_file_has_the_discount_and_self_hosted_price(truth: dict) -> None:
    doc = tomllib.loads((SLICE / "prices" / "negotiated_prices.toml").read_text())
    (disc,) = doc["discount"]
    assert disc["provider"] == "anthropic" and disc["percent"] == 12.5
    assert disc["effective_from"] == truth["events"]["price_change"]["effective_from"] == "2026-09-01"
    (price,) = doc["price"]
    assert price["model"] == "acme-llama-70b-ft" and price["provider"] == "self-hosted"
    assert (price["input"], price["output"], price["cache_read"]) == (0.2, 0.6, 0.05)


# ------------------------------------------------------------------------------------------------
# truth.json agrees with the files


def billed_from_files(root: Path) -> dict[str, dict[str, Decimal]]:
    """Billed amount per source and month, read from the billing files as their formats define it."""
    out: dict[str, dict[str, Decimal]] = {s: defaultdict(Decimal) for s in SOURCES}
    for f in (root / "billing").glob("openai_costs_page_*.json"):
        for b in json.loads(f.read_text(), parse_float=Decimal)["data"]:
            m = datetime.fromtimestamp(b["start_time"], UTC).strftime("%Y-%m")
            out["openai"][m] += sum((r["amount"]["value"] for r in b["results"]), Decimal(0))
    for f in (root / "billing").glob("anthropic_cost_report_page_*.json"):
        for b in json.loads(f.read_text())["data"]:
            out["anthropic"][b["starting_at"][:7]] += sum((Decimal(r["amount"]) for r in b["results"]), Decimal(0)) / 100
    for f in (root / "billing").glob("aws_cur2_*.csv"):
        with f.open(newline="") as fh:
            for r in csv.DictReader(fh):
                out["aws"][r["line_item_usage_start_date"][:7]] += Decimal(r["line_item_unblended_cost"])
    for f in (root / "billing").glob("gcp_billing_export_*.csv"):
        with f.open(newline="") as fh:
            for r in csv.DictReader(fh):
                credits = json.loads(r["credits"], parse_float=Decimal)
                out["gcp"][r["usage_start_time"][:7]] += Decimal(r["cost"]) + sum((c["amount"] for c in credits), Decimal(0))
    for f in (root / "billing").glob("azure_actualcost_*.csv"):
        for r in csv.DictReader(f.read_text(encoding="utf-8-sig").splitlines()):
            d = datetime.strptime(r["Date"], "%m/%d/%Y")
            out["azure"][d.strftime("%Y-%m")] += Decimal(r["Cost"])
    return out


def logged_from_files(root: Path) -> dict[str, float]:
    """The gateways' own cost per source (LiteLLM ``spend``, Langfuse ``totalCost``)."""
    out: dict[str, float] = defaultdict(float)
    for prov, spend in litellm_frame(root).select("custom_llm_provider", pl.col("spend").cast(pl.Float64)).iter_rows():
        out[LITELLM_PROVIDER[prov]] += spend
    for r in langfuse_records(root):
        out[r["metadata"]["provider"]] += r["totalCost"] or 0.0
    return out


def test_truth_totals_equal_the_billing_files(truth: dict) -> None:
    billed = billed_from_files(SLICE)
    for s in SOURCES:
        assert set(billed[s]) == set(truth["spend"]["billed_by_month"][s]) == {"2026-08", "2026-09", "2026-10"}
        for month, amount in billed[s].items():
            assert abs(amount - Decimal(truth["spend"]["billed_by_month"][s][month])) <= Decimal("0.000001"), (s, month)
        assert abs(sum(billed[s].values()) - Decimal(truth["spend"]["billed_total"][s])) <= Decimal("0.000002")


def test_billed_minus_logged_is_the_planted_gaps(truth: dict) -> None:
    billed = {s: sum(v.values()) for s, v in billed_from_files(SLICE).items()}
    logged = logged_from_files(SLICE)
    for s in SOURCES:
        rec = truth["reconciliation"][s]
        gaps = sum(Decimal(g["amount"]) for g in truth["gaps"] if g["provider"] == s)
        assert float(billed[s]) - logged[s] == pytest.approx(float(gaps + Decimal(rec["rounding"])), abs=1e-4), s
        assert logged[s] == pytest.approx(float(rec["logged"]), abs=1e-5)
    kinds = {(g["provider"], g["kind"]) for g in truth["gaps"]}
    assert kinds == {("openai", "missing_logs"), ("openai", "unpriced_model"), ("anthropic", "batch_discount"),
                     ("anthropic", "negotiated_discount"), ("aws", "batch_discount"), ("aws", "tax"),
                     ("gcp", "credits")}
    assert abs(Decimal(truth["reconciliation"]["azure"]["gaps"])) == 0
    assert all(abs(Decimal(truth["reconciliation"][s]["rounding"])) < Decimal("0.05") for s in SOURCES)


def test_each_gap_is_where_truth_says_in_the_files(truth: dict) -> None:
    gap = {(g["provider"], g["kind"]): Decimal(g["amount"]) for g in truth["gaps"]}
    lite = litellm_frame(SLICE)
    fuse = langfuse_records(SLICE)
    features = set(lite["request_tags"].str.extract(r"feature:([\w-]+)")) | {r["traceName"] for r in fuse}
    # missing logs: team growth's workload is billed but appears in no log
    assert "growth-experiments" not in features
    # unpriced model: the fine-tune's OpenAI lines equal the gap; its Langfuse rows carry no cost
    ft = Decimal(0)
    for f in (SLICE / "billing").glob("openai_costs_page_*.json"):
        for b in json.loads(f.read_text(), parse_float=Decimal)["data"]:
            ft += sum((r["amount"]["value"] for r in b["results"] if r["line_item"].startswith("ft:")), Decimal(0))
    assert abs(ft - gap[("openai", "unpriced_model")]) < Decimal("0.00001")
    assert all(not r["costDetails"] for r in fuse if r["model"].startswith("ft:"))
    # tax: the CUR Tax lines are 7% of each month's Bedrock usage
    tax = Decimal(0)
    for f in (SLICE / "billing").glob("aws_cur2_*.csv"):
        rows = list(csv.DictReader(f.open(newline="")))
        usage = sum(Decimal(r["line_item_unblended_cost"]) for r in rows if r["line_item_line_item_type"] == "Usage")
        t = sum(Decimal(r["line_item_unblended_cost"]) for r in rows if r["line_item_line_item_type"] == "Tax")
        assert t == (usage * Decimal("0.07")).quantize(Decimal("0.01"))
        tax += t
    assert tax == gap[("aws", "tax")]
    # credits: the GCP promotion credits sum to the gap
    rows = list(csv.DictReader((next((SLICE / "billing").glob("gcp_*.csv"))).open(newline="")))
    credits = sum((Decimal(str(c["amount"])) for r in rows for c in json.loads(r["credits"])), Decimal(0))
    assert credits == gap[("gcp", "credits")] < 0
    # batch and negotiated: Anthropic bills batch at half of what LiteLLM logged, then 12.5% off from the
    # price change on
    eff = truth["events"]["price_change"]["effective_from"]
    seo = lite.filter(pl.col("request_tags").str.contains("feature:seo-summaries"))
    logged_before = seo.filter(pl.col("startTime") < eff)["spend"].cast(pl.Float64).sum()
    logged_after = seo.filter(pl.col("startTime") >= eff)["spend"].cast(pl.Float64).sum()
    batch_before = batch_after = Decimal(0)
    for f in (SLICE / "billing").glob("anthropic_cost_report_page_*.json"):
        for b in json.loads(f.read_text())["data"]:
            amt = sum((Decimal(r["amount"]) for r in b["results"] if r["service_tier"] == "batch"), Decimal(0)) / 100
            if b["starting_at"][:10] < eff:
                batch_before += amt
            else:
                batch_after += amt
    assert float(batch_before) == pytest.approx(logged_before * 0.5, abs=0.01)
    assert float(batch_after) == pytest.approx(logged_after * 0.5 * 0.875, abs=0.01)
    assert gap[("anthropic", "batch_discount")] < 0 and gap[("anthropic", "negotiated_discount")] < 0


def test_truth_names_the_movable_workloads_and_the_logged_tokens(truth: dict) -> None:
    movable = {w["name"]: (w["candidate"], w["movable"]) for w in truth["workloads"] if "candidate" in w}
    assert movable["support-rag-answers"] == ("claude-haiku-4-5-20251001", True)
    assert movable["contract-review"] == ("claude-sonnet-4-5-20250929", False)
    assert sum(m for _c, m in movable.values()) >= 3 and sum(not m for _c, m in movable.values()) >= 2
    for w in truth["workloads"]:
        if w.get("movable") and w["candidate_list_cost"] is not None:
            assert w["candidate_list_cost"] < w["list_cost"]
    lite = litellm_frame(SLICE)
    out = lite["completion_tokens"].cast(pl.Int64).sum() + sum(
        r["usageDetails"]["output"] + r["usageDetails"]["output_reasoning_tokens"] for r in langfuse_records(SLICE))
    assert out == truth["requests"]["logged_tokens"]["output"]
    assert len(company_files(SLICE)) == 21


def test_demo_command_generates_once_and_loads_every_file_it_can(tmp_path: Path) -> None:
    from tests.conftest import run_cli

    out, db = tmp_path / "acme", tmp_path / "demo.duckdb"
    first = run_cli("demo", "--seed", "5", "--months", "1", "--scale", "0.002", "--out", str(out), "--json", db=db)
    assert first.returncode == 0, first.stderr
    assert "generating the sample company" in first.stderr
    report = json.loads(first.stdout)
    assert report["generated"] is True and report["directory"] == str(out)
    names = [r["file"] for r in report["files"]]
    assert names == [p.name for p in company_files(out)] + ["focus_sample_1000_FOCUS-1.0.csv"]
    # a file no reader takes yet is reported and the rest still load
    assert report["files"][-1]["status"] == "loaded"
    assert all(r["status"] in {"loaded", "failed"} and (r["status"] == "loaded" or r["error"]) for r in report["files"])
    truth = json.loads((out / "truth.json").read_text())
    assert report["requests"] == truth["requests"]["total"]
    second = run_cli("demo", "--seed", "5", "--months", "1", "--scale", "0.002", "--out", str(out), db=db)
    assert second.returncode == 0 and "already generated" in second.stderr
    assert "Sample company:" in second.stdout and "billed by anthropic" in second.stdout
    assert json.loads((out / "truth.json").read_text()) == truth
