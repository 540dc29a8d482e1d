"""Rendered text escapes HTML, in a real browser: `rightsize serve` on a store whose bill and request
log carry teams, models, providers, features and tags like ``<script>alert(1)</script>`` and
``<img src=x onerror=alert(2)>`` (tests/fixtures/hostile), plus an upload whose *file name* is
markup. Headless Chromium opens the pages that show those values (Overview chart, Upload results,
Spend explorer filters and chart, Workloads detail) and checks that no such element exists in the
DOM, no script ran (no dialog), no ``javascript:`` link exists, and the text shows literally."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import ingest
from bench.load import served
from tests.conftest import ROOT

HOSTILE = ROOT / "tests" / "fixtures" / "hostile"
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"
MD = "[click](javascript:alert(3)) **bold**"
PLOTLY = '<b>bold</b> <a href="https://evil.invalid/x">link</a>'  # tags Plotly draws in charts
UPLOAD_NAME = "<img src=x onerror=alert(5)>.csv"

INJECTED = """() => ({
  scripts: Array.from(document.querySelectorAll('script')).filter(s => /alert\\(/.test(s.textContent)).length,
  onerror: document.querySelectorAll('[onerror]').length,
  imgs: document.querySelectorAll('img[src="x"]').length,
  jslinks: document.querySelectorAll('a[href^="javascript:"]').length,
  links: Array.from(document.querySelectorAll('a')).filter(a => /evil/.test(a.getAttribute('href') + a.getAttribute('xlink:href'))).length,
  svgbold: Array.from(document.querySelectorAll('tspan')).filter(t => /bold/.test(t.getAttribute('style') || '')).length,
  bold: Array.from(document.querySelectorAll('strong, b')).filter(e => e.textContent === 'bold').length,
})"""


@pytest.fixture
def hostile_server(tmp_path: Path):  # noqa: ANN201 - yields the URL
    db = tmp_path / "hostile.duckdb"
    con = ingest.connect(db)
    for name in ("focus_hostile.csv", "requests_hostile.csv"):
        assert ingest.ingest_file(con, HOSTILE / name).status == "loaded"
    con.close()
    with served(db, tmp_path / "serve.log") as url:
        yield url


@pytest.mark.browser
def test_hostile_names_show_as_text_never_as_markup(hostile_server: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    dialogs: list[str] = []
    upload = (HOSTILE / "requests_hostile.csv").read_bytes().replace(b"hostile-", b"uploaded-")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(120_000)
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

        def clean(where: str) -> None:
            page.wait_for_timeout(500)
            got = page.evaluate(INJECTED)
            assert got == {"scripts": 0, "onerror": 0, "imgs": 0, "jslinks": 0, "links": 0, "svgbold": 0, "bold": 0}, (where, got)
            assert not dialogs, (where, dialogs)

        def settled() -> None:
            page.wait_for_function("() => document.querySelector('[data-testid=\"stApp\"]')"
                                   ".getAttribute('data-test-script-state') === 'notRunning' "
                                   "&& !document.querySelector('[data-stale=\"true\"]')")

        page.goto(hostile_server)
        expect(page.get_by_role("heading", name="Overview")).to_be_visible()
        settled()
        legend = page.locator(".legendtext")
        expect(legend.filter(has_text=SCRIPT)).to_have_count(1)  # the provider split shows the names as text
        expect(legend.filter(has_text=PLOTLY)).to_have_count(1)
        clean("overview")

        page.get_by_test_id("stSidebarNavLink").filter(has_text="Upload").click()
        page.locator("input[type=file]").set_input_files(
            files=[{"name": UPLOAD_NAME, "mimeType": "text/csv", "buffer": upload}])
        page.get_by_role("button", name="Load 1 file(s)").click()
        expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text(f"{UPLOAD_NAME}: loaded as generic")
        clean("upload")

        page.get_by_test_id("stSidebarNavLink").filter(has_text="Spend explorer").click()
        expect(page.get_by_role("heading", name="Spend explorer")).to_be_visible()
        settled()
        team = page.get_by_role("combobox", name="Team")
        team.click()
        page.get_by_role("option").get_by_text(SCRIPT, exact=True).click()
        settled()
        expect(team).to_have_value(SCRIPT)
        expect(page.get_by_test_id("stMetric").filter(has_text="Billed (USD)")).to_contain_text("USD")
        clean("explorer, team picked")
        group = page.get_by_role("combobox", name="Group by")
        group.click()
        page.get_by_role("option").get_by_text("model", exact=True).click()
        settled()
        expect(page.locator(".legendtext").filter(has_text=IMG)).to_have_count(1)  # the team's one model
        clean("explorer, models in the legend")

        page.get_by_test_id("stSidebarNavLink").filter(has_text="Workloads").click()
        expect(page.get_by_role("heading", name="Workloads", exact=True)).to_be_visible()
        settled()
        pick = page.get_by_role("combobox", name="Workload detail")
        pick.click()
        page.get_by_role("option").get_by_text(IMG, exact=True).click()
        settled()
        expect(page.get_by_role("heading", name=IMG, exact=True)).to_be_visible()
        pick.click()
        page.get_by_role("option").get_by_text(MD, exact=True).click()
        settled()
        expect(page.get_by_role("heading", name=MD, exact=True)).to_be_visible()
        clean("workloads")
        page.screenshot(path=tmp_path / "workloads.png", full_page=True)
        browser.close()
