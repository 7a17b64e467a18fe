"""Link papers to the catalog models they are about: by the model's own arXiv ids, then by its aliases.

Aliases match whole names only: "Llama 2" does not match "Llama 2.5" or "Llama 20", "GPT-4" does not
match "GPT-4o". Words that share a model's name ("Bloom filter", "falcon" the bird, Claude Shannon) are
recognised by their context and skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from tracker.catalog import Catalog, CatalogModel
from tracker.paper import Paper

Via = Literal["arxiv", "alias", "semantic"]

# Contexts where a model's name means something else. Matched around each alias hit.
_FALSE_FRIENDS = re.compile(
    r"bloom(?:'s)?[- ](?:filters?|taxonomy|level)|falcons?[- ](?:birds?|species|nests?|eggs?)|"
    r"claude shannon|shannon,? claude|peregrine falcon|mistral winds?|"
    r"bert(?:'s)? (?:and ernie)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class PaperLink:
    paper_id: str
    model: str
    family: str
    via: Via
    evidence: str

    def as_dict(self) -> dict[str, str]:
        return {"model": self.model, "family": self.family, "via": self.via, "evidence": self.evidence}


def alias_pattern(alias: str) -> re.Pattern[str]:
    """A whole-name pattern: separators may be space, hyphen or nothing; no trailing version digits."""
    parts = [re.escape(part) for part in re.split(r"[\s\-]+", alias.strip()) if part]
    body = r"[\s\-]?".join(parts)
    # Names in all capitals (BLOOM, BERT) must match in capitals: "bloom" and "Bert" are ordinary words.
    flags = 0 if alias.isupper() or alias[:1].isupper() and alias not in _CASELESS else re.IGNORECASE
    return re.compile(r"(?<![\w\-.])" + body + r"(?![\w])(?!\.\d)(?!-\d)", flags)


# Aliases written in several casings in the literature.
_CASELESS = {"Llama 2", "Llama-2", "LLaMA 2", "LLaMA-2", "Llama2", "LLaMA2"}


class ModelLinker:
    """Precompiled alias patterns for a catalog, applied to paper title + abstract."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.by_arxiv: dict[str, list[CatalogModel]] = {}
        self.patterns: list[tuple[CatalogModel, str, re.Pattern[str]]] = []
        for model in sorted(catalog.models.values(), key=lambda m: m.id):
            for arxiv_id in model.arxiv_ids:
                self.by_arxiv.setdefault(arxiv_id, []).append(model)
            for alias in sorted(set(model.aliases), key=lambda a: (-len(a), a)):
                self.patterns.append((model, alias, alias_pattern(alias)))

    def link(self, paper: Paper) -> list[PaperLink]:
        found: dict[str, PaperLink] = {}
        for model in self.by_arxiv.get(paper.id, []):
            found[model.id] = PaperLink(paper.id, model.id, model.family, "arxiv", paper.id)
        text = f"{paper.title}\n{paper.abstract}"
        for model, _alias, pattern in self.patterns:
            if model.id in found:
                continue
            for match in pattern.finditer(text):
                window = text[max(0, match.start() - 30) : match.end() + 30]
                if _FALSE_FRIENDS.search(window):
                    continue
                found[model.id] = PaperLink(paper.id, model.id, model.family, "alias", match.group(0))
                break
        return [found[key] for key in sorted(found)]


def link_papers_to_models(papers: Iterable[Paper], catalog: Catalog) -> dict[str, list[PaperLink]]:
    """``{paper id: links}`` for every paper with at least one link."""
    linker = ModelLinker(catalog)
    links: dict[str, list[PaperLink]] = {}
    for paper in papers:
        found = linker.link(paper)
        if found:
            links[paper.id] = found
    return links
