"""Neutralize spreadsheet formulas in text from user data (CSV/XLSX injection).

A cell that begins with ``=``, ``+``, ``-``, ``@``, tab or carriage return is read as a formula by
Excel and LibreOffice; prefixing a single quote makes it text. Numbers are never touched.
"""

from __future__ import annotations

import polars as pl

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: str | None) -> str | None:
    if value is not None and value.startswith(DANGEROUS):
        return "'" + value
    return value


def neutralize_frame(df: pl.DataFrame) -> pl.DataFrame:
    """Apply ``neutralize`` to every text column."""
    pattern = r"^[=+\-@\t\r]"
    return df.with_columns(
        pl.when(pl.col(c).str.contains(pattern)).then(pl.lit("'") + pl.col(c)).otherwise(pl.col(c)).alias(c)
        for c, t in df.schema.items() if t == pl.String
    )
