"""The small built site the browser tests share, built once per test session (registered by tests/conftest.py).

``llm-atlas build`` (strict, with the search page) runs in a scratch copy of the repository from a small real
store: the 2026-07-01 listing, 25 real papers with version histories, and one paper whose title is a
``<script>``. Only one Learn page runs its programs (the first of LEARN_PREFERENCE that has any: attention.md,
the page with display maths, whose highlighted code and printed output the browser and accessibility tests see);
the others' program fences get ``exec="false"``, which MkDocs then shows as plain paragraphs, not as code (no
test opens those pages). That keeps the build to a minute or so; all programs run in tests/test_snippets.py.

Used by tests/test_site_browser.py, tests/test_site_search_page.py and tests/test_site_a11y.py, with one static
server and one Chromium for the session. The tests only read the site: they open its pages, read its files and
run the read-only CLI commands (``search``, ``related``) in the scratch repository; none writes under ``site/``,
``docs/`` or ``data/``. A test that needs to change the site must build or copy its own.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from unittest import mock

import pytest
from conftest import CORPUS_DAY, KAGGLE_SAMPLE, REPO, borrow_onnx_export

from tracker.importer import read_papers
from tracker.paper import Paper
from tracker.site.build import site_url
from tracker.site.serve import serve_folder
from tracker.store import PaperStore

# Debian's chromium (`make test` installs it); LLM_ATLAS_CHROMIUM names another build of it (e.g. on a CI image)
CHROMIUM = os.environ.get("LLM_ATLAS_CHROMIUM") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
# Learn pages whose programs are quick, best first; any page running a program will do otherwise.
LEARN_PREFERENCE = ("attention.md", "positional-encoding.md", "components.md", "moe.md", "tokenization.md")
EXEC_FENCE = re.compile(r'^```python exec="(?:true|1|yes|on)"', re.MULTILINE)
SCRIPT_TITLE = '<script>alert("pwned")</script> Retrieval-augmented generation for GPT-4'


def script_paper() -> Paper:
    return Paper(
        id="2607.99998", version=1, title=SCRIPT_TITLE,
        abstract="We use retrieval-augmented generation (RAG) with GPT-4. <img src=x onerror=alert(2)>",
        authors=["Mallory <i>M</i>"], categories=["cs.CL"], published=date(2026, 7, 1), updated=date(2026, 7, 1),
    )


def pick_learn_page(learn: Path) -> Path | None:
    """The Learn page to open: the first of LEARN_PREFERENCE that runs a program, else any that does."""
    runs = {p.name: p for p in sorted(learn.glob("*.md")) if EXEC_FENCE.search(p.read_text(encoding="utf-8"))}
    for name in LEARN_PREFERENCE:
        if name in runs:
            return runs[name]
    return next(iter(runs.values()), None)


def scratch_site_url(root: Path) -> str:
    """The address the scratch build used: mkdocs.yml's default (the build ran without LLM_ATLAS_SITE_URL)."""
    with mock.patch.dict(os.environ):
        os.environ.pop("LLM_ATLAS_SITE_URL", None)
        url = site_url(root)
    assert url
    return url


@dataclass(frozen=True)
class BuiltSite:
    root: Path  # the scratch repository
    site: Path
    learn_md: Path | None  # the Learn page kept running its programs (None: the site has no Learn pages)


def atlas_env(root: Path, onnx_cache: Path) -> dict[str, str]:
    """The scratch repository's own folders, with the session's ONNX export borrowed (not exported again)."""
    cache = root / ".cache" / "llm-atlas"
    if not (cache / "models").exists():
        borrow_onnx_export(cache, onnx_cache)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LLM_ATLAS_")}
    return {**env, "LLM_ATLAS_CACHE": str(cache)}


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory, onnx_cache: Path) -> BuiltSite:
    root = tmp_path_factory.mktemp("browser") / "repo"
    root.mkdir()
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "overrides", root / "overrides")  # the theme overrides (custom_dir)
    shutil.copytree(REPO / "docs", root / "docs", ignore=shutil.ignore_patterns("generated"))
    shutil.copytree(REPO / "catalog", root / "catalog")
    learn = root / "docs" / "learn"
    chosen = pick_learn_page(learn) if learn.is_dir() else None
    if learn.is_dir():
        for page in learn.glob("*.md"):
            if page != chosen:
                text = page.read_text(encoding="utf-8")
                page.write_text(EXEC_FENCE.sub('```python exec="false"', text), encoding="utf-8")
    store = PaperStore(root / "data")
    store.upsert([*{p.id: p for p in read_papers(CORPUS_DAY)}.values(), *read_papers(KAGGLE_SAMPLE), script_paper()])
    store.save()
    completed = subprocess.run([sys.executable, "-m", "tracker", "build"], cwd=root, env=atlas_env(root, onnx_cache),
                               capture_output=True, text=True, timeout=1200)
    assert completed.returncode == 0, completed.stderr[-3000:]
    return BuiltSite(root, root / "site", chosen)


@pytest.fixture(scope="session")
def server(built_site: BuiltSite) -> Iterator[str]:
    """A plain static file server on 127.0.0.1 (a free port), as GitHub Pages would serve site/."""
    with serve_folder(built_site.site) as url:
        yield f"{url}/"


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Chromium through playwright, launched once; each test opens its own context (cookies, storage, cache)."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: apt-get install chromium (make test does it)"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
