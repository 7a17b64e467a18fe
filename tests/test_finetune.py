"""The fine-tuned search model: the committed LoRA adapter merges deterministically into the shipped MiniLM,
changes it, exports to ONNX faithfully, and beats the base model on held-out known-item queries."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import load_file

from tracker.embedding.embedders import Embedder, make_embedder
from tracker.embedding.finetune import Pair, TrainConfig, excluded_ids, make_pair, train_adapter, training_pairs
from tracker.embedding.onnx_embedder import OnnxEmbedder
from tracker.embedding.weights import (
    ADAPTER_FILE,
    BASE_MODEL_NAME,
    MERGED_WEIGHTS,
    adapter_dir,
    adapter_fingerprint,
    base_model_path,
    merge_adapter,
    search_model_name,
    search_model_path,
)
from tracker.paper import Paper
from tracker.search.evaluation import evaluate

pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).parent / "fixtures" / "eval"
QUERIES = ["speculative decoding", "reducing hallucinations in retrieval-augmented generation", "a"]


def test_an_adapter_is_shipped_and_names_the_search_model() -> None:
    fingerprint = adapter_fingerprint()
    assert fingerprint is not None and len(fingerprint) == 12
    assert f"{BASE_MODEL_NAME}-atlas-{fingerprint}" == search_model_name()
    # small enough to commit: a LoRA on the attention's query and value projections only
    assert (adapter_dir() / ADAPTER_FILE).stat().st_size < 1_000_000
    tensors = load_file(str(adapter_dir() / ADAPTER_FILE))
    assert tensors and all("lora_" in name and (".query." in name or ".value." in name) for name in tensors)


def test_the_merge_is_deterministic_and_changes_only_the_adapted_weights(tmp_path: Path) -> None:
    merge_adapter(base_model_path(), adapter_dir(), tmp_path / "a")
    merge_adapter(base_model_path(), adapter_dir(), tmp_path / "b")
    assert (tmp_path / "a" / MERGED_WEIGHTS).read_bytes() == (tmp_path / "b" / MERGED_WEIGHTS).read_bytes()
    merged = load_file(str(tmp_path / "a" / MERGED_WEIGHTS))
    base = load_file(str(base_model_path() / "model.safetensors"))
    changed = set()
    for name, tensor in merged.items():
        original = base.get(name, base.get(f"bert.{name}"))
        assert original is not None, name
        if not np.array_equal(tensor, original):
            changed.add(name)
    assert changed and all(".query.weight" in n or ".value.weight" in n for n in changed)
    assert len(changed) == 12  # query and value of all six layers
    # a sentence-transformers folder: tokenizer and pooling come from the base unchanged
    assert (tmp_path / "a" / "tokenizer.json").read_bytes() == (base_model_path() / "tokenizer.json").read_bytes()
    assert json.loads((tmp_path / "a" / "modules.json").read_text())


@pytest.fixture(scope="module")
def texts(llm_papers: list[Paper]) -> list[str]:
    papers = sorted(llm_papers, key=lambda p: len(p.text))
    return [p.text for p in papers[:: max(1, len(papers) // 12)]] + QUERIES


def test_the_search_model_is_merged_once_into_the_cache_and_embeds_the_same_twice(
        onnx_cache: Path, texts: list[str], embedder: Embedder) -> None:
    folder = search_model_path(onnx_cache)
    assert folder == onnx_cache / "models" / search_model_name() / "merged"
    stamp = (folder / MERGED_WEIGHTS).stat().st_mtime_ns
    assert search_model_path(onnx_cache) == folder and (folder / MERGED_WEIGHTS).stat().st_mtime_ns == stamp
    first = make_embedder("torch", onnx_cache)
    second = make_embedder("torch", onnx_cache)
    assert first.name == search_model_name() != embedder.name == BASE_MODEL_NAME
    tuned = first.encode(texts)
    assert np.array_equal(tuned, second.encode(texts))
    cosines = (tuned * embedder.encode(texts)).sum(axis=1)
    # a different model (every vector moved), but a nearby one (no collapse)
    assert cosines.max() < 0.9999 and cosines.min() > 0.7, (float(cosines.min()), float(cosines.max()))


@pytest.mark.parametrize(("variant", "floor"), [("fp32", 0.9999), ("int8", 0.98)])
def test_the_onnx_export_is_the_fine_tuned_model(variant: str, floor: float, onnx_cache: Path,
                                                 texts: list[str]) -> None:
    torch_vectors = make_embedder("torch", onnx_cache).encode(texts)
    vectors = OnnxEmbedder(onnx_cache, variant).encode(texts)
    cosines = (vectors * torch_vectors).sum(axis=1)
    assert cosines.min() >= floor, (variant, float(cosines.min()))


def test_the_fine_tuned_dense_search_beats_the_base_model_on_held_out_queries(onnx_cache: Path,
                                                                                embedder: Embedder) -> None:
    """The fixtures are test queries of ki-first / ki-contrib; no paper in them was trained on.

    The tuned model runs as its ONNX fp32 export, which gives torch's vectors (tested above) faster."""
    tuned = OnnxEmbedder(onnx_cache, "fp32")
    scores = {}
    for name in ("ki-first", "ki-contrib"):
        for label, model in (("base", embedder), ("tuned", tuned)):
            scores[name, label] = evaluate(FIXTURES / name, onnx_cache, "dense", embedder=model)["ndcg@10"]
    mean = {label: (scores["ki-first", label] + scores["ki-contrib", label]) / 2 for label in ("base", "tuned")}
    assert mean["tuned"] > mean["base"], scores


def test_training_pairs_never_come_from_excluded_papers() -> None:
    excluded = excluded_ids([FIXTURES / "ki-first", FIXTURES / "ki-contrib"])
    corpus = [json.loads(line) for line in (FIXTURES / "ki-first" / "corpus.jsonl").read_text().splitlines()]
    assert {r["_id"] for r in corpus} <= excluded
    papers = [Paper(id=r["_id"], version=1, title=r["title"], abstract=r["text"], authors=[], categories=["cs.CL"],
                    published="2026-01-01", updated="2026-01-01") for r in corpus]
    half = {p.id for p in papers[::2]}
    pairs = training_pairs(papers, half, 1000)
    assert pairs and not {p.paper_id for p in pairs} & half
    assert pairs == training_pairs(papers, half, 1000)  # a fixed order, not a random one
    kinds = {p.kind for p in pairs}
    assert kinds == {"title", "sentence"}


def test_a_sentence_pair_takes_the_sentence_out_of_its_document() -> None:
    abstract = ("Large language models hallucinate facts in long answers. We propose a verifier that checks "
                "each claim against retrieved passages before it is shown. It halves the error rate on three "
                "benchmarks. Code is released.")
    pairs = [make_pair(f"2601.{i:05d}", "Claim checking for LLM answers", abstract) for i in range(40)]
    sentences = [p for p in pairs if p is not None and p.kind == "sentence"]
    titles = [p for p in pairs if p is not None and p.kind == "title"]
    assert sentences and titles
    for pair in sentences:
        assert pair.query in abstract and pair.query not in pair.document
        assert pair.document.startswith("Claim checking for LLM answers. ")
    assert all(p.query == "Claim checking for LLM answers" and p.document == abstract for p in titles)
    assert make_pair("2601.00001", "Too short", "One sentence only.") is None


def test_one_training_step_writes_a_loadable_adapter(tmp_path: Path) -> None:
    pairs = [Pair(str(i), "title", q, d) for i, (q, d) in enumerate([
        ("speculative decoding", "A draft model proposes tokens that the large model verifies in parallel."),
        ("KV cache compression", "We quantise the key-value cache of long-context inference to two bits."),
        ("LLM jailbreaks", "Adversarial prompts bypass the safety training of chat models."),
        ("code generation", "A benchmark of repository-level programming tasks for language models."),
    ])]
    report = train_adapter(pairs, tmp_path / "adapter", TrainConfig(rank=2, alpha=4, batch_size=4), threads=1,
                           log=lambda m: None)
    assert report["steps"] == 1 and np.isfinite(report["first_loss"])
    assert adapter_fingerprint(tmp_path / "adapter") is not None
    merge_adapter(base_model_path(), tmp_path / "adapter", tmp_path / "merged")
    vectors = Embedder(model_dir=tmp_path / "merged", name="smoke").encode([p.query for p in pairs])
    assert vectors.shape == (4, 384) and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
