"""The store's own vectors (data/vectors): used when whole and current, re-embedded otherwise, never used wrongly.

Real all-MiniLM-L6-v2 on real papers: the point is which vectors end up in the index.
"""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from tracker.embedding.embedders import Embedder
from tracker.paper import Paper
from tracker.search.index import PaperIndex, build_index, store_vectors_model
from tracker.search.stored_vectors import StoredVectors, as_stored, decode_rows, encode_rows, week_stem
from tracker.store import PaperStore

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def papers(llm_papers: list[Paper]) -> list[Paper]:
    """24 real papers spread over three ISO weeks (the listing's papers, dated a week apart in turn)."""
    chosen = sorted(llm_papers, key=lambda p: p.id)[:24]
    day = date(2026, 6, 30)
    return [p.model_copy(update={"published": day - timedelta(days=7 * (i % 3))}) for i, p in enumerate(chosen)]


@pytest.fixture(scope="module")
def truth(papers: list[Paper], embedder: Embedder) -> dict[str, np.ndarray]:
    """Each paper's vector embedded on its own, as the store keeps it: what the index must hold."""
    return {p.id: as_stored(embedder.encode([p.text]))[0] for p in papers}


def make_store(root: Path, papers: list[Paper]) -> PaperStore:
    store = PaperStore(root / "data")
    store.upsert(papers)
    store.save()
    return store


def index_vectors(cache: Path) -> dict[str, np.ndarray]:
    index = PaperIndex.load(cache)
    return {paper_id: index.vectors[row] for row, paper_id in enumerate(index.ids)}


def assert_right_vectors(cache: Path, truth: dict[str, np.ndarray]) -> None:
    """Every paper's vector in the index is its own text's (cosine > 0.999: batches pad differently)."""
    got = index_vectors(cache)
    assert sorted(got) == sorted(truth)
    for paper_id, vector in got.items():
        assert float(vector @ truth[paper_id]) > 0.999, paper_id


@pytest.fixture
def written(tmp_path: Path, papers: list[Paper], embedder: Embedder) -> PaperStore:
    store = make_store(tmp_path, papers)
    report = build_index(store, tmp_path / "cache-a", embedder, write_vectors=True)
    assert (report.embedded, report.from_store, report.vector_files_written) == (24, 0, 3)
    return store


def files(store: PaperStore) -> dict[str, bytes]:
    root = store.data_dir / "vectors"
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_fresh_clone_embeds_nothing_and_gets_the_same_index(written: PaperStore, tmp_path: Path,
                                                              embedder: Embedder, truth) -> None:
    before = files(written)
    assert sorted(before) == ["2026/2026-W25.i16", "2026/2026-W25.tsv", "2026/2026-W26.i16", "2026/2026-W26.tsv",
                              "2026/2026-W27.i16", "2026/2026-W27.tsv"]
    table = before["2026/2026-W27.tsv"].decode().splitlines()
    header = json.loads(table[0].removeprefix("# "))
    assert header["model"] == embedder.name and header["dtype"] == "int16+scale" and header["count"] == len(table) - 1
    assert len(before["2026/2026-W27.i16"]) == header["count"] * (384 * 2 + 4)

    report = build_index(PaperStore(written.data_dir), tmp_path / "fresh-cache", embedder, write_vectors=True)
    assert (report.embedded, report.from_store, report.from_cache, report.vector_files_written) == (0, 24, 0, 0)
    assert files(written) == before  # nothing rewritten
    first, again = PaperIndex.load(tmp_path / "cache-a"), PaperIndex.load(tmp_path / "fresh-cache")
    assert first.ids == again.ids and first.vectors.tobytes() == again.vectors.tobytes()
    assert_right_vectors(tmp_path / "fresh-cache", truth)


@pytest.mark.parametrize("damage", ["missing", "truncated", "tampered", "table-only"])
def test_a_damaged_week_is_embedded_again_and_rewritten(damage: str, written: PaperStore, tmp_path: Path,
                                                        embedder: Embedder, truth) -> None:
    week = week_stem(next(iter(written)))
    table, vectors = (written.data_dir / "vectors" / f"{week}{suffix}" for suffix in (".tsv", ".i16"))
    in_week = len(table.read_text().splitlines()) - 1
    before = files(written)
    if damage == "missing":
        vectors.unlink()
    elif damage == "truncated":
        vectors.write_bytes(vectors.read_bytes()[:1000])
    elif damage == "tampered":  # same size, other numbers: only the checksum can tell
        vectors.write_bytes(bytes(len(vectors.read_bytes())))
    else:
        table.unlink()
        vectors.unlink()
    lines: list[str] = []
    report = build_index(PaperStore(written.data_dir), tmp_path / f"cache-{damage}", embedder, log=lines.append,
                         write_vectors=True)
    assert (report.embedded, report.from_store) == (in_week, 24 - in_week)
    if damage != "table-only":
        assert any(str(vectors) in line for line in lines), lines
        assert any(("missing" if damage == "missing" else "truncated" if damage == "truncated" else "checksum")
                   in line for line in lines), lines
    assert_right_vectors(tmp_path / f"cache-{damage}", truth)
    after = files(written)
    assert sorted(after) == sorted(before)
    for name in after:  # rewritten as the same vectors (cosine 0.999+: embedded in another batch)
        if name.endswith(".i16"):
            a, b = (decode_rows(np.frombuffer(data[name], dtype=[("codes", "<i2", (384,)), ("scale", "<f4")]))
                    for data in (after, before))
            assert np.all(np.sum(a * b, axis=1) > 0.999)


def test_vectors_of_another_model_are_never_used(written: PaperStore, tmp_path: Path, embedder: Embedder,
                                                 truth) -> None:
    for table in (written.data_dir / "vectors").rglob("*.tsv"):
        text = table.read_text()
        table.write_text(text.replace(embedder.name, "some-other-model", 1))
    lines: list[str] = []
    report = build_index(PaperStore(written.data_dir), tmp_path / "cache-other", embedder, log=lines.append)
    assert (report.embedded, report.from_store, report.vector_files_written) == (24, 0, 0)
    assert any("3 week files hold vectors of another model (some-other-model" in line for line in lines), lines
    assert_right_vectors(tmp_path / "cache-other", truth)
    # the store's own model rewrites them all in one step
    report = build_index(PaperStore(written.data_dir), tmp_path / "cache-other", embedder, write_vectors=True)
    assert report.vector_files_written == 3 and report.embedded == 0
    assert StoredVectors(written.data_dir, embedder.name, 384).lookup(list(written)).counts()["from_store"] == 24


def test_a_changed_abstract_is_embedded_again(written: PaperStore, tmp_path: Path, embedder: Embedder) -> None:
    paper = sorted(written, key=lambda p: p.id)[5]
    revised = paper.model_copy(update={"version": paper.version + 1,
                                       "abstract": "We study retrieval-augmented generation for legal questions."})
    store = PaperStore(written.data_dir)
    store.upsert([revised])
    store.save()
    lines: list[str] = []
    report = build_index(PaperStore(written.data_dir), tmp_path / "cache-b", embedder, log=lines.append,
                         write_vectors=True)
    assert (report.embedded, report.stale, report.from_store, report.vector_files_written) == (1, 1, 23, 1)
    assert any(paper.id in line and "older text" in line for line in lines), lines
    vector = index_vectors(tmp_path / "cache-b")[paper.id]
    expected = as_stored(embedder.encode([revised.text]))[0]
    assert float(vector @ expected) > 0.999
    assert float(vector @ as_stored(embedder.encode([paper.text]))[0]) < 0.99
    table = (written.data_dir / "vectors" / f"{week_stem(paper)}.tsv").read_text()
    assert f"{paper.id}\t{revised.text_hash}\n" in table


def test_an_interrupted_rewrite_is_caught(written: PaperStore, tmp_path: Path, embedder: Embedder) -> None:
    """New vectors written, table not yet (a crash between the two renames): the checksum refuses the pair."""
    week = week_stem(next(iter(written)))
    root = written.data_dir / "vectors"
    other = sorted(p for p in root.rglob("*.i16") if not str(p).endswith(f"{week}.i16"))[0]
    target = root / f"{week}.i16"
    donor = other.read_bytes()
    size = len(target.read_bytes())
    target.write_bytes((donor * 2)[:size])
    lookup = StoredVectors(written.data_dir, embedder.name, 384).lookup(list(written))
    assert any("checksum" in line for line in lookup.problems)
    assert all(week_stem(written.get(i)) != week for i in lookup.found)  # type: ignore[arg-type]


def test_only_the_store_model_writes_by_default(tmp_path: Path, papers: list[Paper], embedder: Embedder) -> None:
    store = make_store(tmp_path, papers[:3])
    assert embedder.name != store_vectors_model()
    build_index(store, tmp_path / "cache", embedder)
    assert not (store.data_dir / "vectors").exists()


def test_a_week_with_no_paper_left_is_removed(written: PaperStore, tmp_path: Path, embedder: Embedder) -> None:
    shutil.copytree(written.data_dir, tmp_path / "copy")
    store = PaperStore(tmp_path / "copy")
    kept = [p for p in store if week_stem(p) != "2026/2026-W25"]
    fresh = PaperStore(tmp_path / "fresh")
    fresh.upsert(kept)
    fresh.save()
    shutil.copytree(tmp_path / "copy" / "vectors", tmp_path / "fresh" / "vectors")
    build_index(fresh, tmp_path / "cache-c", embedder, write_vectors=True)
    assert sorted(p.name for p in (tmp_path / "fresh" / "vectors").rglob("*.tsv")) == ["2026-W26.tsv",
                                                                                       "2026-W27.tsv"]


def test_the_stored_form_is_within_a_hundred_thousandth(truth: dict[str, np.ndarray]) -> None:
    vectors = np.stack(list(truth.values()))
    again = as_stored(vectors)
    assert np.abs(again - vectors).max() < 1e-5  # rounding the stored form again changes nothing measurable
    assert as_stored(again).tobytes() == again.tobytes()  # and is stable: a re-read vector stays the same
    zero = encode_rows(np.zeros((1, 384), np.float32))
    assert float(zero["scale"][0]) == 1.0 and not decode_rows(zero).any()
