#!/usr/bin/env python3
"""The For-you page measured in headless Chromium: bytes transferred and time until its first ranked list, for
libraries of several sizes, at the bundled size and at a synthetic size (issue 23: "light at any size").

    .venv/bin/python scripts/bench_foryou.py [--site site] [--synthetic 250000 [--keep DIR]] [--networks local,dsl]
        [--libraries 1,10] [--window 4|all|both] [--json] [--table RESULTS.json]

The sibling of ``scripts/bench_site_search.py``, with its machinery: a static server on 127.0.0.1 that behaves like
GitHub Pages (text gzip-encoded on the fly, ``Cache-Control: max-age=600``, 304s) and counts the bytes it sends,
Debian's Chromium through playwright, Chrome DevTools throttling, a fresh browser context (cold cache) per load.

Each load puts a library in the page's localStorage (``llm-atlas:library``, as the star buttons store it), opens
``for-you/`` (the newest 4 weeks) or ``for-you/?weeks=all`` and waits for the first ranked list; the figure is
every byte the server sent until then (page, theme, scripts, search data) and the page's own time from navigation
to the list. Libraries, drawn from the site's own rows (papers in date order), deterministically:

* 1, 10, 100 and 2,000 papers spread over all time (evenly spaced rows: the most codes files a library of that
  size can need);
* "recent 10": 10 papers of the newest 13 weeks (evenly spaced), a reader's recent interests.

Each load is checked: the page asked only for static files of the site (GET, no other origin, no query but the
page's own ``?weeks=``, no library id in any address), and the server's log holds exactly the codes files
(``r/``) of the window's weeks and of the library's own rows and the id tables (``i/``) of the library's ids, and
no file of the search page's index (token table, postings, lists, vocabulary).

``--synthetic N`` measures the same on a store of N papers tiled from the site's: every paper repeated under a new
arXiv id of its new month, each copy dated one store span earlier (a whole number of weeks: the span from the first
paper's week to the newest's), so a week holds as many papers as a real week and the newest weeks are the real
ones; the oldest copy keeps its newest papers only. (``bench_site_search.py --synthetic`` keeps every copy on its
paper's date, which is right for the search page, whose files do not depend on dates, but puts 7 times as many
papers in For-you's window at 250,000; and its ids, ``<id>v0004``, are read by the library as a version of the
real paper.) Vectors, postings, neighbours and model links are copied; the site index (lists, PQ codes) is built
again, so every file has the size N papers give. Built from the site's own bundle files and the store's index
(``.cache/llm-atlas``, read only); needs a site built with the For-you codes.
"""

from __future__ import annotations

import argparse
import bisect
import gzip
import json
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
from bench_site_search import CHROMIUM_ARGS, NETWORKS, REPO, Counter, _link, emulate_network, pages_like_server

from tracker.library import site_rank
from tracker.library.site_codes import codes_bundle

SEARCH = Path("generated") / "search"
FINAL_STAGES = ("final", "error", "none", "empty")
LIBRARIES = [("1", 1), ("10", 10), ("recent 10", 10), ("100", 100), ("2,000", 2000)]
RECENT_WEEKS = 13
TARGET = 1_500_000  # issue 23: the first ranked list within 1.5 MB transferred
SEARCH_PAGE_KINDS = ("t/", "x/", "l/", "n/", "vocab.", "lexicon.", "dates.")  # the search page's files, not For-you's
SHORT_NETWORKS = {"local": 0, "cable": 1, "dsl": 2, "4g": 3}


def gunzip(path: Path) -> bytes:
    return gzip.decompress(path.read_bytes())


class SiteBundle:
    """A built site's search data, read as the page reads it (manifest, directory, id tables, metadata rows)."""

    def __init__(self, site: Path) -> None:
        self.site = site
        self.folder = site / SEARCH
        if not (self.folder / "manifest.json").is_file():
            raise SystemExit(f"{site} holds no built site with search data: run `.venv/bin/llm-atlas build` first")
        self.manifest = json.loads((self.folder / "manifest.json").read_text(encoding="utf-8"))
        if "codes" not in self.manifest:
            raise SystemExit(f"{self.folder}/manifest.json has no For-you codes: build the site again "
                             "(`.venv/bin/llm-atlas build`)")
        self.directory = json.loads(gunzip(self.folder / self.manifest["files"]["directory"]))
        self.papers = int(self.manifest["papers"])
        self.weeks: list[list[Any]] = self.manifest["codes"]["weeks"]
        self._tables: dict[int, dict[str, int]] = {}

    def chunk(self, kind: str, number: int) -> str:
        hashes = self.manifest["codes"]["hashes"] if kind == "r" else self.directory[kind]
        return f"{kind}/{number}.{hashes[8 * number : 8 * number + 8]}.gz"

    def meta(self, rows: list[int]) -> dict[int, list[Any]]:
        size = self.manifest["chunks"]["meta"]
        out: dict[int, list[Any]] = {}
        for number in sorted({row // size for row in rows}):
            for slot, paper in enumerate(json.loads(gunzip(self.folder / self.chunk("p", number)))):
                out[number * size + slot] = paper
        return {row: out[row] for row in rows}

    def all_meta(self) -> list[list[Any]]:
        rows = self.meta(list(range(self.papers)))
        return [rows[r] for r in range(self.papers)]

    def id_table(self, paper_id: str) -> int:
        """The id table ("i/" file) the page reads for an id (the last whose first id is <= it)."""
        return bisect.bisect_right(self.directory["ifirsts"], paper_id) - 1

    def rows_of(self, ids: list[str]) -> dict[str, int]:
        """id -> site row, from the id tables (as the page finds them)."""
        out = {}
        for number in sorted({self.id_table(i) for i in ids}):
            if number not in self._tables:
                table = json.loads(gunzip(self.folder / self.chunk("i", number)))
                self._tables[number] = dict(zip(table["ids"], table["rows"], strict=True))
            out.update({i: self._tables[number][i] for i in ids if i in self._tables[number]})
        return out

    def window(self, weeks: int | None) -> tuple[int, int]:
        return site_rank.week_rows(self.weeks, weeks)

    def single(self, name: str) -> bytes:
        return gunzip(self.folder / self.manifest["files"][name])


def libraries(bundle: SiteBundle) -> dict[str, list[dict[str, str]]]:
    """The libraries measured, as the page stores them ({id, title, date, authors, added})."""
    count = bundle.papers
    chosen: dict[str, list[int]] = {}
    for name, size in LIBRARIES:
        if name.startswith("recent"):
            first, end = bundle.window(RECENT_WEEKS)
            span = end - first
            chosen[name] = sorted({first + int((i + 0.5) * span / size) for i in range(size)})
        else:
            chosen[name] = sorted({int((i + 0.5) * count / size) for i in range(min(size, count))})
    meta = bundle.meta(sorted({row for rows in chosen.values() for row in rows}))
    return {name: [{"id": meta[row][0], "title": meta[row][1], "date": meta[row][3], "authors": meta[row][2],
                    "added": "2026-01-01T00:00:00.000Z"} for row in rows] for name, rows in chosen.items()}


def kind_of(path: str) -> str:
    """A served path's part of the page: the page and theme, the page's scripts, or a kind of search data."""
    if path.split("?")[0].endswith("/search/search_index.json"):
        return "theme index"  # the theme's word index (its search box), fetched by every page
    if "/generated/search/" not in path:
        return "page"
    name = path.split("/generated/search/", 1)[1]
    if name.endswith(".js"):
        return "scripts"
    if "/" in name:
        return name.split("/")[0]  # r, i, p, ...
    return "setup"  # manifest, directory, centroids, codebook, models


def check_requests(site: Path, base: str, seen: list[dict[str, Any]], served: list[tuple[str, int]],
                   bundle: SiteBundle, library: list[dict[str, str]], weeks: int | None) -> list[str]:
    """What the load did that it should not have: requests other than static files of the site, codes files or id
    tables other than the window's and the library's, files of the search page's index."""
    problems = []
    ids = [paper["id"] for paper in library]
    origin = urlsplit(base)
    for request in seen:
        url = urlsplit(request["url"])
        if request["method"] != "GET" or request["post"]:
            problems.append(f"{request['method']} {request['url']}")
        if (url.scheme, url.netloc) != (origin.scheme, origin.netloc):
            problems.append(f"another origin: {request['url']}")
            continue
        if url.query and not (request["type"] == "document" and url.query.startswith("weeks=")):
            problems.append(f"a query: {request['url']}")
        target = site / url.path.lstrip("/")
        if not (target.is_file() or (target / "index.html").is_file()):
            problems.append(f"not a file of the site: {url.path}")
        if any(paper_id in request["url"] for paper_id in ids):
            problems.append(f"a library id in {request['url']}")
    prefix = f"/{SEARCH.as_posix()}/"
    fetched = [path.split("?")[0][len(prefix):] for path, _ in served if path.startswith(prefix)]
    rows = list(bundle.rows_of(ids).values())
    first, end = bundle.window(weeks)
    wanted_r = {bundle.chunk("r", n) for n in site_rank.chunks_of(np.array([*range(first, end), *rows]))}
    wanted_i = {bundle.chunk("i", bundle.id_table(paper_id)) for paper_id in ids}
    got_r = {name for name in fetched if name.startswith("r/")}
    got_i = {name for name in fetched if name.startswith("i/")}
    if got_r != wanted_r:
        problems.append(f"codes files: {len(got_r - wanted_r)} not of the window or the library, "
                        f"{len(wanted_r - got_r)} of them missing")
    if got_i != wanted_i:
        problems.append(f"id tables: {len(got_i - wanted_i)} not of the library's ids, {len(wanted_i - got_i)} missing")
    others = [name for name in fetched if name.startswith(SEARCH_PAGE_KINDS)]
    if others:
        problems.append(f"{len(others)} files of the search page's index, e.g. {others[0]}")
    return problems


def measure(browser: object, base: str, counter: Counter, network: tuple, site: Path, bundle: SiteBundle,
            library: list[dict[str, str]], weeks: int | None) -> dict[str, Any]:
    """One cold load of the For-you page with ``library`` stored: bytes and time to its first ranked list."""
    context = browser.new_context()  # type: ignore[attr-defined]
    value = json.dumps({"version": 1, "papers": library})
    context.add_init_script(f"try {{ localStorage.setItem('llm-atlas:library', {json.dumps(value)}); }} "
                            "catch (error) {}")
    seen: list[dict[str, Any]] = []
    context.on("request", lambda r: seen.append({"url": r.url, "method": r.method, "type": r.resource_type,
                                                 "post": r.post_data}))
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    emulate_network(context, page, network)
    counter.bytes = 0
    counter.requests.clear()
    started = time.monotonic()
    page.goto(f"{base}/for-you/" + ("?weeks=all" if weeks is None else ""))
    page.wait_for_function(f"() => {json.dumps(list(FINAL_STAGES))}.includes("
                           "(document.getElementById('atlas-foryou-results') || {dataset: {}}).dataset.stage)",
                           timeout=1_800_000, polling=50)
    wall = time.monotonic() - started
    sent = counter.bytes
    served = list(counter.requests)
    stage = page.evaluate("document.getElementById('atlas-foryou-results').dataset.stage")
    timing = page.evaluate("window.atlasForYouTiming")
    shown = page.evaluate("document.querySelectorAll('#atlas-foryou-results li').length")
    status = page.evaluate("document.getElementById('atlas-foryou-status').textContent")
    context.close()
    by_kind: dict[str, int] = {}
    files: dict[str, int] = {}
    for path, size in served:
        kind = kind_of(path)
        by_kind[kind] = by_kind.get(kind, 0) + size
        files[kind] = files.get(kind, 0) + 1
    first = timing["start"] + timing["first"] if timing and timing.get("first") is not None else None
    problems = check_requests(site, base, seen, served, bundle, library, weeks)
    if stage != "final":
        problems.append(f"no list: stage {stage}, {status!r}")
    return {"bytes": sent, "ms": first, "wall_s": round(wall, 2), "requests": len(served), "by_kind": by_kind,
            "files": files, "shown": shown, "status": status, "errors": errors, "problems": problems}


def run_site(site: Path, networks: list[tuple], runs: int, chromium: str, only: list[str] | None = None,
             windows: tuple[int | None, ...] = (site_rank.WEEKS, None)) -> list[dict[str, Any]]:
    from playwright.sync_api import sync_playwright

    bundle = SiteBundle(site)
    libs = libraries(bundle)
    counter = Counter()
    out = []
    with pages_like_server(site, counter) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        for weeks in windows:
            first, end = bundle.window(weeks)
            for name, _ in LIBRARIES:
                if only and name not in only:
                    continue
                library = libs[name]
                for network in networks:
                    loads = [measure(browser, base, counter, network, site, bundle, library, weeks)
                             for _ in range(runs)]
                    row = {"papers": bundle.papers, "library": name, "library_papers": len(library),
                           "window": "4 weeks" if weeks else "all time", "candidates": end - first,
                           "network": network[0], "runs": runs,
                           "bytes": statistics.median(load["bytes"] for load in loads),
                           "ms": statistics.median(load["ms"] or 0 for load in loads),
                           "by_kind": loads[0]["by_kind"], "files": loads[0]["files"],
                           "requests": loads[0]["requests"], "shown": loads[0]["shown"],
                           "console_errors": sorted({e for load in loads for e in load["errors"]}),
                           "problems": sorted({p for load in loads for p in load["problems"]})}
                    print(json.dumps(row), file=sys.stderr)
                    out.append(row)
        browser.close()
    return out


# -- the synthetic store ------------------------------------------------------------------------------------------

def synthetic_site(site_dir: Path, papers: int, scratch: Path) -> Path:
    """A copy of ``site_dir`` whose search data is that of ``papers`` papers tiled back in time (module docstring)."""
    from tracker.embedding.static_encoder import shipped_static_encoder
    from tracker.search.index import PaperIndex
    from tracker.search.lexical import LexicalIndex
    from tracker.search.site_index import NEIGHBOURS, SiteIndex
    from tracker.settings import Settings
    from tracker.site.search_bundle import bundle_files, manifest_json, write_files

    started = time.monotonic()
    real = SiteBundle(site_dir)
    rows = real.all_meta()
    count = len(rows)
    index = PaperIndex.load(Settings.resolve().cache_dir)
    index_row = {paper_id: r for r, paper_id in enumerate(index.ids)}
    if set(index_row) != {row[0] for row in rows}:
        raise SystemExit("the store's index is not the one the site was built from: build the site again")
    index_of_site = np.array([index_row[row[0]] for row in rows], dtype=np.int64)
    site_of_index = np.empty(count, dtype=np.int64)
    site_of_index[index_of_site] = np.arange(count)
    like = real.manifest["chunks"]["like"]
    neighbours = np.concatenate([np.frombuffer(gunzip(real.folder / real.chunk("n", n)), dtype="<i4")
                                 for n in range(-(-count // like))]).reshape(count, -1)
    span = timedelta(days=7 * len(real.weeks))  # whole weeks: a copy's weeks are the real ones
    copies = -(-papers // count)
    keep_last = papers - (copies - 1) * count  # the oldest copy keeps its newest papers
    # tiled row of (copy t, real site row q): the tiled index lists copy 0 (the real store) first, then older ones
    tiled_of = np.full((copies, count), -1, dtype=np.int64)
    pairs: list[tuple[int, int]] = []
    for copy in range(copies):
        for q in range(count - keep_last if copy == copies - 1 else 0, count):
            tiled_of[copy, q] = len(pairs)
            pairs.append((copy, q))
    taken = {row[0] for row in rows}
    counters: dict[str, int] = {}
    ids, dates = [], []
    for copy, q in pairs:
        day = date.fromisoformat(rows[q][3]) - copy * span
        if copy == 0:
            ids.append(rows[q][0])
        else:
            month = f"{day:%y%m}"
            new_id = ""
            while not new_id or new_id in taken:  # a fresh id of the paper's new month, never a real one
                counters[month] = counters.get(month, 49_999) + 1
                new_id = f"{month}.{counters[month]:05d}"
            taken.add(new_id)
            ids.append(new_id)
        dates.append(day.isoformat())
    order = sorted(range(len(pairs)), key=lambda r: (dates[r], ids[r]))  # the site rows, as SiteIndex.build orders
    site_row = np.empty(len(pairs), dtype=np.int64)
    site_row[order] = np.arange(len(pairs))
    copy_of = np.array([c for c, _ in pairs], dtype=np.int64)
    real_of = np.array([q for _, q in pairs], dtype=np.int64)
    lexical = index.lexical
    data_parts, index_parts, indptr = [], [], [0]
    for column in range(len(lexical.vocabulary)):
        start, end = lexical.indptr[column], lexical.indptr[column + 1]
        tiled = tiled_of[:, site_of_index[lexical.indices[start:end]]].T.reshape(-1)  # each posting, every copy
        weights = np.repeat(lexical.data[start:end], copies)
        keep = tiled >= 0
        index_parts.append(tiled[keep])
        data_parts.append(weights[keep])
        indptr.append(indptr[-1] + int(keep.sum()))
    tiled_lexical = LexicalIndex(ids, list(lexical.vocabulary), np.concatenate(data_parts).astype(np.float32),
                                 np.concatenate(index_parts).astype(np.int64), np.asarray(indptr, dtype=np.int64),
                                 sorted(lexical.stopwords), lexical.title_weight)
    tiled_index = PaperIndex(ids, index.vectors[index_of_site[real_of]], "synthetic", kind="flat",
                             lexical=tiled_lexical)
    # neighbours: the real paper's, in the same copy (a neighbour the oldest copy lacks is left out)
    near_real = neighbours[real_of[order]][:, :NEIGHBOURS]
    near_tiled = tiled_of[copy_of[order][:, None], np.maximum(near_real, 0)]
    near = np.where((near_real < 0) | (near_tiled < 0), -1, site_row[np.maximum(near_tiled, 0)])
    encoder = shipped_static_encoder()
    site = SiteIndex.build(tiled_index, encoder, dates=dates, neighbours=near)
    assert site.ids == [ids[r] for r in order], "the tiled rows are not in (date, id) order"
    print(f"synthetic site index of {papers:,} papers ({copies} copies, each {span.days} days earlier) built in "
          f"{time.monotonic() - started:.0f} s", file=sys.stderr)
    tiled_rows = [[ids[r], rows[real_of[r]][1], rows[real_of[r]][2], dates[r], *rows[real_of[r]][4:]] for r in order]
    linked: dict[str, list[int]] = {}
    for model, digest in real.directory.get("k", {}).items():
        members = np.frombuffer(gunzip(real.folder / f"k/{model}.{digest}.gz"), dtype="<u4").astype(np.int64)
        tiled = tiled_of[:, members].reshape(-1)
        linked[model] = sorted(site_row[tiled[tiled >= 0]].tolist())
    models = json.loads(real.single("models"))
    for model, entry in models.items():
        entry["papers"] = len(linked.get(model, []))
    topics = json.loads(real.single("topics"))
    exceptions = json.loads(real.single("lexicon"))["exceptions"]
    files = bundle_files(REPO, site, encoder, tiled_rows, linked, models, exceptions, topics)
    codes, entry = codes_bundle(site, [row[3] for row in tiled_rows])
    files.update(codes)
    files.update({p.name: p.read_bytes() for p in sorted(real.folder.glob("*.js"))})  # the page's own scripts
    files["manifest.json"] = manifest_json(site, encoder, files, index.embedder_name, entry)
    copy_dir = scratch / "site"
    shutil.copytree(site_dir, copy_dir, copy_function=_link,
                    ignore=lambda folder, names: ["search"] if Path(folder) == site_dir / "generated" else [])
    write_files(copy_dir / SEARCH, files)
    window = site_rank.week_rows(entry["weeks"], site_rank.WEEKS)
    real_window = real.window(site_rank.WEEKS)
    print(f"synthetic bundle: {len(files):,} files, {sum(len(b) for b in files.values()) / 1e6:.1f} MB; "
          f"{len(entry['weeks'])} weeks from {entry['weeks'][0][0]}; the newest 4 weeks hold "
          f"{window[1] - window[0]:,} papers (the real store's: {real_window[1] - real_window[0]:,})", file=sys.stderr)
    return copy_dir


# -- report -------------------------------------------------------------------------------------------------------

def table(rows: list[dict[str, Any]], networks: list[str]) -> str:
    lines = ["| papers | library | window (papers) | bytes to first list | of which page & theme (its word index) / "
             "scripts / setup / id tables / codes / metadata, KB | codes files | "
             + " | ".join(f"ms, {n}" for n in networks) + " | ≤ 1.5 MB | checks |",
             "| ---: | --- | --- | ---: | --- | ---: | " + " | ".join("---:" for _ in networks) + " | --- | --- |"]
    keyed: dict[tuple, dict[str, dict[str, Any]]] = {}
    for row in rows:
        keyed.setdefault((row["papers"], row["library"], row["window"]), {})[row["network"]] = row
    for (papers, library, window), by_network in keyed.items():
        row = next(iter(by_network.values()))
        kinds = row["by_kind"]
        parts = (f"{(kinds.get('page', 0) + kinds.get('theme index', 0)) / 1000:,.0f} "
                 f"({kinds.get('theme index', 0) / 1000:,.0f}) / "
                 + " / ".join(f"{kinds.get(k, 0) / 1000:,.0f}" for k in ("scripts", "setup", "i", "r", "p")))
        times = " | ".join(f"{by_network[n]['ms']:,.0f}" if n in by_network else "" for n in networks)
        problems = sorted({p for r in by_network.values() for p in r["problems"] + r["console_errors"]})
        lines.append(f"| {papers:,} | {library} | {window} ({row['candidates']:,}) | {row['bytes'] / 1e6:.2f} MB | "
                     f"{parts} | {row['files'].get('r', 0):,} | {times} | "
                     f"{'yes' if row['bytes'] <= TARGET else 'no'} | {'; '.join(problems) or 'ok'} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, default=REPO / "site")
    parser.add_argument("--synthetic", type=int, default=0, help="also measure a store of N papers tiled from this one")
    parser.add_argument("--only-synthetic", action="store_true", help="measure the synthetic store only")
    parser.add_argument("--networks", default="dsl",
                        help=f"comma-separated: {', '.join(SHORT_NETWORKS)} (Chrome DevTools throttling)")
    parser.add_argument("--runs", type=int, default=1, help="cold loads per library, window and network (median)")
    parser.add_argument("--libraries", help="comma-separated: only these libraries (1, 10, recent 10, 100, 2,000 "
                        "written without the comma)")
    parser.add_argument("--window", choices=("4", "all", "both"), default="both")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="write the synthetic site into DIR/site and keep it (one already there is measured again)")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--table", type=Path, help="print the table of an earlier run's --json output, and stop")
    args = parser.parse_args()
    if args.table:
        saved = json.loads(args.table.read_text(encoding="utf-8"))
        print(table(saved, list(dict.fromkeys(row["network"] for row in saved))))
        return
    networks = [NETWORKS[SHORT_NETWORKS[name.strip().lower()]] for name in args.networks.split(",")]
    site = args.site.resolve()
    only = [{"2000": "2,000"}.get(n.strip(), n.strip()) for n in args.libraries.split(",")] if args.libraries else None
    windows = {"4": (site_rank.WEEKS,), "all": (None,), "both": (site_rank.WEEKS, None)}[args.window]
    rows: list[dict[str, Any]] = []
    if not args.only_synthetic:
        rows += run_site(site, networks, args.runs, args.chromium, only, windows)
    if args.synthetic:
        with tempfile.TemporaryDirectory() as scratch:
            folder = args.keep or Path(scratch)
            if args.keep and (args.keep / "site").exists():
                copy = args.keep / "site"
            else:
                copy = synthetic_site(site, args.synthetic, folder)
            rows += run_site(copy, networks, args.runs, args.chromium, only, windows)
    if args.json:
        print(json.dumps(rows, indent=1))
        return
    print(table(rows, [n[0] for n in networks]))


if __name__ == "__main__":
    main()
