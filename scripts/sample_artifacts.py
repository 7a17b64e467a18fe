"""Draw the papers of the judged artifacts sample (tests/fixtures/artifacts/judged.jsonl) from the store.

Deliberate strata, chosen by the raw text (not by the extractor, which the sample measures), seeded:

- ``split``: every paper whose address is broken by a space ("github. com", "github.com/ org", "https: //", an
  address ending in "-" or "/" before more of it);
- ``hf``: Hugging Face addresses (hf.co, models, datasets, Spaces, collections, organisations) and ids named
  after the words "Hugging Face" with no address;
- ``github``: GitHub addresses;
- ``other``: any other address (project pages, archives, anonymous repositories, papers, venues, videos);
- ``claim``: no address, but the paper speaks of code, weights or data being released or on GitHub;
- ``none``: no address and no such words.

Prints one JSON line per paper (id, stratum, abstract, comment): the texts to judge by hand.
    .venv/bin/python scripts/sample_artifacts.py > /tmp/to_judge.jsonl

``--held-out CORPUS`` draws instead from the shared corpus's papers that are not in the store (the relevance
filter left them out; the extractor was written looking at the store's papers, never at these): every split
address, 60 papers with an address and 15 that only claim a release (``HELD_OUT_SIZES``).
    .venv/bin/python scripts/sample_artifacts.py --held-out \
        ../shared/data/corpus/arxiv_ai_2025_2026/papers_dedup_2025-03-18_to_2026-07-01.jsonl.gz
"""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

from tracker.importer import read_papers
from tracker.store import PaperStore

SEED = 26
SIZES = {"split": 40, "hf": 45, "github": 55, "other": 45, "claim": 30, "none": 30}
HELD_OUT_SIZES = {"split": 15, "address": 60, "claim": 15}
ADDRESS = re.compile(r"https?:|www\.|github\.|huggingface\.|hf\.co|gitlab\.|\.github\.io", re.IGNORECASE)
SPLIT = re.compile(
    r"https?:\s+/|https?:/\s|(?:github|gitlab|huggingface|hf)\.\s+(?:com|co|io)\b"
    r"|(?:github\.com|huggingface\.co|gitlab\.com)/\s+\S|(?:github\.com|gitlab\.com)/[\w.-]+/\s+[\w.-]"
    r"|(?:https?://|www\.)\S*[-_]\s+\w|(?:github\.com|huggingface\.co)/[\w-]+\s+[\w-]+/",
    re.IGNORECASE)
HF = re.compile(r"huggingface\.co|hf\.co|hf\.space|hugging\s?face[^.]{0,60}\b[A-Za-z][\w-]+/[\w.-]+", re.IGNORECASE)
CLAIM = re.compile(r"\b(?:code|weights|checkpoints?|datasets?|models?)\b[^.]{0,60}\b(?:release[sd]?|available|"
                   r"open[- ]sourced?|public(?:ly)?)\b|\bgithub\b|hugging\s?face", re.IGNORECASE)


def stratum(text: str) -> str:
    if SPLIT.search(text):
        return "split"
    if HF.search(text):
        return "hf"
    if re.search(r"github\.com", text, re.IGNORECASE):
        return "github"
    if ADDRESS.search(text):
        return "other"
    return "claim" if CLAIM.search(text) else "none"


def held_out(corpus: Path, stored: set[str]) -> dict[str, list[tuple[str, str, str | None]]]:
    """The corpus's papers outside the store, by held-out stratum (texts as the store would keep them)."""
    by_stratum: dict[str, list[tuple[str, str, str | None]]] = {name: [] for name in HELD_OUT_SIZES}
    seen: set[str] = set()
    for paper in read_papers(corpus):
        if paper.id in stored or paper.id in seen:
            continue
        seen.add(paper.id)
        name = stratum(f"{paper.abstract} {paper.comment or ''}")
        name = "address" if name in ("hf", "github", "other") else name
        if name in by_stratum:
            by_stratum[name].append((paper.id, paper.abstract, paper.comment))
    return by_stratum


def main() -> None:
    store = PaperStore(Path(__file__).resolve().parent.parent / "data")
    sizes = SIZES
    if len(sys.argv) == 3 and sys.argv[1] == "--held-out":
        sizes = HELD_OUT_SIZES
        by_stratum = held_out(Path(sys.argv[2]), {paper.id for paper in store})
    else:
        by_stratum = {name: [] for name in SIZES}
        for paper in store:
            text = f"{paper.abstract} {paper.comment or ''}"
            by_stratum[stratum(text)].append((paper.id, paper.abstract, paper.comment))
    rng = random.Random(SEED)
    for name, size in sizes.items():
        pool = by_stratum[name]
        chosen = sorted(rng.sample(pool, min(size, len(pool))))
        print(f"{name}: {len(chosen)} of {len(pool)}", file=sys.stderr)
        for paper_id, abstract, comment in chosen:
            print(json.dumps({"id": paper_id, "stratum": name, "abstract": abstract, "comment": comment},
                             ensure_ascii=False))


if __name__ == "__main__":
    main()
