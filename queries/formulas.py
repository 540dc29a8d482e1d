"""The rightsizing formulas, as small pure functions so finance can audit each one against
docs/methodology.md and tests can check each against a hand computation.

Costs here are floats (token-rate math on catalog prices); billed amounts stay Decimal elsewhere.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

Z95 = 1.959963984540054  # two-sided 95% normal quantile


def wilson_interval(passed: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a binomial share ``passed / n``.

    Better than the normal interval for small n and shares near 0 or 1 (it never leaves [0, 1]).
    With n = 0 nothing is known: (0, 1)."""
    if n <= 0:
        return 0.0, 1.0
    if not 0 <= passed <= n:
        raise ValueError(f"passed={passed} must be within 0..n={n}")
    p = passed / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def is_eligible(candidate_score: float | None, baseline_score: float | None, passed: bool | None,
                tolerance: float = 0.0) -> bool | None:
    """One evaluated request: is the candidate good enough?

    ``passed`` wins when given; otherwise candidate_score >= baseline_score - tolerance.
    None when the row says nothing (no pass flag, a missing score)."""
    if passed is not None:
        return bool(passed)
    if candidate_score is None or baseline_score is None:
        return None
    return candidate_score >= baseline_score - tolerance


def projected_cost(current: float, candidate: float, share: float, escalation: float = 0.0) -> float:
    """Cost after moving ``share`` of a workload's requests to the candidate.

    ``current`` is the workload's cost on its current model, ``candidate`` the candidate's cost for
    the same requests (tokenizer factor already applied). Of the moved requests a fraction
    ``escalation`` fails and is retried on the current model, so both are paid:
        moved cost = candidate + escalation * current (per unit of moved share)
        projected  = (1 - share) * current + share * moved cost
    If moving does not pay (moved cost >= current) nothing moves and projected = current."""
    if not 0 <= share <= 1:
        raise ValueError(f"share {share} must be within 0..1")
    moved = candidate + escalation * current
    if moved >= current:
        return current
    return (1 - share) * current + share * moved


def savings(current: float, candidate: float, share: float, escalation: float = 0.0) -> float:
    """current - projected_cost(...): share * (current - candidate - escalation * current), floored at 0."""
    return current - projected_cost(current, candidate, share, escalation)


def tokenizer_adjusted(candidate_cost: float, factor: float) -> float:
    """The candidate's cost when its tokenizer counts ``factor`` times the tokens for the same text
    (1.0 = same tokenizer; e.g. 1.2 = 20% more tokens, so 20% more cost)."""
    if factor <= 0:
        raise ValueError("tokenizer factor must be positive")
    return candidate_cost * factor


def cost_ratio(current: float, candidate: float) -> float | None:
    """ratio_w = candidate cost for the workload's own token mix / current cost (None if current is 0)."""
    return candidate / current if current > 0 else None


@dataclass(frozen=True)
class ThesisRow:
    """What the thesis metrics need per workload."""

    current_cost: float
    requests: int
    ratio: float | None          # ratio_w; None = no cheaper candidate
    eligible: float              # eligible_share_w (base)
    eligible_low: float = 0.0
    eligible_high: float = 1.0


def share_spend_movable(rows: Sequence[ThesisRow], x: float, which: str = "base") -> float:
    """share_spend_movable_X = Σ current_cost_w · eligible_share_w over workloads with
    ratio_w ≤ 1 − X, divided by Σ current_cost_w. ``which`` picks base/low/high eligible shares."""
    total = sum(r.current_cost for r in rows)
    if total <= 0:
        return 0.0
    moved = sum(r.current_cost * _pick(r, which) for r in rows if _movable_price(r, x))
    return moved / total


def share_requests_movable(rows: Sequence[ThesisRow], x: float, which: str = "base") -> float:
    """As share_spend_movable_X, weighted by requests instead of cost."""
    total = sum(r.requests for r in rows)
    if total <= 0:
        return 0.0
    return sum(r.requests * _pick(r, which) for r in rows if _movable_price(r, x)) / total


def share_workloads_movable(rows: Sequence[ThesisRow], x: float, threshold: float = 0.9,
                            which: str = "base") -> float:
    """share_workloads_movable_X = fraction of workloads with ratio_w ≤ 1 − X and
    eligible_share_w ≥ threshold (the move threshold, default 0.9)."""
    if not rows:
        return 0.0
    return sum(1 for r in rows if _movable_price(r, x) and _pick(r, which) >= threshold) / len(rows)


def _movable_price(r: ThesisRow, x: float) -> bool:
    # 1e-12 absorbs float noise: a candidate priced exactly 1% of current is "99% cheaper".
    return r.ratio is not None and r.ratio <= 1 - x + 1e-12


def _pick(r: ThesisRow, which: str) -> float:
    return {"base": r.eligible, "low": r.eligible_low, "high": r.eligible_high}[which]


# -- quality-cost curve (RouteLLM's metrics) -------------------------------------------------------

@dataclass(frozen=True)
class Curve:
    """Quality vs share of requests kept on the strong model, for an oracle router."""

    strong_share: list[float]
    quality: list[float]
    pgr: list[float]
    quality_strong: float
    quality_weak: float


def oracle_curve(strong: Sequence[float], weak: Sequence[float], points: int = 11) -> Curve:
    """The best possible router on paired per-request scores: to keep a share f on the strong
    model, keep the ⌈f·n⌉ requests where strong − weak is largest. quality(f) is the mean score
    served; PGR(f) = (quality(f) − q_weak) / (q_strong − q_weak). With no gap (q_strong = q_weak)
    PGR is 1 everywhere (nothing to recover).

    An oracle is an upper bound: a real router (or a prior) does no better."""
    if len(strong) != len(weak) or not strong:
        raise ValueError("strong and weak need the same, non-zero number of scores")
    n = len(strong)
    gaps = sorted(range(n), key=lambda i: strong[i] - weak[i], reverse=True)
    q_s, q_w = sum(strong) / n, sum(weak) / n
    shares = [i / (points - 1) for i in range(points)]
    quality, pgr = [], []
    for f in shares:
        k = math.ceil(f * n - 1e-9)
        keep = set(gaps[:k])
        q = sum(strong[i] if i in keep else weak[i] for i in range(n)) / n
        quality.append(q)
        pgr.append(1.0 if q_s == q_w else (q - q_w) / (q_s - q_w))
    return Curve(shares, quality, pgr, q_s, q_w)


def cpt(curve: Curve, target: float) -> float | None:
    """CPT(x): the smallest strong-call share whose PGR reaches ``target`` (0.5 for CPT(50%)),
    interpolating linearly between curve points as RouteLLM does. None if never reached."""
    xs, ys = curve.strong_share, curve.pgr
    if ys[0] >= target:
        return xs[0]
    for i in range(1, len(xs)):
        if ys[i] >= target:
            y0, y1 = ys[i - 1], ys[i]
            return xs[i] if y1 == y0 else xs[i - 1] + (target - y0) * (xs[i] - xs[i - 1]) / (y1 - y0)
    return None


def apgr(curve: Curve) -> float:
    """APGR: the area under PGR vs strong-call share (trapezoid rule); a random router scores 0.5."""
    xs, ys = curve.strong_share, curve.pgr
    return sum((xs[i] - xs[i - 1]) * (ys[i] + ys[i - 1]) / 2 for i in range(1, len(xs)))


def cost_multiple(current: float, projected: float) -> float | None:
    """How many times cheaper: current / projected ("3.1x cheaper"); None if projected is 0."""
    return current / projected if projected > 0 else None
