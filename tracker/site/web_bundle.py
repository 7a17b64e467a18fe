"""The search page's JavaScript, bundled from ``tracker/site/web/`` with esbuild (npm), and onnxruntime-web's WebAssembly.

``npm ci`` (``make site`` runs it) puts esbuild, onnxruntime-web and the Porter2 stemmer under
``node_modules/`` beside ``package.json``; nothing is fetched from a CDN when the site runs. The bundles are
ES modules: the page script (``search.js``) and its worker (``worker.js``, with onnxruntime-web inside).
The sources ship inside the package (like its templates); ``node_modules/`` is looked for in the site's
repository first, then in the checkout the package runs from.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from tracker.errors import AtlasError

ENTRY_POINTS = ("search.js", "worker.js")
WASM_FILE = "ort-wasm-simd-threaded.wasm"


SOURCES = Path(__file__).parent / "web"


def _needed(folder: Path) -> list[Path]:
    return [folder / ".bin" / "esbuild", folder / "onnxruntime-web" / "dist" / WASM_FILE,
            folder / "wink-porter2-stemmer" / "package.json"]


def node_modules(root: Path) -> Path:
    """The ``node_modules/`` holding what the bundle needs (the site's repository, else this checkout)."""
    candidates = [Path(root) / "node_modules", Path(__file__).resolve().parents[2] / "node_modules"]
    for folder in candidates:
        if all(path.exists() for path in _needed(folder)):
            return folder
    missing = next(path for path in _needed(candidates[0]) if not path.exists())
    raise AtlasError(f"{missing} is missing: run `npm ci` in {root} (make site does), or build with --no-search")


def bundle_scripts(root: Path) -> dict[str, bytes]:
    """``{file name: bytes}`` for the page script, the worker and the WebAssembly runtime."""
    root = Path(root)
    modules = node_modules(root)
    with tempfile.TemporaryDirectory() as scratch:
        command = [str(modules / ".bin" / "esbuild"), *(str(SOURCES / name) for name in ENTRY_POINTS),
                   "--bundle", "--format=esm", "--minify", "--target=es2022", "--legal-comments=eof",
                   "--log-level=warning", f"--outdir={scratch}"]
        # esbuild resolves the packages the sources import from NODE_PATH (the sources live in the package)
        env = {**os.environ, "NODE_PATH": str(modules)}
        completed = subprocess.run(command, cwd=root, capture_output=True, text=True, env=env)
        if completed.returncode != 0:
            detail = (completed.stderr.strip().splitlines() or ["(no output)"])[0]
            raise AtlasError(f"bundling {SOURCES} with esbuild failed: {detail}")
        files = {name: (Path(scratch) / name).read_bytes() for name in ENTRY_POINTS}
    files[WASM_FILE] = (modules / "onnxruntime-web" / "dist" / WASM_FILE).read_bytes()
    return files
