"""The command line end to end on a scratch repository: import, stats, render, build, usage errors."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from conftest import CORPUS_DAY


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tracker", *args], cwd=cwd, capture_output=True, text=True)


def test_bad_usage_exits_2(repo: Path) -> None:
    assert run_cli("search", cwd=repo).returncode == 2
    assert run_cli("no-such-command", cwd=repo).returncode == 2
    assert run_cli("search", "q", "--since", "last week", cwd=repo).returncode == 2


def test_search_before_index_says_what_to_do(repo: Path) -> None:
    result = run_cli("search", "attention", cwd=repo)
    assert result.returncode == 1
    assert "run `llm-atlas index` first" in result.stderr


def test_stats_json_counts_the_store(repo: Path) -> None:
    run_cli("import", str(CORPUS_DAY), cwd=repo)
    stats = json.loads(run_cli("stats", "--json", cwd=repo).stdout)
    stored = sum(1 for p in (repo / "data" / "papers").rglob("*.jsonl") for _ in p.read_text().splitlines())
    assert stats["papers"] == stored > 0
    assert stats["per_month"] == {"2026-07": stored}
    assert stats["index"] == {"built": False, "papers": 0, "fresh": False}
    assert stats["models"] >= 8


def test_build_makes_the_site_from_the_store(repo: Path) -> None:
    run_cli("import", str(CORPUS_DAY), cwd=repo)
    # The Learn pages' programs are run and checked by tests/test_snippets.py (and one page by the browser
    # test); here they show their code only, which saves ~40 s of build.
    for page in (repo / "docs" / "learn").glob("*.md"):
        text = page.read_text(encoding="utf-8")
        page.write_text(re.sub(r'^```python exec="(?:true|1|yes|on)"', '```python exec="false"', text,
                               flags=re.MULTILINE), encoding="utf-8")
    # --no-search: the pages only (the search page's data is built and tested in tests/test_site_browser.py)
    result = run_cli("build", "--no-search", cwd=repo)
    assert result.returncode == 0, result.stderr
    assert (repo / "site" / "index.html").is_file()
    assert (repo / "site" / "search" / "index.html").is_file()
    assert not (repo / "docs" / "generated" / "search").exists()
    month = (repo / "site" / "generated" / "papers" / "2026-07" / "index.html").read_text()
    first_id = json.loads(CORPUS_DAY.read_text().splitlines()[0])["id"]
    assert "data-arxiv-id=" in month
    assert (repo / "site" / "generated" / "models" / "gpt-4" / "index.html").is_file()
    # rendering again changes nothing
    again = run_cli("render", cwd=repo)
    assert "0 changed" in again.stderr
    assert first_id  # the listing's first paper may or may not be about LLMs; the page exists either way


def test_catalog_validate_and_schema(repo: Path) -> None:
    ok = run_cli("catalog", "validate", cwd=repo)
    assert ok.returncode == 0 and "catalog OK" in ok.stderr
    run_cli("catalog", "schema", cwd=repo)
    schema = json.loads((repo / "catalog" / "schema" / "model.schema.json").read_text())
    assert "parameters" in schema["properties"] and schema["additionalProperties"] is False
