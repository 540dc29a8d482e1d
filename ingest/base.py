"""What every reader shares: the Reader interface, the load context and the SQL helpers.

A reader turns one file into rows of one *kind* (billing, requests, ...). It never writes to the
store itself: it returns a SQL SELECT over ``_raw`` (the file as VARCHAR columns plus ``_line``)
that yields the kind's columns plus ``_key`` (natural identity, for dedupe; a reader may leave it
out when the kind's key column is that identity, as request logs do), ``_line`` and ``_reject``
(NULL, or why the row cannot be used). The loader reads the file once, into a stage table
(``ctx.stage``), and does the rest from it in one transaction. A reader may also define
``finish(ctx)``: a SELECT over the stage that completes its rows, for values cheaper to build once
per distinct input than once per row (ingest/logs.py ``tag_finish``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

import duckdb
import pyarrow as pa

from ingest.errors import IngestError
from ingest.sniff import Sniff

# SQL macros every reader may use. All take VARCHAR and are NULL-safe.
NULL_STRINGS = ["", "NULL", "null", "None", "nan", "NaN", "N/A"]

# SQL macros every reader may use. Each takes VARCHAR, is NULL-safe and expands its argument only a
# few times: DuckDB inlines macros, so nesting them multiplies plan size. ``_raw`` already holds
# NULL for the NULL_STRINGS, so the macros need not test for them again.
MACROS = r"""
-- trim only when there is a space to trim: trim() costs more than the rest of a row's checks
CREATE OR REPLACE TEMP MACRO rs_trim(x) AS CASE WHEN starts_with(x, ' ') OR ends_with(x, ' ') THEN trim(x) ELSE x END;
CREATE OR REPLACE TEMP MACRO rs_null(x) AS nullif(rs_trim(x), '');
CREATE OR REPLACE TEMP MACRO rs_dec(x) AS coalesce(TRY_CAST(x AS DECIMAL(38, 12)),
    CASE WHEN x IS NULL THEN NULL
         WHEN contains(x, '(') THEN -TRY_CAST(regexp_replace(x, '[\$€£,\s()]', '', 'g') AS DECIMAL(38, 12))
         ELSE TRY_CAST(regexp_replace(x, '[\$€£,\s]', '', 'g') AS DECIMAL(38, 12)) END);
CREATE OR REPLACE TEMP MACRO rs_num(x) AS TRY_CAST(x AS DOUBLE);
CREATE OR REPLACE TEMP MACRO rs_int(x) AS coalesce(TRY_CAST(x AS BIGINT), TRY_CAST(round(TRY_CAST(x AS DOUBLE)) AS BIGINT));
CREATE OR REPLACE TEMP MACRO rs_bad_num(x) AS (x IS NOT NULL AND rs_dec(x) IS NULL);  -- unreadable, or beyond DECIMAL(38,12)
CREATE OR REPLACE TEMP MACRO rs_bad_int(x) AS (x IS NOT NULL AND rs_int(x) IS NULL);
-- ISO text with or without an offset or zone (none: UTC, the session's zone), as a UTC TIMESTAMP
CREATE OR REPLACE TEMP MACRO rs_ts_iso(x) AS TRY_CAST(TRY_CAST(x AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS TIMESTAMP);
-- Python's own form (2026-08-01 00:00:06.662604, LiteLLM's) is read by its one exact format: with
-- its shape checked first (a failed strptime costs more than the zoned cast), 0.52 s per 5M values
-- against the zoned cast's 1.35 s, twice a row in a log. A string of that shape that does not match
-- (an offset where fraction digits would be) falls through to the zoned cast.
CREATE OR REPLACE TEMP MACRO rs_ts(x) AS
    CASE WHEN x IS NULL THEN NULL
         WHEN length(x) = 26 AND substr(x, 20, 1) = '.' AND substr(x, 11, 1) = ' '
              THEN coalesce(try_strptime(x, '%Y-%m-%d %H:%M:%S.%f'), rs_ts_iso(x))
         WHEN substr(x, 5, 1) = '-' THEN rs_ts_iso(x)
         WHEN regexp_matches(x, '^\s*\d{1,2}/\d{1,2}/\d{2}(\s|$)')
              THEN try_strptime(trim(x), ['%m/%d/%y %H:%M:%S', '%m/%d/%y %H:%M', '%m/%d/%y'])
         WHEN regexp_matches(x, '^\s*\d{1,2}/\d{1,2}/\d{4}')
              THEN try_strptime(trim(x), ['%m/%d/%Y %H:%M:%S', '%m/%d/%Y %I:%M:%S %p', '%m/%d/%Y %H:%M', '%m/%d/%Y'])
         WHEN regexp_matches(x, '^\s*\d{12,13}(\.\d+)?\s*$')
              THEN make_timestamp(CAST(TRY_CAST(trim(x) AS DOUBLE) * 1000 AS BIGINT))
         WHEN regexp_matches(x, '^\s*\d{9,10}(\.\d+)?\s*$')
              THEN make_timestamp(CAST(TRY_CAST(trim(x) AS DOUBLE) * 1000000 AS BIGINT))
         ELSE rs_ts_iso(trim(x)) END;
CREATE OR REPLACE TEMP MACRO rs_bad_ts(x) AS (nullif(trim(x), '') IS NOT NULL AND rs_ts(x) IS NULL);
-- tag lists ["team:legal", "beta"] as a JSON object {"team": "legal", "beta": "true"} (first value wins)
CREATE OR REPLACE TEMP MACRO rs_kv(x) AS struct_pack(
    k := CASE WHEN contains(x, ':') THEN split_part(x, ':', 1) ELSE x END,
    v := CASE WHEN contains(x, ':') THEN substr(x, strpos(x, ':') + 1) ELSE 'true' END);
CREATE OR REPLACE TEMP MACRO rs_tag_list(t) AS
    CASE WHEN json_valid(t) AND json_type(t::JSON) = 'ARRAY' THEN json_extract_string(t, '$[*]') END;
CREATE OR REPLACE TEMP MACRO rs_tag_object(t) AS to_json(map_from_entries(list_transform(
    list_distinct(list_transform(rs_tag_list(t), lambda x: rs_kv(x).k)),
    lambda key: struct_pack(k := key, v := list_filter(list_transform(rs_tag_list(t), lambda x: rs_kv(x)),
                                                      lambda e: e.k = key)[1].v))));
-- a JSON value at a path as text, NULL when the document is not JSON
CREATE OR REPLACE TEMP MACRO rs_j(doc, path) AS CASE WHEN json_valid(doc) THEN json_extract_string(doc, path) END;
"""

RAW = "_raw"


def quote_ident(name: str) -> str:
    """Quote a column name for DuckDB (headers hold dots, slashes and spaces)."""
    return '"' + name.replace('"', '""') + '"'


def sql_str(value: str) -> str:
    """A SQL string literal for a value we chose ourselves (never user data)."""
    return "'" + value.replace("'", "''") + "'"


class Reader(Protocol):
    name: str
    kind: str          # billing | requests | evals | prices
    description: str

    def detect(self, s: Sniff) -> bool: ...

    def read(self, ctx: Context) -> str: ...


@dataclass
class Context:
    """The file being loaded, the connection (inside the load transaction) and helpers."""

    con: duckdb.DuckDBPyConnection
    sniff: Sniff
    options: dict[str, Any] = field(default_factory=dict)
    raw_columns: list[str] = field(default_factory=list)
    # Numbering CSV/JSONL lines needs a single-threaded pass (row_number() OVER ()), so big files
    # are read without line numbers (``_line`` NULL) and numbered again only if rows are rejected.
    number_lines: bool = True
    # The table the loader stages the reader's rows in (a reader's ``finish`` SQL reads it).
    stage: str = "_stage"

    RAW: ClassVar[str] = RAW

    @property
    def file(self) -> str:
        return self.sniff.name

    def error(self, cause: str, line: int | None = None, hint: str | None = None) -> IngestError:
        return IngestError(self.file, cause, line=line, hint=hint)

    # -- building _raw -------------------------------------------------------------------------
    def raw_csv(self, null_padding: bool = False, delim: str = ",") -> list[str]:
        """Expose the CSV as ``_raw``: VARCHAR columns named by its header, plus ``_line``.

        ``_raw`` is a view, so the file is read once, when the reader's SELECT is staged; errors
        in the file (ragged rows, bad UTF-8) surface then, with their line. Ragged rows fail the
        file unless ``null_padding`` (short rows are padded with NULL; long rows still fail).
        """
        names = _unique(self.sniff.columns)
        if not names or all(not n for n in names):
            raise self.error("no header row", line=1)
        cols = "{" + ", ".join(f"{sql_str(n)}: 'VARCHAR'" for n in names) + "}"
        compression = self.sniff.compression or "none"
        source = (
            f"read_csv({sql_str(str(self.sniff.path))}, header=true, "
            f"auto_detect=false, columns={cols}, delim={sql_str(delim)}, quote='\"', escape='\"', "
            f"compression={sql_str(compression)}, null_padding={str(null_padding).lower()}, "
            f"nullstr=[{', '.join(sql_str(n) for n in NULL_STRINGS)}], "
            "max_line_size=10000000, parallel=true)"
        )
        self._raw_view(source, first_line=2)
        self.raw_columns = names
        return names

    def raw_parquet(self) -> list[str]:
        """Load a Parquet file into ``_raw`` with every column as VARCHAR (nested ones as JSON)."""
        path = str(self.sniff.path)
        try:
            schema = self.con.execute(
                "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(?))", [path]
            ).fetchall()
            exprs = []
            for name, typ in schema:
                q = quote_ident(name)
                nested = any(t in typ.upper() for t in ("MAP(", "STRUCT(", "[]"))
                exprs.append(f"CAST(to_json({q}) AS VARCHAR) AS {q}" if nested else f"CAST({q} AS VARCHAR) AS {q}")
            drop_raw(self.con)
            self.con.execute(
                f"CREATE TEMP VIEW {RAW} AS SELECT {', '.join(exprs)}, file_row_number + 1 AS _line "
                f"FROM read_parquet({sql_str(path)}, file_row_number=true)")
        except duckdb.Error as exc:
            raise self.error(f"cannot read the Parquet file ({str(exc).splitlines()[0]})") from exc
        self.raw_columns = [n for n, _ in schema]
        return self.raw_columns

    def raw_jsonl(self, columns: list[str] | None = None) -> list[str]:
        """Load JSON Lines into ``_raw``: top-level keys as VARCHAR (nested values as JSON text).

        Keys default to the union of keys in the file's first lines (the sniffed head)."""
        if columns is None:
            seen: dict[str, None] = {}
            for line in self.sniff.text.splitlines()[:2000]:
                line = line.strip()
                if line.startswith("{"):
                    try:
                        seen.update(dict.fromkeys(json.loads(line)))
                    except json.JSONDecodeError:
                        continue  # a partial last line of the head
            columns = list(seen)
        cols = "{" + ", ".join(f"{sql_str(n)}: 'VARCHAR'" for n in columns) + "}"
        compression = self.sniff.compression or "none"
        source = (f"read_json({sql_str(str(self.sniff.path))}, format='newline_delimited', "
                  f"columns={cols}, compression={sql_str(compression)}, maximum_object_size=104857600)")
        self._raw_view(source, first_line=1)
        self.raw_columns = columns
        return columns

    def raw_auto(self, null_padding: bool = False) -> list[str]:
        """``raw_csv``, ``raw_jsonl`` or ``raw_parquet``, whichever the file is."""
        if self.sniff.container == "parquet":
            return self.raw_parquet()
        if self.sniff.container == "jsonl":
            return self.raw_jsonl()
        return self.raw_csv(null_padding=null_padding)

    def raw_rows(self, rows: list[dict[str, Any]], columns: list[str] | None = None,
                 first_line: int = 1) -> list[str]:
        """Load Python records (parsed JSON) into ``_raw``: every value as VARCHAR, dicts and lists
        as JSON text. ``_line`` is the record's number, or its own ``_line`` key when given."""
        if columns is None:
            seen: dict[str, None] = {}
            for row in rows:
                for k in row:
                    seen.setdefault(k, None)
            columns = [c for c in seen if c != "_line"]
        data: dict[str, list[str | None]] = {c: [] for c in columns}
        lines: list[int] = []
        for i, row in enumerate(rows):
            lines.append(int(row.get("_line", first_line + i)))
            for c in columns:
                data[c].append(_to_text(row.get(c)))
        table = pa.table({**{c: pa.array(v, pa.string()) for c, v in data.items()},
                          "_line": pa.array(lines, pa.int64())})
        drop_raw(self.con)
        self.con.register("_raw_arrow", table)
        try:
            self.con.execute(f"CREATE TEMP TABLE {RAW} AS SELECT * FROM _raw_arrow")
        finally:
            self.con.unregister("_raw_arrow")
        self.raw_columns = columns
        return columns

    def _raw_view(self, source: str, first_line: int) -> None:
        # DuckDB keeps insertion order (preserve_insertion_order), so row_number() OVER () counts
        # the file's rows in file order; tests check line numbers on multi-chunk files.
        drop_raw(self.con)
        line = f"row_number() OVER () + {first_line - 1}" if self.number_lines else "CAST(NULL AS BIGINT)"
        self.con.execute(f"CREATE TEMP VIEW {RAW} AS SELECT *, {line} AS _line FROM {source}")

    def materialize_raw(self) -> None:
        """Turn ``_raw`` into a table, for readers that query it more than once."""
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE _raw_m AS SELECT * FROM {RAW}")
        drop_raw(self.con)
        self.con.execute(f"ALTER TABLE _raw_m RENAME TO {RAW}")

    # -- column helpers ------------------------------------------------------------------------
    def col(self, *names: str) -> str:
        """The first of ``names`` present in ``_raw`` (case-insensitive), quoted; else ``NULL``."""
        lookup = {c.lower(): c for c in self.raw_columns}
        for n in names:
            if n.lower() in lookup:
                return quote_ident(lookup[n.lower()])
        return "NULL"

    def has(self, *names: str) -> bool:
        lookup = {c.lower() for c in self.raw_columns}
        return any(n.lower() in lookup for n in names)

    def row_hash(self) -> str:
        """SQL for an md5 over every raw column: the identity of a line that has no id."""
        parts = ", ".join(f"coalesce({quote_ident(c)}, '\x01')" for c in self.raw_columns)
        return f"md5(concat_ws('\x1f', {parts}))"

    def record(self, limit: int = 300) -> str:
        """SQL for a short excerpt of the raw record, for ingest_rejects."""
        parts = ", ".join(f"coalesce({quote_ident(c)}, '')" for c in self.raw_columns[:40])
        return f"left(concat_ws(',', {parts}), {limit})"


def drop_raw(con: duckdb.DuckDBPyConnection) -> None:
    """Drop ``_raw`` whether it is a view or a table."""
    kinds = con.execute(
        "SELECT 'VIEW' FROM duckdb_views() WHERE view_name = ? AND temporary "
        "UNION ALL SELECT 'TABLE' FROM duckdb_tables() WHERE table_name = ? AND temporary", [RAW, RAW]).fetchall()
    for (kind,) in kinds:
        con.execute(f"DROP {kind} IF EXISTS {RAW}")


def _unique(names: list[str]) -> list[str]:
    out: list[str] = []
    seen: dict[str, int] = {}
    for i, n in enumerate(names):
        n = n or f"column{i + 1}"
        if n.lower() in seen:
            seen[n.lower()] += 1
            n = f"{n}_{seen[n.lower()]}"
        seen.setdefault(n.lower(), 1)
        out.append(n)
    return out


def _to_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return None if text.strip() in NULL_STRINGS else text


_LINE = re.compile(r"Line:\s*(\d+)")


def read_error(file: str, exc: Exception, reader: str) -> IngestError:
    """A DuckDB error raised while reading a file, as one line naming the file, line and cause."""
    text = str(exc)
    if "CSV Error" in text or "not utf-8" in text.lower() or "Invalid unicode" in text:
        return csv_error(file, exc)
    if "JSON" in text and ("Malformed" in text or "json" in text.lower()):
        m = _LINE.search(text) or re.search(r"line (\d+)", text)
        return IngestError(file, f"invalid JSON Lines ({text.splitlines()[0]})",
                           line=int(m.group(1)) if m else None, hint="each line must be one JSON object")
    return IngestError(file, f"cannot read the rows ({text.splitlines()[0]})",
                       hint=f"check this is a {reader} export or pass --format")


def csv_error(file: str, exc: Exception) -> IngestError:
    """Turn a DuckDB CSV error into one line naming the file, the line and the cause."""
    text = str(exc)
    m = _LINE.search(text)
    line = int(m.group(1)) if m else None
    if "not utf-8 encoded" in text.lower() or "invalid unicode" in text.lower():
        return IngestError(file, "not UTF-8 text", line=line, hint="export the file as UTF-8 and load it again")
    cause = next((ln.strip() for ln in text.splitlines()
                  if ln.strip().startswith(("Expected Number of Columns", "Value with unterminated quote",
                                            "Maximum line size"))), None)
    ragged = re.search(r"Expected Number of Columns:\s*(\d+)\s*Found:\s*(\d+)", text)
    if ragged:
        cause = f"ragged row: expected {ragged.group(1)}, found {ragged.group(2)} columns"
    elif cause is None:
        cause = text.splitlines()[0] if text else repr(exc)
    return IngestError(file, cause, line=line, hint="fix or remove that line and load the file again")
