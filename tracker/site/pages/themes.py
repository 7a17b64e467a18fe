"""Themes of the week: the week's papers clustered by their vectors, each theme labelled by its own words.

Clusters: spherical k-means (cosine) over the search index's paper vectors, k-means++ seeding from a fixed
seed and the best of ``RESTARTS`` runs, on the papers in id order, so the same papers give the same themes.
``theme_count`` themes a week (5 to 8, growing with the week); a cluster under ``min_theme_size`` papers is
not shown.

Labels: class-based TF-IDF (c-TF-IDF, as BERTopic): the week's themes are the classes, a term's weight in a
theme is its frequency there (papers that use it, over the theme's size) times ``log(1 + A / f)``, ``A`` the
average theme size and ``f`` the papers of the whole week that use it, so a word every theme shares
("language models") weighs little and a theme's own words ("speculative decoding") much. Terms are words
and two-word phrases of the title and abstract (stop words and research boilerplate left out), merged by
their English stem and written in the theme's most frequent spelling. A term must be used by
``MIN_TERM_SHARE`` of the theme's papers; the label is its ``LABEL_TERMS`` best terms sharing no stem (a
phrase replaces its word when it scores ``PHRASE_PREFERENCE`` of it).

Central papers: the theme's papers closest to its centroid (cosine), ties by id.

The products are ``numpy.einsum``, not BLAS: on small matrices BLAS threads cost more than they save (4x
slower on a busy two-core machine), and einsum adds in the same order on every machine.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from tracker.paper import Paper

SEED = 0
RESTARTS = 4
MAX_ITERATIONS = 100
MIN_THEMES, MAX_THEMES = 5, 8
PAPERS_PER_THEME = 60  # one theme per this many papers, within MIN_THEMES..MAX_THEMES
MIN_PAPERS = 40  # a week with fewer papers (with vectors) gets no themes
LABEL_TERMS = 3
CENTRAL = 3
MIN_TERM_SHARE = 0.05  # a label term is used by at least this share of its theme's papers (and 2 of them)
PHRASE_PREFERENCE = 0.7  # a two-word phrase replaces its word when it scores at least this share of the word

_WORD = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")  # lower-case words (numbers never start one)
_CLAUSE = re.compile(r"[.,;:!?()\[\]{}\"'`]|\s-\s")

# English function words and the boilerplate of abstracts: never a label on their own or in a phrase.
STOPWORDS = frozenset("""
a about above across after again against all almost along also although always among an and another any are
around as at be because been before being below between both but by can could did do does doing done down
due during each either else enough especially even ever every few for from further furthermore had has have
having here hence how however if in into is it its itself just less like made make makes making many may
might more moreover most much must neither no nor not now of off often on once one only onto or other others
otherwise our ours out over own per rather same several should since so some such than that the their theirs
them themselves then there thereby therefore these they this those though through thus to too toward towards
under until up upon us use used uses using very via was we well were what when where whereas whether which
while who whom whose why will with within without would yet you your
across achieve achieves achieved achieving address addresses addressing approach approaches based
benchmark benchmarks better challenge challenges challenging code available demonstrate demonstrates
demonstrated demonstrating effective effectively efficient experiment experiments experimental extensive
existing find findings first framework frameworks furthermore github highly https improve improved
improvement improvements improves improving introduce introduces introducing key large language llm llms
lead leading leverage leverages leveraging limited method methods model models new novel outperform
outperforms outperforming paper performance present presents problem promising propose proposed proposes
provide provides recent remain remains research result results reveal reveals setting settings show shows
showed shown significant significantly state-of-the-art strong studies study task tasks two three various
work works yield yields ai nlp ability abilities capability capabilities comprehensive diverse real-world
analyse analyses analysing analyze analyzes analyzing assess assessed assesses assessing assessment examine
examines examining explore explores explored exploring investigate investigates investigated investigating
""".split())  # noqa: SIM905 (a word list reads better as text)


@dataclass(frozen=True)
class Theme:
    """One theme of a week: its label terms, best first, and its papers, most central first."""

    terms: tuple[str, ...]
    papers: tuple[Paper, ...]

    @property
    def label(self) -> str:
        return ", ".join(self.terms)

    @property
    def central(self) -> tuple[Paper, ...]:
        return self.papers[:CENTRAL]


def theme_count(papers: int) -> int:
    """How many clusters a week of ``papers`` is split into: 5 below 360 papers, one more per 60, 8 from 480."""
    return max(MIN_THEMES, min(MAX_THEMES, papers // PAPERS_PER_THEME))


def min_theme_size(papers: int) -> int:
    """A cluster smaller than this is left out: 2% of the week, at least 5 papers."""
    return max(5, math.ceil(papers * 0.02))


def week_themes(papers: Sequence[Paper], vectors: Mapping[str, np.ndarray]) -> list[Theme]:
    """The themes of a week's papers, biggest first; ``[]`` when fewer than ``MIN_PAPERS`` have vectors."""
    chosen = sorted((p for p in papers if p.id in vectors), key=lambda p: p.id)
    if len(chosen) < MIN_PAPERS:
        return []
    matrix = normalised(np.stack([np.asarray(vectors[p.id], dtype=np.float32) for p in chosen]))
    assignment, centroids = spherical_kmeans(matrix, theme_count(len(chosen)))
    documents = [paper_terms(p) for p in chosen]
    smallest = min_theme_size(len(chosen))
    clusters = [np.flatnonzero(assignment == c) for c in range(len(centroids))]
    kept = [(c, rows) for c, rows in enumerate(clusters) if len(rows) >= smallest]
    labels = label_terms([[documents[r] for r in rows] for _, rows in kept], documents)
    themes = []
    for (cluster, rows), terms in zip(kept, labels, strict=True):
        closeness = _dot(matrix[rows], centroids[cluster])
        order = rows[np.lexsort((rows, -closeness))]  # most central first; ties: id order (rows follow ids)
        themes.append(Theme(tuple(terms), tuple(chosen[r] for r in order)))
    return sorted(themes, key=lambda t: (-len(t.papers), t.label))


def normalised(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms > 0, norms, 1.0)


def spherical_kmeans(matrix: np.ndarray, k: int, seed: int = SEED,
                     restarts: int = RESTARTS) -> tuple[np.ndarray, np.ndarray]:
    """(cluster of each row, unit centroids): k-means on the unit sphere, the best (most cohesive) of restarts."""
    rng = np.random.default_rng(seed)
    k = min(k, len(matrix))
    best: tuple[float, np.ndarray, np.ndarray] | None = None
    for _ in range(restarts):
        centroids = _kmeans_pp(matrix, k, rng)
        assignment = np.full(len(matrix), -1)
        for _ in range(MAX_ITERATIONS):
            new = np.argmax(np.einsum("nd,kd->nk", matrix, centroids), axis=1)
            if np.array_equal(new, assignment):
                break
            assignment = new
            counts = np.bincount(assignment, minlength=k)
            starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
            sums = np.zeros_like(centroids)
            sums[counts > 0] = np.add.reduceat(matrix[np.argsort(assignment, kind="stable")], starts[counts > 0])
            for c in np.flatnonzero(counts == 0):  # an emptied cluster restarts at the row farthest from its centroid
                sums[c] = matrix[int(np.argmin(np.sum(matrix * centroids[assignment], axis=1)))]
            centroids = normalised(sums)
        cohesion = float(np.sum(matrix * centroids[assignment]))
        if best is None or cohesion > best[0] + 1e-9:
            best = (cohesion, assignment, centroids)
    assert best is not None
    return best[1], best[2]


def _dot(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    return np.einsum("nd,d->n", matrix, vector)


def _kmeans_pp(matrix: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """k-means++ seeds: each next seed drawn with probability growing with its distance to the nearest seed."""
    rows = [int(rng.integers(len(matrix)))]
    distance = 1.0 - _dot(matrix, matrix[rows[0]])
    for _ in range(1, k):
        weights = np.clip(distance, 0.0, None).astype(np.float64) ** 2
        total = weights.sum()
        row = int(rng.choice(len(matrix), p=weights / total)) if total > 0 else int(rng.integers(len(matrix)))
        rows.append(row)
        distance = np.minimum(distance, 1.0 - _dot(matrix, matrix[row]))
    return matrix[rows].copy()


@cache
def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


@dataclass(frozen=True)
class Document:
    """A paper's terms, each once: ``{stem key: spelling}`` (a word, or two words joined by a space)."""

    terms: dict[str, str]


def paper_terms(paper: Paper) -> Document:
    """The words and two-word phrases of a paper's title and abstract, stop words and numbers left out."""
    terms: dict[str, str] = {}
    for text in (paper.title, paper.abstract):
        for run in _runs(text.lower()):
            stems = [_stem(word) for word in run]
            for i, word in enumerate(run):
                terms.setdefault(stems[i], word)
                if i + 1 < len(run):
                    terms.setdefault(f"{stems[i]} {stems[i + 1]}", f"{word} {run[i + 1]}")
    return Document(terms)


@cache
def _stem(word: str) -> str:
    return str(_stemmer().stemWord(word))


def _runs(text: str) -> list[list[str]]:
    """Runs of content words: a stop word or punctuation between two words breaks a phrase."""
    runs: list[list[str]] = []
    for clause in _CLAUSE.split(text):
        run: list[str] = []
        for word in _WORD.findall(clause):
            if len(word) < 2 or word in STOPWORDS:
                if run:
                    runs.append(run)
                run = []
            else:
                run.append(word)
        if run:
            runs.append(run)
    return runs


def _parts(term: str) -> set[str]:
    """The stems of a term's words and of their hyphenated parts: "multi-agent" shares "agent" with "agents"."""
    words = term.split()
    return {_stem(w) for w in words} | {_stem(part) for w in words for part in w.split("-") if part}


def _abbreviates(word: str, phrase: str) -> bool:
    """Whether ``word`` is the acronym of ``phrase``: "rag" of "retrieval-augmented generation", "vlms" of
    "vision-language models"."""
    pieces = [piece for piece in re.split(r"[\s-]+", phrase) if piece]
    if len(pieces) < 2 or " " in word or "-" in word:
        return False
    return "".join(piece[0] for piece in pieces) in (word, word.removesuffix("s"))


def label_terms(themes: Sequence[Sequence[Document]], week: Sequence[Document],
                count: int = LABEL_TERMS) -> list[list[str]]:
    """Each theme's ``count`` most distinctive terms by c-TF-IDF (see the module's docstring)."""
    if not themes:
        return []
    week_use = Counter(key for doc in week for key in doc.terms)
    average = sum(len(theme) for theme in themes) / len(themes)
    labels = []
    for theme in themes:
        use = Counter(key for doc in theme for key in doc.terms)
        floor = max(2, math.ceil(MIN_TERM_SHARE * len(theme)))
        scores = {key: (n / len(theme)) * math.log(1 + average / week_use[key]) for key, n in use.items() if n >= floor}
        spelled = Counter((key, doc.terms[key]) for doc in theme for key in doc.terms if key in scores)
        spelling: dict[str, str] = {}
        for (key, text), _ in sorted(spelled.items(), key=lambda item: (-item[1], item[0])):
            spelling.setdefault(key, text)
        labels.append(_best_terms(scores, spelling, count))
    return labels


def _best_terms(scores: dict[str, float], spelling: dict[str, str], count: int) -> list[str]:
    """The best-scoring terms, spelled, no two sharing a word's stem or being each other's acronym."""
    ranked = sorted(scores, key=lambda key: (-scores[key], key))
    chosen: list[str] = []
    used: set[str] = set()  # stems of the chosen terms' words

    def fits(key: str) -> bool:
        term = spelling[key]
        return not _parts(term) & used and not any(_abbreviates(term, c) or _abbreviates(c, term) for c in chosen)

    for key in ranked:
        if not fits(key):
            continue
        if " " not in key:  # a phrase of this word nearly as distinctive says more ("speculative decoding")
            key = next((p for p in ranked if " " in p and key in p.split() and fits(p)
                        and scores[p] >= PHRASE_PREFERENCE * scores[key]), key)
        chosen.append(spelling[key])
        used |= _parts(spelling[key])
        if len(chosen) == count:
            break
    return chosen
