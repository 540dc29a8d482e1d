"""The price catalog: every request priced at its own time, per request, and never an unknown model at $0.

Resolution, for each (provider, model as logged, service tier) and each stretch of time in which its
price is constant (docs/prices.md):

1. the user's price file (``price_override``, loaded by ``rightsize ingest prices.toml``):
   ``hourly`` rows (self-hosted or provisioned capacity: the hour's cost shared by its requests),
   then ``price`` rows (contract or custom prices that replace the catalog), then ``discount`` rows
   (percent off whatever price applies). The most specific row wins (an exact model beats a glob
   beats a provider-wide row; a later line beats an earlier one);
2. genai-prices, pinned and bundled (never the network): the logged name first, then the canonical
   id, with the provider as the hint (Bedrock ids keep their regional/global prices). Dated price
   changes, off-peak windows, long-context tiers, cache reads and 5m/1h cache writes, reasoning and
   batch/flex/priority variants all come from it. Batch requests of a provider whose catalog entry
   has no batch price at that date get that provider's published batch discount (``BATCH_DISCOUNT``);
3. nothing: the request is *unpriced* (cost NULL, cost_basis says why), and counted as such.
   Fine-tuned models (``ft:...``) are never priced at their base model's list price.

The Python side only resolves the few distinct (provider, model, tier, period) groups; the costs of
millions of requests are one SQL UPDATE joining a small rates table (tiers decided per request in
SQL, by each request's own input tokens). ``price_applied`` / the ``prices`` view keep which price
applied when; ``requests.cost_basis`` names it on every request.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

import duckdb
import genai_prices
from genai_prices import data_snapshot
from genai_prices import types as gp

from ingest import rollups
from ingest.models import canonical_model, provider_key
from ingest.store import uncapped

CATALOG = f"genai-prices {genai_prices.__version__}"
KEYS = ("input", "cache_read", "cache_write", "cache_write_1h", "output", "reasoning")
_GENAI_KEYS = {"input": "input_mtok", "cache_read": "cache_read_mtok", "cache_write": "cache_write_mtok",
               "cache_write_1h": "cache_write_1h_mtok", "output": "output_mtok",
               "reasoning": "output_reasoning_mtok"}
# Published batch discounts (OpenAI, Anthropic, Vertex and Bedrock batch inference bill 50% of the
# standard price), used only where the catalog has no batch price for the model at that date.
BATCH_DISCOUNT = {"openai": Decimal("0.5"), "anthropic": Decimal("0.5"), "google": Decimal("0.5"),
                  "aws": Decimal("0.5"), "azure": Decimal("0.5")}
NO_CATALOG = {"self-hosted"}
BEGINNING = datetime(1970, 1, 1)
END = datetime(2200, 1, 1)
M = Decimal(1_000_000)


def catalog_version() -> str:
    """The catalog's name and version, as recorded with every price."""
    return CATALOG


@dataclass(frozen=True)
class Rates:
    """USD per 1M tokens for every token type (missing types already fall back as the catalog does:
    cache reads and writes to input, 1h writes to 5m writes, reasoning to output), the long-context
    tiers (above N input tokens, the whole request pays the tier's rates) and a per-request fee."""

    base: dict[str, Decimal]
    tiers: tuple[tuple[int, dict[str, Decimal]], ...] = ()
    request_fee: Decimal = Decimal(0)

    def scaled(self, factor: Decimal) -> Rates:
        return Rates({k: v * factor for k, v in self.base.items()},
                     tuple((t, {k: v * factor for k, v in r.items()}) for t, r in self.tiers),
                     self.request_fee * factor)


def _fill(values: dict[str, Decimal | None]) -> dict[str, Decimal]:
    inp = values.get("input") or Decimal(0)
    out = values.get("output") or Decimal(0)
    cw = values.get("cache_write")
    cw = inp if cw is None else cw
    cw1h = values.get("cache_write_1h")
    return {"input": inp, "cache_read": inp if values.get("cache_read") is None else values["cache_read"],  # type: ignore[dict-item]
            "cache_write": cw, "cache_write_1h": cw if cw1h is None else cw1h, "output": out,
            "reasoning": out if values.get("reasoning") is None else values["reasoning"]}  # type: ignore[dict-item]


def _rates_from_catalog(mp: gp.ModelPrice) -> Rates:
    raw = {k: getattr(mp, g, None) for k, g in _GENAI_KEYS.items()}
    thresholds = sorted({t.start for v in raw.values() if isinstance(v, gp.TieredPrices) for t in v.tiers})

    def at(value: Decimal | gp.TieredPrices | None, above: int | None) -> Decimal | None:
        if not isinstance(value, gp.TieredPrices):
            return value
        price = value.base
        if above is not None:
            for tier in value.tiers:  # ascending: the highest tier whose start is below the request's input
                if above >= tier.start:
                    price = tier.price
        return price

    base = _fill({k: at(v, None) for k, v in raw.items()})
    tiers = tuple((t, _fill({k: at(v, t) for k, v in raw.items()})) for t in thresholds)
    fee = getattr(mp, "requests_kcount", None)
    return Rates(base, tiers, Decimal(fee) / 1000 if isinstance(fee, Decimal) else Decimal(0))


@dataclass(frozen=True)
class Override:
    """One usable row of a price file."""

    kind: str
    provider: str | None
    model: str | None
    service_tier: str | None
    values: dict[str, Decimal | None]
    percent: Decimal | None
    usd_per_hour: Decimal | None
    units: Decimal | None
    start: date | None
    end: date | None
    where: str  # file:line

    def matches(self, provider: str | None, names: tuple[str, ...], tier: str) -> bool:
        if self.provider and self.provider != provider:
            return False
        if self.service_tier and self.service_tier != tier:
            return False
        if self.model:
            pattern = self.model.lower()
            return any(fnmatch.fnmatchcase(n.lower(), pattern) for n in names if n)
        return True

    def active(self, day: date) -> bool:
        return (self.start is None or day >= self.start) and (self.end is None or day < self.end)

    @property
    def specificity(self) -> int:
        if self.model and not any(ch in self.model for ch in "*?["):
            return 3
        return 2 if self.model else 1

    def describe(self) -> str:
        what = {"discount": f"{self.percent.normalize():f}% off" if self.percent is not None else "discount",
                "price": "contract price", "hourly": "hourly price"}[self.kind]
        return f"{what} ({self.where})"


def overrides(con: duckdb.DuckDBPyConnection) -> list[Override]:
    """Every usable price-file row of the loaded price files, in file then line order."""
    if not con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'price_override'"
                       ).fetchone()[0]:  # type: ignore[index]
        return []
    rows = con.execute("""
        SELECT o.kind, o.provider, o.model, o.service_tier, o.input, o.output, o.cache_read, o.cache_write,
               o.cache_write_1h, o.percent, o.usd_per_hour, o.units, o.effective_from, o.effective_to,
               f.name, o.line_no
        FROM price_override o JOIN source_file f ON f.id = o.source_file_id
        WHERE f.status IN ('loaded', 'loading')
        ORDER BY f.id, o.line_no""").fetchall()
    return [Override(r[0], r[1], r[2], r[3], dict(zip(("input", "output", "cache_read", "cache_write",
                                                         "cache_write_1h"), r[4:9], strict=True)),
                     r[9], r[10], r[11], r[12], r[13], f"{r[14]}:{r[15]}") for r in rows]


@cache
def _catalog_model(provider: str | None, names: tuple[str, ...]) -> tuple[gp.Provider, gp.ModelInfo] | None:
    """The catalog's (provider, model) for a model name, trying each name in turn; None if unknown."""
    if provider in NO_CATALOG or any(n.lower().startswith("ft:") for n in names):
        return None
    snap = data_snapshot.get_snapshot()
    for name in names:
        try:
            return snap.find_provider_model(name, None, provider, None)
        except LookupError:
            continue
    return None


def _change_days(mi: gp.ModelInfo) -> set[date]:
    days = set()
    conditions = [] if isinstance(mi.prices, gp.ModelPrice) else [c.constraint for c in mi.prices]
    conditions += [v.constraint for v in mi.price_variants or []]
    for c in conditions:
        if isinstance(c, gp.StartDateConstraint):
            days.add(c.start_date)
    return days


def _time_window(mi: gp.ModelInfo) -> tuple[time, time] | None:
    """The model's off-peak (time-of-day) window, if its price depends on the hour."""
    conditions = [] if isinstance(mi.prices, gp.ModelPrice) else [c.constraint for c in mi.prices]
    conditions += [v.constraint for v in mi.price_variants or []]
    for c in conditions:
        if isinstance(c, gp.TimeOfDateConstraint):
            return c.start_time.replace(tzinfo=None), c.end_time.replace(tzinfo=None)
    return None


def _context(tier: str) -> dict[str, str] | None:
    if tier == "batch":
        return {"processing": "batch"}
    if tier in {"flex", "priority"}:
        return {"service_tier": tier}
    return None


@dataclass
class PriceRow:
    """The price of one group over [valid_from, valid_to) (and, for off-peak prices, a daily window)."""

    valid_from: datetime
    valid_to: datetime
    source: str                      # catalog | contract | hourly | unpriced
    rates: Rates | None = None
    usd_per_hour: Decimal | None = None
    tod: tuple[time, time] | None = None
    price_provider: str | None = None
    price_model: str | None = None
    notes: list[str] = field(default_factory=list)
    applied: list[str] = field(default_factory=list)

    def basis(self) -> str:
        if self.source == "unpriced":
            return "unpriced: " + "; ".join(self.notes)
        head = {"catalog": f"{CATALOG} {self.price_provider}/{self.price_model}",
                "contract": "contract price", "hourly": "hourly price"}[self.source]
        parts = [head, *self.notes, *self.applied]
        if self.valid_from > BEGINNING:
            parts.append(f"from {self.valid_from.date()}")
        return "; ".join(parts)


def price_rows(provider_raw: str | None, model_raw: str | None, model: str | None, tier: str,
               rules: list[Override]) -> list[PriceRow]:
    """Every price one (provider, model, tier) has over time, covering all time."""
    provider = provider_key(provider_raw)
    model = model or canonical_model(model_raw)
    names = tuple(dict.fromkeys(n for n in (model_raw, model) if n))
    mine = [o for o in rules if o.matches(provider, names, tier)]
    found = _catalog_model(provider, names) if names else None
    days = set(_change_days(found[1])) if found else set()
    for o in mine:
        days.update(d for d in (o.start, o.end) if d is not None)
    edges = [BEGINNING, *sorted(datetime.combine(d, time()) for d in days), END]
    rows: list[PriceRow] = []
    for start, stop in zip(edges, edges[1:], strict=False):
        if stop <= start:
            continue
        day = start.date() if start > BEGINNING else date(2000, 1, 1)
        active = [o for o in mine if o.active(day)]

        def best(kind: str, active: list[Override] = active) -> Override | None:
            hits = [o for o in active if o.kind == kind]
            return max(hits, key=lambda o: o.specificity) if hits else None  # max keeps the first of equals

        hourly, contract, discount = best("hourly"), best("price"), best("discount")
        if hourly is not None:
            rows.append(PriceRow(start, stop, "hourly",
                                 usd_per_hour=hourly.usd_per_hour * (hourly.units or Decimal(1)),  # type: ignore[operator]
                                 applied=[hourly.describe()]))
            continue
        if contract is not None:
            pieces = [PriceRow(start, stop, "contract", Rates(_fill(contract.values)),
                               applied=[contract.describe()])]
        elif found is not None:
            pieces = _catalog_pieces(found, start, stop, day, tier, provider)
        else:
            why = (f"no price for {model_raw or model!r}" + (f" ({provider_raw})" if provider_raw else "")
                   + ("; fine-tuned models need a price file entry" if any(
                       n.lower().startswith("ft:") for n in names) else ""))
            rows.append(PriceRow(start, stop, "unpriced", notes=[why]))
            continue
        if discount is not None and discount.percent is not None:
            factor = 1 - discount.percent / 100
            for p in pieces:
                p.rates = p.rates.scaled(factor) if p.rates else None
                p.applied.append(discount.describe())
        rows.extend(pieces)
    return _merge(rows)


def _catalog_pieces(found: tuple[gp.Provider, gp.ModelInfo], start: datetime, stop: datetime, day: date,
                    tier: str, provider: str | None) -> list[PriceRow]:
    prov, mi = found
    window = _time_window(mi)
    probes: list[tuple[datetime, tuple[time, time] | None]]
    if window is None:
        probes = [(datetime.combine(day, time(12)), None)]
    else:  # one row inside the daily window, one outside it
        inside = datetime.combine(day, window[0])
        outside = datetime.combine(day, window[1])
        probes = [(inside, window), (outside, (window[1], window[0]))]
    pieces = []
    for at, tod in probes:
        ctx = _context(tier)
        standard = mi.get_prices(at)
        # as genai-prices does: a model borrowed from another provider (Azure's OpenAI models) takes
        # none of that provider's request variants (batch, flex, priority)
        own = any(mi is m for m in prov.models)
        chosen = mi.get_prices(at, ctx) if ctx and own else standard
        rates = _rates_from_catalog(chosen)
        notes = [tier] if tier != "standard" else []
        if tier == "batch" and chosen == standard:
            factor = BATCH_DISCOUNT.get(provider or prov.id) or BATCH_DISCOUNT.get(prov.id)
            if factor is not None:
                rates = rates.scaled(factor)
                notes = [f"batch at {factor * 100:.0f}% (the provider's published batch price; "
                         f"the catalog has none for this date)"]
            else:
                notes = ["batch priced as standard (no batch price known)"]
        pieces.append(PriceRow(start, stop, "catalog", rates, tod=tod, price_provider=prov.id,
                               price_model=mi.id, notes=notes))
    return pieces


def _merge(rows: list[PriceRow]) -> list[PriceRow]:
    """Join neighbouring stretches whose price is the same (fewer rows in the prices view)."""
    out: list[PriceRow] = []
    for r in rows:
        last = next((o for o in reversed(out) if o.tod == r.tod), None)
        if (last is not None and last.valid_to == r.valid_from and last.source == r.source
                and last.rates == r.rates and last.usd_per_hour == r.usd_per_hour
                and last.notes == r.notes and last.applied == r.applied):
            last.valid_to = r.valid_to
        else:
            out.append(replace(r, notes=list(r.notes), applied=list(r.applied)))
    return out


# ---------------------------------------------------------------------------------------------
# One model's price, for the rightsizing analytics and the dashboard

@dataclass(frozen=True)
class ModelPrice:
    """USD per 1M tokens for one model at one time (after the price file, when a store is given)."""

    model: str
    provider: str | None
    input: Decimal
    output: Decimal
    cache_read: Decimal
    cache_write_5m: Decimal
    cache_write_1h: Decimal
    long_context_threshold: int | None
    long_context: dict[str, Decimal] | None
    source: str
    effective_from: date | None
    basis: str


def model_price(model: str, provider: str | None = None, at: datetime | None = None,
                con: duckdb.DuckDBPyConnection | None = None, service_tier: str = "standard") -> ModelPrice | None:
    """The price of ``model`` (as logged or canonical) at ``at`` (default: now); None if no price is
    known or it is priced by the hour."""
    at = at or datetime.now().replace(tzinfo=None)
    rules = overrides(con) if con is not None else []
    for row in price_rows(provider, model, canonical_model(model), service_tier, rules):
        if not (row.valid_from <= at < row.valid_to) or row.rates is None:
            continue
        if row.tod and not _in_window(at.time(), row.tod):
            continue
        r = row.rates
        tier = r.tiers[0] if r.tiers else None
        return ModelPrice(model, row.price_provider or provider_key(provider), r.base["input"], r.base["output"],
                          r.base["cache_read"], r.base["cache_write"], r.base["cache_write_1h"],
                          tier[0] if tier else None, dict(tier[1]) if tier else None, row.source,
                          row.valid_from.date() if row.valid_from > BEGINNING else None, row.basis())
    return None


def _in_window(t: time, window: tuple[time, time]) -> bool:
    start, end = window
    return start <= t < end if start <= end else (t >= start or t < end)


# ---------------------------------------------------------------------------------------------
# Pricing requests in the store

_GROUP = ("provider", "model_raw", "model", "service_tier")


def _rate_columns(depth: int) -> list[str]:
    cols = [f"r_{k}" for k in KEYS] + ["r_fee"]
    for i in range(1, depth + 1):
        cols += [f"t{i}_above"] + [f"t{i}_{k}" for k in KEYS]
    return cols


def _resolve(groups: list[tuple[Any, ...]], rules: list[Override],
             tier: str | None = None) -> list[tuple[tuple[Any, ...], list[PriceRow]]]:
    """Every group's price rows (``tier`` forces one service tier's prices, keeping the group's label)."""
    return [(g, price_rows(g[0], g[1], g[2], tier or g[3], rules)) for g in groups]


def _depth(priced: list[tuple[tuple[Any, ...], list[PriceRow]]]) -> int:
    return max((len(r.rates.tiers) for _, rows in priced for r in rows if r.rates), default=0)


def _rate_rows(priced: list[tuple[tuple[Any, ...], list[PriceRow]]], depth: int,
               ids: dict[str, int] | None = None) -> tuple[list[list[Any]], int]:
    """One row per (group, price row): the group, validity, source, basis (and its ``price_basis``
    id) and per-token rates (USD per 1M / 10^6: exact as DECIMAL(38, 12), or 18 when a rate needs
    more digits). Returns the rows and that scale."""
    rates = []
    for g, rows in priced:
        for r in rows:
            rr = r.rates
            per_tok: list[Any] = [None] * (len(KEYS) + 1)
            if rr:
                per_tok = [rr.base[k] / M for k in KEYS] + [rr.request_fee]
            for i in range(depth):
                if rr and i < len(rr.tiers):
                    t, tr = rr.tiers[i]
                    per_tok += [t] + [tr[k] / M for k in KEYS]
                else:
                    per_tok += [None] * (len(KEYS) + 1)
            rates.append([*g, r.valid_from, r.valid_to, *(r.tod or (None, None)), r.source, r.usd_per_hour,
                          r.basis(), (ids or {}).get(r.basis()), *per_tok])
    # Rates exact at 12 decimals (nearly all: list prices have few digits per 1M tokens) are stored at
    # 12, so a request's cost is already at the cost column's scale: rounding 10M costs down from 18
    # decimals is int128 division and took 4 of the 6 seconds of a re-price (docs/performance.md).
    scale = 12 if all(v is None or isinstance(v, int) or (v * 10**12) == (v * 10**12).to_integral_value()
                      for row in rates for v in row[_FIRST_RATE:]) else 18
    return rates, scale


_FIRST_RATE = 12  # index of r_input in a _rate_rows row


def _rate_table(con: duckdb.DuckDBPyConnection, name: str,
                priced: list[tuple[tuple[Any, ...], list[PriceRow]]], depth: int,
                ids: dict[str, int] | None = None) -> None:
    """A temp table of per-token rates (``_rate_rows``) to join requests to."""
    rates, scale = _rate_rows(priced, depth, ids)
    cols = _rate_columns(depth)
    defs = ", ".join(f"{c} {'BIGINT' if c.endswith('_above') else f'DECIMAL(38, {scale})'}" for c in cols)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} (provider VARCHAR, model_raw VARCHAR, model VARCHAR, "
                f"service_tier VARCHAR, valid_from TIMESTAMP, valid_to TIMESTAMP, tod_start TIME, tod_end TIME, "
                f"source VARCHAR, usd_per_hour DECIMAL(38, 12), basis VARCHAR, basis_id INTEGER, {defs})")
    if rates:
        con.executemany(f"INSERT INTO {name} VALUES ({', '.join(['?'] * (_FIRST_RATE + len(cols)))})", rates)


def basis_ids(con: duckdb.DuckDBPyConnection, texts: list[str]) -> dict[str, int]:
    """The ``price_basis`` id of every basis text, adding the new ones (the dictionary only grows:
    a request's ``basis_id`` never points at a text that changed)."""
    wanted = list(dict.fromkeys(texts))
    known = dict(con.execute("SELECT basis, id FROM price_basis WHERE list_contains(?, basis)",
                             [wanted]).fetchall())
    new = [t for t in wanted if t not in known]
    if new:
        top = con.execute("SELECT coalesce(max(id), 0) FROM price_basis").fetchone()[0]  # type: ignore[index]
        rows = [(top + i, t) for i, t in enumerate(new, 1)]
        con.executemany("INSERT INTO price_basis VALUES (?, ?)", rows)
        known.update({t: i for i, t in rows})
    return known


def _write_prices(con: duckdb.DuckDBPyConnection, groups: list[tuple[Any, ...]],
                  replace_all: bool) -> tuple[int, list[tuple[tuple[Any, ...], list[PriceRow]]], dict[str, int]]:
    """Resolve every group's prices into ``price_applied``, ``price_basis`` and the temp ``_rate``
    table. Returns the tier depth used, the resolved prices and the basis ids."""
    priced = _resolve(groups, overrides(con))
    depth = _depth(priced)
    if replace_all:
        con.execute("DELETE FROM price_applied")
    else:
        con.execute("CREATE OR REPLACE TEMP TABLE _groups (provider VARCHAR, model_raw VARCHAR, model VARCHAR, "
                    "service_tier VARCHAR)")
        if groups:
            con.executemany("INSERT INTO _groups VALUES (?, ?, ?, ?)", [list(g) for g in groups])
        con.execute("DELETE FROM price_applied a USING _groups g WHERE a.provider IS NOT DISTINCT FROM g.provider "
                    "AND a.model_raw IS NOT DISTINCT FROM g.model_raw AND a.model IS NOT DISTINCT FROM g.model "
                    "AND a.service_tier = g.service_tier")
    applied = []
    for g, rows in priced:
        for r in rows:
            rr = r.rates
            tiers = [{"above": t, **{k: str(v) for k, v in tr.items()}} for t, tr in rr.tiers] if rr else []
            applied.append([*g, r.valid_from, r.valid_to, *(r.tod or (None, None)), r.source, r.price_provider,
                            r.price_model, CATALOG if r.source == "catalog" else None,
                            "; ".join(r.applied) or None,
                            *((rr.base[k] for k in KEYS) if rr else [None] * len(KEYS)),
                            rr.request_fee if rr else None, json.dumps(tiers) if tiers else None,
                            r.usd_per_hour, r.basis()])
    if applied:
        con.executemany(f"INSERT INTO price_applied VALUES ({', '.join(['?'] * len(applied[0]))})", applied)
    ids = basis_ids(con, [r.basis() for _, rows in priced for r in rows])
    _rate_table(con, "_rate", priced, depth, ids)
    return depth, priced, ids


def stored_is_catalog(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether every stored standard-tier cost is the catalog's standard price: no price file is
    loaded and every price was resolved with this catalog version (``catalog_costs``'s
    ``differing_only`` then leaves those requests out)."""
    return not overrides(con) and not con.execute(
        "SELECT count(*) FROM price_applied WHERE catalog_version IS DISTINCT FROM ? AND source = 'catalog'",
        [CATALOG]).fetchall()[0][0]


def _whole_days(row: PriceRow) -> bool:
    return row.tod is None and all(t == datetime.combine(t.date(), time()) for t in (row.valid_from, row.valid_to))


def catalog_daily_sql(groups: list[tuple[Any, ...]], spans: dict[tuple[Any, ...], tuple[datetime, datetime]],
                      standard: bool, idx: str = "i") -> tuple[str, str, str] | None:
    """``catalog_costs`` for daily rollup rows ``d`` instead of requests: SQL of the sum of the
    catalog's price (NOT applying the price file) of a row's requests, at the standard tier
    (``standard``) or at the row's own tier, from its token sums: SQL of the row's price entry
    (to select as column ``idx``: the SQL is large, so it is computed once per row), then the
    price and the condition under which it is exact, both over ``idx``. The price is NULL where
    the catalog has no price for the row.

    ``groups``: every (provider, model as logged, model, tier) of the rows; ``spans``: each
    group's first and last day (as [start, end) timestamps). Exact (the same ``_Lookup`` lists as
    ``_reprice_rollups``) when the row's group and day name one price row, no request of the row
    reaches a long-context tier (``max_input_tokens`` against the lowest threshold) and the rates
    have 12 decimals. A group with an off-peak (time-of-day) price, a price row that does not
    start and end at midnight or rates beyond 12 decimals in its span is never exact. None when
    no group is, or there are too many groups for a constant list."""
    priced = _resolve(groups, [], "standard" if standard else None)
    depth = _depth(priced)
    entries: list[tuple[tuple[Any, ...], PriceRow]] = []
    for g, rows in priced:
        if g not in spans:
            continue
        mine = [r for r in rows if r.valid_from < spans[g][1] and r.valid_to > spans[g][0]]
        exact = all(_whole_days(r) for r in mine) and _rate_rows([(g, mine)], depth)[1] == 12
        if exact:
            entries += [(g, r) for r in mine]
    if not entries:
        return None
    rates, scale = _rate_rows([(g, [r]) for g, r in entries], depth)
    lk = _Lookup(groups, entries, rates, scale, depth, {}, list(range(1, len(entries) + 1)))
    entry = _entry_sql([(i, g, r) for i, (g, r) in zip(lk.positions, entries, strict=True)], groups, _DAILY_SQL,
                       "CAST(d.day AS TIMESTAMP)")
    if entry is None:
        return None
    lists = lk.lists(12)
    ok = f"{idx} IS NOT NULL"
    if depth:
        low = f"{lists['t1_above']}[{idx}]"
        ok += f" AND ({low} IS NULL OR d.max_input_tokens <= {low})"
    return entry, _daily_cost_sql(lists, idx), ok


def catalog_costs(con: duckdb.DuckDBPyConnection, where: str = "", params: list[Any] | None = None,
                  differing_only: bool = False) -> str:
    """Build ``_catalog_cost`` (rowid of request_log, ``standard_cost``: the catalog's standard
    price, ``tier_cost``: with the request's batch/flex/priority price; neither applies the price
    file) for the requests matching ``where`` (SQL over request_log ``r``). Returns the table name.
    The reconciliation splits our price from the gateway's with it.

    ``differing_only``: leave out the requests whose stored ``cost`` already is both prices: those
    on the standard tier when no price file is loaded and every price was resolved with this
    catalog version. The caller reads a missing row as ``cost`` (the reconciliation does): at 10M
    requests this skips seconds of per-request pricing for a table of identical numbers."""
    if differing_only and stored_is_catalog(con):
        where += " AND coalesce(r.service_tier, 'standard') <> 'standard'"
    groups = con.execute("SELECT DISTINCT provider, model_raw, model, coalesce(service_tier, 'standard') "
                         f"FROM request_log r WHERE true {where}", params or []).fetchall()
    tiered, standard = _resolve(groups, []), _resolve(groups, [], tier="standard")
    _rate_table(con, "_rate_t", tiered, _depth(tiered))
    _rate_table(con, "_rate_s", standard, _depth(standard))
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _catalog_cost AS
        SELECT r.rowid AS rid,
               CASE WHEN s.source = 'catalog' THEN {_cost_sql(_depth(standard), "s")} END AS standard_cost,
               CASE WHEN q.source = 'catalog' THEN {_cost_sql(_depth(tiered), "q")} END AS tier_cost
        FROM request_log r
        LEFT JOIN _rate_t q ON {_JOIN}
        LEFT JOIN _rate_s s ON {_JOIN.replace("q.", "s.")}
        WHERE true {where}""", params or [])
    con.execute("DROP TABLE _rate_t")
    con.execute("DROP TABLE _rate_s")
    return "_catalog_cost"


def _cost_sql(depth: int, q: str = "q", col: Callable[[str], str] | None = None) -> str:
    """Per-request cost from the joined ``_rate`` row ``q`` (or ``col(name)``, the SQL of one rate
    column) and request ``r``: each request's own input tokens pick its long-context tier."""
    inp = "(r.uncached_input_tokens + r.cache_read_tokens + r.cache_write_tokens + r.cache_write_1h_tokens)"
    c = col or (lambda name: f"{q}.{name}")

    def rate(k: str) -> str:
        cases = " ".join(f"WHEN {inp} > {c(f't{i}_above')} THEN {c(f't{i}_{k}')}" for i in range(depth, 0, -1))
        return f"(CASE {cases} ELSE {c(f'r_{k}')} END)" if depth else c(f"r_{k}")

    terms = [f"r.uncached_input_tokens * {rate('input')}", f"r.cache_read_tokens * {rate('cache_read')}",
             f"r.cache_write_tokens * {rate('cache_write')}", f"r.cache_write_1h_tokens * {rate('cache_write_1h')}",
             f"(r.output_tokens - r.reasoning_tokens) * {rate('output')}",
             f"r.reasoning_tokens * {rate('reasoning')}", c("r_fee")]
    return f"CAST({' + '.join(terms)} AS DECIMAL(38, 12))"


_JOIN = """r.provider IS NOT DISTINCT FROM q.provider AND r.model_raw IS NOT DISTINCT FROM q.model_raw
    AND r.model IS NOT DISTINCT FROM q.model AND coalesce(r.service_tier, 'standard') = q.service_tier
    AND r.ts >= q.valid_from AND r.ts < q.valid_to
    AND (q.tod_start IS NULL OR CASE WHEN q.tod_start <= q.tod_end
         THEN CAST(r.ts AS TIME) >= q.tod_start AND CAST(r.ts AS TIME) < q.tod_end
         ELSE CAST(r.ts AS TIME) >= q.tod_start OR CAST(r.ts AS TIME) < q.tod_end END)"""

# A lookup's combined key may take this many values; beyond it requests join the rates instead.
LOOKUP_LIMIT = 65_536
_GROUP_SQL = ("r.provider", "r.model_raw", "r.model", "coalesce(r.service_tier, 'standard')")
_DAILY_SQL = ("d.provider", "d.model_raw", "d.model", "coalesce(d.service_tier, 'standard')")
TOKENS = ("uncached_input_tokens", "cache_read_tokens", "cache_write_tokens", "cache_write_1h_tokens",
          "output_tokens", "reasoning_tokens")
_TOKEN_OF = dict(zip(KEYS, TOKENS, strict=True))
_INT_MAX = 10**18 - 1  # what DECIMAL(18, 0) holds


def _lit(v: Any) -> str:
    return "NULL" if v is None else "'" + str(v).replace("'", "''") + "'"


def _key_sql(exprs: tuple[str, ...], values: list[tuple[Any, ...]]) -> tuple[str, Callable[[tuple[Any, ...]], int], int]:
    """An integer key of the values of ``exprs`` (``values``: every combination that occurs),
    computed per row without a join: each column that varies, and that the other columns do not
    already determine, becomes its position in an ENUM of its values (a hash lookup), NULL the
    next one, and the positions are combined in mixed radix. Returns the SQL, the same key
    computed in Python for a combination, and how many keys there can be."""
    distinct = list(dict.fromkeys(values))
    keep = list(range(len(exprs)))
    for j in range(len(exprs)):
        trial = [k for k in keep if k != j]
        if len({tuple(v[k] for k in trial) for v in distinct}) == len({tuple(v[k] for k in keep) for v in distinct}):
            keep = trial
    parts, codes, radix = [], [], 1
    for j in keep:
        seen = list(dict.fromkeys(v[j] for v in distinct))
        named = [x for x in seen if x is not None]
        n = len(named)
        code: dict[Any, int] = {x: i for i, x in enumerate(named)}
        code[None] = n
        enum = f"CAST(enum_code(TRY_CAST({exprs[j]} AS ENUM({', '.join(map(_lit, named))}))) AS BIGINT)"
        # a value not listed (never, when ``values`` came from the same rows) finds no entry
        # rather than NULL's: n + 1 when NULL is a listed value, else n, which then names nothing
        parts.append(f"(CASE WHEN {exprs[j]} IS NULL THEN {n} ELSE coalesce({enum}, {n + 1}) END) * {radix}"
                     if None in seen else f"coalesce({enum}, {n}) * {radix}")
        codes.append((j, code, radix))
        radix *= n + 2

    def key(v: tuple[Any, ...]) -> int:
        return sum(code[v[j]] * r for j, code, r in codes)

    return " + ".join(parts) or "0", key, radix


def _when_sql(row: PriceRow, ts: str) -> str:
    cond = [f"{ts} >= TIMESTAMP {_lit(row.valid_from)}", f"{ts} < TIMESTAMP {_lit(row.valid_to)}"]
    if row.tod:
        a, b = (f"CAST({ts} AS TIME) >= TIME {_lit(row.tod[0])}", f"CAST({ts} AS TIME) < TIME {_lit(row.tod[1])}")
        cond.append(f"({a} AND {b})" if row.tod[0] <= row.tod[1] else f"({a} OR {b})")
    return " AND ".join(cond)


def _entry_sql(entries: list[tuple[int, tuple[Any, ...], PriceRow]], values: list[tuple[Any, ...]],
               exprs: tuple[str, ...], ts: str) -> str | None:
    """SQL giving each row the index of its entry (``entries``: index, group, price row), with no
    join: a constant list indexed by the key of the row's group (over every group in ``values``,
    so a group without entries gets NULL), then, only for groups with several price rows (a dated
    price change, an off-peak window), a CASE on the row's time. None when the key space is too
    large for a constant list."""
    key_sql, key, radix = _key_sql(exprs, values)
    if radix > LOOKUP_LIMIT:
        return None
    by_key: dict[int, list[tuple[int, PriceRow]]] = {}
    for i, g, row in entries:
        by_key.setdefault(key(g), []).append((i, row))
    direct: list[int | None] = [None] * radix
    whens = []
    for k, found in by_key.items():
        if len(found) == 1:
            direct[k] = found[0][0]
        else:
            whens += [f"WHEN ({key_sql}) = {k} AND {_when_sql(row, ts)} THEN {i}" for i, row in found]
    lookup = f"[{', '.join('NULL' if d is None else str(d) for d in direct)}][{key_sql} + 1]"
    return f"coalesce({lookup}, CASE {' '.join(whens)} END)" if whens else lookup


def _sql_list(values: list[Any], typ: str) -> str:
    return f"CAST([{', '.join(_lit(v) for v in values)}] AS {typ}[])"


@dataclass
class _Lookup:
    """The price rows the requests being priced fall in (``entries``), with their rates
    (``_rate_rows``), each entry's position in the SQL lists (``positions``: its basis id when no
    two entries share one, else its number from 1), and the largest token counts among those
    requests."""

    groups: list[tuple[Any, ...]]
    entries: list[tuple[tuple[Any, ...], PriceRow]]
    rates: list[list[Any]]
    scale: int
    depth: int
    maxima: dict[str, int]
    positions: list[int] = field(default_factory=list)

    @property
    def by_basis(self) -> bool:
        """Whether an entry's position is its basis id (no list from position to basis id needed)."""
        return self.positions == [row[11] for row in self.rates]

    def lists(self, scale: int | None = None) -> dict[str, str]:
        """Constant SQL lists, by position, of every rate column over the entries (DECIMAL at
        ``scale``, or integers of 10^-12 USD when ``scale`` is None), and of the basis ids."""
        size = max(self.positions, default=0)

        def by_position(values: list[Any], typ: str) -> str:
            slots: list[Any] = [None] * size
            for pos, v in zip(self.positions, values, strict=True):
                slots[pos - 1] = v
            return _sql_list(slots, typ)

        out = {}
        for j, c in enumerate(_rate_columns(self.depth)):
            column = [row[_FIRST_RATE + j] for row in self.rates]
            if c.endswith("_above"):
                out[c] = by_position(column, "BIGINT")
            elif scale is None:
                out[c] = by_position([None if v is None else int(v * 10**12) for v in column], "BIGINT")
            else:
                out[c] = by_position(column, f"DECIMAL(38, {scale})")
        out["basis_id"] = by_position([row[11] for row in self.rates], "INTEGER")
        return out

    def tiers_apply(self) -> bool:
        """Whether any request is above the lowest long-context threshold of any price row."""
        lows = [row[_FIRST_RATE + len(KEYS) + 1] for row in self.rates if self.depth]
        return any(t is not None and self.maxima["input"] > t for t in lows)

    def fits_integers(self) -> bool:
        """Whether every cost can be summed in a BIGINT of 10^-12 USD (rates exact at 12 decimals
        and the largest token counts times the largest rates far from overflowing)."""
        if self.scale != 12:
            return False
        cols = _rate_columns(self.depth)
        top = {c: max((abs(row[_FIRST_RATE + j]) for row in self.rates if row[_FIRST_RATE + j] is not None),
                      default=Decimal(0)) for j, c in enumerate(cols) if not c.endswith("_above")}
        worst = sum(self.maxima[k] * max(v for c, v in top.items() if c.endswith(f"_{k}")) for k in KEYS)
        return (worst + top["r_fee"]) * 10**12 < _INT_MAX


def _cost_from_lists(lk: _Lookup, idx: str) -> str:
    """Per-request cost through the lookup lists at entry ``idx``. Token types no request has are
    left out, so are long-context tiers when no request reaches one, and fees when all are 0. In integers of 10^-12 USD when
    they cannot overflow (a BIGINT multiply instead of an int128 one: twice as fast), else in
    DECIMAL."""
    ints = lk.fits_integers()
    lists = lk.lists(None if ints else lk.scale)
    depth = lk.depth if lk.tiers_apply() else 0
    inp = "(r.uncached_input_tokens + r.cache_read_tokens + r.cache_write_tokens + r.cache_write_1h_tokens)"

    def rate(k: str) -> str:
        cases = " ".join(f"WHEN {inp} > {lists[f't{i}_above']}[{idx}] THEN {lists[f't{i}_{k}']}[{idx}]"
                         for i in range(depth, 0, -1))
        return f"(CASE {cases} ELSE {lists[f'r_{k}']}[{idx}] END)" if depth else f"{lists[f'r_{k}']}[{idx}]"

    terms = []
    for k in KEYS:
        if lk.maxima[k] <= 0:
            continue
        tokens = f"r.{_TOKEN_OF[k]}"
        if k == "output" and lk.maxima["reasoning"] > 0:
            tokens = "(r.output_tokens - r.reasoning_tokens)"
        terms.append(f"{tokens} * {rate(k)}")
    # the fee is also the NULL that leaves unpriced and hourly requests' cost NULL
    if not terms or any(row[_FIRST_RATE + len(KEYS)] != 0 for row in lk.rates):
        terms.append(f"{lists['r_fee']}[{idx}]")
    if ints:
        return (f"CAST(CAST({' + '.join(terms)} AS DECIMAL(18, 0)) * CAST('0.000000000001' AS DECIMAL(13, 12)) "
                "AS DECIMAL(38, 12))")
    return f"CAST({' + '.join(terms)} AS DECIMAL(38, 12))"


def _group_stats(con: duckdb.DuckDBPyConnection, where: str, params: list[Any], source: str = "request_log"
                 ) -> tuple[list[tuple[Any, ...]], dict[tuple[Any, ...], tuple[Any, Any]], dict[str, int]]:
    """In one pass over the requests matching ``where`` (in ``source``: request_log, or a query
    with its columns): their groups (provider, model as logged, model, tier), each group's first
    and last request, and the largest input and count of every token type."""
    rows = con.execute(
        "SELECT provider, model_raw, model, coalesce(service_tier, 'standard'), min(ts), max(ts), "
        "max(uncached_input_tokens + cache_read_tokens + cache_write_tokens + cache_write_1h_tokens), "
        f"{', '.join(f'max({t})' for t in TOKENS)} FROM {source} r WHERE true {where} GROUP BY ALL",
        params).fetchall()
    maxima = {"input": max((r[6] or 0 for r in rows), default=0)}
    maxima.update({k: max((r[7 + j] or 0 for r in rows), default=0) for j, k in enumerate(KEYS)})
    return [r[:4] for r in rows], {r[:4]: (r[4], r[5]) for r in rows}, maxima


def _rollup_stats(con: duckdb.DuckDBPyConnection
                  ) -> tuple[list[tuple[Any, ...]], dict[tuple[Any, ...], tuple[Any, Any]], dict[str, int]]:
    """``_group_stats`` of every request, read from the daily rollup (which covers them all,
    tests/test_rollups.py) instead of the requests: spans are whole days, and a token type's
    largest count is bounded by the largest input (or output) of one request."""
    sums = ", ".join(f"sum({t}) > 0" for t in TOKENS)
    rows = con.execute(
        "SELECT provider, model_raw, model, coalesce(service_tier, 'standard'), min(day), max(day), "
        f"max(max_input_tokens), max(max_output_tokens), {sums} FROM request_daily GROUP BY ALL").fetchall()
    top_in = max((r[6] or 0 for r in rows), default=0)
    top_out = max((r[7] or 0 for r in rows), default=0)
    maxima = {"input": top_in}
    for j, k in enumerate(KEYS):
        used = any(r[8 + j] for r in rows)
        maxima[k] = (top_out if k in ("output", "reasoning") else top_in) if used else 0
    spans = {r[:4]: (datetime.combine(r[4], time()), datetime.combine(r[5], time()) + timedelta(days=1))
             for r in rows}
    return [r[:4] for r in rows], spans, maxima


def _price_requests(con: duckdb.DuckDBPyConnection, stats: tuple[list[tuple[Any, ...]], dict[tuple[Any, ...],
                    tuple[Any, Any]], dict[str, int]], where: str, params: list[Any]) -> _Lookup | None:
    """Resolve the prices of the requests matching ``where`` (``stats``: ``_group_stats``) and set
    their ``cost`` and ``basis_id``. Returns the lookup used, or None when the requests were
    joined to the rates.

    Without a join: an UPDATE joined to the rates (even to a one-row table) took 2 s for 10M
    requests where a plain UPDATE takes 0.2 s, so each request finds its price row through
    constant lists indexed by an integer key of its group (``_entry_sql``), in one plain UPDATE
    of both columns (writing the index first and reading it back was slower: a column updated in
    the transaction is slow to scan). The join stays for stores with too many groups for a
    constant list."""
    lk, columns = _price_plan(con, stats, replace_all=not where)
    with uncapped(con):
        if columns is None:
            con.execute(f"""
                UPDATE request_log AS r SET cost = CASE WHEN q.source IN ('catalog', 'contract') THEN {_cost_sql(lk.depth)} END,
                                            basis_id = q.basis_id
                FROM _rate AS q
                WHERE {_JOIN} {where}""", params)
            return None
        con.execute(f"UPDATE request_log AS r SET basis_id = {columns['basis_id']}, cost = {columns['cost']} "
                    f"WHERE true {where}", params)
    return lk


def _price_plan(con: duckdb.DuckDBPyConnection, stats: tuple[list[tuple[Any, ...]], dict[tuple[Any, ...],
                tuple[Any, Any]], dict[str, int]], replace_all: bool) -> tuple[_Lookup, dict[str, str] | None]:
    """Resolve the prices of the requests ``stats`` describes (``_write_prices``: price_applied,
    price_basis, the temp ``_rate``) and return the lookup with the SQL of ``basis_id`` and
    ``cost`` over a request ``r``, or None for the columns when the groups are too many for
    constant lists (the requests must then be joined to ``_rate``)."""
    groups, spans, maxima = stats
    depth, priced, ids = _write_prices(con, groups, replace_all=replace_all)
    # a group's price rows outside its requests' time span are left out (most groups keep one)
    entries = [(g, r) for g, rows_ in priced for r in rows_ if g in spans
               and r.valid_from <= spans[g][1] and r.valid_to > spans[g][0]]
    rates, scale = _rate_rows([(g, [r]) for g, r in entries], depth, ids)
    lk = _Lookup(groups, entries, rates, scale, depth, maxima)
    basis = [row[11] for row in rates]
    lk.positions = basis if len(set(basis)) == len(basis) and max(basis, default=0) <= LOOKUP_LIMIT \
        else list(range(1, len(entries) + 1))
    idx = _entry_sql(list(zip(lk.positions, [g for g, _ in entries], [r for _, r in entries], strict=True)),
                     groups, _GROUP_SQL, "r.ts") if entries else None
    if idx is None:
        return lk, None
    basis_id = idx if lk.by_basis else f"{lk.lists()['basis_id']}[{idx}]"
    return lk, {"basis_id": basis_id, "cost": _cost_from_lists(lk, f"({idx})")}


def _daily_cost_sql(lists: dict[str, str], idx: str) -> str:
    """The cost of a daily rollup row ``d`` from its token sums at the rates of entry ``idx`` of
    ``lists`` (``_Lookup.lists(12)``): exact when every request of the row pays those base rates
    and they have 12 decimals (no per-request cost was rounded). NULL for an unpriced entry."""
    out = "(d.output_tokens - d.reasoning_tokens)"
    terms = [f"{out if k == 'output' else 'd.' + _TOKEN_OF[k]} * {lists['r_' + k]}[{idx}]" for k in KEYS]
    return f"CAST({' + '.join(terms)} + d.requests * {lists['r_fee']}[{idx}] AS DECIMAL(38, 12))"


def _reprice_rollups(con: duckdb.DuckDBPyConnection, lk: _Lookup | None) -> None:
    """Bring the daily rollup in line with re-priced requests without re-aggregating them.

    A rollup row's requests share provider, model as logged, model, tier and day; when those name
    one price row and no request of the row reaches a long-context tier, the row's cost is its
    token sums times that row's rates (exact: rates have 12 decimals, so no per-request cost was
    rounded). The rows this cannot cover are rebuilt from their requests, by file and day: off-peak
    and hourly prices, rows above a tier threshold (``max_input_tokens``). Rates needing 18
    decimals, or a store priced by join, rebuild everything."""
    if lk is None or lk.scale != 12:
        rollups.rebuild_all(con)
        return
    off_peak = {g for g, r in lk.entries if r.tod}
    derivable = [(i, g, r) for i, (g, r) in zip(lk.positions, lk.entries, strict=True)
                 if g not in off_peak and r.source != "hourly"]
    idx = _entry_sql(derivable, lk.groups, _DAILY_SQL, "CAST(d.day AS TIMESTAMP)") if derivable else None
    if idx is None:
        rollups.rebuild_all(con)
        return
    lists = lk.lists(12)
    redo = f"({idx}) IS NULL"
    if lk.depth:
        low = f"{lists['t1_above']}[{idx}]"
        redo += f" OR ({low} IS NOT NULL AND coalesce(d.max_input_tokens > {low}, true))"
    con.execute(f"UPDATE request_daily d SET cost = {_daily_cost_sql(lists, idx)}, "
                f"unpriced_requests = CASE WHEN {lists['r_fee']}[{idx}] IS NULL "
                f"THEN d.requests ELSE 0 END WHERE NOT ({redo})")
    con.execute("CREATE OR REPLACE TEMP TABLE _redo AS SELECT DISTINCT source_file_id, day, provider, model, "
                f"model_raw, service_tier FROM request_daily d WHERE {redo}")
    rollups.rebuild_days(con, "_redo")
    con.execute("DROP TABLE _redo")


def _allocate_hourly(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Share each hour's cost of hourly-priced models among that hour's requests by their tokens
    (by count when none has tokens). Returns the files whose rows changed."""
    if not con.execute("SELECT count(*) FROM _rate WHERE source = 'hourly'").fetchone()[0]:  # type: ignore[index]
        return []
    tok = ("r.uncached_input_tokens + r.cache_read_tokens + r.cache_write_tokens + r.cache_write_1h_tokens "
           "+ r.output_tokens")
    part = "PARTITION BY q.provider, q.model_raw, q.model, q.service_tier, date_trunc('hour', r.ts)"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _hourly AS
        SELECT r.rowid AS rid, r.source_file_id,
               CAST(CASE WHEN sum({tok}) OVER ({part}) > 0
                         THEN q.usd_per_hour * ({tok}) / sum({tok}) OVER ({part})
                         ELSE q.usd_per_hour / count(*) OVER ({part}) END AS DECIMAL(38, 12)) AS cost,
               q.basis_id
        FROM request_log r JOIN _rate q ON {_JOIN} AND q.source = 'hourly'""")
    with uncapped(con):
        con.execute("UPDATE request_log SET cost = h.cost, basis_id = h.basis_id FROM _hourly h "
                    "WHERE request_log.rowid = h.rid")
    files = [r[0] for r in con.execute("SELECT DISTINCT source_file_id FROM _hourly").fetchall()]
    con.execute("DROP TABLE _hourly")
    return files


def price_columns(con: duckdb.DuckDBPyConnection, rows_sql: str, params: list[Any]) -> dict[str, str]:
    """INSERT_COLUMNS hook for request logs: the SQL of ``basis_id`` and ``cost`` over a row ``r``
    of ``rows_sql`` (the rows about to be inserted), so a file's requests are priced as they are
    written. An UPDATE after the insert held every changed value in memory until the commit (370 MB
    at 10M rows: it cannot spill). Returns {} when the requests must be joined to their rates;
    ``price_file`` then prices them after the insert."""
    lk, columns = _price_plan(con, _group_stats(con, "", params, source=f"({rows_sql})"), replace_all=False)
    if columns is None:
        return {}
    con.execute("CREATE OR REPLACE TEMP TABLE _priced_on_insert AS SELECT 1 AS done")
    return columns


def price_file(con: duckdb.DuckDBPyConnection, source_file_id: int) -> None:
    """AFTER_LOAD hook for request logs: price one file's requests unless ``price_columns`` priced
    them as they were inserted (inside the load transaction; before its rollup is built).
    Hourly-priced models are re-shared across all files."""
    priced = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = '_priced_on_insert' "
                         "AND temporary").fetchone()[0]  # type: ignore[index]
    if priced:
        con.execute("DROP TABLE _priced_on_insert")
    else:
        where, params = "AND r.source_file_id = ?", [source_file_id]
        _price_requests(con, _group_stats(con, where, params), where, params)
    for other in _allocate_hourly(con):
        if other != source_file_id:
            rollups.rollup_file(con, other)
    con.execute("DROP TABLE IF EXISTS _rate")


def reprice(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Re-price every request after the prices changed (a price file loaded or removed, a catalog
    upgrade), in the caller's transaction, and bring the rollups in line. Returns a summary (the
    totals read from the rollup, which equals the requests: tests/test_rollups.py)."""
    summary = "SELECT coalesce(sum(requests), 0), sum(cost), coalesce(sum(unpriced_requests), 0) FROM request_daily"
    _, before, unpriced_before = con.execute(summary).fetchone()  # type: ignore[misc]
    lk = _price_requests(con, _rollup_stats(con), "", [])
    _allocate_hourly(con)  # hourly-priced rollup rows are rebuilt from their requests below
    con.execute("DROP TABLE IF EXISTS _rate")
    _reprice_rollups(con, lk)
    after = con.execute(summary).fetchone()
    return {"requests": after[0], "cost_before": float(before or 0), "cost_after": float(after[1] or 0),  # type: ignore[index]
            "unpriced_before": unpriced_before, "unpriced_after": after[2], "catalog": CATALOG}  # type: ignore[index]


def reprice_hook(con: duckdb.DuckDBPyConnection, source_file_id: int) -> None:
    """AFTER_LOAD / AFTER_REMOVE hook for price files: their rows change every request's price."""
    from ingest.pricefile import normalize_providers

    normalize_providers(con, source_file_id)
    reprice(con)
