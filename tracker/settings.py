"""Where things live: the repository, the store, the cache and the catalog, and every folder inside them.

Every path the package reads or writes is named here, once, so a reader can see the whole layout on one
screen and no two modules build the same path by hand:

- ``<data>/papers/YYYY/MM.jsonl``: the paper store (committed);
- ``<data>/vectors/YYYY/YYYY-Www.tsv|.i16``: the papers' search vectors, by week of first listing (committed);
- ``<data>/tracker/state.json``, ``ledger/<ISO week>.tsv``, ``runs/YYYY/<start>.json``: the tracker's state;
- ``<cache>/models/<model>/merged|onnx``: the search model merged with its adapter, and its ONNX export;
- ``<cache>/embeddings/<model>/``: vectors cached by paper id + text hash;
- ``<cache>/exec/``: the Learn pages' program output;
- ``<cache>/index/<model>/``: the search index; ``<cache>/eval/``: indexes of evaluation sets;
- ``<repo>/docs/generated/``: pages written by ``render``; ``<repo>/site/``: the built site.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from tracker.errors import AtlasError

GENERATED = "generated"  # under docs/: every page and file the build writes


def find_repo_root(start: Path | None = None) -> Path | None:
    """The nearest folder at or above ``start`` (default: the current one) holding ``mkdocs.yml``."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "mkdocs.yml").is_file():
            return folder
    return None


# -- inside the data folder (committed) ------------------------------------------------------------
def papers_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "papers"


def stored_vectors_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "vectors"


def tracker_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "tracker"


def ledger_dir(data_dir: Path) -> Path:
    return tracker_dir(data_dir) / "ledger"


def runs_dir(data_dir: Path) -> Path:
    return tracker_dir(data_dir) / "runs"


# -- inside the cache folder (derived, never committed) --------------------------------------------
def model_cache_dir(cache_dir: Path, model_name: str) -> Path:
    """A model's own folder: ``merged/`` (base + adapter) and ``onnx/`` (its exports)."""
    return Path(cache_dir) / "models" / model_name


def vectors_dir(cache_dir: Path, model_name: str) -> Path:
    return Path(cache_dir) / "embeddings" / model_name


def index_dir(cache_dir: Path, model_name: str) -> Path:
    return Path(cache_dir) / "index" / model_name


def exec_cache_dir(cache_dir: Path) -> Path:
    """The Learn pages' program output, by hash of program and inputs (``tracker.site.exec_cache``)."""
    return Path(cache_dir) / "exec"


def eval_dir(cache_dir: Path) -> Path:
    """Evaluation sets' indexes and vectors: kept apart from the store's."""
    return Path(cache_dir) / "eval"


# -- inside the repository ----------------------------------------------------------------------------
def docs_dir(repo_root: Path) -> Path:
    return Path(repo_root) / "docs"


def generated_dir(repo_root: Path) -> Path:
    return docs_dir(repo_root) / GENERATED


def site_dir(repo_root: Path) -> Path:
    return Path(repo_root) / "site"


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
