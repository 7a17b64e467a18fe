"""The search page's JavaScript, bundled from ``tracker/site/web/`` with esbuild (npm).

``npm ci`` (``make site`` runs it) puts esbuild and the Porter2 stemmer under ``node_modules/`` beside
``package.json``; nothing is fetched from a CDN when the site runs. The bundles are ES modules: the page script
(``search.js``) and its worker (``worker.js``: tokenizer, static query encoder, ranking; no WebAssembly).
The sources ship inside the package (like its templates); ``node_modules/`` is looked for in the site's
repository first, then in the checkout the package runs from.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tracker.errors import AtlasError

ENTRY_POINTS = ("search.js", "worker.js", "foryou.js")  # foryou.js: the For-you page (docs/for-you.md)


SOURCES = Path(__file__).parent / "web"


def _needed(folder: Path) -> list[Path]:
    return [folder / ".bin" / "esbuild", folder / "wink-porter2-stemmer" / "package.json"]


def node_modules(root: Path) -> Path:
    """The ``node_modules/`` holding what the bundle needs (the site's repository, else this checkout)."""
    candidates = [Path(root) / "node_modules", Path(__file__).resolve().parents[2] / "node_modules"]
    for folder in candidates:
        if all(path.exists() for path in _needed(folder)):
            return folder
    missing = next(path for path in _needed(candidates[0]) if not path.exists())
    raise AtlasError(f"{missing} is missing: run `npm ci` in {root} (make site does), or build with --no-search")


def bundle_scripts(root: Path) -> dict[str, bytes]:
    """``{file name: bytes}`` for the page script and the worker."""
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
        return {name: (Path(scratch) / name).read_bytes() for name in ENTRY_POINTS}


_STEM_SCRIPT = """
import stem from "wink-porter2-stemmer";
let text = "";
process.stdin.on("data", (d) => { text += d; });
process.stdin.on("end", () => { process.stdout.write(JSON.stringify(JSON.parse(text).map((w) => stem(w)))); });
"""


def porter2_stems(root: Path, words: list[str]) -> list[str]:
    """What the page's Porter2 stemmer (npm ``wink-porter2-stemmer``, run by Node) makes of each word."""
    if not words:
        return []
    modules = node_modules(Path(root))
    node = shutil.which("node")
    if node is None:
        raise AtlasError("node is missing: the search page's stemmer is checked with Node.js (apt-get install nodejs)")
    with tempfile.TemporaryDirectory() as scratch:
        script = Path(scratch) / "stem.mjs"
        # an ES module resolves packages from its own folder upwards, so link node_modules beside it
        (Path(scratch) / "node_modules").symlink_to(modules.resolve())
        script.write_text(_STEM_SCRIPT, encoding="utf-8")
        completed = subprocess.run([node, str(script)], input=json.dumps(words), capture_output=True, text=True)
    if completed.returncode != 0:
        raise AtlasError(f"stemming with Node failed: {completed.stderr.strip()[:200]}")
    stems: list[str] = json.loads(completed.stdout)
    return stems
