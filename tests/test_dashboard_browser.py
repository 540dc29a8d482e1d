"""End to end in a real headless Chromium (Playwright driving Debian's chromium): start
``rightsize serve`` on a free port against a tmp store holding the sample
company slice minus October's AWS bill, upload that real export through the page, see the month's
total change to the CLI's figure, open Workloads, build and download a FOCUS report. Screenshots go
to the test's tmp dir and are checked not to be blank."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image

import ingest
from bench.load import served
from sample_data import company_files
from tests.conftest import ROOT, cli_json

SLICE = ROOT / "sample_data" / "slice"
HELD_BACK = "aws_cur2_BILLING_PERIOD=2026-10.csv"


def not_blank(path: Path) -> None:
    """A screenshot shows a page: many colours, and not almost all one colour."""
    img = Image.open(path).convert("RGB").resize((320, 200))
    colours = img.getcolors(maxcolors=1 << 16) or []
    assert len(colours) > 20, f"{path.name}: only {len(colours)} colours"
    assert max(c for c, _ in colours) < 0.97 * 320 * 200, f"{path.name}: almost one colour"


def october_total(db: Path) -> str:
    rows = cli_json("spend", "--start", "2026-10-01", "--end", "2026-11-01", db=db)
    total = sum((Decimal(str(r["billed_cost"])) for r in rows if r["currency"] == "USD"), Decimal(0))
    return f"{float(total):,.2f} USD"


@pytest.fixture
def server(tmp_path: Path):  # noqa: ANN201 - yields (url, db)
    """`rightsize serve` (as a user starts it) on a free port, against the slice minus October's AWS bill."""
    db = tmp_path / "e2e.duckdb"
    con = ingest.connect(db)
    for path in company_files(SLICE):
        if path.name != HELD_BACK:
            assert ingest.ingest_file(con, path).status == "loaded"
    con.close()
    with served(db, tmp_path / "streamlit.log") as url:
        yield url, db


@pytest.fixture(autouse=True)
def _patient_expect() -> None:
    """Assertions wait as long as actions do: on two busy cores a page rerun can take seconds."""
    from playwright.sync_api import expect

    expect.set_options(timeout=60_000)


@pytest.mark.browser
def test_upload_see_total_change_open_workloads_download_report(server, tmp_path: Path) -> None:  # noqa: ANN001
    from playwright.sync_api import expect, sync_playwright

    url, db = server
    before = october_total(db)
    shots = tmp_path / "screenshots"
    shots.mkdir()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        page.set_default_timeout(90_000)
        page.goto(url)
        mtd = page.get_by_test_id("stMetric").filter(has_text="Month to date (Oct 2026)")
        expect(mtd).to_contain_text(before)
        page.screenshot(path=shots / "1-overview-before.png", full_page=True)

        page.get_by_role("link", name="Upload").click()
        page.locator("input[type=file]").set_input_files(SLICE / "billing" / HELD_BACK)
        expect(page.get_by_text("aws_cur", exact=False).first).to_be_visible()
        page.get_by_role("button", name="Load 1 file(s)").click()
        expect(page.get_by_text("loaded as aws_cur", exact=False)).to_be_visible()
        page.screenshot(path=shots / "2-uploaded.png", full_page=True)

        after = october_total(db)
        assert after != before
        page.get_by_role("link", name="Overview").click()
        expect(page.get_by_test_id("stMetric").filter(has_text="Month to date (Oct 2026)")).to_contain_text(after)
        page.screenshot(path=shots / "3-overview-after.png", full_page=True)

        page.get_by_role("link", name="Workloads").click()
        expect(page.get_by_text("workloads, keyed by", exact=False)).to_be_visible()
        expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
        page.screenshot(path=shots / "4-workloads.png", full_page=True)

        page.get_by_role("link", name="Reports").click()
        page.get_by_role("button", name="Build focus").click()
        with page.expect_download() as dl:
            page.get_by_role("button", name="Download rightsize-2026-10-focus.csv").click()
        target = tmp_path / "report.csv"
        dl.value.save_as(target)
        page.screenshot(path=shots / "5-reports.png", full_page=True)
        browser.close()
    header, *lines = target.read_text().splitlines()
    assert "BilledCost" in header and len(lines) > 0
    assert any("Amazon Bedrock" in line or "AWS" in line for line in lines)
    for shot in sorted(shots.iterdir()):
        not_blank(shot)


@pytest.mark.browser
def test_upload_an_in_house_log_with_a_column_mapping(server, tmp_path: Path) -> None:  # noqa: ANN001
    from playwright.sync_api import expect, sync_playwright

    url, db = server
    spec = ("ts=created,model=engine,provider=vendor,input_tokens=prompt_tok,cache_read_tokens=cached_tok,"
            "output_tokens=completion_tok,logged_cost=usd,feature=svc,team=squad,tags.env=environment")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(90_000)
        page.goto(url)
        page.get_by_role("link", name="Upload").click()
        # one step at a time, each seen on the page: a file set while a rerun is under way can be lost
        page.locator("input[type=file]").set_input_files(ROOT / "tests" / "fixtures" / "inhouse" / "app_requests.csv")
        expect(page.get_by_text("app_requests.csv: unknown format", exact=False)).to_be_visible()
        page.get_by_text("An in-house request log? Map its columns").click()
        name = page.get_by_label("Save this mapping as (optional)")
        name.fill("applog")
        name.press("Enter")
        box = page.get_by_label("Or name the columns, TARGET=HEADER comma-separated")
        box.fill(spec)
        box.press("Enter")
        expect(page.get_by_text("app_requests.csv: generic", exact=False)).to_be_visible()
        page.get_by_role("button", name="Load 1 file(s)").click()
        expect(page.get_by_text("loaded as generic: 2 rows, 1 rejected", exact=False)).to_be_visible()
        # the rejects table (a canvas grid: its cells exist for screen readers, not as visible text)
        expect(page.get_by_text('prompt_tok "many" is not a token count', exact=False).first).to_be_attached()
        page.screenshot(path=tmp_path / "mapped-upload.png", full_page=True)
        browser.close()
    not_blank(tmp_path / "mapped-upload.png")
    saved = cli_json("mappings", "--json", db=db)
    assert [m["name"] for m in saved["saved"]] == ["applog"]  # type: ignore[index]
    con = ingest.connect(db, read_only=True)
    assert con.execute("SELECT count(*) FROM requests WHERE team = 'legal' AND feature = 'contract-review' "
                       "AND tags->>'env' = 'prod'").fetchone()[0] >= 1
    con.close()
