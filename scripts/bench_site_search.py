#!/usr/bin/env python3
"""The site's search page measured in headless Chromium: bytes and time to the first answer, further queries,
repeat visits, and the ranking's quality against the CLI's hybrid.

    .venv/bin/python scripts/bench_site_search.py [--site site] [--runs 3] [--synthetic 250000] [--eval] [--json]

Needs a built site (``llm-atlas build``) and its index. Serves the site with a static server on 127.0.0.1 that
behaves like GitHub Pages (text gzip-encoded on the fly, ``Cache-Control: max-age=600``, Last-Modified /
If-Modified-Since) and counts the bytes it sends, so every figure is what went over the wire. For each network
(Chrome DevTools throttling; the CPU is this machine's), in a fresh browser context (cold cache):

* bytes and time from navigation to the first answer (word matches) and to the first answer by meaning, for
  ``search/?q=QUERY`` (page, theme, scripts and search data: everything);
* bytes each further query typed on the same page adds (five other topic queries; median and largest);
* bytes a repeat visit (same browser, page opened again) fetches before its first answer by meaning.

``--synthetic N`` measures the same on a store of N papers tiled from the real one (every paper repeated with a
new id; vectors, postings and links copied, so its lists, codes and chunks have the sizes N real papers give).
``--eval`` prints nDCG@10 of the CLI's hybrid and of ``--method site`` on the evaluation sets (test queries);
``--overlap`` the top-10 overlap of the page's answers with ``--method site`` and with the CLI's hybrid on the
twelve topic queries (the repository's store: the site must be built from it).
"""

from __future__ import annotations

import argparse
import gzip
import http.server
import json
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import numpy as np

from tracker.site.serve import serve_locally

REPO = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
# (name, download bytes/s, upload bytes/s, latency ms); None = no throttling
NETWORKS = [
    ("local (no throttling)", None, None, 0),
    ("cable 100 Mbit/s, 20 ms", 100e6 / 8, 20e6 / 8, 20),
    ("DSL 50 Mbit/s, 30 ms", 50e6 / 8, 10e6 / 8, 30),
    ("4G 20 Mbit/s, 60 ms", 20e6 / 8, 5e6 / 8, 60),
]
FINAL = "#atlas-search-results[data-stage=final]"
TEXT_TYPES = (".html", ".css", ".js", ".json", ".svg", ".txt", ".xml", ".map")


class Counter:
    def __init__(self) -> None:
        self.bytes = 0
        self.requests: list[tuple[str, int]] = []
        self.lock = threading.Lock()

    def add(self, path: str, size: int) -> None:
        with self.lock:
            self.bytes += size
            self.requests.append((path, size))


@contextmanager
def pages_like_server(folder: Path, counter: Counter) -> Iterator[str]:
    """A static server like GitHub Pages: gzip for text, max-age=600, 304s; counts the bytes it sends."""

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, directory=str(folder), **kwargs)  # type: ignore[arg-type]

        def log_message(self, *args: object) -> None:
            pass

        def end_headers(self) -> None:
            self.send_header("Cache-Control", "max-age=600")
            super().end_headers()

        def send_head(self):  # type: ignore[no-untyped-def]
            path = self.translate_path(self.path)
            if Path(path).is_dir():
                path = str(Path(path) / "index.html")
            wants_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
            if (not path.endswith(TEXT_TYPES) or not wants_gzip or not Path(path).is_file()
                    or self.headers.get("If-Modified-Since")):
                return super().send_head()
            body = gzip.compress(Path(path).read_bytes(), 6)
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(path))
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Last-Modified", self.date_time_string(int(Path(path).stat().st_mtime)))
            self.end_headers()
            import io

            return io.BytesIO(body)

        def copyfile(self, source, outputfile):  # type: ignore[no-untyped-def]
            data = source.read()
            counter.add(self.path, len(data))
            outputfile.write(data)

        def send_response(self, code: int, message: str | None = None) -> None:
            if code == 304:
                counter.add(self.path, 0)
            super().send_response(code, message)

    with serve_locally(Handler) as url:
        yield url


def wait_final(page: object, previous: str | None = None) -> None:
    page.wait_for_selector(FINAL, timeout=600_000)  # type: ignore[attr-defined]


def measure(browser: object, base: str, counter: Counter, network: tuple, queries: list[str]) -> dict:
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    session = context.new_cdp_session(page)
    _, down, up, latency = network
    if down is not None:
        session.send("Network.emulateNetworkConditions", {"offline": False, "latency": latency,
                                                          "downloadThroughput": down, "uploadThroughput": up})
    counter.bytes = 0
    counter.requests.clear()
    page.goto(f"{base}/search/?q={quote(queries[0])}")
    wait_final(page)
    timing = page.evaluate("window.atlasSearchTiming")
    first = counter.bytes
    first_requests = list(counter.requests)
    further = []
    for query in queries[1:]:
        before = counter.bytes
        page.evaluate("() => { document.getElementById('atlas-search-results').dataset.stage = ''; }")
        page.fill("#atlas-search", query)
        page.press("#atlas-search", "Enter")
        wait_final(page)
        further.append(counter.bytes - before)
    before = counter.bytes
    again = context.new_page()
    again.goto(f"{base}/search/?q={quote(queries[0])}")
    wait_final(again)
    repeat = counter.bytes - before
    context.close()
    return {"words_ms": timing["firstAnswer"], "meaning_ms": timing["firstSemantic"], "bytes": first,
            "requests": len(first_requests), "further": further, "repeat": repeat, "errors": errors,
            "theme_index": sum(size for path, size in first_requests if path.endswith("search_index.json"))}


def run_networks(site: Path, runs: int, queries: list[str], chromium: str) -> list[dict]:
    from playwright.sync_api import sync_playwright

    counter = Counter()
    out = []
    with pages_like_server(site, counter) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        for network in NETWORKS:
            results = [measure(browser, base, counter, network, queries) for _ in range(runs)]
            further = [b for r in results for b in r["further"]]
            row = {"network": network[0], "runs": runs,
                   "words_ms": statistics.median(r["words_ms"] for r in results),
                   "meaning_ms": statistics.median(r["meaning_ms"] for r in results),
                   "bytes": statistics.median(r["bytes"] for r in results),
                   "theme_index": statistics.median(r["theme_index"] for r in results),
                   "requests": statistics.median(r["requests"] for r in results),
                   "further_median": statistics.median(further), "further_max": max(further),
                   "repeat": statistics.median(r["repeat"] for r in results),
                   "console_errors": sum(len(r["errors"]) for r in results)}
            print(json.dumps(row), file=sys.stderr)
            out.append(row)
        browser.close()
    return out


def synthetic_site(site_dir: Path, papers: int, scratch: Path) -> Path:
    """A copy of ``site`` whose search data is that of ``papers`` papers tiled from the store's."""
    from tracker.embedding.static_encoder import shipped_static_encoder
    from tracker.knowledge.catalog import load_catalog
    from tracker.knowledge.topics import load_topics
    from tracker.search.index import PaperIndex
    from tracker.search.lexical import LexicalIndex
    from tracker.search.site_index import NEIGHBOURS, SiteIndex
    from tracker.search.site_search import published_dates, store_site_index
    from tracker.settings import Settings
    from tracker.site.engine import SiteData
    from tracker.site.search_bundle import (
        SEARCH_DIR,
        bundle_files,
        manifest_json,
        paper_rows,
        stem_exceptions,
        write_files,
    )
    from tracker.site.web_bundle import bundle_scripts
    from tracker.store import PaperStore

    settings = Settings.resolve()
    store = PaperStore(settings.data_dir)
    index = PaperIndex.load(settings.cache_dir)
    real = store_site_index(index, published_dates(store))
    data = SiteData.collect(store, load_catalog(settings.catalog_dir), load_topics(settings.catalog_dir))
    rows, linked = paper_rows(real, data)
    by_id = {p.id: p for p in data.papers}
    exceptions = stem_exceptions(real, [(by_id[i].title, by_id[i].abstract) for i in real.ids], REPO)
    count = len(index.ids)
    tiles = -(-papers // count)
    started = time.monotonic()
    # tile copy t of site row r goes to row r * tiles + t: rows stay in date order
    ids = [f"{real.ids[r]}v{t:04d}" for r in range(count) for t in range(tiles)][:papers]  # sorts as rows do
    order = np.arange(count * tiles)[:papers]
    source = order // tiles
    vectors = index.vectors[real.index_rows[source]]
    lexical = index.lexical
    site_of_index = np.empty(count, dtype=np.int64)
    site_of_index[real.index_rows] = np.arange(count)
    data_parts, index_parts, indptr = [], [], [0]
    for column in range(len(lexical.vocabulary)):
        start, end = lexical.indptr[column], lexical.indptr[column + 1]
        base_rows = site_of_index[lexical.indices[start:end]] * tiles
        rows_all = (base_rows[:, None] + np.arange(tiles)[None, :]).reshape(-1)
        weights = np.repeat(lexical.data[start:end], tiles)
        keep = rows_all < papers
        index_parts.append(rows_all[keep])
        data_parts.append(weights[keep])
        indptr.append(indptr[-1] + int(keep.sum()))
    tiled_lexical = LexicalIndex(ids, list(lexical.vocabulary), np.concatenate(data_parts).astype(np.float32),
                                 np.concatenate(index_parts).astype(np.int64), np.asarray(indptr, dtype=np.int64),
                                 sorted(lexical.stopwords), lexical.title_weight)
    tiled = PaperIndex(ids, vectors, "synthetic", kind="flat", lexical=tiled_lexical)
    near = real.neighbours[source] * tiles + (order % tiles)[:, None]
    near = np.where((real.neighbours[source] < 0) | (near >= papers), -1, near)[:, :NEIGHBOURS]
    dates = [rows[r][3] for r in source]
    site = SiteIndex.build(tiled, shipped_static_encoder(), dates=dates, neighbours=near)
    print(f"synthetic site index of {papers:,} papers built in {time.monotonic() - started:.0f} s", file=sys.stderr)
    tiled_linked: dict[str, list[int]] = {}
    # rows: the copy of each original paper's row, with its own id (site rows equal tiled rows: same order)
    tiled_rows = [[ids[r], *rows[source[r]][1:]] for r in range(papers)]
    assert site.ids == ids, "the tiled store's rows are not in date order"
    for model, members in linked.items():
        tiled_linked[model] = np.flatnonzero(np.isin(source, members)).tolist()
    models = json.loads(gzip.decompress(next((site_dir / SEARCH_DIR).glob("models.*.gz")).read_bytes()))
    topics = json.loads(gzip.decompress(next((site_dir / SEARCH_DIR).glob("topics.*.gz")).read_bytes()))
    files = bundle_files(REPO, site, shipped_static_encoder(), tiled_rows, tiled_linked, models, exceptions, topics)
    files.update(bundle_scripts(REPO))
    files["manifest.json"] = manifest_json(site, shipped_static_encoder(), files, index.embedder_name)
    copy = scratch / "site"
    shutil.copytree(site_dir, copy, copy_function=_link, ignore=shutil.ignore_patterns("search"))
    shutil.copytree(site_dir / "search", copy / "search", copy_function=_link)  # the page itself
    write_files(copy / SEARCH_DIR, files)
    total = sum(len(b) for b in files.values())
    print(f"synthetic bundle: {len(files):,} files, {total / 1e6:.1f} MB", file=sys.stderr)
    return copy


def _link(source: str, target: str) -> None:
    try:
        Path(target).hardlink_to(source)
    except OSError:
        shutil.copy2(source, target)


def overlaps(site: Path, queries: list[str], chromium: str) -> list[dict]:
    """Top-10 overlap of the page's answers with ``--method site`` and with the CLI's hybrid, per topic query."""
    from playwright.sync_api import sync_playwright

    from tracker.search.index import PaperIndex
    from tracker.search.query import PaperSearch
    from tracker.search.site_search import SiteSearch
    from tracker.settings import Settings
    from tracker.store import PaperStore

    settings = Settings.resolve()
    cli = PaperSearch(PaperStore(settings.data_dir), PaperIndex.load(settings.cache_dir))
    site_search = SiteSearch(cli)
    out = []
    counter = Counter()
    with pages_like_server(site, counter) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        for query in queries:
            context = browser.new_context()
            page = context.new_page()
            page.goto(f"{base}/search/?q={quote(query)}")
            wait_final(page)
            hits = page.evaluate("() => [...document.querySelectorAll('#atlas-search-results [data-arxiv-id]')]"
                                 ".map(e => e.dataset.arxivId)")[:10]
            context.close()
            site_ids = {h.paper.id for h in site_search.search(query, 10)}
            hybrid_ids = {h.paper.id for h in cli.search(query, 10)}
            out.append({"query": query, "site": len(set(hits) & site_ids) / 10,
                        "hybrid": len(set(hits) & hybrid_ids) / 10})
        browser.close()
    return out


def eval_table() -> list[dict]:
    from tracker.search.evaluation import evaluate

    out = []
    for name in ("ki-first", "ki-contrib", "topics"):
        folder = REPO / ".cache" / "llm-atlas" / "evalsets" / name
        row = {"set": name}
        for method in ("hybrid", "bm25", "site"):
            row[method] = evaluate(folder, REPO / ".cache" / "llm-atlas", method)["ndcg@10"]
        row["ratio"] = round(row["site"] / row["hybrid"], 3)
        print(json.dumps(row), file=sys.stderr)
        out.append(row)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--site", type=Path, default=REPO / "site")
    parser.add_argument("--runs", type=int, default=3, help="cold page loads per network (median; 0: none)")
    parser.add_argument("--synthetic", type=int, default=0, help="also measure a store of N papers tiled from this one")
    parser.add_argument("--eval", action="store_true", help="nDCG@10 of hybrid and --method site on the eval sets")
    parser.add_argument("--overlap", action="store_true",
                        help="top-10 overlap of the page with --method site and the CLI hybrid, 12 topic queries")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    queries = [json.loads(line)["text"] for line in (REPO / "scripts" / "eval_topics" / "queries.jsonl").open()][:6]
    manifest = json.loads((args.site / "generated" / "search" / "manifest.json").read_text())
    networks = run_networks(args.site, args.runs, queries, args.chromium) if args.runs else []
    result: dict = {"sizes": [{"papers": manifest["papers"], "networks": networks}]}
    if args.synthetic:
        with tempfile.TemporaryDirectory() as scratch:
            copy = synthetic_site(args.site, args.synthetic, Path(scratch))
            result["sizes"].append({"papers": args.synthetic,
                                    "networks": run_networks(copy, max(1, args.runs), queries, args.chromium)})
    if args.eval:
        result["eval"] = eval_table()
    if args.overlap:
        every = [json.loads(line)["text"] for line in (REPO / "scripts" / "eval_topics" / "queries.jsonl").open()]
        result["overlap"] = overlaps(args.site, every, args.chromium)
    if args.json:
        print(json.dumps(result, indent=1))
        return
    print("| papers | network | first answer: bytes (theme's word index) | words ms | meaning ms | "
          "further query: bytes (median / max) | repeat visit bytes |")
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    for size in result["sizes"]:
        for row in size["networks"]:
            print(f"| {size['papers']:,} | {row['network']} | {row['bytes']:,.0f} ({row['theme_index']:,.0f}) | "
                  f"{row['words_ms']:.0f} | {row['meaning_ms']:.0f} | {row['further_median']:,.0f} / "
                  f"{row['further_max']:,.0f} | {row['repeat']:,.0f} |")
    if args.eval:
        print("\n| set | hybrid | BM25 | site | site / hybrid |\n| --- | ---: | ---: | ---: | ---: |")
        for row in result["eval"]:
            print(f"| {row['set']} | {row['hybrid']:.3f} | {row['bm25']:.3f} | {row['site']:.3f} | "
                  f"{row['ratio']:.2f} |")
    if args.overlap:
        for method in ("site", "hybrid"):
            values = [o[method] for o in result["overlap"]]
            print(f"top-10 overlap of the page with {method} over {len(values)} topic queries: "
                  f"mean {statistics.mean(values):.2f}, min {min(values):.1f}")


if __name__ == "__main__":
    main()
