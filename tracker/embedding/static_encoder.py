"""The light query encoder of the site's search: one learned vector per WordPiece token, averaged.

A query's vector is the mean of its tokens' vectors (``[CLS]`` and ``[SEP]`` included, a repeated token counted
again), as the site's page computes it in the reader's browser without any neural network: a few KB of token
vectors instead of a 23 MB model and a 3.7 MB WebAssembly runtime. The vectors were trained
(``tracker.embedding.static_training``) to reproduce the search model's query vectors, so they point where
MiniLM would; papers keep their MiniLM vectors.

The table lives in ``tracker/embedding/data/static_encoder/`` (committed: the corpus it was trained on is not in
the repository; its README says how it was made): ``table.npz`` holds

- ``codes``: int8, one row of ``rank`` numbers per token, rows in *frequency order* (the token most frequent in
  the training texts first), so the page fetches the few chunks of rows that hold common tokens and rarely
  the rest;
- ``scales``: float32, one per row (``vector = codes * scale``);
- ``order``: uint16, the WordPiece id of each row (the page's vocabulary file is written in this order);
- ``projection``: float32 ``(rank, 384)``, mapping the mean token vector into MiniLM's space. Papers are
  projected the other way once, at build time (``project_papers``), so a query never needs it:
  ``query · paper = mean(tokens) · (projection @ paper)``.

Ranking uses dot products with the projected papers; a query's norm is irrelevant there (the fusion normalises
scores over the candidates), so the mean is not normalised.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from tracker.embedding.weights import base_model_path
from tracker.errors import AtlasError

TABLE_FILE = "table.npz"
META_FILE = "meta.json"
# Query length the page tokenises to, as the CLI's model truncates (tracker.embedding.onnx_export.MAX_TOKENS).
QUERY_TOKENS = 256


def static_dir() -> Path:
    return Path(str(resources.files("tracker.embedding").joinpath("data", "static_encoder")))


def quantise_rows(table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 codes and one float32 scale per row (``row ≈ codes * scale``): a token's weight survives in its scale."""
    table = np.asarray(table, dtype=np.float32)
    peak = np.abs(table).max(axis=1) if table.size else np.ones(len(table), dtype=np.float32)
    scales = np.where(peak > 0, peak / 127.0, 1.0).astype(np.float32)
    codes = np.clip(np.rint(table / scales[:, None]), -127, 127).astype(np.int8)
    return codes, scales


class StaticEncoder:
    """Query vectors from the committed token table (numpy + ``tokenizers``; no torch, no ONNX)."""

    def __init__(self, codes: np.ndarray, scales: np.ndarray, order: np.ndarray, projection: np.ndarray,
                 meta: dict[str, Any], tokenizer_file: Path | None = None) -> None:
        self.codes = np.asarray(codes, dtype=np.int8)
        self.scales = np.asarray(scales, dtype=np.float32)
        self.order = np.asarray(order, dtype=np.int64)
        self.projection = np.asarray(projection, dtype=np.float32)
        self.meta = meta
        self.rank = self.codes.shape[1]
        self.row_of = np.full(int(self.order.max()) + 1 if len(self.order) else 0, -1, dtype=np.int64)
        self.row_of[self.order] = np.arange(len(self.order))
        self._tokenizer_file = tokenizer_file
        self._tokenizer: Any = None

    @classmethod
    def load(cls, folder: Path | None = None) -> StaticEncoder:
        folder = folder or static_dir()
        table, meta_path = folder / TABLE_FILE, folder / META_FILE
        if not table.exists() or not meta_path.exists():
            raise AtlasError(f"{folder}: no static query encoder (train one with scripts/train_static_encoder.py)")
        with np.load(table) as arrays:
            return cls(arrays["codes"], arrays["scales"], arrays["order"], arrays["projection"],
                       json.loads(meta_path.read_text(encoding="utf-8")))

    @property
    def name(self) -> str:
        return f"static-{self.meta.get('teacher', '?')}-r{self.rank}-{self.meta.get('digest', '')}"

    @property
    def tokenizer(self) -> Any:
        if self._tokenizer is None:
            from tokenizers import Tokenizer

            # the fine-tuned model keeps the base model's tokenizer (the adapter touches attention only)
            tokenizer = Tokenizer.from_file(str(self._tokenizer_file or base_model_path() / "tokenizer.json"))
            tokenizer.enable_truncation(max_length=QUERY_TOKENS)
            tokenizer.no_padding()
            self._tokenizer = tokenizer
        return self._tokenizer

    def rows(self, text: str) -> list[int]:
        """The table rows of a text's tokens, [CLS] … [SEP], in order (what the page computes from vocab.txt)."""
        return [int(self.row_of[i]) for i in self.tokenizer.encode(text).ids]

    def encode_rows(self, rows: Sequence[int]) -> np.ndarray:
        """Mean of the rows' vectors (float32, in the projected space of ``rank`` dimensions)."""
        if not rows:
            return np.zeros(self.rank, dtype=np.float32)
        picked = np.asarray(rows, dtype=np.int64)
        vectors = self.codes[picked].astype(np.float32) * self.scales[picked, None]
        return (vectors.sum(axis=0, dtype=np.float64) / len(picked)).astype(np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode_rows(self.rows(text))

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.rank), dtype=np.float32)
        return np.stack([self.encode_query(t) for t in texts])

    def project_papers(self, vectors: np.ndarray) -> np.ndarray:
        """Paper vectors (MiniLM, 384-d) in the query space: ``projection @ paper`` for each."""
        return (np.asarray(vectors, dtype=np.float32) @ self.projection.T).astype(np.float32)

    def full_query(self, text: str) -> np.ndarray:
        """The query in MiniLM's space, L2-normalised (to compare with the search model's own query vector)."""
        vector = self.projection.T @ self.encode_query(text)
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm > 0 else vector


@cache
def shipped_static_encoder() -> StaticEncoder:
    return StaticEncoder.load()
