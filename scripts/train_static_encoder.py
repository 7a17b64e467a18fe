#!/usr/bin/env python3
"""Train the site's static query encoder (``tracker/embedding/static_training.py`` has the method).

    nice -n 10 .venv/bin/python scripts/train_static_encoder.py [--papers 40000] [--rank 256]
        [--out tracker/embedding/data/static_encoder]

Training texts: the titles and sentences of the shared corpus's papers (all of cs.AI/CL/LG's listings, not
only LLM papers: more texts cover more of the vocabulary) minus every paper of every evaluation set
(ki-first, ki-contrib, ki-long, topics: corpus and queries, all splits) and every paper of the store, as the search
adapter's training excludes them (``tracker.embedding.finetune.excluded_ids``). Per paper: its title and up to
``--sentences`` sentences of its abstract (picked by a hash of the id). ``--papers`` of them are taken in a
fixed hashed order.

The teacher's vectors (the search model, ONNX int8, one text per run as ``llm-atlas search`` embeds a query)
are cached in chunks under ``<cache>/static-training/``, so an interrupted run resumes. Writes ``table.npz``,
``meta.json`` (data counts, settings, seed, held-out cosine, time) into ``--out``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np
from make_eval_sets import DEFAULT_CORPUS, sentences

from tracker.embedding.embedders import make_embedder
from tracker.embedding.finetune import excluded_ids
from tracker.embedding.static_training import StaticConfig, distilled_table, frequency_order, save_static, train_static
from tracker.importer import read_papers
from tracker.store import PaperStore

EVAL_SETS = ("ki-first", "ki-contrib", "ki-long", "topics")
CHUNK = 4096


def rank_key(paper_id: str, salt: str) -> str:
    return hashlib.sha256(f"{salt}:{paper_id}".encode()).hexdigest()


def training_texts(papers: list, per_paper: int) -> list[str]:
    texts: list[str] = []
    for paper in papers:
        texts.append(paper.title)
        parts = [s for s in sentences(paper.abstract) if 4 <= len(s.split()) <= 60]
        parts.sort(key=lambda s: rank_key(paper.id + s, "sentence"))
        texts.extend(parts[:per_paper])
    return texts


def teacher_vectors(texts: list[str], embedder: object, folder: Path) -> np.ndarray:
    """The teacher's vectors of ``texts``, embedded chunk by chunk into ``folder`` (resumable)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    started = time.monotonic()
    for number, start in enumerate(range(0, len(texts), CHUNK)):
        chunk = texts[start : start + CHUNK]
        digest = hashlib.sha256("\n".join(chunk).encode()).hexdigest()[:16]
        path = folder / f"{number:05d}-{digest}.npy"
        if not path.exists():
            vectors = embedder.encode(chunk)  # type: ignore[attr-defined]
            np.save(path.with_suffix(".tmp.npy"), vectors)
            path.with_suffix(".tmp.npy").replace(path)
            print(f"teacher: {start + len(chunk)}/{len(texts)} texts ({time.monotonic() - started:.0f} s)",
                  file=sys.stderr)
        out.append(np.load(path))
    return np.concatenate(out) if out else np.zeros((0, 384), np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--evalsets", type=Path, default=Path(".cache/llm-atlas/evalsets"))
    parser.add_argument("--store", type=Path, default=Path("data"))
    parser.add_argument("--cache", type=Path, default=Path(".cache/llm-atlas"))
    parser.add_argument("--out", type=Path, default=Path("tracker/embedding/data/static_encoder"))
    parser.add_argument("--papers", type=int, default=40000)
    parser.add_argument("--sentences", type=int, default=2, help="sentences per paper besides its title")
    parser.add_argument("--rank", type=int, default=StaticConfig.rank)
    parser.add_argument("--epochs", type=int, default=StaticConfig.epochs)
    parser.add_argument("--lr", type=float, default=StaticConfig.learning_rate)
    parser.add_argument("--seed", type=int, default=StaticConfig.seed)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--teacher-only", action="store_true", help="embed the texts and stop")
    args = parser.parse_args()

    excluded = excluded_ids(args.evalsets / name for name in EVAL_SETS)
    store_ids = set(PaperStore(args.store).papers)
    unique = {p.id: p for p in read_papers(args.corpus)}
    allowed = sorted((p for p in unique.values() if p.id not in excluded and p.id not in store_ids),
                     key=lambda p: rank_key(p.id, "static"))[: args.papers]
    assert not {p.id for p in allowed} & (excluded | store_ids), "a training paper is evaluated or stored"
    texts = training_texts(allowed, args.sentences)
    print(f"{len(unique)} papers, {len(excluded)} evaluation ids and {len(store_ids)} store ids excluded; "
          f"{len(allowed)} papers give {len(texts)} texts", file=sys.stderr)

    embedder = make_embedder("onnx-int8", args.cache)
    teacher = teacher_vectors(texts, embedder, args.cache / "static-training" / embedder.name)
    if args.teacher_only:
        return
    from tokenizers import Tokenizer

    from tracker.embedding.onnx_export import MAX_TOKENS, TOKENIZER_FILE, onnx_dir

    tokenizer = Tokenizer.from_file(str(onnx_dir(args.cache) / TOKENIZER_FILE))
    tokenizer.enable_truncation(max_length=MAX_TOKENS)
    tokenizer.no_padding()
    token_lists = [e.ids for e in tokenizer.encode_batch(texts)]
    vocab_size = tokenizer.get_vocab_size()
    cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")

    init_path = args.cache / "static-training" / embedder.name / "distilled.npy"
    if not init_path.exists():
        embedder._load()  # type: ignore[attr-defined]
        session = embedder._session  # type: ignore[attr-defined]

        def run_ids(ids: np.ndarray) -> np.ndarray:
            inputs = {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)}
            return session.run(None, inputs)[0]

        np.save(init_path, distilled_table(run_ids, vocab_size, cls, sep))
    init = np.load(init_path)
    config = StaticConfig(rank=args.rank, epochs=args.epochs, learning_rate=args.lr, seed=args.seed)
    trained = train_static(token_lists, teacher, init, config, threads=args.threads)
    order = frequency_order(token_lists, vocab_size)
    meta = save_static(args.out, trained["table"], trained["projection"], order, {
        "teacher": embedder.name, "corpus": args.corpus.name, "papers": len(allowed), "texts": len(texts),
        "sentences_per_paper": args.sentences, "excluded_evaluation_ids": len(excluded),
        "excluded_store_ids": len(store_ids), "training": trained["report"],
    })
    print(json.dumps({k: v for k, v in meta.items() if k != "training"}), file=sys.stderr)


if __name__ == "__main__":
    main()
