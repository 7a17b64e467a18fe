"""The fast embedding path: the exported MiniLM run by ONNX Runtime, tokenised with ``tokenizers``.

No torch and no sentence-transformers are imported here, so ``llm-atlas search`` starts quickly.
Texts are tokenised at once (Rust), sorted by length and run in batches padded only to their own
longest text, on ``threads`` intra-op threads; vectors come back in the callers' order.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from tracker.embeddings import DIMENSION, MODEL_NAME
from tracker.onnx_export import FP32_FILE, INT8_FILE, MAX_TOKENS, TOKENIZER_FILE, ensure_onnx

VARIANTS = {"int8": INT8_FILE, "fp32": FP32_FILE}


class OnnxEmbedder:
    """Same interface as ``tracker.embeddings.Embedder``: L2-normalised float32 vectors."""

    dimension = DIMENSION

    def __init__(self, cache_dir: Path, variant: str = "int8", batch_size: int = 32, threads: int | None = None,
                 log: Any = None) -> None:
        if variant not in VARIANTS:
            raise ValueError(f"unknown ONNX variant {variant!r}; one of {sorted(VARIANTS)}")
        self.cache_dir = Path(cache_dir)
        self.variant = variant
        self.backend = f"onnx-{variant}"
        # fp32 gives torch's vectors (cosine 1.0 to 6 decimals), so it shares torch's cache; int8 has its own.
        self.name = MODEL_NAME if variant == "fp32" else f"{MODEL_NAME}-{variant}"
        self.batch_size = batch_size
        self.threads = threads or min(2, os.cpu_count() or 1)
        self.log = log
        self._session: Any = None
        self._tokenizer: Any = None

    def _load(self) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        folder = ensure_onnx(self.cache_dir, self.log)
        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads
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
        self._session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
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
        order = sorted(range(len(encodings)), key=lambda i: len(encodings[i].ids))
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            width = max(len(encodings[i].ids) for i in rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            types = np.zeros((len(rows), width), dtype=np.int64)
            for j, i in enumerate(rows):
                enc = encodings[i]
                n = len(enc.ids)
                ids[j, :n] = enc.ids
                mask[j, :n] = 1
                types[j, :n] = enc.type_ids
            (vectors,) = self._session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})
            out[rows] = vectors
        return out

    def encode_query(self, query: str) -> np.ndarray:
        return self.encode([query])[0]
