"""The query encoder the site's search page runs in the browser: the ONNX export, quantised for the web.

The browser downloads the model before its first semantic answer, so its size is what matters most. The
CLI's int8 file keeps the word-embedding table in float32 (47 MB of its 59 MB); here the table (``Gather``)
is quantised too, along with every ``MatMul``, which brings the file to ~23 MB. Query vectors stay close to
the CLI's (cosine >= 0.98, ``tests/test_site_search.py``), so the page ranks papers as ``llm-atlas search``.

The file is made once from the fp32 export and kept beside it in the cache; a new export (another model
package, another recipe) makes it again.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from tracker.atomic import atomic_write_text
from tracker.embedding.onnx_export import EXPORT_MANIFEST, FP32_FILE, TOKENIZER_FILE, ensure_onnx, quantize_int8

WEB_MODEL_FILE = "model-web-int8.onnx"
_WEB_MANIFEST = "web-manifest.json"
# Bump when the quantisation recipe changes, so caches make the file again.
WEB_RECIPE = "dynamic-int8 MatMul+Gather per-channel v1"


def _export_stamp(folder: Path) -> str:
    """Names the export the web model was made from (its manifest changes with every export)."""
    digest = hashlib.sha256((folder / EXPORT_MANIFEST).read_bytes())
    digest.update(WEB_RECIPE.encode())
    return digest.hexdigest()[:16]


def ensure_web_model(cache_dir: Path, log: Any = None) -> tuple[Path, Path]:
    """``(model file, tokenizer.json)`` for the browser, quantising the fp32 export first when needed."""
    folder = ensure_onnx(cache_dir, log)
    target = folder / WEB_MODEL_FILE
    stamp_path = folder / _WEB_MANIFEST
    stamp = _export_stamp(folder)
    current = False
    if target.exists() and stamp_path.exists():
        try:
            current = json.loads(stamp_path.read_text(encoding="utf-8")).get("stamp") == stamp
        except json.JSONDecodeError:
            current = False
    if not current:
        if log:
            log(f"quantising the browser's query model into {target} (once)")
        with tempfile.TemporaryDirectory(dir=folder) as scratch:
            out = Path(scratch) / WEB_MODEL_FILE
            quantize_int8(folder / FP32_FILE, out, ["MatMul", "Gather"])
            os.replace(out, target)
        atomic_write_text(stamp_path, json.dumps({"stamp": stamp, "recipe": WEB_RECIPE, "file": WEB_MODEL_FILE}) + "\n")
    return target, folder / TOKENIZER_FILE
