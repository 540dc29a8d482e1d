"""The dashboard's one door to the store: cached, short-lived read-only connections.

The store is opened read-only per query and closed at once, so `rightsize ingest` in another
process can take the write lock between page runs; ``st.cache_data`` keeps results per query and
per store version (file modification times), so a refresh after an ingest shows the new rows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st

import ingest
from ingest import settings

T = TypeVar("T")


def db_target() -> str:
    return str(settings.get("db"))


def store_version(db: str) -> tuple[float, float]:
    """Modification times of the store file and its write-ahead log: any write by any process
    (the CLI ingesting while the dashboard runs) changes them, so cached results are keyed by them
    and a page sees new data on its next run rather than after the cache expires."""
    from pathlib import Path

    path = Path(db.removeprefix("duckdb:///")) if db.startswith("duckdb:///") else Path(db)

    def mtime(p: Path) -> float:
        try:
            return p.stat().st_mtime_ns / 1e9
        except OSError:
            return 0.0

    return mtime(path), mtime(path.with_name(path.name + ".wal"))


@st.cache_data(ttl=600, max_entries=2000, show_spinner=False)
def cached(fn_name: str, _fn: Callable[..., T], db: str, version: tuple[float, float], *args: Any,
           **kwargs: Any) -> T:
    con = ingest.connect(db, read_only=True)
    try:
        return _fn(con, *args, **kwargs)
    finally:
        con.close()


def query(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a ``queries`` function against the store, cached by its name and arguments."""
    db = db_target()
    return cached(f"{fn.__module__}.{fn.__name__}", fn, db, store_version(db), *args, **kwargs)


def _scan_period(sc: Any) -> Any:
    """The scenario with only the knobs a scan depends on (period, key, cache-hit target, tolerance)."""
    from queries.rightsizing import Scenario

    return Scenario(start=sc.start, end=sc.end, key=sc.key, cache_hit_target=sc.cache_hit_target,
                    tolerance=sc.tolerance)


def _facts(db: str, version: tuple[float, float], sc: Any) -> Any:
    from queries.rightsizing import scan

    return cached("queries.rightsizing.scan", scan, db, version, _scan_period(sc))


@st.cache_data(ttl=600, max_entries=200, show_spinner=False)
def _analysis(db: str, version: tuple[float, float], sc: Any) -> Any:
    from queries.rightsizing import analyse

    facts = _facts(db, version, sc)
    con = ingest.connect(db, read_only=True)
    try:
        return analyse(con, sc, facts)
    finally:
        con.close()


@st.cache_data(ttl=600, max_entries=200, show_spinner=False)
def _curve(db: str, version: tuple[float, float], sc: Any, workload: str) -> Any:
    from queries.dashboard import scenario_curve

    facts = _facts(db, version, sc)
    con = ingest.connect(db, read_only=True)
    try:
        return scenario_curve(con, sc, workload, facts)
    finally:
        con.close()


def analysis(sc: Any) -> Any:
    """``queries.rightsizing.analyse`` for the Workloads, Savings and 80/20 pages. The scans of the
    requests (``scan``) are cached by period, key, cache-hit target and tolerance only, so moving a
    what-if slider (policy, escalation, tokenizer factor, growth, move threshold) reruns the
    arithmetic on cached facts instead of scanning every request again."""
    db = db_target()
    return _analysis(db, store_version(db), sc)


def facts(sc: Any) -> Any:
    """The cached ``scan`` for a scenario's period (its ``profiles`` are the workload profiles)."""
    db = db_target()
    return _facts(db, store_version(db), sc)


def curve(sc: Any, workload: str) -> Any:
    """``queries.dashboard.scenario_curve`` on the cached scan: picking another workload costs no scan."""
    db = db_target()
    return _curve(db, store_version(db), sc, workload)


def write(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a store-changing function (loading an upload, removing a file) on a short read-write
    connection, then drop every cached result so all pages see the change on their next run."""
    con = ingest.connect(db_target())
    try:
        return fn(con, *args, **kwargs)
    finally:
        con.close()
        st.cache_data.clear()
