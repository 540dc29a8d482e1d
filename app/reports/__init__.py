"""Report writers, fed only by ``queries``. One small record per format (harlequin's habit); an
unknown name raises an error that lists the valid ones."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingest.errors import QueryError


@dataclass(frozen=True)
class ReportFormat:
    name: str
    suffix: str
    description: str
    write: Callable[[duckdb.DuckDBPyConnection, str, str | None, Path], Path]


def _focus(con: duckdb.DuckDBPyConnection, period: str, team: str | None, out: Path) -> Path:
    from app.reports.focus import write_focus

    return write_focus(con, period, team, out)


FORMATS: dict[str, ReportFormat] = {
    f.name: f
    for f in [
        ReportFormat("focus", ".csv", "FOCUS 1.2 CSV of the billing table, with x_ columns for the AI fields", _focus),
    ]
}


def get_format(name: str) -> ReportFormat:
    if name not in FORMATS:
        raise QueryError(f"unknown report format {name!r}; choose from {', '.join(FORMATS)}")
    return FORMATS[name]
