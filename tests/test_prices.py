"""The price catalog: hand-computed costs for the cases that go wrong (cache-heavy Anthropic, batch
OpenAI, >200k-token Gemini, unknown and fine-tuned models), every request equal to genai-prices'
own calc_price, the user's price file (discounts, contract, self-hosted, hourly capacity) and re-pricing."""

from __future__ import annotations

import csv
import random
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
from genai_prices import Usage, calc_price
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ingest
from ingest import prices
from tests.conftest import ROOT, cli_json, run_cli

COLUMNS = ["request_id", "ts", "provider", "model", "input_tokens", "cache_read_tokens", "cache_write_tokens",
           "cache_write_1h_tokens", "output_tokens", "reasoning_tokens", "service_tier", "team", "feature"]
SLICE = ROOT / "sample_data" / "slice"


def write_log(path: Path, rows: list[dict[str, object]]) -> Path:
    with path.open("w", newline="") as fh:
        w = csv.DictWriter(fh, COLUMNS)
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, 0 if c.endswith("_tokens") else "") for c in COLUMNS})
    return path


def costs(con: duckdb.DuckDBPyConnection) -> dict[str, Decimal | None]:
    return dict(con.execute("SELECT request_id, cost FROM requests").fetchall())


def test_hand_computed_prices(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    log = write_log(tmp_path / "log.csv", [
        # Anthropic, cache heavy: 100k prompt = 20k uncached + 60k cache reads + 15k 5m writes + 5k 1h writes
        {"request_id": "sonnet-cache", "ts": "2026-10-01T10:00:00Z", "provider": "anthropic",
         "model": "claude-sonnet-4-5-20250929", "input_tokens": 100_000, "cache_read_tokens": 60_000,
         "cache_write_tokens": 15_000, "cache_write_1h_tokens": 5_000, "output_tokens": 2_000},
        # OpenAI batch before the catalog has a batch price (published 50%), and after (catalog's own)
        {"request_id": "mini-batch-sep", "ts": "2026-09-15T00:00:00Z", "provider": "openai",
         "model": "gpt-4o-mini", "input_tokens": 1_000_000, "output_tokens": 1_000_000, "service_tier": "batch"},
        {"request_id": "mini-batch-nov", "ts": "2026-11-01T00:00:00Z", "provider": "openai",
         "model": "gpt-4o-mini", "input_tokens": 1_000_000, "output_tokens": 1_000_000, "service_tier": "batch"},
        {"request_id": "mini-std", "ts": "2026-11-01T00:00:00Z", "provider": "openai",
         "model": "gpt-4o-mini", "input_tokens": 1_000_000, "output_tokens": 1_000_000},
        # Gemini 2.5 Pro: the >200k tier is decided per request, not per day
        {"request_id": "gemini-150k", "ts": "2026-10-02T08:00:00Z", "provider": "vertex_ai",
         "model": "gemini-2.5-pro", "input_tokens": 150_000, "output_tokens": 10_000},
        {"request_id": "gemini-250k", "ts": "2026-10-02T09:00:00Z", "provider": "vertex_ai",
         "model": "gemini-2.5-pro", "input_tokens": 250_000, "output_tokens": 10_000, "reasoning_tokens": 4_000},
        {"request_id": "mystery", "ts": "2026-10-02T09:00:00Z", "provider": "openai",
         "model": "acme-mystery-7b", "input_tokens": 1_000, "output_tokens": 100},
        {"request_id": "fine-tuned", "ts": "2026-10-02T09:00:00Z", "provider": "openai",
         "model": "ft:gpt-4.1-mini-2025-04-14:acme:resumes:B7xQ2", "input_tokens": 1_000, "output_tokens": 100},
    ])
    assert ingest.ingest_file(store, log).status == "loaded"
    got = costs(store)
    # Sonnet 4.5: $3 input, $0.30 cache read, $3.75 5m write, $6 1h write, $15 output per 1M tokens
    assert got["sonnet-cache"] == Decimal(20_000 * 3 + 60_000 * Decimal("0.3") + 15_000 * Decimal("3.75")
                                           + 5_000 * 6 + 2_000 * 15) / 1_000_000
    assert got["mini-batch-sep"] == Decimal("0.375")          # ($0.15 + $0.60) x 50%
    assert got["mini-batch-nov"] == Decimal("0.375")          # the catalog's batch price, dated 2026-10-14
    assert got["mini-std"] == Decimal("0.75")
    assert got["gemini-150k"] == Decimal(150_000 * Decimal("1.25") + 10_000 * 10) / 1_000_000
    assert got["gemini-250k"] == Decimal(250_000 * Decimal("2.5") + 10_000 * 15) / 1_000_000
    assert got["mystery"] is None and got["fine-tuned"] is None
    basis = dict(store.execute("SELECT request_id, cost_basis FROM requests").fetchall())
    assert basis["mystery"].startswith("unpriced: no price for 'acme-mystery-7b'")
    assert "fine-tuned" in basis["fine-tuned"]
    assert "published batch price" in basis["mini-batch-sep"]
    assert basis["mini-batch-nov"].startswith("genai-prices 0.2.3 openai/gpt-4o-mini; batch")
    # unpriced spend is counted, never $0: the rollup and the CLI say how many requests lack a price
    assert store.execute("SELECT sum(unpriced_requests) FROM requests_daily").fetchone()[0] == 2


MODELS = [("anthropic", "claude-sonnet-4-5-20250929"), ("anthropic", "claude-haiku-4-5"),
          ("anthropic", "claude-opus-4-1"), ("openai", "gpt-4o"), ("openai", "gpt-4.1-mini"), ("openai", "gpt-5"),
          ("openai", "o3"), ("vertex_ai", "gemini-2.5-pro"), ("vertex_ai", "gemini-2.5-flash"),
          ("bedrock", "global.anthropic.claude-sonnet-4-5-20250929-v1:0"),
          ("bedrock", "meta.llama3-3-70b-instruct-v1:0"), ("azure", "gpt-4o-mini"), ("deepseek", "deepseek-chat"),
          ("openai", "gpt-4o-mini")]
GENAI_PROVIDER = {"vertex_ai": "google", "bedrock": "aws"}


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1))
def test_every_request_equals_genai_prices(tmp_path: Path, seed: int) -> None:
    """Random requests over many models, dates (price changes, off-peak hours), tiers and token mixes:
    each stored cost equals genai-prices' calc_price for that one request."""
    rnd = random.Random(seed)
    rows = []
    for i in range(80):
        provider, model = rnd.choice(MODELS)
        total = rnd.choice([0, 1, 900, 50_000, 199_999, 200_001, 250_000, 300_000])
        cr = rnd.randint(0, total // 2)
        cw = rnd.randint(0, (total - cr) // 2) if provider in {"anthropic", "bedrock"} else 0
        cw1h = rnd.randint(0, cw) if provider == "anthropic" else 0
        tier = rnd.choice(["", "", "batch", "flex", "priority"]) if provider == "openai" else rnd.choice(["", "batch"])
        ts = datetime(2025, 1, 1) + timedelta(minutes=rnd.randint(0, 60 * 24 * 700))
        rows.append({"request_id": f"r{i}", "ts": ts.isoformat(), "provider": provider, "model": model,
                     "input_tokens": total, "cache_read_tokens": cr, "cache_write_tokens": cw - cw1h,
                     "cache_write_1h_tokens": cw1h, "output_tokens": rnd.randint(0, 20_000), "service_tier": tier})
    db = tmp_path / f"p{seed}.duckdb"
    db.unlink(missing_ok=True)
    con = ingest.connect(db)
    try:
        log = write_log(tmp_path / f"log{seed}.csv", rows)
        assert ingest.ingest_file(con, log).status == "loaded"
        got = costs(con)
        basis = dict(con.execute("SELECT request_id, cost_basis FROM requests").fetchall())
    finally:
        con.close()
    for r in rows:
        ctx = {"processing": "batch"} if r["service_tier"] == "batch" else (
            {"service_tier": r["service_tier"]} if r["service_tier"] in {"flex", "priority"} else None)
        expected = calc_price(
            Usage(input_tokens=r["input_tokens"], cache_read_tokens=r["cache_read_tokens"],
                  cache_write_tokens=r["cache_write_tokens"] + r["cache_write_1h_tokens"],
                  cache_write_1h_tokens=r["cache_write_1h_tokens"], output_tokens=r["output_tokens"]),
            str(r["model"]), provider_id=GENAI_PROVIDER.get(str(r["provider"]), str(r["provider"])),
            genai_request_timestamp=datetime.fromisoformat(str(r["ts"])), price_context=ctx).total_price
        if "published batch price" in basis[str(r["request_id"])]:
            expected = expected * Decimal("0.5")  # the catalog had no batch price at that date
        assert got[str(r["request_id"])] == round(expected, 12), (r, basis[str(r["request_id"])])


PRICE_FILE = """\
# Acme's prices
[[discount]]
provider = "anthropic"
percent = 12.5
effective_from = "2026-09-01"

[[price]]
model = "acme-llama-70b-ft"
provider = "self-hosted"
input = 0.2
output = 0.6

[[hourly]]
model = "gpt-4o"
provider = "azure"
usd_per_hour = 2
units = 3
"""


def test_price_file_discount_contract_and_hourly(db_path: Path, tmp_path: Path) -> None:
    log = write_log(tmp_path / "log.csv", [
        {"request_id": "before", "ts": "2026-08-31T23:59:59Z", "provider": "anthropic",
         "model": "claude-haiku-4-5", "input_tokens": 1_000_000, "output_tokens": 1_000_000},
        {"request_id": "after", "ts": "2026-09-01T00:00:00Z", "provider": "anthropic",
         "model": "claude-haiku-4-5", "input_tokens": 1_000_000, "output_tokens": 1_000_000},
        {"request_id": "bedrock", "ts": "2026-09-02T00:00:00Z", "provider": "bedrock",
         "model": "anthropic.claude-haiku-4-5-20251001-v1:0", "input_tokens": 1_000_000, "output_tokens": 0},
        {"request_id": "vllm", "ts": "2026-09-02T00:00:00Z", "provider": "hosted_vllm",
         "model": "acme-llama-70b-ft", "input_tokens": 1_000_000, "output_tokens": 1_000_000},
        {"request_id": "ptu-a", "ts": "2026-09-02T10:05:00Z", "provider": "azure", "model": "gpt-4o",
         "input_tokens": 300, "output_tokens": 0},
        {"request_id": "ptu-b", "ts": "2026-09-02T10:55:00Z", "provider": "azure", "model": "gpt-4o",
         "input_tokens": 600, "output_tokens": 300},
        {"request_id": "ptu-c", "ts": "2026-09-02T11:00:00Z", "provider": "azure", "model": "gpt-4o",
         "input_tokens": 5, "output_tokens": 5},
    ])
    assert run_cli("ingest", str(log), db=db_path).returncode == 0
    con = duckdb.connect(str(db_path), read_only=True)
    unpriced = costs(con)
    con.close()
    assert unpriced["vllm"] is None and unpriced["after"] == Decimal("6")  # list: $1 + $5 per 1M
    prices_toml = tmp_path / "acme_prices.toml"
    prices_toml.write_text(PRICE_FILE)
    [res] = cli_json("ingest", str(prices_toml), db=db_path)  # type: ignore[misc]
    assert res["format"] == "price_file" and res["rows"] == 3
    con = duckdb.connect(str(db_path), read_only=True)
    got = costs(con)
    assert got["before"] == Decimal("6")
    assert got["after"] == Decimal("6") * Decimal("0.875")
    assert got["bedrock"] == Decimal("1.1")       # Bedrock regional list price, not Anthropic's contract
    assert got["vllm"] == Decimal("0.8")
    # 10:00-11:00 costs 2 x 3 = $6, shared by tokens 300 : 900; 11:00 alone pays its own hour
    assert got["ptu-a"] == Decimal("1.5") and got["ptu-b"] == Decimal("4.5") and got["ptu-c"] == Decimal("6")
    basis = dict(con.execute("SELECT request_id, cost_basis FROM requests").fetchall())
    assert "12.5% off (acme_prices.toml:2)" in basis["after"]
    when = con.execute("SELECT valid_from, valid_to, overrides FROM prices WHERE model = 'claude-haiku-4-5' "
                       "AND provider = 'anthropic' ORDER BY valid_from").fetchall()
    assert [w[2] for w in when] == [None, "12.5% off (acme_prices.toml:2)"]
    assert when[1][0] == datetime(2026, 9, 1)
    # the daily rollup was rebuilt with the new prices
    assert con.execute("SELECT sum(cost) FROM requests_daily").fetchone()[0] == \
        con.execute("SELECT sum(cost) FROM requests").fetchone()[0]
    file_id = con.execute("SELECT id FROM source_file WHERE name = 'acme_prices.toml'").fetchone()[0]
    con.close()
    # removing the price file puts list prices back
    con = ingest.connect(db_path)
    ingest.remove_file(con, file_id)
    assert costs(con)["after"] == Decimal("6") and costs(con)["vllm"] is None
    con.close()


def test_sample_company_price_file_loads(store: duckdb.DuckDBPyConnection) -> None:
    r = ingest.ingest_file(store, SLICE / "prices" / "negotiated_prices.toml")
    assert (r.status, r.format, r.rows, r.rejected) == ("loaded", "price_file", 2, 0)
    mp = prices.model_price("claude-sonnet-4-5", "anthropic", at=datetime(2026, 10, 1), con=store)
    assert mp is not None and mp.input == Decimal("3") * Decimal("0.875")
    custom = prices.model_price("acme-llama-70b-ft", "self-hosted", at=datetime(2026, 10, 1), con=store)
    assert custom is not None and (custom.input, custom.output, custom.cache_read) == (
        Decimal("0.2"), Decimal("0.6"), Decimal("0.05"))
    assert prices.model_price("acme-llama-70b-ft", "self-hosted", at=datetime(2026, 7, 1), con=store) is None


def test_bad_price_file_rows_are_rejected_with_line(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    bad = tmp_path / "bad_prices.toml"
    bad.write_text('[[discount]]\nprovider = "openai"\npercent = "lots"\n\n[[price]]\nmodel = "x"\n\n'
                   '[[discount]]\nmodel = "gpt-*"\npercent = 10\neffective_from = "2026-13-01"\n\n'
                   '[[price]]\nmodel = "ok-model"\ninput = 1\noutput = 2\n')
    r = ingest.ingest_file(store, bad)
    assert (r.status, r.rows, r.rejected) == ("loaded", 1, 3)
    rejects = store.execute("SELECT line, reason FROM ingest_rejects ORDER BY line").fetchall()
    assert rejects == [(1, "percent 'lots' is not a number"),
                       (5, "a price needs input and/or output (USD per 1M tokens)"),
                       (8, "effective_from '2026-13-01' is not a date (YYYY-MM-DD)")]
    broken = tmp_path / "broken.toml"
    broken.write_text('[[discount]]\nprovider = "openai\n')
    r = ingest.ingest_file(store, broken)
    assert r.status == "failed" and "broken.toml" in r.error and "line 2" in r.error


def test_price_file_as_csv(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    f = tmp_path / "prices.csv"
    f.write_text("kind,provider,model,input,output,percent,effective_from\n"
                 "discount,openai,,,,20,2026-01-01\nprice,self-hosted,my-model,0.1,0.2,,\n")
    r = ingest.ingest_file(store, f)
    assert (r.status, r.format, r.rows) == ("loaded", "price_file", 2)
    mp = prices.model_price("gpt-4o-mini", "openai", at=datetime(2026, 5, 1), con=store)
    assert mp is not None and mp.input == Decimal("0.15") * Decimal("0.8")


def test_reprice_cli(db_path: Path, tmp_path: Path) -> None:
    log = write_log(tmp_path / "log.csv", [
        {"request_id": "a", "ts": "2026-10-01T10:00:00Z", "provider": "openai", "model": "gpt-4o",
         "input_tokens": 1_000_000, "output_tokens": 0}])
    assert run_cli("ingest", str(log), db=db_path).returncode == 0
    con = ingest.connect(db_path)
    # a stale price, as after a catalog upgrade: the requests and their rollup priced by the old catalog
    con.execute("UPDATE request_log SET cost = 999")
    con.execute("UPDATE request_daily SET cost = 999")
    con.close()
    out = cli_json("reprice", db=db_path)
    assert out["requests"] == 1 and out["cost_before"] == 999 and out["cost_after"] == 2.5  # type: ignore[index]
    con = duckdb.connect(str(db_path), read_only=True)
    assert con.execute("SELECT sum(cost) FROM requests_daily").fetchone()[0] == Decimal("2.5")
    con.close()


def test_prices_used_in_a_period(store: duckdb.DuckDBPyConnection) -> None:
    """The reports' Prices sheet: every price that priced requests in the period, with its source."""
    from queries.prices import prices_used

    for f in (SLICE / "prices" / "negotiated_prices.toml", SLICE / "logs" / "litellm_spend_logs.csv"):
        assert ingest.ingest_file(store, f).status == "loaded"
    df = prices_used(store, "2026-10-01", "2026-11-01")
    sonnet = df.filter((df["model"] == "claude-sonnet-4-5") & (df["provider"] == "anthropic")
                       & (df["service_tier"] == "standard") & (df["token_type"] == "input")).to_dicts()
    assert [r["usd_per_mtok"] for r in sonnet] == [Decimal("3") * Decimal("0.875")]
    assert "12.5% off (negotiated_prices.toml:2)" in sonnet[0]["overrides"]
    assert sonnet[0]["effective_from"].isoformat() == "2026-09-01" and sonnet[0]["catalog_version"] == prices.CATALOG
    (n,) = store.execute("SELECT count(*) FROM requests WHERE model = 'claude-sonnet-4-5' AND provider = 'anthropic' "
                         "AND coalesce(service_tier, 'standard') = 'standard' AND ts >= '2026-10-01' "
                         "AND ts < '2026-11-01'").fetchone()
    assert sonnet[0]["requests"] == n
    assert set(df["source"]) <= {"catalog", "contract", "hourly"}  # unpriced models have no price to list
