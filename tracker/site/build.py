"""Render the generated pages into the repository's ``docs/`` and build the site with MkDocs."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml
from yaml_env_tag import construct_env_tag

from tracker.errors import AtlasError
from tracker.knowledge.catalog import load_catalog
from tracker.knowledge.topics import load_topics
from tracker.settings import Settings, docs_dir, site_dir
from tracker.site.abstracts import abstract_files
from tracker.site.engine import SiteData
from tracker.site.render import render_pages, write_pages
from tracker.site.search_bundle import current_index, write_search_bundle
from tracker.store import PaperStore


def site_url(root: Path) -> str | None:
    """``site_url`` from mkdocs.yml, resolved as MkDocs resolves it.

    ``!ENV [VAR, …, default]`` takes the first of the variables that is set, else the default (MkDocs' own
    constructor, from ``pyyaml_env_tag``, so both read the same address); other custom tags (``!!python/…``)
    are skipped, not run.
    """

    class _Loader(yaml.SafeLoader):
        pass

    _Loader.add_multi_constructor("", lambda loader, suffix, node: None)
    _Loader.add_constructor("!ENV", construct_env_tag)
    config = yaml.load((root / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506
    url = config.get("site_url") if isinstance(config, dict) else None
    return str(url) if url else None


def render_site(settings: Settings, search: bool = False, log: Any = None,
                reindex: Callable[[PaperStore], Any] | None = None) -> tuple[int, int, int]:
    """Write ``docs/generated/``; returns (pages written, stale pages removed, pages in all).

    With ``search``, the store is indexed first when the index is stale (with ``reindex(store)`` when given):
    the pages get the papers' vectors (the digests' themes of the week), and the search page its data and
    scripts (``docs/generated/search/``). Without, the pages are rendered without themes.
    """
    root = settings.require_repo()
    store = PaperStore(settings.data_dir)
    index = current_index(store, settings.cache_dir, log, reindex) if search else None
    data = SiteData.collect(
        store, load_catalog(settings.catalog_dir), load_topics(settings.catalog_dir), site_url=site_url(root),
        vectors=dict(zip(index.ids, index.vectors, strict=True)) if index is not None else None,
    )
    pages = render_pages(data)
    # abstracts and BibTeX: small gzipped files beside the pages (tracker.site.abstracts)
    written, removed = write_pages(docs_dir(root), {**pages, **abstract_files(data.papers)})
    if index is not None:
        report = write_search_bundle(root, data, index, settings.cache_dir, log)
        if log:
            log(f"search data: {report.papers} papers, {report.bytes / 1e6:.1f} MB in docs/generated/search/")
    return written, removed, len(pages)


@contextlib.contextmanager
def programs_run_beside(settings: Settings) -> Iterator[None]:
    """Run the Learn pages' programs into the output cache in a second process while the body renders.

    Rendering is one Python thread; the programs (a tiny GPT trained, MiniLM exported to ONNX …) are the fixed
    ~50 s of ``mkdocs build`` on a fresh clone. Run beside the render on the second core, MkDocs then finds their
    output cached (``tracker.site.exec_cache``). The exit waits for them; an error in the body stops them.
    """
    root = settings.require_repo()
    env = {**os.environ, "LLM_ATLAS_CACHE": str(settings.cache_dir)}
    process = subprocess.Popen([sys.executable, "-m", "tracker.site.exec_cache", str(root)], cwd=root, env=env,
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield
    except BaseException:
        process.terminate()
        raise
    finally:
        process.wait()


def build_site(settings: Settings, strict: bool = True) -> None:
    """``mkdocs build`` into ``site/``; a failed build is an ``AtlasError`` carrying MkDocs' last words."""
    root = settings.require_repo()
    command = [sys.executable, "-m", "mkdocs", "build", "--clean", "--site-dir", str(site_dir(root))]
    if strict:
        command.append("--strict")
    # Material's banner about MkDocs 2 is noise for our users; the build's real warnings still show. The Learn
    # programs' output cache (plugin atlas-exec-cache) lives in this run's cache folder.
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "LLM_ATLAS_CACHE": str(settings.cache_dir)}
    completed = subprocess.run(command, cwd=root, capture_output=True, text=True, env=env)
    if completed.returncode != 0:
        # MkDocs' own log lines start with the level; banners that merely mention "warning" are skipped.
        lines = [line for line in completed.stderr.splitlines() if line.startswith(("WARNING", "ERROR"))]
        detail = lines[0] if lines else (completed.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise AtlasError(f"mkdocs build failed: {detail.strip()}")
