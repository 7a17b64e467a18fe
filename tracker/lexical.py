"""Lexical search: BM25 (``bm25s``, Lucene variant) over title + abstract, English stop words, Snowball stems.

The title is a paper's densest summary, so its words count ``title_weight`` times (the title is repeated in
the indexed text; the weight was chosen on the dev evaluation set, see ``tracker/evaluation.py``).
The index is small and cheap to rebuild (IDF changes whenever papers are added, so it is always rebuilt
whole); it is saved beside the dense index so a search only loads it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from tracker.atomic import atomic_write_text

# Chosen on the dev sets (scripts/tune_search.py): 2 beats 1 and 3 there.
TITLE_WEIGHT = 2
K1 = 1.2
B = 0.75
_PARAMS_FILE = "lexical.json"


def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


def lexical_text(title: str, abstract: str, title_weight: int = TITLE_WEIGHT) -> str:
    return " ".join([title] * title_weight + [abstract])


class LexicalIndex:
    """BM25 scores of every indexed document for a query, in the order of ``ids``."""

    def __init__(self, ids: list[str], model: Any, title_weight: int) -> None:
        self.ids = ids
        self.model = model
        self.title_weight = title_weight
        self._stem = _stemmer()

    @classmethod
    def build(cls, ids: list[str], texts: Sequence[tuple[str, str]], title_weight: int = TITLE_WEIGHT,
              k1: float = K1, b: float = B) -> LexicalIndex:
        """``texts`` holds (title, abstract) per id."""
        import bm25s

        model = bm25s.BM25(k1=k1, b=b, method="lucene")
        if ids:
            corpus = [lexical_text(t, a, title_weight) for t, a in texts]
            tokens = bm25s.tokenize(corpus, stopwords="en", stemmer=_stemmer(), show_progress=False)
            model.index(tokens, show_progress=False)
        return cls(list(ids), model, title_weight)

    def __len__(self) -> int:
        return len(self.ids)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every document (0 where no query word occurs)."""
        import bm25s

        if not self.ids:
            return np.zeros(0, dtype=np.float32)
        tokens = bm25s.tokenize([query], stopwords="en", stemmer=self._stem, show_progress=False,
                                return_ids=False)[0]
        # Words the corpus has never seen carry no evidence; bm25s wants only known ones.
        known = [t for t in tokens if t in self.model.vocab_dict]
        if not known:
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(self.model.get_scores(known), dtype=np.float32)

    # -- persistence --------------------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        bm25_dir = folder / "bm25"
        self.model.save(str(bm25_dir), show_progress=False)
        atomic_write_text(folder / _PARAMS_FILE, json.dumps({"title_weight": self.title_weight, "ids": self.ids}))

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex | None:
        """The saved index, or None when there is none (the caller then rebuilds it)."""
        import bm25s

        folder = Path(folder)
        params_path = folder / _PARAMS_FILE
        if not params_path.exists() or not (folder / "bm25").is_dir():
            return None
        params = json.loads(params_path.read_text(encoding="utf-8"))
        model = bm25s.BM25.load(str(folder / "bm25"))
        return cls(params["ids"], model, params["title_weight"])
