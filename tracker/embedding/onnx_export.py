"""Export the shipped all-MiniLM-L6-v2 to ONNX (fp32, then dynamic int8) into the cache, once.

The exported graph is the whole sentence encoder: BERT, mean pooling over real tokens and L2
normalisation, so a runtime only tokenises and calls it (the Python ONNX path and a browser alike).
``model.onnx`` is that graph in plain fp32 ONNX ops; ``model-int8.onnx`` has the weights of its matrix
products quantised to int8 per output channel (activations are quantised on the fly, per run). Both use
only standard ONNX operators. torch is imported here only: the search path never needs this module once
the files exist.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from tracker.atomic import atomic_write_text
from tracker.embedding.weights import (
    adapter_fingerprint,
    base_model_path,
    mean_pool,
    offline_hub,
    search_model_name,
    search_model_path,
)
from tracker.errors import AtlasError
from tracker.settings import model_cache_dir

OPSET = 17
# Bumped whenever the export itself changes (a different graph or quantisation), so older exports in a cache
# are redone. 3: attention exported in eager form (plain MatMul/Softmax, no SDPA-trace IsNaN/Where).
EXPORT_RECIPE = 3
# ORT graph transformers left out when a session loads a model. SkipLayerNormFusion merges residual Add +
# LayerNormalization into SkipLayerNormalization, whose CPU kernel (ORT 1.31) took ~4x the time of the two
# ops it replaces: a quarter of the int8 model's time (scripts/onnx_variants.py).
SESSION_DISABLED = ["SkipLayerNormFusion"]
FP32_FILE = "model.onnx"
INT8_FILE = "model-int8.onnx"
TOKENIZER_FILE = "tokenizer.json"
EXPORT_MANIFEST = "manifest.json"
# The shipped model's max_seq_length (sentence_bert_config.json): longer texts are truncated, as with torch.
MAX_TOKENS = 256


def onnx_dir(cache_dir: Path) -> Path:
    return model_cache_dir(cache_dir, search_model_name()) / "onnx"


def source_fingerprint() -> str:
    """Identifies the shipped weights + tokenizer, so a new model package triggers a new export."""
    digest = hashlib.sha256()
    adapter = adapter_fingerprint()
    if adapter:  # the search model = base + this adapter
        digest.update(f"adapter:{adapter}".encode())
    folder = base_model_path()
    for name in ("model.safetensors", "tokenizer.json", "config.json"):
        path = folder / name
        digest.update(name.encode())
        digest.update(str(path.stat().st_size).encode())
        with path.open("rb") as handle:
            # the first MiB plus size is plenty to tell model packages apart, and stays quick
            digest.update(handle.read(1 << 20))
    return digest.hexdigest()[:16]


def export_is_current(cache_dir: Path) -> bool:
    folder = onnx_dir(cache_dir)
    manifest = folder / EXPORT_MANIFEST
    if not manifest.exists():
        return False
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        return False
    files_there = all((folder / name).exists() for name in (FP32_FILE, INT8_FILE, TOKENIZER_FILE))
    return files_there and data.get("source") == source_fingerprint() and data.get("recipe") == EXPORT_RECIPE


def quantize_int8(source: Path, target: Path, op_types: list[str]) -> None:
    """Dynamic int8 quantisation of the weights of ``op_types``, per output channel (activations: per run)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    logging.disable(logging.WARNING)  # onnxruntime's advice to pre-process first is noise for this graph
    try:
        quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8, per_channel=True,
                         op_types_to_quantize=op_types)
    finally:
        logging.disable(logging.NOTSET)


def export_onnx(cache_dir: Path, log: Any = None) -> Path:
    """Write ``model.onnx``, ``model-int8.onnx``, ``tokenizer.json`` and a manifest; return the folder.

    Everything is written into a temporary folder first and moved in file by file, manifest last,
    so an interrupted export is simply redone next time.
    """
    offline_hub()
    import torch
    from transformers import AutoModel

    folder = onnx_dir(cache_dir)
    folder.mkdir(parents=True, exist_ok=True)
    source = search_model_path(cache_dir, log)  # the fine-tuned search model (merged once into the cache)
    if log:
        log(f"exporting {search_model_name()} to ONNX in {folder} (once)")

    class SentenceEncoder(torch.nn.Module):
        """BERT + mean pooling + L2 normalisation: exactly sentence-transformers' three modules."""

        def __init__(self, bert: torch.nn.Module) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                    token_type_ids: torch.Tensor) -> torch.Tensor:
            hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask,
                               token_type_ids=token_type_ids).last_hidden_state
            return mean_pool(hidden, attention_mask)

    # Eager attention traces to plain MatMul/Softmax: a simpler graph than the SDPA trace, the same result.
    bert = AutoModel.from_pretrained(str(source), local_files_only=True, attn_implementation="eager")
    bert.eval()
    encoder = SentenceEncoder(bert).eval()
    # A padded example (second row shorter), so tracing keeps the attention-mask path rather than
    # specialising on an all-ones mask.
    mask = torch.ones((2, 16), dtype=torch.long)
    mask[1, 9:] = 0
    example = (torch.full((2, 16), 1000, dtype=torch.long) * mask, mask, torch.zeros((2, 16), dtype=torch.long))
    with tempfile.TemporaryDirectory(dir=folder) as scratch_name:
        scratch = Path(scratch_name)
        fp32 = scratch / FP32_FILE
        with torch.no_grad():
            torch.onnx.export(
                encoder,
                example,
                str(fp32),
                input_names=["input_ids", "attention_mask", "token_type_ids"],
                output_names=["sentence_embedding"],
                dynamic_axes={
                    "input_ids": {0: "batch", 1: "tokens"},
                    "attention_mask": {0: "batch", 1: "tokens"},
                    "token_type_ids": {0: "batch", 1: "tokens"},
                    "sentence_embedding": {0: "batch"},
                },
                opset_version=OPSET,
                do_constant_folding=True,
                dynamo=False,
            )
        int8 = scratch / INT8_FILE
        # Dynamic quantisation of the MatMul weights, int8 per output channel; activations get one scale per
        # run. Per-tensor weight scales lose too much (cosine to torch fell to 0.88 on real abstracts; per
        # channel it stays >= 0.98). The embedding tables stay fp32. Fusing the graph first with ORT's BERT
        # optimiser (Attention, EmbedLayerNormalization, BiasGelu) gained nothing measurable on top of this
        # (scripts/onnx_variants.py) and would tie the file to ONNX Runtime's contrib operators.
        quantize_int8(fp32, int8, ["MatMul"])
        shutil.copyfile(source / TOKENIZER_FILE, scratch / TOKENIZER_FILE)
        for name in (FP32_FILE, INT8_FILE, TOKENIZER_FILE):
            os.replace(scratch / name, folder / name)
        for stale in folder.glob("*.opt.onnx"):  # graphs optimised from the previous export
            stale.unlink()
    manifest = {"model": search_model_name(), "source": source_fingerprint(), "recipe": EXPORT_RECIPE, "opset": OPSET,
                "max_tokens": MAX_TOKENS,
                "files": [FP32_FILE, INT8_FILE, TOKENIZER_FILE], "torch": torch.__version__}
    atomic_write_text(folder / EXPORT_MANIFEST, json.dumps(manifest, indent=2) + "\n")
    return folder


def ensure_onnx(cache_dir: Path, log: Any = None) -> Path:
    """The folder holding a current export, exporting first when it is missing or stale."""
    if export_is_current(cache_dir):
        return onnx_dir(cache_dir)
    try:
        return export_onnx(cache_dir, log)
    except ImportError as error:  # torch is only needed for this one step
        raise AtlasError(f"cannot export the ONNX model ({error}); install torch or copy an export into "
                         f"{onnx_dir(cache_dir)}") from None
