"""The model table: shipped rows with a public source for each tier, user overrides, the policy."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.errors import ConfigError
from queries.model_table import TIERS, Policy, model_rows, model_table


def test_every_shipped_row_has_a_tier_source() -> None:
    rows = model_rows()
    assert len(rows) >= 25
    for r in rows:
        assert r["tier"] in TIERS and r["tier_source"], r["model"]
        assert r["context_window"] and r["context_source"], r["model"]
    tiers = {r["model"]: r["tier"] for r in rows}
    assert (tiers["gpt-5"], tiers["gpt-5-mini"], tiers["gpt-5-nano"]) == ("frontier", "mid", "small")
    assert [r["model"] for r in rows if r["open_weight"]] == ["deepseek-chat"]


def test_user_file_replaces_and_adds_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mine = tmp_path / "models.csv"
    mine.write_text("model,provider,tier,tier_source,context_window,tools,open_weight\n"
                    "gpt-5-nano,openai,mid,our own eval,400000,true,false\n"
                    "llama-3.3-70b,groq,mid,our own eval,131072,,true\n")
    monkeypatch.setenv("RIGHTSIZE_MODEL_FILE", str(mine))
    rows = {r["model"]: r for r in model_rows()}
    assert (rows["gpt-5-nano"]["tier"], rows["gpt-5-nano"]["tier_source"]) == ("mid", "our own eval")
    assert rows["llama-3.3-70b"]["open_weight"] is True and rows["llama-3.3-70b"]["tools"] is None
    table = model_table(priced=False)
    assert table.filter(table["model"] == "llama-3.3-70b")["table_source"].item() == "models.csv"


def test_bad_user_file_names_line_and_cause(tmp_path: Path) -> None:
    bad = tmp_path / "models.csv"
    bad.write_text("model,provider,tier\ngpt-5-nano,openai,tiny\n")
    with pytest.raises(ConfigError, match=r"models.csv: line 2: tier 'tiny' is not one of small, mid, frontier"):
        model_rows(bad)
    with pytest.raises(ConfigError, match="does not exist"):
        model_rows(tmp_path / "missing.csv")


def test_policy_parse_and_allows() -> None:
    p = Policy.parse("providers=openai,anthropic; exclude=gpt-5-nano; min_tier=mid")
    row = {"model": "gpt-5-mini", "provider": "openai", "open_weight": False, "tier": "mid"}
    assert p.allows(row, "openai")
    assert not p.allows({**row, "model": "gpt-5-nano"}, "openai")
    assert not p.allows({**row, "tier": "small"}, "openai")
    assert not p.allows({**row, "provider": "google"}, "openai")
    assert not Policy.parse("same_provider").allows(row, "anthropic")
    assert not Policy.parse("open_weight").allows(row, "openai")
    assert Policy.parse("open_weight").allows({**row, "open_weight": True}, "openai")
    assert p.describe() == "providers=anthropic,openai; exclude=gpt-5-nano; min_tier=mid"
    with pytest.raises(ConfigError, match="min_tier 'huge'"):
        Policy.parse("min_tier=huge")
