"""The ONNX Runtime embedding path agrees with the torch reference on real papers, and exports only once."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tracker.embeddings import Embedder, make_embedder
from tracker.onnx_embedder import OnnxEmbedder
from tracker.onnx_export import MANIFEST_FILE, ensure_onnx, export_is_current, onnx_dir
from tracker.paper import Paper

pytestmark = pytest.mark.slow

QUERIES = ["lora", "parameter-efficient fine-tuning with low-rank adapters", "RAG for clinical notes", "a"]


@pytest.fixture(scope="module")
def texts(llm_papers: list[Paper]) -> list[str]:
    # real abstracts of very different lengths (some beyond the 256-token cut), plus short queries
    papers = sorted(llm_papers, key=lambda p: len(p.text))
    return [p.text for p in papers[:: max(1, len(papers) // 24)]] + QUERIES


@pytest.fixture(scope="module")
def torch_vectors(texts: list[str], embedder: Embedder) -> np.ndarray:
    return embedder.encode(texts)


@pytest.mark.parametrize(("variant", "floor"), [("fp32", 0.9999), ("int8", 0.98)])
def test_onnx_vectors_agree_with_torch(variant: str, floor: float, texts: list[str], torch_vectors: np.ndarray,
                                       onnx_cache: Path) -> None:
    vectors = OnnxEmbedder(onnx_cache, variant).encode(texts)
    assert vectors.shape == torch_vectors.shape and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    cosines = (vectors * torch_vectors).sum(axis=1)
    assert cosines.min() >= floor, (variant, float(cosines.min()), int(cosines.argmin()))


def test_length_sorted_batches_return_vectors_in_the_callers_order(texts: list[str], onnx_cache: Path) -> None:
    embedder = OnnxEmbedder(onnx_cache, "int8", batch_size=4)
    forward = embedder.encode(texts)
    backward = embedder.encode(texts[::-1])[::-1]
    one_by_one = np.stack([embedder.encode_query(t) for t in texts[:3]])
    # int8 activations are quantised per batch, so a batch's other texts move a vector slightly
    assert ((forward * backward).sum(axis=1) > 0.99).all()
    assert ((forward[:3] * one_by_one).sum(axis=1) > 0.99).all()


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
    manifest = json.loads((target / MANIFEST_FILE).read_text())
    (target / MANIFEST_FILE).write_text(json.dumps({**manifest, "source": "0" * 16}))
    assert not export_is_current(copy)


def test_backends_name_their_vector_caches(onnx_cache: Path) -> None:
    int8, fp32, torch_ = (make_embedder(b, onnx_cache) for b in ("onnx-int8", "onnx-fp32", "torch"))
    assert (int8.name, fp32.name, torch_.name) == ("all-MiniLM-L6-v2-int8", "all-MiniLM-L6-v2", "all-MiniLM-L6-v2")
    assert (int8.backend, fp32.backend, torch_.backend) == ("onnx-int8", "onnx-fp32", "torch")
