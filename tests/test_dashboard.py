"""Every dashboard page renders with Streamlit's AppTest against a real DuckDB store."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import ingest

MAIN = str(Path(__file__).resolve().parents[1] / "app" / "dashboard" / "main.py")
PAGES = ["overview", "upload", "explorer", "reconciliation", "workloads", "savings", "thesis", "reports",
         "settings"]


def run_page(page: str, db: Path) -> AppTest:
    at = AppTest.from_file(MAIN, default_timeout=60)
    at.switch_page(f"views/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_on_empty_store(page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "empty.duckdb"
    ingest.connect(db).close()
    monkeypatch.setenv("RIGHTSIZE_DB", str(db))
    run_page(page, db)
