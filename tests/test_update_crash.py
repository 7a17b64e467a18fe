"""kill -9 in the middle of an update: the store still loads, nothing is lost, nothing is stored twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from arxiv_replay import FIXTURES, Replay, recorded, serve, with_total

from tracker.paper import Paper
from tracker.store import PaperStore

REPO = Path(__file__).parent.parent
RSS = FIXTURES / "rss" / "laya_reader_rss_cs.LG+cs.AI+cs.CL+stat.ML.xml"


def write_config(tmp_path: Path) -> Path:
    path = tmp_path / "tracker.toml"
    path.write_text("page_size = 3\ndelay_seconds = 0.01\nmax_retries = 1\nbackoff_base_seconds = 0.01\n"
                    "backoff_cap_seconds = 0.02\nread_timeout_seconds = 120.0\n")
    return path


def seed_store(data: Path) -> dict[str, Paper]:
    """A store with papers in several month shards (real papers from the recorded 'testing' page)."""
    from arxiv import _feed

    from tracker.fetch.arxiv_api import result_to_paper

    _, body = recorded("api/q_testing_s0_m10_bc5a6c384fe9.json")
    papers = [result_to_paper(r) for r in _feed.parse(body).results]
    store = PaperStore(data)
    store.upsert(papers)
    store.save()
    return {p.id: p for p in papers}


def wait_for(condition: Callable[[], bool], process: subprocess.Popen[str], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert process.poll() is None, f"update ended before the kill: {process.communicate()}"
        assert time.monotonic() < deadline, "the update never reached the point of the kill"
        time.sleep(0.05)


def all_lines(data: Path) -> list[str]:
    return [line for path in sorted((data / "papers").rglob("*.jsonl")) for line in path.read_text().splitlines()]


def check_store(data: Path, must_hold: dict[str, Paper]) -> PaperStore:
    store = PaperStore(data)
    assert len(store) >= len(must_hold)  # loads: every shard is whole
    for paper_id, paper in must_hold.items():
        assert store.get(paper_id) is not None and store.papers[paper_id].version >= paper.version
    ids = [json.loads(line)["id"] for line in all_lines(data)]
    assert len(ids) == len(set(ids)), "a paper is stored twice"
    return store


def test_kill_while_the_server_stalls_a_page(tmp_path: Path) -> None:
    data = tmp_path / "data"
    before = seed_store(data)
    _, cl_page = recorded("api/laya_reader_cs.CL_3.xml")
    _, testing = recorded("api/q_testing_s0_m10_bc5a6c384fe9.json")
    replay = Replay(pages={0: (200, with_total(cl_page, 6)), 3: (200, with_total(testing, 6))},
                    feed=(200, RSS.read_bytes()), stall_at=3)
    with serve(replay):
        command = [sys.executable, "-m", "tracker", "update", "--data-dir", str(data), "--no-index",
                   "--config", str(write_config(tmp_path)), "--arxiv-api-url", replay.api_url,
                   "--arxiv-feed-url", replay.feed_url, "--until", "2026-09-24"]
        process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # the first page is processed and checkpointed into the store; the second page hangs
        wait_for(lambda: "2609.28449" in {json.loads(x)["id"] for x in all_lines(data)}, process)
        wait_for(lambda: any(r.query.get("start") == ["3"] for r in replay.api_requests()), process)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        assert process.returncode == -signal.SIGKILL
        store = check_store(data, before)
        assert "2609.28449" in store  # the page read before the kill is not lost
        assert not (data / "tracker" / "state.json").exists()  # the window is not marked done
        # the next run re-reads the window: nothing lost, nothing twice
        replay.stall_at = None
        replay.release.set()
        rerun = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    check_store(data, {**before, "2609.28449": store.papers["2609.28449"]})
    assert (data / "tracker" / "state.json").exists()


KILL_BETWEEN_SHARDS = """
import os, sys, time
from pathlib import Path
real_replace = os.replace
marker = Path(sys.argv[1])
def replace_then_pause(src, dst, *args, **kwargs):
    real_replace(src, dst, *args, **kwargs)
    if str(dst).endswith(".jsonl") and "/papers/" in str(dst):
        marker.write_text(str(dst))
        time.sleep(600)  # killed here: one shard is new, the others are not written yet
os.replace = replace_then_pause
from tracker.cli import main
main(sys.argv[2:])
"""


def test_kill_between_two_shard_writes(tmp_path: Path) -> None:
    data = tmp_path / "data"
    before = seed_store(data)
    shards_before = {p: p.read_bytes() for p in (data / "papers").rglob("*.jsonl")}
    _, cl_page = recorded("api/laya_reader_cs.CL_3.xml")
    # the same papers come back as new versions: every shard of the store changes in one save
    revised = recorded("api/q_testing_s0_m10_bc5a6c384fe9.json")[1]
    for paper_id, paper in before.items():
        revised = revised.replace(f"{paper_id}v{paper.version}<".encode(), f"{paper_id}v{paper.version + 1}<".encode())
    replay = Replay(pages={0: (200, with_total(revised, 10))}, feed=(200, RSS.read_bytes()))
    marker = tmp_path / "killed-after"
    with serve(replay):
        config = write_config(tmp_path)
        config.write_text(config.read_text().replace("page_size = 3", "page_size = 10"))
        command = [sys.executable, "-c", KILL_BETWEEN_SHARDS, str(marker), "update", "--data-dir", str(data),
                   "--no-index", "--no-feed", "--config", str(config), "--arxiv-api-url", replay.api_url,
                   "--arxiv-feed-url", replay.feed_url, "--until", "2026-09-24"]
        process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        wait_for(marker.exists, process)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    written = Path(marker.read_text())
    store = check_store(data, before)
    changed = [p for p, old in shards_before.items() if p.read_bytes() != old]
    assert changed == [written]  # exactly one shard replaced whole, the rest untouched
    assert len(shards_before) > 1
    upgraded = [pid for pid, p in before.items() if store.papers[pid].version == p.version + 1]
    assert upgraded and len(upgraded) < len(before)
