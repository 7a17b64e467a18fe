"""BLEU (sacrebleu) recomputed by hand from its definition, and ROUGE (rouge-score) on the same outputs.

Run from the repository root: python docs/snippets/bleu_rouge.py
"""

import math
from collections import Counter

from rouge_score import rouge_scorer
from sacrebleu.metrics import BLEU
from sacrebleu.tokenizers.tokenizer_13a import Tokenizer13a

references = [
    "The model was trained on two trillion tokens of public text.",
    "Attention lets every token look at every other token in the sequence.",
    "Smaller models can match larger ones when they are trained for longer.",
]
hypotheses = [
    "The model was trained on two trillion tokens of text.",
    "Attention lets each token look at all other tokens in the sequence.",
    "Small models can match larger models if they are trained longer.",
]

bleu = BLEU()  # defaults: 13a tokenization, 4-grams, one reference per sentence
score = bleu.corpus_score(hypotheses, [references])


def ngrams(tokens: list[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


# By hand: clipped n-gram precisions summed over the corpus, geometric mean, brevity penalty.
tokenize = Tokenizer13a()
matches, totals = [0] * 4, [0] * 4
hyp_len = ref_len = 0
for hyp, ref in zip(hypotheses, references, strict=True):
    h, r = tokenize(hyp).split(), tokenize(ref).split()
    hyp_len, ref_len = hyp_len + len(h), ref_len + len(r)
    for n in range(1, 5):
        hyp_ngrams, ref_ngrams = ngrams(h, n), ngrams(r, n)
        matches[n - 1] += sum(min(count, ref_ngrams[g]) for g, count in hyp_ngrams.items())  # clipped
        totals[n - 1] += sum(hyp_ngrams.values())
precisions = [m / t for m, t in zip(matches, totals, strict=True)]
brevity = 1.0 if hyp_len > ref_len else math.exp(1 - ref_len / hyp_len)
by_hand = 100 * brevity * math.exp(sum(math.log(p) for p in precisions) / 4)

print("| | sacrebleu | by hand |")
print("| --- | --- | --- |")
print(f"| n-gram precisions (%) | {' / '.join(f'{p:.1f}' for p in score.precisions)} | "
      f"{' / '.join(f'{100 * p:.1f}' for p in precisions)} |")
print(f"| brevity penalty (hyp {hyp_len} vs ref {ref_len} tokens) | {score.bp:.4f} | {brevity:.4f} |")
print(f"| corpus BLEU | {score.score:.4f} | {by_hand:.4f} |")

# ROUGE counts overlap from the reference's side (recall); the same pair, then two stress cases.
scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
sentence_level = BLEU(effective_order=True)  # one short sentence: smooth the n-gram orders with no match
reference = "the cat sat on the mat"
cases = {
    "close paraphrase": "a cat was sitting on the rug",
    "same words, scrambled": "mat the on sat cat the",
    "exact copy": "the cat sat on the mat",
}
print("\n| hypothesis (reference: *the cat sat on the mat*) | sentence BLEU | ROUGE-1 F | ROUGE-2 F | ROUGE-L F |")
print("| --- | ---: | ---: | ---: | ---: |")
for name, text in cases.items():
    rouge = scorer.score(reference, text)
    sentence_bleu = sentence_level.sentence_score(text, [reference]).score
    print(f"| {name}: *{text}* | {sentence_bleu:.1f} | {rouge['rouge1'].fmeasure:.3f} | "
          f"{rouge['rouge2'].fmeasure:.3f} | {rouge['rougeL'].fmeasure:.3f} |")
