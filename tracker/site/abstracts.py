"""Abstracts and BibTeX, published once, as small gzipped JSON files loaded on demand.

An abstract is ~1.3 KB of text, half of what a paper costs the site; printed on its month page it made the
site grow by ~6 KB a paper (issue 14). Here each month's papers, in month-page order (newest first), are cut
into files of ``ABSTRACT_CHUNK`` papers: ``generated/abstracts/<YYYY-MM>/<k>.json.gz``, a JSON list of
``{"id", "abstract", "bibtex"}``. A month page opens an abstract from its file when the reader asks
(``docs/assets/javascripts/abstracts.js``); the search page shows result snippets from the same files.

Why these files: small (16 papers, ~10 KB gzipped), so a search result costs one small fetch; cut within a
month, so a weekly update rewrites only the current month's files; gzipped on disk (inflated by the browser's
``DecompressionStream``), so they count at their compressed size against GitHub Pages' 1 GB limit. The
bytes are deterministic (gzip ``mtime=0``): the same store gives byte-identical files.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass

from tracker.paper import Paper
from tracker.settings import GENERATED
from tracker.site.pages.bibtex import bibtex_entry

ABSTRACT_CHUNK = 16  # papers per file; a month page's size is a multiple of it (tracker.site.pages.paging)
ABSTRACTS = f"{GENERATED}/abstracts"

__all__ = ["ABSTRACTS", "ABSTRACT_CHUNK", "AbstractAddress", "abstract_addresses", "abstract_files", "chunk_path",
           "months_of"]


@dataclass(frozen=True)
class AbstractAddress:
    """Where a paper's abstract is: the file ``chunk_path(month, chunk)``, entry ``slot`` of its list."""

    month: str
    chunk: int
    slot: int


def chunk_path(month: str, chunk: int) -> str:
    return f"{ABSTRACTS}/{month}/{chunk}.json.gz"


def months_of(papers: list[Paper]) -> dict[str, list[Paper]]:
    """``{month: its papers}`` in the order given (SiteData.papers: newest first), as the month pages list them."""
    months: dict[str, list[Paper]] = {}
    for paper in papers:
        months.setdefault(paper.month, []).append(paper)
    return months


def abstract_addresses(papers: list[Paper]) -> dict[str, AbstractAddress]:
    """``{paper id: where its abstract is}`` for papers in month-page order (newest first)."""
    where: dict[str, AbstractAddress] = {}
    for month, listed in months_of(papers).items():
        for position, paper in enumerate(listed):
            where[paper.id] = AbstractAddress(month, position // ABSTRACT_CHUNK, position % ABSTRACT_CHUNK)
    return where


def _gzip_json(value: object) -> bytes:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return gzip.compress(text, compresslevel=9, mtime=0)


def abstract_files(papers: list[Paper]) -> dict[str, bytes]:
    """Every abstracts file, ``{path under docs/: gzipped JSON}``, for papers in month-page order."""
    files: dict[str, bytes] = {}
    for month, listed in months_of(papers).items():
        for start in range(0, len(listed), ABSTRACT_CHUNK):
            entries = [{"id": p.id, "abstract": p.abstract, "bibtex": bibtex_entry(p)}
                       for p in listed[start : start + ABSTRACT_CHUNK]]
            files[chunk_path(month, start // ABSTRACT_CHUNK)] = _gzip_json(entries)
    return files
