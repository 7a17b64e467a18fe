#!/usr/bin/env python3
"""The site's search settings measured on the evaluation sets: nDCG@10 of ``--method site`` per setting.

    .venv/bin/python scripts/tune_site_search.py [--split dev] [--sets ki-first ki-contrib]
        [--probes 4 8 16] [--subspaces 16 32 64] [--lexical-depth 500 1000 2000] [--encoder DIR ...]

Each setting is varied alone from the shipped ``SiteSettings`` (choose on ``dev``; report ``test``). Also
prints the plain hybrid and BM25 for reference, and, per encoder, the dense-only nDCG of the static encoder
with exact paper vectors (what the token table alone gives). Needs the sets of ``scripts/make_eval_sets.py``.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from tracker.embedding.embedders import make_embedder
from tracker.embedding.static_encoder import StaticEncoder, shipped_static_encoder
from tracker.search.evaluation import index_beir, load_beir, run_queries, run_site_queries, score_run
from tracker.search.site_index import DEFAULT_SITE


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--evalsets", type=Path, default=Path(".cache/llm-atlas/evalsets"))
    parser.add_argument("--cache", type=Path, default=Path(".cache/llm-atlas"))
    parser.add_argument("--sets", nargs="+", default=["ki-first", "ki-contrib"])
    parser.add_argument("--split", default="dev")
    parser.add_argument("--probes", nargs="*", type=int, default=[])
    parser.add_argument("--subspaces", nargs="*", type=int, default=[])
    parser.add_argument("--lexical-depth", nargs="*", type=int, default=[])
    parser.add_argument("--encoder", nargs="*", type=Path, default=[], help="other static encoder folders to compare")
    args = parser.parse_args()
    embedder = make_embedder("onnx-int8", args.cache)
    settings = [("shipped", DEFAULT_SITE)]
    settings += [(f"probes={v}", replace(DEFAULT_SITE, probes=v)) for v in args.probes]
    settings += [(f"subspaces={v}", replace(DEFAULT_SITE, subspaces=v)) for v in args.subspaces]
    settings += [(f"lexical_depth={v}", replace(DEFAULT_SITE, lexical_depth=v)) for v in args.lexical_depth]
    encoders = [("shipped", shipped_static_encoder())] + [(str(f), StaticEncoder.load(f)) for f in args.encoder]
    results = []
    for name in args.sets:
        beir = load_beir(args.evalsets / name, args.split)
        index = index_beir(beir, args.cache, embedder)
        row = {"set": name, "split": args.split}
        for method in ("hybrid", "bm25", "dense"):
            row[method] = score_run(run_queries(index, beir, embedder, method), beir.qrels)["ndcg@10"]
        for label, encoder in encoders:
            queries = sorted(beir.qrels)
            vectors = encoder.encode([beir.queries[q] for q in queries])
            projected = encoder.project_papers(index.vectors)
            run = {}
            for q, v in zip(queries, vectors, strict=True):
                order = (projected @ v).argsort()[::-1]
                run[q] = [index.ids[r] for r in order[:101] if index.ids[r] != q][:100]
            row[f"static dense exact [{label}]"] = score_run(run, beir.qrels)["ndcg@10"]
            for setting_name, setting in settings:
                run = run_site_queries(index, beir, settings=setting, encoder=encoder)
                row[f"site {setting_name} [{label}]"] = score_run(run, beir.qrels)["ndcg@10"]
        print(json.dumps(row), file=sys.stderr)
        results.append(row)
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
