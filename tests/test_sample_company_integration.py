"""The product finds what the sample company planted: load the committed slice with `rightsize ingest`,
then check the totals, tokens and gaps through `rightsize spend --json` and the store's public views.

A file the product cannot read fails the test (never a skip): it is a product gap. Expectations come from sample_data/slice/truth.json, which
tests/test_sample_company.py checks against the files themselves.

What the product is expected to do (docs/store.md): BilledCost is the invoice amount (GCP: cost +
credits; Anthropic: amount/100); CUR Tax lines are ChargeCategory Tax; request costs are list prices
from genai-prices with the negotiated-price file applied (its Anthropic discount and self-hosted
price), and NULL for a model nobody prices.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from sample_data import SLICE, company_files
from tests.conftest import cli_json, run_cli

TRUTH = json.loads((SLICE / "truth.json").read_text())
SOURCES = ["openai", "anthropic", "aws", "gcp", "azure"]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    db = tmp_path_factory.mktemp("company") / "store.duckdb"
    proc = run_cli("ingest", *[str(p) for p in company_files(SLICE)], "--json", db=db)
    return db, json.loads(proc.stdout) if proc.stdout.strip() else [{"file": "?", "status": "failed",
                                                                      "error": proc.stderr}]


def loaded_db(loaded: tuple[Path, list[dict]]) -> Path:
    """The store, once every slice file is in it (otherwise fail naming the files that are not)."""
    db, results = loaded
    missing = sorted(r["file"] for r in results if r["status"] != "loaded")
    assert not missing, f"not loaded (reader missing or failing): {', '.join(missing)}"
    return db


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_every_slice_file_loads_whole(loaded: tuple[Path, list[dict]]) -> None:
    _db, results = loaded
    failed = {r["file"]: r["error"] for r in results if r["status"] != "loaded"}
    assert not failed, f"files the product cannot read yet: {failed}"
    assert len(results) == len(company_files(SLICE))
    assert all(r["rejected"] == 0 for r in results), [(r["file"], r["rejected"]) for r in results if r["rejected"]]
    kinds = {r["file"]: r["kind"] for r in results}
    assert {kinds[f] for s in SOURCES for key in ("files", "usage_files")
            for f in TRUTH["reconciliation"][s][key]} == {"billing"}
    assert kinds["litellm_spend_logs.csv"] == kinds["langfuse_observations.jsonl"] == "requests"


def test_billed_totals_per_provider_and_month(loaded: tuple[Path, list[dict]]) -> None:
    db = loaded_db(loaded)
    rows = cli_json("spend", "--by", "source_file,month", db=db)
    by_source: dict[str, Decimal] = {s: Decimal(0) for s in SOURCES}
    file_source = {f: s for s in SOURCES for f in TRUTH["reconciliation"][s]["files"]}
    usage_files = {f for s in SOURCES for f in TRUTH["reconciliation"][s]["usage_files"]}
    months: dict[str, Decimal] = {}
    for r in rows:
        if r["source_file"] in usage_files:  # token-only lines: no money
            assert r["billed_cost"] is None
            continue
        assert r["currency"] == "USD"
        by_source[file_source[r["source_file"]]] += Decimal(str(r["billed_cost"]))
        months[r["month"]] = months.get(r["month"], Decimal(0)) + Decimal(str(r["billed_cost"]))
    for s in SOURCES:
        assert abs(by_source[s] - Decimal(TRUTH["spend"]["billed_total"][s])) < Decimal("0.000001"), s
    for m, amount in months.items():
        expected = sum(Decimal(TRUTH["spend"]["billed_by_month"][s].get(m, "0")) for s in SOURCES)
        assert abs(amount - expected) < Decimal("0.00001"), m


def test_billed_tokens_per_provider(loaded: tuple[Path, list[dict]]) -> None:
    db = loaded_db(loaded)
    for s in SOURCES:
        # Anthropic's cost report has no token counts: its usage report does (x_LineType usage)
        files = TRUTH["reconciliation"][s]["usage_files"] or TRUTH["reconciliation"][s]["files"]
        expected = TRUTH["reconciliation"][s]["billed_tokens"]
        got = dict(query(db, "SELECT x_TokenType, sum(x_Tokens) FROM billing WHERE x_SourceFile IN "
                             f"({', '.join('?' for _ in files)}) AND x_TokenType IS NOT NULL GROUP BY ALL", files))
        assert got.get("input", 0) == expected["uncached"], s
        assert got.get("cache_read", 0) == expected["cache_read"], s
        assert got.get("cache_write_5m", 0) + got.get("cache_write_1h", 0) == expected["cache_write"], s
        assert got.get("output", 0) + got.get("reasoning", 0) == expected["output"], s


def test_tax_lines_are_charge_category_tax(loaded: tuple[Path, list[dict]]) -> None:
    db = loaded_db(loaded)
    rows = cli_json("spend", "--by", "category", db=db)
    tax = sum((Decimal(str(r["billed_cost"])) for r in rows if r["category"] == "Tax"), Decimal(0))
    expected = sum(Decimal(g["amount"]) for g in TRUTH["gaps"] if g["kind"] == "tax")
    assert tax == expected


def test_requests_and_their_tokens(loaded: tuple[Path, list[dict]]) -> None:
    db = loaded_db(loaded)
    n, unc, cr, cw, out, rsn = query(db, "SELECT count(*), sum(uncached_input_tokens), sum(cache_read_tokens), "
                                         "sum(cache_write_tokens + cache_write_1h_tokens), sum(output_tokens), "
                                         "sum(reasoning_tokens) FROM requests")[0]
    t = TRUTH["requests"]["logged_tokens"]
    assert n == TRUTH["requests"]["logged"]
    assert (unc, cr, cw, out, rsn) == (t["uncached"], t["cache_read"], t["cache_write"], t["output"], t["reasoning"])


def test_unpriced_model_and_self_hosted_price(loaded: tuple[Path, list[dict]]) -> None:
    db = loaded_db(loaded)
    ft = next(w for w in TRUTH["workloads"] if w["name"] == "resume-screening")
    n, priced = query(db, "SELECT count(*), count(cost) FROM requests WHERE model_raw = ?", [ft["model"]])[0]
    assert (n, priced) == (ft["requests"], 0)
    (self_hosted,) = query(db, "SELECT sum(cost) FROM requests WHERE model_raw = 'acme-llama-70b-ft'")[0]
    assert float(self_hosted) == pytest.approx(TRUTH["spend"]["self_hosted_cost"], abs=0.01)


def test_what_billing_and_logs_cannot_explain_is_the_planted_gaps(loaded: tuple[Path, list[dict]]) -> None:
    """Billed minus our priced requests = missing logs + unpriced model + tax + credits (+ rounding). Our
    prices already know the batch discount (batch requests are priced at batch rates) and the negotiated
    Anthropic discount (the price file), so neither is left in the difference."""
    db = loaded_db(loaded)
    (billed,) = query(db, "SELECT sum(BilledCost) FROM billing")[0]  # usage-only lines have NULL cost
    (priced,) = query(db, "SELECT sum(cost) FROM requests WHERE model_raw <> 'acme-llama-70b-ft'")[0]
    unexplained = sum(Decimal(g["amount"]) for g in TRUTH["gaps"]
                      if g["kind"] not in {"negotiated_discount", "batch_discount"})
    rounding = sum(Decimal(TRUTH["reconciliation"][s]["rounding"]) for s in SOURCES)
    assert float(billed - priced) == pytest.approx(float(unexplained + rounding), abs=0.02)


CAUSE_OF_KIND = {"batch_discount": "batch_tier_discounts", "negotiated_discount": "negotiated_prices",
                 "tax": "tax", "credits": "credits", "missing_logs": "missing_logs", "unpriced_model": "unpriced_models"}
PROVIDER_KEY = {"openai": "openai", "anthropic": "anthropic", "aws": "aws", "gcp": "google", "azure": "azure"}


def test_reconciliation_finds_each_planted_gap(loaded: tuple[Path, list[dict]]) -> None:
    """`rightsize reconcile --json` names every planted gap with its provider, cause and amount, and
    the causes add up to billed - logged for each provider."""
    db = loaded_db(loaded)
    out = cli_json("reconcile", db=db)
    found = {(c["provider"], c["cause"]): c["amount"] for c in out["causes_by_provider"]}  # type: ignore[index]
    planted: dict[tuple[str, str], float] = {}
    for g in TRUTH["gaps"]:
        key = (PROVIDER_KEY[g["provider"]], CAUSE_OF_KIND[g["kind"]])
        planted[key] = planted.get(key, 0.0) + float(g["amount"])
    for key, amount in planted.items():
        assert found.get(key) == pytest.approx(amount, abs=0.005), (key, found)
    for s in SOURCES:
        billed, logged = (float(TRUTH["reconciliation"][s][k]) for k in ("billed", "logged"))
        total = sum(a for (p, _c), a in found.items() if p == PROVIDER_KEY[s])
        assert total == pytest.approx(billed - logged, abs=1e-6), s
    assert out["summary"]["unbilled"][0]["provider"] == "self-hosted"  # type: ignore[index]


def test_savings_use_the_planted_evidence(loaded: tuple[Path, list[dict]]) -> None:
    """Workloads with eval results are assessed on the evaluated candidate, with the planted pass
    rates as their eligible shares; the ones the generator made movable score above those it did not."""
    from ingest.models import canonical_model

    db = loaded_db(loaded)
    out = cli_json("savings", "--tolerance", "0.05", db=db)
    by = {w["workload"]: w for w in out["workloads"]}  # type: ignore[index]
    for w in TRUTH["workloads"]:
        if not w.get("eval"):
            continue
        got = by[w["name"]]
        assert got["basis"] == "evidence" and got["candidate_model"] == canonical_model(w["candidate"]), w["name"]
        if "pass_rate" in w["eval"]:
            assert got["eligible_share"] == pytest.approx(w["eval"]["pass_rate"]), w["name"]
    movable = [by[w["name"]]["eligible_share"] for w in TRUTH["workloads"] if w.get("eval") and w["movable"]]
    stuck = [by[w["name"]]["eligible_share"] for w in TRUTH["workloads"]
             if w.get("eval") and not w["movable"] and "pass_rate" not in w["eval"]]
    assert min(movable) > max(stuck)
    assert out["totals"]["savings_low"] <= out["totals"]["savings"] <= out["totals"]["savings_high"]  # type: ignore[index]
