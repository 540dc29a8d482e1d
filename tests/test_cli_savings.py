"""`rightsize savings --json`: the shape the issue names and numbers that add up."""

from __future__ import annotations

from pathlib import Path

import pytest

from queries import formulas as F
from tests.builders import write_log
from tests.conftest import FIXTURES, cli_json, run_cli
from tests.test_savings import cost, hand_log

WORKLOAD_FIELDS = {"workload", "requests", "current_model", "current_cost", "candidate_model", "eligible_share",
                   "eligible_low", "eligible_high", "basis", "projected_cost", "savings", "savings_low",
                   "savings_high"}
TOTAL_FIELDS = {"current_cost", "projected_cost", "savings", "savings_low", "savings_high"}
THESIS_FIELDS = {"share_spend_movable_90", "share_spend_movable_99", "share_workloads_movable_90",
                 "share_workloads_movable_99", "verdict"}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    db = tmp_path / "cli.duckdb"
    for f in (hand_log(tmp_path / "log.csv"), FIXTURES / "evals" / "scores.csv"):
        assert run_cli("ingest", str(f), db=db).returncode == 0
    return db


def test_savings_json_shape_and_numbers(db: Path) -> None:
    out = cli_json("savings", "--period", "2026-10", "--escalation", "0.1", "--tolerance", "0.5",
                   "--candidate", "classify=gpt-4o-mini", db=db)
    assert isinstance(out, dict)
    assert {"workloads", "totals", "thesis", "scenario", "hybrid", "curve", "quality", "prior_rules"} <= set(out)
    ws = {w["workload"]: w for w in out["workloads"]}
    assert set(ws) == {"classify", "summarize"}
    for w in ws.values():
        assert WORKLOAD_FIELDS <= set(w)
        assert w["basis"] in {"evidence", "prior"}
        assert 0 <= w["eligible_low"] <= w["eligible_share"] <= w["eligible_high"] <= 1
    assert TOTAL_FIELDS <= set(out["totals"]) and THESIS_FIELDS <= set(out["thesis"])
    assert out["scenario"]["start"] == "2026-10-01" and out["scenario"]["end"] == "2026-11-01"
    s = ws["summarize"]
    assert (s["basis"], s["eligible_share"]) == ("evidence", 0.6)       # r1, r3 (within 0.5), r4
    cur = 5 * cost("gpt-4o", "openai", 4000, 900)
    k = 5 * cost("gpt-4o-mini", None, 4000, 900)
    assert s["current_cost"] == pytest.approx(cur, rel=1e-9)
    assert s["savings"] == pytest.approx(0.6 * (cur - k - 0.1 * cur), rel=1e-9)
    lo, hi = F.wilson_interval(3, 5)
    assert s["savings_high"] == pytest.approx(hi * (cur - k - 0.1 * cur), rel=1e-9)
    t = out["totals"]
    for f in TOTAL_FIELDS:
        assert t[f] == pytest.approx(sum(w[f] for w in ws.values()), rel=1e-9)
    assert t["savings"] <= t["current_cost"]
    assert 0 <= out["thesis"]["share_spend_movable_99"] <= out["thesis"]["share_spend_movable_90"] <= 1
    assert "thesis" in out["thesis"]["verdict"]


def test_savings_text_and_errors(db: Path) -> None:
    proc = run_cli("savings", "--period", "2026-10", db=db)
    assert proc.returncode == 0, proc.stderr
    assert "total: current" in proc.stdout and "80/20 thesis" in proc.stdout
    bad = run_cli("savings", "--policy", "cheapest=yes", db=db)
    assert bad.returncode == 2
    assert bad.stderr.strip() == ("error: policy: unknown rule 'cheapest'; use providers=, same_provider, "
                                  "open_weight, exclude=, min_tier=")
    bad = run_cli("savings", "--period", "last-week", db=db)
    assert bad.stderr.strip() == "error: period 'last-week': use all, YYYY-MM or a number of days like 30d"
    bad = run_cli("savings", "--candidate", "classify", db=db)
    assert bad.stderr.strip() == "error: --candidate 'classify': use WORKLOAD=MODEL"


def test_unpriced_workload_is_never_zero(tmp_path: Path) -> None:
    db = tmp_path / "u.duckdb"
    log = write_log(tmp_path / "u.csv", [{"request_id": "x1", "ts": "2026-10-02T00:00:00Z", "model": "my-own-finetune-7",
                                          "feature": "mystery", "input_tokens": 10, "output_tokens": 5}])
    assert run_cli("ingest", str(log), db=db).returncode == 0
    out = cli_json("savings", db=db)
    w = out["workloads"][0]
    assert (w["workload"], w["current_cost"], w["projected_cost"], w["unpriced_requests"]) == ("mystery", None, None, 1)
    assert w["reason"].startswith("unpriced")
    assert out["thesis"]["verdict"] == "cannot test: no priced workloads in the period"
