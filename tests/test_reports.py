"""The finance reports (XLSX, PDF, CSV) read back and held against the CLI's --json for the same scope,
on a store loaded from the committed sample company slice (sample_data/slice)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pypdf
import pypdfium2
import pytest

import ingest
from tests.conftest import ROOT, cli_json, run_cli

SLICE = ROOT / "sample_data" / "slice"
PERIOD, START, END = "2026-10", "2026-10-01", "2026-11-01"
SNAPSHOT = ROOT / "tests" / "snapshots" / "reports_xlsx_structure.json"
HOSTILE_TEAM = "=1+2"


def slice_files() -> list[Path]:
    return sorted(p for p in SLICE.rglob("*") if p.is_file() and p.name != "truth.json")


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The slice, with the GCP export's team label "search" renamed to a formula (injection case)."""
    root = tmp_path_factory.mktemp("reports")
    path = root / "store.duckdb"
    con = ingest.connect(path)
    for f in slice_files():
        if f.name.startswith("gcp_billing_export"):
            hostile = root / f.name
            hostile.write_text(f.read_text().replace('""value"": ""search""', f'""value"": ""{HOSTILE_TEAM}""'))
            f = hostile
        r = ingest.ingest_file(con, f)
        assert r.status == "loaded", (f.name, r.error)
    con.close()
    return path


def report(db: Path, fmt: str, out: Path, *extra: str) -> Path:
    proc = run_cli("report", "--format", fmt, "--period", PERIOD, "--out", str(out), *extra, db=db)
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="module")
def workbook(db: Path, tmp_path_factory: pytest.TempPathFactory) -> openpyxl.Workbook:
    return openpyxl.load_workbook(report(db, "xlsx", tmp_path_factory.mktemp("x") / "r.xlsx"))


@pytest.fixture(scope="module")
def savings(db: Path) -> dict:
    return cli_json("savings", "--start", START, "--end", END, db=db)


def table(ws, header_row: int | None = None) -> list[dict]:  # noqa: ANN001 - an openpyxl sheet
    """Rows under the frozen header of a sheet, as dicts."""
    header_row = header_row or ws.freeze_panes and int(ws.freeze_panes[1:]) - 1
    rows = list(ws.iter_rows(min_row=header_row, values_only=True))
    head = rows[0]
    return [dict(zip(head, r, strict=True)) for r in rows[1:] if any(v is not None for v in r)]


def close(a: float | None, b: float | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and abs(a - b) <= 1e-9 * max(1, abs(b)))


def test_workbook_numbers_equal_the_cli(db: Path, workbook: openpyxl.Workbook, savings: dict) -> None:
    summary = {r["item"]: r["value"] for r in table(workbook["Summary"])}
    t = savings["totals"]
    assert close(summary["Projected savings, base (USD)"], t["savings"])
    assert close(summary["Projected savings, low (USD)"], t["savings_low"])
    assert close(summary["Projected savings, high (USD)"], t["savings_high"])
    assert close(summary["Current cost of the logged workloads (USD)"], t["current_cost"])
    assert summary["Thesis verdict"] == savings["thesis"]["verdict"]
    total = cli_json("spend", "--by", "month", "--start", START, "--end", END, db=db)
    assert summary["Total billed spend (USD)"] == pytest.approx(total[0]["billed_cost"], abs=1e-9)
    for by in ("provider", "model", "team", "month"):
        want = {(r[by], r["currency"]): r["billed_cost"] for r in cli_json("spend", "--by", by, "--start", START,
                                                                             "--end", END, db=db)}
        got = {(r[by], r["currency"]): r["billed_cost"] for r in table(workbook[f"Spend by {by}"])}
        if by == "team":  # the hostile team name is written as text, prefixed
            want = {("'" + k[0] if k[0] == HOSTILE_TEAM else k[0], k[1]): v for k, v in want.items()}
        assert got.keys() == want.keys(), by
        assert all(close(got[k], want[k]) for k in want), by
    rows = {r["workload"]: r for r in table(workbook["Workloads"])}
    assert len(rows) == len(savings["workloads"]) > 10
    for w in savings["workloads"]:
        got = rows[w["workload"]]
        for col in ("requests", "current_cost", "eligible_share", "savings", "savings_low", "savings_high"):
            assert close(got[col], w[col]), (w["workload"], col)
        assert got["basis"] == w["basis"] and got["candidate_model"] == w["candidate_model"]


def test_workbook_reconciliation_and_method(db: Path, workbook: openpyxl.Workbook) -> None:
    rec = cli_json("reconcile", "--start", START, "--end", END, "--grain", "month", db=db)
    ws = workbook["Reconciliation"]
    rows = table(ws)
    by_cell = {(r["provider"], r["model"]): r for r in rows if r.get("provider")}
    for r in rec["table"]:
        assert close(by_cell[(r["provider"], r["model"])]["billed_cost"], r["billed_cost"])
    lines = list(ws.iter_rows(values_only=True))
    below = lines[[r[0] for r in lines].index("Causes of the gap (they sum to the gap)") + 2:]
    causes = {r[0]: r[1] for r in below if r[0]}
    assert causes.keys() == {c["cause"] for c in rec["causes"]}
    for cause in rec["causes"]:
        assert close(causes[cause["cause"]], cause["amount"]), cause["cause"]
    method = table(workbook["Method"])
    assert any("savings   = C − projected" in r["formula"] for r in method)
    assert {r["section"] for r in method} >= {"4. Savings", "3. Eligible share"}


def test_workbook_prices_equal_the_cli(db: Path, workbook: openpyxl.Workbook) -> None:
    """Every price used in the period, with source, catalog version and effective date, as `rightsize prices`."""
    want = cli_json("prices", "--start", START, "--end", END, db=db)
    got = table(workbook["Prices"])
    assert len(got) == len(want) > 20

    def key(r: dict) -> tuple:
        eff = r["effective_from"]
        return (r["provider"], r["model"], r["service_tier"], r["token_type"], eff and str(eff)[:10])

    by_key = {key(r): r for r in got}
    assert by_key.keys() == {key(r) for r in want}
    for w in want:
        g = by_key[key(w)]
        assert close(g["usd_per_mtok"], w["usd_per_mtok"] and float(w["usd_per_mtok"])), key(w)
        assert (g["source"], g["catalog_version"], g["requests"]) == (w["source"], w["catalog_version"],
                                                                      w["requests"]), key(w)
    assert {r["token_type"] for r in got} >= {"input", "output", "cache_read"}
    assert all(r["catalog_version"] for r in got if r["source"] == "catalog")
    assert workbook["Prices"].cell(int(workbook["Prices"].freeze_panes[1:]), 5).number_format == '"$"#,##0.0000'


def test_workbook_structure_matches_the_snapshot(workbook: openpyxl.Workbook) -> None:
    """Sheet names, headers, number formats of the first data row, frozen panes and filters. Regenerate
    the snapshot deliberately when the workbook changes: RIGHTSIZE_UPDATE_SNAPSHOTS=1."""
    import os

    got = {}
    for ws in workbook.worksheets:
        header_row = int(ws.freeze_panes[1:]) - 1
        head = [c.value for c in ws[header_row]]
        first = list(ws[header_row + 1]) if ws.max_row > header_row else []
        got[ws.title] = {"freeze": ws.freeze_panes, "filter": ws.auto_filter.ref is not None, "header": head,
                         "formats": {h: c.number_format for h, c in zip(head, first, strict=False)
                                     if h and c.number_format != "General"},
                         "widths_set": all((ws.column_dimensions[chr(65 + j)].width or 0) >= 10
                                           for j in range(min(len(head), 26)))}
    assert [ws.title for ws in workbook.worksheets] == ["Summary", "Spend by provider", "Spend by model",
                                                       "Spend by team", "Spend by month", "Workloads", "Scenarios",
                                                       "Reconciliation", "Prices", "Method"]
    assert workbook["Summary"]._charts, "the summary chart is missing"
    assert not any(isinstance(c.value, str) and c.value.startswith("=")
                   for ws in workbook.worksheets for row in ws.iter_rows() for c in row), "a formula in the workbook"
    if os.environ.get("RIGHTSIZE_UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(json.dumps(got, indent=1, ensure_ascii=False) + "\n")
    assert got == json.loads(SNAPSHOT.read_text())


def test_injection_is_neutralized_in_xlsx_and_csv(db: Path, workbook: openpyxl.Workbook, tmp_path: Path) -> None:
    teams = [r["team"] for r in table(workbook["Spend by team"])]
    assert "'" + HOSTILE_TEAM in teams and HOSTILE_TEAM not in teams
    out = report(db, "spend-csv", tmp_path / "spend.csv")
    with out.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["team"] for r in rows} >= {"'" + HOSTILE_TEAM}
    assert not any(v.startswith(("=", "+", "@", "\t", "\r")) for r in rows for v in r.values())
    # scoped to the hostile team: only its lines, and the same total as the CLI
    scoped = report(db, "spend-csv", tmp_path / "team.csv", "--team", HOSTILE_TEAM)
    with scoped.open(newline="") as fh:
        team_rows = list(csv.DictReader(fh))
    want = cli_json("spend", "--by", "provider", "--team", HOSTILE_TEAM, "--start", START, "--end", END, db=db)
    assert {r["team"] for r in team_rows} == {"'" + HOSTILE_TEAM}
    assert sum(float(r["billed_cost"]) for r in team_rows) == pytest.approx(sum(w["billed_cost"] for w in want))


def test_csvs_equal_the_cli(db: Path, savings: dict, tmp_path: Path) -> None:
    out = report(db, "csv", tmp_path / "w.csv")
    with out.open(newline="") as fh:
        rows = {r["workload"]: r for r in csv.DictReader(fh)}
    assert rows.keys() == {w["workload"] for w in savings["workloads"]}
    for w in savings["workloads"]:
        assert float(rows[w["workload"]]["savings"]) == pytest.approx(w["savings"], rel=1e-12, abs=1e-12)
        assert rows[w["workload"]]["basis"] == w["basis"]
    spend = report(db, "spend-csv", tmp_path / "s.csv")
    with spend.open(newline="") as fh:
        total = sum(float(r["billed_cost"]) for r in csv.DictReader(fh))
    want = cli_json("spend", "--by", "provider", "--start", START, "--end", END, db=db)
    assert total == pytest.approx(sum(r["billed_cost"] for r in want), abs=1e-9)


def test_pdf_memo_says_what_the_cli_says_and_is_not_blank(db: Path, savings: dict, tmp_path: Path) -> None:
    out = report(db, "pdf", tmp_path / "memo.pdf")
    reader = pypdf.PdfReader(out)
    assert 2 <= len(reader.pages) <= 4
    text = " ".join(p.extract_text() for p in reader.pages).replace("\n", " ")
    t = savings["totals"]
    assert f"would save ${t['savings']:,.2f} (low ${t['savings_low']:,.2f}, high ${t['savings_high']:,.2f})" in text
    top = max(savings["workloads"], key=lambda w: w["savings"])
    assert top["workload"] in text and f"${top['savings']:,.2f}" in text
    for heading in ("Headline", "Top workloads to move", "Risks and evidence", "Assumptions"):
        assert heading in text
    page = pypdfium2.PdfDocument(str(out))[0].render(scale=1).to_pil().convert("L")
    dark = sum(page.histogram()[:200])
    assert dark > 0.02 * page.width * page.height, "the first page renders (almost) blank"
    assert len(reader.pages[0].images) == 1, "the savings chart is not on page 1"
