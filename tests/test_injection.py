"""Hostile strings through every filter and group-by: bound as parameters, never SQL.

queries/spend and the FOCUS report first; then every function of queries/dashboard and the queries
the pages use (workloads, rightsizing, reconcile, prices, reports) on a store whose own data is
hostile (tests/fixtures/hostile), and the dashboard's widgets under AppTest."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

import ingest
from ingest.errors import QueryError, RightsizeError
from queries import dashboard as D
from queries.model_table import Policy
from queries.prices import prices_used
from queries.reconcile import allocate, gap_causes, reconcile, summary
from queries.reports import focus_rows, report_data
from queries.rightsizing import Scenario, analyse, evidence_summary
from queries.spend import BILLING_DIMENSIONS, spend_by
from queries.workloads import set_workload_rule, workload_profiles, workload_rules
from tests.conftest import ROOT, SAMPLES, run_cli

HOSTILE = ["'", "''; DROP TABLE billing_line; --", "\" OR 1=1 --", "x' OR '1'='1", "$start", ":start",
           "Ünïcødé ☃ 𝔘", "\x00", "%' --", "AWS'); DELETE FROM source_file; --"]


@pytest.fixture
def loaded(store: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    ingest.ingest_file(store, SAMPLES / "focus" / "focus_sample_1000_FOCUS-1.0.csv")
    return store


def intact(con: duckdb.DuckDBPyConnection) -> None:
    assert con.execute("SELECT count(*) FROM billing").fetchone()[0] == 1000
    assert con.execute("SELECT count(*) FROM source_file").fetchone()[0] == 1


@pytest.mark.parametrize("value", HOSTILE)
def test_filters_bind_hostile_values(loaded: duckdb.DuckDBPyConnection, value: str) -> None:
    assert spend_by(loaded, ["provider"], provider=value).is_empty()
    assert focus_rows(loaded, "2024-09", team=value).is_empty()
    intact(loaded)


@pytest.mark.parametrize("value", HOSTILE)
def test_group_by_and_periods_reject_hostile_names(loaded: duckdb.DuckDBPyConnection, value: str) -> None:
    with pytest.raises(QueryError, match="cannot group by"):
        spend_by(loaded, ["provider", value])
    with pytest.raises(QueryError, match="period"):
        focus_rows(loaded, value)
    intact(loaded)


def test_every_dimension_still_works(loaded: duckdb.DuckDBPyConnection) -> None:
    for dim in BILLING_DIMENSIONS:
        assert not spend_by(loaded, [dim]).is_empty(), dim


def test_cli_binds_hostile_dates(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    con = ingest.connect(db)
    ingest.ingest_file(con, SAMPLES / "focus" / "focus_sample_1000_FOCUS-1.0.csv")
    con.close()
    proc = run_cli("spend", "--start", "2024-01-01'; DROP TABLE billing_line; --", db=db)
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: start \"2024-01-01'; DROP TABLE billing_line; --\" is not a date")
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM billing").fetchone()[0] == 1000


# --- every dashboard query and the queries the pages use ------------------------------------------

HOSTILE_FIXTURES = ROOT / "tests" / "fixtures" / "hostile"
MORE_HOSTILE = [*HOSTILE, "\\", "a\\", "$.team", "{dims_select}", "x" * 100_000, "'; DROP TABLE request_log; --"]
TEAM_SCRIPT = "<script>alert(1)</script>"
TABLES = ("SELECT table_name FROM information_schema.tables WHERE table_catalog = current_database() "
          "AND table_schema = 'main' ORDER BY 1")


@pytest.fixture
def hostile(store: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A store whose bill and request log carry hostile team, model, provider, feature and tag values."""
    for name in ("focus_hostile.csv", "requests_hostile.csv"):
        r = ingest.ingest_file(store, HOSTILE_FIXTURES / name)
        assert r.status == "loaded" and not r.rejected, r
    return store


def fixture_rows(name: str) -> list[dict[str, str]]:
    with (HOSTILE_FIXTURES / name).open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def untouched(con: duckdb.DuckDBPyConnection, tables: list[tuple[str]]) -> None:
    assert con.execute(TABLES).fetchall() == tables
    assert con.execute("SELECT count(*) FROM billing").fetchone()[0] == len(fixture_rows("focus_hostile.csv"))
    assert con.execute("SELECT count(*) FROM requests").fetchone()[0] == len(fixture_rows("requests_hostile.csv"))
    assert con.execute("SELECT count(*) FROM source_file WHERE status = 'loaded'").fetchone()[0] == 2


@pytest.mark.parametrize("value", MORE_HOSTILE, ids=lambda v: repr(v[:24]))
def test_dashboard_filters_bind_hostile_values(hostile: duckdb.DuckDBPyConnection, value: str) -> None:
    """A value no row has matches nothing, and nothing it says reaches the SQL text (two of the
    strings are also models and teams in the data: those select their rows)."""
    tables = hostile.execute(TABLES).fetchall()
    bill = fixture_rows("focus_hostile.csv")
    assert spend_by(hostile, ["team"], provider=value).is_empty()
    assert spend_by(hostile, ["model"], model=value)["lines"].sum() == sum(r["x_Model"] == value for r in bill)
    assert spend_by(hostile, ["model"], team=value)["lines"].sum() == sum(
        json.loads(r["Tags"])["team"] == value for r in bill)
    if value in {r["x_Model"] for r in bill}:
        return  # the rest is about values no row has
    assert spend_by(hostile, ["team"], tag_key=value).is_empty()
    assert spend_by(hostile, ["team"], tag_key="team", tag_value=value).is_empty()
    for f in ("provider", "model", "team", "feature"):
        units = D.request_units(hostile, ["model"], **{f: value})
        assert units.is_empty(), f
        assert D.request_users(hostile, **{f: value})["users"] == 0, f
    assert D.token_types(hostile, None, None, value, None).is_empty()
    assert D.token_types(hostile, None, None, None, value).is_empty()
    assert D.scenario_curve(hostile, Scenario(), value).is_empty()
    a = analyse(hostile, Scenario(candidates={value: value}))
    assert a.workloads.height == analyse(hostile).workloads.height
    assert focus_rows(hostile, "2026-10", team=value).is_empty()
    assert report_data(hostile, "2026-10", team=value).spend_total.is_empty()
    set_workload_rule(hostile, value, "feature")
    assert value in workload_rules(hostile)["source_pattern"].to_list()
    untouched(hostile, tables)


@pytest.mark.parametrize("value", MORE_HOSTILE, ids=lambda v: repr(v[:24]))
def test_dashboard_identifiers_and_periods_raise_the_projects_error(hostile: duckdb.DuckDBPyConnection,
                                                                     value: str) -> None:
    """Group-bys, keys, grains and periods are whitelisted or parsed: anything else is a QueryError
    that says what to choose, never a DuckDB error and never SQL."""
    tables = hostile.execute(TABLES).fetchall()
    day = date(2026, 10, 1)
    cases = [
        ("cannot group by", lambda: D.request_units(hostile, ["model", value])),
        ("movers by", lambda: D.movers(hostile, value, day, day, day, day)),
        ("cannot group by", lambda: D.distinct_values(hostile, value)),
        ("is not a number", lambda: D.ingest_rejects(hostile, value)),
        ("as_of", lambda: D.overview(hostile, value)),
        ("is not a date", lambda: D.request_units(hostile, [], start=value)),
        ("is not a date", lambda: D.request_users(hostile, end=value)),
        ("is not a date", lambda: D.token_types(hostile, value)),
        ("unknown workload key", lambda: workload_profiles(hostile, None, None, value)),
        ("is not a date", lambda: workload_profiles(hostile, value)),
        ("is not a date", lambda: analyse(hostile, Scenario(end=value))),
        ("unknown workload key", lambda: analyse(hostile, Scenario(key=value))),
        ("is not a date", lambda: evidence_summary(hostile, value)),
        ("is not a date", lambda: summary(hostile, value)),
        ("is not a date", lambda: gap_causes(hostile, None, value)),
        ("grain", lambda: reconcile(hostile, None, None, value)),
        ("allocate by", lambda: allocate(hostile, [value])),
        ("is not a date", lambda: prices_used(hostile, value)),
        ("period", lambda: report_data(hostile, value)),
        ("unknown workload key", lambda: set_workload_rule(hostile, "*.csv", value)),
    ]
    for match, call in cases:
        with pytest.raises(QueryError, match=match):
            call()
    with pytest.raises(RightsizeError):
        Policy.parse(value)
    untouched(hostile, tables)


def test_hostile_values_in_the_data_are_values(hostile: duckdb.DuckDBPyConnection) -> None:
    """Rows whose team, model or tag key is markup or SQL are selected like any other, to the cent."""
    rows = fixture_rows("focus_hostile.csv")

    def billed(pred: Callable[[dict[str, str]], bool]) -> Decimal:
        return sum((Decimal(r["BilledCost"]) for r in rows if pred(r)), Decimal(0))

    teams = spend_by(hostile, ["team"])
    assert len(teams) == len({json.loads(r["Tags"])["team"] for r in rows})
    for team in teams["team"].to_list():
        got = spend_by(hostile, [], team=team)["billed_cost"].to_list()
        assert got == [billed(lambda r, t=team: json.loads(r["Tags"])["team"] == t)], team
    got = spend_by(hostile, [], tag_key=TEAM_SCRIPT, tag_value="<img src=x onerror=alert(2)>")
    assert got["billed_cost"].to_list() == [billed(lambda r: True)]
    assert spend_by(hostile, [], tag_key=TEAM_SCRIPT)["lines"].to_list() == [len(rows)]
    models = set(spend_by(hostile, ["model"])["model"].to_list())
    assert {TEAM_SCRIPT, "'; DROP TABLE request_log; --", "Ünïcødé ☃ 𝔘"} <= models
    reqs = fixture_rows("requests_hostile.csv")
    units = D.request_units(hostile, ["team"], team=TEAM_SCRIPT)
    assert units["requests"].to_list() == [sum(1 for r in reqs if r["team"] == TEAM_SCRIPT)]
    assert sorted(D.distinct_values(hostile, "team")) == sorted(teams["team"].to_list())


def test_dashboard_widgets_take_hostile_values(hostile: duckdb.DuckDBPyConnection, db_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Through the pages themselves (AppTest): every hostile team, model and tag key picked in the
    explorer, a hostile tag value, report period and savings policy typed in; no exception, the
    bad text inputs get the one-line error, and the store is whole afterwards."""
    from streamlit.testing.v1 import AppTest

    tables = hostile.execute(TABLES).fetchall()
    hostile.close()
    monkeypatch.setenv("RIGHTSIZE_DB", str(db_path))
    main = str(ROOT / "app" / "dashboard" / "main.py")

    at = AppTest.from_file(main, default_timeout=120)
    at.switch_page("views/explorer.py")
    at.run()
    assert not at.exception
    for key in ("x_team", "x_model", "x_provider", "x_feature"):
        for option in at.selectbox(key=key).options[1:]:
            at.selectbox(key=key).select(option).run()
            assert not at.exception, (key, option, [e.value for e in at.exception])
            assert not at.error, (key, option)
        at.selectbox(key=key).select(at.selectbox(key=key).options[0]).run()
    at.selectbox(key="x_tag_key").select(TEAM_SCRIPT).run()
    for value in (v for v in MORE_HOSTILE if v.strip("\x00")):  # (an empty value means "any")
        at.text_input(key="x_tag_value").input(value).run()
        assert not at.exception, (value[:30], [e.value for e in at.exception])
        assert at.metric[0].value == "0.00 USD"
    at.text_input(key="x_tag_value").input("<img src=x onerror=alert(2)>").run()
    assert at.metric[0].value == f"{sum(Decimal(r['BilledCost']) for r in fixture_rows('focus_hostile.csv')):,.2f} USD"

    at = AppTest.from_file(main, default_timeout=120)
    at.switch_page("views/reports.py")
    at.run()
    at.text_input(key="rep_period").input("2026-10'; DROP TABLE request_log; --").run()
    at.button(key="rep_build_focus").click().run()
    assert not at.exception
    assert [e.value for e in at.error] and "period" in at.error[0].value

    at = AppTest.from_file(main, default_timeout=120)
    at.switch_page("views/savings.py")
    at.run()
    at.text_input(key="s_policy").input("providers=x'; DROP TABLE request_log; --").run()
    assert not at.exception

    con = duckdb.connect(str(db_path), read_only=True)
    try:
        untouched(con, tables)
    finally:
        con.close()
