#!/usr/bin/env python3
"""The site's search page measured in headless Chromium: bytes, time to the first answer, agreement with the CLI.

    .venv/bin/python scripts/bench_site_search.py [--json] [--site site] [--runs 3]

Needs a built site (`llm-atlas build`) and its index. Serves ``site/`` with a plain static server on
127.0.0.1, opens ``search/?q=QUERY`` in a fresh browser context per run (empty cache) and reports:

* bytes the browser downloaded before the first answer by meaning, as served here (no compression) and as
  gzip would send them (GitHub Pages compresses text, JSON, JavaScript and WebAssembly);
* time from navigation to the first answer (word matches) and to the first answer by meaning, on the
  local server and under emulated networks (Chrome DevTools throttling; the CPU is this machine's);
* top-10 overlap with ``llm-atlas search --json`` for the twelve hand-written topic queries of the
  evaluation set (scripts/eval_topics/queries.jsonl).
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from tracker.site.serve import serve_folder

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


def first_answer(browser: object, url: str, network: tuple[str, float | None, float | None, int]) -> dict:
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    received: list[int] = []
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    def finished(request: object) -> None:
        sizes = request.sizes()  # type: ignore[attr-defined]
        received.append(sizes["responseBodySize"] + sizes["responseHeadersSize"])

    context.on("requestfinished", finished)  # the page's and its worker's requests
    session = context.new_cdp_session(page)
    _, down, up, latency = network
    if down is not None:
        session.send("Network.emulateNetworkConditions", {"offline": False, "latency": latency,
                                                          "downloadThroughput": down, "uploadThroughput": up})
    started = time.perf_counter()
    page.goto(url)
    page.wait_for_selector(FINAL, timeout=600_000)
    wall = time.perf_counter() - started
    timing = page.evaluate("window.atlasSearchTiming")
    hits = page.evaluate("() => [...document.querySelectorAll('#atlas-search-results [data-arxiv-id]')]"
                         ".map(e => e.dataset.arxivId)")
    context.close()
    return {"words_ms": timing["firstAnswer"], "meaning_ms": timing["firstSemantic"], "wall_s": wall,
            "bytes": sum(received), "requests": len(received), "hits": hits, "errors": errors}


def gzip_bytes(site: Path) -> dict[str, tuple[int, int]]:
    manifest = json.loads((site / "generated" / "search" / "manifest.json").read_text())
    out = {}
    for name in [*manifest["fetched"], "search.js", "worker.js", "manifest.json"]:
        stored = (site / "generated" / "search" / name).read_bytes()
        if name.endswith(".gz"):  # (inflated size, bytes sent)
            out[name] = (len(gzip.decompress(stored)), len(stored))
        else:  # (bytes, what gzip from the server would send)
            out[name] = (len(stored), len(gzip.compress(stored, 6)))
    return out


def cli_top10(query: str) -> list[str]:
    completed = subprocess.run([str(REPO / ".venv" / "bin" / "llm-atlas"), "search", query, "-k", "10", "--json"],
                               cwd=REPO, capture_output=True, text=True, check=True)
    return [hit["id"] for hit in json.loads(completed.stdout)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--site", type=Path, default=REPO / "site")
    parser.add_argument("--runs", type=int, default=3, help="cold page loads per network (median reported)")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    queries = [json.loads(line)["text"] for line in (REPO / "scripts" / "eval_topics" / "queries.jsonl").open()]
    result: dict = {"files": gzip_bytes(args.site), "networks": [], "overlap": []}
    with serve_folder(args.site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        for network in NETWORKS:
            runs = [first_answer(browser, f"{base}/search/?q={quote(queries[0])}", network) for _ in range(args.runs)]
            result["networks"].append({
                "network": network[0], "runs": len(runs),
                "words_ms": statistics.median(r["words_ms"] for r in runs),
                "meaning_ms": statistics.median(r["meaning_ms"] for r in runs),
                "bytes": statistics.median(r["bytes"] for r in runs),
                "requests": statistics.median(r["requests"] for r in runs),
                "console_errors": sum(len(r["errors"]) for r in runs),
            })
            print(f"{network[0]}: {result['networks'][-1]}", file=sys.stderr)
        for query in queries:
            page = first_answer(browser, f"{base}/search/?q={quote(query)}", NETWORKS[0])
            expected = cli_top10(query)
            result["overlap"].append({"query": query, "overlap": len(set(page["hits"][:10]) & set(expected)) / 10})
        browser.close()
    if args.json:
        print(json.dumps(result, indent=1))
        return
    print("| file | bytes | gzipped (.gz: as stored and sent) |\n| --- | ---: | ---: |")
    for name, (raw, packed) in result["files"].items():
        print(f"| {name} | {raw:,} | {packed:,} |")
    total_raw = sum(v[0] for v in result["files"].values())
    total_gz = sum(v[1] for v in result["files"].values())
    print(f"| **all** | **{total_raw:,}** | **{total_gz:,}** |\n")
    print("| network | bytes downloaded | first answer (words) ms | first answer by meaning ms |")
    print("| --- | ---: | ---: | ---: |")
    for row in result["networks"]:
        print(f"| {row['network']} | {row['bytes']:,.0f} | {row['words_ms']:.0f} | {row['meaning_ms']:.0f} |")
    overlaps = [o["overlap"] for o in result["overlap"]]
    print(f"\ntop-10 overlap with `llm-atlas search --json` over {len(overlaps)} topic queries: "
          f"mean {statistics.mean(overlaps):.2f}, min {min(overlaps):.1f}")


if __name__ == "__main__":
    main()
