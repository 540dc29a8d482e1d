"""What the report writers (app/reports) read: periods, and the billing table as FOCUS 1.2 rows."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import polars as pl

from ingest.errors import QueryError
from queries import run_named

if TYPE_CHECKING:
    from queries.rightsizing import Analysis


def period_bounds(period: str) -> tuple[date, date]:
    """``2026-10`` -> (2026-10-01, 2026-11-01); ``2026`` -> the year; ``2026-Q4`` -> the quarter.
    The end is exclusive."""
    if m := re.fullmatch(r"(\d{4})-(\d{2})", period):
        y, mo = int(m[1]), int(m[2])
        if not 1 <= mo <= 12:
            raise QueryError(f"period {period!r}: month must be 01-12")
        return date(y, mo, 1), date(y + (mo == 12), mo % 12 + 1, 1)
    if m := re.fullmatch(r"(\d{4})-[Qq]([1-4])", period):
        y, q = int(m[1]), int(m[2])
        start = date(y, 3 * q - 2, 1)
        return start, (date(y + 1, 1, 1) if q == 4 else date(y, 3 * q + 1, 1))
    if m := re.fullmatch(r"(\d{4})", period):
        return date(int(m[1]), 1, 1), date(int(m[1]) + 1, 1, 1)
    raise QueryError(f"period {period!r}: use YYYY-MM, YYYY-Qn or YYYY")


def focus_rows(con: duckdb.DuckDBPyConnection, period: str, team: str | None = None) -> pl.DataFrame:
    """Billed lines of ``period`` as FOCUS 1.2 columns (plus x_ AI columns), one row per line."""
    start, end = period_bounds(period)
    return run_named(con, "focus_export", {"start": str(start), "end": str(end), "team": team})


# ---------------------------------------------------------------------------------------------
# Everything a finance report holds, gathered once so every writer (XLSX, PDF, CSV) shows the
# same figures as `rightsize spend --json` and `rightsize savings --json` for the same scope.

SPEND_VIEWS = ("provider", "model", "team", "month")
METHODOLOGY = Path(__file__).resolve().parents[1] / "docs" / "methodology.md"


@dataclass
class ReportData:
    """One period (and optionally one team) of spend, savings, reconciliation and prices.

    Special cases: savings, reconciliation and prices are not split by team (requests carry no
    bill-side team tag), so with a team they cover every team and ``notes`` says so; a contract
    function that is not on main yet leaves its frame None and a note naming it.
    """

    period: str
    start: date
    end: date
    team: str | None
    spend_total: pl.DataFrame                     # one row per currency
    spend: dict[str, pl.DataFrame]                # provider, model, team, month
    analysis: Analysis
    reconcile: pl.DataFrame | None
    gap_causes: pl.DataFrame | None
    reconcile_summary: dict[str, Any] | None
    prices: pl.DataFrame | None
    method: list[tuple[str, str]]                 # (section, formula) from docs/methodology.md
    notes: list[str] = field(default_factory=list)

    @property
    def scope(self) -> str:
        return f"{self.period} ({self.start} to {self.end}, end exclusive)" + (f", team {self.team}" if self.team else "")


def report_data(con: duckdb.DuckDBPyConnection, period: str, team: str | None = None) -> ReportData:
    """Run every query a report needs for ``period`` (YYYY-MM, YYYY-Qn or YYYY) and ``team``."""
    from queries import reconcile as rec
    from queries.rightsizing import Scenario, analyse
    from queries.spend import spend_by

    start, end = period_bounds(period)
    s, e = str(start), str(end)
    notes: list[str] = []
    spend_total = spend_by(con, [], start=s, end=e, team=team)
    spend = {by: spend_by(con, [by], start=s, end=e, team=team) for by in SPEND_VIEWS}
    analysis = analyse(con, Scenario(start=s, end=e))
    if team:
        notes.append(f"Spend is team {team}'s tagged spend; savings, reconciliation and prices cover every team "
                     "(request logs are not split by the bill's team tag).")
    recon = rec.reconcile(con, s, e, "month")
    causes = rec.gap_causes(con, s, e)
    summary = rec.summary(con, s, e)
    prices: pl.DataFrame | None = None
    try:
        from queries.prices import prices_used  # the lead's contract; may not be merged yet
    except ImportError:
        notes.append("Prices: queries.prices.prices_used is not available in this build; the Prices sheet is empty.")
    else:
        prices = prices_used(con, s, e)
    return ReportData(period, start, end, team, spend_total, spend, analysis, recon, causes, summary, prices,
                      methodology_formulas(), notes)


def methodology_formulas(path: Path = METHODOLOGY) -> list[tuple[str, str]]:
    """The formulas of docs/methodology.md: each indented block (4 spaces) under its ``##`` section,
    so the workbook's Method sheet is the document, not a copy that drifts."""
    out: list[tuple[str, str]] = []
    section = ""
    block: list[str] = []

    def flush() -> None:
        if block:
            out.append((section, "\n".join(block).strip("\n")))
            block.clear()

    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            flush()
            section = line.lstrip("#").strip()
        elif line.startswith("    ") and line.strip():
            block.append(line[4:])
        elif not line.strip() and block:
            block.append("")
        else:
            flush()
    flush()
    return out
