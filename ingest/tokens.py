"""Token types and counts from the free-text units and meter names billing exports use.

Shared by every billing reader: a unit such as ``1K Tokens``/``1M``/``Token`` gives the scale; a
meter or SKU text such as ``gpt-4o-mini-0718-Inp-glbl Tokens``, ``... cached Inp ...``,
``Text Output - Predictions`` or ``cache-write-input-token-count-1-hour`` gives the token type.
"""

from __future__ import annotations

TOKEN_TYPES = ("input", "cache_read", "cache_write_5m", "cache_write_1h", "output", "reasoning", "other")


def token_type_sql(unit: str, text: str) -> str:
    """SQL deciding x_TokenType from a unit and a descriptive text (both SQL expressions).
    NULL when the line is not priced in tokens."""
    t = f"lower(coalesce({text}, ''))"
    u = f"lower(coalesce({unit}, ''))"
    return f"""CASE WHEN NOT (regexp_matches({u}, 'token') OR regexp_matches({t}, 'token')) THEN NULL
        WHEN regexp_matches({t}, 'cache[ _-]?write|cache[ _-]?creation|cachewrite') AND regexp_matches({t}, '1[ _-]?h') THEN 'cache_write_1h'
        WHEN regexp_matches({t}, 'cache[ _-]?write|cache[ _-]?creation|cachewrite') THEN 'cache_write_5m'
        WHEN regexp_matches({t}, 'cache[ _-]?read|cached|cacheread|caching') THEN 'cache_read'
        WHEN regexp_matches({t}, 'thinking|reasoning') THEN 'reasoning'
        WHEN regexp_matches({t}, 'output|outp|completion|generated') THEN 'output'
        WHEN regexp_matches({t}, 'input|inp|prompt') THEN 'input'
        ELSE 'other' END"""


def token_count_sql(unit: str, quantity: str) -> str:
    """SQL scaling a quantity in ``unit`` blocks (1K, 10K, 1M, 1000 Tokens, ...) to tokens."""
    u = f"lower(coalesce({unit}, ''))"
    return f"""CASE WHEN NOT regexp_matches({u}, 'token|^\\s*[0-9.]+\\s*[km]?\\s*$') THEN NULL
        WHEN regexp_matches({u}, '(^|\\s)1\\s*m|million|1,?000,?000') THEN {quantity} * 1000000
        WHEN regexp_matches({u}, '(^|\\s)10\\s*k|10,?000') THEN {quantity} * 10000
        WHEN regexp_matches({u}, '(^|\\s)1\\s*k|thousand|1,?000') THEN {quantity} * 1000
        WHEN regexp_matches({u}, '(^|\\s)100\\s*(tokens)?$') THEN {quantity} * 100
        ELSE {quantity} END::DOUBLE"""
