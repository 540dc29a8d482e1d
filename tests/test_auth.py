"""With auth on, no page renders data without a session; local mode binds to localhost only."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import ingest
from tests.conftest import ROOT, SAMPLES, run_cli

MAIN = str(ROOT / "app" / "dashboard" / "main.py")
SECRET = "correct horse battery staple"


@pytest.fixture
def loaded_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "s.duckdb"
    con = ingest.connect(db)
    ingest.ingest_file(con, SAMPLES / "focus" / "focus_sample_1000_FOCUS-1.0.csv")
    con.close()
    monkeypatch.setenv("RIGHTSIZE_DB", str(db))
    return db


def shows_data(at: AppTest) -> bool:
    return any("Billed cost" in m.label for m in at.metric) or len(at.dataframe) > 0


def test_local_mode_shows_data_and_says_it_is_local(loaded_db: Path) -> None:
    at = AppTest.from_file(MAIN, default_timeout=60).run()
    assert not at.exception
    assert shows_data(at)
    assert any("Local mode" in c.value for c in at.sidebar.caption)


def test_password_mode_refuses_data_until_the_right_password(loaded_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RIGHTSIZE_PASSWORD_SHA256", hashlib.sha256(SECRET.encode()).hexdigest())
    at = AppTest.from_file(MAIN, default_timeout=60).run()
    assert not shows_data(at)
    at.text_input[0].input("wrong")
    at.button[0].click().run()
    assert not shows_data(at)
    assert at.error and "Wrong password" in at.error[0].value
    at.text_input[0].input(SECRET)
    at.button[0].click().run()
    assert shows_data(at)


def test_oidc_mode_asks_to_sign_in_and_shows_no_data(loaded_db: Path) -> None:
    at = AppTest.from_file(MAIN, default_timeout=60)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
                          "client_id": "rightsize", "client_secret": "s",
                          "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration"}
    at.run()
    assert not shows_data(at)
    assert [b.label for b in at.button] == ["Sign in"]


def test_serve_refuses_a_public_address_without_auth(tmp_path: Path) -> None:
    proc = run_cli("serve", "--address", "0.0.0.0", db=tmp_path / "s.duckdb")
    assert proc.returncode == 2
    assert "refusing to serve on 0.0.0.0 without a login" in proc.stderr
