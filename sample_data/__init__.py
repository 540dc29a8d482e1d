"""The sample company: files in the providers' own export formats, for the demo and the tests.

``files/`` holds real public sample exports (see files/PROVENANCE.md). ``generator.py`` writes the
seeded sample company (Acme: 12 teams, 26 workloads, five billing sources, two gateway logs, evals
and a negotiated-price file); ``slice/`` is a small committed generation the tests use.
"""

from __future__ import annotations

from pathlib import Path

FILES = Path(__file__).parent / "files"
SLICE = Path(__file__).parent / "slice"
# The committed slice's parameters: tests regenerate it and compare bytes.
SLICE_PARAMS = {"seed": 7, "months": 3, "scale": 0.003}
_SUFFIXES = {".csv", ".json", ".jsonl", ".parquet", ".gz", ".toml"}
# Load order: prices first (request costs use them), then bills, logs, evals.
_ORDER = ["prices", "billing", "logs", "evals"]


def demo_files() -> list[Path]:
    """The real public sample exports `rightsize demo` loads besides the sample company."""
    return sorted(p for p in FILES.iterdir() if p.suffix in _SUFFIXES)


def company_files(directory: Path) -> list[Path]:
    """A generated sample company's files in load order (truth.json is not one of them)."""
    out: list[Path] = []
    for sub in _ORDER:
        folder = directory / sub
        if folder.is_dir():
            out += sorted(p for p in folder.iterdir() if p.suffix in _SUFFIXES)
    return out
