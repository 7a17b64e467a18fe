"""Where a transformer's parameters are: a formula checked against real PyTorch models, then scaled up.

Run from the repository root: python docs/snippets/parameter_count.py
"""

import torch
from transformers import BertConfig, BertModel, GPT2Config, GPT2LMHeadModel
from transformers.utils import logging as hf_logging

hf_logging.set_verbosity_error()


def decoder_params(layers: int, d: int, vocab: int, context: int) -> int:
    """GPT-2/GPT-3 layout: per layer 4d² + 4d (attention) + 8d² + 5d (MLP, 4d wide) + 4d (two LayerNorms)."""
    per_layer = 12 * d * d + 13 * d
    return vocab * d + context * d + layers * per_layer + 2 * d  # embeddings tied with the output layer


def encoder_params(layers: int, d: int, ffn: int, vocab: int, context: int) -> int:
    """BERT layout: the same block plus token-type embeddings, embedding LayerNorm and a pooler."""
    per_layer = 4 * d * d + 4 * d + 2 * d * ffn + ffn + d + 4 * d
    return (vocab + context + 2) * d + 2 * d + layers * per_layer + d * d + d


def llama_params(layers: int, d: int, ffn: int, vocab: int, kv_dim: int) -> int:
    """Llama 2 layout: no biases, RMSNorm (d weights), grouped-query attention, SwiGLU MLP (3 matrices)."""
    per_layer = 2 * d * d + 2 * d * kv_dim + 3 * d * ffn + 2 * d
    return 2 * vocab * d + layers * per_layer + d  # input and output embeddings are separate


with torch.device("meta"):  # shapes only, no memory and no random initialisation: counting is instant
    minilm = BertModel(BertConfig(hidden_size=384, num_hidden_layers=6, num_attention_heads=12,
                                  intermediate_size=1536, vocab_size=30522, max_position_embeddings=512))
    gpt2 = GPT2LMHeadModel(GPT2Config())  # GPT-2 small: 12 layers, d = 768, vocabulary 50,257, context 1,024
count = lambda model: sum(p.numel() for p in model.parameters())  # noqa: E731  (tied weights counted once)

print("| model | layers | d_model | formula | counted in PyTorch |")
print("| --- | ---: | ---: | ---: | ---: |")
minilm_formula = encoder_params(6, 384, 1536, 30522, 512)
print(f"| all-MiniLM-L6-v2 (BERT layout) | 6 | 384 | {minilm_formula:,} | {count(minilm):,} |")
print(f"| GPT-2 small | 12 | 768 | {decoder_params(12, 768, 50257, 1024):,} | {count(gpt2):,} |")
gpt3 = decoder_params(96, 12288, 50257, 2048)
llama = llama_params(80, 8192, 28672, 32000, 1024)
print(f"| GPT-3 (same layout as GPT-2) | 96 | 12,288 | {gpt3:,} | (not built: {gpt3 / 1e9:.1f} B) |")
print(f"| Llama-2-70B | 80 | 8,192 | {llama:,} | (not built: {llama / 1e9:.2f} B) |")

print(f"\nIn GPT-3 the blocks' 12·d² per layer hold {100 * 96 * 12 * 12288 ** 2 / gpt3:.1f} % of all weights; "
      f"in MiniLM the 30,522 × 384 word-embedding table holds {100 * 30522 * 384 / count(minilm):.1f} %.\n")
print("| Llama-2-70B weights in | bytes per parameter | memory for the weights alone |")
print("| --- | ---: | ---: |")
for name, size in [("float32", 4), ("bfloat16 / float16", 2), ("int8", 1), ("4-bit", 0.5)]:
    print(f"| {name} | {size} | {llama * size / 2**30:,.0f} GiB |")
# The KV cache: 2 (K and V) × layers × kv_dim values per token, here in 16-bit.
kv_bytes = 2 * 80 * 1024 * 2
print(f"\nKV cache for Llama-2-70B in 16-bit: {kv_bytes / 2**10:.0f} KiB per token, "
      f"{kv_bytes * 4096 / 2**30:.2f} GiB for one 4,096-token sequence; with one key/value head per query head "
      f"(64 instead of 8, no grouped-query attention) it would be {2 * 80 * 8192 * 2 / 2**20:.1f} MiB per token.")
