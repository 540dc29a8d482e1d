"""Bad input: one clear line naming file, line and cause; nothing partial left behind."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

import ingest
from tests.conftest import SAMPLES, run_cli

FOCUS_SAMPLE = SAMPLES / "focus" / "focus_sample_1000_FOCUS-1.0.csv"


def focus_lines() -> list[str]:
    return FOCUS_SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)


def assert_nothing_loaded(store: duckdb.DuckDBPyConnection) -> None:
    assert store.execute("SELECT count(*) FROM billing_line").fetchone()[0] == 0
    assert store.execute("SELECT count(*) FROM ingest_rejects").fetchone()[0] == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "bad.csv: the file is empty"),
        (b"   \n\n", "bad.csv: the file holds only blank space"),
        (b"a,b,c\n1,2,3\n", "bad.csv: unknown format (csv with columns a, b, c); pass --format; known formats: "),
        (b'{"hello": "world"}', "bad.csv: unknown format (json with columns hello)"),
        (b'{"data": [1, 2', "bad.csv: line 1: invalid JSON"),
        ("\ufeff".encode("utf-16-le") + "a,b\n".encode("utf-16-le"), "bad.csv: line 1: the file is UTF-16 encoded"),
        (b"PK\x03\x04rest", "bad.csv: zip archives are not read"),
    ],
)
def test_unreadable_files_fail_with_one_line(store: duckdb.DuckDBPyConnection, tmp_path: Path,
                                             content: bytes, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    r = ingest.ingest_file(store, path)
    assert r.status == "failed"
    assert r.error.startswith(message)
    assert "\n" not in r.error
    assert_nothing_loaded(store)


def test_header_only(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "empty_export.csv"
    path.write_text(focus_lines()[0], encoding="utf-8")
    r = ingest.ingest_file(store, path)
    assert r.error == "empty_export.csv: no data rows (header only or an empty export); export a period that has usage"


def test_wrong_encoding_names_the_line(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    lines = focus_lines()
    path = tmp_path / "latin1.csv"
    path.write_bytes("".join(lines[:5]).encode() + lines[5].replace("SunBird", "Sünbird").encode("latin-1") + "".join(lines[6:20]).encode())
    r = ingest.ingest_file(store, path)
    assert r.status == "failed"
    assert r.error.startswith("latin1.csv: line 6: not UTF-8 text")
    assert_nothing_loaded(store)


def test_a_utf8_bom_is_fine(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "".join(focus_lines()[:11]).encode())
    r = ingest.ingest_file(store, path)
    assert (r.status, r.rows) == ("loaded", 10)


def test_ragged_row_fails_the_file_naming_the_line(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    lines = focus_lines()
    path = tmp_path / "ragged.csv"
    path.write_text("".join(lines[:8]) + lines[8].rstrip("\n") + ",extra\n" + "".join(lines[9:30]), encoding="utf-8")
    r = ingest.ingest_file(store, path)
    assert r.status == "failed"
    assert r.error.startswith("ragged.csv: line 9: ragged row: expected 44, found 45 columns")
    assert_nothing_loaded(store)


def test_unusable_rows_are_rejected_with_line_and_reason(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    lines = focus_lines()
    bad = lines[3].replace("0.00000080000", "12x.5", 1) if "0.00000080000" in lines[3] else None
    header = lines[0].split(",")
    idx = header.index('"BilledCost"')
    fields = lines[3].rstrip("\n").split(",")
    fields[idx] = "12x.5"
    bad = ",".join(fields) + "\n"
    path = tmp_path / "one_bad_row.csv"
    path.write_text("".join(lines[:3]) + bad + "".join(lines[4:11]), encoding="utf-8")
    r = ingest.ingest_file(store, path)
    assert (r.status, r.rows, r.rejected) == ("loaded", 9, 1)
    assert store.execute("SELECT line, reason, action FROM ingest_rejects").fetchall() == [
        (4, 'BilledCost "12x.5" is not a number', "rejected")]


def test_a_failed_file_is_recorded_and_can_be_loaded_once_fixed(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "fixme.csv"
    path.write_text(focus_lines()[0], encoding="utf-8")
    assert ingest.ingest_file(store, path).status == "failed"
    assert store.execute("SELECT status FROM source_file").fetchall() == [("failed",)]
    path.write_text("".join(focus_lines()[:6]), encoding="utf-8")
    assert ingest.ingest_file(store, path).rows == 5


def test_unknown_forced_format_lists_the_known_ones(store: duckdb.DuckDBPyConnection) -> None:
    r = ingest.ingest_file(store, FOCUS_SAMPLE, format="nope")
    assert "unknown format 'nope'; known formats: " in r.error and "focus" in r.error


def test_cli_exit_status_and_stderr_for_a_failed_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    proc = run_cli("ingest", str(FOCUS_SAMPLE), str(empty), "--json", db=tmp_path / "s.duckdb")
    assert proc.returncode == 2
    assert "error: empty.csv: the file is empty; export it again" in proc.stderr
    out = json.loads(proc.stdout)
    assert [o["status"] for o in out] == ["loaded", "failed"]
    for o in out:
        assert {"file", "format", "rows", "rejected", "duplicates", "status", "error"} <= set(o)
