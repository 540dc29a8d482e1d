"""The ``rightsize`` command line. Every command takes ``--db`` and most take ``--json``.

Errors a user can fix print one line to stderr and exit with status 2.
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import polars as pl
import typer

import ingest
from ingest import RightsizeError
from queries import spend as spend_q

cli = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="rightsize: FinOps for AI spend. Load LLM bills and logs, find what a cheaper model can serve.")

DbOption = Annotated[str | None, typer.Option("--db", envvar="RIGHTSIZE_DB",
                                               help="Store: a DuckDB file or duckdb:/// URL [default: ./data/rightsize.duckdb]")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


def fail(message: str) -> None:
    """Print one line to stderr and exit 2."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def to_jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def frame_records(df: pl.DataFrame) -> list[dict[str, Any]]:
    return [to_jsonable(r) for r in df.to_dicts()]


def print_json(data: Any) -> None:
    typer.echo(json.dumps(to_jsonable(data), indent=2, ensure_ascii=False))


def open_store(db: str | None, read_only: bool = False):  # noqa: ANN201 - a DuckDB connection
    try:
        return ingest.connect(db, read_only=read_only)
    except RightsizeError as exc:
        fail(str(exc))


@cli.command("ingest")
def ingest_cmd(
    files: Annotated[list[Path], typer.Argument(help="Billing exports, request logs, eval results or price files.")],
    db: DbOption = None,
    format: Annotated[str | None, typer.Option("--format", help="Force a format (see `rightsize formats`).")] = None,
    keep_text: Annotated[bool, typer.Option("--keep-text", help="Store prompt and response text of request logs "
                                                                "(by default only their length and a hash).")] = False,
    map: Annotated[list[str] | None, typer.Option(
        "--map", help="Read an in-house request log: TARGET=HEADER pairs, comma-separated or repeated, "
                      "e.g. input_tokens=prompt_tok,ts=created,tags.env=environment (targets: `rightsize mappings`).")] = None,
    mapping: Annotated[str | None, typer.Option("--mapping", help="Use a column mapping saved with --save-map.")] = None,
    save_map: Annotated[str | None, typer.Option("--save-map", help="Save the --map given under this name.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Load files into the store. Each file loads whole or not at all; loading it again adds nothing."""
    options: dict[str, Any] = {"keep_text": keep_text}
    try:
        options["map"] = column_mapping(db, map, mapping, save_map)
    except RightsizeError as exc:
        fail(str(exc))
    results = []
    for i, path in enumerate(files, 1):
        typer.echo(f"[{i}/{len(files)}] {path.name} ...", err=True)
        con = open_store(db)  # one connection per file: readers (the dashboard) get in between files
        try:
            r = ingest.ingest_file(con, path, format=format, options=options)
        except RightsizeError as exc:
            fail(str(exc))
        finally:
            con.close()
        results.append(r)
        if r.status == "failed":
            typer.echo(f"error: {r.error}", err=True)
        elif not as_json:
            totals = ", ".join(f"{v:,.2f} {cur}" for cur, v in r.totals.items()) or "-"
            extra = f", {r.warned} kept with warnings" if r.warned else ""
            typer.echo(f"{r.file}: {r.status} as {r.format}: {r.rows} rows, {r.rejected} rejected, "
                       f"{r.duplicates} duplicates{extra}; total {totals}")
    if as_json:
        print_json([r.as_dict() for r in results])
    if any(r.status == "failed" for r in results):
        raise typer.Exit(2)


def column_mapping(db: str | None, specs: list[str] | None, name: str | None,
                   save_as: str | None) -> dict[str, str] | None:
    """The column mapping ingest was given: --map pairs, or a saved one (--mapping); --save-map keeps it."""
    from ingest.mapping import load_mapping, parse_map, save_mapping

    if specs and name:
        raise ingest.ConfigError("give --map or --mapping, not both")
    if save_as and not specs:
        raise ingest.ConfigError("--save-map needs the --map to save")
    if not specs and not name:
        return None
    con = open_store(db)
    try:
        if name:
            return load_mapping(con, name)
        parsed = parse_map(specs or [])
        if save_as:
            save_mapping(con, save_as, parsed)
        return parsed
    finally:
        con.close()


@cli.command("mappings")
def mappings_cmd(db: DbOption = None, as_json: JsonOption = False) -> None:
    """List the saved column mappings and the columns a mapping can name."""
    from ingest.mapping import TARGETS, list_mappings

    con = open_store(db, read_only=True)
    try:
        saved = list_mappings(con)
    finally:
        con.close()
    if as_json:
        print_json({"saved": [{"name": n, "map": m} for n, m in saved], "targets": [*TARGETS, "tags.NAME"]})
        return
    for n, m in saved:
        typer.echo(f"{n}: " + ",".join(f"{k}={v}" for k, v in m.items()))
    if not saved:
        typer.echo("no saved mappings (save one: rightsize ingest FILE --map ... --save-map NAME)")
    typer.echo("targets: " + ", ".join([*TARGETS, "tags.NAME"]))


@cli.command("spend")
def spend_cmd(
    by: Annotated[str, typer.Option("--by", help=f"Comma-separated: {', '.join(spend_q.BILLING_DIMENSIONS)}")] = "provider",
    start: Annotated[str | None, typer.Option(help="First day (inclusive), YYYY-MM-DD.")] = None,
    end: Annotated[str | None, typer.Option(help="Last day (exclusive), YYYY-MM-DD.")] = None,
    team: Annotated[str | None, typer.Option("--team", help="Only lines tagged with this team.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Spend totals from the billing view."""
    con = open_store(db, read_only=True)
    try:
        df = spend_q.spend_by(con, [b.strip() for b in by.split(",") if b.strip()], start=start, end=end, team=team)
    except RightsizeError as exc:
        fail(str(exc))
    if as_json:
        print_json(frame_records(df))
    else:
        with pl.Config(tbl_rows=100, tbl_cols=20, fmt_str_lengths=60):
            typer.echo(df)


@cli.command("savings")
def savings_cmd(
    tolerance: Annotated[float, typer.Option(help="Score points a candidate may fall below the baseline and still pass.")] = 0.0,
    escalation: Annotated[float, typer.Option(help="Share of moved requests retried on the current model (both paid), 0-1.")] = 0.0,
    policy: Annotated[str | None, typer.Option(help="Candidate policy, e.g. 'providers=openai,anthropic; same_provider; open_weight; exclude=gpt-5-nano; min_tier=mid'.")] = None,
    period: Annotated[str | None, typer.Option(help="all, a month YYYY-MM, or the last N days like 30d.")] = None,
    start: Annotated[str | None, typer.Option(help="First day (inclusive), YYYY-MM-DD; wins over --period.")] = None,
    end: Annotated[str | None, typer.Option(help="Last day (exclusive), YYYY-MM-DD.")] = None,
    key: Annotated[str | None, typer.Option("--key", help="Workload key when no per-source rule applies (default: the workload_key setting, auto).")] = None,
    tokenizer_factor: Annotated[float, typer.Option(help="Candidate tokens per current-model token for the same text.")] = 1.0,
    growth: Annotated[float, typer.Option(help="Traffic growth applied to current and projected cost (0.2 = +20%).")] = 0.0,
    cache_hit_target: Annotated[float | None, typer.Option(help="What-if: share of input tokens read from cache, 0-1.")] = None,
    batch_share: Annotated[float, typer.Option(help="What-if: share of projected spend run through a batch API, 0-1.")] = 0.0,
    move_threshold: Annotated[float, typer.Option(help="Eligible share a workload needs to count as movable (thesis, hybrid).")] = 0.9,
    candidate: Annotated[list[str] | None, typer.Option("--candidate", help="WORKLOAD=MODEL: assess this candidate for a workload (repeatable).")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Which workloads could move to cheaper models, what it saves (low/base/high) and the 80/20 thesis test."""
    from ingest import settings
    from queries.model_table import Policy
    from queries.rightsizing import Scenario, analyse, resolve_period

    con = open_store(db, read_only=True)
    try:
        chosen = {}
        for c in candidate or []:
            w, sep, m = c.partition("=")
            if not sep or not w.strip() or not m.strip():
                raise ingest.ConfigError(f"--candidate {c!r}: use WORKLOAD=MODEL")
            chosen[w.strip()] = m.strip()
        s, e = resolve_period(con, period, start, end)
        sc = Scenario(start=s, end=e, key=key or str(settings.get("workload_key")), policy=Policy.parse(policy),
                      tolerance=tolerance, escalation=escalation, tokenizer_factor=tokenizer_factor,
                      growth=growth, cache_hit_target=cache_hit_target, batch_share=batch_share,
                      move_threshold=move_threshold, candidates=chosen)
        result = analyse(con, sc)
    except RightsizeError as exc:
        fail(str(exc))
    if as_json:
        print_json(result.as_dict())
        return
    cols = ["workload", "requests", "current_model", "current_cost", "candidate_model", "eligible_share",
            "basis", "projected_cost", "savings", "savings_low", "savings_high"]
    with pl.Config(tbl_rows=200, tbl_cols=20, fmt_str_lengths=40, float_precision=4):
        typer.echo(result.workloads.select(cols))
    t = result.totals
    typer.echo(f"total: current {t['current_cost']:,.2f} USD, projected {t['projected_cost']:,.2f}, savings "
               f"{t['savings']:,.2f} (low {t['savings_low']:,.2f}, high {t['savings_high']:,.2f}); "
               f"basis: {t['basis']['evidence']} evidence, {t['basis']['prior']} prior")
    typer.echo(f"hybrid: {result.hybrid['summary']}")
    typer.echo(result.thesis["verdict"])


@cli.command("reprice")
def reprice_cmd(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Re-price every request with the current catalog and price files (after prices changed)."""
    from ingest import prices

    con = open_store(db)
    try:
        con.execute("BEGIN TRANSACTION")
        summary = prices.reprice(con)
        con.execute("COMMIT")
    except RightsizeError as exc:
        con.execute("ROLLBACK")
        fail(str(exc))
    finally:
        con.close()
    if as_json:
        print_json(summary)
    else:
        typer.echo(f"re-priced {summary['requests']:,} requests with {summary['catalog']} and your price files: "
                   f"{summary['cost_before']:,.2f} -> {summary['cost_after']:,.2f} USD; "
                   f"unpriced {summary['unpriced_before']:,} -> {summary['unpriced_after']:,}")


@cli.command("reconcile")
def reconcile_cmd(
    start: Annotated[str | None, typer.Option(help="First day (inclusive), YYYY-MM-DD.")] = None,
    end: Annotated[str | None, typer.Option(help="Last day (exclusive), YYYY-MM-DD.")] = None,
    grain: Annotated[str, typer.Option(help="day or month, for the table of logs against the bill.")] = "month",
    allocate: Annotated[str | None, typer.Option(help="Showback: share the bill among requests and sum by these "
                                                      "attributes, e.g. team or team,feature.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Logs against the bill: the gap per provider, model and day, and its causes."""
    from queries import reconcile as rec

    con = open_store(db, read_only=True)
    try:
        summary = rec.summary(con, start, end)
        causes = rec.gap_causes(con, start, end)
        by_provider = rec.gap_causes_by_provider(con, start, end)
        table = rec.reconcile(con, start, end, grain)
        shares = rec.allocate(con, [d.strip() for d in allocate.split(",")], start, end) if allocate else None
    except RightsizeError as exc:
        fail(str(exc))
    if as_json:
        out = {"summary": summary, "causes": frame_records(causes), "causes_by_provider": frame_records(by_provider),
               "table": frame_records(table)}
        if shares is not None:
            out["allocation"] = frame_records(shares)
        print_json(out)
        return
    typer.echo(f"billed {summary['billed']:,.2f} USD, logged {summary['logged']:,.2f}, priced by rightsize "
               f"{summary['request_cost']:,.2f}; gap (billed - logged) {summary['gap']:,.2f}")
    with pl.Config(tbl_rows=100, fmt_str_lengths=60):
        typer.echo(causes.select("cause", "amount", "part"))
        if shares is not None:
            typer.echo(shares)
    if summary["unpriced_requests_all"]:
        typer.echo(f"unpriced (no catalog or price-file price, never counted as $0): "
                   f"{summary['unpriced_requests_all']:,} requests, {summary['unpriced_logged_cost']:,.2f} USD "
                   "by their logs; add them to a price file (docs/prices.md)")
    for u in summary["unbilled"]:
        typer.echo(f"not reconciled (no bill loaded): {u['provider']} - {u['requests']:,} requests")


@cli.command("prices")
def prices_cmd(
    start: Annotated[str | None, typer.Option(help="First day (inclusive), YYYY-MM-DD.")] = None,
    end: Annotated[str | None, typer.Option(help="Last day (exclusive), YYYY-MM-DD.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The prices that priced requests in a period: per token type, with source, catalog version and dates."""
    from queries.prices import prices_used

    con = open_store(db, read_only=True)
    try:
        used = prices_used(con, start, end)
    except RightsizeError as exc:
        fail(str(exc))
    if as_json:
        print_json(frame_records(used))
        return
    with pl.Config(tbl_rows=200, tbl_cols=10, fmt_str_lengths=40, tbl_width_chars=200):
        typer.echo(used.select("provider", "model", "service_tier", "token_type", "usd_per_mtok", "source",
                               "catalog_version", "effective_from", "requests"))


@cli.command("report")
def report_cmd(
    format: Annotated[str, typer.Option("--format", help="Report format: xlsx, pdf, csv (workloads), spend-csv, focus.")],
    period: Annotated[str, typer.Option("--period", help="YYYY-MM, YYYY-Qn or YYYY.")],
    out: Annotated[Path, typer.Option("--out", help="File to write.")],
    team: Annotated[str | None, typer.Option("--team", help="Only this team's tagged spend.")] = None,
    db: DbOption = None,
) -> None:
    """Write a report for a period: the file finance signs off."""
    from app.reports import get_format

    con = open_store(db, read_only=True)
    try:
        written = get_format(format).write(con, period, team, out)
    except RightsizeError as exc:
        fail(str(exc))
    typer.echo(f"wrote {written}", err=True)


@cli.command("formats")
def formats_cmd(as_json: JsonOption = False) -> None:
    """List the formats rightsize reads."""
    fm = ingest.formats()
    if as_json:
        print_json(fm)
    else:
        for name, desc in fm.items():
            typer.echo(f"{name:24} {desc}")


@cli.command("demo")
def demo_cmd(
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same files, byte for byte.")] = 7,
    months: Annotated[int, typer.Option(help="Calendar months of history (ending 2026-10).")] = 3,
    scale: Annotated[float, typer.Option(help="Request volume multiplier (1 = about 1M requests in 3 months).")] = 1.0,
    out: Annotated[Path | None, typer.Option(help="Directory for the generated files "
                                             "[default: ./data/sample/seed<N>-m<M>-s<S>]")] = None,
    regenerate: Annotated[bool, typer.Option(help="Generate again even if the files exist.")] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Generate the sample company (cached), load its files and the public samples into the store.

    Every file is reported on its own line and a failed file does not stop the others. Exits 2 only
    when nothing could be loaded.
    """
    from sample_data import company_files, demo_files
    from sample_data.generator import generate, sample_dir

    target = out or sample_dir(Path("data") / "sample", seed, months, scale)
    truth_path = target / "truth.json"
    generated = False
    if regenerate or not truth_path.exists():
        typer.echo(f"generating the sample company in {target} (seed {seed}, {months} months, scale {scale:g}) ...",
                   err=True)
        try:
            generate(target, seed=seed, months=months, scale=scale)
        except ValueError as exc:
            fail(str(exc))
        generated = True
    else:
        typer.echo(f"using the sample company already generated in {target}", err=True)
    truth = json.loads(truth_path.read_text())
    con = open_store(db)
    files = company_files(target) + demo_files()
    results = []
    for i, path in enumerate(files, 1):
        r = ingest.ingest_file(con, path)
        results.append(r)
        if r.status == "failed":
            typer.echo(f"[{i}/{len(files)}] {path.name}: FAILED: {r.error}", err=True)
        elif not as_json:
            typer.echo(f"[{i}/{len(files)}] {r.file}: {r.status} as {r.format} ({r.rows} rows)", err=True)
    failed = [r for r in results if r.status == "failed"]
    if as_json:
        print_json({"directory": str(target), "generated": generated, "files": [r.as_dict() for r in results],
                    "requests": truth["requests"]["total"], "billed_total": truth["spend"]["billed_total"]})
    else:
        req = truth["requests"]
        typer.echo(f"Sample company: {req['total']:,} requests ({req['logged']:,} logged) from "
                   f"{truth['period']['start']} to {truth['period']['end']}, {len(truth['workloads'])} workloads, "
                   f"{len(truth['teams'])} teams.")
        for provider, amount in truth["spend"]["billed_total"].items():
            typer.echo(f"  billed by {provider:10} {Decimal(amount):>12,.2f} USD")
        typer.echo(f"Loaded {len(results) - len(failed)} of {len(results)} files"
                   + (f"; {len(failed)} failed (listed above)" if failed else "") + ".")
    if failed and len(failed) == len(results):
        raise typer.Exit(2)


@cli.command("serve")
def serve_cmd(
    db: DbOption = None,
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8501,
    address: Annotated[str, typer.Option(help="Address to bind (localhost unless auth is configured).")] = "127.0.0.1",
) -> None:
    """Start the dashboard (headless) on ADDRESS:PORT."""
    import os

    from ingest import settings

    secrets = Path(".streamlit") / "secrets.toml"
    has_auth = bool(settings.get("password_sha256")) or (secrets.is_file() and "[auth]" in secrets.read_text())
    if address not in ("127.0.0.1", "localhost", "::1") and not has_auth:
        fail(f"refusing to serve on {address} without a login: set RIGHTSIZE_PASSWORD_SHA256 or configure "
             "OIDC in .streamlit/secrets.toml (docs/security.md)")
    open_store(db).close()  # create or upgrade the store first: the dashboard opens it read-only
    env = dict(os.environ)
    if db:
        env["RIGHTSIZE_DB"] = db
    entry = Path(__file__).parent / "dashboard" / "main.py"
    cmd = [sys.executable, "-m", "streamlit", "run", str(entry), "--server.headless", "true",
           "--server.address", address, "--server.port", str(port),
           "--browser.gatherUsageStats", "false", "--server.enableXsrfProtection", "true",
           "--server.fileWatcherType", "none", "--server.runOnSave", "false",
           "--server.maxUploadSize", str(int(settings.get("upload_max_mb")))]
    typer.echo(f"rightsize dashboard on http://{address}:{port}", err=True)
    sys.stdout.flush()
    sys.stderr.flush()
    # exec, not a child: a signal to `rightsize serve` (Ctrl-C, a service manager's SIGTERM) reaches
    # the Streamlit server itself, so stopping one never leaves the other running
    os.execve(sys.executable, cmd, env)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
