"""The data behind the site's search page (``docs/search.md``): written into ``docs/generated/search/``.

The page answers as ``llm-atlas search --method site`` does (``tracker.search.site_index``), from files it
fetches only when a query needs them, so the first answer by meaning costs a few hundred KB at any store size
(Pagefind's design, extended to vectors):

- ``manifest.json``: counts, settings, and the names of the few whole-site files; the only file a browser
  asks again on every visit (everything else is named by its content, so a cached copy is always right);
- ``vocab``: the WordPiece vocabulary in the static encoder's row order (the page's tokenizer);
  ``t/<chunk>``: the token table (int8 rows + float32 scales), rows in token-frequency order, so the first files
  serve most queries: the ``TOKEN_CHUNKS`` ranges say how many rows a file holds (64 for the 512 most frequent
  tokens, 4 for the rest: a query's rare token costs ~1 KB, not a 16 KB file of 64 rare tokens);
- ``centroids`` + ``codebook``: the inverted lists' centroids and the product quantiser's codebooks (int8);
  ``l/<list>``: one file per list: its papers' site rows (uint32) and PQ codes (uint8);
  ``v/<row>``: a paper's projected vector, int8 and its float32 scale (260 bytes), fetched for the results a
  query rescores only (``SiteSettings.rescore``); stored as is (``.bin``: gzip would only add bytes to them);
- ``lexicon``: stop words, the words whose PyStemmer stem npm's Porter2 gets wrong, and the first stem of each
  postings chunk; ``x/<chunk>``: postings of a range of stems, ~``LEXICAL_CHUNK_BYTES`` each (a JSON header of
  stems, counts and one weight scale per stem; then uint8 weights; then the site rows, ascending per stem, as
  LEB128 varints of their differences);
- ``p/<chunk>``: title, first authors, date, linked models, topics, the abstract's address
  (``"<YYYY-MM>/<file>/<slot>"`` in ``generated/abstracts/``, ``tracker.site.abstracts``) and, for a paper that
  names any, its artifacts (``[[kind, url], ...]``, ``tracker.artifacts``) of ``META_CHUNK`` consecutive papers,
  fetched for shown results only; ``n/<chunk>``: each paper's precomputed nearest papers
  ("More like this");
- ``i/<chunk>``: paper ids in id order with their site rows (``?like=ID`` names a paper by id);
- ``models``: the linked models' names and pages; ``topics``: the topics' names and pages;
  ``k/<model>``: the site rows linked to a model (model filter); ``a/<kind>``: the site rows of the papers that
  name code, weights, data or a project page (the "with code" … filters);
  ``dates``: the first site row of every date (rows are in date order, so a date filter is a row range);
- ``r/<chunk>``: every paper's list and PQ codes by site row, 256 rows a file, listed in the manifest's ``codes``
  with each ISO week's rows (the For-you page's paper vectors: ``tracker.library.site_codes``, ``site_rank``);
- ``directory``: the content hash of every chunk, so chunk names change only when their bytes do; the token
  files, the postings and the vectors, which only change all together (a new table; a new paper changes every
  BM25 weight and moves the rows after it), are named by one hash of them all (``directory["digests"]``), so
  their thousands of small files cost the directory nothing.

Every data file is stored gzipped (``.gz``) and inflated by the browser (``DecompressionStream``): static hosts
do not compress binary files. The JavaScript (``tracker/site/web/``) is bundled beside them (``web_bundle``).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import posixpath
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tracker.artifacts import KINDS
from tracker.atomic import write_if_changed
from tracker.embedding.static_encoder import QUERY_TOKENS, StaticEncoder, shipped_static_encoder
from tracker.embedding.weights import base_model_path
from tracker.errors import IndexNotBuiltError
from tracker.library.site_codes import codes_bundle
from tracker.paper import Paper
from tracker.search.index import PaperIndex, build_index
from tracker.search.lexical import TOKEN_PATTERN, _stemmer
from tracker.search.site_index import NEIGHBOURS, SiteIndex
from tracker.search.site_search import store_site_index
from tracker.settings import GENERATED, docs_dir
from tracker.site.abstracts import ABSTRACT_CHUNK, ABSTRACTS, abstract_addresses
from tracker.site.engine import SiteData, relative_link
from tracker.site.pages.paging import MONTH_PAGE_SIZE, page_paths
from tracker.site.text import tex_text
from tracker.site.web_bundle import bundle_scripts, porter2_stems
from tracker.store import PaperStore

SEARCH_DIR = f"{GENERATED}/search"  # under docs/
SEARCH_PAGE = "search.md"  # the hand-written page, at site/search/
AUTHORS_SHOWN = 3
# Token rows per file, by range of rows: (first row, rows per file). Measured on the test queries of ki-long,
# ki-first and topics in visits of six queries (issue 25): 64 rows a file throughout cost a further long query
# 77 KB of token files (median), 64 for the first 512 rows and 4 after 12 KB, and its first query 118 KB, not 261.
TOKEN_CHUNKS: tuple[tuple[int, int], ...] = ((0, 64), (512, 4))
META_CHUNK = 16  # papers per metadata file: a shown result costs ~2 KB, wherever it is
LIKE_CHUNK = 64  # papers per neighbours file
ID_CHUNK = 512  # paper ids per file of the id -> row table ("More like this" links name a paper by id)
# Postings bytes per file (before gzip); a stem with more gets a file of its own. 2 KB, not 16 KB: a long query's
# ~25 stems each need a file, and at 16 KB it fetched 257 KB of postings at the bundled size, at 2 KB 50 KB.
LEXICAL_CHUNK_BYTES = 2_048
ONE_DIGEST_KINDS = ("t", "x", "v")  # chunks named by one hash of all the kind's files (module docstring)
VECTOR_CHUNK = 1  # papers' vectors per v/ file: a query rescores 20 papers scattered over the store
MANIFEST_VERSION = 5
# "No good match" under this match strength (the best paper's score in the lists read over the query vector's
# length, tracker/site/web/worker.js), by store size: the best paper is closer in a bigger store. Each figure is
# the weakest strength of 855 real queries on random subsets of the bundled store of that size (the last: the
# bundled store itself); scripts/measure_search_floor.py measures them (README "Search in the site").
MATCH_FLOORS: tuple[tuple[int, float], ...] = ((300, 0.174), (1000, 0.206), (3000, 0.224), (10000, 0.251),
                                               (36177, 0.299))


@dataclass
class SearchBundleReport:
    papers: int
    files: dict[str, int]  # file name -> bytes

    @property
    def bytes(self) -> int:
        return sum(self.files.values())


def current_index(store: PaperStore, cache_dir: Path, log: Any = None,
                  reindex: Callable[[PaperStore], Any] | None = None) -> PaperIndex:
    """The saved index when it matches the store; otherwise index first (only new papers are embedded).

    ``reindex(store)`` does the indexing (the CLI passes its own, with a progress bar); default ``build_index``.
    """
    try:
        index = PaperIndex.load(cache_dir)
        if index.matches(store):
            return index
    except IndexNotBuiltError:
        pass
    if log:
        log("the search index is missing or stale: indexing first")
    if reindex is not None:
        reindex(store)
    else:
        build_index(store, cache_dir, log=log)
    return PaperIndex.load(cache_dir)


def _gz(blob: bytes) -> bytes:
    return gzip.compress(blob, 9, mtime=0)


def _hash(blob: bytes) -> str:
    return hashlib.sha256(blob).hexdigest()[:8]


def _pack(*parts: np.ndarray) -> bytes:
    """Arrays back to back, each starting 4-byte aligned (typed-array views need it)."""
    out = bytearray()
    for part in parts:
        out += np.ascontiguousarray(part).tobytes()
        out += b"\0" * (-len(out) % 4)
    return bytes(out)


def vocabulary_text(encoder: StaticEncoder, tokenizer_json: Path) -> str:
    """The WordPiece vocabulary, one token per line, in the order of the static encoder's rows."""
    spec = json.loads(tokenizer_json.read_text(encoding="utf-8"))
    vocab: dict[str, int] = spec["model"]["vocab"]
    by_id = sorted(vocab, key=vocab.__getitem__)
    if [vocab[t] for t in by_id] != list(range(len(by_id))):
        raise ValueError(f"{tokenizer_json}: vocabulary ids are not 0..n-1")
    if len(encoder.order) != len(by_id):
        raise ValueError(f"the static encoder has {len(encoder.order)} rows for {len(by_id)} tokens")
    return "\n".join(by_id[int(i)] for i in encoder.order) + "\n"


def token_files(rows: int, ranges: tuple[tuple[int, int], ...] = TOKEN_CHUNKS) -> list[tuple[int, int]]:
    """``(first row, rows)`` of each token-table file, in file order (the page computes the same from ranges)."""
    out = []
    for number, (start, size) in enumerate(ranges):
        end = ranges[number + 1][0] if number + 1 < len(ranges) else rows
        out += [(first, min(size, end - first)) for first in range(start, min(end, rows), size)]
    return out


def token_file_of(row: int, rows: int, ranges: tuple[tuple[int, int], ...] = TOKEN_CHUNKS) -> int:
    """The number of the token-table file holding ``row`` (``tracker/site/web/ranking.js`` tokenFile)."""
    number = 0
    for at, (start, size) in enumerate(ranges):
        end = min(rows, ranges[at + 1][0]) if at + 1 < len(ranges) else rows
        if row < end:
            return number + (row - start) // size
        number += -(-(end - start) // size)
    raise ValueError(f"row {row} is not in a table of {rows} rows")


def token_chunks(encoder: StaticEncoder) -> list[bytes]:
    """The token-table files (``TOKEN_CHUNKS``): int8 codes (rows x rank), then float32 scales."""
    out = []
    for start, count in token_files(len(encoder.codes)):
        codes = encoder.codes[start : start + count]
        scales = encoder.scales[start : start + count].astype("<f4")
        out.append(_pack(codes, scales))
    return out


def varints(values: np.ndarray) -> tuple[bytes, np.ndarray]:
    """Non-negative integers as LEB128 varints (7 bits a byte, low bits first, the high bit set on all but a
    value's last byte), and each value's byte count."""
    numbers = np.asarray(values, dtype=np.uint64)
    counts = np.ones(len(numbers), dtype=np.int64)
    for shift in range(7, 64, 7):
        counts += numbers >= np.uint64(1 << shift)
    ends = np.cumsum(counts)
    starts = ends - counts
    out = np.zeros(int(ends[-1]) if len(numbers) else 0, dtype=np.uint8)
    for place in range(int(counts.max()) if len(numbers) else 0):
        have = counts > place
        low = ((numbers[have] >> np.uint64(7 * place)) & np.uint64(0x7F)).astype(np.uint8)
        out[starts[have] + place] = low | ((counts[have] > place + 1).astype(np.uint8) << 7)
    return out.tobytes(), counts


def row_varints(offsets: np.ndarray, rows: np.ndarray) -> list[bytes]:
    """Per stem (``rows[offsets[t]:offsets[t + 1]]``, ascending): its rows as varints of their differences."""
    deltas = np.asarray(rows, dtype=np.int64).copy()
    deltas[1:] -= np.asarray(rows, dtype=np.int64)[:-1]
    starts = np.asarray(offsets[:-1], dtype=np.int64)
    firsts = starts[starts < len(deltas)]
    deltas[firsts] = np.asarray(rows, dtype=np.int64)[firsts]  # a stem's first row: from 0
    blob, counts = varints(deltas)
    at = np.concatenate([[0], np.cumsum(counts)])[np.asarray(offsets, dtype=np.int64)]
    return [blob[at[t] : at[t + 1]] for t in range(len(offsets) - 1)]


def stem_exceptions(site: SiteIndex, texts: list[tuple[str, str]], root: Path) -> dict[str, str]:
    """``{word: PyStemmer stem}`` for the indexed texts' words whose npm Porter2 stem differs.

    The page stems a query word with npm's Porter2 (``wink-porter2-stemmer``, an older Snowball that differs
    on ~1% of words, e.g. "added", "organize"); for every word some paper contains, this table gives the stem the
    index was built with instead.
    """
    split = re.compile(TOKEN_PATTERN).findall
    words = sorted({w for title, abstract in texts for w in split(f"{title} {abstract}".lower())}
                   - site.lexical.stopwords)
    ours = _stemmer().stemWords(words) if words else []
    theirs = porter2_stems(root, words)
    known = site.lexical.position
    return {w: s for w, s, t in zip(words, ours, theirs, strict=True) if s != t and s in known}


def lexical_chunks(site: SiteIndex) -> tuple[list[str], list[bytes]]:
    """Postings split by stem range: (first stem of each chunk, chunk files).

    A file: uint32 length + JSON header ``{"terms", "counts", "scales"}`` (padded to 4 bytes), the uint8 weights
    of every posting (stem by stem), then each stem's site rows as varints of their differences (the first from
    0). Varints of sorted rows take ~1.3 bytes where uint32 took 4 (gzip kept ~2.5 of them)."""
    lex = site.lexical
    firsts: list[str] = []
    files: list[bytes] = []
    start = 0
    terms = len(lex.terms)
    encoded = row_varints(lex.offsets, lex.rows)
    while start < terms:
        end, size = start, 0
        while end < terms:
            grown = size + len(encoded[end]) + int(lex.offsets[end + 1] - lex.offsets[end])  # rows + weights
            if end > start and grown > LEXICAL_CHUNK_BYTES:
                break
            size, end = grown, end + 1
        low, high = int(lex.offsets[start]), int(lex.offsets[end])
        header = {"terms": lex.terms[start:end],
                  "counts": [int(lex.offsets[t + 1] - lex.offsets[t]) for t in range(start, end)],
                  "scales": [float(s) for s in lex.scales[start:end]]}
        text = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode()
        text += b" " * (-len(text) % 4)
        files.append(struct.pack("<I", len(text)) + text + lex.weights[low:high].tobytes()
                     + b"".join(encoded[start:end]))
        firsts.append(lex.terms[start])
        start = end
    return firsts, files


def vector_files(site: SiteIndex) -> list[bytes]:
    """``VECTOR_CHUNK`` papers' int8 vectors per file (rows x rank), then their float32 scales."""
    return [_pack(site.vector_codes[start : start + VECTOR_CHUNK],
                  site.vector_scales[start : start + VECTOR_CHUNK].astype("<f4"))
            for start in range(0, len(site.ids), VECTOR_CHUNK)]


def list_files(site: SiteIndex) -> list[bytes]:
    """One file per inverted list: site rows (uint32), then PQ codes (uint8, rows x subspaces)."""
    lists = site.lists
    out = []
    for number in range(len(lists)):
        members = lists.members[lists.offsets[number] : lists.offsets[number + 1]]
        out.append(_pack(np.asarray(members, dtype="<u4"), site.codes[members]))
    return out


def paper_rows(site: SiteIndex, data: SiteData) -> tuple[list[list[Any]], dict[str, list[int]]]:
    """Per site row: id, title, first authors, date, linked models, topics (best first), where its abstract is
    (``"<YYYY-MM>/<file>/<slot>"``) and, only when it has any, its artifacts as ``[[kind, url], ...]``; and each
    model's site rows."""
    by_id = {p.id: p for p in data.papers}
    where = abstract_addresses(data.papers)
    rows: list[list[Any]] = []
    linked: dict[str, list[int]] = {}
    for row, paper_id in enumerate(site.ids):
        paper: Paper = by_id[paper_id]
        models = sorted({link.model for link in data.links.get(paper.id, [])})
        for model in models:
            linked.setdefault(model, []).append(row)
        authors = paper.authors[:AUTHORS_SHOWN] + (["et al."] if len(paper.authors) > AUTHORS_SHOWN else [])
        topics = [match.topic for match in data.topics.get(paper.id, [])]
        address = where[paper.id]
        meta: list[Any] = [paper.id, tex_text(paper.title), ", ".join(authors), paper.published.isoformat(),
                           models, topics, f"{address.month}/{address.chunk}/{address.slot}"]
        if paper.artifacts:
            meta.append([[artifact.kind, artifact.url] for artifact in paper.artifacts])
        rows.append(meta)
    return rows, linked


def artifact_rows(rows: list[list[Any]]) -> dict[str, list[int]]:
    """``{kind: the site rows of the papers naming an artifact of that kind}`` (the search page's filters)."""
    by_kind: dict[str, list[int]] = {kind: [] for kind in KINDS}
    for number, row in enumerate(rows):
        for kind in sorted({kind for kind, _url in row[7]} if len(row) > 7 else set(), key=KINDS.index):
            by_kind[kind].append(number)
    return by_kind


def match_floor(papers: int) -> float:
    """The "no good match" floor for a store of this many papers: MATCH_FLOORS interpolated in log(papers),
    held at its ends."""
    sizes = [math.log(size) for size, _ in MATCH_FLOORS]
    floors = [floor for _, floor in MATCH_FLOORS]
    return round(float(np.interp(math.log(max(1, papers)), sizes, floors)), 4)


def topic_labels(data: SiteData) -> dict[str, Any]:
    """``{topic id: {name, page}}`` for the topics papers have (links from the search page)."""
    if data.taxonomy is None:
        return {}
    used = {match.topic for matches in data.topics.values() for match in matches}
    return {topic_id: {"name": topic.name, "page": relative_link(SEARCH_PAGE, f"{GENERATED}/topics/{topic_id}.md")}
            for topic_id, topic in data.taxonomy.topics.items() if topic_id in used}


def date_starts(rows: list[list[Any]]) -> list[list[Any]]:
    """``[[date, first row], ...]``: rows are in date order, so a date filter is a range of rows."""
    out: list[list[Any]] = []
    for row, paper in enumerate(rows):
        if not out or out[-1][0] != paper[3]:
            out.append([paper[3], row])
    return out


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def write_search_bundle(root: Path, data: SiteData, index: PaperIndex, cache_dir: Path,
                        log: Any = None) -> SearchBundleReport:
    """Write the search data and scripts under ``docs/generated/search/`` (only files whose bytes changed)."""
    out = docs_dir(root) / SEARCH_DIR
    encoder = shipped_static_encoder()
    published = {p.id: p.published.isoformat() for p in data.papers}
    site = store_site_index(index, published, encoder=encoder, log=log)
    rows, linked = paper_rows(site, data)
    by_id = {p.id: p for p in data.papers}
    texts = [(by_id[i].title, by_id[i].abstract) for i in site.ids]
    catalog = data.catalog
    models = {model_id: {"name": catalog.models[model_id].name, "family": catalog.models[model_id].family,
                         "page": relative_link(SEARCH_PAGE, f"generated/models/{model_id}.md"),
                         "papers": len(linked[model_id])}
              for model_id in sorted(linked)}
    files = bundle_files(root, site, encoder, rows, linked, models, stem_exceptions(site, texts, root),
                         topic_labels(data))
    codes, codes_entry = codes_bundle(site, [row[3] for row in rows])  # For you: paper vectors by row
    files.update(codes)
    files.update(bundle_scripts(root))
    files["manifest.json"] = manifest_json(site, encoder, files, index.embedder_name, codes_entry)
    write_files(out, files)
    return SearchBundleReport(papers=len(site.ids), files={name: len(blob) for name, blob in sorted(files.items())})


def bundle_files(root: Path, site: SiteIndex, encoder: StaticEncoder, rows: list[list[Any]],
                 linked: dict[str, list[int]], models: dict[str, Any], exceptions: dict[str, str],
                 topics: dict[str, Any] | None = None) -> dict[str, bytes]:
    """Every data file of the bundle, by name (chunks named by their content's hash); the manifest lists them."""
    firsts, lexical = lexical_chunks(site)
    chunked: dict[str, list[bytes]] = {
        "t": token_chunks(encoder),
        "l": list_files(site),
        "x": lexical,
        "p": [_json(rows[i : i + META_CHUNK]) for i in range(0, len(rows), META_CHUNK)],
        "n": [np.asarray(site.neighbours[i : i + LIKE_CHUNK], dtype="<i4").tobytes()
              for i in range(0, len(rows), LIKE_CHUNK)],
    }
    by_paper = sorted(range(len(site.ids)), key=lambda r: site.ids[r])  # "More like this" names a paper by id
    id_chunks = [by_paper[i : i + ID_CHUNK] for i in range(0, len(by_paper), ID_CHUNK)]
    chunked["i"] = [_json({"ids": [site.ids[r] for r in chunk], "rows": chunk}) for chunk in id_chunks]
    singles: dict[str, bytes] = {
        "vocab": vocabulary_text(encoder, base_model_path() / "tokenizer.json").encode("utf-8"),
        "centroids": _pack(site.lists.centroid_codes, site.lists.centroid_scales.astype("<f4")),
        "codebook": _pack(site.pq.codebook_codes, site.pq.codebook_scales.astype("<f4")),
        "lexicon": _json({"stopwords": sorted(site.lexical.stopwords), "firsts": firsts, "exceptions": exceptions}),
        "models": _json(models),
        "topics": _json(topics or {}),
        "dates": _json(date_starts(rows)),
    }
    files: dict[str, bytes] = {}
    directory: dict[str, Any] = {"digests": {}}
    chunked["v"] = vector_files(site)
    for kind, blobs in chunked.items():
        extension = "bin" if kind == "v" else "gz"
        packed_blobs = blobs if kind == "v" else [_gz(blob) for blob in blobs]
        hashes = [_hash(packed) for packed in packed_blobs]
        if kind in ONE_DIGEST_KINDS:  # one name part for all of the kind's files
            digest = _hash("".join(hashes).encode())
            directory["digests"][kind] = digest
            hashes = [digest] * len(hashes)
        else:
            directory[kind] = "".join(hashes)
        for number, packed in enumerate(packed_blobs):
            files[f"{kind}/{number}.{hashes[number]}.{extension}"] = packed
    directory["ifirsts"] = [site.ids[chunk[0]] for chunk in id_chunks]
    directory["k"] = {}
    for model_id in sorted(linked):
        packed = _gz(np.asarray(linked[model_id], dtype="<u4").tobytes())
        directory["k"][model_id] = _hash(packed)
        files[f"k/{model_id}.{directory['k'][model_id]}.gz"] = packed
    # papers with code, weights, data, a project page: one row list per kind, fetched when its filter is on
    directory["a"] = {}
    for kind, kind_rows in artifact_rows(rows).items():
        packed = _gz(np.asarray(kind_rows, dtype="<u4").tobytes())
        directory["a"][kind] = _hash(packed)
        files[f"a/{kind}.{directory['a'][kind]}.gz"] = packed
    singles["directory"] = _json(directory)
    for name, blob in singles.items():
        packed = _gz(blob)
        files[f"{name}.{_hash(packed)}.gz"] = packed
    return files


def manifest_json(site: SiteIndex, encoder: StaticEncoder, files: dict[str, bytes], embedder: str,
                  codes: dict[str, Any] | None = None) -> bytes:
    """The one file asked for again on every visit: settings, counts and the names of the whole-site files;
    ``codes``: the For-you page's codes files (``tracker.library.site_codes.codes_bundle``)."""
    names = {name.split(".")[0]: name for name in files if "/" not in name and name.endswith(".gz")}
    settings = site.settings
    manifest = {
        "version": MANIFEST_VERSION,
        "digest": _hash(b"".join(_hash(files[n]).encode() for n in sorted(files))),
        "papers": len(site.ids),
        "files": names,
        "encoder": {"name": encoder.name, "rank": encoder.rank, "rows": len(encoder.codes),
                    "chunks": [list(pair) for pair in TOKEN_CHUNKS], "max_tokens": QUERY_TOKENS},
        "lists": {"count": len(site.lists), "subspaces": site.pq.subspaces,
                  "pieces": int(site.pq.codebook_codes.shape[1])},
        "chunks": {"meta": META_CHUNK, "like": LIKE_CHUNK, "neighbours": NEIGHBOURS},
        "search": {"alpha": settings.alpha, "unknown": settings.unknown, "depth": settings.depth,
                   "probes": settings.probes, "lexical_depth": settings.lexical_depth,
                   "long_words": settings.long_words, "long_alpha": settings.long_alpha,
                   "rescore": settings.rescore, "vectors": VECTOR_CHUNK,
                   "floor": match_floor(len(site.ids))},
        # abstracts (tracker.site.abstracts), from the bundle's folder; a paper's entry on its month page, from
        # the search page: page n (from 1) of a month holds entries MONTH_PAGE_SIZE * (n - 1) onwards
        "abstracts": {"folder": posixpath.relpath(ABSTRACTS, SEARCH_DIR) + "/", "chunk": ABSTRACT_CHUNK},
        "entries": {"page_size": MONTH_PAGE_SIZE, "first": _month_page(1), "later": _month_page(2)},
        "embedder": embedder,
    }
    if codes is not None:
        manifest["codes"] = codes
    return (json.dumps(manifest, indent=1) + "\n").encode()


def _month_page(number: int) -> str:
    """The link from the search page to page ``number`` of a month, ``{month}`` and ``{page}`` left to fill."""
    path = page_paths(f"{GENERATED}/papers/{{month}}.md", number * MONTH_PAGE_SIZE, MONTH_PAGE_SIZE)[-1]
    return relative_link(SEARCH_PAGE, path.replace(f"-p{number}.md", "-p{page}.md"))


def write_files(out: Path, files: dict[str, bytes]) -> None:
    """Write what changed, and remove files (and folders) of an older build or layout."""
    for name, blob in files.items():
        write_if_changed(out / name, blob)
    for stale in sorted(p for p in out.rglob("*") if p.is_file()):
        if stale.relative_to(out).as_posix() not in files:
            stale.unlink()
    for folder in sorted((p for p in out.rglob("*") if p.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()
