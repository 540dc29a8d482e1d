"""Load one file into the store: detect, stage, reject, dedupe and insert in one transaction.

The rules a user relies on live here and nowhere else:
- a file that fails leaves nothing behind (the whole load is one transaction);
- the same file loaded twice adds nothing (its sha256 is in ``source_file``);
- two overlapping exports do not double count (rows whose natural key is already stored are
  skipped and counted as duplicates);
- rows that cannot be used go to ``ingest_rejects`` with their line and reason.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from ingest.base import MACROS, Context, Reader, drop_raw, read_error
from ingest.errors import IngestError
from ingest.models import canonical_model
from ingest.sniff import Sniff, sniff
from ingest.store import memory_limit


@dataclass(frozen=True)
class Kind:
    """Where rows of one kind go and how they are identified."""

    table: str
    key: str                    # column holding the natural identity
    model_raw: str | None       # column with the model name as written (canonicalized on load)
    model: str | None
    per_file_occurrence: bool   # True: identical lines in one file are distinct charges
    cost_sql: str | None        # SUM expression for the per-currency summary
    currency_sql: str | None


KINDS: dict[str, Kind] = {
    "billing": Kind("billing_line", "line_key", "x_ModelRaw", "x_Model", True,
                    "SUM(BilledCost)", "BillingCurrency"),
    "requests": Kind("request_log", "request_id", "model_raw", "model", False,
                     "SUM(cost)", "'USD'"),
    "evals": Kind("eval_result", "eval_key", "candidate_model_raw", "candidate_model", True, None, None),
    "prices": Kind("price_override", "override_key", None, None, True, None, None),
}

# Functions run inside the load transaction after a file's rows are inserted, per kind:
# f(con, source_file_id). Pricing of request logs and rollups register here.
# Tables derived from a file's rows (rollups, histograms, eval links), cleared with the file.
DERIVED_TABLES = ["request_daily", "request_hist_key", "request_hist_bin", "eval_request"]

NUMBER_LINES_UP_TO = 64 * 1024 * 1024  # bytes; bigger files keep line numbers for rejects only
REPEAT_SLICE = 20_000_000  # rows whose keys are checked for repeats in one DISTINCT (_repeats)

AFTER_LOAD: dict[str, list[Callable[[duckdb.DuckDBPyConnection, int], None]]] = {}
# Columns computed over a file's rows as they are inserted, per kind: f(con, rows_sql, params)
# returns {column: SQL over a row ``r`` of rows_sql}. Pricing of request logs registers here: an
# UPDATE after the insert cannot spill, so it would hold every priced row in memory until COMMIT.
INSERT_COLUMNS: dict[str, list[Callable[[duckdb.DuckDBPyConnection, str, list[Any]], dict[str, str]]]] = {}
# The same after a file's rows are deleted (remove_file), per kind of the file removed.
AFTER_REMOVE: dict[str, list[Callable[[duckdb.DuckDBPyConnection, int], None]]] = {}


@dataclass
class IngestResult:
    file: str
    format: str | None = None
    kind: str | None = None
    rows: int = 0
    rejected: int = 0
    duplicates: int = 0
    warned: int = 0                 # rows kept with a reason (see ingest_rejects, action 'kept')
    status: str = "failed"          # loaded | skipped | failed
    error: str | None = None
    totals: dict[str, float] = field(default_factory=dict)   # currency -> total cost loaded
    source_file_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def choose_reader(s: Sniff, readers: dict[str, Reader], format: str | None) -> Reader:
    known = ", ".join(sorted(readers))
    if format:
        if format not in readers:
            raise IngestError(s.name, f"unknown format {format!r}", hint=f"known formats: {known}")
        return readers[format]
    for reader in readers.values():
        if reader.detect(s):
            return reader
    raise IngestError(s.name, f"unknown format ({s.container} with columns "
                      f"{', '.join(s.columns[:6])}{'…' if len(s.columns) > 6 else ''})",
                      hint=f"pass --format; known formats: {known}")


def ingest_file(con: duckdb.DuckDBPyConnection, path: str | Path, readers: dict[str, Reader],
                format: str | None = None, name: str | None = None,
                options: dict[str, Any] | None = None) -> IngestResult:
    """Load one file. Never raises for bad input: the result says ``failed`` and why."""
    path = Path(path)
    name = name or path.name
    result = IngestResult(file=name)
    try:
        if not path.is_file():
            raise IngestError(name, "no such file")
        # Only a stored file of the same size can be this file: then hash first and skip a repeat.
        # Otherwise the hash (5% of a big load) runs beside the load and is needed only at the end.
        same_size = con.execute(
            "SELECT count(*) FROM source_file WHERE status = 'loaded' AND (bytes = ? OR bytes IS NULL)",
            [path.stat().st_size]).fetchone()[0]  # type: ignore[index]
        with ThreadPoolExecutor(max_workers=1) as pool:
            hashing = pool.submit(sha256_of, path)
            if same_size:
                prior = con.execute("SELECT id, format, kind FROM source_file WHERE sha256 = ? AND status = 'loaded'",
                                    [hashing.result()]).fetchone()
                if prior:
                    result.status, result.source_file_id, result.format, result.kind = "skipped", *prior
                    result.error = "already loaded"
                    return result
            s = sniff(path, name)
            reader = choose_reader(s, readers, format)
            result.format, result.kind = reader.name, reader.kind
            with _threads(con, s):
                _load(con, s, reader, hashing.result, options or {}, result)
    except IngestError as exc:
        result.status, result.error = "failed", str(exc)
        _record_failure(con, name, result)
    except duckdb.IOException as exc:  # disk full, permissions, a store on a vanished mount
        cause = str(exc).splitlines()[0].replace("IO Error: ", "")
        result.status = "failed"
        result.error = str(IngestError(name, f"the store could not be written ({cause})",
                                       hint="free disk space or fix the store's path, then load the file again"))
        _record_failure(con, name, result)
    return result


def _load(con: duckdb.DuckDBPyConnection, s: Sniff, reader: Reader, digest: Callable[[], str],
          options: dict[str, Any], result: IngestResult) -> None:
    """``digest`` returns the file's sha256 (computed beside the load; recorded when it commits)."""
    kind = KINDS[reader.kind]
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(MACROS)
        file_id = con.execute(
            "INSERT INTO source_file (sha256, name, format, kind, bytes, status) "
            "VALUES ('', ?, ?, ?, ?, 'loading') RETURNING id",
            [s.name, reader.name, reader.kind, s.size],
        ).fetchone()[0]  # type: ignore[index]
        ctx = Context(con=con, sniff=s, options=options, number_lines=s.size <= NUMBER_LINES_UP_TO)
        # The load runs under the memory_limit setting (beyond it the stage goes to the store's file,
        # aggregates and joins spill), the AFTER_LOAD hooks too: uncapped, they took a 100M-row load
        # to 3.6 GB (1.7 GB capped). The pricing UPDATEs, which cannot spill, lift the cap for
        # themselves (store.uncapped). The setting is reset (DuckDB's default) when the load ends.
        limit = memory_limit()
        try:
            select_sql = reader.read(ctx)
            if limit:
                con.execute(f"SET memory_limit = '{limit}'")
            # The one pass over the file: its rows, normalized, into a stage table. Counts, rejects,
            # repeated keys, model names and the insert read the stage, not the file again: parsing
            # is most of a load's cost. The stage is a table of the store (compressed, written to the
            # file beyond the memory limit rather than spilled raw), dropped before the load commits.
            # Unnumbered, the rows need not keep the file's order: kept, DuckDB holds finished
            # batches until the ones before them are written (spilled beyond the limit).
            stage = ctx.stage = f"_stage_{file_id}"
            con.execute(f"SET preserve_insertion_order = {str(ctx.number_lines).lower()}")
            con.execute(f"CREATE TABLE {stage} AS {_with_key_hash(con, kind, select_sql)}")
            cols = {r[0] for r in con.execute(f"DESCRIBE {stage}").fetchall()}
            warn = "_warn" if "_warn" in cols else "NULL"
            ok = "FILTER (WHERE _reject IS NULL)"
            models = f"list(DISTINCT {kind.model_raw}) {ok}" if kind.model_raw in cols else "[]"
            total, rejected, warned, raws = con.execute(
                f"SELECT count(*), count(_reject), count({warn}) {ok}, {models} "
                f"FROM {stage}").fetchone()  # type: ignore[misc]
            repeated = not kind.per_file_occurrence and _repeats(con, stage, total - rejected)
            if total == 0:
                raise IngestError(s.name, "no data rows (header only or an empty export)",
                                  hint="export a period that has usage")
            if rejected or warned:
                if not ctx.number_lines:  # rare: read again, numbered, to say which lines
                    ctx.number_lines = True
                    con.execute("SET preserve_insertion_order = true")
                    con.execute(f"CREATE OR REPLACE TABLE {stage} AS {_with_key_hash(con, kind, reader.read(ctx))}")
                _record_rejects(con, ctx, file_id, s.name, cols)
            if rejected == total:
                first = con.execute(
                    "SELECT line, reason FROM ingest_rejects WHERE source_file_id = ? AND action = 'rejected' "
                    "ORDER BY line LIMIT 1", [file_id]).fetchone()
                raise IngestError(s.name, f"every row was rejected; the first: {first[1]}", line=first[0],  # type: ignore[index]
                                  hint=f"check this is a {reader.name} export or pass --format")
            # A reader may finish its rows over the stage (values built once per distinct input).
            finish = getattr(reader, "finish", None)
            rows_sql = f"({finish(ctx)})" if finish else stage
            cols = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {rows_sql}").fetchall()}
            loaded = _insert_new_rows(con, reader.kind, file_id, rows_sql, cols, raws or [], repeated)
            con.execute(f"DROP TABLE {stage}")
        except duckdb.Error as exc:
            raise read_error(s.name, exc, reader.name) from exc
        finally:
            _reset(con, "preserve_insertion_order")
        valid = total - rejected
        for hook in AFTER_LOAD.get(reader.kind, []):
            hook(con, file_id)
        if limit:
            _reset(con, "memory_limit")
        con.execute(
            "UPDATE source_file SET rows_loaded = ?, rows_rejected = ?, rows_duplicate = ?, "
            "rows_warned = ?, status = 'loaded', sha256 = ? WHERE id = ?",
            [loaded, rejected, valid - loaded, warned, digest(), file_id],
        )
        if kind.cost_sql:
            rows = con.execute(
                f"SELECT {kind.currency_sql}, {kind.cost_sql} FROM {kind.table} "
                f"WHERE source_file_id = ? GROUP BY ALL", [file_id]).fetchall()
            result.totals = {str(cur): float(v or 0) for cur, v in rows}
        drop_raw(con)
        con.execute("DROP TABLE IF EXISTS _model_map")
        con.execute("COMMIT")
    except BaseException:
        _rollback(con)
        raise
    result.status, result.rows, result.rejected = "loaded", loaded, rejected
    result.duplicates, result.source_file_id, result.warned = valid - loaded, file_id, warned


def _record_rejects(con: duckdb.DuckDBPyConnection, ctx: Context, file_id: int, name: str,
                    cols: set[str]) -> None:
    """Write rejected and warned rows to ingest_rejects with their line and an excerpt of the raw
    record (cut from ``_raw`` for those lines only)."""
    warn = "s._warn" if "_warn" in cols else "NULL"
    if "_record" in cols:
        record, join = "s._record", ""
    elif ctx.raw_columns:
        record = "r.rec"
        join = (f"LEFT JOIN (SELECT _line, {ctx.record()} AS rec FROM _raw) r ON r._line = s._line")
    else:
        record, join = "NULL", ""
    con.execute(
        "INSERT INTO ingest_rejects (source_file_id, file, line, record, reason, action) "
        f"SELECT ?, ?, s._line, {record}, coalesce(s._reject, {warn}), "
        f"CASE WHEN s._reject IS NULL THEN 'kept' ELSE 'rejected' END "
        f"FROM {ctx.stage} s {join} WHERE s._reject IS NOT NULL OR {warn} IS NOT NULL", [file_id, name])


def _insert_new_rows(con: duckdb.DuckDBPyConnection, kind_name: str, file_id: int, rows_sql: str,
                     cols: set[str], raw_models: list[str], repeats: bool) -> int:
    """Insert the staged rows that are not rejects and not already stored, in one parallel pass,
    with the kind's INSERT_COLUMNS computed over them.

    Canonical model names join in from a small map built once per distinct raw name. The
    anti-join against stored keys is skipped when nothing of this kind is stored yet, and the
    in-file dedupe only runs when the file repeats a key: both matter at 10M rows. The rows go in
    without keeping their order (``_line`` keeps the file's): kept, DuckDB held ordered batches in
    memory, and a 100M-row insert ran out of a 1 GB limit.
    """
    kind = KINDS[kind_name]
    model_sql = _model_map(con, kind, cols, raw_models)
    key = f"s.{_key(kind, cols)}"
    key_expr = (f"{key} || '#' || row_number() OVER (PARTITION BY {key} ORDER BY s._line)"
                if kind.per_file_occurrence else key)
    skip = {kind.key, "line_no", "source_file_id", kind.model}
    names = sorted(c for c in cols if not c.startswith("_") and c not in skip)
    select = ", ".join(["? AS source_file_id", f"{key_expr} AS {kind.key}", "s._line AS line_no",
                        *[f's."{c}"' for c in names], *([f"{model_sql} AS {kind.model}"] if model_sql else [])])
    join = f"LEFT JOIN _model_map m ON m.raw = s.{kind.model_raw}" if model_sql else ""
    sql = f"SELECT * FROM (SELECT {select} FROM {rows_sql} s {join} WHERE s._reject IS NULL) k"
    stored = con.execute(
        f"SELECT EXISTS (SELECT 1 FROM {kind.table} t JOIN source_file f "
        "ON f.id = t.source_file_id AND f.status = 'loaded')").fetchone()[0]  # type: ignore[index]
    if stored:
        sql += (f" WHERE k.{kind.key} NOT IN (SELECT t.{kind.key} FROM {kind.table} t "
                "JOIN source_file f ON f.id = t.source_file_id AND f.status = 'loaded')")
    if repeats:
        sql += f" QUALIFY row_number() OVER (PARTITION BY k.{kind.key} ORDER BY k.line_no) = 1"
    computed = {name: expr for f in INSERT_COLUMNS.get(kind_name, []) for name, expr in f(con, sql, [file_id]).items()}
    if computed:
        sql = f"SELECT r.*, {', '.join(f'{expr} AS {name}' for name, expr in computed.items())} FROM ({sql}) r"
    con.execute("SET preserve_insertion_order = false")
    try:
        return con.execute(f"INSERT INTO {kind.table} BY NAME {sql}", [file_id]).fetchone()[0]  # type: ignore[index]
    finally:
        _reset(con, "preserve_insertion_order")


@contextmanager
def _threads(con: duckdb.DuckDBPyConnection, s: Sniff) -> Iterator[None]:
    """One thread more than the connection has while a compressed file loads. DuckDB inflates a
    gzip file one buffer at a time under a lock, so with a thread per core one core waits while the
    other inflates: at 100M rows the stage used 1.76 of 2 cores and took 605 s; with a third thread
    1.88 cores and 582 s, the load 750 s against 811 (docs/performance.md, Session 9). A plain file
    is read in parallel and gained nothing. Set outside the load's transaction and put back after
    it commits or rolls back (a failed statement's transaction refuses SET)."""
    if not s.compression:
        yield
        return
    threads = int(con.execute("SELECT current_setting('threads')").fetchone()[0])  # type: ignore[index]
    con.execute(f"SET threads = {threads + 1}")
    try:
        yield
    finally:
        try:
            con.execute(f"SET threads = {threads}")
        except duckdb.Error:  # a connection a full disk invalidated (see _rollback): nothing to put back
            pass


def _with_key_hash(con: duckdb.DuckDBPyConnection, kind: Kind, select_sql: str) -> str:
    """The stage's SELECT with ``_key_hash``, the 64-bit hash of the row's key, for kinds whose keys
    are checked for repeats (_repeats): hashed once as the rows are read rather than once per
    slice (five passes over the text keys at 100M rows)."""
    if kind.per_file_occurrence:
        return select_sql
    names = {r[0] for r in con.execute(f"DESCRIBE {select_sql}").fetchall()}
    return f"SELECT *, hash({_key(kind, names)}) AS _key_hash FROM ({select_sql})"


def _repeats(con: duckdb.DuckDBPyConnection, stage: str, rows: int) -> bool:
    """Whether a key repeats among the stage's valid rows. Their 64-bit hashes (``_key_hash``) are
    counted distinct (equal keys hash equal, so no repeat is missed; a collision only sends the file
    through the insert's dedupe, which keeps the same rows), in slices of at most REPEAT_SLICE rows
    by hash: a DISTINCT over 100M keys at once ran out of the 1 GB cap."""
    slices = max(1, -(-rows // REPEAT_SLICE))
    for i in range(slices):
        part = f" AND _key_hash % {slices} = {i}" if slices > 1 else ""
        n, distinct = con.execute(f"SELECT count(*), count(DISTINCT _key_hash) FROM {stage} "
                                  f"WHERE _reject IS NULL{part}").fetchone()  # type: ignore[misc]
        if n > distinct:
            return True
    return False


def _key(kind: Kind, cols: set[str]) -> str:
    """The rows' natural identity: the reader's ``_key``, or the kind's key column when the reader
    left ``_key`` out because it is the same value (a request's id: one copy less in the stage)."""
    return "_key" if "_key" in cols else kind.key


def _model_map(con: duckdb.DuckDBPyConnection, kind: Kind, cols: set[str], raws: list[str]) -> str | None:
    """Build ``_model_map`` (raw -> canonical, through the alias table, once per distinct name)
    and return the SQL for the canonical column, or None when the kind or file has no model."""
    if not kind.model_raw or not kind.model or kind.model_raw not in cols:
        return None
    con.execute("CREATE OR REPLACE TEMP TABLE _model_map (raw VARCHAR, canonical VARCHAR)")
    if raws:
        con.executemany("INSERT INTO _model_map VALUES (?, ?)", [(r, canonical_model(r)) for r in raws])
    given = f"s.{kind.model}" if kind.model in cols else "NULL"
    return f"coalesce({given}, m.canonical)"


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back, tolerating a connection DuckDB has already invalidated (e.g. after a full disk):
    nothing of the transaction was committed either way."""
    try:
        con.execute("ROLLBACK")
    except duckdb.Error:
        pass
    _reset(con, "memory_limit")


def _reset(con: duckdb.DuckDBPyConnection, setting: str) -> None:
    """Back to DuckDB's default for ``setting`` (a failed transaction may refuse it until rolled back)."""
    try:
        con.execute(f"RESET {setting}")
    except duckdb.Error:
        pass


def _record_failure(con: duckdb.DuckDBPyConnection, name: str, result: IngestResult) -> None:
    """Keep a visible trace of a failed file (no rows) so the ingest history shows it."""
    try:
        con.execute(
            "INSERT INTO source_file (sha256, name, format, kind, status, error) "
            "VALUES ('', ?, ?, ?, 'failed', ?)", [name, result.format, result.kind, result.error])
    except duckdb.Error:
        pass  # the store itself is unusable; the error is already in the result


def remove_file(con: duckdb.DuckDBPyConnection, source_file_id: int) -> int:
    """Delete one file's rows and mark it removed, so loading it again works. Returns rows removed."""
    con.execute("BEGIN TRANSACTION")
    try:
        removed = 0
        for kind in KINDS.values():
            removed += con.execute(
                f"DELETE FROM {kind.table} WHERE source_file_id = ?", [source_file_id]
            ).fetchone()[0]  # type: ignore[index]
        for table in DERIVED_TABLES:
            con.execute(f"DELETE FROM {table} WHERE source_file_id = ?", [source_file_id])
        con.execute("DELETE FROM ingest_rejects WHERE source_file_id = ?", [source_file_id])
        con.execute("UPDATE source_file SET status = 'removed' WHERE id = ?", [source_file_id])
        kind_row = con.execute("SELECT kind FROM source_file WHERE id = ?", [source_file_id]).fetchone()
        for hook in AFTER_REMOVE.get(kind_row[0] if kind_row else "", []):
            hook(con, source_file_id)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return removed


def ingest_files(con: duckdb.DuckDBPyConnection, paths: Iterable[str | Path],
                 readers: dict[str, Reader], **kwargs: Any) -> list[IngestResult]:
    return [ingest_file(con, p, readers, **kwargs) for p in paths]
