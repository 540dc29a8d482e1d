"""The dashboard's one door to the store: cached, short-lived read-only connections.

The store is opened read-only per query and closed at once, so `rightsize ingest` in another
process can take the write lock between page runs; ``st.cache_data`` keeps results per query.
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


@st.cache_data(ttl=60, show_spinner=False)
def cached(fn_name: str, _fn: Callable[..., T], db: str, *args: Any, **kwargs: Any) -> T:
    con = ingest.connect(db, read_only=True)
    try:
        return _fn(con, *args, **kwargs)
    finally:
        con.close()


def query(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a ``queries`` function against the store, cached by its name and arguments."""
    return cached(f"{fn.__module__}.{fn.__name__}", fn, db_target(), *args, **kwargs)


def write(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a store-changing function (loading an upload, removing a file) on a short read-write
    connection, then drop every cached result so all pages see the change on their next run."""
    con = ingest.connect(db_target())
    try:
        return fn(con, *args, **kwargs)
    finally:
        con.close()
        st.cache_data.clear()
