#!/usr/bin/env python3
"""Search quality with the store's vectors (int16 + scale) against the same vectors in float32.

Every index computes with the stored form of its vectors (``tracker.search.stored_vectors.as_stored``); this
runs ``llm-atlas eval``'s evaluation on each set with that rounding and without it (float32, as before the
store kept vectors) and prints nDCG@10 for each method. The issue's bar: within 0.002.

    .venv/bin/python scripts/make_eval_sets.py     # once: .cache/llm-atlas/evalsets/{ki-first,ki-contrib,topics}
    .venv/bin/python scripts/eval_vector_precision.py .cache/llm-atlas/evalsets/*
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np

import tracker.search.evaluation as evaluation
from tracker.embedding.embedders import DEFAULT_BACKEND, make_embedder
from tracker.search.stored_vectors import as_stored

REPO = Path(__file__).resolve().parent.parent


def float32(vectors: np.ndarray) -> np.ndarray:
    return np.asarray(vectors, dtype=np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sets", type=Path, nargs="+")
    parser.add_argument("--methods", default="dense,hybrid,site")
    parser.add_argument("--cache-dir", type=Path, default=REPO / ".cache" / "llm-atlas")
    args = parser.parse_args()
    embedder = make_embedder(DEFAULT_BACKEND, args.cache_dir)
    print("| set | method | float32 | stored (int16 + scale) | difference |")
    print("| --- | --- | ---: | ---: | ---: |")
    for folder in args.sets:
        for method in args.methods.split(","):
            scores: dict[str, Any] = {}
            for name, rounding in (("float32", float32), ("stored", as_stored)):
                evaluation.as_stored = rounding  # type: ignore[assignment]
                scores[name] = evaluation.evaluate(folder, args.cache_dir, method, embedder=embedder,
                                                   data_dir=REPO / "data")["ndcg@10"]
            print(f"| {folder.name} | {method} | {scores['float32']:.4f} | {scores['stored']:.4f} | "
                  f"{scores['stored'] - scores['float32']:+.4f} |", flush=True)


if __name__ == "__main__":
    main()
