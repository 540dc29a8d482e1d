"""Files that arrive as bytes (the dashboard's uploader), loaded safely.

- The user's file name is only ever a label: bytes go to a temporary file with a generated name,
  in a private folder, removed afterwards.
- The size limit is the ``upload_max_mb`` setting, checked before anything is written.
- The type is decided by content (the reader's sniffing), never by the name's extension.
"""

from __future__ import annotations

import os
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

import duckdb

from ingest import ingest_file, settings
from ingest.errors import IngestError
from ingest.loader import IngestResult
from ingest.sniff import sniff

# Suffixes only tell DuckDB how a file is compressed; they come from the content, not the name.
_SUFFIX = {b"\x1f\x8b": ".gz", b"PAR1": ".parquet"}


def display_name(name: str) -> str:
    """A label safe to show and store: no path parts, no control characters, at most 200 chars."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    clean = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    return (clean or "upload")[:200]


def _temp_copy(data: bytes) -> Path:
    suffix = next((s for magic, s in _SUFFIX.items() if data.startswith(magic)), "")
    fd, path = tempfile.mkstemp(prefix="rightsize-upload-", suffix=suffix)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return Path(path)


def check_size(name: str, size: int) -> None:
    limit_mb = int(settings.get("upload_max_mb"))
    if size > limit_mb * 1024 * 1024:
        raise IngestError(display_name(name), f"is {size / 1024 / 1024:,.1f} MB, over the upload limit of {limit_mb} MB",
                          hint="load it with `rightsize ingest`, or raise RIGHTSIZE_UPLOAD_MAX_MB")


def preview(data: bytes, name: str, format: str | None = None) -> dict[str, Any]:
    """What the uploader shows before loading: the detected format and kind, and the header."""
    from ingest import READERS
    from ingest.loader import choose_reader

    label = display_name(name)
    check_size(label, len(data))
    path = _temp_copy(data)
    try:
        s = sniff(path, label)
        reader = choose_reader(s, READERS, format)
        return {"file": label, "format": reader.name, "kind": reader.kind, "container": s.container,
                "columns": s.columns[:50]}
    finally:
        path.unlink(missing_ok=True)


def ingest_upload(con: duckdb.DuckDBPyConnection, data: bytes, name: str, format: str | None = None,
                  options: dict[str, Any] | None = None) -> IngestResult:
    """Load uploaded bytes like a file; never raises for bad input (the result says why)."""
    label = display_name(name)
    try:
        check_size(label, len(data))
    except IngestError as exc:
        return IngestResult(file=label, status="failed", error=str(exc))
    path = _temp_copy(data)
    try:
        return ingest_file(con, path, format=format, name=label, options=options)
    finally:
        path.unlink(missing_ok=True)
