"""Training the static query encoder (``tracker.embedding.static_encoder``): token vectors that reproduce MiniLM.

The teacher is the search model itself (the fine-tuned MiniLM, ONNX int8, as ``llm-atlas search`` embeds a
query). Each training text (a title or a sentence of a corpus paper) is embedded once by the teacher; the
student is a table of token vectors whose mean, projected into MiniLM's space, should point the same way:
``loss = 1 - cos(projection.T @ mean(E[tokens]), teacher(text))``, a ``torch.nn.EmbeddingBag`` regression.

The table starts from a plain distillation (every token run alone through the teacher, ``[CLS] token [SEP]``,
model2vec's recipe), reduced to ``rank`` dimensions by PCA; training then moves the vectors of the tokens the
texts contain. Measured here, the untrained distillation alone reaches about half of MiniLM's quality: the
training is what makes it usable (numbers in ``data/static_encoder/README.md``).
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tracker.embedding.static_encoder import META_FILE, TABLE_FILE, quantise_rows


@dataclass(frozen=True)
class StaticConfig:
    rank: int = 256  # dimensions of a token vector (the page fetches rank bytes per token)
    epochs: int = 8
    batch_size: int = 256
    learning_rate: float = 3e-3
    projection_learning_rate: float = 1e-3
    validation: float = 0.05  # share of the texts held out to report the student's cosine to the teacher
    seed: int = 0


def distilled_table(run_ids: Callable[[np.ndarray], np.ndarray], vocab_size: int, cls: int, sep: int,
                    batch: int = 512) -> np.ndarray:
    """Every token alone through the teacher (``[CLS] t [SEP]``): ``(vocab, 384)`` float32, the starting point."""
    rows = []
    for start in range(0, vocab_size, batch):
        tokens = np.arange(start, min(vocab_size, start + batch), dtype=np.int64)
        ids = np.stack([np.full_like(tokens, cls), tokens, np.full_like(tokens, sep)], axis=1)
        rows.append(run_ids(ids))
    return np.concatenate(rows).astype(np.float32)


def frequency_order(token_lists: Sequence[Sequence[int]], vocab_size: int) -> np.ndarray:
    """Token ids, most frequent in the training texts first (ties: lower id first); every id appears once."""
    counts = np.zeros(vocab_size, dtype=np.int64)
    for ids in token_lists:
        np.add.at(counts, np.asarray(ids, dtype=np.int64), 1)
    return np.lexsort((np.arange(vocab_size), -counts)).astype(np.int64)


def _split(count: int, share: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    order = np.random.default_rng(seed).permutation(count)
    held = int(round(count * share))
    return np.sort(order[held:]), np.sort(order[:held])


def train_static(token_lists: Sequence[Sequence[int]], teacher: np.ndarray, init: np.ndarray,
                 config: StaticConfig = StaticConfig(), threads: int = 2,
                 log: Callable[[str], Any] = lambda m: print(m, file=sys.stderr)) -> dict[str, Any]:
    """Train token vectors (``rank`` dims) + projection to MiniLM's space; returns arrays and a report."""
    import torch

    torch.manual_seed(config.seed)
    torch.set_num_threads(threads)
    vocab_size, dimension = init.shape
    # PCA of the distilled table: its top directions start both the table and the projection
    centred = init - init.mean(axis=0)
    _, _, basis = np.linalg.svd(centred, full_matrices=False)
    basis = basis[: config.rank].astype(np.float32)  # (rank, dimension), orthonormal rows
    table = torch.nn.EmbeddingBag(vocab_size, config.rank, mode="mean", sparse=True)
    with torch.no_grad():
        table.weight.copy_(torch.from_numpy(init @ basis.T))
    projection = torch.nn.Parameter(torch.from_numpy(basis.copy()))
    target = torch.nn.functional.normalize(torch.from_numpy(np.asarray(teacher, dtype=np.float32)), dim=1)
    train_rows, held_rows = _split(len(token_lists), config.validation, config.seed)
    flat = [torch.as_tensor(list(ids), dtype=torch.long) for ids in token_lists]

    def forward(rows: np.ndarray) -> torch.Tensor:
        pieces = [flat[r] for r in rows]
        offsets = torch.tensor([0, *np.cumsum([len(p) for p in pieces])[:-1]], dtype=torch.long)
        mean = table(torch.cat(pieces), offsets)
        return torch.nn.functional.normalize(mean @ projection, dim=1)

    def cosine(rows: np.ndarray) -> float:
        with torch.no_grad():
            values = [(forward(rows[i : i + 2048]) * target[rows[i : i + 2048]]).sum(dim=1)
                      for i in range(0, len(rows), 2048)]
        return float(torch.cat(values).mean()) if values else float("nan")

    sparse = torch.optim.SparseAdam(list(table.parameters()), lr=config.learning_rate)
    dense = torch.optim.Adam([projection], lr=config.projection_learning_rate)
    rng = np.random.default_rng(config.seed)
    started = time.monotonic()
    history = [{"epoch": 0, "held_out_cosine": round(cosine(held_rows), 4)}]
    log(f"epoch 0: held-out cosine to the teacher {history[-1]['held_out_cosine']}")
    steps = 0
    for epoch in range(1, config.epochs + 1):
        shuffled = rng.permutation(train_rows)
        scale = 1.0 - (epoch - 1) / config.epochs  # linear decay, epoch by epoch
        for group in sparse.param_groups:
            group["lr"] = config.learning_rate * scale
        for group in dense.param_groups:
            group["lr"] = config.projection_learning_rate * scale
        losses = []
        for start in range(0, len(shuffled), config.batch_size):
            rows = shuffled[start : start + config.batch_size]
            loss = 1.0 - (forward(rows) * target[rows]).sum(dim=1).mean()
            sparse.zero_grad()
            dense.zero_grad()
            loss.backward()
            sparse.step()
            dense.step()
            losses.append(float(loss.detach()))
            steps += 1
        history.append({"epoch": epoch, "train_loss": round(float(np.mean(losses)), 4),
                        "held_out_cosine": round(cosine(held_rows), 4)})
        log(f"epoch {epoch}: loss {history[-1]['train_loss']}, held-out cosine {history[-1]['held_out_cosine']} "
            f"({time.monotonic() - started:.0f} s)")
    weights = table.weight.detach().numpy().astype(np.float32)
    return {"table": weights, "projection": projection.detach().numpy().astype(np.float32),
            "report": {"texts": len(token_lists), "held_out": len(held_rows), "steps": steps,
                       "seconds": round(time.monotonic() - started, 1), "history": history,
                       "config": asdict(config), "torch": torch.__version__, "threads": threads}}


def save_static(folder: Path, table: np.ndarray, projection: np.ndarray, order: np.ndarray,
                meta: dict[str, Any]) -> dict[str, Any]:
    """Write ``table.npz`` (int8 rows in ``order``, per-row scales, projection) and ``meta.json``."""
    codes, scales = quantise_rows(np.asarray(table, dtype=np.float32)[order])
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {"codes": codes, "scales": scales, "order": order.astype(np.uint16),
              "projection": np.asarray(projection, dtype=np.float32)}
    digest = hashlib.sha256()
    for name in sorted(arrays):
        digest.update(name.encode())
        digest.update(np.ascontiguousarray(arrays[name]).tobytes())
    meta = {**meta, "digest": digest.hexdigest()[:12], "rank": int(codes.shape[1]), "tokens": int(len(order))}
    with (folder / TABLE_FILE).open("wb") as handle:
        np.savez_compressed(handle, **arrays)  # type: ignore[arg-type]
    (folder / META_FILE).write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return meta
