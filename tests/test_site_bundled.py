"""The site at the bundled size, in Chromium (issue 14): every kind of page within its 300 KB budget.

Runs on the site ``make site`` built from the repository's own store (36,177 papers when written), so it is
not part of ``make test`` (which builds small stores only, in minutes): ``make test-bundled`` builds the site
when needed and runs it. It fails, never skips, when the site is missing or was built from another store.
For each kind (month, topic, model, digest) the page with the most HTML is weighed, and the home page: bytes
counted as Chromium fetched them, gzipped as GitHub Pages serves them, cold cache, theme assets included.
"""

from __future__ import annotations

import re

import pytest
from conftest import REPO

from tracker.settings import site_dir
from tracker.site.weights import BUDGET, KINDS, heaviest_pages, page_weights
from tracker.store import PaperStore

pytestmark = pytest.mark.bundled


def test_every_kind_of_page_loads_within_budget_at_the_bundled_size() -> None:
    site = site_dir(REPO)
    papers = site / "generated" / "papers" / "index.html"
    assert papers.is_file(), f"no built site in {site}: run `make site` first (or `make test-bundled`)"
    stored = len(PaperStore(REPO / "data"))
    shown = re.search(r"holds <strong>([\d,]+)</strong>", papers.read_text(encoding="utf-8"))
    assert shown and int(shown.group(1).replace(",", "")) == stored, "site/ was built from another store"
    pages = heaviest_pages(site)
    assert set(pages) == {"home", *KINDS}
    weights = page_weights(site, pages)
    print("\nbundled page weights (KB, gzip): "
          + ", ".join(f"{kind} {pages[kind]} {weights[kind] / 1e3:.1f}" for kind in pages))
    assert all(weights[kind] > 50_000 for kind in pages), weights  # the theme alone is more: all were counted
    over = {kind: weights[kind] for kind in pages if weights[kind] > BUDGET}
    assert not over, f"over {BUDGET:,} bytes: {over}"
