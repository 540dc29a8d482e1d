"""Eval links: each evaluated request id joined to its request rows once, at ingest.

The eval queries need, for the few thousand request ids the evals name, the workload and time of
the request. Finding them at query time probes every request's id (0.5 s per query at 10M
requests); ``eval_request`` (ingest/migrations/0093_eval_links.sql) holds them instead, and stays
equal to ``request_log`` rows whose id a stored eval names:

- an eval file loaded links the ids it names that are not linked yet (an id already linked has all
  its request rows linked);
- a request file loaded links its rows that stored evals name; with no evals stored (the common
  case, and the order a bench loads in) nothing is read, so a request load pays nothing;
- a request file removed drops its links (``eval_request`` is in ``ingest.loader.DERIVED_TABLES``);
- an eval file removed drops the links of ids no stored eval names any more.

Request attributes do not change after load (re-pricing touches cost only), and the workload is not
stored: the queries name it through the file's current key (workload rules may change).
"""

from __future__ import annotations

import duckdb

_COLUMNS = "request_id, source_file_id, ts, feature, prompt_name, app, route, api_key, project, team"
_NAMED = "SELECT request_id FROM eval_result WHERE request_id IS NOT NULL"


def link_eval_file(con: duckdb.DuckDBPyConnection, source_file_id: int) -> None:
    """After an eval file's rows are inserted: link the request ids it names to their requests."""
    con.execute(f"""
        INSERT INTO eval_request
        SELECT {_COLUMNS} FROM request_log
        WHERE request_id IN (SELECT request_id FROM eval_result
                             WHERE source_file_id = ? AND request_id IS NOT NULL
                               AND request_id NOT IN (SELECT request_id FROM eval_request))""",
                [source_file_id])


def link_request_file(con: duckdb.DuckDBPyConnection, source_file_id: int) -> None:
    """After a request file's rows are inserted: link those a stored eval names (none stored: skip)."""
    if not con.execute("SELECT EXISTS (SELECT 1 FROM eval_result WHERE request_id IS NOT NULL)").fetchone()[0]:  # type: ignore[index]
        return
    con.execute(f"INSERT INTO eval_request SELECT {_COLUMNS} FROM request_log "
                f"WHERE source_file_id = ? AND request_id IN ({_NAMED})", [source_file_id])


def unlink_eval_file(con: duckdb.DuckDBPyConnection, source_file_id: int) -> None:
    """After an eval file's rows are deleted: drop the links of ids no stored eval names."""
    con.execute(f"DELETE FROM eval_request WHERE request_id NOT IN ({_NAMED})")
