"""Re-pricing without joins (ingest/prices.py ``_price_requests``, ``_reprice_rollups``): every
request priced exactly as the rate join prices it, the daily rollup equal to the raw aggregates
after each re-price, and hand-worked costs for the rows whose rollup cost cannot be derived
(long-context tiers, two logged names of one model, hourly and off-peak prices)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

import ingest
from ingest import prices
from tests.test_prices import write_log

RAW = """SELECT source_file_id, CAST(ts AS DATE), provider, model, feature, team, service_tier, count(*), sum(uncached_input_tokens),
                 sum(cache_read_tokens), sum(cache_write_tokens), sum(cache_write_1h_tokens), sum(output_tokens),
                 sum(reasoning_tokens), sum(cost), count(*) FILTER (WHERE cost IS NULL),
                 max(uncached_input_tokens + cache_read_tokens + cache_write_tokens + cache_write_1h_tokens)
          FROM request_log GROUP BY ALL ORDER BY ALL"""
ROLLED = """SELECT source_file_id, day, provider, model, feature, team, service_tier, sum(requests), sum(uncached_input_tokens),
                   sum(cache_read_tokens), sum(cache_write_tokens), sum(cache_write_1h_tokens), sum(output_tokens),
                   sum(reasoning_tokens), sum(cost), sum(unpriced_requests), max(max_input_tokens)
            FROM request_daily GROUP BY ALL ORDER BY ALL"""
PRICED = "SELECT request_id, cost, cost_basis FROM requests ORDER BY request_id"

# Two logged names of one model (one group per name, one rollup row for both), dated price
# changes, off-peak hours (DeepSeek), long-context tiers, batch, an unknown and a self-hosted model.
MODELS = [("anthropic", "claude-sonnet-4-5"), ("anthropic", "claude-sonnet-4-5-20250929"),
          ("openai", "gpt-4o-mini"), ("vertex_ai", "gemini-2.5-pro"), ("deepseek", "deepseek-chat"),
          ("openai", "gpt-4o"), ("azure", "gpt-4o"), ("openai", "acme-mystery-7b"),
          ("hosted_vllm", "acme-llama-70b-ft")]
PRICE_FILE = """kind,provider,model,service_tier,input,output,percent,usd_per_hour,units,effective_from
discount,anthropic,,,,,10,,,2026-10-01
discount,,gpt-4o*,,,,25,,,
price,deepseek,deepseek-chat,,0.5,1.5,,,,
hourly,self-hosted,acme-llama-70b-ft,,,,,2,3,
"""


def random_log(path: Path, n: int, seed: int) -> Path:
    rng = random.Random(seed)
    start = datetime(2026, 9, 20)
    rows = []
    for i in range(n):
        provider, model = rng.choice(MODELS)
        big = rng.random() < 0.1
        rows.append({"request_id": f"r{i:04d}", "ts": (start + timedelta(minutes=rng.randrange(60 * 24 * 30)))
                     .strftime("%Y-%m-%dT%H:%M:%SZ"), "provider": provider, "model": model,
                     "input_tokens": rng.randrange(210_000, 300_000) if big else rng.randrange(10, 5_000),
                     "cache_read_tokens": rng.choice([0, 0, 500]), "output_tokens": rng.randrange(0, 2_000),
                     "reasoning_tokens": rng.choice([0, 0, 5]),
                     "service_tier": rng.choice(["", "", "", "batch"]) if provider == "openai" else "",
                     "team": rng.choice(["a", "b"]), "feature": rng.choice(["chat", "search"])})
    return write_log(path, rows)


def load(db: Path, log: Path) -> duckdb.DuckDBPyConnection:
    con = ingest.connect(db)
    assert ingest.ingest_file(con, log).status == "loaded"
    return con


def test_lookup_prices_every_request_as_the_rate_join_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = random_log(tmp_path / "log.csv", 600, seed=8)
    price_file = tmp_path / "prices.csv"
    price_file.write_text(PRICE_FILE)
    ours = load(tmp_path / "lookup.duckdb", log)
    with monkeypatch.context() as m:  # the reference: requests joined to the rates, rollups rebuilt
        m.setattr(prices, "LOOKUP_LIMIT", 0)
        ref = load(tmp_path / "join.duckdb", log)
        assert ingest.ingest_file(ref, price_file).status == "loaded"
        ref_priced, ref_rolled = ref.execute(PRICED).fetchall(), ref.execute(ROLLED).fetchall()
        ref_file = ref.execute("SELECT id FROM source_file WHERE name = 'prices.csv'").fetchone()[0]  # type: ignore[index]
        ingest.remove_file(ref, ref_file)
        ref_removed = ref.execute(PRICED).fetchall()
    assert ours.execute(PRICED).fetchall() == ref_removed  # loading prices the same way too
    assert ingest.ingest_file(ours, price_file).status == "loaded"
    got = ours.execute(PRICED).fetchall()
    assert got == ref_priced
    assert ours.execute(ROLLED).fetchall() == ref_rolled == ours.execute(RAW).fetchall()
    # the mix this is meant to cover is there
    assert sum(1 for _, c, _ in got if c is None) > 10                       # unknown model
    assert any("hourly price" in b for _, _, b in got)
    assert any("10% off" in b for _, _, b in got) and any("10% off" not in b and "anthropic/" in b for _, _, b in got)
    assert ours.execute("SELECT count(*) FROM requests WHERE input_tokens > 200000").fetchone()[0] > 30  # type: ignore[index]
    file_id = ours.execute("SELECT id FROM source_file WHERE name = 'prices.csv'").fetchone()[0]  # type: ignore[index]
    ingest.remove_file(ours, file_id)
    assert ours.execute(PRICED).fetchall() == ref_removed
    assert ours.execute(ROLLED).fetchall() == ours.execute(RAW).fetchall()
    ours.close()
    ref.close()


def test_reprice_hand_worked_with_derived_and_rebuilt_rollup_rows(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    day = "2026-10-02T{}:00:00Z"
    log = write_log(tmp_path / "log.csv", [
        # a long-context request: its rollup row (its own input band) is rebuilt from its requests
        {"request_id": "long", "ts": day.format("08"), "provider": "anthropic", "model": "claude-sonnet-4-5",
         "input_tokens": 250_000, "output_tokens": 1_000, "team": "a"},
        {"request_id": "short", "ts": day.format("09"), "provider": "anthropic", "model": "claude-sonnet-4-5",
         "input_tokens": 1_000, "output_tokens": 100, "team": "a"},
        # another rollup row: derived from its token sums
        {"request_id": "other-team", "ts": day.format("10"), "provider": "anthropic", "model": "claude-sonnet-4-5",
         "input_tokens": 2_000, "cache_read_tokens": 1_000, "output_tokens": 300, "team": "b"},
        {"request_id": "mini", "ts": day.format("10"), "provider": "openai", "model": "gpt-4o-mini",
         "input_tokens": 1_000_000, "output_tokens": 1_000_000, "team": "b"},
    ])
    assert ingest.ingest_file(store, log).status == "loaded"
    prices_csv = tmp_path / "discount.csv"
    prices_csv.write_text("kind,provider,model,percent\ndiscount,,*,10\n")
    assert ingest.ingest_file(store, prices_csv).status == "loaded"
    got = dict(store.execute("SELECT request_id, cost FROM requests").fetchall())
    # Sonnet 4.5 per 1M tokens: $3 input, $0.30 cache read, $15 output; above 200k input $6 and $22.50; 10% off
    assert got["long"] == (250_000 * 6 + 1_000 * Decimal("22.5")) / 1_000_000 * Decimal("0.9")
    assert got["short"] == (1_000 * 3 + 100 * 15) / Decimal(1_000_000) * Decimal("0.9")
    # 2,000 input tokens of which 1,000 cache reads
    assert got["other-team"] == (1_000 * 3 + 1_000 * Decimal("0.3") + 300 * 15) / 1_000_000 * Decimal("0.9")
    assert got["mini"] == (Decimal("0.15") + Decimal("0.6")) * Decimal("0.9")  # gpt-4o-mini $0.15 + $0.60
    daily = dict(store.execute("SELECT provider || '/' || team, sum(cost) FROM requests_daily GROUP BY 1").fetchall())
    assert daily["anthropic/a"] == got["long"] + got["short"] == Decimal("1.37430")
    assert daily["anthropic/b"] == got["other-team"] and daily["openai/b"] == got["mini"]
    assert store.execute(ROLLED).fetchall() == store.execute(RAW).fetchall()
    basis = store.execute("SELECT DISTINCT cost_basis FROM requests WHERE provider = 'anthropic'").fetchall()
    assert basis == [("genai-prices 0.2.3 anthropic/claude-sonnet-4-5; 10% off (discount.csv:2)",)]


def test_basis_text_is_a_key_that_only_grows(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    # gpt-4o-mini: 10 x $0.15 + 1 x $0.60 per 1M tokens = $0.0000021
    log = write_log(tmp_path / "log.csv", [{"request_id": "a", "ts": "2026-10-01T10:00:00Z", "provider": "openai",
                                            "model": "gpt-4o-mini", "input_tokens": 10, "output_tokens": 1}])
    assert ingest.ingest_file(store, log).status == "loaded"
    first = store.execute("SELECT basis_id FROM request_log").fetchone()[0]  # type: ignore[index]
    prices_csv = tmp_path / "discount.csv"
    prices_csv.write_text("kind,provider,model,percent\ndiscount,openai,,50\n")
    r = ingest.ingest_file(store, prices_csv)
    assert store.execute("SELECT cost, cost_basis FROM requests").fetchone() == (
        Decimal("0.00000105"), "genai-prices 0.2.3 openai/gpt-4o-mini; 50% off (discount.csv:2)")
    ingest.remove_file(store, r.source_file_id)  # type: ignore[arg-type]
    assert store.execute("SELECT basis_id, cost FROM request_log").fetchone() == (first, Decimal("0.0000021"))
    assert store.execute("SELECT count(*) FROM price_basis").fetchone()[0] == 2  # type: ignore[index]
