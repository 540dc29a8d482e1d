"""The sample company: files in the providers' own export formats, for the demo and the tests."""

from __future__ import annotations

from pathlib import Path

FILES = Path(__file__).parent / "files"


def demo_files() -> list[Path]:
    """The files `rightsize demo` loads."""
    return sorted(p for p in FILES.iterdir() if p.suffix in {".csv", ".json", ".jsonl", ".parquet", ".gz", ".toml"})
