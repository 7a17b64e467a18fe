"""The error hierarchy: every handled failure is an ``AtlasError`` and becomes one stderr line + exit 1."""

from __future__ import annotations

from pathlib import Path


class AtlasError(Exception):
    """A failure the CLI reports as one clear line and exit status 1."""


class InputError(AtlasError):
    """Bad input data: names the file, the line (when known) and what is wrong."""

    def __init__(self, path: Path | str, message: str, line: int | None = None) -> None:
        self.path = Path(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line is not None else str(self.path)
        super().__init__(f"{where}: {message}")


class StoreError(AtlasError):
    """The paper store cannot be read or written."""


class CatalogError(AtlasError):
    """A catalog file is invalid (the message names file and field)."""


class IndexNotBuiltError(AtlasError):
    """Search was asked for before ``llm-atlas index`` built the index."""


class ArxivError(AtlasError):
    """arXiv could not be reached or answered with an error."""


class ArxivUnreachableError(ArxivError):
    """No connection to arXiv at all (offline, DNS failure, refused)."""
