#!/usr/bin/env python3
"""Fine-tune the search model's LoRA adapter on the CPU (see ``tracker/embedding/finetune.py`` for the method).

    nice -n 5 .venv/bin/python scripts/finetune_search.py [--pairs 4000] [--out tracker/embedding/data/search_adapter]

Training papers: the shared corpus's papers about language models (the same pattern as the evaluation sets,
``scripts/make_eval_sets.py``) minus every paper of every evaluation set (ki-first, ki-contrib, ki-long,
topics: all splits, corpus and queries) and minus every paper in the store (``data/``), so no evaluated document
or query and nothing a user searches was seen in training. ``--pairs`` of them are taken in a fixed hashed order, and
the next ``--check`` ones are kept apart to measure in-batch retrieval accuracy before and after.

Writes the adapter (``adapter_model.safetensors`` + ``adapter_config.json``) and ``training.json`` (data
counts, hyper-parameters, seed, loss, time, check accuracy) into ``--out``. Deterministic for a given corpus
file and seed on one machine.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from make_eval_sets import _ABOUT_LANGUAGE_MODELS, DEFAULT_CORPUS

from tracker.embedding.embedders import Embedder
from tracker.embedding.finetune import TrainConfig, excluded_ids, in_batch_accuracy, train_adapter, training_pairs
from tracker.embedding.weights import base_model_path, merge_adapter
from tracker.importer import read_papers
from tracker.store import PaperStore

HERE = Path(__file__).resolve().parent

EVAL_SETS = ("ki-first", "ki-contrib", "ki-long", "topics")
RUNNING_FLAG = Path("/work/notes/finetune-running")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--evalsets", type=Path, default=Path(".cache/llm-atlas/evalsets"))
    parser.add_argument("--store", type=Path, default=Path("data"))
    parser.add_argument("--out", type=Path, default=Path("tracker/embedding/data/search_adapter"))
    parser.add_argument("--pairs", type=int, default=4000)
    parser.add_argument("--check", type=int, default=256, help="held-apart pairs for the in-batch accuracy check")
    parser.add_argument("--rank", type=int, default=TrainConfig.rank)
    parser.add_argument("--lr", type=float, default=TrainConfig.learning_rate)
    parser.add_argument("--batch-size", type=int, default=TrainConfig.batch_size)
    parser.add_argument("--seed", type=int, default=TrainConfig.seed)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--flag", action="store_true", help=f"create {RUNNING_FLAG} while training")
    args = parser.parse_args()

    excluded = excluded_ids(args.evalsets / name for name in EVAL_SETS)
    store_ids = set(PaperStore(args.store).papers)
    print(f"excluded: {len(excluded)} evaluation-set ids, {len(store_ids)} store ids", file=sys.stderr)
    unique = {p.id: p for p in read_papers(args.corpus)}
    about_llms = [p for p in unique.values() if _ABOUT_LANGUAGE_MODELS.search(p.text)]
    pairs = training_pairs(about_llms, excluded | store_ids, args.pairs + args.check)
    train, check = pairs[: args.pairs], pairs[args.pairs :]
    # The point of the exercise: nothing evaluated (or stored) is trained on.
    used = {p.paper_id for p in pairs}
    assert not used & excluded, "a training paper is in an evaluation set"
    assert not used & store_ids, "a training paper is in the store"
    candidates = len({p.id for p in about_llms} - excluded - store_ids)
    kinds = {k: sum(p.kind == k for p in train) for k in ("title", "sentence")}
    print(f"{len(unique)} papers, {len(about_llms)} about LLMs, {candidates} not excluded; "
          f"training on {len(train)} pairs {kinds}, checking on {len(check)}", file=sys.stderr)

    base = Embedder()
    before = in_batch_accuracy(check, base.encode)
    print(f"in-batch accuracy of the base model on the check pairs: {before:.4f}", file=sys.stderr)
    config = TrainConfig(rank=args.rank, alpha=2 * args.rank, learning_rate=args.lr, batch_size=args.batch_size,
                         seed=args.seed)
    if args.flag:
        RUNNING_FLAG.write_text("scripts/finetune_search.py is training on the CPU\n", encoding="utf-8")
    try:
        report = train_adapter(train, args.out, config, threads=args.threads)
    finally:
        if args.flag:
            RUNNING_FLAG.unlink(missing_ok=True)

    merged = args.out.parent / f".{args.out.name}-merged-check"
    merge_adapter(base_model_path(), args.out, merged)
    tuned = Embedder(model_dir=merged, name="check")
    after = in_batch_accuracy(check, tuned.encode)
    print(f"in-batch accuracy after: {after:.4f}", file=sys.stderr)
    shutil.rmtree(merged)
    report.update({
        "corpus": args.corpus.name, "papers_in_corpus": len(unique), "papers_about_llms": len(about_llms),
        "excluded_eval_ids": len(excluded), "excluded_store_ids": len(store_ids),
        "train_pairs": len(train), "train_kinds": kinds, "check_pairs": len(check),
        "check_in_batch_accuracy": {"base": round(before, 4), "tuned": round(after, 4)},
    })
    (args.out / "training.json").write_text(json.dumps(report, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2), file=sys.stderr)


if __name__ == "__main__":
    main()
