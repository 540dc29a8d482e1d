"""The bench data (bench/data.py) is the sample company: it loads through our readers with no
rejects, and its bills reconcile with its logs the way its truth.json says.

Sizes up to ``GENERATE_MAX`` are the generator's own output at ``scale_for(rows)``; at 2,492 rows
that scale is the committed slice's (0.003), so the bench company there is the slice byte for byte
and tests/test_sample_company_integration.py already holds it to its truth. Larger sizes are
``replicate``d: gzip logs with renamed ids and bills for ``copies`` times the tokens. Here the slice
is replicated three times, loaded with `rightsize ingest`, and every check of
tests/test_sample_company_integration.py is run again against the replicated truth (the module's
``TRUTH`` swapped for it), so the checks are the same code, not a copy.
"""

from __future__ import annotations

import filecmp
import gzip
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

import tests.test_sample_company_integration as company_checks
from bench import data
from sample_data import SLICE, SLICE_PARAMS
from tests.conftest import run_cli

SLICE_ROWS = 2492  # scale_for(2492) == 0.003, the slice's scale
COPIES = 3


def _same_tree(a: Path, b: Path) -> list[str]:
    """Files that differ (or exist on one side only) between two directory trees (bench.json, the
    generation's seconds, is the bench's own)."""
    c = filecmp.dircmp(a, b, ignore=["bench.json"])
    out = [str(a / f) for f in c.left_only + c.right_only + c.diff_files + c.funny_files]
    _, mismatch, errors = filecmp.cmpfiles(a, b, c.common_files, shallow=False)
    out += [str(a / f) for f in mismatch + errors]
    for sub in c.common_dirs:
        out += _same_tree(a / sub, b / sub)
    return out


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bench")


@pytest.fixture(scope="module")
def replicated(root: Path) -> tuple[Path, dict]:
    base = data.company(SLICE_ROWS, root)
    out = root / "replicated"
    return out, data.replicate(base, out, COPIES)


@pytest.fixture(scope="module")
def loaded(root: Path, replicated: tuple[Path, dict]) -> tuple[Path, list[dict]]:
    directory, _truth = replicated
    db = root / "store.duckdb"
    proc = run_cli("ingest", *[str(p) for p in data.files(directory)], "--json", db=db)
    return db, json.loads(proc.stdout) if proc.stdout.strip() else [{"file": "?", "status": "failed",
                                                                      "error": proc.stderr}]


def test_scale_per_size() -> None:
    assert data.scale_for(SLICE_ROWS) == SLICE_PARAMS["scale"]
    assert data.scale_for(10_000_000) == 12.04       # the shared 10M company (/work/data4/co10)
    assert data.scale_for(1_000_000) == 1.204


def test_a_generated_size_is_the_sample_company(root: Path) -> None:
    """At the slice's scale the bench company is the committed slice, byte for byte (its truth
    included), so the sample company's own tests cover what it loads to."""
    d = data.company(SLICE_ROWS, root)
    assert _same_tree(d, SLICE) == []
    assert data.litellm_rows(d) == sum(1 for _ in (d / "logs" / data.LITELLM).open()) - 1
    assert data.company(SLICE_ROWS, root) == d  # cached: truth.json marks it complete


def test_replicated_logs_are_copies_with_distinct_ids(replicated: tuple[Path, dict]) -> None:
    directory, truth = replicated
    base = SLICE / "logs"
    lite = gzip.open(directory / "logs" / f"{data.LITELLM}.gz", "rt").read().splitlines()
    base_lite = (base / data.LITELLM).read_text().splitlines()
    assert lite[: len(base_lite)] == base_lite                       # copy 0 is the base file
    assert len(lite) - 1 == COPIES * (len(base_lite) - 1) == truth["requests"]["litellm"]
    ids = [line.split(",", 1)[0] for line in lite[1:]]
    assert len(set(ids)) == len(ids)
    assert lite[len(base_lite)] == base_lite[1].replace("chatcmpl-", "chatcmpl-r1-", 1)
    lf = gzip.open(directory / "logs" / f"{data.LANGFUSE}.gz", "rt").read().splitlines()
    assert len(lf) == COPIES * len((base / data.LANGFUSE).read_text().splitlines()) == truth["requests"]["langfuse"]
    obs = [json.loads(x) for x in lf]
    assert len({o["id"] for o in obs}) == len(obs)
    assert obs[-1]["traceId"].startswith(f"r{COPIES - 1}-")
    assert data.truth(directory)["bench"]["copies"] == COPIES


def test_baseline_reads_the_same_gzip_files(replicated: tuple[Path, dict]) -> None:
    """The bench's plain-DuckDB baselines read the compressed files the readers load."""
    directory, truth = replicated
    con = duckdb.connect()
    lite = data.log_file(directory, data.LITELLM)
    assert con.sql(f"SELECT count(*) FROM read_csv('{lite}')").fetchall() == [(truth["requests"]["litellm"],)]
    lf = data.log_file(directory, data.LANGFUSE)
    assert con.sql(f"SELECT count(*) FROM read_json('{lf}')").fetchall() == [(truth["requests"]["langfuse"],)]


def test_replicated_bills_scale_the_base_bills(replicated: tuple[Path, dict]) -> None:
    """Bills for three times the tokens: every token count is three times the slice's, and every
    billed amount three times as large within what each provider's rounding of a line leaves."""
    _directory, truth = replicated
    base = json.loads((SLICE / "truth.json").read_text())
    for s, rec in truth["reconciliation"].items():
        b = base["reconciliation"][s]
        assert rec["billed_tokens"] == {k: v * COPIES for k, v in b["billed_tokens"].items()}, s
        assert abs(Decimal(rec["billed"]) - COPIES * Decimal(b["billed"])) <= Decimal("0.0001") * rec["billing_lines"], s
        assert rec["files"] == b["files"]


# test_every_slice_file_loads_whole names the plain log files; the replicated logs are .gz, so
# test_replicated_files_load_whole below says the same of them.
CHECKS: list[Callable[[tuple[Path, list[dict]]], None]] = [
    getattr(company_checks, name) for name in dir(company_checks)
    if name.startswith("test_") and name != "test_every_slice_file_loads_whole"
    and callable(getattr(company_checks, name))]


def test_replicated_files_load_whole(loaded: tuple[Path, list[dict]], replicated: tuple[Path, dict]) -> None:
    _db, results = loaded
    assert [(r["file"], r["status"], r["rejected"]) for r in results] == [
        (p.name, "loaded", 0) for p in data.files(replicated[0])]
    kinds = {r["file"]: r["kind"] for r in results}
    assert kinds[f"{data.LITELLM}.gz"] == kinds[f"{data.LANGFUSE}.gz"] == "requests"
    assert {kinds[f] for f in kinds if not f.endswith((".gz", ".toml")) and "eval" not in f} == {"billing"}


@pytest.mark.parametrize("check", CHECKS, ids=[c.__name__ for c in CHECKS])
def test_replicated_company_passes_the_sample_company_checks(
        check: Callable[[tuple[Path, list[dict]]], None], loaded: tuple[Path, list[dict]],
        replicated: tuple[Path, dict], monkeypatch: pytest.MonkeyPatch) -> None:
    """Every check of test_sample_company_integration.py (files load whole with no rejects, billed
    totals and tokens, tax, requests and tokens, unpriced and self-hosted costs, the gaps billing
    and logs leave, reconciliation's causes per provider, savings evidence) on the replicated
    company against its own truth."""
    monkeypatch.setattr(company_checks, "TRUTH", replicated[1])
    check(loaded)


def test_every_check_is_run() -> None:
    assert len(CHECKS) >= 8


def test_bench_cases_run_on_the_company(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """bench/run.py's store-building, reconciliation, analytics and re-price cases, end to end on a
    slice-sized company: every file loads with no rejects (the cases assert it), the ingest lines
    name each log file's exact row count, reconciliation finds billed money, and the price change
    re-prices (reprice_case asserts the 10% drop). RESULTS.md gets the data line, and its lines below
    10M rows (where the issue sets no target) say '-' for ok."""
    import bench.run as run

    monkeypatch.setattr(run, "DATA", tmp_path / "bench")
    monkeypatch.setattr(run, "RESULTS", tmp_path / "results")
    got = run.ingest_case(SLICE_ROWS)
    d = run.company(SLICE_ROWS)
    truth = data.truth(d)
    assert [(r.case, r.rows, r.note) for r in got] == [
        ("ingest LiteLLM CSV (normalized, costed)", SLICE_ROWS,
         f"{d.name}/logs/{data.LITELLM}: {truth['requests']['litellm']:,} rows"),
        ("ingest Langfuse JSONL (normalized, costed)", SLICE_ROWS,
         f"{d.name}/logs/{data.LANGFUSE}: {truth['requests']['langfuse']:,} rows")]
    con = duckdb.connect(str(tmp_path / "bench" / "ours.duckdb"), read_only=True)
    try:
        assert con.sql("SELECT count(*) FROM requests").fetchall() == [(truth["requests"]["logged"],)]
        assert con.sql("SELECT count(*) FROM ingest_rejects").fetchall() == [(0,)]
    finally:
        con.close()
    base = duckdb.connect(str(tmp_path / "bench" / "baseline.duckdb"), read_only=True)
    try:
        assert base.sql("SELECT count(*) FROM t").fetchall() == [(truth["requests"]["litellm"],)]
        assert base.sql("SELECT count(*) FROM lf").fetchall() == [(truth["requests"]["langfuse"],)]
    finally:
        base.close()
    rec = run.reconcile_case(SLICE_ROWS)
    assert rec.ours_seconds > 0 and rec.baseline_seconds > 0
    assert len(run.analytics_case(SLICE_ROWS)) == 3
    run.reprice_case(SLICE_ROWS)
    run.write([*got, rec], [SLICE_ROWS], {str(SLICE_ROWS): data.describe(d)})
    text = (tmp_path / "results" / "RESULTS.md").read_text()
    assert f"- {SLICE_ROWS:,}: {d.name}: generated at scale 0.003" in text
    assert f"{data.LITELLM} {truth['requests']['litellm']:,} rows" in text
    lines = [line for line in text.splitlines() if line.startswith("| ingest")]  # below 10M: no target
    assert len(lines) == 2 and all(line.split(" | ")[-2] == "-" for line in lines), lines


def test_a_linked_company_of_another_size_is_refused(tmp_path: Path) -> None:
    """A company directory linked or copied in by hand (e.g. /work/data4/co10 as company_10000000)
    is used only when its scale is the size's."""
    import shutil

    shutil.copytree(SLICE, tmp_path / "company_5000")
    with pytest.raises(ValueError, match=r"company_5000 holds the company at scale 0.003, not 0.006019"):
        data.company(5000, tmp_path)
