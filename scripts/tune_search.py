#!/usr/bin/env python3
"""Choose the hybrid search settings on the *dev* queries of the evaluation sets (never on test).

    .venv/bin/python scripts/tune_search.py [SET_DIR ...] [--cache-dir .cache/llm-atlas] [--json]

Default sets: ``.cache/llm-atlas/evalsets/ki-first`` and ``ki-contrib`` (``scripts/make_eval_sets.py``).
For every BM25 title weight and every fusion setting it prints mean nDCG@10 over the sets' dev queries;
the winners are the constants in ``tracker/search/lexical.py`` (TITLE_WEIGHT) and ``tracker/search/fusion.py``.
Vectors come from the evaluation cache (``<cache>/eval/``), so a rerun embeds nothing.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from tracker.embedding.embedders import DEFAULT_BACKEND, make_embedder
from tracker.search.evaluation import index_beir, load_beir, score_run
from tracker.search.lexical import LexicalIndex
from tracker.search.query import rank_rows

DEFAULT_SETS = [Path(".cache/llm-atlas/evalsets") / name for name in ("ki-first", "ki-contrib")]
TITLE_WEIGHTS = (1, 2, 3)
FUSIONS: list[tuple[str, dict[str, Any] | None]] = [("dense", None), ("bm25", None)]
FUSIONS += [("hybrid", {"fusion": "rrf", "rrf_k": k, "weights": (1.0, w)})
            for k in (10, 30, 60, 100) for w in (0.5, 0.75, 1.0, 1.5)]
FUSIONS += [("hybrid", {"fusion": "convex", "alpha": a}) for a in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sets", nargs="*", type=Path, default=DEFAULT_SETS)
    parser.add_argument("--cache-dir", type=Path, default=Path(".cache/llm-atlas"))
    parser.add_argument("--split", default="dev")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    embedder = make_embedder(DEFAULT_BACKEND, args.cache_dir)
    table: dict[str, dict[str, float]] = {}
    for folder in args.sets:
        beir = load_beir(folder, args.split)
        index = index_beir(beir, args.cache_dir, embedder)
        wanted = sorted(beir.qrels)
        vectors = embedder.encode([beir.queries[q] for q in wanted])
        ids = sorted(beir.corpus)
        for title_weight in TITLE_WEIGHTS:
            index._lexical = LexicalIndex.build(ids, [beir.corpus[i] for i in ids], title_weight=title_weight)
            for method, fusion in FUSIONS:
                if method == "dense" and title_weight != TITLE_WEIGHTS[0]:
                    continue
                extra = fusion or {}
                run = {}
                for pos, query_id in enumerate(wanted):
                    query = beir.queries[query_id]
                    ranked = rank_rows(index, query, lambda p=pos, v=vectors: v[p], method, 100, **extra)
                    run[query_id] = [index.ids[r] for r, _ in ranked]
                if fusion is None:
                    name = method
                elif fusion["fusion"] == "rrf":
                    name = f"hybrid rrf k={fusion['rrf_k']} w_bm25={fusion['weights'][1]}"
                else:
                    name = f"hybrid convex alpha={fusion['alpha']}"
                if method != "dense":
                    name += f" title×{title_weight}"
                table.setdefault(name, {})[folder.name] = score_run(run, beir.qrels)["ndcg@10"]
    for row in table.values():
        row["mean"] = round(sum(row.values()) / len(row), 4)
    ordered = dict(sorted(table.items(), key=lambda item: -item[1]["mean"]))
    if args.json:
        print(json.dumps(ordered, indent=2))
        return
    names = [f.name for f in args.sets]
    print(f"{'setting (dev nDCG@10)':<40}" + "".join(f"{n:>12}" for n in [*names, "mean"]))
    for name, row in ordered.items():
        print(f"{name:<40}" + "".join(f"{row[n]:>12.4f}" for n in [*names, "mean"]))


if __name__ == "__main__":
    main()
