"""Uploads: size limit, type by content not by name, the file name never used as a path."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from ingest.uploads import display_name, ingest_upload, preview
from tests.conftest import SAMPLES

FOCUS = (SAMPLES / "focus" / "focus_sample_1000_FOCUS-1.0.csv").read_bytes()


def test_hostile_names_are_labels_not_paths(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    target = tmp_path / "pwned.csv"
    for hostile in [str(target), "../../pwned.csv", "..\\..\\pwned.csv", "a\x00b/../c.csv", "\u202ecsv.exe"]:
        r = ingest_upload(store, FOCUS, hostile)
        assert r.status in {"loaded", "skipped"}
        assert "/" not in r.file and "\\" not in r.file and "\x00" not in r.file
    assert not target.exists()
    assert store.execute("SELECT count(*) FROM billing").fetchone()[0] == 1000
    assert display_name("../../etc/passwd") == "passwd"


def test_type_is_decided_by_content_not_the_name(store: duckdb.DuckDBPyConnection) -> None:
    info = preview(FOCUS, "holiday-photo.jpg")
    assert (info["format"], info["kind"]) == ("focus", "billing")
    r = ingest_upload(store, b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "costs.csv")
    assert r.status == "failed" and r.error.startswith("costs.csv: ")


def test_size_limit(store: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RIGHTSIZE_UPLOAD_MAX_MB", "0")
    r = ingest_upload(store, FOCUS, "big.csv")
    assert r.status == "failed"
    assert "over the upload limit of 0 MB" in r.error
    assert store.execute("SELECT count(*) FROM source_file").fetchone()[0] == 0
