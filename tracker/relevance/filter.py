"""Is a paper about large language models?  The relevance filter, in two stages.

1. Keywords (``tracker.relevance.keywords``): clear cases are settled by the words alone.
2. Meaning (``tracker.relevance.classifier``): papers the keywords cannot settle are embedded with
   all-MiniLM-L6-v2 and scored by a small logistic regression trained on hand-labelled real papers.

``select_llm_papers`` runs both on a batch; ``is_llm_paper`` on one paper. Measured on the held-out split of
``tests/fixtures/relevance/labelled.jsonl`` (see its README and ``tests/test_relevance.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from tracker.embedding.embedders import Embedder
from tracker.paper import Paper
from tracker.relevance.classifier import load_model, score_papers, zone
from tracker.relevance.keywords import assess


def select_llm_papers(papers: Sequence[Paper], embedder: Embedder | None = None) -> list[bool]:
    """The verdict for each paper of a batch (same order): lexical zones first, the model for the rest.

    Only the papers the keywords cannot settle are embedded, all in one batch.
    """
    evidence = [assess(p) for p in papers]
    zones = [zone(e) for e in evidence]
    undecided = [i for i, z in enumerate(zones) if z == "decide"]
    verdicts = [z == "accept" for z in zones]
    if undecided:
        model = load_model()
        scores = score_papers([papers[i] for i in undecided], [evidence[i] for i in undecided], embedder, model)
        for i, score in zip(undecided, scores, strict=True):
            verdicts[i] = score >= model.threshold
    return verdicts


def filter_llm_papers(
    papers: Sequence[Paper], embedder: Embedder | None = None, chunk: int = 1000,
    progress: Callable[[int], Any] | None = None,
) -> list[Paper]:
    """The LLM papers among ``papers`` (order kept), judged a chunk at a time so progress can be shown."""
    kept: list[Paper] = []
    for start in range(0, len(papers), chunk):
        batch = papers[start : start + chunk]
        kept.extend(p for p, ok in zip(batch, select_llm_papers(batch, embedder), strict=True) if ok)
        if progress:
            progress(len(batch))
    return kept


def is_llm_paper(paper: Paper, embedder: Embedder | None = None) -> bool:
    """Whether ``paper`` is about LLMs (lexical zones, then the embedding model; see ``select_llm_papers``)."""
    return select_llm_papers([paper], embedder)[0]
