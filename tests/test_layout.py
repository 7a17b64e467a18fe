"""The package's shape is checked, not hoped for: the layers contract holds, and the README's command table
is the CLI's own --help (regenerated with `cog -r README.md`)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def test_the_layers_contract_holds() -> None:
    run = subprocess.run([str(BIN / "lint-imports")], cwd=REPO, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "1 kept, 0 broken" in run.stdout


def test_the_readme_command_table_is_the_clis_help() -> None:
    run = subprocess.run([str(BIN / "cog"), "--check", "README.md"], cwd=REPO, capture_output=True, text=True)
    assert run.returncode == 0, f"README.md is stale: run `.venv/bin/cog -r README.md`\n{run.stdout}{run.stderr}"


def test_every_command_is_in_the_readme() -> None:
    from tracker.cli import cli
    from tracker.cli_docs import _commands

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for path, _ in _commands(cli):
        assert f"`llm-atlas {path}" in readme, path


def test_tracker_imports_inside_functions_are_only_the_clis() -> None:
    """Lazy imports of the package's own modules would hide circles; only cli.py keeps them (start-up time)."""
    lazy = []
    for path in sorted((REPO / "tracker").rglob("*.py")):
        if path.name == "cli.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.ImportFrom) and (inner.module or "").startswith("tracker"):
                        lazy.append(f"{path.relative_to(REPO)}:{inner.lineno} {inner.module}")
    assert lazy == []


def test_scripts_import_the_installed_package() -> None:
    for path in sorted((REPO / "scripts").iterdir()):
        if path.is_file() and (path.suffix == ".py" or path.name in ("bench", "weekly")):
            source = path.read_text(encoding="utf-8")
            assert "sys.path.insert" not in source and "sys.path.append" not in source, path.name
