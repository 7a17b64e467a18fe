"""Draw the stratified sample of real corpus papers that tests/fixtures/relevance/ labels by hand.

Usage: .venv/bin/python scripts/sample_relevance_set.py CORPUS.jsonl.gz OUT.jsonl

Each paper goes to the first stratum whose pattern it matches; each stratum contributes a fixed number of
papers drawn with a fixed seed, so the sample is reproducible. The strata over-sample the cases that fool a
keyword filter (homonyms of model names, transformers outside language, RL agents, speech, foundation
models of other modalities) next to a random draw of everything else. Labels are added by hand afterwards.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
import re
import sys
from pathlib import Path

# (stratum, pattern over title + abstract, how many papers)
STRATA: list[tuple[str, str, int]] = [
    ("homonym-bloom", r"\bbloom", 14),
    ("homonym-falcon", r"\bfalcon", 10),
    ("homonym-gpt", r"\bGPT\b|\bGPTs\b|\bGPU partition", 12),
    ("homonym-models", r"\b(?:gemini|claude|llama|mistral|palm|phi|gemma|qwen|bert)\b", 24),
    ("homonym-token", r"\btokens?\b|\btokeni[sz]", 30),
    ("homonym-prompt", r"\bprompt", 30),
    ("vision-transformer", r"vision transformer|\bViT\b|diffusion|image generation|segmentation", 40),
    ("rl-agent", r"reinforcement learning|multi-agent|\bagents?\b", 40),
    ("speech-audio", r"speech|audio|spoken|\bASR\b|text-to-speech", 34),
    ("foundation-other", r"foundation models?|pre-?trained models?|transformers?", 40),
    ("language-model", r"language models?|\bLLMs?\b|\bVLMs?\b|\bMLLMs?\b", 110),
    ("nlp-other", r"natural language|\btext\b|translation|corpus|sentiment|named entity", 30),
    ("random", r".", 50),
]
SEED = 20261128


def main(corpus: Path, out: Path) -> None:
    pools: dict[str, list[dict[str, str]]] = {name: [] for name, _, _ in STRATA}
    patterns = [(name, re.compile(pattern, re.IGNORECASE)) for name, pattern, _ in STRATA]
    with gzip.open(corpus, "rt", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            text = f"{record['title']}\n{record['summary']}"
            for name, pattern in patterns:
                if pattern.search(text):
                    pools[name].append(record)
                    break
    rng = random.Random(SEED)
    rows = []
    for name, _, count in STRATA:
        pool = sorted(pools[name], key=lambda r: r["id"])
        for record in rng.sample(pool, min(count, len(pool))):
            # a stable split: 60 % train, 40 % held-out test, decided by the id alone
            bucket = int(hashlib.sha256(record["id"].encode()).hexdigest(), 16) % 10
            rows.append({
                "id": record["id"], "stratum": name, "split": "train" if bucket < 6 else "test",
                "title": " ".join(record["title"].split()), "abstract": " ".join(record["summary"].split()),
                "categories": record["categories"], "first_seen": record.get("first_seen_file_date"),
            })
    rows.sort(key=lambda r: r["id"])
    with out.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(rows)} papers -> {out}", file=sys.stderr)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
