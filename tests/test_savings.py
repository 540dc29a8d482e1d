"""The savings analysis end to end: request logs and eval files through the real loader, prices
from the real catalog (ingest.prices), expected numbers recomputed by hand from catalog prices."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ingest
from ingest.prices import model_price
from queries import formulas as F
from queries.model_table import Policy, model_rows
from queries.rightsizing import Scenario, analyse
from tests.builders import ALPACA_PREFS, alpaca_direct_shares, alpaca_request_log, write_log
from tests.conftest import FIXTURES

OCT = {"start": "2026-10-01", "end": "2026-11-01"}


def cost(model: str, provider: str | None, inp: int, out: int, cache_read: int = 0) -> float:
    """A request's cost by hand from the catalog's USD-per-1M prices (no long-context requests here)."""
    p = model_price(model, provider)
    assert p is not None, model
    cr = float(p.cache_read if p.cache_read is not None else p.input)
    return ((inp - cache_read) * float(p.input) + cache_read * cr + out * float(p.output)) / 1e6


def hand_log(path: Path) -> Path:
    rows = []
    for i in range(10):   # classify: short outputs from long inputs → prior "extraction-like"
        rows.append({"request_id": f"c{i}", "ts": f"2026-10-{i + 1:02d}T10:00:00Z", "provider": "openai",
                     "model": "gpt-4o", "feature": "classify", "input_tokens": 1000, "output_tokens": 20,
                     "status": "ok"})
    for i in range(1, 6):  # summarize: the requests scored in tests/fixtures/evals/scores.csv
        rows.append({"request_id": f"r{i}", "ts": f"2026-10-{i + 10:02d}T10:00:00Z", "provider": "openai",
                     "model": "gpt-4o", "feature": "summarize", "input_tokens": 4000, "output_tokens": 900,
                     "status": "ok"})
    return write_log(path, rows)


@pytest.fixture
def hand(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> duckdb.DuckDBPyConnection:
    assert ingest.ingest_file(store, hand_log(tmp_path / "log.csv")).rows == 15
    assert ingest.ingest_file(store, FIXTURES / "evals" / "scores.csv").rows == 5
    return store


def by_workload(a) -> dict[str, dict]:  # noqa: ANN001
    return {r["workload"]: r for r in a.workloads.to_dicts()}


def test_prior_and_evidence_by_hand(hand: duckdb.DuckDBPyConnection) -> None:
    a = analyse(hand, Scenario(**OCT, escalation=0.1, candidates={"classify": "gpt-4o-mini"}))
    w = by_workload(a)
    # classify: prior rule extraction-like (0.8, 0.5–0.95), the pinned candidate
    c = w["classify"]
    cur = 10 * cost("gpt-4o", "openai", 1000, 20)
    k = 10 * cost("gpt-4o-mini", None, 1000, 20)
    assert c["current_cost"] == pytest.approx(cur, rel=1e-9)
    assert (c["basis"], c["prior_rule"], c["candidate_model"]) == ("prior", "extraction-like", "gpt-4o-mini")
    assert (c["eligible_share"], c["eligible_low"], c["eligible_high"]) == (0.8, 0.5, 0.95)
    assert c["candidate_cost"] == pytest.approx(k, rel=1e-9)
    assert c["cost_ratio"] == pytest.approx(k / cur, rel=1e-9)
    for e, col in ((0.8, "savings"), (0.5, "savings_low"), (0.95, "savings_high")):
        assert c[col] == pytest.approx(e * (cur - k - 0.1 * cur), rel=1e-9)
    assert c["projected_cost"] == pytest.approx(0.2 * cur + 0.8 * (k + 0.1 * cur), rel=1e-9)
    # summarize: evidence overrides the cheapest choice. r1 8≥8 ✓, r2 7<9, r3 6.5<7, r4 9≥6 ✓,
    # r5 (workload from the request) 4<10 → 2 of 5
    s = w["summarize"]
    assert (s["basis"], s["candidate_model"], s["evaluated"], s["eligible_count"]) == ("evidence", "gpt-4o-mini", 5, 2)
    lo, hi = F.wilson_interval(2, 5)
    assert (s["eligible_share"], s["eligible_low"], s["eligible_high"]) == (0.4, pytest.approx(lo), pytest.approx(hi))
    cur_s = 5 * cost("gpt-4o", "openai", 4000, 900)
    k_s = 5 * cost("gpt-4o-mini", None, 4000, 900)
    assert s["savings"] == pytest.approx(0.4 * (cur_s - k_s - 0.1 * cur_s), rel=1e-9)
    assert s["savings_low"] == pytest.approx(lo * (cur_s - k_s - 0.1 * cur_s), rel=1e-9)
    # totals are the sums
    assert a.totals["current_cost"] == pytest.approx(cur + cur_s, rel=1e-9)
    assert a.totals["savings"] == pytest.approx(c["savings"] + s["savings"], rel=1e-9)
    assert a.totals["basis"] == {"evidence": 1, "prior": 1}
    # tolerance 0.5 lets r3 (6.5 vs 7) pass: 3 of 5
    s2 = by_workload(analyse(hand, Scenario(**OCT, tolerance=0.5)))["summarize"]
    assert (s2["eligible_count"], s2["eligible_share"]) == (3, 0.6)


def test_tokenizer_factor_growth_and_batch(hand: duckdb.DuckDBPyConnection) -> None:
    base = by_workload(analyse(hand, Scenario(**OCT, candidates={"classify": "gpt-4o-mini"})))["classify"]
    a = by_workload(analyse(hand, Scenario(**OCT, tokenizer_factor=1.25, growth=0.2, batch_share=0.5,
                                           batch_discount=0.5, candidates={"classify": "gpt-4o-mini"})))["classify"]
    cur, k = base["current_cost"], base["candidate_cost"]
    assert a["candidate_cost"] == pytest.approx(1.25 * k, rel=1e-9)
    assert a["current_cost"] == pytest.approx(1.2 * cur, rel=1e-9)
    proj = (0.2 * 1.2 * cur + 0.8 * 1.25 * k * 1.2) * (1 - 0.5 * 0.5)
    assert a["projected_cost"] == pytest.approx(proj, rel=1e-9)
    assert a["savings"] == pytest.approx(1.2 * cur - proj, rel=1e-9)


def test_cheapest_candidate_fits_policy(hand: duckdb.DuckDBPyConnection) -> None:
    a = by_workload(analyse(hand, Scenario(**OCT)))["classify"]
    chosen = a["candidate_model"]
    assert a["candidate_cost"] < a["current_cost"]
    # no other priced model in the table that the policy allows is cheaper for this token mix
    for row in model_rows():
        if row["model"] in (chosen, "gpt-4o") or row["context_window"] and row["context_window"] < 1020:
            continue
        if model_price(row["model"], row["provider"] or None) is None:
            continue
        assert 10 * cost(row["model"], row["provider"] or None, 1000, 20) >= a["candidate_cost"] - 1e-12, row["model"]
    same = by_workload(analyse(hand, Scenario(**OCT, policy=Policy.parse("same_provider"))))["classify"]
    assert [r for r in model_rows() if r["model"] == same["candidate_model"]][0]["provider"] == "openai"
    excluded = by_workload(analyse(hand, Scenario(**OCT, policy=Policy.parse(f"exclude={chosen}"))))["classify"]
    assert excluded["candidate_model"] not in (chosen, None)
    frontier = by_workload(analyse(hand, Scenario(**OCT, policy=Policy.parse("min_tier=frontier; providers=openai"))))
    assert all(r["candidate_tier"] in (None, "frontier") for r in frontier.values())


def test_thesis_and_hybrid_follow_the_definitions(hand: duckdb.DuckDBPyConnection) -> None:
    a = analyse(hand, Scenario(**OCT, candidates={"classify": "gpt-4o-mini"}, move_threshold=0.75))
    rows = a.workloads.to_dicts()
    total = sum(r["current_cost"] for r in rows)
    for x, tag in ((0.9, "90"), (0.99, "99")):
        want = sum(r["current_cost"] * r["eligible_share"] for r in rows if r["cost_ratio"] <= 1 - x) / total
        assert a.thesis[f"share_spend_movable_{tag}"] == pytest.approx(want)
        n = sum(1 for r in rows if r["cost_ratio"] <= 1 - x and r["eligible_share"] >= 0.75)
        assert a.thesis[f"share_workloads_movable_{tag}"] == pytest.approx(n / 2)
    assert a.thesis["verdict"].startswith("The 80/20 thesis does not hold for your data: ")
    # hybrid: summarize (0.4 < 0.75) stays, classify (0.8) moves whole
    h = a.hybrid
    assert (h["stay_on_current"], h["move"]) == (["summarize"], ["classify"])
    w = by_workload(a)
    hybrid = w["summarize"]["current_cost"] + w["classify"]["candidate_cost"]
    assert h["hybrid_cost"] == pytest.approx(hybrid)
    assert h["cost_multiple"] == pytest.approx(total / hybrid)
    assert h["summary"] == f"{total / hybrid:.1f}x cheaper"
    assert h["quality_evidence"][0]["basis"] == "prior"


def test_evidence_mode_on_alpacaeval(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    ingest.ingest_file(store, alpaca_request_log(tmp_path / "alpaca.csv"))
    ingest.ingest_file(store, ALPACA_PREFS)
    direct = alpaca_direct_shares()
    a = analyse(store, Scenario(**OCT, policy=Policy.parse("providers=openai")))
    assert a.workloads.height == 5
    raw_of = dict(store.execute("SELECT DISTINCT candidate_model, candidate_model_raw FROM evals").fetchall())
    for r in a.workloads.to_dicts():
        assert r["basis"] == "evidence", r
        raw = raw_of[r["candidate_model"]]  # any evaluated OpenAI model the catalog prices may be chosen
        ok, n = direct[(r["workload"], raw)]
        assert (r["eligible_count"], r["evaluated"]) == (ok, n)
        assert r["eligible_share"] == pytest.approx(ok / n)
        assert r["candidate_cost"] < r["current_cost"]
    q = {r["workload"]: r for r in a.quality.to_dicts()}
    assert set(q) == {*a.workloads["workload"], "(all workloads)"}
    pooled = q["(all workloads)"]
    assert pooled["evaluated"] == 805 and pooled["quality_strong"] == 1.5
    assert 0 <= pooled["cpt_50"] <= pooled["cpt_80"] <= 1 and 0.5 <= pooled["apgr"] <= 1.5


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["gpt-4o", "claude-sonnet-4-5", "gpt-5", "claude-opus-4-1", "gpt-4o-mini"]),
                          st.sampled_from(["a", "b", "c"]), st.integers(1, 50_000), st.integers(0, 4_000),
                          st.integers(0, 100)), min_size=1, max_size=12),
       st.floats(0, 1), st.floats(0.5, 2.0))
def test_candidates_never_dearer_and_savings_bounded(tmp_path_factory: pytest.TempPathFactory, reqs: list,
                                                     escalation: float, tf: float) -> None:
    path = tmp_path_factory.mktemp("prop") / "log.csv"
    rows = [{"request_id": f"q{i}", "ts": f"2026-10-{i % 28 + 1:02d}T00:00:00Z", "model": m, "feature": f,
             "input_tokens": inp, "cache_read_tokens": inp * pct // 100, "output_tokens": out}
            for i, (m, f, inp, out, pct) in enumerate(reqs)]
    con = ingest.connect(":memory:")
    assert ingest.ingest_file(con, write_log(path, rows)).status == "loaded"
    a = analyse(con, Scenario(escalation=escalation, tokenizer_factor=tf))
    for r in a.workloads.to_dicts():
        if r["current_cost"] is None:
            continue
        assert -1e-9 <= r["savings_low"] and r["savings_high"] <= r["current_cost"] + 1e-9
        assert r["savings_low"] <= r["savings"] + 1e-12 <= r["savings_high"] + 2e-12
        if r["candidate_model"]:
            assert r["candidate_cost"] < r["current_cost"]
    assert a.totals["savings"] <= a.totals["current_cost"] + 1e-9


def test_cached_scan_answers_every_what_if_like_a_fresh_analysis(hand: duckdb.DuckDBPyConnection) -> None:
    """The dashboard scans the requests once per period (``scan``) and reruns only the arithmetic
    when a what-if knob moves: each knob on shared facts gives exactly the fresh analysis."""
    from queries.rightsizing import scan

    base = Scenario(**OCT)
    facts = scan(hand, base)
    knobs = [{}, {"escalation": 0.2}, {"tokenizer_factor": 1.3}, {"growth": 0.5}, {"move_threshold": 0.6},
             {"batch_share": 0.5}, {"policy": Policy.parse("same_provider")}, {"candidates": {"classify": "gpt-4o-mini"}}]
    for knob in knobs:
        sc = Scenario(**OCT, **knob)
        cached, fresh = analyse(hand, sc, facts), analyse(hand, sc)
        assert cached.workloads.equals(fresh.workloads), knob
        assert cached.totals == fresh.totals and cached.thesis == fresh.thesis, knob
    assert analyse(hand, base, facts).totals["savings"] > 0
    with pytest.raises(Exception, match="cannot answer"):
        analyse(hand, Scenario(**OCT, tolerance=0.05), facts)   # tolerance changes the evidence: rescan
