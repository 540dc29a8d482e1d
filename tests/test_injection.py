"""Hostile strings through every filter and group-by: bound as parameters, never SQL."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

import ingest
from ingest.errors import QueryError
from queries.reports import focus_rows
from queries.spend import BILLING_DIMENSIONS, spend_by
from tests.conftest import SAMPLES, run_cli

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
