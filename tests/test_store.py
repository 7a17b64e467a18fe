"""PaperStore: round trip, determinism, versions, atomic writes, damaged lines."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from tracker.errors import InputError
from tracker.paper import Paper, VersionRecord
from tracker.store import PaperStore


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_round_trip_keeps_every_field(tmp_path: Path, llm_papers: list[Paper]) -> None:
    store = PaperStore(tmp_path)
    store.upsert(llm_papers)
    store.save()
    reloaded = PaperStore(tmp_path)
    assert len(reloaded) == len(llm_papers)
    for paper in llm_papers:
        assert reloaded.get(paper.id) == paper
    assert [p.id for p in reloaded] == sorted(p.id for p in llm_papers)


def test_store_files_are_sorted_and_byte_identical_whatever_the_insertion_order(
    tmp_path: Path, llm_papers: list[Paper]
) -> None:
    a, b = PaperStore(tmp_path / "a"), PaperStore(tmp_path / "b")
    a.upsert(llm_papers)
    b.upsert(reversed(llm_papers))
    a.save()
    b.save()
    assert snapshot(a.papers_dir) == snapshot(b.papers_dir)
    shard = next(a.papers_dir.rglob("*.jsonl"))
    ids = [line.split('"id":"')[1].split('"')[0] for line in shard.read_text().splitlines()]
    assert ids == sorted(ids)


def test_saving_again_with_nothing_new_writes_nothing(tmp_path: Path, llm_papers: list[Paper]) -> None:
    store = PaperStore(tmp_path)
    store.upsert(llm_papers)
    store.save()
    before = {p: p.stat().st_mtime_ns for p in store.shard_paths()}
    again = PaperStore(tmp_path)
    result = again.upsert(llm_papers)
    assert result.as_dict() == {"new": 0, "updated": 0, "unchanged": len(llm_papers)}
    assert again.save() == []
    assert {p: p.stat().st_mtime_ns for p in again.shard_paths()} == before


def test_upsert_keeps_the_newest_version_and_its_history(tmp_path: Path, llm_papers: list[Paper]) -> None:
    original = llm_papers[0].model_copy(update={"versions": [VersionRecord(version=1, date=llm_papers[0].published)]})
    revised = original.model_copy(update={
        "version": 2, "title": "A revised title", "updated": date(2026, 7, 20),
        "versions": [VersionRecord(version=2, date=date(2026, 7, 20))],
    })
    store = PaperStore(tmp_path)
    store.upsert([original])
    result = store.upsert([revised])
    assert result.updated == [original.id]
    assert store.upsert([original]).unchanged == [original.id]  # an older version never wins
    store.save()
    kept = PaperStore(tmp_path).get(original.id)
    assert kept is not None
    assert kept.version == 2 and kept.title == "A revised title"
    assert [v.version for v in kept.versions] == [1, 2]
    assert kept.published == original.published


def test_a_crash_during_save_leaves_the_previous_store(
    tmp_path: Path, llm_papers: list[Paper], monkeypatch: pytest.MonkeyPatch
) -> None:
    store = PaperStore(tmp_path)
    store.upsert(llm_papers[:10])
    store.save()
    before = snapshot(tmp_path / "papers")

    def crash(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", crash)
    store.upsert(llm_papers[10:])
    with pytest.raises(KeyboardInterrupt):
        store.save()
    monkeypatch.undo()
    assert snapshot(tmp_path / "papers") == before  # no half-written shard, no temp file left behind
    assert len(PaperStore(tmp_path)) == 10


def test_a_damaged_line_names_file_and_line(tmp_path: Path, llm_papers: list[Paper]) -> None:
    store = PaperStore(tmp_path)
    store.upsert(llm_papers[:3])
    store.save()
    shard = store.shard_paths()[0]
    lines = shard.read_text().splitlines()
    lines[1] = lines[1].replace('"version":1', '"version":"one"')
    shard.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as caught:
        len(PaperStore(tmp_path))
    assert str(caught.value).startswith(f"{shard}:2: version:")


def test_shards_follow_the_month_of_first_submission(tmp_path: Path, llm_papers: list[Paper]) -> None:
    paper = llm_papers[0]
    store = PaperStore(tmp_path)
    store.upsert([paper])
    store.save()
    assert store.shard_paths() == [tmp_path / "papers" / "2026" / "07.jsonl"]
    # a corrected first-submission date moves the paper, and the emptied shard goes
    moved = paper.model_copy(update={"published": date(2026, 6, 30), "version": 2})
    store.upsert([moved])
    store.save()
    assert store.shard_paths() == [tmp_path / "papers" / "2026" / "06.jsonl"]
