"""A mutation corpus for every reader: damaged copies of every real sample and fixture.

Truncations, byte flips, wrong encodings, BOMs, ragged rows, huge/negative/NaN numbers, dates out of
range, JSON nested wrongly, a 10k-column header, gzip bombs. Whatever the damage, ingest_file returns
a clear result (loaded with rejects, or failed with one line naming the file) — never a traceback,
never partial rows, never a hang. The number of cases run is written to test-artifacts/.
"""

from __future__ import annotations

import gzip
import json
import random
import re
import threading
from pathlib import Path

import duckdb
import pytest

import ingest
from ingest.loader import KINDS
from tests.conftest import FIXTURES, ROOT, SAMPLES

MAX_SEED_BYTES = 2_000_000
CASE_SECONDS = 60


def seed_files() -> list[Path]:
    prices = ROOT / "sample_data" / "slice" / "prices"
    found = [p for base in (SAMPLES, FIXTURES, prices) if base.is_dir() for p in sorted(base.rglob("*"))
             if p.is_file() and p.suffix.lower() in {".csv", ".json", ".jsonl", ".gz", ".parquet", ".toml"}
             and p.stat().st_size <= MAX_SEED_BYTES]
    assert found, "no seed files for the mutation corpus"
    return found


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


def mutations(data: bytes, rng: random.Random) -> dict[str, bytes]:
    """Named damaged versions of one file's bytes."""
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    lines = _lines(data)
    out: dict[str, bytes] = {}
    out["truncated"] = data[: rng.randint(1, max(1, len(data) - 1))]
    flipped = bytearray(data)
    for _ in range(5):
        i = rng.randrange(len(flipped))
        flipped[i] = rng.randrange(256)
    out["byte_flips"] = bytes(flipped)
    out["latin1_byte"] = data[: len(data) // 2] + b"\xe9\xff" + data[len(data) // 2:]
    out["bom"] = b"\xef\xbb\xbf" + data
    try:
        out["utf16"] = data.decode("utf-8-sig").encode("utf-16")
    except UnicodeDecodeError:
        pass
    if len(lines) > 2:
        k = rng.randrange(1, len(lines))
        out["ragged"] = b"".join(lines[:k] + [lines[k].rstrip(b"\r\n") + b',"extra",1\n'] + lines[k + 1:])
        out["short_row"] = b"".join(lines[:k] + [lines[k].split(b",")[0] + b"\n"] + lines[k + 1:])
    numbers = list(re.finditer(rb"(?<![\w.])-?\d+\.\d+(?![\w.])", data))
    for label, value in (("huge_number", b"1e308"), ("negative", b"-99999999999.5"), ("nan", b"NaN"),
                         ("overflow", b"9" * 60)):
        if numbers:
            m = rng.choice(numbers)
            out[label] = data[: m.start()] + value + data[m.end():]
    dates = list(re.finditer(rb"\d{4}-\d{2}-\d{2}", data))
    if dates:
        m = rng.choice(dates)
        out["date_out_of_range"] = data[: m.start()] + b"9999-99-99" + data[m.end():]
        out["date_year_1"] = data[: m.start()] + b"0001-01-01" + data[m.end():]
    stripped = data.lstrip()
    if stripped[:1] in (b"{", b"["):
        try:
            doc = json.loads(data.decode("utf-8-sig").splitlines()[0] if data.lstrip()[:1] == b"{" and b"\n{" in data else data.decode("utf-8-sig"))
        except (ValueError, UnicodeDecodeError):
            doc = None
        if doc is not None:
            out["json_wrapped"] = json.dumps({"data": {"data": doc}}).encode()
            out["json_scalars"] = json.dumps([1, "two", None, [3]]).encode()
            out["json_list_of_lists"] = json.dumps([[doc]]).encode()
    else:
        header = lines[0].rstrip(b"\r\n") if lines else b""
        wide = header + b"," + b",".join(b"c%d" % i for i in range(10_000)) + b"\n"
        out["10k_columns"] = wide + b"".join(lines[1:3])
    out["gzip"] = gzip.compress(data)
    out["gzip_bomb"] = gzip.compress(lines[0] + b"0" * 300_000_000 if lines else b"0" * 300_000_000, 9)
    return out


class Deadline:
    """Interrupt DuckDB if one case runs too long (a hang is a failure, not a wait)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, seconds: float):
        self.fired = False
        self.timer = threading.Timer(seconds, self._fire, args=(con,))

    def _fire(self, con: duckdb.DuckDBPyConnection) -> None:
        self.fired = True
        con.interrupt()

    def __enter__(self) -> Deadline:
        self.timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.timer.cancel()


def table_rows(con: duckdb.DuckDBPyConnection) -> dict[int, int]:
    counts: dict[int, int] = {}
    for table in (kind.table for kind in KINDS.values()):
        for fid, n in con.execute(f"SELECT source_file_id, count(*) FROM {table} GROUP BY 1").fetchall():
            counts[fid] = counts.get(fid, 0) + n
    return counts


@pytest.mark.slow
@pytest.mark.parametrize("seed", seed_files(), ids=lambda p: p.name)
def test_damaged_files_never_crash_or_leave_partial_rows(tmp_path: Path, seed: Path) -> None:
    rng = random.Random(seed.name)
    con = ingest.connect(tmp_path / "store.duckdb")
    ran = 0
    for label, data in mutations(seed.read_bytes(), rng).items():
        suffix = ".gz" if label.startswith("gzip") else seed.suffix
        path = tmp_path / f"{label}{suffix}"
        path.write_bytes(data)
        before = table_rows(con)
        with Deadline(con, CASE_SECONDS) as deadline:
            result = ingest.ingest_file(con, path)
        assert not deadline.fired, f"{label}: took longer than {CASE_SECONDS}s"
        assert result.status in {"loaded", "failed", "skipped"}, (label, result)
        after = table_rows(con)
        if result.status == "failed":
            assert result.error and "\n" not in result.error and result.error.startswith(path.name), (label, result.error)
            assert after == before, f"{label}: a failed file left rows behind"
        elif result.status == "loaded":
            fid = result.source_file_id
            assert after.get(fid, 0) == result.rows, (label, result)
            rejects = con.execute("SELECT count(*) FROM ingest_rejects WHERE source_file_id = ? AND action = 'rejected'",
                                  [fid]).fetchone()[0]
            assert rejects == result.rejected, (label, result)
        ran += 1
    artifacts = ROOT / "test-artifacts" / "mutations"
    artifacts.mkdir(parents=True, exist_ok=True)
    (artifacts / f"{seed.name}.txt").write_text(f"{seed}: {ran} mutated cases\n")
    assert ran >= 8
