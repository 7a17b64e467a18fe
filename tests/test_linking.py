"""Linking papers to catalog models: whole names, versions, false friends, family-only mentions, own papers,
and precision/recall on the labelled set of real abstracts (tests/fixtures/linking/)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from conftest import FIXTURES, REPO

from tracker.importer import read_papers
from tracker.knowledge.catalog import load_catalog
from tracker.knowledge.linking import ModelLinker, alias_pattern, score_links
from tracker.paper import Paper

LABELS = FIXTURES / "linking" / "labels.jsonl"
LABELLED_PAPERS = FIXTURES / "linking" / "papers.jsonl"


@pytest.fixture(scope="module")
def linker() -> ModelLinker:
    return ModelLinker(load_catalog(REPO / "catalog"))


def paper(title: str, abstract: str = "", paper_id: str = "2607.00001") -> Paper:
    return Paper(id=paper_id, version=1, title=title, abstract=abstract, authors=["A. Author"],
                 categories=["cs.CL"], published=date(2026, 7, 1), updated=date(2026, 7, 1))


def linked(linker: ModelLinker, title: str, abstract: str = "") -> set[str]:
    return {link.model for link in linker.link(paper(title, abstract))}


def families(linker: ModelLinker, title: str) -> set[str]:
    return {mention.family for mention in linker.family_mentions(paper(title))}


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("LLaMA-2-7B and Mixtral 8x7B on code", {"llama-2-7b", "mixtral-8x7b"}),
        ("Llama 2 7B, Llama2-7B and llama-2-7b-chat are one model", {"llama-2-7b"}),
        ("Fine-tuning Llama 3.1 8B Instruct", {"llama-3.1-8b"}),
        ("Meta-Llama-3.1-8B-Instruct and meta-llama/Llama-3.1-70B", {"llama-3.1-8b", "llama-3.1-70b"}),
        ("Mixtral 8x22B beats Mixtral-8x7B", {"mixtral-8x22b", "mixtral-8x7b"}),
        ("GPT-4 as a judge", {"gpt-4"}),
        ("GPT-4o as a judge", {"gpt-4o"}),
        ("GPT-4o mini and GPT-4o-mini", {"gpt-4o-mini"}),
        ("GPT-4.1 and GPT-4 Turbo", {"gpt-4.1", "gpt-4-turbo"}),
        ("GPT-4V sees images", set()),
        ("GPT-3.5 is not GPT-3", {"gpt-3.5-turbo", "gpt-3"}),
        ("Claude 3 Opus and Claude 3.5 Sonnet", {"claude-3-opus", "claude-3.5-sonnet"}),
        ("Qwen3-8B and Qwen3-4B-Thinking-2507", {"qwen3-8b", "qwen3-4b"}),
        ("Qwen3-VL-8B is a vision model, Qwen3-VL-32B not in the catalog", {"qwen3-vl-8b"}),
        ("Qwen3-30B-A3B is a mixture of experts", {"qwen3-30b-a3b"}),
        ("Qwen3.5-9B is not in the catalog", set()),
        ("DeepSeek-R1 and DeepSeek-V3", {"deepseek-r1", "deepseek-v3"}),
        ("DeepSeek-R1-Distill-Qwen-7B is a dense distilled model", set()),
        ("BERT-large and RoBERTa-Large encoders", {"bert-large", "roberta-large"}),
        ("SciBERT and BioBERT for biomedical text", set()),
        ("Fine-tuning DistilBERT", {"distilbert"}),
        ("Phi-3-mini on a phone", {"phi-3-mini"}),
        ("Phi-4-reasoning and Phi-4-mini", {"phi-4-reasoning", "phi-4-mini"}),
        ("Gemma 2 9B and gemma-2-27b-it", {"gemma-2-9b", "gemma-2-27b"}),
        ("Probing BLOOM-176B's multilingual representations", {"bloom-176b"}),
        ("Flan-T5-XXL instruction tuning", {"flan-t5-xxl"}),
        ("OpenAI o1 and o3 reasoning", {"o1", "o3"}),
        ("o1-like reasoning and o3-mini", {"o3-mini"}),
        ("Llama 2.5 does not exist", set()),
        ("Llama 20 does not exist either", set()),
        ("A GPT-style decoder trained from scratch", set()),
        ("Ollama's deepseek-r1:8b is a distilled model", set()),
    ],
)
def test_alias_matching(linker: ModelLinker, title: str, expected: set[str]) -> None:
    assert linked(linker, title) == expected


@pytest.mark.parametrize(
    "title",
    [
        "A learned Bloom filter for URL sets",
        "Learned BLOOM filters for membership queries",
        "Questions graded by Bloom's taxonomy level",
        "Harmful algal bloom detection from satellites",
        "Tracking the peregrine falcon with drones",
        "Falcon 9 landing trajectories",
        "Lattice signatures: Falcon and Dilithium compared",
        "Claude Shannon and the entropy of English",
        "Entropy as first estimated by Claude E. Shannon",
        "Gemini mission telemetry and the Gemini Observatory",
        "The mistral wind over the Rhône valley",
        "Fractures of the T5 vertebra on CT",
        "The golden ratio phi in neural scaling",
        "Chinchilla scaling laws revisited",
        "Grokking in modular arithmetic",
        "BERTScore correlates with human judgements",
    ],
)
def test_common_words_are_not_models_or_families(linker: ModelLinker, title: str) -> None:
    assert linked(linker, title) == set()
    assert families(linker, title) == set()


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        # A qualifier after the name makes another model: an experimental release, a lighter or faster
        # sibling, a coding or reward model, a separately released thinking model.
        ("DeepSeek-V3.2-Exp and deepseek-v3.2-exp", set()),
        ("DeepSeek-V3.2 as a judge", {"deepseek-v3.2"}),
        ("GLM-4.5-Air and GLM-4.5 Air", set()),
        ("GLM-4.5 on agent tasks", {"glm-4.5"}),
        ("Grok-4-Fast, Grok 4 Fast and grok-4-fast", set()),
        ("GPT-5-Codex writes the patch", set()),
        ("Kimi-K2-Thinking and kimi-k2-thinking", set()),
        ("Llama-3.1-Nemotron-70B-Reward scores answers", set()),
        ("Llama-3.1-Nemotron-70B-Instruct answers", {"llama-3.1-nemotron-70b"}),
        # In lower case and unhyphenated these are words: Qwen3-8B's thinking mode is Qwen3-8B.
        ("Qwen3-8B thinking mode versus fast answers from Grok 4", {"qwen3-8b", "grok-4"}),
        # Where a "Thinking" name is a mode of the model itself, the catalog lists it as an alias.
        ("Claude-Sonnet-4.5-Thinking and Qwen3-4B-Thinking", {"claude-sonnet-4.5", "qwen3-4b"}),
        # "Command R" in "Command R+" is not Command R; the plus is part of the name.
        ("Command R+ retrieves", {"command-r-plus"}),
        # A hyphenated letter-and-digit code names a derived model: GPT3-D2 is text-davinci-002 (GPT-3.5).
        ("GPT3-D2, Falcon-7b and Mpt-7b", {"falcon-7b"}),
        ("Mistral-7B-v0.3 is Mistral 7B", {"mistral-7b"}),
        # text-davinci-003 is a GPT-3.5 model of its own, not the gpt-3.5-turbo API model.
        ("text-davinci-003 labels the data", set()),
        # Distilled students are other models than their teacher.
        ("Qwen3 and DeepSeek-R1 distillations", set()),
        ("DeepSeek-R1 distilled models and DeepSeek-R1-Distill-Qwen-7B", set()),
        ("Distilling DeepSeek-R1 into Qwen3-8B", {"deepseek-r1", "qwen3-8b"}),
    ],
)
def test_names_that_make_another_model(linker: ModelLinker, title: str, expected: set[str]) -> None:
    assert linked(linker, title) == expected


def test_a_plus_ends_a_name_but_joins_two() -> None:
    assert alias_pattern("Command R").search("Command R+ and Command R+, both") is None
    assert alias_pattern("RoBERTa-large").search("a RoBERTa-large+CRF tagger") is not None
    assert alias_pattern("Gemma-3-4B").search("Gemma-3-4B VLM") is None


def test_an_unsized_name_in_a_list_of_families_is_the_family(linker: ModelLinker) -> None:
    # The paper behind this rule ran the distilled R1 models, which it calls a family.
    p = paper("Fault recovery in dialogue", "We compare three strategies across six open-weight model families "
              "(DeepSeek-R1, Gemma-2, Llama-3, Mistral, Phi-3, and Qwen-2.5) and four database conditions.")
    assert linker.link(p) == []
    assert {m.family for m in linker.family_mentions(p)} >= {"deepseek", "gemma", "llama", "mistral", "phi"}
    # A sized name in such a list is still the model the paper ran.
    sized = "Across two model families (Mistral-7B, LLaMA-3-8B) and three QA benchmarks"
    assert linked(linker, sized) == {"mistral-7b", "llama-3-8b"}
    # Outside such a list an unsized name is the model.
    assert linked(linker, "DeepSeek-R1 and Gemma-2 on maths") == {"deepseek-r1"}


def test_bloom_filter_is_not_bloom(linker: ModelLinker) -> None:
    text = "We store the n-grams of BLOOM's training set in a Bloom filter to test memorisation."
    links = linker.link(paper("Memorisation in BLOOM-176B", text))
    assert [(link.model, link.evidence) for link in links] == [("bloom-176b", "BLOOM-176B")]
    only_filter = paper("Space-efficient Bloom filters", "A Bloom filter answers membership queries.")
    assert linker.link(only_filter) == [] and linker.family_mentions(only_filter) == []


def test_a_family_named_without_a_catalog_model_links_to_the_family_only(linker: ModelLinker) -> None:
    p = paper("Steering Qwen3.5-9B and Llama 4 Behemoth", "We compare with GPT-5.3 and Claude Opus 5.")
    assert linker.link(p) == []
    mentions = {m.family: m.evidence for m in linker.family_mentions(p)}
    assert mentions == {"qwen": "Qwen3.5-9B", "llama": "Llama 4", "gpt": "GPT-5.3", "claude": "Claude"}
    assert all(m.as_dict()["model"] is None and m.via == "family" for m in linker.family_mentions(p))


def test_a_bare_version_or_family_name_is_not_guessed_to_be_a_model(linker: ModelLinker) -> None:
    # "Llama 2" and "Qwen3" name releases with several sizes: which model a paper used is not known.
    assert linked(linker, "Fine-tuning Llama 2 and Qwen3 for clinical notes") == set()
    assert families(linker, "Fine-tuning Llama 2 and Qwen3 for clinical notes") == {"llama", "qwen"}


def test_no_family_mention_when_one_of_its_models_is_linked(linker: ModelLinker) -> None:
    p = paper("Qwen3-8B as a judge", "The Qwen family of models is popular.")
    assert {link.model for link in linker.link(p)} == {"qwen3-8b"}
    assert linker.family_mentions(p) == []


def test_a_models_own_paper_links_by_arxiv_id(linker: ModelLinker) -> None:
    links = linker.link(paper("Open foundation and fine-tuned chat models", paper_id="2307.09288"))
    assert {(link.model, link.via) for link in links} == {
        ("llama-2-7b", "arxiv"), ("llama-2-13b", "arxiv"), ("llama-2-70b", "arxiv")
    }


def _labels() -> dict[tuple[str, str], bool]:
    rows = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines()]
    return {(row["paper"], row["target"]): bool(row["label"]) for row in rows if row["target"]}


def test_the_labelled_set_is_real_and_large_enough() -> None:
    papers = list(read_papers(LABELLED_PAPERS))
    labels = _labels()
    assert len(papers) >= 250 and len(labels) >= 300
    assert sum(not right for right in labels.values()) >= 50, "hard negatives are part of the set"
    assert {paper_id for paper_id, _target in labels} <= {p.id for p in papers}
    assert any(t == "family:bloom" and not right for (_p, t), right in labels.items())


def test_linking_precision_and_recall_on_the_labelled_set(linker: ModelLinker) -> None:
    scores = score_links(linker, list(read_papers(LABELLED_PAPERS)), _labels())
    for level in ("model", "family", "all"):
        score = scores[level]
        assert score.unlabelled == (), f"label these predictions first: {score.unlabelled[:5]}"
        assert score.precision >= 0.95, score.as_dict()
        assert score.recall >= 0.90, score.as_dict()


def test_links_json_keeps_its_contract(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    (data_dir / "papers" / "2026").mkdir(parents=True)
    wanted = {"2606.30383", "2606.09603", "2605.28454"}  # a model, models + families, a Bloom filter
    lines = [line for line in LABELLED_PAPERS.read_text().splitlines() if json.loads(line)["id"] in wanted]
    (data_dir / "papers" / "2026" / "06.jsonl").write_text("\n".join(sorted(lines)) + "\n")

    def run(*extra: str) -> dict[str, list[dict[str, str | None]]]:
        result = subprocess.run([sys.executable, "-m", "tracker", "links", "--json", *extra, "--data-dir",
                                 str(data_dir), "--catalog-dir", str(REPO / "catalog")],
                                capture_output=True, text=True, check=True)
        return json.loads(result.stdout)

    plain = run()
    assert plain == {
        "2606.30383": [{"model": "qwen3-32b", "family": "qwen", "via": "alias", "evidence": "Qwen3-32B"}],
        "2606.09603": [
            {"model": "deepseek-v3.2", "family": "deepseek", "via": "alias", "evidence": "DeepSeek-V3.2"},
            {"model": "gemini-3-flash", "family": "gemini", "via": "alias", "evidence": "Gemini-3-Flash-Preview"},
            {"model": "gpt-5.4", "family": "gpt", "via": "alias", "evidence": "GPT-5.4"},
            {"model": "llama-4-maverick", "family": "llama", "via": "alias", "evidence": "Llama-4-Maverick"},
        ],
    }
    with_families = run("--families")
    assert set(with_families) == {"2606.30383", "2606.09603"}
    # A catalog model, plus two families named only by models the catalog lacks ("Claude", "Llama-3.1").
    assert {(e["family"], e["model"]) for e in with_families["2606.30383"]} == {
        ("qwen", "qwen3-32b"), ("claude", None), ("llama", None)
    }
    assert all(e.keys() >= {"model", "family", "via"} for entries in with_families.values() for e in entries)
