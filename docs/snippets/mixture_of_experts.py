"""A top-2 mixture-of-experts layer in PyTorch, and the total vs active parameters of Mixtral 8x7B.

Run from the repository root: python docs/snippets/mixture_of_experts.py
"""

import torch
from torch import nn
from torch.nn import functional as F

torch.manual_seed(0)
torch.set_num_threads(1)  # one thread: on a shared CPU, more threads mostly wait for each other


class SwiGLU(nn.Module):
    """One expert: the feed-forward network of a Llama/Mistral block, W2 (SiLU(W1 x) ⊙ W3 x)."""

    def __init__(self, d: int, hidden: int) -> None:
        super().__init__()
        self.w1, self.w3 = nn.Linear(d, hidden, bias=False), nn.Linear(d, hidden, bias=False)
        self.w2 = nn.Linear(hidden, d, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.w2(F.silu(self.w1(x)) * self.w3(x))


class MoE(nn.Module):
    """y = Σ over the top-k experts of softmax(router logits restricted to those k) · expert(x)."""

    def __init__(self, d: int, hidden: int, experts: int, top_k: int) -> None:
        super().__init__()
        self.router = nn.Linear(d, experts, bias=False)
        self.experts = nn.ModuleList(SwiGLU(d, hidden) for _ in range(experts))
        self.top_k = top_k

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        logits = self.router(x)  # (tokens, experts)
        top_logits, chosen = logits.topk(self.top_k, dim=-1)
        gates = F.softmax(top_logits, dim=-1)  # renormalised over the chosen experts only
        y = torch.zeros_like(x)
        for e, expert in enumerate(self.experts):  # each expert runs only on the tokens routed to it
            token, slot = (chosen == e).nonzero(as_tuple=True)
            if len(token):
                y.index_add_(0, token, gates[token, slot, None] * expert(x[token]))
        return y, logits, chosen


d, hidden, n_experts, top_k, tokens = 64, 128, 8, 2, 512
layer = MoE(d, hidden, n_experts, top_k)
x = torch.randn(tokens, d)
with torch.no_grad():
    y, logits, chosen = layer(x)
    # The same output the slow way: every expert on every token, weights zero except the chosen two.
    dense = torch.stack([expert(x) for expert in layer.experts], dim=1)  # (tokens, experts, d)
    weights = torch.zeros(tokens, n_experts).scatter(1, chosen, F.softmax(logits.gather(1, chosen), dim=-1))
    reference = (weights[..., None] * dense).sum(1)

load = torch.bincount(chosen.flatten(), minlength=n_experts) / chosen.numel()  # f_i: share of assignments
importance = F.softmax(logits, dim=-1).mean(0)  # P_i: mean router probability
balance = n_experts * (load * importance).sum()  # Switch Transformer auxiliary loss; 1.0 when uniform
print(f"- {tokens} tokens, {n_experts} experts, top-{top_k}: sparse output equals the dense reference "
      f"within {(y - reference).abs().max().item():.1e}; each token's gates sum to "
      f"{weights.sum(1).min().item():.4f}–{weights.sum(1).max().item():.4f}.")
print(f"- Share of routing per expert: {' '.join(f'{share:.2f}' for share in load.tolist())}; "
      f"load-balancing loss {balance.item():.3f} (1 = perfectly balanced).")
per_expert = sum(p.numel() for p in layer.experts[0].parameters())
print(f"- This layer stores {sum(p.numel() for p in layer.parameters()):,} parameters; each token uses "
      f"{top_k * per_expert + layer.router.weight.numel():,} of them.\n")

# Mixtral 8x7B (Jiang et al., 2024): 32 layers, d = 4096, experts of width 14,336, 8 experts, top-2,
# grouped-query attention with 8 key/value heads of 128, vocabulary 32,000, separate output matrix.
L, D, H, E, K, V, KV = 32, 4096, 14336, 8, 2, 32000, 1024
attention = 2 * D * D + 2 * D * KV
expert = 3 * D * H
norms_router = 2 * D + D * E
total = 2 * V * D + L * (attention + E * expert + norms_router) + D
active = 2 * V * D + L * (attention + K * expert + norms_router) + D
print("| Mixtral 8x7B | parameters |")
print("| --- | ---: |")
print(f"| stored (all 8 experts) | {total / 1e9:.2f} B |")
print(f"| used per token (2 experts) | {active / 1e9:.2f} B |")
print(f"| a dense model with 8 × 7B would have | {8 * 7:.0f} B: attention and embeddings are shared |")
