"""The ONNX Runtime embedding path agrees with the torch reference on real papers, and exports only once."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import onnx
import pytest

from tracker.embedding.embedders import make_embedder
from tracker.embedding.onnx_embedder import OnnxEmbedder
from tracker.embedding.onnx_export import (
    EXPORT_MANIFEST,
    EXPORT_RECIPE,
    FP32_FILE,
    INT8_FILE,
    ensure_onnx,
    export_is_current,
    onnx_dir,
)
from tracker.embedding.weights import search_model_name
from tracker.paper import Paper

pytestmark = pytest.mark.slow

QUERIES = ["lora", "parameter-efficient fine-tuning with low-rank adapters", "RAG for clinical notes", "a"]


@pytest.fixture(scope="module")
def texts(llm_papers: list[Paper]) -> list[str]:
    # real abstracts of very different lengths (some beyond the 256-token cut), plus short queries
    papers = sorted(llm_papers, key=lambda p: len(p.text))
    return [p.text for p in papers[:: max(1, len(papers) // 24)]] + QUERIES


@pytest.fixture(scope="module")
def torch_vectors(texts: list[str], onnx_cache: Path) -> np.ndarray:
    # the torch reference of what is exported: the search model (base + fine-tuned adapter,
    # tracker/embedding/finetune.py)
    return make_embedder("torch", onnx_cache).encode(texts)


@pytest.mark.parametrize(("variant", "floor"), [("fp32", 0.9999), ("int8", 0.98)])
def test_onnx_vectors_agree_with_torch(variant: str, floor: float, texts: list[str], torch_vectors: np.ndarray,
                                       onnx_cache: Path) -> None:
    vectors = OnnxEmbedder(onnx_cache, variant).encode(texts)
    assert vectors.shape == torch_vectors.shape and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    cosines = (vectors * torch_vectors).sum(axis=1)
    assert cosines.min() >= floor, (variant, float(cosines.min()), int(cosines.argmin()))


def test_a_vector_depends_on_its_text_alone(texts: list[str], onnx_cache: Path) -> None:
    """One text per run: no batch-mates (int8 activation scales are per run) and no padding to move a vector."""
    embedder = OnnxEmbedder(onnx_cache, "int8")
    forward = embedder.encode(texts)
    assert np.array_equal(forward, embedder.encode(texts[::-1])[::-1])
    assert np.array_equal(forward[:3], np.stack([embedder.encode_query(t) for t in texts[:3]]))
    # a fresh session, on one worker thread, gives the same bytes: an index re-embedded from a cold cache is identical
    assert np.array_equal(forward, OnnxEmbedder(onnx_cache, "int8", threads=1).encode(texts))


def test_the_exports_are_plain_onnx_and_the_session_keeps_residual_adds_apart(texts: list[str],
                                                                            onnx_cache: Path) -> None:
    folder = onnx_dir(onnx_cache)
    # standard ONNX operators only (no ONNX Runtime contrib ops): any runtime, a browser's too, can run them
    for name in (FP32_FILE, INT8_FILE):
        nodes = onnx.load(str(folder / name)).graph.node
        assert {node.domain for node in nodes} <= {"", "ai.onnx"}, (name, {(n.domain, n.op_type) for n in nodes})
    int8_ops = Counter(node.op_type for node in onnx.load(str(folder / INT8_FILE)).graph.node)
    assert int8_ops["MatMulInteger"] >= 36, int8_ops  # the 6 layers' 6 weight products each, at least
    # The session's optimised graph (cached beside the export) has no SkipLayerNormalization: that fused
    # kernel was ~4x slower than the residual Add + LayerNormalization it replaces.
    OnnxEmbedder(onnx_cache, "int8").encode(texts[:1])
    optimised = Counter(n.op_type for n in onnx.load(str(folder / INT8_FILE.replace(".onnx", ".opt.onnx"))).graph.node)
    assert optimised["SkipLayerNormalization"] == 0 and optimised["LayerNormalization"] == 13, optimised


def test_the_export_happens_once_and_again_when_the_model_changes(onnx_cache: Path, tmp_path: Path) -> None:
    assert export_is_current(onnx_cache)
    folder = onnx_dir(onnx_cache)
    stamp = (folder / "model-int8.onnx").stat().st_mtime_ns
    assert ensure_onnx(onnx_cache) == folder
    assert (folder / "model-int8.onnx").stat().st_mtime_ns == stamp  # nothing re-exported
    # A manifest naming other source weights makes the export stale.
    copy = tmp_path / "cache"
    target = onnx_dir(copy)
    target.mkdir(parents=True)
    for path in folder.iterdir():
        (target / path.name).write_bytes(path.read_bytes())
    manifest = json.loads((target / EXPORT_MANIFEST).read_text())
    assert export_is_current(copy)
    (target / EXPORT_MANIFEST).write_text(json.dumps({**manifest, "source": "0" * 16}))
    assert not export_is_current(copy)
    # So does one written by an older export recipe (another graph or quantisation).
    (target / EXPORT_MANIFEST).write_text(json.dumps({**manifest, "recipe": EXPORT_RECIPE - 1}))
    assert not export_is_current(copy)


def test_backends_name_their_vector_caches(onnx_cache: Path) -> None:
    int8, fp32, torch_ = (make_embedder(b, onnx_cache) for b in ("onnx-int8", "onnx-fp32", "torch"))
    name = search_model_name()
    assert (int8.name, fp32.name, torch_.name) == (f"{name}-int8-r{EXPORT_RECIPE}", name, name)
    assert search_model_name().startswith("all-MiniLM-L6-v2")
    assert (int8.backend, fp32.backend, torch_.backend) == ("onnx-int8", "onnx-fp32", "torch")
