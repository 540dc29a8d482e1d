"""Small rendering helpers shared by the pages: the empty-store welcome, money formatting, and
showing data safely: ``plain`` for text inside Markdown (captions, alerts, headings, widget and
metric labels), ``chart_frame``/``chart_text`` for text inside Plotly charts. Tables
(``st.dataframe``), ``st.text``, metric values and widget options are never interpreted. No page
uses ``unsafe_allow_html``; tests/test_html_escape.py holds this in a browser. No queries here."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import polars as pl
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


def chart_text(text: object) -> str:
    """A value shown inside a Plotly chart (legend, axis label, point text, hover). Plotly draws a
    subset of HTML in those (``<b>``, ``<a href>``, ``<br>``, ``<span style>``), so a team called
    ``<b>ops</b>`` would be bold and ``<a href=…>`` a link; as entities it shows literally."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def chart_frame(df: pl.DataFrame) -> pl.DataFrame:
    """``df`` with every text column passed through ``chart_text``, ready for ``plotly.express``."""
    return df.with_columns(
        pl.col(c).str.replace_all("&", "&amp;", literal=True).str.replace_all("<", "&lt;", literal=True)
        .str.replace_all(">", "&gt;", literal=True)
        for c, t in df.schema.items() if t == pl.String)


def plain(text: object) -> str:
    """Data shown inside Markdown (st.success, st.caption, st.subheader): every Markdown character is
    escaped, so a file name or model name can never become a link, an image or formatting."""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in str(text))
