"""The For-you page's ranking (tracker/site/web/foryou-data.js, foryou-rank.js), run under Node on real data,
gives exactly the list of ``tracker.library.site_rank`` (what ``llm-atlas recommend --method site`` runs).

The data is the search bundle of the session's small built site (tests/site_fixtures.py: 326 real papers,
``llm-atlas build``). For libraries of 1 to 300 papers, windows of 1, 4 and 12 weeks and all time, and every
ranking method: the same rows in the same order, the same reasons (``because``), scores equal to 1e-9; ids the
site lacks are reported, not ranked; and the page fetches only the codes files of the window and of the library's
own rows (plus the manifest, the directory, centroids, codebooks and the id tables it needs), never the search
page's lists, token table or postings.
"""

from __future__ import annotations

import gzip
import json
import random
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from conftest import MEASURED, REPO
from site_fixtures import BuiltSite

from tracker.library import site_rank
from tracker.library.site_codes import SiteCodes, chunk_name
from tracker.site.search_bundle import SEARCH_DIR
from tracker.site.web_bundle import node_modules

HARNESS = Path(__file__).parent / "js" / "foryou.mjs"


def run_node(request: dict) -> list[dict]:
    completed = subprocess.run([shutil.which("node") or "node", str(HARNESS)], input=json.dumps(request),
                               capture_output=True, text=True, timeout=300,
                               env={"NODE_PATH": str(node_modules(REPO)), "PATH": "/usr/bin:/bin"})
    assert completed.returncode == 0, completed.stderr[-2000:]
    return json.loads(completed.stdout)  # type: ignore[no-any-return]


def metadata_rows(folder: Path) -> list[list]:
    """The bundle's metadata rows (id, title, authors, date, …) by site row."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    directory = json.loads(gzip.decompress((folder / manifest["files"]["directory"]).read_bytes()))
    rows: list[list] = []
    for number in range(len(directory["p"]) // 8):
        name = f"p/{number}.{directory['p'][8 * number : 8 * number + 8]}.gz"
        rows += json.loads(gzip.decompress((folder / name).read_bytes()))
    return rows


def row_ids(folder: Path) -> list[str]:
    """Paper ids by site row."""
    return [row[0] for row in metadata_rows(folder)]


def row_titles(folder: Path) -> dict[str, str]:
    return {row[0]: row[1] for row in metadata_rows(folder)}


@pytest.fixture(scope="module")
def bundle(built_site: BuiltSite) -> tuple[Path, list[str], SiteCodes]:
    folder = built_site.site / SEARCH_DIR
    return folder, row_ids(folder), SiteCodes.from_bundle(folder)


def test_the_page_ranks_as_site_rank(bundle: tuple[Path, list[str], SiteCodes]) -> None:
    folder, ids, codes = bundle
    rng = random.Random(23)
    runs = []
    for size in (1, 2, 3, 10, 60, 300):
        library = rng.sample(ids, size)
        for weeks in (1, 4, 12, None):
            for method in site_rank.METHODS:
                runs.append({"ids": library, "weeks": weeks, "k": 20, "method": method})
    # the page's own default ranking is site_rank's
    runs.append({"ids": rng.sample(ids, 8), "weeks": 4, "k": 20, "method": None})
    # ids the site lacks (and one twice) are reported and left out
    runs.append({"ids": [ids[3], "2101.00001", ids[-5], "hep-th/9901001", ids[3]], "weeks": 4, "k": 50,
                 "method": site_rank.METHOD})
    answers = run_node({"folder": str(folder), "runs": runs})
    compared = 0
    for run, answer in zip(runs, answers, strict=True):
        library_ids = list(dict.fromkeys(i for i in run["ids"] if i in ids))
        library_rows = np.array([ids.index(i) for i in library_ids], dtype=np.int64)
        first, end = site_rank.week_rows(codes.weeks, run["weeks"])
        window = np.arange(first, end)
        expected = site_rank.rank(window, codes.vectors(window), library_rows, codes.vectors(library_rows),
                                  run["k"], run["method"] or site_rank.METHOD)
        got = answer["ranked"]
        assert [r["row"] for r in got] == [e.row for e in expected], run
        assert [r["because"] for r in got] == [e.because for e in expected], run
        assert max((abs(r["score"] - e.score) for r, e in zip(got, expected, strict=True)), default=0) < 1e-9
        assert answer["window"] == [first, end] and answer["candidates"] == end - first
        assert sorted(answer["missing"]) == sorted(set(run["ids"]) - set(ids))
        assert answer["libraryRows"] == {i: ids.index(i) for i in library_ids}
        # only the window's and the library's own codes files, and none of the search page's other files
        fetched = answer["fetched"]
        wanted = {chunk_name(c, codes.hashes) for c in site_rank.chunks_of(np.concatenate([window, library_rows]))}
        assert {f for f in fetched if f.startswith("r/")} == wanted, run
        assert len(fetched) == len(set(fetched))
        assert not [f for f in fetched if f.split("/")[0] in ("l", "t", "x", "n", "k", "p")], fetched
        compared += len(got)
    MEASURED.append(f"For-you ranking under Node: {len(runs)} libraries and windows, {compared} results, all equal "
                    f"to site_rank (largest: 300 papers, all time, {answers[-3]['ms']:.0f} ms)")
    assert compared > 500


def test_the_pages_constants_are_site_ranks() -> None:
    """The page's defaults (tracker/site/web/foryou-rank.js) are the contract's (tracker/library/site_rank.py)."""
    source = (REPO / "tracker" / "site" / "web" / "foryou-rank.js").read_text(encoding="utf-8")
    found = dict(re.findall(r"^export const ([A-Z_]+) = (.+?);", source, flags=re.MULTILINE))
    for name in ("ROW_CHUNK", "LIST_BYTES", "WEEKS", "BECAUSE", "METHOD", "TOPK", "RESIDUAL_SCALE"):
        assert json.loads(found[name]) == getattr(site_rank, name), name
    assert json.loads(found["METHODS"]) == list(site_rank.METHODS)
