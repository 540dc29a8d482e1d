"""In-house request logs through a column mapping: --map on the CLI, saved by name and used again,
mapped tag columns, reject reasons that name the file's own headers, and clear errors for a bad map."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

import ingest
from ingest.errors import ConfigError
from ingest.mapping import parse_map
from tests.conftest import FIXTURES, cli_json, run_cli

INHOUSE = FIXTURES / "inhouse"
MAP = ("ts=created,model=engine,provider=vendor,input_tokens=prompt_tok,cache_read_tokens=cached_tok,"
       "output_tokens=completion_tok,logged_cost=usd,feature=svc,team=squad,tags.env=environment,latency_ms=elapsed")


def test_cli_map_save_and_reuse(db_path: Path) -> None:
    [first] = cli_json("ingest", str(INHOUSE / "app_requests.csv"), "--map", MAP, "--save-map", "inhouse",
                       "--json", db=db_path)  # type: ignore[misc]
    assert (first["format"], first["rows"], first["rejected"], first["status"]) == ("generic", 2, 1, "loaded")
    [second] = cli_json("ingest", str(INHOUSE / "app_requests_may.csv"), "--mapping", "inhouse", "--json",
                        db=db_path)  # type: ignore[misc]
    assert (second["format"], second["rows"], second["status"]) == ("generic", 1, "loaded")
    saved = cli_json("mappings", "--json", db=db_path)
    assert saved["saved"] == [{"name": "inhouse", "map": parse_map(MAP)}]  # type: ignore[index]

    con = duckdb.connect(str(db_path), read_only=True)
    mini = con.execute("SELECT provider, model, feature, team, tags, uncached_input_tokens, cache_read_tokens, "
                       "output_tokens, latency_ms, logged_cost, cost FROM requests "
                       "WHERE ts = TIMESTAMP '2026-04-01 10:00:00'").fetchone()
    assert mini[:4] == ("openai", "gpt-4o-mini-2024-07-18", "ticket-summary", "support")
    assert json.loads(mini[4]) == {"env": "prod"}
    # prompt_tok (1500) includes cached_tok (500), as input_tokens does
    assert mini[5:8] == (1000, 500, 200) and mini[8] == 812
    assert mini[9] == Decimal("0.0003825")
    assert mini[10] == Decimal("0.0003075")   # 1000 x 0.15 + 500 x 0.075 + 200 x 0.60 per 1M
    # the reject names the file's own header and line
    assert con.execute("SELECT line, reason FROM ingest_rejects").fetchall() == [(4, 'prompt_tok "many" is not a token count')]
    assert con.execute("SELECT count(*) FROM requests").fetchone()[0] == 3


def test_unmapped_in_house_file_is_not_guessed(db_path: Path) -> None:
    out = run_cli("ingest", str(INHOUSE / "app_requests.csv"), db=db_path)
    assert out.returncode == 2 and "unknown format" in out.stderr


@pytest.mark.parametrize(("spec", "message"), [
    ("inputs=prompt_tok", "unknown column 'inputs'"),
    ("input_tokens", "is not TARGET=HEADER"),
    ("ts=created,ts=engine", "'ts' is mapped twice"),
])
def test_bad_map_specs(spec: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_map(spec)


def test_map_errors_name_file_and_cause(store: duckdb.DuckDBPyConnection, db_path: Path) -> None:
    r = ingest.ingest_file(store, INHOUSE / "app_requests.csv", options={"map": {"ts": "created_at"}})
    assert r.status == "failed"
    assert r.error.startswith("app_requests.csv: line 1: --map ts=created_at: the file has no column 'created_at'")
    r = ingest.ingest_file(store, INHOUSE / "app_requests.csv", options={"map": {"ts": "created", "model": "engine"}})
    assert r.status == "failed" and "no output_tokens, input_tokens column" in r.error
    assert store.execute("SELECT count(*) FROM request_log").fetchone()[0] == 0
    with pytest.raises(ConfigError, match="not --format litellm"):
        ingest.ingest_file(store, INHOUSE / "app_requests.csv", format="litellm", options={"map": {"ts": "created"}})
    store.close()
    out = run_cli("ingest", str(INHOUSE / "app_requests.csv"), "--mapping", "nope", db=db_path)
    assert out.returncode == 2 and "no saved mapping 'nope'" in out.stderr
