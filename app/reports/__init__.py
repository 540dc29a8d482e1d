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


def _xlsx(con: duckdb.DuckDBPyConnection, period: str, team: str | None, out: Path) -> Path:
    from app.reports.xlsx import write_xlsx

    return write_xlsx(con, period, team, out)


def _pdf(con: duckdb.DuckDBPyConnection, period: str, team: str | None, out: Path) -> Path:
    from app.reports.pdf import write_pdf

    return write_pdf(con, period, team, out)


def _csv(con: duckdb.DuckDBPyConnection, period: str, team: str | None, out: Path) -> Path:
    from app.reports.tables import write_workloads_csv

    return write_workloads_csv(con, period, team, out)


def _spend_csv(con: duckdb.DuckDBPyConnection, period: str, team: str | None, out: Path) -> Path:
    from app.reports.tables import write_spend_csv

    return write_spend_csv(con, period, team, out)


FORMATS: dict[str, ReportFormat] = {
    f.name: f
    for f in [
        ReportFormat("xlsx", ".xlsx", "Savings workbook: summary, spend, workloads, scenarios, reconciliation, "
                     "prices, method", _xlsx),
        ReportFormat("pdf", ".pdf", "Savings memo (2-4 pages): headline, savings chart, top workloads, risks, "
                     "assumptions", _pdf),
        ReportFormat("csv", ".csv", "CSV of the workload table (candidate, eligible share, savings)", _csv),
        ReportFormat("spend-csv", ".csv", "CSV of billed spend by month, provider, model and team", _spend_csv),
        ReportFormat("focus", ".csv", "FOCUS 1.2 CSV of the billing table, with x_ columns for the AI fields", _focus),
    ]
}


def get_format(name: str) -> ReportFormat:
    if name not in FORMATS:
        raise QueryError(f"unknown report format {name!r}; choose from {', '.join(FORMATS)}")
    return FORMATS[name]
