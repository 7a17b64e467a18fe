"""Linking papers to catalog models: whole names, versions, false friends, own papers."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import REPO

from tracker.catalog import load_catalog
from tracker.linking import ModelLinker
from tracker.paper import Paper


@pytest.fixture(scope="module")
def linker() -> ModelLinker:
    return ModelLinker(load_catalog(REPO / "catalog"))


def paper(title: str, abstract: str = "", paper_id: str = "2607.00001") -> Paper:
    return Paper(id=paper_id, version=1, title=title, abstract=abstract, authors=["A. Author"],
                 categories=["cs.CL"], published=date(2026, 7, 1), updated=date(2026, 7, 1))


def linked(linker: ModelLinker, title: str, abstract: str = "") -> set[str]:
    return {link.model for link in linker.link(paper(title, abstract))}


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Fine-tuning Llama 2 for clinical notes", {"llama-2-70b"}),
        ("LLaMA-2 and Mixtral 8x7B on code", {"llama-2-70b", "mixtral-8x7b"}),
        ("Probing BLOOM's multilingual representations", {"bloom-176b"}),
        ("GPT-4 as a judge", {"gpt-4"}),
        ("GPT-4o as a judge", set()),  # a different model, not GPT-4
        ("Llama 2.5 does not exist", set()),
        ("A learned Bloom filter for URL sets", set()),
        ("Learned BLOOM filters", set()),
        ("Tracking the peregrine falcon with drones", set()),
        ("Claude Shannon and the entropy of English", set()),
        ("bloom of algae in lakes", set()),
    ],
)
def test_alias_matching(linker: ModelLinker, title: str, expected: set[str]) -> None:
    assert linked(linker, title) == expected


def test_a_models_own_paper_links_by_arxiv_id(linker: ModelLinker) -> None:
    links = linker.link(paper("Open foundation and fine-tuned chat models", paper_id="2307.09288"))
    assert [(link.model, link.via) for link in links] == [("llama-2-70b", "arxiv")]
