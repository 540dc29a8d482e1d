"""Peek at a file's first bytes to learn its container (CSV, JSON, JSONL, Parquet, gzip) and header.

Readers decide whether a file is theirs from this ``Sniff`` alone; nothing here reads a file whole
unless it is a small JSON document.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.errors import IngestError

HEAD_BYTES = 256 * 1024
JSON_WHOLE_LIMIT = 64 * 1024 * 1024  # JSON documents up to this size are parsed for detection


@dataclass
class Sniff:
    path: Path
    name: str
    container: str                      # csv | json | jsonl | parquet
    compression: str | None = None      # gzip | None
    text: str = ""                      # decoded head, BOM stripped
    columns: list[str] = field(default_factory=list)
    document: Any = None                # parsed JSON document (json) or first record (jsonl)
    size: int = 0

    @property
    def lower(self) -> set[str]:
        """Header names lower-cased, for case-insensitive detection."""
        return {c.lower() for c in self.columns}

    def has(self, *names: str) -> bool:
        low = self.lower
        return all(n.lower() in low for n in names)


BOMB_RATIO = 200          # decompressed/compressed bytes above this (plus slack) is a bomb
BOMB_SLACK = 10 * 1024 * 1024


def check_not_a_bomb(path: Path, name: str) -> None:
    """Stream a gzip file's first bytes through zlib and refuse it if it inflates like a bomb.

    Real exports compress 5-50x; a bomb compresses 1000x. Memory stays bounded (1 MB chunks)."""
    import zlib

    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    read = produced = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            read += len(chunk)
            data = inflater.decompress(chunk, 1 << 24)
            produced += len(data)
            while inflater.unconsumed_tail:
                produced += len(inflater.decompress(inflater.unconsumed_tail, 1 << 24))
                if produced > BOMB_RATIO * read + BOMB_SLACK:
                    break
            if produced > BOMB_RATIO * read + BOMB_SLACK:
                raise IngestError(name, f"inflates more than {BOMB_RATIO}x when decompressed "
                                  "(a compression bomb, or not an export)",
                                  hint="decompress it yourself and load the plain file")
            if read >= 64 * 1024 * 1024:
                return


def _read_head(path: Path, name: str) -> tuple[bytes, str | None]:
    with path.open("rb") as fh:
        magic = fh.read(4)
    if magic[:2] == b"\x1f\x8b":
        check_not_a_bomb(path, name)
        with gzip.open(path, "rb") as gz:
            try:
                return gz.read(HEAD_BYTES), "gzip"
            except (OSError, EOFError) as exc:
                raise IngestError(name, f"not a readable gzip file ({exc})") from exc
    with path.open("rb") as fh:
        return fh.read(HEAD_BYTES), None


def _decode(name: str, head: bytes, truncated: bool) -> str:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise IngestError(name, "the file is UTF-16 encoded", line=1,
                          hint="save it as UTF-8 (e.g. iconv -f UTF-16 -t UTF-8) and load it again")
    if head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8):]
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        return decoder.decode(head, final=not truncated)
    except UnicodeDecodeError as exc:
        line = head[: exc.start].count(b"\n") + 1
        raise IngestError(name, f"not UTF-8 text (byte 0x{head[exc.start]:02x})", line=line,
                          hint="export the file as UTF-8 and load it again") from exc


def sniff(path: Path, name: str | None = None) -> Sniff:
    """Learn the container and header of ``path``. Raises IngestError for empty or binary files."""
    name = name or path.name
    size = path.stat().st_size
    if size == 0:
        raise IngestError(name, "the file is empty", hint="export it again")
    head, compression = _read_head(path, name)
    if head.startswith(b"PAR1"):
        import duckdb

        try:
            cols = [r[0] for r in duckdb.execute(
                "SELECT name FROM parquet_schema(?) WHERE num_children IS NULL OR name <> 'schema'",
                [str(path)]).fetchall()]
        except duckdb.Error as exc:
            raise IngestError(name, f"not a readable Parquet file ({exc})") from exc
        return Sniff(path, name, "parquet", None, "", cols, None, size)
    if head.startswith(b"PK\x03\x04"):
        raise IngestError(name, "zip archives are not read", hint="unzip it and load the files inside")
    truncated = len(head) >= HEAD_BYTES
    text = _decode(name, head, truncated)
    stripped = text.lstrip()
    if not stripped:
        raise IngestError(name, "the file holds only blank space", hint="export it again")
    if _TOML_START.match(_first_statement(stripped)):
        return _sniff_toml(path, name, compression, text, size)
    if stripped[0] in "[{":
        return _sniff_json(path, name, compression, text, size)
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise IngestError(name, f"cannot read a CSV header ({exc})", line=1) from exc
    columns = [h.strip() for h in header]
    return Sniff(path, name, "csv", compression, text, columns, None, size)


# A TOML document (price files) starts, after comments, with a bare [table] / [[array]] header or a
# bare key = value line; JSON never does (its keys and strings are quoted).
_TOML_START = re.compile(r"^(\[\[?\s*[A-Za-z_][\w.-]*\s*\]\]?|[A-Za-z_][\w-]*\s*=)")
TOML_MAX_BYTES = 5 * 1024 * 1024


def _first_statement(text: str) -> str:
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            return line.strip()
    return ""


def _sniff_toml(path: Path, name: str, compression: str | None, text: str, size: int) -> Sniff:
    import tomllib

    if size > TOML_MAX_BYTES:
        raise IngestError(name, f"a TOML file over {TOML_MAX_BYTES // (1024 * 1024)} MB is not a price file")
    raw = gzip.open(path).read() if compression == "gzip" else path.read_bytes()
    try:
        document = tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise IngestError(name, "not UTF-8 text", hint="save the file as UTF-8") from exc
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise IngestError(name, f"invalid TOML: {exc}", line=int(m[1]) if m else None) from exc
    return Sniff(path, name, "toml", compression, text, sorted(document), document, size)


def _sniff_json(path: Path, name: str, compression: str | None, text: str, size: int) -> Sniff:
    first_line = text.lstrip().split("\n", 1)[0].strip()
    # JSON Lines: the first line is a whole object and more lines follow.
    if first_line.startswith("{") and "\n" in text.strip():
        try:
            record = json.loads(first_line)
            return Sniff(path, name, "jsonl", compression, text, sorted(record), record, size)
        except json.JSONDecodeError:
            pass  # a pretty-printed JSON document, handled below
    document: Any = None
    if size <= JSON_WHOLE_LIMIT:
        raw = gzip.open(path, "rb").read() if compression else path.read_bytes()
        try:
            document = json.loads(raw.decode("utf-8-sig"))
        except UnicodeDecodeError as exc:
            raise IngestError(name, "not UTF-8 text", hint="export the file as UTF-8") from exc
        except json.JSONDecodeError as exc:
            raise IngestError(name, f"invalid JSON: {exc.msg} (column {exc.colno})", line=exc.lineno,
                              hint="the file may be truncated; export it again") from exc
    columns: list[str] = []
    if isinstance(document, dict):
        columns = sorted(document)
        # an API page wrapping its rows ({"data": [...]}): the rows' keys tell the format too
        rows = next((document[k] for k in ("data", "observations", "logs", "rows")
                     if isinstance(document.get(k), list)), None)
        if rows and isinstance(rows[0], dict):
            columns += sorted(k for k in rows[0] if k not in document)
    elif isinstance(document, list) and document and isinstance(document[0], dict):
        columns = sorted(document[0])
    return Sniff(path, name, "json", compression, text, columns, document, size)
