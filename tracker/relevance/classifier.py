"""The second, semantic stage of the relevance filter: a small logistic regression on MiniLM embeddings.

The lexical stage (``tracker.relevance.keywords.assess``) sorts every paper into one of three zones:

* **accept**: an LLM term in the title (precision ~0.99 on the labelled set) — no model needed;
* **reject**: not one language-model word, strong or weak, anywhere — no model needed;
* **decide**: everything else (an LLM named somewhere in the abstract, "agents", "prompt", "BERT", "falcon",
  "Bloom"...): the paper is embedded with all-MiniLM-L6-v2 and scored by a logistic regression on the
  embedding plus five lexical features. Its weights (``tracker/relevance/data/relevance_model.json``, ~10 KB) were
  trained by ``scripts/train_relevance.py`` on the train split of ``tests/fixtures/relevance/labelled.jsonl``;
  the held-out test split measures it (``tests/test_relevance.py``).

So only the ambiguous papers cost an embedding, and the embedding is the one the index would compute anyway
(title + abstract, same model).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from tracker.embedding.embedders import Embedder
from tracker.errors import AtlasError
from tracker.paper import Paper
from tracker.relevance.keywords import Relevance

MODEL_FILE = "relevance_model.json"
LEXICAL_FEATURES = ["log1p_strong_hits", "title_strong", "log1p_weak_terms", "homonym", "strong_terms_over_3"]


def lexical_features(evidence: Relevance) -> list[float]:
    """The lexical evidence as numbers, in the order of ``LEXICAL_FEATURES``."""
    return [
        math.log1p(len(evidence.strong)),
        1.0 if evidence.title_strong else 0.0,
        math.log1p(len({w.lower() for w in evidence.weak})),
        1.0 if evidence.homonyms else 0.0,
        len({s.lower() for s in evidence.strong}) / 3.0,
    ]


def zone(evidence: Relevance) -> str:
    """``accept``, ``reject`` or ``decide`` (see the module docstring)."""
    if evidence.title_strong:
        return "accept"
    if not evidence.strong and not evidence.weak:
        return "reject"
    return "decide"


@dataclass(frozen=True)
class RelevanceModel:
    """``P(LLM paper) = sigmoid(w_emb · embedding + w_lex · lexical + b)``; LLM paper when ≥ ``threshold``."""

    embedding_model: str
    embedding_weights: np.ndarray
    lexical_weights: np.ndarray
    intercept: float
    threshold: float

    @classmethod
    def from_json(cls, data: dict) -> RelevanceModel:
        if data.get("lexical_features") != LEXICAL_FEATURES:
            raise AtlasError("relevance model: its lexical features do not match this version of the code")
        return cls(
            embedding_model=data["embedding_model"],
            embedding_weights=np.asarray(data["embedding_weights"], dtype=np.float32),
            lexical_weights=np.asarray(data["lexical_weights"], dtype=np.float32),
            intercept=float(data["intercept"]),
            threshold=float(data["threshold"]),
        )

    def probabilities(self, vectors: np.ndarray, lexical: np.ndarray) -> np.ndarray:
        logits = vectors @ self.embedding_weights + lexical @ self.lexical_weights + self.intercept
        return 1.0 / (1.0 + np.exp(-logits))


@lru_cache(maxsize=1)
def load_model() -> RelevanceModel:
    text = resources.files("tracker.relevance").joinpath("data", MODEL_FILE).read_text(encoding="utf-8")
    return RelevanceModel.from_json(json.loads(text))


@lru_cache(maxsize=1)
def _default_embedder() -> Embedder:
    return Embedder()


def score_papers(papers: Sequence[Paper], evidence: Sequence[Relevance], embedder: Embedder | None = None,
                 model: RelevanceModel | None = None) -> list[float]:
    """The model's probability for each paper (embedded in one batch)."""
    if not papers:
        return []
    model = model or load_model()
    embedder = embedder or _default_embedder()
    if embedder.name != model.embedding_model:
        raise AtlasError(f"relevance model was trained on {model.embedding_model} vectors, not {embedder.name}")
    vectors = embedder.encode([p.text for p in papers])
    lexical = np.asarray([lexical_features(e) for e in evidence], dtype=np.float32)
    return [float(p) for p in model.probabilities(vectors, lexical)]
