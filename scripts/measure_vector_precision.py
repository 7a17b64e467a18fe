#!/usr/bin/env python3
"""How much the store's vectors may be compressed: "More like this" lists under int16, float16, int8 vs float32.

For every paper of the store, its 20 nearest papers (``llm-atlas related``, exact, the paper itself left out)
are computed from float32 vectors and from the same vectors stored as int16 with one scale per vector (the
store's form, ``tracker.search.stored_vectors``), as float16, or as int8 with one scale per vector; the
script prints the share of papers whose list is unchanged (same papers, same order) and whose
list holds the same papers. The float32 vectors are the embedding cache's (``.cache/llm-atlas/embeddings``,
filled by a run of ``llm-atlas index`` before the store had vector files) or a ``--vectors``/``--keys`` pair.

    .venv/bin/python scripts/measure_vector_precision.py --vectors /tmp/f32_vectors.npy --keys /tmp/f32_keys.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from tracker.search.index import top_rows
from tracker.search.stored_vectors import as_stored  # int16 + scale

NEIGHBOURS = 20


def int8_round_trip(vectors: np.ndarray) -> np.ndarray:
    scales = np.abs(vectors).max(axis=1, keepdims=True) / 127.0
    codes = np.round(vectors / scales).astype(np.int8)
    return (codes.astype(np.float32) * scales).astype(np.float32)


def neighbour_lists(vectors: np.ndarray, block: int = 2048) -> np.ndarray:
    lists = np.zeros((len(vectors), NEIGHBOURS), dtype=np.int64)
    for start in range(0, len(vectors), block):
        scores = vectors[start:start + block] @ vectors.T
        for offset, row in enumerate(scores):
            row[start + offset] = -np.inf
            lists[start + offset] = top_rows(row, NEIGHBOURS)
    return lists


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vectors", type=Path, required=True)
    parser.add_argument("--keys", type=Path, required=True)
    args = parser.parse_args()
    vectors = np.load(args.vectors).astype(np.float32)
    keys = json.loads(args.keys.read_text())
    order = np.argsort([key.split(":")[0] for key in keys])  # store order (by id), as the index holds them
    vectors = vectors[order]
    exact = neighbour_lists(vectors)
    half = vectors.astype(np.float16).astype(np.float32)
    variants = (("int16 + scale", as_stored(vectors), 772), ("float16", half, 768),
                ("int8 + scale", int8_round_trip(vectors), 388))
    for name, rounded, size in variants:
        lists = neighbour_lists(rounded)
        same_order = float(np.mean(np.all(lists == exact, axis=1)))
        same_set = float(np.mean([set(a) == set(b) for a, b in zip(lists, exact, strict=True)]))
        error = float(np.max(np.abs(rounded - vectors)))
        print(f"{name}: {len(vectors)} papers, More-like-this unchanged {same_order:.4f} (same papers {same_set:.4f}), "
              f"max abs error {error:.2e}, {size} B a paper")


if __name__ == "__main__":
    main()
