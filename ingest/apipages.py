"""Admin-API usage and cost pages (OpenAI, Anthropic): the JSON shapes they share.

A file may hold one page (``{"data": [bucket, ...], "has_more": ..}``), a JSON list of pages, or
JSON Lines with a page per line (how scripts that page through the API often save them). Money is
parsed as Decimal so amounts stay exact.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from ingest.errors import IngestError
from ingest.sniff import Sniff


def load_pages(s: Sniff) -> list[dict[str, Any]]:
    """Every page in the file, parsed with Decimal for numbers."""
    raw = gzip.open(s.path, "rb").read() if s.compression else s.path.read_bytes()
    text = raw.decode("utf-8-sig")
    try:
        if s.container == "jsonl":
            pages = [json.loads(line, parse_float=Decimal) for line in text.splitlines() if line.strip()]
        else:
            doc = json.loads(text, parse_float=Decimal)
            pages = doc if isinstance(doc, list) else [doc]
    except json.JSONDecodeError as exc:
        raise IngestError(s.name, f"invalid JSON: {exc.msg}", line=exc.lineno) from exc
    for i, page in enumerate(pages):
        if not isinstance(page, dict) or not isinstance(page.get("data"), list):
            raise IngestError(s.name, f"page {i + 1} has no 'data' list of buckets",
                              hint="save the API's response pages as they come")
    return pages


def results(s: Sniff) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(location, bucket, result) for every result of every bucket, e.g. ``page 1 data[3].results[0]``."""
    for p, page in enumerate(load_pages(s), 1):
        for b, bucket in enumerate(page["data"]):
            if not isinstance(bucket, dict):
                raise IngestError(s.name, f"page {p} data[{b}] is not a bucket object")
            items = bucket.get("results")
            if items is None:
                items = bucket.get("result", [])
            if not isinstance(items, list):
                raise IngestError(s.name, f"page {p} data[{b}].results is not a list")
            for r, result in enumerate(items):
                if isinstance(result, dict):
                    yield f"page {p} data[{b}].results[{r}]", bucket, result
                else:
                    yield f"page {p} data[{b}].results[{r}]", bucket, {"_not_an_object": json.dumps(result, default=str)}


def first_result(s: Sniff) -> dict[str, Any] | None:
    """The first result object of a sniffed page file, for detection (None if not page-shaped)."""
    doc = s.document
    pages = doc if isinstance(doc, list) else [doc]
    for page in pages:
        if not isinstance(page, dict) or not isinstance(page.get("data"), list):
            return None
        for bucket in page["data"]:
            if isinstance(bucket, dict):
                for result in bucket.get("results") or bucket.get("result") or []:
                    if isinstance(result, dict):
                        return result
    return None


def text(value: Any) -> str | None:
    """A JSON value as the text the SQL side parses (Decimal keeps its digits)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, default=str)
    return str(value)
