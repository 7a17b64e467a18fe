"""The weekly run: scripts/weekly end to end against a local arXiv stand-in, backfill shards, staleness.

The stand-in is a local HTTP server on 127.0.0.1 that answers like export.arxiv.org with real recorded
API pages (tests/fixtures/weekly, see PROVENANCE.md). scripts/weekly runs as the workflow runs it: a
separate process, in a scratch copy of the repository (mkdocs.yml, docs/, catalog/, an empty data/).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from site_fixtures import EXEC_FENCE

from tracker.fetch.freshness import check_freshness
from tracker.fetch.shards import ShardError, canonical_order, parse_shard, shard_window, split_window
from tracker.paper import Paper, VersionRecord
from tracker.site.serve import serve_locally
from tracker.store import PaperStore

REPO = Path(__file__).parent.parent
WEEKLY = REPO / "scripts" / "weekly"
FIXTURES = Path(__file__).parent / "fixtures" / "weekly"
PAGE_SIZE = 10
RECORDED_STARTS = (0, 10, 20, 30, 40, 50)
WINDOW = ("2026-02-16", "2026-02-22")


# -- the local arXiv stand-in ----------------------------------------------------------------------
def recorded_page(start: int) -> dict[str, Any]:
    [path] = [p for p in FIXTURES.glob(f"q_testing_s{start}_m{PAGE_SIZE}_*.json")]
    return json.loads(path.read_text(encoding="utf-8"))


def entry_ids(body: str) -> list[str]:
    """arXiv ids (no version) of a recorded Atom page's entries."""
    found = re.findall(r"<id>https?://arxiv\.org/abs/([^<]+?)(?:v\d+)?</id>", body)
    return found


@dataclass
class ArxivStandIn:
    """Answers the API query with the recorded pages by ``start``; ``failing`` answers arXiv's real HTTP 400."""

    failing: bool = False
    requests: list[dict[str, list[str]]] = field(default_factory=list)
    url: str = ""

    def respond(self, query: dict[str, list[str]]) -> tuple[int, bytes]:
        self.requests.append(query)
        if self.failing:
            error = json.loads((FIXTURES / "id_abc_s0_m100_b79c8dcf6bc3.json").read_text(encoding="utf-8"))
            return error["status_code"], error["body"].encode("utf-8")
        start, size = int(query.get("start", ["0"])[0]), int(query.get("max_results", ["0"])[0])
        if size != PAGE_SIZE or start not in RECORDED_STARTS:
            return 404, f"not recorded: start={start} max_results={size}".encode()
        body = recorded_page(start)["body"]
        # The recording is one query's first 60 results out of 214881: say the window holds those 60.
        total = PAGE_SIZE * len(RECORDED_STARTS)
        body = re.sub(r"<opensearch:totalResults>\d+</opensearch:totalResults>",
                      f"<opensearch:totalResults>{total}</opensearch:totalResults>", body)
        return 200, body.encode("utf-8")


@pytest.fixture(scope="module")
def stand_in() -> Iterator[ArxivStandIn]:
    yield from _serve(ArxivStandIn())


@pytest.fixture
def failing_stand_in() -> Iterator[ArxivStandIn]:
    yield from _serve(ArxivStandIn(failing=True))


def _serve(state: ArxivStandIn) -> Iterator[ArxivStandIn]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            parts = urlsplit(self.path)
            status, body = (state.respond(parse_qs(parts.query)) if parts.path == "/api/query"
                            else (404, b"no such endpoint"))
            self.send_response(status)
            self.send_header("Content-Type", "application/atom+xml; charset=UTF-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            pass

    with serve_locally(Handler) as url:
        state.url = f"{url}/api/query"
        yield state


# -- a scratch repository and scripts/weekly -------------------------------------------------------
def scratch_repo(root: Path, onnx_cache: Path | None = None) -> Path:
    """The repository's site sources, an empty store, and settings pointing at the stand-in.

    With ``onnx_cache``, the exported model is already in the cache, as the workflow's actions/cache
    restores it (the export itself is tested in tests/test_onnx.py).
    """
    root.mkdir(parents=True)
    if onnx_cache is not None:
        shutil.copytree(onnx_cache / "models", root / ".cache" / "llm-atlas" / "models")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "overrides", root / "overrides")  # the theme overrides (custom_dir)
    shutil.copytree(REPO / "docs", root / "docs", ignore=shutil.ignore_patterns("generated"))
    # The Learn pages' programs are not what a weekly run is about (tests/test_snippets.py runs each, the shared
    # built site runs a page of them through MkDocs): switched off here, as tests/test_cli.py's build does.
    for page in (root / "docs" / "learn").glob("*.md"):
        page.write_text(EXEC_FENCE.sub('```python exec="false"', page.read_text(encoding="utf-8")), encoding="utf-8")
    shutil.copytree(REPO / "catalog", root / "catalog")
    (root / "data").mkdir()
    # The tracker's own settings point at a dead local port: only LLM_ATLAS_ARXIV_API_URL (read by
    # scripts/weekly, as in the workflow) leads to the stand-in. No delay: it is not arXiv.
    (root / "tracker.toml").write_text(
        "[arxiv]\n"
        'api_url = "http://127.0.0.1:9/api/query"\n'
        'feed_url = "http://127.0.0.1:9/rss"\n'
        "use_feed = false  # the listing feed has its own tests (tests/test_feeds.py); here: the API\n"
        "[http]\n"
        f"page_size = {PAGE_SIZE}\n"
        "delay_seconds = 0.0\nmax_retries = 1\nbackoff_base_seconds = 0.1\nbackoff_cap_seconds = 0.2\n"
        "connect_timeout_seconds = 5.0\nread_timeout_seconds = 20.0\n",
        encoding="utf-8",
    )
    return root


def weekly_env(api_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LLM_ATLAS_")}
    env.update(LLM_ATLAS_ARXIV_API_URL=api_url, HF_HUB_OFFLINE="1", LLM_ATLAS_CONTACT="tests@example.org",
               NO_MKDOCS_2_WARNING="1")
    return env


def run_weekly(root: Path, api_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(WEEKLY), *args], cwd=root, env=weekly_env(api_url),
                          capture_output=True, text=True, timeout=600)


def papers_state(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under data/papers with its bytes and modification time (a rewrite changes the time)."""
    folder = root / "data" / "papers"
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def stored_ids(root: Path) -> set[str]:
    return {p.id for p in PaperStore(root / "data")}


@dataclass
class WeeklyRuns:
    root: Path
    first: subprocess.CompletedProcess[str]
    first_report: dict[str, Any]
    after_first: dict[str, tuple[bytes, int]]
    second: subprocess.CompletedProcess[str]
    second_report: dict[str, Any]
    after_second: dict[str, tuple[bytes, int]]
    requests_first_run: list[dict[str, list[str]]]


@pytest.fixture(scope="module")
def weekly_runs(stand_in: ArxivStandIn, tmp_path_factory: pytest.TempPathFactory, onnx_cache: Path) -> WeeklyRuns:
    """scripts/weekly twice over the same window: the second run finds nothing new."""
    root = scratch_repo(tmp_path_factory.mktemp("weekly") / "repo", onnx_cache)
    # 104 weeks as of the day after the window: the recorded LLM papers are from 2023-2025.
    args = ("--since", WINDOW[0], "--until", WINDOW[1], "--stale-weeks", "104", "--as-of", "2026-02-23")
    first = run_weekly(root, stand_in.url, *args, "--report", str(root / "report-1.json"))
    requests_first_run = list(stand_in.requests)
    after_first = papers_state(root)
    second = run_weekly(root, stand_in.url, *args, "--report", str(root / "report-2.json"))
    return WeeklyRuns(
        root=root, first=first, first_report=json.loads((root / "report-1.json").read_text()),
        after_first=after_first, second=second, second_report=json.loads((root / "report-2.json").read_text()),
        after_second=papers_state(root), requests_first_run=requests_first_run,
    )


@pytest.mark.slow
def test_weekly_stores_indexes_and_builds(weekly_runs: WeeklyRuns) -> None:
    run, report = weekly_runs.first, weekly_runs.first_report
    assert run.returncode == 0, run.stderr[-3000:]
    assert report["status"] == "ok" and report["failed_step"] is None
    assert [(s["step"], s["exit"]) for s in report["steps"]] == [
        ("update", 0), ("candidates", 0), ("index", 0), ("build", 0), ("freshness", 0)]

    # update: every recorded page was asked for once, for the window and categories given
    assert sorted(int(q["start"][0]) for q in weekly_runs.requests_first_run) == list(RECORDED_STARTS)
    query = weekly_runs.requests_first_run[0]["search_query"][0]
    assert "cat:cs.CL" in query and "20260216" in query and "20260222" in query
    recorded = {i for start in RECORDED_STARTS for i in entry_ids(recorded_page(start)["body"])}
    assert len(recorded) == 60
    update = report["update"]
    assert update["since"] == WINDOW[0] and update["until"] == WINDOW[1]
    assert update["fetched"] == 60
    stored = stored_ids(weekly_runs.root)
    assert stored and stored <= recorded
    assert update["new"] == len(stored)
    assert report["papers_changed"] and all(name.endswith(".jsonl") for name in report["papers_changed"])
    # the tracker's run manifest travels in the report (what the workflow puts in a failure issue)
    assert report["manifest"] and json.dumps(report["manifest"]).count(WINDOW[0]) >= 1
    assert f"{len(stored)} new" in report["commit_message"]
    # candidates: the best names the stored papers use that the catalog lacks (also on the site, tested there)
    candidates = report["catalog_candidates"]
    assert candidates["papers"] == len(stored) and len(candidates["top"]) == min(20, candidates["candidates"])
    assert [name["rank"] for name in candidates["top"]] == list(range(1, len(candidates["top"]) + 1))
    assert all(name.keys() == {"rank", "name", "family", "papers", "papers_per_month"} for name in candidates["top"])

    # index: built over exactly the stored papers
    stats = subprocess.run([sys.executable, "-m", "tracker", "stats", "--json"], cwd=weekly_runs.root,
                           env=weekly_env(""), capture_output=True, text=True)
    index = json.loads(stats.stdout)["index"]
    assert index == {"built": True, "papers": len(stored), "fresh": True}

    # build: the site exists and shows the stored papers
    site = weekly_runs.root / "site"
    assert (site / "index.html").is_file()
    pages = "".join(p.read_text(encoding="utf-8") for p in (site / "generated" / "papers").rglob("*.html"))
    assert all(paper_id in pages for paper_id in stored)
    assert "Models the catalog lacks" in (site / "generated" / "models" / "candidates" / "index.html").read_text()
    assert report["site_built"] is True and report["freshness"]["stale"] is False


@pytest.mark.slow
def test_second_weekly_run_changes_no_file_under_data_papers(weekly_runs: WeeklyRuns) -> None:
    run, report = weekly_runs.second, weekly_runs.second_report
    assert run.returncode == 0, run.stderr[-3000:]
    assert report["update"]["fetched"] == 60 and report["update"]["new"] == 0
    assert report["update"]["updated"] == 0
    assert report["papers_changed"] == []
    assert weekly_runs.after_second == weekly_runs.after_first  # same bytes, same modification times
    assert report["index"]["embedded"] == 0  # nothing new to embed: the cache answered


@pytest.mark.slow
def test_stale_store_fails_the_freshness_check(weekly_runs: WeeklyRuns) -> None:
    newest = max(p.published for p in PaperStore(weekly_runs.root / "data"))
    result = subprocess.run([sys.executable, "-m", "tracker", "freshness", "--max-weeks", "1",
                             "--as-of", str(newest + timedelta(days=8))],
                            cwd=weekly_runs.root, env=weekly_env(""), capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"error: stale store: the newest of {len(stored_ids(weekly_runs.root))} papers was first submitted on "
        f"{newest}, 8 days before {newest + timedelta(days=8)} (limit: 1 weeks)")


@pytest.mark.slow
def test_unreachable_arxiv_fails_unless_offline_ok(weekly_runs: WeeklyRuns) -> None:
    """Nothing listens on port 9: a weekly run must fail loudly; `--offline-ok` (make site) carries on."""
    root, dead = weekly_runs.root, "http://127.0.0.1:9/api/query"
    args = ("--since", WINDOW[0], "--until", WINDOW[1], "--stale-weeks", "104", "--as-of", "2026-02-23")
    loud = run_weekly(root, dead, *args, "--report", str(root / "report-unreachable.json"))
    assert loud.returncode == 1
    report = json.loads((root / "report-unreachable.json").read_text())
    assert report["failed_step"] == "update" and report["update"]["reachable"] is False
    assert report["reason"].startswith("error: ") and "127.0.0.1:9" in report["reason"]
    # (--no-build: the site was built twice above already)
    calm = run_weekly(root, dead, *args, "--offline-ok", "--no-build", "--report", str(root / "report-offline.json"))
    assert calm.returncode == 0, calm.stderr[-3000:]
    report = json.loads((root / "report-offline.json").read_text())
    assert [(s["step"], s["exit"]) for s in report["steps"]] == [
        ("update", 0), ("candidates", 0), ("index", 0), ("freshness", 0)]
    assert report["update"]["reachable"] is False and report["site_built"] is False
    assert papers_state(root) == weekly_runs.after_first


def test_a_bad_backfill_shard_stops_the_weekly_run(corpus_papers: list[Paper], tmp_path: Path) -> None:
    root = scratch_repo(tmp_path / "repo")
    shards, _, _, _ = _shards_with_overlaps(corpus_papers, tmp_path / "shards")
    broken = shards[1] / "papers" / "2026" / "07.jsonl"
    broken.write_text("not json\n" + broken.read_text())
    args = [arg for shard in shards for arg in ("--merge-shards", str(shard))]
    run = run_weekly(root, "", *args, "--report", str(root / "report.json"))
    assert run.returncode == 1
    report = json.loads((root / "report.json").read_text())
    assert report["failed_step"] == "merge-shards" and [s["step"] for s in report["steps"]] == ["merge-shards"]
    assert report["reason"].startswith(f"error: {broken}:1:")
    assert not (root / "data" / "papers").exists()


def test_failed_update_is_loud_and_carries_the_manifest(failing_stand_in: ArxivStandIn, tmp_path: Path) -> None:
    root = scratch_repo(tmp_path / "repo")
    run = run_weekly(root, failing_stand_in.url, "--since", WINDOW[0], "--until", WINDOW[1],
                     "--report", str(root / "report.json"))
    assert run.returncode == 1
    assert failing_stand_in.requests, "the stand-in was never asked"
    last_line = run.stderr.strip().splitlines()[-1]
    assert last_line.startswith("weekly: FAILED at update: error:")
    report = json.loads((root / "report.json").read_text())
    assert report["status"] == "failed" and report["failed_step"] == "update"
    assert [s["step"] for s in report["steps"]] == ["update"]  # nothing indexed, built or committed
    assert report["site_built"] is False and report["papers_changed"] == []
    assert "incorrect id format for abc" in json.dumps(report["manifest"])  # arXiv's own words
    assert '"failed_step": "update"' in run.stderr  # the whole report is on stderr too
    assert not (root / "data" / "papers").exists()


def test_weekly_outside_a_repository_says_so(tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, str(WEEKLY)], cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 1
    assert "not inside an LLM Atlas repository" in run.stderr


# -- backfill shards ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("days", "count"), [(1, 1), (7, 3), (365, 12), (366, 7), (31, 31)])
def test_split_window_covers_every_day_once(days: int, count: int) -> None:
    since = date(2025, 1, 1)
    until = since + timedelta(days=days - 1)
    windows = split_window(since, until, count)
    assert [w.index for w in windows] == list(range(1, count + 1))
    assert windows[0].since == since and windows[-1].until == until
    for left, right in zip(windows, windows[1:], strict=False):
        assert right.since == left.until + timedelta(days=1)
    assert sum(w.days for w in windows) == days
    assert max(w.days for w in windows) - min(w.days for w in windows) <= 1
    for w in windows:
        assert shard_window(since, until, w.name) == w


@pytest.mark.parametrize(("spec", "message"), [
    ("0/3", "not a shard of 1..N"), ("4/3", "not a shard of 1..N"), ("2", "expected I/N"), ("a/b", "expected I/N"),
])
def test_bad_shard_specs_are_one_clear_error(spec: str, message: str) -> None:
    with pytest.raises(ShardError, match=message):
        parse_shard(spec)


def test_windows_that_cannot_be_split() -> None:
    with pytest.raises(ShardError, match="before --since"):
        split_window(date(2025, 2, 1), date(2025, 1, 1), 2)
    with pytest.raises(ShardError, match="a shard needs at least one day"):
        split_window(date(2025, 1, 1), date(2025, 1, 3), 4)


def test_shard_window_command() -> None:
    result = subprocess.run([sys.executable, "-m", "tracker", "shard-window", "--since", "2025-01-01",
                             "--until", "2025-12-31", "--shards", "4", "--json"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    windows = json.loads(result.stdout)
    assert [(w["shard"], w["since"], w["until"]) for w in windows] == [
        ("1/4", "2025-01-01", "2025-04-02"), ("2/4", "2025-04-03", "2025-07-02"),
        ("3/4", "2025-07-03", "2025-10-01"), ("4/4", "2025-10-02", "2025-12-31")]
    bad = subprocess.run([sys.executable, "-m", "tracker", "shard-window", "--since", "2025-01-01",
                          "--until", "2025-01-02", "--shard", "3/2"], capture_output=True, text=True)
    assert bad.returncode == 1
    assert bad.stderr.strip() == "error: --shard: '3/2' is not a shard of 1..N (I must be between 1 and N)"


def _shards_with_overlaps(papers: list[Paper], root: Path) -> tuple[list[Path], Path, str, tuple[Paper, Paper]]:
    """Three shard stores written by the real store code, and a main store that already holds papers.

    Overlaps a real backfill can produce: paper X in shard 1 at v1 and in shard 3 at v2 (revised in
    between); paper Y in shards 2 and 3 at the same version and date but with a corrected title.
    """
    unique = sorted({p.id: p for p in papers}.values(), key=lambda p: p.id)
    main, parts = unique[:20], [unique[20:60], unique[60:100], unique[100:140]]
    x, y = parts[0][0], parts[1][0]
    later = x.updated + timedelta(days=9)
    x2 = x.model_copy(update={"version": 2, "updated": later, "title": x.title + " (revised)",
                              "versions": [VersionRecord(version=1, date=x.published),
                                           VersionRecord(version=2, date=later)]})
    y_fixed = y.model_copy(update={"title": y.title + " [corrected]"})
    parts[2] = [*parts[2], x2, y_fixed]
    dirs = []
    for number, part in enumerate(parts, start=1):
        shard = PaperStore(root / f"shard-{number}")
        shard.upsert(part)
        shard.save()
        dirs.append(shard.data_dir)
    base = PaperStore(root / "base")
    base.upsert(main)
    base.save()
    return dirs, base.data_dir, x.id, (y, y_fixed)


def _merged_bytes(base: Path, into: Path, command: list[str], sources: list[Path]) -> dict[str, bytes]:
    shutil.copytree(base, into)
    for args in ([[*command, *map(str, sources)]] if command[0] == "merge-shards"
                 else [[*command, str(path)] for source in sources
                       for path in sorted((source / "papers").rglob("*.jsonl"))]):
        result = subprocess.run([sys.executable, "-m", "tracker", *args, "--data-dir", str(into)],
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
    return {str(p.relative_to(into)): p.read_bytes() for p in sorted((into / "papers").rglob("*.jsonl"))}


def test_merging_shards_in_any_order_gives_identical_bytes(corpus_papers: list[Paper], tmp_path: Path) -> None:
    shards, base, x_id, y_versions = _shards_with_overlaps(corpus_papers, tmp_path)
    orders = [shards, shards[::-1], [shards[1], shards[2], shards[0]]]
    merged = [_merged_bytes(base, tmp_path / f"merged-{n}", ["merge-shards"], order) for n, order in enumerate(orders)]
    assert merged[0] == merged[1] == merged[2]
    store = PaperStore(tmp_path / "merged-0")
    assert len(store) == 20 + 40 * 3
    assert store.papers[x_id].version == 2 and [v.version for v in store.papers[x_id].versions] == [1, 2]
    # same id, version and date, different text: the record that sorts last canonically wins, every time
    assert store.papers[y_versions[0].id] == canonical_order(y_versions)[-1]
    # Why merge-shards exists: importing the same shards one by one, the tie goes to whichever came last.
    one_by_one = [_merged_bytes(base, tmp_path / f"imported-{n}", ["import", "--no-filter"], order)
                  for n, order in enumerate([shards, shards[::-1]])]
    assert one_by_one[0] != one_by_one[1]


def test_canonical_order_does_not_depend_on_input_order(corpus_papers: list[Paper]) -> None:
    sample = corpus_papers[:50]
    assert canonical_order(sample) == canonical_order(sample[::-1])


def test_merge_of_a_bad_shard_leaves_the_store_alone(corpus_papers: list[Paper], tmp_path: Path) -> None:
    shards, base, _, _ = _shards_with_overlaps(corpus_papers, tmp_path)
    before = {p: p.read_bytes() for p in sorted((base / "papers").rglob("*.jsonl"))}
    broken = shards[2] / "papers" / "2026" / "07.jsonl"
    broken.write_text(broken.read_text() + '{"id": "2607.00001", "version": 1}\n')
    result = subprocess.run([sys.executable, "-m", "tracker", "merge-shards", *map(str, shards),
                             "--data-dir", str(base)], capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {broken}:") and "title" in result.stderr
    assert {p: p.read_bytes() for p in sorted((base / "papers").rglob("*.jsonl"))} == before


# -- staleness ---------------------------------------------------------------------------------------
def _store_with(tmp_path: Path, papers: list[Paper], published: list[date]) -> PaperStore:
    store = PaperStore(tmp_path / "data")
    dated = zip(papers, published, strict=True)
    store.upsert(p.model_copy(update={"published": d, "updated": d, "versions": []}) for p, d in dated)
    store.save()
    return PaperStore(tmp_path / "data")


def test_freshness_boundary(corpus_papers: list[Paper], tmp_path: Path) -> None:
    unique = list({p.id: p for p in corpus_papers}.values())[:3]
    store = _store_with(tmp_path, unique, [date(2026, 5, 1), date(2026, 6, 10), date(2026, 6, 1)])
    assert not check_freshness(store, 2, as_of=date(2026, 6, 24)).stale  # 14 days: still fresh
    stale = check_freshness(store, 2, as_of=date(2026, 6, 25))  # 15 days
    assert stale.stale and stale.newest == date(2026, 6, 10) and stale.age_days == 15
    assert stale.as_dict()["reason"].startswith("the newest of 3 papers was first submitted on 2026-06-10")


def test_an_empty_store_is_stale(tmp_path: Path) -> None:
    result = check_freshness(PaperStore(tmp_path / "data"), 2, as_of=date(2026, 6, 1))
    assert result.stale and result.describe() == "the store holds no paper"
