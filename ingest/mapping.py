"""Column mappings for in-house request logs: ``--map input_tokens=prompt_tok,ts=created``.

A mapping names, for columns of the ``requests`` view, the header that holds them in the user's
file; the generic reader (ingest/generic.py) then reads the file as if it had our names. Targets
``tags.NAME`` put a column into the tags object under NAME. A mapping can be saved in the store
under a name and used again (``--save-map NAME``, ``--mapping NAME``), so a team maps its log
format once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import duckdb

from ingest.errors import ConfigError

# Every column the generic reader understands (docs/store.md, view `requests`).
TARGETS = (
    "request_id", "ts", "model", "model_raw", "provider", "feature", "app", "route", "prompt_name", "team",
    "user", "api_key", "project", "trace_id", "tags", "input_tokens", "uncached_input_tokens",
    "cache_read_tokens", "cache_write_tokens", "cache_write_1h_tokens", "output_tokens", "reasoning_tokens",
    "service_tier", "latency_ms", "status", "has_tools", "structured_output", "logged_cost", "logged_currency",
    "prompt_text", "response_text",
)


def parse_map(specs: str | Iterable[str]) -> dict[str, str]:
    """``["input_tokens=prompt_tok,output_tokens=completion_tok", "ts=created"]`` as a dict target -> header.

    Raises ConfigError for a pair without ``=``, an unknown target, or a target given twice."""
    items = [specs] if isinstance(specs, str) else list(specs)
    mapping: dict[str, str] = {}
    for spec in items:
        for pair in spec.split(","):
            if not pair.strip():
                continue
            target, sep, source = pair.partition("=")
            target, source = target.strip(), source.strip()
            if not sep or not target or not source:
                raise ConfigError(f"--map: {pair.strip()!r} is not TARGET=HEADER (e.g. input_tokens=prompt_tok)")
            if target not in TARGETS and not (target.startswith("tags.") and len(target) > 5):
                raise ConfigError(f"--map: unknown column {target!r}; known: {', '.join(TARGETS)}, tags.NAME")
            if target in mapping:
                raise ConfigError(f"--map: {target!r} is mapped twice")
            mapping[target] = source
    if not mapping:
        raise ConfigError("--map: no TARGET=HEADER pairs given")
    return mapping


def save_mapping(con: duckdb.DuckDBPyConnection, name: str, mapping: dict[str, str]) -> None:
    """Save (or replace) a mapping under ``name``."""
    if not name.strip():
        raise ConfigError("a saved mapping needs a name")
    con.execute("INSERT OR REPLACE INTO column_mapping (name, mapping, saved_at) "
                "VALUES (?, ?, current_localtimestamp())", [name.strip(), json.dumps(mapping)])


def load_mapping(con: duckdb.DuckDBPyConnection, name: str) -> dict[str, str]:
    """The mapping saved under ``name``; ConfigError naming the saved ones if there is none."""
    row = con.execute("SELECT mapping FROM column_mapping WHERE name = ?", [name]).fetchone()
    if row is None:
        known = [n for n, _ in list_mappings(con)]
        raise ConfigError(f"no saved mapping {name!r}" + (f"; saved: {', '.join(known)}" if known else
                                                          "; save one with --map ... --save-map NAME"))
    return dict(json.loads(row[0]))


def list_mappings(con: duckdb.DuckDBPyConnection) -> list[tuple[str, dict[str, str]]]:
    return [(n, json.loads(m)) for n, m in
            con.execute("SELECT name, mapping FROM column_mapping ORDER BY name").fetchall()]
