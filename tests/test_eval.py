"""``llm-atlas eval``: metrics on a hand-computed example, BEIR loading, and the method choice on held-out data."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from tracker.embedding.embedders import DEFAULT_BACKEND, make_embedder
from tracker.errors import InputError
from tracker.search.evaluation import evaluate, load_beir, mrr_at, ndcg_at, recall_at, score_run
from tracker.search.query import DEFAULT_METHOD

EVAL_FIXTURES = Path(__file__).parent / "fixtures" / "eval"
HELDOUT_SETS = [EVAL_FIXTURES / "ki-first", EVAL_FIXTURES / "ki-contrib"]
# long questions (issue 25): the site's ranking is held to them too
SITE_SETS = [*HELDOUT_SETS, EVAL_FIXTURES / "ki-long"]

# q1: relevant d1 (grade 1) and d3 (grade 2), retrieved as d2, d3, d1. q2: relevant d9, never retrieved.
# q3 has only a grade-0 judgment, so it is not averaged (as in BEIR / trec_eval).
QRELS = {"q1": {"d1": 1, "d3": 2}, "q2": {"d9": 1}, "q3": {"d4": 0}}
RUN = {"q1": ["d2", "d3", "d1"], "q2": ["d5"], "q3": ["d4"]}


def test_metrics_match_a_hand_computed_example() -> None:
    # DCG@10 = 0/log2(2) + 2/log2(3) + 1/log2(4); ideal = 2/log2(2) + 1/log2(3)
    dcg = 2 / math.log2(3) + 1 / 2
    idcg = 2 + 1 / math.log2(3)
    assert ndcg_at(RUN["q1"], QRELS["q1"], 10) == pytest.approx(dcg / idcg)
    assert ndcg_at(RUN["q1"], QRELS["q1"], 10) == pytest.approx(0.669672, abs=1e-6)
    assert ndcg_at(RUN["q1"], QRELS["q1"], 2) == pytest.approx((2 / math.log2(3)) / idcg)
    assert recall_at(RUN["q1"], QRELS["q1"], 10) == 1.0
    assert recall_at(RUN["q1"], QRELS["q1"], 2) == 0.5
    assert mrr_at(RUN["q1"], QRELS["q1"], 10) == 0.5
    assert mrr_at(RUN["q1"], QRELS["q1"], 1) == 0.0
    result = score_run(RUN, QRELS, k=10)
    assert result == {"ndcg@10": 0.3348, "recall@10": 0.5, "recall@100": 0.5, "mrr@10": 0.25,
                      "queries": 2}


def _write_beir(folder: Path, qrels: str) -> Path:
    (folder / "qrels").mkdir(parents=True)
    (folder / "corpus.jsonl").write_text('{"_id": "d1", "title": "A", "text": "alpha"}\n', encoding="utf-8")
    (folder / "queries.jsonl").write_text('{"_id": "q1", "text": "alpha"}\n', encoding="utf-8")
    (folder / "qrels" / "test.tsv").write_text(qrels, encoding="utf-8")
    return folder


def test_bad_qrels_name_file_and_line(tmp_path: Path) -> None:
    folder = _write_beir(tmp_path / "set", "query-id\tcorpus-id\tscore\nq1\td2\t1\n")
    with pytest.raises(InputError, match=r"test\.tsv:2: corpus-id 'd2' is not in corpus\.jsonl"):
        load_beir(folder)
    folder = _write_beir(tmp_path / "set2", "query-id\tcorpus-id\tscore\nq1\td1\tyes\n")
    with pytest.raises(InputError, match=r"test\.tsv:2: score 'yes' is not an integer"):
        load_beir(folder)


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tracker", *args], capture_output=True, text=True)


def test_cli_eval_prints_the_contract_json_and_leaves_the_store_alone(tmp_path: Path) -> None:
    data, cache = tmp_path / "data", tmp_path / "cache"
    done = run_cli("eval", str(HELDOUT_SETS[1]), "--method", "bm25", "--json", "--data-dir", str(data),
                   "--cache-dir", str(cache))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert set(result) == {"ndcg@10", "recall@10", "recall@100", "mrr@10", "queries"}
    assert result["queries"] == 60
    assert 0.0 < result["ndcg@10"] <= 1.0 and result["recall@10"] <= result["recall@100"]
    assert result == evaluate(HELDOUT_SETS[1], cache, "bm25")
    assert not data.exists()  # the store was never created or touched
    assert [p.name for p in cache.iterdir()] == ["eval"]


def test_cli_eval_rejects_a_folder_without_the_files(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    done = run_cli("eval", str(tmp_path / "empty"), "--method", "bm25", "--cache-dir", str(tmp_path / "cache"))
    assert done.returncode == 1
    assert done.stderr.strip().endswith("corpus.jsonl: missing (a BEIR directory needs corpus.jsonl, "
                                        "queries.jsonl, qrels/test.tsv)")


@pytest.mark.slow
@pytest.mark.parametrize("folder", HELDOUT_SETS, ids=lambda p: p.name)
def test_default_method_is_at_least_the_better_single_method_on_held_out_queries(
    folder: Path, onnx_cache: Path
) -> None:
    # the default embedder (ONNX int8, exported into onnx_cache), so vectors are cached there between the runs
    embedder = make_embedder(DEFAULT_BACKEND, onnx_cache)
    scores = {m: evaluate(folder, onnx_cache, m, embedder=embedder)["ndcg@10"]
              for m in ("dense", "bm25", DEFAULT_METHOD)}
    assert scores[DEFAULT_METHOD] >= max(scores["dense"], scores["bm25"]), scores


@pytest.mark.slow
@pytest.mark.parametrize("folder", SITE_SETS, ids=lambda p: p.name)
def test_site_method_keeps_95_percent_of_hybrid_on_held_out_queries(folder: Path, onnx_cache: Path) -> None:
    """The site's page ranking (static query encoder, PQ codes in lists, cut postings, int8 rescoring), scored like
    the CLI's: issue 25's target, >= 0.95 x hybrid (measured 0.98, 0.98 and 0.97 on these 60-query sets)."""
    embedder = make_embedder(DEFAULT_BACKEND, onnx_cache)
    scores = {m: evaluate(folder, onnx_cache, m, embedder=embedder)["ndcg@10"] for m in ("site", DEFAULT_METHOD)}
    assert scores["site"] >= 0.95 * scores[DEFAULT_METHOD], scores
