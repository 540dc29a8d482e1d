"""Every setting in one table: name, default, environment variable and help text.

Values come from the environment first, then an optional TOML file (``RIGHTSIZE_CONFIG``, default
``./rightsize.toml``), then the default. Tests never read the developer's own config: they pass
explicit values or set the environment.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str

    @property
    def env(self) -> str:
        return "RIGHTSIZE_" + self.name.upper()


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in [
        Setting("db", "data/rightsize.duckdb",
                "The store: a DuckDB file path or a SQLAlchemy URL (duckdb:///path.duckdb)."),
        Setting("store_wait", 30, "Seconds a command or a dashboard page waits for the store while another "
                "process holds it (`rightsize ingest` holds it while it loads a file) before saying it is busy."),
        Setting("config", "rightsize.toml", "Optional TOML file holding any of these settings."),
        Setting("upload_max_mb", 500, "Largest file the dashboard accepts for upload, in MB."),
        Setting("currency", "USD", "Currency used when a source does not name one."),
        Setting("keep_text", False, "Store prompt and response text (off: only lengths and a hash)."),
        Setting("model_file", "", "Your model table (CSV, columns of queries/models.csv): rows replace or add "
                "candidate models, tiers and features."),
        Setting("workload_key", "auto", "Request attribute that names a workload when no workload_rule "
                "matches: auto, feature, prompt_name, app_route, app, route, api_key, project, team."),
        Setting("batch_discount", 0.5, "Discount of batch APIs used by the batch-share what-if "
                "(OpenAI and Anthropic batch prices are half the standard price)."),
        Setting("memory_limit", "1GB",
                "Most memory DuckDB may hold while it loads a file; beyond it the staged rows go to the "
                "store's file and other work to a temp folder beside it. Keeps a 10M-row ingest near "
                "1.1 GB of RAM and a 100M-row one near 1.7 GB. The pricing UPDATEs (re-pricing after a "
                "price change), which cannot spill, run without it. Empty: DuckDB's default."),
        Setting("password_sha256", "",
                "Shared-password mode for the dashboard: the hex SHA-256 of the team's password "
                "(e.g. `printf %s 'secret' | sha256sum`). Empty: no password."),
    ]
}


def get(name: str) -> Any:
    """The value of one setting: environment, then the TOML file, then the default."""
    setting = SETTINGS[name]
    if setting.env in os.environ:
        raw = os.environ[setting.env]
        if isinstance(setting.default, bool):
            return raw.strip().lower() in {"1", "true", "yes", "on"}
        if isinstance(setting.default, int):
            return int(raw)
        return raw
    if name != "config":
        cfg = Path(get("config"))
        if cfg.is_file():
            with cfg.open("rb") as fh:
                data = tomllib.load(fh)
            if name in data:
                return data[name]
    return setting.default
