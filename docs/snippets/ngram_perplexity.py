"""Perplexity of character n-gram language models (interpolated absolute discounting), in plain Python.

Run from the repository root: python docs/snippets/ngram_perplexity.py
"""

import json
import math
from collections import Counter, defaultdict
from pathlib import Path

papers = [json.loads(line) for line in Path("docs/snippets/data/abstracts.jsonl").read_text().splitlines()]
train = "\n".join(p["abstract"] for p in papers[:180])
test = "\n".join(p["abstract"] for p in papers[180:])
UNK = "\x00"  # every character never seen in training is mapped to one unknown symbol
vocab = sorted(set(train)) + [UNK]
test = "".join(c if c in set(vocab) else UNK for c in test)


class NGram:
    """P(c | h) = max(C(h c) − D, 0) / C(h) + D · N₁₊(h •) / C(h) · P(c | shorter h), down to uniform."""

    def __init__(self, text: str, order: int, discount: float = 0.75) -> None:
        self.order, self.discount = order, discount
        self.counts: list[dict[str, Counter[str]]] = [defaultdict(Counter) for _ in range(order)]
        for n in range(order):  # n = length of the history
            for i in range(n, len(text)):
                self.counts[n][text[i - n:i]][text[i]] += 1
        self.totals = [{h: sum(c.values()) for h, c in level.items()} for level in self.counts]

    def prob(self, history: str, char: str) -> float:
        p = 1.0 / len(vocab)  # order "0": every symbol equally likely
        for n in range(self.order):  # from the empty history up to the longest one
            h = history[len(history) - n:] if n else ""
            if n > len(history) or h not in self.counts[n]:
                break
            seen, total = self.counts[n][h], self.totals[n][h]
            p = max(seen[char] - self.discount, 0) / total + self.discount * len(seen) / total * p
        return p

    def perplexity(self, text: str) -> float:
        """exp of the mean negative log-likelihood per character."""
        nll = -sum(math.log(self.prob(text[max(0, i - self.order + 1):i], text[i])) for i in range(len(text)))
        return math.exp(nll / len(text))


print(f"{len(train):,} training characters, {len(test):,} held-out characters, {len(vocab)} symbols.\n")
print("| model | context | held-out perplexity | bits per character |")
print("| --- | ---: | ---: | ---: |")
print(f"| uniform | 0 | {len(vocab):.2f} | {math.log2(len(vocab)):.2f} |")
for order in range(1, 7):
    model = NGram(train, order)
    ppl = model.perplexity(test)
    print(f"| {order}-gram | {order - 1} | {ppl:.2f} | {math.log2(ppl):.2f} |")
    if order == 3:
        check = sum(model.prob("th", c) for c in vocab)
print(f"\nA model is a probability distribution: Σ_c P(c | 'th') under the 3-gram = {check:.6f}.")
