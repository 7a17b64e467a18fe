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
new id, its copies a day's papers apart and a little different: ``tiled_site``, ``NOISE``; postings and links
copied, so its lists, codes and chunks have the sizes N real papers give).
``--eval`` prints nDCG@10 of the CLI's hybrid and of ``--method site`` on the evaluation sets (test queries:
ki-first, ki-contrib, ki-long, topics);
``--overlap`` the top-10 overlap of the page's answers with ``--method site`` and with the CLI's hybrid on the
twelve topic queries (the repository's store: the site must be built from it).

``--files`` needs no built site and no browser: it writes the store's search bundle in memory (and, with
``--synthetic N``, the tiled store's) and counts the bytes of the files the page fetches
(``tracker.site.search_fetch``, checked against the real worker by ``tests/test_web_search_js.py``) for the test
queries of every evaluation set, in visits of six queries (the first, then five further ones, as above): search
data and the page's scripts, gzipped as stored; the page itself and the theme are not counted (measured in
Chromium above: 186 KB at the bundled size).
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
from typing import Any
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


def emulate_network(context: object, page: object, network: tuple) -> None:
    """Chrome DevTools throttling of one of NETWORKS (no throttling when its bandwidth is None)."""
    _, down, up, latency = network
    if down is not None:
        session = context.new_cdp_session(page)  # type: ignore[attr-defined]
        session.send("Network.emulateNetworkConditions", {"offline": False, "latency": latency,
                                                          "downloadThroughput": down, "uploadThroughput": up})


def measure(browser: object, base: str, counter: Counter, network: tuple, queries: list[str]) -> dict:
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    emulate_network(context, page, network)
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
    site, tiled_rows, tiled_linked = tiled_site(index, real, rows, linked, papers)
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


def file_bundle(site: object, rows: list, linked: dict, models: dict, topics: dict, exceptions: dict,
                embedder: str) -> dict[str, bytes]:
    """The search bundle's files in memory (as ``write_search_bundle`` writes them, without the For-you codes)."""
    from tracker.embedding.static_encoder import shipped_static_encoder
    from tracker.site.search_bundle import bundle_files, manifest_json
    from tracker.site.web_bundle import bundle_scripts

    encoder = shipped_static_encoder()
    files = bundle_files(REPO, site, encoder, rows, linked, models, exceptions, topics)  # type: ignore[arg-type]
    files.update({name: gzip.compress(blob, 9, mtime=0) for name, blob in bundle_scripts(REPO).items()})
    files["manifest.json"] = manifest_json(site, encoder, files, embedder)  # type: ignore[arg-type]
    return files


def visit_bytes(site: object, files: dict[str, bytes], sets: list[str], visit: int = 6) -> dict[str, dict]:
    """Per evaluation set: bytes of each visit's first query (search data + the page's scripts) and of each
    further query, over the set's test queries in id order, ``visit`` queries a visit."""
    from tracker.site.search_fetch import Bundle, Session

    bundle = Bundle(files)
    scripts = sum(len(files[name]) for name in ("search.js", "worker.js"))
    out: dict[str, dict] = {"base files": {name.split(".")[0]: len(files[name]) for name in bundle.base_files()}}
    out["base files"]["scripts"] = scripts
    print(json.dumps(out["base files"]), file=sys.stderr)
    for name in sets:
        folder = REPO / ".cache" / "llm-atlas" / "evalsets" / name
        texts = {json.loads(line)["_id"]: json.loads(line)["text"] for line in (folder / "queries.jsonl").open()}
        wanted = [line.split("\t")[0] for line in (folder / "qrels" / "test.tsv").read_text().splitlines()[1:]]
        queries = [texts[q] for q in sorted(set(wanted))]
        first: list[dict[str, int]] = []
        further: list[dict[str, int]] = []
        for start in range(0, len(queries) - 1, visit):
            session = Session(bundle)
            for number, query in enumerate(queries[start : start + visit]):
                added = session.ask(site, query)  # type: ignore[arg-type]
                if number == 0:
                    added["total"] += scripts
                (first if number == 0 else further).append(added)
        kinds = ("base", "t", "x", "l", "v", "p", "total")
        out[name] = {"visits": len(first), "further_queries": len(further),
                     "first": {k: statistics.median(a.get(k, 0) for a in first) for k in kinds},
                     "first_max": max(a["total"] for a in first),
                     "further": {k: statistics.median(a.get(k, 0) for a in further) for k in kinds},
                     "further_max": max(a["total"] for a in further)}
        print(json.dumps({"set": name, **out[name]}), file=sys.stderr)
    return out


def files_table(papers: int) -> list[dict[str, Any]]:
    """``--files``: the bundled store's bundle and, with ``papers``, a tiled one of that size; bytes per query."""
    from tracker.knowledge.catalog import load_catalog
    from tracker.knowledge.topics import load_topics
    from tracker.search.index import PaperIndex
    from tracker.search.site_search import published_dates, store_site_index
    from tracker.settings import Settings
    from tracker.site.engine import SiteData
    from tracker.site.search_bundle import paper_rows, stem_exceptions, topic_labels
    from tracker.store import PaperStore

    settings = Settings.resolve()
    store = PaperStore(settings.data_dir)
    index = PaperIndex.load(settings.cache_dir)
    site = store_site_index(index, published_dates(store), log=lambda m: print(m, file=sys.stderr))
    data = SiteData.collect(store, load_catalog(settings.catalog_dir), load_topics(settings.catalog_dir))
    rows, linked = paper_rows(site, data)
    models = {m: {"name": data.catalog.models[m].name, "family": data.catalog.models[m].family,
                  "page": f"../generated/models/{m}/", "papers": len(linked[m])} for m in sorted(linked)}
    by_id = {p.id: p for p in data.papers}
    exceptions = stem_exceptions(site, [(by_id[i].title, by_id[i].abstract) for i in site.ids], REPO)
    topics = topic_labels(data)
    sets = ["ki-long", "ki-first", "ki-contrib", "topics"]
    out = [{"papers": len(site), "sets": visit_bytes(site, file_bundle(site, rows, linked, models, topics,
                                                                      exceptions, index.embedder_name), sets)}]
    if papers:
        tiled, tiled_rows, tiled_linked = tiled_site(index, site, rows, linked, papers)
        files = file_bundle(tiled, tiled_rows, tiled_linked, models, topics, exceptions, index.embedder_name)
        out.append({"papers": papers, "sets": visit_bytes(tiled, files, sets)})
    return out


# Copies of a paper in a tiled store differ a little (NOISE: a random vector of this length added to each copy's
# MiniLM vector, renormalised; BM25 weights times 1 +- 10%) and sit apart (sorted by date, then copy, then id):
# identical adjacent copies made gzip shrink the lists' codes and the postings' rows several times, and a query's
# results were copies of a few papers sharing metadata files, so their bytes were far under a real store's.
NOISE = 0.3


def tiled_site(index: Any, real: Any, rows: list, linked: dict, papers: int) -> tuple[Any, list, dict]:
    """The site index, metadata rows and model rows of ``papers`` papers tiled from the store's: copy ``t`` of
    the store's site row ``r`` is the paper ``"{id}v{t}"`` (index row ``t * N + r``), a noisy copy (``NOISE``)."""
    from tracker.embedding.static_encoder import shipped_static_encoder
    from tracker.search.index import PaperIndex
    from tracker.search.lexical import LexicalIndex
    from tracker.search.site_index import NEIGHBOURS, SiteIndex

    count = len(index.ids)
    tiles = -(-papers // count)
    started = time.monotonic()
    rng = np.random.default_rng(0)
    tile, source = np.divmod(np.arange(papers), count)  # index row i: copy tile[i] of real site row source[i]
    ids = [f"{real.ids[r]}v{t:04d}" for t, r in zip(tile.tolist(), source.tolist(), strict=True)]
    vectors = index.vectors[real.index_rows[source]].astype(np.float32)
    noise = rng.standard_normal(vectors.shape).astype(np.float32)
    noise *= (NOISE * (tile > 0))[:, None] / np.linalg.norm(noise, axis=1, keepdims=True)
    vectors = vectors + noise
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    lexical = index.lexical
    site_of_index = np.empty(count, dtype=np.int64)
    site_of_index[real.index_rows] = np.arange(count)
    data_parts, index_parts, indptr = [], [], [0]
    for column in range(len(lexical.vocabulary)):
        start, end = lexical.indptr[column], lexical.indptr[column + 1]
        base_rows = site_of_index[lexical.indices[start:end]]
        rows_all = (base_rows[None, :] + count * np.arange(tiles)[:, None]).reshape(-1)
        weights = np.tile(lexical.data[start:end], tiles)
        keep = rows_all < papers
        jitter = 1 + 0.1 * rng.uniform(-1, 1, len(rows_all)) * (rows_all >= count)
        order = np.argsort(rows_all[keep], kind="stable")
        index_parts.append(rows_all[keep][order])
        data_parts.append((weights * jitter)[keep][order])
        indptr.append(indptr[-1] + int(keep.sum()))
    tiled_lexical = LexicalIndex(ids, list(lexical.vocabulary), np.concatenate(data_parts).astype(np.float32),
                                 np.concatenate(index_parts).astype(np.int64), np.asarray(indptr, dtype=np.int64),
                                 sorted(lexical.stopwords), lexical.title_weight)
    tiled = PaperIndex(ids, vectors, "synthetic", kind="flat", lexical=tiled_lexical)
    # sorted by (date, id): copies of a paper end up a day's papers apart
    dates = [rows[r][3] for r in source]
    keys = sorted(range(papers), key=lambda i: (dates[i], int(tile[i]), ids[i]))
    site = SiteIndex.build(tiled, shipped_static_encoder(), dates=[f"{dates[i]}|{int(tile[i]):04d}" for i in
                                                                   range(papers)],
                           neighbours=np.full((papers, NEIGHBOURS), -1, dtype=np.int64))
    assert [ids[i] for i in keys] == site.ids, "the tiled store's rows are not in (date, copy, id) order"
    # "More like this": copy t of a paper's neighbours are copy t's
    site_row = np.empty(papers, dtype=np.int64)
    site_row[site.index_rows] = np.arange(papers)
    real_near = real.neighbours[source]  # real site rows
    near_index = real_near + count * tile[:, None]
    near = np.where((real_near < 0) | (near_index >= papers), -1, site_row[np.clip(near_index, 0, papers - 1)])
    site.neighbours = near[site.index_rows][:, :NEIGHBOURS]
    print(f"tiled site index of {papers:,} papers built in {time.monotonic() - started:.0f} s", file=sys.stderr)
    tiled_rows = [[ids[i], *rows[source[i]][1:]] for i in site.index_rows.tolist()]
    sources = source[site.index_rows]
    tiled_linked = {model: np.flatnonzero(np.isin(sources, members)).tolist() for model, members in linked.items()}
    return site, tiled_rows, tiled_linked


def eval_table() -> list[dict]:
    from tracker.search.evaluation import evaluate

    out = []
    for name in ("ki-first", "ki-contrib", "ki-long", "topics"):
        folder = REPO / ".cache" / "llm-atlas" / "evalsets" / name
        row: dict[str, Any] = {"set": name}
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
    parser.add_argument("--files", action="store_true",
                        help="bytes per query from the bundle's files (no site, no browser); with --synthetic N too")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.files:
        measured: list[dict[str, Any]] = files_table(args.synthetic)
        if args.json:
            print(json.dumps(measured, indent=1))
            return
        print("| papers | test queries of | visits | first query: median / max | of which tokens, postings, lists, "
              "vectors, results | further query: median / max | of which tokens, postings, lists, vectors, results |")
        print("| ---: | --- | ---: | ---: | --- | ---: | --- |")
        for size in measured:
            for name, row in size["sets"].items():
                if name == "base files":
                    continue
                first, further = row["first"], row["further"]
                parts = " / ".join(f"{first[k] / 1000:.0f}" for k in ("t", "x", "l", "v", "p"))
                later = " / ".join(f"{further[k] / 1000:.0f}" for k in ("t", "x", "l", "v", "p"))
                print(f"| {size['papers']:,} | {name} | {row['visits']} | {first['total'] / 1000:.0f} / "
                      f"{row['first_max'] / 1000:.0f} KB | {parts} KB | {further['total'] / 1000:.0f} / "
                      f"{row['further_max'] / 1000:.0f} KB | {later} KB |")
        return
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
