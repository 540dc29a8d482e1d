"""The prior: what to assume about a workload's eligible share when no evaluation says anything.

Every rule is visible (``prior_rules()`` returns them as a table for the dashboard and the JSON),
applies to the workload profile only, and carries a deliberately wide interval. The first rule
that matches wins. The shares are anchored on published results (../shared/research/ROUTING.md),
named in each rule's ``why``; they are a starting point to replace with evidence, never a finding.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl


@dataclass(frozen=True)
class PriorRule:
    name: str
    condition: str                                  # the test, in words (shown to the user)
    test: Callable[[Mapping[str, Any]], bool]
    share: float                                    # base eligible share
    low: float
    high: float
    why: str


def _v(p: Mapping[str, Any], key: str, default: float = 0.0) -> float:
    value = p.get(key)
    return default if value is None else float(value)


PRIOR_RULES: list[PriorRule] = [
    PriorRule(
        "reasoning-heavy", "reasoning tokens ≥ 30% of output tokens",
        lambda p: _v(p, "reasoning_share") >= 0.30, 0.10, 0.0, 0.30,
        "Long hidden reasoning marks hard tasks: keep on the frontier model. RouteLLM's best router "
        "on MMLU/GSM8K still needs 35% strong calls for half the quality gap (ROUTING.md §1.1)."),
    PriorRule(
        "tool-heavy", "half or more of the requests offer tools",
        lambda p: _v(p, "tool_share") >= 0.5, 0.20, 0.0, 0.50,
        "Multi-step tool use compounds small-model errors: keep on the frontier model unless an "
        "eval says otherwise."),
    PriorRule(
        "extraction-like", "output p95 ≤ 300 tokens and output:input ≤ 0.2",
        lambda p: _v(p, "output_p95", 1e9) <= 300 and _v(p, "output_input_ratio", 1e9) <= 0.2,
        0.80, 0.50, 0.95,
        "Short answers to long inputs look like extraction/classification, where cheap models match "
        "frontier accuracy at 1–3% of the cost (FrugalGPT 2024 re-run: HEADLINES, OVERRULING; "
        "ROUTING.md §1.3)."),
    PriorRule(
        "long-generation", "output p50 ≥ 1,000 tokens",
        lambda p: _v(p, "output_p50") >= 1000, 0.15, 0.0, 0.40,
        "Long open-ended answers are where judges prefer frontier models: on AlpacaEval 2.0 cheap "
        "models are judged at least as good as GPT-4-Turbo on only 6–15% of prompts (ROUTING.md §2.2)."),
    PriorRule(
        "short-generation", "output p95 ≤ 800 tokens",
        lambda p: _v(p, "output_p95", 1e9) <= 800, 0.50, 0.20, 0.80,
        "Short chat answers: RouteLLM routes 87% of MT-Bench away from GPT-4 at 95% of its quality, "
        "but AlpacaEval's judge is far stricter; the interval spans both (ROUTING.md §1.1, §2.2)."),
    PriorRule(
        "default", "any other workload",
        lambda p: True, 0.30, 0.05, 0.60,
        "No signal in the profile: a wide interval around RouteLLM's and AlpacaEval's middle ground."),
]


def prior_for(profile: Mapping[str, Any], rules: list[PriorRule] | None = None) -> PriorRule:
    """The first rule whose condition the workload profile meets (the last rule always matches)."""
    for rule in rules or PRIOR_RULES:
        if rule.test(profile):
            return rule
    raise ValueError("the prior rules must end with a rule that always matches")


def prior_rules() -> pl.DataFrame:
    """The rule set as a table: order, name, condition, share, interval and why."""
    return pl.DataFrame([{"order": i + 1, "rule": r.name, "condition": r.condition, "eligible_share": r.share,
                          "eligible_low": r.low, "eligible_high": r.high, "why": r.why}
                         for i, r in enumerate(PRIOR_RULES)])
