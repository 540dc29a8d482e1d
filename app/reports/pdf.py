"""The savings memo (2-4 pages): the headline, the savings chart, the top workloads to move, the risks
and the evidence, the assumptions. Every figure comes from ``queries.reports.report_data``.

The chart is a Plotly figure exported as a static PNG by kaleido driving a Chromium that is already
installed (Debian's /usr/bin/chromium; kaleido cannot download one offline), found through
``BROWSER_PATH`` or ``shutil.which``. No Chromium is an error that says what to install, never a
memo without its chart. Text from user data is escaped for reportlab's mini-markup.
"""

from __future__ import annotations

import os
import shutil
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

import duckdb
import plotly.graph_objects as go
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ingest.errors import ConfigError
from queries.reports import ReportData, report_data

TOP_WORKLOADS = 10


def chromium() -> str:
    """The Chromium kaleido drives: BROWSER_PATH if set, else chromium / chromium-browser on PATH."""
    found = os.environ.get("BROWSER_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        raise ConfigError("the PDF's charts need Chromium: install it (apt-get install chromium) or set BROWSER_PATH")
    return found


def savings_chart(data: ReportData) -> bytes:
    """Top workloads by base savings, with the low-high interval as error bars (PNG bytes)."""
    w = data.analysis.workloads.filter(data.analysis.workloads["savings"] > 0).sort("savings", descending=True)
    w = w.head(TOP_WORKLOADS).reverse()
    fig = go.Figure(go.Bar(
        x=w["savings"].to_list(), y=w["workload"].to_list(), orientation="h", marker_color="#2E6DB4",
        error_x={"type": "data", "symmetric": False,
                 "array": (w["savings_high"] - w["savings"]).to_list(),
                 "arrayminus": (w["savings"] - w["savings_low"]).to_list()}))
    fig.update_layout(title=f"Projected savings by workload, {data.period} (USD; bars: low-high)",
                      width=900, height=120 + 38 * max(w.height, 1), margin={"l": 10, "r": 20, "t": 50, "b": 40},
                      plot_bgcolor="white", xaxis={"tickprefix": "$", "gridcolor": "#DDDDDD"},
                      yaxis={"automargin": True})
    os.environ.setdefault("BROWSER_PATH", chromium())
    return fig.to_image(format="png", scale=2)


# reportlab's built-in fonts are Latin-1: spell out the few symbols our texts use.
_SYMBOLS = str.maketrans({"≥": ">=", "≤": "<=", "−": "-", "–": "-", "—": "-", "×": "x", "·": "*"})


def latin(text: str) -> str:
    return text.translate(_SYMBOLS).encode("latin-1", "replace").decode("latin-1")


def _money(v: float | None) -> str:
    return "-" if v is None else f"${v:,.2f}"


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{v:.1%}"


def write_pdf(con: duckdb.DuckDBPyConnection, period: str, team: str | None, out: Path) -> Path:
    """Write the memo for ``period`` (and ``team``) to ``out``."""
    data = report_data(con, period, team)
    png = savings_chart(data)
    out.parent.mkdir(parents=True, exist_ok=True)
    ss = getSampleStyleSheet()
    body, small = ss["BodyText"], ss["BodyText"].clone("small", fontSize=8, leading=10)
    a, t = data.analysis, data.analysis.totals

    def p(text: str, style=body) -> Paragraph:  # noqa: ANN001 - a reportlab style
        return Paragraph(escape(latin(text)), style)

    story: list = [Paragraph("Savings memo: LLM spend, " + escape(data.period), ss["Title"]),
                   p(f"Scope: {data.scope}. Price catalog: {a.catalog_version or 'unknown'}.")]
    # 1. the headline
    story.append(Paragraph("Headline", ss["Heading2"]))
    for r in data.spend_total.to_dicts():
        story.append(p(f"Billed spend in the period: {float(r['billed_cost']):,.2f} {r['currency']}."))
    story.append(p(f"Moving the workloads rightsize found to cheaper models would save {_money(t['savings'])} "
                   f"(low {_money(t['savings_low'])}, high {_money(t['savings_high'])}) of a current "
                   f"{_money(t['current_cost'])}, {_pct(t['savings_share'])} of the logged workloads' cost."))
    story.append(p(a.thesis["verdict"]))
    story.append(Spacer(1, 0.3 * cm))
    img = Image(BytesIO(png))
    img.drawWidth, img.drawHeight = 17 * cm, 17 * cm * img.imageHeight / img.imageWidth
    story.append(img)
    # 2. the workloads to move
    story.append(Paragraph("Top workloads to move", ss["Heading2"]))
    top = a.workloads.filter(a.workloads["savings"] > 0).sort("savings", descending=True).head(TOP_WORKLOADS)
    rows = [["workload", "current", "candidate", "eligible (interval)", "basis", "savings (low-high)"]]
    for r in top.to_dicts():
        rows.append([Paragraph(escape(latin(r["workload"])), small),
                     Paragraph(escape(latin(r["current_model"] or "-")), small),
                     Paragraph(escape(latin(r["candidate_model"] or "-")), small),
                     f"{_pct(r['eligible_share'])} ({_pct(r['eligible_low'])}-{_pct(r['eligible_high'])})",
                     r["basis"], f"{_money(r['savings'])} ({_money(r['savings_low'])}-{_money(r['savings_high'])})"])
    table = Table(rows, colWidths=[3.6 * cm, 3 * cm, 3 * cm, 3.2 * cm, 1.6 * cm, 3.6 * cm], repeatRows=1)
    table.setStyle(TableStyle([("FONTSIZE", (0, 0), (-1, -1), 8), ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDE4EE")),
                               ("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story.append(table)
    # 3. risks and evidence
    story.append(Paragraph("Risks and evidence", ss["Heading2"]))
    b = t["basis"]
    story.append(p(f"{b['evidence']} of {t['workloads']} workloads rest on evaluation evidence; {b['prior']} rest on "
                   "the prior (a rule of thumb with a wide interval), so their savings are estimates to test with "
                   "an eval before moving."))
    if t["unpriced_requests"]:
        story.append(p(f"{t['unpriced_requests']:,} requests use models no price catalog knows: they are left out of "
                       "the savings, never counted as $0."))
    s = data.reconcile_summary
    if s:
        story.append(p(f"Reconciliation: billed {_money(s['billed'])}, priced from the logs by rightsize "
                       f"{_money(s['request_cost'])}, a gap of {_money(s['gap_vs_our_prices'])}."))
    if data.gap_causes is not None:
        for r in data.gap_causes.to_dicts():
            if r["amount"]:
                story.append(p(f"- {r['cause']}: {_money(float(r['amount']))} ({r['note']})", small))
    story.append(p(a.hybrid.get("summary", "") and f"Hybrid scenario: {a.hybrid['summary']}."))
    # 4. assumptions
    story.append(Paragraph("Assumptions", ss["Heading2"]))
    for k, v in a.scenario.as_dict().items():
        story.append(p(f"{k}: {v if v not in (None, {}) else '-'}", small))
    for n in data.notes:
        story.append(p("Note: " + n, small))
    story.append(p("Formulas: docs/methodology.md (and the Method sheet of the workbook).", small))
    SimpleDocTemplate(str(out), pagesize=A4, title=f"rightsize savings memo {data.period}", author="rightsize",
                      leftMargin=2 * cm, rightMargin=2 * cm, topMargin=1.8 * cm, bottomMargin=1.8 * cm).build(story)
    return out
