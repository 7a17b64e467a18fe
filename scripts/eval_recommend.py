#!/usr/bin/env python3
"""Measure the "For you" rankings (``llm-atlas recommend --method …``) on libraries made from the store.

    .venv/bin/python scripts/eval_recommend.py [--data-dir data] [--cache-dir .cache/llm-atlas] [--users 2000]
        [--pairs 500] [--split test|dev|both] [--tune] [--json FILE]

Needs the store's search index (``llm-atlas index``); the site index beside it is built once when missing
(``llm-atlas build`` makes it too). Every ranking sees only vectors and text: author names are never used.

Sets (a *user* is a library, the papers it should find and the candidates they are hidden among):

- ``authors``: an author with at least ``MIN_LIBRARY`` papers before a 4-week window and ``MIN_TARGETS`` in it
  (names as arXiv writes them; a name shared by two people is a library with two interests, as readers have).
  Library: their papers before the window; to find: their papers in it; candidates: every stored paper of the
  window. ``test``: the store's newest 4 ISO weeks (the default window of ``recommend``); ``dev``: the 4 weeks
  before, where the methods' settings (top-k, half-life, interests) were chosen. Up to ``--users`` authors each,
  drawn with a fixed seed.
- ``two-authors``: multi-interest libraries: two authors of ``authors`` whose libraries' mean vectors have a
  cosine under ``PAIR_COSINE`` (two interests), their libraries and their papers to find merged.
- ``topics``: the hand-judged topic queries of ``scripts/eval_topics`` (12 queries over 2,620 papers of May-June
  2026): a query's papers judged on topic (2) in date order, the earlier half the library, the later half to find
  (gain 2; papers judged "related aspect" count 1); candidates: the other judged pool papers. And
  ``two-topics``: every pair of topics, libraries and papers to find merged (66 users).

Metrics per user, averaged: recall@20 (share of the papers to find in the first 20) and nDCG@10 (binary gains,
graded for topics). Methods: every ``tracker.library.methods`` ranking on the exact MiniLM vectors, BM25 over the
library's text, and the site's (``tracker.library.site_rank``) on the vectors the page decodes from its codes
files, with its top-10 overlap with the same method on the exact vectors.

``--tune`` adds the settings grid, run on the dev split and the topic sets: top-k (2, 5, 8; 3 is the default),
recency half-lives, interests per library paper, and the page's residual scale (1, 1.5, 1.75, 2; 1.25 is the
default), which is chosen by agreement with the exact ranking (top-10 overlap), not by recall: the page should
rank as ``recommend`` does, for libraries of either kind. 8-25 minutes on two shared cores, most of it BM25.
The figures are README "For you".
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from tracker.library import methods, site_rank
from tracker.library.recommend import newest_weeks
from tracker.library.site_codes import SiteCodes
from tracker.paper import Paper
from tracker.search.index import PaperIndex, top_rows
from tracker.search.site_search import store_site_index
from tracker.store import PaperStore

REPO = Path(__file__).resolve().parent.parent
TOPICS = REPO / "scripts" / "eval_topics"
MIN_LIBRARY = 5
MIN_TARGETS = 2
PAIR_COSINE = 0.3
SEED = 2311


@dataclass
class User:
    library: list[int]  # index rows
    targets: dict[int, float]  # index row -> gain
    candidates: np.ndarray  # index rows (library excluded)


def metrics(ranked: list[int], targets: dict[int, float]) -> tuple[float, float]:
    """recall@20 and nDCG@10 of one ranking."""
    recall = sum(1 for r in ranked[:20] if r in targets) / len(targets)
    dcg = sum(targets.get(r, 0.0) / np.log2(i + 2) for i, r in enumerate(ranked[:10]))
    ideal = sum(g / np.log2(i + 2) for i, g in enumerate(sorted(targets.values(), reverse=True)[:10]))
    return recall, dcg / ideal if ideal else 0.0


def author_users(papers: list[Paper], position: dict[str, int], window_start: date, window_end: date | None,
                 users: int) -> list[User]:
    before: dict[str, list[int]] = defaultdict(list)
    during: dict[str, list[int]] = defaultdict(list)
    window = []
    for p in papers:
        row = position.get(p.id)
        if row is None:
            continue
        inside = p.published >= window_start and (window_end is None or p.published <= window_end)
        if inside:
            window.append(row)
        elif p.published < window_start:
            for a in set(p.authors):
                before[a].append(row)
        if inside:
            for a in set(p.authors):
                during[a].append(row)
    names = sorted(a for a in during if len(during[a]) >= MIN_TARGETS and len(before.get(a, [])) >= MIN_LIBRARY)
    random.Random(SEED).shuffle(names)
    candidates = np.array(sorted(window), dtype=np.int64)
    return [User(sorted(before[a]), dict.fromkeys(during[a], 1.0), candidates) for a in names[:users]]


def pairs_of(users: list[User], vectors: np.ndarray, count: int) -> list[User]:
    """Two-interest libraries: pairs of users whose libraries' mean vectors are far apart."""
    means = methods.unit_rows(np.stack([vectors[u.library].mean(axis=0) for u in users]))
    pairs = [(i, j) for i in range(len(users)) for j in range(i + 1, len(users)) if means[i] @ means[j] < PAIR_COSINE]
    random.Random(SEED).shuffle(pairs)
    out = []
    for i, j in pairs[:count]:
        library = sorted(set(users[i].library) | set(users[j].library))
        targets = {**users[i].targets, **users[j].targets}
        for row in library:
            targets.pop(row, None)
        if targets:
            out.append(User(library, targets, users[i].candidates))
    return out


def topic_users(papers_by_id: dict[str, Paper], position: dict[str, int]) -> tuple[list[User], list[User]]:
    judged: dict[str, dict[str, int]] = defaultdict(dict)
    with (TOPICS / "judgments.tsv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            judged[row["query-id"]][row["corpus-id"]] = int(row["score"])
    pool = [position[i] for i in (TOPICS / "corpus_ids.txt").read_text().split() if i in position]
    singles: list[tuple[list[int], dict[int, float]]] = []
    for query in sorted(judged):
        on_topic = sorted((i for i, s in judged[query].items() if s == 2 and i in position),
                          key=lambda i: (papers_by_id[i].published, i))
        half = len(on_topic) // 2
        library = [position[i] for i in on_topic[:half]]
        targets = {position[i]: float(s) for i, s in judged[query].items()
                   if s > 0 and i in position and position[i] not in library}
        if library and targets:
            singles.append((library, targets))

    def user(library: list[int], targets: dict[int, float]) -> User:
        chosen = set(library)
        return User(sorted(chosen), {r: g for r, g in targets.items() if r not in chosen},
                    np.array(sorted(r for r in pool if r not in chosen), dtype=np.int64))

    one = [user(lib, tg) for lib, tg in singles]
    two = [user(a[0] + b[0], {**a[1], **b[1]}) for n, a in enumerate(singles) for b in singles[n + 1 :]]
    return one, two


Ranker = Callable[[User], list[int]]


class Candidates:
    """A user's candidates (the library left out) and their vectors; users of an author set share one window,
    so the vectors are gathered once per window, not once per user and ranking."""

    def __init__(self, vectors: np.ndarray) -> None:
        self.vectors = vectors
        self._last: tuple[int, np.ndarray, np.ndarray] | None = None

    def of(self, user: User) -> tuple[np.ndarray, np.ndarray]:
        keep = ~np.isin(user.candidates, user.library)
        if keep.all():
            if self._last is None or self._last[0] != id(user.candidates):
                self._last = (id(user.candidates), user.candidates, self.vectors[user.candidates])
            return self._last[1], self._last[2]
        cands = user.candidates[keep]
        return cands, self.vectors[cands]


def exact_ranker(method: str, index: PaperIndex, ages: Callable[[User], np.ndarray],
                 settings: methods.MethodSettings, texts: list[tuple[str, str]], pool: Candidates) -> Ranker:
    def rank(user: User) -> list[int]:
        cands, vectors = pool.of(user)
        library = index.vectors[user.library]
        if method == "mix":
            return [int(cands[i]) for i, _ in methods.mix_ranking(vectors, library, 20, settings)]
        if method == "bm25":
            scores = methods.bm25_scores(index.lexical, [texts[r] for r in user.library])[cands]
        else:
            scores = methods.vector_scores(method, vectors, library, ages(user), settings)
        return [int(cands[i]) for i in top_rows(scores, 20)]

    return rank


def site_ranker(method: str, site_vectors: np.ndarray, site_row: np.ndarray, topk: int = site_rank.TOPK) -> Ranker:
    """The page's ranking on site vectors (``site_rank.rank``'s steps: unit, scores, order, here with the unit
    vectors computed once); rows mapped index row <-> site row."""
    index_row_of_site = np.empty(len(site_row), dtype=np.int64)
    index_row_of_site[site_row] = np.arange(len(site_row))
    unit = site_rank.unit(site_vectors)
    pool = Candidates(unit[site_row])  # by index row, as users name papers

    def rank(user: User) -> list[int]:
        cands, vectors = pool.of(user)
        rows = site_row[cands]
        values = site_rank.scores(vectors, unit[site_row[user.library]], method, topk)
        return [int(cands[i]) for i in site_rank.order(values, rows, 20)]

    return rank


def evaluate(rankers: dict[str, Ranker], sets: dict[str, list[User]], log: Callable[[str], None],
             references: dict[str, Ranker] | None = None) -> dict[str, dict[str, dict[str, float]]]:
    """Each ranker on each set; a ``site-X`` ranker also gets its top-10 overlap with ``X`` (the same method
    on the exact vectors; ``site-X (scale s)`` and ``site-X (k=n)`` with ``X`` and ``X (k=n)``)."""
    references = {**(references or {}), **rankers}
    out: dict[str, dict[str, dict[str, float]]] = {}
    for set_name, users in sets.items():
        out[set_name] = {}
        for name, ranker in rankers.items():
            started = time.perf_counter()
            runs = [ranker(u) for u in users]
            scored = [metrics(r, u.targets) for r, u in zip(runs, users, strict=True)]
            out[set_name][name] = {"recall@20": float(np.mean([s[0] for s in scored])),
                                   "ndcg@10": float(np.mean([s[1] for s in scored])), "users": len(users),
                                   "seconds": round(time.perf_counter() - started, 1)}
            reference = name[5:].split(" (scale")[0]
            if name.startswith("site-") and reference in references:
                exact = [references[reference](u) for u in users]
                overlaps = [len(set(a[:10]) & set(b[:10])) / max(1, min(10, len(a)))
                            for a, b in zip(runs, exact, strict=True)]
                out[set_name][name]["top10_overlap"] = float(np.mean(overlaps))
            overlap = out[set_name][name].get("top10_overlap")
            log(f"{set_name:<15} {name:<22} recall@20 {out[set_name][name]['recall@20']:.3f}  "
                f"nDCG@10 {out[set_name][name]['ndcg@10']:.3f}  ({len(users)} users)"
                + (f"  top-10 overlap with exact {overlap:.3f}" if overlap is not None else ""))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=REPO / "data")
    parser.add_argument("--cache-dir", type=Path, default=REPO / ".cache" / "llm-atlas")
    parser.add_argument("--users", type=int, default=2000, help="authors per window (drawn with a fixed seed)")
    parser.add_argument("--pairs", type=int, default=500, help="two-author libraries per window")
    parser.add_argument("--split", choices=("test", "dev", "both"), default="both")
    parser.add_argument("--tune", action="store_true", help="also try the settings grid (dev)")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    store = PaperStore(args.data_dir)
    papers = list(store)
    index = PaperIndex.load(args.cache_dir)
    if not index.matches(store):
        log("warning: the index is older than the store; run `llm-atlas index`")
    position = index.position
    by_id = {p.id: p for p in papers}
    texts = [(by_id[i].title, by_id[i].abstract) if i in by_id else ("", "") for i in index.ids]
    published = {p.id: p.published.isoformat() for p in papers}
    dates = np.array([np.datetime64(published.get(i, "1970-01-01")) for i in index.ids])

    def ages(user: User) -> np.ndarray:
        own = dates[user.library]
        return ((own.max() - own) / np.timedelta64(1, "D")).astype(np.float64)

    test_window = newest_weeks(max(p.published for p in papers))
    assert test_window.since is not None
    dev_start = test_window.since - timedelta(days=28)
    sets: dict[str, list[User]] = {}
    if args.split in ("test", "both"):
        sets["authors"] = author_users(papers, position, test_window.since, None, args.users)
        sets["two-authors"] = pairs_of(sets["authors"], index.vectors, args.pairs)
        sets["topics"], sets["two-topics"] = topic_users(by_id, position)
    if args.split in ("dev", "both"):
        sets["dev-authors"] = author_users(papers, position, dev_start, test_window.since - timedelta(days=1),
                                           args.users)
        sets["dev-two-authors"] = pairs_of(sets["dev-authors"], index.vectors, args.pairs)
    for name, users in sets.items():
        sizes = [len(u.library) for u in users]
        log(f"{name}: {len(users)} users, library {min(sizes)}-{max(sizes)} papers (median "
            f"{int(np.median(sizes))}), {np.mean([len(u.targets) for u in users]):.1f} to find, "
            f"{int(np.mean([len(u.candidates) for u in users]))} candidates")

    settings = methods.DEFAULT_SETTINGS
    pool = Candidates(index.vectors)
    rankers: dict[str, Ranker] = {m: exact_ranker(m, index, ages, settings, texts, pool)
                                  for m in (*methods.VECTOR_METHODS, "bm25")}
    site = store_site_index(index, published, log=log)
    codes = SiteCodes.from_site(site, [published.get(i, "") for i in site.ids])
    site_vectors = codes.vectors(np.arange(len(site.ids)))
    site_row = np.empty(len(index.ids), dtype=np.int64)
    site_row[site.index_rows] = np.arange(len(site.ids))
    for method in site_rank.METHODS:
        rankers[f"site-{method}"] = site_ranker(method, site_vectors, site_row)
    # the settings grid, on the dev split only (what the defaults were chosen on)
    grid: dict[str, Ranker] = {}
    if args.tune:
        for topk in (2, 5, 8):  # k = 3 is the default
            grid[f"topk (k={topk})"] = exact_ranker("topk", index, ages, replace(settings, topk=topk), texts, pool)
            grid[f"site-topk (k={topk})"] = site_ranker("topk", site_vectors, site_row, topk)
        for half_life in (30.0, 90.0, 365.0):
            grid[f"recency ({half_life:.0f} d)"] = exact_ranker("recency", index, ages,
                                                               replace(settings, half_life_days=half_life), texts,
                                                               pool)
        for per in (2, 8):
            for name in ("clusters", "mix"):
                grid[f"{name} ({per}/interest)"] = exact_ranker(name, index, ages,
                                                                replace(settings, papers_per_cluster=per), texts,
                                                                pool)
        for scale in (1.0, 1.5, 1.75, 2.0):
            scaled = codes.vectors(np.arange(len(site.ids)), residual_scale=scale)
            for method in ("mean", "topk"):
                grid[f"site-{method} (scale {scale})"] = site_ranker(method, scaled, site_row)

    results = evaluate(rankers, sets, log)
    # the grid on the dev split, and on the topic sets too, where the residual scale is chosen by agreement with
    # the exact ranking (not by recall): that choice must hold for libraries of either kind
    dev = {name: users for name, users in sets.items() if name.startswith("dev-") or "topics" in name}
    if grid and dev:
        for name, figures in evaluate(grid, dev, log, rankers).items():
            results[name].update(figures)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
