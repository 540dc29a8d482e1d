"""Who may see the dashboard.

Three modes, chosen by configuration:
- **OIDC** (Streamlit's built-in ``st.login``) when ``.streamlit/secrets.toml`` has an ``[auth]``
  section: every page asks the user to sign in with the team's identity provider first.
- **Shared password** when the ``password_sha256`` setting (``RIGHTSIZE_PASSWORD_SHA256``) holds the
  hex SHA-256 of a team password: every page asks for it first.
- **Local** otherwise: no login, and ``rightsize serve`` binds to 127.0.0.1 only (it refuses any
  other address), which the sidebar says.
No page renders data before ``gate()`` lets the session through.
"""

from __future__ import annotations

import hashlib
import hmac

import streamlit as st

from app.dashboard.ui import plain
from ingest import settings


def oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except FileNotFoundError:
        return False
    except Exception:  # noqa: BLE001 - a malformed secrets file means no OIDC, said in the UI
        return False


def auth_mode() -> str:
    if oidc_configured():
        return "oidc"
    if settings.get("password_sha256"):
        return "password"
    return "local"


def password_ok(candidate: str) -> bool:
    expected = str(settings.get("password_sha256")).strip().lower()
    given = hashlib.sha256(candidate.encode("utf-8")).hexdigest()
    return bool(expected) and hmac.compare_digest(given, expected)


def gate() -> None:
    """Stop the script run unless this session may see data."""
    mode = auth_mode()
    if mode == "oidc":
        if not st.user.get("is_logged_in", False):
            st.title("rightsize")
            st.write("Sign in to see your organisation's AI spend.")
            st.button("Sign in", on_click=st.login, type="primary")
            st.stop()
        with st.sidebar:
            st.caption(plain(f"Signed in as {st.user.get('email') or st.user.get('name') or 'you'}"))
            st.button("Sign out", on_click=st.logout)
    elif mode == "password":
        if not st.session_state.get("rs_authenticated"):
            st.title("rightsize")
            with st.form("login"):
                candidate = st.text_input("Team password", type="password")
                submitted = st.form_submit_button("Enter")
            if submitted:
                if password_ok(candidate):
                    st.session_state["rs_authenticated"] = True
                    st.rerun()
                st.error("Wrong password.")
            st.stop()
    else:
        st.sidebar.caption("Local mode: no login, serving on this computer only (127.0.0.1).")
