"""Fine-tuning the search model: a LoRA adapter on the shipped all-MiniLM-L6-v2, trained on this corpus on the CPU.

Training (``scripts/finetune_search.py``): self-supervised pairs from real papers about language models that
are in no evaluation set and not in the store: (title -> abstract) and (one sentence of the abstract ->
title + the rest of it). In-batch negatives (MultipleNegativesRankingLoss: cross-entropy over the cosine
similarities of a batch, scaled by 20) train low-rank adapters on the attention's query and value
projections only; the 22M base weights stay frozen. The adapter (``tracker/embedding/data/search_adapter/``) is a
few hundred KB and is committed, like ``relevance_model.json``: the corpus it was trained on is outside the
repository, so it cannot be rebuilt from the repository alone.

Using it (merging the adapter into the base, naming the result): ``tracker.embedding.weights``.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import re
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from tracker.embedding.weights import ADAPTER_CONFIG, BASE_MODEL_NAME, base_model_path, mean_pool, offline_hub

# -- training data -------------------------------------------------------------------------------
_SENTENCE_END = re.compile(r"(?<!\be\.g)(?<!\bi\.e)(?<=[.!?])\s+(?=[A-Z0-9(\[])")


@dataclass(frozen=True)
class Pair:
    paper_id: str
    kind: str  # "title" (title -> abstract) or "sentence" (a sentence -> title + the rest)
    query: str
    document: str


def _hash(paper_id: str, salt: str) -> int:
    return int(hashlib.sha256(f"{salt}:{paper_id}".encode()).hexdigest()[:12], 16)


def make_pair(paper_id: str, title: str, abstract: str) -> Pair | None:
    """One training pair for a paper (kind and sentence picked by a hash of its id), or None if too short."""
    parts = [s.strip() for s in _SENTENCE_END.split(abstract) if s.strip()]
    if len(parts) < 3 or len(title.split()) < 3:
        return None
    if _hash(paper_id, "kind") % 2 == 0:
        return Pair(paper_id, "title", title, abstract)
    usable = [i for i, s in enumerate(parts) if 8 <= len(s.split()) <= 60]
    if not usable:
        return None
    at = usable[_hash(paper_id, "sentence") % len(usable)]
    rest = " ".join(parts[:at] + parts[at + 1 :])
    return Pair(paper_id, "sentence", parts[at], f"{title}. {rest}")


# -- training ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TrainConfig:
    rank: int = 16
    alpha: int = 32
    dropout: float = 0.05
    targets: tuple[str, ...] = ("query", "value")
    learning_rate: float = 5e-4
    warmup: float = 0.1
    batch_size: int = 32
    scale: float = 20.0  # cosine -> logit temperature of MultipleNegativesRankingLoss
    query_tokens: int = 64
    document_tokens: int = 128
    seed: int = 0


def train_adapter(pairs: Sequence[Pair], out: Path, config: TrainConfig = TrainConfig(), threads: int = 2,
                  log: Callable[[str], Any] = lambda m: print(m, file=sys.stderr),
                  max_steps: int | None = None) -> dict[str, Any]:
    """Train a LoRA adapter on ``pairs`` for one epoch (in-batch negatives) and save it into ``out``."""
    offline_hub()
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModel, AutoTokenizer

    torch.manual_seed(config.seed)
    torch.set_num_threads(threads)
    base = base_model_path()
    tokenizer = AutoTokenizer.from_pretrained(str(base), local_files_only=True)
    model = AutoModel.from_pretrained(str(base), local_files_only=True)
    lora = LoraConfig(r=config.rank, lora_alpha=config.alpha, lora_dropout=config.dropout,
                      target_modules=list(config.targets), bias="none")
    model = get_peft_model(model, lora)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    order = list(pairs)
    random.Random(config.seed).shuffle(order)
    batches = [order[i : i + config.batch_size] for i in range(0, len(order), config.batch_size)]
    batches = [b for b in batches if len(b) > 1][: max_steps or None]
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=config.learning_rate,
                                  weight_decay=0.0)
    warmup = max(1, int(config.warmup * len(batches)))

    def schedule(step: int) -> float:  # linear warm-up, then linear decay to zero
        return (step + 1) / warmup if step < warmup else max(0.0, (len(batches) - step) / max(1, len(batches) - warmup))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)

    def embed(texts: list[str], max_tokens: int) -> Any:
        tokens = tokenizer(texts, padding=True, truncation=True, max_length=max_tokens, return_tensors="pt")
        hidden = model(**tokens).last_hidden_state
        return mean_pool(hidden, tokens["attention_mask"])

    model.train()
    started, losses = time.monotonic(), []
    for step, batch in enumerate(batches):
        queries = embed([p.query for p in batch], config.query_tokens)
        documents = embed([p.document for p in batch], config.document_tokens)
        logits = queries @ documents.T * config.scale
        loss = torch.nn.functional.cross_entropy(logits, torch.arange(len(batch)))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
        losses.append(float(loss.detach()))
        if step % 10 == 0 or step == len(batches) - 1:
            recent = losses[-10:]
            log(f"step {step + 1}/{len(batches)} loss {sum(recent) / len(recent):.4f} "
                f"({time.monotonic() - started:.0f} s)")
    seconds = time.monotonic() - started
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(out), safe_serialization=True)
    # peft writes the base model's absolute path into the config: keep the file machine-independent.
    config_path = out / ADAPTER_CONFIG
    data = json.loads(config_path.read_text(encoding="utf-8"))
    data["base_model_name_or_path"] = f"sentence-transformers/{BASE_MODEL_NAME}"
    config_path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return {"pairs": sum(len(b) for b in batches), "steps": len(batches), "seconds": round(seconds, 1),
            "trainable_parameters": trainable, "first_loss": round(losses[0], 4),
            "last_loss_mean10": round(sum(losses[-10:]) / len(losses[-10:]), 4), "config": asdict(config),
            "torch": torch.__version__, "threads": threads}


def in_batch_accuracy(pairs: Sequence[Pair], encode: Callable[[list[str]], Any], batch: int = 32) -> float:
    """Share of pairs whose own document is the nearest among its batch's documents (a cheap sanity check)."""
    import numpy as np

    hits = total = 0
    items = list(pairs)
    for start in range(0, len(items) - 1, batch):
        chunk = items[start : start + batch]
        q = np.asarray(encode([p.query for p in chunk]))
        d = np.asarray(encode([p.document for p in chunk]))
        hits += int(((q @ d.T).argmax(axis=1) == np.arange(len(chunk))).sum())
        total += len(chunk)
    return hits / total if total else math.nan


def training_pairs(papers: Iterable[Any], excluded: set[str], wanted: int, salt: str = "finetune") -> list[Pair]:
    """Up to ``wanted`` pairs from ``papers`` (``id``, ``title``, ``abstract``) in a fixed hashed order, never
    from an ``excluded`` paper (evaluation sets, the store)."""
    allowed = sorted((p for p in papers if p.id not in excluded), key=lambda p: _hash(p.id, salt))
    pairs: list[Pair] = []
    for paper in allowed:
        if len(pairs) == wanted:
            break
        pair = make_pair(paper.id, paper.title, paper.abstract)
        if pair is not None:
            pairs.append(pair)
    if {p.paper_id for p in pairs} & excluded:  # the point of the exercise: nothing evaluated is trained on
        raise AssertionError("a training pair comes from an excluded paper")
    return pairs


def excluded_ids(folders: Iterable[Path]) -> set[str]:
    """Every paper id of the given BEIR sets (corpus and, with the ``q`` prefix dropped, queries)."""
    ids: set[str] = set()
    for folder in folders:
        for name in ("corpus.jsonl", "queries.jsonl"):
            for line in (Path(folder) / name).read_text(encoding="utf-8").splitlines():
                if line.strip():
                    record_id = json.loads(line)["_id"]
                    ids.add(record_id[1:] if name == "queries.jsonl" and record_id.startswith("q") else record_id)
    return ids
