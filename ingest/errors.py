"""The one error hierarchy of rightsize.

Every error a user can cause says which file, which line and what to do next. The CLI prints
``str(error)`` on one line to stderr and exits 2; the dashboard shows it with ``st.error``.
"""

from __future__ import annotations


class RightsizeError(Exception):
    """Base class: an error the user can act on (never a bug)."""


class ConfigError(RightsizeError):
    """A setting, price file or mapping is wrong."""


class StoreBusy(ConfigError):
    """Another process held the store's lock (it was writing, or reading while we wanted to write)
    for longer than the ``store_wait`` setting."""


class IngestError(RightsizeError):
    """A file cannot be loaded. Carries the file name, the line (if known) and the cause."""

    def __init__(self, file: str, cause: str, line: int | None = None, hint: str | None = None):
        self.file = file
        self.cause = cause
        self.line = line
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.file}: line {self.line}: " if self.line is not None else f"{self.file}: "
        text = where + self.cause
        if self.hint:
            text += f"; {self.hint}"
        return text.replace("\n", " ")


class QueryError(RightsizeError):
    """An analytics request is invalid (unknown group-by column, bad period, ...)."""
