"""Byte-pair encoding (Sennrich et al., 2016) trained from scratch in plain Python.

Run from the repository root: python docs/snippets/bpe_from_scratch.py
"""

import json
import re
from collections import Counter
from itertools import pairwise
from pathlib import Path

END = "</w>"  # end-of-word marker, so "est</w>" (a suffix) differs from "est" inside a word


def pair_counts(vocab: dict[tuple[str, ...], int]) -> Counter[tuple[str, str]]:
    """How often each pair of adjacent symbols occurs, weighted by word frequency."""
    pairs: Counter[tuple[str, str]] = Counter()
    for symbols, count in vocab.items():
        for left, right in pairwise(symbols):
            pairs[left, right] += count
    return pairs


def merge(symbols: tuple[str, ...], pair: tuple[str, str]) -> tuple[str, ...]:
    """Replace every occurrence of `pair` in `symbols` by the joined symbol, left to right."""
    out: list[str] = []
    i = 0
    while i < len(symbols):
        if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == pair:
            out.append(symbols[i] + symbols[i + 1])
            i += 2
        else:
            out.append(symbols[i])
            i += 1
    return tuple(out)


def train_bpe(word_counts: dict[str, int], num_merges: int) -> list[tuple[str, str]]:
    """Learn merges: repeatedly join the most frequent adjacent pair (ties: the pair seen first)."""
    vocab = {tuple(word) + (END,): count for word, count in word_counts.items()}
    merges: list[tuple[str, str]] = []
    for _ in range(num_merges):
        pairs = pair_counts(vocab)
        if not pairs:
            break
        best = max(pairs, key=pairs.__getitem__)  # max() keeps the first of equal counts
        merges.append(best)
        vocab = {merge(symbols, best): count for symbols, count in vocab.items()}
    return merges


def encode(word: str, merges: list[tuple[str, str]]) -> list[str]:
    """Tokenize one word by replaying the merges in the order they were learned."""
    symbols = tuple(word) + (END,)
    for pair in merges:
        symbols = merge(symbols, pair)
    return list(symbols)


# 1. The textbook example from the BPE paper: word frequencies of a tiny corpus.
toy = {"low": 5, "lower": 2, "newest": 6, "widest": 3}
toy_merges = train_bpe(toy, 10)
print("**Textbook corpus** `low×5 lower×2 newest×6 widest×3`, first 10 merges:\n")
print("| step | merge | new symbol |")
print("| ---: | --- | --- |")
for step, (left, right) in enumerate(toy_merges, 1):
    print(f"| {step} | `{left}` + `{right}` | `{left + right}` |")

# 2. A real corpus: 180 arXiv abstracts bundled with the site (the last 20 are held out).
papers = [json.loads(line) for line in Path("docs/snippets/data/abstracts.jsonl").read_text().splitlines()]
train_text = " ".join(p["abstract"] for p in papers[:180]).lower()
words = Counter(re.findall(r"[a-z]+", train_text))
merges = train_bpe(dict(words), 300)
print(f"\n**arXiv abstracts**: {sum(words.values()):,} words, {len(words):,} distinct; 300 merges learned.")
print("First 12 merges: " + ", ".join(f"`{a}+{b}`" for a, b in merges[:12]))

held_out = re.findall(r"[a-z]+", " ".join(p["abstract"] for p in papers[180:]).lower())
tokens = [encode(word, merges) for word in held_out]
print(f"\nHeld-out text: {len(held_out):,} words → {sum(map(len, tokens)):,} tokens "
      f"({sum(map(len, tokens)) / len(held_out):.2f} tokens per word; characters alone: "
      f"{sum(len(w) + 1 for w in held_out) / len(held_out):.2f}).\n")
print("| word | BPE tokens |")
print("| --- | --- |")
for word in ["language", "models", "tokenization", "finetuning", "hallucination"]:
    print(f"| {word} | {' · '.join(f'`{t}`' for t in encode(word, merges))} |")
