"""``llm-atlas eval``: retrieval quality on a BEIR-format set, with the same retrieval code as search.

A BEIR directory holds ``corpus.jsonl`` (``_id``, ``title``, ``text``), ``queries.jsonl`` (``_id``,
``text``) and ``qrels/test.tsv`` (``query-id``, ``corpus-id``, ``score`` with a header line). Metrics follow
BEIR / trec_eval: graded gain ``rel / log2(rank + 1)`` for nDCG, binary relevance (score > 0) for recall
and MRR, averaged over the queries that have at least one relevant document. As in BEIR, a document whose
id equals the query's id is never counted as retrieved.

Evaluation data lives under ``<cache>/eval/`` only: one record per dataset (``<name>-<hash of its corpus>/``)
and a vector cache keyed by document id + text hash, shared by sets whose documents coincide (the dev and
test splits, or two query sets over one corpus). The paper store and its index are never touched, and a
rerun embeds nothing.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tracker.atomic import atomic_write_text
from tracker.embedding.embedders import DEFAULT_BACKEND, TextEmbedder, make_embedder
from tracker.embedding.static_encoder import StaticEncoder, shipped_static_encoder
from tracker.errors import AtlasError, InputError
from tracker.search.index import PaperIndex
from tracker.search.lexical import LexicalIndex
from tracker.search.query import DEFAULT_METHOD, rank_rows
from tracker.search.site_index import DEFAULT_SITE, SiteIndex, SiteSettings
from tracker.search.site_search import SITE_METHOD
from tracker.search.stored_vectors import StoredVectors, as_stored
from tracker.search.vectors import EmbeddingCache, cache_key, embed_texts
from tracker.settings import eval_dir as eval_root
from tracker.store import PaperStore

RECALL_DEPTH = 100


@dataclass(frozen=True)
class BeirSet:
    name: str
    corpus: dict[str, tuple[str, str]]  # id -> (title, text)
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]  # query id -> {doc id: grade}

    def fingerprint(self) -> str:
        digest = hashlib.sha256()
        for doc_id in sorted(self.corpus):
            title, text = self.corpus[doc_id]
            digest.update(f"{doc_id}\t{title}\t{text}\n".encode())
        return digest.hexdigest()[:12]


def _jsonl(path: Path, fields: Sequence[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    if not path.exists():
        raise InputError(path, "missing (a BEIR directory needs corpus.jsonl, queries.jsonl, qrels/test.tsv)")
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise InputError(path, f"not valid JSON ({error.msg})", number) from None
            if not isinstance(record, dict):
                raise InputError(path, "expected a JSON object", number)
            for name in fields:
                if not isinstance(record.get(name), str):
                    raise InputError(path, f"field {name!r} missing or not a string", number)
            yield number, record


def load_beir(folder: Path, split: str = "test") -> BeirSet:
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(folder, "not a directory")
    corpus: dict[str, tuple[str, str]] = {}
    for number, record in _jsonl(folder / "corpus.jsonl", ("_id", "text")):
        title = record.get("title", "")
        if not isinstance(title, str):
            raise InputError(folder / "corpus.jsonl", "field 'title' is not a string", number)
        if record["_id"] in corpus:
            raise InputError(folder / "corpus.jsonl", f"_id {record['_id']!r} appears twice", number)
        corpus[record["_id"]] = (title, record["text"])
    queries = {record["_id"]: record["text"] for _, record in _jsonl(folder / "queries.jsonl", ("_id", "text"))}
    qrels_path = folder / "qrels" / f"{split}.tsv"
    if not qrels_path.exists():
        raise InputError(qrels_path, "missing")
    qrels: dict[str, dict[str, int]] = {}
    with qrels_path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            parts = line.rstrip("\n").split("\t")
            if number == 1 and parts[0] == "query-id":
                continue
            if not line.strip():
                continue
            if len(parts) != 3:
                raise InputError(qrels_path, "expected query-id<TAB>corpus-id<TAB>score", number)
            query_id, doc_id, grade = parts
            try:
                value = int(grade)
            except ValueError:
                raise InputError(qrels_path, f"score {grade!r} is not an integer", number) from None
            if query_id not in queries:
                raise InputError(qrels_path, f"query-id {query_id!r} is not in queries.jsonl", number)
            if doc_id not in corpus:
                raise InputError(qrels_path, f"corpus-id {doc_id!r} is not in corpus.jsonl", number)
            qrels.setdefault(query_id, {})[doc_id] = value
    return BeirSet(folder.resolve().name, corpus, queries, qrels)


# -- metrics ---------------------------------------------------------------------------------------
def ndcg_at(ranked: Sequence[str], relevant: Mapping[str, int], k: int) -> float:
    gains = [max(relevant.get(doc, 0), 0) for doc in ranked[:k]]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    ideal = sorted((g for g in relevant.values() if g > 0), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def recall_at(ranked: Sequence[str], relevant: Mapping[str, int], k: int) -> float:
    wanted = {doc for doc, grade in relevant.items() if grade > 0}
    return len(wanted & set(ranked[:k])) / len(wanted) if wanted else 0.0


def mrr_at(ranked: Sequence[str], relevant: Mapping[str, int], k: int) -> float:
    for rank, doc in enumerate(ranked[:k], start=1):
        if relevant.get(doc, 0) > 0:
            return 1.0 / rank
    return 0.0


def score_run(run: Mapping[str, Sequence[str]], qrels: Mapping[str, Mapping[str, int]], k: int = 10) -> dict[str, Any]:
    """Mean metrics of ``run`` (query id -> ranked doc ids) over the judged queries with a relevant doc."""
    judged = sorted(q for q, rels in qrels.items() if any(g > 0 for g in rels.values()))
    if not judged:
        raise AtlasError("no query has a relevant document in the qrels")
    totals = {f"ndcg@{k}": 0.0, f"recall@{k}": 0.0, f"recall@{RECALL_DEPTH}": 0.0, f"mrr@{k}": 0.0}
    for query_id in judged:
        ranked, relevant = run.get(query_id, []), qrels[query_id]
        totals[f"ndcg@{k}"] += ndcg_at(ranked, relevant, k)
        totals[f"recall@{k}"] += recall_at(ranked, relevant, k)
        totals[f"recall@{RECALL_DEPTH}"] += recall_at(ranked, relevant, RECALL_DEPTH)
        totals[f"mrr@{k}"] += mrr_at(ranked, relevant, k)
    result: dict[str, Any] = {name: round(value / len(judged), 4) for name, value in totals.items()}
    result["queries"] = len(judged)
    return result


# -- indexing a BEIR corpus and running its queries -----------------------------------------------
def eval_dir(cache_dir: Path, beir: BeirSet) -> Path:
    return eval_root(cache_dir) / f"{beir.name}-{beir.fingerprint()}"


def eval_vector_cache(cache_dir: Path, embedder: TextEmbedder) -> EmbeddingCache:
    return EmbeddingCache(eval_root(cache_dir), embedder.name).load()


def doc_text(title: str, text: str) -> str:
    """The same text a stored paper is embedded as (``Paper.text``: title, full stop, abstract)."""
    return f"{title}. {text}" if title else text


def _borrow_store_vectors(cache: EmbeddingCache, keys: list[str], cache_dir: Path, embedder: TextEmbedder,
                          data_dir: Path | None = None) -> None:
    """Copy (read-only) the store's vectors of documents that are stored papers with the same text.

    Keys are id + text hash on both sides, so a match is the same text by the same model: a set built from
    the store (the ``topics`` set) then embeds nothing. The store's vectors are its committed files
    (``<data>/vectors``, when ``data_dir`` is given) and the cache's.
    """
    have = cache.rows()
    wanted = {key for key in keys if key not in have}
    if not wanted:
        return
    found_keys: list[str] = []
    found: list[np.ndarray] = []
    if data_dir is not None and (data_dir / "papers").is_dir():
        store = PaperStore(data_dir)
        papers = [p for p in store if cache_key(p) in wanted]
        lookup = StoredVectors(data_dir, embedder.name, embedder.dimension).lookup(papers)
        for paper in papers:
            if paper.id in lookup.found:
                found_keys.append(cache_key(paper))
                found.append(lookup.found[paper.id])
    store_cache = EmbeddingCache(cache_dir, embedder.name).load()
    theirs = store_cache.rows()
    rest = [key for key in sorted(wanted - set(found_keys)) if key in theirs]
    found_keys += rest
    found += [store_cache.vectors[theirs[key]] for key in rest]
    if found_keys:
        cache.add(found_keys, np.stack(found).astype(np.float32))


def index_beir(beir: BeirSet, cache_dir: Path, embedder: TextEmbedder,
               progress: Callable[[int], Any] | None = None, dense: bool = True,
               data_dir: Path | None = None) -> PaperIndex:
    """The set's documents as an index (vectors only when ``dense``: BM25 alone needs no model)."""
    ids = sorted(beir.corpus)
    texts = [doc_text(*beir.corpus[i]) for i in ids]
    keys = [f"{i}:{hashlib.sha256(t.encode()).hexdigest()[:16]}" for i, t in zip(ids, texts, strict=True)]
    folder = eval_dir(cache_dir, beir)
    if dense:
        cache = eval_vector_cache(cache_dir, embedder)
        _borrow_store_vectors(cache, keys, cache_dir, embedder, data_dir)
        vectors, _ = embed_texts(keys, texts, cache, embedder, progress)
        vectors = as_stored(vectors)  # as every index of the store computes (float16, as committed)
    else:
        vectors = np.zeros((len(ids), embedder.dimension), dtype=np.float32)
    lexical = LexicalIndex.build(ids, [beir.corpus[i] for i in ids])
    atomic_write_text(folder / "dataset.json", json.dumps({"name": beir.name, "documents": len(ids)}))
    return PaperIndex(ids, vectors, beir.fingerprint(), backend=embedder.backend, embedder_name=embedder.name,
                      lexical=lexical)


def run_site_queries(index: PaperIndex, beir: BeirSet, depth: int = RECALL_DEPTH,
                     query_ids: Iterable[str] | None = None, settings: SiteSettings = DEFAULT_SITE,
                     encoder: StaticEncoder | None = None) -> dict[str, list[str]]:
    """The site's ranking (``--method site``): the set indexed as the site's page is, queries by the static encoder."""
    site = SiteIndex.build(index, encoder or shipped_static_encoder(), settings)
    run: dict[str, list[str]] = {}
    for query_id in sorted(query_ids if query_ids is not None else beir.qrels):
        ranked = site.rank(beir.queries[query_id], "hybrid", depth + 1)
        run[query_id] = [site.ids[r] for r, _ in ranked if site.ids[r] != query_id][:depth]
    return run


def run_queries(index: PaperIndex, beir: BeirSet, embedder: TextEmbedder, method: str,
                depth: int = RECALL_DEPTH, query_ids: Iterable[str] | None = None) -> dict[str, list[str]]:
    if method == SITE_METHOD:
        return run_site_queries(index, beir, depth, query_ids)
    wanted = sorted(query_ids if query_ids is not None else beir.qrels)
    texts = [beir.queries[q] for q in wanted]
    # All query vectors at once (batched), and only when the method uses them.
    vectors = embedder.encode(texts) if method != "bm25" else np.zeros((len(texts), 0), np.float32)
    run: dict[str, list[str]] = {}
    def vector_of(position: int) -> Callable[[], np.ndarray]:
        return lambda: vectors[position]

    for position, query_id in enumerate(wanted):
        ranked = rank_rows(index, texts[position], vector_of(position), method, depth + 1)
        run[query_id] = [index.ids[r] for r, _ in ranked if index.ids[r] != query_id][:depth]
    return run


def evaluate(folder: Path, cache_dir: Path, method: str = DEFAULT_METHOD, k: int = 10,
             backend: str = DEFAULT_BACKEND, embedder: TextEmbedder | None = None, split: str = "test",
             progress: Callable[[int], Any] | None = None, data_dir: Path | None = None) -> dict[str, Any]:
    beir = load_beir(folder, split)
    embedder = embedder or make_embedder(backend, cache_dir)
    index = index_beir(beir, cache_dir, embedder, progress, dense=method != "bm25", data_dir=data_dir)
    run = run_queries(index, beir, embedder, method, max(RECALL_DEPTH, k))
    return score_run(run, beir.qrels, k)
