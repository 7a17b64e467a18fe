"""The MkDocs plugin atlas-exec-cache (tracker/site/exec_cache.py): a Learn program runs again only when it, its
session's earlier blocks or its inputs change, in real `mkdocs build`s of a tiny site with markdown-exec."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from markdown_exec import ExecutionError

from tracker.site.exec_cache import ExecOutputCache, inputs_fingerprint

# Each run of a block appends a line to runs.txt (beside mkdocs.yml): the count of real runs.
COUNTED = """```python exec="true" title="docs/snippets/{name}.py"
from pathlib import Path
with Path("runs.txt").open("a") as runs:
    runs.write("{name}\\n")
print("The {name} program says **{said}**.")
```
"""
SESSION = """```python exec="true" session="s" title="first"
from pathlib import Path
with Path("runs.txt").open("a") as runs:
    runs.write("first\\n")
secret = {secret}
print("first block")
```

```python exec="true" session="s" title="second"
with Path("runs.txt").open("a") as runs:
    runs.write("second\\n")
print(f"the secret is {{secret * 2}} ({tag})")
```
"""


def make_site(root: Path, said: str = "hello", secret: int = 21, tag: str = "a") -> None:
    (root / "mkdocs.yml").write_text(
        "site_name: Test\ntheme:\n  name: material\nplugins:\n  - markdown-exec:\n      languages: [python]\n"
        "  - atlas-exec-cache\nmarkdown_extensions:\n  - pymdownx.superfences\n", encoding="utf-8")
    (root / "docs" / "snippets").mkdir(parents=True, exist_ok=True)
    (root / "docs" / "snippets" / "data.txt").write_text("input data\n", encoding="utf-8")
    (root / "docs" / "index.md").write_text("# Home\n\n" + COUNTED.format(name="alpha", said=said), encoding="utf-8")
    (root / "docs" / "session.md").write_text("# Session\n\n" + SESSION.format(secret=secret, tag=tag),
                                              encoding="utf-8")


def build(root: Path) -> tuple[list[str], str, str]:
    """Build the site; the blocks that really ran (in order) and the two pages' HTML."""
    (root / "runs.txt").write_text("", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "--site-dir", str(root / "site")], cwd=root,
                   check=True, capture_output=True,
                   env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin", "LLM_ATLAS_CACHE": str(root / "cache")})
    ran = (root / "runs.txt").read_text(encoding="utf-8").split()
    return ran, *((root / "site" / page).read_text(encoding="utf-8") for page in ("index.html", "session/index.html"))


def test_a_second_build_runs_nothing_and_gives_the_same_pages(tmp_path: Path) -> None:
    make_site(tmp_path)
    ran, home, session = build(tmp_path)
    assert sorted(ran) == ["alpha", "first", "second"]
    assert "The alpha program says <strong>hello</strong>." in home  # output still goes through Markdown
    assert "the secret is 42 (a)" in session
    assert len(list((tmp_path / "cache" / "exec").glob("*.txt"))) == 3
    again, home2, session2 = build(tmp_path)
    assert again == []
    assert (home2, session2) == (home, session)


def test_a_changed_program_reruns_alone_and_its_session_is_set_up_first(tmp_path: Path) -> None:
    make_site(tmp_path)
    build(tmp_path)
    make_site(tmp_path, tag="b")  # only the session's second block changed
    ran, _, session = build(tmp_path)
    # the first block came from the cache, so it runs (quietly) for the globals the second one needs
    assert ran == ["first", "second"]
    assert "the secret is 42 (b)" in session and "first block" in session
    make_site(tmp_path, tag="b", secret=5)  # the first block changed: the second depends on it, so both rerun
    ran, _, session = build(tmp_path)
    assert ran == ["first", "second"] and "the secret is 10 (b)" in session


def test_a_changed_input_reruns_every_program(tmp_path: Path) -> None:
    make_site(tmp_path)
    build(tmp_path)
    (tmp_path / "docs" / "snippets" / "data.txt").write_text("other data\n", encoding="utf-8")
    ran, _, _ = build(tmp_path)
    assert sorted(ran) == ["alpha", "first", "second"]


def test_the_fingerprint_covers_snippets_and_pins(tmp_path: Path) -> None:
    make_site(tmp_path)
    before = inputs_fingerprint(tmp_path)
    (tmp_path / "pyproject.toml").write_text('dependencies = ["numpy==2.4.6"]\n', encoding="utf-8")
    pinned = inputs_fingerprint(tmp_path)
    (tmp_path / "docs" / "snippets" / "new.py").write_text("print(1)\n", encoding="utf-8")
    assert len({before, pinned, inputs_fingerprint(tmp_path)}) == 3


def test_a_failing_block_is_not_cached(tmp_path: Path) -> None:
    from markdown_exec._internal.formatters.python import _run_python

    cache = ExecOutputCache(tmp_path / "exec", "inputs", _run_python)
    with pytest.raises(ExecutionError):
        cache.run("raise ValueError('broken program')")
    assert not (tmp_path / "exec").exists() or not list((tmp_path / "exec").iterdir())
    assert cache.run("print('fine')") == "fine\n"
    assert ExecOutputCache(tmp_path / "exec", "inputs", _run_python).run("print('fine')") == "fine\n"


def test_programs_run_ahead_are_not_run_again_by_mkdocs(tmp_path: Path) -> None:
    """`llm-atlas build` runs the programs in a second process while it renders; MkDocs then finds them cached."""
    make_site(tmp_path)
    (tmp_path / "docs" / "generated").mkdir()
    (tmp_path / "docs" / "generated" / "page.md").write_text(COUNTED.format(name="generated", said="no"),
                                                             encoding="utf-8")  # render's pages have none
    (tmp_path / "runs.txt").write_text("", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "tracker.site.exec_cache", str(tmp_path)], check=True, capture_output=True,
                   env={"PATH": "/usr/bin:/bin", "LLM_ATLAS_CACHE": str(tmp_path / "cache")})
    assert sorted((tmp_path / "runs.txt").read_text(encoding="utf-8").split()) == ["alpha", "first", "second"]
    ran, home, session = build(tmp_path)
    assert ran == ["generated"]
    assert "The alpha program says <strong>hello</strong>." in home and "the secret is 42 (a)" in session
