"""MkDocs plugin ``atlas-exec-cache``: the Learn pages' programs rerun only when they or their inputs change.

markdown-exec runs every ```python exec="true"``` block of ``docs/learn/`` at every build (~50-90 s on two
cores: a tiny GPT trained, MiniLM exported to ONNX, attention recomputed), although the output is the same
until the program or what it reads changes. This plugin keeps each block's printed output in
``<cache>/exec/<key>.txt`` (the cache folder is never committed) and gives it back instead of running the
block again; markdown-exec still turns the output into HTML as usual, so a page is the same either way.

The key hashes the program's source, the blocks run before it in the same markdown-exec ``session`` (they
set up its globals), and its inputs: every file under ``docs/snippets/`` (the programs and their data),
``pyproject.toml`` (the pinned packages they import), the Python version and markdown-exec's version. A
changed program, input or pin reruns it; a fresh clone runs each once. A block that fails is not cached.

When a block of a session must run but an earlier block of that session came from the cache, the earlier
blocks are run first (their output discarded), so the session's globals are there as if nothing was cached.
Blocks whose output shows a timing show the timing of the run that filled the cache.
"""

from __future__ import annotations

import hashlib
import os
import platform
import re
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.plugins import BasePlugin, get_plugin_logger

from tracker.atomic import atomic_write_text
from tracker.settings import exec_cache_dir

_log = get_plugin_logger(__name__)
SNIPPETS = Path("docs") / "snippets"


def inputs_fingerprint(repo_root: Path) -> str:
    """sha256 of what every program may read: docs/snippets/ (programs and data), the pins, the interpreter."""
    digest = hashlib.sha256()
    for path in sorted((repo_root / SNIPPETS).rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(repo_root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    pyproject = repo_root / "pyproject.toml"
    if pyproject.exists():
        digest.update(pyproject.read_bytes())
    digest.update(f"python {platform.python_version()}; markdown-exec {version('markdown-exec')}".encode())
    return digest.hexdigest()


class ExecOutputCache:
    """Printed output of program blocks, by the hash of the program, its session's earlier blocks and inputs."""

    def __init__(self, folder: Path, inputs: str, run: Callable[..., str]) -> None:
        self.folder = folder
        self.inputs = inputs
        self._run = run
        self.hits = 0
        self.runs = 0
        # per session: the blocks seen so far, and how many of them have actually run in this process
        self._sessions: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        self._executed: dict[str, int] = {}

    def key(self, code: str, session: str | None) -> str:
        digest = hashlib.sha256(self.inputs.encode())
        for earlier, _ in self._sessions.get(session or "", []) if session else []:
            digest.update(b"\0block\0" + earlier.encode())
        digest.update(b"\0this\0" + code.encode())
        return digest.hexdigest()[:32]

    def run(self, code: str, returncode: int | None = None, session: str | None = None, id: str | None = None,  # noqa: A002
            **extra: Any) -> str:
        """markdown-exec's ``run``: the cached output, or run the block (and its session's skipped ones)."""
        path = self.folder / f"{self.key(code, session)}.txt"
        blocks = self._sessions.setdefault(session, []) if session else None
        if path.exists():
            self.hits += 1
            if blocks is not None:
                blocks.append((code, {"returncode": returncode, "id": id, **extra}))
            return path.read_text(encoding="utf-8")
        if blocks is not None and session:
            # earlier blocks of this session came from the cache: run them now, for the globals they set
            for earlier, options in blocks[self._executed.get(session, 0):]:
                self._run(earlier, session=session, **options)
            blocks.append((code, {"returncode": returncode, "id": id, **extra}))
        output = self._run(code, returncode=returncode, session=session, id=id, **extra)  # raises on failure
        if session:
            self._executed[session] = len(blocks or [])
        self.runs += 1
        atomic_write_text(path, output)
        return output


class ExecCacheConfig(Config):
    enabled = config_options.Type(bool, default=True)


class ExecCachePlugin(BasePlugin[ExecCacheConfig]):
    """Swap markdown-exec's Python formatter for one whose ``run`` goes through an :class:`ExecOutputCache`."""

    def __init__(self) -> None:
        self.cache: ExecOutputCache | None = None

    def on_config(self, config: Any) -> Any:
        if not self.config.enabled:
            return config
        import markdown_exec

        # markdown-exec's own runner (pinned version; tests/test_exec_cache.py fails if it moves)
        from markdown_exec._internal.formatters.python import _run_python

        root = Path(config["config_file_path"]).parent
        # `llm-atlas build` passes its cache folder; a bare `mkdocs build` uses the repository's default one
        folder = exec_cache_dir(Path(os.environ.get("LLM_ATLAS_CACHE") or root / ".cache" / "llm-atlas"))
        cache = ExecOutputCache(folder, inputs_fingerprint(root), _run_python)
        self.cache = cache

        def format_python(**kwargs: Any) -> str:
            return str(markdown_exec.base_format(language="python", run=cache.run, **kwargs))

        markdown_exec.formatters["python"] = format_python
        return config

    def on_post_build(self, *, config: Any) -> None:
        if self.cache is not None:
            _log.info(f"Learn programs: {self.cache.hits} from the cache ({self.cache.folder}), "
                      f"{self.cache.runs} run")



# -- running the programs ahead of MkDocs ------------------------------------------------------------
_EXEC_FENCE = re.compile(r'^\s*```+\s*python[^\n]*exec="(?:true|1|yes|on)"', re.MULTILINE)


def program_blocks(root: Path) -> list[tuple[str, dict[str, Any]]]:
    """The ```python exec``` blocks of the site's hand-written pages, as markdown-exec receives them.

    Each page is converted by Python-Markdown with mkdocs.yml's own extensions (so snippet includes and
    fences read as in the build), with a fence formatter that records the block instead of running it.
    Pages in path order: the order of a session's blocks across pages is the only thing order changes here,
    and a wrong guess only means MkDocs runs a block itself.
    """
    import markdown
    import markdown_exec
    from mkdocs.config import load_config

    config = load_config(str(root / "mkdocs.yml"))
    blocks: list[tuple[str, dict[str, Any]]] = []

    def record(source: str, language: str, css_class: str, options: dict[str, Any], md: Any,
               **_: Any) -> str:
        blocks.append((source, options))
        return ""

    configs = {name: dict(values) for name, values in config.mdx_configs.items()}
    fences = {"name": "python", "class": "python", "validator": markdown_exec.validator, "format": record}
    superfences = configs.setdefault("pymdownx.superfences", {})
    superfences["custom_fences"] = [*superfences.get("custom_fences", []), fences]
    docs = root / config.docs_dir if not Path(config.docs_dir).is_absolute() else Path(config.docs_dir)
    for page in sorted(docs.rglob("*.md")):
        if "generated" in page.relative_to(docs).parts:
            continue  # written by render: no programs
        text = page.read_text(encoding="utf-8")
        if _EXEC_FENCE.search(text):
            markdown.Markdown(extensions=config.markdown_extensions, extension_configs=configs).convert(text)
    return blocks


def run_programs(root: Path, cache_dir: Path) -> tuple[int, int]:
    """Run every program block not yet cached (in page order, sessions kept); returns (cached, run)."""
    from markdown_exec._internal.formatters.python import _run_python

    cache = ExecOutputCache(exec_cache_dir(cache_dir), inputs_fingerprint(root), _run_python)
    for code, options in program_blocks(root):
        extra = options.get("extra", {})
        try:
            cache.run(code, returncode=options.get("returncode"), session=options.get("session") or None,
                      id=options.get("id") or None, **extra)
        except Exception:  # noqa: BLE001 - MkDocs runs it again and reports the failure as usual
            continue
    return cache.hits, cache.runs


if __name__ == "__main__":  # `python -m tracker.site.exec_cache ROOT`: what `llm-atlas build` runs beside render
    import sys

    repository = Path(sys.argv[1]).resolve()
    os.chdir(repository)  # the programs read docs/snippets/data/... as MkDocs runs them: from the repository
    hits, runs = run_programs(repository, Path(os.environ.get("LLM_ATLAS_CACHE") or repository / ".cache/llm-atlas"))
    print(f"Learn programs: {hits} cached, {runs} run ahead of MkDocs", file=sys.stderr)
