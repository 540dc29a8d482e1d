"""Every rightsizing formula against a small case computed by hand (docs/methodology.md)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from queries import formulas as F


def test_wilson_interval_by_hand() -> None:
    # 8 of 10: p = 0.8, z² = 3.8415; centre = (0.8 + 0.19207) / 1.38415 = 0.71673,
    # half = 1.96·sqrt(0.016 + 0.0096037) / 1.38415 = 0.22658
    lo, hi = F.wilson_interval(8, 10)
    assert (round(lo, 4), round(hi, 4)) == (0.4902, 0.9433)
    # 0 of 10: the interval still has width (upper = z²/(n + z²) = 3.8415/13.8415)
    lo, hi = F.wilson_interval(0, 10)
    assert lo == 0.0 and round(hi, 4) == 0.2775
    lo, hi = F.wilson_interval(10, 10)
    assert round(lo, 4) == 0.7225 and hi == pytest.approx(1.0)
    assert F.wilson_interval(0, 0) == (0.0, 1.0)
    with pytest.raises(ValueError):
        F.wilson_interval(11, 10)


def test_eligibility_of_one_request() -> None:
    assert F.is_eligible(7.0, 8.0, None) is False
    assert F.is_eligible(7.0, 8.0, None, tolerance=1.0) is True
    assert F.is_eligible(8.0, 8.0, None) is True
    assert F.is_eligible(None, None, True) is True
    assert F.is_eligible(9.0, 1.0, False) is False       # an explicit pass flag wins over scores
    assert F.is_eligible(None, 8.0, None) is None


def test_eligible_share_from_rows() -> None:
    # scores (baseline, candidate): (8,8) (9,7) (7,6.5) (6,9): eligible at tolerance 0 → 2 of 4;
    # at tolerance 0.5 → 3 of 4
    rows = [(8, 8), (9, 7), (7, 6.5), (6, 9)]
    assert sum(bool(F.is_eligible(c, b, None)) for b, c in rows) == 2
    assert sum(bool(F.is_eligible(c, b, None, 0.5)) for b, c in rows) == 3


def test_savings_with_escalation_by_hand() -> None:
    # C = 100, K = 5, 80% eligible, 10% of moved requests escalate (cheap attempt + strong retry):
    # moved cost = 5 + 0.1·100 = 15; projected = 0.2·100 + 0.8·15 = 32; savings = 68
    assert F.projected_cost(100, 5, 0.8, 0.1) == pytest.approx(32.0)
    assert F.savings(100, 5, 0.8, 0.1) == pytest.approx(68.0)
    # low/base/high: the eligible interval (0.6, 0.8, 0.9) gives savings 51, 68, 76.5
    assert [round(F.savings(100, 5, e, 0.1), 6) for e in (0.6, 0.8, 0.9)] == [51.0, 68.0, 76.5]
    # escalation that makes moving dearer than staying: nothing moves
    assert F.projected_cost(100, 60, 0.8, 0.5) == 100
    assert F.savings(100, 60, 0.8, 0.5) == 0


def test_tokenizer_factor_by_hand() -> None:
    # the cheap model counts 20% more tokens: K 5 → 6; moved = 6 + 10 = 16; projected = 20 + 12.8
    k = F.tokenizer_adjusted(5.0, 1.2)
    assert k == pytest.approx(6.0)
    assert F.projected_cost(100, k, 0.8, 0.1) == pytest.approx(32.8)
    with pytest.raises(ValueError):
        F.tokenizer_adjusted(5.0, 0)


ROWS = [
    F.ThesisRow(current_cost=60, requests=100, ratio=0.005, eligible=0.95, eligible_low=0.9, eligible_high=0.99),
    F.ThesisRow(current_cost=30, requests=300, ratio=0.05, eligible=0.5, eligible_low=0.3, eligible_high=0.7),
    F.ThesisRow(current_cost=10, requests=600, ratio=None, eligible=0.0, eligible_low=0.0, eligible_high=0.0),
]


def test_thesis_shares_by_hand() -> None:
    # 99%: only A (ratio 0.005 ≤ 0.01): spend 60·0.95/100; requests 100·0.95/1000
    assert F.share_spend_movable(ROWS, 0.99) == pytest.approx(0.57)
    assert F.share_spend_movable(ROWS, 0.99, "low") == pytest.approx(0.54)
    assert F.share_spend_movable(ROWS, 0.99, "high") == pytest.approx(0.594)
    assert F.share_requests_movable(ROWS, 0.99) == pytest.approx(0.095)
    # 90%: A and B (0.05 ≤ 0.10): (57 + 15)/100; requests (95 + 150)/1000
    assert F.share_spend_movable(ROWS, 0.90) == pytest.approx(0.72)
    assert F.share_requests_movable(ROWS, 0.90) == pytest.approx(0.245)
    # workloads: ratio in range AND eligible ≥ threshold: only A at 0.9; A and B at threshold 0.5
    assert F.share_workloads_movable(ROWS, 0.99) == pytest.approx(1 / 3)
    assert F.share_workloads_movable(ROWS, 0.90) == pytest.approx(1 / 3)
    assert F.share_workloads_movable(ROWS, 0.90, threshold=0.5) == pytest.approx(2 / 3)
    assert F.share_workloads_movable(ROWS, 0.99, which="low") == pytest.approx(1 / 3)
    # a candidate at exactly 1% of the current cost is 99% cheaper
    edge = [F.ThesisRow(100, 1, 0.01, 1.0)]
    assert F.share_workloads_movable(edge, 0.99) == 1.0
    assert F.cost_ratio(200, 3) == 0.015 and F.cost_ratio(0, 3) is None


def test_pgr_cpt_apgr_by_hand() -> None:
    # strong always 1; weak fails requests 2 and 4. q_strong = 1, q_weak = 0.5.
    # oracle keeps the failing ones on strong first: f = 0, .25, .5, .75, 1 → quality .5, .75, 1, 1, 1
    c = F.oracle_curve([1, 1, 1, 1], [1, 0, 1, 0], points=5)
    assert c.quality == [0.5, 0.75, 1.0, 1.0, 1.0]
    assert c.pgr == [0.0, 0.5, 1.0, 1.0, 1.0]
    assert F.cpt(c, 0.5) == pytest.approx(0.25)
    assert F.cpt(c, 0.8) == pytest.approx(0.4)           # 0.25 + (0.8 − 0.5)·0.25/0.5
    assert F.apgr(c) == pytest.approx(0.75)              # 0.25·(0.25 + 0.75 + 1 + 1)
    # no gap: PGR is 1 everywhere and CPT(50%) is 0
    flat = F.oracle_curve([1, 1], [1, 1], points=3)
    assert flat.pgr == [1.0, 1.0, 1.0] and F.cpt(flat, 0.5) == 0.0
    # a weak model that is never good enough: PGR is linear, APGR 0.5 (a random router's)
    lin = F.oracle_curve([1] * 10, [0] * 10, points=11)
    assert F.apgr(lin) == pytest.approx(0.5) and F.cpt(lin, 0.8) == pytest.approx(0.8)


def test_cost_multiple() -> None:
    assert F.cost_multiple(310, 100) == pytest.approx(3.1)
    assert F.cost_multiple(100, 0) is None


money = st.floats(min_value=0, max_value=1e7, allow_nan=False, allow_infinity=False)
share = st.floats(min_value=0, max_value=1, allow_nan=False)


@given(current=money, candidate=money, e=share, r=share, tf=st.floats(min_value=0.5, max_value=3))
def test_savings_never_exceed_current_cost(current: float, candidate: float, e: float, r: float, tf: float) -> None:
    k = F.tokenizer_adjusted(candidate, tf)
    s = F.savings(current, k, e, r)
    p = F.projected_cost(current, k, e, r)
    assert -1e-6 <= s <= current + 1e-6
    assert p <= current + 1e-6 and p >= -1e-6
    assert math.isclose(s + p, current, rel_tol=1e-9, abs_tol=1e-6)


@given(current=money, candidate=money, lo=share, hi=share, r=share)
def test_savings_grow_with_eligible_share(current: float, candidate: float, lo: float, hi: float, r: float) -> None:
    lo, hi = min(lo, hi), max(lo, hi)
    assert F.savings(current, candidate, lo, r) <= F.savings(current, candidate, hi, r) + 1e-6


@given(k=st.integers(min_value=0, max_value=500), extra=st.integers(min_value=0, max_value=500))
def test_wilson_contains_the_share(k: int, extra: int) -> None:
    n = k + extra
    lo, hi = F.wilson_interval(k, n)
    if n:
        assert lo - 1e-12 <= k / n <= hi + 1e-12
    assert 0 <= lo <= hi <= 1
