"""The data behind the site's search page (``docs/search.md``): written into ``docs/generated/search/``.

Everything the browser needs to answer as ``llm-atlas search`` does, with no server:

Each data file is stored gzipped (``NAME.gz``) and inflated by the browser.

- ``papers.json``: per paper, in index order: id, title, first authors, date, linked models; the models'
  names and pages (the page builds its model filter from them).
- ``vectors.i8``: the index's paper vectors as int8, row-major, one scale per dimension in the manifest
  (a quarter of float32; scores differ by ~1e-3, well under the gaps that order the top ten).
- ``lexical.bin`` + ``lexical.json``: the BM25 index (same word-major weights as the CLI's) with its
  vocabulary of stems and stop words, so the page fuses dense and BM25 scores exactly as ``hybrid`` does.
- ``model.onnx`` + ``vocab.txt``: the query encoder (``tracker.embedding.web_model``) and its WordPiece vocabulary.
- ``manifest.json``: sizes, dtypes, offsets, fusion settings (taken from ``tracker.search.query``), and a digest
  the page appends to every data URL, so a browser never mixes files of two builds.

The JavaScript (``tracker/site/web/``) is bundled beside them by ``tracker.site.web_bundle``.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tracker.atomic import write_if_changed
from tracker.embedding.weights import DIMENSION
from tracker.errors import IndexNotBuiltError
from tracker.search.index import PaperIndex, build_index
from tracker.search.lexical import TOKEN_PATTERN, LexicalIndex, _stemmer
from tracker.site.engine import SiteData, relative_link
from tracker.paper import Paper
from tracker.search.query import CONVEX_ALPHA, DEFAULT_METHOD, FUSION_DEPTH
from tracker.settings import GENERATED, docs_dir
from tracker.store import PaperStore
from tracker.site.web_bundle import WASM_FILE, bundle_scripts
from tracker.embedding.web_model import ensure_web_model

SEARCH_DIR = f"{GENERATED}/search"  # under docs/
SEARCH_PAGE = "search.md"  # the hand-written page, at site/search/
# Query length the page tokenises to (a query is a sentence or two; the CLI truncates at 256 too).
QUERY_TOKENS = 256
AUTHORS_SHOWN = 3


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


def quantise_vectors(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 codes and one float32 scale per dimension (``vector ≈ codes * scales``)."""
    vectors = np.asarray(vectors, dtype=np.float32).reshape(-1, DIMENSION)
    peak = np.abs(vectors).max(axis=0) if len(vectors) else np.ones(DIMENSION, dtype=np.float32)
    scales = np.where(peak > 0, peak / 127.0, 1.0).astype(np.float32)
    codes = np.clip(np.rint(vectors / scales), -127, 127).astype(np.int8)
    return codes, scales


def surface_terms(lexical: LexicalIndex, texts: list[tuple[str, str]]) -> dict[str, int]:
    """``{word as written (lower case): its stem's column}`` for every word of the indexed texts.

    The page stems a query word by looking it up here, so it gets exactly PyStemmer's stem, the one the
    index was built with; only words no paper contains fall back to a JavaScript Porter2 stemmer (npm's
    wink-porter2-stemmer follows an older Snowball and differs on ~1% of words, e.g. "added", "organize").
    """
    split = re.compile(TOKEN_PATTERN).findall
    words = sorted({w for title, abstract in texts for w in split(f"{title} {abstract}".lower())} - lexical.stopwords)
    stems = _stemmer().stemWords(words) if words else []
    return {w: lexical.vocabulary[s] for w, s in zip(words, stems, strict=True) if s in lexical.vocabulary}


def lexical_arrays(lexical: LexicalIndex, texts: list[tuple[str, str]]) -> tuple[bytes, dict[str, Any]]:
    """The BM25 matrix packed for the browser: uint32 pointers, uint16/uint32 documents, uint16 weights."""
    weights = np.asarray(lexical.data, dtype=np.float32)
    peak = float(weights.max()) if len(weights) else 1.0
    scale = peak / 65535.0 if peak > 0 else 1.0
    # 16-bit weights: a relative error of ~1e-5 of the largest weight, far below what reorders results
    codes = np.clip(np.rint(weights / scale), 0, 65535).astype("<u2")
    doc_type = "<u2" if len(lexical.ids) <= 65536 else "<u4"
    parts = [np.asarray(lexical.indptr, dtype="<u4"), np.asarray(lexical.indices, dtype=doc_type), codes]
    offsets, blob, at = [], bytearray(), 0
    for part in parts:
        raw = part.tobytes()
        offsets.append(at)
        blob += raw
        at += len(raw)
        blob += b"\0" * (-at % 4)  # keep every array 4-byte aligned for typed-array views
        at += -at % 4
    meta = {
        "vocabulary": list(lexical.vocabulary), "stopwords": sorted(lexical.stopwords),
        "terms": surface_terms(lexical, texts),
        "title_weight": lexical.title_weight, "weight_scale": scale,
        "indptr": {"offset": offsets[0], "count": len(parts[0]), "type": "uint32"},
        "docs": {"offset": offsets[1], "count": len(parts[1]), "type": "uint16" if doc_type == "<u2" else "uint32"},
        "weights": {"offset": offsets[2], "count": len(parts[2]), "type": "uint16"},
    }
    return bytes(blob), meta


def papers_json(papers: list[Paper], data: SiteData) -> dict[str, Any]:
    """``papers`` in index order; their links and the catalog come from ``data``."""
    rows = []
    used: set[str] = set()
    for paper in papers:
        models = sorted({link.model for link in data.links.get(paper.id, [])})
        used.update(models)
        authors = paper.authors[:AUTHORS_SHOWN] + (["et al."] if len(paper.authors) > AUTHORS_SHOWN else [])
        rows.append([paper.id, paper.title, ", ".join(authors), paper.published.isoformat(), models])
    catalog = data.catalog
    models_out = {
        model_id: {"name": catalog.models[model_id].name, "family": catalog.models[model_id].family,
                   "page": relative_link(SEARCH_PAGE, f"generated/models/{model_id}.md")}
        for model_id in sorted(used)
    }
    return {"fields": ["id", "title", "authors", "published", "models"], "papers": rows, "models": models_out}


def vocabulary_text(tokenizer_json: Path) -> str:
    """The WordPiece vocabulary, one token per line in id order (all the page's tokenizer needs)."""
    spec = json.loads(tokenizer_json.read_text(encoding="utf-8"))
    vocab: dict[str, int] = spec["model"]["vocab"]
    tokens = sorted(vocab, key=vocab.__getitem__)
    if [vocab[t] for t in tokens] != list(range(len(tokens))):
        raise ValueError(f"{tokenizer_json}: vocabulary ids are not 0..n-1")
    return "\n".join(tokens) + "\n"


def write_search_bundle(root: Path, data: SiteData, index: PaperIndex, cache_dir: Path,
                        log: Any = None) -> SearchBundleReport:
    """Write the search data and scripts under ``docs/generated/search/`` (only files whose bytes changed)."""
    out = docs_dir(root) / SEARCH_DIR
    scripts = bundle_scripts(root)
    model_file, tokenizer_file = ensure_web_model(cache_dir, log)
    codes, scales = quantise_vectors(index.vectors)
    by_id = {p.id: p for p in data.papers}
    papers = [by_id[paper_id] for paper_id in index.ids]  # the index's row order, which the vectors follow
    lexical_blob, lexical_meta = lexical_arrays(index.lexical, [(p.title, p.abstract) for p in papers])
    raw: dict[str, bytes] = {
        "papers.json": json.dumps(papers_json(papers, data), ensure_ascii=False, separators=(",", ":")).encode(),
        "vectors.i8": codes.tobytes(),
        "lexical.bin": lexical_blob,
        "lexical.json": json.dumps(lexical_meta, ensure_ascii=False, separators=(",", ":")).encode(),
        "vocab.txt": vocabulary_text(tokenizer_file).encode("utf-8"),
        "model.onnx": model_file.read_bytes(),
        WASM_FILE: scripts.pop(WASM_FILE),
    }
    # The worker's downloads are stored gzipped and inflated in the browser (DecompressionStream): static
    # hosts compress text but not a .onnx or, often, a .wasm file, and these two are 90% of the bytes.
    files: dict[str, bytes] = {f"{name}.gz": gzip.compress(blob, 9, mtime=0) for name, blob in raw.items()}
    files.update(scripts)
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode())
        digest.update(hashlib.sha256(files[name]).digest())
    manifest = {
        "version": 2,
        "digest": digest.hexdigest()[:16],
        "papers": len(index.ids),
        "dimension": DIMENSION,
        "embedder": index.embedder_name,
        "vectors": {"file": "vectors.i8.gz", "type": "int8", "scales": [float(s) for s in scales]},
        "model": {"file": "model.onnx.gz", "vocab": "vocab.txt.gz", "runtime": f"{WASM_FILE}.gz",
                  "max_tokens": QUERY_TOKENS, "lowercase": True, "output": "sentence_embedding"},
        "lexical": {"file": "lexical.bin.gz", "meta": "lexical.json.gz"},
        "papers_file": "papers.json.gz",
        "search": {"default_method": DEFAULT_METHOD, "alpha": CONVEX_ALPHA, "depth": FUSION_DEPTH},
        # what the worker downloads before its first answer by meaning (the page's progress bar)
        "fetched": sorted(f"{name}.gz" for name in raw),
        "bytes": {name: len(blob) for name, blob in sorted(files.items())},
        "inflated_bytes": {f"{name}.gz": len(blob) for name, blob in sorted(raw.items())},
    }
    files["manifest.json"] = (json.dumps(manifest, indent=1) + "\n").encode()
    for name, blob in files.items():
        write_if_changed(out / name, blob)
    for stale in sorted(out.iterdir()):  # files of an older layout
        if stale.name not in files and stale.is_file():
            stale.unlink()
    return SearchBundleReport(papers=len(index.ids), files={name: len(blob) for name, blob in sorted(files.items())})
