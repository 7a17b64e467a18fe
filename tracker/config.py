"""Where things live: the repository, the store, the cache and the catalog."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from tracker.errors import AtlasError


def find_repo_root(start: Path | None = None) -> Path | None:
    """The nearest folder at or above ``start`` (default: the current one) holding ``mkdocs.yml``."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "mkdocs.yml").is_file():
            return folder
    return None


@dataclass(frozen=True)
class Settings:
    repo_root: Path | None
    data_dir: Path
    cache_dir: Path
    catalog_dir: Path

    @classmethod
    def resolve(
        cls, data_dir: Path | None = None, cache_dir: Path | None = None, catalog_dir: Path | None = None
    ) -> Settings:
        """Option, then environment variable, then the repository in the current directory."""
        root = find_repo_root()
        base = root or Path.cwd()

        def pick(option: Path | None, env: str, default: Path) -> Path:
            if option is not None:
                return Path(option)
            if os.environ.get(env):
                return Path(os.environ[env])
            return default

        return cls(
            repo_root=root,
            data_dir=pick(data_dir, "LLM_ATLAS_DATA", base / "data"),
            cache_dir=pick(cache_dir, "LLM_ATLAS_CACHE", base / ".cache" / "llm-atlas"),
            catalog_dir=pick(catalog_dir, "LLM_ATLAS_CATALOG", base / "catalog"),
        )

    def require_repo(self) -> Path:
        if self.repo_root is None:
            raise AtlasError(f"{Path.cwd()}: not inside an LLM Atlas repository (no mkdocs.yml here or above)")
        return self.repo_root
