"""The store: one DuckDB database, created and upgraded by ordered, named migrations.

The store is addressed by a path or a SQLAlchemy URL (``duckdb:///data/rightsize.duckdb``) so a team
can point it elsewhere; connections are short-lived so the CLI can load while the dashboard reads.
Public views (``billing``, ``requests``, ...) are the documented contract (docs/store.md); tables
behind them may change between migrations.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import duckdb
from sqlalchemy.engine import make_url

from ingest import settings
from ingest.errors import ConfigError, StoreBusy

MIGRATIONS_TABLE = "schema_migrations"


def resolve_db(db: str | Path | None = None) -> str:
    """Turn a path, a SQLAlchemy URL or None (the setting) into what ``duckdb.connect`` takes."""
    target = str(db) if db is not None else str(settings.get("db"))
    if "://" in target:
        url = make_url(target)
        if url.get_backend_name() != "duckdb":
            raise ConfigError(f"store URL {target!r}: only duckdb:// URLs are supported")
        target = url.database or ":memory:"
    return target


def migrations() -> list[tuple[str, str]]:
    """(name, sql) for every migration, in the order they apply."""
    folder = resources.files("ingest") / "migrations"
    files = sorted((p for p in folder.iterdir() if p.name.endswith(".sql")), key=lambda p: p.name)
    return [(p.name.removesuffix(".sql"), p.read_text()) for p in files]


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply the migrations this store has not seen yet, each in its own transaction."""
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} "
        "(name VARCHAR PRIMARY KEY, applied_at TIMESTAMP DEFAULT current_localtimestamp())"
    )
    done = {r[0] for r in con.execute(f"SELECT name FROM {MIGRATIONS_TABLE}").fetchall()}
    applied = []
    for name, sql in migrations():
        if name in done:
            continue
        con.execute("BEGIN")
        try:
            con.execute(sql)
            con.execute(f"INSERT INTO {MIGRATIONS_TABLE} (name) VALUES (?)", [name])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        applied.append(name)
    return applied


WRITER_WAITING_FRESH = 2.0  # seconds; a waiting writer touches its flag at least every 0.5 s


def writer_flag(path: Path) -> Path:
    """The file a writer kept out by readers touches while it waits for the store's lock."""
    return path.with_name(path.name + ".writer-waiting")


def _writer_waiting(flag: Path) -> bool:
    try:
        return time.time() - flag.stat().st_mtime < WRITER_WAITING_FRESH
    except OSError:
        return False


def connect(db: str | Path | None = None, read_only: bool = False,
            retry_seconds: float | None = None) -> duckdb.DuckDBPyConnection:
    """Open the store (creating and migrating it unless read-only).

    DuckDB lets one process write a file at a time, and not while another process reads it. A busy
    store is retried for ``retry_seconds`` (default: the ``store_wait`` setting), then ``StoreBusy``
    is raised. Writers go first: a writer that finds the store locked touches ``writer_flag`` while
    it waits, and readers hold back while the flag is fresh, so a stream of dashboard reads cannot
    keep `rightsize ingest` out. A flag left by a writer that died goes stale in
    ``WRITER_WAITING_FRESH`` seconds.
    """
    target = resolve_db(db)
    flag: Path | None = None
    if target != ":memory:" and not target.startswith("md:"):
        path = Path(target)
        if read_only and not path.exists():
            # An empty store: give a migrated in-memory database so pages render their welcome.
            con = duckdb.connect(":memory:")
            migrate(con)
            return con
        path.parent.mkdir(parents=True, exist_ok=True)
        flag = writer_flag(path)
    wait = float(settings.get("store_wait")) if retry_seconds is None else retry_seconds
    deadline = time.monotonic() + wait
    delay = 0.05
    flagged = False
    try:
        while True:
            if read_only and flag is not None and _writer_waiting(flag) and time.monotonic() < deadline:
                time.sleep(0.05)
                continue
            try:
                con = duckdb.connect(target, read_only=read_only)
                break
            except duckdb.IOException as exc:
                if "lock" not in str(exc).lower():
                    raise ConfigError(f"cannot open the store {target}: {exc}") from exc
                if time.monotonic() > deadline:
                    held = re.split(r"\. (However|See also)", str(exc))[0].removeprefix("IO Error: ")  # not DuckDB's advice
                    raise StoreBusy(f"the store {target} is busy: another process held it for {wait:.0f} s "
                                    f"(a `rightsize ingest` loading a file?); try again when it is done, or "
                                    f"wait longer with the store_wait setting ({held})") from exc
            if not read_only and flag is not None:
                try:
                    flag.touch()
                    flagged = True
                except OSError:
                    pass  # a read-only folder: wait without the flag
            time.sleep(delay)
            delay = min(delay * 2, 0.5)
    finally:
        if flagged and flag is not None:
            flag.unlink(missing_ok=True)
    con.execute("SET enable_progress_bar = false")
    con.execute("SET TimeZone = 'UTC'")  # timestamps without an offset are UTC, whatever the machine says
    if not read_only:
        migrate(con)
    return con



def memory_limit() -> str | None:
    """The ``memory_limit`` setting, checked: the cap the loader puts on a load (``uncapped`` lifts it)."""
    limit = str(settings.get("memory_limit") or "").strip()
    if not limit:
        return None
    if not re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B", limit, flags=re.IGNORECASE):
        raise ConfigError(f"memory_limit {limit!r} is not a size such as 1GB or 512MB")
    return limit


@contextmanager
def uncapped(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Lift the connection's memory_limit for a statement that cannot spill (an UPDATE holds its new
    values in memory until the commit) and put it back after."""
    cap = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]  # type: ignore[index]
    con.execute("RESET memory_limit")
    default = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]  # type: ignore[index]
    try:
        yield
    finally:
        if cap != default:
            con.execute(f"SET memory_limit = '{cap}'")
