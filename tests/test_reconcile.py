"""Reconciliation: a bill and a request log built so that every cause of the gap is planted once,
with a hand-computed amount; the causes add up to the total gap, and allocation equals the bill."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

import ingest
from queries import reconcile as rec
from tests.conftest import cli_json, run_cli
from tests.test_prices import write_log

DAY = "2025-10-01T00:00:00+00:00"
NEXT = "2025-10-02T00:00:00+00:00"
BILL_LINES = [  # OpenAI dashboard cost export (docs/formats.md: openai_costs), day 2025-10-01
    ("0.3002", "gpt-4o-mini-2024-07-18, input"),     # logged requests cost $0.30: rounding (within 0.1%)
    ("1.25", "gpt-4o-2024-08-06, input"),           # a batch request: billed at half of list
    ("0.40", "ft:gpt-4.1-mini-2025-04-14:acme:resumes:B7xQ2, input"),  # no catalog price
    ("3.00", "gpt-5-2025-08-07, input"),            # nobody logged gpt-5: a team calls OpenAI directly
    ("2.50", "gpt-4.1-2025-04-14, input"),          # logged $2.00 at list, $1.80 after our 10% discount
    ("0.30", "gpt-4.1-mini-2025-04-14, input"),     # billed less than our $0.40: an unknown discount
]


@pytest.fixture
def planted(db_path: Path, tmp_path: Path) -> Path:
    bill = tmp_path / "cost_2025-10-01_2025-10-02.csv"
    bill.write_text("start_time,end_time,start_time_iso,end_time_iso,amount_value,amount_currency,line_item,"
                    "project_id,organization_id,organization_name\n" + "".join(
                        f'1759276800,1759363200,{DAY},{NEXT},{amount},usd,"{item}",proj_x,org_1,Acme\n'
                        for amount, item in BILL_LINES))
    m = 1_000_000
    log = write_log(tmp_path / "gateway.csv", [
        {"request_id": "mini-1", "ts": "2025-10-01T09:00:00Z", "provider": "openai", "model": "gpt-4o-mini",
         "input_tokens": m, "team": "support"},
        {"request_id": "mini-2", "ts": "2025-10-01T10:00:00Z", "provider": "openai", "model": "gpt-4o-mini",
         "input_tokens": m, "team": "search"},
        {"request_id": "batch", "ts": "2025-10-01T11:00:00Z", "provider": "openai", "model": "gpt-4o",
         "input_tokens": m, "service_tier": "batch", "team": "search"},
        {"request_id": "ft", "ts": "2025-10-01T12:00:00Z", "provider": "openai",
         "model": "ft:gpt-4.1-mini-2025-04-14:acme:resumes:B7xQ2", "input_tokens": m, "team": "hr"},
        {"request_id": "g41", "ts": "2025-10-01T13:00:00Z", "provider": "openai", "model": "gpt-4.1",
         "input_tokens": m, "team": "legal"},
        {"request_id": "g41mini", "ts": "2025-10-01T14:00:00Z", "provider": "openai", "model": "gpt-4.1-mini",
         "input_tokens": m, "team": "legal"},
        {"request_id": "unbilled-day", "ts": "2025-10-02T09:00:00Z", "provider": "openai", "model": "gpt-4o-mini",
         "input_tokens": m, "team": "support"},
        {"request_id": "no-bill-provider", "ts": "2025-10-01T09:00:00Z", "provider": "anthropic",
         "model": "claude-haiku-4-5", "input_tokens": m, "team": "support"},
    ])
    # the gateway's own cost for each request (what teams see in its dashboard)
    logged = {"mini-1": "0.175", "mini-2": "0.175", "batch": "2.5", "ft": "0", "g41": "2.0", "g41mini": "0.4",
              "unbilled-day": "0.15", "no-bill-provider": "1"}
    text = log.read_text().splitlines()
    text[0] += ",logged_cost"
    for i, line in enumerate(text[1:], start=1):
        text[i] = f"{line},{logged[line.split(',')[0]]}"
    log.write_text("\n".join(text) + "\n")
    prices_csv = tmp_path / "contract.csv"
    prices_csv.write_text("kind,provider,model,percent\ndiscount,openai,gpt-4.1,10\n")
    con = ingest.connect(db_path)
    for f in (bill, log, prices_csv):
        r = ingest.ingest_file(con, f)
        assert r.status == "loaded", r.error
    con.close()
    return db_path


EXPECTED = {
    "gateway_vs_list_price": Decimal("-0.05"),    # mini: the log said 0.35, the catalog 0.30
    "batch_tier_discounts": Decimal("-1.25"),      # gpt-4o batch at 50% of 2.50
    "negotiated_prices": Decimal("-0.2"),          # 10% off gpt-4.1's 2.00
    "unpriced_models": Decimal("0.40"),
    "missing_logs": Decimal("3.70"),               # gpt-5 (3.00) + gpt-4.1 billed 2.50 vs 1.80
    "rounding": Decimal("0.0002"),
    "not_billed": Decimal("-0.15"),                # the Oct 2 request: that day's bill is not loaded
    "unexplained": Decimal("-0.10"),
}


def test_planted_causes_are_found_and_add_up(planted: Path) -> None:
    con = duckdb.connect(str(planted), read_only=True)
    causes = {r["cause"]: r["amount"] for r in rec.gap_causes(con).to_dicts()}
    summary = rec.summary(con)
    assert causes == EXPECTED
    assert summary["billed"] == Decimal("7.7502") and summary["logged"] == Decimal("5.40")
    assert sum(causes.values()) == summary["gap"] == Decimal("2.3502")
    # the coverage causes alone explain the bill against our own prices
    coverage = rec.gap_causes(con).filter(rec.pl.col("part") == "coverage")["amount"].sum()
    assert coverage == summary["gap_vs_our_prices"] == summary["billed"] - summary["request_cost"]
    assert [u["provider"] for u in summary["unbilled"]] == ["anthropic"]
    # the fine-tuned model is the one unpriced request; its gateway said $0, and it is not priced $0 by us
    assert (summary["unpriced_requests_all"], summary["unpriced_logged_cost"]) == (1, Decimal("0"))
    table = rec.reconcile(con, grain="day")
    g41 = table.filter((table["model"] == "gpt-4.1") & (table["period"].cast(str) == "2025-10-01")).to_dicts()[0]
    assert (g41["billed_cost"], g41["request_cost"], g41["gap"]) == (Decimal("2.5"), Decimal("1.8"), Decimal("0.7"))
    con.close()


def test_allocation_matches_the_invoice(planted: Path) -> None:
    con = duckdb.connect(str(planted), read_only=True)
    shares = {r["team"]: r["allocated_cost"] for r in rec.allocate(con, ["team"]).to_dicts()}
    # legal: gpt-4.1 (2.50) + gpt-4.1-mini (0.30); support/search share mini's 0.3002 by cost; search's batch 1.25
    assert shares["legal"] == pytest.approx(2.80)
    assert shares["support"] == pytest.approx(0.1501) and shares["search"] == pytest.approx(0.1501 + 1.25)
    assert shares["hr"] == pytest.approx(0.40)       # unpriced: its tokens carry the bill
    assert shares[None] == pytest.approx(3.00)       # gpt-5: on the bill, in no log
    assert sum(shares.values()) == pytest.approx(7.7502)
    con.close()


def test_reconcile_cli_says_how_much_is_unpriced(planted: Path) -> None:
    out = run_cli("reconcile", db=planted)
    assert out.returncode == 0
    assert "unpriced (no catalog or price-file price, never counted as $0): 1 requests, 0.00 USD" in out.stdout


def test_reconcile_cli_json(planted: Path) -> None:
    out = cli_json("reconcile", "--allocate", "team", db=planted)
    assert sum(c["amount"] for c in out["causes"]) == pytest.approx(out["summary"]["gap"])  # type: ignore[index]
    assert {c["cause"] for c in out["causes"]} == set(EXPECTED)  # type: ignore[index]
    assert sum(a["allocated_cost"] for a in out["allocation"]) == pytest.approx(7.7502)  # type: ignore[index]


def test_catalog_costs_leaves_out_only_requests_whose_cost_it_would_repeat(db_path: Path, tmp_path: Path) -> None:
    """The reconciliation prices only the requests whose catalog prices can differ from the stored
    cost (differing_only): every request it leaves out has standard and tier price equal to its
    cost, request by request; a batch request stays in; a loaded price file turns the shortcut off."""
    from ingest import prices

    m = 1_000_000
    log = write_log(tmp_path / "gw.csv", [
        {"request_id": "a", "ts": "2025-10-01T09:00:00Z", "provider": "openai", "model": "gpt-4o-mini", "input_tokens": m},
        {"request_id": "b", "ts": "2025-10-01T10:00:00Z", "provider": "openai", "model": "gpt-4.1", "input_tokens": 3 * m},
        {"request_id": "c", "ts": "2025-10-01T11:00:00Z", "provider": "anthropic", "model": "claude-haiku-4-5",
         "input_tokens": 2 * m},
        {"request_id": "batch", "ts": "2025-10-01T12:00:00Z", "provider": "openai", "model": "gpt-4o",
         "input_tokens": m, "service_tier": "batch"},
        {"request_id": "ft", "ts": "2025-10-01T13:00:00Z", "provider": "openai",
         "model": "ft:gpt-4.1-mini-2025-04-14:acme:resumes:B7xQ2", "input_tokens": m},
    ])
    con = ingest.connect(db_path)
    assert ingest.ingest_file(con, log).rows == 5

    def table(differing_only: bool) -> dict[str, tuple]:
        prices.catalog_costs(con, differing_only=differing_only)
        rows = con.execute("SELECT r.request_id, c.standard_cost, c.tier_cost, r.cost FROM _catalog_cost c "
                           "JOIN request_log r ON r.rowid = c.rid").fetchall()
        return {r[0]: r[1:] for r in rows}

    full, short = table(False), table(True)
    assert sorted(short) == ["batch"] and short["batch"] == full["batch"]
    assert full["batch"][0] == 2 * full["batch"][1] == Decimal("2.5")   # batch at half of list
    for rid in ("a", "b", "c"):
        standard, tier, cost = full[rid]
        assert standard == tier == cost is not None, rid
    assert full["ft"] == (None, None, None)   # unpriced either way: the caller's coalesce keeps cost NULL
    contract = tmp_path / "contract.csv"
    contract.write_text("kind,provider,model,percent\ndiscount,openai,gpt-4.1,10\n")
    assert ingest.ingest_file(con, contract).status == "loaded"
    assert sorted(table(True)) == ["a", "b", "batch", "c", "ft"]
    con.close()


def test_reconciliation_page_data_equals_the_three_queries(planted: Path) -> None:
    """The page reads summary, causes and the table from one pass; each equals its own query."""
    con = duckdb.connect(str(planted), read_only=True)
    for grain in ("day", "month"):
        page = rec.reconciliation(con, "2025-10-01", "2025-11-01", grain)
        assert page["summary"] == rec.summary(con, "2025-10-01", "2025-11-01")
        assert page["causes"].equals(rec.gap_causes(con, "2025-10-01", "2025-11-01"))
        assert page["table"].equals(rec.reconcile(con, "2025-10-01", "2025-11-01", grain))
    assert page["summary"]["billed"] == Decimal("7.7502")
    con.close()
