"""The search page's JavaScript, bundled from ``web/src/`` with esbuild (npm), and onnxruntime-web's WebAssembly.

``npm ci`` (``make site`` runs it) puts esbuild, onnxruntime-web and the Porter2 stemmer under
``node_modules/``; nothing is fetched from a CDN when the site runs. The bundles are ES modules: the page
script (``search.js``) and its worker (``worker.js``, with onnxruntime-web inside).
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from tracker.errors import AtlasError

ENTRY_POINTS = ("search.js", "worker.js")
WASM_FILE = "ort-wasm-simd-threaded.wasm"


def node_modules(root: Path) -> Path:
    folder = Path(root) / "node_modules"
    needed = [folder / ".bin" / "esbuild", folder / "onnxruntime-web" / "dist" / WASM_FILE,
              folder / "wink-porter2-stemmer"]
    missing = [path for path in needed if not path.exists()]
    if missing:
        raise AtlasError(f"{missing[0]} is missing: run `npm ci` in {root} (make site does), "
                         "or build with --no-search")
    return folder


def bundle_scripts(root: Path) -> dict[str, bytes]:
    """``{file name: bytes}`` for the page script, the worker and the WebAssembly runtime."""
    root = Path(root)
    modules = node_modules(root)
    with tempfile.TemporaryDirectory() as scratch:
        command = [str(modules / ".bin" / "esbuild"), *(str(root / "web" / "src" / name) for name in ENTRY_POINTS),
                   "--bundle", "--format=esm", "--minify", "--target=es2022", "--legal-comments=eof",
                   "--log-level=warning", f"--outdir={scratch}"]
        completed = subprocess.run(command, cwd=root, capture_output=True, text=True)
        if completed.returncode != 0:
            detail = (completed.stderr.strip().splitlines() or ["(no output)"])[0]
            raise AtlasError(f"bundling web/src with esbuild failed: {detail}")
        files = {name: (Path(scratch) / name).read_bytes() for name in ENTRY_POINTS}
    files[WASM_FILE] = (modules / "onnxruntime-web" / "dist" / WASM_FILE).read_bytes()
    return files
