"""Every dashboard page under Streamlit's AppTest against a real DuckDB store: an empty store shows
the welcome; the sample company slice (sample_data/slice, loaded once per session with
``ingest.ingest_file``) renders every page, widgets change the numbers, and the numbers equal the
CLI's ``--json`` figures for the same filters."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

import ingest
from sample_data import company_files
from tests.conftest import ROOT, cli_json

MAIN = str(ROOT / "app" / "dashboard" / "main.py")
SLICE = ROOT / "sample_data" / "slice"
PAGES = ["overview", "upload", "explorer", "reconciliation", "workloads", "savings", "thesis", "reports",
         "settings"]


@pytest.fixture(scope="session")
def slice_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample company slice loaded into a DuckDB file, once per session (tests only read it)."""
    db = tmp_path_factory.mktemp("slice") / "slice.duckdb"
    con = ingest.connect(db)
    try:
        for path in company_files(SLICE):
            r = ingest.ingest_file(con, path)
            assert r.status == "loaded", (path.name, r.error)
    finally:
        con.close()
    return db


@pytest.fixture
def slice_store(slice_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RIGHTSIZE_DB", str(slice_db))
    return slice_db


@pytest.fixture
def own_slice(slice_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the slice store, for tests that change it."""
    db = tmp_path / "own.duckdb"
    shutil.copy(slice_db, db)
    monkeypatch.setenv("RIGHTSIZE_DB", str(db))
    return db


def page(name: str) -> AppTest:
    at = AppTest.from_file(MAIN, default_timeout=120)
    at.switch_page(f"views/{name}.py")
    at.run()
    ok(at)
    return at


def ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def metric(at: AppTest, label_start: str) -> str:
    found = [m.value for m in at.metric if m.label.startswith(label_start)]
    assert found, (label_start, [m.label for m in at.metric])
    return found[0]


def usd(value: Any, digits: int = 2) -> str:
    return f"{float(value):,.{digits}f} USD"


def total_billed(rows: list[dict[str, Any]], **match: str) -> Decimal:
    return sum((Decimal(str(r["billed_cost"])) for r in rows
                if r["currency"] == "USD" and all(r[k] == v for k, v in match.items())), Decimal(0))


@pytest.mark.parametrize("name", PAGES)
def test_empty_store_every_page_renders(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "empty.duckdb"
    ingest.connect(db).close()
    monkeypatch.setenv("RIGHTSIZE_DB", str(db))
    at = page(name)
    if name not in ("upload", "settings"):
        assert any("rightsize demo" in i.value and "Upload" in i.value for i in at.info), \
            f"{name}: no welcome on an empty store"


@pytest.mark.parametrize("name", PAGES)
def test_slice_every_page_renders(name: str, slice_store: Path) -> None:
    at = page(name)
    assert not any("store is empty" in i.value for i in at.info)


def test_overview_equals_cli_spend_and_moves_with_as_of(slice_store: Path) -> None:
    at = page("overview")
    october = cli_json("spend", "--by", "provider", "--start", "2026-10-01", "--end", "2026-11-01", db=slice_store)
    september = cli_json("spend", "--by", "provider", "--start", "2026-09-01", "--end", "2026-10-01",
                         db=slice_store)
    assert metric(at, "Month to date (Oct 2026)") == usd(total_billed(october))
    assert metric(at, "Last month") == usd(total_billed(september))
    # October is complete on the 31st, so the run rate forecast equals month to date
    assert metric(at, "Forecast") == usd(total_billed(october))
    at.date_input(key="as_of").set_value(__import__("datetime").date(2026, 10, 15)).run()
    ok(at)
    half = cli_json("spend", "--start", "2026-10-01", "--end", "2026-10-16", db=slice_store)
    assert metric(at, "Month to date (Oct 2026)") == usd(total_billed(half))
    assert metric(at, "Forecast to month end (15/31 days)") == usd(total_billed(half) / 15 * 31)
    movers = at.dataframe[0].value
    assert set(movers.columns) >= {"model", "current", "previous", "change"} and len(movers) > 0
    at.radio(key="movers_by").set_value("feature").run()
    ok(at)
    assert "feature" in at.dataframe[0].value.columns


def test_explorer_filters_change_totals_as_cli(slice_store: Path) -> None:
    at = page("explorer")
    everything = cli_json("spend", "--by", "provider", db=slice_store)
    assert metric(at, "Billed (USD)") == usd(total_billed(everything))
    table = at.dataframe[0].value
    assert {Decimal(str(round(v, 6))) for v in table["billed_cost"]} == \
        {Decimal(str(round(r["billed_cost"], 6))) for r in everything}
    at.selectbox(key="x_provider").set_value("Anthropic").run()
    ok(at)
    assert metric(at, "Billed (USD)") == usd(total_billed(everything, provider="Anthropic"))
    assert total_billed(everything, provider="Anthropic") != total_billed(everything)
    by_team = cli_json("spend", "--by", "provider,team", db=slice_store)
    at.selectbox(key="x_provider").set_value("AWS").run()
    at.selectbox(key="x_team").set_value("legal").run()
    ok(at)
    assert metric(at, "Billed (USD)") == usd(total_billed(by_team, provider="AWS", team="legal"))
    assert total_billed(by_team, provider="AWS", team="legal") != total_billed(everything, provider="AWS")
    at.selectbox(key="x_provider").set_value("Anthropic").run()   # Anthropic's bill carries no team tags
    ok(at)
    assert metric(at, "Billed (USD)") == usd(0)
    assert any("No billed spend matches" in c.value for c in at.caption)
    at.selectbox(key="x_team").set_value("(all)").run()
    at.selectbox(key="x_tag_key").set_value("team").run()
    at.text_input(key="x_tag_value").set_value("search").run()
    at.selectbox(key="x_provider").set_value("(all)").run()
    ok(at)
    assert metric(at, "Billed (USD)") == usd(total_billed(by_team, team="search"))
    # unit costs and token types render with numbers
    assert metric(at, "Requests") != "0"
    assert any(m.label == "Saved by prompt caching" for m in at.metric)


def test_explorer_date_range_as_cli(slice_store: Path) -> None:
    from datetime import date

    at = page("explorer")
    at.date_input(key="x_period").set_value((date(2026, 9, 1), date(2026, 9, 30))).run()
    ok(at)
    september = cli_json("spend", "--start", "2026-09-01", "--end", "2026-10-01", db=slice_store)
    assert metric(at, "Billed (USD)") == usd(total_billed(september))


def test_reconciliation_equals_cli(slice_store: Path) -> None:
    at = page("reconciliation")
    rec = cli_json("reconcile", db=slice_store)
    assert metric(at, "Billed") == usd(rec["summary"]["billed"])
    assert metric(at, "Logged") == usd(rec["summary"]["logged"])
    assert metric(at, "Gap") == usd(rec["summary"]["gap"])
    causes = at.dataframe[0].value
    assert round(sum(float(a) for a in causes["amount"]), 6) == round(rec["summary"]["gap"], 6)
    at.radio(key="r_grain").set_value("month").run()
    ok(at)
    assert len(at.dataframe[1].value["period"].unique()) == 3   # August, September, October


def test_savings_equal_cli_and_move_with_controls(slice_store: Path) -> None:
    at = page("savings")
    base = cli_json("savings", db=slice_store)["totals"]
    assert metric(at, "Current cost") == usd(base["current_cost"])
    assert metric(at, "Savings (base)") == usd(base["savings"])
    assert metric(at, "Savings low") == f"{base['savings_low']:,.2f} – {base['savings_high']:,.2f} USD"
    at.slider(key="s_escalation").set_value(0.2).run()
    at.slider(key="s_growth").set_value(0.5).run()
    ok(at)
    moved = cli_json("savings", "--escalation", "0.2", "--growth", "0.5", db=slice_store)
    assert metric(at, "Savings (base)") == usd(moved["totals"]["savings"])
    assert metric(at, "Savings (base)") != usd(base["savings"])
    assert metric(at, "Hybrid") == moved["hybrid"]["summary"]
    at.text_input(key="s_policy").set_value("providers=anthropic").run()
    ok(at)
    anthropic = cli_json("savings", "--escalation", "0.2", "--growth", "0.5", "--policy", "providers=anthropic",
                         db=slice_store)
    assert metric(at, "Savings (base)") == usd(anthropic["totals"]["savings"])
    at.text_input(key="s_policy").set_value("min_tier=huge").run()
    assert at.error and "min_tier" in at.error[0].value.replace("\\", "")


def test_workloads_table_and_detail_equal_cli(slice_store: Path) -> None:
    at = page("workloads")
    cli = {w["workload"]: w for w in cli_json("savings", db=slice_store)["workloads"]}
    table = at.dataframe[0].value
    assert set(table["workload"]) == set(cli)
    for _, row in table.iterrows():
        want = cli[row["workload"]]
        got = row["candidate_model"] if isinstance(row["candidate_model"], str) else None   # pandas gives NaN
        assert got == want["candidate_model"]
        saved = 0.0 if row["savings_per_month"] != row["savings_per_month"] else row["savings_per_month"]
        assert round(saved, 6) == round(want["savings_per_month"] or 0.0, 6)
    at.selectbox(key="w_pick").set_value("contract-review").run()
    ok(at)
    assert metric(at, "Current model") == cli["contract-review"]["current_model"]
    assert metric(at, "Candidate") == cli["contract-review"]["candidate_model"]
    assert len(at.get("plotly_chart")) == 1   # the quality-cost curve (evals cover this workload)
    # the profile keeps its column names; its percentiles are said to be binned, with the bound
    assert {"input_p95", "output_p95", "latency_p95_ms"} <= set(at.dataframe[1].value.columns)
    assert any("binned: exact up to 1,024; above, within 0.4%" in c.value for c in at.caption)


def test_thesis_threshold_moves_share_as_cli(slice_store: Path) -> None:
    at = page("thesis")
    th = cli_json("savings", db=slice_store)["thesis"]
    assert metric(at, "Spend movable to ≥90% cheaper") == f"{th['share_spend_movable_90']:.1%}"
    assert any(th["verdict"] == w.value for w in [*at.warning, *at.success])
    at.slider(key="t_threshold").set_value(0.5).run()
    ok(at)
    low = cli_json("savings", "--move-threshold", "0.5", db=slice_store)["thesis"]
    assert any(low["verdict"] == w.value for w in [*at.warning, *at.success])
    assert low["verdict"] != th["verdict"]


def test_reports_lists_registry_and_builds_focus(slice_store: Path) -> None:
    from app.reports import FORMATS

    at = page("reports")
    for name in FORMATS:
        assert at.button(key=f"rep_build_{name}")
    at.text_input(key="rep_period").set_value("2026-09").run()
    at.button(key="rep_build_focus").click().run()
    ok(at)
    fname, data = at.session_state["rep_file_focus"]
    assert fname == "rightsize-2026-09-focus.csv"
    header, *lines = data.decode().splitlines()
    assert "BilledCost" in header and len(lines) > 0
    at.text_input(key="rep_period").set_value("Sept").run()
    at.button(key="rep_build_focus").click().run()
    assert at.error and "Sept" in at.error[0].value


def test_settings_show_prices_and_overrides(slice_store: Path) -> None:
    at = page("settings")
    prices, overrides = at.dataframe[0].value, at.dataframe[1].value
    assert len(prices) > 0 and set(prices["source"]) >= {"catalog"}
    assert set(overrides["file"]) == {"negotiated_prices.toml"}
    settings_rows = at.dataframe[-1].value
    assert "currency" in set(settings_rows["setting"])


def test_upload_history_remove_changes_overview(own_slice: Path) -> None:
    before = cli_json("spend", db=own_slice)
    at = page("upload")
    hist = at.dataframe[0].value
    cur = hist[hist["name"] == "aws_cur2_BILLING_PERIOD=2026-10.csv"].iloc[0]
    label = f"{cur['id']}: {cur['name']} ({cur['rows_loaded']:,} rows)"
    at.selectbox(key="u_remove_pick").set_value(label).run()
    at.button(key="u_remove").click().run()
    ok(at)
    assert any("removed" in i.value for i in at.info)
    hist = at.dataframe[0].value
    assert hist[hist["id"] == cur["id"]].iloc[0]["status"] == "removed"
    after = cli_json("spend", "--by", "provider", db=own_slice)
    aws_before = cli_json("spend", "--by", "provider", "--start", "2026-10-01", "--end", "2026-11-01",
                          db=own_slice)
    assert total_billed(after) < total_billed(before)
    assert total_billed(aws_before, provider="AWS") == 0
    ov = page("overview")
    october = cli_json("spend", "--start", "2026-10-01", "--end", "2026-11-01", db=own_slice)
    assert metric(ov, "Month to date (Oct 2026)") == usd(total_billed(october))


def test_cli_ingest_while_dashboard_runs_is_seen_on_refresh(slice_db: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The dashboard holds no lock between runs: the CLI ingests into the store it shows, and the
    next run (a refresh) shows the new rows at once, not after the cache expires."""
    from tests.conftest import run_cli

    db = tmp_path / "live.duckdb"
    con = ingest.connect(db)
    held = "aws_cur2_BILLING_PERIOD=2026-10.csv"
    for path in company_files(SLICE):
        if path.name != held:
            assert ingest.ingest_file(con, path).status == "loaded"
    con.close()
    monkeypatch.setenv("RIGHTSIZE_DB", str(db))
    at = page("overview")
    before = metric(at, "Month to date (Oct 2026)")
    proc = run_cli("ingest", str(SLICE / "billing" / held), db=db)
    assert proc.returncode == 0, proc.stderr
    at.run()
    ok(at)
    october = cli_json("spend", "--start", "2026-10-01", "--end", "2026-11-01", db=db)
    assert metric(at, "Month to date (Oct 2026)") == usd(total_billed(october)) != before


def test_a_page_says_the_store_is_busy_while_another_process_writes_it(own_slice: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A process holding the store for writing longer than store_wait (a long `rightsize ingest`)
    gets a page a notice and a Try again button, not a traceback; once it lets go the page renders."""
    from tests.conftest import held_store

    monkeypatch.setenv("RIGHTSIZE_STORE_WAIT", "1")
    with held_store(own_slice):
        at = AppTest.from_file(MAIN, default_timeout=120)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert [w.value for w in at.warning if "is busy" in w.value and str(own_slice) in w.value], \
            [w.value for w in at.warning]
        assert [b.label for b in at.button] == ["Try again"]
    at.button[0].click().run()
    ok(at)
    assert not [w.value for w in at.warning if "is busy" in w.value]
    assert metric(at, "Month to date (Oct 2026)")


def test_data_from_files_is_never_markdown(own_slice: Path) -> None:
    """A workload or file name full of Markdown renders as text (no link, no image)."""
    from app.dashboard.ui import plain

    hostile = "[click](javascript:alert(1)) ![x](http://e/x.png) **b** <b>h</b>"
    escaped = plain(hostile)
    assert "](" not in escaped.replace("\\]\\(", "") and "\\[click\\]\\(javascript" in escaped
    at = page("upload")
    at.session_state["u_results"] = [{"file": hostile, "status": "failed", "error": "bad", "format": None}]
    at.run()
    assert at.error[0].value == plain(f"{hostile}: bad")


def test_quality_cost_curve_points_equal_cli_with_that_candidate(slice_store: Path) -> None:
    """Each point of a workload's curve is what `rightsize savings --candidate W=M` says for M."""
    from queries.dashboard import scenario_curve
    from queries.rightsizing import Scenario

    con = ingest.connect(slice_store, read_only=True)
    try:
        curve = scenario_curve(con, Scenario(), "support-rag-answers")
    finally:
        con.close()
    candidates = curve.filter(curve["role"] == "candidate").to_dicts()
    assert candidates, "the slice's evals cover support-rag-answers"
    assert curve.filter(curve["role"] == "current")["cost_ratio"].to_list() == [1.0]
    for point in candidates:
        cli = cli_json("savings", "--candidate", f"support-rag-answers={point['model']}", db=slice_store)
        want = next(w for w in cli["workloads"] if w["workload"] == "support-rag-answers")
        assert want["candidate_model"] == point["model"]
        assert round(point["cost_ratio"], 9) == round(want["cost_ratio"], 9)
        assert round(point["eligible_share"], 9) == round(want["eligible_share"], 9)
        assert point["basis"] == "evidence"
