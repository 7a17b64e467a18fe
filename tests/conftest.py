"""Shared fixtures: real papers from tests/fixtures, one embedding model per session."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tracker.embedding.embedders import Embedder
from tracker.importer import read_papers
from tracker.paper import Paper
from tracker.relevance.filter import select_llm_papers

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parent.parent
CORPUS_DAY = FIXTURES / "corpus" / "2026-07-01.jsonl"
KAGGLE_SAMPLE = FIXTURES / "kaggle_sample.jsonl"

# The small built site, its server and Chromium, shared by the browser tests and built once per session
pytest_plugins = ["site_fixtures"]


@pytest.fixture(scope="session")
def corpus_papers() -> list[Paper]:
    """371 real papers of the 2026-07-01 listing."""
    return list(read_papers(CORPUS_DAY))


@pytest.fixture(scope="session")
def llm_papers(corpus_papers: list[Paper]) -> list[Paper]:
    """The listing's LLM papers, each once (the raw listing repeats 70 identical records)."""
    unique = list({p.id: p for p in corpus_papers}.values())
    # one batch: the undecided papers are embedded together (the same 135 of 301 as one call per paper, 2.5x faster)
    return [paper for paper, keep in zip(unique, select_llm_papers(unique), strict=True) if keep]


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The real all-MiniLM-L6-v2 from its PyPI package, loaded once."""
    return Embedder()


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A scratch copy of the repository's site sources (no store), as the current directory."""
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "overrides", root / "overrides")  # the theme overrides (custom_dir)
    shutil.copytree(REPO / "docs", root / "docs", ignore=shutil.ignore_patterns("generated"))
    shutil.copytree(REPO / "catalog", root / "catalog")
    (root / "data").mkdir()
    for var in ("LLM_ATLAS_DATA", "LLM_ATLAS_CACHE", "LLM_ATLAS_CATALOG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(root)
    yield root


def borrow_onnx_export(cache: Path, onnx_cache: Path) -> None:
    """Link the session's exported models into ``cache``, so a scratch repository does not export them again."""
    (cache / "models").mkdir(parents=True, exist_ok=True)
    for model in (onnx_cache / "models").iterdir():
        (cache / "models" / model.name).symlink_to(model)


@pytest.fixture(scope="session")
def onnx_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache folder holding the ONNX export (fp32 + int8) of the shipped model, exported once per session."""
    from tracker.embedding.onnx_export import ensure_onnx

    cache = tmp_path_factory.mktemp("onnx-cache")
    ensure_onnx(cache)
    return cache


# Measurements tests make along the way (e.g. the search page's time to first answer), shown after the run.
MEASURED: list[str] = []


# The longest files (measured with --durations), started first so that neither of `make test`'s two workers
# is left alone with a long one at the end; the order balances the workers and changes no result.
SLOW_FIRST = ("test_snippets.py", "test_finetune.py", "test_weekly.py", "test_cli.py", "test_import.py",
              "test_site_a11y.py", "test_digest_themes.py", "test_stored_vectors.py", "test_search.py")
# Files that share a module-level cache: test_learn_claims.py reuses test_snippets.py's runs of the programs
# (functools.cache in one process), so they go to the same worker and each program runs once.
SAME_WORKER = {"test_learn_claims.py": "test_snippets.py"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Groups for ``pytest -n 2 --dist loadgroup --no-loadscope-reorder`` (make test): a test file runs on one
    worker, so its module fixtures are made once; each worker builds the small site once, if it runs a test
    that needs it (session fixture), so the browser files can go to either worker."""
    def file_of(item: pytest.Item) -> str:
        name = item.nodeid.split("::")[0].rsplit("/", 1)[-1]
        return SAME_WORKER.get(name, name)

    rank = {name: position for position, name in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(file_of(item), len(rank)))  # stable: a file keeps its own order
    for item in items:
        item.add_marker(pytest.mark.xdist_group(file_of(item)))


def pytest_sessionfinish(session: pytest.Session) -> None:
    # a pytest-xdist worker hands its measurements to the controller, which prints them
    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        output["measured"] = list(MEASURED)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: object, error: object) -> None:
    MEASURED.extend(getattr(node, "workeroutput", {}).get("measured", []))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if MEASURED:
        terminalreporter.section("measured")
        for line in MEASURED:
            terminalreporter.write_line(line)
