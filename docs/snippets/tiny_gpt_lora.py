"""LoRA on the tiny GPT of docs/snippets/tiny_gpt.py: adapt the abstract writer to write paper titles, on the CPU.

Run from the repository root: python docs/snippets/tiny_gpt_lora.py. On its own it first pretrains the tiny GPT
(tiny_gpt.py, its output hidden); on the page it shares a markdown-exec session with that program and adapts
the very model trained there.
"""

import base64
import contextlib
import copy
import io
import math
import runpy

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

if "TinyGPT" in globals():  # on the page: the session of tiny_gpt.py, whose model was trained above
    pretrained = globals()
else:  # run on its own: pretrain the tiny GPT first, quietly
    with contextlib.redirect_stdout(io.StringIO()):
        pretrained = runpy.run_path("docs/snippets/tiny_gpt.py")
model, papers, chars, encode, test_ids, perplexity, CONTEXT = (
    pretrained[name] for name in ("model", "papers", "chars", "encode", "test_ids", "perplexity", "CONTEXT"))

import torch  # noqa: E402
from torch import nn  # noqa: E402
from torch.nn import functional as F  # noqa: E402

RANK, ALPHA, LORA_STEPS, LR = 4, 8.0, 200, 1e-2


class LoRALinear(nn.Module):
    """y = W x + b + (alpha / r) · B A x: W and b stay frozen, only A (r × in) and B (out × r) are trained."""

    def __init__(self, base: nn.Linear) -> None:
        super().__init__()
        self.base = base.requires_grad_(False)
        self.A = nn.Parameter(torch.randn(RANK, base.in_features) / math.sqrt(base.in_features))
        self.B = nn.Parameter(torch.zeros(base.out_features, RANK))  # B = 0: training starts from the base model
        self.scale = ALPHA / RANK

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.base(x) + self.scale * (x @ self.A.T) @ self.B.T

    def merged(self) -> nn.Linear:
        """One plain layer with W + (alpha / r) B A: after merging, LoRA costs nothing at inference."""
        layer = copy.deepcopy(self.base)
        layer.weight.data += self.scale * self.B.data @ self.A.data
        return layer


torch.manual_seed(0)
base = model  # the tiny GPT pretrained on abstracts (tiny_gpt.py)
tuned = copy.deepcopy(base).requires_grad_(False)
for block in tuned.blocks:  # adapters on every linear layer of both blocks: attention and MLP
    block.qkv, block.proj = LoRALinear(block.qkv), LoRALinear(block.proj)
    block.mlp[0], block.mlp[2] = LoRALinear(block.mlp[0]), LoRALinear(block.mlp[2])
trainable = sum(p.numel() for p in tuned.parameters() if p.requires_grad)
total = sum(p.numel() for p in base.parameters())
print(f"LoRA rank {RANK} on {4 * len(tuned.blocks)} linear layers: {trainable:,} trainable parameters, "
      f"{100 * trainable / total:.1f} % of the model's {total:,}.\n")

train_titles = "\n".join(p["title"] for p in papers[:180])  # new data: the titles of the same papers
test_titles = "\n".join(p["title"] for p in papers[180:])
title_ids, held_out_titles = encode(train_titles), encode(test_titles)
optimizer = torch.optim.AdamW([p for p in tuned.parameters() if p.requires_grad], lr=LR, weight_decay=0.0)
losses: list[float] = []
checkpoints: list[tuple[int, float, float]] = []
print("Held-out perplexity on the titles and on the abstracts of the 20 held-out papers:\n")
print("| LoRA step | titles | abstracts |")
print("| ---: | ---: | ---: |")
for step in range(LORA_STEPS + 1):
    if step % 50 == 0:
        tuned.eval()
        titles_ppl, abstracts_ppl = perplexity(tuned, held_out_titles), perplexity(tuned, test_ids)
        checkpoints.append((step, titles_ppl, abstracts_ppl))
        print(f"| {step} | {titles_ppl:.2f} | {abstracts_ppl:.2f} |")
        tuned.train()
    if step == LORA_STEPS:
        break
    starts = torch.randint(0, len(title_ids) - CONTEXT - 1, (32,))
    x = torch.stack([title_ids[s:s + CONTEXT] for s in starts])
    y = torch.stack([title_ids[s + 1:s + CONTEXT + 1] for s in starts])
    loss = F.cross_entropy(tuned(x).reshape(-1, len(chars)), y.reshape(-1))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
first, last = sum(losses[:10]) / 10, sum(losses[-10:]) / 10
print(f"\nTraining loss (mean of 10 batches, nats per character): {first:.3f} over the first 10 steps, "
      f"{last:.3f} over the last 10.")

tuned.eval()
merged = copy.deepcopy(tuned)
for block in merged.blocks:
    block.qkv, block.proj = block.qkv.merged(), block.proj.merged()
    block.mlp[0], block.mlp[2] = block.mlp[0].merged(), block.mlp[2].merged()
probe = held_out_titles[:CONTEXT][None]
with torch.no_grad():
    gap = (tuned(probe) - merged(probe)).abs().max().item()
print(f"\nMerged into the weights, the adapted model gives the same logits: max difference {gap:.1e}.")


def sample(net: nn.Module, prompt: str, length: int = 90) -> str:
    torch.manual_seed(1)  # the same random draws for both models: only the weights differ
    ids = encode(prompt)
    with torch.no_grad():
        for _ in range(length):
            probs = F.softmax(net(ids[-CONTEXT:][None])[0, -1] / 0.8, dim=-1)
            ids = torch.cat([ids, torch.multinomial(probs, 1)])
    return "".join(chars[i] for i in ids)


for name, net in (("Before LoRA (the pretrained model)", base), ("After LoRA", tuned)):
    print(f"\n{name}, prompt 'Large language models', temperature 0.8:\n")
    print("```text\n" + sample(net, "Large language models") + "\n```")

fig, ax = plt.subplots(figsize=(7, 3.2), facecolor="white")
ax.plot(range(1, len(losses) + 1), losses, color="tab:blue", alpha=0.35, linewidth=1, label="training batch")
ax.plot([s for s, _, _ in checkpoints], [math.log(t) for _, t, _ in checkpoints], "o-", color="tab:orange",
        label="held-out titles")
ax.plot([s for s, _, _ in checkpoints], [math.log(a) for _, _, a in checkpoints], "s--", color="tab:green",
        label="held-out abstracts")
ax.set(xlabel="LoRA step", ylabel="loss (nats per character)", title="LoRA on the tiny GPT: abstracts → titles")
ax.legend(frameon=False)
plt.rcParams["svg.hashsalt"] = "llm-atlas"  # stable ids: the same input gives the same page
svg = io.StringIO()
fig.savefig(svg, format="svg", bbox_inches="tight", metadata={"Date": None})
plt.close(fig)
data = base64.b64encode(svg.getvalue().encode()).decode()
alt = "Loss curves of LoRA fine-tuning: training loss per batch and held-out loss on titles and on abstracts"
print(f'\n<img class="atlas-figure" alt="{alt}" src="data:image/svg+xml;base64,{data}">')
