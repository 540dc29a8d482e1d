"""Files -> DuckDB. One reader per source, in one registry; ``ingest_file`` loads any of them.

Adding a source is adding one module with a reader (``name``, ``kind``, ``detect``, ``read``) and one
line in ``READERS``. Order matters for detection: specific formats before general ones.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from ingest import evallinks, hist, prices, rollups
from ingest.anthropic import AnthropicCostReader, AnthropicUsageReader
from ingest.aws_cur import AwsCurReader
from ingest.azure import AzureReader
from ingest.base import Reader
from ingest.errors import ConfigError, IngestError, QueryError, RightsizeError, StoreBusy
from ingest.evals import AlpacaEvalReader, GenericEvalReader
from ingest.focus import FocusReader
from ingest.gateways import HeliconeReader, OpenRouterReader
from ingest.gcp_billing import GcpBillingReader
from ingest.generic import GenericRequestsReader
from ingest.loader import AFTER_LOAD, AFTER_REMOVE, INSERT_COLUMNS, IngestResult, remove_file
from ingest.loader import ingest_file as _ingest_file
from ingest.logs import LangfuseReader, LiteLLMReader
from ingest.openai import OpenAICostsReader, OpenAIUsageReader
from ingest.otel import OtelGenAIReader
from ingest.pricefile import PriceFileReader
from ingest.store import connect

_ORDER: list[Reader] = [
    FocusReader(),
    PriceFileReader(),
    OpenAICostsReader(),
    OpenAIUsageReader(),
    AnthropicCostReader(),
    AnthropicUsageReader(),
    AwsCurReader(),
    AzureReader(),
    GcpBillingReader(),
    AlpacaEvalReader(),
    GenericEvalReader(),
    LiteLLMReader(),
    LangfuseReader(),
    OtelGenAIReader(),
    OpenRouterReader(),
    HeliconeReader(),
    GenericRequestsReader(),  # general: keep last
]
READERS: dict[str, Reader] = {r.name: r for r in _ORDER}

# After a file's rows are inserted, in this order: pricing, then the rollups the pages read, the
# histograms the workload percentiles read and the links of evaluated requests to their rows.
# Requests are priced as they are inserted (prices.price_file prices those that need a join).
INSERT_COLUMNS.setdefault("requests", []).append(prices.price_columns)
AFTER_LOAD.setdefault("requests", []).extend([prices.price_file, rollups.rollup_file, hist.hist_file,
                                               evallinks.link_request_file])
# Each evaluated request id linked to its request rows (ingest/evallinks.py).
AFTER_LOAD.setdefault("evals", []).append(evallinks.link_eval_file)
AFTER_REMOVE.setdefault("evals", []).append(evallinks.unlink_eval_file)
# A price file loaded or removed changes every request's price.
AFTER_LOAD.setdefault("prices", []).append(prices.reprice_hook)
AFTER_REMOVE.setdefault("prices", []).append(prices.reprice_hook)


def formats() -> dict[str, str]:
    """Every known format and what it reads."""
    return {name: r.description for name, r in READERS.items()}


def ingest_file(con: duckdb.DuckDBPyConnection, path: str | Path, format: str | None = None,
                name: str | None = None, options: dict[str, Any] | None = None) -> IngestResult:
    """Load one file into the store (see ingest.loader for the rules).

    ``options["map"]`` (a column mapping, ingest/mapping.py) reads the file as a generic request log."""
    if options and options.get("map"):
        if format not in (None, "generic"):
            raise ConfigError(f"a column mapping applies to generic request logs, not --format {format}")
        format = "generic"
    return _ingest_file(con, path, READERS, format=format, name=name, options=options)


__all__ = ["READERS", "ConfigError", "IngestError", "IngestResult", "QueryError", "RightsizeError", "StoreBusy",
           "connect", "formats", "ingest_file", "remove_file"]
