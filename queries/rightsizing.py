"""Rightsizing: per workload, could a cheaper model serve it, which one, what would it save, how
sure are we and on what evidence; then the "80% of workloads on 99% cheaper models" thesis test.

``analyse(con, Scenario(...))`` does it all and returns an ``Analysis`` the CLI prints as JSON and
the dashboard renders. Every formula is a function in ``queries.formulas`` and is written out in
docs/methodology.md. Special cases:

- A workload whose requests are unpriced (model unknown to the catalog) gets no projection: its
  costs are NULL and it is listed with ``basis`` "prior" and reason "unpriced", never as $0.
- A candidate must be cheaper than the current cost for the workload's own token mix (tokenizer
  factor included); if none is, the workload stays (candidate NULL, savings 0).
- Evidence wins over the cheapest-candidate choice: if evals cover candidates on a workload (and
  the policy allows them), the one with the highest expected savings is assessed and its evidence
  decides the eligible share.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import duckdb
import polars as pl

from ingest import settings
from ingest.errors import QueryError
from queries import formulas as F
from queries import load_sql, run, run_named
from queries.model_table import Policy, model_table, rates_for
from queries.priors import prior_for, prior_rules
from queries.workloads import Day, fragments, period_params, profile_facts

REDUCTION_GRID = [0.0, 0.5, 0.75, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999]
DAYS_PER_MONTH = 30.4375


@dataclass
class Scenario:
    """The knobs of a savings run (the dashboard's what-if controls and the CLI options)."""

    start: Day = None
    end: Day = None
    key: str = "auto"
    policy: Policy = field(default_factory=Policy)
    tolerance: float = 0.0            # a candidate within this many score points of the baseline passes
    escalation: float = 0.0           # share of moved requests retried on the current model (both paid)
    tokenizer_factor: float = 1.0     # candidate tokens per current-model token for the same text
    growth: float = 0.0               # traffic growth applied to current and projected cost (0.2 = +20%)
    cache_hit_target: float | None = None   # share of input tokens read from cache in the projection
    batch_share: float = 0.0          # share of projected spend run through a batch API
    batch_discount: float | None = None     # default: the batch_discount setting (0.5)
    move_threshold: float = 0.9       # eligible share a workload needs to count as movable (thesis, hybrid)
    candidates: dict[str, str] = field(default_factory=dict)   # workload -> model the user chose

    def check(self) -> None:
        for name in ("tolerance", "escalation", "batch_share", "move_threshold"):
            v = getattr(self, name)
            if not (0 <= v <= 1 or (name == "tolerance" and v >= 0)):
                raise QueryError(f"{name} must be between 0 and 1 (got {v})")
        if self.tokenizer_factor <= 0:
            raise QueryError("tokenizer factor must be positive")
        if self.growth <= -1:
            raise QueryError("growth must be above -1 (-100%)")
        if self.cache_hit_target is not None and not 0 <= self.cache_hit_target <= 1:
            raise QueryError("cache-hit target must be between 0 and 1")

    def as_dict(self) -> dict[str, Any]:
        return {"start": str(self.start) if self.start else None, "end": str(self.end) if self.end else None,
                "workload_key": self.key, "policy": self.policy.describe(), "tolerance": self.tolerance,
                "escalation": self.escalation, "tokenizer_factor": self.tokenizer_factor,
                "growth": self.growth, "cache_hit_target": self.cache_hit_target,
                "batch_share": self.batch_share, "batch_discount": self._batch_discount(),
                "move_threshold": self.move_threshold, "candidates": dict(self.candidates)}

    def _batch_discount(self) -> float:
        return float(self.batch_discount if self.batch_discount is not None else settings.get("batch_discount"))


@dataclass
class Analysis:
    scenario: Scenario
    workloads: pl.DataFrame
    totals: dict[str, Any]
    thesis: dict[str, Any]
    curve: pl.DataFrame          # share movable vs price reduction
    quality: pl.DataFrame        # PGR / CPT / APGR per workload with score evidence, and overall
    hybrid: dict[str, Any]
    rules: pl.DataFrame          # the prior rules
    catalog_version: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario.as_dict(), "catalog_version": self.catalog_version,
            "workloads": self.workloads.to_dicts(), "totals": self.totals, "thesis": self.thesis,
            "curve": self.curve.to_dicts(), "quality": self.quality.to_dicts(), "hybrid": self.hybrid,
            "prior_rules": self.rules.to_dicts(),
        }


def resolve_period(con: duckdb.DuckDBPyConnection, period: str | None, start: Day = None,
                   end: Day = None) -> tuple[str | None, str | None]:
    """``--period``: ``all``, ``YYYY-MM`` (a calendar month) or ``Nd`` (the last N days of the
    log, ending after its last request); ``--start/--end`` win when given."""
    if start or end or not period or period == "all":
        return (str(start) if start else None, str(end) if end else None)
    if len(period) == 7 and period[4] == "-":
        try:
            first = date(int(period[:4]), int(period[5:]), 1)
        except ValueError as exc:
            raise QueryError(f"period {period!r} is not YYYY-MM") from exc
        nxt = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        return first.isoformat(), nxt.isoformat()
    if period.endswith("d") and period[:-1].isdigit():
        row = con.execute("SELECT max(ts) FROM requests").fetchone()
        last = row[0] if row else None
        if last is None:
            return None, None
        stop = last + timedelta(seconds=1)
        return (stop - timedelta(days=int(period[:-1]))).isoformat(sep=" "), stop.isoformat(sep=" ")
    raise QueryError(f"period {period!r}: use all, YYYY-MM or a number of days like 30d")


def _needs(p: dict[str, Any]) -> dict[str, Any]:
    return {"context": int(p.get("max_total_tokens") or 0),
            "tools": bool(p.get("tool_share") or 0), "json": bool(p.get("structured_share") or 0)}


def _fits(row: dict[str, Any], needs: dict[str, Any]) -> bool:
    """Context and features: a model that lacks a needed feature (False) is out; unknown (None)
    is allowed and the row's ``fit_note`` says so."""
    if row["context_window"] is not None and row["context_window"] < needs["context"]:
        return False
    return not any(needs[f] and row[f] is False for f in ("tools", "json"))


def _with_evaluated(table: pl.DataFrame, evaluated: list[str], raws: dict[str, str]) -> pl.DataFrame:
    """Evaluated candidates missing from the model table join it (tier ``unrated``, capabilities
    unknown, priced by the catalog): evidence names the candidate to assess, whatever the table says."""
    known = set(table["model"].to_list())
    extra = []
    for m in evaluated:
        if not m or m in known:
            continue
        # the canonical id first; else the name as the eval file wrote it (a Bedrock or Vertex id
        # the catalog knows under its cloud), with each cloud as the hint
        rates = rates_for(m) or next((r for name in (raws.get(m) or m,) for hint in (None, "aws", "google", "azure")
                                      if (r := rates_for(name, hint))), None)
        extra.append({"model": m, "provider": (rates or {}).get("price_provider"), "tier": "unrated",
                      "tier_source": "an evaluated candidate not in the model table (add it to rate its tier)",
                      "priced": rates is not None,
                      **{k: v for k, v in (rates or {}).items() if k in table.columns}})
    if not extra:
        return table
    return pl.concat([table, pl.DataFrame(extra, infer_schema_length=None)], how="diagonal_relaxed")


def _register_rates(con: duckdb.DuckDBPyConnection, table: pl.DataFrame, current_models: list[str]) -> pl.DataFrame:
    rows = [{"model": r["model"], **{c: r[c] for c in ("input", "output", "cache_read", "cache_write_5m",
                                                        "cache_write_1h", "long_context_threshold",
                                                        "long_context_input", "long_context_output")}}
            for r in table.filter(pl.col("priced")).to_dicts()]
    known = {r["model"] for r in rows}
    for m in current_models:
        if m and m not in known:
            rates = rates_for(m)
            if rates:
                rows.append({"model": m, **{k: v for k, v in rates.items()
                                            if k not in ("price_source", "price_provider")}})
                known.add(m)
    schema = {"model": pl.String, "input": pl.Float64, "output": pl.Float64, "cache_read": pl.Float64,
              "cache_write_5m": pl.Float64, "cache_write_1h": pl.Float64,
              "long_context_threshold": pl.Int64, "long_context_input": pl.Float64,
              "long_context_output": pl.Float64}
    return pl.DataFrame(rows, schema=schema)


@dataclass(frozen=True)
class Facts:
    """What ``analyse`` reads from the requests and evals: every scan of the request table, for one
    period, workload key, cache-hit target and tolerance. The what-if knobs (policy, escalation,
    tokenizer factor, growth, batch, move threshold, chosen candidates) only do arithmetic on these,
    so the dashboard computes them once and a slider move costs milliseconds, not a scan of 10M
    requests (docs/performance.md)."""

    period: tuple[Any, ...]          # (start, end, key, cache_hit_target, tolerance) they were read for
    params: dict[str, Any]
    profiles: pl.DataFrame
    table: pl.DataFrame
    evidence: pl.DataFrame
    costs: pl.DataFrame
    providers: dict[str, str]
    # Per-prompt eval outcomes behind the quality metrics (``eval_evidence``); None when no workload
    # has evidence. Read here so a what-if does not query the store at all.
    quality_evidence: pl.DataFrame | None = None


def _period(sc: Scenario) -> tuple[Any, ...]:
    return (str(sc.start) if sc.start else None, str(sc.end) if sc.end else None, sc.key, sc.cache_hit_target,
            sc.tolerance)


def scan(con: duckdb.DuckDBPyConnection, scenario: Scenario | None = None) -> Facts:
    """Read everything ``analyse`` needs from the store for this scenario's period, key, cache-hit
    target and tolerance (the other knobs of ``scenario`` are ignored).

    The requests are read twice (sums, then percentiles: ``queries.workloads.profile_facts``); the
    model mix, current providers and candidate costs come from the same per-workload, model,
    provider and long-context-band sums, not from passes of their own (docs/performance.md). The
    bands are split at the thresholds of every model the period's rollup names (read before the
    requests); should the requests hold a model the rollup does not, they are read again with it."""
    sc = scenario or Scenario()
    sc.check()
    params = period_params(sc.start, sc.end, sc.key)
    frag = fragments()
    evidence, quality = _evidence(con, {**params, "tolerance": sc.tolerance}, frag)
    raws = dict(con.execute("SELECT DISTINCT candidate_model, candidate_model_raw FROM evals").fetchall())
    table = _with_evaluated(model_table(), evidence["candidate_model"].unique().to_list(), raws)
    period_models = run_named(con, "period_models", {"start": params["start"], "end": params["end"]})
    edges = sorted(_thresholds(_register_rates(con, table, period_models["model"].to_list())))
    profiles, groups = profile_facts(con, params, edges, sc.cache_hit_target)
    rates = _register_rates(con, table, groups["model"].unique().to_list())
    if not _thresholds(rates) <= set(edges):
        edges = sorted(set(edges) | _thresholds(rates))
        profiles, groups = profile_facts(con, params, edges, sc.cache_hit_target)
    con.register("rs_rates", rates)
    con.register("rs_groups", groups)
    try:
        costs = run_named(con, "candidate_costs", {"edges": edges})
        providers = {r["workload"]: r["provider"] for r in run_named(con, "workload_providers").to_dicts()}
    finally:
        con.unregister("rs_rates")
        con.unregister("rs_groups")
    return Facts(_period(sc), params, profiles, table, evidence, costs, providers, quality)


def _thresholds(rates: pl.DataFrame) -> set[int]:
    return {int(t) for t in rates["long_context_threshold"].to_list() if t is not None}


def analyse(con: duckdb.DuckDBPyConnection, scenario: Scenario | None = None, facts: Facts | None = None) -> Analysis:
    """Run the whole rightsizing analysis for one scenario. ``facts`` (from ``scan`` with the same
    period, key, cache-hit target and tolerance) saves the scans of the requests."""
    sc = scenario or Scenario()
    sc.check()
    if facts is None:
        facts = scan(con, sc)
    elif facts.period != _period(sc):
        raise QueryError(f"facts read for {facts.period} cannot answer a scenario for {_period(sc)}")
    profiles, table, evidence, costs, providers = (facts.profiles, facts.table, facts.evidence, facts.costs,
                                                   facts.providers)
    version = table["catalog_version"][0] if table.height else None

    table_rows = {r["model"]: r for r in table.to_dicts()}
    cost_by: dict[str, dict[str, dict[str, Any]]] = {}
    for r in costs.to_dicts():
        cost_by.setdefault(r["workload"], {})[r["model"]] = r
    ev_by: dict[str, dict[str, dict[str, Any]]] = {}
    for r in evidence.to_dicts():
        ev_by.setdefault(r["workload"], {})[r["candidate_model"]] = r

    out = [_workload(sc, p, table_rows, cost_by.get(p["workload"], {}), ev_by.get(p["workload"], {}),
                     providers.get(p["workload"]))
           for p in profiles.to_dicts()]
    workloads = pl.DataFrame(out, schema=WORKLOAD_SCHEMA) if out else pl.DataFrame(schema=WORKLOAD_SCHEMA)
    totals = _totals(workloads)
    thesis_rows = [F.ThesisRow(r["current_cost"] or 0.0, r["requests"], r["cost_ratio"], r["eligible_share"],
                               r["eligible_low"], r["eligible_high"])
                   for r in out if r["current_cost"]]
    thesis = _thesis(thesis_rows, out, sc.move_threshold)
    curve = _curve(thesis_rows, sc.move_threshold)
    quality = _quality(facts.quality_evidence, out)
    hybrid = _hybrid(out, sc)
    return Analysis(sc, workloads, totals, thesis, curve, quality, hybrid, prior_rules(), version)


def _evidence(con: duckdb.DuckDBPyConnection, params: dict[str, Any],
              frag: dict[str, str]) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """The eval evidence per workload and candidate (eval_summary) and the per-eval rows it is
    summed from (eval_evidence; None when no row matched a workload). The rows are matched once and
    summed over the frame, not matched again. With no evals loaded (the common case) the query is
    not run: the summary has its columns and no rows."""
    if con.execute("SELECT EXISTS (SELECT 1 FROM evals)").fetchall()[0][0]:
        rows = run_named(con, "eval_evidence", params, **frag)
    else:
        rows = run(con, load_sql("eval_evidence").format(**frag) + "\nLIMIT 0", params)
    con.register("rs_evidence", rows)
    try:
        summary = run_named(con, "eval_summary")
    finally:
        con.unregister("rs_evidence")
    return summary, (rows if rows.height else None)


WORKLOAD_SCHEMA = {
    "workload": pl.String, "requests": pl.Int64, "period_days": pl.Float64, "current_model": pl.String,
    "model_mix": pl.String, "current_cost": pl.Float64, "current_cost_per_month": pl.Float64,
    "unpriced_requests": pl.Int64, "candidate_model": pl.String, "candidate_tier": pl.String,
    "candidate_tier_source": pl.String, "candidate_cost": pl.Float64, "cost_ratio": pl.Float64,
    "price_reduction": pl.Float64, "eligible_share": pl.Float64, "eligible_low": pl.Float64,
    "eligible_high": pl.Float64, "basis": pl.String, "basis_detail": pl.String, "evaluated": pl.Int64,
    "eligible_count": pl.Int64, "prior_rule": pl.String, "projected_cost": pl.Float64,
    "projected_low": pl.Float64, "projected_high": pl.Float64, "savings": pl.Float64,
    "savings_low": pl.Float64, "savings_high": pl.Float64, "savings_per_month": pl.Float64,
    "fit_note": pl.String, "reason": pl.String,
}


def _workload(sc: Scenario, p: dict[str, Any], table: dict[str, dict[str, Any]], costs: dict[str, dict[str, Any]],
              evidence: dict[str, dict[str, Any]], provider: str | None) -> dict[str, Any]:
    current_model = p["current_model"]
    own_base = sum(c["own_cost_base"] or 0.0 for c in costs.values())
    own_cache = sum(c["own_cost_cache"] or 0.0 for c in costs.values())
    current = float(p["cost"]) if p["cost"] is not None else None
    row: dict[str, Any] = {k: None for k in WORKLOAD_SCHEMA}
    row.update(workload=p["workload"], requests=p["requests"], period_days=p["period_days"],
               current_model=current_model, model_mix=p["model_mix"], current_cost=current,
               unpriced_requests=p["unpriced_requests"])
    rule = prior_for(p)
    row.update(basis="prior", prior_rule=rule.name)
    if not current:
        row.update(reason="unpriced: the catalog has no price for this workload's model(s)",
                   basis_detail="no projection for unpriced requests", eligible_share=0.0,
                   eligible_low=0.0, eligible_high=0.0, savings=0.0, savings_low=0.0, savings_high=0.0)
        return row
    months = DAYS_PER_MONTH / p["period_days"] if p["period_days"] else None
    row["current_cost_per_month"] = current * months if months else None

    needs = _needs(p)
    tf = sc.tokenizer_factor

    def cand_cost(model: str) -> float | None:
        c = costs.get(model)
        return None if c is None or c["cost_base"] is None else F.tokenizer_adjusted(c["cost_base"], tf)

    def allowed(model: str) -> bool:
        t = table.get(model)
        return (t is not None and t["priced"] and model != current_model and sc.policy.allows(t, provider)
                and _fits(t, needs))

    choice: str | None = None
    ev: dict[str, Any] | None = None
    if p["workload"] in sc.candidates:
        choice = sc.candidates[p["workload"]]
        if choice not in table or not table[choice]["priced"]:
            raise QueryError(f"candidate {choice!r} for workload {p['workload']!r} is not a priced model "
                             "in the model table")
        ev = evidence.get(choice)
        row["reason"] = "candidate chosen by the user"
    else:
        scored = []
        for model, e in evidence.items():
            k = cand_cost(model)
            if allowed(model) and k is not None and k < current:
                share = e["eligible"] / e["evaluated"]
                scored.append((F.savings(current, k, share, sc.escalation), share, -k, model))
        if scored:
            choice = max(scored)[-1]
            ev = evidence[choice]
            row["reason"] = "the evaluated candidate with the highest expected savings"
        else:
            costed = [(cand_cost(m), m) for m in table if allowed(m)]
            cheap = sorted((k, m) for k, m in costed if k is not None and k < current)
            if cheap:
                choice = cheap[0][1]
                row["reason"] = "the cheapest model that fits the context, features and policy"
    if choice is None:
        row.update(reason="no model in the table is cheaper for this workload under the policy",
                   eligible_share=0.0, eligible_low=0.0, eligible_high=0.0, projected_cost=current,
                   projected_low=current, projected_high=current, savings=0.0, savings_low=0.0,
                   savings_high=0.0, savings_per_month=0.0, basis_detail=f"prior rule {rule.name}")
        return row

    k_or_none = cand_cost(choice)
    if k_or_none is None:
        raise QueryError(f"candidate {choice!r} has no price for workload {p['workload']!r}")
    k = k_or_none
    t = table[choice]
    if ev:
        n, passed = int(ev["evaluated"]), int(ev["eligible"])
        lo, hi = F.wilson_interval(passed, n)
        share = passed / n
        row.update(basis="evidence", evaluated=n, eligible_count=passed, prior_rule=None,
                   basis_detail=f"{passed} of {n} evaluated requests eligible (tolerance {sc.tolerance}); "
                                f"baseline {ev['baseline_models']}; Wilson 95% interval")
    else:
        share, lo, hi = rule.share, rule.low, rule.high
        row["basis_detail"] = f"prior rule {rule.name}: {rule.condition}"
    unknown = [f for f in ("tools", "json") if needs[f] and t[f] is None]
    if t["context_window"] is None:
        unknown.append("context window")
    row["fit_note"] = ("not verified: " + ", ".join(unknown)) if unknown else None

    growth = 1 + sc.growth
    cur_now = current * growth
    cache_adj = own_cache / own_base if sc.cache_hit_target is not None and own_base else 1.0
    stay = cur_now * cache_adj
    k_raw = costs[choice]["cost_cache"] if sc.cache_hit_target is not None else costs[choice]["cost_base"]
    k_scn = F.tokenizer_adjusted(k_raw, tf) * growth
    batch = 1 - sc.batch_share * sc._batch_discount()

    def project(e: float) -> float:
        return F.projected_cost(stay, k_scn, e, sc.escalation) * batch

    proj, proj_lo, proj_hi = project(share), project(lo), project(hi)
    row.update(candidate_model=choice, candidate_tier=t["tier"], candidate_tier_source=t["tier_source"],
               candidate_cost=k, cost_ratio=F.cost_ratio(current, k), price_reduction=1 - k / current,
               eligible_share=share, eligible_low=lo, eligible_high=hi, projected_cost=proj,
               projected_low=proj_lo, projected_high=proj_hi, savings=cur_now - proj,
               savings_low=cur_now - proj_lo, savings_high=cur_now - proj_hi)
    if sc.growth:
        row["current_cost"] = cur_now
    row["savings_per_month"] = row["savings"] * months if months else None
    return row


def _totals(w: pl.DataFrame) -> dict[str, Any]:
    def s(col: str) -> float:
        return float(w[col].fill_null(0).sum()) if w.height else 0.0
    priced = w.filter(pl.col("current_cost").is_not_null()) if w.height else w
    cur = s("current_cost")
    proj = float(priced["projected_cost"].fill_null(0).sum()) if priced.height else 0.0
    return {
        "current_cost": cur, "projected_cost": proj, "savings": s("savings"),
        "savings_low": s("savings_low"), "savings_high": s("savings_high"),
        "savings_share": s("savings") / cur if cur else 0.0,
        "cost_multiple": F.cost_multiple(cur, proj),
        "workloads": w.height, "requests": int(s("requests")),
        "unpriced_requests": int(s("unpriced_requests")),
        "basis": {"evidence": int((w["basis"] == "evidence").sum()) if w.height else 0,
                  "prior": int((w["basis"] == "prior").sum()) if w.height else 0},
        "currency": "USD",
    }


def _thesis(rows: list[F.ThesisRow], out: list[dict[str, Any]], threshold: float) -> dict[str, Any]:
    t: dict[str, Any] = {"move_threshold": threshold}
    for x, tag in ((0.90, "90"), (0.99, "99")):
        t[f"share_spend_movable_{tag}"] = F.share_spend_movable(rows, x)
        t[f"share_spend_movable_{tag}_low"] = F.share_spend_movable(rows, x, "low")
        t[f"share_spend_movable_{tag}_high"] = F.share_spend_movable(rows, x, "high")
        t[f"share_requests_movable_{tag}"] = F.share_requests_movable(rows, x)
        t[f"share_requests_movable_{tag}_low"] = F.share_requests_movable(rows, x, "low")
        t[f"share_requests_movable_{tag}_high"] = F.share_requests_movable(rows, x, "high")
        t[f"share_workloads_movable_{tag}"] = F.share_workloads_movable(rows, x, threshold)
        t[f"share_workloads_movable_{tag}_low"] = F.share_workloads_movable(rows, x, threshold, "low")
        t[f"share_workloads_movable_{tag}_high"] = F.share_workloads_movable(rows, x, threshold, "high")
    priced = [r for r in out if r["current_cost"]]
    cheap99 = sum(1 for r in rows if r.ratio is not None and r.ratio <= 0.01 + 1e-12)
    eligible = sum(1 for r in rows if r.eligible >= threshold)
    evidence = sum(1 for r in priced if r["basis"] == "evidence")
    best = max((r["price_reduction"] for r in priced if r["price_reduction"] is not None), default=None)
    t["basis"] = {"evidence": evidence, "prior": len(priced) - evidence}
    holds = t["share_workloads_movable_99"] >= 0.8
    n = len(rows)
    if n == 0:
        t["verdict"] = "cannot test: no priced workloads in the period"
        t["holds"] = None
        return t
    why = (f"{t['share_workloads_movable_99']:.0%} of {n} workloads can move to a model ≥99% cheaper with "
           f"≥{threshold:.0%} of requests eligible (needed: 80%); {cheap99} have a candidate ≥99% cheaper "
           f"for their own token mix (the best price reduction found is "
           f"{best:.1%})" if best is not None else "no cheaper candidate found")
    why += (f", and {eligible} reach the {threshold:.0%} eligible-share threshold. By spend, "
            f"{t['share_spend_movable_99']:.0%} could move to ≥99% cheaper models and "
            f"{t['share_spend_movable_90']:.0%} to ≥90% cheaper ones.")
    if evidence < n:
        why += f" {n - evidence} of {n} workloads rest on the prior, not on evidence."
    t["holds"] = holds
    t["verdict"] = ("The 80/20 thesis holds for your data: " if holds
                    else "The 80/20 thesis does not hold for your data: ") + why
    return t


def _curve(rows: list[F.ThesisRow], threshold: float) -> pl.DataFrame:
    return pl.DataFrame([{
        "price_reduction": x,
        "share_spend_movable": F.share_spend_movable(rows, x),
        "share_spend_movable_low": F.share_spend_movable(rows, x, "low"),
        "share_spend_movable_high": F.share_spend_movable(rows, x, "high"),
        "share_requests_movable": F.share_requests_movable(rows, x),
        "share_workloads_movable": F.share_workloads_movable(rows, x, threshold),
    } for x in REDUCTION_GRID])


def _quality(ev: pl.DataFrame | None, out: list[dict[str, Any]]) -> pl.DataFrame:
    """RouteLLM's metrics on the evidence for each workload's chosen candidate, and pooled."""
    chosen = {r["workload"]: r["candidate_model"] for r in out if r["basis"] == "evidence"}
    schema = {"workload": pl.String, "candidate_model": pl.String, "evaluated": pl.Int64,
              "quality_strong": pl.Float64, "quality_weak": pl.Float64, "pgr_all_weak": pl.Float64,
              "cpt_50": pl.Float64, "cpt_80": pl.Float64, "apgr": pl.Float64, "router": pl.String}
    if not chosen or ev is None:
        return pl.DataFrame(schema=schema)
    pooled_s: list[float] = []
    pooled_w: list[float] = []
    rows = []
    for workload, model in sorted(chosen.items()):
        sel = ev.filter((pl.col("workload") == workload) & (pl.col("candidate_model") == model))
        strong, weak = _scores(sel)
        if not strong:
            continue
        pooled_s += strong
        pooled_w += weak
        rows.append(_metrics(workload, model, strong, weak))
    if pooled_s:
        rows.append(_metrics("(all workloads)", None, pooled_s, pooled_w))
    return pl.DataFrame(rows, schema=schema)


def _scores(sel: pl.DataFrame) -> tuple[list[float], list[float]]:
    strong, weak = [], []
    for r in sel.to_dicts():
        if r["passed"] is not None and r["candidate_score"] is None:
            strong.append(1.0)
            weak.append(1.0 if r["passed"] else 0.0)
        elif r["candidate_score"] is not None and r["baseline_score"] is not None:
            strong.append(float(r["baseline_score"]))
            weak.append(float(r["candidate_score"]))
    return strong, weak


def _metrics(workload: str, model: str | None, strong: list[float], weak: list[float]) -> dict[str, Any]:
    c = F.oracle_curve(strong, weak)
    return {"workload": workload, "candidate_model": model, "evaluated": len(strong),
            "quality_strong": c.quality_strong, "quality_weak": c.quality_weak, "pgr_all_weak": c.pgr[0],
            "cpt_50": F.cpt(c, 0.5), "cpt_80": F.cpt(c, 0.8), "apgr": F.apgr(c), "router": "oracle"}


def _hybrid(out: list[dict[str, Any]], sc: Scenario) -> dict[str, Any]:
    """Hardest workloads stay on their current model, the rest move whole to their candidate
    (paying the escalation rate on the current model). Hardest = no cheaper candidate, or an
    eligible share below the move threshold."""
    priced = [r for r in out if r["current_cost"]]
    move = [r for r in priced if r["candidate_model"] and r["eligible_share"] >= sc.move_threshold]
    stay = [r for r in priced if r not in move]
    current = sum(r["current_cost"] for r in priced)
    moved_cost = sum(r["candidate_cost"] * (1 + sc.growth) + sc.escalation * r["current_cost"] for r in move)
    hybrid = sum(r["current_cost"] for r in stay) + moved_cost
    multiple = F.cost_multiple(current, hybrid)
    moved_requests = sum(r["requests"] for r in move)
    quality = (sum(r["eligible_share"] * r["requests"] for r in move) / moved_requests) if moved_requests else None
    return {
        "stay_on_current": sorted(r["workload"] for r in stay),
        "move": sorted(r["workload"] for r in move),
        "current_cost": current, "hybrid_cost": hybrid,
        "cost_multiple": multiple,
        "summary": (f"{multiple:.1f}x cheaper" if multiple else "no cost"),
        "moved_requests_eligible_share": quality,
        "moved_basis": {"evidence": sum(1 for r in move if r["basis"] == "evidence"),
                        "prior": sum(1 for r in move if r["basis"] == "prior")},
        "quality_evidence": [{"workload": r["workload"], "candidate_model": r["candidate_model"],
                              "eligible_share": r["eligible_share"], "eligible_low": r["eligible_low"],
                              "eligible_high": r["eligible_high"], "basis": r["basis"],
                              "basis_detail": r["basis_detail"]} for r in move],
    }



def evidence_summary(con: duckdb.DuckDBPyConnection, start: Day = None, end: Day = None, key: str = "auto",
                     tolerance: float = 0.0) -> pl.DataFrame:
    """Per workload and candidate: evaluated requests, eligible ones, the eligible share and its
    Wilson 95% interval (the evidence half of the analysis, which needs no prices)."""
    df = _evidence(con, {**period_params(start, end, key), "tolerance": tolerance}, fragments())[0]
    bounds = [F.wilson_interval(int(k), int(n)) for k, n in zip(df["eligible"], df["evaluated"], strict=True)]
    return df.with_columns(
        eligible_share=pl.col("eligible") / pl.col("evaluated"),
        eligible_low=pl.Series([b[0] for b in bounds], dtype=pl.Float64),
        eligible_high=pl.Series([b[1] for b in bounds], dtype=pl.Float64),
    )
