"""Which files of the search bundle the search page fetches for a query, and their bytes, without a browser.

The page's worker (``tracker/site/web/worker.js``) fetches, once per visit, the manifest and the whole-site files
(directory, lexicon, models, topics; for an answer by meaning also the vocabulary, centroids and codebook), and
for each query only the pieces it needs: the postings files of its stems, the token-table files of its tokens,
the lists it reads, the vectors of the results it rescores, and the metadata files of the results it shows (on
a visit's first query the word matches' first, as they are ready before the answer by meaning, then the final
answer's). ``query_files`` names the same files from the ``SiteIndex`` the bundle was written from
(``tests/test_web_search_js.py`` checks it against the real worker), so bytes per query can be counted at any
store size without a browser (``scripts/bench_site_search.py --files``).

Bytes are the files' sizes as stored (gzipped, as a static host serves them; the vectors as they are); the
abstracts a result's snippet needs are fetched after the answer is shown and are not counted here.
"""

from __future__ import annotations

import bisect
import gzip
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from tracker.search.site_index import SiteIndex
from tracker.site.search_bundle import token_file_of

RESULTS = 20  # the search page asks for 20 results (search.js K)


@dataclass
class Bundle:
    """A written search bundle: ``files`` by name (gzipped bytes, as stored), its manifest and directory."""

    files: dict[str, bytes]
    manifest: dict[str, Any] = field(init=False)
    directory: dict[str, Any] = field(init=False)
    lexicon: dict[str, Any] = field(init=False)

    def __post_init__(self) -> None:
        self.manifest = json.loads(self.files["manifest.json"])
        names = self.manifest["files"]
        self.directory = json.loads(gzip.decompress(self.files[names["directory"]]))
        self.lexicon = json.loads(gzip.decompress(self.files[names["lexicon"]]))

    def size(self, name: str) -> int:
        return len(self.files[name])

    def chunk(self, kind: str, number: int, extension: str = "gz") -> str:
        digest = self.directory.get("digests", {}).get(kind) or self.directory[kind][8 * number : 8 * number + 8]
        return f"{kind}/{number}.{digest}.{extension}"

    def base_files(self) -> list[str]:
        """What the page fetches on a visit's first query, whatever it is (the worker loads the encoder's files
        with the rest, even for a words-only search)."""
        names = self.manifest["files"]
        wanted = ["directory", "models", "lexicon", "topics", "vocab", "centroids", "codebook"]
        return ["manifest.json", *(names[n] for n in wanted if n in names)]

    def postings_files(self, stems: Iterable[str]) -> list[str]:
        firsts = self.lexicon["firsts"]  # sorted as Python sorts str (by code point), as the page's compareStrings
        chunks = {bisect.bisect_right(firsts, stem) - 1 for stem in stems}
        return [self.chunk("x", c) for c in sorted(chunks) if c >= 0]

    def token_files(self, rows: Iterable[int]) -> list[str]:
        encoder = self.manifest["encoder"]
        ranges = tuple((int(start), int(size)) for start, size in encoder["chunks"])
        return [self.chunk("t", c) for c in sorted({token_file_of(row, encoder["rows"], ranges) for row in rows})]

    def list_files(self, lists: Iterable[int]) -> list[str]:
        return [self.chunk("l", number) for number in lists]

    def vector_files(self, rows: Iterable[int]) -> list[str]:
        size = self.manifest["search"].get("vectors", 1)
        return [self.chunk("v", c, "bin") for c in sorted({row // size for row in rows})]

    def meta_files(self, rows: Iterable[int]) -> list[str]:
        size = self.manifest["chunks"]["meta"]
        return [self.chunk("p", c) for c in sorted({row // size for row in rows})]


def query_files(site: SiteIndex, bundle: Bundle, query: str, method: str = "hybrid", k: int = RESULTS,
                words_first: bool = True) -> list[str]:
    """The files the page fetches to answer ``query`` (no filters), base files included; each name once.

    ``words_first``: the word matches are shown (their metadata fetched) before the answer by meaning, as the
    page does on a visit's first query (its postings arrive while the vocabulary and the centroids load)."""
    stems = site.stems(query)
    out = bundle.base_files() + bundle.postings_files(stems)
    if method == "bm25" or words_first:
        out += bundle.meta_files(row for row, _ in site.rank(query, "bm25", k))
    if method != "bm25":
        vector = site.encoder.encode_query(query)
        _, _, read = site.dense(vector)
        out += bundle.token_files(site.encoder.rows(query))
        out += bundle.list_files(int(n) for n in site.probe_order(vector)[:read])
        trace: dict[str, Any] = {}
        ranked = site.rank(query, method, k, vector=vector, trace=trace)
        out += bundle.vector_files(trace.get("rescored", []))  # the rows it scores again (SiteIndex.rank)
        out += bundle.meta_files(row for row, _ in ranked)
    return list(dict.fromkeys(out))


@dataclass
class Session:
    """A reader's visit: what the browser has already fetched, and the bytes each query adds."""

    bundle: Bundle
    seen: set[str] = field(default_factory=set)

    def ask(self, site: SiteIndex, query: str, method: str = "hybrid", k: int = RESULTS) -> dict[str, int]:
        """Bytes the query adds, by kind of file (``t``, ``x``, ``l``, ``p``, ``base``) and in all (``total``)."""
        added: dict[str, int] = {}
        for name in query_files(site, self.bundle, query, method, k, words_first=not self.seen):
            if name in self.seen:
                continue
            self.seen.add(name)
            kind = name.split("/")[0] if "/" in name else "base"
            added[kind] = added.get(kind, 0) + self.bundle.size(name)
        added["total"] = sum(added.values())
        return added
