"""Load: N concurrent dashboard sessions in one headless Chromium against a served dashboard.

Each session is its own browser context (its own cookies, its own Streamlit websocket session), and
for a bounded time it does what a person does: opens pages from the sidebar and changes filters
(explorer model/team/group-by, overview movers and split, reconciliation grain, workload detail,
savings policy). A step's time runs from the click to the end of the script run it caused (the
server's ``script_finished`` message on the session's websocket, then no element left stale on the
page), i.e. what the person waits for.

A step fails when it does not finish within ``step_timeout``, when the page shows an exception or an
error alert, when any text mentions a lock (DuckDB's "Could not set lock on file"), or when the page
throws a JavaScript error. ``run_load`` reports every failure and the p50/p95/max step time per page.

`python -m bench.load --rows 10000000` builds (or reuses) a store of that many generated requests with
bench/run.py's request log generator plus the sample slice's bills, serves it with `rightsize serve`
on 127.0.0.1 and writes bench/results/LOAD.md and load.json. tests/test_load.py runs the same code on
the committed sample slice for ``make test``.

Traffic goes only to 127.0.0.1; loops are bounded by ``seconds`` and every wait by ``step_timeout``.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import platform
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
SLICE = ROOT / "sample_data" / "slice"

# A DuckDB lock conflict, or any other mention of a lock, must never reach a user.
LOCK = re.compile(r"\block(ed|ing)?\b|could not set lock", re.IGNORECASE)

STATE = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return `script ${app?.getAttribute('data-test-script-state')}, connection ${app?.getAttribute('data-test-connection-state')}, `
    + `stale ${document.querySelectorAll('[data-stale="true"]').length}, `
    + `h1 ${document.querySelector('h1')?.innerText}, url ${location.pathname}, `
    + `main ${JSON.stringify((document.querySelector('[data-testid="stMain"]')?.innerText ?? '').slice(0, 160))}`;
}"""

PROBLEMS = """() => {
  const q = s => Array.from(document.querySelectorAll(s)).map(e => e.innerText.slice(0, 300));
  return {exceptions: q('[data-testid="stException"]'), errors: q('[data-testid="stAlertContentError"]'),
          text: document.querySelector('[data-testid="stMain"]')?.innerText ?? document.body.innerText};
}"""


@dataclass
class Step:
    session: int
    page: str
    action: str
    seconds: float
    error: str | None = None


@dataclass
class LoadResult:
    sessions: int
    seconds: float
    steps: list[Step] = field(default_factory=list)

    @property
    def errors(self) -> list[Step]:
        return [s for s in self.steps if s.error]

    def table(self) -> list[dict[str, Any]]:
        """Per page (and "all"): steps, errors, p50, p95 and max seconds (nearest-rank percentiles)."""
        rows = []
        pages = sorted({s.page for s in self.steps})
        for page in [*pages, "all"]:
            got = [s for s in self.steps if page in ("all", s.page)]
            times = sorted(s.seconds for s in got if not s.error)
            rows.append({"page": page, "steps": len(got), "errors": sum(1 for s in got if s.error),
                         "p50": percentile(times, 50), "p95": percentile(times, 95),
                         "max": times[-1] if times else None})
        return rows

    def markdown(self) -> str:
        return _table_md(self.table())


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile of sorted ``values`` (None when empty)."""
    if not values:
        return None
    return values[max(0, math.ceil(p / 100 * len(values)) - 1)]


# --- what a person does on each page -------------------------------------------------------------

Action = Callable[[Any, random.Random], Awaitable[str | None]]


async def _radio(page: Any, rng: random.Random, label: str) -> str | None:
    group = page.get_by_test_id("stRadio").filter(has=page.get_by_test_id("stWidgetLabel").get_by_text(label, exact=True))
    if not await group.count():
        return None
    options = group.get_by_role("radio")
    n = await options.count()
    free = [i for i in range(n) if not await options.nth(i).is_checked()]
    if not free:
        return None
    i = rng.choice(free)
    await group.get_by_test_id("stRadioOption").nth(i).click()
    return f"{label}: option {i}"


async def _select(page: Any, rng: random.Random, label: str) -> str | None:
    box = page.get_by_test_id("stSelectbox").filter(has=page.get_by_test_id("stWidgetLabel").get_by_text(label, exact=True))
    if not await box.count():
        return None
    current = await box.first.get_by_role("combobox").input_value()
    await box.first.get_by_role("button", name="Open").click()
    options = page.get_by_role("option")
    await options.first.wait_for(timeout=30_000)
    names = [(await options.nth(i).inner_text()).strip() for i in range(min(await options.count(), 8))]
    free = [n for n in names if n and n != current]
    if not free:
        await page.keyboard.press("Escape")
        return None
    choice = rng.choice(free)
    await options.get_by_text(choice, exact=True).first.click()
    return f"{label}: {choice}"


async def _text(page: Any, rng: random.Random, label: str, values: list[str]) -> str | None:
    box = page.get_by_test_id("stTextInput").filter(has=page.get_by_test_id("stWidgetLabel").get_by_text(label, exact=True))
    if not await box.count():
        return None
    field_ = box.locator("input")
    current = await field_.input_value()
    value = rng.choice([v for v in values if v != current])
    await field_.fill(value)
    await field_.press("Enter")
    return f"{label}: {value!r}"


# (sidebar title, heading the page shows, filter changes a person makes there)
PAGES: list[tuple[str, str, list[Action]]] = [
    ("Overview", "Overview", [lambda p, r: _radio(p, r, "Movers by"), lambda p, r: _radio(p, r, "Split by")]),
    ("Upload", "Upload", []),
    ("Spend explorer", "Spend explorer", [lambda p, r: _select(p, r, "Model"), lambda p, r: _select(p, r, "Team"),
                                          lambda p, r: _select(p, r, "Group by")]),
    ("Reconciliation", "Reconciliation", [lambda p, r: _radio(p, r, "Grain")]),
    ("Workloads", "Workloads", [lambda p, r: _select(p, r, "Workload detail")]),
    ("Savings & scenarios", "Savings & scenarios",
     [lambda p, r: _text(p, r, "Candidate policy", ["", "same_provider", "open_weight", "min_tier=mid"])]),
    ("The 80/20 test", "The 80/20 test", []),
    ("Reports", "Reports", []),
    ("Prices & settings", "Prices & settings", []),
]


class Runs:
    """Script runs of one session that finished, counted from the ForwardMsgs on its websocket.

    The DOM cannot tell: when a run is quick, the frontend can take "started" and "finished" in one
    render, so ``data-test-script-state`` never leaves ``notRunning``. The server's own
    ``script_finished`` message is always sent."""

    def __init__(self) -> None:
        self.finished = 0

    def attach(self, page: Any) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        def frame(payload: bytes | str) -> None:
            if isinstance(payload, str):
                return
            try:
                msg = ForwardMsg.FromString(bytes(payload))
            except Exception:  # noqa: BLE001 - not a ForwardMsg: not ours to count
                return
            if msg.WhichOneof("type") == "script_finished" and msg.script_finished in (
                    ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR):
                self.finished += 1

        page.on("websocket", lambda ws: ws.on("framereceived", frame))

    async def wait(self, page: Any, before: int, timeout: float) -> None:
        """Until a run after ``before`` finished and the page shows no stale element."""
        deadline = time.monotonic() + timeout
        while self.finished <= before:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no script run finished within {timeout:.0f} s")
            await asyncio.sleep(0.05)
        await page.wait_for_function(
            "() => document.querySelector('[data-testid=\"stApp\"]').getAttribute('data-test-script-state') "
            "=== 'notRunning' && !document.querySelector('[data-stale=\"true\"]')",
            timeout=max(1.0, deadline - time.monotonic()) * 1000, polling=100)


async def _problems(page: Any, js_errors: list[str]) -> str | None:
    got = await page.evaluate(PROBLEMS)
    if got["exceptions"]:
        return "exception: " + got["exceptions"][0]
    if got["errors"]:
        return "error: " + got["errors"][0]
    m = LOCK.search(got["text"])
    if m:
        return "lock message: " + got["text"][max(0, m.start() - 80):m.end() + 80]
    if js_errors:
        return "javascript error: " + js_errors.pop(0)
    return None


async def _session(browser: Any, url: str, index: int, seconds: float, ramp: float, step_timeout: float,
                   seed: int, out: list[Step]) -> None:
    """One person: arrives ``ramp`` × index seconds after the first, loads the app, then browses for
    ``seconds`` (the step under way when time is up is finished, bounded by ``step_timeout``)."""
    rng = random.Random(seed * 1000 + index)
    await asyncio.sleep(ramp * index)
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    js_errors: list[str] = []
    runs = Runs()
    runs.attach(page)
    page.on("pageerror", lambda exc: js_errors.append(str(exc)[:300]))
    page.set_default_timeout(step_timeout * 1000)

    async def step(page_name: str, action: str, do: Callable[[], Awaitable[str | None]], heading: str) -> bool:
        t = time.perf_counter()
        try:
            before = runs.finished
            what = await do()
            if what is None:  # nothing to change on this page right now
                return True
            await runs.wait(page, before, step_timeout)
            # a run that failed before the page's title is caught here, not as a missing heading
            error = await _problems(page, js_errors)
            if error is None:
                await page.get_by_role("heading", name=heading, exact=True).first.wait_for(timeout=30_000)
            out.append(Step(index, page_name, what, time.perf_counter() - t, error))
            return error is None
        except Exception as exc:  # noqa: BLE001 - a timeout or a vanished element is this step's failure
            try:
                state = await page.evaluate(STATE)
            except Exception:  # noqa: BLE001
                state = "page state unavailable"
            out.append(Step(index, page_name, action, time.perf_counter() - t,
                            f"{type(exc).__name__}: {str(exc)[:200]} [{state}]"))
            return False

    try:
        t = time.perf_counter()
        await page.goto(url, wait_until="domcontentloaded")
        await runs.wait(page, 0, step_timeout)
        await page.get_by_role("heading", name="Overview", exact=True).first.wait_for()
        out.append(Step(index, "Overview", "first load", time.perf_counter() - t, await _problems(page, js_errors)))
        deadline = time.monotonic() + seconds
        # every session starts on the Overview, so its tour starts elsewhere (clicking the page one
        # is on runs nothing); sessions start at different pages to spread the load
        k = 1 + index % (len(PAGES) - 1)
        order = PAGES[k:] + PAGES[:k]
        i = 0
        while time.monotonic() < deadline:
            title, heading, actions = order[i % len(order)]
            i += 1

            async def open_page(title: str = title) -> str:
                await page.get_by_test_id("stSidebarNavLink").filter(has_text=title).first.click()
                return "open"

            if not await step(title, "open", open_page, heading):
                break
            for act in rng.sample(actions, len(actions)):
                if time.monotonic() >= deadline:
                    break
                if not await step(title, "filter", lambda act=act: act(page, rng), heading):
                    break
    finally:
        await context.close()


async def _run(url: str, sessions: int, seconds: float, ramp: float, step_timeout: float, seed: int) -> LoadResult:
    from playwright.async_api import async_playwright

    result = LoadResult(sessions, seconds)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=shutil.which("chromium"),
                                          args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        try:
            await asyncio.gather(*(_session(browser, url, i, seconds, ramp, step_timeout, seed, result.steps)
                                   for i in range(sessions)))
        finally:
            await browser.close()
    return result


def run_load(url: str, sessions: int = 20, seconds: float = 45.0, ramp: float = 1.0, step_timeout: float = 180.0,
             seed: int = 7) -> LoadResult:
    """``sessions`` people browsing ``url`` at once, arriving ``ramp`` seconds apart, each for
    ``seconds`` after its first page load (and finishing the step it is in)."""
    return asyncio.run(_run(url, sessions, seconds, ramp, step_timeout, seed))


# --- serving a store -----------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served(db: Path, log: Path, port: int | None = None) -> Iterator[str]:
    """`rightsize serve --db DB` on 127.0.0.1 (no login: local mode); yields its URL, stops it after."""
    port = port or free_port()
    env = {k: v for k, v in os.environ.items() if k != "RIGHTSIZE_PASSWORD_SHA256"}
    env["PYTHONPATH"] = str(ROOT)
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--db", str(db), "--port", str(port)],
                                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(240):
                if proc.poll() is not None:
                    raise RuntimeError(f"rightsize serve exited: {log.read_text()[-2000:]}")
                try:
                    urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                    break
                except OSError:
                    time.sleep(0.5)
            else:
                raise RuntimeError(f"rightsize serve did not start: {log.read_text()[-2000:]}")
            yield url
        finally:  # the whole process group: `rightsize serve` and the Streamlit server it runs
            _signal_group(proc, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                _signal_group(proc, signal.SIGKILL)
                proc.wait()


def _signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass


def slice_store(db: Path, skip: tuple[str, ...] = ()) -> Path:
    """The committed sample company slice in a fresh store, all files but those named in ``skip``."""
    import ingest
    from sample_data import company_files

    con = ingest.connect(db)
    try:
        for path in company_files(SLICE):
            if path.name in skip:
                continue
            r = ingest.ingest_file(con, path)
            if r.status not in ("loaded", "duplicate"):
                raise RuntimeError(f"{path.name}: {r}")
    finally:
        con.close()
    return db


def bench_store(rows: int) -> Path:
    """``rows`` generated requests (bench/run.py's request log) plus the sample slice's bills, built
    once per size and kept in the bench data folder."""
    import ingest
    from bench.run import DATA, request_log_csv
    from sample_data import company_files

    db = DATA / f"load_{rows}.duckdb"
    if db.exists():
        return db
    tmp = db.with_suffix(".building")
    tmp.unlink(missing_ok=True)
    Path(str(tmp) + ".wal").unlink(missing_ok=True)
    con = ingest.connect(tmp)
    try:
        for path in [request_log_csv(rows), *(p for p in company_files(SLICE) if p.parent.name == "billing")]:
            r = ingest.ingest_file(con, path)
            if r.status != "loaded":
                raise RuntimeError(f"{path.name}: {r}")
            print(f"loaded {path.name}", flush=True)
    finally:
        con.close()
    tmp.rename(db)
    return db


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=float, default=1_000_000, help="generated requests in the store")
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=120.0, help="how long the sessions browse")
    ap.add_argument("--ramp", type=float, default=1.0, help="seconds between two sessions' arrivals")
    ap.add_argument("--step-timeout", type=float, default=300.0)
    args = ap.parse_args(argv)
    rows = int(args.rows)
    t = time.perf_counter()
    db = bench_store(rows)
    print(f"store {db} ready in {time.perf_counter() - t:.0f}s", flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    with served(db, db.with_suffix(".serve.log")) as url:
        result = run_load(url, args.sessions, args.seconds, args.ramp, args.step_timeout)
    table = result.markdown()
    print(table)
    for s in result.errors:
        print(f"ERROR session {s.session} {s.page} {s.action}: {s.error}")
    meta = {"rows": rows, "sessions": args.sessions, "seconds": args.seconds, "cpus": os.cpu_count(),
            "python": platform.python_version(), "when": time.strftime("%Y-%m-%d %H:%M:%S")}
    runs = json.loads((RESULTS / "load.json").read_text()) if (RESULTS / "load.json").exists() else {}
    runs[str(rows)] = {"meta": meta, "table": result.table(), "errors": [asdict(s) for s in result.errors]}
    (RESULTS / "load.json").write_text(json.dumps(runs, indent=2))
    lines = ["# Dashboard load results", "",
             "`python -m bench.load --rows N`: concurrent sessions (one headless Chromium, one context each) "
             "open pages and change filters against `rightsize serve` for a bounded time. A step is a click to the "
             "end of the script run it caused; the Overview row includes each session's first, cold load of the app. "
             "Errors: exceptions, error alerts, lock messages, JS errors, timeouts. Chromium's 20 tabs share the "
             "2 CPUs with the server (they used several times its CPU), so these are upper bounds.",
             ""]
    for key in sorted(runs, key=int):
        m = runs[key]["meta"]
        lines += [f"## {int(key):,} requests, {m['sessions']} sessions, {m['seconds']:.0f} s "
                  f"({m['when']}, {m['cpus']} CPUs shared)", ""]
        lines.append(_table_md(runs[key]["table"]))
        lines += ["", f"errors: {len(runs[key]['errors'])}", ""]
    (RESULTS / "LOAD.md").write_text("\n".join(lines) + "\n")
    print(f"wrote {RESULTS / 'LOAD.md'}")
    return 1 if result.errors else 0


def _table_md(rows: list[dict[str, Any]]) -> str:
    lines = ["| page | steps | errors | p50 s | p95 s | max s |", "|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        f = [("–" if r[k] is None else f"{r[k]:.2f}") for k in ("p50", "p95", "max")]
        lines.append(f"| {r['page']} | {r['steps']} | {r['errors']} | {f[0]} | {f[1]} | {f[2]} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
