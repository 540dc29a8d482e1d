"""The model table: what a candidate model costs, how much context it takes, its capability tier
(with the public source of each placement) and its features.

The table ships as ``queries/models.csv``; a user's CSV with the same columns (setting
``model_file``) replaces rows by model id or adds new ones. Prices never live in the CSV: they come
from the price catalog (``ingest.prices``), so a model the catalog does not know is shown as
unpriced and is never a candidate.

A ``Policy`` narrows the candidates: allowed providers, same provider only, open weight only,
excluded models and a minimum tier.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import polars as pl

from ingest import prices, settings
from ingest.errors import ConfigError

TIERS = {"small": 0, "mid": 1, "frontier": 2}
COLUMNS = ["model", "provider", "tier", "tier_source", "context_window", "context_source", "tools",
           "vision", "json", "features_source", "open_weight"]
RATE_COLUMNS = ["input", "output", "cache_read", "cache_write_5m", "cache_write_1h",
                "long_context_threshold", "long_context_input", "long_context_output"]


def _flag(value: str | None, where: str) -> bool | None:
    v = (value or "").strip().lower()
    if v in {"", "unknown"}:
        return None
    if v in {"true", "yes", "1", "y"}:
        return True
    if v in {"false", "no", "0", "n"}:
        return False
    raise ConfigError(f"{where}: {value!r} is not true/false")


def _read_table(text: str, name: str) -> list[dict[str, Any]]:
    lines = [ln for ln in text.splitlines() if not ln.startswith("#")]
    reader = csv.DictReader(lines)
    missing = [c for c in ("model", "provider", "tier") if c not in (reader.fieldnames or [])]
    if missing:
        raise ConfigError(f"{name}: missing columns {', '.join(missing)}; expected {', '.join(COLUMNS)}")
    rows = []
    for i, raw in enumerate(reader, 2):
        where = f"{name}: line {i}"
        tier = (raw.get("tier") or "").strip().lower()
        if tier not in TIERS:
            raise ConfigError(f"{where}: tier {raw.get('tier')!r} is not one of {', '.join(TIERS)}")
        ctx = (raw.get("context_window") or "").strip()
        if ctx and not ctx.isdigit():
            raise ConfigError(f"{where}: context_window {ctx!r} is not a whole number")
        rows.append({
            "model": raw["model"].strip(), "provider": (raw.get("provider") or "").strip().lower(),
            "tier": tier, "tier_source": (raw.get("tier_source") or "").strip(),
            "context_window": int(ctx) if ctx else None,
            "context_source": (raw.get("context_source") or "").strip(),
            "tools": _flag(raw.get("tools"), where), "vision": _flag(raw.get("vision"), where),
            "json": _flag(raw.get("json"), where),
            "features_source": (raw.get("features_source") or "").strip(),
            "open_weight": bool(_flag(raw.get("open_weight"), where)),
            "table_source": name,
        })
    return rows


def model_rows(model_file: str | Path | None = None) -> list[dict[str, Any]]:
    """The shipped table with the user's file (argument, else the ``model_file`` setting) applied."""
    shipped = (resources.files("queries") / "models.csv").read_text(encoding="utf-8")
    rows = {r["model"]: r for r in _read_table(shipped, "queries/models.csv")}
    user = model_file if model_file is not None else settings.get("model_file")
    if user:
        path = Path(user)
        if not path.is_file():
            raise ConfigError(f"model file {path} does not exist; fix the model_file setting")
        for r in _read_table(path.read_text(encoding="utf-8-sig"), path.name):
            rows[r["model"]] = r
    return list(rows.values())


def catalog() -> Any:
    """The price catalog module (ingest.prices)."""
    return prices


def rates_for(model: str, provider: str | None = None) -> dict[str, Any] | None:
    """USD per 1M tokens for one model from the catalog, flattened for SQL; None if unknown."""
    prices = catalog()
    mp = prices.model_price(model, provider or None)
    if mp is None:
        return None
    lc = getattr(mp, "long_context", None)
    lc_in = _get(lc, "input")
    lc_out = _get(lc, "output")
    return {
        "input": _f(mp.input), "output": _f(mp.output), "cache_read": _f(mp.cache_read),
        "cache_write_5m": _f(mp.cache_write_5m), "cache_write_1h": _f(mp.cache_write_1h),
        "long_context_threshold": int(mp.long_context_threshold) if getattr(mp, "long_context_threshold", None) else None,
        "long_context_input": lc_in, "long_context_output": lc_out,
        "price_source": str(getattr(mp, "source", "") or ""),
        "price_provider": str(getattr(mp, "provider", "") or ""),
    }


def _get(obj: Any, name: str) -> float | None:
    if obj is None:
        return None
    value = obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)
    return _f(value)


def _f(value: Any) -> float | None:
    return None if value is None else float(value)


def model_table(model_file: str | Path | None = None, priced: bool = True) -> pl.DataFrame:
    """The model table with catalog prices (USD per 1M tokens) beside each row; ``priced=False``
    skips the catalog (for showing the table before prices load)."""
    rows = []
    version = catalog().catalog_version() if priced else None
    for r in model_rows(model_file):
        rates = rates_for(r["model"], r["provider"]) if priced else None
        rows.append({**r, **{c: (rates or {}).get(c) for c in RATE_COLUMNS},
                     "price_source": (rates or {}).get("price_source"), "catalog_version": version,
                     "priced": rates is not None})
    return pl.DataFrame(rows, infer_schema_length=None)


@dataclass
class Policy:
    """Which models may be candidates. Parsed from ``--policy`` text such as
    ``providers=openai,anthropic; same_provider; open_weight; exclude=gpt-5-nano; min_tier=mid``."""

    providers: set[str] = field(default_factory=set)   # empty = any
    same_provider: bool = False
    open_weight: bool = False
    exclude: set[str] = field(default_factory=set)
    min_tier: str = "small"

    @classmethod
    def parse(cls, text: str | None) -> Policy:
        policy = cls()
        for part in (text or "").replace("\n", ";").split(";"):
            part = part.strip()
            if not part:
                continue
            name, _, value = part.partition("=")
            name = name.strip().lower().replace("-", "_")
            values = {v.strip().lower() for v in value.replace("+", ",").split(",") if v.strip()}
            if name == "providers":
                policy.providers = values
            elif name == "same_provider":
                policy.same_provider = value.strip().lower() not in {"false", "no", "0"}
            elif name == "open_weight":
                policy.open_weight = value.strip().lower() not in {"false", "no", "0"}
            elif name == "exclude":
                policy.exclude = values
            elif name == "min_tier":
                if value.strip().lower() not in TIERS:
                    raise ConfigError(f"policy: min_tier {value!r} is not one of {', '.join(TIERS)}")
                policy.min_tier = value.strip().lower()
            else:
                raise ConfigError(f"policy: unknown rule {name!r}; use providers=, same_provider, "
                                  "open_weight, exclude=, min_tier=")
        return policy

    def allows(self, row: dict[str, Any], current_provider: str | None) -> bool:
        """May this model-table row be a candidate for a workload on ``current_provider``?"""
        if row["model"].lower() in self.exclude:
            return False
        if self.providers and row["provider"] not in self.providers:
            return False
        if self.same_provider and current_provider and row["provider"] != current_provider.lower():
            return False
        if self.open_weight and not row["open_weight"]:
            return False
        return TIERS.get(row["tier"], 0) >= TIERS[self.min_tier]  # unrated (evaluated, not in the table) ranks lowest

    def describe(self) -> str:
        parts = []
        if self.providers:
            parts.append("providers=" + ",".join(sorted(self.providers)))
        if self.same_provider:
            parts.append("same_provider")
        if self.open_weight:
            parts.append("open_weight")
        if self.exclude:
            parts.append("exclude=" + ",".join(sorted(self.exclude)))
        if self.min_tier != "small":
            parts.append(f"min_tier={self.min_tier}")
        return "; ".join(parts) or "any model in the model table"
