#!/usr/bin/env python3
"""The search page's "no good match" floor, measured: how close the best paper is to real queries and to junk.

    .venv/bin/python scripts/measure_search_floor.py [--evalsets .cache/llm-atlas/evalsets] [--sizes 300 1000 ...]
        [--seeds 3] [--json FILE]

Needs the store's index (``llm-atlas index``; ``llm-atlas build`` makes the site index beside it). For every query
it computes what the page computes (``tracker/site/web/worker.js``): the query's vector from the static token
table, the 16 lists whose centroids score best, and

- the *match strength*: the best paper's score divided by the query vector's length (a cosine between the query
  and the paper's quantised vector, in the projected space; the raw best score grows with the vector's length);
- the *known words*: the share of the query's indexed words (stems) that some paper contains.

Query sets: real: the evaluation sets' queries (``topics``: the 12 hand-written topic queries; ``ki-first`` /
``ki-contrib``: 400 first / contribution sentences of held-out papers each), the three browser-test queries and 40
short queries a reader types ("LoRA", "KV cache", "text-to-SQL" …); junk: punctuation, stop words only, keyboard
mashing, random letter strings and word salads of everyday English words (seeded), off-topic English questions,
and queries in other scripts and languages.

Part 1, the store itself: each set's distribution (min, 5th percentile, median, max) and how many queries the
page's rule calls "no good match" (strength under the floor for the store's size, or most words in no paper).
Part 2, the store's size: the best paper is closer in a bigger store, so the floor depends on it. Random
subsets of the store (``--sizes``, ``--seeds`` each) get their own site index (lists, PQ codes, postings, as the
build makes them); the floor for a size is the weakest real query's strength there (averaged over the seeds):
no real query of these 855 gets "no good match" (a reader's short query scores higher than long sentences,
whose many words dilute the vector; "DPO", the weakest short one, is near the 1st percentile, so a higher floor
would hide real answers). ``tracker.site.search_bundle.MATCH_FLOORS`` holds these figures.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
from pathlib import Path
from typing import Any

import numpy as np

from tracker.embedding.static_encoder import StaticEncoder, shipped_static_encoder
from tracker.search.index import PaperIndex
from tracker.search.lexical import LexicalIndex
from tracker.search.site_index import DEFAULT_SITE, NEIGHBOURS, SiteIndex
from tracker.search.site_search import published_dates, store_site_index
from tracker.settings import Settings
from tracker.site.search_bundle import match_floor
from tracker.store import PaperStore

SHORT_REAL = [
    "LoRA", "RLHF", "DPO", "KV cache", "mixture of experts", "chain of thought", "hallucination", "code generation",
    "vision language models", "tokenization", "jailbreak", "long context", "speculative decoding", "GPT-4",
    "Llama 3", "instruction tuning", "multilingual", "medical question answering", "text-to-SQL", "LLM agents",
    "prompt injection", "watermarking", "model merging", "knowledge distillation", "RAG", "math reasoning",
    "legal documents", "education", "reward model", "quantization", "small language models on phones",
    "evaluation benchmarks", "machine translation", "sparse attention", "diffusion language models",
    "tool use", "federated learning", "synthetic data", "bias and fairness", "scientific discovery",
]
BROWSER_TEST = [
    "retrieval-augmented generation over documents",
    "teaching language models to reason step by step with reinforcement learning",
    "making large language model inference faster and cheaper",
]
EVERYDAY = [
    "banana", "umbrella", "bicycle", "sofa", "garden", "kitchen", "window", "pillow", "carpet", "teapot", "bucket",
    "ladder", "blanket", "candle", "mirror", "pencil", "basket", "hammer", "bottle", "cushion", "tomato", "onion",
    "potato", "orange", "lemon", "cherry", "grape", "carrot", "cabbage", "pumpkin", "sandwich", "pizza", "noodle",
    "cheese", "butter", "sugar", "coffee", "blue", "green", "yellow", "purple", "happy", "sleepy", "tall", "round",
    "soft", "loud", "quiet", "river", "mountain", "forest", "beach", "island", "cloud", "rain", "snow", "sunny",
    "windy", "dog", "cat", "horse", "rabbit", "duck", "goose", "sheep", "cow", "pig", "chicken", "walk", "jump",
    "swim", "dance", "sing", "paint", "cook", "bake", "wash", "sweep", "knit", "sew", "fold"
]
OFF_TOPIC = [
    "chocolate cake recipe", "best football players of all time", "how to fix a flat bicycle tire",
    "cheap flights to paris in june", "knitting patterns for beginners", "how tall is mount everest",
    "symptoms of the common cold", "where to buy cheap furniture", "wedding dress ideas", "how to grow tomatoes",
    "dog training tips", "weather tomorrow in london", "vegan lasagna", "guitar chords for beginners",
    "used cars for sale",
]
FOREIGN = [
    "大型语言模型的幻觉问题", "今天天气很好", "如何提高推理速度", "大規模言語モデルの推論", "日本の首都はどこですか",
    "대규모 언어 모델", "오늘 날씨 어때요", "большие языковые модели", "как приготовить борщ",
    "نماذج اللغة الكبيرة", "ما هو الطقس اليوم", "बड़े भाषा मॉडल", "μεγάλα γλωσσικά μοντέλα",
    "les grands modèles de langage et leurs hallucinations", "wie backt man einen Kuchen",
    "modelos de lenguaje grandes para la traducción", "recette de la tarte aux pommes",
]
MASHING = ["asdf qwer", "asdfghjkl", "qwertyuiop", "zxcv bnm", "jjjjjj kkkk", "lorem ipsum dolor sit amet",
           "xyzzy plugh", "foo bar baz", "aaaa", "hjkl hjkl"]
NO_WORDS = ["???", "!!!", "...", "the of and", "a an the", "is it", "what is this", "1", "#", "--"]


def random_sets(seed: int = 16) -> dict[str, list[str]]:
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    strings = [" ".join("".join(rng.choice(letters) for _ in range(rng.randint(3, 9)))
                        for _ in range(rng.randint(1, 4))) for _ in range(40)]
    salads = [" ".join(rng.sample(EVERYDAY, rng.randint(2, 6))) for _ in range(60)]
    return {"random letters": strings, "word salad": salads}


def load_queries(evalsets: Path, name: str) -> list[str]:
    path = evalsets / name / "queries.jsonl"
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line)["text"] for line in handle if line.strip()]


def query_sets(evalsets: Path) -> dict[str, tuple[str, list[str]]]:
    return {
        "topics (12)": ("real", load_queries(evalsets, "topics")),
        "ki-first": ("real", load_queries(evalsets, "ki-first")),
        "ki-contrib": ("real", load_queries(evalsets, "ki-contrib")),
        "browser test": ("real", BROWSER_TEST),
        "short real": ("real", SHORT_REAL),
        "no indexable word": ("junk", NO_WORDS),
        "keyboard mashing": ("junk", MASHING),
        **{name: ("junk", queries) for name, queries in random_sets().items()},
        "off-topic English": ("junk", OFF_TOPIC),
        "other languages": ("junk", FOREIGN),
    }


def measure(site: SiteIndex, query: str) -> dict[str, Any]:
    """What the page computes for a query: its stems, the known ones, and the best paper of the lists it reads."""
    stems = site.stems(query)
    known = sum(stem in site.lexical.position for stem in stems)
    vector = site.encoder.encode_query(query)
    norm = float(np.linalg.norm(vector))
    _, scores, _ = site.dense(vector)
    best = float(scores.max()) if len(scores) else 0.0
    return {"query": query, "words": len(stems), "known": known, "best": best, "norm": norm,
            "strength": best / norm if norm > 0 else 0.0}


def weak(figures: dict[str, Any], floor: float) -> bool:
    """The page's rule (worker.js / search.js): under the floor, or most of its words in no paper."""
    return bool(figures["strength"] < floor or 2 * figures["known"] < figures["words"])


def summary(values: list[float]) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    p05 = ordered[int(0.05 * (len(ordered) - 1))]
    return f"min {ordered[0]:.3f}  p5 {p05:.3f}  median {statistics.median(ordered):.3f}  max {ordered[-1]:.3f}"


def subset_site(index: PaperIndex, rows: np.ndarray, encoder: StaticEncoder) -> SiteIndex:
    """The site index a store of just these papers would get (its own lists, PQ codes and postings)."""
    lexical = index.lexical
    keep = np.zeros(len(index.ids), dtype=bool)
    keep[rows] = True
    new_row = np.cumsum(keep) - 1
    inside = keep[lexical.indices]
    indptr = np.concatenate([[0], np.cumsum(inside)])[lexical.indptr].astype(np.int64)
    ids = [index.ids[r] for r in sorted(rows.tolist())]
    vocabulary = sorted(lexical.vocabulary, key=lexical.vocabulary.__getitem__)
    sub_lexical = LexicalIndex(ids, vocabulary, lexical.data[inside], new_row[lexical.indices[inside]], indptr,
                               sorted(lexical.stopwords), lexical.title_weight)
    sub = PaperIndex(ids, index.vectors[np.sort(rows)], "subset", kind="flat", lexical=sub_lexical)
    none = np.full((len(ids), NEIGHBOURS), -1, dtype=np.int64)  # "More like this" plays no part here
    return SiteIndex.build(sub, encoder, DEFAULT_SITE, neighbours=none)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--evalsets", type=Path, default=Path(".cache/llm-atlas/evalsets"))
    parser.add_argument("--sizes", nargs="*", type=int, default=[300, 1000, 3000, 10000])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--json", type=Path, default=None, help="write every query's figures here")
    args = parser.parse_args()
    settings = Settings.resolve()
    store = PaperStore(settings.data_dir)
    index = PaperIndex.load(settings.cache_dir)
    site = store_site_index(index, published_dates(store))
    sets = query_sets(args.evalsets)
    floor = match_floor(len(site))
    print(f"Part 1: the store, {len(site):,} papers; shipped floor for its size {floor:.3f} "
          "(and: most of a query's words in no paper)")
    print(f"{'set':<20} {'kind':<5} {'n':>4}  {'no good match':>13}  strength (best score / |query|)   |   "
          "known words")
    out: dict[str, Any] = {"papers": len(site), "floor": floor, "sets": {}, "sizes": {}}
    for name, (kind, queries) in sets.items():
        if not queries:
            print(f"{name:<20} (missing: {args.evalsets / name})")
            continue
        figures = [measure(site, q) for q in queries]
        out["sets"][name] = figures
        indexable = [f for f in figures if f["words"]]
        flagged = sum(weak(f, floor) for f in indexable)
        known = [f["known"] / f["words"] for f in indexable]
        print(f"{name:<20} {kind:<5} {len(queries):>4}  {flagged:>5} / {len(indexable):<5}  "
              f"{summary([f['strength'] for f in indexable])}   |   {summary(known)}")
        if len(indexable) < len(figures):
            print(f"{'':<20} {'':<5} {'':>4}  {len(figures) - len(indexable)} with no indexable word (the page says "
                  f"so): strength {summary([f['strength'] for f in figures if not f['words']])}")
    real = [f for n, fs in out["sets"].items() if sets[n][0] == "real" for f in fs if f["words"]]
    junk = [f for n, fs in out["sets"].items() if sets[n][0] == "junk" for f in fs if f["words"]]
    print(f"all real ({len(real)}): strength {summary([f['strength'] for f in real])}; "
          f"no good match {sum(weak(f, floor) for f in real)}")
    print(f"all junk with a word ({len(junk)}): strength {summary([f['strength'] for f in junk])}; "
          f"no good match {sum(weak(f, floor) for f in junk)}")
    strengths = [f["strength"] for f in real]
    print(f"real queries' strength: weakest {min(strengths):.3f}, 0.5th percentile "
          f"{np.percentile(strengths, 0.5):.3f}, 1st {np.percentile(strengths, 1):.3f}")

    print("\nPart 2: random subsets of the store (own lists, codes and postings); floor = the weakest real query")
    real_queries = [q for kind, queries in sets.values() if kind == "real" for q in queries]
    junk_queries = [q for kind, queries in sets.values() if kind == "junk" for q in queries]
    encoder = shipped_static_encoder()
    for size in [s for s in args.sizes if s < len(index.ids)]:
        floors, real_strength, junk_figures = [], [], []
        for seed in range(args.seeds):
            rows = np.random.default_rng(seed).choice(len(index.ids), size, replace=False)
            sub = subset_site(index, rows, encoder)
            reals = [measure(sub, q) for q in real_queries]
            seen = [f["strength"] for f in reals if f["words"]]
            floors.append(min(seen))
            real_strength += seen
            junk_figures += [measure(sub, q) for q in junk_queries]
        chosen = statistics.mean(floors)
        junk_words = [f for f in junk_figures if f["words"]]
        caught = sum(weak(f, chosen) for f in junk_words)
        out["sizes"][size] = {"floor": chosen, "floors": floors}
        print(f"{size:>7,} papers: floor {chosen:.3f} (seeds {', '.join(f'{x:.3f}' for x in floors)}); real "
              f"{summary(real_strength)}; junk {summary([f['strength'] for f in junk_words])}; junk called no good "
              f"match {caught} / {len(junk_words)}")
    out["sizes"][len(site)] = {"floor": min(strengths)}
    # rounded down, so that the weakest real query stays at or over its floor
    print("MATCH_FLOORS = (" + ", ".join(f"({size}, {math.floor(v['floor'] * 1000) / 1000:.3f})"
                                         for size, v in sorted(out["sizes"].items())) + ")")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
