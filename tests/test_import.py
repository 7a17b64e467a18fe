"""Import from the shared corpus format, Kaggle's snapshot and the store's own lines; bad input."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from conftest import CORPUS_DAY, KAGGLE_SAMPLE

from tracker.errors import InputError
from tracker.importer import read_papers
from tracker.store import PaperStore


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tracker", *args], cwd=cwd, capture_output=True, text=True)


def test_corpus_lines_take_their_date_from_the_file_name(corpus_papers: list) -> None:
    assert len(corpus_papers) == 371
    assert len({p.id for p in corpus_papers}) == 301  # the raw listing repeats some records verbatim
    first = corpus_papers[0]
    assert first.published == date(2026, 7, 1) and first.version == 1
    assert "\n" not in first.abstract  # hard wraps collapsed
    # ACM classes mixed into the corpus' categories are dropped; arXiv categories stay
    assert all("." in c or "-" in c or c.isalpha() for p in corpus_papers for c in p.categories)


def test_kaggle_snapshot_lines() -> None:
    papers = list(read_papers(KAGGLE_SAMPLE))
    assert len(papers) == 25
    raw = [json.loads(line) for line in KAGGLE_SAMPLE.read_text().splitlines()]
    for paper, record in zip(papers, raw, strict=True):
        assert paper.id == record["id"]
        assert paper.version == len(record["versions"])
        assert paper.categories == record["categories"].split()
        assert paper.abstract == " ".join(record["abstract"].split())
        assert len(paper.authors) == len(record["authors_parsed"])
    revised = [p for p in papers if p.version == 2]
    assert revised and all(p.updated >= p.published for p in revised)
    assert all([v.version for v in p.versions] == [1, 2] for p in revised)


def test_store_lines_and_gzip_round_trip(tmp_path: Path, llm_papers: list) -> None:
    store = PaperStore(tmp_path)
    store.upsert(llm_papers)
    store.save()
    shard = store.shard_paths()[0]
    packed = tmp_path / "papers.jsonl.gz"
    packed.write_bytes(gzip.compress(shard.read_bytes()))
    assert list(read_papers(packed)) == sorted(llm_papers, key=lambda p: p.id)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"id": "2607.00001", "title": "x"', "not valid JSON"),
        ('{"id": "2607.00001", "title": "x", "summary": "y", "categories": ["cs.CL"]}', "missing field 'authors'"),
        ('{"id": "not an id", "title": "x", "summary": "y", "authors": [], "categories": ["cs.CL"]}', "id:"),
        ('{"foo": 1}', "unknown record format"),
        ("[1, 2]", "one JSON object"),
    ],
)
def test_bad_lines_name_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    good = CORPUS_DAY.read_text().splitlines()[0]
    path = tmp_path / "2026-07-01.jsonl"
    path.write_text(f"{good}\n{line}\n")
    with pytest.raises(InputError) as caught:
        list(read_papers(path))
    assert str(caught.value).startswith(f"{path}:2: ")
    assert message in str(caught.value)


def test_cli_import_of_a_bad_file_fails_cleanly_and_leaves_the_store(repo: Path) -> None:
    ok = run_cli("import", str(KAGGLE_SAMPLE), "--no-filter", cwd=repo)
    assert ok.returncode == 0, ok.stderr
    before = {p: p.read_bytes() for p in (repo / "data" / "papers").rglob("*.jsonl")}
    bad = repo / "2026-07-01-bad.jsonl"
    lines = CORPUS_DAY.read_text().splitlines()[:5]
    lines[3] = lines[3][:-20]  # truncated JSON on line 4
    bad.write_text("\n".join(lines) + "\n")
    result = run_cli("import", str(bad), cwd=repo)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]  # exactly one line
    assert f"{bad}:4: not valid JSON" in result.stderr
    assert {p: p.read_bytes() for p in (repo / "data" / "papers").rglob("*.jsonl")} == before


def test_cli_import_filters_by_default(repo: Path) -> None:
    result = run_cli("import", str(CORPUS_DAY), "--json", cwd=repo)
    counts = json.loads(result.stdout)
    assert counts["read"] == 371
    assert 0 < counts["kept"] < 371
    assert counts["new"] == counts["stored"] <= counts["kept"]
    again = json.loads(run_cli("import", str(CORPUS_DAY), "--json", cwd=repo).stdout)
    assert again["new"] == 0 and again["unchanged"] == counts["kept"]


def test_missing_file_is_a_clean_error(repo: Path) -> None:
    result = run_cli("import", "nope.jsonl", cwd=repo)
    assert result.returncode == 1
    assert "nope.jsonl: no such file" in result.stderr
