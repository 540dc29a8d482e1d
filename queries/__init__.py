"""Analytics over the store's public views. Every function returns a Polars DataFrame (or a small
dataclass) and binds every value as a parameter; SQL lives in ``queries/sql/*.sql``.

Nothing here imports streamlit: ``app/`` renders what these functions return.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Any

import duckdb
import polars as pl

from ingest.errors import QueryError

_PARAM = re.compile(r"(?<![:$\w])\$([A-Za-z_]\w*)")


@cache
def load_sql(name: str) -> str:
    """The text of ``queries/sql/<name>.sql``."""
    return (resources.files("queries") / "sql" / f"{name}.sql").read_text()


def named_parameters(sql: str) -> set[str]:
    """The ``$name`` parameters a SQL text uses (datasette's habit: read them from the SQL)."""
    # one pass, leftmost first: an apostrophe in a comment does not open a string, nor does
    # "--" in a string open a comment
    bare = re.sub(r"'(?:[^']|'')*'|--[^\n]*", " ", sql)
    return set(_PARAM.findall(bare))


def run(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any] | None = None) -> pl.DataFrame:
    """Run SQL with named parameters, checking that the caller passes exactly those the SQL uses."""
    params = params or {}
    wanted = named_parameters(sql)
    if wanted != set(params):
        missing, extra = wanted - set(params), set(params) - wanted
        raise QueryError(f"parameters do not match the SQL: missing {sorted(missing)}, unexpected {sorted(extra)}")
    return con.sql(sql, params=params).pl()


def run_named(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None,
              **fragments: str) -> pl.DataFrame:
    """Run ``queries/sql/<name>.sql``. ``fragments`` fill ``{placeholders}`` with SQL built only
    from whitelisted identifiers (never from user values)."""
    sql = load_sql(name)
    if fragments:
        sql = sql.format(**fragments)
    return run(con, sql, params)
