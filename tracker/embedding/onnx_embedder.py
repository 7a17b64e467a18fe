"""The fast embedding path: the exported MiniLM run by ONNX Runtime, tokenised with ``tokenizers``.

No torch and no sentence-transformers are imported here, so ``llm-atlas search`` starts quickly.
Each text is one run of the model (a batch of one), on ``threads`` worker threads sharing one session
whose operators run single-threaded. Measured on two cores (scripts/onnx_variants.py), that beat
padded batches of 8-64 on intra-op threads: no padding, no idle spinning between operators, and the
activations of one text stay in cache. It also makes a vector depend on its text alone: int8 activations
are quantised with one scale per run, so in a shared batch a paper's vector moved with its batch-mates;
one text per run, single-threaded, gives byte-identical vectors whatever else is embedded with it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from tracker.embedding.onnx_export import (
    EXPORT_RECIPE,
    FP32_FILE,
    INT8_FILE,
    MAX_TOKENS,
    SESSION_DISABLED,
    TOKENIZER_FILE,
    ensure_onnx,
)
from tracker.embedding.weights import DIMENSION, search_model_name

VARIANTS = {"int8": INT8_FILE, "fp32": FP32_FILE}


def onnx_model_name(variant: str, search_name: str) -> str:
    """The name (fingerprint) of the vectors an ONNX variant of ``search_name`` makes: model + adapter + recipe."""
    return search_name if variant == "fp32" else f"{search_name}-{variant}-r{EXPORT_RECIPE}"


class OnnxEmbedder:
    """Same interface as ``tracker.embedding.embedders.Embedder``: L2-normalised float32 vectors."""

    dimension = DIMENSION

    def __init__(self, cache_dir: Path, variant: str = "int8", threads: int | None = None, log: Any = None) -> None:
        if variant not in VARIANTS:
            raise ValueError(f"unknown ONNX variant {variant!r}; one of {sorted(VARIANTS)}")
        self.cache_dir = Path(cache_dir)
        self.variant = variant
        self.backend = f"onnx-{variant}"
        # fp32 gives torch's vectors (cosine 1.0 to 6 decimals), so it shares torch's cache; int8 has its own,
        # named by the export recipe: vectors of an older int8 recipe are not mixed with new ones.
        self.name = onnx_model_name(variant, search_model_name())
        self.threads = threads or min(2, os.cpu_count() or 1)
        self.log = log
        self._session: Any = None
        self._tokenizer: Any = None

    def _load(self) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        folder = ensure_onnx(self.cache_dir, self.log)
        options = ort.SessionOptions()
        # Parallelism is across texts (encode), so each run's operators stay on the calling thread.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        source = folder / VARIANTS[self.variant]
        optimized = source.with_suffix(".opt.onnx")
        if optimized.exists():
            # Graph already optimised on an earlier run: loading skips that work (~40% of a cold start).
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
            model = optimized
        else:
            # Extended (fusions of attention, layer norm, GELU; no hardware-specific layouts), saved for next time.
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
            scratch = optimized.with_name(f".{optimized.name}.{os.getpid()}.tmp")
            options.optimized_model_filepath = str(scratch)
            model = source
        self._session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"],
                                             disabled_optimizers=SESSION_DISABLED)
        if model == source and scratch.exists():
            os.replace(scratch, optimized)
        tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        tokenizer.no_padding()  # padding is done per length-sorted batch below
        self._tokenizer = tokenizer

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if self._session is None:
            self._load()
        encodings = self._tokenizer.encode_batch(list(texts))
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)

        def embed(row: int) -> None:
            ids = np.asarray([encodings[row].ids], dtype=np.int64)
            types = np.asarray([encodings[row].type_ids], dtype=np.int64)
            inputs = {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": types}
            out[row] = self._session.run(None, inputs)[0][0]  # ONNX Runtime releases the GIL while it runs

        # longest first, so the last runs to finish are short ones and the workers end together
        rows = sorted(range(len(texts)), key=lambda i: -len(encodings[i].ids))
        if self.threads == 1 or len(rows) == 1:
            for row in rows:
                embed(row)
        else:
            with ThreadPoolExecutor(self.threads) as pool:
                list(pool.map(embed, rows))
        return out

    def encode_query(self, query: str) -> np.ndarray:
        return self.encode([query])[0]
