"""``llm-atlas update`` end to end against a local server replaying real arXiv responses."""

from __future__ import annotations

import hashlib
import json
import socket
import subprocess
import sys
from datetime import date
from pathlib import Path

from arxiv_replay import FIXTURES, Replay, recorded, serve, with_total

from tracker.fetch.arxiv_http import PoliteHttp
from tracker.fetch.config import TrackerConfig
from tracker.fetch.state import Ledger, TrackerState
from tracker.fetch.update import UpdateReport, run_update
from tracker.paper import Paper, VersionRecord
from tracker.relevance.filter import select_llm_papers
from tracker.store import PaperStore

REPO = Path(__file__).parent.parent
CL_PAGE = "api/laya_reader_cs.CL_3.xml"  # three real cs.CL papers of 2026-09-23
RSS = FIXTURES / "rss" / "laya_reader_rss_cs.LG+cs.AI+cs.CL+stat.ML.xml"
TODAY = date(2026, 9, 24)


def config_for(replay: Replay, **overrides: object) -> TrackerConfig:
    values: dict[str, object] = dict(api_url=replay.api_url, feed_url=replay.feed_url, page_size=10,
                                     delay_seconds=0.01, max_retries=2, backoff_base_seconds=0.01,
                                     backoff_cap_seconds=0.02)
    values.update(overrides)
    return TrackerConfig(**values)  # type: ignore[arg-type]


def replay_of_week() -> Replay:
    """The recorded cs.CL page (its query had 119,894 results) replayed as a window of exactly those 3."""
    _, body = recorded(CL_PAGE)
    return Replay(pages={0: (200, with_total(body, 3))}, feed=(200, RSS.read_bytes()))


def update(store: PaperStore, replay: Replay, today: date = TODAY, **kwargs: object) -> UpdateReport:
    config = config_for(replay)
    return run_update(store, config, today=today, select=select_llm_papers, http=PoliteHttp(config),
                      **kwargs)  # type: ignore[arg-type]


def tree_digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_first_run_stores_llm_papers_and_records_the_run(tmp_path: Path) -> None:
    store = PaperStore(tmp_path)
    with serve(replay_of_week()) as replay:
        report = update(store, replay)
    assert (report.since, report.until) == (date(2026, 9, 17), TODAY)
    assert report.fetched_api == 3 and report.fetched_feed == 4
    assert "2609.28449" in report.new_ids  # "Can LLMs Reason About Runtime Behavior?"
    assert "2609.26811" not in store  # local learning with spectral updates: not about LLMs
    # replacements of papers never stored are left to the API window, which has their real dates
    assert report.not_tracked == 2 and report.announce_types == {"cross": 1, "new": 2, "replace": 1}
    assert report.status == "ok" and report.state_advanced
    assert TrackerState.load(tmp_path).last_until == TODAY
    ledger = Ledger.load(tmp_path)
    assert ledger.seen_version("2609.26811") == 1 and ledger.seen_version("2609.28449") is None
    manifest = json.loads(report.manifest.read_text()) if report.manifest else {}
    assert manifest["window"] == {"since": "2026-09-17", "until": "2026-09-24", "date_field": "lastUpdatedDate"}
    assert manifest["counts"]["new"] == len(report.new_ids) and manifest["new"] == sorted(report.new_ids)
    assert manifest["counts"]["fetched"] == 7 and manifest["errors"] == [] and manifest["status"] == "ok"
    assert set(manifest) >= {"duration_s", "http", "sources", "skipped", "updated"}
    assert manifest["http"]["requests"] == 2


def test_overlapping_second_run_is_harmless_and_changes_no_byte(tmp_path: Path) -> None:
    store = PaperStore(tmp_path)
    with serve(replay_of_week()) as replay:
        first = update(store, replay)
    papers_before = tree_digest(tmp_path / "papers")
    ledger_before = tree_digest(tmp_path / "tracker" / "ledger")
    with serve(replay_of_week()) as replay:
        second = update(PaperStore(tmp_path), replay, today=date(2026, 9, 25))
    assert second.since == date(2026, 9, 21)  # three days of overlap before the last window's end
    assert second.new == 0 and second.updated == 0 and second.assessed == 0
    assert second.seen == first.fetched - first.not_tracked
    assert tree_digest(tmp_path / "papers") == papers_before
    assert tree_digest(tmp_path / "tracker" / "ledger") == ledger_before
    assert len(list((tmp_path / "tracker" / "runs").rglob("*.json"))) == 2


def test_new_version_replaces_the_stored_one_and_is_marked_updated(tmp_path: Path) -> None:
    store = PaperStore(tmp_path)
    with serve(replay_of_week()) as replay:
        update(store, replay)
    # stored earlier: a paper the feed now announces as replaced (v3)
    old = Paper(id="2009.13987", version=2, title="Random Polytope Descriptors", abstract="An older abstract.",
                authors=["Michael Joswig"], categories=["cs.LG"], published=date(2020, 9, 29),
                updated=date(2021, 3, 1), versions=[VersionRecord(version=1, date=date(2020, 9, 29)),
                                                    VersionRecord(version=2, date=date(2021, 3, 1))])
    store = PaperStore(tmp_path)
    store.upsert([old])
    store.save()
    _, body = recorded(CL_PAGE)
    revised = body.replace(b"2609.28449v1", b"2609.28449v2").replace(
        b"<updated>2026-09-23T17:46:50Z</updated>", b"<updated>2026-09-25T09:00:00Z</updated>")
    replay = Replay(pages={0: (200, with_total(revised, 3))}, feed=(200, RSS.read_bytes()))
    with serve(replay):
        report = update(PaperStore(tmp_path), replay, today=date(2026, 9, 25))
    assert report.new == 0
    assert report.updated_versions == {"2609.28449": (1, 2), "2009.13987": (2, 3)}
    stored = PaperStore(tmp_path)
    llm = stored.get("2609.28449")
    assert llm is not None and llm.version == 2 and llm.published == date(2026, 9, 23)
    assert [(v.version, v.date) for v in llm.versions] == [(1, date(2026, 9, 23)), (2, date(2026, 9, 25))]
    polytopes = stored.get("2009.13987")
    assert polytopes is not None and [v.version for v in polytopes.versions] == [1, 2, 3]
    assert polytopes.published == date(2020, 9, 29)  # still in its own shard, not moved to the feed's date
    manifest = json.loads(report.manifest.read_text()) if report.manifest else {}
    assert manifest["updated"] == {"2009.13987": {"from": 2, "to": 3}, "2609.28449": {"from": 1, "to": 2}}
    assert manifest["new"] == []


def test_backfill_window_does_not_move_the_state(tmp_path: Path) -> None:
    store = PaperStore(tmp_path)
    with serve(replay_of_week()) as replay:
        update(store, replay)
        report = update(PaperStore(tmp_path), replay, since=date(2026, 8, 1), until=date(2026, 8, 7))
    assert (report.since, report.until) == (date(2026, 8, 1), date(2026, 8, 7))
    assert not report.state_advanced and TrackerState.load(tmp_path).last_until == TODAY


def test_failed_window_keeps_what_was_fetched_and_the_state(tmp_path: Path) -> None:
    _, body = recorded(CL_PAGE)
    replay = Replay(pages={0: (200, with_total(body, 13))}, feed=(200, RSS.read_bytes()))
    with serve(replay):  # page 2 never comes: empty pages until the retries run out
        report = update(PaperStore(tmp_path), replay)
    assert report.status == "error" and not report.api_complete and not report.state_advanced
    assert "empty page while results remain" in report.errors[0]
    assert "2609.28449" in PaperStore(tmp_path)  # the first page's paper is stored, not lost
    assert not (tmp_path / "tracker" / "state.json").exists()


# -- the command line ----------------------------------------------------------------------------------
def write_config(tmp_path: Path, **extra: object) -> Path:
    lines = ["page_size = 10", "delay_seconds = 0.01", "max_retries = 1", "backoff_base_seconds = 0.01",
             "backoff_cap_seconds = 0.02", *(f"{k} = {json.dumps(v)}" for k, v in extra.items())]
    path = tmp_path / "tracker.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tracker", "update", "--data-dir", str(tmp_path / "data"),
                           "--config", str(write_config(tmp_path)), "--no-index", *args],
                          cwd=REPO, capture_output=True, text=True, timeout=300)


def test_cli_rerun_with_nothing_new_changes_no_byte_of_the_store(tmp_path: Path) -> None:
    with serve(replay_of_week()) as replay:
        urls = ["--arxiv-api-url", replay.api_url, "--arxiv-feed-url", replay.feed_url, "--until", "2026-09-24"]
        first = cli(tmp_path, *urls, "--json")
        assert first.returncode == 0, first.stderr
        before = tree_digest(tmp_path / "data" / "papers")
        second = cli(tmp_path, *urls, "--json")
    assert second.returncode == 0, second.stderr
    assert tree_digest(tmp_path / "data" / "papers") == before and before
    assert json.loads(second.stdout)["new"] == 0 and json.loads(first.stdout)["new"] >= 1


def test_cli_weekend_with_nothing_new_exits_0(tmp_path: Path) -> None:
    weekend_feed = RSS.read_bytes()[: RSS.read_bytes().index(b"<item>")] + b"</channel></rss>"
    replay = Replay(pages={0: recorded("api/id_0000.0000_s0_m100_8b51d9633a68.json")}, feed=(200, weekend_feed))
    with serve(replay):
        result = cli(tmp_path, "--arxiv-api-url", replay.api_url, "--arxiv-feed-url", replay.feed_url)
    assert result.returncode == 0, result.stderr
    assert "fetched 0" in result.stderr


def test_cli_fetching_nothing_because_of_errors_exits_1_with_one_line(tmp_path: Path) -> None:
    replay = Replay(feed=(503, b"down"))
    replay.faults = [(503, {}, b"down")] * 20
    with serve(replay):
        result = cli(tmp_path, "--arxiv-api-url", replay.api_url, "--arxiv-feed-url", replay.feed_url)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [errors[0]] and "update fetched nothing" in errors[0] and "HTTP 503" in errors[0]
    manifests = list((tmp_path / "data" / "tracker" / "runs").rglob("*.json"))
    assert len(manifests) == 1 and json.loads(manifests[0].read_text())["status"] == "error"


def test_cli_offline_says_unreachable_and_carries_on(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}"
    urls = ["--arxiv-api-url", f"{dead}/api/query", "--arxiv-feed-url", f"{dead}/rss"]
    ok = cli(tmp_path, *urls, "--offline-ok")
    assert ok.returncode == 0 and "arXiv is unreachable: carrying on with the 0 stored papers" in ok.stderr
    assert not (tmp_path / "data" / "tracker" / "runs").exists()  # `make site` leaves a clean clone
    loud = cli(tmp_path, *urls)
    assert loud.returncode == 1 and "arXiv is unreachable" in loud.stderr
