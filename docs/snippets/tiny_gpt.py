"""A tiny decoder-only transformer (GPT-style) pretrained on characters of arXiv abstracts, on the CPU.

Run from the repository root: python docs/snippets/tiny_gpt.py
"""

import json
import math
from pathlib import Path

import torch
from torch import nn
from torch.nn import functional as F

torch.manual_seed(0)
torch.set_num_threads(1)  # one thread: on a shared CPU, more threads mostly wait for each other
papers = [json.loads(line) for line in Path("docs/snippets/data/abstracts.jsonl").read_text().splitlines()]
train_text = "\n".join(p["abstract"] for p in papers[:180])
test_text = "\n".join(p["abstract"] for p in papers[180:])
chars = sorted(set(train_text)) + ["\x00"]  # the last symbol stands for every unseen character
index = {c: i for i, c in enumerate(chars)}
encode = lambda text: torch.tensor([index.get(c, len(chars) - 1) for c in text])  # noqa: E731
train_ids, test_ids = encode(train_text), encode(test_text)
CONTEXT, D_MODEL, HEADS, LAYERS, STEPS = 64, 64, 4, 2, 300


class Block(nn.Module):
    """Pre-norm transformer block: x + Attention(LN(x)), then x + MLP(LN(x))."""

    def __init__(self) -> None:
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(D_MODEL), nn.LayerNorm(D_MODEL)
        self.qkv, self.proj = nn.Linear(D_MODEL, 3 * D_MODEL), nn.Linear(D_MODEL, D_MODEL)
        self.mlp = nn.Sequential(nn.Linear(D_MODEL, 4 * D_MODEL), nn.GELU(), nn.Linear(4 * D_MODEL, D_MODEL))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, t, _ = x.shape
        q, k, v = self.qkv(self.ln1(x)).view(b, t, 3, HEADS, D_MODEL // HEADS).permute(2, 0, 3, 1, 4)
        attended = F.scaled_dot_product_attention(q, k, v, is_causal=True)  # no peeking at later tokens
        x = x + self.proj(attended.transpose(1, 2).reshape(b, t, D_MODEL))
        return x + self.mlp(self.ln2(x))


class TinyGPT(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.tokens, self.positions = nn.Embedding(len(chars), D_MODEL), nn.Embedding(CONTEXT, D_MODEL)
        self.blocks = nn.Sequential(*[Block() for _ in range(LAYERS)])
        self.ln, self.head = nn.LayerNorm(D_MODEL), nn.Linear(D_MODEL, len(chars))

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        x = self.tokens(ids) + self.positions(torch.arange(ids.shape[1]))
        return self.head(self.ln(self.blocks(x)))  # logits for the next token at every position


def perplexity(model: TinyGPT, ids: torch.Tensor) -> float:
    """exp(mean cross-entropy of next-character prediction) over non-overlapping windows."""
    windows = ids[: (len(ids) - 1) // CONTEXT * CONTEXT + 1]
    x = windows[:-1].view(-1, CONTEXT)
    y = windows[1:].view(-1, CONTEXT)
    with torch.no_grad():
        loss = F.cross_entropy(model(x).reshape(-1, len(chars)), y.reshape(-1))
    return math.exp(loss.item())


model = TinyGPT()
optimizer = torch.optim.AdamW(model.parameters(), lr=5e-3, weight_decay=0.01)
print(f"{sum(p.numel() for p in model.parameters()):,} parameters, vocabulary of {len(chars)} characters, "
      f"context {CONTEXT}.\n")
print("| training step | held-out perplexity |")
print("| ---: | ---: |")
for step in range(STEPS + 1):
    if step % 100 == 0:
        model.eval()
        print(f"| {step} | {perplexity(model, test_ids):.2f} |")
        model.train()
    if step == STEPS:
        break
    starts = torch.randint(0, len(train_ids) - CONTEXT - 1, (32,))
    x = torch.stack([train_ids[s:s + CONTEXT] for s in starts])
    y = torch.stack([train_ids[s + 1:s + CONTEXT + 1] for s in starts])  # targets: the input shifted by one
    loss = F.cross_entropy(model(x).reshape(-1, len(chars)), y.reshape(-1))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

model.eval()
ids = encode("Large language models")
with torch.no_grad():
    for _ in range(80):  # sample one character at a time, feeding the output back in
        probs = F.softmax(model(ids[-CONTEXT:][None])[0, -1] / 0.8, dim=-1)
        ids = torch.cat([ids, torch.multinomial(probs, 1)])
print("\nSample (temperature 0.8):\n")
print("```text\n" + "".join(chars[i] for i in ids) + "\n```")
