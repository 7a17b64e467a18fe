#!/usr/bin/env python3
"""Where the site's search loses to the CLI's hybrid: its ranking with one piece at a time put back.

    .venv/bin/python scripts/ablate_site_search.py [--sets ki-long] [--distractors 0 20000] [--json]
    .venv/bin/python scripts/ablate_site_search.py --sets ki-first ki-contrib ki-long topics --rows fusion

Each evaluation set (``scripts/make_eval_sets.py``) is indexed as ``llm-atlas eval`` indexes it, optionally with
``N`` of the store's papers added as distractors (``--distractors``: their stored vectors, nothing is embedded;
a known-item query's only relevant paper stays its source, so the set gets harder as a bigger store would be),
and given a site index with the shipped settings. Then every row ranks the queries as ``--method site`` does
with one or more of its pieces replaced:

* query vector: the token table's (shipped) or MiniLM's own query vector (the search model, ONNX int8, as
  ``llm-atlas search`` embeds a query), carried into the table's 256 dimensions by least squares through the
  table's projection (``P.T @ q256 ~ q384``);
* paper vectors: PQ codes, or the exact projected vectors (as int8 lists in the bytes column), or PQ codes and
  then some candidates' scores from their int8 vectors: the dense side's best 100 by PQ score, or the fused
  ranking's best 20, fused again (``SiteSettings.rescore``: what ships now);
* lists read: 16 (shipped) or more, up to all of them;
* fusion weight ``alpha`` (meaning's share) for every query, or by the query's length (``SiteSettings.alpha_for``:
  0.4 from 12 indexable words on, else 0.5: what ships now).

Each cell is nDCG@10 over the split's queries (dev for choices, test for reporting). The bytes column is what a
query fetches cold for the parts that depend on it, gzipped as the bundle stores them
(``tracker.site.search_bundle``'s layout: token files of its tokens, postings files of its stems, the lists
read or their int8 equivalents, 260 bytes a rescored paper, counted as if fetched row by row: a lower bound),
the median over the first set's dev queries at its first size. What a visit fetches once (vocabulary, centroids,
codebook, lexicon) is the same for every row and left out; MiniLM in the browser would instead fetch its model
once (``--minilm-bytes``: the ONNX int8 file, gzipped).
"""

from __future__ import annotations

import argparse
import bisect
import gzip
import hashlib
import json
import statistics
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from tracker.embedding.embedders import make_embedder
from tracker.embedding.static_encoder import quantise_rows, shipped_static_encoder
from tracker.search.compact import list_count
from tracker.search.evaluation import RECALL_DEPTH, BeirSet, index_beir, load_beir, run_queries, score_run
from tracker.search.index import PaperIndex, top_rows
from tracker.search.site_index import DEFAULT_SITE, SiteIndex, convex_site_fusion, top_rows_of
from tracker.site.search_bundle import lexical_chunks, list_files, token_chunks, token_file_of

REPO = Path(__file__).resolve().parent.parent
INT8_ROW = 260  # bytes of one paper's int8 vector (256) and its float32 scale


def gz_size(blob: bytes) -> int:
    return len(gzip.compress(blob, 9, mtime=0))


@dataclass
class Sizes:
    """Gzipped sizes of the bundle's query-dependent files for one site index (``search_bundle``'s layout)."""

    tokens: list[int]  # per token-table file
    token_rows: int
    lists: list[int]
    lists_int8: list[int]  # a list's file with int8 vectors (256 bytes + a scale per paper) instead of PQ codes
    postings_firsts: list[str]
    postings: list[int]

    @classmethod
    def of(cls, site: SiteIndex, exact: np.ndarray, token_sizes: list[int]) -> Sizes:
        firsts, chunks = lexical_chunks(site)
        codes, scales = quantise_rows(exact)
        lists = site.lists
        int8 = []
        for number in range(len(lists)):
            members = lists.members[lists.offsets[number] : lists.offsets[number + 1]]
            blob = (np.asarray(members, "<u4").tobytes() + codes[members].tobytes()
                    + scales[members].astype("<f4").tobytes())
            int8.append(gz_size(blob))
        return cls(token_sizes, len(site.encoder.codes), [gz_size(b) for b in list_files(site)], int8, firsts,
                   [gz_size(b) for b in chunks])

    def query_bytes(self, token_rows: Sequence[int], stems: Sequence[str], lists_read: Sequence[int],
                    int8_lists: bool = False, table: bool = True) -> int:
        files = {token_file_of(row, self.token_rows) for row in token_rows} if table else set()
        postings = {bisect.bisect_right(self.postings_firsts, stem) - 1 for stem in stems} - {-1}
        return (sum(self.tokens[f] for f in files) + sum(self.postings[c] for c in postings)
                + sum((self.lists_int8 if int8_lists else self.lists)[n] for n in lists_read))


@dataclass(frozen=True)
class Variant:
    name: str
    query: str = "table"  # table | minilm
    papers: str = "pq"  # pq | exact
    probes: int | None = None  # None: the shipped setting; 0: every list
    alpha: float | None = None  # None: by the query's length (SiteSettings.alpha_for, shipped)
    rescore: int = 0  # the best R rows by PQ score rescored with their int8 vectors
    refuse: int = 0  # the fused ranking's best K rescored with their int8 vectors, then fused again


def site_dense(site: SiteIndex, vector: np.ndarray, probes: int, papers: str, exact: np.ndarray,
               rescore: int = 0, int8: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """``SiteIndex.dense`` (no filter) with the lists read, the paper vectors and rescoring as the variant says."""
    order = site.probe_order(vector)
    read = [int(n) for n in order[: probes or len(order)]]
    lists = site.lists
    members = np.concatenate([lists.members[lists.offsets[n] : lists.offsets[n + 1]] for n in read])
    if papers == "exact":
        return members, (exact[members] @ vector).astype(np.float32), read
    tables = site.pq.tables(vector)
    centroid_scores = site.lists.centroids @ vector
    base = np.concatenate([np.full(lists.offsets[n + 1] - lists.offsets[n], centroid_scores[n], np.float32)
                           for n in read])
    scores = (base + tables[np.arange(site.pq.subspaces)[None, :], site.codes[members]].sum(axis=1))
    scores = scores.astype(np.float32)
    if rescore and int8 is not None:
        best = top_rows_of(members, scores, rescore)
        scores[best] = int8[members[best]] @ vector
    return members, scores, read


def fused(lexical: np.ndarray, rows: np.ndarray, scores: np.ndarray, alpha: float, k: int, refuse: int = 0,
          exact: Callable[[list[int]], np.ndarray] | None = None) -> tuple[list[int], list[int]]:
    """``SiteIndex.rank``'s hybrid fusion of these dense candidates with the postings' BM25 (and, with ``refuse``,
    its rescoring of the fused best): the ranking's first ``k`` rows and the rows rescored."""
    depth = max(DEFAULT_SITE.depth, k)
    order = top_rows_of(rows, scores, depth)
    known = dict(zip(rows.tolist(), scores.tolist(), strict=True))
    lexical_rows = top_rows(lexical, min(depth, int((lexical > 0).sum())))
    union = sorted(set(rows[order].tolist()) | set(lexical_rows.tolist()))
    ranked = convex_site_fusion(union, known, lexical, alpha, DEFAULT_SITE.unknown)
    top: list[int] = []
    if refuse and exact is not None and ranked:
        top = [r for r, _ in ranked[:refuse]]
        known.update(zip(top, exact(top).tolist(), strict=True))
        ranked = convex_site_fusion(union, known, lexical, alpha, DEFAULT_SITE.unknown)
    return [r for r, _ in ranked[:k]], top


def with_distractors(index: PaperIndex, beir: BeirSet, count: int, cache: Path) -> tuple[PaperIndex, BeirSet]:
    """The set's documents plus ``count`` papers of the store (their stored vectors: nothing is embedded), picked
    by a hash of their ids; none of them is relevant to any query (known-item sets: only the source paper is)."""
    from tracker.search.lexical import LexicalIndex
    from tracker.settings import Settings
    from tracker.store import PaperStore

    store_index = PaperIndex.load(cache)
    store = PaperStore(Settings.resolve().data_dir)
    candidates = sorted((i for i in store_index.ids if i not in beir.corpus),
                        key=lambda i: hashlib.sha256(f"distractor:{i}".encode()).hexdigest())[:count]
    corpus = dict(beir.corpus)
    for paper_id in candidates:
        paper = store.get(paper_id)
        assert paper is not None
        corpus[paper_id] = (paper.title, paper.abstract)
    ids = sorted(corpus)
    own = {paper_id: row for row, paper_id in enumerate(index.ids)}
    vectors = np.stack([index.vectors[own[i]] if i in own else store_index.vectors[store_index.position[i]]
                        for i in ids])
    lexical = LexicalIndex.build(ids, [corpus[i] for i in ids])
    bigger = PaperIndex(ids, vectors, f"{index.fingerprint}+{count}", backend=index.backend,
                        embedder_name=index.embedder_name, lexical=lexical)
    return bigger, BeirSet(f"{beir.name}+{count}", corpus, beir.queries, beir.qrels)


def evaluate(name: str, splits: Sequence[str], variants: list[Variant], cache: Path, evalsets: Path,
             token_sizes: list[int], distractors: int, log: Callable[[str], None]) -> list[dict]:
    """One row per split: the CLI's methods and every variant's nDCG@10 and median bytes."""
    embedder = make_embedder("onnx-int8", cache)
    encoder = shipped_static_encoder()
    beir = load_beir(evalsets / name, splits[0])
    index: PaperIndex = index_beir(beir, cache, embedder)
    if distractors:
        index, beir = with_distractors(index, beir, distractors, cache)
    no_neighbours = np.full((len(index.ids), 1), -1, dtype=np.int64)  # "More like this" is not measured here
    site = SiteIndex.build(index, encoder, DEFAULT_SITE, neighbours=no_neighbours)
    exact = encoder.project_papers(index.vectors[site.index_rows])
    int8_codes, int8_scales = quantise_rows(exact)
    int8 = int8_codes.astype(np.float32) * int8_scales[:, None]
    sizes = Sizes.of(site, exact, token_sizes)
    out = []
    for split in splits:
        qrels = load_beir(evalsets / name, split).qrels
        split_set = BeirSet(beir.name, beir.corpus, beir.queries, qrels)
        query_ids = sorted(qrels)
        texts = [beir.queries[q] for q in query_ids]
        table_vectors = encoder.encode(texts)
        minilm = embedder.encode(texts)
        # MiniLM's query in the table's space: least squares through the projection (P.T @ x ~ q)
        minilm_vectors = np.linalg.lstsq(encoder.projection.T, minilm.T, rcond=None)[0].T.astype(np.float32)
        stems = [site.stems(t) for t in texts]
        lexical = [site.lexical.scores(s, len(site)) for s in stems]
        token_rows = [encoder.rows(t) for t in texts]
        row: dict = {"set": name, "distractors": distractors, "split": split, "queries": len(query_ids),
                     "papers": len(site), "lists": len(site.lists), "variants": {}}
        for method in ("hybrid", "dense", "bm25"):
            row[f"cli {method}"] = score_run(run_queries(index, split_set, embedder, method), qrels)["ndcg@10"]
        for variant in variants:
            run, spent = {}, []
            for number, query_id in enumerate(query_ids):
                vector = (minilm_vectors if variant.query == "minilm" else table_vectors)[number]
                rows, scores, read = site_dense(site, vector, variant.probes if variant.probes is not None
                                                else DEFAULT_SITE.probes, variant.papers, exact, variant.rescore, int8)
                alpha = variant.alpha if variant.alpha is not None else DEFAULT_SITE.alpha_for(len(stems[number]))
                def exact_of(picked: list[int], query: np.ndarray = vector) -> np.ndarray:
                    return site.exact_scores(picked, query)

                ranked, top = fused(lexical[number], rows, scores, alpha, RECALL_DEPTH + 1, variant.refuse, exact_of)
                run[query_id] = [site.ids[r] for r in ranked if site.ids[r] != query_id][:RECALL_DEPTH]
                spent.append(sizes.query_bytes(token_rows[number], stems[number], read,
                                               int8_lists=variant.papers == "exact", table=variant.query == "table")
                             + INT8_ROW * (variant.rescore + len(top)))
            ndcg = score_run(run, qrels)["ndcg@10"]
            row["variants"][variant.name] = {"ndcg@10": ndcg, "bytes": int(statistics.median(spent))}
            log(f"{name}+{distractors} {split} {variant.name}: {ndcg:.4f}, {statistics.median(spent):,.0f} B")
        out.append(row)
    return out


BEFORE = Variant("site before: alpha 0.5, PQ codes only", alpha=0.5)
NOW = Variant("site now: alpha by length, fused best 20 rescored", refuse=DEFAULT_SITE.rescore)


def ablation_rows(lists: int) -> list[Variant]:
    """The README's ablation: each piece put back alone, then together; lists read; fusion weights; rescoring."""
    out = [BEFORE,
           replace(BEFORE, name="MiniLM query vector", query="minilm"),
           replace(BEFORE, name="exact paper vectors (16 lists)", papers="exact"),
           replace(BEFORE, name="MiniLM query + exact paper vectors", query="minilm", papers="exact")]
    out += [replace(BEFORE, name=f"{probes} lists", probes=probes) for probes in (24, 32, 64) if probes < lists]
    out += [replace(BEFORE, name="all lists", probes=0),
            replace(BEFORE, name="all lists, exact vectors, MiniLM query", probes=0, papers="exact", query="minilm")]
    out += [replace(BEFORE, name=f"alpha {a} for every query", alpha=a) for a in (0.3, 0.4, 0.6)]
    out += [replace(BEFORE, name="alpha 0.4 from 12 words, else 0.5", alpha=None),
            replace(BEFORE, name="dense best 100 rescored (int8)", rescore=100),
            replace(BEFORE, name="fused best 20 rescored (int8)", refuse=DEFAULT_SITE.rescore),
            NOW,
            replace(NOW, name="site now + 24 lists", probes=24),
            replace(NOW, name="site now + MiniLM query vector", query="minilm")]
    return out


def fusion_rows(lists: int) -> list[Variant]:
    """The fusion weight and rescoring alone and together, for short and long queries' sets."""
    return [BEFORE, replace(BEFORE, name="alpha 0.4 for every query", alpha=0.4),
            replace(BEFORE, name="alpha 0.4 from 12 words, else 0.5", alpha=None),
            replace(BEFORE, name="fused best 20 rescored (int8)", refuse=DEFAULT_SITE.rescore), NOW]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--evalsets", type=Path, default=REPO / ".cache" / "llm-atlas" / "evalsets")
    parser.add_argument("--cache", type=Path, default=REPO / ".cache" / "llm-atlas")
    parser.add_argument("--sets", nargs="+", default=["ki-long"])
    parser.add_argument("--distractors", nargs="+", type=int, default=[0],
                        help="store papers added to each set's documents (one column pair per count)")
    parser.add_argument("--rows", choices=("ablation", "fusion"), default="ablation")
    parser.add_argument("--minilm-bytes", action="store_true", help="print the browser's cost of MiniLM")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    token_sizes = [gz_size(b) for b in token_chunks(shipped_static_encoder())]
    rows: list[dict] = []
    for name in args.sets:
        splits = ["test"] if name == "topics" else ["dev", "test"]  # topics has test queries only
        documents = sum(1 for _ in (args.evalsets / name / "corpus.jsonl").open())
        for count in args.distractors:
            variants = (ablation_rows if args.rows == "ablation" else fusion_rows)(list_count(documents + count))
            rows += evaluate(name, splits, variants, args.cache, args.evalsets, token_sizes, count,
                             lambda m: print(m, file=sys.stderr))
    if args.minilm_bytes:
        from tracker.embedding.onnx_export import onnx_dir

        model = next(onnx_dir(args.cache).glob("model-int8.onnx"))
        print(f"MiniLM (ONNX int8) in the browser: {model.stat().st_size:,} bytes, "
              f"{gz_size(model.read_bytes()):,} gzipped, once per visit", file=sys.stderr)
    if args.json:
        print(json.dumps(rows, indent=1))
        return
    heads = [f"{r['set']}{' +' + format(r['distractors'], ',') if r['distractors'] else ''} {r['split']} "
             f"({r['papers']:,} papers, {r['queries']} q.)" for r in rows]
    print("| | " + " | ".join(heads) + " | bytes / query |")
    print("| --- | " + " | ".join("---:" for _ in rows) + " | ---: |")
    for method in ("cli hybrid", "cli dense", "cli bm25"):
        print(f"| {method.replace('cli', 'CLI')} | " + " | ".join(f"{r[method]:.3f}" for r in rows) + " | |")
    for name in rows[0]["variants"]:
        cells = [f"{r['variants'][name]['ndcg@10']:.3f}" for r in rows]
        print(f"| {name} | " + " | ".join(cells) + f" | {rows[0]['variants'][name]['bytes'] / 1000:.0f} KB |")


if __name__ == "__main__":
    main()
