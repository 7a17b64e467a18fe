#!/usr/bin/env python3
"""Import a corpus file through the relevance filter, embedding with ONNX Runtime instead of torch.

`llm-atlas import PATH` runs the relevance filter's classifier on sentence-transformers (torch): right, but
slow on a whole corpus (38k of the shared corpus's 74,728 papers need an embedding). This script runs the
same filter on the ONNX fp32 export of the same shipped model (cosine to torch 1.0 to six decimals,
tests/test_onnx.py), about twice as fast on two cores, and upserts the kept papers like `llm-atlas import`.
It is how the bundled store (data/papers/) was made; see the README ("The bundled store").

    LLM_ATLAS_NO_ADAPTER=1 .venv/bin/python scripts/import_corpus.py CORPUS.jsonl.gz [--data-dir data]
        [--cache-dir .cache/llm-atlas-base] [--check 400]

LLM_ATLAS_NO_ADAPTER=1 is required: the relevance classifier was trained on the plain model's vectors, and
the export then is of the plain model. --check N first compares the two embedders' verdicts on N undecided
papers and stops if any differs.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from tracker.embedding.embedders import Embedder, make_embedder
from tracker.embedding.weights import BASE_MODEL_NAME, NO_ADAPTER_ENV, search_model_name
from tracker.importer import read_papers
from tracker.relevance.classifier import zone
from tracker.relevance.filter import filter_llm_papers, select_llm_papers
from tracker.relevance.keywords import assess
from tracker.store import PaperStore


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--data-dir", type=Path, default=Path("data"))
    parser.add_argument("--cache-dir", type=Path, default=Path(".cache/llm-atlas-base"))
    parser.add_argument("--check", type=int, default=400, help="undecided papers to compare with torch first")
    args = parser.parse_args()
    if os.environ.get(NO_ADAPTER_ENV) != "1" or search_model_name() != BASE_MODEL_NAME:
        sys.exit(f"set {NO_ADAPTER_ENV}=1: the relevance classifier reads the plain model's vectors")
    papers = list(read_papers(args.corpus))
    onnx = make_embedder("onnx-fp32", args.cache_dir, lambda m: print(m, file=sys.stderr))
    if args.check:
        undecided = [p for p in papers if zone(assess(p)) == "decide"][: args.check]
        same = select_llm_papers(undecided, onnx) == select_llm_papers(undecided, Embedder())
        print(f"check: ONNX fp32 and torch agree on {len(undecided)} undecided papers: {same}", file=sys.stderr)
        if not same:
            sys.exit("the embedders disagree: use `llm-atlas import` (torch)")
    started = time.monotonic()
    done = 0

    def progress(count: int) -> None:
        nonlocal done
        done += count
        print(f"filtered {done}/{len(papers)} ({time.monotonic() - started:.0f} s)", file=sys.stderr, flush=True)

    kept = filter_llm_papers(papers, onnx, chunk=2000, progress=progress)
    store = PaperStore(args.data_dir)
    result = store.upsert(kept)
    store.save()
    print(json.dumps({"read": len(papers), "kept": len(kept), **result.as_dict(), "stored": len(store),
                      "seconds": round(time.monotonic() - started)}))


if __name__ == "__main__":
    main()
