"""Small rendering helpers shared by the pages: the empty-store welcome, money formatting, and
showing a ``RightsizeError`` as one ``st.error`` line. No queries are built here."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import streamlit as st

from app.dashboard.data import query
from queries.dashboard import data_bounds

WELCOME = ("**The store is empty.** Load the sample company with `rightsize demo` (a made-up company's "
           "three months of bills, request logs and evals), or open **Upload** and drop your billing "
           "exports, request logs, eval results or price files; `rightsize ingest FILE…` does the same "
           "from a shell.")


def bounds() -> dict[str, Any]:
    return query(data_bounds)


def welcome_if_empty() -> bool:
    """Show the welcome and return True when the store holds no bills and no requests."""
    b = bounds()
    if b["empty"]:
        st.info(WELCOME)
        return True
    return False


def money(value: Decimal | float | None, currency: str = "USD", digits: int = 2) -> str:
    if value is None:
        return "–"
    return f"{float(value):,.{digits}f} {currency}"


def share(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


_MD_SPECIAL = "\\`*_{}[]<>()#+-.!|~$:"


def plain(text: object) -> str:
    """Data shown inside Markdown (st.success, st.caption, st.subheader): every Markdown character is
    escaped, so a file name or model name can never become a link, an image or formatting."""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in str(text))
