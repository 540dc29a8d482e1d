"""The core never imports the UI library: ingest/ and queries/ work without streamlit."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_core_does_not_import_streamlit() -> None:
    code = (
        "import sys, ingest, queries, queries.spend, ingest.loader, ingest.store\n"
        "import pkgutil, importlib\n"
        "for pkg in (ingest, queries):\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        importlib.import_module(m.name)\n"
        "bad = [m for m in sys.modules if m == 'streamlit' or m.startswith('streamlit.')]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == ""
