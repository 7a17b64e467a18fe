"""Lexical search: BM25 (``bm25s``, Lucene variant) over title + abstract, English stop words, Snowball stems.

The title is a paper's densest summary, so its words count ``title_weight`` times (the title is repeated in
the indexed text; the weight was chosen on the dev queries, ``scripts/tune_search.py``).

``bm25s`` builds the index: it precomputes every (word, document) BM25 weight into a sparse word-major
matrix. That matrix is saved as three plain arrays, and a query only sums the columns of its words, here,
with numpy: the search path then needs neither bm25s nor scipy (a second less for a cold
``llm-atlas search``). The query is tokenised exactly as bm25s tokenises (lower case, ``\\w\\w+`` words,
its English stop words, then the stemmer); ``tests/test_hybrid.py`` checks the scores against bm25s.
The index is always rebuilt whole (IDF changes whenever papers are added); that takes about a second.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from tracker.atomic import atomic_open, atomic_write_text

# Chosen on the dev queries (scripts/tune_search.py): the title counted 3 times beat 1 and 2 in BM25 and hybrid.
TITLE_WEIGHT = 3
K1 = 1.2
B = 0.75
TOKEN_PATTERN = r"(?u)\b\w\w+\b"
_ARRAYS_FILE = "bm25.npz"
_META_FILE = "lexical.json"


def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


def lexical_text(title: str, abstract: str, title_weight: int = TITLE_WEIGHT) -> str:
    return " ".join([title] * title_weight + [abstract])


class LexicalIndex:
    """BM25 scores of every indexed document for a query, in the order of ``ids``.

    ``data``/``indices``/``indptr`` hold the word-major sparse matrix of BM25 weights: the documents that
    contain word ``w`` are ``indices[indptr[w]:indptr[w+1]]``, with weights ``data[...]`` at the same places.
    """

    def __init__(self, ids: list[str], vocabulary: list[str], data: np.ndarray, indices: np.ndarray,
                 indptr: np.ndarray, stopwords: list[str], title_weight: int) -> None:
        self.ids = ids
        self.vocabulary = {word: column for column, word in enumerate(vocabulary)}
        self.data, self.indices, self.indptr = data, indices, indptr
        self.stopwords = frozenset(stopwords)
        self.title_weight = title_weight
        self._split = re.compile(TOKEN_PATTERN).findall
        self._stem = _stemmer()

    @classmethod
    def build(cls, ids: list[str], texts: Sequence[tuple[str, str]], title_weight: int = TITLE_WEIGHT,
              k1: float = K1, b: float = B) -> LexicalIndex:
        """``texts`` holds (title, abstract) per id."""
        import bm25s
        from bm25s.stopwords import STOPWORDS_EN

        # bm25s sets its logger to DEBUG on import ("Building index from IDs objects" on every index): follow ours
        logging.getLogger("bm25s").setLevel(logging.getLogger().getEffectiveLevel())

        stopwords = sorted(STOPWORDS_EN)
        if not ids:
            empty = np.zeros(0, dtype=np.float32)
            return cls([], [], empty, np.zeros(0, np.int32), np.zeros(1, np.int64), stopwords, title_weight)
        model = bm25s.BM25(k1=k1, b=b, method="lucene")
        corpus = [lexical_text(t, a, title_weight) for t, a in texts]
        model.index(bm25s.tokenize(corpus, stopwords=stopwords, stemmer=_stemmer(), show_progress=False),
                    show_progress=False)
        data, indices, indptr = (np.asarray(model.scores[k]) for k in ("data", "indices", "indptr"))
        # bm25s leaves out the end pointers of trailing empty columns (its "" word): restore them
        missing = len(model.vocab_dict) + 1 - len(indptr)
        indptr = np.concatenate([indptr, np.full(missing, len(data), dtype=indptr.dtype)])
        # bm25s numbers words in set order (varies between runs); renumber them alphabetically so the
        # saved arrays are the same bytes for the same papers.
        words = sorted(model.vocab_dict)
        old = np.array([model.vocab_dict[w] for w in words], dtype=np.int64)
        starts, lengths = indptr[old], indptr[old + 1] - indptr[old]
        new_indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        gather = np.repeat(starts - new_indptr[:-1], lengths) + np.arange(new_indptr[-1])
        return cls(list(ids), words, data[gather].astype(np.float32), indices[gather].astype(np.int32), new_indptr,
                   stopwords, title_weight)

    def __len__(self) -> int:
        return len(self.ids)

    def tokens(self, query: str) -> list[str]:
        words = [w for w in self._split(query.lower()) if w not in self.stopwords]
        return list(self._stem.stemWords(words)) if words else []

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every document (0 where no query word occurs). A repeated word counts again."""
        out = np.zeros(len(self.ids), dtype=np.float32)
        for token in self.tokens(query):
            column = self.vocabulary.get(token)
            if column is None:  # a word the corpus has never seen carries no evidence
                continue
            start, end = self.indptr[column], self.indptr[column + 1]
            out[self.indices[start:end]] += self.data[start:end]
        return out

    # -- persistence --------------------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        folder = Path(folder)
        with atomic_open(folder / _ARRAYS_FILE, "wb") as handle:
            np.savez(handle, data=self.data, indices=self.indices, indptr=self.indptr)
        meta = {"title_weight": self.title_weight, "k1": K1, "b": B, "stopwords": sorted(self.stopwords),
                "vocabulary": list(self.vocabulary), "ids": self.ids}
        atomic_write_text(folder / _META_FILE, json.dumps(meta, ensure_ascii=False))

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex | None:
        """The saved index, or None when there is none (the caller then asks for ``llm-atlas index``)."""
        folder = Path(folder)
        meta_path, arrays_path = folder / _META_FILE, folder / _ARRAYS_FILE
        if not meta_path.exists() or not arrays_path.exists():
            return None
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        with np.load(arrays_path) as arrays:
            data, indices, indptr = arrays["data"], arrays["indices"], arrays["indptr"]
        if len(indptr) != len(meta["vocabulary"]) + 1:
            return None
        return cls(meta["ids"], meta["vocabulary"], data, indices, indptr, meta["stopwords"], meta["title_weight"])
