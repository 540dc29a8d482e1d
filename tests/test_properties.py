"""Property tests for the parsers' money and count arithmetic (hypothesis)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ingest
from ingest.base import MACROS

money = st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=10, allow_nan=False,
                    allow_infinity=False)


@given(st.lists(money, min_size=1, max_size=40))
@settings(max_examples=60, deadline=None)
def test_rs_dec_is_exact_for_every_decimal_spelling(values: list[Decimal]) -> None:
    con = duckdb.connect()
    con.execute(MACROS)
    for v in values:
        for text in (str(v), f"{v:E}", f" {v} ", f"${v:,}" if v >= 0 else f"({-v})"):
            got = con.execute("SELECT rs_dec(?)", [text]).fetchone()[0]
            assert got == v, (text, got)


@given(st.lists(st.tuples(money, st.integers(min_value=0, max_value=10**9)), min_size=1, max_size=30))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_focus_totals_equal_the_sum_of_the_file(tmp_path: Path, rows: list[tuple[Decimal, int]]) -> None:
    path = tmp_path / "f.csv"
    lines = ["BilledCost,EffectiveCost,BillingCurrency,ChargePeriodStart,ProviderName,ConsumedQuantity,ConsumedUnit,ChargeDescription"]
    for i, (cost, tokens) in enumerate(rows):
        lines.append(f"{cost},{cost},USD,2026-10-{1 + i % 28:02d}T00:00:00Z,Acme,{tokens},Tokens,model-x input tokens {i}")
    path.write_text("\n".join(lines) + "\n")
    db = tmp_path / f"s{abs(hash(tuple(rows)))}.duckdb"
    con = ingest.connect(db)
    try:
        r = ingest.ingest_file(con, path)
        assert r.status == "loaded" and r.rows == len(rows)
        billed, tokens = con.execute("SELECT sum(BilledCost), sum(x_Tokens) FROM billing").fetchone()
        assert billed == sum((c for c, _ in rows), Decimal(0))
        assert tokens == sum(t for _, t in rows)
    finally:
        con.close()
        db.unlink()
