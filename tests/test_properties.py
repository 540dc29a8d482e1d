"""Property tests for the parsers' money, count and timestamp arithmetic (hypothesis)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
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


instants = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1))
offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(lambda m: timezone(timedelta(minutes=m)))


@given(st.lists(st.tuples(instants, offsets), min_size=1, max_size=40))
@settings(max_examples=60, deadline=None)
def test_rs_ts_reads_every_spelling_as_the_same_utc_instant(values: list[tuple[datetime, timezone]]) -> None:
    """Python's own form takes a fast exact path; a string of its length with an offset in place
    of fraction digits, and every zoned form, must still come out in UTC."""
    con = duckdb.connect()
    con.execute(MACROS)
    con.execute("SET TimeZone = 'UTC'")
    for naive, tz in values:
        aware = naive.replace(tzinfo=tz)
        utc = aware.astimezone(UTC).replace(tzinfo=None)
        short = f"{naive:%Y-%m-%d %H:%M:%S}.{naive.microsecond // 100000}{aware:%z}"  # 26 characters
        python_form = naive.replace(microsecond=naive.microsecond or 1)  # str() drops a zero fraction
        spellings = {
            str(python_form): python_form,
            naive.isoformat(sep="T", timespec="microseconds") + "Z": naive,
            aware.isoformat(): utc,
            aware.isoformat(sep=" ", timespec="microseconds"): utc,
        }
        for text, want in spellings.items():
            got = con.execute("SELECT rs_ts(?)", [text]).fetchone()[0]  # type: ignore[index]
            assert got == want, (text, got, want)
        # the length of Python's form, with an offset where its fraction digits would be
        got = con.execute("SELECT rs_ts(?)", [short]).fetchone()[0]  # type: ignore[index]
        assert len(short) == 26 and got == datetime.fromisoformat(short).astimezone(UTC).replace(tzinfo=None), (short, got)


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
