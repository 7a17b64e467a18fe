"""A catalog file drafted from what the store knows about a candidate: adding a model is filling in blanks.

``llm-atlas catalog candidates --draft NAME`` writes it. The draft holds only what the papers show — the spellings
they use (its aliases), how many papers name it and the first one, and the papers that seem to introduce it — and
leaves every fact (organisation, release date, open weights, licence, parameters, context …) ``unknown``: a fact
comes from the model's paper, card or vendor page, never from papers that merely use the model. Its ``draft``
block makes ``llm-atlas catalog validate`` refuse the file (``tracker.knowledge.catalog.draft_problem``) until the
facts are filled in with their sources and the block is deleted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from tracker.knowledge.candidates import (
    Candidate,
    extract_mentions,
    find_candidates,
    name_key,
    plain_name,
    release_name,
)
from tracker.knowledge.catalog import Catalog
from tracker.knowledge.linking import ModelLinker
from tracker.paper import Paper

# A paper that introduces a model names it first in its title ("Qwen3-VL Technical Report") or right after saying
# so ("We introduce Qwen3-VL, …", "we present the Kimi K2.5 model"); a paper that evaluates it names it elsewhere.
_INTRODUCES = re.compile(
    r"(?:\b[Ww]e\s+(?:introduce|present|release|open-source|open-sourced|develop|train)|\b[Ii]ntroducing)"
    r"(?:\s+(?:the|our|a|an|new))?\s*$"
)
_ID_CHARS = re.compile(r"[^a-z0-9.\-]+")


class DraftError(Exception):
    """The name cannot be drafted (already in the catalog, reviewed as not a model, or not named by any paper)."""


@dataclass(frozen=True)
class Draft:
    model_id: str
    family: str
    family_known: bool
    text: str

    @property
    def relative_path(self) -> str:
        return f"models/{self.family}/{self.model_id}.yaml"


def model_id(name: str) -> str:
    """A catalog id for a name: "Claude Opus 4.6" → claude-opus-4.6, "Qwen2.5-VL-7B" → qwen2.5-vl-7b."""
    return re.sub(r"-{2,}", "-", _ID_CHARS.sub("-", name.casefold())).strip("-.")


def _quote(value: str) -> str:
    # A JSON string is a YAML double-quoted scalar: safe for any name or title.
    return json.dumps(value, ensure_ascii=False)


def _release_keys(candidate: Candidate) -> set[str]:
    """The keys of the name and of its release: "Qwen3-VL-8B" is introduced by "Qwen3-VL Technical Report"."""
    return {candidate.key, name_key(release_name(plain_name(candidate.name)))}


def _introducing_papers(candidate: Candidate, papers: Sequence[Paper]) -> list[Paper]:
    """Stored papers that introduce the model or its release (see ``_INTRODUCES``)."""
    keys = _release_keys(candidate)
    found: list[Paper] = []
    for paper in papers:
        if candidate.stem not in paper.title.casefold():  # cheap test first: the title must hold the stem
            continue
        text = f"{paper.title}\n{paper.abstract}"
        if any(m.key in keys and (m.start == 0 or _INTRODUCES.search(text, max(0, m.start - 40), m.start))
               for m in extract_mentions([paper], set())):
            found.append(paper)
    return sorted(found, key=lambda p: (p.published, p.id))


def _why_not(name: str, catalog: Catalog) -> str:
    key = name_key(name)
    for entry in catalog.not_models:
        if key in {name_key(spelling) for spelling in [entry.name, *entry.aliases]}:
            return f"{name!r} is listed in catalog/not_models.yaml as a {entry.kind}: {entry.why}"
    for model, _alias, pattern in ModelLinker(catalog).patterns:
        if pattern.fullmatch(name):
            return f"{name!r} is already in the catalog: {model.family}/{model.id}.yaml"
    return f"{name!r} is not among the candidates: no stored paper names it as a model the catalog lacks"


def draft_model(name: str, papers: Sequence[Paper], catalog: Catalog, today: date) -> Draft:
    """The draft of one candidate (matched by :func:`name_key`, so any spelling the papers use will do)."""
    key = name_key(name)
    candidate = next((c for c in find_candidates(papers, catalog).candidates if c.key == key), None)
    if candidate is None:
        raise DraftError(_why_not(name, catalog))
    by_id = {paper.id: paper for paper in papers if paper.id in set(candidate.papers)}
    ordered = sorted(by_id.values(), key=lambda p: (p.published, p.id))
    first = ordered[0]
    introducing = _introducing_papers(candidate, papers)
    family = candidate.family or candidate.stem
    name_plain = plain_name(candidate.name)
    mid = model_id(name_plain)
    command = f"llm-atlas catalog candidates --draft {_quote(name)}"
    lines = [
        "# yaml-language-server: $schema=../../schema/model.schema.json",
        f"# Drafted by `{command}` on {today.isoformat()} from the stored papers.",
        "# Every fact says unknown: fill each in from the model's paper, model card or vendor page, with that",
        "# source's URL beside it (a number's `source:`, the page under `links:`), check the aliases, then delete",
        "# the draft block. `llm-atlas catalog validate` refuses this file until then.",
        "draft:",
        f"  papers: {len(candidate.papers)}  # stored papers naming it, {ordered[0].published} to "
        f"{ordered[-1].published}",
        f"  first_paper: {_quote(first.id)}  # {first.published}: {_quote(first.title)}",
    ]
    if introducing:
        lines.append("  introduced_by:  # papers that introduce it or its release: its own paper, if so")
        lines += [f"  - {_quote(p.id)}  # {_quote(p.title)}" for p in introducing]
    else:
        lines.append("  introduced_by: []  # no stored paper seems to introduce it")
    if family not in catalog.families:
        lines.append(f"  family: {_quote(f'{family} is not in catalog/families.yaml: describe it there first')}")
    lines += [
        f"id: {mid}",
        f"name: {_quote(name_plain)}",
        f"family: {family}",
        "organization: unknown",
        "release_date: unknown",
        "open_weights: unknown",
        "license: unknown",
        "architecture:",
        "  type: unknown  # decoder-only, encoder-only or encoder-decoder",
        "  moe: unknown",
        "parameters:",
        "  total: unknown",
        "context_length:",
        "  value: unknown",
        "tokenizer:",
        "  algorithm: unknown",
        "  vocab_size: unknown",
        "training_tokens:",
        "  value: unknown",
        "arxiv_ids: []  # its own paper's id, once checked (see introduced_by)",
        "links: {}  # paper, blog, model_card, weights: at least one source",
        "aliases:  # as the papers write it",
    ]
    lines += [f"- {_quote(spelling)}" for spelling in _aliases(candidate)]
    lines.append("last_verified: unknown")
    return Draft(model_id=mid, family=family, family_known=family in catalog.families, text="\n".join(lines) + "\n")


def _aliases(candidate: Candidate) -> list[str]:
    """The papers' spellings, one per case-insensitive form (the catalog's aliases are unique that way)."""
    seen: dict[str, str] = {}
    for spelling in [plain_name(candidate.name), candidate.name, *candidate.variants]:
        seen.setdefault(spelling.casefold(), spelling)
    return list(seen.values())
