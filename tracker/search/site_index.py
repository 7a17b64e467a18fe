"""The site's search (``--method site``): what the search page computes in the browser, computed here too.

The page must answer by meaning after downloading a few hundred KB at any store size, so it does not rank as
``hybrid`` does (a 23 MB model, every paper's vector, the whole BM25 matrix). Instead:

- the query vector comes from the static token table (``tracker.embedding.static_encoder``): the mean of its
  tokens' vectors, in a ``rank``-dimensional space into which papers were projected at build time;
- paper vectors sit in inverted lists as product-quantised codes (``tracker.search.compact``); a query reads
  the ``probes`` lists whose centroids score best and scores only their papers (a filtered query reads more,
  until ``depth`` allowed papers are found or ``4 × probes`` lists are read);
- BM25 keeps, per word, the ``lexical_depth`` documents with the highest weight (uint8 weights, one scale per
  word), so a common word's postings stay small;
- fusion is ``hybrid``'s convex fusion over the two candidate lists (``tracker.search.query``), except that a
  word-match candidate outside the lists read has no vector score: its meaning part is ``unknown`` (0.5, as
  if average; 0, "the worst", lost 0.05-0.12 nDCG@10 on the dev queries); and its weight depends on the
  query's length: a query of ``long_words`` indexable words or more (the stems BM25 sums, repeats counted) is
  answered with ``long_alpha`` (0.4) instead of ``alpha`` (0.5), because the token table's vector of a long
  query is a mean of many tokens and its words say more (README "Search in the site", the ablation);
- the fused ranking's best ``rescore`` (20, the results the page shows) are then scored again with their
  exact paper vectors (int8, 256 bytes and a scale each, fetched for those rows only: ``v/<row>`` in the
  bundle) instead of their PQ codes, word matches outside the lists read included, and fused again over the
  same candidates: PQ's error is ~24% of a residual's squared length (ki-long's 3,000 papers), and the
  top of the ranking is where that shows.

``llm-atlas search --method site`` and ``llm-atlas eval --method site`` run exactly this, on the same codes the
page downloads (``tracker.site.search_bundle`` writes them from a ``SiteIndex``), so the page's quality is
measured. Rows here are *site rows*: papers ordered by (date, id), so a date filter is a range of rows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from tracker.atomic import atomic_open, atomic_write_text
from tracker.embedding.static_encoder import StaticEncoder
from tracker.search.compact import Lists, ProductQuantizer, build_lists, int8_rows, list_count, train_pq
from tracker.search.index import PaperIndex, top_rows
from tracker.search.lexical import LexicalIndex
from tracker.search.query import FUSION_DEPTH

# Bump when the layout or any rule below changes, so cached site indexes are rebuilt.
SITE_RECIPE = 2  # 2: the papers' int8 vectors (rescoring) are part of the index
NEIGHBOURS = 20  # "More like this" answers, precomputed exactly (the page shows 20)
_ARRAYS = "site.npz"
_META = "site.json"


@dataclass(frozen=True)
class SiteSettings:
    """How the site's search is built and run; measured choices in README "Search in the site"."""

    lists: int | None = None  # None: ~sqrt(N), lists of at most 256 papers (compact.list_count)
    # Chosen on the dev queries (scripts/tune_site_search.py): 16 lists read, alpha 0.5 and 0.5 for a word match
    # outside them beat 8 lists, alpha 0.4-0.6 and 0 / 0.3 / 0.7 / 1 (README "Search in the site").
    probes: int = 16
    subspaces: int = 32  # PQ bytes per paper (64 gained nothing on dev)
    lexical_depth: int = 1000  # postings kept per word, highest weights first
    depth: int = FUSION_DEPTH
    alpha: float = 0.5
    unknown: float = 0.5  # meaning part of a word-match candidate outside the lists read: "average", not "worst"
    # Long queries (issue 25, scripts/ablate_site_search.py on the dev queries): from 12 indexable words on, 0.4
    # beat 0.5 at 3,000 and at 23,000 papers on ki-long, ki-first and ki-contrib; under 12, 0.5 stayed best.
    long_words: int = 12
    long_alpha: float = 0.4
    # The fused top 20 rescored with int8 vectors: on the dev queries at 3,000 and 23,000 papers (ki-long, ki-first)
    # the top 20, 30 and 50 of the fused ranking did alike (mean 0.670 / 0.670 / 0.669), better than the dense top
    # 100 or 200 by PQ score (0.664 / 0.664): 20 costs the least (~5 KB a query). 0: no rescoring.
    rescore: int = 20

    # what the site index is built from (the rest only changes how a query is answered)
    BUILD_FIELDS = ("lists", "subspaces", "lexical_depth")

    def key(self) -> str:
        """The settings a built index depends on (its fingerprint's part): query-time ones leave it alone."""
        return json.dumps({name: getattr(self, name) for name in self.BUILD_FIELDS}, sort_keys=True)

    def alpha_for(self, words: int) -> float:
        """The fusion's meaning weight for a query of ``words`` indexable words (its BM25 stems)."""
        return self.long_alpha if words >= self.long_words else self.alpha


DEFAULT_SITE = SiteSettings()


@dataclass
class SiteLexical:
    """BM25 postings per stem, cut to the best ``lexical_depth`` documents; rows are site rows."""

    terms: list[str]  # stems, sorted
    offsets: np.ndarray  # int64 (terms + 1,)
    rows: np.ndarray  # int64, ascending within a term
    weights: np.ndarray  # uint8
    scales: np.ndarray  # float32 per term: weight = code * scale
    stopwords: frozenset[str]
    position: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.position = {term: i for i, term in enumerate(self.terms)}

    def postings(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        at = self.position.get(term)
        if at is None:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        start, end = self.offsets[at], self.offsets[at + 1]
        return self.rows[start:end], self.weights[start:end].astype(np.float32) * self.scales[at]

    def scores(self, stems: Sequence[str], count: int) -> np.ndarray:
        """BM25 scores of every row (float32, summed term by term in query order, as the page does)."""
        out = np.zeros(count, dtype=np.float32)
        for stem in stems:
            rows, weights = self.postings(stem)
            out[rows] += weights
        return out


def cut_postings(lexical: LexicalIndex, site_row_of: np.ndarray, depth: int) -> SiteLexical:
    """The index's BM25 matrix in site rows, each word cut to its ``depth`` best documents, weights in uint8."""
    terms = sorted(lexical.vocabulary)
    offsets, rows_out, weights_out, scales = [0], [], [], []
    for term in terms:
        column = lexical.vocabulary[term]
        start, end = lexical.indptr[column], lexical.indptr[column + 1]
        rows = site_row_of[np.asarray(lexical.indices[start:end], dtype=np.int64)]
        weights = np.asarray(lexical.data[start:end], dtype=np.float32)
        if len(rows) > depth:
            keep = np.lexsort((rows, -weights))[:depth]
            rows, weights = rows[keep], weights[keep]
        order = np.argsort(rows, kind="stable")
        rows, weights = rows[order], weights[order]
        peak = float(weights.max()) if len(weights) else 0.0
        scale = peak / 255.0 if peak > 0 else 1.0
        # at least 1: a document that contains the word keeps some of its evidence
        codes = np.clip(np.rint(weights / scale), 1, 255).astype(np.uint8)
        rows_out.append(rows)
        weights_out.append(codes)
        scales.append(scale)
        offsets.append(offsets[-1] + len(rows))
    return SiteLexical(
        terms, np.asarray(offsets, dtype=np.int64),
        np.concatenate(rows_out).astype(np.int64) if rows_out else np.zeros(0, np.int64),
        np.concatenate(weights_out).astype(np.uint8) if weights_out else np.zeros(0, np.uint8),
        np.asarray(scales, dtype=np.float32), lexical.stopwords)


class SiteIndex:
    """The site's search data in memory, and its ranking (the page's, in numpy)."""

    def __init__(self, ids: list[str], index_rows: np.ndarray, lists: Lists, pq: ProductQuantizer,
                 codes: np.ndarray, lexical: SiteLexical, neighbours: np.ndarray, settings: SiteSettings,
                 encoder: StaticEncoder, stem: Any, vector_codes: np.ndarray, vector_scales: np.ndarray) -> None:
        self.ids = ids  # site row -> paper id
        self.index_rows = index_rows  # site row -> row of the PaperIndex
        self.lists = lists
        self.pq = pq
        self.codes = codes  # uint8 (rows, subspaces), in site-row order
        self.lexical = lexical
        self.neighbours = neighbours  # int64 (rows, NEIGHBOURS), site rows, -1 = none
        # each paper's projected vector, int8 with one scale per row (rescoring): vector_codes[row] * scale
        self.vector_codes = np.asarray(vector_codes, dtype=np.int8)
        self.vector_scales = np.asarray(vector_scales, dtype=np.float32)
        self.settings = settings
        self.encoder = encoder
        self._stem = stem  # the query's words -> stems, as the CLI's BM25 does (LexicalIndex.tokens)
        self._centroids = lists.centroids
        self._list_of = np.zeros(len(ids), dtype=np.int64)
        for number in range(len(lists)):
            self._list_of[lists.members[lists.offsets[number] : lists.offsets[number + 1]]] = number

    def __len__(self) -> int:
        return len(self.ids)

    # -- building ---------------------------------------------------------------------------------------
    @classmethod
    def build(cls, index: PaperIndex, encoder: StaticEncoder, settings: SiteSettings = DEFAULT_SITE,
              dates: Sequence[str] | None = None, neighbours: np.ndarray | None = None) -> SiteIndex:
        """From a PaperIndex (vectors + BM25); ``dates`` (per index row) order the site rows by (date, id).

        ``neighbours`` (site rows) replaces the exact computation (N² dot products), for synthetic benchmarks only.
        """
        count = len(index.ids)
        keys = dates if dates is not None else [""] * count
        order = np.array(sorted(range(count), key=lambda r: (keys[r], index.ids[r])), dtype=np.int64)
        site_row_of = np.empty(count, dtype=np.int64)
        site_row_of[order] = np.arange(count)
        projected = encoder.project_papers(index.vectors[order])
        vector_codes, vector_scales = int8_rows(projected)
        lists = build_lists(projected, settings.lists or list_count(count))
        residuals = projected - lists.centroids[_assignments(lists, count)]
        pq = train_pq(residuals, settings.subspaces)
        codes = pq.encode(residuals)
        lexical = cut_postings(index.lexical, site_row_of, settings.lexical_depth)
        if neighbours is None:
            neighbours = exact_neighbours(index.vectors[order], NEIGHBOURS)
        return cls([index.ids[r] for r in order], order, lists, pq, codes, lexical, neighbours, settings, encoder,
                   index.lexical.tokens, vector_codes, vector_scales)

    # -- ranking ----------------------------------------------------------------------------------------
    def stems(self, query: str) -> list[str]:
        return list(self._stem(query))

    def probe_order(self, vector: np.ndarray) -> np.ndarray:
        """Lists best first by the query's dot product with their centroids (ties: lower list first)."""
        return top_rows(self._centroids @ vector, len(self.lists))

    def dense(self, vector: np.ndarray, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, int]:
        """``(rows, scores, lists read)`` of the papers in the lists read, allowed ones only."""
        tables = self.pq.tables(vector)
        order = self.probe_order(vector)
        probes = self.settings.probes
        limit = len(order) if allowed is None else min(len(order), 4 * probes)
        rows_out, scores_out, found, read = [], [], 0, 0
        for number in order:
            if read >= min(probes, len(order)) and (allowed is None or found >= self.settings.depth or read >= limit):
                break
            members = self.lists.members[self.lists.offsets[number] : self.lists.offsets[number + 1]]
            if allowed is not None:
                members = members[allowed[members]]
            base = float(self._centroids[number] @ vector)
            scores = base + tables[np.arange(self.pq.subspaces)[None, :], self.codes[members]].sum(axis=1)
            rows_out.append(members)
            scores_out.append(scores.astype(np.float32))
            found += len(members)
            read += 1
        if not rows_out:
            return np.zeros(0, np.int64), np.zeros(0, np.float32), read
        return np.concatenate(rows_out), np.concatenate(scores_out), read

    def exact_scores(self, rows: Sequence[int], vector: np.ndarray) -> np.ndarray:
        """The rows' scores from their int8 vectors (float32; as the page computes them from ``v/<row>``)."""
        picked = np.asarray(rows, dtype=np.int64)
        vectors = self.vector_codes[picked].astype(np.float32) * self.vector_scales[picked, None]
        return (vectors @ np.asarray(vector, dtype=np.float32)).astype(np.float32)

    def rescored(self, ranked: Sequence[int]) -> list[int]:
        """The rows whose vectors a ranking's rescoring reads: its first ``settings.rescore``."""
        return [int(r) for r in ranked[: self.settings.rescore]]

    def rank(self, query: str, method: str = "hybrid", k: int = 10, allowed: np.ndarray | None = None,
             vector: np.ndarray | None = None, trace: dict[str, Any] | None = None) -> list[tuple[int, float]]:
        """``[(site row, score)]`` best first: ``hybrid`` (the page's default), ``dense`` or ``bm25``.

        ``trace`` (a dict) receives what the page fetches for it: ``"rescored"``, the rows whose vectors it reads."""
        stems = self.stems(query)
        lexical = self.lexical.scores(stems, len(self))
        if allowed is not None:
            lexical = np.where(allowed, lexical, 0.0).astype(np.float32)
        matching = int((lexical > 0).sum())
        if method == "bm25":
            return [(int(r), float(lexical[r])) for r in top_rows(lexical, min(k, matching))]
        if vector is None:
            vector = self.encoder.encode_query(query)
        rows, scores, _ = self.dense(vector, allowed)
        depth = max(self.settings.depth, k)
        dense_order = top_rows_of(rows, scores, depth)
        if method == "dense":
            if self.settings.rescore:  # the best by PQ score, scored again with their vectors, then all re-sorted
                best = dense_order[: self.settings.rescore]
                if trace is not None:
                    trace["rescored"] = [int(r) for r in rows[best]]
                scores = scores.copy()
                scores[best] = self.exact_scores(rows[best], vector)
                dense_order = top_rows_of(rows, scores, depth)
            return [(int(rows[i]), float(scores[i])) for i in dense_order[:k]]
        known = dict(zip(rows.tolist(), scores.tolist(), strict=True))
        lexical_rows = top_rows(lexical, min(depth, matching))
        union = sorted(set(rows[dense_order].tolist()) | set(lexical_rows.tolist()))
        alpha = self.settings.alpha_for(len(stems))
        ranked = convex_site_fusion(union, known, lexical, alpha, self.settings.unknown)
        if self.settings.rescore and ranked:
            # the fused best, scored again with their vectors (a word match outside the lists read gets one too),
            # then the same candidates fused again
            top = self.rescored([row for row, _ in ranked])
            if trace is not None:
                trace["rescored"] = top
            known.update(zip(top, self.exact_scores(top, vector).tolist(), strict=True))
            ranked = convex_site_fusion(union, known, lexical, alpha, self.settings.unknown)
        return ranked[:k]

    def like(self, paper_id: str, k: int = NEIGHBOURS, allowed: np.ndarray | None = None) -> list[int]:
        """Site rows of the precomputed nearest papers (exact cosine, the paper left out), filtered."""
        row = self.ids.index(paper_id)
        found = [int(r) for r in self.neighbours[row] if r >= 0 and (allowed is None or allowed[r])]
        return found[:k]

    # -- persistence -------------------------------------------------------------------------------------
    def save(self, folder: Path, fingerprint: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        lex = self.lexical
        with atomic_open(folder / _ARRAYS, "wb") as handle:
            np.savez(handle, index_rows=self.index_rows, centroid_codes=self.lists.centroid_codes,
                     centroid_scales=self.lists.centroid_scales, offsets=self.lists.offsets,
                     members=self.lists.members, codebook_codes=self.pq.codebook_codes,
                     vector_codes=self.vector_codes, vector_scales=self.vector_scales,
                     codebook_scales=self.pq.codebook_scales, codes=self.codes, term_offsets=lex.offsets,
                     term_rows=lex.rows, term_weights=lex.weights, term_scales=lex.scales,
                     neighbours=self.neighbours)
        meta = {"fingerprint": fingerprint, "ids": self.ids, "terms": lex.terms, "stopwords": sorted(lex.stopwords)}
        atomic_write_text(folder / _META, json.dumps(meta, ensure_ascii=False))

    @classmethod
    def load(cls, folder: Path, fingerprint: str, settings: SiteSettings, encoder: StaticEncoder,
             stem: Any) -> SiteIndex | None:
        """The saved site index when it was built from the same index, settings and encoder; else None."""
        meta_path, arrays_path = folder / _META, folder / _ARRAYS
        if not meta_path.exists() or not arrays_path.exists():
            return None
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("fingerprint") != fingerprint:
            return None
        with np.load(arrays_path) as a:
            lists = Lists(a["centroid_codes"], a["centroid_scales"], a["offsets"], a["members"])
            pq = ProductQuantizer(a["codebook_codes"], a["codebook_scales"])
            lexical = SiteLexical(meta["terms"], a["term_offsets"], a["term_rows"], a["term_weights"],
                                  a["term_scales"], frozenset(meta["stopwords"]))
            return cls(meta["ids"], a["index_rows"], lists, pq, a["codes"], lexical, a["neighbours"], settings,
                       encoder, stem, a["vector_codes"], a["vector_scales"])


def site_fingerprint(index: PaperIndex, encoder: StaticEncoder, settings: SiteSettings,
                     dates: Sequence[str] | None) -> str:
    """Names what a site index was built from: the paper index, the encoder, the settings and the dates."""
    digest = hashlib.sha256(f"{SITE_RECIPE}|{index.fingerprint}|{encoder.name}|{settings.key()}".encode())
    digest.update("\n".join(index.ids).encode())
    digest.update(hashlib.sha256(np.ascontiguousarray(index.vectors).tobytes()).digest())
    digest.update("\n".join(dates or []).encode())
    return digest.hexdigest()[:16]


def _assignments(lists: Lists, count: int) -> np.ndarray:
    out = np.zeros(count, dtype=np.int64)
    for number in range(len(lists)):
        out[lists.members[lists.offsets[number] : lists.offsets[number + 1]]] = number
    return out


def top_rows_of(rows: np.ndarray, scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` best scores, ties to the lower row (as ``top_rows`` and the page)."""
    order = np.lexsort((rows, -scores))
    return order[:k]


def exact_neighbours(vectors: np.ndarray, k: int, block: int = 2048) -> np.ndarray:
    """For each row, the ``k`` rows of highest cosine, itself left out (as ``llm-atlas related``)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    out = np.full((len(vectors), k), -1, dtype=np.int64)
    for start in range(0, len(vectors), block):
        scores = vectors[start : start + block] @ vectors.T
        for offset, row_scores in enumerate(scores):
            row = start + offset
            row_scores[row] = -np.inf
            best = top_rows(row_scores, min(k, len(vectors) - 1))
            out[row, : len(best)] = best
    return out


def convex_site_fusion(rows: list[int], known: dict[int, float], lexical: np.ndarray,
                       alpha: float, unknown: float = 0.0) -> list[tuple[int, float]]:
    """``hybrid``'s convex fusion; a row with no vector score (a list not read) gets 0 for its meaning part."""
    if not rows:
        return []
    values = [known[r] for r in rows if r in known]
    low, high = (min(values), max(values)) if values else (0.0, 0.0)
    spread = high - low
    best = max(float(lexical[r]) for r in rows)
    scored = []
    for row in rows:
        dense_part = ((known[row] - low) / spread if spread > 0 else 1.0) if row in known else unknown
        lexical_part = float(lexical[row]) / best if best > 0 else 0.0
        scored.append((row, alpha * dense_part + (1 - alpha) * lexical_part))
    scored.sort(key=lambda pair: (-pair[1], pair[0]))
    return scored
