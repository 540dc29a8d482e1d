"""The savings workbook a controller forwards unchanged: Summary, spend by provider/model/team/month,
Workloads, Scenarios, Reconciliation, Prices and Method, every figure from ``queries.reports.report_data``.

Values only, never formulas (they are what breaks between Excel and LibreOffice; the one chart reads
cells). Every text cell goes through ``safe.neutralize`` and is written with ``write_string`` so a
team or model named ``=HYPERLINK(...)`` stays text. Money is written from DuckDB DECIMAL as a number
with a currency format (the full value is kept; the format shows cents); shares get a % format.
Every table has a frozen header row, an autofilter and column widths fitted to its content.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from app.reports.safe import neutralize
from queries.reports import ReportData, report_data

MONEY = '"$"#,##0.00'           # USD amounts (analysis, reconciliation are in USD)
MONEY_FINE = '"$"#,##0.0000'    # per-unit prices and tiny per-workload costs
PERCENT = "0.0%"
INTEGER = "#,##0"

# Sheet names in order (the structure snapshot in the tests holds them).
SHEETS = ["Summary", "Spend by provider", "Spend by model", "Spend by team", "Spend by month", "Workloads",
          "Scenarios", "Reconciliation", "Prices", "Method"]

WORKLOAD_COLUMNS = ["workload", "requests", "current_model", "current_cost", "candidate_model", "candidate_tier",
                    "price_reduction", "eligible_share", "eligible_low", "eligible_high", "basis", "basis_detail",
                    "projected_cost", "savings_low", "savings", "savings_high", "savings_per_month", "reason"]


def column_format(name: str) -> str | None:
    """The number format a column gets, by name (the queries' naming is consistent)."""
    if name in ("requests", "lines", "tokens", "unpriced_requests", "evaluated", "eligible_count", "order"):
        return INTEGER
    if "share" in name or name.startswith("eligible") or name in ("price_reduction", "cost_ratio", "savings_share"):
        return PERCENT
    if name.startswith("usd_per") or name.endswith("_mtok"):
        return MONEY_FINE
    if any(w in name for w in ("cost", "savings", "amount", "gap", "billed", "logged")):
        return MONEY
    return None


def cell_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value


class _Book:
    """A workbook with one format cache and the write helpers every sheet uses."""

    def __init__(self, out: Path) -> None:
        self.wb: Workbook = xlsxwriter.Workbook(str(out), {"strings_to_formulas": False, "strings_to_urls": False,
                                                          "strings_to_numbers": False})
        self.header = self.wb.add_format({"bold": True, "bg_color": "#DDE4EE", "bottom": 1, "text_wrap": True,
                                          "valign": "top"})
        self.bold = self.wb.add_format({"bold": True})
        self.title = self.wb.add_format({"bold": True, "font_size": 14})
        self.wrap = self.wb.add_format({"text_wrap": True, "valign": "top"})
        self._formats: dict[str, Any] = {}

    def fmt(self, num_format: str | None) -> Any:
        if num_format is None:
            return None
        if num_format not in self._formats:
            self._formats[num_format] = self.wb.add_format({"num_format": num_format})
        return self._formats[num_format]

    def put(self, ws: Worksheet, row: int, col: int, value: Any, num_format: str | None = None) -> int:
        """Write one cell; returns the width it needs."""
        value = cell_value(value)
        if value is None:
            ws.write_blank(row, col, None)
            return 0
        if isinstance(value, bool):
            ws.write_boolean(row, col, value)
            return 5
        if isinstance(value, (int, float)):
            ws.write_number(row, col, value, self.fmt(num_format))
            return 14
        text = neutralize(str(value)) or ""
        ws.write_string(row, col, text)
        return min(60, max((len(p) for p in text.splitlines()), default=0) + 2)

    def table(self, name: str, df: pl.DataFrame, formats: dict[str, str | None] | None = None,
              intro: list[str] | None = None) -> Worksheet:
        """A sheet holding ``df`` as a table: optional intro lines, then a frozen, filtered header."""
        ws = self.wb.add_worksheet(name)
        row = 0
        for line in intro or []:
            ws.write_string(row, 0, neutralize(line) or "")
            row += 1
        if intro:
            row += 1
        cols = df.columns
        widths = [len(c) + 2 for c in cols]
        for j, c in enumerate(cols):
            ws.write_string(row, j, c, self.header)
        cur = cols.index("currency") if "currency" in cols else None
        for i, rec in enumerate(df.iter_rows(), start=row + 1):
            for j, v in enumerate(rec):
                f = (formats or {}).get(cols[j], column_format(cols[j]))
                if f == MONEY and cur is not None and rec[cur] not in (None, "USD"):
                    f = f'#,##0.00 "{rec[cur]}"'  # a row billed in another currency shows its own
                widths[j] = max(widths[j], self.put(ws, i, j, v, f))
        for j, w in enumerate(widths):
            ws.set_column(j, j, min(max(w, 10), 60))
        ws.freeze_panes(row + 1, 0)
        ws.autofilter(row, 0, row + max(df.height, 1), max(len(cols) - 1, 0))
        return ws


def write_xlsx(con: duckdb.DuckDBPyConnection, period: str, team: str | None, out: Path) -> Path:
    """Write the workbook for ``period`` (and ``team``) to ``out``."""
    data = report_data(con, period, team)
    out.parent.mkdir(parents=True, exist_ok=True)
    book = _Book(out)
    _summary(book, data)
    for by in ("provider", "model", "team", "month"):
        book.table(f"Spend by {by}", data.spend[by],
                   intro=[f"Billed spend by {by}, {data.scope}. Amounts in the row's currency."])
    a = data.analysis
    book.table("Workloads", a.workloads.select([c for c in WORKLOAD_COLUMNS if c in a.workloads.columns]),
               formats={"current_cost": MONEY_FINE, "projected_cost": MONEY_FINE, "savings": MONEY_FINE,
                        "savings_low": MONEY_FINE, "savings_high": MONEY_FINE, "savings_per_month": MONEY_FINE},
               intro=[f"Workloads of {data.scope}: the candidate assessed, its eligible share with interval, "
                      "the basis (evidence or prior) and the savings low / base / high (USD)."])
    book.table("Scenarios", _scenario_frame(data), formats={"value": None},
               intro=["The assumptions this report used (rightsize savings options) and the prior rules a workload "
                      "without evidence falls back on."])
    _reconciliation(book, data)
    if data.prices is not None:
        book.table("Prices", data.prices, intro=["Every price used in the period, with its source, catalog version "
                                                 "and effective date (USD per million tokens)."])
    else:
        book.table("Prices", pl.DataFrame({"note": [n for n in data.notes if n.startswith("Prices")]}))
    book.table("Method", pl.DataFrame(data.method, schema=["section", "formula"], orient="row"),
               intro=["The formulas behind every figure, from docs/methodology.md."])
    book.wb.get_worksheet_by_name("Method").set_column(1, 1, 100, book.wrap)
    book.wb.close()
    return out


def _scenario_frame(data: ReportData) -> pl.DataFrame:
    rows = [("scenario", k, cell_value(v) if v is not None else "") for k, v in data.analysis.scenario.as_dict().items()]
    rows.append(("scenario", "catalog_version", data.analysis.catalog_version or ""))
    for r in data.analysis.rules.to_dicts():
        rows.append(("prior rule", f"{r['order']}. {r['rule']}",
                     f"{r['condition']}: eligible {r['eligible_share']:.0%} "
                     f"({r['eligible_low']:.0%}-{r['eligible_high']:.0%}). {r['why']}"))
    return pl.DataFrame([(a, b, str(c)) for a, b, c in rows], schema=["kind", "assumption", "value"], orient="row")


def _reconciliation(book: _Book, data: ReportData) -> None:
    s = data.reconcile_summary or {}
    intro = [f"The bill against the request logs, {data.period} (every team)."]
    if s:
        intro.append(f"billed {s['billed']:,.2f} USD, logged {s['logged']:,.2f}, priced by rightsize "
                     f"{s['request_cost']:,.2f}; gap (billed - priced) {s['gap_vs_our_prices']:,.2f}.")
    ws = book.table("Reconciliation", data.reconcile if data.reconcile is not None else pl.DataFrame(), intro=intro)
    if data.gap_causes is not None:
        start = (data.reconcile.height if data.reconcile is not None else 0) + len(intro) + 4
        ws.write_string(start - 1, 0, "Causes of the gap (they sum to the gap)", book.bold)
        for j, c in enumerate(data.gap_causes.columns):
            ws.write_string(start, j, c, book.header)
        for i, rec in enumerate(data.gap_causes.iter_rows(), start=start + 1):
            for j, v in enumerate(rec):
                book.put(ws, i, j, v, column_format(data.gap_causes.columns[j]))


def _summary(book: _Book, data: ReportData) -> None:
    a, t = data.analysis, data.analysis.totals
    ws = book.wb.add_worksheet("Summary")
    ws.set_column(0, 0, 34)
    ws.set_column(1, 1, 22)
    ws.set_column(2, 3, 16)
    ws.write_string(0, 0, "rightsize savings report", book.title)
    rows: list[tuple[str, Any, str | None]] = [("Period", data.period, None),
                                               ("From (inclusive)", str(data.start), None),
                                               ("To (exclusive)", str(data.end), None),
                                               ("Team", data.team or "all teams", None)]
    for r in data.spend_total.to_dicts():
        rows.append((f"Total billed spend ({r['currency']})", r["billed_cost"], MONEY if r["currency"] == "USD"
                     else f'#,##0.00 "{r["currency"]}"'))
    rows += [("Current cost of the logged workloads (USD)", t["current_cost"], MONEY),
             ("Projected cost (USD)", t["projected_cost"], MONEY),
             ("Projected savings, low (USD)", t["savings_low"], MONEY),
             ("Projected savings, base (USD)", t["savings"], MONEY),
             ("Projected savings, high (USD)", t["savings_high"], MONEY),
             ("Savings share", t["savings_share"], PERCENT),
             ("Workloads", t["workloads"], INTEGER),
             ("Workloads on evidence / on the prior", f"{t['basis']['evidence']} / {t['basis']['prior']}", None),
             ("Requests", t["requests"], INTEGER),
             ("Unpriced requests", t["unpriced_requests"], INTEGER),
             ("Price catalog", a.catalog_version or "", None),
             ("Thesis verdict", a.thesis["verdict"], None)]
    rows += [("Note", n, None) for n in data.notes]
    ws.write_string(2, 0, "item", book.header)
    ws.write_string(2, 1, "value", book.header)
    for i, (label, value, f) in enumerate(rows, start=3):
        ws.write_string(i, 0, label)
        book.put(ws, i, 1, value, f)
    ws.freeze_panes(3, 0)
    ws.autofilter(2, 0, 2 + len(rows), 1)
    verdict_row = 3 + [r[0] for r in rows].index("Thesis verdict")
    ws.set_row(verdict_row, 90, book.wrap)
    ws.set_column(1, 1, 22, book.wrap)
    low = 3 + [r[0] for r in rows].index("Projected savings, low (USD)")
    chart = book.wb.add_chart({"type": "column"})
    chart.add_series({"name": "Projected savings (USD)", "categories": ["Summary", low, 0, low + 2, 0],
                      "values": ["Summary", low, 1, low + 2, 1], "data_labels": {"value": True, "num_format": MONEY}})
    chart.set_title({"name": "Projected savings: low, base, high"})
    chart.set_legend({"none": True})
    chart.set_y_axis({"num_format": MONEY})
    ws.insert_chart(2, 3, chart, {"x_scale": 1.3, "y_scale": 1.2})
