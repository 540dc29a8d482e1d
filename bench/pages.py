"""What each dashboard page asks the store, first when it opens and then when a filter changes,
through the same ``queries`` functions the page calls (app/dashboard/views/*.py) and the same way
``app.dashboard.data`` runs them: one short read-only connection per query, nothing cached but
what the page's own cache would hold.

``first_view(page, db)`` returns the state the page's cache would hold after it opened;
``filter_change(page, db, state)`` runs only the queries whose arguments a filter change alters
(the rest are cache hits in the app). Pages with no query-level filter (Upload, Reports, Prices &
settings: their widgets filter in memory or run on a button) time their whole data instead, which
is never less than a filter change would cost.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import ingest
from ingest import settings

PAGES = ["overview", "upload", "explorer", "reconciliation", "workloads", "savings", "thesis", "reports", "settings"]

# What "a filter change" is on each page (for RESULTS.md and docs/performance.md).
CHANGES = {
    "overview": "as-of date moved back 10 days",
    "upload": "whole page data (no query-level filter)",
    "explorer": "date range, model, team and feature filters set",
    "reconciliation": "date range narrowed",
    "workloads": "another workload picked (its quality-cost curve)",
    "savings": "escalation and growth sliders moved",
    "thesis": "move-threshold slider moved",
    "reports": "whole page data (scope change queries nothing until Build)",
    "settings": "whole page data (the source filter is in memory)",
}


def q(db: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """One query the way the dashboard runs it (app.dashboard.data.cached, minus the cache)."""
    con = ingest.connect(db, read_only=True)
    try:
        return fn(con, *args, **kwargs)
    finally:
        con.close()


def first_view(page: str, db: str) -> dict[str, Any]:
    from queries.dashboard import data_bounds

    b = q(db, data_bounds)
    return {"bounds": b, **_VIEWS[page](db, b, None)}


def filter_change(page: str, db: str, state: dict[str, Any]) -> dict[str, Any]:
    return _VIEWS[page](db, state["bounds"], state)


def _overview(db: str, b: dict[str, Any], state: dict[str, Any] | None) -> dict[str, Any]:
    from queries.dashboard import movers, overview
    from queries.spend import spend_by

    last = b["billing_last"] or b["requests_last"]
    as_of = last if state is None else last - timedelta(days=10)
    o = q(db, overview, as_of)
    q(db, movers, "model", o["period_start"], o["period_end"], o["previous_start"],
      o["previous_start"] + (o["period_end"] - o["period_start"]))
    if state is None:
        q(db, spend_by, ["day", "provider"])
    return {}


def _explorer(db: str, b: dict[str, Any], state: dict[str, Any] | None) -> dict[str, Any]:
    from queries.dashboard import (
        REQUEST_DIMENSIONS,
        distinct_values,
        request_units,
        request_users,
        tag_keys,
        token_types,
    )
    from queries.spend import BILLING_DIMENSIONS, spend_by

    first = b["billing_first"] or b["requests_first"]
    last = b["billing_last"] or b["requests_last"]
    if state is None:
        values = {dim: q(db, distinct_values, dim) for dim in ("provider", "model", "team", "feature")}
        q(db, tag_keys)
        start, end, model, team, feature = first, last + timedelta(days=1), None, None, None
    else:
        start, end = first + timedelta(days=14), first + timedelta(days=45)
        # the bill's models and teams (a store of request logs only has none: then the feature)
        models, teams = state["values"]["model"] or [None], state["values"]["team"] or [None]
        model, team = models[len(models) // 2], teams[len(teams) // 2]
        features = state["values"]["feature"] or [None]
        feature = features[len(features) // 2]
    group = next(d for d in BILLING_DIMENSIONS if d not in ("day", "month"))
    f = {"start": start, "end": end, "provider": None, "model": model, "team": team, "tag_key": None,
         "tag_value": None}
    table = q(db, spend_by, [group], **f)
    if not table.is_empty():
        q(db, spend_by, ["day", group], **f)
    rf = {"start": start, "end": end, "provider": None, "model": model, "team": team, "feature": feature}
    rgroup = group if group in REQUEST_DIMENSIONS else "model"
    q(db, request_units, [rgroup], **rf)
    q(db, request_users, **rf)
    q(db, request_units, [], **rf)
    q(db, token_types, start, end, None, model)
    return {"values": values} if state is None else {}


def _reconciliation(db: str, b: dict[str, Any], state: dict[str, Any] | None) -> dict[str, Any]:
    from queries.reconcile import reconciliation

    first = b["billing_first"] or b["requests_first"]
    last = b["billing_last"] or b["requests_last"]
    s, e = (first, last + timedelta(days=1)) if state is None else (first + timedelta(days=7), first + timedelta(days=38))
    q(db, reconciliation, s.isoformat(), e.isoformat(), "day")
    return {}


def _scenario(**knobs: Any) -> Any:
    from queries.rightsizing import Scenario

    return Scenario(key=str(settings.get("workload_key")), **knobs)


def _facts(db: str, state: dict[str, Any] | None, sc: Any) -> Any:
    """The page's cached scan (app.dashboard.data.facts): read on first view, reused after."""
    from queries.rightsizing import scan

    return state["facts"] if state else q(db, scan, sc)


def _workloads(db: str, b: dict[str, Any], state: dict[str, Any] | None) -> dict[str, Any]:
    from queries.dashboard import scenario_curve
    from queries.rightsizing import analyse

    sc = _scenario()
    facts = _facts(db, state, sc)
    if state is None:
        a = q(db, analyse, sc, facts)
        names = a.workloads["workload"].to_list()
        q(db, scenario_curve, sc, names[0], facts)
        return {"facts": facts, "workloads": names}
    names = state["workloads"]
    q(db, scenario_curve, sc, names[min(1, len(names) - 1)], facts)
    return {}


def _savings(db: str, b: dict[str, Any], state: dict[str, Any] | None) -> dict[str, Any]:
    from queries.rightsizing import analyse

    sc = _scenario() if state is None else _scenario(escalation=0.1, growth=0.25)
    facts = _facts(db, state, sc)
    q(db, analyse, sc, facts)
    return {"facts": facts}


def _thesis(db: str, b: dict[str, Any], state: dict[str, Any] | None) -> dict[str, Any]:
    from queries.rightsizing import analyse

    sc = _scenario(move_threshold=0.9 if state is None else 0.8)
    facts = _facts(db, state, sc)
    q(db, analyse, sc, facts)
    return {"facts": facts}


def _upload(db: str, b: dict[str, Any], state: dict[str, Any] | None) -> dict[str, Any]:
    from queries.dashboard import ingest_history

    q(db, ingest_history)
    return {}


def _reports(db: str, b: dict[str, Any], state: dict[str, Any] | None) -> dict[str, Any]:
    from queries.dashboard import distinct_values

    q(db, distinct_values, "team")
    return {}


def _settings(db: str, b: dict[str, Any], state: dict[str, Any] | None) -> dict[str, Any]:
    from queries.dashboard import price_overrides, prices_table
    from queries.model_table import model_table
    from queries.workloads import workload_rules

    q(db, prices_table)
    q(db, price_overrides)
    model_table(str(settings.get("model_file")) or None)
    q(db, workload_rules)
    return {}


_VIEWS: dict[str, Callable[[str, dict[str, Any], dict[str, Any] | None], dict[str, Any]]] = {
    "overview": _overview, "upload": _upload, "explorer": _explorer, "reconciliation": _reconciliation,
    "workloads": _workloads, "savings": _savings, "thesis": _thesis, "reports": _reports, "settings": _settings,
}
