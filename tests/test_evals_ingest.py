"""Eval results load through the real loader: generic CSV (scores or pass/fail) and AlpacaEval."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb

import ingest
from tests.conftest import FIXTURES, SHARED

EVALS = FIXTURES / "evals"
ALPACA = SHARED / "evals" / "alpacaeval" / "alpacaeval2_per_prompt_preferences.csv"


def test_scores_load_with_canonical_models(store: duckdb.DuckDBPyConnection) -> None:
    r = ingest.ingest_file(store, EVALS / "scores.csv")
    assert (r.status, r.format, r.kind, r.rows, r.rejected) == ("loaded", "evals", "evals", 5, 0)
    rows = store.execute(
        "SELECT workload, request_id, baseline_model, candidate_model, baseline_score, candidate_score, passed, judge "
        "FROM evals ORDER BY request_id").fetchall()
    assert rows[0] == ("summarize", "r1", "gpt-4o", "gpt-4o-mini", 8.0, 8.0, None, "gpt-4.1")
    assert rows[4] == (None, "r5", "gpt-4o-2024-08-06", "gpt-4o-mini", 10.0, 4.0, None, "gpt-4.1")
    assert store.execute("SELECT DISTINCT candidate_model_raw FROM evals ORDER BY 1").fetchall() == [
        ("gpt-4o-mini",), ("openai/gpt-4o-mini",)]


def test_passed_only_rows_and_reload_adds_nothing(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    r = ingest.ingest_file(store, EVALS / "passed.csv")
    assert (r.rows, r.rejected) == (6, 0)  # identical lines are two evaluations, both kept
    assert store.execute("SELECT count(*) FILTER (WHERE passed), count(*) FROM evals").fetchone() == (5, 6)
    # same content under another name: workload-level rows have no request id, so the record hash
    # (and its occurrence in the file) is their identity and the copy is all duplicates
    copy = tmp_path / "copy.csv"
    copy.write_text((EVALS / "passed.csv").read_text() + "classify,,gpt-4o,gpt-4o-mini,no\n")
    r2 = ingest.ingest_file(store, copy)
    assert (r2.rows, r2.duplicates) == (1, 6)


def test_bad_rows_are_rejected_with_line_and_cause(store: duckdb.DuckDBPyConnection) -> None:
    r = ingest.ingest_file(store, EVALS / "bad_rows.csv")
    assert (r.rows, r.rejected) == (1, 6)
    assert store.execute("SELECT line, reason FROM ingest_rejects ORDER BY line").fetchall() == [
        (3, "candidate_model is empty"),
        (4, "workload and request_id are both empty"),
        (5, 'candidate_score "eight" is not a number'),
        (6, 'passed "maybe" is not true/false'),
        (7, "neither passed nor candidate_score is given"),
        (8, "candidate_score without baseline_score"),
    ]


def test_alpacaeval_preferences_import(store: duckdb.DuckDBPyConnection) -> None:
    r = ingest.ingest_file(store, ALPACA)
    with ALPACA.open(newline="") as fh:
        src = list(csv.DictReader(fh))
    assert (r.status, r.format, r.rows, r.rejected) == ("loaded", "alpacaeval", len(src), 0)
    assert r.rows == 46680
    got = dict(store.execute(
        "SELECT candidate_model_raw, count(*) FILTER (WHERE candidate_score >= baseline_score) FROM evals "
        "GROUP BY 1").fetchall())
    want: dict[str, int] = {}
    for row in src:
        want[row["model"]] = want.get(row["model"], 0) + (float(row["preference_vs_reference"]) >= 1.5)
    assert got == want
    # ROUTING.md §2.2: at least as good as GPT-4-Turbo on 8.4% (gpt-3.5-turbo-1106) of 805 prompts
    assert round(got["gpt-3.5-turbo-1106"] / 805, 3) == 0.084
    assert store.execute("SELECT DISTINCT baseline_model FROM evals").fetchall() == [("gpt-4-1106-preview",)]
    assert store.execute("SELECT count(DISTINCT workload), min(request_id) FROM evals").fetchone() == (5, "alpacaeval-0")
